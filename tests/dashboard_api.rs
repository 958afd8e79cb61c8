//! The dashboard's HTTP side, black-box: the service started on `127.0.0.1:0` with a data
//! directory, manifests screened through the shared PAXLST path, and a real HTTP client over a
//! socket. REST listing, filters and cursor pages; the alert page's data and its `viewed` audit
//! event; dispositions; flights; statistics; the live SSE stream (resume, filters, suppressed
//! alerts not raised); a restart; the in-memory fallback; `paxscreen demo`'s traffic.

mod dashboard_common;

use dashboard_common::*;
use paxscreen::alerts::Source;
use paxscreen::ingest::{self, IngestError};
use serde_json::{Value, json};
use std::net::SocketAddr;

fn alerts_of(v: &Value) -> Vec<Value> {
    v["alerts"].as_array().cloned().unwrap_or_default()
}

fn names(v: &Value) -> Vec<String> {
    alerts_of(v)
        .iter()
        .map(|a| a["traveller_name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_api_lists_filters_pages_and_records_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let r = start(Some(dir.path())).await;
    let addr = r.http_addr;
    let mut pax: Vec<_> = (0..30).map(ordinary).collect();
    pax.insert(7, kuznetsova("700000001"));
    pax.insert(20, dulaimi());
    let first = submit(&r, paxlst("REF1", "LH0400", "JFK", pax)).await;
    assert_eq!(
        first[0].published.len(),
        2,
        "Kuznetsova and Al-Dulaimi alert"
    );
    let second = submit(
        &r,
        paxlst("REF2", "BA0117", "LHR", vec![ordinary(3), dulaimi()]),
    )
    .await;
    assert_eq!(second[0].published.len(), 1);

    blocking(move || {
        let all = get(addr, "/api/alerts").json();
        assert_eq!(alerts_of(&all).len(), 3);
        assert_eq!(all["last_seq"], 3);
        assert!(all["next_cursor"].is_null());
        let seqs: Vec<u64> = alerts_of(&all)
            .iter()
            .map(|a| a["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, vec![3, 2, 1], "newest first");
        assert_eq!(alerts_of(&all)[0]["flight"], "BA0117");
        assert_eq!(alerts_of(&all)[0]["status"], "open");

        // filters
        let n = |q: &str| alerts_of(&get(addr, &format!("/api/alerts?{q}")).json()).len();
        assert_eq!(n("flight=lh0400"), 2);
        assert_eq!(n("airport=LHR"), 1);
        assert_eq!(n("airport=fra"), 3);
        assert_eq!(n("list=national"), 3);
        assert_eq!(n("list=un"), 0);
        assert_eq!(
            n("severity=high"),
            2,
            "Al-Dulaimi is high, Kuznetsova medium"
        );
        assert_eq!(n("severity=critical"), 0);
        assert_eq!(n("min_score=0.8"), 3);
        for (q, word) in [
            ("min_score=1.5", "min_score"),
            ("severity=bogus", "severity"),
            ("status=maybe", "status"),
            ("cursor=-1", "cursor"),
        ] {
            let res = get(addr, &format!("/api/alerts?{q}"));
            assert_eq!(res.status, 400, "{q}");
            assert!(
                res.json()["error"].as_str().unwrap().contains(word),
                "{q}: {}",
                res.text()
            );
        }

        // pages
        let p1 = get(addr, "/api/alerts?limit=2").json();
        assert_eq!(alerts_of(&p1).len(), 2);
        let cursor = p1["next_cursor"].as_u64().expect("a next page");
        let p2 = get(addr, &format!("/api/alerts?limit=2&cursor={cursor}")).json();
        assert_eq!(alerts_of(&p2).len(), 1);
        assert_eq!(alerts_of(&p2)[0]["seq"], 1);

        // the alert page: alert, entry, audit with this view
        let kuz = alerts_of(&all)
            .into_iter()
            .find(|a| a["entry_id"] == "N-003")
            .unwrap();
        let id = kuz["alert_id"].as_str().unwrap().to_string();
        let d = get_as(addr, &format!("/api/alerts/{id}"), "ana").json();
        assert_eq!(d["alert"]["traveller"]["surname"], "KUZNETSOVA");
        assert_eq!(d["entry"]["id"], "N-003");
        assert!(d["entry"]["names"].to_string().contains("Светлана"));
        assert!(
            !d["alert"]["explanation"]["name"]["aligned"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(d["alert"]["explanation"]["dob"], "exact");
        assert_eq!(d["suppressible"], true);
        assert_eq!(d["audit"][0]["action"], "viewed");
        assert_eq!(d["audit"][0]["actor"], "ana");
        assert_eq!(get(addr, "/api/alerts/0123456789abcdef").status, 404);

        // dispositions: analyst from the header, then from the body
        let path = format!("/api/alerts/{id}/disposition");
        let res = post_json(
            addr,
            &path,
            Some("bob"),
            &json!({"verdict": "needs_review", "comment": "check the visa"}),
        );
        assert_eq!(res.status, 201, "{}", res.text());
        assert_eq!(res.json()["disposition"]["analyst"], "bob");
        assert_eq!(res.json()["status"], "needs_review");
        let res = post_json(
            addr,
            &path,
            None,
            &json!({"verdict": "false_positive", "comment": "other person", "analyst": "carol"}),
        );
        assert_eq!(res.status, 201);
        assert_eq!(res.json()["disposition"]["analyst"], "carol");
        let anon = post_json(addr, &path, None, &json!({"verdict": "false_positive"}));
        assert_eq!(anon.json()["disposition"]["analyst"], "anonymous");
        for (body, word) in [
            (json!({"verdict": "maybe"}), "verdict"),
            (json!({"verdict": "true_match", "extra": 1}), "extra"),
            (json!({"verdict": "true_match", "analyst": ""}), "analyst"),
        ] {
            let res = post_json(addr, &path, Some("bob"), &body);
            assert_eq!(res.status, 400, "{body}");
            assert!(res.text().contains(word), "{body}: {}", res.text());
        }
        let res = post_json(
            addr,
            "/api/alerts/ffff/disposition",
            None,
            &json!({"verdict": "true_match"}),
        );
        assert_eq!(res.status, 404);

        let d = get_as(addr, &format!("/api/alerts/{id}"), "dave").json();
        assert_eq!(d["status"], "false_positive");
        let history: Vec<(String, String)> = d["dispositions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["analyst"].as_str().unwrap().into(),
                    x["verdict"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            history,
            vec![
                ("bob".into(), "needs_review".into()),
                ("carol".into(), "false_positive".into()),
                ("anonymous".into(), "false_positive".into())
            ]
        );
        let trail = get(addr, &format!("/api/audit?alert_id={id}")).json();
        let actions: Vec<String> = trail["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["actor"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            actions,
            vec![
                "dave:viewed",
                "anonymous:disposition",
                "carol:disposition",
                "bob:disposition",
                "ana:viewed"
            ]
        );

        // counts by status, under filters
        let c = get(addr, "/api/counts").json();
        assert_eq!(
            (c["open"].as_u64(), c["false_positive"].as_u64()),
            (Some(2), Some(1))
        );
        assert_eq!(get(addr, "/api/counts?flight=BA0117").json()["open"], 1);
        assert_eq!(n("status=false_positive"), 1);
        assert_eq!(n("status=open"), 2);
        assert_eq!(n("status=all"), 3);

        // flights: both manifests, every traveller with a decision
        let fl = get(addr, "/api/flights").json();
        let flights = fl["flights"].as_array().unwrap();
        assert_eq!(flights.len(), 2);
        assert_eq!(flights[0]["flight"]["id"], "BA0117");
        let mid = flights[1]["message_id"].as_str().unwrap();
        let f = get(addr, &format!("/api/flights/{mid}")).json();
        let ts = f["travellers"].as_array().unwrap();
        assert_eq!(ts.len(), 32);
        assert_eq!(ts[7]["name"], "SVETLANA KUZNETSOVA");
        assert_eq!(ts[7]["decision"], "refer");
        assert_eq!(
            ts[20]["decision"], "no_board",
            "high severity, score ≥ 0.90"
        );
        assert_eq!(ts[0]["decision"], "board");
        assert_eq!(f["alerts"].as_array().unwrap().len(), 2);
        assert_eq!(f["flight"]["refer"], 1);
        assert_eq!(get(addr, "/api/flights/nope").status, 404);

        // charts: the whole traffic is in the last hour
        let s = get(addr, "/api/stats?window=1h").json();
        let sum = |k: &str| -> u64 {
            s["activity"][k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .sum()
        };
        assert_eq!(sum("alerts"), 3);
        assert_eq!(sum("travellers"), 34);
        assert_eq!(sum("scores"), 3);
        assert_eq!(s["lists"]["national"], 5);
        assert_eq!(get(addr, "/api/stats?window=1y").status, 400);

        // metrics count decisions by verdict (no personal data in labels)
        let m = get(addr, "/metrics").text();
        assert!(m.contains("paxscreen_dispositions_total"), "{m}");
        assert!(!m.contains("KUZNETSOVA"));
    })
    .await;
    stop(r).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_its_assets_are_served_from_the_binary_and_load_nothing_else() {
    let r = start(None).await;
    let addr = r.http_addr;
    blocking(move || {
        let page = get(addr, "/");
        assert_eq!(page.status, 200);
        assert!(
            page.header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
        let csp = page.header("content-security-policy").expect("a CSP");
        assert!(
            csp.contains("default-src 'self'") && csp.contains("connect-src 'self'"),
            "{csp}"
        );
        let mut texts = vec![page.text()];
        for (asset, ty) in [
            ("app.js", "text/javascript"),
            ("app.css", "text/css"),
            ("favicon.svg", "image/svg+xml"),
        ] {
            let res = get(addr, &format!("/assets/{asset}"));
            assert_eq!(res.status, 200, "{asset}");
            assert!(
                res.header("content-type").unwrap().starts_with(ty),
                "{asset}"
            );
            texts.push(res.text());
        }
        assert_eq!(get(addr, "/assets/nope.js").status, 404);
        for t in &texts {
            // the only absolute URL is the SVG namespace, which is a name, not a fetch
            let urls = t.replace("http://www.w3.org/2000/svg", "");
            assert!(
                !urls.contains("http://") && !urls.contains("https://") && !urls.contains("//cdn")
            );
            assert!(!t.contains("@import") && !t.contains("fonts.googleapis"));
        }
        assert!(texts[0].contains("/assets/app.js") && texts[0].contains("/assets/app.css"));
        assert_eq!(get(addr, "/healthz").text(), "ok\n");
        assert!(get(addr, "/readyz").json()["ready"].as_bool().unwrap());
    })
    .await;
    stop(r).await;
}

fn open_stream(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> EventStream {
    let mut s = EventStream::open(addr, path, headers);
    let ready = s.next().expect("a first event");
    assert_eq!(ready.event, "ready");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_stream_raises_new_alerts_resumes_filters_and_never_raises_suppressed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let r = start(Some(dir.path())).await;
    let addr = r.http_addr;
    let mut live = blocking(move || open_stream(addr, "/api/alerts/stream", &[])).await;
    let mut ba_only =
        blocking(move || open_stream(addr, "/api/alerts/stream?flight=ba0117", &[])).await;

    submit(
        &r,
        paxlst(
            "S1",
            "LH0400",
            "JFK",
            vec![ordinary(1), kuznetsova("P7001")],
        ),
    )
    .await;
    let (first, live_) = blocking(move || (live.next_alert().expect("a live alert"), live)).await;
    live = live_;
    assert_eq!(first["traveller_name"], "SVETLANA KUZNETSOVA");
    assert_eq!(first["flight"], "LH0400");
    let id = first["alert_id"].as_str().unwrap().to_string();

    // an analyst calls it a false positive; the same traveller flies again beside Al-Dulaimi
    let res = blocking(move || {
        post_json(
            addr,
            &format!("/api/alerts/{id}/disposition"),
            Some("ana"),
            &json!({"verdict": "false_positive"}),
        )
    })
    .await;
    assert_eq!(res.status, 201);
    submit(
        &r,
        paxlst("S2", "BA0117", "LHR", vec![kuznetsova("P7001"), dulaimi()]),
    )
    .await;
    let (next, _live) = blocking(move || (live.next_alert().unwrap(), live)).await;
    assert_eq!(
        next["traveller_name"], "ABDULRAHMAN ALDULAIMI",
        "the suppressed Kuznetsova alert is not raised live"
    );
    let (ba, _ba_only) = blocking(move || (ba_only.next_alert().unwrap(), ba_only)).await;
    assert_eq!(
        ba["flight"], "BA0117",
        "the filtered stream skipped the LH alert"
    );
    assert_eq!(ba["traveller_name"], "ABDULRAHMAN ALDULAIMI");

    blocking(move || {
        // kept and shown, with whose decision suppressed it
        let sup = get(addr, "/api/alerts?status=suppressed").json();
        assert_eq!(names(&sup), vec!["SVETLANA KUZNETSOVA"]);
        assert_eq!(alerts_of(&sup)[0]["suppressed_by"]["analyst"], "ana");
        assert_eq!(
            names(&get(addr, "/api/alerts").json()).len(),
            2,
            "open list without it"
        );
        assert_eq!(get(addr, "/api/counts").json()["suppressed"], 1);
        // a reconnecting viewer resumes after the last id it saw
        let mut again = open_stream(addr, "/api/alerts/stream", &[("Last-Event-ID", "0")]);
        let a = again.next_alert().unwrap();
        let b = again.next_alert().unwrap();
        assert_eq!(
            (a["seq"].as_u64(), b["seq"].as_u64()),
            (Some(1), Some(3)),
            "seq 2 is suppressed"
        );
        let mut from_query = open_stream(addr, "/api/alerts/stream?after=1", &[]);
        assert_eq!(from_query.next_alert().unwrap()["seq"], 3);
    })
    .await;
    // streams end at shutdown instead of holding it up
    let end = blocking(move || {
        let mut s = open_stream(addr, "/api/alerts/stream", &[]);
        move || s.next()
    })
    .await;
    stop(r).await;
    assert!(blocking(end).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_decisions_and_audit_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let r = start(Some(dir.path())).await;
    submit(
        &r,
        paxlst("R1", "LH0400", "JFK", vec![kuznetsova("P7002"), dulaimi()]),
    )
    .await;
    let addr = r.http_addr;
    let (kuz, dul) = blocking(move || {
        let all = get(addr, "/api/alerts").json();
        let id = |e: &str| {
            alerts_of(&all).iter().find(|a| a["entry_id"] == e).unwrap()["alert_id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (kuz, dul) = (id("N-003"), id("N-001"));
        assert_eq!(
            post_json(
                addr,
                &format!("/api/alerts/{kuz}/disposition"),
                Some("ana"),
                &json!({"verdict": "false_positive", "comment": "other DOB on visa"})
            )
            .status,
            201
        );
        assert_eq!(
            post_json(
                addr,
                &format!("/api/alerts/{dul}/disposition"),
                Some("bob"),
                &json!({"verdict": "true_match"})
            )
            .status,
            201
        );
        get_as(addr, &format!("/api/alerts/{dul}"), "carol");
        (kuz, dul)
    })
    .await;
    stop(r).await;

    let r = start(Some(dir.path())).await;
    let addr = r.http_addr;
    let (k2, d2) = (kuz.clone(), dul.clone());
    blocking(move || {
        let all = get(addr, "/api/alerts?status=all").json();
        assert_eq!(alerts_of(&all).len(), 2);
        let k = get_as(addr, &format!("/api/alerts/{k2}"), "dave").json();
        assert_eq!(k["status"], "false_positive");
        assert_eq!(k["dispositions"][0]["comment"], "other DOB on visa");
        let d = get(addr, &format!("/api/alerts/{d2}")).json();
        assert_eq!(d["status"], "true_match");
        let trail: Vec<String> = d["audit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{}:{}",
                    e["actor"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            trail,
            vec!["anonymous:viewed", "carol:viewed", "bob:disposition"]
        );
        assert_eq!(
            get(addr, "/api/flights").json()["flights"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    })
    .await;
    // the decision still suppresses, and sequence numbers continue
    let s = submit(&r, paxlst("R2", "LH0402", "JFK", vec![kuznetsova("P7002")])).await;
    assert_eq!(s[0].published[0].seq, 3);
    assert_eq!(
        s[0].published[0].suppressed_by.as_ref().unwrap().alert_id,
        kuz
    );
    // the same message again raises nothing new
    let s = submit(
        &r,
        paxlst("R1", "LH0400", "JFK", vec![kuznetsova("P7002"), dulaimi()]),
    )
    .await;
    assert!(s[0].published.is_empty());
    stop(r).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_data_dir_alerts_are_listed_but_decisions_need_one() {
    let r = start(None).await;
    submit(&r, paxlst("M1", "LH0400", "JFK", vec![dulaimi()])).await;
    let addr = r.http_addr;
    blocking(move || {
        let all = get(addr, "/api/alerts").json();
        assert_eq!(names(&all), vec!["ABDULRAHMAN ALDULAIMI"]);
        let id = alerts_of(&all)[0]["alert_id"].as_str().unwrap().to_string();
        let d = get(addr, &format!("/api/alerts/{id}")).json();
        assert_eq!(d["status"], "open");
        assert_eq!(d["entry"]["id"], "N-001");
        let res = post_json(
            addr,
            &format!("/api/alerts/{id}/disposition"),
            None,
            &json!({"verdict": "true_match"}),
        );
        assert_eq!(res.status, 501);
        assert!(res.text().contains("--data-dir"));
        assert_eq!(get(addr, "/api/flights").status, 501);
        assert_eq!(get(addr, "/api/counts").status, 501);
        assert!(alerts_of(&get(addr, "/api/alerts?status=true_match").json()).is_empty());
    })
    .await;
    stop(r).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_paxlst_is_refused_with_its_place_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let r = start(Some(dir.path())).await;
    let engine = r.ctx.engine.clone();
    let results = blocking(move || {
        let src = Source::Grpc {
            method: "test".into(),
        };
        let garbage = ingest::screen_paxlst(&engine, b"this is not EDIFACT at all", &src);
        let cusres = ingest::screen_paxlst(
            &engine,
            b"UNB+UNOA:4+A+B+260301:1030+1'UNH+1+CUSRES:D:05B:UN:IATA'BGM+962'UNT+3+1'UNZ+1+1'",
            &src,
        );
        let huge = ingest::screen_paxlst(&engine, &vec![b'A'; 9 << 20], &src);
        (garbage, cusres, huge)
    })
    .await;
    match results.0 {
        Err(e @ IngestError::Parse(_)) => assert!(e.is_bad_input(), "{e}"),
        other => panic!("garbage accepted: {other:?}"),
    }
    assert!(
        matches!(results.1, Err(IngestError::NoManifest(1))),
        "{:?}",
        results.1
    );
    let huge = results.2.unwrap_err();
    assert!(huge.to_string().contains("bytes"), "{huge}");
    assert_eq!(r.ctx.engine.hub().store().last_seq().unwrap(), 0);
    stop(r).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_replays_paxlst_traffic_that_raises_alerts_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let opts = paxscreen::demo::DemoOptions {
        http_addr: ([127, 0, 0, 1], 0).into(),
        grpc_addr: ([127, 0, 0, 1], 0).into(),
        data_dir: dir.path().to_path_buf(),
        interval: std::time::Duration::ZERO,
        seed: 11,
        manifests: Some(6),
    };
    let r = paxscreen::demo::start(&opts).await.unwrap();
    let stats = r.ctx.engine.stats();
    assert!(stats.lists["un"] > 900, "{:?}", stats.lists);
    assert_eq!(stats.lists["national"], 5);
    let sent = paxscreen::demo::replay(r.ctx.clone(), opts).await.unwrap();
    assert_eq!(sent, 6);
    let addr = r.http_addr;
    blocking(move || {
        let fl = get(addr, "/api/flights").json();
        let flights = fl["flights"].as_array().unwrap();
        assert_eq!(flights.len(), 6);
        assert!(
            flights
                .iter()
                .all(|f| f["source"] == "demo" && f["travellers"].as_u64().unwrap() >= 40)
        );
        // the first two manifests always carry a listed traveller
        let all = get(addr, "/api/alerts?status=all&limit=500").json();
        assert!(alerts_of(&all).len() >= 2, "{}", all);
        let first_two: Vec<&str> = flights[4..]
            .iter()
            .map(|f| f["message_id"].as_str().unwrap())
            .collect();
        for mid in first_two {
            assert!(
                alerts_of(&all).iter().any(|a| a["message_id"] == mid),
                "no alert from {mid}"
            );
        }
    })
    .await;
    stop(r).await;
}

/// One runtime thread: screening on it (not on a blocking thread) keeps the stream's task from
/// running until all thirty alerts were broadcast into a live channel of two, so the viewer lags
/// for certain.
#[tokio::test(flavor = "current_thread")]
async fn a_viewer_that_falls_behind_the_live_channel_rereads_what_it_missed() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(Some(dir.path()));
    c.alerts.channel_capacity = 2;
    let r = paxscreen::service::start(c).await.unwrap();
    let addr = r.http_addr;
    let stream = blocking(move || open_stream(addr, "/api/alerts/stream", &[])).await;
    let lagged_before = lagged(addr).await;
    let bytes = paxlst("L1", "LH0400", "JFK", vec![dulaimi(); 30]);
    let burst = ingest::screen_paxlst(&r.ctx.engine, &bytes, &Source::Demo).unwrap();
    assert_eq!(burst[0].published.len(), 30);
    let seqs = blocking(move || {
        let mut s = stream;
        (0..30)
            .map(|_| s.next_alert().expect("an alert")["seq"].as_u64().unwrap())
            .collect::<Vec<_>>()
    })
    .await;
    assert_eq!(
        seqs,
        (1..=30).collect::<Vec<u64>>(),
        "every alert once, in order"
    );
    assert!(
        lagged(addr).await >= lagged_before + 28,
        "the viewer lagged"
    );
    stop(r).await;
}

/// `paxscreen_dashboard_stream_lagged_total` (0 before the first lag).
async fn lagged(addr: SocketAddr) -> u64 {
    let m = blocking(move || get(addr, "/metrics").text()).await;
    m.lines()
        .find(|l| l.starts_with("paxscreen_dashboard_stream_lagged_total"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0, |v| v as u64)
}
