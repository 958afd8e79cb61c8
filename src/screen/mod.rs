//! Screening: here is a traveller — which entries do they match, how well, and why?
//!
//! Candidates come from the [`Index`]; each is scored by aligning the traveller's name with every
//! name of the entry (order free, glued and split parts, transliterations), then adjusting by date
//! of birth, documents, nationality and gender. Every match carries its explanation.
//!
//! Score = best name alignment (× 0.9 for a weak alias) + field adjustments, clamped to [0, 1].
//! Two rules sit on top: an identical document number (same country) lifts the score to at least
//! [`DOCUMENT_FLOOR`]; a weak name match — only very common parts ("Muhammad Ali"), or a single
//! aligned part — is capped at [`COMMON_NAME_CAP`] unless a full date of birth or a document
//! supports it.

pub mod fields;

use crate::index::{
    Candidate, FieldSummary, Index, IndexConfig, IndexedEntry, IndexedName, Probe, SlotRecord,
};
use crate::model::{DocumentKey, EntryRef, Gender, NameKind, Passenger, Severity};
use crate::names::{self, Part, SimCache};
use arc_swap::ArcSwap;
use fields::{DobVerdict, DocVerdict, GenderVerdict, NationalityVerdict};
use rayon::prelude::*;
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Cow;
use std::sync::Arc;

/// The default alert threshold, chosen from the measurements in the README (variant recall on the
/// UN list against false alerts on a synthetic travelling population and hard negatives).
pub const DEFAULT_THRESHOLD: f32 = 0.80;

/// The least score of a match on an identical document number.
pub const DOCUMENT_FLOOR: f32 = 0.97;

/// The most a name made only of very common parts scores without a supporting birth date or
/// document.
pub const COMMON_NAME_CAP: f32 = 0.70;

/// Candidates asked of the index; past `candidate_limit` they are scored only for travellers
/// whose first candidates matched, and for travellers with a date of birth, those the index
/// found the whole name in (see `Screener::score_candidates`).
const MAX_CANDIDATES: usize = 200;

/// A traveller whose last [`KEEP_GOING_WINDOW`] of the [`MAX_CANDIDATES`] still matched is named
/// like very many listed people (MUHAMMAD IQBAL against a million entries): the index is asked
/// again for up to this many, and scoring goes on while matches keep coming.
const WIDE_CANDIDATES: usize = 5_000;

/// Scoring of the wide candidate list stops after this many candidates in a row without a match.
const KEEP_GOING_WINDOW: usize = 100;

/// Candidates of the wide pass judged at a time (their memory asked for together).
const WIDE_CHUNK: usize = 64;

/// Weak aliases (kunyas, nicknames) weigh this much of a primary name.
const WEAK_ALIAS_FACTOR: f32 = 0.90;

/// A traveller's surname weighs more than a given name: it is what a list entry most reliably
/// shares with the person, and a different surname is strong evidence of another person.
const SURNAME_WEIGHT: f32 = 1.3;

/// Weight of a part that is very common in the list or among travellers.
const COMMON_WEIGHT: f32 = 0.6;

/// A part shared by more than this share of indexed entries counts as common.
const COMMON_SHARE: f64 = 0.002;

/// Knobs of screening.
#[derive(Debug, Clone, Copy)]
pub struct ScreenConfig {
    /// Matches below this are not returned.
    pub threshold: f32,
    /// At most this many matches per traveller, best first.
    pub top_n: usize,
    /// This many candidates (best evidence first) are always scored; more only when they
    /// matched, or for a traveller with a date of birth (see `MAX_CANDIDATES`).
    pub candidate_limit: usize,
}

impl Default for ScreenConfig {
    fn default() -> Self {
        ScreenConfig {
            threshold: DEFAULT_THRESHOLD,
            top_n: 10,
            candidate_limit: 30,
        }
    }
}

fn round3<S: Serializer>(x: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(((*x as f64) * 1000.0).round() / 1000.0)
}

/// Query and entry parts that lined up, as text an analyst can read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignedParts {
    pub query: String,
    pub entry: String,
    #[serde(serialize_with = "round3")]
    pub score: f32,
}

/// Why the names match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameExplanation {
    /// The entry's name that aligned best, as listed.
    pub entry_name: String,
    pub entry_name_kind: NameKind,
    #[serde(serialize_with = "round3")]
    pub score: f32,
    pub aligned: Vec<AlignedParts>,
    pub unmatched_query: Vec<String>,
    pub unmatched_entry: Vec<String>,
    /// Every aligned part is a very common name part.
    pub common_parts_only: bool,
}

/// Per-field evidence behind a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub name: NameExplanation,
    pub dob: DobVerdict,
    pub document: DocVerdict,
    pub nationality: NationalityVerdict,
    pub gender: GenderVerdict,
    /// Which rule, if any, bounded the score (`document_floor`, `common_name_cap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<Cow<'static, str>>,
}

