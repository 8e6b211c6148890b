//! Billing a whole month for every customer in one call (rule 2.10).
//!
//! The records are bucketed by customer once (one hash look-up per record in a table with
//! inline keys), then customers are billed in parallel.
//! The cost is linear in the number of records; the result is the same as billing the
//! customers one by one with [`compute_bill`](super::compute_bill).

use chrono::NaiveDate;
use compact_str::CompactString;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::compute::{Account, Catalog, Entry, bill_account};
use super::{Bill, BillingConfig, BillingError, BillingInput, Month};
use crate::validation::{Problems, ValidationError};

/// The DRAFT bills of `month` for every customer in the input, by customer id.
///
/// A customer whose month (or a later one) is already finalized is left out, and so is a
/// customer whose bill would be empty: no line, no opening balance, no wallet application.
/// Problems of the input are reported all together, whichever customers they belong to.
pub fn bill_month(
    input: &BillingInput,
    month: Month,
    config: &BillingConfig,
) -> Result<Vec<Bill>, BillingError> {
    let catalog = Catalog::new(input);
    let (accounts, _) = accounts(&catalog, month.last_day());
    let results: Vec<Result<Option<Bill>, BillingError>> = accounts
        .par_iter()
        .map(|account| {
            let mut problems = Problems::new();
            draft(
                bill_account(&catalog, account, month, config, &mut problems),
                problems,
            )
        })
        .collect();
    collect_bills(results)
}

