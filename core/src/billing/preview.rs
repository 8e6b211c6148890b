//! A bill preview: the draft plus the scheduled days that have no delivery record yet.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::{Bill, BillingConfig, BillingError, BillingInput, Month, compute_bill};

/// A day a subscription was due with no delivery record: not billed, to be confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Unconfirmed {
    pub subscription_id: String,
    pub product_id: String,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub quantity: Decimal,
}

/// What the month's bill looks like now, and what is still unconfirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct BillPreview {
    pub bill: Bill,
    /// By date, then subscription.
    pub unconfirmed: Vec<Unconfirmed>,
}

/// The draft bill of `customer_id` for `month` with every scheduled subscription day
/// (`Subscription::due_between`) that has no delivery record. Those days are not billed.
pub fn preview_bill(
    input: &BillingInput,
    customer_id: &str,
    month: Month,
    config: &BillingConfig,
) -> Result<BillPreview, BillingError> {
    let bill = compute_bill(input, customer_id, month, config)?;
    let recorded: FxHashSet<(&str, NaiveDate)> = input
        .deliveries
        .iter()
        .filter(|d| d.customer_id == customer_id)
        .filter_map(|d| d.subscription_id().map(|s| (s, d.date)))
        .collect();
    let mut unconfirmed: Vec<Unconfirmed> = input
        .subscriptions
        .iter()
        .filter(|s| s.customer_id == customer_id)
        .flat_map(|s| {
            s.due_between(month.first_day(), month.last_day())
                .into_iter()
                .filter(|due| !recorded.contains(&(s.id.as_str(), due.date)))
                .map(|due| Unconfirmed {
                    subscription_id: s.id.clone(),
                    product_id: s.product_id.clone(),
                    date: due.date,
                    quantity: due.quantity,
                })
        })
        .collect();
    unconfirmed.sort_by(|a, b| (a.date, &a.subscription_id).cmp(&(b.date, &b.subscription_id)));
    Ok(BillPreview { bill, unconfirmed })
}
