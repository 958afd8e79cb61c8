//! `paxscreen loadgen`: drives a running `paxscreen serve` over gRPC with realistic generated
//! travellers and reports latency and throughput as one JSON line.
//!
//! Travellers come from [`crate::synth`] (18 naming cultures, passports, birth dates); with
//! `--watchlist` a small share of them (`--hit-rate`) are people taken from that list, so that
//! the server also does the work of real matches (explanations, alerts, publishing). Every
//! request carries a fresh message reference, so alerts are new each time (as in real traffic)
//! rather than de-duplicated.
//!
//! Modes:
//! - `manifest`: `ScreenManifest` with `--travellers` per request (agency traffic).
//! - `boarding`: `CheckBoarding` with `--travellers` per request (iAPI; usually 1).
//! - `stream`: `ScreenStream`, `--concurrency` streams each sending travellers as fast as flow
//!   control allows; reports travellers per second. Latency is from handing a traveller to the
//!   client library to receiving its result, so it includes client-side queueing.
//!
//! Latency is measured per request by the client (so it includes the network stack, encoding
//! and decoding on both sides); the first `--warmup` seconds are not counted.
//!
//! Not for: tests. It measures; the numbers go in the README, never into assertions.

use crate::ingest::grpc::convert;
use crate::ingest::grpc::pb;
use crate::ingest::grpc::pb::screening_service_client::ScreeningServiceClient;
use crate::model::{DateSpec, EntityType, NameKind, Passenger, Traveller, WatchlistEntry};
use crate::synth::{Population, Rng};
use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tonic::transport::Channel;

/// What to drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// `ScreenManifest`, `--travellers` per request.
    Manifest,
    /// `CheckBoarding`, `--travellers` per request.
    Boarding,
    /// `ScreenStream`, one stream per `--concurrency`.
    Stream,
}

/// `paxscreen loadgen` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadgenArgs {
    /// gRPC address of the server (`host:port` or `http://host:port`).
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub addr: String,
    /// Which RPC to drive.
    #[arg(long, value_enum, default_value_t = Mode::Manifest)]
    pub mode: Mode,
    /// Travellers per request (manifest, boarding); ignored by stream.
    #[arg(long, default_value_t = 400)]
    pub travellers: usize,
    /// Requests in flight at once (manifest, boarding), or open streams (stream). Each has its
    /// own connection.
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Seconds measured (after the warm-up).
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Seconds of load before measuring starts.
    #[arg(long, default_value_t = 2.0)]
    pub warmup: f64,
    /// A watchlist file (UN XML, OFAC sdn.csv, NDJSON) to take listed people from, mixed into
    /// the travellers at `--hit-rate`; repeat for several. Without it no traveller is listed
    /// (namesakes of listed people still match).
    #[arg(long = "watchlist", value_name = "PATH")]
    pub watchlists: Vec<PathBuf>,
    /// Share of travellers taken from `--watchlist`.
    #[arg(long, default_value_t = 0.005)]
    pub hit_rate: f64,
    /// Seed of the traveller generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stream mode: most travellers a stream has sent and not yet had answered. Bounds the
    /// queue in front of the server, so that stream latency means something at full throughput.
    #[arg(long, default_value_t = 1024)]
    pub stream_window: usize,
    /// Client runtime threads (1: a single-threaded client, the lightest on a shared machine).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
}

