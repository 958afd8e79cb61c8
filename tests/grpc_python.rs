//! A client in another language against the proto as shipped: `tests/python/client.py` generates
//! Python stubs from `proto/` with grpcio-tools and talks to a real server on 127.0.0.1:0.
//!
//! Needs `python3` with `grpcio` and `grpcio-tools`. Without them the test fails when
//! `PAXSCREEN_REQUIRE_PYTHON=1` (CI sets it) and otherwise says loudly that it skipped.

use paxscreen::config::Config;
use std::path::PathBuf;
use std::time::Duration;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python_has_grpc_tools() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import grpc, grpc_tools"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_client_generated_from_the_protos_screens_a_manifest() {
    if !python_has_grpc_tools() {
        let required = std::env::var("PAXSCREEN_REQUIRE_PYTHON").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "PAXSCREEN_REQUIRE_PYTHON=1 but python3 cannot import grpc / grpc_tools (pip install grpcio grpcio-tools)"
        );
        // straight to the process's stderr: the test harness captures eprintln! of passing tests
        use std::io::Write;
        let _ = std::io::stderr().write_all(
            b"\n!!!!!!!! SKIPPED: python3 with grpcio + grpcio-tools not found; the Python client \
              test did not run (pip install grpcio grpcio-tools, or set PAXSCREEN_REQUIRE_PYTHON=1 \
              to make this a failure) !!!!!!!!\n\n",
        );
        return;
    }
    let mut c = Config::default();
    c.grpc.addr = "127.0.0.1:0".parse().unwrap();
    c.http.addr = "127.0.0.1:0".parse().unwrap();
    c.watchlists = vec![root().join("tests/data/watchlists/demo_national.ndjson")];
    let running = paxscreen::service::start(c).await.unwrap();
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("python3")
            .arg(root().join("tests/python/client.py"))
            .arg("--addr")
            .arg(running.grpc_addr.to_string())
            .arg("--proto-dir")
            .arg(root().join("proto"))
            .output(),
    )
    .await
    .expect("the Python client finishes")
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "client.py failed:\n{stderr}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("client.py printed no JSON ({e}):\n{stderr}"));

    let results = &r["screen_manifest"]["results"];
    assert_eq!(results[0]["traveller_id"], "py-1");
    assert_eq!(results[0]["decision"], "DECISION_NO_BOARD");
    assert_eq!(results[0]["matches"][0]["entry_id"], "N-001");
    assert_eq!(results[0]["matches"][0]["dob"], "DOB_VERDICT_EXACT");
    assert_eq!(results[1]["decision"], "DECISION_BOARD");
    assert_eq!(results[1]["matches"].as_array().unwrap().len(), 0);
    let alert_id = r["screen_manifest"]["alert_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(alert_id.len(), 32);

    let b = &r["check_boarding"];
    assert_eq!(
        b["decisions"],
        serde_json::json!(["DECISION_NO_BOARD", "DECISION_BOARD"])
    );
    assert_eq!(b["passenger_refs"][0], "PYABO1");
    let cusres = b["cusres"].as_str().unwrap();
    assert!(
        cusres.contains("BGM+962") && cusres.contains("ERC+1Z") && cusres.contains("ERC+0Z"),
        "{cusres}"
    );
    let wire = b["wire"].as_str().unwrap().to_ascii_lowercase();
    assert!(!wire.contains("n-001") && !wire.contains("national") && !wire.contains("dulaimi"));

    assert_eq!(r["submit_paxlst"][0]["flight"][0], "XX0101");
    assert_eq!(r["submit_paxlst"][0]["traveller_ids"][0], "PYREF1");
    assert_eq!(r["submit_paxlst"][0]["decisions"][0], "DECISION_NO_BOARD");
    assert_eq!(r["bad_paxlst"]["code"], "INVALID_ARGUMENT");
    assert!(
        r["bad_paxlst"]["message"]
            .as_str()
            .unwrap()
            .contains("segment")
    );

    // the replay saw the alert of the first call, then the one SubmitPaxlst raised (CheckBoarding
    // screened the same manifest as the first call: same alert id, not raised twice)
    let replayed = r["stream_alerts"].as_array().unwrap();
    assert_eq!(replayed.len(), 2, "{replayed:?}");
    assert_eq!(replayed[0]["alert_id"], alert_id.as_str());
    assert_eq!(replayed[0]["seq"], 1);
    assert_eq!(replayed[1]["seq"], 2);

    assert_eq!(r["stats"]["lists"]["national"], 5);

    running.shutdown();
    running.wait().await.unwrap();
}
