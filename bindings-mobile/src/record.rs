//! The business's records: typed mirrors of the core's records, read from the backend's JSON
//! documents, checked, and written back as the core's canonical JSON.
//!
//! Each `#[uniffi::remote]` block repeats a core definition field for field; the compiler
//! checks it against the core, so a field added there breaks this build until it is added
//! here.

use std::collections::HashMap;

use earlybird::record::{
    Customer, Dataset, DatedPrice, DatedRate, DeliveryRecord, DeliverySource, DeliveryStatus,
    Order, OrderItem, OrderStatus, Pause, Payment, PaymentMethod, Product, Record, Schedule,
    Subscription, SubscriptionStatus, Weekday,
};

use crate::error::EarlybirdError;
use crate::types::{Amount, CalendarDate, Instant, canonical_json};

/// A customer, as the `customers_v2` collection holds them; `phone` is normalised.
#[uniffi::remote(Record)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub user_id: Option<String>,
    pub delivery_boy_id: Option<String>,
    pub signup_date: CalendarDate,
    pub referred_by: Option<String>,
}

/// A price in force from a date on (until the next one).
#[uniffi::remote(Record)]
pub struct DatedPrice {
    pub price: Amount,
    pub effective_from: CalendarDate,
}

/// A GST rate in percent; no date means in force since always.
#[uniffi::remote(Record)]
pub struct DatedRate {
    pub rate: Amount,
    pub effective_from: Option<CalendarDate>,
}

/// A product with its price and GST history, prices exclusive of GST.
#[uniffi::remote(Record)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub unit: Option<String>,
    pub prices: Vec<DatedPrice>,
    pub gst_rates: Vec<DatedRate>,
}

/// Whether a subscription still delivers.
#[uniffi::remote(Enum)]
pub enum SubscriptionStatus {
    Active,
    Cancelled,
}

/// A day of the week, as schedules name them.
#[uniffi::remote(Enum)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

/// A holiday: no delivery from `from` to `to`, both inclusive.
#[uniffi::remote(Record)]
pub struct Pause {
    pub from: CalendarDate,
    pub to: CalendarDate,
}

/// On which days a subscription delivers.
///
/// The core's `Schedule` keeps custom quantities in a `BTreeMap`, which UniFFI cannot carry,
/// so the schedule crosses as this enum (a map per weekday) and is converted back unchanged;
/// Kotlin and Swift see `Schedule` as an alias of it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum DeliverySchedule {
    /// Every day.
    Daily,
    /// Every second day counted from the start date.
    AlternateDays,
    /// The subscription quantity on the listed weekdays.
    Weekdays { days: Vec<Weekday> },
    /// Its own quantity per weekday; a weekday not listed gets nothing.
    Custom {
        quantities: HashMap<Weekday, Amount>,
    },
}

impl From<DeliverySchedule> for Schedule {
    fn from(schedule: DeliverySchedule) -> Self {
        match schedule {
            DeliverySchedule::Daily => Schedule::Daily,
            DeliverySchedule::AlternateDays => Schedule::AlternateDays,
            DeliverySchedule::Weekdays { days } => Schedule::Weekdays { days },
            DeliverySchedule::Custom { quantities } => Schedule::Custom {
                quantities: quantities.into_iter().collect(),
            },
        }
    }
}

impl From<Schedule> for DeliverySchedule {
    fn from(schedule: Schedule) -> Self {
        match schedule {
            Schedule::Daily => DeliverySchedule::Daily,
            Schedule::AlternateDays => DeliverySchedule::AlternateDays,
            Schedule::Weekdays { days } => DeliverySchedule::Weekdays { days },
            Schedule::Custom { quantities } => DeliverySchedule::Custom {
                quantities: quantities.into_iter().collect(),
            },
        }
    }
}

uniffi::custom_type!(Schedule, DeliverySchedule, {
    remote,
    try_lift: |schedule| Ok(schedule.into()),
    lower: |schedule| schedule.into(),
});

/// A subscription, as the `subscriptions_v2` collection holds them.
#[uniffi::remote(Record)]
pub struct Subscription {
    pub id: String,
    pub customer_id: String,
    pub product_id: String,
    pub quantity: Amount,
    pub schedule: Schedule,
    pub start_date: CalendarDate,
    pub end_date: Option<CalendarDate>,
    pub pauses: Vec<Pause>,
    pub price_override: Option<Amount>,
    pub status: SubscriptionStatus,
}

/// Where a one-time order is in its lifecycle.
#[uniffi::remote(Enum)]
pub enum OrderStatus {
    Pending,
    OutForDelivery,
    Delivered,
    PartiallyDelivered,
    Cancelled,
}

/// One line of an order; `delivered_quantity` is set when the delivery is confirmed.
#[uniffi::remote(Record)]
pub struct OrderItem {
    pub product_id: String,
    pub quantity: Amount,
    pub unit_price: Amount,
    pub delivered_quantity: Option<Amount>,
}

