//! Storage behind async traits, so each host keeps its own database.
//!
//! The engines never call a store: a host (or the service layer) reads records, runs an
//! engine, and writes the outcome as one [`ChangeSet`] — the change, its audit records and
//! its notification intents together, in one transaction (the outbox pattern), so nothing is
//! lost or sent twice when the host crashes between steps. Every implementation passes the
//! same [`conformance`] suite.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::activation::{ActivationEvent, CustomerSnapshot, Snapshot, Transition};
use crate::audit::AuditRecord;
use crate::billing::{
    Bill, BillStatus, BillingError, BillingInput, Credit, NumberSeries, SourceRef, Wallet,
    WalletEntry, WalletEntryKind,
};
use crate::loyalty::{LoyaltyEvent, RedemptionRequest};
use crate::notification::NotificationIntent;
use crate::record::{
    Customer, DeliveryRecord, Order, OrderStatus, Payment, Product, Record, Subscription,
};
use crate::validation::{FieldProblem, Problems, Rule, ValidationError};

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
#[cfg(feature = "postgres")]
mod copy;
pub mod import;
mod memory;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;

pub use memory::MemoryStore;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use sql::{Dialect, SqlStore};

/// What went wrong in a store.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// An expectation of the change set did not hold; nothing was written.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A record to write broke the rules; nothing was written.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The database itself failed (connection, disk, constraint...); nothing was written.
    #[error("storage backend failed: {0}")]
    Backend(String),
}

impl StoreError {
    /// Stable error code shared by every binding.
    pub const fn code(&self) -> &'static str {
        match self {
            StoreError::Conflict(_) => "STORE_CONFLICT",
            StoreError::Invalid(e) => e.code(),
            StoreError::Backend(_) => "STORE_BACKEND",
        }
    }
}

/// A record to insert or replace (by id).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", content = "record", rename_all = "snake_case")]
pub enum Write {
    Customer(Customer),
    Product(Product),
    Subscription(Subscription),
    Order(Order),
    Delivery(DeliveryRecord),
    Payment(Payment),
    /// A customer's activation event; ignored when the customer already has an event under
    /// the same [`activation_key`].
    ActivationEvent(ActivationEvent),
    /// A customer's activation snapshot, replacing the previous one.
    ActivationSnapshot(CustomerSnapshot),
    /// One more transition of a customer's activation timeline (append-only).
    ActivationTransition {
        customer_id: String,
        transition: Transition,
    },
    /// One more input of a member's loyalty ledger; ignored when the member already has
    /// one under the same key.
    LoyaltyFact {
        customer_id: String,
        key: String,
        fact: LoyaltyFact,
    },
    /// A finalized bill, stored once: a bill under a number already stored, or one that
    /// bills a source some stored bill already billed ([`billed_sources`]), fails the whole
    /// change set as a conflict.
    Bill(Bill),
    /// The bill number series of its financial year, replacing the one stored.
    NumberSeries(NumberSeries),
    /// A credit for a customer's next bill, stored once under its id: the same credit again
    /// is a no-op, another credit under a stored id fails the whole change set as a
    /// conflict. [`Store::billing_input`] reads it until a bill claims it.
    Credit(Credit),
    /// An entry of a customer's wallet, stored once under its id like a credit. An entry
    /// that would take the customer's balance below zero on any day fails the whole change
    /// set as invalid (field `writes[i].amount`, rule `non_negative`).
    WalletEntry(WalletEntry),
}

/// The sources a finalized bill bills for good: each may be in one bill only, ever (the
/// sources of first-time lines and credits; an adjustment line names a source again).
pub fn billed_sources(bill: &Bill) -> impl Iterator<Item = &SourceRef> {
    bill.sources()
        .filter(|(kind, s)| {
            kind.bills_for_the_first_time() || matches!(s.source, SourceRef::Credit { .. })
        })
        .map(|(_, s)| &s.source)
}

/// The text a billed source is stored under (`delivery:D1`, `order_item:O1:0`, `credit:R1`).
pub fn source_key(source: &SourceRef) -> String {
    match source {
        SourceRef::Delivery { delivery_id } => format!("delivery:{delivery_id}"),
        SourceRef::OrderItem { order_id, item } => format!("order_item:{order_id}:{item}"),
        SourceRef::Credit { credit_id } => format!("credit:{credit_id}"),
    }
}

