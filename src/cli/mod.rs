//! The file-based subcommands: `screen`, `compare` and `parse`. `main.rs` parses flags and calls
//! these; they read files or stdin and write NDJSON.

pub mod input;

use crate::model::{EntryRef, Passenger};
use crate::screen::{Match, ScreenConfig, Screener};
use crate::watchlist;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// What `screen` needs.
#[derive(Debug, Clone)]
pub struct ScreenArgs {
    pub watchlists: Vec<PathBuf>,
    pub threshold: f32,
    pub top: usize,
    /// Files, or `-` for stdin; none means stdin.
    pub inputs: Vec<String>,
}

/// Loads every list, reports each summary on stderr, and returns the entries.
pub fn load_watchlists(paths: &[PathBuf], err: &mut dyn Write) -> Result<Vec<EntryRef>> {
    let mut all = Vec::new();
    for path in paths {
        let (entries, summary) = watchlist::load_path(path)
            .with_context(|| format!("loading watchlist {}", path.display()))?;
        writeln!(err, "{}", serde_json::json!({ "watchlist": summary }))?;
        all.extend(entries.into_iter().map(Arc::new));
    }
    Ok(all)
}

/// One output line of `screen`.
#[derive(Serialize)]
struct ScreenLine<'a> {
    passenger_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    flight: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_ref: Option<&'a str>,
    hits: &'a [Match],
}

/// A line that could not be screened, in place of its result so output stays one line per input
/// record.
#[derive(Serialize)]
struct ErrorLine<'a> {
    input: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    error: &'a str,
}

/// A unit of work read from the input: a passenger with its context, or an input error.
enum Item {
    Passenger {
        passenger: Passenger,
        flight: Option<String>,
        message_ref: Option<String>,
    },
    Error {
        input: String,
        line: Option<usize>,
        error: String,
    },
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
struct Summary {
    entries: usize,
    load_seconds: f64,
    passengers: usize,
    screen_seconds: f64,
    hits: usize,
    errors: usize,
}

const CHUNK: usize = 8192;

fn is_edifact(bytes: &[u8]) -> bool {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    match first {
        Some(i) => bytes[i] != b'{',
        None => false,
    }
}

fn open_input(name: &str) -> Result<Box<dyn BufRead>> {
    if name == "-" {
        Ok(Box::new(std::io::BufReader::new(std::io::stdin())))
    } else {
        let f = std::fs::File::open(name).with_context(|| format!("opening input {name}"))?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, f)))
    }
}

/// Runs `paxscreen screen`: loads lists, screens NDJSON passengers or PAXLST messages, writes one
/// line per traveller to `out` and a summary to `err`.
pub fn run_screen(args: &ScreenArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    if args.watchlists.is_empty() {
        bail!("no watchlist given (--watchlist PATH)");
    }
    let t0 = Instant::now();
    let entries = load_watchlists(&args.watchlists, err)?;
    let config = ScreenConfig {
        threshold: args.threshold,
        top_n: args.top,
        ..ScreenConfig::default()
    };
    let screener = Screener::from_entries(entries, config);
    let mut summary = Summary {
        entries: screener.index().len(),
        load_seconds: t0.elapsed().as_secs_f64(),
        ..Summary::default()
    };
    let inputs = if args.inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        args.inputs.clone()
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK);
    for name in &inputs {
        let mut reader = open_input(name)?;
        let peek = reader
            .fill_buf()
            .with_context(|| format!("reading {name}"))?;
        if is_edifact(peek) {
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .with_context(|| format!("reading {name}"))?;
            chunk.extend(paxlst_items(name, &bytes));
            flush_chunk(&screener, &mut chunk, &mut out, &mut summary)?;
            continue;
        }
        let mut line_no = 0usize;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("reading {name}"))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let item = match std::str::from_utf8(&buf) {
                Err(e) => Item::Error {
                    input: name.clone(),
                    line: Some(line_no),
                    error: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                },
                Ok(s) if s.trim().is_empty() => continue,
                Ok(s) => match input::parse_passenger(s) {
                    Ok(p) => Item::Passenger {
                        passenger: p,
                        flight: None,
                        message_ref: None,
                    },
                    Err(e) => Item::Error {
                        input: name.clone(),
                        line: Some(line_no),
                        error: e,
                    },
                },
            };
            chunk.push(item);
            if chunk.len() >= CHUNK {
                flush_chunk(&screener, &mut chunk, &mut out, &mut summary)?;
            }
        }
    }
    flush_chunk(&screener, &mut chunk, &mut out, &mut summary)?;
    out.flush()?;
    writeln!(err, "{}", serde_json::json!({ "summary": summary }))?;
    Ok(())
}