/// The JSON line `loadgen` prints.
#[derive(Debug, Serialize)]
pub struct Report {
    pub mode: Mode,
    pub addr: String,
    pub travellers_per_request: usize,
    pub concurrency: usize,
    pub duration_s: f64,
    /// Requests (manifest, boarding) or travellers (stream) answered in the measured window.
    pub requests: u64,
    pub errors: u64,
    pub travellers: u64,
    pub requests_per_s: f64,
    pub travellers_per_s: f64,
    /// Travellers that had at least one match.
    pub with_matches: u64,
    pub latency_ms: Latency,
    /// The first error seen, if any (status code and message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

#[derive(Debug, Serialize, Default)]
pub struct Latency {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub mean: f64,
}

impl Latency {
    fn of(mut us: Vec<u64>) -> Latency {
        if us.is_empty() {
            return Latency::default();
        }
        us.sort_unstable();
        let at = |q: f64| {
            let i = ((us.len() as f64 * q).ceil() as usize).clamp(1, us.len()) - 1;
            us[i] as f64 / 1000.0
        };
        let mean = us.iter().sum::<u64>() as f64 / us.len() as f64 / 1000.0;
        Latency {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: at(1.0),
            mean: (mean * 1000.0).round() / 1000.0,
        }
    }
}

/// Generates travellers: synthetic people, and listed people at `hit_rate`.
struct Generator {
    population: Population,
    rng: Rng,
    listed: Arc<Vec<WatchlistEntry>>,
    hit_rate: f64,
    next: u64,
}

impl Generator {
    fn traveller(&mut self) -> pb::Traveller {
        self.next += 1;
        let mut p = if !self.listed.is_empty() && self.rng.chance(self.hit_rate) {
            let e = self.rng.pick(&self.listed).clone();
            listed_person(&e)
        } else {
            self.population.traveller(&mut self.rng)
        };
        p.id = format!("L{}", self.next);
        convert::traveller_pb(&Traveller {
            passenger: p,
            passenger_ref: Some(format!("R{}", self.next)),
            ..Traveller::default()
        })
    }
}

/// A traveller presenting as a listed person: their primary name, first stated birth date and
/// nationality, first document.
fn listed_person(e: &WatchlistEntry) -> Passenger {
    let name = e
        .names
        .iter()
        .find(|n| n.kind == NameKind::Primary)
        .or(e.names.first())
        .map(|n| n.full.clone());
    Passenger {
        name,
        dob: e.dobs.iter().find_map(|d| match d {
            DateSpec::Exact(d) => Some(*d),
            _ => None,
        }),
        nationality: e.nationalities.first().copied(),
        gender: e.gender,
        documents: e.documents.iter().take(1).cloned().collect(),
        ..Passenger::default()
    }
}

fn endpoint(addr: &str) -> String {
    if addr.starts_with("http://") || addr.starts_with("https://") {
        addr.to_string()
    } else {
        format!("http://{addr}")
    }
}

async fn connect(addr: &str) -> Result<Channel> {
    Channel::from_shared(endpoint(addr))?
        .tcp_nodelay(true)
        .connect()
        .await
        .with_context(|| format!("connecting to {addr}"))
}

fn flight(n: u64) -> pb::Flight {
    pb::Flight {
        carrier: "LG".into(),
        number: format!("{:04}", n % 10_000),
        id: format!("LG{:04}", n % 10_000),
        departure_airport: "CDG".into(),
        departure_time: "2026-03-01T10:00".into(),
        arrival_airport: "JFK".into(),
        arrival_time: "2026-03-01T18:00".into(),
    }
}

/// What one worker measured.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    requests: u64,
    errors: u64,
    travellers: u64,
    with_matches: u64,
    first_error: Option<String>,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.latencies_us.extend(o.latencies_us);
        self.requests += o.requests;
        self.errors += o.errors;
        self.travellers += o.travellers;
        self.with_matches += o.with_matches;
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
    }
    fn error(&mut self, s: &tonic::Status) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(format!("{:?}: {}", s.code(), s.message()));
        }
    }
}

/// A pool of pre-generated manifests per worker, so that generation stays out of the timings.
fn manifests(g: &mut Generator, n: usize, per: usize) -> Vec<pb::Manifest> {
    (0..n)
        .map(|i| pb::Manifest {
            sender: "LG".into(),
            recipient: "AUTH".into(),
            flights: vec![flight(i as u64)],
            travellers: (0..per).map(|_| g.traveller()).collect(),
            ..Default::default()
        })
        .collect()
}

