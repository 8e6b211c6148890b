//! Payments against finalized bills (rule 2.8): allocated oldest bill first, what is left is
//! a credit that lowers the next opening balance.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Bill, BillStatus, Month};
use crate::record::Payment;

/// Where a finalized bill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentStatus {
    Unpaid,
    PartiallyPaid,
    Paid,
    /// Not paid in full after its due date.
    Overdue,
}

/// Part of a payment applied to a bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Allocation {
    pub payment_id: String,
    pub bill_number: String,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
}

/// A finalized bill and what has been paid on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct BillAccount {
    pub number: String,
    pub month: Month,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub due_date: NaiveDate,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub total: Decimal,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub allocated: Decimal,
    /// total − allocated; 0 for a bill whose negative total was carried forward as a credit.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub outstanding: Decimal,
    pub status: PaymentStatus,
}

/// A customer's bills, payments and balance at a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Statement {
    pub customer_id: String,
    pub bills: Vec<BillAccount>,
    pub allocations: Vec<Allocation>,
    /// Payments not allocated to any bill: a credit for the next bill.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub unallocated: Decimal,
    /// Σ outstanding − unallocated: what the customer owes (negative: is owed).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub balance: Decimal,
}

/// Allocates the customer's payments (wallet applications included) to the customer's
/// finalized bills, oldest first, each up to its total less what is already allocated.
/// Payments are taken in date order (then id), so the result does not depend on input order.
///
/// ```
/// # use earlybird::billing::*;
/// let statement = allocate_payments("C1", &[], &[], chrono::NaiveDate::MIN);
/// assert!(statement.bills.is_empty());
/// ```
pub fn allocate_payments(
    customer_id: &str,
    bills: &[Bill],
    payments: &[Payment],
    today: NaiveDate,
) -> Statement {
    let mut mine: Vec<&Bill> = bills
        .iter()
        .filter(|b| b.customer_id == customer_id && b.status == BillStatus::Finalized)
        .collect();
    mine.sort_by(|a, b| (a.month, &a.number).cmp(&(b.month, &b.number)));
    // A bill with a negative total is a credit carried forward: it pays later bills like a
    // payment dated its bill date.
    let carried: Vec<Payment> = mine
        .iter()
        .filter(|b| b.total < Decimal::ZERO)
        .map(|b| Payment {
            id: format!("credit of {}", b.number.as_deref().unwrap_or_default()),
            customer_id: customer_id.to_owned(),
            amount: -b.total,
            method: crate::record::PaymentMethod::Wallet,
            date: b.bill_date,
            reference: b.number.clone(),
        })
        .collect();
    let mut paid: Vec<&Payment> = payments
        .iter()
        .filter(|p| p.customer_id == customer_id)
        .chain(&carried)
        .collect();
    paid.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
    let mut allocated = vec![Decimal::ZERO; mine.len()];
    let mut allocations = Vec::new();
    let mut unallocated = Decimal::ZERO;
    let mut oldest_open = 0;
    for p in paid {
        let mut left = p.amount;
        while left > Decimal::ZERO && oldest_open < mine.len() {
            let bill = mine[oldest_open];
            let room = bill.total - allocated[oldest_open];
            if room <= Decimal::ZERO {
                oldest_open += 1;
                continue;
            }
            let amount = room.min(left);
            allocated[oldest_open] += amount;
            left -= amount;
            allocations.push(Allocation {
                payment_id: p.id.clone(),
                bill_number: bill.number.clone().unwrap_or_default(),
                amount,
            });
        }
        unallocated += left;
    }
    let accounts: Vec<BillAccount> = mine
        .iter()
        .zip(allocated)
        .map(|(b, allocated)| {
            let total = b.total.max(Decimal::ZERO);
            let paid_in_full = allocated >= total;
            let status = if paid_in_full {
                PaymentStatus::Paid
            } else if today > b.due_date {
                PaymentStatus::Overdue
            } else if allocated > Decimal::ZERO {
                PaymentStatus::PartiallyPaid
            } else {
                PaymentStatus::Unpaid
            };
            BillAccount {
                number: b.number.clone().unwrap_or_default(),
                month: b.month,
                due_date: b.due_date,
                total: b.total,
                allocated,
                outstanding: total - allocated,
                status,
            }
        })
        .collect();
    let balance = accounts.iter().map(|a| a.outstanding).sum::<Decimal>() - unallocated;
    Statement {
        customer_id: customer_id.to_owned(),
        bills: accounts,
        allocations,
        unallocated,
        balance,
    }
}
