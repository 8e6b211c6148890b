use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::validation::{Rule, ValidationError};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn now() -> NaiveDate {
    day(2026, 11, 25)
}

fn engine() -> ChurnEngine {
    ChurnEngine::new(ChurnConfig::default()).unwrap()
}

fn buy(date: NaiveDate, amount: Decimal) -> Purchase {
    Purchase { date, amount }
}

/// A steady customer: a purchase every `gap` days for `count` purchases, the last `since` days ago.
fn steady(gap: u64, count: u64, since: u64) -> ChurnInput {
    let last = now() - chrono::Days::new(since);
    ChurnInput {
        purchases: (0..count)
            .map(|i| buy(last - chrono::Days::new(i * gap), dec!(60)))
            .collect(),
        ..ChurnInput::default()
    }
}

fn total_points(s: &ChurnScore) -> Decimal {
    s.contributions.iter().map(|c| c.points).sum()
}

fn risks_strategy() -> impl Strategy<Value = FactorRisks> {
    proptest::array::uniform7(proptest::option::of(0.0f64..=1.0)).prop_map(FactorRisks::from_array)
}

fn weights_strategy() -> impl Strategy<Value = FactorWeights> {
    proptest::array::uniform7(prop_oneof![Just(0.0), 0.0f64..10.0])
        .prop_map(FactorWeights::from_array)
}

fn input_strategy() -> impl Strategy<Value = ChurnInput> {
    let purchase = (0u64..400, 0i64..100_000)
        .prop_map(|(ago, paise)| buy(now() - chrono::Days::new(ago), Decimal::new(paise, 2)));
    (
        proptest::option::of(0u64..800),
        proptest::collection::vec(purchase, 0..20),
        proptest::option::of((0u32..40, 0u32..5, 0u32..5)),
        proptest::option::of((any::<bool>(), 0u32..40, 0u32..31, 0u32..31)),
        proptest::option::of((0i64..1_000_000, 0u32..120, 0u32..6)),
        proptest::option::of((0u32..5, 0u32..3)),
    )
        .prop_map(|(signup, purchases, d, s, p, c)| ChurnInput {
            signup_date: signup.map(|ago| now() - chrono::Days::new(ago)),
            purchases,
            deliveries: d.map(
                |(delivered, partially_delivered, not_delivered)| DeliverySignals {
                    delivered,
                    partially_delivered,
                    not_delivered,
                },
            ),
            subscription: s.map(|(cancelled, paused_days, a, b)| SubscriptionSignals {
                cancelled,
                paused_days,
                scheduled_deliveries: a.max(b),
                skipped_deliveries: a.min(b),
            }),
            payments: p.map(|(paise, overdue_days, failed_payments)| PaymentSignals {
                overdue_amount: Decimal::new(paise, 2),
                overdue_days,
                failed_payments,
            }),
            service: c.map(|(complaints, disputes)| ServiceSignals {
                complaints,
                disputes,
            }),
        })
}

proptest! {
    #[test]
    fn contributions_add_up_to_the_score(risks in risks_strategy(), weights in weights_strategy()) {
        prop_assume!(weights.to_array().iter().any(|w| *w > 0.0));
        let engine = ChurnEngine::new(ChurnConfig { weights, ..ChurnConfig::default() }).unwrap();
        let s = engine.score_risks(&risks).unwrap();
        prop_assert_eq!(total_points(&s), s.score);
        prop_assert!(s.score >= Decimal::ZERO && s.score <= dec!(100));
        prop_assert_eq!(s.score.scale(), 2);
        for c in &s.contributions {
            prop_assert!(c.points >= Decimal::ZERO);
            if c.risk.is_none() {
                prop_assert_eq!(c.points, Decimal::ZERO);
            }
        }
    }

    #[test]
    fn any_valid_input_scores_consistently(input in input_strategy()) {
        let engine = engine();
        let s = engine.score(&input, now()).unwrap();
        prop_assert_eq!(total_points(&s), s.score);
        for c in &s.contributions {
            prop_assert!(c.risk.is_none_or(|r| (0.0..=1.0).contains(&r)));
        }
        let mut shuffled = input.clone();
        shuffled.purchases.reverse();
        prop_assert_eq!(engine.score(&shuffled, now()).unwrap(), s.clone());
        prop_assert_eq!(engine.score(&input, now()).unwrap(), s);
    }

    #[test]
    fn purchase_model_and_spend_level_keep_risks_in_range_and_points_adding_up(
        input in input_strategy(),
    ) {
        let engine = model_engine();
        let s = engine.score(&input, now()).unwrap();
        prop_assert_eq!(total_points(&s), s.score);
        for c in &s.contributions {
            prop_assert!(c.risk.is_none_or(|r| (0.0..=1.0).contains(&r)));
        }
        let mut shuffled = input.clone();
        shuffled.purchases.reverse();
        prop_assert_eq!(engine.score(&shuffled, now()).unwrap(), s);
    }
}

