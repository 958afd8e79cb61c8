//! Realistic synthetic traffic for the demo: flights on real routes carrying generated
//! travellers ([`crate::synth`]), and now and then a traveller who is a listed person, written
//! the way airline systems send such people: transliterated another way, surname and given names
//! swapped, a middle name dropped, a full birth date where the list knows only the year.

use crate::model::{
    Country, DateSpec, EntryName, Flight, FlightEndpoint, Gender, Manifest, NameKind, PartialDate,
    Passenger, TravelDocument, Traveller, TravellerKind, WatchlistEntry,
};
use crate::synth::{Population, Rng};
use chrono::{DateTime, Duration, Utc};

/// Routes the demo flies: (carrier, from, to).
const ROUTES: &[(&str, &str, &str)] = &[
    ("LH", "FRA", "JFK"),
    ("LH", "MUC", "ORD"),
    ("BA", "LHR", "DXB"),
    ("EK", "DXB", "LHR"),
    ("QR", "DOH", "CDG"),
    ("TK", "IST", "AMS"),
    ("AF", "CDG", "CMN"),
    ("KL", "AMS", "NBO"),
    ("MS", "CAI", "FRA"),
    ("RJ", "AMM", "LHR"),
    ("SV", "JED", "IST"),
    ("PK", "KHI", "MAN"),
    ("AI", "DEL", "LHR"),
    ("CA", "PEK", "FRA"),
    ("ET", "ADD", "BRU"),
    ("AT", "CMN", "ORY"),
    ("LX", "ZRH", "BEY"),
    ("IB", "MAD", "BOG"),
    ("OS", "VIE", "TBS"),
    ("KQ", "NBO", "AMS"),
];

/// Spellings airline systems and passports use for the same name (whole tokens).
const SPELLINGS: &[(&str, &str)] = &[
    ("MOHAMMED", "MUHAMMAD"),
    ("MUHAMMAD", "MOHAMED"),
    ("MOHAMED", "MOHAMMAD"),
    ("MOHAMMAD", "MUHAMMED"),
    ("AHMED", "AHMAD"),
    ("AHMAD", "AHMED"),
    ("YOUSSEF", "YUSUF"),
    ("YOUSEF", "YOUSSEF"),
    ("YUSUF", "YOUSUF"),
    ("HUSSEIN", "HUSAYN"),
    ("HUSAIN", "HUSSEIN"),
    ("HASSAN", "HASAN"),
    ("OMAR", "UMAR"),
    ("UMAR", "OMAR"),
    ("OSAMA", "USAMA"),
    ("MAHMOUD", "MAHMUD"),
    ("SAEED", "SAID"),
    ("SAID", "SAEED"),
    ("IBRAHIM", "EBRAHIM"),
    ("ISMAIL", "ISMAEL"),
    ("ABDUL", "ABDOUL"),
    ("ABDEL", "ABDUL"),
    ("ABDALLAH", "ABDULLAH"),
    ("ABDULLAH", "ABDALLA"),
    ("KHALID", "KHALED"),
    ("KHALED", "KHALID"),
    ("JAMAL", "GAMAL"),
    ("QASIM", "KASSIM"),
    ("MUSTAFA", "MOSTAFA"),
    ("ALI", "ALY"),
    ("ABU", "ABOU"),
    ("SERGEY", "SERGEI"),
    ("ANDREY", "ANDREI"),
    ("DMITRY", "DMITRII"),
    ("YURIY", "YURI"),
    ("ALEKSANDR", "ALEXANDER"),
    ("SVETLANA", "SVETLANA"),
    ("KUZNETSOVA", "KUZNETCOVA"),
    ("YOUSSOUF", "YUSUF"),
    ("MOUSSA", "MUSA"),
    ("OUSMANE", "USMAN"),
];

/// How a listed person's name and data were altered on the way to the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variation {
    AsListed,
    /// Surname and given names swapped.
    Swapped,
    DroppedMiddleName,
    /// Another transliteration of one part (MOHAMMED / MUHAMMAD), or a glued article.
    Transliterated,
    /// The list has a birth year (or range); the passport a full date in it.
    YearOnlyDob,
}

impl Variation {
    pub fn as_str(self) -> &'static str {
        match self {
            Variation::AsListed => "as_listed",
            Variation::Swapped => "swapped_order",
            Variation::DroppedMiddleName => "dropped_middle_name",
            Variation::Transliterated => "transliterated",
            Variation::YearOnlyDob => "year_only_dob",
        }
    }
}

/// Builds flights and travellers; deterministic for a seed.
pub struct Traffic {
    pub rng: Rng,
    population: Population,
    next_message: u64,
}

