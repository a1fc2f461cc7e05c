//! `Stripe-Signature` verification: the behaviours of Stripe's SDKs, one test each.

use stripe_notify_runtime::{
    ConfigError, FixedClock, MalformedHeader, SignatureError, Tolerance, Verifier, WebhookSecret, sign,
};

const SECRET: &str = "whsec_test_secret";
const NOW: i64 = 1_700_000_000;
const BODY: &[u8] = br#"{"id":"evt_1","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2024-09-17T06:20:52.246Z"}"#;

fn secret(text: &str) -> WebhookSecret {
    WebhookSecret::new(text).expect("non-blank secret")
}

fn verifier() -> Verifier {
    Verifier::new([&secret(SECRET)]).with_clock(FixedClock(NOW))
}

fn verify(header: &str) -> Result<(), SignatureError> {
    verifier().verify(BODY, Some(header.as_bytes()))
}

fn v1_for(body: &[u8], secret: &str, t: i64) -> String {
    let header = sign(body, secret, t);
    header
        .split_once(",v1=")
        .expect("sign makes t=..,v1=..")
        .1
        .to_owned()
}

#[test]
fn python_sdk_vector_verifies_at_its_time() {
    let body = br#"{"id": "evt_123", "object": "v2.core.event", "type": "v1.billing.meter.error_report_triggered", "livemode": false, "created": "2022-02-15T00:27:45.330Z", "context": "event_context_456", "related_object": {"id": "mtr_123", "type": "billing.meter", "url": "/v1/billing/meters/mtr_123"}}"#;
    let header = "t=1700000000,v1=485e3f9649a5b3e9628f97f6da75aa30f723a01d69dcca69f2164dd7b4705dfc";
    assert_eq!(verifier().verify(body, Some(header.as_bytes())), Ok(()));
    assert_eq!(
        sign(body, SECRET, NOW),
        header,
        "sign() reproduces the SDK's header"
    );

    let with_real_clock = Verifier::new([&secret(SECRET)]);
    assert!(matches!(
        with_real_clock.verify(body, Some(header.as_bytes())),
        Err(SignatureError::OutsideTolerance {
            timestamp: NOW,
            tolerance_seconds: 300,
            ..
        })
    ));
}

#[test]
fn valid_header_verifies() {
    assert_eq!(verify(&sign(BODY, SECRET, NOW)), Ok(()));
}

#[test]
fn one_good_signature_among_several_v1_verifies() {
    let good = v1_for(BODY, SECRET, NOW);
    let bad = v1_for(BODY, "whsec_other", NOW);
    assert_eq!(verify(&format!("t={NOW},v1={bad},v1={good}")), Ok(()));
    assert_eq!(verify(&format!("t={NOW},v1={good},v1={bad}")), Ok(()));
}

#[test]
fn only_v0_signature_is_no_v1() {
    let good = v1_for(BODY, SECRET, NOW);
    assert_eq!(
        verify(&format!("t={NOW},v0={good}")),
        Err(SignatureError::NoV1Signature)
    );
    assert_eq!(verify(&format!("t={NOW}")), Err(SignatureError::NoV1Signature));
}

#[test]
fn unknown_schemes_and_whitespace_are_ignored() {
    let good = v1_for(BODY, SECRET, NOW);
    assert_eq!(verify(&format!(" t={NOW} , v0=abc ,v2=zzz, v1={good} ")), Ok(()));
}

#[test]
fn missing_or_empty_header() {
    assert_eq!(verifier().verify(BODY, None), Err(SignatureError::MissingHeader));
    assert_eq!(verify(""), Err(SignatureError::MissingHeader));
    assert_eq!(verify("  \t"), Err(SignatureError::MissingHeader));
}

#[test]
fn garbage_header_is_malformed() {
    assert_eq!(
        verify("this is not a signature"),
        Err(SignatureError::MalformedHeader(
            MalformedHeader::ItemWithoutEquals
        ))
    );
    let good = v1_for(BODY, SECRET, NOW);
    assert_eq!(
        verify(&format!("t={NOW},v1={good},")),
        Err(SignatureError::MalformedHeader(
            MalformedHeader::ItemWithoutEquals
        )),
        "a trailing comma leaves an empty item"
    );
    assert_eq!(
        verifier().verify(BODY, Some(b"t=1\xff,v1=00")),
        Err(SignatureError::MalformedHeader(MalformedHeader::NotAscii))
    );
}

#[test]
fn timestamp_missing_non_numeric_or_repeated_is_malformed() {
    let good = v1_for(BODY, SECRET, NOW);
    let malformed = |why| Err(SignatureError::MalformedHeader(why));
    assert_eq!(
        verify(&format!("v1={good}")),
        malformed(MalformedHeader::MissingTimestamp)
    );
    for t in [
        "abc",
        "",
        "-5",
        "+5",
        "1e9",
        "17000000 00",
        "99999999999999999999",
        // 19 digits fit an i64 but no time a signature carries: 18 is the limit.
        "1000000000000000000",
    ] {
        assert_eq!(
            verify(&format!("t={t},v1={good}")),
            malformed(MalformedHeader::InvalidTimestamp),
            "t={t:?}"
        );
    }
    assert_eq!(
        verify(&format!("t={NOW},t={NOW},v1={good}")),
        malformed(MalformedHeader::RepeatedTimestamp)
    );
}

