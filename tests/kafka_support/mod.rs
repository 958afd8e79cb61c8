//! Shared by the Kafka tests: a broker (real or mock), generated input with its expected
//! alerts, a producer, topic readers that poll until a condition holds, committed offsets, and
//! the `paxscreen serve` child process.

#![allow(dead_code)]

use paxscreen::alerts::{AlertHub, MemoryStore, Source};
use paxscreen::config::{Config, KafkaConfig};
use paxscreen::engine::Engine;
use paxscreen::ingest::kafka::loadgen::{manifest_of, render_parts, render_single, travellers};
use paxscreen::model::{Manifest, Passenger};
use paxscreen::paxlst::{Assembler, ParseOptions, ParsedMessage};
use paxscreen::synth::{Population, Rng};
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{DefaultProducerContext, FutureProducer, FutureRecord};
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The broker under test.
pub enum Broker {
    Real(String),
    Mock(MockCluster<'static, DefaultProducerContext>),
}

impl Broker {
    /// `PAXSCREEN_TEST_KAFKA` when set, else a fresh in-process mock cluster.
    pub fn start() -> Broker {
        match std::env::var("PAXSCREEN_TEST_KAFKA") {
            Ok(b) if !b.trim().is_empty() => Broker::Real(b),
            _ => Broker::Mock(MockCluster::new(1).expect("mock cluster")),
        }
    }

    pub fn servers(&self) -> String {
        match self {
            Broker::Real(b) => b.clone(),
            Broker::Mock(m) => m.bootstrap_servers(),
        }
    }

    pub fn is_real(&self) -> bool {
        matches!(self, Broker::Real(_))
    }

    /// A configuration with topics and group unique to this test run.
    pub fn config(&self, test: &str, partitions: i32, results: bool) -> KafkaConfig {
        let tag = format!(
            "{test}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let mut properties = std::collections::BTreeMap::new();
        // a killed member must leave the group quickly for the fault test
        properties.insert("session.timeout.ms".to_string(), "6000".to_string());
        properties.insert("heartbeat.interval.ms".to_string(), "1000".to_string());
        KafkaConfig {
            brokers: self.servers(),
            group_id: format!("g-{tag}"),
            input_topic: format!("api-{tag}"),
            alerts_topic: format!("alerts-{tag}"),
            dlq_topic: format!("dlq-{tag}"),
            results_topic: results.then(|| format!("results-{tag}")),
            partitions,
            properties,
            ..KafkaConfig::default()
        }
    }

    /// Creates the topics: on the mock cluster through its API (it has no CreateTopics), on a
    /// real broker with the pipeline's own topic creation.
    pub async fn prepare_topics(&self, cfg: &KafkaConfig) {
        match self {
            Broker::Mock(m) => {
                for t in paxscreen::ingest::kafka::topics::wanted(cfg) {
                    m.create_topic(&t, cfg.partitions, 1).unwrap();
                }
            }
            Broker::Real(_) => {
                paxscreen::ingest::kafka::topics::ensure(cfg)
                    .await
                    .expect("topics created");
            }
        }
    }
}

/// The engine `paxscreen serve` builds from the demo national list with the default config.
pub fn engine() -> Arc<Engine> {
    let config = Config::default();
    let entries = paxscreen::cli::load_watchlists(
        &[PathBuf::from("tests/data/watchlists/demo_national.ndjson")],
        &mut std::io::sink(),
    )
    .unwrap();
    let hub = AlertHub::new(Arc::new(MemoryStore::new(100_000)), 1024);
    Arc::new(Engine::new(
        entries,
        config.screen_config(),
        config.policy(),
        config.limits(),
        hub,
    ))
}

pub fn demo_watchlist() -> PathBuf {
    PathBuf::from("tests/data/watchlists/demo_national.ndjson")
}

/// Generated manifests, some with a planted traveller (from `tests/data/passengers.ndjson`,
/// people written like entries of the demo list).
pub struct Gen {
    pop: Population,
    rng: Rng,
    planted: Vec<Passenger>,
    next: usize,
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        let planted = std::fs::read_to_string("tests/data/passengers.ndjson")
            .unwrap()
            .lines()
            .map(|l| paxscreen::cli::input::parse_passenger(l).unwrap())
            .collect();
        Gen {
            pop: Population::new(),
            rng: Rng::new(seed),
            planted,
            next: 0,
        }
    }

