//! Computing one customer's bill for one month (rules 2.1 to 2.6).
//!
//! Delivery records are first read once, in the order they come, into compact [`Entry`]s
//! (inline id, date, quantity, subscription and product as indices), so that billing a
//! customer reads only its own contiguous entries, never the scattered records. The hot loop
//! then adds each delivered quantity to its (product, price, GST rate, month) group as an
//! integer number of thousandths, and multiplies by the price once per group.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Days, NaiveDate};
use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::bill::{round_paise, round_rupee};
use super::columns::DeliveryColumns;
use super::wallet::check_entry;
use super::{
    Bill, BillLine, BillStatus, BillingConfig, BillingError, BillingInput, Credit, CreditKind,
    LineKind, LineSource, Month, SourceId, SourceRef, TaxLine, Wallet,
};
use crate::record::{
    DeliveryRecord, DeliverySource, Payment, PaymentMethod, Product, Subscription,
};
use crate::validation::{Problems, Rule};

/// Computes the DRAFT bill of `customer_id` for `month`.
///
/// The same input gives the same bill, whatever the order of the records in it.
pub fn compute_bill(
    input: &BillingInput,
    customer_id: &str,
    month: Month,
    config: &BillingConfig,
) -> Result<Bill, BillingError> {
    let catalog = Catalog::new(input);
    let account = Account::of_customer(&catalog, customer_id, month.last_day());
    let mut problems = Problems::new();
    let bill = bill_account(&catalog, &account, month, config, &mut problems)?;
    problems.finish(bill).map_err(BillingError::from)
}

/// An index that names nothing (an unknown id).
const UNKNOWN: u32 = u32::MAX;

/// No group.
const NONE: u32 = u32::MAX;

/// The input with products and subscriptions indexed by id. Keys are inline strings, so a
/// look-up reads the table only, not the records.
pub(crate) struct Catalog<'a> {
    pub(crate) input: &'a BillingInput,
    /// Delivery records given as columns; they come before the input's own records.
    pub(crate) columns: Option<&'a DeliveryColumns>,
    products: FxHashMap<CompactString, u32>,
    /// Built on the first look-up by id: records given as columns name their subscriptions
    /// by position, so billing them never needs it.
    subscriptions: OnceLock<FxHashMap<CompactString, u32>>,
}

fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> FxHashMap<CompactString, u32> {
    let mut index = FxHashMap::default();
    for (i, id) in (0u32..).zip(ids) {
        index.entry(CompactString::new(id)).or_insert(i);
    }
    index
}

impl<'a> Catalog<'a> {
    pub(crate) fn new(input: &'a BillingInput) -> Self {
        Self {
            input,
            columns: None,
            products: index_of(input.products.iter().map(|p| p.id.as_str())),
            subscriptions: OnceLock::new(),
        }
    }

    fn subscriptions(&self) -> &FxHashMap<CompactString, u32> {
        self.subscriptions
            .get_or_init(|| index_of(self.input.subscriptions.iter().map(|s| s.id.as_str())))
    }

    /// The input indexed, with delivery records `0..columns.len()` read from `columns` and
    /// the input's own records numbered after them.
    pub(crate) fn with_columns(input: &'a BillingInput, columns: &'a DeliveryColumns) -> Self {
        Self {
            columns: Some(columns),
            ..Self::new(input)
        }
    }

    /// How many delivery records the columns hold (the first record number of the input's).
    pub(crate) fn column_count(&self) -> u32 {
        self.columns.map_or(0, DeliveryColumns::count)
    }