/// One traveller × entry match.
#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub entry_id: String,
    pub list: String,
    pub severity: Severity,
    #[serde(serialize_with = "round3")]
    pub score: f32,
    pub explanation: Explanation,
    #[serde(skip)]
    pub entry: EntryRef,
}

/// A traveller prepared once for scoring against many entries.
#[derive(Debug, Clone)]
pub struct Prepared<'p> {
    pub passenger: &'p Passenger,
    pub parts: Vec<Part>,
    /// Weight of each part in the name score.
    pub weights: Vec<f32>,
    /// Bit i: query part i is a very common name part.
    pub common: u32,
    /// The traveller's documents as compared with an entry's and looked up in the index.
    pub documents: Box<[DocumentKey]>,
    /// Tells this traveller's memoised part similarities from the previous one's.
    generation: u64,
}

/// Each [`Prepared`] gets its own number; the thread's [`SimCache`] is reset when it changes.
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// The part similarities of the traveller this thread is scoring (see [`SimCache`]).
    static SIM_CACHE: std::cell::RefCell<(u64, SimCache)> = Default::default();
}

impl<'p> Prepared<'p> {
    /// Splits the traveller's name; `index` (when given) tells which parts are common in the list.
    pub fn new(passenger: &'p Passenger, index: Option<&Index>) -> Prepared<'p> {
        let mut parts = Vec::new();
        let mut surname_from = usize::MAX;
        if passenger.given_names.is_some() || passenger.surname.is_some() {
            if let Some(g) = passenger.given_names.as_deref() {
                parts.extend(names::parts(g));
            }
            if let Some(s) = passenger.surname.as_deref() {
                surname_from = parts.len();
                parts.extend(names::parts(s));
            }
        } else if let Some(n) = passenger.name.as_deref() {
            parts = names::parts(n);
        }
        parts.truncate(16);
        let mut common = 0u32;
        let limit = index.map(|ix| ((ix.len() as f64 * COMMON_SHARE) as usize).max(25));
        let mut weights = Vec::with_capacity(parts.len());
        for (i, p) in parts.iter().enumerate() {
            let by_list = match (index, limit) {
                (Some(ix), Some(l)) => ix.part_frequency(p) > l,
                _ => false,
            };
            let mut w = names::part_weight(p);
            if names::is_common_part(p) || by_list {
                common |= 1 << i;
                w = w.min(COMMON_WEIGHT);
            }
            if i >= surname_from {
                w *= SURNAME_WEIGHT;
            }
            weights.push(w);
        }
        Prepared {
            passenger,
            parts,
            weights,
            common,
            documents: DocumentKey::all(&passenger.documents),
            generation: GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// What the index is asked with.
    pub fn probe(&self) -> Probe<'_> {
        Probe {
            parts: &self.parts,
            dob: self.passenger.dob,
            dob_century_ambiguous: self.passenger.dob_century_ambiguous,
            documents: &self.documents,
            births_decide: false,
        }
    }

    /// [`Self::probe`] for screening at `threshold`: entries born far from the traveller are
    /// not proposed when that alone keeps them below it.
    pub fn probe_at(&self, threshold: f32) -> Probe<'_> {
        Probe {
            births_decide: births_decide(self.passenger, threshold),
            ..self.probe()
        }
    }
}

/// Whether a birth year far from every date an entry allows keeps it below `threshold` even
/// with an identical name, whatever the entry's gender: [`fields_may_reach`]'s test, made for
/// every entry at once. A shared document lifts any score, but the index finds those through
/// the document itself.
fn births_decide(p: &Passenger, threshold: f32) -> bool {
    p.dob.is_some()
        && [None, Some(Gender::Male), Some(Gender::Female)]
            .into_iter()
            .all(|g| {
                add_fields(
                    1.0,
                    DobVerdict::Mismatch,
                    DocVerdict::Unknown,
                    NationalityVerdict::Match,
                    fields::compare_gender(p.gender, g),
                ) < threshold
            })
}

/// False when an entry of these fields cannot reach `threshold` even with an identical name: the
/// check at the top of [`score_entry`], made on the slot's [`FieldSummary`] with the best
/// verdict each field could still give. Only a birth year far from every date the entry allows
/// (a mismatch on every reading), a missing date and a contradicting gender are known from the
/// summary. `same_document` says whether a document of the traveller's folds to one of the
/// entry's (the index's document lookup tells, [`Candidate::document_hit`]): only then can the
/// documents agree, and an identical one lifts any score, so nothing is ruled out here;
/// otherwise they say nothing for the entry at best.
fn fields_may_reach(
    q: &Prepared<'_>,
    s: &FieldSummary,
    same_document: bool,
    threshold: f32,
) -> bool {
    let p = q.passenger;
    if same_document {
        return true;
    }
    let dob = match p.dob {
        Some(d) if s.years.is_some() => {
            if s.births_far_from(d, p.dob_century_ambiguous) {
                DobVerdict::Mismatch
            } else {
                DobVerdict::Exact // the best a date can say
            }
        }
        _ => DobVerdict::Unknown,
    };
    // every term at its best possible value or above, in score_entry's own sum
    let best = add_fields(
        1.0,
        dob,
        DocVerdict::Unknown,
        NationalityVerdict::Match,
        fields::compare_gender(p.gender, s.gender),
    );
    best >= threshold
}

/// A name score with the fields' adjustments, clamped to [0, 1]: the one sum both
/// [`score_entry`] and [`fields_may_reach`] compute, in one order, so that better verdicts can
/// only give a higher float.
fn add_fields(
    name_score: f32,
    dob: DobVerdict,
    document: DocVerdict,
    nationality: NationalityVerdict,
    gender: GenderVerdict,
) -> f32 {
    (name_score
        + dob.adjustment()
        + document.adjustment()
        + nationality.adjustment()
        + gender.adjustment())
    .clamp(0.0, 1.0)
}

/// Whether every aligned pair of parts is common on one side or the other: a traveller's part
/// that only approximates a listed common one (AHAD ~ AHMAD), or a common part of the traveller's
/// written like a rarer listed one (SALIM ~ SALIH), is no stronger than the common part itself.
/// "SALIM MUHAMMMAD" is then as weak against SALIH MOHAMMED as against SALIM MUHAMMAD.
fn common_pairs_only(q: &Prepared<'_>, entry: &[Part], a: &names::NameAlignment) -> bool {
    !a.aligned.is_empty()
        && a.aligned.iter().all(|pair| {
            pair.query
                .iter()
                .all(|&i| i < 32 && q.common & (1 << i) != 0)
                || pair.entry.iter().all(|&j| names::is_common_part(&entry[j]))
        })
}

fn kind_factor(kind: NameKind) -> f32 {
    match kind {
        NameKind::WeakAlias => WEAK_ALIAS_FACTOR,
        _ => 1.0,
    }
}

/// Scores a prepared traveller against one entry; `None` when no name of the entry aligns and no
/// document matches, or when the score is under `threshold`.
///
/// The fields beside the name are compared first: they are cheap, and when even an identical
/// name could not lift the score to the threshold past them (most often a different year of
/// birth), the names are not aligned at all. The score only grows with the name score, so this
/// skips exactly the candidates that would have been dropped after aligning.
pub fn score_entry(q: &Prepared<'_>, e: &IndexedEntry, threshold: f32) -> Option<Match> {
    let (p, f) = (q.passenger, &e.fields);
    let dob = fields::compare_dob(p.dob, p.dob_century_ambiguous, &f.dobs);
    let document = fields::compare_document_keys(&q.documents, &f.documents);
    let nationality = fields::compare_nationality(p.nationality, &f.nationalities);
    let gender = fields::compare_gender(p.gender, f.gender);
    let with_fields = |name_score: f32| add_fields(name_score, dob, document, nationality, gender);
    // a name scores at most 1; only an identical document lifts a score past its fields
    if document != DocVerdict::Exact && with_fields(1.0) < threshold {
        return None;
    }
    let mut best: Option<(f32, &IndexedName, u32)> = None;
    SIM_CACHE.with(|c| {
        let (generation, cache) = &mut *c.borrow_mut();
        if *generation != q.generation {
            *generation = q.generation;
            cache.reset(&q.parts);
        }
        for n in &e.names {
            let (a, qmask, _) = names::align_score_cached(
                &q.parts,
                &q.weights,
                e.parts(n),
                e.weights(n),
                n.surname_mask,
                cache,
            );
            let s = a * kind_factor(n.kind);
            if best.as_ref().is_none_or(|(b, ..)| s > *b) {
                best = Some((s, n, qmask));
            }
        }
    });
    let (name_score, name, qmask) = best?;
    if name_score <= 0.0 && document == DocVerdict::Unknown {
        return None;
    }
    let mut score = with_fields(name_score);
    if document != DocVerdict::Exact && score < threshold {
        // the rules below only lower a score that is not lifted by a document
        return None;
    }
    // aligned once the score is known to reach the threshold: the rules below and the
    // explanation read it, and few candidates get this far
    let alignment = names::align(
        &q.parts,
        &q.weights,
        e.parts(name),
        e.weights(name),
        name.surname_mask,
    );
    let common_parts_only = qmask != 0 && common_pairs_only(q, e.parts(name), &alignment);
    // one aligned part between names of two or more parts ("MOHAMED AL BASHIR" / "Bashir")
    let single_part = qmask.count_ones() == 1 && (q.parts.len() > 1 || e.parts(name).len() > 1);
    let weak_name = common_parts_only || single_part;
    let mut rule = None;
    if document == DocVerdict::Exact {
        if score < DOCUMENT_FLOOR {
            score = DOCUMENT_FLOOR;
            rule = Some(Cow::Borrowed("document_floor"));
        }
    } else if weak_name
        && !dob.supports()
        && document != DocVerdict::Similar
        && score > COMMON_NAME_CAP
    {
        score = COMMON_NAME_CAP;
        rule = Some(Cow::Borrowed(if common_parts_only {
            "common_name_cap"
        } else {
            "single_part_cap"
        }));
    }
    if score < threshold {
        return None;
    }
    let part_text = |parts: &[Part], idx: &[usize]| {
        idx.iter()
            .map(|&i| parts[i].text())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let explanation = Explanation {
        name: NameExplanation {
            entry_name: e.entry.names[name.name_index as usize].full.clone(),
            entry_name_kind: name.kind,
            score: name_score,
            aligned: alignment
                .aligned
                .iter()
                .map(|a| AlignedParts {
                    query: part_text(&q.parts, &a.query),
                    entry: part_text(e.parts(name), &a.entry),
                    score: a.score,
                })
                .collect(),
            unmatched_query: alignment
                .unmatched_query
                .iter()
                .map(|&i| q.parts[i].text().to_string())
                .collect(),
            unmatched_entry: alignment
                .unmatched_entry
                .iter()
                .map(|&i| e.parts(name)[i].text().to_string())
                .collect(),
            common_parts_only,
        },
        dob,
        document,
        nationality,
        gender,
        rule,
    };
    let entry = &e.entry;
    Some(Match {
        entry_id: entry.id.clone(),
        list: entry.list.clone(),
        severity: entry.severity,
        score,
        explanation,
        entry: entry.clone(),
    })
}

/// Sorts best first (ties by entry id, so output is deterministic) and keeps `top_n`.
fn finish(mut v: Vec<Match>, top_n: usize) -> Vec<Match> {
    v.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.entry_id.cmp(&b.entry_id))
    });
    v.truncate(top_n);
    v
}

