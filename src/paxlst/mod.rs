//! PAXLST / CUSRES: here are EDIFACT bytes — which manifest (or iAPI response) do they carry?
//!
//! - [`lexer`]: bytes → segments (UNA, release character, envelope noise, any separators).
//! - [`un`]: UN/EDIFACT PAXLST (WCO/IATA/ICAO profile) → [`Manifest`].
//! - [`legacy`]: the pre-UN "US EDIFACT" PAXLST (`PAXLST:001:000:NZ`, PDT segments).
//! - [`cusres`]: iAPI responses: parse CUSRES, build CUSRES (BGM 962) from board decisions.
//! - [`assemble`]: multi-part messages (UNH S010 `01:C` … `nn:F`) → one flight manifest.
//! - [`render`]: [`Manifest`] → PAXLST text (tests, benches, re-sending).
//!
//! What it is not for: deciding anything about a traveller. It reads what the sender said,
//! keeps oddities as warnings and loses no traveller over a bad field.
//!
//! Traveller ids. [`crate::model::Passenger::id`] is the RFF+ABO unique passenger reference when
//! the traveller has one; otherwise `T` + the traveller's 1-based position in the manifest, four
//! digits (`T0001`). For assembled multi-part manifests the position counts over all parts in
//! part order, so positional ids stay unique within a flight.
//!
//! Errors. [`parse`] fails only when the input as a whole cannot be read (no interchange, no
//! message header, a limit of [`ParseOptions`] exceeded). Everything else — wrong UNT/CNT counts,
//! bad dates, unknown codes, a traveller group without a name — becomes a warning on the manifest
//! naming the segment number and byte offset.

pub mod assemble;
pub mod cusres;
mod dates;
mod error;
pub mod legacy;
pub mod lexer;
mod options;
pub mod render;
pub mod un;

pub use assemble::Assembler;
pub use cusres::{
    BoardingStatus, CusresKind, CusresMessage, CusresOptions, PassengerStatus, build_cusres,
};
pub use error::ParseError;
pub use lexer::{Segment, Separators};
pub use options::ParseOptions;
pub use render::render_paxlst;

use crate::model::{Manifest, PartialDate};
use dates::RefDate;
use serde::Serialize;

/// Where a message part sits in a multi-part transmission (UNH 0068 and S010).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PartInfo {
    /// UNH 0068: common access reference (`OK688/071008/1310`).
    pub common_access_ref: Option<String>,
    /// S010 0070: sequence number of this part (1-based); `None` when the UNH has no S010.
    pub sequence: Option<u32>,
    /// S010 0073 = `F`; also true for a message without S010, and for a bare `01` (which real
    /// senders use for single-part messages).
    pub is_last: bool,
}

impl PartInfo {
    /// True when this part is the whole message: nothing to wait for.
    pub fn is_complete(&self) -> bool {
        self.is_last && self.sequence.unwrap_or(1) == 1
    }
}

/// One message of an interchange.
#[derive(Debug, Clone, PartialEq)]
pub enum ParsedMessage {
    /// A PAXLST (UN or legacy US) message part.
    Paxlst { manifest: Manifest, part: PartInfo },
    /// An iAPI response or acknowledgement.
    Cusres(CusresMessage),
    /// A message of another type (PNRGOV …), recognised but not read.
    Unsupported {
        message_type: String,
        message_ref: Option<String>,
        segment: usize,
        offset: usize,
    },
}

/// What the interchange header and UNH say, shared by every message parser.
#[derive(Debug, Clone, Default)]
pub struct MessageContext {
    pub sender: Option<String>,
    pub recipient: Option<String>,
    pub interchange_ref: Option<String>,
    pub interchange_date: Option<RefDate>,
    pub message_ref: Option<String>,
    pub message_type: String,
    pub version: String,
    pub agency: String,
    pub part: PartInfo,
    /// Lexer warnings, copied onto every message of the input.
    pub warnings: Vec<String>,
}

