//! The SQLite alert store: the `AlertStore` contract (same answers as the in-memory store),
//! cursor paging under every filter, plans that never sort, dispositions and the append-only
//! audit trail, false-positive suppression by traveller identity, reopening, and a real crash
//! (a writer process killed with SIGKILL mid-stream) leaving only whole manifests.

use paxscreen::alerts::cases::{
    AlertQuery, CaseStore, ScreeningRecord, Status, SuppressedMode, TravellerResultRow, Verdict,
};
use paxscreen::alerts::{
    self, Alert, AlertFilter, AlertHub, AlertStore, DocumentRef, MemoryStore, Source, SqliteStore,
};
use paxscreen::model::{Manifest, Passenger, Severity, Traveller, WatchlistEntry};
use paxscreen::screen::{ScreenConfig, Screener};
use std::sync::Arc;

/// A real alert (screened), to vary.
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
    let mut v = alerts::alerts_for(&m, &mid, &matches, 0.8, &Source::Demo, alerts::now());
    assert_eq!(v.len(), 1, "the template traveller alerts");
    v.remove(0)
}

const LISTS: &[&str] = &["un", "ofac", "national"];
const FLIGHTS: &[&str] = &["LH400", "BA117", "EK3", "QR71", "TK1951"];
const AIRPORTS: &[&str] = &["FRA", "LHR", "DXB", "DOH", "IST", "JFK"];

/// Alert `i` of a varied set: lists, severities, scores, flights, airports and travellers
/// cycle with different periods, so every filter selects a different subset.
fn varied(t: &Alert, i: usize) -> Alert {
    let mut a = t.clone();
    a.alert_id = format!("{:032x}", i as u128 * 7919 + 1);
    a.message_id = format!("m{}", i / 3);
    a.list = LISTS[i % 3].into();
    a.entry_id = format!("{}:{}", a.list, i % 11);
    a.severity = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ][i % 4];
    a.score = 0.80 + (i % 21) as f32 * 0.01;
    a.flight.id = Some(FLIGHTS[i % 5].into());
    a.flight.departure_airport = Some(AIRPORTS[i % 6].into());
    a.flight.arrival_airport = Some(AIRPORTS[(i / 6) % 6].into());
    a.traveller.name = format!("TRAVELLER {}", i % 13);
    a.traveller.index = (i % 3) as u32;
    a
}