/// Every manifest in one EDIFACT input, multi-part messages assembled (what is missing at the
/// end of the input is released with a warning on the manifest).
fn paxlst_manifests(bytes: &[u8]) -> Result<Vec<crate::model::Manifest>, String> {
    use crate::paxlst::{Assembler, ParseOptions, ParsedMessage};
    let msgs = crate::paxlst::parse(bytes, &ParseOptions::default()).map_err(|e| e.to_string())?;
    let mut assembler = Assembler::new(std::time::Duration::ZERO);
    let mut out = Vec::new();
    for m in msgs {
        if let ParsedMessage::Paxlst { manifest, part } = m
            && let Some(done) = assembler.push(manifest, part, std::time::Duration::ZERO)
        {
            out.push(done);
        }
    }
    out.extend(assembler.flush());
    Ok(out)
}

/// Runs `paxscreen parse`: one JSON manifest (or CUSRES, or error) per line.
pub fn run_parse(inputs: &[String], out: &mut dyn Write) -> Result<()> {
    let inputs = if inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        inputs.to_vec()
    };
    let mut data = Vec::with_capacity(inputs.len());
    for name in &inputs {
        let mut bytes = Vec::new();
        open_input(name)?
            .read_to_end(&mut bytes)
            .with_context(|| format!("reading {name}"))?;
        data.push((name.clone(), bytes));
    }
    let mut out = std::io::BufWriter::new(out);
    crate::paxlst::parse_to_ndjson(&data, &mut out)?;
    out.flush()?;
    Ok(())
}

/// Travellers of every manifest in a PAXLST input (multi-part messages assembled within it).
fn paxlst_items(name: &str, bytes: &[u8]) -> Vec<Item> {
    let mut items = Vec::new();
    match paxlst_manifests(bytes) {
        Ok(manifests) => {
            for m in manifests {
                let flight = m
                    .flights
                    .first()
                    .map(|f| {
                        format!(
                            "{}{}",
                            f.carrier.as_deref().unwrap_or(""),
                            f.number.as_deref().unwrap_or("")
                        )
                    })
                    .filter(|s| !s.is_empty());
                for t in m.travellers {
                    items.push(Item::Passenger {
                        passenger: t.passenger,
                        flight: flight.clone(),
                        message_ref: m.message_ref.clone(),
                    });
                }
            }
        }
        Err(e) => items.push(Item::Error {
            input: name.to_string(),
            line: None,
            error: e,
        }),
    }
    items
}

