//! Churn scoring (`earlybird::churn`): a `ChurnEngine` scores one customer or ranks a base.
//!
//! Inputs, the configuration (weights, bands, action rules, factor parameters) and fit samples
//! come in the core's serde shape (dicts; money as `Decimal`, dates as `date`, weights and
//! risks as `float`), or as the `ChurnInput` class. Results are frozen classes with native
//! attributes and `to_dict(mode=...)`. Ranking and fitting run without the GIL.

use chrono::NaiveDate;
use earlybird::Error;
use earlybird::churn::{
    ChurnConfig, ChurnEngine, ChurnError as CoreChurnError, ChurnInput, ChurnScore, Contribution,
    CustomerRecords, DeliverySignals, FitOptions, FittedWeights, LabelledRisks, PaymentSignals,
    Purchase, RankedCustomer, ServiceSignals, SubscriptionSignals, fit_weights as core_fit_weights,
};
use earlybird::validation::{Problems, Rule};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::activation::{serde_name, some};
use crate::convert::{
    Args, NativeDict, config_arg, json_out, native_list, serde_arg, to_dict, to_json_text,
};
use crate::document::to_serde_json;
use crate::errors::{guard, internal, invalid, to_py_err};
use crate::records::{
    PyCustomer, PyDeliveryRecord, PyOrder, PyProduct, PySubscription, batch_arg, part_class,
    record_arg,
};

fn churn_err(py: Python<'_>, error: CoreChurnError) -> PyErr {
    to_py_err(py, Error::Churn(error))
}

fn date_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDate> {
    let mut args = Args::new();
    let day = args.date(value, field);
    args.finish(value.py())?;
    day.ok_or_else(|| internal(value.py(), "a date without a value"))
}

/// A customer's input as the `ChurnInput` class or its dict.
fn input_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<ChurnInput> {
    match value.cast::<PyChurnInput>() {
        Ok(input) => Ok(input.get().inner.clone()),
        Err(_) => serde_arg(value, field),
    }
}

/// The churn configuration as a dict (`overrides` applied to the defaults), checked by the
/// core: `churn_config()` shows every default weight, band, action rule and parameter.
#[pyfunction]
#[pyo3(signature = (overrides = None))]
fn churn_config<'py>(
    py: Python<'py>,
    overrides: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let config: ChurnConfig = config_arg(overrides)?;
        config.validate().map_err(|e| churn_err(py, e))?;
        json_out(py, &config)
    })
}

fn delivery_dict<'py>(py: Python<'py>, s: &DeliverySignals) -> PyResult<Bound<'py, PyDict>> {
    let DeliverySignals {
        delivered,
        partially_delivered,
        not_delivered,
    } = s;
    let d = PyDict::new(py);
    d.set_item("delivered", delivered)?;
    d.set_item("partially_delivered", partially_delivered)?;
    d.set_item("not_delivered", not_delivered)?;
    Ok(d)
}

fn subscription_dict<'py>(
    py: Python<'py>,
    s: &SubscriptionSignals,
) -> PyResult<Bound<'py, PyDict>> {
    let SubscriptionSignals {
        cancelled,
        paused_days,
        scheduled_deliveries,
        skipped_deliveries,
    } = s;
    let d = PyDict::new(py);
    d.set_item("cancelled", cancelled)?;
    d.set_item("paused_days", paused_days)?;
    d.set_item("scheduled_deliveries", scheduled_deliveries)?;
    d.set_item("skipped_deliveries", skipped_deliveries)?;
    Ok(d)
}

fn payment_dict<'py>(py: Python<'py>, s: &PaymentSignals) -> PyResult<Bound<'py, PyDict>> {
    let PaymentSignals {
        overdue_amount,
        overdue_days,
        failed_payments,
    } = s;
    let d = PyDict::new(py);
    d.set_item("overdue_amount", overdue_amount)?;
    d.set_item("overdue_days", overdue_days)?;
    d.set_item("failed_payments", failed_payments)?;
    Ok(d)
}

