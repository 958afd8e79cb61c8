//! Blocking keys: the hashed strings under which a name is filed in the index, chosen so that a
//! variant spelling of a part shares at least one key with it.
//!
//! Per part: the canonical text and its one-deletion neighbourhood (SymSpell, lossless for one
//! edit), the consonant skeleton and its one-deletion neighbourhood (transliteration drift), the
//! text without a glued article, and for an uncommon part whose h the skeleton drops, the
//! skeleton that keeps h with its one-deletion neighbourhood, and for a part with TH or DH the
//! skeleton of its reading as S / Z (HARITH / HARIS). Per pair of parts: the two skeletons
//! together, so that two common parts ("Muhammad Ali") still make a selective key, also with
//! TH / DH parts read.

use super::normalise::{DZ, Part, interdental_reading, strip_article};
use smallvec::SmallVec;
use std::hash::{Hash, Hasher};

/// Which family a key belongs to; part of the hash, and used to weigh evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// The canonical text itself.
    Exact,
    /// Text or its one-deletion variants.
    TextDeletion,
    /// Skeleton or its one-deletion variants.
    Skeleton,
    /// The skeleton that keeps h (see `Part::hskel`).
    HSkeleton,
    /// That skeleton and its one-deletion variants, for uncommon parts written with vowels.
    /// Looser than the other variant keys: a list too long to propose from is read to confirm
    /// parts only up to a shorter length (see `index::Index::candidates`).
    HSkeletonDeletion,
    /// Two parts of one name together.
    Pair,
    /// The first four letters of a long part (SHERAZ under SHER, JONGMIN under JONG): a short
    /// form or a name written as the start of a longer one.
    Prefix,
}

/// Parts at least this long are also filed under their first [`PREFIX_LEN`] letters.
const PREFIX_MIN_LEN: usize = 6;
const PREFIX_LEN: usize = 4;

/// A hashed key with its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NameKey {
    pub kind: KeyKind,
    pub hash: u64,
}

fn key(kind: KeyKind, s: &[u8]) -> NameKey {
    let mut h = rustc_hash::FxHasher::default();
    (kind as u8).hash(&mut h);
    s.hash(&mut h);
    NameKey {
        kind,
        hash: h.finish(),
    }
}

/// The exact-text key of a part alone (what its document frequency is counted under).
pub fn exact_key(p: &Part) -> NameKey {
    key(KeyKind::Exact, p.text().as_bytes())
}

/// Calls `f` with `s` and each string made by deleting one byte of it (duplicates possible).
fn with_deletions(s: &[u8], mut f: impl FnMut(&[u8])) {
    f(s);
    let mut buf = [0u8; 64];
    if s.len() > buf.len() {
        return;
    }
    for i in 0..s.len() {
        if i > 0 && s[i] == s[i - 1] {
            continue; // same variant as the previous deletion
        }
        buf[..i].copy_from_slice(&s[..i]);
        buf[i..s.len() - 1].copy_from_slice(&s[i + 1..]);
        f(&buf[..s.len() - 1]);
    }
}

/// The block form of a part for pair and birth-year keys: the skeleton when it is distinctive,
/// else the text.
pub(crate) fn block(p: &Part) -> &[u8] {
    if p.skel().len() >= 2 {
        p.skel().as_bytes()
    } else {
        p.text().as_bytes()
    }
}

/// Calls `f` with every string made by deleting two bytes of `s` (duplicates possible).
fn with_double_deletions(s: &[u8], mut f: impl FnMut(&[u8])) {
    let mut buf = [0u8; 64];
    if s.len() > buf.len() || s.len() < 3 {
        return;
    }
    for i in 0..s.len() {
        for j in i + 1..s.len() {
            let mut n = 0;
            for (k, &c) in s.iter().enumerate() {
                if k != i && k != j {
                    buf[n] = c;
                    n += 1;
                }
            }
            f(&buf[..n]);
        }
    }
}

/// Parts at least this long also get two-deletion keys (two edits in a long part, as in
/// SLIZHEUSKI / SLIZHEVSKY, still leave a recognisable name).
const DOUBLE_DELETION_LEN: usize = 10;

/// The keys of a skeleton: it and its one-deletion variants; shorter than four, it alone
/// (shorter skeletons lose too much by a deletion: "kn" is in half the names).
fn skeleton_keys(sk: &[u8], out: &mut Vec<NameKey>) {
    if sk.len() >= 4 {
        with_deletions(sk, |v| out.push(key(KeyKind::Skeleton, v)));
    } else if !sk.is_empty() {
        out.push(key(KeyKind::Skeleton, sk));
    }
}