    /// Delivery record `index` of the input's own records, numbered after the columns.
    pub(crate) fn record(&self, index: u32) -> Option<&'a DeliveryRecord> {
        let own = index.checked_sub(self.column_count())?;
        self.input.deliveries.get(own as usize)
    }

    /// The subscription id and product id delivery record `index` names, to report it.
    fn named_by(&self, e: &Entry) -> (&'a str, &'a str) {
        if let Some(d) = self.record(e.index) {
            return (
                d.subscription_id().unwrap_or_default(),
                d.product_id.as_str(),
            );
        }
        let subscription = self
            .subscription_at(e.subscription)
            .map_or("", |s| s.id.as_str());
        let product = self.product_at(e.product).map_or("", |p| p.id.as_str());
        (subscription, product)
    }

    /// The position of product `id` in the input.
    pub(crate) fn product_position(&self, id: &str) -> Option<u32> {
        self.products.get(id).copied()
    }

    /// The position of subscription `id` in the input.
    pub(crate) fn subscription_position(&self, id: &str) -> Option<u32> {
        self.subscriptions().get(id).copied()
    }

    pub(crate) fn product(&self, id: &str) -> Option<&'a Product> {
        self.products
            .get(id)
            .map(|&i| &self.input.products[i as usize])
    }

    pub(crate) fn product_at(&self, index: u32) -> Option<&'a Product> {
        self.input.products.get(index as usize)
    }

    pub(crate) fn subscription_at(&self, index: u32) -> Option<&'a Subscription> {
        self.input.subscriptions.get(index as usize)
    }

    /// The entry of delivery record `index` for a bill of a month ending on `last`: `None`
    /// for a record billing never reads (an order's trace, or a later date).
    pub(crate) fn entry(&self, index: u32, last: NaiveDate) -> Option<Entry> {
        if let Some(columns) = self.columns.filter(|c| index < c.count()) {
            return columns.entry(index, last);
        }
        let d = self.record(index)?;
        if d.date > last {
            return None;
        }
        let DeliverySource::Subscription(subscription) = &d.source else {
            return None;
        };
        Some(Entry {
            id: SourceId::new(&d.id),
            date: d.date,
            quantity: if d.status.is_billable() {
                d.delivered_quantity
            } else {
                Decimal::ZERO
            },
            subscription: self
                .subscriptions()
                .get(subscription.as_str())
                .copied()
                .unwrap_or(UNKNOWN),
            product: self
                .products
                .get(d.product_id.as_str())
                .copied()
                .unwrap_or(UNKNOWN),
            index,
        })
    }
}

/// What billing needs of one subscription delivery record, read once.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: SourceId,
    pub(crate) date: NaiveDate,
    /// The delivered quantity when the status is billable, else 0.
    pub(crate) quantity: Decimal,
    pub(crate) subscription: u32,
    pub(crate) product: u32,
    /// Position of the record in the input, to name it in problems.
    pub(crate) index: u32,
}

/// One customer's share of a [`BillingInput`]: delivery entries, and indices of the rest.
#[derive(Debug, Default)]
pub(crate) struct Account<'a> {
    pub(crate) customer_id: &'a str,
    pub(crate) deliveries: Vec<Entry>,
    pub(crate) orders: Vec<u32>,
    pub(crate) bills: Vec<u32>,
    pub(crate) payments: Vec<u32>,
    pub(crate) credits: Vec<u32>,
    pub(crate) wallet: Vec<u32>,
}

fn matching<T>(records: &[T], wanted: impl Fn(&T) -> bool) -> Vec<u32> {
    (0u32..)
        .zip(records)
        .filter(|(_, r)| wanted(r))
        .map(|(i, _)| i)
        .collect()
}

impl<'a> Account<'a> {
    /// The records of one customer for a bill of a month ending on `last`, by scanning the
    /// input once.
    pub(crate) fn of_customer(
        catalog: &Catalog<'a>,
        customer_id: &'a str,
        last: NaiveDate,
    ) -> Self {
        let input = catalog.input;
        Self {
            customer_id,
            deliveries: (catalog.column_count()..)
                .zip(&input.deliveries)
                .filter(|(_, d)| d.customer_id == customer_id)
                .filter_map(|(i, _)| catalog.entry(i, last))
                .collect(),
            orders: matching(&input.orders, |o| o.customer_id == customer_id),
            bills: matching(&input.bills, |b| b.customer_id == customer_id),
            payments: matching(&input.payments, |p| p.customer_id == customer_id),
            credits: matching(&input.credits, |c| c.customer_id == customer_id),
            wallet: matching(&input.wallet, |w| w.customer_id == customer_id),
        }
    }
}

/// What finalized bills already billed for one source: later bills bill only the difference.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Billed<'a> {
    pub(crate) quantity: Decimal,
    pub(crate) amount: Decimal,
    pub(crate) unit_price: Decimal,
    pub(crate) gst_rate: Decimal,
    pub(crate) product_id: &'a str,
    pub(crate) month: Month,
}

/// Everything the customer's finalized bills cover.
#[derive(Debug, Default)]
pub(crate) struct Ledger<'a> {
    pub(crate) deliveries: FxHashMap<&'a str, Billed<'a>>,
    pub(crate) items: FxHashMap<(&'a str, usize), Billed<'a>>,
    /// Credit id → amount credited (positive).
    pub(crate) credits: FxHashMap<&'a str, Decimal>,
}

