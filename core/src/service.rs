//! The business operations a backend calls, over any [`Store`].
//!
//! Each operation reads what it needs, runs the pure rules, and writes the change, its audit
//! records and its notification intents as one [`ChangeSet`]. Operations guarded by a status
//! are retried when another app server changed the record in between: the retry re-reads
//! and re-decides, so a repeated confirmation ends as the no-op it is, and a conflicting one
//! as the error it is.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::activation::{
    self, ActivationConfig, ActivationEvent, ActivationState, CustomerActivation, CustomerHistory,
    EventKind, SweptTransition, sweep_snapshots,
};
use crate::audit::AuditRecord;
use crate::billing::{
    self, Bill, BillingConfig, Credit, FinancialYear, Month, NumberSeries, Wallet, WalletEntry,
    WalletEntryKind,
};
use crate::error::{Error, Result};
use crate::lifecycle::{self, Actor, Effect, LifecycleError, OrderOutcome};
use crate::loyalty::{
    LoyaltyConfig, LoyaltyEvent, MemberSummary, Program, Redemption, RedemptionRequest,
};
use crate::notification::NotificationIntent;
use crate::record::{Customer, Order, OrderStatus, Payment, Record};
use crate::store::{
    ChangeSet, Expectation, LoyaltyFact, RecordKind, Store, StoreError, Write, activation_key,
};
use crate::validation::{Problems, Rule};

/// How often an operation re-reads and retries after a concurrent change.
const ATTEMPTS: usize = 5;

/// How often a month's finalization re-reads and retries: every failed attempt means another
/// finalization committed in between (progress), and app servers finalizing together while
/// deliveries are confirmed can each lose several rounds in a row.
const FINALIZE_ATTEMPTS: usize = 20;

/// The business operations over one store.
#[derive(Debug, Clone)]
pub struct Service<S> {
    store: S,
    activation: ActivationConfig,
    loyalty: LoyaltyConfig,
    billing: BillingConfig,
}

/// Adds the intents of `more` whose template the change set does not send yet: an
/// operation's own message (with its details) wins over the same message from an engine.
fn notify_new(changes: ChangeSet, more: Vec<NotificationIntent>) -> ChangeSet {
    let fresh: Vec<_> = more
        .into_iter()
        .filter(|m| !changes.intents.iter().any(|i| i.template == m.template))
        .collect();
    changes.notify(fresh)
}

/// The key a loyalty fact is stored under: the business event it stands for, once.
fn fact_key(fact: &LoyaltyFact) -> String {
    match fact {
        LoyaltyFact::Redemption { request } => format!("redeem:{}", request.key),
        LoyaltyFact::Event { event } => match event {
            LoyaltyEvent::PaymentReceived { payment, .. } => format!("payment:{}", payment.id),
            LoyaltyEvent::PaymentRefunded { payment_id, .. } => format!("refund:{payment_id}"),
            LoyaltyEvent::WalletTopUp { top_up_id, .. } => format!("top_up:{top_up_id}"),
            LoyaltyEvent::OrderDelivered { order_id, .. } => format!("delivered:{order_id}"),
            LoyaltyEvent::ReferralCompleted { referred_id, .. } => {
                format!("referral:{referred_id}")
            }
            LoyaltyEvent::ReviewPosted { order_id, .. } => format!("review:{order_id}"),
            LoyaltyEvent::SocialAction { action_id, .. } => format!("social:{action_id}"),
            LoyaltyEvent::Adjusted { key, .. } => format!("adjust:{key}"),
        },
    }
}

/// Whether any item of a confirmed order was (at least partly) delivered.
fn something_delivered(order: &Order) -> bool {
    order
        .items
        .iter()
        .any(|item| item.delivered_quantity.is_some_and(|q| q > Decimal::ZERO))
}

fn intent(
    template: &str,
    customer_id: &str,
    actor: &Actor,
    variables: &[(&str, String)],
) -> NotificationIntent {
    NotificationIntent {
        template: template.to_owned(),
        customer_id: customer_id.to_owned(),
        variables: variables
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        at: actor.at,
    }
}

fn created<T: Record + serde::Serialize>(record: &T, action: &str, actor: &Actor) -> AuditRecord {
    AuditRecord::change(
        T::KIND,
        record.id(),
        action,
        &actor.id,
        actor.at,
        None,
        Some(record),
    )
}

/// What the audit trail keeps of a finalized bill (the bill itself is stored whole).
#[derive(serde::Serialize)]
struct BillSummary<'a> {
    customer_id: &'a str,
    month: Month,
    lines: usize,
    total: Decimal,
    amount_due: Decimal,
}

impl<'a> BillSummary<'a> {
    fn of(bill: &'a Bill) -> Self {
        Self {
            customer_id: &bill.customer_id,
            month: bill.month,
            lines: bill.lines.len(),
            total: bill.total,
            amount_due: bill.amount_due,
        }
    }
}

/// What an operation did, with the record as it now stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Done<T> {
    pub effect: Effect,
    pub record: T,
}

impl<S: Store> Service<S> {
    /// The operations over `store`.
    pub fn new(store: S) -> Self {
        Self {
            store,
            activation: ActivationConfig::default(),
            loyalty: LoyaltyConfig::default(),
            billing: BillingConfig::default(),
        }
    }

    /// The same operations with the business's billing settings (bill number prefix, due
    /// days...).
    pub fn with_billing(self, billing: BillingConfig) -> Self {
        Self { billing, ..self }
    }

    /// The operations over `store` with the engines' configurations, checked first.
    pub fn with_config(
        store: S,
        activation: ActivationConfig,
        loyalty: LoyaltyConfig,
    ) -> Result<Self> {
        activation.validate()?;
        loyalty.validate()?;
        Ok(Self {
            store,
            activation,
            loyalty,
            billing: BillingConfig::default(),
        })
    }

