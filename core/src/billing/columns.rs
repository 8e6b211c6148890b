//! Delivery records as columns, and the month billed from them (rule 2.10 at volume).
//!
//! A host that reads a month of delivery records from a query (or from NumPy arrays, Arrow
//! batches, a COPY) holds them as columns already. Building one `DeliveryRecord` per row
//! (four `String`s, two `Decimal`s) and then reading each back costs more than billing it, so
//! [`DeliveryColumns`] keeps them as the host has them: one string of ids, integer positions
//! into the input's subscriptions and products, quantities as integer thousandths.
//!
//! [`bill_month_columns`] gives exactly the bills [`bill_month`](super::bill_month) gives for
//! the same records. Records are sorted by customer with a counting sort; a customer whose
//! records are all of the billed month, all of its own subscriptions and all priced, and none
//! billed before, is billed on the fast path (one line group per run of days with the same
//! price and GST rate, found once, quantities added as integers). Any other customer (arrears,
//! corrections, records given as `DeliveryRecord`s too, unknown references) goes through the
//! record-by-record path with every rule.

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::batch::{accounts, collect_bills, draft};
use super::compute::{
    Account, Catalog, Entry, Groups, History, Lines, Run, delivery_groups, finish_bill,
};
use super::{
    Bill, BillingConfig, BillingError, BillingInput, LineKind, LineSource, Month, SourceId,
    SourceRef,
};
use crate::record::{DeliveryRecord, DeliverySource, DeliveryStatus, check_delivery_status};
use crate::validation::{Problems, Rule, ValidationError};

/// Subscription delivery records as columns, checked against the [`BillingInput`] whose
/// subscriptions and products they point into. Record `i` is the `i`-th value of every column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryColumns {
    parts: DeliveryColumnParts,
    /// One past the largest subscription position (0 when there is no record).
    subscriptions: usize,
    /// One past the largest product position.
    products: usize,
}

/// The columns as a host hands them over, before [`DeliveryColumns::new`] checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryColumnParts {
    /// Every delivery id, one after the other.
    pub ids: String,
    /// Record `i`'s id is `ids[id_offsets[i]..id_offsets[i + 1]]` (n + 1 offsets, from 0).
    pub id_offsets: Vec<usize>,
    /// The customers the records name (each record names one by its position here).
    pub customer_ids: Vec<String>,
    /// Position in `customer_ids` of each record's customer.
    pub customer: Vec<u32>,
    /// Position in the input's `subscriptions` of each record's subscription.
    pub subscription: Vec<u32>,
    /// Position in the input's `products` of each record's product.
    pub product: Vec<u32>,
    pub date: Vec<NaiveDate>,
    /// Ordered quantity in thousandths of a unit (> 0).
    pub ordered: Vec<i64>,
    /// Delivered quantity in thousandths of a unit (0 to `ordered`).
    pub delivered: Vec<i64>,
    pub status: Vec<DeliveryStatus>,
}

/// Thousandths of a unit as the decimal quantity, without trailing zeros (`1500` is `1.5`).
fn quantity_of(thousandths: i64) -> Decimal {
    let (mantissa, scale) = if thousandths % 1000 == 0 {
        (thousandths / 1000, 0)
    } else if thousandths % 100 == 0 {
        (thousandths / 100, 1)
    } else if thousandths % 10 == 0 {
        (thousandths / 10, 2)
    } else {
        (thousandths, 3)
    };
    Decimal::new(mantissa, scale)
}

/// The field of record `i` in problems, named like the record's own field.
fn field(i: usize, name: &str) -> String {
    format!("deliveries[{i}].{name}")
}

