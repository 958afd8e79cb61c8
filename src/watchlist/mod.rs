//! Watchlist loaders: here is a UN XML / OFAC CSV / NDJSON list — which entries does it hold?
//!
//! Each format has its own module ([`un`], [`ofac`], [`ndjson`]) that turns bytes into
//! [`WatchlistEntry`] values plus a [`LoadSummary`]. The contract shared by all of them:
//!
//! - A malformed record (a bad NDJSON line, a short CSV row, an XML record without an id) is
//!   reported in the summary with its file and line (or record index / DATAID) and skipped; the
//!   rest of the file still loads. Nothing panics on any input.
//! - Only a fatal problem — the file cannot be read, or it is not the format at all — is an
//!   [`WatchlistError`].
//! - Nothing personal is logged: `tracing` sees counts and source names only. Problem reasons
//!   stay in the summary, which is returned to the caller and never logged here.

pub mod ndjson;
pub mod ofac;
pub mod un;

pub use ndjson::{load_ndjson, parse_ndjson};
pub use ofac::{load_ofac, parse_ofac};
pub use un::{load_un_xml, parse_un_xml};

use crate::model::{Country, DateSpec, EntityType, EntryName, PartialDate, WatchlistEntry};
use serde::Serialize;
use std::path::Path;

/// The list formats the loaders understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    /// UN Security Council consolidated list XML.
    UnXml,
    /// OFAC SDN legacy CSV (`sdn.csv`, with `alt.csv`/`add.csv` beside it).
    OfacCsv,
    /// paxscreen's own format, one JSON entry per line.
    Ndjson,
}

/// A fatal load error: nothing usable came out of the source.
#[derive(Debug, thiserror::Error)]
pub enum WatchlistError {
    #[error("cannot read watchlist {path}: {err}")]
    Io {
        path: String,
        #[source]
        err: std::io::Error,
    },
    #[error("cannot tell the format of watchlist {path}")]
    UnknownFormat { path: String },
    #[error("watchlist {path} is not a UN consolidated list XML: {reason}")]
    NotUnXml { path: String, reason: String },
}

impl WatchlistError {
    /// Whose fault: every variant is bad input (or a missing file), so a retry with the same
    /// input cannot help.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// One malformed record or value, kept so an operator can fix the source.
///
/// `reason` may quote the offending value: the summary goes back to whoever supplied the list and
/// must not be logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadProblem {
    /// `file:line` for line formats, `file: record N (DATAID x)` for XML.
    pub location: String,
    pub reason: String,
}

/// What a load produced, and what it had to leave out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    /// The file path or upload name.
    pub source: String,
    pub format: ListFormat,
    /// Entries returned (all entity types).
    pub entries: usize,
    /// Entries that are persons, i.e. screened against travellers.
    pub individuals: usize,
    /// Records dropped because they were malformed.
    pub skipped: usize,
    /// Nationality values that no country table knows (the entry keeps loading without them).
    pub unknown_nationalities: usize,
    /// Every problem seen, including those beyond the stored cap.
    pub problems_total: usize,
    /// The first [`MAX_STORED_PROBLEMS`] problems.
    pub problems: Vec<LoadProblem>,
}

/// How many problems a summary keeps verbatim; a broken file can have millions.
pub const MAX_STORED_PROBLEMS: usize = 100;

impl LoadSummary {
    pub(crate) fn new(source: &str, format: ListFormat) -> LoadSummary {
        LoadSummary {
            source: source.to_string(),
            format,
            entries: 0,
            individuals: 0,
            skipped: 0,
            unknown_nationalities: 0,
            problems_total: 0,
            problems: Vec::new(),
        }
    }

    /// Records a problem; the record it belongs to is still kept unless [`Self::skip`] is called.
    pub(crate) fn problem(&mut self, location: impl Into<String>, reason: impl Into<String>) {
        self.problems_total += 1;
        if self.problems.len() < MAX_STORED_PROBLEMS {
            self.problems.push(LoadProblem {
                location: location.into(),
                reason: reason.into(),
            });
        }
    }

