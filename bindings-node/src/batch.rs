//! Heavy calls: whole batches of documents, offered synchronously and as Promises computed on
//! the libuv thread pool (so the event loop keeps running). The engines reuse the same shape:
//! a `Task` whose `compute` runs the core inside `contain` and whose `resolve` hands the
//! plain objects (or the JS error) back.

use earlybird::validation::Rule;
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{arg, bad, json_text};
use crate::failure::{Failure, FieldProblem, call, contain};
use crate::record::{AnyRecord, Kind};

/// A document of a batch that the core refused.
#[napi(object)]
pub struct BatchFailure {
    /// Position of the document in the batch.
    pub index: u32,
    /// The stable error code (`VALIDATION_FAILED`).
    pub code: String,
    pub message: String,
    pub problems: Vec<FieldProblem>,
}

/// The records read from a batch of documents.
#[napi(object)]
pub struct ParsedBatch {
    /// One entry per document, in order: the record, or `null` for a refused document.
    #[napi(
        ts_type = "Array<Customer | Product | Subscription | Order | DeliveryRecord | Payment | null>"
    )]
    pub records: Vec<Option<AnyRecord>>,
    /// Every refused document with all its problems, in order.
    pub failures: Vec<BatchFailure>,
}

/// The documents of a batch as JSON text: given as such, or written by `JSON.stringify` on
/// the calling thread (see `json_text`). The task parses it, so with `parseManyAsync` the
/// parsing leaves the event loop too.
fn parse_documents(text: &str) -> Result<Vec<Value>, Failure> {
    serde_json::from_str(text).map_err(|e| {
        bad(
            "documents",
            Rule::Type,
            "",
            format!("not an array of documents: {e}"),
        )
    })
}

fn parse_batch(kind: Kind, text: &str) -> Result<ParsedBatch, Failure> {
    let documents = parse_documents(text)?;
    let mut records = Vec::with_capacity(documents.len());
    let mut failures = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        match kind.read(document) {
            Ok(record) => records.push(Some(record)),
            Err(Failure::Core(e)) => {
                records.push(None);
                failures.push(BatchFailure {
                    index: u32::try_from(index).unwrap_or(u32::MAX),
                    code: e.code().to_owned(),
                    message: e.to_string(),
                    problems: e.problems().iter().map(Into::into).collect(),
                });
            }
            Err(other) => return Err(other),
        }
    }
    Ok(ParsedBatch { records, failures })
}

fn batch_args(
    env: &Env,
    kind: Unknown<'_>,
    documents: Unknown<'_>,
) -> Result<(Kind, String), Failure> {
    let kind = Kind::named(&arg::<String>(env, "kind", kind)?)?;
    Ok((kind, json_text(env, "documents", documents)?))
}

/// Reads every document of a batch (an array, or its JSON text) as `kind`, on the calling
/// thread. A refused document does not stop the batch: it is `null` in `records` and listed
/// in `failures`.
#[napi(
    ts_args_type = "kind: 'customer' | 'product' | 'subscription' | 'order' | 'delivery' | 'payment', documents: Array<Record<string, unknown>> | string"
)]
pub fn parse_many(
    env: Env,
    kind: Unknown<'_>,
    documents: Unknown<'_>,
) -> napi::Result<ParsedBatch> {
    call(&env, || {
        let (kind, documents) = batch_args(&env, kind, documents)?;
        parse_batch(kind, &documents)
    })
}

/// `parseMany` on the libuv thread pool: converting the documents from JavaScript happens on
/// the calling thread, reading them (and parsing JSON text) does not. Bad arguments are
/// carried into the task so that every failure rejects the Promise.
pub struct ParseMany {
    input: Option<Result<(Kind, String), Failure>>,
}

impl Task for ParseMany {
    type Output = Result<ParsedBatch, Failure>;
    type JsValue = ParsedBatch;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let input = self.input.take();
        Ok(contain(|| match input {
            Some(Ok((kind, documents))) => parse_batch(kind, &documents),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Conversion(
                "the batch was computed twice".to_owned(),
            )),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map_err(|f| f.into_js(&env))
    }
}

/// Like `parseMany`, returning a Promise; the reading runs off the event loop.
#[napi(
    ts_args_type = "kind: 'customer' | 'product' | 'subscription' | 'order' | 'delivery' | 'payment', documents: Array<Record<string, unknown>> | string",
    ts_return_type = "Promise<ParsedBatch>"
)]
pub fn parse_many_async(
    env: Env,
    kind: Unknown<'_>,
    documents: Unknown<'_>,
) -> AsyncTask<ParseMany> {
    let input = contain(|| batch_args(&env, kind, documents));
    AsyncTask::new(ParseMany { input: Some(input) })
}
