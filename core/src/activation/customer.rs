//! One customer's activation: its events, its state and its timeline, kept in step as events
//! arrive (late ones included) and mornings pass.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::clock::Clock;
use super::config::ActivationConfig;
use super::error::ActivationError;
use super::event::{ActivationEvent, ActivationState, EventKind};
use super::fold::{Fold, fold_sorted};
use super::holiday::Holidays;
use super::snapshot::{CustomerSnapshot, RecordedDates};
use super::table::{Cause, Message, Transition};
use crate::notification::NotificationIntent;
use crate::record::{Record, Subscription};
use crate::validation::{Problems, Rule};

/// A customer's events and subscriptions: the input of a replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct CustomerHistory {
    pub customer_id: String,
    pub events: Vec<ActivationEvent>,
    /// The customer's subscriptions, for their pauses (holidays); may be empty.
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(as = "Vec<crate::typescript::RecordDocument>", optional = nullable))]
    pub subscriptions: Vec<Subscription>,
}

/// What recording one event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Recorded {
    /// Transitions the timeline did not have before.
    pub transitions: Vec<Transition>,
    /// The event was older than what had already been applied, so the state was recomputed.
    pub late: bool,
    /// The recomputation removed or changed transitions that were already in the timeline.
    pub rewrote_history: bool,
}

/// A customer's activation lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerActivation {
    customer_id: String,
    /// Sorted by `(at, sequence)`.
    events: Vec<ActivationEvent>,
    holidays: Holidays,
    config: ActivationConfig,
    fold: Fold,
    timeline: Vec<Transition>,
}

impl CustomerActivation {
    /// Folds a customer's history up to the sweep at `now`.
    ///
    /// ```
    /// # use earlybird::activation::{ActivationConfig, ActivationState, CustomerActivation, CustomerHistory};
    /// let history: CustomerHistory = serde_json::from_str(r#"{"customer_id": "C1", "events": [
    ///   {"customer_id": "C1", "kind": "signed_up", "at": "2026-01-01T04:00:00Z", "sequence": 1},
    ///   {"customer_id": "C1", "kind": "order_placed", "at": "2026-01-02T04:00:00Z", "sequence": 2, "order_id": "O1"},
    ///   {"customer_id": "C1", "kind": "delivery_completed", "at": "2026-01-03T01:00:00Z", "sequence": 3, "order_id": "O1"}
    /// ]}"#).unwrap();
    /// let now = "2026-02-20T00:00:00Z".parse().unwrap();
    /// let customer = CustomerActivation::replay(history, now, ActivationConfig::default()).unwrap();
    /// assert_eq!(customer.state(), Some(ActivationState::Inactive));
    /// assert_eq!(customer.timeline().len(), 4);
    /// ```
    pub fn replay(
        history: CustomerHistory,
        now: DateTime<Utc>,
        config: ActivationConfig,
    ) -> Result<Self, ActivationError> {
        let mut problems = Problems::new();
        if let Err(e) = config.validate() {
            for p in e.problems {
                problems.push(format!("config.{}", p.field), p.rule, p.value, p.message);
            }
        }
        let CustomerHistory {
            customer_id,
            mut events,
            subscriptions,
        } = history;
        check_history(&customer_id, &events, &subscriptions, &mut problems);
        problems.finish(())?;
        events.sort_unstable_by_key(ActivationEvent::key);
        let holidays = if config.holidays_pause_inactivity {
            Holidays::from_subscriptions(&subscriptions)
        } else {
            Holidays::none()
        };
        // Most customers make a handful of transitions; one allocation covers them.
        let mut timeline = Vec::with_capacity(8);
        let until = config.zone.date_of(now);
        let fold = fold_sorted(&events, &holidays, &config, Some(until), &mut timeline);
        Ok(Self {
            customer_id,
            events,
            holidays,
            config,
            fold,
            timeline,
        })
    }

