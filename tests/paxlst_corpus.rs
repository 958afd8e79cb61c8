//! Black-box tests over the PAXLST sample corpus (`tests/data/paxlst/`, copied from
//! `shared/corpus/paxlst/`) and the synthetic fixtures for what the corpus lacks
//! (`tests/data/paxlst/synthetic/`). Each `<name>.edi` has a `<name>.expected.json` (an array of
//! the NDJSON lines `paxscreen parse` prints), checked by hand against the message; the explicit
//! assertions below pin the fields screening depends on.

use paxscreen::model::{Manifest, TravellerKind};
use paxscreen::paxlst::{
    self, Assembler, BoardingStatus, CusresKind, ParseOptions, ParsedMessage, parse,
    parse_to_ndjson,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/paxlst")
        .join(name)
}

fn ndjson(files: &[PathBuf]) -> Vec<Value> {
    let inputs: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).unwrap()))
        .collect();
    let mut out = Vec::new();
    let n = parse_to_ndjson(&inputs, &mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(n, lines.len());
    lines
}

fn edi_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "edi"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_file_matches_its_expected_json() {
    let mut checked = 0;
    for dir in [data(""), data("synthetic")] {
        for f in edi_files(&dir) {
            let expected_path = f.with_extension("expected.json");
            let expected: Value =
                serde_json::from_slice(&std::fs::read(&expected_path).unwrap()).unwrap();
            let got = Value::Array(ndjson(std::slice::from_ref(&f)));
            assert_eq!(got, expected, "{}", f.display());
            checked += 1;
        }
    }
    assert!(checked >= 22, "only {checked} fixtures");
}

fn manifest(name: &str) -> Manifest {
    let bytes = std::fs::read(data(name)).unwrap();
    let msgs = parse(&bytes, &ParseOptions::default()).unwrap();
    let mut a = Assembler::new(Duration::ZERO);
    let mut out: Vec<Manifest> = Vec::new();
    for m in msgs {
        if let ParsedMessage::Paxlst { manifest, part } = m {
            out.extend(a.push(manifest, part, Duration::ZERO));
        }
    }
    out.extend(a.flush());
    assert_eq!(out.len(), 1, "{name}");
    out.pop().unwrap()
}

