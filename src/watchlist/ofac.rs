//! OFAC SDN list in its legacy CSV form: `sdn.csv`, with `alt.csv` (aliases) and `add.csv`
//! (addresses) beside it.
//!
//! The files have no header and write an empty field as `-0-`. Everything a screener needs
//! beyond the name — dates and places of birth, nationality, gender, passport and national ID
//! numbers — is inside the free-text Remarks column, as `;`-separated statements:
//! `DOB 01 Jan 1970; alt. DOB 1971; POB Baghdad, Iraq; nationality Iraq; Passport A123 (Iraq);
//! a.k.a. 'ABU ALI'`. The `a.k.a.` statements in Remarks are OFAC's weak aliases (they are not in
//! `alt.csv`).
//!
//! Invalid UTF-8 in a row is replaced (U+FFFD) and reported rather than dropping the row: losing
//! a sanctioned entry over one bad byte is worse than one unmatched letter.

use super::{
    ListFormat, LoadSummary, WatchlistError, clean_space, parse_dob_text, parse_nationality,
    push_name, push_unique, uninvert_name,
};
use crate::model::{
    Country, EntityType, Gender, NameKind, Severity, TravelDocument, WatchlistEntry,
};
use std::collections::HashMap;
use std::path::Path;

/// Reads `sdn.csv` and, when present beside it, `alt.csv` and `add.csv`.
pub fn load_ofac(sdn_path: &Path) -> Result<(Vec<WatchlistEntry>, LoadSummary), WatchlistError> {
    let bytes = std::fs::read(sdn_path).map_err(|err| WatchlistError::Io {
        path: sdn_path.display().to_string(),
        err,
    })?;
    super::load_ofac_with_sdn(sdn_path, &bytes)
}

/// Rows of one headerless CSV file as (line, fields), invalid rows reported.
fn rows<'a>(
    name: &'a str,
    bytes: &'a [u8],
    min_fields: usize,
    summary: &'a mut LoadSummary,
) -> impl Iterator<Item = (u64, Vec<String>)> + 'a {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rec = csv::ByteRecord::new();
    std::iter::from_fn(move || {
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    summary.skip(format!("{name}:{line}"), format!("csv error: {e}"));
                    // A csv error on I/O would repeat forever; on a slice it cannot, but stop
                    // after an error without a position to be safe.
                    e.position()?;
                    continue;
                }
            }
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                continue; // blank line
            }
            if rec.len() < min_fields {
                summary.skip(
                    format!("{name}:{line}"),
                    format!("{} fields, expected {min_fields}", rec.len()),
                );
                continue;
            }
            let mut bad_utf8 = false;
            let fields: Vec<String> = rec
                .iter()
                .map(|f| {
                    let s = match std::str::from_utf8(f) {
                        Ok(s) => s.to_string(),
                        Err(_) => {
                            bad_utf8 = true;
                            String::from_utf8_lossy(f).into_owned()
                        }
                    };
                    let t = s.trim();
                    if t == "-0-" {
                        String::new()
                    } else {
                        t.to_string()
                    }
                })
                .collect();
            if bad_utf8 {
                summary.problem(
                    format!("{name}:{line}"),
                    "invalid utf-8 replaced".to_string(),
                );
            }
            return Some((line, fields));
        }
    })
}

