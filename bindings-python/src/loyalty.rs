//! The loyalty programme (`earlybird::loyalty`): a `Program` object fed with events.
//!
//! Events, redemption requests and the configuration come in the core's serde shape (dicts of
//! plain or native values); results go out in the core's canonical JSON form as plain data
//! (points are `int`, rupees and percentiles exact decimal strings), ready for a JSON response.

use chrono::{DateTime, Utc};
use earlybird::Error;
use earlybird::loyalty::{
    LoyaltyConfig, LoyaltyEvent, Program, RedemptionRequest, preview as core_preview,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::{Value, json};

use crate::convert::{Args, json_out, serde_arg};
use crate::errors::{guard, internal, to_py_err};

/// The configuration given as `None` (the defaults), a dict of overrides (absent keys keep
/// their default, as the core's `#[serde(default)]` says) or a full dict from `loyalty_config()`.
fn config_arg(config: Option<&Bound<'_, PyAny>>) -> PyResult<LoyaltyConfig> {
    match config {
        None => Ok(LoyaltyConfig::default()),
        Some(value) if value.is_none() => Ok(LoyaltyConfig::default()),
        Some(value) => serde_arg(value, "config"),
    }
}

fn instant(value: &Bound<'_, PyAny>, field: &str) -> PyResult<DateTime<Utc>> {
    let mut args = Args::new();
    let at = args.instant(value, field);
    args.finish(value.py())?;
    at.ok_or_else(|| internal(value.py(), "an instant without a value"))
}

fn loyalty_err(py: Python<'_>, error: earlybird::loyalty::LoyaltyError) -> PyErr {
    to_py_err(py, Error::Loyalty(error))
}

/// The loyalty configuration as a dict (`overrides` applied to the defaults), checked by the
/// core: `loyalty_config()` shows every default.
#[pyfunction]
#[pyo3(signature = (overrides = None))]
fn loyalty_config<'py>(
    py: Python<'py>,
    overrides: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let config = config_arg(overrides)?;
        config
            .validate()
            .map_err(|e| crate::errors::invalid(py, e))?;
        json_out(py, &config)
    })
}

/// What redeeming from `balance` points against a bill of `bill_charges` allows, under the
/// default configuration or `config`.
#[pyfunction]
#[pyo3(signature = (balance, bill_charges, config = None))]
fn preview_redemption<'py>(
    py: Python<'py>,
    balance: i64,
    bill_charges: &Bound<'py, PyAny>,
    config: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let mut args = Args::new();
        let charges = args.decimal(bill_charges, "bill_charges");
        args.finish(py)?;
        let charges = charges.ok_or_else(|| internal(py, "a decimal without a value"))?;
        let config = config_arg(config)?;
        json_out(py, &core_preview(&config, balance, charges))
    })
}

/// A loyalty programme: one member per customer, changed only by events and redemptions
/// (each under its idempotency key). Not shared between threads while a method runs.
#[pyclass(module = "earlybird", name = "Program")]
pub struct PyProgram {
    inner: Program,
}

