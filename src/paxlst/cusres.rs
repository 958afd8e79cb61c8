//! iAPI responses (CUSRES): read what a government answered, and answer a carrier's request.
//!
//! Structure (WCO/IATA/ICAO CUSRES MIG as the China NIA profile uses it):
//! `BGM+962` (response; 132 = unsolicited status change, 312 = carrier acknowledgement),
//! `RFF+TN`, `RFF+AF`, `DTM+189/232`, `LOC+125/87`, then per passenger
//! `ERP+2' RFF+AVF' RFF+ABO' ERC+<status>' FTX+AAP+++<text>'`. `ERP+1` carries a
//! message-level status.

use super::dates;
use super::lexer::{Segment, Separators};
use super::render::SegmentWriter;
use super::{MessageContext, seg_warning};
use crate::model::{FlightEndpoint, Manifest};
use serde::{Deserialize, Serialize};

/// Per-passenger board status (ERC under ERP+2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardingStatus {
    /// `0Z`: OK to board.
    Board,
    /// `1Z`: do not board.
    NoBoard,
    /// `2Z`: advisory: board subject to instructions / contact the authority.
    Refer,
    /// `4Z`: insufficient data to decide.
    InsufficientData,
}

impl BoardingStatus {
    pub fn code(self) -> &'static str {
        match self {
            BoardingStatus::Board => "0Z",
            BoardingStatus::NoBoard => "1Z",
            BoardingStatus::Refer => "2Z",
            BoardingStatus::InsufficientData => "4Z",
        }
    }

    pub fn from_code(code: &str) -> Option<BoardingStatus> {
        Some(match code.trim().to_ascii_uppercase().as_str() {
            "0Z" => BoardingStatus::Board,
            "1Z" => BoardingStatus::NoBoard,
            "2Z" => BoardingStatus::Refer,
            "4Z" => BoardingStatus::InsufficientData,
            _ => return None,
        })
    }

    /// The default agent text (FTX+AAP).
    pub fn default_text(self) -> &'static str {
        match self {
            BoardingStatus::Board => "OK TO BOARD",
            BoardingStatus::NoBoard => "NO BOARD",
            BoardingStatus::Refer => "CONTACT AUTHORITY BEFORE BOARDING",
            BoardingStatus::InsufficientData => "INSUFFICIENT DATA",
        }
    }
}

/// What a CUSRES is for (BGM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CusresKind {
    /// 962: the answer to an iAPI PAXLST.
    #[default]
    Response,
    /// 132: a government changes a status after the fact.
    UnsolicitedChange,
    /// 312: a carrier acknowledges a CUSRES.
    Acknowledgement,
    Other,
}

/// One passenger's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PassengerStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pnr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passenger_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<BoardingStatus>,
    /// ERC code as sent (also set for codes outside the four known ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A parsed CUSRES message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CusresMessage {
    /// Always `CUSRES`: tells NDJSON readers this line is not a manifest.
    pub message_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interchange_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_access_ref: Option<String>,
    pub kind: CusresKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_ref: Option<String>,
    /// RFF+AF: flight as sent (`CA339`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flight: Option<String>,
    #[serde(default)]
    pub departure: FlightEndpoint,
    #[serde(default)]
    pub arrival: FlightEndpoint,
    /// ERC codes under ERP+1 (message level).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub message_status: Vec<String>,
    #[serde(default)]
    pub passengers: Vec<PassengerStatus>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

pub(crate) fn parse_message(segs: &[Segment], ctx: &MessageContext) -> CusresMessage {
    let mut c = CusresMessage {
        message_type: "CUSRES".into(),
        message_ref: ctx.message_ref.clone(),
        interchange_ref: ctx.interchange_ref.clone(),
        sender: ctx.sender.clone(),
        recipient: ctx.recipient.clone(),
        common_access_ref: ctx.part.common_access_ref.clone(),
        warnings: ctx.warnings.clone(),
        ..CusresMessage::default()
    };
    // 0: header, 1: message-level ERP, 2: passenger ERP.
    let mut level = 0u8;
    for seg in segs {
        let q = seg.get(0, 0).trim();
        match seg.tag.as_str() {
            "BGM" => {
                c.document_code = seg.opt(0, 0);
                c.kind = match q {
                    "962" => CusresKind::Response,
                    "132" => CusresKind::UnsolicitedChange,
                    "312" => CusresKind::Acknowledgement,
                    _ => CusresKind::Other,
                };
            }
            "ERP" => {
                if q == "2" {
                    level = 2;
                    c.passengers.push(PassengerStatus::default());
                } else {
                    level = 1;
                }
            }
            "RFF" => {
                let v = seg.opt(0, 1);
                match (level, q) {
                    (0, "TN") => c.transaction_ref = v,
                    (0, "AF") => c.flight = v,
                    (2, "AVF") => last(&mut c).pnr = v,
                    (2, "ABO") => last(&mut c).passenger_ref = v,
                    _ => {}
                }
            }
            "ERC" => {
                let code = seg.opt(0, 0);
                if level == 2 {
                    let p = last(&mut c);
                    p.status = code.as_deref().and_then(BoardingStatus::from_code);
                    if p.status.is_none() {
                        c.warnings
                            .push(seg_warning(seg, "unknown passenger status code"));
                    }
                    last(&mut c).code = code;
                } else if let Some(code) = code {
                    c.message_status.push(code);
                }
            }
            "FTX" if level == 2 => {
                let text: Vec<&str> = seg.element(3).collect();
                let text = text.join(":");
                if !text.trim().is_empty() {
                    last(&mut c).text = Some(text.trim().to_string());
                }
            }
            "DTM" if level == 0 => {
                let t = dates::flight_time(seg.get(0, 1));
                match q {
                    "189" => c.departure.time = t,
                    "232" => c.arrival.time = t,
                    _ => {}
                }
            }
            "LOC" if level == 0 => match q {
                "125" => c.departure.airport = seg.opt(1, 0),
                "87" => c.arrival.airport = seg.opt(1, 0),
                _ => {}
            },
            _ => {}
        }
    }
    c
}

