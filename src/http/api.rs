//! The dashboard's REST/JSON API. Every store call runs on a blocking thread. Errors are
//! `{"error": "…"}` with a status saying whose fault it is (400 bad parameter, 404 unknown id,
//! 501 casework without a durable store, 500 store failure).
//!
//! Listings are newest first and paged by cursor: a page's `next_cursor` (the last `seq` it
//! holds) is passed back as `cursor` for the next, older page, so deep pages cost what the first
//! does.

use super::USER_HEADER;
use crate::alerts::cases::{
    AlertQuery, AuditEvent, CaseStore, Disposition, FlightSummary, Listed, Status, StatusCounts,
    SuppressedMode, TravellerResultRow, Verdict,
};
use crate::alerts::{Alert, AlertFilter, AlertStore, Suppression};
use crate::model::{Severity, WatchlistEntry};
use crate::service::Context;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Default and largest page sizes.
const PAGE: usize = 50;
const MAX_PAGE: usize = 500;

/// Longest analyst name and disposition comment accepted.
const MAX_ANALYST: usize = 64;
const MAX_COMMENT: usize = 4000;

/// An API failure: status and a message that names the parameter or id at fault (never
/// traveller data).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
    fn not_found(what: &str, id: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            message: format!("no {what} {id:?}"),
        }
    }
    fn no_cases() -> ApiError {
        ApiError {
            status: StatusCode::NOT_IMPLEMENTED,
            message: "dispositions, flights and statistics need the durable alert store: start \
                      the service with --data-dir"
                .into(),
        }
    }
}

impl From<crate::alerts::StoreError> for ApiError {
    fn from(e: crate::alerts::StoreError) -> ApiError {
        tracing::error!(error = %e, "alert store failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: e.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Runs store work on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: format!("store task failed: {e}"),
    })?
}

fn store(ctx: &Context) -> Arc<dyn AlertStore> {
    ctx.engine.hub().store().clone()
}

fn cases(store: &dyn AlertStore) -> ApiResult<&dyn CaseStore> {
    store.cases().ok_or_else(ApiError::no_cases)
}

/// The analyst a request speaks for: `X-Paxscreen-User`, else `anonymous`.
pub fn analyst(headers: &HeaderMap) -> String {
    headers
        .get(USER_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(clean_analyst)
        .unwrap_or_else(|| "anonymous".to_string())
}

/// A usable analyst name: trimmed, 1–64 characters, no control characters.
fn clean_analyst(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s.chars().count() <= MAX_ANALYST && !s.chars().any(char::is_control))
        .then(|| s.to_string())
}

/// What the alert list shows per alert: the fields an analyst scans, not the explanation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AlertSummary {
    pub seq: u64,
    pub alert_id: String,
    pub created_at: DateTime<Utc>,
    pub list: String,
    pub entry_id: String,
    pub entry_name: String,
    pub severity: Severity,
    pub score: f32,
    /// Position of the traveller in the manifest.
    pub traveller_index: u32,
    pub traveller_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traveller_dob: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flight: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_airport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrival_airport: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure_time: Option<String>,
    pub message_id: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_by: Option<Suppression>,
}

impl AlertSummary {
    pub fn of(a: &Alert, status: Status) -> AlertSummary {
        AlertSummary {
            seq: a.seq,
            alert_id: a.alert_id.clone(),
            created_at: a.created_at,
            list: a.list.clone(),
            entry_id: a.entry_id.clone(),
            entry_name: a.explanation.name.entry_name.clone(),
            severity: a.severity,
            score: (a.score * 1000.0).round() / 1000.0,
            traveller_index: a.traveller.index,
            traveller_name: a.traveller.name.clone(),
            traveller_dob: a.traveller.dob.clone(),
            nationality: a.traveller.nationality.clone(),
            flight: a.flight.id.clone(),
            departure_airport: a.flight.departure_airport.clone(),
            arrival_airport: a.flight.arrival_airport.clone(),
            departure_time: a.flight.departure_time.clone(),
            message_id: a.message_id.clone(),
            status,
            suppressed_by: a.suppressed_by.clone(),
        }
    }
}

impl From<&Listed> for AlertSummary {
    fn from(l: &Listed) -> AlertSummary {
        AlertSummary::of(&l.alert, l.status)
    }
}

