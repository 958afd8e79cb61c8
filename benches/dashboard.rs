//! The dashboard with 100,000 alerts in the store: latency of the REST calls the page makes,
//! over real HTTP to the running service (first page, a deep cursor page, filtered pages, counts
//! by status, chart statistics, one alert), plus the cost of storing one manifest's alerts (one
//! transaction, `synchronous=FULL`).
//!
//! `cargo bench --bench dashboard` (set `PAXSCREEN_BENCH_ALERTS` for another store size).

#[path = "../tests/dashboard_common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use paxscreen::alerts::cases::{CaseStore, Verdict};
use paxscreen::alerts::{self, Alert, AlertStore, Source, SqliteStore, Suppression};
use paxscreen::model::{Manifest, Passenger, Severity, Traveller, WatchlistEntry};
use paxscreen::screen::{ScreenConfig, Screener};
use std::sync::Arc;
use std::time::{Duration, Instant};

const LISTS: &[&str] = &["un", "ofac", "national"];
const FLIGHTS: &[&str] = &[
    "LH0400", "BA0117", "EK0003", "QR0071", "TK1951", "AF1396", "MS0785",
];
const AIRPORTS: &[&str] = &["FRA", "LHR", "DXB", "DOH", "IST", "JFK", "CDG", "CAI"];

fn template() -> Alert {
    let s = Screener::from_entries(
        vec![Arc::new(WatchlistEntry::person(
            "t:1",
            "national",
            &["Viktor Anatolyevich Bout"],
        ))],
        ScreenConfig::default(),
    );
    let m = Manifest {
        travellers: vec![Traveller {
            passenger: Passenger {
                id: "P1".into(),
                surname: Some("BOUT".into()),
                given_names: Some("VIKTOR".into()),
                ..Default::default()
            },
            ..Default::default()
        }],
        ..Default::default()
    };
    let matches = s.screen_all(&[m.travellers[0].passenger.clone()]);
    let mid = alerts::message_id(&m);
    alerts::alerts_for(&m, &mid, &matches, 0.8, &Source::Demo, alerts::now()).remove(0)
}