fn service_dict<'py>(py: Python<'py>, s: &ServiceSignals) -> PyResult<Bound<'py, PyDict>> {
    let ServiceSignals {
        complaints,
        disputes,
    } = s;
    let d = PyDict::new(py);
    d.set_item("complaints", complaints)?;
    d.set_item("disputes", disputes)?;
    Ok(d)
}

fn purchase_list<'py>(py: Python<'py>, purchases: &[Purchase]) -> PyResult<Bound<'py, PyList>> {
    let items = purchases
        .iter()
        .map(|Purchase { date, amount }| {
            let d = PyDict::new(py);
            d.set_item("date", date)?;
            d.set_item("amount", amount)?;
            Ok(d)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// An optional group as its dict, or `None`.
fn group<'py, T>(
    py: Python<'py>,
    value: Option<&T>,
    dict: fn(Python<'py>, &T) -> PyResult<Bound<'py, PyDict>>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    value.map(|v| dict(py, v)).transpose()
}

part_class!(
    PyChurnInput,
    ChurnInput,
    "ChurnInput",
    "What the host knows about one customer; a missing group makes its factor neutral.",
    {
        /// Reads an input dict (`signup_date`, `purchases` [{date, amount}], optional
        /// `deliveries`, `subscription`, `payments`, `service`) through the core.
        #[staticmethod]
        fn from_dict(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
            guard(py, || {
                Ok(Self {
                    inner: serde_arg(data, "input")?,
                })
            })
        }

        /// The input of `customer` at `now` from the business's records (classes or
        /// documents; records of other customers and after `now` are ignored), with the
        /// overdue bills (`payments`) and complaints (`service`) the records do not carry.
        /// `window_days` is the recent window of the subscription and delivery counts.
        #[staticmethod]
        #[pyo3(signature = (customer, now, *, products = None, orders = None, deliveries = None, subscriptions = None, payments = None, service = None, window_days = 30))]
        #[allow(clippy::too_many_arguments)]
        fn from_records(
            py: Python<'_>,
            customer: &Bound<'_, PyAny>,
            now: &Bound<'_, PyAny>,
            products: Option<&Bound<'_, PyAny>>,
            orders: Option<&Bound<'_, PyAny>>,
            deliveries: Option<&Bound<'_, PyAny>>,
            subscriptions: Option<&Bound<'_, PyAny>>,
            payments: Option<&Bound<'_, PyAny>>,
            service: Option<&Bound<'_, PyAny>>,
            window_days: u32,
        ) -> PyResult<Self> {
            guard(py, || {
                let customer = record_arg::<PyCustomer>(customer)?;
                let now = date_arg(now, "now")?;
                let products = some(products).map_or(Ok(Vec::new()), |v| {
                    batch_arg::<PyProduct>(py, &v, "products")
                })?;
                let orders = some(orders)
                    .map_or(Ok(Vec::new()), |v| batch_arg::<PyOrder>(py, &v, "orders"))?;
                let deliveries = some(deliveries).map_or(Ok(Vec::new()), |v| {
                    batch_arg::<PyDeliveryRecord>(py, &v, "deliveries")
                })?;
                let subscriptions = some(subscriptions).map_or(Ok(Vec::new()), |v| {
                    batch_arg::<PySubscription>(py, &v, "subscriptions")
                })?;
                let payments: Option<PaymentSignals> = some(payments)
                    .map(|v| serde_arg(&v, "payments"))
                    .transpose()?;
                let service: Option<ServiceSignals> = some(service)
                    .map(|v| serde_arg(&v, "service"))
                    .transpose()?;
                let records = CustomerRecords {
                    customer: &customer,
                    products: &products,
                    orders: &orders,
                    deliveries: &deliveries,
                    subscriptions: &subscriptions,
                    payments,
                    service,
                };
                Ok(Self {
                    inner: ChurnInput::from_records(&records, now, window_days),
                })
            })
        }

        #[getter]
        fn signup_date(&self) -> Option<NaiveDate> {
            self.inner.signup_date
        }
        /// `[{"date": date, "amount": Decimal}]`.
        #[getter]
        fn purchases<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
            purchase_list(py, &self.inner.purchases)
        }
        #[getter]
        fn deliveries<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
            group(py, self.inner.deliveries.as_ref(), delivery_dict)
        }
        #[getter]
        fn subscription<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
            group(py, self.inner.subscription.as_ref(), subscription_dict)
        }
        #[getter]
        fn payments<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
            group(py, self.inner.payments.as_ref(), payment_dict)
        }
        #[getter]
        fn service<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
            group(py, self.inner.service.as_ref(), service_dict)
        }
    }
);

