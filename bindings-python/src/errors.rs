//! The exception hierarchy: one class per error of the core, each carrying the core's `code`.
//!
//! Every exception raised by the module is an `EarlybirdError` with `.code` (the core's stable
//! `code()`) and `.problems` (the field problems, empty when the error is not about fields).
//! A Rust panic becomes `InternalError` instead of pyo3's `PanicException`, which derives from
//! `BaseException` and would slip past `except Exception` handlers in a web server.

use std::panic::{AssertUnwindSafe, catch_unwind};

use earlybird::Error;
use earlybird::activation::ActivationError as CoreActivationError;
use earlybird::billing::BillingError as CoreBillingError;
use earlybird::churn::ChurnError as CoreChurnError;
use earlybird::lifecycle::LifecycleError as CoreLifecycleError;
use earlybird::loyalty::LoyaltyError as CoreLoyaltyError;
use earlybird::routing::RoutingError as CoreRoutingError;
use earlybird::store::StoreError as CoreStoreError;
use earlybird::validation::{FieldProblem, ValidationError as CoreValidationError};
use pyo3::create_exception;

use crate::convert::quoted;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(
    earlybird,
    EarlybirdError,
    PyException,
    "Base class of every error raised by earlybird; `.code` is the core's stable error code."
);
create_exception!(
    earlybird,
    ValidationError,
    EarlybirdError,
    "An input broke the rules of its fields; `.problems` lists every problem at once."
);
create_exception!(
    earlybird,
    LifecycleError,
    EarlybirdError,
    "An order or delivery command the lifecycle rules refuse."
);
create_exception!(
    earlybird,
    InvalidTransitionError,
    LifecycleError,
    "The rules have no such transition (e.g. DELIVERED to CANCELLED)."
);
create_exception!(
    earlybird,
    OrderCancelledError,
    LifecycleError,
    "The delivery of a cancelled order cannot be confirmed."
);
create_exception!(
    earlybird,
    ConflictingConfirmationError,
    LifecycleError,
    "A second confirmation disagrees with the first; use an explicit correction."
);
create_exception!(
    earlybird,
    NotConfirmedError,
    LifecycleError,
    "A correction of something that was never confirmed."
);
create_exception!(
    earlybird,
    NothingToCorrectError,
    LifecycleError,
    "A correction that changes nothing."
);
create_exception!(
    earlybird,
    CorrectionToNothingError,
    LifecycleError,
    "A correction may not make a delivered order undelivered; issue a credit note."
);
create_exception!(
    earlybird,
    ActivationError,
    EarlybirdError,
    "An activation history or message the lifecycle rules refuse (e.g. a template variable missing)."
);
create_exception!(
    earlybird,
    BillingError,
    EarlybirdError,
    "A bill, payment or wallet operation the billing rules refuse (month closed, already billed...)."
);
create_exception!(
    earlybird,
    ChurnError,
    EarlybirdError,
    "Churn weights could not be fitted (too few samples, one class, no convergence, no signal)."
);
create_exception!(
    earlybird,
    LoyaltyError,
    EarlybirdError,
    "A loyalty command the programme's rules refuse (too few points, above the cap...)."
);
create_exception!(
    earlybird,
    InsufficientPointsError,
    LoyaltyError,
    "The member has fewer points than the redemption needs."
);
create_exception!(
    earlybird,
    BelowMinimumError,
    LoyaltyError,
    "A redemption below the minimum number of points."
);
create_exception!(
    earlybird,
    AboveCapError,
    LoyaltyError,
    "A redemption worth more than the allowed share of the bill's charges."
);
create_exception!(
    earlybird,
    UnknownMemberError,
    LoyaltyError,
    "A loyalty command for a customer the programme has never seen."
);
create_exception!(
    earlybird,
    UnknownPaymentError,
    LoyaltyError,
    "A refund of a payment that never earned points in the programme."
);
create_exception!(
    earlybird,
    ReviewNotDeliveredError,
    LoyaltyError,
    "A review bonus for an order the member has no delivery of."
);
create_exception!(
    earlybird,
    StoreError,
    EarlybirdError,
    "A store refused a change (a concurrent change: `code` STORE_CONFLICT) or failed; nothing was written."
);
create_exception!(
    earlybird,
    StoreConflictError,
    StoreError,
    "A concurrent change won: read again and retry (`code` STORE_CONFLICT)."
);
create_exception!(
    earlybird,
    NotFoundError,
    EarlybirdError,
    "A record the operation needs does not exist."
);
create_exception!(
    earlybird,
    InternalError,
    EarlybirdError,
    "A bug inside earlybird (a Rust panic); the message says where. Please report it."
);

