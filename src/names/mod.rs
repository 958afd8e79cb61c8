//! Names: normalisation and transliteration, part similarity, alignment, and blocking keys.
//!
//! Everything here is pure and allocation-light: the index precomputes [`Part`]s for every entry
//! name once, so comparing a traveller with a candidate only aligns parts.

mod keys;
mod normalise;
mod similarity;

pub(crate) use keys::block;
pub use keys::{
    KeyKind, NameKey, exact_key, glued_keys, name_keys, pair_keys, part_keys, probe_glued_keys,
    probe_part_keys, read_block, read_pair_keys,
};
pub use normalise::{Part, interdental_reading, normalise, parts, skeleton, strip_article};
pub use similarity::{
    Alignment, NameAlignment, PART_FLOOR, SimCache, align, align_score, align_score_cached,
    jaro_winkler, part_similarity, part_weight,
};

/// Parts so common among travellers and listed people that, alone, they identify nobody
/// ("Muhammad Ali Khan"). A match made only of these needs other evidence (a date of birth or
/// document) before it alerts.
pub const COMMON_PARTS: &[&str] = &[
    "muhammad",
    "ali",
    "ahmad",
    "hassan",
    "hasan",
    "hussein",
    "abd",
    "abdullah",
    "khan",
    "abu",
    "umar",
    "mahmoud",
    "mahmud",
    "mustafa",
    "ibrahim",
    "ismail",
    "yusuf",
    "said",
    "saeed",
    "saleh",
    "salem",
    "rahman",
    "karim",
    "hamid",
    "ahmed",
    "mehmet",
    "bibi",
    "begum",
    "kumar",
    "singh",
    "devi",
    "shah",
    "hossain",
    "islam",
    "uddin",
    "ullah",
    "sheikh",
    "syed",
    "sayed",
    "mohammadi",
    "hussain",
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "nguyen",
    "tran",
    "le",
    "pham",
    "kim",
    "lee",
    "park",
    "john",
    "maria",
    "jose",
    "juan",
    "smith",
    "jones",
    "garcia",
    "rodriguez",
    "martinez",
    "lopez",
    "gonzalez",
    "ivanov",
    "ivan",
    "sergey",
    "alexander",
    "aleksandr",
    "andrey",
    "dmitry",
    "vladimir",
    "jean",
    "pierre",
    "david",
    "daniel",
    "michael",
    "fatima",
    "aisha",
    "mariam",
    "nur",
    "omar",
    "osama",
    "khalid",
    "tariq",
    "amir",
    "reza",
    "hamza",
    "bakr",
    "bakar",
    "din",
    "aziz",
    "malik",
    "rashid",
    "nasser",
    "jamal",
];

/// Family-name parts of a listed name, by the convention of OFAC, the EU and others: in a name
/// written in mixed case, the words in capitals are the family name ("Cheng YUN", "Maria GILMAN
/// FRANCO"). Returns per-part weights ([`part_weight`], × 1.3 for family-name parts) and the
/// family-name bit mask. An all-capitals or all-lower-case name has no marked family name.
pub fn entry_weights(full: &str, parts: &[Part]) -> (Vec<f32>, u32) {
    let has_lower = full.chars().any(char::is_lowercase);
    let has_upper = full.chars().any(char::is_uppercase);
    let mut mask = 0u32;
    if has_lower && has_upper {
        let mut family: Vec<Part> = Vec::new();
        for w in full.split(|c: char| c.is_whitespace() || c == ',') {
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            if letters >= 2 && !w.chars().any(char::is_lowercase) {
                family.extend(self::parts(w));
            }
        }
        for (i, p) in parts.iter().enumerate().take(32) {
            if family.iter().any(|f| f.text() == p.text()) {
                mask |= 1 << i;
            }
        }
    }
    let weights = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let w = part_weight(p);
            if mask & (1 << i) != 0 { w * 1.3 } else { w }
        })
        .collect();
    (weights, mask)
}

/// Whether a part is one of [`COMMON_PARTS`], a spelling of one (same skeleton of at least three
/// consonants: MOSTAFA, HUSAYN), or so short that it says little alone (LI, WU, KIM). Decided
/// once, when the part is made.
pub fn is_common_part(p: &Part) -> bool {
    p.is_common()
}

/// [`is_common_part`] of a part with this canonical text and skeleton.
pub(crate) fn common_spelling(text: &str, skel: &str, vowelless: bool) -> bool {
    use rustc_hash::FxHashSet;
    use std::sync::OnceLock;
    if text.len() <= 3 && !vowelless {
        return true;
    }
    static TEXTS: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    static SKELETONS: OnceLock<FxHashSet<String>> = OnceLock::new();
    if TEXTS
        .get_or_init(|| COMMON_PARTS.iter().copied().collect())
        .contains(text)
    {
        return true;
    }
    let set = SKELETONS.get_or_init(|| {
        COMMON_PARTS
            .iter()
            .map(|t| skeleton(t))
            .filter(|s| s.len() >= 3)
            .collect()
    });
    skel.len() >= 3 && set.contains(skel)
}