impl NativeDict for ChurnInput {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let ChurnInput {
            signup_date,
            purchases,
            deliveries,
            subscription,
            payments,
            service,
        } = self;
        let d = PyDict::new(py);
        d.set_item("signup_date", signup_date)?;
        d.set_item("purchases", purchase_list(py, purchases)?)?;
        d.set_item("deliveries", group(py, deliveries.as_ref(), delivery_dict)?)?;
        d.set_item(
            "subscription",
            group(py, subscription.as_ref(), subscription_dict)?,
        )?;
        d.set_item("payments", group(py, payments.as_ref(), payment_dict)?)?;
        d.set_item("service", group(py, service.as_ref(), service_dict)?)?;
        Ok(d)
    }
}

part_class!(
    PyContribution,
    Contribution,
    "Contribution",
    "What one factor adds to the score: its risk, its weight share and its points.",
    {
        /// `recency`, `frequency_drop`, `spend_drop`, `subscription`, `payment`, `service`,
        /// `tenure`.
        #[getter]
        fn factor(&self) -> &'static str {
            self.inner.factor.name()
        }
        /// The factor's risk in [0, 1]; `None` when there was no data (neutral).
        #[getter]
        fn risk(&self) -> Option<f64> {
            self.inner.risk
        }
        /// The weight's share after renormalising over the factors with data.
        #[getter]
        fn weight(&self) -> f64 {
            self.inner.weight
        }
        /// Points on the 0-100 scale (2 decimals); all factors' points add up to the score.
        #[getter]
        fn points(&self) -> Decimal {
            self.inner.points
        }
    }
);

impl NativeDict for Contribution {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Contribution {
            factor,
            risk,
            weight,
            points,
        } = self;
        let d = PyDict::new(py);
        d.set_item("factor", factor.name())?;
        d.set_item("risk", risk)?;
        d.set_item("weight", weight)?;
        d.set_item("points", points)?;
        Ok(d)
    }
}

part_class!(
    PyChurnScore,
    ChurnScore,
    "ChurnScore",
    "A customer's churn score with its explanation: band, contributions, reasons, action.",
    {
        /// 0.00 to 100.00; higher means more likely to churn.
        #[getter]
        fn score(&self) -> Decimal {
            self.inner.score
        }
        /// `low`, `medium` or `high`.
        #[getter]
        fn band(&self) -> String {
            serde_name(&self.inner.band)
        }
        /// One per factor, in the fixed factor order.
        #[getter]
        fn contributions(&self) -> Vec<PyContribution> {
            self.inner
                .contributions
                .iter()
                .map(|c| PyContribution { inner: *c })
                .collect()
        }
        /// Stable reason codes, largest contribution first (`RECENCY_OVERDUE`, ...).
        #[getter]
        fn reasons(&self) -> Vec<&'static str> {
            self.inner.reasons.iter().map(|r| r.code()).collect()
        }
        /// `payment_reminder`, `service_recovery_call`, `win_back_offer`, `engagement_nudge`
        /// or `none`.
        #[getter]
        fn action(&self) -> String {
            serde_name(&self.inner.action)
        }
    }
);

