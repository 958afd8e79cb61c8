//! Synthetic travellers and watchlist entries for measuring false alerts and speed.
//!
//! Everything is generated from hand-written name lists embedded from `data/names/` (see the
//! README there) and a tiny deterministic PRNG: the same seed gives the same output on every
//! platform. No I/O.
//!
//! - [`Population::traveller`]: a realistic traveller who is on no list, drawn from a configurable
//!   culture mix (default: roughly world air travel, with every culture well represented).
//! - [`Population::watchlist_padding`]: realistic listed persons (aliases with spelling variants,
//!   partial and ranged birth dates, nationalities, sometimes documents), skewed towards the
//!   cultures that dominate terrorism and sanctions lists.

use crate::model::{
    Country, DateSpec, EntityType, EntryName, Gender, NameKind, PartialDate, Passenger, Severity,
    TravelDocument, WatchlistEntry,
};
use std::sync::atomic::{AtomicU64, Ordering};

// ---------------------------------------------------------------------------------------------
// PRNG
// ---------------------------------------------------------------------------------------------

/// SplitMix64: tiny, fast, and good enough for synthetic data. Deterministic from the seed.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift (bias is negligible for our sizes).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as u64) as u32
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Cultures and embedded data
// ---------------------------------------------------------------------------------------------

/// A naming culture: which lists a name is drawn from and how it is put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Culture {
    Arab,
    Persian,
    Turkic,
    Pakistani,
    Indian,
    Russian,
    Chinese,
    Korean,
    Japanese,
    Vietnamese,
    IndonesianMalay,
    AfricanWest,
    AfricanEast,
    EuropeanWest,
    EuropeanEast,
    Nordic,
    LatinAmerican,
    Filipino,
}

impl Culture {
    pub const ALL: [Culture; 18] = [
        Culture::Arab,
        Culture::Persian,
        Culture::Turkic,
        Culture::Pakistani,
        Culture::Indian,
        Culture::Russian,
        Culture::Chinese,
        Culture::Korean,
        Culture::Japanese,
        Culture::Vietnamese,
        Culture::IndonesianMalay,
        Culture::AfricanWest,
        Culture::AfricanEast,
        Culture::EuropeanWest,
        Culture::EuropeanEast,
        Culture::Nordic,
        Culture::LatinAmerican,
        Culture::Filipino,
    ];

    /// The file-name stem in `data/names/`.
    pub fn name(self) -> &'static str {
        match self {
            Culture::Arab => "arab",
            Culture::Persian => "persian",
            Culture::Turkic => "turkic",
            Culture::Pakistani => "pakistani",
            Culture::Indian => "indian",
            Culture::Russian => "russian",
            Culture::Chinese => "chinese",
            Culture::Korean => "korean",
            Culture::Japanese => "japanese",
            Culture::Vietnamese => "vietnamese",
            Culture::IndonesianMalay => "indonesian_malay",
            Culture::AfricanWest => "african_west",
            Culture::AfricanEast => "african_east",
            Culture::EuropeanWest => "european_west",
            Culture::EuropeanEast => "european_east",
            Culture::Nordic => "nordic",
            Culture::LatinAmerican => "latin_american",
            Culture::Filipino => "filipino",
        }
    }

    pub fn from_name(s: &str) -> Option<Culture> {
        Culture::ALL.into_iter().find(|c| c.name() == s)
    }
}

macro_rules! culture_files {
    ($($stem:literal),* $(,)?) => {
        /// (stem, given_male, given_female, surname) for every culture, in `Culture::ALL` order.
        const FILES: &[(&str, &str, &str, &str)] = &[
            $((
                $stem,
                include_str!(concat!("../../data/names/", $stem, ".given_male.txt")),
                include_str!(concat!("../../data/names/", $stem, ".given_female.txt")),
                include_str!(concat!("../../data/names/", $stem, ".surname.txt")),
            ),)*
        ];
    };
}

culture_files!(
    "arab",
    "persian",
    "turkic",
    "pakistani",
    "indian",
    "russian",
    "chinese",
    "korean",
    "japanese",
    "vietnamese",
    "indonesian_malay",
    "african_west",
    "african_east",
    "european_west",
    "european_east",
    "nordic",
    "latin_american",
    "filipino",
);

const NATIONALITIES: &str = include_str!("../../data/names/nationalities.tsv");

/// Weight of a list line that carries none.
const DEFAULT_WEIGHT: u64 = 3;

