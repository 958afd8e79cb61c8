//! How similar two name parts are, and how two whole names align part by part.

use super::normalise::{Part, strip_article};
use serde::Serialize;

/// Below this a pair of parts is not an alignment at all.
pub const PART_FLOOR: f32 = 0.80;

/// Score given when two parts share a consonant skeleton of at least three consonants.
const SKELETON_EQUAL: f32 = 0.92;
/// Skeletons of two consonants collide more often; they need some surface similarity too.
const SKELETON_EQUAL_SHORT: f32 = 0.86;

/// Longest part compared with the stack buffers below; longer parts fall back to exact equality
/// plus strsim on the full strings.
const MAX_PART: usize = 48;

/// Similarity of two parts in [0, 1]: symmetric, 1 for equal parts.
pub fn part_similarity(a: &Part, b: &Part) -> f32 {
    if a.text == b.text {
        return 1.0;
    }
    // An initial matches a part with the same first letter.
    if (a.text.len() == 1 || b.text.len() == 1) && !a.vowelless && !b.vowelless {
        return if a.text.as_bytes()[0] == b.text.as_bytes()[0] {
            0.85
        } else {
            0.0
        };
    }
    if a.vowelless || b.vowelless {
        if a.skel.is_empty() && b.skel.is_empty() {
            // only weak consonants (YAHYA / يحيى): compare them, h, w and y included
            return if loose_skeleton(&a.text) == loose_skeleton(&b.text)
                && !loose_skeleton(&a.text).is_empty()
            {
                0.85
            } else {
                0.0
            };
        }
        return skeleton_similarity(&a.skel, &b.skel);
    }
    let mut best = jaro_winkler(&a.text, &b.text);
    if best < 1.0 {
        let sa = strip_article(&a.text, false);
        let sb = strip_article(&b.text, false);
        if sa.is_some() || sb.is_some() {
            let x = sa.unwrap_or(&a.text);
            let y = sb.unwrap_or(&b.text);
            // a glued article is not quite the same name
            best = best.max(0.97 * jaro_winkler(x, y));
        }
    }
    if a.skel == b.skel && !a.skel.is_empty() {
        let s = if a.skel.len() >= 3 {
            SKELETON_EQUAL
        } else if best >= 0.70 {
            SKELETON_EQUAL_SHORT
        } else {
            0.0
        };
        best = best.max(s);
    }
    best
}

/// Consonants with h, w and y kept (vowels dropped, repeats collapsed): the fallback for names
/// whose skeleton is empty.
fn loose_skeleton(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        // a Latin i is often the Arabic ya (YAHIA = يحيى)
        let c = if matches!(c, 'i' | 'j') { 'y' } else { c };
        if matches!(c, 'a' | 'e' | 'o' | 'u') || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Comparison in skeleton space, for parts written without short vowels.
fn skeleton_similarity(a: &str, b: &str) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let eq = |x: &str, y: &str| x == y;
    let short = a.len().min(b.len());
    if eq(a, b) {
        return match short {
            1 => 0.82,
            2 => 0.88,
            _ => SKELETON_EQUAL,
        };
    }
    // article glued on one side only
    let sa = a.strip_prefix('l').filter(|r| r.len() >= 2);
    let sb = b.strip_prefix('l').filter(|r| r.len() >= 2);
    if sa.is_some_and(|x| x == b) || sb.is_some_and(|y| y == a) {
        return 0.88;
    }
    if short >= 3 && osa_distance_le1(a.as_bytes(), b.as_bytes()) {
        return 0.82;
    }
    0.0
}

/// True when the optimal-string-alignment distance is at most one.
fn osa_distance_le1(a: &[u8], b: &[u8]) -> bool {
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if p == la.min(lb) {
        return true; // one is a prefix of the other, lengths differ by at most one
    }
    let (ra, rb) = (&a[p..], &b[p..]);
    if la == lb {
        // substitution or transposition
        ra[1..] == rb[1..]
            || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
    } else if la > lb {
        ra[1..] == *rb
    } else {
        *ra == rb[1..]
    }
}

/// Jaro-Winkler on ASCII byte strings without allocating (stack buffers); falls back to strsim
/// for very long strings.
pub fn jaro_winkler(a: &str, b: &str) -> f32 {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > MAX_PART || b.len() > MAX_PART {
        let (x, y) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
        return strsim::jaro_winkler(&x, &y) as f32;
    }
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let mut a_match = [false; MAX_PART];
    let mut b_match = [false; MAX_PART];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_match[j] && b[j] == ca {
                a_match[i] = true;
                b_match[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if !a_match[i] {
            continue;
        }
        while !b_match[k] {
            k += 1;
        }
        if ca != b[k] {
            transpositions += 1;
        }
        k += 1;
    }
    let m = matches as f32;
    let jaro =
        (m / a.len() as f32 + m / b.len() as f32 + (m - (transpositions / 2) as f32) / m) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f32;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// One aligned group: query parts ↔ entry parts (usually one each; two on one side when a glued
/// part meets its split form, "ABDULRAHMAN" ↔ "ABD" + "RAHMAN" is handled earlier, "XIAOMING" ↔
/// "XIAO" + "MING" here).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    pub query: Vec<usize>,
    pub entry: Vec<usize>,
    pub score: f32,
}

/// How two names line up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NameAlignment {
    pub score: f32,
    pub aligned: Vec<Alignment>,
    /// Query parts with no counterpart.
    pub unmatched_query: Vec<usize>,
    /// Entry parts with no counterpart.
    pub unmatched_entry: Vec<usize>,
    /// Query parts left over while the entry also has parts left over: the names disagree there.
    pub contradicting: usize,
}