/// A stored credit names itself and its customer and gives back a positive amount.
fn validate_credit(credit: &Credit) -> Result<(), ValidationError> {
    let mut problems = Problems::new();
    for (field, value) in [("id", &credit.id), ("customer_id", &credit.customer_id)] {
        if value.trim().is_empty() {
            problems.push(field, Rule::Required, "", "a credit names it");
        }
    }
    problems.positive_amount("amount", credit.amount);
    problems.finish(())
}

/// A stored wallet entry is well formed and names its customer.
pub(crate) fn validate_wallet_entry(entry: &WalletEntry) -> Result<(), ValidationError> {
    let mut problems = Problems::new();
    if entry.customer_id.trim().is_empty() {
        problems.push("customer_id", Rule::Required, "", "a wallet entry names it");
    }
    crate::billing::check_wallet_entry(entry, "", &mut problems);
    problems.finish(())
}

/// The wallet entries a change set writes, with their places in it.
fn wallet_writes(writes: &[Write]) -> Vec<(usize, &WalletEntry)> {
    writes
        .iter()
        .enumerate()
        .filter_map(|(i, w)| match w {
            Write::WalletEntry(entry) => Some((i, entry)),
            _ => None,
        })
        .collect()
}

/// The customers whose wallets `written` adds to, each once.
fn wallet_owners<'a>(written: &[(usize, &'a WalletEntry)]) -> BTreeSet<&'a str> {
    written
        .iter()
        .map(|(_, e)| e.customer_id.as_str())
        .collect()
}

/// Whether the wallet of `customer_id`, holding `entries` once a change set is written (its
/// `written` entries among them), stays at zero or more on every day. A refusal names the
/// amount of the change's application that overdraws it, or that leaves too little for a
/// later one already stored.
fn check_balance(
    customer_id: &str,
    entries: Vec<WalletEntry>,
    written: &[(usize, &WalletEntry)],
) -> Result<(), StoreError> {
    let wallet = Wallet {
        customer_id: customer_id.to_owned(),
        entries,
    };
    let (entry_id, balance, requested) = match wallet.history() {
        Ok(_) => return Ok(()),
        Err(BillingError::InsufficientWallet {
            entry_id,
            balance,
            requested,
            ..
        }) => (entry_id, balance, requested),
        Err(BillingError::Invalid(e)) => return Err(e.into()),
        Err(other) => return Err(StoreError::Backend(other.to_string())),
    };
    let of_customer = || written.iter().filter(|(_, e)| e.customer_id == customer_id);
    let blamed = of_customer()
        .find(|(_, e)| e.id == entry_id)
        .or_else(|| of_customer().find(|(_, e)| e.kind == WalletEntryKind::Applied));
    let Some((position, _)) = blamed else {
        return Err(StoreError::Backend(format!(
            "the stored wallet of {customer_id} is overdrawn by entry {entry_id}"
        )));
    };
    let problem = FieldProblem {
        field: format!("writes[{position}].amount"),
        rule: Rule::NonNegative,
        value: requested.to_string(),
        message: format!(
            "the wallet of {customer_id} would hold {balance} when {entry_id} applies \
             {requested}: the balance must stay zero or more"
        ),
    };
    Err(ValidationError {
        problems: vec![problem],
    }
    .into())
}

/// A stored bill is finalized, numbered and adds up; anything else is refused.
fn validate_bill(bill: &Bill) -> Result<(), ValidationError> {
    let mut problems = Problems::new();
    if bill.status != BillStatus::Finalized {
        problems.push(
            "status",
            Rule::Inconsistent,
            "DRAFT",
            "only a finalized bill is stored",
        );
    }
    if bill.number.as_deref().is_none_or(str::is_empty) {
        problems.push(
            "number",
            Rule::Required,
            "",
            "a finalized bill has a number",
        );
    }
    for problem in bill.arithmetic_problems() {
        problems.push("lines", Rule::Inconsistent, "", problem);
    }
    problems.finish(())
}

/// The idempotency key of an activation event: its kind and the order or subscription it
/// names, so the same business event recorded twice is stored once.
pub fn activation_key(event: &ActivationEvent) -> String {
    match event.reference() {
        Some(reference) => format!("{}:{reference}", event.kind.as_str()),
        None => event.kind.as_str().to_owned(),
    }
}

