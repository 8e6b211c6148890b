//! The transition table row by row, the holiday rule, late events, and the invariants of
//! rules section 3 as properties (with a naive day-by-day fold as the reference).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::notification::TemplateSet;
use crate::record::{Customer, DeliveryRecord, Order, Record, Subscription};

use ActivationState::*;

const C: &str = "C1";

fn day(n: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Days::new(n)
}

/// 10:00 business-local on day `n`.
fn at(n: u64) -> DateTime<Utc> {
    ActivationConfig::default().zone.start_of(day(n)) + Duration::hours(10)
}

fn event(kind: EventKind, when: DateTime<Utc>, sequence: u64, reference: &str) -> ActivationEvent {
    let (order_id, subscription_id) = match kind {
        EventKind::SignedUp => (None, None),
        EventKind::OrderPlaced => (Some(reference.to_owned()), None),
        EventKind::SubscriptionStarted => (None, Some(reference.to_owned())),
        EventKind::DeliveryCompleted if reference.starts_with('S') => {
            (None, Some(reference.to_owned()))
        }
        EventKind::DeliveryCompleted => (Some(reference.to_owned()), None),
    };
    ActivationEvent {
        customer_id: C.to_owned(),
        kind,
        at: when,
        sequence,
        order_id,
        subscription_id,
    }
}

fn signup(n: u64) -> ActivationEvent {
    event(EventKind::SignedUp, at(n), 0, "")
}

fn history(events: Vec<ActivationEvent>, subscriptions: Vec<Subscription>) -> CustomerHistory {
    CustomerHistory {
        customer_id: C.to_owned(),
        events,
        subscriptions,
    }
}

fn replay(events: Vec<ActivationEvent>, now_day: u64) -> CustomerActivation {
    CustomerActivation::replay(
        history(events, vec![]),
        at(now_day),
        ActivationConfig::default(),
    )
    .unwrap()
}

fn moves(c: &CustomerActivation) -> Vec<(Option<ActivationState>, ActivationState)> {
    c.timeline().iter().map(|t| (t.from, t.to)).collect()
}

fn templates(c: &CustomerActivation) -> Vec<String> {
    c.intents(c.timeline())
        .into_iter()
        .map(|i| i.template)
        .collect()
}

fn daily_subscription(id: &str, start: u64, pauses: &[(u64, u64)]) -> Subscription {
    let pauses: Vec<String> = pauses
        .iter()
        .map(|(f, t)| format!(r#"{{"from": "{}", "to": "{}"}}"#, day(*f), day(*t)))
        .collect();
    Subscription::from_json(&format!(
        r#"{{"id": "{id}", "customer_id": "{C}", "product_id": "P", "quantity": "1",
            "schedule": "daily", "start_date": "{}", "pauses": [{}]}}"#,
        day(start),
        pauses.join(",")
    ))
    .unwrap()
}

// ---- the table, row by row ----------------------------------------------------------------

#[test]
fn signup_makes_a_new_customer_and_says_welcome() {
    let c = replay(vec![signup(0)], 0);
    assert_eq!(moves(&c), [(None, New)]);
    assert_eq!(templates(&c), ["welcome"]);
    assert_eq!(c.dates().signed_up_at, Some(at(0)));
}

#[test]
fn a_new_customer_stays_new_however_long_nothing_happens() {
    let c = replay(vec![signup(0)], 400);
    assert_eq!(c.state(), Some(New));
}

#[test]
fn the_first_order_or_subscription_onboards_with_an_order_confirmation() {
    for kind in [EventKind::OrderPlaced, EventKind::SubscriptionStarted] {
        let reference = if kind == EventKind::OrderPlaced {
            "O1"
        } else {
            "S1"
        };
        let c = replay(vec![signup(0), event(kind, at(1), 1, reference)], 1);
        assert_eq!(moves(&c)[1], (Some(New), Onboarded));
        let intents = c.intents(c.timeline());
        assert_eq!(intents[1].template, "order_confirmation");
        assert_eq!(intents[1].variables["order_id"], reference);
        assert_eq!(c.dates().first_order_at, Some(at(1)));
    }
}

