//! Behaviour across engines: what one engine produces, another consumes, and the numbers agree.

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::billing::{BillingConfig, BillingInput, Credit, LineKind, Month, compute_bill};
use earlybird::loyalty::{LoyaltyConfig, LoyaltyEvent, Program, RedemptionRequest};
use earlybird::record::{DeliveryRecord, Payment, Product, Record, Subscription};
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn october_deliveries() -> Vec<DeliveryRecord> {
    (1..=31)
        .map(|d| {
            DeliveryRecord::from_json(&format!(
                r#"{{"id": "D{d}", "customer_id": "C1", "date": "2026-10-{d:02}", "subscription_id": "S1",
                    "product_id": "GHEE", "ordered_quantity": "1", "delivered_quantity": "1", "status": "DELIVERED"}}"#
            ))
            .unwrap()
        })
        .collect()
}

#[test]
fn points_redeemed_on_a_bill_agree_with_its_credit_line_its_total_and_the_ledger() {
    let ghee = Product::from_json(
        r#"{"id": "GHEE", "name": "Ghee 100 ml", "prices": [{"price": "95.00", "effective_from": "2026-01-01"}], "gst_rate": "12"}"#,
    )
    .unwrap();
    let subscription = Subscription::from_json(
        r#"{"id": "S1", "customer_id": "C1", "product_id": "GHEE", "quantity": "1", "schedule": "daily", "start_date": "2026-01-01"}"#,
    )
    .unwrap();
    let mut input = BillingInput {
        products: vec![ghee],
        subscriptions: vec![subscription],
        deliveries: october_deliveries(),
        ..BillingInput::default()
    };
    let october = Month::new(2026, 10).unwrap();
    let config = BillingConfig {
        wallet_auto_apply: false,
        ..BillingConfig::default()
    };
    let draft = compute_bill(&input, "C1", october, &config).unwrap();
    let charges = draft.subtotal + draft.tax;
    assert_eq!((draft.subtotal, draft.tax), (dec("2945.00"), dec("353.40")));

    // September's payment earned the points; they are redeemed on October's bill.
    let at: DateTime<Utc> = "2026-11-01T03:00:00Z".parse().unwrap();
    let payment = Payment::from_json(
        r#"{"id": "PAY9", "customer_id": "C1", "amount": "4000.00", "method": "upi", "date": "2026-10-01"}"#,
    )
    .unwrap();
    let mut loyalty = Program::new(LoyaltyConfig::default()).unwrap();
    loyalty
        .apply(&LoyaltyEvent::PaymentReceived {
            payment,
            at: "2026-10-01T03:00:00Z".parse().unwrap(),
        })
        .unwrap();
    let before = loyalty.member("C1").unwrap().balance();
    let request = RedemptionRequest {
        customer_id: "C1".into(),
        key: "bill:C1:2026-10".into(),
        points: 1500,
        bill_charges: charges,
        at,
    };
    let redeemed = loyalty.redeem(&request).unwrap().redemption;
    assert_eq!(redeemed.amount, dec("750.00"), "1,500 points at Rs 0.50");

    let bill_date = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    input
        .credits
        .push(Credit::from_redemption(&redeemed, bill_date));
    let bill = compute_bill(&input, "C1", october, &config).unwrap();
    let credit_lines: Vec<_> = bill
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::LoyaltyRedemption)
        .collect();
    assert_eq!(credit_lines.len(), 1);
    assert_eq!(
        credit_lines[0].amount, -redeemed.amount,
        "the credit line is the redemption, negative"
    );
    assert_eq!(bill.credits, redeemed.amount);
    assert_eq!(
        (bill.subtotal, bill.tax),
        (draft.subtotal, draft.tax),
        "credits do not change the taxable value"
    );
    assert_eq!(bill.total, draft.subtotal + draft.tax - redeemed.amount);
    let member = loyalty.member("C1").unwrap();
    assert_eq!(
        member.balance(),
        before - 1500,
        "the ledger lost exactly the points credited"
    );
    let redeem_entries: Vec<_> = member
        .ledger()
        .entries()
        .iter()
        .filter(|e| e.key.contains("bill:C1:2026-10"))
        .collect();
    assert_eq!(redeem_entries.len(), 1);
    assert_eq!(redeem_entries[0].points, -1500);

    // Redeeming the same bill again changes neither the ledger nor the bill.
    let again = loyalty.redeem(&request).unwrap().redemption;
    assert_eq!(again, redeemed);
    assert_eq!(loyalty.member("C1").unwrap().balance(), before - 1500);
}
