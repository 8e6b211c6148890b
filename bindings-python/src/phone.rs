//! Phone numbers and e-mail addresses, as the core accepts them.

use pyo3::prelude::*;

/// Normalises an Indian mobile number to `+91XXXXXXXXXX`; `None` when it is not one.
///
/// Accepts 10 digits starting 6-9 with an optional `+91`, `91` or `0` prefix; spaces, dashes,
/// dots and parentheses are ignored.
#[pyfunction]
fn normalize_phone(raw: &str) -> Option<String> {
    earlybird::record::normalize_phone(raw)
}

/// Whether an e-mail address is well formed.
#[pyfunction]
fn valid_email(email: &str) -> bool {
    earlybird::record::valid_email(email)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(normalize_phone, m)?)?;
    m.add_function(wrap_pyfunction!(valid_email, m)?)?;
    Ok(())
}
