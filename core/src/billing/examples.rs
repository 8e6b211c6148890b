//! Worked examples of the rules, each a small month of one customer.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Value, json};

use super::*;
use crate::record::{PaymentMethod, Record};

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn month(text: &str) -> Month {
    text.parse().unwrap()
}

pub(super) fn input(document: Value) -> BillingInput {
    serde_json::from_value(document).unwrap()
}

/// Milk at 28.00, 30.00 from the 16th of January 2026; 0 % GST.
pub(super) fn milk() -> Value {
    json!({"id": "MILK", "name": "Milk 1L", "unit": "litre", "prices": [
        {"price": "28.00", "effective_from": "2025-01-01"},
        {"price": "30.00", "effective_from": "2026-01-16"}]})
}

pub(super) fn daily_milk() -> Value {
    json!({"id": "S1", "customer_id": "C1", "product_id": "MILK", "quantity": "1",
           "schedule": "daily", "start_date": "2025-12-01"})
}

pub(super) fn delivery(id: &str, date: NaiveDate, ordered: &str, delivered: &str) -> Value {
    let status = if delivered == ordered {
        "DELIVERED"
    } else if delivered == "0" {
        "NOT_DELIVERED"
    } else {
        "PARTIALLY_DELIVERED"
    };
    json!({"id": id, "customer_id": "C1", "date": date.to_string(), "subscription_id": "S1",
           "product_id": "MILK", "ordered_quantity": ordered, "delivered_quantity": delivered,
           "status": status})
}

/// A daily litre every day of January 2026.
fn january_deliveries() -> Vec<Value> {
    (1..=31)
        .map(|d| delivery(&format!("D{d:02}"), day(2026, 1, d), "1", "1"))
        .collect()
}

fn config() -> BillingConfig {
    BillingConfig::default()
}

fn finalize_first(bill: &Bill, last: u32) -> Bill {
    let series = NumberSeries {
        financial_year: FinancialYear::of(bill.bill_date),
        last,
    };
    finalize(bill, &[], series, &config()).unwrap().0
}

fn amounts(bill: &Bill) -> Vec<(LineKind, String, Decimal)> {
    bill.lines
        .iter()
        .map(|l| (l.kind, l.quantity.to_string(), l.amount))
        .collect()
}

#[test]
fn a_price_change_on_the_16th_bills_days_1_to_15_at_the_old_price() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
                         "deliveries": january_deliveries()}),
    );
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    assert_eq!(
        amounts(&bill),
        [
            (LineKind::Subscription, "15".into(), dec!(420.00)),
            (LineKind::Subscription, "16".into(), dec!(480.00)),
        ]
    );
    assert_eq!(bill.lines[0].unit_price, Some(dec!(28.00)));
    assert_eq!(bill.lines[0].sources.len(), 15);
    assert_eq!(
        (bill.subtotal, bill.tax, bill.total),
        (dec!(900), dec!(0), dec!(900))
    );
    assert_eq!(
        (bill.bill_date, bill.due_date),
        (day(2026, 2, 1), day(2026, 2, 8))
    );
    assert!(bill.arithmetic_problems().is_empty());
}

#[test]
fn a_price_override_replaces_the_price_history() {
    let mut sub = daily_milk();
    sub["price_override"] = json!("25.50");
    let i = input(json!({"products": [milk()], "subscriptions": [sub],
                         "deliveries": january_deliveries()}));
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    assert_eq!(
        amounts(&bill),
        [(LineKind::Subscription, "31".into(), dec!(790.50))]
    );
}

#[test]
fn a_partial_delivery_bills_what_was_delivered_and_a_failed_one_nothing() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()], "deliveries": [
            delivery("D1", day(2026, 1, 5), "2", "1.5"),
            delivery("D2", day(2026, 1, 6), "2", "0"),
            delivery("D3", day(2026, 1, 7), "2", "2"),
        ]}),
    );
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    assert_eq!(
        amounts(&bill),
        [(LineKind::Subscription, "3.5".into(), dec!(98.00))]
    );
    let ids: Vec<_> = bill.lines[0]
        .sources
        .iter()
        .map(|s| s.source.to_string())
        .collect();
    assert_eq!(ids, ["delivery D1", "delivery D3"]);
}