/// Compares one traveller with one entry, outside any index (for `paxscreen compare`). Returns
/// the score even below the threshold.
pub fn compare(p: &Passenger, e: EntryRef) -> Option<Match> {
    let q = Prepared::new(p, None);
    let ie = IndexedEntry::new(e);
    score_entry(&q, &ie, 0.0)
}

/// The screening engine: an index behind an atomic pointer, so a whole new watchlist can be
/// swapped in while screenings run (each screening sees the old index or the new one).
pub struct Screener {
    index: ArcSwap<Index>,
    config: ScreenConfig,
}

impl Screener {
    pub fn new(index: Index, config: ScreenConfig) -> Screener {
        Screener {
            index: ArcSwap::from_pointee(index),
            config,
        }
    }

    /// Builds the index over `entries` and wraps it.
    pub fn from_entries(entries: Vec<EntryRef>, config: ScreenConfig) -> Screener {
        Screener::new(Index::build(entries, IndexConfig::default()), config)
    }

    pub fn config(&self) -> &ScreenConfig {
        &self.config
    }

    /// The current index (live upserts and deletes go through it).
    pub fn index(&self) -> Arc<Index> {
        self.index.load_full()
    }

    /// Replaces the whole index at once.
    pub fn replace_index(&self, index: Index) {
        self.index.store(Arc::new(index));
    }

