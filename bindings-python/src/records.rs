//! The business's records as Python classes, read from MongoDB documents by the core.
//!
//! Each class wraps the core record unchanged: attributes are read-only views converted to
//! native Python values, `to_dict()` gives the canonical shape, and every command of the
//! binding accepts either the class or the raw document.

use chrono::NaiveDate;
use earlybird::record::{
    Customer, DatedPrice, DatedRate, DeliveryRecord, DeliverySource, Order, OrderItem, Pause,
    Payment, Product, Record, Schedule, Subscription,
};
use earlybird::validation::{Problems, ValidationError};
use pyo3::PyClass;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::convert::{Args, NativeDict, native_list, set_some, to_dict, to_json_text};
use crate::document::to_json;
use crate::errors::{guard, invalid};

/// A Python class wrapping one core record.
pub(crate) trait Wrapped:
    PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync
{
    type Core: Record + Clone + Send;
    fn wrap(core: Self::Core) -> Self;
    fn core(&self) -> &Self::Core;
}

/// Reads one document with the core's reader.
pub(crate) fn read_document<T: Record>(document: &Bound<'_, PyAny>) -> PyResult<T> {
    let py = document.py();
    let json = to_json(document, "").map_err(|e| invalid(py, e))?;
    T::from_document(&json).map_err(|e| invalid(py, e))
}

/// An argument that may be the record's class or its document.
pub(crate) fn record_arg<W: Wrapped>(value: &Bound<'_, PyAny>) -> PyResult<W::Core> {
    match value.cast::<W>() {
        Ok(record) => Ok(record.get().core().clone()),
        Err(_) => read_document(value),
    }
}

/// Documents converted and read per turn: small enough to stay in the CPU caches (the cost
/// per document grew by half from 100 to 10,000 documents read in one go), large enough that
/// giving the GIL back and taking it again per turn costs nothing measurable.
const CHUNK: usize = 256;