    pub fn manifest(&mut self, flight: &str, n: usize, plant: bool) -> Manifest {
        let mut ts = travellers(&self.pop, &mut self.rng, n);
        if plant {
            let mut p = self.planted[self.next % self.planted.len()].clone();
            p.id = format!("PL-{flight}-{}", self.next);
            self.next += 1;
            let at = (self.next * 3) % (ts.len() + 1);
            ts.insert(at, p);
        }
        manifest_of(flight, ts)
    }
}

#[derive(Debug, Clone)]
pub struct Rec {
    pub partition: Option<i32>,
    pub key: String,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// For malformed records: the DLQ error kind expected.
    pub expect_kind: Option<String>,
}

/// Records to produce, in order.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub records: Vec<Rec>,
    /// Indices of the malformed records.
    pub malformed: Vec<usize>,
    /// Index of the first multi-part part produced (for the fault test).
    pub first_part_index: Option<usize>,
}

/// What screening the input directly gives.
#[derive(Debug, Default)]
pub struct Expected {
    pub alert_ids: BTreeSet<String>,
    pub manifests: usize,
    /// Entries hit by planted travellers.
    pub planted_entries: BTreeSet<String>,
    /// Flights with at least one alert.
    pub flights: BTreeSet<String>,
}

impl Input {
    fn push(&mut self, partition: Option<i32>, key: &str, payload: Vec<u8>) {
        self.records.push(Rec {
            partition,
            key: key.to_string(),
            payload,
            headers: Vec::new(),
            expect_kind: None,
        });
    }

    pub fn single(&mut self, partition: Option<i32>, m: &Manifest) {
        let key = m.flights[0].id.clone().unwrap();
        self.push(partition, &key, render_single(m).into_bytes());
    }

    /// Produces parts `which` (0-based) of `m` split in `parts`.
    pub fn multipart(
        &mut self,
        partition: Option<i32>,
        m: &Manifest,
        parts: usize,
        car: &str,
        which: &[usize],
    ) {
        let texts = render_parts(m, parts, car);
        assert_eq!(texts.len(), parts);
        for &w in which {
            if w == 0 && self.first_part_index.is_none() {
                self.first_part_index = Some(self.records.len());
            }
            self.push(partition, car, texts[w].clone().into_bytes());
        }
    }

    pub fn multipart_rest(
        &mut self,
        partition: Option<i32>,
        m: &Manifest,
        parts: usize,
        car: &str,
        which: &[usize],
    ) {
        self.multipart(partition, m, parts, car, which)
    }

    pub fn json(&mut self, partition: Option<i32>, m: &Manifest) {
        let key = m.flights[0].id.clone().unwrap();
        self.push(partition, &key, serde_json::to_vec(m).unwrap());
    }

    pub fn malformed(&mut self, partition: Option<i32>, payload: Vec<u8>, kind: &str) {
        self.malformed.push(self.records.len());
        self.push(partition, "bad", payload);
        self.records.last_mut().unwrap().expect_kind = Some(kind.to_string());
    }

    pub fn malformed_with_header(
        &mut self,
        partition: Option<i32>,
        payload: Vec<u8>,
        header: (&str, &str),
        kind: &str,
    ) {
        self.malformed(partition, payload, kind);
        self.records
            .last_mut()
            .unwrap()
            .headers
            .push((header.0.to_string(), header.1.to_string()));
    }

    pub fn extend(&mut self, other: &Input) {
        let base = self.records.len();
        self.records.extend(other.records.iter().cloned());
        self.malformed
            .extend(other.malformed.iter().map(|i| i + base));
        if self.first_part_index.is_none() {
            self.first_part_index = other.first_part_index.map(|i| i + base);
        }
    }