fn last(c: &mut CusresMessage) -> &mut PassengerStatus {
    if c.passengers.is_empty() {
        c.passengers.push(PassengerStatus::default());
    }
    c.passengers.last_mut().expect("pushed above")
}

/// Envelope values for [`build_cusres`]. Empty fields fall back to the request: the recipient is
/// the request's sender, the sender its recipient, the references echo the request's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CusresOptions {
    pub separators: Separators,
    pub sender: String,
    pub recipient: String,
    pub interchange_ref: String,
    pub message_ref: String,
    /// UNB date/time of preparation, `YYMMDD:HHMM` (passed in: the builder reads no clock).
    /// Empty: the request's interchange date at 00:00.
    pub prepared: String,
    /// UNH directory version (`D:05B`).
    pub version: String,
    /// BGM code: `962` response (default), `132` unsolicited change.
    pub document_code: String,
}

impl Default for CusresOptions {
    fn default() -> Self {
        CusresOptions {
            separators: Separators::DEFAULT,
            sender: String::new(),
            recipient: String::new(),
            interchange_ref: String::new(),
            message_ref: String::new(),
            prepared: String::new(),
            version: "D:05B".into(),
            document_code: "962".into(),
        }
    }
}

fn or<'a>(a: &'a str, b: Option<&'a str>, c: &'a str) -> &'a str {
    if !a.is_empty() {
        a
    } else {
        b.filter(|s| !s.is_empty()).unwrap_or(c)
    }
}

