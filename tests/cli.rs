//! Black-box tests of the `paxscreen` binary: `screen`, `compare` and `parse` on the fixtures in
//! `tests/data/`, as a newcomer would run them.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn paxscreen(args: &[&str], stdin: Option<&str>) -> (String, String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paxscreen"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    if let Some(s) = stdin {
        child
            .stdin
            .as_mut()
            .expect("stdin")
            .write_all(s.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("binary finishes");
    (
        String::from_utf8(out.stdout).expect("utf-8 stdout"),
        String::from_utf8(out.stderr).expect("utf-8 stderr"),
        out.status.success(),
    )
}

fn lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("NDJSON line"))
        .collect()
}

fn hit_ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["entry_id"].as_str().expect("entry_id").to_string())
        .collect()
}

#[test]
fn issue_2_screen_writes_one_line_per_passenger_in_order() {
    let (out, err, ok) = paxscreen(
        &[
            "screen",
            "--watchlist",
            "tests/data/watchlists/demo_national.ndjson",
            "tests/data/passengers.ndjson",
        ],
        None,
    );
    assert!(ok, "{err}");
    let v = lines(&out);
    let ids: Vec<&str> = v
        .iter()
        .map(|l| l["passenger_id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"]);
    // transliteration, glued abd, swapped order and spelling variants found
    assert_eq!(hit_ids(&v[0]), ["N-001"]);
    assert_eq!(hit_ids(&v[1]), ["N-002"]);
    assert_eq!(hit_ids(&v[2]), ["N-003"]);
    // a very common name alone does not alert; with the listed birth date it does
    assert!(hit_ids(&v[3]).is_empty());
    assert_eq!(hit_ids(&v[4]), ["N-004"]);
    assert!(hit_ids(&v[5]).is_empty());
    assert_eq!(hit_ids(&v[6]), ["N-005"]);
    assert!(hit_ids(&v[7]).is_empty());
    // every hit explains itself
    let h = &v[0]["hits"][0];
    assert!(h["score"].as_f64().expect("score") >= 0.8);
    assert_eq!(h["explanation"]["dob"], "exact");
    assert_eq!(h["explanation"]["document"], "exact");
    assert!(
        !h["explanation"]["name"]["aligned"]
            .as_array()
            .expect("aligned")
            .is_empty()
    );
    // the summary is the last stderr line
    let last = err.lines().last().expect("summary");
    let s: Value = serde_json::from_str(last).expect("summary JSON");
    assert_eq!(s["summary"]["passengers"], 8);
    assert_eq!(s["summary"]["entries"], 5);
    assert_eq!(s["summary"]["hits"], 5);
    assert!(s["summary"]["screen_seconds"].as_f64().is_some());
}

#[test]
fn issue_2_bad_lines_get_an_error_line_in_their_place() {
    let input = concat!(
        "{\"id\":\"a\",\"surname\":\"KHAN\",\"given_names\":\"MUHAMMAD ALI\",\"dob\":\"1971-03-05\"}\n",
        "{\"id\":\"b\",\"surname\":\"X\",\"dob\":\"1971-02-30\"}\n",
        "not json\n",
        "{\"id\":\"c\",\"surname\":\"X\",\"birthday\":\"1971\"}\n",
        "{\"id\":\"d\",\"name\":\"Svetlana Kuznetsova\",\"dob\":\"1985-11-23\"}\n",
    );
    let (out, err, ok) = paxscreen(
        &[
            "screen",
            "-w",
            "tests/data/watchlists/demo_national.ndjson",
            "-",
        ],
        Some(input),
    );
    assert!(ok, "{err}");
    let v = lines(&out);
    assert_eq!(v.len(), 5);
    assert_eq!(hit_ids(&v[0]), ["N-004"]);
    assert_eq!(v[1]["line"], 2);
    assert!(v[1]["error"].as_str().expect("error").contains("dob"));
    assert_eq!(v[2]["line"], 3);
    assert!(v[3]["error"].as_str().expect("error").contains("birthday"));
    assert_eq!(hit_ids(&v[4]), ["N-003"]);
    // no personal data in the error text
    assert!(!out.contains("1971-02-30"));
}

#[test]
fn issue_2_screen_reads_un_xml_and_ofac_fixtures() {
    let (out, err, ok) = paxscreen(
        &[
            "screen",
            "-w",
            "tests/data/watchlists/un_small.xml",
            "-w",
            "tests/data/watchlists/ofac/sdn.csv",
            "-",
        ],
        Some("{\"id\":\"z\",\"name\":\"NOBODY IN PARTICULAR\"}\n"),
    );
    assert!(ok, "{err}");
    assert_eq!(lines(&out).len(), 1);
    let summaries: Vec<Value> = err
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert!(
        summaries
            .iter()
            .any(|s| s["watchlist"]["format"] == "un_xml")
    );
    assert!(
        summaries
            .iter()
            .any(|s| s["watchlist"]["format"] == "ofac_csv")
    );
}

#[test]
fn issue_2_missing_watchlist_is_a_clear_error() {
    let (_, err, ok) = paxscreen(&["screen", "-w", "no/such/list.xml", "-"], Some(""));
    assert!(!ok);
    assert!(err.contains("no/such/list.xml"), "{err}");
}

#[test]
fn issue_2_compare_explains_a_pair() {
    let input = concat!(
        "{\"a\":\"RAMI MAKHLUF\",\"b\":\"Rami Makhlouf\"}\n",
        "{\"a\":{\"surname\":\"AL-TIKRITI\",\"given_names\":\"SADDAM HUSSEIN\"},\"b\":{\"names\":[\"صدام حسين التكريتي\"]}}\n",
        "{\"a\":\"JOHN SMITH\",\"b\":\"PETER JONES\"}\n",
        "{\"a\":\"JOHN SMITH\"}\n",
    );
    let (out, err, ok) = paxscreen(&["compare"], Some(input));
    assert!(ok, "{err}");
    let v = lines(&out);
    assert_eq!(v.len(), 4);
    assert!(v[0]["score"].as_f64().expect("score") > 0.85);
    assert!(v[1]["score"].as_f64().expect("score") > 0.85);
    assert_eq!(
        v[1]["explanation"]["name"]["aligned"]
            .as_array()
            .expect("a")
            .len(),
        3
    );
    assert!(v[2]["score"].as_f64().expect("score") < 0.5);
    assert!(v[3]["error"].as_str().expect("error").contains("b"));
}

#[test]
fn issue_3_screen_accepts_paxlst_and_parse_prints_manifests() {
    let file = "tests/data/paxlst/10_jetway_WCO_MIG_ex5.1_single_sector_pax_D15B.edi";
    let (out, err, ok) = paxscreen(
        &[
            "screen",
            "-w",
            "tests/data/watchlists/demo_national.ndjson",
            file,
        ],
        None,
    );
    assert!(ok, "{err}");
    let v = lines(&out);
    assert_eq!(v.len(), 1);
    assert!(v[0]["flight"].as_str().is_some());
    let (out, err, ok) = paxscreen(&["parse", file], None);
    assert!(ok, "{err}");
    let v = lines(&out);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["document_type"], "passenger_list");
    assert_eq!(v[0]["travellers"].as_array().expect("travellers").len(), 1);
}
