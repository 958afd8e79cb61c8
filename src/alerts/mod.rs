//! Alerts: one per traveller × watchlist entry at or above the alert threshold, with an id that is
//! the same every time the same message is screened, and their fan-out to subscribers.
//!
//! Every source (gRPC, Kafka, files, the demo) turns a screened [`Manifest`] into alerts with
//! [`alerts_for`]; the [`AlertHub`] stores them (the store assigns each new alert its sequence
//! number, the resume cursor) and then broadcasts the new ones to live subscribers through a
//! bounded channel. A slow subscriber is told how many alerts it missed and resumes from the
//! store; it never blocks screening.

pub mod cases;
mod identity;
mod memory;
mod sqlite;

pub use cases::CaseStore;
pub use identity::traveller_identity;
pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

use crate::model::{Manifest, Severity, Traveller, TravellerKind};
use crate::screen::{Explanation, Match};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Version of the alert JSON schema (Kafka topic, REST API, NDJSON). Bumped on any change that
/// is not a new optional field.
pub const SCHEMA_VERSION: u32 = 1;

/// One traveller × one watchlist entry that matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub schema_version: u32,
    /// Deterministic: hex of SHA-256 over (message id, traveller position and id, entry id),
    /// 32 characters. The same message screened twice yields the same ids.
    pub alert_id: String,
    /// Position in this service's alert log, assigned when the alert is first stored (0 before).
    /// Streams resume after a sequence number.
    #[serde(default)]
    pub seq: u64,
    /// When the alert was raised (RFC 3339, UTC, milliseconds).
    pub created_at: DateTime<Utc>,
    pub entry_id: String,
    pub list: String,
    pub severity: Severity,
    pub score: f32,
    pub explanation: Explanation,
    pub traveller: TravellerRef,
    pub flight: FlightRef,
    /// Digest of the screened manifest (see [`message_id`]).
    pub message_id: String,
    /// Message reference as sent (UNH 0062), when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_ref: Option<String>,
    pub source: Source,
    /// Set when an analyst's earlier false-positive decision for this traveller and entry
    /// covers this alert: it is kept and shown, but not raised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<Suppression>,
}

/// Who decided that this alert is a known false positive, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    /// The alert whose disposition suppresses this one.
    pub alert_id: String,
    pub analyst: String,
    pub decided_at: DateTime<Utc>,
}

/// The traveller an alert is about: enough for an analyst to act on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TravellerRef {
    /// Position in the manifest (0-based).
    pub index: u32,
    /// The caller's id for the traveller (RFF+ABO, NDJSON `id`, or the position).
    pub id: String,
    pub kind: TravellerKind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    /// As sent: `1968-07-01`, `1968-07` or `1968`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// ISO 3166 alpha-3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocumentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pnr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
}

/// A travel document, as the traveller presented it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DocumentRef {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// The flight (first leg of the manifest) an alert is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FlightRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_airport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_airport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_time: Option<String>,
}

impl FlightRef {
    pub fn of(m: &Manifest) -> FlightRef {
        let Some(f) = m.flights.first() else {
            return FlightRef::default();
        };
        let last = m.flights.last().unwrap_or(f);
        FlightRef {
            id: f.id.clone(),
            carrier: f.carrier.clone(),
            number: f.number.clone(),
            departure_airport: f.departure.airport.clone(),
            departure_time: f.departure.time.clone(),
            arrival_airport: last.arrival.airport.clone(),
            arrival_time: last.arrival.time.clone(),
        }
    }

    /// Whether `airport` is either end of the flight (case-insensitive IATA code).
    pub fn touches(&self, airport: &str) -> bool {
        [&self.departure_airport, &self.arrival_airport]
            .iter()
            .any(|a| {
                a.as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(airport))
            })
    }
}

/// Where the screened message came from, so an alert can be traced back to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A Kafka record (for a multi-part message: the record that completed it).
    Kafka {
        topic: String,
        partition: i32,
        offset: i64,
    },
    /// A gRPC call (`ScreenManifest`, `SubmitPaxlst`, …).
    Grpc { method: String },
    /// A file given to the CLI.
    File { path: String },
    /// The demo's replayed traffic.
    Demo,
}

impl Source {
    /// A short label for metrics and logs (no personal data, no offsets).
    pub fn label(&self) -> &'static str {
        match self {
            Source::Kafka { .. } => "kafka",
            Source::Grpc { .. } => "grpc",
            Source::File { .. } => "file",
            Source::Demo => "demo",
        }
    }
}

