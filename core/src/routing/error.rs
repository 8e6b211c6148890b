//! The routing engine's typed error: every problem of an input, listed at once.

use serde::{Deserialize, Serialize};

/// One problem found in a routing input: where, which rule, and the offending value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputProblem {
    /// Path of the field, e.g. `stops[3].time_window.end`.
    pub field: String,
    /// The rule broken, e.g. `finite number`.
    pub rule: String,
    /// The offending value as text.
    pub value: String,
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} (got {})", self.field, self.rule, self.value)
    }
}

/// Errors of the route optimizer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutingError {
    /// The problem (or its options) breaks one or more input rules; all of them are listed.
    #[error("invalid routing input: {}", summary(.problems))]
    InvalidInput {
        /// Every problem found, in input order.
        problems: Vec<InputProblem>,
    },
}

impl RoutingError {
    /// A stable code for hosts and bindings.
    pub fn code(&self) -> &'static str {
        match self {
            RoutingError::InvalidInput { .. } => "ROUTING_INVALID_INPUT",
        }
    }
}

fn summary(problems: &[InputProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
