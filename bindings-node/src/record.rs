//! Records: the business's MongoDB documents read by the core into plain camelCase objects,
//! their canonical documents and their problems; phones and e-mails.

use std::collections::BTreeMap;

use earlybird::record::{
    Customer as CoreCustomer, DatedPrice as CoreDatedPrice, DatedRate as CoreDatedRate,
    DeliveryRecord as CoreDeliveryRecord, DeliverySource, Order as CoreOrder,
    OrderItem as CoreOrderItem, Pause as CorePause, Payment as CorePayment, Product as CoreProduct,
    Record, Schedule as CoreSchedule, Subscription as CoreSubscription, normalize_phone,
    valid_email,
};
use earlybird::validation::{Rule, ValidationError};
use napi::Env;
use napi::bindgen_prelude::{Either6, Unknown};
use napi_derive::napi;
use serde::Serialize;
use serde_json::Value;

use crate::convert::{
    arg, bad, day_text, decimal_text, document, instant_text, json_text, to_core,
};
use crate::failure::{Failure, FieldProblem, call};

/// A customer. `phone` is normalised to `+91XXXXXXXXXX`; `signupDate` is `YYYY-MM-DD`.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Latitude in degrees (a coordinate, not money: a JS number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Longitude in degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_boy_id: Option<String>,
    pub signup_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<String>,
}

/// A price (decimal string, rupees, exclusive of GST) in force from a date on.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct DatedPrice {
    pub price: String,
    pub effective_from: String,
}

/// A GST rate in percent (decimal string) in force from a date on; no date: since always.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct DatedRate {
    pub rate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
}

/// A product with its price and GST history.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub prices: Vec<DatedPrice>,
    pub gst_rates: Vec<DatedRate>,
}

/// On which days a subscription delivers: `kind` is `daily`, `alternate_days`, `weekdays`
/// (with `days`, e.g. `["mon", "thu"]`) or `custom` (with `quantities` per weekday).
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<String>>,
    /// Decimal string quantity per weekday (`{ mon: "1", sat: "2" }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantities: Option<BTreeMap<String, String>>,
}

/// A holiday: no delivery from `from` to `to`, both inclusive (`YYYY-MM-DD`).
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct Pause {
    pub from: String,
    pub to: String,
}

/// A subscription. `quantity` and `priceOverride` are decimal strings; `status` is
/// `active` or `cancelled`.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct Subscription {
    pub id: String,
    pub customer_id: String,
    pub product_id: String,
    pub quantity: String,
    pub schedule: Schedule,
    pub start_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    pub pauses: Vec<Pause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_override: Option<String>,
    pub status: String,
}

/// One line of an order; quantities and the unit price are decimal strings.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct OrderItem {
    pub product_id: String,
    pub quantity: String,
    pub unit_price: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_quantity: Option<String>,
}

/// A one-time order. `status` is `PENDING`, `OUT_FOR_DELIVERY`, `DELIVERED`,
/// `PARTIALLY_DELIVERED` or `CANCELLED`; `createdAt` an RFC 3339 instant.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct Order {
    pub id: String,
    pub customer_id: String,
    pub items: Vec<OrderItem>,
    pub delivery_date: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// What was delivered of one product to one customer on one day, from exactly one source
/// (`subscriptionId` or `orderId`).
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRecord {
    pub id: String,
    pub customer_id: String,
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    pub product_id: String,
    pub ordered_quantity: String,
    pub delivered_quantity: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_boy_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<String>,
}