impl<'a> Ledger<'a> {
    pub(crate) fn of_bills(bills: impl Iterator<Item = &'a Bill>) -> Self {
        let mut ledger = Ledger::default();
        for bill in bills.filter(|b| b.status == BillStatus::Finalized) {
            for line in &bill.lines {
                for s in &line.sources {
                    let price = line.unit_price.unwrap_or(Decimal::ZERO);
                    let add = |entry: Option<&mut Billed<'a>>| -> Option<Billed<'a>> {
                        let amount = if line.sources.len() == 1 {
                            line.amount
                        } else {
                            round_paise(s.quantity * price)
                        };
                        match entry {
                            Some(b) => {
                                b.quantity += s.quantity;
                                b.amount += amount;
                                None
                            }
                            None => Some(Billed {
                                quantity: s.quantity,
                                amount,
                                unit_price: price,
                                gst_rate: line.gst_rate,
                                product_id: line.product_id.as_deref().unwrap_or(""),
                                month: line.original_month.unwrap_or(Month::of(s.date)),
                            }),
                        }
                    };
                    match &s.source {
                        SourceRef::Delivery { delivery_id } => {
                            let key = delivery_id.as_str();
                            if let Some(new) = add(ledger.deliveries.get_mut(key)) {
                                ledger.deliveries.insert(key, new);
                            }
                        }
                        SourceRef::OrderItem { order_id, item } => {
                            let key = (order_id.as_str(), *item);
                            if let Some(new) = add(ledger.items.get_mut(&key)) {
                                ledger.items.insert(key, new);
                            }
                        }
                        SourceRef::Credit { credit_id } => {
                            *ledger.credits.entry(credit_id.as_str()).or_default() -= line.amount;
                        }
                    }
                }
            }
        }
        ledger
    }
}

/// Thousandths of a unit, exact when the quantity has at most 3 decimal places.
pub(crate) fn thousandths(q: Decimal) -> Option<i128> {
    let scale = q.scale();
    (scale <= 3).then(|| q.mantissa() * 10i128.pow(3 - scale))
}

/// Deliveries that become one line.
pub(crate) struct Group<'a> {
    kind: LineKind,
    product: &'a str,
    product_name: &'a str,
    price: Decimal,
    rate: Decimal,
    month: Month,
    /// An adjustment that lowers what was billed (kept apart from increases).
    decrease: bool,
    /// Σ quantity in thousandths (quantities of the rules' scale).
    thousandths: i128,
    /// Σ of quantities with more than 3 decimal places (never valid input, still exact).
    rest: Decimal,
    /// Sources added, so that `sources` is allocated once at its final size.
    pub(crate) count: usize,
    pub(crate) sources: Vec<LineSource>,
}

impl Group<'_> {
    fn quantity(&self) -> Decimal {
        (Decimal::from_i128_with_scale(self.thousandths, 3) + self.rest).normalize()
    }

    /// Adds a quantity given in thousandths.
    pub(crate) fn add_thousandths(&mut self, thousandths: i64) {
        self.thousandths += i128::from(thousandths);
        self.count += 1;
    }

    fn add(&mut self, quantity: Decimal) {
        match thousandths(quantity) {
            Some(t) => self.thousandths += t,
            None => self.rest += quantity,
        }
    }
}

/// The groups of a bill being built, found by a linear search from the last hit (a
/// customer has a handful of groups).
#[derive(Default)]
pub(crate) struct Groups<'a> {
    pub(crate) list: Vec<Group<'a>>,
    last: usize,
}

impl<'a> Groups<'a> {
    /// The group of these line attributes, made when there is none yet.
    pub(crate) fn find_or_insert(
        &mut self,
        kind: LineKind,
        product: &'a Product,
        price: Decimal,
        rate: Decimal,
        month: Month,
        decrease: bool,
    ) -> usize {
        let same = |g: &Group<'_>| {
            g.kind == kind
                && g.decrease == decrease
                && std::ptr::eq(g.product, product.id.as_str())
                && g.month == month
                && g.price == price
                && g.rate == rate
        };
        let hit = match self.list.get(self.last) {
            Some(g) if same(g) => Some(self.last),
            _ => self.list.iter().position(same),
        };
        let index = hit.unwrap_or_else(|| {
            self.list.push(Group {
                kind,
                product: product.id.as_str(),
                product_name: product.name.as_str(),
                price,
                rate,
                month,
                decrease,
                thousandths: 0,
                rest: Decimal::ZERO,
                count: 0,
                sources: Vec::new(),
            });
            self.list.len() - 1
        });
        self.last = index;
        index
    }

    fn add(
        &mut self,
        kind: LineKind,
        product: &'a Product,
        price: Decimal,
        rate: Decimal,
        month: Month,
        quantity: Decimal,
    ) -> usize {
        let decrease = quantity.is_sign_negative();
        let index = self.find_or_insert(kind, product, price, rate, month, decrease);
        let group = &mut self.list[index];
        group.add(quantity);
        group.count += 1;
        index
    }
}

fn entry_source(e: &Entry, quantity: Decimal) -> LineSource {
    LineSource {
        source: SourceRef::Delivery {
            delivery_id: e.id.clone(),
        },
        date: e.date,
        quantity,
    }
}