/// The draft of one account: `None` when its month is closed; refused when problems were
/// found.
pub(crate) fn draft(
    bill: Result<Bill, BillingError>,
    problems: Problems,
) -> Result<Option<Bill>, BillingError> {
    match bill {
        Ok(bill) => problems.finish(Some(bill)).map_err(BillingError::from),
        Err(BillingError::MonthClosed { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The non-empty drafts, or every problem of every account at once.
pub(crate) fn collect_bills(
    results: Vec<Result<Option<Bill>, BillingError>>,
) -> Result<Vec<Bill>, BillingError> {
    let mut bills = Vec::with_capacity(results.len());
    let mut invalid: Vec<ValidationError> = Vec::new();
    for result in results {
        match result {
            Ok(Some(bill)) if !is_empty(&bill) => bills.push(bill),
            Ok(_) => {}
            Err(BillingError::Invalid(e)) => invalid.push(e),
            Err(e) => return Err(e),
        }
    }
    if !invalid.is_empty() {
        let problems = invalid.into_iter().flat_map(|e| e.problems).collect();
        return Err(ValidationError { problems }.into());
    }
    Ok(bills)
}

fn is_empty(bill: &Bill) -> bool {
    bill.lines.is_empty() && bill.opening_balance.is_zero() && bill.wallet_applied.is_zero()
}

/// Customer ids numbered in order of first appearance, keyed by inline strings.
#[derive(Default)]
struct Customers<'a> {
    index: FxHashMap<CompactString, u32>,
    ids: Vec<&'a str>,
}

impl<'a> Customers<'a> {
    fn with_capacity(n: usize) -> Self {
        Self {
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            ids: Vec::with_capacity(n),
        }
    }

    fn number(&mut self, customer: &'a str) -> u32 {
        if let Some(&c) = self.index.get(customer) {
            return c;
        }
        let c = u32::try_from(self.ids.len()).unwrap_or(u32::MAX);
        self.index.insert(CompactString::new(customer), c);
        self.ids.push(customer);
        c
    }
}

/// A customer number not given yet.
const NEW: u32 = u32::MAX;

/// Every customer's share of the input for a bill of a month ending on `last`, sorted by
/// customer id, and the account of each of the catalog's column customers (their records
/// stay in the columns). The delivery records are read once, in input order and in
/// parallel, into entries tagged with their customer, then moved to their customer.
pub(crate) fn accounts<'a>(catalog: &Catalog<'a>, last: NaiveDate) -> (Vec<Account<'a>>, Vec<u32>) {
    let input = catalog.input;
    // Room for every customer up front: growing the table rehashes it a dozen times.
    let expected =
        input.subscriptions.len() + catalog.columns.map_or(0, |c| c.parts().customer_ids.len());
    let mut customers = Customers::with_capacity(expected);
    let mut number = |records: &mut dyn Iterator<Item = &'a str>| -> Vec<u32> {
        records.map(|c| customers.number(c)).collect()
    };
    // Subscriptions first: they name (nearly) every customer a delivery record names.
    number(&mut input.subscriptions.iter().map(|s| s.customer_id.as_str()));
    let column_customers = number(
        &mut catalog
            .columns
            .iter()
            .flat_map(|c| &c.parts().customer_ids)
            .map(String::as_str),
    );
    let orders = number(&mut input.orders.iter().map(|o| o.customer_id.as_str()));
    let bills = number(&mut input.bills.iter().map(|b| b.customer_id.as_str()));
    let payments = number(&mut input.payments.iter().map(|p| p.customer_id.as_str()));
    let credits = number(&mut input.credits.iter().map(|c| c.customer_id.as_str()));
    let wallet = number(&mut input.wallet.iter().map(|w| w.customer_id.as_str()));
    let known = &customers.index;
    // Record numbers of the input's own records come after the columns'.
    let first = catalog.column_count();
    // An indexed parallel map writes each result in place (no per-thread lists to join).
    let mut entries: Vec<Option<(u32, Entry)>> = (0..u32::try_from(input.deliveries.len())
        .unwrap_or(u32::MAX))
        .into_par_iter()
        .map(|i| {
            let entry = catalog.entry(first + i, last)?;
            let customer = input.deliveries[i as usize].customer_id.as_str();
            Some((known.get(customer).copied().unwrap_or(NEW), entry))
        })
        .collect();
    // One pass numbers the customers only deliveries name and counts entries per customer.
    let mut counts = vec![0u32; customers.ids.len()];
    for (c, entry) in entries.iter_mut().flatten() {
        if *c == NEW {
            *c = customers.number(&input.deliveries[(entry.index - first) as usize].customer_id);
            counts.resize(customers.ids.len(), 0);
        }
        counts[*c as usize] += 1;
    }
    let mut accounts: Vec<Account<'a>> = customers
        .ids
        .iter()
        .zip(&counts)
        .map(|(id, &n)| Account {
            customer_id: id,
            deliveries: Vec::with_capacity(n as usize),
            ..Account::default()
        })
        .collect();
    for (c, entry) in entries.into_iter().flatten() {
        accounts[c as usize].deliveries.push(entry);
    }
    spread(&orders, &mut accounts, |a| &mut a.orders);
    spread(&bills, &mut accounts, |a| &mut a.bills);
    spread(&payments, &mut accounts, |a| &mut a.payments);
    spread(&credits, &mut accounts, |a| &mut a.credits);
    spread(&wallet, &mut accounts, |a| &mut a.wallet);
    // Sorted as (id, number) pairs, which are small to move, not as accounts; customers
    // numbered in id order already (subscriptions listed by customer) cost one pass.
    let mut by_id: Vec<(&'a str, u32)> = customers.ids.iter().copied().zip(0u32..).collect();
    by_id.sort_unstable();
    let mut ranks = vec![0u32; by_id.len()];
    for (rank, &(_, number)) in (0u32..).zip(&by_id) {
        ranks[number as usize] = rank;
    }
    let column_accounts = column_customers
        .iter()
        .map(|&c| ranks[c as usize])
        .collect();
    let mut numbered: Vec<Option<Account<'a>>> = accounts.into_iter().map(Some).collect();
    let sorted = by_id
        .iter()
        .filter_map(|&(_, number)| numbered[number as usize].take())
        .collect();
    (sorted, column_accounts)
}

/// Puts record `i` into the list `pick` of the account that owns it.
fn spread<'a>(
    owners: &[u32],
    accounts: &mut [Account<'a>],
    pick: for<'b> fn(&'b mut Account<'a>) -> &'b mut Vec<u32>,
) {
    for (i, &c) in (0u32..).zip(owners) {
        pick(&mut accounts[c as usize]).push(i);
    }
}
