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
    /// Parse PAXLST / CUSRES EDIFACT files and print one JSON manifest per message or flight.
    Parse {
        /// Input files; `-` or nothing for stdin.
        #[arg(value_name = "FILE")]
        inputs: Vec<String>,
    },
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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PAXSCREEN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
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
    }
}
