use chrono::{DateTime, Days, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::record::{Payment, PaymentMethod};

const CUSTOMER: &str = "cust-1";

/// 06:00 UTC (11:30 in India) on day `day` counted from 2026-01-01.
fn day(day: u64) -> DateTime<Utc> {
    "2026-01-01T06:00:00Z".parse::<DateTime<Utc>>().unwrap() + Days::new(day)
}

fn payment(id: &str, amount: Decimal, method: PaymentMethod, at: DateTime<Utc>) -> LoyaltyEvent {
    LoyaltyEvent::PaymentReceived {
        payment: Payment {
            id: id.to_owned(),
            customer_id: CUSTOMER.to_owned(),
            amount,
            method,
            date: at.date_naive(),
            reference: None,
        },
        at,
    }
}

fn pay(id: &str, amount: Decimal, at: DateTime<Utc>) -> LoyaltyEvent {
    payment(id, amount, PaymentMethod::Upi, at)
}

fn refund(id: &str, at: DateTime<Utc>) -> LoyaltyEvent {
    LoyaltyEvent::PaymentRefunded {
        customer_id: CUSTOMER.to_owned(),
        payment_id: id.to_owned(),
        at,
    }
}

fn delivered(order: &str, at: DateTime<Utc>) -> LoyaltyEvent {
    LoyaltyEvent::OrderDelivered {
        customer_id: CUSTOMER.to_owned(),
        order_id: order.to_owned(),
        at,
    }
}

fn review(order: &str, at: DateTime<Utc>) -> LoyaltyEvent {
    LoyaltyEvent::ReviewPosted {
        customer_id: CUSTOMER.to_owned(),
        order_id: order.to_owned(),
        at,
    }
}

fn referral(referred: &str, at: DateTime<Utc>) -> LoyaltyEvent {
    LoyaltyEvent::ReferralCompleted {
        referrer_id: CUSTOMER.to_owned(),
        referred_id: referred.to_owned(),
        at,
    }
}

fn redeem_request(
    key: &str,
    points: i64,
    charges: Decimal,
    at: DateTime<Utc>,
) -> RedemptionRequest {
    RedemptionRequest {
        customer_id: CUSTOMER.to_owned(),
        key: key.to_owned(),
        points,
        bill_charges: charges,
        at,
    }
}

fn member_with(config: &LoyaltyConfig, events: &[LoyaltyEvent]) -> Member {
    let mut m = Member::new(CUSTOMER);
    for e in events {
        m.apply(config, e).unwrap();
    }
    m
}

fn lots_total(m: &Member) -> i64 {
    m.ledger().lots().iter().map(|l| l.remaining).sum()
}

#[test]
fn a_payment_earns_whole_rupees_times_the_tier_multiplier_rounded_down() {
    let config = LoyaltyConfig::default();
    assert_eq!(
        earn_points(&config, Tier::Bronze, dec!(999.99)),
        (999, dec!(1), 999)
    );
    assert_eq!(earn_points(&config, Tier::Silver, dec!(999.99)).2, 1098);
    assert_eq!(earn_points(&config, Tier::Gold, dec!(999.99)).2, 1248);
    assert_eq!(earn_points(&config, Tier::Platinum, dec!(0.99)).2, 0);
    assert_eq!(earn_points(&config, Tier::Diamond, dec!(3)).2, 4);
}

#[test]
fn a_wallet_application_earns_and_a_wallet_top_up_earns_nothing() {
    let config = LoyaltyConfig::default();
    let mut m = Member::new(CUSTOMER);
    let top_up = LoyaltyEvent::WalletTopUp {
        customer_id: CUSTOMER.to_owned(),
        top_up_id: "top-1".to_owned(),
        amount: dec!(500),
        at: day(0),
    };
    assert!(m.apply(&config, &top_up).unwrap().entries.is_empty());
    assert_eq!(m.balance(), 0);
    m.apply(
        &config,
        &payment("w-1", dec!(500), PaymentMethod::Wallet, day(1)),
    )
    .unwrap();
    assert_eq!(m.balance(), 500);
}

#[test]
fn bonuses_are_given_once_each() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(
        &config,
        &[
            delivered("o-1", day(0)),
            delivered("o-2", day(1)),
            review("o-1", day(2)),
            review("o-1", day(3)),
            referral("friend", day(4)),
            referral("friend", day(5)),
        ],
    );
    assert_eq!(m.balance(), 50 + 20 + 100);
    let kinds: Vec<_> = m
        .ledger()
        .entries()
        .iter()
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(kinds, ["first-order:o-1", "review:o-1", "referral:friend"]);
    let err = m.apply(&config, &review("o-9", day(6))).unwrap_err();
    assert_eq!(err.code(), "LOYALTY_REVIEW_NOT_DELIVERED");
}