/// Keys of one part, appended to `out`.
pub fn part_keys(p: &Part, out: &mut Vec<NameKey>) {
    let text = p.text().as_bytes();
    if !p.vowelless {
        out.push(key(KeyKind::Exact, text));
        if text.len() >= 4 {
            with_deletions(text, |v| out.push(key(KeyKind::TextDeletion, v)));
        }
        if text.len() >= DOUBLE_DELETION_LEN {
            with_double_deletions(text, |v| out.push(key(KeyKind::TextDeletion, v)));
        }
        if text.len() >= PREFIX_MIN_LEN && p.text().is_char_boundary(PREFIX_LEN) {
            out.push(key(KeyKind::Prefix, &text[..PREFIX_LEN]));
        }
        if let Some(rest) = strip_article(p.text(), false) {
            out.push(key(KeyKind::Exact, rest.as_bytes()));
            with_deletions(rest.as_bytes(), |v| out.push(key(KeyKind::TextDeletion, v)));
            let sk = super::normalise::skeleton(rest);
            out.push(key(KeyKind::Skeleton, sk.as_bytes()));
        }
        if p.interdental
            && let Some(read) = interdental_reading(p.text())
        {
            // TH read S, DH read Z (OTHMAN / OSMAN, KADHIM / KAZIM): filed under that reading's
            // skeleton as under its own (`similarity::interdental_similarity` relies on it)
            skeleton_keys(super::normalise::skeleton(&read).as_bytes(), out);
        }
    }
    let sk = p.skel().as_bytes();
    skeleton_keys(sk, out);
    let hs = p.hskel().as_bytes();
    if hs.len() >= 2 {
        out.push(key(KeyKind::HSkeleton, hs));
    }
    if hs.len() >= 3 && hs != sk && !p.vowelless && !super::is_common_part(p) {
        // an h the plain skeleton drops may be all that links two spellings: FARAH / FARHAN,
        // SHER / SHAKER meet at FRH, SHR (a part written without vowels has only its
        // consonants: their deletions would link it to too much)
        if hs.len() >= 4 {
            with_deletions(hs, |v| out.push(key(KeyKind::HSkeletonDeletion, v)));
        } else {
            out.push(key(KeyKind::HSkeletonDeletion, hs));
        }
    }
    if p.vowelless && sk.contains(&(DZ as u8)) {
        // the D/Z marker files the part under both readings
        for r in [b'd', b's'] {
            let swap = |s: &[u8]| -> Vec<u8> {
                s.iter()
                    .map(|&c| if c == DZ as u8 { r } else { c })
                    .collect()
            };
            skeleton_keys(&swap(sk), out);
            out.push(key(KeyKind::HSkeleton, &swap(hs)));
        }
    }
    out.sort_unstable_by_key(|k| k.hash);
    out.dedup();
}

/// Keys a traveller's part is looked up under: its own [`part_keys`], plus the prefix links
/// that only make sense one way round: a short part finds the long entry parts it begins
/// (SHER → SHERAZ), a long part finds the short entry part it begins with (MUSAVI → MUSA).
pub fn probe_part_keys(p: &Part, out: &mut Vec<NameKey>) {
    part_keys(p, out);
    let text = p.text();
    if p.vowelless {
        return;
    }
    if text.len() == 3 {
        // a three-letter part has no deletion keys of its own (two letters select nothing), but
        // four-letter entry parts one letter longer are filed under it: CHO finds CHOL, CHOI
        out.push(key(KeyKind::TextDeletion, text.as_bytes()));
    }
    if !text.is_char_boundary(PREFIX_LEN.min(text.len())) {
        return;
    }
    if (PREFIX_LEN..PREFIX_MIN_LEN).contains(&text.len()) {
        out.push(key(KeyKind::Prefix, &text.as_bytes()[..PREFIX_LEN]));
    } else if text.len() >= PREFIX_MIN_LEN {
        let head = &text.as_bytes()[..PREFIX_LEN];
        out.push(key(KeyKind::Exact, head));
        // and the five-letter entry parts one letter longer: MOUSAVI finds MOUSA, HAMDANI HAMDI
        out.push(key(KeyKind::TextDeletion, head));
    }
}

