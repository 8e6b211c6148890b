//! A customer's folded standing: state, recorded dates and the few precomputed days on which
//! a sweep row can next fire. With it the daily sweep is O(1) per customer, and jumping
//! between those days gives exactly what a sweep run every morning would have given.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::config::ActivationConfig;
use super::event::ActivationState;
use super::holiday::next_day;
use super::table::{Cause, SweepRule, Transition, sweep_move};

/// The dates rules section 3 asks to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct RecordedDates {
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::typescript::Instant>"))]
    pub signed_up_at: Option<DateTime<Utc>>,
    /// The first order placed or subscription started.
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::typescript::Instant>"))]
    pub first_order_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::typescript::Instant>"))]
    pub first_delivery_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::typescript::Instant>"))]
    pub last_activity_at: Option<DateTime<Utc>>,
    /// The day of the latest move to CHURNED (kept when the customer comes back).
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DateString>")
    )]
    pub churned_on: Option<NaiveDate>,
}

/// What the sweep needs of one customer, small and `Copy`.
///
/// `inactive_on`, `churn_on` and `engaged_until` are computed by the fold from the events, the
/// holidays and the configuration it ran with; a changed configuration or subscription pause
/// calls for a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Snapshot {
    /// `None` until the customer signs up.
    pub state: Option<ActivationState>,
    /// The last day whose 00:00 sweep has been applied.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub as_of: NaiveDate,
    pub dates: RecordedDates,
    /// The day the inactivity threshold is reached if nothing else happens.
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DateString>")
    )]
    pub inactive_on: Option<NaiveDate>,
    /// The day the churn threshold is reached if nothing else happens.
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DateString>")
    )]
    pub churn_on: Option<NaiveDate>,
    /// The last day on which the engagement condition holds if nothing else happens.
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DateString>")
    )]
    pub engaged_until: Option<NaiveDate>,
    /// The day the funnel's "still active" step is judged (first delivery + 30 days).
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DateString>")
    )]
    pub retained_check_on: Option<NaiveDate>,
    /// Whether the customer was ACTIVE or ENGAGED on `retained_check_on`, once it has passed.
    pub retained: Option<bool>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Self {
            state: None,
            as_of: NaiveDate::MIN,
            dates: RecordedDates {
                signed_up_at: None,
                first_order_at: None,
                first_delivery_at: None,
                last_activity_at: None,
                churned_on: None,
            },
            inactive_on: None,
            churn_on: None,
            engaged_until: None,
            retained_check_on: None,
            retained: None,
        }
    }
}

/// One customer's snapshot with its id: the unit of the whole-base sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct CustomerSnapshot {
    pub customer_id: String,
    #[serde(flatten)]
    pub snapshot: Snapshot,
}

impl Snapshot {
    /// The next sweep row that fires on or after `day` if no event comes first.
    fn next_flip(&self, day: NaiveDate) -> Option<(NaiveDate, SweepRule)> {
        let at_least = |d: NaiveDate| d.max(day);
        // On the same day inactivity wins: the table's rows for a customer without
        // recent activity come before engagement.
        let earliest =
            |a: Option<(NaiveDate, SweepRule)>, b: Option<(NaiveDate, SweepRule)>| match (a, b) {
                (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
                (a, b) => a.or(b),
            };
        let inactivity = self
            .inactive_on
            .map(|d| (at_least(d), SweepRule::Inactivity));
        match self.state? {
            ActivationState::Active => {
                let engage = self
                    .engaged_until
                    .filter(|until| *until >= day)
                    .map(|_| (day, SweepRule::Engagement));
                earliest(inactivity, engage)
            }
            ActivationState::Engaged => {
                let lapse = self
                    .engaged_until
                    .map_or(day, |until| at_least(next_day(until)));
                earliest(inactivity, Some((lapse, SweepRule::EngagementLapsed)))
            }
            ActivationState::Inactive => self.churn_on.map(|d| (at_least(d), SweepRule::Churn)),
            _ => None,
        }
    }

    /// Applies the 00:00 sweep of every day after `as_of` up to and including `to`, jumping
    /// straight to the days on which a row can fire. Each transition goes to `sink`.
    pub fn advance(
        &mut self,
        to: NaiveDate,
        config: &ActivationConfig,
        sink: &mut impl FnMut(Transition),
    ) {
        while self.as_of < to {
            let day = next_day(self.as_of);
            let flip = self.next_flip(day).filter(|(d, _)| *d <= to);
            let reached = flip.map_or(to, |(d, _)| d);
            if let Some(check) = self.retained_check_on
                && self.retained.is_none()
                && check < reached
            {
                self.retained = self.state.map(ActivationState::is_live);
            }
            let Some((flip_day, rule)) = flip else {
                self.as_of = to;
                break;
            };
            let from = self.state;
            let to_state = sweep_move(rule).1;
            self.state = Some(to_state);
            if to_state == ActivationState::Churned {
                self.dates.churned_on = Some(flip_day);
            }
            self.as_of = flip_day;
            sink(Transition {
                from,
                to: to_state,
                cause: Cause::Sweep { rule },
                at: config.zone.start_of(flip_day),
                last_activity_on: self.last_activity_on(config),
            });
        }
        if let Some(check) = self.retained_check_on
            && self.retained.is_none()
            && check <= self.as_of
        {
            self.retained = self.state.map(ActivationState::is_live);
        }
    }

    /// The business-local date of the last activity.
    pub fn last_activity_on(&self, config: &ActivationConfig) -> Option<NaiveDate> {
        self.dates
            .last_activity_at
            .map(|at| config.zone.date_of(at))
    }

    /// The state after the sweep at `day`, without changing this snapshot.
    pub fn state_on(&self, day: NaiveDate, config: &ActivationConfig) -> Option<ActivationState> {
        let mut copy = *self;
        copy.advance(day, config, &mut |_| {});
        copy.state
    }
}