#[test]
fn a_refund_reverses_exactly_the_points_of_its_payment() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(
        &config,
        &[pay("p-1", dec!(300), day(0)), pay("p-2", dec!(200), day(1))],
    );
    let applied = m.apply(&config, &refund("p-2", day(2))).unwrap();
    assert_eq!(applied.entries.len(), 1);
    assert_eq!(applied.entries[0].key, "refund:p-2");
    assert_eq!(applied.entries[0].points, -200);
    assert_eq!(m.balance(), 300);
    assert_eq!(m.stats().lifetime_points, 300);
    assert!(m.apply(&config, &refund("p-2", day(3))).unwrap().duplicate);
    let err = m.apply(&config, &refund("p-404", day(3))).unwrap_err();
    assert_eq!(err.code(), "LOYALTY_UNKNOWN_PAYMENT");
}

#[test]
fn a_refund_after_the_points_were_spent_takes_what_is_left_and_reports_the_shortfall() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(&config, &[pay("p-1", dec!(300), day(0))]);
    m.redeem(&config, &redeem_request("bill-1", 200, dec!(1000), day(1)))
        .unwrap();
    let applied = m.apply(&config, &refund("p-1", day(2))).unwrap();
    assert_eq!(applied.entries[0].points, -100);
    assert_eq!(
        applied.entries[0].detail,
        EntryDetail::Reverse {
            earned: 300,
            expired: 0,
            shortfall: 200
        }
    );
    assert_eq!(m.balance(), 0);
}

#[test]
fn a_refund_does_not_take_back_points_that_already_expired() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(
        &config,
        &[
            pay("p-1", dec!(300), day(0)),
            pay("p-2", dec!(500), day(200)),
        ],
    );
    m.redeem(
        &config,
        &redeem_request("bill-1", 100, dec!(1000), day(201)),
    )
    .unwrap();
    let applied = m.apply(&config, &refund("p-1", day(400))).unwrap();
    // p-1's remaining 200 expired on day 365: only the 100 redeemed are owed, from p-2's lot.
    let points: Vec<_> = applied
        .entries
        .iter()
        .map(|e| (e.key.as_str(), e.points))
        .collect();
    assert_eq!(points, [("expire:earn:p-1", -200), ("refund:p-1", -100)]);
    assert_eq!(m.balance(), 400);
}

#[test]
fn an_upgrade_is_immediate_and_its_multiplier_applies_from_the_next_payment() {
    let config = LoyaltyConfig::default();
    let mut m = Member::new(CUSTOMER);
    let applied = m.apply(&config, &pay("p-1", dec!(5000), day(0))).unwrap();
    // 5,000 points at BRONZE cross SILVER and GOLD at once: straight to GOLD.
    let change = applied.tier_change.unwrap();
    assert_eq!((change.from, change.to), (Tier::Bronze, Tier::Gold));
    assert_eq!(m.balance(), 5000);
    m.apply(&config, &pay("p-2", dec!(100), day(1))).unwrap();
    assert_eq!(m.balance(), 5125);
}

#[test]
fn a_late_payment_counts_with_the_points_earned_after_it() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(&config, &[pay("p-2", dec!(600), day(10))]);
    let applied = m.apply(&config, &pay("p-1", dec!(500), day(5))).unwrap();
    assert_eq!(applied.tier_change.map(|c| c.to), Some(Tier::Silver));
}