/// A name as MRZ-like tokens: upper-case A–Z only.
fn tokens(full: &str) -> Vec<String> {
    any_ascii::any_ascii(full)
        .to_ascii_uppercase()
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a listed name can be written on a passport as is (Latin, at least two parts).
fn usable(n: &EntryName) -> bool {
    matches!(n.kind, NameKind::Primary | NameKind::Alias)
        && n.full.chars().any(|c| c.is_ascii_alphabetic())
        && !n.full.chars().any(|c| (c as u32) > 0x24F)
        && tokens(&n.full).len() >= 2
}

/// Whether a listed person can be turned into a traveller at all.
pub fn eligible(e: &WatchlistEntry) -> bool {
    e.names.iter().any(usable)
}

fn random_date_in(rng: &mut Rng, from: u16, to: u16) -> PartialDate {
    let year = from + rng.below((to.saturating_sub(from) + 1) as u64) as u16;
    let month = rng.range(1, 12) as u8;
    let day = rng.range(1, crate::model::days_in_month(year, month) as u32) as u8;
    PartialDate::ymd(year, month, day)
}

fn passport_number(rng: &mut Rng) -> String {
    let letter = (b'A' + rng.below(26) as u8) as char;
    format!("{letter}{:07}", rng.below(10_000_000))
}

impl Traffic {
    pub fn new(seed: u64) -> Traffic {
        Traffic {
            rng: Rng::new(seed),
            population: Population::new(),
            next_message: 1,
        }
    }

    /// A traveller who is the listed person `e`, altered by one realistic variation. `None`
    /// when the entry has no name a passport could carry.
    pub fn listed_traveller(&mut self, e: &WatchlistEntry) -> Option<(Passenger, Variation)> {
        let rng = &mut self.rng;
        let names: Vec<&EntryName> = e.names.iter().filter(|n| usable(n)).collect();
        if names.is_empty() {
            return None;
        }
        // mostly the primary name (listed first), sometimes an alias
        let name = if rng.chance(0.75) {
            names[0]
        } else {
            *rng.pick(&names)
        };
        let mut parts = tokens(&name.full);
        let year_only = e.dobs.iter().find_map(|d| match *d {
            DateSpec::Exact(p) | DateSpec::Approximate(p) if p.month.is_none() => {
                Some((p.year, p.year))
            }
            DateSpec::Between { from, to } => Some((from, to)),
            _ => None,
        });
        let mut options = vec![Variation::AsListed, Variation::Swapped];
        if parts.len() >= 3 {
            options.push(Variation::DroppedMiddleName);
        }
        if parts
            .iter()
            .any(|p| SPELLINGS.iter().any(|(a, b)| a == p && a != b))
            || parts.iter().any(|p| p == "AL")
        {
            options.push(Variation::Transliterated);
        }
        if year_only.is_some() {
            // the variation the list forces: a passport always carries a full date
            options = vec![Variation::YearOnlyDob];
        }
        let variation = *rng.pick(&options);
        // surname last, as lists write most names
        let mut surname_first = false;
        match variation {
            Variation::Swapped => surname_first = true,
            Variation::DroppedMiddleName => {
                let i = 1 + rng.below((parts.len() - 2) as u64) as usize;
                parts.remove(i);
            }
            Variation::Transliterated => {
                if let Some(i) = parts.iter().position(|p| p == "AL")
                    && i + 1 < parts.len()
                    && rng.chance(0.5)
                {
                    // AL ZARQAWI → ALZARQAWI
                    let next = parts.remove(i + 1);
                    parts[i] = format!("AL{next}");
                } else if let Some((i, to)) = parts.iter().enumerate().find_map(|(i, p)| {
                    SPELLINGS
                        .iter()
                        .find(|(a, b)| a == p && a != b)
                        .map(|(_, b)| (i, b.to_string()))
                }) {
                    parts[i] = to;
                }
            }
            Variation::AsListed | Variation::YearOnlyDob => {}
        }
        let (surname, given) = if surname_first {
            (parts[0].clone(), parts[1..].join(" "))
        } else {
            let last = parts.len() - 1;
            (parts[last].clone(), parts[..last].join(" "))
        };
        let dob = match (year_only, e.dobs.first()) {
            (Some((from, to)), _) => Some(random_date_in(rng, from, to)),
            (None, Some(DateSpec::Exact(p))) => Some(*p),
            (None, Some(DateSpec::Approximate(p))) => Some(*p),
            _ => Some(random_date_in(rng, 1955, 1990)),
        };
        let nationality = e
            .nationalities
            .first()
            .copied()
            .or_else(|| Country::parse("IRQ"));
        // a listed passport now and then (decisive), otherwise one the list does not know
        let document =
            match e.documents.iter().find(|d| {
                d.doc_type.as_deref().unwrap_or("P").starts_with('P') && !d.number.is_empty()
            }) {
                Some(d) if rng.chance(0.3) => d.clone(),
                _ => TravelDocument {
                    doc_type: Some("P".into()),
                    number: passport_number(rng),
                    country: nationality,
                    ..Default::default()
                },
            };
        Some((
            Passenger {
                id: String::new(),
                surname: Some(surname),
                given_names: (!given.is_empty()).then_some(given),
                dob,
                gender: Some(e.gender.unwrap_or(Gender::Male)),
                nationality,
                documents: vec![document],
                ..Default::default()
            },
            variation,
        ))
    }

    /// An ordinary generated traveller.
    pub fn traveller(&mut self) -> Passenger {
        self.population.traveller(&mut self.rng)
    }

    /// A manifest of `passengers` plus a few crew, on a random route, departing soon after
    /// `now`.
    pub fn manifest(&mut self, now: DateTime<Utc>, passengers: Vec<Passenger>) -> Manifest {
        let rng = &mut self.rng;
        let &(carrier, from, to) = rng.pick(ROUTES);
        let number = format!("{:04}", rng.range(10, 2999));
        let id = format!("{carrier}{number}");
        let dep = now + Duration::minutes(rng.range(60, 300) as i64);
        let arr = dep + Duration::minutes(rng.range(90, 600) as i64);
        let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
        let message_ref = format!("DEMO{:06}", self.next_message);
        self.next_message += 1;
        let crew_n = rng.range(2, 6) as usize;
        let mut travellers = Vec::with_capacity(passengers.len() + crew_n);
        let seat_letters = b"ABCDEFHJK";
        for (i, mut p) in passengers.into_iter().enumerate() {
            p.id = String::new();
            let row = 1 + i / seat_letters.len();
            let seat = format!("{row}{}", seat_letters[i % seat_letters.len()] as char);
            let pnr: String = (0..6)
                .map(|_| (b'A' + rng.below(26) as u8) as char)
                .collect();
            travellers.push(Traveller {
                kind: TravellerKind::Passenger,
                passenger: p,
                pnr: Some(pnr),
                passenger_ref: Some(format!("{id}-{:03}", i + 1)),
                seat: Some(seat),
                ..Default::default()
            });
        }
        for c in 0..crew_n {
            let p = self.population.traveller(rng);
            travellers.push(Traveller {
                kind: TravellerKind::Crew,
                passenger: p,
                passenger_ref: Some(format!("{id}-C{:02}", c + 1)),
                ..Default::default()
            });
        }
        let day = PartialDate::ymd(
            now.format("%Y").to_string().parse().unwrap_or(2026),
            now.format("%m").to_string().parse().unwrap_or(1),
            now.format("%d").to_string().parse().unwrap_or(1),
        );
        Manifest {
            message_ref: Some(message_ref.clone()),
            interchange_ref: Some(message_ref),
            sender: Some(format!("{carrier}DCS")),
            recipient: Some("PAXSCREENDEMO".into()),
            sent: Some(day),
            flights: vec![Flight {
                carrier: Some(carrier.into()),
                number: Some(number),
                id: Some(id),
                departure: FlightEndpoint {
                    airport: Some(from.into()),
                    time: Some(fmt(dep)),
                },
                arrival: FlightEndpoint {
                    airport: Some(to.into()),
                    time: Some(fmt(arr)),
                },
                ..Default::default()
            }],
            travellers,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paxlst::{ParseOptions, ParsedMessage, Separators, parse, render_paxlst};

    #[test]
    fn manifests_render_and_parse_back_with_every_traveller() {
        let mut t = Traffic::new(7);
        let ps: Vec<Passenger> = (0..40).map(|_| t.traveller()).collect();
        let m = t.manifest(Utc::now(), ps);
        let text = render_paxlst(&m, &Separators::DEFAULT);
        let parsed = parse(text.as_bytes(), &ParseOptions::default()).unwrap();
        let ParsedMessage::Paxlst { manifest, .. } = &parsed[0] else {
            panic!("not a PAXLST: {parsed:?}");
        };
        assert_eq!(manifest.travellers.len(), m.travellers.len());
        assert_eq!(manifest.flights[0].id, m.flights[0].id);
        assert_eq!(
            manifest.travellers[0].passenger.surname,
            m.travellers[0].passenger.surname
        );
    }

    #[test]
    fn listed_travellers_vary_realistically() {
        let mut e = WatchlistEntry::person("n:1", "national", &["Abdul Rahman Yasin Al-Dulaimi"]);
        e.dobs = vec![DateSpec::Exact(PartialDate::ymd(1960, 4, 10))];
        let mut y = WatchlistEntry::person("n:2", "national", &["Youssef Mohamed Makhlouf"]);
        y.dobs = vec![DateSpec::Exact(PartialDate::year(1979))];
        let mut t = Traffic::new(1);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            let (p, v) = t.listed_traveller(&e).unwrap();
            seen.insert(v);
            assert_eq!(p.dob, Some(PartialDate::ymd(1960, 4, 10)));
            let (p, v) = t.listed_traveller(&y).unwrap();
            assert_eq!(v, Variation::YearOnlyDob);
            let d = p.dob.unwrap();
            assert_eq!(
                (d.year, d.month.is_some(), d.day.is_some()),
                (1979, true, true)
            );
        }
        for v in [
            Variation::AsListed,
            Variation::Swapped,
            Variation::DroppedMiddleName,
            Variation::Transliterated,
        ] {
            assert!(seen.contains(&v), "{v:?} never produced");
        }
        // a name in another script only cannot be put on a passport
        let arabic = WatchlistEntry::person("n:3", "national", &["صدام حسين"]);
        assert!(!eligible(&arabic));
    }
}
