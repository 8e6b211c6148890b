//! The activation lifecycle (`earlybird::activation`): one customer's fold, the whole base's
//! sweep, metrics and cohort retention, backfill from records.
//!
//! Events and the configuration come in the core's serde shape (dicts of plain or native
//! values, or the `ActivationEvent` class); subscriptions and the records of a backfill are the
//! record classes or their MongoDB documents. Results are frozen classes with native attributes
//! and `to_dict(mode=...)`. The base's replay, sweep, metrics and cohort table run without the
//! GIL.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use earlybird::Error;
use earlybird::activation::{
    ActivationConfig, ActivationError as CoreActivationError, ActivationEvent, ActivationMetrics,
    ActivationState, ActivityTable, Cause, CohortRow, CohortTable, CustomerActivation,
    CustomerHistory, CustomerRecords, FunnelStep, Granularity, Recorded, RecordedDates,
    SweptTransition, Transition, backfill as core_backfill,
    backfill_events as core_backfill_events, cohort_retention as core_cohort_retention,
    cohort_text, funnel_text, metrics as core_metrics, replay_all, sweep_customers,
};
use earlybird::notification::{NotificationIntent, TemplateSet};
use earlybird::validation::{Problems, Rule};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::convert::{
    Args, NativeDict, config_arg, json_out, native_list, serde_arg, set_some, to_dict, to_json_text,
};
use crate::errors::{guard, internal, invalid, to_py_err};
use crate::records::{
    PyCustomer, PyDeliveryRecord, PyOrder, PySubscription, batch_arg, part_class, record_arg,
};

fn activation_err(py: Python<'_>, error: CoreActivationError) -> PyErr {
    to_py_err(py, Error::Activation(error))
}

fn instant_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<DateTime<Utc>> {
    let mut args = Args::new();
    let at = args.instant(value, field);
    args.finish(value.py())?;
    at.ok_or_else(|| internal(value.py(), "an instant without a value"))
}

fn date(value: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDate> {
    let mut args = Args::new();
    let day = args.date(value, field);
    args.finish(value.py())?;
    day.ok_or_else(|| internal(value.py(), "a date without a value"))
}

fn granularity_arg(py: Python<'_>, granularity: &str) -> PyResult<Granularity> {
    match granularity {
        "week" => Ok(Granularity::Week),
        "month" => Ok(Granularity::Month),
        other => {
            let mut args = Args::new();
            args.unknown("granularity", other, "week, month");
            args.finish(py)?;
            Err(internal(py, "an unknown granularity without a problem"))
        }
    }
}

/// The items of a list or tuple argument; anything else is a `ValidationError` naming it.
fn list_items<'py>(value: &Bound<'py, PyAny>, field: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(list) = value.cast::<PyList>() {
        return Ok(list.iter().collect());
    }
    if let Ok(tuple) = value.cast::<pyo3::types::PyTuple>() {
        return Ok(tuple.iter().collect());
    }
    let mut args = Args::new();
    args.wrong_type(field, value, "a list");
    args.finish(value.py())?;
    Ok(Vec::new())
}

/// An event as the `ActivationEvent` class or its dict.
fn event_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<ActivationEvent> {
    match value.cast::<PyActivationEvent>() {
        Ok(event) => Ok(event.get().inner.clone()),
        Err(_) => serde_arg(value, field),
    }
}

/// The value under `key`, or `None` when it is absent or `None`.
fn present<'py>(mapping: &Bound<'py, PyMapping>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match mapping.get_item(key) {
        Ok(v) if !v.is_none() => Ok(Some(v)),
        Ok(_) => Ok(None),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(mapping.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A history dict: `customer_id`, `events` (dicts or `ActivationEvent`s) and optional
/// `subscriptions` (record classes or documents, for the holidays).
fn history_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<CustomerHistory> {
    let py = value.py();
    let Ok(mapping) = value.cast::<PyMapping>() else {
        let mut args = Args::new();
        args.wrong_type(
            field,
            value,
            "a dict with customer_id, events, subscriptions",
        );
        args.finish(py)?;
        return Err(internal(py, "a refused history without a problem"));
    };
    let item = |key: &str| present(mapping, key);
    let path = |key: &str| {
        if field.is_empty() {
            key.to_owned()
        } else {
            format!("{field}.{key}")
        }
    };
    let Some(customer_id) = item("customer_id")? else {
        let mut problems = Problems::new();
        problems.push(path("customer_id"), Rule::Required, "", "is required");
        return Err(invalid(py, problems.into_error("history")));
    };
    let customer_id: String = serde_arg(&customer_id, &path("customer_id"))?;
    let events = match item("events")? {
        Some(events) => list_items(&events, &path("events"))?
            .iter()
            .enumerate()
            .map(|(i, e)| event_arg(e, &format!("{}[{i}]", path("events"))))
            .collect::<PyResult<Vec<_>>>()?,
        None => Vec::new(),
    };
    let subscriptions = match item("subscriptions")? {
        Some(list) => batch_arg::<PySubscription>(py, &list, &path("subscriptions"))?,
        None => Vec::new(),
    };
    Ok(CustomerHistory {
        customer_id,
        events,
        subscriptions,
    })
}

/// A state's canonical name.
fn state_str(state: Option<ActivationState>) -> Option<&'static str> {
    state.map(ActivationState::as_str)
}

/// The name the core's serde gives a unit enum value (`week`, `inactivity`).
pub(crate) fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// The activation configuration as a dict (`overrides` applied to the defaults), checked by
/// the core: `activation_config()` shows every default.
#[pyfunction]
#[pyo3(signature = (overrides = None))]
fn activation_config<'py>(
    py: Python<'py>,
    overrides: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let config: ActivationConfig = config_arg(overrides)?;
        config.validate().map_err(|e| invalid(py, e))?;
        json_out(py, &config)
    })
}