async fn request_worker(
    args: LoadgenArgs,
    listed: Arc<Vec<WatchlistEntry>>,
    worker: usize,
    start: Instant,
    measure_from: Instant,
    until: Instant,
) -> Result<Tally> {
    let mut client = ScreeningServiceClient::new(connect(&args.addr).await?)
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20);
    let mut g = generator(&args, listed, worker);
    // enough distinct travellers that listed people occur at about the hit rate
    let pool = manifests(&mut g, (4096 / args.travellers).max(16), args.travellers);
    let mut t = Tally::default();
    let mut n = 0u64;
    while Instant::now() < until {
        let mut m = pool[n as usize % pool.len()].clone();
        // a fresh message each time: new alert ids, as in real traffic
        m.message_ref = format!("W{worker}-{n}-{}", start.elapsed().as_nanos());
        n += 1;
        let sent = Instant::now();
        let answered = match args.mode {
            Mode::Manifest => client
                .screen_manifest(pb::ScreenManifestRequest { manifest: Some(m) })
                .await
                .map(|r| {
                    let r = r.into_inner();
                    let hits = r.results.iter().filter(|x| !x.matches.is_empty()).count();
                    (r.results.len(), hits)
                }),
            Mode::Boarding => client
                .check_boarding(pb::CheckBoardingRequest {
                    request: Some(pb::check_boarding_request::Request::Manifest(m)),
                })
                .await
                .map(|r| {
                    let r = r.into_inner();
                    let hits = r
                        .decisions
                        .iter()
                        .filter(|d| d.decision != pb::Decision::Board as i32)
                        .count();
                    (r.decisions.len(), hits)
                }),
            Mode::Stream => bail!("stream mode has its own worker"),
        };
        let took = sent.elapsed();
        if sent < measure_from {
            continue;
        }
        match answered {
            Ok((travellers, hits)) => {
                t.requests += 1;
                t.travellers += travellers as u64;
                t.with_matches += hits as u64;
                t.latencies_us.push(took.as_micros() as u64);
            }
            Err(s) => t.error(&s),
        }
    }
    Ok(t)
}

async fn stream_worker(
    args: LoadgenArgs,
    listed: Arc<Vec<WatchlistEntry>>,
    worker: usize,
    measure_from: Instant,
    until: Instant,
) -> Result<Tally> {
    let mut client = ScreeningServiceClient::new(connect(&args.addr).await?);
    let mut g = generator(&args, listed, worker);
    let pool: Vec<pb::Traveller> = (0..4096).map(|_| g.traveller()).collect();
    // send instants, in order: results come back in request order
    let sent: Arc<Mutex<VecDeque<Instant>>> = Arc::default();
    let window = Arc::new(tokio::sync::Semaphore::new(args.stream_window.max(1)));
    let (tx, rx) = mpsc::channel::<pb::ScreenStreamRequest>(64);
    let producer = {
        let sent = sent.clone();
        let window = window.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                // released when the result arrives
                match window.acquire().await {
                    Ok(p) => p.forget(),
                    Err(_) => break,
                }
                let mut t = pool[n as usize % pool.len()].clone();
                // a fresh traveller id each time: new alert ids
                t.id = format!("S{worker}-{n}");
                let item = pb::ScreenStreamRequest {
                    correlation_id: n.to_string(),
                    traveller: Some(t),
                    flight: Some(flight(n / 300)),
                };
                n += 1;
                if let Ok(mut q) = sent.lock() {
                    q.push_back(Instant::now());
                }
                if tx.send(item).await.is_err() {
                    break;
                }
            }
        })
    };
    let mut results = client
        .screen_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .context("opening the stream")?
        .into_inner();
    let mut t = Tally::default();
    while let Some(r) = results.next().await {
        window.add_permits(1);
        let at = sent.lock().ok().and_then(|mut q| q.pop_front());
        match r {
            Ok(r) => {
                let Some(at) = at else { continue };
                if at < measure_from || at >= until {
                    continue;
                }
                if !r.error.is_empty() {
                    t.errors += 1;
                    continue;
                }
                t.requests += 1;
                t.travellers += 1;
                t.with_matches += u64::from(!r.matches.is_empty());
                t.latencies_us.push(at.elapsed().as_micros() as u64);
            }
            Err(s) => {
                t.error(&s);
                break;
            }
        }
    }
    let _ = producer.await;
    Ok(t)
}

