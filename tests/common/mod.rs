//! Helpers shared by the black-box tests: where the optional shared corpus is, and a brute-force
//! baseline matcher.
#![allow(dead_code)]

use std::path::PathBuf;

/// The shared corpus directory (`../shared/corpus` beside the checkout, or `$PAXSCREEN_SHARED`),
/// when present. Tests that need it print a note and pass vacuously-but-visibly when it is not:
/// it is optional extra data, not a fixture.
pub fn shared_corpus() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PAXSCREEN_SHARED") {
        let p = PathBuf::from(p).join("corpus");
        return p.is_dir().then_some(p);
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let cand = dir.join("shared").join("corpus");
        if cand.is_dir() {
            return Some(cand);
        }
        if !dir.pop() {
            return None;
        }
    }
}

pub fn un_xml() -> Option<PathBuf> {
    let p = shared_corpus()?.join("watchlists/un/consolidated-2026-02-27.xml");
    p.is_file().then_some(p)
}

pub fn ofac_sdn() -> Option<PathBuf> {
    let p = shared_corpus()?.join("watchlists/ofac/sdn.csv");
    p.is_file().then_some(p)
}

/// rapidfuzz's default processor: lower case, non-alphanumerics to spaces, trimmed.
fn process(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

fn lcs(a: &[char], b: &[char]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Prepared form for [`token_sort_ratio`]: processed, tokens sorted, joined by spaces.
pub fn token_sort_key(s: &str) -> Vec<char> {
    let p = process(s);
    let mut toks: Vec<&str> = p.split_whitespace().collect();
    toks.sort_unstable();
    toks.join(" ").chars().collect()
}

/// rapidfuzz `fuzz.token_sort_ratio` on prepared keys: normalised Indel similarity × 100.
pub fn token_sort_ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 100.0;
    }
    let dist = total - 2 * lcs(a, b);
    100.0 * (1.0 - dist as f64 / total as f64)
}

#[test]
fn token_sort_ratio_matches_rapidfuzz_examples() {
    // values from rapidfuzz's documentation and by hand
    let r = |a: &str, b: &str| token_sort_ratio(&token_sort_key(a), &token_sort_key(b));
    assert!((r("fuzzy wuzzy was a bear", "wuzzy fuzzy was a bear") - 100.0).abs() < 1e-9);
    assert!((r("this is a test", "this is a test!") - 100.0).abs() < 1e-9);
    // "abc" vs "abd": LCS 2 → 1 - 2/6
    assert!((r("abc", "abd") - 66.666_666).abs() < 1e-3);
}