/// An input of a loyalty ledger, stored in the order it was applied: replaying a member's
/// facts through [`crate::loyalty::Member`] rebuilds its ledger, tier and badges exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum LoyaltyFact {
    Event { event: LoyaltyEvent },
    Redemption { request: RedemptionRequest },
}

impl Write {
    fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Write::Customer(r) => r.validate(),
            Write::Product(r) => r.validate(),
            Write::Subscription(r) => r.validate(),
            Write::Order(r) => r.validate(),
            Write::Delivery(r) => r.validate(),
            Write::Payment(r) => r.validate(),
            Write::Bill(b) => validate_bill(b),
            Write::Credit(c) => validate_credit(c),
            Write::WalletEntry(e) => validate_wallet_entry(e),
            // The engines check their own inputs before these are produced.
            Write::ActivationEvent(_)
            | Write::ActivationSnapshot(_)
            | Write::ActivationTransition { .. }
            | Write::LoyaltyFact { .. }
            | Write::NumberSeries(_) => Ok(()),
        }
    }
}

/// The kinds of record a store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Customer,
    Product,
    Subscription,
    Order,
    Delivery,
    Payment,
}

/// A condition checked inside the transaction before anything is written: the optimistic
/// lock that stops two app servers from applying the same change twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "expect", rename_all = "snake_case")]
pub enum Expectation {
    /// No record of this kind has this id yet.
    Absent { kind: RecordKind, id: String },
    /// The order exists and has this status.
    OrderStatus {
        order_id: String,
        status: OrderStatus,
    },
    /// The customer's activation snapshot is still the one read (`None`: there is none):
    /// every recorded event and every sweep changes it.
    ActivationSnapshot {
        customer_id: String,
        snapshot: Option<Snapshot>,
    },
    /// The member still has exactly this many loyalty facts.
    LoyaltyFacts { customer_id: String, count: u64 },
    /// The bill number series is still the one read (`None`: no bill numbered yet): every
    /// finalization moves it on, so two finalizations never number from the same point.
    NumberSeries { series: Option<NumberSeries> },
}

/// Everything one business operation writes, applied atomically.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangeSet {
    pub expectations: Vec<Expectation>,
    pub writes: Vec<Write>,
    pub audit: Vec<AuditRecord>,
    pub intents: Vec<NotificationIntent>,
}

impl ChangeSet {
    /// An empty change set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a condition that must hold for the change to apply.
    pub fn expect(mut self, expectation: Expectation) -> Self {
        self.expectations.push(expectation);
        self
    }

    /// Adds a record to insert or replace.
    pub fn write(mut self, write: Write) -> Self {
        self.writes.push(write);
        self
    }

    /// Adds audit records.
    pub fn audit(mut self, records: impl IntoIterator<Item = AuditRecord>) -> Self {
        self.audit.extend(records);
        self
    }

    /// Adds notification intents to the outbox.
    pub fn notify(mut self, intents: impl IntoIterator<Item = NotificationIntent>) -> Self {
        self.intents.extend(intents);
        self
    }

    /// Whether the change set writes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty() && self.audit.is_empty() && self.intents.is_empty()
    }

    /// Checks every record to write; a store calls this before opening its transaction.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Vec::new();
        for (i, write) in self.writes.iter().enumerate() {
            if let Err(e) = write.validate() {
                problems.extend(e.problems.into_iter().map(|mut p| {
                    p.field = format!("writes[{i}].{}", p.field);
                    p
                }));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { problems })
        }
    }
}

/// An intent waiting in the outbox, with its sequence number (the order it was written in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub seq: u64,
    pub intent: NotificationIntent,
}

/// What applying a change set produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// The outbox sequence numbers given to the change set's intents, in order.
    pub outbox: Vec<u64>,
}

