//! The shared vocabulary: travellers, watchlist entries, matches.
//!
//! Plain data, no I/O. Every source (NDJSON, PAXLST, gRPC) builds these types and every sink reads
//! them, so the screening code never knows where a traveller came from.

mod country;
mod date;
pub mod manifest;

pub use country::Country;
pub use date::{DateSpec, PartialDate, days_in_month};
pub use manifest::{
    DocumentPlace, DocumentType, Flight, FlightEndpoint, Manifest, Reference, ReportingParty,
    Totals, Traveller, TravellerKind,
};

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Gender as carried by passports (M/F/X) and watchlists ("Male", "Female").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    /// Unspecified or non-binary (`X`, `U`): never evidence for or against.
    #[serde(rename = "X")]
    Other,
}

impl Gender {
    /// The passport letter: `M`, `F` or `X`.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "M",
            Gender::Female => "F",
            Gender::Other => "X",
        }
    }

    /// Lenient parse of the spellings seen in feeds and lists; `None` for anything else.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" | "MALE" | "MAN" | "1" => Some(Gender::Male),
            "F" | "FEMALE" | "WOMAN" | "2" => Some(Gender::Female),
            "X" | "U" | "O" | "OTHER" | "UNSPECIFIED" => Some(Gender::Other),
            _ => None,
        }
    }
}

/// A travel or identity document, on either side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TravelDocument {
    /// Document type code as sent (P passport, V visa, I/A/C identity card, …); may be absent.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    pub number: String,
    /// Issuing state, when known as a country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Country>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<PartialDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<PartialDate>,
}

impl TravelDocument {
    /// The number as compared: upper-case alphanumerics only ("A 123-456" → "A123456").
    pub fn normalised_number(&self) -> String {
        normalise_document_number(&self.number)
    }
}

/// Upper-case alphanumerics of a document number; separators and spaces are dropped.
pub fn normalise_document_number(number: &str) -> String {
    document_number_bytes(number).map(char::from).collect()
}

/// The characters of [`normalise_document_number`], read in place (ASCII letters and digits,
/// upper case): for comparisons that should not build the string.
pub fn document_number_bytes(number: &str) -> impl Iterator<Item = u8> + Clone + '_ {
    number
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
}

/// One normalised document-number character with the confusions of OCR and keyboards folded
/// (O/Q/D → 0, I/L → 1, S → 5, B → 8, Z → 2, G → 6).
pub fn fold_document_byte(c: u8) -> u8 {
    match c {
        b'O' | b'Q' | b'D' => b'0',
        b'I' | b'L' => b'1',
        b'S' => b'5',
        b'B' => b'8',
        b'Z' => b'2',
        b'G' => b'6',
        c => c,
    }
}

/// A document as screening compares it, prepared once: the normalised number and its OCR-folded
/// form (one allocation, the two halves), the issuing country and the type letter. Numbers of
/// fewer than four characters compare with nothing and get no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentKey {
    /// [`normalise_document_number`], then the same with [`fold_document_byte`] applied.
    chars: Box<[u8]>,
    pub country: Option<Country>,
    /// [`Self::kind`] as its scalar value in three bytes (every `char` fits in 21 bits), so that
    /// the key with its tag stays 24 bytes.
    kind: [u8; 3],
    /// An 8-bit hash of [`Self::folded`]: screening compares a traveller's documents with
    /// every candidate's, nearly all different, and two unequal tags settle it without
    /// reading the numbers.
    tag: u8,
}

impl DocumentKey {
    pub fn new(d: &TravelDocument) -> Option<DocumentKey> {
        let n = document_number_bytes(&d.number);
        // four characters at least
        n.clone().nth(3)?;
        let chars = n.clone().chain(n.map(fold_document_byte)).collect();
        let kind = d
            .doc_type
            .as_deref()
            .map(|t| t.trim().chars().next().unwrap_or('P').to_ascii_uppercase())
            .unwrap_or('P');
        let [k0, k1, k2, _] = u32::from(kind).to_le_bytes();
        let mut k = DocumentKey {
            chars,
            country: d.country,
            kind: [k0, k1, k2],
            tag: 0,
        };
        k.tag = k.folded().iter().fold(0x811c_9dc5u32, |h, &b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        }) as u8;
        Some(k)
    }

    /// Keys of the documents that have one.
    pub fn all(docs: &[TravelDocument]) -> Box<[DocumentKey]> {
        docs.iter().filter_map(DocumentKey::new).collect()
    }

    /// The normalised number.
    pub fn number(&self) -> &[u8] {
        &self.chars[..self.chars.len() / 2]
    }

    /// The number with OCR confusions folded.
    pub fn folded(&self) -> &[u8] {
        &self.chars[self.chars.len() / 2..]
    }

    /// First letter of the type code, upper case (ASCII letters); `P` when no type is given.
    pub fn kind(&self) -> char {
        let [a, b, c] = self.kind;
        // built from a char in new()
        char::from_u32(u32::from_le_bytes([a, b, c, 0])).unwrap_or('P')
    }

    /// Whether the folded numbers are equal (the tags first).
    pub fn same_folded(&self, other: &DocumentKey) -> bool {
        self.tag == other.tag && self.folded() == other.folded()
    }

    /// [`Self::folded`] as text (ASCII letters and digits): the key of the document index.
    pub fn folded_text(&self) -> &str {
        // built from ASCII bytes only, so never the empty fallback
        std::str::from_utf8(self.folded()).unwrap_or_default()
    }
}