impl NativeDict for ChurnScore {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let ChurnScore {
            score,
            band,
            contributions,
            reasons,
            action,
        } = self;
        let d = PyDict::new(py);
        d.set_item("score", score)?;
        d.set_item("band", serde_name(band))?;
        d.set_item("contributions", native_list(py, contributions)?)?;
        let codes: Vec<&str> = reasons.iter().map(|r| r.code()).collect();
        d.set_item("reasons", codes)?;
        d.set_item("action", serde_name(action))?;
        Ok(d)
    }
}

part_class!(
    PyRankedCustomer,
    RankedCustomer,
    "RankedCustomer",
    "One line of a ranking: the customer's index in the scored list and their score.",
    {
        #[getter]
        fn index(&self) -> usize {
            self.inner.index
        }
        #[getter]
        fn churn(&self) -> PyChurnScore {
            PyChurnScore {
                inner: self.inner.churn.clone(),
            }
        }
    }
);

impl NativeDict for RankedCustomer {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let RankedCustomer { index, churn } = self;
        let d = PyDict::new(py);
        d.set_item("index", index)?;
        d.set_item("churn", churn.native_dict(py)?)?;
        Ok(d)
    }
}

part_class!(
    PyFittedWeights,
    FittedWeights,
    "FittedWeights",
    "Weights learnt from labelled history (a logistic model on the factor risks).",
    {
        /// Non-negative weights summing to 1, ready for `{"weights": ...}` of the config.
        #[getter]
        fn weights<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            json_out(py, &self.inner.weights)
        }
        #[getter]
        fn intercept(&self) -> f64 {
            self.inner.intercept
        }
        /// The model's coefficients, in the fixed factor order.
        #[getter]
        fn coefficients(&self) -> Vec<f64> {
            self.inner.coefficients.to_vec()
        }
        /// The value used for a factor without data while fitting.
        #[getter]
        fn fill(&self) -> Vec<f64> {
            self.inner.fill.to_vec()
        }
        /// Newton steps taken in total.
        #[getter]
        fn iterations(&self) -> usize {
            self.inner.iterations
        }
    }
);

/// Every field is a float or a count: the JSON form is the native form.
impl NativeDict for FittedWeights {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let FittedWeights {
            weights,
            intercept,
            coefficients,
            fill,
            iterations,
        } = self;
        let d = PyDict::new(py);
        d.set_item("weights", json_out(py, weights)?)?;
        d.set_item("intercept", intercept)?;
        d.set_item("coefficients", coefficients.to_vec())?;
        d.set_item("fill", fill.to_vec())?;
        d.set_item("iterations", iterations)?;
        Ok(d)
    }
}

