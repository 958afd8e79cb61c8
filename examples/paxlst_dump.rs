//! Prints `paxlst::parse_to_ndjson` for the files given (a stand-in for `paxscreen parse`
//! until the CLI wires it).
fn main() -> std::io::Result<()> {
    let inputs: Vec<(String, Vec<u8>)> = std::env::args()
        .skip(1)
        .map(|p| {
            let b = std::fs::read(&p).expect("readable file");
            (p, b)
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    paxscreen::paxlst::parse_to_ndjson(&inputs, &mut out)?;
    Ok(())
}
