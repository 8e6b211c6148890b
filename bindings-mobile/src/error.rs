//! The core's errors as one UniFFI error: a Kotlin exception / Swift error per stable code.
//!
//! Every variant carries the core's `code` (the same string as in Python, Node and the
//! backend's logs) and the core's sentence (`detail`); validation failures carry every field
//! problem. The mapping is one exhaustive `match`: a new variant in the core (an engine's
//! error) breaks this build until it is mapped here.

use earlybird::Error;
use earlybird::activation::ActivationError;
use earlybird::billing::BillingError;
use earlybird::churn::ChurnError;
use earlybird::lifecycle::LifecycleError;
use earlybird::loyalty::LoyaltyError;
use earlybird::record::OrderStatus;
use earlybird::routing::RoutingError;
use earlybird::store::StoreError;
use earlybird::validation::{FieldProblem, Rule, ValidationError};

/// The rule a field broke; the same codes as the core's `Rule::code()`.
#[uniffi::remote(Enum)]
pub enum Rule {
    Required,
    Type,
    Object,
    Date,
    Instant,
    Decimal,
    Phone,
    Email,
    Positive,
    NonNegative,
    Scale,
    Range,
    UnknownValue,
    Empty,
    DateOrder,
    EmptyId,
    Duplicate,
    Inconsistent,
    UnknownReference,
}

/// One problem with one field: where, which rule, the offending value and a sentence.
#[uniffi::remote(Record)]
pub struct FieldProblem {
    pub field: String,
    pub rule: Rule,
    pub value: String,
    pub message: String,
}

/// The stable code of a rule (`non_negative`, `unknown_value`...), as the core and the
/// shared cases write it.
#[uniffi::export]
pub fn rule_code(rule: Rule) -> String {
    rule.code().to_owned()
}

/// Everything the core can refuse, one variant per stable error code.
#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum EarlybirdError {
    /// `VALIDATION_FAILED`: an input broke the rules of its fields; every problem is listed.
    #[error("{detail}")]
    Validation {
        code: String,
        detail: String,
        problems: Vec<FieldProblem>,
    },
    /// `LIFECYCLE_INVALID_TRANSITION`: the rules have no such transition.
    #[error("{detail}")]
    InvalidTransition {
        code: String,
        detail: String,
        order_id: String,
        from: OrderStatus,
        action: String,
    },
    /// `LIFECYCLE_ORDER_CANCELLED`: a cancelled order's delivery cannot be confirmed.
    #[error("{detail}")]
    OrderCancelled {
        code: String,
        detail: String,
        order_id: String,
    },
    /// `LIFECYCLE_CONFLICTING_CONFIRMATION`: a second confirmation disagrees with the first.
    #[error("{detail}")]
    ConflictingConfirmation {
        code: String,
        detail: String,
        entity: String,
        id: String,
        recorded: String,
        requested: String,
    },
    /// `LIFECYCLE_NOT_CONFIRMED`: a correction of something never confirmed.
    #[error("{detail}")]
    NotConfirmed {
        code: String,
        detail: String,
        entity: String,
        id: String,
    },
    /// `LIFECYCLE_NOTHING_TO_CORRECT`: a correction that changes nothing.
    #[error("{detail}")]
    NothingToCorrect {
        code: String,
        detail: String,
        entity: String,
        id: String,
    },
    /// `LIFECYCLE_CORRECTION_TO_NOTHING`: a correction may not undeliver an order.
    #[error("{detail}")]
    CorrectionToNothing {
        code: String,
        detail: String,
        order_id: String,
    },
    /// `BILLING_...`: a bill, payment or wallet operation the billing rules refuse.
    #[error("{detail}")]
    Billing { code: String, detail: String },
    /// `TEMPLATE_...`: an activation message that cannot be rendered.
    #[error("{detail}")]
    Activation { code: String, detail: String },
    /// `LOYALTY_...`: a loyalty command the programme refuses (too few points, above the cap...).
    #[error("{detail}")]
    Loyalty { code: String, detail: String },
    /// `CHURN_...`: churn weights that cannot be fitted.
    #[error("{detail}")]
    Churn { code: String, detail: String },
    /// `STORE_...`: the local store refused a change (a concurrent change) or failed.
    #[error("{detail}")]
    Store { code: String, detail: String },
    /// `NOT_FOUND`: a record the operation needs does not exist.
    #[error("{detail}")]
    NotFound { code: String, detail: String },
}

impl From<Error> for EarlybirdError {
    fn from(error: Error) -> Self {
        let code = error.code().to_owned();
        let detail = error.to_string();
        match error {
            Error::Validation(e)
            | Error::Lifecycle(LifecycleError::Invalid(e))
            | Error::Billing(BillingError::Invalid(e))
            | Error::Activation(ActivationError::Invalid(e))
            | Error::Loyalty(LoyaltyError::Invalid(e))
            | Error::Routing(RoutingError::InvalidInput(e))
            | Error::Churn(ChurnError::InvalidInput(e) | ChurnError::InvalidConfig(e))
            | Error::Store(StoreError::Invalid(e)) => EarlybirdError::Validation {
                code,
                detail,
                problems: e.problems,
            },
            Error::Lifecycle(LifecycleError::InvalidTransition {
                order_id,
                from,
                action,
            }) => EarlybirdError::InvalidTransition {
                code,
                detail,
                order_id,
                from,
                action: action.to_owned(),
            },
            Error::Lifecycle(LifecycleError::OrderCancelled { order_id }) => {
                EarlybirdError::OrderCancelled {
                    code,
                    detail,
                    order_id,
                }
            }
            Error::Lifecycle(LifecycleError::ConflictingConfirmation {
                entity,
                id,
                recorded,
                requested,
            }) => EarlybirdError::ConflictingConfirmation {
                code,
                detail,
                entity: entity.to_owned(),
                id,
                recorded,
                requested,
            },
            Error::Lifecycle(LifecycleError::NotConfirmed { entity, id }) => {
                EarlybirdError::NotConfirmed {
                    code,
                    detail,
                    entity: entity.to_owned(),
                    id,
                }
            }
            Error::Lifecycle(LifecycleError::NothingToCorrect { entity, id }) => {
                EarlybirdError::NothingToCorrect {
                    code,
                    detail,
                    entity: entity.to_owned(),
                    id,
                }
            }
            Error::Lifecycle(LifecycleError::CorrectionToNothing { order_id }) => {
                EarlybirdError::CorrectionToNothing {
                    code,
                    detail,
                    order_id,
                }
            }
            Error::Billing(_) => EarlybirdError::Billing { code, detail },
            Error::Activation(_) => EarlybirdError::Activation { code, detail },
            Error::Loyalty(_) => EarlybirdError::Loyalty { code, detail },
            Error::Churn(_) => EarlybirdError::Churn { code, detail },
            Error::Store(_) => EarlybirdError::Store { code, detail },
            Error::NotFound { .. } => EarlybirdError::NotFound { code, detail },
        }
    }
}

impl From<ValidationError> for EarlybirdError {
    fn from(error: ValidationError) -> Self {
        Error::from(error).into()
    }
}

impl From<LifecycleError> for EarlybirdError {
    fn from(error: LifecycleError) -> Self {
        Error::from(error).into()
    }
}
