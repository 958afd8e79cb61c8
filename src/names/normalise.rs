//! From a name as written (any script, any case, any punctuation) to comparable parts.
//!
//! Steps: NFKD and mark stripping (diacritics, Arabic harakat), a few Arabic letters mapped to the
//! vowels they stand for, transliteration of every script to ASCII (`any_ascii`), lower case, split
//! on anything that is not a letter or digit (apostrophes and dots inside words are deleted, so
//! O'BRIEN = OBRIEN), titles and connective particles dropped, and a small set of spelling
//! canonicalisations for the Arabic name structure (abd/abdul/abdel, Muhammad's spellings, also
//! Turkish and Russian ones), and the Russian DZH read J.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One comparable name part: its canonical text and two consonant skeletons, stored in one
/// allocation (a million-entry list holds millions of parts).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    /// `text`, then `skel`, then `hskel`, back to back: inline up to 24 bytes (nearly every
    /// name part), so scoring reads a part without following a pointer to the heap.
    buf: compact_str::CompactString,
    text_len: u16,
    skel_len: u16,
    /// Written in a script without short vowels (Arabic, Hebrew): only the skeleton is reliable.
    pub vowelless: bool,
    /// Bit c - 'a' set when the letter occurs: bounds Jaro-Winkler before computing it.
    pub letters: u32,
    /// [`super::is_common_part`], decided once here: scoring asks it of every aligned part.
    common: bool,
    /// Written in Latin with a TH or DH ([`interdental_reading`]), decided once here: scoring
    /// reads such a part another way too.
    pub(crate) interdental: bool,
    hash: u64,
}

impl Part {
    pub fn new(text: &str, vowelless: bool) -> Part {
        // parts longer than this are cut (no real name part is)
        let text = &text[..text.len().min(255)];
        let skel = skeleton(text);
        let hskel = skeleton_impl(text, true);
        let mut buf =
            compact_str::CompactString::with_capacity(text.len() + skel.len() + hskel.len());
        buf.push_str(text);
        buf.push_str(&skel);
        buf.push_str(&hskel);
        let hash = {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            buf.as_bytes().hash(&mut h);
            (text.len(), skel.len(), vowelless).hash(&mut h);
            h.finish()
        };
        let common = super::common_spelling(text, &skel, vowelless);
        Part {
            hash,
            common,
            interdental: !vowelless && has_interdental(text),
            buf,
            text_len: text.len() as u16,
            skel_len: skel.len() as u16,
            vowelless,
            letters: text
                .bytes()
                .filter(u8::is_ascii_lowercase)
                .fold(0, |m, c| m | 1 << (c - b'a')),
        }
    }

    /// See [`super::is_common_part`].
    pub(crate) fn is_common(&self) -> bool {
        self.common
    }

    /// A 64-bit hash of everything [`super::part_similarity`] reads (text, skeletons, script),
    /// computed once: equal parts hash equal, so similarities can be memoised by it.
    pub fn content_hash(&self) -> u64 {
        self.hash
    }

    /// Lower-case ASCII, canonicalised ("abdul" → "abd", "mohamed" → "muhammad").
    pub fn text(&self) -> &str {
        &self.buf[..self.text_len as usize]
    }

    /// Consonant skeleton (see [`skeleton`]): where Arabic-script and Latin spellings meet.
    pub fn skel(&self) -> &str {
        let t = self.text_len as usize;
        &self.buf[t..t + self.skel_len as usize]
    }

    /// The skeleton with h kept: ح and ه are letters in Arabic script, and Latin spellings keep
    /// them (HASAN, AHMAD), so this tells SON from حسن where the bare skeleton cannot.
    pub fn hskel(&self) -> &str {
        &self.buf[(self.text_len + self.skel_len) as usize..]
    }
}

