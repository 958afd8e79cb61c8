//! How similar two name parts are, and how two whole names align part by part.

use super::normalise::{Part, interdental_reading, strip_article};
use serde::Serialize;
use smallvec::SmallVec;

/// Below this a pair of parts is not an alignment at all.
pub const PART_FLOOR: f32 = 0.66;

/// Raw Jaro-Winkler at which two parts align even without a shared blocking key.
const STRONG_JW: f32 = 0.90;

/// The raw Jaro-Winkler below which a calibrated score is under [`PART_FLOOR`].
const RAW_FLOOR: f32 = 1.0 - (1.0 - PART_FLOOR) / 1.8;

/// Whether Jaro-Winkler is surely below [`RAW_FLOOR`], from letter sets: no more characters
/// can match than those of each side whose letter the other side has. With `m` such characters,
/// Jaro is at most `(m/la + m/lb + 1) / 3` and Jaro-Winkler at most `0.6 Jaro + 0.4`; the test
/// is rearranged to multiplications, with a margin so that rounding never rejects a pair the
/// exact bound would keep.
fn jaro_winkler_below_floor(a: &Part, b: &Part) -> bool {
    let count_in = |x: &str, mask: u32| -> u32 {
        x.bytes()
            .map(|c| u32::from(!c.is_ascii_lowercase() || mask & (1 << (c - b'a')) != 0))
            .sum()
    };
    let (la, lb) = (a.text().len() as f32, b.text().len() as f32);
    if la == 0.0 || lb == 0.0 {
        return true;
    }
    // 0.6 (m/la + m/lb + 1) / 3 + 0.4 < RAW_FLOOR  ⇔  m/la + m/lb < 5 (RAW_FLOOR - 0.4) - 1
    const K: f32 = 5.0 * (RAW_FLOOR - 0.4) - 1.0 - 1e-4;
    let m = count_in(a.text(), b.letters).min(count_in(b.text(), a.letters)) as f32;
    m * (la + lb) < K * la * lb
}

/// Spreads Jaro-Winkler's crowded top range: unrelated names of similar shape score 0.80–0.88
/// raw, so raw 0.90 becomes 0.82 and raw 0.85 becomes 0.73; 1 stays 1.
fn calibrate(jw: f32) -> f32 {
    (1.0 - 1.8 * (1.0 - jw)).max(0.0)
}

/// Score given when two parts share a consonant skeleton of at least three consonants.
const SKELETON_EQUAL: f32 = 0.92;
/// Skeletons of two consonants collide more often; they need some surface similarity too.
const SKELETON_EQUAL_SHORT: f32 = 0.86;

/// Longest part compared with the stack buffers below; longer parts fall back to exact equality
/// plus strsim on the full strings.
const MAX_PART: usize = 48;

/// Similarity of two parts in [0, 1]: symmetric, 1 for equal parts.
pub fn part_similarity(a: &Part, b: &Part) -> f32 {
    let plain = spelling_similarity(a, b);
    if plain >= INTERDENTAL_FACTOR || !(a.interdental || b.interdental) {
        // (a part in Arabic script reads its interdentals both ways already: `DZ`)
        return plain;
    }
    plain.max(interdental_similarity(a, b))
}

/// A part whose TH or DH is read as S or Z scores this much of what its reading scores.
const INTERDENTAL_FACTOR: f32 = 0.95;

/// Similarity of two parts once the Arabic interdentals of each are read the other way
/// (HARITH / HARIS, KADHIM / KAZIM: see [`interdental_reading`]); zero when neither part has
/// TH or DH, or unless the read skeletons are equal, or one edit apart with both at least four
/// long: what the blocking keys link (the index files a part with TH or DH under its read
/// skeleton, and that skeleton's one-deletion variants when it is four long or more, as it files
/// every part under its own).
fn interdental_similarity(a: &Part, b: &Part) -> f32 {
    let read = |p: &Part| {
        p.interdental
            .then(|| interdental_reading(p.text()))
            .flatten()
    };
    let (ra, rb) = (read(a), read(b));
    if ra.is_none() && rb.is_none() {
        return 0.0;
    }
    let (pa, pb) = (
        ra.map(|t| Part::new(&t, false)),
        rb.map(|t| Part::new(&t, false)),
    );
    let (x, y) = (pa.as_ref().unwrap_or(a), pb.as_ref().unwrap_or(b));
    let (sx, sy) = (x.skel().as_bytes(), y.skel().as_bytes());
    let linked =
        (!sx.is_empty() && sx == sy) || (sx.len().min(sy.len()) >= 4 && osa_distance_le1(sx, sy));
    if !linked {
        return 0.0;
    }
    INTERDENTAL_FACTOR * spelling_similarity(x, y)
}