    /// Adds recording an activation event to `changes`: the event, the new snapshot, the new
    /// transitions and their intents, guarded by the snapshot it was decided on. An event
    /// already recorded adds nothing.
    async fn with_activation(
        &self,
        changes: ChangeSet,
        customer_id: &str,
        kind: EventKind,
        order_id: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<ChangeSet> {
        let events = self.store.activation_events(customer_id).await?;
        let stored = self.store.activation_snapshot(customer_id).await?;
        let event = ActivationEvent {
            customer_id: customer_id.to_owned(),
            kind,
            at,
            sequence: events.iter().map(|e| e.sequence).max().unwrap_or(0) + 1,
            order_id: order_id.map(str::to_owned),
            subscription_id: None,
        };
        let key = activation_key(&event);
        if events.iter().any(|e| activation_key(e) == key) {
            return Ok(changes);
        }
        // Replayed up to the morning the stored snapshot was swept to, so a late event is
        // recognised as late.
        let until = stored
            .as_ref()
            .map(|s| s.snapshot.as_of)
            .filter(|d| *d > NaiveDate::MIN)
            .map_or(at, |d| self.activation.zone.start_of(d));
        // A customer without a signup event (imported, not yet backfilled) has no lifecycle
        // to record into: the backfill starts it from the records.
        if events.is_empty() && kind != EventKind::SignedUp {
            return Ok(changes);
        }
        let first = events.is_empty();
        let history = CustomerHistory {
            customer_id: customer_id.to_owned(),
            events: if first { vec![event.clone()] } else { events },
            subscriptions: self.store.subscriptions_of(customer_id).await?,
        };
        let mut customer = CustomerActivation::replay(history, until, self.activation)?;
        let transitions = if first {
            customer.timeline().to_vec()
        } else {
            customer.record(event.clone())?.transitions
        };
        let intents = customer.intents(&transitions);
        let changes = changes
            .expect(Expectation::ActivationSnapshot {
                customer_id: customer_id.to_owned(),
                snapshot: stored.map(|s| s.snapshot),
            })
            .write(Write::ActivationEvent(event))
            .write(Write::ActivationSnapshot(customer.snapshot()));
        let changes = transitions.into_iter().fold(changes, |c, t| {
            c.write(Write::ActivationTransition {
                customer_id: customer_id.to_owned(),
                transition: t,
            })
        });
        Ok(notify_new(changes, intents))
    }

    /// The loyalty programme rebuilt with one member, from the member's stored facts; with
    /// how many facts there were (the guard of a change).
    async fn program_of(&self, customer_id: &str) -> Result<(Program, u64)> {
        let facts = self.store.loyalty_facts(customer_id).await?;
        let mut program = Program::new(self.loyalty.clone())?;
        for fact in &facts {
            let replayed = match fact {
                LoyaltyFact::Event { event } => program.apply(event).map(|_| ()),
                LoyaltyFact::Redemption { request } => program.redeem(request).map(|_| ()),
            };
            replayed.map_err(|e| {
                StoreError::Backend(format!(
                    "a stored loyalty fact of customer {customer_id} no longer applies: {e}"
                ))
            })?;
        }
        Ok((program, u64::try_from(facts.len()).unwrap_or(u64::MAX)))
    }

    /// Adds a loyalty event to `changes`, guarded by the member's ledger it was applied to.
    /// An event already applied adds nothing.
    async fn with_loyalty(&self, changes: ChangeSet, event: LoyaltyEvent) -> Result<ChangeSet> {
        let customer_id = event.customer_id().to_owned();
        let (mut program, count) = self.program_of(&customer_id).await?;
        if program.apply(&event)?.duplicate {
            return Ok(changes);
        }
        let fact = LoyaltyFact::Event { event };
        Ok(changes
            .expect(Expectation::LoyaltyFacts {
                customer_id: customer_id.clone(),
                count,
            })
            .write(Write::LoyaltyFact {
                customer_id,
                key: fact_key(&fact),
                fact,
            }))
    }

    /// Applies `changes`; `Ok(false)` when another app server changed what they were
    /// decided on (the caller reads and decides again).
    async fn applied(&self, changes: ChangeSet) -> Result<bool> {
        match self.store.apply(changes).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Sweeps every customer's activation to the morning of `now`: the transitions, the new
    /// snapshots and their intents (`vip_welcome`, `we_miss_you`, `last_chance`) in one change.
    /// Running it again at the same `now` changes nothing.
    pub async fn run_daily_sweep(&self, now: DateTime<Utc>) -> Result<Vec<SweptTransition>> {
        for _ in 0..ATTEMPTS {
            let read = self.store.activation_snapshots().await?;
            let mut swept = read.clone();
            let transitions = sweep_snapshots(&mut swept, now, &self.activation);
            let mut changes = ChangeSet::new();
            for (before, after) in read.iter().zip(&swept) {
                if before != after {
                    changes = changes
                        .expect(Expectation::ActivationSnapshot {
                            customer_id: before.customer_id.clone(),
                            snapshot: Some(before.snapshot),
                        })
                        .write(Write::ActivationSnapshot(after.clone()));
                }
            }
            for t in &transitions {
                changes = changes
                    .write(Write::ActivationTransition {
                        customer_id: t.customer_id.clone(),
                        transition: t.transition.clone(),
                    })
                    .audit([AuditRecord::change(
                        "activation",
                        &t.customer_id,
                        "swept",
                        "daily_sweep",
                        t.transition.at,
                        None,
                        Some(&t.transition),
                    )])
                    .notify(activation::intent(&t.customer_id, &t.transition));
            }
            if changes.is_empty() || self.applied(changes).await? {
                return Ok(transitions);
            }
        }
        Err(StoreError::Conflict(format!(
            "the sweep kept conflicting under {ATTEMPTS} attempts"
        ))
        .into())
    }

    /// Finalizes `month`'s bills: every customer's bill computed from the stored records,
    /// numbered on from the stored series, and stored with an audit record each and a
    /// `payment_reminder` for each bill with something due — in one change. Returns the bills
    /// finalized by this call.
    ///
    /// Calling it again bills nothing twice: a customer whose month is finalized is skipped,
    /// and a delivery confirmed after its customer's bill becomes an arrears line of the next
    /// month's bill. Two app servers finalizing at once number from the same series read:
    /// the second finds it moved on, reads again and bills only what is left.
    pub async fn finalize_month(&self, month: Month, actor: &Actor) -> Result<Vec<Bill>> {
        for _ in 0..FINALIZE_ATTEMPTS {
            // The series is read before the records: a finalization that commits in
            // between moves the series on, and this change is then refused and redone.
            let series = self.store.number_series().await?;
            let input = self.store.billing_input(month.last_day()).await?;
            let drafts = billing::bill_month(&input, month, &self.billing)?;
            if drafts.is_empty() {
                return Ok(Vec::new());
            }
            let start =
                series.unwrap_or_else(|| NumberSeries::new(FinancialYear::of(month.bill_date())));
            let (bills, next) = billing::finalize_all(&drafts, &input.bills, start, &self.billing)?;
            let mut changes = ChangeSet::new()
                .expect(Expectation::NumberSeries { series })
                .write(Write::NumberSeries(next));
            for bill in &bills {
                let number = bill.number.clone().unwrap_or_default();
                changes = changes.audit([AuditRecord::change(
                    "bill",
                    &number,
                    "finalized",
                    &actor.id,
                    actor.at,
                    None,
                    Some(&BillSummary::of(bill)),
                )]);
                if bill.amount_due > Decimal::ZERO {
                    changes = changes.notify([intent(
                        "payment_reminder",
                        &bill.customer_id,
                        actor,
                        &[
                            ("amount", bill.amount_due.to_string()),
                            ("period", month.to_string()),
                        ],
                    )]);
                }
                if let Some(payment) = &bill.wallet_payment {
                    changes = changes
                        .write(Write::Payment(payment.clone()))
                        .write(Write::WalletEntry(WalletEntry::application(payment)));
                    // A wallet application is a payment, and earns as one (rule 4).
                    let earned = LoyaltyEvent::PaymentReceived {
                        payment: payment.clone(),
                        at: actor.at,
                    };
                    changes = self.with_loyalty(changes, earned).await?;
                }
                changes = changes.write(Write::Bill(bill.clone()));
            }
            if self.applied(changes).await? {
                return Ok(bills);
            }
        }
        Err(StoreError::Conflict(format!(
            "the bills of {month} kept conflicting under {FINALIZE_ATTEMPTS} attempts"
        ))
        .into())
    }

    /// Redeems `points` of a customer against a bill whose charges are `bill_charges`, once
    /// per `key`: the same key again returns the same redemption and changes nothing.
    ///
    /// The redemption is stored with its credit (`Credit::from_redemption`, dated the
    /// business-local day of `now`) in one change, so the bill of that month (or the next one
    /// finalized) carries it as a credit line. A key already used as the id of another
    /// customer's credit is a conflict, and nothing is stored.
    pub async fn redeem_points(
        &self,
        customer_id: &str,
        points: i64,
        bill_charges: Decimal,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Redemption> {
        let request = RedemptionRequest {
            customer_id: customer_id.to_owned(),
            key: key.to_owned(),
            points,
            bill_charges,
            at: now,
        };
        for _ in 0..ATTEMPTS {
            let (mut program, count) = self.program_of(customer_id).await?;
            let redeemed = program.redeem(&request)?;
            if redeemed.applied.duplicate {
                return Ok(redeemed.redemption);
            }
            let redemption = redeemed.redemption;
            let fact = LoyaltyFact::Redemption {
                request: request.clone(),
            };
            let credit = Credit::from_redemption(&redemption, self.loyalty.zone.date_of(now));
            let changes = ChangeSet::new()
                .expect(Expectation::LoyaltyFacts {
                    customer_id: customer_id.to_owned(),
                    count,
                })
                .write(Write::LoyaltyFact {
                    customer_id: customer_id.to_owned(),
                    key: fact_key(&fact),
                    fact,
                })
                .write(Write::Credit(credit))
                .audit([AuditRecord::change(
                    "loyalty",
                    customer_id,
                    "redeemed",
                    customer_id,
                    now,
                    None,
                    Some(&redemption),
                )]);
            match self.store.apply(changes).await {
                Ok(_) => return Ok(redemption),
                // The ledger read is still the one stored: the conflict is the credit's id,
                // which reading again does not change.
                Err(conflict @ StoreError::Conflict(_))
                    if u64::try_from(self.store.loyalty_facts(customer_id).await?.len()).ok()
                        == Some(count) =>
                {
                    return Err(conflict.into());
                }
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict(format!(
            "the loyalty ledger of {customer_id} kept changing under {ATTEMPTS} attempts"
        ))
        .into())
    }

    /// A member's balance, available points, tier and badges at `now` (`None`: no loyalty
    /// event reached the customer yet).
    pub async fn loyalty_summary(
        &self,
        customer_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<MemberSummary>> {
        let (program, _) = self.program_of(customer_id).await?;
        Ok(program.summary(customer_id, now))
    }

    /// A customer's activation state as of the last event or sweep (`None`: none recorded).
    pub async fn activation_state(&self, customer_id: &str) -> Result<Option<ActivationState>> {
        let snapshot = self.store.activation_snapshot(customer_id).await?;
        Ok(snapshot.and_then(|s| s.snapshot.state))
    }

    /// The store underneath, for reads.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Registers a new customer (`welcome` intent). Registering the same customer again is
    /// a no-op; another customer under the same id is a conflict.
    pub async fn register_customer(
        &self,
        customer: Customer,
        actor: &Actor,
    ) -> Result<Done<Customer>> {
        customer.validate()?;
        for _ in 0..ATTEMPTS {
            if let Some(existing) = self.store.customer(&customer.id).await? {
                return same_again(existing, &customer);
            }
            let welcome = intent(
                "welcome",
                &customer.id,
                actor,
                &[("name", customer.name.clone())],
            );
            let changes = ChangeSet::new()
                .expect(Expectation::Absent {
                    kind: RecordKind::Customer,
                    id: customer.id.clone(),
                })
                .audit([created(&customer, "registered", actor)])
                .notify([welcome])
                .write(Write::Customer(customer.clone()));
            let changes = self
                .with_activation(changes, &customer.id, EventKind::SignedUp, None, actor.at)
                .await?;
            if self.applied(changes).await? {
                return Ok(Done {
                    effect: Effect::Changed,
                    record: customer,
                });
            }
        }
        Err(gave_up(Customer::KIND, &customer.id))
    }

    /// Places a new one-time order (PENDING) for a known customer (`order_confirmation`).
    pub async fn place_order(&self, order: Order, actor: &Actor) -> Result<Done<Order>> {
        order.validate()?;
        if order.status != OrderStatus::Pending {
            let mut problems = Problems::new();
            problems.push(
                "status",
                Rule::Inconsistent,
                order.status.as_str(),
                "a new order is PENDING",
            );
            problems.finish(())?;
        }
        for _ in 0..ATTEMPTS {
            if let Some(existing) = self.store.order(&order.id).await? {
                return same_again(existing, &order);
            }
            if self.store.customer(&order.customer_id).await?.is_none() {
                return Err(Error::NotFound {
                    kind: Customer::KIND,
                    id: order.customer_id.clone(),
                });
            }
            let confirmation = intent(
                "order_confirmation",
                &order.customer_id,
                actor,
                &[
                    ("order_id", order.id.clone()),
                    ("delivery_date", order.delivery_date.to_string()),
                ],
            );
            let changes = ChangeSet::new()
                .expect(Expectation::Absent {
                    kind: RecordKind::Order,
                    id: order.id.clone(),
                })
                .audit([created(&order, "placed", actor)])
                .notify([confirmation])
                .write(Write::Order(order.clone()));
            let changes = self
                .with_activation(
                    changes,
                    &order.customer_id,
                    EventKind::OrderPlaced,
                    Some(&order.id),
                    actor.at,
                )
                .await?;
            if self.applied(changes).await? {
                return Ok(Done {
                    effect: Effect::Changed,
                    record: order,
                });
            }
        }
        Err(gave_up(Order::KIND, &order.id))
    }

    /// PENDING → OUT_FOR_DELIVERY.
    pub async fn dispatch_order(&self, order_id: &str, actor: &Actor) -> Result<OrderOutcome> {
        self.order_command(
            order_id,
            |order| lifecycle::dispatch(order, actor),
            |_| None,
            None,
        )
        .await
    }

    /// PENDING or OUT_FOR_DELIVERY → CANCELLED.
    pub async fn cancel_order(&self, order_id: &str, actor: &Actor) -> Result<OrderOutcome> {
        self.order_command(
            order_id,
            |order| lifecycle::cancel(order, actor),
            |_| None,
            None,
        )
        .await
    }

    /// Confirms what was delivered of each item (`delivery_confirmed` when something was).
    pub async fn confirm_delivery(
        &self,
        order_id: &str,
        delivered: &[Decimal],
        reason: Option<&str>,
        actor: &Actor,
    ) -> Result<OrderOutcome> {
        self.order_command(
            order_id,
            |order| lifecycle::confirm_delivery(order, delivered, reason, actor),
            |order: &Order| {
                order.status.is_confirmed().then(|| {
                    intent(
                        "delivery_confirmed",
                        &order.customer_id,
                        actor,
                        &[
                            ("delivery_date", order.delivery_date.to_string()),
                            ("order_id", order.id.clone()),
                        ],
                    )
                })
            },
            Some(actor),
        )
        .await
    }

    /// Corrects the delivered quantities of a confirmed order, with the reason.
    pub async fn correct_delivery(
        &self,
        order_id: &str,
        delivered: &[Decimal],
        reason: &str,
        actor: &Actor,
    ) -> Result<OrderOutcome> {
        self.order_command(
            order_id,
            |order| lifecycle::correct_delivery(order, delivered, reason, actor),
            |_| None,
            None,
        )
        .await
    }

    /// Records a payment received (`payment_confirmation`). The same payment again is a no-op.
    pub async fn record_payment(&self, payment: Payment, actor: &Actor) -> Result<Done<Payment>> {
        payment.validate()?;
        for _ in 0..ATTEMPTS {
            if let Some(existing) = self.store.payment(&payment.id).await? {
                return same_again(existing, &payment);
            }
            if self.store.customer(&payment.customer_id).await?.is_none() {
                return Err(Error::NotFound {
                    kind: Customer::KIND,
                    id: payment.customer_id.clone(),
                });
            }
            let receipt = intent(
                "payment_confirmation",
                &payment.customer_id,
                actor,
                &[
                    ("amount", payment.amount.to_string()),
                    ("payment_id", payment.id.clone()),
                ],
            );
            let changes = ChangeSet::new()
                .expect(Expectation::Absent {
                    kind: RecordKind::Payment,
                    id: payment.id.clone(),
                })
                .audit([created(&payment, "received", actor)])
                .notify([receipt])
                .write(Write::Payment(payment.clone()));
            let earned = LoyaltyEvent::PaymentReceived {
                payment: payment.clone(),
                at: actor.at,
            };
            let changes = self.with_loyalty(changes, earned).await?;
            if self.applied(changes).await? {
                return Ok(Done {
                    effect: Effect::Changed,
                    record: payment,
                });
            }
        }
        Err(gave_up(Payment::KIND, &payment.id))
    }

    /// Records money paid into a customer's wallet (`top_up`) or promotional credit granted
    /// to it, with an audit record; the same entry again is a no-op. Applications are not
    /// recorded here: [`Service::finalize_month`] writes each with its bill's wallet payment.
    pub async fn record_wallet_entry(
        &self,
        entry: WalletEntry,
        actor: &Actor,
    ) -> Result<Done<WalletEntry>> {
        let mut problems = Problems::new();
        if entry.kind == WalletEntryKind::Applied {
            problems.push(
                "kind",
                Rule::Inconsistent,
                "applied",
                "applications are written by finalize_month, with the bill's wallet payment",
            );
        }
        if let Err(malformed) = crate::store::validate_wallet_entry(&entry) {
            problems.extend(malformed);
        }
        problems.finish(())?;
        let wallet = self.store.wallet(&entry.customer_id).await?;
        if let Some(existing) = wallet.entries.into_iter().find(|e| e.id == entry.id) {
            if existing != entry {
                let message = format!("wallet entry {} exists with other data", entry.id);
                return Err(StoreError::Conflict(message).into());
            }
            return Ok(Done {
                effect: Effect::Unchanged,
                record: existing,
            });
        }
        if self.store.customer(&entry.customer_id).await?.is_none() {
            return Err(Error::NotFound {
                kind: Customer::KIND,
                id: entry.customer_id.clone(),
            });
        }
        let changes = ChangeSet::new()
            .audit([AuditRecord::change(
                "wallet_entry",
                &entry.id,
                "recorded",
                &actor.id,
                actor.at,
                None,
                Some(&entry),
            )])
            .write(Write::WalletEntry(entry.clone()));
        self.store.apply(changes).await?;
        Ok(Done {
            effect: Effect::Changed,
            record: entry,
        })
    }

    /// A customer's wallet as stored: its balance and history come from
    /// [`Wallet::balance_on`] and [`Wallet::history`].
    pub async fn wallet(&self, customer_id: &str) -> Result<Wallet> {
        Ok(self.store.wallet(customer_id).await?)
    }

    /// Reads the order, applies `command`, and stores the outcome guarded by the status it
    /// was read with; on a concurrent change, reads again and decides again.
    async fn order_command(
        &self,
        order_id: &str,
        command: impl Fn(&Order) -> std::result::Result<OrderOutcome, LifecycleError>,
        notify: impl Fn(&Order) -> Option<NotificationIntent>,
        delivered_by: Option<&Actor>,
    ) -> Result<OrderOutcome> {
        for _ in 0..ATTEMPTS {
            let order = self
                .store
                .order(order_id)
                .await?
                .ok_or_else(|| Error::NotFound {
                    kind: Order::KIND,
                    id: order_id.to_owned(),
                })?;
            let outcome = command(&order)?;
            if outcome.effect == Effect::Unchanged {
                return Ok(outcome);
            }
            let mut changes = ChangeSet::new()
                .expect(Expectation::OrderStatus {
                    order_id: order.id.clone(),
                    status: order.status,
                })
                .audit(outcome.audit.clone())
                .notify(notify(&outcome.order).filter(|_| outcome.effect == Effect::Changed));
            if outcome.effect == Effect::Changed {
                changes = changes.write(Write::Order(outcome.order.clone()));
            }
            let changes = outcome
                .deliveries
                .iter()
                .cloned()
                .fold(changes, |c, d| c.write(Write::Delivery(d)));
            // Something delivered is activity for the activation lifecycle and a delivered
            // order for the loyalty programme, stored with the confirmation.
            let changes = match delivered_by {
                Some(actor)
                    if outcome.effect == Effect::Changed && something_delivered(&outcome.order) =>
                {
                    let customer_id = outcome.order.customer_id.as_str();
                    let changes = self
                        .with_activation(
                            changes,
                            customer_id,
                            EventKind::DeliveryCompleted,
                            Some(order_id),
                            actor.at,
                        )
                        .await?;
                    let delivered = LoyaltyEvent::OrderDelivered {
                        customer_id: customer_id.to_owned(),
                        order_id: order_id.to_owned(),
                        at: actor.at,
                    };
                    self.with_loyalty(changes, delivered).await?
                }
                _ => changes,
            };
            if self.applied(changes).await? {
                return Ok(outcome);
            }
        }
        Err(StoreError::Conflict(format!(
            "order {order_id} kept changing under {ATTEMPTS} attempts"
        ))
        .into())
    }
}

/// The error of an operation that kept meeting concurrent changes.
fn gave_up(kind: &str, id: &str) -> Error {
    StoreError::Conflict(format!(
        "{kind} {id} kept changing under {ATTEMPTS} attempts"
    ))
    .into()
}

/// The same record sent again is a no-op; a different one under the same id is a conflict.
fn same_again<T: Record + PartialEq>(existing: T, sent: &T) -> Result<Done<T>> {
    if existing == *sent {
        Ok(Done {
            effect: Effect::Unchanged,
            record: existing,
        })
    } else {
        Err(
            StoreError::Conflict(format!("{} {} exists with other data", T::KIND, sent.id()))
                .into(),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use chrono::Duration;

    pub(crate) fn actor(minute: i64) -> Actor {
        Actor::new(
            "DB_7",
            "2026-01-15T00:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
                + Duration::minutes(minute),
        )
    }

    pub(crate) fn customer() -> Customer {
        Customer::from_json(
            r#"{"id": "C1", "name": "Asha", "phone": "9845012345", "signup_date": "2026-01-02"}"#,
        )
        .unwrap()
    }

    pub(crate) fn order() -> Order {
        Order::from_json(
            r#"{"id": "O1", "customer_id": "C1", "delivery_date": "2026-01-15", "status": "PENDING",
                "items": [{"product_id": "P1", "quantity": 2, "unit_price": "28.50"}]}"#,
        )
        .unwrap()
    }

    async fn intents(service: &Service<MemoryStore>) -> Vec<String> {
        let claimed = service
            .store()
            .claim_intents("t", 100, actor(0).at, Duration::minutes(1))
            .await
            .unwrap();
        claimed.into_iter().map(|e| e.intent.template).collect()
    }

    #[tokio::test]
    async fn an_order_from_registration_to_delivery() {
        let service = Service::new(MemoryStore::new());
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        assert_eq!(
            service
                .register_customer(customer(), &actor(1))
                .await
                .unwrap()
                .effect,
            Effect::Unchanged
        );
        service.place_order(order(), &actor(2)).await.unwrap();
        service.dispatch_order("O1", &actor(3)).await.unwrap();
        let done = service
            .confirm_delivery("O1", &[Decimal::TWO], None, &actor(4))
            .await
            .unwrap();
        assert_eq!(done.order.status, OrderStatus::Delivered);
        let again = service
            .confirm_delivery("O1", &[Decimal::TWO], None, &actor(5))
            .await
            .unwrap();
        assert_eq!(again.effect, Effect::Unchanged);
        let conflict = service
            .confirm_delivery("O1", &[Decimal::ONE], None, &actor(6))
            .await
            .unwrap_err();
        assert_eq!(conflict.code(), "LIFECYCLE_CONFLICTING_CONFIRMATION");
        assert_eq!(
            intents(&service).await,
            [
                "welcome",
                "order_confirmation",
                "delivery_confirmed",
                "thank_you_upsell"
            ]
        );
        assert_eq!(
            service.activation_state("C1").await.unwrap(),
            Some(ActivationState::Active)
        );
        assert!(
            service
                .loyalty_summary("C1", actor(7).at)
                .await
                .unwrap()
                .is_some(),
            "a delivered order makes a member"
        );
        let trail = service.store().audit_trail("order", "O1").await.unwrap();
        let actions: Vec<_> = trail.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["placed", "dispatched", "delivery_confirmed"]);
        assert_eq!(service.store().deliveries_of("C1").await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn unknown_records_and_wrong_input_are_typed_errors() {
        let service = Service::new(MemoryStore::new());
        assert_eq!(
            service
                .place_order(order(), &actor(0))
                .await
                .unwrap_err()
                .code(),
            "NOT_FOUND"
        );
        assert_eq!(
            service
                .dispatch_order("O404", &actor(0))
                .await
                .unwrap_err()
                .code(),
            "NOT_FOUND"
        );
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        let delivered = Order {
            status: OrderStatus::Delivered,
            ..order()
        };
        let err = service.place_order(delivered, &actor(0)).await.unwrap_err();
        assert_eq!(
            (err.code(), err.problems()[0].field.as_str()),
            ("VALIDATION_FAILED", "status")
        );
        let other = Customer {
            name: "Someone else".into(),
            ..customer()
        };
        assert_eq!(
            service
                .register_customer(other, &actor(1))
                .await
                .unwrap_err()
                .code(),
            "STORE_CONFLICT"
        );
    }

    #[tokio::test]
    async fn payments_are_recorded_once() {
        let service = Service::new(MemoryStore::new());
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        let payment = Payment::from_json(
            r#"{"id": "PAY1", "customer_id": "C1", "amount": "560.00", "method": "upi", "date": "2026-02-03"}"#,
        )
        .unwrap();
        assert_eq!(
            service
                .record_payment(payment.clone(), &actor(1))
                .await
                .unwrap()
                .effect,
            Effect::Changed
        );
        assert_eq!(
            service
                .record_payment(payment, &actor(2))
                .await
                .unwrap()
                .effect,
            Effect::Unchanged
        );
        assert_eq!(intents(&service).await, ["welcome", "payment_confirmation"]);
    }

    pub(crate) fn payment(id: &str, amount: &str) -> Payment {
        Payment::from_json(&format!(
            r#"{{"id": "{id}", "customer_id": "C1", "amount": "{amount}", "method": "wallet", "date": "2026-01-15"}}"#
        ))
        .unwrap()
    }

    fn wallet_entry(id: &str, kind: WalletEntryKind, amount: &str, date: &str) -> WalletEntry {
        let date: NaiveDate = date.parse().unwrap();
        WalletEntry {
            id: id.to_owned(),
            customer_id: "C1".to_owned(),
            kind,
            amount: amount.parse().unwrap(),
            date,
            expires_on: (kind == WalletEntryKind::Promotional).then(|| date + Duration::days(60)),
            reference: None,
        }
    }

    /// Money put in the wallet pays the next bills, each rupee once: the applications are
    /// stored with the bills, so the next month starts from what is left.
    pub(crate) async fn a_wallet_pays_the_bills<S: Store>(service: &Service<S>) {
        let product = crate::record::Product::from_json(
            r#"{"id": "P1", "name": "Toned milk 500 ml", "prices": [{"price": "28.50", "effective_from": "2026-01-01"}]}"#,
        )
        .unwrap();
        let delivered = |id: &str, date: &str| {
            Order::from_json(&format!(
                r#"{{"id": "{id}", "customer_id": "C1", "delivery_date": "{date}", "status": "DELIVERED",
                    "items": [{{"product_id": "P1", "quantity": 2, "unit_price": "28.50", "delivered_quantity": 2}}]}}"#
            ))
            .unwrap()
        };
        let changes = ChangeSet::new()
            .write(Write::Product(product))
            .write(Write::Order(delivered("O1", "2026-01-15")))
            .write(Write::Order(delivered("O2", "2026-02-10")));
        service.store().apply(changes).await.unwrap();
        let top_up = wallet_entry("W1", WalletEntryKind::TopUp, "40.00", "2026-01-10");
        let refused = service.record_wallet_entry(top_up.clone(), &actor(1)).await;
        assert!(
            matches!(refused, Err(Error::NotFound { .. })),
            "a wallet needs its customer: {refused:?}"
        );
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        let promotion = wallet_entry("W2", WalletEntryKind::Promotional, "10.00", "2026-01-12");
        for entry in [&top_up, &promotion] {
            let done = service
                .record_wallet_entry(entry.clone(), &actor(1))
                .await
                .unwrap();
            assert_eq!(done.effect, Effect::Changed);
        }
        let again = service
            .record_wallet_entry(top_up.clone(), &actor(2))
            .await
            .unwrap();
        assert_eq!(again.effect, Effect::Unchanged, "the same top-up again");
        let changed = WalletEntry {
            amount: Decimal::new(4100, 2),
            ..top_up.clone()
        };
        let refused = service.record_wallet_entry(changed, &actor(2)).await;
        assert_eq!(
            refused.map_err(|e| e.code()).err(),
            Some("STORE_CONFLICT"),
            "another entry under W1"
        );
        let applied = wallet_entry("W3", WalletEntryKind::Applied, "1.00", "2026-01-13");
        match service.record_wallet_entry(applied, &actor(2)).await {
            Err(Error::Validation(e)) => assert_eq!(e.fields(), ["kind"]),
            other => panic!("applications come from bills only, got {other:?}"),
        }
        let nobody = WalletEntry {
            customer_id: String::new(),
            ..top_up.clone()
        };
        match service.record_wallet_entry(nobody, &actor(2)).await {
            Err(Error::Validation(e)) => assert_eq!(e.fields(), ["customer_id"]),
            other => panic!("an entry names its customer, got {other:?}"),
        }

        // January: 57.00 billed, 50.00 in the wallet on 1 February.
        let billing = Actor::new("billing", "2026-02-01T01:00:00Z".parse().unwrap());
        let january = service
            .finalize_month(Month::new(2026, 1).unwrap(), &billing)
            .await
            .unwrap();
        let bill = &january[0];
        assert_eq!(
            (
                bill.total.to_string(),
                bill.wallet_applied.to_string(),
                bill.amount_due.to_string()
            ),
            ("57.00".into(), "50.00".into(), "7.00".into())
        );
        let wallet = service.wallet("C1").await.unwrap();
        let payment = bill.wallet_payment.as_ref().unwrap();
        let summary = service.loyalty_summary("C1", billing.at).await.unwrap();
        assert_eq!(
            summary.map(|s| s.balance),
            Some(50),
            "the wallet's 50.00 earns as a payment, at BRONZE's 1.0"
        );
        assert_eq!(
            wallet.entries.last(),
            Some(&WalletEntry::application(payment))
        );
        let first_of_february = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        assert_eq!(wallet.balance_on(first_of_february).unwrap(), Decimal::ZERO);

        // February: 57.00 more and the 7.00 left; the wallet was emptied in January, so only
        // the new top-up pays.
        let top_up = wallet_entry("W4", WalletEntryKind::TopUp, "100.00", "2026-02-05");
        service
            .record_wallet_entry(top_up, &actor(3))
            .await
            .unwrap();
        let billing = Actor::new("billing", "2026-03-01T01:00:00Z".parse().unwrap());
        let february = Month::new(2026, 2).unwrap();
        let bills = service.finalize_month(february, &billing).await.unwrap();
        let bill = &bills[0];
        assert_eq!(
            (
                bill.opening_balance.to_string(),
                bill.wallet_applied.to_string(),
                bill.amount_due.to_string()
            ),
            ("7.00".into(), "64.00".into(), "0.00".into())
        );
        let again = service.finalize_month(february, &billing).await.unwrap();
        assert!(again.is_empty(), "February is billed once");
        let wallet = service.wallet("C1").await.unwrap();
        let first_of_march = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            wallet.balance_on(first_of_march).unwrap().to_string(),
            "36.00"
        );
        let applied: Vec<_> = wallet
            .entries
            .iter()
            .filter(|e| e.kind == WalletEntryKind::Applied)
            .map(|e| e.amount.to_string())
            .collect();
        assert_eq!(applied, ["50.00", "64.00"]);
    }

    /// Registration, an order and its delivery, payments, a redemption and sweeps: what a
    /// customer goes through, on any store.
    pub(crate) async fn a_customer_through_the_engines<S: Store>(service: &Service<S>) {
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        assert_eq!(
            service.activation_state("C1").await.unwrap(),
            Some(ActivationState::New)
        );
        service.place_order(order(), &actor(2)).await.unwrap();
        assert_eq!(
            service.activation_state("C1").await.unwrap(),
            Some(ActivationState::Onboarded)
        );
        service.dispatch_order("O1", &actor(3)).await.unwrap();
        service
            .confirm_delivery("O1", &[Decimal::TWO], None, &actor(4))
            .await
            .unwrap();
        assert_eq!(
            service.activation_state("C1").await.unwrap(),
            Some(ActivationState::Active)
        );
        service
            .record_payment(payment("PAY1", "2000.00"), &actor(5))
            .await
            .unwrap();
        let again = service
            .record_payment(payment("PAY1", "2000.00"), &actor(6))
            .await
            .unwrap();
        assert_eq!(again.effect, Effect::Unchanged);
        let summary = service
            .loyalty_summary("C1", actor(7).at)
            .await
            .unwrap()
            .unwrap();
        assert!(summary.balance > 0, "a wallet payment earns: {summary:?}");
        let earned = summary.balance;
        let redemption = service
            .redeem_points("C1", earned, Decimal::new(5000, 0), "BILL-1", actor(8).at)
            .await
            .unwrap();
        assert_eq!(redemption.points, earned);
        let repeated = service
            .redeem_points("C1", earned, Decimal::new(5000, 0), "BILL-1", actor(9).at)
            .await
            .unwrap();
        assert_eq!(repeated, redemption, "the same key redeems once");
        let after = service
            .loyalty_summary("C1", actor(10).at)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.balance, 0);
        assert_eq!(service.store().loyalty_facts("C1").await.unwrap().len(), 3);

        // Weeks without activity: the sweep moves the customer on, once per morning.
        let later = actor(0).at + Duration::days(60);
        let swept = service.run_daily_sweep(later).await.unwrap();
        let states: Vec<_> = swept.iter().map(|t| t.transition.to).collect();
        assert!(
            states.contains(&ActivationState::Inactive),
            "the sweep finds the customer inactive: {states:?}"
        );
        assert!(service.run_daily_sweep(later).await.unwrap().is_empty());
        let timeline = service.store().activation_timeline("C1").await.unwrap();
        assert_eq!(
            timeline.last().map(|t| t.to),
            service.activation_state("C1").await.unwrap()
        );
        let sent: Vec<String> = service
            .store()
            .claim_intents("t", 100, later, Duration::minutes(1))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.intent.template)
            .collect();
        assert!(sent.contains(&"we_miss_you".to_owned()), "{sent:?}");
        assert_eq!(
            sent.iter().filter(|t| *t == "welcome").count(),
            1,
            "one welcome: {sent:?}"
        );
    }

    fn october_order(id: &str, customer: &str, day: u32, status: &str) -> Order {
        let delivered = if status == "DELIVERED" {
            r#", "delivered_quantity": 2"#
        } else {
            ""
        };
        Order::from_json(&format!(
            r#"{{"id": "{id}", "customer_id": "{customer}", "delivery_date": "2026-10-{day:02}",
                "status": "{status}",
                "items": [{{"product_id": "P1", "quantity": 2, "unit_price": "28.50"{delivered}}}]}}"#
        ))
        .unwrap()
    }

