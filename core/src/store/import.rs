//! Bulk import of the business's existing documents (a MongoDB export), validated, in one
//! transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{ChangeSet, RecordKind, Store, Write};
use crate::audit::AuditRecord;
use crate::error::Result;
use crate::record::{Dataset, Rejected};
use crate::validation::{FieldProblem, Rule};

/// What to do with the documents of an import that do not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Import nothing when any document is rejected.
    AllOrNothing,
    /// Import every document that reads; report the others.
    SkipRejected,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// How many records of each kind were written.
    pub imported: BTreeMap<RecordKind, usize>,
    /// Every document that was not imported, and why.
    pub rejected: Vec<Rejected>,
}

/// Reads a `mongoexport` JSON-lines text: one document per line, blank lines ignored.
/// Returns an export object `{collection: [documents]}` and the lines that are not JSON.
pub fn json_lines(collection: &str, text: &str) -> (Value, Vec<Rejected>) {
    let mut documents = Vec::new();
    let mut rejected = Vec::new();
    for (index, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Value>(line) {
            Ok(document) => documents.push(document),
            Err(e) => rejected.push(Rejected {
                collection: collection.to_owned(),
                index,
                id: None,
                problems: vec![FieldProblem {
                    field: "$".to_owned(),
                    rule: Rule::Type,
                    value: String::new(),
                    message: format!("line {} is not JSON: {e}", index + 1),
                }],
            }),
        }
    }
    let mut export = serde_json::Map::new();
    export.insert(collection.to_owned(), Value::Array(documents));
    (Value::Object(export), rejected)
}

