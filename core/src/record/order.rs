//! A one-time order and its items.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::{Record, record_serde, status_enum};
use crate::document::Fields;
use crate::validation::{Problems, Rule, field_path};

status_enum! {
    /// Where a one-time order is in its lifecycle (rules section 1).
    OrderStatus {
        Pending => "PENDING",
        OutForDelivery => "OUT_FOR_DELIVERY",
        Delivered => "DELIVERED",
        PartiallyDelivered => "PARTIALLY_DELIVERED",
        Cancelled => "CANCELLED",
    }
}

impl OrderStatus {
    /// Whether the order's delivery has been confirmed (it is billable).
    pub const fn is_confirmed(self) -> bool {
        matches!(
            self,
            OrderStatus::Delivered | OrderStatus::PartiallyDelivered
        )
    }
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderItem {
    pub product_id: String,
    pub quantity: Decimal,
    /// Price per unit agreed when the order was placed, exclusive of GST.
    pub unit_price: Decimal,
    /// Set when the delivery is confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_quantity: Option<Decimal>,
}

/// A one-time order, as the `orders` collection holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    pub id: String,
    pub customer_id: String,
    pub items: Vec<OrderItem>,
    /// The day it is (to be) delivered; billing uses this date, never `created_at`.
    pub delivery_date: NaiveDate,
    pub status: OrderStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
}

record_serde!(Order);

const EMPTY_ORDER: &str = "an order needs at least one item";

impl Record for Order {
    const KIND: &'static str = "order";

    fn read(document: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let f = Fields::open(document, path, problems)?;
        let id = f.id("id", problems);
        let customer_id = f.id("customer_id", problems);
        let status = f.enumerated::<OrderStatus>("status", problems, &OrderStatus::allowed());
        let mut items = Vec::new();
        let mut items_ok = true;
        for (item_path, item) in f.list("items", true, problems).unwrap_or_default() {
            let Some(i) = Fields::open(item, &item_path, problems) else {
                items_ok = false;
                continue;
            };
            let product_id = i.id("product_id", problems);
            let quantity = i.quantity("quantity", problems);
            let unit_price = i.price("unit_price", problems);
            let delivered_quantity = i.opt_decimal("delivered_quantity", problems);
            if let Some(delivered) = delivered_quantity {
                problems.delivered_quantity(&i.path("delivered_quantity"), delivered, quantity);
            }
            match (product_id, quantity, unit_price) {
                (Some(product_id), Some(quantity), Some(unit_price)) => items.push(OrderItem {
                    product_id,
                    quantity,
                    unit_price,
                    delivered_quantity,
                }),
                _ => items_ok = false,
            }
        }
        if f.raw("items")
            .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
        {
            problems.push(f.path("items"), Rule::Empty, "", EMPTY_ORDER);
        }
        let delivery_date = f.date("delivery_date", problems);
        let created_at = f.opt_instant("created_at", problems);
        if !items_ok {
            return None;
        }
        let mut order = Order {
            id: id?,
            customer_id: customer_id?,
            items,
            delivery_date: delivery_date?,
            status: status?,
            created_at,
        };
        // Legacy documents mark an order DELIVERED without per-item quantities: DELIVERED
        // means every item was delivered in full.
        if order.status == OrderStatus::Delivered {
            for item in &mut order.items {
                item.delivered_quantity.get_or_insert(item.quantity);
            }
        }
        order.check_relations(path, problems);
        Some(order)
    }

    fn check(&self, problems: &mut Problems) {
        problems.id("id", &self.id);
        problems.id("customer_id", &self.customer_id);
        for (i, item) in self.items.iter().enumerate() {
            problems.id(&format!("items[{i}].product_id"), &item.product_id);
            problems.quantity(&format!("items[{i}].quantity"), item.quantity);
            problems.price(&format!("items[{i}].unit_price"), item.unit_price);
            if let Some(delivered) = item.delivered_quantity {
                let field = format!("items[{i}].delivered_quantity");
                problems.delivered_quantity(&field, delivered, Some(item.quantity));
            }
        }
        if self.items.is_empty() {
            problems.push("items", Rule::Empty, "", EMPTY_ORDER);
        }
        self.check_relations("", problems);
    }

    fn id(&self) -> &str {
        &self.id
    }
}

impl Order {
    /// The status that the items' delivered quantities imply once a delivery is confirmed:
    /// everything delivered → DELIVERED, something → PARTIALLY_DELIVERED, nothing → `None`
    /// (a failed delivery is never "delivered").
    pub fn status_from_quantities(items: &[OrderItem]) -> Option<OrderStatus> {
        let delivered = |i: &OrderItem| i.delivered_quantity.unwrap_or(Decimal::ZERO);
        if items.iter().all(|i| delivered(i) == i.quantity) {
            Some(OrderStatus::Delivered)
        } else if items.iter().any(|i| delivered(i) > Decimal::ZERO) {
            Some(OrderStatus::PartiallyDelivered)
        } else {
            None
        }
    }

    /// Rules between fields, checked once the record is built: the status and the
    /// delivered quantities must tell the same story.
    fn check_relations(&self, path: &str, problems: &mut Problems) {
        let at = |name: &str| field_path(path, name);
        for (i, item) in self.items.iter().enumerate() {
            let field = field_path(&format!("{}[{i}]", at("items")), "delivered_quantity");
            match item.delivered_quantity {
                Some(delivered) if !self.status.is_confirmed() && delivered > Decimal::ZERO => {
                    problems.push(
                        field,
                        Rule::Inconsistent,
                        delivered.to_string(),
                        format!("an order that is {} has delivered nothing", self.status),
                    );
                }
                None if self.status == OrderStatus::PartiallyDelivered => problems.push(
                    field,
                    Rule::Required,
                    "",
                    "a PARTIALLY_DELIVERED order states what was delivered of each item",
                ),
                _ => {}
            }
        }
        let all_stated = self.items.iter().all(|i| i.delivered_quantity.is_some());
        if self.status.is_confirmed() && all_stated && !self.items.is_empty() {
            let implied = Self::status_from_quantities(&self.items);
            if implied != Some(self.status) {
                let implied = implied.map_or("nothing delivered", OrderStatus::as_str);
                problems.push(
                    at("status"),
                    Rule::Inconsistent,
                    self.status.as_str(),
                    format!("the delivered quantities say {implied}"),
                );
            }
        }
    }
}
