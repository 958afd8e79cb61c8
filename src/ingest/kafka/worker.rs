//! Units of work: screen a manifest and deliver what it raised (alerts topic, results topic,
//! alert hub), or send an unreadable record to the dead-letter topic; each reports back to the
//! consumer thread when it is done (or gave up at shutdown).

use super::add_elapsed;
use super::assembly::{RawRecord, Released};
use super::consumer::Shared;
use super::decode::DecodeError;
use super::sink::{self, Sink, Summary};
use crate::alerts::Source;
use crate::engine::{Engine, EngineError};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// One unit of work for a tokio task.
pub(super) enum Unit {
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
pub(super) struct Done {
    pub(super) partition: i32,
    pub(super) epoch: u64,
    pub(super) units: Vec<i64>,
    pub(super) ok: bool,
}

/// What every unit task needs.
pub(super) struct Worker {
    pub(super) engine: Arc<Engine>,
    pub(super) sink: Arc<Sink>,
    pub(super) topic: String,
    pub(super) shutdown: CancellationToken,
    pub(super) shared: Arc<Shared>,
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
    pub(super) async fn run(self: Arc<Self>, unit: Unit) -> Done {
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
        // the flight view's per-traveller rows, as gRPC and file ingestion keep them; built
        // before the alerts move on, and only where the store keeps them
        let record = self.engine.hub().store().cases().is_some().then(|| {
            Arc::new(crate::ingest::screening_record(
                &manifest, &outcome, &source,
            ))
        });
        let t = Instant::now();
        let alerts = outcome.alerts;
        let n_alerts = alerts.len() as u64;
        if !alerts.is_empty() {
            let published = retry("publish", &self.shutdown, || {
                let engine = self.engine.clone();
                let alerts = alerts.clone();
                on_blocking_pool(move || engine.publish(alerts))
            })
            .await;
            if published.is_none() {
                return false;
            }
        }
        if let Some(record) = record {
            // re-reading a record after a restart records its manifest again: the store
            // ignores a message id it has
            let recorded = retry("record screening", &self.shutdown, || {
                let engine = self.engine.clone();
                let record = record.clone();
                on_blocking_pool(move || crate::ingest::record_screening(&engine, &record))
            })
            .await;
            if recorded.is_none() {
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

/// Runs blocking store work off the async threads: its error, or the task's panic, as text.
async fn on_blocking_pool<T, E>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, String>
where
    T: Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

fn observe_end_to_end(received: Instant) {
    metrics::histogram!("paxscreen_kafka_stage_seconds", "stage" => "end_to_end")
        .record(received.elapsed().as_secs_f64());
}
