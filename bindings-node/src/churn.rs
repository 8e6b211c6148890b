//! Churn scoring as a JavaScript class. A `ChurnEngine` holds a checked configuration
//! (weights, bands, action rules, factor parameters); inputs and scores are the core's serde
//! form with camelCase keys (`plain`): money decimal strings (JS numbers refused), dates
//! `YYYY-MM-DD`, risks and weights JS numbers (they are `f64` in the core). `rankAsync` ranks
//! on the libuv thread pool.

use chrono::NaiveDate;
use earlybird::churn::{
    self, ChurnConfig, ChurnInput, CustomerRecords, FactorRisks, FitOptions, LabelledRisks,
    PaymentSignals, ServiceSignals,
};
use earlybird::record::{Customer, DeliveryRecord, Order, Product, Record, Subscription};
use earlybird::validation::{Problems, Rule};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::{Value, json};

use crate::convert::{arg, date, document};
use crate::failure::{Failure, call, contain};
use crate::plain::{
    Resolved, engine_document, engine_input, engine_option, field, give, no_float_decimals, output,
    records,
};

fn day(env: &Env, name: &str, value: Unknown<'_>) -> Result<NaiveDate, Failure> {
    date(name, &arg::<String>(env, name, value)?)
}

/// The churn engine under one configuration.
#[napi]
pub struct ChurnEngine {
    engine: churn::ChurnEngine,
}

#[napi]
impl ChurnEngine {
    /// An engine with `config` (the defaults when absent; a partial object overrides the
    /// defaults field by field). An invalid configuration throws `CHURN_INVALID_CONFIG` with
    /// every problem.
    #[napi(constructor, ts_args_type = "config?: Partial<ChurnConfig> | null")]
    pub fn new(env: Env, config_arg: Option<Unknown<'_>>) -> napi::Result<Self> {
        call(&env, || {
            let config: ChurnConfig = engine_option(&env, "config", config_arg)?;
            Ok(Self {
                engine: churn::ChurnEngine::new(config)?,
            })
        })
    }

    /// The default configuration: weights, bands, action rules, factor parameters.
    #[napi(ts_return_type = "ChurnConfig")]
    pub fn default_config(env: Env) -> napi::Result<Resolved> {
        give(&env, || output(&ChurnConfig::default()))
    }

    #[napi(getter, ts_return_type = "ChurnConfig")]
    pub fn config(&self, env: Env) -> napi::Result<Resolved> {
        give(&env, || output(self.engine.config()))
    }

    /// The score of one customer at `now` (`YYYY-MM-DD`): 0-100, band, seven contributions
    /// adding up to the score, reason codes and a recommended action.
    #[napi(
        ts_args_type = "input: ChurnInput, now: string",
        ts_return_type = "ChurnScore"
    )]
    pub fn score(&self, env: Env, input: Unknown<'_>, now: Unknown<'_>) -> napi::Result<Resolved> {
        give(&env, || {
            let input: ChurnInput = engine_input(&env, "input", input)?;
            output(&self.engine.score(&input, day(&env, "now", now)?)?)
        })
    }

    /// The seven factor risks of a customer at `now` (`null` for a factor without data).
    #[napi(
        ts_args_type = "input: ChurnInput, now: string",
        ts_return_type = "FactorRisks"
    )]
    pub fn risks(&self, env: Env, input: Unknown<'_>, now: Unknown<'_>) -> napi::Result<Resolved> {
        give(&env, || {
            let input: ChurnInput = engine_input(&env, "input", input)?;
            output(&self.engine.risks(&input, day(&env, "now", now)?)?)
        })
    }

    /// The score of precomputed risks (each `null` or within [0, 1]).
    #[napi(ts_args_type = "risks: FactorRisks", ts_return_type = "ChurnScore")]
    pub fn score_risks(&self, env: Env, risks: Unknown<'_>) -> napi::Result<Resolved> {
        give(&env, || {
            let risks: FactorRisks = engine_input(&env, "risks", risks)?;
            output(&self.engine.score_risks(&risks)?)
        })
    }

    /// Every customer scored at `now`, highest score first (ties in input order), each with
    /// its index in `customers`. An invalid customer fails the ranking with the problems of
    /// every customer (`customers[i].…`). On the calling thread.
    #[napi(
        ts_args_type = "customers: ChurnInput[], now: string",
        ts_return_type = "RankedCustomer[]"
    )]
    pub fn rank(
        &self,
        env: Env,
        customers: Unknown<'_>,
        now: Unknown<'_>,
    ) -> napi::Result<Resolved> {
        give(&env, || {
            rank_run(&self.engine, &env, customers, now)?.rank()
        })
    }

    /// Like `rank`, returning a Promise; the scoring runs off the event loop (in parallel in
    /// the core). Every failure rejects the Promise.
    #[napi(
        ts_args_type = "customers: ChurnInput[], now: string",
        ts_return_type = "Promise<RankedCustomer[]>"
    )]
    pub fn rank_async(
        &self,
        env: Env,
        customers: Unknown<'_>,
        now: Unknown<'_>,
    ) -> AsyncTask<Rank> {
        let run = contain(|| rank_run(&self.engine, &env, customers, now));
        AsyncTask::new(Rank { run: Some(run) })
    }
}

