//! The stores and the service layer (`earlybird::store`, `earlybird::service`).
//!
//! One `Store` class opens a SQLite file, a PostgreSQL URL or memory. The core's stores are
//! async; the binding drives them on one tokio runtime created on first use, and blocks on it
//! with the GIL released, so other Python threads (and `asyncio.to_thread` callers, the
//! awaitable twins of `AsyncStore` in `earlybird/__init__.py`) run meanwhile. The core's `apply`
//! stays inside: Python changes the store only through the service operations.
//!
//! The service's settings (activation, loyalty, billing) are given when the store is opened,
//! as the dicts of overrides `activation_config()`, `loyalty_config()` and `billing_config()`
//! take, and checked by the core before anything is opened.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use earlybird::Error;
use earlybird::activation::{ActivationConfig, ActivationState};
use earlybird::billing::{BillingConfig, WalletEntry};
use earlybird::loyalty::LoyaltyConfig;
use earlybird::service::Service;
use earlybird::store::import::{ImportMode, import};
use earlybird::store::{MemoryStore, SqlStore, Store};
use earlybird::validation::{Problems, field_path};
use pyo3::prelude::*;
use tokio::runtime::Runtime;

use crate::activation::PySweptTransition;
use crate::billing::{PyBill, PyWallet, month_arg, result_dict, wrap_bills};
use crate::convert::{Args, config_named, json_out, serde_arg};
use crate::errors::{guard, internal, invalid, to_py_err};
use crate::lifecycle::{PyActor, PyAuditRecord, PyOrderOutcome, effect_str};
use crate::loyalty::{PyMemberSummary, PyRedemption};
use crate::records::{
    PyCustomer, PyDeliveryRecord, PyOrder, PyPayment, PyProduct, PySubscription, Wrapped,
    record_arg,
};

/// The binding's one runtime, created on first use (two workers: the stores only wait on I/O).
fn runtime(py: Python<'_>) -> PyResult<&'static Runtime> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("earlybird-store")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| internal(py, &format!("cannot start the store runtime: {e}")))
}

/// The two dates of a `from_date`..`to_date` read, both checked (every problem reported).
fn date_range(
    py: Python<'_>,
    from_date: &Bound<'_, PyAny>,
    to_date: &Bound<'_, PyAny>,
) -> PyResult<(NaiveDate, NaiveDate)> {
    let mut args = Args::new();
    let (from, to) = (
        args.date(from_date, "from_date"),
        args.date(to_date, "to_date"),
    );
    args.finish(py)?;
    match (from, to) {
        (Some(from), Some(to)) => Ok((from, to)),
        _ => Err(internal(py, "checked dates without values")),
    }
}

/// The checked instant argument `field`.
fn instant_arg(py: Python<'_>, value: &Bound<'_, PyAny>, field: &str) -> PyResult<DateTime<Utc>> {
    let mut args = Args::new();
    let at = args.instant(value, field);
    args.finish(py)?;
    at.ok_or_else(|| internal(py, "a checked instant without a value"))
}

/// The service's settings, read from the keyword arguments of the opening call.
struct Settings {
    activation: ActivationConfig,
    loyalty: LoyaltyConfig,
    billing: BillingConfig,
}

impl Settings {
    /// Reads and checks the settings (the core's own checks), so a refused setting opens
    /// nothing.
    fn read(
        py: Python<'_>,
        activation: Option<&Bound<'_, PyAny>>,
        loyalty: Option<&Bound<'_, PyAny>>,
        billing: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let settings = Self {
            activation: config_named(activation, "activation")?,
            loyalty: config_named(loyalty, "loyalty")?,
            billing: config_named(billing, "billing")?,
        };
        // Every problem of every setting at once, each named by its setting
        // (`activation.churned_after_days`).
        let mut problems = Problems::new();
        let checked = [
            ("activation", settings.activation.validate()),
            ("loyalty", settings.loyalty.validate()),
            ("billing", settings.billing.validate()),
        ];
        for (name, result) in checked {
            if let Err(mut error) = result {
                for problem in &mut error.problems {
                    problem.field = field_path(name, &problem.field);
                }
                problems.extend(error);
            }
        }
        problems.finish(settings).map_err(|e| invalid(py, e))
    }

