//! What a bill is computed from: the business's records plus billing's own inputs.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Bill, WalletEntry};
use crate::record::{DeliveryRecord, Order, Payment, Product, Subscription};

/// Records of one or many customers, as the host loads them for a billing run.
///
/// Deliveries and orders may reach back before the billed month: what was billed already
/// (per the finalized `bills`) is skipped, what was not becomes an arrears line, and what
/// changed since becomes an adjustment. Passing more history never changes a bill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingInput {
    pub products: Vec<Product>,
    pub subscriptions: Vec<Subscription>,
    pub orders: Vec<Order>,
    pub deliveries: Vec<DeliveryRecord>,
    /// The finalized bills so far (drafts are ignored).
    pub bills: Vec<Bill>,
    pub payments: Vec<Payment>,
    pub credits: Vec<Credit>,
    pub wallet: Vec<WalletEntry>,
}

/// What a credit line stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CreditKind {
    /// Points redeemed, as the amount the loyalty engine computed.
    LoyaltyRedemption,
    /// A refund or a resolved dispute about an order or a delivery.
    CreditNote,
}

/// A credit to put on the customer's next bill (it is applied in exactly one bill).
///
/// A loyalty redemption becomes one with [`Credit::from_redemption`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Credit {
    pub id: String,
    pub customer_id: String,
    pub kind: CreditKind,
    /// Rupees, > 0.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
    /// Applied in the bill of this date's month (or the next one computed).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    /// The order a credit note is about (a credit note names exactly one order or delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The subscription delivery a credit note is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Credit {
    /// The credit a loyalty redemption puts on the bill of `date`'s month; its id is the
    /// redemption's idempotency key, so the same redemption credits one bill once.
    pub fn from_redemption(redemption: &crate::loyalty::Redemption, date: NaiveDate) -> Self {
        Self {
            id: redemption.key.clone(),
            customer_id: redemption.customer_id.clone(),
            kind: CreditKind::LoyaltyRedemption,
            amount: redemption.amount,
            date,
            order_id: None,
            delivery_id: None,
            reason: Some(redemption.line_description()),
        }
    }
}
