//! Verdicts on the fields beside the name: date of birth, documents, nationality, gender.
//!
//! Each verdict is evidence for or against, never a decision by itself (except an identical
//! document number, which is decisive).

use crate::model::{Country, DateSpec, DocumentKey, Gender, PartialDate, TravelDocument};
use serde::{Deserialize, Serialize};

/// What the birth dates say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DobVerdict {
    /// Same full date.
    Exact,
    /// Same year and month; one side lacks the day.
    MonthMatch,
    /// The year is within what the list states (a year, a range, a circa).
    YearMatch,
    /// Same year, day and month swapped (a common keying error).
    DayMonthSwapped,
    /// One year off, or within a circa's tolerance: no evidence either way.
    Near,
    /// Same year but a different month or day.
    SameYearDifferentDay,
    /// Different years beyond any tolerance: evidence against.
    Mismatch,
    /// One side has no date.
    Unknown,
}

impl DobVerdict {
    /// Adjustment to the name score.
    pub fn adjustment(self) -> f32 {
        match self {
            // a full date agreeing by chance is rare (about 1 in 18,000 travellers): strong
            DobVerdict::Exact => 0.18,
            DobVerdict::MonthMatch => 0.10,
            DobVerdict::DayMonthSwapped => 0.10,
            // a year agrees by chance for about 1 traveller in 50
            DobVerdict::YearMatch => 0.06,
            // one year off: a typo or a different person; slightly against
            DobVerdict::Near => -0.03,
            DobVerdict::Unknown => 0.0,
            DobVerdict::SameYearDifferentDay => -0.10,
            DobVerdict::Mismatch => -0.30,
        }
    }

    /// Does this verdict support identity enough to let a weak name match (very common parts, or
    /// a single aligned part) alert? A year alone agrees by chance too often.
    pub fn supports(self) -> bool {
        matches!(
            self,
            DobVerdict::Exact | DobVerdict::MonthMatch | DobVerdict::DayMonthSwapped
        )
    }

    fn rank(self) -> u8 {
        match self {
            DobVerdict::Exact => 7,
            DobVerdict::MonthMatch => 6,
            DobVerdict::YearMatch => 5,
            DobVerdict::DayMonthSwapped => 4,
            DobVerdict::Near => 3,
            DobVerdict::SameYearDifferentDay => 2,
            DobVerdict::Mismatch => 1,
            DobVerdict::Unknown => 0,
        }
    }
}

fn compare_one(p: PartialDate, spec: &DateSpec) -> DobVerdict {
    match *spec {
        DateSpec::Exact(e) => {
            if p.year != e.year {
                let near = p.year.abs_diff(e.year) == 1
                    // a full date on both sides one year off is a typo only if day and month agree
                    && (!(p.is_full() && e.is_full()) || (p.month == e.month && p.day == e.day));
                return if near {
                    DobVerdict::Near
                } else {
                    DobVerdict::Mismatch
                };
            }
            match (p.month, e.month) {
                (Some(pm), Some(em)) => match (p.day, e.day) {
                    (Some(pd), Some(ed)) if pm == em && pd == ed => DobVerdict::Exact,
                    (Some(pd), Some(ed)) if pm == ed && pd == em => DobVerdict::DayMonthSwapped,
                    // UN and OFAC use 1 January when only the year is known
                    (Some(_), Some(1)) if em == 1 => DobVerdict::YearMatch,
                    (Some(_), Some(_)) => DobVerdict::SameYearDifferentDay,
                    _ if pm == em => DobVerdict::MonthMatch,
                    _ => DobVerdict::SameYearDifferentDay,
                },
                _ => DobVerdict::YearMatch,
            }
        }
        DateSpec::Approximate(e) => match p.year.abs_diff(e.year) {
            0 => DobVerdict::YearMatch,
            1..=2 => DobVerdict::Near,
            _ => DobVerdict::Mismatch,
        },
        DateSpec::Between { from, to } => {
            if (from..=to).contains(&p.year) {
                DobVerdict::YearMatch
            } else if p.year + 1 == from || p.year == to + 1 {
                DobVerdict::Near
            } else {
                DobVerdict::Mismatch
            }
        }
    }
}