    /// The service over `store` with these settings.
    fn service<S: Store>(self, py: Python<'_>, store: S) -> PyResult<Box<Service<S>>> {
        let service = Service::with_config(store, self.activation, self.loyalty)
            .map_err(|e| to_py_err(py, e))?;
        Ok(Box::new(service.with_billing(self.billing)))
    }
}

/// The service over whichever store was opened (boxed: the services differ in size).
enum Backend {
    Memory(Box<Service<MemoryStore>>),
    Sql(Box<Service<SqlStore>>),
}

/// Runs `$body` (an async expression over the service `$s`, giving `Result<T, Error>`) on the
/// runtime with the GIL released, whichever store is underneath.
macro_rules! blocking {
    ($self:expr, $py:expr, |$s:ident| $body:expr) => {{
        let py = $py;
        let rt = runtime(py)?;
        let backend = &*$self.backend;
        py.detach(|| match backend {
            Backend::Memory($s) => rt.block_on(async { $body }),
            Backend::Sql($s) => rt.block_on(async { $body }),
        })
        .map_err(|e: Error| to_py_err(py, e))
    }};
}

fn wrap_all<W: Wrapped>(records: Vec<W::Core>) -> Vec<W> {
    records.into_iter().map(W::wrap).collect()
}

/// A store of the business's records, audit trail and notification outbox, with the service
/// operations over it. Thread-safe: share one per process.
#[pyclass(frozen, module = "earlybird", name = "Store")]
pub struct PyStore {
    backend: Arc<Backend>,
    kind: &'static str,
}

