//! Traveller input as NDJSON: one passenger per line, strict about field names (a misspelt field
//! is an error naming the line, not a silently unscreened date of birth).

use crate::model::{Country, Gender, PartialDate, Passenger, TravelDocument};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentInput {
    #[serde(rename = "type", default)]
    doc_type: Option<String>,
    number: String,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    expiry: Option<String>,
    #[serde(default)]
    issued: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PassengerInput {
    id: serde_json::Value,
    #[serde(default)]
    surname: Option<String>,
    #[serde(default)]
    given_names: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    dob: Option<String>,
    #[serde(default)]
    dob_century_ambiguous: bool,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    nationality: Option<String>,
    #[serde(default)]
    documents: Vec<DocumentInput>,
}

fn opt_date(field: &str, v: Option<String>) -> Result<Option<PartialDate>, String> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|e| format!("field {field}: {e}")),
    }
}

fn opt_country(field: &str, v: Option<String>) -> Result<Option<Country>, String> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Country::parse(s)
            .map(Some)
            .ok_or_else(|| format!("field {field}: unknown country code")),
    }
}

/// Parses one NDJSON passenger line. Errors name the field, never echo its value (it may be
/// personal data).
pub fn parse_passenger(line: &str) -> Result<Passenger, String> {
    let raw: PassengerInput = serde_json::from_str(line).map_err(|e| json_error(&e))?;
    passenger_from_input(raw)
}

/// A JSON error without the values serde quotes in type errors (`invalid type: integer 1968`):
/// unknown and missing field names are kept, anything else is reported by column only.
fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.starts_with("unknown field") || msg.starts_with("missing field") {
        let field = msg.split('`').nth(1).unwrap_or("?");
        let what = if msg.starts_with("unknown") {
            "unknown field"
        } else {
            "missing field"
        };
        format!(
            "invalid passenger JSON: {what} {field} at column {}",
            e.column()
        )
    } else {
        let kind = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "syntax",
            _ => "a value of the wrong type",
        };
        format!("invalid passenger JSON: {kind} at column {}", e.column())
    }
}

/// Parses a passenger from an already-decoded JSON value (used by `compare`).
pub fn passenger_from_value(v: serde_json::Value) -> Result<Passenger, String> {
    let raw: PassengerInput = serde_json::from_value(v).map_err(|e| json_error(&e))?;
    passenger_from_input(raw)
}

fn passenger_from_input(raw: PassengerInput) -> Result<Passenger, String> {
    let id = match raw.id {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        _ => return Err("field id: must be a string or number".into()),
    };
    let has_name = [&raw.surname, &raw.given_names, &raw.name]
        .iter()
        .any(|f| f.as_deref().is_some_and(|s| !s.trim().is_empty()));
    if !has_name {
        return Err("passenger has no name (surname, given_names or name)".into());
    }
    let gender = match raw.gender.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(g) => Some(Gender::parse(g).ok_or("field gender: expected M, F or X")?),
    };
    let mut documents = Vec::with_capacity(raw.documents.len());
    for (i, d) in raw.documents.into_iter().enumerate() {
        if d.number.trim().is_empty() {
            return Err(format!("field documents[{i}].number: empty"));
        }
        documents.push(TravelDocument {
            doc_type: d.doc_type.filter(|t| !t.trim().is_empty()),
            number: d.number,
            country: opt_country(&format!("documents[{i}].country"), d.country)?,
            expiry: opt_date(&format!("documents[{i}].expiry"), d.expiry)?,
            issued: opt_date(&format!("documents[{i}].issued"), d.issued)?,
        });
    }
    Ok(Passenger {
        id,
        surname: raw.surname,
        given_names: raw.given_names,
        name: raw.name,
        dob: opt_date("dob", raw.dob)?,
        dob_century_ambiguous: raw.dob_century_ambiguous,
        gender,
        nationality: opt_country("nationality", raw.nationality)?,
        documents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let p = parse_passenger(r#"{"id":"p1","surname":"ALI","given_names":"HASSAN","dob":"1968-07-01","gender":"M","nationality":"IRQ","documents":[{"type":"P","number":"A1234567","country":"IRQ"}]}"#).unwrap();
        assert_eq!(p.id, "p1");
        assert_eq!(p.dob.unwrap().to_string(), "1968-07-01");
        assert_eq!(p.nationality.unwrap().alpha3(), "IRQ");
        assert_eq!(p.documents[0].country.unwrap().alpha3(), "IRQ");
    }

    #[test]
    fn full_name_and_alpha2() {
        let p = parse_passenger(r#"{"id":7,"name":"Hassan Ali","nationality":"IQ"}"#).unwrap();
        assert_eq!(p.id, "7");
        assert_eq!(p.nationality.unwrap().alpha3(), "IRQ");
    }

    #[test]
    fn errors_name_the_field_not_the_value() {
        let e = parse_passenger(r#"{"id":"p1","surname":"ALI","dob":"1968-13-01"}"#).unwrap_err();
        assert!(e.contains("dob"), "{e}");
        assert!(!e.contains("1968"), "{e}");
        let e = parse_passenger(r#"{"id":"p1","surname":"ALI","birthdate":"1968"}"#).unwrap_err();
        assert!(e.contains("birthdate"), "{e}");
        let e = parse_passenger(r#"{"id":"p1"}"#).unwrap_err();
        assert!(e.contains("no name"), "{e}");
        assert!(parse_passenger("{not json").is_err());
        // a value of the wrong type is not echoed
        let e = parse_passenger(r#"{"id":"p1","surname":"ALI","dob":19680701}"#).unwrap_err();
        assert!(!e.contains("19680701"), "{e}");
        let e = parse_passenger(r#"{"id":"p1","surname":["SECRET"]}"#).unwrap_err();
        assert!(!e.contains("SECRET"), "{e}");
    }
}