/// The key of two block forms together, in either order.
fn pair_key(a: &[u8], b: &[u8]) -> NameKey {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let len = lo.len() + 1 + hi.len();
    let mut buf = [0u8; 130];
    let mut long = Vec::new();
    let joined: &mut [u8] = if len <= buf.len() {
        &mut buf[..len]
    } else {
        long.resize(len, 0);
        &mut long
    };
    joined[..lo.len()].copy_from_slice(lo);
    joined[lo.len()] = b' ';
    joined[lo.len() + 1..].copy_from_slice(hi);
    key(KeyKind::Pair, joined)
}

/// Pair keys of a name (first eight parts), appended to `out`.
pub fn pair_keys(parts: &[Part], out: &mut Vec<NameKey>) {
    let n = parts.len().min(8);
    for i in 0..n {
        for j in i + 1..n {
            // one key for every pair, however long its parts: the index reads a pair key's
            // query parts from its position
            out.push(pair_key(block(&parts[i]), block(&parts[j])));
        }
    }
}

/// The block form of a part's interdental reading (TH read S, DH read Z: see
/// [`interdental_reading`]), for pair and birth-year keys; `None` when the part has neither.
pub fn read_block(p: &Part) -> Option<String> {
    if !p.interdental {
        return None;
    }
    let read = interdental_reading(p.text())?;
    let sk = super::normalise::skeleton(&read);
    Some(if sk.len() >= 2 { sk } else { read })
}

/// The pair keys of a name's parts read another way, which [`pair_keys`] leaves out: for each
/// pair of the first eight parts of which one or both have an interdental reading
/// ([`read_block`]), the keys with either or both read, each with the bits of its two parts.
/// Both sides need them: OTHMAN read is OSMAN's block, OSMAN is OTHMAN's read one, and THABIT as
/// written still pairs with TABIT.
pub fn read_pair_keys(parts: &[Part], mut f: impl FnMut(NameKey, u32)) {
    let n = parts.len().min(8);
    let read: SmallVec<[Option<String>; 8]> = parts[..n].iter().map(read_block).collect();
    if read.iter().all(Option::is_none) {
        return;
    }
    for i in 0..n {
        for j in i + 1..n {
            if read[i].is_none() && read[j].is_none() {
                continue;
            }
            let a = [
                Some(block(&parts[i])),
                read[i].as_deref().map(str::as_bytes),
            ];
            let b = [
                Some(block(&parts[j])),
                read[j].as_deref().map(str::as_bytes),
            ];
            for (x, ra) in a.iter().enumerate() {
                for (y, rb) in b.iter().enumerate() {
                    let (Some(ra), Some(rb)) = (ra, rb) else {
                        continue;
                    };
                    if x + y == 0 {
                        continue; // as written: `pair_keys`
                    }
                    f(pair_key(ra, rb), 1 << i | 1 << j);
                }
            }
        }
    }
}

/// Keys of two adjacent parts glued together (SALAH ALDIN = SALAHALDIN, هدايت الله =
/// HIDAYATULLAH): the joined skeleton, and the joined text when neither is vowelless.
pub fn glued_keys(x: &Part, y: &Part, out: &mut Vec<NameKey>) {
    let mut buf = [0u8; 130];
    let (a, b) = (x.hskel().as_bytes(), y.hskel().as_bytes());
    if !a.is_empty() && !b.is_empty() && a.len() + b.len() <= buf.len() {
        // a consonant repeated at the seam collapses, as in the skeleton of the glued form
        let b = if a.last() == b.first() { &b[1..] } else { b };
        buf[..a.len()].copy_from_slice(a);
        buf[a.len()..a.len() + b.len()].copy_from_slice(b);
        if !b.is_empty() && a.len() + b.len() >= 3 {
            out.push(key(KeyKind::HSkeleton, &buf[..a.len() + b.len()]));
        }
    }
    if !x.vowelless && !y.vowelless {
        let (a, b) = (x.text().as_bytes(), y.text().as_bytes());
        if a.len() + b.len() <= buf.len() {
            buf[..a.len()].copy_from_slice(a);
            buf[a.len()..a.len() + b.len()].copy_from_slice(b);
            out.push(key(KeyKind::Exact, &buf[..a.len() + b.len()]));
        }
    }
}

/// Parts at most this long are syllables of a name that may be written glued or apart (MYUNG HO,
/// BYUNGHO).
const SYLLABLE_LEN: usize = 5;

