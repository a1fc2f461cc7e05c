//! The `stripe-notify` command against a real webhook endpoint on loopback.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use stripe_notify::endpoint::WebhookEndpoint;
use stripe_notify::{
    EventNotificationHandler, KNOWN_EVENT_TYPES, RegisterCallbacks, StripeClient, sign, unix_now,
};

mod support;

const SECRET: &str = "whsec_cli_test";

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stripe-notify"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `stripe-notify send <event_type> --url <url> --secret <secret> <extra>...`.
fn send(event_type: &str, url: &str, secret: &str, extra: &[&str]) -> Output {
    cli(&[&["send", event_type, "--url", url, "--secret", secret][..], extra].concat())
}

#[test]
fn list_prints_every_known_type_with_its_styles() {
    let output = cli(&["list"]);
    assert!(output.status.success());
    let text = stdout(&output);
    let rows: Vec<Vec<&str>> = text.lines().map(|line| line.split('\t').collect()).collect();
    let types: Vec<&str> = rows.iter().map(|row| row[0]).collect();
    assert_eq!(types, KNOWN_EVENT_TYPES);
    for (event_type, row) in [
        (
            "v1.invoice.paid",
            vec!["v1.invoice.paid", "thin, snapshot", "invoice.paid"],
        ),
        ("v2.core.account.created", vec!["v2.core.account.created", "thin"]),
        (
            "v1.treasury.received_credit.created",
            vec![
                "v1.treasury.received_credit.created",
                "snapshot",
                "treasury.received_credit.created",
            ],
        ),
    ] {
        assert!(rows.contains(&row), "{event_type}: {text}");
    }
}