fn seqs(v: &[Alert]) -> Vec<u64> {
    v.iter().map(|a| a.seq).collect()
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn sqlite_store_answers_like_the_memory_store() {
    let d = dir();
    let sql = SqliteStore::open(d.path()).unwrap();
    let mem = MemoryStore::new(10_000);
    let t = template();
    let batch: Vec<Alert> = (0..300).map(|i| varied(&t, i)).collect();
    for chunk in batch.chunks(7) {
        let a = sql.insert(chunk.to_vec()).unwrap();
        let b = mem.insert(chunk.to_vec()).unwrap();
        assert_eq!(seqs(&a), seqs(&b));
    }
    // redelivery: nothing new, in either
    assert!(sql.insert(batch[..20].to_vec()).unwrap().is_empty());
    assert_eq!(sql.last_seq().unwrap(), 300);
    assert_eq!(sql.get(&batch[5].alert_id).unwrap().unwrap().seq, 6);
    assert!(sql.get("nope").unwrap().is_none());
    let filters = [
        AlertFilter::default(),
        AlertFilter {
            lists: vec!["UN".into()],
            ..Default::default()
        },
        AlertFilter {
            min_severity: Some(Severity::High),
            flight: Some("lh400".into()),
            ..Default::default()
        },
        AlertFilter {
            airport: Some("dxb".into()),
            min_score: Some(0.9),
            ..Default::default()
        },
    ];
    // compared as JSON, the form alerts leave the service in (explanation scores are rounded
    // to three decimals there, so a stored alert reads back as its JSON says)
    let json = |v: Vec<Alert>| serde_json::to_value(v).unwrap();
    for f in &filters {
        for (after, before) in [(0, None), (150, Some(150)), (290, Some(10))] {
            let (a, b) = (
                sql.after(f, after, 25).unwrap(),
                mem.after(f, after, 25).unwrap(),
            );
            assert_eq!(seqs(&a), seqs(&b), "after {after} {f:?}");
            assert!(json(a) == json(b), "after {after} {f:?}: contents differ");
            let (a, b) = (
                sql.before(f, before, 25).unwrap(),
                mem.before(f, before, 25).unwrap(),
            );
            assert_eq!(seqs(&a), seqs(&b), "before {before:?} {f:?}");
            assert!(
                json(a) == json(b),
                "before {before:?} {f:?}: contents differ"
            );
        }
    }
}

/// The alerts `q` selects, newest first, by brute force.
fn expected(all: &[(Alert, Status)], q: &AlertQuery) -> Vec<u64> {
    let mut f = q.filter.clone();
    f.include_suppressed = true;
    let mut v: Vec<u64> = all
        .iter()
        .filter(|(a, s)| {
            f.matches(a)
                && q.status.is_none_or(|x| x == *s)
                && match q.suppressed {
                    SuppressedMode::Exclude => a.suppressed_by.is_none(),
                    SuppressedMode::Include => true,
                    SuppressedMode::Only => a.suppressed_by.is_some(),
                }
        })
        .map(|(a, _)| a.seq)
        .collect();
    v.reverse();
    v
}

#[test]
fn cursor_pages_walk_every_selected_alert_once_newest_first() {
    let d = dir();
    let store = SqliteStore::open(d.path()).unwrap();
    let t = template();
    let mut all = Vec::new();
    for chunk in (0..2_000)
        .map(|i| varied(&t, i))
        .collect::<Vec<_>>()
        .chunks(20)
    {
        all.extend(store.insert(chunk.to_vec()).unwrap());
    }
    // some casework: statuses on every 7th, a decision changed on every 35th
    let mut statuses: Vec<(Alert, Status)> =
        all.iter().map(|a| (a.clone(), Status::Open)).collect();
    for (i, (a, s)) in statuses.iter_mut().enumerate() {
        if i % 7 == 0 {
            let v = [
                Verdict::NeedsReview,
                Verdict::TrueMatch,
                Verdict::FalsePositive,
            ][i % 3];
            store.decide(&a.alert_id, "ana", v, "").unwrap().unwrap();
            *s = v.into();
        }
        if i % 35 == 0 {
            store
                .decide(&a.alert_id, "bob", Verdict::NeedsReview, "second look")
                .unwrap()
                .unwrap();
            *s = Status::NeedsReview;
        }
    }
    let queries = [
        AlertQuery::default(),
        AlertQuery {
            filter: AlertFilter {
                lists: vec!["ofac".into()],
                ..Default::default()
            },
            ..Default::default()
        },
        AlertQuery {
            filter: AlertFilter {
                flight: Some("EK3".into()),
                min_severity: Some(Severity::Medium),
                ..Default::default()
            },
            ..Default::default()
        },
        AlertQuery {
            filter: AlertFilter {
                airport: Some("LHR".into()),
                min_score: Some(0.95),
                ..Default::default()
            },
            ..Default::default()
        },
        AlertQuery {
            status: Some(Status::NeedsReview),
            ..Default::default()
        },
        AlertQuery {
            status: Some(Status::Open),
            filter: AlertFilter {
                lists: vec!["un".into(), "national".into()],
                ..Default::default()
            },
            ..Default::default()
        },
    ];
    for q in &queries {
        let want = expected(&statuses, q);
        assert!(!want.is_empty(), "{q:?} selects something");
        let mut got = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list(q, cursor, 37).unwrap();
            for l in &page {
                let (_, s) = &statuses[(l.alert.seq - 1) as usize];
                assert_eq!(l.status, *s, "status of seq {}", l.alert.seq);
            }
            got.extend(page.iter().map(|l| l.alert.seq));
            if page.len() < 37 {
                break;
            }
            cursor = page.last().map(|l| l.alert.seq);
        }
        assert_eq!(got, want, "{q:?}");
        // the counts agree with the listing
        let c = store.counts(q).unwrap();
        let per = |s: Status| {
            expected(
                &statuses,
                &AlertQuery {
                    status: Some(s),
                    ..q.clone()
                },
            )
            .len() as u64
        };
        if q.status.is_none() {
            assert_eq!(
                (c.open, c.needs_review, c.true_match, c.false_positive),
                (
                    per(Status::Open),
                    per(Status::NeedsReview),
                    per(Status::TrueMatch),
                    per(Status::FalsePositive)
                ),
                "{q:?}"
            );
        }
    }
}

