//! Conversions between the protobuf messages of `paxscreen.v1` and the crate's model.
//!
//! Requests → model: strict. Every field that cannot be read is a violation naming the field
//! (`manifest.travellers[3].dob`), never quoting the value; an empty string is an absent field.
//! Model → responses: total (every model value has a protobuf form).

use super::errors::Violations;
use super::pb;
use crate::alerts::{self, Alert, AlertFilter, FlightRef, Source, TravellerRef};
use crate::engine::{Decision, Stats, TravellerResult};
use crate::model::{
    Country, DateSpec, EntityType, EntryName, Flight, FlightEndpoint, Gender, Manifest, NameKind,
    PartialDate, Passenger, Severity, TravelDocument, Traveller, TravellerKind, WatchlistEntry,
};
use crate::paxlst::positional_id;
use crate::screen::fields::{DobVerdict, DocVerdict, GenderVerdict, NationalityVerdict};
use crate::screen::{Explanation, Match, NameExplanation};
use crate::watchlist::{ListFormat, LoadSummary};
use chrono::{DateTime, Utc};

// ---- small helpers ----

/// `""` (or blanks) → `None`.
fn opt(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

fn text(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

// Field paths (`manifest.travellers[3].dob`) are built by closures, only when a field is wrong:
// formatting them for every field of every traveller cost more than reading the fields.

fn date(v: &mut Violations, s: &str, field: impl FnOnce() -> String) -> Option<PartialDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(d) => Some(d),
        Err(e) => {
            v.add(field(), e.to_string());
            None
        }
    }
}

fn country(v: &mut Violations, s: &str, field: impl FnOnce() -> String) -> Option<Country> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let c = Country::parse(s);
    if c.is_none() {
        v.add(field(), "unknown country code or name");
    }
    c
}

fn gender(v: &mut Violations, g: i32, field: impl FnOnce() -> String) -> Option<Gender> {
    match pb::Gender::try_from(g) {
        Ok(pb::Gender::Unspecified) => None,
        Ok(pb::Gender::Male) => Some(Gender::Male),
        Ok(pb::Gender::Female) => Some(Gender::Female),
        Ok(pb::Gender::Other) => Some(Gender::Other),
        Err(_) => {
            v.add(field(), "unknown Gender value");
            None
        }
    }
}

fn gender_pb(g: Option<Gender>) -> i32 {
    (match g {
        None => pb::Gender::Unspecified,
        Some(Gender::Male) => pb::Gender::Male,
        Some(Gender::Female) => pb::Gender::Female,
        Some(Gender::Other) => pb::Gender::Other,
    }) as i32
}

fn kind(v: &mut Violations, k: i32, field: impl FnOnce() -> String) -> TravellerKind {
    match pb::TravellerKind::try_from(k) {
        Ok(pb::TravellerKind::Unspecified | pb::TravellerKind::Passenger) => {
            TravellerKind::Passenger
        }
        Ok(pb::TravellerKind::Crew) => TravellerKind::Crew,
        Ok(pb::TravellerKind::TransitPassenger) => TravellerKind::TransitPassenger,
        Ok(pb::TravellerKind::TransitCrew) => TravellerKind::TransitCrew,
        Ok(pb::TravellerKind::Other) => TravellerKind::Other,
        Err(_) => {
            v.add(field(), "unknown TravellerKind value");
            TravellerKind::Passenger
        }
    }
}

fn kind_pb(k: TravellerKind) -> i32 {
    (match k {
        TravellerKind::Passenger => pb::TravellerKind::Passenger,
        TravellerKind::Crew => pb::TravellerKind::Crew,
        TravellerKind::TransitPassenger => pb::TravellerKind::TransitPassenger,
        TravellerKind::TransitCrew => pb::TravellerKind::TransitCrew,
        TravellerKind::Other => pb::TravellerKind::Other,
    }) as i32
}

pub fn severity_pb(s: Severity) -> i32 {
    (match s {
        Severity::Low => pb::Severity::Low,
        Severity::Medium => pb::Severity::Medium,
        Severity::High => pb::Severity::High,
        Severity::Critical => pb::Severity::Critical,
    }) as i32
}

/// `None` for unspecified.
fn severity(v: &mut Violations, s: i32, field: impl FnOnce() -> String) -> Option<Severity> {
    match pb::Severity::try_from(s) {
        Ok(pb::Severity::Unspecified) => None,
        Ok(pb::Severity::Low) => Some(Severity::Low),
        Ok(pb::Severity::Medium) => Some(Severity::Medium),
        Ok(pb::Severity::High) => Some(Severity::High),
        Ok(pb::Severity::Critical) => Some(Severity::Critical),
        Err(_) => {
            v.add(field(), "unknown Severity value");
            None
        }
    }
}

