//! The one screening path every source uses: a [`Manifest`] in, per-traveller results, a
//! board / no-board decision and [`Alert`]s out; plus the live watchlist operations (upsert,
//! delete, replace a named list) that change what the next screening sees.
//!
//! Synchronous on purpose: async callers run it on a blocking thread
//! (`tokio::task::spawn_blocking`), since a 400-traveller manifest is CPU work.

use crate::alerts::{self, Alert, AlertHub, Source, StoreError};
use crate::index::Index;
use crate::model::{EntityType, EntryRef, Manifest, Severity, WatchlistEntry};
use crate::screen::{Match, ScreenConfig, Screener};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Limits on what one request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    /// Largest accepted message (EDIFACT bytes, JSON manifest, watchlist upload), in bytes.
    pub max_message_bytes: usize,
    /// Most travellers accepted in one manifest.
    pub max_travellers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 8 << 20,
            max_travellers: 5_000,
        }
    }
}

/// How results become alerts and boarding decisions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Policy {
    /// Matches at or above this become alerts (and `refer`).
    pub alert_threshold: f32,
    /// A match at or above this on a `high` or `critical` entry means `no_board`.
    pub no_board_threshold: f32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            alert_threshold: crate::screen::DEFAULT_THRESHOLD,
            no_board_threshold: 0.90,
        }
    }
}

/// The iAPI answer for one traveller. Carriers see only this, never the matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Board,
    NoBoard,
    /// Hold for a border officer's decision.
    Refer,
}

impl Decision {
    /// From a traveller's matches (best first) under `policy`.
    pub fn of(matches: &[Match], policy: &Policy) -> Decision {
        let alerting = matches.iter().filter(|m| m.score >= policy.alert_threshold);
        let mut d = Decision::Board;
        for m in alerting {
            if m.score >= policy.no_board_threshold && m.severity >= Severity::High {
                return Decision::NoBoard;
            }
            d = Decision::Refer;
        }
        d
    }
}

/// One traveller's result.
#[derive(Debug, Clone, Serialize)]
pub struct TravellerResult {
    /// Position in the manifest.
    pub index: usize,
    pub traveller_id: String,
    pub decision: Decision,
    /// Matches at or above the screening threshold, best first.
    pub matches: Vec<Match>,
}

