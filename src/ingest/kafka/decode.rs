//! One input record → the manifests (or manifest parts) it carries, or the reason it cannot be
//! read (which sends it to the dead-letter topic).
//!
//! A record holds one EDIFACT interchange (raw PAXLST, possibly several UNH messages, possibly
//! one part of a multi-part transmission) or one JSON manifest (the serde form `paxscreen parse`
//! prints). The `content-type` header decides when it names a known type (`application/json`,
//! `application/edifact`, …); otherwise the content does: a record whose first non-blank byte
//! is `{` is JSON, anything else is read as EDIFACT (and fails with a segment and byte offset if
//! it is not).

use crate::model::Manifest;
use crate::paxlst::{self, ParseError, ParseOptions, ParsedMessage, PartInfo};

/// What a record turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Edifact,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Edifact => "edifact",
            Format::Json => "json",
        }
    }
}

/// One PAXLST message (or JSON manifest) of a record.
#[derive(Debug, Clone)]
pub enum Piece {
    /// A whole manifest: screen it now.
    Complete(Manifest),
    /// One part of a multi-part transmission: hold it until its flight is complete.
    Part { manifest: Manifest, part: PartInfo },
}

/// A readable record.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub format: Format,
    pub pieces: Vec<Piece>,
    /// Message types in the record that are not screened (CUSRES answers, PNRGOV …), counted
    /// but otherwise ignored when the record also holds PAXLST.
    pub skipped: Vec<String>,
}

/// Why a record goes to the dead-letter topic. Messages name places (segment, byte offset,
/// line and column), never field values: they are logged and may be read by operators who
/// must not see personal data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty record (no payload)")]
    Empty,
    #[error("record is {got} bytes; at most {max} are accepted")]
    TooLarge { got: usize, max: usize },
    #[error("PAXLST: {0}")]
    Paxlst(#[from] ParseError),
    #[error("JSON manifest: {message} at line {line} column {column}")]
    Json {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("no PAXLST message in the record (found {found})")]
    NoPaxlst { found: String },
    #[error("manifest has {got} travellers; at most {max} are accepted")]
    TooManyTravellers { got: usize, max: usize },
}

impl DecodeError {
    /// A short, stable reason for metrics labels and the `paxscreen.error.kind` header.
    pub fn kind(&self) -> &'static str {
        match self {
            DecodeError::Empty => "empty",
            DecodeError::TooLarge { .. } => "too_large",
            DecodeError::Paxlst(_) => "paxlst",
            DecodeError::Json { .. } => "json",
            DecodeError::NoPaxlst { .. } => "no_paxlst",
            DecodeError::TooManyTravellers { .. } => "too_many_travellers",
        }
    }

    /// EDIFACT segment number (1-based) the error refers to, when it is a PAXLST error.
    pub fn segment(&self) -> Option<usize> {
        match self {
            DecodeError::Paxlst(e) => Some(e.segment()),
            _ => None,
        }
    }

    /// Byte offset in the record, when known.
    pub fn byte_offset(&self) -> Option<usize> {
        match self {
            DecodeError::Paxlst(e) => Some(e.offset()),
            _ => None,
        }
    }
}

/// Picks the format from a `content-type` header value, if it names one.
fn format_from_header(content_type: Option<&str>) -> Option<Format> {
    let ct = content_type?.trim().to_ascii_lowercase();
    if ct.contains("json") {
        Some(Format::Json)
    } else if ct.contains("edifact") || ct.contains("paxlst") || ct.contains("edi-x12") {
        Some(Format::Edifact)
    } else {
        None
    }
}

fn sniff(bytes: &[u8]) -> Format {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Format::Json,
        _ => Format::Edifact,
    }
}

/// Reads one record. `opts` bounds the parse (size, travellers, messages).
pub fn decode(
    payload: Option<&[u8]>,
    content_type: Option<&str>,
    opts: &ParseOptions,
) -> Result<Decoded, DecodeError> {
    let bytes = match payload {
        Some(b) if !b.iter().all(u8::is_ascii_whitespace) => b,
        _ => return Err(DecodeError::Empty),
    };
    if bytes.len() > opts.max_bytes {
        return Err(DecodeError::TooLarge {
            got: bytes.len(),
            max: opts.max_bytes,
        });
    }
    let format = format_from_header(content_type).unwrap_or_else(|| sniff(bytes));
    match format {
        Format::Json => {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let m: Manifest = serde_json::from_slice(body).map_err(|e| json_error(&e))?;
            if m.travellers.len() > opts.max_travellers {
                return Err(DecodeError::TooManyTravellers {
                    got: m.travellers.len(),
                    max: opts.max_travellers,
                });
            }
            Ok(Decoded {
                format,
                pieces: vec![Piece::Complete(m)],
                skipped: Vec::new(),
            })
        }
        Format::Edifact => {
            let messages = paxlst::parse(bytes, opts)?;
            let mut pieces = Vec::new();
            let mut skipped = Vec::new();
            for msg in messages {
                match msg {
                    ParsedMessage::Paxlst { manifest, part } if part.is_complete() => {
                        pieces.push(Piece::Complete(manifest))
                    }
                    ParsedMessage::Paxlst { manifest, part } => {
                        pieces.push(Piece::Part { manifest, part })
                    }
                    ParsedMessage::Cusres(_) => skipped.push("CUSRES".to_string()),
                    ParsedMessage::Unsupported { message_type, .. } => skipped.push(message_type),
                }
            }
            if pieces.is_empty() {
                return Err(DecodeError::NoPaxlst {
                    found: skipped.join(", "),
                });
            }
            Ok(Decoded {
                format,
                pieces,
                skipped,
            })
        }
    }
}

