//! The inbox: one suite of semantics run against memory, SQLite and PostgreSQL; the workers
//! (retries, dead events, a worker dying mid-callback, shutdown); each event handled exactly
//! once by two servers' workers sharing PostgreSQL; a database outage while deliveries arrive.
//!
//! PostgreSQL tests use `STRIPE_NOTIFY_POSTGRES_URL`, each in a schema of its own; without it
//! they say so and stop, unless `STRIPE_NOTIFY_REQUIRE_POSTGRES` is set (as `.ci/run` does),
//! when they fail.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stripe_notify_runtime::inbox::{
    EventSummary, Failure, Inbox, InboxWorkers, Listing, MemoryInbox, NewEvent, PostgresInbox, Retry,
    RetryPolicy, Settlement, SqliteInbox, State, Stored,
};
use stripe_notify_runtime::{FixedClock, Handler, Notification, StripeClient, Timestamp};
use support::{
    MeterErrorReportTriggered, NOW, SECRET, TestCatalog, postgres_schema, signed_meter, temp_sqlite,
};

fn sqlite() -> SqliteInbox {
    SqliteInbox::open(temp_sqlite("stripe-notify-inbox-tests")).unwrap()
}

fn event<'a>(id: &'a str, body: &'a [u8]) -> NewEvent<'a> {
    NewEvent {
        id,
        event_type: "v1.billing.meter.error_report_triggered",
        created: Timestamp::UNIX_EPOCH,
        body,
        signed_at: Some(NOW),
        object_id: None,
    }
}

/// The semantics every store must have.
async fn inbox_semantics(inbox: Arc<dyn Inbox>) {
    let lease = Duration::from_secs(60);
    // Stored once; a redelivery changes nothing.
    assert_eq!(
        inbox.store(event("evt_1", b"{\"one\":1}")).await.unwrap(),
        Stored::New
    );
    assert_eq!(
        inbox.store(event("evt_1", b"other")).await.unwrap(),
        Stored::Duplicate
    );
    let claimed = inbox.claim(10, lease, false).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].id.as_str(), claimed[0].attempt), ("evt_1", 1));
    assert_eq!(claimed[0].body, b"{\"one\":1}", "the first body is kept");
    assert!(
        inbox.claim(10, lease, false).await.unwrap().is_empty(),
        "claimed once"
    );
    inbox.complete("evt_1", 1).await.unwrap();
    assert_eq!(inbox.stats().await.unwrap().count(State::Done), 1);

    // A failure is due again after its delay; then dead; then retried by hand.
    inbox.store(event("evt_2", b"{}")).await.unwrap();
    assert_eq!(inbox.claim(10, lease, false).await.unwrap()[0].id, "evt_2");
    inbox
        .fail("evt_2", 1, "the first failure", Some(Duration::from_millis(300)))
        .await
        .unwrap();
    let stats = inbox.stats().await.unwrap();
    assert_eq!(stats.count(State::Retrying), 1);
    assert!(stats.oldest_due.is_some());
    assert!(
        inbox.claim(10, lease, false).await.unwrap().is_empty(),
        "not due yet"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let again = inbox.claim(10, lease, false).await.unwrap();
    assert_eq!((again[0].id.as_str(), again[0].attempt), ("evt_2", 2));
    inbox.fail("evt_2", 2, "the last failure", None).await.unwrap();
    let dead = inbox.list(Listing::of(State::Dead).limit(10)).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (
            dead[0].id.as_str(),
            dead[0].attempts,
            dead[0].last_error.as_deref()
        ),
        ("evt_2", 2, Some("the last failure"))
    );
    assert_eq!(inbox.retry(Retry::Event("evt_2")).await.unwrap(), 1);
    assert_eq!(
        inbox.retry(Retry::Event("evt_1")).await.unwrap(),
        0,
        "done events stay done"
    );
    let retried = inbox.claim(10, lease, false).await.unwrap();
    assert_eq!(
        (retried[0].id.as_str(), retried[0].attempt),
        ("evt_2", 1),
        "attempts reset"
    );
    inbox.fail("evt_2", 1, "dead again", None).await.unwrap();
    assert_eq!(inbox.retry(Retry::AllDead).await.unwrap(), 1);
    assert_eq!(inbox.stats().await.unwrap().count(State::Pending), 1);

    // A claim held past its lease (its worker died) is taken over; the late
    // worker's settlement no longer counts.
    let taken = inbox.claim(10, Duration::from_millis(200), false).await.unwrap();
    assert_eq!(taken[0].id, "evt_2");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let over = inbox.claim(10, lease, false).await.unwrap();
    assert_eq!((over[0].id.as_str(), over[0].attempt), ("evt_2", 2));
    inbox.fail("evt_2", 1, "too late", None).await.unwrap();
    assert_eq!(
        inbox.stats().await.unwrap().count(State::Processing),
        1,
        "the stale failure is ignored"
    );
    inbox.complete("evt_2", 2).await.unwrap();
    assert_eq!(inbox.stats().await.unwrap().count(State::Done), 2);

    // Purge forgets done events older than asked.
    assert_eq!(inbox.purge_done(Duration::from_secs(3600)).await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(inbox.purge_done(Duration::from_millis(1)).await.unwrap(), 2);
    assert_eq!(inbox.stats().await.unwrap().count(State::Done), 0);

    // A lease renewed in time holds, however long; renewing names the attempt, and a lease
    // left to run out is taken over, after which the old attempt renews nothing.
    inbox.store(event("evt_3", b"{}")).await.unwrap();
    let short = Duration::from_millis(300);
    assert_eq!(inbox.claim(10, short, false).await.unwrap()[0].id, "evt_3");
    let held = [("evt_3".to_owned(), 1)];
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(inbox.renew(&held, short).await.unwrap(), 1);
        assert!(
            inbox.claim(10, short, false).await.unwrap().is_empty(),
            "a renewed lease holds"
        );
    }
    assert_eq!(
        inbox.renew(&[("evt_3".to_owned(), 7)], short).await.unwrap(),
        0,
        "another attempt's lease"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let over = inbox.claim(10, lease, false).await.unwrap();
    assert_eq!((over[0].id.as_str(), over[0].attempt), ("evt_3", 2));
    assert_eq!(inbox.renew(&held, short).await.unwrap(), 0, "a lease lost");
    inbox.complete("evt_3", 2).await.unwrap();

    // A batch settles in one call: each attempt as it came out; a stale one changes nothing.
    for id in ["evt_4", "evt_5", "evt_6"] {
        inbox.store(event(id, b"{}")).await.unwrap();
    }
    assert_eq!(inbox.claim(10, lease, false).await.unwrap().len(), 3);
    let settlements = [
        Settlement {
            id: "evt_4",
            attempt: 1,
            failure: None,
        },
        Settlement {
            id: "evt_5",
            attempt: 1,
            failure: Some(Failure {
                error: "later",
                retry_in: Some(Duration::from_secs(60)),
            }),
        },
        Settlement {
            id: "evt_6",
            attempt: 9,
            failure: None,
        },
    ];
    assert_eq!(inbox.settle(&settlements).await.unwrap(), 2);
    let stats = inbox.stats().await.unwrap();
    assert_eq!(
        (
            stats.count(State::Done),
            stats.count(State::Retrying),
            stats.count(State::Processing)
        ),
        (2, 1, 1),
        "evt_3 and evt_4 done, evt_5 retrying, evt_6 still processing"
    );
    assert_eq!(
        inbox.list(Listing::of(State::Retrying).limit(10)).await.unwrap()[0]
            .last_error
            .as_deref(),
        Some("later")
    );
    inbox.complete("evt_6", 1).await.unwrap();
    inbox.fail("evt_5", 1, "dead", None).await.unwrap();
    assert_eq!(
        inbox.stats().await.unwrap().count(State::Retrying),
        1,
        "evt_5 is not processing"
    );
    inbox.retry(Retry::Event("evt_5")).await.unwrap();
    let again = inbox.claim(10, lease, false).await.unwrap();
    assert_eq!(again[0].id, "evt_5");
    inbox.complete("evt_5", again[0].attempt).await.unwrap();

    // Claims at once each get their own events.
    let ids: Vec<String> = (0..60).map(|i| format!("evt_many_{i}")).collect();
    for id in &ids {
        inbox.store(event(id, b"{}")).await.unwrap();
    }
    let claims = (0..8).map(|_| {
        let inbox = Arc::clone(&inbox);
        tokio::spawn(async move { inbox.claim(10, lease, false).await.unwrap() })
    });
    let mut claimed: Vec<String> = Vec::new();
    for claim in claims.collect::<Vec<_>>() {
        claimed.extend(claim.await.unwrap().into_iter().map(|e| e.id));
    }
    claimed.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(claimed, expected, "each event claimed exactly once");
}

