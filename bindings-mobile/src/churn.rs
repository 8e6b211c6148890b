//! Churn: a customer's 0-100 risk score with its band, the points of each factor, the reasons
//! and the recommended action, scored by the core (the phone shows it before the visit).
//!
//! [`ChurnEngine`] holds a checked configuration, so a list of customers is scored without
//! checking it again; the score itself, the bands, reasons and actions are the core's.

use std::sync::Arc;

use earlybird::churn::{
    self, ActionRule, BandThresholds, ChurnConfig, ChurnInput, ChurnScore, Condition, Contribution,
    CustomerRecords, DeliverySignals, Factor, FactorParams, FactorWeights, PaymentSignals,
    Purchase, PurchaseModel, RankedCustomer, ReasonCode, RecommendedAction, RiskBand,
    ServiceSignals, SubscriptionSignals,
};
use earlybird::record::{Customer, DeliveryRecord, Order, Product, Subscription};
use earlybird::validation::Rule;

use crate::data::{Count, from_json};
use crate::error::EarlybirdError;
use crate::types::{Amount, CalendarDate, canonical_json, refused};

/// One contribution per factor, in the core's factor order.
pub type Contributions = [Contribution; 7];

uniffi::custom_type!(Contributions, Vec<Contribution>, {
    remote,
    try_lift: |list| {
        let count = list.len();
        list.try_into().map_err(|_| {
            refused("Contributions", Rule::Range, count.to_string(), "one contribution per factor (7)")
        })
    },
    lower: |contributions| contributions.to_vec(),
});

/// One purchase: an order or a delivered day.
#[uniffi::remote(Record)]
pub struct Purchase {
    pub date: CalendarDate,
    pub amount: Amount,
}

/// Delivery outcomes over the recent window.
#[uniffi::remote(Record)]
pub struct DeliverySignals {
    pub delivered: u32,
    pub partially_delivered: u32,
    pub not_delivered: u32,
}

/// Subscription behaviour over the recent window.
#[uniffi::remote(Record)]
pub struct SubscriptionSignals {
    pub cancelled: bool,
    pub paused_days: u32,
    pub scheduled_deliveries: u32,
    pub skipped_deliveries: u32,
}

/// Money owed and payments that failed (billing knows them, the records do not).
#[uniffi::remote(Record)]
pub struct PaymentSignals {
    pub overdue_amount: Amount,
    pub overdue_days: u32,
    pub failed_payments: u32,
}

/// Complaints and disputes over the recent window.
#[uniffi::remote(Record)]
pub struct ServiceSignals {
    pub complaints: u32,
    pub disputes: u32,
}

/// Everything the score reads about one customer; a missing group makes its factor neutral.
#[uniffi::remote(Record)]
pub struct ChurnInput {
    pub signup_date: Option<CalendarDate>,
    pub purchases: Vec<Purchase>,
    pub deliveries: Option<DeliverySignals>,
    pub subscription: Option<SubscriptionSignals>,
    pub payments: Option<PaymentSignals>,
    pub service: Option<ServiceSignals>,
}

/// One factor of the score.
#[uniffi::remote(Enum)]
pub enum Factor {
    Recency,
    FrequencyDrop,
    SpendDrop,
    Subscription,
    Payment,
    Service,
    Tenure,
}

/// Why a customer is at risk.
#[uniffi::remote(Enum)]
pub enum ReasonCode {
    RecencyOverdue,
    FrequencyDrop,
    SpendDrop,
    SubscriptionDisengaged,
    PaymentOverdue,
    ServiceIssues,
    NewCustomer,
}

/// How urgent a customer's risk is.
#[uniffi::remote(Enum)]
pub enum RiskBand {
    Low,
    Medium,
    High,
}

/// What the business should do about a customer.
#[uniffi::remote(Enum)]
pub enum RecommendedAction {
    PaymentReminder,
    ServiceRecoveryCall,
    WinBackOffer,
    EngagementNudge,
    None,
}

/// One test of an action rule.
#[uniffi::remote(Enum)]
pub enum Condition {
    FactorRiskAtLeast { factor: Factor, risk: f64 },
    BandAtLeast { band: RiskBand },
}

/// When every condition holds, recommend `action` (the first matching rule wins).
#[uniffi::remote(Record)]
pub struct ActionRule {
    pub when: Vec<Condition>,
    pub action: RecommendedAction,
}

/// The weight of each factor (only ratios matter).
#[uniffi::remote(Record)]
pub struct FactorWeights {
    pub recency: f64,
    pub frequency_drop: f64,
    pub spend_drop: f64,
    pub subscription: f64,
    pub payment: f64,
    pub service: f64,
    pub tenure: f64,
}

/// Score thresholds of the bands.
#[uniffi::remote(Record)]
pub struct BandThresholds {
    pub medium_from: Amount,
    pub high_from: Amount,
}

/// Fitted purchase-model parameters for the recency factor.
#[uniffi::remote(Record)]
pub struct PurchaseModel {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub horizon_days: u32,
}