fn order(id: &str, status: &str, delivery_date: &str, created_at: &str) -> Value {
    json!({"id": id, "customer_id": "C1", "status": status, "delivery_date": delivery_date,
           "created_at": created_at,
           "items": [{"product_id": "PANEER", "quantity": "2", "unit_price": "90.00"},
                     {"product_id": "GHEE", "quantity": "1", "unit_price": "650.00"}]})
}

fn paneer_and_ghee() -> Vec<Value> {
    vec![
        json!({"id": "PANEER", "name": "Paneer 200g", "gst_rate": "5",
               "prices": [{"price": "90.00", "effective_from": "2025-01-01"}]}),
        json!({"id": "GHEE", "name": "Ghee 500ml",
               "gst_rates": [{"rate": "12", "effective_from": "2017-07-01"},
                             {"rate": "5", "effective_from": "2025-09-22"}],
               "prices": [{"price": "650.00", "effective_from": "2025-01-01"}]}),
    ]
}

#[test]
fn an_order_created_on_the_31st_and_delivered_on_the_1st_is_billed_in_the_next_month() {
    let i = input(json!({"products": paneer_and_ghee(), "orders": [
        order("O1", "DELIVERED", "2026-02-01", "2026-01-31T10:00:00Z")]}));
    let january = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    assert!(january.lines.is_empty());
    let february = compute_bill(&i, "C1", month("2026-02"), &config()).unwrap();
    assert_eq!(
        amounts(&february),
        [
            (LineKind::OneTime, "2".into(), dec!(180.00)),
            (LineKind::OneTime, "1".into(), dec!(650.00)),
        ]
    );
}

#[test]
fn pending_and_cancelled_orders_are_never_billed() {
    let i = input(json!({"products": paneer_and_ghee(), "orders": [
        order("O1", "PENDING", "2026-01-10", "2026-01-09T10:00:00Z"),
        order("O2", "OUT_FOR_DELIVERY", "2026-01-10", "2026-01-09T10:00:00Z"),
        order("O3", "CANCELLED", "2026-01-10", "2026-01-09T10:00:00Z")]}));
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    assert!(bill.lines.is_empty());
    assert_eq!(bill.total, dec!(0));
}

#[test]
fn gst_is_computed_per_rate_in_force_on_the_delivery_date() {
    // September 2025: ghee goes from 12 % to 5 % on the 22nd.
    let mut early = order("O1", "DELIVERED", "2025-09-10", "2025-09-09T10:00:00Z");
    early["items"][0]["quantity"] = json!("1");
    let late = order("O2", "DELIVERED", "2025-09-25", "2025-09-24T10:00:00Z");
    let i = input(json!({"products": paneer_and_ghee(), "orders": [early, late]}));
    let bill = compute_bill(&i, "C1", month("2025-09"), &config()).unwrap();
    let taxes: Vec<_> = bill
        .taxes
        .iter()
        .map(|t| (t.rate, t.taxable, t.tax))
        .collect();
    // 5 %: paneer 90 + 180 and ghee 650 after the 22nd; 12 %: ghee 650 before.
    assert_eq!(
        taxes,
        [
            (dec!(5), dec!(920.00), dec!(46.00)),
            (dec!(12), dec!(650.00), dec!(78.00))
        ]
    );
    assert_eq!(bill.total, dec!(1570.00) + dec!(124.00));
}

