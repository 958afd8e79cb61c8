//! The Kafka front door: a consumer-group source of PAXLST (or JSON) manifests, screened through
//! the shared [`Engine`], with alerts out to a Kafka topic and the alert hub, unreadable records
//! to a dead-letter topic, and at-least-once delivery end to end.
//!
//! ```text
//!  input topic ─► consumer thread ─► decode ─► assembly (multi-part) ─┐
//!  (group)        (BaseConsumer,     (PAXLST                          │ units of work, at most
//!                  rebalance hooks)   or JSON)                        │ `max_in_flight` at once
//!        ▲                                                            ▼
//!        │ commit (every 500 ms, on revoke,         tokio task: screen (blocking pool) → alerts
//!        │ at shutdown)                             topic (acks=all) → results topic → hub
//!        └──── offsets::Partition: first record not done ◄── done ───┘   (or → DLQ topic)
//! ```
//!
//! Design note: what may be committed. A record is done when every unit of work it feeds is
//! acknowledged: each manifest it carries screened, its alerts acknowledged by the broker
//! (`acks=all`, idempotent producer) and stored/broadcast by the hub, its summary (if
//! configured) acknowledged; or, for an unreadable record, its dead-letter copy acknowledged.
//! A partition's committed position is the first record that is not done (see [`offsets`]), so
//! a crash re-reads exactly the records whose effects may be missing, plus some done ones after
//! them (at-least-once; alert ids are deterministic, so duplicates carry identical ids). A part
//! of a multi-part message stays not done until its flight is assembled and screened (see
//! [`assembly`]): after a crash the parts are read again from Kafka.
//!
//! Files: [`consumer`] (the consumer thread, rebalance hooks, commits), [`worker`] (units of
//! work), [`decode`], [`assembly`], [`offsets`], [`sink`] (producer), [`topics`], [`loadgen`].
//!
//! Rebalances: on revoke, the done positions of the revoked partitions are committed
//! synchronously, then their in-flight state (offset tracking, flights being assembled) is
//! dropped; work still running for them finishes (its alerts are delivered: harmless
//! duplicates) but can no longer move a commit, because every partition assignment has its own
//! epoch. Shutdown: stop reading, wait (up to the drain timeout) for in-flight work, commit what
//! is done, flush the producer.

pub mod assembly;
mod consumer;
pub mod decode;
pub mod loadgen;
pub mod offsets;
pub mod sink;
pub mod topics;
mod worker;

use crate::config::KafkaConfig;
use crate::engine::Engine;
use crate::paxlst::ParseOptions;
use consumer::{ConsumerLoop, Shared};
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use sink::Sink;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use worker::Worker;

/// Tuning of the pipeline; defaults from [`KafkaConfig`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Units of work (manifests being screened and delivered, dead letters being sent) in
    /// flight at once; when reached, the consumer stops reading (backpressure).
    pub max_in_flight: usize,
    /// How long a multi-part flight waits for missing parts before it is screened incomplete.
    pub multipart_hold: Duration,
    /// How often done positions are committed.
    pub commit_interval: Duration,
    /// How long shutdown waits for in-flight work before committing what is done.
    pub drain_timeout: Duration,
}