#[test]
fn the_first_delivery_activates_from_new_or_onboarded_with_thanks() {
    let direct = replay(
        vec![
            signup(0),
            event(EventKind::DeliveryCompleted, at(1), 1, "S1"),
        ],
        1,
    );
    assert_eq!(moves(&direct)[1], (Some(New), Active));
    let onboarded = replay(
        vec![
            signup(0),
            event(EventKind::OrderPlaced, at(1), 1, "O1"),
            event(EventKind::DeliveryCompleted, at(2), 2, "O1"),
        ],
        2,
    );
    assert_eq!(moves(&onboarded)[2], (Some(Onboarded), Active));
    assert_eq!(templates(&onboarded)[2], "thank_you_upsell");
    assert_eq!(onboarded.dates().first_delivery_at, Some(at(2)));
}

fn orders_delivered(days: &[u64]) -> Vec<ActivationEvent> {
    let mut events = vec![signup(0)];
    for (i, d) in days.iter().enumerate() {
        events.push(event(
            EventKind::DeliveryCompleted,
            at(*d),
            i as u64 + 1,
            &format!("O{i}"),
        ));
    }
    events
}

#[test]
fn three_delivered_orders_in_thirty_days_make_an_engaged_customer_the_next_morning() {
    let c = replay(orders_delivered(&[1, 10, 20]), 21);
    let last = c.timeline().last().unwrap();
    assert_eq!((last.from, last.to), (Some(Active), Engaged));
    assert_eq!(last.at, ActivationConfig::default().zone.start_of(day(21)));
    assert_eq!(
        last.cause,
        Cause::Sweep {
            rule: SweepRule::Engagement
        }
    );
    assert_eq!(templates(&c).last().unwrap(), "vip_welcome");
    let two = replay(orders_delivered(&[1, 10]), 25);
    assert_eq!(two.state(), Some(Active));
}

#[test]
fn the_timeline_answers_as_of_questions() {
    let c = replay(orders_delivered(&[5]), 100);
    let zone = ActivationConfig::default().zone;
    assert_eq!(c.state_at(at(0) - Duration::hours(1)), None);
    assert_eq!(c.state_at(at(20)).map(|t| t.to), Some(Active));
    let inactive = c.state_at(zone.start_of(day(35))).unwrap();
    assert_eq!(inactive.to, Inactive);
    assert_eq!(
        inactive.cause,
        Cause::Sweep {
            rule: SweepRule::Inactivity
        }
    );
    assert_eq!(c.state_at(at(99)).map(|t| t.to), Some(Churned));
}

#[test]
fn an_engaged_customer_falls_back_to_active_when_the_window_empties() {
    // The window of day D is D-30 ..= D-1: the delivery of day 1 leaves it on day 32.
    let c = replay(orders_delivered(&[1, 10, 20]), 31);
    assert_eq!(c.state(), Some(Engaged));
    let c = replay(orders_delivered(&[1, 10, 20]), 32);
    let lapse = c.timeline().last().unwrap();
    assert_eq!((lapse.from, lapse.to), (Some(Engaged), Active));
    assert_eq!(
        lapse.cause,
        Cause::Sweep {
            rule: SweepRule::EngagementLapsed
        }
    );
    assert_eq!(lapse.at, ActivationConfig::default().zone.start_of(day(32)));
    assert_eq!(lapse.message(), None);
}

#[test]
fn twenty_delivery_days_of_one_subscription_engage() {
    let mut events = vec![
        signup(0),
        event(EventKind::SubscriptionStarted, at(1), 1, "S1"),
    ];
    for d in 1..=20 {
        events.push(event(EventKind::DeliveryCompleted, at(d), d + 1, "S1"));
    }
    let c = replay(events.clone(), 21);
    assert_eq!(c.state(), Some(Engaged));
    events.pop();
    let c = replay(events, 21);
    assert_eq!(c.state(), Some(Active));
}

#[test]
fn thirty_days_without_activity_make_inactive_and_sixty_churned() {
    let c = replay(orders_delivered(&[5]), 100);
    let zone = ActivationConfig::default().zone;
    let tail: Vec<_> = c.timeline()[2..]
        .iter()
        .map(|t| (t.from, t.to, t.at))
        .collect();
    assert_eq!(
        tail,
        [
            (Some(Active), Inactive, zone.start_of(day(35))),
            (Some(Inactive), Churned, zone.start_of(day(65))),
        ]
    );
    assert_eq!(templates(&c)[2..], ["we_miss_you", "last_chance"]);
    let intents = c.intents(c.timeline());
    assert_eq!(
        intents[2].variables["last_activity_date"],
        day(5).to_string()
    );
    assert_eq!(c.dates().churned_on, Some(day(65)));
}

