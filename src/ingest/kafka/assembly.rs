//! Multi-part PAXLST across records: which records does an assembled manifest depend on?
//!
//! Design note. Parts of one transmission arrive as separate records (producers must give them
//! the same key, so that they land on one partition: the common access reference or the flight
//! is a good key). Each partition has its own [`Assembly`]; each flight being assembled has its
//! own [`Assembler`] plus the offsets and original bytes of the records that fed it. A part's
//! record is not done (and so no offset at or after it is committed) until the assembled
//! manifest has been screened and its alerts acknowledged. After a crash the consumer therefore
//! resumes at or before the first part of every incomplete flight and reads all its parts again:
//! no part needs to be stored anywhere but in Kafka. The price: records after an incomplete
//! flight's first part are re-screened after a crash (their alerts have the same ids), and the
//! committed position of a partition waits for at most the hold time.
//!
//! The grouping key is the one [`Assembler`] uses (`paxlst::assemble::Key`: sender, common
//! access reference, first flight id and departure time, document type), so each per-flight
//! assembler sees exactly one flight and releases it whole.

use crate::model::Manifest;
use crate::paxlst::assemble::Key;
use crate::paxlst::{Assembler, PartInfo};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// An input record as read, kept while something depends on it (for the DLQ copy).
#[derive(Debug)]
pub struct RawRecord {
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
}

struct Group {
    assembler: Assembler,
    /// One entry per part pushed (a record holding two parts appears twice): each is one unit of
    /// work the record waits for.
    units: Vec<i64>,
    records: Vec<Arc<RawRecord>>,
}

/// A manifest ready to screen, with the records it came from.
#[derive(Debug)]
pub struct Released {
    pub manifest: Manifest,
    /// One entry per part (see [`Assembly::push`]).
    pub units: Vec<i64>,
    /// The distinct records, oldest first.
    pub records: Vec<Arc<RawRecord>>,
    /// True when released by the hold time, with parts missing.
    pub incomplete: bool,
}

/// The flights of one partition waiting for parts.
pub struct Assembly {
    hold: Duration,
    groups: HashMap<Key, Group>,
}

impl Assembly {
    pub fn new(hold: Duration) -> Assembly {
        Assembly {
            hold,
            groups: HashMap::new(),
        }
    }

    /// Flights waiting for parts.
    pub fn pending(&self) -> usize {
        self.groups.len()
    }

    /// Adds a part read from `record`; the record now waits for one more unit (the caller counts
    /// it). Returns the flight when this part completes it.
    pub fn push(
        &mut self,
        manifest: Manifest,
        part: PartInfo,
        record: &Arc<RawRecord>,
        now: Duration,
    ) -> Option<Released> {
        let key = Key::of(&manifest, &part);
        let g = self.groups.entry(key.clone()).or_insert_with(|| Group {
            assembler: Assembler::new(self.hold),
            units: Vec::new(),
            records: Vec::new(),
        });
        g.units.push(record.offset);
        if g.records.last().is_none_or(|r| r.offset != record.offset) {
            g.records.push(record.clone());
        }
        let done = g.assembler.push(manifest, part, now)?;
        let g = self.groups.remove(&key)?;
        Some(Released {
            manifest: done,
            units: g.units,
            records: g.records,
            incomplete: false,
        })
    }

    /// Releases flights that have waited the hold time, incomplete (the manifest carries a
    /// warning naming the missing parts): a lost part must not stop the partition for ever.
    pub fn expire(&mut self, now: Duration) -> Vec<Released> {
        let mut out = Vec::new();
        let mut emptied = Vec::new();
        for (k, g) in self.groups.iter_mut() {
            let ms = g.assembler.expire(now);
            if ms.is_empty() {
                continue;
            }
            // one flight per assembler, so whatever it releases is the whole group
            for m in ms {
                out.push(Released {
                    manifest: m,
                    units: std::mem::take(&mut g.units),
                    records: std::mem::take(&mut g.records),
                    incomplete: true,
                });
            }
            emptied.push(k.clone());
        }
        for k in emptied {
            self.groups.remove(&k);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Flight, Traveller};

    fn part(seq: u32, last: bool, car: &str, n: usize) -> (Manifest, PartInfo) {
        let m = Manifest {
            sender: Some("XX".into()),
            flights: vec![Flight {
                id: Some("XX100".into()),
                ..Flight::default()
            }],
            travellers: vec![Traveller::default(); n],
            parts: vec![seq],
            ..Manifest::default()
        };
        let p = PartInfo {
            common_access_ref: Some(car.into()),
            sequence: Some(seq),
            is_last: last,
        };
        (m, p)
    }

    fn rec(offset: i64) -> Arc<RawRecord> {
        Arc::new(RawRecord {
            offset,
            key: None,
            payload: None,
            headers: Vec::new(),
        })
    }

    #[test]
    fn interleaved_flights_release_with_their_own_records() {
        let mut a = Assembly::new(Duration::from_secs(60));
        let t = Duration::ZERO;
        let (m, p) = part(1, false, "A", 2);
        assert!(a.push(m, p, &rec(1), t).is_none());
        let (m, p) = part(1, false, "B", 1);
        assert!(a.push(m, p, &rec(2), t).is_none());
        let (m, p) = part(2, true, "A", 3);
        let r = a.push(m, p, &rec(3), t).expect("A complete");
        assert_eq!(r.manifest.travellers.len(), 5);
        assert_eq!(r.units, [1, 3]);
        assert_eq!(
            r.records.iter().map(|r| r.offset).collect::<Vec<_>>(),
            [1, 3]
        );
        assert_eq!(a.pending(), 1);
        // B never completes: released by the hold time, with its record
        assert!(a.expire(Duration::from_secs(59)).is_empty());
        let out = a.expire(Duration::from_secs(60));
        assert_eq!(out.len(), 1);
        assert!(out[0].incomplete);
        assert_eq!(out[0].units, [2]);
        assert!(
            out[0]
                .manifest
                .warnings
                .iter()
                .any(|w| w.contains("released incomplete"))
        );
        assert_eq!(a.pending(), 0);
    }
}
