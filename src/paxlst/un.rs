//! UN/EDIFACT PAXLST (D.02B … D.21A, WCO/IATA/ICAO profile) → [`Manifest`].
//!
//! A qualifier-driven state machine rather than a strict group grammar: real feeds put optional
//! segments out of order, repeat flight blocks and omit groups. Flight-level LOC/DTM are read
//! until the first traveller NAD; DOC opens a document sub-group whose DTM 36/182 and LOC 91
//! belong to that document, while any other qualifier still belongs to the traveller.

use super::dates::{self, RefDate};
use super::error::ParseError;
use super::lexer::Segment;
use super::options::ParseOptions;
use super::{MessageContext, seg_warning};
use crate::model::{
    Country, DocumentPlace, DocumentType, Flight, Gender, Manifest, Reference, ReportingParty,
    TravelDocument, Traveller, TravellerKind,
};

/// BGM document code + identifier → meaning.
pub fn document_type(code: &str, id: &str) -> DocumentType {
    match (code.trim(), id.trim()) {
        ("745", "CP") => DocumentType::ChangePassenger,
        ("745", "XR") => DocumentType::CancelReservation,
        ("745", "RP") => DocumentType::ReductionInParty,
        ("745", _) => DocumentType::PassengerList,
        ("250", _) => DocumentType::CrewList,
        ("336", _) => DocumentType::MasterCrewList,
        ("266", _) => DocumentType::FlightStatus,
        ("655", _) => DocumentType::GatePass,
        _ => DocumentType::Other,
    }
}

/// Splits a flight id into carrier and number when TDT gives no carrier: `OK688` → (OK, 688).
pub fn split_flight_id(id: &str, carrier: Option<&str>) -> (Option<String>, Option<String>) {
    let id = id.trim();
    if let Some(c) = carrier.map(str::trim).filter(|c| !c.is_empty()) {
        let number = id.strip_prefix(c).filter(|n| !n.is_empty()).unwrap_or(id);
        return (
            Some(c.to_string()),
            (!number.is_empty()).then(|| number.to_string()),
        );
    }
    let b = id.as_bytes();
    let is_number = |s: &[u8]| {
        let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
        (1..=5).contains(&digits)
            && (digits == s.len() || (digits + 1 == s.len() && s[digits].is_ascii_alphabetic()))
    };
    for n in [2usize, 3] {
        if b.len() > n
            && b[..n].iter().all(|c| c.is_ascii_alphanumeric())
            && b[..n].iter().any(|c| c.is_ascii_alphabetic())
            && (n == 2 || b[..n].iter().all(|c| c.is_ascii_alphabetic()))
            && is_number(&b[n..])
        {
            return (Some(id[..n].to_string()), Some(id[n..].to_string()));
        }
    }
    (None, (!id.is_empty()).then(|| id.to_string()))
}

