//! Billing: the month's bill of one customer and its preview with the days still unconfirmed,
//! what the delivery staff's phone shows at the door, computed offline by the core.
//!
//! The host passes the records and the customer's finalized bills as a [`BillingInput`] (read
//! from the backend's JSON with [`parse_billing_input`] or built in app code) and gets the
//! core's [`Bill`] back; every rule and every rupee is the core's.

use earlybird::billing::{
    self, Bill, BillLine, BillPreview, BillStatus, BillingConfig, BillingInput, Credit, CreditKind,
    FinancialYear, LineKind, LineSource, Month, NumberSeries, SourceId, SourceRef, TaxLine,
    Unconfirmed, WalletEntry, WalletEntryKind,
};
use earlybird::record::{DeliveryRecord, Order, Payment, Product, Subscription};
use earlybird::validation::Rule;
use serde::Serialize;

use crate::data::{Count, from_json};
use crate::error::EarlybirdError;
use crate::types::{Amount, CalendarDate, canonical_json, refused};

uniffi::custom_type!(Month, String, {
    remote,
    try_lift: |text| text.parse()
        .map_err(|_| refused("Month", Rule::Date, text, "not a YYYY-MM month")),
    lower: |month| month.to_string(),
});

uniffi::custom_type!(SourceId, String, {
    remote,
    try_lift: |id| Ok(SourceId::from(id)),
    lower: |id| id.as_str().to_owned(),
});

uniffi::custom_type!(FinancialYear, i32, {
    remote,
    try_lift: |year| Ok(FinancialYear(year)),
    lower: |year| year.0,
});

/// The business's billing settings; `defaultBillingConfig()` gives the rules' defaults.
#[uniffi::remote(Record)]
pub struct BillingConfig {
    pub number_prefix: String,
    pub number_digits: u32,
    pub due_days: u32,
    pub wallet_auto_apply: bool,
    pub round_off: bool,
}

/// What a credit line stands for.
#[uniffi::remote(Enum)]
pub enum CreditKind {
    LoyaltyRedemption,
    CreditNote,
}

/// A credit for the customer's next bill: a loyalty redemption or a credit note.
#[uniffi::remote(Record)]
pub struct Credit {
    pub id: String,
    pub customer_id: String,
    pub kind: CreditKind,
    pub amount: Amount,
    pub date: CalendarDate,
    pub order_id: Option<String>,
    pub delivery_id: Option<String>,
    pub reason: Option<String>,
}

/// What a wallet entry does.
#[uniffi::remote(Enum)]
pub enum WalletEntryKind {
    TopUp,
    Promotional,
    Applied,
}

/// One entry of a customer's wallet.
#[uniffi::remote(Record)]
pub struct WalletEntry {
    pub id: String,
    pub customer_id: String,
    pub kind: WalletEntryKind,
    pub amount: Amount,
    pub date: CalendarDate,
    pub expires_on: Option<CalendarDate>,
    pub reference: Option<String>,
}

/// Everything a bill is computed from; lists the customer does not need may stay empty.
#[uniffi::remote(Record)]
pub struct BillingInput {
    pub products: Vec<Product>,
    pub subscriptions: Vec<Subscription>,
    pub orders: Vec<Order>,
    pub deliveries: Vec<DeliveryRecord>,
    pub bills: Vec<Bill>,
    pub payments: Vec<Payment>,
    pub credits: Vec<Credit>,
    pub wallet: Vec<WalletEntry>,
}

/// Something billable, named so that it is billed exactly once.
#[uniffi::remote(Enum)]
pub enum SourceRef {
    Delivery { delivery_id: SourceId },
    OrderItem { order_id: SourceId, item: Count },
    Credit { credit_id: SourceId },
}

/// What a bill line is.
#[uniffi::remote(Enum)]
pub enum LineKind {
    Subscription,
    OneTime,
    Arrears,
    Adjustment,
    LoyaltyRedemption,
    CreditNote,
    RoundOff,
}

/// One source of a line with the quantity it contributes.
#[uniffi::remote(Record)]
pub struct LineSource {
    pub source: SourceRef,
    pub date: CalendarDate,
    pub quantity: Amount,
}

/// One line of a bill; amounts in rupees with two decimals.
#[uniffi::remote(Record)]
pub struct BillLine {
    pub kind: LineKind,
    pub description: String,
    pub product_id: Option<String>,
    pub quantity: Amount,
    pub unit_price: Option<Amount>,
    pub amount: Amount,
    pub gst_rate: Amount,
    pub original_month: Option<Month>,
    pub sources: Vec<LineSource>,
}