impl Options {
    pub fn from_config(cfg: &KafkaConfig) -> Options {
        Options {
            max_in_flight: cfg.max_in_flight.max(1),
            multipart_hold: Duration::from_secs(cfg.multipart_hold_secs),
            commit_interval: Duration::from_millis(500),
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// Why the pipeline stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    #[error("shutdown requested before the pipeline started")]
    Cancelled,
    #[error("the kafka consumer thread stopped unexpectedly")]
    ThreadLost,
    #[error("fatal kafka producer error: {0}")]
    ProducerFatal(rdkafka::error::RDKafkaErrorCode),
}

/// Counters of what the pipeline did (tests, the load generator). Durations are summed over
/// units, so with several units in flight they add up to more than wall time.
#[derive(Debug, Default)]
pub struct Counters {
    pub records: AtomicU64,
    pub manifests: AtomicU64,
    pub travellers: AtomicU64,
    pub alerts: AtomicU64,
    pub dead_letters: AtomicU64,
    pub commits: AtomicU64,
    pub parse_nanos: AtomicU64,
    pub screen_nanos: AtomicU64,
    pub produce_nanos: AtomicU64,
    pub publish_nanos: AtomicU64,
}

/// A copy of [`Counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    pub records: u64,
    pub manifests: u64,
    pub travellers: u64,
    pub alerts: u64,
    pub dead_letters: u64,
    pub commits: u64,
    pub parse: Duration,
    pub screen: Duration,
    pub produce: Duration,
    pub publish: Duration,
}

impl Counters {
    pub fn snapshot(&self) -> CounterSnapshot {
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CounterSnapshot {
            records: n(&self.records),
            manifests: n(&self.manifests),
            travellers: n(&self.travellers),
            alerts: n(&self.alerts),
            dead_letters: n(&self.dead_letters),
            commits: n(&self.commits),
            parse: Duration::from_nanos(n(&self.parse_nanos)),
            screen: Duration::from_nanos(n(&self.screen_nanos)),
            produce: Duration::from_nanos(n(&self.produce_nanos)),
            publish: Duration::from_nanos(n(&self.publish_nanos)),
        }
    }
}

fn add_elapsed(a: &AtomicU64, since: Instant) -> Duration {
    let d = since.elapsed();
    a.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
    d
}

/// A running pipeline.
pub struct Pipeline {
    shared: Arc<Shared>,
    finished: tokio::sync::oneshot::Receiver<Result<(), PipelineError>>,
}

impl Pipeline {
    /// Creates missing topics (retrying while the brokers are unreachable), subscribes and
    /// starts consuming. Stops when `shutdown` is cancelled (see [`Pipeline::wait`]).
    pub async fn start(
        engine: Arc<Engine>,
        cfg: KafkaConfig,
        opts: Options,
        shutdown: CancellationToken,
    ) -> Result<Pipeline, PipelineError> {
        let mut delay = Duration::from_millis(200);
        loop {
            match topics::ensure(&cfg).await {
                Ok(created) => {
                    if !created.is_empty() {
                        tracing::info!(topics = ?created, partitions = cfg.partitions, "kafka topics created");
                    }
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, brokers = %cfg.brokers, "kafka topics not ready; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.cancelled() => return Err(PipelineError::Cancelled),
                    }
                    delay = (delay * 2).min(Duration::from_secs(10));
                }
            }
        }
        let sink = Arc::new(Sink::new(&cfg)?);
        let shared = Arc::new(Shared::new(cfg.input_topic.clone(), opts.multipart_hold));
        let consumer = consumer::consumer(&cfg, shared.clone())?;
        consumer.subscribe(&[&cfg.input_topic])?;
        tracing::info!(topic = %cfg.input_topic, group = %cfg.group_id, brokers = %cfg.brokers, "kafka pipeline consuming");
        let worker = Arc::new(Worker {
            engine: engine.clone(),
            sink: sink.clone(),
            topic: cfg.input_topic.clone(),
            shutdown: shutdown.clone(),
            shared: shared.clone(),
        });
        let limits = engine.limits();
        let parse = ParseOptions {
            max_bytes: limits.max_message_bytes,
            max_travellers: limits.max_travellers,
            ..ParseOptions::default()
        };
        let (tx, finished) = tokio::sync::oneshot::channel();
        let rt = tokio::runtime::Handle::current();
        let s = shared.clone();
        std::thread::Builder::new()
            .name("paxscreen-kafka".into())
            .spawn(move || {
                let r = ConsumerLoop {
                    consumer,
                    shared: s,
                    worker,
                    rt,
                    opts,
                    parse,
                    shutdown,
                    in_flight: 0,
                    origin: Instant::now(),
                }
                .run();
                let r = r.and_then(|()| sink.flush(Duration::from_secs(10)).map_err(Into::into));
                let _ = tx.send(r);
            })
            .map_err(|_| PipelineError::ThreadLost)?;
        Ok(Pipeline { shared, finished })
    }

    /// Partitions of the input topic this instance holds now.
    pub fn assignment(&self) -> Vec<i32> {
        let mut v: Vec<i32> = self.shared.lock().partitions.keys().copied().collect();
        v.sort_unstable();
        v
    }

    pub fn counters(&self) -> CounterSnapshot {
        self.shared.counters.snapshot()
    }

    /// Waits until the pipeline has stopped (after shutdown: in-flight work drained, done
    /// offsets committed, producer flushed).
    pub async fn wait(self) -> Result<(), PipelineError> {
        self.finished
            .await
            .unwrap_or(Err(PipelineError::ThreadLost))
    }
}

/// `paxscreen serve` with Kafka configured: runs the pipeline until the service shuts down.
pub async fn serve(ctx: Arc<crate::service::Context>) -> anyhow::Result<()> {
    let Some(cfg) = ctx.config.kafka.clone() else {
        return Ok(());
    };
    let opts = Options::from_config(&cfg);
    match Pipeline::start(ctx.engine.clone(), cfg, opts, ctx.shutdown.clone()).await {
        Ok(p) => Ok(p.wait().await?),
        Err(PipelineError::Cancelled) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