fn model() -> PurchaseModel {
    PurchaseModel {
        r: 0.25,
        alpha: 30.0,
        a: 0.7,
        b: 2.0,
        horizon_days: 90,
    }
}

fn model_engine() -> ChurnEngine {
    ChurnEngine::new(ChurnConfig {
        params: FactorParams {
            purchase_model: Some(model()),
            spend_level_half_amount: Some(dec!(50)),
            ..FactorParams::default()
        },
        ..ChurnConfig::default()
    })
    .unwrap()
}

#[test]
fn identical_inputs_give_identical_scores_bit_for_bit() {
    let engine = engine();
    let input = steady(3, 20, 9);
    let a = engine.score(&input, now()).unwrap();
    let b = engine.score(&input.clone(), now()).unwrap();
    assert_eq!(a, b);
    for (x, y) in a.contributions.iter().zip(&b.contributions) {
        assert_eq!(x.risk.map(f64::to_bits), y.risk.map(f64::to_bits));
        assert_eq!(x.weight.to_bits(), y.weight.to_bits());
    }
    let batch = engine.score_batch(&[input.clone(), steady(7, 3, 40), input], now());
    assert_eq!(batch[0].as_ref().unwrap(), &a);
    assert_eq!(batch[2].as_ref().unwrap(), &a);
}

#[test]
fn missing_groups_are_neutral_not_errors() {
    let engine = engine();
    let only_purchases = steady(2, 30, 10);
    let s = engine.score(&only_purchases, now()).unwrap();
    for f in [Factor::Subscription, Factor::Payment, Factor::Service] {
        let c = s.contributions[f.index()];
        assert_eq!((c.risk, c.weight, c.points), (None, 0.0, Decimal::ZERO));
    }
    // Neutral = left out with the other weights renormalised: the same as a zero weight.
    let weights = FactorWeights {
        subscription: 0.0,
        payment: 0.0,
        service: 0.0,
        ..FactorWeights::default()
    };
    let without = ChurnEngine::new(ChurnConfig {
        weights,
        ..ChurnConfig::default()
    })
    .unwrap();
    assert_eq!(
        without.score(&only_purchases, now()).unwrap().score,
        s.score
    );
    let shares: f64 = s.contributions.iter().map(|c| c.weight).sum();
    assert!((shares - 1.0).abs() < 1e-12);
}

#[test]
fn a_customer_with_no_data_scores_zero_and_low() {
    let s = engine().score(&ChurnInput::default(), now()).unwrap();
    assert_eq!(s.score, Decimal::ZERO);
    assert_eq!(s.band, RiskBand::Low);
    assert!(s.reasons.is_empty());
    assert_eq!(s.action, RecommendedAction::None);
}

#[test]
fn recency_is_relative_to_the_customers_own_gap() {
    let engine = engine();
    let daily = engine.risks(&steady(1, 60, 12), now()).unwrap();
    let monthly = engine.risks(&steady(30, 10, 12), now()).unwrap();
    assert!(daily.recency.unwrap() > monthly.recency.unwrap());
    let on_time = engine.risks(&steady(30, 10, 25), now()).unwrap();
    let late = engine.risks(&steady(30, 10, 90), now()).unwrap();
    assert!(late.recency.unwrap() > on_time.recency.unwrap());
}

#[test]
fn frequency_and_spend_drops_compare_the_recent_window_with_the_past() {
    let engine = engine();
    let stopped = engine.risks(&steady(2, 60, 31), now()).unwrap();
    assert_eq!(stopped.frequency_drop, Some(1.0));
    assert_eq!(stopped.spend_drop, Some(1.0));
    let going = engine.risks(&steady(2, 60, 0), now()).unwrap();
    assert!(going.frequency_drop.unwrap() < 0.05);
    let new = engine.risks(&steady(2, 5, 0), now()).unwrap();
    assert_eq!(new.frequency_drop, None);
}

