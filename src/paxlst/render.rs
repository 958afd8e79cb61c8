//! [`Manifest`] → PAXLST text, with any separators. Used by the round-trip property tests and
//! the benches; also a starting point for forwarding manifests.

use super::dates;
use super::lexer::{Separators, escape_into};
use crate::model::{DocumentType, Manifest, TravellerKind};

/// Writes EDIFACT segments with the given separators, escaping data; shared by the PAXLST
/// renderer and the CUSRES builder.
pub(super) struct SegmentWriter<'a> {
    pub(super) out: String,
    seps: &'a Separators,
    /// Segments written since the count was last reset (UNT counts its message's segments).
    pub(super) count: usize,
    /// A line break after each terminator, for readable output.
    line_breaks: bool,
}

impl<'a> SegmentWriter<'a> {
    pub(super) fn new(seps: &'a Separators, capacity: usize, line_breaks: bool) -> Self {
        SegmentWriter {
            out: String::with_capacity(capacity),
            seps,
            count: 0,
            line_breaks,
        }
    }

    /// Writes one segment; `elements` are lists of components, written escaped.
    pub(super) fn seg(&mut self, tag: &str, elements: &[&[&str]]) {
        self.out.push_str(tag);
        for e in elements {
            self.out.push(self.seps.element as char);
            for (i, c) in e.iter().enumerate() {
                if i > 0 {
                    self.out.push(self.seps.component as char);
                }
                escape_into(&mut self.out, c, self.seps);
            }
        }
        self.out.push(self.seps.terminator as char);
        if self.line_breaks {
            self.out.push('\n');
        }
        self.count += 1;
    }
}