/// Reads the filter parameters every listing shares: `list` (comma-separated), `severity`
/// (minimum), `flight`, `airport`, `min_score`, `since` (RFC 3339), `status` (`open`,
/// `needs_review`, `true_match`, `false_positive`, `suppressed`, `all`) and `suppressed`
/// (`exclude`, `include`, `only`).
pub fn parse_query(p: &HashMap<String, String>) -> ApiResult<AlertQuery> {
    let get = |k: &str| p.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    let mut f = AlertFilter::default();
    if let Some(l) = get("list") {
        f.lists = l
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    if let Some(s) = get("severity") {
        f.min_severity =
            Some(Severity::parse(s).ok_or_else(|| {
                ApiError::bad("severity must be one of low, medium, high, critical")
            })?);
    }
    f.flight = get("flight").map(str::to_string);
    f.airport = get("airport").map(str::to_string);
    if let Some(s) = get("min_score") {
        let v: f32 = s
            .parse()
            .ok()
            .filter(|v: &f32| (0.0..=1.0).contains(v))
            .ok_or_else(|| ApiError::bad("min_score must be a number in [0, 1]"))?;
        f.min_score = Some(v);
    }
    if let Some(s) = get("since") {
        f.since = Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|_| ApiError::bad("since must be an RFC 3339 time"))?
                .with_timezone(&Utc),
        );
    }
    let mut q = AlertQuery {
        filter: f,
        ..Default::default()
    };
    if let Some(s) = get("suppressed") {
        q.suppressed = match s {
            "exclude" => SuppressedMode::Exclude,
            "include" => SuppressedMode::Include,
            "only" => SuppressedMode::Only,
            _ => return Err(ApiError::bad("suppressed must be exclude, include or only")),
        };
    }
    match get("status") {
        None => {}
        Some("all") => q.suppressed = SuppressedMode::Include,
        Some("suppressed") => q.suppressed = SuppressedMode::Only,
        Some(s) => {
            q.status = Some(Status::parse(s).ok_or_else(|| {
                ApiError::bad(
                    "status must be open, needs_review, true_match, false_positive, suppressed \
                     or all",
                )
            })?)
        }
    }
    q.filter.include_suppressed = q.suppressed != SuppressedMode::Exclude;
    Ok(q)
}

fn parse_u64(p: &HashMap<String, String>, key: &str) -> ApiResult<Option<u64>> {
    match p.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad(format!("{key} must be a non-negative integer"))),
    }
}

fn page_size(p: &HashMap<String, String>) -> ApiResult<usize> {
    Ok(parse_u64(p, "limit")?
        .map(|n| (n as usize).clamp(1, MAX_PAGE))
        .unwrap_or(PAGE))
}

/// One page of alerts.
#[derive(Debug, Serialize, Deserialize)]
pub struct AlertPage {
    pub alerts: Vec<AlertSummary>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<u64>,
    /// The newest `seq` in the store when the page was read: start the live stream after it.
    pub last_seq: u64,
}

/// `GET /api/alerts`: filtered, newest first, paged by `cursor` (a `seq`; the page holds older
/// alerts) and `limit` (default 50, at most 500).
pub async fn list_alerts(
    State(ctx): State<Arc<Context>>,
    Query(p): Query<HashMap<String, String>>,
) -> ApiResult<Json<AlertPage>> {
    let q = parse_query(&p)?;
    let cursor = parse_u64(&p, "cursor")?;
    let limit = page_size(&p)?;
    let store = store(&ctx);
    blocking(move || {
        // read before the page, so a stream started after it misses nothing
        let last_seq = store.last_seq()?;
        let alerts: Vec<AlertSummary> = match store.cases() {
            Some(c) => c.list(&q, cursor, limit)?.iter().map(Into::into).collect(),
            // the in-memory store knows no casework: every alert is open
            None if q.status.is_some_and(|s| s != Status::Open) => Vec::new(),
            None => store
                .before(&q.filter, cursor, limit)?
                .iter()
                .filter(|a| q.suppressed != SuppressedMode::Only || a.suppressed_by.is_some())
                .map(|a| AlertSummary::of(a, Status::Open))
                .collect(),
        };
        let next_cursor = (alerts.len() == limit)
            .then(|| alerts.last().map(|a| a.seq))
            .flatten();
        Ok(Json(AlertPage {
            alerts,
            next_cursor,
            last_seq,
        }))
    })
    .await
}

