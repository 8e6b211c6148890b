//! Property tests of every invariant of rules section 2.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::examples::{day, input, month};
use super::*;
use crate::record::{DeliveryStatus, OrderStatus};

/// One delivery of the universe: its day, quantities, and when it becomes visible.
#[derive(Debug, Clone)]
struct Planned {
    customer: usize,
    product: usize,
    date: NaiveDate,
    ordered: Decimal,
    delivered: Decimal,
    /// The bill run (0 = the delivery's own month) in which it is first confirmed.
    confirmed_run: usize,
    /// A later correction: (run, new delivered quantity).
    correction: Option<(usize, Decimal)>,
    /// A one-time order item rather than a subscription delivery.
    one_time: bool,
}

const MONTHS: [&str; 4] = ["2026-01", "2026-02", "2026-03", "2026-04"];

fn quarter(max: i64) -> impl Strategy<Value = Decimal> {
    (0..=max).prop_map(|q| Decimal::new(q * 25, 2))
}

fn planned() -> impl Strategy<Value = Planned> {
    (
        0..3usize,
        0..2usize,
        0..3usize,
        1..=28u32,
        quarter(12),
        0..3usize,
        proptest::option::of((0..3usize, quarter(12))),
        proptest::bool::weighted(0.2),
    )
        .prop_map(
            |(customer, product, m, d, delivered, late, correction, one_time)| {
                let ordered = delivered.max(Decimal::new(25, 2));
                Planned {
                    customer,
                    product,
                    date: day(2026, m as u32 + 1, d),
                    ordered,
                    delivered,
                    confirmed_run: m + late,
                    correction: correction.map(|(after, q)| (m + late + 1 + after, q.min(ordered))),
                    one_time,
                }
            },
        )
}

fn products(change_day: u32, rate: &str) -> Value {
    json!([
        {"id": "MILK", "name": "Milk", "prices": [
            {"price": "28.00", "effective_from": "2025-01-01"},
            {"price": "30.50", "effective_from": day(2026, 1, change_day).to_string()}]},
        {"id": "GHEE", "name": "Ghee", "gst_rates": [
            {"rate": "12", "effective_from": "2017-07-01"},
            {"rate": rate, "effective_from": day(2026, 2, change_day).to_string()}],
         "prices": [{"price": "651.35", "effective_from": "2025-01-01"}]}
    ])
}

const PRODUCTS: [&str; 2] = ["MILK", "GHEE"];

fn status_of(ordered: Decimal, delivered: Decimal) -> DeliveryStatus {
    DeliveryStatus::from_quantities(delivered, ordered)
}

/// The records as the host sees them at bill run `run`.
fn visible(plan: &[Planned], run: usize, change_day: u32, rate: &str) -> BillingInput {
    let mut deliveries = Vec::new();
    let mut orders = Vec::new();
    let subscriptions: Vec<Value> = (0..3)
        .flat_map(|c| {
            (0..2).map(move |p| {
                json!({"id": format!("S{c}{p}"), "customer_id": format!("C{c}"),
                       "product_id": PRODUCTS[p], "quantity": "1", "schedule": "daily",
                       "start_date": "2025-12-01"})
            })
        })
        .collect();
    for (i, p) in plan.iter().enumerate() {
        if p.confirmed_run > run {
            if p.one_time {
                orders.push(
                    json!({"id": format!("O{i}"), "customer_id": format!("C{}", p.customer),
                    "status": "OUT_FOR_DELIVERY", "delivery_date": p.date.to_string(),
                    "items": [{"product_id": PRODUCTS[p.product], "quantity": p.ordered.to_string(),
                               "unit_price": "45.55"}]}),
                );
            }
            continue;
        }
        let delivered = match p.correction {
            Some((at, q)) if at <= run => q,
            _ => p.delivered,
        };
        if p.one_time {
            let status = match status_of(p.ordered, delivered) {
                DeliveryStatus::Delivered => OrderStatus::Delivered,
                DeliveryStatus::PartiallyDelivered => OrderStatus::PartiallyDelivered,
                DeliveryStatus::NotDelivered => OrderStatus::OutForDelivery,
            };
            let mut item = json!({"product_id": PRODUCTS[p.product],
                "quantity": p.ordered.to_string(), "unit_price": "45.55"});
            if status.is_confirmed() {
                item["delivered_quantity"] = json!(delivered.to_string());
            }
            orders.push(
                json!({"id": format!("O{i}"), "customer_id": format!("C{}", p.customer),
                "status": status.as_str(), "delivery_date": p.date.to_string(), "items": [item]}),
            );
        } else {
            deliveries.push(json!({"id": format!("D{i}"), "customer_id": format!("C{}", p.customer),
                "date": p.date.to_string(), "subscription_id": format!("S{}{}", p.customer, p.product),
                "product_id": PRODUCTS[p.product], "ordered_quantity": p.ordered.to_string(),
                "delivered_quantity": delivered.to_string(),
                "status": status_of(p.ordered, delivered).as_str()}));
        }
    }
    input(
        json!({"products": products(change_day, rate), "subscriptions": subscriptions,
                 "deliveries": deliveries, "orders": orders}),
    )
}

