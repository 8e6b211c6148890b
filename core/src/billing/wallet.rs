//! The customer wallet: money paid in ahead (top-ups), promotional credit that expires, and
//! applications to bills. A top-up is not a payment; an application is (method `wallet`).
//!
//! Applications use promotional credit first, the one expiring soonest first, so that the
//! customer loses as little as possible to expiry. The balance never goes negative.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::BillingError;
use crate::record::Payment;
use crate::validation::{Problems, Rule, field_path};

/// What a wallet entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum WalletEntryKind {
    /// Money paid into the wallet (not a payment of any bill).
    TopUp,
    /// Credit given by the business, usable until its `expires_on` date (inclusive).
    Promotional,
    /// Balance applied to a bill: the wallet side of a payment of method `wallet`.
    Applied,
}

/// One entry of a wallet, in rupees (> 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct WalletEntry {
    pub id: String,
    pub customer_id: String,
    pub kind: WalletEntryKind,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    /// Last day promotional credit can be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DateString>")
    )]
    pub expires_on: Option<NaiveDate>,
    /// For an application: the id of the payment it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl WalletEntry {
    /// The wallet side of a payment of method `wallet`: the same id, amount and date, with
    /// the payment as its reference.
    pub fn application(payment: &Payment) -> Self {
        Self {
            id: payment.id.clone(),
            customer_id: payment.customer_id.clone(),
            kind: WalletEntryKind::Applied,
            amount: payment.amount,
            date: payment.date,
            expires_on: None,
            reference: Some(payment.id.clone()),
        }
    }
}

/// What moved the balance, in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "WalletMovementKind"))]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    TopUp,
    Promotional,
    Applied,
    /// Promotional credit left unused at the end of its last day.
    Expired,
}

/// One line of a wallet's history, with the balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct WalletMovement {
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    pub entry_id: String,
    pub kind: MovementKind,
    /// Positive in, negative out.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub balance: Decimal,
}

/// A customer's wallet: its entries, from which balance and history are derived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Wallet {
    pub customer_id: String,
    pub entries: Vec<WalletEntry>,
}

/// A promotional lot being used up.
struct Lot<'a> {
    id: &'a str,
    expires_on: NaiveDate,
    left: Decimal,
}

impl Wallet {
    /// An empty wallet.
    pub fn new(customer_id: impl Into<String>) -> Self {
        Self {
            customer_id: customer_id.into(),
            entries: Vec::new(),
        }
    }

    /// Adds money paid in.
    pub fn top_up(
        &mut self,
        id: impl Into<String>,
        amount: Decimal,
        date: NaiveDate,
    ) -> Result<(), BillingError> {
        self.add(id.into(), WalletEntryKind::TopUp, amount, date, None, None)
    }

    /// Adds promotional credit usable up to `expires_on` (inclusive).
    pub fn grant(
        &mut self,
        id: impl Into<String>,
        amount: Decimal,
        date: NaiveDate,
        expires_on: NaiveDate,
    ) -> Result<(), BillingError> {
        let kind = WalletEntryKind::Promotional;
        self.add(id.into(), kind, amount, date, Some(expires_on), None)
    }

    /// Applies `amount` to a bill as payment `payment_id`; refused beyond the balance.
    pub fn apply(
        &mut self,
        id: impl Into<String>,
        amount: Decimal,
        date: NaiveDate,
        payment_id: impl Into<String>,
    ) -> Result<(), BillingError> {
        let kind = WalletEntryKind::Applied;
        self.add(id.into(), kind, amount, date, None, Some(payment_id.into()))
    }

    fn add(
        &mut self,
        id: String,
        kind: WalletEntryKind,
        amount: Decimal,
        date: NaiveDate,
        expires_on: Option<NaiveDate>,
        reference: Option<String>,
    ) -> Result<(), BillingError> {
        self.push(WalletEntry {
            id,
            customer_id: self.customer_id.clone(),
            kind,
            amount,
            date,
            expires_on,
            reference,
        })
    }