/// Imports an export `{"customers": [...], "orders": [...], ...}` into `store` in one
/// transaction, with one audit record of the import. References are checked between the
/// collections of the export; a document whose references fail is rejected too.
pub async fn import<S: Store>(
    store: &S,
    export: &Value,
    mode: ImportMode,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<ImportReport> {
    let (data, mut rejected) = Dataset::read_export(export);
    let broken: Vec<(usize, Rejected)> = match data.validate_references() {
        Ok(()) => Vec::new(),
        Err(e) => e
            .problems
            .into_iter()
            .map(|p| reference_rejection(&data, &rejected, p))
            .collect(),
    };
    let data = without(data, &broken);
    rejected.extend(broken.into_iter().map(|(_, r)| r));
    let mut imported = BTreeMap::new();
    if mode == ImportMode::AllOrNothing && !rejected.is_empty() {
        return Ok(ImportReport { imported, rejected });
    }
    let mut changes = ChangeSet::new();
    let mut count = |kind, n: usize| {
        if n > 0 {
            imported.insert(kind, n);
        }
    };
    count(RecordKind::Customer, data.customers.len());
    count(RecordKind::Product, data.products.len());
    count(RecordKind::Subscription, data.subscriptions.len());
    count(RecordKind::Order, data.orders.len());
    count(RecordKind::Delivery, data.deliveries.len());
    count(RecordKind::Payment, data.payments.len());
    changes
        .writes
        .extend(data.customers.into_iter().map(Write::Customer));
    changes
        .writes
        .extend(data.products.into_iter().map(Write::Product));
    changes
        .writes
        .extend(data.subscriptions.into_iter().map(Write::Subscription));
    changes
        .writes
        .extend(data.orders.into_iter().map(Write::Order));
    changes
        .writes
        .extend(data.deliveries.into_iter().map(Write::Delivery));
    changes
        .writes
        .extend(data.payments.into_iter().map(Write::Payment));
    let summary = serde_json::json!({"imported": imported, "rejected": rejected.len()});
    changes.audit.push(AuditRecord {
        entity: "import".to_owned(),
        entity_id: at.to_rfc3339(),
        action: "imported".to_owned(),
        actor: actor.to_owned(),
        at,
        before: None,
        after: Some(summary),
        reason: None,
    });
    store.apply_bulk(changes).await?;
    Ok(ImportReport { imported, rejected })
}

/// A reference problem (`orders[3].customer_id`: position 3 of the dataset's orders) as the
/// rejection of that document, at its position in the export; with the dataset position.
fn reference_rejection(
    data: &Dataset,
    unread: &[Rejected],
    problem: FieldProblem,
) -> (usize, Rejected) {
    let (collection, rest) = problem
        .field
        .split_once('[')
        .unwrap_or((problem.field.as_str(), ""));
    let position: usize = rest
        .split(']')
        .next()
        .and_then(|i| i.parse().ok())
        .unwrap_or(usize::MAX);
    let id = match collection {
        "customers" => data.customers.get(position).map(|r| r.id.clone()),
        "products" => data.products.get(position).map(|r| r.id.clone()),
        "subscriptions" => data.subscriptions.get(position).map(|r| r.id.clone()),
        "orders" => data.orders.get(position).map(|r| r.id.clone()),
        "deliveries" => data.deliveries.get(position).map(|r| r.id.clone()),
        "payments" => data.payments.get(position).map(|r| r.id.clone()),
        _ => None,
    };
    // The export position: skip the documents of this collection that did not read.
    let mut skipped: Vec<usize> = unread
        .iter()
        .filter(|r| r.collection == collection)
        .map(|r| r.index)
        .collect();
    skipped.sort_unstable();
    let index = skipped
        .iter()
        .fold(position, |at, s| if *s <= at { at + 1 } else { at });
    let field = rest.split_once("].").map_or("$", |(_, f)| f).to_owned();
    let rejected = Rejected {
        collection: collection.to_owned(),
        index,
        id,
        problems: vec![FieldProblem { field, ..problem }],
    };
    (position, rejected)
}

/// The dataset less the records rejected for their references.
fn without(mut data: Dataset, broken: &[(usize, Rejected)]) -> Dataset {
    fn keep<T>(list: Vec<T>, collection: &str, broken: &[(usize, Rejected)]) -> Vec<T> {
        let gone = |i: usize| {
            broken
                .iter()
                .any(|(at, r)| r.collection == collection && *at == i)
        };
        list.into_iter()
            .enumerate()
            .filter(|(i, _)| !gone(*i))
            .map(|(_, r)| r)
            .collect()
    }
    data.customers = keep(data.customers, "customers", broken);
    data.products = keep(data.products, "products", broken);
    data.subscriptions = keep(data.subscriptions, "subscriptions", broken);
    data.orders = keep(data.orders, "orders", broken);
    data.deliveries = keep(data.deliveries, "deliveries", broken);
    data.payments = keep(data.payments, "payments", broken);
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn at() -> DateTime<Utc> {
        "2026-11-25T00:00:00Z".parse().unwrap()
    }

    fn export() -> Value {
        serde_json::json!({
            "customers": [
                {"id": "C1", "name": "Asha", "phone": "9845012345", "signup_date": "2026-01-02"},
                {"id": "C2", "name": "Ravi", "phone": "12345", "signup_date": "2026-01-02"},
                {"id": "C3", "name": "Meera", "phone": "9845012346", "signup_date": "2026-01-03"}
            ],
            "orders": [
                {"id": "O1", "customer_id": "C1", "delivery_date": "2026-01-15", "status": "DELIVERED",
                 "items": [{"product_id": "P1", "quantity": 1, "unit_price": "10"}]},
                {"id": "O2", "customer_id": "C9", "delivery_date": "2026-01-15", "status": "DELIVERED",
                 "items": [{"product_id": "P1", "quantity": 1, "unit_price": "10"}]}
            ]
        })
    }

    #[tokio::test]
    async fn every_rejected_document_is_reported_and_the_rest_imported_together() {
        let store = MemoryStore::new();
        let report = import(&store, &export(), ImportMode::SkipRejected, "ops", at())
            .await
            .unwrap();
        assert_eq!(report.imported.get(&RecordKind::Customer), Some(&2));
        assert_eq!(report.imported.get(&RecordKind::Order), Some(&1));
        let rejected: Vec<_> = report
            .rejected
            .iter()
            .map(|r| {
                (
                    r.collection.as_str(),
                    r.index,
                    r.id.as_deref(),
                    r.problems[0].field.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rejected,
            [
                ("customers", 1, Some("C2"), "phone"),
                ("orders", 1, Some("O2"), "customer_id")
            ]
        );
        assert!(store.customer("C3").await.unwrap().is_some());
        assert!(store.order("O2").await.unwrap().is_none());
        assert_eq!(
            store
                .audit_trail("import", &at().to_rfc3339())
                .await
                .unwrap()
                .len(),
            1
        );
    }

    #[tokio::test]
    async fn all_or_nothing_imports_nothing_when_anything_is_rejected() {
        let store = MemoryStore::new();
        let report = import(&store, &export(), ImportMode::AllOrNothing, "ops", at())
            .await
            .unwrap();
        assert!(report.imported.is_empty());
        assert_eq!(report.rejected.len(), 2);
        assert!(store.customers().await.unwrap().is_empty());
    }

    #[test]
    fn json_lines_reports_lines_that_are_not_json() {
        let (export, rejected) = json_lines("customers", "{\"id\": 1}\n\nnot json\n{}");
        assert_eq!(export["customers"].as_array().map(Vec::len), Some(2));
        assert_eq!((rejected.len(), rejected[0].index), (1, 2));
    }
}
