//! The order lifecycle and subscription delivery recording: the core's commands for Python.
//!
//! Each command takes the current record (its class or its document), returns an outcome
//! holding what to store (record, delivery records, audit records) and raises a
//! `LifecycleError` subclass or `ValidationError` when the rules refuse it.

use chrono::{DateTime, Utc};
use earlybird::audit::AuditRecord;
use earlybird::lifecycle::{self, Actor, DeliveryOutcome, Effect, OrderOutcome};
use earlybird::record::DeliveryRecord;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{Args, NativeDict, native_list, quoted, to_dict, to_json_text};
use crate::document::to_python;
use crate::errors::{guard, to_py_err};
use crate::records::{PyDeliveryRecord, PyOrder, Wrapped, part_class, record_arg};

/// Who made a change and when: every command carries it into the audit trail.
#[pyclass(frozen, eq, module = "earlybird", name = "Actor")]
#[derive(Clone, PartialEq)]
pub struct PyActor {
    pub(crate) inner: Actor,
}

#[pymethods]
impl PyActor {
    /// `id` acting at `at`, a time-zone-aware `datetime` (kept in UTC).
    #[new]
    fn new(py: Python<'_>, id: String, at: &Bound<'_, PyAny>) -> PyResult<Self> {
        let mut args = Args::new();
        let at = args.instant(at, "at");
        args.finish(py)?;
        Ok(Self {
            inner: Actor::new(id, at.unwrap_or_default()),
        })
    }

    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    #[getter]
    fn at(&self) -> DateTime<Utc> {
        self.inner.at
    }

    /// `{id, at}` (`mode="python"` with an aware datetime, `mode="json"` RFC 3339 text).
    #[pyo3(signature = (*, mode = "python"))]
    fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.inner, mode)
    }

    fn __repr__(&self) -> String {
        format!(
            "Actor(id={}, at={})",
            quoted(&self.inner.id),
            self.inner.at.to_rfc3339()
        )
    }
}

impl NativeDict for Actor {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Actor { id, at } = self;
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        d.set_item("at", at)?;
        Ok(d)
    }
}

part_class!(
    PyAuditRecord,
    AuditRecord,
    "AuditRecord",
    "One state change of one entity: who, when, before and after.",
    {
        /// The kind of entity changed (`order`, `delivery`, ...).
        #[getter]
        fn entity(&self) -> &str {
            &self.inner.entity
        }
        #[getter]
        fn entity_id(&self) -> &str {
            &self.inner.entity_id
        }
        /// What happened (`dispatched`, `delivery_confirmed`, `delivery_corrected`, ...).
        #[getter]
        fn action(&self) -> &str {
            &self.inner.action
        }
        /// Who did it.
        #[getter]
        fn actor(&self) -> &str {
            &self.inner.actor
        }
        #[getter]
        fn at(&self) -> DateTime<Utc> {
            self.inner.at
        }
        /// The entity before the change, as canonical JSON data; `None` when it was created.
        #[getter]
        fn before<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            snapshot(py, self.inner.before.as_ref())
        }
        /// The entity after the change, as canonical JSON data.
        #[getter]
        fn after<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            snapshot(py, self.inner.after.as_ref())
        }
        /// Why, when a person gave a reason.
        #[getter]
        fn reason(&self) -> Option<&str> {
            self.inner.reason.as_deref()
        }
    }
);

fn snapshot<'py>(
    py: Python<'py>,
    value: Option<&serde_json::Value>,
) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Some(v) => to_python(py, v),
        None => Ok(py.None().into_bound(py)),
    }
}

/// Snapshots stay in their canonical JSON form in both modes: they are stored as written.
impl NativeDict for AuditRecord {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let AuditRecord {
            entity,
            entity_id,
            action,
            actor,
            at,
            before,
            after,
            reason,
        } = self;
        let d = PyDict::new(py);
        d.set_item("entity", entity)?;
        d.set_item("entity_id", entity_id)?;
        d.set_item("action", action)?;
        d.set_item("actor", actor)?;
        d.set_item("at", at)?;
        d.set_item("before", snapshot(py, before.as_ref())?)?;
        d.set_item("after", snapshot(py, after.as_ref())?)?;
        if let Some(reason) = reason {
            d.set_item("reason", reason)?;
        }
        Ok(d)
    }
}