#[test]
fn an_engaged_customer_without_activity_goes_straight_to_inactive() {
    // Only a window longer than the inactivity threshold leaves a customer engaged that long.
    let config = ActivationConfig {
        engaged_window_days: 40,
        ..ActivationConfig::default()
    };
    let c = CustomerActivation::replay(
        history(orders_delivered(&[1, 2, 3]), vec![]),
        at(40),
        config,
    )
    .unwrap();
    let last = c.timeline().last().unwrap();
    assert_eq!((last.from, last.to), (Some(Engaged), Inactive));
    assert_eq!(last.at, config.zone.start_of(day(33)));
}

#[test]
fn activity_brings_inactive_and_churned_customers_back_with_welcome_back() {
    for (back_on, from) in [(50, Inactive), (90, Churned)] {
        for kind in [
            EventKind::OrderPlaced,
            EventKind::SubscriptionStarted,
            EventKind::DeliveryCompleted,
        ] {
            let mut events = orders_delivered(&[5]);
            let reference = if kind == EventKind::SubscriptionStarted {
                "S9"
            } else {
                "O9"
            };
            events.push(event(kind, at(back_on), 10, reference));
            let c = replay(events, back_on);
            assert_eq!(moves(&c).last(), Some(&(Some(from), Active)));
            assert_eq!(templates(&c).last().unwrap(), "welcome_back");
        }
    }
}

#[test]
fn every_intent_renders_with_the_default_templates() {
    let mut events = orders_delivered(&[2, 3, 4]);
    events.insert(1, event(EventKind::OrderPlaced, at(1), 9, "O0"));
    events.push(event(EventKind::OrderPlaced, at(120), 20, "O7"));
    let c = replay(events, 120);
    let set = TemplateSet::default();
    let rendered: Vec<String> = c
        .intents(c.timeline())
        .iter()
        .map(|i| set.render_intent(i).unwrap())
        .collect();
    let all: BTreeSet<_> = templates(&c).into_iter().collect();
    assert_eq!(
        all,
        [
            "last_chance",
            "order_confirmation",
            "thank_you_upsell",
            "vip_welcome",
            "we_miss_you",
            "welcome",
            "welcome_back"
        ]
        .map(String::from)
        .into_iter()
        .collect()
    );
    assert!(rendered.contains(&"Order #O0 confirmed".to_owned()));
}

// ---- holidays, late events, validation -----------------------------------------------------

#[test]
fn days_when_every_subscription_is_paused_do_not_count_towards_inactivity() {
    let events = vec![
        signup(0),
        event(EventKind::SubscriptionStarted, at(1), 1, "S1"),
        event(EventKind::DeliveryCompleted, at(1), 2, "S1"),
    ];
    // Paused from day 2 to day 21 (20 days): inactive on day 51 instead of 31.
    let subscriptions = vec![daily_subscription("S1", 1, &[(2, 21)])];
    let config = ActivationConfig::default();
    let c = CustomerActivation::replay(
        history(events.clone(), subscriptions.clone()),
        at(60),
        config,
    )
    .unwrap();
    let inactive = c.timeline().iter().find(|t| t.to == Inactive).unwrap();
    assert_eq!(inactive.at, config.zone.start_of(day(51)));
    // A second subscription still running means it was no holiday.
    let both = vec![subscriptions[0].clone(), daily_subscription("S2", 1, &[])];
    let c = CustomerActivation::replay(history(events.clone(), both), at(60), config).unwrap();
    let inactive = c.timeline().iter().find(|t| t.to == Inactive).unwrap();
    assert_eq!(inactive.at, config.zone.start_of(day(31)));
    // The rule can be switched off.
    let off = ActivationConfig {
        holidays_pause_inactivity: false,
        ..config
    };
    let c = CustomerActivation::replay(history(events, subscriptions), at(60), off).unwrap();
    let inactive = c.timeline().iter().find(|t| t.to == Inactive).unwrap();
    assert_eq!(inactive.at, config.zone.start_of(day(31)));
}