/// The best verdict over every date the list gives (and both centuries when the traveller's
/// two-digit year is ambiguous).
pub fn compare_dob(p: Option<PartialDate>, ambiguous: bool, list: &[DateSpec]) -> DobVerdict {
    let Some(p) = p else {
        return DobVerdict::Unknown;
    };
    if list.is_empty() {
        return DobVerdict::Unknown;
    }
    let mut best = DobVerdict::Unknown;
    let mut consider = |d: PartialDate| {
        for s in list {
            let v = compare_one(d, s);
            if v.rank() > best.rank() {
                best = v;
            }
        }
    };
    consider(p);
    if ambiguous && p.year >= 1100 {
        consider(PartialDate {
            year: p.year - 100,
            ..p
        });
    }
    best
}

/// What the documents say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocVerdict {
    /// The same number, and the same issuing country where both state one: decisive.
    Exact,
    /// The same number up to OCR confusions (O/0, I/1, S/5 …), or the same number from another
    /// country.
    Similar,
    /// Both hold a document of the same type from the same country with different numbers:
    /// evidence against.
    Conflict,
    /// Nothing to compare.
    Unknown,
}

impl DocVerdict {
    pub fn adjustment(self) -> f32 {
        match self {
            DocVerdict::Exact => 0.0, // handled as a floor on the final score
            DocVerdict::Similar => 0.10,
            DocVerdict::Conflict => -0.12,
            DocVerdict::Unknown => 0.0,
        }
    }
}

/// Compares every traveller document with every listed document.
pub fn compare_documents(p: &[TravelDocument], list: &[TravelDocument]) -> DocVerdict {
    compare_document_keys(&DocumentKey::all(p), &DocumentKey::all(list))
}

/// [`compare_documents`] on documents prepared once ([`DocumentKey`]): what screening runs for
/// every candidate.
pub fn compare_document_keys(p: &[DocumentKey], list: &[DocumentKey]) -> DocVerdict {
    let mut verdict = DocVerdict::Unknown;
    for a in p {
        for b in list {
            // equal numbers fold equal: unequal folded numbers (nearly every pair) settle it
            if a.same_folded(b) {
                let countries_agree = match (a.country, b.country) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                };
                if countries_agree && a.number() == b.number() {
                    return DocVerdict::Exact;
                }
                verdict = DocVerdict::Similar;
            } else if verdict == DocVerdict::Unknown
                && a.kind() == b.kind()
                && a.country.is_some()
                && a.country == b.country
            {
                verdict = DocVerdict::Conflict;
            }
        }
    }
    verdict
}

/// What nationality says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalityVerdict {
    Match,
    Mismatch,
    Unknown,
}

impl NationalityVerdict {
    pub fn adjustment(self) -> f32 {
        match self {
            NationalityVerdict::Match => 0.02,
            // people hold several nationalities and lists are incomplete: a mild penalty
            NationalityVerdict::Mismatch => -0.05,
            NationalityVerdict::Unknown => 0.0,
        }
    }
}

pub fn compare_nationality(p: Option<Country>, list: &[Country]) -> NationalityVerdict {
    match p {
        Some(c) if !list.is_empty() => {
            if list.contains(&c) {
                NationalityVerdict::Match
            } else {
                NationalityVerdict::Mismatch
            }
        }
        _ => NationalityVerdict::Unknown,
    }
}

/// What gender says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GenderVerdict {
    Match,
    Mismatch,
    Unknown,
}

impl GenderVerdict {
    pub fn adjustment(self) -> f32 {
        match self {
            GenderVerdict::Match | GenderVerdict::Unknown => 0.0,
            GenderVerdict::Mismatch => -0.15,
        }
    }
}

