//! Holidays: days on which every running subscription of a customer is paused. They do not
//! count towards the inactivity thresholds, because a family away on holiday has not left.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::record::Subscription;

/// The day after `date`, or `date` itself at the end of the calendar.
pub(crate) fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(date)
}

/// `date` plus `days`, stopping at the end of the calendar.
pub(crate) fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(chrono::Days::new(days))
        .unwrap_or(NaiveDate::MAX)
}

/// A customer's holidays as sorted, disjoint, non-adjacent inclusive spans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holidays {
    spans: Vec<(NaiveDate, NaiveDate)>,
}

impl Holidays {
    /// No holidays (a customer without subscriptions, or the rule switched off).
    pub fn none() -> Self {
        Self::default()
    }

    /// The holidays of a customer with these subscriptions: days on which at least one
    /// subscription runs and every running one is paused.
    ///
    /// Running and paused only change at a start, the day after an end, a pause's first day
    /// and the day after its last, so each stretch between two such days is judged once.
    pub fn from_subscriptions(subscriptions: &[Subscription]) -> Self {
        let mut cuts: Vec<NaiveDate> = Vec::new();
        for s in subscriptions {
            cuts.push(s.start_date);
            if let Some(end) = s.end_date {
                cuts.push(next_day(end));
            }
            for p in &s.pauses {
                cuts.push(p.from);
                cuts.push(next_day(p.to));
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut holidays = Self::default();
        for pair in cuts.windows(2) {
            let (day, next) = (pair[0], pair[1]);
            let mut running = subscriptions.iter().filter(|s| s.runs_on(day)).peekable();
            if running.peek().is_some() && running.all(|s| s.is_paused_on(day)) {
                holidays.push(day, next.pred_opt().unwrap_or(day));
            }
        }
        holidays
    }

    /// Holidays from explicit spans (inclusive); overlapping spans are merged.
    pub fn from_spans(mut spans: Vec<(NaiveDate, NaiveDate)>) -> Self {
        spans.retain(|(from, to)| from <= to);
        spans.sort_unstable();
        let mut holidays = Self::default();
        for (from, to) in spans {
            holidays.push(from, to);
        }
        holidays
    }

    fn push(&mut self, from: NaiveDate, to: NaiveDate) {
        match self.spans.last_mut() {
            Some(last) if from <= next_day(last.1) => last.1 = last.1.max(to),
            _ => self.spans.push((from, to)),
        }
    }

    /// The spans, sorted.
    pub fn spans(&self) -> &[(NaiveDate, NaiveDate)] {
        &self.spans
    }

    /// Whether `date` is a holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        let i = self.spans.partition_point(|s| s.1 < date);
        self.spans.get(i).is_some_and(|s| s.0 <= date)
    }

    /// The day on which `n` (≥ 1) counted days have passed since `last`: the first day `d`
    /// such that `[last + 1, d]` holds `n` days that are not holidays.
    pub fn nth_counted_day_after(&self, last: NaiveDate, n: u32) -> NaiveDate {
        let mut cursor = next_day(last);
        let mut remaining = u64::from(n.max(1));
        let first = self.spans.partition_point(|s| s.1 < cursor);
        for &(from, to) in &self.spans[first..] {
            if from > cursor {
                let available = u64::try_from((from - cursor).num_days()).unwrap_or(0);
                if remaining <= available {
                    break;
                }
                remaining -= available;
            }
            cursor = next_day(to);
        }
        add_days(cursor, remaining - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Record, Subscription};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(d) - 1)
    }

    fn sub(id: &str, pauses: &str, end: &str) -> Subscription {
        Subscription::from_json(&format!(
            r#"{{"id": "{id}", "customer_id": "C", "product_id": "P", "quantity": "1",
                "schedule": "daily", "start_date": "2026-01-01", {end}
                "pauses": [{pauses}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_day_is_a_holiday_only_when_every_running_subscription_is_paused() {
        let a = sub("A", r#"{"from": "2026-01-10", "to": "2026-01-20"}"#, "");
        let b = sub("B", r#"{"from": "2026-01-15", "to": "2026-01-25"}"#, "");
        let holidays = Holidays::from_subscriptions(&[a, b]);
        assert_eq!(holidays.spans(), [(day(15), day(20))]);
    }

    #[test]
    fn an_ended_subscription_no_longer_keeps_the_customer_off_holiday() {
        let a = sub("A", r#"{"from": "2026-01-10", "to": "2026-01-20"}"#, "");
        let b = sub("B", "", r#""end_date": "2026-01-12","#);
        let holidays = Holidays::from_subscriptions(&[a, b]);
        assert_eq!(holidays.spans(), [(day(13), day(20))]);
        assert!(holidays.contains(day(13)) && !holidays.contains(day(12)));
    }

    #[test]
    fn counted_days_skip_holidays() {
        let none = Holidays::none();
        assert_eq!(none.nth_counted_day_after(day(1), 30), day(31));
        let holidays = Holidays::from_spans(vec![(day(5), day(14)), (day(20), day(20))]);
        // Days 2-4 (3), 15-19 (5), 21-42 (22): the 30th counted day is day 42.
        assert_eq!(holidays.nth_counted_day_after(day(1), 30), day(42));
        assert_eq!(holidays.nth_counted_day_after(day(1), 3), day(4));
        assert_eq!(holidays.nth_counted_day_after(day(1), 4), day(15));
        assert_eq!(holidays.nth_counted_day_after(day(7), 1), day(15));
    }
}
