//! Finalizing bills: the DRAFT → FINALIZED step, with GST-compliant numbers.
//!
//! Numbers are consecutive per financial year of the bill date (April to March), unique, and
//! at most 16 characters: `EB/26-27/000123`. They are given only at finalization, so a
//! recomputed or abandoned draft never leaves a gap.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::{Bill, BillStatus, BillingConfig, BillingError, FinancialYear, LineKind, SourceRef};
use crate::validation::{Problems, Rule};

/// The last number given in the current financial year (one series for the business).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct NumberSeries {
    pub financial_year: FinancialYear,
    /// 0 when no bill of this year is numbered yet.
    pub last: u32,
}

impl NumberSeries {
    /// A series with nothing numbered yet in `financial_year`.
    pub const fn new(financial_year: FinancialYear) -> Self {
        Self {
            financial_year,
            last: 0,
        }
    }

    /// The number for a bill dated `bill_date`, and the series after it. A new financial
    /// year starts again at 1. Number settings that break [`BillingConfig::validate`] are
    /// refused.
    ///
    /// ```
    /// # use earlybird::billing::{BillingConfig, FinancialYear, NumberSeries};
    /// let series = NumberSeries { financial_year: FinancialYear(2026), last: 122 };
    /// let date = chrono::NaiveDate::from_ymd_opt(2027, 2, 1).unwrap();
    /// let (number, _) = series.next(date, &BillingConfig::default()).unwrap();
    /// assert_eq!(number, "EB/26-27/000123");
    /// ```
    pub fn next(
        self,
        bill_date: chrono::NaiveDate,
        config: &BillingConfig,
    ) -> Result<(String, Self), BillingError> {
        config.validate()?;
        let year = FinancialYear::of(bill_date);
        if year < self.financial_year {
            return Err(BillingError::NumberingBackwards {
                bill_date,
                series: self.financial_year.0,
            });
        }
        let serial = if year == self.financial_year {
            self.last.checked_add(1).ok_or_else(|| {
                let mut problems = Problems::new();
                problems.push(
                    "last",
                    Rule::Range,
                    self.last.to_string(),
                    "the series is full: no serial follows it in this financial year",
                );
                problems.into_error("series")
            })?
        } else {
            1
        };
        let number = format!(
            "{}/{}/{:0width$}",
            config.number_prefix,
            year.label(),
            serial,
            width = config.number_digits as usize
        );
        if number.chars().count() > 16 {
            return Err(BillingError::NumberTooLong { number });
        }
        Ok((
            number,
            Self {
                financial_year: year,
                last: serial,
            },
        ))
    }
}

/// Finalizes a draft: checks that it is still current against the customer's finalized
/// bills and bills nothing twice, then gives it the next number.
pub fn finalize(
    draft: &Bill,
    finalized: &[Bill],
    series: NumberSeries,
    config: &BillingConfig,
) -> Result<(Bill, NumberSeries), BillingError> {
    let mine: Vec<&Bill> = finalized
        .iter()
        .filter(|b| b.customer_id == draft.customer_id && b.status == BillStatus::Finalized)
        .collect();
    finalize_one(draft, &mine, series, config)
}

fn finalize_one(
    draft: &Bill,
    finalized: &[&Bill],
    series: NumberSeries,
    config: &BillingConfig,
) -> Result<(Bill, NumberSeries), BillingError> {
    if draft.status != BillStatus::Draft {
        return Err(BillingError::NotDraft {
            number: draft.number.clone().unwrap_or_default(),
        });
    }
    if let Some(closing) = finalized.iter().find(|b| b.month >= draft.month) {
        return Err(BillingError::MonthClosed {
            customer_id: draft.customer_id.clone(),
            month: draft.month,
            number: closing.number.clone().unwrap_or_default(),
            closed_by: closing.month,
        });
    }
    let mut basis: Vec<&str> = finalized
        .iter()
        .map(|b| b.number.as_deref().unwrap_or_default())
        .collect();
    basis.sort_unstable();
    if !basis
        .iter()
        .copied()
        .eq(draft.basis.iter().map(String::as_str))
    {
        return Err(BillingError::StaleDraft {
            customer_id: draft.customer_id.clone(),
            month: draft.month,
        });
    }
    let mut billed: FxHashMap<&SourceRef, &str> = FxHashMap::default();
    for b in finalized {
        for (kind, s) in b.sources() {
            if kind.bills_for_the_first_time() || matches!(s.source, SourceRef::Credit { .. }) {
                billed.insert(&s.source, b.number.as_deref().unwrap_or_default());
            }
        }
    }
    let mut seen: FxHashSet<&SourceRef> = FxHashSet::default();
    for (kind, s) in draft.sources() {
        if kind == LineKind::Adjustment {
            continue;
        }
        if let Some(number) = billed.get(&s.source) {
            return Err(BillingError::AlreadyBilled {
                item: s.source.clone(),
                number: (*number).to_owned(),
            });
        }
        if !seen.insert(&s.source) {
            return Err(BillingError::AlreadyBilled {
                item: s.source.clone(),
                number: "this bill".to_owned(),
            });
        }
    }
    let (number, series) = series.next(draft.bill_date, config)?;
    let mut bill = draft.clone();
    bill.status = BillStatus::Finalized;
    bill.number = Some(number);
    Ok((bill, series))
}

/// Finalizes many drafts (a month's batch) in one series, numbered in order of bill date
/// then customer id, so the numbering does not depend on the order of `drafts`.
pub fn finalize_all(
    drafts: &[Bill],
    finalized: &[Bill],
    mut series: NumberSeries,
    config: &BillingConfig,
) -> Result<(Vec<Bill>, NumberSeries), BillingError> {
    let mut history: FxHashMap<&str, Vec<&Bill>> = FxHashMap::default();
    for b in finalized
        .iter()
        .filter(|b| b.status == BillStatus::Finalized)
    {
        history.entry(b.customer_id.as_str()).or_default().push(b);
    }
    let mut order: Vec<&Bill> = drafts.iter().collect();
    order.sort_by(|a, b| (a.bill_date, &a.customer_id).cmp(&(b.bill_date, &b.customer_id)));
    let mut out = Vec::with_capacity(drafts.len());
    let mut done: FxHashSet<&str> = FxHashSet::default();
    for draft in order {
        // A second draft of a customer was computed without the first one's bill.
        if !done.insert(draft.customer_id.as_str()) {
            return Err(BillingError::StaleDraft {
                customer_id: draft.customer_id.clone(),
                month: draft.month,
            });
        }
        let earlier = history
            .get(draft.customer_id.as_str())
            .map_or(&[][..], Vec::as_slice);
        let (bill, next) = finalize_one(draft, earlier, series, config)?;
        series = next;
        out.push(bill);
    }
    Ok((out, series))
}
