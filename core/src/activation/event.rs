//! Activation states and the events that move customers between them.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::validation::{Problems, Rule};

/// Where a customer is in the activation lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActivationState {
    New,
    Onboarded,
    Active,
    Engaged,
    Inactive,
    Churned,
}

impl ActivationState {
    /// Every state, in lifecycle order.
    pub const ALL: [ActivationState; 6] = [
        ActivationState::New,
        ActivationState::Onboarded,
        ActivationState::Active,
        ActivationState::Engaged,
        ActivationState::Inactive,
        ActivationState::Churned,
    ];

    /// The state's name as the rules write it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ActivationState::New => "NEW",
            ActivationState::Onboarded => "ONBOARDED",
            ActivationState::Active => "ACTIVE",
            ActivationState::Engaged => "ENGAGED",
            ActivationState::Inactive => "INACTIVE",
            ActivationState::Churned => "CHURNED",
        }
    }

    /// ACTIVE or ENGAGED: the customer is receiving milk.
    pub const fn is_live(self) -> bool {
        matches!(self, ActivationState::Active | ActivationState::Engaged)
    }
}

impl fmt::Display for ActivationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened to a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    SignedUp,
    OrderPlaced,
    SubscriptionStarted,
    DeliveryCompleted,
}

impl EventKind {
    /// The event's name in documents.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::SignedUp => "signed_up",
            EventKind::OrderPlaced => "order_placed",
            EventKind::SubscriptionStarted => "subscription_started",
            EventKind::DeliveryCompleted => "delivery_completed",
        }
    }

    /// Whether the event is activity (everything but signing up).
    pub const fn is_activity(self) -> bool {
        !matches!(self, EventKind::SignedUp)
    }
}

/// One event of one customer. Events are ordered by `(at, sequence)`; the host gives each
/// event of a customer its own sequence number (its arrival number is fine), so two events
/// at the same instant still have one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct ActivationEvent {
    pub customer_id: String,
    pub kind: EventKind,
    #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
    pub at: DateTime<Utc>,
    pub sequence: u64,
    /// The order placed or delivered (`order_placed`, an order's `delivery_completed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The subscription started or delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
}

impl ActivationEvent {
    /// The fold's order: by instant, then by sequence.
    pub fn key(&self) -> (DateTime<Utc>, u64) {
        (self.at, self.sequence)
    }

    /// The order or subscription the event is about.
    pub fn reference(&self) -> Option<&str> {
        self.order_id.as_deref().or(self.subscription_id.as_deref())
    }

    /// Pushes the problems of this event's own fields; `path` names a field of the event
    /// (built only when there is a problem, so checking millions of events allocates nothing).
    pub(crate) fn check(
        &self,
        path: &dyn Fn(&str) -> String,
        customer_id: &str,
        problems: &mut Problems,
    ) {
        if self.customer_id != customer_id {
            problems.push(
                path("customer_id"),
                Rule::Inconsistent,
                self.customer_id.clone(),
                format!("the history is customer {customer_id}'s"),
            );
        }
        let blank = |id: &Option<String>| id.as_deref().is_some_and(|i| i.trim().is_empty());
        for (name, id) in [
            ("order_id", &self.order_id),
            ("subscription_id", &self.subscription_id),
        ] {
            if blank(id) {
                problems.push(path(name), Rule::EmptyId, "", "must not be empty");
            }
        }
        let (order, subscription) = (self.order_id.is_some(), self.subscription_id.is_some());
        let wanted = match self.kind {
            EventKind::SignedUp if order || subscription => {
                Some("signed_up names no order or subscription")
            }
            EventKind::OrderPlaced if !order || subscription => {
                Some("order_placed names its order_id (and no subscription_id)")
            }
            EventKind::SubscriptionStarted if !subscription || order => {
                Some("subscription_started names its subscription_id (and no order_id)")
            }
            EventKind::DeliveryCompleted if order == subscription => {
                Some("delivery_completed names exactly one of order_id or subscription_id")
            }
            _ => None,
        };
        if let Some(message) = wanted {
            let rule = if order || subscription {
                Rule::Inconsistent
            } else {
                Rule::Required
            };
            problems.push(path("kind"), rule, self.kind.as_str(), message);
        }
    }
}