/// Person titles dropped before comparison (lower case, after transliteration).
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "mme",
    "mlle",
    "mstr",
    "master",
    "madam",
    "madame",
    "monsieur",
    "herr",
    "frau",
    "sr",
    "jr",
    "phd",
    "md",
    // religious titles written before South Asian, Afghan and West African names (MULLAH,
    // MAULANA, MAWLAWI, QARI, HAJI / ALHAJI): lists write one person with and without
    // them ("Mullah Fazlullah" / "MAULANA FAZLULLAH", "HAJI MUHAMMAD ASHRAF" / "Muhammad Ashraf
    // Manshah"). SHEIKH, SAYYID, HAFIZ, MUFTI, MOLLA and MULLA are also family or given names
    // (Mehbooba MUFTI, Abdul Quader MOLLA): they stay, weighing little
    // (`similarity::HONORIFICS`).
    "mullah",
    "maulana",
    "mawlana",
    "maulvi",
    "molvi",
    "moulvi",
    "mawlawi",
    "maulavi",
    "mowlavi",
    "mawlavi",
    "qari",
    "haji",
    "hajji",
    "alhaji",
    "alhaj",
];

/// Connective particles that carry no identity: the Arabic article and its assimilated forms
/// (also the -UR-, -UL- and -UD- of South Asian compounds: ZIA-UR-RAHMAN; their -U- is dropped
/// only between two parts, see [`parts`]), "son/daughter of", and Iberian linking words. Dropped
/// on both sides, so AL-RAHMAN = RAHMAN and the glued ALRAHMAN is handled by [`strip_article`].
const PARTICLES: &[&str] = &[
    "al", "el", "ul", "ad", "ar", "as", "at", "az", "ash", "ed", "er", "es", "bin", "ben", "ibn",
    "bn", "bint", "binti", "bte", "ould", "wuld", "ult", "ur", "ud", "de", "del", "della", "dos",
    "das", "y",
];

/// Spellings mapped to one canonical part (checked after transliteration and lower-casing).
const CANONICAL: &[(&str, &[&str])] = &[
    (
        "muhammad",
        &[
            "mohammed",
            "mohammad",
            "mohamed",
            "mohamad",
            "muhammed",
            "muhamed",
            "muhamad",
            "mohd",
            "muhd",
            "mohmed",
            "mouhamed",
            "mouhammad",
            "mohamud",
            "mahomed",
            "mohammod",
            "muhammet",
            "mhmd",
            // Turkish and Azerbaijani; Russian renders the h as G or KH (Магомед, Мухаммад)
            "mehmet",
            "mehmed",
            "mahammad",
            "magomed",
            "magomet",
            "mukhammad",
            "mukhammed",
            "mukhamed",
            "mukhamad",
        ],
    ),
    (
        "abd",
        &[
            "abdul", "abdel", "abdal", "abdil", "abdoul", "abdu", "abdol", "abdur", "abdus",
        ],
    ),
    (
        "abdullah",
        &[
            "abdallah",
            "abdulla",
            "abdalla",
            "abdellah",
            "abdollah",
            "abdoullah",
            "abdulah",
        ],
    ),
    (
        "yusuf",
        &[
            "yousef", "youssef", "yousif", "yusef", "youssouf", "yusif", "yousuf", "youcef",
            "yussuf", "yousof",
        ],
    ),
    (
        "hussein",
        &[
            "husayn", "hussain", "husain", "husein", "hussien", "hossein", "hosein", "husseyn",
            "hosain", "houssein", "huseyin", "huseyn", "guseyn", "gusein",
        ],
    ),
    ("osama", &["usama", "oussama", "ousama"]),
    (
        "mustafa",
        &[
            "mostafa",
            "moustafa",
            "mustapha",
            "mostapha",
            "moustapha",
            "mustafah",
        ],
    ),
    ("umar", &["omar", "omer", "umer"]),
    ("ahmad", &["ahmed", "ahmet", "ehmed"]),
    ("abu", &["abou", "abo", "bw", "abw"]),
];

/// Marker for the Arabic letters romanised as either D or Z/S: in text and skeletons it equals
/// `d`, `s` (where z folds) and itself (see `similarity::skel_eq`).
pub const DZ: char = 'Z';

/// Is this character from a script written without short vowels?
fn is_vowelless_script(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x05FF | 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF
        | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Arabic letters whose usual transliteration is a vowel (or nothing) in names.
fn arabic_premap(c: char) -> Option<&'static str> {
    Some(match c {
        'ة' => "a", // ta marbuta: Hamza, Fatima
        'ى' => "a", // alef maqsura: Mustafa, Isa
        'ا' | 'أ' | 'إ' | 'آ' | 'ٱ' => "a",
        'ء' | 'ع' => "", // hamza and ain have no Latin letter in passports
        'ئ' => "y",
        'ؤ' => "w",
        // Letters Latin spellings write as D or Z (and TH or S): FADL / FAZL, KADHIM / KAZIM,
        // ZAKIR, SAQIB. Kept as a marker that matches either (see `DZ`).
        'ض' | 'ظ' | 'ذ' | 'ث' => "Z",
        _ => return None,
    })
}

