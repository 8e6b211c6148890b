//! Billing (`earlybird::billing`): bills, previews, the month's batch, finalization, payments,
//! the wallet and reconciliation.
//!
//! Records come in as the MongoDB documents (or the record classes) and are read by the core;
//! bills, credits and wallet entries in the core's serde shape. Results are classes wrapping
//! the core's values, with `to_dict()` in the core's canonical JSON form (`mode="json"`) or with
//! `Decimal` and `date` values (`mode="python"`). The month's batch also reads delivery records
//! as columns (`bill_month_columns`), so millions of records cost no Python object each.

use chrono::{Duration, NaiveDate};
use earlybird::Error;
use earlybird::billing::{
    Bill, BillPreview, BillingConfig, BillingError as CoreBillingError, BillingInput, Credit,
    DeliveryColumnParts, DeliveryColumns, Month, NumberSeries, ReconciliationReport, Statement,
    Wallet, WalletEntry,
};
use earlybird::record::DeliveryStatus;
use earlybird::validation::{FieldProblem, Problems, Rule, ValidationError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::convert::{Args, config_arg, quoted, serde_arg, to_json_text};
use crate::document::{decimal_class, show, to_python};
use crate::errors::{guard, internal, invalid, to_py_err};
use crate::records::{PyDeliveryRecord, PyOrder, PyPayment, PyProduct, PySubscription, batch_arg};

fn billing_err(py: Python<'_>, error: CoreBillingError) -> PyErr {
    to_py_err(py, Error::Billing(error))
}

/// Keys whose string values are decimals in the core's JSON, read back as `Decimal`.
const DECIMAL_KEYS: &[&str] = &[
    "amount",
    "quantity",
    "unit_price",
    "gst_rate",
    "rate",
    "taxable",
    "tax",
    "subtotal",
    "credits",
    "round_off",
    "total",
    "opening_balance",
    "wallet_applied",
    "amount_due",
    "allocated",
    "outstanding",
    "unallocated",
    "balance",
    "total_missing",
    "billed",
    "delivered",
];

/// Keys whose string values are calendar dates, read back as `datetime.date`.
const DATE_KEYS: &[&str] = &["date", "bill_date", "due_date", "expires_on"];

/// The canonical JSON of a billing result with its decimals and dates as native values. The
/// billing results hold no other kind of text that looks like these, so the key decides.
fn native<'py>(py: Python<'py>, value: &Value, key: &str) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::String(text) if DECIMAL_KEYS.contains(&key) => {
            decimal_class(py)?.call1((text.as_str(),))?
        }
        Value::String(text) if DATE_KEYS.contains(&key) => {
            match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(date) => date.into_pyobject(py)?.into_any(),
                Err(_) => PyString::new(py, text).into_any(),
            }
        }
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(native(py, item, key)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (name, item) in map {
                dict.set_item(name, native(py, item, name)?)?;
            }
            dict.into_any()
        }
        other => to_python(py, other)?,
    })
}

/// `to_dict(mode=...)` of a billing result: `"json"` the canonical JSON as plain data,
/// `"python"` the same with `Decimal` and `date` values.
pub(crate) fn result_dict<'py, T: Serialize>(
    py: Python<'py>,
    result: &T,
    mode: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(result).map_err(|e| internal(py, &e.to_string()))?;
    match mode {
        "json" => to_python(py, &json),
        "python" => native(py, &json, ""),
        other => {
            let mut args = Args::new();
            args.unknown("mode", other, "python, json");
            args.finish(py)?;
            Ok(py.None().into_bound(py))
        }
    }
}

/// A billing result class: `to_dict()`, `to_json()`, `==`, `repr` and the Pydantic hook.
macro_rules! result_class {
    ($class:ident, $core:ty, $name:literal, $doc:literal, { $($extra:tt)* }) => {
        #[doc = $doc]
        #[pyclass(frozen, eq, module = "earlybird", name = $name)]
        #[derive(Clone, PartialEq)]
        pub struct $class {
            pub(crate) inner: $core,
        }

        #[pymethods]
        impl $class {
            /// The value as a dict: `mode="python"` with `Decimal` and `date` values,
            /// `mode="json"` the canonical JSON (exact decimal strings, ISO dates).
            #[pyo3(signature = (*, mode = "python"))]
            fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyAny>> {
                guard(py, || result_dict(py, &self.inner, mode))
            }

            /// The canonical JSON text.
            fn to_json(&self, py: Python<'_>) -> PyResult<String> {
                to_json_text(py, &self.inner)
            }

            /// Pydantic v2 hook: the class as a FastAPI return type (canonical JSON out).
            #[classmethod]
            fn __get_pydantic_core_schema__<'py>(
                cls: &Bound<'py, pyo3::types::PyType>,
                source: &Bound<'py, PyAny>,
                handler: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::records::pydantic_schema(cls, source, handler)
            }

            $($extra)*
        }
    };
}

