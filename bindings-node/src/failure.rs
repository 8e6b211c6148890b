//! Errors crossing into JavaScript: an `Error` whose `code` is the core's stable code, whose
//! `name` says the concern, and whose `problems` lists every field problem.

use std::panic::{AssertUnwindSafe, catch_unwind};

use earlybird::Error as CoreError;
use earlybird::activation::ActivationError;
use earlybird::billing::BillingError;
use earlybird::churn::ChurnError;
use earlybird::lifecycle::LifecycleError;
use earlybird::loyalty::LoyaltyError;
use earlybird::routing::RoutingError;
use earlybird::validation::{FieldProblem as CoreProblem, ValidationError};
use napi::bindgen_prelude::JsValue;
use napi::{Env, Status};
use napi_derive::napi;

/// One problem with one field of an input: `err.problems[i]`.
#[napi(object)]
pub struct FieldProblem {
    /// Path of the field in the input, e.g. `items[1].quantity`.
    pub field: String,
    /// The rule broken, a stable code such as `required`, `decimal`, `unknown_value`.
    pub rule: String,
    /// The offending value as text (empty when the field is missing).
    pub value: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl From<&CoreProblem> for FieldProblem {
    fn from(p: &CoreProblem) -> Self {
        let CoreProblem {
            field,
            rule,
            value,
            message,
        } = p;
        Self {
            field: field.clone(),
            rule: rule.code().to_owned(),
            value: value.clone(),
            message: message.clone(),
        }
    }
}

/// Why a call failed.
#[derive(Debug)]
pub enum Failure {
    /// The core refused the input or the command.
    Core(CoreError),
    /// A Rust panic, caught so that it never takes down the Node process.
    Panic(String),
    /// A core value the binding could not convert (a bug of the binding, never of the input).
    Conversion(String),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        Failure::Core(e)
    }
}

impl From<ValidationError> for Failure {
    fn from(e: ValidationError) -> Self {
        Failure::Core(e.into())
    }
}

impl From<LoyaltyError> for Failure {
    fn from(e: LoyaltyError) -> Self {
        Failure::Core(e.into())
    }
}

impl From<RoutingError> for Failure {
    fn from(e: RoutingError) -> Self {
        Failure::Core(e.into())
    }
}

impl From<BillingError> for Failure {
    fn from(e: BillingError) -> Self {
        Failure::Core(e.into())
    }
}

impl From<ActivationError> for Failure {
    fn from(e: ActivationError) -> Self {
        Failure::Core(e.into())
    }
}

impl From<ChurnError> for Failure {
    fn from(e: ChurnError) -> Self {
        Failure::Core(e.into())
    }
}

impl From<LifecycleError> for Failure {
    fn from(e: LifecycleError) -> Self {
        Failure::Core(e.into())
    }
}

/// What JavaScript sees of a failure: `err.name`, `err.code`, `err.message`, `err.problems`.
struct Shape<'a> {
    name: &'static str,
    code: &'static str,
    message: String,
    problems: &'a [CoreProblem],
}

impl Failure {
    /// Every core error mapped in one exhaustive match: a new core variant stops the build
    /// here until it is given its JavaScript name.
    fn shape(&self) -> Shape<'_> {
        match self {
            Failure::Core(e) => {
                let name = match e {
                    CoreError::Validation(_) => "ValidationError",
                    CoreError::Lifecycle(_) => "LifecycleError",
                    CoreError::Activation(ActivationError::Invalid(_)) => "ValidationError",
                    CoreError::Activation(_) => "ActivationError",
                    CoreError::Billing(BillingError::Invalid(_)) => "ValidationError",
                    CoreError::Billing(_) => "BillingError",
                    CoreError::Churn(
                        ChurnError::InvalidInput(_) | ChurnError::InvalidConfig(_),
                    ) => "ValidationError",
                    CoreError::Churn(_) => "ChurnError",
                    CoreError::Loyalty(_) => "LoyaltyError",
                    CoreError::Routing(_) => "RoutingError",
                    CoreError::Store(_) => "StoreError",
                    CoreError::NotFound { .. } => "NotFoundError",
                };
                Shape {
                    name,
                    code: e.code(),
                    message: e.to_string(),
                    problems: e.problems(),
                }
            }
            Failure::Panic(message) => Shape {
                name: "InternalError",
                code: "INTERNAL_PANIC",
                message: format!("earlybird panicked (a bug, please report it): {message}"),
                problems: &[],
            },
            Failure::Conversion(message) => Shape {
                name: "InternalError",
                code: "BINDING_CONVERSION",
                message: format!("the Node binding could not convert a core value: {message}"),
                problems: &[],
            },
        }
    }

    /// The JavaScript `Error` to throw (or to reject a Promise with).
    pub fn into_js(self, env: &Env) -> napi::Error {
        let shape = self.shape();
        let built = (|| -> napi::Result<napi::Error> {
            let mut error =
                env.create_error(napi::Error::new(Status::GenericFailure, &shape.message))?;
            error.set("name", shape.name)?;
            error.set("code", shape.code)?;
            let problems: Vec<FieldProblem> = shape.problems.iter().map(Into::into).collect();
            error.set("problems", problems)?;
            Ok(napi::Error::from(error.to_unknown()))
        })();
        built.unwrap_or_else(|e| {
            napi::Error::new(e.status, format!("{}: {}", shape.code, shape.message))
        })
    }
}

/// Runs `work`, turning a panic into `Failure::Panic` instead of unwinding into Node (a
/// panic crossing the C boundary would abort the whole process).
pub fn contain<T>(work: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Err(Failure::Panic(message))
    })
}

/// Runs a synchronous call for JavaScript: contained, and its failure made a JS `Error`.
pub fn call<T>(env: &Env, work: impl FnOnce() -> Result<T, Failure>) -> napi::Result<T> {
    contain(work).map_err(|f| f.into_js(env))
}

/// Panics on purpose, so the tests can prove a panic becomes an `INTERNAL_PANIC` error and
/// the process lives on. Hidden from the typings; it touches no business data.
#[napi(js_name = "__panicForTest", skip_typescript)]
pub fn panic_for_test(env: Env) -> napi::Result<()> {
    call(&env, || -> Result<(), Failure> {
        panic!("deliberate panic for the test suite")
    })
}