/// Parses OFAC CSV held in memory. `alt` and `add` are (name, bytes) of the side files.
pub fn parse_ofac(
    name: &str,
    sdn: &[u8],
    alt: Option<(&str, &[u8])>,
    add: Option<(&str, &[u8])>,
) -> (Vec<WatchlistEntry>, LoadSummary) {
    let mut summary = LoadSummary::new(name, ListFormat::OfacCsv);
    let mut entries: Vec<WatchlistEntry> = Vec::new();
    let mut by_num: HashMap<String, usize> = HashMap::new();
    let mut parsed = Vec::new();
    for (line, f) in rows(name, sdn, 12, &mut summary) {
        parsed.push((line, f));
    }
    for (line, f) in parsed {
        let loc = format!("{name}:{line}");
        let ent_num = &f[0];
        if ent_num.is_empty() || !ent_num.bytes().all(|b| b.is_ascii_digit()) {
            summary.skip(loc, "ent_num is not a number");
            continue;
        }
        if by_num.contains_key(ent_num) {
            summary.skip(loc, format!("duplicate ent_num {ent_num}"));
            continue;
        }
        let sdn_name = clean_space(&f[1]);
        if sdn_name.is_empty() {
            summary.skip(loc, "empty SDN_Name");
            continue;
        }
        let entity_type = match f[2].to_ascii_lowercase().as_str() {
            "individual" => EntityType::Individual,
            "vessel" => EntityType::Vessel,
            "aircraft" => EntityType::Aircraft,
            "" | "entity" => EntityType::Organisation,
            other => {
                summary.problem(loc.clone(), format!("unknown SDN_Type {other:?}"));
                EntityType::Organisation
            }
        };
        let person = entity_type == EntityType::Individual;
        let mut e = WatchlistEntry {
            id: format!("ofac:{ent_num}"),
            list: "ofac".to_string(),
            severity: Severity::High,
            entity_type,
            ..Default::default()
        };
        let primary = if person {
            uninvert_name(&sdn_name)
        } else {
            sdn_name
        };
        push_name(&mut e.names, primary, NameKind::Primary);
        parse_remarks(&f[11], &mut e, &loc, &mut summary);
        by_num.insert(ent_num.clone(), entries.len());
        entries.push(e);
    }

    if let Some((alt_name, alt_bytes)) = alt {
        let mut found = Vec::new();
        for (line, f) in rows(alt_name, alt_bytes, 4, &mut summary) {
            found.push((line, f));
        }
        for (line, f) in found {
            let loc = format!("{alt_name}:{line}");
            let Some(&i) = by_num.get(&f[0]) else {
                summary.skip(loc, format!("alias of unknown ent_num {:?}", f[0]));
                continue;
            };
            let remarks = f.get(4).map(|s| s.to_ascii_lowercase()).unwrap_or_default();
            let kind = match f[2].to_ascii_lowercase().trim_end_matches('.') {
                "aka" | "a.k.a" if remarks.contains("weak") => NameKind::WeakAlias,
                "aka" | "a.k.a" | "" => NameKind::Alias,
                "fka" | "nka" | "f.k.a" | "n.k.a" => NameKind::FormerName,
                other => {
                    summary.problem(loc.clone(), format!("unknown alt_type {other:?}"));
                    NameKind::Alias
                }
            };
            let n = clean_space(&f[3]);
            if n.is_empty() {
                summary.skip(loc, "empty alt_name");
                continue;
            }
            let e = &mut entries[i];
            let n = if e.entity_type == EntityType::Individual {
                uninvert_name(&n)
            } else {
                n
            };
            push_name(&mut e.names, n, kind);
        }
    }

    if let Some((add_name, add_bytes)) = add {
        // Addresses are not used for matching; read them so a broken file is reported.
        let mut orphans = Vec::new();
        for (line, f) in rows(add_name, add_bytes, 5, &mut summary) {
            if !by_num.contains_key(&f[0]) {
                orphans.push(line);
            }
        }
        for line in orphans {
            summary.problem(
                format!("{add_name}:{line}"),
                "address of unknown ent_num".to_string(),
            );
        }
    }

    let summary = summary.finish(&entries);
    (entries, summary)
}

/// Splits Remarks on `;` outside quotes and parentheses.
fn statements(remarks: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in remarks.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                out.push(&remarks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&remarks[start..]);
    out.into_iter()
        .map(|s| s.trim().trim_end_matches('.').trim())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Case-insensitive prefix strip; the prefixes are ASCII so the cut is a char boundary.
/// A prefix ending in a letter must end a word: "citizen" does not match "Citizen's Card".
fn after<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = &s[prefix.len()..];
    if prefix.ends_with(|c: char| c.is_ascii_alphanumeric())
        && rest.starts_with(|c: char| !c.is_whitespace())
    {
        return None;
    }
    Some(rest.trim())
}

/// Identity documents whose numbers a traveller may carry (tax and registration numbers are
/// left out: they are never on a passport or an API record).
const ID_PREFIXES: &[(&str, &str)] = &[
    ("Passport", "P"),
    ("Diplomatic Passport", "P"),
    ("National ID No.", "I"),
    ("National ID Number", "I"),
    ("National Identification Number", "I"),
    ("Identification Number", "I"),
    ("Cedula No.", "I"),
    ("D.N.I.", "I"),
    ("Personal ID Card", "I"),
    ("National Identity Card", "I"),
];