fn flush_chunk(
    screener: &Screener,
    chunk: &mut Vec<Item>,
    out: &mut dyn Write,
    summary: &mut Summary,
) -> Result<()> {
    let passengers: Vec<&Passenger> = chunk
        .iter()
        .filter_map(|i| match i {
            Item::Passenger { passenger, .. } => Some(passenger),
            Item::Error { .. } => None,
        })
        .collect();
    let t = Instant::now();
    let results: Vec<Vec<Match>> = {
        use rayon::prelude::*;
        passengers.par_iter().map(|p| screener.screen(p)).collect()
    };
    summary.screen_seconds += t.elapsed().as_secs_f64();
    let mut results = results.into_iter();
    for item in chunk.drain(..) {
        match item {
            Item::Passenger {
                passenger,
                flight,
                message_ref,
            } => {
                let hits = results.next().unwrap_or_default();
                summary.passengers += 1;
                summary.hits += hits.len();
                serde_json::to_writer(
                    &mut *out,
                    &ScreenLine {
                        passenger_id: &passenger.id,
                        flight: flight.as_deref(),
                        message_ref: message_ref.as_deref(),
                        hits: &hits,
                    },
                )?;
            }
            Item::Error { input, line, error } => {
                summary.errors += 1;
                serde_json::to_writer(
                    &mut *out,
                    &ErrorLine {
                        input: &input,
                        line,
                        error: &error,
                    },
                )?;
            }
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One `compare` result.
#[derive(Serialize)]
struct CompareLine<'a> {
    #[serde(serialize_with = "round3")]
    score: f32,
    explanation: Option<&'a crate::screen::Explanation>,
}

fn round3<S: serde::Serializer>(x: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(((*x as f64) * 1000.0).round() / 1000.0)
}

fn compare_side_a(v: serde_json::Value) -> Result<Passenger, String> {
    match v {
        serde_json::Value::String(name) => Ok(Passenger {
            id: "a".into(),
            name: Some(name),
            ..Default::default()
        }),
        serde_json::Value::Object(mut o) => {
            o.entry("id").or_insert_with(|| "a".into());
            input::passenger_from_value(serde_json::Value::Object(o))
        }
        _ => Err("field a: expected a name or a passenger object".into()),
    }
}

fn compare_side_b(v: serde_json::Value) -> Result<EntryRef, String> {
    let line = match v {
        serde_json::Value::String(name) => {
            serde_json::json!({"id": "b", "list": "compare", "names": [name]})
        }
        serde_json::Value::Object(mut o) => {
            o.entry("id").or_insert_with(|| "b".into());
            o.entry("list").or_insert_with(|| "compare".into());
            serde_json::Value::Object(o)
        }
        _ => return Err("field b: expected a name or an entry object".into()),
    };
    let (mut entries, summary) = watchlist::load_bytes(
        watchlist::ListFormat::Ndjson,
        "compare",
        line.to_string().as_bytes(),
    )
    .map_err(|e| format!("field b: {e}"))?;
    match entries.pop() {
        Some(e) => Ok(Arc::new(e)),
        None => Err(format!(
            "field b: {}",
            summary
                .problems
                .first()
                .map(|p| p.reason.as_str())
                .unwrap_or("not a usable entry")
        )),
    }
}

/// Runs `paxscreen compare`: `{"a":…,"b":…}` per line in, `{"score":…,"explanation":…}` out.
pub fn run_compare(inputs: &[String], out: &mut dyn Write) -> Result<()> {
    let inputs = if inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        inputs.to_vec()
    };
    let mut out = std::io::BufWriter::new(out);
    for name in &inputs {
        let reader = open_input(name)?;
        for (i, line) in reader.split(b'\n').enumerate() {
            let line = line.with_context(|| format!("reading {name}"))?;
            let result = (|| -> Result<Option<crate::screen::Match>, String> {
                let s = std::str::from_utf8(&line).map_err(|_| "invalid UTF-8".to_string())?;
                if s.trim().is_empty() {
                    return Err(String::new());
                }
                let mut v: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(s).map_err(|e| format!("invalid JSON: {e}"))?;
                let a = compare_side_a(v.remove("a").ok_or("missing field a")?)?;
                let b = compare_side_b(v.remove("b").ok_or("missing field b")?)?;
                if let Some(k) = v.keys().next() {
                    return Err(format!("unknown field {k}"));
                }
                Ok(crate::screen::compare(&a, b))
            })();
            match result {
                Ok(m) => serde_json::to_writer(
                    &mut out,
                    &CompareLine {
                        score: m.as_ref().map(|m| m.score).unwrap_or(0.0),
                        explanation: m.as_ref().map(|m| &m.explanation),
                    },
                )?,
                Err(e) if e.is_empty() => continue,
                Err(e) => serde_json::to_writer(
                    &mut out,
                    &ErrorLine {
                        input: name,
                        line: Some(i + 1),
                        error: &e,
                    },
                )?,
            }
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(())
}
