//! Scale check: UN + OFAC padded with generated entries to N, index build time, peak memory,
//! screening throughput on generated travellers.
//! `cargo run --release --example scale -- [ENTRIES] [TRAVELLERS] [MAX_ACROSS_POSTINGS]`
use paxscreen::screen::{ScreenConfig, Screener};
use std::time::Instant;

#[path = "../benches/support/scale_list.rs"]
mod scale_list;
use scale_list::{arg, peak_rss_mib, thread_cpu_seconds, un_ofac_padded};

fn main() {
    let n: usize = arg(1, 1_000_000);
    let t: usize = arg(2, 50_000);
    let pop = paxscreen::synth::Population::new();
    let mut rng = paxscreen::synth::Rng::new(42);
    let entries = un_ofac_padded(n, &pop, &mut rng);
    let pad = entries.iter().filter(|e| e.id.starts_with("pad")).count();
    let travellers: Vec<_> = (0..t).map(|_| pop.traveller(&mut rng)).collect();
    println!(
        "entries {} (padding {pad}), rss before index {:.0} MiB",
        entries.len(),
        peak_rss_mib()
    );
    let t0 = Instant::now();
    let mut config = paxscreen::index::IndexConfig::default();
    config.max_across_postings = arg(3, config.max_across_postings);
    let screener = Screener::new(
        paxscreen::index::Index::build(entries, config),
        ScreenConfig::default(),
    );
    let build = t0.elapsed().as_secs_f64();
    let st = screener.index().stats();
    println!(
        "index build {build:.1} s, {st:?}, peak rss {:.0} MiB",
        peak_rss_mib()
    );
    {
        let index = screener.index();
        let t1 = Instant::now();
        let mut total = 0usize;
        let mut maxc = 0usize;
        for p in &travellers {
            let q = paxscreen::screen::Prepared::new(p, Some(&index));
            let c = index.candidates(&q.probe(), 30);
            total += c.len();
            maxc = maxc.max(c.len());
        }
        let secs = t1.elapsed().as_secs_f64();
        println!(
            "candidates only: {:.0} passengers/s, mean {:.1} candidates, max {maxc}",
            t as f64 / secs,
            total as f64 / t as f64
        );
    }
    {
        // one thread, CPU time: steadier than wall time on a shared machine
        let t1 = Instant::now();
        let c1 = thread_cpu_seconds();
        let hits: usize = travellers.iter().map(|p| screener.screen(p).len()).sum();
        let cpu = thread_cpu_seconds() - c1;
        println!(
            "one thread: {:.1} µs CPU per passenger ({:.1} µs wall), {hits} hits",
            cpu * 1e6 / t as f64,
            t1.elapsed().as_secs_f64() * 1e6 / t as f64
        );
    }
    for _ in 0..3 {
        let t1 = Instant::now();
        let res = screener.screen_all(&travellers);
        let secs = t1.elapsed().as_secs_f64();
        let hits: usize = res.iter().map(|r| r.len()).sum();
        println!(
            "screened {t} in {secs:.2} s = {:.0} passengers/s, {hits} hits",
            t as f64 / secs
        );
    }
    println!("peak rss {:.0} MiB", peak_rss_mib());
}