/// Items with cumulative weights; picking is a binary search.
#[derive(Debug, Clone)]
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    fn new() -> Self {
        Weighted {
            items: Vec::new(),
            cumulative: Vec::new(),
        }
    }
    fn push(&mut self, item: T, weight: u64) {
        if weight == 0 {
            return;
        }
        let total = self.total() + weight;
        self.items.push(item);
        self.cumulative.push(total);
    }
    fn total(&self) -> u64 {
        self.cumulative.last().copied().unwrap_or(0)
    }
    fn len(&self) -> usize {
        self.items.len()
    }
    fn pick(&self, rng: &mut Rng) -> &T {
        let x = rng.below(self.total());
        let i = self.cumulative.partition_point(|&c| c <= x);
        &self.items[i]
    }
}

/// Parses a name list: `NAME` or `NAME<TAB>WEIGHT` per line, `#` comments and blanks skipped.
fn parse_list(text: &'static str) -> Weighted<&'static str> {
    let mut w = Weighted::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, weight) = match line.split_once('\t') {
            Some((n, wt)) => (n.trim(), wt.trim().parse().unwrap_or(DEFAULT_WEIGHT)),
            None => (line.trim(), DEFAULT_WEIGHT),
        };
        if !name.is_empty() {
            w.push(name, weight);
        }
    }
    w
}

#[derive(Debug, Clone)]
struct CultureData {
    male: Weighted<&'static str>,
    female: Weighted<&'static str>,
    surname: Weighted<&'static str>,
    nationalities: Weighted<Country>,
}

impl CultureData {
    fn given(&self, gender: Gender) -> &Weighted<&'static str> {
        match gender {
            Gender::Female => &self.female,
            _ => &self.male,
        }
    }
}

/// The default traveller mix: roughly world air travel, with every culture well represented.
pub const DEFAULT_TRAVELLER_MIX: &[(Culture, u32)] = &[
    (Culture::EuropeanWest, 17),
    (Culture::Chinese, 9),
    (Culture::Indian, 8),
    (Culture::Arab, 8),
    (Culture::LatinAmerican, 8),
    (Culture::Russian, 5),
    (Culture::Turkic, 5),
    (Culture::EuropeanEast, 5),
    (Culture::Pakistani, 4),
    (Culture::Japanese, 4),
    (Culture::Korean, 4),
    (Culture::IndonesianMalay, 4),
    (Culture::AfricanWest, 4),
    (Culture::Persian, 3),
    (Culture::AfricanEast, 3),
    (Culture::Vietnamese, 3),
    (Culture::Nordic, 3),
    (Culture::Filipino, 3),
];

/// The default watchlist mix: skewed towards the cultures on UN/OFAC terrorism and sanctions
/// lists, with every culture present.
pub const DEFAULT_WATCHLIST_MIX: &[(Culture, u32)] = &[
    (Culture::Arab, 26),
    (Culture::Russian, 14),
    (Culture::Pakistani, 10),
    (Culture::Persian, 9),
    (Culture::AfricanEast, 7),
    (Culture::AfricanWest, 5),
    (Culture::Turkic, 5),
    (Culture::LatinAmerican, 5),
    (Culture::Chinese, 4),
    (Culture::EuropeanEast, 4),
    (Culture::Korean, 3),
    (Culture::EuropeanWest, 3),
    (Culture::IndonesianMalay, 2),
    (Culture::Indian, 2),
    (Culture::Filipino, 1),
    (Culture::Vietnamese, 1),
    (Culture::Japanese, 1),
    (Culture::Nordic, 1),
];

/// Generator of travellers and listed persons from the embedded name data.
#[derive(Debug)]
pub struct Population {
    cultures: Vec<CultureData>,
    traveller_mix: Weighted<Culture>,
    watchlist_mix: Weighted<Culture>,
    /// Birth dates are drawn relative to this year (ages 0–90 for travellers).
    pub as_of_year: u16,
    next_id: AtomicU64,
}

impl Default for Population {
    fn default() -> Self {
        Population::new()
    }
}

fn mix(entries: &[(Culture, u32)]) -> Weighted<Culture> {
    let mut w = Weighted::new();
    for &(c, n) in entries {
        w.push(c, n as u64);
    }
    assert!(w.total() > 0, "a culture mix needs a positive weight");
    w
}

