//! The inbox in this process's memory: for tests, and for one process that may lose what it
//! holds when it stops.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::Notify;

use super::{
    ClaimedEvent, EventDetail, EventSummary, Inbox, InboxFuture, Listing, NewEvent, Retry, Settlement, State,
    Stats, Stored, Turn, millis, settled_state,
};
use crate::clock::unix_now_millis;
use crate::ledger::{Claim, EventLedger, LedgerFuture, Retention};

/// An event and where it is.
#[derive(Debug)]
struct Entry {
    event_type: String,
    /// The object it is about, and when it was created: its place among its object's events.
    object: Option<(String, Timestamp)>,
    /// `None` for a claim of a handler using the inbox as its ledger.
    body: Option<Vec<u8>>,
    received_at: i64,
    state: State,
    attempts: u32,
    /// When it is due (pending, retrying), or its claim expires (processing), or it was done.
    at: i64,
    last_error: Option<String>,
}

impl Entry {
    fn summary(&self, id: &str) -> EventSummary {
        EventSummary {
            id: id.to_owned(),
            event_type: self.event_type.clone(),
            state: self.state,
            attempts: self.attempts,
            last_error: self.last_error.clone(),
            received_at: Timestamp::from_millisecond(self.received_at).unwrap_or(Timestamp::UNIX_EPOCH),
            due_at: matches!(self.state, State::Pending | State::Retrying)
                .then(|| Timestamp::from_millisecond(self.at).ok())
                .flatten(),
        }
    }
}

#[derive(Debug, Default)]
struct Entries {
    events: HashMap<String, Entry>,
    /// `(at, id)` of pending and retrying events, and of processing ones: what `claim` looks at.
    due: BTreeSet<(i64, String)>,
}

/// A periodic task's turn.
#[derive(Debug)]
struct TurnRow {
    holder: String,
    lease_until: i64,
    checkpoint: Option<i64>,
}

/// Per object with unfinished events: the first of them (`created`, id), and how many are
/// processing.
type ObjectHeads = HashMap<String, ((Timestamp, String), usize)>;

impl Entries {
    /// The head of each object's unfinished events.
    fn object_heads(&self) -> ObjectHeads {
        let mut heads: ObjectHeads = HashMap::new();
        for (id, entry) in &self.events {
            let Some((object, created)) = &entry.object else {
                continue;
            };
            if !matches!(entry.state, State::Pending | State::Retrying | State::Processing) {
                continue;
            }
            let key = (*created, id.clone());
            let processing = usize::from(entry.state == State::Processing);
            let (head, count) = heads.entry(object.clone()).or_insert_with(|| (key.clone(), 0));
            if key < *head {
                *head = key;
            }
            *count = count.saturating_add(processing);
        }
        heads
    }

    /// Whether `id` may run now, one at a time per object: it has no object, or it is its
    /// object's first unfinished event and no other event of its object is processing.
    fn may_run(&self, heads: &ObjectHeads, id: &str) -> bool {
        let Some(entry) = self.events.get(id) else {
            return false;
        };
        let Some((object, _)) = &entry.object else {
            return true;
        };
        heads.get(object).is_none_or(|((_, head), processing)| {
            let others = processing.saturating_sub(usize::from(entry.state == State::Processing));
            head == id && others == 0
        })
    }

    /// Moves `id` to `state` at `at`, keeping the due index right.
    fn set(&mut self, id: &str, state: State, at: i64) {
        let Some(entry) = self.events.get_mut(id) else {
            return;
        };
        self.due.remove(&(entry.at, id.to_owned()));
        entry.state = state;
        entry.at = at;
        if matches!(state, State::Pending | State::Retrying | State::Processing) && entry.body.is_some() {
            self.due.insert((at, id.to_owned()));
        }
    }
}

