use super::*;
use crate::alerts::MemoryStore;
use crate::model::{Passenger, Traveller};

fn engine(entries: Vec<WatchlistEntry>) -> Engine {
    Engine::new(
        entries.into_iter().map(Arc::new).collect(),
        ScreenConfig::default(),
        Policy::default(),
        Limits {
            max_message_bytes: 1000,
            max_travellers: 3,
        },
        AlertHub::new(Arc::new(MemoryStore::new(100)), 16),
    )
}

fn manifest(names: &[&str]) -> Manifest {
    Manifest {
        travellers: names
            .iter()
            .enumerate()
            .map(|(i, n)| Traveller {
                passenger: Passenger {
                    id: format!("P{i}"),
                    name: Some(n.to_string()),
                    ..Default::default()
                },
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn decisions(e: &Engine, names: &[&str]) -> Vec<Decision> {
    e.screen_manifest(&manifest(names), &Source::Demo)
        .unwrap()
        .results
        .iter()
        .map(|r| r.decision)
        .collect()
}

#[test]
fn decisions_follow_score_and_severity() {
    let mut low = WatchlistEntry::person("n:2", "national", &["Viktor Bout"]);
    low.severity = Severity::Low;
    let e = engine(vec![
        WatchlistEntry::person("n:1", "national", &["Ali Hassan al-Majid"]),
        low,
    ]);
    assert_eq!(
        decisions(&e, &["ALI HASSAN ALMAJID", "JOHN SMITH", "VIKTOR BOUT"]),
        vec![Decision::NoBoard, Decision::Board, Decision::Refer]
    );
}

#[test]
fn limits_are_enforced_with_the_numbers() {
    let e = engine(vec![]);
    let err = e
        .screen_manifest(&manifest(&["A B", "C D", "E F", "G H"]), &Source::Demo)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "manifest has 4 travellers; at most 3 are accepted"
    );
    assert!(e.check_size(1000).is_ok());
    assert!(matches!(
        e.check_size(1001),
        Err(EngineError::TooLarge {
            got: 1001,
            max: 1000
        })
    ));
}

#[test]
fn upsert_delete_and_load_list_change_the_next_screening() {
    let e = engine(vec![WatchlistEntry::person("un:1", "un", &["Viktor Bout"])]);
    assert_eq!(decisions(&e, &["IVAN PETROV"]), vec![Decision::Board]);
    assert_eq!(
        e.upsert(vec![WatchlistEntry::person(
            "n:1",
            "national",
            &["Ivan Petrov"]
        )]),
        1
    );
    assert_eq!(decisions(&e, &["IVAN PETROV"]), vec![Decision::NoBoard]);
    assert_eq!(e.delete(&["n:1".into(), "nope".into()]), 1);
    assert_eq!(decisions(&e, &["IVAN PETROV"]), vec![Decision::Board]);

    // replacing the un list drops Bout and adds Petrov, atomically
    let (removed, added) = e
        .load_list(
            "un",
            vec![WatchlistEntry::person("un:2", "whatever", &["Ivan Petrov"])],
        )
        .unwrap();
    assert_eq!((removed, added), (1, 1));
    assert_eq!(
        decisions(&e, &["IVAN PETROV", "VIKTOR BOUT"]),
        vec![Decision::NoBoard, Decision::Board]
    );
    let stats = e.stats();
    assert_eq!(stats.lists.get("un"), Some(&1));
    assert_eq!(stats.indexed, 1);
    assert!(matches!(
        e.load_list("bad name!", vec![]),
        Err(EngineError::BadListName(_))
    ));
}

#[test]
fn published_alerts_are_stored_once() {
    let e = engine(vec![WatchlistEntry::person(
        "n:1",
        "national",
        &["Viktor Bout"],
    )]);
    let m = manifest(&["VIKTOR BOUT", "JOHN SMITH"]);
    let out = e.screen_manifest(&m, &Source::Demo).unwrap();
    assert_eq!(out.alerts.len(), 1);
    assert_eq!(out.alerts[0].traveller.id, "P0");
    assert_eq!(e.publish(out.alerts.clone()).unwrap().len(), 1);
    let again = e.screen_manifest(&m, &Source::Demo).unwrap();
    assert_eq!(again.alerts[0].alert_id, out.alerts[0].alert_id);
    assert_eq!(e.publish(again.alerts).unwrap().len(), 0);
}