/// A payment; `amount` is a decimal string in rupees, `method` e.g. `upi`, `cash`.
#[napi(object)]
#[derive(Debug, Clone, Serialize)]
pub struct Payment {
    pub id: String,
    pub customer_id: String,
    pub amount: String,
    pub method: String,
    pub date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

// The adapters are built from core records by destructuring every field, so a field added to
// a core record stops this build until it is carried across.

impl From<&CoreCustomer> for Customer {
    fn from(customer: &CoreCustomer) -> Self {
        let CoreCustomer {
            id,
            name,
            phone,
            email,
            address,
            lat,
            lon,
            user_id,
            delivery_boy_id,
            signup_date,
            referred_by,
        } = customer;
        Self {
            id: id.clone(),
            name: name.clone(),
            phone: phone.clone(),
            email: email.clone(),
            address: address.clone(),
            lat: *lat,
            lon: *lon,
            user_id: user_id.clone(),
            delivery_boy_id: delivery_boy_id.clone(),
            signup_date: day_text(signup_date),
            referred_by: referred_by.clone(),
        }
    }
}

impl From<&CoreProduct> for Product {
    fn from(product: &CoreProduct) -> Self {
        let CoreProduct {
            id,
            name,
            unit,
            prices,
            gst_rates,
        } = product;
        Self {
            id: id.clone(),
            name: name.clone(),
            unit: unit.clone(),
            prices: prices
                .iter()
                .map(
                    |CoreDatedPrice {
                         price,
                         effective_from,
                     }| DatedPrice {
                        price: decimal_text(price),
                        effective_from: day_text(effective_from),
                    },
                )
                .collect(),
            gst_rates: gst_rates
                .iter()
                .map(
                    |CoreDatedRate {
                         rate,
                         effective_from,
                     }| DatedRate {
                        rate: decimal_text(rate),
                        effective_from: effective_from.as_ref().map(day_text),
                    },
                )
                .collect(),
        }
    }
}

impl From<&CoreSchedule> for Schedule {
    fn from(schedule: &CoreSchedule) -> Self {
        let named = |kind: &str| Schedule {
            kind: kind.to_owned(),
            days: None,
            quantities: None,
        };
        match schedule {
            CoreSchedule::Daily => named("daily"),
            CoreSchedule::AlternateDays => named("alternate_days"),
            CoreSchedule::Weekdays { days } => Schedule {
                days: Some(days.iter().map(|d| d.as_str().to_owned()).collect()),
                ..named("weekdays")
            },
            CoreSchedule::Custom { quantities } => Schedule {
                quantities: Some(
                    quantities
                        .iter()
                        .map(|(day, q)| (day.as_str().to_owned(), decimal_text(q)))
                        .collect(),
                ),
                ..named("custom")
            },
        }
    }
}

impl From<&CoreSubscription> for Subscription {
    fn from(subscription: &CoreSubscription) -> Self {
        let CoreSubscription {
            id,
            customer_id,
            product_id,
            quantity,
            schedule,
            start_date,
            end_date,
            pauses,
            price_override,
            status,
        } = subscription;
        Self {
            id: id.clone(),
            customer_id: customer_id.clone(),
            product_id: product_id.clone(),
            quantity: decimal_text(quantity),
            schedule: schedule.into(),
            start_date: day_text(start_date),
            end_date: end_date.as_ref().map(day_text),
            pauses: pauses
                .iter()
                .map(|CorePause { from, to }| Pause {
                    from: day_text(from),
                    to: day_text(to),
                })
                .collect(),
            price_override: price_override.as_ref().map(decimal_text),
            status: status.as_str().to_owned(),
        }
    }
}

impl From<&CoreOrder> for Order {
    fn from(order: &CoreOrder) -> Self {
        let CoreOrder {
            id,
            customer_id,
            items,
            delivery_date,
            status,
            created_at,
        } = order;
        Self {
            id: id.clone(),
            customer_id: customer_id.clone(),
            items: items
                .iter()
                .map(
                    |CoreOrderItem {
                         product_id,
                         quantity,
                         unit_price,
                         delivered_quantity,
                     }| OrderItem {
                        product_id: product_id.clone(),
                        quantity: decimal_text(quantity),
                        unit_price: decimal_text(unit_price),
                        delivered_quantity: delivered_quantity.as_ref().map(decimal_text),
                    },
                )
                .collect(),
            delivery_date: day_text(delivery_date),
            status: status.as_str().to_owned(),
            created_at: created_at.as_ref().map(instant_text),
        }
    }
}

impl From<&CoreDeliveryRecord> for DeliveryRecord {
    fn from(delivery: &CoreDeliveryRecord) -> Self {
        let CoreDeliveryRecord {
            id,
            customer_id,
            date,
            source,
            product_id,
            ordered_quantity,
            delivered_quantity,
            status,
            reason,
            delivery_boy_id,
            confirmed_at,
        } = delivery;
        let (subscription_id, order_id) = match source {
            DeliverySource::Subscription(id) => (Some(id.clone()), None),
            DeliverySource::Order(id) => (None, Some(id.clone())),
        };
        Self {
            id: id.clone(),
            customer_id: customer_id.clone(),
            date: day_text(date),
            subscription_id,
            order_id,
            product_id: product_id.clone(),
            ordered_quantity: decimal_text(ordered_quantity),
            delivered_quantity: decimal_text(delivered_quantity),
            status: status.as_str().to_owned(),
            reason: reason.clone(),
            delivery_boy_id: delivery_boy_id.clone(),
            confirmed_at: confirmed_at.as_ref().map(instant_text),
        }
    }
}

impl From<&CorePayment> for Payment {
    fn from(payment: &CorePayment) -> Self {
        let CorePayment {
            id,
            customer_id,
            amount,
            method,
            date,
            reference,
        } = payment;
        Self {
            id: id.clone(),
            customer_id: customer_id.clone(),
            amount: decimal_text(amount),
            method: method.as_str().to_owned(),
            date: day_text(date),
            reference: reference.clone(),
        }
    }
}

/// For each record kind: `parseX(document)` (a MongoDB document, read and checked by the
/// core) and `xDocument(record)` (a record back to its canonical stored form).
macro_rules! record_kind {
    ($core:ident, $js:ident, $parse:ident, $document:ident, $ts:tt, $kind:tt) => {
        #[doc = concat!(
            "Reads a ", $kind, " document as MongoDB holds it (money as numbers or strings), ",
            "or its JSON text, reporting every problem at once (`VALIDATION_FAILED`, ",
            "`err.problems`)."
        )]
        #[napi(ts_args_type = "document: Record<string, unknown> | string")]
        pub fn $parse(env: Env, document: Unknown<'_>) -> napi::Result<$js> {
            call(&env, || {
                let record = $core::from_json(&json_text(&env, "document", document)?)?;
                Ok($js::from(&record))
            })
        }

