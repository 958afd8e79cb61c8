//! Two-digit years and EDIFACT date/time formats.
//!
//! Design note. PAXLST dates carry no century (`YYMMDD`). Each kind gets its own bias, relative
//! to a reference date (the flight's departure date when the message has one, so that archives
//! reprocess the same way years later; else the interchange date; else
//! [`super::ParseOptions::reference_year`]):
//! - birth and issue dates are in the past: the latest matching date not after the reference;
//! - expiry dates pivot forward: the year within 50 years before to 49 years after the reference.
//!
//! A birth date is `ambiguous` when the earlier century would still give a plausible age
//! (`180101` on a 2019 flight: a one-year-old or a 101-year-old): screening then has to consider
//! both years (GTAS issue #948 stored a 1938 birth as 2038).

use crate::model::PartialDate;

/// The date two-digit years are resolved against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RefDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// The digits of `s` (trimmed), when it is 1–12 ASCII digits.
fn digits(s: &str) -> Option<smallvec::SmallVec<[u16; 12]>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().map(|b| (b - b'0') as u16).collect())
}

fn two(d: &[u16], i: usize) -> u16 {
    d[i] * 10 + d[i + 1]
}

/// Splits `YYMMDD` or `CCYYMMDD` into (year or two-digit year, month, day, has_century).
fn split_date(s: &str) -> Option<(u16, u8, u8, bool)> {
    let d = digits(s)?;
    match d.len() {
        6 => Some((two(&d, 0), two(&d, 2) as u8, two(&d, 4) as u8, false)),
        8 => Some((
            two(&d, 0) * 100 + two(&d, 2),
            two(&d, 4) as u8,
            two(&d, 6) as u8,
            true,
        )),
        _ => None,
    }
}

/// A date of birth and whether its century is ambiguous.
pub fn birth_date(s: &str, r: RefDate, max_age: u16) -> Option<(PartialDate, bool)> {
    let (y, m, d, full) = split_date(s)?;
    if full {
        return PartialDate::new(y, Some(m), Some(d))
            .ok()
            .map(|p| (p, false));
    }
    let mut year = (r.year / 100) * 100 + y;
    if (year, m, d) > (r.year, r.month, r.day) {
        year = year.checked_sub(100)?;
    }
    let date = PartialDate::new(year, Some(m), Some(d))
        .or_else(|_| PartialDate::new(year.saturating_sub(100), Some(m), Some(d)))
        .ok()?;
    let alternative_age = r.year.saturating_sub(date.year.saturating_sub(100));
    Some((date, alternative_age <= max_age))
}

/// An issue date: past-biased like a birth date, never ambiguous.
pub fn issue_date(s: &str, r: RefDate) -> Option<PartialDate> {
    birth_date(s, r, 0).map(|(d, _)| d)
}

/// An expiry date: the year within −50..+49 years of the reference.
pub fn expiry_date(s: &str, r: RefDate) -> Option<PartialDate> {
    let (y, m, d, full) = split_date(s)?;
    let year = if full {
        y
    } else {
        let base = r.year.saturating_sub(50);
        let mut year = (base / 100) * 100 + y;
        if year < base {
            year += 100;
        }
        year
    };
    PartialDate::new(year, Some(m), Some(d)).ok()
}

/// A flight date/time as `YYYY-MM-DDTHH:MM` (or `YYYY-MM-DD` when only a date is sent).
/// Accepts `YYMMDDHHMM` (format 201; the 21st century is assumed), `CCYYMMDDHHMM` (203),
/// `YYMMDD` and `CCYYMMDD` (102).
pub fn flight_time(s: &str) -> Option<String> {
    let d = digits(s)?;
    let (year, rest) = match d.len() {
        10 | 6 => (2000 + two(&d, 0), &d[2..]),
        12 | 8 => (two(&d, 0) * 100 + two(&d, 2), &d[4..]),
        _ => return None,
    };
    let (m, day) = (two(rest, 0) as u8, two(rest, 2) as u8);
    PartialDate::new(year, Some(m), Some(day)).ok()?;
    if rest.len() == 4 {
        return Some(format!("{year:04}-{m:02}-{day:02}"));
    }
    let (hh, mm) = (two(rest, 4), two(rest, 6));
    if hh > 24 || mm > 59 {
        return None;
    }
    Some(format!("{year:04}-{m:02}-{day:02}T{hh:02}:{mm:02}"))
}