/// What an operator sees: a listing filtered by state and type, and one event with its body.
async fn inspection_semantics(inbox: Arc<dyn Inbox>) {
    let of_type = |id, event_type, body| NewEvent {
        event_type,
        ..event(id, body)
    };
    inbox
        .store(of_type("evt_a", "invoice.paid", br#"{"id":"evt_a","n":[1]}"#))
        .await
        .unwrap();
    inbox
        .store(of_type("evt_b", "charge.failed", b"not json \xff"))
        .await
        .unwrap();
    inbox
        .store(of_type("evt_c", "invoice.paid", b"{}"))
        .await
        .unwrap();
    let ids = |listed: Vec<EventSummary>| listed.into_iter().map(|e| e.id).collect::<Vec<_>>();
    let pending = Listing::of(State::Pending);
    assert_eq!(ids(inbox.list(pending).await.unwrap()).len(), 3);
    let mut paid = ids(inbox.list(pending.event_type("invoice.paid")).await.unwrap());
    paid.sort();
    assert_eq!(paid, ["evt_a", "evt_c"]);
    assert_eq!(
        inbox
            .list(pending.event_type("invoice.paid").limit(1))
            .await
            .unwrap()
            .len(),
        1
    );
    let partial = inbox.list(pending.event_type("invoice")).await.unwrap();
    assert!(partial.is_empty(), "a type matches whole");
    assert!(inbox.list(Listing::of(State::Dead)).await.unwrap().is_empty());

    let detail = inbox.event("evt_a").await.unwrap().expect("evt_a is stored");
    assert_eq!(
        (detail.summary.id.as_str(), detail.summary.event_type.as_str()),
        ("evt_a", "invoice.paid")
    );
    assert_eq!(
        (detail.summary.state, detail.summary.attempts),
        (State::Pending, 0)
    );
    assert!(detail.summary.due_at.is_some(), "a pending event is due");
    assert_eq!(detail.body.as_deref(), Some(&br#"{"id":"evt_a","n":[1]}"#[..]));
    assert_eq!(
        detail.body_text().unwrap(),
        "{\n  \"id\": \"evt_a\",\n  \"n\": [\n    1\n  ]\n}"
    );
    let garbage = inbox.event("evt_b").await.unwrap().unwrap();
    assert_eq!(garbage.body_text().unwrap(), "not json \u{fffd}", "shown as text");
    assert_eq!(inbox.event("evt_missing").await.unwrap(), None);
}

#[tokio::test]
async fn inspection_in_memory() {
    inspection_semantics(Arc::new(MemoryInbox::new())).await;
}

#[tokio::test]
async fn inspection_on_sqlite() {
    inspection_semantics(Arc::new(sqlite())).await;
}

#[tokio::test]
async fn inspection_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    inspection_semantics(Arc::new(PostgresInbox::connect(&schema).await.unwrap())).await;
}

/// An occurrence delivered in both styles (a thin destination and a snapshot one during a move)
/// is stored once, and runs once: the thin event names its classic twin.
async fn an_occurrence_in_both_styles_is_stored_once(inbox: Arc<dyn Inbox>) {
    let runs = Runs::default();
    let handler = handler(&runs, 0, Takes::Nothing);
    let snapshot = br#"{"id":"evt_classic_1","object":"event","type":"billing.meter.error_report_triggered","created":1790000000,"data":{"object":{"id":"mtr_1","object":"billing.meter"}}}"#;
    let thin = br#"{"id":"evt_thin_1","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"2026-09-21T13:46:40Z","snapshot_event":"evt_classic_1","related_object":{"id":"mtr_1","type":"billing.meter","url":"/v1/billing/meters/mtr_1"}}"#;
    for (body, stored) in [(&thin[..], Stored::New), (&snapshot[..], Stored::Duplicate)] {
        let header = stripe_notify_runtime::sign(body, SECRET, NOW);
        assert_eq!(
            handler.enqueue(body, Some(&header), &*inbox).await.unwrap(),
            stored
        );
    }
    let (stop, workers) = start_workers(&handler, Arc::clone(&inbox), InboxWorkers::default());
    wait_for(&*inbox, State::Done, 1).await;
    stop.send(()).unwrap();
    workers.await.unwrap();
    assert_eq!(
        *runs.lock().unwrap(),
        HashMap::from([("evt_thin_1".to_owned(), 1)])
    );
}

#[tokio::test]
async fn an_occurrence_in_both_styles_is_stored_once_in_memory() {
    an_occurrence_in_both_styles_is_stored_once(Arc::new(MemoryInbox::new())).await;
}

#[tokio::test]
async fn an_occurrence_in_both_styles_is_stored_once_on_sqlite() {
    an_occurrence_in_both_styles_is_stored_once(Arc::new(sqlite())).await;
}

#[tokio::test]
async fn an_occurrence_in_both_styles_is_stored_once_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    an_occurrence_in_both_styles_is_stored_once(Arc::new(PostgresInbox::connect(&schema).await.unwrap()))
        .await;
}

/// Periodic tasks' turns, as every store must keep them: one holder at a time, renewed by its
/// holder, due again only `every` after the checkpoint, and free once a holder's lease ran out.
async fn turn_semantics(inbox: Arc<dyn Inbox>) {
    use stripe_notify_runtime::inbox::Turn;
    let (lease, hour) = (Duration::from_millis(300), Duration::from_secs(3600));
    let take = |holder: &'static str, every: Duration| {
        let inbox = Arc::clone(&inbox);
        async move { inbox.take_turn("pass", holder, lease, every).await.unwrap() }
    };
    assert_eq!(
        take("a", hour).await,
        Turn::Taken { checkpoint: None },
        "never run: due"
    );
    assert_eq!(take("b", Duration::ZERO).await, Turn::NotNow, "a holds it");
    assert_eq!(
        take("a", hour).await,
        Turn::Taken { checkpoint: None },
        "a renews"
    );
    let checkpoint: Timestamp = "2026-12-01T10:00:00.250Z".parse().unwrap();
    assert!(inbox.end_turn("pass", "a", Some(checkpoint)).await.unwrap());
    assert!(!inbox.end_turn("pass", "b", None).await.unwrap(), "not b's turn");
    // The checkpoint is in 2026-12-01: due for a task run every minute, not every 1000 days.
    assert_eq!(take("b", Duration::from_secs(1000 * 86_400)).await, Turn::NotNow);
    assert_eq!(
        take("b", Duration::from_secs(60)).await,
        Turn::Taken {
            checkpoint: Some(checkpoint)
        }
    );
    assert_eq!(take("a", Duration::ZERO).await, Turn::NotNow);
    // b dies holding the turn: once its lease runs out, a takes over.
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    assert_eq!(
        take("a", Duration::ZERO).await,
        Turn::Taken {
            checkpoint: Some(checkpoint)
        }
    );
    assert!(
        !inbox.end_turn("pass", "b", Some(Timestamp::now())).await.unwrap(),
        "taken over"
    );
    assert!(inbox.end_turn("pass", "a", None).await.unwrap());
    assert_eq!(
        take("c", Duration::ZERO).await,
        Turn::Taken {
            checkpoint: Some(checkpoint)
        },
        "kept"
    );
    // Another task's turn is its own.
    assert_eq!(
        inbox.take_turn("other", "a", lease, hour).await.unwrap(),
        Turn::Taken { checkpoint: None }
    );
}

/// A batch stores each event once, in order: new, or there already (before, or earlier in the
/// batch).
async fn batch_semantics(inbox: Arc<dyn Inbox>) {
    inbox.store(event("evt_before", b"{}")).await.unwrap();
    let batch = [
        event("evt_a", b"{}"),
        event("evt_before", b"{}"),
        event("evt_b", b"{}"),
        event("evt_a", b"{}"),
    ];
    let stored = inbox.store_batch(&batch).await.unwrap();
    assert_eq!(
        stored,
        [Stored::New, Stored::Duplicate, Stored::New, Stored::Duplicate]
    );
    assert_eq!(inbox.stats().await.unwrap().count(State::Pending), 3);
    assert_eq!(inbox.store_batch(&[]).await.unwrap(), []);
}

#[tokio::test]
async fn batches_in_memory() {
    batch_semantics(Arc::new(MemoryInbox::new())).await;
}

#[tokio::test]
async fn batches_on_sqlite() {
    batch_semantics(Arc::new(sqlite())).await;
}

#[tokio::test]
async fn batches_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    batch_semantics(Arc::new(PostgresInbox::connect(&schema).await.unwrap())).await;
}

