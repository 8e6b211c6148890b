//! The EarlyBird demo: the engines on a small, realistic sample of the business's documents.
//!
//! Run with `cargo run --release --example demo [path/to/earlybird.sqlite]`. It reads
//! `examples/data/sample.json` (a MongoDB-shaped export of 48 Bengaluru customers), shows how
//! bad documents are refused, stores the rest in an SQLite file (the embedded default;
//! `demo-output/earlybird.sqlite` unless a path is given), runs this morning's orders through
//! their lifecycle and prints the audit trail, prints tomorrow's demand from the
//! subscription schedules, and finalizes October's bills into the file through the service.
//! A second run continues from the same file (October is then already billed).

use std::collections::BTreeMap;
use std::error::Error as StdError;

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::activation::{
    self, ActivationConfig, ActivityTable, CustomerRecords, Granularity, backfill, cohort_retention,
};
use earlybird::billing::{self, Bill, LineKind, Month, WalletEntry, WalletEntryKind};
use earlybird::churn;
use earlybird::lifecycle::{self, Actor, Effect, OrderOutcome};
use earlybird::loyalty::{LoyaltyConfig, LoyaltyEvent, Program};
use earlybird::record::{Dataset, Order, OrderStatus};
use earlybird::routing::{
    self, Distances, Location, Plan, Problem, RouteEnd, SolveOptions, Speed, Stop, TimeWindow,
    Vehicle,
};
use earlybird::service::Service;
use earlybird::store::{ChangeSet, Expectation, SqlStore, Store, Write};
use earlybird::time::BusinessZone;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

type DemoResult<T = ()> = Result<T, Box<dyn StdError>>;

const SAMPLE: &str = include_str!("data/sample.json");

#[tokio::main(flavor = "current_thread")]
async fn main() -> DemoResult {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "demo-output/earlybird.sqlite".to_owned());
    if let Some(folder) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(folder)?;
    }
    let store = SqlStore::open_sqlite(&path).await?;

    let export: Value = serde_json::from_str(SAMPLE)?;
    let now: DateTime<Utc> = "2026-11-25T00:30:00Z".parse()?;
    let today = earlybird::time::business_date(now);
    println!(
        "EarlyBird core {} — demo at {now} (business date {today})\n",
        earlybird::VERSION
    );

    section("1. Documents in, as the MongoDB export has them");
    let (data, _) = Dataset::read_export(&export);
    println!(
        "read {} customers, {} products, {} subscriptions, {} orders, {} delivery records, {} payments",
        data.customers.len(),
        data.products.len(),
        data.subscriptions.len(),
        data.orders.len(),
        data.deliveries.len(),
        data.payments.len()
    );
    data.validate_references()?;
    println!("every reference between them resolves\n");
    let (_, rejected) = Dataset::read_export(&export["rejects"]);
    for r in &rejected {
        println!(
            "refused {}[{}] ({}):",
            r.collection,
            r.index,
            r.id.as_deref().unwrap_or("no id")
        );
        for p in &r.problems {
            println!("   - {p}");
        }
    }

    section("2. Stored in one transaction (SQLite, the embedded default)");
    if store.customers().await?.is_empty() {
        store.apply(load(&data)).await?;
        println!(
            "a new database at {path}: {} customers stored",
            store.customers().await?.len()
        );
    } else {
        println!(
            "continuing from {path}: {} customers already stored",
            store.customers().await?.len()
        );
    }

    section("3. This morning's one-time orders");
    let todays: Vec<Order> = store.orders_between(today, today).await?;
    for (n, order) in todays.iter().enumerate() {
        if order.status != OrderStatus::OutForDelivery {
            println!(
                "{} for {}: already {}",
                order.id, order.customer_id, order.status
            );
            continue;
        }
        let actor = Actor::new("DB_1", now + chrono::Duration::minutes(n as i64 * 7));
        // A realistic morning: most orders delivered in full, one short, one house locked.
        let delivered: Vec<Decimal> = order
            .items
            .iter()
            .map(|i| match n % 4 {
                1 => (i.quantity / Decimal::TWO).floor(),
                2 => Decimal::ZERO,
                _ => i.quantity,
            })
            .collect();
        let reason = (n % 4 == 2).then_some("house locked");
        let outcome = lifecycle::confirm_delivery(order, &delivered, reason, &actor)?;
        println!(
            "{} for {}: {:?} → {}",
            order.id, order.customer_id, outcome.effect, outcome.order.status
        );
        store.apply(stored_outcome(order, outcome)).await?;
    }

    let stored = store
        .order("ORD_TODAY_1")
        .await?
        .ok_or("the sample has ORD_TODAY_1")?;
    if stored.status == OrderStatus::Delivered {
        let actor = Actor::new("DB_1", now + chrono::Duration::minutes(30));
        let full: Vec<Decimal> = stored.items.iter().map(|i| i.quantity).collect();
        let repeat = lifecycle::confirm_delivery(&stored, &full, None, &actor)?;
        println!(
            "\nthe phone sends {}'s confirmation again: {:?} (nothing written)",
            stored.id, repeat.effect
        );
        let less: Vec<Decimal> = stored
            .items
            .iter()
            .map(|i| i.quantity - Decimal::ONE)
            .collect();
        match lifecycle::confirm_delivery(&stored, &less, None, &actor) {
            Err(e) => println!("a different confirmation is refused: [{}] {e}", e.code()),
            Ok(o) => println!("unexpected: {:?}", o.effect),
        }
        let support = Actor::new("SUPPORT_2", now + chrono::Duration::hours(3));
        let fixed = lifecycle::correct_delivery(
            &stored,
            &less,
            "customer returned one, leaking",
            &support,
        )?;
        store.apply(stored_outcome(&stored, fixed)).await?;
    }
    println!("\naudit trail of {}:", stored.id);
    for a in store.audit_trail("order", &stored.id).await? {
        let status = |v: &Option<Value>| {
            v.as_ref()
                .map_or("-".to_owned(), |v| v["status"].to_string())
        };
        println!(
            "   {} {:<20} by {:<9} {} → {}{}",
            BusinessZone::default().local(a.at).format("%H:%M IST"),
            a.action,
            a.actor,
            status(&a.before),
            status(&a.after),
            a.reason.map(|r| format!(" ({r})")).unwrap_or_default()
        );
    }

    section("4. Tomorrow's demand from the subscription schedules");
    let tomorrow = today.succ_opt().ok_or("no tomorrow")?;
    print_demand(&data, tomorrow);

    section("5. October's bills (subscription deliveries AND one-time orders)");
    show_billing(&store, now).await?;

    section("6. Tomorrow's routes");
    plan_routes(&data, tomorrow, &path)?;

    section("7. Loyalty");
    show_loyalty(&data, today, now)?;

    section("8. Customer lifecycle: this morning's sweep, the funnel and weekly cohorts");
    show_activation(&data, today, now)?;

    section("9. Churn risk: the five customers most likely to leave");
    show_churn(&data, today)?;
    Ok(())
}