#[test]
fn a_downgrade_waits_for_the_monthly_review_and_drops_one_tier_at_a_time() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(&config, &[pay("p-1", dec!(40000), day(0))]);
    assert_eq!(m.tier(), Tier::Diamond);
    // Thirteen months later nothing qualifies any more, but nothing changes before a review.
    m.apply(&config, &pay("p-2", dec!(10), day(400))).unwrap();
    assert_eq!(m.tier(), Tier::Diamond);
    let first = m.review(&config, day(400)).unwrap();
    assert_eq!((first.from, first.to), (Tier::Diamond, Tier::Platinum));
    assert!(
        m.review(&config, day(401)).is_none(),
        "one review per month"
    );
    let tiers: Vec<_> = [431, 461, 492, 522]
        .iter()
        .map(|d| m.review(&config, day(*d)).map(|c| c.to))
        .collect();
    assert_eq!(
        tiers,
        [
            Some(Tier::Gold),
            Some(Tier::Silver),
            Some(Tier::Bronze),
            None
        ]
    );
}

#[test]
fn redemption_turns_points_into_a_bill_credit_at_fifty_paise_within_the_cap() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(&config, &[pay("p-1", dec!(2000), day(0))]);
    let at = day(1);
    let below = m.redeem(&config, &redeem_request("b", 99, dec!(1000), at));
    assert_eq!(below.unwrap_err().code(), "LOYALTY_BELOW_MINIMUM");
    // Charges Rs 590 (subtotal 500 + tax 90): at most Rs 295, i.e. 590 points.
    let above = m.redeem(&config, &redeem_request("b", 591, dec!(590), at));
    match above.unwrap_err() {
        LoyaltyError::AboveCap { max_points, .. } => assert_eq!(max_points, 590),
        e => panic!("unexpected {e}"),
    }
    let too_many = m.redeem(&config, &redeem_request("b", 2001, dec!(10000), at));
    assert_eq!(too_many.unwrap_err().code(), "LOYALTY_INSUFFICIENT_POINTS");
    assert_eq!(m.balance(), 2000, "refused redemptions change nothing");

    let preview = m.preview_redemption(&config, dec!(590), at);
    assert_eq!(
        (preview.max_points, preview.max_amount),
        (590, dec!(295.00))
    );
    let done = m
        .redeem(&config, &redeem_request("b", 590, dec!(590), at))
        .unwrap();
    assert_eq!(
        done.redemption,
        Redemption {
            customer_id: CUSTOMER.to_owned(),
            points: 590,
            amount: dec!(295.00),
            key: "b".to_owned()
        }
    );
    assert_eq!(
        done.redemption.line_description(),
        "Loyalty points redeemed (590 points)"
    );
    assert_eq!(m.balance(), 1410);
    let again = m
        .redeem(&config, &redeem_request("b", 700, dec!(5000), day(2)))
        .unwrap();
    assert!(again.applied.duplicate);
    assert_eq!(again.redemption, done.redemption);
    assert_eq!(m.balance(), 1410);
}

#[test]
fn points_expire_twelve_months_after_earning_minus_what_was_redeemed_oldest_first() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(
        &config,
        &[
            pay("p-1", dec!(500), day(0)),
            pay("p-2", dec!(300), day(181)),
        ],
    );
    m.redeem(&config, &redeem_request("b-1", 600, dec!(2000), day(212)))
        .unwrap();
    // p-1 (500) was used up first, p-2 kept 200.
    assert!(m.expire(&config, day(364)).is_empty());
    assert!(
        m.expire(&config, day(365)).is_empty(),
        "p-1 has nothing left"
    );
    assert_eq!(m.balance(), 200);
    assert!(m.expire(&config, day(545)).is_empty());
    let expired = m.expire(&config, day(546));
    assert_eq!(expired.len(), 1);
    assert_eq!(
        (expired[0].key.as_str(), expired[0].points),
        ("expire:earn:p-2", -200)
    );
    assert_eq!(m.balance(), 0);
    assert!(m.expire(&config, day(600)).is_empty());
}