/// The text has a TH or DH.
fn has_interdental(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[1] == b'h' && matches!(w[0], b't' | b'd'))
}

/// The other Latin reading of a part's Arabic interdentals: ث is written TH or S (HARITH /
/// HARIS, OTHMAN / OSMAN, HAYTHAM / HAISAM), ذ ض ظ DH or Z (KADHIM / KAZIM, DHAHIR / ZAHIR,
/// FADHIL / FAZIL), after the Arabic or the Persian, Turkish and Urdu pronunciation. The part
/// with every TH read S and every DH read Z; `None` when it has neither.
pub fn interdental_reading(text: &str) -> Option<String> {
    if !has_interdental(text) {
        return None;
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b't', Some(b'h')) => {
                out.push(b's');
                i += 2;
            }
            (b'd', Some(b'h')) => {
                out.push(b'z');
                i += 2;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    // only ASCII pairs were replaced: what remains is as valid as `text`
    String::from_utf8(out).ok()
}

/// The consonant skeleton of a lower-case ASCII part: vowels and h/w/y dropped, similar
/// consonants folded (c,k,q,g,j → k; x → k at the start of a part, else ks; z → s; v → f;
/// p → b; t → d), repeats collapsed. "makhlouf" and "makhluf" → "mklf"; "saddam" and Arabic
/// "sdm" → "sdm"; "alexander" and "aleksandr" → "lksndr".
pub fn skeleton(text: &str) -> String {
    skeleton_impl(text, false)
}

fn skeleton_impl(text: &str, keep_h: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = '\0';
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        let f = match c as char {
            'h' if keep_h => 'h',
            'Z' => 'Z',
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'h' | 'w' => continue,
            // French-style DJ for the Arabic jim: DJAMEL = JAMAL
            'd' if next == b'j' => continue,
            // soft c: LOUNICI = LWNYSY
            'c' if matches!(next, b'e' | b'i' | b'y') => 's',
            // X inside a name is the K S that Cyrillic and Arabic spellings write as two
            // letters (ALEXANDER = АЛЕКСАНДР = ALEKSANDR, MAXIM = MAKSIM); at the start it is
            // the Spanish or Chinese X (XAVIER = JAVIER)
            'x' if i > 0 => {
                if out.ends_with("ks") {
                    continue; // XX, or KSX, is one K S
                }
                if last != 'k' {
                    out.push('k');
                }
                out.push('s');
                last = 's';
                continue;
            }
            'c' | 'k' | 'q' | 'g' | 'j' | 'x' => 'k',
            'z' => 's',
            'v' => 'f',
            'p' => 'b',
            't' => 'd',
            c => c,
        };
        if f != last {
            out.push(f);
            last = f;
        }
    }
    out
}

/// Raw tokens: transliterated, lower-cased, split; each with its vowelless flag.
fn raw_tokens(name: &str) -> Vec<(String, bool)> {
    if name.is_ascii() {
        raw_tokens_ascii(name)
    } else {
        raw_tokens_any(name)
    }
}

/// [`raw_tokens_any`] of an ASCII name (most travellers' names): NFKD leaves ASCII as it is and
/// it holds no combining mark and no letter of another script, so what remains of that loop is
/// splitting at the other characters and deleting the in-word marks.
fn raw_tokens_ascii(name: &str) -> Vec<(String, bool)> {
    let mut tokens: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    for c in name.bytes() {
        if c.is_ascii_alphanumeric() {
            cur.push(char::from(c.to_ascii_lowercase()));
        } else if !matches!(c, b'\'' | b'.' | b'`') && !cur.is_empty() {
            tokens.push((std::mem::take(&mut cur), false));
        }
    }
    if !cur.is_empty() {
        tokens.push((cur, false));
    }
    tokens
}

