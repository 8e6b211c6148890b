//! Billing (rules section 2): the monthly bill of subscription deliveries AND one-time orders,
//! with GST, credits, the balance carried over, the wallet, payments and reconciliation.
//!
//! The engine is the one place that computes a bill. It is built so that a delivered item can
//! neither be lost nor billed twice: every billable source (a subscription delivery record, an
//! order item) is billed in exactly one finalized bill, and what was delivered but never
//! billed is listed by [`reconcile`] with the amount missing.
//!
//! All functions are pure. The host passes the records and the customer's finalized bills,
//! and stores what comes back ([`Bill`], [`NumberSeries`], the wallet payment).
//!
//! ```
//! use earlybird::billing::{BillingConfig, BillingInput, Month, compute_bill};
//! let input: BillingInput = serde_json::from_str(r#"{
//!   "products": [{"id": "P1", "name": "Milk 1L", "prices": [{"price": "60.00", "effective_from": "2026-01-01"}]}],
//!   "subscriptions": [{"id": "S1", "customer_id": "C1", "product_id": "P1", "quantity": "1",
//!                      "schedule": "daily", "start_date": "2026-01-01"}],
//!   "deliveries": [{"id": "D1", "customer_id": "C1", "date": "2026-01-02", "subscription_id": "S1",
//!                   "product_id": "P1", "ordered_quantity": "1", "delivered_quantity": "1",
//!                   "status": "DELIVERED"}]
//! }"#).unwrap();
//! let month: Month = "2026-01".parse().unwrap();
//! let bill = compute_bill(&input, "C1", month, &BillingConfig::default()).unwrap();
//! assert_eq!(bill.total.to_string(), "60.00");
//! ```

mod batch;
mod bill;
mod columns;
mod compute;
mod input;
mod month;
mod numbering;
mod payments;
mod preview;
mod reconcile;
mod text;
mod wallet;

pub use batch::bill_month;
pub use bill::{
    Bill, BillLine, BillStatus, LineKind, LineSource, SourceId, SourceRef, TaxLine, round_paise,
    round_rupee,
};
pub use columns::{DeliveryColumnParts, DeliveryColumns, bill_month_columns};
pub use compute::compute_bill;
pub use input::{BillingInput, Credit, CreditKind};
pub use month::{FinancialYear, Month};
pub use numbering::{NumberSeries, finalize, finalize_all};
pub use payments::{Allocation, BillAccount, PaymentStatus, Statement, allocate_payments};
pub use preview::{BillPreview, Unconfirmed, preview_bill};
pub use reconcile::{Inconsistency, MissingItem, ReconciliationReport, reconcile};
pub(crate) use wallet::check_entry as check_wallet_entry;
pub use wallet::{MovementKind, Wallet, WalletEntry, WalletEntryKind, WalletMovement};

use serde::{Deserialize, Serialize};

use crate::validation::{Problems, Rule, ValidationError};

/// The business's billing settings (every field a rules *(default)*), changeable without
/// recompiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct BillingConfig {
    /// First part of bill numbers: `EB` gives `EB/26-27/000123`.
    pub number_prefix: String,
    /// Digits of the serial part of bill numbers.
    pub number_digits: u32,
    /// Days from the bill date to the due date.
    pub due_days: u32,
    /// Apply the wallet balance to each new bill.
    pub wallet_auto_apply: bool,
    /// Add a line that brings the total to the whole rupee.
    pub round_off: bool,
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self {
            number_prefix: "EB".to_owned(),
            number_digits: 6,
            due_days: 7,
            wallet_auto_apply: true,
            round_off: false,
        }
    }
}

impl BillingConfig {
    /// The longest serial part a bill number can have: `u32::MAX` has 10 digits.
    pub const MAX_NUMBER_DIGITS: u32 = 10;

    /// Checks the bill-number settings, reporting every problem: a prefix of the characters
    /// a GST invoice number may hold (letters, digits, `-`, `/`), and 1 to 10 serial digits
    /// (more could never be filled, and would only make an enormous number to refuse).
    ///
    /// ```
    /// use earlybird::billing::BillingConfig;
    /// let config = BillingConfig { number_prefix: "E B".into(), number_digits: 0, ..Default::default() };
    /// assert_eq!(config.validate().unwrap_err().fields(), ["number_prefix", "number_digits"]);
    /// ```
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        let prefix = &self.number_prefix;
        if prefix.is_empty() {
            problems.push("number_prefix", Rule::Empty, "", "must not be empty");
        } else if !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
        {
            problems.push(
                "number_prefix",
                Rule::Range,
                prefix.as_str(),
                "a bill number holds only letters, digits, '-' and '/'",
            );
        }
        if !(1..=Self::MAX_NUMBER_DIGITS).contains(&self.number_digits) {
            problems.push(
                "number_digits",
                Rule::Range,
                self.number_digits.to_string(),
                format!("must be 1 to {}", Self::MAX_NUMBER_DIGITS),
            );
        }
        problems.finish(())
    }
}

/// What the billing engine refuses, each with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillingError {
    /// The input broke the rules; every problem is listed.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The month (or a later one) already has a finalized bill for this customer.
    #[error("customer {customer_id}: {month} is closed by finalized bill {number} of {closed_by}")]
    MonthClosed {
        customer_id: String,
        month: Month,
        number: String,
        closed_by: Month,
    },
    /// Only a draft can be finalized.
    #[error("bill {number} is already finalized")]
    NotDraft { number: String },
    /// The customer's finalized bills changed after the draft was computed: recompute it.
    #[error("customer {customer_id}: the draft for {month} is stale, recompute it")]
    StaleDraft { customer_id: String, month: Month },
    /// Finalizing would bill a source a second time.
    #[error("{item} is already billed in {number}")]
    AlreadyBilled { item: SourceRef, number: String },
    /// Bill numbers only move forward through financial years.
    #[error("bill dated {bill_date} falls in a financial year before the series' {series}")]
    NumberingBackwards {
        bill_date: chrono::NaiveDate,
        series: i32,
    },
    /// A bill number would break the 16-character GST limit.
    #[error("bill number {number} is longer than 16 characters")]
    NumberTooLong { number: String },
    /// The wallet holds less than the amount to apply.
    #[error("wallet of {customer_id} holds {balance}, cannot apply {requested} (entry {entry_id})")]
    InsufficientWallet {
        customer_id: String,
        /// The application that would overdraw the wallet.
        entry_id: String,
        balance: rust_decimal::Decimal,
        requested: rust_decimal::Decimal,
    },
}

impl BillingError {
    /// Stable error code shared by every binding.
    pub const fn code(&self) -> &'static str {
        match self {
            BillingError::Invalid(_) => "BILLING_INVALID_INPUT",
            BillingError::MonthClosed { .. } => "BILLING_MONTH_CLOSED",
            BillingError::NotDraft { .. } => "BILLING_NOT_DRAFT",
            BillingError::StaleDraft { .. } => "BILLING_STALE_DRAFT",
            BillingError::AlreadyBilled { .. } => "BILLING_ALREADY_BILLED",
            BillingError::NumberingBackwards { .. } => "BILLING_NUMBERING_BACKWARDS",
            BillingError::NumberTooLong { .. } => "BILLING_NUMBER_TOO_LONG",
            BillingError::InsufficientWallet { .. } => "BILLING_INSUFFICIENT_WALLET",
        }
    }

    /// The fields with problems, when the input was invalid.
    pub fn fields(&self) -> Vec<&str> {
        match self {
            BillingError::Invalid(e) => e.fields(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod examples;
#[cfg(test)]
mod properties;