pub(crate) fn effect_str(effect: Effect) -> &'static str {
    match effect {
        Effect::Changed => "changed",
        Effect::Unchanged => "unchanged",
        Effect::DeliveryFailed => "delivery_failed",
    }
}

part_class!(
    PyOrderOutcome,
    OrderOutcome,
    "OrderOutcome",
    "The result of an order command: the order, its delivery records and its audit records to store.",
    {
        /// `changed` (store the outcome), `unchanged` (an idempotent repeat: store nothing) or
        /// `delivery_failed` (nothing delivered: the order stays open, store the audit).
        #[getter]
        fn effect(&self) -> &'static str {
            effect_str(self.inner.effect)
        }
        #[getter]
        fn order(&self) -> PyOrder {
            PyOrder::wrap(self.inner.order.clone())
        }
        /// Delivery records to upsert (the trace of a confirmation or correction).
        #[getter]
        fn deliveries(&self) -> Vec<PyDeliveryRecord> {
            self.inner
                .deliveries
                .iter()
                .cloned()
                .map(PyDeliveryRecord::wrap)
                .collect()
        }
        #[getter]
        fn audit(&self) -> Vec<PyAuditRecord> {
            self.inner
                .audit
                .iter()
                .cloned()
                .map(|inner| PyAuditRecord { inner })
                .collect()
        }
    }
);

impl NativeDict for OrderOutcome {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let OrderOutcome {
            effect,
            order,
            deliveries,
            audit,
        } = self;
        let d = PyDict::new(py);
        d.set_item("effect", effect_str(*effect))?;
        d.set_item("order", order.native_dict(py)?)?;
        d.set_item("deliveries", native_list(py, deliveries)?)?;
        d.set_item("audit", native_list(py, audit)?)?;
        Ok(d)
    }
}

part_class!(
    PyDeliveryOutcome,
    DeliveryOutcome,
    "DeliveryOutcome",
    "The result of recording or correcting a subscription delivery.",
    {
        /// `changed` or `unchanged` (the same delivery recorded again).
        #[getter]
        fn effect(&self) -> &'static str {
            effect_str(self.inner.effect)
        }
        #[getter]
        fn delivery(&self) -> PyDeliveryRecord {
            PyDeliveryRecord::wrap(self.inner.delivery.clone())
        }
        #[getter]
        fn audit(&self) -> Vec<PyAuditRecord> {
            self.inner
                .audit
                .iter()
                .cloned()
                .map(|inner| PyAuditRecord { inner })
                .collect()
        }
    }
);

impl NativeDict for DeliveryOutcome {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let DeliveryOutcome {
            effect,
            delivery,
            audit,
        } = self;
        let d = PyDict::new(py);
        d.set_item("effect", effect_str(*effect))?;
        d.set_item("delivery", delivery.native_dict(py)?)?;
        d.set_item("audit", native_list(py, audit)?)?;
        Ok(d)
    }
}

fn order_result(
    py: Python<'_>,
    result: Result<OrderOutcome, lifecycle::LifecycleError>,
) -> PyResult<PyOrderOutcome> {
    result
        .map(|inner| PyOrderOutcome { inner })
        .map_err(|e| to_py_err(py, e.into()))
}

fn delivery_result(
    py: Python<'_>,
    result: Result<DeliveryOutcome, lifecycle::LifecycleError>,
) -> PyResult<PyDeliveryOutcome> {
    result
        .map(|inner| PyDeliveryOutcome { inner })
        .map_err(|e| to_py_err(py, e.into()))
}

/// PENDING → OUT_FOR_DELIVERY. Repeating it is a no-op (`effect == "unchanged"`).
#[pyfunction]
fn dispatch(
    py: Python<'_>,
    order: &Bound<'_, PyAny>,
    actor: PyRef<'_, PyActor>,
) -> PyResult<PyOrderOutcome> {
    guard(py, || {
        let order = record_arg::<PyOrder>(order)?;
        order_result(py, lifecycle::dispatch(&order, &actor.inner))
    })
}

/// PENDING or OUT_FOR_DELIVERY → CANCELLED. Repeating it is a no-op.
#[pyfunction]
fn cancel(
    py: Python<'_>,
    order: &Bound<'_, PyAny>,
    actor: PyRef<'_, PyActor>,
) -> PyResult<PyOrderOutcome> {
    guard(py, || {
        let order = record_arg::<PyOrder>(order)?;
        order_result(py, lifecycle::cancel(&order, &actor.inner))
    })
}