/// Builds a CUSRES (BGM 962) answering `request`: one `ERP+2` group per decision, in the order
/// given, echoing the traveller's RFF+AVF and RFF+ABO. A decision's id is matched against the
/// travellers' `passenger.id` (which is the RFF+ABO when sent) or `passenger_ref`; an id not in
/// the request is still answered, with that id as ABO. Travellers without a decision are not
/// answered: the caller decides what silence means.
pub fn build_cusres(
    request: &Manifest,
    decisions: &[(String, BoardingStatus)],
    opts: &CusresOptions,
) -> String {
    let seps = &opts.separators;
    let mut w = SegmentWriter::new(seps, 256 + decisions.len() * 96, false);
    w.out.push_str(&seps.una());
    let sender = or(&opts.sender, request.recipient.as_deref(), "PAXSCREEN");
    let recipient = or(&opts.recipient, request.sender.as_deref(), "CARRIER");
    let iref = or(
        &opts.interchange_ref,
        request.interchange_ref.as_deref(),
        "1",
    );
    let mref = or(&opts.message_ref, request.message_ref.as_deref(), "1");
    let sent = request
        .sent
        .and_then(|d| dates::to_yymmdd(&d))
        .map(|d| format!("{d}:0000"))
        .unwrap_or_else(|| "000101:0000".into());
    let prepared = if opts.prepared.is_empty() {
        sent.as_str()
    } else {
        opts.prepared.as_str()
    };
    let (pdate, ptime) = prepared.split_once(':').unwrap_or((prepared, ""));
    w.seg(
        "UNB",
        &[
            &["UNOA", "4"],
            &[sender],
            &[recipient],
            &[pdate, ptime],
            &[iref],
            &[],
            &["IAPI"],
        ],
    );
    w.count = 0;
    let (vdir, vrel) = opts.version.split_once(':').unwrap_or(("D", "05B"));
    let msg_type: &[&str] = &["CUSRES", vdir, vrel, "UN", "IATA"];
    match request.common_access_ref.as_deref() {
        Some(car) => w.seg("UNH", &[&[mref], msg_type, &[car], &["01", "F"]]),
        None => w.seg("UNH", &[&[mref], msg_type]),
    }
    w.seg("BGM", &[&[opts.document_code.as_str()]]);
    if let Some(tn) = request.transaction_ref.as_deref() {
        w.seg("RFF", &[&["TN", tn]]);
    }
    if let Some(f) = request.flights.first() {
        let id = f.id.clone().unwrap_or_else(|| {
            format!(
                "{}{}",
                f.carrier.as_deref().unwrap_or(""),
                f.number.as_deref().unwrap_or("")
            )
        });
        if !id.is_empty() {
            w.seg("RFF", &[&["AF", &id]]);
        }
        let last = request.flights.last().unwrap_or(f);
        if let Some(t) = f.departure.time.as_deref().and_then(dates::to_edifact_time) {
            w.seg("DTM", &[&["189", &t, "201"]]);
        }
        if let Some(t) = last
            .arrival
            .time
            .as_deref()
            .and_then(dates::to_edifact_time)
        {
            w.seg("DTM", &[&["232", &t, "201"]]);
        }
        if let Some(a) = f.departure.airport.as_deref() {
            w.seg("LOC", &[&["125"], &[a]]);
        }
        if let Some(a) = last.arrival.airport.as_deref() {
            w.seg("LOC", &[&["87"], &[a]]);
        }
    }
    for (id, status) in decisions {
        let t = request
            .travellers
            .iter()
            .find(|t| &t.passenger.id == id || t.passenger_ref.as_deref() == Some(id));
        w.seg("ERP", &[&["2"]]);
        if let Some(pnr) = t.and_then(|t| t.pnr.as_deref()) {
            w.seg("RFF", &[&["AVF", pnr]]);
        }
        let abo = t.and_then(|t| t.passenger_ref.as_deref()).unwrap_or(id);
        w.seg("RFF", &[&["ABO", abo]]);
        w.seg("ERC", &[&[status.code()]]);
        w.seg("FTX", &[&["AAP"], &[], &[], &[status.default_text()]]);
    }
    let n = (w.count + 1).to_string();
    w.seg("UNT", &[&[&n], &[mref]]);
    w.seg("UNZ", &[&["1"], &[iref]]);
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flight, Traveller};
    use crate::paxlst::{ParseOptions, ParsedMessage, parse};

    fn request() -> Manifest {
        let mut m = Manifest {
            message_ref: Some("M1".into()),
            sender: Some("CA".into()),
            recipient: Some("NIAC".into()),
            transaction_ref: Some("0000100".into()),
            flights: vec![Flight {
                id: Some("CA339".into()),
                ..Flight::default()
            }],
            ..Manifest::default()
        };
        for (i, abo) in ["P1", "P2", "P3", "P4"].iter().enumerate() {
            let mut t = Traveller {
                pnr: Some(format!("PNR{i}")),
                passenger_ref: Some(abo.to_string()),
                ..Traveller::default()
            };
            t.passenger.id = abo.to_string();
            m.travellers.push(t);
        }
        m
    }

    #[test]
    fn cusres_round_trips_every_status() {
        let decisions: Vec<(String, BoardingStatus)> = vec![
            ("P1".into(), BoardingStatus::Board),
            ("P2".into(), BoardingStatus::NoBoard),
            ("P3".into(), BoardingStatus::Refer),
            ("P4".into(), BoardingStatus::InsufficientData),
        ];
        for seps in [
            Separators::DEFAULT,
            Separators::from_una(b":(.) -").unwrap(),
        ] {
            let opts = CusresOptions {
                separators: seps,
                prepared: "250101:1200".into(),
                ..CusresOptions::default()
            };
            let text = build_cusres(&request(), &decisions, &opts);
            let msgs = parse(text.as_bytes(), &ParseOptions::default()).unwrap();
            let ParsedMessage::Cusres(c) = &msgs[0] else {
                panic!("not a cusres: {msgs:?}")
            };
            assert_eq!(c.kind, CusresKind::Response);
            assert_eq!(c.transaction_ref.as_deref(), Some("0000100"));
            assert_eq!(c.flight.as_deref(), Some("CA339"));
            assert_eq!(c.sender.as_deref(), Some("NIAC"));
            assert!(c.warnings.is_empty(), "{:?}", c.warnings);
            let got: Vec<_> = c
                .passengers
                .iter()
                .map(|p| (p.passenger_ref.clone().unwrap(), p.status.unwrap()))
                .collect();
            assert_eq!(got, decisions);
            assert_eq!(c.passengers[1].pnr.as_deref(), Some("PNR1"));
            assert_eq!(c.passengers[3].code.as_deref(), Some("4Z"));
        }
    }
}