pub fn decision_pb(d: Decision) -> pb::Decision {
    match d {
        Decision::Board => pb::Decision::Board,
        Decision::NoBoard => pb::Decision::NoBoard,
        Decision::Refer => pb::Decision::Refer,
    }
}

pub fn timestamp(t: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: t.timestamp_subsec_nanos() as i32,
    }
}

pub fn from_timestamp(
    v: &mut Violations,
    field: &str,
    t: &prost_types::Timestamp,
) -> Option<DateTime<Utc>> {
    let r = u32::try_from(t.nanos)
        .ok()
        .and_then(|n| DateTime::from_timestamp(t.seconds, n));
    if r.is_none() {
        v.add(field, "not a valid timestamp");
    }
    r
}

// ---- requests → model ----

/// Document `i` of the entity at `field()`.
fn document(
    v: &mut Violations,
    field: &dyn Fn() -> String,
    i: usize,
    d: pb::TravelDocument,
) -> Option<TravelDocument> {
    let at = |name: &str| format!("{}.documents[{i}].{name}", field());
    if d.number.trim().is_empty() {
        v.add(at("number"), "empty");
        return None;
    }
    Some(TravelDocument {
        doc_type: opt(d.r#type),
        country: country(v, &d.country, || at("country")),
        expiry: date(v, &d.expiry, || at("expiry")),
        issued: date(v, &d.issued, || at("issued")),
        number: d.number,
    })
}

/// A traveller at position `index`; `field()` is its path in the request.
pub fn traveller(
    v: &mut Violations,
    index: usize,
    t: pb::Traveller,
    field: &dyn Fn() -> String,
) -> Traveller {
    let has_name = [&t.surname, &t.given_names, &t.name]
        .iter()
        .any(|s| !s.trim().is_empty());
    if !has_name {
        v.add(
            field(),
            "traveller has no name (surname, given_names or name)",
        );
    }
    let passenger_ref = opt(t.passenger_ref);
    // as for PAXLST: the caller's id, else the unique passenger reference, else the position
    let id = opt(t.id)
        .or_else(|| passenger_ref.clone())
        .unwrap_or_else(|| positional_id(index));
    let documents = t
        .documents
        .into_iter()
        .enumerate()
        .filter_map(|(i, d)| document(v, field, i, d))
        .collect();
    let at = |name: &str| format!("{}.{name}", field());
    Traveller {
        kind: kind(v, t.kind, || at("kind")),
        passenger: Passenger {
            id,
            surname: opt(t.surname),
            given_names: opt(t.given_names),
            name: opt(t.name),
            dob: date(v, &t.dob, || at("dob")),
            dob_century_ambiguous: t.dob_century_ambiguous,
            gender: gender(v, t.gender, || at("gender")),
            nationality: country(v, &t.nationality, || at("nationality")),
            documents,
        },
        pnr: opt(t.pnr),
        passenger_ref,
        seat: opt(t.seat),
        residence: country(v, &t.residence, || at("residence")),
        place_of_birth: opt(t.place_of_birth),
        embarkation: opt(t.embarkation),
        debarkation: opt(t.debarkation),
        ..Traveller::default()
    }
}

pub fn flight(f: pb::Flight) -> Flight {
    Flight {
        carrier: opt(f.carrier),
        number: opt(f.number),
        id: opt(f.id),
        departure: FlightEndpoint {
            airport: opt(f.departure_airport),
            time: opt(f.departure_time),
        },
        arrival: FlightEndpoint {
            airport: opt(f.arrival_airport),
            time: opt(f.arrival_time),
        },
        ..Flight::default()
    }
}

/// A structured manifest; `field` is its path in the request (`manifest`).
pub fn manifest(v: &mut Violations, field: &str, m: pb::Manifest) -> Manifest {
    Manifest {
        message_ref: opt(m.message_ref),
        interchange_ref: opt(m.interchange_ref),
        sender: opt(m.sender),
        recipient: opt(m.recipient),
        transaction_ref: opt(m.transaction_ref),
        flights: m.flights.into_iter().map(flight).collect(),
        travellers: m
            .travellers
            .into_iter()
            .enumerate()
            .map(|(i, t)| traveller(v, i, t, &|| format!("{field}.travellers[{i}]")))
            .collect(),
        ..Manifest::default()
    }
}

/// The rule `Engine::load_list` applies to list names, checked up front for upserts.
pub fn valid_list_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

pub fn entry(v: &mut Violations, field: &str, e: pb::WatchlistEntry) -> WatchlistEntry {
    if e.id.trim().is_empty() {
        v.add(format!("{field}.id"), "empty");
    }
    if !valid_list_name(&e.list) {
        v.add(
            format!("{field}.list"),
            "list name must be 1-64 characters of [A-Za-z0-9_.-]",
        );
    }
    let names: Vec<EntryName> = e
        .names
        .into_iter()
        .enumerate()
        .filter_map(|(i, n)| {
            if n.full.trim().is_empty() {
                v.add(format!("{field}.names[{i}].full"), "empty");
                return None;
            }
            let kind = match pb::NameKind::try_from(n.kind) {
                Ok(pb::NameKind::Unspecified | pb::NameKind::Primary) => NameKind::Primary,
                Ok(pb::NameKind::Alias) => NameKind::Alias,
                Ok(pb::NameKind::WeakAlias) => NameKind::WeakAlias,
                Ok(pb::NameKind::FormerName) => NameKind::FormerName,
                Ok(pb::NameKind::OriginalScript) => NameKind::OriginalScript,
                Err(_) => {
                    v.add(format!("{field}.names[{i}].kind"), "unknown NameKind value");
                    NameKind::Primary
                }
            };
            Some(EntryName { full: n.full, kind })
        })
        .collect();
    if names.is_empty() {
        v.add(format!("{field}.names"), "an entry needs at least one name");
    }
    let dobs = e
        .dobs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| match d.parse::<DateSpec>() {
            Ok(d) => Some(d),
            Err(err) => {
                v.add(format!("{field}.dobs[{i}]"), err.to_string());
                None
            }
        })
        .collect();
    let nationalities = e
        .nationalities
        .iter()
        .enumerate()
        .filter_map(|(i, c)| country(v, c, || format!("{field}.nationalities[{i}]")))
        .collect();
    let documents = e
        .documents
        .into_iter()
        .enumerate()
        .filter_map(|(i, d)| document(v, &|| field.to_string(), i, d))
        .collect();
    let entity_type = match pb::EntityType::try_from(e.entity_type) {
        Ok(pb::EntityType::Unspecified | pb::EntityType::Individual) => EntityType::Individual,
        Ok(pb::EntityType::Organisation) => EntityType::Organisation,
        Ok(pb::EntityType::Vessel) => EntityType::Vessel,
        Ok(pb::EntityType::Aircraft) => EntityType::Aircraft,
        Err(_) => {
            v.add(format!("{field}.entity_type"), "unknown EntityType value");
            EntityType::Individual
        }
    };
    WatchlistEntry {
        severity: severity(v, e.severity, || format!("{field}.severity")).unwrap_or_default(),
        gender: gender(v, e.gender, || format!("{field}.gender")),
        id: e.id,
        list: e.list,
        entity_type,
        names,
        dobs,
        places_of_birth: e.places_of_birth.into_iter().filter_map(opt).collect(),
        nationalities,
        documents,
    }
}