#[test]
fn expired_points_cannot_be_redeemed() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(&config, &[pay("p-1", dec!(500), day(0))]);
    assert_eq!(
        m.preview_redemption(&config, dec!(5000), day(366))
            .max_points,
        0
    );
    let err = m
        .redeem(&config, &redeem_request("b-1", 100, dec!(5000), day(366)))
        .unwrap_err();
    assert_eq!(err.code(), "LOYALTY_INSUFFICIENT_POINTS");
    assert_eq!(
        m.balance(),
        500,
        "a refused redemption expires nothing either"
    );
}

#[test]
fn badges_unlock_once_with_progress() {
    let config = LoyaltyConfig::default();
    let mut m = Member::new(CUSTOMER);
    let first = m.apply(&config, &delivered("o-1", day(0))).unwrap();
    let codes: Vec<_> = first.unlocked.iter().map(|u| u.code.as_str()).collect();
    assert_eq!(codes, ["orders_1"]);
    let second = m.apply(&config, &delivered("o-2", day(1))).unwrap();
    assert!(second.unlocked.is_empty());
    let progress = m.badge_progress(&config);
    let regular = progress.iter().find(|b| b.code == "orders_10").unwrap();
    assert_eq!(
        (regular.current, regular.target, regular.unlocked_at),
        (2, 10, None)
    );
    let share = LoyaltyEvent::SocialAction {
        customer_id: CUSTOMER.to_owned(),
        action_id: "s-1".to_owned(),
        channel: "whatsapp".to_owned(),
        at: day(2),
    };
    let unlocked = m.apply(&config, &share).unwrap().unlocked;
    assert_eq!(unlocked[0].code, "social_1");
    assert!(m.apply(&config, &share).unwrap().duplicate);
    assert_eq!(m.stats().social_actions, 1);
}

#[test]
fn a_host_catalogue_replaces_the_badges() {
    let config = LoyaltyConfig {
        badges: vec![BadgeRule {
            code: "early_payer".to_owned(),
            name: "Early payer".to_owned(),
            category: Category::Streaks,
            metric: Metric::PaymentMonthStreak,
            target: 2,
        }],
        ..LoyaltyConfig::default()
    };
    let m = member_with(
        &config,
        &[pay("p-1", dec!(10), day(0)), pay("p-2", dec!(10), day(31))],
    );
    assert_eq!(m.badges().keys().collect::<Vec<_>>(), ["early_payer"]);
}

#[test]
fn the_weekly_board_counts_only_this_iso_weeks_points() {
    let mut program = Program::new(LoyaltyConfig::default()).unwrap();
    // 2026-01-05 is a Monday: day 4.
    for (id, amount, d) in [("a", 100, 3), ("a", 50, 4), ("b", 80, 5), ("c", 80, 4)] {
        let at = day(d);
        let event = LoyaltyEvent::PaymentReceived {
            payment: Payment {
                id: format!("{id}-{d}"),
                customer_id: id.to_owned(),
                amount: Decimal::from(amount),
                method: PaymentMethod::Cash,
                date: at.date_naive(),
                reference: None,
            },
            at,
        };
        program.apply(&event).unwrap();
    }
    let boards = program.leaderboards(day(9));
    let week: Vec<_> = boards
        .this_week
        .top(5)
        .into_iter()
        .map(|p| (p.customer_id, p.score))
        .collect();
    assert_eq!(
        week,
        [
            ("c".to_owned(), 80),
            ("b".to_owned(), 80),
            ("a".to_owned(), 50)
        ]
    );
    let all: Vec<_> = boards
        .all_time
        .top(5)
        .into_iter()
        .map(|p| p.customer_id)
        .collect();
    assert_eq!(all, ["a", "c", "b"]);
    assert_eq!(boards.by_tier[&Tier::Bronze].len(), 3);
    assert!(boards.this_week.render("This week", 3).contains("   1. c "));
    let summary = program.summary("a", day(9)).unwrap();
    assert_eq!(summary.tier.points_to_next, Some(850));
}