/// Tunable constants of the factor formulas (`docs/churn.md`).
#[uniffi::remote(Record)]
pub struct FactorParams {
    pub prior_gap_days: f64,
    pub prior_gap_weight: f64,
    pub recency_relative_share: f64,
    pub recency_half_days: f64,
    pub drop_window_days: u32,
    pub full_pause_risk: f64,
    pub spend_level_half_amount: Option<Amount>,
    pub overdue_half_days: f64,
    pub overdue_half_amount: Amount,
    pub failed_payment_risk: f64,
    pub complaint_risk: f64,
    pub dispute_risk: f64,
    pub partial_delivery_risk: f64,
    pub failed_delivery_risk: f64,
    pub tenure_half_days: f64,
    pub tenure_half_repeats: f64,
    pub purchase_model: Option<PurchaseModel>,
}

/// Everything a host can tune; `defaultChurnConfig()` gives the defaults.
#[uniffi::remote(Record)]
pub struct ChurnConfig {
    pub weights: FactorWeights,
    pub bands: BandThresholds,
    pub rules: Vec<ActionRule>,
    pub top_reasons: Count,
    pub params: FactorParams,
}

/// What one factor adds to the score; `risk` is absent when the factor had no data.
#[uniffi::remote(Record)]
pub struct Contribution {
    pub factor: Factor,
    pub risk: Option<f64>,
    pub weight: f64,
    pub points: Amount,
}

/// A customer's churn score: the points of the seven factors add up to `score`.
#[uniffi::remote(Record)]
pub struct ChurnScore {
    pub score: Amount,
    pub band: RiskBand,
    pub contributions: Contributions,
    pub reasons: Vec<ReasonCode>,
    pub action: RecommendedAction,
}

/// A customer's position in a ranking: its index in the input list and its score.
#[uniffi::remote(Record)]
pub struct RankedCustomer {
    pub index: Count,
    pub churn: ChurnScore,
}

/// The churn engine with a checked configuration.
#[derive(Debug, uniffi::Object)]
pub struct ChurnEngine(churn::ChurnEngine);

#[uniffi::export]
impl ChurnEngine {
    /// Checks the configuration (every problem at once: `CHURN_INVALID_CONFIG`).
    #[uniffi::constructor]
    pub fn new(config: ChurnConfig) -> Result<Arc<Self>, EarlybirdError> {
        let engine = churn::ChurnEngine::new(config).map_err(earlybird::Error::from)?;
        Ok(Arc::new(Self(engine)))
    }

    /// The configuration the engine scores with.
    pub fn config(&self) -> ChurnConfig {
        self.0.config().clone()
    }

    /// The customer's score at `now` (`CHURN_INVALID_INPUT` with every problem).
    pub fn score(
        &self,
        input: ChurnInput,
        now: CalendarDate,
    ) -> Result<ChurnScore, EarlybirdError> {
        Ok(self.0.score(&input, now).map_err(earlybird::Error::from)?)
    }

    /// Every customer scored and ordered by risk, highest first (ties keep the input order).
    pub fn rank(
        &self,
        customers: Vec<ChurnInput>,
        now: CalendarDate,
    ) -> Result<Vec<RankedCustomer>, EarlybirdError> {
        Ok(self
            .0
            .rank(&customers, now)
            .map_err(earlybird::Error::from)?)
    }
}

/// The default configuration: hand-set weights, bands at 30 and 60, the default action rules.
#[uniffi::export]
pub fn default_churn_config() -> ChurnConfig {
    ChurnConfig::default()
}

/// Reads a churn configuration from JSON; absent fields keep their defaults.
#[uniffi::export]
pub fn parse_churn_config(json: String) -> Result<ChurnConfig, EarlybirdError> {
    from_json("config", &json)
}

/// Reads a churn input from JSON.
#[uniffi::export]
pub fn parse_churn_input(json: String) -> Result<ChurnInput, EarlybirdError> {
    from_json("input", &json)
}

/// Reads payment signals from JSON (the backend's billing knows them).
#[uniffi::export]
pub fn parse_payment_signals(json: String) -> Result<PaymentSignals, EarlybirdError> {
    from_json("payments", &json)
}

/// Reads service signals from JSON (complaints and disputes).
#[uniffi::export]
pub fn parse_service_signals(json: String) -> Result<ServiceSignals, EarlybirdError> {
    from_json("service", &json)
}

/// The churn input of a customer at `now` from the records on the phone; `payments` and
/// `service` are what the records do not carry; `window_days` is the recent window.
#[allow(clippy::too_many_arguments)]
#[uniffi::export]
pub fn churn_input_from_records(
    customer: Customer,
    products: Vec<Product>,
    orders: Vec<Order>,
    deliveries: Vec<DeliveryRecord>,
    subscriptions: Vec<Subscription>,
    payments: Option<PaymentSignals>,
    service: Option<ServiceSignals>,
    now: CalendarDate,
    window_days: u32,
) -> ChurnInput {
    let records = CustomerRecords {
        customer: &customer,
        products: &products,
        orders: &orders,
        deliveries: &deliveries,
        subscriptions: &subscriptions,
        payments,
        service,
    };
    ChurnInput::from_records(&records, now, window_days)
}

/// The core's canonical JSON of a churn score.
#[uniffi::export]
pub fn churn_score_to_json(score: ChurnScore) -> String {
    canonical_json(&score)
}

/// The core's canonical JSON of a ranking.
#[uniffi::export]
pub fn ranked_customers_to_json(ranked: Vec<RankedCustomer>) -> String {
    canonical_json(&ranked)
}

/// The core's canonical JSON of a churn input.
#[uniffi::export]
pub fn churn_input_to_json(input: ChurnInput) -> String {
    canonical_json(&input)
}