    /// Screens the readable records directly (no pipeline): the alert ids the topic must hold.
    pub fn expected_alerts(&self, engine: &Engine) -> Expected {
        let mut out = Expected::default();
        let mut asm = Assembler::new(Duration::from_secs(3600));
        let screen = |m: Manifest, out: &mut Expected| {
            let o = engine.screen_manifest(&m, &Source::Demo).unwrap();
            out.manifests += 1;
            for a in o.alerts {
                if a.traveller.id.starts_with("PL-") {
                    out.planted_entries.insert(a.entry_id.clone());
                }
                out.flights.extend(a.flight.id.clone());
                out.alert_ids.insert(a.alert_id);
            }
        };
        for (i, r) in self.records.iter().enumerate() {
            if self.malformed.contains(&i) {
                continue;
            }
            if r.payload.first() == Some(&b'{') {
                screen(serde_json::from_slice(&r.payload).unwrap(), &mut out);
                continue;
            }
            for msg in paxscreen::paxlst::parse(&r.payload, &ParseOptions::default()).unwrap() {
                if let ParsedMessage::Paxlst { manifest, part } = msg
                    && let Some(m) = asm.push(manifest, part, Duration::ZERO)
                {
                    screen(m, &mut out);
                }
            }
        }
        out
    }
}