/// The date two-digit years resolve against: first flight date, else interchange date, else the
/// configured year.
pub fn reference_date(segs: &[Segment], ctx: &MessageContext, opts: &ParseOptions) -> RefDate {
    for s in segs {
        if s.tag == "DTM"
            && matches!(s.get(0, 0).trim(), "189" | "232" | "136" | "132")
            && let Some(t) =
                dates::flight_time(s.get(0, 1)).or_else(|| dates::flight_time(s.get(1, 0)))
            && let Some(r) = dates::ref_from_time(&t)
        {
            return r;
        }
    }
    if let Some(d) = ctx.interchange_date {
        return d;
    }
    RefDate {
        year: opts.fallback_year(),
        month: 12,
        day: 31,
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Group {
    Header,
    Party,
    Flight,
    Traveller,
    Document,
}

fn traveller_kind(q: &str) -> Option<TravellerKind> {
    Some(match q {
        "FL" => TravellerKind::Passenger,
        "FM" => TravellerKind::Crew,
        "DDU" => TravellerKind::TransitPassenger,
        "DDT" => TravellerKind::TransitCrew,
        "ZZZ" | "COT" => TravellerKind::Other,
        _ => return None,
    })
}

/// Reads a traveller name from NAD: `SURNAME:GIVEN[:MIDDLE…]` in C080 (element 3), falling back
/// to C058 (element 2); a single component holding `SURNAME/GIVEN` is split on the slash.
fn read_name(seg: &Segment) -> (Option<String>, Option<String>) {
    let mut e = 3;
    if seg.element(3).all(|c| c.trim().is_empty()) {
        e = 2;
    }
    let first = seg.get(e, 0).trim();
    let mut parts = seg.element(e).map(str::trim).filter(|c| !c.is_empty());
    if first.is_empty() {
        // No surname component: whatever is there is given names (or nothing).
        let given = parts.collect::<Vec<_>>().join(" ");
        return (None, (!given.is_empty()).then_some(given));
    }
    parts.next();
    let given = parts.collect::<Vec<_>>().join(" ");
    if given.is_empty()
        && let Some((s, g)) = first.split_once('/')
    {
        let (s, g) = (s.trim(), g.trim());
        return (
            (!s.is_empty()).then(|| s.to_string()),
            (!g.is_empty()).then(|| g.to_string()),
        );
    }
    (
        Some(first.to_string()),
        (!given.is_empty()).then_some(given),
    )
}

fn country(seg: &Segment, e: usize, warnings: &mut Vec<String>, what: &str) -> Option<Country> {
    let code = seg.get(e, 0).trim();
    if code.is_empty() {
        return None;
    }
    let c = Country::parse(code);
    if c.is_none() {
        warnings.push(seg_warning(seg, &format!("{what}: unknown country code")));
    }
    c
}

/// A location as text: the code, else the free-text place (`:::AMBER HILL GBR`).
fn place(seg: &Segment) -> Option<String> {
    seg.opt(1, 3).or_else(|| seg.opt(1, 0))
}

/// Parses one UNH..UNT PAXLST message.
pub fn parse_message(
    segs: &[Segment],
    ctx: &MessageContext,
    opts: &ParseOptions,
) -> Result<Manifest, ParseError> {
    let r = reference_date(segs, ctx, opts);
    let mut m = ctx.base_manifest();
    let mut warnings = Vec::new();
    let mut group = Group::Header;
    let mut cur: Option<Traveller> = None;
    let mut cur_doc: Option<usize> = None;
    let mut travellers: Vec<Traveller> = Vec::new();

    let finish = |t: Traveller, travellers: &mut Vec<Traveller>, warnings: &mut Vec<String>| {
        let p = &t.passenger;
        if p.surname.is_none()
            && p.given_names.is_none()
            && p.name.is_none()
            && t.passenger_ref.is_none()
        {
            warnings.push(format!(
                "segment {}: traveller {} has no name",
                t.segment.unwrap_or(0),
                travellers.len() + 1
            ));
        }
        travellers.push(t);
    };

    for seg in segs {
        let q = seg.get(0, 0).trim();
        match seg.tag.as_str() {
            "UNH" | "UNT" => {}
            "BGM" => {
                m.document_code = seg.opt(0, 0);
                m.document_id = seg.opt(1, 0);
                m.document_type = document_type(seg.get(0, 0), seg.get(1, 0));
            }
            "RFF" if group == Group::Header || group == Group::Party => {
                if seg.get(0, 0).trim() == "TN" {
                    m.transaction_ref = seg.opt(0, 1);
                }
            }
            "NAD" if q == "MS" => {
                group = Group::Party;
                let (s, g) = read_name(seg);
                let name = match (s, g) {
                    (Some(s), Some(g)) => Some(format!("{s} {g}")),
                    (s, g) => s.or(g),
                };
                m.reporting_party = Some(ReportingParty {
                    name,
                    id: seg.opt(1, 0),
                });
            }
            "NAD" => {
                if let Some(t) = cur.take() {
                    finish(t, &mut travellers, &mut warnings);
                }
                if travellers.len() >= opts.max_travellers {
                    return Err(ParseError::TooManyTravellers {
                        segment: seg.index,
                        offset: seg.offset,
                        limit: opts.max_travellers,
                    });
                }
                let kind = traveller_kind(q).unwrap_or_else(|| {
                    warnings.push(seg_warning(
                        seg,
                        "unknown traveller qualifier, kept as other",
                    ));
                    TravellerKind::Other
                });
                let (surname, given_names) = read_name(seg);
                let mut t = Traveller {
                    kind,
                    segment: Some(seg.index),
                    ..Traveller::default()
                };
                t.passenger.surname = surname;
                t.passenger.given_names = given_names;
                cur = Some(t);
                cur_doc = None;
                group = Group::Traveller;
            }
            "TDT" => {
                let id = seg.opt(1, 0);
                let (carrier, number) =
                    split_flight_id(id.as_deref().unwrap_or(""), seg.opt(4, 0).as_deref());
                m.flights.push(Flight {
                    carrier,
                    number,
                    id,
                    overflight: q == "34",
                    ..Flight::default()
                });
                if group != Group::Traveller && group != Group::Document {
                    group = Group::Flight;
                } else {
                    warnings.push(seg_warning(seg, "flight segment after travellers"));
                }
            }
            "LOC" | "DTM"
                if group == Group::Flight || group == Group::Header || group == Group::Party =>
            {
                flight_segment(seg, &mut m.flights, &mut warnings);
            }
            "CNT" => {
                let mut value = seg.get(0, 1).trim();
                if value.is_empty() && !seg.get(1, 0).trim().is_empty() {
                    value = seg.get(1, 0).trim();
                    warnings.push(seg_warning(seg, "count sent as a separate element"));
                }
                match value.parse::<u32>() {
                    Ok(n) => match q {
                        "42" => m.totals.passengers = Some(n),
                        "41" => m.totals.crew = Some(n),
                        _ => warnings.push(seg_warning(seg, "unknown count qualifier")),
                    },
                    Err(_) => warnings.push(seg_warning(seg, "count is not a number")),
                }
            }
            _ => {
                if let Some(t) = cur.as_mut() {
                    traveller_segment(seg, t, &mut cur_doc, &mut group, r, opts, &mut warnings);
                }
            }
        }
    }
    if let Some(t) = cur.take() {
        finish(t, &mut travellers, &mut warnings);
    }
    for (i, t) in travellers.iter_mut().enumerate() {
        t.passenger.id = t
            .passenger_ref
            .clone()
            .unwrap_or_else(|| super::positional_id(i));
    }
    m.travellers = travellers;
    m.warnings.extend(warnings);
    Ok(m)
}

fn flight_segment(seg: &Segment, flights: &mut Vec<Flight>, warnings: &mut Vec<String>) {
    let q = seg.get(0, 0).trim();
    if flights.is_empty() {
        flights.push(Flight::default());
    }
    let new_leg = |flights: &mut Vec<Flight>| {
        let last = flights.last().cloned().unwrap_or_default();
        flights.push(Flight {
            carrier: last.carrier,
            number: last.number,
            id: last.id,
            overflight: last.overflight,
            ..Flight::default()
        });
    };
    if seg.tag == "LOC" {
        let code = seg.opt(1, 0).or_else(|| seg.opt(1, 3));
        let f = flights.last_mut().expect("pushed above");
        match q {
            "125" | "92" | "22" | "178" => {
                if q == "22" && f.departure.airport.is_some() {
                    return;
                }
                if f.departure.airport.is_none() {
                    f.departure.airport = code;
                } else if q == "92" && f.arrival.airport.is_none() {
                    f.arrival.airport = code;
                } else {
                    new_leg(flights);
                    flights.last_mut().expect("pushed").departure.airport = code;
                }
            }
            "87" | "179" => {
                if f.arrival.airport.is_some() {
                    new_leg(flights);
                }
                flights.last_mut().expect("pushed").arrival.airport = code;
            }
            "130" => f.final_destination = code,
            // Master crew list: filing (188) and reporting (172) locations.
            "188" | "172" => {}
            _ => warnings.push(seg_warning(seg, "unknown flight location qualifier")),
        }
    } else {
        let f = flights.last_mut().expect("pushed above");
        let raw = seg.get(0, 1);
        if raw.trim().is_empty() {
            return;
        }
        let t = dates::flight_time(raw);
        if t.is_none() {
            warnings.push(seg_warning(seg, "flight date/time is not a valid date"));
        }
        match q {
            "189" => f.departure.time = t,
            "232" => f.arrival.time = t,
            "554" => {}
            _ => warnings.push(seg_warning(seg, "unknown flight date qualifier")),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn traveller_segment(
    seg: &Segment,
    t: &mut Traveller,
    cur_doc: &mut Option<usize>,
    group: &mut Group,
    r: RefDate,
    opts: &ParseOptions,
    warnings: &mut Vec<String>,
) {
    let q = seg.get(0, 0).trim();
    match seg.tag.as_str() {
        "ATT" => {
            let g = seg.get(2, 0).trim();
            if !g.is_empty() {
                t.passenger.gender = match g {
                    "M" => Some(Gender::Male),
                    "F" => Some(Gender::Female),
                    _ => Gender::parse(g),
                };
                if t.passenger.gender.is_none() {
                    warnings.push(seg_warning(seg, "unknown gender code"));
                }
            }
        }
        "DTM" => {
            let raw = seg.get(0, 1);
            if raw.trim().is_empty() {
                return;
            }
            match q {
                "329" => match dates::birth_date(raw, r, opts.max_plausible_age) {
                    Some((d, amb)) => {
                        t.passenger.dob = Some(d);
                        t.passenger.dob_century_ambiguous = amb;
                    }
                    None => warnings.push(seg_warning(seg, "date of birth is not a valid date")),
                },
                "36" | "182" => {
                    // Inside a document group the date belongs to that document (none after an
                    // empty DOC); a stray date before any DOC goes to the last document.
                    let target = if *group == Group::Document {
                        *cur_doc
                    } else {
                        t.passenger.documents.len().checked_sub(1)
                    };
                    let Some(i) = target else {
                        if *group != Group::Document {
                            warnings.push(seg_warning(seg, "document date without a document"));
                        }
                        return;
                    };
                    let doc = &mut t.passenger.documents[i];
                    if q == "36" {
                        match dates::expiry_date(raw, r) {
                            Some(d) => {
                                if doc.expiry.is_some_and(|e| e != d) {
                                    warnings.push(seg_warning(
                                        seg,
                                        "second expiry date for one document",
                                    ));
                                }
                                doc.expiry = Some(d);
                            }
                            None => {
                                warnings.push(seg_warning(seg, "expiry date is not a valid date"))
                            }
                        }
                    } else {
                        match dates::issue_date(raw, r) {
                            Some(d) => doc.issued = Some(d),
                            None => {
                                warnings.push(seg_warning(seg, "issue date is not a valid date"))
                            }
                        }
                    }
                    if let (Some(e), Some(i)) = (doc.expiry, doc.issued)
                        && e < i
                    {
                        warnings.push(seg_warning(seg, "document expires before it was issued"));
                    }
                }
                _ => {}
            }
        }
        "NAT" => {
            if let Some(c) = country(seg, 1, warnings, "nationality") {
                t.passenger.nationality = Some(c);
            }
        }
        "LOC" => match q {
            "91" => {
                let Some(i) = *cur_doc else {
                    if seg.opt(1, 0).is_some() || seg.opt(1, 3).is_some() {
                        warnings.push(seg_warning(seg, "issuing place without a document"));
                    }
                    return;
                };
                let code = seg.get(1, 0).trim();
                if !code.is_empty() {
                    t.passenger.documents[i].country = country(seg, 1, warnings, "issuing country");
                }
                if let Some(p) = seg.opt(1, 3) {
                    if code.is_empty()
                        && let Some(c) = Country::parse(&p)
                    {
                        t.passenger.documents[i].country = Some(c);
                    }
                    t.document_places.push(DocumentPlace {
                        document: i,
                        place: p,
                    });
                }
            }
            "22" => t.clearance = place(seg),
            "174" => t.residence = country(seg, 1, warnings, "residence"),
            "178" => t.embarkation = place(seg),
            "179" => t.debarkation = place(seg),
            "180" => t.place_of_birth = place(seg),
            _ => {}
        },
        "RFF" => {
            let v = seg.opt(0, 1);
            match q {
                "AVF" => t.pnr = v,
                "ABO" => t.passenger_ref = v,
                "SEA" => t.seat = v,
                _ => {
                    if let Some(value) = v {
                        t.references.push(Reference {
                            qualifier: q.to_string(),
                            value,
                        });
                    }
                }
            }
        }
        "GEI" => match seg.get(1, 0).trim() {
            "173" => t.verified = Some(true),
            "174" => t.verified = Some(false),
            _ => {}
        },
        "EMP" => t.crew_category = seg.opt(1, 0),
        "DOC" => {
            let doc_type = seg.opt(0, 0);
            let number = seg.get(1, 0).trim();
            *group = Group::Document;
            if number.is_empty() {
                *cur_doc = None;
                if doc_type.is_some() {
                    warnings.push(seg_warning(seg, "document without a number ignored"));
                }
                return;
            }
            t.passenger.documents.push(TravelDocument {
                doc_type,
                number: number.to_string(),
                ..TravelDocument::default()
            });
            *cur_doc = Some(t.passenger.documents.len() - 1);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flight_ids_split() {
        assert_eq!(
            split_flight_id("OK688", None),
            (Some("OK".into()), Some("688".into()))
        );
        assert_eq!(
            split_flight_id("ZZ123", Some("ZZ")),
            (Some("ZZ".into()), Some("123".into()))
        );
        assert_eq!(
            split_flight_id("ZX877", Some("XZ")),
            (Some("XZ".into()), Some("ZX877".into()))
        );
        assert_eq!(
            split_flight_id("U21234", None),
            (Some("U2".into()), Some("1234".into()))
        );
        assert_eq!(
            split_flight_id("SK01MCL", None),
            (None, Some("SK01MCL".into()))
        );
    }

    #[test]
    fn bgm_meanings() {
        assert_eq!(document_type("745", "CP"), DocumentType::ChangePassenger);
        assert_eq!(document_type("745", "XR"), DocumentType::CancelReservation);
        assert_eq!(document_type("745", "RP"), DocumentType::ReductionInParty);
        assert_eq!(document_type("250", "C"), DocumentType::CrewList);
        assert_eq!(document_type("266", "CLOB"), DocumentType::FlightStatus);
        assert_eq!(document_type("336", "G"), DocumentType::MasterCrewList);
        assert_eq!(document_type("999", ""), DocumentType::Other);
    }
}

#[cfg(test)]
mod group_tests {
    use crate::paxlst::{ParseOptions, ParsedMessage, parse};

    fn travellers(text: &str) -> Vec<crate::model::Traveller> {
        match parse(text.as_bytes(), &ParseOptions::default())
            .unwrap()
            .remove(0)
        {
            ParsedMessage::Paxlst { manifest, .. } => manifest.travellers,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dates_after_an_empty_doc_do_not_overwrite_the_previous_document() {
        let t = travellers(
            "UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++A:B'DOC++448763368'DTM+36:300101'DOC++'DTM+36:310101'LOC+91+'UNT+8+1'",
        );
        let d = &t[0].passenger.documents;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].doc_type, None);
        assert_eq!(d[0].expiry.unwrap().to_string(), "2030-01-01");
    }

    #[test]
    fn issuing_place_and_two_documents() {
        let t = travellers(
            "UNH+1+PAXLST:D:05B:UN:IATA'DTM+189:1905141910:201'NAD+FL+++ALI YY\u{c9}'DOC+P+1'LOC+91+GBR:::LONDON'DOC+V+2'LOC+91+UGA'DTM+36:101024'DTM+182:151231'UNT+9+1'",
        );
        let p = &t[0].passenger;
        assert_eq!(p.surname.as_deref(), Some("ALI YY\u{c9}"));
        assert_eq!(p.given_names, None);
        assert_eq!(p.documents[0].country.unwrap().alpha3(), "GBR");
        assert_eq!(t[0].document_places[0].place, "LONDON");
        assert_eq!(p.documents[1].country.unwrap().alpha3(), "UGA");
        assert_eq!(p.documents[1].expiry.unwrap().to_string(), "2010-10-24");
    }

    #[test]
    fn stuffed_and_slashed_names() {
        let t = travellers(
            "UNH+1+PAXLST'NAD+FL+++WILLIAMS:JOHN DONALD'NAD+FL+++SMITH/JANE'NAD+FL+++BETTON:DAVID:'NAD+FL++DOE:JOHN'UNT+6+1'",
        );
        let n: Vec<_> = t
            .iter()
            .map(|t| {
                (
                    t.passenger.surname.clone().unwrap(),
                    t.passenger.given_names.clone().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            n,
            [
                ("WILLIAMS".into(), "JOHN DONALD".into()),
                ("SMITH".into(), "JANE".into()),
                ("BETTON".into(), "DAVID".into()),
                ("DOE".into(), "JOHN".into()),
            ]
        );
    }
}
