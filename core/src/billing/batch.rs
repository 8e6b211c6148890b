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
    let accounts = accounts(&catalog, month.last_day());
    let results: Vec<Result<Option<Bill>, BillingError>> = accounts
        .par_iter()
        .map(|account| {
            let mut problems = Problems::new();
            match bill_account(&catalog, account, month, config, &mut problems) {
                Ok(bill) => problems.finish(Some(bill)).map_err(BillingError::from),
                Err(BillingError::MonthClosed { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .collect();
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

/// Every customer's share of the input for a bill of a month ending on `last`, sorted by
/// customer id. The delivery records are read once, in input order (in parallel), into
/// entries that are then moved to their customer.
pub(crate) fn accounts<'a>(catalog: &Catalog<'a>, last: NaiveDate) -> Vec<Account<'a>> {
    let input = catalog.input;
    let mut index: FxHashMap<CompactString, u32> = FxHashMap::default();
    let mut ids: Vec<&'a str> = Vec::new();
    let mut id_of = |customer: &'a str| -> u32 {
        if let Some(&c) = index.get(customer) {
            return c;
        }
        let c = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        index.insert(CompactString::new(customer), c);
        ids.push(customer);
        c
    };
    let owner: Vec<u32> = input
        .deliveries
        .iter()
        .map(|d| id_of(&d.customer_id))
        .collect();
    let orders: Vec<u32> = input.orders.iter().map(|o| id_of(&o.customer_id)).collect();
    let bills: Vec<u32> = input.bills.iter().map(|b| id_of(&b.customer_id)).collect();
    let payments: Vec<u32> = input
        .payments
        .iter()
        .map(|p| id_of(&p.customer_id))
        .collect();
    let credits: Vec<u32> = input
        .credits
        .iter()
        .map(|c| id_of(&c.customer_id))
        .collect();
    let wallet: Vec<u32> = input.wallet.iter().map(|w| id_of(&w.customer_id)).collect();

    let mut counts = vec![0u32; ids.len()];
    for &c in &owner {
        counts[c as usize] += 1;
    }
    let mut accounts: Vec<Account<'a>> = ids
        .iter()
        .zip(&counts)
        .map(|(id, &n)| Account {
            customer_id: id,
            deliveries: Vec::with_capacity(n as usize),
            ..Account::default()
        })
        .collect();
    let entries: Vec<Option<Entry>> = (0..u32::try_from(input.deliveries.len())
        .unwrap_or(u32::MAX))
        .into_par_iter()
        .map(|i| catalog.entry(i, last))
        .collect();
    for (entry, &c) in entries.into_iter().zip(&owner) {
        if let Some(entry) = entry {
            accounts[c as usize].deliveries.push(entry);
        }
    }
    spread(&orders, &mut accounts, |a| &mut a.orders);
    spread(&bills, &mut accounts, |a| &mut a.bills);
    spread(&payments, &mut accounts, |a| &mut a.payments);
    spread(&credits, &mut accounts, |a| &mut a.credits);
    spread(&wallet, &mut accounts, |a| &mut a.wallet);
    accounts.sort_unstable_by(|a, b| a.customer_id.cmp(b.customer_id));
    accounts
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
