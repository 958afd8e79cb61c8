//! gRPC statuses for everything a request can get wrong, with `google.rpc` details (BadRequest,
//! QuotaFailure, ErrorInfo) so that clients in any language can act on them; and the deadline
//! every handler works against.
//!
//! Messages name the field, the limit, the segment and byte offset — never a value from the
//! request (it may be a name, a date of birth or a document number).

use crate::engine::EngineError;
use crate::paxlst::ParseError;
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

/// The `ErrorInfo.domain` of every paxscreen error.
pub const DOMAIN: &str = "paxscreen";

/// Collects field violations of one request, so that a client learns about all of them at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

/// At most this many violations are reported (a 5,000-traveller manifest could have 5,000).
const MAX_VIOLATIONS: usize = 100;

impl Violations {
    pub fn add(&mut self, field: impl Into<String>, description: impl Into<String>) {
        if self.0.len() < MAX_VIOLATIONS {
            self.0.push(FieldViolation::new(field, description));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was wrong, otherwise INVALID_ARGUMENT listing every violation.
    pub fn into_result(self) -> Result<(), Status> {
        if self.0.is_empty() {
            return Ok(());
        }
        let first = &self.0[0];
        let message = if self.0.len() == 1 {
            format!("{}: {}", first.field, first.description)
        } else {
            format!(
                "{}: {} (and {} more problems, see details)",
                first.field,
                first.description,
                self.0.len() - 1
            )
        };
        Err(Status::with_error_details(
            Code::InvalidArgument,
            message,
            ErrorDetails::with_bad_request(self.0),
        ))
    }
}

/// INVALID_ARGUMENT for one field.
pub fn invalid(field: &str, description: impl Into<String>) -> Status {
    let mut v = Violations::default();
    v.add(field, description);
    v.into_result()
        .err()
        .unwrap_or_else(|| Status::invalid_argument(field.to_string()))
}

fn meta(metadata: &[(&str, String)]) -> HashMap<String, String> {
    metadata
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// RESOURCE_EXHAUSTED naming the configuration key of the limit that was exceeded.
pub fn quota(
    message: String,
    limit_key: &str,
    reason: &str,
    metadata: &[(&str, String)],
) -> Status {
    let mut d = ErrorDetails::with_quota_failure_violation(limit_key, message.clone());
    d.set_error_info(reason, DOMAIN, meta(metadata));
    Status::with_error_details(Code::ResourceExhausted, message, d)
}

/// A message larger than `limits.max_message_bytes`.
pub fn too_large(got: usize, max: usize) -> Status {
    quota(
        format!("message is {got} bytes; limits.max_message_bytes allows at most {max}"),
        "limits.max_message_bytes",
        "MESSAGE_TOO_LARGE",
        &[("size", got.to_string()), ("limit", max.to_string())],
    )
}

/// A manifest with more travellers than `limits.max_travellers`.
pub fn too_many_travellers(
    got: Option<usize>,
    max: usize,
    place: Option<(usize, usize)>,
) -> Status {
    let mut message = match got {
        Some(got) => {
            format!("manifest has {got} travellers; limits.max_travellers allows at most {max}")
        }
        None => format!("manifest has more than {max} travellers (limits.max_travellers)"),
    };
    let mut meta = vec![("limit", max.to_string())];
    if let Some(got) = got {
        meta.push(("travellers", got.to_string()));
    }
    if let Some((segment, offset)) = place {
        message = format!("segment {segment} at byte {offset}: {message}");
        meta.push(("segment", segment.to_string()));
        meta.push(("offset", offset.to_string()));
    }
    quota(
        message,
        "limits.max_travellers",
        "TOO_MANY_TRAVELLERS",
        &meta,
    )
}

/// What the engine refused.
pub fn engine(e: EngineError) -> Status {
    match e {
        EngineError::TooManyTravellers { got, max } => too_many_travellers(Some(got), max, None),
        EngineError::TooLarge { got, max } => too_large(got, max),
        EngineError::BadListName(_) => invalid(
            "list",
            "list name must be 1-64 characters of [A-Za-z0-9_.-]",
        ),
        // the store's message is technical (backend errors), never request content
        EngineError::Store(e) => Status::unavailable(format!("alert store unavailable: {e}")),
    }
}

/// Unreadable EDIFACT: INVALID_ARGUMENT with the segment number and byte offset in the message
/// and in the details; the parser's own limits become RESOURCE_EXHAUSTED.
pub fn edifact(field: &str, e: &ParseError, max_travellers: usize) -> Status {
    let (segment, offset) = (e.segment(), e.offset());
    match e {
        ParseError::TooLarge { size, limit, .. } => too_large(*size, *limit),
        ParseError::TooManyTravellers { .. } => {
            too_many_travellers(None, max_travellers, Some((segment, offset)))
        }
        _ => {
            let message = e.to_string();
            let mut d = ErrorDetails::with_bad_request_violation(field, message.clone());
            d.set_error_info(
                "EDIFACT_UNREADABLE",
                DOMAIN,
                meta(&[
                    ("segment", segment.to_string()),
                    ("offset", offset.to_string()),
                ]),
            );
            Status::with_error_details(Code::InvalidArgument, message, d)
        }
    }
}

/// A blocking task that did not come back (it panicked): nothing of the request is quoted.
pub fn internal(what: &str) -> Status {
    Status::internal(format!("{what} failed unexpectedly"))
}

pub fn deadline_exceeded(what: &str) -> Status {
    Status::deadline_exceeded(format!("deadline exceeded before {what} finished"))
}

pub fn shutting_down() -> Status {
    Status::unavailable("server shutting down")
}

/// When the call must be answered by: the client's `grpc-timeout`, measured from when the
/// request arrived (set by [`super::layers`] before tonic's own timeout starts, so that the
/// handler's DEADLINE_EXCEEDED wins over tonic's generic CANCELLED).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline(pub Instant);

impl Deadline {
    pub fn of<T>(req: &tonic::Request<T>) -> Option<Instant> {
        req.extensions().get::<Deadline>().map(|d| d.0)
    }
}

/// Parses a `grpc-timeout` header value (`1-8 digits` + `H`, `M`, `S`, `m`, `u` or `n`).
pub fn parse_grpc_timeout(v: &str) -> Option<Duration> {
    let (digits, unit) = v.split_at(v.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse_per_spec() {
        assert_eq!(parse_grpc_timeout("5S"), Some(Duration::from_secs(5)));
        assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(
            parse_grpc_timeout("99999999n"),
            Some(Duration::from_nanos(99_999_999))
        );
        for bad in ["", "S", "123456789S", "5s", "-1S", "1.5S"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad}");
        }
    }

    #[test]
    fn violations_are_listed_and_name_fields_only() {
        let mut v = Violations::default();
        v.add(
            "manifest.travellers[3].dob",
            "not YYYY, YYYY-MM or YYYY-MM-DD",
        );
        v.add("manifest.travellers[7].nationality", "unknown country code");
        let s = v.into_result().unwrap_err();
        assert_eq!(s.code(), Code::InvalidArgument);
        assert!(s.message().contains("travellers[3].dob"), "{}", s.message());
        assert!(s.message().contains("1 more"), "{}", s.message());
        let d = s.get_error_details();
        assert_eq!(d.bad_request().unwrap().field_violations.len(), 2);
    }

    #[test]
    fn engine_limits_become_resource_exhausted_naming_the_limit() {
        let s = engine(EngineError::TooManyTravellers { got: 12, max: 10 });
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("limits.max_travellers"));
        let d = s.get_error_details();
        assert_eq!(
            d.quota_failure().unwrap().violations[0].subject,
            "limits.max_travellers"
        );
        assert_eq!(d.error_info().unwrap().reason, "TOO_MANY_TRAVELLERS");
        let s = engine(EngineError::TooLarge { got: 11, max: 10 });
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("limits.max_message_bytes"));
    }
}