/// A JSON error without the values serde quotes in type errors (`invalid type: string "ALI"`):
/// unknown and missing field names are kept (they are the schema's words), anything else is
/// reported by category and place only.
fn json_error(e: &serde_json::Error) -> DecodeError {
    let msg = e.to_string();
    let message = if msg.starts_with("unknown field") || msg.starts_with("missing field") {
        let field = msg.split('`').nth(1).unwrap_or("?");
        let what = if msg.starts_with("unknown") {
            "unknown field"
        } else {
            "missing field"
        };
        format!("{what} `{field}`")
    } else {
        match e.classify() {
            serde_json::error::Category::Syntax => "syntax error".to_string(),
            serde_json::error::Category::Eof => "unexpected end of input".to_string(),
            serde_json::error::Category::Io => "unreadable input".to_string(),
            serde_json::error::Category::Data => "a value of the wrong type".to_string(),
        }
    };
    DecodeError::Json {
        message,
        line: e.line(),
        column: e.column(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: &str = "UNA:+.? '\nUNB+UNOA:4+AIR+GOV+260301:1200+1'\nUNH+1+PAXLST:D:05B:UN:IATA'\nBGM+745'\nTDT+20+XX100'\nLOC+125+CDG'\nDTM+189:2603011000:201'\nLOC+87+JFK'\nDTM+232:2603011400:201'\nNAD+FL+++DOE:JOHN'\nATT+2++M'\nDTM+329:800101'\nCNT+42:1'\nUNT+11+1'\nUNZ+1+1'\n";

    #[test]
    fn edifact_and_json_are_told_apart_by_header_or_content() {
        let opts = ParseOptions::default();
        let d = decode(Some(SINGLE.as_bytes()), None, &opts).unwrap();
        assert_eq!(d.format, Format::Edifact);
        assert!(matches!(&d.pieces[..], [Piece::Complete(m)] if m.travellers.len() == 1));

        let json = serde_json::to_vec(&match &d.pieces[0] {
            Piece::Complete(m) => m.clone(),
            Piece::Part { .. } => unreachable!(),
        })
        .unwrap();
        let j = decode(Some(&json), None, &opts).unwrap();
        assert_eq!(j.format, Format::Json);
        let j = decode(Some(&json), Some("application/json; charset=utf-8"), &opts).unwrap();
        assert_eq!(j.format, Format::Json);
        // the header wins over the content
        let e = decode(Some(&json), Some("application/EDIFACT"), &opts).unwrap_err();
        assert_eq!(e.kind(), "paxlst");
    }

    #[test]
    fn errors_name_places_never_values() {
        let opts = ParseOptions::default();
        assert_eq!(decode(None, None, &opts).unwrap_err(), DecodeError::Empty);
        assert_eq!(
            decode(Some(b"  \n"), None, &opts).unwrap_err(),
            DecodeError::Empty
        );
        let e = decode(Some(b"hello, not edifact"), None, &opts).unwrap_err();
        assert_eq!(e.kind(), "paxlst");
        assert!(e.segment().is_some() && e.byte_offset().is_some(), "{e}");

        let e = decode(
            Some(br#"{"travellers":[{"id":"1","surname":12345}]}"#),
            None,
            &opts,
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("line 1 column"), "{text}");
        assert!(
            !text.contains("12345"),
            "the value must not be quoted: {text}"
        );

        let small = ParseOptions {
            max_bytes: 10,
            ..ParseOptions::default()
        };
        assert_eq!(
            decode(Some(SINGLE.as_bytes()), None, &small)
                .unwrap_err()
                .kind(),
            "too_large"
        );
        let e = decode(Some(&[0xff, 0xfe, 0x00, 0x41]), None, &opts).unwrap_err();
        assert_eq!(e.kind(), "paxlst", "{e}");
    }
}