    /// October finalized twice (the second time bills nothing), a delivery confirmed after
    /// its customer's bill, then November: the late delivery is an arrears line, the numbers
    /// run on without a gap, and every delivered rupee is on exactly one bill.
    pub(crate) async fn a_month_finalized<S: Store>(service: &Service<S>) {
        let product = crate::record::Product::from_json(
            r#"{"id": "P1", "name": "Ghee 200 g", "prices": [{"price": "28.50", "effective_from": "2026-01-01"}]}"#,
        )
        .unwrap();
        let changes = ChangeSet::new()
            .write(Write::Product(product))
            .write(Write::Order(october_order("O1", "C1", 10, "DELIVERED")))
            .write(Write::Order(october_order("O2", "C2", 20, "DELIVERED")))
            .write(Write::Order(october_order(
                "O3",
                "C1",
                31,
                "OUT_FOR_DELIVERY",
            )));
        service.store().apply(changes).await.unwrap();
        let october = Month::new(2026, 10).unwrap();
        let at = |day: u32| {
            Actor::new(
                "billing",
                format!("2026-11-{day:02}T01:00:00Z").parse().unwrap(),
            )
        };
        let bills = service.finalize_month(october, &at(1)).await.unwrap();
        let numbers: Vec<_> = bills.iter().map(|b| b.number.clone().unwrap()).collect();
        assert_eq!(numbers, ["EB/26-27/000001", "EB/26-27/000002"]);
        assert_eq!(bills[0].customer_id, "C1");
        assert_eq!(bills[0].total.to_string(), "57.00");
        assert!(
            service
                .finalize_month(october, &at(1))
                .await
                .unwrap()
                .is_empty(),
            "a second call bills nothing"
        );
        assert_eq!(
            service.store().bill("EB/26-27/000001").await.unwrap(),
            Some(bills[0].clone())
        );

        // O3, delivered on the 31st, is confirmed only after October was billed.
        service
            .confirm_delivery("O3", &[Decimal::TWO], None, &at(2))
            .await
            .unwrap();
        assert!(
            service
                .finalize_month(october, &at(2))
                .await
                .unwrap()
                .is_empty()
        );
        let november = Month::new(2026, 11).unwrap();
        let later = service.finalize_month(november, &at(30)).await.unwrap();
        let numbers: Vec<_> = later.iter().map(|b| b.number.clone().unwrap()).collect();
        assert_eq!(numbers, ["EB/26-27/000003", "EB/26-27/000004"]);
        let arrears: Vec<_> = later[0]
            .lines
            .iter()
            .map(|l| (l.kind, l.original_month, l.amount.to_string()))
            .collect();
        assert_eq!(
            arrears,
            [(
                billing::LineKind::Arrears,
                Some(october),
                "57.00".to_owned()
            )]
        );
        assert_eq!(later[1].customer_id, "C2");
        assert_eq!(later[1].opening_balance.to_string(), "57.00");
        assert_eq!(
            service.store().number_series().await.unwrap(),
            Some(NumberSeries {
                financial_year: FinancialYear(2026),
                last: 4
            })
        );
        assert_eq!(service.store().bills_of("C1").await.unwrap().len(), 2);
        let input = service
            .store()
            .billing_input(november.last_day())
            .await
            .unwrap();
        let report = billing::reconcile(&input, november);
        assert!(
            report.missing.is_empty() && report.inconsistencies.is_empty(),
            "{report:?}"
        );
        let trail = service
            .store()
            .audit_trail("bill", "EB/26-27/000003")
            .await
            .unwrap();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0].action, "finalized");
        let reminders = service
            .store()
            .claim_intents("t", 100, at(30).at, Duration::minutes(1))
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.intent.template == "payment_reminder")
            .count();
        assert_eq!(reminders, 4, "one reminder per bill with something due");
    }

    /// Points redeemed through the service reach the bill: the redemption's credit is a
    /// loyalty line of the month it was made in (business-local), the total is less by it,
    /// and no later finalization bills it again. A key already used by another customer's
    /// credit is refused and stores nothing.
    pub(crate) async fn redeemed_points_credit_the_bill<S: Store>(service: &Service<S>) {
        let product = crate::record::Product::from_json(
            r#"{"id": "P1", "name": "Toned milk 500 ml", "prices": [{"price": "28.50", "effective_from": "2026-01-01"}]}"#,
        )
        .unwrap();
        let delivered = Order::from_json(
            r#"{"id": "O1", "customer_id": "C1", "delivery_date": "2026-01-15", "status": "DELIVERED",
                "items": [{"product_id": "P1", "quantity": 2, "unit_price": "28.50", "delivered_quantity": 2}]}"#,
        )
        .unwrap();
        let changes = ChangeSet::new()
            .write(Write::Product(product))
            .write(Write::Order(delivered));
        service.store().apply(changes).await.unwrap();
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        service
            .record_payment(payment("PAY1", "2000.00"), &actor(5))
            .await
            .unwrap();
        // 01:30 on 21 January in India.
        let now: DateTime<Utc> = "2026-01-20T20:00:00Z".parse().unwrap();
        let key = "BILL-2026-01";
        let charges = Decimal::new(11400, 2);
        let redemption = service
            .redeem_points("C1", 100, charges, key, now)
            .await
            .unwrap();
        assert_eq!(redemption.amount.to_string(), "50.00");
        let repeated = service
            .redeem_points("C1", 100, charges, key, now + chrono::Duration::days(1))
            .await
            .unwrap();
        assert_eq!(repeated, redemption);
        let january = Month::new(2026, 1).unwrap();
        let input = service
            .store()
            .billing_input(january.last_day())
            .await
            .unwrap();
        assert_eq!(
            input.credits,
            [Credit::from_redemption(
                &redemption,
                NaiveDate::from_ymd_opt(2026, 1, 21).unwrap()
            )],
            "one credit, dated the business-local day of the redemption"
        );

        let billing = Actor::new("billing", "2026-02-01T01:00:00Z".parse().unwrap());
        let bills = service.finalize_month(january, &billing).await.unwrap();
        assert_eq!(bills.len(), 1);
        let credit_lines: Vec<_> = bills[0]
            .lines
            .iter()
            .filter(|l| l.kind == billing::LineKind::LoyaltyRedemption)
            .map(|l| (l.amount.to_string(), l.sources[0].source.clone()))
            .collect();
        assert_eq!(
            credit_lines,
            [(
                "-50.00".to_owned(),
                billing::SourceRef::Credit {
                    credit_id: billing::SourceId::new(key)
                }
            )]
        );
        assert_eq!(bills[0].subtotal.to_string(), "57.00");
        assert_eq!(bills[0].credits.to_string(), "50.00");
        assert_eq!(bills[0].total.to_string(), "7.00");
        assert!(
            service
                .finalize_month(january, &billing)
                .await
                .unwrap()
                .is_empty(),
            "a second call bills nothing"
        );
        let february = Month::new(2026, 2).unwrap();
        let march = Actor::new("billing", "2026-03-01T01:00:00Z".parse().unwrap());
        service.finalize_month(february, &march).await.unwrap();
        let credited = service
            .store()
            .bills_of("C1")
            .await
            .unwrap()
            .iter()
            .flat_map(|b| {
                b.sources()
                    .map(|(_, s)| s.source.clone())
                    .collect::<Vec<_>>()
            })
            .filter(|s| matches!(s, billing::SourceRef::Credit { .. }))
            .count();
        assert_eq!(credited, 1, "the credit is billed once");

        let other = Customer {
            id: "C2".into(),
            phone: "+919845012346".into(),
            ..customer()
        };
        service.register_customer(other, &actor(0)).await.unwrap();
        let paid = Payment {
            customer_id: "C2".into(),
            ..payment("PAY2", "2000.00")
        };
        service.record_payment(paid, &actor(5)).await.unwrap();
        let facts = service.store().loyalty_facts("C2").await.unwrap();
        let taken = service.redeem_points("C2", 100, charges, key, now).await;
        assert!(
            matches!(&taken, Err(Error::Store(StoreError::Conflict(m))) if m.contains("another credit")),
            "another customer's credit id: {taken:?}"
        );
        assert_eq!(service.store().loyalty_facts("C2").await.unwrap(), facts);
    }

    #[tokio::test]
    async fn redeemed_points_credit_the_bill_in_memory() {
        redeemed_points_credit_the_bill(&Service::new(MemoryStore::new())).await;
    }

    #[tokio::test]
    async fn a_wallet_pays_the_bills_in_memory() {
        a_wallet_pays_the_bills(&Service::new(MemoryStore::new())).await;
    }

    #[tokio::test]
    async fn a_month_is_finalized_once_in_memory() {
        a_month_finalized(&Service::new(MemoryStore::new())).await;
    }

    #[tokio::test]
    async fn the_engines_follow_the_operations_in_memory() {
        a_customer_through_the_engines(&Service::new(MemoryStore::new())).await;
    }

    #[tokio::test]
    async fn redeeming_more_than_the_balance_is_refused_and_stores_nothing() {
        let service = Service::new(MemoryStore::new());
        service
            .register_customer(customer(), &actor(0))
            .await
            .unwrap();
        service
            .record_payment(payment("PAY1", "100.00"), &actor(1))
            .await
            .unwrap();
        let err = service
            .redeem_points(
                "C1",
                1_000_000,
                Decimal::new(5000, 0),
                "BILL-1",
                actor(2).at,
            )
            .await
            .unwrap_err();
        assert!(
            err.code().starts_with("LOYALTY_") || err.code() == "VALIDATION_FAILED",
            "{}",
            err.code()
        );
        assert_eq!(service.store().loyalty_facts("C1").await.unwrap().len(), 1);
    }
}