pub fn compare_gender(p: Option<Gender>, e: Option<Gender>) -> GenderVerdict {
    match (p, e) {
        (Some(Gender::Other), _) | (_, Some(Gender::Other)) | (None, _) | (_, None) => {
            GenderVerdict::Unknown
        }
        (Some(a), Some(b)) if a == b => GenderVerdict::Match,
        _ => GenderVerdict::Mismatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> PartialDate {
        s.parse().unwrap()
    }
    fn specs(v: &[&str]) -> Vec<DateSpec> {
        v.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn dob_by_component() {
        let v = |p: &str, l: &[&str]| compare_dob(Some(d(p)), false, &specs(l));
        assert_eq!(v("1968-07-01", &["1968-07-01"]), DobVerdict::Exact);
        assert_eq!(v("1968-07-01", &["1968"]), DobVerdict::YearMatch);
        assert_eq!(v("1968-07-01", &["1969"]), DobVerdict::Near);
        assert_eq!(v("1968-07-01", &["1975"]), DobVerdict::Mismatch);
        assert_eq!(
            v("1968-07-03", &["1968-03-07"]),
            DobVerdict::DayMonthSwapped
        );
        assert_eq!(
            v("1968-07-03", &["1968-09-21"]),
            DobVerdict::SameYearDifferentDay
        );
        assert_eq!(v("1968-07-03", &["1965..1970"]), DobVerdict::YearMatch);
        assert_eq!(v("1968-07-03", &["~1970"]), DobVerdict::Near);
        assert_eq!(v("1968-07-03", &["1950", "1968-07-03"]), DobVerdict::Exact);
        assert_eq!(v("1968-07-03", &["1968-07"]), DobVerdict::MonthMatch);
        assert_eq!(
            compare_dob(None, false, &specs(&["1968"])),
            DobVerdict::Unknown
        );
    }

    #[test]
    fn ambiguous_century_considers_both() {
        let l = specs(&["1918-01-01"]);
        assert_eq!(
            compare_dob(Some(d("2018-01-01")), true, &l),
            DobVerdict::Exact
        );
        assert_eq!(
            compare_dob(Some(d("2018-01-01")), false, &l),
            DobVerdict::Mismatch
        );
    }

    #[test]
    fn documents() {
        let doc = |n: &str, c: &str| TravelDocument {
            doc_type: Some("P".into()),
            number: n.into(),
            country: Country::parse(c),
            ..Default::default()
        };
        assert_eq!(
            compare_documents(&[doc("A123456", "IRQ")], &[doc("a-123456", "IQ")]),
            DocVerdict::Exact
        );
        assert_eq!(
            compare_documents(&[doc("AO12345", "IRQ")], &[doc("A012345", "IRQ")]),
            DocVerdict::Similar
        );
        assert_eq!(
            compare_documents(&[doc("B999999", "IRQ")], &[doc("A123456", "IRQ")]),
            DocVerdict::Conflict
        );
        assert_eq!(
            compare_documents(&[doc("B999999", "FRA")], &[doc("A123456", "IRQ")]),
            DocVerdict::Unknown
        );
        // the same number issued by another country
        assert_eq!(
            compare_documents(&[doc("A123456", "FRA")], &[doc("A123456", "IRQ")]),
            DocVerdict::Similar
        );
        // type codes compare by their first letter, whatever the script: Паспорт and
        // Удостоверение (whose first letters share their first UTF-8 byte) are different kinds
        let typed = |t: &str, n: &str| TravelDocument {
            doc_type: Some(t.into()),
            ..doc(n, "RUS")
        };
        assert_eq!(
            compare_documents(
                &[typed("Паспорт", "7700111")],
                &[typed("Паспорт", "4500222")]
            ),
            DocVerdict::Conflict
        );
        assert_eq!(
            compare_documents(
                &[typed("Паспорт", "7700111")],
                &[typed("Удостоверение", "4500222")]
            ),
            DocVerdict::Unknown
        );
        // one of several documents agrees
        assert_eq!(
            compare_documents(
                &[doc("B999999", "IRQ"), doc("A123456", "IRQ")],
                &[doc("C777777", "IRQ"), doc("A123456", "IRQ")]
            ),
            DocVerdict::Exact
        );
    }

    #[test]
    fn document_keys_hold_the_built_forms() {
        for (n, normal, folded) in [
            ("a-12 34", "A1234", "A1234"),
            ("ÄB12ß-ö9", "B129", "8129"),
            ("OQDILSBZG 0", "OQDILSBZG0", "0001158260"),
            ("", "", ""),
            ("  x\u{0}1", "X1", "X1"),
        ] {
            assert_eq!(crate::model::normalise_document_number(n), normal);
            assert_eq!(crate::index::fold_document_number(n), folded);
            let d = TravelDocument {
                doc_type: Some(" v ".into()),
                number: n.into(),
                ..Default::default()
            };
            match DocumentKey::new(&d) {
                Some(k) => {
                    assert_eq!(k.number(), normal.as_bytes(), "{n}");
                    assert_eq!(k.folded(), folded.as_bytes(), "{n}");
                    assert_eq!(k.kind(), 'V');
                }
                // fewer than four characters compare with nothing
                None => assert!(normal.len() < 4, "{n}"),
            }
        }
        let untyped = TravelDocument {
            number: "A1234".into(),
            ..Default::default()
        };
        assert_eq!(DocumentKey::new(&untyped).map(|k| k.kind()), Some('P'));
        // screening holds one per listed document: the tag fits in the padding
        assert_eq!(std::mem::size_of::<DocumentKey>(), 24);
    }
}