/// The tax of one GST rate.
#[uniffi::remote(Record)]
pub struct TaxLine {
    pub rate: Amount,
    pub taxable: Amount,
    pub tax: Amount,
}

/// Whether a bill may still change.
#[uniffi::remote(Enum)]
pub enum BillStatus {
    Draft,
    Finalized,
}

/// A customer's bill for one month.
#[uniffi::remote(Record)]
pub struct Bill {
    pub customer_id: String,
    pub month: Month,
    pub status: BillStatus,
    pub number: Option<String>,
    pub bill_date: CalendarDate,
    pub due_date: CalendarDate,
    pub lines: Vec<BillLine>,
    pub taxes: Vec<TaxLine>,
    pub subtotal: Amount,
    pub credits: Amount,
    pub tax: Amount,
    pub round_off: Amount,
    pub total: Amount,
    pub opening_balance: Amount,
    pub wallet_applied: Amount,
    pub amount_due: Amount,
    pub wallet_payment: Option<Payment>,
    pub basis: Vec<String>,
}

/// A day a subscription was due with no delivery record yet: not billed, to be confirmed.
#[uniffi::remote(Record)]
pub struct Unconfirmed {
    pub subscription_id: String,
    pub product_id: String,
    pub date: CalendarDate,
    pub quantity: Amount,
}

/// The month's bill as it stands now, and the scheduled days still unconfirmed.
#[uniffi::remote(Record)]
pub struct BillPreview {
    pub bill: Bill,
    pub unconfirmed: Vec<Unconfirmed>,
}

/// The last bill number given in a financial year (the year it starts in).
#[uniffi::remote(Record)]
pub struct NumberSeries {
    pub financial_year: FinancialYear,
    pub last: u32,
}

/// A bill number and the series after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct BillNumber {
    pub number: String,
    pub series: NumberSeries,
}

/// The rules' default billing settings (prefix `EB`, 6 digits, due in 7 days...).
#[uniffi::export]
pub fn default_billing_config() -> BillingConfig {
    BillingConfig::default()
}

/// Reads billing settings from JSON; absent fields keep their defaults. Number settings a
/// bill number cannot hold are refused.
#[uniffi::export]
pub fn parse_billing_config(json: String) -> Result<BillingConfig, EarlybirdError> {
    let config: BillingConfig = from_json("config", &json)?;
    config.validate()?;
    Ok(config)
}

/// Reads a billing input from the backend's JSON (`products`, `subscriptions`, `orders`,
/// `deliveries`, `bills`, `payments`, `credits`, `wallet`; each optional), the records
/// checked by the same rules as `parseOrder` and the others.
#[uniffi::export]
pub fn parse_billing_input(json: String) -> Result<BillingInput, EarlybirdError> {
    from_json("input", &json)
}

/// The DRAFT bill of `customer_id` for `month`.
#[uniffi::export]
pub fn compute_bill(
    input: BillingInput,
    customer_id: String,
    month: Month,
    config: BillingConfig,
) -> Result<Bill, EarlybirdError> {
    Ok(billing::compute_bill(&input, &customer_id, month, &config)
        .map_err(earlybird::Error::from)?)
}

/// The DRAFT bill of `customer_id` for `month` with every scheduled subscription day that has
/// no delivery record yet (those days are not billed).
#[uniffi::export]
pub fn preview_bill(
    input: BillingInput,
    customer_id: String,
    month: Month,
    config: BillingConfig,
) -> Result<BillPreview, EarlybirdError> {
    Ok(billing::preview_bill(&input, &customer_id, month, &config)
        .map_err(earlybird::Error::from)?)
}

/// The number of the next bill dated `bill_date` (`EB/26-27/000001` after a new financial
/// year), and the series to store.
#[uniffi::export]
pub fn next_bill_number(
    series: NumberSeries,
    bill_date: CalendarDate,
    config: BillingConfig,
) -> Result<BillNumber, EarlybirdError> {
    let (number, series) = series
        .next(bill_date, &config)
        .map_err(earlybird::Error::from)?;
    Ok(BillNumber { number, series })
}

/// The bill as plain text, as printed for the customer.
#[uniffi::export]
pub fn bill_to_text(bill: Bill) -> String {
    bill.to_string()
}

/// The core's canonical JSON of a bill.
#[uniffi::export]
pub fn bill_to_json(bill: Bill) -> String {
    canonical_json(&bill)
}

/// The core's canonical JSON of a bill preview.
#[uniffi::export]
pub fn bill_preview_to_json(preview: BillPreview) -> String {
    canonical_json(&preview)
}

/// The canonical JSON of a bill number and its series.
#[uniffi::export]
pub fn bill_number_to_json(number: BillNumber) -> String {
    canonical_json(&number)
}