/// Keys a traveller's two adjacent parts are looked up under: their [`glued_keys`], and when both
/// are short, the one-deletion variants of the glued text, which entry parts are filed under:
/// MYUNG HO finds BYUNGHO, as MYUNGHO would.
pub fn probe_glued_keys(x: &Part, y: &Part, out: &mut Vec<NameKey>) {
    glued_keys(x, y, out);
    let (a, b) = (x.text().as_bytes(), y.text().as_bytes());
    if x.vowelless || y.vowelless || a.len() > SYLLABLE_LEN || b.len() > SYLLABLE_LEN {
        return;
    }
    let mut buf = [0u8; 2 * SYLLABLE_LEN];
    buf[..a.len()].copy_from_slice(a);
    buf[a.len()..a.len() + b.len()].copy_from_slice(b);
    let glued = &buf[..a.len() + b.len()];
    if glued.len() >= 5 {
        with_deletions(glued, |v| out.push(key(KeyKind::TextDeletion, v)));
    }
}

/// Every key of a name: part keys of each part, glued keys of adjacent parts, then pair keys
/// (also those with TH / DH parts read: [`read_pair_keys`]).
pub fn name_keys(parts: &[Part]) -> Vec<NameKey> {
    let mut out = Vec::new();
    let mut tmp = Vec::new();
    for p in parts {
        tmp.clear();
        part_keys(p, &mut tmp);
        out.extend_from_slice(&tmp);
    }
    for w in parts.windows(2) {
        glued_keys(&w[0], &w[1], &mut out);
    }
    pair_keys(parts, &mut out);
    read_pair_keys(parts, |k, _| out.push(k));
    out.sort_unstable_by_key(|k| k.hash);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::super::normalise::parts;
    use super::*;

    fn share_a_key(a: &str, b: &str) -> bool {
        let (pa, pb) = (&parts(a)[0], &parts(b)[0]);
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        part_keys(pa, &mut ka);
        part_keys(pb, &mut kb);
        ka.iter().any(|k| kb.contains(k))
    }

    #[test]
    fn variants_share_keys() {
        for (a, b) in [
            ("makhlouf", "makhluf"),
            ("fazl", "fazel"),
            ("slizheuski", "slizhevsky"),
            ("bthaly", "bathali"),
            ("alrahman", "rahman"),
            ("qaddafi", "gaddafi"),
            ("التكريتي", "tikriti"),
            ("munhim", "munim"),
            ("othman", "osman"),
            ("kadhim", "kazim"),
            ("haritha", "harisa"),
        ] {
            assert!(share_a_key(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn every_pair_has_a_key_however_long_its_parts() {
        // a part whose skeleton alone is longer than a pair key's buffer
        let long = "BARAKAT".repeat(40);
        let parts = crate::names::parts(&format!("OMAR {long} HASSAN"));
        assert_eq!(parts.len(), 3);
        assert!(parts[1].skel().len() > 130);
        let mut out = Vec::new();
        pair_keys(&parts, &mut out);
        assert_eq!(out.len(), 3);
        let mut short = Vec::new();
        pair_keys(&crate::names::parts("OMAR HASSAN"), &mut short);
        // pairs come as (0, 1), (0, 2), (1, 2): the second is the short parts' own
        assert_eq!(out[1], short[0]);
    }

    #[test]
    fn a_pair_read_with_its_interdentals_meets_the_pair_written_with_sibilants() {
        let read = |name: &str| {
            let mut v = Vec::new();
            read_pair_keys(&parts(name), |k, m| v.push((k, m)));
            v
        };
        let mut plain = Vec::new();
        pair_keys(&parts("MOHAMED OSMAN"), &mut plain);
        // OTHMAN read is OSMAN: the pair as read is the written pair's key, on query parts 0, 1
        assert!(read("OTHMAN MOHAMED").contains(&(plain[0], 0b11)));
        // and a name with neither TH nor DH has no read pairs
        assert!(read("MOHAMED OSMAN").is_empty());
        // only pairs with a read part: the third part's own pair with the first is not repeated
        let three = read("OTHMAN ALI HASSAN");
        assert!(three.iter().all(|&(_, m)| m & 1 != 0), "{three:?}");
    }

    #[test]
    fn pair_keys_ignore_order() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        pair_keys(&parts("MUHAMMAD ALI"), &mut a);
        pair_keys(&parts("ALI MOHAMMED"), &mut b);
        assert_eq!(a, b);
    }
}