/// A store of the business's records, audit trail and notification outbox.
///
/// Lists come back sorted (by id, or by date then id) so every implementation returns the
/// same thing for the same data.
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Applies a change set in one transaction: every expectation is checked, then every
    /// write, audit record and intent is stored — or nothing is.
    async fn apply(&self, changes: ChangeSet) -> Result<Applied, StoreError>;

    /// [`Store::apply`] for a large change set of records (a bulk import): same outcome,
    /// written the fastest way the store has (PostgreSQL: COPY).
    async fn apply_bulk(&self, changes: ChangeSet) -> Result<Applied, StoreError> {
        self.apply(changes).await
    }

    async fn customer(&self, id: &str) -> Result<Option<Customer>, StoreError>;
    /// Every customer, by id.
    async fn customers(&self) -> Result<Vec<Customer>, StoreError>;
    async fn product(&self, id: &str) -> Result<Option<Product>, StoreError>;
    /// Every product, by id.
    async fn products(&self) -> Result<Vec<Product>, StoreError>;
    async fn subscription(&self, id: &str) -> Result<Option<Subscription>, StoreError>;
    /// A customer's subscriptions, by id.
    async fn subscriptions_of(&self, customer_id: &str) -> Result<Vec<Subscription>, StoreError>;
    async fn order(&self, id: &str) -> Result<Option<Order>, StoreError>;
    /// A customer's orders, by delivery date then id.
    async fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, StoreError>;
    /// Every order to be delivered from `from` to `to` (inclusive), by delivery date then id.
    async fn orders_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Order>, StoreError>;
    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError>;
    /// A customer's delivery records, by date then id.
    async fn deliveries_of(&self, customer_id: &str) -> Result<Vec<DeliveryRecord>, StoreError>;
    /// Every delivery record dated from `from` to `to` (inclusive), by date then id.
    async fn deliveries_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
    async fn payment(&self, id: &str) -> Result<Option<Payment>, StoreError>;
    /// A customer's payments, by date then id.
    async fn payments_of(&self, customer_id: &str) -> Result<Vec<Payment>, StoreError>;

    /// The audit trail of one entity, in the order it was written.
    async fn audit_trail(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditRecord>, StoreError>;

    /// Hands out up to `limit` unsent intents, oldest first, to `claimant` until
    /// `now + lease`: no other claimant gets them while the lease runs, and an intent whose
    /// sender died is handed out again once its lease has expired.
    async fn claim_intents(
        &self,
        claimant: &str,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxEntry>, StoreError>;

    /// A customer's activation events, by instant then sequence.
    async fn activation_events(
        &self,
        customer_id: &str,
    ) -> Result<Vec<ActivationEvent>, StoreError>;
    async fn activation_snapshot(
        &self,
        customer_id: &str,
    ) -> Result<Option<CustomerSnapshot>, StoreError>;
    /// Every activation snapshot, by customer id.
    async fn activation_snapshots(&self) -> Result<Vec<CustomerSnapshot>, StoreError>;
    /// A customer's activation timeline, in the order it was written.
    async fn activation_timeline(&self, customer_id: &str) -> Result<Vec<Transition>, StoreError>;
    /// A member's loyalty facts, in the order they were written.
    async fn loyalty_facts(&self, customer_id: &str) -> Result<Vec<LoyaltyFact>, StoreError>;

    /// A finalized bill by number.
    async fn bill(&self, number: &str) -> Result<Option<Bill>, StoreError>;
    /// A customer's finalized bills, by month then number.
    async fn bills_of(&self, customer_id: &str) -> Result<Vec<Bill>, StoreError>;
    /// A customer's wallet: its entries by date then id (none: an empty wallet).
    async fn wallet(&self, customer_id: &str) -> Result<Wallet, StoreError>;
    /// The bill number series of the latest financial year numbered (`None`: no bill yet).
    async fn number_series(&self) -> Result<Option<NumberSeries>, StoreError>;
    /// Everything a billing run up to `until` reads, from one consistent view of the store:
    /// every product, subscription, payment, wallet entry and finalized bill, and the orders,
    /// delivery records and credits dated up to `until` (earlier months included: what they
    /// left unbilled becomes arrears; a credit a bill already claimed is skipped by the
    /// engine). Each list is sorted as the other reads sort it (credits and wallet entries by
    /// date then id).
    async fn billing_input(&self, until: NaiveDate) -> Result<BillingInput, StoreError>;

    /// Marks intents as sent by the claimant holding them; they are never handed out again.
    /// Intents not held by `claimant` are left alone; returns how many were marked.
    async fn mark_sent(&self, claimant: &str, seqs: &[u64]) -> Result<usize, StoreError>;
}