#[tokio::test]
async fn turns_in_memory() {
    turn_semantics(Arc::new(MemoryInbox::new())).await;
}

#[tokio::test]
async fn turns_on_sqlite() {
    turn_semantics(Arc::new(sqlite())).await;
}

#[tokio::test]
async fn turns_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    turn_semantics(Arc::new(PostgresInbox::connect(&schema).await.unwrap())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_inbox_semantics() {
    inbox_semantics(Arc::new(MemoryInbox::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_inbox_semantics() {
    inbox_semantics(Arc::new(sqlite())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_inbox_semantics() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    let inbox = PostgresInbox::connect(&schema).await.unwrap();
    inbox_semantics(Arc::new(inbox)).await;
}

/// Concurrent deliveries are stored in shared commits (group commit), each answered as its own:
/// new the first time an id is stored, a duplicate after, however the deliveries fall into
/// batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_deliveries_share_commits_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    let inbox = Arc::new(PostgresInbox::connect(&schema).await.unwrap());
    // 100 events, each delivered twice, all at once.
    let deliveries = (0..200).map(|n| {
        let inbox = Arc::clone(&inbox);
        tokio::spawn(async move {
            let id = format!("evt_group_{}", n % 100);
            inbox.store(event(&id, b"{}")).await.unwrap()
        })
    });
    let mut answers = Vec::new();
    for delivery in deliveries.collect::<Vec<_>>() {
        answers.push(delivery.await.unwrap());
    }
    let new = answers.iter().filter(|a| **a == Stored::New).count();
    assert_eq!((new, answers.len() - new), (100, 100), "each id new once");
    assert_eq!(inbox.stats().await.unwrap().count(State::Pending), 100);
    // Each row names the transaction that inserted it.
    let (client, connection) = tokio_postgres::connect(&schema, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let commits: i64 = client
        .query_one("SELECT count(DISTINCT xmin::text) FROM stripe_notify_inbox", &[])
        .await
        .unwrap()
        .get(0);
    assert!(commits <= 50, "100 rows in {commits} commits");
}

/// A failed store says why, in the database's words: not only `tokio_postgres`'s "db error".
#[tokio::test]
async fn a_postgres_error_names_the_database_s_reason() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    let inbox = PostgresInbox::connect(&schema).await.unwrap();
    let (client, connection) = tokio_postgres::connect(&schema, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .batch_execute("DROP TABLE stripe_notify_inbox")
        .await
        .unwrap();
    let error = inbox
        .store(event("evt_gone", b"{}"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("relation \"stripe_notify_inbox\" does not exist"),
        "{error}"
    );
}

/// The table as the first version made it, before `object_id` and `created_ns`.
const FIRST_SQLITE_TABLE: &str = "
    CREATE TABLE stripe_notify_inbox (
        id TEXT PRIMARY KEY, event_type TEXT NOT NULL, created TEXT, body BLOB, signed_at INTEGER,
        received_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'retrying', 'processing', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0, state_at INTEGER NOT NULL, last_error TEXT);
    INSERT INTO stripe_notify_inbox (id, event_type, body, received_at, state, state_at)
        VALUES ('evt_old', 'v1.billing.meter.error_report_triggered', x'7b7d', 0, 'pending', 0);
";

/// A server that only stores (an endpoint) wakes the workers of another that only processes,
/// through PostgreSQL: well before their next poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storing_on_one_server_wakes_another_s_workers_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    let endpoint_side: Arc<dyn Inbox> = Arc::new(PostgresInbox::connect(&schema).await.unwrap());
    let worker_side: Arc<dyn Inbox> = Arc::new(PostgresInbox::connect(&schema).await.unwrap());
    let runs = Runs::default();
    let handler = handler(&runs, 0, Takes::Nothing);
    let options = InboxWorkers::default().poll_interval(Duration::from_secs(60));
    let (stop, workers) = start_workers(&handler, worker_side, options);
    // Past the first poll, which finds nothing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for round in 0..3 {
        let id = format!("evt_woken_{round}");
        let (body, header) = signed_meter(&id);
        let stored_at = tokio::time::Instant::now();
        handler
            .enqueue(&body, Some(&header), &*endpoint_side)
            .await
            .unwrap();
        while runs.lock().unwrap().get(&id).is_none() {
            assert!(
                stored_at.elapsed() < Duration::from_secs(5),
                "the other server's workers were not woken (they poll every 60 s)"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    stop.send(()).unwrap();
    workers.await.unwrap();
}

#[tokio::test]
async fn an_inbox_made_by_an_earlier_version_is_brought_up_to_date() {
    let path = temp_sqlite("stripe-notify-inbox-migration");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(FIRST_SQLITE_TABLE)
        .unwrap();
    let inbox = SqliteInbox::open(&path).unwrap();
    inbox
        .store(NewEvent {
            object_id: Some("mtr_1"),
            ..event("evt_new", b"{}")
        })
        .await
        .unwrap();
    let claimed = inbox.claim(10, Duration::from_secs(60), true).await.unwrap();
    let mut ids: Vec<&str> = claimed.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["evt_new", "evt_old"],
        "the old row kept, the new one with its object"
    );
    drop(inbox);
    SqliteInbox::open(&path).expect("opened again: nothing left to add");
}

#[tokio::test]
async fn a_sqlite_inbox_survives_a_restart() {
    let path = temp_sqlite("stripe-notify-inbox-tests");
    SqliteInbox::open(&path)
        .unwrap()
        .store(event("evt_kept", b"{}"))
        .await
        .unwrap();
    let reopened = SqliteInbox::open(&path).unwrap();
    assert_eq!(
        reopened.claim(10, Duration::from_secs(60), false).await.unwrap()[0].id,
        "evt_kept"
    );
}

#[tokio::test]
async fn a_sqlite_inbox_copies_its_log_into_the_database_by_itself() {
    // Recovery's batches only append to the log (SQLite's own copy on commit is off for them):
    // the inbox's checkpointer copies it into the database file beside them.
    let path = temp_sqlite("stripe-notify-inbox-checkpoint");
    let inbox = SqliteInbox::open(&path).unwrap();
    let body = vec![b'x'; 8_192];
    let ids: Vec<String> = (0..500).map(|i| format!("evt_{i}")).collect();
    let events: Vec<NewEvent<'_>> = ids.iter().map(|id| event(id, &body)).collect();
    let stored = inbox.store_batch(&events).await.unwrap();
    assert!(stored.iter().all(|s| *s == Stored::New));
    let database_size = || std::fs::metadata(&path).map_or(0, |m| m.len());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while database_size() < 4_000_000 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        database_size() >= 4_000_000,
        "4 MB stored, the database file holds {} bytes: the log was not copied",
        database_size()
    );
    assert_eq!(
        inbox
            .claim(1_000, Duration::from_secs(60), false)
            .await
            .unwrap()
            .len(),
        500
    );
}

/// What the test callback saw: attempts per event id.
type Runs = Arc<Mutex<HashMap<String, usize>>>;

/// How long the test callback takes.
#[derive(Clone, Copy)]
enum Takes {
    /// No time.
    Nothing,
    /// Forever on an event's first run (a worker stuck, then killed); no time after.
    ForeverTheFirstTime,
    /// This long each run.
    Each(Duration),
}

/// A handler whose meter callback counts its runs per event, takes `takes`, and fails the
/// first `fail_first` attempts of each (all of them for `usize::MAX`).
fn handler(runs: &Runs, fail_first: usize, takes: Takes) -> Handler<TestCatalog> {
    let runs = Arc::clone(runs);
    Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
        .unwrap()
        .clock(FixedClock(NOW))
        .on(move |n: Notification<MeterErrorReportTriggered>, _| {
            let runs = Arc::clone(&runs);
            async move {
                let run = {
                    let mut runs = runs.lock().unwrap();
                    let run = runs.entry(n.id().to_owned()).or_default();
                    *run += 1;
                    *run
                };
                match takes {
                    Takes::Nothing => {}
                    Takes::ForeverTheFirstTime if run == 1 => std::future::pending::<()>().await,
                    Takes::ForeverTheFirstTime => {}
                    Takes::Each(time) => tokio::time::sleep(time).await,
                }
                if run <= fail_first {
                    return Err(format!("attempt {run} fails").into());
                }
                Ok(())
            }
        })
        .unwrap()
        .build()
}

fn quick_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    }
}

/// Waits until `inbox` has `count` events in `state` (or fails after 20 s).
async fn wait_for(inbox: &dyn Inbox, state: State, count: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let stats = inbox.stats().await.unwrap();
        if stats.count(state) == count {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waiting for {count} {state}: {stats:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs workers over `inbox` until the returned sender says stop.
fn start_workers(
    handler: &Handler<TestCatalog>,
    inbox: Arc<dyn Inbox>,
    options: InboxWorkers,
) -> (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handler = handler.clone();
    let workers = tokio::spawn(async move {
        let options = options.shutdown(async {
            let _ = stopped.await;
        });
        handler.run_inbox_workers(inbox, options).await;
    });
    (stop, workers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_retry_a_failure_and_run_every_event_to_done() {
    let inbox: Arc<dyn Inbox> = Arc::new(MemoryInbox::new());
    let runs = Runs::default();
    let handler = handler(&runs, 1, Takes::Nothing);
    let (stop, workers) = start_workers(
        &handler,
        Arc::clone(&inbox),
        InboxWorkers::default().retry(quick_retries(5)),
    );
    for i in 0..20 {
        let (body, header) = signed_meter(&format!("evt_retry_{i}"));
        assert_eq!(
            handler.enqueue(&body, Some(&header), &*inbox).await.unwrap(),
            Stored::New
        );
        assert_eq!(
            handler.enqueue(&body, Some(&header), &*inbox).await.unwrap(),
            Stored::Duplicate
        );
    }
    wait_for(&*inbox, State::Done, 20).await;
    stop.send(()).unwrap();
    workers.await.unwrap();
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 20);
    assert!(
        runs.values().all(|&run| run == 2),
        "failed once, then done: {runs:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_failing_every_time_is_dead_with_its_last_error_and_can_be_retried() {
    let inbox: Arc<dyn Inbox> = Arc::new(sqlite());
    let runs = Runs::default();
    let failing = handler(&runs, 3, Takes::Nothing);
    let (body, header) = signed_meter("evt_dead");
    failing.enqueue(&body, Some(&header), &*inbox).await.unwrap();
    let (stop, workers) = start_workers(
        &failing,
        Arc::clone(&inbox),
        InboxWorkers::default().retry(quick_retries(3)),
    );
    wait_for(&*inbox, State::Dead, 1).await;
    let dead = inbox.list(Listing::of(State::Dead).limit(10)).await.unwrap();
    assert_eq!(
        (dead[0].attempts, dead[0].last_error.as_deref()),
        (3, Some("the callback failed: attempt 3 fails"))
    );
    assert_eq!(runs.lock().unwrap()["evt_dead"], 3);
    // Retried by hand (the cause fixed: the fourth attempt succeeds).
    assert_eq!(inbox.retry(Retry::AllDead).await.unwrap(), 1);
    wait_for(&*inbox, State::Done, 1).await;
    assert_eq!(runs.lock().unwrap()["evt_dead"], 4);
    stop.send(()).unwrap();
    workers.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_no_longer_parses_is_dead_at_once() {
    let inbox: Arc<dyn Inbox> = Arc::new(MemoryInbox::new());
    let runs = Runs::default();
    let handler = handler(&runs, 0, Takes::Nothing);
    inbox.store(event("evt_garbage", b"not json")).await.unwrap();
    let (stop, workers) = start_workers(&handler, Arc::clone(&inbox), InboxWorkers::default());
    wait_for(&*inbox, State::Dead, 1).await;
    let dead = inbox.list(Listing::of(State::Dead).limit(10)).await.unwrap();
    assert_eq!(dead[0].attempts, 1);
    assert!(
        dead[0].last_error.as_deref().unwrap().contains("not JSON"),
        "{dead:?}"
    );
    stop.send(()).unwrap();
    workers.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_dies_mid_callback_loses_its_claim_and_another_finishes_the_event() {
    let inbox: Arc<dyn Inbox> = Arc::new(sqlite());
    let runs = Runs::default();
    // The first run never returns: its worker is killed while it waits.
    let handler = handler(&runs, 0, Takes::ForeverTheFirstTime);
    let (body, header) = signed_meter("evt_abandoned");
    handler.enqueue(&body, Some(&header), &*inbox).await.unwrap();
    let options = || {
        InboxWorkers::default()
            .lease(Duration::from_millis(500))
            .poll_interval(Duration::from_millis(50))
    };
    let (_stop, dying) = start_workers(&handler, Arc::clone(&inbox), options());
    // Killed once its callback runs: a claim alone (the callback not yet started) would leave
    // the never-returning first run to the next workers.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while runs.lock().unwrap().get("evt_abandoned").is_none() {
        assert!(tokio::time::Instant::now() < deadline, "the callback never ran");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    dying.abort();
    let _ = dying.await;
    assert_eq!(
        inbox.stats().await.unwrap().count(State::Processing),
        1,
        "left claimed"
    );
    let (stop, workers) = start_workers(&handler, Arc::clone(&inbox), options());
    wait_for(&*inbox, State::Done, 1).await;
    assert_eq!(
        runs.lock().unwrap()["evt_abandoned"],
        2,
        "taken over once its lease ran out"
    );
    stop.send(()).unwrap();
    workers.await.unwrap();
}

/// A callback that runs for five leases, with two servers' workers polling the same store:
/// the lease is renewed while it runs, so it runs once.
async fn a_callback_longer_than_its_lease_runs_once(inbox: Arc<dyn Inbox>) {
    let runs = Runs::default();
    let lease = Duration::from_millis(300);
    let handler = handler(&runs, 0, Takes::Each(lease * 5));
    let (body, header) = signed_meter("evt_long");
    handler.enqueue(&body, Some(&header), &*inbox).await.unwrap();
    let options = || {
        InboxWorkers::default()
            .concurrency(4)
            .lease(lease)
            .poll_interval(Duration::from_millis(20))
    };
    let servers = [
        start_workers(&handler, Arc::clone(&inbox), options()),
        start_workers(&handler, Arc::clone(&inbox), options()),
    ];
    wait_for(&*inbox, State::Done, 1).await;
    assert_eq!(runs.lock().unwrap()["evt_long"], 1, "never taken over");
    for (stop, workers) in servers {
        stop.send(()).unwrap();
        workers.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_longer_than_its_lease_runs_once_in_memory() {
    a_callback_longer_than_its_lease_runs_once(Arc::new(MemoryInbox::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_longer_than_its_lease_runs_once_on_sqlite() {
    a_callback_longer_than_its_lease_runs_once(Arc::new(sqlite())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_longer_than_its_lease_runs_once_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    let inbox = PostgresInbox::connect(&schema).await.unwrap();
    a_callback_longer_than_its_lease_runs_once(Arc::new(inbox)).await;
}

/// What the per-object test's callbacks saw.
#[derive(Default)]
struct PerObject {
    /// The objects whose callback is running.
    running: std::collections::HashSet<String>,
    /// Times a callback started while another of its object ran.
    overlaps: usize,
    /// Per object, the `created` of each event as its callback started.
    order: HashMap<String, Vec<Timestamp>>,
}

/// 1,000 events about 50 objects, a third of them snapshot events, each delivered twice, in a
/// shuffled order, then run by two servers' workers one at a time per object: never two
/// callbacks of one object at once, each object's events in `created` order, each event once.
async fn one_at_a_time_per_object(inbox: Arc<dyn Inbox>) {
    const OBJECTS: i64 = 50;
    const EVENTS: i64 = 1000;
    let seen: Arc<Mutex<PerObject>> = Arc::default();
    let observed = Arc::clone(&seen);
    let handler =
        Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
            .unwrap()
            .clock(FixedClock(NOW))
            .on(move |n: Notification<MeterErrorReportTriggered>, _| {
                let seen = Arc::clone(&observed);
                async move {
                    let object = n.related_object().id.to_owned();
                    {
                        let mut seen = seen.lock().unwrap();
                        if !seen.running.insert(object.clone()) {
                            seen.overlaps += 1;
                        }
                        seen.order.entry(object.clone()).or_default().push(n.created());
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    seen.lock().unwrap().running.remove(&object);
                    Ok(())
                }
            })
            .unwrap()
            .build();
    // Event n is about object n % 50, created n seconds after the first: shuffled
    // (deterministically, xorshift), each twice.
    let mut deliveries: Vec<i64> = (0..EVENTS).chain(0..EVENTS).collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in (1..deliveries.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        deliveries.swap(i, (state % (i as u64 + 1)) as usize);
    }
    for n in deliveries {
        let object = n % OBJECTS;
        let created = Timestamp::from_second(1_790_000_000 + n).unwrap();
        // Both styles, as an integration running a thin and a snapshot destination gets them:
        // the object is the thin event's related object, the snapshot's `data.object`.
        let body = if n % 3 == 0 {
            format!(
                r#"{{"id":"evt_obj_{n}","object":"event","type":"billing.meter.error_report_triggered","created":{},"data":{{"object":{{"id":"mtr_{object}","object":"billing.meter"}}}}}}"#,
                created.as_second()
            )
        } else {
            format!(
                r#"{{"id":"evt_obj_{n}","object":"v2.core.event","type":"v1.billing.meter.error_report_triggered","created":"{created}","related_object":{{"id":"mtr_{object}","type":"billing.meter","url":"/v1/billing/meters/mtr_{object}"}}}}"#
            )
        };
        let header = stripe_notify_runtime::sign(body.as_bytes(), SECRET, NOW);
        handler
            .enqueue(body.as_bytes(), Some(&header), &*inbox)
            .await
            .unwrap();
    }
    let options = || {
        InboxWorkers::default()
            .concurrency(4)
            .one_at_a_time_per_object(true)
            .poll_interval(Duration::from_millis(20))
    };
    let servers = [
        start_workers(&handler, Arc::clone(&inbox), options()),
        start_workers(&handler, Arc::clone(&inbox), options()),
    ];
    wait_for(&*inbox, State::Done, EVENTS as u64).await;
    for (stop, workers) in servers {
        stop.send(()).unwrap();
        workers.await.unwrap();
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.overlaps, 0, "two callbacks of one object ran at once");
    assert_eq!(seen.order.len(), OBJECTS as usize);
    for (object, order) in &seen.order {
        assert_eq!(
            order.len(),
            (EVENTS / OBJECTS) as usize,
            "{object}: each event once"
        );
        assert!(order.is_sorted(), "{object}: out of created order: {order:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_at_a_time_per_object_in_memory() {
    one_at_a_time_per_object(Arc::new(MemoryInbox::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_at_a_time_per_object_on_sqlite() {
    one_at_a_time_per_object(Arc::new(sqlite())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_at_a_time_per_object_on_postgres() {
    let Some(schema) = postgres_schema().await else {
        return;
    };
    let inbox = PostgresInbox::connect(&schema).await.unwrap();
    one_at_a_time_per_object(Arc::new(inbox)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_running_callback_finish_and_claims_nothing_more() {
    let inbox: Arc<dyn Inbox> = Arc::new(MemoryInbox::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(tokio::sync::Notify::new());
    let (done, begun) = (Arc::clone(&finished), Arc::clone(&started));
    let handler =
        Handler::<TestCatalog>::builder(StripeClient::new("sk_test_1"), SECRET, |_, _, _| async { Ok(()) })
            .unwrap()
            .clock(FixedClock(NOW))
            .on(move |_: Notification<MeterErrorReportTriggered>, _| {
                let (done, begun) = (Arc::clone(&done), Arc::clone(&begun));
                async move {
                    begun.notify_one();
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    done.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            })
            .unwrap()
            .build();
    let (body, header) = signed_meter("evt_slow");
    handler.enqueue(&body, Some(&header), &*inbox).await.unwrap();
    let (stop, workers) = start_workers(
        &handler,
        Arc::clone(&inbox),
        InboxWorkers::default().concurrency(1),
    );
    started.notified().await;
    let (later, later_header) = signed_meter("evt_after_shutdown");
    handler
        .enqueue(&later, Some(&later_header), &*inbox)
        .await
        .unwrap();
    stop.send(()).unwrap();
    workers.await.unwrap();
    assert_eq!(
        finished.load(Ordering::SeqCst),
        1,
        "the running callback finished"
    );
    let stats = inbox.stats().await.unwrap();
    assert_eq!(
        (
            stats.count(State::Done),
            stats.count(State::Processing),
            stats.count(State::Pending)
        ),
        (1, 0, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_hands_back_events_claimed_but_not_started() {
    let inbox: Arc<dyn Inbox> = Arc::new(sqlite());
    let runs = Runs::default();
    let handler = handler(&runs, 0, Takes::Each(Duration::from_millis(300)));
    for id in ["evt_a", "evt_b", "evt_c"] {
        let (body, header) = signed_meter(id);
        handler.enqueue(&body, Some(&header), &*inbox).await.unwrap();
    }
    // One slot, one claim of all three: two wait behind the first.
    let options = || InboxWorkers::default().concurrency(1).claim_batch(10);
    let (stop, workers) = start_workers(&handler, Arc::clone(&inbox), options());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while runs.lock().unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no callback ran");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.send(()).unwrap();
    workers.await.unwrap();
    let stats = inbox.stats().await.unwrap();
    assert_eq!(
        (
            stats.count(State::Done),
            stats.count(State::Retrying),
            stats.count(State::Processing)
        ),
        (1, 2, 0),
        "the running one finished, the waiting ones were handed back"
    );
    let handed_back = inbox.list(Listing::of(State::Retrying).limit(10)).await.unwrap();
    assert!(
        handed_back[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("handed it back")
    );
    assert!(
        handed_back
            .iter()
            .all(|e| e.due_at.is_some_and(|due| due <= Timestamp::now())),
        "due at once"
    );
    let (stop, workers) = start_workers(&handler, Arc::clone(&inbox), options());
    wait_for(&*inbox, State::Done, 3).await;
    stop.send(()).unwrap();
    workers.await.unwrap();
    assert!(runs.lock().unwrap().values().all(|runs| *runs == 1), "{runs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_sharing_postgres_run_each_callback_exactly_once() {
    let Some(url) = postgres_schema().await else {
        return;
    };
    // Two servers: each its own pool, handler and four workers.
    let (first, second) = (
        PostgresInbox::connect(&url).await.unwrap(),
        PostgresInbox::connect(&url).await.unwrap(),
    );
    let runs = Runs::default();
    let servers = [
        (
            handler(&runs, 0, Takes::Nothing),
            Arc::new(first) as Arc<dyn Inbox>,
        ),
        (handler(&runs, 0, Takes::Nothing), Arc::new(second)),
    ];
    let workers: Vec<_> = servers
        .iter()
        .map(|(handler, inbox)| {
            start_workers(
                handler,
                Arc::clone(inbox),
                InboxWorkers::default()
                    .concurrency(4)
                    .poll_interval(Duration::from_millis(20)),
            )
        })
        .collect();
    // 2,000 events, each delivered twice at once, once to each server.
    let deliveries: Vec<_> = (0..2000)
        .flat_map(|i| {
            let (body, header) = signed_meter(&format!("evt_once_{i}"));
            servers.iter().map(move |(handler, inbox)| {
                let (handler, inbox, body, header) =
                    (handler.clone(), Arc::clone(inbox), body.clone(), header.clone());
                tokio::spawn(async move { handler.enqueue(&body, Some(&header), &*inbox).await.unwrap() })
            })
        })
        .collect();
    let mut new = 0;
    for delivery in deliveries {
        if delivery.await.unwrap() == Stored::New {
            new += 1;
        }
    }
    assert_eq!(new, 2000, "each event stored once");
    wait_for(&*servers[0].1, State::Done, 2000).await;
    for (stop, workers) in workers {
        stop.send(()).unwrap();
        workers.await.unwrap();
    }
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 2000);
    assert!(runs.values().all(|&run| run == 1), "exactly once each");
}

/// Where the `host:port` of a PostgreSQL URL (`postgres://user:password@host:port/...`) is.
fn host_in(url: &str) -> std::ops::Range<usize> {
    let start = url.find('@').expect("a URL with a user") + 1;
    start..start + url[start..].find('/').expect("a URL with a database")
}

/// Posts Stripe's delivery of `id` to `url`; the answer's status.
async fn deliver(client: &reqwest::Client, url: &str, id: &str) -> reqwest::StatusCode {
    let (body, header) = signed_meter(id);
    client
        .post(url)
        .header("Stripe-Signature", header)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_loses_no_acknowledged_event_and_runs_none_twice() {
    let Some(url) = postgres_schema().await else {
        return;
    };
    // The database, behind a proxy that the test cuts.
    let host = host_in(&url);
    let database = tokio::net::lookup_host(&url[host.clone()])
        .await
        .unwrap()
        .next()
        .unwrap();
    let proxy = stripe_notify_runtime::testing::TcpProxy::start(database)
        .await
        .unwrap();
    let mut proxied = url.clone();
    proxied.replace_range(host, &proxy.address().to_string());
    let inbox: Arc<dyn Inbox> = Arc::new(PostgresInbox::connect(&proxied).await.unwrap());
    let runs = Runs::default();
    // Callbacks that take a while: some are running when the database goes.
    let handler = handler(&runs, 0, Takes::Each(Duration::from_millis(100)));
    // A claim shorter than the test: a callback settled too late would run twice.
    let (stop, workers) = start_workers(
        &handler,
        Arc::clone(&inbox),
        InboxWorkers::default()
            .concurrency(4)
            .poll_interval(Duration::from_millis(20))
            .lease(Duration::from_secs(3))
            .retry(quick_retries(8)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/webhook", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/webhook",
        stripe_notify_runtime::endpoint::WebhookEndpoint::new(handler.clone())
            .inbox(Arc::clone(&inbox))
            .verified(),
    );
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();

    // Deliveries for 3 s; the database is away for the middle second.
    let started = tokio::time::Instant::now();
    let mut deliveries = Vec::new();
    let mut cut = false;
    let mut restored = false;
    for i in 0.. {
        let elapsed = started.elapsed();
        if elapsed >= Duration::from_secs(3) {
            break;
        }
        if !cut && elapsed >= Duration::from_secs(1) {
            proxy.cut();
            cut = true;
        }
        if !restored && elapsed >= Duration::from_secs(2) {
            proxy.restore();
            restored = true;
        }
        let (client, endpoint, id) = (client.clone(), endpoint.clone(), format!("evt_outage_{i}"));
        deliveries.push(tokio::spawn(async move {
            let status = deliver(&client, &endpoint, &id).await;
            (id, status)
        }));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut acknowledged = Vec::new();
    let mut refused = Vec::new();
    for delivery in deliveries {
        let (id, status) = delivery.await.unwrap();
        match status.as_u16() {
            200 => acknowledged.push(id),
            500..=599 => refused.push(id),
            other => panic!("{id} answered {other}"),
        }
    }
    assert!(
        !acknowledged.is_empty() && !refused.is_empty(),
        "{} acknowledged, {} refused",
        acknowledged.len(),
        refused.len()
    );

    // Every acknowledged event is done, by the same workers, once the database is back.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let done: std::collections::HashSet<_> = inbox
            .list(Listing::of(State::Done).limit(usize::MAX))
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.id)
            .collect();
        if acknowledged.iter().all(|id| done.contains(id)) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "acknowledged events not done"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Stripe redelivers what was refused: now it is stored, and run too.
    for id in &refused {
        assert_eq!(deliver(&client, &endpoint, id).await, 200, "{id} redelivered");
    }
    let total = acknowledged.len() + refused.len();
    wait_for(&*inbox, State::Done, total as u64).await;
    stop.send(()).unwrap();
    workers.await.unwrap();
    server.abort();
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), total);
    assert!(
        runs.iter().all(|(_, &run)| run == 1),
        "exactly once each: {:?}",
        runs.iter().filter(|(_, run)| **run > 1).collect::<Vec<_>>()
    );
}
