//! When a subscription is due: dates and quantities over a range of days.
//!
//! Billing (the "unconfirmed" preview), demand planning and activation (paused days) all ask
//! the same question, so it is answered once here.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::record::{Schedule, Subscription, SubscriptionStatus, Weekday};

/// One day on which a subscription is due, with the quantity due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueDelivery {
    pub date: NaiveDate,
    pub quantity: Decimal,
}

impl Subscription {
    /// The quantity scheduled on `date`, ignoring start, end, pauses and status.
    fn scheduled_quantity(&self, date: NaiveDate) -> Option<Decimal> {
        match &self.schedule {
            Schedule::Daily => Some(self.quantity),
            Schedule::AlternateDays => {
                let offset = (date - self.start_date).num_days();
                (offset.rem_euclid(2) == 0).then_some(self.quantity)
            }
            Schedule::Weekdays { days } => {
                days.contains(&Weekday::of(date)).then_some(self.quantity)
            }
            Schedule::Custom { quantities } => quantities.get(&Weekday::of(date)).copied(),
        }
    }

    /// Whether `date` falls inside one of the subscription's pauses.
    pub fn is_paused_on(&self, date: NaiveDate) -> bool {
        self.pauses.iter().any(|p| p.from <= date && date <= p.to)
    }

    /// Whether the subscription runs on `date` (between start and end; a cancelled
    /// subscription runs only up to its end date, and not at all without one).
    pub fn runs_on(&self, date: NaiveDate) -> bool {
        let ended = match (self.status, self.end_date) {
            (_, Some(end)) => date > end,
            (SubscriptionStatus::Cancelled, None) => true,
            (SubscriptionStatus::Active, None) => false,
        };
        date >= self.start_date && !ended
    }

    /// The quantity due on `date`, if any: scheduled, running and not paused.
    pub fn due_on(&self, date: NaiveDate) -> Option<Decimal> {
        if !self.runs_on(date) || self.is_paused_on(date) {
            return None;
        }
        self.scheduled_quantity(date).filter(|q| *q > Decimal::ZERO)
    }

