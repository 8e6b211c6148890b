//! A product with its price history and GST rates.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::{Record, record_serde};
use crate::document::Fields;
use crate::validation::{Problems, Rule, field_path};

/// A price in force from a date on (until the next one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatedPrice {
    pub price: Decimal,
    pub effective_from: NaiveDate,
}

/// A GST rate in percent, in force from a date on (rates change by notification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatedRate {
    pub rate: Decimal,
    /// `None`: in force since always (a document's plain `gst_rate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
}

/// A product, with prices exclusive of GST.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Price history, sorted by `effective_from`.
    pub prices: Vec<DatedPrice>,
    /// GST history, sorted by `effective_from`; empty means 0 % (fresh milk).
    pub gst_rates: Vec<DatedRate>,
}

record_serde!(Product);

impl Product {
    /// The price in force on `date`: the one with the latest `effective_from` ≤ `date`.
    ///
    /// ```
    /// # use earlybird::record::{Product, Record};
    /// let milk = Product::from_json(r#"{"id": "P1", "name": "Milk", "prices": [
    ///     {"price": "28.00", "effective_from": "2026-01-01"},
    ///     {"price": "30.00", "effective_from": "2026-01-16"}]}"#).unwrap();
    /// let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    /// assert_eq!(milk.price_on(day(15)).unwrap().to_string(), "28.00");
    /// assert_eq!(milk.price_on(day(16)).unwrap().to_string(), "30.00");
    /// ```
    pub fn price_on(&self, date: NaiveDate) -> Option<Decimal> {
        self.prices
            .iter()
            .rev()
            .find(|p| p.effective_from <= date)
            .map(|p| p.price)
    }

    /// The GST rate (percent) in force on `date`; 0 when none is recorded.
    pub fn gst_rate_on(&self, date: NaiveDate) -> Decimal {
        self.gst_rates
            .iter()
            .rev()
            .find(|r| r.effective_from.is_none_or(|from| from <= date))
            .map_or(Decimal::ZERO, |r| r.rate)
    }

    /// Rules between fields, checked once the record is built.
    fn check_relations(&self, path: &str, problems: &mut Problems) {
        let at = |name: &str| field_path(path, name);
        if self.prices.is_empty() {
            problems.push(
                at("prices"),
                Rule::Empty,
                "",
                "a product needs at least one price",
            );
        }
        let price_dates = self.prices.iter().map(|p| p.effective_from.to_string());
        duplicates(&at("prices"), price_dates, problems);
        let rate_dates = self.gst_rates.iter().map(|r| {
            r.effective_from
                .map_or_else(|| "always".to_owned(), |d| d.to_string())
        });
        duplicates(&at("gst_rates"), rate_dates, problems);
    }
}

fn check_rate(field: &str, rate: Decimal, problems: &mut Problems) {
    if rate < Decimal::ZERO || rate > Decimal::ONE_HUNDRED {
        problems.push(
            field,
            Rule::Range,
            rate.to_string(),
            "GST rate must be between 0 and 100 percent",
        );
    }
}

fn duplicates(field: &str, dates: impl Iterator<Item = String>, problems: &mut Problems) {
    let mut seen: Vec<String> = dates.collect();
    seen.sort_unstable();
    for pair in seen.windows(2) {
        if pair[0] == pair[1] {
            problems.push(
                field,
                Rule::Duplicate,
                pair[0].clone(),
                "two entries take effect on the same date",
            );
        }
    }
}

impl Record for Product {
    const KIND: &'static str = "product";

    fn read(document: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let f = Fields::open(document, path, problems)?;
        let id = f.id("id", problems);
        let name = f.string("name", problems);
        if name.as_ref().is_some_and(|n| n.trim().is_empty()) {
            problems.push(f.path("name"), Rule::Required, "", "must not be empty");
        }
        let unit = f.opt_string("unit", problems);
        let mut prices = Vec::new();
        for (item_path, item) in f.list("prices", true, problems).unwrap_or_default() {
            let Some(p) = Fields::open(item, &item_path, problems) else {
                continue;
            };
            if let (Some(price), Some(effective_from)) = (
                p.decimal("price", problems),
                p.date("effective_from", problems),
            ) {
                prices.push(DatedPrice {
                    price,
                    effective_from,
                });
            }
        }
        let mut gst_rates = Vec::new();
        if let Some(rate) = f.opt_decimal("gst_rate", problems) {
            check_rate(&f.path("gst_rate"), rate, problems);
            gst_rates.push(DatedRate {
                rate,
                effective_from: None,
            });
        }
        for (item_path, item) in f.list("gst_rates", false, problems).unwrap_or_default() {
            let Some(r) = Fields::open(item, &item_path, problems) else {
                continue;
            };
            let effective_from = r.opt_date("effective_from", problems);
            if let Some(rate) = r.decimal("rate", problems) {
                check_rate(&r.path("rate"), rate, problems);
                gst_rates.push(DatedRate {
                    rate,
                    effective_from,
                });
            }
        }
        prices.sort_by_key(|p| p.effective_from);
        gst_rates.sort_by_key(|r| r.effective_from);
        let product = Product {
            id: id?,
            name: name?,
            unit,
            prices,
            gst_rates,
        };
        product.check_relations(path, problems);
        Some(product)
    }

    fn check(&self, problems: &mut Problems) {
        problems.id("id", &self.id);
        if !self.prices.is_sorted_by_key(|p| p.effective_from) {
            problems.push(
                "prices",
                Rule::Inconsistent,
                "",
                "prices must be sorted by effective_from",
            );
        }
        if !self.gst_rates.is_sorted_by_key(|r| r.effective_from) {
            problems.push(
                "gst_rates",
                Rule::Inconsistent,
                "",
                "GST rates must be sorted by effective_from",
            );
        }
        if self.name.trim().is_empty() {
            problems.push("name", Rule::Required, "", "must not be empty");
        }
        for (i, p) in self.prices.iter().enumerate() {
            problems.price(&format!("prices[{i}].price"), p.price);
        }
        for (i, r) in self.gst_rates.iter().enumerate() {
            check_rate(&format!("gst_rates[{i}].rate"), r.rate, problems);
        }
        self.check_relations("", problems);
    }

    fn id(&self) -> &str {
        &self.id
    }
}