pub fn alert_filter(v: &mut Violations, field: &str, f: Option<pb::AlertFilter>) -> AlertFilter {
    let f = f.unwrap_or_default();
    if !(f.min_score.is_finite() && (0.0..=1.0).contains(&f.min_score)) {
        v.add(format!("{field}.min_score"), "must be in [0, 1]");
    }
    AlertFilter {
        lists: f.lists.into_iter().filter_map(opt).collect(),
        min_severity: severity(v, f.min_severity, || format!("{field}.min_severity")),
        flight: opt(f.flight),
        airport: opt(f.airport),
        min_score: (f.min_score > 0.0).then_some(f.min_score),
        since: None,
        include_suppressed: f.include_suppressed,
    }
}

pub fn list_format(v: &mut Violations, field: &str, f: i32) -> Option<ListFormat> {
    match pb::ListFormat::try_from(f) {
        Ok(pb::ListFormat::Unspecified) => None,
        Ok(pb::ListFormat::UnXml) => Some(ListFormat::UnXml),
        Ok(pb::ListFormat::OfacCsv) => Some(ListFormat::OfacCsv),
        Ok(pb::ListFormat::Ndjson) => Some(ListFormat::Ndjson),
        Err(_) => {
            v.add(field, "unknown ListFormat value");
            None
        }
    }
}

