//! `paxscreen kafka-loadgen`: how many travellers per second go through the whole pipeline?
//!
//! Each run produces M PAXLST manifests of T realistic generated travellers ([`crate::synth`])
//! to a fresh input topic, then starts a [`Pipeline`] on it and measures the time from the first
//! record read to the last manifest screened with its alerts acknowledged (and then until the
//! group's committed offsets reach the end of every partition). The same manifests screened
//! directly by the matcher (no Kafka, no parsing) give the baseline that shows where the time
//! goes. Against a broker given by `--brokers`, or librdkafka's in-process mock cluster.
//!
//! Also home of the synthetic-manifest helpers the Kafka tests share (rendering a manifest as
//! one PAXLST record or as several multi-part records).

use super::{Options, Pipeline};
use crate::alerts::{AlertHub, MemoryStore};
use crate::config::KafkaConfig;
use crate::engine::{Engine, Limits, Policy};
use crate::model::{Flight, FlightEndpoint, Manifest, Passenger, Traveller, TravellerKind};
use crate::paxlst::{Separators, render_paxlst};
use crate::screen::ScreenConfig;
use crate::synth::{Population, Rng};
use anyhow::{Context as _, Result};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A manifest for flight `flight` (`LG0001`) with the given travellers (their ids become the
/// RFF+ABO passenger references, so they survive rendering).
pub fn manifest_of(flight: &str, travellers: Vec<Passenger>) -> Manifest {
    let travellers = travellers
        .into_iter()
        .map(|p| Traveller {
            kind: TravellerKind::Passenger,
            passenger_ref: Some(p.id.clone()),
            passenger: p,
            ..Traveller::default()
        })
        .collect();
    Manifest {
        message_ref: Some("1".into()),
        sender: Some("LOADGEN".into()),
        recipient: Some("PAXSCREEN".into()),
        flights: vec![Flight {
            carrier: Some(flight[..2].to_string()),
            number: Some(flight[2..].to_string()),
            id: Some(flight.to_string()),
            departure: FlightEndpoint {
                airport: Some("CDG".into()),
                time: Some("2026-03-01T10:30".into()),
            },
            arrival: FlightEndpoint {
                airport: Some("JFK".into()),
                time: Some("2026-03-01T13:25".into()),
            },
            ..Flight::default()
        }],
        travellers,
        ..Manifest::default()
    }
}

/// `n` generated travellers.
pub fn travellers(pop: &Population, rng: &mut Rng, n: usize) -> Vec<Passenger> {
    (0..n).map(|_| pop.traveller(rng)).collect()
}

/// The manifest as one PAXLST interchange (one record).
pub fn render_single(m: &Manifest) -> String {
    render_paxlst(m, &Separators::DEFAULT)
}

/// The manifest split into `parts` multi-part messages (UNH common access reference `car`,
/// S010 `01:C` … `nn:F`), one interchange per part: one record each.
pub fn render_parts(m: &Manifest, parts: usize, car: &str) -> Vec<String> {
    let parts = parts.clamp(1, m.travellers.len().max(1));
    let per = m.travellers.len().div_ceil(parts).max(1);
    let chunks: Vec<&[Traveller]> = if m.travellers.is_empty() {
        vec![&[]]
    } else {
        m.travellers.chunks(per).collect()
    };
    let n = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let part = Manifest {
                travellers: chunk.to_vec(),
                ..m.clone()
            };
            let text = render_paxlst(&part, &Separators::DEFAULT);
            let s010 = match (i + 1, n) {
                (s, n) if s == n => format!("{s:02}:F"),
                (1, _) => "01:C".to_string(),
                (s, _) => format!("{s:02}"),
            };
            text.replacen(
                "PAXLST:D:05B:UN:IATA'",
                &format!("PAXLST:D:05B:UN:IATA+{car}+{s010}'"),
                1,
            )
        })
        .collect()
}

/// What `kafka-loadgen` does.
#[derive(Debug, Clone)]
pub struct LoadgenArgs {
    /// Broker list; `None` runs against librdkafka's in-process mock cluster.
    pub brokers: Option<String>,
    pub watchlists: Vec<PathBuf>,
    pub manifests: usize,
    pub travellers: usize,
    pub partitions: i32,
    pub runs: usize,
    pub max_in_flight: usize,
    pub seed: u64,
}

