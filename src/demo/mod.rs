//! `paxscreen demo`: the whole service on embedded defaults, with traffic.
//!
//! Starts [`crate::service::start`] with the UN consolidated list and a small demo national list
//! (both compiled into the binary, written to `<data dir>/watchlists/` so that they load the way
//! any configured list does) and the durable store in the data directory, then replays
//! synthetic flights as real PAXLST EDIFACT through [`crate::ingest::screen_paxlst`], the path
//! every source shares. A few travellers on each stretch of flights are listed people with
//! realistic variations ([`traffic`]), so the dashboard fills with alerts within seconds.
//! A handful of "regulars" — namesakes of listed people, born on other days — fly again and
//! again with the same passport: mark one a false positive and its next alert arrives
//! suppressed.

pub mod traffic;

use crate::alerts::Source;
use crate::config::Config;
use crate::engine::Engine;
use crate::model::{EntryRef, Passenger};
use crate::paxlst::{Separators, render_paxlst};
use crate::service::{self, Context, Running};
use anyhow::{Context as _, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use traffic::Traffic;

/// The UN Security Council consolidated list of 2026-02-27 (see `data/SOURCES.md`).
pub const UN_XML: &[u8] = include_bytes!("../../data/watchlists/un-consolidated-2026-02-27.xml");
const UN_FILE: &str = "un-consolidated-2026-02-27.xml";
/// Five invented people, for the demo only.
pub const NATIONAL_NDJSON: &[u8] = include_bytes!("../../data/watchlists/demo_national.ndjson");
const NATIONAL_FILE: &str = "demo_national.ndjson";

/// How the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub http_addr: SocketAddr,
    pub grpc_addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Pause between two manifests.
    pub interval: Duration,
    /// Seed of the traffic; the same seed replays the same people (flight times follow the
    /// clock, so message ids still differ between runs).
    pub seed: u64,
    /// Stop replaying after this many manifests (`None`: until stopped).
    pub manifests: Option<u64>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            http_addr: ([127, 0, 0, 1], 8080).into(),
            grpc_addr: ([127, 0, 0, 1], 50051).into(),
            data_dir: PathBuf::from("paxscreen-demo"),
            interval: Duration::from_millis(2000),
            seed: 2026,
            manifests: None,
        }
    }
}

/// Writes `bytes` to `path` unless it already holds them.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|b| b == bytes) {
        return Ok(());
    }
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// The configuration the demo serves with: embedded lists written into the data directory.
pub fn config(opts: &DemoOptions) -> Result<Config> {
    let lists = opts.data_dir.join("watchlists");
    std::fs::create_dir_all(&lists).with_context(|| format!("creating {}", lists.display()))?;
    let un = lists.join(UN_FILE);
    let national = lists.join(NATIONAL_FILE);
    write_if_changed(&un, UN_XML)?;
    write_if_changed(&national, NATIONAL_NDJSON)?;
    let mut c = Config {
        watchlists: vec![un, national],
        data_dir: Some(opts.data_dir.clone()),
        ..Config::default()
    };
    c.grpc.addr = opts.grpc_addr;
    c.http.addr = opts.http_addr;
    c.validate()?;
    Ok(c)
}

/// Starts the service the demo runs (without traffic).
pub async fn start(opts: &DemoOptions) -> Result<Running> {
    let config = {
        let o = opts.clone();
        tokio::task::spawn_blocking(move || config(&o)).await??
    };
    service::start(config).await
}

