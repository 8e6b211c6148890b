//! Activation: a customer's state (NEW ... CHURNED) and timeline, folded by the core from the
//! customer's events; events recorded on the phone (late ones included, which refold the
//! history) and the morning sweep.
//!
//! [`CustomerActivation`] holds one customer's fold (the core's `CustomerActivation`) behind a
//! lock, since recording an event changes it; everything else converts.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use earlybird::activation::{
    self, ActivationConfig, ActivationEvent, ActivationState, ActivityTable, Cause, CohortRow,
    CohortTable, CustomerHistory, CustomerRecords, EventKind, Granularity, Recorded, RecordedDates,
    SweepRule, Transition,
};
use earlybird::notification::NotificationIntent;
use earlybird::record::{Customer, DeliveryRecord, Order, Subscription};
use earlybird::time::BusinessZone;

use crate::data::{Count, from_json};
use crate::error::EarlybirdError;
use crate::types::{Amount, CalendarDate, Instant, canonical_json};

/// A notification template's variables (`{{name}}` → value).
pub type TemplateVariables = BTreeMap<String, String>;

uniffi::custom_type!(TemplateVariables, HashMap<String, String>, {
    remote,
    try_lift: |variables| Ok(variables.into_iter().collect()),
    lower: |variables| variables.into_iter().collect(),
});

/// Where a customer is in the activation lifecycle.
#[uniffi::remote(Enum)]
pub enum ActivationState {
    New,
    Onboarded,
    Active,
    Engaged,
    Inactive,
    Churned,
}

/// What happened to a customer.
#[uniffi::remote(Enum)]
pub enum EventKind {
    SignedUp,
    OrderPlaced,
    SubscriptionStarted,
    DeliveryCompleted,
}

/// One event of one customer, ordered by `(at, sequence)`.
#[uniffi::remote(Record)]
pub struct ActivationEvent {
    pub customer_id: String,
    pub kind: EventKind,
    pub at: Instant,
    pub sequence: u64,
    pub order_id: Option<String>,
    pub subscription_id: Option<String>,
}

/// A customer's events and subscriptions (for their pauses): the input of a replay.
#[uniffi::remote(Record)]
pub struct CustomerHistory {
    pub customer_id: String,
    pub events: Vec<ActivationEvent>,
    pub subscriptions: Vec<Subscription>,
}

/// The business time zone as a fixed offset east of UTC.
#[uniffi::remote(Record)]
pub struct BusinessZone {
    pub offset_seconds: i32,
}

/// The thresholds of the activation rules; `defaultActivationConfig()` gives the rules' own.
#[uniffi::remote(Record)]
pub struct ActivationConfig {
    pub engaged_min_orders: u32,
    pub engaged_min_subscription_days: u32,
    pub engaged_window_days: u32,
    pub inactive_after_days: u32,
    pub churned_after_days: u32,
    pub holidays_pause_inactivity: bool,
    pub stalled_new_after_days: u32,
    pub stalled_onboarded_after_hours: u32,
    pub retained_after_days: u32,
    pub zone: BusinessZone,
}

/// A sweep row of the transition table.
#[uniffi::remote(Enum)]
pub enum SweepRule {
    Engagement,
    EngagementLapsed,
    Inactivity,
    Churn,
}

/// Why a transition happened: an event of the customer or the morning sweep.
#[uniffi::remote(Enum)]
pub enum Cause {
    Event {
        kind: EventKind,
        sequence: u64,
        reference: Option<String>,
    },
    Sweep {
        rule: SweepRule,
    },
}

/// One entry of a customer's timeline.
#[uniffi::remote(Record)]
pub struct Transition {
    pub from: Option<ActivationState>,
    pub to: ActivationState,
    pub cause: Cause,
    pub at: Instant,
    pub last_activity_on: Option<CalendarDate>,
}

/// The dates the rules ask to record.
#[uniffi::remote(Record)]
pub struct RecordedDates {
    pub signed_up_at: Option<Instant>,
    pub first_order_at: Option<Instant>,
    pub first_delivery_at: Option<Instant>,
    pub last_activity_at: Option<Instant>,
    pub churned_on: Option<CalendarDate>,
}

