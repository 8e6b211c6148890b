//! Plain-text renderings of a bill and of a reconciliation report (the demo prints them).

use std::fmt;

use super::{Bill, BillStatus, Inconsistency, ReconciliationReport, round_paise};

impl fmt::Display for Bill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.number.as_deref().unwrap_or("(draft)");
        writeln!(
            f,
            "Bill {number}  customer {}  month {}",
            self.customer_id, self.month
        )?;
        writeln!(
            f,
            "Bill date {}  due {}  {}",
            self.bill_date,
            self.due_date,
            match self.status {
                BillStatus::Draft => "DRAFT",
                BillStatus::Finalized => "FINALIZED",
            }
        )?;
        writeln!(
            f,
            "{:<44} {:>9} {:>9} {:>6} {:>11}",
            "", "qty", "price", "GST%", "amount"
        )?;
        for l in &self.lines {
            let price = l.unit_price.map(|p| p.to_string()).unwrap_or_default();
            let (quantity, rate) = if l.kind.is_charge() {
                (l.quantity.to_string(), l.gst_rate.to_string())
            } else {
                (String::new(), String::new())
            };
            writeln!(
                f,
                "{:<44} {:>9} {:>9} {:>6} {:>11}",
                l.description, quantity, price, rate, l.amount
            )?;
        }
        let row = |f: &mut fmt::Formatter<'_>, label: &str, amount: &dyn fmt::Display| {
            writeln!(f, "{label:>71} {amount:>11}")
        };
        row(f, "Subtotal", &self.subtotal)?;
        for t in &self.taxes {
            row(f, &format!("GST {}% on {}", t.rate, t.taxable), &t.tax)?;
        }
        row(f, "Credits", &round_paise(-self.credits))?;
        if !self.round_off.is_zero() {
            row(f, "Round-off", &self.round_off)?;
        }
        row(f, "Total", &self.total)?;
        row(f, "Opening balance", &self.opening_balance)?;
        row(f, "Paid from wallet", &round_paise(-self.wallet_applied))?;
        row(f, "Amount due", &self.amount_due)
    }
}

impl fmt::Display for ReconciliationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Reconciliation through {}: {} delivered item(s) in no finalized bill, Rs {} missing",
            self.through,
            self.missing.len(),
            self.total_missing
        )?;
        for m in &self.missing {
            let price = m
                .unit_price
                .map_or_else(|| "no price".to_owned(), |p| p.to_string());
            writeln!(
                f,
                "  {} {} {} {} x {} = {}",
                m.customer_id, m.date, m.source, m.quantity, price, m.amount
            )?;
        }
        writeln!(f, "{} inconsistency(ies)", self.inconsistencies.len())?;
        for i in &self.inconsistencies {
            match i {
                Inconsistency::DeliveryForMissingOrder {
                    delivery_id,
                    order_id,
                } => writeln!(
                    f,
                    "  delivery {delivery_id}: order {order_id} does not exist"
                ),
                Inconsistency::DeliveryForCancelledOrder {
                    delivery_id,
                    order_id,
                } => writeln!(f, "  delivery {delivery_id}: order {order_id} is CANCELLED"),
                Inconsistency::DeliveryForUnconfirmedOrder {
                    delivery_id,
                    order_id,
                    status,
                } => writeln!(
                    f,
                    "  delivery {delivery_id}: order {order_id} is still {status}, so it is not billed"
                ),
                Inconsistency::DeliveryForMissingSubscription {
                    delivery_id,
                    subscription_id,
                } => writeln!(
                    f,
                    "  delivery {delivery_id}: subscription {subscription_id} does not exist"
                ),
                Inconsistency::BilledTwice { source, bills } => {
                    writeln!(f, "  {source} billed in {}", bills.join(" and "))
                }
                Inconsistency::BilledMoreThanDelivered {
                    source,
                    billed,
                    delivered,
                } => writeln!(f, "  {source}: billed {billed}, delivered {delivered}"),
                Inconsistency::LinesDoNotAddUp {
                    customer_id,
                    month,
                    number,
                    problems,
                } => writeln!(
                    f,
                    "  bill {} of {customer_id} for {month}: {}",
                    number.as_deref().unwrap_or("(draft)"),
                    problems.join("; ")
                ),
            }?;
        }
        Ok(())
    }
}
