//! The posting lists: hashed blocking key → the slots of the entries filed under it.
//!
//! What a build files is frozen into a read-only open-addressing table ([`FrozenPostings`]),
//! read without locks, so that two screening threads never write to a shared cache line (a
//! `DashMap` read takes its shard's lock, an atomic write). It is laid out for batches: a
//! traveller's few dozen keys are all asked of the memory system first
//! ([`FrozenPostings::prefetch`]) and only then read, so that their cache misses overlap instead
//! of following one another.
//!
//! Entries filed after the build (live upserts) go to a small concurrent map beside it, the
//! `delta`, read only while it holds anything. [`Postings::rebuilt`] merges it into a new frozen
//! table (the index does when the delta grows, and on `compact`).

use super::Slot;
use dashmap::DashMap;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// A key and its list; an empty list marks an empty bucket (a key is only filed with at least
/// one slot).
#[derive(Default)]
struct Bucket {
    key: u64,
    list: Box<[Slot]>,
}

/// Read-only posting lists (see the module documentation), each in ascending slot order.
pub(crate) struct FrozenPostings {
    buckets: Box<[Bucket]>,
    /// `buckets.len() - 1` (a power of two less one).
    mask: usize,
    keys: usize,
    postings: usize,
}

/// Where a key's probe sequence starts: the keys are hashes already, but of a multiplicative
/// hash whose low bits are weak, so the high bits of one more multiplication are taken.
fn home(key: u64, mask: usize) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask
}

impl FrozenPostings {
    /// A table for `keys` keys, filled by [`Self::file`].
    fn with_keys(keys: usize) -> FrozenPostings {
        // at most 60% full: about half the keys a traveller asks for are filed nowhere, and a
        // miss reads on to the next empty bucket
        let n = (keys * 5 / 3).max(2).next_power_of_two();
        let mut buckets = Vec::with_capacity(n);
        buckets.resize_with(n, Bucket::default);
        FrozenPostings {
            buckets: buckets.into_boxed_slice(),
            mask: n - 1,
            keys: 0,
            postings: 0,
        }
    }

    /// A table with no key.
    pub(crate) fn empty() -> FrozenPostings {
        FrozenPostings::with_keys(0)
    }

    /// Files a key that is not in the table yet.
    fn file(&mut self, key: u64, list: Box<[Slot]>) {
        if list.is_empty() {
            return;
        }
        // an empty bucket always remains, so that a probe for an absent key ends
        debug_assert!(self.keys < self.mask);
        let mut i = home(key, self.mask);
        while !self.buckets[i].list.is_empty() {
            i = (i + 1) & self.mask;
        }
        self.keys += 1;
        self.postings += list.len();
        self.buckets[i] = Bucket { key, list };
    }

    /// Freezes the lists a build filed, moving each list rather than copying it (at a million
    /// entries they are hundreds of megabytes), and freeing the map shard by shard as it goes.
    /// Each list is sorted (a parallel build files slots in thread order): readers clip lists
    /// to slot ranges by binary search (see `Index::candidates_ranked`).
    pub(crate) fn from_map(map: DashMap<u64, Vec<Slot>, FxBuildHasher>) -> FrozenPostings {
        let mut t = FrozenPostings::with_keys(map.len());
        // sorted a batch at a time on the rayon pool: a batch's list headers are all the
        // memory this takes beside the lists
        const BATCH: usize = 1 << 16;
        let mut batch: Vec<(u64, Vec<Slot>)> = Vec::with_capacity(BATCH);
        let file_sorted = |batch: &mut Vec<(u64, Vec<Slot>)>, t: &mut FrozenPostings| {
            batch.par_iter_mut().for_each(|(_, l)| l.sort_unstable());
            for (key, list) in batch.drain(..) {
                t.file(key, list.into_boxed_slice());
            }
        };
        for item in map {
            batch.push(item);
            if batch.len() == BATCH {
                file_sorted(&mut batch, &mut t);
            }
        }
        file_sorted(&mut batch, &mut t);
        t
    }

    /// Slots in all lists.
    pub(crate) fn postings(&self) -> usize {
        self.postings
    }

    /// Asks for the cache line of `key`'s home bucket, without waiting for it.
    #[inline]
    pub(crate) fn prefetch(&self, key: u64) {
        prefetch(&self.buckets[home(key, self.mask)]);
    }