#[test]
fn a_bad_event_reports_every_problem() {
    let config = LoyaltyConfig::default();
    let mut m = Member::new(CUSTOMER);
    let event = LoyaltyEvent::Adjusted {
        customer_id: CUSTOMER.to_owned(),
        key: " ".to_owned(),
        points: 0,
        reason: String::new(),
        at: day(0),
    };
    match m.apply(&config, &event).unwrap_err() {
        LoyaltyError::Invalid(e) => assert_eq!(e.fields(), ["key", "reason", "points"]),
        e => panic!("unexpected {e}"),
    }
    let other = LoyaltyEvent::SocialAction {
        customer_id: "someone-else".to_owned(),
        action_id: "s".to_owned(),
        channel: "x".to_owned(),
        at: day(0),
    };
    assert_eq!(
        m.apply(&config, &other).unwrap_err().code(),
        "VALIDATION_FAILED"
    );
    assert_eq!(m, Member::new(CUSTOMER));
}

#[test]
fn a_negative_adjustment_never_takes_the_balance_below_zero() {
    let config = LoyaltyConfig::default();
    let mut m = member_with(&config, &[pay("p-1", dec!(100), day(0))]);
    let adjust = |points: i64| LoyaltyEvent::Adjusted {
        customer_id: CUSTOMER.to_owned(),
        key: format!("fix-{points}"),
        points,
        reason: "goodwill".to_owned(),
        at: day(1),
    };
    assert_eq!(
        m.apply(&config, &adjust(-101)).unwrap_err().code(),
        "LOYALTY_INSUFFICIENT_POINTS"
    );
    m.apply(&config, &adjust(-100)).unwrap();
    m.apply(&config, &adjust(40)).unwrap();
    assert_eq!(m.balance(), 40);
    assert_eq!(
        m.stats().lifetime_points,
        100,
        "adjustments do not count as earned"
    );
}

#[test]
fn the_configuration_reports_every_bad_number() {
    let mut config = LoyaltyConfig::default();
    config.tiers.gold.threshold = 500;
    config.tiers.bronze.multiplier = Decimal::ZERO;
    config.max_bill_share = dec!(1.5);
    config.badges.push(config.badges[0].clone());
    let err = config.validate().unwrap_err();
    assert_eq!(
        err.fields(),
        [
            "tiers.gold.threshold",
            "tiers.bronze.multiplier",
            "max_bill_share",
            "badges[22].code"
        ]
    );
    let json = serde_json::to_string(&LoyaltyConfig::default()).unwrap();
    let back: LoyaltyConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, LoyaltyConfig::default());
    let partial: LoyaltyConfig = serde_json::from_str(
        r#"{"review_bonus": 30, "tiers": {"silver": {"threshold": 800, "multiplier": "1.2"}}}"#,
    )
    .unwrap();
    assert_eq!(partial.review_bonus, 30);
    assert_eq!(partial.tiers.silver.threshold, 800);
    assert_eq!(partial.tiers.gold.threshold, 5000);
}

/// One command of a random history.
#[derive(Debug, Clone)]
enum Op {
    Pay(u8, u32),
    Wallet(u8, u32),
    Refund(u8),
    Deliver(u8),
    Review(u8),
    Refer(u8),
    Redeem(u8, i64, u32),
    Adjust(u8, i64),
    Expire,
    MonthlyReview,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..40, 1u32..400_000).prop_map(|(i, paise)| Op::Pay(i, paise)),
        1 => (0u8..40, 1u32..100_000).prop_map(|(i, paise)| Op::Wallet(i, paise)),
        1 => (0u8..40).prop_map(Op::Refund),
        1 => (0u8..10).prop_map(Op::Deliver),
        1 => (0u8..10).prop_map(Op::Review),
        1 => (0u8..5).prop_map(Op::Refer),
        2 => (0u8..10, 1i64..3_000, 0u32..800_000).prop_map(|(k, p, c)| Op::Redeem(k, p, c)),
        1 => (0u8..10, -500i64..500).prop_map(|(k, p)| Op::Adjust(k, p)),
        1 => Just(Op::Expire),
        1 => Just(Op::MonthlyReview),
    ]
}