    /// Records a problem that made the loader drop the record.
    pub(crate) fn skip(&mut self, location: impl Into<String>, reason: impl Into<String>) {
        self.skipped += 1;
        self.problem(location, reason);
    }

    /// Fills in the entry counts and logs them (counts only, never content).
    pub(crate) fn finish(mut self, entries: &[WatchlistEntry]) -> LoadSummary {
        self.entries = entries.len();
        self.individuals = entries
            .iter()
            .filter(|e| e.entity_type == EntityType::Individual)
            .count();
        tracing::info!(
            source = %self.source,
            format = ?self.format,
            entries = self.entries,
            individuals = self.individuals,
            skipped = self.skipped,
            problems = self.problems_total,
            unknown_nationalities = self.unknown_nationalities,
            "watchlist loaded"
        );
        self
    }
}

/// Guesses the format from the file name and its first bytes (content wins over the name).
pub fn detect_format(path: &Path, first_bytes: &[u8]) -> Option<ListFormat> {
    let head = first_bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(first_bytes);
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    match start.map(|i| head[i]) {
        Some(b'<') => return Some(ListFormat::UnXml),
        Some(b'{') => return Some(ListFormat::Ndjson),
        _ => {}
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("xml") => return Some(ListFormat::UnXml),
        Some("ndjson" | "jsonl") => return Some(ListFormat::Ndjson),
        Some("csv") => return Some(ListFormat::OfacCsv),
        _ => {}
    }
    // A legacy SDN row starts with its numeric ent_num and a comma.
    let s = start.map(|i| &head[i..]).unwrap_or_default();
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && s.get(digits) == Some(&b',') {
        return Some(ListFormat::OfacCsv);
    }
    None
}

fn read_file(path: &Path) -> Result<Vec<u8>, WatchlistError> {
    std::fs::read(path).map_err(|err| WatchlistError::Io {
        path: path.display().to_string(),
        err,
    })
}

/// Loads any supported list, detecting its format. For OFAC, `alt.csv` and `add.csv` beside the
/// given `sdn.csv` are read too.
pub fn load_path(path: &Path) -> Result<(Vec<WatchlistEntry>, LoadSummary), WatchlistError> {
    let bytes = read_file(path)?;
    let format = detect_format(path, &bytes[..bytes.len().min(4096)]).ok_or_else(|| {
        WatchlistError::UnknownFormat {
            path: path.display().to_string(),
        }
    })?;
    let name = path.display().to_string();
    match format {
        ListFormat::UnXml => parse_un_xml(&name, &bytes),
        ListFormat::Ndjson => Ok(parse_ndjson(&name, &bytes)),
        ListFormat::OfacCsv => load_ofac_with_sdn(path, &bytes),
    }
}

fn load_ofac_with_sdn(
    sdn_path: &Path,
    sdn: &[u8],
) -> Result<(Vec<WatchlistEntry>, LoadSummary), WatchlistError> {
    let dir = sdn_path.parent().unwrap_or(Path::new("."));
    let side = |file: &str| -> Result<Option<(String, Vec<u8>)>, WatchlistError> {
        let p = dir.join(file);
        if p.is_file() {
            Ok(Some((p.display().to_string(), read_file(&p)?)))
        } else {
            Ok(None)
        }
    };
    let alt = side("alt.csv")?;
    let add = side("add.csv")?;
    Ok(parse_ofac(
        &sdn_path.display().to_string(),
        sdn,
        alt.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
        add.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
    ))
}

/// Loads a list held in memory (a gRPC upload). For [`ListFormat::OfacCsv`] the bytes are
/// `sdn.csv` alone: aliases from `alt.csv` are not available this way.
pub fn load_bytes(
    format: ListFormat,
    name: &str,
    bytes: &[u8],
) -> Result<(Vec<WatchlistEntry>, LoadSummary), WatchlistError> {
    match format {
        ListFormat::UnXml => parse_un_xml(name, bytes),
        ListFormat::Ndjson => Ok(parse_ndjson(name, bytes)),
        ListFormat::OfacCsv => Ok(parse_ofac(name, bytes, None, None)),
    }
}

