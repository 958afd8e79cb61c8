//! Sources of manifests: the gRPC services (and, with the Kafka issue, the Kafka consumer). They
//! hold no business logic: each turns its input into a `Manifest` and calls the
//! [`crate::engine::Engine`].
//!
//! The path every source shares lives here: [`screen_paxlst`] (EDIFACT bytes → parsed →
//! screened → published) and [`screen_and_publish`] (one manifest → screened → alerts stored
//! and broadcast → per-traveller results kept for the flight view). Blocking: async callers use
//! `spawn_blocking`.

pub mod grpc;
pub mod kafka;

use crate::alerts::cases::{ScreeningRecord, TravellerResultRow};
use crate::alerts::{self, Alert, FlightRef, Source, StoreError};
use crate::engine::{Engine, EngineError, ManifestOutcome};
use crate::model::Manifest;
use crate::paxlst::{self, Assembler, ParseError, ParseOptions, ParsedMessage};

/// Why a message could not be screened.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The bytes are not a readable interchange (the error names segment and byte offset).
    #[error("PAXLST: {0}")]
    Parse(#[from] ParseError),
    /// The interchange holds no PAXLST message (only CUSRES or other message types).
    #[error("no PAXLST message in the input ({0} other message(s))")]
    NoManifest(usize),
    /// Refused by a limit, or the alert store failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl IngestError {
    /// Bad input (the sender must fix it) as opposed to a fault on this side.
    pub fn is_bad_input(&self) -> bool {
        match self {
            IngestError::Parse(e) => e.is_bad_input(),
            IngestError::NoManifest(_) => true,
            IngestError::Engine(EngineError::Store(_)) => false,
            IngestError::Engine(_) => true,
        }
    }
}

/// One screened manifest: the engine's outcome and the alerts that were new (stored, with
/// `seq`; a redelivered message yields none).
#[derive(Debug)]
pub struct Screened {
    pub manifest: Manifest,
    pub outcome: ManifestOutcome,
    pub published: Vec<Alert>,
}

/// Parses EDIFACT bytes and screens and publishes every PAXLST manifest they carry. Parts of a
/// multi-part message found in the same input are assembled; parts whose siblings are missing
/// are screened anyway (with a warning on the manifest naming the missing parts), so nothing
/// accepted is lost. CUSRES and other message types are skipped.
pub fn screen_paxlst(
    engine: &Engine,
    bytes: &[u8],
    source: &Source,
) -> Result<Vec<Screened>, IngestError> {
    engine.check_size(bytes.len())?;
    let opts = ParseOptions {
        max_bytes: engine.limits().max_message_bytes,
        max_travellers: engine.limits().max_travellers,
        ..ParseOptions::default()
    };
    let messages = paxlst::parse(bytes, &opts)?;
    let mut assembler = Assembler::new(std::time::Duration::MAX);
    let mut manifests = Vec::new();
    let mut others = 0;
    for m in messages {
        match m {
            ParsedMessage::Paxlst { manifest, part } => {
                manifests.extend(assembler.push(manifest, part, std::time::Duration::ZERO));
            }
            ParsedMessage::Cusres(_) | ParsedMessage::Unsupported { .. } => others += 1,
        }
    }
    manifests.extend(assembler.flush());
    if manifests.is_empty() {
        return Err(IngestError::NoManifest(others));
    }
    manifests
        .into_iter()
        .map(|m| screen_and_publish(engine, m, source).map_err(IngestError::from))
        .collect()
}

/// Screens one manifest, publishes its alerts (stored before they are broadcast), and keeps the
/// per-traveller results where the store keeps casework.
pub fn screen_and_publish(
    engine: &Engine,
    manifest: Manifest,
    source: &Source,
) -> Result<Screened, EngineError> {
    let outcome = engine.screen_manifest(&manifest, source)?;
    let published = engine.publish(outcome.alerts.clone())?;
    if engine.hub().store().cases().is_some() {
        record_screening(engine, &screening_record(&manifest, &outcome, source))?;
    }
    Ok(Screened {
        manifest,
        outcome,
        published,
    })
}

/// Keeps one screening's per-traveller results for the flight view where the store keeps
/// casework (the memory store does not: then nothing is done). A message id recorded before is
/// ignored, so a redelivered manifest is kept once.
pub fn record_screening(engine: &Engine, record: &ScreeningRecord) -> Result<(), StoreError> {
    match engine.hub().store().cases() {
        Some(cases) => cases.record_screening(record),
        None => Ok(()),
    }
}

/// The compact per-traveller results of one screening.
pub fn screening_record(m: &Manifest, o: &ManifestOutcome, source: &Source) -> ScreeningRecord {
    let mut alerts_per = vec![0u32; m.travellers.len()];
    for a in &o.alerts {
        if let Some(n) = alerts_per.get_mut(a.traveller.index as usize) {
            *n += 1;
        }
    }
    let travellers = o
        .results
        .iter()
        .zip(&m.travellers)
        .map(|(r, t)| {
            let best = r.matches.first();
            TravellerResultRow {
                index: r.index as u32,
                traveller_id: r.traveller_id.clone(),
                kind: t.kind,
                name: t.passenger.display_name(),
                decision: match r.decision {
                    crate::engine::Decision::Board => "board",
                    crate::engine::Decision::NoBoard => "no_board",
                    crate::engine::Decision::Refer => "refer",
                }
                .to_string(),
                best_score: best.map(|b| b.score),
                best_entry: best.map(|b| b.entry_id.clone()),
                alerts: alerts_per.get(r.index).copied().unwrap_or(0),
            }
        })
        .collect();
    ScreeningRecord {
        message_id: o.message_id.clone(),
        message_ref: m.message_ref.clone(),
        screened_at: o
            .alerts
            .first()
            .map(|a| a.created_at)
            .unwrap_or_else(alerts::now),
        source: source.label().to_string(),
        flight: FlightRef::of(m),
        travellers,
    }
}