    /// Records one more event. An event older than what was already applied (an earlier
    /// event, or a day whose morning sweep already ran) is accepted and the customer is
    /// folded again from scratch; otherwise it is applied on top.
    pub fn record(&mut self, event: ActivationEvent) -> Result<Recorded, ActivationError> {
        let mut problems = Problems::new();
        event.check(
            &|name| format!("event.{name}"),
            &self.customer_id,
            &mut problems,
        );
        let position = self.events.partition_point(|e| e.key() < event.key());
        if self
            .events
            .get(position)
            .is_some_and(|e| e.key() == event.key())
        {
            problems.push(
                "event.sequence",
                Rule::Duplicate,
                event.sequence.to_string(),
                "another event has the same instant and sequence",
            );
        }
        let signup = self.events.iter().find(|e| e.kind == EventKind::SignedUp);
        match (event.kind, signup) {
            (EventKind::SignedUp, Some(_)) => problems.push(
                "event.kind",
                Rule::Duplicate,
                "signed_up",
                "the customer has already signed up",
            ),
            (_, Some(signup)) if event.key() < signup.key() => problems.push(
                "event.at",
                Rule::DateOrder,
                event.at.to_rfc3339(),
                format!("activity before the signup at {}", signup.at.to_rfc3339()),
            ),
            _ => {}
        }
        problems.finish(())?;
        let swept_until = self.config.zone.start_of(self.fold.snapshot.as_of);
        let late = position < self.events.len() || event.at < swept_until;
        if !late {
            let mut fresh = Vec::new();
            self.fold
                .apply(&event, &self.holidays, &self.config, &mut |t| fresh.push(t));
            self.timeline.extend(fresh.iter().cloned());
            self.events.push(event);
            return Ok(Recorded {
                transitions: fresh,
                late,
                rewrote_history: false,
            });
        }
        self.events.insert(position, event);
        let until = self.fold.snapshot.as_of;
        let mut timeline = Vec::new();
        self.fold = fold_sorted(
            &self.events,
            &self.holidays,
            &self.config,
            Some(until),
            &mut timeline,
        );
        let common = self
            .timeline
            .iter()
            .zip(&timeline)
            .take_while(|(a, b)| a == b)
            .count();
        let rewrote_history = self.timeline.len() > common;
        self.timeline = timeline;
        Ok(Recorded {
            transitions: self.timeline[common..].to_vec(),
            late,
            rewrote_history,
        })
    }

    /// Applies the sweep of every morning up to `now`'s day; idempotent at the same `now`.
    pub fn sweep(&mut self, now: DateTime<Utc>) -> Vec<Transition> {
        let mut fresh = Vec::new();
        let day = self.config.zone.date_of(now);
        self.fold
            .snapshot
            .advance(day, &self.config, &mut |t| fresh.push(t));
        self.timeline.extend(fresh.iter().cloned());
        fresh
    }

    /// [`Self::sweep`] at the clock's instant.
    pub fn sweep_with(&mut self, clock: &impl Clock) -> Vec<Transition> {
        self.sweep(clock.now())
    }

    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    /// The current state (`None` only before a signup, which a replay never leaves).
    pub fn state(&self) -> Option<ActivationState> {
        self.fold.snapshot.state
    }

    /// The state at `instant` as the timeline tells it ("which stage was this customer in on
    /// 1 March, and which rule put them there?"), with the transition that set it. Only as far
    /// as the customer has been swept.
    pub fn state_at(&self, instant: DateTime<Utc>) -> Option<&Transition> {
        let after = self.timeline.partition_point(|t| t.at <= instant);
        after.checked_sub(1).map(|i| &self.timeline[i])
    }

    /// Every transition so far, oldest first.
    pub fn timeline(&self) -> &[Transition] {
        &self.timeline
    }

    /// The recorded dates.
    pub fn dates(&self) -> RecordedDates {
        self.fold.snapshot.dates
    }

    /// The events, sorted by `(at, sequence)`.
    pub fn events(&self) -> &[ActivationEvent] {
        &self.events
    }

    /// The configuration the customer is folded with.
    pub fn config(&self) -> &ActivationConfig {
        &self.config
    }