/// [`part_similarity`] of the parts as written.
fn spelling_similarity(a: &Part, b: &Part) -> f32 {
    if a.text() == b.text() {
        return 1.0;
    }
    // An initial matches a part with the same first letter.
    if (a.text().len() == 1 || b.text().len() == 1) && !a.vowelless && !b.vowelless {
        return if a.text().as_bytes()[0] == b.text().as_bytes()[0] {
            0.85
        } else {
            0.0
        };
    }
    if a.vowelless || b.vowelless {
        return vowelless_similarity(a, b);
    }
    if nisba_of(a.text(), b.text()) || nisba_of(b.text(), a.text()) {
        // MOHAMMAD / MOHAMMADI, HASHIM / HASHIMI, RASHID / RASHIDI: a name and the family
        // name made from it are different names
        return NISBA;
    }
    // Below RAW_FLOOR, Jaro-Winkler cannot reach the floor. Unless the skeletons agree or an
    // article is glued on (the only rules below that score without Jaro-Winkler), the parts are
    // then unrelated, and what exactly they score under the floor matters to no alignment; most
    // pairs a traveller meets end here, most of them before the quadratic part.
    let raw = if jaro_winkler_below_floor(a, b) {
        0.0
    } else {
        jaro_winkler(a.text(), b.text())
    };
    if raw < RAW_FLOOR
        && a.skel() != b.skel()
        && strip_article(a.text(), false).is_none()
        && strip_article(b.text(), false).is_none()
    {
        return 0.0;
    }
    if raw < STRONG_JW && !index_visible(a, b) {
        // Pairs no blocking key connects count only when they are strongly alike; weaker ones
        // would be found by a full scan and missed by the index (see `index_visible`).
        return 0.0;
    }
    let mut best = calibrate(raw);
    if best < 1.0 {
        let sa = strip_article(a.text(), false);
        let sb = strip_article(b.text(), false);
        if sa.is_some() || sb.is_some() {
            let x = sa.unwrap_or(a.text());
            let y = sb.unwrap_or(b.text());
            // a glued article is not quite the same name
            best = best.max(0.97 * calibrate(jaro_winkler(x, y)));
        }
    }
    // the same consonants in a similar spelling: QADDAFI / KADHAFI, MAKHLOUF / MAKHLUF (not
    // KALIM / GHOLAMI, whose skeletons agree but whose spellings do not)
    // two edits only in long parts: LONG / LIANG and CONG / CHENG are different names
    let edits = if a.text().len().min(b.text().len()) >= 6 && a.skel().len() >= 3 {
        2
    } else {
        1
    };
    if a.skel() == b.skel()
        && a.skel().len() >= 2
        && (levenshtein_le(a.text(), b.text(), edits)
            || digraphs_folded_within(a.text(), b.text(), edits))
    {
        let s = if a.skel().len() >= 3 {
            SKELETON_EQUAL
        } else {
            SKELETON_EQUAL_SHORT
        };
        best = best.max(s);
    }
    // the same letters once the vowels and the letters that Latin spellings of one Arabic
    // letter swap are folded: KASSEM / QASIM, QADER / KADIR (more edits apart than the rule
    // above allows, but not one letter more than a spelling convention)
    // (a skeleton of one letter is enough for parts of four letters or more: IURII / YURI)
    if best < SPELLING_FOLDED
        && a.skel() == b.skel()
        && !a.skel().is_empty()
        && a.text().len().min(b.text().len()) >= 4
        && spelling_folded_equal(a.text(), b.text())
    {
        best = SPELLING_FOLDED;
    }
    // short parts that differ only in how a consonant is romanised: DO / TO, CHO / JO, CHA / JA
    // (Korean), AROUN / HAROUN; the vowels must agree, so LI / LU and KALIM / GHOLAMI stay apart
    if best < SHORT_ROMANISATION
        && (a.text().len().max(b.text().len()) <= 4 || ch_for_j(a.text(), b.text()))
        && !a.skel().is_empty()
        && a.skel() == b.skel()
        && a.text().len().abs_diff(b.text().len()) <= 1
        && same_vowels(a.text(), b.text())
        // a consonant for a consonant: ADAI / TAHA share a skeleton and vowels, not a sound
        && starts_with_vowel(a.text()) == starts_with_vowel(b.text())
    {
        best = SHORT_ROMANISATION;
    }
    // a consonant H, W or Y for another is a different syllable, not a spelling: MINGHAO /
    // MINGYAO, JUNHAO / JUNYAO, AWAD / AYAD (the skeleton drops all three, so its rules and
    // Jaro-Winkler alone would call them variants)
    if best > GLIDE_SWAPPED && glides_differ(a.text(), b.text()) {
        return GLIDE_SWAPPED;
    }
    // the nisba of another spelling is no closer than the nisba itself (HASHEM / HASHIMI,
    // DARWISH / DARVISHI: as HASHIM / HASHIMI); only ever lowers a score
    if best > NISBA && (nisba_like(a.text(), b.text()) || nisba_like(b.text(), a.text())) {
        return NISBA;
    }
    best
}

/// The Korean syllables McCune-Reischauer writes with CH and the revised romanisation with J
/// (CHANG / JANG, CHIN / JIN, CHOL / JOL): one part is the other with its J written CH. Applied
/// to every name, so Chinese and German ones meet too (Wade-Giles CHANG is the JANG of the same
/// character; Cantonese CHUNG meets German JUNG): the other parts must still agree.
fn ch_for_j(a: &str, b: &str) -> bool {
    let one = |x: &str, y: &str| {
        x.strip_prefix("ch")
            .zip(y.strip_prefix('j'))
            .is_some_and(|(p, q)| p == q && p.len() <= 3)
    };
    one(a, b) || one(b, a)
}

/// The most two parts score whose consonant H, W and Y differ ([`glides_differ`]): under
/// [`PART_FLOOR`], so they count as different names.
const GLIDE_SWAPPED: f32 = 0.6;

/// Whether the parts' H, W and Y before a vowel or another of the three (an H not in a
/// digraph: not the H of SH, KH, TH …) are as many in each but not as many of each letter: a
/// W or Y where the other part has an H, or a W where it has a Y (JUNHAO / JUNYAO, HONGWEI /
/// HONGHUI, AWAD / AYAD). An added or dropped one (DAOUD / DAWUD, YAHYA / YEHIA) says nothing.
fn glides_differ(a: &str, b: &str) -> bool {
    fn glides(t: &[u8]) -> impl Iterator<Item = u8> + '_ {
        (0..t.len()).filter_map(move |i| {
            let c = t[i];
            // (NG then H is two syllables in pinyin: MINGHAO)
            let digraph = c == b'h'
                && i > 0
                && (matches!(t[i - 1], b's' | b'c' | b'z' | b'k' | b't' | b'd' | b'p')
                    || (t[i - 1] == b'g' && (i < 2 || t[i - 2] != b'n')));
            // (before another of the three too: the H of YAHYA, against YEHIA's)
            let next = t.get(i + 1);
            let before = is_vowel(next) || matches!(next, Some(b'h' | b'w' | b'y'));
            (matches!(c, b'h' | b'w' | b'y') && !digraph && before).then_some(c)
        })
    }
    // counted by letter, not by place: HWANG / WHANG is one name
    let count = |t: &str| {
        glides(t.as_bytes()).fold([0u8; 3], |mut n, c| {
            n[(c == b'w') as usize + 2 * (c == b'y') as usize] += 1;
            n
        })
    };
    let (x, y) = (count(a), count(b));
    x.iter().sum::<u8>() == y.iter().sum::<u8>() && x != y
}

/// Score of a name against the family name formed from it with -i.
const NISBA: f32 = 0.70;

/// `long` is `short` + "i", as a nisba or Persian family name is formed.
fn nisba_of(short: &str, long: &str) -> bool {
    // KOTE / KOTEY is a spelling, not a nisba: short stems and -y are left to the other rules
    // ABDULLAHI is how West Africa and Somalia write ABDULLAH, not a nisba of it
    // DMITRII is how Russian passports write DMITRI (-ий, ICAO 9303), not a nisba of it
    short.len() >= 5
        && !ends_ullah(short)
        && !short.ends_with(['i', 'y'])
        && long.len() == short.len() + 1
        && long.starts_with(short)
        && long.ends_with('i')
}

/// ABDULLAH, CABDULLAAH: names West Africa and Somalia write with a final -i too (ABDULLAHI),
/// not as a nisba.
fn ends_ullah(t: &str) -> bool {
    t.ends_with("llah") || t.ends_with("laah")
}