impl Population {
    /// Builds the population from the embedded lists with the default mixes.
    ///
    /// Panics only if the embedded data is broken (caught by the unit tests).
    pub fn new() -> Population {
        let mut nat: Vec<Option<Weighted<Country>>> = vec![None; Culture::ALL.len()];
        for line in NATIONALITIES.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (stem, rest) = line
                .split_once('\t')
                .expect("nationalities.tsv: culture<TAB>…");
            let culture = Culture::from_name(stem.trim())
                .unwrap_or_else(|| panic!("nationalities.tsv: unknown culture {stem:?}"));
            let mut w = Weighted::new();
            for item in rest.split_whitespace() {
                let (code, weight) = item.split_once(':').unwrap_or((item, "1"));
                let country = Country::parse(code)
                    .unwrap_or_else(|| panic!("nationalities.tsv: unknown country {code:?}"));
                w.push(country, weight.parse().unwrap_or(1));
            }
            nat[culture as usize] = Some(w);
        }
        let cultures = FILES
            .iter()
            .zip(nat)
            .map(|(&(stem, m, f, s), n)| CultureData {
                male: parse_list(m),
                female: parse_list(f),
                surname: parse_list(s),
                nationalities: n.unwrap_or_else(|| panic!("nationalities.tsv: no row for {stem}")),
            })
            .collect();
        Population {
            cultures,
            traveller_mix: mix(DEFAULT_TRAVELLER_MIX),
            watchlist_mix: mix(DEFAULT_WATCHLIST_MIX),
            as_of_year: 2026,
            next_id: AtomicU64::new(0),
        }
    }

    /// Replaces the traveller culture mix (relative weights; cultures left out never occur).
    pub fn with_traveller_mix(mut self, entries: &[(Culture, u32)]) -> Population {
        self.traveller_mix = mix(entries);
        self
    }

    /// Replaces the watchlist culture mix.
    pub fn with_watchlist_mix(mut self, entries: &[(Culture, u32)]) -> Population {
        self.watchlist_mix = mix(entries);
        self
    }

    /// Number of (given male, given female, surname) names embedded for a culture.
    pub fn counts(&self, culture: Culture) -> (usize, usize, usize) {
        let d = &self.cultures[culture as usize];
        (d.male.len(), d.female.len(), d.surname.len())
    }

    /// A traveller from the configured mix, with id `p<n>` (`n` counts travellers made by this
    /// population, from 0).
    pub fn traveller(&self, rng: &mut Rng) -> Passenger {
        let culture = *self.traveller_mix.pick(rng);
        self.traveller_in(rng, culture)
    }

    /// A traveller of the given culture.
    pub fn traveller_in(&self, rng: &mut Rng, culture: Culture) -> Passenger {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let gender = if rng.chance(0.5) {
            Gender::Male
        } else {
            Gender::Female
        };
        let nationality = self.nationality(rng, culture);
        let name = self.person_name(rng, culture, gender, nationality);
        let age = traveller_age(rng);
        let dob = birth_date(rng, self.as_of_year - 1 - age as u16, nationality);
        let document = self.passport(rng, nationality, age);
        Passenger {
            id: format!("p{n}"),
            surname: Some(name.surname),
            given_names: name.given,
            name: None,
            dob: Some(dob),
            dob_century_ambiguous: false,
            gender: Some(gender),
            nationality: Some(nationality),
            documents: vec![document],
        }
    }

    /// `n` listed persons with ids `<id_prefix><i>` (`i` from 0), list `synthetic`.
    pub fn watchlist_padding(
        &self,
        rng: &mut Rng,
        n: usize,
        id_prefix: &str,
    ) -> Vec<WatchlistEntry> {
        (0..n)
            .map(|i| {
                let culture = *self.watchlist_mix.pick(rng);
                self.listed_person_in(rng, culture, format!("{id_prefix}{i}"))
            })
            .collect()
    }

    /// One listed person of the given culture.
    pub fn listed_person_in(&self, rng: &mut Rng, culture: Culture, id: String) -> WatchlistEntry {
        let gender = if rng.chance(0.88) {
            Gender::Male
        } else {
            Gender::Female
        };
        let nationality = self.nationality(rng, culture);
        let primary = self.person_name(rng, culture, gender, nationality).full();

        let mut names = vec![EntryName {
            full: primary.clone(),
            kind: NameKind::Primary,
        }];
        let extra = match rng.below(100) {
            0..=34 => 0,
            35..=69 => 1,
            70..=89 => 2,
            _ => 3,
        };
        for _ in 0..extra {
            let (full, kind) = match rng.below(10) {
                // Another transliteration of the same person.
                0..=5 => (spelling_variant(rng, &primary), NameKind::Alias),
                // A kunya / nickname built on the given name (weak alias).
                6..=7 => (
                    self.weak_alias(rng, culture, gender, &primary),
                    NameKind::WeakAlias,
                ),
                // A completely different name used by the same person.
                8 => (
                    self.person_name(rng, culture, gender, nationality).full(),
                    NameKind::Alias,
                ),
                _ => (spelling_variant(rng, &primary), NameKind::FormerName),
            };
            if !full.is_empty() && names.iter().all(|n| n.full != full) {
                names.push(EntryName { full, kind });
            }
        }

        let birth_year = self.as_of_year as u32 - rng.range(22, 85);
        let mut dobs = Vec::new();
        match rng.below(100) {
            0..=49 => dobs.push(DateSpec::Exact(birth_date(
                rng,
                birth_year as u16,
                nationality,
            ))),
            50..=69 => dobs.push(DateSpec::Exact(PartialDate::year(birth_year as u16))),
            70..=79 => dobs.push(DateSpec::Approximate(PartialDate::year(birth_year as u16))),
            80..=91 => {
                let span = rng.range(1, 4);
                dobs.push(DateSpec::Between {
                    from: birth_year as u16,
                    to: (birth_year + span) as u16,
                });
            }
            _ => {}
        }
        if !dobs.is_empty() && rng.chance(0.12) {
            // Real lists often carry a second, conflicting date of birth.
            let other = birth_year + rng.range(1, 3);
            dobs.push(if rng.chance(0.5) {
                DateSpec::Exact(birth_date(rng, other as u16, nationality))
            } else {
                DateSpec::Exact(PartialDate::year(other as u16))
            });
        }

        let mut nationalities = Vec::new();
        if rng.chance(0.92) {
            nationalities.push(nationality);
            if rng.chance(0.1) {
                let second = self.nationality(rng, culture);
                if second != nationality {
                    nationalities.push(second);
                }
            }
        }

        let mut documents = Vec::new();
        if rng.chance(0.35) {
            let age = self.as_of_year as u32 - birth_year;
            documents.push(self.passport(rng, nationality, age));
            if rng.chance(0.25) {
                documents.push(TravelDocument {
                    doc_type: Some("I".to_string()),
                    number: fill_pattern(rng, "##########"),
                    country: Some(nationality),
                    expiry: None,
                    issued: None,
                });
            }
        }

        let severity = match rng.below(100) {
            0..=14 => Severity::Critical,
            15..=84 => Severity::High,
            85..=94 => Severity::Medium,
            _ => Severity::Low,
        };

        WatchlistEntry {
            id,
            list: "synthetic".to_string(),
            severity,
            entity_type: EntityType::Individual,
            names,
            dobs,
            places_of_birth: Vec::new(),
            nationalities,
            documents,
            gender: if rng.chance(0.8) { Some(gender) } else { None },
        }
    }

    fn nationality(&self, rng: &mut Rng, culture: Culture) -> Country {
        *self.cultures[culture as usize].nationalities.pick(rng)
    }

    fn given(&self, rng: &mut Rng, culture: Culture, gender: Gender) -> &'static str {
        self.cultures[culture as usize].given(gender).pick(rng)
    }

    fn male(&self, rng: &mut Rng, culture: Culture) -> &'static str {
        self.given(rng, culture, Gender::Male)
    }

    fn surname(&self, rng: &mut Rng, culture: Culture) -> &'static str {
        self.cultures[culture as usize].surname.pick(rng)
    }

    /// A name as a passport of this culture and nationality would carry it.
    pub fn person_name(
        &self,
        rng: &mut Rng,
        culture: Culture,
        gender: Gender,
        nationality: Country,
    ) -> PersonName {
        let nat = nationality.alpha3();
        let female = gender == Gender::Female;
        let mut given: Vec<String> = vec![self.given(rng, culture, gender).to_string()];
        let surname: String;
        match culture {
            Culture::Arab => {
                // Father's and grandfather's names are common in Gulf, Iraqi and Yemeni passports.
                if rng.chance(0.45) {
                    given.push(self.male(rng, culture).to_string());
                    if rng.chance(0.4) {
                        given.push(self.male(rng, culture).to_string());
                    }
                }
                surname = if rng.chance(0.15) {
                    self.male(rng, culture).to_string()
                } else {
                    self.surname(rng, culture).to_string()
                };
            }
            Culture::Persian | Culture::Japanese => {
                if culture == Culture::Persian && rng.chance(0.12) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                surname = self.surname(rng, culture).to_string();
            }
            Culture::Turkic => {
                if rng.chance(0.2) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                let s = self.surname(rng, culture);
                surname = if female {
                    feminine_slavic(s)
                } else {
                    s.to_string()
                };
            }
            Culture::Pakistani => {
                let first = given[0].as_str();
                let devotional = matches!(
                    first,
                    "MUHAMMAD" | "MOHAMMAD" | "MUHAMMED" | "MOHAMMED" | "MOHD" | "SYED" | "ABDUL"
                );
                if (devotional && rng.chance(0.85)) || rng.chance(0.3) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                surname = self.surname(rng, culture).to_string();
            }
            Culture::Indian => {
                if rng.chance(0.15) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                let mut s = self.surname(rng, culture);
                if !female {
                    while matches!(s, "KAUR" | "BEGUM" | "KHATUN" | "BIBI") {
                        s = self.surname(rng, culture);
                    }
                } else if s == "SINGH" && rng.chance(0.7) {
                    s = "KAUR";
                }
                surname = s.to_string();
            }
            Culture::Russian => {
                let s = self.surname(rng, culture);
                surname = if female {
                    feminine_slavic(s)
                } else {
                    s.to_string()
                };
                // Patronymics are rare in the MRZ of international passports, but occur.
                if rng.chance(0.05) {
                    given.push(patronymic(self.male(rng, culture), female));
                }
            }
            Culture::Chinese | Culture::Korean => {
                let join = if culture == Culture::Chinese {
                    0.75
                } else {
                    0.5
                };
                if rng.chance(join) {
                    given[0] = given[0].replace(' ', "");
                }
                surname = self.surname(rng, culture).to_string();
            }
            Culture::Vietnamese => {
                surname = self.surname(rng, culture).to_string();
            }
            Culture::IndonesianMalay => {
                if nat == "MYS" || nat == "BRN" || nat == "SGP" {
                    if rng.chance(0.3) {
                        given.push(self.given(rng, culture, gender).to_string());
                    }
                    if rng.chance(0.65) {
                        // Malay patronymic: AHMAD FAIZ BIN ABDULLAH.
                        let link = if female { "BINTI" } else { "BIN" };
                        let father = if rng.chance(0.5) {
                            self.male(rng, culture)
                        } else {
                            self.surname(rng, culture)
                        };
                        surname = format!("{link} {father}");
                    } else {
                        surname = self.surname(rng, culture).to_string();
                    }
                } else if rng.chance(0.2) {
                    // Indonesian single name: carried in the surname field alone.
                    return PersonName {
                        given: None,
                        surname: given.swap_remove(0),
                    };
                } else {
                    if rng.chance(0.35) {
                        given.push(self.given(rng, culture, gender).to_string());
                    }
                    surname = self.surname(rng, culture).to_string();
                }
            }
            Culture::AfricanWest => {
                if rng.chance(0.35) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                surname = self.surname(rng, culture).to_string();
            }
            Culture::AfricanEast => {
                if nat == "SOM" || nat == "DJI" {
                    // Somali: own name, father's, grandfather's.
                    given.push(self.male(rng, culture).to_string());
                    surname = self.male(rng, culture).to_string();
                } else if nat == "ETH" || nat == "ERI" {
                    // Ethiopian/Eritrean: the father's given name serves as surname.
                    surname = self.male(rng, culture).to_string();
                } else {
                    if rng.chance(0.3) {
                        given.push(self.given(rng, culture, gender).to_string());
                    }
                    surname = self.surname(rng, culture).to_string();
                }
            }
            Culture::EuropeanWest | Culture::Nordic | Culture::Filipino => {
                if rng.chance(0.25) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                surname = self.surname(rng, culture).to_string();
            }
            Culture::EuropeanEast => {
                if rng.chance(0.12) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                let s = self.surname(rng, culture);
                surname = if female {
                    if nat == "CZE" || nat == "SVK" {
                        feminine_czech(s)
                    } else {
                        feminine_east(s)
                    }
                } else {
                    s.to_string()
                };
            }
            Culture::LatinAmerican => {
                if rng.chance(0.35) {
                    given.push(self.given(rng, culture, gender).to_string());
                }
                let first = self.surname(rng, culture);
                let two = if nat == "BRA" { 0.45 } else { 0.75 };
                surname = if rng.chance(two) {
                    let mut second = self.surname(rng, culture);
                    if second == first {
                        second = self.surname(rng, culture);
                    }
                    format!("{first} {second}")
                } else {
                    first.to_string()
                };
            }
        }
        given.dedup();
        PersonName {
            given: Some(given.join(" ")),
            surname,
        }
    }

    fn weak_alias(&self, rng: &mut Rng, culture: Culture, gender: Gender, primary: &str) -> String {
        let first = primary.split(' ').next().unwrap_or(primary);
        match culture {
            Culture::Arab | Culture::Pakistani | Culture::AfricanEast | Culture::Persian => {
                let kin = if gender == Gender::Female {
                    "UMM"
                } else {
                    "ABU"
                };
                format!("{kin} {}", self.male(rng, culture))
            }
            _ => {
                if first.len() >= 3 && first != primary && rng.chance(0.5) {
                    // The first name alone, as weak aliases often are.
                    first.to_string()
                } else {
                    format!(
                        "{} {}",
                        self.given(rng, culture, gender),
                        self.surname(rng, culture)
                    )
                }
            }
        }
    }

    /// A passport in the number format of the issuing state.
    fn passport(&self, rng: &mut Rng, country: Country, age: u32) -> TravelDocument {
        let validity = if age < 18 { 5 } else { 10 };
        // Issued within the validity period before `as_of_year`, so never in the future.
        let issued_year = self.as_of_year as u32 - 1 - rng.range(0, validity - 2);
        let month = rng.range(1, 12) as u8;
        let day = rng.range(1, 28) as u8;
        let issued = PartialDate::ymd(issued_year as u16, month, day);
        let expiry = PartialDate::ymd((issued_year + validity) as u16, month, day);
        let pattern = passport_pattern(rng, country.alpha3());
        TravelDocument {
            doc_type: Some("P".to_string()),
            number: fill_pattern(rng, pattern),
            country: Some(country),
            expiry: Some(expiry),
            issued: Some(issued),
        }
    }
}