/// Reads the statements of one Remarks field into the entry. Unknown statements (titles,
/// "Linked To", sanctions notes) are ignored; a recognised statement that cannot be read is
/// reported.
pub(crate) fn parse_remarks(
    remarks: &str,
    e: &mut WatchlistEntry,
    loc: &str,
    summary: &mut LoadSummary,
) {
    let person = e.entity_type == EntityType::Individual;
    for st in statements(remarks) {
        let st = after(st, "alt.").unwrap_or(st);
        if let Some(d) = after(st, "DOB") {
            match parse_dob_text(d) {
                Some(d) => push_unique(&mut e.dobs, d),
                None => summary.problem(loc, "unreadable DOB in remarks"),
            }
        } else if let Some(p) = after(st, "POB") {
            let p = clean_space(p);
            if !p.is_empty() {
                push_unique(&mut e.places_of_birth, p);
            }
        } else if let Some(c) = after(st, "nationality").or_else(|| after(st, "citizen")) {
            // "Nationality of Registration" belongs to vessels; "possibly X" still names X.
            if c.starts_with("of ") {
                continue;
            }
            let c = after(c, "possibly").unwrap_or(c);
            if let Some(c) = parse_nationality(c, loc, summary) {
                push_unique(&mut e.nationalities, c);
            }
        } else if let Some(g) = after(st, "Gender") {
            e.gender = Gender::parse(g);
        } else if let Some(a) = after(st, "a.k.a.")
            .or_else(|| after(st, "f.k.a."))
            .or_else(|| after(st, "n.k.a."))
        {
            let kind = if st.to_ascii_lowercase().starts_with("a.k.a.") {
                NameKind::WeakAlias
            } else {
                NameKind::FormerName
            };
            let n = clean_space(a.trim_matches(|c: char| c == '\'' || c == '"' || c == ','));
            let n = if person { uninvert_name(&n) } else { n };
            push_name(&mut e.names, n, kind);
        } else if let Some((rest, ty)) = ID_PREFIXES
            .iter()
            .find_map(|(p, ty)| after(st, p).map(|r| (r, *ty)))
        {
            match parse_id_statement(rest) {
                Some((number, country)) => push_unique(
                    &mut e.documents,
                    TravelDocument {
                        doc_type: Some(ty.to_string()),
                        number,
                        country,
                        ..Default::default()
                    },
                ),
                None => summary.problem(loc, "unreadable document number in remarks"),
            }
        }
    }
}