/// `long` less its -i is close to `short`, in another spelling than [`nisba_of`]'s (the same
/// first letter, both ending in a consonant, H counting as one and W, Y as vowels; folded
/// equal or Jaro-Winkler [`NISBA_STEM_JW`] or more): HASHEM / HASHIMI, DARWISH / DARVISHI,
/// MUHAMMAD / MOHAMADI. Used only to lower a score (different names can pass: NASIR / NASIMI).
fn nisba_like(short: &str, long: &str) -> bool {
    let Some(stem) = long.strip_suffix('i') else {
        return false;
    };
    let consonant_end = |t: &str| {
        t.as_bytes()
            .last()
            .is_some_and(|c| !matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w'))
    };
    short.len() >= 5
        && stem.len().abs_diff(short.len()) <= 1
        && !ends_ullah(short)
        && !ends_ullah(stem)
        && consonant_end(short)
        && consonant_end(stem)
        && short.as_bytes()[0] == stem.as_bytes()[0]
        && (spelling_folded_equal(short, stem) || jaro_winkler(short, stem) >= NISBA_STEM_JW)
}

/// How alike `short` and the stem of `long` must be for [`nisba_like`] (DARWISH / DARVISH
/// 0.94).
const NISBA_STEM_JW: f32 = 0.9;

/// Whether two parts are the same letters once e = i and o = u (as in [`vowel_signature`], but
/// letter by letter: AI stays two letters), q = k, c = k (s before e, i, y, as the skeleton
/// reads it), x = ks inside a part (MAXIM / MAKSIM, as the skeleton reads it), and a letter
/// repeated after folding is written once (SS, EE and OU, EI, CK alike); and some of the Y of
/// Russian names as the ICAO 9303 transliteration of Russian passports writes them: an I that
/// begins a part before U, A or E is Y (IURII = YURIY, IULIIA = YULIYA, IAKOV = YAKOV), a Y
/// after I or E at the end or before A is not written (DMITRIY = DMITRII, SERGEY = SERGEI,
/// MARIYA = MARIIA), a Y that ends a part after a consonant is I (DMITRY = DMITRI), and a YO
/// after some consonants is the E that ICAO writes for Ё (FYODOR = FEDOR).
fn spelling_folded_equal(a: &str, b: &str) -> bool {
    fn fold(t: &[u8], out: &mut [u8; MAX_PART]) -> Option<usize> {
        let mut n = 0;
        let mut yo = false;
        for (i, &c) in t.iter().enumerate() {
            if std::mem::take(&mut yo) {
                continue; // the O of a YO read as E
            }
            let c = match c {
                // Ю, Я, Є that begin a name: IU, IA, IE (not IO: IONE is not YONI)
                b'i' if i == 0 && matches!(t.get(1), Some(b'u' | b'a' | b'e')) => b'y',
                // Ё after a consonant: YO, or E as ICAO writes it (FYODOR = FEDOR, SEMYON =
                // SEMEN), in parts of six letters or more, after the consonants Korean and
                // Japanese do not put before YO (KYOKO is not KIKU, HYOJIN not HEEJIN)
                b'y' if t.len() >= 6
                    && i > 0
                    && matches!(
                        t[i - 1],
                        b'f' | b'v' | b't' | b'd' | b'l' | b's' | b'z' | b'm'
                    )
                    && t.get(i + 1) == Some(&b'o') =>
                {
                    yo = true;
                    b'e'
                }
                // -ИЙ, -ЕЙ, -ИЯ: the Y at the end or before A only (JIYOUNG is not JEONG, REYES
                // not REIS)
                b'y' if n > 0
                    && out[n - 1] == b'i'
                    && matches!(t.get(i + 1), None | Some(b'a')) =>
                {
                    continue;
                }
                b'y' if i + 1 == t.len() && i > 0 && !is_vowel(t.get(i - 1)) => b'i',
                c => c,
            };
            if c == b'x' && i > 0 {
                if n >= 2 && out[n - 2..n] == *b"ks" {
                    continue; // XX is one K S
                }
                if n == 0 || out[n - 1] != b'k' {
                    *out.get_mut(n)? = b'k';
                    n += 1;
                }
                *out.get_mut(n)? = b's';
                n += 1;
                continue;
            }
            let f = match c {
                b'e' | b'i' => b'i',
                b'o' | b'u' => b'u',
                b'q' => b'k',
                b'c' if matches!(t.get(i + 1), Some(b'e' | b'i' | b'y')) => b's',
                b'c' => b'k',
                c => c,
            };
            if n > 0 && out[n - 1] == f {
                continue;
            }
            *out.get_mut(n)? = f;
            n += 1;
        }
        Some(n)
    }
    let (mut x, mut y) = ([0u8; MAX_PART], [0u8; MAX_PART]);
    match (fold(a.as_bytes(), &mut x), fold(b.as_bytes(), &mut y)) {
        (Some(n), Some(m)) => x[..n] == y[..m],
        _ => false,
    }
}

/// Score of two parts that are [`spelling_folded_equal`].
const SPELLING_FOLDED: f32 = 0.88;

/// Score of two parts with the same consonant classes and the same vowels.
const SHORT_ROMANISATION: f32 = 0.88;

/// The vowel runs of a part, folded (e = i, o = u, doubled vowels one), written into `out`.
fn vowel_signature(text: &str, out: &mut [u8; MAX_PART]) -> usize {
    let mut n = 0;
    let mut in_run = false;
    for &c in text.as_bytes() {
        let v = match c {
            b'a' => b'a',
            b'e' | b'i' => b'i',
            b'o' | b'u' => b'u',
            _ => {
                in_run = false;
                continue;
            }
        };
        if in_run || n == out.len() {
            continue; // a run counts once, by its first vowel
        }
        out[n] = v;
        n += 1;
        in_run = true;
    }
    n
}

fn same_vowels(a: &str, b: &str) -> bool {
    let (mut x, mut y) = ([0u8; MAX_PART], [0u8; MAX_PART]);
    let (n, m) = (vowel_signature(a, &mut x), vowel_signature(b, &mut y));
    n > 0 && x[..n] == y[..m]
}

/// Whether two Latin parts share a blocking key (see `names::keys`): within one edit (two for
/// parts of ten letters or more), the same skeleton or h-skeleton, skeletons within one edit,
/// or the same after a glued article. Jaro-Winkler alone admits names of similar shape that no
/// key connects; those would be found by a full scan and missed by the index.
fn index_visible(a: &Part, b: &Part) -> bool {
    let long = a.text().len().min(b.text().len()) >= 10;
    if levenshtein_le(a.text(), b.text(), if long { 2 } else { 1 }) {
        return true;
    }
    if (!a.skel().is_empty() && a.skel() == b.skel())
        || (a.hskel().len() >= 2 && a.hskel() == b.hskel())
    {
        return true;
    }
    if a.skel().len().min(b.skel().len()) >= 4
        && osa_distance_le1(a.skel().as_bytes(), b.skel().as_bytes())
    {
        return true;
    }
    let (sa, sb) = (
        strip_article(a.text(), false),
        strip_article(b.text(), false),
    );
    if sa.is_some() || sb.is_some() {
        let (x, y) = (sa.unwrap_or(a.text()), sb.unwrap_or(b.text()));
        return levenshtein_le(x, y, 1);
    }
    false
}

/// Comparison of a part written without short vowels (Arabic script) with any part: in skeleton
/// space, trusting the skeleton that keeps h most.
fn vowelless_similarity(a: &Part, b: &Part) -> f32 {
    if a.vowelless != b.vowelless {
        // a word written with an initial alif begins with a vowel in Latin (AHMAD, IBRAHIM,
        // AMOHAMED): احمد is not HAMAD, whose consonants it shares (the alif of a glued article,
        // as in عبدالحی / ABDUL HAI, is elided in Latin)
        let (v, l) = if a.vowelless { (a, b) } else { (b, a) };
        if v.text().starts_with('a') && !v.text().starts_with("al") && !starts_with_vowel(l.text())
        {
            return 0.0;
        }
    }
    let (ha, hb) = (a.hskel(), b.hskel());
    if !ha.is_empty() && skel_eq(ha, hb) {
        return match ha.len() {
            1 => 0.80,
            2 => 0.88,
            _ => SKELETON_EQUAL,
        };
    }
    if !a.skel().is_empty() && skel_eq(a.skel(), b.skel()) {
        return match a.skel().len() {
            1 => 0.66,
            2 => 0.72,
            _ => 0.84,
        };
    }
    if ha.len().min(hb.len()) >= 4 && osa_distance_le1(ha.as_bytes(), hb.as_bytes()) {
        return 0.82;
    }
    0.0
}

/// Skeleton equality where the D/Z marker of Arabic-script parts equals d, s or itself.
pub fn skel_eq(a: &str, b: &str) -> bool {
    const Z: u8 = super::normalise::DZ as u8;
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).all(|(x, y)| {
            x == y || (x == Z && matches!(y, b'd' | b's')) || (y == Z && matches!(x, b'd' | b's'))
        })
}

