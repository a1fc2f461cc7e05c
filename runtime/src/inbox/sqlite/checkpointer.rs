//! Copies the inbox's write-ahead log into its database on a thread of its own, after
//! recovery's batches. SQLite would copy it inside whichever commit grows the log past 1,000
//! pages, and a batch of recovered pages (megabytes) nearly always does: storing then waited
//! for each copy. Here such a commit only appends to the log, and the copy runs beside the
//! next one, at most every [`PAUSE`]. Deliveries keep SQLite's own copy: a commit of one row
//! rarely crosses the mark, and a copy beside them competes with their syncs (measured: a
//! fifth fewer stored a second).

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::failed;
use crate::inbox::InboxError;

/// The least time between two checkpoints: under a burst, each copies what the burst wrote
/// meanwhile.
const PAUSE: Duration = Duration::from_millis(100);

/// The checkpointing thread's doorbell. The thread ends when the last inbox holding it is gone.
#[derive(Debug)]
pub(super) struct Checkpointer {
    wake: SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread, on a connection of its own to the database at `path`; `writer` is
    /// the connection this process writes through.
    pub(super) fn start(path: &Path, writer: Weak<Mutex<Connection>>) -> Result<Self, InboxError> {
        let connection = Connection::open(path).map_err(failed)?;
        connection.busy_timeout(Duration::from_secs(5)).map_err(failed)?;
        let (wake, woken) = sync_channel(1);
        std::thread::Builder::new()
            .name("stripe-notify-sqlite-checkpoint".into())
            .spawn(move || checkpoint_when_woken(&connection, &writer, &woken))
            .map_err(|e| InboxError(format!("sqlite: the checkpointer's thread: {e}")))?;
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
fn checkpoint_when_woken(connection: &Connection, writer: &Weak<Mutex<Connection>>, woken: &Receiver<()>) {
    let mut due = woken.recv().is_ok();
    while due {
        if let Err(error) = checkpoint(connection, writer) {
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

/// Copies the log: most of it beside this process's writes, then what they added meanwhile
/// with them held back a moment. Only a complete copy lets the next write start the log over;
/// under steady writes a copy beside them never completes, and the log would grow without end.
/// (`PASSIVE`: it never waits for a reader, or another process's writer; what they hold is
/// copied next time.)
fn checkpoint(connection: &Connection, writer: &Weak<Mutex<Connection>>) -> rusqlite::Result<()> {
    connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)")?;
    let Some(writer) = writer.upgrade() else {
        return Ok(());
    };
    let _writes_held = writer.lock().unwrap_or_else(PoisonError::into_inner);
    connection.execute_batch("PRAGMA wal_checkpoint(PASSIVE)")
}