fn generator(args: &LoadgenArgs, listed: Arc<Vec<WatchlistEntry>>, worker: usize) -> Generator {
    Generator {
        population: Population::new(),
        rng: Rng::new(
            args.seed
                .wrapping_mul(1_000_003)
                .wrapping_add(worker as u64),
        ),
        listed,
        hit_rate: args.hit_rate,
        next: (worker as u64) << 40,
    }
}

/// The people of `--watchlist` files that travellers may be (individuals with a name).
fn listed_people(paths: &[PathBuf]) -> Result<Vec<WatchlistEntry>> {
    let mut out = Vec::new();
    for path in paths {
        let (entries, _) = crate::watchlist::load_path(path)?;
        out.extend(
            entries
                .into_iter()
                .filter(|e| e.entity_type == EntityType::Individual && !e.names.is_empty()),
        );
    }
    Ok(out)
}

/// Runs the load and writes the report as one JSON line to `out`.
pub async fn run(args: LoadgenArgs, out: &mut dyn Write) -> Result<Report> {
    if args.concurrency == 0 || args.duration <= 0.0 || args.warmup < 0.0 {
        bail!("--concurrency and --duration must be positive, --warmup not negative");
    }
    if args.mode != Mode::Stream && args.travellers == 0 {
        bail!("--travellers must be positive");
    }
    let listed = Arc::new(listed_people(&args.watchlists)?);
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let until = measure_from + Duration::from_secs_f64(args.duration);
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..args.concurrency {
        let a = args.clone();
        if args.mode == Mode::Stream {
            tasks.spawn(stream_worker(a, listed.clone(), w, measure_from, until));
        } else {
            tasks.spawn(request_worker(
                a,
                listed.clone(),
                w,
                start,
                measure_from,
                until,
            ));
        }
    }
    let mut total = Tally::default();
    while let Some(r) = tasks.join_next().await {
        total.merge(r??);
    }
    let secs = args.duration;
    let report = Report {
        mode: args.mode,
        addr: args.addr.clone(),
        travellers_per_request: if args.mode == Mode::Stream {
            1
        } else {
            args.travellers
        },
        concurrency: args.concurrency,
        duration_s: secs,
        requests: total.requests,
        errors: total.errors,
        travellers: total.travellers,
        requests_per_s: (total.requests as f64 / secs * 10.0).round() / 10.0,
        travellers_per_s: (total.travellers as f64 / secs).round(),
        with_matches: total.with_matches,
        latency_ms: Latency::of(total.latencies_us),
        first_error: total.first_error,
    };
    writeln!(out, "{}", serde_json::to_string(&report)?)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let l = Latency::of((1..=100).map(|ms| ms * 1000).collect());
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(Latency::of(vec![]).max, 0.0);
    }

    #[test]
    fn listed_people_carry_the_entry_identity() {
        let mut e = WatchlistEntry::person("X", "l", &["Ali Hassan"]);
        e.dobs = vec!["~1960".parse().unwrap(), "1961-02-03".parse().unwrap()];
        let p = listed_person(&e);
        assert_eq!(p.name.as_deref(), Some("Ali Hassan"));
        assert_eq!(p.dob.map(|d| d.to_string()).as_deref(), Some("1961-02-03"));
    }
}