part_class!(
    PyActivationEvent,
    ActivationEvent,
    "ActivationEvent",
    "One event of one customer (signed up, order placed, subscription started, delivery completed).",
    {
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        /// `signed_up`, `order_placed`, `subscription_started` or `delivery_completed`.
        #[getter]
        fn kind(&self) -> &'static str {
            self.inner.kind.as_str()
        }
        #[getter]
        fn at(&self) -> DateTime<Utc> {
            self.inner.at
        }
        /// Orders events with the same instant.
        #[getter]
        fn sequence(&self) -> u64 {
            self.inner.sequence
        }
        #[getter]
        fn order_id(&self) -> Option<&str> {
            self.inner.order_id.as_deref()
        }
        #[getter]
        fn subscription_id(&self) -> Option<&str> {
            self.inner.subscription_id.as_deref()
        }
    }
);

impl NativeDict for ActivationEvent {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let ActivationEvent {
            customer_id,
            kind,
            at,
            sequence,
            order_id,
            subscription_id,
        } = self;
        let d = PyDict::new(py);
        d.set_item("customer_id", customer_id)?;
        d.set_item("kind", kind.as_str())?;
        d.set_item("at", at)?;
        d.set_item("sequence", sequence)?;
        set_some(&d, "order_id", order_id.as_deref())?;
        set_some(&d, "subscription_id", subscription_id.as_deref())?;
        Ok(d)
    }
}

part_class!(
    PyTransition,
    Transition,
    "Transition",
    "One entry of a customer's timeline: from, to, cause and instant.",
    {
        /// The state before (`None` for the signup).
        #[getter]
        fn from_(&self) -> Option<&'static str> {
            state_str(self.inner.from)
        }
        #[getter]
        fn to(&self) -> &'static str {
            self.inner.to.as_str()
        }
        /// `{"type": "event", "kind", "sequence", "reference"?}` or `{"type": "sweep", "rule"}`.
        #[getter]
        fn cause<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            json_out(py, &self.inner.cause)
        }
        /// The event's instant, or 00:00 business-local of the sweep's day.
        #[getter]
        fn at(&self) -> DateTime<Utc> {
            self.inner.at
        }
        /// The last activity date when the transition happened (why a sweep fired).
        #[getter]
        fn last_activity_on(&self) -> Option<NaiveDate> {
            self.inner.last_activity_on
        }
        /// The template key of the message this transition asks for, if any.
        #[getter]
        fn message(&self) -> Option<&'static str> {
            self.inner.message().map(|m| m.template())
        }
    }
);

impl NativeDict for Transition {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Transition {
            from,
            to,
            cause,
            at,
            last_activity_on,
        } = self;
        let d = PyDict::new(py);
        d.set_item("from", state_str(*from))?;
        d.set_item("to", to.as_str())?;
        d.set_item("cause", cause_dict(py, cause)?)?;
        d.set_item("at", at)?;
        set_some(&d, "last_activity_on", *last_activity_on)?;
        Ok(d)
    }
}

/// A cause holds only names and numbers: its JSON form is its native form.
fn cause_dict<'py>(py: Python<'py>, cause: &Cause) -> PyResult<Bound<'py, PyAny>> {
    json_out(py, cause)
}

fn transitions(items: &[Transition]) -> Vec<PyTransition> {
    items
        .iter()
        .cloned()
        .map(|inner| PyTransition { inner })
        .collect()
}

part_class!(
    PyRecorded,
    Recorded,
    "Recorded",
    "What recording one event did: the new transitions, and whether it was late.",
    {
        /// Transitions the timeline did not have before.
        #[getter]
        fn transitions(&self) -> Vec<PyTransition> {
            transitions(&self.inner.transitions)
        }
        /// The event was older than what had been applied: the customer was folded again.
        #[getter]
        fn late(&self) -> bool {
            self.inner.late
        }
        /// The refold removed or changed transitions already in the timeline.
        #[getter]
        fn rewrote_history(&self) -> bool {
            self.inner.rewrote_history
        }
    }
);

