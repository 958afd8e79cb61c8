//! Multi-part PAXLST assembly: parts `01:C`, `02`, … `nn:F` of one flight → one manifest.
//!
//! Design note. Parts are keyed by (sender, UNH common access reference, first flight id and
//! departure time, document type); carriers repeat the header and flight block in every part,
//! so any part identifies the flight. A manifest is released as soon as the final part and every
//! part before it are in; [`Assembler::expire`] releases incomplete flights once they have waited
//! `hold`, with a warning naming the missing parts, so that a lost part never stops the others
//! from being screened. The assembler reads no clock: callers pass `now` (any monotonic time
//! since an origin of their choosing), which keeps it deterministic and testable.

use super::{PartInfo, check_totals, positional_id};
use crate::model::Manifest;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// Which flight a part belongs to: what every part of one transmission repeats. The Kafka
/// pipeline groups records by the same key, so that each of its assemblers sees one flight.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    sender: Option<String>,
    common_access_ref: Option<String>,
    flight: Option<String>,
    departure: Option<String>,
    document_type: String,
}

impl Key {
    pub(crate) fn of(m: &Manifest, part: &PartInfo) -> Key {
        let first = m.flights.first();
        Key {
            sender: m.sender.clone(),
            common_access_ref: part.common_access_ref.clone(),
            flight: first.and_then(|f| f.id.clone()),
            departure: first.and_then(|f| f.departure.time.clone()),
            document_type: format!("{:?}", m.document_type),
        }
    }
}

#[derive(Debug)]
struct Pending {
    first_seen: Duration,
    parts: BTreeMap<u32, Manifest>,
    last: Option<u32>,
    duplicates: Vec<u32>,
    order: u64,
}

/// Holds message parts until their flight is complete or has waited long enough.
#[derive(Debug)]
pub struct Assembler {
    hold: Duration,
    pending: HashMap<Key, Pending>,
    next_order: u64,
}

impl Assembler {
    /// `hold`: how long an incomplete flight waits for its missing parts before
    /// [`Assembler::expire`] releases it.
    pub fn new(hold: Duration) -> Assembler {
        Assembler {
            hold,
            pending: HashMap::new(),
            next_order: 0,
        }
    }

    /// Number of flights waiting for parts.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Adds one part. Returns the assembled manifest when this part completes its flight (a
    /// single-part message completes at once). A duplicate part (same sequence number) is
    /// ignored, with a warning on the assembled manifest.
    pub fn push(&mut self, manifest: Manifest, part: PartInfo, now: Duration) -> Option<Manifest> {
        if part.is_complete() {
            // Counts were already checked by the parser for single-part messages.
            return Some(manifest);
        }
        let key = Key::of(&manifest, &part);
        let seq = part.sequence.unwrap_or(1);
        let order = self.next_order;
        let p = self.pending.entry(key.clone()).or_insert_with(|| Pending {
            first_seen: now,
            parts: BTreeMap::new(),
            last: None,
            duplicates: Vec::new(),
            order,
        });
        self.next_order += 1;
        if part.is_last {
            p.last = Some(seq);
        }
        match p.parts.entry(seq) {
            std::collections::btree_map::Entry::Occupied(_) => p.duplicates.push(seq),
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(manifest);
            }
        }
        let complete = p
            .last
            .is_some_and(|last| (1..=last).all(|s| p.parts.contains_key(&s)));
        if complete {
            let p = self.pending.remove(&key).expect("present");
            return Some(merge(p, None));
        }
        None
    }

    /// Releases every flight that has waited at least `hold` since its first part arrived.
    pub fn expire(&mut self, now: Duration) -> Vec<Manifest> {
        let due: Vec<Key> = self
            .pending
            .iter()
            .filter(|(_, p)| now.saturating_sub(p.first_seen) >= self.hold)
            .map(|(k, _)| k.clone())
            .collect();
        self.release(due)
    }

    /// Releases everything held (end of input, shutdown).
    pub fn flush(&mut self) -> Vec<Manifest> {
        let all: Vec<Key> = self.pending.keys().cloned().collect();
        self.release(all)
    }

    fn release(&mut self, keys: Vec<Key>) -> Vec<Manifest> {
        let mut ps: Vec<Pending> = keys
            .into_iter()
            .filter_map(|k| self.pending.remove(&k))
            .collect();
        ps.sort_by_key(|p| p.order);
        ps.into_iter()
            .map(|p| {
                let missing = missing_parts(&p);
                merge(p, Some(missing))
            })
            .collect()
    }
}

