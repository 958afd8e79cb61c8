//! The Kafka pipeline against a broker: `PAXSCREEN_TEST_KAFKA=host:port` names a real one (CI
//! starts tansu); unset, each test starts librdkafka's in-process mock cluster, so these tests
//! run anywhere. Every test uses its own topics and group.
//!
//! The expected alerts are computed without the pipeline: the produced bytes are parsed
//! (`paxlst::parse`, multi-part parts through `paxlst::Assembler`, JSON through serde) and
//! screened by the engine directly; alert ids are deterministic, so the ids the pipeline puts
//! on the alerts topic must be exactly those.

mod kafka_support;

use kafka_support::*;
use paxscreen::alerts::{Alert, Source};
use paxscreen::ingest::kafka::{Options, Pipeline};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_5_records_in_alerts_out_malformed_to_dlq_offsets_committed() {
    let broker = Broker::start();
    let mut cfg = broker.config("flow", 3, true);
    // small enough that one unreadable record is too large to copy to the DLQ whole
    cfg.properties
        .insert("message.max.bytes".into(), "200000".into());
    if !broker.is_real() {
        // a real broker gets its topics from the pipeline itself (checked at the end)
        broker.prepare_topics(&cfg).await;
    }
    let engine = engine();

    // 12 single-part manifests, 2 multi-part flights (3 parts each, on one partition, with other
    // records between their parts), 1 JSON manifest, and 6 unreadable records
    let mut input = Input::default();
    let mut synth = Gen::new(5);
    for i in 0..12 {
        let m = synth.manifest(&format!("SP{i:03}"), 8, i % 2 == 0);
        input.single(Some(i % 3), &m);
        if i == 3 {
            let a = synth.manifest("MPA001", 9, true);
            input.multipart(Some(1), &a, 3, "MPA001/260301/1030", &[0, 1]);
            let b = synth.manifest("MPB001", 7, true);
            input.multipart(Some(2), &b, 3, "MPB001/260301/1030", &[0, 1, 2]);
            input.multipart_rest(Some(1), &a, 3, "MPA001/260301/1030", &[2]);
        }
    }
    let j = synth.manifest("JS0001", 5, true);
    input.json(Some(0), &j);
    input.malformed(Some(0), b"this is not EDIFACT at all".to_vec(), "paxlst");
    input.malformed(
        Some(1),
        b"UNB+UNOA:4+A+B+260301:1200+1'UNZ+1+1'".to_vec(),
        "paxlst",
    );
    input.malformed(Some(2), Vec::new(), "empty");
    input.malformed(Some(0), b"{\"travellers\": [ {\"id\": 1} ".to_vec(), "json");
    input.malformed(
        Some(1),
        std::fs::read("tests/data/paxlst/15_astra_iapiCN_CUSRES_962_ERC0Z_x2.edi").unwrap(),
        "no_paxlst",
    );
    // 300 kB of garbage: its DLQ copy would exceed message.max.bytes, so the reason goes
    // without the bytes
    input.malformed(Some(2), vec![b'x'; 300_000], "paxlst");
    let too_big = input.records.len() - 1;
    // a JSON body labelled EDIFACT: the header decides
    input.malformed_with_header(
        Some(2),
        serde_json::to_vec(&j).unwrap(),
        ("content-type", "application/edifact"),
        "paxlst",
    );
    let expected = input.expected_alerts(&engine);
    assert!(
        expected.planted_entries.len() >= 4,
        "the planted travellers must raise alerts: {:?}",
        expected.planted_entries
    );
    assert_eq!(expected.manifests, 12 + 2 + 1);

    let shutdown = CancellationToken::new();
    let pipeline = Pipeline::start(
        engine.clone(),
        cfg.clone(),
        Options::from_config(&cfg),
        shutdown.clone(),
    )
    .await
    .expect("pipeline starts");
    let offsets = broker.produce(&cfg.input_topic, &input.records).await;

    let mut alerts = Reader::new(&broker.servers(), &cfg.alerts_topic);
    let mut dlq = Reader::new(&broker.servers(), &cfg.dlq_topic);
    let mut results = Reader::new(&broker.servers(), cfg.results_topic.as_deref().unwrap());
    alerts.read_until(TIMEOUT, "every expected alert", |ms| {
        ids(ms).is_superset(&expected.alert_ids)
    });
    dlq.read_until(TIMEOUT, "every malformed record", |ms| {
        ms.len() >= input.malformed.len()
    });
    results.read_until(TIMEOUT, "a summary per manifest", |ms| {
        ms.len() >= expected.manifests
    });
    wait_committed(&broker.servers(), &cfg, &offsets, TIMEOUT).await;

    // exactly the expected alerts, each once (no restart, no rebalance), well formed
    let got = ids(&alerts.msgs);
    assert_eq!(got, expected.alert_ids, "alert ids on the topic");
    assert_eq!(alerts.msgs.len(), expected.alert_ids.len(), "no duplicates");
    for m in &alerts.msgs {
        let a: Alert = serde_json::from_slice(&m.payload).expect("alert JSON");
        assert_eq!(a.schema_version, 1);
        assert_eq!(header(m, "paxscreen.alert_id"), Some(a.alert_id.as_str()));
        let Source::Kafka {
            topic, partition, ..
        } = &a.source
        else {
            panic!("source {:?}", a.source)
        };
        assert_eq!(topic, &cfg.input_topic);
        assert!((0..3).contains(partition));
        let key = String::from_utf8(m.key.clone().unwrap()).unwrap();
        assert!(
            key.starts_with(a.flight.id.as_deref().unwrap()),
            "keyed by flight: {key}"
        );
        let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
        for field in [
            "entry_id",
            "list",
            "severity",
            "score",
            "explanation",
            "traveller",
        ] {
            assert!(!v[field].is_null(), "alert field {field}");
        }
    }
    // the multi-part flights were screened whole (every part's travellers, one manifest)
    assert_eq!(flights_of(&alerts.msgs), expected.flights);
    assert!(
        expected.flights.contains("MPA001") || expected.flights.contains("MPB001"),
        "a multi-part flight raises alerts: {:?}",
        expected.flights
    );

    // dead letters: the original bytes, the reason and the place
    assert_eq!(dlq.msgs.len(), input.malformed.len());
    let mut kinds = BTreeMap::new();
    for m in &dlq.msgs {
        let part: i32 = header(m, "paxscreen.source.partition")
            .unwrap()
            .parse()
            .unwrap();
        let off: i64 = header(m, "paxscreen.source.offset")
            .unwrap()
            .parse()
            .unwrap();
        let index = *input
            .malformed
            .iter()
            .find(|&&i| offsets[i] == (part, off))
            .expect("a DLQ record names its source record");
        let original = &input.records[index];
        if index == too_big {
            assert!(m.payload.is_empty());
            assert!(header(m, "paxscreen.payload_dropped").is_some());
        } else {
            assert_eq!(m.payload, original.payload, "original bytes kept");
        }
        let kind = header(m, "paxscreen.error.kind").unwrap().to_string();
        assert_eq!(Some(kind.as_str()), original.expect_kind.as_deref());
        assert!(header(m, "paxscreen.error").is_some());
        if kind == "paxlst" {
            assert!(header(m, "paxscreen.error.segment").is_some());
            assert!(header(m, "paxscreen.error.byte_offset").is_some());
        }
        for (k, v) in &original.headers {
            assert_eq!(header(m, k), Some(v.as_str()), "original headers kept");
        }
        *kinds.entry(kind).or_insert(0) += 1;
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");

    // one summary per manifest; together they name every readable record
    assert_eq!(results.msgs.len(), expected.manifests);
    let mut named = BTreeSet::new();
    for m in &results.msgs {
        let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
        let p = v["source"]["partition"].as_i64().unwrap() as i32;
        for r in v["records"].as_array().unwrap() {
            named.insert((p, r.as_i64().unwrap()));
        }
        assert_eq!(
            v["travellers"].as_u64().unwrap() as usize,
            v["decisions"].as_array().unwrap().len()
        );
    }
    let readable: BTreeSet<(i32, i64)> = (0..input.records.len())
        .filter(|i| !input.malformed.contains(i))
        .map(|i| offsets[i])
        .collect();
    assert_eq!(named, readable);

    // the hub got them too (store + live subscribers)
    for id in &expected.alert_ids {
        assert!(
            engine.hub().store().get(id).unwrap().is_some(),
            "alert {id} published to the hub"
        );
    }
    let c = pipeline.counters();
    assert_eq!(c.manifests as usize, expected.manifests);
    assert_eq!(c.dead_letters as usize, input.malformed.len());
    assert!(c.commits > 0, "{c:?}");
    shutdown.cancel();
    pipeline.wait().await.expect("clean shutdown");

    if broker.is_real() {
        // the pipeline created its topics with the configured partition count
        for t in paxscreen::ingest::kafka::topics::wanted(&cfg) {
            assert_eq!(partitions(&broker.servers(), &t), 3, "topic {t}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_5_two_instances_in_one_group_share_the_partitions() {
    let broker = Broker::start();
    let cfg = broker.config("group", 4, true);
    broker.prepare_topics(&cfg).await;
    let engine_a = engine();
    let engine_b = engine();
    let shutdown = CancellationToken::new();
    let stop_b = CancellationToken::new();
    let a = Pipeline::start(
        engine_a.clone(),
        cfg.clone(),
        Options::from_config(&cfg),
        shutdown.clone(),
    )
    .await
    .unwrap();
    let b = Pipeline::start(
        engine_b.clone(),
        cfg.clone(),
        Options::from_config(&cfg),
        stop_b.clone(),
    )
    .await
    .unwrap();
    // both members hold some of the four partitions, none twice
    wait_until(TIMEOUT, "both instances assigned", || {
        let (pa, pb) = (a.assignment(), b.assignment());
        !pa.is_empty() && !pb.is_empty() && pa.len() + pb.len() == 4
    })
    .await;
    let (pa, pb) = (a.assignment(), b.assignment());
    assert!(pa.iter().all(|p| !pb.contains(p)), "{pa:?} {pb:?}");

    let mut input = Input::default();
    let mut synth = Gen::new(9);
    for i in 0..40 {
        let m = synth.manifest(&format!("GR{i:03}"), 6, i % 3 == 0);
        input.single(Some(i % 4), &m);
    }
    let expected = input.expected_alerts(&engine_a);
    assert!(!expected.alert_ids.is_empty());
    let offsets = broker.produce(&cfg.input_topic, &input.records).await;

    let mut alerts = Reader::new(&broker.servers(), &cfg.alerts_topic);
    let mut results = Reader::new(&broker.servers(), cfg.results_topic.as_deref().unwrap());
    alerts.read_until(TIMEOUT, "every expected alert", |ms| {
        ids(ms).is_superset(&expected.alert_ids)
    });
    results.read_until(TIMEOUT, "a summary per record", |ms| ms.len() >= 40);
    wait_committed(&broker.servers(), &cfg, &offsets, TIMEOUT).await;

    assert_eq!(ids(&alerts.msgs), expected.alert_ids);
    // every record screened once: by exactly one instance
    let (ca, cb) = (a.counters(), b.counters());
    assert!(ca.manifests > 0 && cb.manifests > 0, "{ca:?} {cb:?}");
    assert_eq!(ca.manifests + cb.manifests, 40, "{ca:?} {cb:?}");
    assert_eq!(alerts.msgs.len(), expected.alert_ids.len());
    let named: BTreeSet<(i32, i64)> = results
        .msgs
        .iter()
        .map(|m| {
            let v: serde_json::Value = serde_json::from_slice(&m.payload).unwrap();
            (
                v["source"]["partition"].as_i64().unwrap() as i32,
                v["source"]["offset"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(named, offsets.iter().copied().collect());
    // each instance published what it screened to its own hub
    let in_a = expected
        .alert_ids
        .iter()
        .filter(|id| engine_a.hub().store().get(id).unwrap().is_some())
        .count();
    let in_b = expected
        .alert_ids
        .iter()
        .filter(|id| engine_b.hub().store().get(id).unwrap().is_some())
        .count();
    assert_eq!(in_a + in_b, expected.alert_ids.len());

    // B leaves (graceful: it commits what it did); A takes over every partition and screens
    // what arrives next, from where B's commits left off
    let a_before = a.counters().manifests;
    stop_b.cancel();
    let b_counters = b.counters();
    b.wait().await.expect("B stops cleanly");
    wait_until(TIMEOUT, "A holds all four partitions", || {
        a.assignment().len() == 4
    })
    .await;
    let mut more = Input::default();
    for i in 0..20 {
        let m = synth.manifest(&format!("GS{i:03}"), 6, i % 3 == 0);
        more.single(Some(i % 4), &m);
    }
    let expected_more = more.expected_alerts(&engine_a);
    let mut produced = offsets.clone();
    produced.extend(broker.produce(&cfg.input_topic, &more.records).await);
    let mut want = expected.alert_ids.clone();
    want.extend(expected_more.alert_ids.iter().cloned());
    alerts.read_until(TIMEOUT, "every alert after B left", |ms| {
        ids(ms).is_superset(&want)
    });
    wait_committed(&broker.servers(), &cfg, &produced, TIMEOUT).await;
    assert_eq!(ids(&alerts.msgs), want);
    assert_eq!(
        a.counters().manifests - a_before,
        20,
        "A screened the new records once"
    );
    assert_eq!(b_counters.manifests, cb.manifests, "B did nothing more");

    shutdown.cancel();
    a.wait().await.unwrap();
}

/// Kills `paxscreen serve` (SIGKILL) while a multi-part flight is half read and records after
/// it are screened but not committed, restarts it in the same group, kills it again as soon as
/// it delivers its first new alert, and restarts it once more: every expected alert is on the
/// topic afterwards, the re-read records' alerts repeat with identical ids, and SIGTERM then
/// stops it cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn issue_5_killed_mid_stream_and_restarted_loses_no_alert() {
    let broker = Broker::start();
    let cfg = broker.config("fault", 2, false);
    broker.prepare_topics(&cfg).await;
    let engine = engine();
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("paxscreen.toml");
    // with a durable store, so that the flight view can be checked after the crashes too
    let data_dir = dir.path().join("data");
    std::fs::write(
        &config_path,
        format!("data_dir = {:?}\n{}", data_dir, service_toml(&cfg)),
    )
    .unwrap();

    // batch 1: singles on both partitions, the first two parts of a flight on partition 0,
    // then more singles on partition 0 (screened, but not committable past the held part)
    let mut synth = Gen::new(21);
    let mut first = Input::default();
    for i in 0..10 {
        let m = synth.manifest(&format!("FA{i:03}"), 8, true);
        first.single(Some(i % 2), &m);
    }
    let held = synth.manifest("MPH001", 9, true);
    first.multipart(Some(0), &held, 3, "MPH001/260301/1030", &[0, 1]);
    for i in 0..8 {
        let m = synth.manifest(&format!("FB{i:03}"), 8, true);
        first.single(Some(0), &m);
    }
    // batch 2, produced while the service is down: the last part and more singles
    let mut second = Input::default();
    second.multipart_rest(Some(0), &held, 3, "MPH001/260301/1030", &[2]);
    for i in 0..30 {
        let m = synth.manifest(&format!("FC{i:03}"), 8, true);
        second.single(Some(i % 2), &m);
    }
    let mut all = Input::default();
    all.extend(&first);
    all.extend(&second);
    let expected_all = all.expected_alerts(&engine);
    let expected_first = first.expected_alerts(&engine); // without the held flight
    assert!(expected_all.alert_ids.len() > expected_first.alert_ids.len());

    let offsets1 = broker.produce(&cfg.input_topic, &first.records).await;
    let held_offset = offsets1[first.first_part_index.unwrap()];
    let mut svc = Service::spawn(&config_path, dir.path(), "run1");
    let mut alerts = Reader::new(&broker.servers(), &cfg.alerts_topic);
    alerts.read_until(TIMEOUT, "batch 1 alerts", |ms| {
        ids(ms).is_superset(&expected_first.alert_ids)
    });
    // everything of batch 1 is screened and delivered, yet partition 0 cannot commit past the
    // held first part: wait for partition 1's commit to show the service commits at all
    wait_until(TIMEOUT, "partition 1 committed", || {
        let c = committed(&broker.servers(), &cfg.group_id, &cfg.input_topic, 2);
        c[1] == ends_of(&offsets1, 2)[1]
    })
    .await;
    let c = committed(&broker.servers(), &cfg.group_id, &cfg.input_topic, 2);
    assert!(
        c[0] <= held_offset.1,
        "partition 0 committed {} past the held part at {}",
        c[0],
        held_offset.1
    );
    svc.kill();
    let before_restart = alerts.msgs.len();

    let mut produced = offsets1.clone();
    produced.extend(broker.produce(&cfg.input_topic, &second.records).await);
    // second crash, as soon as the restarted service has delivered its first new alert: in
    // the middle of re-reading and screening (records in flight, commits behind)
    let mut svc = Service::spawn(&config_path, dir.path(), "run2");
    alerts.read_until(TIMEOUT * 2, "a first alert after the restart", |ms| {
        ms.len() > before_restart
    });
    svc.kill();
    let mut svc = Service::spawn(&config_path, dir.path(), "run3");
    alerts.read_until(TIMEOUT * 2, "every alert after the restarts", |ms| {
        ids(ms).is_superset(&expected_all.alert_ids)
    });
    wait_committed(&broker.servers(), &cfg, &produced, TIMEOUT * 2).await;
    svc.terminate_and_check();

    // nothing missing, nothing unexpected; the re-read records repeat their alerts, same ids
    assert_eq!(ids(&alerts.msgs), expected_all.alert_ids);
    let mut seen: BTreeMap<String, Alert> = BTreeMap::new();
    let mut repeated = 0;
    for m in &alerts.msgs {
        let a: Alert = serde_json::from_slice(&m.payload).unwrap();
        if let Some(prev) = seen.get(&a.alert_id) {
            repeated += 1;
            assert_eq!(prev.entry_id, a.entry_id);
            assert_eq!(prev.traveller, a.traveller);
            assert_eq!(prev.message_id, a.message_id);
        } else {
            seen.insert(a.alert_id.clone(), a);
        }
    }
    assert!(
        repeated > 0,
        "records after the held part were screened again after the crash ({before_restart} alerts before, {} after)",
        alerts.msgs.len()
    );
    // the flight view holds every screened manifest once, re-reads included, with its alerts
    let store = paxscreen::alerts::SqliteStore::open(&data_dir).expect("store opens");
    let cases = paxscreen::alerts::AlertStore::cases(&store).expect("durable store");
    let flights = cases.flights(None, None, 1_000).unwrap();
    assert_eq!(flights.len(), expected_all.manifests, "{flights:?}");
    let alerts_in_view: u32 = flights.iter().map(|f| f.alerts).sum();
    assert_eq!(alerts_in_view as usize, expected_all.alert_ids.len());
}

const TIMEOUT: Duration = Duration::from_secs(90);