#[test]
fn new_customers_are_riskier_than_established_ones() {
    let engine = engine();
    let mut new = steady(1, 3, 0);
    new.signup_date = Some(now() - chrono::Days::new(3));
    let mut old = steady(1, 300, 0);
    old.signup_date = Some(day(2024, 1, 1));
    assert!(engine.risks(&new, now()).unwrap().tenure > engine.risks(&old, now()).unwrap().tenure);
}

/// Known only by a signup long ago: there is no purchase to be late against and no buying
/// relationship to lose, so every factor is neutral and the customer is not on the churn list.
#[test]
fn a_signup_that_never_bought_scores_zero() {
    let input = ChurnInput {
        signup_date: Some(day(2024, 1, 1)),
        ..ChurnInput::default()
    };
    let s = engine().score(&input, now()).unwrap();
    assert_eq!(s.score, Decimal::ZERO);
    assert_eq!(s.band, RiskBand::Low);
    assert!(s.reasons.is_empty());
    assert_eq!(s.action, RecommendedAction::None);
    assert!(s.contributions.iter().all(|c| c.risk.is_none()));
    let mut bought = input.clone();
    bought.purchases = vec![buy(day(2024, 1, 2), dec!(60))];
    assert!(engine().score(&bought, now()).unwrap().score > dec!(60));
}

fn with_risks(risks: FactorRisks) -> ChurnScore {
    engine().score_risks(&risks).unwrap()
}

#[test]
fn payment_trouble_asks_for_a_payment_reminder() {
    let mut input = steady(1, 60, 0);
    input.payments = Some(PaymentSignals {
        overdue_amount: dec!(1800),
        overdue_days: 20,
        failed_payments: 1,
    });
    let s = engine().score(&input, now()).unwrap();
    assert_eq!(s.action, RecommendedAction::PaymentReminder);
    assert_eq!(s.reasons.first(), Some(&ReasonCode::PaymentOverdue));
}

#[test]
fn service_trouble_asks_for_a_recovery_call() {
    let mut input = steady(1, 60, 0);
    input.service = Some(ServiceSignals {
        complaints: 2,
        disputes: 1,
    });
    input.deliveries = Some(DeliverySignals {
        delivered: 20,
        partially_delivered: 2,
        not_delivered: 3,
    });
    let s = engine().score(&input, now()).unwrap();
    assert_eq!(s.action, RecommendedAction::ServiceRecoveryCall);
    assert!(s.reasons.contains(&ReasonCode::ServiceIssues));
}

#[test]
fn high_band_gets_a_win_back_offer_medium_a_nudge_low_nothing() {
    let high = with_risks(FactorRisks {
        recency: Some(0.9),
        tenure: Some(0.8),
        ..FactorRisks::default()
    });
    assert_eq!(
        (high.band, high.action),
        (RiskBand::High, RecommendedAction::WinBackOffer)
    );
    let medium = with_risks(FactorRisks {
        recency: Some(0.45),
        ..FactorRisks::default()
    });
    assert_eq!(
        (medium.band, medium.action),
        (RiskBand::Medium, RecommendedAction::EngagementNudge)
    );
    let low = with_risks(FactorRisks {
        recency: Some(0.1),
        ..FactorRisks::default()
    });
    assert_eq!(
        (low.band, low.action),
        (RiskBand::Low, RecommendedAction::None)
    );
}

#[test]
fn the_first_matching_rule_wins_and_rules_are_plain_data() {
    let config: ChurnConfig = serde_json::from_value(serde_json::json!({
        "bands": { "medium_from": "20", "high_from": "50" },
        "rules": [
            { "when": [{ "if": "factor_risk_at_least", "factor": "recency", "risk": 0.3 }],
              "action": "engagement_nudge" },
            { "when": [], "action": "win_back_offer" }
        ]
    }))
    .unwrap();
    assert_eq!(config.weights, FactorWeights::default());
    let engine = ChurnEngine::new(config).unwrap();
    let nudge = FactorRisks {
        recency: Some(0.9),
        ..FactorRisks::default()
    };
    let s = engine.score_risks(&nudge).unwrap();
    assert_eq!(
        (s.band, s.action),
        (RiskBand::High, RecommendedAction::EngagementNudge)
    );
    let fallback = FactorRisks {
        recency: Some(0.1),
        ..FactorRisks::default()
    };
    assert_eq!(
        engine.score_risks(&fallback).unwrap().action,
        RecommendedAction::WinBackOffer
    );
}

