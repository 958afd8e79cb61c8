//! Prints N synthetic travellers (people on no list) as NDJSON `Passenger` lines.
//!
//! `cargo run --release --example gen_travellers -- [N=1000] [SEED=1] > travellers.ndjson`

use paxscreen::synth::{Population, Rng};
use std::io::{BufWriter, Write};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let seed: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let pop = Population::new();
    let mut rng = Rng::new(seed);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for _ in 0..n {
        serde_json::to_writer(&mut out, &pop.traveller(&mut rng))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