    /// Adds an entry as it is (one read back from a store, say), refused when it is
    /// malformed, belongs to another customer, repeats an id, or would take the balance
    /// below zero on any day. A refused entry leaves the wallet as it was.
    pub fn push(&mut self, entry: WalletEntry) -> Result<(), BillingError> {
        let mut problems = Problems::new();
        if entry.customer_id != self.customer_id {
            problems.push(
                "entry.customer_id",
                Rule::Inconsistent,
                entry.customer_id.as_str(),
                format!("the wallet is {}'s", self.customer_id),
            );
        }
        check_entry(&entry, "entry", &mut problems);
        if self.entries.iter().any(|e| e.id == entry.id) {
            problems.push(
                "entry.id",
                Rule::Duplicate,
                entry.id.as_str(),
                "the wallet already has an entry with this id",
            );
        }
        problems.finish(())?;
        self.entries.push(entry);
        if let Err(e) = self.history() {
            self.entries.pop();
            return Err(e);
        }
        Ok(())
    }

    /// The balance usable on `date` (entries of that day included, its expiries not yet).
    pub fn balance_on(&self, date: NaiveDate) -> Result<Decimal, BillingError> {
        Ok(self
            .replay(|d, kind| d < date || (d == date && kind != MovementKind::Expired))?
            .last()
            .map_or(Decimal::ZERO, |m| m.balance))
    }

    /// Every movement with the balance after it, in date order.
    pub fn history(&self) -> Result<Vec<WalletMovement>, BillingError> {
        self.replay(|_, _| true)
    }

    fn replay(
        &self,
        wanted: impl Fn(NaiveDate, MovementKind) -> bool,
    ) -> Result<Vec<WalletMovement>, BillingError> {
        let mut problems = Problems::new();
        for (i, e) in self.entries.iter().enumerate() {
            check_entry(e, &format!("wallet[{i}]"), &mut problems);
        }
        problems.finish(())?;
        let rank = |k: MovementKind| match k {
            MovementKind::TopUp | MovementKind::Promotional => 0,
            MovementKind::Applied => 1,
            MovementKind::Expired => 2,
        };
        let mut events: Vec<(NaiveDate, MovementKind, &WalletEntry)> = Vec::new();
        for e in &self.entries {
            let kind = match e.kind {
                WalletEntryKind::TopUp => MovementKind::TopUp,
                WalletEntryKind::Promotional => MovementKind::Promotional,
                WalletEntryKind::Applied => MovementKind::Applied,
            };
            events.push((e.date, kind, e));
            if let Some(expires_on) = e.expires_on.filter(|_| kind == MovementKind::Promotional) {
                events.push((expires_on, MovementKind::Expired, e));
            }
        }
        events.sort_by(|a, b| (a.0, rank(a.1), &a.2.id).cmp(&(b.0, rank(b.1), &b.2.id)));
        let mut paid = Decimal::ZERO;
        let mut lots: Vec<Lot<'_>> = Vec::new();
        let mut movements = Vec::new();
        for (date, kind, entry) in events {
            if !wanted(date, kind) {
                break;
            }
            let amount = match kind {
                MovementKind::TopUp => {
                    paid += entry.amount;
                    entry.amount
                }
                MovementKind::Promotional => {
                    lots.push(Lot {
                        id: &entry.id,
                        expires_on: entry.expires_on.unwrap_or(date),
                        left: entry.amount,
                    });
                    lots.sort_by(|a, b| (a.expires_on, a.id).cmp(&(b.expires_on, b.id)));
                    entry.amount
                }
                MovementKind::Applied => {
                    let mut need = entry.amount;
                    for lot in lots.iter_mut() {
                        let used = lot.left.min(need);
                        lot.left -= used;
                        need -= used;
                    }
                    if need > paid {
                        let balance = paid + entry.amount - need;
                        return Err(BillingError::InsufficientWallet {
                            customer_id: self.customer_id.clone(),
                            entry_id: entry.id.clone(),
                            balance,
                            requested: entry.amount,
                        });
                    }
                    paid -= need;
                    -entry.amount
                }
                MovementKind::Expired => {
                    let Some(lot) = lots.iter_mut().find(|l| l.id == entry.id) else {
                        continue;
                    };
                    let left = std::mem::take(&mut lot.left);
                    if left.is_zero() {
                        continue;
                    }
                    -left
                }
            };
            lots.retain(|l| !l.left.is_zero());
            movements.push(WalletMovement {
                date,
                entry_id: entry.id.clone(),
                kind,
                amount,
                balance: paid + lots.iter().map(|l| l.left).sum::<Decimal>(),
            });
        }
        Ok(movements)
    }
}

