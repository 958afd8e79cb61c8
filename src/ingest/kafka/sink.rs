//! The Kafka sinks: alerts (JSON, schema version 1, keyed by flight), per-manifest screening
//! summaries (optional) and dead letters, all through one idempotent producer (`acks=all`,
//! `enable.idempotence=true`), so a retried send cannot duplicate or reorder a record within a
//! partition. Every send returns only when the broker has acknowledged the record: the caller
//! commits its input offset after that, never before.

use super::assembly::RawRecord;
use super::decode::DecodeError;
use crate::alerts::{Alert, FlightRef, SCHEMA_VERSION, Source};
use crate::config::KafkaConfig;
use crate::engine::{Decision, ManifestOutcome};
use crate::model::Manifest;
use futures::future::try_join_all;
use rdkafka::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use serde::Serialize;
use std::time::Duration;

/// How long a send may wait for room in the producer's queue before it counts as failed.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a record could not be delivered.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("kafka delivery to {topic}: {source}")]
    Delivery { topic: String, source: KafkaError },
    #[error("serialising a record for {topic}: {source}")]
    Serialise {
        topic: String,
        source: serde_json::Error,
    },
}

/// The per-manifest screening summary written to `results_topic`: counts, decisions by
/// traveller id and position, alert ids. No names, dates or documents.
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    pub schema_version: u32,
    pub message_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_ref: Option<&'a str>,
    pub flight: FlightRef,
    pub travellers: usize,
    pub board: usize,
    pub no_board: usize,
    pub refer: usize,
    pub decisions: Vec<TravellerDecision<'a>>,
    pub alert_ids: Vec<&'a str>,
    /// Parts the manifest was assembled from (empty for a single-part message).
    pub parts: &'a [u32],
    /// Released by the multi-part hold time with parts missing.
    pub incomplete: bool,
    pub warnings: usize,
    pub source: &'a Source,
    /// Every input record the manifest was read from (`partition`/`offset` of `source.topic`).
    pub records: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TravellerDecision<'a> {
    pub index: usize,
    pub traveller_id: &'a str,
    pub decision: Decision,
}

impl<'a> Summary<'a> {
    pub fn of(
        m: &'a Manifest,
        o: &'a ManifestOutcome,
        source: &'a Source,
        records: Vec<i64>,
        incomplete: bool,
    ) -> Summary<'a> {
        let count = |d: Decision| o.results.iter().filter(|r| r.decision == d).count();
        Summary {
            schema_version: SCHEMA_VERSION,
            message_id: &o.message_id,
            message_ref: m.message_ref.as_deref(),
            flight: FlightRef::of(m),
            travellers: m.travellers.len(),
            board: count(Decision::Board),
            no_board: count(Decision::NoBoard),
            refer: count(Decision::Refer),
            decisions: o
                .results
                .iter()
                .map(|r| TravellerDecision {
                    index: r.index,
                    traveller_id: &r.traveller_id,
                    decision: r.decision,
                })
                .collect(),
            alert_ids: o.alerts.iter().map(|a| a.alert_id.as_str()).collect(),
            parts: &m.parts,
            incomplete,
            warnings: m.warnings.len(),
            source,
            records,
        }
    }
}

/// The record key for everything about one flight: the flight id and departure time, so that
/// one flight's alerts stay in order on one partition. Manifests without a flight use the
/// message id.
pub fn flight_key(f: &FlightRef, message_id: &str) -> String {
    match (&f.id, &f.departure_time) {
        (Some(id), Some(t)) => format!("{id}/{t}"),
        (Some(id), None) => id.clone(),
        _ => message_id.to_string(),
    }
}

/// The producer and the topics it writes.
pub struct Sink {
    producer: FutureProducer,
    alerts_topic: String,
    dlq_topic: String,
    results_topic: Option<String>,
}

/// The librdkafka settings every client of the pipeline shares: brokers, then the configured
/// pass-through properties (security, tuning), which win.
pub fn base_client_config(cfg: &KafkaConfig) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &cfg.brokers);
    for (k, v) in &cfg.properties {
        c.set(k, v);
    }
    c
}

impl Sink {
    pub fn new(cfg: &KafkaConfig) -> Result<Sink, KafkaError> {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &cfg.brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            // small batches: alerts are few and latency matters more than batching
            .set("linger.ms", "5");
        for (k, v) in &cfg.properties {
            // consumer-only properties would make the producer warn; pass the rest
            if !k.starts_with("group.")
                && !k.starts_with("session.")
                && !k.starts_with("heartbeat.")
                && !k.starts_with("max.poll.")
                && !k.starts_with("auto.offset.")
                && !k.starts_with("partition.assignment.")
            {
                c.set(k, v);
            }
        }
        Ok(Sink {
            producer: c.create()?,
            alerts_topic: cfg.alerts_topic.clone(),
            dlq_topic: cfg.dlq_topic.clone(),
            results_topic: cfg.results_topic.clone(),
        })
    }