#[test]
fn tax_is_rounded_half_up_once_per_rate() {
    let products = json!([{"id": "CURD", "name": "Curd", "gst_rate": "5",
        "prices": [{"price": "0.30", "effective_from": "2025-01-01"}]}]);
    let orders = json!([{"id": "O1", "customer_id": "C1", "status": "DELIVERED",
        "delivery_date": "2026-01-03",
        "items": [{"product_id": "CURD", "quantity": "1", "unit_price": "0.30"},
                  {"product_id": "CURD", "quantity": "1", "unit_price": "0.30"}]}]);
    let i = input(json!({"products": products, "orders": orders}));
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    // Per line 0.015 would round to 0.02 twice (0.04); per rate 0.03 exactly.
    assert_eq!(bill.tax, dec!(0.03));
    let products = json!([{"id": "CURD", "name": "Curd", "gst_rate": "5",
        "prices": [{"price": "0.10", "effective_from": "2025-01-01"}]}]);
    let orders = json!([{"id": "O1", "customer_id": "C1", "status": "DELIVERED",
        "delivery_date": "2026-01-03",
        "items": [{"product_id": "CURD", "quantity": "1", "unit_price": "0.10"}]}]);
    let bill = compute_bill(
        &input(json!({"products": products, "orders": orders})),
        "C1",
        month("2026-01"),
        &config(),
    )
    .unwrap();
    assert_eq!(bill.tax, dec!(0.01), "0.005 rounds half up");
}

#[test]
fn a_delivery_confirmed_after_finalization_is_billed_next_month_as_arrears() {
    let mut deliveries = january_deliveries();
    let late = deliveries.remove(19); // 20 January, confirmed only in February
    let mut i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
                             "deliveries": deliveries}),
    );
    let january = finalize_first(
        &compute_bill(&i, "C1", month("2026-01"), &config()).unwrap(),
        0,
    );
    assert_eq!(january.total, dec!(870.00));
    i.bills.push(january.clone());
    i.deliveries
        .push(crate::record::DeliveryRecord::from_document(&late).unwrap());
    i.deliveries.push(
        crate::record::DeliveryRecord::from_document(&delivery("F01", day(2026, 2, 1), "1", "1"))
            .unwrap(),
    );
    let february = compute_bill(&i, "C1", month("2026-02"), &config()).unwrap();
    let arrears = &february.lines[1];
    assert_eq!(arrears.kind, LineKind::Arrears);
    assert_eq!(arrears.original_month, Some(month("2026-01")));
    assert_eq!(arrears.description, "Milk 1L (arrears of 2026-01)");
    assert_eq!(arrears.amount, dec!(30.00));
    assert_eq!(february.subtotal, dec!(60.00));
    assert_eq!(february.opening_balance, dec!(870.00));
    assert_eq!(february.basis, [january.number.clone().unwrap()]);
    // Recomputing January now is refused: it is closed.
    let err = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap_err();
    assert_eq!(err.code(), "BILLING_MONTH_CLOSED");
}

#[test]
fn a_correction_of_a_billed_delivery_is_adjusted_in_the_next_bill() {
    let mut i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
                             "deliveries": [delivery("D1", day(2026, 1, 5), "2", "2"),
                                            delivery("D2", day(2026, 1, 6), "2", "2")]}),
    );
    let january = finalize_first(
        &compute_bill(&i, "C1", month("2026-01"), &config()).unwrap(),
        0,
    );
    i.bills.push(january);
    i.deliveries[0].delivered_quantity = dec!(0.5);
    i.deliveries[0].status = crate::record::DeliveryStatus::PartiallyDelivered;
    let february = compute_bill(&i, "C1", month("2026-02"), &config()).unwrap();
    assert_eq!(
        amounts(&february),
        [(LineKind::Adjustment, "-1.5".into(), dec!(-42.00))]
    );
    assert_eq!(february.lines[0].original_month, Some(month("2026-01")));
    assert_eq!(february.total, dec!(-42.00));
    // Once February is finalized, the correction is not applied again in March.
    let february = finalize(
        &february,
        &i.bills,
        NumberSeries {
            financial_year: FinancialYear(2025),
            last: 1,
        },
        &config(),
    )
    .unwrap()
    .0;
    i.bills.push(february);
    let march = compute_bill(&i, "C1", month("2026-03"), &config()).unwrap();
    assert!(march.lines.is_empty());
    assert_eq!(march.opening_balance, dec!(112.00) - dec!(42.00));
}

