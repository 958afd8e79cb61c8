//! Limits and reference dates for one parse.

/// Tuning for [`super::parse`]. The defaults suit any real manifest (the largest aircraft carry
/// under 900 people) while keeping work and memory bounded on hostile input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// Largest input accepted, in bytes (default 16 MiB).
    pub max_bytes: usize,
    /// Most segments read from one input (default 500 000).
    pub max_segments: usize,
    /// Most travellers in one message (default 5 000).
    pub max_travellers: usize,
    /// Most messages (UNH) in one input (default 10 000).
    pub max_messages: usize,
    /// Most data components kept per segment (default 1 000); the rest are dropped with a
    /// warning, so a run of separators cannot allocate without bound.
    pub max_components: usize,
    /// Year used to resolve two-digit years when a message carries no usable flight or
    /// interchange date. `None`: the current year from the system clock.
    pub reference_year: Option<u16>,
    /// Oldest plausible age: a two-digit birth year is flagged `dob_century_ambiguous` when the
    /// earlier century would give an age at most this (default 125: the oldest verified
    /// human reached 122, so `000714` on a 2025 flight is still flagged).
    pub max_plausible_age: u16,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_bytes: 16 << 20,
            max_segments: 500_000,
            max_travellers: 5_000,
            max_messages: 10_000,
            max_components: 1_000,
            reference_year: None,
            max_plausible_age: 125,
        }
    }
}

impl ParseOptions {
    pub(crate) fn fallback_year(&self) -> u16 {
        self.reference_year.unwrap_or_else(current_year)
    }
}

fn current_year() -> u16 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Days since 1970 → civil year (good to a day; only the year is used).
    let days = (secs / 86_400) as i64;
    let year = 1970 + (days * 400) / 146_097;
    year.clamp(1970, 2999) as u16
}
