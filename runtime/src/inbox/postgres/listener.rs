//! Waking the workers of every server sharing the database: the table's statement-level trigger
//! sends a notification on `stripe_notify_inbox` with each commit that stores events (one per
//! batch, whatever its size), and each inbox listens on a connection of its own and wakes its
//! workers. Polling stays the fallback: a listener that lost its connection reconnects, and
//! wakes the workers once it is back, for what it may have missed.

use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use tokio_postgres::{AsyncMessage, NoTls};

/// Listening on the channel the trigger notifies.
const LISTEN: &str = "LISTEN stripe_notify_inbox";

/// The trigger, made with the table: it notifies the channel `LISTEN` names.
pub(super) const TRIGGER: &str = "
    CREATE OR REPLACE FUNCTION stripe_notify_inbox_stored() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('stripe_notify_inbox', '');
        RETURN NULL;
    END $$;
    CREATE OR REPLACE TRIGGER stripe_notify_inbox_stored AFTER INSERT ON stripe_notify_inbox
        FOR EACH STATEMENT EXECUTE FUNCTION stripe_notify_inbox_stored();
";

/// Listens until `closed` resolves (the inbox is gone), waking `stored` on each notification.
pub(super) async fn run(
    config: tokio_postgres::Config,
    stored: std::sync::Arc<Notify>,
    mut closed: oneshot::Receiver<()>,
) {
    let mut pause = Duration::from_millis(100);
    loop {
        tokio::select! {
            _ = &mut closed => return,
            outcome = listen(&config, &stored) => {
                if outcome.is_ok() {
                    pause = Duration::from_millis(100);
                }
            }
        }
        tokio::select! {
            _ = &mut closed => return,
            () = tokio::time::sleep(pause) => {}
        }
        pause = pause.saturating_mul(2).min(Duration::from_secs(5));
    }
}

/// One connection's listening: until it fails or closes.
async fn listen(config: &tokio_postgres::Config, stored: &Notify) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let mut subscribe = Box::pin(client.batch_execute(LISTEN));
    let mut subscribed = false;
    loop {
        tokio::select! {
            outcome = &mut subscribe, if !subscribed => {
                outcome?;
                subscribed = true;
                // What was stored while no one listened.
                stored.notify_one();
            }
            message = std::future::poll_fn(|cx| connection.poll_message(cx)) => match message {
                Some(Ok(AsyncMessage::Notification(_))) => stored.notify_one(),
                Some(Ok(_)) => {}
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            },
        }
    }
}