result_class!(
    PyBill,
    Bill,
    "Bill",
    "A customer's bill for one month (DRAFT or FINALIZED), as the core computed it.",
    {
        /// Reads a bill in the core's JSON shape (a stored finalized bill).
        #[staticmethod]
        fn from_dict(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Self> {
            guard(py, || {
                Ok(Self {
                    inner: serde_arg(value, "bill")?,
                })
            })
        }
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        /// `YYYY-MM`.
        #[getter]
        fn month(&self) -> String {
            self.inner.month.to_string()
        }
        /// `DRAFT` or `FINALIZED`.
        #[getter]
        fn status(&self, py: Python<'_>) -> PyResult<String> {
            enum_text(py, &self.inner.status)
        }
        #[getter]
        fn number(&self) -> Option<&str> {
            self.inner.number.as_deref()
        }
        #[getter]
        fn bill_date(&self) -> NaiveDate {
            self.inner.bill_date
        }
        #[getter]
        fn due_date(&self) -> NaiveDate {
            self.inner.due_date
        }
        /// The lines (charges, then credits, then round-off) as dicts with native values.
        #[getter]
        fn lines<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            result_dict(py, &self.inner.lines, "python")
        }
        /// One dict per GST rate: `rate`, `taxable`, `tax`.
        #[getter]
        fn taxes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            result_dict(py, &self.inner.taxes, "python")
        }
        #[getter]
        fn subtotal(&self) -> Decimal {
            self.inner.subtotal
        }
        #[getter]
        fn credits(&self) -> Decimal {
            self.inner.credits
        }
        #[getter]
        fn tax(&self) -> Decimal {
            self.inner.tax
        }
        #[getter]
        fn round_off(&self) -> Decimal {
            self.inner.round_off
        }
        #[getter]
        fn total(&self) -> Decimal {
            self.inner.total
        }
        #[getter]
        fn opening_balance(&self) -> Decimal {
            self.inner.opening_balance
        }
        #[getter]
        fn wallet_applied(&self) -> Decimal {
            self.inner.wallet_applied
        }
        #[getter]
        fn amount_due(&self) -> Decimal {
            self.inner.amount_due
        }
        /// The wallet application as a `Payment` of method `wallet`, to store at finalization.
        #[getter]
        fn wallet_payment(&self) -> Option<PyPayment> {
            self.inner
                .wallet_payment
                .clone()
                .map(|inner| PyPayment { inner })
        }
        /// Numbers of the finalized bills this bill was computed from.
        #[getter]
        fn basis(&self) -> Vec<String> {
            self.inner.basis.clone()
        }
        /// Every way the lines do not add up to the totals (empty for a bill of the core).
        fn arithmetic_problems(&self) -> Vec<String> {
            self.inner.arithmetic_problems()
        }
        /// The bill as plain text (the demo's print-out).
        fn __str__(&self) -> String {
            self.inner.to_string()
        }
        fn __repr__(&self) -> String {
            format!(
                "Bill(customer_id={}, month={}, total={}, amount_due={})",
                quoted(&self.inner.customer_id),
                quoted(&self.inner.month.to_string()),
                self.inner.total,
                self.inner.amount_due
            )
        }
    }
);

result_class!(
    PyBillPreview,
    BillPreview,
    "BillPreview",
    "The month's draft bill and the scheduled days with no delivery record (not billed).",
    {
        #[getter]
        fn bill(&self) -> PyBill {
            PyBill {
                inner: self.inner.bill.clone(),
            }
        }
        /// `subscription_id`, `product_id`, `date`, `quantity` of each unconfirmed day.
        #[getter]
        fn unconfirmed<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            result_dict(py, &self.inner.unconfirmed, "python")
        }
        fn __repr__(&self) -> String {
            format!(
                "BillPreview(customer_id={}, total={}, unconfirmed={})",
                quoted(&self.inner.bill.customer_id),
                self.inner.bill.total,
                self.inner.unconfirmed.len()
            )
        }
    }
);

result_class!(
    PyReconciliationReport,
    ReconciliationReport,
    "ReconciliationReport",
    "Delivered sources in no finalized bill (with the amount missing) and inconsistencies.",
    {
        #[getter]
        fn through(&self) -> String {
            self.inner.through.to_string()
        }
        /// One dict per missing source: customer, source, date, product, quantity, price, amount.
        #[getter]
        fn missing<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            result_dict(py, &self.inner.missing, "python")
        }
        #[getter]
        fn total_missing(&self) -> Decimal {
            self.inner.total_missing
        }
        /// One dict per inconsistency, tagged by `kind`.
        #[getter]
        fn inconsistencies<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            result_dict(py, &self.inner.inconsistencies, "python")
        }
        fn __str__(&self) -> String {
            self.inner.to_string()
        }
        fn __repr__(&self) -> String {
            format!(
                "ReconciliationReport(through={}, missing={}, total_missing={}, inconsistencies={})",
                quoted(&self.inner.through.to_string()),
                self.inner.missing.len(),
                self.inner.total_missing,
                self.inner.inconsistencies.len()
            )
        }
    }
);

