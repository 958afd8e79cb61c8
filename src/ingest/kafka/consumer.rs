//! The consumer thread and its librdkafka callbacks: reads records, decodes them, feeds
//! multi-part parts to the partition's assembly, dispatches units of work to tokio tasks,
//! applies their completions to the per-partition offset tracking, commits; on a rebalance,
//! commits the revoked partitions' done positions and drops their state.

use super::assembly::{Assembly, RawRecord, Released};
use super::decode::{self, Piece};
use super::offsets;
use super::worker::{Done, Unit, Worker};
use super::{Counters, Options, PipelineError, add_elapsed};
use crate::config::KafkaConfig;
use crate::paxlst::ParseOptions;
use rdkafka::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::message::{Headers, Message};
use rdkafka::statistics::Statistics;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// One assigned partition: its epoch (which assignment it belongs to), offset tracking and
/// flights being assembled.
pub(super) struct PartState {
    pub(super) epoch: u64,
    pub(super) offsets: offsets::Partition,
    pub(super) assembly: Assembly,
}

pub(super) struct State {
    pub(super) partitions: HashMap<i32, PartState>,
    pub(super) next_epoch: u64,
}

/// What the consumer thread and its rebalance callbacks share.
pub(super) struct Shared {
    pub(super) topic: String,
    pub(super) hold: Duration,
    /// Held only for short bookkeeping, never across a Kafka call that waits on the network
    /// except the synchronous commit on revoke (which must see a consistent position).
    pub(super) state: Mutex<State>,
    pub(super) counters: Counters,
}

impl Shared {
    pub(super) fn new(topic: String, hold: Duration) -> Shared {
        Shared {
            topic,
            hold,
            state: Mutex::new(State {
                partitions: HashMap::new(),
                next_epoch: 0,
            }),
            counters: Counters::default(),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
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
pub(super) struct PipelineContext {
    pub(super) shared: Arc<Shared>,
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

pub(super) fn consumer(
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
pub(super) struct ConsumerLoop {
    pub(super) consumer: BaseConsumer<PipelineContext>,
    pub(super) shared: Arc<Shared>,
    pub(super) worker: Arc<Worker>,
    pub(super) rt: tokio::runtime::Handle,
    pub(super) opts: Options,
    pub(super) parse: ParseOptions,
    pub(super) shutdown: CancellationToken,
    pub(super) in_flight: usize,
    pub(super) origin: Instant,
}

const POLL: Duration = Duration::from_millis(100);

impl ConsumerLoop {
    pub(super) fn run(mut self) -> Result<(), PipelineError> {
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
