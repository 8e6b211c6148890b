//! The activation lifecycle. A `CustomerActivation` holds one customer's folded events; the
//! whole-base sweep, metrics and cohort retention work on plain snapshots and tables. Values
//! are the core's serde form with camelCase keys (`plain`), instants ISO strings (`Date`s
//! accepted in arguments), dates `YYYY-MM-DD`. `sweepAsync` sweeps on the libuv thread pool.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::activation::{
    self, ActivationConfig, ActivationEvent, ActivityTable, CohortTable, CustomerHistory,
    CustomerRecords, CustomerSnapshot, Funnel, Granularity, SweptTransition, Transition,
};
use earlybird::notification::NotificationIntent;
use earlybird::record::{Customer, DeliveryRecord, Order, Record, Subscription};
use earlybird::validation::{Problems, Rule};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::convert::{arg, bad, document};
use crate::failure::{Failure, call, contain};
use crate::plain::{
    Resolved, engine_document, engine_input, engine_option, give, given, input, no_float_decimals,
    output, records,
};

fn config(env: &Env, value: Option<Unknown<'_>>) -> Result<ActivationConfig, Failure> {
    engine_option(env, "config", value)
}

fn instant(env: &Env, name: &str, value: Unknown<'_>) -> Result<DateTime<Utc>, Failure> {
    input(env, name, value)
}

/// Intents with their template variables as the templates name them (`order_id`,
/// `last_activity_date`): they are data, so their keys are not camelCased.
fn intents(intents: &[NotificationIntent]) -> Value {
    Value::Array(
        intents
            .iter()
            .map(|i| {
                json!({
                    "template": i.template,
                    "customerId": i.customer_id,
                    "variables": i.variables,
                    "at": i.at,
                })
            })
            .collect(),
    )
}

/// A customer's records for a backfill, read by the core's record reader (every problem
/// named by its path: `customer.phone`, `orders[2].items[0].quantity`).
struct Records {
    customer: Customer,
    orders: Vec<Order>,
    deliveries: Vec<DeliveryRecord>,
    subscriptions: Vec<Subscription>,
}

impl Records {
    fn read(env: &Env, value: Unknown<'_>) -> Result<Self, Failure> {
        let (given, from_js) = engine_document(env, "records", value)?;
        let mut problems = Problems::new();
        let customer = match given.get("customer") {
            Some(doc) => Customer::read(doc, "customer", &mut problems),
            None => {
                problems.push(
                    "customer",
                    Rule::Required,
                    "",
                    "the customer document is required",
                );
                None
            }
        };
        let orders = records(given.get("orders"), "orders", &mut problems);
        let deliveries = records(given.get("deliveries"), "deliveries", &mut problems);
        let subscriptions = records(given.get("subscriptions"), "subscriptions", &mut problems);
        let Some(customer) = customer else {
            return Err(problems.into_error("records").into());
        };
        let read = problems.finish(Self {
            customer,
            orders,
            deliveries,
            subscriptions,
        })?;
        if from_js {
            let written = json!({
                "customer": document(&read.customer)?,
                "orders": document(&read.orders)?,
                "deliveries": document(&read.deliveries)?,
                "subscriptions": document(&read.subscriptions)?,
            });
            no_float_decimals(&given, &written, "")?;
        }
        Ok(read)
    }

    fn core(&self) -> CustomerRecords<'_> {
        CustomerRecords {
            customer: &self.customer,
            orders: &self.orders,
            deliveries: &self.deliveries,
            subscriptions: &self.subscriptions,
        }
    }
}

/// One customer's activation: events folded in `(instant, sequence)` order with the morning
/// sweeps in between; late events refold.
#[napi]
pub struct CustomerActivation {
    inner: activation::CustomerActivation,
}

