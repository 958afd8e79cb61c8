//! UN Security Council consolidated list (XML), read as a stream of events.
//!
//! Each `INDIVIDUAL` / `ENTITY` record is flattened into its direct leaves (`DATAID`,
//! `FIRST_NAME`, `GENDER`, …) and its blocks (`INDIVIDUAL_ALIAS`, `INDIVIDUAL_DATE_OF_BIRTH`, …,
//! each a list of leaf name/text pairs), then mapped to a [`WatchlistEntry`]. A record the mapping
//! cannot use is reported with its index and DATAID and skipped. A syntax error after the list
//! started (a truncated download) keeps what was read and reports the rest as lost.
//!
//! The free-text quirks handled here were found in the 2026-02-27 list: `ALIAS_NAME` holding a
//! `;`-separated list (sometimes with `b)` enumerators), an original-script name followed by its
//! transliterations in parentheses, comments in parentheses or after ", born", dates of birth
//! given only as a `NOTE` ("Nov. 1973"), and document numbers wrapped in prose ("CAR diplomatic
//! passport no. D00000898").

use super::{
    ListFormat, LoadSummary, WatchlistError, clean_space, has_latin, parse_month,
    parse_nationality, parse_text_date, push_name, push_unique, uninvert_name,
};
use crate::model::{
    Country, DateSpec, EntityType, Gender, NameKind, PartialDate, Severity, TravelDocument,
    WatchlistEntry,
};
use quick_xml::events::Event;
use std::path::Path;

/// Deeper nesting than this is not a UN list; stop before a hostile file costs memory.
const MAX_DEPTH: usize = 32;