// ---- helpers shared by the loaders ----

/// True when the text has at least one Latin letter (ASCII or accented Latin).
pub(crate) fn has_latin(s: &str) -> bool {
    s.chars().any(|c| {
        c.is_ascii_alphabetic()
            || (('\u{00C0}'..='\u{024F}').contains(&c) && c.is_alphabetic())
            || ('\u{1E00}'..='\u{1EFF}').contains(&c)
    })
}

/// Collapses runs of whitespace to single spaces and trims.
pub(crate) fn clean_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Generational suffixes that follow a comma without being a given name ("SANTOS, III").
fn is_suffix(s: &str) -> bool {
    matches!(
        s.trim_end_matches('.').to_ascii_uppercase().as_str(),
        "JR" | "SR" | "II" | "III" | "IV"
    )
}

/// "LAST, First Middle" → "First Middle LAST"; anything else is returned cleaned but unchanged.
/// Name order does not matter to the matcher; this only keeps one readable form across lists.
pub(crate) fn uninvert_name(s: &str) -> String {
    let s = clean_space(s);
    let Some((last, first)) = s.split_once(", ") else {
        return s;
    };
    let (last, first) = (last.trim(), first.trim());
    if last.is_empty() || first.is_empty() || first.contains(',') {
        return s;
    }
    if is_suffix(first) {
        return format!("{last} {first}");
    }
    format!("{first} {last}")
}

/// Adds a name unless the same text with the same kind is already there.
pub(crate) fn push_name(names: &mut Vec<EntryName>, full: String, kind: crate::model::NameKind) {
    if full.is_empty() || names.iter().any(|n| n.full == full && n.kind == kind) {
        return;
    }
    names.push(EntryName { full, kind });
}

pub(crate) fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// English month names and their abbreviations as lists write them ("Sep.", "September").
pub(crate) fn parse_month(s: &str) -> Option<u8> {
    let s = s.trim().trim_end_matches('.').to_ascii_lowercase();
    if s.len() < 3 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let n = MONTHS
        .iter()
        .position(|m| m.starts_with(&s) || (s == "sept" && m.starts_with("sep")))?;
    Some(n as u8 + 1)
}