#[test]
fn a_late_event_is_accepted_and_the_history_recomputed() {
    let mut c = replay(orders_delivered(&[5]), 50);
    assert_eq!(c.state(), Some(Inactive));
    let recorded = c
        .record(event(EventKind::DeliveryCompleted, at(30), 7, "O7"))
        .unwrap();
    assert!(recorded.late && recorded.rewrote_history);
    // Activity on day 30 moves inactivity to day 60, which has not come yet (as of day 50).
    assert_eq!(c.state(), Some(Active));
    assert_eq!(c, {
        let mut events = orders_delivered(&[5]);
        events.push(event(EventKind::DeliveryCompleted, at(30), 7, "O7"));
        replay(events, 50)
    });
    let fresh = c
        .record(event(EventKind::OrderPlaced, at(50), 8, "O8"))
        .unwrap();
    assert!(!fresh.late && fresh.transitions.is_empty());
}

#[test]
fn bad_histories_report_every_problem() {
    let mut wrong = event(EventKind::OrderPlaced, at(1), 1, "O1");
    wrong.customer_id = "C2".into();
    wrong.order_id = None;
    let events = vec![
        event(EventKind::DeliveryCompleted, at(2), 2, "O1"),
        wrong,
        event(EventKind::DeliveryCompleted, at(2), 2, "O2"),
    ];
    let err =
        CustomerActivation::replay(history(events, vec![]), at(3), ActivationConfig::default())
            .unwrap_err();
    assert_eq!(err.code(), "VALIDATION_FAILED");
    let ActivationError::Invalid(e) = err else {
        panic!()
    };
    assert_eq!(
        e.fields(),
        [
            "events[1].customer_id",
            "events[1].kind",
            "events[2].sequence",
            "events"
        ]
    );
}

#[test]
fn recording_a_second_signup_or_activity_before_signup_is_refused() {
    let mut c = replay(vec![signup(5)], 5);
    let err = c
        .record(event(EventKind::SignedUp, at(6), 1, ""))
        .unwrap_err();
    assert_eq!(err.code(), "VALIDATION_FAILED");
    let err = c
        .record(event(EventKind::OrderPlaced, at(1), 2, "O1"))
        .unwrap_err();
    let ActivationError::Invalid(e) = err else {
        panic!()
    };
    assert_eq!(e.fields(), ["event.at"]);
}

#[test]
fn the_sweep_takes_its_now_from_an_injected_clock() {
    let mut c = replay(orders_delivered(&[5]), 5);
    let made = c.sweep_with(&FixedClock(at(40)));
    assert_eq!(made.len(), 1);
    assert!(c.sweep_with(&FixedClock(at(40))).is_empty());
}

#[test]
fn a_whole_base_sweeps_in_one_call_with_the_same_result_on_any_number_of_threads() {
    let config = ActivationConfig::default();
    let histories: Vec<CustomerHistory> = (0..50u64)
        .map(|n| {
            let id = format!("C{n:02}");
            let mut events = orders_delivered(&[1 + n % 7, 3 + n % 11, 4 + n % 13]);
            for e in &mut events {
                e.customer_id.clone_from(&id);
            }
            CustomerHistory {
                customer_id: id,
                events,
                subscriptions: vec![],
            }
        })
        .collect();
    let mut customers: Vec<CustomerActivation> = replay_all(histories, at(10), config)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let mut snapshots: Vec<CustomerSnapshot> = customers.iter().map(|c| c.snapshot()).collect();
    let mut single = snapshots.clone();
    let made = sweep_customers(&mut customers, at(80));
    let swept = sweep_snapshots(&mut snapshots, at(80), &config);
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let swept_single = one_thread.install(|| sweep_snapshots(&mut single, at(80), &config));
    assert_eq!(made, swept);
    assert_eq!(swept, swept_single);
    assert!(
        made.windows(2)
            .all(|w| w[0].customer_id <= w[1].customer_id)
    );
    assert_eq!(
        made.iter().filter(|t| t.transition.to == Churned).count(),
        50
    );
}

// ---- backfill and metrics ------------------------------------------------------------------