/// Reads and parses a UN consolidated list file.
pub fn load_un_xml(path: &Path) -> Result<(Vec<WatchlistEntry>, LoadSummary), WatchlistError> {
    let bytes = std::fs::read(path).map_err(|err| WatchlistError::Io {
        path: path.display().to_string(),
        err,
    })?;
    parse_un_xml(&path.display().to_string(), &bytes)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RecordKind {
    Individual,
    Entity,
}

/// One record, flattened: direct leaves and one level of blocks.
struct RawRecord {
    kind: RecordKind,
    /// 1-based position among records of the file, for problem locations.
    index: usize,
    depth: usize,
    leaves: Vec<(String, String)>,
    blocks: Vec<(String, Vec<(String, String)>)>,
    /// The direct child being read: its name and the leaves seen inside it.
    open: Option<(String, Vec<(String, String)>)>,
}

impl RawRecord {
    fn leaf(&self, name: &str) -> Option<&str> {
        self.leaves
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
    fn blocks<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [(String, String)]> + 'a {
        self.blocks
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }
}

fn field<'a>(block: &'a [(String, String)], name: &str) -> Option<&'a str> {
    block
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn resolve_ref(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(n);
    }
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Parses a UN consolidated list held in memory. `name` names the source in problems.
pub fn parse_un_xml(
    name: &str,
    bytes: &[u8],
) -> Result<(Vec<WatchlistEntry>, LoadSummary), WatchlistError> {
    let mut summary = LoadSummary::new(name, ListFormat::UnXml);
    let mut entries = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut record: Option<RawRecord> = None;
    let mut records = 0usize;
    let mut seen_list = false;
    let not_un = |reason: String| WatchlistError::NotUnXml {
        path: name.to_string(),
        reason,
    };

    loop {
        let pos = reader.buffer_position();
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                if !seen_list {
                    return Err(not_un(format!("xml error at byte {pos}: {e}")));
                }
                let lost = match record.take() {
                    Some(r) => format!(" (record {} lost)", r.index),
                    None => String::new(),
                };
                summary.skip(
                    format!("{name}: byte {pos}"),
                    format!("xml error, rest of file ignored{lost}: {e}"),
                );
                break;
            }
        };
        let (start, end) = match &ev {
            Event::Start(e) => (Some(e.local_name().as_ref().to_string()), false),
            Event::Empty(e) => (Some(e.local_name().as_ref().to_string()), true),
            Event::End(_) => (None, true),
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::CData(t) => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::GeneralRef(r) => {
                if let Some(c) = resolve_ref(&r.xml10_content()) {
                    text.push(c);
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if let Some(tag) = start {
            if stack.len() >= MAX_DEPTH {
                return Err(not_un(format!("elements nested deeper than {MAX_DEPTH}")));
            }
            text.clear();
            if stack.is_empty() && tag != "CONSOLIDATED_LIST" {
                return Err(not_un(format!("root element is <{tag}>")));
            }
            if matches!(
                tag.as_str(),
                "CONSOLIDATED_LIST" | "INDIVIDUALS" | "ENTITIES"
            ) {
                seen_list = true;
            }
            let parent = stack.last().map(String::as_str);
            match (&mut record, tag.as_str(), parent) {
                (None, "INDIVIDUAL", Some("INDIVIDUALS")) | (None, "ENTITY", Some("ENTITIES")) => {
                    records += 1;
                    record = Some(RawRecord {
                        kind: if tag == "INDIVIDUAL" {
                            RecordKind::Individual
                        } else {
                            RecordKind::Entity
                        },
                        index: records,
                        depth: stack.len() + 1,
                        leaves: Vec::new(),
                        blocks: Vec::new(),
                        open: None,
                    });
                }
                (Some(r), _, _) if stack.len() == r.depth => {
                    r.open = Some((tag.clone(), Vec::new()));
                }
                _ => {}
            }
            stack.push(tag);
        }
        if end {
            let Some(tag) = stack.pop() else {
                continue;
            };
            let depth = stack.len();
            if let Some(r) = &mut record {
                if depth + 1 == r.depth {
                    // The record itself ends.
                    let r = record.take().expect("record is open");
                    if let Some(e) = build_entry(name, &r, &mut summary) {
                        entries.push(e);
                    }
                } else if depth == r.depth {
                    let value = clean_space(&text);
                    if let Some((bname, leaves)) = r.open.take() {
                        if leaves.is_empty() {
                            r.leaves.push((bname, value));
                        } else {
                            r.blocks.push((bname, leaves));
                        }
                    }
                } else if depth > r.depth
                    && let Some((_, leaves)) = &mut r.open
                {
                    leaves.push((tag, clean_space(&text)));
                }
            }
            text.clear();
        }
    }
    if let Some(r) = record {
        summary.skip(
            format!("{name}: record {}", r.index),
            "file ends inside the record",
        );
    }
    if !seen_list {
        return Err(not_un("no CONSOLIDATED_LIST element".to_string()));
    }
    let summary = summary.finish(&entries);
    Ok((entries, summary))
}

/// A name field the list fills with "not available" rather than leaving it out: in lower case,
/// as the list writes it, so that the Korean family name NA stays.
fn is_not_available(v: &str) -> bool {
    matches!(v.trim(), "na" | "n/a" | "n.a." | "n.a")
}

fn build_entry(source: &str, r: &RawRecord, summary: &mut LoadSummary) -> Option<WatchlistEntry> {
    let Some(dataid) = r.leaf("DATAID") else {
        summary.skip(format!("{source}: record {}", r.index), "no DATAID");
        return None;
    };
    let loc = format!("{source}: record {} (DATAID {dataid})", r.index);
    let primary = clean_space(
        &["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
            .iter()
            .filter_map(|f| r.leaf(f))
            // the list's "not available" ("FAIZULLAH KHAN NOORZAI" has FOURTH_NAME "na")
            .filter(|v| !is_not_available(v))
            .collect::<Vec<_>>()
            .join(" "),
    );
    if primary.is_empty() {
        summary.skip(loc, "no name");
        return None;
    }
    let mut e = WatchlistEntry {
        id: format!("un:{dataid}"),
        list: "un".to_string(),
        severity: Severity::High,
        entity_type: match r.kind {
            RecordKind::Individual => EntityType::Individual,
            RecordKind::Entity => EntityType::Organisation,
        },
        ..Default::default()
    };
    push_name(&mut e.names, primary, NameKind::Primary);
    if let Some(orig) = r.leaf("NAME_ORIGINAL_SCRIPT") {
        push_name(&mut e.names, clean_space(orig), NameKind::OriginalScript);
    }

    let alias_block = match r.kind {
        RecordKind::Individual => "INDIVIDUAL_ALIAS",
        RecordKind::Entity => "ENTITY_ALIAS",
    };
    let (mut alias_dobs, mut alias_pobs) = (Vec::new(), Vec::new());
    for b in r.blocks(alias_block) {
        let Some(raw) = field(b, "ALIAS_NAME") else {
            continue;
        };
        let quality = field(b, "QUALITY").unwrap_or("");
        let kind = match quality.to_ascii_lowercase().as_str() {
            "good" | "a.k.a." | "" => NameKind::Alias,
            "low" => NameKind::WeakAlias,
            "f.k.a." => NameKind::FormerName,
            _ => {
                summary.problem(loc.clone(), format!("unknown alias quality {quality:?}"));
                NameKind::Alias
            }
        };
        for (name, script) in split_alias(raw) {
            // A strong alias in another script is the name in its original script; a weak one
            // stays weak whatever its script.
            let k = if script && kind != NameKind::WeakAlias {
                NameKind::OriginalScript
            } else {
                kind
            };
            let name = if script || r.kind == RecordKind::Entity {
                name
            } else {
                uninvert_name(&name)
            };
            push_name(&mut e.names, name, k);
        }
        // Some aliases carry their own date and place of birth (a false identity); they are
        // added after the record's own.
        if let Some(d) = field(b, "DATE_OF_BIRTH").and_then(parse_text_date) {
            alias_dobs.push(DateSpec::Exact(d));
        }
        let pob = join_place(&[field(b, "CITY_OF_BIRTH"), field(b, "COUNTRY_OF_BIRTH")]);
        if !pob.is_empty() {
            alias_pobs.push(pob);
        }
    }

    if r.kind == RecordKind::Individual {
        if let Some(g) = r.leaf("GENDER") {
            e.gender = Gender::parse(g);
            if e.gender.is_none() {
                summary.problem(loc.clone(), format!("unknown gender {g:?}"));
            }
        }
        for b in r.blocks("INDIVIDUAL_DATE_OF_BIRTH") {
            match parse_dob_block(b) {
                Ok(Some(d)) => push_unique(&mut e.dobs, d),
                Ok(None) => {}
                Err(why) => summary.problem(loc.clone(), why),
            }
        }
        for b in r.blocks("NATIONALITY") {
            for (n, v) in b {
                if n == "VALUE"
                    && let Some(c) = parse_nationality(v, &loc, summary)
                {
                    push_unique(&mut e.nationalities, c);
                }
            }
        }
        for b in r.blocks("INDIVIDUAL_PLACE_OF_BIRTH") {
            let pob = join_place(&[
                field(b, "STREET"),
                field(b, "CITY"),
                field(b, "STATE_PROVINCE"),
                field(b, "COUNTRY"),
            ]);
            if !pob.is_empty() {
                push_unique(&mut e.places_of_birth, pob);
            }
        }
        for b in r.blocks("INDIVIDUAL_DOCUMENT") {
            if let Some(d) = parse_document(b) {
                push_unique(&mut e.documents, d);
            }
        }
    }
    for d in alias_dobs {
        push_unique(&mut e.dobs, d);
    }
    for p in alias_pobs {
        push_unique(&mut e.places_of_birth, p);
    }
    Some(e)
}

fn join_place(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One `INDIVIDUAL_DATE_OF_BIRTH` block. `Ok(None)` for an empty block, `Err` for one that says
/// something this parser cannot read (reported, not fatal).
fn parse_dob_block(b: &[(String, String)]) -> Result<Option<DateSpec>, String> {
    let ty = field(b, "TYPE_OF_DATE").unwrap_or("").to_ascii_uppercase();
    let year = |f: &str| -> Result<Option<u16>, String> {
        field(b, f)
            .map(|y| {
                y.parse::<PartialDate>()
                    .map(|d| d.year)
                    .map_err(|_| format!("bad {f} {y:?}"))
            })
            .transpose()
    };
    let note = field(b, "NOTE").unwrap_or("");
    let date = if let Some(d) = field(b, "DATE") {
        Some(
            d.parse::<PartialDate>()
                .map_err(|_| format!("bad DATE {d:?}"))?,
        )
    } else if let Some(y) = year("YEAR")? {
        // "YEAR 1958, NOTE Sep." — the month is in the note.
        match parse_month(note) {
            Some(m) => PartialDate::new(y, Some(m), None).ok(),
            None => Some(PartialDate::year(y)),
        }
    } else {
        None
    };
    match ty.as_str() {
        "BETWEEN" => match (year("FROM_YEAR")?, year("TO_YEAR")?) {
            (Some(a), Some(b)) => Ok(Some(DateSpec::Between {
                from: a.min(b),
                to: a.max(b),
            })),
            (Some(a), None) | (None, Some(a)) => {
                Ok(Some(DateSpec::Approximate(PartialDate::year(a))))
            }
            (None, None) => Ok(date.map(DateSpec::Approximate)),
        },
        _ => {
            let date = match date {
                Some(d) => Some(d),
                None if note.is_empty() => None,
                None => Some(note_date(note).ok_or_else(|| {
                    "date of birth only in a note that is not a date".to_string()
                })?),
            };
            Ok(date.map(|d| {
                if ty == "APPROXIMATELY" {
                    DateSpec::Approximate(d)
                } else {
                    DateSpec::Exact(d)
                }
            }))
        }
    }
}

/// A date given only as a note: "Nov. 1973", "August 1961", "Between Aug. and Sep. 1977" (the
/// year is kept when the months disagree).
fn note_date(note: &str) -> Option<PartialDate> {
    if let Some(d) = parse_text_date(note) {
        return Some(d);
    }
    let words: Vec<&str> = note.split_whitespace().collect();
    let year = words
        .iter()
        .filter_map(|w| {
            let w = w.trim_matches(|c: char| !c.is_ascii_digit());
            (w.len() == 4).then(|| w.parse::<u16>().ok()).flatten()
        })
        .next_back()?;
    if note.contains('/') || note.to_ascii_lowercase().contains("hijri") {
        return None;
    }
    let months: Vec<u8> = words.iter().filter_map(|w| parse_month(w)).collect();
    match months.as_slice() {
        [m] => PartialDate::new(year, Some(*m), None).ok(),
        _ => PartialDate::new(year, None, None).ok(),
    }
}

fn parse_document(b: &[(String, String)]) -> Option<TravelDocument> {
    let raw = field(b, "NUMBER")?;
    let number = document_number(raw);
    if number.is_empty() {
        return None;
    }
    let ty = field(b, "TYPE_OF_DOCUMENT").unwrap_or("");
    let lower = ty.to_lowercase();
    let doc_type =
        if lower.contains("passport") || lower.contains("pasaporte") || lower.contains("passeport")
        {
            "P".to_string()
        } else if lower.contains("identification") || lower.contains("identity") {
            "I".to_string()
        } else {
            ty.chars().take(24).collect()
        };
    let country = field(b, "ISSUING_COUNTRY")
        .or_else(|| field(b, "COUNTRY_OF_ISSUE"))
        .and_then(Country::parse);
    Some(TravelDocument {
        doc_type: (!doc_type.is_empty()).then_some(doc_type),
        number,
        country,
        ..Default::default()
    })
}

/// The number out of a `NUMBER` field that may wrap it in prose: "CAR diplomatic passport no.
/// D00000898" → "D00000898", "381110042 (Expired 25 Jan. 2016)" → "381110042",
/// "German travel document (“Reiseausweis”) A 0139243" → "A 0139243".
pub(crate) fn document_number(raw: &str) -> String {
    let no_parens = strip_parens(raw);
    let words: Vec<&str> = no_parens.split_whitespace().collect();
    // Take the trailing run of words that hold digits, plus a short letter prefix ("OB 0243318").
    let mut start = words.len();
    while start > 0 && words[start - 1].chars().any(|c| c.is_ascii_digit()) {
        start -= 1;
    }
    if start == words.len() {
        return clean_space(&no_parens);
    }
    if start > 0 {
        let w = words[start - 1];
        if w.len() <= 3 && w.chars().all(|c| c.is_ascii_uppercase()) {
            start -= 1;
        }
    }
    words[start..]
        .join(" ")
        .trim_start_matches(':')
        .trim()
        .to_string()
}

/// Removes parenthesised text (any nesting) and collapses whitespace.
fn strip_parens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    clean_space(&out)
}

/// Splits one `ALIAS_NAME` into the names it holds; the flag is true for a name without Latin
/// letters (original script).
///
/// - `a; b; c` (and `a; b b) c; d` enumerations) are several names;
/// - `عبد (Abd; Abdul)`: the outside is the original-script name, the inside its
///   transliterations;
/// - `Name (عبد)` / `Name (original script: Абу)`: the inside is the original-script name;
/// - `Name (birth name)`, `(Sheikh) Name`: the parenthesis is a comment and is dropped;
/// - `Name, born 1 Jan. 1953 …` / `Name born in 1963`: the birth clause is dropped.
pub(crate) fn split_alias(raw: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut outside = String::new();
    let mut groups: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in raw.chars() {
        match c {
            '(' => {
                if depth > 0 {
                    cur.push(c);
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    groups.push(std::mem::take(&mut cur));
                    outside.push(' ');
                } else {
                    cur.push(c);
                }
            }
            _ if depth > 0 => cur.push(c),
            _ => outside.push(c),
        }
    }
    if depth > 0 {
        // Unbalanced: treat the tail as a group anyway.
        groups.push(cur);
    }
    let outside_latin = has_latin(&outside);
    for g in &groups {
        let g = g.trim();
        let lower = g.to_lowercase();
        if let Some(rest) = lower
            .strip_prefix("original script:")
            .map(|_| &g["original script:".len()..])
        {
            push_piece(&mut out, rest);
        } else if !has_latin(g) {
            push_piece(&mut out, g);
        } else if !outside_latin && has_latin(g) {
            // Original-script name outside, its transliterations inside.
            for p in split_list(g) {
                if p.contains("original script") {
                    continue;
                }
                push_piece(&mut out, &p);
            }
        }
        // Anything else in parentheses is a comment ("birth name", "COMBAT NAME", "Sheikh").
    }
    for p in split_list(&outside) {
        push_piece(&mut out, &cut_birth_clause(&p));
    }
    // Outside names first, in the order written.
    out.sort_by_key(|(_, script)| *script);
    out
}

fn push_piece(out: &mut Vec<(String, bool)>, piece: &str) {
    let p = clean_space(piece.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '.' | ';' | '"' | '“' | '”' | '\'' | ':')
    }));
    // A fragment with nothing alphanumeric ("-", "") is no name.
    if !p.chars().any(char::is_alphanumeric) {
        return;
    }
    let script = !has_latin(&p);
    if !out.iter().any(|(n, _)| *n == p) {
        out.push((p, script));
    }
}

