//! Prints what the loaders read from a list: `cargo run --example watchlist_stats -- PATH…`
//! (counts only; no personal data).

use paxscreen::model::{DateSpec, NameKind};
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    // `DUMP=un:123,ofac:45` prints those entries as JSON (for checking by hand).
    let dump: Vec<String> = std::env::var("DUMP")
        .map(|d| d.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    for arg in std::env::args().skip(1) {
        let t = Instant::now();
        let (entries, s) = match paxscreen::watchlist::load_path(std::path::Path::new(&arg)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let secs = t.elapsed().as_secs_f64();
        for e in entries.iter().filter(|e| dump.contains(&e.id)) {
            println!("{}", serde_json::to_string(e).unwrap_or_default());
        }
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        let mut dobs: BTreeMap<&str, usize> = BTreeMap::new();
        let (mut docs, mut nats, mut pobs) = (0, 0, 0);
        for e in entries
            .iter()
            .filter(|e| e.entity_type == paxscreen::model::EntityType::Individual)
        {
            for n in &e.names {
                *kinds.entry(format!("{:?}", n.kind)).or_default() += 1;
            }
            for d in &e.dobs {
                let k = match d {
                    DateSpec::Exact(p) if p.day.is_some() => "exact_full",
                    DateSpec::Exact(p) if p.month.is_some() => "exact_year_month",
                    DateSpec::Exact(_) => "exact_year",
                    DateSpec::Approximate(_) => "approximate",
                    DateSpec::Between { .. } => "between",
                };
                *dobs.entry(k).or_default() += 1;
            }
            docs += e.documents.len();
            nats += e.nationalities.len();
            pobs += e.places_of_birth.len();
        }
        let _ = NameKind::Primary;
        println!(
            "{arg}: {secs:.3}s entries={} individuals={} skipped={} problems={} unknown_nationalities={}",
            s.entries, s.individuals, s.skipped, s.problems_total, s.unknown_nationalities
        );
        println!("  individual names by kind: {kinds:?}");
        println!("  individual dobs: {dobs:?}");
        println!("  individual documents={docs} nationalities={nats} places_of_birth={pobs}");
        for p in s.problems.iter() {
            println!("  problem {}: {}", p.location, p.reason);
        }
    }
}
