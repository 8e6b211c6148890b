//! The transition table of rules section 3, as data: which move each event or sweep rule
//! makes, and which message it asks for. Everything else in the engine asks this module.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::event::{ActivationState, EventKind};

/// The message a transition asks for (a template key of `notification::TemplateSet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    Welcome,
    OrderConfirmation,
    ThankYouUpsell,
    VipWelcome,
    WeMissYou,
    LastChance,
    WelcomeBack,
}

impl Message {
    /// The template key.
    pub const fn template(self) -> &'static str {
        match self {
            Message::Welcome => "welcome",
            Message::OrderConfirmation => "order_confirmation",
            Message::ThankYouUpsell => "thank_you_upsell",
            Message::VipWelcome => "vip_welcome",
            Message::WeMissYou => "we_miss_you",
            Message::LastChance => "last_chance",
            Message::WelcomeBack => "welcome_back",
        }
    }
}

/// A sweep row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SweepRule {
    /// ACTIVE → ENGAGED: enough deliveries in the window.
    Engagement,
    /// ENGAGED → ACTIVE: the engagement condition no longer holds.
    EngagementLapsed,
    /// ACTIVE/ENGAGED → INACTIVE: no activity for `inactive_after_days`.
    Inactivity,
    /// INACTIVE → CHURNED: no activity for `churned_after_days`.
    Churn,
}

/// Why a transition happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all_fields = "camelCase"))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Cause {
    /// An event of the customer, named by its kind, sequence and order or subscription.
    Event {
        kind: EventKind,
        sequence: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// The daily sweep at the start of a day.
    Sweep { rule: SweepRule },
}

/// One entry of a customer's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Transition {
    /// `None` for the signup.
    pub from: Option<ActivationState>,
    pub to: ActivationState,
    pub cause: Cause,
    /// The event's instant, or 00:00 business-local of the sweep's day.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::Instant"))]
    pub at: DateTime<Utc>,
    /// The customer's last activity date when the transition happened (why a sweep fired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DateString>")
    )]
    pub last_activity_on: Option<NaiveDate>,
}

impl Transition {
    /// The message this transition asks for, per the table.
    pub fn message(&self) -> Option<Message> {
        match &self.cause {
            Cause::Event { kind, .. } => on_event(self.from, *kind).and_then(|(_, m)| m),
            Cause::Sweep { rule } => sweep_message(*rule),
        }
    }
}

/// The event rows: the state an event moves a customer to and the message, or `None` when
/// the event changes no state (it is still activity).
pub fn on_event(
    from: Option<ActivationState>,
    kind: EventKind,
) -> Option<(ActivationState, Option<Message>)> {
    use ActivationState::*;
    match (from, kind) {
        (None, EventKind::SignedUp) => Some((New, Some(Message::Welcome))),
        (Some(New), EventKind::OrderPlaced | EventKind::SubscriptionStarted) => {
            Some((Onboarded, Some(Message::OrderConfirmation)))
        }
        (Some(New | Onboarded), EventKind::DeliveryCompleted) => {
            Some((Active, Some(Message::ThankYouUpsell)))
        }
        (Some(Inactive | Churned), kind) if kind.is_activity() => {
            Some((Active, Some(Message::WelcomeBack)))
        }
        _ => None,
    }
}

/// The sweep rows: the move each rule makes.
pub const fn sweep_move(rule: SweepRule) -> (&'static [ActivationState], ActivationState) {
    use ActivationState::*;
    match rule {
        SweepRule::Engagement => (&[Active], Engaged),
        SweepRule::EngagementLapsed => (&[Engaged], Active),
        SweepRule::Inactivity => (&[Active, Engaged], Inactive),
        SweepRule::Churn => (&[Inactive], Churned),
    }
}

/// The message of a sweep row.
pub const fn sweep_message(rule: SweepRule) -> Option<Message> {
    match rule {
        SweepRule::Engagement => Some(Message::VipWelcome),
        SweepRule::EngagementLapsed => None,
        SweepRule::Inactivity => Some(Message::WeMissYou),
        SweepRule::Churn => Some(Message::LastChance),
    }
}

/// Whether the table has a row for this transition and cause.
pub fn allowed(transition: &Transition) -> bool {
    match &transition.cause {
        Cause::Event { kind, .. } => {
            on_event(transition.from, *kind).map(|(to, _)| to) == Some(transition.to)
        }
        Cause::Sweep { rule } => {
            let (from, to) = sweep_move(*rule);
            transition.from.is_some_and(|f| from.contains(&f)) && to == transition.to
        }
    }
}