/// Runs the demo until SIGTERM / Ctrl-C (or until `manifests` were replayed and then a signal).
pub async fn run(opts: DemoOptions) -> Result<()> {
    let running = start(&opts).await?;
    let url = format!("http://{}/", running.http_addr);
    let stats = running.ctx.engine.stats();
    eprintln!();
    eprintln!("  paxscreen demo — dashboard: {url}");
    eprintln!(
        "  gRPC {} · data in {} · {} listed people indexed ({})",
        running.grpc_addr,
        opts.data_dir.display(),
        stats.indexed,
        stats
            .lists
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!(
        "  replaying a synthetic PAXLST manifest every {:.1} s; Ctrl-C to stop",
        opts.interval.as_secs_f64()
    );
    eprintln!();
    let ctx = running.ctx.clone();
    let replay = tokio::spawn(replay(ctx.clone(), opts.clone()));
    let token = ctx.shutdown.clone();
    tokio::spawn(async move {
        service::wait_for_signal().await;
        tracing::info!("shutdown requested");
        token.cancel();
    });
    let served = running.wait().await;
    match replay.await {
        Ok(Ok(n)) => tracing::info!(manifests = n, "demo traffic stopped"),
        Ok(Err(e)) => tracing::error!(error = %e, "demo traffic failed"),
        Err(e) => tracing::error!(error = %e, "demo traffic task failed"),
    }
    served
}

/// Screens synthetic manifests every `interval` until shutdown (or `manifests` of them); returns
/// how many were screened.
pub async fn replay(ctx: Arc<Context>, opts: DemoOptions) -> Result<u64> {
    let engine = ctx.engine.clone();
    let generator = {
        let engine = engine.clone();
        let seed = opts.seed;
        tokio::task::spawn_blocking(move || Generator::new(&engine, seed)).await?
    };
    // used by one blocking task at a time; the mutex only hands it over
    let generator = Arc::new(std::sync::Mutex::new(generator));
    let mut sent = 0u64;
    loop {
        if opts.manifests.is_some_and(|n| sent >= n) || ctx.shutdown.is_cancelled() {
            return Ok(sent);
        }
        let (g, e) = (generator.clone(), engine.clone());
        let screened = tokio::task::spawn_blocking(move || {
            let bytes = g.lock().unwrap_or_else(|p| p.into_inner()).next_message(&e);
            crate::ingest::screen_paxlst(&e, bytes.as_bytes(), &Source::Demo)
        })
        .await?;
        match screened {
            Ok(s) => {
                let alerts: usize = s.iter().map(|x| x.published.len()).sum();
                tracing::debug!(manifest = sent, alerts, "demo manifest screened");
            }
            Err(e) => tracing::warn!(error = %e, "demo manifest refused"),
        }
        sent += 1;
        tokio::select! {
            _ = ctx.shutdown.cancelled() => return Ok(sent),
            _ = tokio::time::sleep(opts.interval) => {}
        }
    }
}

/// Generates the demo's stream of PAXLST messages.
pub struct Generator {
    traffic: Traffic,
    /// Listed people a traveller can be made from.
    listed: Vec<EntryRef>,
    /// Travellers who fly again and again (same passport): namesakes of listed people.
    regulars: Vec<Passenger>,
    count: u64,
}

impl Generator {
    /// Picks the listed people and the regulars from what `engine` has loaded.
    pub fn new(engine: &Engine, seed: u64) -> Generator {
        let mut listed: Vec<EntryRef> = engine
            .screener()
            .index()
            .all()
            .into_iter()
            .filter(|e| e.is_person() && traffic::eligible(&e.entry))
            .map(|e| e.entry.clone())
            .collect();
        listed.sort_by(|a, b| a.id.cmp(&b.id));
        let mut traffic = Traffic::new(seed);
        let mut regulars = Vec::new();
        let threshold = engine.policy().alert_threshold;
        // namesakes: a listed person's name on someone born another day; those whose alert
        // survives the different birth date (lists without one, or with a year only) are the
        // false positives analysts see again and again
        for _ in 0..400 {
            if regulars.len() >= 4 || listed.is_empty() {
                break;
            }
            let e = traffic.rng.pick(&listed).clone();
            if let Some((mut p, _)) = traffic.listed_traveller(&e) {
                let year = traffic.rng.range(1950, 2000) as u16;
                let month = traffic.rng.range(1, 12) as u8;
                p.dob = Some(crate::model::PartialDate::ymd(year, month, 1 + month));
                if alerts(engine, &p, threshold) {
                    regulars.push(p);
                }
            }
        }
        Generator {
            traffic,
            listed,
            regulars,
            count: 0,
        }
    }

    /// A listed traveller who alerts (tries a few people and variations).
    fn listed_traveller(&mut self, engine: &Engine) -> Option<Passenger> {
        let threshold = engine.policy().alert_threshold;
        // the national list's people often: they are the ones the demo list is about
        for _ in 0..12 {
            let national: Vec<&EntryRef> = self.listed.iter().filter(|e| e.list != "un").collect();
            let e = if !national.is_empty() && self.traffic.rng.chance(0.3) {
                (*self.traffic.rng.pick(&national)).clone()
            } else {
                self.traffic.rng.pick(&self.listed).clone()
            };
            if let Some((p, _)) = self.traffic.listed_traveller(&e)
                && alerts(engine, &p, threshold)
            {
                return Some(p);
            }
        }
        None
    }

    /// The next manifest, as PAXLST text.
    pub fn next_message(&mut self, engine: &Engine) -> String {
        self.count += 1;
        let n = self.traffic.rng.range(40, 160) as usize;
        let mut ps: Vec<Passenger> = (0..n).map(|_| self.traffic.traveller()).collect();
        // the first manifests always carry someone, so alerts show at once
        let listed = self.count <= 2 || self.traffic.rng.chance(0.45);
        if listed && let Some(p) = self.listed_traveller(engine) {
            let at = self.traffic.rng.below(ps.len() as u64 + 1) as usize;
            ps.insert(at, p);
        }
        if !self.regulars.is_empty() && (self.count % 4 == 3) {
            let p = self.traffic.rng.pick(&self.regulars).clone();
            let at = self.traffic.rng.below(ps.len() as u64 + 1) as usize;
            ps.insert(at, p);
        }
        let m = self.traffic.manifest(crate::alerts::now(), ps);
        render_paxlst(&m, &Separators::DEFAULT)
    }
}

fn alerts(engine: &Engine, p: &Passenger, threshold: f32) -> bool {
    engine
        .screener()
        .screen(p)
        .first()
        .is_some_and(|m| m.score >= threshold)
}