/// Scores every sample customer with the default weights and prints the top five with their
/// reasons and the recommended action.
fn show_churn(data: &Dataset, today: NaiveDate) -> DemoResult {
    let inputs: Vec<churn::ChurnInput> = data
        .customers
        .iter()
        .map(|customer| {
            let records = churn::CustomerRecords {
                customer,
                products: &data.products,
                orders: &data.orders,
                deliveries: &data.deliveries,
                subscriptions: &data.subscriptions,
                payments: None,
                service: None,
            };
            churn::ChurnInput::from_records(&records, today, 30)
        })
        .collect();
    let engine = churn::ChurnEngine::new(churn::ChurnConfig::default())?;
    for ranked in engine.rank(&inputs, today)?.iter().take(5) {
        let c = &ranked.churn;
        let code = |v: serde_json::Result<Value>| {
            v.ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let reasons: Vec<String> = c
            .reasons
            .iter()
            .map(|r| code(serde_json::to_value(r)))
            .collect();
        println!(
            "   {:<9} {:>6} {:<6}  {:<55} → {}",
            data.customers[ranked.index].id,
            c.score,
            code(serde_json::to_value(c.band)),
            reasons.join(", "),
            code(serde_json::to_value(c.action))
        );
    }
    Ok(())
}

/// Backfills every sample customer's lifecycle from its orders and deliveries, runs the
/// morning sweep, and prints what changed, the funnel and the weekly cohort retention.
fn show_activation(data: &Dataset, today: NaiveDate, now: DateTime<Utc>) -> DemoResult {
    let config = ActivationConfig::default();
    let mut snapshots = Vec::new();
    let mut activity = ActivityTable::new();
    for customer in &data.customers {
        let mine = |id: &str| id == customer.id;
        let orders: Vec<Order> = data
            .orders
            .iter()
            .filter(|o| mine(&o.customer_id))
            .cloned()
            .collect();
        let deliveries: Vec<_> = data
            .deliveries
            .iter()
            .filter(|d| mine(&d.customer_id))
            .cloned()
            .collect();
        let subscriptions: Vec<_> = data
            .subscriptions
            .iter()
            .filter(|s| mine(&s.customer_id))
            .cloned()
            .collect();
        let records = CustomerRecords {
            customer,
            orders: &orders,
            deliveries: &deliveries,
            subscriptions: &subscriptions,
        };
        let yesterday = BusinessZone::default().start_of(today) - chrono::Duration::seconds(1);
        let mut lifecycle = backfill(records, yesterday, config)?;
        for transition in lifecycle.sweep(now) {
            println!(
                "   {}: {:?} → {:?}",
                customer.id, transition.from, transition.to
            );
        }
        snapshots.push(lifecycle.snapshot());
        let days = lifecycle
            .timeline()
            .iter()
            .map(|t| BusinessZone::default().date_of(t.at));
        let delivered = deliveries
            .iter()
            .filter(|d| d.status.is_billable())
            .map(|d| d.date);
        activity.push(customer.signup_date, days.chain(delivered));
    }
    let metrics = activation::metrics(&snapshots, &BTreeMap::new(), now, &config);
    for (state, count) in &metrics.per_state {
        println!("   {state:?}: {count}");
    }
    println!("\n{}", activation::funnel_text(&metrics.funnel));
    let cohorts = cohort_retention(&activity, Granularity::Week, today);
    println!("{}", activation::cohort_text(&cohorts, 8));
    Ok(())
}

/// Replays the sample's payments, deliveries and referrals through the loyalty programme and
/// prints the best customer's tier, progress and badges, and this week's leaderboard.
fn show_loyalty(data: &Dataset, today: NaiveDate, now: DateTime<Utc>) -> DemoResult {
    let zone = BusinessZone::default();
    let morning = |d: NaiveDate| zone.start_of(d) + chrono::Duration::hours(6);
    let mut events: Vec<LoyaltyEvent> = Vec::new();
    for payment in data.payments.iter().filter(|p| p.date <= today) {
        events.push(LoyaltyEvent::PaymentReceived {
            payment: payment.clone(),
            at: morning(payment.date),
        });
    }
    let mut first_delivery: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for order in data
        .orders
        .iter()
        .filter(|o| o.status.is_confirmed() && o.delivery_date <= today)
    {
        events.push(LoyaltyEvent::OrderDelivered {
            customer_id: order.customer_id.clone(),
            order_id: order.id.clone(),
            at: morning(order.delivery_date),
        });
        let first = first_delivery
            .entry(order.customer_id.as_str())
            .or_insert(order.delivery_date);
        *first = (*first).min(order.delivery_date);
    }
    for customer in &data.customers {
        if let (Some(referrer), Some(first)) = (
            &customer.referred_by,
            first_delivery.get(customer.id.as_str()),
        ) {
            events.push(LoyaltyEvent::ReferralCompleted {
                referrer_id: referrer.clone(),
                referred_id: customer.id.clone(),
                at: morning(*first),
            });
        }
    }
    events.sort_by_key(|e| e.at());
    let mut program = Program::new(LoyaltyConfig::default())?;
    for event in &events {
        program.apply(event)?;
    }
    let boards = program.leaderboards(now);
    let best = boards
        .all_time
        .top(1)
        .into_iter()
        .next()
        .ok_or("no loyalty member")?;
    let summary = program
        .summary(&best.customer_id, now)
        .ok_or("member vanished")?;
    let tier = &summary.tier;
    println!(
        "{}: {} points, tier {:?} ({} qualifying points){}",
        summary.customer_id,
        summary.balance,
        tier.tier,
        tier.qualifying_points,
        match (tier.next_tier, tier.points_to_next) {
            (Some(next), Some(missing)) => format!(", {missing} points to {next:?}"),
            _ => String::new(),
        }
    );
    for badge in &summary.badges {
        if badge.unlocked_at.is_some() {
            println!("   badge: {} ({:?})", badge.name, badge.category);
        }
    }
    let next_badge = summary
        .badges
        .iter()
        .filter(|b| b.unlocked_at.is_none() && b.target > 0)
        .max_by_key(|b| b.current * 1000 / b.target);
    if let Some(b) = next_badge {
        println!(
            "   closest next badge: {} ({}/{})",
            b.name, b.current, b.target
        );
    }
    println!(
        "\n{}",
        boards.this_week.render("This week's leaderboard", 5)
    );
    Ok(())
}

/// Finalizes October's bills through the service, from what the SQLite file holds, and prints
/// one in full and the reconciliation report: every delivered rupee is on a bill. The first
/// customer paid Rs 200 into the wallet on 5 October, which their bill takes. The first run
/// numbers the bills; a second run finds October finalized and bills nothing twice.
async fn show_billing(store: &SqlStore, now: DateTime<Utc>) -> DemoResult {
    let service = Service::new(store.clone());
    let october = Month::new(2026, 10).ok_or("October exists")?;
    let customers = store.customers().await?;
    let wallet_owner = customers.first().ok_or("no customer")?;
    let top_up = WalletEntry {
        id: format!("TOPUP-{}-2026-10", wallet_owner.id),
        customer_id: wallet_owner.id.clone(),
        kind: WalletEntryKind::TopUp,
        amount: Decimal::new(20000, 2),
        date: NaiveDate::from_ymd_opt(2026, 10, 5).ok_or("a date")?,
        expires_on: None,
        reference: None,
    };
    let cashier = Actor::new("CASHIER_1", now);
    service.record_wallet_entry(top_up, &cashier).await?;
    let finalized = service
        .finalize_month(october, &Actor::new("billing", now))
        .await?;
    if finalized.is_empty() {
        println!("October is already finalized in this file: nothing is billed twice");
    } else {
        let billed: Decimal = finalized.iter().map(|b| b.total).sum();
        println!(
            "{} bills finalized now, Rs {billed} in all, stored with their audit records and payment reminders",
            finalized.len()
        );
    }
    let input = store.billing_input(october.last_day()).await?;
    let stored: Vec<&Bill> = input.bills.iter().filter(|b| b.month == october).collect();
    let last = store.number_series().await?.map_or(0, |s| s.last);
    println!(
        "{} October bills in the file, last number given {last}",
        stored.len()
    );
    if let Some(bill) = stored.iter().find(|b| b.customer_id == wallet_owner.id) {
        let left = service
            .wallet(&wallet_owner.id)
            .await?
            .balance_on(october.bill_date())?;
        println!(
            "{}'s wallet paid Rs {} of bill {}; Rs {left} is left in it",
            wallet_owner.id,
            bill.wallet_applied,
            bill.number.as_deref().unwrap_or("-")
        );
    }
    let with_orders = stored
        .iter()
        .find(|b| b.lines.iter().any(|l| l.kind == LineKind::OneTime));
    if let Some(bill) = with_orders.or(stored.first()) {
        println!("\n{bill}");
    }
    println!("{}", billing::reconcile(&input, october));
    Ok(())
}

/// The depot in Domlur, where the vans load before 5 am.
const DEPOT: Location = Location {
    lat: 12.9609,
    lon: 77.6387,
};

/// Plans tomorrow's morning for two delivery persons (05:00-07:00, 60 units each) and writes
/// the optimized routes next to the nearest-neighbour routes the business builds today.
fn plan_routes(data: &Dataset, day: NaiveDate, db_path: &str) -> DemoResult {
    let mut units: BTreeMap<&str, f64> = BTreeMap::new();
    for sub in &data.subscriptions {
        if let Some(quantity) = sub.due_on(day) {
            *units.entry(sub.customer_id.as_str()).or_default() += quantity.to_f64().unwrap_or(1.0);
        }
    }
    for order in data.orders.iter().filter(|o| o.delivery_date == day) {
        let items: Decimal = order.items.iter().map(|i| i.quantity).sum();
        *units.entry(order.customer_id.as_str()).or_default() += items.to_f64().unwrap_or(1.0);
    }
    let stops: Vec<Stop> = data
        .customers
        .iter()
        .filter_map(|c| {
            let demand = *units.get(c.id.as_str())?;
            Some(Stop {
                id: c.id.clone(),
                location: Some(Location {
                    lat: c.lat?,
                    lon: c.lon?,
                }),
                service_minutes: 2.0,
                time_window: Some(TimeWindow {
                    start: 300.0,
                    end: 420.0,
                }),
                demand: vec![demand],
                priority: 0,
                drop_penalty: None,
            })
        })
        .collect();
    let vehicle = |id: &str| Vehicle {
        id: id.to_owned(),
        capacity: vec![60.0],
        shift_start: 300.0,
        shift_end: 420.0,
        start: None,
        end: RouteEnd::default(),
    };
    let problem = Problem {
        depot: Some(DEPOT),
        stops,
        vehicles: vec![vehicle("DB_1"), vehicle("DB_2")],
        distances: Distances::default(),
        speed: Speed::default(),
        previous_plan: None,
        options: SolveOptions {
            seed: 2026,
            time_budget_ms: None,
            iteration_limit: Some(2_000),
            threads: 1,
        },
    };
    let plan = routing::solve(&problem)?;
    let naive = routing::nearest_neighbour_plan(&problem)?;
    println!(
        "{} stops, {} delivery persons",
        problem.stops.len(),
        problem.vehicles.len()
    );
    for route in &plan.routes {
        let order: Vec<&str> = route.visits.iter().map(|v| v.stop_id.as_str()).collect();
        println!(
            "   {}: {} stops, {:.1} km, back at {} — {}",
            route.vehicle_id,
            route.visits.len(),
            route.distance / 1000.0,
            clock(route.finish),
            order.join(" → ")
        );
    }
    for u in &plan.unassigned {
        println!("   not planned: {} ({:?})", u.stop_id, u.reason);
    }
    println!(
        "total {:.1} km; the nearest-neighbour routes drive {:.1} km",
        plan.total_distance / 1000.0,
        naive.total_distance / 1000.0
    );
    let folder = std::path::Path::new(db_path)
        .parent()
        .unwrap_or(std::path::Path::new("."));
    let map = folder.join("routes.svg");
    std::fs::write(&map, side_by_side(&plan, &naive))?;
    println!("map: {}", map.display());
    Ok(())
}

/// Minutes since midnight as a wall-clock time.
fn clock(minutes: f64) -> String {
    let m = minutes.round() as i64;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The optimized plan and the nearest-neighbour plan in one drawing, left and right.
fn side_by_side(plan: &Plan, naive: &Plan) -> String {
    let (w, h) = (520, 520);
    let left = routing::svg::render(plan, w, h, "EarlyBird optimized");
    let right = routing::svg::render(naive, w, h, "Nearest neighbour (today)");
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\">{}{}</svg>\n",
        2 * w,
        left.replacen("<svg", "<svg x=\"0\"", 1),
        right.replacen("<svg", &format!("<svg x=\"{w}\""), 1)
    )
}

/// A lifecycle outcome as one change: guarded by the status the order had when it was read.
fn stored_outcome(before: &Order, outcome: OrderOutcome) -> ChangeSet {
    let mut changes = ChangeSet::new()
        .expect(Expectation::OrderStatus {
            order_id: before.id.clone(),
            status: before.status,
        })
        .audit(outcome.audit);
    if outcome.effect == Effect::Changed {
        changes = changes.write(Write::Order(outcome.order));
    }
    outcome
        .deliveries
        .into_iter()
        .fold(changes, |c, d| c.write(Write::Delivery(d)))
}

fn load(data: &Dataset) -> ChangeSet {
    let writes = data
        .customers
        .iter()
        .cloned()
        .map(Write::Customer)
        .chain(data.products.iter().cloned().map(Write::Product))
        .chain(data.subscriptions.iter().cloned().map(Write::Subscription))
        .chain(data.orders.iter().cloned().map(Write::Order))
        .chain(data.deliveries.iter().cloned().map(Write::Delivery))
        .chain(data.payments.iter().cloned().map(Write::Payment));
    writes.fold(ChangeSet::new(), ChangeSet::write)
}

fn print_demand(data: &Dataset, day: NaiveDate) {
    let mut demand: BTreeMap<&str, (usize, Decimal)> = BTreeMap::new();
    for sub in &data.subscriptions {
        if let Some(quantity) = sub.due_on(day) {
            let entry = demand.entry(sub.product_id.as_str()).or_default();
            entry.0 += 1;
            entry.1 += quantity;
        }
    }
    println!("{day} ({}):", day.format("%A"));
    for (product, (customers, quantity)) in demand {
        let who = if customers == 1 {
            "customer"
        } else {
            "customers"
        };
        println!("   {product:<16} {quantity:>6} units for {customers} {who}");
    }
}

fn section(title: &str) {
    println!("\n== {title}\n");
}
