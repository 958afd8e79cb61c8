//! Errors that stop a whole input from being read. Everything less severe (a bad date, a wrong
//! count, one unreadable traveller group) is a warning on the manifest instead, so that no other
//! traveller is lost.

/// Why an input could not be read. Every variant names the segment number (1-based, counted
/// over the whole input; 0 when no segment was read) and the byte offset in the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("segment {segment} at byte {offset}: no EDIFACT interchange: {reason}")]
    NoInterchange {
        segment: usize,
        offset: usize,
        reason: String,
    },
    #[error(
        "segment {segment} at byte {offset}: input is {size} bytes, more than the limit of {limit}"
    )]
    TooLarge {
        segment: usize,
        offset: usize,
        size: usize,
        limit: usize,
    },
    #[error("segment {segment} at byte {offset}: more than {limit} segments")]
    TooManySegments {
        segment: usize,
        offset: usize,
        limit: usize,
    },
    #[error("segment {segment} at byte {offset}: more than {limit} travellers in one message")]
    TooManyTravellers {
        segment: usize,
        offset: usize,
        limit: usize,
    },
    #[error("segment {segment} at byte {offset}: more than {limit} messages in one input")]
    TooManyMessages {
        segment: usize,
        offset: usize,
        limit: usize,
    },
    #[error("segment {segment} at byte {offset}: no UNH message header: {reason}")]
    NoMessage {
        segment: usize,
        offset: usize,
        reason: String,
    },
}

impl ParseError {
    /// 1-based segment number the error refers to (0: before any segment).
    pub fn segment(&self) -> usize {
        match self {
            ParseError::NoInterchange { segment, .. }
            | ParseError::TooLarge { segment, .. }
            | ParseError::TooManySegments { segment, .. }
            | ParseError::TooManyTravellers { segment, .. }
            | ParseError::TooManyMessages { segment, .. }
            | ParseError::NoMessage { segment, .. } => *segment,
        }
    }

    /// Byte offset into the input.
    pub fn offset(&self) -> usize {
        match self {
            ParseError::NoInterchange { offset, .. }
            | ParseError::TooLarge { offset, .. }
            | ParseError::TooManySegments { offset, .. }
            | ParseError::TooManyTravellers { offset, .. }
            | ParseError::TooManyMessages { offset, .. }
            | ParseError::NoMessage { offset, .. } => *offset,
        }
    }

    /// Whose fault: always the sender's for a parse error; retrying the same bytes cannot help.
    pub fn is_bad_input(&self) -> bool {
        true
    }
}