/// Reads many documents with one problem list; paths are prefixed with `prefix[i]`.
/// The core reads each chunk without holding the GIL: the documents are plain JSON by then.
/// Each document comes with its index in the caller's list.
fn read_batch<T: Record + Send>(
    py: Python<'_>,
    documents: &[(usize, Bound<'_, PyAny>)],
    prefix: &str,
) -> PyResult<Vec<T>> {
    let mut unconvertible = Problems::new();
    let mut problems = Problems::new();
    let mut records: Vec<Option<T>> = Vec::with_capacity(documents.len());
    for chunk in documents.chunks(CHUNK) {
        let mut jsons = Vec::with_capacity(chunk.len());
        for (i, document) in chunk {
            match to_json(document, &format!("{prefix}[{i}]")) {
                Ok(json) => jsons.push((*i, json)),
                Err(e) => unconvertible.extend(e),
            }
        }
        if !unconvertible.is_empty() {
            continue;
        }
        let (problems, records) = (&mut problems, &mut records);
        py.detach(move || {
            for (i, json) in &jsons {
                records.push(T::read(json, &format!("{prefix}[{i}]"), problems));
            }
        });
    }
    unconvertible.finish(()).map_err(|e| invalid(py, e))?;
    let read = match records.into_iter().collect::<Option<Vec<T>>>() {
        Some(records) => problems.finish(records),
        None => Err(problems.into_error(T::KIND)),
    };
    read.map_err(|e: ValidationError| invalid(py, e))
}

/// Reads a list (or tuple) argument of records or documents.
pub(crate) fn batch_arg<W: Wrapped>(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<Vec<W::Core>> {
    let items: Vec<Bound<'_, PyAny>> = match value.try_iter() {
        Ok(iter)
            if !value.is_instance_of::<pyo3::types::PyString>()
                && !value.is_instance_of::<PyDict>() =>
        {
            iter.collect::<PyResult<_>>()?
        }
        _ => {
            let mut args = Args::new();
            args.wrong_type(field, value, "a list of records or documents");
            args.finish(py)?;
            Vec::new()
        }
    };
    let mut records = Vec::with_capacity(items.len());
    let mut documents = Vec::new();
    let mut slots = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.cast::<W>() {
            Ok(record) => {
                slots.push(true);
                records.push(record.get().core().clone());
            }
            Err(_) => {
                slots.push(false);
                documents.push((i, item.clone()));
            }
        }
    }
    if documents.is_empty() {
        return Ok(records);
    }
    let mut read = read_batch::<W::Core>(py, &documents, field)?.into_iter();
    let mut given = records.into_iter();
    Ok(slots
        .into_iter()
        .filter_map(|is_record| if is_record { given.next() } else { read.next() })
        .collect())
}

macro_rules! record_class {
    ($class:ident, $core:ty, $name:literal, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        #[pyclass(frozen, eq, module = "earlybird", name = $name)]
        #[derive(Clone, PartialEq)]
        pub struct $class {
            pub(crate) inner: $core,
        }

        impl Wrapped for $class {
            type Core = $core;
            fn wrap(core: $core) -> Self {
                Self { inner: core }
            }
            fn core(&self) -> &$core {
                &self.inner
            }
        }

        #[pymethods]
        impl $class {
            /// Reads a document (a dict as MongoDB holds it), reporting every problem at once
            /// as a `ValidationError`.
            #[staticmethod]
            fn from_document(py: Python<'_>, document: &Bound<'_, PyAny>) -> PyResult<Self> {
                guard(py, || read_document::<$core>(document).map(Self::wrap))
            }

            /// Reads a document from JSON text.
            #[staticmethod]
            fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
                guard(py, || {
                    <$core as Record>::from_json(text)
                        .map(Self::wrap)
                        .map_err(|e| invalid(py, e))
                })
            }

            /// The record as a dict: `mode="python"` with `Decimal`, `date` and aware
            /// `datetime` values; `mode="json"` the canonical JSON form (decimal strings
            /// keeping their scale, ISO dates, RFC 3339 instants).
            #[pyo3(signature = (*, mode = "python"))]
            fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
                to_dict(py, &self.inner, mode)
            }

            /// The canonical JSON text of the record.
            fn to_json(&self, py: Python<'_>) -> PyResult<String> {
                to_json_text(py, &self.inner)
            }

            fn __repr__(&self) -> String {
                format!("{}(id={})", $name, $crate::convert::quoted(Record::id(&self.inner)))
            }

            /// Pickles as the canonical JSON, read back by `from_json`.
            fn __reduce__<'py>(
                slf: &Bound<'py, Self>,
            ) -> PyResult<(Bound<'py, PyAny>, (String,))> {
                let json = to_json_text(slf.py(), &slf.get().inner)?;
                Ok((slf.get_type().getattr("from_json")?, (json,)))
            }

            /// Pydantic v2 hook: the class as a field or FastAPI return type (see
            /// `earlybird._pydantic`).
            #[classmethod]
            fn __get_pydantic_core_schema__<'py>(
                cls: &Bound<'py, pyo3::types::PyType>,
                source: &Bound<'py, PyAny>,
                handler: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                $crate::records::pydantic_schema(cls, source, handler)
            }

            $($extra)*
        }
    };
}

/// A small value class (part of a record) with a native `to_dict()`.
macro_rules! part_class {
    ($class:ident, $core:ty, $name:literal, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        #[pyclass(frozen, eq, module = "earlybird", name = $name)]
        #[derive(Clone, PartialEq)]
        pub struct $class {
            pub(crate) inner: $core,
        }

        #[pymethods]
        impl $class {
            /// The value as a dict (`mode="python"` native values, `mode="json"` canonical JSON).
            #[pyo3(signature = (*, mode = "python"))]
            fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
                to_dict(py, &self.inner, mode)
            }

            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                Ok(format!("{}({})", $name, to_json_text(py, &self.inner)?))
            }

            /// Pydantic v2 hook: the class as a field or FastAPI return type (see
            /// `earlybird._pydantic`).
            #[classmethod]
            fn __get_pydantic_core_schema__<'py>(
                cls: &Bound<'py, pyo3::types::PyType>,
                source: &Bound<'py, PyAny>,
                handler: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                $crate::records::pydantic_schema(cls, source, handler)
            }

            $($extra)*
        }
    };
}
pub(crate) use part_class;

