//! Candidate recall of the index against a brute-force scan with the same scorer, at scale: UN +
//! OFAC padded with generated listed people to ENTRIES, queried with perturbed listed names (half
//! with their birth date) and ordinary generated travellers. Slow by design (each query is scored
//! against every entry). Also prints the indexed screening throughput on the same queries.
//! `cargo run --release --example recall_scale -- [ENTRIES] [QUERIES] [MAX_CONFIRM_POSTING]`
use paxscreen::index::{Index, IndexConfig};
use paxscreen::model::{DateSpec, EntityType, EntryRef, NameKind, Passenger};
use paxscreen::screen::{ScreenConfig, Screener};
use paxscreen::synth::{Population, Rng};
use rayon::prelude::*;
use std::collections::HashSet;
use std::time::Instant;

#[path = "../benches/support/scale_list.rs"]
mod scale_list;

/// One spelling change of the kind the index test uses: a letter replaced, dropped or doubled,
/// the order rotated or a middle part dropped.
fn perturb(name: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = name.split_whitespace().map(str::to_string).collect();
    let i = rng.below(words.len().max(1) as u64) as usize;
    match rng.below(4) {
        0 if words.len() > 1 => words.rotate_left(1),
        1 if words.len() > 2 => {
            words.remove(1 + rng.below(words.len() as u64 - 2) as usize);
        }
        2 => {
            let mut b: Vec<char> = words[i].chars().collect();
            if b.len() > 3 {
                let j = 1 + rng.below(b.len() as u64 - 1) as usize;
                b[j] = ['A', 'E', 'I', 'O', 'U', 'Y'][rng.below(6) as usize];
                words[i] = b.into_iter().collect();
            }
        }
        _ => {
            let mut b: Vec<char> = words[i].chars().collect();
            if b.len() > 4 {
                let j = 1 + rng.below(b.len() as u64 - 2) as usize;
                let c = b[j];
                if rng.chance(0.5) {
                    b.remove(j);
                } else {
                    b.insert(j, c);
                }
                words[i] = b.into_iter().collect();
            }
        }
    }
    words.join(" ")
}

fn main() {
    let n: usize = scale_list::arg(1, 1_000_000);
    let nq: usize = scale_list::arg(2, 300);
    let mut config = IndexConfig::default();
    config.max_confirm_posting = scale_list::arg(3, config.max_confirm_posting);
    let pop = Population::new();
    let mut rng = Rng::new(4242);
    let entries = scale_list::un_ofac_padded(n, &pop, &mut rng);
    let people: Vec<EntryRef> = entries
        .iter()
        .filter(|e| e.entity_type == EntityType::Individual)
        .cloned()
        .collect();
    let mut queries: Vec<Passenger> = Vec::new();
    while queries.len() < nq * 3 / 5 {
        let e = &people[rng.below(people.len() as u64) as usize];
        let name = &e.names[rng.below(e.names.len() as u64) as usize];
        if name.kind == NameKind::OriginalScript {
            continue;
        }
        let dob = e.dobs.first().and_then(|d| match d {
            DateSpec::Exact(p) => Some(*p),
            _ => None,
        });
        queries.push(Passenger {
            id: format!("v{}", queries.len()),
            name: Some(perturb(&name.full, &mut rng)),
            dob: if rng.chance(0.5) { dob } else { None },
            ..Default::default()
        });
    }
    while queries.len() < nq {
        queries.push(pop.traveller(&mut rng));
    }
    drop(people);
    let t0 = Instant::now();
    let screener = Screener::new(
        Index::build(entries, config),
        ScreenConfig {
            top_n: usize::MAX,
            ..ScreenConfig::default()
        },
    );
    println!(
        "{} entries indexed in {:.1} s (max_confirm_posting {})",
        screener.index().len(),
        t0.elapsed().as_secs_f64(),
        config.max_confirm_posting
    );
    let t1 = Instant::now();
    let indexed: Vec<Vec<String>> = queries
        .par_iter()
        .map(|q| screener.screen(q).into_iter().map(|m| m.entry_id).collect())
        .collect();
    println!(
        "indexed screening: {:.0} queries/s",
        queries.len() as f64 / t1.elapsed().as_secs_f64()
    );
    let t2 = Instant::now();
    let (found, total, found_top, total_top) = queries
        .par_iter()
        .zip(&indexed)
        .map(|(q, ix)| {
            let brute: Vec<String> = screener
                .screen_brute_force(q)
                .into_iter()
                .map(|m| m.entry_id)
                .collect();
            let all: HashSet<&String> = ix.iter().collect();
            if std::env::var_os("RECALL_DIAG").is_some() {
                let index = screener.index();
                let prepared = paxscreen::screen::Prepared::new(q, Some(&index));
                let wide = index.candidates(&prepared.probe(), 1_000_000);
                for (rank, m) in brute.iter().enumerate().filter(|(_, m)| !all.contains(m)) {
                    let pos = wide.iter().position(|c| {
                        index
                            .with_entry(c.slot, |e| &e.entry.id == m)
                            .unwrap_or(false)
                    });
                    let e = index.get(m).expect("listed");
                    println!(
                        "  missed {:?}{} -> {} : brute-force rank {rank} of {}, candidate rank {:?} of {}",
                        q.name.as_deref().or(q.surname.as_deref()),
                        if q.dob.is_some() { " (dob)" } else { "" },
                        e.entry.names[0].full,
                        brute.len(),
                        pos,
                        wide.len()
                    );
                }
            }
            let top: HashSet<&String> = ix.iter().take(10).collect();
            let bt = &brute[..brute.len().min(10)];
            (
                brute.iter().filter(|m| all.contains(m)).count(),
                brute.len(),
                bt.iter().filter(|m| top.contains(m)).count(),
                bt.len(),
            )
        })
        .reduce(
            || (0, 0, 0, 0),
            |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3),
        );
    println!(
        "candidate recall: all matches {found}/{total} = {:.2}%; 10 best per query {found_top}/{total_top} = {:.2}% ({} queries, brute force {:.0} s)",
        100.0 * found as f64 / total.max(1) as f64,
        100.0 * found_top as f64 / total_top.max(1) as f64,
        queries.len(),
        t2.elapsed().as_secs_f64()
    );
}
