//! The crate's error: one variant per concern, each with a stable code every binding maps.

pub use crate::billing::BillingError;
pub use crate::lifecycle::LifecycleError;
pub use crate::validation::ValidationError;

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
}

impl Error {
    /// The stable code of this error, the same string in every language.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(e) => e.code(),
            Error::Lifecycle(e) => e.code(),
            Error::Billing(e) => e.code(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
