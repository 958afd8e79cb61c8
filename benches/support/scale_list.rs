//! The large list the scale measurements share (`benches/screen.rs`, `examples/scale.rs`,
//! `examples/recall_scale.rs`): UN + OFAC from the shared corpus, when it is beside the checkout,
//! padded with generated listed people; and the process's peak memory.
#![allow(dead_code)] // each user takes what it needs

use paxscreen::model::EntryRef;
use paxscreen::synth::{Population, Rng};
use std::path::Path;
use std::sync::Arc;

/// UN + OFAC (those of the two files that exist) padded to `n` entries from `rng`.
pub fn un_ofac_padded(n: usize, pop: &Population, rng: &mut Rng) -> Vec<EntryRef> {
    let mut out: Vec<EntryRef> = Vec::new();
    for p in [
        "../shared/corpus/watchlists/un/consolidated-2026-02-27.xml",
        "../shared/corpus/watchlists/ofac/sdn.csv",
    ] {
        if let Ok((e, _)) = paxscreen::watchlist::load_path(Path::new(p)) {
            out.extend(e.into_iter().map(Arc::new));
        }
    }
    let pad = n.saturating_sub(out.len());
    out.extend(
        pop.watchlist_padding(rng, pad, "pad")
            .into_iter()
            .map(Arc::new),
    );
    out
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time of the calling thread so far, in seconds (`/proc/thread-self/schedstat`, ns): on a
/// shared VM, time stolen by other guests shows in wall time but not here.
pub fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

/// Positional command-line argument `i` (1 is the first), or `default` when it is absent or
/// not a number.
pub fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args()
        .nth(i)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