// ---- model → responses ----

fn name_kind_pb(k: NameKind) -> i32 {
    (match k {
        NameKind::Primary => pb::NameKind::Primary,
        NameKind::Alias => pb::NameKind::Alias,
        NameKind::WeakAlias => pb::NameKind::WeakAlias,
        NameKind::FormerName => pb::NameKind::FormerName,
        NameKind::OriginalScript => pb::NameKind::OriginalScript,
    }) as i32
}

/// Scores as the JSON forms round them (three decimals), so both APIs agree.
fn round3(x: f32) -> f32 {
    ((x as f64 * 1000.0).round() / 1000.0) as f32
}

fn name_explanation(n: &NameExplanation) -> pb::NameExplanation {
    pb::NameExplanation {
        entry_name: n.entry_name.clone(),
        entry_name_kind: name_kind_pb(n.entry_name_kind),
        score: round3(n.score),
        aligned: n
            .aligned
            .iter()
            .map(|a| pb::AlignedParts {
                query: a.query.clone(),
                entry: a.entry.clone(),
                score: round3(a.score),
            })
            .collect(),
        unmatched_query: n.unmatched_query.clone(),
        unmatched_entry: n.unmatched_entry.clone(),
        common_parts_only: n.common_parts_only,
    }
}

pub fn explanation(e: &Explanation) -> pb::Explanation {
    let dob = match e.dob {
        DobVerdict::Exact => pb::DobVerdict::Exact,
        DobVerdict::MonthMatch => pb::DobVerdict::MonthMatch,
        DobVerdict::YearMatch => pb::DobVerdict::YearMatch,
        DobVerdict::DayMonthSwapped => pb::DobVerdict::DayMonthSwapped,
        DobVerdict::Near => pb::DobVerdict::Near,
        DobVerdict::SameYearDifferentDay => pb::DobVerdict::SameYearDifferentDay,
        DobVerdict::Mismatch => pb::DobVerdict::Mismatch,
        DobVerdict::Unknown => pb::DobVerdict::Unknown,
    };
    let document = match e.document {
        DocVerdict::Exact => pb::DocumentVerdict::Exact,
        DocVerdict::Similar => pb::DocumentVerdict::Similar,
        DocVerdict::Conflict => pb::DocumentVerdict::Conflict,
        DocVerdict::Unknown => pb::DocumentVerdict::Unknown,
    };
    let nationality = match e.nationality {
        NationalityVerdict::Match => pb::FieldVerdict::Match,
        NationalityVerdict::Mismatch => pb::FieldVerdict::Mismatch,
        NationalityVerdict::Unknown => pb::FieldVerdict::Unknown,
    };
    let gender = match e.gender {
        GenderVerdict::Match => pb::FieldVerdict::Match,
        GenderVerdict::Mismatch => pb::FieldVerdict::Mismatch,
        GenderVerdict::Unknown => pb::FieldVerdict::Unknown,
    };
    pb::Explanation {
        name: Some(name_explanation(&e.name)),
        dob: dob as i32,
        document: document as i32,
        nationality: nationality as i32,
        gender: gender as i32,
        rule: e.rule.as_deref().unwrap_or_default().to_string(),
    }
}

pub fn match_pb(m: &Match) -> pb::Match {
    pb::Match {
        entry_id: m.entry_id.clone(),
        list: m.list.clone(),
        severity: severity_pb(m.severity),
        score: round3(m.score),
        explanation: Some(explanation(&m.explanation)),
    }
}

pub fn traveller_result(r: &TravellerResult) -> pb::TravellerResult {
    pb::TravellerResult {
        index: r.index as u32,
        traveller_id: r.traveller_id.clone(),
        decision: decision_pb(r.decision) as i32,
        matches: r.matches.iter().map(match_pb).collect(),
    }
}

