//! Casework on stored alerts: what analysts decided (dispositions), who looked at or changed what
//! (the audit trail), which travellers each screened manifest carried (for the flight view), and
//! the listings and counts the dashboard reads.
//!
//! [`CaseStore`] is what a durable alert store offers beyond [`super::AlertStore`]; the SQLite
//! store implements it, the in-memory store does not (a service without a data directory has a
//! live alert list but no decisions). Reach it through [`super::AlertStore::cases`].

use super::{Alert, AlertFilter, StoreError};
use crate::model::Severity;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An analyst's verdict on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The traveller is the listed person.
    TrueMatch,
    /// Not the listed person; the same traveller × entry is suppressed from now on.
    FalsePositive,
    /// Someone else must look (more information needed, escalate).
    NeedsReview,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::TrueMatch => "true_match",
            Verdict::FalsePositive => "false_positive",
            Verdict::NeedsReview => "needs_review",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "true_match" => Some(Verdict::TrueMatch),
            "false_positive" => Some(Verdict::FalsePositive),
            "needs_review" => Some(Verdict::NeedsReview),
            _ => None,
        }
    }
}

/// Where an alert stands: `open` until the first disposition, then the latest verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    NeedsReview,
    TrueMatch,
    FalsePositive,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Open,
        Status::NeedsReview,
        Status::TrueMatch,
        Status::FalsePositive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::NeedsReview => "needs_review",
            Status::TrueMatch => "true_match",
            Status::FalsePositive => "false_positive",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "open" => Some(Status::Open),
            other => Verdict::parse(other).map(Status::from),
        }
    }
}

impl From<Verdict> for Status {
    fn from(v: Verdict) -> Status {
        match v {
            Verdict::TrueMatch => Status::TrueMatch,
            Verdict::FalsePositive => Status::FalsePositive,
            Verdict::NeedsReview => Status::NeedsReview,
        }
    }
}

/// One recorded decision. Dispositions are never edited: a changed mind is a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disposition {
    pub id: u64,
    pub alert_id: String,
    pub analyst: String,
    pub verdict: Verdict,
    #[serde(default)]
    pub comment: String,
    pub at: DateTime<Utc>,
}

/// One line of the append-only audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: u64,
    pub at: DateTime<Utc>,
    /// Who did it (the analyst name the request carried, `anonymous` without one).
    pub actor: String,
    /// `viewed`, `disposition`, …
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_id: Option<String>,
    /// What changed (`{"verdict": …, "previous_status": …}`), or `{}`.
    pub detail: serde_json::Value,
}

/// Which alerts to list or count: the live filter plus casework status.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertQuery {
    /// List, severity, flight, airport, score, time; its `include_suppressed` is overridden by
    /// `suppressed`.
    pub filter: AlertFilter,
    pub status: Option<Status>,
    pub suppressed: SuppressedMode,
}

/// Whether suppressed alerts (known false positives raised again) are listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SuppressedMode {
    /// Only alerts an analyst must still see (the default).
    #[default]
    Exclude,
    Include,
    Only,
}

/// A stored alert with where its casework stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub alert: Alert,
    pub status: Status,
}

/// Alerts per status among those a query selects (ignoring its `status`); suppressed alerts are
/// counted apart from the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub open: u64,
    pub needs_review: u64,
    pub true_match: u64,
    pub false_positive: u64,
    pub suppressed: u64,
}

impl StatusCounts {
    pub fn add(&mut self, status: Status, n: u64) {
        match status {
            Status::Open => self.open += n,
            Status::NeedsReview => self.needs_review += n,
            Status::TrueMatch => self.true_match += n,
            Status::FalsePositive => self.false_positive += n,
        }
    }
}

/// What screening one manifest found, traveller by traveller: the flight view's source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningRecord {
    pub message_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_ref: Option<String>,
    pub screened_at: DateTime<Utc>,
    /// [`super::Source::label`].
    pub source: String,
    pub flight: super::FlightRef,
    pub travellers: Vec<TravellerResultRow>,
}

