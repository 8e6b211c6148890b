//! The embedded store of the phone: the core's service operations over a SQLite file, so a
//! delivery person registers customers, places orders and confirms deliveries without a
//! network, and the records, audit trail and loyalty facts are there after a restart.
//!
//! The core's store is async (sqlx on tokio). The methods here block on one runtime of the
//! library (one worker: a phone's store waits on its disk, not on the CPU), so Kotlin and
//! Swift call them from a background thread (`Dispatchers.IO`, a `Task`), never the UI one.
//! Nothing is decided here: each method is one call of `earlybird::service::Service`.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use earlybird::Error;
use earlybird::audit::AuditRecord;
use earlybird::billing::WalletEntry;
use earlybird::lifecycle::{Actor, Effect, OrderOutcome};
use earlybird::loyalty::{MemberSummary, Redemption};
use earlybird::record::{Customer, DeliveryRecord, Order, Payment};
use earlybird::service::{Done, Service};
use earlybird::store::{SqlStore, Store, StoreError};
use tokio::runtime::Runtime;

use crate::error::EarlybirdError;
use crate::types::{Amount, CalendarDate, Instant};

/// The library's one runtime for the stores, started on first use.
fn runtime() -> Result<&'static Runtime, EarlybirdError> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("earlybird-store")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| {
            Error::from(StoreError::Backend(format!(
                "cannot start the store runtime: {e}"
            )))
            .into()
        })
}

/// Runs one async operation of the core to its end on the store runtime.
fn block<T>(operation: impl Future<Output = Result<T, Error>>) -> Result<T, EarlybirdError> {
    Ok(runtime()?.block_on(operation)?)
}

/// A customer registration: `Unchanged` when the same customer was registered before.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RegisteredCustomer {
    pub effect: Effect,
    pub customer: Customer,
}

/// An order placed: `Unchanged` when the same order was placed before.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PlacedOrder {
    pub effect: Effect,
    pub order: Order,
}

/// A payment recorded (it earns loyalty points): `Unchanged` when recorded before.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordedPayment {
    pub effect: Effect,
    pub payment: Payment,
}

/// A wallet entry recorded: `Unchanged` when the same entry was recorded before.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RecordedWalletEntry {
    pub effect: Effect,
    pub entry: WalletEntry,
}

impl From<Done<WalletEntry>> for RecordedWalletEntry {
    fn from(done: Done<WalletEntry>) -> Self {
        Self {
            effect: done.effect,
            entry: done.record,
        }
    }
}

impl From<Done<Customer>> for RegisteredCustomer {
    fn from(done: Done<Customer>) -> Self {
        Self {
            effect: done.effect,
            customer: done.record,
        }
    }
}

impl From<Done<Order>> for PlacedOrder {
    fn from(done: Done<Order>) -> Self {
        Self {
            effect: done.effect,
            order: done.record,
        }
    }
}

impl From<Done<Payment>> for RecordedPayment {
    fn from(done: Done<Payment>) -> Self {
        Self {
            effect: done.effect,
            payment: done.record,
        }
    }
}

/// The phone's own database: a SQLite file with the service operations over it. Open one per
/// file and share it (thread-safe; SQLite runs one change at a time). Every change is one
/// transaction: after a crash either all of it or none of it is there.
#[derive(Debug, uniffi::Object)]
pub struct OfflineStore {
    service: Service<SqlStore>,
}