fn raw_tokens_any(name: &str) -> Vec<(String, bool)> {
    let mut tokens: Vec<(String, bool)> = Vec::new();
    let mut cur = String::new();
    let mut cur_vowelless = false;
    // a token with letters from any other script is read as Latin: only a wholly Arabic-script
    // token is compared in skeleton space (and normalising its text again gives the same parts)
    let mut cur_latin = false;
    let mut buf = [0u8; 4];
    let flush =
        |cur: &mut String, vl: &mut bool, latin: &mut bool, tokens: &mut Vec<(String, bool)>| {
            if !cur.is_empty() {
                tokens.push((std::mem::take(cur), *vl && !*latin));
            }
            *vl = false;
            *latin = false;
        };
    for c in name.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
            cur_latin = true;
            continue;
        }
        if matches!(c, '\'' | '.' | '`' | '’' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ' | '´') {
            continue; // deleted inside words: O'BRIEN = OBRIEN, U.S. = US
        }
        if c.is_ascii() || c.is_whitespace() || !c.is_alphanumeric() {
            flush(&mut cur, &mut cur_vowelless, &mut cur_latin, &mut tokens);
            continue;
        }
        let vl = is_vowelless_script(c);
        if vl {
            cur_vowelless = true;
        } else {
            cur_latin = true;
        }
        let (translit, premapped) = match arabic_premap(c) {
            Some(s) => (s, true),
            None => (any_ascii::any_ascii_char(c), false),
        };
        let cjk = is_cjk(c);
        if cjk {
            flush(&mut cur, &mut cur_vowelless, &mut cur_latin, &mut tokens);
        }
        for t in translit.chars() {
            if premapped && t == DZ {
                cur.push(DZ);
            } else if t.is_ascii_alphanumeric() {
                cur.push(t.to_ascii_lowercase());
            } else if t == ' ' {
                flush(&mut cur, &mut cur_vowelless, &mut cur_latin, &mut tokens);
                if vl {
                    cur_vowelless = true;
                }
            }
        }
        if cjk {
            flush(&mut cur, &mut cur_vowelless, &mut cur_latin, &mut tokens);
        }
        let _ = c.encode_utf8(&mut buf);
    }
    flush(&mut cur, &mut cur_vowelless, &mut cur_latin, &mut tokens);
    tokens
}

/// The glued article: "alrahman" → "rahman", Arabic-script "ltkryty" → "tkryty". Only when what
/// remains is long enough to be a name of its own, so ALI, ALAN and ELENA are left alone.
pub fn strip_article(text: &str, vowelless: bool) -> Option<&str> {
    if vowelless {
        // ال written without vowels, before at least three more letters.
        // ال: the alif is transliterated ("a"), so a bare leading l is a letter of the name
        let rest = text.strip_prefix("al")?;
        return (rest.len() >= 3).then_some(rest);
    }
    for a in ["al", "el", "ul"] {
        if let Some(rest) = text.strip_prefix(a)
            && rest.len() >= 4
            && !rest.starts_with(['a', 'e', 'i', 'o', 'u'])
        {
            return Some(rest);
        }
    }
    None
}

/// [`CANONICAL`] as a map from every spelling to its canonical part (the first entry listing a
/// spelling wins, as a scan in order would find it), and [`TITLES`] with [`PARTICLES`] as one
/// set: every token of every name is looked up in both, so they are hashed once rather than
/// compared with 130 strings.
struct Known {
    canonical: rustc_hash::FxHashMap<&'static str, &'static str>,
    dropped: rustc_hash::FxHashSet<&'static str>,
}

static KNOWN: std::sync::LazyLock<Known> = std::sync::LazyLock::new(|| {
    let mut canonical = rustc_hash::FxHashMap::default();
    for &(c, forms) in CANONICAL {
        for &f in std::iter::once(&c).chain(forms) {
            canonical.entry(f).or_insert(c);
        }
    }
    Known {
        canonical,
        dropped: TITLES.iter().chain(PARTICLES).copied().collect(),
    }
});

fn canonical(text: &str) -> Option<&'static str> {
    KNOWN.canonical.get(text).copied()
}

