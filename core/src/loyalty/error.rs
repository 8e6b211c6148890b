//! What can go wrong in the loyalty engine; every variant has a stable code.

use serde::Serialize;

use crate::validation::ValidationError;

/// A loyalty command the rules refuse. Nothing is changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LoyaltyError {
    /// The member has fewer points than the command needs; the balance never goes negative.
    #[error("customer {customer_id}: {requested} points requested, only {balance} available")]
    InsufficientPoints {
        customer_id: String,
        requested: i64,
        balance: i64,
    },
    /// A redemption below the minimum number of points.
    #[error("customer {customer_id}: at least {minimum} points must be redeemed, not {points}")]
    BelowMinimum {
        customer_id: String,
        points: i64,
        minimum: i64,
    },
    /// A redemption worth more than the allowed share of the bill's charges.
    #[error(
        "customer {customer_id}: {points} points exceed the cap of {max_points} for charges of Rs {bill_charges}"
    )]
    AboveCap {
        customer_id: String,
        points: i64,
        max_points: i64,
        bill_charges: rust_decimal::Decimal,
    },
    /// A command for a customer the programme has never seen.
    #[error("customer {customer_id} has no loyalty account")]
    UnknownMember { customer_id: String },
    /// A refund of a payment that never earned here (unknown, or not received yet).
    #[error("customer {customer_id}: payment {payment_id} was never received")]
    UnknownPayment {
        customer_id: String,
        payment_id: String,
    },
    /// A review bonus for an order the member has no delivery of.
    #[error("customer {customer_id}: order {order_id} was not delivered, so it cannot be reviewed")]
    ReviewNotDelivered {
        customer_id: String,
        order_id: String,
    },
    /// The event, request or configuration broke field rules; every problem is listed.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl LoyaltyError {
    /// Stable error code shared by every binding.
    pub const fn code(&self) -> &'static str {
        match self {
            LoyaltyError::InsufficientPoints { .. } => "LOYALTY_INSUFFICIENT_POINTS",
            LoyaltyError::BelowMinimum { .. } => "LOYALTY_BELOW_MINIMUM",
            LoyaltyError::AboveCap { .. } => "LOYALTY_ABOVE_CAP",
            LoyaltyError::UnknownMember { .. } => "LOYALTY_UNKNOWN_MEMBER",
            LoyaltyError::UnknownPayment { .. } => "LOYALTY_UNKNOWN_PAYMENT",
            LoyaltyError::ReviewNotDelivered { .. } => "LOYALTY_REVIEW_NOT_DELIVERED",
            LoyaltyError::Invalid(e) => e.code(),
        }
    }
}