/// An inbox in this process's memory. Done events are forgotten after the retention's `done`
/// time (and by [`purge_done`](Inbox::purge_done)); everything is lost on exit.
#[derive(Debug)]
pub struct MemoryInbox {
    entries: Mutex<Entries>,
    /// Periodic tasks' turns: holder, lease end and checkpoint (Unix milliseconds).
    turns: Mutex<HashMap<String, TurnRow>>,
    retention: Retention,
    stored: Arc<Notify>,
}

impl Default for MemoryInbox {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryInbox {
    /// An empty inbox with the default retention (done events for 7 days, ledger claims for 5
    /// minutes).
    pub fn new() -> Self {
        Self {
            entries: Mutex::default(),
            turns: Mutex::default(),
            retention: Retention::default(),
            stored: Arc::default(),
        }
    }

    /// The same inbox with this retention, for its use as a ledger.
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// How many events it holds.
    pub fn len(&self) -> usize {
        self.lock().events.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // The entries stay consistent whatever panicked while holding the lock.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn forget_done_before(&self, entries: &mut Entries, before: i64) -> u64 {
        let count = entries.events.len();
        entries
            .events
            .retain(|_, entry| entry.state != State::Done || entry.at >= before);
        u64::try_from(count.saturating_sub(entries.events.len())).unwrap_or(u64::MAX)
    }

    fn store_now(&self, event: NewEvent<'_>) -> Stored {
        let now = unix_now_millis();
        let mut entries = self.lock();
        if entries.events.contains_key(event.id) {
            return Stored::Duplicate;
        }
        entries.events.insert(
            event.id.to_owned(),
            Entry {
                event_type: event.event_type.to_owned(),
                object: event.object_id.map(|object| (object.to_owned(), event.created)),
                body: Some(event.body.to_vec()),
                received_at: now,
                state: State::Pending,
                attempts: 0,
                at: now,
                last_error: None,
            },
        );
        entries.due.insert((now, event.id.to_owned()));
        Stored::New
    }

    fn claim_now(&self, limit: usize, lease: Duration, per_object: bool) -> Vec<ClaimedEvent> {
        let now = unix_now_millis();
        let until = now.saturating_add(millis(lease));
        let mut entries = self.lock();
        let heads = per_object.then(|| entries.object_heads());
        let due: Vec<String> = entries
            .due
            .iter()
            .take_while(|(at, _)| *at <= now)
            .filter(|(_, id)| heads.as_ref().is_none_or(|heads| entries.may_run(heads, id)))
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect();
        let mut claimed = Vec::with_capacity(due.len());
        for id in due {
            entries.set(&id, State::Processing, until);
            if let Some(entry) = entries.events.get_mut(&id) {
                entry.attempts = entry.attempts.saturating_add(1);
                claimed.push(ClaimedEvent {
                    event_type: entry.event_type.clone(),
                    body: entry.body.clone().unwrap_or_default(),
                    attempt: entry.attempts,
                    id,
                });
            }
        }
        claimed
    }