/// "A1234567 (Iraq)", "G 649385 issued 08 Sep 2006 expires 17 Jul 2011", "Booklet: A123 (Pakistan)"
/// → (number, country).
fn parse_id_statement(s: &str) -> Option<(String, Option<Country>)> {
    let s = s
        .trim_start_matches(|c: char| c == ':' || c.is_whitespace())
        .trim();
    let s = after(s, "Booklet:")
        .or_else(|| after(s, "No."))
        .or_else(|| after(s, "No:"))
        .or_else(|| after(s, "Number"))
        .unwrap_or(s);
    // A country in parentheses follows the number after a space; "(HWI)040182" is a number.
    let open = s
        .char_indices()
        .find(|&(i, c)| c == '(' && i > 0 && s[..i].ends_with(char::is_whitespace))
        .map(|(i, _)| i);
    let (num_part, country) = match open {
        Some(i) => {
            let inner = &s[i + 1..];
            let inner = inner.split(')').next().unwrap_or(inner);
            (&s[..i], Country::parse(inner))
        }
        None => (s, None),
    };
    let lower = num_part.to_ascii_lowercase();
    let cut = ["issued", "expires", "expired", "expiring"]
        .iter()
        .filter_map(|w| lower.find(&format!(" {w}")))
        .min()
        .unwrap_or(num_part.len());
    let number = clean_space(&num_part[..cut]);
    (number.chars().any(|c| c.is_ascii_alphanumeric())).then_some((number, country))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DateSpec;

    fn entry(remarks: &str) -> (WatchlistEntry, LoadSummary) {
        let mut e = WatchlistEntry {
            entity_type: EntityType::Individual,
            ..Default::default()
        };
        let mut s = LoadSummary::new("t", ListFormat::OfacCsv);
        parse_remarks(remarks, &mut e, "t:1", &mut s);
        (e, s)
    }

    #[test]
    fn remarks_grammar() {
        let (e, s) = entry(
            "DOB 01 Jan 1970; alt. DOB 02 Feb 1971; alt. DOB circa 1965; DOB 1968 to 1970; \
             POB Baghdad, Iraq; nationality Iraq; alt. citizen Syria; Gender Male; \
             Passport A1234567 (Iraq); alt. Passport G 649385 issued 08 Sep 2006 expires 17 Jul 2011; \
             National ID No. 123 (Pakistan); National ID No. (HWI)040182 (Burma); Cedula No. 16247821 (Colombia); \
             a.k.a. 'ABU ALI'; Linked To: SOMETHING; R.F.C. X123 (Mexico).",
        );
        assert_eq!(s.problems_total, 0);
        assert_eq!(
            e.dobs,
            vec![
                DateSpec::Exact("1970-01-01".parse().unwrap()),
                DateSpec::Exact("1971-02-02".parse().unwrap()),
                DateSpec::Approximate("1965".parse().unwrap()),
                DateSpec::Between {
                    from: 1968,
                    to: 1970
                },
            ]
        );
        assert_eq!(e.places_of_birth, vec!["Baghdad, Iraq"]);
        let nat: Vec<&str> = e.nationalities.iter().map(|c| c.alpha3()).collect();
        assert_eq!(nat, ["IRQ", "SYR"]);
        assert_eq!(e.gender, Some(Gender::Male));
        let docs: Vec<(&str, &str, Option<&str>)> = e
            .documents
            .iter()
            .map(|d| {
                (
                    d.doc_type.as_deref().unwrap(),
                    d.number.as_str(),
                    d.country.as_ref().map(|c| c.alpha3()),
                )
            })
            .collect();
        assert_eq!(
            docs,
            [
                ("P", "A1234567", Some("IRQ")),
                ("P", "G 649385", None),
                ("I", "123", Some("PAK")),
                ("I", "(HWI)040182", Some("MMR")),
                ("I", "16247821", Some("COL")),
            ]
        );
        assert_eq!(e.names[0].full, "ABU ALI");
        assert_eq!(e.names[0].kind, NameKind::WeakAlias);
    }

    #[test]
    fn unreadable_statements_are_reported_not_fatal() {
        let (e, s) = entry("DOB sometime in the sixties; nationality Atlantis; Passport ()");
        assert!(e.dobs.is_empty());
        assert_eq!(s.unknown_nationalities, 1);
        assert_eq!(s.problems_total, 3);
    }

    #[test]
    fn sdn_alt_add_snippet() {
        let sdn = b"1,\"AL-TIKRITI, Ali Hassan\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1968.\"\n\
                    2,\"ACME CO., LTD.\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\
                    3,\"SHORT\"\n\
                    x,\"BAD NUM\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let alt = b"1,10,\"aka\",\"TIKRITI, Ali\",-0- \n1,11,\"fka\",\"HASSAN, Ali\",-0- \n9,12,\"aka\",\"X\",-0- \n";
        let add = b"1,5,-0- ,\"Baghdad\",\"Iraq\",-0- \n";
        let (entries, s) = parse_ofac(
            "sdn.csv",
            sdn,
            Some(("alt.csv", alt)),
            Some(("add.csv", add)),
        );
        assert_eq!(entries.len(), 2);
        assert_eq!(s.skipped, 3, "{:?}", s.problems);
        assert_eq!(s.individuals, 1);
        let e = &entries[0];
        assert_eq!(e.id, "ofac:1");
        let names: Vec<(&str, NameKind)> =
            e.names.iter().map(|n| (n.full.as_str(), n.kind)).collect();
        assert_eq!(
            names,
            [
                ("Ali Hassan AL-TIKRITI", NameKind::Primary),
                ("Ali TIKRITI", NameKind::Alias),
                ("Ali HASSAN", NameKind::FormerName)
            ]
        );
        assert_eq!(entries[1].names[0].full, "ACME CO., LTD.");
        assert_eq!(entries[1].entity_type, EntityType::Organisation);
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in [
            &b""[..],
            b"\xff\xfe\x00garbage",
            b"\"unterminated",
            b"1,\"\xffX\",individual,,,,,,,,,\"DOB 1970\"",
        ] {
            let _ = parse_ofac("t", input, Some(("a", input)), Some(("b", input)));
        }
    }
}
