//! The loyalty programme (`earlybird::loyalty`): a `Program` object fed with events.
//!
//! Events, redemption requests and the configuration come in the core's serde shape (dicts of
//! plain or native values); results go out in the core's canonical JSON form as plain data
//! (points are `int`, rupees and percentiles exact decimal strings), ready for a JSON response.
//! The store's loyalty operations (`Store.redeem_points`, `Store.loyalty_summary`) answer with
//! the frozen classes defined here, whose `to_dict(mode="json")` is that same form.

use chrono::{DateTime, Utc};
use earlybird::Error;
use earlybird::loyalty::{
    BadgeProgress, LoyaltyConfig, LoyaltyEvent, MemberSummary, Program, Redemption,
    RedemptionRequest, TierProgress, preview as core_preview,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::activation::serde_name;
use crate::convert::{
    Args, NativeDict, config_arg, json_out, native_list, serde_arg, to_dict, to_json_text,
};
use crate::errors::{guard, internal, to_py_err};
use crate::records::part_class;

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
        let config: LoyaltyConfig = config_arg(overrides)?;
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

part_class!(
    PyRedemption,
    Redemption,
    "Redemption",
    "Points redeemed and the credit they buy: the bill shows `amount` as a credit line.",
    {
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        #[getter]
        fn points(&self) -> i64 {
            self.inner.points
        }
        /// Rupees, two decimal places, positive (the bill's line is its negative).
        #[getter]
        fn amount(&self) -> Decimal {
            self.inner.amount
        }
        /// The idempotency key the redemption was made under (e.g. the bill number).
        #[getter]
        fn key(&self) -> &str {
            &self.inner.key
        }
        /// The description of the bill's credit line.
        #[getter]
        fn line_description(&self) -> String {
            self.inner.line_description()
        }
    }
);

impl NativeDict for Redemption {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Redemption {
            customer_id,
            points,
            amount,
            key,
        } = self;
        let d = PyDict::new(py);
        d.set_item("customer_id", customer_id)?;
        d.set_item("points", points)?;
        d.set_item("amount", amount)?;
        d.set_item("key", key)?;
        Ok(d)
    }
}

part_class!(
    PyTierProgress,
    TierProgress,
    "TierProgress",
    "Where a member stands: tier, qualifying points, and what the next tier needs.",
    {
        /// `BRONZE`, `SILVER`, `GOLD`, `PLATINUM` or `DIAMOND`.
        #[getter]
        fn tier(&self) -> &'static str {
            self.inner.tier.as_str()
        }
        /// Points earned in the trailing qualifying window.
        #[getter]
        fn qualifying_points(&self) -> i64 {
            self.inner.qualifying_points
        }
        /// The next tier up (`None` at the top).
        #[getter]
        fn next_tier(&self) -> Option<&'static str> {
            self.inner.next_tier.map(|t| t.as_str())
        }
        #[getter]
        fn next_threshold(&self) -> Option<i64> {
            self.inner.next_threshold
        }
        /// Points still to earn for the next tier (0: it comes with the next event).
        #[getter]
        fn points_to_next(&self) -> Option<i64> {
            self.inner.points_to_next
        }
        /// Points to earn before the next review to keep the tier (0 when safe).
        #[getter]
        fn points_to_keep(&self) -> i64 {
            self.inner.points_to_keep
        }
    }
);

impl NativeDict for TierProgress {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let TierProgress {
            tier,
            qualifying_points,
            next_tier,
            next_threshold,
            points_to_next,
            points_to_keep,
        } = self;
        let d = PyDict::new(py);
        d.set_item("tier", tier.as_str())?;
        d.set_item("qualifying_points", qualifying_points)?;
        d.set_item("next_tier", next_tier.map(|t| t.as_str()))?;
        d.set_item("next_threshold", next_threshold)?;
        d.set_item("points_to_next", points_to_next)?;
        d.set_item("points_to_keep", points_to_keep)?;
        Ok(d)
    }
}

part_class!(
    PyBadgeProgress,
    BadgeProgress,
    "BadgeProgress",
    "A badge of the catalogue with the member's progress towards it.",
    {
        #[getter]
        fn code(&self) -> &str {
            &self.inner.code
        }
        #[getter]
        fn name(&self) -> &str {
            &self.inner.name
        }
        /// `orders`, `points`, `referrals`, `reviews`, `streaks`, `social` or `tier`.
        #[getter]
        fn category(&self) -> String {
            serde_name(&self.inner.category)
        }
        /// Progress so far, at most `target`.
        #[getter]
        fn current(&self) -> u64 {
            self.inner.current
        }
        #[getter]
        fn target(&self) -> u64 {
            self.inner.target
        }
        /// When it was unlocked; `None` while locked.
        #[getter]
        fn unlocked_at(&self) -> Option<DateTime<Utc>> {
            self.inner.unlocked_at
        }
    }
);

impl NativeDict for BadgeProgress {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let BadgeProgress {
            code,
            name,
            category,
            current,
            target,
            unlocked_at,
        } = self;
        let d = PyDict::new(py);
        d.set_item("code", code)?;
        d.set_item("name", name)?;
        d.set_item("category", serde_name(category))?;
        d.set_item("current", current)?;
        d.set_item("target", target)?;
        d.set_item("unlocked_at", unlocked_at)?;
        Ok(d)
    }
}

part_class!(
    PyMemberSummary,
    MemberSummary,
    "MemberSummary",
    "What the app shows a member: balance, points available, tier progress, badges.",
    {
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        #[getter]
        fn balance(&self) -> i64 {
            self.inner.balance
        }
        /// The balance less the points due to expire at the summary's instant.
        #[getter]
        fn available(&self) -> i64 {
            self.inner.available
        }
        #[getter]
        fn tier(&self) -> PyTierProgress {
            PyTierProgress {
                inner: self.inner.tier.clone(),
            }
        }
        #[getter]
        fn badges(&self) -> Vec<PyBadgeProgress> {
            self.inner
                .badges
                .iter()
                .cloned()
                .map(|inner| PyBadgeProgress { inner })
                .collect()
        }
    }
);

impl NativeDict for MemberSummary {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let MemberSummary {
            customer_id,
            balance,
            available,
            tier,
            badges,
        } = self;
        let d = PyDict::new(py);
        d.set_item("customer_id", customer_id)?;
        d.set_item("balance", balance)?;
        d.set_item("available", available)?;
        d.set_item("tier", tier.native_dict(py)?)?;
        d.set_item("badges", native_list(py, badges)?)?;
        Ok(d)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProgram>()?;
    m.add_class::<PyRedemption>()?;
    m.add_class::<PyTierProgress>()?;
    m.add_class::<PyBadgeProgress>()?;
    m.add_class::<PyMemberSummary>()?;
    m.add_function(wrap_pyfunction!(loyalty_config, m)?)?;
    m.add_function(wrap_pyfunction!(preview_redemption, m)?)?;
    Ok(())
}
