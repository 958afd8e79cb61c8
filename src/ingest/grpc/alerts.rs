//! `AlertService`: live alert streams with resume, paged listing, lookup.
//!
//! A stream keeps a cursor: the highest `seq` it has covered (sent, or examined and filtered
//! out). It subscribes to the hub before it reads the store, replays what the store holds after
//! the cursor, then takes live alerts, dropping any at or below the cursor. Whenever a live
//! alert arrives past a gap — the subscriber lagged and the hub dropped alerts for it, or alerts
//! were raised while it replayed — the gap is filled from the store first; only alerts the
//! store no longer holds are reported lost, with a `Lagged` event. The hub never waits for a
//! subscriber, so a slow client cannot slow screening.

use super::errors::{self, Violations};
use super::pb::alert_service_server::AlertService;
use super::pb::{self, alert_event::Event};
use super::{Shared, convert};
use crate::alerts::{Alert, AlertFilter, AlertStore, StoreError};
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

/// Alerts read from the store per query while replaying.
const PAGE: usize = 256;
/// Events buffered ahead of a slow client (beyond this the hub's per-subscriber backlog, then
/// the store, take over).
const OUT_CAPACITY: usize = 256;

pub struct Alerts {
    pub(super) shared: Arc<Shared>,
}

/// Runs a store call on a blocking thread (a durable store does I/O).
async fn store_call<T: Send + 'static>(
    store: &Arc<dyn AlertStore>,
    f: impl FnOnce(&dyn AlertStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Status> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(store.as_ref()))
        .await
        .map_err(|_| errors::internal("alert store call"))?
        .map_err(|e| Status::unavailable(format!("alert store unavailable: {e}")))
}

/// Matches every alert: used to see whether the store still holds a stretch of the log.
fn everything() -> AlertFilter {
    AlertFilter {
        include_suppressed: true,
        ..AlertFilter::default()
    }
}

type Tx = mpsc::Sender<Result<pb::AlertEvent, Status>>;

fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + std::time::Duration::from_secs(86_400 * 365)
}

/// One subscriber's feed.
struct Feed {
    store: Arc<dyn AlertStore>,
    filter: AlertFilter,
    tx: Tx,
    shutdown: CancellationToken,
    /// The call's deadline, if the client set one: the stream ends there with
    /// DEADLINE_EXCEEDED.
    deadline: Option<tokio::time::Instant>,
    /// Highest seq covered so far.
    cursor: u64,
}

impl Feed {
    /// Sends an event; false when the client has gone or the server is stopping.
    async fn send(&self, event: Event) -> bool {
        tokio::select! {
            r = self.tx.send(Ok(pb::AlertEvent { event: Some(event) })) => r.is_ok(),
            _ = self.shutdown.cancelled() => false,
        }
    }

    /// Sends what the store holds after the cursor and below `until` (everything when `None`),
    /// reporting a stretch the store no longer holds (when `report_loss`). `Ok(false)`: the
    /// client has gone; `Err` ends the stream with that status.
    async fn catch_up(&mut self, until: Option<u64>, report_loss: bool) -> Result<bool, Status> {
        loop {
            let (cursor, filter) = (self.cursor, self.filter.clone());
            let (oldest, last, page) = store_call(&self.store, move |s| {
                // the oldest alert after the cursor the store still holds: anything between
                // the cursor and it is gone
                let oldest = s.after(&everything(), cursor, 1)?.first().map(|a| a.seq);
                // read before the page: when the page comes back short, everything up to
                // `last` has been examined
                let last = s.last_seq()?;
                Ok((oldest, last, s.after(&filter, cursor, PAGE)?))
            })
            .await?;
            let resumes_at = match (oldest, until) {
                (Some(o), Some(u)) => Some(o.min(u)),
                (o, u) => o.or(u),
            };
            if let Some(f) = resumes_at
                && f > self.cursor + 1
            {
                let missed = f - self.cursor - 1;
                if report_loss {
                    metrics::counter!("paxscreen_alert_stream_lost_total").increment(missed);
                    let lagged = pb::Lagged {
                        missed,
                        resume_after_seq: self.cursor,
                    };
                    if !self.send(Event::Lagged(lagged)).await {
                        return Ok(false);
                    }
                }
                self.cursor = f - 1;
            }
            let full = page.len() == PAGE;
            for a in page {
                if a.seq <= self.cursor {
                    continue; // before a gap just skipped
                }
                if until.is_some_and(|u| a.seq >= u) {
                    self.cursor = self.cursor.max(until.map_or(0, |u| u - 1));
                    return Ok(true);
                }
                self.cursor = a.seq;
                if !self.send(Event::Alert(convert::alert_pb(&a))).await {
                    return Ok(false);
                }
            }
            if !full {
                let examined = until.map_or(last, |u| last.min(u - 1));
                self.cursor = self.cursor.max(examined);
                return Ok(true);
            }
        }
    }

    /// Takes one live alert; false ends the feed.
    async fn live(&mut self, a: Arc<Alert>) -> Result<bool, Status> {
        if a.seq <= self.cursor {
            return Ok(true); // replayed already
        }
        if a.seq > self.cursor + 1 && !self.catch_up(Some(a.seq), true).await? {
            return Ok(false);
        }
        if a.seq <= self.cursor {
            return Ok(true);
        }
        self.cursor = a.seq;
        if self.filter.matches(&a) {
            return Ok(self.send(Event::Alert(convert::alert_pb(&a))).await);
        }
        Ok(true)
    }