impl NativeDict for Recorded {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Recorded {
            transitions,
            late,
            rewrote_history,
        } = self;
        let d = PyDict::new(py);
        d.set_item("transitions", native_list(py, transitions)?)?;
        d.set_item("late", late)?;
        d.set_item("rewrote_history", rewrote_history)?;
        Ok(d)
    }
}

part_class!(
    PyRecordedDates,
    RecordedDates,
    "RecordedDates",
    "The dates rules section 3 records: signup, first order, first delivery, last activity, churn.",
    {
        #[getter]
        fn signed_up_at(&self) -> Option<DateTime<Utc>> {
            self.inner.signed_up_at
        }
        /// The first order placed or subscription started.
        #[getter]
        fn first_order_at(&self) -> Option<DateTime<Utc>> {
            self.inner.first_order_at
        }
        #[getter]
        fn first_delivery_at(&self) -> Option<DateTime<Utc>> {
            self.inner.first_delivery_at
        }
        #[getter]
        fn last_activity_at(&self) -> Option<DateTime<Utc>> {
            self.inner.last_activity_at
        }
        /// The day of the latest move to CHURNED (kept after a comeback).
        #[getter]
        fn churned_on(&self) -> Option<NaiveDate> {
            self.inner.churned_on
        }
    }
);

impl NativeDict for RecordedDates {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let RecordedDates {
            signed_up_at,
            first_order_at,
            first_delivery_at,
            last_activity_at,
            churned_on,
        } = self;
        let d = PyDict::new(py);
        d.set_item("signed_up_at", signed_up_at)?;
        d.set_item("first_order_at", first_order_at)?;
        d.set_item("first_delivery_at", first_delivery_at)?;
        d.set_item("last_activity_at", last_activity_at)?;
        d.set_item("churned_on", churned_on)?;
        Ok(d)
    }
}

part_class!(
    PyNotificationIntent,
    NotificationIntent,
    "NotificationIntent",
    "A message a transition asks for: the template key and its variables.",
    {
        /// The template key (`welcome`, `we_miss_you`, ...).
        #[getter]
        fn template(&self) -> &str {
            &self.inner.template
        }
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        /// Values of the template's `{{var}}` placeholders.
        #[getter]
        fn variables(&self) -> BTreeMap<String, String> {
            self.inner.variables.clone()
        }
        #[getter]
        fn at(&self) -> DateTime<Utc> {
            self.inner.at
        }
        /// The message text, through the default templates with `templates` (`{key: text}`)
        /// added or replacing them. A missing or unknown variable, an unknown key or a
        /// malformed text raises `ActivationError` with the template's code.
        #[pyo3(signature = (templates = None))]
        fn render(
            &self,
            py: Python<'_>,
            templates: Option<BTreeMap<String, String>>,
        ) -> PyResult<String> {
            guard(py, || {
                let mut set = TemplateSet::default();
                for (key, text) in templates.iter().flatten() {
                    set.insert(key, text)
                        .map_err(|e| activation_err(py, e.into()))?;
                }
                set.render_intent(&self.inner)
                    .map_err(|e| activation_err(py, e.into()))
            })
        }
    }
);

impl NativeDict for NotificationIntent {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let NotificationIntent {
            template,
            customer_id,
            variables,
            at,
        } = self;
        let d = PyDict::new(py);
        d.set_item("template", template)?;
        d.set_item("customer_id", customer_id)?;
        d.set_item("variables", variables)?;
        d.set_item("at", at)?;
        Ok(d)
    }
}

part_class!(
    PySweptTransition,
    SweptTransition,
    "SweptTransition",
    "A transition the base's sweep made, with its customer.",
    {
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        #[getter]
        fn transition(&self) -> PyTransition {
            PyTransition {
                inner: self.inner.transition.clone(),
            }
        }
    }
);

impl NativeDict for SweptTransition {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let SweptTransition {
            customer_id,
            transition,
        } = self;
        let d = PyDict::new(py);
        d.set_item("customer_id", customer_id)?;
        d.set_item("transition", transition.native_dict(py)?)?;
        Ok(d)
    }
}

