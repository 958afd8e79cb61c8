//! EDIFACT lexer: bytes → segments, honouring UNA and the release character.
//!
//! Design note. The lexer works on bytes, not on decoded text: every service character seen in
//! real traffic is ASCII, so scanning bytes is exact and cheap, and byte offsets in errors point
//! into the caller's buffer. Component values are decoded one by one: as UTF-8 when the whole
//! input is valid UTF-8, else as Latin-1 (which never fails).
//!
//! Noise handling, all bounded by one left-to-right pass:
//! - bytes before the first `UNA`/`UNB`/`UNH` (Type-B address lines, SOH/STX, MQ log prefixes)
//!   are skipped with a warning;
//! - whitespace and control characters between segments are skipped; CR/LF inside a segment are
//!   dropped (line wrapping), spaces inside elements are kept;
//! - spaces between the tag and its first separator are tolerated (`UNG *PAXLST`);
//! - after `UNZ`, a further interchange may follow (with its own UNA); anything else is trailing
//!   junk, skipped with a warning.

use super::error::ParseError;
use super::options::ParseOptions;
use smallvec::SmallVec;

/// The six service characters of an interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    pub component: u8,
    pub element: u8,
    pub decimal: u8,
    pub release: u8,
    /// Repetition separator (syntax 4) or reserved (space). Treated as data when it appears, so
    /// `APIS*ABE` survives whatever the UNA says.
    pub repetition: u8,
    pub terminator: u8,
}

impl Default for Separators {
    fn default() -> Self {
        Separators::DEFAULT
    }
}

impl Separators {
    /// ISO 9735 defaults, used when no UNA is sent: `:+.? '`.
    pub const DEFAULT: Separators = Separators {
        component: b':',
        element: b'+',
        decimal: b'.',
        release: b'?',
        repetition: b' ',
        terminator: b'\'',
    };

    /// From the six characters after `UNA`.
    pub fn from_una(b: &[u8]) -> Option<Separators> {
        if b.len() < 6 {
            return None;
        }
        let s = Separators {
            component: b[0],
            element: b[1],
            decimal: b[2],
            release: b[3],
            repetition: b[4],
            terminator: b[5],
        };
        let key = [s.component, s.element, s.release, s.terminator];
        let distinct = (0..4).all(|i| (i + 1..4).all(|j| key[i] != key[j]));
        let sane = key
            .iter()
            .all(|c| !c.is_ascii_alphanumeric() && *c != b'\r' && *c != b'\n');
        (distinct && sane).then_some(s)
    }

    /// The `UNA` service string advice for these separators.
    pub fn una(&self) -> String {
        let b = [
            self.component,
            self.element,
            self.decimal,
            self.release,
            self.repetition,
            self.terminator,
        ];
        format!("UNA{}", String::from_utf8_lossy(&b))
    }

    /// True when `c` must be preceded by the release character in data.
    pub fn needs_release(&self, c: u8) -> bool {
        c == self.component
            || c == self.element
            || c == self.release
            || c == self.terminator
            || (c == self.repetition && c != b' ')
    }
}

/// A segment tag: three upper-case ASCII letters or digits, stored inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag([u8; 3]);

impl Tag {
    pub fn as_str(&self) -> &str {
        // Built only from ASCII alphanumerics.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl PartialEq<&str> for Tag {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One segment: tag, elements of components, and where it was found.
///
/// All component text of a segment lives in one string; components and elements are ranges
/// into it (inline up to a typical size), so lexing costs about one allocation per segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub tag: Tag,
    text: String,
    /// (start, end) byte range of each component in `text`.
    comps: SmallVec<[(u32, u32); 8]>,
    /// (first component, number of components) of each element.
    elems: SmallVec<[(u32, u32); 6]>,
    /// 1-based position of the segment in the input (all interchanges counted).
    pub index: usize,
    /// Byte offset of the segment's first byte in the input.
    pub offset: usize,
}

impl Segment {
    /// Builds a segment from elements of components (tests, renderers). `tag` must be three
    /// ASCII letters or digits.
    pub fn new(tag: &str, elements: &[&[&str]]) -> Segment {
        let t = tag.as_bytes();
        let mut s = Segment {
            tag: Tag([t[0], t[1], t[2]]),
            text: String::new(),
            comps: SmallVec::new(),
            elems: SmallVec::new(),
            index: 0,
            offset: 0,
        };
        for e in elements {
            let first = s.comps.len() as u32;
            for c in e.iter() {
                let a = s.text.len() as u32;
                s.text.push_str(c);
                s.comps.push((a, s.text.len() as u32));
            }
            s.elems.push((first, e.len() as u32));
        }
        s
    }

