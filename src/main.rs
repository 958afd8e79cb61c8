//! `paxscreen`: flags in, subcommand out. Everything else lives in the library.

use anyhow::Result;
use clap::{Parser, Subcommand};
use paxscreen::cli;
use std::path::PathBuf;

/// Screens airline passenger manifests (PAXLST or NDJSON) against terrorism and sanctions
/// watchlists (UN consolidated XML, OFAC SDN CSV, native NDJSON).
#[derive(Parser, Debug)]
#[command(name = "paxscreen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Screen travellers from NDJSON or PAXLST files (or stdin) against watchlists.
    ///
    /// Writes one NDJSON line per traveller, in input order:
    /// {"passenger_id":…,"hits":[{"entry_id":…,"list":…,"score":…,"explanation":{…}}]}.
    /// Unreadable records get an {"input":…,"line":…,"error":…} line in their place. A summary
    /// goes to stderr as the last line.
    Screen {
        /// A watchlist file: UN consolidated XML, OFAC sdn.csv (alt.csv and add.csv beside it
        /// are read too), or NDJSON. Repeat for several lists.
        #[arg(long = "watchlist", short = 'w', value_name = "PATH", required = true)]
        watchlists: Vec<PathBuf>,
        /// Alert threshold in [0, 1]; matches below it are not reported.
        #[arg(long, default_value_t = paxscreen::screen::DEFAULT_THRESHOLD, value_parser = parse_threshold)]
        threshold: f32,
        /// At most this many hits per traveller, best first.
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Input files (NDJSON passengers or PAXLST EDIFACT, detected by content); `-` or
        /// nothing for stdin.
        #[arg(value_name = "INPUT")]
        inputs: Vec<String>,
    },
    /// Explain how a traveller (or a bare name) compares with an entry (or a bare name).
    ///
    /// Reads NDJSON lines {"a":<passenger or name>,"b":<entry or name>} and writes
    /// {"score":…,"explanation":…} per line.
    Compare {
        /// Input files; `-` or nothing for stdin.
        #[arg(value_name = "INPUT")]
        inputs: Vec<String>,
    },
    /// Run the screening service: gRPC (screening, iAPI, watchlist administration, alert
    /// streams) and HTTP (the analysts' dashboard and its REST API, /healthz, /readyz, /metrics).
    ///
    /// Configuration comes from, in rising priority: built-in defaults, the TOML file given by
    /// --config (every key is documented in deploy/paxscreen.toml), PAXSCREEN_* environment
    /// variables (PAXSCREEN_GRPC_ADDR, PAXSCREEN_HTTP_ADDR, PAXSCREEN_DATA_DIR,
    /// PAXSCREEN_WATCHLISTS=a.xml:b.csv, PAXSCREEN_SCREENING_ALERT_THRESHOLD,
    /// PAXSCREEN_LIMITS_MAX_MESSAGE_BYTES, PAXSCREEN_LIMITS_MAX_TRAVELLERS, PAXSCREEN_KAFKA_BROKERS
    /// …), then these flags. The bound addresses are printed to stderr as one JSON line (port 0
    /// picks a free port). SIGTERM or Ctrl-C stops accepting, finishes in-flight calls and exits.
    Serve(ServeArgs),
    /// Drive a running `paxscreen serve` over gRPC and print latency and throughput.
    ///
    /// Generates realistic travellers (paxscreen::synth; with --watchlist, a --hit-rate share
    /// of listed people), sends them with --mode manifest (ScreenManifest), boarding
    /// (CheckBoarding) or stream (ScreenStream) from --concurrency clients for --duration
    /// seconds after a --warmup, and prints one JSON line: requests, travellers/s and latency
    /// percentiles (p50, p90, p99, max) in milliseconds.
    Loadgen(paxscreen::loadgen::LoadgenArgs),
    /// Run the whole service on embedded watchlists and replay synthetic PAXLST traffic into
    /// it, so the dashboard at the printed URL fills with alerts within seconds.
    ///
    /// Loads the UN Security Council consolidated list (2026-02-27) and a five-person demo
    /// national list, keeps alerts, decisions and the audit trail in --data-dir (default
    /// ./paxscreen-demo, so decisions survive a restart), and screens a generated manifest every
    /// --interval-ms through the same path real messages take. Ctrl-C stops it.
    Demo(DemoArgs),
    /// Measure the Kafka pipeline's end-to-end throughput: produce synthetic PAXLST manifests
    /// to a fresh topic, screen them through the pipeline, report travellers per second.
    ///
    /// Prints one JSON line per run and a summary line with medians. Without --brokers it runs
    /// against librdkafka's in-process mock cluster.
    KafkaLoadgen(LoadgenCli),
    /// Parse PAXLST / CUSRES EDIFACT files and print one JSON manifest per message or flight.
    Parse {
        /// Input files; `-` or nothing for stdin.
        #[arg(value_name = "FILE")]
        inputs: Vec<String>,
    },
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// A watchlist file (UN XML, OFAC sdn.csv, NDJSON); repeat for several. Replaces the
    /// configured list of files.
    #[arg(long = "watchlist", short = 'w', value_name = "PATH")]
    watchlists: Vec<PathBuf>,
    /// gRPC listen address [default: 127.0.0.1:50051].
    #[arg(long, value_name = "ADDR")]
    grpc_addr: Option<std::net::SocketAddr>,
    /// HTTP listen address [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    http_addr: Option<std::net::SocketAddr>,
    /// Directory of the durable alert store; without it alerts are kept in memory.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Kafka brokers (`host:port[,host:port…]`): consume PAXLST from the input topic and send
    /// alerts to the alerts topic (topics, group and security settings: the `[kafka]` section
    /// of the config file). Without it (and without a `[kafka]` section) the service runs
    /// gRPC only.
    #[arg(long, value_name = "HOST:PORT")]
    kafka_brokers: Option<String>,
}