impl DeliveryColumns {
    /// Checks the columns against `input`: every column as long as the ids, offsets that cut
    /// `ids` into non-blank ids, positions inside `customer_ids` and the input's subscriptions
    /// and products, and each record's quantities and status by the delivery record rules.
    /// Every problem is reported, named `deliveries[i].<field>`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use earlybird::billing::{BillingInput, DeliveryColumnParts, DeliveryColumns};
    /// use earlybird::record::DeliveryStatus;
    /// let input = BillingInput::default();
    /// let parts = DeliveryColumnParts {
    ///     ids: "D1".into(),
    ///     id_offsets: vec![0, 2],
    ///     customer_ids: vec!["C1".into()],
    ///     customer: vec![0],
    ///     subscription: vec![0],
    ///     product: vec![0],
    ///     date: vec![NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()],
    ///     ordered: vec![1000],
    ///     delivered: vec![1000],
    ///     status: vec![DeliveryStatus::Delivered],
    /// };
    /// let refused = DeliveryColumns::new(parts, &input).unwrap_err();
    /// assert_eq!(refused.fields(), ["deliveries[0].subscription_id", "deliveries[0].product_id"]);
    /// ```
    pub fn new(parts: DeliveryColumnParts, input: &BillingInput) -> Result<Self, BillingError> {
        let mut problems = Problems::new();
        if !check_lengths(&parts, &mut problems) {
            return Err(problems.finish(()).unwrap_err().into());
        }
        check_ids(&parts, &mut problems);
        let positions = [
            (
                &parts.subscription,
                input.subscriptions.len(),
                "subscription_id",
            ),
            (&parts.product, input.products.len(), "product_id"),
            (&parts.customer, parts.customer_ids.len(), "customer_id"),
        ];
        for i in 0..parts.date.len() {
            for (column, len, name) in positions {
                if column[i] as usize >= len {
                    problems.push(
                        field(i, name),
                        Rule::UnknownReference,
                        column[i].to_string(),
                        format!("position past the {len} there are"),
                    );
                }
            }
            check_quantities(&parts, i, &mut problems);
        }
        problems.finish(())?;
        let bound = |column: &[u32]| column.iter().max().map_or(0, |&m| m as usize + 1);
        Ok(Self {
            subscriptions: bound(&parts.subscription),
            products: bound(&parts.product),
            parts,
        })
    }

    /// The subscription delivery records among `records` as columns pointing into `input`.
    /// Records of one-time orders are left out (billing reads the orders themselves); a
    /// record naming a subscription or product the input does not hold, or a quantity with
    /// more than three decimal places, is refused.
    pub fn of_records(
        records: &[DeliveryRecord],
        input: &BillingInput,
    ) -> Result<Self, BillingError> {
        let catalog = Catalog::new(input);
        let mut parts = DeliveryColumnParts {
            id_offsets: vec![0],
            ..DeliveryColumnParts::default()
        };
        let mut customers: FxHashMap<&str, u32> = FxHashMap::default();
        let mut problems = Problems::new();
        for (i, d) in records.iter().enumerate() {
            let DeliverySource::Subscription(subscription) = &d.source else {
                continue;
            };
            let subscription = catalog
                .subscription_position(subscription)
                .unwrap_or_else(|| {
                    problems.push(
                        field(i, "subscription_id"),
                        Rule::UnknownReference,
                        subscription.as_str(),
                        "refers to a subscription that does not exist",
                    );
                    0
                });
            let product = catalog.product_position(&d.product_id).unwrap_or_else(|| {
                problems.push(
                    field(i, "product_id"),
                    Rule::UnknownReference,
                    d.product_id.as_str(),
                    "refers to a product that does not exist",
                );
                0
            });
            let mut thousandths = |name: &str, q: Decimal| {
                let t = super::compute::thousandths(q).and_then(|t| i64::try_from(t).ok());
                t.unwrap_or_else(|| {
                    problems.push(
                        field(i, name),
                        Rule::Scale,
                        q.to_string(),
                        "at most 3 decimal places",
                    );
                    0
                })
            };
            parts
                .ordered
                .push(thousandths("ordered_quantity", d.ordered_quantity));
            parts
                .delivered
                .push(thousandths("delivered_quantity", d.delivered_quantity));
            let next = u32::try_from(customers.len()).unwrap_or(u32::MAX);
            let customer = *customers.entry(d.customer_id.as_str()).or_insert_with(|| {
                parts.customer_ids.push(d.customer_id.clone());
                next
            });
            parts.ids.push_str(&d.id);
            parts.id_offsets.push(parts.ids.len());
            parts.customer.push(customer);
            parts.subscription.push(subscription);
            parts.product.push(product);
            parts.date.push(d.date);
            parts.status.push(d.status);
        }
        problems.finish(())?;
        Self::new(parts, input)
    }

