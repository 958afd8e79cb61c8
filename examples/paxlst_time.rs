//! Minimum-of-N timing of parsing a 400-passenger manifest (less sensitive to a busy machine
//! than a mean); `cargo run --release --example paxlst_time`.
use paxscreen::model::{Flight, FlightEndpoint, Manifest, PartialDate, TravelDocument, Traveller};
use paxscreen::paxlst::{ParseOptions, Separators, parse, render_paxlst};
use std::time::{Duration, Instant};

fn main() {
    let mut m = Manifest {
        flights: vec![Flight {
            id: Some("BA117".into()),
            departure: FlightEndpoint {
                airport: Some("LHR".into()),
                time: Some("2025-06-01T10:30".into()),
            },
            ..Flight::default()
        }],
        ..Manifest::default()
    };
    for i in 0..400 {
        let mut t = Traveller {
            pnr: Some(format!("PNR{i}")),
            passenger_ref: Some(format!("PAX{i:05}")),
            embarkation: Some("LHR".into()),
            debarkation: Some("JFK".into()),
            ..Traveller::default()
        };
        t.passenger.surname = Some("O'BRIEN".into());
        t.passenger.given_names = Some("JOHN DONALD".into());
        t.passenger.dob = Some(PartialDate::ymd(1970, 1, 1));
        t.passenger.nationality = paxscreen::model::Country::parse("GBR");
        t.passenger.documents = vec![TravelDocument {
            doc_type: Some("P".into()),
            number: format!("X{i:08}"),
            country: paxscreen::model::Country::parse("GBR"),
            expiry: Some(PartialDate::ymd(2030, 1, 1)),
            issued: None,
        }];
        m.travellers.push(t);
    }
    let text = render_paxlst(&m, &Separators::DEFAULT);
    let opts = ParseOptions::default();
    let mut best = Duration::MAX;
    for _ in 0..500 {
        let t = Instant::now();
        let r = parse(text.as_bytes(), &opts).unwrap();
        std::hint::black_box(&r);
        best = best.min(t.elapsed());
    }
    println!("{} bytes, best {:?}", text.len(), best);
}