#[napi]
impl CustomerActivation {
    /// Folds `history` (`{customerId, events, subscriptions?}`) up to the sweep at `now`.
    /// Invalid events or configuration throw `VALIDATION_FAILED` with every problem.
    #[napi(
        constructor,
        ts_args_type = "history: CustomerHistory, now: Instant | Date, config?: Partial<ActivationConfig> | null"
    )]
    pub fn new(
        env: Env,
        history: Unknown<'_>,
        now: Unknown<'_>,
        config_arg: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        call(&env, || {
            let history: CustomerHistory = engine_input(&env, "history", history)?;
            let inner = activation::CustomerActivation::replay(
                history,
                instant(&env, "now", now)?,
                config(&env, config_arg)?,
            )?;
            Ok(Self { inner })
        })
    }

    /// The events of a customer who existed before the engine, derived from their records
    /// (`{customer, orders?, deliveries?, subscriptions?}`, documents), folded up to `now`.
    #[napi(
        factory,
        ts_args_type = "records: ActivationRecords | string, now: Instant | Date, config?: Partial<ActivationConfig> | null"
    )]
    pub fn backfill(
        env: Env,
        records_arg: Unknown<'_>,
        now: Unknown<'_>,
        config_arg: Option<Unknown<'_>>,
    ) -> napi::Result<Self> {
        call(&env, || {
            let records = Records::read(&env, records_arg)?;
            let inner = activation::backfill(
                records.core(),
                instant(&env, "now", now)?,
                config(&env, config_arg)?,
            )?;
            Ok(Self { inner })
        })
    }

    /// Records one more event; a late one refolds the customer. Returns the new transitions
    /// and whether the event was late and rewrote the timeline.
    #[napi(ts_args_type = "event: ActivationEvent", ts_return_type = "Recorded")]
    pub fn record(&mut self, env: Env, event: Unknown<'_>) -> napi::Result<Resolved> {
        give(&env, || {
            let event: ActivationEvent = engine_input(&env, "event", event)?;
            output(&self.inner.record(event)?)
        })
    }

    /// Applies the sweep of every morning up to `now`'s day: the transitions it made.
    #[napi(ts_args_type = "now: Instant | Date", ts_return_type = "Transition[]")]
    pub fn sweep(&mut self, env: Env, now: Unknown<'_>) -> napi::Result<Resolved> {
        give(&env, || {
            let now = instant(&env, "now", now)?;
            output(&self.inner.sweep(now))
        })
    }

    #[napi(getter)]
    pub fn customer_id(&self) -> String {
        self.inner.customer_id().to_owned()
    }

    /// `NEW`, `ONBOARDED`, `ACTIVE`, `ENGAGED`, `INACTIVE` or `CHURNED`.
    #[napi(getter, ts_return_type = "ActivationState | null")]
    pub fn state(&self, env: Env) -> napi::Result<Resolved> {
        give(&env, || {
            self.inner.state().map_or(Ok(Value::Null), |s| output(&s))
        })
    }

    /// Every transition so far, oldest first.
    #[napi(getter, ts_return_type = "Transition[]")]
    pub fn timeline(&self, env: Env) -> napi::Result<Resolved> {
        give(&env, || output(&self.inner.timeline()))
    }

    /// Signup, first order, first delivery, last activity, churn day.
    #[napi(getter, ts_return_type = "RecordedDates")]
    pub fn dates(&self, env: Env) -> napi::Result<Resolved> {
        give(&env, || output(&self.inner.dates()))
    }

    /// The events, sorted by `(at, sequence)`.
    #[napi(getter, ts_return_type = "ActivationEvent[]")]
    pub fn events(&self, env: Env) -> napi::Result<Resolved> {
        give(&env, || output(&self.inner.events()))
    }

    #[napi(getter, ts_return_type = "ActivationConfig")]
    pub fn config(&self, env: Env) -> napi::Result<Resolved> {
        give(&env, || output(self.inner.config()))
    }

    /// The state at `instant` with the transition that set it (`null` before the signup).
    #[napi(
        ts_args_type = "instant: Instant | Date",
        ts_return_type = "Transition | null"
    )]
    pub fn state_at(&self, env: Env, at: Unknown<'_>) -> napi::Result<Resolved> {
        give(&env, || {
            let at = instant(&env, "instant", at)?;
            self.inner.state_at(at).map_or(Ok(Value::Null), output)
        })
    }

    /// The notification intents of `transitions` (the whole timeline when absent).
    #[napi(
        ts_args_type = "transitions?: Transition[] | null",
        ts_return_type = "NotificationIntent[]"
    )]
    pub fn intents(&self, env: Env, transitions: Option<Unknown<'_>>) -> napi::Result<Resolved> {
        give(&env, || {
            let made = match given(transitions) {
                Some(t) => {
                    let t: Vec<Transition> = engine_input(&env, "transitions", t)?;
                    self.inner.intents(&t)
                }
                None => self.inner.intents(self.inner.timeline()),
            };
            Ok(intents(&made))
        })
    }

    /// The compact standing the whole-base sweep and the metrics work on.
    #[napi(ts_return_type = "CustomerSnapshot")]
    pub fn snapshot(&self, env: Env) -> napi::Result<Resolved> {
        give(&env, || output(&self.inner.snapshot()))
    }
}