    /// Matches at or above the threshold, best first.
    pub fn screen(&self, p: &Passenger) -> Vec<Match> {
        let index = self.index.load();
        let q = Prepared::new(p, Some(&index));
        let cands = index.candidates_ranked(
            &q.probe_at(self.config.threshold),
            MAX_CANDIDATES,
            self.config.candidate_limit,
        );
        self.score_candidates(&index, &q, cands)
    }

    /// Scores candidates best-evidence first: always the first `candidate_limit`; when those
    /// matched at least once, all the rest too. A traveller named
    /// like listed people is compared with every candidate (the evidence order is only a rough
    /// guide to the score); an ordinary one without a date of birth stops early. One with a
    /// date and a name of two parts or more, whose first candidates matched nothing, has the
    /// rest scored too, but only those whose keys reached every part of the name
    /// ([`Candidate::parts_hit`]: a part's own keys, or a pair, glued or birth-year key):
    /// namesakes born in other years, which cannot match, often outrank the one born in the
    /// traveller's (those are turned away on their [`FieldSummary`] without reading the entry).
    ///
    /// When the last [`KEEP_GOING_WINDOW`] of the [`MAX_CANDIDATES`] still matched, the index
    /// is asked for up to [`WIDE_CANDIDATES`] and scoring goes on until [`KEEP_GOING_WINDOW`] in a
    /// row fail.
    ///
    /// `cands` come from [`Index::candidates_ranked`] with `candidate_limit` sorted; the rest are
    /// sorted here only when they are to be scored.
    fn score_candidates(
        &self,
        index: &Index,
        q: &Prepared<'_>,
        mut cands: Vec<Candidate>,
    ) -> Vec<Match> {
        let threshold = self.config.threshold;
        // (an entry filed while this traveller is screened waits for this guard: one the index
        // proposed that is not recorded yet is not scored, as if it had been filed after)
        let records = index.records();
        let record = |c: &Candidate| records.get(c.slot as usize).and_then(Option::as_ref);
        let may_reach = |c: &Candidate, r: &SlotRecord| {
            fields_may_reach(q, &r.summary, c.document_hit, threshold)
        };
        let first = self.config.candidate_limit.min(cands.len());
        let nparts = q.parts.len().min(32);
        let every_part = u32::MAX >> (32 - nparts.max(1));
        let partial = |c: &Candidate| c.parts_hit & every_part != every_part;
        let mut todo: Vec<(usize, &SlotRecord)> = Vec::new();
        // Scores `seg`, the candidates ranked from `base` on, in order (leaving out those whose
        // keys missed a part of the name when `whole_names_only`), pushing matches to `v` and
        // the rank of the last one to `last`. With `window`, stops at the first candidate more
        // than KEEP_GOING_WINDOW ranks after the last match, and says whether it did.
        //
        // Each candidate's memory is a chain of cache misses (its record, its entry, the
        // entry's parts): all the records are asked for first, then the entries of those
        // whose fields may reach the threshold, each entry's parts one candidate ahead, so
        // that the misses overlap instead of following one another.
        let mut scan = |seg: &[Candidate],
                        base: usize,
                        whole_names_only: bool,
                        window: bool,
                        last: &mut Option<usize>,
                        v: &mut Vec<Match>|
         -> bool {
            let wanted = |c: &&Candidate| !(whole_names_only && partial(c));
            for c in seg.iter().filter(wanted) {
                if let Some(r) = records.get(c.slot as usize) {
                    crate::index::prefetch(r);
                }
            }
            todo.clear();
            // what score_entry would conclude of the others, without reading their entries
            todo.extend(
                seg.iter()
                    .enumerate()
                    .filter(|(_, c)| wanted(c))
                    .filter_map(|(k, c)| {
                        let r = record(c)?;
                        may_reach(c, r).then_some((base + k, r))
                    }),
            );
            for (_, r) in &todo {
                r.prefetch_entry();
            }
            let beyond = |i: usize, last: &Option<usize>| {
                window && last.is_some_and(|l| i - l > KEEP_GOING_WINDOW)
            };
            for (j, &(i, r)) in todo.iter().enumerate() {
                if beyond(i, last) {
                    return true;
                }
                if let Some((_, next)) = todo.get(j + 1) {
                    next.prefetch_parts();
                }
                if let Some(m) = score_entry(q, &r.entry, threshold) {
                    v.push(m);
                    *last = Some(i);
                }
            }
            beyond(base + seg.len(), last)
        };
        let mut v = Vec::new();
        let mut last_hit = None;
        scan(&cands[..first], 0, false, false, &mut last_hit, &mut v);
        let mut whole_names_only = false;
        if cands.len() > first {
            if last_hit.is_none() {
                if q.passenger.dob.is_none() || nparts < 2 {
                    // an ordinary traveller: nothing matched early
                    return finish(v, self.config.top_n);
                }
                // namesakes born in other years may have outranked one born in the
                // traveller's: the rest are scored only where the index's keys reached
                // every part of the name (and, as always, their birth dates allow a
                // match), here and in a wide pass
                whole_names_only = true;
            }
            cands[first..].sort_unstable_by_key(Candidate::order_key);
            scan(
                &cands[first..],
                first,
                whole_names_only,
                false,
                &mut last_hit,
                &mut v,
            );
        }
        if let Some(last) = last_hit
            && cands.len() == MAX_CANDIDATES
            && MAX_CANDIDATES - last <= KEEP_GOING_WINDOW
        {
            // the same order, so the first MAX_CANDIDATES are the ones just scored
            let wide = index.candidates_in(
                &records,
                &q.probe_at(threshold),
                WIDE_CANDIDATES,
                WIDE_CANDIDATES,
            );
            let rest = wide.get(MAX_CANDIDATES..).unwrap_or_default();
            for (k, chunk) in rest.chunks(WIDE_CHUNK).enumerate() {
                let base = MAX_CANDIDATES + k * WIDE_CHUNK;
                if scan(chunk, base, whole_names_only, true, &mut last_hit, &mut v) {
                    break;
                }
            }
        }
        finish(v, self.config.top_n)
    }