/// Alert `i` of a store filled over the last week.
fn varied(t: &Alert, i: usize, n: usize) -> Alert {
    let mut a = t.clone();
    a.alert_id = format!("{:032x}", i as u128 * 2_654_435_761 + 17);
    a.message_id = format!("m{}", i / 20);
    a.created_at = t.created_at - chrono::Duration::seconds(((n - i) * 6) as i64);
    a.list = LISTS[i % 3].into();
    a.entry_id = format!("{}:{}", a.list, i % 997);
    a.severity = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ][i % 4];
    a.score = 0.80 + (i % 201) as f32 * 0.001;
    a.flight.id = Some(FLIGHTS[(i / 20) % FLIGHTS.len()].into());
    a.flight.departure_airport = Some(AIRPORTS[(i / 20) % AIRPORTS.len()].into());
    a.flight.arrival_airport = Some(AIRPORTS[(i / 140) % AIRPORTS.len()].into());
    a.traveller.name = format!("TRAVELLER {}", i % 5_000);
    if i % 100 == 7 {
        a.suppressed_by = Some(Suppression {
            alert_id: "earlier".into(),
            analyst: "ana".into(),
            decided_at: a.created_at,
        });
    }
    a
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("PAXSCREEN_BENCH_ALERTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let t = template();
    {
        let store = SqliteStore::open(dir.path()).unwrap();
        let started = Instant::now();
        let all: Vec<Alert> = (0..n).map(|i| varied(&t, i, n)).collect();
        // 500 per transaction to fill quickly; the per-manifest cost is measured below
        for chunk in all.chunks(500) {
            store.insert(chunk.to_vec()).unwrap();
        }
        let filled = started.elapsed();
        // casework on 5%
        let started = Instant::now();
        for (k, a) in all.iter().enumerate().step_by(20) {
            let v = [
                Verdict::NeedsReview,
                Verdict::TrueMatch,
                Verdict::FalsePositive,
            ][k % 3];
            store.decide(&a.alert_id, "ana", v, "").unwrap();
        }
        eprintln!(
            "filled {n} alerts in {:.1} s ({:.0}/s, 500 per transaction); {} decisions in {:.1} s",
            filled.as_secs_f64(),
            n as f64 / filled.as_secs_f64(),
            n / 20,
            started.elapsed().as_secs_f64()
        );
        let size = std::fs::metadata(store.path())
            .map(|m| m.len())
            .unwrap_or(0);
        eprintln!("database file: {:.1} MiB", size as f64 / (1 << 20) as f64);
    }
    // the service on that store, on its own runtime
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let running = rt.block_on(common::start(Some(dir.path())));
    let addr = running.http_addr;
    let page = |path: &str| -> serde_json::Value {
        let r = common::get(addr, path);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()
    };
    let count = |v: &serde_json::Value| v["alerts"].as_array().map_or(0, Vec::len);
    let first = page("/api/alerts?limit=50");
    assert_eq!(count(&first), 50);
    let some_id = first["alerts"][0]["alert_id"].as_str().unwrap().to_string();

    let mut g = c.benchmark_group(format!("dashboard_{n}_alerts"));
    g.sample_size(30).measurement_time(Duration::from_secs(4));
    let cases: Vec<(&str, String, usize)> = vec![
        ("first_page", "/api/alerts?limit=50".into(), 50),
        (
            "deep_cursor_page",
            "/api/alerts?limit=50&cursor=1000".into(),
            50,
        ),
        (
            "filter_list_severity",
            "/api/alerts?list=ofac&severity=high&limit=50".into(),
            50,
        ),
        (
            "filter_flight",
            "/api/alerts?flight=lh0400&limit=50".into(),
            50,
        ),
        (
            "filter_airport",
            "/api/alerts?airport=DXB&limit=50".into(),
            50,
        ),
        (
            "filter_min_score_0.995",
            "/api/alerts?min_score=0.995&limit=50".into(),
            50,
        ),
        (
            "status_needs_review",
            "/api/alerts?status=needs_review&limit=50".into(),
            50,
        ),
        (
            "status_suppressed",
            "/api/alerts?status=suppressed&limit=50".into(),
            50,
        ),
    ];
    for (name, path, want) in &cases {
        assert_eq!(count(&page(path)), *want, "{name}");
        g.bench_function(*name, |b| b.iter(|| page(path)));
    }
    let counts = page("/api/counts");
    assert_eq!(
        [
            "open",
            "needs_review",
            "true_match",
            "false_positive",
            "suppressed"
        ]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum::<u64>(),
        n as u64
    );
    g.bench_function("counts_by_status", |b| b.iter(|| page("/api/counts")));
    g.bench_function("counts_filtered_flight", |b| {
        b.iter(|| page("/api/counts?flight=BA0117"))
    });
    let stats = page("/api/stats?window=7d");
    let in_window: u64 = stats["activity"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert!(in_window as usize >= n * 9 / 10, "{in_window}");
    g.bench_function("stats_7d", |b| b.iter(|| page("/api/stats?window=7d")));
    g.bench_function("alert_detail", |b| {
        b.iter(|| page(&format!("/api/alerts/{some_id}")))
    });
    // storing one manifest's alerts: one transaction, fsync'd
    let store = running.ctx.engine.hub().store().clone();
    let mut k = n;
    g.bench_function("insert_manifest_of_20_alerts", |b| {
        b.iter(|| {
            let batch: Vec<Alert> = (k..k + 20).map(|i| varied(&t, i, k + 20)).collect();
            k += 20;
            assert_eq!(store.insert(batch).unwrap().len(), 20);
        })
    });
    g.finish();
    assert!(store.cases().is_some());
    running.shutdown();
    rt.block_on(async { running.wait().await }).unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
