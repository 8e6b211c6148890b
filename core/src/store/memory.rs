//! The in-memory store: for tests, demos and hosts that keep their data elsewhere.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{
    Applied, ChangeSet, Expectation, LoyaltyFact, OutboxEntry, RecordKind, Store, StoreError,
    Write, activation_key, billed_sources, check_balance, wallet_owners, wallet_writes,
};
use crate::activation::{ActivationEvent, CustomerSnapshot, Transition};
use crate::audit::AuditRecord;
use crate::billing::{Bill, BillingInput, Credit, NumberSeries, SourceRef, Wallet, WalletEntry};
use crate::notification::NotificationIntent;
use crate::record::{Customer, DeliveryRecord, Order, Payment, Product, Subscription};

#[derive(Debug)]
struct Outboxed {
    intent: NotificationIntent,
    lease: Option<(String, DateTime<Utc>)>,
    sent: bool,
}

#[derive(Debug, Default)]
struct State {
    customers: BTreeMap<String, Customer>,
    products: BTreeMap<String, Product>,
    subscriptions: BTreeMap<String, Subscription>,
    orders: BTreeMap<String, Order>,
    deliveries: BTreeMap<String, DeliveryRecord>,
    payments: BTreeMap<String, Payment>,
    /// By customer, then event key.
    activation_events: BTreeMap<(String, String), ActivationEvent>,
    snapshots: BTreeMap<String, CustomerSnapshot>,
    transitions: Vec<(String, Transition)>,
    /// By customer: (key, fact) in the order written.
    loyalty: BTreeMap<String, Vec<(String, LoyaltyFact)>>,
    /// Finalized bills by number, and the bill each billed source is in.
    bills: BTreeMap<String, Bill>,
    billed: HashMap<SourceRef, String>,
    /// Credits by id.
    credits: BTreeMap<String, Credit>,
    /// Wallet entries by id.
    wallet: BTreeMap<String, WalletEntry>,
    /// By financial year.
    series: BTreeMap<i32, NumberSeries>,
    audit: Vec<AuditRecord>,
    outbox: BTreeMap<u64, Outboxed>,
    next_seq: u64,
}

impl State {
    fn has(&self, kind: RecordKind, id: &str) -> bool {
        match kind {
            RecordKind::Customer => self.customers.contains_key(id),
            RecordKind::Product => self.products.contains_key(id),
            RecordKind::Subscription => self.subscriptions.contains_key(id),
            RecordKind::Order => self.orders.contains_key(id),
            RecordKind::Delivery => self.deliveries.contains_key(id),
            RecordKind::Payment => self.payments.contains_key(id),
        }
    }

    fn check(&self, expectation: &Expectation) -> Result<(), StoreError> {
        match expectation {
            Expectation::Absent { kind, id } if self.has(*kind, id) => Err(StoreError::Conflict(
                format!("{kind:?} {id} already exists"),
            )),
            Expectation::OrderStatus { order_id, status } => {
                match self.orders.get(order_id).map(|o| o.status) {
                    Some(found) if found == *status => Ok(()),
                    found => Err(StoreError::Conflict(format!(
                        "order {order_id} expected {status}, found {}",
                        found.map_or("no order".to_owned(), |s| s.to_string())
                    ))),
                }
            }
            Expectation::Absent { .. } => Ok(()),
            Expectation::ActivationSnapshot {
                customer_id,
                snapshot,
            } => {
                let found = self.snapshots.get(customer_id).map(|s| s.snapshot);
                if found == *snapshot {
                    Ok(())
                } else {
                    Err(StoreError::Conflict(format!(
                        "the activation of customer {customer_id} changed"
                    )))
                }
            }
            Expectation::NumberSeries { series } => {
                if self.latest_series() == *series {
                    Ok(())
                } else {
                    Err(StoreError::Conflict(
                        "the bill number series changed".to_owned(),
                    ))
                }
            }
            Expectation::LoyaltyFacts { customer_id, count } => {
                let found = self.loyalty.get(customer_id).map_or(0, Vec::len);
                if u64::try_from(found).ok() == Some(*count) {
                    Ok(())
                } else {
                    Err(StoreError::Conflict(format!(
                        "the loyalty ledger of customer {customer_id} changed"
                    )))
                }
            }
        }
    }

    fn latest_series(&self) -> Option<NumberSeries> {
        self.series.values().next_back().copied()
    }