part_class!(
    PyFunnelStep,
    FunnelStep,
    "FunnelStep",
    "One step of the funnel: customers, eligible, and the rates (4 decimals).",
    {
        /// `signed_up`, `first_order`, `first_delivery`, `active_30_days_later`.
        #[getter]
        fn step(&self) -> &str {
            &self.inner.step
        }
        #[getter]
        fn customers(&self) -> u64 {
            self.inner.customers
        }
        /// Customers who could have reached this step by now.
        #[getter]
        fn eligible(&self) -> u64 {
            self.inner.eligible
        }
        #[getter]
        fn rate_from_previous(&self) -> Decimal {
            self.inner.rate_from_previous
        }
        #[getter]
        fn rate_from_start(&self) -> Decimal {
            self.inner.rate_from_start
        }
    }
);

impl NativeDict for FunnelStep {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let FunnelStep {
            step,
            customers,
            eligible,
            rate_from_previous,
            rate_from_start,
        } = self;
        let d = PyDict::new(py);
        d.set_item("step", step)?;
        d.set_item("customers", customers)?;
        d.set_item("eligible", eligible)?;
        d.set_item("rate_from_previous", rate_from_previous)?;
        d.set_item("rate_from_start", rate_from_start)?;
        Ok(d)
    }
}

part_class!(
    PyActivationMetrics,
    ActivationMetrics,
    "ActivationMetrics",
    "Every metric of rules section 3 at one instant: states, stalled, funnel, revenue.",
    {
        #[getter]
        fn at(&self) -> DateTime<Utc> {
            self.inner.at
        }
        /// Customers counted (signed up).
        #[getter]
        fn customers(&self) -> u64 {
            self.inner.customers
        }
        /// Every state to its count, 0 for the empty ones.
        #[getter]
        fn per_state(&self) -> BTreeMap<&'static str, u64> {
            self.inner
                .per_state
                .iter()
                .map(|(s, n)| (s.as_str(), *n))
                .collect()
        }
        /// `{"new": n, "onboarded": n}`: customers stuck before their first delivery.
        #[getter]
        fn stalled(&self) -> BTreeMap<&'static str, u64> {
            BTreeMap::from([
                ("new", self.inner.stalled.new),
                ("onboarded", self.inner.stalled.onboarded),
            ])
        }
        /// Signup → first order → first delivery → still active 30 days later.
        #[getter]
        fn funnel(&self) -> Vec<PyFunnelStep> {
            self.inner
                .funnel
                .steps
                .iter()
                .cloned()
                .map(|inner| PyFunnelStep { inner })
                .collect()
        }
        /// Bill totals summed by the customer's state.
        #[getter]
        fn revenue_per_state(&self) -> BTreeMap<&'static str, Decimal> {
            self.inner
                .revenue_per_state
                .iter()
                .map(|(s, r)| (s.as_str(), *r))
                .collect()
        }
        /// Bill totals of customers not in the set.
        #[getter]
        fn revenue_unmatched(&self) -> Decimal {
            self.inner.revenue_unmatched
        }
        /// The funnel as aligned text, one step per line.
        fn funnel_text(&self) -> String {
            funnel_text(&self.inner.funnel)
        }
    }
);

impl NativeDict for ActivationMetrics {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let ActivationMetrics {
            at,
            customers,
            per_state,
            stalled,
            funnel,
            revenue_per_state,
            revenue_unmatched,
        } = self;
        let d = PyDict::new(py);
        d.set_item("at", at)?;
        d.set_item("customers", customers)?;
        let states = PyDict::new(py);
        for (state, n) in per_state {
            states.set_item(state.as_str(), n)?;
        }
        d.set_item("per_state", states)?;
        let stuck = PyDict::new(py);
        stuck.set_item("new", stalled.new)?;
        stuck.set_item("onboarded", stalled.onboarded)?;
        d.set_item("stalled", stuck)?;
        let steps = PyDict::new(py);
        steps.set_item("steps", native_list(py, &funnel.steps)?)?;
        d.set_item("funnel", steps)?;
        let revenue = PyDict::new(py);
        for (state, amount) in revenue_per_state {
            revenue.set_item(state.as_str(), amount)?;
        }
        d.set_item("revenue_per_state", revenue)?;
        d.set_item("revenue_unmatched", revenue_unmatched)?;
        Ok(d)
    }
}

part_class!(
    PyCohortRow,
    CohortRow,
    "CohortRow",
    "One signup cohort: its size and, per period, the customers active and the retention.",
    {
        /// The first day of the cohort's signup period.
        #[getter]
        fn cohort(&self) -> NaiveDate {
            self.inner.cohort
        }
        #[getter]
        fn size(&self) -> u64 {
            self.inner.size
        }
        /// Customers with any activity in period k (k = 0 is the signup period).
        #[getter]
        fn active(&self) -> Vec<u64> {
            self.inner.active.clone()
        }
        /// `active[k] / size`, 4 decimals.
        #[getter]
        fn retention(&self) -> Vec<Decimal> {
            self.inner.retention.clone()
        }
    }
);

