//! Property: a manifest rendered to EDIFACT with any separators — and names, references and
//! document numbers full of service characters that must be released — parses back unchanged.

use paxscreen::model::{
    Country, Flight, FlightEndpoint, Gender, Manifest, PartialDate, TravelDocument, Traveller,
    TravellerKind,
};
use paxscreen::paxlst::{
    ParseOptions, ParsedMessage, Separators, parse, positional_id, render_paxlst,
};
use proptest::prelude::*;

/// Characters a separator may be: ASCII punctuation except `.` (decimal), `/` (name splitting)
/// and whitespace.
const POOL: &[u8] = b":+?'*$()-!#%&;<=>@[]^_{|}~\",";

fn separators() -> impl Strategy<Value = Separators> {
    (
        proptest::sample::subsequence(POOL.to_vec(), 5).prop_shuffle(),
        any::<bool>(),
    )
        .prop_map(|(chars, space_rep)| Separators {
            component: chars[0],
            element: chars[1],
            decimal: b'.',
            release: chars[2],
            repetition: if space_rep { b' ' } else { chars[3] },
            terminator: chars[4],
        })
}

/// Upper-case text with service characters, spaces and a non-ASCII letter inside, letters at the ends.
fn text() -> impl Strategy<Value = String> {
    "[A-Z][A-Z :+?'*$()!#%&;<=>@_|~\",É-]{0,12}[A-Z]"
}

fn date(years: std::ops::RangeInclusive<u16>) -> impl Strategy<Value = PartialDate> {
    (years, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| PartialDate::ymd(y, m, d))
}

fn traveller() -> impl Strategy<Value = Traveller> {
    (
        (text(), proptest::option::of(text())),
        proptest::option::of(date(1930..=1995)),
        proptest::option::of(prop_oneof![
            Just(Gender::Male),
            Just(Gender::Female),
            Just(Gender::Other)
        ]),
        proptest::option::of(prop_oneof![
            Just("GBR"),
            Just("USA"),
            Just("CHN"),
            Just("DEU")
        ]),
        proptest::collection::vec(
            (
                proptest::option::of(prop_oneof![Just("P"), Just("V"), Just("I"), Just("AC")]),
                "[A-Z0-9][A-Z0-9:+?'*-]{3,8}[A-Z0-9]",
                proptest::option::of(date(2025..=2060)),
            ),
            0..3,
        ),
        proptest::option::of("[A-Z0-9?'+:]{6}"),
        proptest::option::of("[A-Z0-9?'+:]{1,10}"),
        prop_oneof![
            Just(TravellerKind::Passenger),
            Just(TravellerKind::Crew),
            Just(TravellerKind::TransitPassenger),
            Just(TravellerKind::TransitCrew),
        ],
    )
        .prop_map(
            |((surname, given), dob, gender, nat, docs, pnr, abo, kind)| {
                let mut t = Traveller {
                    kind,
                    pnr,
                    passenger_ref: abo,
                    ..Traveller::default()
                };
                t.passenger.surname = Some(surname);
                t.passenger.given_names = given;
                t.passenger.dob = dob;
                t.passenger.gender = gender;
                t.passenger.nationality = nat.and_then(Country::parse);
                t.passenger.documents = docs
                    .into_iter()
                    .map(|(ty, number, expiry)| TravelDocument {
                        doc_type: ty.map(str::to_string),
                        number,
                        expiry,
                        ..TravelDocument::default()
                    })
                    .collect();
                t
            },
        )
}

fn manifest() -> impl Strategy<Value = Manifest> {
    (
        proptest::collection::vec(traveller(), 0..12),
        1u32..9999,
        (1u8..=12, 1u8..=28, 0u8..24, 0u8..60),
    )
        .prop_map(|(mut travellers, number, (mo, d, h, mi))| {
            for (i, t) in travellers.iter_mut().enumerate() {
                t.passenger.id = t.passenger_ref.clone().unwrap_or_else(|| positional_id(i));
            }
            Manifest {
                flights: vec![Flight {
                    carrier: Some("XX".into()),
                    number: Some(number.to_string()),
                    id: Some(format!("XX{number}")),
                    departure: FlightEndpoint {
                        airport: Some("LHR".into()),
                        time: Some(format!("2024-{mo:02}-{d:02}T{h:02}:{mi:02}")),
                    },
                    arrival: FlightEndpoint {
                        airport: Some("JFK".into()),
                        time: None,
                    },
                    ..Flight::default()
                }],
                travellers,
                ..Manifest::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rendered_manifests_parse_back_unchanged(m in manifest(), seps in separators()) {
        let text = render_paxlst(&m, &seps);
        let msgs = parse(text.as_bytes(), &ParseOptions::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(msgs.len(), 1);
        let ParsedMessage::Paxlst { manifest: got, .. } = &msgs[0] else {
            return Err(TestCaseError::fail("not a PAXLST"));
        };
        prop_assert!(got.warnings.is_empty(), "{:?}\n{}", got.warnings, text);
        prop_assert_eq!(&got.flights, &m.flights, "{}", text);
        let mut travellers = got.travellers.clone();
        for t in &mut travellers {
            t.segment = None;
        }
        prop_assert_eq!(travellers, m.travellers.clone(), "{}", text);
    }
}