    /// Screens many travellers on the rayon pool; results in input order.
    pub fn screen_all(&self, ps: &[Passenger]) -> Vec<Vec<Match>> {
        self.screen_each(ps, |p| p)
    }

    /// [`Self::screen_all`] over the passenger `passenger` finds in each item (a manifest's
    /// travellers), without copying them out first.
    pub fn screen_each<T: Sync>(
        &self,
        items: &[T],
        passenger: impl Fn(&T) -> &Passenger + Sync,
    ) -> Vec<Vec<Match>> {
        if items.len() <= 1 {
            // nothing to share out: called from outside the pool, rayon would hand the one
            // traveller to a worker and wake this thread when it is done
            return items.iter().map(|t| self.screen(passenger(t))).collect();
        }
        items
            .par_iter()
            .map(|t| self.screen(passenger(t)))
            .collect()
    }

    /// The same scorer over every entry, without the index: the reference the index's candidate
    /// recall is measured against. Slow by design.
    pub fn screen_brute_force(&self, p: &Passenger) -> Vec<Match> {
        let index = self.index.load();
        let q = Prepared::new(p, Some(&index));
        let v = index
            .all()
            .iter()
            .filter_map(|e| score_entry(&q, e, self.config.threshold))
            .collect();
        finish(v, self.config.top_n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Gender, PartialDate, TravelDocument, WatchlistEntry};

    fn entry(id: &str, names: &[&str], dob: &[&str]) -> EntryRef {
        Arc::new(WatchlistEntry {
            dobs: dob.iter().map(|d| d.parse().unwrap()).collect(),
            ..WatchlistEntry::person(id, "t", names)
        })
    }

    fn pax(surname: &str, given: &str, dob: Option<&str>) -> Passenger {
        Passenger {
            id: "p".into(),
            surname: Some(surname.into()),
            given_names: Some(given.into()),
            dob: dob.map(|d| d.parse().unwrap()),
            ..Default::default()
        }
    }

    #[test]
    fn a_namesake_born_in_the_travellers_year_is_found_behind_others_born_far_from_it() {
        // written in the traveller's order, the four born in 1950 outrank the one born on the
        // traveller's date (they also share the two parts glued); none of the first two can
        // match, and without a date the traveller would stop there
        let mut entries: Vec<EntryRef> = (0..4)
            .map(|i| entry(&format!("far{i}"), &["Muhammad Abu"], &["1950-03-01"]))
            .collect();
        entries.push(entry("near", &["Abu Muhammad"], &["1976-07-22"]));
        let s = Screener::from_entries(
            entries,
            ScreenConfig {
                candidate_limit: 2,
                ..ScreenConfig::default()
            },
        );
        let index = s.index();
        let q = pax("ABU", "MUHAMMAD", Some("1976-07-22"));
        let prepared = Prepared::new(&q, Some(&index));
        let rank = index
            .candidates(&prepared.probe(), 10)
            .iter()
            .position(|c| index.with_entry(c.slot, |e| e.entry.id == "near") == Some(true));
        assert!(rank >= Some(2), "not past the first two: {rank:?}");
        let found: Vec<String> = s.screen(&q).into_iter().map(|m| m.entry_id).collect();
        assert_eq!(found, ["near"]);
    }

    #[test]
    fn common_names_alone_do_not_alert_but_do_with_dob() {
        let s = Screener::from_entries(
            vec![entry("a", &["Muhammad Ali Khan"], &["1970-05-05"])],
            ScreenConfig::default(),
        );
        assert!(s.screen(&pax("KHAN", "MOHAMMED ALI", None)).is_empty());
        assert!(
            s.screen(&pax("KHAN", "MOHAMMED ALI", Some("1983-02-11")))
                .is_empty()
        );
        let m = s.screen(&pax("KHAN", "MOHAMMED ALI", Some("1970-05-05")));
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].explanation.dob, DobVerdict::Exact);
    }

    #[test]
    fn a_name_of_common_parts_each_misspelt_on_one_side_is_still_common() {
        // SALIM is common on the traveller's side, MOHAMMED on the entry's: neither side is all
        // common, but every aligned pair is, so the name is as weak as SALIM MUHAMMAD itself
        let pair_is_common = |traveller: &str, listed: &str| {
            let m = compare(
                &Passenger {
                    id: "p".into(),
                    name: Some(traveller.into()),
                    ..Default::default()
                },
                entry("a", &[listed], &[]),
            )
            .expect("names align");
            (
                m.score,
                m.explanation.rule.as_deref() == Some("common_name_cap"),
            )
        };
        for listed in ["SALIM MUHAMMAD", "SALIH MOHAMMED"] {
            let (score, capped) = pair_is_common("SALIM MUHAMMMAD", listed);
            assert!(capped, "{listed}: {score}");
            assert!(score < DEFAULT_THRESHOLD, "{listed}: {score}");
        }
        // a rare part on both sides of one pair keeps the name strong
        let (score, capped) = pair_is_common("SALIM MAKHLOUF", "SALIH MAKHLUF");
        assert!(!capped && score >= DEFAULT_THRESHOLD, "{score}");
    }

    #[test]
    fn a_rare_part_approximating_a_common_listed_one_is_no_stronger_than_it() {
        // AHAD is not common, but what it aligns with (AHMAD) is: the entry's name is all
        // common parts, so without a date of birth it stays below the threshold
        let s = Screener::from_entries(
            vec![entry("a", &["Muhammad Ahmad"], &["1970-05-05"])],
            ScreenConfig::default(),
        );
        assert!(s.screen(&pax("ALI", "AHAD MUHAMMED", None)).is_empty());
        let m = compare(
            &pax("ALI", "AHAD MUHAMMED", None),
            entry("a", &["Muhammad Ahmad"], &[]),
        )
        .expect("names align");
        assert_eq!(m.explanation.rule.as_deref(), Some("common_name_cap"));
        assert!(m.explanation.name.common_parts_only);
        assert_eq!(
            s.screen(&pax("ALI", "AHAD MUHAMMED", Some("1970-05-05")))
                .len(),
            1
        );
    }

    #[test]
    fn swapped_order_and_variants_alert() {
        let s = Screener::from_entries(
            vec![entry("a", &["Rami Makhlouf"], &["1969-07-10"])],
            ScreenConfig::default(),
        );
        let m = s.screen(&pax("RAMI", "MAKHLUF", None));
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].score >= DEFAULT_THRESHOLD);
    }

    #[test]
    fn travellers_named_as_russian_passports_write_names_find_the_listed_spellings() {
        // ICAO 9303 (what the passport's MRZ, and so the API data, holds) against the spellings
        // sanctions lists use; each pair is proposed by the index and scored over the threshold
        let s = Screener::from_entries(
            vec![
                entry("y", &["Yuliya Sergeyevna Kuznetsova"], &["1985-03-12"]),
                entry("u", &["Yuriy Petrovich Zakharchenko"], &["1971"]),
                entry("d", &["Dmitri Valeryevich Utkin"], &["1970-06-11"]),
            ],
            ScreenConfig::default(),
        );
        for (surname, given, dob, id) in [
            ("KUZNETSOVA", "IULIIA", "1985-03-12", "y"),
            ("ZAKHARCHENKO", "IURII", "1971-09-02", "u"),
            ("UTKIN", "DMITRII", "1970-06-11", "d"),
        ] {
            let found: Vec<String> = s
                .screen(&pax(surname, given, Some(dob)))
                .into_iter()
                .map(|m| m.entry_id)
                .collect();
            assert_eq!(found, [id], "{given} {surname}");
        }
    }

    #[test]
    fn different_birth_year_suppresses() {
        let s = Screener::from_entries(
            vec![entry("a", &["Rami Makhlouf"], &["1969-07-10"])],
            ScreenConfig::default(),
        );
        assert!(
            s.screen(&pax("MAKHLUF", "RAMI", Some("1992-03-01")))
                .is_empty()
        );
    }

    #[test]
    fn a_name_shared_by_more_listed_people_than_candidates_finds_them_all() {
        // 450 namesakes who all match: more than MAX_CANDIDATES, so the wide pass must run
        let n = 450;
        let entries = (0..n)
            .map(|i| entry(&format!("e{i}"), &["Tariq Iqbal Rana"], &["1975-03-09"]))
            .collect();
        let s = Screener::from_entries(
            entries,
            ScreenConfig {
                top_n: usize::MAX,
                ..ScreenConfig::default()
            },
        );
        let m = s.screen(&pax("RANA", "TARIQ IQBAL", Some("1975-03-09")));
        assert!(n > MAX_CANDIDATES);
        assert_eq!(m.len(), n);
    }

    #[test]
    fn skipping_candidates_on_their_fields_changes_no_result() {
        // Listed people met by travellers with their names or a namesake's, born the same year,
        // a year or more apart, or with no date; with and without the listed document, gender and
        // nationality. At every threshold the screening score (which skips aligning names the
        // fields rule out) must equal the full comparison's where it is at least the threshold,
        // and be absent where it is not.
        let pop = crate::synth::Population::new();
        let mut rng = crate::synth::Rng::new(7);
        let listed = pop.watchlist_padding(&mut rng, 400, "w");
        let mut checked = [0usize; 2];
        for (i, e) in listed.iter().enumerate() {
            let other = &listed[(i * 7 + 3) % listed.len()];
            let mut p = pop.traveller(&mut rng);
            p.surname = None;
            p.given_names = None;
            let named = if rng.chance(0.7) { e } else { other };
            p.name = Some(named.names[0].full.clone());
            p.dob = match (e.dobs.first(), rng.below(4)) {
                (Some(crate::model::DateSpec::Exact(d)), 0) => Some(*d),
                (Some(crate::model::DateSpec::Exact(d)), 1) => Some(PartialDate {
                    year: d.year + 1 + rng.below(20) as u16,
                    ..*d
                }),
                (_, 2) => None,
                _ => p.dob,
            };
            presents_documents_of(&mut p, e, &mut rng);
            if rng.chance(0.5) {
                p.gender = e.gender;
                p.nationality = e.nationalities.first().copied();
            }
            let q = Prepared::new(&p, None);
            let ie = IndexedEntry::new(Arc::new(e.clone()));
            let full = score_entry(&q, &ie, 0.0).map(|m| m.score);
            for t in [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.97] {
                let got = score_entry(&q, &ie, t).map(|m| m.score);
                let want = full.filter(|&s| s >= t);
                assert_eq!(got, want, "entry {} at threshold {t}", e.id);
                checked[usize::from(got.is_some())] += 1;
            }
        }
        // both outcomes occur often enough to mean something
        assert!(checked[0] > 500 && checked[1] > 300, "{checked:?}");
    }

    /// Gives a generated traveller the entry's documents, or them with one misread (O for 0,
    /// I for 1), or leaves the traveller's own, at random.
    fn presents_documents_of(
        p: &mut Passenger,
        e: &crate::model::WatchlistEntry,
        rng: &mut crate::synth::Rng,
    ) {
        match rng.below(4) {
            0 => p.documents = e.documents.clone(),
            1 => {
                p.documents = e.documents.clone();
                if let Some(d) = p.documents.first_mut() {
                    d.number = d.number.replace('0', "O").replace('1', "I");
                }
            }
            _ => {}
        }
    }

    #[test]
    fn a_field_summary_rules_out_only_what_the_fields_rule_out() {
        // Entries dated exactly, approximately, by a range or not at all, with and without
        // documents and gender; travellers born the same year, near it, far from it, with an
        // ambiguous two-digit year, or undated. Whenever the summary rules a candidate out, the
        // full comparison of the fields must do so too (even an identical name stays under the
        // threshold, and no identical document lifts it).
        use crate::model::DateSpec;
        let pop = crate::synth::Population::new();
        let mut rng = crate::synth::Rng::new(11);
        let mut listed = pop.watchlist_padding(&mut rng, 600, "w");
        let mut ruled_out = 0;
        for (i, e) in listed.iter_mut().enumerate() {
            let year = 1940 + rng.below(60) as u16;
            e.dobs = match i % 5 {
                0 => vec![],
                1 => vec![DateSpec::Approximate(PartialDate {
                    year,
                    month: None,
                    day: None,
                })],
                2 => vec![DateSpec::Between {
                    from: year,
                    to: year + rng.below(6) as u16,
                }],
                3 => vec![
                    DateSpec::Exact(PartialDate::ymd(year, 3, 4)),
                    DateSpec::Exact(PartialDate::ymd(year + 9, 1, 1)),
                ],
                _ => vec![DateSpec::Exact(PartialDate::ymd(year, 7, 1))],
            };
            if i % 3 == 0 {
                e.documents.clear();
            }
            let mut p = pop.traveller(&mut rng);
            p.name = Some(e.names[0].full.clone());
            // a year off: the same day and month (a typo), another day, the year alone
            let off = [year - 1, year + 1][rng.below(2) as usize];
            p.dob = match rng.below(8) {
                0 => None,
                1 => Some(PartialDate::ymd(year, 7, 1)),
                2 => Some(PartialDate::ymd(year + rng.below(4) as u16, 2, 2)),
                3 => Some(PartialDate::ymd(off, 7, 1)),
                4 => Some(PartialDate::ymd(off, 3, 4)),
                5 => Some(PartialDate::year(off + rng.below(3) as u16 - 1)),
                _ => Some(PartialDate::ymd(year + 2 + rng.below(30) as u16, 5, 5)),
            };
            p.dob_century_ambiguous = rng.chance(0.2);
            if let Some(d) = p.dob.as_mut()
                && p.dob_century_ambiguous
            {
                d.year += 100;
            }
            presents_documents_of(&mut p, e, &mut rng);
            p.gender = [None, Some(Gender::Male), Some(Gender::Female)][rng.below(3) as usize];
            let q = Prepared::new(&p, None);
            let ie = IndexedEntry::new(Arc::new(e.clone()));
            let summary = FieldSummary::of(&ie.fields);
            let f = &ie.fields;
            let document = fields::compare_document_keys(&q.documents, &f.documents);
            let identical_name = add_fields(
                1.0,
                fields::compare_dob(p.dob, p.dob_century_ambiguous, &f.dobs),
                document,
                fields::compare_nationality(p.nationality, &f.nationalities),
                fields::compare_gender(p.gender, f.gender),
            );
            // what the index's document lookup finds
            let same_document = q
                .documents
                .iter()
                .any(|a| f.documents.iter().any(|b| a.same_folded(b)));
            for t in [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9] {
                if !fields_may_reach(&q, &summary, same_document, t) {
                    ruled_out += 1;
                    assert!(
                        document != DocVerdict::Exact && identical_name < t,
                        "entry {} ruled out at {t}",
                        e.id
                    );
                    assert!(score_entry(&q, &ie, t).is_none());
                }
            }
        }
        assert!(ruled_out > 300, "{ruled_out}");
    }

    #[test]
    fn identical_document_is_decisive() {
        let mut e = (*entry("a", &["Some Body"], &[])).clone();
        e.documents.push(TravelDocument {
            doc_type: Some("P".into()),
            number: "X1234567".into(),
            ..Default::default()
        });
        let s = Screener::from_entries(vec![Arc::new(e)], ScreenConfig::default());
        let mut p = pax("OTHER", "PERSON", None);
        p.documents.push(TravelDocument {
            doc_type: Some("P".into()),
            number: "X1234567".into(),
            ..Default::default()
        });
        let m = s.screen(&p);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].explanation.document, DocVerdict::Exact);
        assert!(m[0].score >= DOCUMENT_FLOOR);
    }
}
