//! `GET /api/alerts/stream`: new alerts as Server-Sent Events (`event: alert`, `id: <seq>`, data:
//! the list summary), filtered like `/api/alerts` (list, severity, flight, airport, min_score).
//!
//! Resuming: with `?after=SEQ` (or the `Last-Event-ID` header a reconnecting browser sends) the
//! stream first replays stored alerts after that `seq`, then goes live. It subscribes before
//! replaying and skips what it already sent, so nothing falls between the two. A viewer too slow
//! for the live channel is not waited for: it is told it lagged, re-reads what it missed from
//! the store and carries on (`paxscreen_dashboard_stream_resumed_total` counts the alerts
//! re-read). Suppressed alerts are never raised live. Streams end when the service shuts down.

use super::api::{AlertSummary, parse_query};
use crate::alerts::cases::Status;
use crate::alerts::{Alert, AlertFilter};
use crate::service::Context;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// Stored alerts read per replay step.
const REPLAY_PAGE: usize = 256;

struct Feed {
    ctx: Arc<Context>,
    rx: broadcast::Receiver<Arc<Alert>>,
    filter: AlertFilter,
    /// The highest `seq` sent or skipped; replays continue after it.
    last: u64,
    backlog: VecDeque<Alert>,
    replaying: bool,
    /// The `ready` event (with the stream's starting point) is sent first.
    greeted: bool,
}

fn event(a: &Alert) -> Event {
    let e = Event::default().event("alert").id(a.seq.to_string());
    match e.clone().json_data(AlertSummary::of(a, Status::Open)) {
        Ok(e) => e,
        // serialising a summary cannot fail (no maps with non-string keys); keep the id moving
        Err(_) => e.data("{}"),
    }
}

impl Feed {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Feed)> {
        if !self.greeted {
            self.greeted = true;
            let ev = Event::default()
                .event("ready")
                .data(serde_json::json!({ "after": self.last }).to_string());
            return Some((Ok(ev), self));
        }
        loop {
            if let Some(a) = self.backlog.pop_front() {
                if a.seq > self.last {
                    self.last = a.seq;
                    return Some((Ok(event(&a)), self));
                }
                continue;
            }
            if self.replaying {
                let store = self.ctx.engine.hub().store().clone();
                let (filter, after) = (self.filter.clone(), self.last);
                let page =
                    tokio::task::spawn_blocking(move || store.after(&filter, after, REPLAY_PAGE))
                        .await;
                match page {
                    Ok(Ok(v)) => {
                        self.replaying = v.len() == REPLAY_PAGE;
                        metrics::counter!("paxscreen_dashboard_stream_resumed_total")
                            .increment(v.len() as u64);
                        self.backlog.extend(v);
                    }
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "alert stream: reading the store failed");
                        return None;
                    }
                    Err(_) => return None,
                }
                continue;
            }
            tokio::select! {
                _ = self.ctx.shutdown.cancelled() => return None,
                r = self.rx.recv() => match r {
                    Ok(a) => {
                        if a.seq <= self.last {
                            continue;
                        }
                        // filtered-out alerts move the cursor too: a replay would skip them
                        self.last = a.seq;
                        if self.filter.matches(&a) {
                            return Some((Ok(event(&a)), self));
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        metrics::counter!("paxscreen_dashboard_stream_lagged_total").increment(n);
                        self.replaying = true;
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        }
    }
}

/// The SSE handler.
pub async fn alerts(
    State(ctx): State<Arc<Context>>,
    Query(p): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, super::api::ApiError> {
    let q = parse_query(&p)?;
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .or_else(|| p.get("after").and_then(|v| v.trim().parse::<u64>().ok()));
    // subscribe first, then look at the store: an alert stored in between is in both and sent once
    let rx = ctx.engine.hub().subscribe();
    let mut filter = q.filter;
    filter.include_suppressed = false;
    let feed = Feed {
        ctx,
        rx,
        filter,
        last: resume.unwrap_or(0),
        backlog: VecDeque::new(),
        replaying: resume.is_some(),
        greeted: false,
    };
    let stream = futures::stream::unfold(feed, Feed::next);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