/// The code of `InternalError`: the core has none, the binding owns this one.
const INTERNAL_CODE: &str = "INTERNAL_ERROR";

/// One problem with one field of an input: where, which rule, the value and a sentence.
#[pyclass(frozen, eq, module = "earlybird", name = "FieldProblem")]
#[derive(Clone, PartialEq)]
pub struct PyFieldProblem {
    pub(crate) inner: FieldProblem,
}

#[pymethods]
impl PyFieldProblem {
    /// Path of the field in the input, e.g. `items[1].quantity`.
    #[getter]
    fn field(&self) -> &str {
        &self.inner.field
    }

    /// The stable code of the rule broken, e.g. `positive`.
    #[getter]
    fn rule(&self) -> &'static str {
        self.inner.rule.code()
    }

    /// The offending value as text (empty when the field is missing).
    #[getter]
    fn value(&self) -> &str {
        &self.inner.value
    }

    /// What is wrong, for a person.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }

    /// `{field, rule, value, message}`, ready for a JSON response.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let FieldProblem {
            field,
            rule,
            value,
            message,
        } = &self.inner;
        let dict = PyDict::new(py);
        dict.set_item("field", field)?;
        dict.set_item("rule", rule.code())?;
        dict.set_item("value", value)?;
        dict.set_item("message", message)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "FieldProblem(field={}, rule={}, value={}, message={})",
            quoted(&self.inner.field),
            quoted(self.inner.rule.code()),
            quoted(&self.inner.value),
            quoted(&self.inner.message)
        )
    }
}

/// Builds an exception of class `T` with its `code` and `problems` attributes set.
fn raise<T: pyo3::PyTypeInfo>(
    py: Python<'_>,
    message: String,
    code: &str,
    problems: &[FieldProblem],
) -> PyErr {
    let err = PyErr::from_type(py.get_type::<T>(), message);
    let value = err.value(py);
    let list: Result<Vec<Py<PyFieldProblem>>, PyErr> = problems
        .iter()
        .map(|p| Py::new(py, PyFieldProblem { inner: p.clone() }))
        .collect();
    let attached = list
        .and_then(|list| PyList::new(py, list))
        .and_then(|list| value.setattr("problems", list))
        .and_then(|()| value.setattr("code", code));
    match attached {
        Ok(()) => err,
        Err(failure) => failure,
    }
}

/// Maps every error of the core to its exception. Exhaustive on purpose: a new variant of
/// `earlybird::Error` (an engine landing) breaks this build until it is mapped.
pub(crate) fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    let message = error.to_string();
    let code = error.code();
    let problems = error.problems();
    match &error {
        Error::Validation(_) => raise::<ValidationError>(py, message, code, problems),
        Error::Lifecycle(e) => match e {
            CoreLifecycleError::InvalidTransition { .. } => {
                raise::<InvalidTransitionError>(py, message, code, problems)
            }
            CoreLifecycleError::OrderCancelled { .. } => {
                raise::<OrderCancelledError>(py, message, code, problems)
            }
            CoreLifecycleError::ConflictingConfirmation { .. } => {
                raise::<ConflictingConfirmationError>(py, message, code, problems)
            }
            CoreLifecycleError::NotConfirmed { .. } => {
                raise::<NotConfirmedError>(py, message, code, problems)
            }
            CoreLifecycleError::NothingToCorrect { .. } => {
                raise::<NothingToCorrectError>(py, message, code, problems)
            }
            CoreLifecycleError::CorrectionToNothing { .. } => {
                raise::<CorrectionToNothingError>(py, message, code, problems)
            }
            // Bad quantities in a command are a validation failure: same class, same code.
            CoreLifecycleError::Invalid(_) => raise::<ValidationError>(py, message, code, problems),
        },
        Error::Billing(CoreBillingError::Invalid(_))
        | Error::Churn(CoreChurnError::InvalidInput(_) | CoreChurnError::InvalidConfig(_))
        | Error::Activation(CoreActivationError::Invalid(_))
        | Error::Store(CoreStoreError::Invalid(_))
        | Error::Routing(CoreRoutingError::InvalidInput(_)) => {
            raise::<ValidationError>(py, message, code, problems)
        }
        Error::Activation(_) => raise::<ActivationError>(py, message, code, problems),
        Error::Billing(_) => raise::<BillingError>(py, message, code, problems),
        Error::Churn(_) => raise::<ChurnError>(py, message, code, problems),
        Error::Loyalty(e) => match e {
            CoreLoyaltyError::InsufficientPoints { .. } => {
                raise::<InsufficientPointsError>(py, message, code, problems)
            }
            CoreLoyaltyError::BelowMinimum { .. } => {
                raise::<BelowMinimumError>(py, message, code, problems)
            }
            CoreLoyaltyError::AboveCap { .. } => {
                raise::<AboveCapError>(py, message, code, problems)
            }
            CoreLoyaltyError::UnknownMember { .. } => {
                raise::<UnknownMemberError>(py, message, code, problems)
            }
            CoreLoyaltyError::UnknownPayment { .. } => {
                raise::<UnknownPaymentError>(py, message, code, problems)
            }
            CoreLoyaltyError::ReviewNotDelivered { .. } => {
                raise::<ReviewNotDeliveredError>(py, message, code, problems)
            }
            CoreLoyaltyError::Invalid(_) => raise::<ValidationError>(py, message, code, problems),
        },
        Error::Store(CoreStoreError::Conflict(_)) => {
            raise::<StoreConflictError>(py, message, code, problems)
        }
        Error::Store(CoreStoreError::Backend(_)) => {
            raise::<StoreError>(py, message, code, problems)
        }
        Error::NotFound { .. } => raise::<NotFoundError>(py, message, code, problems),
    }
}

