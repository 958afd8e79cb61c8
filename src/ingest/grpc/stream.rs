//! `ScreenStream`: travellers in, one result each out, in order, for high-volume clients.
//!
//! Two tasks per stream, joined by bounded channels so that back-pressure reaches the client
//! through HTTP/2 flow control (a client that stops reading results stops being read from):
//!
//! ```text
//! client ─► reader ──(batches, 2 deep)──► screener ──(results, 1,024 deep)──► client
//! ```
//!
//! The reader gathers up to [`BATCH`] travellers, or what arrived within [`WINDOW`] of the
//! first, so that one blocking screening call (parallel on the rayon pool) amortises the
//! per-call overhead. While one batch is screened the next one fills.
//!
//! Alert ids: each streamed item is its own message (the traveller and its flight), so the
//! same traveller on the same flight streamed again yields the same ids.

use super::errors::{self, Violations};
use super::layers;
use super::pb;
use super::screening::screening_work;
use super::{Shared, convert};
use crate::alerts::{self, Alert, Source};
use crate::engine::Engine;
use crate::model::{Flight, Manifest, Traveller};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Status, Streaming};

/// The response stream handed to tonic.
pub type ResultStream = ReceiverStream<Result<pb::ScreenStreamResponse, Status>>;

/// Most travellers screened in one blocking call (fewer when `limits.max_travellers` is lower).
pub const BATCH: usize = 256;
/// How long the reader waits for more travellers once a batch has one.
pub const WINDOW: Duration = Duration::from_millis(2);
/// Results buffered ahead of a slow client.
const OUT_CAPACITY: usize = 1024;

struct Item {
    sequence: u64,
    req: pb::ScreenStreamRequest,
}

enum Work {
    Batch(Vec<Item>),
    /// The input ended; `Some` ends the response stream with that status.
    End(Option<Status>),
}

pub(crate) fn start(
    shared: Arc<Shared>,
    input: Streaming<pb::ScreenStreamRequest>,
    deadline: Option<Instant>,
) -> ResultStream {
    let (out_tx, out_rx) = mpsc::channel(OUT_CAPACITY);
    let (work_tx, work_rx) = mpsc::channel(2);
    let engine = shared.ctx.engine.clone();
    let batch = BATCH.min(engine.limits().max_travellers).max(1);
    let max_bytes = engine.limits().max_message_bytes;
    tokio::spawn(read(
        input,
        work_tx,
        batch,
        deadline,
        shared.ctx.shutdown.clone(),
        max_bytes,
    ));
    tokio::spawn(screen(engine, work_rx, out_tx));
    ReceiverStream::new(out_rx)
}

/// What ended a wait for the next message. A short-lived return value, moved once: boxing the
/// large variant would cost an allocation per streamed traveller for nothing.
#[allow(clippy::large_enum_variant)]
enum Next {
    Item(pb::ScreenStreamRequest),
    End(Option<Status>),
    /// The batch window closed.
    Window,
}

async fn next(
    input: &mut Streaming<pb::ScreenStreamRequest>,
    window: Option<Instant>,
    deadline: Option<Instant>,
    shutdown: &CancellationToken,
    max_bytes: usize,
) -> Next {
    let far = || Instant::now() + Duration::from_secs(86_400 * 365);
    tokio::select! {
        biased;
        _ = shutdown.cancelled() => Next::End(Some(errors::shutting_down())),
        _ = tokio::time::sleep_until(deadline.unwrap_or_else(far)), if deadline.is_some() => {
            Next::End(Some(errors::deadline_exceeded("the stream")))
        }
        _ = tokio::time::sleep_until(window.unwrap_or_else(far)), if window.is_some() => Next::Window,
        // `message` is cancel-safe: a partly received message stays buffered in `input`
        m = input.message() => match m {
            Ok(Some(r)) => Next::Item(r),
            Ok(None) => Next::End(None),
            Err(s) => Next::End(Some(layers::stream_error(s, max_bytes))),
        },
    }
}