/// The date part of a `flight_time` string.
pub fn ref_from_time(t: &str) -> Option<RefDate> {
    let y = t.get(0..4)?.parse().ok()?;
    let m = t.get(5..7)?.parse().ok()?;
    let d = t.get(8..10)?.parse().ok()?;
    Some(RefDate {
        year: y,
        month: m,
        day: d,
    })
}

/// `YYYY-MM-DDTHH:MM` → `YYMMDDHHMM` for rendering (format 201).
pub fn to_edifact_time(t: &str) -> Option<String> {
    let b: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    match b.len() {
        12 => Some(b[2..].to_string()),
        8 => Some(format!("{}0000", &b[2..])),
        _ => None,
    }
}

/// `YYMMDD` for rendering a full date.
pub fn to_yymmdd(d: &PartialDate) -> Option<String> {
    Some(format!("{:02}{:02}{:02}", d.year % 100, d.month?, d.day?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: RefDate = RefDate {
        year: 2019,
        month: 5,
        day: 14,
    };

    #[test]
    fn birth_dates_are_past_biased() {
        assert_eq!(
            birth_date("380101", R, 120),
            Some((PartialDate::ymd(1938, 1, 1), false))
        );
        assert_eq!(
            birth_date("190514", R, 120).unwrap().0,
            PartialDate::ymd(2019, 5, 14)
        );
        assert_eq!(
            birth_date("190515", R, 120).unwrap().0,
            PartialDate::ymd(1919, 5, 15)
        );
        assert_eq!(
            birth_date("19380101", R, 120),
            Some((PartialDate::ymd(1938, 1, 1), false))
        );
    }

    #[test]
    fn centenarian_or_child_is_flagged() {
        assert_eq!(
            birth_date("180101", R, 120),
            Some((PartialDate::ymd(2018, 1, 1), true))
        );
        let r2012 = RefDate {
            year: 2012,
            month: 6,
            day: 1,
        };
        assert_eq!(
            birth_date("000714", r2012, 120),
            Some((PartialDate::ymd(2000, 7, 14), true))
        );
        assert!(!birth_date("720907", R, 120).unwrap().1);
    }

    #[test]
    fn expiry_pivots_forward() {
        let r = RefDate {
            year: 2017,
            month: 1,
            day: 27,
        };
        assert_eq!(
            expiry_date("610218", r),
            Some(PartialDate::ymd(2061, 2, 18))
        );
        assert_eq!(
            expiry_date(
                "990909",
                RefDate {
                    year: 2002,
                    month: 1,
                    day: 31
                }
            ),
            Some(PartialDate::ymd(1999, 9, 9))
        );
        assert_eq!(
            expiry_date("151231", r),
            Some(PartialDate::ymd(2015, 12, 31))
        );
    }

    #[test]
    fn bad_dates_are_none() {
        assert_eq!(birth_date("991332", R, 120), None);
        assert_eq!(birth_date("", R, 120), None);
        assert_eq!(expiry_date("$(yy)", R), None);
        assert_eq!(flight_time("1306212500"), None);
    }

    #[test]
    fn flight_times() {
        assert_eq!(
            flight_time(" 1306212200").as_deref(),
            Some("2013-06-21T22:00")
        );
        assert_eq!(
            flight_time("201306212200").as_deref(),
            Some("2013-06-21T22:00")
        );
        assert_eq!(flight_time("130621").as_deref(), Some("2013-06-21"));
        assert_eq!(
            to_edifact_time("2013-06-21T22:00").as_deref(),
            Some("1306212200")
        );
    }
}