/// A model traveller as a client sends it (load generator, tests).
pub fn traveller_pb(t: &Traveller) -> pb::Traveller {
    let p = &t.passenger;
    pb::Traveller {
        id: p.id.clone(),
        surname: text(&p.surname),
        given_names: text(&p.given_names),
        name: text(&p.name),
        dob: p.dob.map(|d| d.to_string()).unwrap_or_default(),
        dob_century_ambiguous: p.dob_century_ambiguous,
        gender: gender_pb(p.gender),
        nationality: p
            .nationality
            .map(|c| c.alpha3().to_string())
            .unwrap_or_default(),
        documents: p
            .documents
            .iter()
            .map(|d| pb::TravelDocument {
                r#type: text(&d.doc_type),
                number: d.number.clone(),
                country: d
                    .country
                    .map(|c| c.alpha3().to_string())
                    .unwrap_or_default(),
                expiry: d.expiry.map(|x| x.to_string()).unwrap_or_default(),
                issued: d.issued.map(|x| x.to_string()).unwrap_or_default(),
            })
            .collect(),
        kind: kind_pb(t.kind),
        pnr: text(&t.pnr),
        passenger_ref: text(&t.passenger_ref),
        seat: text(&t.seat),
        residence: t
            .residence
            .map(|c| c.alpha3().to_string())
            .unwrap_or_default(),
        place_of_birth: text(&t.place_of_birth),
        embarkation: text(&t.embarkation),
        debarkation: text(&t.debarkation),
    }
}

pub fn flight_pb(f: &Flight) -> pb::Flight {
    pb::Flight {
        carrier: text(&f.carrier),
        number: text(&f.number),
        id: text(&f.id),
        departure_airport: text(&f.departure.airport),
        departure_time: text(&f.departure.time),
        arrival_airport: text(&f.arrival.airport),
        arrival_time: text(&f.arrival.time),
    }
}

fn flight_ref_pb(f: &FlightRef) -> pb::Flight {
    pb::Flight {
        carrier: text(&f.carrier),
        number: text(&f.number),
        id: text(&f.id),
        departure_airport: text(&f.departure_airport),
        departure_time: text(&f.departure_time),
        arrival_airport: text(&f.arrival_airport),
        arrival_time: text(&f.arrival_time),
    }
}

fn traveller_ref_pb(t: &TravellerRef) -> pb::AlertTraveller {
    pb::AlertTraveller {
        index: t.index,
        id: t.id.clone(),
        kind: kind_pb(t.kind),
        name: t.name.clone(),
        surname: text(&t.surname),
        given_names: text(&t.given_names),
        dob: text(&t.dob),
        gender: gender_pb(t.gender.as_deref().and_then(Gender::parse)),
        nationality: text(&t.nationality),
        documents: t
            .documents
            .iter()
            .map(|d| pb::TravelDocument {
                r#type: text(&d.doc_type),
                number: d.number.clone(),
                country: text(&d.country),
                ..Default::default()
            })
            .collect(),
        pnr: text(&t.pnr),
        seat: text(&t.seat),
    }
}

fn source_pb(s: &Source) -> pb::AlertSource {
    use pb::alert_source::Source as S;
    let source = match s {
        Source::Kafka {
            topic,
            partition,
            offset,
        } => S::Kafka(pb::KafkaSource {
            topic: topic.clone(),
            partition: *partition,
            offset: *offset,
        }),
        Source::Grpc { method } => S::Grpc(pb::GrpcSource {
            method: method.clone(),
        }),
        Source::File { path } => S::File(pb::FileSource { path: path.clone() }),
        Source::Demo => S::Demo(pb::DemoSource {}),
    };
    pb::AlertSource {
        source: Some(source),
    }
}

pub fn alert_pb(a: &Alert) -> pb::Alert {
    pb::Alert {
        alert_id: a.alert_id.clone(),
        seq: a.seq,
        created_at: Some(timestamp(a.created_at)),
        entry_id: a.entry_id.clone(),
        list: a.list.clone(),
        severity: severity_pb(a.severity),
        score: round3(a.score),
        explanation: Some(explanation(&a.explanation)),
        traveller: Some(traveller_ref_pb(&a.traveller)),
        flight: Some(flight_ref_pb(&a.flight)),
        message_id: a.message_id.clone(),
        message_ref: text(&a.message_ref),
        source: Some(source_pb(&a.source)),
        suppressed_by: a.suppressed_by.as_ref().map(|s| pb::Suppression {
            alert_id: s.alert_id.clone(),
            analyst: s.analyst.clone(),
            decided_at: Some(timestamp(s.decided_at)),
        }),
        schema_version: alerts::SCHEMA_VERSION,
    }
}

pub fn list_format_pb(f: ListFormat) -> pb::ListFormat {
    match f {
        ListFormat::UnXml => pb::ListFormat::UnXml,
        ListFormat::OfacCsv => pb::ListFormat::OfacCsv,
        ListFormat::Ndjson => pb::ListFormat::Ndjson,
    }
}

