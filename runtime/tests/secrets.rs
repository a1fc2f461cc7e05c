//! Secrets never appear in `Debug` or `Display` of the handler, the clients or any error.

mod support;

use stripe_notify_runtime::{
    ApiError, ClientError, ConfigError, FixedClock, HandleError, Handler, MalformedHeader, PayloadError,
    SignatureError, StripeClient, Verifier, WebhookSecret, sign,
};
use support::TestCatalog;

const WEBHOOK_SECRET: &str = "whsec_KNOWNwebhookSECRET123";
const API_KEY: &str = "sk_live_KNOWNapiKEY456";

fn assert_clean(text: &str) {
    assert!(
        !text.contains("KNOWNwebhook") && !text.contains("KNOWNapi"),
        "a secret leaked: {text}"
    );
}

#[tokio::test]
async fn nothing_formats_a_secret() {
    let client = StripeClient::builder(API_KEY)
        .api_base("http://127.0.0.1:1")
        .max_retries(0)
        .build()
        .unwrap();
    let handler = Handler::<TestCatalog>::builder(client.clone(), WEBHOOK_SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(0))
        .build();
    let mut texts = vec![
        format!("{handler:?}"),
        format!("{client:?}"),
        format!("{:?}", StripeClient::builder(API_KEY)),
        format!("{:?}", WebhookSecret::new(WEBHOOK_SECRET).unwrap()),
        format!(
            "{:?}",
            Verifier::new([&WebhookSecret::new(WEBHOOK_SECRET).unwrap()])
        ),
    ];
    // Every way handling can fail, with the real secret in play.
    let body = br#"{"id":"evt_1","type":"a.b","created":"2024-01-01T00:00:00Z"}"#;
    for header in [
        None,
        Some("garbage".to_owned()),
        Some(sign(body, "whsec_other", 0)),
        Some(sign(body, WEBHOOK_SECRET, 10_000)),
        Some(sign(b"not json", WEBHOOK_SECRET, 0)),
    ] {
        let error = handler.handle(body, header.as_deref()).await;
        texts.push(format!("{error:?}"));
        if let Err(error) = error {
            texts.push(error.to_string());
        }
    }
    // A network error from the client carrying the key.
    let network = client
        .get::<serde_json::Value>("/v1/x", Some("evt_1"))
        .await
        .unwrap_err();
    texts.push(format!("{network:?} {network}"));
    let errors: Vec<Box<dyn std::error::Error>> = vec![
        Box::new(SignatureError::MalformedHeader(MalformedHeader::NotAscii)),
        Box::new(SignatureError::OutsideTolerance {
            timestamp: 1,
            now: 2,
            tolerance_seconds: 3,
        }),
        Box::new(PayloadError::UnrecognizedFormat),
        Box::new(ConfigError::BlankSecret),
        Box::new(ClientError::Api(Box::new(ApiError {
            status: 401,
            error_type: Some("invalid_request_error".into()),
            code: None,
            message: Some("Invalid API Key provided: sk_live_****456".into()),
            param: None,
            request_id: None,
        }))),
        Box::new(HandleError::Callback("the callback failed".into())),
    ];
    texts.extend(errors.iter().map(|e| format!("{e:?} {e}")));
    for text in &texts {
        assert_clean(text);
    }
}
