//! The in-memory alert store: the most recent `capacity` alerts, for a service run without a
//! data directory (tests, `screen`-like one-off use). Nothing survives a restart.

use super::{Alert, AlertFilter, AlertStore, StoreError};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::sync::RwLock;

/// Keeps the newest `capacity` alerts; older ones are forgotten (their ids too, so a message
/// redelivered after that long raises its alerts again, which consumers de-duplicate by id).
pub struct MemoryStore {
    inner: RwLock<Inner>,
    capacity: usize,
}

#[derive(Default)]
struct Inner {
    /// Oldest first; `seq` strictly increasing.
    alerts: VecDeque<Alert>,
    by_id: FxHashMap<String, u64>,
    last_seq: u64,
}

impl Inner {
    fn position(&self, seq: u64) -> Option<usize> {
        let first = self.alerts.front()?.seq;
        let i = seq.checked_sub(first)? as usize;
        (i < self.alerts.len()).then_some(i)
    }
}

impl MemoryStore {
    pub fn new(capacity: usize) -> MemoryStore {
        MemoryStore {
            inner: RwLock::new(Inner::default()),
            capacity: capacity.max(1),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }
}

impl AlertStore for MemoryStore {
    fn insert(&self, alerts: Vec<Alert>) -> Result<Vec<Alert>, StoreError> {
        let mut g = self.inner.write().unwrap_or_else(|p| p.into_inner());
        let mut fresh = Vec::with_capacity(alerts.len());
        for mut a in alerts {
            if g.by_id.contains_key(&a.alert_id) {
                continue;
            }
            g.last_seq += 1;
            a.seq = g.last_seq;
            g.by_id.insert(a.alert_id.clone(), a.seq);
            g.alerts.push_back(a.clone());
            fresh.push(a);
        }
        while g.alerts.len() > self.capacity {
            if let Some(old) = g.alerts.pop_front() {
                g.by_id.remove(&old.alert_id);
            }
        }
        Ok(fresh)
    }

    fn get(&self, alert_id: &str) -> Result<Option<Alert>, StoreError> {
        let g = self.read();
        Ok(g.by_id
            .get(alert_id)
            .and_then(|&seq| g.position(seq))
            .map(|i| g.alerts[i].clone()))
    }

    fn after(
        &self,
        filter: &AlertFilter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Alert>, StoreError> {
        let g = self.read();
        let start = match g.alerts.front() {
            Some(f) if after >= f.seq => (after - f.seq + 1) as usize,
            _ => 0,
        };
        Ok(g.alerts
            .iter()
            .skip(start)
            .filter(|a| filter.matches(a))
            .take(limit)
            .cloned()
            .collect())
    }

    fn before(
        &self,
        filter: &AlertFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Alert>, StoreError> {
        let g = self.read();
        let end = match (before, g.alerts.front()) {
            (Some(b), Some(f)) => (b.saturating_sub(f.seq) as usize).min(g.alerts.len()),
            _ => g.alerts.len(),
        };
        Ok(g.alerts
            .range(..end)
            .rev()
            .filter(|a| filter.matches(a))
            .take(limit)
            .cloned()
            .collect())
    }

    fn last_seq(&self) -> Result<u64, StoreError> {
        Ok(self.read().last_seq)
    }
}