/// Splits the glued "abd" + name forms: "abdulrahman" → ["abd", "rahman"], "abdelkader" →
/// ["abd", "kader"]. Leaves "abdullah" (a name of its own) alone.
fn split_abd(text: &str) -> Option<(&'static str, &str)> {
    if canonical(text).is_some() || !text.starts_with("abd") {
        return None;
    }
    for pre in [
        "abdoul", "abdul", "abdel", "abdal", "abdil", "abdur", "abdus", "abdou", "abdu", "abd",
    ] {
        let Some(rest) = text.strip_prefix(pre) else {
            continue;
        };
        // "abdurahman" is abdu + rahman, not abdur + ahman; "abdulaziz" is abdul + aziz
        let vowel_start = rest.starts_with(['a', 'e', 'i', 'o', 'u']);
        if rest.len() >= 4 && (!vowel_start || pre.ends_with('l')) {
            return Some(("abd", rest));
        }
    }
    None
}

/// A name as comparable parts, in written order. Empty when nothing nameable is left.
pub fn parts(name: &str) -> Vec<Part> {
    let mut out = Vec::new();
    let tokens = raw_tokens(name);
    let last = tokens.len().saturating_sub(1);
    for (i, (tok, vl)) in tokens.iter().enumerate() {
        if tok == "u" && 0 < i && i < last {
            // U linking two parts is the article of a South Asian compound (Zaia u Rahman =
            // ZIA-UR-RAHMAN); first or last it is a name or an initial (the Korean family
            // name U, a given name's initial)
            continue;
        }
        push_token(tok, *vl, &mut out);
    }
    out
}

fn push_token(tok: &str, vl: bool, out: &mut Vec<Part>) {
    if tok.contains("dzh") || tok.contains("dZh") {
        // DZH is how Russian and Ukrainian passports write Дж, the J of DZHAMAL / JAMAL,
        // DZHOKHAR / JOKHAR (ZH alone is also the Zh of ZHANG: left as it is). Read so in
        // every token, also one transliterated from Arabic script (د ز ح, rare in names) or
        // holding the D/Z marker: the text normalising gives back must normalise to itself
        let read = tok.replace("dzh", "j").replace("dZh", "j");
        return push_token(&read, vl, out);
    }
    // the D/Z marker read as z (the only upper-case letter a token holds)
    let plain = if tok.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(tok.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(tok)
    };
    if KNOWN.dropped.contains(plain.as_ref()) {
        return;
    }
    if vl {
        // Arabic script: "bd" is abd, "bn" is bin, "mhmd" is Muhammad.
        match tok {
            "bd" => return out.push(Part::new("abd", false)),
            "bn" | "bnt" | "wld" => return,
            _ => {}
        }
        // glued عبدال…: "bdalrhman" is abd + rahman, "bdallh" is Abdullah
        if let Some(rest) = tok.strip_prefix("bd")
            && rest.len() >= 3
        {
            if matches!(rest, "allh" | "llh" | "alh" | "lh" | "allah") {
                return out.push(Part::new("abdullah", false));
            }
            out.push(Part::new("abd", false));
            let rest = strip_article(rest, true).unwrap_or(rest);
            return out.push(Part::new(rest, true));
        }
        if let Some(c) = canonical(tok) {
            return out.push(Part::new(c, false));
        }
        let t = strip_article(tok, true).unwrap_or(tok);
        // what the text of a part is read as again, when normalised text is normalised: المحمد
        // is MUHAMMAD as محمد is, and alif-b-d… splits as the Latin ABD… would
        if let Some(c) = canonical(t) {
            return out.push(Part::new(c, false));
        }
        if let Some((abd, rest)) = split_abd(t) {
            out.push(Part::new(abd, false));
            return push_token(rest, true, out);
        }
        return out.push(Part::new(t, true));
    }
    if let Some(c) = canonical(tok) {
        return out.push(Part::new(c, false));
    }
    if let Some((abd, rest)) = split_abd(tok) {
        out.push(Part::new(abd, false));
        return push_token(rest, false, out);
    }
    out.push(Part::new(tok, false));
}

