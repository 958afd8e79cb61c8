//! `ScreeningService`: structured manifests, raw PAXLST, iAPI boarding checks. Each call turns its
//! input into [`Manifest`]s, screens them with the [`Engine`] on a blocking thread, publishes the
//! alerts (store, then broadcast) and only then answers. `ScreenStream` lives in [`super::stream`].

use super::errors::{self, Deadline, Violations};
use super::pb::screening_service_server::ScreeningService;
use super::pb::{self};
use super::{Shared, convert, stream};
use crate::alerts::Source;
use crate::engine::{Decision, Engine, ManifestOutcome};
use crate::model::Manifest;
use crate::paxlst::{
    self, Assembler, BoardingStatus, CusresOptions, ParseOptions, ParsedMessage, build_cusres,
};
use prost::Message;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tonic::{Request, Response, Status, Streaming};

pub struct Screening {
    pub(super) shared: Arc<Shared>,
}

/// Runs screening on the rayon pool, answering DEADLINE_EXCEEDED if the call's deadline passes
/// first. The work itself is not interrupted (screening is synchronous): it finishes in the
/// background, and what it publishes is kept — deterministic alert ids make the client's retry
/// raise nothing twice.
///
/// Why rayon rather than `spawn_blocking`: the engine screens on the rayon pool anyway, and
/// called from a rayon worker its parallel loop starts right there, instead of a blocking
/// thread handing the work to rayon and sleeping until it is done — two thread wake-ups fewer
/// per call (measured: iAPI p90 3.1–3.4 ms → 1.0–1.2 ms on the shared VM, see the README).
///
/// At most [`SLOTS`] screenings are queued on or running in the pool; further calls wait here
/// (asynchronously, within their deadline). A rayon worker waiting inside a parallel loop runs
/// other queued jobs, so the bound also bounds how deeply screenings can nest on one worker's
/// stack.
///
/// Only for work that holds no lock while it runs rayon-parallel code: a rayon worker waiting
/// inside a parallel loop may pick up another queued job, and if that job wanted the same lock
/// the worker would wait on itself. Watchlist changes (which hold the engine's list lock while a
/// new index builds in parallel) use [`blocking_thread`].
pub(super) async fn screening_work<T: Send + 'static>(
    deadline: Option<Instant>,
    what: &'static str,
    f: impl FnOnce() -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    if deadline.is_some_and(|d| d <= Instant::now()) {
        return Err(errors::deadline_exceeded(what));
    }
    let slots = SLOTS
        .get_or_init(|| tokio::sync::Semaphore::new((4 * rayon::current_num_threads()).max(8)));
    let permit = match deadline {
        Some(d) => match tokio::time::timeout_at(d, slots.acquire()).await {
            Ok(p) => p,
            Err(_) => return Err(errors::deadline_exceeded(what)),
        },
        None => slots.acquire().await,
    }
    .map_err(|_| errors::internal(what))?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        // a panic must not reach rayon (its default handler aborts the process)
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r.ok());
        // the slot is free when the work is, not when a caller stops waiting for it
        drop(permit);
    });
    finish(deadline, what, async { rx.await.ok().flatten() }).await
}

/// Screenings admitted to the rayon pool at once (see [`screening_work`]).
static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();

/// Runs work on a blocking thread (watchlist changes, statistics), with the same deadline rule.
pub(super) async fn blocking_thread<T: Send + 'static>(
    deadline: Option<Instant>,
    what: &'static str,
    f: impl FnOnce() -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    if deadline.is_some_and(|d| d <= Instant::now()) {
        return Err(errors::deadline_exceeded(what));
    }
    let task = tokio::task::spawn_blocking(f);
    finish(deadline, what, async { task.await.ok() }).await
}

/// Waits for `done` (None: the work panicked) until the deadline.
async fn finish<T>(
    deadline: Option<Instant>,
    what: &'static str,
    done: impl std::future::Future<Output = Option<Result<T, Status>>>,
) -> Result<T, Status> {
    let joined = match deadline {
        Some(d) => match tokio::time::timeout_at(d, done).await {
            Ok(j) => j,
            Err(_) => {
                metrics::counter!("paxscreen_grpc_deadline_exceeded_total", "work" => what)
                    .increment(1);
                return Err(errors::deadline_exceeded(what));
            }
        },
        None => done.await,
    };
    joined.unwrap_or_else(|| Err(errors::internal(what)))
}

