//! The only source of "now": injected by the host, never read from the system here.

use chrono::{DateTime, Utc};

/// Tells the engine what time it is. Hosts wrap their system clock; tests fix it.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// A clock that always says the same instant: tests, replays and "as of" questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