#[test]
fn sample_snapshot_prints_a_classic_event_around_stripes_fixture() {
    for event_type in ["invoice.paid", "v1.invoice.paid"] {
        let output = cli(&[
            "sample",
            "--snapshot",
            event_type,
            "--context",
            "acct_1",
            "--fixtures",
            FIXTURES,
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let event: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(
            (event["object"].as_str(), event["type"].as_str()),
            (Some("event"), Some("invoice.paid"))
        );
        assert_eq!(event["account"], "acct_1");
        assert!(event["created"].is_i64());
        if let Ok(text) = std::fs::read_to_string(FIXTURES) {
            // Stripe's own invoice.
            let fixtures: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(event["data"]["object"], fixtures["resources"]["invoice"]);
        }
        assert_eq!(event["data"]["object"]["object"], "invoice");
    }
    // A type sent only thin, one sent only as snapshots, and an unknown one.
    for (args, says) in [
        (
            &["sample", "--snapshot", "v2.core.account.created"][..],
            "sent only thin",
        ),
        (
            &["sample", "v1.treasury.received_credit.created"][..],
            "add --snapshot",
        ),
        (
            &["sample", "--snapshot", "no.such.type"][..],
            "unknown event type",
        ),
    ] {
        let output = cli(args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// Stripe's fixtures, as `.ci/run` copies them.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/fixtures3.json");

#[test]
fn sample_prints_a_notification_of_the_type_with_fresh_ids() {
    let first = cli(&["sample", "v2.core.account.updated", "--context", "acct_1"]);
    let second = cli(&["sample", "v2.core.account.updated"]);
    assert!(first.status.success() && second.status.success());
    let a: serde_json::Value = serde_json::from_str(&stdout(&first)).unwrap();
    let b: serde_json::Value = serde_json::from_str(&stdout(&second)).unwrap();
    assert_eq!(a["type"], "v2.core.account.updated");
    assert_eq!(a["context"], "acct_1");
    assert_eq!(a["related_object"]["type"], "v2.core.account");
    // The related object is the spec's example; the event id is fresh each time.
    let id = a["related_object"]["id"].as_str().unwrap();
    assert!(id.starts_with("acct_"), "{id}");
    assert_eq!(a["related_object"]["url"], format!("/v2/core/accounts/{id}"));
    assert!(a["id"].as_str().unwrap().starts_with("evt_test_"));
    assert_ne!(a["id"], b["id"]);
}

#[test]
fn sign_matches_the_library() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stripe-notify"))
        .args(["sign", "--secret", SECRET, "--timestamp", "1700000000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":\"evt_1\"}")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        stdout(&output).trim(),
        sign(b"{\"id\":\"evt_1\"}", SECRET, 1_700_000_000)
    );
}

#[test]
fn errors_are_one_line_and_a_failure_exit() {
    for args in [
        &["sample", "v9.not.a.type"][..],
        &[
            "send",
            "v9.not.a.type",
            "--url",
            "http://127.0.0.1:1/webhook",
            "--secret",
            SECRET,
        ],
        &[
            "send",
            "v2.core.account.updated",
            "--url",
            "not a url",
            "--secret",
            SECRET,
        ],
        &[
            "send",
            "v2.core.account.updated",
            "--url",
            "http://127.0.0.1:1/webhook",
            "--secret",
            SECRET,
        ],
    ] {
        let output = cli(args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}

#[test]
fn send_delivers_signed_samples_to_a_real_endpoint() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let (s1, s2) = (Arc::clone(&seen), Arc::clone(&seen));
    let handler =
        EventNotificationHandler::builder(StripeClient::new("sk_test_1"), SECRET, move |n, client, _| {
            s1.lock().unwrap().push(format!(
                "fallback {} {:?}",
                n.event_type(),
                client.context().map(|c| c.to_string())
            ));
            async { Ok(()) }
        })
        .unwrap()
        .on_v1_billing_meter_error_report_triggered(move |n, _| {
            s2.lock().unwrap().push(format!(
                "callback {}",
                n.related_object().id.split('_').next().unwrap_or_default()
            ));
            async { Ok(()) }
        })
        .unwrap()
        .build();
    let app = axum::Router::new().route("/webhook", WebhookEndpoint::new(handler).verified());
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    runtime.spawn(async move { axum::serve(listener, app).await });

    let output = send(
        "v1.billing.meter.error_report_triggered",
        &url,
        SECRET,
        &["--count", "2"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout(&output).lines().collect::<Vec<_>>(),
        [r#"200 {"received":true}"#; 2]
    );
    let output = send(
        "v2.core.account.updated",
        &url,
        SECRET,
        &["--context", "acct_1/acct_2"],
    );
    assert!(output.status.success());
    let output = send("v2.core.account.updated", &url, "whsec_wrong", &[]);
    assert!(!output.status.success());
    assert!(stdout(&output).starts_with("400 "), "{}", stdout(&output));
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "callback mtr",
            "callback mtr",
            "fallback v2.core.account.updated Some(\"acct_1/acct_2\")"
        ]
    );
}

/// The example servers, which take the same environment and print the same lines: axum's, and
/// actix-web's with the feature.
const EXAMPLES: &[(&str, &[&str])] = &[
    ("webhook_server", &[]),
    #[cfg(feature = "actix-web")]
    ("webhook_server_actix", &["--features", "actix-web"]),
];

/// The example server, started as a process.
struct ExampleServer {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    url: String,
}

impl ExampleServer {
    fn start(example: (&str, &[&str]), env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(support::example_binary(example))
            .env("PORT", "0")
            .env_remove("STRIPE_API_KEY")
            .env_remove("STRIPE_WEBHOOK_SECRET")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the example server runs");
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        let mut server = Self {
            child,
            lines,
            url: String::new(),
        };
        let listening = server.next_line_containing("listening on ");
        server.url = listening.rsplit(' ').next().unwrap().to_owned();
        server
    }

    fn next_line_containing(&self, text: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|error| {
                    panic!("the server printed no line containing {text:?} ({error}); see its stderr")
                });
            if line.contains(text) {
                return line;
            }
        }
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        assert_eq!(self.next_line_containing("stopped"), "stopped");
        assert!(self.child.wait().unwrap().success(), "clean exit on SIGTERM");
    }
}

impl ExampleServer {
    /// Kills the server with SIGKILL: no shutdown, callbacks cut off where they were.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// A test that fails leaves no server behind (it would hold the test's output open).
impl Drop for ExampleServer {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn send_to_the_example_server_routes_each_type() {
    for &example in EXAMPLES {
        send_to_the_example_server_routes_each_type_on(example);
    }
}

fn send_to_the_example_server_routes_each_type_on(example: (&str, &[&str])) {
    let secret = "whsec_example";
    let server = ExampleServer::start(example, &[("STRIPE_WEBHOOK_SECRET", secret)]);
    for (event_type, by) in [
        ("v1.billing.meter.error_report_triggered", "callback"),
        ("v2.core.account.created", "fallback-known"),
        ("v2.money_management.outbound_payment.posted", "fallback-known"),
    ] {
        let output = send(event_type, &server.url, secret, &[]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let line = server.next_line_containing("handled ");
        assert!(
            line.starts_with(&format!("handled {event_type} evt_test_"))
                && line.ends_with(&format!(" by {by}")),
            "{line}"
        );
    }
    // Snapshot events: the invoice callback serves both styles and reads the object it carries;
    // a type with no callback goes to the fallback.
    for (event_type, handled, by) in [
        ("v1.invoice.paid", "v1.invoice.paid", "callback"),
        ("invoice.paid", "invoice.paid", "callback"),
        ("customer.created", "customer.created", "fallback-known"),
    ] {
        let snapshot = !event_type.starts_with("v1.");
        let extra: &[&str] = if snapshot {
            &["--snapshot", "--fixtures", FIXTURES]
        } else {
            &[]
        };
        let output = send(event_type, &server.url, secret, extra);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        if snapshot && by == "callback" {
            let line = server.next_line_containing("snapshot ");
            assert!(
                line.contains(" invoice in_") && line.contains(" amount_paid="),
                "{line}"
            );
        }
        let line = server.next_line_containing("handled ");
        assert!(
            line.starts_with(&format!("handled {handled} evt_test_")) && line.ends_with(&format!(" by {by}")),
            "{line}"
        );
    }
    server.stop();
}

#[test]
fn the_example_server_fetches_when_given_an_api_key() {
    for &example in EXAMPLES {
        the_example_server_fetches_when_given_an_api_key_on(example);
    }
}

fn the_example_server_fetches_when_given_an_api_key_on(example: (&str, &[&str])) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stripe = runtime
        .block_on(stripe_notify::testing::FakeStripe::start())
        .unwrap();
    let server = ExampleServer::start(
        example,
        &[
            ("STRIPE_API_KEY", "sk_test_example"),
            ("STRIPE_API_BASE", &stripe.url()),
        ],
    );
    let secret = "whsec_demo_local_testing_only";
    let sample = stdout(&cli(&["sample", "v1.billing.meter.error_report_triggered"]));
    let notification: serde_json::Value = serde_json::from_str(&sample).unwrap();
    let id = notification["id"].as_str().unwrap();
    let url = notification["related_object"]["url"].as_str().unwrap();
    stripe.respond(
        &format!("/v2/core/events/{id}"),
        200,
        format!(
            r#"{{"id":"{id}","type":"v1.billing.meter.error_report_triggered","created":"2025-01-01T00:00:00Z","data":{{"developer_message_summary":"x","validation_start":"2025-01-01T00:00:00Z","validation_end":"2025-01-01T00:00:00Z","reason":{{"error_count":0,"error_types":[]}}}}}}"#
        ),
    );
    // A whole meter (Stripe's fixture): with the `async-stripe` feature it is fetched typed.
    stripe.respond(
        url,
        200,
        r#"{"created":1234567890,"customer_mapping":{"event_payload_key":"customer","type":"by_id"},"default_aggregation":{"formula":"sum"},"display_name":"test-meter","event_name":"test-meter-event-name","event_time_window":null,"id":"meter_123","livemode":true,"object":"billing.meter","status":"active","status_transitions":{"deactivated_at":null},"updated":1234567890,"value_settings":{"event_payload_key":"value"}}"#,
    );
    let http = reqwest::Client::new();
    let post = |body: &str| {
        let request = http
            .post(&server.url)
            .header("stripe-signature", sign(body.as_bytes(), secret, unix_now()))
            .body(body.to_owned())
            .send();
        runtime.block_on(request).unwrap().status().as_u16()
    };
    assert_eq!(post(&sample), 200);
    assert_eq!(
        server.next_line_containing("fetched"),
        format!("fetched {id} billing.meter")
    );

    // A fetch that fails fails the callback: 500, so that Stripe retries.
    let other = stdout(&cli(&["sample", "v1.billing.meter.error_report_triggered"]));
    assert_eq!(post(&other), 500);
    assert!(server.next_line_containing("fetch failed").ends_with(" api"));
    server.stop();
    drop(stripe);
}

/// The PostgreSQL URL, or `None` (skipped) when the tests may go without.
fn postgres_url() -> Option<String> {
    match std::env::var("STRIPE_NOTIFY_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os("STRIPE_NOTIFY_REQUIRE_POSTGRES").is_none(),
                "PostgreSQL is required"
            );
            None
        }
    }
}

fn temp_sqlite(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("stripe-notify-cli-{name}-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    format!("sqlite:{}", path.display())
}

/// Every inbox: memory, a fresh SQLite file, a fresh PostgreSQL schema.
fn inboxes(name: &str) -> Vec<String> {
    let mut inboxes = vec!["memory".to_owned(), temp_sqlite(name)];
    if let Some(url) = postgres_url() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let url = runtime
            .block_on(stripe_notify::testing::isolated_schema(&url))
            .unwrap();
        inboxes.push(format!("postgres:{url}"));
    }
    inboxes
}

#[test]
fn with_each_inbox_the_example_server_answers_at_once_and_runs_each_event_once() {
    let secret = "whsec_example";
    for (&example, inbox) in EXAMPLES
        .iter()
        .flat_map(|e| inboxes("once").into_iter().map(move |i| (e, i)))
    {
        let server = ExampleServer::start(
            example,
            &[("STRIPE_WEBHOOK_SECRET", secret), ("STRIPE_INBOX", &inbox)],
        );
        let output = send(
            "v1.billing.meter.error_report_triggered",
            &server.url,
            secret,
            &["--duplicate", "--count", "2"],
        );
        assert!(
            output.status.success(),
            "{inbox}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            stdout(&output).lines().filter(|l| l.starts_with("200 ")).count(),
            4,
            "{inbox}"
        );
        // Two events, each delivered twice: two callbacks. A third event proves no line is late.
        let first = server.next_line_containing("handled ");
        let second = server.next_line_containing("handled ");
        assert_ne!(first, second, "{inbox}");
        let output = send("v2.core.account.created", &server.url, secret, &[]);
        assert!(output.status.success());
        let third = server.next_line_containing("handled ");
        assert!(
            third.starts_with("handled v2.core.account.created "),
            "{inbox}: a duplicate ran its callback: {third}"
        );
        server.stop();
    }
}

#[test]
fn a_killed_server_s_events_in_flight_run_again_within_one_lease_and_the_others_once() {
    let secret = "whsec_example";
    let lease = std::time::Duration::from_millis(1000);
    // The workers' poll interval in the example server.
    let poll = std::time::Duration::from_millis(200);
    let durable = inboxes("killed").into_iter().filter(|inbox| inbox != "memory");
    for inbox in durable {
        let lease_ms = lease.as_millis().to_string();
        let env = |callback_ms: &'static str| {
            [
                ("STRIPE_WEBHOOK_SECRET", secret),
                ("STRIPE_INBOX", inbox.as_str()),
                ("STRIPE_INBOX_WORKERS", "4"),
                ("STRIPE_INBOX_LEASE_MS", lease_ms.as_str()),
                ("STRIPE_DEMO_CALLBACK_MS", callback_ms),
            ]
        };
        // Callbacks that never end: four in flight (one per worker), four waiting.
        let first = ExampleServer::start(EXAMPLES[0], &env("600000"));
        let output = send(
            "v1.billing.meter.error_report_triggered",
            &first.url,
            secret,
            &["--count", "8"],
        );
        assert_eq!(
            stdout(&output).lines().filter(|l| l.starts_with("200 ")).count(),
            8,
            "{inbox}"
        );
        let event_id = |line: &str| line.split(' ').nth(2).unwrap().to_owned();
        let in_flight: std::collections::BTreeSet<String> = (0..4)
            .map(|_| event_id(&first.next_line_containing("handled ")))
            .collect();
        assert_eq!(in_flight.len(), 4, "{inbox}");
        first.kill();
        let killed_at = std::time::Instant::now();

        let second = ExampleServer::start(EXAMPLES[0], &env("0"));
        let mut handled = Vec::new();
        let mut in_flight_back = std::time::Duration::ZERO;
        while handled.len() < 8 {
            let id = event_id(&second.next_line_containing("handled "));
            if in_flight.contains(&id) {
                in_flight_back = killed_at.elapsed();
            }
            handled.push(id);
        }
        let distinct: std::collections::BTreeSet<&String> = handled.iter().collect();
        assert_eq!(distinct.len(), 8, "{inbox}: each event once: {handled:?}");
        assert!(
            in_flight.iter().all(|id| distinct.contains(id)),
            "{inbox}: the events in flight ran again"
        );
        // One lease after the last renewal at the latest, then a poll; and the restart itself.
        let bound = lease + poll + std::time::Duration::from_millis(1300);
        assert!(
            in_flight_back <= bound,
            "{inbox}: the events in flight came back {in_flight_back:?} after the kill (bound {bound:?})"
        );
        // A ninth event proves no event ran a second time.
        assert!(
            send("v2.core.account.created", &second.url, secret, &[])
                .status
                .success()
        );
        let next = second.next_line_containing("handled ");
        assert!(
            next.starts_with("handled v2.core.account.created "),
            "{inbox}: an event ran twice: {next}"
        );
        second.stop();
    }
}

#[test]
fn with_fail_first_a_user_sees_the_inbox_retry_a_callback() {
    for &example in EXAMPLES {
        with_fail_first_a_user_sees_the_inbox_retry_a_callback_on(example);
    }
}

fn with_fail_first_a_user_sees_the_inbox_retry_a_callback_on(example: (&str, &[&str])) {
    let server = ExampleServer::start(
        example,
        &[("STRIPE_INBOX", "memory"), ("STRIPE_DEMO_FAIL_FIRST", "1")],
    );
    let secret = "whsec_demo_local_testing_only";
    let output = send(
        "v1.billing.meter.error_report_triggered",
        &server.url,
        secret,
        &[],
    );
    // Answered before the callback ran, so the failure does not reach Stripe.
    assert!(stdout(&output).starts_with("200 "), "{}", stdout(&output));
    let first = server.next_line_containing("handled ");
    let id = first.split(' ').nth(2).unwrap().to_owned();
    assert_eq!(
        server.next_line_containing("failed "),
        format!("failed {id} (first attempt)")
    );
    assert_eq!(
        server.next_line_containing("handled "),
        first,
        "the retry runs the callback again"
    );
    server.stop();
}

#[test]
fn inbox_commands_count_list_retry_and_purge() {
    use stripe_notify::inbox::{self, NewEvent};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut databases = vec![temp_sqlite("commands")];
    databases.extend(
        inboxes("unused")
            .into_iter()
            .filter(|i| i.starts_with("postgres:")),
    );
    for database in databases {
        let database = database.as_str();
        let inbox = runtime.block_on(inbox::open(database)).unwrap();
        let store = |id: &'static str| {
            let event = NewEvent {
                id,
                event_type: "v1.invoice.paid",
                created: stripe_notify::Timestamp::UNIX_EPOCH,
                body: b"{}",
                signed_at: None,
                object_id: None,
            };
            runtime.block_on(inbox.store(event)).unwrap();
        };
        let visibility = std::time::Duration::from_secs(60);
        // One done, one dead with its error, one pending.
        store("evt_done");
        let claimed = runtime.block_on(inbox.claim(1, visibility, false)).unwrap();
        runtime
            .block_on(inbox.complete(&claimed[0].id, claimed[0].attempt))
            .unwrap();
        store("evt_dead");
        let claimed = runtime.block_on(inbox.claim(1, visibility, false)).unwrap();
        runtime
            .block_on(inbox.fail(&claimed[0].id, claimed[0].attempt, "the CRM\tanswered 502", None))
            .unwrap();
        store("evt_pending");

        let inbox_cli = |args: &[&str]| cli(&[&["inbox", "--database", database][..], args].concat());
        let stats = stdout(&inbox_cli(&["stats"]));
        let counts: Vec<&str> = stats.lines().take(5).collect();
        assert_eq!(
            counts,
            [
                "pending     1",
                "retrying    0",
                "processing  0",
                "done        1",
                "dead        1"
            ],
            "{database}"
        );
        assert!(
            stats.lines().nth(5).unwrap().starts_with("oldest due  "),
            "{stats}"
        );

        let dead = stdout(&inbox_cli(&["list", "--state", "dead"]));
        let fields: Vec<&str> = dead.trim_end().split('\t').collect();
        assert_eq!(
            fields[..4],
            ["evt_dead", "v1.invoice.paid", "dead", "1"],
            "{dead}"
        );
        assert_eq!(fields[6], "the CRM answered 502", "one line, one field: {dead}");
        let of_type = |event_type| stdout(&inbox_cli(&["list", "--state", "dead", "--type", event_type]));
        assert_eq!(of_type("v1.invoice.paid"), dead);
        assert_eq!(of_type("v1.invoice.created"), "");

        let shown = stdout(&inbox_cli(&["show", "evt_dead"]));
        assert_eq!(shown, format!("{dead}{{}}\n"), "its line, then its body");
        let output = inbox_cli(&["show", "evt_nowhere"]);
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("no event \"evt_nowhere\""));

        let output = inbox_cli(&["retry", "evt_dead"]);
        assert_eq!(stdout(&output), "1 due now\n", "{database}");
        let output = inbox_cli(&["retry", "evt_nowhere"]);
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("evt_nowhere"));
        assert_eq!(stdout(&inbox_cli(&["retry", "--all-dead"])), "0 due now\n");
        assert!(stdout(&inbox_cli(&["stats"])).starts_with("pending     2\n"));

        assert_eq!(
            stdout(&inbox_cli(&["purge", "--done-older-than", "7d"])),
            "0 purged\n"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(
            stdout(&inbox_cli(&["purge", "--done-older-than", "1ms"])),
            "1 purged\n"
        );
        let output = inbox_cli(&["purge", "--done-older-than", "a fortnight"]);
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("is not an age"));
    }
    let output = cli(&["inbox", "--database", "mysql://db", "stats"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("memory, sqlite:<path> or postgres://"));
}