/// What recording one event did: new transitions, whether it was late and refolded history.
#[uniffi::remote(Record)]
pub struct Recorded {
    pub transitions: Vec<Transition>,
    pub late: bool,
    pub rewrote_history: bool,
}

/// A message a transition asks to send (template key and its variables).
#[uniffi::remote(Record)]
pub struct NotificationIntent {
    pub template: String,
    pub customer_id: String,
    pub variables: TemplateVariables,
    pub at: Instant,
}

/// The length of a cohort and of a period.
#[uniffi::remote(Enum)]
pub enum Granularity {
    Week,
    Month,
}

/// One cohort: its size, customers active per period and retention (4 decimals).
#[uniffi::remote(Record)]
pub struct CohortRow {
    pub cohort: CalendarDate,
    pub size: u64,
    pub active: Vec<u64>,
    pub retention: Vec<Amount>,
}

/// Cohort retention as a table.
#[uniffi::remote(Record)]
pub struct CohortTable {
    pub granularity: Granularity,
    pub as_of: CalendarDate,
    pub periods: Count,
    pub rows: Vec<CohortRow>,
}

/// One customer's signup day and activity days, a row of a cohort table.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CustomerActivity {
    pub signed_up_on: CalendarDate,
    pub activity: Vec<CalendarDate>,
}

/// One customer's activation lifecycle, kept in step as events arrive and mornings pass.
#[derive(Debug, uniffi::Object)]
pub struct CustomerActivation(Mutex<activation::CustomerActivation>);

impl CustomerActivation {
    fn new(fold: activation::CustomerActivation) -> Arc<Self> {
        Arc::new(Self(Mutex::new(fold)))
    }

    /// The fold. The core does not panic on any input; should it ever, the lock is taken back
    /// rather than turning every later call on this customer into a panic inside the app.
    fn fold(&self) -> MutexGuard<'_, activation::CustomerActivation> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl CustomerActivation {
    /// Folds a customer's history up to the sweep at `now`; every problem of the history and
    /// the configuration is reported at once.
    #[uniffi::constructor]
    pub fn replay(
        history: CustomerHistory,
        now: Instant,
        config: ActivationConfig,
    ) -> Result<Arc<Self>, EarlybirdError> {
        let fold = activation::CustomerActivation::replay(history, now, config)
            .map_err(earlybird::Error::from)?;
        Ok(Self::new(fold))
    }

    /// The lifecycle of a customer who existed before the engine, from the orders, deliveries
    /// and subscriptions on record (the events of [`backfill_activation_events`]).
    #[uniffi::constructor]
    pub fn backfill(
        customer: Customer,
        orders: Vec<Order>,
        deliveries: Vec<DeliveryRecord>,
        subscriptions: Vec<Subscription>,
        now: Instant,
        config: ActivationConfig,
    ) -> Result<Arc<Self>, EarlybirdError> {
        let records = CustomerRecords {
            customer: &customer,
            orders: &orders,
            deliveries: &deliveries,
            subscriptions: &subscriptions,
        };
        let fold = activation::backfill(records, now, config).map_err(earlybird::Error::from)?;
        Ok(Self::new(fold))
    }

    /// Records one more event; a late one refolds the history (`Recorded.late`,
    /// `Recorded.rewroteHistory`). A refused event changes nothing.
    pub fn record(&self, event: ActivationEvent) -> Result<Recorded, EarlybirdError> {
        Ok(self.fold().record(event).map_err(earlybird::Error::from)?)
    }

    /// Applies the sweep of every morning up to `now`'s day; the new transitions.
    pub fn sweep(&self, now: Instant) -> Vec<Transition> {
        self.fold().sweep(now)
    }

    pub fn customer_id(&self) -> String {
        self.fold().customer_id().to_owned()
    }

    /// The current state.
    pub fn state(&self) -> Option<ActivationState> {
        self.fold().state()
    }

