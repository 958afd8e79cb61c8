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
//! Rebalances: on revoke, the done positions of the revoked partitions are committed
//! synchronously, then their in-flight state (offset tracking, flights being assembled) is
//! dropped; work still running for them finishes (its alerts are delivered: harmless
//! duplicates) but can no longer move a commit, because every partition assignment has its own
//! epoch. Shutdown: stop reading, wait (up to the drain timeout) for in-flight work, commit what
//! is done, flush the producer.

pub mod assembly;
pub mod decode;
pub mod loadgen;
pub mod offsets;
pub mod sink;
pub mod topics;

use crate::alerts::Source;
use crate::config::KafkaConfig;
use crate::engine::{Engine, EngineError};
use crate::paxlst::ParseOptions;
use assembly::{Assembly, RawRecord, Released};
use decode::{DecodeError, Piece};
use rdkafka::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::statistics::Statistics;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use sink::{Sink, Summary};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

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

/// One assigned partition: its epoch (which assignment it belongs to), offset tracking and
/// flights being assembled.
struct PartState {
    epoch: u64,
    offsets: offsets::Partition,
    assembly: Assembly,
}

struct State {
    partitions: HashMap<i32, PartState>,
    next_epoch: u64,
}

/// What the consumer thread and its rebalance callbacks share.
struct Shared {
    topic: String,
    hold: Duration,
    /// Held only for short bookkeeping, never across a Kafka call that waits on the network
    /// except the synchronous commit on revoke (which must see a consistent position).
    state: Mutex<State>,
    counters: Counters,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The positions that moved since the last commit, as a commit list.
    fn take_commits(&self, st: &mut State, only: Option<&[i32]>) -> TopicPartitionList {
        let mut tpl = TopicPartitionList::new();
        for (&p, ps) in st.partitions.iter_mut() {
            if only.is_some_and(|o| !o.contains(&p)) {
                continue;
            }
            if let Some(pos) = ps.offsets.take_commit() {
                // adding an offset to a fresh list cannot fail
                let _ = tpl.add_partition_offset(&self.topic, p, Offset::Offset(pos));
            }
        }
        tpl
    }

    fn commit_failed(&self, tpl: &TopicPartitionList) {
        let mut st = self.lock();
        for e in tpl.elements() {
            if let (Some(ps), Offset::Offset(o)) =
                (st.partitions.get_mut(&e.partition()), e.offset())
            {
                ps.offsets.commit_failed(o);
            }
        }
    }
}

/// librdkafka callbacks: rebalances, statistics (consumer lag).
struct PipelineContext {
    shared: Arc<Shared>,
}

impl ClientContext for PipelineContext {
    fn stats(&self, statistics: Statistics) {
        let Some(t) = statistics.topics.get(&self.shared.topic) else {
            return;
        };
        for (p, s) in &t.partitions {
            // -1 is librdkafka's internal "unassigned" partition
            if *p < 0 || !s.desired || s.consumer_lag < 0 {
                continue;
            }
            metrics::gauge!("paxscreen_kafka_consumer_lag", "partition" => p.to_string())
                .set(s.consumer_lag as f64);
        }
    }
}

impl ConsumerContext for PipelineContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            let revoked: Vec<i32> = tpl
                .elements()
                .iter()
                .filter(|e| e.topic() == self.shared.topic)
                .map(|e| e.partition())
                .collect();
            let mut st = self.shared.lock();
            let commits = self.shared.take_commits(&mut st, Some(&revoked));
            if commits.count() > 0 && !consumer.assignment_lost() {
                match consumer.commit(&commits, CommitMode::Sync) {
                    Ok(()) => {
                        self.shared.counters.commits.fetch_add(1, Ordering::Relaxed);
                        metrics::counter!("paxscreen_kafka_commits_total", "result" => "ok")
                            .increment(1);
                    }
                    Err(e) => {
                        metrics::counter!("paxscreen_kafka_commits_total", "result" => "error")
                            .increment(1);
                        tracing::warn!(error = %e, "commit on revoke failed; the new owner re-reads from the last commit");
                    }
                }
            }
            for p in &revoked {
                st.partitions.remove(p);
            }
            tracing::info!(partitions = ?revoked, "kafka partitions revoked");
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let mut st = self.shared.lock();
                let mut assigned = Vec::new();
                for e in tpl.elements() {
                    if e.topic() != self.shared.topic {
                        continue;
                    }
                    let epoch = st.next_epoch;
                    st.next_epoch += 1;
                    st.partitions.insert(
                        e.partition(),
                        PartState {
                            epoch,
                            offsets: offsets::Partition::default(),
                            assembly: Assembly::new(self.shared.hold),
                        },
                    );
                    assigned.push(e.partition());
                }
                metrics::gauge!("paxscreen_kafka_assigned_partitions")
                    .set(st.partitions.len() as f64);
                tracing::info!(partitions = ?assigned, "kafka partitions assigned");
            }
            Rebalance::Revoke(_) => {
                let n = self.shared.lock().partitions.len();
                metrics::gauge!("paxscreen_kafka_assigned_partitions").set(n as f64);
            }
            Rebalance::Error(e) => tracing::warn!(error = %e, "kafka rebalance error"),
        }
    }
}