    /// The compact snapshot for whole-base sweeps and metrics.
    pub fn snapshot(&self) -> CustomerSnapshot {
        CustomerSnapshot {
            customer_id: self.customer_id.clone(),
            snapshot: self.fold.snapshot,
        }
    }

    /// The notification intents of `transitions` (those that ask for a message).
    pub fn intents(&self, transitions: &[Transition]) -> Vec<NotificationIntent> {
        transitions
            .iter()
            .filter_map(|t| intent(&self.customer_id, t))
            .collect()
    }
}

/// The notification intent a transition asks for, with its template's variables.
pub fn intent(customer_id: &str, transition: &Transition) -> Option<NotificationIntent> {
    let message = transition.message()?;
    let mut variables = BTreeMap::new();
    match message {
        Message::OrderConfirmation => {
            let reference = match &transition.cause {
                Cause::Event { reference, .. } => reference.clone(),
                Cause::Sweep { .. } => None,
            };
            variables.insert("order_id".to_owned(), reference.unwrap_or_default());
        }
        Message::WeMissYou | Message::LastChance => {
            let last = transition
                .last_activity_on
                .map(|d| d.to_string())
                .unwrap_or_default();
            variables.insert("last_activity_date".to_owned(), last);
        }
        Message::Welcome | Message::ThankYouUpsell | Message::VipWelcome | Message::WelcomeBack => {
        }
    }
    Some(NotificationIntent {
        template: message.template().to_owned(),
        customer_id: customer_id.to_owned(),
        variables,
        at: transition.at,
    })
}

/// Every problem of a history at once: the events' own fields, their order around the one
/// signup, duplicates, and subscriptions of another customer.
fn check_history(
    customer_id: &str,
    events: &[ActivationEvent],
    subscriptions: &[Subscription],
    problems: &mut Problems,
) {
    problems.id("customer_id", customer_id);
    for (i, event) in events.iter().enumerate() {
        event.check(&|name| format!("events[{i}].{name}"), customer_id, problems);
    }
    // Hosts usually pass events in order; only an unsorted history pays for an index.
    let sorted = events.windows(2).all(|w| w[0].key() <= w[1].key());
    let order: Vec<usize> = if sorted {
        Vec::new()
    } else {
        let mut order: Vec<usize> = (0..events.len()).collect();
        order.sort_by_key(|&i| (events[i].key(), i));
        order
    };
    let at = |n: usize| if sorted { n } else { order[n] };
    for n in 1..events.len() {
        let (first, second) = (at(n - 1), at(n));
        if events[first].key() == events[second].key() {
            problems.push(
                format!("events[{second}].sequence"),
                Rule::Duplicate,
                events[second].sequence.to_string(),
                format!("events[{first}] has the same instant and sequence"),
            );
        }
    }
    let has_signup = events.iter().any(|e| e.kind == EventKind::SignedUp);
    let mut signup = None;
    for i in (0..events.len()).map(at) {
        let event = &events[i];
        match (event.kind, signup) {
            (EventKind::SignedUp, None) => signup = Some(i),
            (EventKind::SignedUp, Some(first)) => problems.push(
                format!("events[{i}].kind"),
                Rule::Duplicate,
                "signed_up",
                format!("events[{first}] is already the signup"),
            ),
            (_, None) if has_signup => problems.push(
                format!("events[{i}].at"),
                Rule::DateOrder,
                event.at.to_rfc3339(),
                "activity before the signup",
            ),
            _ => {}
        }
    }
    if signup.is_none() {
        problems.push(
            "events",
            Rule::Required,
            "",
            "a history starts with a signed_up event",
        );
    }
    for (i, subscription) in subscriptions.iter().enumerate() {
        if let Err(e) = subscription.validate() {
            for p in e.problems {
                problems.push(
                    format!("subscriptions[{i}].{}", p.field),
                    p.rule,
                    p.value,
                    p.message,
                );
            }
        }
        if subscription.customer_id != customer_id {
            problems.push(
                format!("subscriptions[{i}].customer_id"),
                Rule::Inconsistent,
                subscription.customer_id.clone(),
                format!("the history is customer {customer_id}'s"),
            );
        }
    }
}
