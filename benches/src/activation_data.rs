//! A deterministic generator of customer histories for the activation benchmark.
//!
//! Shapes, per customer: 20 % sign up and never order; 10 % place one order that is never
//! delivered (stalled); 40 % buy one-time orders (1-8 orders, each placed and delivered the
//! next morning, 2-40 days apart); 30 % subscribe (a subscription started, then 5-27
//! consecutive daily deliveries, a third of them followed by a holiday pause). That is about
//! 8.5 activity events per customer, all within two years before "now".

use chrono::{DateTime, Duration, NaiveDate, Utc};
use earlybird::activation::{ActivationEvent, CustomerHistory, EventKind};
use earlybird::record::{Pause, Schedule, Subscription, SubscriptionStatus};
use earlybird::time::BusinessZone;
use rust_decimal::Decimal;

/// SplitMix64: small, fast and the same on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low)
    }
}

/// The history of customer number `n` up to the start of `today` (the same for the same
/// `n` and `today`).
pub fn history(n: u64, today: NaiveDate) -> CustomerHistory {
    let zone = BusinessZone::default();
    let mut rng = SplitMix::new(n.wrapping_mul(0xA24B_AED4_963E_E407) ^ 0x5EED);
    let id = format!("C{n:07}");
    let signup_day = today - chrono::Days::new(rng.range(1, 730));
    let at = |day: NaiveDate, minutes: u64| -> DateTime<Utc> {
        zone.start_of(day) + Duration::minutes(minutes as i64)
    };
    let mut events = Vec::new();
    let mut sequence = 0;
    let mut push = |kind, when, order_id: Option<String>, subscription_id: Option<String>| {
        sequence += 1;
        events.push(ActivationEvent {
            customer_id: id.clone(),
            kind,
            at: when,
            sequence,
            order_id,
            subscription_id,
        });
    };
    push(
        EventKind::SignedUp,
        at(signup_day, rng.range(360, 1320)),
        None,
        None,
    );
    let mut subscriptions = Vec::new();
    let shape = rng.range(0, 100);
    let mut day = signup_day + chrono::Days::new(rng.range(1, 10));
    if (20..30).contains(&shape) {
        push(
            EventKind::OrderPlaced,
            at(day, rng.range(360, 1320)),
            Some(format!("{id}-O0")),
            None,
        );
    } else if (30..70).contains(&shape) {
        for k in 0..rng.range(1, 9) {
            let order = format!("{id}-O{k}");
            push(
                EventKind::OrderPlaced,
                at(day, rng.range(600, 1320)),
                Some(order.clone()),
                None,
            );
            push(
                EventKind::DeliveryCompleted,
                at(day + chrono::Days::new(1), rng.range(300, 480)),
                Some(order),
                None,
            );
            day = day + chrono::Days::new(rng.range(2, 41));
        }
    } else if shape >= 70 {
        let subscription = format!("{id}-S");
        push(
            EventKind::SubscriptionStarted,
            at(day, rng.range(600, 1320)),
            None,
            Some(subscription.clone()),
        );
        let deliveries = rng.range(5, 28);
        for k in 1..=deliveries {
            push(
                EventKind::DeliveryCompleted,
                at(day + chrono::Days::new(k), rng.range(300, 480)),
                None,
                Some(subscription.clone()),
            );
        }
        let mut pauses = Vec::new();
        if rng.range(0, 3) == 0 {
            let from = day + chrono::Days::new(deliveries + 1);
            pauses.push(Pause {
                from,
                to: from + chrono::Days::new(rng.range(5, 40)),
            });
        }
        subscriptions.push(Subscription {
            id: subscription,
            customer_id: id.clone(),
            product_id: "P1".into(),
            quantity: Decimal::ONE,
            schedule: Schedule::Daily,
            start_date: day + chrono::Days::new(1),
            end_date: None,
            pauses,
            price_override: None,
            status: SubscriptionStatus::Active,
        });
    }
    let cutoff = zone.start_of(today);
    events.retain(|e| e.at < cutoff);
    CustomerHistory {
        customer_id: id,
        events,
        subscriptions,
    }
}