fn paid(id: &str, amount: Decimal, date: NaiveDate) -> crate::record::Payment {
    crate::record::Payment {
        id: id.into(),
        customer_id: "C1".into(),
        amount,
        method: PaymentMethod::Upi,
        date,
        reference: None,
    }
}

#[test]
fn an_overpayment_is_a_credit_that_lowers_the_next_opening_balance() {
    let mut i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
                             "deliveries": january_deliveries()}),
    );
    let january = finalize_first(
        &compute_bill(&i, "C1", month("2026-01"), &config()).unwrap(),
        0,
    );
    i.bills.push(january.clone());
    i.payments.push(paid("P1", dec!(1000), day(2026, 2, 3)));
    let statement = allocate_payments("C1", &i.bills, &i.payments, day(2026, 2, 20));
    assert_eq!(statement.bills[0].status, PaymentStatus::Paid);
    assert_eq!(statement.unallocated, dec!(100));
    assert_eq!(statement.balance, dec!(-100));
    let february = compute_bill(&i, "C1", month("2026-02"), &config()).unwrap();
    assert_eq!(february.opening_balance, dec!(-100));
    assert_eq!(february.amount_due, dec!(-100));
}

#[test]
fn payment_status_moves_from_unpaid_to_partially_paid_overdue_and_paid() {
    let mut i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
                             "deliveries": january_deliveries()}),
    );
    let january = finalize_first(
        &compute_bill(&i, "C1", month("2026-01"), &config()).unwrap(),
        0,
    );
    i.bills.push(january);
    let status = |payments: &[crate::record::Payment], today| {
        allocate_payments("C1", &i.bills, payments, today).bills[0].status
    };
    assert_eq!(status(&[], day(2026, 2, 8)), PaymentStatus::Unpaid);
    assert_eq!(status(&[], day(2026, 2, 9)), PaymentStatus::Overdue);
    let part = [paid("P1", dec!(400), day(2026, 2, 2))];
    assert_eq!(status(&part, day(2026, 2, 5)), PaymentStatus::PartiallyPaid);
    assert_eq!(status(&part, day(2026, 2, 9)), PaymentStatus::Overdue);
    let all = [part[0].clone(), paid("P2", dec!(500), day(2026, 2, 12))];
    assert_eq!(status(&all, day(2026, 2, 12)), PaymentStatus::Paid);
}

#[test]
fn payments_are_allocated_to_the_oldest_bill_first() {
    let mut i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
        "deliveries": [delivery("D1", day(2026, 1, 5), "1", "1"),
                       delivery("D2", day(2026, 2, 5), "2", "2")]}),
    );
    let january = finalize_first(
        &compute_bill(&i, "C1", month("2026-01"), &config()).unwrap(),
        0,
    );
    i.bills.push(january);
    let february = compute_bill(&i, "C1", month("2026-02"), &config()).unwrap();
    let (february, _) = finalize(
        &february,
        &i.bills,
        NumberSeries {
            financial_year: FinancialYear(2025),
            last: 1,
        },
        &config(),
    )
    .unwrap();
    i.bills.push(february);
    let s = allocate_payments(
        "C1",
        &i.bills,
        &[paid("P1", dec!(40), day(2026, 3, 2))],
        day(2026, 3, 3),
    );
    let allocated: Vec<_> = s
        .allocations
        .iter()
        .map(|a| (a.bill_number.as_str(), a.amount))
        .collect();
    assert_eq!(
        allocated,
        [
            ("EB/25-26/000001", dec!(28.00)),
            ("EB/25-26/000002", dec!(12.00))
        ]
    );
    assert_eq!(s.bills[1].status, PaymentStatus::PartiallyPaid);
}

#[test]
fn a_wallet_smaller_than_the_amount_due_is_applied_in_full_as_a_wallet_payment() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
        "deliveries": january_deliveries(),
        "wallet": [{"id": "W1", "customer_id": "C1", "kind": "top_up", "amount": "300",
                    "date": "2026-01-10"}]}),
    );
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    assert_eq!(bill.wallet_applied, dec!(300));
    assert_eq!(bill.amount_due, dec!(600.00));
    let payment = bill.wallet_payment.unwrap();
    assert_eq!(payment.method, PaymentMethod::Wallet);
    assert_eq!(payment.date, day(2026, 2, 1));
    assert_eq!(payment.amount, dec!(300));
    let off = BillingConfig {
        wallet_auto_apply: false,
        ..config()
    };
    let bill = compute_bill(&i, "C1", month("2026-01"), &off).unwrap();
    assert_eq!(
        (bill.wallet_applied, bill.amount_due),
        (dec!(0), dec!(900.00))
    );
}