/// The canonical text of a name: parts joined by single spaces. Normalising this again gives the
/// same string (tested as a property); Arabic-script parts read as their transliteration.
pub fn normalise(name: &str) -> String {
    let p = parts(name);
    let mut s = String::new();
    for (i, part) in p.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        // the D/Z marker is internal; as text it reads as the z it is usually written as
        s.extend(part.text().chars().map(|c| if c == DZ { 'z' } else { c }));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn ascii_names_split_as_the_general_loop_splits_them(name in "[ -~]{0,40}") {
            proptest::prop_assert_eq!(raw_tokens_ascii(&name), raw_tokens_any(&name));
        }
    }

    #[test]
    fn the_known_spellings_map_as_a_scan_of_the_tables_in_order_would() {
        let scan = |text: &str| {
            CANONICAL
                .iter()
                .find(|(c, forms)| *c == text || forms.contains(&text))
                .map(|(c, _)| *c)
        };
        let mut tried = 0;
        for &(c, forms) in CANONICAL {
            for t in std::iter::once(c).chain(forms.iter().copied()) {
                for t in [t.to_string(), format!("{t}x"), t[1..].to_string()] {
                    assert_eq!(canonical(&t), scan(&t), "{t}");
                    tried += 1;
                }
            }
        }
        assert!(tried > 200);
        for t in TITLES.iter().chain(PARTICLES) {
            assert!(KNOWN.dropped.contains(t));
            assert!(parts(&format!("Anvar {t} Karimov")).len() == 2, "{t}");
        }
        assert!(!KNOWN.dropped.contains("ali"));
    }

    fn texts(name: &str) -> Vec<String> {
        parts(name).iter().map(|p| p.text().to_string()).collect()
    }

    #[test]
    fn russian_dzh_is_j() {
        assert_eq!(texts("DZHAMAL"), ["jamal"]);
        assert_eq!(texts("Dzhokhar Dzhabrailov"), ["jokhar", "jabrailov"]);
        assert_eq!(texts("ZHANG"), ["zhang"]);
        // the same in Arabic script (د ز ح) and with the D/Z marker (د ذ ح), so that the
        // normalised text normalises to itself
        for name in ["مدزح", "مدذح", "ADذHAN", "المحمد", "ابدئشآ"] {
            let once = normalise(name);
            assert_eq!(normalise(&once), once, "{name}");
        }
    }

    #[test]
    fn interdentals_read_as_sibilants() {
        assert_eq!(interdental_reading("harith").as_deref(), Some("haris"));
        assert_eq!(interdental_reading("kadhim").as_deref(), Some("kazim"));
        assert_eq!(interdental_reading("dhuthahi").as_deref(), Some("zusahi"));
        assert_eq!(interdental_reading("osman"), None);
        // h after another letter is not a digraph of these
        assert_eq!(interdental_reading("shahid"), None);
    }

    #[test]
    fn latin_names_fold_case_marks_and_punctuation() {
        assert_eq!(texts("José  O'Brien-Pérez"), ["jose", "obrien", "perez"]);
        assert_eq!(texts("Mr. JOHN SMITH"), ["john", "smith"]);
    }

    #[test]
    fn arabic_articles_glued_or_split_meet() {
        assert_eq!(texts("AL RAHMAN"), texts("AL-RAHMAN"));
        assert_eq!(texts("EL-RAHMAN"), ["rahman"]);
        // the glued article is kept in text but an alternative without it exists
        assert_eq!(strip_article("alrahman", false), Some("rahman"));
        assert_eq!(strip_article("ali", false), None);
        assert_eq!(strip_article("alan", false), None);
        assert_eq!(strip_article("alexander", false), None);
    }

    #[test]
    fn abd_forms_meet() {
        assert_eq!(texts("ABDUL RAHMAN"), ["abd", "rahman"]);
        assert_eq!(texts("ABDEL RAHMAN"), ["abd", "rahman"]);
        assert_eq!(texts("ABD AL RAHMAN"), ["abd", "rahman"]);
        assert_eq!(texts("ABDULRAHMAN"), ["abd", "rahman"]);
        assert_eq!(texts("ABDURRAHMAN"), ["abd", "rahman"]);
        assert_eq!(texts("ABDELKADER"), ["abd", "kader"]);
        assert_eq!(texts("ABDURAHMAN"), ["abd", "rahman"]);
        assert_eq!(texts("ABDULAZIZ"), ["abd", "aziz"]);
        assert_eq!(texts("ABDULLAH"), ["abdullah"]);
        assert_eq!(texts("ABDALLAH"), ["abdullah"]);
    }

    #[test]
    fn muhammad_spellings_meet() {
        for s in [
            "MOHAMMED",
            "Muhammad",
            "MOHAMED",
            "Mohamad",
            "محمد",
            "MEHMET",
            "MAGOMED",
            "MUKHAMMAD",
        ] {
            assert_eq!(texts(s), ["muhammad"], "{s}");
        }
    }

    #[test]
    fn hussein_spellings_meet() {
        // the UN list writes one IRGC commander HOSEIN, Hosain, Hussain and Hossein
        for s in [
            "HOSEIN", "Hosain", "HUSSAIN", "Hossein", "HUSAYN", "HÜSEYIN", "GUSEIN",
        ] {
            assert_eq!(texts(s), ["hussein"], "{s}");
        }
    }

    #[test]
    fn religious_titles_are_dropped_but_names_that_are_also_titles_stay() {
        assert_eq!(texts("MULLAH FAZLULLAH"), texts("MAULANA FAZLULLAH"));
        assert_eq!(texts("Haji Muhammad Ashraf"), ["muhammad", "ashraf"]);
        assert_eq!(texts("ALHAJI QARI MAWLAWI"), Vec::<String>::new());
        // also family names: kept, weighing little
        assert_eq!(
            texts("SHEIKH HAFIZ MUFTI MOLLA"),
            ["sheikh", "hafiz", "mufti", "molla"]
        );
    }

    #[test]
    fn bin_ibn_ould_are_particles() {
        assert_eq!(texts("OSAMA BIN LADEN"), ["osama", "laden"]);
        assert_eq!(texts("USAMA IBN LADIN"), ["osama", "ladin"]);
        assert_eq!(texts("AHMED OULD ABDALLAH"), ["ahmad", "abdullah"]);
        // the assimilated article of South Asian compounds, written -UR-, -UL- or -U-
        assert_eq!(texts("Zaia u Rahman"), ["zaia", "rahman"]);
        // first or last, U is a name (the Korean family name) or an initial
        assert_eq!(texts("U TONG CHUK"), ["u", "tong", "chuk"]);
        assert_eq!(texts("JOHN U"), ["john", "u"]);
        assert_eq!(texts("ZIA-UR-RAHMAN"), ["zia", "rahman"]);
    }

    #[test]
    fn arabic_script_meets_latin_in_skeletons() {
        let ar = parts("صدام حسين التكريتي");
        let la = parts("SADDAM HUSSEIN AL-TIKRITI");
        assert_eq!(ar.len(), 3);
        assert!(ar[0].vowelless);
        let sk = |v: &[Part]| v.iter().map(|p| p.skel().to_string()).collect::<Vec<_>>();
        assert_eq!(sk(&ar), sk(&la));
    }

    #[test]
    fn cyrillic_and_han_are_transliterated() {
        assert_eq!(texts("Сергей Лавров"), ["sergei", "lavrov"]);
        assert_eq!(texts("毛泽东"), ["mao", "ze", "dong"]);
    }

    #[test]
    fn issue_2_fuzz_mixed_script_tokens_normalise_idempotently() {
        // found by `cargo fuzz run names`: Latin and Arabic letters in one token
        for s in [
            "ABDULiOيeli حػْ\u{fffd}\u{fffd}eliO\u{fffd}",
            "ABDULRAتكري\u{fffd}HMAN bin Ould",
        ] {
            let once = normalise(s);
            assert_eq!(normalise(&once), once, "{s}");
        }
    }

    #[test]
    fn skeleton_folds_variants() {
        assert_eq!(skeleton("makhlouf"), skeleton("makhluf"));
        assert_eq!(skeleton("fazl"), skeleton("fazel"));
        assert_eq!(skeleton("khalaf"), skeleton("kalaf"));
        assert_eq!(skeleton("qaddafi"), skeleton("kadhafi"));
        assert_eq!(skeleton("gaddafi"), skeleton("qathafi"));
        assert_eq!(skeleton("alexander"), skeleton("aleksandr"));
        assert_eq!(skeleton("maxim"), skeleton("maksim"));
        assert_eq!(skeleton("felix"), skeleton("feliks"));
        assert_eq!(skeleton("xavier"), skeleton("javier"));
        assert_ne!(skeleton("alexander"), skeleton("alekander"));
        assert_eq!(skeleton("maxx"), skeleton("max"));
    }
}
