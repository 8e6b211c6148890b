//! A set of records read together, so references between them can be checked.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::{
    Customer, DeliveryRecord, DeliverySource, Order, OrderStatus, Payment, Product, Record,
    Subscription,
};
use crate::validation::{FieldProblem, Problems, Rule, ValidationError};

/// A document that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The collection it came from (`orders`, `customers`...).
    pub collection: String,
    /// Its position in that collection.
    pub index: usize,
    /// Its id, when it had a readable one.
    pub id: Option<String>,
    pub problems: Vec<FieldProblem>,
}

/// The collections of an export, in the order they are read.
const COLLECTIONS: [&str; 6] = [
    "customers",
    "products",
    "subscriptions",
    "orders",
    "deliveries",
    "payments",
];

fn read_collection<T: Record>(
    export: &Value,
    collection: &str,
    into: &mut Vec<T>,
    rejected: &mut Vec<Rejected>,
) {
    let Some(documents) = export.get(collection).and_then(Value::as_array) else {
        return;
    };
    for (index, document) in documents.iter().enumerate() {
        match T::from_document(document) {
            Ok(record) => into.push(record),
            Err(e) => rejected.push(Rejected {
                collection: collection.to_owned(),
                index,
                id: document
                    .get("id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                problems: e.problems,
            }),
        }
    }
}

/// Records of several kinds, as a host loads them for one run of an engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dataset {
    pub customers: Vec<Customer>,
    pub products: Vec<Product>,
    pub subscriptions: Vec<Subscription>,
    pub orders: Vec<Order>,
    pub deliveries: Vec<DeliveryRecord>,
    pub payments: Vec<Payment>,
}

fn ids<'a, T: 'a>(records: &'a [T], id: impl Fn(&T) -> &str) -> BTreeSet<&'a str> {
    records.iter().map(id).collect()
}

impl Dataset {
    /// Reads an export shaped `{"customers": [...], "orders": [...], ...}` (any collection
    /// may be absent), keeping every readable document and reporting every other one.
    pub fn read_export(export: &Value) -> (Dataset, Vec<Rejected>) {
        let mut data = Dataset::default();
        let mut rejected = Vec::new();
        read_collection(export, COLLECTIONS[0], &mut data.customers, &mut rejected);
        read_collection(export, COLLECTIONS[1], &mut data.products, &mut rejected);
        read_collection(
            export,
            COLLECTIONS[2],
            &mut data.subscriptions,
            &mut rejected,
        );
        read_collection(export, COLLECTIONS[3], &mut data.orders, &mut rejected);
        read_collection(export, COLLECTIONS[4], &mut data.deliveries, &mut rejected);
        read_collection(export, COLLECTIONS[5], &mut data.payments, &mut rejected);
        (data, rejected)
    }

    /// Reads an export and checks its references; every problem of every document, with
    /// paths such as `orders[3].items[0].quantity`, or the whole dataset.
    pub fn from_export(export: &Value) -> Result<Dataset, ValidationError> {
        let mut problems = Problems::new();
        if !export.is_object() {
            problems.push(
                "$",
                Rule::Object,
                "",
                "an export is an object of collections",
            );
            return problems.finish(Dataset::default());
        }
        let (data, rejected) = Self::read_export(export);
        for r in rejected {
            problems.extend(ValidationError {
                problems: r
                    .problems
                    .into_iter()
                    .map(|p| {
                        let at = format!("{}[{}]", r.collection, r.index);
                        let field = if p.field == "$" {
                            at
                        } else {
                            format!("{at}.{}", p.field)
                        };
                        FieldProblem { field, ..p }
                    })
                    .collect(),
            });
        }
        if let Err(e) = data.validate_references() {
            problems.extend(e);
        }
        problems.finish(data)
    }

    /// Checks that ids are unique per kind and that every referenced id exists, where the
    /// referenced kind is present in the set (an empty kind is taken as "not loaded").
    pub fn validate_references(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        duplicates(
            "customers",
            self.customers.iter().map(|c| c.id.as_str()),
            &mut problems,
        );
        duplicates(
            "products",
            self.products.iter().map(|p| p.id.as_str()),
            &mut problems,
        );
        duplicates(
            "subscriptions",
            self.subscriptions.iter().map(|s| s.id.as_str()),
            &mut problems,
        );
        duplicates(
            "orders",
            self.orders.iter().map(|o| o.id.as_str()),
            &mut problems,
        );
        duplicates(
            "deliveries",
            self.deliveries.iter().map(|d| d.id.as_str()),
            &mut problems,
        );
        duplicates(
            "payments",
            self.payments.iter().map(|p| p.id.as_str()),
            &mut problems,
        );

        let customers = ids(&self.customers, |c| &c.id);
        let products = ids(&self.products, |p| &p.id);
        let subscriptions = ids(&self.subscriptions, |s| &s.id);
        let orders = ids(&self.orders, |o| &o.id);
        let mut check = |set: &BTreeSet<&str>, field: String, id: &str| {
            if !set.is_empty() && !set.contains(id) {
                problems.push(
                    field,
                    Rule::UnknownReference,
                    id,
                    "refers to a record that does not exist",
                );
            }
        };
        for (i, c) in self.customers.iter().enumerate() {
            if let Some(referrer) = &c.referred_by {
                check(&customers, format!("customers[{i}].referred_by"), referrer);
            }
        }
        for (i, s) in self.subscriptions.iter().enumerate() {
            check(
                &customers,
                format!("subscriptions[{i}].customer_id"),
                &s.customer_id,
            );
            check(
                &products,
                format!("subscriptions[{i}].product_id"),
                &s.product_id,
            );
        }
        for (i, o) in self.orders.iter().enumerate() {
            check(
                &customers,
                format!("orders[{i}].customer_id"),
                &o.customer_id,
            );
            for (j, item) in o.items.iter().enumerate() {
                check(
                    &products,
                    format!("orders[{i}].items[{j}].product_id"),
                    &item.product_id,
                );
            }
        }
        for (i, d) in self.deliveries.iter().enumerate() {
            check(
                &customers,
                format!("deliveries[{i}].customer_id"),
                &d.customer_id,
            );
            check(
                &products,
                format!("deliveries[{i}].product_id"),
                &d.product_id,
            );
            match &d.source {
                DeliverySource::Subscription(id) => check(
                    &subscriptions,
                    format!("deliveries[{i}].subscription_id"),
                    id,
                ),
                DeliverySource::Order(id) => {
                    check(&orders, format!("deliveries[{i}].order_id"), id)
                }
            }
        }
        for (i, p) in self.payments.iter().enumerate() {
            check(
                &customers,
                format!("payments[{i}].customer_id"),
                &p.customer_id,
            );
        }
        for (i, d) in self.deliveries.iter().enumerate() {
            if let Some(order) = d
                .order_id()
                .and_then(|id| self.orders.iter().find(|o| o.id == id))
                && order.status == OrderStatus::Cancelled
                && d.status.is_billable()
            {
                problems.push(
                    format!("deliveries[{i}].order_id"),
                    Rule::Inconsistent,
                    order.id.clone(),
                    "a delivery of a CANCELLED order",
                );
            }
        }
        problems.finish(())
    }
}

fn duplicates<'a>(kind: &str, ids: impl Iterator<Item = &'a str>, problems: &mut Problems) {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        if !seen.insert(id) {
            problems.push(
                format!("{kind}[{i}].id"),
                Rule::Duplicate,
                id,
                "the same id appears twice",
            );
        }
    }
}
