//! When a subscription is due: the core's schedule answered for Python.

use earlybird::record::Subscription;
use earlybird::schedule::DueDelivery;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{Args, NativeDict, to_dict, to_json_text};
use crate::errors::guard;
use crate::records::{PySubscription, part_class, record_arg};

part_class!(
    PyDueDelivery,
    DueDelivery,
    "DueDelivery",
    "One day on which a subscription is due, with the quantity due.",
    {
        #[getter]
        fn date(&self) -> chrono::NaiveDate {
            self.inner.date
        }
        #[getter]
        fn quantity(&self) -> rust_decimal::Decimal {
            self.inner.quantity
        }
    }
);

impl NativeDict for DueDelivery {
    fn native_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let DueDelivery { date, quantity } = self;
        let d = PyDict::new(py);
        d.set_item("date", date)?;
        d.set_item("quantity", quantity)?;
        Ok(d)
    }
}

/// The due days of a subscription between two strict `date` arguments.
pub(crate) fn due_between_core(
    py: Python<'_>,
    subscription: &Subscription,
    from_date: &Bound<'_, PyAny>,
    to_date: &Bound<'_, PyAny>,
) -> PyResult<Vec<PyDueDelivery>> {
    guard(py, || {
        let mut args = Args::new();
        let from = args.date(from_date, "from_date");
        let to = args.date(to_date, "to_date");
        args.finish(py)?;
        let (Some(from), Some(to)) = (from, to) else {
            return Ok(Vec::new());
        };
        let due = py.detach(|| subscription.due_between(from, to));
        Ok(due
            .into_iter()
            .map(|inner| PyDueDelivery { inner })
            .collect())
    })
}

/// Every day from `from_date` to `to_date` (inclusive) on which `subscription` (a
/// `Subscription` or its document) is due, with the quantity due.
#[pyfunction]
fn due_between(
    py: Python<'_>,
    subscription: &Bound<'_, PyAny>,
    from_date: &Bound<'_, PyAny>,
    to_date: &Bound<'_, PyAny>,
) -> PyResult<Vec<PyDueDelivery>> {
    let subscription = guard(py, || record_arg::<PySubscription>(subscription))?;
    due_between_core(py, &subscription, from_date, to_date)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDueDelivery>()?;
    m.add_function(wrap_pyfunction!(due_between, m)?)?;
    Ok(())
}
