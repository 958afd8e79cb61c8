//! Robustness without libFuzzer: random bytes, random EDIFACT-ish token soup and mutated corpus
//! files must never panic, and must finish quickly (bounded work). The same inputs feed
//! `fuzz/fuzz_targets/parse.rs` under cargo-fuzz when a nightly toolchain is available.

use paxscreen::paxlst::{
    Assembler, ParseError, ParseOptions, ParsedMessage, parse, parse_to_ndjson,
};
use std::path::Path;
use std::time::{Duration, Instant};

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for dir in ["tests/data/paxlst", "tests/data/paxlst/synthetic"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "edi") {
                v.push(std::fs::read(p).unwrap());
            }
        }
    }
    v
}

const TOKENS: &[&[u8]] = &[
    b"UNA",
    b"UNA:+.? '",
    b"UNA:(.) -",
    b"UNB",
    b"UNH",
    b"UNT",
    b"UNZ",
    b"NAD+FL+++",
    b"DOC+P+",
    b"DTM+329:",
    b"CNT+42:",
    b"+",
    b":",
    b"'",
    b"?",
    b"??",
    b"\xe2\x80\x99",
    b"\"\n",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"UNH+1+PAXLST:D:05B:UN:IATA+REF+99:F'",
    b"PDT+P/1:2:3+A:B:C:D:E'",
    b"ERP+2'ERC+9Z'",
    b"DTM+36:999999'",
    b"NAD+MS'",
];

/// Runs one input through everything a caller can do with it.
fn exercise(bytes: &[u8]) {
    let opts = ParseOptions::default();
    if let Ok(msgs) = parse(bytes, &opts) {
        let mut a = Assembler::new(Duration::from_secs(1));
        for m in msgs {
            if let ParsedMessage::Paxlst { manifest, part } = m {
                let _ = serde_json::to_string(&manifest).unwrap();
                let _ = a.push(manifest, part, Duration::ZERO);
            }
        }
        let _ = a.expire(Duration::from_secs(2));
    }
    let mut sink = Vec::new();
    parse_to_ndjson(&[("x".into(), bytes.to_vec())], &mut sink).unwrap();
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(8) {
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = rng.next() as u8;
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(b.len() + 1);
                b.splice(i..i, t.iter().copied());
            }
            2 if !b.is_empty() => {
                let i = rng.below(b.len());
                let j = (i + rng.below(64)).min(b.len());
                b.drain(i..j);
            }
            3 => {
                let n = rng.below(b.len() + 1);
                b.truncate(n);
            }
            4 if !b.is_empty() => {
                let i = rng.below(b.len());
                let j = (i + rng.below(200)).min(b.len());
                let chunk = b[i..j].to_vec();
                b.splice(i..i, chunk);
            }
            _ => {
                let i = rng.below(b.len() + 1);
                b.insert(i, b"+:'?"[rng.below(4)]);
            }
        }
    }
    b
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    let corpus = corpus();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < Duration::from_secs(3) && runs < 40_000 {
        let input = match runs % 3 {
            0 => (0..rng.below(512)).map(|_| rng.next() as u8).collect(),
            1 => {
                let mut v = Vec::new();
                for _ in 0..rng.below(64) {
                    v.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
                }
                v
            }
            _ => {
                let i = rng.below(corpus.len());
                mutate(&mut rng, &corpus[i])
            }
        };
        let t0 = Instant::now();
        exercise(&input);
        assert!(
            t0.elapsed() < Duration::from_secs(2),
            "input {runs} took {:?}: {:?}",
            t0.elapsed(),
            String::from_utf8_lossy(&input)
        );
        runs += 1;
    }
    assert!(runs > 500, "only {runs} runs");
}

#[test]
fn pathological_inputs_are_bounded() {
    let opts = ParseOptions::default();
    let big_separators = [b"UNH+1+PAXLST'NAD+FL+".to_vec(), vec![b'+'; 2_000_000]].concat();
    let t = Instant::now();
    let r = parse(&big_separators, &opts).unwrap();
    assert!(t.elapsed() < Duration::from_secs(5));
    let ParsedMessage::Paxlst { manifest, .. } = &r[0] else {
        panic!()
    };
    assert!(
        manifest
            .warnings
            .iter()
            .any(|w| w.contains("components, the rest dropped"))
    );

    let releases = [b"UNH+1+PAXLST'NAD+FL+++".to_vec(), vec![b'?'; 1_000_001]].concat();
    assert!(parse(&releases, &opts).is_ok());

    let many: Vec<u8> = [b"UNH+1+PAXLST'".to_vec(), b"NAD+FL+++A'".repeat(6000)].concat();
    let e = parse(&many, &opts).unwrap_err();
    assert!(
        matches!(e, ParseError::TooManyTravellers { limit: 5000, .. }),
        "{e}"
    );
    assert!(e.segment() > 5000 && e.offset() > 0);

    let small = ParseOptions {
        max_bytes: 10,
        ..ParseOptions::default()
    };
    assert!(matches!(
        parse(b"UNH+1+PAXLST'BGM+745'", &small),
        Err(ParseError::TooLarge { .. })
    ));
}

/// Found by the mutation loop above: a corrupt UNH part number (`+0148642106:TE`) made the
/// assembler list 148 million missing parts.
#[test]
fn issue_3_corrupt_part_number_does_not_hang_the_assembler() {
    let input = b"UNH+1+PAXLST:D:02B:UN:IATA+OK688/07+0148642106:TE'BGM+745'NAD+FL+++A:B'UNT+4+1'";
    let t = Instant::now();
    let mut out = Vec::new();
    assert_eq!(
        parse_to_ndjson(&[("x".into(), input.to_vec())], &mut out).unwrap(),
        1
    );
    assert!(t.elapsed() < Duration::from_secs(1));
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("part number is not 1"), "{text}");
}