/// Learns non-negative factor weights from labelled customers (`[{"risks": {factor: float |
/// None}, "churned": bool}]`), without the GIL. Too few samples, a single class, no
/// convergence within `options["max_iterations"]` or no factor raising churn raise
/// `ChurnError` with its code (`CHURN_NO_CONVERGENCE`, ...).
#[pyfunction]
#[pyo3(signature = (samples, options = None))]
fn fit_weights(
    py: Python<'_>,
    samples: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyFittedWeights> {
    guard(py, || {
        let samples: Vec<LabelledRisks> = serde_arg(samples, "samples")?;
        let options: FitOptions = match options {
            Some(value) if !value.is_none() => serde_arg(value, "options")?,
            _ => FitOptions::default(),
        };
        let fitted = py
            .detach(|| core_fit_weights(&samples, &options))
            .map_err(|e| churn_err(py, e))?;
        Ok(PyFittedWeights { inner: fitted })
    })
}

/// A customer of a ranking: already read, or JSON the core reads without the GIL.
enum Given {
    Read(ChurnInput),
    Json(Value),
}

/// A validated configuration that scores customers one by one or ranks a whole base.
#[pyclass(frozen, module = "earlybird", name = "ChurnEngine")]
pub struct PyChurnEngine {
    inner: ChurnEngine,
}

#[pymethods]
impl PyChurnEngine {
    /// An engine with the default configuration, or `config` (a dict of overrides: weights,
    /// bands, rules, top_reasons, params). A bad configuration raises `ValidationError`
    /// (code `CHURN_INVALID_CONFIG`) listing every problem.
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        guard(py, || {
            let config = config_arg(config)?;
            let inner = ChurnEngine::new(config).map_err(|e| churn_err(py, e))?;
            Ok(Self { inner })
        })
    }

    /// The configuration in use, as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_out(py, self.inner.config())
    }

    /// Scores one customer (a `ChurnInput` or its dict) at `now` (a `date`).
    fn score(
        &self,
        py: Python<'_>,
        input: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<PyChurnScore> {
        guard(py, || {
            let input = input_arg(input, "input")?;
            let now = date_arg(now, "now")?;
            let scored = self
                .inner
                .score(&input, now)
                .map_err(|e| churn_err(py, e))?;
            Ok(PyChurnScore { inner: scored })
        })
    }

    /// The seven factor risks of a customer at `now` (`None` for a factor without data).
    fn risks<'py>(
        &self,
        py: Python<'py>,
        input: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let input = input_arg(input, "input")?;
            let now = date_arg(now, "now")?;
            let risks = self
                .inner
                .risks(&input, now)
                .map_err(|e| churn_err(py, e))?;
            json_out(py, &risks)
        })
    }

    /// Scores every customer at `now` in parallel and orders them by risk, highest first
    /// (ties in input order). Dicts are read by the core and scored without the GIL. An
    /// invalid customer fails the ranking with every customer's problems, paths prefixed
    /// `customers[i].`.
    fn rank(
        &self,
        py: Python<'_>,
        customers: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyRankedCustomer>> {
        guard(py, || {
            let now = date_arg(now, "now")?;
            let items: Vec<Bound<'_, PyAny>> = match customers.cast::<PyList>() {
                Ok(list) => list.iter().collect(),
                Err(_) => customers.try_iter()?.collect::<PyResult<_>>()?,
            };
            let mut unconvertible = Problems::new();
            let mut given = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.cast::<PyChurnInput>() {
                    Ok(input) => given.push(Given::Read(input.get().inner.clone())),
                    Err(_) => match to_serde_json(item, &format!("customers[{i}]")) {
                        Ok(json) => given.push(Given::Json(json)),
                        Err(e) => unconvertible.extend(e),
                    },
                }
            }
            unconvertible.finish(()).map_err(|e| invalid(py, e))?;
            let engine = &self.inner;
            let ranked = py.detach(|| {
                let mut problems = Problems::new();
                let inputs: Vec<ChurnInput> = given
                    .into_iter()
                    .enumerate()
                    .map(|(i, g)| match g {
                        Given::Read(input) => input,
                        Given::Json(json) => serde_json::from_value(json).unwrap_or_else(|e| {
                            problems.push(format!("customers[{i}]"), Rule::Type, "", e.to_string());
                            ChurnInput::default()
                        }),
                    })
                    .collect();
                problems
                    .finish(())
                    .map_err(Error::Validation)
                    .and_then(|()| engine.rank(&inputs, now).map_err(Error::Churn))
            });
            let ranked = ranked.map_err(|e| to_py_err(py, e))?;
            Ok(ranked
                .into_iter()
                .map(|inner| PyRankedCustomer { inner })
                .collect())
        })
    }

    fn __repr__(&self) -> String {
        let w = self.inner.config().weights;
        format!(
            "ChurnEngine(weights=[{}, {}, {}, {}, {}, {}, {}])",
            w.recency,
            w.frequency_drop,
            w.spend_drop,
            w.subscription,
            w.payment,
            w.service,
            w.tenure
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyChurnInput>()?;
    m.add_class::<PyContribution>()?;
    m.add_class::<PyChurnScore>()?;
    m.add_class::<PyRankedCustomer>()?;
    m.add_class::<PyFittedWeights>()?;
    m.add_class::<PyChurnEngine>()?;
    m.add_function(wrap_pyfunction!(churn_config, m)?)?;
    m.add_function(wrap_pyfunction!(fit_weights, m)?)?;
    Ok(())
}