/// Delegates the Pydantic hook to the pure-Python helper, so pydantic stays optional.
pub(crate) fn pydantic_schema<'py>(
    cls: &Bound<'py, pyo3::types::PyType>,
    source: &Bound<'py, PyAny>,
    handler: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    cls.py()
        .import("earlybird._pydantic")?
        .getattr("core_schema_of")?
        .call1((cls, source, handler))
}

fn wrap_all<T: Clone, W>(items: &[T], wrap: impl Fn(T) -> W) -> Vec<W> {
    items.iter().cloned().map(wrap).collect()
}

record_class!(
    PyCustomer,
    Customer,
    "Customer",
    "A customer, as `customers_v2` holds them.",
    {
        #[getter]
        fn id(&self) -> &str {
            &self.inner.id
        }
        #[getter]
        fn name(&self) -> &str {
            &self.inner.name
        }
        /// Normalised to `+91XXXXXXXXXX`.
        #[getter]
        fn phone(&self) -> &str {
            &self.inner.phone
        }
        #[getter]
        fn email(&self) -> Option<&str> {
            self.inner.email.as_deref()
        }
        #[getter]
        fn address(&self) -> Option<&str> {
            self.inner.address.as_deref()
        }
        #[getter]
        fn lat(&self) -> Option<f64> {
            self.inner.lat
        }
        #[getter]
        fn lon(&self) -> Option<f64> {
            self.inner.lon
        }
        #[getter]
        fn user_id(&self) -> Option<&str> {
            self.inner.user_id.as_deref()
        }
        #[getter]
        fn delivery_boy_id(&self) -> Option<&str> {
            self.inner.delivery_boy_id.as_deref()
        }
        #[getter]
        fn signup_date(&self) -> NaiveDate {
            self.inner.signup_date
        }
        #[getter]
        fn referred_by(&self) -> Option<&str> {
            self.inner.referred_by.as_deref()
        }
    }
);

impl NativeDict for Customer {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Customer {
            id,
            name,
            phone,
            email,
            address,
            lat,
            lon,
            user_id,
            delivery_boy_id,
            signup_date,
            referred_by,
        } = self;
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        d.set_item("name", name)?;
        d.set_item("phone", phone)?;
        set_some(&d, "email", email.as_deref())?;
        set_some(&d, "address", address.as_deref())?;
        set_some(&d, "lat", *lat)?;
        set_some(&d, "lon", *lon)?;
        set_some(&d, "user_id", user_id.as_deref())?;
        set_some(&d, "delivery_boy_id", delivery_boy_id.as_deref())?;
        d.set_item("signup_date", signup_date)?;
        set_some(&d, "referred_by", referred_by.as_deref())?;
        Ok(d)
    }
}

part_class!(
    PyDatedPrice,
    DatedPrice,
    "DatedPrice",
    "A price in force from a date on.",
    {
        #[getter]
        fn price(&self) -> Decimal {
            self.inner.price
        }
        #[getter]
        fn effective_from(&self) -> NaiveDate {
            self.inner.effective_from
        }
    }
);

impl NativeDict for DatedPrice {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let DatedPrice {
            price,
            effective_from,
        } = self;
        let d = PyDict::new(py);
        d.set_item("price", price)?;
        d.set_item("effective_from", effective_from)?;
        Ok(d)
    }
}

part_class!(
    PyDatedRate,
    DatedRate,
    "DatedRate",
    "A GST rate in percent, in force from a date on (`None`: always).",
    {
        #[getter]
        fn rate(&self) -> Decimal {
            self.inner.rate
        }
        #[getter]
        fn effective_from(&self) -> Option<NaiveDate> {
            self.inner.effective_from
        }
    }
);

impl NativeDict for DatedRate {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let DatedRate {
            rate,
            effective_from,
        } = self;
        let d = PyDict::new(py);
        d.set_item("rate", rate)?;
        set_some(&d, "effective_from", *effective_from)?;
        Ok(d)
    }
}