/// Runs the bill of every month in turn, finalizing each, with confirmations and
/// corrections arriving as planned. Returns the finalized bills.
fn run_months(plan: &[Planned], change_day: u32, rate: &str) -> Vec<Bill> {
    run_first_months(plan, MONTHS.len(), change_day, rate)
}

/// The finalized bills of the first `months` months, billed as [`run_months`] does.
fn run_first_months(plan: &[Planned], months: usize, change_day: u32, rate: &str) -> Vec<Bill> {
    let config = BillingConfig::default();
    let mut bills: Vec<Bill> = Vec::new();
    let mut series = NumberSeries::new(FinancialYear(2025));
    for (run, m) in MONTHS.iter().enumerate().take(months) {
        let mut i = visible(plan, run, change_day, rate);
        i.bills = bills.clone();
        let drafts = bill_month(&i, month(m), &config).unwrap();
        let (done, next) = finalize_all(&drafts, &bills, series, &config).unwrap();
        series = next;
        bills.extend(done);
    }
    bills
}

/// Every first-time line carries the price and GST rate in force on each of its sources'
/// dates, and the month of those dates.
fn priced_as_on_their_dates(bill: &Bill, input: &BillingInput) -> Result<(), TestCaseError> {
    for line in bill
        .lines
        .iter()
        .filter(|l| l.kind.bills_for_the_first_time())
    {
        let product = input
            .products
            .iter()
            .find(|p| Some(&p.id) == line.product_id.as_ref())
            .unwrap();
        for s in &line.sources {
            let price = match &s.source {
                SourceRef::OrderItem { .. } => line.unit_price,
                _ => product.price_on(s.date),
            };
            prop_assert_eq!(line.unit_price, price, "{}", s.source);
            prop_assert_eq!(line.gst_rate, product.gst_rate_on(s.date), "{}", s.source);
            if line.kind == LineKind::Arrears {
                prop_assert_eq!(line.original_month, Some(Month::of(s.date)));
            } else {
                prop_assert_eq!(Month::of(s.date), bill.month);
            }
        }
    }
    Ok(())
}

/// What was finally delivered of each source, after every confirmation and correction.
fn finally_delivered(plan: &[Planned]) -> BTreeMap<SourceRef, Decimal> {
    plan.iter()
        .enumerate()
        .map(|(i, p)| {
            let source = if p.one_time {
                SourceRef::OrderItem {
                    order_id: format!("O{i}").into(),
                    item: 0,
                }
            } else {
                SourceRef::Delivery {
                    delivery_id: format!("D{i}").into(),
                }
            };
            (source, p.correction.map_or(p.delivered, |(_, q)| q))
        })
        .collect()
}

fn plans() -> impl Strategy<Value = (Vec<Planned>, u32, &'static str)> {
    (
        proptest::collection::vec(planned(), 0..40),
        2..=28u32,
        prop_oneof![Just("5"), Just("18")],
    )
        .prop_map(|(mut plan, change_day, rate)| {
            // Corrections after the last run would never be billed; keep them inside.
            for p in &mut plan {
                p.confirmed_run = p.confirmed_run.min(MONTHS.len() - 1);
                if p.correction.is_some_and(|(at, _)| at >= MONTHS.len()) {
                    p.correction = None;
                }
            }
            (plan, change_day, rate)
        })
}

