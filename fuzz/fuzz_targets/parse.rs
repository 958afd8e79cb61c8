//! Lexer + parser + assembler + NDJSON on arbitrary bytes: must not panic, hang or allocate
//! without bound. Run: `cargo +nightly fuzz run parse -- -max_total_time=600`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paxscreen::paxlst::{Assembler, ParseOptions, ParsedMessage, parse, parse_to_ndjson};
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    if let Ok(msgs) = parse(data, &ParseOptions::default()) {
        let mut a = Assembler::new(Duration::from_secs(1));
        for m in msgs {
            if let ParsedMessage::Paxlst { manifest, part } = m {
                let _ = a.push(manifest, part, Duration::ZERO);
            }
        }
        let _ = a.expire(Duration::from_secs(2));
    }
    let mut sink = Vec::new();
    let _ = parse_to_ndjson(&[("fuzz".to_string(), data.to_vec())], &mut sink);
});
