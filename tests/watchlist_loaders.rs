//! Watchlist loaders on our own small fixtures (exact expectations) and on the real UN and OFAC
//! files in `shared/corpus/watchlists` when they are present.

use paxscreen::model::{DateSpec, EntityType, Gender, NameKind, WatchlistEntry};
use paxscreen::watchlist::{ListFormat, LoadSummary, load_path};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/watchlists")
        .join(rel)
}

/// The shared corpus: `PAXSCREEN_SHARED`, else the first ancestor of the crate with a
/// `shared/corpus` directory (the crate may be a worktree beside `main`).
fn shared_dir() -> Option<PathBuf> {
    if let Ok(d) = std::env::var("PAXSCREEN_SHARED") {
        return Some(PathBuf::from(d));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared"))
        .find(|s| s.join("corpus").is_dir())
}

fn real_file(rel: &str) -> Option<PathBuf> {
    let p = shared_dir()?.join("corpus/watchlists").join(rel);
    if p.is_file() {
        Some(p)
    } else {
        println!("note: {} not found, skipping", p.display());
        None
    }
}

fn entry<'a>(entries: &'a [WatchlistEntry], id: &str) -> &'a WatchlistEntry {
    entries
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

fn names(e: &WatchlistEntry) -> Vec<(&str, NameKind)> {
    e.names.iter().map(|n| (n.full.as_str(), n.kind)).collect()
}

fn dobs(e: &WatchlistEntry) -> Vec<String> {
    e.dobs.iter().map(ToString::to_string).collect()
}

