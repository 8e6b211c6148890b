//! The Python binding of `earlybird`: the native module `earlybird._earlybird`.
//!
//! Only types and errors are converted here; every business rule stays in the core. One file
//! per concern of the core (`records`, `schedule`, `lifecycle`, ...); an engine lands as one more
//! file of thin wrappers registered in [`_earlybird`].

mod activation;
mod billing;
mod churn;
mod convert;
mod document;
mod errors;
mod lifecycle;
mod loyalty;
mod phone;
mod records;
mod routing;
mod schedule;
mod store;

use pyo3::prelude::*;

/// The native module; `earlybird/__init__.py` re-exports everything public from it.
#[pymodule(gil_used = false)]
fn _earlybird(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", earlybird::VERSION)?;
    errors::register(m)?;
    records::register(m)?;
    phone::register(m)?;
    schedule::register(m)?;
    lifecycle::register(m)?;
    loyalty::register(m)?;
    billing::register(m)?;
    routing::register(m)?;
    store::register(m)?;
    activation::register(m)?;
    churn::register(m)?;
    Ok(())
}
