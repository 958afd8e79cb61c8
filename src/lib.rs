//! paxscreen: screens airline passenger manifests (UN/EDIFACT PAXLST) against watchlists.
//!
//! Map of the crate, one line per module and the question it answers:
//!
//! - [`model`]: what is a traveller, a flight manifest, a watchlist entry, a match?
//! - [`paxlst`]: here are EDIFACT bytes — which manifest (or iAPI response) do they carry?
//! - [`watchlist`]: here is a UN XML / OFAC CSV / NDJSON list — which entries does it hold?
//! - [`names`]: how do two names compare, and under which keys should a name be found?
//! - [`index`]: here is a normalised name — which entries could it be?
//! - [`screen`]: here is a traveller — which entries do they match, how well, and why?
//! - [`synth`]: what does a realistic traveller or listed person look like? (generated, seeded)
//! - [`alerts`]: which alerts did a screened manifest raise, under which deterministic ids, and
//!   who gets them?
//! - [`engine`]: the one screening path all sources share: manifest in, decisions and alerts out;
//!   live watchlist changes.
//! - [`config`]: the typed configuration of `serve` (TOML file, `PAXSCREEN_*`, flags).
//! - [`service`]: `paxscreen serve`: start, bind, run, shut down gracefully.
//! - [`ingest`]: the front doors that turn requests into manifests (gRPC; Kafka).
//! - [`http`]: the analysts' dashboard (live alerts, dispositions, flights, charts), its REST
//!   API and SSE stream; health, readiness, metrics.
//! - [`demo`]: `paxscreen demo`: the service on embedded lists with replayed synthetic traffic.
//! - [`cli`]: the `paxscreen` subcommands that work on files (`screen`, `compare`, `parse`).
//! - [`loadgen`]: how fast is a running service? (`paxscreen loadgen`, a gRPC load generator)
//!
//! The core (`model`, `paxlst`, `names`, `index`, `screen`) is plain synchronous Rust: no async
//! runtime, no I/O beyond what a caller hands it.

pub mod alerts;
pub mod cli;
pub mod config;
pub mod demo;
pub mod engine;
pub mod http;
pub mod index;
pub mod ingest;
pub mod loadgen;
pub mod model;
pub mod names;
pub mod paxlst;
pub mod screen;
pub mod service;
pub mod synth;
pub mod watchlist;

/// The process's allocator (feature `mimalloc`, on by default). Screening makes and drops
/// many small vectors and strings per traveller (name parts, keys, candidates, explanations);
/// under glibc's malloc they cost about a tenth of the screening CPU. Declared in the library
/// so that the service, the benches, the examples and the tests all measure the same thing;
/// build with `--no-default-features` to embed the crate under another allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
