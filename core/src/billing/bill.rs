//! The bill as plain data: lines with the sources they cover, taxes, totals, status, number.

use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::Month;
use crate::record::Payment;

/// Rounds an amount to paise, half away from zero (the rules' "round-half-up"), written with
/// exactly two decimals (`12.50`, never `12.5` or `-0.00`) so every binding prints the same.
pub fn round_paise(amount: Decimal) -> Decimal {
    let mut paise = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    paise.rescale(2);
    if paise.is_zero() {
        paise.set_sign_positive(true);
    }
    paise
}

/// Rounds an amount to the whole rupee, half away from zero.
pub fn round_rupee(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
}

/// The id of a billed record. Ids up to 24 bytes (a MongoDB ObjectId in hex) are kept inline,
/// so billing millions of deliveries does not allocate once per delivery.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(as = "String"))]
#[serde(transparent)]
pub struct SourceId(CompactString);

impl SourceId {
    pub fn new(id: &str) -> Self {
        Self(CompactString::new(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for SourceId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for SourceId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

impl From<String> for SourceId {
    fn from(id: String) -> Self {
        Self(CompactString::from(id))
    }
}

/// Something billable, named so that it can be billed exactly once, ever.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all_fields = "camelCase"))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceRef {
    /// A subscription delivery record.
    Delivery { delivery_id: SourceId },
    /// Item `item` (0-based) of a one-time order.
    OrderItem { order_id: SourceId, item: usize },
    /// A credit (loyalty redemption or credit note), applied once.
    Credit { credit_id: SourceId },
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceRef::Delivery { delivery_id } => write!(f, "delivery {delivery_id}"),
            SourceRef::OrderItem { order_id, item } => write!(f, "order {order_id} item {item}"),
            SourceRef::Credit { credit_id } => write!(f, "credit {credit_id}"),
        }
    }
}

/// What a line is. Charges make the subtotal; credits are subtracted after tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Subscription deliveries of the month, per (product, unit price, GST rate).
    Subscription,
    /// One item of a one-time order delivered in the month.
    OneTime,
    /// A delivery of an earlier month confirmed after that month's bill was finalized.
    Arrears,
    /// A correction of something billed before: positive for more delivered, negative for less.
    Adjustment,
    /// Loyalty points redeemed (negative).
    LoyaltyRedemption,
    /// A refund or a resolved dispute (negative).
    CreditNote,
    /// What brings the total to the whole rupee, when enabled.
    RoundOff,
}

impl LineKind {
    /// Lines that make the subtotal and the taxable value.
    pub const fn is_charge(self) -> bool {
        matches!(
            self,
            LineKind::Subscription | LineKind::OneTime | LineKind::Arrears | LineKind::Adjustment
        )
    }

    /// Lines subtracted after tax.
    pub const fn is_credit(self) -> bool {
        matches!(self, LineKind::LoyaltyRedemption | LineKind::CreditNote)
    }

    /// Lines whose sources are billed for the first time (each such source in one bill only).
    pub const fn bills_for_the_first_time(self) -> bool {
        matches!(
            self,
            LineKind::Subscription | LineKind::OneTime | LineKind::Arrears
        )
    }
}

/// One source of a line, with the quantity it contributes (negative in a decreasing adjustment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct LineSource {
    #[serde(flatten)]
    pub source: SourceRef,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub date: NaiveDate,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub quantity: Decimal,
}

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct BillLine {
    pub kind: LineKind,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
    /// Σ of the sources' quantities (0 for credits and round-off).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub quantity: Decimal,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Option<crate::typescript::DecimalString>")
    )]
    pub unit_price: Option<Decimal>,
    /// Negative for credits; rounded to paise.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount: Decimal,
    /// GST percent of a charge line (0 for credits).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub gst_rate: Decimal,
    /// The month an arrears or adjustment line belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_month: Option<Month>,
    pub sources: Vec<LineSource>,
}

