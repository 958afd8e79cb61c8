use super::*;
use crate::model::{Manifest, Passenger, Traveller, WatchlistEntry};
use crate::screen::{ScreenConfig, Screener};

fn manifest(names: &[(&str, &str)]) -> Manifest {
    Manifest {
        message_ref: Some("M1".into()),
        travellers: names
            .iter()
            .enumerate()
            .map(|(i, (s, g))| Traveller {
                passenger: Passenger {
                    id: format!("P{i}"),
                    surname: Some(s.to_string()),
                    given_names: Some(g.to_string()),
                    ..Default::default()
                },
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn screened(m: &Manifest) -> Vec<Alert> {
    let s = Screener::from_entries(
        vec![
            Arc::new(WatchlistEntry::person("t:1", "t", &["Ali Hassan al-Majid"])),
            Arc::new(WatchlistEntry::person("t:2", "t", &["Viktor Bout"])),
        ],
        ScreenConfig::default(),
    );
    let ps: Vec<Passenger> = m.travellers.iter().map(|t| t.passenger.clone()).collect();
    let matches = s.screen_all(&ps);
    let mid = message_id(m);
    alerts_for(m, &mid, &matches, 0.8, &Source::Demo, now())
}

#[test]
fn same_message_gives_same_alert_ids_and_another_message_other_ids() {
    let m = manifest(&[
        ("ALMAJID", "ALI HASSAN"),
        ("SMITH", "JOHN"),
        ("BOUT", "VIKTOR"),
    ]);
    let a = screened(&m);
    let b = screened(&m);
    assert_eq!(a.len(), 2, "{a:#?}");
    assert_eq!(
        a.iter().map(|x| &x.alert_id).collect::<Vec<_>>(),
        b.iter().map(|x| &x.alert_id).collect::<Vec<_>>()
    );
    assert_eq!(a[0].traveller.index, 0);
    assert_eq!(a[1].traveller.index, 2);
    let mut other = m.clone();
    other.message_ref = Some("M2".into());
    let c = screened(&other);
    assert_ne!(a[0].alert_id, c[0].alert_id);
    assert_ne!(a[0].alert_id, a[1].alert_id);
}

#[test]
fn alert_json_round_trips() {
    let a = screened(&manifest(&[("BOUT", "VIKTOR")]));
    let json = serde_json::to_string(&a[0]).unwrap();
    let back: Alert = serde_json::from_str(&json).unwrap();
    assert_eq!(back.alert_id, a[0].alert_id);
    assert_eq!(
        back.explanation.name.entry_name,
        a[0].explanation.name.entry_name
    );
    assert!(json.contains("\"schema_version\":1"));
}

#[test]
fn memory_store_skips_known_ids_and_pages_both_ways() {
    let store = MemoryStore::new(3);
    let a = screened(&manifest(&[("ALMAJID", "ALI HASSAN"), ("BOUT", "VIKTOR")]));
    let fresh = store.insert(a.clone()).unwrap();
    assert_eq!(fresh.iter().map(|x| x.seq).collect::<Vec<_>>(), vec![1, 2]);
    assert!(
        store.insert(a.clone()).unwrap().is_empty(),
        "redelivery is skipped"
    );
    let mut m2 = manifest(&[("ALMAJID", "ALI HASSAN"), ("BOUT", "VIKTOR")]);
    m2.message_ref = Some("M9".into());
    store.insert(screened(&m2)).unwrap();
    // capacity 3: the first alert fell out
    assert!(store.get(&a[0].alert_id).unwrap().is_none());
    assert_eq!(store.get(&a[1].alert_id).unwrap().unwrap().seq, 2);
    let f = AlertFilter::default();
    assert_eq!(
        store
            .after(&f, 2, 10)
            .unwrap()
            .iter()
            .map(|x| x.seq)
            .collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert_eq!(
        store
            .before(&f, None, 2)
            .unwrap()
            .iter()
            .map(|x| x.seq)
            .collect::<Vec<_>>(),
        vec![4, 3]
    );
    assert_eq!(
        store
            .before(&f, Some(4), 10)
            .unwrap()
            .iter()
            .map(|x| x.seq)
            .collect::<Vec<_>>(),
        vec![3, 2]
    );
    let only_t2 = AlertFilter {
        min_score: Some(0.0),
        ..Default::default()
    };
    assert_eq!(store.after(&only_t2, 0, 10).unwrap().len(), 3);
    assert_eq!(store.last_seq().unwrap(), 4);
}

#[test]
fn filter_checks_every_field() {
    let mut a = screened(&manifest(&[("BOUT", "VIKTOR")])).remove(0);
    a.flight.id = Some("UA0989".into());
    a.flight.arrival_airport = Some("IAD".into());
    assert!(AlertFilter::default().matches(&a));
    let f = |f: AlertFilter| f.matches(&a);
    assert!(f(AlertFilter {
        flight: Some("ua0989".into()),
        ..Default::default()
    }));
    assert!(!f(AlertFilter {
        flight: Some("UA1".into()),
        ..Default::default()
    }));
    assert!(f(AlertFilter {
        airport: Some("iad".into()),
        ..Default::default()
    }));
    assert!(!f(AlertFilter {
        airport: Some("LHR".into()),
        ..Default::default()
    }));
    assert!(f(AlertFilter {
        lists: vec!["T".into()],
        ..Default::default()
    }));
    assert!(!f(AlertFilter {
        lists: vec!["un".into()],
        ..Default::default()
    }));
    assert!(!f(AlertFilter {
        min_severity: Some(Severity::Critical),
        ..Default::default()
    }));
    assert!(!f(AlertFilter {
        min_score: Some(1.01),
        ..Default::default()
    }));
    a.suppressed_by = Some(Suppression {
        alert_id: "x".into(),
        analyst: "ana".into(),
        decided_at: now(),
    });
    assert!(!AlertFilter::default().matches(&a));
    assert!(
        AlertFilter {
            include_suppressed: true,
            ..Default::default()
        }
        .matches(&a)
    );
}

#[tokio::test]
async fn hub_broadcasts_only_new_alerts_and_reports_lag() {
    let hub = AlertHub::new(Arc::new(MemoryStore::new(100)), 2);
    let mut rx = hub.subscribe();
    let a = screened(&manifest(&[("ALMAJID", "ALI HASSAN"), ("BOUT", "VIKTOR")]));
    assert_eq!(hub.publish(a.clone()).unwrap().len(), 2);
    assert_eq!(hub.publish(a.clone()).unwrap().len(), 0);
    assert_eq!(rx.recv().await.unwrap().seq, 1);
    assert_eq!(rx.recv().await.unwrap().seq, 2);
    for k in 0..3 {
        let mut m = manifest(&[("BOUT", "VIKTOR")]);
        m.message_ref = Some(format!("K{k}"));
        hub.publish(screened(&m)).unwrap();
    }
    match rx.recv().await {
        Err(broadcast::error::RecvError::Lagged(n)) => assert_eq!(n, 1),
        other => panic!("expected lag, got {other:?}"),
    }
    assert_eq!(rx.recv().await.unwrap().seq, 4);
}

#[test]
fn message_ids_hash_the_manifest_as_serialised_so_ids_stay_stable() {
    // the digest streams the JSON into the hash; it must equal hashing the serialised bytes,
    // or every alert id issued so far would change
    let m = manifest(&[("ALMAJID", "ALI HASSAN"), ("ŞAHİN", "ÇAĞRI \"Q\"")]);
    let mut h = Sha256::new();
    h.update(b"paxscreen-message-v1\0");
    h.update(serde_json::to_vec(&m).expect("serialises"));
    assert_eq!(message_id(&m), hex32(&h.finalize()));
    assert_eq!(message_id(&m).len(), 32);
}
