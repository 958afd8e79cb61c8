//! Partial dates: what passports and watchlists actually know about a birth date.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A date known to year, year-month or year-month-day precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    /// Only set when `month` is.
    pub day: Option<u8>,
}

impl PartialDate {
    pub fn ymd(year: u16, month: u8, day: u8) -> PartialDate {
        PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        }
    }
    pub fn year(year: u16) -> PartialDate {
        PartialDate {
            year,
            month: None,
            day: None,
        }
    }

    /// Builds a date, rejecting impossible months and days (31 April is rejected; 29 February is
    /// accepted only in leap years).
    pub fn new(year: u16, month: Option<u8>, day: Option<u8>) -> Result<PartialDate, DateError> {
        if !(1000..=2999).contains(&year) {
            return Err(DateError::OutOfRange);
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(DateError::OutOfRange);
            }
            if let Some(d) = day
                && (d == 0 || d > days_in_month(year, m))
            {
                return Err(DateError::OutOfRange);
            }
        } else if day.is_some() {
            return Err(DateError::Malformed);
        }
        Ok(PartialDate { year, month, day })
    }

    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("date is not YYYY, YYYY-MM or YYYY-MM-DD")]
    Malformed,
    #[error("date has an impossible year, month or day")]
    OutOfRange,
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, DateError> {
        let s = s.trim();
        let mut it = s.split('-');
        let num = |p: Option<&str>, len: usize| -> Result<Option<u16>, DateError> {
            match p {
                None => Ok(None),
                Some(p) if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Some(p.parse().map_err(|_| DateError::Malformed)?))
                }
                Some(_) => Err(DateError::Malformed),
            }
        };
        let year = num(it.next(), 4)?.ok_or(DateError::Malformed)?;
        let month = num(it.next(), 2)?.map(|m| m as u8);
        let day = num(it.next(), 2)?.map(|d| d as u8);
        if it.next().is_some() {
            return Err(DateError::Malformed);
        }
        PartialDate::new(year, month, day)
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(format!("{e}: {s:?}")))
    }
}

/// A date of birth as a watchlist states it.
///
/// Text form (NDJSON and JSON output): `1968-07-01`, `1968-07`, `1968`, `~1968` (approximate:
/// the list says "circa"), `1965..1968` (between two years, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateSpec {
    Exact(PartialDate),
    /// "Approximately": compared with a wider tolerance on the year.
    Approximate(PartialDate),
    /// "Between FROM and TO" (years, inclusive).
    Between {
        from: u16,
        to: u16,
    },
}

impl DateSpec {
    /// The inclusive range of birth years this statement allows, before any tolerance.
    pub fn year_range(&self) -> (u16, u16) {
        match *self {
            DateSpec::Exact(d) | DateSpec::Approximate(d) => (d.year, d.year),
            DateSpec::Between { from, to } => (from.min(to), from.max(to)),
        }
    }
}

impl FromStr for DateSpec {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, DateError> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix('~') {
            return Ok(DateSpec::Approximate(rest.parse()?));
        }
        if let Some((a, b)) = s.split_once("..") {
            let from = PartialDate::from_str(a)?.year;
            let to = PartialDate::from_str(b)?.year;
            return Ok(DateSpec::Between {
                from: from.min(to),
                to: from.max(to),
            });
        }
        Ok(DateSpec::Exact(s.parse()?))
    }
}

impl fmt::Display for DateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateSpec::Exact(d) => write!(f, "{d}"),
            DateSpec::Approximate(d) => write!(f, "~{d}"),
            DateSpec::Between { from, to } => write!(f, "{from:04}..{to:04}"),
        }
    }
}

impl Serialize for DateSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(format!("{e}: {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_round_trip() {
        for s in ["1968-07-01", "1968-07", "1968"] {
            assert_eq!(s.parse::<PartialDate>().unwrap().to_string(), s);
        }
        for s in ["~1970", "1965..1968", "2000-02-29"] {
            assert_eq!(s.parse::<DateSpec>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert!("1999-02-29".parse::<PartialDate>().is_err());
        assert!("1999-13-01".parse::<PartialDate>().is_err());
        assert!("1999-04-31".parse::<PartialDate>().is_err());
        assert!("99-01-01".parse::<PartialDate>().is_err());
        assert!("1999-01-01-01".parse::<PartialDate>().is_err());
    }
}