/// The default activation settings (thresholds, holidays, stalled limits, business zone).
#[napi(ts_return_type = "ActivationConfig")]
pub fn activation_default_config(env: Env) -> napi::Result<Resolved> {
    give(&env, || output(&ActivationConfig::default()))
}

/// The events a backfill derives from a customer's records, without folding them.
#[napi(
    ts_args_type = "records: ActivationRecords | string, config?: Partial<ActivationConfig> | null",
    ts_return_type = "ActivationEvent[]"
)]
pub fn backfill_events(
    env: Env,
    records_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let records = Records::read(&env, records_arg)?;
        output(&activation::backfill_events(
            records.core(),
            &config(&env, config_arg)?,
        )?)
    })
}

/// What `sweep` needs, converted on the calling thread.
pub struct SweepRun {
    snapshots: Vec<CustomerSnapshot>,
    now: DateTime<Utc>,
    config: ActivationConfig,
}

impl SweepRun {
    fn read(
        env: &Env,
        snapshots: Unknown<'_>,
        now: Unknown<'_>,
        config_arg: Option<Unknown<'_>>,
    ) -> Result<Self, Failure> {
        let config = config(env, config_arg)?;
        config.validate()?;
        Ok(Self {
            snapshots: engine_input(env, "snapshots", snapshots)?,
            now: instant(env, "now", now)?,
            config,
        })
    }

    fn sweep(mut self) -> Result<Value, Failure> {
        let made: Vec<SweptTransition> =
            activation::sweep_snapshots(&mut self.snapshots, self.now, &self.config);
        Ok(json!({ "snapshots": output(&self.snapshots)?, "transitions": output(&made)? }))
    }
}

/// The daily sweep over many customers' snapshots up to `now`: the snapshots after it and
/// the transitions it made (by customer, then time). On the calling thread.
#[napi(
    ts_args_type = "snapshots: CustomerSnapshot[], now: Instant | Date, config?: Partial<ActivationConfig> | null",
    ts_return_type = "SweepResult"
)]
pub fn sweep(
    env: Env,
    snapshots: Unknown<'_>,
    now: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        SweepRun::read(&env, snapshots, now, config_arg)?.sweep()
    })
}

/// `sweep` on the libuv thread pool.
pub struct Sweep {
    run: Option<Result<SweepRun, Failure>>,
}

impl Task for Sweep {
    type Output = Result<Value, Failure>;
    type JsValue = Resolved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let run = self.run.take();
        Ok(contain(|| match run {
            Some(Ok(run)) => run.sweep(),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Conversion("the sweep ran twice".to_owned())),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map(Resolved).map_err(|f| f.into_js(&env))
    }
}

/// Like `sweep`, returning a Promise; every failure rejects it.
#[napi(
    ts_args_type = "snapshots: CustomerSnapshot[], now: Instant | Date, config?: Partial<ActivationConfig> | null",
    ts_return_type = "Promise<SweepResult>"
)]
pub fn sweep_async(
    env: Env,
    snapshots: Unknown<'_>,
    now: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> AsyncTask<Sweep> {
    let run = contain(|| SweepRun::read(&env, snapshots, now, config_arg));
    AsyncTask::new(Sweep { run: Some(run) })
}

/// Counts per state, stalled customers, the funnel and revenue per state at `now`. `bills`
/// maps a customer id to its billed amount (a decimal string); its keys are ids, not renamed.
#[napi(
    ts_args_type = "snapshots: CustomerSnapshot[], bills: Record<string, DecimalString> | null | undefined, now: Instant | Date, config?: Partial<ActivationConfig> | null",
    ts_return_type = "ActivationMetrics"
)]
pub fn activation_metrics(
    env: Env,
    snapshots: Unknown<'_>,
    bills: Option<Unknown<'_>>,
    now: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let snapshots: Vec<CustomerSnapshot> = engine_input(&env, "snapshots", snapshots)?;
        let bills = match given(bills) {
            Some(b) => amounts(&env, b)?,
            None => BTreeMap::new(),
        };
        let config = config(&env, config_arg)?;
        config.validate()?;
        output(&activation::metrics(
            &snapshots,
            &bills,
            instant(&env, "now", now)?,
            &config,
        ))
    })
}