/// One traveller's result, compact: enough to list a flight and link to its alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TravellerResultRow {
    pub index: u32,
    pub traveller_id: String,
    pub kind: crate::model::TravellerKind,
    pub name: String,
    /// `board`, `no_board` or `refer`.
    pub decision: String,
    /// The best match's score, when there was a match above the screening threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_score: Option<f32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_entry: Option<String>,
    /// Alerts raised for this traveller.
    pub alerts: u32,
}

/// One screened manifest, as the flight list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlightSummary {
    /// Order in which manifests were first screened here: the listing's cursor.
    pub seq: u64,
    pub message_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_ref: Option<String>,
    pub screened_at: DateTime<Utc>,
    pub source: String,
    pub flight: super::FlightRef,
    pub travellers: u32,
    pub alerts: u32,
    pub refer: u32,
    pub no_board: u32,
}

/// Counts over a time window for the dashboard's charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityStats {
    pub since: DateTime<Utc>,
    pub bucket_seconds: u64,
    /// Alerts raised per bucket (suppressed ones included), oldest bucket first.
    pub alerts: Vec<u64>,
    /// Travellers screened per bucket.
    pub travellers: Vec<u64>,
    /// Alert scores in bins of [`SCORE_BIN`] from 0 to 1 (`scores[i]` counts scores in
    /// `[i × SCORE_BIN, (i + 1) × SCORE_BIN)`; 1.0 falls in the last bin).
    pub scores: Vec<u64>,
    pub score_bin: f32,
    /// Alerts per list in the window.
    pub lists: std::collections::BTreeMap<String, u64>,
}

/// Width of a score histogram bin.
pub const SCORE_BIN: f32 = 0.02;

/// The casework a durable alert store keeps besides the alerts themselves.
pub trait CaseStore: Send + Sync {
    /// Alerts matching `q` with `seq < before` (all when `None`), newest first, at most `limit`.
    fn list(
        &self,
        q: &AlertQuery,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<Listed>, StoreError>;

    /// Alerts per status among those `q` selects, ignoring `q.status` and `q.suppressed`.
    fn counts(&self, q: &AlertQuery) -> Result<StatusCounts, StoreError>;

    /// One alert with its status and every disposition, oldest first.
    fn case(&self, alert_id: &str) -> Result<Option<(Listed, Vec<Disposition>)>, StoreError>;

    /// Records a decision (and its audit event) in one transaction; a false positive suppresses
    /// later alerts for the same traveller identity and entry, any other verdict lifts the
    /// suppression this alert's earlier decision made. `None` when there is no such alert.
    fn decide(
        &self,
        alert_id: &str,
        analyst: &str,
        verdict: Verdict,
        comment: &str,
    ) -> Result<Option<Disposition>, StoreError>;

    /// Appends to the audit trail.
    fn audit(
        &self,
        actor: &str,
        action: &str,
        alert_id: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<(), StoreError>;

    /// Audit events (of one alert, or all) with `id < before`, newest first.
    fn audit_trail(
        &self,
        alert_id: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, StoreError>;

    /// Keeps a manifest's per-traveller results (a redelivered manifest is kept once).
    fn record_screening(&self, r: &ScreeningRecord) -> Result<(), StoreError>;

    /// Screened manifests, newest first, optionally of one flight (id as sent, any case), with
    /// `seq < before`.
    fn flights(
        &self,
        flight: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<FlightSummary>, StoreError>;

    /// One screened manifest and its travellers' results, in manifest order.
    fn flight(
        &self,
        message_id: &str,
    ) -> Result<Option<(FlightSummary, Vec<TravellerResultRow>)>, StoreError>;

    /// Every alert raised by one screened manifest, in `seq` order (suppressed ones included).
    fn alerts_of_message(&self, message_id: &str) -> Result<Vec<Listed>, StoreError>;

    /// Alert and screening activity since `since`, in buckets of `bucket_seconds`.
    fn activity(
        &self,
        since: DateTime<Utc>,
        bucket_seconds: u64,
        buckets: usize,
    ) -> Result<ActivityStats, StoreError>;
}

/// Severity as the store's indexed integer (ordered like [`Severity`]).
pub(crate) fn severity_rank(s: Severity) -> i64 {
    match s {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
        Severity::Critical => 3,
    }
}