result_class!(
    PyStatement,
    Statement,
    "Statement",
    "A customer's finalized bills with what is paid on each, the allocations and the balance.",
    {
        #[getter]
        fn customer_id(&self) -> &str {
            &self.inner.customer_id
        }
        /// Per bill: `number`, `month`, `due_date`, `total`, `allocated`, `outstanding`,
        /// `status` (`UNPAID`, `PARTIALLY_PAID`, `PAID`, `OVERDUE`).
        #[getter]
        fn bills<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            result_dict(py, &self.inner.bills, "python")
        }
        /// `payment_id`, `bill_number`, `amount` of each part of a payment applied to a bill.
        #[getter]
        fn allocations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            result_dict(py, &self.inner.allocations, "python")
        }
        #[getter]
        fn unallocated(&self) -> Decimal {
            self.inner.unallocated
        }
        #[getter]
        fn balance(&self) -> Decimal {
            self.inner.balance
        }
        fn __repr__(&self) -> String {
            format!(
                "Statement(customer_id={}, bills={}, balance={})",
                quoted(&self.inner.customer_id),
                self.inner.bills.len(),
                self.inner.balance
            )
        }
    }
);

result_class!(
    PyNumberSeries,
    NumberSeries,
    "NumberSeries",
    "The last bill number given in a financial year (April-March, named by its first year).",
    {
        #[new]
        #[pyo3(signature = (financial_year, last = 0))]
        fn new(financial_year: i32, last: u32) -> Self {
            Self {
                inner: NumberSeries {
                    financial_year: earlybird::billing::FinancialYear(financial_year),
                    last,
                },
            }
        }
        #[getter]
        fn financial_year(&self) -> i32 {
            self.inner.financial_year.0
        }
        #[getter]
        fn last(&self) -> u32 {
            self.inner.last
        }
        /// The number of a bill dated `bill_date` and the series after it.
        #[pyo3(signature = (bill_date, config = None))]
        fn next(
            &self,
            py: Python<'_>,
            bill_date: &Bound<'_, PyAny>,
            config: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<(String, PyNumberSeries)> {
            guard(py, || {
                let date = one_date(bill_date, "bill_date")?;
                let config = config_arg(config)?;
                let (number, inner) = self
                    .inner
                    .next(date, &config)
                    .map_err(|e| billing_err(py, e))?;
                Ok((number, PyNumberSeries { inner }))
            })
        }
        fn __repr__(&self) -> String {
            format!(
                "NumberSeries(financial_year={}, last={})",
                self.inner.financial_year.0, self.inner.last
            )
        }
    }
);

/// A status enum's canonical text, as serde writes it.
fn enum_text<T: Serialize>(py: Python<'_>, value: &T) -> PyResult<String> {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => Ok(text),
        _ => Err(internal(py, "a status that is not text")),
    }
}

fn one_date(value: &Bound<'_, PyAny>, field: &str) -> PyResult<NaiveDate> {
    let mut args = Args::new();
    let date = args.date(value, field);
    args.finish(value.py())?;
    date.ok_or_else(|| internal(value.py(), "a date without a value"))
}

