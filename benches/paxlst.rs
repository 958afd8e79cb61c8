//! Parsing a 400-passenger PAXLST (one message, default separators, realistic segments per
//! traveller: NAD, ATT, DTM, LOC×4, NAT, RFF×3, DOC, DTM, LOC). Target: under 1 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use paxscreen::model::{
    Country, Flight, FlightEndpoint, Gender, Manifest, PartialDate, TravelDocument, Traveller,
};
use paxscreen::paxlst::{ParseOptions, ParsedMessage, Separators, parse, render_paxlst};
use std::hint::black_box;

const SURNAMES: &[&str] = &[
    "SMITH",
    "O'BRIEN",
    "MÜLLER",
    "AL-RAHMAN",
    "NGUYEN",
    "GARCIA LOPEZ",
];
const GIVEN: &[&str] = &[
    "JOHN DONALD",
    "MARIA",
    "ANNE MARIE",
    "MOHAMMED",
    "WEI",
    "SOPHIE",
];

fn manifest(n: usize) -> Manifest {
    let travellers = (0..n)
        .map(|i| {
            let mut t = Traveller {
                pnr: Some(format!("PNR{:03}", i / 3)),
                passenger_ref: Some(format!("PAX{i:05}")),
                seat: Some(format!(
                    "{}{}",
                    1 + i / 6,
                    ["A", "B", "C", "D", "E", "F"][i % 6]
                )),
                embarkation: Some("LHR".into()),
                debarkation: Some("JFK".into()),
                clearance: Some("JFK".into()),
                residence: Country::parse("GBR"),
                ..Traveller::default()
            };
            let p = &mut t.passenger;
            p.id = format!("PAX{i:05}");
            p.surname = Some(SURNAMES[i % SURNAMES.len()].into());
            p.given_names = Some(GIVEN[i % GIVEN.len()].into());
            p.dob = Some(PartialDate::ymd(
                1940 + (i % 60) as u16,
                1 + (i % 12) as u8,
                1 + (i % 28) as u8,
            ));
            p.gender = Some(if i % 2 == 0 {
                Gender::Male
            } else {
                Gender::Female
            });
            p.nationality = Country::parse(["GBR", "USA", "DEU", "FRA"][i % 4]);
            p.documents = vec![TravelDocument {
                doc_type: Some("P".into()),
                number: format!("X{:08}", i * 7919),
                country: p.nationality,
                expiry: Some(PartialDate::ymd(2030, 6, 30)),
                issued: None,
            }];
            t
        })
        .collect();
    Manifest {
        flights: vec![Flight {
            carrier: Some("BA".into()),
            number: Some("117".into()),
            id: Some("BA117".into()),
            departure: FlightEndpoint {
                airport: Some("LHR".into()),
                time: Some("2025-06-01T10:30".into()),
            },
            arrival: FlightEndpoint {
                airport: Some("JFK".into()),
                time: Some("2025-06-01T13:25".into()),
            },
            ..Flight::default()
        }],
        travellers,
        ..Manifest::default()
    }
}

fn bench(c: &mut Criterion) {
    let text = render_paxlst(&manifest(400), &Separators::DEFAULT);
    let opts = ParseOptions::default();
    let count = |bytes: &[u8]| match &parse(bytes, &opts).unwrap()[0] {
        ParsedMessage::Paxlst { manifest, .. } => manifest.travellers.len(),
        _ => 0,
    };
    assert_eq!(count(text.as_bytes()), 400);
    let mut g = c.benchmark_group("paxlst");
    g.throughput(criterion::Throughput::Bytes(text.len() as u64));
    g.bench_function("parse_400_passengers", |b| {
        b.iter(|| {
            let n = count(black_box(text.as_bytes()));
            assert_eq!(n, 400);
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