#[test]
fn reasons_are_the_largest_contributions_in_stable_order() {
    let s = with_risks(FactorRisks {
        recency: Some(0.8),
        frequency_drop: Some(1.0),
        spend_drop: Some(0.0),
        tenure: Some(1.0),
        ..FactorRisks::default()
    });
    assert_eq!(
        s.reasons,
        vec![
            ReasonCode::RecencyOverdue,
            ReasonCode::FrequencyDrop,
            ReasonCode::NewCustomer
        ]
    );
    assert_eq!(
        serde_json::to_value(&s.reasons).unwrap(),
        serde_json::json!(["RECENCY_OVERDUE", "FREQUENCY_DROP", "NEW_CUSTOMER"])
    );
}

#[test]
fn bad_input_lists_every_problem() {
    let input = ChurnInput {
        signup_date: Some(day(2027, 1, 1)),
        purchases: vec![
            buy(day(2026, 11, 1), dec!(-5)),
            buy(day(2026, 12, 1), dec!(10)),
        ],
        subscription: Some(SubscriptionSignals {
            scheduled_deliveries: 2,
            skipped_deliveries: 3,
            ..SubscriptionSignals::default()
        }),
        payments: Some(PaymentSignals {
            overdue_amount: dec!(-1),
            ..PaymentSignals::default()
        }),
        ..ChurnInput::default()
    };
    let err = engine().score(&input, now()).unwrap_err();
    assert_eq!(err.code(), "CHURN_INVALID_INPUT");
    let ChurnError::InvalidInput(ValidationError { problems }) = err else {
        panic!("expected invalid input");
    };
    let paths: Vec<(&str, Rule)> = problems
        .iter()
        .map(|p| (p.field.as_str(), p.rule))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("signup_date", Rule::DateOrder),
            ("purchases[0].amount", Rule::NonNegative),
            ("purchases[1].date", Rule::DateOrder),
            ("subscription.skipped_deliveries", Rule::Inconsistent),
            ("payments.overdue_amount", Rule::NonNegative),
        ]
    );
    assert_eq!(problems[1].value, "-5");
}

#[test]
fn extreme_values_are_errors_or_scores_never_panics() {
    assert_eq!(MAX_AMOUNT, Decimal::from(1_000_000_000_000i64));
    let huge = ChurnInput {
        purchases: vec![buy(now(), Decimal::MAX), buy(now(), Decimal::MAX)],
        ..ChurnInput::default()
    };
    let err = engine().score(&huge, now()).unwrap_err();
    assert_eq!(err.code(), "CHURN_INVALID_INPUT");
    let edge = ChurnInput {
        signup_date: Some(NaiveDate::MIN),
        purchases: vec![
            buy(NaiveDate::MIN, MAX_AMOUNT),
            buy(NaiveDate::MIN, MAX_AMOUNT),
        ],
        payments: Some(PaymentSignals {
            overdue_amount: MAX_AMOUNT,
            overdue_days: u32::MAX,
            failed_payments: u32::MAX,
        }),
        service: Some(ServiceSignals {
            complaints: u32::MAX,
            disputes: u32::MAX,
        }),
        ..ChurnInput::default()
    };
    for now in [NaiveDate::MIN, NaiveDate::MAX] {
        let s = engine().score(&edge, now).unwrap();
        assert_eq!(total_points(&s), s.score);
    }
}

#[test]
fn bad_config_lists_every_problem() {
    let config = ChurnConfig {
        weights: FactorWeights {
            recency: -1.0,
            tenure: f64::NAN,
            ..FactorWeights::default()
        },
        bands: BandThresholds {
            medium_from: dec!(70),
            ..BandThresholds::default()
        },
        params: FactorParams {
            drop_window_days: 0,
            ..FactorParams::default()
        },
        ..ChurnConfig::default()
    };
    let err = ChurnEngine::new(config).unwrap_err();
    assert_eq!(err.code(), "CHURN_INVALID_CONFIG");
    let ChurnError::InvalidConfig(e) = err else {
        panic!("expected invalid config");
    };
    let paths = e.fields();
    assert_eq!(
        paths,
        vec![
            "weights.recency",
            "weights.tenure",
            "bands.high_from",
            "params.drop_window_days"
        ]
    );
    let zero = ChurnConfig {
        weights: FactorWeights::from_array([0.0; 7]),
        ..ChurnConfig::default()
    };
    assert_eq!(
        ChurnEngine::new(zero).unwrap_err().code(),
        "CHURN_INVALID_CONFIG"
    );
}