    /// How many records the columns hold.
    pub fn len(&self) -> usize {
        self.parts.date.len()
    }

    /// Whether the columns hold no record.
    pub fn is_empty(&self) -> bool {
        self.parts.date.is_empty()
    }

    /// The columns themselves.
    pub fn parts(&self) -> &DeliveryColumnParts {
        &self.parts
    }

    /// Record numbers are `u32` in billing, like the positions.
    pub(crate) fn count(&self) -> u32 {
        u32::try_from(self.len()).unwrap_or(u32::MAX)
    }

    /// The delivery id of record `i`.
    pub fn id(&self, i: usize) -> &str {
        &self.parts.ids[self.parts.id_offsets[i]..self.parts.id_offsets[i + 1]]
    }

    /// Thousandths billed of record `i`: what was delivered when the status is billable.
    fn billable(&self, i: usize) -> i64 {
        if self.parts.status[i].is_billable() {
            self.parts.delivered[i]
        } else {
            0
        }
    }

    /// Record `index` as billing reads it for a month ending on `last` (`None` after it).
    pub(crate) fn entry(&self, index: u32, last: NaiveDate) -> Option<Entry> {
        let i = index as usize;
        let date = self.parts.date[i];
        (date <= last).then(|| Entry {
            id: SourceId::new(self.id(i)),
            date,
            quantity: quantity_of(self.billable(i)),
            subscription: self.parts.subscription[i],
            product: self.parts.product[i],
            index,
        })
    }

    /// The input must hold every subscription and product the columns point at: the columns
    /// were checked against one input and may be billed with another.
    fn check_fits(&self, input: &BillingInput) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        for (bound, len, name) in [
            (
                self.subscriptions,
                input.subscriptions.len(),
                "subscription",
            ),
            (self.products, input.products.len(), "product"),
        ] {
            if bound > len {
                problems.push(
                    name,
                    Rule::UnknownReference,
                    (bound - 1).to_string(),
                    format!("the columns point past the input's {len} {name}s"),
                );
            }
        }
        problems.finish(())
    }
}

/// Every column as long as the ids; `false` when one is not (nothing else is checked then).
fn check_lengths(parts: &DeliveryColumnParts, problems: &mut Problems) -> bool {
    let n = parts.id_offsets.len().saturating_sub(1);
    if parts.id_offsets.is_empty() {
        problems.push(
            "id_offsets",
            Rule::Empty,
            "",
            "holds n + 1 offsets, starting with 0",
        );
    }
    let lengths = [
        ("customer", parts.customer.len()),
        ("subscription", parts.subscription.len()),
        ("product", parts.product.len()),
        ("date", parts.date.len()),
        ("ordered", parts.ordered.len()),
        ("delivered", parts.delivered.len()),
        ("status", parts.status.len()),
    ];
    for (name, len) in lengths {
        if len != n {
            problems.push(
                name,
                Rule::Inconsistent,
                len.to_string(),
                format!("{len} values for {n} delivery ids"),
            );
        }
    }
    problems.is_empty()
}

/// Offsets that cut `ids` into non-blank ids; non-blank customer ids.
fn check_ids(parts: &DeliveryColumnParts, problems: &mut Problems) {
    let offsets = &parts.id_offsets;
    let cuts = offsets.first() == Some(&0)
        && offsets.last() == Some(&parts.ids.len())
        && offsets.windows(2).all(|w| w[0] <= w[1])
        && offsets.iter().all(|&o| parts.ids.is_char_boundary(o));
    if !cuts {
        problems.push(
            "id_offsets",
            Rule::Range,
            "",
            "must start at 0, never decrease, end at the length of ids and fall between characters",
        );
        return;
    }
    for (i, w) in offsets.windows(2).enumerate() {
        check_record(i, problems, |found| found.id("id", &parts.ids[w[0]..w[1]]));
    }
    for (c, id) in parts.customer_ids.iter().enumerate() {
        problems.id(&format!("customer_ids[{c}]"), id);
    }
}