    /// The list of `key`; empty when no entry is filed under it.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> &[Slot] {
        let mut i = home(key, self.mask);
        loop {
            let b = &self.buckets[i];
            if b.list.is_empty() || b.key == key {
                return &b.list;
            }
            i = (i + 1) & self.mask;
        }
    }
}

/// The frozen table and the lists filed since (see the module documentation).
pub(crate) struct Postings {
    pub(crate) frozen: FrozenPostings,
    delta: DashMap<u64, Vec<Slot>, FxBuildHasher>,
    /// Slots in `delta`'s lists; zero means it need not be read.
    delta_postings: AtomicUsize,
    /// A one-hash Bloom filter of the keys in `delta` (2^20 bits, 128 KiB): once anything was
    /// upserted the delta is rarely empty, and most of a traveller's keys are not in it; the
    /// filter turns them away without taking a shard's lock.
    delta_keys: Box<[AtomicU64]>,
}

const DELTA_FILTER_BITS: u32 = 20;

/// The word and bit of `key` in [`Postings::delta_keys`].
fn delta_bit(key: u64) -> (usize, u64) {
    // the top bits of another multiplication than `home`'s, so as not to follow the table
    let b = (key.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> (64 - DELTA_FILTER_BITS)) as usize;
    (b >> 6, 1 << (b & 63))
}

impl Postings {
    pub(crate) fn new(frozen: FrozenPostings) -> Postings {
        Postings {
            frozen,
            delta: DashMap::with_hasher_and_shard_amount(FxBuildHasher, 64),
            delta_postings: AtomicUsize::new(0),
            delta_keys: (0..1usize << (DELTA_FILTER_BITS - 6))
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }

    /// The delta's list of `key`, if it may have one.
    fn delta_get(&self, key: u64) -> Option<dashmap::mapref::one::Ref<'_, u64, Vec<Slot>>> {
        let (w, bit) = delta_bit(key);
        if self.delta_keys[w].load(Ordering::Relaxed) & bit == 0 {
            return None;
        }
        self.delta.get(&key)
    }

    /// Files `slot` under `keys` in the delta. The index serialises its writers.
    pub(crate) fn add(&self, slot: Slot, keys: &[u64]) {
        for &k in keys {
            let (w, bit) = delta_bit(k);
            self.delta_keys[w].fetch_or(bit, Ordering::Relaxed);
            self.delta.entry(k).or_default().push(slot);
        }
        self.delta_postings.fetch_add(keys.len(), Ordering::Release);
    }

    /// Slots filed since the last freeze.
    pub(crate) fn delta_postings(&self) -> usize {
        self.delta_postings.load(Ordering::Acquire)
    }

    /// How many entries are filed under `key`.
    pub(crate) fn len_of(&self, key: u64) -> usize {
        let n = self.frozen.get(key).len();
        if self.delta_postings() == 0 {
            return n;
        }
        n + self.delta_get(key).map_or(0, |l| l.len())
    }

