//! Waking the workers of every server sharing the database: the writer sends a notification on
//! `stripe_notify_inbox` with the commit that stores new events (at most one every
//! [`NOTIFY_EVERY`](super::writer) per process: `NOTIFY` serializes the commits that send it),
//! and each inbox listens on a connection of its own and wakes its workers. Polling stays the
//! fallback: a listener that lost its connection reconnects, and wakes the workers once it is
//! back, for what it may have missed.

use std::time::Duration;

use tokio::sync::{Notify, oneshot};
use tokio_postgres::{AsyncMessage, NoTls};

/// Listening on the channel the writer notifies.
const LISTEN: &str = "LISTEN stripe_notify_inbox";

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