/// Splits on `;` and on enumerators like ` b) ` that the list sometimes leaves inside a value.
fn split_list(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for piece in s.split(';') {
        for sub in split_enumerated(strip_enumerator(piece.trim())) {
            parts.push(sub);
        }
    }
    parts
}

fn strip_enumerator(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() > 3 && b[0].is_ascii_lowercase() && b[1] == b')' && b[2] == b' ' {
        &s[3..]
    } else {
        s
    }
}

/// "Mohammad Sabet b) M. Javad Sabet" → two names (an unmatched `)` stays in the outside text).
fn split_enumerated(s: &str) -> Vec<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut out = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for w in words {
        let b = w.as_bytes();
        if b.len() == 2 && b[0].is_ascii_lowercase() && b[1] == b')' && !cur.is_empty() {
            out.push(cur.join(" "));
            cur.clear();
            continue;
        }
        cur.push(w);
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    out
}

/// "Name, born 1 Jan. 1953" / "Name born in 1963" → "Name".
fn cut_birth_clause(s: &str) -> String {
    let lower = s.to_lowercase();
    for pat in [", born", " born in ", " born on ", " born "] {
        if let Some(i) = lower.find(pat)
            && s.is_char_boundary(i)
        {
            return s[..i].to_string();
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &str) -> Vec<(String, bool)> {
        split_alias(raw)
    }

    #[test]
    fn alias_lists_are_split() {
        let n = names("Mohammed Sabet; Mohammad Sabet b) M. Javad Kareemi Sabet; M. Jawad Sabet");
        let texts: Vec<&str> = n.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Mohammed Sabet",
                "Mohammad Sabet",
                "M. Javad Kareemi Sabet",
                "M. Jawad Sabet"
            ]
        );
    }

    #[test]
    fn original_script_and_transliterations_are_separated() {
        let n = names("حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)");
        assert_eq!(
            n,
            vec![
                ("Hassan Ghul".to_string(), false),
                ("Hassan Gul".to_string(), false),
                ("Hasan Gul".to_string(), false),
                ("حسن غول".to_string(), true),
            ]
        );
        let n = names("Amir Khazmat (original script: Амир Хазмат)");
        assert_eq!(
            n,
            vec![
                ("Amir Khazmat".to_string(), false),
                ("Амир Хазмат".to_string(), true)
            ]
        );
        let n = names("Jin Tiesan (金铁三)");
        assert_eq!(n[1], ("金铁三".to_string(), true));
    }

    #[test]
    fn comments_in_aliases_are_dropped() {
        assert_eq!(names("EL PARA (COMBAT NAME)")[0].0, "EL PARA");
        assert_eq!(names("(Sheikh) Musa Hilal")[0].0, "Musa Hilal");
        assert_eq!(
            names("Safia Farkash Al-Hadad, born 1 Jan. 1953 (Oman passport no.03825239)")[0].0,
            "Safia Farkash Al-Hadad"
        );
        assert_eq!(
            names("Mohammad Ishaq Akhund born in 1963")[0].0,
            "Mohammad Ishaq Akhund"
        );
        assert_eq!(names("“1-P”").len(), 1);
        assert!(names("").is_empty());
    }

    #[test]
    fn document_numbers_are_dug_out_of_prose() {
        assert_eq!(
            document_number("CAR diplomatic passport no. D00000898"),
            "D00000898"
        );
        assert_eq!(
            document_number("381110042 (Expired 25 Jan. 2016)"),
            "381110042"
        );
        assert_eq!(
            document_number("German travel document (“Reiseausweis”) A 0139243"),
            "A 0139243"
        );
        assert_eq!(document_number("OB 0243318"), "OB 0243318");
        assert_eq!(
            document_number("Provisional passport No.: 28642163"),
            "28642163"
        );
    }

    #[test]
    fn note_dates() {
        assert_eq!(note_date("Nov. 1973"), "1973-11".parse().ok());
        assert_eq!(note_date("Between Aug. and Sep. 1977"), "1977".parse().ok());
        assert_eq!(note_date("24/06/1402 (Hijri Calendar)"), None);
        assert_eq!(note_date("30-35 years old"), None);
    }

    const SNIPPET: &str = r#"<?xml version="1.0"?>