/// `GET /api/counts`: alerts per status under the same filters as the list (its `status` aside).
pub async fn counts(
    State(ctx): State<Arc<Context>>,
    Query(p): Query<HashMap<String, String>>,
) -> ApiResult<Json<StatusCounts>> {
    let q = parse_query(&p)?;
    let store = store(&ctx);
    blocking(move || Ok(Json(cases(store.as_ref())?.counts(&q)?))).await
}

/// One alert as the alert page shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct AlertDetail {
    pub alert: Alert,
    pub status: Status,
    /// Oldest first.
    pub dispositions: Vec<Disposition>,
    /// The watchlist entry as it is listed now (absent when it was removed since).
    pub entry: Option<WatchlistEntry>,
    /// This alert's audit trail, newest first (this view included).
    pub audit: Vec<AuditEvent>,
    /// Whether a false-positive decision on this alert would suppress later alerts (the
    /// traveller carries a document number or full date of birth).
    pub suppressible: bool,
}

/// `GET /api/alerts/{id}`: the alert, its decisions and audit trail, and the entry it matched.
/// Records a `viewed` audit event for the requesting analyst.
pub async fn get_alert(
    State(ctx): State<Arc<Context>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<AlertDetail>> {
    let who = analyst(&headers);
    let store = store(&ctx);
    let engine = ctx.engine.clone();
    blocking(move || {
        let (alert, status, dispositions, audit, suppressible) = match store.cases() {
            Some(c) => {
                let Some((listed, ds)) = c.case(&id)? else {
                    return Err(ApiError::not_found("alert", &id));
                };
                c.audit(&who, "viewed", Some(&id), serde_json::json!({}))?;
                let audit = c.audit_trail(Some(&id), None, 200)?;
                let suppressible =
                    crate::alerts::traveller_identity(b"", &listed.alert.traveller).is_some();
                (listed.alert, listed.status, ds, audit, suppressible)
            }
            None => match store.get(&id)? {
                Some(a) => (a, Status::Open, Vec::new(), Vec::new(), false),
                None => return Err(ApiError::not_found("alert", &id)),
            },
        };
        let entry = engine
            .screener()
            .index()
            .get(&alert.entry_id)
            .map(|e| (*e.entry).clone());
        Ok(Json(AlertDetail {
            alert,
            status,
            dispositions,
            entry,
            audit,
            suppressible,
        }))
    })
    .await
}

/// Body of `POST /api/alerts/{id}/disposition`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispositionRequest {
    /// `true_match`, `false_positive` or `needs_review`.
    pub verdict: String,
    #[serde(default)]
    pub comment: String,
    /// Overrides `X-Paxscreen-User`.
    #[serde(default)]
    pub analyst: Option<String>,
}

/// Answer to a recorded disposition.
#[derive(Debug, Serialize, Deserialize)]
pub struct DispositionResponse {
    pub disposition: Disposition,
    pub status: Status,
}

/// `POST /api/alerts/{id}/disposition`: records a decision (and its audit event).
pub async fn post_disposition(
    State(ctx): State<Arc<Context>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<DispositionRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<DispositionResponse>)> {
    let Json(req) =
        body.map_err(|e| ApiError::bad(format!("disposition body: {}", e.body_text())))?;
    let verdict = Verdict::parse(req.verdict.trim()).ok_or_else(|| {
        ApiError::bad("verdict must be true_match, false_positive or needs_review")
    })?;
    let who = match req.analyst.as_deref() {
        Some(a) => clean_analyst(a).ok_or_else(|| {
            ApiError::bad("analyst must be 1-64 characters without control characters")
        })?,
        None => analyst(&headers),
    };
    if req.comment.chars().count() > MAX_COMMENT {
        return Err(ApiError::bad(format!(
            "comment is longer than {MAX_COMMENT} characters"
        )));
    }
    let store = store(&ctx);
    blocking(move || {
        let c = cases(store.as_ref())?;
        let d = c
            .decide(&id, &who, verdict, req.comment.trim())?
            .ok_or_else(|| ApiError::not_found("alert", &id))?;
        metrics::counter!("paxscreen_dispositions_total", "verdict" => verdict.as_str())
            .increment(1);
        Ok((
            StatusCode::CREATED,
            Json(DispositionResponse {
                disposition: d,
                status: Status::from(verdict),
            }),
        ))
    })
    .await
}