fn rank_run(
    engine: &churn::ChurnEngine,
    env: &Env,
    customers: Unknown<'_>,
    now: Unknown<'_>,
) -> Result<RankRun, Failure> {
    Ok(RankRun {
        engine: engine.clone(),
        customers: engine_input(env, "customers", customers)?,
        now: day(env, "now", now)?,
    })
}

/// What `rank` needs, converted on the calling thread.
pub struct RankRun {
    engine: churn::ChurnEngine,
    customers: Vec<ChurnInput>,
    now: NaiveDate,
}

impl RankRun {
    fn rank(&self) -> Result<Value, Failure> {
        output(&self.engine.rank(&self.customers, self.now)?)
    }
}

/// `ChurnEngine.rank` on the libuv thread pool.
pub struct Rank {
    run: Option<Result<RankRun, Failure>>,
}

impl Task for Rank {
    type Output = Result<Value, Failure>;
    type JsValue = Resolved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let run = self.run.take();
        Ok(contain(|| match run {
            Some(Ok(run)) => run.rank(),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Conversion("the ranking ran twice".to_owned())),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map(Resolved).map_err(|f| f.into_js(&env))
    }
}

/// A customer's `ChurnInput` at `now` from the business's records (`customer`, and the lists
/// `products`, `orders`, `deliveries`, `subscriptions`, documents read by the core's record
/// reader) plus the signals the records do not carry (`payments`, `service`, optional).
/// `windowDays` is the recent window of the subscription and delivery counts.
#[napi(
    ts_args_type = "records: ChurnRecords | string, now: string, windowDays: number",
    ts_return_type = "ChurnInput"
)]
pub fn churn_input_from_records(
    env: Env,
    records_arg: Unknown<'_>,
    now: Unknown<'_>,
    window_days: Unknown<'_>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let (given, from_js) = engine_document(&env, "records", records_arg)?;
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
        let products: Vec<Product> = records(given.get("products"), "products", &mut problems);
        let orders: Vec<Order> = records(given.get("orders"), "orders", &mut problems);
        let deliveries: Vec<DeliveryRecord> =
            records(given.get("deliveries"), "deliveries", &mut problems);
        let subscriptions: Vec<Subscription> =
            records(given.get("subscriptions"), "subscriptions", &mut problems);
        let payments: Option<Option<PaymentSignals>> = field(&given, "payments", &mut problems);
        let service: Option<Option<ServiceSignals>> = field(&given, "service", &mut problems);
        let (Some(customer), Some(payments), Some(service)) = (customer, payments, service) else {
            return Err(problems.into_error("records").into());
        };
        problems.finish(())?;
        if from_js {
            let written = json!({
                "customer": document(&customer)?,
                "products": document(&products)?,
                "orders": document(&orders)?,
                "deliveries": document(&deliveries)?,
                "subscriptions": document(&subscriptions)?,
                "payments": document(&payments)?,
                "service": document(&service)?,
            });
            no_float_decimals(&given, &written, "")?;
        }
        let window: u32 = arg(&env, "windowDays", window_days)?;
        let records = CustomerRecords {
            customer: &customer,
            products: &products,
            orders: &orders,
            deliveries: &deliveries,
            subscriptions: &subscriptions,
            payments,
            service,
        };
        output(&ChurnInput::from_records(
            &records,
            day(&env, "now", now)?,
            window,
        ))
    })
}

/// Non-negative factor weights (summing to 1) fitted to labelled past customers
/// (`{risks, churned}`), with the logistic model behind them; put `weights` into a config.
#[napi(
    ts_args_type = "samples: LabelledRisks[], options?: Partial<FitOptions> | null",
    ts_return_type = "FittedWeights"
)]
pub fn fit_weights(
    env: Env,
    samples: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let samples: Vec<LabelledRisks> = engine_input(&env, "samples", samples)?;
        let options: FitOptions = engine_option(&env, "options", options)?;
        output(&churn::fit_weights(&samples, &options)?)
    })
}