#[test]
fn risks_out_of_range_are_rejected() {
    let err = engine()
        .score_risks(&FactorRisks {
            recency: Some(1.5),
            payment: Some(f64::NAN),
            ..FactorRisks::default()
        })
        .unwrap_err();
    let ChurnError::InvalidInput(e) = err else {
        panic!("expected invalid input");
    };
    assert_eq!(e.fields(), ["risks.recency", "risks.payment"]);
    assert!(e.problems.iter().all(|p| p.rule == Rule::Range));
}

/// Deterministic pseudo-random numbers in [0, 1) for synthetic histories.
fn uniform(seed: &mut u64) -> f64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*seed >> 11) as f64 / (1u64 << 53) as f64
}

fn synthetic(n: usize) -> Vec<LabelledRisks> {
    let mut seed = 7;
    (0..n)
        .map(|_| {
            let recency = uniform(&mut seed);
            let payment = uniform(&mut seed);
            let noise = uniform(&mut seed);
            LabelledRisks {
                risks: FactorRisks {
                    recency: Some(recency),
                    payment: Some(payment),
                    service: Some(noise),
                    tenure: None,
                    ..FactorRisks::default()
                },
                churned: 3.0 * recency + payment + 0.8 * uniform(&mut seed) > 2.4,
            }
        })
        .collect()
}

#[test]
fn fitting_converges_and_learns_which_factors_matter() {
    let fitted = fit_weights(&synthetic(2000), &FitOptions::default()).unwrap();
    let w = fitted.weights;
    assert!(w.recency > w.payment && w.payment > w.service);
    assert!(w.recency > 0.5);
    assert_eq!(w.tenure, 0.0);
    let sum: f64 = w.to_array().iter().sum();
    assert!((sum - 1.0).abs() < 1e-12);
    assert!(w.to_array().iter().all(|x| *x >= 0.0));
    assert_eq!(
        fit_weights(&synthetic(2000), &FitOptions::default()).unwrap(),
        fitted
    );
    let engine = ChurnEngine::new(ChurnConfig {
        weights: w,
        ..ChurnConfig::default()
    })
    .unwrap();
    let s = engine.score_risks(&synthetic(1)[0].risks).unwrap();
    assert_eq!(total_points(&s), s.score);
}

#[test]
fn fitting_fails_clearly() {
    let mut one_class = synthetic(100);
    for s in &mut one_class {
        s.churned = true;
    }
    let err = fit_weights(&one_class, &FitOptions::default()).unwrap_err();
    assert_eq!(err.code(), "CHURN_ONE_CLASS");
    let err = fit_weights(&synthetic(5), &FitOptions::default()).unwrap_err();
    assert_eq!(err, ChurnError::TooFewSamples { got: 5, needed: 30 });
    let tight = FitOptions {
        max_iterations: 1,
        ..FitOptions::default()
    };
    assert_eq!(
        fit_weights(&synthetic(500), &tight).unwrap_err().code(),
        "CHURN_NO_CONVERGENCE"
    );
    let mut reversed = synthetic(500);
    for s in &mut reversed {
        s.churned = !s.churned;
    }
    let no_service: Vec<LabelledRisks> = reversed
        .into_iter()
        .map(|mut s| {
            s.risks.service = None;
            s
        })
        .collect();
    assert_eq!(
        fit_weights(&no_service, &FitOptions::default()).unwrap_err(),
        ChurnError::NoSignal
    );
}

#[test]
fn crate_error_keeps_code_and_problems_of_churn_validation() {
    let input = ChurnInput {
        purchases: vec![buy(now(), dec!(-1))],
        ..ChurnInput::default()
    };
    let err: crate::Error = engine().score(&input, now()).unwrap_err().into();
    assert_eq!(err.code(), "CHURN_INVALID_INPUT");
    assert_eq!(err.problems().len(), 1);
    assert_eq!(err.problems()[0].field, "purchases[0].amount");
    assert_eq!(err.problems()[0].rule, Rule::NonNegative);
    let fit: crate::Error = fit_weights(&[], &FitOptions::default()).unwrap_err().into();
    assert_eq!(fit.code(), "CHURN_TOO_FEW_SAMPLES");
    assert!(fit.problems().is_empty());
}