#[test]
fn a_credit_note_never_exceeds_what_was_billed_for_its_order() {
    let i = input(json!({"products": paneer_and_ghee(),
        "orders": [order("O1", "DELIVERED", "2026-01-10", "2026-01-09T10:00:00Z")],
        "credits": [{"id": "CN1", "customer_id": "C1", "kind": "credit_note", "amount": "1000",
                     "date": "2026-01-20", "order_id": "O1", "reason": "soured paneer"},
                    {"id": "L1", "customer_id": "C1", "kind": "loyalty_redemption",
                     "amount": "50", "date": "2026-01-31"}]}));
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    let credit = bill
        .lines
        .iter()
        .find(|l| l.kind == LineKind::CreditNote)
        .unwrap();
    assert_eq!(credit.amount, dec!(-830.00));
    assert!(credit.description.contains("capped at Rs 830.00"));
    assert_eq!(bill.credits, dec!(880.00));
    // Credits do not change the taxable value: 5 % of 180 plus 5 % of 650.
    assert_eq!(bill.tax, dec!(9.00) + dec!(32.50));
    assert_eq!(bill.total, dec!(830.00) - dec!(880.00) + dec!(41.50));
}

#[test]
fn a_credit_note_for_something_never_billed_is_refused() {
    let i = input(json!({"products": paneer_and_ghee(),
        "orders": [order("O1", "PENDING", "2026-01-10", "2026-01-09T10:00:00Z")],
        "credits": [{"id": "CN1", "customer_id": "C1", "kind": "credit_note", "amount": "10",
                     "date": "2026-01-20", "order_id": "O1"},
                    {"id": "CN2", "customer_id": "C1", "kind": "credit_note", "amount": "-1",
                     "date": "2026-01-20", "delivery_id": "D9"}]}));
    let err = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap_err();
    assert_eq!(err.code(), "BILLING_INVALID_INPUT");
    assert_eq!(err.fields(), ["credits[0].order_id", "credits[1].amount"]);
}

#[test]
fn round_off_brings_the_total_to_the_whole_rupee_half_up() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
        "deliveries": [delivery("D1", day(2026, 1, 5), "1.5", "1.5"),
                       delivery("D2", day(2026, 1, 6), "0.25", "0.25")]}),
    );
    let on = BillingConfig {
        round_off: true,
        ..config()
    };
    // 1.75 × 28 = 49.00: nothing to round.
    let bill = compute_bill(&i, "C1", month("2026-01"), &on).unwrap();
    assert_eq!(
        (bill.total, bill.round_off, bill.lines.len()),
        (dec!(49.00), dec!(0), 1)
    );
    let mut i = i;
    i.deliveries[1].delivered_quantity = dec!(0.125);
    i.deliveries[1].ordered_quantity = dec!(0.125);
    // 1.625 × 28 = 45.50 → 46.
    let bill = compute_bill(&i, "C1", month("2026-01"), &on).unwrap();
    assert_eq!((bill.total, bill.round_off), (dec!(46), dec!(0.50)));
    assert_eq!(bill.lines.last().unwrap().kind, LineKind::RoundOff);
    assert!(bill.arithmetic_problems().is_empty());
}