    /// Refuses bills that would take a number or bill a source a second time, credits and
    /// wallet entries under an id another one is stored (or written in this change) under,
    /// and wallet entries that would overdraw their wallet.
    fn admit(&self, writes: &[Write]) -> Result<(), StoreError> {
        let mut numbers = HashSet::new();
        let mut sources = HashSet::new();
        let mut credits: BTreeMap<&str, &Credit> = BTreeMap::new();
        let mut entries: BTreeMap<&str, &WalletEntry> = BTreeMap::new();
        for write in writes {
            match write {
                Write::Credit(c) => admit_once(&self.credits, &mut credits, &c.id, c, "credit")?,
                Write::WalletEntry(e) => {
                    admit_once(&self.wallet, &mut entries, &e.id, e, "wallet entry")?;
                }
                _ => {}
            }
            let Write::Bill(bill) = write else { continue };
            let number = bill.number.clone().unwrap_or_default();
            if self.bills.contains_key(&number) || !numbers.insert(number.clone()) {
                return Err(StoreError::Conflict(format!(
                    "bill {number} already exists"
                )));
            }
            for source in billed_sources(bill) {
                if let Some(other) = self.billed.get(source) {
                    return Err(StoreError::Conflict(format!(
                        "{source} is already billed in {other}"
                    )));
                }
                if !sources.insert(source) {
                    return Err(StoreError::Conflict(format!(
                        "{source} is billed twice in this change"
                    )));
                }
            }
        }
        let written = wallet_writes(writes);
        for customer_id in wallet_owners(&written) {
            let after = self
                .wallet
                .values()
                .chain(entries.values().copied())
                .filter(|e| e.customer_id == customer_id)
                .cloned();
            check_balance(customer_id, after.collect(), &written)?;
        }
        Ok(())
    }

    fn write(&mut self, write: Write) {
        match write {
            Write::Customer(r) => _ = self.customers.insert(r.id.clone(), r),
            Write::Product(r) => _ = self.products.insert(r.id.clone(), r),
            Write::Subscription(r) => _ = self.subscriptions.insert(r.id.clone(), r),
            Write::Order(r) => _ = self.orders.insert(r.id.clone(), r),
            Write::Delivery(r) => _ = self.deliveries.insert(r.id.clone(), r),
            Write::Payment(r) => _ = self.payments.insert(r.id.clone(), r),
            Write::ActivationEvent(e) => {
                let key = (e.customer_id.clone(), activation_key(&e));
                self.activation_events.entry(key).or_insert(e);
            }
            Write::ActivationSnapshot(s) => _ = self.snapshots.insert(s.customer_id.clone(), s),
            Write::ActivationTransition {
                customer_id,
                transition,
            } => self.transitions.push((customer_id, transition)),
            Write::LoyaltyFact {
                customer_id,
                key,
                fact,
            } => {
                let facts = self.loyalty.entry(customer_id).or_default();
                if !facts.iter().any(|(k, _)| *k == key) {
                    facts.push((key, fact));
                }
            }
            Write::Bill(bill) => {
                let number = bill.number.clone().unwrap_or_default();
                for source in billed_sources(&bill) {
                    self.billed.insert(source.clone(), number.clone());
                }
                self.bills.insert(number, bill);
            }
            Write::NumberSeries(series) => {
                self.series.insert(series.financial_year.0, series);
            }
            Write::Credit(credit) => {
                self.credits.entry(credit.id.clone()).or_insert(credit);
            }
            Write::WalletEntry(entry) => {
                self.wallet.entry(entry.id.clone()).or_insert(entry);
            }
        }
    }
}

/// Admits a document stored once under its id (credits, wallet entries): the same one again,
/// stored or earlier in the change, is a no-op; another one under the id is a conflict. A new
/// one joins `new`, what the change adds.
fn admit_once<'w, T: PartialEq>(
    stored: &BTreeMap<String, T>,
    new: &mut BTreeMap<&'w str, &'w T>,
    id: &'w str,
    value: &'w T,
    what: &str,
) -> Result<(), StoreError> {
    match stored.get(id).or_else(|| new.get(id).copied()) {
        Some(earlier) if earlier != value => Err(StoreError::Conflict(format!(
            "another {what} {id} already exists"
        ))),
        Some(_) => Ok(()),
        None => {
            new.insert(id, value);
            Ok(())
        }
    }
}

