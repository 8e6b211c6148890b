//! Audit records: every state change, who made it, when, and the record before and after.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One state change of one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The kind of entity changed (`order`, `delivery`, `bill`, ...).
    pub entity: String,
    pub entity_id: String,
    /// What happened (`dispatched`, `delivery_confirmed`, `delivery_corrected`, ...).
    pub action: String,
    /// Who did it: a user id, a delivery person's id, or `system`.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// The entity before the change; `None` when it was created.
    pub before: Option<Value>,
    /// The entity after the change.
    pub after: Option<Value>,
    /// Why, when a person gave a reason (a correction, a failed delivery).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl AuditRecord {
    /// An audit record of `entity` going from `before` to `after`.
    pub fn change<T: Serialize>(
        entity: &str,
        entity_id: &str,
        action: &str,
        actor: &str,
        at: DateTime<Utc>,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Self {
        Self {
            entity: entity.to_owned(),
            entity_id: entity_id.to_owned(),
            action: action.to_owned(),
            actor: actor.to_owned(),
            at,
            before: before.map(snapshot),
            after: after.map(snapshot),
            reason: None,
        }
    }

    /// The same record with the reason a person gave.
    pub fn because(self, reason: Option<&str>) -> Self {
        Self {
            reason: reason.map(str::to_owned),
            ..self
        }
    }
}

/// A record as JSON; the records of this crate always serialise.
fn snapshot<T: Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}