fn names(m: &Manifest) -> Vec<(String, String)> {
    m.travellers
        .iter()
        .map(|t| {
            (
                t.passenger.surname.clone().unwrap_or_default(),
                t.passenger.given_names.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn dobs(m: &Manifest) -> Vec<String> {
    m.travellers
        .iter()
        .map(|t| t.passenger.dob.map(|d| d.to_string()).unwrap_or_default())
        .collect()
}

fn doc_numbers(m: &Manifest) -> Vec<String> {
    m.travellers
        .iter()
        .flat_map(|t| t.passenger.documents.iter().map(|d| d.number.clone()))
        .collect()
}

#[test]
fn sample_01_crew_list_no_una_wrong_cnt_separator() {
    let m = manifest("01_gtas_Test1_crew_BGM250_D02B.edi");
    assert_eq!(m.travellers.len(), 8);
    assert!(m.travellers.iter().all(|t| t.kind == TravellerKind::Crew));
    assert_eq!(names(&m)[0], ("Steur".into(), "Andrea Pat".into()));
    assert_eq!(names(&m)[7], ("Zschieschak".into(), "Jaclyn Pat".into()));
    assert_eq!(dobs(&m)[0], "1978-07-06");
    assert_eq!(dobs(&m)[7], "1978-07-13");
    let d = &m.travellers[0].passenger.documents[0];
    assert_eq!(d.number, "123456789");
    assert_eq!(d.expiry.unwrap().to_string(), "2061-02-18");
    assert_eq!(
        m.travellers[0].place_of_birth.as_deref(),
        Some("Hartford USA")
    );
    assert_eq!(m.totals.crew, Some(8));
    assert!(m.warnings.iter().any(|w| w.contains("UNT declares 152")));
    assert_eq!(
        m.flights[0].departure.time.as_deref(),
        Some("2017-01-27T17:25")
    );
}

#[test]
fn sample_03_star_dollar_una_lone_part_10() {
    let m = manifest("03_gtas_airline2_UNA_star_dollar.edi");
    assert_eq!(m.travellers.len(), 10);
    assert_eq!(names(&m)[0], ("BETTON".into(), "DAVID".into()));
    assert_eq!(names(&m)[9], ("LOWE".into(), "DANIEL".into()));
    assert!(dobs(&m).iter().all(|d| d == "1954-10-16"));
    assert_eq!(doc_numbers(&m)[0], "178556534");
    assert_eq!(doc_numbers(&m)[9], "153284238");
    assert_eq!(m.travellers[0].pnr.as_deref(), Some("QXGYLO"));
    assert_eq!(m.flights[0].departure.airport.as_deref(), Some("BRE"));
    assert!(m.warnings.iter().any(|w| w.contains("parts 01, 02")));
    assert!(m.warnings.iter().any(|w| w.contains("CNT+42 declares 136")));
}

#[test]
fn sample_05_repetition_separator_two_legs_no_documents() {
    let m = manifest("05_gtas_apisMessage_UNA_repsep_nodoc.edi");
    assert_eq!(
        names(&m),
        [
            ("CLARK".into(), "MICHAEL".into()),
            ("CLARK".into(), "CHERYL".into())
        ]
    );
    assert_eq!(dobs(&m), ["1972-09-07", "1973-04-07"]);
    assert_eq!(m.travellers[1].passenger.id, "TYL009");
    assert_eq!(m.flights.len(), 2);
    assert_eq!(m.flights[1].arrival.airport.as_deref(), Some("JFK"));
    assert_eq!(m.travellers[0].references.len(), 2);
    assert!(doc_numbers(&m).is_empty());
}

#[test]
fn sample_07_legacy_us_edifact_with_released_quote_and_space() {
    let m = manifest("07_gtas_USedifact_legacy_PDT_release_char.edi");
    assert_eq!(m.travellers.len(), 4);
    assert_eq!(names(&m)[3], ("O'LEARY".into(), "KRIS ANN".into()));
    assert_eq!(names(&m)[2], ("BOYLE".into(), "ALVIN".into()));
    assert_eq!(
        dobs(&m),
        ["1959-04-29", "1956-07-04", "1952-12-21", "1933-12-31"]
    );
    assert_eq!(
        doc_numbers(&m),
        ["182345345", "122222345", "C76543D", "E54321A"]
    );
    assert_eq!(
        m.reporting_party.as_ref().unwrap().name.as_deref(),
        Some("FRED SAMPLES")
    );
    assert_eq!(
        m.travellers[3].passenger.documents[0]
            .country
            .unwrap()
            .alpha3(),
        "IRL"
    );
    assert_eq!(m.flights[0].departure.airport.as_deref(), Some("AKL"));
}

#[test]
fn samples_10_to_12_wco_guide_examples() {
    let m = manifest("10_jetway_WCO_MIG_ex5.1_single_sector_pax_D15B.edi");
    assert_eq!(names(&m), [("WILLIAMS".into(), "JOHN DONALD".into())]);
    let t = &m.travellers[0];
    assert_eq!(t.passenger.id, "ABC123");
    assert_eq!(t.verified, Some(false));
    assert_eq!(t.place_of_birth.as_deref(), Some("AMBER HILL GBR"));
    assert_eq!(doc_numbers(&m), ["MB140241"]);
    assert_eq!(
        m.flights[0].arrival.time.as_deref(),
        Some("2013-06-21T22:00")
    );

    let m = manifest("11_jetway_WCO_MIG_ex5.2_crew_D15B.edi");
    assert_eq!(names(&m), [("CLARK".into(), "MICHAEL".into())]);
    assert_eq!(
        m.reporting_party.as_ref().unwrap().id.as_deref(),
        Some("USD090746")
    );
    assert!(
        m.warnings
            .iter()
            .any(|w| w.contains("UNT declares 20 segments, the message has 21"))
    );

    let m = manifest("12_jetway_WCO_MIG_ex5.3_progressive_2legs_D15B.edi");
    assert_eq!(m.flights.len(), 2);
    assert_eq!(m.flights[1].carrier.as_deref(), Some("XZ"));
    assert_eq!(m.flights[1].id.as_deref(), Some("ZX877"));
    assert_eq!(doc_numbers(&m), ["YY3478621", "TRQWE9980"]);
    assert_eq!(m.transaction_ref.as_deref(), Some("BART34567890"));
}

#[test]
fn sample_13_three_parts_assemble_in_any_order() {
    let files = [
        data("13c_astra_OK688_multipart_part3_of3.edi"),
        data("13a_astra_OK688_multipart_part1_of3.edi"),
        data("13b_astra_OK688_multipart_part2_of3.edi"),
    ];
    let lines = ndjson(&files);
    let expected: Value =
        serde_json::from_slice(&std::fs::read(data("13_assembled.expected.json")).unwrap())
            .unwrap();
    assert_eq!(Value::Array(lines.clone()), expected);
    assert_eq!(lines.len(), 1);
    let m: Manifest = serde_json::from_value(lines[0].clone()).unwrap();
    assert_eq!(m.parts, [1, 2, 3]);
    let surnames: Vec<_> = names(&m).into_iter().map(|n| n.0).collect();
    assert_eq!(surnames, ["STRANSKY", "KOVACS", "LESKA", "PUTIN", "PUTINA"]);
    assert_eq!(
        doc_numbers(&m),
        ["102865098", "35485167", "34356146", "000001", "000002"]
    );
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn samples_14_and_16_iapi_requests() {
    let m = manifest("14_astra_iapiCN_PAXLST_2pax_GEI173_YZY_ticket.edi");
    assert_eq!(m.travellers.len(), 2);
    assert_eq!(m.travellers[0].verified, Some(true));
    assert_eq!(m.travellers[0].references[0].qualifier, "YZY");
    assert_eq!(doc_numbers(&m), ["E6397444822", "E6397444756"]);
    assert_eq!(dobs(&m), ["1956-06-20", "1996-01-12"]);

    let m = manifest("16_astra_iapiCN_PAXLST_BGM745CP_change.edi");
    assert_eq!(
        m.document_type,
        paxscreen::model::DocumentType::ChangePassenger
    );
    assert_eq!(
        m.travellers[0].passenger.documents[0].doc_type.as_deref(),
        Some("T")
    );
}

fn cusres(name: &str) -> Vec<paxlst::CusresMessage> {
    let bytes = std::fs::read(data(name)).unwrap();
    parse(&bytes, &ParseOptions::default())
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            ParsedMessage::Cusres(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn samples_15_17_18_cusres() {
    let c = cusres("15_astra_iapiCN_CUSRES_962_ERC0Z_x2.edi");
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].passengers.len(), 2);
    assert!(
        c[0].passengers
            .iter()
            .all(|p| p.status == Some(BoardingStatus::Board))
    );

    let c = cusres("17_astra_iapiCN_CUSRES_unsolicited_BGM132_and_airline_ack_BGM312.edi");
    let kinds: Vec<_> = c
        .iter()
        .map(|c| (c.kind, c.passengers[0].status.unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            (CusresKind::UnsolicitedChange, BoardingStatus::NoBoard),
            (CusresKind::Acknowledgement, BoardingStatus::NoBoard),
            (CusresKind::UnsolicitedChange, BoardingStatus::Board),
            (CusresKind::Acknowledgement, BoardingStatus::Board),
        ]
    );

    let c = cusres("18_astra_iapiCN_CUSRES_mixed_1Z_0Z.edi");
    let p = &c[0].passengers;
    assert_eq!(p.len(), 10);
    assert_eq!(p[0].status, Some(BoardingStatus::NoBoard));
    assert!(
        p[0].text
            .as_deref()
            .unwrap()
            .starts_with("NO BOARD, if there is a question")
    );
    assert_eq!(
        p.iter()
            .filter(|p| p.status == Some(BoardingStatus::Board))
            .count(),
        9
    );
}

#[test]
fn sample_20_national_id_issue_date_lowercase() {
    let m = manifest("20_sita_uae_gateway_test_DOC_I_DTM182_email_lowercase.edi");
    let d = &m.travellers[0].passenger.documents[0];
    assert_eq!(d.doc_type.as_deref(), Some("I"));
    assert_eq!(d.number, "784200915487611");
    assert_eq!(d.issued.unwrap().to_string(), "2009-07-31");
    assert_eq!(d.expiry.unwrap().to_string(), "2030-08-03");
    assert_eq!(m.flights[0].departure.airport.as_deref(), Some("LHR"));
    assert_eq!(dobs(&m), ["2001-05-10"]);
}

#[test]
fn synthetic_transit_travellers_and_a_bad_group_lose_nobody() {
    let m = manifest("synthetic/s01_transit_DDT_DDU_typeB.edi");
    let kinds: Vec<_> = m.travellers.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            TravellerKind::TransitPassenger,
            TravellerKind::TransitCrew,
            TravellerKind::Passenger,
            TravellerKind::Passenger,
            TravellerKind::Passenger,
        ]
    );
    // The example of issue 3 item 7.
    let t = &m.travellers[0];
    assert_eq!(t.passenger.surname.as_deref(), Some("JIANG"));
    assert_eq!(t.passenger.dob.unwrap().to_string(), "1967-06-03");
    assert_eq!(m.flights[0].carrier.as_deref(), Some("LA"));
    assert_eq!(m.flights[0].number.as_deref(), Some("532"));
    assert_eq!(
        m.flights[0].departure.time.as_deref(),
        Some("2020-01-19T23:00")
    );
    assert_eq!(m.travellers[1].crew_category.as_deref(), Some("CR2"));
    // A traveller with an impossible DOB keeps name and document; the warning names the segment.
    assert_eq!(doc_numbers(&m)[2], "X1");
    assert!(
        m.warnings
            .iter()
            .any(|w| w.starts_with("segment 27 at byte 526: DTM+329"))
    );
    // A child born 2018 on a 2020 flight could also be 102: flagged.
    assert!(m.travellers[4].passenger.dob_century_ambiguous);
    assert!(!m.travellers[0].passenger.dob_century_ambiguous);
}

#[test]
fn synthetic_overflight_mcl_closeout_and_cusres() {
    let m = manifest("synthetic/s02_overflight_TDT34_release.edi");
    assert!(m.flights[0].overflight);
    assert_eq!(names(&m), [("O'BRIEN+SONS".into(), "MARY ANN:X".into())]);
    assert!(
        m.travellers[0].passenger.dob_century_ambiguous,
        "000714 is ambiguous"
    );

    let m = manifest("synthetic/s03_master_crew_list_BGM336.edi");
    assert_eq!(
        m.document_type,
        paxscreen::model::DocumentType::MasterCrewList
    );
    assert_eq!(m.document_id.as_deref(), Some("G"));

    let m = manifest("synthetic/s04_closeout_BGM266_CLOB_typographic_truncated.edi");
    assert_eq!(
        m.document_type,
        paxscreen::model::DocumentType::FlightStatus
    );
    assert_eq!(m.document_id.as_deref(), Some("CLOB"));
    let ids: Vec<_> = m
        .travellers
        .iter()
        .map(|t| t.passenger.id.as_str())
        .collect();
    assert_eq!(ids, ["AZ610001", "AZ610002"]);
    assert!(m.warnings.iter().any(|w| w.contains("typographic")));

    let c = cusres("synthetic/s05_cusres_2Z_4Z_star_dollar.edi");
    let st: Vec<_> = c[0].passengers.iter().map(|p| p.status.unwrap()).collect();
    assert_eq!(
        st,
        [BoardingStatus::Refer, BoardingStatus::InsufficientData]
    );
    assert_eq!(c[0].message_status, ["0"]);
}

#[test]
fn unreadable_input_is_an_error_line_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("junk.txt");
    std::fs::write(&p, b"this is not edifact").unwrap();
    let lines = ndjson(&[p]);
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .contains("no EDIFACT interchange")
    );
    assert_eq!(lines[0]["segment"], 0);
    assert_eq!(lines[0]["offset"], 0);
}