#[test]
fn upper_case_hex_verifies() {
    let good = v1_for(BODY, SECRET, NOW).to_ascii_uppercase();
    assert_eq!(verify(&format!("t={NOW},v1={good}")), Ok(()));
}

#[test]
fn non_hex_short_and_long_signatures_do_not_match() {
    let good = v1_for(BODY, SECRET, NOW);
    for candidate in [
        "zz".repeat(32),
        good[..62].to_owned(),
        format!("{good}00"),
        String::new(),
        "é".repeat(32),
        // The bytes either side of each hex digit range.
        format!("/{}", &good[1..]),
        format!(":{}", &good[1..]),
        format!("@{}", &good[1..]),
        format!("G{}", &good[1..]),
        format!("`{}", &good[1..]),
        format!("g{}", &good[1..]),
    ] {
        assert_eq!(
            verify(&format!("t={NOW},v1={candidate}")),
            Err(SignatureError::NoMatch),
            "{candidate:?}"
        );
    }
}

#[test]
fn wrong_secret_does_not_match() {
    assert_eq!(
        verify(&sign(BODY, "whsec_wrong", NOW)),
        Err(SignatureError::NoMatch)
    );
}

#[test]
fn modified_body_does_not_match() {
    let header = sign(BODY, SECRET, NOW);
    let mut body = BODY.to_vec();
    body.push(b' ');
    assert_eq!(
        verifier().verify(&body, Some(header.as_bytes())),
        Err(SignatureError::NoMatch)
    );
}

#[test]
fn either_of_two_rotated_secrets_verifies() {
    let rotating = Verifier::new([&secret("whsec_old"), &secret("whsec_new")]).with_clock(FixedClock(NOW));
    for s in ["whsec_old", "whsec_new"] {
        assert_eq!(
            rotating.verify(BODY, Some(sign(BODY, s, NOW).as_bytes())),
            Ok(()),
            "{s}"
        );
    }
    assert_eq!(
        rotating.verify(BODY, Some(sign(BODY, "whsec_other", NOW).as_bytes())),
        Err(SignatureError::NoMatch)
    );
}

#[test]
fn tolerance_boundary_is_inclusive() {
    assert_eq!(verify(&sign(BODY, SECRET, NOW - 300)), Ok(()));
    assert_eq!(
        verify(&sign(BODY, SECRET, NOW - 301)),
        Err(SignatureError::OutsideTolerance {
            timestamp: NOW - 301,
            now: NOW,
            tolerance_seconds: 300
        })
    );
}

#[test]
fn timestamps_in_the_future_are_rejected_too() {
    assert_eq!(verify(&sign(BODY, SECRET, NOW + 300)), Ok(()));
    assert!(matches!(
        verify(&sign(BODY, SECRET, NOW + 301)),
        Err(SignatureError::OutsideTolerance { .. })
    ));
}

#[test]
fn custom_and_disabled_tolerance() {
    let strict = verifier().with_tolerance(Tolerance::Seconds(0));
    assert_eq!(
        strict.verify(BODY, Some(sign(BODY, SECRET, NOW).as_bytes())),
        Ok(())
    );
    assert!(
        strict
            .verify(BODY, Some(sign(BODY, SECRET, NOW - 1).as_bytes()))
            .is_err()
    );

    let disabled = verifier().with_tolerance(Tolerance::Disabled);
    assert_eq!(
        disabled.verify(BODY, Some(sign(BODY, SECRET, 0).as_bytes())),
        Ok(())
    );
}

#[test]
fn signature_is_checked_before_the_timestamp() {
    // A forged, stale request must learn "no match", not "too old".
    assert_eq!(
        verify(&sign(BODY, "whsec_forger", NOW - 10_000)),
        Err(SignatureError::NoMatch)
    );
}

#[test]
fn blank_secrets_are_rejected_other_secrets_used_verbatim() {
    for blank in ["", " ", "\t\n "] {
        assert!(matches!(WebhookSecret::new(blank), Err(ConfigError::BlankSecret)));
    }
    // Whitespace inside or around a non-blank secret is part of the key.
    let padded = Verifier::new([&secret(" whsec_x ")]).with_clock(FixedClock(NOW));
    assert_eq!(
        padded.verify(BODY, Some(sign(BODY, " whsec_x ", NOW).as_bytes())),
        Ok(())
    );
    assert_eq!(
        padded.verify(BODY, Some(sign(BODY, "whsec_x", NOW).as_bytes())),
        Err(SignatureError::NoMatch)
    );
}

#[test]
fn body_is_verified_as_raw_bytes() {
    let body = b"\xff\xfe not utf-8 \x00";
    assert_eq!(
        verifier().verify(body, Some(sign(body, SECRET, NOW).as_bytes())),
        Ok(())
    );
}

#[test]
fn leading_zeros_in_the_timestamp_sign_the_same_number() {
    let good = v1_for(BODY, SECRET, NOW);
    assert_eq!(verify(&format!("t=000{NOW},v1={good}")), Ok(()));
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let s = secret("whsec_supersecret");
    let v = Verifier::new([&s]);
    for text in [format!("{s:?}"), format!("{v:?}")] {
        assert!(!text.contains("supersecret"), "{text}");
    }
}

#[test]
fn a_mismatch_says_what_to_check() {
    let message = SignatureError::NoMatch.to_string();
    for hint in [
        "whsec_",
        "each destination has its own",
        "stripe listen",
        "raw bytes",
        "serialised again",
    ] {
        assert!(message.contains(hint), "{hint}: {message}");
    }
}