#[pymethods]
impl PyProgram {
    /// A programme with the default configuration, or `config` (a dict of overrides).
    #[new]
    #[pyo3(signature = (config = None))]
    fn new(py: Python<'_>, config: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        guard(py, || {
            let config = config_arg(config)?;
            let inner = Program::new(config).map_err(|e| loyalty_err(py, e))?;
            Ok(Self { inner })
        })
    }

    /// The configuration in force, as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_out(py, self.inner.config())
    }

    /// The customer ids of every member, sorted.
    #[getter]
    fn customer_ids(&self) -> Vec<String> {
        self.inner
            .members()
            .map(|m| m.customer_id().to_owned())
            .collect()
    }

    /// Applies one event (a dict in the `LoyaltyEvent` shape, tagged by `type`): the entries
    /// written, the tier change, the badges unlocked and whether it was a duplicate.
    fn apply<'py>(
        &mut self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let event: LoyaltyEvent = serde_arg(event, "event")?;
            let applied = self.inner.apply(&event).map_err(|e| loyalty_err(py, e))?;
            json_out(py, &applied)
        })
    }

    /// Applies many events in order; stops at the first refused one (the ones before stay
    /// applied, as they would one by one).
    fn apply_many<'py>(
        &mut self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        guard(py, || {
            let events: Vec<LoyaltyEvent> = serde_arg(events, "events")?;
            let inner = &mut self.inner;
            let applied = py.detach(|| {
                events
                    .iter()
                    .map(|event| inner.apply(event))
                    .collect::<Result<Vec<_>, _>>()
            });
            let applied = applied.map_err(|e| loyalty_err(py, e))?;
            let items = applied
                .iter()
                .map(|a| json_out(py, a))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)
        })
    }

    /// Redeems points (a dict: `customer_id`, `key`, `points`, `bill_charges`, `at`): the
    /// redemption (`amount` is the bill's credit line) and the ledger change.
    fn redeem<'py>(
        &mut self,
        py: Python<'py>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let request: RedemptionRequest = serde_arg(request, "request")?;
            let redeemed = self
                .inner
                .redeem(&request)
                .map_err(|e| loyalty_err(py, e))?;
            json_out(py, &redeemed)
        })
    }

    /// What the customer could redeem on a bill of `bill_charges` at `now`.
    fn preview_redemption<'py>(
        &self,
        py: Python<'py>,
        customer_id: &str,
        bill_charges: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let mut args = Args::new();
            let charges = args.decimal(bill_charges, "bill_charges");
            let at = args.instant(now, "now");
            args.finish(py)?;
            let (Some(charges), Some(at)) = (charges, at) else {
                return Err(internal(py, "checked arguments without values"));
            };
            json_out(py, &self.inner.preview_redemption(customer_id, charges, at))
        })
    }

    /// The expiry sweep at `now`: the expiry entries written.
    fn expire<'py>(
        &mut self,
        py: Python<'py>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let at = instant(now, "now")?;
            let inner = &mut self.inner;
            let entries = py.detach(|| inner.expire(at));
            json_out(py, &entries)
        })
    }

    /// The monthly tier review at `now`: the tier changes made.
    fn monthly_review<'py>(
        &mut self,
        py: Python<'py>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let at = instant(now, "now")?;
            let inner = &mut self.inner;
            let changes = py.detach(|| inner.monthly_review(at));
            json_out(py, &changes)
        })
    }

    /// The member's account: `customer_id`, `balance`, `tier`, `entries` (the ledger),
    /// `tier_changes`, `badges` (code to unlock instant); `None` for an unknown customer.
    fn member<'py>(&self, py: Python<'py>, customer_id: &str) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || match self.inner.member(customer_id) {
            None => Ok(py.None().into_bound(py)),
            Some(m) => {
                let account: Value = json!({
                    "customer_id": m.customer_id(),
                    "balance": m.balance(),
                    "tier": m.tier(),
                    "entries": m.ledger().entries(),
                    "tier_changes": m.tier_history(),
                    "badges": m.badges(),
                });
                json_out(py, &account)
            }
        })
    }

    /// The member's summary at `now` (balance, available points, tier progress, badge
    /// progress); `None` for an unknown customer.
    fn summary<'py>(
        &self,
        py: Python<'py>,
        customer_id: &str,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let at = instant(now, "now")?;
            match self.inner.summary(customer_id, at) {
                None => Ok(py.None().into_bound(py)),
                Some(summary) => json_out(py, &summary),
            }
        })
    }

    /// The leaderboards at `now`: `all_time`, `by_tier` (tier name to board) and `this_week`,
    /// each the first `top` positions (`rank`, `of`, `customer_id`, `score`, `percentile`), or
    /// every position when `top` is `None`. Built without the GIL.
    #[pyo3(signature = (now, top = None))]
    fn leaderboards<'py>(
        &self,
        py: Python<'py>,
        now: &Bound<'py, PyAny>,
        top: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || {
            let at = instant(now, "now")?;
            let inner = &self.inner;
            let boards = py.detach(|| {
                let boards = inner.leaderboards(at);
                let take = |b: &earlybird::loyalty::Leaderboard| b.top(top.unwrap_or(b.len()));
                let by_tier: Vec<(String, Vec<_>)> = boards
                    .by_tier
                    .iter()
                    .map(|(tier, board)| (tier.to_string(), take(board)))
                    .collect();
                (take(&boards.all_time), by_tier, take(&boards.this_week))
            });
            let (all_time, by_tier, this_week) = boards;
            let dict = PyDict::new(py);
            dict.set_item("all_time", json_out(py, &all_time)?)?;
            let tiers = PyDict::new(py);
            for (tier, positions) in &by_tier {
                tiers.set_item(tier, json_out(py, positions)?)?;
            }
            dict.set_item("by_tier", tiers)?;
            dict.set_item("this_week", json_out(py, &this_week)?)?;
            Ok(dict)
        })
    }

    /// The customer's position on each board at `now` (`all_time`, `tier`, `this_week`; a
    /// board the customer is not on is `None`), or `None` for an unknown customer.
    fn position<'py>(
        &self,
        py: Python<'py>,
        customer_id: &str,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let at = instant(now, "now")?;
            let Some(member) = self.inner.member(customer_id) else {
                return Ok(py.None().into_bound(py));
            };
            let inner = &self.inner;
            let tier = member.tier();
            let found = py.detach(|| {
                let boards = inner.leaderboards(at);
                json!({
                    "all_time": boards.all_time.position(customer_id),
                    "tier": boards.by_tier.get(&tier).and_then(|b| b.position(customer_id)),
                    "this_week": boards.this_week.position(customer_id),
                })
            });
            json_out(py, &found)
        })
    }

    /// The whole programme (configuration and every member's state) as the core serialises it.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || json_out(py, &self.inner))
    }

    fn __len__(&self) -> usize {
        self.inner.members().count()
    }

    fn __repr__(&self) -> String {
        format!("Program(members={})", self.inner.members().count())
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProgram>()?;
    m.add_function(wrap_pyfunction!(loyalty_config, m)?)?;
    m.add_function(wrap_pyfunction!(preview_redemption, m)?)?;
    Ok(())
}