pub fn load_summary(s: &LoadSummary, replaced: usize) -> pb::LoadListResponse {
    pb::LoadListResponse {
        format: list_format_pb(s.format) as i32,
        entries: s.entries as u32,
        individuals: s.individuals as u32,
        skipped: s.skipped as u32,
        unknown_nationalities: s.unknown_nationalities as u32,
        problems_total: s.problems_total as u32,
        problems: s
            .problems
            .iter()
            .map(|p| pb::LoadProblem {
                location: p.location.clone(),
                reason: p.reason.clone(),
            })
            .collect(),
        replaced: replaced as u32,
    }
}

pub fn stats_pb(s: &Stats) -> pb::GetStatsResponse {
    pb::GetStatsResponse {
        lists: s
            .lists
            .iter()
            .map(|(k, v)| (k.clone(), *v as u64))
            .collect(),
        indexed: s.indexed as u64,
        postings: s.postings as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traveller_with_bad_fields_names_each_field_and_no_value() {
        let mut v = Violations::default();
        let t = pb::Traveller {
            surname: "DOE".into(),
            dob: "1968-13-45".into(),
            nationality: "Atlantis".into(),
            documents: vec![pb::TravelDocument {
                number: " ".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let got = traveller(&mut v, 2, t, &|| "manifest.travellers[2]".into());
        assert_eq!(got.passenger.id, "T0003");
        let s = v.into_result().unwrap_err();
        let msg = format!("{s:?}");
        for field in [
            "manifest.travellers[2].dob",
            "manifest.travellers[2].nationality",
            "manifest.travellers[2].documents[0].number",
        ] {
            assert!(msg.contains(field), "{field} missing in {msg}");
        }
        assert!(
            !msg.contains("Atlantis") && !msg.contains("1968-13-45"),
            "{msg}"
        );
    }

    #[test]
    fn travellers_round_trip_through_the_protobuf_form() {
        let mut v = Violations::default();
        let sent = pb::Traveller {
            id: "a".into(),
            surname: "Doe".into(),
            given_names: "Jane".into(),
            dob: "1980-02".into(),
            gender: pb::Gender::Female as i32,
            nationality: "FRA".into(),
            documents: vec![pb::TravelDocument {
                r#type: "P".into(),
                number: "12AB".into(),
                country: "FRA".into(),
                expiry: "2030-01-01".into(),
                issued: String::new(),
            }],
            kind: pb::TravellerKind::Crew as i32,
            pnr: "PNR".into(),
            passenger_ref: "ABO".into(),
            seat: "12A".into(),
            residence: "BEL".into(),
            place_of_birth: "Lyon".into(),
            embarkation: "CDG".into(),
            debarkation: "JFK".into(),
            ..Default::default()
        };
        let model = traveller(&mut v, 0, sent.clone(), &|| "t".into());
        assert!(v.is_empty());
        assert_eq!(traveller_pb(&model), sent);
    }

    #[test]
    fn ids_fall_back_to_the_passenger_reference_then_the_position() {
        let mut v = Violations::default();
        let t = traveller(
            &mut v,
            0,
            pb::Traveller {
                name: "A B".into(),
                passenger_ref: "ABO1".into(),
                ..Default::default()
            },
            &|| "t".into(),
        );
        assert_eq!(t.passenger.id, "ABO1");
        assert!(v.is_empty());
    }

    #[test]
    fn entries_convert_with_defaults_and_reject_bad_lists() {
        let mut v = Violations::default();
        let e = entry(
            &mut v,
            "entries[0]",
            pb::WatchlistEntry {
                id: "X1".into(),
                list: "national".into(),
                names: vec![pb::EntryName {
                    full: "Ali Hassan".into(),
                    kind: 0,
                }],
                dobs: vec!["~1968".into(), "1965..1968".into()],
                nationalities: vec!["IQ".into()],
                ..Default::default()
            },
        );
        assert!(v.is_empty());
        assert_eq!(e.severity, Severity::High);
        assert_eq!(e.entity_type, EntityType::Individual);
        assert_eq!(e.dobs.len(), 2);
        assert_eq!(e.nationalities[0].alpha3(), "IRQ");
        let mut v = Violations::default();
        entry(
            &mut v,
            "entries[1]",
            pb::WatchlistEntry {
                id: "X2".into(),
                list: "bad list!".into(),
                ..Default::default()
            },
        );
        let s = format!("{:?}", v.into_result().unwrap_err());
        assert!(
            s.contains("entries[1].list") && s.contains("entries[1].names"),
            "{s}"
        );
    }
}
