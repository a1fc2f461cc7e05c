//! Copies the inbox's write-ahead log into its database on a thread of its own. SQLite would do
//! it inside whichever commit grows the log past 1,000 pages (a delivery's, recovery's): that
//! commit would then also copy and sync 4 MB. Here a commit only appends to the log, and the
//! copy runs beside it, at most every [`PAUSE`].

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// The least time between two checkpoints: under a burst, each copies what the burst wrote
/// meanwhile.
const PAUSE: Duration = Duration::from_millis(100);

/// The checkpointing thread's doorbell. The thread ends when the last inbox holding it is gone.
#[derive(Debug)]
pub(super) struct Checkpointer {
    wake: SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread, on a connection of its own to the database at `path`.
    pub(super) fn start(path: &Path) -> Result<Self, String> {
        let connection = Connection::open(path).map_err(|e| e.to_string())?;
        connection
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| e.to_string())?;
        let (wake, woken) = sync_channel(1);
        std::thread::Builder::new()
            .name("stripe-notify-sqlite-checkpoint".into())
            .spawn(move || checkpoint_when_woken(&connection, &woken))
            .map_err(|e| e.to_string())?;
        Ok(Self { wake })
    }

    /// Tells the thread the log may have grown, without waiting.
    pub(super) fn wrote(&self) {
        // Full: a checkpoint is due already, and copies this write too.
        let _ = self.wake.try_send(());
    }
}

/// Checkpoints when woken, then pauses; ends when the inbox is gone (closing the connection
/// then copies the rest).
fn checkpoint_when_woken(connection: &Connection, woken: &Receiver<()>) {
    let mut due = woken.recv().is_ok();
    while due {
        // PASSIVE: readers and writers go on; what they hold is copied next time.
        if let Err(error) = connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)") {
            tracing::warn!(%error, "the SQLite inbox could not checkpoint its log");
        }
        let paused = Instant::now();
        let mut written = false;
        loop {
            match woken.recv_timeout(PAUSE.saturating_sub(paused.elapsed())) {
                Ok(()) => written = true,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        due = written || woken.recv().is_ok();
    }
}