    /// Number of data elements after the tag.
    pub fn len(&self) -> usize {
        self.elems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// Components of element `e` (0-based: the first element after the tag is 0).
    pub fn element(&self, e: usize) -> impl Iterator<Item = &str> + '_ {
        let (first, n) = self.elems.get(e).copied().unwrap_or((0, 0));
        self.comps[first as usize..(first + n) as usize]
            .iter()
            .map(|&(a, b)| &self.text[a as usize..b as usize])
    }

    /// Component `c` of element `e`, or "" when absent.
    pub fn get(&self, e: usize, c: usize) -> &str {
        match self.elems.get(e) {
            Some(&(first, n)) if (c as u32) < n => {
                let (a, b) = self.comps[(first as usize) + c];
                &self.text[a as usize..b as usize]
            }
            _ => "",
        }
    }

    /// Trimmed component, `None` when empty.
    pub fn opt(&self, e: usize, c: usize) -> Option<String> {
        let v = self.get(e, c).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// Short form for messages: `TAG+first element` (never personal data beyond a qualifier).
    pub fn label(&self) -> String {
        let q = self.get(0, 0);
        if q.is_empty() || q.len() > 4 {
            self.tag.to_string()
        } else {
            format!("{}+{}", self.tag, q)
        }
    }
}

/// Collects the bytes of one segment's components and turns them into a [`Segment`].
struct Builder {
    raw: Vec<u8>,
    comps: SmallVec<[(u32, u32); 8]>,
    elems: SmallVec<[(u32, u32); 6]>,
    comp_start: u32,
    elem_first: u32,
    utf8: bool,
}

impl Builder {
    fn new(utf8: bool) -> Builder {
        Builder {
            raw: Vec::with_capacity(64),
            comps: SmallVec::new(),
            elems: SmallVec::new(),
            comp_start: 0,
            elem_first: 0,
            utf8,
        }
    }

    /// Appends one data byte (Latin-1 input is re-encoded as UTF-8 on the way).
    fn push(&mut self, b: u8) {
        if self.raw.len() - self.comp_start as usize >= MAX_COMPONENT_BYTES {
            return;
        }
        if self.utf8 || b < 0x80 {
            self.raw.push(b);
        } else {
            self.raw.push(0xC0 | (b >> 6));
            self.raw.push(0x80 | (b & 0x3F));
        }
    }

    fn end_component(&mut self) {
        let end = self.raw.len() as u32;
        self.comps.push((self.comp_start, end));
        self.comp_start = end;
    }

    fn end_element(&mut self) {
        self.end_component();
        let n = self.comps.len() as u32;
        self.elems.push((self.elem_first, n - self.elem_first));
        self.elem_first = n;
    }

    fn drop_component(&mut self) {
        self.raw.truncate(self.comp_start as usize);
    }

