//! Countries as ISO 3166-1 alpha-3 codes, parsed from codes or the names lists use.

#[path = "country_table.rs"]
mod table;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// A country as its ISO 3166-1 alpha-3 code (upper case). Every source's spelling (alpha-2,
/// alpha-3, ICAO passport codes, English names as the UN and OFAC write them) maps to this one form,
/// so comparisons are plain equality.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 3]);

/// Names used by lists that ISO does not carry, and historical names still in lists.
const EXTRA_NAMES: &[(&str, &str)] = &[
    ("Democratic Republic of the Congo", "COD"),
    ("Congo, Democratic Republic of the", "COD"),
    ("DRC", "COD"),
    ("Republic of the Congo", "COG"),
    ("Congo", "COG"),
    ("Iran (Islamic Republic of)", "IRN"),
    ("Bolivia (Plurinational State of)", "BOL"),
    ("Venezuela (Bolivarian Republic of)", "VEN"),
    ("Micronesia (Federated States of)", "FSM"),
    ("Republic of Korea", "KOR"),
    ("Korea, South", "KOR"),
    ("Korea, North", "PRK"),
    ("Democratic People's Republic of Korea", "PRK"),
    ("Russia", "RUS"),
    ("Turkey", "TUR"),
    ("Turkiye", "TUR"),
    (
        "United Kingdom of Great Britain and Northern Ireland",
        "GBR",
    ),
    ("Great Britain", "GBR"),
    ("UK", "GBR"),
    ("United States of America", "USA"),
    ("USA", "USA"),
    ("Palestine", "PSE"),
    ("State of Palestine", "PSE"),
    ("Occupied Palestinian Territory", "PSE"),
    ("Palestinian", "PSE"),
    ("Macedonia, The Former Yugoslav Republic of", "MKD"),
    ("West Bank", "PSE"),
    ("Gaza", "PSE"),
    ("Gaza Strip", "PSE"),
    ("Syria", "SYR"),
    ("Libyan Arab Jamahiriya", "LBY"),
    ("Burma", "MMR"),
    ("Ivory Coast", "CIV"),
    ("Cote d'Ivoire", "CIV"),
    ("Swaziland", "SWZ"),
    ("Macedonia", "MKD"),
    ("The former Yugoslav Republic of Macedonia", "MKD"),
    ("Czech Republic", "CZE"),
    ("Cape Verde", "CPV"),
    ("East Timor", "TLS"),
    ("Vatican", "VAT"),
    ("Holy See", "VAT"),
    ("Kosovo", "XKX"),
    ("Netherlands (Kingdom of the)", "NLD"),
    ("Yemen, Republic of", "YEM"),
    ("United Arab Emirates", "ARE"),
    ("UAE", "ARE"),
    ("Saudi Arabia", "SAU"),
    ("Sudan", "SDN"),
    ("South Sudan", "SSD"),
    ("Gambia", "GMB"),
    ("The Gambia", "GMB"),
    ("Bahamas", "BHS"),
    ("The Bahamas", "BHS"),
];

/// ICAO Doc 9303 codes that are not ISO alpha-3 (Germany's `D`, UN and refugee documents).
const ICAO_CODES: &[(&str, &str)] = &[
    ("D", "DEU"),
    ("D<<", "DEU"),
    ("GBD", "GBR"),
    ("GBN", "GBR"),
    ("GBO", "GBR"),
    ("GBP", "GBR"),
    ("GBS", "GBR"),
    ("RKS", "XKX"),
    ("UNO", "UNO"),
    ("UNA", "UNA"),
    ("UNK", "UNK"),
    ("XXA", "XXA"),
    ("XXB", "XXB"),
    ("XXC", "XXC"),
    ("XXX", "XXX"),
    ("XKX", "XKX"),
    ("EUE", "EUE"),
];

struct Tables {
    by_code: HashMap<String, [u8; 3]>,
    by_name: HashMap<String, [u8; 3]>,
    names: HashMap<[u8; 3], &'static str>,
}

fn code3(s: &str) -> [u8; 3] {
    let b = s.as_bytes();
    [b[0], b[1], b[2]]
}

/// Lower-case ASCII letters and single spaces; "Côte d'Ivoire" → "cote d ivoire".
fn name_key(s: &str) -> String {
    let ascii = any_ascii::any_ascii(s).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for w in ascii.split(|c: char| !c.is_ascii_alphanumeric()) {
        if w.is_empty() || w == "the" || w == "of" {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut by_code = HashMap::new();
        let mut by_name = HashMap::new();
        let mut names = HashMap::new();
        for &(a2, a3, ns) in table::ISO3166 {
            by_code.insert(a2.to_string(), code3(a3));
            by_code.insert(a3.to_string(), code3(a3));
            names.insert(code3(a3), ns[0]);
            for n in ns {
                by_name.insert(name_key(n), code3(a3));
            }
        }
        for &(code, a3) in ICAO_CODES {
            by_code.insert(code.to_string(), code3(a3));
        }
        for &(n, a3) in EXTRA_NAMES {
            by_name.insert(name_key(n), code3(a3));
        }
        Tables {
            by_code,
            by_name,
            names,
        }
    })
}

impl Country {
    /// From an ISO alpha-2 or alpha-3 code or an ICAO document code, any case.
    pub fn from_code(code: &str) -> Option<Country> {
        let c = code.trim().to_ascii_uppercase();
        tables().by_code.get(&c).map(|b| Country(*b))
    }

    /// From an English country name as lists write it ("Iran (Islamic Republic of)").
    pub fn from_name(name: &str) -> Option<Country> {
        tables().by_name.get(&name_key(name)).map(|b| Country(*b))
    }

    /// Code first, then name.
    pub fn parse(s: &str) -> Option<Country> {
        let t = s.trim();
        if t.is_empty() {
            return None;
        }
        if t.len() <= 3
            && let Some(c) = Country::from_code(t)
        {
            return Some(c);
        }
        Country::from_name(t).or_else(|| Country::from_code(t))
    }

    pub fn alpha3(&self) -> &str {
        // Constructed only from ASCII table entries.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The ISO short name, when the code is an ISO one.
    pub fn name(&self) -> Option<&'static str> {
        tables().names.get(&self.0).copied()
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha3())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.alpha3())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.alpha3())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown country {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_meet_in_alpha3() {
        let irq = Country::from_code("IQ").unwrap();
        assert_eq!(irq.alpha3(), "IRQ");
        assert_eq!(Country::parse("irq"), Some(irq));
        assert_eq!(Country::parse("Iraq"), Some(irq));
        assert_eq!(
            Country::parse("Iran (Islamic Republic of)")
                .unwrap()
                .alpha3(),
            "IRN"
        );
        assert_eq!(
            Country::parse("Democratic Republic of the Congo")
                .unwrap()
                .alpha3(),
            "COD"
        );
        assert_eq!(Country::parse("D").unwrap().alpha3(), "DEU");
        assert_eq!(Country::parse("Côte d'Ivoire").unwrap().alpha3(), "CIV");
        assert_eq!(Country::parse("Atlantis"), None);
        assert_eq!(Country::parse(""), None);
    }
}
