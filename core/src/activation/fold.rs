//! The fold: a customer's events in `(instant, sequence)` order, with the sweep of every
//! morning in between, give the state and the timeline.

use std::collections::VecDeque;

use chrono::NaiveDate;

use super::config::ActivationConfig;
use super::event::{ActivationEvent, EventKind};
use super::holiday::{Holidays, add_days};
use super::snapshot::Snapshot;
use super::table::{Cause, Transition, on_event};

/// A snapshot plus the recent deliveries the engagement window needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Fold {
    pub(crate) snapshot: Snapshot,
    /// The latest deliveries of distinct one-time orders, oldest first, at most
    /// `engaged_min_orders` of them.
    orders: VecDeque<(NaiveDate, String)>,
    /// Per subscription, its latest distinct delivery days, oldest first, at most
    /// `engaged_min_subscription_days` of them.
    subscriptions: Vec<(String, VecDeque<NaiveDate>)>,
}

impl Fold {
    /// Applies one event, after the sweeps of every morning up to its day. Events must come
    /// in `(at, sequence)` order; the caller sees to it.
    pub(crate) fn apply(
        &mut self,
        event: &ActivationEvent,
        holidays: &Holidays,
        config: &ActivationConfig,
        sink: &mut impl FnMut(Transition),
    ) {
        let day = config.zone.date_of(event.at);
        self.snapshot.advance(day, config, sink);
        let s = &mut self.snapshot;
        s.as_of = s.as_of.max(day);
        let from = s.state;
        match event.kind {
            EventKind::SignedUp => {
                s.dates.signed_up_at.get_or_insert(event.at);
            }
            kind => {
                s.dates.last_activity_at = Some(event.at);
                let counted = |n: u32| {
                    if config.holidays_pause_inactivity {
                        holidays.nth_counted_day_after(day, n)
                    } else {
                        add_days(day, u64::from(n))
                    }
                };
                s.inactive_on = Some(counted(config.inactive_after_days));
                s.churn_on = Some(counted(config.churned_after_days));
                if kind == EventKind::DeliveryCompleted {
                    if s.dates.first_delivery_at.is_none() {
                        s.dates.first_delivery_at = Some(event.at);
                        s.retained_check_on =
                            Some(add_days(day, u64::from(config.retained_after_days)));
                    }
                    self.record_delivery(event, day, config);
                } else {
                    s.dates.first_order_at.get_or_insert(event.at);
                }
            }
        }
        let s = &mut self.snapshot;
        if let Some((to, _)) = on_event(from, event.kind) {
            s.state = Some(to);
            sink(Transition {
                from,
                to,
                cause: Cause::Event {
                    kind: event.kind,
                    sequence: event.sequence,
                    reference: event.reference().map(str::to_owned),
                },
                at: event.at,
                last_activity_on: s.last_activity_on(config),
            });
        }
    }

    /// Remembers a delivery in the engagement window and moves `engaged_until`.
    fn record_delivery(
        &mut self,
        event: &ActivationEvent,
        day: NaiveDate,
        config: &ActivationConfig,
    ) {
        let window = u64::from(config.engaged_window_days);
        let mut until = self.snapshot.engaged_until;
        let mut reach = |front: NaiveDate| {
            let last = add_days(front, window);
            until = Some(until.map_or(last, |u| u.max(last)));
        };
        if let Some(order_id) = &event.order_id {
            if !self.orders.iter().any(|(_, id)| id == order_id) {
                let cap = config.engaged_min_orders as usize;
                if self.orders.len() == cap {
                    self.orders.pop_front();
                }
                self.orders.push_back((day, order_id.clone()));
                if self.orders.len() == cap
                    && let Some((front, _)) = self.orders.front()
                {
                    reach(*front);
                }
            }
        } else if let Some(subscription_id) = &event.subscription_id {
            let cap = config.engaged_min_subscription_days as usize;
            let index = match self
                .subscriptions
                .iter()
                .position(|(id, _)| id == subscription_id)
            {
                Some(i) => i,
                None => {
                    self.subscriptions
                        .push((subscription_id.clone(), VecDeque::with_capacity(cap)));
                    self.subscriptions.len() - 1
                }
            };
            let days = &mut self.subscriptions[index].1;
            if days.back() != Some(&day) {
                if days.len() == cap {
                    days.pop_front();
                }
                days.push_back(day);
                if days.len() == cap
                    && let Some(front) = days.front()
                {
                    reach(*front);
                }
            }
        }
        self.snapshot.engaged_until = until;
    }
}

/// Folds sorted events up to the sweep of `until`, returning the fold and the timeline.
pub(crate) fn fold_sorted(
    events: &[ActivationEvent],
    holidays: &Holidays,
    config: &ActivationConfig,
    until: Option<NaiveDate>,
    timeline: &mut Vec<Transition>,
) -> Fold {
    let mut fold = Fold::default();
    let mut sink = |t| timeline.push(t);
    for event in events {
        fold.apply(event, holidays, config, &mut sink);
    }
    if let Some(until) = until {
        fold.snapshot.advance(until, config, &mut sink);
    }
    fold
}