/// Digest identifying a screened manifest: hex SHA-256 (32 characters) of its canonical JSON.
/// The same bytes parse to the same manifest, so the same message gets the same id whichever
/// source delivered it and however often.
pub fn message_id(m: &Manifest) -> String {
    /// Feeds what is written straight into the hash: the same bytes as serialising first.
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    h.0.update(b"paxscreen-message-v1\0");
    // serialising a Manifest cannot fail (no maps with non-string keys, no custom serialisers
    // that error, a writer that never fails); the serialiser writes a few bytes at a time,
    // which the buffer gathers into blocks for the hash
    let mut w = std::io::BufWriter::with_capacity(8192, h);
    let _ = serde_json::to_writer(&mut w, m);
    let _ = std::io::Write::flush(&mut w);
    let (h, _) = w.into_parts();
    hex32(&h.0.finalize())
}

/// The deterministic alert id for (message, traveller, entry).
pub fn alert_id(
    message_id: &str,
    traveller_index: u32,
    traveller_id: &str,
    entry_id: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"paxscreen-alert-v1\0");
    for part in [
        message_id.as_bytes(),
        traveller_id.as_bytes(),
        entry_id.as_bytes(),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.update(traveller_index.to_le_bytes());
    hex32(&h.finalize())
}

fn hex32(digest: &[u8]) -> String {
    hex::encode(&digest[..16])
}

impl TravellerRef {
    pub fn of(index: usize, t: &Traveller) -> TravellerRef {
        let p = &t.passenger;
        TravellerRef {
            index: index as u32,
            id: p.id.clone(),
            kind: t.kind,
            name: p.display_name(),
            surname: p.surname.clone(),
            given_names: p.given_names.clone(),
            dob: p.dob.map(|d| d.to_string()),
            gender: p.gender.map(|g| g.as_str().to_string()),
            nationality: p.nationality.map(|c| c.alpha3().to_string()),
            documents: p
                .documents
                .iter()
                .map(|d| DocumentRef {
                    doc_type: d.doc_type.clone(),
                    number: d.number.clone(),
                    country: d.country.map(|c| c.alpha3().to_string()),
                })
                .collect(),
            pnr: t.pnr.clone(),
            seat: t.seat.clone(),
        }
    }
}

/// Builds the alerts for one screened manifest: `matches[i]` are traveller `i`'s matches, and
/// those at or above `alert_threshold` become alerts.
pub fn alerts_for(
    m: &Manifest,
    message_id: &str,
    matches: &[Vec<Match>],
    alert_threshold: f32,
    source: &Source,
    now: DateTime<Utc>,
) -> Vec<Alert> {
    let flight = FlightRef::of(m);
    let mut out = Vec::new();
    for (i, (t, ms)) in m.travellers.iter().zip(matches).enumerate() {
        let mut traveller: Option<TravellerRef> = None;
        for x in ms.iter().filter(|x| x.score >= alert_threshold) {
            let tr = traveller
                .get_or_insert_with(|| TravellerRef::of(i, t))
                .clone();
            out.push(Alert {
                schema_version: SCHEMA_VERSION,
                alert_id: alert_id(message_id, i as u32, &t.passenger.id, &x.entry_id),
                seq: 0,
                created_at: now,
                entry_id: x.entry_id.clone(),
                list: x.list.clone(),
                severity: x.severity,
                score: x.score,
                explanation: x.explanation.clone(),
                traveller: tr,
                flight: flight.clone(),
                message_id: message_id.to_string(),
                message_ref: m.message_ref.clone(),
                source: source.clone(),
                suppressed_by: None,
            });
        }
    }
    out
}

/// The current time at millisecond precision (what alerts carry).
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::parse_from_rfc3339(&t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(t)
}

/// Which alerts a subscriber or a listing wants. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertFilter {
    /// Lists to include (`un`, `ofac`, …).
    pub lists: Vec<String>,
    /// Only alerts at least this severe.
    pub min_severity: Option<Severity>,
    /// Flight id as sent (`UA0989`), case-insensitive.
    pub flight: Option<String>,
    /// Departure or arrival airport (IATA), case-insensitive.
    pub airport: Option<String>,
    pub min_score: Option<f32>,
    /// Only alerts raised at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Include alerts suppressed by an earlier false-positive decision (default: no).
    pub include_suppressed: bool,
}