#[test]
fn bill_numbers_restart_with_the_financial_year_in_april() {
    let c = config();
    let series = NumberSeries {
        financial_year: FinancialYear(2025),
        last: 57,
    };
    // The February bill is dated 1 March: the old year.
    let (feb, series) = series.next(day(2026, 3, 1), &c).unwrap();
    assert_eq!(feb, "EB/25-26/000058");
    // The March bill is dated 1 April: a new year, a new series.
    let (mar, series) = series.next(day(2026, 4, 1), &c).unwrap();
    assert_eq!(mar, "EB/26-27/000001");
    assert_eq!(
        series.next(day(2026, 5, 1), &c).unwrap().0,
        "EB/26-27/000002"
    );
    let err = series.next(day(2026, 3, 1), &c).unwrap_err();
    assert_eq!(err.code(), "BILLING_NUMBERING_BACKWARDS");
    let long = BillingConfig {
        number_prefix: "EARLYBIRD".into(),
        ..c
    };
    assert_eq!(
        series.next(day(2026, 5, 1), &long).unwrap_err().code(),
        "BILLING_NUMBER_TOO_LONG"
    );
}

#[test]
fn number_settings_a_bill_number_cannot_hold_are_refused_before_numbering() {
    let series = NumberSeries::new(FinancialYear(2026));
    let refused = |config: BillingConfig| series.next(day(2026, 5, 1), &config).unwrap_err();
    // Four billion zeros would be written, and refused, without the check.
    let huge = refused(BillingConfig {
        number_digits: u32::MAX,
        ..BillingConfig::default()
    });
    assert_eq!(huge.code(), "BILLING_INVALID_INPUT");
    assert_eq!(huge.fields(), ["number_digits"]);
    let blank = refused(BillingConfig {
        number_prefix: String::new(),
        number_digits: 0,
        ..BillingConfig::default()
    });
    assert_eq!(blank.fields(), ["number_prefix", "number_digits"]);
    let spaced = refused(BillingConfig {
        number_prefix: "E B".into(),
        ..BillingConfig::default()
    });
    assert_eq!(spaced.fields(), ["number_prefix"]);
    let widest = BillingConfig {
        number_prefix: "E".into(),
        number_digits: BillingConfig::MAX_NUMBER_DIGITS,
        ..BillingConfig::default()
    };
    assert!(widest.validate().is_ok());
    assert_eq!(
        series.next(day(2026, 5, 1), &widest).unwrap_err().code(),
        "BILLING_NUMBER_TOO_LONG"
    );
    let full = NumberSeries {
        financial_year: FinancialYear(2026),
        last: u32::MAX,
    };
    let refused = full.next(day(2026, 5, 1), &widest).unwrap_err();
    assert_eq!(refused.fields(), ["last"]);
    assert_eq!(
        full.next(day(2027, 4, 1), &BillingConfig::default())
            .unwrap()
            .0,
        "EB/27-28/000001"
    );
}

#[test]
fn a_finalized_bill_cannot_be_finalized_again_nor_a_stale_draft() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
                         "deliveries": january_deliveries()}),
    );
    let draft = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    let january = finalize_first(&draft, 0);
    let series = NumberSeries::new(FinancialYear(2025));
    let again = finalize(&january, &[], series, &config()).unwrap_err();
    assert_eq!(again.code(), "BILLING_NOT_DRAFT");
    let twice = finalize(&draft, std::slice::from_ref(&january), series, &config()).unwrap_err();
    assert_eq!(twice.code(), "BILLING_MONTH_CLOSED");
    let february = compute_bill(&i, "C1", month("2026-02"), &config()).unwrap();
    let stale = finalize(&february, &[january], series, &config()).unwrap_err();
    assert_eq!(stale.code(), "BILLING_STALE_DRAFT");
}

