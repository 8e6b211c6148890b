//! Several collections read together and checked for the references between them, offered
//! synchronously and as a Promise (a whole dataset is the typical heavy call).

use earlybird::record::{Dataset, Record};
use earlybird::validation::{Problems, Rule};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;

use crate::convert::{bad, json_text};
use crate::failure::{Failure, call, contain};

/// The documents of several collections, as a host loads them for one run; a collection left
/// out is taken as "not loaded" by the reference checks.
#[napi(object)]
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatasetDocuments {
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub customers: Option<Vec<Value>>,
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub products: Option<Vec<Value>>,
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub subscriptions: Option<Vec<Value>>,
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub orders: Option<Vec<Value>>,
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub deliveries: Option<Vec<Value>>,
    #[napi(ts_type = "Array<Record<string, unknown>>")]
    pub payments: Option<Vec<Value>>,
}

/// Reads every document of one collection, problems prefixed with `name[i]`.
fn read_all<R: Record>(name: &str, documents: Option<&[Value]>, problems: &mut Problems) -> Vec<R> {
    documents
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, d)| R::read(d, &format!("{name}[{i}]"), problems))
        .collect()
}

/// Reads the collections from their JSON text, then checks the references between them.
fn check(text: &str) -> Result<(), Failure> {
    let documents: DatasetDocuments = serde_json::from_str(text).map_err(|e| {
        bad(
            "documents",
            Rule::Type,
            "",
            format!("not an object of collections: {e}"),
        )
    })?;
    let mut problems = Problems::new();
    let dataset = Dataset {
        customers: read_all("customers", documents.customers.as_deref(), &mut problems),
        products: read_all("products", documents.products.as_deref(), &mut problems),
        subscriptions: read_all(
            "subscriptions",
            documents.subscriptions.as_deref(),
            &mut problems,
        ),
        orders: read_all("orders", documents.orders.as_deref(), &mut problems),
        deliveries: read_all("deliveries", documents.deliveries.as_deref(), &mut problems),
        payments: read_all("payments", documents.payments.as_deref(), &mut problems),
    };
    Ok(problems.finish(dataset)?.validate_references()?)
}

/// Reads the documents of several collections and checks the references between them
/// (unique ids, every referenced id present). Throws `VALIDATION_FAILED` listing every
/// problem, with paths such as `orders[3].customer_id`.
#[napi(ts_args_type = "documents: DatasetDocuments | string")]
pub fn validate_dataset(env: Env, documents: Unknown<'_>) -> napi::Result<()> {
    call(&env, || check(&json_text(&env, "documents", documents)?))
}

/// `validateDataset` on the libuv thread pool: only `JSON.stringify` of the collections runs
/// on the calling thread.
pub struct ValidateDataset {
    input: Option<Result<String, Failure>>,
}

impl Task for ValidateDataset {
    type Output = Result<(), Failure>;
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let input = self.input.take();
        Ok(contain(|| match input {
            Some(text) => check(&text?),
            None => Err(Failure::Conversion(
                "the dataset was computed twice".to_owned(),
            )),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// Like `validateDataset`, returning a Promise that rejects with the same error.
#[napi(
    ts_args_type = "documents: DatasetDocuments | string",
    ts_return_type = "Promise<void>"
)]
pub fn validate_dataset_async(env: Env, documents: Unknown<'_>) -> AsyncTask<ValidateDataset> {
    let input = contain(|| json_text(&env, "documents", documents));
    AsyncTask::new(ValidateDataset { input: Some(input) })
}