#[test]
fn backfill_derives_the_events_from_existing_records() {
    let customer = Customer::from_json(
        r#"{"id": "C1", "name": "Asha", "phone": "9876543210", "signup_date": "2026-01-01"}"#,
    )
    .unwrap();
    let order = Order::from_json(
        r#"{"id": "O1", "customer_id": "C1", "delivery_date": "2026-01-03", "status": "DELIVERED",
            "created_at": "2026-01-02T05:00:00Z",
            "items": [{"product_id": "P", "quantity": "1", "unit_price": "30"}]}"#,
    )
    .unwrap();
    let delivery = DeliveryRecord::from_json(
        r#"{"id": "D1", "customer_id": "C1", "date": "2026-01-10", "subscription_id": "S1",
            "product_id": "P", "ordered_quantity": "1", "delivered_quantity": "1",
            "status": "DELIVERED"}"#,
    )
    .unwrap();
    let subscription = daily_subscription("S1", 9, &[]);
    let records = CustomerRecords {
        customer: &customer,
        orders: std::slice::from_ref(&order),
        deliveries: std::slice::from_ref(&delivery),
        subscriptions: std::slice::from_ref(&subscription),
    };
    let config = ActivationConfig::default();
    let events = backfill_events(records, &config).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "signed_up",
            "order_placed",
            "delivery_completed",
            "subscription_started",
            "delivery_completed"
        ]
    );
    assert_eq!(events[4].subscription_id.as_deref(), Some("S1"));
    let c = backfill(records, at(10), config).unwrap();
    assert_eq!(c.state(), Some(Active));
    let mut stranger = order.clone();
    stranger.customer_id = "C9".into();
    let err = backfill_events(
        CustomerRecords {
            orders: std::slice::from_ref(&stranger),
            ..records
        },
        &config,
    )
    .unwrap_err();
    let ActivationError::Invalid(e) = err else {
        panic!()
    };
    assert_eq!(e.fields(), ["orders[0].customer_id"]);
}

#[test]
fn metrics_count_states_stalls_the_funnel_and_revenue() {
    let config = ActivationConfig::default();
    let new_stalled = replay(vec![signup(0)], 0);
    let onboarded = replay(
        vec![signup(0), event(EventKind::OrderPlaced, at(1), 1, "O1")],
        1,
    );
    let retained = replay(orders_delivered(&[1, 20, 40]), 40);
    let lapsed = replay(orders_delivered(&[1]), 40);
    let snapshots: Vec<_> = [&new_stalled, &onboarded, &retained, &lapsed]
        .iter()
        .zip(["C1", "C2", "C3", "C4"])
        .map(|(c, id)| CustomerSnapshot {
            customer_id: id.to_owned(),
            ..c.snapshot()
        })
        .collect();
    let bills = BTreeMap::from([
        ("C3".to_owned(), Decimal::new(54000, 2)),
        ("C9".to_owned(), Decimal::new(100, 0)),
    ]);
    let m = metrics(&snapshots, &bills, at(45), &config);
    assert_eq!(m.per_state[&New], 1);
    assert_eq!(m.per_state[&Onboarded], 1);
    assert_eq!(m.per_state[&Active], 1);
    assert_eq!(m.per_state[&Inactive], 1);
    assert_eq!(
        m.stalled,
        Stalled {
            new: 1,
            onboarded: 1
        }
    );
    let counts: Vec<_> = m
        .funnel
        .steps
        .iter()
        .map(|s| (s.customers, s.eligible))
        .collect();
    assert_eq!(counts, [(4, 4), (3, 4), (2, 3), (1, 2)]);
    assert_eq!(m.funnel.steps[3].rate_from_previous.to_string(), "0.5");
    assert_eq!(m.revenue_per_state[&Active], Decimal::new(54000, 2));
    assert_eq!(m.revenue_unmatched, Decimal::new(100, 0));
    let text = funnel_text(&m.funnel);
    assert!(text.contains("active_30_days_later"), "{text}");
}

#[test]
fn the_activity_table_comes_from_folded_customers_and_prints() {
    let c = replay(orders_delivered(&[1, 8, 15]), 20);
    let table = ActivityTable::from_customers(std::slice::from_ref(&c));
    assert_eq!(table.len(), 1);
    let weekly = cohort_retention(&table, Granularity::Week, day(20));
    // 1 January 2026 is a Thursday: its week starts on Monday 29 December.
    assert_eq!(
        weekly.rows[0].cohort,
        NaiveDate::from_ymd_opt(2025, 12, 29).unwrap()
    );
    assert_eq!(weekly.rows[0].active, [1, 1, 1, 0]);
    let text = cohort_text(&weekly, 3);
    assert!(
        text.contains("2025-12-29") && text.contains("100.0%"),
        "{text}"
    );
    assert!(!text.contains("W3"), "{text}");
}