fn one_decimal(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Decimal> {
    let mut args = Args::new();
    let amount = args.decimal(value, field);
    args.finish(value.py())?;
    amount.ok_or_else(|| internal(value.py(), "a decimal without a value"))
}

/// A `ValidationError` with one problem.
fn refuse(py: Python<'_>, field: &str, rule: Rule, value: String, message: &str) -> PyErr {
    invalid(
        py,
        ValidationError {
            problems: vec![FieldProblem {
                field: field.to_owned(),
                rule,
                value,
                message: message.to_owned(),
            }],
        },
    )
}

/// A month as `YYYY-MM` text.
pub(crate) fn month_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Month> {
    let py = value.py();
    let parsed = value
        .cast::<PyString>()
        .ok()
        .and_then(|s| s.to_str().ok().map(str::parse::<Month>));
    match parsed {
        Some(Ok(month)) => Ok(month),
        _ => Err(refuse(
            py,
            field,
            Rule::Date,
            show(value),
            "must be a month as text YYYY-MM",
        )),
    }
}

/// Bills given as `Bill` objects or dicts in the core's shape.
fn bills_arg(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<Bill>> {
    let py = value.py();
    if value.is_instance_of::<PyString>() || value.is_instance_of::<PyDict>() {
        let mut args = Args::new();
        args.wrong_type(field, value, "a list of bills");
        args.finish(py)?;
    }
    let mut bills = Vec::new();
    for (i, item) in value.try_iter()?.enumerate() {
        let item = item?;
        match item.cast::<PyBill>() {
            Ok(bill) => bills.push(bill.get().inner.clone()),
            Err(_) => bills.push(serde_arg(&item, &format!("{field}[{i}]"))?),
        }
    }
    Ok(bills)
}

/// The records a bill is computed from: `products`, `subscriptions`, `orders`, `deliveries`,
/// `payments` (documents or record objects, read by the core with every problem at once),
/// `bills`, `credits`, `wallet` (the core's shapes); each optional.
fn read_input(value: &Bound<'_, PyAny>) -> PyResult<BillingInput> {
    let py = value.py();
    let Ok(dict) = value.cast::<PyDict>() else {
        let mut args = Args::new();
        args.wrong_type("records", value, "a dict of record lists or a BillingInput");
        args.finish(py)?;
        return Ok(BillingInput::default());
    };
    let known = [
        "products",
        "subscriptions",
        "orders",
        "deliveries",
        "bills",
        "payments",
        "credits",
        "wallet",
    ];
    let mut args = Args::new();
    for key in dict.keys() {
        let name = key.str()?.to_string();
        if !known.contains(&name.as_str()) {
            args.unknown("records", &name, &known.join(", "));
        }
    }
    args.finish(py)?;
    let item = |name: &str| dict.get_item(name).ok().flatten().filter(|v| !v.is_none());
    let mut input = BillingInput::default();
    let mut problems: Vec<FieldProblem> = Vec::new();
    // Every list is read even after a bad one, so all problems are raised together.
    let mut read =
        |name: &str, into: &mut dyn FnMut(&Bound<'_, PyAny>) -> PyResult<()>| -> PyResult<()> {
            let Some(list) = item(name) else {
                return Ok(());
            };
            match into(&list) {
                Err(e) if e.is_instance_of::<crate::errors::ValidationError>(py) => {
                    let found = e.value(py).getattr("problems")?;
                    for p in found.try_iter()? {
                        problems.push(
                            p?.cast::<crate::errors::PyFieldProblem>()?
                                .get()
                                .inner
                                .clone(),
                        );
                    }
                    Ok(())
                }
                other => other,
            }
        };
    read("products", &mut |v| {
        input.products = batch_arg::<PyProduct>(py, v, "products")?;
        Ok(())
    })?;
    read("subscriptions", &mut |v| {
        input.subscriptions = batch_arg::<PySubscription>(py, v, "subscriptions")?;
        Ok(())
    })?;
    read("orders", &mut |v| {
        input.orders = batch_arg::<PyOrder>(py, v, "orders")?;
        Ok(())
    })?;
    read("deliveries", &mut |v| {
        input.deliveries = batch_arg::<PyDeliveryRecord>(py, v, "deliveries")?;
        Ok(())
    })?;
    read("payments", &mut |v| {
        input.payments = batch_arg::<PyPayment>(py, v, "payments")?;
        Ok(())
    })?;
    read("bills", &mut |v| {
        input.bills = bills_arg(v, "bills")?;
        Ok(())
    })?;
    read("credits", &mut |v| {
        input.credits = serde_arg::<Vec<Credit>>(v, "credits")?;
        Ok(())
    })?;
    read("wallet", &mut |v| {
        input.wallet = serde_arg::<Vec<WalletEntry>>(v, "wallet")?;
        Ok(())
    })?;
    if !problems.is_empty() {
        return Err(invalid(py, ValidationError { problems }));
    }
    Ok(input)
}

/// Records read once, to bill many times (e.g. one customer after another) without reading
/// the documents again.
#[pyclass(frozen, module = "earlybird", name = "BillingInput")]
pub struct PyBillingInput {
    inner: BillingInput,
}

#[pymethods]
impl PyBillingInput {
    /// Reads `records` (a dict of lists, see `compute_bill`); every problem at once.
    #[new]
    fn new(py: Python<'_>, records: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(py, || {
            Ok(Self {
                inner: read_input(records)?,
            })
        })
    }

    /// How many records of each kind were read.
    fn counts(&self) -> std::collections::BTreeMap<&'static str, usize> {
        let i = &self.inner;
        [
            ("products", i.products.len()),
            ("subscriptions", i.subscriptions.len()),
            ("orders", i.orders.len()),
            ("deliveries", i.deliveries.len()),
            ("bills", i.bills.len()),
            ("payments", i.payments.len()),
            ("credits", i.credits.len()),
            ("wallet", i.wallet.len()),
        ]
        .into_iter()
        .collect()
    }

    fn __repr__(&self) -> String {
        let i = &self.inner;
        format!(
            "BillingInput(products={}, subscriptions={}, orders={}, deliveries={}, bills={})",
            i.products.len(),
            i.subscriptions.len(),
            i.orders.len(),
            i.deliveries.len(),
            i.bills.len()
        )
    }
}

/// The records of a call: a `BillingInput` read before (borrowed, not copied) or a dict.
enum Records<'py> {
    Read(Bound<'py, PyBillingInput>),
    Given(BillingInput),
}

impl Records<'_> {
    fn of<'py>(value: &Bound<'py, PyAny>) -> PyResult<Records<'py>> {
        match value.cast::<PyBillingInput>() {
            Ok(read) => Ok(Records::Read(read.clone())),
            Err(_) => Ok(Records::Given(read_input(value)?)),
        }
    }

    fn input(&self) -> &BillingInput {
        match self {
            Records::Read(read) => &read.get().inner,
            Records::Given(input) => input,
        }
    }
}

/// The DRAFT bill of `customer_id` for `month` (`YYYY-MM`), computed from `records`.
#[pyfunction]
#[pyo3(signature = (records, customer_id, month, config = None))]
fn compute_bill(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    customer_id: &str,
    month: &Bound<'_, PyAny>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBill> {
    guard(py, || {
        let month = month_arg(month, "month")?;
        let config = config_arg(config)?;
        let records = Records::of(records)?;
        let input = records.input();
        let bill = py
            .detach(|| earlybird::billing::compute_bill(input, customer_id, month, &config))
            .map_err(|e| billing_err(py, e))?;
        Ok(PyBill { inner: bill })
    })
}