record_class!(
    PyProduct,
    Product,
    "Product",
    "A product, with prices exclusive of GST.",
    {
        #[getter]
        fn id(&self) -> &str {
            &self.inner.id
        }
        #[getter]
        fn name(&self) -> &str {
            &self.inner.name
        }
        #[getter]
        fn unit(&self) -> Option<&str> {
            self.inner.unit.as_deref()
        }
        /// Price history, sorted by `effective_from`.
        #[getter]
        fn prices(&self) -> Vec<PyDatedPrice> {
            wrap_all(&self.inner.prices, |inner| PyDatedPrice { inner })
        }
        /// GST history, sorted by `effective_from`; empty means 0 %.
        #[getter]
        fn gst_rates(&self) -> Vec<PyDatedRate> {
            wrap_all(&self.inner.gst_rates, |inner| PyDatedRate { inner })
        }
        /// The unit price in force on `date`, or `None` before the first price.
        fn price_on(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<Option<Decimal>> {
            let date = one_date(py, date, "date")?;
            Ok(self.inner.price_on(date))
        }
        /// The GST rate (percent) in force on `date`.
        fn gst_rate_on(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<Decimal> {
            let date = one_date(py, date, "date")?;
            Ok(self.inner.gst_rate_on(date))
        }
    }
);

impl NativeDict for Product {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Product {
            id,
            name,
            unit,
            prices,
            gst_rates,
        } = self;
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        d.set_item("name", name)?;
        set_some(&d, "unit", unit.as_deref())?;
        d.set_item("prices", native_list(py, prices)?)?;
        d.set_item("gst_rates", native_list(py, gst_rates)?)?;
        Ok(d)
    }
}

/// Reads a single strict `date` argument.
pub(crate) fn one_date(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    field: &str,
) -> PyResult<NaiveDate> {
    let mut args = Args::new();
    let date = args.date(value, field);
    args.finish(py)?;
    Ok(date.unwrap_or_default())
}

part_class!(
    PySchedule,
    Schedule,
    "Schedule",
    "On which days a subscription delivers.",
    {
        /// `daily`, `alternate_days`, `weekdays` or `custom`.
        #[getter]
        fn kind(&self) -> &'static str {
            match &self.inner {
                Schedule::Daily => "daily",
                Schedule::AlternateDays => "alternate_days",
                Schedule::Weekdays { .. } => "weekdays",
                Schedule::Custom { .. } => "custom",
            }
        }
        /// The weekdays (`mon` ... `sun`) of a `weekdays` schedule, else `None`.
        #[getter]
        fn days(&self) -> Option<Vec<&'static str>> {
            match &self.inner {
                Schedule::Weekdays { days } => Some(days.iter().map(|d| d.as_str()).collect()),
                Schedule::Daily | Schedule::AlternateDays | Schedule::Custom { .. } => None,
            }
        }
        /// The quantity per weekday of a `custom` schedule, else `None`.
        #[getter]
        fn quantities<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
            match &self.inner {
                Schedule::Custom { quantities } => {
                    let d = PyDict::new(py);
                    for (day, q) in quantities {
                        d.set_item(day.as_str(), q)?;
                    }
                    Ok(Some(d))
                }
                Schedule::Daily | Schedule::AlternateDays | Schedule::Weekdays { .. } => Ok(None),
            }
        }
    }
);

impl NativeDict for Schedule {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        match self {
            Schedule::Daily => d.set_item("kind", "daily")?,
            Schedule::AlternateDays => d.set_item("kind", "alternate_days")?,
            Schedule::Weekdays { days } => {
                d.set_item("kind", "weekdays")?;
                let days: Vec<&str> = days.iter().map(|w| w.as_str()).collect();
                d.set_item("days", days)?;
            }
            Schedule::Custom { quantities } => {
                d.set_item("kind", "custom")?;
                let q = PyDict::new(py);
                for (day, quantity) in quantities {
                    q.set_item(day.as_str(), quantity)?;
                }
                d.set_item("quantities", q)?;
            }
        }
        Ok(d)
    }
}

part_class!(
    PyPause,
    Pause,
    "Pause",
    "A holiday: no delivery from `from_` to `to`, both inclusive.",
    {
        /// First paused day (`from` in documents and dicts).
        #[getter]
        fn from_(&self) -> NaiveDate {
            self.inner.from
        }
        /// Last paused day.
        #[getter]
        fn to(&self) -> NaiveDate {
            self.inner.to
        }
    }
);