    /// The lists of `keys`, in order (empty where nothing is filed): all looked up in one
    /// batch. A key that also has slots in the delta gets a merged copy, kept in `scratch`.
    pub(crate) fn lookup_all<'a>(
        &'a self,
        keys: impl ExactSizeIterator<Item = u64> + Clone,
        scratch: &'a mut Vec<Vec<Slot>>,
    ) -> Vec<&'a [Slot]> {
        let f = &self.frozen;
        for k in keys.clone() {
            f.prefetch(k);
        }
        // which keys have delta slots: (position among keys, merged list's place in scratch)
        let mut merged: Vec<(usize, usize)> = Vec::new();
        scratch.clear();
        if self.delta_postings() > 0 {
            for (i, k) in keys.clone().enumerate() {
                if let Some(d) = self.delta_get(k) {
                    let mut v = f.get(k).to_vec();
                    v.extend_from_slice(&d);
                    // slots are filed in the order writers took the lock, not of their numbers
                    v.sort_unstable();
                    merged.push((i, scratch.len()));
                    scratch.push(v);
                }
            }
        }
        let scratch: &'a Vec<Vec<Slot>> = scratch;
        let mut next = merged.iter().peekable();
        let lists: Vec<&[Slot]> = keys
            .enumerate()
            .map(|(i, k)| match next.peek() {
                Some(&&(at, s)) if at == i => {
                    next.next();
                    scratch[s].as_slice()
                }
                _ => f.get(k),
            })
            .collect();
        for l in &lists {
            if let Some(s) = l.first() {
                prefetch(s);
            }
        }
        lists
    }

    /// Key and posting counts (a key in both the table and the delta counted once).
    pub(crate) fn counts(&self) -> (usize, usize) {
        let (mut keys, mut postings) = (self.frozen.keys, self.frozen.postings);
        for r in self.delta.iter() {
            if self.frozen.get(*r.key()).is_empty() {
                keys += 1;
            }
            postings += r.value().len();
        }
        (keys, postings)
    }

    /// A new frozen table of every list here, keeping only the slots `live` accepts (in
    /// parallel); the delta is left out of the copy and should be dropped with `self`. Until
    /// then both copies of the lists are held: at a million entries, a few hundred megabytes.
    pub(crate) fn rebuilt(&self, live: impl Fn(Slot) -> bool + Sync) -> Postings {
        let mut lists: Vec<(u64, Box<[Slot]>)> = self
            .frozen
            .buckets
            .par_iter()
            .filter(|b| !b.list.is_empty())
            .map(|b| {
                let mut v: Vec<Slot> = b.list.iter().copied().filter(|&s| live(s)).collect();
                if let Some(d) = self.delta.get(&b.key) {
                    v.extend(d.iter().copied().filter(|&s| live(s)));
                    v.sort_unstable();
                }
                (b.key, v.into_boxed_slice())
            })
            .collect();
        for r in self.delta.iter() {
            if self.frozen.get(*r.key()).is_empty() {
                let mut v: Vec<Slot> = r.value().iter().copied().filter(|&s| live(s)).collect();
                v.sort_unstable();
                lists.push((*r.key(), v.into_boxed_slice()));
            }
        }
        lists.retain(|(_, l)| !l.is_empty());
        let mut t = FrozenPostings::with_keys(lists.len());
        for (k, l) in lists {
            t.file(k, l);
        }
        Postings::new(t)
    }
}

/// Asks for the cache line holding `*p` (a no-op where no prefetch instruction is known).
#[inline]
pub(crate) fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and cannot fault, and `p` is a valid
    // reference besides
    unsafe {
        core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
            (p as *const T).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_filed_key_finds_its_list_and_no_other_key_finds_one() {
        let map: DashMap<u64, Vec<Slot>, FxBuildHasher> = DashMap::default();
        // keys close together, far apart, and zero
        let keys: Vec<u64> = (0..5_000u64)
            .map(|i| {
                if i % 2 == 0 {
                    i
                } else {
                    i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                }
            })
            .collect();
        for (n, &k) in keys.iter().enumerate() {
            map.insert(k, (0..(n % 7) as Slot + 1).collect());
        }
        let t = FrozenPostings::from_map(map);
        assert_eq!(t.keys, keys.len());
        for (n, &k) in keys.iter().enumerate() {
            assert_eq!(
                t.get(k),
                (0..(n % 7) as Slot + 1).collect::<Vec<_>>().as_slice()
            );
        }
        for k in 5_000u64..20_000 {
            if k % 2 == 0 {
                assert!(t.get(k).is_empty(), "{k}");
            }
        }
    }

    #[test]
    fn a_batch_lookup_merges_the_delta_after_the_built_list() {
        let map: DashMap<u64, Vec<Slot>, FxBuildHasher> = DashMap::default();
        map.insert(1, vec![10, 11]);
        map.insert(2, vec![20]);
        let p = Postings::new(FrozenPostings::from_map(map));
        let mut scratch = Vec::new();
        assert_eq!(
            p.lookup_all([1, 3, 2].into_iter(), &mut scratch),
            [&[10, 11][..], &[], &[20]]
        );
        p.add(12, &[1, 3]);
        assert_eq!(
            p.lookup_all([1, 3, 2].into_iter(), &mut scratch),
            [&[10, 11, 12][..], &[12], &[20]]
        );
        assert_eq!((p.len_of(1), p.len_of(3), p.len_of(4)), (3, 1, 0));
        assert_eq!(p.counts(), (3, 5));
        let r = p.rebuilt(|s| s != 11);
        assert_eq!(r.delta_postings(), 0);
        assert_eq!(
            r.lookup_all([1, 3, 2].into_iter(), &mut scratch),
            [&[10, 12][..], &[12], &[20]]
        );
    }
}
