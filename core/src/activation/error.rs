//! What can go wrong in the activation engine.

use crate::notification::TemplateError;
use crate::validation::ValidationError;

/// An activation input the rules refuse, or a message that cannot be rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActivationError {
    /// Events, records or configuration broke a rule; every problem is listed.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A notification intent could not be rendered.
    #[error(transparent)]
    Template(#[from] TemplateError),
}

impl ActivationError {
    /// Stable error code shared by every binding.
    pub const fn code(&self) -> &'static str {
        match self {
            ActivationError::Invalid(e) => e.code(),
            ActivationError::Template(e) => e.code(),
        }
    }
}