impl NativeDict for Pause {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Pause { from, to } = self;
        let d = PyDict::new(py);
        d.set_item("from", from)?;
        d.set_item("to", to)?;
        Ok(d)
    }
}

record_class!(
    PySubscription,
    Subscription,
    "Subscription",
    "A subscription: a product delivered on a schedule, with holiday pauses.",
    {
        #[getter]
        fn id(&self) -> &str {
            &self.inner.id
        }
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        #[getter]
        fn product_id(&self) -> &str {
            &self.inner.product_id
        }
        /// Quantity per delivery (a custom schedule carries its own per weekday).
        #[getter]
        fn quantity(&self) -> Decimal {
            self.inner.quantity
        }
        #[getter]
        fn schedule(&self) -> PySchedule {
            PySchedule {
                inner: self.inner.schedule.clone(),
            }
        }
        #[getter]
        fn start_date(&self) -> NaiveDate {
            self.inner.start_date
        }
        #[getter]
        fn end_date(&self) -> Option<NaiveDate> {
            self.inner.end_date
        }
        #[getter]
        fn pauses(&self) -> Vec<PyPause> {
            wrap_all(&self.inner.pauses, |inner| PyPause { inner })
        }
        /// A negotiated unit price replacing the product's price history.
        #[getter]
        fn price_override(&self) -> Option<Decimal> {
            self.inner.price_override
        }
        /// `active` or `cancelled`.
        #[getter]
        fn status(&self) -> &'static str {
            self.inner.status.as_str()
        }
        /// Every day from `from_date` to `to_date` (inclusive) on which the subscription is due.
        fn due_between(
            &self,
            py: Python<'_>,
            from_date: &Bound<'_, PyAny>,
            to_date: &Bound<'_, PyAny>,
        ) -> PyResult<Vec<crate::schedule::PyDueDelivery>> {
            crate::schedule::due_between_core(py, &self.inner, from_date, to_date)
        }
        /// The quantity due on `date`, or `None` (not scheduled, not running, or paused).
        fn due_on(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<Option<Decimal>> {
            Ok(self.inner.due_on(one_date(py, date, "date")?))
        }
        /// Whether `date` falls inside one of the pauses.
        fn is_paused_on(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<bool> {
            Ok(self.inner.is_paused_on(one_date(py, date, "date")?))
        }
        /// Whether the subscription runs on `date` (between its start and end).
        fn runs_on(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<bool> {
            Ok(self.inner.runs_on(one_date(py, date, "date")?))
        }
    }
);

impl NativeDict for Subscription {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Subscription {
            id,
            customer_id,
            product_id,
            quantity,
            schedule,
            start_date,
            end_date,
            pauses,
            price_override,
            status,
        } = self;
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        d.set_item("customer_id", customer_id)?;
        d.set_item("product_id", product_id)?;
        d.set_item("quantity", quantity)?;
        d.set_item("schedule", schedule.native_dict(py)?)?;
        d.set_item("start_date", start_date)?;
        set_some(&d, "end_date", *end_date)?;
        d.set_item("pauses", native_list(py, pauses)?)?;
        set_some(&d, "price_override", *price_override)?;
        d.set_item("status", status.as_str())?;
        Ok(d)
    }
}

part_class!(
    PyOrderItem,
    OrderItem,
    "OrderItem",
    "One line of an order.",
    {
        #[getter]
        fn product_id(&self) -> &str {
            &self.inner.product_id
        }
        #[getter]
        fn quantity(&self) -> Decimal {
            self.inner.quantity
        }
        /// Price per unit agreed when the order was placed, exclusive of GST.
        #[getter]
        fn unit_price(&self) -> Decimal {
            self.inner.unit_price
        }
        /// Set once the delivery is confirmed.
        #[getter]
        fn delivered_quantity(&self) -> Option<Decimal> {
            self.inner.delivered_quantity
        }
    }
);

impl NativeDict for OrderItem {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let OrderItem {
            product_id,
            quantity,
            unit_price,
            delivered_quantity,
        } = self;
        let d = PyDict::new(py);
        d.set_item("product_id", product_id)?;
        d.set_item("quantity", quantity)?;
        d.set_item("unit_price", unit_price)?;
        set_some(&d, "delivered_quantity", *delivered_quantity)?;
        Ok(d)
    }
}