#[test]
fn reconciliation_lists_delivered_items_in_no_finalized_bill() {
    let mut i = input(json!({"products": paneer_and_ghee(),
        "orders": [order("O1", "DELIVERED", "2026-01-10", "2026-01-09T10:00:00Z"),
                   order("O2", "PENDING", "2026-01-12", "2026-01-11T10:00:00Z"),
                   order("O3", "CANCELLED", "2026-01-12", "2026-01-11T10:00:00Z")],
        "deliveries": [
            {"id": "X1", "customer_id": "C1", "date": "2026-01-12", "order_id": "O2",
             "product_id": "PANEER", "ordered_quantity": "2", "delivered_quantity": "2",
             "status": "DELIVERED"},
            {"id": "X2", "customer_id": "C1", "date": "2026-01-12", "order_id": "O3",
             "product_id": "PANEER", "ordered_quantity": "2", "delivered_quantity": "2",
             "status": "DELIVERED"},
            {"id": "X3", "customer_id": "C1", "date": "2026-01-12", "order_id": "O9",
             "product_id": "PANEER", "ordered_quantity": "2", "delivered_quantity": "2",
             "status": "DELIVERED"}]}));
    let report = reconcile(&i, month("2026-01"));
    assert_eq!(report.missing.len(), 2);
    assert_eq!(report.total_missing, dec!(830.00));
    let kinds: Vec<_> = report
        .inconsistencies
        .iter()
        .map(|x| {
            serde_json::to_value(x).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "delivery_for_unconfirmed_order",
            "delivery_for_cancelled_order",
            "delivery_for_missing_order"
        ]
    );
    let text = report.to_string();
    assert!(text.contains("Rs 830.00 missing"), "{text}");
    let january = finalize_first(
        &compute_bill(&i, "C1", month("2026-01"), &config()).unwrap(),
        0,
    );
    i.bills.push(january.clone());
    assert!(reconcile(&i, month("2026-01")).missing.is_empty());
    let mut tampered = january;
    tampered.number = Some("EB/25-26/000009".into());
    tampered.total += dec!(1);
    i.bills.push(tampered);
    let report = reconcile(&i, month("2026-01"));
    let kinds: Vec<_> = report
        .inconsistencies
        .iter()
        .map(|x| {
            serde_json::to_value(x).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(kinds.contains(&"billed_twice".to_owned()), "{kinds:?}");
    assert!(
        kinds.contains(&"lines_do_not_add_up".to_owned()),
        "{kinds:?}"
    );
}

#[test]
fn the_preview_lists_scheduled_days_without_a_delivery_record() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
        "deliveries": (1..=29).map(|d| delivery(&format!("D{d}"), day(2026, 1, d), "1", "1"))
            .collect::<Vec<_>>()}),
    );
    let preview = preview_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    let days: Vec<_> = preview.unconfirmed.iter().map(|u| u.date).collect();
    assert_eq!(days, [day(2026, 1, 30), day(2026, 1, 31)]);
    assert_eq!(
        preview.bill.subtotal,
        dec!(15) * dec!(28) + dec!(14) * dec!(30)
    );
}

#[test]
fn unknown_references_are_reported_all_at_once() {
    let mut bad = delivery("D2", day(2026, 1, 6), "1", "1");
    bad["subscription_id"] = json!("S9");
    let mut other = delivery("D3", day(2026, 1, 7), "1", "1");
    other["product_id"] = json!("NOPE");
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
        "deliveries": [delivery("D1", day(2026, 1, 5), "1", "1"), bad, other]}),
    );
    let err = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap_err();
    assert_eq!(
        err.fields(),
        ["deliveries[1].subscription_id", "deliveries[2].product_id"]
    );
    let batch = bill_month(&i, month("2026-01"), &config()).unwrap_err();
    assert_eq!(batch, err);
}

#[test]
fn a_bill_serialises_and_renders_as_text() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
                         "deliveries": january_deliveries()}),
    );
    let bill = finalize_first(
        &compute_bill(&i, "C1", month("2026-01"), &config()).unwrap(),
        122,
    );
    let json = serde_json::to_value(&bill).unwrap();
    assert_eq!(json["number"], "EB/25-26/000123");
    assert_eq!(json["lines"][0]["sources"][0]["delivery_id"], "D01");
    assert_eq!(json["total"], "900.00");
    let back: Bill = serde_json::from_value(json).unwrap();
    assert_eq!(back, bill);
    let text = bill.to_string();
    assert!(text.contains("Bill EB/25-26/000123"), "{text}");
    assert!(text.contains("Amount due"), "{text}");
    assert!(!text.contains("-0.00"), "{text}");
}

