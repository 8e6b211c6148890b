//! A delivery record: the trace of one confirmed (or failed) delivery of one product.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::{Record, record_serde, status_enum};
use crate::document::Fields;
use crate::validation::{Problems, Rule, field_path};

status_enum! {
    /// The outcome of one delivery.
    DeliveryStatus {
        Delivered => "DELIVERED",
        PartiallyDelivered => "PARTIALLY_DELIVERED",
        NotDelivered => "NOT_DELIVERED",
    }
}

impl DeliveryStatus {
    /// The status that a delivered quantity implies.
    pub fn from_quantities(delivered: Decimal, ordered: Decimal) -> Self {
        if delivered >= ordered {
            DeliveryStatus::Delivered
        } else if delivered > Decimal::ZERO {
            DeliveryStatus::PartiallyDelivered
        } else {
            DeliveryStatus::NotDelivered
        }
    }

    /// Whether something was delivered (the record is billable when it is a subscription's).
    pub const fn is_billable(self) -> bool {
        matches!(
            self,
            DeliveryStatus::Delivered | DeliveryStatus::PartiallyDelivered
        )
    }
}

/// What a delivery record delivers: exactly one of a subscription or a one-time order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DeliverySource {
    Subscription(String),
    Order(String),
}

/// One delivery of one product to one customer on one day, as `delivery_statuses` holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryRecord {
    pub id: String,
    pub customer_id: String,
    pub date: NaiveDate,
    #[serde(flatten)]
    pub source: DeliverySource,
    pub product_id: String,
    pub ordered_quantity: Decimal,
    pub delivered_quantity: Decimal,
    pub status: DeliveryStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_boy_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// Written as the documents have it: a `subscription_id` or an `order_id` field.
impl Serialize for DeliverySource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        match self {
            DeliverySource::Subscription(id) => map.serialize_entry("subscription_id", id)?,
            DeliverySource::Order(id) => map.serialize_entry("order_id", id)?,
        }
        map.end()
    }
}

record_serde!(DeliveryRecord);

impl DeliveryRecord {
    /// The subscription delivered, when it is a subscription delivery.
    pub fn subscription_id(&self) -> Option<&str> {
        match &self.source {
            DeliverySource::Subscription(id) => Some(id),
            DeliverySource::Order(_) => None,
        }
    }

    /// The one-time order delivered, when it is an order delivery.
    pub fn order_id(&self) -> Option<&str> {
        match &self.source {
            DeliverySource::Order(id) => Some(id),
            DeliverySource::Subscription(_) => None,
        }
    }

    /// The status must match the quantities (checked once the record is built).
    fn check_relations(&self, path: &str, problems: &mut Problems) {
        check_delivery_status(
            &field_path(path, "status"),
            self.status,
            self.delivered_quantity,
            self.ordered_quantity,
            problems,
        );
    }
}

/// A delivery status must be the one its quantities imply (when delivered ≤ ordered; more than
/// ordered is the delivered quantity's own problem). Shared with billing's delivery columns.
pub(crate) fn check_delivery_status(
    field: &str,
    status: DeliveryStatus,
    delivered: Decimal,
    ordered: Decimal,
    problems: &mut Problems,
) {
    let implied = DeliveryStatus::from_quantities(delivered, ordered);
    if implied != status && delivered <= ordered {
        problems.push(
            field,
            Rule::Inconsistent,
            status.as_str(),
            format!("{delivered} of {ordered} delivered means {implied}"),
        );
    }
}

impl Record for DeliveryRecord {
    const KIND: &'static str = "delivery";

    fn read(document: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let f = Fields::open(document, path, problems)?;
        let id = f.id("id", problems);
        let customer_id = f.id("customer_id", problems);
        let date = f.date("date", problems);
        let subscription_id = f.opt_string("subscription_id", problems);
        let order_id = f.opt_string("order_id", problems);
        let source = match (subscription_id, order_id) {
            (Some(s), None) => Some(DeliverySource::Subscription(s)),
            (None, Some(o)) => Some(DeliverySource::Order(o)),
            (Some(s), Some(o)) => {
                problems.push(
                    f.path("order_id"),
                    Rule::Inconsistent,
                    format!("subscription_id={s}, order_id={o}"),
                    "exactly one of subscription_id and order_id",
                );
                None
            }
            (None, None) => {
                problems.push(
                    f.path("subscription_id"),
                    Rule::Required,
                    "",
                    "exactly one of subscription_id and order_id is required",
                );
                None
            }
        };
        if let Some(DeliverySource::Subscription(id) | DeliverySource::Order(id)) = &source {
            let name = if matches!(source, Some(DeliverySource::Order(_))) {
                "order_id"
            } else {
                "subscription_id"
            };
            problems.id(&f.path(name), id);
        }
        let product_id = f.id("product_id", problems);
        let ordered_quantity = f.quantity("ordered_quantity", problems);
        let delivered_quantity = f.decimal("delivered_quantity", problems);
        if let Some(delivered) = delivered_quantity {
            problems.delivered_quantity(&f.path("delivered_quantity"), delivered, ordered_quantity);
        }
        let status = f.enumerated::<DeliveryStatus>("status", problems, &DeliveryStatus::allowed());
        let reason = f.opt_string("reason", problems);
        let delivery_boy_id = f.opt_string("delivery_boy_id", problems);
        let confirmed_at = f.opt_instant("confirmed_at", problems);
        let record = DeliveryRecord {
            id: id?,
            customer_id: customer_id?,
            date: date?,
            source: source?,
            product_id: product_id?,
            ordered_quantity: ordered_quantity?,
            delivered_quantity: delivered_quantity?,
            status: status?,
            reason,
            delivery_boy_id,
            confirmed_at,
        };
        record.check_relations(path, problems);
        Some(record)
    }

    fn check(&self, problems: &mut Problems) {
        problems.id("id", &self.id);
        problems.id("customer_id", &self.customer_id);
        problems.id("product_id", &self.product_id);
        match &self.source {
            DeliverySource::Subscription(id) => problems.id("subscription_id", id),
            DeliverySource::Order(id) => problems.id("order_id", id),
        }
        problems.quantity("ordered_quantity", self.ordered_quantity);
        problems.delivered_quantity(
            "delivered_quantity",
            self.delivered_quantity,
            Some(self.ordered_quantity),
        );
        self.check_relations("", problems);
    }

    fn id(&self) -> &str {
        &self.id
    }
}