impl NativeDict for CohortRow {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let CohortRow {
            cohort,
            size,
            active,
            retention,
        } = self;
        let d = PyDict::new(py);
        d.set_item("cohort", cohort)?;
        d.set_item("size", size)?;
        d.set_item("active", active)?;
        d.set_item("retention", retention)?;
        Ok(d)
    }
}

part_class!(
    PyCohortTable,
    CohortTable,
    "CohortTable",
    "Cohort retention as a dashboard table: one row per signup cohort, one column per period.",
    {
        /// `week` (ISO, Monday to Sunday) or `month`.
        #[getter]
        fn granularity(&self) -> String {
            serde_name(&self.inner.granularity)
        }
        /// The last day counted.
        #[getter]
        fn as_of(&self) -> NaiveDate {
            self.inner.as_of
        }
        /// The number of columns of the longest row.
        #[getter]
        fn periods(&self) -> usize {
            self.inner.periods
        }
        /// Oldest cohort first.
        #[getter]
        fn rows(&self) -> Vec<PyCohortRow> {
            self.inner
                .rows
                .iter()
                .cloned()
                .map(|inner| PyCohortRow { inner })
                .collect()
        }
        /// The table as text: cohort, size, then retention per period in percent, at most
        /// `max_periods` columns.
        #[pyo3(signature = (max_periods = 12))]
        fn to_text(&self, max_periods: usize) -> String {
            cohort_text(&self.inner, max_periods)
        }
    }
);

impl NativeDict for CohortTable {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let CohortTable {
            granularity,
            as_of,
            periods,
            rows,
        } = self;
        let d = PyDict::new(py);
        d.set_item("granularity", serde_name(granularity))?;
        d.set_item("as_of", as_of)?;
        d.set_item("periods", periods)?;
        d.set_item("rows", native_list(py, rows)?)?;
        Ok(d)
    }
}

/// What `CustomerActivation.to_dict()` shows, in the core's serde forms.
#[derive(Serialize)]
struct ActivationView<'a> {
    customer_id: &'a str,
    state: Option<ActivationState>,
    dates: RecordedDates,
    timeline: &'a [Transition],
    events: &'a [ActivationEvent],
}

impl NativeDict for ActivationView<'_> {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let ActivationView {
            customer_id,
            state,
            dates,
            timeline,
            events,
        } = self;
        let d = PyDict::new(py);
        d.set_item("customer_id", customer_id)?;
        d.set_item("state", state_str(*state))?;
        d.set_item("dates", dates.native_dict(py)?)?;
        d.set_item("timeline", native_list(py, timeline)?)?;
        d.set_item("events", native_list(py, events)?)?;
        Ok(d)
    }
}

/// One customer's activation lifecycle: events, state, timeline and recorded dates. Changed
/// by `record` (late events refold) and `sweep`; not shared between threads while a method
/// runs.
#[pyclass(module = "earlybird", name = "CustomerActivation")]
pub struct PyCustomerActivation {
    inner: CustomerActivation,
}