#[test]
fn the_batch_skips_closed_months_and_empty_bills_and_numbers_in_customer_order() {
    let mut second = daily_milk();
    second["id"] = json!("S2");
    second["customer_id"] = json!("C2");
    let mut d2 = delivery("E1", day(2026, 1, 5), "1", "1");
    d2["customer_id"] = json!("C2");
    d2["subscription_id"] = json!("S2");
    let mut i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk(), second],
        "deliveries": [d2, delivery("D1", day(2026, 1, 5), "1", "1")],
        "wallet": [{"id": "W9", "customer_id": "C9", "kind": "top_up", "amount": "10",
                    "date": "2026-01-01"}]}),
    );
    let drafts = bill_month(&i, month("2026-01"), &config()).unwrap();
    let customers: Vec<_> = drafts.iter().map(|b| b.customer_id.as_str()).collect();
    assert_eq!(customers, ["C1", "C2"], "C9 has nothing to bill");
    let (done, series) = finalize_all(
        &[drafts[1].clone(), drafts[0].clone()],
        &[],
        NumberSeries::new(FinancialYear(2025)),
        &config(),
    )
    .unwrap();
    let numbers: Vec<_> = done
        .iter()
        .map(|b| (b.customer_id.as_str(), b.number.as_deref()))
        .collect();
    assert_eq!(
        numbers,
        [
            ("C1", Some("EB/25-26/000001")),
            ("C2", Some("EB/25-26/000002"))
        ]
    );
    assert_eq!(series.last, 2);
    i.bills.push(done[0].clone());
    let again = bill_month(&i, month("2026-01"), &config()).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].customer_id, "C2");
    let twice = finalize_all(
        &[again[0].clone(), again[0].clone()],
        &i.bills,
        series,
        &config(),
    );
    assert_eq!(twice.unwrap_err().code(), "BILLING_STALE_DRAFT");
}

#[test]
fn promotional_wallet_credit_expired_before_the_bill_date_is_not_applied() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
        "deliveries": january_deliveries(),
        "wallet": [
            {"id": "G1", "customer_id": "C1", "kind": "promotional", "amount": "100",
             "date": "2026-01-01", "expires_on": "2026-01-31"},
            {"id": "G2", "customer_id": "C1", "kind": "promotional", "amount": "50",
             "date": "2026-01-01", "expires_on": "2026-02-01"},
            {"id": "T1", "customer_id": "C1", "kind": "top_up", "amount": "20",
             "date": "2026-01-15"}]}),
    );
    let bill = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap();
    assert_eq!(bill.wallet_applied, dec!(70.00));
    assert_eq!(bill.amount_due, dec!(830.00));
}

#[test]
fn bad_wallet_entries_are_named_by_their_place_in_the_input() {
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk()],
        "deliveries": january_deliveries(),
        "wallet": [{"id": "X", "customer_id": "C2", "kind": "top_up", "amount": "5",
                    "date": "2026-01-01"},
                   {"id": "G1", "customer_id": "C1", "kind": "promotional", "amount": "0",
                    "date": "2026-01-01"}]}),
    );
    let err = compute_bill(&i, "C1", month("2026-01"), &config()).unwrap_err();
    assert_eq!(err.fields(), ["wallet[1].amount", "wallet[1].expires_on"]);
}

#[test]
fn the_batch_bills_a_customer_only_delivery_records_name() {
    let mut stray = delivery("X1", day(2026, 1, 5), "1", "1");
    stray["customer_id"] = json!("C7");
    stray["subscription_id"] = json!("S7");
    let mut sub = daily_milk();
    sub["id"] = json!("S7");
    sub["customer_id"] = json!("C8");
    let i = input(
        json!({"products": [milk()], "subscriptions": [daily_milk(), sub],
        "deliveries": [delivery("D1", day(2026, 1, 5), "1", "1"), stray]}),
    );
    let err = bill_month(&i, month("2026-01"), &config()).unwrap_err();
    assert_eq!(err.fields(), ["deliveries[1].subscription_id"]);
    let alone = compute_bill(&i, "C7", month("2026-01"), &config()).unwrap_err();
    assert_eq!(alone, err);
}