/// Cost of a query part the entry does not have (the list may not know a middle name).
const EXTRA_QUERY_COST: f32 = 0.40;
/// Cost of an entry part the traveller does not carry (lists carry long chains of names).
const EXTRA_ENTRY_COST: f32 = 0.20;
/// Cost of a part on each side that matches nothing: the names contradict each other there.
const CONTRADICTION_COST: f32 = 1.0;

fn concat_part<'b>(x: &Part, y: &Part, buf: &'b mut [u8; 2 * MAX_PART + 2]) -> Option<&'b str> {
    let (a, b) = (x.text.as_bytes(), y.text.as_bytes());
    if x.vowelless || y.vowelless || a.len() + b.len() > buf.len() {
        return None;
    }
    buf[..a.len()].copy_from_slice(a);
    buf[a.len()..a.len() + b.len()].copy_from_slice(b);
    std::str::from_utf8(&buf[..a.len() + b.len()]).ok()
}

/// Similarity of one part against two adjacent parts glued together.
fn glued_similarity(single: &Part, x: &Part, y: &Part) -> f32 {
    if single.vowelless || x.vowelless || y.vowelless {
        // in skeleton space: HIDAYATULLAH ↔ هدايت الله, JALALUDDIN ↔ جلال الدين
        let (s, a, b) = (single.skel.as_bytes(), x.skel.as_bytes(), y.skel.as_bytes());
        if a.is_empty() || b.is_empty() || s.len() < 2 {
            return 0.0;
        }
        // written without vowels, the two parts are never much longer than the one
        if !single.vowelless && single.text.len() + 1 < x.text.len() + y.text.len() {
            return 0.0;
        }
        let joined_ok = |b: &[u8]| {
            // a repeated consonant at the seam collapses in the single part's skeleton
            let b = if a.last() == b.first() { &b[1..] } else { b };
            s.len() == a.len() + b.len() && s.starts_with(a) && s.ends_with(b)
        };
        return if joined_ok(b) { 0.92 } else { 0.0 };
    }
    let total = x.text.len() + y.text.len();
    if single.text.len() + 1 < total || single.text.len() > total + 1 {
        return 0.0;
    }
    let mut buf = [0u8; 2 * MAX_PART + 2];
    match concat_part(x, y, &mut buf) {
        Some(glued) => jaro_winkler(&single.text, glued),
        None => 0.0,
    }
}

/// Aligns a query name (a traveller's parts, with per-part weights) with an entry name, order
/// free, and scores it in [0, 1].
///
/// Score = Σ aligned similarity × weight / (Σ aligned weight + costs of the unaligned parts):
/// a missing part costs little, a contradicting one as much as a wrong part.
pub fn align(query: &[Part], q_weights: &[f32], entry: &[Part]) -> NameAlignment {
    let mut cands: Vec<(f32, u32, u32)> = Vec::with_capacity(query.len() * entry.len() + 4);
    for (i, q) in query.iter().enumerate().take(32) {
        for (j, e) in entry.iter().enumerate().take(32) {
            let s = part_similarity(q, e);
            if s >= PART_FLOOR {
                cands.push((s, 1 << i, 1 << j));
            }
        }
    }
    // glued forms: one part against two adjacent ones on the other side
    for (i, q) in query.iter().enumerate().take(32) {
        for j in 0..entry.len().min(32).saturating_sub(1) {
            let s = glued_similarity(q, &entry[j], &entry[j + 1]);
            if s >= 0.9 {
                cands.push((s * 0.98, 1 << i, 0b11 << j));
            }
        }
    }
    for (j, e) in entry.iter().enumerate().take(32) {
        for i in 0..query.len().min(32).saturating_sub(1) {
            let s = glued_similarity(e, &query[i], &query[i + 1]);
            if s >= 0.9 {
                cands.push((s * 0.98, 0b11 << i, 1 << j));
            }
        }
    }
    // best first; on ties prefer the pair that keeps written order (stable: i then j)
    cands.sort_by(|x, y| y.0.total_cmp(&x.0));
    let (mut qused, mut eused) = (0u32, 0u32);
    let mut aligned = Vec::new();
    let mut num = 0.0f32;
    let mut den = 0.0f32;
    for (s, qm, em) in cands {
        if qused & qm != 0 || eused & em != 0 {
            continue;
        }
        qused |= qm;
        eused |= em;
        let qi: Vec<usize> = bits(qm);
        let w = qi
            .iter()
            .map(|&i| q_weights.get(i).copied().unwrap_or(1.0))
            .sum::<f32>()
            / qi.len() as f32;
        num += s * w;
        den += w;
        aligned.push(Alignment {
            query: qi,
            entry: bits(em),
            score: s,
        });
    }
    let unmatched_query: Vec<usize> = (0..query.len()).filter(|i| qused & (1 << i) == 0).collect();
    let unmatched_entry: Vec<usize> = (0..entry.len()).filter(|j| eused & (1 << j) == 0).collect();
    let uq: f32 = unmatched_query
        .iter()
        .map(|&i| q_weights.get(i).copied().unwrap_or(1.0))
        .sum();
    let ue = unmatched_entry.len() as f32;
    let contra = uq.min(ue);
    let cost = contra * CONTRADICTION_COST
        + (uq - contra) * EXTRA_QUERY_COST
        + (ue - contra) * EXTRA_ENTRY_COST;
    let score = if den > 0.0 { num / (den + cost) } else { 0.0 };
    NameAlignment {
        score,
        aligned,
        contradicting: unmatched_query.len().min(unmatched_entry.len()),
        unmatched_query,
        unmatched_entry,
    }
}