record_class!(
    PyOrder,
    Order,
    "Order",
    "A one-time order, as the `orders` collection holds them.",
    {
        #[getter]
        fn id(&self) -> &str {
            &self.inner.id
        }
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        #[getter]
        fn items(&self) -> Vec<PyOrderItem> {
            wrap_all(&self.inner.items, |inner| PyOrderItem { inner })
        }
        /// The day it is (to be) delivered; billing uses this date.
        #[getter]
        fn delivery_date(&self) -> NaiveDate {
            self.inner.delivery_date
        }
        /// `PENDING`, `OUT_FOR_DELIVERY`, `DELIVERED`, `PARTIALLY_DELIVERED` or `CANCELLED`.
        #[getter]
        fn status(&self) -> &'static str {
            self.inner.status.as_str()
        }
        #[getter]
        fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
            self.inner.created_at
        }
    }
);

impl NativeDict for Order {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Order {
            id,
            customer_id,
            items,
            delivery_date,
            status,
            created_at,
        } = self;
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        d.set_item("customer_id", customer_id)?;
        d.set_item("items", native_list(py, items)?)?;
        d.set_item("delivery_date", delivery_date)?;
        d.set_item("status", status.as_str())?;
        set_some(&d, "created_at", *created_at)?;
        Ok(d)
    }
}

record_class!(
    PyDeliveryRecord,
    DeliveryRecord,
    "DeliveryRecord",
    "One delivery of one product to one customer on one day, as `delivery_statuses` holds them.",
    {
        #[getter]
        fn id(&self) -> &str {
            &self.inner.id
        }
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        #[getter]
        fn date(&self) -> NaiveDate {
            self.inner.date
        }
        /// The subscription delivered, when it is a subscription delivery.
        #[getter]
        fn subscription_id(&self) -> Option<&str> {
            self.inner.subscription_id()
        }
        /// The one-time order delivered, when it is an order delivery.
        #[getter]
        fn order_id(&self) -> Option<&str> {
            self.inner.order_id()
        }
        #[getter]
        fn product_id(&self) -> &str {
            &self.inner.product_id
        }
        #[getter]
        fn ordered_quantity(&self) -> Decimal {
            self.inner.ordered_quantity
        }
        #[getter]
        fn delivered_quantity(&self) -> Decimal {
            self.inner.delivered_quantity
        }
        /// `DELIVERED`, `PARTIALLY_DELIVERED` or `NOT_DELIVERED`.
        #[getter]
        fn status(&self) -> &'static str {
            self.inner.status.as_str()
        }
        #[getter]
        fn reason(&self) -> Option<&str> {
            self.inner.reason.as_deref()
        }
        #[getter]
        fn delivery_boy_id(&self) -> Option<&str> {
            self.inner.delivery_boy_id.as_deref()
        }
        #[getter]
        fn confirmed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
            self.inner.confirmed_at
        }
    }
);

impl NativeDict for DeliveryRecord {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let DeliveryRecord {
            id,
            customer_id,
            date,
            source,
            product_id,
            ordered_quantity,
            delivered_quantity,
            status,
            reason,
            delivery_boy_id,
            confirmed_at,
        } = self;
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        d.set_item("customer_id", customer_id)?;
        d.set_item("date", date)?;
        match source {
            DeliverySource::Subscription(sid) => d.set_item("subscription_id", sid)?,
            DeliverySource::Order(oid) => d.set_item("order_id", oid)?,
        }
        d.set_item("product_id", product_id)?;
        d.set_item("ordered_quantity", ordered_quantity)?;
        d.set_item("delivered_quantity", delivered_quantity)?;
        d.set_item("status", status.as_str())?;
        set_some(&d, "reason", reason.as_deref())?;
        set_some(&d, "delivery_boy_id", delivery_boy_id.as_deref())?;
        set_some(&d, "confirmed_at", *confirmed_at)?;
        Ok(d)
    }
}