/// The tax of one GST rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct TaxLine {
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub rate: Decimal,
    /// Σ of the charge lines at this rate.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub taxable: Decimal,
    /// round(taxable × rate / 100).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub tax: Decimal,
}

/// Whether a bill may still change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillStatus {
    /// Recomputable: the same inputs give the same bill.
    Draft,
    /// Numbered and immutable; corrections go into the next bill.
    Finalized,
}

/// A customer's bill for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Bill {
    pub customer_id: String,
    pub month: Month,
    pub status: BillStatus,
    /// Given at finalization, e.g. `EB/26-27/000123`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The 1st of the following month.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub bill_date: NaiveDate,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub due_date: NaiveDate,
    /// Charges first, then credits, then the round-off line.
    pub lines: Vec<BillLine>,
    /// One entry per GST rate of the charge lines, by rate.
    pub taxes: Vec<TaxLine>,
    /// Σ charge lines.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub subtotal: Decimal,
    /// Σ credit lines, as a positive amount.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub credits: Decimal,
    /// Σ taxes.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub tax: Decimal,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub round_off: Decimal,
    /// subtotal − credits + tax + round_off; negative is a credit carried forward.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub total: Decimal,
    /// What earlier bills left unpaid (negative: credit from overpayment).
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub opening_balance: Decimal,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub wallet_applied: Decimal,
    /// total + opening_balance − wallet_applied.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub amount_due: Decimal,
    /// The wallet application, a payment of method `wallet` dated the bill date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet_payment: Option<Payment>,
    /// Numbers of the customer's finalized bills this bill was computed from; finalizing is
    /// refused when they changed since (the draft is stale).
    #[serde(default)]
    #[cfg_attr(feature = "typescript", ts(optional = nullable))]
    pub basis: Vec<String>,
}

impl Bill {
    /// Every source this bill covers, with its line kind, in line order.
    pub fn sources(&self) -> impl Iterator<Item = (LineKind, &LineSource)> {
        self.lines
            .iter()
            .flat_map(|l| l.sources.iter().map(move |s| (l.kind, s)))
    }

    /// Every way in which the lines do not add up to the totals (empty when they do).
    pub fn arithmetic_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut check = |what: &str, stated: Decimal, computed: Decimal| {
            if stated != computed {
                problems.push(format!("{what} is {stated} but the lines give {computed}"));
            }
        };
        let sum = |pick: fn(LineKind) -> bool| -> Decimal {
            self.lines
                .iter()
                .filter(|l| pick(l.kind))
                .map(|l| l.amount)
                .sum()
        };
        check("subtotal", self.subtotal, sum(LineKind::is_charge));
        check("credits", self.credits, -sum(LineKind::is_credit));
        check("tax", self.tax, self.taxes.iter().map(|t| t.tax).sum());
        check(
            "round-off",
            self.round_off,
            sum(|k| k == LineKind::RoundOff),
        );
        check(
            "total",
            self.total,
            self.subtotal - self.credits + self.tax + self.round_off,
        );
        check(
            "amount due",
            self.amount_due,
            self.total + self.opening_balance - self.wallet_applied,
        );
        for t in &self.taxes {
            let taxable: Decimal = self
                .lines
                .iter()
                .filter(|l| l.kind.is_charge() && l.gst_rate == t.rate)
                .map(|l| l.amount)
                .sum();
            check(&format!("taxable value at {}%", t.rate), t.taxable, taxable);
            check(
                &format!("tax at {}%", t.rate),
                t.tax,
                round_paise(t.taxable * t.rate / Decimal::ONE_HUNDRED),
            );
        }
        for (i, l) in self.lines.iter().enumerate() {
            if l.sources.is_empty() {
                continue;
            }
            let quantity: Decimal = l.sources.iter().map(|s| s.quantity).sum();
            check(&format!("line {} quantity", i + 1), l.quantity, quantity);
            if let Some(price) = l.unit_price {
                check(
                    &format!("line {} amount", i + 1),
                    l.amount,
                    round_paise(quantity * price),
                );
            }
        }
        problems
    }
}