/// One run's measurements.
#[derive(Debug, Clone, serde::Serialize)]
struct RunReport {
    run: usize,
    manifests: u64,
    travellers: u64,
    alerts: u64,
    produce_seconds: f64,
    /// First record read → last manifest's alerts acknowledged and published.
    pipeline_seconds: f64,
    travellers_per_second: f64,
    /// First record read → group's committed offsets at the end of every partition.
    committed_seconds: f64,
    /// Subscribe → first record read (group join, first fetch).
    startup_seconds: f64,
    /// The matcher alone on the same travellers, just before this run (no Kafka, no parsing).
    matcher_travellers_per_second: f64,
    /// Summed over units (overlapping when several are in flight).
    parse_seconds: f64,
    screen_seconds: f64,
    produce_ack_seconds: f64,
    publish_seconds: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Runs the load generator; writes one JSON line per run and a summary line to `out`.
pub async fn run(args: &LoadgenArgs, out: &mut dyn Write) -> Result<()> {
    let t = Instant::now();
    let entries = {
        let paths = args.watchlists.clone();
        tokio::task::spawn_blocking(move || {
            crate::cli::load_watchlists(&paths, &mut std::io::sink())
        })
        .await??
    };
    let n_entries = entries.len();
    let hub = AlertHub::new(Arc::new(MemoryStore::new(1_000_000)), 1024);
    let engine = Arc::new(
        tokio::task::spawn_blocking(move || {
            Engine::new(
                entries,
                ScreenConfig::default(),
                Policy::default(),
                Limits::default(),
                hub,
            )
        })
        .await?,
    );
    writeln!(
        out,
        "{}",
        serde_json::json!({"entries": n_entries, "load_seconds": t.elapsed().as_secs_f64()})
    )?;

    let pop = Population::new();
    let mut rng = Rng::new(args.seed);
    let manifests: Vec<Manifest> = (0..args.manifests)
        .map(|i| {
            manifest_of(
                &format!("LG{i:04}"),
                travellers(&pop, &mut rng, args.travellers),
            )
        })
        .collect();
    let records: Vec<(String, String)> = manifests
        .iter()
        .map(|m| {
            (
                m.flights[0].id.clone().unwrap_or_default(),
                render_single(m),
            )
        })
        .collect();

    // the matcher alone on the same travellers (measured before each run, since the machine's
    // load drifts): the ceiling for the pipeline
    let all: Arc<Vec<Passenger>> = Arc::new(
        manifests
            .iter()
            .flat_map(|m| m.travellers.iter().map(|t| t.passenger.clone()))
            .collect(),
    );
    let baseline_once = || {
        let e = engine.clone();
        let ps = all.clone();
        tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            std::hint::black_box(e.screener().screen_all(&ps));
            ps.len() as f64 / t.elapsed().as_secs_f64()
        })
    };

    let mock = match &args.brokers {
        Some(_) => None,
        None => Some(rdkafka::mocking::MockCluster::new(1).context("starting the mock cluster")?),
    };
    let brokers = match (&args.brokers, &mock) {
        (Some(b), _) => b.clone(),
        (None, Some(m)) => m.bootstrap_servers(),
        (None, None) => unreachable!("a mock cluster exists when no brokers are given"),
    };

    let mut reports = Vec::new();
    let mut baseline = Vec::new();
    for run in 0..args.runs.max(1) {
        let matcher = baseline_once().await?;
        baseline.push(matcher);
        let tag = format!(
            "{}-{}-{}",
            std::process::id(),
            run,
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or(0)
        );
        let cfg = KafkaConfig {
            brokers: brokers.clone(),
            group_id: format!("loadgen-{tag}"),
            input_topic: format!("loadgen.api.{tag}"),
            alerts_topic: format!("loadgen.alerts.{tag}"),
            dlq_topic: format!("loadgen.dlq.{tag}"),
            results_topic: None,
            partitions: args.partitions,
            max_in_flight: args.max_in_flight,
            ..KafkaConfig::default()
        };
        if let Some(m) = &mock {
            for t in super::topics::wanted(&cfg) {
                m.create_topic(&t, args.partitions, 1)?;
            }
        } else {
            super::topics::ensure(&cfg).await?;
        }
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "20")
            .create()?;
        let t = Instant::now();
        let mut acks = Vec::with_capacity(records.len());
        for (key, body) in &records {
            let r = FutureRecord::to(&cfg.input_topic).key(key).payload(body);
            acks.push(producer.send(r, Duration::from_secs(30)));
        }
        // one past the last offset produced to each partition, from the delivery reports (tansu
        // 0.6 reports a wrong high watermark after multi-record batches)
        let mut ends = vec![0i64; args.partitions.max(1) as usize];
        for r in futures::future::join_all(acks).await {
            let d = r.map_err(|(e, _)| e).context("producing the input")?;
            if let Some(e) = ends.get_mut(d.partition as usize) {
                *e = (*e).max(d.offset + 1);
            }
        }
        let produce_seconds = t.elapsed().as_secs_f64();

        let shutdown = CancellationToken::new();
        let opts = Options {
            max_in_flight: args.max_in_flight,
            ..Options::from_config(&cfg)
        };
        let started = Instant::now();
        let pipeline = Pipeline::start(engine.clone(), cfg.clone(), opts, shutdown.clone()).await?;
        let mut first = None;
        loop {
            let c = pipeline.counters();
            if first.is_none() && c.records > 0 {
                first = Some(Instant::now());
            }
            if c.manifests >= args.manifests as u64 {
                break;
            }
            if started.elapsed() > Duration::from_secs(600) {
                anyhow::bail!("run {run}: not done after 600 s ({c:?})");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let first = first.unwrap_or(started);
        let pipeline_seconds = first.elapsed().as_secs_f64();
        let counters = pipeline.counters();
        // the group's committed offsets at the end of every partition
        let watcher: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("group.id", &cfg.group_id)
            .set("enable.auto.commit", "false")
            .create()?;
        let committed_seconds = loop {
            if committed_all(&watcher, &cfg.input_topic, &ends)? {
                break first.elapsed().as_secs_f64();
            }
            if first.elapsed() > Duration::from_secs(600) {
                anyhow::bail!("run {run}: offsets not committed after 600 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        shutdown.cancel();
        pipeline.wait().await?;
        let r = RunReport {
            run,
            manifests: counters.manifests,
            travellers: counters.travellers,
            alerts: counters.alerts,
            produce_seconds,
            pipeline_seconds,
            travellers_per_second: counters.travellers as f64 / pipeline_seconds,
            matcher_travellers_per_second: matcher,
            committed_seconds,
            startup_seconds: (first - started).as_secs_f64(),
            parse_seconds: counters.parse.as_secs_f64(),
            screen_seconds: counters.screen.as_secs_f64(),
            produce_ack_seconds: counters.produce.as_secs_f64(),
            publish_seconds: counters.publish.as_secs_f64(),
        };
        writeln!(out, "{}", serde_json::to_string(&r)?)?;
        reports.push(r);
    }
    writeln!(
        out,
        "{}",
        serde_json::json!({
            "summary": {
                "broker": if mock.is_some() { "mock".to_string() } else { brokers.clone() },
                "runs": reports.len(),
                "manifests": args.manifests,
                "travellers_per_manifest": args.travellers,
                "partitions": args.partitions,
                "median_travellers_per_second": median(reports.iter().map(|r| r.travellers_per_second).collect()),
                "median_pipeline_seconds": median(reports.iter().map(|r| r.pipeline_seconds).collect()),
                "median_committed_seconds": median(reports.iter().map(|r| r.committed_seconds).collect()),
                "median_matcher_travellers_per_second": median(baseline),
                "median_pipeline_to_matcher": median(reports.iter().map(|r| r.travellers_per_second / r.matcher_travellers_per_second).collect()),
            }
        })
    )?;
    Ok(())
}

/// Whether the group's committed offset of every partition is at `ends` (one past the last
/// record produced there).
fn committed_all(consumer: &BaseConsumer, topic: &str, ends: &[i64]) -> Result<bool> {
    let mut tpl = TopicPartitionList::new();
    for p in 0..ends.len() {
        tpl.add_partition(topic, p as i32);
    }
    let committed = consumer.committed_offsets(tpl, Duration::from_secs(5))?;
    Ok(ends.iter().enumerate().all(|(p, &end)| {
        match committed
            .find_partition(topic, p as i32)
            .map(|e| e.offset())
        {
            Some(Offset::Offset(o)) => o >= end,
            _ => end == 0,
        }
    }))
}
