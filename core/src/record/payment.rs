//! A payment received from a customer.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::{Record, record_serde, status_enum};
use crate::document::Fields;
use crate::validation::{Problems, field_path};

status_enum! {
    /// How a payment was made. `wallet` is a wallet balance applied to a bill.
    PaymentMethod {
        Upi => "upi",
        Cash => "cash",
        Card => "card",
        Netbanking => "netbanking",
        Wallet => "wallet",
    }
}

/// A payment, in rupees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "PaymentRecord", rename_all = "camelCase")
)]
pub struct Payment {
    pub id: String,
    pub customer_id: String,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
    pub method: PaymentMethod,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub reference: Option<String>,
}

record_serde!(Payment);

impl Record for Payment {
    const KIND: &'static str = "payment";

    fn read(document: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let f = Fields::open(document, path, problems)?;
        let id = f.id("id", problems);
        let customer_id = f.id("customer_id", problems);
        let amount = f.decimal("amount", problems);
        if let Some(amount) = amount {
            problems.positive_amount(&field_path(path, "amount"), amount);
        }
        let method = f.enumerated::<PaymentMethod>("method", problems, &PaymentMethod::allowed());
        let date = f.date("date", problems);
        let reference = f.opt_string("reference", problems);
        Some(Payment {
            id: id?,
            customer_id: customer_id?,
            amount: amount?,
            method: method?,
            date: date?,
            reference,
        })
    }

    fn check(&self, problems: &mut Problems) {
        problems.id("id", &self.id);
        problems.id("customer_id", &self.customer_id);
        problems.positive_amount("amount", self.amount);
    }

    fn id(&self) -> &str {
        &self.id
    }
}