/// Whether two parts are within `k` edits once the h of each consonant digraph is dropped
/// (KHALAF → KALAF, SHARIF → SARIF): a digraph writes one sound, so QALAF / KHALAF are one
/// letter apart, not two. False when neither part has such a digraph (nothing new to compare).
fn digraphs_folded_within(a: &str, b: &str, k: usize) -> bool {
    fn fold(t: &[u8], out: &mut [u8; MAX_PART]) -> Option<usize> {
        let mut n = 0;
        for (i, &c) in t.iter().enumerate() {
            if c == b'h' && i > 0 && matches!(t[i - 1], b'k' | b's' | b't' | b'd') {
                continue;
            }
            *out.get_mut(n)? = c;
            n += 1;
        }
        Some(n)
    }
    let (mut x, mut y) = ([0u8; MAX_PART], [0u8; MAX_PART]);
    match (fold(a.as_bytes(), &mut x), fold(b.as_bytes(), &mut y)) {
        (Some(n), Some(m)) if n < a.len() || m < b.len() => {
            levenshtein_le_bytes(&x[..n], &y[..m], k)
        }
        _ => false,
    }
}

/// A part begins with a vowel letter.
fn starts_with_vowel(t: &str) -> bool {
    is_vowel(t.as_bytes().first())
}

/// The letter (if any) is a vowel: a, e, i, o or u.
fn is_vowel(c: Option<&u8>) -> bool {
    matches!(c, Some(b'a' | b'e' | b'i' | b'o' | b'u'))
}

/// Whether the Levenshtein distance of two short ASCII strings is at most `k`.
fn levenshtein_le(a: &str, b: &str, k: usize) -> bool {
    levenshtein_le_bytes(a.as_bytes(), b.as_bytes(), k)
}

fn levenshtein_le_bytes(a: &[u8], b: &[u8], k: usize) -> bool {
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    if a.len() > MAX_PART || b.len() > MAX_PART {
        return false;
    }
    let mut prev = [0usize; MAX_PART + 1];
    let mut cur = [0usize; MAX_PART + 1];
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
            row_min = row_min.min(cur[j]);
        }
        if row_min > k {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= k
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
    let (matches, transpositions) = if a.iter().chain(b).all(u8::is_ascii_lowercase) {
        jaro_counts_bits(a, b, window)
    } else {
        jaro_counts(a, b, window)
    };
    if matches == 0 {
        return 0.0;
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

/// Jaro's matching characters and transpositions: each character of `a` takes the first
/// unmatched equal character of `b` within `window` of its position.
fn jaro_counts(a: &[u8], b: &[u8], window: usize) -> (usize, usize) {
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
    (matches, transpositions)
}

/// [`jaro_counts`] for lower-case ASCII of at most [`MAX_PART`] bytes, with one bit per
/// position of `b`: the same choices (the lowest free position in the window), without the
/// inner scan.
fn jaro_counts_bits(a: &[u8], b: &[u8], window: usize) -> (usize, usize) {
    debug_assert!(a.len() <= MAX_PART && b.len() <= MAX_PART);
    let mut at = [0u64; 26];
    for (j, &c) in b.iter().enumerate() {
        at[usize::from(c - b'a')] |= 1 << j;
    }
    let (mut a_used, mut b_used) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        if lo >= hi {
            continue;
        }
        let in_window = ((1u64 << hi) - 1) & !((1u64 << lo) - 1);
        let free = at[usize::from(ca - b'a')] & in_window & !b_used;
        if free != 0 {
            b_used |= free & free.wrapping_neg();
            a_used |= 1 << i;
            matches += 1;
        }
    }
    let mut transpositions = 0usize;
    let (mut am, mut bm) = (a_used, b_used);
    while am != 0 {
        let (i, j) = (am.trailing_zeros() as usize, bm.trailing_zeros() as usize);
        if a[i] != b[j] {
            transpositions += 1;
        }
        am &= am - 1;
        bm &= bm - 1;
    }
    (matches, transpositions)
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

/// How much an alignment of similarity `s` supports the names being the same: close to `s` for
/// strong similarities, much less for weak ones (0.92 → 0.91, 0.85 → 0.77, 0.73 → 0.43,
/// 0.66 → 0.22), so a name cannot pass on parts that are only vaguely alike.
fn evidence(s: f32) -> f32 {
    let d = ((1.0 - s) / 0.4).clamp(0.0, 1.0);
    1.0 - d * d.sqrt()
}

/// Cost of a query part the entry does not have (the list may not know a middle name).
const EXTRA_QUERY_COST: f32 = 0.30;

/// Honorifics and religious or tribal titles that lists and passports carry inconsistently
/// and that are also names (SHEIKH, HAFIZ, IMAM, MUFTI, MOLLA …): aligned or not, they weigh
/// little. The titles that are never names (HAJI, MULLAH, QARI …) are dropped when a name is
/// split.
const HONORIFICS: &[&str] = &[
    "hajj", "sheikh", "shaykh", "shaikh", "sheik", "imam", "hafiz", "ustad", "ustaz", "sayyid",
    "sayyed", "mufti", "molla", "mulla",
];

/// How much a part counts in a name: honorifics little, very common parts ("Muhammad") half.
pub fn part_weight(p: &Part) -> f32 {
    if HONORIFICS.contains(&p.text()) {
        0.3
    } else if super::is_common_part(p) {
        0.6
    } else {
        1.0
    }
}
/// Cost of an entry part the traveller does not carry (lists carry long chains of names).
const EXTRA_ENTRY_COST: f32 = 0.20;
/// Cost of a listed family name the traveller does not carry at all.
const EXTRA_FAMILY_COST: f32 = 0.5;

/// Long list names (five or six parts of a genealogy) against a passport's two or three: past
/// this, more listed parts the traveller does not carry cost nothing more.
const MAX_EXTRA_ENTRY_COST: f32 = 0.5;

/// Cost of a part on each side that matches nothing: the names contradict each other there.
const CONTRADICTION_COST: f32 = 1.0;

fn concat_part<'b>(x: &Part, y: &Part, buf: &'b mut [u8; 2 * MAX_PART + 2]) -> Option<&'b str> {
    let (a, b) = (x.text().as_bytes(), y.text().as_bytes());
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
        let (s, a, b) = (
            single.hskel().as_bytes(),
            x.hskel().as_bytes(),
            y.hskel().as_bytes(),
        );
        if a.is_empty() || b.is_empty() || s.len() < 3 {
            return 0.0;
        }
        // written without vowels, the two parts are never much longer than the one
        if !single.vowelless && single.text().len() + 1 < x.text().len() + y.text().len() {
            return 0.0;
        }
        let joined_ok = |b: &[u8]| {
            // a repeated consonant at the seam collapses in the single part's skeleton
            let b = if a.last() == b.first() { &b[1..] } else { b };
            !b.is_empty() && s.len() == a.len() + b.len() && s.starts_with(a) && s.ends_with(b)
        };
        return if joined_ok(b) { 0.92 } else { 0.0 };
    }
    let total = x.text().len() + y.text().len();
    if single.text().len() + 1 < total || single.text().len() > total + 1 {
        return 0.0;
    }
    let mut buf = [0u8; 2 * MAX_PART + 2];
    match concat_part(x, y, &mut buf) {
        Some(glued) => calibrate(jaro_winkler(single.text(), glued)),
        None => 0.0,
    }
}