/// Names each problem of `entry` under `path` (`wallet[3].amount`; no path: `amount`).
pub(crate) fn check_entry(entry: &WalletEntry, path: &str, problems: &mut Problems) {
    let field = |name: &str| field_path(path, name);
    problems.id(&field("id"), &entry.id);
    problems.positive_amount(&field("amount"), entry.amount);
    match (entry.kind, entry.expires_on) {
        (WalletEntryKind::Promotional, None) => problems.push(
            field("expires_on"),
            Rule::Required,
            "",
            "promotional credit needs an expiry date",
        ),
        (WalletEntryKind::Promotional, Some(expires)) if expires < entry.date => problems.push(
            field("expires_on"),
            Rule::DateOrder,
            expires.to_string(),
            format!("must not be before the grant date {}", entry.date),
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn promotional_credit_is_used_first_and_expires_after_its_last_day() {
        let mut w = Wallet::new("C1");
        w.top_up("T1", dec!(100), day(1)).unwrap();
        w.grant("G1", dec!(50), day(2), day(10)).unwrap();
        w.apply("A1", dec!(30), day(5), "P1").unwrap();
        assert_eq!(w.balance_on(day(5)).unwrap(), dec!(120));
        assert_eq!(w.balance_on(day(10)).unwrap(), dec!(120));
        assert_eq!(w.balance_on(day(11)).unwrap(), dec!(100));
        let history = w.history().unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (last.kind, last.amount, last.balance),
            (MovementKind::Expired, dec!(-20), dec!(100))
        );
    }

    #[test]
    fn the_balance_never_goes_negative() {
        let mut w = Wallet::new("C1");
        w.top_up("T1", dec!(40), day(1)).unwrap();
        let err = w.apply("A1", dec!(41), day(2), "P1").unwrap_err();
        assert_eq!(err.code(), "BILLING_INSUFFICIENT_WALLET");
        assert_eq!(w.entries.len(), 1);
        w.grant("G1", dec!(10), day(1), day(1)).unwrap();
        assert!(w.apply("A2", dec!(41), day(2), "P2").is_err());
        w.apply("A3", dec!(40), day(2), "P3").unwrap();
        assert_eq!(w.balance_on(day(3)).unwrap(), dec!(0));
    }

    #[test]
    fn an_entry_read_back_joins_only_its_own_wallet_and_never_overdraws_it() {
        let mut w = Wallet::new("C1");
        w.top_up("T1", dec!(40), day(1)).unwrap();
        let payment = Payment {
            id: "PAY1".into(),
            customer_id: "C1".into(),
            amount: dec!(40),
            method: crate::record::PaymentMethod::Wallet,
            date: day(2),
            reference: None,
        };
        let applied = WalletEntry::application(&payment);
        assert_eq!(
            (applied.kind, applied.reference.as_deref()),
            (WalletEntryKind::Applied, Some("PAY1"))
        );
        let other = WalletEntry {
            customer_id: "C2".into(),
            ..applied.clone()
        };
        assert_eq!(w.push(other).unwrap_err().fields(), ["entry.customer_id"]);
        let more = WalletEntry {
            amount: dec!(40.01),
            ..applied.clone()
        };
        assert_eq!(
            w.push(more).unwrap_err().code(),
            "BILLING_INSUFFICIENT_WALLET"
        );
        w.push(applied).unwrap();
        assert_eq!(w.balance_on(day(2)).unwrap(), dec!(0));
        assert_eq!(w.entries.len(), 2);
    }

    #[test]
    fn bad_entries_are_refused_with_every_problem() {
        let mut w = Wallet::new("C1");
        let err = w.grant("", dec!(-1), day(5), day(4)).unwrap_err();
        assert_eq!(
            err.fields(),
            ["entry.id", "entry.amount", "entry.expires_on"]
        );
    }
}
