//! Per-partition, in-order completion tracking: which input offset may be committed?
//!
//! Records of one partition are screened concurrently and finish in any order, but a Kafka
//! commit says "everything before this offset is done". A record therefore counts as done only
//! when every unit of work it feeds (its manifests, its DLQ copy, the assembled multi-part
//! manifest it is a part of) has been acknowledged, and the committable position is the first
//! offset that is not done yet (or one past the last record seen, when all are done).
//!
//! Invariant: records are [`Partition::begin`]-ed in offset order (Kafka delivers a partition in
//! order); gaps (compaction, transaction markers) are fine, since only records seen are waited
//! for.

use std::collections::BTreeMap;

/// Progress of one assigned partition.
#[derive(Debug, Default)]
pub struct Partition {
    /// Outstanding units per record not yet done (done records are removed at once).
    pending: BTreeMap<i64, u32>,
    /// Highest offset begun.
    high: Option<i64>,
    /// Position last committed (or handed to a commit), so unchanged positions are not re-sent.
    committed: Option<i64>,
}

impl Partition {
    /// A record arrived; it is pending until its units are all finished (a record with no unit
    /// is released by [`Partition::settle`]).
    pub fn begin(&mut self, offset: i64) {
        debug_assert!(
            self.high.is_none_or(|h| offset > h),
            "offsets arrive in order"
        );
        self.high = Some(self.high.map_or(offset, |h| h.max(offset)));
        self.pending.insert(offset, 0);
    }

    /// One more unit of work now depends on `offset`.
    pub fn add_unit(&mut self, offset: i64) {
        if let Some(n) = self.pending.get_mut(&offset) {
            *n += 1;
        }
    }

    /// Releases a record that fed no unit at all (nothing to wait for).
    pub fn settle(&mut self, offset: i64) {
        if self.pending.get(&offset) == Some(&0) {
            self.pending.remove(&offset);
        }
    }

    /// A unit that depended on `offset` is finished. Returns true when the record is now done.
    pub fn finish_unit(&mut self, offset: i64) -> bool {
        match self.pending.get_mut(&offset) {
            Some(n) if *n > 1 => {
                *n -= 1;
                false
            }
            Some(_) => {
                self.pending.remove(&offset);
                true
            }
            None => false,
        }
    }

    /// The offset a commit may name now (the next record to read after a restart), if any
    /// record was seen.
    pub fn position(&self) -> Option<i64> {
        match self.pending.first_key_value() {
            Some((&first, _)) => Some(first),
            None => self.high.map(|h| h + 1),
        }
    }

    /// The position to commit, if it moved since the last commit; marks it as committed.
    pub fn take_commit(&mut self) -> Option<i64> {
        let p = self.position()?;
        if self.committed.is_some_and(|c| c >= p) {
            return None;
        }
        self.committed = Some(p);
        Some(p)
    }

    /// Forgets that a position was committed (the commit failed), so the next round retries.
    pub fn commit_failed(&mut self, position: i64) {
        if self.committed == Some(position) {
            self.committed = None;
        }
    }

    /// Records seen but not done.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_waits_for_the_first_unfinished_record() {
        let mut p = Partition::default();
        assert_eq!(p.position(), None);
        for o in [10, 11, 12] {
            p.begin(o);
            p.add_unit(o);
        }
        p.add_unit(11); // record 11 feeds two units
        assert_eq!(p.position(), Some(10));
        assert!(p.finish_unit(12));
        assert!(!p.finish_unit(11));
        assert_eq!(
            p.position(),
            Some(10),
            "10 is not done, nothing after it commits"
        );
        assert!(p.finish_unit(10));
        assert_eq!(p.position(), Some(11));
        assert!(p.finish_unit(11));
        assert_eq!(p.position(), Some(13));
        assert_eq!(p.in_flight(), 0);
    }

    #[test]
    fn gaps_and_unitless_records_and_commit_bookkeeping() {
        let mut p = Partition::default();
        p.begin(5);
        p.settle(5);
        assert_eq!(p.take_commit(), Some(6));
        assert_eq!(
            p.take_commit(),
            None,
            "unchanged position is not re-committed"
        );
        p.begin(9); // offsets 6..8 were compacted away
        p.add_unit(9);
        assert_eq!(p.take_commit(), Some(9), "up to the unfinished record");
        assert_eq!(p.take_commit(), None);
        p.finish_unit(9);
        assert_eq!(p.take_commit(), Some(10));
        p.commit_failed(10);
        assert_eq!(p.take_commit(), Some(10), "a failed commit is retried");
        // an unknown offset (from a revoked generation) changes nothing
        assert!(!p.finish_unit(3));
        assert_eq!(p.position(), Some(10));
    }
}