/// Amounts by customer id: keys kept as given, every value a decimal string.
fn amounts(env: &Env, value: Unknown<'_>) -> Result<BTreeMap<String, Decimal>, Failure> {
    let text = crate::convert::stringify(env, "bills", value)?;
    let given: BTreeMap<String, Value> = serde_json::from_str(&text).map_err(|e| {
        bad(
            "bills",
            Rule::Type,
            "",
            format!("not an object of amounts: {e}"),
        )
    })?;
    let mut problems = Problems::new();
    let mut read = BTreeMap::new();
    for (customer, amount) in given {
        let field = format!("bills.{customer}");
        match &amount {
            Value::String(text) => match text.parse::<Decimal>() {
                Ok(d) => {
                    read.insert(customer, d);
                }
                Err(_) => problems.push(field, Rule::Decimal, text, "must be a decimal string"),
            },
            other => problems.push(
                field,
                Rule::Type,
                other.to_string(),
                "money crosses as decimal strings such as \"1.50\", never JS numbers",
            ),
        }
    }
    Ok(problems.finish(read)?)
}

/// The funnel as aligned text, one step per line.
#[napi(ts_args_type = "funnel: Funnel")]
pub fn funnel_text(env: Env, funnel: Unknown<'_>) -> napi::Result<String> {
    call(&env, || {
        let funnel: Funnel = engine_input(&env, "funnel", funnel)?;
        Ok(activation::funnel_text(&funnel))
    })
}

/// One customer of a cohort table: signup day and activity days.
#[derive(Serialize, Deserialize)]
struct CohortCustomer {
    signed_up_on: NaiveDate,
    #[serde(default)]
    activity: Vec<NaiveDate>,
}

/// Retention of every signup cohort (`week` or `month`) up to `asOf`: per cohort its size,
/// the customers active in each period and the share of the cohort (4 decimals).
#[napi(
    ts_args_type = "customers: Array<{ signedUpOn: string; activity?: string[] }>, granularity: 'week' | 'month', asOf: string",
    ts_return_type = "CohortTable"
)]
pub fn cohort_retention(
    env: Env,
    customers: Unknown<'_>,
    granularity: Unknown<'_>,
    as_of: Unknown<'_>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let customers: Vec<CohortCustomer> = engine_input(&env, "customers", customers)?;
        let granularity: Granularity = input(&env, "granularity", granularity)?;
        let as_of = crate::convert::date("asOf", &arg::<String>(&env, "asOf", as_of)?)?;
        let mut table = ActivityTable::with_capacity(customers.len(), 0);
        for c in customers {
            table.push(c.signed_up_on, c.activity);
        }
        output(&activation::cohort_retention(&table, granularity, as_of))
    })
}

/// The cohort table as text: a row per cohort, its size, retention per period in percent,
/// at most `maxPeriods` columns.
#[napi(ts_args_type = "table: CohortTable, maxPeriods: number")]
pub fn cohort_text(env: Env, table: Unknown<'_>, max_periods: Unknown<'_>) -> napi::Result<String> {
    call(&env, || {
        let table: CohortTable = engine_input(&env, "table", table)?;
        let columns: u32 = arg(&env, "maxPeriods", max_periods)?;
        Ok(activation::cohort_text(&table, columns as usize))
    })
}