impl MessageContext {
    fn base_manifest(&self) -> Manifest {
        Manifest {
            message_ref: self.message_ref.clone(),
            interchange_ref: self.interchange_ref.clone(),
            sender: self.sender.clone(),
            recipient: self.recipient.clone(),
            common_access_ref: self.part.common_access_ref.clone(),
            parts: self.part.sequence.into_iter().collect(),
            sent: self
                .interchange_date
                .and_then(|d| PartialDate::new(d.year, Some(d.month), Some(d.day)).ok()),
            warnings: self.warnings.clone(),
            ..Manifest::default()
        }
    }
}

/// `segment N at byte O: TAG+Q: reason` — never the segment's data (it may be personal).
pub(crate) fn seg_warning(seg: &Segment, reason: &str) -> String {
    format!(
        "segment {} at byte {}: {}: {}",
        seg.index,
        seg.offset,
        seg.label(),
        reason
    )
}

/// The id of a traveller without RFF+ABO: `T` + 1-based position.
pub fn positional_id(index: usize) -> String {
    format!("T{:04}", index + 1)
}

/// Parses every message of one input (one or more interchanges).
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<Vec<ParsedMessage>, ParseError> {
    let lexed = lexer::lex(bytes, opts)?;
    let segs = &lexed.segments;
    let mut out = Vec::new();
    let mut ctx = MessageContext {
        warnings: lexed.warnings.clone(),
        ..MessageContext::default()
    };
    let mut i = 0;
    while i < segs.len() {
        let s = &segs[i];
        match s.tag.as_str() {
            "UNB" => {
                ctx.sender = s.opt(1, 0);
                ctx.recipient = s.opt(2, 0);
                ctx.interchange_ref = s.opt(4, 0);
                ctx.interchange_date = dates::flight_time(s.get(3, 0))
                    .as_deref()
                    .and_then(dates::ref_from_time);
                i += 1;
            }
            "UNG" => {
                if ctx.sender.is_none() {
                    ctx.sender = s.opt(1, 0);
                    ctx.recipient = s.opt(2, 0);
                }
                i += 1;
            }
            "UNH" => {
                if out.len() >= opts.max_messages {
                    return Err(ParseError::TooManyMessages {
                        segment: s.index,
                        offset: s.offset,
                        limit: opts.max_messages,
                    });
                }
                let start = i;
                let mut end = i + 1;
                while end < segs.len()
                    && !matches!(
                        segs[end].tag.as_str(),
                        "UNT" | "UNH" | "UNZ" | "UNE" | "UNB"
                    )
                {
                    end += 1;
                }
                let has_unt = end < segs.len() && segs[end].tag == "UNT";
                let body = if has_unt {
                    &segs[start..=end]
                } else {
                    &segs[start..end]
                };
                out.push(parse_one(body, has_unt, &ctx, opts)?);
                i = if has_unt { end + 1 } else { end };
            }
            _ => i += 1,
        }
    }
    if out.is_empty() {
        let first = &segs[0];
        return Err(ParseError::NoMessage {
            segment: first.index,
            offset: first.offset,
            reason: "the input holds no UNH segment".into(),
        });
    }
    Ok(out)
}