/// One traveller to screen. Either `surname`/`given_names` or `name` (a full name of unknown order)
/// is set; everything else is optional because real manifests omit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Passenger {
    /// The caller's reference for this traveller (NDJSON `id`, PAXLST RFF+ABO or position).
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    /// A full name whose order is unknown (used when surname/given names are not split).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<PartialDate>,
    /// The DOB came as a two-digit year that could be read in two centuries (a centenarian or a
    /// child): screening then compares day and month and both candidate years.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dob_century_ambiguous: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<Country>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<TravelDocument>,
}

impl Passenger {
    /// The full name as one string, surname last (the order does not matter to the matcher).
    pub fn display_name(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(g) = self.given_names.as_deref() {
            parts.push(g);
        }
        if let Some(s) = self.surname.as_deref() {
            parts.push(s);
        }
        if parts.is_empty()
            && let Some(n) = self.name.as_deref()
        {
            parts.push(n);
        }
        parts.join(" ")
    }
}

/// How bad it is to let this person through; set per entry by the list owner.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    #[default]
    High,
    Critical,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" | "med" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Where a name of an entry comes from; weak aliases are kept but weigh less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The entry's main name.
    #[default]
    Primary,
    /// A strong alias (UN "Good" / "a.k.a.", OFAC "strong aka").
    Alias,
    /// A low-quality alias (UN "Low", OFAC "weak aka"), often a kunya or nickname.
    WeakAlias,
    /// A former name (UN / OFAC "f.k.a.").
    FormerName,
    /// The name in its original script (Arabic, Cyrillic, …).
    OriginalScript,
}

/// One name of a watchlist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryName {
    pub full: String,
    #[serde(default)]
    pub kind: NameKind,
}

/// Whether an entry is a person; only persons are screened against travellers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    #[default]
    Individual,
    Organisation,
    Vessel,
    Aircraft,
}

/// A listed person (or thing) with everything the list says about them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct WatchlistEntry {
    /// Unique across all loaded lists (loaders prefix it with the list, e.g. `un:6908555`).
    pub id: String,
    /// The list it came from (`un`, `ofac`, `national`, …).
    pub list: String,
    #[serde(default)]
    pub severity: Severity,
    #[serde(default)]
    pub entity_type: EntityType,
    pub names: Vec<EntryName>,
    #[serde(default)]
    pub dobs: Vec<DateSpec>,
    #[serde(default)]
    pub places_of_birth: Vec<String>,
    #[serde(default)]
    pub nationalities: Vec<Country>,
    #[serde(default)]
    pub documents: Vec<TravelDocument>,
    #[serde(default)]
    pub gender: Option<Gender>,
}

impl WatchlistEntry {
    /// A person known only by primary names (tests, `paxscreen compare`, quick lists).
    pub fn person(id: &str, list: &str, names: &[&str]) -> WatchlistEntry {
        WatchlistEntry {
            id: id.into(),
            list: list.into(),
            names: names
                .iter()
                .map(|n| EntryName {
                    full: n.to_string(),
                    kind: NameKind::Primary,
                })
                .collect(),
            ..Default::default()
        }
    }
}

/// Shared, immutable entry; the index and matches point at the same allocation.
pub type EntryRef = Arc<WatchlistEntry>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_normalise_to_alphanumerics() {
        assert_eq!(normalise_document_number(" a12-34 5"), "A12345");
    }

    #[test]
    fn gender_parses_feed_spellings() {
        assert_eq!(Gender::parse("male"), Some(Gender::Male));
        assert_eq!(Gender::parse("F"), Some(Gender::Female));
        assert_eq!(Gender::parse("U"), Some(Gender::Other));
        assert_eq!(Gender::parse("?"), None);
    }
}