/// Aligns a query name (a traveller's parts, with per-part weights) with an entry name, order
/// free, and scores it in [0, 1].
///
/// Score = Σ aligned similarity × weight / (Σ aligned weight + costs of the unaligned parts):
/// a missing part costs little, a contradicting one as much as a wrong part.
///
/// `q_weights[i]` is query part i's weight (see [`part_weight`]; the screener raises it for the
/// traveller's surname); missing weights count as 1.
///
/// `e_weights` and `e_surname` do the same for the entry: a listed family name the traveller
/// does not carry costs more than a listed middle name.
pub fn align(
    query: &[Part],
    q_weights: &[f32],
    entry: &[Part],
    e_weights: &[f32],
    e_surname: u32,
) -> NameAlignment {
    let core = align_core(query, q_weights, entry, e_weights, e_surname);
    let aligned = core
        .chosen
        .iter()
        .map(|&(s, qm, em)| Alignment {
            query: bits(qm),
            entry: bits(em),
            score: s,
        })
        .collect();
    let unmatched_query: Vec<usize> = (0..query.len().min(32))
        .filter(|i| core.qused & (1 << i) == 0)
        .collect();
    let unmatched_entry: Vec<usize> = (0..entry.len().min(32))
        .filter(|j| core.eused & (1 << j) == 0)
        .collect();
    NameAlignment {
        score: core.score,
        aligned,
        contradicting: unmatched_query.len().min(unmatched_entry.len()),
        unmatched_query,
        unmatched_entry,
    }
}

/// The score of [`align`] and the query and entry parts it aligned (bit i: part i), without
/// allocating: what screening computes for every candidate name before it explains the few that
/// match.
pub fn align_score(
    query: &[Part],
    q_weights: &[f32],
    entry: &[Part],
    e_weights: &[f32],
    e_surname: u32,
) -> (f32, u32, u32) {
    let c = align_core(query, q_weights, entry, e_weights, e_surname);
    (c.score, c.qused, c.eused)
}

/// Part similarities of one traveller's parts against entry parts, memoised by entry part
/// content: the candidates of one traveller share most of their parts (that is why the index
/// proposed them), so each distinct entry part, and each distinct pair of adjacent entry parts,
/// is compared with the traveller once.
#[derive(Debug, Default)]
pub struct SimCache {
    /// Entry part hash → offset in `sims` of its row: similarity with each query part, then
    /// the part against each adjacent pair of query parts glued (`nq - 1` values).
    rows: rustc_hash::FxHashMap<u64, u32>,
    sims: Vec<f32>,
    /// Hash of two adjacent entry parts → offset in `glued` of each query part against the
    /// two glued.
    pairs: rustc_hash::FxHashMap<u64, u32>,
    glued: Vec<f32>,
    nq: usize,
    /// Two entry parts whose lengths add up to more than this glue to no query part (see
    /// [`glued_similarity`]); their pair reads the zeros at the start of `glued`.
    glued_reach: usize,
}

impl SimCache {
    /// Forgets everything; the next rows are for `query`.
    pub fn reset(&mut self, query: &[Part]) {
        let nq = query.len().min(32);
        self.rows.clear();
        self.sims.clear();
        self.pairs.clear();
        self.glued.clear();
        if self.rows.capacity() > 1 << 16 {
            // one traveller against a whole list (a brute-force scan) should not leave a huge
            // table for every later one to clear
            self.rows.shrink_to(1 << 10);
            self.sims.shrink_to(1 << 12);
        }
        if self.pairs.capacity() > 1 << 16 {
            self.pairs.shrink_to(1 << 10);
            self.glued.shrink_to(1 << 12);
        }
        self.nq = nq;
        self.glued.resize(nq, 0.0);
        // a part written without vowels is compared in skeleton space, where lengths differ
        self.glued_reach = if query.iter().any(|q| q.vowelless) {
            usize::MAX
        } else {
            query.iter().map(|q| q.text().len() + 1).max().unwrap_or(0)
        };
    }

    /// Offset of the row of `e` (computed on first use).
    fn row(&mut self, query: &[Part], e: &Part) -> usize {
        let nq = self.nq;
        let sims = &mut self.sims;
        *self.rows.entry(e.content_hash()).or_insert_with(|| {
            let off = sims.len() as u32;
            sims.extend(query.iter().take(nq).map(|q| part_similarity(q, e)));
            sims.extend(
                (0..nq.saturating_sub(1)).map(|i| glued_similarity(e, &query[i], &query[i + 1])),
            );
            off
        }) as usize
    }

