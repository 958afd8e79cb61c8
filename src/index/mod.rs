//! The watchlist index: here is a traveller's normalised name (and birth date, and documents) —
//! which entries could it be?
//!
//! It does not score; it only proposes candidates, cheaply and with high recall (measured against
//! a brute-force scan in `tests/`). Layout:
//!
//! - `postings`: hashed blocking keys ([`crate::names::name_keys`], plus birth-year × part keys)
//!   to entry slots: what the build filed in a read-only table read without locks, a
//!   traveller's keys looked up in one batch; what was filed since in a small concurrent map
//!   beside it (see `postings.rs`);
//! - `docs`: folded document number → slots (OCR confusions O/0, I/1, S/5, B/8, Z/2 folded);
//! - `entries`: slot → the entry with its names already split into parts.
//!
//! Live changes: `upsert` files a new slot and retires the old one; `delete` retires a slot.
//! Postings of a retired slot stay behind until the lists are next frozen (when the map of new
//! ones grows, or on [`Index::compact`]) and are skipped on lookup because the slot no longer
//! resolves. Readers never wait for a whole-index lock: the frozen table takes none, the maps
//! lock one shard for a probe or a push, and a refreeze builds a new table beside the old and
//! swaps it in. A whole-list replacement that must be seen atomically is
//! done by building a new `Index` and swapping it in (see `screen::Screener`).

use crate::model::{
    Country, DateSpec, DocumentKey, EntityType, EntryRef, Gender, NameKind, PartialDate,
};
use crate::names::{self, KeyKind, NameKey, Part};
use arc_swap::ArcSwap;
use dashmap::DashMap;
use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};
use smallvec::SmallVec;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

mod postings;
pub(crate) use postings::prefetch;
use postings::{FrozenPostings, Postings};

/// Slot number of an entry in the index.
pub type Slot = u32;

/// One name of an entry, split into parts once at indexing time. Its parts and their weights
/// live in the entry's shared arrays (one allocation each for all its names, read in order when
/// a candidate is scored): see [`IndexedEntry::parts`] and [`IndexedEntry::weights`].
#[derive(Debug, Clone)]
pub struct IndexedName {
    /// Position of the name in `entry.names` (not a copy: a large list holds millions).
    pub name_index: u16,
    pub kind: NameKind,
    /// Where the name's parts start in the entry's arrays, and how many there are.
    start: u32,
    len: u32,
    /// Bit i set: part i is the family name, as the list marks it (upper case in a mixed-case
    /// name, "Cheng YUN").
    pub surname_mask: u32,
}

/// An entry as the index holds it.
#[derive(Debug)]
pub struct IndexedEntry {
    pub entry: EntryRef,
    pub names: Box<[IndexedName]>,
    /// The parts of every name, name after name.
    all_parts: Box<[Part]>,
    /// Weight of each part in `all_parts` in its name's score; family-name parts weigh more
    /// (see [`names::entry_weights`]).
    all_weights: Box<[f32]>,
    /// What is compared beside the names, held here so that judging a candidate by its fields
    /// reads no more than this entry's own memory.
    pub fields: EntryFields,
}

/// The fields of an entry that screening compares with a traveller's, copied out of the
/// [`WatchlistEntry`](crate::model::WatchlistEntry): most candidates are dropped on these
/// alone (a different year of birth), and most entries state one or two dates of birth and a
/// few nationalities, which fit inline.
#[derive(Debug, Clone)]
pub struct EntryFields {
    pub dobs: SmallVec<[DateSpec; 2]>,
    pub nationalities: SmallVec<[Country; 4]>,
    pub gender: Option<Gender>,
    pub documents: Box<[DocumentKey]>,
}

/// What can be told of an entry's fields without reading the entry: the span of its birth
/// years and how far off a date may be, and its gender (whether its documents can agree with a
/// traveller's, [`Candidate::document_hit`] says). The index keeps one per slot in a flat
/// array, so that a candidate ruled out by a birth year far from the traveller's (most of a
/// travelling population's candidates) costs one read instead of a lookup of its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSummary {
    /// Earliest and latest birth year any of the entry's dates allows, before tolerance; `None`
    /// when it states no date.
    pub years: Option<(u16, u16)>,
    /// How many years outside `years` a traveller's birth year may be before every date
    /// contradicts it: 2 when a date is approximate ("circa"), else 1.
    pub slack: u8,
    /// Month and day of the entry's date when it states exactly one, full and exact: a full
    /// date a year off it is a typo only with the same day and month.
    pub only_date: Option<(u8, u8)>,
    pub gender: Option<Gender>,
}

impl FieldSummary {
    /// Whether every date of birth the entry states is far from the traveller's `dob`: a
    /// mismatch on every reading, with the tolerances of `screen::fields::compare_dob` (a year
    /// off an exact date or a range, two off an approximate one; between two full dates, a year
    /// off only with the same day and month). False when the entry states no date.
    /// `century_ambiguous`: the traveller's year may also be read a century earlier.
    pub(crate) fn births_far_from(&self, dob: PartialDate, century_ambiguous: bool) -> bool {
        let Some((first, last)) = self.years else {
            return false;
        };
        let slack = u16::from(self.slack);
        let far = |y: u16| {
            y.saturating_add(slack) < first
                || y > last.saturating_add(slack)
                || self
                    .only_date
                    .zip(dob.month.zip(dob.day))
                    .is_some_and(|(e, p)| y != first && e != p)
        };
        far(dob.year) && !(century_ambiguous && dob.year >= 1100 && !far(dob.year - 100))
    }

    pub(crate) fn of(f: &EntryFields) -> FieldSummary {
        let years = f
            .dobs
            .iter()
            .map(DateSpec::year_range)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
        let approximate = f.dobs.iter().any(|d| matches!(d, DateSpec::Approximate(_)));
        let only_date = match f.dobs.as_slice() {
            [DateSpec::Exact(d)] => d.month.zip(d.day),
            _ => None,
        };
        FieldSummary {
            years,
            slack: if approximate { 2 } else { 1 },
            only_date,
            gender: f.gender,
        }
    }
}

/// The name parts so common in a large list that their exact lists are too long to read even
/// to confirm a part of a proposed entry (MUHAMMAD, in a tenth of a million padded entries):
/// each such part's form is a bit, and each slot records which of them its entry's names hold
/// ([`SlotRecord::common`]), so that a traveller's MUHAMMAD is told from an entry's AHMAD or
/// HAMID (one plain skeleton, MD, in pair keys) by one read of the slot's record instead of a
/// list of a hundred thousand. The form is the skeleton that keeps h ([`Part::hskel`]: MHMD,
/// also MAHMOUD's and MOHAMMADI's, which the scorer finds close), or the text itself when that
/// skeleton is shorter than three letters (ALI's L would be LEE's and LIU's). Chosen by the
/// build; entries filed since get their bits against the same forms.
#[derive(Debug, Default)]
struct CommonParts {
    /// A form's hash → its bit.
    bits: FxHashMap<u64, u32>,
}

/// Records form `f` with the longest exact list seen for it.
fn keep_longest(m: &mut FxHashMap<u64, usize>, f: u64, n: usize) {
    let e = m.entry(f).or_default();
    *e = (*e).max(n);
}

impl CommonParts {
    /// At most this many forms (the bits of a `u32`, which keeps a [`SlotRecord`] at 24
    /// bytes), the most common first.
    const MAX: usize = 32;

    fn form(p: &Part) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        if p.hskel().len() >= 3 {
            (0u8, p.hskel()).hash(&mut h);
        } else {
            (1u8, p.text()).hash(&mut h);
        }
        h.finish()
    }

    /// The forms of those of `parts` whose exact list is longer than `longer_than`.
    fn choose<'a>(
        parts: impl ParallelIterator<Item = &'a Part>,
        postings: &Postings,
        longer_than: usize,
    ) -> CommonParts {
        let mut found: Vec<(usize, u64)> = parts
            .filter(|p| !p.vowelless)
            .filter_map(|p| {
                let n = postings.len_of(names::exact_key(p).hash);
                (n > longer_than).then(|| (Self::form(p), n))
            })
            .fold(FxHashMap::default, |mut m, (f, n)| {
                keep_longest(&mut m, f, n);
                m
            })
            .reduce(FxHashMap::default, |mut a, b| {
                for (f, n) in b {
                    keep_longest(&mut a, f, n);
                }
                a
            })
            .into_iter()
            .map(|(f, n)| (n, f))
            .collect();
        found.sort_unstable_by(|a, b| b.cmp(a));
        found.truncate(Self::MAX);
        CommonParts {
            bits: found
                .into_iter()
                .enumerate()
                .map(|(i, (_, f))| (f, 1 << i))
                .collect(),
        }
    }

    /// The common form `p` has, if any.
    fn of_part(&self, p: &Part) -> u32 {
        if self.bits.is_empty() {
            return 0;
        }
        self.bits.get(&Self::form(p)).copied().unwrap_or(0)
    }

    fn of_entry(&self, e: &IndexedEntry) -> u32 {
        if self.bits.is_empty() {
            return 0;
        }
        e.all_parts.iter().fold(0, |m, p| m | self.of_part(p))
    }
}

/// What a build fills in parallel: the posting lists, and the entry of each slot.
struct Building {
    filed: DashMap<u64, Vec<Slot>, FxBuildHasher>,
    entries: Vec<std::sync::OnceLock<Arc<IndexedEntry>>>,
}

/// Which slots held an entry when [`Index::live_slots`] looked; slots past those it saw
/// count as live (filed since).
struct LiveSlots {
    bits: Vec<u64>,
    len: usize,
}

impl LiveSlots {
    fn holds(&self, s: Slot) -> bool {
        let s = s as usize;
        s >= self.len || self.bits[s >> 6] & (1 << (s & 63)) != 0
    }
}

/// What screening reads of a slot, side by side in one flat array indexed by slot: the
/// candidate's [`FieldSummary`] and its entry, found without a map lookup, so that the scorer
/// can ask for the next candidates' memory ([`SlotRecord::prefetch_entry`]) while it scores
/// this one.
#[derive(Debug, Clone)]
pub struct SlotRecord {
    pub summary: FieldSummary,
    /// Which of the index's [`CommonParts`] forms the entry's names have.
    common: u32,
    pub entry: Arc<IndexedEntry>,
}

impl SlotRecord {
    fn of(entry: Arc<IndexedEntry>, common: &CommonParts) -> SlotRecord {
        SlotRecord {
            summary: FieldSummary::of(&entry.fields),
            common: common.of_entry(&entry),
            entry,
        }
    }

    /// Asks for the entry's own memory (a hint: nothing is read).
    #[inline]
    pub fn prefetch_entry(&self) {
        prefetch(&*self.entry);
    }

    /// Asks for the memory the entry points to that scoring reads first: its names, the
    /// first of its parts and their weights. Reads the entry itself, so it pays when
    /// [`Self::prefetch_entry`] was asked a little earlier.
    #[inline]
    pub fn prefetch_parts(&self) {
        let e = &*self.entry;
        if let Some(n) = e.names.first() {
            prefetch(n);
        }
        for p in e.all_parts.iter().step_by(2).take(3) {
            prefetch(p);
        }
        if let Some(w) = e.all_weights.first() {
            prefetch(w);
        }
    }
}