/// The draft bill with the scheduled subscription days that have no delivery record.
#[pyfunction]
#[pyo3(signature = (records, customer_id, month, config = None))]
fn preview_bill(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    customer_id: &str,
    month: &Bound<'_, PyAny>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyBillPreview> {
    guard(py, || {
        let month = month_arg(month, "month")?;
        let config = config_arg(config)?;
        let records = Records::of(records)?;
        let input = records.input();
        let preview = py
            .detach(|| earlybird::billing::preview_bill(input, customer_id, month, &config))
            .map_err(|e| billing_err(py, e))?;
        Ok(PyBillPreview { inner: preview })
    })
}

pub(crate) fn wrap_bills(bills: Vec<Bill>) -> Vec<PyBill> {
    bills.into_iter().map(|inner| PyBill { inner }).collect()
}

/// The DRAFT bills of `month` for every customer, by customer id (customers whose month is
/// closed or whose bill would be empty are left out). The core bills without the GIL, in
/// parallel over customers.
#[pyfunction]
#[pyo3(signature = (records, month, config = None))]
fn bill_month(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    month: &Bound<'_, PyAny>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyBill>> {
    guard(py, || {
        let month = month_arg(month, "month")?;
        let config = config_arg(config)?;
        let records = Records::of(records)?;
        let input = records.input();
        let bills = py
            .detach(|| earlybird::billing::bill_month(input, month, &config))
            .map_err(|e| billing_err(py, e))?;
        Ok(wrap_bills(bills))
    })
}

/// One integer column read through the buffer protocol (`array.array`, a NumPy array,
/// `bytes`...): its bytes are copied once and read by their format, never as Python objects.
fn int_column(
    columns: &Bound<'_, PyDict>,
    name: &str,
    problems: &mut Problems,
) -> PyResult<Option<Vec<i64>>> {
    let py = columns.py();
    let field = format!("deliveries.{name}");
    let Some(value) = columns.get_item(name)? else {
        problems.push(
            field,
            Rule::Required,
            "",
            "a column of integers is required",
        );
        return Ok(None);
    };
    let view = match py
        .import("builtins")?
        .getattr("memoryview")?
        .call1((&value,))
    {
        Ok(view) => view,
        Err(_) => {
            problems.push(
                field,
                Rule::Type,
                show(&value),
                "must support the buffer protocol (array.array, a NumPy array, bytes)",
            );
            return Ok(None);
        }
    };
    let format: String = view.getattr("format")?.extract()?;
    let ndim: usize = view.getattr("ndim")?.extract()?;
    let contiguous: bool = view.getattr("c_contiguous")?.extract()?;
    let code = format.trim_start_matches(['@', '=', '<']);
    let size = match code {
        "b" | "B" | "c" => 1,
        "h" | "H" => 2,
        "i" | "I" => 4,
        "l" | "L" | "q" | "Q" => view.getattr("itemsize")?.extract::<usize>()?,
        _ => 0,
    };
    if ndim != 1
        || !contiguous
        || size == 0
        || (format.starts_with('<') && cfg!(target_endian = "big"))
    {
        problems.push(
            field,
            Rule::Type,
            format!("format {format:?}, {ndim} dimension(s)"),
            "must be a one-dimensional contiguous column of integers in native byte order",
        );
        return Ok(None);
    }
    let bytes = view.call_method0("tobytes")?;
    let bytes = bytes.cast::<PyBytes>()?.as_bytes();
    let signed = code.chars().all(|c| c.is_ascii_lowercase());
    let read = |chunk: &[u8]| -> Option<i64> {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        let unsigned = u64::from_ne_bytes(if cfg!(target_endian = "little") {
            word
        } else {
            let mut w = [0u8; 8];
            w[8 - chunk.len()..].copy_from_slice(chunk);
            w
        });
        if signed {
            let shift = 64 - 8 * chunk.len() as u32;
            Some(((unsigned << shift) as i64) >> shift)
        } else {
            i64::try_from(unsigned).ok()
        }
    };
    let mut values = Vec::with_capacity(bytes.len() / size);
    for (i, chunk) in bytes.chunks_exact(size).enumerate() {
        match read(chunk) {
            Some(v) => values.push(v),
            None => {
                problems.push(format!("{field}[{i}]"), Rule::Range, "", "above 2**63 - 1");
                return Ok(None);
            }
        }
    }
    Ok(Some(values))
}

/// Columnar delivery records, checked as the core checks a delivery record built in code.
struct Columns {
    id_data: Vec<u8>,
    id_offsets: Vec<i64>,
    customer: Vec<i64>,
    subscription: Vec<i64>,
    product: Vec<i64>,
    date: Vec<i64>,
    ordered: Vec<i64>,
    delivered: Vec<i64>,
    status: Vec<i64>,
    customer_ids: Vec<String>,
}

/// Days from 1970-01-01 (NumPy's `datetime64[D]` as integers) to a date.
fn epoch_day(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(Duration::try_days(days)?)
}