fn docs(e: &WatchlistEntry) -> Vec<(String, String, String)> {
    e.documents
        .iter()
        .map(|d| {
            (
                d.doc_type.clone().unwrap_or_default(),
                d.number.clone(),
                d.country
                    .map(|c| c.alpha3().to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn nats(e: &WatchlistEntry) -> Vec<&str> {
    e.nationalities.iter().map(|c| c.alpha3()).collect()
}

fn count_kind(entries: &[WatchlistEntry], kind: NameKind) -> usize {
    entries
        .iter()
        .filter(|e| e.entity_type == EntityType::Individual)
        .flat_map(|e| &e.names)
        .filter(|n| n.kind == kind)
        .count()
}

fn locations(s: &LoadSummary) -> Vec<&str> {
    s.problems.iter().map(|p| p.location.as_str()).collect()
}

#[test]
fn un_fixture_loads_exactly() {
    let (entries, s) = load_path(&fixture("un_small.xml")).unwrap();
    assert_eq!(s.format, ListFormat::UnXml);
    assert_eq!((s.entries, s.individuals, s.skipped), (3, 2, 1));
    assert_eq!(s.unknown_nationalities, 1);
    assert_eq!(s.problems_total, 3, "{:?}", s.problems);
    assert!(s.problems[0].location.ends_with("record 2 (DATAID 101)"));
    assert!(s.problems[2].location.ends_with("record 3"));

    let e = entry(&entries, "un:100");
    assert_eq!(
        names(e),
        [
            ("AHMAD ZIA AGHA", NameKind::Primary),
            ("احمد ضیا آغا", NameKind::OriginalScript),
            ("Zia Agha", NameKind::Alias),
            ("Ziya Aga", NameKind::Alias),
            ("Hassan Ghul", NameKind::Alias),
            ("Hasan Gul", NameKind::Alias),
            ("حسن غول", NameKind::OriginalScript),
            ("Abu Samia", NameKind::WeakAlias),
            ("Ahmad Agha", NameKind::FormerName),
        ]
    );
    assert_eq!(dobs(e), ["1974..1979", "~1975"]);
    assert_eq!(
        e.places_of_birth,
        ["Kandahar, Kandahar Province, Afghanistan"]
    );
    assert_eq!(nats(e), ["AFG"]);
    assert_eq!(e.gender, Some(Gender::Male));
    assert_eq!(
        docs(e),
        [
            ("P".into(), "OR 123456".into(), "AFG".into()),
            ("I".into(), "44103-5251752-5".into(), "PAK".into()),
        ]
    );

    let e = entry(&entries, "un:101");
    assert_eq!(
        names(e),
        [
            ("TARKHAN GAZIEV", NameKind::Primary),
            ("Тархан Исмаилович Газиев", NameKind::OriginalScript)
        ]
    );
    assert_eq!(dobs(e), ["1965-11-11", "1966-11"]);
    assert_eq!(nats(e), ["RUS"]);
    assert_eq!(e.gender, None);

    let org = entry(&entries, "un:200");
    assert_eq!(org.entity_type, EntityType::Organisation);
    assert_eq!(org.names.len(), 2);
}

#[test]
fn ofac_fixture_loads_exactly() {
    let (entries, s) = load_path(&fixture("ofac/sdn.csv")).unwrap();
    assert_eq!(s.format, ListFormat::OfacCsv);
    assert_eq!((s.entries, s.individuals, s.skipped), (4, 2, 2));
    assert_eq!(s.problems_total, 3, "{:?}", s.problems);
    let locs = locations(&s);
    assert!(locs[0].ends_with("sdn.csv:5"), "{locs:?}"); // short row
    assert!(locs[1].ends_with("sdn.csv:2"), "{locs:?}"); // unreadable "DOB sometime"
    assert!(locs[2].ends_with("alt.csv:5"), "{locs:?}"); // alias of unknown ent_num

    let e = entry(&entries, "ofac:10");
    assert_eq!(
        names(e),
        [
            ("Ali Hassan AL-TIKRITI", NameKind::Primary),
            ("ABU ALI", NameKind::WeakAlias),
            ("Ali TIKRITI", NameKind::Alias),
            ("Ali HASSAN", NameKind::FormerName),
        ]
    );
    assert_eq!(dobs(e), ["1968-07-01", "~1970"]);
    assert_eq!(e.places_of_birth, ["Tikrit, Iraq"]);
    assert_eq!(nats(e), ["IRQ"]);
    assert_eq!(e.gender, Some(Gender::Male));
    assert_eq!(docs(e), [("P".into(), "A1234567".into(), "IRQ".into())]);

    let e = entry(&entries, "ofac:11");
    assert_eq!(
        names(e),
        [
            ("Juan M. de la CRUZ", NameKind::Primary),
            ("Juan DE LA CRUZ", NameKind::WeakAlias),
        ]
    );
    assert_eq!(dobs(e), ["1960..1962", "1961-01"]);
    assert_eq!(nats(e), ["COL", "VEN"]);
    assert_eq!(
        docs(e),
        [
            ("I".into(), "16247821".into(), "COL".into()),
            ("I".into(), "(HWI)040182".into(), "MMR".into()),
        ]
    );

    let org = entry(&entries, "ofac:12");
    assert_eq!(org.entity_type, EntityType::Organisation);
    assert_eq!(
        names(org),
        [
            ("ACME TRADING CO., LTD.", NameKind::Primary),
            ("ACME", NameKind::WeakAlias),
            ("ACME HOLDINGS", NameKind::FormerName),
        ]
    );
    assert_eq!(entry(&entries, "ofac:13").entity_type, EntityType::Vessel);
}

#[test]
fn ndjson_fixture_loads_good_lines_and_reports_bad_ones() {
    let (entries, s) = load_path(&fixture("national.ndjson")).unwrap();
    assert_eq!(s.format, ListFormat::Ndjson);
    let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["X1", "X2", "X7"]);
    assert_eq!((s.individuals, s.skipped), (2, 7));
    let lines: Vec<&str> = locations(&s)
        .iter()
        .map(|l| l.rsplit(':').next().unwrap())
        .collect();
    assert_eq!(lines, ["3", "5", "6", "7", "8", "9", "11"]);

    let e = entry(&entries, "X1");
    assert_eq!(
        names(e),
        [
            ("Ali Hassan Al-Tikriti", NameKind::Primary),
            ("علي حسن التكريتي", NameKind::OriginalScript)
        ]
    );
    assert_eq!(dobs(e), ["1968-07-01", "1970"]);
    assert_eq!(docs(e), [("P".into(), "A1234567".into(), "IRQ".into())]);

    let e = entry(&entries, "X2");
    assert_eq!(dobs(e), ["~1975", "1970..1972"]);
    assert_eq!(nats(e), ["COL", "VEN"]);
    assert_eq!(e.gender, Some(Gender::Female));
    assert_eq!(e.names[1].kind, NameKind::WeakAlias);
    assert_eq!(entry(&entries, "X7").entity_type, EntityType::Organisation);
}

#[test]
fn fatal_errors_name_the_path() {
    let missing = fixture("does-not-exist.xml");
    let err = load_path(&missing).unwrap_err().to_string();
    assert!(err.contains("does-not-exist.xml"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("list.xml");
    std::fs::write(&p, b"this is not xml").unwrap();
    let err = load_path(&p).unwrap_err().to_string();
    assert!(err.contains("list.xml"), "{err}");
    let p = dir.path().join("list.bin");
    std::fs::write(&p, b"\x00\x01\x02").unwrap();
    assert!(load_path(&p).is_err());
}

#[test]
fn real_un_list() {
    let Some(path) = real_file("un/consolidated-2026-02-27.xml") else {
        return;
    };
    let t = Instant::now();
    let (entries, s) = load_path(&path).unwrap();
    println!(
        "un: loaded {} entries in {:.3}s",
        entries.len(),
        t.elapsed().as_secs_f64()
    );
    assert_eq!(s.individuals, 730);
    assert_eq!(s.entries, 1003);
    assert_eq!(s.skipped, 0, "{:?}", s.problems);
    assert_eq!(s.unknown_nationalities, 1); // "former Soviet Union"
    // 1,524 "Good" aliases, some holding `;`-lists, minus a few in original script.
    let aliases = count_kind(&entries, NameKind::Alias);
    assert!((1524..1700).contains(&aliases), "{aliases}");
    assert!((615..700).contains(&count_kind(&entries, NameKind::WeakAlias)));
    // 336 NAME_ORIGINAL_SCRIPT on individuals plus original-script parts of aliases.
    let orig = count_kind(&entries, NameKind::OriginalScript);
    assert!((336..=380).contains(&orig), "{orig}");
    let between = entries
        .iter()
        .flat_map(|e| &e.dobs)
        .filter(|d| matches!(d, DateSpec::Between { .. }))
        .count();
    assert_eq!(between, 31);

    // Checked by hand in the XML (CDi.021).
    let e = entry(&entries, "un:6908012");
    assert_eq!(e.names[0].full, "FLORIBERT NGABU NJABU");
    assert_eq!(dobs(e), ["1971-05-23"]);
    assert_eq!(nats(e), ["COD"]);
    assert_eq!(e.gender, Some(Gender::Male));
    assert_eq!(docs(e), [("P".into(), "OB 0243318".into(), "COD".into())]);
    let e = entry(&entries, "un:6908128");
    assert_eq!(e.names[1].full, "ياسر سبعاوي إبراهيم حسن التكريتي");
    assert_eq!(e.names[1].kind, NameKind::OriginalScript);
    assert_eq!(dobs(e), ["1968-05-15"]);
}

#[test]
fn real_ofac_list() {
    let Some(path) = real_file("ofac/sdn.csv") else {
        return;
    };
    let t = Instant::now();
    let (entries, s) = load_path(&path).unwrap();
    println!(
        "ofac: loaded {} entries in {:.3}s",
        entries.len(),
        t.elapsed().as_secs_f64()
    );
    assert_eq!(s.entries, 7379);
    assert_eq!(s.individuals, 3845);
    assert_eq!(s.skipped, 0, "{:?}", s.problems);
    assert_eq!(s.unknown_nationalities, 0);
    // alt.csv holds 9,682 aka/fka/nka rows over all entity types (a few duplicates merge);
    // Remarks add a few "f.k.a." statements.
    let alt_names: usize = entries
        .iter()
        .flat_map(|e| &e.names)
        .filter(|n| matches!(n.kind, NameKind::Alias | NameKind::FormerName))
        .count();
    assert!((9500..=9750).contains(&alt_names), "{alt_names}");
    // Remarks "a.k.a. '…'" statements are OFAC's weak aliases.
    assert_eq!(count_kind(&entries, NameKind::WeakAlias), 1587);
    let with_dob = entries.iter().filter(|e| !e.dobs.is_empty()).count();
    assert!(with_dob >= 3600, "{with_dob}");

    let e = entry(&entries, "ofac:4108");
    assert_eq!(e.names[0].full, "Miguel Angel RODRIGUEZ OREJUELA");
    assert_eq!(dobs(e), ["1943-11-23", "1943-07-15"]);
    assert_eq!(docs(e), [("I".into(), "6095803".into(), "COL".into())]);
}

/// Every prefix of every fixture, and copies with bytes flipped, load or fail cleanly.
#[test]
fn truncated_and_corrupted_inputs_never_panic() {
    use paxscreen::watchlist::load_bytes;
    for (format, rel) in [
        (ListFormat::UnXml, "un_small.xml"),
        (ListFormat::OfacCsv, "ofac/sdn.csv"),
        (ListFormat::Ndjson, "national.ndjson"),
    ] {
        let bytes = std::fs::read(fixture(rel)).unwrap();
        for cut in 0..bytes.len() {
            let _ = load_bytes(format, rel, &bytes[..cut]);
        }
        let mut seed = 0x9e37_79b9_u32;
        for _ in 0..300 {
            let mut b = bytes.clone();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let i = seed as usize % b.len();
                b[i] = (seed >> 8) as u8;
            }
            let _ = load_bytes(format, rel, &b);
        }
    }
    // A huge line is reported, not parsed.
    let mut big = b"{\"id\":\"x\",\"list\":\"l\",\"names\":[\"".to_vec();
    big.resize(2 << 20, b'a');
    big.extend_from_slice(b"\"]}\n");
    let (entries, s) = load_bytes(ListFormat::Ndjson, "big", &big).unwrap();
    assert!(entries.is_empty());
    assert_eq!(s.skipped, 1);
}