    /// Offset of each query part's similarity with `x` and `y` glued (computed on first use).
    fn pair(&mut self, query: &[Part], x: &Part, y: &Part) -> usize {
        if x.text().len() + y.text().len() > self.glued_reach {
            return 0;
        }
        let nq = self.nq;
        let glued = &mut self.glued;
        let key =
            x.content_hash().rotate_left(23) ^ y.content_hash().wrapping_mul(0x9E37_79B9_7F4A_7C15);
        *self.pairs.entry(key).or_insert_with(|| {
            let off = glued.len() as u32;
            glued.extend(query.iter().take(nq).map(|q| glued_similarity(q, x, y)));
            off
        }) as usize
    }
}

/// [`align_score`] with part similarities taken from (and added to) `cache`, which must have
/// been [`SimCache::reset`] for this `query`.
pub fn align_score_cached(
    query: &[Part],
    q_weights: &[f32],
    entry: &[Part],
    e_weights: &[f32],
    e_surname: u32,
    cache: &mut SimCache,
) -> (f32, u32, u32) {
    debug_assert_eq!(cache.nq, query.len().min(32));
    let ne = entry.len().min(32);
    let offs: SmallVec<[usize; 16]> = entry[..ne].iter().map(|e| cache.row(query, e)).collect();
    let pair_offs: SmallVec<[usize; 16]> = entry[..ne]
        .windows(2)
        .map(|w| cache.pair(query, &w[0], &w[1]))
        .collect();
    let sims = Memoised {
        cache,
        offs: &offs,
        pair_offs: &pair_offs,
    };
    let c = align_core_with(query, q_weights, entry, e_weights, e_surname, sims);
    (c.score, c.qused, c.eused)
}

/// Where [`align_core_with`] takes its similarities from.
trait PartSims {
    /// Query part `i` against entry part `j`.
    fn part(&self, i: usize, j: usize) -> f32;
    /// Query part `i` against entry parts `j` and `j + 1` glued.
    fn glued_query(&self, i: usize, j: usize) -> f32;
    /// Entry part `j` against query parts `i` and `i + 1` glued.
    fn glued_entry(&self, j: usize, i: usize) -> f32;
}

/// Computed on the spot.
struct Direct<'a> {
    query: &'a [Part],
    entry: &'a [Part],
}

impl PartSims for Direct<'_> {
    fn part(&self, i: usize, j: usize) -> f32 {
        part_similarity(&self.query[i], &self.entry[j])
    }
    fn glued_query(&self, i: usize, j: usize) -> f32 {
        glued_similarity(&self.query[i], &self.entry[j], &self.entry[j + 1])
    }
    fn glued_entry(&self, j: usize, i: usize) -> f32 {
        glued_similarity(&self.entry[j], &self.query[i], &self.query[i + 1])
    }
}

/// Read from a [`SimCache`] whose rows for this entry name are filled.
struct Memoised<'a> {
    cache: &'a SimCache,
    /// Row offset of each entry part.
    offs: &'a [usize],
    /// Offset of each adjacent pair of entry parts.
    pair_offs: &'a [usize],
}

impl PartSims for Memoised<'_> {
    fn part(&self, i: usize, j: usize) -> f32 {
        self.cache.sims[self.offs[j] + i]
    }
    fn glued_query(&self, i: usize, j: usize) -> f32 {
        self.cache.glued[self.pair_offs[j] + i]
    }
    fn glued_entry(&self, j: usize, i: usize) -> f32 {
        self.cache.sims[self.offs[j] + self.cache.nq + i]
    }
}

/// What the greedy alignment chose: (similarity, query bits, entry bits) per alignment.
struct Core {
    score: f32,
    chosen: SmallVec<[(f32, u32, u32); 8]>,
    qused: u32,
    eused: u32,
}

fn mask_weight(mask: u32, weights: &[f32]) -> f32 {
    let mut sum = 0.0;
    let mut n = 0;
    let mut m = mask;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        sum += weights.get(i).copied().unwrap_or(1.0);
        n += 1;
        m &= m - 1;
    }
    if n == 0 { 0.0 } else { sum / n as f32 }
}

fn align_core(
    query: &[Part],
    q_weights: &[f32],
    entry: &[Part],
    e_weights: &[f32],
    e_surname: u32,
) -> Core {
    align_core_with(
        query,
        q_weights,
        entry,
        e_weights,
        e_surname,
        Direct { query, entry },
    )
}