    /// Moves attempt `attempt` of `id` to `state` at `at` if it is still that attempt's claim;
    /// the entry, if it was.
    fn transition<'e>(
        entries: &'e mut Entries,
        id: &str,
        attempt: u32,
        state: State,
        at: i64,
    ) -> Option<&'e mut Entry> {
        let current = entries.events.get(id).map(|e| (e.state, e.attempts));
        if current != Some((State::Processing, attempt)) {
            return None;
        }
        entries.set(id, state, at);
        entries.events.get_mut(id)
    }

    fn stats_now(&self) -> Stats {
        let entries = self.lock();
        let mut stats = Stats::default();
        for entry in entries.events.values() {
            if let Some(count) = State::ALL
                .iter()
                .position(|s| *s == entry.state)
                .and_then(|index| stats.counts.get_mut(index))
            {
                *count = count.saturating_add(1);
            }
            if matches!(entry.state, State::Pending | State::Retrying) {
                let due = Timestamp::from_millisecond(entry.at).ok();
                stats.oldest_due = match (stats.oldest_due, due) {
                    (Some(oldest), Some(due)) => Some(oldest.min(due)),
                    (oldest, due) => oldest.or(due),
                };
            }
        }
        stats
    }

    fn list_now(&self, listing: Listing<'_>) -> Vec<EventSummary> {
        let entries = self.lock();
        let mut listed: Vec<EventSummary> = entries
            .events
            .iter()
            .filter(|(_, entry)| listing.lists(entry.state, &entry.event_type))
            .map(|(id, entry)| entry.summary(id))
            .collect();
        listed.sort_by(|a, b| (a.received_at, &a.id).cmp(&(b.received_at, &b.id)));
        listed.truncate(listing.limit);
        listed
    }

    fn event_now(&self, id: &str) -> Option<EventDetail> {
        let entries = self.lock();
        let entry = entries.events.get(id)?;
        Some(EventDetail {
            summary: entry.summary(id),
            body: entry.body.clone(),
        })
    }

    fn retry_now(&self, which: Retry<'_>) -> u64 {
        let now = unix_now_millis();
        let mut entries = self.lock();
        let ids: Vec<String> = match which {
            Retry::Event(id) => entries
                .events
                .get(id)
                .filter(|e| matches!(e.state, State::Dead | State::Retrying))
                .map(|_| vec![id.to_owned()])
                .unwrap_or_default(),
            Retry::AllDead => entries
                .events
                .iter()
                .filter(|(_, e)| e.state == State::Dead)
                .map(|(id, _)| id.clone())
                .collect(),
        };
        for id in &ids {
            entries.set(id, State::Pending, now);
            if let Some(entry) = entries.events.get_mut(id) {
                entry.attempts = 0;
            }
        }
        u64::try_from(ids.len()).unwrap_or(u64::MAX)
    }
}

impl Inbox for MemoryInbox {
    fn store<'a>(&'a self, event: NewEvent<'a>) -> InboxFuture<'a, Stored> {
        let stored = self.store_now(event);
        self.stored.notify_one();
        Box::pin(async move { Ok(stored) })
    }

