//! The crate's error: one variant per concern, each with a stable code every binding maps.

pub use crate::activation::ActivationError;
pub use crate::billing::BillingError;
pub use crate::churn::ChurnError;
pub use crate::lifecycle::LifecycleError;
pub use crate::loyalty::LoyaltyError;
pub use crate::routing::RoutingError;
pub use crate::store::StoreError;
pub use crate::validation::{FieldProblem, ValidationError};

/// Everything that can go wrong in `earlybird`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// An input broke the rules of its fields; every problem is listed.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// An order or delivery command the lifecycle rules refuse.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// A bill, payment or wallet operation the billing rules refuse.
    #[error(transparent)]
    Billing(#[from] BillingError),
    /// An activation event or history the lifecycle rules refuse.
    #[error(transparent)]
    Activation(#[from] ActivationError),
    /// A loyalty command the programme's rules refuse.
    #[error(transparent)]
    Loyalty(#[from] LoyaltyError),
    /// A routing problem the optimizer refuses (every input problem listed).
    #[error(transparent)]
    Routing(#[from] RoutingError),
    /// A store refused or failed a read or a change; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A churn score or weight fit the churn engine refuses.
    #[error(transparent)]
    Churn(#[from] ChurnError),
    /// A record the operation needs does not exist.
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
}

impl Error {
    /// The stable code of this error, the same string in every language.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(e) => e.code(),
            Error::Lifecycle(e) => e.code(),
            Error::Billing(e) => e.code(),
            Error::Activation(e) => e.code(),
            Error::Loyalty(e) => e.code(),
            Error::Routing(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::Churn(e) => e.code(),
            Error::NotFound { .. } => "NOT_FOUND",
        }
    }

    /// The field problems behind this error: every problem of a validation failure, none
    /// for errors that are not about fields.
    pub fn problems(&self) -> &[FieldProblem] {
        match self {
            Error::Validation(e)
            | Error::Lifecycle(LifecycleError::Invalid(e))
            | Error::Billing(BillingError::Invalid(e))
            | Error::Activation(ActivationError::Invalid(e))
            | Error::Loyalty(LoyaltyError::Invalid(e))
            | Error::Routing(RoutingError::InvalidInput(e))
            | Error::Store(StoreError::Invalid(e)) => &e.problems,
            Error::Churn(e) => e.problems(),
            Error::Lifecycle(_)
            | Error::Billing(_)
            | Error::Activation(_)
            | Error::Loyalty(_)
            | Error::Store(_)
            | Error::NotFound { .. } => &[],
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
