//! Prints N synthetic listed persons as NDJSON in the watchlist loader's format:
//! `{id, list, severity, names:[{full,kind}], dob:[..], gender, nationalities, documents}`.
//!
//! `cargo run --release --example gen_watchlist -- [N=1000] [SEED=1] [ID_PREFIX=syn:] > list.ndjson`

use paxscreen::model::{Gender, WatchlistEntry};
use paxscreen::synth::{Population, Rng};
use serde_json::{Value, json};
use std::io::{BufWriter, Write};

fn entry_json(e: &WatchlistEntry) -> Value {
    let mut obj = json!({
        "id": e.id,
        "list": e.list,
        "severity": e.severity.as_str(),
        "names": e.names,
        "dob": e.dobs.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        "nationalities": e.nationalities.iter().map(|c| c.alpha3()).collect::<Vec<_>>(),
        "documents": e.documents.iter().map(|d| json!({
            "type": d.doc_type,
            "number": d.number,
            "country": d.country.map(|c| c.alpha3().to_string()),
        })).collect::<Vec<_>>(),
    });
    if let Some(g) = e.gender {
        let g = match g {
            Gender::Male => "M",
            Gender::Female => "F",
            Gender::Other => "X",
        };
        obj["gender"] = json!(g);
    }
    obj
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let prefix = args.next().unwrap_or_else(|| "syn:".to_string());
    let pop = Population::new();
    let mut rng = Rng::new(seed);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    // In chunks, so a million entries never sit in memory at once.
    let mut done = 0;
    while done < n {
        let chunk = (n - done).min(10_000);
        let mut entries = pop.watchlist_padding(&mut rng, chunk, &prefix);
        for (i, e) in entries.iter_mut().enumerate() {
            e.id = format!("{prefix}{}", done + i);
            serde_json::to_writer(&mut out, &entry_json(e))?;
            out.write_all(b"\n")?;
        }
        done += chunk;
    }
    out.flush()?;
    Ok(())
}
