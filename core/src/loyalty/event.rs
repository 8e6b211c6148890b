//! The events the programme listens to: the ledger, the tiers and the badges all follow them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::record::{Payment, Record};
use crate::validation::{Problems, Rule, ValidationError, field_path};

/// Largest amount or adjustment accepted, so sums of points can never overflow.
const LARGEST: i64 = 1_000_000_000_000;

/// Something that happened to a customer, as the loyalty programme sees it. `at` is when it
/// happened; points earned by it are dated by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all_fields = "camelCase"))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LoyaltyEvent {
    /// A payment received, a wallet application on a bill included: it earns points.
    PaymentReceived {
        payment: Payment,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
    /// A payment was refunded: the points it earned are taken back.
    PaymentRefunded {
        customer_id: String,
        payment_id: String,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
    /// Money put into the wallet. Not a payment: it earns nothing (the wallet application
    /// that spends it does), so no rupee earns twice.
    WalletTopUp {
        customer_id: String,
        top_up_id: String,
        #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
        amount: Decimal,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
    /// An order (or subscription delivery) of the customer was delivered.
    OrderDelivered {
        customer_id: String,
        order_id: String,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
    /// A customer referred by `referrer_id` completed a first delivery.
    ReferralCompleted {
        referrer_id: String,
        referred_id: String,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
    /// The customer reviewed a delivered order.
    ReviewPosted {
        customer_id: String,
        order_id: String,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
    /// A share or other social action (counts for badges, earns no points).
    SocialAction {
        customer_id: String,
        action_id: String,
        channel: String,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
    /// A manual correction of the balance by staff, under the host's idempotency key.
    Adjusted {
        customer_id: String,
        key: String,
        points: i64,
        reason: String,
        #[cfg_attr(feature = "typescript", ts(type = "Instant | Date"))]
        at: DateTime<Utc>,
    },
}

impl LoyaltyEvent {
    /// The customer whose account the event changes (the referrer for a referral).
    pub fn customer_id(&self) -> &str {
        match self {
            LoyaltyEvent::PaymentReceived { payment, .. } => &payment.customer_id,
            LoyaltyEvent::ReferralCompleted { referrer_id, .. } => referrer_id,
            LoyaltyEvent::PaymentRefunded { customer_id, .. }
            | LoyaltyEvent::WalletTopUp { customer_id, .. }
            | LoyaltyEvent::OrderDelivered { customer_id, .. }
            | LoyaltyEvent::ReviewPosted { customer_id, .. }
            | LoyaltyEvent::SocialAction { customer_id, .. }
            | LoyaltyEvent::Adjusted { customer_id, .. } => customer_id,
        }
    }

    /// When it happened.
    pub const fn at(&self) -> DateTime<Utc> {
        match self {
            LoyaltyEvent::PaymentReceived { at, .. }
            | LoyaltyEvent::PaymentRefunded { at, .. }
            | LoyaltyEvent::WalletTopUp { at, .. }
            | LoyaltyEvent::OrderDelivered { at, .. }
            | LoyaltyEvent::ReferralCompleted { at, .. }
            | LoyaltyEvent::ReviewPosted { at, .. }
            | LoyaltyEvent::SocialAction { at, .. }
            | LoyaltyEvent::Adjusted { at, .. } => *at,
        }
    }

    /// Checks every field, reporting all problems at once.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        match self {
            LoyaltyEvent::PaymentReceived { payment, .. } => {
                if let Err(e) = payment.validate() {
                    for mut p in e.problems {
                        p.field = field_path("payment", &p.field);
                        problems.push(p.field, p.rule, p.value, p.message);
                    }
                }
                if payment.amount > Decimal::from(LARGEST) {
                    problems.push(
                        "payment.amount",
                        Rule::Range,
                        payment.amount.to_string(),
                        format!("at most {LARGEST} rupees"),
                    );
                }
            }
            LoyaltyEvent::PaymentRefunded {
                customer_id,
                payment_id,
                ..
            } => {
                problems.id("customer_id", customer_id);
                problems.id("payment_id", payment_id);
            }
            LoyaltyEvent::WalletTopUp {
                customer_id,
                top_up_id,
                amount,
                ..
            } => {
                problems.id("customer_id", customer_id);
                problems.id("top_up_id", top_up_id);
                problems.positive_amount("amount", *amount);
            }
            LoyaltyEvent::OrderDelivered {
                customer_id,
                order_id,
                ..
            }
            | LoyaltyEvent::ReviewPosted {
                customer_id,
                order_id,
                ..
            } => {
                problems.id("customer_id", customer_id);
                problems.id("order_id", order_id);
            }
            LoyaltyEvent::ReferralCompleted {
                referrer_id,
                referred_id,
                ..
            } => {
                problems.id("referrer_id", referrer_id);
                problems.id("referred_id", referred_id);
                if referrer_id == referred_id {
                    problems.push(
                        "referred_id",
                        Rule::Inconsistent,
                        referred_id.clone(),
                        "a customer cannot refer themselves",
                    );
                }
            }
            LoyaltyEvent::SocialAction {
                customer_id,
                action_id,
                channel,
                ..
            } => {
                problems.id("customer_id", customer_id);
                problems.id("action_id", action_id);
                problems.id("channel", channel);
            }
            LoyaltyEvent::Adjusted {
                customer_id,
                key,
                points,
                reason,
                ..
            } => {
                problems.id("customer_id", customer_id);
                problems.id("key", key);
                problems.id("reason", reason);
                if *points == 0 || points.abs() > LARGEST {
                    problems.push(
                        "points",
                        Rule::Range,
                        points.to_string(),
                        format!("must be non-zero and at most {LARGEST} either way"),
                    );
                }
            }
        }
        problems.finish(())
    }
}