#[test]
fn recover_stores_what_the_inbox_lacks_and_a_dry_run_stores_nothing() {
    use stripe_notify::inbox::{self, State};
    use stripe_notify::{Catalog, EventCatalog};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stripe = runtime
        .block_on(stripe_notify::testing::FakeStripe::start())
        .unwrap();
    let meter = Catalog::info("v1.billing.meter.error_report_triggered").unwrap();
    let invoice = Catalog::info("v1.invoice.paid").unwrap();
    let thin: Vec<String> = (0..30)
        .map(|_| stripe_notify::sample::notification(meter, None))
        .collect();
    let snapshots: Vec<String> = (0..30)
        .map(|_| {
            stripe_notify::sample::snapshot_event(invoice, None, None, stripe_notify::API_VERSION).unwrap()
        })
        .collect();
    stripe
        .serve_events(thin.iter().chain(&snapshots).cloned())
        .unwrap();
    // The endpoint received ten of them.
    let database = temp_sqlite("recover");
    let store = runtime.block_on(inbox::open(&database)).unwrap();
    let handler = stripe_notify::EventNotificationHandler::builder(
        StripeClient::new("sk_test_1"),
        SECRET,
        |_, _, _| async { Ok(()) },
    )
    .unwrap()
    .build();
    for body in thin.iter().take(5).chain(snapshots.iter().take(5)) {
        let signature = sign(body.as_bytes(), SECRET, unix_now());
        runtime
            .block_on(handler.enqueue(body.as_bytes(), Some(&signature), &*store))
            .unwrap();
    }
    let pending = || runtime.block_on(store.stats()).unwrap().count(State::Pending);
    assert_eq!(pending(), 10);
    let recover = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_stripe-notify"))
            .args(
                [
                    &["recover", "--since", "1h", "--api-base", &stripe.url()][..],
                    extra,
                ]
                .concat(),
            )
            .env("STRIPE_API_KEY", "sk_test_recover")
            .env_remove("STRIPE_API_BASE")
            .output()
            .expect("the binary runs")
    };

    let dry = recover(&["--inbox", &database, "--dry-run"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let listed = stdout(&dry);
    assert_eq!(
        listed.lines().filter(|l| l.starts_with("would store\t")).count(),
        60,
        "{listed}"
    );
    assert_eq!(pending(), 10, "a dry run stores nothing");

    let output = recover(&["--inbox", &database]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = stdout(&output);
    let row = |style: &str| -> Vec<String> {
        summary
            .lines()
            .find(|line| line.starts_with(style))
            .unwrap_or_else(|| panic!("no {style} row: {summary}"))
            .split_whitespace()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(row("thin"), ["25", "5", "0"]);
    assert_eq!(row("snapshot"), ["25", "5", "0"]);
    assert_eq!(row("total"), ["50", "10", "0"]);
    assert_eq!(pending(), 60, "the summary's counts are the store's");
    // Not a terminal: a plain line a page on standard error.
    assert!(String::from_utf8_lossy(&output.stderr).contains("2 pages, 60 events"));

    // Only snapshot events of one type, by its thin name; a malformed one fails the run.
    let mut bad: serde_json::Value = serde_json::from_str(&snapshots[0]).unwrap();
    bad["id"] = "evt_malformed".into();
    bad["data"] = serde_json::json!({});
    stripe
        .serve_events(snapshots.iter().cloned().chain([bad.to_string()]))
        .unwrap();
    let output = recover(&[
        "--inbox",
        &database,
        "--style",
        "snapshot",
        "--type",
        "v1.invoice.paid",
    ]);
    assert!(!output.status.success());
    let summary = stdout(&output);
    assert!(summary.contains("failed\tevt_malformed\t"), "{summary}");
    assert!(
        stripe
            .requests()
            .iter()
            .any(|r| r.path.contains("types[]=invoice.paid"))
    );
    assert_eq!(pending(), 60);

    let missing_key = Command::new(env!("CARGO_BIN_EXE_stripe-notify"))
        .args(["recover", "--since", "1h", "--dry-run"])
        .env_remove("STRIPE_API_KEY")
        .output()
        .unwrap();
    assert!(!missing_key.status.success());
    assert!(String::from_utf8_lossy(&missing_key.stderr).contains("STRIPE_API_KEY"));
}

#[test]
fn a_server_killed_mid_reconcile_resumes_from_the_checkpoint_after_a_restart() {
    use stripe_notify::{Catalog, EventCatalog};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let meter = Catalog::info("v1.billing.meter.error_report_triggered").unwrap();
    let invoice = Catalog::info("v1.invoice.paid").unwrap();
    let history: Vec<String> = (0..500)
        .flat_map(|_| {
            [
                stripe_notify::sample::notification(meter, None),
                stripe_notify::sample::snapshot_event(invoice, None, None, stripe_notify::API_VERSION)
                    .unwrap(),
            ]
        })
        .collect();
    let ids: std::collections::BTreeSet<String> = history
        .iter()
        .map(|event| {
            serde_json::from_str::<serde_json::Value>(event).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for inbox in inboxes("reconcile").into_iter().filter(|inbox| inbox != "memory") {
        let stripe = runtime
            .block_on(stripe_notify::testing::FakeStripe::start())
            .unwrap();
        stripe.serve_events(history.iter().cloned()).unwrap();
        let url = stripe.url();
        let env = |callback_ms: &'static str, rate: &'static str| {
            [
                ("STRIPE_INBOX", inbox.as_str()),
                ("STRIPE_INBOX_LEASE_MS", "1000"),
                ("STRIPE_API_KEY", "sk_test_reconcile"),
                ("STRIPE_API_BASE", url.as_str()),
                ("STRIPE_DEMO_FETCH", "0"),
                ("STRIPE_RECONCILE_SECS", "3600"),
                ("STRIPE_RECONCILE_RATE", rate),
                ("STRIPE_RECONCILE_LEASE_MS", "1000"),
                ("STRIPE_DEMO_CALLBACK_MS", callback_ms),
            ]
        };
        // Callbacks that never end: nothing completes on the first server. Ten pages at two a
        // second: a pass of five seconds, killed after its first page.
        let first = ExampleServer::start(EXAMPLES[0], &env("600000", "2"));
        for _ in 0..4 {
            first.next_line_containing("handled ");
        }
        first.kill();
        let listed = stripe.requests().len();
        assert!(
            (1..10).contains(&listed),
            "{inbox}: killed mid-pass, after {listed} pages"
        );

        let second = ExampleServer::start(EXAMPLES[0], &env("0", "50"));
        let handled: Vec<String> = (0..1000)
            .map(|_| {
                let line = second.next_line_containing("handled ");
                line.split(' ').nth(2).unwrap().to_owned()
            })
            .collect();
        let distinct: std::collections::BTreeSet<String> = handled.iter().cloned().collect();
        assert_eq!(distinct, ids, "{inbox}: every event of the history ran");
        assert_eq!(handled.len(), distinct.len(), "{inbox}: none twice");
        // A new event is the next to run: nothing ran a second time after the thousand.
        let demo_secret = "whsec_demo_local_testing_only";
        assert!(
            send("v2.core.account.created", &second.url, demo_secret, &[])
                .status
                .success()
        );
        assert!(
            second
                .next_line_containing("handled ")
                .starts_with("handled v2.core.account.created "),
            "{inbox}: an event ran twice"
        );
        // Two passes began: the killed one, and the one that resumed from the checkpoint.
        let firsts = stripe
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/v2/core/events") && !r.path.contains("page="))
            .count();
        assert_eq!(firsts, 2, "{inbox}");
        second.stop();
    }
}

#[cfg(feature = "metrics")]
#[test]
fn the_example_servers_expose_their_metrics() {
    for &(name, features) in EXAMPLES {
        let features = [features, &["--features", "metrics"]].concat();
        the_example_server_exposes_its_metrics((name, &features));
    }
}

#[cfg(feature = "metrics")]
fn the_example_server_exposes_its_metrics(example: (&str, &[&str])) {
    let secret = "whsec_metrics";
    let server = ExampleServer::start(
        example,
        &[("STRIPE_WEBHOOK_SECRET", secret), ("STRIPE_METRICS", "1")],
    );
    let meter = "v1.billing.meter.error_report_triggered";
    assert!(
        send(meter, &server.url, secret, &["--count", "3"])
            .status
            .success()
    );
    assert!(
        send("v2.core.account.created", &server.url, secret, &[])
            .status
            .success()
    );
    assert!(
        !send(meter, &server.url, "whsec_not_it", &["--count", "2"])
            .status
            .success()
    );
    let snapshot = send("invoice.paid", &server.url, secret, &["--snapshot"]);
    assert!(snapshot.status.success(), "{}", stdout(&snapshot));

    let metrics_url = server.url.replace("/webhook", "/metrics");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page = runtime
        .block_on(async { reqwest::get(&metrics_url).await?.text().await })
        .unwrap();
    let count = |event_type: &str, outcome: &str| {
        let series =
            format!("stripe_notify_deliveries_total{{event_type=\"{event_type}\",outcome=\"{outcome}\"}}");
        page.lines()
            .find_map(|line| line.strip_prefix(series.as_str())?.trim().parse::<f64>().ok())
    };
    assert_eq!(count(meter, "callback"), Some(3.0), "{page}");
    assert_eq!(
        count("v2.core.account.created", "fallback_known"),
        Some(1.0),
        "{page}"
    );
    assert_eq!(count("unknown", "refused_signature"), Some(2.0), "{page}");
    // A classic invoice.paid counts under its kind's name.
    assert_eq!(count("v1.invoice.paid", "callback"), Some(1.0), "{page}");
    assert!(
        page.contains("stripe_notify_handle_seconds_count{event_type=\"v1.invoice.paid\"} 1"),
        "{page}"
    );
    server.stop();
}

/// The example server serves the inbox page at `/inbox` with `STRIPE_INBOX_ADMIN_TOKEN`: 401
/// without the token, the inbox's counts with it, and an event it stored.
#[cfg(feature = "inbox-admin")]
#[test]
fn the_example_server_serves_the_inbox_page() {
    let secret = "whsec_inbox_page";
    let token = "an-operator-token-of-length";
    let database = temp_sqlite("inbox-page");
    let server = ExampleServer::start(
        ("webhook_server", &["--features", "inbox-admin"]),
        &[
            ("STRIPE_WEBHOOK_SECRET", secret),
            ("STRIPE_INBOX", &database),
            ("STRIPE_INBOX_ADMIN_TOKEN", token),
        ],
    );
    let meter = "v1.billing.meter.error_report_triggered";
    assert!(send(meter, &server.url, secret, &[]).status.success());
    server.next_line_containing("handled ");

    let page_url = server.url.replace("/webhook", "/inbox");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (closed, page) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let closed = client.get(&page_url).send().await.unwrap().status();
        // The callback has run; its settle commits a moment later (the workers settle in
        // batches): read the page until it shows the event done, or give up after 10 s.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let page = client
                .get(format!("{page_url}?state=done"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if page.contains("1</span> done") || tokio::time::Instant::now() > deadline {
                break (closed, page);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    assert_eq!(closed, reqwest::StatusCode::UNAUTHORIZED);
    assert!(page.contains("1</span> done"), "{page}");
    assert!(page.contains(meter), "the stored event is listed: {page}");
    server.stop();
}