/// Keeps everything in memory behind one lock; each change set is applied under it.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock cannot leave a half-applied change set:
        // every change is checked before the first write, so the data is still whole.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn sorted_by<T: Clone, K: Ord>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut items: Vec<T> = items.collect();
    items.sort_by_key(|item| key(item));
    items
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn apply(&self, changes: ChangeSet) -> Result<Applied, StoreError> {
        changes.validate()?;
        let mut state = self.state();
        for expectation in &changes.expectations {
            state.check(expectation)?;
        }
        state.admit(&changes.writes)?;
        for write in changes.writes {
            state.write(write);
        }
        state.audit.extend(changes.audit);
        let mut applied = Applied::default();
        for intent in changes.intents {
            state.next_seq += 1;
            let seq = state.next_seq;
            state.outbox.insert(
                seq,
                Outboxed {
                    intent,
                    lease: None,
                    sent: false,
                },
            );
            applied.outbox.push(seq);
        }
        Ok(applied)
    }

    async fn customer(&self, id: &str) -> Result<Option<Customer>, StoreError> {
        Ok(self.state().customers.get(id).cloned())
    }

    async fn customers(&self) -> Result<Vec<Customer>, StoreError> {
        Ok(self.state().customers.values().cloned().collect())
    }

    async fn product(&self, id: &str) -> Result<Option<Product>, StoreError> {
        Ok(self.state().products.get(id).cloned())
    }

    async fn products(&self) -> Result<Vec<Product>, StoreError> {
        Ok(self.state().products.values().cloned().collect())
    }

    async fn subscription(&self, id: &str) -> Result<Option<Subscription>, StoreError> {
        Ok(self.state().subscriptions.get(id).cloned())
    }

    async fn subscriptions_of(&self, customer_id: &str) -> Result<Vec<Subscription>, StoreError> {
        let state = self.state();
        let of = state
            .subscriptions
            .values()
            .filter(|s| s.customer_id == customer_id);
        Ok(of.cloned().collect())
    }

    async fn order(&self, id: &str) -> Result<Option<Order>, StoreError> {
        Ok(self.state().orders.get(id).cloned())
    }

    async fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, StoreError> {
        let state = self.state();
        let of = state
            .orders
            .values()
            .filter(|o| o.customer_id == customer_id)
            .cloned();
        Ok(sorted_by(of, |o| (o.delivery_date, o.id.clone())))
    }

    async fn orders_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Order>, StoreError> {
        let state = self.state();
        let within = state
            .orders
            .values()
            .filter(|o| (from..=to).contains(&o.delivery_date))
            .cloned();
        Ok(sorted_by(within, |o| (o.delivery_date, o.id.clone())))
    }

    async fn delivery(&self, id: &str) -> Result<Option<DeliveryRecord>, StoreError> {
        Ok(self.state().deliveries.get(id).cloned())
    }

    async fn deliveries_of(&self, customer_id: &str) -> Result<Vec<DeliveryRecord>, StoreError> {
        let state = self.state();
        let of = state
            .deliveries
            .values()
            .filter(|d| d.customer_id == customer_id)
            .cloned();
        Ok(sorted_by(of, |d| (d.date, d.id.clone())))
    }

    async fn deliveries_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let state = self.state();
        let within = state
            .deliveries
            .values()
            .filter(|d| (from..=to).contains(&d.date))
            .cloned();
        Ok(sorted_by(within, |d| (d.date, d.id.clone())))
    }

    async fn payment(&self, id: &str) -> Result<Option<Payment>, StoreError> {
        Ok(self.state().payments.get(id).cloned())
    }

    async fn payments_of(&self, customer_id: &str) -> Result<Vec<Payment>, StoreError> {
        let state = self.state();
        let of = state
            .payments
            .values()
            .filter(|p| p.customer_id == customer_id)
            .cloned();
        Ok(sorted_by(of, |p| (p.date, p.id.clone())))
    }

    async fn audit_trail(
        &self,
        entity: &str,
        entity_id: &str,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let state = self.state();
        let trail = state
            .audit
            .iter()
            .filter(|a| a.entity == entity && a.entity_id == entity_id);
        Ok(trail.cloned().collect())
    }

    async fn activation_events(
        &self,
        customer_id: &str,
    ) -> Result<Vec<ActivationEvent>, StoreError> {
        let state = self.state();
        let of = state
            .activation_events
            .iter()
            .filter(|((c, _), _)| c == customer_id)
            .map(|(_, e)| e.clone());
        Ok(sorted_by(of, ActivationEvent::key))
    }

    async fn activation_snapshot(
        &self,
        customer_id: &str,
    ) -> Result<Option<CustomerSnapshot>, StoreError> {
        Ok(self.state().snapshots.get(customer_id).cloned())
    }

    async fn activation_snapshots(&self) -> Result<Vec<CustomerSnapshot>, StoreError> {
        Ok(self.state().snapshots.values().cloned().collect())
    }

    async fn activation_timeline(&self, customer_id: &str) -> Result<Vec<Transition>, StoreError> {
        let state = self.state();
        let of = state.transitions.iter().filter(|(c, _)| c == customer_id);
        Ok(of.map(|(_, t)| t.clone()).collect())
    }

    async fn loyalty_facts(&self, customer_id: &str) -> Result<Vec<LoyaltyFact>, StoreError> {
        let state = self.state();
        let facts = state.loyalty.get(customer_id).into_iter().flatten();
        Ok(facts.map(|(_, f)| f.clone()).collect())
    }

    async fn bill(&self, number: &str) -> Result<Option<Bill>, StoreError> {
        Ok(self.state().bills.get(number).cloned())
    }

    async fn bills_of(&self, customer_id: &str) -> Result<Vec<Bill>, StoreError> {
        let state = self.state();
        let of = state
            .bills
            .values()
            .filter(|b| b.customer_id == customer_id)
            .cloned();
        Ok(sorted_by(of, |b| (b.month, b.number.clone())))
    }

    async fn wallet(&self, customer_id: &str) -> Result<Wallet, StoreError> {
        let state = self.state();
        let of = state
            .wallet
            .values()
            .filter(|e| e.customer_id == customer_id);
        Ok(Wallet {
            customer_id: customer_id.to_owned(),
            entries: sorted_by(of.cloned(), |e| (e.date, e.id.clone())),
        })
    }

    async fn number_series(&self) -> Result<Option<NumberSeries>, StoreError> {
        Ok(self.state().latest_series())
    }

    async fn billing_input(&self, until: NaiveDate) -> Result<BillingInput, StoreError> {
        let state = self.state();
        let orders = state
            .orders
            .values()
            .filter(|o| o.delivery_date <= until)
            .cloned();
        let deliveries = state
            .deliveries
            .values()
            .filter(|d| d.date <= until)
            .cloned();
        let payments = state.payments.values().cloned();
        let credits = state.credits.values().filter(|c| c.date <= until).cloned();
        let wallet = state.wallet.values().cloned();
        Ok(BillingInput {
            products: state.products.values().cloned().collect(),
            subscriptions: state.subscriptions.values().cloned().collect(),
            orders: sorted_by(orders, |o| (o.delivery_date, o.id.clone())),
            deliveries: sorted_by(deliveries, |d| (d.date, d.id.clone())),
            bills: state.bills.values().cloned().collect(),
            payments: sorted_by(payments, |p| (p.date, p.id.clone())),
            credits: sorted_by(credits, |c| (c.date, c.id.clone())),
            wallet: sorted_by(wallet, |e| (e.date, e.id.clone())),
        })
    }

    async fn claim_intents(
        &self,
        claimant: &str,
        limit: usize,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut state = self.state();
        let mut claimed = Vec::new();
        for (seq, entry) in state.outbox.iter_mut() {
            if claimed.len() >= limit {
                break;
            }
            let free = entry.lease.as_ref().is_none_or(|(_, until)| *until <= now);
            if !entry.sent && free {
                entry.lease = Some((claimant.to_owned(), now + lease));
                claimed.push(OutboxEntry {
                    seq: *seq,
                    intent: entry.intent.clone(),
                });
            }
        }
        Ok(claimed)
    }

    async fn mark_sent(&self, claimant: &str, seqs: &[u64]) -> Result<usize, StoreError> {
        let mut state = self.state();
        let mut marked = 0;
        for seq in seqs {
            if let Some(entry) = state.outbox.get_mut(seq) {
                let held = entry.lease.as_ref().is_some_and(|(who, _)| who == claimant);
                if held && !entry.sent {
                    entry.sent = true;
                    marked += 1;
                }
            }
        }
        Ok(marked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_memory_store_passes_the_conformance_suite() {
        let checks = super::super::conformance::run(|| async { MemoryStore::new() }).await;
        assert!(checks >= 15, "only {checks} checks ran");
    }
}