/// Applies `op` at `at`; returns the redemption when one was made.
fn run(config: &LoyaltyConfig, m: &mut Member, op: &Op, at: DateTime<Utc>) -> Option<Redemption> {
    let cents = |p: u32| Decimal::new(i64::from(p), 2);
    let event = match op {
        Op::Pay(i, p) => pay(&format!("p-{i}"), cents(*p), at),
        Op::Wallet(i, p) => payment(&format!("w-{i}"), cents(*p), PaymentMethod::Wallet, at),
        Op::Refund(i) => refund(&format!("p-{i}"), at),
        Op::Deliver(i) => delivered(&format!("o-{i}"), at),
        Op::Review(i) => review(&format!("o-{i}"), at),
        Op::Refer(i) => referral(&format!("friend-{i}"), at),
        Op::Adjust(k, p) => LoyaltyEvent::Adjusted {
            customer_id: CUSTOMER.to_owned(),
            key: format!("k-{k}"),
            points: if *p == 0 { 1 } else { *p },
            reason: "test".to_owned(),
            at,
        },
        Op::Redeem(k, p, c) => {
            let request = redeem_request(&format!("bill-{k}"), *p, cents(*c), at);
            return m
                .redeem(config, &request)
                .ok()
                .filter(|r| !r.applied.duplicate)
                .map(|r| r.redemption);
        }
        Op::Expire => {
            m.expire(config, at);
            return None;
        }
        Op::MonthlyReview => {
            m.review(config, at);
            return None;
        }
    };
    let _ = m.apply(config, &event);
    None
}

