//! A flight manifest: what one PAXLST message (or a JSON manifest) says about a flight and the
//! people on it. Built by `paxlst`, screened by `screen`.

use super::{Country, PartialDate, Passenger};
use serde::{Deserialize, Serialize};

/// BGM document type: what the message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// BGM 745.
    #[default]
    PassengerList,
    /// BGM 250.
    CrewList,
    /// BGM 336.
    MasterCrewList,
    /// BGM 266 (close-out, cancel, change of flight).
    FlightStatus,
    /// BGM 745 with CP: a change to passenger data.
    ChangePassenger,
    /// BGM 745 with XR: cancel reservation.
    CancelReservation,
    /// BGM 745 with RP: reduction in party.
    ReductionInParty,
    /// BGM 655.
    GatePass,
    /// Any other code.
    Other,
}

/// Who the traveller is on this flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TravellerKind {
    /// NAD+FL.
    #[default]
    Passenger,
    /// NAD+FM.
    Crew,
    /// NAD+DDU.
    TransitPassenger,
    /// NAD+DDT.
    TransitCrew,
    /// Anything else (NAD+ZZZ …).
    Other,
}

/// An airport and local time at one end of a leg.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FlightEndpoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub airport: Option<String>,
    /// Local time as `YYYY-MM-DDTHH:MM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// One leg of the flight (TDT group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Flight {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The flight identifier exactly as TDT sent it (`UA0989`, `ZX877` carried by `XZ`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default)]
    pub departure: FlightEndpoint,
    #[serde(default)]
    pub arrival: FlightEndpoint,
    /// TDT+34: the flight only overflies the reporting state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overflight: bool,
    /// LOC+130: final destination of a domestic continuation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_destination: Option<String>,
}

/// A reference a traveller carries besides PNR, passenger reference and seat (RFF+AEA, RFF+CR,
/// RFF+YZY …), kept so that answers and audits can echo it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Reference {
    pub qualifier: String,
    pub value: String,
}

/// LOC+91 sent a free-text place (`:::LONDON`) for one of the traveller's documents; the
/// document's `country` holds only what is a country code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocumentPlace {
    /// Index into the traveller's `documents`.
    pub document: usize,
    pub place: String,
}

/// NAD+MS: who sent the manifest (a person, a department, or a profile id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportingParty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// CNT totals as declared (a flight total, not a count of this message part).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Totals {
    /// CNT+42.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passengers: Option<u32>,
    /// CNT+41.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crew: Option<u32>,
}

impl Totals {
    pub fn is_empty(&self) -> bool {
        self.passengers.is_none() && self.crew.is_none()
    }
}

/// A traveller as a manifest carries them: the screened fields (`Passenger`, flattened) plus the
/// references an answer must echo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Traveller {
    #[serde(default)]
    pub kind: TravellerKind,
    #[serde(flatten)]
    pub passenger: Passenger,
    /// RFF+AVF: reservation (PNR) locator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pnr: Option<String>,
    /// RFF+ABO: unique passenger reference (iAPI key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passenger_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residence: Option<Country>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embarkation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debarkation: Option<String>,
    /// LOC+22: airport of clearance (first arrival in the reporting state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clearance: Option<String>,
    /// GEI+4: 173 = data verified, 174 = not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// EMP+1: crew category (`CR1` cockpit, `CR2` cabin, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crew_category: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub document_places: Vec<DocumentPlace>,
    /// Segment number of the traveller's NAD in its input, for audit and error reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<usize>,
}

/// One flight's manifest, possibly assembled from several message parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Manifest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interchange_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    #[serde(default)]
    pub document_type: DocumentType,
    /// BGM document name code as sent (`745`, `250`, `266`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_code: Option<String>,
    /// BGM document identifier (`C`, `CP`, `CLOB`, `G` …): crew type, change or close-out kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// UNH 0068: the key that ties the parts of one multi-part transmission together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_access_ref: Option<String>,
    /// RFF+TN: transaction reference, echoed by iAPI responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_party: Option<ReportingParty>,
    #[serde(default, skip_serializing_if = "Totals::is_empty")]
    pub totals: Totals,
    /// Sequence numbers of the message parts this manifest was assembled from (empty when the
    /// message carried no part number).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<u32>,
    #[serde(default)]
    pub flights: Vec<Flight>,
    #[serde(default)]
    pub travellers: Vec<Traveller>,
    /// Things that were odd but did not stop the parse (wrong control counts, unknown qualifiers).
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<PartialDate>,
}

impl Manifest {
    /// How many travellers are crew (in transit or not); the rest are passengers.
    pub fn crew_count(&self) -> usize {
        self.travellers
            .iter()
            .filter(|t| matches!(t.kind, TravellerKind::Crew | TravellerKind::TransitCrew))
            .count()
    }
}