fn grpc(method: &str) -> Source {
    Source::Grpc {
        method: method.to_string(),
    }
}

/// Screens and publishes; returns the outcome and how many alerts were new.
fn screen_and_publish(
    engine: &Engine,
    m: &Manifest,
    source: &Source,
) -> Result<(ManifestOutcome, usize), Status> {
    let outcome = engine.screen_manifest(m, source).map_err(errors::engine)?;
    let fresh = engine
        .publish(outcome.alerts.clone())
        .map_err(errors::engine)?;
    Ok((outcome, fresh.len()))
}

fn alert_ids(o: &ManifestOutcome) -> Vec<String> {
    o.alerts.iter().map(|a| a.alert_id.clone()).collect()
}

/// What one EDIFACT input holds.
struct Paxlst {
    /// Flight manifests, multi-part messages assembled, in input order.
    manifests: Vec<Manifest>,
    /// How many of `manifests` (at the end) are multi-part messages with parts missing; each
    /// carries a warning naming them.
    incomplete: usize,
    /// Messages that are not PAXLST.
    skipped: Vec<pb::SkippedMessage>,
}

fn paxlst_manifests(
    bytes: &[u8],
    opts: &ParseOptions,
    field: &str,
    max_travellers: usize,
) -> Result<Paxlst, Status> {
    let messages =
        paxlst::parse(bytes, opts).map_err(|e| errors::edifact(field, &e, max_travellers))?;
    // everything arrived in this one request: no time passes between parts
    let mut asm = Assembler::new(Duration::ZERO);
    let mut manifests = Vec::new();
    let mut skipped = Vec::new();
    for m in messages {
        match m {
            ParsedMessage::Paxlst { manifest, part } => {
                if let Some(done) = asm.push(manifest, part, Duration::ZERO) {
                    manifests.push(done);
                }
            }
            ParsedMessage::Cusres(c) => skipped.push(pb::SkippedMessage {
                message_type: "CUSRES".into(),
                message_ref: c.message_ref.unwrap_or_default(),
                reason: "a CUSRES response is not screened".into(),
            }),
            ParsedMessage::Unsupported {
                message_type,
                message_ref,
                segment,
                offset,
            } => skipped.push(pb::SkippedMessage {
                message_type,
                message_ref: message_ref.unwrap_or_default(),
                reason: format!("segment {segment} at byte {offset}: message type not screened"),
            }),
        }
    }
    let incomplete = asm.flush();
    let n = incomplete.len();
    manifests.extend(incomplete);
    Ok(Paxlst {
        manifests,
        incomplete: n,
        skipped,
    })
}

impl Screening {
    fn engine(&self) -> Arc<Engine> {
        self.shared.ctx.engine.clone()
    }

    fn parse_options(&self) -> ParseOptions {
        let l = self.shared.ctx.engine.limits();
        ParseOptions {
            max_bytes: l.max_message_bytes,
            max_travellers: l.max_travellers,
            ..ParseOptions::default()
        }
    }

    /// A structured manifest, checked against the limits before any conversion work.
    fn structured(
        &self,
        field: &str,
        m: Option<pb::Manifest>,
        encoded: usize,
    ) -> Result<Manifest, Status> {
        let engine = &self.shared.ctx.engine;
        engine.check_size(encoded).map_err(errors::engine)?;
        let Some(m) = m else {
            return Err(errors::invalid(field, "required"));
        };
        let max = engine.limits().max_travellers;
        if m.travellers.len() > max {
            return Err(errors::engine(
                crate::engine::EngineError::TooManyTravellers {
                    got: m.travellers.len(),
                    max,
                },
            ));
        }
        let mut v = Violations::default();
        let m = convert::manifest(&mut v, field, m);
        v.into_result()?;
        Ok(m)
    }
}