fn missing_parts(p: &Pending) -> String {
    let max = p
        .last
        .unwrap_or_else(|| p.parts.keys().max().copied().unwrap_or(1));
    let missing: Vec<u32> = (1..=max.min(999))
        .filter(|s| !p.parts.contains_key(s))
        .collect();
    let mut listed: Vec<String> = missing.iter().take(20).map(|s| format!("{s:02}")).collect();
    if missing.len() > listed.len() {
        listed.push(format!("… ({} in all)", missing.len()));
    }
    let mut text = if missing.is_empty() {
        String::new()
    } else {
        format!("parts {} missing", listed.join(", "))
    };
    if p.last.is_none() {
        if !text.is_empty() {
            text.push_str("; ");
        }
        text.push_str("final part (F) not received");
    }
    format!("released incomplete after the hold time: {text}")
}

fn merge(p: Pending, incomplete: Option<String>) -> Manifest {
    let mut parts = p.parts.into_iter();
    let (first_seq, mut m) = parts.next().expect("a pending flight has a part");
    let mut seqs = vec![first_seq];
    let multi = |seq: u32, w: &str| format!("part {seq:02}: {w}");
    m.warnings = m.warnings.iter().map(|w| multi(first_seq, w)).collect();
    for (seq, part) in parts {
        seqs.push(seq);
        m.travellers.extend(part.travellers);
        m.warnings
            .extend(part.warnings.iter().map(|w| multi(seq, w)));
        if !part.totals.is_empty() {
            m.totals = part.totals;
        }
        for f in part.flights {
            if !m.flights.contains(&f) {
                m.flights.push(f);
            }
        }
    }
    for (i, t) in m.travellers.iter_mut().enumerate() {
        if t.passenger_ref.is_none() {
            t.passenger.id = positional_id(i);
        }
    }
    for d in p.duplicates {
        m.warnings.push(format!("duplicate part {d:02} ignored"));
    }
    if let Some(w) = incomplete {
        m.warnings.push(w);
    }
    m.parts = seqs;
    check_totals(&mut m);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flight, Traveller};

    fn part(seq: u32, last: bool, names: &[&str]) -> (Manifest, PartInfo) {
        let m = Manifest {
            sender: Some("OK".into()),
            flights: vec![Flight {
                id: Some("OK688".into()),
                ..Flight::default()
            }],
            travellers: names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let mut t = Traveller::default();
                    t.passenger.surname = Some(n.to_string());
                    t.passenger.id = positional_id(i);
                    t
                })
                .collect(),
            parts: vec![seq],
            ..Manifest::default()
        };
        let p = PartInfo {
            common_access_ref: Some("OK688/071008/1310".into()),
            sequence: Some(seq),
            is_last: last,
        };
        (m, p)
    }

    fn names(m: &Manifest) -> Vec<String> {
        m.travellers
            .iter()
            .map(|t| t.passenger.surname.clone().unwrap())
            .collect()
    }

    #[test]
    fn out_of_order_and_duplicate_parts_assemble() {
        let mut a = Assembler::new(Duration::from_secs(60));
        let t = Duration::ZERO;
        let (m3, p3) = part(3, true, &["E"]);
        let (m1, p1) = part(1, false, &["A", "B"]);
        let (m2, p2) = part(2, false, &["C", "D"]);
        assert!(a.push(m3, p3, t).is_none());
        assert!(a.push(m1.clone(), p1.clone(), t).is_none());
        assert!(a.push(m1, p1, t).is_none());
        let m = a.push(m2, p2, t).expect("complete");
        assert_eq!(names(&m), ["A", "B", "C", "D", "E"]);
        assert_eq!(m.parts, [1, 2, 3]);
        let ids: Vec<_> = m
            .travellers
            .iter()
            .map(|t| t.passenger.id.as_str())
            .collect();
        assert_eq!(ids, ["T0001", "T0002", "T0003", "T0004", "T0005"]);
        assert!(m.warnings.iter().any(|w| w.contains("duplicate part 01")));
        assert_eq!(a.pending(), 0);
    }

    #[test]
    fn lone_part_is_released_after_hold_with_missing_parts_named() {
        let mut a = Assembler::new(Duration::from_secs(60));
        let (m, p) = part(2, true, &["X"]);
        assert!(a.push(m, p, Duration::from_secs(10)).is_none());
        assert!(a.expire(Duration::from_secs(69)).is_empty());
        let out = a.expire(Duration::from_secs(70));
        assert_eq!(out.len(), 1);
        assert_eq!(names(&out[0]), ["X"]);
        assert!(
            out[0]
                .warnings
                .iter()
                .any(|w| w.contains("parts 01 missing")),
            "{:?}",
            out[0].warnings
        );
    }

    #[test]
    fn single_part_passes_straight_through() {
        let mut a = Assembler::new(Duration::from_secs(60));
        let (m, mut p) = part(1, true, &["A"]);
        p.is_last = true;
        assert!(a.push(m, p, Duration::ZERO).is_some());
        let (m, p) = part(1, false, &["A"]);
        assert!(a.push(m, p, Duration::ZERO).is_none());
        let out = a.flush();
        assert!(
            out[0]
                .warnings
                .iter()
                .any(|w| w.contains("final part (F) not received"))
        );
    }
}