/// Tuning of candidate generation.
#[derive(Debug, Clone, Copy)]
pub struct IndexConfig {
    /// Posting lists longer than this are skipped at query time: the key is too common to select
    /// anything (pair and birth-year keys still select within it).
    pub max_posting: usize,
    /// A single-part hit on a posting list no longer than this is still a candidate.
    pub rare_posting: usize,
    /// Variant keys (deletions, skeletons) with longer posting lists are skipped: a long list
    /// under a variant key is the popular spelling's list again, which the exact key brings.
    pub max_variant_posting: usize,
    /// Pair keys select even among common parts; their lists may be longer.
    pub max_pair_posting: usize,
    /// Lists too long to propose from are still read, up to this length, to confirm parts of
    /// entries other keys proposed.
    pub max_confirm_posting: usize,
    /// The exact and one-deletion lists of two query parts that only confirm are crossed to
    /// propose the entries both reach, when together they hold at most this many postings
    /// (0: never).
    pub max_across_postings: usize,
    /// Widest birth-year range filed under year keys; wider ranges are filed under their ends.
    pub max_year_span: u16,
    /// Entries filed after the build have their keys in a small map that every lookup reads
    /// besides the built table. Once it holds more slots than this, and more than a sixteenth
    /// of the table's, all lists are frozen into a new table.
    pub max_delta_postings: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            max_posting: 2_000,
            rare_posting: 50,
            max_variant_posting: 500,
            max_pair_posting: 5_000,
            max_confirm_posting: 10_000,
            max_across_postings: 50_000,
            max_year_span: 12,
            max_delta_postings: 100_000,
        }
    }
}

/// What the traveller offers for candidate generation.
#[derive(Debug, Clone, Default)]
pub struct Probe<'a> {
    pub parts: &'a [Part],
    pub dob: Option<PartialDate>,
    /// Also try the birth year a century earlier (two-digit year read ambiguously).
    pub dob_century_ambiguous: bool,
    pub documents: &'a [DocumentKey],
    /// A birth year far from every date an entry allows rules the entry out, whatever its
    /// name (the screener sets this from its threshold): entries whose dates all contradict
    /// `dob` are then not proposed at all (see [`BirthOrder`]), except through a shared
    /// document.
    pub births_decide: bool,
}

/// A proposed entry and why.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Resolve with [`Index::with_entry`] (only the candidates actually scored are).
    pub slot: Slot,
    /// Bit i set: query part i shares a key with one of the entry's names.
    pub parts_hit: u32,
    pub document_hit: bool,
    pub dob_hit: bool,
    pub evidence: f32,
}

impl Candidate {
    /// Candidates in ascending order of this key are best first (see [`Index::candidates`]).
    pub fn order_key(&self) -> u64 {
        order_key(self.document_hit, self.evidence, self.slot)
    }
}

/// Best first: a shared document, then more evidence, then the lower slot (so that ties fall the
/// same way on every build). One integer says all three: evidence is a sum of positive finite
/// terms, and the bits of such floats order as their values.
fn order_key(doc: bool, evidence: f32, slot: Slot) -> u64 {
    let r = evidence.to_bits() & 0x7fff_ffff;
    (u64::from(!doc) << 63) | (u64::from(0x7fff_ffff - r) << 32) | u64::from(slot)
}

/// Evidence gathered for one slot while proposing candidates.
#[derive(Default, Clone, Copy)]
struct Acc {
    /// The query parts some key reached.
    mask: u32,
    /// The parts credited with a weight of their own keys ([`Self::hit_part`]); pair, glued
    /// and birth-year keys only set `mask`.
    own: u32,
    rare: bool,
    doc: bool,
    dob: bool,
    /// Some key reached the slot (the dense accumulator's own mark; see [`DenseEvidence`]).
    touched: bool,
    evidence: f32,
}

impl Acc {
    /// Credits query part `bit` with `w`, unless a stronger key of its own (applied first)
    /// already did.
    #[inline]
    fn hit_part(&mut self, bit: u32, w: f32) {
        self.mask |= bit;
        if self.own & bit == 0 {
            self.own |= bit;
            self.evidence += w;
        }
    }
}

/// Indexes with at most this many slots gather evidence in a dense array (16 bytes a slot,
/// 2 MiB at most, per screening thread); larger ones in a short list found through an array
/// of places (4 bytes a slot, [`SparseEvidence`]). A traveller touches a few hundred to a few
/// thousand slots: over a small index the array of evidence is indexed directly and stays in
/// the core's caches; over a million entries it would be 16 MiB read at random (measured
/// slower than a hash map, which the places array beat by a third).
const DENSE_SLOTS: usize = 1 << 17;

/// Where candidate generation gathers evidence per slot. Reused between travellers: it is
/// empty between calls.
trait Evidence {
    /// The slot's evidence (all zero on first touch).
    fn at(&mut self, s: Slot) -> &mut Acc;
    /// Asks for the memory [`Self::at`] will read for `s` (a hint).
    #[inline]
    fn prefetch(&self, _s: Slot) {}
    fn is_empty(&self) -> bool;
    /// Adds the weight of each confirming list to the slots it holds that other keys touched,
    /// for the list's part unless a key of the part's own already credited it; lists in
    /// order.
    fn confirm<'l>(&mut self, lists: impl Iterator<Item = (&'l [Slot], u32, f32)>);
    /// Hands every touched slot's evidence to `f` to change, in no particular order, after
    /// giving `ahead` the slot handed [`PLACE_AHEAD`] later.
    fn visit(&mut self, ahead: impl Fn(Slot), f: impl FnMut(Slot, &mut Acc));
    /// Hands every touched slot's evidence to `f`, in no particular order, and forgets it.
    fn drain(&mut self, f: impl FnMut(Slot, Acc));
}

/// Sizes an array indexed by slot (an accumulator's) for an index of `slots` slots: grown to
/// hold them all, and given back when the index shrank to less than half of it (a list replaced
/// by a smaller one).
fn fit_to_slots<T: Clone + Default>(v: &mut Vec<T>, slots: usize) {
    if v.len() > 2 * slots.max(4096) {
        *v = Vec::new();
    }
    if v.len() < slots {
        v.resize(slots, T::default());
    }
}

/// Grows an array indexed by slot to hold slot `i`: an entry filed while a traveller is
/// screened has a slot past the size [`fit_to_slots`] gave it.
#[inline]
fn grow_to_hold<T: Clone + Default>(v: &mut Vec<T>, i: usize) {
    if i >= v.len() {
        v.resize((i + 1).max(v.len() * 5 / 4), T::default());
    }
}

/// Evidence of a large index: the touched slots' evidence in a short list, found through an
/// array of each slot's place in it (4 bytes a slot, 4 MiB at a million entries, per screening
/// thread). A touch is one read of that array (a cache miss in the last-level cache at most)
/// where a hash map hashes and probes; confirming and draining read the short list in order.
#[derive(Default)]
struct SparseEvidence {
    /// Slot → 1 + its place in `accs`; 0 when the slot was not touched.
    place: Vec<u32>,
    accs: Vec<(Slot, Acc)>,
    /// [`Evidence::confirm`]'s slots past its filter, with the list each is in (kept between
    /// travellers for its capacity).
    passed: Vec<(Slot, u32)>,
}

impl SparseEvidence {
    /// Ready for an index of `slots` slots (more may be filed while it is read: [`Self::at`]
    /// grows the array).
    fn prepare(&mut self, slots: usize) {
        if !self.accs.is_empty() {
            // left by a call that did not finish
            self.drain(|_, _| ());
        }
        fit_to_slots(&mut self.place, slots);
        if self.accs.capacity() > 16_384 {
            // a traveller with a very common name touched many slots
            self.accs = Vec::with_capacity(4_096);
        }
        if self.passed.capacity() > 65_536 {
            self.passed = Vec::new();
        }
    }
}

impl Evidence for SparseEvidence {
    #[inline]
    fn at(&mut self, s: Slot) -> &mut Acc {
        let i = s as usize;
        grow_to_hold(&mut self.place, i);
        let p = self.place[i] as usize;
        if p == 0 {
            self.accs.push((s, Acc::default()));
            self.place[i] = self.accs.len() as u32;
            return &mut self.accs.last_mut().expect("just pushed").1;
        }
        &mut self.accs[p - 1].1
    }

    #[inline]
    fn prefetch(&self, s: Slot) {
        if let Some(p) = self.place.get(s as usize) {
            prefetch(p);
        }
    }

    fn is_empty(&self) -> bool {
        self.accs.is_empty()
    }

    fn confirm<'l>(&mut self, lists: impl Iterator<Item = (&'l [Slot], u32, f32)>) {
        // the lists are long and few of their slots are touched slots that lack the list's
        // part: a bitmap of those (slot, part) pairs, small enough for the L1 cache, turns
        // most of them away before the array is read (a bitmap of the touched slots alone
        // let through every touched slot that had the part already: ten times as many)
        let lists: SmallVec<[(&[Slot], u32, f32); 16]> = lists.collect();
        let parts = lists.iter().fold(0u32, |m, l| m | l.1);
        let mut lacking = LackingFilter::default();
        for (s, a) in &self.accs {
            let mut m = parts & !a.own;
            while m != 0 {
                lacking.insert(*s, m.trailing_zeros());
                m &= m - 1;
            }
        }
        // what passes is gathered first, then read with each slot's place asked for a few
        // ahead: read as the filter lets them through, each was a cache miss in turn
        let mut passed = std::mem::take(&mut self.passed);
        passed.clear();
        for (i, (list, bit, _)) in lists.iter().enumerate() {
            let part = bit.trailing_zeros();
            for &s in *list {
                if lacking.may_contain(s, part) {
                    passed.push((s, i as u32));
                }
            }
        }
        for (k, &(s, i)) in passed.iter().enumerate() {
            if let Some(&(a, _)) = passed.get(k + PLACE_AHEAD) {
                Evidence::prefetch(self, a);
            }
            if let Some(&p) = self.place.get(s as usize)
                && p != 0
            {
                let (_, bit, w) = lists[i as usize];
                self.accs[p as usize - 1].1.hit_part(bit, w);
            }
        }
        self.passed = passed;
    }

    fn visit(&mut self, ahead: impl Fn(Slot), mut f: impl FnMut(Slot, &mut Acc)) {
        for k in 0..self.accs.len() {
            if let Some(&(s, _)) = self.accs.get(k + PLACE_AHEAD) {
                ahead(s);
            }
            let (s, a) = &mut self.accs[k];
            f(*s, a);
        }
    }

    fn drain(&mut self, mut f: impl FnMut(Slot, Acc)) {
        for (s, a) in self.accs.drain(..) {
            self.place[s as usize] = 0;
            f(s, a);
        }
    }
}

/// Evidence in an array indexed by slot, with the touched slots listed so that draining
/// reads only those (see [`DENSE_SLOTS`]).
#[derive(Default)]
struct DenseEvidence {
    accs: Vec<Acc>,
    touched: Vec<Slot>,
}

impl DenseEvidence {
    /// Ready for an index of `slots` slots (more may be filed while it is read: [`Self::at`]
    /// grows the array).
    fn prepare(&mut self, slots: usize) {
        if !self.touched.is_empty() {
            // left by a call that did not finish
            self.drain(|_, _| ());
        }
        fit_to_slots(&mut self.accs, slots);
    }
}

impl Evidence for DenseEvidence {
    #[inline]
    fn at(&mut self, s: Slot) -> &mut Acc {
        let i = s as usize;
        grow_to_hold(&mut self.accs, i);
        let a = &mut self.accs[i];
        if !a.touched {
            a.touched = true;
            self.touched.push(s);
        }
        a
    }

    fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    fn confirm<'l>(&mut self, lists: impl Iterator<Item = (&'l [Slot], u32, f32)>) {
        for (list, bit, w) in lists {
            for &s in list {
                if let Some(a) = self.accs.get_mut(s as usize)
                    && a.touched
                {
                    a.hit_part(bit, w);
                }
            }
        }
    }

    fn visit(&mut self, ahead: impl Fn(Slot), mut f: impl FnMut(Slot, &mut Acc)) {
        for (k, &s) in self.touched.iter().enumerate() {
            if let Some(&a) = self.touched.get(k + PLACE_AHEAD) {
                ahead(a);
            }
            f(s, &mut self.accs[s as usize]);
        }
    }

    fn drain(&mut self, mut f: impl FnMut(Slot, Acc)) {
        for s in self.touched.drain(..) {
            let a = std::mem::take(&mut self.accs[s as usize]);
            f(s, a);
        }
    }
}

/// Counts for `GetStats` and the CLI summary.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct IndexStats {
    pub entries: usize,
    pub names: usize,
    pub keys: usize,
    pub postings: usize,
}

/// Entries whose birth years span more than this many years (from the earliest year any of
/// their dates allows to the latest) are not placed by year: see [`BirthOrder`].
const PLACED_SPAN: u16 = 4;

/// The most years a traveller's birth year may be outside an entry's before its dates all
/// contradict it ([`FieldSummary::slack`]).
const MAX_SLACK: u16 = 2;

/// How the build numbered its slots: the entries with a date of birth in order of their
/// earliest birth year, then those without one (or with dates too spread to place), then
/// whatever is filed after the build. Posting lists are in slot order, so the entries of a
/// list a traveller's birth year allows lie in a range or two of it and its tail, found by
/// search: when a birth year far from the traveller's rules an entry out whatever its name
/// ([`Probe::births_decide`]), candidate generation reads only those. On a large list most
/// of a common name's namesakes were born in other years.
#[derive(Debug, Clone, Default)]
struct BirthOrder {
    /// The earliest birth year placed.
    first_year: u16,
    /// `starts[k]`: the first slot of the entries whose earliest birth year is
    /// `first_year + k` or later.
    starts: Box<[Slot]>,
    /// Slots from here on hold entries without a placed birth year, and those filed after the
    /// build.
    undated_start: Slot,
    /// Slots in the build (for guessing where a slot sits in a list).
    built: Slot,
}

impl BirthOrder {
    /// The earliest birth year of `dobs`, when their years are narrow enough to place.
    fn placed_year(dobs: &[DateSpec]) -> Option<u16> {
        let (first, last) = dobs
            .iter()
            .map(DateSpec::year_range)
            .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))?;
        // (a year far outside the last thousand would stretch the table of starts)
        (last - first <= PLACED_SPAN && (1000..=3000).contains(&first)).then_some(first)
    }

    /// The order of `years` (each entry's [`Self::placed_year`], in input order), and the
    /// layout that order gives.
    fn of(years: &[Option<u16>]) -> (Vec<usize>, BirthOrder) {
        let mut order: Vec<usize> = (0..years.len()).collect();
        // stable: input order within a year, so that ties rank the same way on every build
        order.sort_by_key(|&i| years[i].unwrap_or(u16::MAX));
        let undated_start = years.iter().filter(|y| y.is_some()).count();
        let first_year = order.first().and_then(|&i| years[i]).unwrap_or(0);
        let last_year = undated_start
            .checked_sub(1)
            .and_then(|k| years[order[k]])
            .unwrap_or(0);
        let mut starts = Vec::new();
        let mut at = 0;
        if undated_start > 0 {
            for y in first_year..=last_year {
                while at < undated_start && years[order[at]].is_some_and(|e| e < y) {
                    at += 1;
                }
                starts.push(at as Slot);
            }
        }
        let layout = BirthOrder {
            first_year,
            starts: starts.into_boxed_slice(),
            undated_start: undated_start as Slot,
            built: order.len() as Slot,
        };
        (order, layout)
    }

    /// The first slot of the entries whose earliest birth year is `year` or later.
    fn start_of(&self, year: u16) -> Slot {
        match year.checked_sub(self.first_year) {
            None => 0,
            Some(k) => self
                .starts
                .get(usize::from(k))
                .copied()
                .unwrap_or(self.undated_start),
        }
    }

    /// The slot ranges, ascending and disjoint, whose entries a traveller born in `dob` may
    /// be (read a century earlier too when `century_ambiguous`); every entry outside them has
    /// dates that all contradict the traveller's.
    fn windows(&self, dob: PartialDate, century_ambiguous: bool) -> SmallVec<[(Slot, Slot); 3]> {
        let mut w: SmallVec<[(Slot, Slot); 3]> = SmallVec::new();
        let mut years: SmallVec<[u16; 2]> = SmallVec::new();
        if century_ambiguous && dob.year >= 1100 {
            years.push(dob.year - 100);
        }
        years.push(dob.year);
        for y in years {
            // an entry's dates allow y when its earliest year is at most y + MAX_SLACK and its
            // latest, at most PLACED_SPAN later, at least y - MAX_SLACK
            let from = y.saturating_sub(MAX_SLACK + PLACED_SPAN);
            let to = y.saturating_add(MAX_SLACK + 1);
            w.push((self.start_of(from), self.start_of(to)));
        }
        w.push((self.undated_start, Slot::MAX));
        let mut merged: SmallVec<[(Slot, Slot); 3]> = SmallVec::new();
        for (a, b) in w {
            if a >= b {
                continue;
            }
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        merged
    }
}

/// The first place in the ascending `list` whose slot is `target` or more. Slots of a long
/// list spread roughly evenly over the build's `built` slots, so the search starts where that
/// puts `target` and gallops outwards: a few reads near the answer where a binary search
/// over a list of thousands would miss the cache a dozen times.
fn lower_bound(list: &[Slot], target: Slot, built: Slot) -> usize {
    let n = list.len();
    if n <= 16 {
        return list.partition_point(|&s| s < target);
    }
    let guess = ((u64::from(target.min(built)) * n as u64) / u64::from(built.max(1))) as usize;
    let guess = guess.min(n - 1);
    // bracket [lo, hi) around the answer by doubling steps, then search inside it
    let (mut lo, mut hi);
    if list[guess] < target {
        lo = guess + 1;
        let mut step = 8;
        hi = (lo + step).min(n);
        while hi < n && list[hi - 1] < target {
            lo = hi;
            step *= 2;
            hi = (lo + step).min(n);
        }
    } else {
        hi = guess;
        let mut step = 8;
        lo = hi.saturating_sub(step);
        while lo > 0 && list[lo] >= target {
            hi = lo;
            step *= 2;
            lo = hi.saturating_sub(step);
        }
    }
    lo + list[lo..hi].partition_point(|&s| s < target)
}

/// A posting list as candidate generation reads it: the whole list, or the parts of it a
/// traveller's birth year allows ([`BirthOrder::windows`]).
#[derive(Default)]
struct Clipped<'a> {
    chunks: SmallVec<[&'a [Slot]; 2]>,
    /// Slots in `chunks`.
    len: usize,
}