    /// The transition in force at `instant` (which state, and which rule put the customer
    /// there), as far as the customer has been swept.
    pub fn state_at(&self, instant: Instant) -> Option<Transition> {
        self.fold().state_at(instant).cloned()
    }

    /// Every transition so far, oldest first.
    pub fn timeline(&self) -> Vec<Transition> {
        self.fold().timeline().to_vec()
    }

    /// The recorded dates (signup, first order, first delivery, last activity, churn).
    pub fn dates(&self) -> RecordedDates {
        self.fold().dates()
    }

    /// The events, sorted by `(at, sequence)`.
    pub fn events(&self) -> Vec<ActivationEvent> {
        self.fold().events().to_vec()
    }

    /// The messages `transitions` ask for (welcome, we miss you...).
    pub fn intents(&self, transitions: Vec<Transition>) -> Vec<NotificationIntent> {
        self.fold().intents(&transitions)
    }
}

/// The rules' default activation thresholds (30 days to INACTIVE, 60 to CHURNED...).
#[uniffi::export]
pub fn default_activation_config() -> ActivationConfig {
    ActivationConfig::default()
}

/// Reads activation thresholds from JSON; absent fields keep their defaults.
#[uniffi::export]
pub fn parse_activation_config(json: String) -> Result<ActivationConfig, EarlybirdError> {
    from_json("config", &json)
}

/// Reads a customer history (`customer_id`, `events`, `subscriptions`) from JSON.
#[uniffi::export]
pub fn parse_customer_history(json: String) -> Result<CustomerHistory, EarlybirdError> {
    from_json("history", &json)
}

/// Reads one activation event from JSON.
#[uniffi::export]
pub fn parse_activation_event(json: String) -> Result<ActivationEvent, EarlybirdError> {
    from_json("event", &json)
}

/// The events a customer's records imply (signup, orders, subscriptions, deliveries).
#[uniffi::export]
pub fn backfill_activation_events(
    customer: Customer,
    orders: Vec<Order>,
    deliveries: Vec<DeliveryRecord>,
    subscriptions: Vec<Subscription>,
    config: ActivationConfig,
) -> Result<Vec<ActivationEvent>, EarlybirdError> {
    let records = CustomerRecords {
        customer: &customer,
        orders: &orders,
        deliveries: &deliveries,
        subscriptions: &subscriptions,
    };
    Ok(activation::backfill_events(records, &config).map_err(earlybird::Error::from)?)
}

/// Cohort retention of customers by signup week or month, up to `as_of`.
#[uniffi::export]
pub fn cohort_retention(
    customers: Vec<CustomerActivity>,
    granularity: Granularity,
    as_of: CalendarDate,
) -> CohortTable {
    let mut table = ActivityTable::new();
    for customer in customers {
        table.push(customer.signed_up_on, customer.activity);
    }
    activation::cohort_retention(&table, granularity, as_of)
}

/// The state's name as the rules write it (`ACTIVE`).
#[uniffi::export]
pub fn activation_state_code(state: ActivationState) -> String {
    state.as_str().to_owned()
}

/// The core's canonical JSON of transitions.
#[uniffi::export]
pub fn transitions_to_json(transitions: Vec<Transition>) -> String {
    canonical_json(&transitions)
}

/// The core's canonical JSON of recorded dates.
#[uniffi::export]
pub fn recorded_dates_to_json(dates: RecordedDates) -> String {
    canonical_json(&dates)
}

/// The core's canonical JSON of what recording an event did.
#[uniffi::export]
pub fn recorded_to_json(recorded: Recorded) -> String {
    canonical_json(&recorded)
}

/// The core's canonical JSON of activation events.
#[uniffi::export]
pub fn activation_events_to_json(events: Vec<ActivationEvent>) -> String {
    canonical_json(&events)
}

/// The core's canonical JSON of notification intents.
#[uniffi::export]
pub fn notification_intents_to_json(intents: Vec<NotificationIntent>) -> String {
    canonical_json(&intents)
}

/// The core's canonical JSON of a cohort table.
#[uniffi::export]
pub fn cohort_table_to_json(table: CohortTable) -> String {
    canonical_json(&table)
}