/// Renders `m` as one UNA…UNZ interchange holding one PAXLST message (D.05B).
pub fn render_paxlst(m: &Manifest, seps: &Separators) -> String {
    let mut w = SegmentWriter::new(seps, 512 + m.travellers.len() * 300, true);
    w.out.push_str(&seps.una());
    w.out.push('\n');
    let iref = m.interchange_ref.as_deref().unwrap_or("1");
    let mref = m.message_ref.as_deref().unwrap_or("1");
    let sent = m
        .sent
        .and_then(|d| dates::to_yymmdd(&d))
        .unwrap_or_else(|| "000101".into());
    w.seg(
        "UNB",
        &[
            &["UNOA", "4"],
            &[m.sender.as_deref().unwrap_or("SENDER")],
            &[m.recipient.as_deref().unwrap_or("RECIPIENT")],
            &[&sent, "0000"],
            &[iref],
        ],
    );
    w.count = 0;
    w.seg("UNH", &[&[mref], &["PAXLST", "D", "05B", "UN", "IATA"]]);
    let (code, id) = match m.document_type {
        DocumentType::PassengerList => ("745", ""),
        DocumentType::ChangePassenger => ("745", "CP"),
        DocumentType::CancelReservation => ("745", "XR"),
        DocumentType::ReductionInParty => ("745", "RP"),
        DocumentType::CrewList => ("250", ""),
        DocumentType::MasterCrewList => ("336", ""),
        DocumentType::FlightStatus => ("266", ""),
        DocumentType::GatePass => ("655", ""),
        DocumentType::Other => ("999", ""),
    };
    let code = m.document_code.as_deref().unwrap_or(code);
    let id = m.document_id.as_deref().unwrap_or(id);
    if id.is_empty() {
        w.seg("BGM", &[&[code]]);
    } else {
        w.seg("BGM", &[&[code], &[id]]);
    }
    if let Some(tn) = m.transaction_ref.as_deref() {
        w.seg("RFF", &[&["TN", tn]]);
    }
    if let Some(p) = &m.reporting_party {
        w.seg(
            "NAD",
            &[&["MS"], &[], &[], &[p.name.as_deref().unwrap_or("")]],
        );
    }
    for f in &m.flights {
        let id = f.id.clone().unwrap_or_else(|| {
            format!(
                "{}{}",
                f.carrier.as_deref().unwrap_or(""),
                f.number.as_deref().unwrap_or("")
            )
        });
        let mode = if f.overflight { "34" } else { "20" };
        w.seg(
            "TDT",
            &[
                &[mode],
                &[&id],
                &[],
                &[],
                &[f.carrier.as_deref().unwrap_or("")],
            ],
        );
        if let Some(a) = f.departure.airport.as_deref() {
            w.seg("LOC", &[&["125"], &[a]]);
        }
        if let Some(t) = f.departure.time.as_deref().and_then(dates::to_edifact_time) {
            w.seg("DTM", &[&["189", &t, "201"]]);
        }
        if let Some(a) = f.arrival.airport.as_deref() {
            w.seg("LOC", &[&["87"], &[a]]);
        }
        if let Some(t) = f.arrival.time.as_deref().and_then(dates::to_edifact_time) {
            w.seg("DTM", &[&["232", &t, "201"]]);
        }
    }
    for t in &m.travellers {
        let q = match t.kind {
            TravellerKind::Passenger => "FL",
            TravellerKind::Crew => "FM",
            TravellerKind::TransitPassenger => "DDU",
            TravellerKind::TransitCrew => "DDT",
            TravellerKind::Other => "ZZZ",
        };
        let p = &t.passenger;
        let surname = p.surname.as_deref().unwrap_or("");
        match p.given_names.as_deref() {
            Some(g) => w.seg("NAD", &[&[q], &[], &[], &[surname, g]]),
            None => w.seg("NAD", &[&[q], &[], &[], &[surname]]),
        }
        if let Some(g) = p.gender {
            let c = match g {
                crate::model::Gender::Male => "M",
                crate::model::Gender::Female => "F",
                crate::model::Gender::Other => "X",
            };
            w.seg("ATT", &[&["2"], &[], &[c]]);
        }
        if let Some(d) = p.dob.as_ref().and_then(dates::to_yymmdd) {
            w.seg("DTM", &[&["329", &d]]);
        }
        if let Some(v) = t.verified {
            w.seg("GEI", &[&["4"], &[if v { "173" } else { "174" }]]);
        }
        for (qual, v) in [
            ("22", &t.clearance),
            ("178", &t.embarkation),
            ("179", &t.debarkation),
        ] {
            if let Some(v) = v {
                w.seg("LOC", &[&[qual], &[v]]);
            }
        }
        if let Some(c) = t.residence {
            w.seg("LOC", &[&["174"], &[c.alpha3()]]);
        }
        if let Some(c) = &t.crew_category {
            w.seg("EMP", &[&["1"], &[c, "110", "111"]]);
        }
        if let Some(c) = p.nationality {
            w.seg("NAT", &[&["2"], &[c.alpha3()]]);
        }
        if let Some(v) = &t.pnr {
            w.seg("RFF", &[&["AVF", v]]);
        }
        if let Some(v) = &t.passenger_ref {
            w.seg("RFF", &[&["ABO", v]]);
        }
        if let Some(v) = &t.seat {
            w.seg("RFF", &[&["SEA", v]]);
        }
        for r in &t.references {
            w.seg("RFF", &[&[&r.qualifier, &r.value]]);
        }
        for (i, d) in p.documents.iter().enumerate() {
            w.seg(
                "DOC",
                &[
                    &[d.doc_type.as_deref().unwrap_or(""), "110", "111"],
                    &[&d.number],
                ],
            );
            if let Some(e) = d.expiry.as_ref().and_then(dates::to_yymmdd) {
                w.seg("DTM", &[&["36", &e]]);
            }
            if let Some(e) = d.issued.as_ref().and_then(dates::to_yymmdd) {
                w.seg("DTM", &[&["182", &e]]);
            }
            let place = t
                .document_places
                .iter()
                .find(|p| p.document == i)
                .map(|p| p.place.as_str())
                .unwrap_or("");
            if d.country.is_some() || !place.is_empty() {
                let c = d
                    .country
                    .map(|c| c.alpha3().to_string())
                    .unwrap_or_default();
                if place.is_empty() {
                    w.seg("LOC", &[&["91"], &[&c]]);
                } else {
                    w.seg("LOC", &[&["91"], &[&c, "", "", place]]);
                }
            }
        }
    }
    let crew = m.crew_count();
    let pax = m.travellers.len() - crew;
    if m.document_type == DocumentType::CrewList {
        w.seg("CNT", &[&["41", &crew.to_string()]]);
    } else {
        w.seg("CNT", &[&["42", &pax.to_string()]]);
    }
    let n = (w.count + 1).to_string();
    w.seg("UNT", &[&[&n], &[mref]]);
    w.seg("UNZ", &[&["1"], &[iref]]);
    w.out
}