/// Deliveries of one subscription and product from `from` to `until`, all in one group.
pub(crate) struct Run {
    subscription: u32,
    product: u32,
    from: NaiveDate,
    until: NaiveDate,
    pub(crate) group: u32,
}

impl Run {
    /// The run of `date`: the days around it over which `product`'s price and rate hold.
    pub(crate) fn new(
        subscription: u32,
        product_index: u32,
        product: &Product,
        date: NaiveDate,
        group: u32,
    ) -> Self {
        let (from, until) = steady(product, date);
        Self {
            subscription,
            product: product_index,
            from,
            until,
            group,
        }
    }

    pub(crate) fn covers(&self, subscription: u32, product: u32, date: NaiveDate) -> bool {
        self.subscription == subscription
            && self.product == product
            && self.from <= date
            && date <= self.until
    }
}

/// The dates around `date`, within its month, over which the product's price and GST rate
/// stay what they are on `date`: prices and rates change only on their effective dates.
fn steady(product: &Product, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let month = Month::of(date);
    let (mut from, mut until) = (month.first_day(), month.last_day());
    let changes = product
        .prices
        .iter()
        .map(|p| p.effective_from)
        .chain(product.gst_rates.iter().filter_map(|r| r.effective_from));
    for change in changes {
        if change <= date {
            from = from.max(change);
        } else {
            until = until.min(change.pred_opt().unwrap_or(change));
        }
    }
    (from, until)
}

/// The description of a line: the product's name, and why the line is there when it is not
/// a delivery of the bill's own month (`concat`, not `format!`: one is written per line).
fn describe(kind: LineKind, name: &str, month: Month, bill_month: Month) -> String {
    match kind {
        LineKind::Arrears => [name, " (arrears of ", &month.to_string(), ")"].concat(),
        LineKind::Adjustment => [name, " (correction of ", &month.to_string(), ")"].concat(),
        LineKind::OneTime => [name, " (one-time order)"].concat(),
        _ if month != bill_month => [name, " (", &month.to_string(), ")"].concat(),
        _ => name.to_owned(),
    }
}

/// The id of the wallet payment a bill records.
pub(crate) fn wallet_payment_id(customer_id: &str, month: Month) -> String {
    format!("wallet/{customer_id}/{month}")
}

/// Computes the draft bill of one account. Problems of the input are pushed; the bill is
/// returned even then, and the caller refuses it when problems were found.
pub(crate) fn bill_account<'a>(
    catalog: &Catalog<'a>,
    account: &Account<'a>,
    month: Month,
    config: &BillingConfig,
    problems: &mut Problems,
) -> Result<Bill, BillingError> {
    let history = History::of_account(catalog, account, month)?;
    let groups = delivery_groups(catalog, account, &history.ledger, month, problems);
    finish_bill(catalog, account, history, groups, month, config, problems)
}

/// A customer's finalized bills, for a month they leave open.
pub(crate) struct History<'a> {
    finalized: Vec<&'a Bill>,
    /// What those bills billed.
    pub(crate) ledger: Ledger<'a>,
}

impl<'a> History<'a> {
    /// The account's finalized bills; refused when one closes `month`.
    pub(crate) fn of_account(
        catalog: &Catalog<'a>,
        account: &Account<'a>,
        month: Month,
    ) -> Result<Self, BillingError> {
        let input = catalog.input;
        let finalized: Vec<&Bill> = account
            .bills
            .iter()
            .map(|&i| &input.bills[i as usize])
            .filter(|b| b.status == BillStatus::Finalized)
            .collect();
        if let Some(closing) = finalized
            .iter()
            .filter(|b| b.month >= month)
            .min_by_key(|b| b.month)
        {
            return Err(BillingError::MonthClosed {
                customer_id: account.customer_id.to_owned(),
                month,
                number: closing.number.clone().unwrap_or_default(),
                closed_by: closing.month,
            });
        }
        let ledger = Ledger::of_bills(finalized.iter().copied());
        Ok(Self { finalized, ledger })
    }
}

/// The lines of a bill being built: first-time lines, and adjustments of what was billed.
#[derive(Default)]
pub(crate) struct Lines<'a> {
    pub(crate) groups: Groups<'a>,
    pub(crate) adjustments: Groups<'a>,
}