#[test]
fn pages_never_sort_the_table() {
    let d = dir();
    let store = SqliteStore::open(d.path()).unwrap();
    let t = template();
    store
        .insert((0..500).map(|i| varied(&t, i)).collect())
        .unwrap();
    let shapes = [
        AlertQuery::default(),
        AlertQuery {
            suppressed: SuppressedMode::Include,
            ..Default::default()
        },
        AlertQuery {
            suppressed: SuppressedMode::Only,
            ..Default::default()
        },
        AlertQuery {
            status: Some(Status::NeedsReview),
            ..Default::default()
        },
        AlertQuery {
            filter: AlertFilter {
                lists: vec!["un".into()],
                min_severity: Some(Severity::High),
                min_score: Some(0.9),
                ..Default::default()
            },
            ..Default::default()
        },
        AlertQuery {
            filter: AlertFilter {
                flight: Some("LH400".into()),
                ..Default::default()
            },
            ..Default::default()
        },
        AlertQuery {
            filter: AlertFilter {
                airport: Some("FRA".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    ];
    for q in &shapes {
        for cursor in [None, Some(250)] {
            let plan = store.explain_list(q, cursor).unwrap();
            assert!(!plan.contains("TEMP B-TREE"), "{q:?} sorts: {plan}");
        }
    }
}

fn traveller_with_passport(a: &mut Alert, name: &str, passport: &str) {
    a.traveller.name = name.into();
    a.traveller.dob = Some("1967-01-13".into());
    a.traveller.documents = vec![DocumentRef {
        doc_type: Some("P".into()),
        number: passport.into(),
        country: Some("RUS".into()),
    }];
}

#[test]
fn false_positive_suppresses_the_same_traveller_and_entry_until_revised() {
    let d = dir();
    let store = Arc::new(SqliteStore::open(d.path()).unwrap());
    let hub = AlertHub::new(store.clone(), 64);
    let mut rx = hub.subscribe();
    let t = template();
    let mk = |id: &str, name: &str, passport: &str, entry: &str| {
        let mut a = t.clone();
        a.alert_id = id.into();
        a.entry_id = entry.into();
        traveller_with_passport(&mut a, name, passport);
        a
    };
    let first = hub
        .publish(vec![mk("a1", "VIKTOR BOUT", "7501234", "t:1")])
        .unwrap();
    assert_eq!(rx.try_recv().unwrap().alert_id, "a1");
    let d1 = store
        .decide(
            &first[0].alert_id,
            "ana",
            Verdict::FalsePositive,
            "namesake, other DOB",
        )
        .unwrap()
        .unwrap();
    assert_eq!(d1.analyst, "ana");
    // same person (order and case differ), same entry: suppressed, stored, not raised
    let again = hub
        .publish(vec![
            mk("a2", "bout viktor", "7501234", "t:1"),
            // another entry: raised
            mk("a3", "VIKTOR BOUT", "7501234", "t:2"),
            // another passport: another identity, raised
            mk("a4", "VIKTOR BOUT", "9999999", "t:1"),
        ])
        .unwrap();
    assert_eq!(again.len(), 3);
    let s = again[0].suppressed_by.as_ref().expect("a2 suppressed");
    assert_eq!((s.alert_id.as_str(), s.analyst.as_str()), ("a1", "ana"));
    assert!(again[1].suppressed_by.is_none() && again[2].suppressed_by.is_none());
    let raised: Vec<String> = std::iter::from_fn(|| rx.try_recv().ok())
        .map(|a| a.alert_id.clone())
        .collect();
    assert_eq!(
        raised,
        vec!["a3", "a4"],
        "suppressed alerts are not raised live"
    );
    assert_eq!(
        store
            .get("a2")
            .unwrap()
            .unwrap()
            .suppressed_by
            .unwrap()
            .analyst,
        "ana"
    );
    let only = AlertQuery {
        suppressed: SuppressedMode::Only,
        ..Default::default()
    };
    assert_eq!(
        store
            .list(&only, None, 10)
            .unwrap()
            .iter()
            .map(|l| l.alert.alert_id.as_str())
            .collect::<Vec<_>>(),
        vec!["a2"]
    );
    assert_eq!(store.counts(&AlertQuery::default()).unwrap().suppressed, 1);
    // the suppression table holds digests only
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let rows: Vec<String> = conn
        .prepare("SELECT identity || entry_id || alert_id || analyst FROM suppressions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].contains("7501234") && !rows[0].to_uppercase().contains("BOUT"));
    // the analyst changes their mind: later alerts are raised again
    store
        .decide("a1", "bob", Verdict::TrueMatch, "it is him after all")
        .unwrap()
        .unwrap();
    let third = hub
        .publish(vec![mk("a5", "VIKTOR BOUT", "7501234", "t:1")])
        .unwrap();
    assert!(third[0].suppressed_by.is_none());
    // a traveller with neither document nor full birth date cannot be suppressed
    let mut thin = t.clone();
    thin.alert_id = "b1".into();
    thin.traveller.dob = Some("1967".into());
    thin.traveller.documents.clear();
    hub.publish(vec![thin.clone()]).unwrap();
    store
        .decide("b1", "ana", Verdict::FalsePositive, "")
        .unwrap()
        .unwrap();
    thin.alert_id = "b2".into();
    assert!(hub.publish(vec![thin]).unwrap()[0].suppressed_by.is_none());
    // history and audit
    let (listed, history) = store.case("a1").unwrap().unwrap();
    assert_eq!(listed.status, Status::TrueMatch);
    assert_eq!(
        history
            .iter()
            .map(|d| (d.analyst.as_str(), d.verdict))
            .collect::<Vec<_>>(),
        vec![("ana", Verdict::FalsePositive), ("bob", Verdict::TrueMatch)]
    );
    let trail = store.audit_trail(Some("a1"), None, 10).unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(trail[0].actor, "bob");
    assert_eq!(trail[0].detail["previous_status"], "false_positive");
    assert_eq!(trail[1].detail["suppresses_future_alerts"], true);
    assert!(
        store
            .decide("missing", "ana", Verdict::TrueMatch, "")
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_audit_trail_is_append_only() {
    let d = dir();
    let store = SqliteStore::open(d.path()).unwrap();
    store
        .audit("ana", "viewed", Some("x"), serde_json::json!({}))
        .unwrap();
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    for sql in ["UPDATE audit SET actor = 'eve'", "DELETE FROM audit"] {
        let e = conn.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert_eq!(store.audit_trail(None, None, 10).unwrap()[0].actor, "ana");
}

#[test]
fn reopening_keeps_alerts_decisions_suppressions_and_screenings() {
    let d = dir();
    let t = template();
    let mut a = t.clone();
    a.alert_id = "r1".into();
    traveller_with_passport(&mut a, "VIKTOR BOUT", "7501234");
    {
        let store = SqliteStore::open(d.path()).unwrap();
        store.insert(vec![a.clone()]).unwrap();
        store
            .decide("r1", "ana", Verdict::FalsePositive, "")
            .unwrap()
            .unwrap();
        store
            .record_screening(&ScreeningRecord {
                message_id: "m1".into(),
                message_ref: Some("REF1".into()),
                screened_at: alerts::now(),
                source: "grpc".into(),
                flight: a.flight.clone(),
                travellers: vec![TravellerResultRow {
                    index: 0,
                    traveller_id: "P1".into(),
                    kind: Default::default(),
                    name: "VIKTOR BOUT".into(),
                    decision: "refer".into(),
                    best_score: Some(0.93),
                    best_entry: Some("t:1".into()),
                    alerts: 1,
                }],
            })
            .unwrap();
    }
    let store = SqliteStore::open(d.path()).unwrap();
    let (l, ds) = store.case("r1").unwrap().unwrap();
    assert_eq!((l.status, ds.len()), (Status::FalsePositive, 1));
    // the identity key survived too: the same traveller is still recognised
    a.alert_id = "r2".into();
    assert!(store.insert(vec![a]).unwrap()[0].suppressed_by.is_some());
    assert_eq!(store.last_seq().unwrap(), 2);
    let (f, rows) = store.flight("m1").unwrap().unwrap();
    assert_eq!(
        (f.travellers, f.refer, rows[0].decision.as_str()),
        (1, 1, "refer")
    );
}

/// Set by the crash test for the child process it kills.
const CRASH_DIR: &str = "PAXSCREEN_TEST_CRASH_WRITER_DIR";
const PER_MESSAGE: usize = 25;

/// In the child: writes manifests of `PER_MESSAGE` alerts until killed. In a normal run:
/// nothing (the crash test below runs it as its child).
#[test]
fn crash_writer_child() {
    let Ok(dir) = std::env::var(CRASH_DIR) else {
        return;
    };
    let store = SqliteStore::open(std::path::Path::new(&dir)).unwrap();
    let t = template();
    for m in 0.. {
        let batch: Vec<Alert> = (0..PER_MESSAGE)
            .map(|i| {
                let mut a = varied(&t, m * PER_MESSAGE + i);
                a.message_id = format!("crash-{m}");
                a
            })
            .collect();
        store.insert(batch).unwrap();
        if m == 3 {
            // tell the parent writing is under way
            std::fs::write(std::path::Path::new(&dir).join("started"), b"").unwrap();
        }
    }
}

#[test]
fn a_writer_killed_mid_stream_leaves_only_whole_manifests() {
    let d = dir();
    let exe = std::env::current_exe().unwrap();
    let mut child = std::process::Command::new(exe)
        .args([
            "--exact",
            "crash_writer_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_DIR, d.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !d.path().join("started").exists() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "child never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap(); // SIGKILL: no destructor, no checkpoint
    child.wait().unwrap();
    let store = SqliteStore::open(d.path()).unwrap();
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let counts: Vec<(String, i64)> = conn
        .prepare("SELECT message_id, count(*) FROM alerts GROUP BY message_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        counts.len() >= 4,
        "the child wrote {} manifests",
        counts.len()
    );
    for (m, n) in &counts {
        assert_eq!(*n as usize, PER_MESSAGE, "manifest {m} is partial");
    }
    // seq numbers have no holes and continue after the crash
    let last = store.last_seq().unwrap();
    assert_eq!(last as usize, counts.len() * PER_MESSAGE);
    let mut a = template();
    a.alert_id = "after-crash".into();
    assert_eq!(store.insert(vec![a]).unwrap()[0].seq, last + 1);
}

#[test]
fn activity_counts_alerts_travellers_and_scores_by_bucket() {
    let d = dir();
    let store = SqliteStore::open(d.path()).unwrap();
    let t = template();
    let now = alerts::now();
    let mut v = Vec::new();
    for i in 0..30 {
        let mut a = varied(&t, i);
        // 10 per minute over the last three minutes
        a.created_at = now - chrono::Duration::seconds(170 - (i as i64 / 10) * 60);
        a.score = [0.80, 0.84, 0.999][i % 3];
        v.push(a);
    }
    store.insert(v).unwrap();
    for k in 0..3 {
        store
            .record_screening(&ScreeningRecord {
                message_id: format!("m{k}"),
                message_ref: None,
                screened_at: now - chrono::Duration::seconds(170 - k * 60),
                source: "demo".into(),
                flight: t.flight.clone(),
                travellers: (0..100)
                    .map(|i| TravellerResultRow {
                        index: i,
                        traveller_id: format!("T{i}"),
                        kind: Default::default(),
                        name: "X".into(),
                        decision: "board".into(),
                        best_score: None,
                        best_entry: None,
                        alerts: 0,
                    })
                    .collect(),
            })
            .unwrap();
    }
    let since = now - chrono::Duration::seconds(180);
    let a = store.activity(since, 60, 3).unwrap();
    assert_eq!(a.alerts, vec![10, 10, 10]);
    assert_eq!(a.travellers, vec![100, 100, 100]);
    let bin = |x: f32| (x / a.score_bin + 1e-4) as usize;
    assert_eq!(a.scores[bin(0.80)], 10);
    assert_eq!(a.scores[bin(0.84)], 10, "0.84 lands in its own bin");
    assert_eq!(a.scores[a.scores.len() - 1], 10);
    assert_eq!(a.lists.values().sum::<u64>(), 30);
}