/// Runs `check` on record `i` with its plain field names, then names each problem found
/// `deliveries[i].<field>`: the full name is written only for a record with a problem, not
/// for each of the millions that have none.
fn check_record(i: usize, problems: &mut Problems, check: impl FnOnce(&mut Problems)) {
    let mut found = Problems::new();
    check(&mut found);
    if let Err(mut e) = found.finish(()) {
        for problem in &mut e.problems {
            problem.field = field(i, &problem.field);
        }
        problems.extend(e);
    }
}

/// The delivery record rules on record `i`'s quantities and status, the same checks a
/// `DeliveryRecord` gets.
fn check_quantities(parts: &DeliveryColumnParts, i: usize, problems: &mut Problems) {
    let (ordered, delivered) = (
        quantity_of(parts.ordered[i]),
        quantity_of(parts.delivered[i]),
    );
    check_record(i, problems, |found| {
        found.quantity("ordered_quantity", ordered);
        found.delivered_quantity("delivered_quantity", delivered, Some(ordered));
        if delivered >= Decimal::ZERO {
            check_delivery_status("status", parts.status[i], delivered, ordered, found);
        }
    });
}

/// The DRAFT bills of `month` for every customer, from delivery records given as `columns`
/// (records `0..n`) and the input's own `deliveries` (records `n..`): the same bills
/// [`bill_month`](super::bill_month) gives for those records, in the same order, with the
/// same problems. Quantities on line sources are written without trailing zeros.
pub fn bill_month_columns(
    input: &BillingInput,
    columns: &DeliveryColumns,
    month: Month,
    config: &BillingConfig,
) -> Result<Vec<Bill>, BillingError> {
    columns.check_fits(input)?;
    let catalog = Catalog::with_columns(input, columns);
    let (accounts, ranks) = accounts(&catalog, month.last_day());
    let (starts, order) = by_customer(columns, &ranks, accounts.len());
    let results: Vec<Result<Option<Bill>, BillingError>> = accounts
        .into_par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (a, account)| {
            let records = &order[starts[a] as usize..starts[a + 1] as usize];
            let mut problems = Problems::new();
            let bill = bill_customer(
                &catalog,
                columns,
                account,
                records,
                (month, config),
                scratch,
                &mut problems,
            );
            draft(bill, problems)
        })
        .collect();
    collect_bills(results)
}

/// The column records of each account, by a counting sort: account `a`'s records are
/// `order[starts[a]..starts[a + 1]]`, in record order.
fn by_customer(columns: &DeliveryColumns, ranks: &[u32], accounts: usize) -> (Vec<u32>, Vec<u32>) {
    let owners: Vec<u32> = columns
        .parts
        .customer
        .iter()
        .map(|&c| ranks[c as usize])
        .collect();
    let mut starts = vec![0u32; accounts + 1];
    for &a in &owners {
        starts[a as usize + 1] += 1;
    }
    for a in 0..accounts {
        starts[a + 1] += starts[a];
    }
    let mut next = starts.clone();
    let mut order = vec![0u32; owners.len()];
    for (r, &a) in (0u32..).zip(&owners) {
        let slot = &mut next[a as usize];
        order[*slot as usize] = r;
        *slot += 1;
    }
    (starts, order)
}

/// Lists the fast path fills and empties for every customer, kept per thread so that
/// billing a customer does not allocate them again.
#[derive(Default)]
struct Scratch {
    runs: Vec<Run>,
    /// (record, group) of each record on a line, in record order.
    placed: Vec<(u32, u32)>,
}