    async fn run(
        mut self,
        mut rx: broadcast::Receiver<Arc<Alert>>,
        replay: bool,
        report_loss: bool,
    ) {
        if replay {
            match self.catch_up(None, report_loss).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(s) => {
                    let _ = self.tx.send(Err(s)).await;
                    return;
                }
            }
        }
        if !self
            .send(Event::CaughtUp(pb::CaughtUp {
                last_seq: self.cursor,
            }))
            .await
        {
            return;
        }
        loop {
            let r = tokio::select! {
                biased;
                _ = self.shutdown.cancelled() => {
                    let _ = self.tx.try_send(Err(Status::unavailable(format!(
                        "server shutting down; resume with after_seq = {}",
                        self.cursor
                    ))));
                    return;
                }
                _ = self.tx.closed() => return,
                _ = tokio::time::sleep_until(self.deadline.unwrap_or_else(far_future)), if self.deadline.is_some() => {
                    let _ = self.tx.try_send(Err(errors::deadline_exceeded("the alert stream")));
                    return;
                }
                r = rx.recv() => r,
            };
            let step = match r {
                Ok(a) => self.live(a).await,
                // the hub dropped alerts for this subscriber; the next one received is past the
                // gap, and `live` fills it from the store
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    metrics::counter!("paxscreen_alert_stream_lagged_total").increment(n);
                    Ok(true)
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            match step {
                Ok(true) => {}
                Ok(false) => return,
                Err(s) => {
                    let _ = self.tx.send(Err(s)).await;
                    return;
                }
            }
        }
    }
}

#[tonic::async_trait]
impl AlertService for Alerts {
    type StreamAlertsStream = ReceiverStream<Result<pb::AlertEvent, Status>>;

    async fn stream_alerts(
        &self,
        request: Request<pb::StreamAlertsRequest>,
    ) -> Result<Response<Self::StreamAlertsStream>, Status> {
        use pb::stream_alerts_request::Start;
        let deadline = errors::Deadline::of(&request);
        let req = request.into_inner();
        let mut v = Violations::default();
        let mut filter = convert::alert_filter(&mut v, "filter", req.filter);
        let hub = self.shared.ctx.engine.hub();
        let store = hub.store().clone();
        // (cursor, replay, report loss)
        let start = match req.start {
            None => None,
            Some(Start::AfterSeq(after)) => {
                let last = store_call(&store, |s| s.last_seq()).await?;
                if after > last {
                    // a cursor from another store (or before a restart of an in-memory one)
                    return Err(Status::out_of_range(format!(
                        "after_seq {after} is beyond the last stored alert ({last}); the store may have been reset"
                    )));
                }
                Some((after, true))
            }
            Some(Start::AfterAlertId(id)) => {
                if id.trim().is_empty() {
                    v.add("after_alert_id", "empty");
                    None
                } else {
                    v.into_result()?;
                    v = Violations::default();
                    let a = store_call(&store, move |s| s.get(&id)).await?;
                    let a = a.ok_or_else(|| {
                        Status::not_found(
                            "after_alert_id: the store does not hold this alert; resume by after_seq or since",
                        )
                    })?;
                    Some((a.seq, true))
                }
            }
            Some(Start::Since(t)) => {
                filter.since = convert::from_timestamp(&mut v, "since", &t);
                // the time filter decides what is replayed; what the store forgot is not
                // reported (it may all be older than `since`)
                Some((0, false))
            }
        };
        v.into_result()?;
        // subscribe before reading the store: nothing raised from here on can fall between
        // the replay and the live feed
        let rx = hub.subscribe();
        let (tx, out) = mpsc::channel(OUT_CAPACITY);
        let (cursor, replay, report_loss) = match start {
            Some((cursor, report_loss)) => (cursor, true, report_loss),
            None => (store_call(&store, |s| s.last_seq()).await?, false, false),
        };
        let feed = Feed {
            store,
            filter,
            tx,
            shutdown: self.shared.ctx.shutdown.clone(),
            deadline,
            cursor,
        };
        tokio::spawn(feed.run(rx, replay, report_loss));
        Ok(Response::new(ReceiverStream::new(out)))
    }

    async fn list_alerts(
        &self,
        request: Request<pb::ListAlertsRequest>,
    ) -> Result<Response<pb::ListAlertsResponse>, Status> {
        let req = request.into_inner();
        let mut v = Violations::default();
        let filter = convert::alert_filter(&mut v, "filter", req.filter);
        let size = match req.page_size {
            0 => 100,
            n => (n as usize).min(1000),
        };
        let before = if req.page_token.is_empty() {
            None
        } else {
            match req.page_token.parse::<u64>() {
                Ok(s) => Some(s),
                Err(_) => {
                    v.add("page_token", "not a token this service issued");
                    None
                }
            }
        };
        v.into_result()?;
        let store = self.shared.ctx.engine.hub().store().clone();
        // one more than asked tells whether there is a next page
        let mut page = store_call(&store, move |s| s.before(&filter, before, size + 1)).await?;
        let next = if page.len() > size {
            page.truncate(size);
            page.last().map(|a| a.seq.to_string()).unwrap_or_default()
        } else {
            String::new()
        };
        Ok(Response::new(pb::ListAlertsResponse {
            alerts: page.iter().map(convert::alert_pb).collect(),
            next_page_token: next,
        }))
    }

    async fn get_alert(
        &self,
        request: Request<pb::GetAlertRequest>,
    ) -> Result<Response<pb::Alert>, Status> {
        let id = request.into_inner().alert_id;
        if id.trim().is_empty() {
            return Err(errors::invalid("alert_id", "empty"));
        }
        let store = self.shared.ctx.engine.hub().store().clone();
        match store_call(&store, move |s| s.get(&id)).await? {
            Some(a) => Ok(Response::new(convert::alert_pb(&a))),
            None => Err(Status::not_found("no alert with this id in the store")),
        }
    }
}
