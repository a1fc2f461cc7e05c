//! The in-memory ledger: one process, bounded, entries expiring.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use super::{Claim, EventLedger, LedgerFuture, Retention};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Processing,
    Done,
}

#[derive(Debug)]
struct Entries {
    states: HashMap<String, (State, Instant)>,
    /// Ids in the order they were first claimed, for evicting the oldest when full.
    order: VecDeque<String>,
}

/// A ledger in this process's memory: at most `capacity` ids, the oldest forgotten first, and
/// each forgotten after its retention. It does not survive a restart and is not shared between
/// servers: use the SQLite or PostgreSQL ledger for that.
#[derive(Debug)]
pub struct MemoryLedger {
    entries: Mutex<Entries>,
    capacity: usize,
    retention: Retention,
}

impl MemoryLedger {
    /// A ledger of at most `capacity` ids with the default retention.
    pub fn new(capacity: usize) -> Self {
        Self::with_retention(capacity, Retention::default())
    }

    /// A ledger of at most `capacity` ids with this retention.
    pub fn with_retention(capacity: usize, retention: Retention) -> Self {
        Self {
            entries: Mutex::new(Entries {
                states: HashMap::new(),
                order: VecDeque::new(),
            }),
            capacity: capacity.max(1),
            retention,
        }
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.lock().states.len()
    }

    /// Whether it holds no id.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // The entries stay consistent whatever panicked while holding the lock.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expired(&self, state: State, at: Instant, now: Instant) -> bool {
        let keep = match state {
            State::Processing => self.retention.processing,
            State::Done => self.retention.done,
        };
        now.saturating_duration_since(at) > keep
    }

    fn claim_now(&self, event_id: &str) -> Claim {
        let now = Instant::now();
        let mut entries = self.lock();
        if let Some(&(state, at)) = entries.states.get(event_id)
            && !self.expired(state, at, now)
        {
            return match state {
                State::Processing => Claim::Processing,
                State::Done => Claim::Done,
            };
        }
        if entries
            .states
            .insert(event_id.to_owned(), (State::Processing, now))
            .is_none()
        {
            entries.order.push_back(event_id.to_owned());
        }
        while entries.states.len() > self.capacity {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            entries.states.remove(&oldest);
        }
        Claim::Claimed
    }

    fn set(&self, event_id: &str, state: Option<State>) {
        let mut entries = self.lock();
        match state {
            Some(state) => {
                if let Some(entry) = entries.states.get_mut(event_id) {
                    *entry = (state, Instant::now());
                }
            }
            None => {
                entries.states.remove(event_id);
                entries.order.retain(|id| id != event_id);
            }
        }
    }
}

impl EventLedger for MemoryLedger {
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim> {
        let claim = self.claim_now(event_id);
        Box::pin(async move { Ok(claim) })
    }

    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        self.set(event_id, Some(State::Done));
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        self.set(event_id, None);
        Box::pin(async { Ok(()) })
    }
}