impl AlertFilter {
    pub fn matches(&self, a: &Alert) -> bool {
        (self.lists.is_empty() || self.lists.iter().any(|l| l.eq_ignore_ascii_case(&a.list)))
            && self.min_severity.is_none_or(|s| a.severity >= s)
            && self.flight.as_deref().is_none_or(|f| {
                a.flight
                    .id
                    .as_deref()
                    .is_some_and(|id| id.eq_ignore_ascii_case(f))
            })
            && self
                .airport
                .as_deref()
                .is_none_or(|ap| a.flight.touches(ap))
            && self.min_score.is_none_or(|s| a.score >= s)
            && self.since.is_none_or(|t| a.created_at >= t)
            && (self.include_suppressed || a.suppressed_by.is_none())
    }
}

/// Why the alert store refused an operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("alert store: {0}")]
    Backend(String),
}

/// Where alerts are kept. The in-memory [`MemoryStore`] keeps a bounded recent window; durable
/// stores keep everything.
pub trait AlertStore: Send + Sync + 'static {
    /// Stores alerts whose id is not stored yet, assigning each a fresh `seq` (in order), and
    /// returns those (with `seq` and, where a store knows of one, `suppressed_by` set). Alerts
    /// already stored are skipped: a redelivered message does not raise its alerts twice.
    fn insert(&self, alerts: Vec<Alert>) -> Result<Vec<Alert>, StoreError>;
    fn get(&self, alert_id: &str) -> Result<Option<Alert>, StoreError>;
    /// Alerts matching `filter` with `seq > after`, oldest first, at most `limit`.
    fn after(
        &self,
        filter: &AlertFilter,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Alert>, StoreError>;
    /// Alerts matching `filter` with `seq < before` (all when `None`), newest first, at most
    /// `limit`: the paged listing.
    fn before(
        &self,
        filter: &AlertFilter,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Alert>, StoreError>;
    /// The highest `seq` stored so far (0 when empty).
    fn last_seq(&self) -> Result<u64, StoreError>;
    /// Dispositions, audit trail, screening results and dashboard listings, when this store
    /// keeps them (the durable store does; the in-memory one does not).
    fn cases(&self) -> Option<&dyn CaseStore> {
        None
    }
}

/// Stores alerts and broadcasts the new ones to live subscribers.
pub struct AlertHub {
    store: Arc<dyn AlertStore>,
    tx: broadcast::Sender<Arc<Alert>>,
    /// Serialises store-then-broadcast so that subscribers see alerts in `seq` order.
    order: std::sync::Mutex<()>,
}

impl AlertHub {
    /// `capacity` bounds each subscriber's backlog; a subscriber further behind is told it lagged.
    pub fn new(store: Arc<dyn AlertStore>, capacity: usize) -> AlertHub {
        let (tx, _) = broadcast::channel(capacity.max(1));
        AlertHub {
            store,
            tx,
            order: std::sync::Mutex::new(()),
        }
    }

    pub fn store(&self) -> &Arc<dyn AlertStore> {
        &self.store
    }

    /// Stores the alerts and broadcasts the ones that were new. Returns them (with `seq`).
    /// Alerts the store marked suppressed (a known false positive raised again) are stored and
    /// returned but not broadcast: they are not raised to live subscribers, who find them in the
    /// store when they ask for suppressed alerts.
    pub fn publish(&self, alerts: Vec<Alert>) -> Result<Vec<Alert>, StoreError> {
        if alerts.is_empty() {
            return Ok(alerts);
        }
        let _g = self.order.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = self.store.insert(alerts)?;
        for a in &fresh {
            metrics::counter!("paxscreen_alerts_total", "list" => a.list.clone(), "severity" => a.severity.as_str(), "suppressed" => if a.suppressed_by.is_some() { "true" } else { "false" }).increment(1);
            if a.suppressed_by.is_some() {
                continue;
            }
            // no receivers is fine: alerts are in the store
            let _ = self.tx.send(Arc::new(a.clone()));
        }
        Ok(fresh)
    }

    /// A live feed of alerts stored from now on. `Lagged(n)` from `recv` means the subscriber
    /// missed `n` alerts: it should resume from the store after the last `seq` it saw.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Alert>> {
        self.tx.subscribe()
    }

    /// How many live subscribers there are.
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}

#[cfg(test)]
mod tests;