    /// Every day from `from` to `to` (inclusive) on which the subscription is due.
    ///
    /// ```
    /// # use earlybird::record::{Record, Subscription};
    /// let sub = Subscription::from_json(r#"{"id": "S1", "customer_id": "C1", "product_id": "P1",
    ///     "quantity": "0.5", "schedule": "alternate_days", "start_date": "2026-01-01",
    ///     "pauses": [{"from": "2026-01-05", "to": "2026-01-07"}]}"#).unwrap();
    /// let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    /// let due: Vec<_> = sub.due_between(day(1), day(10)).iter().map(|d| d.date).collect();
    /// assert_eq!(due, vec![day(1), day(3), day(9)]);
    /// ```
    pub fn due_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<DueDelivery> {
        let start = from.max(self.start_date);
        let end = self.end_date.map_or(to, |end| end.min(to));
        start
            .iter_days()
            .take_while(|d| *d <= end)
            .filter_map(|date| {
                self.due_on(date)
                    .map(|quantity| DueDelivery { date, quantity })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Pause, Record};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    fn schedule() -> impl Strategy<Value = Schedule> {
        let weekday = prop::sample::select(Weekday::ALL.to_vec());
        prop_oneof![
            Just(Schedule::Daily),
            Just(Schedule::AlternateDays),
            prop::collection::vec(weekday.clone(), 1..7).prop_map(|mut days| {
                days.sort_unstable();
                days.dedup();
                Schedule::Weekdays { days }
            }),
            prop::collection::btree_map(weekday, 1u32..4000, 1..7).prop_map(|q| Schedule::Custom {
                quantities: q
                    .into_iter()
                    .map(|(d, n)| (d, Decimal::new(n.into(), 3)))
                    .collect::<BTreeMap<_, _>>(),
            }),
        ]
    }

    prop_compose! {
        fn subscription()(
            schedule in schedule(),
            start in 0i64..60,
            length in prop::option::of(0i64..90),
            pauses in prop::collection::vec((0i64..120, 0i64..10), 0..4),
            cancelled in any::<bool>(),
            quantity in 1u32..5000,
        ) -> Subscription {
            Subscription {
                id: "S".into(),
                customer_id: "C".into(),
                product_id: "P".into(),
                quantity: Decimal::new(quantity.into(), 3),
                schedule,
                start_date: day(start),
                end_date: length.map(|l| day(start + l)),
                pauses: pauses.into_iter().map(|(f, l)| Pause { from: day(f), to: day(f + l) }).collect(),
                price_override: None,
                status: if cancelled { SubscriptionStatus::Cancelled } else { SubscriptionStatus::Active },
            }
        }
    }

    /// The plain day-by-day reading of the rules, written independently of the code above.
    fn reference(s: &Subscription, from: NaiveDate, to: NaiveDate) -> Vec<DueDelivery> {
        let mut out = Vec::new();
        let mut date = from;
        while date <= to {
            let started = date >= s.start_date;
            let before_end = match s.end_date {
                Some(end) => date <= end,
                None => s.status == SubscriptionStatus::Active,
            };
            let paused = s.pauses.iter().any(|p| date >= p.from && date <= p.to);
            let weekday = Weekday::of(date);
            let quantity = match &s.schedule {
                Schedule::Daily => Some(s.quantity),
                Schedule::AlternateDays => {
                    ((date - s.start_date).num_days() % 2 == 0).then_some(s.quantity)
                }
                Schedule::Weekdays { days } => days.contains(&weekday).then_some(s.quantity),
                Schedule::Custom { quantities } => quantities.get(&weekday).copied(),
            };
            if let (true, true, false, Some(quantity)) = (started, before_end, paused, quantity) {
                out.push(DueDelivery { date, quantity });
            }
            date = date.succ_opt().unwrap();
        }
        out
    }

    proptest! {
        #[test]
        fn expansion_matches_the_day_by_day_reference(s in subscription(), from in 0i64..100, len in 0i64..100) {
            let (from, to) = (day(from), day(from + len));
            prop_assert_eq!(s.due_between(from, to), reference(&s, from, to));
        }

        #[test]
        fn generated_subscriptions_are_valid(s in subscription()) {
            prop_assume!(s.end_date.is_none_or(|e| e >= s.start_date));
            prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
        }
    }

    #[test]
    fn weekdays_schedule_delivers_on_the_named_days() {
        let sub = Subscription::from_json(
            r#"{"id": "S1", "customer_id": "C1", "product_id": "P1", "quantity": 1,
                "schedule": {"kind": "weekdays", "days": ["MON", "thu"]}, "start_date": "2026-01-01"}"#,
        )
        .unwrap();
        // 2026-01-01 is a Thursday; the next Monday is the 5th.
        let dates: Vec<_> = sub
            .due_between(day(0), day(7))
            .into_iter()
            .map(|d| d.date)
            .collect();
        assert_eq!(dates, vec![day(0), day(4), day(7)]);
    }

    #[test]
    fn custom_schedule_has_its_own_quantity_per_weekday() {
        let sub = Subscription::from_json(
            r#"{"id": "S1", "customer_id": "C1", "product_id": "P1", "quantity": 1,
                "schedule": {"kind": "custom", "quantities": {"thu": "2", "fri": 0.5}},
                "start_date": "2026-01-01", "end_date": "2026-01-08"}"#,
        )
        .unwrap();
        let due = sub.due_between(day(-5), day(30));
        let got: Vec<_> = due
            .iter()
            .map(|d| (d.date, d.quantity.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                (day(0), "2".into()),
                (day(1), "0.5".into()),
                (day(7), "2".into())
            ]
        );
    }
}