record_class!(
    PyPayment,
    Payment,
    "Payment",
    "A payment received from a customer, in rupees.",
    {
        #[getter]
        fn id(&self) -> &str {
            &self.inner.id
        }
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        #[getter]
        fn amount(&self) -> Decimal {
            self.inner.amount
        }
        /// `upi`, `cash`, `card`, `netbanking` or `wallet`.
        #[getter]
        fn method(&self) -> &'static str {
            self.inner.method.as_str()
        }
        #[getter]
        fn date(&self) -> NaiveDate {
            self.inner.date
        }
        #[getter]
        fn reference(&self) -> Option<&str> {
            self.inner.reference.as_deref()
        }
    }
);

impl NativeDict for Payment {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let Payment {
            id,
            customer_id,
            amount,
            method,
            date,
            reference,
        } = self;
        let d = PyDict::new(py);
        d.set_item("id", id)?;
        d.set_item("customer_id", customer_id)?;
        d.set_item("amount", amount)?;
        d.set_item("method", method.as_str())?;
        d.set_item("date", date)?;
        set_some(&d, "reference", reference.as_deref())?;
        Ok(d)
    }
}

/// The record kinds `parse` and `parse_many` read.
const KINDS: &str = "customer, product, subscription, order, delivery, payment";

/// Reads `documents` of one `kind` into record objects (one list, every problem at once).
fn parse_kind<'py>(
    py: Python<'py>,
    kind: &str,
    documents: &[(usize, Bound<'py, PyAny>)],
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    fn objects<'py, W: Wrapped + Into<pyo3::PyClassInitializer<W>>>(
        py: Python<'py>,
        documents: &[(usize, Bound<'py, PyAny>)],
    ) -> PyResult<Vec<Bound<'py, PyAny>>>
    where
        W::Core: Send,
    {
        read_batch::<W::Core>(py, documents, "")?
            .into_iter()
            .map(|core| Ok(Bound::new(py, W::wrap(core))?.into_any()))
            .collect()
    }
    match kind {
        "customer" => objects::<PyCustomer>(py, documents),
        "product" => objects::<PyProduct>(py, documents),
        "subscription" => objects::<PySubscription>(py, documents),
        "order" => objects::<PyOrder>(py, documents),
        "delivery" => objects::<PyDeliveryRecord>(py, documents),
        "payment" => objects::<PyPayment>(py, documents),
        other => {
            let mut args = Args::new();
            args.unknown("kind", other, KINDS);
            args.finish(py)?;
            Ok(Vec::new())
        }
    }
}

/// Reads one document of `kind` (`customer`, `product`, `subscription`, `order`,
/// `delivery`, `payment`) into its record class.
#[pyfunction]
fn parse<'py>(
    py: Python<'py>,
    kind: &str,
    document: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let json = to_json(&document, "").map_err(|e| invalid(py, e))?;
        match kind {
            "customer" => wrap_one::<PyCustomer>(py, &json),
            "product" => wrap_one::<PyProduct>(py, &json),
            "subscription" => wrap_one::<PySubscription>(py, &json),
            "order" => wrap_one::<PyOrder>(py, &json),
            "delivery" => wrap_one::<PyDeliveryRecord>(py, &json),
            "payment" => wrap_one::<PyPayment>(py, &json),
            other => {
                let mut args = Args::new();
                args.unknown("kind", other, KINDS);
                args.finish(py)?;
                Ok(py.None().into_bound(py))
            }
        }
    })
}

fn wrap_one<'py, W: Wrapped + Into<pyo3::PyClassInitializer<W>>>(
    py: Python<'py>,
    json: &Value,
) -> PyResult<Bound<'py, PyAny>> {
    let core = W::Core::from_document(json).map_err(|e| invalid(py, e))?;
    Ok(Bound::new(py, W::wrap(core))?.into_any())
}

/// Reads many documents of one `kind` at once, without holding the GIL while the core reads
/// them. Every problem of every document is raised together, field paths prefixed `[i]`.
#[pyfunction]
fn parse_many<'py>(
    py: Python<'py>,
    kind: &str,
    documents: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    guard(py, || {
        let items: Vec<(usize, Bound<'py, PyAny>)> = match documents.cast::<PyList>() {
            Ok(list) => list.iter().enumerate().collect(),
            Err(_) => documents
                .try_iter()?
                .enumerate()
                .map(|(i, d)| d.map(|d| (i, d)))
                .collect::<PyResult<_>>()?,
        };
        PyList::new(py, parse_kind(py, kind, &items)?)
    })
}