/// What screening one manifest produced.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestOutcome {
    pub message_id: String,
    pub results: Vec<TravellerResult>,
    /// Alerts raised (not yet published; see [`Engine::publish`]).
    pub alerts: Vec<Alert>,
}

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("manifest has {got} travellers; at most {max} are accepted")]
    TooManyTravellers { got: usize, max: usize },
    #[error("message is {got} bytes; at most {max} are accepted")]
    TooLarge { got: usize, max: usize },
    #[error("list name must be 1-64 characters of [A-Za-z0-9_.-], got {0:?}")]
    BadListName(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counts per list, for `GetStats` and `/readyz`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Stats {
    /// Entries per list name (all entity types).
    pub lists: BTreeMap<String, usize>,
    /// Entries in the index (individuals only: what travellers are screened against).
    pub indexed: usize,
    pub postings: usize,
}

/// The screener, the lists behind it, and the alert hub.
pub struct Engine {
    screener: Screener,
    /// Every entry by list, as loaded or upserted (the index holds individuals only). Writers
    /// (upsert, delete, load) hold this lock for their whole change, so they apply one at a time;
    /// screenings never take it.
    lists: Mutex<BTreeMap<String, BTreeMap<String, EntryRef>>>,
    hub: AlertHub,
    policy: Policy,
    limits: Limits,
}

impl Engine {
    pub fn new(
        entries: Vec<EntryRef>,
        screen: ScreenConfig,
        policy: Policy,
        limits: Limits,
        hub: AlertHub,
    ) -> Engine {
        let mut lists: BTreeMap<String, BTreeMap<String, EntryRef>> = BTreeMap::new();
        for e in &entries {
            lists
                .entry(e.list.clone())
                .or_default()
                .insert(e.id.clone(), e.clone());
        }
        Engine {
            screener: Screener::from_entries(entries, screen),
            lists: Mutex::new(lists),
            hub,
            policy,
            limits,
        }
    }

    pub fn screener(&self) -> &Screener {
        &self.screener
    }
    pub fn hub(&self) -> &AlertHub {
        &self.hub
    }
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Refuses a message larger than the limit.
    pub fn check_size(&self, len: usize) -> Result<(), EngineError> {
        if len > self.limits.max_message_bytes {
            return Err(EngineError::TooLarge {
                got: len,
                max: self.limits.max_message_bytes,
            });
        }
        Ok(())
    }

    /// Screens every traveller of `m` (on the rayon pool) and builds the alerts. Publishes
    /// nothing: the caller decides when the alerts are delivered ([`Engine::publish`]).
    pub fn screen_manifest(
        &self,
        m: &Manifest,
        source: &Source,
    ) -> Result<ManifestOutcome, EngineError> {
        if m.travellers.len() > self.limits.max_travellers {
            return Err(EngineError::TooManyTravellers {
                got: m.travellers.len(),
                max: self.limits.max_travellers,
            });
        }
        let started = std::time::Instant::now();
        let screen = || self.screener.screen_each(&m.travellers, |t| &t.passenger);
        let digest = || alerts::message_id(m);
        let (matches, message_id) = if m.travellers.len() <= 1 {
            // one traveller is screened on the calling thread (an iAPI check on the runtime
            // thread): outside the pool, a join would hand the work to a rayon worker and wait
            (screen(), digest())
        } else {
            // the message digest (serialising the whole manifest) is work for the other core
            // while the travellers are shared out
            rayon::join(screen, digest)
        };
        let alerts = alerts::alerts_for(
            m,
            &message_id,
            &matches,
            self.policy.alert_threshold,
            source,
            alerts::now(),
        );
        let results = matches
            .into_iter()
            .zip(&m.travellers)
            .enumerate()
            .map(|(index, (matches, t))| TravellerResult {
                index,
                traveller_id: t.passenger.id.clone(),
                decision: Decision::of(&matches, &self.policy),
                matches,
            })
            .collect();
        metrics::counter!("paxscreen_travellers_screened_total", "source" => source.label())
            .increment(m.travellers.len() as u64);
        metrics::histogram!("paxscreen_screen_manifest_seconds", "source" => source.label())
            .record(started.elapsed().as_secs_f64());
        Ok(ManifestOutcome {
            message_id,
            results,
            alerts,
        })
    }

    /// Stores and broadcasts alerts; returns the ones that were new.
    pub fn publish(&self, alerts: Vec<Alert>) -> Result<Vec<Alert>, EngineError> {
        Ok(self.hub.publish(alerts)?)
    }

    /// Adds or replaces entries by id; they are screened against from the next call on.
    /// Returns how many were indexed (individuals; other entity types are kept but not screened).
    pub fn upsert(&self, entries: Vec<WatchlistEntry>) -> usize {
        let mut lists = self.lock_lists();
        let index = self.screener.index();
        let mut indexed = 0;
        for e in entries {
            let e: EntryRef = Arc::new(e);
            // an id moving between lists leaves the old one
            for l in lists.values_mut() {
                l.remove(&e.id);
            }
            lists
                .entry(e.list.clone())
                .or_default()
                .insert(e.id.clone(), e.clone());
            if e.entity_type == EntityType::Individual {
                indexed += usize::from(index.upsert(e.clone()));
            } else {
                index.delete(&e.id);
            }
        }
        lists.retain(|_, l| !l.is_empty());
        indexed
    }

    /// Removes entries by id; returns how many existed.
    pub fn delete(&self, ids: &[String]) -> usize {
        let mut lists = self.lock_lists();
        let index = self.screener.index();
        let mut n = 0;
        for id in ids {
            let mut found = false;
            for l in lists.values_mut() {
                found |= l.remove(id).is_some();
            }
            index.delete(id);
            n += usize::from(found);
        }
        lists.retain(|_, l| !l.is_empty());
        n
    }

    /// Replaces list `name` with `entries` (each is assigned to `name`) in one atomic step: a
    /// new index is built beside the old one and swapped in, so every screening sees either the
    /// old list or the new one. Returns (entries removed, entries now in the list).
    pub fn load_list(
        &self,
        name: &str,
        entries: Vec<WatchlistEntry>,
    ) -> Result<(usize, usize), EngineError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !valid {
            return Err(EngineError::BadListName(name.to_string()));
        }
        let mut lists = self.lock_lists();
        let fresh: BTreeMap<String, EntryRef> = entries
            .into_iter()
            .map(|mut e| {
                e.list = name.to_string();
                (e.id.clone(), Arc::new(e))
            })
            .collect();
        // an id in the new list wins over the same id elsewhere
        for (l, es) in lists.iter_mut() {
            if l != name {
                es.retain(|id, _| !fresh.contains_key(id));
            }
        }
        let added = fresh.len();
        let removed = lists.insert(name.to_string(), fresh).map_or(0, |o| o.len());
        lists.retain(|_, l| !l.is_empty());
        let all: Vec<EntryRef> = lists.values().flat_map(|l| l.values().cloned()).collect();
        let config = *self.screener.index().config();
        self.screener.replace_index(Index::build(all, config));
        Ok((removed, added))
    }

    pub fn stats(&self) -> Stats {
        let lists = self.lock_lists();
        let s = self.screener.index().stats();
        Stats {
            lists: lists.iter().map(|(k, v)| (k.clone(), v.len())).collect(),
            indexed: self.screener.index().len(),
            postings: s.postings,
        }
    }

    fn lock_lists(
        &self,
    ) -> std::sync::MutexGuard<'_, BTreeMap<String, BTreeMap<String, EntryRef>>> {
        self.lists.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests;
