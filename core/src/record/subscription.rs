//! A subscription: a product delivered on a schedule, with holiday pauses.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::{Record, record_serde, status_enum};
use crate::document::{Fields, read_decimal, show};
use crate::validation::{Problems, Rule, field_path};

status_enum! {
    /// Whether a subscription still delivers.
    SubscriptionStatus {
        Active => "active",
        Cancelled => "cancelled",
    }
}

status_enum! {
    /// A day of the week, as schedules name them.
    Weekday {
        Mon => "mon",
        Tue => "tue",
        Wed => "wed",
        Thu => "thu",
        Fri => "fri",
        Sat => "sat",
        Sun => "sun",
    }
}

impl Weekday {
    /// The weekday of a date.
    pub fn of(date: NaiveDate) -> Self {
        use chrono::Datelike;
        Self::ALL[date.weekday().num_days_from_monday() as usize]
    }
}

/// On which days a subscription delivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// Every day.
    Daily,
    /// Every second day counted from the start date (start, start + 2, ...).
    AlternateDays,
    /// The subscription quantity on the listed weekdays.
    Weekdays { days: Vec<Weekday> },
    /// Its own quantity per weekday; a weekday not listed gets nothing.
    Custom {
        quantities: BTreeMap<Weekday, Decimal>,
    },
}

/// A holiday: no delivery from `from` to `to`, both inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pause {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A subscription, as the `subscriptions_v2` collection holds them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscription {
    pub id: String,
    pub customer_id: String,
    pub product_id: String,
    /// Quantity per delivery (custom schedules carry their own per weekday).
    pub quantity: Decimal,
    pub schedule: Schedule,
    pub start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    pub pauses: Vec<Pause>,
    /// A negotiated unit price that replaces the product's price history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_override: Option<Decimal>,
    pub status: SubscriptionStatus,
}

record_serde!(Subscription);

const SCHEDULE_KINDS: &str = "daily, alternate_days, weekdays, custom";

fn read_schedule(value: &Value, path: &str, problems: &mut Problems) -> Option<Schedule> {
    let (kind, fields) = match value {
        Value::String(kind) => (kind.as_str(), None),
        Value::Object(_) => {
            let f = Fields::open(value, path, problems)?;
            let kind = f.raw("kind").or_else(|| f.raw("type"));
            match kind {
                Some(Value::String(kind)) => (kind.as_str(), Some(f)),
                Some(other) => {
                    problems.push(
                        field_path(path, "kind"),
                        Rule::Type,
                        show(other),
                        "must be a string",
                    );
                    return None;
                }
                None => {
                    problems.push(field_path(path, "kind"), Rule::Required, "", "is required");
                    return None;
                }
            }
        }
        other => {
            problems.push(
                path,
                Rule::Type,
                show(other),
                "must be a kind string or an object",
            );
            return None;
        }
    };
    match kind.to_ascii_lowercase().as_str() {
        "daily" => Some(Schedule::Daily),
        "alternate_days" => Some(Schedule::AlternateDays),
        "weekdays" => {
            let Some(f) = fields else {
                problems.push(
                    field_path(path, "days"),
                    Rule::Required,
                    "",
                    "weekdays need their days",
                );
                return None;
            };
            let mut days = Vec::new();
            let mut all_known = true;
            for (day_path, day) in f.list("days", true, problems)? {
                match day.as_str().map(str::parse::<Weekday>) {
                    Some(Ok(d)) => days.push(d),
                    _ => {
                        all_known = false;
                        problems.push(
                            day_path,
                            Rule::UnknownValue,
                            show(day),
                            format!("must be one of {}", Weekday::allowed()),
                        );
                    }
                }
            }
            days.sort_unstable();
            days.dedup();
            let schedule = Schedule::Weekdays { days };
            if all_known {
                check_schedule(path, &schedule, problems);
            }
            Some(schedule)
        }
        "custom" => {
            let Some(f) = fields else {
                problems.push(
                    field_path(path, "quantities"),
                    Rule::Required,
                    "",
                    "custom schedules need a quantity per weekday",
                );
                return None;
            };
            let q_path = f.path("quantities");
            let Some(q) = f.raw("quantities") else {
                problems.push(q_path, Rule::Required, "", "is required");
                return None;
            };
            let q = Fields::open(q, &q_path, problems)?;
            let mut quantities = BTreeMap::new();
            for (day, amount) in q.entries() {
                let day_path = field_path(&q_path, day);
                let Ok(weekday) = day.parse::<Weekday>() else {
                    problems.push(
                        day_path,
                        Rule::UnknownValue,
                        day,
                        format!("must be one of {}", Weekday::allowed()),
                    );
                    continue;
                };
                if let Some(amount) = read_decimal(amount, &day_path, problems) {
                    problems.quantity(&day_path, amount);
                    quantities.insert(weekday, amount);
                }
            }
            let schedule = Schedule::Custom { quantities };
            check_schedule(path, &schedule, problems);
            Some(schedule)
        }
        _ => {
            problems.push(
                if fields.is_some() {
                    field_path(path, "kind")
                } else {
                    path.to_owned()
                },
                Rule::UnknownValue,
                kind,
                format!("must be one of {SCHEDULE_KINDS}"),
            );
            None
        }
    }
}