#[tonic::async_trait]
impl ScreeningService for Screening {
    async fn screen_manifest(
        &self,
        request: Request<pb::ScreenManifestRequest>,
    ) -> Result<Response<pb::ScreenManifestResponse>, Status> {
        let deadline = Deadline::of(&request);
        let req = request.into_inner();
        let encoded = req.encoded_len();
        let m = self.structured("manifest", req.manifest, encoded)?;
        let engine = self.engine();
        let resp = screening_work(deadline, "screening", move || {
            let (o, new_alerts) = screen_and_publish(&engine, &m, &grpc("ScreenManifest"))?;
            Ok(pb::ScreenManifestResponse {
                alert_ids: alert_ids(&o),
                message_id: o.message_id,
                results: o.results.iter().map(convert::traveller_result).collect(),
                new_alerts: new_alerts as u32,
            })
        })
        .await?;
        Ok(Response::new(resp))
    }

    async fn submit_paxlst(
        &self,
        request: Request<pb::SubmitPaxlstRequest>,
    ) -> Result<Response<pb::SubmitPaxlstResponse>, Status> {
        let deadline = Deadline::of(&request);
        let edifact = request.into_inner().edifact;
        let engine = self.engine();
        engine.check_size(edifact.len()).map_err(errors::engine)?;
        let opts = self.parse_options();
        let resp = screening_work(deadline, "screening", move || {
            let max = engine.limits().max_travellers;
            let Paxlst {
                manifests, skipped, ..
            } = paxlst_manifests(&edifact, &opts, "edifact", max)?;
            // refuse the whole submission before anything is screened or published
            if let Some(m) = manifests.iter().find(|m| m.travellers.len() > max) {
                return Err(errors::engine(
                    crate::engine::EngineError::TooManyTravellers {
                        got: m.travellers.len(),
                        max,
                    },
                ));
            }
            let source = grpc("SubmitPaxlst");
            let mut outcomes = Vec::with_capacity(manifests.len());
            for m in &manifests {
                outcomes.push(engine.screen_manifest(m, &source).map_err(errors::engine)?);
            }
            let all: Vec<_> = outcomes.iter().flat_map(|o| o.alerts.clone()).collect();
            let fresh = engine.publish(all).map_err(errors::engine)?;
            let fresh: std::collections::HashSet<&str> =
                fresh.iter().map(|a| a.alert_id.as_str()).collect();
            let manifests = manifests
                .iter()
                .zip(&outcomes)
                .map(|(m, o)| pb::ScreenedManifest {
                    message_id: o.message_id.clone(),
                    message_ref: m.message_ref.clone().unwrap_or_default(),
                    parts: m.parts.clone(),
                    flights: m.flights.iter().map(convert::flight_pb).collect(),
                    results: o.results.iter().map(convert::traveller_result).collect(),
                    warnings: m.warnings.clone(),
                    alert_ids: alert_ids(o),
                    new_alerts: o
                        .alerts
                        .iter()
                        .filter(|a| fresh.contains(a.alert_id.as_str()))
                        .count() as u32,
                })
                .collect();
            Ok(pb::SubmitPaxlstResponse { manifests, skipped })
        })
        .await?;
        Ok(Response::new(resp))
    }

    type ScreenStreamStream = stream::ResultStream;

    async fn screen_stream(
        &self,
        request: Request<Streaming<pb::ScreenStreamRequest>>,
    ) -> Result<Response<Self::ScreenStreamStream>, Status> {
        let deadline = Deadline::of(&request);
        Ok(Response::new(stream::start(
            self.shared.clone(),
            request.into_inner(),
            deadline,
        )))
    }