#[test]
fn stalled_starts_after_seven_days_new_and_at_forty_eight_hours_onboarded() {
    let config = ActivationConfig::default();
    let new = replay(vec![signup(0)], 0).snapshot();
    let onboarded = replay(
        vec![signup(0), event(EventKind::OrderPlaced, at(1), 1, "O1")],
        1,
    )
    .snapshot();
    let stalled = |c: &CustomerSnapshot, now| {
        metrics(std::slice::from_ref(c), &BTreeMap::new(), now, &config).stalled
    };
    let second = Duration::seconds(1);
    assert_eq!(stalled(&new, at(7)).new, 0);
    assert_eq!(stalled(&new, at(7) + second).new, 1);
    assert_eq!(stalled(&onboarded, at(3) - second).onboarded, 0);
    assert_eq!(stalled(&onboarded, at(3)).onboarded, 1);
}

// ---- properties ----------------------------------------------------------------------------

/// The reference: the sweep evaluated on every single day, counting windows and holidays
/// from the raw events, written without any of the engine's shortcuts.
fn naive_fold(
    events: &[ActivationEvent],
    holidays: &Holidays,
    config: &ActivationConfig,
    until: NaiveDate,
) -> (Option<ActivationState>, Vec<Transition>) {
    let mut sorted = events.to_vec();
    sorted.sort_by_key(ActivationEvent::key);
    let zone = config.zone;
    let mut state: Option<ActivationState> = None;
    let mut timeline = Vec::new();
    let mut applied: Vec<&ActivationEvent> = Vec::new();
    let mut today: Option<NaiveDate> = None;
    let sweep = |d: NaiveDate,
                 state: &mut Option<ActivationState>,
                 applied: &[&ActivationEvent],
                 timeline: &mut Vec<Transition>| {
        let last = applied
            .iter()
            .filter(|e| e.kind.is_activity())
            .map(|e| zone.date_of(e.at))
            .max();
        let Some(last) = last else { return };
        let mut elapsed = 0;
        let mut x = last.succ_opt().unwrap();
        while x <= d {
            if !(config.holidays_pause_inactivity && holidays.contains(x)) {
                elapsed += 1;
            }
            x = x.succ_opt().unwrap();
        }
        let window_start = d - Days::new(u64::from(config.engaged_window_days));
        let in_window = |e: &&&ActivationEvent| {
            let day = zone.date_of(e.at);
            e.kind == EventKind::DeliveryCompleted && window_start <= day && day < d
        };
        let orders: BTreeSet<_> = applied
            .iter()
            .filter(in_window)
            .filter_map(|e| e.order_id.clone())
            .collect();
        let mut per_subscription: BTreeMap<String, BTreeSet<NaiveDate>> = BTreeMap::new();
        for e in applied.iter().filter(in_window) {
            if let Some(s) = &e.subscription_id {
                per_subscription
                    .entry(s.clone())
                    .or_default()
                    .insert(zone.date_of(e.at));
            }
        }
        let engaged = orders.len() >= config.engaged_min_orders as usize
            || per_subscription
                .values()
                .any(|days| days.len() >= config.engaged_min_subscription_days as usize);
        let next = match *state {
            Some(Active | Engaged) if elapsed >= config.inactive_after_days => {
                Some((Inactive, SweepRule::Inactivity))
            }
            Some(Active) if engaged => Some((Engaged, SweepRule::Engagement)),
            Some(Engaged) if !engaged => Some((Active, SweepRule::EngagementLapsed)),
            Some(Inactive) if elapsed >= config.churned_after_days => {
                Some((Churned, SweepRule::Churn))
            }
            _ => None,
        };
        if let Some((to, rule)) = next {
            timeline.push(Transition {
                from: *state,
                to,
                cause: Cause::Sweep { rule },
                at: zone.start_of(d),
                last_activity_on: Some(last),
            });
            *state = Some(to);
        }
    };
    for e in &sorted {
        let d = zone.date_of(e.at);
        if let Some(mut t) = today {
            while t < d {
                t = t.succ_opt().unwrap();
                sweep(t, &mut state, &applied, &mut timeline);
            }
        }
        today = Some(d);
        applied.push(e);
        if let Some((to, _)) = table::on_event(state, e.kind) {
            timeline.push(Transition {
                from: state,
                to,
                cause: Cause::Event {
                    kind: e.kind,
                    sequence: e.sequence,
                    reference: e.reference().map(str::to_owned),
                },
                at: e.at,
                last_activity_on: applied
                    .iter()
                    .filter(|e| e.kind.is_activity())
                    .map(|e| zone.date_of(e.at))
                    .max(),
            });
            state = Some(to);
        }
    }
    if let Some(mut t) = today {
        while t < until {
            t = t.succ_opt().unwrap();
            sweep(t, &mut state, &applied, &mut timeline);
        }
    }
    (state, timeline)
}