fn read_columns(value: &Bound<'_, PyAny>) -> PyResult<Columns> {
    let py = value.py();
    let mut problems = Problems::new();
    let Ok(columns) = value.cast::<PyDict>() else {
        return Err(refuse(
            py,
            "deliveries",
            Rule::Type,
            show(value),
            "must be a dict of columns",
        ));
    };
    let id_data = match columns.get_item("id_data")? {
        Some(data) => match data.cast::<PyBytes>() {
            Ok(bytes) => bytes.as_bytes().to_vec(),
            Err(_) => match py
                .import("builtins")?
                .getattr("memoryview")?
                .call1((&data,))
            {
                Ok(view) => view
                    .call_method0("tobytes")?
                    .cast::<PyBytes>()?
                    .as_bytes()
                    .to_vec(),
                Err(_) => {
                    problems.push(
                        "deliveries.id_data",
                        Rule::Type,
                        show(&data),
                        "must be bytes",
                    );
                    Vec::new()
                }
            },
        },
        None => {
            problems.push(
                "deliveries.id_data",
                Rule::Required,
                "",
                "the ids' UTF-8 bytes, one after another",
            );
            Vec::new()
        }
    };
    let customer_ids: Vec<String> = match columns.get_item("customer_ids")? {
        Some(ids) => match ids.extract() {
            Ok(ids) => ids,
            Err(_) => {
                problems.push(
                    "deliveries.customer_ids",
                    Rule::Type,
                    show(&ids),
                    "must be a list of str",
                );
                Vec::new()
            }
        },
        None => {
            problems.push(
                "deliveries.customer_ids",
                Rule::Required,
                "",
                "the customer id of each index",
            );
            Vec::new()
        }
    };
    let mut column = |name: &str| int_column(columns, name, &mut problems);
    let id_offsets = column("id_offsets")?;
    let customer = column("customer")?;
    let subscription = column("subscription")?;
    let product = column("product")?;
    let date = column("date")?;
    let ordered = column("ordered")?;
    let delivered = column("delivered")?;
    let status = column("status")?;
    let (
        Some(id_offsets),
        Some(customer),
        Some(subscription),
        Some(product),
        Some(date),
        Some(ordered),
        Some(delivered),
        Some(status),
    ) = (
        id_offsets,
        customer,
        subscription,
        product,
        date,
        ordered,
        delivered,
        status,
    )
    else {
        return Err(match problems.finish(()) {
            Err(e) => invalid(py, e),
            Ok(()) => internal(py, "a column missing without a problem"),
        });
    };
    let n = customer.len();
    for (name, len) in [
        ("subscription", subscription.len()),
        ("product", product.len()),
        ("date", date.len()),
        ("ordered", ordered.len()),
        ("delivered", delivered.len()),
        ("status", status.len()),
        ("id_offsets", id_offsets.len().saturating_sub(1)),
    ] {
        if len != n {
            problems.push(
                format!("deliveries.{name}"),
                Rule::Inconsistent,
                len.to_string(),
                format!(
                    "every column has one value per record ({n} in `customer`; id_offsets one more)"
                ),
            );
        }
    }
    problems.finish(()).map_err(|e| invalid(py, e))?;
    Ok(Columns {
        id_data,
        id_offsets,
        customer,
        subscription,
        product,
        date,
        ordered,
        delivered,
        status,
        customer_ids,
    })
}

/// The core's delivery columns from the columns as read: only the conversions are done here
/// (integers to positions, days to dates, status codes, bytes to text); the core checks them
/// against the input by its own rules and reports every problem (`deliveries[i].field`).
fn core_columns(
    columns: Columns,
    input: &BillingInput,
) -> Result<DeliveryColumns, CoreBillingError> {
    let mut problems = Problems::new();
    let mut convert = |name: &str, values: &[i64], message: &str| -> Vec<u32> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                u32::try_from(v).unwrap_or_else(|_| {
                    problems.push(
                        format!("deliveries[{i}].{name}"),
                        Rule::Range,
                        v.to_string(),
                        message,
                    );
                    0
                })
            })
            .collect()
    };
    let customer = convert("customer", &columns.customer, "must index customer_ids");
    let subscription = convert(
        "subscription",
        &columns.subscription,
        "must index records['subscriptions']",
    );
    let product = convert(
        "product",
        &columns.product,
        "must index records['products']",
    );
    let id_offsets: Vec<usize> = columns
        .id_offsets
        .iter()
        .map(|&o| usize::try_from(o).unwrap_or(usize::MAX))
        .collect();
    let ids = String::from_utf8(columns.id_data).unwrap_or_else(|_| {
        problems.push("deliveries.id_data", Rule::Type, "", "must be UTF-8 text");
        String::new()
    });
    let date = (0..)
        .zip(&columns.date)
        .map(|(i, &d)| {
            epoch_day(d).unwrap_or_else(|| {
                problems.push(
                    format!("deliveries[{i}].date"),
                    Rule::Range,
                    d.to_string(),
                    "days since 1970-01-01 of a real date",
                );
                NaiveDate::MIN
            })
        })
        .collect();
    let status = (0..)
        .zip(&columns.status)
        .map(|(i, &code)| match code {
            0 => DeliveryStatus::Delivered,
            1 => DeliveryStatus::PartiallyDelivered,
            2 => DeliveryStatus::NotDelivered,
            _ => {
                problems.push(
                    format!("deliveries[{i}].status"),
                    Rule::Range,
                    code.to_string(),
                    "0 DELIVERED, 1 PARTIALLY_DELIVERED, 2 NOT_DELIVERED",
                );
                DeliveryStatus::NotDelivered
            }
        })
        .collect();
    problems.finish(())?;
    let parts = DeliveryColumnParts {
        ids,
        id_offsets,
        customer_ids: columns.customer_ids,
        customer,
        subscription,
        product,
        date,
        ordered: columns.ordered,
        delivered: columns.delivered,
        status,
    };
    DeliveryColumns::new(parts, input)
}