        #[doc = concat!(
            "The canonical stored document of a ", $kind, " (snake_case keys, decimal ",
            "strings), after the core has checked it."
        )]
        #[napi(ts_args_type = $ts, ts_return_type = "Record<string, unknown>")]
        pub fn $document(env: Env, record: Unknown<'_>) -> napi::Result<Value> {
            call(&env, || {
                let record: $js = arg(&env, "record", record)?;
                document(&to_core::<_, $core>(&record)?)
            })
        }
    };
}

record_kind!(
    CoreCustomer,
    Customer,
    parse_customer,
    customer_document,
    "record: Customer",
    "customer"
);
record_kind!(
    CoreProduct,
    Product,
    parse_product,
    product_document,
    "record: Product",
    "product"
);
record_kind!(
    CoreSubscription,
    Subscription,
    parse_subscription,
    subscription_document,
    "record: Subscription",
    "subscription"
);
record_kind!(
    CoreOrder,
    Order,
    parse_order,
    order_document,
    "record: Order",
    "order"
);
record_kind!(
    CoreDeliveryRecord,
    DeliveryRecord,
    parse_delivery,
    delivery_document,
    "record: DeliveryRecord",
    "delivery"
);
record_kind!(
    CorePayment,
    Payment,
    parse_payment,
    payment_document,
    "record: Payment",
    "payment"
);