    fn finish(self, tag: Tag, index: usize, offset: usize) -> Segment {
        let Builder {
            raw,
            mut comps,
            elems,
            ..
        } = self;
        let text = match String::from_utf8(raw) {
            Ok(t) => t,
            Err(e) => {
                // A separator split a multi-byte character: decode each component lossily.
                let raw = e.into_bytes();
                let mut t = String::with_capacity(raw.len() + 8);
                for c in comps.iter_mut() {
                    let a = t.len() as u32;
                    t.push_str(&String::from_utf8_lossy(&raw[c.0 as usize..c.1 as usize]));
                    *c = (a, t.len() as u32);
                }
                t
            }
        };
        Segment {
            tag,
            text,
            comps,
            elems,
            index,
            offset,
        }
    }
}

/// What the lexer found: segments plus the oddities it tolerated.
#[derive(Debug, Default)]
pub struct Lexed {
    pub segments: Vec<Segment>,
    pub warnings: Vec<String>,
    /// Separators of the last interchange read.
    pub separators: Separators,
}

fn is_tag_start(bytes: &[u8], i: usize) -> bool {
    // A segment tag at `i`: three upper-case letters, not glued to a preceding letter or digit.
    if i + 3 > bytes.len() {
        return false;
    }
    if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
        return false;
    }
    bytes[i..i + 3].iter().all(|b| b.is_ascii_uppercase())
}

/// Earliest `UNA`, `UNB` or `UNH` that starts an interchange at or after `from`.
fn find_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 3 <= bytes.len() {
        if bytes[i] == b'U' && bytes[i + 1] == b'N' && is_tag_start(bytes, i) {
            let t = bytes[i + 2];
            if t == b'A'
                && i + 9 <= bytes.len()
                && Separators::from_una(&bytes[i + 3..i + 9]).is_some()
            {
                return Some(i);
            }
            if t == b'B' || t == b'H' {
                let mut j = i + 3;
                while j < bytes.len() && bytes[j] == b' ' {
                    j += 1;
                }
                if j < bytes.len()
                    && !bytes[j].is_ascii_alphanumeric()
                    && !bytes[j].is_ascii_whitespace()
                {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// How a segment ends: a single byte, or the typographic quote `’` (UTF-8 E2 80 99) that word
/// processors substitute for `'`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Term {
    Byte(u8),
    Typographic,
}

/// Longest component kept (bytes); longer values are cut. No PAXLST data element exceeds 512.
const MAX_COMPONENT_BYTES: usize = 4096;

const TYPO: &[u8] = "\u{2019}".as_bytes();

/// Splits `bytes` into segments.
pub fn lex(bytes: &[u8], opts: &ParseOptions) -> Result<Lexed, ParseError> {
    if bytes.len() > opts.max_bytes {
        return Err(ParseError::TooLarge {
            segment: 0,
            offset: opts.max_bytes,
            size: bytes.len(),
            limit: opts.max_bytes,
        });
    }
    let utf8 = std::str::from_utf8(bytes).is_ok();
    let mut out = Lexed {
        segments: Vec::with_capacity((bytes.len() / 8).min(opts.max_segments).min(1 << 16)),
        ..Lexed::default()
    };
    let Some(start) = find_start(bytes, 0) else {
        return Err(ParseError::NoInterchange {
            segment: 0,
            offset: 0,
            reason: "no UNA, UNB or UNH segment found".into(),
        });
    };
    if bytes[..start].iter().any(|b| !b.is_ascii_whitespace()) {
        out.warnings.push(format!(
            "skipped {start} bytes of envelope before the interchange"
        ));
    }
    let mut pos = start;
    loop {
        // One interchange from `pos`.
        let (seps, term, body) = if bytes[pos..].starts_with(b"UNA")
            && let Some(s) = Separators::from_una(&bytes[pos + 3..(pos + 9).min(bytes.len())])
        {
            (s, Term::Byte(s.terminator), pos + 9)
        } else {
            let rest = &bytes[pos..];
            let d = Separators::DEFAULT;
            if !rest.contains(&b'\'') && (contains(rest, b"\"\n") || contains(rest, b"\"\r")) {
                out.warnings.push(
                    "no UNA and no ' terminator: '\"' at line ends taken as the segment terminator"
                        .into(),
                );
                let mut s = d;
                s.terminator = b'"';
                (s, Term::Byte(b'"'), pos)
            } else if !rest.contains(&b'\'') && contains(rest, TYPO) {
                out.warnings.push(
                    "segments end with the typographic quote \u{2019} instead of ': read as terminator"
                        .into(),
                );
                (d, Term::Typographic, pos)
            } else {
                (d, Term::Byte(d.terminator), pos)
            }
        };
        out.separators = seps;
        // Bytes that end plain data inside a segment.
        let mut special = [false; 256];
        for c in [seps.component, seps.element, seps.release, b'\r', b'\n'] {
            special[c as usize] = true;
        }
        match term {
            Term::Byte(t) => special[t as usize] = true,
            Term::Typographic => special[TYPO[0] as usize] = true,
        }
        pos = body;
        let mut saw_unz = false;
        let mut restart = false;
        // Segments until UNZ or end of input.
        loop {
            while pos < bytes.len()
                && (bytes[pos].is_ascii_whitespace() || bytes[pos] < 0x20 || bytes[pos] == 0x7f)
            {
                pos += 1;
            }
            if pos >= bytes.len() {
                break;
            }
            // A new UNA mid-stream (interchanges concatenated without UNZ) resets separators.
            if bytes[pos..].starts_with(b"UNA")
                && pos + 9 <= bytes.len()
                && Separators::from_una(&bytes[pos + 3..pos + 9]).is_some()
            {
                restart = true;
                break;
            }
            let seg_start = pos;
            let index = out.segments.len() + 1;
            if out.segments.len() >= opts.max_segments {
                return Err(ParseError::TooManySegments {
                    segment: index,
                    offset: seg_start,
                    limit: opts.max_segments,
                });
            }
            // Tag.
            let mut tag_end = pos;
            while tag_end < bytes.len()
                && tag_end - pos < 3
                && bytes[tag_end].is_ascii_alphanumeric()
            {
                tag_end += 1;
            }
            let tag_ok = tag_end - pos == 3;
            let tag = if tag_ok {
                Tag([
                    bytes[pos].to_ascii_uppercase(),
                    bytes[pos + 1].to_ascii_uppercase(),
                    bytes[pos + 2].to_ascii_uppercase(),
                ])
            } else {
                Tag(*b"???")
            };
            let mut seg = Builder::new(utf8);
            pos = tag_end;
            while pos < bytes.len() && bytes[pos] == b' ' && seps.element != b' ' {
                pos += 1;
            }
            let at_term = |p: usize| -> bool {
                match term {
                    Term::Byte(t) => bytes[p] == t,
                    Term::Typographic => bytes[p..].starts_with(TYPO),
                }
            };
            let term_len = match term {
                Term::Byte(_) => 1,
                Term::Typographic => TYPO.len(),
            };
            let glued = pos < bytes.len() && bytes[pos] != seps.element && !at_term(pos);
            if !tag_ok || glued {
                // Not a segment: skip to the next terminator and say so.
                let mut p = pos;
                while p < bytes.len() && !at_term(p) {
                    if bytes[p] == seps.release {
                        p += 1;
                    }
                    p += 1;
                }
                let end = p.min(bytes.len());
                if saw_unz {
                    break;
                }
                out.warnings.push(format!(
                    "segment {index} at byte {seg_start}: skipped {} bytes that do not form a segment",
                    end - seg_start
                ));
                pos = (end + term_len).min(bytes.len());
                continue;
            }
            // Elements.
            let mut terminated = false;
            if pos < bytes.len() && bytes[pos] == seps.element {
                pos += 1;
                let mut truncated = false;
                loop {
                    if pos >= bytes.len() {
                        break;
                    }
                    let b = bytes[pos];
                    if !special[b as usize] {
                        seg.push(b);
                        pos += 1;
                        continue;
                    }
                    if b == seps.release {
                        if pos + 1 < bytes.len() {
                            seg.push(bytes[pos + 1]);
                            pos += 2;
                        } else {
                            out.warnings.push(format!(
                                "segment {index} at byte {seg_start}: release character at end of input"
                            ));
                            pos += 1;
                        }
                        continue;
                    }
                    if at_term(pos) {
                        terminated = true;
                        pos += term_len;
                        break;
                    }
                    if (b == seps.component || b == seps.element)
                        && seg.comps.len() >= opts.max_components
                    {
                        if !truncated {
                            truncated = true;
                            out.warnings.push(format!(
                                "segment {index} at byte {seg_start}: more than {} components, the rest dropped",
                                opts.max_components
                            ));
                        }
                        seg.drop_component();
                    } else if b == seps.component {
                        seg.end_component();
                    } else if b == seps.element {
                        seg.end_element();
                    } else if b != b'\r' && b != b'\n' {
                        seg.push(b);
                    }
                    pos += 1;
                }
                seg.end_element();
            } else if pos < bytes.len() {
                terminated = true;
                pos += term_len;
            }
            if !terminated {
                out.warnings.push(format!(
                    "segment {index} at byte {seg_start}: {tag} is not terminated (input truncated?)"
                ));
            }
            let seg = seg.finish(tag, index, seg_start);
            let is_unz = seg.tag == "UNZ";
            out.segments.push(seg);
            if is_unz {
                saw_unz = true;
                break;
            }
        }
        if restart {
            continue;
        }
        if !saw_unz || pos >= bytes.len() {
            break;
        }
        match find_start(bytes, pos) {
            Some(next) => {
                if bytes[pos..next]
                    .iter()
                    .any(|b| !b.is_ascii_whitespace() && *b >= 0x20)
                {
                    out.warnings.push(format!(
                        "skipped {} bytes between interchanges at byte {pos}",
                        next - pos
                    ));
                }
                pos = next;
            }
            None => {
                if bytes[pos..]
                    .iter()
                    .any(|b| !b.is_ascii_whitespace() && *b >= 0x20)
                {
                    out.warnings.push(format!(
                        "ignored {} bytes of trailing data after UNZ at byte {pos}",
                        bytes.len() - pos
                    ));
                }
                break;
            }
        }
    }
    // Several interchanges in one input repeat the same oddity: say it once.
    let mut seen = std::collections::HashSet::new();
    out.warnings.retain(|w| seen.insert(w.clone()));
    if out.segments.is_empty() {
        return Err(ParseError::NoInterchange {
            segment: 0,
            offset: start,
            reason: "no segments found".into(),
        });
    }
    Ok(out)
}

/// Writes `value` with the service characters of `seps` released.
pub fn escape_into(out: &mut String, value: &str, seps: &Separators) {
    for ch in value.chars() {
        if ch.is_ascii() && seps.needs_release(ch as u8) {
            out.push(seps.release as char);
        }
        out.push(ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex_ok(s: &str) -> Lexed {
        lex(s.as_bytes(), &ParseOptions::default()).unwrap()
    }

    #[test]
    fn defaults_without_una() {
        let l = lex_ok("UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'");
        assert_eq!(l.segments.len(), 2);
        assert_eq!(l.segments[0].get(1, 0), "PAXLST");
        assert_eq!(l.segments[0].get(1, 4), "IATA");
        assert_eq!(l.segments[1].offset, 27);
        assert_eq!(l.segments[1].index, 2);
    }

    #[test]
    fn every_separator_variant_with_release() {
        for (una, text) in [
            ("UNA:+.? '", "NAD+FL+++O?'LEARY:ANN? MARIE?+?:'"),
            ("UNA:+.?*'", "NAD+FL+++O?'LEARY:ANN? MARIE?+?:'"),
            ("UNA:*.? $", "NAD*FL***O'LEARY:ANN? MARIE+?:$"),
            ("UNA:(.) -", "NAD(FL(((O'LEARY:ANN) MARIE+):-"),
        ] {
            let l = lex_ok(&format!("{una}\r\n{text}"));
            let nad = l.segments.iter().find(|s| s.tag == "NAD").unwrap();
            assert_eq!(nad.get(3, 0), "O'LEARY", "{una}");
            assert_eq!(nad.get(3, 1), "ANN MARIE+:", "{una}");
        }
    }

    #[test]
    fn noise_around_the_interchange() {
        let l =
            lex_ok("QN GBRRMOK\r\n.YOWAAXH KL/041643\r\n\x01UNB+A'\r\n  UNG +PAXLST'UNZ+1'13Nov09");
        let tags: Vec<_> = l.segments.iter().map(|s| s.tag.as_str()).collect();
        assert_eq!(tags, ["UNB", "UNG", "UNZ"]);
        assert_eq!(l.segments[1].get(0, 0), "PAXLST");
        assert_eq!(l.warnings.len(), 2, "{:?}", l.warnings);
    }

    #[test]
    fn a_second_una_without_unz_switches_separators() {
        let l = lex_ok("UNA:+.? 'UNH+1'UNA:*.? $UNH*2$");
        let refs: Vec<_> = l.segments.iter().map(|s| s.get(0, 0)).collect();
        assert_eq!(refs, ["1", "2"]);
    }

    #[test]
    fn spaces_inside_elements_are_kept() {
        let l = lex_ok("UNH+1'DTM+232: 1306212200:201'");
        assert_eq!(l.segments[1].get(0, 1), " 1306212200");
    }

    #[test]
    fn typographic_quote_is_read_as_terminator_with_warning() {
        let l = lex_ok("UNH+1+PAXLST:D:12B:UN:IATA\u{2019}BGM+266+CLOB\u{2019}");
        assert_eq!(l.segments.len(), 2);
        assert_eq!(l.segments[1].get(1, 0), "CLOB");
        assert!(l.warnings[0].contains("typographic"));
    }

    #[test]
    fn latin1_bytes_decode() {
        let l = lex(
            b"UNH+1+PAXLST'NAD+FL+++ALI YY\xc9'",
            &ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(l.segments[1].get(3, 0), "ALI YY\u{c9}");
    }

    #[test]
    fn no_interchange_is_an_error() {
        assert!(lex(b"hello", &ParseOptions::default()).is_err());
        assert!(lex(b"", &ParseOptions::default()).is_err());
    }
}