#[pymethods]
impl PyCustomerActivation {
    /// Folds `history` (`customer_id`, `events`, optional `subscriptions` for the holidays) up
    /// to the sweep at `now`, under the default configuration or `config` (a dict of
    /// overrides). Every problem of the history and the configuration is raised at once.
    #[staticmethod]
    #[pyo3(signature = (history, now, config = None))]
    fn replay(
        py: Python<'_>,
        history: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        config: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let history = history_arg(history, "")?;
            let now = instant_arg(now, "now")?;
            let config = config_arg(config)?;
            let inner = CustomerActivation::replay(history, now, config)
                .map_err(|e| activation_err(py, e))?;
            Ok(Self { inner })
        })
    }

    /// Records one more event (a dict or an `ActivationEvent`). A late one is accepted and
    /// the customer folded again.
    fn record(&mut self, py: Python<'_>, event: &Bound<'_, PyAny>) -> PyResult<PyRecorded> {
        guard(py, || {
            let event = event_arg(event, "event")?;
            let inner = self
                .inner
                .record(event)
                .map_err(|e| activation_err(py, e))?;
            Ok(PyRecorded { inner })
        })
    }

    /// Applies the sweep of every morning up to `now`'s day: the transitions it made.
    /// Idempotent at the same `now`.
    fn sweep(&mut self, py: Python<'_>, now: &Bound<'_, PyAny>) -> PyResult<Vec<PyTransition>> {
        guard(py, || {
            let now = instant_arg(now, "now")?;
            Ok(transitions(&self.inner.sweep(now)))
        })
    }

    #[getter]
    fn customer_id(&self) -> &str {
        self.inner.customer_id()
    }

    /// `NEW`, `ONBOARDED`, `ACTIVE`, `ENGAGED`, `INACTIVE` or `CHURNED`.
    #[getter]
    fn state(&self) -> Option<&'static str> {
        state_str(self.inner.state())
    }

    /// Every transition so far, oldest first.
    #[getter]
    fn timeline(&self) -> Vec<PyTransition> {
        transitions(self.inner.timeline())
    }

    #[getter]
    fn dates(&self) -> PyRecordedDates {
        PyRecordedDates {
            inner: self.inner.dates(),
        }
    }

    /// The events, sorted by `(at, sequence)`.
    #[getter]
    fn events(&self) -> Vec<PyActivationEvent> {
        self.inner
            .events()
            .iter()
            .cloned()
            .map(|inner| PyActivationEvent { inner })
            .collect()
    }

    /// The configuration the customer is folded with, as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_out(py, self.inner.config())
    }

    /// The transition that set the state in force at `instant`, or `None` before the signup.
    fn state_at(
        &self,
        py: Python<'_>,
        instant: &Bound<'_, PyAny>,
    ) -> PyResult<Option<PyTransition>> {
        guard(py, || {
            let at = instant_arg(instant, "instant")?;
            Ok(self
                .inner
                .state_at(at)
                .cloned()
                .map(|inner| PyTransition { inner }))
        })
    }

    /// The notification intents of `transitions` (default: the whole timeline), for those
    /// that ask for a message.
    #[pyo3(signature = (transitions = None))]
    fn intents(
        &self,
        transitions: Option<Vec<PyRef<'_, PyTransition>>>,
    ) -> Vec<PyNotificationIntent> {
        let chosen: Vec<Transition> = match transitions {
            Some(list) => list.iter().map(|t| t.inner.clone()).collect(),
            None => self.inner.timeline().to_vec(),
        };
        self.inner
            .intents(&chosen)
            .into_iter()
            .map(|inner| PyNotificationIntent { inner })
            .collect()
    }

    /// `{customer_id, state, dates, timeline, events}` (`mode="python"` native values,
    /// `mode="json"` the canonical JSON form).
    #[pyo3(signature = (*, mode = "python"))]
    fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
        let view = ActivationView {
            customer_id: self.inner.customer_id(),
            state: self.inner.state(),
            dates: self.inner.dates(),
            timeline: self.inner.timeline(),
            events: self.inner.events(),
        };
        to_dict(py, &view, mode)
    }

    fn __repr__(&self) -> String {
        format!(
            "CustomerActivation(customer_id={}, state={})",
            crate::convert::quoted(self.inner.customer_id()),
            state_str(self.inner.state()).unwrap_or("None")
        )
    }
}

/// An optional argument, with `None` the same as absent.
pub(crate) fn some<'py>(value: Option<&Bound<'py, PyAny>>) -> Option<Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none()).cloned()
}

/// The record lists of a backfill, each of record classes or documents.
fn records_args(
    py: Python<'_>,
    orders: Option<&Bound<'_, PyAny>>,
    deliveries: Option<&Bound<'_, PyAny>>,
    subscriptions: Option<&Bound<'_, PyAny>>,
) -> PyResult<(
    Vec<earlybird::record::Order>,
    Vec<earlybird::record::DeliveryRecord>,
    Vec<earlybird::record::Subscription>,
)> {
    Ok((
        some(orders).map_or(Ok(Vec::new()), |v| batch_arg::<PyOrder>(py, &v, "orders"))?,
        some(deliveries).map_or(Ok(Vec::new()), |v| {
            batch_arg::<PyDeliveryRecord>(py, &v, "deliveries")
        })?,
        some(subscriptions).map_or(Ok(Vec::new()), |v| {
            batch_arg::<PySubscription>(py, &v, "subscriptions")
        })?,
    ))
}

/// A customer who existed before the engine: the events derived from the orders, delivery
/// records and subscriptions (classes or documents), folded up to the sweep at `now`.
#[pyfunction]
#[pyo3(signature = (customer, now, *, orders = None, deliveries = None, subscriptions = None, config = None))]
fn backfill(
    py: Python<'_>,
    customer: &Bound<'_, PyAny>,
    now: &Bound<'_, PyAny>,
    orders: Option<&Bound<'_, PyAny>>,
    deliveries: Option<&Bound<'_, PyAny>>,
    subscriptions: Option<&Bound<'_, PyAny>>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyCustomerActivation> {
    guard(py, || {
        let customer = record_arg::<PyCustomer>(customer)?;
        let now = instant_arg(now, "now")?;
        let (orders, deliveries, subscriptions) =
            records_args(py, orders, deliveries, subscriptions)?;
        let config = config_arg(config)?;
        let records = CustomerRecords {
            customer: &customer,
            orders: &orders,
            deliveries: &deliveries,
            subscriptions: &subscriptions,
        };
        let inner = core_backfill(records, now, config).map_err(|e| activation_err(py, e))?;
        Ok(PyCustomerActivation { inner })
    })
}