/// `bill_month` with the delivery records given as columns (the batch path for millions of
/// records; layout in docs/python.md): the other records come as in `bill_month` (a
/// `deliveries` list there is billed too). Gives exactly the bills `bill_month` gives for the
/// same records. The columns become the core's `DeliveryColumns` and are billed without the
/// GIL.
#[pyfunction]
#[pyo3(signature = (records, deliveries, month, config = None))]
fn bill_month_columns(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    deliveries: &Bound<'_, PyAny>,
    month: &Bound<'_, PyAny>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<PyBill>> {
    guard(py, || {
        let month = month_arg(month, "month")?;
        let config = config_arg(config)?;
        let columns = read_columns(deliveries)?;
        let records = Records::of(records)?;
        let given = records.input();
        let result = py.detach(|| {
            // The listed deliveries are billed after the columns' records, as in the core.
            let columns = core_columns(columns, given)?;
            earlybird::billing::bill_month_columns(given, &columns, month, &config)
        });
        let bills = result.map_err(|e| billing_err(py, e))?;
        Ok(wrap_bills(bills))
    })
}

/// Every delivered source dated up to the end of `through` that no finalized bill carries,
/// with the amount missing, and every inconsistency. Runs without the GIL.
#[pyfunction]
fn reconcile(
    py: Python<'_>,
    records: &Bound<'_, PyAny>,
    through: &Bound<'_, PyAny>,
) -> PyResult<PyReconciliationReport> {
    guard(py, || {
        let through = month_arg(through, "through")?;
        let records = Records::of(records)?;
        let input = records.input();
        let report = py.detach(|| earlybird::billing::reconcile(input, through));
        Ok(PyReconciliationReport { inner: report })
    })
}

/// Finalizes a draft against the customer's finalized bills: the numbered bill and the series
/// after it.
#[pyfunction]
#[pyo3(signature = (draft, finalized, series, config = None))]
fn finalize(
    py: Python<'_>,
    draft: &Bound<'_, PyAny>,
    finalized: &Bound<'_, PyAny>,
    series: &Bound<'_, PyAny>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<(PyBill, PyNumberSeries)> {
    guard(py, || {
        let draft = one_bill(draft, "draft")?;
        let finalized = bills_arg(finalized, "finalized")?;
        let series = series_arg(series)?;
        let config = config_arg(config)?;
        let (bill, series) = earlybird::billing::finalize(&draft, &finalized, series, &config)
            .map_err(|e| billing_err(py, e))?;
        Ok((PyBill { inner: bill }, PyNumberSeries { inner: series }))
    })
}

/// Finalizes a month's drafts in one series, numbered by bill date then customer id.
#[pyfunction]
#[pyo3(signature = (drafts, finalized, series, config = None))]
fn finalize_all(
    py: Python<'_>,
    drafts: &Bound<'_, PyAny>,
    finalized: &Bound<'_, PyAny>,
    series: &Bound<'_, PyAny>,
    config: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<PyBill>, PyNumberSeries)> {
    guard(py, || {
        let drafts = bills_arg(drafts, "drafts")?;
        let finalized = bills_arg(finalized, "finalized")?;
        let series = series_arg(series)?;
        let config = config_arg(config)?;
        let (bills, series) = py
            .detach(|| earlybird::billing::finalize_all(&drafts, &finalized, series, &config))
            .map_err(|e| billing_err(py, e))?;
        Ok((wrap_bills(bills), PyNumberSeries { inner: series }))
    })
}

fn one_bill(value: &Bound<'_, PyAny>, field: &str) -> PyResult<Bill> {
    match value.cast::<PyBill>() {
        Ok(bill) => Ok(bill.get().inner.clone()),
        Err(_) => serde_arg(value, field),
    }
}

fn series_arg(value: &Bound<'_, PyAny>) -> PyResult<NumberSeries> {
    match value.cast::<PyNumberSeries>() {
        Ok(series) => Ok(series.get().inner),
        Err(_) => serde_arg(value, "series"),
    }
}

/// Allocates the customer's payments to the customer's finalized bills, oldest first, and
/// says where each bill stands on `today`.
#[pyfunction]
fn allocate_payments(
    py: Python<'_>,
    customer_id: &str,
    bills: &Bound<'_, PyAny>,
    payments: &Bound<'_, PyAny>,
    today: &Bound<'_, PyAny>,
) -> PyResult<PyStatement> {
    guard(py, || {
        let today = one_date(today, "today")?;
        let bills = bills_arg(bills, "bills")?;
        let payments = batch_arg::<PyPayment>(py, payments, "payments")?;
        let statement =
            earlybird::billing::allocate_payments(customer_id, &bills, &payments, today);
        Ok(PyStatement { inner: statement })
    })
}