/// One customer's bill: its column records on the fast path when they allow it, else with
/// its own records record by record.
fn bill_customer<'a>(
    catalog: &Catalog<'a>,
    columns: &DeliveryColumns,
    mut account: Account<'a>,
    records: &[u32],
    (month, config): (Month, &BillingConfig),
    scratch: &mut Scratch,
    problems: &mut Problems,
) -> Result<Bill, BillingError> {
    let history = History::of_account(catalog, &account, month)?;
    let fast = if account.deliveries.is_empty() {
        fast_groups(
            catalog, columns, &account, records, &history, month, scratch,
        )
    } else {
        None
    };
    let groups = match fast {
        Some(groups) => groups,
        None => {
            let last = month.last_day();
            let own = std::mem::take(&mut account.deliveries);
            account.deliveries = records
                .iter()
                .filter_map(|&r| columns.entry(r, last))
                .chain(own)
                .collect();
            delivery_groups(catalog, &account, &history.ledger, month, problems)
        }
    };
    finish_bill(catalog, &account, history, groups, month, config, problems)
}

/// The subscription lines of a customer whose records are all of `month` (or later, and
/// then not billed), none billed before, each of one of its subscriptions and priced: one
/// slot per (subscription, product, run of days with one price and rate), quantities summed
/// as integers. `None` when a record needs the record-by-record path.
fn fast_groups<'a>(
    catalog: &Catalog<'a>,
    columns: &DeliveryColumns,
    account: &Account<'a>,
    records: &[u32],
    history: &History<'_>,
    month: Month,
    scratch: &mut Scratch,
) -> Option<Lines<'a>> {
    let parts = &columns.parts;
    let (first, last) = (month.first_day(), month.last_day());
    let billed_before = &history.ledger.deliveries;
    let mut groups = Groups::default();
    let Scratch { runs, placed } = scratch;
    runs.clear();
    placed.clear();
    let mut hit = 0;
    for &r in records {
        let i = r as usize;
        let date = parts.date[i];
        if date > last {
            continue;
        }
        if date < first || (!billed_before.is_empty() && billed_before.contains_key(columns.id(i)))
        {
            return None;
        }
        let thousandths = columns.billable(i);
        if thousandths <= 0 {
            if thousandths < 0 {
                return None;
            }
            continue;
        }
        let (subscription, product) = (parts.subscription[i], parts.product[i]);
        let known = runs
            .get(hit)
            .filter(|run| run.covers(subscription, product, date))
            .map(|_| hit)
            .or_else(|| {
                runs.iter()
                    .position(|run| run.covers(subscription, product, date))
            });
        hit = match known {
            Some(at) => at,
            None => {
                let owner = catalog.subscription_at(subscription)?;
                if owner.customer_id != account.customer_id {
                    return None;
                }
                let item = catalog.product_at(product)?;
                let price = owner.price_override.or_else(|| item.price_on(date))?;
                let rate = item.gst_rate_on(date);
                let group =
                    groups.find_or_insert(LineKind::Subscription, item, price, rate, month, false);
                runs.push(Run::new(subscription, product, item, date, group as u32));
                runs.len() - 1
            }
        };
        let group = runs[hit].group;
        groups.list[group as usize].add_thousandths(thousandths);
        placed.push((r, group));
    }
    for group in &mut groups.list {
        group.sources.reserve_exact(group.count);
    }
    for &(r, group) in placed.iter() {
        let i = r as usize;
        groups.list[group as usize].sources.push(LineSource {
            source: SourceRef::Delivery {
                delivery_id: SourceId::new(columns.id(i)),
            },
            date: parts.date[i],
            quantity: quantity_of(parts.delivered[i]),
        });
    }
    Some(Lines {
        groups,
        ..Lines::default()
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::examples::{daily_milk, day, delivery, input, milk, month};
    use super::*;
    use crate::billing::{FinancialYear, NumberSeries, bill_month, finalize_all};

    /// One record of 1 litre of milk to C1 on S1, delivered.
    fn one_record() -> (DeliveryColumnParts, BillingInput) {
        let parts = DeliveryColumnParts {
            ids: "D1".into(),
            id_offsets: vec![0, 2],
            customer_ids: vec!["C1".into()],
            customer: vec![0],
            subscription: vec![0],
            product: vec![0],
            date: vec![day(2026, 1, 2)],
            ordered: vec![1000],
            delivered: vec![1000],
            status: vec![DeliveryStatus::Delivered],
        };
        let input = input(json!({"products": [milk()], "subscriptions": [daily_milk()]}));
        (parts, input)
    }

    fn refused(parts: DeliveryColumnParts, input: &BillingInput) -> Vec<(String, Rule)> {
        match DeliveryColumns::new(parts, input) {
            Err(BillingError::Invalid(e)) => {
                e.problems.into_iter().map(|p| (p.field, p.rule)).collect()
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn named(problems: &[(&str, Rule)]) -> Vec<(String, Rule)> {
        problems
            .iter()
            .map(|(f, r)| ((*f).to_owned(), *r))
            .collect()
    }

    #[test]
    fn columns_of_different_lengths_are_refused_naming_each_column() {
        let (mut parts, input) = one_record();
        parts.date.clear();
        parts.status.push(DeliveryStatus::Delivered);
        assert_eq!(
            refused(parts, &input),
            named(&[("date", Rule::Inconsistent), ("status", Rule::Inconsistent)])
        );
    }

    #[test]
    fn offsets_that_do_not_cut_the_ids_are_refused() {
        let (mut parts, input) = one_record();
        parts.id_offsets = vec![0, 3];
        assert_eq!(
            refused(parts, &input),
            named(&[("id_offsets", Rule::Range)])
        );
        let (mut parts, input) = one_record();
        parts.id_offsets = vec![];
        assert_eq!(
            refused(parts, &input)[0],
            ("id_offsets".to_owned(), Rule::Empty)
        );
    }

    #[test]
    fn every_problem_of_every_record_is_reported() {
        let (mut parts, input) = one_record();
        parts.ids = "D1 ".into();
        parts.id_offsets = vec![0, 2, 3];
        parts.customer_ids.push(String::new());
        parts.customer.push(2);
        parts.subscription.push(1);
        parts.product.push(0);
        parts.date.push(day(2026, 1, 3));
        parts.ordered[0] = 0;
        parts.ordered.push(1000);
        parts.delivered.push(500);
        parts.status.push(DeliveryStatus::Delivered);
        assert_eq!(
            refused(parts, &input),
            named(&[
                ("deliveries[1].id", Rule::EmptyId),
                ("customer_ids[1]", Rule::EmptyId),
                ("deliveries[0].ordered_quantity", Rule::Positive),
                ("deliveries[0].delivered_quantity", Rule::Range),
                ("deliveries[1].subscription_id", Rule::UnknownReference),
                ("deliveries[1].customer_id", Rule::UnknownReference),
                ("deliveries[1].status", Rule::Inconsistent),
            ])
        );
        let (mut parts, input) = one_record();
        parts.delivered[0] = -1;
        assert_eq!(
            refused(parts, &input),
            named(&[("deliveries[0].delivered_quantity", Rule::NonNegative)])
        );
    }

    #[test]
    fn records_that_columns_cannot_hold_are_refused() {
        let (_, i) = one_record();
        let mut records = input(json!({"deliveries": [
            delivery("D1", day(2026, 1, 2), "1", "1"),
            delivery("D2", day(2026, 1, 3), "1", "1")]}))
        .deliveries;
        records[0].source = DeliverySource::Subscription("S9".into());
        records[1].delivered_quantity = Decimal::new(5, 4);
        records[1].ordered_quantity = Decimal::ONE;
        records[1].status = DeliveryStatus::PartiallyDelivered;
        let Err(BillingError::Invalid(e)) = DeliveryColumns::of_records(&records, &i) else {
            panic!("refused");
        };
        assert_eq!(
            e.fields(),
            [
                "deliveries[0].subscription_id",
                "deliveries[1].delivered_quantity"
            ]
        );
    }

    #[test]
    fn columns_billed_with_an_input_that_lacks_their_subscriptions_are_refused() {
        let (parts, input) = one_record();
        let columns = DeliveryColumns::new(parts, &input).unwrap();
        let smaller = BillingInput {
            subscriptions: Vec::new(),
            ..input
        };
        let refused = bill_month_columns(
            &smaller,
            &columns,
            month("2026-01"),
            &BillingConfig::default(),
        );
        assert_eq!(refused.unwrap_err().fields(), ["subscription"]);
    }

    /// Both paths over `i`'s records, with every record given as columns.
    fn both(
        i: &BillingInput,
        m: &str,
    ) -> (
        Result<Vec<Bill>, BillingError>,
        Result<Vec<Bill>, BillingError>,
    ) {
        let config = BillingConfig::default();
        let columns = DeliveryColumns::of_records(&i.deliveries, i).unwrap();
        let rest = BillingInput {
            deliveries: Vec::new(),
            ..i.clone()
        };
        (
            bill_month(i, month(m), &config),
            bill_month_columns(&rest, &columns, month(m), &config),
        )
    }

    #[test]
    fn price_overrides_partial_and_failed_deliveries_bill_as_records_do() {
        let mut deliveries: Vec<_> = (1..=31)
            .map(|d| delivery(&format!("D{d:02}"), day(2026, 1, d), "2", "2"))
            .collect();
        deliveries[3] = delivery("D04", day(2026, 1, 4), "2", "1.5");
        deliveries[4] = delivery("D05", day(2026, 1, 5), "2", "0");
        deliveries.push(
            json!({"id": "E1", "customer_id": "C2", "date": "2026-01-20",
            "subscription_id": "S2", "product_id": "MILK", "ordered_quantity": "1",
            "delivered_quantity": "1", "status": "DELIVERED"}),
        );
        let i = input(
            json!({"products": [milk()], "deliveries": deliveries, "subscriptions": [
            daily_milk(),
            {"id": "S2", "customer_id": "C2", "product_id": "MILK", "quantity": "1",
             "schedule": "daily", "start_date": "2025-12-01", "price_override": "25.00"}]}),
        );
        let (records, columns) = both(&i, "2026-01");
        assert_eq!(columns.as_ref().map(Vec::len), Ok(2));
        assert_eq!(columns, records);
    }

    #[test]
    fn a_record_on_another_customers_subscription_is_refused_as_records_are() {
        let mut other = delivery("D1", day(2026, 1, 2), "1", "1");
        other["customer_id"] = json!("C2");
        let i = input(
            json!({"products": [milk()], "subscriptions": [daily_milk()],
            "deliveries": [other, delivery("D2", day(2026, 1, 3), "1", "1")]}),
        );
        let (records, columns) = both(&i, "2026-01");
        assert!(records.is_err());
        assert_eq!(columns, records);
    }

    #[test]
    fn a_record_of_the_month_billed_before_under_another_date_is_an_adjustment() {
        let config = BillingConfig::default();
        let december = input(
            json!({"products": [milk()], "subscriptions": [daily_milk()],
            "deliveries": [delivery("D1", day(2025, 12, 31), "2", "2")]}),
        );
        let drafts = bill_month(&december, month("2025-12"), &config).unwrap();
        let (finalized, _) = finalize_all(
            &drafts,
            &[],
            NumberSeries::new(FinancialYear(2025)),
            &config,
        )
        .unwrap();
        let mut january = input(
            json!({"products": [milk()], "subscriptions": [daily_milk()],
            "deliveries": [delivery("D1", day(2026, 1, 1), "2", "1"),
                           delivery("D2", day(2026, 1, 2), "1", "1")]}),
        );
        january.bills = finalized;
        let (records, columns) = both(&january, "2026-01");
        let kinds: Vec<LineKind> = records.as_ref().unwrap()[0]
            .lines
            .iter()
            .map(|l| l.kind)
            .collect();
        assert_eq!(kinds, [LineKind::Subscription, LineKind::Adjustment]);
        assert_eq!(columns, records);
    }
}