/// A one-time order, as the `orders` collection holds them.
#[uniffi::remote(Record)]
pub struct Order {
    pub id: String,
    pub customer_id: String,
    pub items: Vec<OrderItem>,
    pub delivery_date: CalendarDate,
    pub status: OrderStatus,
    pub created_at: Option<Instant>,
}

/// The outcome of one delivery.
#[uniffi::remote(Enum)]
pub enum DeliveryStatus {
    Delivered,
    PartiallyDelivered,
    NotDelivered,
}

/// What a delivery record delivers: a subscription's or a one-time order's id.
#[uniffi::remote(Enum)]
pub enum DeliverySource {
    Subscription(String),
    Order(String),
}

/// One delivery of one product to one customer on one day.
#[uniffi::remote(Record)]
pub struct DeliveryRecord {
    pub id: String,
    pub customer_id: String,
    pub date: CalendarDate,
    pub source: DeliverySource,
    pub product_id: String,
    pub ordered_quantity: Amount,
    pub delivered_quantity: Amount,
    pub status: DeliveryStatus,
    pub reason: Option<String>,
    pub delivery_boy_id: Option<String>,
    pub confirmed_at: Option<Instant>,
}

/// How a payment was made.
#[uniffi::remote(Enum)]
pub enum PaymentMethod {
    Upi,
    Cash,
    Card,
    Netbanking,
    Wallet,
}

/// A payment, in rupees.
#[uniffi::remote(Record)]
pub struct Payment {
    pub id: String,
    pub customer_id: String,
    pub amount: Amount,
    pub method: PaymentMethod,
    pub date: CalendarDate,
    pub reference: Option<String>,
}

/// Records of several kinds loaded together, so references between them can be checked.
#[uniffi::remote(Record)]
pub struct Dataset {
    pub customers: Vec<Customer>,
    pub products: Vec<Product>,
    pub subscriptions: Vec<Subscription>,
    pub orders: Vec<Order>,
    pub deliveries: Vec<DeliveryRecord>,
    pub payments: Vec<Payment>,
}

/// The three functions every record kind gets: read a JSON document, check a record built
/// in app code, write the canonical JSON.
macro_rules! record_functions {
    ($record:ty, $parse:ident, $validate:ident, $to_json:ident) => {
        /// Reads the record from a JSON document as the backend sends it, reporting every
        /// problem at once.
        #[uniffi::export]
        pub fn $parse(json: String) -> Result<$record, EarlybirdError> {
            Ok(<$record>::from_json(&json)?)
        }

        /// Checks a record built in app code against the same rules, every problem at once.
        #[uniffi::export]
        pub fn $validate(record: $record) -> Result<(), EarlybirdError> {
            Ok(record.validate()?)
        }

        /// The core's canonical JSON of the record.
        #[uniffi::export]
        pub fn $to_json(record: $record) -> String {
            canonical_json(&record)
        }
    };
}

record_functions!(
    Customer,
    parse_customer,
    validate_customer,
    customer_to_json
);
record_functions!(Product, parse_product, validate_product, product_to_json);
record_functions!(
    Subscription,
    parse_subscription,
    validate_subscription,
    subscription_to_json
);
record_functions!(Order, parse_order, validate_order, order_to_json);
record_functions!(
    DeliveryRecord,
    parse_delivery,
    validate_delivery,
    delivery_to_json
);
record_functions!(Payment, parse_payment, validate_payment, payment_to_json);

/// Normalises an Indian mobile number to `+91XXXXXXXXXX`; `null`/`nil` when it is not one.
#[uniffi::export]
pub fn normalize_phone(raw: String) -> Option<String> {
    earlybird::record::normalize_phone(&raw)
}

/// Whether an e-mail address is well formed.
#[uniffi::export]
pub fn valid_email(email: String) -> bool {
    earlybird::record::valid_email(&email)
}

/// The product's price (exclusive of GST) in force on `date`, if any.
#[uniffi::export]
pub fn product_price_on(product: Product, date: CalendarDate) -> Option<Amount> {
    product.price_on(date)
}

/// The product's GST rate in percent on `date`; 0 when none is recorded.
#[uniffi::export]
pub fn product_gst_rate_on(product: Product, date: CalendarDate) -> Amount {
    product.gst_rate_on(date)
}

/// Checks unique ids per kind and that every referenced record exists, all problems at once.
#[uniffi::export]
pub fn validate_references(dataset: Dataset) -> Result<(), EarlybirdError> {
    Ok(dataset.validate_references()?)
}

/// The core's canonical JSON of a dataset.
#[uniffi::export]
pub fn dataset_to_json(dataset: Dataset) -> String {
    canonical_json(&dataset)
}
