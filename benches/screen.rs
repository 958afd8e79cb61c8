//! Screening throughput against a large watchlist: UN + OFAC (when the shared corpus is beside
//! the checkout) padded with generated listed people to `PAXSCREEN_BENCH_ENTRIES` entries
//! (default 1,000,000), screened with generated travellers on all cores.
//!
//! `cargo bench --bench screen` prints the index build time, its size and peak memory, then
//! criterion's time per batch of travellers (throughput in travellers/s). Each iteration checks
//! the hit count against the first run, so a faster wrong answer fails.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use paxscreen::screen::{ScreenConfig, Screener};
use paxscreen::synth::{Population, Rng};
use std::sync::Arc;
use std::time::Instant;

#[path = "support/scale_list.rs"]
mod scale_list;
use scale_list::{peak_rss_mib, un_ofac_padded};

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("PAXSCREEN_BENCH_ENTRIES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let pop = Population::new();
    let mut rng = Rng::new(2026);
    let list = un_ofac_padded(n, &pop, &mut rng);
    let travellers: Vec<_> = (0..10_000).map(|_| pop.traveller(&mut rng)).collect();
    let t0 = Instant::now();
    let screener = Screener::from_entries(list, ScreenConfig::default());
    let build = t0.elapsed().as_secs_f64();
    let stats = screener.index().stats();
    println!(
        "index: {} entries, {} names, {} keys, {} postings; built in {build:.1} s; peak RSS {:.0} MiB",
        stats.entries,
        stats.names,
        stats.keys,
        stats.postings,
        peak_rss_mib()
    );
    let expected: usize = screener.screen_all(&travellers).iter().map(Vec::len).sum();
    println!("hits on the batch: {expected}");

    let mut g = c.benchmark_group("screen");
    g.sample_size(10);
    g.throughput(Throughput::Elements(travellers.len() as u64));
    g.bench_function(
        format!(
            "{}_travellers_vs_{}_entries",
            travellers.len(),
            stats.entries
        ),
        |b| {
            b.iter(|| {
                let hits: usize = screener.screen_all(&travellers).iter().map(Vec::len).sum();
                assert_eq!(hits, expected, "screening is not deterministic");
                hits
            })
        },
    );
    g.finish();

    let mut g = c.benchmark_group("compare");
    let a = paxscreen::model::Passenger {
        id: "a".into(),
        surname: Some("AL-TIKRITI".into()),
        given_names: Some("SADDAM HUSSEIN".into()),
        ..Default::default()
    };
    let e = Arc::new(paxscreen::model::WatchlistEntry {
        id: "e".into(),
        list: "t".into(),
        names: vec![paxscreen::model::EntryName {
            full: "صدام حسين التكريتي".into(),
            kind: paxscreen::model::NameKind::OriginalScript,
        }],
        ..Default::default()
    });
    g.bench_function("traveller_vs_arabic_script_entry", |b| {
        b.iter(|| {
            let m = paxscreen::screen::compare(&a, e.clone()).expect("matches");
            assert!(m.score > 0.8);
            m.score
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