prop_compose! {
    fn a_config()(
        engaged_min_orders in 1u32..4,
        window in 5u32..31,
        sub_share in 1u32..=100,
        inactive in 3u32..31,
        churn_extra in 1u32..31,
        holidays_pause_inactivity in any::<bool>(),
    ) -> ActivationConfig {
        ActivationConfig {
            engaged_min_orders,
            engaged_window_days: window,
            engaged_min_subscription_days: (window * sub_share / 100).max(1),
            inactive_after_days: inactive,
            churned_after_days: inactive + churn_extra,
            holidays_pause_inactivity,
            ..ActivationConfig::default()
        }
    }
}

/// One generated piece of activity: (day, minute of day, kind 0-4, run length).
fn a_history() -> impl Strategy<Value = (Vec<ActivationEvent>, Vec<Subscription>)> {
    (
        0u64..5,
        prop::collection::vec((0u64..200, 0i64..1440, 0u8..5, 1u64..25), 0..14),
        prop::collection::vec((0u64..200, 0u64..40), 0..3),
    )
        .prop_map(|(signup_day, pieces, pauses)| {
            let zone = ActivationConfig::default().zone;
            let mut events = vec![event(
                EventKind::SignedUp,
                zone.start_of(day(signup_day)),
                0,
                "",
            )];
            let mut seq = 1;
            for (i, (d, minute, kind, run)) in pieces.into_iter().enumerate() {
                let when = |d: u64| zone.start_of(day(signup_day + d)) + Duration::minutes(minute);
                let mut push = |kind, when, reference: String| {
                    events.push(event(kind, when, seq, &reference));
                    seq += 1;
                };
                match kind {
                    0 => push(EventKind::OrderPlaced, when(d), format!("O{i}")),
                    1 => push(
                        EventKind::SubscriptionStarted,
                        when(d),
                        format!("S{}", i % 2),
                    ),
                    2 => push(EventKind::DeliveryCompleted, when(d), format!("O{i}")),
                    3 => {
                        for k in 0..run.min(4) {
                            push(
                                EventKind::DeliveryCompleted,
                                when(d + k * 3),
                                format!("O{i}x{k}"),
                            );
                        }
                    }
                    _ => {
                        for k in 0..run {
                            push(
                                EventKind::DeliveryCompleted,
                                when(d + k),
                                format!("S{}", i % 2),
                            );
                        }
                    }
                }
            }
            let pauses: Vec<(u64, u64)> = pauses
                .into_iter()
                .map(|(from, len)| (signup_day + from, signup_day + from + len))
                .collect();
            let subscriptions = vec![daily_subscription("S0", signup_day, &pauses)];
            (events, subscriptions)
        })
}