#[uniffi::export]
impl OfflineStore {
    /// Opens the SQLite database file at `path`, creating and migrating it if needed. A path
    /// that cannot be opened is a `Store` error.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, EarlybirdError> {
        let store = block(async { Ok(SqlStore::open_sqlite(&path).await?) })?;
        Ok(Arc::new(Self {
            service: Service::new(store),
        }))
    }

    /// Registers a new customer. The same customer again is `Unchanged`; another customer
    /// under the same id is a `Store` conflict.
    pub fn register_customer(
        &self,
        customer: Customer,
        actor: Actor,
    ) -> Result<RegisteredCustomer, EarlybirdError> {
        block(self.service.register_customer(customer, &actor)).map(Into::into)
    }

    /// Places a new PENDING order for a registered customer (`NotFound` otherwise).
    pub fn place_order(&self, order: Order, actor: Actor) -> Result<PlacedOrder, EarlybirdError> {
        block(self.service.place_order(order, &actor)).map(Into::into)
    }

    /// PENDING → OUT_FOR_DELIVERY, stored with its audit record.
    pub fn dispatch_order(
        &self,
        order_id: String,
        actor: Actor,
    ) -> Result<OrderOutcome, EarlybirdError> {
        block(self.service.dispatch_order(&order_id, &actor))
    }

    /// PENDING or OUT_FOR_DELIVERY → CANCELLED, stored with its audit record.
    pub fn cancel_order(
        &self,
        order_id: String,
        actor: Actor,
    ) -> Result<OrderOutcome, EarlybirdError> {
        block(self.service.cancel_order(&order_id, &actor))
    }

    /// Confirms the quantity delivered of each item (in item order), storing the order, its
    /// delivery records, the audit and the customer's loyalty fact together. The same
    /// confirmation again is `Unchanged`; a different one is `ConflictingConfirmation`.
    pub fn confirm_delivery(
        &self,
        order_id: String,
        delivered: Vec<Amount>,
        reason: Option<String>,
        actor: Actor,
    ) -> Result<OrderOutcome, EarlybirdError> {
        block(
            self.service
                .confirm_delivery(&order_id, &delivered, reason.as_deref(), &actor),
        )
    }

    /// Corrects the delivered quantities of a confirmed order, with the reason audited.
    pub fn correct_delivery(
        &self,
        order_id: String,
        delivered: Vec<Amount>,
        reason: String,
        actor: Actor,
    ) -> Result<OrderOutcome, EarlybirdError> {
        block(
            self.service
                .correct_delivery(&order_id, &delivered, &reason, &actor),
        )
    }

    /// Records a payment collected at the door; it earns the customer's loyalty points.
    pub fn record_payment(
        &self,
        payment: Payment,
        actor: Actor,
    ) -> Result<RecordedPayment, EarlybirdError> {
        block(self.service.record_payment(payment, &actor)).map(Into::into)
    }

    /// Records cash paid into the customer's wallet at the door (`TOP_UP`) or promotional
    /// credit (`PROMOTIONAL`, with `expiresOn`); the next bill takes it. An `APPLIED` entry
    /// is a `Validation` error: applications come with their bills.
    pub fn record_wallet_entry(
        &self,
        entry: WalletEntry,
        actor: Actor,
    ) -> Result<RecordedWalletEntry, EarlybirdError> {
        block(self.service.record_wallet_entry(entry, &actor)).map(Into::into)
    }

    /// The customer's wallet entries, by date (empty when there are none).
    pub fn wallet_entries(&self, customer_id: String) -> Result<Vec<WalletEntry>, EarlybirdError> {
        block(self.service.wallet(&customer_id)).map(|wallet| wallet.entries)
    }

    /// What the customer's wallet holds on `on` (that day's entries included, its expiries
    /// not yet).
    pub fn wallet_balance(
        &self,
        customer_id: String,
        on: CalendarDate,
    ) -> Result<Amount, EarlybirdError> {
        block(async {
            let wallet = self.service.wallet(&customer_id).await?;
            Ok(wallet.balance_on(on)?)
        })
    }

    /// The customer's loyalty balance, tier progress and badges at `now`, rebuilt from the
    /// stored facts; `null`/`nil` before the first payment or delivery.
    pub fn loyalty_summary(
        &self,
        customer_id: String,
        now: Instant,
    ) -> Result<Option<MemberSummary>, EarlybirdError> {
        block(self.service.loyalty_summary(&customer_id, now))
    }

    /// Redeems points against a bill once per `key` (the bill number): the same key again
    /// returns the same redemption.
    pub fn redeem_points(
        &self,
        customer_id: String,
        points: i64,
        bill_charges: Amount,
        key: String,
        now: Instant,
    ) -> Result<Redemption, EarlybirdError> {
        block(
            self.service
                .redeem_points(&customer_id, points, bill_charges, &key, now),
        )
    }

    /// The customer stored under `id`, if any.
    pub fn customer(&self, id: String) -> Result<Option<Customer>, EarlybirdError> {
        block(async { Ok(self.service.store().customer(&id).await?) })
    }

    /// The order stored under `id`, if any.
    pub fn order(&self, id: String) -> Result<Option<Order>, EarlybirdError> {
        block(async { Ok(self.service.store().order(&id).await?) })
    }

    /// The orders to deliver on `date` (today's round), by id.
    pub fn orders_on(&self, date: CalendarDate) -> Result<Vec<Order>, EarlybirdError> {
        block(async { Ok(self.service.store().orders_between(date, date).await?) })
    }

    /// The delivery records dated `date`, by id.
    pub fn deliveries_on(&self, date: CalendarDate) -> Result<Vec<DeliveryRecord>, EarlybirdError> {
        block(async { Ok(self.service.store().deliveries_between(date, date).await?) })
    }

    /// The audit trail of one entity (`order`, `customer`, `payment`...), oldest first.
    pub fn audit_trail(
        &self,
        entity: String,
        entity_id: String,
    ) -> Result<Vec<AuditRecord>, EarlybirdError> {
        block(async {
            Ok(self
                .service
                .store()
                .audit_trail(&entity, &entity_id)
                .await?)
        })
    }
}
