//! Names: normalisation and transliteration, part similarity, alignment, and blocking keys.
//!
//! Everything here is pure and allocation-light: the index precomputes [`Part`]s for every entry
//! name once, so comparing a traveller with a candidate only aligns parts.

mod keys;
mod normalise;
mod similarity;

pub use keys::{KeyKind, NameKey, glued_keys, name_keys, pair_keys, part_keys};
pub use normalise::{Part, normalise, parts, skeleton, strip_article};
pub use similarity::{
    Alignment, NameAlignment, PART_FLOOR, align, jaro_winkler, part_similarity, part_weight,
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
    "haji",
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

/// Whether a part is one of [`COMMON_PARTS`], a spelling of one (same skeleton of at least three
/// consonants: MOSTAFA, HUSAYN), or so short that it says little alone (LI, WU, KIM).
pub fn is_common_part(p: &Part) -> bool {
    if p.text.len() <= 3 && !p.vowelless {
        return true;
    }
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static SKELETONS: OnceLock<HashSet<String>> = OnceLock::new();
    if COMMON_PARTS.contains(&p.text.as_ref()) {
        return true;
    }
    let set = SKELETONS.get_or_init(|| {
        COMMON_PARTS
            .iter()
            .map(|t| skeleton(t))
            .filter(|s| s.len() >= 3)
            .collect()
    });
    p.skel.len() >= 3 && set.contains(p.skel.as_ref())
}