    async fn check_boarding(
        &self,
        request: Request<pb::CheckBoardingRequest>,
    ) -> Result<Response<pb::CheckBoardingResponse>, Status> {
        use pb::check_boarding_request::Request as R;
        let deadline = Deadline::of(&request);
        let req = request.into_inner();
        let encoded = req.encoded_len();
        let engine = self.engine();
        let input = match req.request {
            None => return Err(errors::invalid("request", "paxlst or manifest required")),
            Some(R::Manifest(m)) => Ok(self.structured("manifest", Some(m), encoded)?),
            Some(R::Paxlst(bytes)) => {
                engine.check_size(bytes.len()).map_err(errors::engine)?;
                Err(bytes)
            }
        };
        let resp = match input {
            Ok(m) if m.travellers.len() <= 1 => boarding_here(deadline, engine, m).await?,
            input => {
                let opts = self.parse_options();
                screening_work(deadline, "boarding check", move || {
                    let m = match input {
                        Ok(m) => m,
                        Err(bytes) => one_paxlst_manifest(&engine, &bytes, &opts)?,
                    };
                    let (o, _) = screen_and_publish(&engine, &m, &grpc("CheckBoarding"))?;
                    Ok(boarding_response(&m, &o))
                })
                .await?
            }
        };
        Ok(Response::new(resp))
    }
}

/// A boarding check of one structured traveller (the usual interactive check at a counter),
/// screened on the calling runtime thread: a fraction of a millisecond of work costs less than
/// the two thread wake-ups of a trip to the rayon pool, which made most of the latency tail
/// (README). Alerts, which may mean a durable write, are still published off the runtime's
/// threads.
async fn boarding_here(
    deadline: Option<Instant>,
    engine: Arc<Engine>,
    m: Manifest,
) -> Result<pb::CheckBoardingResponse, Status> {
    if deadline.is_some_and(|d| d <= Instant::now()) {
        return Err(errors::deadline_exceeded("boarding check"));
    }
    let o = engine
        .screen_manifest(&m, &grpc("CheckBoarding"))
        .map_err(errors::engine)?;
    if o.alerts.is_empty() {
        return Ok(boarding_response(&m, &o));
    }
    blocking_thread(deadline, "boarding check", move || {
        engine.publish(o.alerts.clone()).map_err(errors::engine)?;
        Ok(boarding_response(&m, &o))
    })
    .await
}

/// The one flight manifest a PAXLST boarding check must hold, every part present.
fn one_paxlst_manifest(
    engine: &Engine,
    bytes: &[u8],
    opts: &ParseOptions,
) -> Result<Manifest, Status> {
    let max = engine.limits().max_travellers;
    let p = paxlst_manifests(bytes, opts, "paxlst", max)?;
    if p.incomplete > 0 {
        // a boarding answer for part of a flight would silently skip travellers
        return Err(errors::invalid(
            "paxlst",
            "a multi-part message with parts missing; send every part",
        ));
    }
    let mut ms = p.manifests;
    if ms.len() != 1 {
        return Err(errors::invalid(
            "paxlst",
            format!(
                "expected one PAXLST flight manifest, the input holds {}",
                ms.len()
            ),
        ));
    }
    Ok(ms.remove(0))
}

/// The carrier's answer: decisions and CUSRES only. Nothing from the matches (entry ids, lists,
/// scores, listed names) may reach it.
fn boarding_response(m: &Manifest, o: &ManifestOutcome) -> pb::CheckBoardingResponse {
    let mut decisions = Vec::with_capacity(o.results.len());
    let mut answers = Vec::with_capacity(o.results.len());
    for (r, t) in o.results.iter().zip(&m.travellers) {
        decisions.push(pb::BoardingDecision {
            index: r.index as u32,
            traveller_id: r.traveller_id.clone(),
            pnr: t.pnr.clone().unwrap_or_default(),
            passenger_ref: t.passenger_ref.clone().unwrap_or_default(),
            decision: convert::decision_pb(r.decision) as i32,
        });
        let status = match r.decision {
            Decision::Board => BoardingStatus::Board,
            Decision::NoBoard => BoardingStatus::NoBoard,
            Decision::Refer => BoardingStatus::Refer,
        };
        answers.push((r.traveller_id.clone(), status));
    }
    let cusres = build_cusres(m, &answers, &CusresOptions::default());
    pb::CheckBoardingResponse {
        decisions,
        cusres: cusres.into_bytes(),
        transaction_ref: m.transaction_ref.clone().unwrap_or_default(),
    }
}