/// The delivery lines of an account, read entry by entry: every rule for every case
/// (arrears, corrections, unknown references).
pub(crate) fn delivery_groups<'a>(
    catalog: &Catalog<'a>,
    account: &Account<'a>,
    ledger: &Ledger<'_>,
    month: Month,
    problems: &mut Problems,
) -> Lines<'a> {
    let customer_id = account.customer_id;
    let first = month.first_day();
    let mut groups = Groups::default();
    let mut adjustments = Groups::default();
    // The group of each entry (NONE: not on a first-time line): the sources are written once
    // every group's size is known.
    let mut placed = vec![NONE; account.deliveries.len()];
    let mut last_subscription: Option<(u32, Option<&Subscription>)> = None;
    // Runs of dates already resolved to a group: most records skip the price look-up.
    let mut runs: Vec<Run> = Vec::new();

    for (e, placed) in account.deliveries.iter().zip(&mut placed) {
        let i = e.index;
        let quantity = e.quantity;
        if quantity.is_sign_negative() && !quantity.is_zero() {
            problems.push(
                format!("deliveries[{i}].delivered_quantity"),
                Rule::NonNegative,
                quantity.to_string(),
                "must not be negative",
            );
            continue;
        }
        let billed = if ledger.deliveries.is_empty() {
            None
        } else {
            ledger.deliveries.get(e.id.as_str())
        };
        if let Some(b) = billed {
            let change = quantity - b.quantity;
            if !change.is_zero() {
                let source = entry_source(e, change);
                adjust(&mut adjustments, catalog, b, source, i, problems);
            }
            continue;
        }
        if quantity.is_zero() {
            continue;
        }
        let run = runs
            .iter()
            .find(|r| r.covers(e.subscription, e.product, e.date));
        if let Some(run) = run {
            let group = &mut groups.list[run.group as usize];
            group.add(quantity);
            group.count += 1;
            *placed = run.group;
            continue;
        }
        let subscription = match last_subscription {
            Some((index, found)) if index == e.subscription => found,
            _ => {
                let found = catalog
                    .subscription_at(e.subscription)
                    .filter(|s| s.customer_id == customer_id);
                last_subscription = Some((e.subscription, found));
                found
            }
        };
        let Some(subscription) = subscription else {
            let (id, _) = catalog.named_by(e);
            problems.push(
                format!("deliveries[{i}].subscription_id"),
                Rule::UnknownReference,
                id,
                format!("no subscription {id} of customer {customer_id}"),
            );
            continue;
        };
        let Some(product) = catalog.product_at(e.product) else {
            let (_, id) = catalog.named_by(e);
            problems.push(
                format!("deliveries[{i}].product_id"),
                Rule::UnknownReference,
                id,
                "refers to a product that does not exist",
            );
            continue;
        };
        let Some(price) = subscription
            .price_override
            .or_else(|| product.price_on(e.date))
        else {
            problems.push(
                format!("deliveries[{i}].date"),
                Rule::Inconsistent,
                e.date.to_string(),
                format!("no price of product {} in force on that date", product.id),
            );
            continue;
        };
        let kind = if e.date >= first {
            LineKind::Subscription
        } else {
            LineKind::Arrears
        };
        let rate = product.gst_rate_on(e.date);
        let group = groups.add(kind, product, price, rate, Month::of(e.date), quantity) as u32;
        runs.push(Run::new(e.subscription, e.product, product, e.date, group));
        *placed = group;
    }
    for group in &mut groups.list {
        group.sources.reserve_exact(group.count);
    }
    for (e, group) in account.deliveries.iter().zip(placed) {
        if group != NONE {
            groups.list[group as usize]
                .sources
                .push(entry_source(e, e.quantity));
        }
    }
    Lines {
        groups,
        adjustments,
    }
}