fn history() -> impl Strategy<Value = Vec<(u64, Op)>> {
    prop::collection::vec((0u64..20, op()), 1..80)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_ledger_stays_sound_and_every_command_is_idempotent(ops in history()) {
        let config = LoyaltyConfig::default();
        let mut m = Member::new(CUSTOMER);
        let mut now = 0;
        for (step, op) in &ops {
            now += step;
            let at = day(now);
            let before_tier = m.tier();
            let redeemed = run(&config, &mut m, op, at);
            prop_assert!(m.balance() >= 0);
            let sum: i64 = m.ledger().entries().iter().map(|e| e.points).sum();
            prop_assert_eq!(m.balance(), sum);
            prop_assert_eq!(lots_total(&m), m.balance());
            if let Some(r) = redeemed {
                prop_assert!(r.points >= config.minimum_redemption);
                if let Op::Redeem(_, _, c) = op {
                    prop_assert!(r.amount <= Decimal::new(i64::from(*c), 2) / dec!(2));
                }
            }
            // No threshold crossed is left behind, and only a review lowers the tier.
            let qualifying = m.qualifying_points(&config, config.zone.date_of(at));
            if !matches!(op, Op::MonthlyReview) {
                prop_assert!(m.tier() >= before_tier);
                if m.tier() != before_tier {
                    prop_assert_eq!(m.tier(), tier_for(&config, qualifying));
                }
            }
            // Applying the same command again changes nothing.
            let snapshot = m.clone();
            run(&config, &mut m, op, at);
            prop_assert_eq!(&m, &snapshot);
        }
    }

    #[test]
    fn a_redemption_never_exceeds_the_cap_the_balance_or_the_minimum(
        earned in 0u32..20_000,
        points in 1i64..25_000,
        paise in 0u32..5_000_000,
    ) {
        let config = LoyaltyConfig::default();
        let mut m = member_with(&config, &[pay("p", Decimal::from(earned), day(0))]);
        let charges = Decimal::new(i64::from(paise), 2);
        let preview = m.preview_redemption(&config, charges, day(1));
        prop_assert!(preview.max_amount <= charges / dec!(2));
        prop_assert!(preview.max_points <= m.balance());
        prop_assert!(preview.max_points == 0 || preview.max_points >= 100);
        match m.redeem(&config, &redeem_request("b", points, charges, day(1))) {
            Ok(r) => {
                prop_assert!(r.redemption.amount <= charges / dec!(2));
                prop_assert!(r.redemption.points <= preview.max_points);
                prop_assert_eq!(r.redemption.amount, Decimal::from(points) * dec!(0.50));
            }
            Err(_) => prop_assert!(points > preview.max_points || points < 100),
        }
    }

    #[test]
    fn expiry_removes_exactly_the_unredeemed_points_older_than_the_window(
        earns in prop::collection::vec((0u64..700, 1u32..3_000), 1..25),
        redeems in prop::collection::vec((0u64..700, 100i64..2_000), 0..10),
        now in 0u64..1_100,
    ) {
        let config = LoyaltyConfig::default();
        let mut m = Member::new(CUSTOMER);
        // A model: lots (expiry day, points left), consumed oldest first.
        let expiry = |d: u64| {
            let earned = day(d).date_naive();
            let due = earned.checked_add_months(chrono::Months::new(12)).unwrap();
            d + (due - earned).num_days() as u64
        };
        let mut model: Vec<(u64, i64)> = Vec::new();
        let mut timeline: Vec<(u64, Option<u32>, i64)> = earns
            .iter()
            .map(|(d, r)| (*d, Some(*r), 0))
            .chain(redeems.iter().map(|(d, p)| (*d, None, *p)))
            .collect();
        timeline.sort_by_key(|(d, e, _)| (*d, e.is_none()));
        for (i, (d, rupees, points)) in timeline.iter().enumerate() {
            let at = day(*d);
            match rupees {
                Some(r) => {
                    m.apply(&config, &pay(&format!("p-{i}"), Decimal::from(*r), at)).unwrap();
                    let earned = m.ledger().entries().last().unwrap().points;
                    model.push((expiry(*d), earned));
                }
                None => {
                    let request = redeem_request(&format!("b-{i}"), *points, dec!(100000), at);
                    if m.redeem(&config, &request).is_ok() {
                        for lot in model.iter_mut().filter(|(e, _)| *e <= *d) {
                            lot.1 = 0;
                        }
                        let mut left = *points;
                        for lot in model.iter_mut() {
                            let take = lot.1.min(left);
                            lot.1 -= take;
                            left -= take;
                        }
                    }
                }
            }
        }
        let now = now.max(timeline.last().map_or(0, |t| t.0));
        let before = m.balance();
        let expired: i64 = m.expire(&config, day(now)).iter().map(|e| -e.points).sum();
        let expected: i64 = model.iter().filter(|(e, _)| *e <= now).map(|l| l.1).sum();
        prop_assert_eq!(expired, expected);
        prop_assert_eq!(m.balance(), before - expired);
        let kept: i64 = model.iter().filter(|(e, _)| *e > now).map(|l| l.1).sum();
        prop_assert_eq!(m.balance(), kept);
    }

    #[test]
    fn upgrades_reach_every_crossed_threshold_and_reviews_drop_one_tier_at_most(
        history in prop::collection::vec((0u64..60, 0u32..30_000, prop::bool::ANY), 1..40),
    ) {
        let config = LoyaltyConfig::default();
        let mut m = Member::new(CUSTOMER);
        let mut now = 0;
        for (i, (step, rupees, review)) in history.iter().enumerate() {
            now += step;
            let at = day(now);
            if *review {
                let before = m.tier();
                if let Some(change) = m.review(&config, at) {
                    prop_assert!(change.to.rank() + 1 >= before.rank());
                    prop_assert_eq!(change.from, before);
                }
            } else if *rupees > 0 {
                m.apply(&config, &pay(&format!("p-{i}"), Decimal::from(*rupees), at)).unwrap();
                let q = m.qualifying_points(&config, config.zone.date_of(at));
                prop_assert!(m.tier() >= tier_for(&config, q));
            }
        }
    }
}
