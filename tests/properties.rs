//! Property tests (issue 2): normalising twice is normalising once; part and name similarity are
//! symmetric and bounded; screening through the index finds what scoring every entry finds on
//! small random lists.

use paxscreen::model::{EntryName, NameKind, Passenger, WatchlistEntry};
use paxscreen::names;
use paxscreen::screen::{ScreenConfig, Screener};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Names from several scripts, punctuation and particles.
fn name_strategy() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        "[A-Z][a-z]{1,9}",
        "[A-Z]{2,10}",
        "(AL|EL|ABD|ABDUL|BIN|O'|MC)[A-Z]{2,8}",
        "[\u{0621}-\u{064A}]{2,7}",
        "[\u{0410}-\u{044F}]{2,8}",
        "[\u{4E00}-\u{4E50}]{1,3}",
        "[a-zA-Z\u{00C0}-\u{00FF}'.-]{1,10}",
    ];
    prop::collection::vec(word, 1..5).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn normalising_twice_is_normalising_once(s in name_strategy()) {
        let once = names::normalise(&s);
        prop_assert_eq!(names::normalise(&once), once);
    }

    #[test]
    fn normalising_never_panics_on_any_text(s in any::<String>()) {
        let _ = names::normalise(&s);
        let _ = names::parts(&s);
    }

    #[test]
    fn part_similarity_is_symmetric_and_bounded(a in name_strategy(), b in name_strategy()) {
        for pa in names::parts(&a) {
            for pb in names::parts(&b) {
                let x = names::part_similarity(&pa, &pb);
                let y = names::part_similarity(&pb, &pa);
                prop_assert!((0.0..=1.0).contains(&x), "{x}");
                prop_assert!((x - y).abs() < 1e-6, "{:?} {:?}: {x} vs {y}", pa.text(), pb.text());
            }
        }
    }

    #[test]
    fn name_score_is_bounded_and_one_for_itself(a in name_strategy(), b in name_strategy()) {
        let (pa, pb) = (names::parts(&a), names::parts(&b));
        let wa: Vec<f32> = pa.iter().map(names::part_weight).collect();
        let wb: Vec<f32> = pb.iter().map(names::part_weight).collect();
        let s = names::align(&pa, &wa, &pb, &wb, 0).score;
        prop_assert!((0.0..=1.0).contains(&s), "{s}");
        if !pa.is_empty() && pa.len() <= 8 {
            let own = names::align(&pa, &wa, &pa, &wa, 0).score;
            prop_assert!(own > 0.999, "{a}: {own}");
        }
    }
}

/// Small lists of names drawn from a tiny vocabulary, so that queries collide with entries.
fn small_list() -> impl Strategy<Value = (Vec<Vec<String>>, Vec<String>)> {
    let vocab = prop::sample::select(vec![
        "MUHAMMAD",
        "MOHAMED",
        "ALI",
        "HASSAN",
        "HASAN",
        "KHALID",
        "KHALED",
        "RAHMAN",
        "ABDUL",
        "AL-RAHMAN",
        "YUSUF",
        "YOUSSEF",
        "OMAR",
        "UMAR",
        "IVANOV",
        "IVANOVA",
        "PETROV",
        "WANG",
        "WEI",
        "LI",
        "KIM",
        "JONG",
        "SMITH",
        "SMYTH",
        "GARCIA",
        "GARCÍA",
    ]);
    let name = prop::collection::vec(vocab, 1..4).prop_map(|v| v.join(" "));
    (
        prop::collection::vec(prop::collection::vec(name.clone(), 1..3), 1..40),
        prop::collection::vec(name, 1..10),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn index_finds_what_brute_force_finds_on_small_lists((list, queries) in small_list()) {
        let entries = list
            .iter()
            .enumerate()
            .map(|(i, names)| {
                Arc::new(WatchlistEntry {
                    id: format!("e{i}"),
                    list: "t".into(),
                    names: names
                        .iter()
                        .map(|n| EntryName { full: n.clone(), kind: NameKind::Primary })
                        .collect(),
                    ..Default::default()
                })
            })
            .collect();
        let screener = Screener::from_entries(
            entries,
            ScreenConfig { top_n: usize::MAX, ..ScreenConfig::default() },
        );
        for q in queries {
            let p = Passenger { id: "q".into(), name: Some(q.clone()), ..Default::default() };
            let brute: BTreeSet<String> =
                screener.screen_brute_force(&p).into_iter().map(|m| m.entry_id).collect();
            let indexed: BTreeSet<String> =
                screener.screen(&p).into_iter().map(|m| m.entry_id).collect();
            prop_assert_eq!(&brute, &indexed, "query {}", q);
        }
    }
}