impl Record for Subscription {
    const KIND: &'static str = "subscription";

    fn read(document: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let f = Fields::open(document, path, problems)?;
        let id = f.id("id", problems);
        let customer_id = f.id("customer_id", problems);
        let product_id = f.id("product_id", problems);
        let quantity = f.quantity("quantity", problems);
        let schedule_path = f.path("schedule");
        let schedule = match f.raw("schedule") {
            Some(value) => read_schedule(value, &schedule_path, problems),
            None => {
                problems.push(schedule_path, Rule::Required, "", "is required");
                None
            }
        };
        let start_date = f.date("start_date", problems);
        let end_date = f.opt_date("end_date", problems);
        let mut pauses = Vec::new();
        for (pause_path, pause) in f.list("pauses", false, problems).unwrap_or_default() {
            let Some(p) = Fields::open(pause, &pause_path, problems) else {
                continue;
            };
            if let (Some(from), Some(to)) = (p.date("from", problems), p.date("to", problems)) {
                pauses.push(Pause { from, to });
            }
        }
        check_dates(path, start_date, end_date, &pauses, problems);
        let price_override = f.opt_price("price_override", problems);
        let status = f
            .opt_enumerated("status", problems, &SubscriptionStatus::allowed())
            .unwrap_or(SubscriptionStatus::Active);
        let subscription = Subscription {
            id: id?,
            customer_id: customer_id?,
            product_id: product_id?,
            quantity: quantity?,
            schedule: schedule?,
            start_date: start_date?,
            end_date,
            pauses,
            price_override,
            status,
        };
        Some(subscription)
    }

    fn check(&self, problems: &mut Problems) {
        problems.id("id", &self.id);
        problems.id("customer_id", &self.customer_id);
        problems.id("product_id", &self.product_id);
        problems.quantity("quantity", self.quantity);
        if let Some(price) = self.price_override {
            problems.price("price_override", price);
        }
        if let Schedule::Custom { quantities } = &self.schedule {
            for (day, q) in quantities {
                problems.quantity(&format!("schedule.quantities.{day}"), *q);
            }
        }
        check_schedule("schedule", &self.schedule, problems);
        check_dates(
            "",
            Some(self.start_date),
            self.end_date,
            &self.pauses,
            problems,
        );
    }

    fn id(&self) -> &str {
        &self.id
    }
}

/// End after start, and every pause ending after it begins.
fn check_dates(
    path: &str,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    pauses: &[Pause],
    problems: &mut Problems,
) {
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        problems.push(
            field_path(path, "end_date"),
            Rule::DateOrder,
            end.to_string(),
            format!("must not be before start_date {start}"),
        );
    }
    for (i, pause) in pauses.iter().enumerate() {
        if pause.to < pause.from {
            problems.push(
                format!("{}[{i}].to", field_path(path, "pauses")),
                Rule::DateOrder,
                pause.to.to_string(),
                format!("must not be before from {}", pause.from),
            );
        }
    }
}

/// A schedule that names days must name at least one.
fn check_schedule(path: &str, schedule: &Schedule, problems: &mut Problems) {
    let empty = match schedule {
        Schedule::Weekdays { days } if days.is_empty() => "days",
        Schedule::Custom { quantities } if quantities.is_empty() => "quantities",
        _ => return,
    };
    problems.push(
        field_path(path, empty),
        Rule::Empty,
        "",
        "name at least one weekday",
    );
}