/// Completes the bill of an account from its delivery lines: one-time orders, credits,
/// taxes, totals, the opening balance and the wallet.
pub(crate) fn finish_bill<'a>(
    catalog: &Catalog<'a>,
    account: &Account<'a>,
    history: History<'a>,
    lines: Lines<'a>,
    month: Month,
    config: &BillingConfig,
    problems: &mut Problems,
) -> Result<Bill, BillingError> {
    let input = catalog.input;
    let customer_id = account.customer_id;
    let History { finalized, ledger } = history;
    let Lines {
        groups,
        mut adjustments,
    } = lines;
    let first = month.first_day();
    let last = month.last_day();
    let items: usize = account
        .orders
        .iter()
        .map(|&i| input.orders[i as usize].items.len())
        .sum();
    // Every line the bill can have, so that the list is allocated once.
    let mut lines = Vec::with_capacity(
        groups.list.len() + adjustments.list.len() + items + account.credits.len() + 1,
    );
    for &i in &account.orders {
        let order = &input.orders[i as usize];
        if order.delivery_date > last {
            continue;
        }
        for (item_index, item) in order.items.iter().enumerate() {
            let quantity = if order.status.is_confirmed() {
                item.delivered_quantity.unwrap_or(Decimal::ZERO)
            } else {
                Decimal::ZERO
            };
            let source = |quantity| LineSource {
                source: SourceRef::OrderItem {
                    order_id: SourceId::new(&order.id),
                    item: item_index,
                },
                date: order.delivery_date,
                quantity,
            };
            if let Some(b) = ledger.items.get(&(order.id.as_str(), item_index)) {
                let change = quantity - b.quantity;
                if !change.is_zero() {
                    adjust(&mut adjustments, catalog, b, source(change), i, problems);
                }
                continue;
            }
            if quantity <= Decimal::ZERO {
                continue;
            }
            let Some(product) = catalog.product(&item.product_id) else {
                problems.push(
                    format!("orders[{i}].items[{item_index}].product_id"),
                    Rule::UnknownReference,
                    item.product_id.as_str(),
                    "refers to a product that does not exist",
                );
                continue;
            };
            let original = Month::of(order.delivery_date);
            let kind = if order.delivery_date >= first {
                LineKind::OneTime
            } else {
                LineKind::Arrears
            };
            lines.push(BillLine {
                kind,
                description: [
                    describe(kind, &product.name, original, month).as_str(),
                    " ",
                    &order.id,
                ]
                .concat(),
                product_id: Some(product.id.clone()),
                quantity: quantity.normalize(),
                unit_price: Some(item.unit_price),
                amount: round_paise(quantity * item.unit_price),
                gst_rate: product.gst_rate_on(order.delivery_date),
                original_month: (kind == LineKind::Arrears).then_some(original),
                sources: vec![source(quantity)],
            });
        }
    }
    for group in groups.list.into_iter().chain(adjustments.list) {
        lines.push(group_line(group, month));
    }
    lines.sort_by(|a, b| {
        (a.kind, a.original_month)
            .cmp(&(b.kind, b.original_month))
            .then_with(|| {
                (first_source(a), &a.product_id, a.unit_price).cmp(&(
                    first_source(b),
                    &b.product_id,
                    b.unit_price,
                ))
            })
    });

    let credit_lines = credit_lines(input, account, &ledger, &lines, last, problems);
    lines.extend(credit_lines);

    // One tax line per rate, found by a linear search: a bill has one or two rates.
    let mut taxes: Vec<TaxLine> = Vec::new();
    for l in lines.iter().filter(|l| l.kind.is_charge()) {
        match taxes.iter_mut().find(|t| t.rate == l.gst_rate) {
            Some(t) => t.taxable += l.amount,
            None => taxes.push(TaxLine {
                rate: l.gst_rate.normalize(),
                taxable: l.amount,
                tax: Decimal::ZERO,
            }),
        }
    }
    taxes.sort_unstable_by_key(|t| t.rate);
    for t in &mut taxes {
        t.tax = round_paise(t.taxable * t.rate / Decimal::ONE_HUNDRED);
        t.taxable = round_paise(t.taxable);
    }
    let sum = |pick: fn(LineKind) -> bool, lines: &[BillLine]| -> Decimal {
        lines
            .iter()
            .filter(|l| pick(l.kind))
            .map(|l| l.amount)
            .sum()
    };
    let subtotal = round_paise(sum(LineKind::is_charge, &lines));
    let credits = round_paise(Decimal::ZERO - sum(LineKind::is_credit, &lines));
    let tax = round_paise(taxes.iter().map(|t| t.tax).sum());
    let before_round_off = subtotal - credits + tax;
    let round_off = round_paise(if config.round_off {
        round_rupee(before_round_off) - before_round_off
    } else {
        Decimal::ZERO
    });
    if !round_off.is_zero() {
        lines.push(BillLine {
            kind: LineKind::RoundOff,
            description: "Round-off".to_owned(),
            product_id: None,
            quantity: Decimal::ZERO,
            unit_price: None,
            amount: round_off,
            gst_rate: Decimal::ZERO,
            original_month: None,
            sources: Vec::new(),
        });
    }
    let total = round_paise(before_round_off + round_off);

    let bill_date = month.bill_date();
    // Only a customer with payments or a wallet needs the id of this bill's wallet payment.
    let wallet_id = (!account.payments.is_empty() || !account.wallet.is_empty())
        .then(|| wallet_payment_id(customer_id, month));
    let own = |id: &str| wallet_id.as_deref() == Some(id);
    let billed_before: Decimal = finalized.iter().map(|b| b.total).sum();
    let paid_before: Decimal = account
        .payments
        .iter()
        .map(|&i| &input.payments[i as usize])
        .filter(|p| p.date <= bill_date && !own(&p.id))
        .map(|p| p.amount)
        .sum();
    let opening_balance = round_paise(billed_before - paid_before);
    let mut wallet_problems = Problems::new();
    for &i in &account.wallet {
        check_entry(
            &input.wallet[i as usize],
            &format!("wallet[{i}]"),
            &mut wallet_problems,
        );
    }
    let wallet_valid = match wallet_problems.finish(()) {
        Ok(()) => true,
        Err(e) => {
            problems.extend(e);
            false
        }
    };
    let wallet_applied = if config.wallet_auto_apply && wallet_valid && !account.wallet.is_empty() {
        let wallet = Wallet {
            customer_id: customer_id.to_owned(),
            entries: account
                .wallet
                .iter()
                .map(|&i| input.wallet[i as usize].clone())
                .filter(|e| !e.reference.as_deref().is_some_and(own))
                .collect(),
        };
        let balance = wallet.balance_on(bill_date)?;
        round_paise(balance.min((total + opening_balance).max(Decimal::ZERO)))
    } else {
        round_paise(Decimal::ZERO)
    };
    let wallet_payment = (wallet_applied > Decimal::ZERO).then(|| Payment {
        id: wallet_id.unwrap_or_else(|| wallet_payment_id(customer_id, month)),
        customer_id: customer_id.to_owned(),
        amount: wallet_applied,
        method: PaymentMethod::Wallet,
        date: bill_date,
        reference: Some(format!("bill {month}")),
    });
    let mut basis: Vec<String> = finalized
        .iter()
        .map(|b| b.number.clone().unwrap_or_default())
        .collect();
    basis.sort_unstable();
    Ok(Bill {
        customer_id: customer_id.to_owned(),
        month,
        status: BillStatus::Draft,
        number: None,
        bill_date,
        due_date: bill_date
            .checked_add_days(Days::new(u64::from(config.due_days)))
            .unwrap_or(NaiveDate::MAX),
        lines,
        taxes,
        subtotal,
        credits,
        tax,
        round_off,
        total,
        opening_balance,
        wallet_applied,
        amount_due: round_paise(total + opening_balance - wallet_applied),
        wallet_payment,
        basis,
    })
}