impl Broker {
    /// Produces the records in order; returns each one's (partition, offset).
    ///
    /// Against a real broker each record is sent alone (its own batch): tansu 0.6 returns
    /// nothing when a consumer fetches from an offset inside a multi-record batch (found with
    /// these tests), which would hide every record a restarted consumer must re-read after a
    /// commit in mid-batch. Apache Kafka and the mock cluster do not have that bug.
    pub async fn produce(&self, topic: &str, recs: &[Rec]) -> Vec<(i32, i64)> {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", self.servers())
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .create()
            .unwrap();
        fn record<'a>(topic: &'a str, r: &'a Rec) -> FutureRecord<'a, String, Vec<u8>> {
            let mut h = OwnedHeaders::new();
            for (k, v) in &r.headers {
                h = h.insert(Header {
                    key: k,
                    value: Some(v),
                });
            }
            let mut rec = FutureRecord::to(topic)
                .key(&r.key)
                .payload(&r.payload)
                .headers(h);
            if let Some(p) = r.partition {
                rec = rec.partition(p);
            }
            rec
        }
        let send = |r| producer.send(record(topic, r), Duration::from_secs(30));
        let results = if self.is_real() {
            let mut out = Vec::new();
            for r in recs {
                out.push(send(r).await);
            }
            out
        } else {
            futures::future::join_all(recs.iter().map(send)).await
        };
        results
            .into_iter()
            .map(|d| {
                let d = d.map_err(|(e, _)| e).expect("produced");
                (d.partition, d.offset)
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Msg {
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub payload: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

/// Reads a whole topic from the beginning (no group), accumulating what it saw.
pub struct Reader {
    consumer: BaseConsumer,
    topic: String,
    pub msgs: Vec<Msg>,
}

impl Reader {
    pub fn new(servers: &str, topic: &str) -> Reader {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", servers)
            .set("group.id", "paxscreen-test-reader")
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        let n = partitions(servers, topic);
        let mut tpl = TopicPartitionList::new();
        for p in 0..n {
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .unwrap();
        }
        consumer.assign(&tpl).unwrap();
        Reader {
            consumer,
            topic: topic.to_string(),
            msgs: Vec::new(),
        }
    }

    /// Polls until `cond` holds on everything read so far, or panics after `timeout`.
    pub fn read_until(&mut self, timeout: Duration, what: &str, cond: impl Fn(&[Msg]) -> bool) {
        let start = Instant::now();
        loop {
            if cond(&self.msgs) {
                // a little more, so that unexpected extra records would be seen too
                self.drain(Duration::from_millis(500));
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for {what} on {} ({} records read)",
                self.topic,
                self.msgs.len()
            );
            self.drain(Duration::from_millis(100));
        }
    }

    fn drain(&mut self, within: Duration) {
        let start = Instant::now();
        while start.elapsed() < within {
            match self.consumer.poll(Duration::from_millis(50)) {
                Some(Ok(m)) => self.msgs.push(Msg {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(<[u8]>::to_vec),
                    payload: m.payload().unwrap_or_default().to_vec(),
                    headers: m
                        .headers()
                        .map(|h| {
                            h.iter()
                                .map(|x| {
                                    (
                                        x.key.to_string(),
                                        String::from_utf8_lossy(x.value.unwrap_or_default())
                                            .into_owned(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                }),
                Some(Err(e)) => panic!("reading {}: {e}", self.topic),
                None => {}
            }
        }
    }
}

pub fn header<'a>(m: &'a Msg, key: &str) -> Option<&'a str> {
    m.headers
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Alert ids of alert records.
pub fn ids(ms: &[Msg]) -> BTreeSet<String> {
    ms.iter()
        .map(|m| {
            let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
            v["alert_id"].as_str().unwrap().to_string()
        })
        .collect()
}

pub fn flights_of(ms: &[Msg]) -> BTreeSet<String> {
    ms.iter()
        .filter_map(|m| {
            let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
            v["flight"]["id"].as_str().map(str::to_string)
        })
        .collect()
}

pub fn partitions(servers: &str, topic: &str) -> i32 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", servers)
        .create()
        .unwrap();
    let start = Instant::now();
    loop {
        let md = c
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .unwrap();
        let n = md
            .topics()
            .iter()
            .find(|t| t.name() == topic)
            .map_or(0, |t| t.partitions().len());
        if n > 0 {
            return n as i32;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "topic {topic} has no partitions"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The group's committed offset per partition (-1: none).
pub fn committed(servers: &str, group: &str, topic: &str, n: i32) -> Vec<i64> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", servers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..n {
        tpl.add_partition(topic, p);
    }
    let got = c.committed_offsets(tpl, Duration::from_secs(10)).unwrap();
    (0..n)
        .map(|p| match got.find_partition(topic, p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => o,
            _ => -1,
        })
        .collect()
}

/// One past the last produced offset of each partition (0: nothing produced there). Taken from
/// the producer's delivery reports rather than the broker's high watermark, which tansu 0.6
/// reports as one past the *first* offset of the last batch.
pub fn ends_of(produced: &[(i32, i64)], n: i32) -> Vec<i64> {
    let mut e = vec![0; n as usize];
    for &(p, o) in produced {
        e[p as usize] = e[p as usize].max(o + 1);
    }
    e
}

/// Waits until the group has committed, on every partition that received records, the offset
/// after the last record produced to it.
pub async fn wait_committed(
    servers: &str,
    cfg: &KafkaConfig,
    produced: &[(i32, i64)],
    timeout: Duration,
) {
    let n = partitions(servers, &cfg.input_topic);
    let ends = ends_of(produced, n);
    let start = Instant::now();
    loop {
        let c = committed(servers, &cfg.group_id, &cfg.input_topic, n);
        if c.iter().zip(&ends).all(|(&c, &e)| e == 0 || c == e) {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out waiting for offsets committed to the end: committed {c:?}, produced up to {ends:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `f` every 50 ms until it holds; panics after `timeout`.
pub async fn wait_until(timeout: Duration, what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `[kafka]` section of a service configuration for `cfg`.
pub fn service_toml(cfg: &KafkaConfig) -> String {
    let mut s = format!(
        "[kafka]\nbrokers = {:?}\ngroup_id = {:?}\ninput_topic = {:?}\nalerts_topic = {:?}\ndlq_topic = {:?}\npartitions = {}\n",
        cfg.brokers, cfg.group_id, cfg.input_topic, cfg.alerts_topic, cfg.dlq_topic, cfg.partitions
    );
    if let Some(r) = &cfg.results_topic {
        s.push_str(&format!("results_topic = {r:?}\n"));
    }
    s.push_str("[kafka.properties]\n");
    for (k, v) in &cfg.properties {
        s.push_str(&format!("{k:?} = {v:?}\n"));
    }
    s
}

/// `paxscreen serve` as a child process (stderr to `<dir>/<name>.log`).
pub struct Service {
    child: std::process::Child,
    log: PathBuf,
}

impl Service {
    pub fn spawn(config: &Path, dir: &Path, name: &str) -> Service {
        let log = dir.join(format!("{name}.log"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_paxscreen"))
            .args(["serve", "--config"])
            .arg(config)
            .arg("--watchlist")
            .arg(demo_watchlist())
            .args(["--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"])
            .env("PAXSCREEN_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("paxscreen serve starts");
        Service { child, log }
    }

    /// SIGKILL: no drain, no commit, no goodbye to the group.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then the exit status must be success (graceful shutdown).
    pub fn terminate_and_check(&mut self) {
        let st = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(
                    status.success(),
                    "serve exited with {status}; log:\n{}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "serve did not stop after SIGTERM; log:\n{}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- {} ---\n{}", self.log.display(), self.log());
        }
    }
}