fn parse_one(
    body: &[Segment],
    has_unt: bool,
    ictx: &MessageContext,
    opts: &ParseOptions,
) -> Result<ParsedMessage, ParseError> {
    let unh = &body[0];
    let mut ctx = ictx.clone();
    ctx.message_ref = unh.opt(0, 0);
    ctx.message_type = unh.get(1, 0).trim().to_ascii_uppercase();
    ctx.version = unh.get(1, 1).trim().to_string();
    ctx.agency = unh.get(1, 3).trim().to_string();
    let mut warnings = Vec::new();
    // S010 0070 is n..2 (01–99); tolerate up to 999 and ignore anything else, so a corrupt
    // number cannot make the assembler wait for (or list) millions of parts.
    let raw_seq = unh.get(3, 0).trim();
    let sequence = raw_seq
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=999).contains(n));
    if sequence.is_none() && !raw_seq.is_empty() {
        warnings.push(seg_warning(
            unh,
            "message part number is not 1–999, ignored",
        ));
    }
    let indicator = unh.get(3, 1).trim().to_ascii_uppercase();
    ctx.part = PartInfo {
        common_access_ref: unh.opt(2, 0),
        sequence,
        is_last: indicator == "F"
            || sequence.is_none()
            || (sequence == Some(1) && indicator.is_empty()),
    };
    if has_unt {
        let unt = &body[body.len() - 1];
        match unt.get(0, 0).trim().parse::<usize>() {
            Ok(n) if n == body.len() => {}
            Ok(n) => warnings.push(seg_warning(
                unt,
                &format!("UNT declares {n} segments, the message has {}", body.len()),
            )),
            Err(_) => warnings.push(seg_warning(unt, "UNT segment count is not a number")),
        }
    } else {
        warnings.push(seg_warning(unh, "message has no UNT trailer (truncated?)"));
    }
    let result = match ctx.message_type.as_str() {
        "PAXLST" => {
            let legacy = ctx.version == "001" || body.iter().any(|s| s.tag == "PDT");
            let mut manifest = if legacy {
                legacy::parse_message(body, &ctx, opts)?
            } else {
                un::parse_message(body, &ctx, opts)?
            };
            manifest.warnings.extend(warnings);
            if ctx.part.is_complete() {
                check_totals(&mut manifest);
            }
            ParsedMessage::Paxlst {
                manifest,
                part: ctx.part.clone(),
            }
        }
        "CUSRES" => {
            let mut c = cusres::parse_message(body, &ctx);
            c.warnings.extend(warnings);
            ParsedMessage::Cusres(c)
        }
        other => ParsedMessage::Unsupported {
            message_type: other.to_string(),
            message_ref: ctx.message_ref.clone(),
            segment: unh.index,
            offset: unh.offset,
        },
    };
    Ok(result)
}

/// Compares CNT totals with the travellers held; a mismatch is a warning (CNT is often wrong).
pub fn check_totals(m: &mut Manifest) {
    let crew = m.crew_count();
    let pax = m.travellers.len() - crew;
    if let Some(n) = m.totals.passengers
        && n as usize != pax
    {
        m.warnings.push(format!(
            "CNT+42 declares {n} passengers, the manifest holds {pax}"
        ));
    }
    if let Some(n) = m.totals.crew
        && n as usize != crew
    {
        m.warnings.push(format!(
            "CNT+41 declares {n} crew, the manifest holds {crew}"
        ));
    }
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    error: String,
    input: &'a str,
    segment: usize,
    offset: usize,
}

/// The `paxscreen parse` engine: parses every input, assembles multi-part messages across all
/// inputs, and writes one JSON object per line: a manifest per complete message/flight (in the
/// order they complete; unfinished multi-part flights last, with a warning naming the missing
/// parts), a CUSRES object per response, or `{"error":…,"input":…,"segment":N,"offset":N}` for
/// an input that cannot be read. Returns the number of lines written.
pub fn parse_to_ndjson(
    inputs: &[(String, Vec<u8>)],
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    let opts = ParseOptions::default();
    let mut assembler = Assembler::new(std::time::Duration::ZERO);
    let mut lines = 0;
    let mut write = |out: &mut dyn std::io::Write, v: &dyn erased::Json| -> std::io::Result<()> {
        out.write_all(v.json().as_bytes())?;
        out.write_all(b"\n")?;
        lines += 1;
        Ok(())
    };
    for (name, bytes) in inputs {
        match parse(bytes, &opts) {
            Err(e) => write(
                out,
                &ErrorLine {
                    error: e.to_string(),
                    input: name,
                    segment: e.segment(),
                    offset: e.offset(),
                },
            )?,
            Ok(msgs) => {
                for m in msgs {
                    match m {
                        ParsedMessage::Paxlst { manifest, part } => {
                            if let Some(done) =
                                assembler.push(manifest, part, std::time::Duration::ZERO)
                            {
                                write(out, &done)?;
                            }
                        }
                        ParsedMessage::Cusres(c) => write(out, &c)?,
                        ParsedMessage::Unsupported {
                            message_type,
                            segment,
                            offset,
                            ..
                        } => write(
                            out,
                            &ErrorLine {
                                error: format!("unsupported message type {message_type:?}"),
                                input: name,
                                segment,
                                offset,
                            },
                        )?,
                    }
                }
            }
        }
    }
    for m in assembler.flush() {
        write(out, &m)?;
    }
    Ok(lines)
}

mod erased {
    /// Serialises any of the line types without generics in the closure above.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
        }
    }
}