<CONSOLIDATED_LIST><INDIVIDUALS>
<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ALI</FIRST_NAME><SECOND_NAME>HASSAN</SECOND_NAME>
<GENDER>Male</GENDER><NAME_ORIGINAL_SCRIPT>علي حسن</NAME_ORIGINAL_SCRIPT>
<NATIONALITY><VALUE>Iraq</VALUE><VALUE>Atlantis</VALUE></NATIONALITY>
<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Ali</ALIAS_NAME></INDIVIDUAL_ALIAS>
<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
<INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>A123 &amp; B</NUMBER><ISSUING_COUNTRY>Iraq</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
</INDIVIDUAL>
<INDIVIDUAL><FIRST_NAME>NO ID</FIRST_NAME></INDIVIDUAL>
</INDIVIDUALS></CONSOLIDATED_LIST>"#;

    #[test]
    fn snippet_loads() {
        let (entries, s) = parse_un_xml("t.xml", SNIPPET.as_bytes()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(s.skipped, 1);
        assert_eq!(s.unknown_nationalities, 1);
        let e = &entries[0];
        assert_eq!(e.id, "un:1");
        assert_eq!(e.names.len(), 3);
        assert_eq!(e.names[1].kind, NameKind::OriginalScript);
        assert_eq!(e.names[2].kind, NameKind::WeakAlias);
        assert_eq!(
            e.dobs,
            vec![DateSpec::Between {
                from: 1960,
                to: 1962
            }]
        );
        assert_eq!(e.gender, Some(Gender::Male));
        assert_eq!(e.documents[0].number, "A123 & B");
        assert_eq!(e.documents[0].doc_type.as_deref(), Some("P"));
    }

    #[test]
    fn a_name_field_marked_not_available_is_left_out() {
        let xml = r#"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>7</DATAID>
<FIRST_NAME>FAIZULLAH</FIRST_NAME><SECOND_NAME>KHAN</SECOND_NAME>
<THIRD_NAME>NOORZAI</THIRD_NAME><FOURTH_NAME>na</FOURTH_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"#;
        let (entries, _) = parse_un_xml("t.xml", xml.as_bytes()).unwrap();
        assert_eq!(entries[0].names[0].full, "FAIZULLAH KHAN NOORZAI");
        assert!(!is_not_available("NAJIB") && is_not_available(" n/a "));
        assert!(!is_not_available("NA"), "the Korean family name");
    }

    #[test]
    fn truncated_and_foreign_xml() {
        let cut = &SNIPPET.as_bytes()[..SNIPPET.len() / 2];
        let (entries, s) = parse_un_xml("t.xml", cut).unwrap();
        assert!(entries.is_empty());
        assert_eq!(s.skipped, 1);
        assert!(parse_un_xml("x", b"<html><body/></html>").is_err());
        assert!(parse_un_xml("x", b"not xml at all").is_err());
        assert!(parse_un_xml("x", b"").is_err());
        assert!(parse_un_xml("x", b"<CONSOLIDATED_LIST>\xff\xfe</CONSOLIDATED_LIST>").is_ok());
    }
}
