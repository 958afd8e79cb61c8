//! The pre-UN "US EDIFACT" PAXLST (`PAXLST:001:000:NZ`): one `PDT` segment per traveller.
//!
//! `PDT+<doc type>/<number>:<expiry YYMMDD>:<country>+SURNAME:GIVEN:MIDDLE:<DOB YYMMDD>:<sex>+PAX|CRW+ORIG:DEST'`
//! with the flight in `TDT++<flight>+<mode>+<carrier>`, `LOC+005`/`LOC+008` (departure/arrival,
//! UN/LOCODE) and `DTM+136`/`DTM+132` (date, time, zone). Reporting party in `CTA`.

use super::dates;
use super::error::ParseError;
use super::lexer::Segment;
use super::options::ParseOptions;
use super::un::{reference_date, split_flight_id};
use super::{MessageContext, seg_warning};
use crate::model::{
    Country, DocumentType, Flight, Gender, Manifest, ReportingParty, TravelDocument, Traveller,
    TravellerKind,
};

/// `NZAKL` (UN/LOCODE) → `AKL`; anything else as sent.
fn airport(code: &str) -> Option<String> {
    let c = code.trim();
    if c.is_empty() {
        return None;
    }
    if c.len() == 5 && c.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Some(c[2..].to_string());
    }
    Some(c.to_string())
}

pub fn parse_message(
    segs: &[Segment],
    ctx: &MessageContext,
    opts: &ParseOptions,
) -> Result<Manifest, ParseError> {
    let r = reference_date(segs, ctx, opts);
    let mut m = ctx.base_manifest();
    m.document_type = DocumentType::PassengerList;
    let mut warnings = Vec::new();
    for seg in segs {
        let q = seg.get(0, 0).trim();
        match seg.tag.as_str() {
            "CTA" => {
                m.reporting_party = Some(ReportingParty {
                    name: seg.opt(1, 1),
                    id: seg.opt(1, 0),
                })
            }
            "TDT" => {
                let id = seg.opt(1, 0);
                let (carrier, number) =
                    split_flight_id(id.as_deref().unwrap_or(""), seg.opt(3, 0).as_deref());
                m.flights.push(Flight {
                    carrier,
                    number,
                    id,
                    ..Flight::default()
                });
            }
            "LOC" | "DTM" => {
                if m.flights.is_empty() {
                    m.flights.push(Flight::default());
                }
                let f = m.flights.last_mut().expect("pushed");
                match (seg.tag.as_str(), q) {
                    ("LOC", "005") => f.departure.airport = airport(seg.get(1, 0)),
                    ("LOC", "008") => f.arrival.airport = airport(seg.get(1, 0)),
                    ("DTM", "136") | ("DTM", "132") => {
                        let raw = format!("{}{}", seg.get(1, 0).trim(), seg.get(2, 0).trim());
                        let t = dates::flight_time(&raw);
                        if t.is_none() {
                            warnings.push(seg_warning(seg, "flight date/time is not a valid date"));
                        }
                        if q == "136" {
                            f.departure.time = t;
                        } else {
                            f.arrival.time = t;
                        }
                    }
                    _ => {}
                }
            }
            "PDT" => {
                if m.travellers.len() >= opts.max_travellers {
                    return Err(ParseError::TooManyTravellers {
                        segment: seg.index,
                        offset: seg.offset,
                        limit: opts.max_travellers,
                    });
                }
                let mut t = Traveller {
                    segment: Some(seg.index),
                    kind: match seg.get(2, 0).trim() {
                        "CRW" | "CREW" | "CR" => TravellerKind::Crew,
                        _ => TravellerKind::Passenger,
                    },
                    ..Traveller::default()
                };
                let (doc_type, number) = match seg.get(0, 0).split_once('/') {
                    Some((ty, n)) => (ty.trim(), n.trim()),
                    None => ("", seg.get(0, 0).trim()),
                };
                if !number.is_empty() {
                    let expiry = seg.get(0, 1);
                    let d = TravelDocument {
                        doc_type: (!doc_type.is_empty()).then(|| doc_type.to_string()),
                        number: number.to_string(),
                        country: seg.opt(0, 2).and_then(|c| Country::parse(&c)),
                        expiry: dates::expiry_date(expiry, r),
                        issued: None,
                    };
                    if d.expiry.is_none() && !expiry.trim().is_empty() {
                        warnings.push(seg_warning(seg, "expiry date is not a valid date"));
                    }
                    t.passenger.documents.push(d);
                }
                t.passenger.surname = seg.opt(1, 0);
                let given: Vec<String> = [seg.opt(1, 1), seg.opt(1, 2)]
                    .into_iter()
                    .flatten()
                    .collect();
                t.passenger.given_names = (!given.is_empty()).then(|| given.join(" "));
                let dob = seg.get(1, 3);
                if !dob.trim().is_empty() {
                    match dates::birth_date(dob, r, opts.max_plausible_age) {
                        Some((d, amb)) => {
                            t.passenger.dob = Some(d);
                            t.passenger.dob_century_ambiguous = amb;
                        }
                        None => {
                            warnings.push(seg_warning(seg, "date of birth is not a valid date"))
                        }
                    }
                }
                t.passenger.gender = Gender::parse(seg.get(1, 4));
                t.embarkation = airport(seg.get(3, 0));
                t.debarkation = airport(seg.get(3, 1));
                if t.passenger.surname.is_none() && t.passenger.given_names.is_none() {
                    warnings.push(seg_warning(seg, "traveller has no name"));
                }
                m.travellers.push(t);
            }
            _ => {}
        }
    }
    for (i, t) in m.travellers.iter_mut().enumerate() {
        t.passenger.id = super::positional_id(i);
    }
    m.warnings.extend(warnings);
    Ok(m)
}