fn align_core_with(
    query: &[Part],
    q_weights: &[f32],
    entry: &[Part],
    e_weights: &[f32],
    e_surname: u32,
    sims: impl PartSims,
) -> Core {
    let (nq, ne) = (query.len().min(32), entry.len().min(32));
    let mut cands: SmallVec<[(f32, u32, u32); 32]> = SmallVec::new();
    for i in 0..nq {
        for j in 0..ne {
            let s = sims.part(i, j);
            if s >= PART_FLOOR {
                cands.push((s, 1 << i, 1 << j));
            }
        }
    }
    // glued forms: one part against two adjacent ones on the other side
    for i in 0..nq {
        for j in 0..ne.saturating_sub(1) {
            let s = sims.glued_query(i, j);
            if s >= 0.82 {
                cands.push((s * 0.98, 1 << i, 0b11 << j));
            }
        }
    }
    for j in 0..ne {
        for i in 0..nq.saturating_sub(1) {
            let s = sims.glued_entry(j, i);
            if s >= 0.82 {
                cands.push((s * 0.98, 0b11 << i, 1 << j));
            }
        }
    }
    if cands.is_empty() {
        // nothing aligns: the score is 0 whatever the unaligned parts cost (most names of most
        // candidates end here, before their weights are read)
        return Core {
            score: 0.0,
            chosen: SmallVec::new(),
            qused: 0,
            eused: 0,
        };
    }
    // best first; the sort is stable, so ties keep written order (query part, then entry part)
    cands.sort_by(|x, y| y.0.total_cmp(&x.0));
    let (mut qused, mut eused) = (0u32, 0u32);
    let mut chosen = SmallVec::new();
    let mut num = 0.0f32;
    let mut den = 0.0f32;
    for (s, qm, em) in cands {
        if qused & qm != 0 || eused & em != 0 {
            continue;
        }
        qused |= qm;
        eused |= em;
        // both sides decide how much this alignment matters
        let w = 0.5 * (mask_weight(qm, q_weights) + mask_weight(em, e_weights));
        num += evidence(s) * w;
        den += w;
        chosen.push((s, qm, em));
    }
    // Parts left over on both sides contradict each other: each such pair costs the heavier of
    // the two (a traveller's surname against a common entry part still costs a surname).
    let mut wq: SmallVec<[f32; 16]> = (0..nq)
        .filter(|i| qused & (1 << i) == 0)
        .map(|i| q_weights.get(i).copied().unwrap_or(1.0))
        .collect();
    let ew = |j: usize| e_weights.get(j).copied().unwrap_or(1.0);
    let mut we: SmallVec<[f32; 16]> = (0..ne).filter(|j| eused & (1 << j) == 0).map(ew).collect();
    // a missing listed family name is evidence against, unlike a missing middle name
    let missing_family: f32 = (0..ne)
        .filter(|&j| eused & (1 << j) == 0 && e_surname & (1 << j) != 0)
        .map(ew)
        .sum();
    wq.sort_by(|x, y| y.total_cmp(x));
    we.sort_by(|x, y| y.total_cmp(x));
    let pairs = wq.len().min(we.len());
    let contra: f32 = (0..pairs).map(|k| wq[k].max(we[k])).sum();
    let cost = contra * CONTRADICTION_COST
        + wq[pairs..].iter().sum::<f32>() * EXTRA_QUERY_COST
        + (we[pairs..].iter().sum::<f32>() * EXTRA_ENTRY_COST).min(MAX_EXTRA_ENTRY_COST)
        + if pairs == 0 {
            missing_family * (EXTRA_FAMILY_COST - EXTRA_ENTRY_COST)
        } else {
            0.0
        };
    let score = if den > 0.0 { num / (den + cost) } else { 0.0 };
    Core {
        score,
        chosen,
        qused,
        eused,
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
        let w: Vec<f32> = q.iter().map(part_weight).collect();
        let e = parts(b);
        let (ew, mask) = super::super::entry_weights(b, &e);
        align(&q, &w, &e, &ew, mask).score
    }

    proptest::proptest! {
        #[test]
        fn jaro_counts_by_bits_equal_the_scan(
            a in "[a-e]{0,48}",
            b in "[a-e]{0,48}",
        ) {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            let window = (a.len().max(b.len()) / 2).saturating_sub(1);
            proptest::prop_assert_eq!(jaro_counts_bits(a, b, window), jaro_counts(a, b, window));
        }

        #[test]
        fn the_letter_bound_rejects_only_pairs_below_the_floor(
            a in "[a-hs]{1,14}",
            b in "[a-hs]{1,14}",
        ) {
            let (pa, pb) = (Part::new(&a, false), Part::new(&b, false));
            if jaro_winkler_below_floor(&pa, &pb) {
                proptest::prop_assert!(jaro_winkler(&a, &b) < RAW_FLOOR);
            }
        }
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
            ("ULADZIMIR SLIZHEUSKI", "ULADZIMIR SLIZHEVSKY"),
            ("ALI AL-BTHALY", "ALI AL-BATHALI"),
            ("ABD AL MUNHIM", "ABD-AL-MUNIM"),
            ("MUAMMAR QADDAFI", "MOAMMAR GADDAFI"),
            ("ABDULRAHMAN YASIN", "ABDUL RAHMAN YASIN"),
            ("ALRAHMAN HASSAN", "AL RAHMAN HASSAN"),
            ("WANG XIAOMING", "WANG XIAO MING"),
            // Korean romanisations (the UN list's aliases of DPRK officials)
            ("JANG CHANG HA", "CHANG CHANG HA"),
            ("JANG MYONG JIN", "CHANG MYONG CHIN"),
        ] {
            let s = name_score(a, b);
            assert!(s >= 0.85, "{a} / {b}: {s}");
        }
    }

    #[test]
    fn ch_stands_for_j_only_before_the_same_syllable() {
        assert!(ch_for_j("chang", "jang") && ch_for_j("jin", "chin"));
        // not a different syllable, nor a long part that merely begins alike
        assert!(!ch_for_j("chang", "jong") && !ch_for_j("chandler", "jandler"));
        assert!(!ch_for_j("chang", "chang"));
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

    /// The similarity of two single parts.
    fn part(a: &str, b: &str) -> f32 {
        let (pa, pb) = (&crate::names::parts(a)[0], &crate::names::parts(b)[0]);
        part_similarity(pa, pb)
    }

    #[test]
    fn a_consonant_digraph_counts_as_one_letter() {
        // QALAF / KHALAF: the same skeleton, one sound apart
        assert!(
            part("QALAF", "KHALAF") >= SKELETON_EQUAL,
            "{}",
            part("QALAF", "KHALAF")
        );
        assert!(part("KHALAF", "QALAF") >= SKELETON_EQUAL);
        // only kh, sh, th, dh: the ch of MELNYCHUK is not folded towards MELNYK
        assert!(!digraphs_folded_within("melnyk", "melnychuk", 2));
        assert!(digraphs_folded_within("shakir", "sakir", 0));
        assert!(
            !digraphs_folded_within("sakir", "zakir", 1),
            "nothing to fold"
        );
    }

    #[test]
    fn arabic_interdentals_written_as_sibilants_match() {
        // ث as TH or S, ذ ض ظ as DH or Z: one name, in either order and either spelling
        for (a, b) in [
            ("HARITH", "HARIS"),
            ("OTHMAN", "OSMAN"),
            ("THABIT", "SABIT"),
            ("KADHIM", "KAZIM"),
            ("DHAHIR", "ZAHIR"),
            ("FADHIL", "FAZIL"),
            ("MUTHANNA", "MUSANNA"),
        ] {
            assert!(part(a, b) >= 0.9, "{a} / {b}: {}", part(a, b));
            assert_eq!(part(a, b), part(b, a), "{a} / {b}");
        }
        // a vowel apart besides (OTHMAN / USMAN), still a variant
        assert!(
            part("OTHMAN", "USMAN") >= 0.8,
            "{}",
            part("OTHMAN", "USMAN")
        );
        // the reading only links what it makes alike: KAZIM / QASIM share a read skeleton but
        // are different names, as KAZIM and QASIM are
        assert_eq!(part("KADHIM", "QASIM"), 0.95 * part("KAZIM", "QASIM"));
        assert!(part("KADHIM", "QASIM") < part("KAZIM", "QASIM") + 1e-6);
        assert_eq!(part("SMITH", "JONES"), 0.0);
    }

    #[test]
    fn vowels_and_letters_written_for_one_arabic_letter_fold() {
        // e for i, o for u, k for q, a letter doubled: two or three edits (more than the
        // skeleton rule allows parts this short), one spelling convention
        for (a, b) in [
            ("KASSEM", "QASIM"),
            ("QADER", "KADIR"),
            ("KASIM", "QASSIM"),
            ("MAXIM", "MAKSIM"),
            ("FELIX", "FELIKS"),
        ] {
            assert!(part(a, b) >= SPELLING_FOLDED, "{a} / {b}: {}", part(a, b));
            assert!(!levenshtein_le(&a.to_lowercase(), &b.to_lowercase(), 1));
        }
        // the letters must come in the same order: same skeleton and vowels is not enough
        assert!(!spelling_folded_equal("asman", "saman"));
        // and a, e stay apart (KALIM / KELIM), as do the letters the skeleton folds together
        // but spellings of one letter do not (GAMAL is JAMAL, not KAMAL)
        assert!(!spelling_folded_equal("kalim", "kelim"));
        assert!(spelling_folded_equal("maxxim", "maksim"));
        assert!(!spelling_folded_equal("gamal", "kamal"));
        assert!(part("KALIM", "GHOLAMI") < PART_FLOOR);
    }

    #[test]
    fn a_romanised_consonant_is_not_an_added_one() {
        // DO / TO, CHO / JO, KANG / GANG: one consonant for another
        for (a, b) in [("DO", "TO"), ("CHO", "JO"), ("KANG", "GANG")] {
            assert!(
                part(a, b) >= SHORT_ROMANISATION,
                "{a} / {b}: {}",
                part(a, b)
            );
        }
        // ADAI / TAHA and AYAD / TAHA share skeleton and vowels but not a sound
        for (a, b) in [("ADAI", "TAHA"), ("AYAD", "TAHA")] {
            assert!(part(a, b) < SHORT_ROMANISATION, "{a} / {b}: {}", part(a, b));
        }
    }

    #[test]
    fn russian_names_as_passports_transliterate_them_are_their_usual_spellings() {
        // ICAO 9303 (Russian passports) against the spellings lists use
        for (a, b) in [
            ("IURII", "YURIY"),
            ("IURII", "YURI"),
            ("IULIIA", "YULIYA"),
            ("IAKOV", "YAKOV"),
            ("MARIIA", "MARIYA"),
            ("KSENIIA", "KSENIYA"),
            ("DMITRII", "DMITRY"),
            ("DMITRII", "DMITRIY"),
            ("DMITRII", "DMITRI"),
            ("SERGEI", "SERGEY"),
            ("ALEKSEI", "ALEXEY"),
            ("ANATOLII", "ANATOLI"),
            ("FEDOR", "FYODOR"),
            ("SEMEN", "SEMYON"),
            ("ARTEM", "ARTYOM"),
        ] {
            assert!(part(a, b) >= SPELLING_FOLDED, "{a} / {b}: {}", part(a, b));
            assert_eq!(part(a, b), part(b, a), "{a} / {b}");
        }
        // the Y is folded only where those spellings put it
        assert!(!spelling_folded_equal("yakov", "akov"));
        assert!(!spelling_folded_equal("sayid", "said"));
        assert!(!spelling_folded_equal("iman", "yman"));
        assert!(!spelling_folded_equal("kyoko", "kiku"));
        for (a, b) in [
            ("hyojin", "heejin"),
            ("kyoichi", "keiichi"),
            ("jiyoung", "jeong"),
            ("siyeon", "seon"),
            ("reyes", "reis"),
            ("meyer", "mier"),
            ("ione", "yoni"),
        ] {
            assert!(!spelling_folded_equal(a, b), "{a} / {b}");
        }
        assert!(part("IURII", "IRINA") < PART_FLOOR);
    }

    #[test]
    fn a_consonant_h_w_or_y_for_another_is_another_name() {
        for (a, b) in [
            ("MINGHAO", "MINGYAO"),
            ("JUNHAO", "JUNYAO"),
            ("YUHANG", "YUYANG"),
            ("HONGWEI", "HONGHUI"),
            ("AWAD", "AYAD"),
        ] {
            assert!(part(a, b) < PART_FLOOR, "{a} / {b}: {}", part(a, b));
            assert_eq!(part(a, b), part(b, a), "{a} / {b}");
        }
        // one added or dropped, or an H in a digraph, is still a spelling
        for (a, b) in [
            ("DAOUD", "DAWUD"),
            ("YAHYA", "YEHIA"),
            ("HUSSEIN", "HUSSEYIN"),
            ("MAKHLOUF", "MAKHLUF"),
            ("WAHEED", "WAHID"),
            ("IURII", "YURIY"),
        ] {
            let (x, y) = (a.to_lowercase(), b.to_lowercase());
            assert!(!glides_differ(&x, &y), "{a} / {b}");
        }
        assert!(part("DAOUD", "DAWUD") >= PART_FLOOR);
        assert!(part("MAKHLOUF", "MAKHLUF") >= PART_FLOOR);
        assert!(!glides_differ("huwaida", "huwayda"));
        // counted by letter: HWANG / WHANG is one Korean name
        assert!(!glides_differ("hwang", "whang"));
        assert!(glides_differ("shuhua", "shuwa"));
    }

    #[test]
    fn a_nisba_of_another_spelling_is_no_closer_than_the_nisba_itself() {
        for (a, b) in [
            ("HASHEM", "HASHIMI"),
            ("DARWISH", "DARVISHI"),
            ("HUSSEIN", "HOSSEINI"),
            ("MUHAMMAD", "MOHAMADI"),
        ] {
            assert!(
                (part(a, b) - NISBA).abs() < 1e-6,
                "{a} / {b}: {}",
                part(a, b)
            );
            assert!((part(b, a) - NISBA).abs() < 1e-6, "{b} / {a}");
        }
        // the spellings themselves are still close
        assert!(part("DARWISH", "DARVISH") > NISBA);
        assert!(part("HASHEM", "HASHIM") > NISBA);
        // and a stem ending in a vowel or a different name is no nisba
        assert!(!nisba_like("mustafa", "mustafi"));
        assert!(!nisba_like("hassan", "husaini"));
        // and it only lowers: NASIR / NASIMI pass the test but are not raised to a nisba
        assert!(part("NASIR", "NASIMI") < PART_FLOOR);
    }

    #[test]
    fn ullahi_is_a_spelling_of_ullah_not_a_nisba() {
        for (a, b) in [
            ("ABDULLAHI MUSA", "ABDULLAH MUSA"),
            ("CABDULLAAHI", "CABDULLAAH"),
        ] {
            let s = name_score(a, b);
            assert!(s > 0.85, "{a} / {b}: {s}");
        }
        assert!((part("HASHIMI", "HASHIM") - NISBA).abs() < 1e-6);
    }

    #[test]
    fn an_initial_alif_is_read_as_a_vowel() {
        // احمد is AHMAD, not HAMAD or HAMADA, whose consonants it shares
        assert!(part("احمد", "AHMAD") >= SKELETON_EQUAL);
        assert!(part("احمد", "HAMAD") < 0.5, "{}", part("احمد", "HAMAD"));
        assert!(part("HAMADA", "احمدی") < 0.5);
        // the alif of a glued article is not read: عبدالحی is ABDUL HAI
        let s = name_score("عبدالحی مطمئن", "ABDULHAI MOTMAEN");
        assert!(s >= 0.8, "{s}");
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