/// A customer's wallet: top-ups, promotional credit with an expiry, applications to bills.
/// The balance never goes negative: a change that would make it so is refused.
#[pyclass(module = "earlybird", name = "Wallet")]
pub struct PyWallet {
    inner: Wallet,
}

impl PyWallet {
    /// A wallet read from a store.
    pub(crate) fn wrap(inner: Wallet) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyWallet {
    /// The wallet of `customer_id`, with `entries` (dicts in the core's shape) if given.
    #[new]
    #[pyo3(signature = (customer_id, entries = None))]
    fn new(
        py: Python<'_>,
        customer_id: String,
        entries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        guard(py, || {
            let entries: Vec<WalletEntry> = match entries {
                Some(v) if !v.is_none() => serde_arg(v, "entries")?,
                _ => Vec::new(),
            };
            let inner = Wallet {
                customer_id,
                entries,
            };
            inner.history().map_err(|e| billing_err(py, e))?;
            Ok(Self { inner })
        })
    }

    #[getter]
    fn customer_id(&self) -> &str {
        &self.inner.customer_id
    }

    /// The entries, as dicts in the core's shape with native values.
    #[getter]
    fn entries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        result_dict(py, &self.inner.entries, "python")
    }

    /// Adds money paid in (not a payment of any bill).
    fn top_up(
        &mut self,
        py: Python<'_>,
        id: String,
        amount: &Bound<'_, PyAny>,
        date: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        guard(py, || {
            let (amount, date) = (one_decimal(amount, "amount")?, one_date(date, "date")?);
            self.inner
                .top_up(id, amount, date)
                .map_err(|e| billing_err(py, e))
        })
    }

    /// Adds promotional credit usable up to `expires_on` (inclusive).
    fn grant(
        &mut self,
        py: Python<'_>,
        id: String,
        amount: &Bound<'_, PyAny>,
        date: &Bound<'_, PyAny>,
        expires_on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        guard(py, || {
            let (amount, date) = (one_decimal(amount, "amount")?, one_date(date, "date")?);
            let expires_on = one_date(expires_on, "expires_on")?;
            self.inner
                .grant(id, amount, date, expires_on)
                .map_err(|e| billing_err(py, e))
        })
    }

    /// Applies `amount` to a bill as payment `payment_id`; refused beyond the balance.
    fn apply(
        &mut self,
        py: Python<'_>,
        id: String,
        amount: &Bound<'_, PyAny>,
        date: &Bound<'_, PyAny>,
        payment_id: String,
    ) -> PyResult<()> {
        guard(py, || {
            let (amount, date) = (one_decimal(amount, "amount")?, one_date(date, "date")?);
            self.inner
                .apply(id, amount, date, payment_id)
                .map_err(|e| billing_err(py, e))
        })
    }

    /// The balance usable on `date` (that day's entries included, its expiries not yet).
    fn balance_on(&self, py: Python<'_>, date: &Bound<'_, PyAny>) -> PyResult<Decimal> {
        guard(py, || {
            let date = one_date(date, "date")?;
            self.inner.balance_on(date).map_err(|e| billing_err(py, e))
        })
    }

    /// Every movement (`date`, `entry_id`, `kind`, `amount`, `balance` after it), by date.
    fn history<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let history = self.inner.history().map_err(|e| billing_err(py, e))?;
            result_dict(py, &history, "python")
        })
    }

    /// `{customer_id, entries}` (`mode="python"` native values, `mode="json"` canonical JSON).
    #[pyo3(signature = (*, mode = "python"))]
    fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || result_dict(py, &self.inner, mode))
    }

    fn __repr__(&self) -> String {
        format!(
            "Wallet(customer_id={}, entries={})",
            quoted(&self.inner.customer_id),
            self.inner.entries.len()
        )
    }
}

/// The billing settings as a dict (`overrides` applied to the defaults), checked.
#[pyfunction]
#[pyo3(signature = (overrides = None))]
fn billing_config<'py>(
    py: Python<'py>,
    overrides: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(py, || {
        let config: BillingConfig = config_arg(overrides)?;
        config.validate().map_err(|e| billing_err(py, e.into()))?;
        crate::convert::json_out(py, &config)
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBill>()?;
    m.add_class::<PyBillPreview>()?;
    m.add_class::<PyReconciliationReport>()?;
    m.add_class::<PyStatement>()?;
    m.add_class::<PyNumberSeries>()?;
    m.add_class::<PyBillingInput>()?;
    m.add_class::<PyWallet>()?;
    m.add_function(wrap_pyfunction!(billing_config, m)?)?;
    m.add_function(wrap_pyfunction!(compute_bill, m)?)?;
    m.add_function(wrap_pyfunction!(preview_bill, m)?)?;
    m.add_function(wrap_pyfunction!(bill_month, m)?)?;
    m.add_function(wrap_pyfunction!(bill_month_columns, m)?)?;
    m.add_function(wrap_pyfunction!(reconcile, m)?)?;
    m.add_function(wrap_pyfunction!(finalize, m)?)?;
    m.add_function(wrap_pyfunction!(finalize_all, m)?)?;
    m.add_function(wrap_pyfunction!(allocate_payments, m)?)?;
    Ok(())
}