proptest! {
    /// Rule 2.5: whatever the settings and the series, a bill number is at most 16
    /// characters of the kinds a GST invoice number holds, consecutive within its financial
    /// year; anything else is a typed refusal.
    #[test]
    fn bill_numbers_are_short_consecutive_or_refused(
        prefix in "[A-Za-z0-9/ -]{0,12}",
        digits in prop_oneof![0u32..=12, Just(u32::MAX)],
        last in prop_oneof![0u32..2_000_000, Just(u32::MAX - 1), Just(u32::MAX)],
        bill_day in 0u64..800,
    ) {
        let config = BillingConfig {
            number_prefix: prefix,
            number_digits: digits,
            ..BillingConfig::default()
        };
        let series = NumberSeries { financial_year: FinancialYear(2026), last };
        let bill_date = day(2026, 4, 1) + chrono::Days::new(bill_day);
        match series.next(bill_date, &config) {
            Ok((number, after)) => {
                prop_assert!(number.chars().count() <= 16, "{}", number);
                prop_assert!(number
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/'));
                let expected = if after.financial_year == series.financial_year { last + 1 } else { 1 };
                prop_assert_eq!(after.last, expected);
                let serial = format!("/{expected:0w$}", w = digits as usize);
                prop_assert!(number.ends_with(&serial), "{} {}", number, serial);
            }
            Err(e) => prop_assert!(
                ["BILLING_INVALID_INPUT", "BILLING_NUMBER_TOO_LONG"].contains(&e.code()),
                "{}", e.code()
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_delivered_quantity_is_billed_exactly_once_across_months(
        (plan, change_day, rate) in plans()
    ) {
        let bills = run_months(&plan, change_day, rate);
        let everything = visible(&plan, MONTHS.len() - 1, change_day, rate);
        for b in &bills {
            priced_as_on_their_dates(b, &everything)?;
        }
        let mut billed: BTreeMap<SourceRef, Decimal> = BTreeMap::new();
        let mut first: BTreeMap<SourceRef, usize> = BTreeMap::new();
        for b in &bills {
            prop_assert_eq!(b.status, BillStatus::Finalized);
            prop_assert!(b.arithmetic_problems().is_empty(), "{:?}", b.arithmetic_problems());
            for (kind, s) in b.sources() {
                *billed.entry(s.source.clone()).or_default() += s.quantity;
                if kind.bills_for_the_first_time() {
                    *first.entry(s.source.clone()).or_default() += 1;
                }
            }
        }
        prop_assert!(first.values().all(|&n| n == 1), "a source billed twice: {first:?}");
        for (source, delivered) in finally_delivered(&plan) {
            let got = billed.get(&source).copied().unwrap_or_default();
            prop_assert_eq!(got, delivered, "{}", source);
        }
        let mut last = visible(&plan, MONTHS.len() - 1, change_day, rate);
        last.bills = bills;
        let report = reconcile(&last, month(MONTHS[MONTHS.len() - 1]));
        prop_assert!(report.missing.is_empty(), "{report}");
        prop_assert!(report.inconsistencies.is_empty(), "{report}");
    }

    #[test]
    fn every_rupee_of_a_month_confirmed_on_time_is_billed_once(
        (plan, change_day, rate) in plans()
    ) {
        // Without corrections, Σ of the bills' charges equals Σ of each source's own price,
        // line by line: nothing lost, nothing added.
        let plan: Vec<Planned> = plan.into_iter().map(|p| Planned { correction: None, ..p }).collect();
        let bills = run_months(&plan, change_day, rate);
        let charged: Decimal = bills.iter().map(|b| b.subtotal).sum();
        let lines: Decimal = bills
            .iter()
            .flat_map(|b| &b.lines)
            .filter(|l| l.kind.is_charge())
            .map(|l| round_paise(l.quantity * l.unit_price.unwrap_or_default()))
            .sum();
        prop_assert_eq!(charged, lines);
        let delivered: Decimal = finally_delivered(&plan).values().copied().sum();
        let billed: Decimal = bills.iter().flat_map(|b| &b.lines).map(|l| l.quantity).sum();
        prop_assert_eq!(delivered, billed);
    }

    #[test]
    fn lines_add_up_to_the_totals_and_recomputing_a_draft_is_idempotent(
        (plan, change_day, rate) in plans(),
        round_off in any::<bool>(),
        wallet in quarter(4000),
        credit in quarter(4000),
    ) {
        let config = BillingConfig { round_off, ..BillingConfig::default() };
        let mut i = visible(&plan, 1, change_day, rate);
        i.wallet = serde_json::from_value(json!([{"id": "W", "customer_id": "C0",
            "kind": "top_up", "amount": (wallet + Decimal::ONE).to_string(), "date": "2026-01-01"}])).unwrap();
        i.credits = serde_json::from_value(json!([{"id": "L", "customer_id": "C0",
            "kind": "loyalty_redemption", "amount": (credit + Decimal::ONE).to_string(),
            "date": "2026-02-01"}])).unwrap();
        for c in ["C0", "C1", "C2"] {
            let bill = compute_bill(&i, c, month("2026-02"), &config).unwrap();
            prop_assert!(bill.arithmetic_problems().is_empty(), "{:?}", bill.arithmetic_problems());
            priced_as_on_their_dates(&bill, &i)?;
            prop_assert!(bill.wallet_applied >= Decimal::ZERO);
            prop_assert!(bill.wallet_applied <= (bill.total + bill.opening_balance).max(Decimal::ZERO));
            if round_off {
                prop_assert_eq!(bill.total, round_rupee(bill.total));
            }
            prop_assert_eq!(compute_bill(&i, c, month("2026-02"), &config).unwrap(), bill);
        }
    }

    #[test]
    fn the_order_in_which_deliveries_were_confirmed_does_not_change_the_bill(
        (plan, change_day, rate) in plans(),
        seed in any::<u64>(),
    ) {
        let config = BillingConfig::default();
        let i = visible(&plan, 1, change_day, rate);
        let mut shuffled = i.clone();
        let mut state = seed | 1;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for k in (1..shuffled.deliveries.len()).rev() {
            shuffled.deliveries.swap(k, next(k + 1));
        }
        for k in (1..shuffled.orders.len()).rev() {
            shuffled.orders.swap(k, next(k + 1));
        }
        shuffled.products.reverse();
        shuffled.subscriptions.reverse();
        for c in ["C0", "C1", "C2"] {
            prop_assert_eq!(
                compute_bill(&i, c, month("2026-02"), &config).unwrap(),
                compute_bill(&shuffled, c, month("2026-02"), &config).unwrap()
            );
        }
        prop_assert_eq!(
            bill_month(&i, month("2026-02"), &config).unwrap(),
            bill_month(&shuffled, month("2026-02"), &config).unwrap()
        );
    }

    #[test]
    fn the_batch_equals_billing_customers_one_by_one((plan, change_day, rate) in plans()) {
        let config = BillingConfig::default();
        let i = visible(&plan, 2, change_day, rate);
        let batch = bill_month(&i, month("2026-02"), &config).unwrap();
        let one_by_one: Vec<Bill> = ["C0", "C1", "C2"]
            .iter()
            .map(|c| compute_bill(&i, c, month("2026-02"), &config).unwrap())
            .filter(|b| !b.lines.is_empty() || !b.opening_balance.is_zero())
            .collect();
        prop_assert_eq!(batch, one_by_one);
    }

    #[test]
    fn payments_never_allocate_more_than_a_bill_total_nor_lose_a_rupee(
        (plan, change_day, rate) in plans(),
        amounts in proptest::collection::vec(1..50_000i64, 0..6),
    ) {
        let bills = run_months(&plan, change_day, rate);
        let payments: Vec<crate::record::Payment> = amounts
            .iter()
            .enumerate()
            .map(|(k, a)| crate::record::Payment {
                id: format!("P{k}"),
                customer_id: "C0".into(),
                amount: Decimal::new(*a, 1),
                method: crate::record::PaymentMethod::Cash,
                date: day(2026, 2, 1 + k as u32),
                reference: None,
            })
            .collect();
        let s = allocate_payments("C0", &bills, &payments, day(2026, 6, 1));
        let mine: Vec<&Bill> = bills.iter().filter(|b| b.customer_id == "C0").collect();
        for (a, b) in s.bills.iter().zip(&mine) {
            prop_assert!(a.allocated <= b.total.max(Decimal::ZERO));
            prop_assert!(a.allocated >= Decimal::ZERO);
        }
        let totals: Decimal = mine.iter().map(|b| b.total).sum();
        let paid: Decimal = payments.iter().map(|p| p.amount).sum();
        prop_assert_eq!(s.balance, totals - paid);
    }

    #[test]
    fn the_columns_give_the_bills_the_records_give(
        (plan, change_day, rate) in plans(),
        run in 0..MONTHS.len(),
        cut in any::<prop::sample::Index>(),
    ) {
        // Month `run` billed after the earlier ones were finalized: late confirmations and
        // corrections meet finalized bills. The first `cut` records go as columns, the rest
        // stay records.
        let config = BillingConfig::default();
        let mut records = visible(&plan, run, change_day, rate);
        records.bills = run_first_months(&plan, run, change_day, rate);
        let expected = bill_month(&records, month(MONTHS[run]), &config).unwrap();
        let cut = cut.index(records.deliveries.len() + 1);
        let columns = DeliveryColumns::of_records(&records.deliveries[..cut], &records).unwrap();
        let rest = BillingInput {
            deliveries: records.deliveries[cut..].to_vec(),
            ..records.clone()
        };
        prop_assert_eq!(columns.len(), cut);
        let got = bill_month_columns(&rest, &columns, month(MONTHS[run]), &config).unwrap();
        prop_assert_eq!(got, expected);
    }
}
