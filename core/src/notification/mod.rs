//! Notification intents: what the engines want said to a customer. The host sends them,
//! rendered through [`TemplateSet`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A message an engine wants sent: which template, to whom, with which variables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct NotificationIntent {
    /// The template key, e.g. `welcome` or `delivery_confirmed`.
    pub template: String,
    pub customer_id: String,
    /// Values for the template's `{{var}}` placeholders.
    pub variables: BTreeMap<String, String>,
    /// When the cause of the intent happened.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::Instant"))]
    pub at: DateTime<Utc>,
}

pub mod template;

pub use template::{Template, TemplateError, TemplateSet};