fn replay_with(
    events: Vec<ActivationEvent>,
    subscriptions: Vec<Subscription>,
    now: DateTime<Utc>,
    config: ActivationConfig,
) -> CustomerActivation {
    CustomerActivation::replay(history(events, subscriptions), now, config).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_day_jumping_fold_equals_a_sweep_run_every_morning(
        (events, subscriptions) in a_history(),
        config in a_config(),
        now_day in 0u64..320,
    ) {
        let now = at(now_day);
        let c = replay_with(events.clone(), subscriptions.clone(), now, config);
        let holidays = if config.holidays_pause_inactivity {
            Holidays::from_subscriptions(&subscriptions)
        } else {
            Holidays::none()
        };
        let (state, timeline) = naive_fold(&events, &holidays, &config, config.zone.date_of(now));
        prop_assert_eq!(c.timeline(), &timeline[..]);
        prop_assert_eq!(c.state(), state);
    }

    #[test]
    fn any_arrival_order_gives_the_same_state_and_timeline(
        (events, subscriptions) in a_history(),
        config in a_config(),
        shuffle in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
        now_day in 0u64..320,
    ) {
        let now = at(now_day);
        let reference = replay_with(events.clone(), subscriptions.clone(), now, config);
        let mut arrival = events.clone();
        for (i, index) in shuffle.iter().enumerate() {
            let n = arrival.len();
            arrival.swap(i % n, index.index(n));
        }
        let shuffled = replay_with(arrival.clone(), subscriptions.clone(), now, config);
        prop_assert_eq!(shuffled.timeline(), reference.timeline());
        prop_assert_eq!(shuffled.state(), reference.state());
        // One by one, late ones included, with sweeps in between.
        let signup = events[0].clone();
        let mut live = replay_with(vec![signup.clone()], subscriptions, signup.at, config);
        for (i, e) in arrival.into_iter().filter(|e| e.kind != EventKind::SignedUp).enumerate() {
            if i % 3 == 0 {
                live.sweep(e.at);
            }
            live.record(e).unwrap();
        }
        live.sweep(now);
        prop_assert_eq!(live.timeline(), reference.timeline());
        prop_assert_eq!(live.dates(), reference.dates());
    }

    #[test]
    fn no_transition_outside_the_table_ever_happens(
        (events, subscriptions) in a_history(),
        config in a_config(),
        now_day in 0u64..320,
    ) {
        let c = replay_with(events, subscriptions, at(now_day), config);
        let mut state = None;
        for t in c.timeline() {
            prop_assert!(table::allowed(t), "{:?}", t);
            prop_assert_eq!(t.from, state);
            state = Some(t.to);
        }
        prop_assert_eq!(state, c.state());
    }

    #[test]
    fn the_sweep_is_idempotent_at_the_same_now_and_the_snapshot_sweep_agrees(
        (events, subscriptions) in a_history(),
        config in a_config(),
        first in 0u64..200,
        later in 0u64..200,
    ) {
        let mut c = replay_with(events.clone(), subscriptions.clone(), at(first), config);
        let mut snapshots = vec![c.snapshot()];
        let now = at(first + later);
        let made = c.sweep(now);
        prop_assert!(c.sweep(now).is_empty());
        let swept = sweep_snapshots(&mut snapshots, now, &config);
        prop_assert!(sweep_snapshots(&mut snapshots, now, &config).is_empty());
        let swept: Vec<_> = swept.into_iter().map(|s| s.transition).collect();
        prop_assert_eq!(&swept, &made);
        let direct = replay_with(events, subscriptions, now, config);
        prop_assert_eq!(direct.timeline(), c.timeline());
        prop_assert_eq!(snapshots[0].snapshot, c.snapshot().snapshot);
    }

    #[test]
    fn thresholds_from_the_configuration_move_the_sweep_rows(
        inactive in 1u32..90,
        churn_extra in 1u32..90,
        orders in 1u32..6,
        min_orders in 1u32..6,
    ) {
        let config = ActivationConfig {
            inactive_after_days: inactive,
            churned_after_days: inactive + churn_extra,
            engaged_min_orders: min_orders,
            ..ActivationConfig::default()
        };
        let days: Vec<u64> = (1..=u64::from(orders)).collect();
        let last = u64::from(orders);
        let c = CustomerActivation::replay(
            history(orders_delivered(&days), vec![]),
            at(last + u64::from(inactive + churn_extra) + 5),
            config,
        ).unwrap();
        let when = |to| c.timeline().iter().rev().find(|t| t.to == to).map(|t| t.at);
        prop_assert_eq!(when(Inactive), Some(config.zone.start_of(day(last + u64::from(inactive)))));
        prop_assert_eq!(
            when(Churned),
            Some(config.zone.start_of(day(last + u64::from(inactive + churn_extra))))
        );
        prop_assert_eq!(when(Engaged).is_some(), orders >= min_orders && inactive > 1);
    }
}