/// Adds the change of an already-billed source to the adjustment lines, at the price and
/// rate it was billed at.
fn adjust<'a>(
    adjustments: &mut Groups<'a>,
    catalog: &Catalog<'a>,
    billed: &Billed<'_>,
    source: LineSource,
    index: u32,
    problems: &mut Problems,
) {
    let Some(product) = catalog.product(billed.product_id) else {
        let field = match source.source {
            SourceRef::OrderItem { .. } => format!("orders[{index}]"),
            _ => format!("deliveries[{index}]"),
        };
        problems.push(
            format!("{field}.product_id"),
            Rule::UnknownReference,
            billed.product_id,
            "the product this was billed as no longer exists",
        );
        return;
    };
    let group = adjustments.add(
        LineKind::Adjustment,
        product,
        billed.unit_price,
        billed.gst_rate,
        billed.month,
        source.quantity,
    );
    adjustments.list[group].sources.push(source);
}

fn group_line(mut group: Group<'_>, bill_month: Month) -> BillLine {
    // Sources one per day, as a subscription's usually are, are in order already.
    if !group.sources.is_sorted_by(|a, b| a.date < b.date) {
        group.sources.sort_unstable_by(|a, b| {
            (a.date, &a.source, a.quantity).cmp(&(b.date, &b.source, b.quantity))
        });
    }
    let quantity = group.quantity();
    BillLine {
        kind: group.kind,
        description: describe(group.kind, group.product_name, group.month, bill_month),
        product_id: Some(group.product.to_owned()),
        quantity,
        unit_price: Some(group.price),
        amount: round_paise(quantity * group.price),
        gst_rate: group.rate,
        original_month: (group.kind != LineKind::Subscription).then_some(group.month),
        sources: group.sources,
    }
}

fn first_source(line: &BillLine) -> Option<(NaiveDate, &SourceRef)> {
    line.sources.first().map(|s| (s.date, &s.source))
}