#[derive(clap::Args, Debug)]
struct LoadgenCli {
    /// Kafka brokers; without it, librdkafka's in-process mock cluster.
    #[arg(long, value_name = "HOST:PORT")]
    brokers: Option<String>,
    /// Watchlist files to screen against (UN XML, OFAC sdn.csv, NDJSON); repeat for several.
    #[arg(long = "watchlist", short = 'w', value_name = "PATH", required = true)]
    watchlists: Vec<PathBuf>,
    /// Manifests per run.
    #[arg(long, default_value_t = 250)]
    manifests: usize,
    /// Travellers per manifest.
    #[arg(long, default_value_t = 200)]
    travellers: usize,
    /// Partitions of the input topic.
    #[arg(long, default_value_t = 6)]
    partitions: i32,
    /// Runs (the summary reports medians).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Manifests in flight at once.
    #[arg(long, default_value_t = 64)]
    max_in_flight: usize,
    /// Seed of the generated travellers.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(clap::Args, Debug)]
struct DemoArgs {
    /// HTTP (dashboard) listen address.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    http_addr: std::net::SocketAddr,
    /// gRPC listen address.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:50051")]
    grpc_addr: std::net::SocketAddr,
    /// Where alerts, decisions, the audit trail and the demo's lists are kept.
    #[arg(long, value_name = "DIR", default_value = "paxscreen-demo")]
    data_dir: PathBuf,
    /// Milliseconds between two replayed manifests.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    interval_ms: u64,
    /// Seed of the synthetic traffic.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

fn demo(args: &DemoArgs) -> Result<()> {
    let opts = paxscreen::demo::DemoOptions {
        http_addr: args.http_addr,
        grpc_addr: args.grpc_addr,
        data_dir: args.data_dir.clone(),
        interval: std::time::Duration::from_millis(args.interval_ms.max(1)),
        seed: args.seed,
        manifests: None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(paxscreen::demo::run(opts))
}

impl ServeArgs {
    /// File, then environment, then flags.
    fn config(&self) -> Result<paxscreen::config::Config> {
        let mut c = match &self.config {
            Some(path) => paxscreen::config::Config::from_file(path)?,
            None => paxscreen::config::Config::default(),
        };
        c.apply_env(std::env::vars())?;
        if !self.watchlists.is_empty() {
            c.watchlists = self.watchlists.clone();
        }
        if let Some(a) = self.grpc_addr {
            c.grpc.addr = a;
        }
        if let Some(a) = self.http_addr {
            c.http.addr = a;
        }
        if let Some(d) = &self.data_dir {
            c.data_dir = Some(d.clone());
        }
        if let Some(b) = &self.kafka_brokers {
            c.kafka.get_or_insert_with(Default::default).brokers = b.clone();
        }
        c.validate()?;
        Ok(c)
    }
}

fn serve(args: &ServeArgs) -> Result<()> {
    let config = args.config()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(paxscreen::service::run(config))
}

fn loadgen(args: paxscreen::loadgen::LoadgenArgs) -> Result<()> {
    let rt = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()?
    };
    let mut out = std::io::stdout();
    rt.block_on(paxscreen::loadgen::run(args, &mut out))?;
    Ok(())
}

fn parse_threshold(s: &str) -> Result<f32, String> {
    let v: f32 = s.parse().map_err(|_| format!("not a number: {s}"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err("threshold must be between 0 and 1".into())
    }
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    // the service reports what it does; the file commands stay quiet unless asked
    let default_level = match cli.command {
        Command::Serve(_) | Command::Demo(_) | Command::KafkaLoadgen(_) => "info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PAXSCREEN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .init();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    match cli.command {
        Command::Screen {
            watchlists,
            threshold,
            top,
            inputs,
        } => cli::run_screen(
            &cli::ScreenArgs {
                watchlists,
                threshold,
                top,
                inputs,
            },
            &mut stdout.lock(),
            &mut stderr.lock(),
        ),
        Command::Compare { inputs } => cli::run_compare(&inputs, &mut stdout.lock()),
        Command::Parse { inputs } => cli::run_parse(&inputs, &mut stdout.lock()),
        Command::Serve(args) => serve(&args),
        Command::Loadgen(args) => loadgen(args),
        Command::Demo(args) => demo(&args),
        Command::KafkaLoadgen(a) => {
            let args = paxscreen::ingest::kafka::loadgen::LoadgenArgs {
                brokers: a.brokers,
                watchlists: a.watchlists,
                manifests: a.manifests,
                travellers: a.travellers,
                partitions: a.partitions,
                runs: a.runs,
                max_in_flight: a.max_in_flight,
                seed: a.seed,
            };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(paxscreen::ingest::kafka::loadgen::run(
                &args,
                &mut stdout.lock(),
            ))
        }
    }
}