#[pymethods]
impl PyStore {
    /// Opens (creating and migrating it if needed) the SQLite database file at `path`. The
    /// settings `activation`, `loyalty` and `billing` are dicts of overrides of the defaults
    /// (`activation_config()`, `loyalty_config()`, `billing_config()` show them).
    #[staticmethod]
    #[pyo3(signature = (path, *, activation = None, loyalty = None, billing = None))]
    fn sqlite(
        py: Python<'_>,
        path: &str,
        activation: Option<&Bound<'_, PyAny>>,
        loyalty: Option<&Bound<'_, PyAny>>,
        billing: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let settings = Settings::read(py, activation, loyalty, billing)?;
            let rt = runtime(py)?;
            let store = py
                .detach(|| rt.block_on(SqlStore::open_sqlite(path)))
                .map_err(|e| to_py_err(py, e.into()))?;
            Ok(Self {
                backend: Arc::new(Backend::Sql(settings.service(py, store)?)),
                kind: "sqlite",
            })
        })
    }

    /// Connects to a PostgreSQL database (`postgres://...`) and migrates it; the settings as
    /// for `sqlite`.
    #[staticmethod]
    #[pyo3(signature = (url, *, activation = None, loyalty = None, billing = None))]
    fn postgres(
        py: Python<'_>,
        url: &str,
        activation: Option<&Bound<'_, PyAny>>,
        loyalty: Option<&Bound<'_, PyAny>>,
        billing: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let settings = Settings::read(py, activation, loyalty, billing)?;
            let rt = runtime(py)?;
            let store = py
                .detach(|| rt.block_on(SqlStore::open(url)))
                .map_err(|e| to_py_err(py, e.into()))?;
            Ok(Self {
                backend: Arc::new(Backend::Sql(settings.service(py, store)?)),
                kind: "postgres",
            })
        })
    }

    /// A store in memory (tests, demos): gone with the object; the settings as for `sqlite`.
    #[staticmethod]
    #[pyo3(signature = (*, activation = None, loyalty = None, billing = None))]
    fn memory(
        py: Python<'_>,
        activation: Option<&Bound<'_, PyAny>>,
        loyalty: Option<&Bound<'_, PyAny>>,
        billing: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let settings = Settings::read(py, activation, loyalty, billing)?;
            Ok(Self {
                backend: Arc::new(Backend::Memory(settings.service(py, MemoryStore::new())?)),
                kind: "memory",
            })
        })
    }

    /// `sqlite`, `postgres` or `memory`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn __repr__(&self) -> String {
        format!("Store({})", self.kind)
    }

    // ---- service operations ----

    /// Registers a new customer (a `Customer` or its document): `(effect, customer)`. The
    /// same customer again is `unchanged`; another customer under the same id is a conflict.
    fn register_customer(
        &self,
        py: Python<'_>,
        customer: &Bound<'_, PyAny>,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<(&'static str, PyCustomer)> {
        guard(py, || {
            let customer = record_arg::<PyCustomer>(customer)?;
            let actor = actor.inner.clone();
            let done = blocking!(self, py, |s| s.register_customer(customer, &actor).await)?;
            Ok((effect_str(done.effect), PyCustomer::wrap(done.record)))
        })
    }

    /// Places a new one-time order (PENDING) for a known customer: `(effect, order)`.
    fn place_order(
        &self,
        py: Python<'_>,
        order: &Bound<'_, PyAny>,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<(&'static str, PyOrder)> {
        guard(py, || {
            let order = record_arg::<PyOrder>(order)?;
            let actor = actor.inner.clone();
            let done = blocking!(self, py, |s| s.place_order(order, &actor).await)?;
            Ok((effect_str(done.effect), PyOrder::wrap(done.record)))
        })
    }

    /// Dispatches the stored order `order_id`.
    fn dispatch_order(
        &self,
        py: Python<'_>,
        order_id: &str,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<PyOrderOutcome> {
        guard(py, || {
            let actor = actor.inner.clone();
            let inner = blocking!(self, py, |s| s.dispatch_order(order_id, &actor).await)?;
            Ok(PyOrderOutcome { inner })
        })
    }

    /// Cancels the stored order `order_id`.
    fn cancel_order(
        &self,
        py: Python<'_>,
        order_id: &str,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<PyOrderOutcome> {
        guard(py, || {
            let actor = actor.inner.clone();
            let inner = blocking!(self, py, |s| s.cancel_order(order_id, &actor).await)?;
            Ok(PyOrderOutcome { inner })
        })
    }

    /// Confirms what was delivered of each item of the stored order (`Decimal`s).
    #[pyo3(signature = (order_id, delivered, actor, reason = None))]
    fn confirm_delivery(
        &self,
        py: Python<'_>,
        order_id: &str,
        delivered: &Bound<'_, PyAny>,
        actor: PyRef<'_, PyActor>,
        reason: Option<&str>,
    ) -> PyResult<PyOrderOutcome> {
        guard(py, || {
            let mut args = Args::new();
            let delivered = args.decimals(delivered, "delivered");
            args.finish(py)?;
            let delivered = delivered.unwrap_or_default();
            let actor = actor.inner.clone();
            let inner = blocking!(self, py, |s| s
                .confirm_delivery(order_id, &delivered, reason, &actor)
                .await)?;
            Ok(PyOrderOutcome { inner })
        })
    }

    /// Corrects the delivered quantities of a confirmed stored order, with the reason.
    fn correct_delivery(
        &self,
        py: Python<'_>,
        order_id: &str,
        delivered: &Bound<'_, PyAny>,
        actor: PyRef<'_, PyActor>,
        reason: &str,
    ) -> PyResult<PyOrderOutcome> {
        guard(py, || {
            let mut args = Args::new();
            let delivered = args.decimals(delivered, "delivered");
            args.finish(py)?;
            let delivered = delivered.unwrap_or_default();
            let actor = actor.inner.clone();
            let inner = blocking!(self, py, |s| s
                .correct_delivery(order_id, &delivered, reason, &actor)
                .await)?;
            Ok(PyOrderOutcome { inner })
        })
    }

    /// Records a payment received: `(effect, payment)`; the same payment again is `unchanged`.
    fn record_payment(
        &self,
        py: Python<'_>,
        payment: &Bound<'_, PyAny>,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<(&'static str, PyPayment)> {
        guard(py, || {
            let payment = record_arg::<PyPayment>(payment)?;
            let actor = actor.inner.clone();
            let done = blocking!(self, py, |s| s.record_payment(payment, &actor).await)?;
            Ok((effect_str(done.effect), PyPayment::wrap(done.record)))
        })
    }

    /// Records money paid into a customer's wallet (`kind: "top_up"`) or promotional credit
    /// granted to it (`"promotional"`, with `expires_on`): `(effect, entry)`, the entry as a
    /// dict with native values; the same entry again is `unchanged`, another one under its id
    /// a `StoreConflictError`. Applications are not recorded here: `finalize_month` writes one
    /// with each bill the wallet pays.
    fn record_wallet_entry<'py>(
        &self,
        py: Python<'py>,
        entry: &Bound<'py, PyAny>,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<(&'static str, Bound<'py, PyAny>)> {
        guard(py, || {
            let entry = serde_arg::<WalletEntry>(entry, "entry")?;
            let actor = actor.inner.clone();
            let done = blocking!(self, py, |s| s.record_wallet_entry(entry, &actor).await)?;
            Ok((
                effect_str(done.effect),
                result_dict(py, &done.record, "python")?,
            ))
        })
    }

    /// A customer's wallet as stored (empty when it has none): `balance_on(date)` and
    /// `history()` give what it holds.
    fn wallet(&self, py: Python<'_>, customer_id: &str) -> PyResult<PyWallet> {
        guard(py, || {
            let wallet = blocking!(self, py, |s| s.wallet(customer_id).await)?;
            Ok(PyWallet::wrap(wallet))
        })
    }

    /// Finalizes every customer's bill of `month` (`YYYY-MM`) in one transaction: numbers
    /// from the stored series with no gap, the bills with the sources they bill, an audit record
    /// and a payment reminder each. Calling it again bills nothing twice; deliveries confirmed
    /// after it are billed as arrears in the next month's bill.
    fn finalize_month(
        &self,
        py: Python<'_>,
        month: &Bound<'_, PyAny>,
        actor: PyRef<'_, PyActor>,
    ) -> PyResult<Vec<PyBill>> {
        guard(py, || {
            let month = month_arg(month, "month")?;
            let actor = actor.inner.clone();
            let bills = blocking!(self, py, |s| s.finalize_month(month, &actor).await)?;
            Ok(wrap_bills(bills))
        })
    }

    /// A customer's finalized bills.
    fn bills_of(&self, py: Python<'_>, customer_id: &str) -> PyResult<Vec<PyBill>> {
        guard(py, || {
            let bills = blocking!(self, py, |s| s
                .store()
                .bills_of(customer_id)
                .await
                .map_err(Error::from))?;
            Ok(wrap_bills(bills))
        })
    }

    /// Redeems `points` of a customer against a bill whose charges (subtotal + tax, before
    /// credits) are `bill_charges` (a `Decimal`), once per `key` (e.g. the bill number): the
    /// same key again returns the same redemption and changes nothing. The redemption and its
    /// credit, dated the business-local day of `now`, are stored in one transaction, so the
    /// month's bill carries the credit as a line. A key already used as another customer's
    /// credit is a `StoreConflictError`; the programme's refusals are `LoyaltyError`s.
    fn redeem_points(
        &self,
        py: Python<'_>,
        customer_id: &str,
        points: i64,
        bill_charges: &Bound<'_, PyAny>,
        key: &str,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<PyRedemption> {
        guard(py, || {
            let mut args = Args::new();
            let charges = args.decimal(bill_charges, "bill_charges");
            let now = args.instant(now, "now");
            args.finish(py)?;
            let (Some(charges), Some(now)) = (charges, now) else {
                return Err(internal(py, "checked arguments without values"));
            };
            let inner = blocking!(self, py, |s| s
                .redeem_points(customer_id, points, charges, key, now)
                .await)?;
            Ok(PyRedemption { inner })
        })
    }

    /// A member's summary at `now` from the stored loyalty facts: balance, points available,
    /// tier progress and badges; `None` when no loyalty event reached the customer yet.
    fn loyalty_summary(
        &self,
        py: Python<'_>,
        customer_id: &str,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Option<PyMemberSummary>> {
        guard(py, || {
            let now = instant_arg(py, now, "now")?;
            let summary = blocking!(self, py, |s| s.loyalty_summary(customer_id, now).await)?;
            Ok(summary.map(|inner| PyMemberSummary { inner }))
        })
    }

    /// Sweeps every customer's activation to the morning of `now`: the transitions made, each
    /// stored with its audit record and message intent in one transaction. Running it again
    /// at the same `now` changes nothing and returns `[]`.
    fn run_daily_sweep(
        &self,
        py: Python<'_>,
        now: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PySweptTransition>> {
        guard(py, || {
            let now = instant_arg(py, now, "now")?;
            let swept = blocking!(self, py, |s| s.run_daily_sweep(now).await)?;
            Ok(swept
                .into_iter()
                .map(|inner| PySweptTransition { inner })
                .collect())
        })
    }

    /// A customer's activation state (`NEW` ... `CHURNED`) as of the last stored event or
    /// sweep; `None` when none is recorded.
    fn activation_state(
        &self,
        py: Python<'_>,
        customer_id: &str,
    ) -> PyResult<Option<&'static str>> {
        guard(py, || {
            let state = blocking!(self, py, |s| s.activation_state(customer_id).await)?;
            Ok(state.map(ActivationState::as_str))
        })
    }

    /// Imports a MongoDB export (`{"customers": [...], "orders": [...], ...}`) in one
    /// transaction; `mode` is `all_or_nothing` or `skip_rejected`. The report: `imported`
    /// (count per kind) and `rejected` (every document not imported, and why).
    #[pyo3(signature = (export, mode, actor))]
    fn import_export<'py>(
        &self,
        py: Python<'py>,
        export: &Bound<'py, PyAny>,
        mode: &str,
        actor: PyRef<'py, PyActor>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let mut args = Args::new();
            let mode = match mode {
                "all_or_nothing" => Some(ImportMode::AllOrNothing),
                "skip_rejected" => Some(ImportMode::SkipRejected),
                other => {
                    args.unknown("mode", other, "all_or_nothing, skip_rejected");
                    None
                }
            };
            let export = crate::document::to_json(export, "export")
                .map_err(|e| crate::errors::invalid(py, e));
            args.finish(py)?;
            let export = export?;
            let mode = mode.ok_or_else(|| internal(py, "a checked mode without a value"))?;
            let (actor_id, at) = (actor.inner.id.clone(), actor.inner.at);
            let report = blocking!(self, py, |s| import(
                s.store(),
                &export,
                mode,
                &actor_id,
                at
            )
            .await)?;
            json_out(py, &report)
        })
    }

    // ---- outbox ----

    /// Hands out up to `limit` unsent notification intents to `claimant` for `lease_seconds`:
    /// a list of `{seq, intent}` dicts (canonical JSON form).
    #[pyo3(signature = (claimant, limit, now, lease_seconds = 60))]
    fn claim_intents<'py>(
        &self,
        py: Python<'py>,
        claimant: &str,
        limit: usize,
        now: &Bound<'py, PyAny>,
        lease_seconds: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let mut args = Args::new();
            let now = args.instant(now, "now");
            args.finish(py)?;
            let now: DateTime<Utc> = now.unwrap_or_default();
            let lease = Duration::seconds(lease_seconds);
            let claimed = blocking!(self, py, |s| s
                .store()
                .claim_intents(claimant, limit, now, lease)
                .await
                .map_err(Error::from))?;
            json_out(py, &claimed)
        })
    }

    /// Marks intents held by `claimant` as sent; returns how many were marked.
    fn mark_sent(&self, py: Python<'_>, claimant: &str, seqs: Vec<u64>) -> PyResult<usize> {
        guard(py, || {
            blocking!(self, py, |s| s
                .store()
                .mark_sent(claimant, &seqs)
                .await
                .map_err(Error::from))
        })
    }

    // ---- reads ----

    fn customer(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyCustomer>> {
        guard(py, || {
            let found = blocking!(self, py, |s| s
                .store()
                .customer(id)
                .await
                .map_err(Error::from))?;
            Ok(found.map(PyCustomer::wrap))
        })
    }

    /// Every customer, by id.
    fn customers(&self, py: Python<'_>) -> PyResult<Vec<PyCustomer>> {
        guard(py, || {
            let all = blocking!(self, py, |s| s
                .store()
                .customers()
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    fn product(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyProduct>> {
        guard(py, || {
            let found = blocking!(self, py, |s| s
                .store()
                .product(id)
                .await
                .map_err(Error::from))?;
            Ok(found.map(PyProduct::wrap))
        })
    }

    /// Every product, by id.
    fn products(&self, py: Python<'_>) -> PyResult<Vec<PyProduct>> {
        guard(py, || {
            let all = blocking!(self, py, |s| s
                .store()
                .products()
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    fn subscription(&self, py: Python<'_>, id: &str) -> PyResult<Option<PySubscription>> {
        guard(py, || {
            let found = blocking!(self, py, |s| s
                .store()
                .subscription(id)
                .await
                .map_err(Error::from))?;
            Ok(found.map(PySubscription::wrap))
        })
    }

    /// A customer's subscriptions, by id.
    fn subscriptions_of(&self, py: Python<'_>, customer_id: &str) -> PyResult<Vec<PySubscription>> {
        guard(py, || {
            let all = blocking!(self, py, |s| s
                .store()
                .subscriptions_of(customer_id)
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    fn order(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyOrder>> {
        guard(py, || {
            let found = blocking!(self, py, |s| s.store().order(id).await.map_err(Error::from))?;
            Ok(found.map(PyOrder::wrap))
        })
    }

    /// A customer's orders, by delivery date then id.
    fn orders_of(&self, py: Python<'_>, customer_id: &str) -> PyResult<Vec<PyOrder>> {
        guard(py, || {
            let all = blocking!(self, py, |s| s
                .store()
                .orders_of(customer_id)
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    /// Every order delivered from `from_date` to `to_date` (inclusive).
    fn orders_between(
        &self,
        py: Python<'_>,
        from_date: &Bound<'_, PyAny>,
        to_date: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyOrder>> {
        guard(py, || {
            let (from, to) = date_range(py, from_date, to_date)?;
            let all = blocking!(self, py, |s| s
                .store()
                .orders_between(from, to)
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    fn delivery(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyDeliveryRecord>> {
        guard(py, || {
            let found = blocking!(self, py, |s| s
                .store()
                .delivery(id)
                .await
                .map_err(Error::from))?;
            Ok(found.map(PyDeliveryRecord::wrap))
        })
    }

    /// A customer's delivery records, by date then id.
    fn deliveries_of(&self, py: Python<'_>, customer_id: &str) -> PyResult<Vec<PyDeliveryRecord>> {
        guard(py, || {
            let all = blocking!(self, py, |s| s
                .store()
                .deliveries_of(customer_id)
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    /// Every delivery record dated from `from_date` to `to_date` (inclusive).
    fn deliveries_between(
        &self,
        py: Python<'_>,
        from_date: &Bound<'_, PyAny>,
        to_date: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<PyDeliveryRecord>> {
        guard(py, || {
            let (from, to) = date_range(py, from_date, to_date)?;
            let all = blocking!(self, py, |s| s
                .store()
                .deliveries_between(from, to)
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    fn payment(&self, py: Python<'_>, id: &str) -> PyResult<Option<PyPayment>> {
        guard(py, || {
            let found = blocking!(self, py, |s| s
                .store()
                .payment(id)
                .await
                .map_err(Error::from))?;
            Ok(found.map(PyPayment::wrap))
        })
    }

    /// A customer's payments, by date then id.
    fn payments_of(&self, py: Python<'_>, customer_id: &str) -> PyResult<Vec<PyPayment>> {
        guard(py, || {
            let all = blocking!(self, py, |s| s
                .store()
                .payments_of(customer_id)
                .await
                .map_err(Error::from))?;
            Ok(wrap_all(all))
        })
    }

    /// The audit trail of one entity (`order`, `customer`, ...), in the order it was written.
    fn audit_trail(
        &self,
        py: Python<'_>,
        entity: &str,
        entity_id: &str,
    ) -> PyResult<Vec<PyAuditRecord>> {
        guard(py, || {
            let all = blocking!(self, py, |s| s
                .store()
                .audit_trail(entity, entity_id)
                .await
                .map_err(Error::from))?;
            Ok(all
                .into_iter()
                .map(|inner| PyAuditRecord { inner })
                .collect())
        })
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStore>()?;
    Ok(())
}