/// One unit of work for a tokio task.
enum Unit {
    /// Screen a manifest (single-part, or assembled from `units`' records).
    Screen {
        partition: i32,
        epoch: u64,
        released: Box<Released>,
        /// The record that completed the manifest (its `source` offset).
        offset: i64,
        received: Instant,
    },
    /// Send an unreadable record to the DLQ.
    DeadLetter {
        partition: i32,
        epoch: u64,
        record: Arc<RawRecord>,
        error: DecodeError,
        received: Instant,
    },
}

/// A unit finished (`ok`) or gave up at shutdown (its records stay uncommitted).
struct Done {
    partition: i32,
    epoch: u64,
    units: Vec<i64>,
    ok: bool,
}

/// What every unit task needs.
struct Worker {
    engine: Arc<Engine>,
    sink: Arc<Sink>,
    topic: String,
    shutdown: CancellationToken,
    shared: Arc<Shared>,
}

/// Retries `op` with capped exponential backoff until it succeeds or shutdown is requested
/// (then `None`): a broker or store outage stops the partition, it does not lose records.
async fn retry<T, E: std::fmt::Display, F, Fut>(
    what: &'static str,
    shutdown: &CancellationToken,
    mut op: F,
) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut delay = Duration::from_millis(100);
    loop {
        match op().await {
            Ok(v) => return Some(v),
            Err(e) => {
                metrics::counter!("paxscreen_kafka_retries_total", "stage" => what).increment(1);
                tracing::warn!(stage = what, error = %e, retry_in_ms = delay.as_millis() as u64, "delivery failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.cancelled() => return None,
                }
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}

impl Worker {
    async fn run(self: Arc<Self>, unit: Unit) -> Done {
        match unit {
            Unit::DeadLetter {
                partition,
                epoch,
                record,
                error,
                received,
            } => {
                let ok = self.dead_letter(partition, &record, &error).await;
                if ok {
                    observe_end_to_end(received);
                }
                Done {
                    partition,
                    epoch,
                    units: vec![record.offset],
                    ok,
                }
            }
            Unit::Screen {
                partition,
                epoch,
                released,
                offset,
                received,
            } => {
                let units = released.units.clone();
                let ok = self.screen(partition, *released, offset).await;
                if ok {
                    observe_end_to_end(received);
                }
                Done {
                    partition,
                    epoch,
                    units,
                    ok,
                }
            }
        }
    }

    async fn dead_letter(&self, partition: i32, record: &RawRecord, error: &DecodeError) -> bool {
        // the error names places only (segment, byte offset, field names), never values
        tracing::warn!(partition, offset = record.offset, kind = error.kind(), error = %error, "unreadable record sent to the dead-letter topic");
        let t = Instant::now();
        let sent = retry("dead_letter", &self.shutdown, || {
            self.sink.dead_letter(&self.topic, partition, record, error)
        })
        .await;
        if sent.is_none() {
            return false;
        }
        add_elapsed(&self.shared.counters.produce_nanos, t);
        self.shared
            .counters
            .dead_letters
            .fetch_add(1, Ordering::Relaxed);
        metrics::counter!("paxscreen_kafka_dead_letters_total", "kind" => error.kind())
            .increment(1);
        metrics::counter!("paxscreen_kafka_records_out_total", "sink" => "dlq").increment(1);
        true
    }

    async fn screen(&self, partition: i32, released: Released, offset: i64) -> bool {
        let source = Source::Kafka {
            topic: self.topic.clone(),
            partition,
            offset,
        };
        let Released {
            manifest,
            records,
            incomplete,
            ..
        } = released;
        let engine = self.engine.clone();
        let src = source.clone();
        let t = Instant::now();
        let screened = tokio::task::spawn_blocking(move || {
            let o = engine.screen_manifest(&manifest, &src);
            (manifest, o)
        })
        .await;
        let (manifest, outcome) = match screened {
            Ok(v) => v,
            Err(e) => {
                // a panic in screening is a bug; the records stay uncommitted and are retried
                // by the next owner
                tracing::error!(error = %e, "screening task failed");
                return false;
            }
        };
        let d = add_elapsed(&self.shared.counters.screen_nanos, t);
        metrics::histogram!("paxscreen_kafka_stage_seconds", "stage" => "screen")
            .record(d.as_secs_f64());
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                // the only refusal of a parsed manifest: too many travellers once assembled
                let error = match e {
                    EngineError::TooManyTravellers { got, max } => {
                        DecodeError::TooManyTravellers { got, max }
                    }
                    other => {
                        tracing::error!(error = %other, "unexpected screening error");
                        return false;
                    }
                };
                for r in &records {
                    if !self.dead_letter(partition, r, &error).await {
                        return false;
                    }
                }
                return true;
            }
        };
        let t = Instant::now();
        let summary = Summary::of(
            &manifest,
            &outcome,
            &source,
            records.iter().map(|r| r.offset).collect(),
            incomplete,
        );
        let key = sink::flight_key(&summary.flight, &outcome.message_id);
        let delivered = retry("produce", &self.shutdown, || async {
            self.sink.alerts(&outcome.alerts).await?;
            self.sink.result(&key, &summary).await
        })
        .await;
        if delivered.is_none() {
            return false;
        }
        let d = add_elapsed(&self.shared.counters.produce_nanos, t);
        metrics::histogram!("paxscreen_kafka_stage_seconds", "stage" => "produce_ack")
            .record(d.as_secs_f64());
        metrics::counter!("paxscreen_kafka_records_out_total", "sink" => "alerts")
            .increment(outcome.alerts.len() as u64);
        tracing::debug!(partition, offset, message_id = %summary.message_id, travellers = manifest.travellers.len(), alerts = outcome.alerts.len(), "manifest screened");
        drop(summary);
        let t = Instant::now();
        let alerts = outcome.alerts;
        let n_alerts = alerts.len() as u64;
        if !alerts.is_empty() {
            let published = retry("publish", &self.shutdown, || {
                let engine = self.engine.clone();
                let alerts = alerts.clone();
                async move {
                    match tokio::task::spawn_blocking(move || engine.publish(alerts)).await {
                        Ok(r) => r.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                }
            })
            .await;
            if published.is_none() {
                return false;
            }
        }
        let d = add_elapsed(&self.shared.counters.publish_nanos, t);
        metrics::histogram!("paxscreen_kafka_stage_seconds", "stage" => "publish")
            .record(d.as_secs_f64());
        let c = &self.shared.counters;
        c.manifests.fetch_add(1, Ordering::Relaxed);
        c.travellers
            .fetch_add(manifest.travellers.len() as u64, Ordering::Relaxed);
        c.alerts.fetch_add(n_alerts, Ordering::Relaxed);
        true
    }
}

fn observe_end_to_end(received: Instant) {
    metrics::histogram!("paxscreen_kafka_stage_seconds", "stage" => "end_to_end")
        .record(received.elapsed().as_secs_f64());
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
        let shared = Arc::new(Shared {
            topic: cfg.input_topic.clone(),
            hold: opts.multipart_hold,
            state: Mutex::new(State {
                partitions: HashMap::new(),
                next_epoch: 0,
            }),
            counters: Counters::default(),
        });
        let consumer = consumer(&cfg, shared.clone())?;
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

fn consumer(
    cfg: &KafkaConfig,
    shared: Arc<Shared>,
) -> Result<BaseConsumer<PipelineContext>, KafkaError> {
    let mut c = rdkafka::ClientConfig::new();
    c.set("bootstrap.servers", &cfg.brokers)
        .set("auto.offset.reset", "earliest")
        .set("statistics.interval.ms", "5000");
    for (k, v) in &cfg.properties {
        c.set(k, v);
    }
    // not overridable: the pipeline's delivery guarantee rests on these
    c.set("group.id", &cfg.group_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false");
    c.create_with_context(PipelineContext { shared })
}

/// The consumer thread: reads, decodes, assembles, dispatches units, applies completions,
/// commits.
struct ConsumerLoop {
    consumer: BaseConsumer<PipelineContext>,
    shared: Arc<Shared>,
    worker: Arc<Worker>,
    rt: tokio::runtime::Handle,
    opts: Options,
    parse: ParseOptions,
    shutdown: CancellationToken,
    in_flight: usize,
    origin: Instant,
}

const POLL: Duration = Duration::from_millis(100);

impl ConsumerLoop {
    fn run(mut self) -> Result<(), PipelineError> {
        let (done_tx, done_rx) = mpsc::channel::<Done>();
        let mut last_commit = Instant::now();
        let mut last_expire = Instant::now();
        while !self.shutdown.is_cancelled() {
            while let Ok(d) = done_rx.try_recv() {
                self.apply(d);
            }
            if last_commit.elapsed() >= self.opts.commit_interval {
                self.commit();
                last_commit = Instant::now();
                if let Some((code, reason)) = self.worker.sink.fatal_error() {
                    // nothing more can be delivered: stop (the service exits and is restarted;
                    // what is not committed is read again)
                    tracing::error!(error = %code, reason, "fatal kafka producer error");
                    self.consumer.unsubscribe();
                    return Err(PipelineError::ProducerFatal(code));
                }
            }
            if last_expire.elapsed() >= Duration::from_secs(1) {
                self.expire(&done_tx);
                last_expire = Instant::now();
            }
            if self.in_flight >= self.opts.max_in_flight {
                // backpressure: read nothing more until a unit finishes
                if let Ok(d) = done_rx.recv_timeout(POLL) {
                    self.apply(d);
                }
                continue;
            }
            match self.consumer.poll(POLL) {
                None => {}
                Some(Err(e)) => {
                    metrics::counter!("paxscreen_kafka_consumer_errors_total").increment(1);
                    tracing::warn!(error = %e, "kafka consumer error");
                    if let Some((code, reason)) = self.consumer.client().fatal_error() {
                        tracing::error!(error = %code, reason, "fatal kafka consumer error");
                        return Err(PipelineError::Kafka(KafkaError::MessageConsumptionFatal(
                            code,
                        )));
                    }
                }
                Some(Ok(msg)) => {
                    let raw = RawRecord {
                        offset: msg.offset(),
                        key: msg.key().map(<[u8]>::to_vec),
                        payload: msg.payload().map(<[u8]>::to_vec),
                        headers: msg
                            .headers()
                            .map(|h| {
                                h.iter()
                                    .map(|x| (x.key.to_string(), x.value.map(<[u8]>::to_vec)))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    };
                    let partition = msg.partition();
                    drop(msg);
                    self.record(partition, raw, &done_tx);
                }
            }
        }
        // shutdown: read nothing more, drain, commit, leave the group
        let deadline = Instant::now() + self.opts.drain_timeout;
        while self.in_flight > 0 && Instant::now() < deadline {
            if let Ok(d) = done_rx.recv_timeout(POLL) {
                self.apply(d);
            }
        }
        while let Ok(d) = done_rx.try_recv() {
            self.apply(d);
        }
        if self.in_flight > 0 {
            tracing::warn!(
                in_flight = self.in_flight,
                "drain timeout: unfinished records stay uncommitted and are re-read"
            );
        }
        self.commit();
        self.consumer.unsubscribe();
        tracing::info!("kafka pipeline stopped");
        Ok(())
    }

    fn dispatch(&mut self, unit: Unit, done_tx: &mpsc::Sender<Done>) {
        self.in_flight += 1;
        metrics::gauge!("paxscreen_kafka_in_flight_units").set(self.in_flight as f64);
        let w = self.worker.clone();
        let tx = done_tx.clone();
        self.rt.spawn(async move {
            let d = w.run(unit).await;
            // the consumer loop outlives every unit it waits for; after it stops nobody
            // needs the result
            let _ = tx.send(d);
        });
    }

    fn apply(&mut self, d: Done) {
        self.in_flight = self.in_flight.saturating_sub(1);
        metrics::gauge!("paxscreen_kafka_in_flight_units").set(self.in_flight as f64);
        if !d.ok {
            return;
        }
        let mut st = self.shared.lock();
        let Some(ps) = st.partitions.get_mut(&d.partition) else {
            return;
        };
        // a unit of an earlier assignment of this partition cannot move this one's commits
        if ps.epoch != d.epoch {
            return;
        }
        for o in d.units {
            ps.offsets.finish_unit(o);
        }
    }

    /// Commits the positions that moved, synchronously: librdkafka reports the result of an
    /// explicit asynchronous commit only to an `offset_commit_cb`, which rdkafka does not set,
    /// so a failed async commit would go unnoticed. A commit every `commit_interval` costs one
    /// round trip on this thread.
    fn commit(&self) {
        let tpl = {
            let mut st = self.shared.lock();
            let pending: usize = st.partitions.values().map(|p| p.assembly.pending()).sum();
            metrics::gauge!("paxscreen_kafka_multipart_pending").set(pending as f64);
            self.shared.take_commits(&mut st, None)
        };
        if tpl.count() == 0 {
            return;
        }
        match self.consumer.commit(&tpl, CommitMode::Sync) {
            Ok(()) => {
                self.shared.counters.commits.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("paxscreen_kafka_commits_total", "result" => "ok").increment(1);
            }
            Err(e) => {
                metrics::counter!("paxscreen_kafka_commits_total", "result" => "error")
                    .increment(1);
                tracing::warn!(error = %e, "offset commit failed; retried with the next commit");
                self.shared.commit_failed(&tpl);
            }
        }
    }

    fn expire(&mut self, done_tx: &mpsc::Sender<Done>) {
        let now = self.origin.elapsed();
        let mut units = Vec::new();
        {
            let mut st = self.shared.lock();
            for (&p, ps) in st.partitions.iter_mut() {
                for r in ps.assembly.expire(now) {
                    tracing::warn!(partition = p, parts = ?r.manifest.parts, "multi-part flight released incomplete after the hold time");
                    let offset = r.records.last().map_or(0, |x| x.offset);
                    units.push(Unit::Screen {
                        partition: p,
                        epoch: ps.epoch,
                        released: Box::new(r),
                        offset,
                        received: Instant::now(),
                    });
                }
            }
        }
        for u in units {
            self.dispatch(u, done_tx);
        }
    }

    fn record(&mut self, partition: i32, raw: RawRecord, done_tx: &mpsc::Sender<Done>) {
        let received = Instant::now();
        self.shared.counters.records.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("paxscreen_kafka_records_in_total").increment(1);
        let content_type = raw
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .and_then(|(_, v)| v.as_deref())
            .and_then(|v| std::str::from_utf8(v).ok())
            .map(str::to_string);
        let decoded = decode::decode(raw.payload.as_deref(), content_type.as_deref(), &self.parse);
        let d = add_elapsed(&self.shared.counters.parse_nanos, received);
        metrics::histogram!("paxscreen_kafka_stage_seconds", "stage" => "parse")
            .record(d.as_secs_f64());
        let offset = raw.offset;
        let raw = Arc::new(raw);
        let now = self.origin.elapsed();
        let mut units = Vec::new();
        {
            let mut st = self.shared.lock();
            // a record of a partition revoked since it was fetched belongs to its new owner
            let Some(ps) = st.partitions.get_mut(&partition) else {
                return;
            };
            let epoch = ps.epoch;
            ps.offsets.begin(offset);
            match decoded {
                Err(error) => {
                    ps.offsets.add_unit(offset);
                    units.push(Unit::DeadLetter {
                        partition,
                        epoch,
                        record: raw.clone(),
                        error,
                        received,
                    });
                }
                Ok(d) => {
                    for s in &d.skipped {
                        metrics::counter!("paxscreen_kafka_messages_skipped_total", "type" => s.clone()).increment(1);
                    }
                    for piece in d.pieces {
                        ps.offsets.add_unit(offset);
                        let released = match piece {
                            Piece::Complete(manifest) => Some(Box::new(Released {
                                manifest,
                                units: vec![offset],
                                records: vec![raw.clone()],
                                incomplete: false,
                            })),
                            Piece::Part { manifest, part } => {
                                ps.assembly.push(manifest, part, &raw, now).map(Box::new)
                            }
                        };
                        if let Some(released) = released {
                            units.push(Unit::Screen {
                                partition,
                                epoch,
                                released,
                                offset,
                                received,
                            });
                        }
                    }
                }
            }
            ps.offsets.settle(offset);
        }
        for u in units {
            self.dispatch(u, done_tx);
        }
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