/// Confirms the delivery of an OUT_FOR_DELIVERY order with the quantity delivered of each
/// item (`decimal.Decimal` or `int`, one per item, never `float`).
///
/// Everything delivered → DELIVERED; some → PARTIALLY_DELIVERED; nothing → the order stays
/// open (`effect == "delivery_failed"`, audited with `reason`). Confirming again with the same
/// quantities is a no-op; with other quantities it raises `ConflictingConfirmationError`.
#[pyfunction]
#[pyo3(signature = (order, delivered, actor, reason = None))]
fn confirm_delivery(
    py: Python<'_>,
    order: &Bound<'_, PyAny>,
    delivered: &Bound<'_, PyAny>,
    actor: PyRef<'_, PyActor>,
    reason: Option<&str>,
) -> PyResult<PyOrderOutcome> {
    guard(py, || {
        let order = record_arg::<PyOrder>(order)?;
        let mut args = Args::new();
        let delivered = args.decimals(delivered, "delivered");
        args.finish(py)?;
        let delivered = delivered.unwrap_or_default();
        order_result(
            py,
            lifecycle::confirm_delivery(&order, &delivered, reason, &actor.inner),
        )
    })
}

/// Changes the confirmed quantities of a DELIVERED or PARTIALLY_DELIVERED order, recording
/// before, after and `reason` in the audit trail.
#[pyfunction]
fn correct_delivery(
    py: Python<'_>,
    order: &Bound<'_, PyAny>,
    delivered: &Bound<'_, PyAny>,
    actor: PyRef<'_, PyActor>,
    reason: &str,
) -> PyResult<PyOrderOutcome> {
    guard(py, || {
        let order = record_arg::<PyOrder>(order)?;
        let mut args = Args::new();
        let delivered = args.decimals(delivered, "delivered");
        args.finish(py)?;
        let delivered = delivered.unwrap_or_default();
        order_result(
            py,
            lifecycle::correct_delivery(&order, &delivered, reason, &actor.inner),
        )
    })
}

/// Records a subscription delivery (`existing`: the record already stored under its id, or
/// `None`). The same delivery again is a no-op; a different one raises
/// `ConflictingConfirmationError` (use `correct_recorded_delivery`).
#[pyfunction]
fn record_delivery(
    py: Python<'_>,
    existing: Option<&Bound<'_, PyAny>>,
    delivery: &Bound<'_, PyAny>,
    actor: PyRef<'_, PyActor>,
) -> PyResult<PyDeliveryOutcome> {
    guard(py, || {
        let existing: Option<DeliveryRecord> = existing
            .filter(|e| !e.is_none())
            .map(record_arg::<PyDeliveryRecord>)
            .transpose()?;
        let delivery = record_arg::<PyDeliveryRecord>(delivery)?;
        delivery_result(
            py,
            lifecycle::record_delivery(existing.as_ref(), delivery, &actor.inner),
        )
    })
}

/// Corrects a recorded subscription delivery, with the reason in the audit trail.
#[pyfunction]
fn correct_recorded_delivery(
    py: Python<'_>,
    existing: &Bound<'_, PyAny>,
    corrected: &Bound<'_, PyAny>,
    actor: PyRef<'_, PyActor>,
    reason: &str,
) -> PyResult<PyDeliveryOutcome> {
    guard(py, || {
        let existing = record_arg::<PyDeliveryRecord>(existing)?;
        let corrected = record_arg::<PyDeliveryRecord>(corrected)?;
        delivery_result(
            py,
            lifecycle::correct_recorded_delivery(&existing, corrected, reason, &actor.inner),
        )
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyActor>()?;
    m.add_class::<PyAuditRecord>()?;
    m.add_class::<PyOrderOutcome>()?;
    m.add_class::<PyDeliveryOutcome>()?;
    m.add_function(wrap_pyfunction!(dispatch, m)?)?;
    m.add_function(wrap_pyfunction!(cancel, m)?)?;
    m.add_function(wrap_pyfunction!(confirm_delivery, m)?)?;
    m.add_function(wrap_pyfunction!(correct_delivery, m)?)?;
    m.add_function(wrap_pyfunction!(record_delivery, m)?)?;
    m.add_function(wrap_pyfunction!(correct_recorded_delivery, m)?)?;
    Ok(())
}