impl<'a> Clipped<'a> {
    fn of(list: &'a [Slot], windows: Option<(&[(Slot, Slot)], Slot)>) -> Clipped<'a> {
        let mut c = Clipped::default();
        match windows {
            None => {
                if !list.is_empty() {
                    c.chunks.push(list);
                }
            }
            Some((w, built)) => {
                for &(a, b) in w {
                    let from = if a == 0 {
                        0
                    } else {
                        lower_bound(list, a, built)
                    };
                    let to = if b == Slot::MAX {
                        list.len()
                    } else {
                        lower_bound(list, b, built)
                    };
                    if from < to {
                        c.chunks.push(&list[from..to]);
                    }
                }
            }
        }
        c.len = c.chunks.iter().map(|l| l.len()).sum();
        c
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The sharded concurrent watchlist index.
pub struct Index {
    config: IndexConfig,
    /// How the build numbered the slots by birth year.
    births: BirthOrder,
    /// Swapped whole only when the lists filed since the build are merged into a new table;
    /// a traveller's lookups read one snapshot.
    postings: ArcSwap<Postings>,
    /// Held while entries are filed after the build, and while the postings are rebuilt, so
    /// that a rebuild loses no filing.
    filing: Mutex<()>,
    docs: DashMap<String, Vec<Slot>, FxBuildHasher>,
    /// Slot → what screening reads of it ([`SlotRecord`]); a slot past the end, not yet
    /// written or retired (`None`) has no entry.
    records: std::sync::RwLock<Vec<Option<SlotRecord>>>,
    /// Chosen by the build; empty for an index filed entry by entry.
    common: CommonParts,
    ids: DashMap<String, Slot, FxBuildHasher>,
    next_slot: AtomicU32,
    names: AtomicUsize,
    /// Slots with a record: read for every traveller, where counting the records would take
    /// their lock and read them all.
    live: AtomicUsize,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("stats", &self.stats())
            .finish()
    }
}

/// Folds the characters OCR and keyboards confuse in document numbers.
pub fn fold_document_number(number: &str) -> String {
    crate::model::document_number_bytes(number)
        .map(|c| char::from(crate::model::fold_document_byte(c)))
        .collect()
}

fn year_key(year: u16, block: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    0xB1u8.hash(&mut h);
    year.hash(&mut h);
    block.hash(&mut h);
    h.finish()
}

/// Birth years an entry allows, for year keys.
fn entry_years(dobs: &[DateSpec], max_span: u16) -> Vec<u16> {
    let mut years = Vec::new();
    for d in dobs {
        match *d {
            DateSpec::Exact(p) => years.push(p.year),
            DateSpec::Approximate(p) => years.extend([p.year - 1, p.year, p.year + 1]),
            DateSpec::Between { from, to } => {
                if to - from <= max_span {
                    years.extend(from..=to);
                } else {
                    years.extend([from, to]);
                }
            }
        }
    }
    years.sort_unstable();
    years.dedup();
    years
}

impl IndexedEntry {
    /// Splits the names of an entry into parts (original-script names included).
    pub fn new(entry: EntryRef) -> IndexedEntry {
        let mut names = Vec::new();
        let mut all_parts = Vec::new();
        let mut all_weights = Vec::new();
        for (i, n) in entry.names.iter().enumerate().take(u16::MAX as usize) {
            let parts = names::parts(&n.full);
            if parts.is_empty() {
                continue;
            }
            let (weights, surname_mask) = names::entry_weights(&n.full, &parts);
            names.push(IndexedName {
                name_index: i as u16,
                kind: n.kind,
                start: all_parts.len() as u32,
                len: parts.len() as u32,
                surname_mask,
            });
            all_parts.extend(parts);
            all_weights.extend(weights);
        }
        let fields = EntryFields {
            dobs: entry.dobs.iter().copied().collect(),
            nationalities: entry.nationalities.iter().copied().collect(),
            gender: entry.gender,
            documents: DocumentKey::all(&entry.documents),
        };
        IndexedEntry {
            entry,
            names: names.into_boxed_slice(),
            all_parts: all_parts.into_boxed_slice(),
            all_weights: all_weights.into_boxed_slice(),
            fields,
        }
    }

    /// The parts of one of this entry's names.
    pub fn parts(&self, n: &IndexedName) -> &[Part] {
        &self.all_parts[n.start as usize..(n.start + n.len) as usize]
    }

    /// The weights of [`Self::parts`].
    pub fn weights(&self, n: &IndexedName) -> &[f32] {
        &self.all_weights[n.start as usize..(n.start + n.len) as usize]
    }

    /// Only people are screened against travellers.
    pub fn is_person(&self) -> bool {
        self.entry.entity_type == EntityType::Individual
    }

    /// Every key this entry is filed under.
    fn keys(&self, config: &IndexConfig) -> Vec<u64> {
        let mut out: Vec<u64> = Vec::new();
        let years = entry_years(&self.entry.dobs, config.max_year_span);
        for n in &self.names {
            out.extend(names::name_keys(self.parts(n)).iter().map(|k| k.hash));
            for p in self.parts(n) {
                let read = names::read_block(p);
                for &y in &years {
                    out.push(year_key(y, names::block(p)));
                    if let Some(r) = &read {
                        out.push(year_key(y, r.as_bytes()));
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl Index {
    pub fn new(config: IndexConfig) -> Index {
        Index {
            config,
            births: BirthOrder::default(),
            postings: ArcSwap::from_pointee(Postings::new(FrozenPostings::empty())),
            filing: Mutex::new(()),
            docs: DashMap::with_hasher_and_shard_amount(FxBuildHasher, 64),
            records: Default::default(),
            common: CommonParts::default(),
            ids: DashMap::with_hasher_and_shard_amount(FxBuildHasher, 64),
            next_slot: AtomicU32::new(0),
            names: AtomicUsize::new(0),
            live: AtomicUsize::new(0),
        }
    }

    /// Builds an index over `entries` in parallel (rayon). Only individuals are filed.
    pub fn build(entries: Vec<EntryRef>, config: IndexConfig) -> Index {
        let mut index = Index::new(config);
        // Slots follow input order within a birth year (see [`BirthOrder`]; not thread
        // timing), so candidates and their ranking ties are the same on every build; as with
        // sequential upserts, the last entry with an id wins.
        let mut last: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, e) in entries.iter().enumerate() {
            last.insert(e.id.as_str(), i);
        }
        let keep: Vec<usize> = (0..entries.len())
            .filter(|&i| last.get(entries[i].id.as_str()) == Some(&i))
            .collect();
        drop(last);
        let years: Vec<Option<u16>> = keep
            .iter()
            .map(|&i| BirthOrder::placed_year(&entries[i].dobs))
            .collect();
        let (order, births) = BirthOrder::of(&years);
        drop(years);
        index.births = births;
        let n = keep.len();
        let building = Building {
            filed: DashMap::with_hasher_and_shard_amount(FxBuildHasher, 64),
            entries: (0..n).map(|_| std::sync::OnceLock::new()).collect(),
        };
        order.into_par_iter().enumerate().for_each(|(slot, k)| {
            let i = keep[k];
            index.insert_at(slot as Slot, entries[i].clone(), Some(&building));
        });
        let Building {
            filed,
            entries: built,
        } = building;
        drop(entries);
        index.next_slot.store(n as Slot, Ordering::Relaxed);
        // posting lists grew by doubling; freezing them gives the slack back
        index.docs.iter_mut().for_each(|mut v| v.shrink_to_fit());
        index
            .postings
            .store(Arc::new(Postings::new(FrozenPostings::from_map(filed))));
        let built: Vec<Option<Arc<IndexedEntry>>> = built
            .into_iter()
            .map(std::sync::OnceLock::into_inner)
            .collect();
        index.common = CommonParts::choose(
            built
                .par_iter()
                .flatten()
                .flat_map_iter(|e| e.all_parts.iter()),
            &index.postings.load(),
            index.config.max_confirm_posting,
        );
        // recorded in one pass here rather than under the write lock per entry
        let common = &index.common;
        let records = built
            .into_par_iter()
            .map(|e| e.map(|e| SlotRecord::of(e, common)))
            .collect();
        *index.write_records() = records;
        index
    }

    pub fn config(&self) -> &IndexConfig {
        &self.config
    }

    /// Adds or replaces an entry (by id). Entries that are not individuals are ignored and
    /// `false` returned.
    ///
    /// Its keys go to the lists filed since the build, which every lookup then reads too; when
    /// those grow past [`IndexConfig::max_delta_postings`], all lists are frozen into a new
    /// table (the caller waits; screening does not).
    pub fn upsert(&self, entry: EntryRef) -> bool {
        let slot = self.next_slot.fetch_add(1, Ordering::Relaxed);
        let filed = self.insert_at(slot, entry, None);
        if self.delta_too_large() {
            let _filing = self.filing.lock().unwrap_or_else(|p| p.into_inner());
            // another writer may have refrozen meanwhile
            if self.delta_too_large() {
                self.refreeze();
            }
        }
        filed
    }

    fn delta_too_large(&self) -> bool {
        let p = self.postings.load();
        let d = p.delta_postings();
        d > self.config.max_delta_postings && d > p.frozen.postings() / 16
    }

    /// Freezes every list, leaving out retired slots. The caller holds `filing`, so no entry
    /// is being filed meanwhile.
    fn refreeze(&self) {
        let live = self.live_slots();
        let p = self.postings.load_full().rebuilt(|s| live.holds(s));
        self.postings.store(Arc::new(p));
    }

    /// Which slots hold an entry, one bit each, as they stand now; slots filed after this
    /// count as live.
    fn live_slots(&self) -> LiveSlots {
        let records = self.records();
        let mut bits = vec![0u64; records.len().div_ceil(64)];
        for (s, r) in records.iter().enumerate() {
            if r.is_some() {
                bits[s >> 6] |= 1 << (s & 63);
            }
        }
        LiveSlots {
            bits,
            len: records.len(),
        }
    }

    /// Files `entry` in `slot`: its keys and entry into `build` when the index is being built
    /// (which records all entries at the end), else into the lists filed since and the
    /// slot's record.
    fn insert_at(&self, slot: Slot, entry: EntryRef, build: Option<&Building>) -> bool {
        let ie = IndexedEntry::new(entry);
        if !ie.is_person() || ie.names.is_empty() {
            // a replaced person that became something else leaves the index
            self.delete(&ie.entry.id);
            return false;
        }
        let keys = ie.keys(&self.config);
        // held until the entry is published: a refreeze that saw the keys but not the entry
        // would drop them as a retired slot's
        let _filing = build
            .is_none()
            .then(|| self.filing.lock().unwrap_or_else(|p| p.into_inner()));
        match build {
            Some(b) => {
                for &k in &keys {
                    b.filed.entry(k).or_default().push(slot);
                }
            }
            None => self.postings.load().add(slot, &keys),
        }
        for d in &ie.fields.documents {
            self.docs
                .entry(d.folded_text().to_owned())
                .or_default()
                .push(slot);
        }
        self.names.fetch_add(ie.names.len(), Ordering::Relaxed);
        let id = ie.entry.id.clone();
        let ie = Arc::new(ie);
        match build {
            // each slot is filed once
            Some(b) => drop(b.entries[slot as usize].set(ie)),
            None => {
                let mut records = self.write_records();
                let i = slot as usize;
                if records.len() <= i {
                    records.resize(i + 1, None);
                }
                records[i] = Some(SlotRecord::of(ie, &self.common));
            }
        }
        self.live.fetch_add(1, Ordering::Relaxed);
        // Publish the id last: a reader that sees the new slot sees a complete entry.
        if let Some(old) = self.ids.insert(id, slot) {
            self.retire(old);
        }
        true
    }

    /// Removes an entry by id; `true` if it was there.
    pub fn delete(&self, id: &str) -> bool {
        match self.ids.remove(id) {
            Some((_, slot)) => {
                self.retire(slot);
                true
            }
            None => false,
        }
    }

    fn retire(&self, slot: Slot) {
        let retired = self
            .write_records()
            .get_mut(slot as usize)
            .and_then(Option::take);
        if let Some(r) = retired {
            self.live.fetch_sub(1, Ordering::Relaxed);
            self.names.fetch_sub(r.entry.names.len(), Ordering::Relaxed);
        }
    }

    /// Drops postings of retired slots (after many live deletes) and freezes the lists filed
    /// since the build. Readers keep working meanwhile, on the old lists until the new ones are
    /// swapped in.
    pub fn compact(&self) {
        {
            let _filing = self.filing.lock().unwrap_or_else(|p| p.into_inner());
            self.refreeze();
        }
        let live = self.live_slots();
        self.docs.retain(|_, v| {
            v.retain(|&s| live.holds(s));
            !v.is_empty()
        });
    }

    pub fn len(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, id: &str) -> Option<Arc<IndexedEntry>> {
        let slot = *self.ids.get(id)?;
        let records = self.records();
        Some(records.get(slot as usize)?.as_ref()?.entry.clone())
    }

    /// Runs `f` on the entry in `slot` under the records' read lock (no reference count is
    /// taken; `f` must not file or delete entries); `None` when the slot was retired.
    pub fn with_entry<R>(&self, slot: Slot, f: impl FnOnce(&IndexedEntry) -> R) -> Option<R> {
        let records = self.records();
        Some(f(&records.get(slot as usize)?.as_ref()?.entry))
    }

    /// The [`SlotRecord`] of every slot, for the duration of one traveller's scoring (writers,
    /// filing or retiring entries, wait for it).
    pub fn records(&self) -> std::sync::RwLockReadGuard<'_, Vec<Option<SlotRecord>>> {
        self.records.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_records(&self) -> std::sync::RwLockWriteGuard<'_, Vec<Option<SlotRecord>>> {
        self.records.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Every live entry (for brute-force comparison and stats).
    pub fn all(&self) -> Vec<Arc<IndexedEntry>> {
        self.records()
            .iter()
            .flatten()
            .map(|r| r.entry.clone())
            .collect()
    }

    pub fn stats(&self) -> IndexStats {
        let counts = self.postings.load().counts();
        IndexStats {
            entries: self.len(),
            names: self.names.load(Ordering::Relaxed),
            keys: counts.0,
            postings: counts.1,
        }
    }

    /// How many entries share this exact canonical part (its document frequency).
    pub fn part_frequency(&self, p: &Part) -> usize {
        if p.vowelless {
            return 0;
        }
        self.postings.load().len_of(names::exact_key(p).hash)
    }

    /// Proposes up to `limit` candidates for a traveller, best evidence first.
    pub fn candidates(&self, probe: &Probe<'_>, limit: usize) -> Vec<Candidate> {
        self.candidates_ranked(probe, limit, limit)
    }

    /// The candidates of [`Self::candidates`], of which only the first `sorted` are in order;
    /// the others all rank below them, in no particular order (sort them by
    /// [`Candidate::order_key`] when they are needed). Screening scores the first few and most
    /// often stops there.
    pub fn candidates_ranked(
        &self,
        probe: &Probe<'_>,
        limit: usize,
        sorted: usize,
    ) -> Vec<Candidate> {
        self.candidates_in(&self.records(), probe, limit, sorted)
    }

    /// [`Self::candidates_ranked`] for a caller that holds the records' read guard
    /// ([`Self::records`]): the index reads them too, and a second read lock taken by one
    /// thread could wait for a writer queued behind its first.
    pub fn candidates_in(
        &self,
        records: &[Option<SlotRecord>],
        probe: &Probe<'_>,
        limit: usize,
        sorted: usize,
    ) -> Vec<Candidate> {
        thread_local! {
            // reused between travellers: the accumulator reaches thousands of slots
            static DENSE: std::cell::RefCell<DenseEvidence> = Default::default();
            static SPARSE: std::cell::RefCell<SparseEvidence> = Default::default();
        }
        let slots = self.next_slot.load(Ordering::Relaxed) as usize;
        if slots <= DENSE_SLOTS {
            DENSE.with(|acc| {
                let mut acc = acc.borrow_mut();
                acc.prepare(slots);
                self.candidates_with(records, probe, limit, sorted, &mut *acc)
            })
        } else {
            SPARSE.with(|acc| {
                let mut acc = acc.borrow_mut();
                acc.prepare(slots);
                self.candidates_with(records, probe, limit, sorted, &mut *acc)
            })
        }
    }

    fn candidates_with(
        &self,
        records: &[Option<SlotRecord>],
        probe: &Probe<'_>,
        limit: usize,
        sorted: usize,
        acc: &mut impl Evidence,
    ) -> Vec<Candidate> {
        let cfg = &self.config;
        let postings = self.postings.load();
        let parts = &probe.parts[..probe.parts.len().min(32)];
        let nparts = parts.len();
        // every key of the traveller first: part keys part by part, then glued pairs, pairs,
        // birth years
        let mut keys: Vec<NameKey> = Vec::with_capacity(128);
        let mut part_end: SmallVec<[usize; 16]> = SmallVec::new();
        let mut tmp: Vec<NameKey> = Vec::with_capacity(64);
        for p in parts {
            // (a part's keys come sorted and deduplicated among themselves)
            tmp.clear();
            names::probe_part_keys(p, &mut tmp);
            keys.extend_from_slice(&tmp);
            part_end.push(keys.len());
        }
        let mut glued_end: SmallVec<[usize; 16]> = SmallVec::new();
        for i in 0..nparts.saturating_sub(1) {
            names::probe_glued_keys(&parts[i], &parts[i + 1], &mut keys);
            glued_end.push(keys.len());
        }
        let pair_start = keys.len();
        names::pair_keys(parts, &mut keys);
        let mut pair_masks = pair_bit_masks(nparts);
        names::read_pair_keys(parts, |k, m| {
            keys.push(k);
            pair_masks.push(m);
        });
        let year_start = keys.len();
        // birth-year keys have no name-key kind: only their hashes follow the name keys'
        let mut hashes: Vec<u64> = keys.iter().map(|k| k.hash).collect();
        let mut years: SmallVec<[u16; 6]> = SmallVec::new();
        // the query part of each birth-year key
        let mut year_bits: SmallVec<[u32; 32]> = SmallVec::new();
        if let Some(dob) = probe.dob {
            years.extend([dob.year - 1, dob.year, dob.year + 1]);
            if probe.dob_century_ambiguous && dob.year > 1100 {
                years.extend([dob.year - 101, dob.year - 100, dob.year - 99]);
            }
            for (i, p) in parts.iter().enumerate() {
                let read = names::read_block(p);
                for b in std::iter::once(names::block(p)).chain(read.as_deref().map(str::as_bytes))
                {
                    hashes.extend(years.iter().map(|&y| year_key(y, b)));
                    year_bits.extend(years.iter().map(|_| 1u32 << i));
                }
            }
        }
        let mut merged = Vec::new();
        let full = postings.lookup_all(hashes.iter().copied(), &mut merged);
        let windows = match probe.dob {
            Some(dob) if probe.births_decide => {
                Some(self.births.windows(dob, probe.dob_century_ambiguous))
            }
            _ => None,
        };
        let part_keys = part_end.last().copied().unwrap_or(0);
        let lists: Vec<Clipped<'_>> = full
            .iter()
            .enumerate()
            .map(|(j, l)| {
                // a part key too common even to confirm is never read: its clipping (a
                // search or three into a long list, the first read a cache miss) is skipped;
                // the empty list it gets instead is passed over before the few-born-near test
                if j < part_keys && l.len() > confirm_cap(cfg, keys[j].kind) {
                    return Clipped::default();
                }
                Clipped::of(l, windows.as_deref().map(|w| (w, self.births.built)))
            })
            .collect();
        let mut deferred: SmallVec<[(usize, u32, f32); 16]> = SmallVec::new();
        // the parts whose exact list is too long to read even to confirm, or empty
        let mut unread_exact = 0u32;
        // the parts some list of their own proposed from
        let mut proposing = 0u32;
        // per part, the strongest key decides the part's evidence: keys are applied strongest
        // first, and a part already hit by a stronger key adds nothing more
        let mut weighted: Vec<(f32, usize, usize, KeyKind)> = Vec::with_capacity(64);
        // a key's weight grows as fewer entries share it
        let rarity = |n: usize| (1.0 + (cfg.max_posting as f32 / n as f32).ln()).max(LEAST_RARITY);
        let mut from = 0;
        for (i, &end) in part_end.iter().enumerate() {
            let bit = 1u32 << i;
            weighted.clear();
            // the part written as the traveller writes it is the best evidence for it: a variant
            // key whose list is short (a rare spelling: ABOU for a common ABU) weighs no more
            // than the exact key does, or entries spelt unusually would rank above exact ones
            // (how common a key is, and whether it proposes or only confirms: its whole list;
            // what is read of it: the part the birth year allows)
            let exact = names::exact_key(&parts[i]).hash;
            let exact_j = (from..end).find(|&j| keys[j].hash == exact && !full[j].is_empty());
            let cap = exact_j.map_or(f32::INFINITY, |j| rarity(full[j].len()));
            if exact_j.is_none_or(|j| full[j].len() > cfg.max_confirm_posting) {
                unread_exact |= bit;
            }
            for j in from..end {
                let n = full[j].len();
                if lists[j].is_empty() {
                    continue;
                }
                let k = keys[j];
                let w = match k.kind {
                    KeyKind::Exact => 1.0,
                    KeyKind::Skeleton | KeyKind::HSkeleton => 0.8,
                    KeyKind::Prefix => 0.5,
                    _ => 0.6,
                } * rarity(n);
                weighted.push((w.min(cap), j, n, k.kind));
            }
            from = end;
            weighted.sort_unstable_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then(keys[a.1].hash.cmp(&keys[b.1].hash))
            });
            for &(w, j, n, kind) in &weighted {
                let cap = if kind == KeyKind::Exact {
                    cfg.max_posting
                } else {
                    cfg.max_variant_posting
                };
                // a list too long to propose from is so by its whole length: read only in the
                // ranges a birth year allows, a common name would propose thousands of
                // namesakes born near the traveller, all of them weak (measured: at 1M entries
                // 1.4 times the time per traveller, for 6% more matches)
                let few_born_near = windows.is_some() && lists[j].len <= FEW_BORN_NEAR;
                if n > cap && !few_born_near {
                    // too common to propose anyone, but it may confirm a part of an entry that
                    // other keys propose (AHAD ~ AHMAD beside an exact ALI), unless it is too long
                    // even for that ([`confirm_cap`])
                    if n <= confirm_cap(cfg, kind) {
                        deferred.push((j, bit, w));
                    }
                    continue;
                }
                let rare = n <= cfg.rare_posting || few_born_near;
                proposing |= bit;
                for_each_slot(acc, &lists[j], |a| {
                    a.hit_part(bit, w);
                    a.rare |= rare;
                });
            }
        }
        // adjacent parts glued: the entry may write them as one part
        let mut from = part_end.last().copied().unwrap_or(0);
        for (i, &end) in glued_end.iter().enumerate() {
            let bits = 0b11u32 << i;
            for list in &lists[from..end] {
                if list.is_empty() || list.len > cfg.max_variant_posting {
                    continue;
                }
                let rare = list.len <= cfg.rare_posting;
                for_each_slot(acc, list, |a| {
                    a.mask |= bits;
                    a.evidence += 1.0;
                    a.rare |= rare;
                });
            }
            from = end;
        }
        // pairs of parts: selective even when each part alone is common
        for (list, m) in lists[pair_start..year_start].iter().zip(pair_masks.iter()) {
            if list.len > cfg.max_pair_posting {
                continue;
            }
            for_each_slot(acc, list, |a| {
                a.mask |= m;
                a.evidence += 0.5;
            });
        }
        // birth year × part
        if !years.is_empty() {
            for (list, &bit) in lists[year_start..].iter().zip(&year_bits) {
                if list.len > cfg.max_variant_posting {
                    continue;
                }
                for_each_slot(acc, list, |a| {
                    a.mask |= bit;
                    a.dob = true;
                    a.evidence += 0.3;
                });
            }
        }
        for d in probe.documents {
            if let Some(list) = self.docs.get(d.folded_text()) {
                for &s in list.iter() {
                    let a = acc.at(s);
                    a.doc = true;
                    a.evidence += 10.0;
                }
            }
        }
        // two parts each too common to propose from, spelt close to an entry's (KHAN NADEEM ~
        // NAEEM KHAN: KHAN and NADEEM's deletion NAEEM are each in thousands of entries, and the
        // pair key of the skeletons differs): the entries both parts' close keys reach are
        // proposed for one part, and confirmation adds the other
        let across: SmallVec<[(usize, u32, f32); 16]> = deferred
            .iter()
            .filter(|&&(j, _, _)| matches!(keys[j].kind, KeyKind::Exact | KeyKind::TextDeletion))
            .copied()
            .collect();
        let across_parts = across.iter().fold(0u32, |m, c| m | c.1);
        if across_parts.count_ones() >= 2
            && across.iter().map(|c| lists[c.0].len).sum::<usize>() <= cfg.max_across_postings
        {
            propose_across(acc, &across, &lists, across_parts);
        }
        // a part of one of the forms as common as MUHAMMAD's (MHMD), written so (or so
        // unusually, MOHAAMAD) that no list of its exact text can be read, is told apart in
        // each proposed entry by the entry's record ([`CommonParts`]): credited, as much as a
        // list that long weighs, where the entry has the form (MOHAMED, MAHMOUD), and where
        // only a looser key reached it (a pair's plain skeleton MD, also AHMAD's and HAMID's;
        // a prefix) ranked as without it (still picked as with it). (Every part of such a
        // form, HASAN's HSN among them, would cost a fifth of the time at 1M for 6 more hits.)
        let unread: SmallVec<[(u32, u32); 4]> = if self.common.bits.is_empty() {
            SmallVec::new()
        } else {
            (0..nparts)
                .filter(|&i| unread_exact & (1 << i) != 0)
                .filter_map(|i| {
                    let form = self.common.of_part(&parts[i]);
                    (form != 0).then_some((1u32 << i, form))
                })
                .collect()
        };
        // a part that proposed nothing of its own, beside a part of a common form (AHMAD
        // CHEEAA ~ AHMAD CHEEMA: CHEEAA's one-deletion CHEEA is in 540 entries, AHMAD's exact
        // list in tens of thousands): each entry of its confirming lists whose record holds
        // the other part's form is proposed for it, when those lists are short enough to read
        // record by record
        // the common forms a slot's entry has, and its record asked for ahead
        let common = |s: Slot| {
            records
                .get(s as usize)
                .and_then(Option::as_ref)
                .map_or(0, |r| r.common)
        };
        let prefetch_record = |s: Slot| {
            if let Some(r) = records.get(s as usize) {
                prefetch(r);
            }
        };
        let mut lonely: SmallVec<[(usize, u32, f32); 8]> = SmallVec::new();
        if !unread.is_empty() {
            lonely.extend(
                deferred
                    .iter()
                    .filter(|&&(_, bit, _)| proposing & bit == 0)
                    .filter(|&&(_, bit, _)| unread.iter().any(|&(b, _)| b != bit))
                    .copied(),
            );
            // the strongest lists first, as many as the budget reads
            lonely.sort_unstable_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
            let mut budget = CROSS_RECORDS;
            lonely.retain(|c| {
                let n = lists[c.0].len;
                let keep = n <= budget;
                if keep {
                    budget -= n;
                }
                keep
            });
        }
        for &(j, bit, w) in &lonely {
            // the forms of the other common parts
            let others = unread
                .iter()
                .filter(|&&(b, _)| b != bit)
                .fold(0u32, |m, &(_, f)| m | f);
            for chunk in &lists[j].chunks {
                for (k, &s) in chunk.iter().enumerate() {
                    if let Some(&a) = chunk.get(k + PLACE_AHEAD) {
                        prefetch_record(a);
                    }
                    if common(s) & others != 0 {
                        acc.at(s).hit_part(bit, w);
                    }
                }
            }
        }
        // common keys only confirm parts of entries already proposed, strongest first
        deferred.sort_unstable_by(|a, b| {
            b.2.total_cmp(&a.2)
                .then(keys[a.0].hash.cmp(&keys[b.0].hash))
        });
        if !deferred.is_empty() && !acc.is_empty() {
            acc.confirm(
                deferred
                    .iter()
                    .flat_map(|&(j, bit, w)| lists[j].chunks.iter().map(move |&l| (l, bit, w))),
            );
        }
        if !unread.is_empty() && !acc.is_empty() {
            acc.visit(prefetch_record, |s, a| {
                let held = common(s);
                for &(bit, form) in &unread {
                    if held & form != 0 {
                        a.hit_part(bit, LEAST_RARITY);
                    } else if a.mask & bit != 0 {
                        a.evidence -= PART_RANK;
                    }
                }
            });
        }
        pick(acc, nparts, limit, sorted)
    }
}

/// What the commonest key weighs for its part, however long its list (see `rarity` in
/// `Index::candidates_with`).
const LEAST_RARITY: f32 = 0.2;

/// The most postings of lists that only confirm read record by record to cross them with a
/// part of a common form (see `Index::candidates_with`).
const CROSS_RECORDS: usize = 2_000;

/// What each query part a key reached adds to a candidate's rank in [`pick`], beside the
/// evidence; a part ranked as missing (see [`CommonParts`]) takes it back from the evidence.
const PART_RANK: f32 = 2.0;

/// A list too common to propose from still proposes the entries a traveller's birth year
/// allows when they are at most this many (AHMAD CHEEAA, born 1944: CHEEAA's deletion key
/// CHEEA is shared by 540 entries, 56 of them born near 1944, one of them AHMAD CHEEMA).
const FEW_BORN_NEAR: usize = 64;

/// The longest list of a part key of `kind` that confirms parts of proposed entries (longer
/// ones are not read at all): the deletions of an h-skeleton are loose enough that only
/// shorter lists are worth reading.
fn confirm_cap(cfg: &IndexConfig, kind: KeyKind) -> usize {
    if kind == KeyKind::HSkeletonDeletion {
        cfg.max_posting
    } else {
        cfg.max_confirm_posting
    }
}

/// How many slots of a list ahead of the one being added the accumulator's memory for it is
/// asked for: a list's slots are far apart in a large index, so each is a cache miss, and
/// asked for early they overlap.
const PLACE_AHEAD: usize = 16;

/// Runs `f` on the evidence of every slot of `list`, in order.
#[inline]
fn for_each_slot(acc: &mut impl Evidence, list: &Clipped<'_>, mut f: impl FnMut(&mut Acc)) {
    for chunk in &list.chunks {
        for (k, &s) in chunk.iter().enumerate() {
            if let Some(&a) = chunk.get(k + PLACE_AHEAD) {
                acc.prefetch(a);
            }
            f(acc.at(s));
        }
    }
}

/// The candidates of a filled accumulator, best first (see [`Index::candidates_ranked`]).
fn pick(acc: &mut impl Evidence, nparts: usize, limit: usize, sorted: usize) -> Vec<Candidate> {
    // at least one part hit, and for a traveller of two parts or more at least two: tested
    // without counting the bits, which (the build targets any x86-64, without `popcnt`) takes a
    // dozen instructions, for the few hundred slots a traveller touches; only the picked ones
    // are counted
    let one_part_enough = nparts < 2;
    // (never below zero: a part ranked as missing took its PART_RANK from the evidence)
    let rank = |a: &Acc| (a.evidence + a.mask.count_ones() as f32 * PART_RANK).max(0.0);
    let mut picked: Vec<(u64, Slot, Acc)> = Vec::new();
    acc.drain(|s, a| {
        let some = a.mask != 0;
        let two = a.mask & a.mask.wrapping_sub(1) != 0;
        if a.doc || nparts == 0 || two || (some && (one_part_enough || a.rare || a.dob)) {
            picked.push((order_key(a.doc, rank(&a), s), s, a));
        }
    });
    if picked.len() > limit && limit > 0 {
        picked.select_nth_unstable_by_key(limit - 1, |c| c.0);
        picked.truncate(limit);
    }
    let sorted = sorted.min(picked.len());
    if sorted > 0 && sorted < picked.len() {
        picked.select_nth_unstable_by_key(sorted - 1, |c| c.0);
    }
    picked[..sorted].sort_unstable_by_key(|c| c.0);
    // entries are not resolved here: a million-entry array is a cache miss per lookup, and
    // most candidates past the first few are never scored
    picked
        .into_iter()
        .take(limit)
        .map(|(_, slot, a)| Candidate {
            slot,
            parts_hit: a.mask,
            document_hit: a.doc,
            dob_hit: a.dob,
            evidence: rank(&a),
        })
        .collect()
}

/// Proposes, for its part, each slot of the `across` lists that a list of another of
/// `parts` holds too (a slot in the lists of parts 0 and 1 is proposed for one of them; the
/// confirmation that follows adds the other where it is true, so a filter's false positive
/// costs only a touch). The part with the most postings is only tested against the others,
/// never filed in the filter.
fn propose_across(
    acc: &mut impl Evidence,
    across: &[(usize, u32, f32)],
    lists: &[Clipped<'_>],
    parts: u32,
) {
    thread_local! {
        static FILTER: std::cell::RefCell<AcrossFilter> = Default::default();
    }
    let mut per_part = [0usize; 32];
    for &(j, bit, _) in across {
        per_part[bit.trailing_zeros() as usize] += lists[j].len;
    }
    let largest = (0..32).max_by_key(|&p| per_part[p]).unwrap_or(0);
    let filed = parts & !(1u32 << largest);
    FILTER.with(|f| {
        let mut f = f.borrow_mut();
        let each_filed = |f: &mut AcrossFilter, g: fn(&mut AcrossFilter, Slot, u32)| {
            for &(j, bit, _) in across.iter().filter(|c| c.1 & filed != 0) {
                let part = bit.trailing_zeros();
                for chunk in &lists[j].chunks {
                    for &s in chunk.iter() {
                        g(f, s, part);
                    }
                }
            }
        };
        each_filed(&mut f, AcrossFilter::insert);
        for &(j, bit, w) in across {
            let others = filed & !bit;
            for chunk in &lists[j].chunks {
                for &s in chunk.iter() {
                    let mut m = others;
                    while m != 0 {
                        if f.may_contain(s, m.trailing_zeros()) {
                            acc.at(s).hit_part(bit, w);
                            break;
                        }
                        m &= m - 1;
                    }
                }
            }
        }
        each_filed(&mut f, AcrossFilter::clear);
    });
}

/// A one-hash Bloom filter over (slot, query part) pairs, of `WORDS` 64-bit words (a power of
/// two).
struct SlotPartFilter<const WORDS: usize> {
    bits: Box<[u64; WORDS]>,
}

/// [`Evidence::confirm`]'s filter of the (proposed slot, query part) pairs that lack the
/// part: 2^17 bits (16 KiB), so that a traveller's few thousand pairs leave most bits clear
/// and a test is one load from the L1 cache.
type LackingFilter = SlotPartFilter<2048>;

/// [`propose_across`]'s filter: 2^20 bits (128 KiB, the L2 cache), for the tens of
/// thousands of pairs it files; cleared by the caller pair by pair.
type AcrossFilter = SlotPartFilter<16384>;

impl<const WORDS: usize> Default for SlotPartFilter<WORDS> {
    fn default() -> Self {
        let bits = vec![0u64; WORDS].into_boxed_slice();
        SlotPartFilter {
            bits: bits.try_into().expect("WORDS words"),
        }
    }
}

impl<const WORDS: usize> SlotPartFilter<WORDS> {
    #[inline]
    fn bit(s: Slot, part: u32) -> usize {
        // Fibonacci hashing: neighbouring slots land far apart; the part (< 32) in the top
        // bits; the top log2(WORDS) + 6 bits of the product pick the bit
        let shift = 26 - WORDS.trailing_zeros();
        ((s ^ (part << 27)).wrapping_mul(0x9E37_79B9) >> shift) as usize
    }

    #[inline]
    fn insert(&mut self, s: Slot, part: u32) {
        let b = Self::bit(s, part);
        self.bits[b >> 6] |= 1 << (b & 63);
    }

    /// Clears the word holding the pair's bit (and so the bits of whatever pairs share it).
    #[inline]
    fn clear(&mut self, s: Slot, part: u32) {
        self.bits[Self::bit(s, part) >> 6] = 0;
    }

    #[inline]
    fn may_contain(&self, s: Slot, part: u32) -> bool {
        let b = Self::bit(s, part);
        self.bits[b >> 6] & (1 << (b & 63)) != 0
    }
}

/// The query-part bits of each pair key, in the order `names::pair_keys` emits them.
fn pair_bit_masks(n: usize) -> Vec<u32> {
    let n = n.min(8);
    let mut v = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            v.push((1 << i) | (1 << j));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WatchlistEntry;

    fn entry(id: &str, names: &[&str], dob: Option<&str>) -> EntryRef {
        Arc::new(WatchlistEntry {
            dobs: dob.map(|d| d.parse().unwrap()).into_iter().collect(),
            ..WatchlistEntry::person(id, "t", names)
        })
    }

    /// An index where a single-part hit never makes a candidate on its own.
    fn strict_index(entries: Vec<EntryRef>) -> Index {
        Index::build(
            entries,
            IndexConfig {
                rare_posting: 0,
                ..IndexConfig::default()
            },
        )
    }

    fn probe_ids(ix: &Index, name: &str, dob: Option<&str>) -> Vec<String> {
        let parts = names::parts(name);
        let probe = Probe {
            parts: &parts,
            dob: dob.map(|d| d.parse().unwrap()),
            ..Default::default()
        };
        ix.candidates(&probe, 50)
            .into_iter()
            .filter_map(|c| ix.with_entry(c.slot, |e| e.entry.id.clone()))
            .collect()
    }

    #[test]
    fn finds_variants_and_order_swaps() {
        let ix = Index::build(
            vec![
                entry("a", &["Rami Makhlouf"], None),
                entry("b", &["John Smith"], None),
            ],
            IndexConfig::default(),
        );
        assert_eq!(probe_ids(&ix, "MAKHLUF RAMI", None), ["a"]);
        assert!(probe_ids(&ix, "PETER OKONKWO", None).is_empty());
    }

    #[test]
    fn a_part_read_with_its_interdentals_finds_pairs_and_birth_years_written_with_sibilants() {
        // every part list too long to propose from and no list read to confirm: only pair and
        // birth-year keys propose
        let config = IndexConfig {
            max_posting: 5,
            max_variant_posting: 5,
            max_pair_posting: 5,
            max_confirm_posting: 0,
            rare_posting: 0,
            ..IndexConfig::default()
        };
        let mut entries = vec![
            entry("pair", &["Mohamed Osman"], None),
            entry("year", &["Kazim Hussain"], Some("1970")),
            entry("th", &["Othman Ali"], Some("1980")),
        ];
        for i in 0..10 {
            let tag = letters(i);
            for name in ["Osman", "Mohamed", "Kazim", "Ali"] {
                entries.push(entry(
                    &format!("{name}{i}"),
                    &[&format!("{name} {tag}")],
                    None,
                ));
            }
        }
        let ix = Index::build(entries, config);
        // OTHMAN read is OSMAN, KADHIM read is KAZIM
        assert_eq!(probe_ids(&ix, "OTHMAN MOHAMED", None), ["pair"]);
        assert_eq!(probe_ids(&ix, "KADHIM BAKR", Some("1970")), ["year"]);
        // and the other way round: an entry is filed under its reading
        assert_eq!(probe_ids(&ix, "OSMAN ALI", None), ["th"]);
        assert_eq!(probe_ids(&ix, "OSMAN BAKR", Some("1980")), ["th"]);
    }

    #[test]
    fn two_common_parts_each_spelt_one_letter_off_find_the_entry_they_share() {
        // KHAN and NAEEM (a deletion of NADEEM) are each too common to propose from, and the
        // pair key of the two skeletons (KHN + NDM against KHN + NM) differs: only the entries
        // both parts' close keys hold are proposed
        let config = IndexConfig {
            max_posting: 5,
            max_variant_posting: 5,
            max_pair_posting: 5,
            rare_posting: 0,
            ..IndexConfig::default()
        };
        let mut entries = vec![entry("naeem-khan", &["Naeem Khan"], None)];
        for i in 0..10 {
            let tag = letters(i);
            entries.push(entry(&format!("k{i}"), &[&format!("Khan {tag}")], None));
            entries.push(entry(&format!("n{i}"), &[&format!("Naeem {tag}")], None));
        }
        let ix = Index::build(entries.clone(), config);
        assert_eq!(probe_ids(&ix, "KHAN NADEEM", None), ["naeem-khan"]);
        assert_eq!(probe_ids(&ix, "NADEEM KHAN", Some("1970")), ["naeem-khan"]);
        // without the crossing, no key proposes it
        let ix = Index::build(
            entries,
            IndexConfig {
                max_across_postings: 0,
                ..config
            },
        );
        assert!(probe_ids(&ix, "KHAN NADEEM", None).is_empty());
    }

    #[test]
    fn a_part_too_common_to_read_is_told_apart_by_the_entry_record() {
        // MUHAMMAD's lists are too long to read even to confirm; the pair key of the
        // skeletons (MD, DRWS) also holds AHMAD and HAMID: without the records' common forms,
        // AHMAD DARWISH (exact DARWISH) outranks MUHAMMAD DARWEESH
        let config = common_parts_config();
        let mut entries = vec![
            entry("mu", &["Muhammad Darweesh"], None),
            entry("ma", &["Mahmoud Darweesh"], None),
        ];
        for i in 0..3 {
            entries.push(entry(&format!("ad{i}"), &["Ahmad Darwish"], None));
            entries.push(entry(&format!("aw{i}"), &["Ahmad Darweesh"], None));
            entries.push(entry(&format!("hw{i}"), &["Hamid Darweesh"], None));
        }
        entries.extend(namesakes("q", "Muhammad", 20));
        let ix = Index::build(entries, config);
        let ids = probe_ids(&ix, "DARWISH MUHAMMAD", None);
        // MAHMOUD shares MUHAMMAD's skeleton with h (MHMD); AHMAD and HAMID (HMD) do not
        assert_eq!(ids[..2], ["mu", "ma"]);
        assert_eq!(ids.len(), 11, "all still proposed: {ids:?}");
        // an entry filed after the build is told apart the same way
        ix.upsert(entry("mu2", &["Mohamed Darweesh"], None));
        let ids = probe_ids(&ix, "DARWISH MUHAMMAD", None);
        assert_eq!(ids[..3], ["mu", "ma", "mu2"]);
    }

    #[test]
    fn a_misspelt_part_whose_lists_only_confirm_is_crossed_with_a_common_part_record() {
        // AHMAD is too common to read; CHEEAA has no list of its own, and its one-deletion
        // CHEEA (CHEEMA's too) only confirms: nothing proposes AHMAD CHEEMA but the records
        let config = common_parts_config();
        let mut entries = vec![entry("ac", &["Ahmad Cheema"], None)];
        for i in 0..8 {
            entries.push(entry(&format!("rc{i}"), &["Rana Cheema"], None));
        }
        entries.extend(namesakes("a", "Ahmad", 20));
        let ix = Index::build(entries, config);
        assert_eq!(probe_ids(&ix, "AHMAD CHEEAA", None), ["ac"]);
        // as long as the part's confirming lists fit the records budget: CHEEA's list with
        // CROSS_RECORDS entries does, one more does not (AHMAD still too common to read; no
        // namesake's made-up part shares CHEEAA's plain skeleton K)
        let config = IndexConfig {
            max_confirm_posting: 2 * CROSS_RECORDS,
            ..config
        };
        for (others, found) in [(CROSS_RECORDS - 1, true), (CROSS_RECORDS, false)] {
            let mut entries = vec![entry("ac", &["Ahmad Cheema"], None)];
            entries.extend((0..others).map(|i| entry(&format!("rc{i}"), &["Rana Cheema"], None)));
            entries.extend(namesakes("a", "Ahmad", 2 * CROSS_RECORDS + 1));
            let ix = Index::build(entries, config);
            let ids = probe_ids(&ix, "AHMAD CHEEAA", None);
            assert_eq!(ids.contains(&"ac".to_string()), found, "{others}: {ids:?}");
        }
    }

    #[test]
    fn a_rare_spelling_of_a_common_part_does_not_outrank_the_exact_spelling() {
        // ALI is common here; ALIY, which only a key of ALI's own finds (a three-letter part is
        // looked up among four-letter parts one letter longer), is rare: on key rarity alone
        // the variant would weigh more than the exact part (the entries are written in the other
        // order, so that the traveller's two parts glued find neither)
        let mut entries: Vec<EntryRef> = (0..60)
            .map(|i| entry(&format!("x{i}"), &[&format!("Ali Q{i}")], None))
            .collect();
        entries.insert(0, entry("exact", &["Hassan Ali"], None));
        entries.push(entry("variant", &["Hassan Aliy"], None));
        let ix = Index::build(entries, IndexConfig::default());
        assert_eq!(
            probe_ids(&ix, "ALI HASSAN", None)[..2],
            ["exact", "variant"]
        );
    }

    #[test]
    fn a_short_part_finds_the_longer_part_it_begins() {
        let ix = Index::build(
            vec![
                entry("a", &["Sheraz Husain"], None),
                entry("b", &["Amir Musa"], None),
            ],
            IndexConfig::default(),
        );
        // the prefix is the only key these share
        assert_eq!(probe_ids(&ix, "SHER", None), ["a"]);
        assert_eq!(probe_ids(&ix, "MUSAVI", None), ["b"]);
        assert!(probe_ids(&ix, "SHE", None).is_empty());
    }

    #[test]
    fn upsert_replaces_and_delete_removes() {
        let ix = Index::new(IndexConfig::default());
        ix.upsert(entry("a", &["Rami Makhlouf"], None));
        assert_eq!(probe_ids(&ix, "RAMI MAKHLOUF", None), ["a"]);
        ix.upsert(entry("a", &["Olga Petrenko"], None));
        assert!(probe_ids(&ix, "RAMI MAKHLOUF", None).is_empty());
        assert_eq!(probe_ids(&ix, "OLGA PETRENKO", None), ["a"]);
        assert_eq!(ix.len(), 1);
        assert!(ix.delete("a"));
        assert!(probe_ids(&ix, "OLGA PETRENKO", None).is_empty());
        ix.compact();
        assert_eq!(ix.stats().postings, 0);
    }

    #[test]
    fn a_three_letter_part_finds_the_four_letter_part_it_shortens() {
        let ix = strict_index(vec![
            entry("a", &["Kim Yong Chol"], None),
            entry("b", &["Pak Yong Su"], None),
        ]);
        // YONG alone is not enough for a two-part traveller; CHO ~ CHOL is the second part
        assert_eq!(probe_ids(&ix, "YOONG CHO", None), ["a"]);
        assert!(probe_ids(&ix, "YOONG CHU", None).is_empty());
    }

    #[test]
    fn an_h_the_skeleton_drops_links_a_part_to_a_longer_one() {
        let ix = strict_index(vec![
            entry("a", &["Hussein Shaker"], None),
            entry("b", &["Farhan Khan"], None),
            entry("c", &["Sher Husain"], None),
        ]);
        // SHR is SHAKER's SHKR less one letter, FRH is FARHAN's FRHN less one
        assert!(probe_ids(&ix, "SHER HUSAIN", None).contains(&"a".to_string()));
        assert!(probe_ids(&ix, "HUSEIN SHAKER", None).contains(&"c".to_string()));
        assert_eq!(probe_ids(&ix, "FARAH KHAN", None), ["b"]);
    }

    #[test]
    fn a_long_part_finds_the_five_letter_part_it_begins_with() {
        let ix = strict_index(vec![
            entry("a", &["Mousa Mahmoud"], None),
            entry("b", &["Mohammed Hamdi"], None),
        ]);
        assert!(probe_ids(&ix, "MAHMOUD MOUSAVI", None).contains(&"a".to_string()));
        assert!(probe_ids(&ix, "MOHAMMED HAMDANI", None).contains(&"b".to_string()));
    }

    #[test]
    fn two_syllables_apart_find_a_glued_variant() {
        let ix = strict_index(vec![entry("a", &["Kim Byungho"], None)]);
        // MYUNG HO glued is MYUNGHO, one letter from BYUNGHO
        assert_eq!(probe_ids(&ix, "MYUNG HO KIM", None), ["a"]);
        assert!(probe_ids(&ix, "MYUNG SU KIM", None).is_empty());
    }

    #[test]
    fn lower_bound_finds_what_a_binary_search_finds() {
        let mut rng = crate::synth::Rng::new(7);
        for n in [0usize, 1, 5, 17, 100, 3_000] {
            for built in [50u32, 10_000] {
                // evenly spread, bunched at one end, and with slots past the build's
                let mut list: Vec<Slot> = (0..n)
                    .map(|i| match i % 3 {
                        0 => rng.below(u64::from(built)) as Slot,
                        1 => rng.below(u64::from(built / 10 + 1)) as Slot,
                        _ => built + rng.below(100) as Slot,
                    })
                    .collect();
                list.sort_unstable();
                for t in (0..built + 120).step_by(7) {
                    assert_eq!(
                        lower_bound(&list, t, built),
                        list.partition_point(|&s| s < t),
                        "n {n} built {built} target {t}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_birth_year_that_decides_leaves_out_exactly_the_entries_born_far_from_it() {
        // one name, many ways of stating birth dates: every entry is a candidate of the
        // traveller's name, and only the dates tell them apart
        let specs = [
            "",
            "1950",
            "1950-06-01",
            "~1950",
            "1948..1950",
            "1940..1960",
            "1952..1955",
            "1899",
            "~2001",
        ];
        let mut entries = Vec::new();
        for (i, spec) in specs.iter().cycle().take(90).enumerate() {
            let dob: Option<String> = (!spec.is_empty()).then(|| {
                // shift every year by i / 9
                let shift = |y: &str| (y.parse::<u16>().unwrap() + (i / 9) as u16).to_string();
                spec.split("..")
                    .map(|d| {
                        let approx = d.starts_with('~');
                        let d = d.trim_start_matches('~');
                        let (y, rest) = d.split_at(4);
                        format!("{}{}{rest}", if approx { "~" } else { "" }, shift(y))
                    })
                    .collect::<Vec<_>>()
                    .join("..")
            });
            entries.push(entry(&format!("e{i}"), &["Karim Haddad"], dob.as_deref()));
        }
        let ix = Index::build(entries, IndexConfig::default());
        // filed after the build: read whatever the year
        ix.upsert(entry("late", &["Karim Haddad"], Some("1930")));
        let parts = names::parts("KARIM HADDAD");
        let summaries: Vec<Option<FieldSummary>> = ix
            .records()
            .iter()
            .map(|r| r.as_ref().map(|r| r.summary))
            .collect();
        let mut totals = (0, 0);
        for year in (1890..2015).step_by(3) {
            for (ambiguous, day) in [(false, "-06-01"), (true, "-06-01"), (false, "-02-03")] {
                let dob: PartialDate = format!("{year}{day}").parse().unwrap();
                let probe = |births_decide| Probe {
                    parts: &parts,
                    dob: Some(dob),
                    dob_century_ambiguous: ambiguous,
                    births_decide,
                    ..Default::default()
                };
                let slots = |births_decide| {
                    let mut v: Vec<Slot> = ix
                        .candidates(&probe(births_decide), 1_000)
                        .iter()
                        .map(|c| c.slot)
                        .collect();
                    v.sort_unstable();
                    v
                };
                let all = slots(false);
                assert_eq!(all.len(), 91);
                // far by the year (the day rule, a year off a full date only with the same
                // day, is left to the summary)
                let far = |s: Slot, by_year_only: bool| {
                    summaries
                        .get(s as usize)
                        .copied()
                        .flatten()
                        .is_some_and(|f| {
                            let f = if by_year_only {
                                FieldSummary {
                                    only_date: None,
                                    ..f
                                }
                            } else {
                                f
                            };
                            f.births_far_from(dob, ambiguous)
                        })
                };
                // dates too spread to place by year are read whatever the traveller's
                let wide = |s: Slot| {
                    summaries[s as usize]
                        .and_then(|f| f.years)
                        .is_some_and(|(a, b)| b - a > PLACED_SPAN)
                };
                // the ranges read are whole birth years of the entries' earliest years: those
                // more than MAX_SLACK after every reading of the traveller's year, or more than
                // MAX_SLACK + PLACED_SPAN before, are outside
                let outside = |s: Slot| {
                    let first = summaries[s as usize].and_then(|f| f.years).unwrap().0;
                    let mut readings = vec![dob.year];
                    if ambiguous {
                        readings.push(dob.year - 100);
                    }
                    readings
                        .iter()
                        .all(|&y| first > y + MAX_SLACK || first + MAX_SLACK + PLACED_SPAN < y)
                };
                let decided = slots(true);
                for &s in &all {
                    let id = ix.with_entry(s, |e| e.entry.id.clone()).unwrap();
                    let proposed = decided.contains(&s);
                    if !far(s, false) {
                        assert!(proposed, "{id} born near {dob} (ambiguous {ambiguous})");
                    } else if far(s, true) && id != "late" && !wide(s) && outside(s) {
                        assert!(
                            !proposed,
                            "{id} born far from {dob} (ambiguous {ambiguous})"
                        );
                    }
                }
                totals.0 += decided.len();
                totals.1 += all.len();
            }
        }
        // and most are left out: the ranges are not the whole list
        assert!(totals.0 < totals.1 / 2, "{totals:?}");
    }

    #[test]
    fn birth_year_rescues_a_single_part_hit() {
        let ix = strict_index(vec![entry("a", &["Frank Kakolele Bwambale"], Some("1971"))]);
        // only FRANK shares keys; the birth year makes it a candidate
        assert_eq!(probe_ids(&ix, "FRANK ZUBERI", Some("1971-01-01")), ["a"]);
        assert!(probe_ids(&ix, "FRANK ZUBERI", Some("1990-01-01")).is_empty());
    }

    #[test]
    fn ranked_candidates_are_the_sorted_ones_with_an_unsorted_tail() {
        // namesakes and near namesakes, so that evidence differs and ties occur
        let entries = (0..120)
            .map(|i| {
                let names: &[&str] = match i % 4 {
                    0 => &["Tariq Iqbal Rana"],
                    1 => &["Tariq Rana"],
                    2 => &["Tarik Ikbal"],
                    _ => &["Iqbal Rana Khan"],
                };
                entry(&format!("e{i}"), names, (i % 3 == 0).then_some("1975"))
            })
            .collect();
        let ix = Index::build(entries, IndexConfig::default());
        let parts = names::parts("TARIQ IQBAL RANA");
        let probe = Probe {
            parts: &parts,
            dob: Some("1975-03-09".parse().unwrap()),
            ..Default::default()
        };
        let all = ix.candidates(&probe, 100);
        assert_eq!(all.len(), 100);
        assert!(all.windows(2).all(|w| w[0].order_key() < w[1].order_key()));
        let mut ranked = ix.candidates_ranked(&probe, 100, 30);
        let slots = |c: &[Candidate]| c.iter().map(|c| c.slot).collect::<Vec<_>>();
        assert_eq!(slots(&ranked[..30]), slots(&all[..30]));
        ranked[30..].sort_unstable_by_key(Candidate::order_key);
        assert_eq!(slots(&ranked), slots(&all));
    }

    #[test]
    fn the_dense_and_the_sparse_accumulators_propose_the_same_candidates() {
        // a generated list with namesakes, so that lists are long enough to be deferred and
        // evidence ties occur; travellers both listed (perturbed) and not
        let pop = crate::synth::Population::new();
        let mut rng = crate::synth::Rng::new(7);
        let entries: Vec<EntryRef> = pop
            .watchlist_padding(&mut rng, 3_000, "w")
            .into_iter()
            .map(Arc::new)
            .collect();
        // and with short lists, so that many keys only confirm (the two accumulators confirm
        // differently)
        for config in [
            IndexConfig::default(),
            IndexConfig {
                max_posting: 60,
                max_variant_posting: 20,
                max_confirm_posting: 1_000,
                ..IndexConfig::default()
            },
        ] {
            same_candidates_from_both_accumulators(&pop, &mut rng, &entries, config);
        }
    }

    fn same_candidates_from_both_accumulators(
        pop: &crate::synth::Population,
        rng: &mut crate::synth::Rng,
        entries: &[EntryRef],
        config: IndexConfig,
    ) {
        let ix = Index::build(entries.to_vec(), config);
        let mut sparse = SparseEvidence::default();
        let mut dense = DenseEvidence::default();
        let mut proposed = 0;
        for i in 0..400 {
            let (parts, dob) = if i % 2 == 0 {
                let t = pop.traveller(rng);
                (names::parts(&t.display_name()), t.dob)
            } else {
                let e = &entries[(i * 7) % entries.len()];
                let dob = e.dobs.first().map(|d| PartialDate::year(d.year_range().0));
                (names::parts(&e.names[0].full), dob)
            };
            let probe = Probe {
                parts: &parts,
                dob,
                ..Default::default()
            };
            // the index grows past the array only when entries are filed after the build
            dense.prepare(if i % 3 == 0 { 10 } else { ix.len() });
            sparse.prepare(if i % 5 == 0 { 10 } else { ix.len() });
            let records = ix.records();
            let a = ix.candidates_with(&records, &probe, 200, 200, &mut sparse);
            let b = ix.candidates_with(&records, &probe, 200, 200, &mut dense);
            let key = |c: &[Candidate]| {
                c.iter()
                    .map(|c| (c.slot, c.parts_hit, c.dob_hit, c.evidence.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(key(&a), key(&b), "traveller {i}");
            assert!(Evidence::is_empty(&sparse) && Evidence::is_empty(&dense));
            proposed += a.len();
        }
        assert!(
            proposed > 400 * 20,
            "too few candidates to compare: {proposed}"
        );
    }

    /// Lists of more than 5 entries only confirm, of more than 10 are not read at all: a
    /// part in 11 entries is too common to read, and its form is one of [`CommonParts`].
    fn common_parts_config() -> IndexConfig {
        IndexConfig {
            max_posting: 5,
            max_variant_posting: 5,
            max_confirm_posting: 10,
            rare_posting: 0,
            ..IndexConfig::default()
        }
    }

    /// `n` entries `<id>0`… named `first` and two made-up parts each (for `n` up to 5,000,
    /// each made-up part begins with LA, ME, NI, PO or RU: none is all K sounds).
    fn namesakes(id: &str, first: &str, n: usize) -> Vec<EntryRef> {
        (0..n)
            .map(|i| {
                entry(
                    &format!("{id}{i}"),
                    &[&format!("{first} {}", letters(5_000 + i))],
                    None,
                )
            })
            .collect()
    }

    /// A two-part name made of the digits of `i` spelt as letters, unlike any other `i`'s.
    fn letters(i: usize) -> String {
        let w: String = format!("{i:04}")
            .bytes()
            .map(|d| {
                ["BA", "KE", "DI", "FO", "GU", "LA", "ME", "NI", "PO", "RU"][(d - b'0') as usize]
            })
            .collect();
        format!("{w} {}", w.chars().rev().collect::<String>())
    }

    fn sorted_ids(ix: &Index, name: &str) -> Vec<String> {
        let mut v = probe_ids(ix, name, None);
        v.sort();
        v
    }

    #[test]
    fn entries_filed_after_the_build_are_found_beside_built_ones_and_after_a_refreeze() {
        let config = IndexConfig {
            max_delta_postings: 200,
            ..IndexConfig::default()
        };
        let ix = Index::build(vec![entry("a", &["Rami Makhlouf"], None)], config);
        assert_eq!(ix.postings.load().delta_postings(), 0);
        ix.upsert(entry("b", &["Rami Makhluf"], None));
        assert!(ix.postings.load().delta_postings() > 0);
        // lists under keys both entries share are read from the table and the delta together
        assert_eq!(sorted_ids(&ix, "RAMI MAKHLOUF"), ["a", "b"]);
        let (keys, frozen) = (ix.stats().keys, ix.postings.load().frozen.postings());
        for i in 0..10 {
            ix.upsert(entry(&format!("x{i}"), &["Olga Petrenko"], None));
        }
        assert!(ix.postings.load().frozen.postings() > frozen, "refrozen");
        assert_eq!(sorted_ids(&ix, "RAMI MAKHLOUF"), ["a", "b"]);
        assert_eq!(sorted_ids(&ix, "OLGA PETRENKO").len(), 10);
        assert!(ix.stats().keys > keys);
        // a replaced entry's old postings go at the next refreeze
        ix.upsert(entry("b", &["Ivan Sidorov"], None));
        ix.compact();
        assert_eq!(sorted_ids(&ix, "RAMI MAKHLOUF"), ["a"]);
        assert_eq!(sorted_ids(&ix, "IVAN SIDOROV"), ["b"]);
    }

    #[test]
    fn screening_during_upserts_and_refreezes_always_finds_the_built_entries() {
        let config = IndexConfig {
            max_delta_postings: 500,
            ..IndexConfig::default()
        };
        let ix = Index::build(
            vec![
                entry("a", &["Rami Makhlouf"], None),
                entry("b", &["Olga Petrenko"], None),
            ],
            config,
        );
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                for i in 0..400 {
                    ix.upsert(entry(&format!("x{i}"), &[&letters(i)], None));
                }
                done.store(true, Ordering::Release);
            });
            let mut rounds = 0;
            while !done.load(Ordering::Acquire) || rounds < 10 {
                // (a generated name may be proposed beside them)
                assert!(probe_ids(&ix, "RAMI MAKHLOUF", None).contains(&"a".to_string()));
                assert!(probe_ids(&ix, "OLGA PETRENKO", None).contains(&"b".to_string()));
                rounds += 1;
            }
        });
        assert_eq!(ix.len(), 402);
        assert_eq!(probe_ids(&ix, &letters(399), None)[0], "x399");
    }

    #[test]
    fn folded_documents() {
        assert_eq!(fold_document_number("o1-s5"), fold_document_number("0I55"));
    }
}