/// `GET /api/stats?window=1h|6h|24h|7d`: activity for the charts, status counts, lists.
pub async fn stats(
    State(ctx): State<Arc<Context>>,
    Query(p): Query<HashMap<String, String>>,
) -> ApiResult<Json<serde_json::Value>> {
    let (span, bucket) = match p.get("window").map(String::as_str).unwrap_or("1h") {
        "1h" => (3_600, 60),
        "6h" => (6 * 3_600, 6 * 60),
        "24h" => (24 * 3_600, 30 * 60),
        "7d" => (7 * 24 * 3_600, 4 * 3_600),
        _ => return Err(ApiError::bad("window must be 1h, 6h, 24h or 7d")),
    };
    let store = store(&ctx);
    let engine = ctx.engine.clone();
    blocking(move || {
        let c = cases(store.as_ref())?;
        // whole buckets, the newest ending now
        let now = Utc::now().timestamp();
        let end = now - now.rem_euclid(bucket) + bucket;
        let since = DateTime::from_timestamp(end - span, 0).unwrap_or_default();
        let activity = c.activity(since, bucket as u64, (span / bucket) as usize)?;
        let counts = c.counts(&AlertQuery::default())?;
        let s = engine.stats();
        Ok(Json(serde_json::json!({
            "activity": activity,
            "counts": counts,
            "lists": s.lists,
            "indexed": s.indexed,
            "last_seq": store.last_seq()?,
            "live_subscribers": engine.hub().subscribers(),
            "alert_threshold": engine.policy().alert_threshold,
        })))
    })
    .await
}

/// A page of screened manifests.
#[derive(Debug, Serialize, Deserialize)]
pub struct FlightPage {
    pub flights: Vec<FlightSummary>,
    pub next_cursor: Option<u64>,
}

/// `GET /api/flights?flight=&cursor=&limit=`: screened manifests, newest first.
pub async fn list_flights(
    State(ctx): State<Arc<Context>>,
    Query(p): Query<HashMap<String, String>>,
) -> ApiResult<Json<FlightPage>> {
    let cursor = parse_u64(&p, "cursor")?;
    let limit = page_size(&p)?;
    let flight = p
        .get("flight")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let store = store(&ctx);
    blocking(move || {
        let flights = cases(store.as_ref())?.flights(flight.as_deref(), cursor, limit)?;
        let next_cursor = (flights.len() == limit)
            .then(|| flights.last().map(|f| f.seq))
            .flatten();
        Ok(Json(FlightPage {
            flights,
            next_cursor,
        }))
    })
    .await
}

/// One screened manifest: every traveller's result and the alerts it raised.
#[derive(Debug, Serialize, Deserialize)]
pub struct FlightDetail {
    pub flight: FlightSummary,
    pub travellers: Vec<TravellerResultRow>,
    pub alerts: Vec<AlertSummary>,
}

/// `GET /api/flights/{message_id}`.
pub async fn get_flight(
    State(ctx): State<Arc<Context>>,
    Path(message_id): Path<String>,
) -> ApiResult<Json<FlightDetail>> {
    let store = store(&ctx);
    blocking(move || {
        let c = cases(store.as_ref())?;
        let (flight, travellers) = c
            .flight(&message_id)?
            .ok_or_else(|| ApiError::not_found("screened manifest", &message_id))?;
        let alerts = c
            .alerts_of_message(&message_id)?
            .iter()
            .map(Into::into)
            .collect();
        Ok(Json(FlightDetail {
            flight,
            travellers,
            alerts,
        }))
    })
    .await
}

/// A page of the audit trail.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub next_cursor: Option<u64>,
}

/// `GET /api/audit?alert_id=&cursor=&limit=`: the audit trail, newest first.
pub async fn audit(
    State(ctx): State<Arc<Context>>,
    Query(p): Query<HashMap<String, String>>,
) -> ApiResult<Json<AuditPage>> {
    let cursor = parse_u64(&p, "cursor")?;
    let limit = page_size(&p)?;
    let alert_id = p
        .get("alert_id")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let store = store(&ctx);
    blocking(move || {
        let events = cases(store.as_ref())?.audit_trail(alert_id.as_deref(), cursor, limit)?;
        let next_cursor = (events.len() == limit)
            .then(|| events.last().map(|e| e.id))
            .flatten();
        Ok(Json(AuditPage {
            events,
            next_cursor,
        }))
    })
    .await
}
