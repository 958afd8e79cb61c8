#![no_main]
//! Name normalisation, keys and alignment on arbitrary text: no panic, idempotent normalisation.

use libfuzzer_sys::fuzz_target;
use paxscreen::names;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let once = names::normalise(&s);
    assert_eq!(names::normalise(&once), once);
    let parts = names::parts(&s);
    let _ = names::name_keys(&parts);
    let w: Vec<f32> = parts.iter().map(names::part_weight).collect();
    let a = names::align(&parts, &w, &parts, &w, 0);
    assert!((0.0..=1.0).contains(&a.score));
});