/// A generated name as a passport carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub given: Option<String>,
    pub surname: String,
}

impl PersonName {
    /// Given names then surname, as watchlists usually print them.
    pub fn full(&self) -> String {
        match &self.given {
            Some(g) => format!("{g} {}", self.surname),
            None => self.surname.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Name morphology
// ---------------------------------------------------------------------------------------------

/// IVANOV → IVANOVA, KOZLOVSKIY → KOZLOVSKAYA, IVANOU → IVANOVA; SHEVCHENKO unchanged.
fn feminine_slavic(s: &str) -> String {
    for (m, f) in [
        ("SKIY", "SKAYA"),
        ("SKII", "SKAYA"),
        ("SKY", "SKAYA"),
        ("SKI", "SKAYA"),
        ("TSKIY", "TSKAYA"),
    ] {
        if let Some(stem) = s.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    if let Some(stem) = s.strip_suffix("OU").or_else(|| s.strip_suffix("AU")) {
        return format!("{stem}OVA");
    }
    if s.ends_with("OV") || s.ends_with("EV") || s.ends_with("IN") || s.ends_with("YN") {
        return format!("{s}A");
    }
    s.to_string()
}

/// Polish, Greek and Bulgarian feminine surnames.
fn feminine_east(s: &str) -> String {
    for (m, f) in [
        ("SKI", "SKA"),
        ("CKI", "CKA"),
        ("DZKI", "DZKA"),
        ("DIS", "DOU"),
        ("AKIS", "AKI"),
        ("OS", "OU"),
        ("AS", "A"),
        ("IS", "I"),
    ] {
        if let Some(stem) = s.strip_suffix(m) {
            return format!("{stem}{f}");
        }
    }
    if s.ends_with("OV") || s.ends_with("EV") {
        return format!("{s}A");
    }
    s.to_string()
}

/// Czech and Slovak feminine surnames: NOVAK → NOVAKOVA, NOVOTNY → NOVOTNA, HAJEK → HAJKOVA.
fn feminine_czech(s: &str) -> String {
    if let Some(stem) = s.strip_suffix('Y') {
        return format!("{stem}A");
    }
    if let Some(stem) = s.strip_suffix('A') {
        return format!("{stem}OVA");
    }
    if let Some(stem) = s.strip_suffix("EK") {
        return format!("{stem}KOVA");
    }
    if s.ends_with(|c: char| "AEIOU".contains(c)) {
        return s.to_string();
    }
    format!("{s}OVA")
}

/// SERGEI → SERGEEVICH / SERGEEVNA, IVAN → IVANOVICH / IVANOVNA, NIKITA → NIKITICH.
fn patronymic(father: &str, female: bool) -> String {
    let (stem, male_suffix, female_suffix) = if let Some(st) = father
        .strip_suffix("EY")
        .or_else(|| father.strip_suffix("EI"))
        .or_else(|| father.strip_suffix("AY"))
        .or_else(|| father.strip_suffix("AI"))
    {
        let vowel = &father[st.len()..st.len() + 1];
        (format!("{st}{vowel}"), "EVICH", "EVNA")
    } else if let Some(st) = father.strip_suffix('A') {
        (st.to_string(), "ICH", "ICHNA")
    } else if let Some(st) = father
        .strip_suffix("II")
        .or_else(|| father.strip_suffix("IY"))
    {
        (st.to_string(), "IEVICH", "IEVNA")
    } else {
        (father.to_string(), "OVICH", "OVNA")
    };
    format!("{stem}{}", if female { female_suffix } else { male_suffix })
}

/// Transliteration swaps seen between list spellings of the same name. A leading `^` anchors the
/// swap at the start of a name token.
const SPELLING_SWAPS: &[(&str, &str)] = &[
    ("MOHAMMED", "MUHAMMAD"),
    ("MUHAMMAD", "MOHAMED"),
    ("MOHAMED", "MOHAMMAD"),
    ("MOHAMMAD", "MOHAMMED"),
    ("MAHMOUD", "MAHMUD"),
    ("HUSSEIN", "HUSAYN"),
    ("HUSSAIN", "HUSSEIN"),
    ("HASSAN", "HASAN"),
    ("^ABDUL ", "ABDUL"),
    ("^ABDUL", "ABD AL "),
    ("^ABDEL", "ABDUL"),
    ("^AL ", "AL"),
    ("^AL ", "EL "),
    ("^EL ", "AL "),
    ("OU", "U"),
    ("OO", "U"),
    ("EE", "I"),
    ("EI", "EY"),
    ("EY", "EI"),
    ("IY", "II"),
    ("KH", "H"),
    ("Q", "K"),
    ("J", "DJ"),
    ("DZH", "J"),
    ("ZH", "J"),
    ("Y", "I"),
    ("SS", "S"),
    ("TT", "T"),
    ("W", "V"),
    ("V", "W"),
    ("PH", "F"),
    ("TH", "T"),
    ("AA", "A"),
    ("KS", "X"),
    ("YA", "IA"),
    ("IA", "YA"),
    ("YU", "IU"),
    ("OU", "OO"),
    ("SUF", "SOOF"),
    ("EH", "A"),
];

/// Another plausible list spelling of `name`: a transliteration swap, sometimes with a token
/// dropped or the surname moved first.
fn spelling_variant(rng: &mut Rng, name: &str) -> String {
    let mut out = name.to_string();
    let swaps = if rng.chance(0.3) { 2 } else { 1 };
    for _ in 0..swaps {
        // Every (rule, position) where a swap applies to the current spelling.
        let mut options: Vec<(usize, &str, &str)> = Vec::new();
        for &(rule, to) in SPELLING_SWAPS {
            let (from, anchored) = match rule.strip_prefix('^') {
                Some(f) => (f, true),
                None => (rule, false),
            };
            for (at, _) in out.match_indices(from) {
                let token_start = at == 0 || out.as_bytes()[at - 1] == b' ';
                // Skip where the longer spelling is already there (J inside DJ, U inside OU).
                let grown = to.len() > from.len()
                    && to.ends_with(from)
                    && at >= to.len() - from.len()
                    && out[at - (to.len() - from.len())..].starts_with(to);
                if (!anchored || token_start) && !grown {
                    options.push((at, from, to));
                }
            }
        }
        if options.is_empty() {
            break;
        }
        let (at, from, to) = *rng.pick(&options);
        out.replace_range(at..at + from.len(), to);
    }
    let tokens: Vec<&str> = out.split_whitespace().collect();
    if tokens.len() >= 3 && rng.chance(0.25) {
        // Drop a middle name.
        let skip = 1 + rng.below(tokens.len() as u64 - 2) as usize;
        let kept: Vec<&str> = tokens
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != skip)
            .map(|(_, t)| *t)
            .collect();
        kept.join(" ")
    } else if tokens.len() >= 2 && rng.chance(0.15) {
        // Surname first, as some lists print it.
        let mut t = tokens.clone();
        t.rotate_right(1);
        t.join(" ")
    } else {
        tokens.join(" ")
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and documents
// ---------------------------------------------------------------------------------------------

/// Traveller age in years, 0–90, shaped like an airline passenger population.
fn traveller_age(rng: &mut Rng) -> u32 {
    // (first age, last age, weight)
    const BANDS: &[(u32, u32, u32)] = &[
        (0, 1, 15),
        (2, 11, 80),
        (12, 17, 60),
        (18, 24, 110),
        (25, 34, 200),
        (35, 44, 190),
        (45, 54, 160),
        (55, 64, 110),
        (65, 74, 60),
        (75, 84, 17),
        (85, 90, 3),
    ];
    let total: u32 = BANDS.iter().map(|b| b.2).sum();
    let mut x = rng.below(total as u64) as u32;
    for &(lo, hi, w) in BANDS {
        if x < w {
            return rng.range(lo, hi);
        }
        x -= w;
    }
    30
}

/// A full birth date in `year`. Where registration of births was patchy, documents often carry
/// 1 January (the "unknown date" convention), so those countries get it more often.
fn birth_date(rng: &mut Rng, year: u16, nationality: Country) -> PartialDate {
    let jan1 = match nationality.alpha3() {
        "AFG" | "SOM" | "ETH" | "ERI" | "SDN" | "YEM" | "IRQ" | "PAK" | "NGA" | "SLE" | "LBR"
        | "GIN" | "MLI" | "NER" | "BFA" | "KEN" | "UGA" | "TZA" | "BGD" => 0.12,
        _ => 0.004,
    };
    if rng.chance(jan1) {
        return PartialDate::ymd(year, 1, 1);
    }
    let month = rng.range(1, 12) as u8;
    let day = rng.range(1, crate::model::days_in_month(year, month) as u32) as u8;
    PartialDate::ymd(year, month, day)
}

/// Passport number shape by issuing state: `#` digit, `@` letter, `*` letter or digit; other
/// characters are literal.
fn passport_pattern(rng: &mut Rng, alpha3: &str) -> &'static str {
    match alpha3 {
        "USA" => {
            if rng.chance(0.4) {
                "A########"
            } else {
                "#########"
            }
        }
        "GBR" | "TWN" | "RUS" | "DNK" | "SWE" | "NOR" | "ISL" => "#########",
        "AUS" | "NZL" | "IRL" => "@@#######",
        "CAN" | "PHL" | "IDN" => "@@######",
        "DEU" => "C********",
        "AUT" | "CHE" | "BEL" | "CZE" | "SVK" | "HUN" | "POL" => "@@#######",
        "FRA" | "LUX" => "##@@#####",
        "ITA" | "GRC" | "PRT" | "ROU" | "BGR" | "HRV" | "SRB" | "JPN" => "@@#######",
        "ESP" => "@@@######",
        "NLD" => "N*******#",
        "FIN" => "@@#######",
        "CHN" => {
            if rng.chance(0.5) {
                "E########"
            } else {
                "EA#######"
            }
        }
        "HKG" => "K########",
        "MAC" => "MA#######",
        "SGP" | "MYS" => "@########",
        "KOR" => "M########",
        "PRK" => "#########",
        "VNM" => "@#######",
        "IND" | "NPL" => "@#######",
        "PAK" | "AFG" | "BGD" => "@@#######",
        "IRN" | "IRQ" | "SYR" | "EGY" | "SAU" | "LBN" | "JOR" | "YEM" | "KWT" => "@########",
        "ARE" | "QAT" | "OMN" | "BHR" => "@#######",
        "MAR" | "DZA" | "TUN" | "LBY" | "SDN" | "MRT" => "@@#######",
        "TUR" => "U########",
        "UKR" | "BLR" | "MDA" => "@@######",
        "AZE" | "UZB" | "KAZ" | "KGZ" | "TKM" | "TJK" => "@@#######",
        "NGA" | "GHA" | "KEN" | "UGA" | "TZA" | "ETH" | "SOM" | "ERI" => "@########",
        "BRA" | "MEX" | "ARG" | "COL" | "PER" | "VEN" | "CHL" => {
            if rng.chance(0.5) {
                "@@######"
            } else {
                "@########"
            }
        }
        _ => {
            if rng.chance(0.5) {
                "@#######"
            } else {
                "#########"
            }
        }
    }
}

fn fill_pattern(rng: &mut Rng, pattern: &str) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ";
    const ALNUM: &[u8] = b"CFGHJKLMNPRTVWXYZ0123456789";
    pattern
        .bytes()
        .map(|b| match b {
            b'#' => (b'0' + rng.below(10) as u8) as char,
            b'@' => *rng.pick(LETTERS) as char,
            b'*' => *rng.pick(ALNUM) as char,
            other => other as char,
        })
        .collect()
}

#[cfg(test)]
mod tests;