/// Converts a core validation error (from a record reader) into its exception.
pub(crate) fn invalid(py: Python<'_>, error: CoreValidationError) -> PyErr {
    to_py_err(py, Error::Validation(error))
}

/// An `InternalError`: the binding met something that cannot happen (a result that does not
/// serialise).
pub(crate) fn internal(py: Python<'_>, detail: &str) -> PyErr {
    raise::<InternalError>(
        py,
        format!("internal error in earlybird: {detail}"),
        INTERNAL_CODE,
        &[],
    )
}

/// Runs `body`, turning a Rust panic into `InternalError` so no panic ever reaches Python as
/// a `BaseException`.
pub(crate) fn guard<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(internal(py, &detail))
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<PyFieldProblem>()?;
    m.add("EarlybirdError", py.get_type::<EarlybirdError>())?;
    m.add("ValidationError", py.get_type::<ValidationError>())?;
    m.add("LifecycleError", py.get_type::<LifecycleError>())?;
    m.add(
        "InvalidTransitionError",
        py.get_type::<InvalidTransitionError>(),
    )?;
    m.add("OrderCancelledError", py.get_type::<OrderCancelledError>())?;
    m.add(
        "ConflictingConfirmationError",
        py.get_type::<ConflictingConfirmationError>(),
    )?;
    m.add("NotConfirmedError", py.get_type::<NotConfirmedError>())?;
    m.add(
        "NothingToCorrectError",
        py.get_type::<NothingToCorrectError>(),
    )?;
    m.add(
        "CorrectionToNothingError",
        py.get_type::<CorrectionToNothingError>(),
    )?;
    m.add("ActivationError", py.get_type::<ActivationError>())?;
    m.add("BillingError", py.get_type::<BillingError>())?;
    m.add("ChurnError", py.get_type::<ChurnError>())?;
    m.add("LoyaltyError", py.get_type::<LoyaltyError>())?;
    m.add(
        "InsufficientPointsError",
        py.get_type::<InsufficientPointsError>(),
    )?;
    m.add("BelowMinimumError", py.get_type::<BelowMinimumError>())?;
    m.add("AboveCapError", py.get_type::<AboveCapError>())?;
    m.add("UnknownMemberError", py.get_type::<UnknownMemberError>())?;
    m.add("UnknownPaymentError", py.get_type::<UnknownPaymentError>())?;
    m.add(
        "ReviewNotDeliveredError",
        py.get_type::<ReviewNotDeliveredError>(),
    )?;
    m.add("StoreError", py.get_type::<StoreError>())?;
    m.add("StoreConflictError", py.get_type::<StoreConflictError>())?;
    m.add("NotFoundError", py.get_type::<NotFoundError>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_with_its_code() {
        Python::initialize();
        Python::attach(|py| {
            let err = guard::<()>(py, || panic!("boom")).unwrap_err();
            assert!(err.is_instance_of::<InternalError>(py));
            assert!(err.is_instance_of::<EarlybirdError>(py));
            let code: String = err.value(py).getattr("code").unwrap().extract().unwrap();
            assert_eq!(code, INTERNAL_CODE);
            assert!(err.to_string().contains("boom"));
        });
    }
}