    fn claim<'a>(
        &'a self,
        limit: usize,
        lease: Duration,
        per_object: bool,
    ) -> InboxFuture<'a, Vec<ClaimedEvent>> {
        let claimed = self.claim_now(limit, lease, per_object);
        Box::pin(async move { Ok(claimed) })
    }

    fn renew<'a>(&'a self, claims: &'a [(String, u32)], lease: Duration) -> InboxFuture<'a, u64> {
        let until = unix_now_millis().saturating_add(millis(lease));
        let mut entries = self.lock();
        let renewed = claims
            .iter()
            .filter(|(id, attempt)| {
                Self::transition(&mut entries, id, *attempt, State::Processing, until).is_some()
            })
            .count();
        Box::pin(async move { Ok(u64::try_from(renewed).unwrap_or(u64::MAX)) })
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement<'a>]) -> InboxFuture<'a, u64> {
        let now = unix_now_millis();
        let mut entries = self.lock();
        let mut settled = 0_u64;
        for settlement in settlements {
            let (state, at, error) = settled_state(settlement, now);
            if let Some(entry) = Self::transition(&mut entries, settlement.id, settlement.attempt, state, at)
            {
                entry.last_error = error.map(str::to_owned);
                settled = settled.saturating_add(1);
            }
        }
        Box::pin(async move { Ok(settled) })
    }

    fn take_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        lease: Duration,
        every: Duration,
    ) -> InboxFuture<'a, Turn> {
        let now = unix_now_millis();
        let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
        let row = turns.entry(task.to_owned()).or_insert_with(|| TurnRow {
            holder: String::new(),
            lease_until: 0,
            checkpoint: None,
        });
        let free = row.lease_until < now
            && row
                .checkpoint
                .is_none_or(|checkpoint| checkpoint <= now.saturating_sub(millis(every)));
        let renewal = row.holder == holder && row.lease_until >= now;
        let turn = (free || renewal).then(|| {
            holder.clone_into(&mut row.holder);
            row.lease_until = now.saturating_add(millis(lease));
            row.checkpoint
        });
        Box::pin(async move { Ok(Turn::from_row(turn)) })
    }

    fn end_turn<'a>(
        &'a self,
        task: &'a str,
        holder: &'a str,
        checkpoint: Option<Timestamp>,
    ) -> InboxFuture<'a, bool> {
        let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
        let ended = match turns.get_mut(task) {
            Some(row) if row.holder == holder => {
                row.lease_until = 0;
                if let Some(checkpoint) = checkpoint {
                    row.checkpoint = Some(checkpoint.as_millisecond());
                }
                true
            }
            _ => false,
        };
        Box::pin(async move { Ok(ended) })
    }

    fn stats(&self) -> InboxFuture<'_, Stats> {
        let stats = self.stats_now();
        Box::pin(async move { Ok(stats) })
    }

    fn list<'a>(&'a self, listing: Listing<'a>) -> InboxFuture<'a, Vec<EventSummary>> {
        let listed = self.list_now(listing);
        Box::pin(async move { Ok(listed) })
    }

    fn event<'a>(&'a self, id: &'a str) -> InboxFuture<'a, Option<EventDetail>> {
        let event = self.event_now(id);
        Box::pin(async move { Ok(event) })
    }

    fn retry<'a>(&'a self, which: Retry<'a>) -> InboxFuture<'a, u64> {
        let retried = self.retry_now(which);
        if retried > 0 {
            self.stored.notify_one();
        }
        Box::pin(async move { Ok(retried) })
    }

    fn purge_done(&self, older_than: Duration) -> InboxFuture<'_, u64> {
        let before = unix_now_millis().saturating_sub(millis(older_than));
        let purged = self.forget_done_before(&mut self.lock(), before);
        Box::pin(async move { Ok(purged) })
    }

    fn stored(&self) -> Option<Arc<Notify>> {
        Some(Arc::clone(&self.stored))
    }
}

/// The inbox as a ledger: a claim is an entry without a body, processing until the retention's
/// `processing` time; done entries are remembered for its `done` time.
impl EventLedger for MemoryInbox {
    fn claim<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, Claim> {
        let now = unix_now_millis();
        let mut entries = self.lock();
        let done_before = now.saturating_sub(millis(self.retention.done));
        if entries.events.len().is_multiple_of(1024) {
            self.forget_done_before(&mut entries, done_before);
        }
        let until = now.saturating_add(millis(self.retention.processing));
        let claim = match entries.events.get(event_id).map(|e| (e.state, e.at)) {
            Some((State::Done, at)) if at >= done_before => Claim::Done,
            Some((State::Processing, at)) if at > now => Claim::Processing,
            Some(_) => {
                entries.set(event_id, State::Processing, until);
                Claim::Claimed
            }
            None => {
                entries.events.insert(
                    event_id.to_owned(),
                    Entry {
                        object: None,
                        event_type: String::new(),
                        body: None,
                        received_at: now,
                        state: State::Processing,
                        attempts: 1,
                        at: until,
                        last_error: None,
                    },
                );
                Claim::Claimed
            }
        };
        Box::pin(async move { Ok(claim) })
    }

    fn mark_done<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        self.lock().set(event_id, State::Done, unix_now_millis());
        Box::pin(async { Ok(()) })
    }

    fn release<'a>(&'a self, event_id: &'a str) -> LedgerFuture<'a, ()> {
        let mut entries = self.lock();
        match entries.events.get(event_id).map(|e| e.body.is_some()) {
            // A stored event goes back to the workers; a bare claim is forgotten.
            Some(true) => entries.set(event_id, State::Pending, unix_now_millis()),
            Some(false) => {
                entries.events.remove(event_id);
            }
            None => {}
        }
        Box::pin(async { Ok(()) })
    }
}
