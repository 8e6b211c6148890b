//! Business dates and instants.
//!
//! Calendar dates are business-local (India, UTC+05:30 by default); instants are UTC. India
//! keeps no daylight saving time, so a fixed offset is the whole time zone.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The business time zone as a fixed offset from UTC; Asia/Kolkata (+05:30) by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct BusinessZone {
    /// Offset east of UTC in seconds.
    pub offset_seconds: i32,
}

impl Default for BusinessZone {
    fn default() -> Self {
        Self {
            offset_seconds: 5 * 3600 + 30 * 60,
        }
    }
}

impl BusinessZone {
    fn offset(self) -> FixedOffset {
        FixedOffset::east_opt(self.offset_seconds)
            .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset is valid"))
    }

    /// The business-local calendar date of an instant.
    pub fn date_of(self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.offset()).date_naive()
    }

    /// An instant on the business's wall clock.
    pub fn local(self, instant: DateTime<Utc>) -> DateTime<FixedOffset> {
        instant.with_timezone(&self.offset())
    }

    /// The instant at which a business-local day starts (00:00 local).
    pub fn start_of(self, date: NaiveDate) -> DateTime<Utc> {
        self.offset()
            .from_local_datetime(&date.and_time(NaiveTime::MIN))
            .single()
            .map_or_else(
                || date.and_time(NaiveTime::MIN).and_utc(),
                |t| t.with_timezone(&Utc),
            )
    }
}

/// The business-local date of an instant in the default zone.
pub fn business_date(instant: DateTime<Utc>) -> NaiveDate {
    BusinessZone::default().date_of(instant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_late_in_the_utc_evening_is_the_next_day_in_india() {
        let instant = DateTime::parse_from_rfc3339("2026-01-14T19:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            business_date(instant),
            NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
        );
    }

    #[test]
    fn a_day_starts_at_midnight_local() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
        let start = BusinessZone::default().start_of(date);
        assert_eq!(start.to_rfc3339(), "2026-01-14T18:30:00+00:00");
        assert_eq!(business_date(start), date);
    }
}