/// What a credit note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target<'a> {
    Order(&'a str),
    Delivery(&'a str),
}

impl<'a> Target<'a> {
    fn of(credit: &'a Credit) -> Option<Self> {
        match (&credit.order_id, &credit.delivery_id) {
            (Some(order), None) => Some(Target::Order(order)),
            (None, Some(delivery)) => Some(Target::Delivery(delivery)),
            _ => None,
        }
    }

    fn covers(self, source: &SourceRef) -> bool {
        match (self, source) {
            (Target::Order(o), SourceRef::OrderItem { order_id, .. }) => o == order_id.as_str(),
            (Target::Delivery(d), SourceRef::Delivery { delivery_id }) => d == delivery_id.as_str(),
            _ => false,
        }
    }

    /// What finalized bills and this bill's `lines` charged for the target, before tax.
    fn billed(self, ledger: &Ledger<'_>, lines: &[BillLine]) -> Decimal {
        let before: Decimal = match self {
            Target::Order(o) => ledger
                .items
                .iter()
                .filter(|((order_id, _), _)| *order_id == o)
                .map(|(_, b)| b.amount)
                .sum(),
            Target::Delivery(d) => ledger.deliveries.get(d).map_or(Decimal::ZERO, |b| b.amount),
        };
        let now: Decimal = lines
            .iter()
            .filter(|l| l.kind.is_charge())
            .flat_map(|l| {
                let single = l.sources.len() == 1;
                l.sources
                    .iter()
                    .filter(move |s| self.covers(&s.source))
                    .map(move |s| {
                        if single {
                            l.amount
                        } else {
                            round_paise(s.quantity * l.unit_price.unwrap_or_default())
                        }
                    })
            })
            .sum();
        before + now
    }
}

/// The credit lines of the bill: every credit dated up to the month's end not applied yet.
/// A credit note never exceeds what was billed for its order or delivery (less what
/// earlier credit notes gave back): a larger one is capped, and the line says so.
fn credit_lines(
    input: &BillingInput,
    account: &Account<'_>,
    ledger: &Ledger<'_>,
    charges: &[BillLine],
    last: NaiveDate,
    problems: &mut Problems,
) -> Vec<BillLine> {
    if account.credits.is_empty() {
        return Vec::new();
    }
    let mine: Vec<(u32, &Credit)> = account
        .credits
        .iter()
        .map(|&i| (i, &input.credits[i as usize]))
        .collect();
    let mut pending: Vec<(u32, &Credit)> = mine
        .iter()
        .copied()
        .filter(|(_, c)| c.date <= last && !ledger.credits.contains_key(c.id.as_str()))
        .collect();
    pending.sort_by(|a, b| (a.1.date, &a.1.id).cmp(&(b.1.date, &b.1.id)));
    let mut credited: BTreeMap<Target<'_>, Decimal> = BTreeMap::new();
    for (_, c) in &mine {
        if let (Some(target), Some(amount)) = (Target::of(c), ledger.credits.get(c.id.as_str())) {
            *credited.entry(target).or_default() += *amount;
        }
    }
    let mut lines = Vec::new();
    for (i, credit) in pending {
        let mut amount_problems = Problems::new();
        amount_problems.positive_amount(&format!("credits[{i}].amount"), credit.amount);
        if let Err(e) = amount_problems.finish(()) {
            problems.extend(e);
            continue;
        }
        let mut applied = credit.amount;
        let mut description = match credit.kind {
            CreditKind::LoyaltyRedemption => format!("Loyalty points redeemed ({})", credit.id),
            CreditKind::CreditNote => format!("Credit note {}", credit.id),
        };
        if let Some(reason) = &credit.reason {
            description.push_str(": ");
            description.push_str(reason);
        }
        if credit.kind == CreditKind::CreditNote {
            let Some(target) = Target::of(credit) else {
                problems.push(
                    format!("credits[{i}].order_id"),
                    Rule::Inconsistent,
                    "",
                    "a credit note names exactly one of order_id and delivery_id",
                );
                continue;
            };
            let billed = target.billed(ledger, charges);
            if billed <= Decimal::ZERO {
                let (field, id) = match target {
                    Target::Order(o) => ("order_id", o),
                    Target::Delivery(d) => ("delivery_id", d),
                };
                problems.push(
                    format!("credits[{i}].{field}"),
                    Rule::Inconsistent,
                    id,
                    "nothing was billed for it, so nothing can be credited",
                );
                continue;
            }
            let given = credited.entry(target).or_default();
            let cap = (billed - *given).max(Decimal::ZERO);
            if applied > cap {
                description.push_str(&format!(
                    " (capped at Rs {cap}, the amount billed; Rs {} requested)",
                    credit.amount
                ));
                applied = cap;
            }
            *given += applied;
        }
        lines.push(BillLine {
            kind: match credit.kind {
                CreditKind::LoyaltyRedemption => LineKind::LoyaltyRedemption,
                CreditKind::CreditNote => LineKind::CreditNote,
            },
            description,
            product_id: None,
            quantity: Decimal::ZERO,
            unit_price: None,
            amount: round_paise(-applied),
            gst_rate: Decimal::ZERO,
            original_month: None,
            sources: vec![LineSource {
                source: SourceRef::Credit {
                    credit_id: SourceId::new(&credit.id),
                },
                date: credit.date,
                quantity: Decimal::ZERO,
            }],
        });
    }
    lines
}