    /// Sends every alert and waits until the broker has acknowledged all of them.
    pub async fn alerts(&self, alerts: &[Alert]) -> Result<(), SinkError> {
        let topic = &self.alerts_topic;
        let mut bodies = Vec::with_capacity(alerts.len());
        for a in alerts {
            let body = serde_json::to_vec(a).map_err(|source| SinkError::Serialise {
                topic: topic.clone(),
                source,
            })?;
            bodies.push((flight_key(&a.flight, &a.message_id), body));
        }
        let sends = alerts.iter().zip(&bodies).map(|(a, (key, body))| {
            let headers = OwnedHeaders::new()
                .insert(Header {
                    key: "content-type",
                    value: Some("application/json"),
                })
                .insert(Header {
                    key: "paxscreen.schema_version",
                    value: Some(&SCHEMA_VERSION.to_string()),
                })
                .insert(Header {
                    key: "paxscreen.alert_id",
                    value: Some(&a.alert_id),
                });
            self.send(topic, key.as_bytes(), body, headers)
        });
        try_join_all(sends).await?;
        Ok(())
    }

    /// Sends a screening summary, when a results topic is configured.
    pub async fn result(&self, key: &str, summary: &Summary<'_>) -> Result<(), SinkError> {
        let Some(topic) = &self.results_topic else {
            return Ok(());
        };
        let body = serde_json::to_vec(summary).map_err(|source| SinkError::Serialise {
            topic: topic.clone(),
            source,
        })?;
        let headers = OwnedHeaders::new().insert(Header {
            key: "content-type",
            value: Some("application/json"),
        });
        self.send(topic, key.as_bytes(), &body, headers).await
    }

    /// Sends an unreadable record to the dead-letter topic: the original key, payload and
    /// headers, plus headers saying why and where it came from.
    pub async fn dead_letter(
        &self,
        source_topic: &str,
        partition: i32,
        record: &RawRecord,
        error: &DecodeError,
    ) -> Result<(), SinkError> {
        let mut h = OwnedHeaders::new_with_capacity(record.headers.len() + 8);
        for (k, v) in &record.headers {
            h = h.insert(Header {
                key: k,
                value: v.as_deref(),
            });
        }
        let put = |h: OwnedHeaders, k: &str, v: String| {
            h.insert(Header {
                key: k,
                value: Some(&v),
            })
        };
        h = put(h, "paxscreen.error", error.to_string());
        h = put(h, "paxscreen.error.kind", error.kind().to_string());
        if let Some(s) = error.segment() {
            h = put(h, "paxscreen.error.segment", s.to_string());
        }
        if let Some(o) = error.byte_offset() {
            h = put(h, "paxscreen.error.byte_offset", o.to_string());
        }
        h = put(h, "paxscreen.source.topic", source_topic.to_string());
        h = put(h, "paxscreen.source.partition", partition.to_string());
        h = put(h, "paxscreen.source.offset", record.offset.to_string());
        h = put(h, "paxscreen.failed_at", crate::alerts::now().to_rfc3339());
        let topic = &self.dlq_topic;
        let payload = record.payload.as_deref().unwrap_or(&[]);
        let mut with_payload = FutureRecord::to(topic).payload(payload).headers(h.clone());
        if let Some(k) = &record.key {
            with_payload = with_payload.key(k.as_slice());
        }
        let source = match self.producer.send(with_payload, QUEUE_TIMEOUT).await {
            Ok(_) => return Ok(()),
            Err((source, _)) => source,
        };
        // a record the DLQ cannot hold (its copy plus headers exceeds the producer's or the
        // topic's size limit) would otherwise be retried for ever and stop its partition: send
        // the reason without the bytes, which stay readable at the source offset
        if source.rdkafka_error_code() != Some(RDKafkaErrorCode::MessageSizeTooLarge) {
            return Err(SinkError::Delivery {
                topic: topic.clone(),
                source,
            });
        }
        let h = put(
            h,
            "paxscreen.payload_dropped",
            format!(
                "{} bytes: too large for the dead-letter topic",
                payload.len()
            ),
        );
        let mut without = FutureRecord::<[u8], [u8]>::to(topic).headers(h);
        if let Some(k) = &record.key {
            without = without.key(k.as_slice());
        }
        match self.producer.send(without, QUEUE_TIMEOUT).await {
            Ok(_) => Ok(()),
            Err((source, _)) => Err(SinkError::Delivery {
                topic: topic.clone(),
                source,
            }),
        }
    }

    async fn send(
        &self,
        topic: &str,
        key: &[u8],
        body: &[u8],
        headers: OwnedHeaders,
    ) -> Result<(), SinkError> {
        let r = FutureRecord::to(topic)
            .key(key)
            .payload(body)
            .headers(headers);
        match self.producer.send(r, QUEUE_TIMEOUT).await {
            Ok(_) => Ok(()),
            Err((source, _)) => Err(SinkError::Delivery {
                topic: topic.to_string(),
                source,
            }),
        }
    }

    /// A fatal producer error (the idempotent producer cannot guarantee order or uniqueness any
    /// more): every later send fails, so the pipeline must stop.
    pub fn fatal_error(&self) -> Option<(RDKafkaErrorCode, String)> {
        self.producer.client().fatal_error()
    }

    /// Waits for everything queued to be delivered (shutdown).
    pub fn flush(&self, timeout: Duration) -> Result<(), KafkaError> {
        self.producer.flush(timeout)
    }
}