/// Records of several kinds read together, so references between them can be checked.
#[pyclass(frozen, module = "earlybird", name = "Dataset")]
pub struct PyDataset {
    inner: earlybird::record::Dataset,
}

#[pymethods]
impl PyDataset {
    /// Each argument is a list of record objects or documents; paths of problems are
    /// prefixed with the list's name (`orders[3].items[0].quantity`).
    #[new]
    #[pyo3(signature = (*, customers = None, products = None, subscriptions = None, orders = None, deliveries = None, payments = None))]
    fn new(
        py: Python<'_>,
        customers: Option<Bound<'_, PyAny>>,
        products: Option<Bound<'_, PyAny>>,
        subscriptions: Option<Bound<'_, PyAny>>,
        orders: Option<Bound<'_, PyAny>>,
        deliveries: Option<Bound<'_, PyAny>>,
        payments: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            fn list<W: Wrapped>(
                py: Python<'_>,
                value: Option<Bound<'_, PyAny>>,
                field: &str,
            ) -> PyResult<Vec<W::Core>> {
                value.map_or(Ok(Vec::new()), |v| batch_arg::<W>(py, &v, field))
            }
            Ok(Self {
                inner: earlybird::record::Dataset {
                    customers: list::<PyCustomer>(py, customers, "customers")?,
                    products: list::<PyProduct>(py, products, "products")?,
                    subscriptions: list::<PySubscription>(py, subscriptions, "subscriptions")?,
                    orders: list::<PyOrder>(py, orders, "orders")?,
                    deliveries: list::<PyDeliveryRecord>(py, deliveries, "deliveries")?,
                    payments: list::<PyPayment>(py, payments, "payments")?,
                },
            })
        })
    }

    #[getter]
    fn customers(&self) -> Vec<PyCustomer> {
        wrap_all(&self.inner.customers, PyCustomer::wrap)
    }
    #[getter]
    fn products(&self) -> Vec<PyProduct> {
        wrap_all(&self.inner.products, PyProduct::wrap)
    }
    #[getter]
    fn subscriptions(&self) -> Vec<PySubscription> {
        wrap_all(&self.inner.subscriptions, PySubscription::wrap)
    }
    #[getter]
    fn orders(&self) -> Vec<PyOrder> {
        wrap_all(&self.inner.orders, PyOrder::wrap)
    }
    #[getter]
    fn deliveries(&self) -> Vec<PyDeliveryRecord> {
        wrap_all(&self.inner.deliveries, PyDeliveryRecord::wrap)
    }
    #[getter]
    fn payments(&self) -> Vec<PyPayment> {
        wrap_all(&self.inner.payments, PyPayment::wrap)
    }

    /// Checks unique ids per kind and that every referenced id exists (where the referenced
    /// kind was given); raises `ValidationError` listing every problem.
    fn validate_references(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            let dataset = &self.inner;
            py.detach(|| dataset.validate_references())
                .map_err(|e| invalid(py, e))
        })
    }

    fn __repr__(&self) -> String {
        let d = &self.inner;
        format!(
            "Dataset(customers={}, products={}, subscriptions={}, orders={}, deliveries={}, payments={})",
            d.customers.len(),
            d.products.len(),
            d.subscriptions.len(),
            d.orders.len(),
            d.deliveries.len(),
            d.payments.len()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCustomer>()?;
    m.add_class::<PyProduct>()?;
    m.add_class::<PyDatedPrice>()?;
    m.add_class::<PyDatedRate>()?;
    m.add_class::<PySubscription>()?;
    m.add_class::<PySchedule>()?;
    m.add_class::<PyPause>()?;
    m.add_class::<PyOrder>()?;
    m.add_class::<PyOrderItem>()?;
    m.add_class::<PyDeliveryRecord>()?;
    m.add_class::<PyPayment>()?;
    m.add_class::<PyDataset>()?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(parse_many, m)?)?;
    Ok(())
}
