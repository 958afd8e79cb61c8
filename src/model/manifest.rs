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
    #[serde(default)]
    pub departure: FlightEndpoint,
    #[serde(default)]
    pub arrival: FlightEndpoint,
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