/// Any record, as a batch returns them.
pub type AnyRecord = Either6<Customer, Product, Subscription, Order, DeliveryRecord, Payment>;

/// The record kinds a document can be read as.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Customer,
    Product,
    Subscription,
    Order,
    Delivery,
    Payment,
}

impl Kind {
    /// The kind named `text` (`customer`, `product`, `subscription`, `order`, `delivery`,
    /// `payment`).
    pub fn named(text: &str) -> Result<Kind, Failure> {
        Ok(match text {
            "customer" => Kind::Customer,
            "product" => Kind::Product,
            "subscription" => Kind::Subscription,
            "order" => Kind::Order,
            "delivery" => Kind::Delivery,
            "payment" => Kind::Payment,
            other => {
                return Err(bad(
                    "kind",
                    Rule::UnknownValue,
                    other,
                    "one of customer, product, subscription, order, delivery, payment",
                ));
            }
        })
    }

    /// Checks the JSON text of a document as a record of this kind.
    fn check(self, text: &str) -> Result<(), ValidationError> {
        match self {
            Kind::Customer => CoreCustomer::from_json(text).map(drop),
            Kind::Product => CoreProduct::from_json(text).map(drop),
            Kind::Subscription => CoreSubscription::from_json(text).map(drop),
            Kind::Order => CoreOrder::from_json(text).map(drop),
            Kind::Delivery => CoreDeliveryRecord::from_json(text).map(drop),
            Kind::Payment => CorePayment::from_json(text).map(drop),
        }
    }

    /// Reads `document` as a record of this kind.
    pub fn read(self, document: &Value) -> Result<AnyRecord, Failure> {
        Ok(match self {
            Kind::Customer => Either6::A((&CoreCustomer::from_document(document)?).into()),
            Kind::Product => Either6::B((&CoreProduct::from_document(document)?).into()),
            Kind::Subscription => Either6::C((&CoreSubscription::from_document(document)?).into()),
            Kind::Order => Either6::D((&CoreOrder::from_document(document)?).into()),
            Kind::Delivery => Either6::E((&CoreDeliveryRecord::from_document(document)?).into()),
            Kind::Payment => Either6::F((&CorePayment::from_document(document)?).into()),
        })
    }
}

/// Every problem of a document read as `kind`, without throwing: an empty list when the
/// document is valid (for forms and import previews).
#[napi(
    ts_args_type = "kind: 'customer' | 'product' | 'subscription' | 'order' | 'delivery' | 'payment', document: Record<string, unknown> | string"
)]
pub fn document_problems(
    env: Env,
    kind: Unknown<'_>,
    document: Unknown<'_>,
) -> napi::Result<Vec<FieldProblem>> {
    call(&env, || {
        let kind = Kind::named(&arg::<String>(&env, "kind", kind)?)?;
        match kind.check(&json_text(&env, "document", document)?) {
            Ok(()) => Ok(Vec::new()),
            Err(e) => Ok(e.problems.iter().map(Into::into).collect()),
        }
    })
}

/// An Indian mobile number in its one stored form (`+91XXXXXXXXXX`), or `null` when `raw` is
/// not one.
#[napi(
    js_name = "normalizePhone",
    ts_args_type = "raw: string",
    ts_return_type = "string | null"
)]
pub fn normalize_phone_number(env: Env, raw: Unknown<'_>) -> napi::Result<Option<String>> {
    call(&env, || {
        Ok(normalize_phone(&arg::<String>(&env, "raw", raw)?))
    })
}

/// Whether `email` is a well-formed e-mail address.
#[napi(js_name = "validEmail", ts_args_type = "email: string")]
pub fn is_valid_email(env: Env, email: Unknown<'_>) -> napi::Result<bool> {
    call(&env, || {
        Ok(valid_email(&arg::<String>(&env, "email", email)?))
    })
}