/// The events a backfill derives from the records, without folding them.
#[pyfunction]
#[pyo3(signature = (customer, *, orders = None, deliveries = None, subscriptions = None, config = None))]
fn backfill_events(
    py: Python<'_>,
    customer: &Bound<'_, PyAny>,
    orders: Option<&Bound<'_, PyAny>>,
    deliveries: Option<&Bound<'_, PyAny>>,
    subscriptions: Option<&Bound<'_, PyAny>>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyActivationEvent>> {
    guard(py, || {
        let customer = record_arg::<PyCustomer>(customer)?;
        let (orders, deliveries, subscriptions) =
            records_args(py, orders, deliveries, subscriptions)?;
        let config = config_arg(config)?;
        let records = CustomerRecords {
            customer: &customer,
            orders: &orders,
            deliveries: &deliveries,
            subscriptions: &subscriptions,
        };
        let events = core_backfill_events(records, &config).map_err(|e| activation_err(py, e))?;
        Ok(events
            .into_iter()
            .map(|inner| PyActivationEvent { inner })
            .collect())
    })
}

/// One customer of a cohort table given as data.
#[derive(Deserialize)]
struct CohortCustomer {
    signed_up_on: NaiveDate,
    #[serde(default)]
    activity: Vec<NaiveDate>,
}

/// Cohort retention of customers given as `{signed_up_on, activity}` dicts (dates), by
/// `granularity` (`week` or `month`) up to `as_of`. Counted without the GIL.
#[pyfunction]
fn cohort_retention(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    granularity: &str,
    as_of: &Bound<'_, PyAny>,
) -> PyResult<PyCohortTable> {
    guard(py, || {
        let granularity = granularity_arg(py, granularity)?;
        let as_of = date(as_of, "as_of")?;
        let customers: Vec<CohortCustomer> = serde_arg(customers, "customers")?;
        let inner = py.detach(|| {
            let mut table = ActivityTable::with_capacity(customers.len(), 0);
            for c in customers {
                table.push(c.signed_up_on, c.activity);
            }
            core_cohort_retention(&table, granularity, as_of)
        });
        Ok(PyCohortTable { inner })
    })
}

/// A whole customer base held in Rust for the daily jobs: the sweep, the metrics and the
/// cohort table run over it in parallel without the GIL. Not shared between threads while a
/// method runs (a concurrent call raises `RuntimeError`).
#[pyclass(module = "earlybird", name = "ActivationBase")]
pub struct PyActivationBase {
    customers: Vec<CustomerActivation>,
    config: ActivationConfig,
}