async fn read(
    mut input: Streaming<pb::ScreenStreamRequest>,
    work: mpsc::Sender<Work>,
    batch: usize,
    deadline: Option<Instant>,
    shutdown: CancellationToken,
    max_bytes: usize,
) {
    let mut sequence = 0u64;
    loop {
        let mut items = Vec::with_capacity(batch);
        let mut window = None;
        let end = loop {
            match next(&mut input, window, deadline, &shutdown, max_bytes).await {
                Next::Item(req) => {
                    items.push(Item { sequence, req });
                    sequence += 1;
                    window.get_or_insert_with(|| Instant::now() + WINDOW);
                    if items.len() >= batch {
                        break None;
                    }
                }
                Next::Window => break None,
                Next::End(status) => break Some(status),
            }
        };
        // travellers already received are screened even when the stream ends with an error
        if !items.is_empty() && work.send(Work::Batch(items)).await.is_err() {
            return;
        }
        if let Some(status) = end {
            let _ = work.send(Work::End(status)).await;
            return;
        }
    }
}

async fn screen(
    engine: Arc<Engine>,
    mut work: mpsc::Receiver<Work>,
    out: mpsc::Sender<Result<pb::ScreenStreamResponse, Status>>,
) {
    while let Some(w) = work.recv().await {
        match w {
            Work::Batch(items) => {
                let engine = engine.clone();
                let results =
                    match screening_work(None, "screening", move || screen_batch(&engine, items))
                        .await
                    {
                        Ok(r) => r,
                        Err(status) => {
                            let _ = out.send(Err(status)).await;
                            return;
                        }
                    };
                for r in results {
                    if out.send(Ok(r)).await.is_err() {
                        return; // the client went away
                    }
                }
            }
            Work::End(status) => {
                if let Some(s) = status {
                    let _ = out.send(Err(s)).await;
                }
                return;
            }
        }
    }
}

fn error_response(item: &Item, message: String) -> pb::ScreenStreamResponse {
    pb::ScreenStreamResponse {
        correlation_id: item.req.correlation_id.clone(),
        sequence: item.sequence,
        error: message,
        ..Default::default()
    }
}

/// Screens one batch and publishes its alerts; one response per item, in order.
fn screen_batch(
    engine: &Engine,
    items: Vec<Item>,
) -> Result<Vec<pb::ScreenStreamResponse>, Status> {
    let mut out: Vec<pb::ScreenStreamResponse> = Vec::with_capacity(items.len());
    // (position in `out`, flight) of each traveller sent to the engine
    let mut screened: Vec<(usize, Option<Flight>)> = Vec::with_capacity(items.len());
    let mut travellers: Vec<Traveller> = Vec::with_capacity(items.len());
    for mut item in items {
        let Some(t) = item.req.traveller.take() else {
            out.push(error_response(&item, "traveller: required".into()));
            continue;
        };
        let mut v = Violations::default();
        let t = convert::traveller(&mut v, item.sequence as usize, t, &|| "traveller".into());
        if let Err(s) = v.into_result() {
            out.push(error_response(&item, s.message().to_string()));
            continue;
        }
        screened.push((out.len(), item.req.flight.take().map(convert::flight)));
        out.push(pb::ScreenStreamResponse {
            correlation_id: std::mem::take(&mut item.req.correlation_id),
            sequence: item.sequence,
            traveller_id: t.passenger.id.clone(),
            ..Default::default()
        });
        travellers.push(t);
    }
    if travellers.is_empty() {
        return Ok(out);
    }
    let source = Source::Grpc {
        method: "ScreenStream".into(),
    };
    let batch = Manifest {
        travellers,
        ..Manifest::default()
    };
    let outcome = engine
        .screen_manifest(&batch, &source)
        .map_err(errors::engine)?;
    let threshold = engine.policy().alert_threshold;
    let now = alerts::now();
    let mut raised: Vec<Alert> = Vec::new();
    for ((r, (pos, flight)), t) in outcome
        .results
        .into_iter()
        .zip(screened)
        .zip(batch.travellers)
    {
        let resp = &mut out[pos];
        if r.matches.iter().any(|m| m.score >= threshold) {
            // the item alone is the message its alert ids derive from
            let one = Manifest {
                flights: flight.into_iter().collect(),
                travellers: vec![t],
                ..Manifest::default()
            };
            let id = alerts::message_id(&one);
            let a = alerts::alerts_for(
                &one,
                &id,
                std::slice::from_ref(&r.matches),
                threshold,
                &source,
                now,
            );
            resp.alert_ids = a.iter().map(|a| a.alert_id.clone()).collect();
            raised.extend(a);
        }
        resp.decision = convert::decision_pb(r.decision) as i32;
        resp.matches = r.matches.iter().map(convert::match_pb).collect();
    }
    engine.publish(raised).map_err(errors::engine)?;
    Ok(out)
}