/// A free-text date: "01 Jan 1970", "1 Jan. 1970", "Jan 1970", "1970", "1970-01-01".
pub(crate) fn parse_text_date(s: &str) -> Option<PartialDate> {
    let s = s.trim().trim_end_matches('.').trim();
    if let Ok(d) = s.parse::<PartialDate>() {
        return Some(d);
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let year = |w: &str| -> Option<u16> {
        (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
            .then(|| w.parse().ok())
            .flatten()
    };
    match words.as_slice() {
        [y] => PartialDate::new(year(y)?, None, None).ok(),
        [m, y] => PartialDate::new(year(y)?, Some(parse_month(m)?), None).ok(),
        [d, m, y] => {
            let day: u8 = d.trim_end_matches('.').parse().ok()?;
            PartialDate::new(year(y)?, Some(parse_month(m)?), Some(day)).ok()
        }
        _ => None,
    }
}

/// Parses a nationality value, counting it as unknown when no table knows it. Placeholders
/// ("na", "-", "unknown") are not counted: they carry no claim.
pub(crate) fn parse_nationality(
    s: &str,
    location: &str,
    summary: &mut LoadSummary,
) -> Option<Country> {
    let t = s.trim().trim_end_matches('.').trim();
    if t.is_empty()
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "na" | "n/a" | "-" | "unknown" | "none"
        )
    {
        return None;
    }
    let c = Country::parse(t);
    if c.is_none() {
        summary.unknown_nationalities += 1;
        summary.problem(location, format!("unknown nationality {t:?}"));
    }
    c
}

/// A date-of-birth statement in the words lists use: "1970", "01 Jan 1970", "circa 1970",
/// "1968 to 1970", "01 Jan 1960 to 31 Dec 1962", "circa 1968-1970".
pub(crate) fn parse_dob_text(s: &str) -> Option<DateSpec> {
    let s = s.trim().trim_end_matches('.').trim();
    let lower = s.to_ascii_lowercase();
    let prefix = ["circa ", "approximately ", "approx. ", "c. "]
        .into_iter()
        .find(|p| lower.starts_with(p));
    // The prefixes are ASCII, so their length is a char boundary in `s` too.
    let (approx, rest) = match prefix {
        Some(p) => (true, s[p.len()..].trim()),
        None => (false, s),
    };
    let range = rest
        .split_once(" to ")
        .or_else(|| rest.split_once(" - "))
        .or_else(|| {
            // "1968-1970": two bare years.
            let (a, b) = rest.split_once('-')?;
            (a.len() == 4 && b.len() == 4).then_some((a, b))
        });
    if let Some((a, b)) = range {
        let (a, b) = (parse_text_date(a)?, parse_text_date(b)?);
        return Some(DateSpec::Between {
            from: a.year.min(b.year),
            to: a.year.max(b.year),
        });
    }
    let d = parse_text_date(rest)?;
    Some(if approx {
        DateSpec::Approximate(d)
    } else {
        DateSpec::Exact(d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_detected_from_content_then_name() {
        let p = Path::new("list.bin");
        assert_eq!(
            detect_format(p, b"\xEF\xBB\xBF<?xml"),
            Some(ListFormat::UnXml)
        );
        assert_eq!(detect_format(p, b"  {\"id\":1}"), Some(ListFormat::Ndjson));
        assert_eq!(
            detect_format(p, b"36,\"AEROCARIBBEAN\""),
            Some(ListFormat::OfacCsv)
        );
        assert_eq!(
            detect_format(Path::new("x.csv"), b""),
            Some(ListFormat::OfacCsv)
        );
        assert_eq!(detect_format(p, b"hello"), None);
    }

    #[test]
    fn inverted_names_are_turned_round() {
        assert_eq!(uninvert_name("CRUZ, Juan M. de la"), "Juan M. de la CRUZ");
        assert_eq!(uninvert_name("Hilarion Santos, III"), "Hilarion Santos III");
        assert_eq!(uninvert_name("BANCO  NACIONAL"), "BANCO NACIONAL");
        assert_eq!(uninvert_name("A, B, C"), "A, B, C");
    }

    #[test]
    fn dob_texts_parse() {
        let ex = |s: &str| DateSpec::Exact(s.parse().unwrap());
        assert_eq!(parse_dob_text("01 Jan 1970"), Some(ex("1970-01-01")));
        assert_eq!(parse_dob_text("1 Jan. 1970."), Some(ex("1970-01-01")));
        assert_eq!(parse_dob_text("Sep 1958"), Some(ex("1958-09")));
        assert_eq!(parse_dob_text("1970"), Some(ex("1970")));
        assert_eq!(
            parse_dob_text("circa 1970"),
            Some(DateSpec::Approximate("1970".parse().unwrap()))
        );
        let between = Some(DateSpec::Between {
            from: 1968,
            to: 1970,
        });
        assert_eq!(parse_dob_text("1968 to 1970"), between);
        assert_eq!(parse_dob_text("01 Jan 1968 to 31 Dec 1970"), between);
        assert_eq!(parse_dob_text("circa 1968-1970"), between);
        assert_eq!(parse_dob_text("31 Feb 1970"), None);
        assert_eq!(parse_dob_text("sometime"), None);
        assert_eq!(parse_dob_text(""), None);
    }

    #[test]
    fn latin_is_told_from_other_scripts() {
        assert!(has_latin("Ali Hassan"));
        assert!(has_latin("Çelik"));
        assert!(!has_latin("علي حسن"));
        assert!(!has_latin("Тархан"));
        assert!(!has_latin("金铁三"));
    }
}
