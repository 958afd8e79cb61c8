//! paxscreen's native list format: one JSON entry per line.
//!
//! ```json
//! {"id":"X1","list":"national","severity":"high","names":["Ali Hassan Al-Tikriti","علي حسن التكريتي"],
//!  "dob":["1968-07-01","1970"],"gender":"M","nationalities":["IRQ"],
//!  "documents":[{"type":"P","number":"A1234567","country":"IRQ"}]}
//! ```
//!
//! Names are strings (the first is the primary name, the rest aliases, and a name without Latin
//! letters is an original-script name) or `{"full":…,"kind":…}` objects. Dates of birth use the
//! [`DateSpec`] text form (`1968-07-01`, `1968`, `~1968`, `1965..1968`). Unknown fields are an
//! error for that line: a typo must not silently drop a date of birth.

use super::{ListFormat, LoadSummary, WatchlistError, has_latin, push_unique};
use crate::model::{
    Country, DateSpec, EntityType, EntryName, Gender, NameKind, PartialDate, Severity,
    TravelDocument, WatchlistEntry,
};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::Path;

/// Lines longer than this are reported and skipped without being parsed.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Reads and parses an NDJSON list file.
pub fn load_ndjson(path: &Path) -> Result<(Vec<WatchlistEntry>, LoadSummary), WatchlistError> {
    let bytes = std::fs::read(path).map_err(|err| WatchlistError::Io {
        path: path.display().to_string(),
        err,
    })?;
    Ok(parse_ndjson(&path.display().to_string(), &bytes))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: String,
    list: String,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    entity_type: Option<EntityType>,
    names: Vec<RawName>,
    #[serde(default, alias = "dobs")]
    dob: Vec<DateSpec>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    nationalities: Vec<Country>,
    #[serde(default)]
    places_of_birth: Vec<String>,
    #[serde(default)]
    documents: Vec<RawDocument>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawName {
    Text(String),
    Full(FullName),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FullName {
    full: String,
    #[serde(default)]
    kind: Option<NameKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    #[serde(rename = "type", default)]
    doc_type: Option<String>,
    number: String,
    #[serde(default)]
    country: Option<Country>,
    #[serde(default)]
    expiry: Option<PartialDate>,
    #[serde(default)]
    issued: Option<PartialDate>,
}

/// Turns a parsed line into an entry, or says why it cannot be one.
fn convert(raw: RawEntry) -> Result<WatchlistEntry, String> {
    let id = raw.id.trim().to_string();
    if id.is_empty() {
        return Err("empty id".into());
    }
    let list = raw.list.trim().to_string();
    if list.is_empty() {
        return Err("empty list".into());
    }
    let severity = match raw.severity.as_deref() {
        None => Severity::default(),
        Some(s) => Severity::parse(s).ok_or_else(|| format!("unknown severity {s:?}"))?,
    };
    let gender = match raw.gender.as_deref() {
        None | Some("") => None,
        Some(g) => Some(Gender::parse(g).ok_or_else(|| format!("unknown gender {g:?}"))?),
    };
    let mut names: Vec<EntryName> = Vec::new();
    for (i, n) in raw.names.into_iter().enumerate() {
        let (full, kind) = match n {
            RawName::Text(s) => {
                let kind = if !has_latin(&s) {
                    NameKind::OriginalScript
                } else if i == 0 {
                    NameKind::Primary
                } else {
                    NameKind::Alias
                };
                (s, kind)
            }
            RawName::Full(f) => {
                let kind = f.kind.unwrap_or(if i == 0 {
                    NameKind::Primary
                } else {
                    NameKind::Alias
                });
                (f.full, kind)
            }
        };
        let full = super::clean_space(&full);
        if full.is_empty() {
            return Err(format!("name {} is empty", i + 1));
        }
        names.push(EntryName { full, kind });
    }
    if names.is_empty() {
        return Err("no names".into());
    }
    let mut e = WatchlistEntry {
        id,
        list,
        severity,
        entity_type: raw.entity_type.unwrap_or_default(),
        names,
        gender,
        ..Default::default()
    };
    for d in raw.dob {
        push_unique(&mut e.dobs, d);
    }
    for c in raw.nationalities {
        push_unique(&mut e.nationalities, c);
    }
    for p in raw.places_of_birth {
        let p = super::clean_space(&p);
        if !p.is_empty() {
            push_unique(&mut e.places_of_birth, p);
        }
    }
    for d in raw.documents {
        if d.number.trim().is_empty() {
            return Err("document without a number".into());
        }
        e.documents.push(TravelDocument {
            doc_type: d.doc_type.filter(|t| !t.trim().is_empty()),
            number: d.number.trim().to_string(),
            country: d.country,
            expiry: d.expiry,
            issued: d.issued,
        });
    }
    Ok(e)
}

/// Parses NDJSON held in memory. Never fails: bad lines are reported in the summary.
pub fn parse_ndjson(name: &str, bytes: &[u8]) -> (Vec<WatchlistEntry>, LoadSummary) {
    let mut summary = LoadSummary::new(name, ListFormat::Ndjson);
    let mut entries = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let loc = || format!("{name}:{}", i + 1);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        if line.len() > MAX_LINE_BYTES {
            summary.skip(
                loc(),
                format!("line of {} bytes is over {MAX_LINE_BYTES}", line.len()),
            );
            continue;
        }
        let Ok(text) = std::str::from_utf8(line) else {
            summary.skip(loc(), "invalid utf-8");
            continue;
        };
        let raw: RawEntry = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                summary.skip(loc(), format!("invalid entry: {e}"));
                continue;
            }
        };
        match convert(raw) {
            Ok(e) => {
                if !ids.insert(e.id.clone()) {
                    summary.skip(loc(), format!("duplicate id {:?}", e.id));
                    continue;
                }
                entries.push(e);
            }
            Err(why) => summary.skip(loc(), why),
        }
    }
    let summary = summary.finish(&entries);
    (entries, summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_loads() {
        let line = r#"{"id":"X1","list":"national","severity":"high","names":["Ali Hassan Al-Tikriti","علي حسن التكريتي"],"dob":["1968-07-01","1970"],"gender":"M","nationalities":["IRQ"],"documents":[{"type":"P","number":"A1234567","country":"IRQ"}]}"#;
        let (entries, s) = parse_ndjson("t", line.as_bytes());
        assert_eq!(s.skipped, 0, "{:?}", s.problems);
        let e = &entries[0];
        assert_eq!(e.names[0].kind, NameKind::Primary);
        assert_eq!(e.names[1].kind, NameKind::OriginalScript);
        assert_eq!(e.dobs.len(), 2);
        assert_eq!(e.gender, Some(Gender::Male));
        assert_eq!(e.nationalities[0].alpha3(), "IRQ");
        assert_eq!(e.documents[0].country.unwrap().alpha3(), "IRQ");
    }

    #[test]
    fn bad_lines_are_reported_with_their_line() {
        let input = b"{\"id\":\"a\",\"list\":\"l\",\"names\":[\"A B\"]}\n\
            {\"id\":\"b\",\"list\":\"l\",\"names\":[\"A B\"],\"colour\":\"red\"}\n\
            \n\
            not json\n\
            {\"id\":\"a\",\"list\":\"l\",\"names\":[\"C D\"]}\n\
            {\"id\":\"c\",\"list\":\"l\",\"names\":[{\"full\":\"X Y\",\"kind\":\"weak_alias\"}],\"dob\":[\"~1970\",\"1965..1968\"],\"nationalities\":[\"iq\"]}\n\
            \xff\xfe\n";
        let (entries, s) = parse_ndjson("f.ndjson", input);
        assert_eq!(entries.len(), 2);
        assert_eq!(s.skipped, 4);
        let locs: Vec<&str> = s.problems.iter().map(|p| p.location.as_str()).collect();
        assert_eq!(
            locs,
            ["f.ndjson:2", "f.ndjson:4", "f.ndjson:5", "f.ndjson:7"]
        );
        assert!(s.problems[0].reason.contains("colour"));
        assert_eq!(entries[1].names[0].kind, NameKind::WeakAlias);
        assert_eq!(entries[1].nationalities[0].alpha3(), "IRQ");
    }
}