#[test]
fn the_purchase_model_fits_histories_without_labels_and_drives_recency() {
    let mut seed = 11;
    let customers: Vec<ChurnInput> = (0..400)
        .map(|i| {
            let gap = 5 + (uniform(&mut seed) * 40.0) as u64;
            let count = 1 + (uniform(&mut seed) * 8.0) as u64;
            let since = (uniform(&mut seed) * 150.0) as u64 + u64::from(i % 3 == 0) * 100;
            steady(gap, count, since)
        })
        .collect();
    let fitted = PurchaseModel::fit(&customers, now(), 90).unwrap();
    for v in [fitted.r, fitted.alpha, fitted.a, fitted.b] {
        assert!(v.is_finite() && v > 0.0, "{fitted:?}");
    }
    assert_eq!(fitted, PurchaseModel::fit(&customers, now(), 90).unwrap());
    let engine = model_engine();
    let quiet = engine.risks(&steady(7, 10, 60), now()).unwrap();
    let active = engine.risks(&steady(7, 10, 2), now()).unwrap();
    assert!(quiet.recency.unwrap() > active.recency.unwrap());
    let big = ChurnInput {
        purchases: vec![buy(day(2026, 11, 1), dec!(500))],
        ..ChurnInput::default()
    };
    let small = ChurnInput {
        purchases: vec![buy(day(2026, 11, 1), dec!(5))],
        ..ChurnInput::default()
    };
    let level = |i: &ChurnInput| engine.risks(i, now()).unwrap().spend_drop.unwrap();
    assert!(level(&small) > level(&big));
    assert!(matches!(
        PurchaseModel::fit(&[], now(), 90),
        Err(ChurnError::TooFewSamples { .. })
    ));
}

#[test]
fn with_the_purchase_model_frequency_looks_ahead_at_expected_purchases() {
    let engine = model_engine();
    let frequency = |i: &ChurnInput| engine.risks(i, now()).unwrap().frequency_drop.unwrap();
    let weekly = steady(7, 10, 3);
    let quarterly = steady(90, 3, 3);
    assert!(frequency(&weekly) < frequency(&quarterly));
    assert!(frequency(&weekly) < frequency(&steady(7, 10, 80)));
    let m = model();
    let expected = m.expected_purchases(9, 63.0, 66.0);
    assert!((frequency(&weekly) - (1.0 - expected / (expected + 1.0))).abs() < 1e-15);
    assert!(m.expected_purchases(9, 63.0, 66.0) > m.expected_purchases(9, 63.0, 150.0));
    let new = steady(1, 1, 0);
    assert!(engine.risks(&new, now()).unwrap().frequency_drop.is_some());
}

#[test]
fn a_bad_purchase_model_or_spend_level_is_a_config_problem() {
    let config = ChurnConfig {
        params: FactorParams {
            purchase_model: Some(PurchaseModel {
                alpha: -1.0,
                horizon_days: 0,
                ..model()
            }),
            spend_level_half_amount: Some(Decimal::ZERO),
            ..FactorParams::default()
        },
        ..ChurnConfig::default()
    };
    let err = ChurnEngine::new(config).unwrap_err();
    assert_eq!(
        err.problems()
            .iter()
            .map(|p| (p.field.as_str(), p.rule))
            .collect::<Vec<_>>(),
        vec![
            ("params.spend_level_half_amount", Rule::Positive),
            ("params.purchase_model.alpha", Rule::Positive),
            ("params.purchase_model.horizon_days", Rule::Positive),
        ]
    );
}

#[test]
fn ranking_puts_the_riskiest_first_and_reports_every_bad_customer() {
    let customers = vec![steady(7, 10, 2), steady(7, 10, 60), steady(7, 10, 2)];
    let ranked = engine().rank(&customers, now()).unwrap();
    let order: Vec<usize> = ranked.iter().map(|r| r.index).collect();
    assert_eq!(order, vec![1, 0, 2]);
    assert!(ranked[0].churn.score > ranked[1].churn.score);
    let mut bad = customers;
    bad[2].purchases[0].amount = dec!(-1);
    bad[0].signup_date = Some(day(2027, 1, 1));
    let err = engine().rank(&bad, now()).unwrap_err();
    assert_eq!(err.code(), "CHURN_INVALID_INPUT");
    let ChurnError::InvalidInput(e) = err else {
        panic!("expected invalid input");
    };
    assert_eq!(
        e.fields(),
        [
            "customers[0].signup_date",
            "customers[2].purchases[0].amount"
        ]
    );
}
