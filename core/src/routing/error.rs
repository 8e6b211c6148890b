//! The routing engine's typed error: every problem of an input, listed at once.

use crate::validation::ValidationError;

/// Errors of the route optimizer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutingError {
    /// The problem (or its options) breaks one or more input rules; all of them are listed,
    /// each with its field path, rule and value.
    #[error("invalid routing input: {0}")]
    InvalidInput(ValidationError),
}

impl RoutingError {
    /// A stable code for hosts and bindings.
    pub fn code(&self) -> &'static str {
        match self {
            RoutingError::InvalidInput(_) => "ROUTING_INVALID_INPUT",
        }
    }
}