fn bits(mask: u32) -> Vec<usize> {
    (0..32).filter(|i| mask & (1 << i) != 0).collect()
}

#[cfg(test)]
mod tests {
    use super::super::normalise::parts;
    use super::*;

    fn name_score(a: &str, b: &str) -> f32 {
        let q = parts(a);
        let w = vec![1.0; q.len()];
        align(&q, &w, &parts(b)).score
    }

    #[test]
    fn jaro_winkler_agrees_with_strsim() {
        for (a, b) in [
            ("martha", "marhta"),
            ("dixon", "dicksonx"),
            ("kakorere", "kakolele"),
            ("a", "b"),
            ("fazl", "fazel"),
        ] {
            let ours = jaro_winkler(a, b);
            let theirs = strsim::jaro_winkler(a, b) as f32;
            assert!((ours - theirs).abs() < 1e-4, "{a} {b}: {ours} vs {theirs}");
        }
    }

    #[test]
    fn order_does_not_matter() {
        assert!((name_score("SMITH JOHN", "JOHN SMITH") - 1.0).abs() < 1e-6);
    }

    #[test]
    fn missing_middle_costs_little_contradicting_costs_a_lot() {
        let missing = name_score("JOHN SMITH", "JOHN PAUL SMITH");
        let contra = name_score("JOHN PETER SMITH", "JOHN PAUL SMITH");
        assert!(missing > 0.85, "{missing}");
        assert!(contra < 0.75, "{contra}");
    }

    #[test]
    fn initials_match_their_names() {
        assert!(name_score("J SMITH", "JOHN SMITH") > 0.85);
        assert!(name_score("K SMITH", "JOHN SMITH") < 0.7);
    }

    #[test]
    fn spelling_variants_score_high() {
        for (a, b) in [
            ("FAZL RAHIM", "FAZEL RAHIM"),
            ("KHALAF ALI", "KALAF ALI"),
            ("RAMI MAKHLOUF", "RAMI MAKHLUF"),
            ("ULADZIMIR SLIZHEUSKI", "VLADIMIR SLIZHEVSKY"),
            ("ALI AL-BTHALY", "ALI AL-BATHALI"),
            ("ABD AL MUNHIM", "ABD-AL-MUNIM"),
            ("MUAMMAR QADDAFI", "MOAMMAR GADDAFI"),
            ("ABDULRAHMAN YASIN", "ABDUL RAHMAN YASIN"),
            ("ALRAHMAN HASSAN", "AL RAHMAN HASSAN"),
            ("WANG XIAOMING", "WANG XIAO MING"),
        ] {
            let s = name_score(a, b);
            assert!(s >= 0.85, "{a} / {b}: {s}");
        }
    }

    #[test]
    fn arabic_script_matches_latin() {
        let s = name_score("صدام حسين التكريتي", "SADDAM HUSSEIN AL-TIKRITI");
        assert!(s >= 0.85, "{s}");
    }

    #[test]
    fn different_names_score_low() {
        for (a, b) in [
            ("JOHN SMITH", "PETER JONES"),
            ("GEORGE BUSH", "GEORGE HABBASH"),
            ("LI WU", "LU WU"),
        ] {
            let s = name_score(a, b);
            assert!(s < 0.75, "{a} / {b}: {s}");
        }
    }

    #[test]
    fn osa_le1() {
        assert!(osa_distance_le1(b"abc", b"acb"));
        assert!(osa_distance_le1(b"abc", b"abd"));
        assert!(osa_distance_le1(b"abc", b"ab"));
        assert!(osa_distance_le1(b"abc", b"xabc"));
        assert!(!osa_distance_le1(b"abc", b"xyz"));
        assert!(!osa_distance_le1(b"abcd", b"ab"));
    }
}