#[pymethods]
impl PyActivationBase {
    /// A base of customers already folded (`CustomerActivation`s, copied in). They must share
    /// one configuration; an empty base takes `config` (a dict of overrides, or the defaults).
    #[new]
    #[pyo3(signature = (customers, config = None))]
    fn new(
        py: Python<'_>,
        customers: &Bound<'_, PyAny>,
        config: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let mut args = Args::new();
            let mut folded = Vec::new();
            for (i, item) in list_items(customers, "customers")?.iter().enumerate() {
                match item.cast::<PyCustomerActivation>() {
                    Ok(c) => folded.push(c.borrow().inner.clone()),
                    Err(_) => {
                        args.wrong_type(&format!("customers[{i}]"), item, "CustomerActivation")
                    }
                }
            }
            args.finish(py)?;
            let config = match folded.first() {
                Some(first) => *first.config(),
                None => config_arg(config)?,
            };
            let mut problems = Problems::new();
            for (i, c) in folded.iter().enumerate() {
                if *c.config() != config {
                    problems.push(
                        format!("customers[{i}].config"),
                        Rule::Inconsistent,
                        c.customer_id(),
                        "every customer of a base is folded with the same configuration",
                    );
                }
            }
            problems.finish(()).map_err(|e| invalid(py, e))?;
            Ok(Self {
                customers: folded,
                config,
            })
        })
    }

    /// Replays many histories (dicts as `CustomerActivation.replay` takes them) in parallel
    /// without the GIL: the backfill and migration path. Problems of every history are raised
    /// together, paths prefixed `histories[i].`.
    #[staticmethod]
    #[pyo3(signature = (histories, now, config = None))]
    fn replay(
        py: Python<'_>,
        histories: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        config: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let now = instant_arg(now, "now")?;
            let config = config_arg(config)?;
            let read = list_items(histories, "histories")?
                .iter()
                .enumerate()
                .map(|(i, h)| history_arg(h, &format!("histories[{i}]")))
                .collect::<PyResult<Vec<_>>>()?;
            let replayed = py.detach(|| {
                let mut problems = Problems::new();
                let mut customers = Vec::with_capacity(read.len());
                for (i, result) in replay_all(read, now, config).into_iter().enumerate() {
                    match result {
                        Ok(c) => customers.push(c),
                        Err(e) => {
                            for p in Error::Activation(e).problems() {
                                problems.push(
                                    format!("histories[{i}].{}", p.field),
                                    p.rule,
                                    p.value.clone(),
                                    p.message.clone(),
                                );
                            }
                        }
                    }
                }
                problems.finish(customers)
            });
            let customers = replayed.map_err(|e| invalid(py, e))?;
            Ok(Self { customers, config })
        })
    }

    /// The daily sweep at `now` over every customer, in parallel without the GIL: the
    /// transitions it made, in customer order then time. Idempotent at the same `now`.
    fn sweep(
        &mut self,
        py: Python<'_>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PySweptTransition>> {
        guard(py, || {
            let now = instant_arg(now, "now")?;
            let customers = &mut self.customers;
            let made = py.detach(|| sweep_customers(customers, now));
            Ok(made
                .into_iter()
                .map(|inner| PySweptTransition { inner })
                .collect())
        })
    }

    /// The metrics at `now` (each customer swept to `now` on a copy: the base is unchanged):
    /// counts per state, stalled onboarding, the funnel, and `bills` (customer id → total,
    /// `Decimal`) summed per state.
    #[pyo3(signature = (now, bills = None))]
    fn metrics(
        &self,
        py: Python<'_>,
        now: &Bound<'_, PyAny>,
        bills: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyActivationMetrics> {
        guard(py, || {
            let mut args = Args::new();
            let at = args.instant(now, "now");
            let mut totals = BTreeMap::new();
            for (id, amount) in bills.iter().flat_map(|b| b.iter()) {
                let id: String = match id.extract() {
                    Ok(id) => id,
                    Err(_) => {
                        args.wrong_type("bills", &id, "a customer id (str) as key");
                        continue;
                    }
                };
                if let Some(amount) = args.decimal(&amount, &format!("bills[{id}]")) {
                    totals.insert(id, amount);
                }
            }
            args.finish(py)?;
            let at = at.ok_or_else(|| internal(py, "an instant without a value"))?;
            let (customers, config) = (&self.customers, &self.config);
            let inner = py.detach(|| {
                let snapshots: Vec<_> =
                    customers.iter().map(CustomerActivation::snapshot).collect();
                core_metrics(&snapshots, &totals, at, config)
            });
            Ok(PyActivationMetrics { inner })
        })
    }

    /// Cohort retention by signup `granularity` (`week` or `month`) up to `as_of`, from the
    /// customers' signup and activity dates, without the GIL.
    fn cohort_retention(
        &self,
        py: Python<'_>,
        granularity: &str,
        as_of: &Bound<'_, PyAny>,
    ) -> PyResult<PyCohortTable> {
        guard(py, || {
            let granularity = granularity_arg(py, granularity)?;
            let as_of = date(as_of, "as_of")?;
            let customers = &self.customers;
            let inner = py.detach(|| {
                core_cohort_retention(
                    &ActivityTable::from_customers(customers),
                    granularity,
                    as_of,
                )
            });
            Ok(PyCohortTable { inner })
        })
    }

    /// A copy of one customer's activation, or `None`.
    fn customer(&self, customer_id: &str) -> Option<PyCustomerActivation> {
        self.customers
            .iter()
            .find(|c| c.customer_id() == customer_id)
            .map(|c| PyCustomerActivation { inner: c.clone() })
    }

    /// The customer ids, in base order.
    #[getter]
    fn customer_ids(&self) -> Vec<String> {
        self.customers
            .iter()
            .map(|c| c.customer_id().to_owned())
            .collect()
    }

    /// The configuration of the base, as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_out(py, &self.config)
    }

    fn __len__(&self) -> usize {
        self.customers.len()
    }

    fn __repr__(&self) -> String {
        format!("ActivationBase(customers={})", self.customers.len())
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyActivationEvent>()?;
    m.add_class::<PyTransition>()?;
    m.add_class::<PyRecorded>()?;
    m.add_class::<PyRecordedDates>()?;
    m.add_class::<PyNotificationIntent>()?;
    m.add_class::<PySweptTransition>()?;
    m.add_class::<PyFunnelStep>()?;
    m.add_class::<PyActivationMetrics>()?;
    m.add_class::<PyCohortRow>()?;
    m.add_class::<PyCohortTable>()?;
    m.add_class::<PyCustomerActivation>()?;
    m.add_class::<PyActivationBase>()?;
    m.add_function(wrap_pyfunction!(activation_config, m)?)?;
    m.add_function(wrap_pyfunction!(backfill, m)?)?;
    m.add_function(wrap_pyfunction!(backfill_events, m)?)?;
    m.add_function(wrap_pyfunction!(cohort_retention, m)?)?;
    Ok(())
}
