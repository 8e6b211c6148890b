//! Cohort retention: customers grouped by signup week or month; retention at period k is the
//! share of the cohort with any activity in period k. The output is the table a dashboard
//! draws: one row per cohort with its size, one column per period.

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::customer::CustomerActivation;
use super::metrics::rate;

/// The length of a cohort and of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
}

impl Granularity {
    /// The period number of a day (days counted from 0001-01-01, a Monday, as day 1).
    fn period(self, day: i32) -> i32 {
        match self {
            Granularity::Week => (day - 1).div_euclid(7),
            Granularity::Month => NaiveDate::from_num_days_from_ce_opt(day)
                .map_or(0, |d| d.year() * 12 + d.month0() as i32),
        }
    }

    /// The period of a day and the first day of the next period, so a scan over sorted days
    /// converts a date only when it leaves the current period.
    fn bounds(self, day: i32) -> (i32, i32) {
        let period = self.period(day);
        let next = match self {
            Granularity::Week => (period + 1) * 7 + 1,
            Granularity::Month => self.start(period + 1).num_days_from_ce(),
        };
        (period, next)
    }

    /// The first day of period `period`.
    fn start(self, period: i32) -> NaiveDate {
        let date = match self {
            Granularity::Week => NaiveDate::from_num_days_from_ce_opt(period * 7 + 1),
            Granularity::Month => {
                NaiveDate::from_ymd_opt(period.div_euclid(12), period.rem_euclid(12) as u32 + 1, 1)
            }
        };
        date.unwrap_or(NaiveDate::MIN)
    }
}

/// Signup and activity days of many customers, stored column-wise so retention over millions
/// of customers is a scan of two integer arrays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityTable {
    signups: Vec<i32>,
    /// Customer i's activity days are `days[ends[i-1]..ends[i]]`, sorted.
    ends: Vec<usize>,
    days: Vec<i32>,
}

impl ActivityTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty table with room for `customers` customers and `days` activity days.
    pub fn with_capacity(customers: usize, days: usize) -> Self {
        Self {
            signups: Vec::with_capacity(customers),
            ends: Vec::with_capacity(customers),
            days: Vec::with_capacity(days),
        }
    }

    /// Adds a customer: the signup date and the dates of every activity.
    pub fn push(&mut self, signed_up_on: NaiveDate, activity: impl IntoIterator<Item = NaiveDate>) {
        let start = self.days.len();
        self.signups.push(signed_up_on.num_days_from_ce());
        self.days
            .extend(activity.into_iter().map(|d| d.num_days_from_ce()));
        self.days[start..].sort_unstable();
        self.ends.push(self.days.len());
    }

    /// The table of folded customers: signup date and every activity event's date.
    pub fn from_customers(customers: &[CustomerActivation]) -> Self {
        let mut table = Self::new();
        for c in customers {
            let zone = c.config().zone;
            let Some(signup) = c.dates().signed_up_at else {
                continue;
            };
            let activity = c
                .events()
                .iter()
                .filter(|e| e.kind.is_activity())
                .map(|e| zone.date_of(e.at));
            table.push(zone.date_of(signup), activity);
        }
        table
    }

    /// The number of customers.
    pub fn len(&self) -> usize {
        self.signups.len()
    }

    /// Whether the table holds no customer.
    pub fn is_empty(&self) -> bool {
        self.signups.is_empty()
    }
}

/// One cohort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct CohortRow {
    /// The first day of the cohort's signup period.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub cohort: NaiveDate,
    pub size: u64,
    /// Customers with any activity in period k (k = 0 is the signup period), up to the
    /// period holding `as_of`, which is still in progress.
    pub active: Vec<u64>,
    /// `active[k] / size`, 4 decimals.
    #[cfg_attr(
        feature = "typescript",
        ts(as = "Vec<crate::typescript::DecimalString>")
    )]
    pub retention: Vec<Decimal>,
}

/// Cohort retention as a dashboard table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct CohortTable {
    pub granularity: Granularity,
    /// The last day counted; each row's last column is the period holding it.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DateString"))]
    pub as_of: NaiveDate,
    /// The number of columns of the longest row.
    pub periods: usize,
    /// Oldest cohort first; cohorts nobody signed up in are left out.
    pub rows: Vec<CohortRow>,
}

/// Retention of every signup cohort up to `as_of`; customers who sign up after `as_of` and
/// activity after it are not counted. Runs on the current rayon pool; each worker counts into
/// one table of the output's own shape (only cohorts someone signed up in), so memory stays
/// proportional to the output however far apart the signups are.
///
/// ```
/// # use earlybird::activation::{ActivityTable, Granularity, cohort_retention};
/// let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
/// let mut table = ActivityTable::new();
/// table.push(day(5), [day(6), day(14)]);
/// table.push(day(6), []);
/// let weekly = cohort_retention(&table, Granularity::Week, day(14));
/// assert_eq!(weekly.rows[0].size, 2);
/// assert_eq!(weekly.rows[0].active, [1, 1]);
/// assert_eq!(weekly.rows[0].retention[1].to_string(), "0.5");
/// ```
pub fn cohort_retention(
    table: &ActivityTable,
    granularity: Granularity,
    as_of: NaiveDate,
) -> CohortTable {
    let last_day = as_of.num_days_from_ce();
    let last = granularity.period(last_day);
    let mut cohorts: Vec<i32> = table
        .signups
        .iter()
        .filter(|d| **d <= last_day)
        .map(|d| granularity.period(*d))
        .collect();
    cohorts.sort_unstable();
    cohorts.dedup();
    let first = cohorts.first().copied().unwrap_or(last);
    // Row r starts at offsets[r]: its size, then one count per period up to `last`.
    let mut offsets = Vec::with_capacity(cohorts.len() + 1);
    let mut total = 0usize;
    let mut row_of = vec![usize::MAX; usize::try_from(last - first + 1).unwrap_or(0)];
    for &c in &cohorts {
        row_of[(c - first) as usize] = total;
        offsets.push(total);
        total += (last - c + 2) as usize;
    }
    offsets.push(total);
    const CHUNK: usize = 1 << 16;
    let chunks = table.len().div_ceil(CHUNK);
    let counts = (0..chunks)
        .into_par_iter()
        .fold(
            || vec![0u64; total],
            |mut counts, chunk| {
                let from = chunk * CHUNK;
                let mut start = if from == 0 { 0 } else { table.ends[from - 1] };
                for i in from..(from + CHUNK).min(table.len()) {
                    let end = table.ends[i];
                    let signup = table.signups[i];
                    if signup <= last_day {
                        let cohort = granularity.period(signup);
                        let row = row_of[(cohort - first) as usize];
                        counts[row] += 1;
                        let mut current = (0, i32::MIN);
                        for &day in &table.days[start..end] {
                            if day > last_day {
                                break;
                            }
                            if day >= current.1 {
                                current = granularity.bounds(day);
                                let k = current.0 - cohort;
                                if k >= 0 {
                                    counts[row + 1 + k as usize] += 1;
                                }
                            }
                        }
                    }
                    start = end;
                }
                counts
            },
        )
        .reduce(
            || vec![0u64; total],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let rows: Vec<CohortRow> = cohorts
        .iter()
        .zip(offsets.windows(2))
        .map(|(&c, span)| {
            let size = counts[span[0]];
            let active = counts[span[0] + 1..span[1]].to_vec();
            CohortRow {
                cohort: granularity.start(c),
                size,
                retention: active.iter().map(|a| rate(*a, size)).collect(),
                active,
            }
        })
        .collect();
    CohortTable {
        granularity,
        as_of,
        periods: rows.iter().map(|r| r.active.len()).max().unwrap_or(0),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weeks_start_on_monday() {
        let monday = d(2026, 1, 5);
        let week = Granularity::Week.period(monday.num_days_from_ce());
        assert_eq!(Granularity::Week.start(week), monday);
        assert_eq!(
            Granularity::Week.period(d(2026, 1, 11).num_days_from_ce()),
            week
        );
        assert_eq!(
            Granularity::Week.period(d(2026, 1, 12).num_days_from_ce()),
            week + 1
        );
    }

    #[test]
    fn retention_counts_each_customer_once_per_period() {
        let mut table = ActivityTable::new();
        table.push(
            d(2026, 1, 5),
            [d(2026, 1, 6), d(2026, 1, 7), d(2026, 1, 20)],
        );
        table.push(d(2026, 1, 6), [d(2026, 1, 13)]);
        table.push(d(2026, 1, 14), []);
        table.push(d(2026, 3, 1), [d(2026, 3, 1)]);
        let weekly = cohort_retention(&table, Granularity::Week, d(2026, 1, 21));
        assert_eq!(weekly.rows.len(), 2);
        assert_eq!(weekly.rows[0].cohort, d(2026, 1, 5));
        assert_eq!(weekly.rows[0].size, 2);
        assert_eq!(weekly.rows[0].active, [1, 1, 1]);
        assert_eq!(weekly.rows[0].retention[0].to_string(), "0.5");
        assert_eq!(weekly.rows[1].active, [0, 0]);
        let monthly = cohort_retention(&table, Granularity::Month, d(2026, 3, 31));
        assert_eq!(monthly.rows[0].cohort, d(2026, 1, 1));
        assert_eq!(monthly.rows[0].active, [2, 0, 0]);
        assert_eq!(monthly.rows[1].active, [1]);
        assert_eq!(monthly.periods, 3);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn the_table_matches_a_naive_count(
            customers in proptest::collection::vec(
                (0u64..300, proptest::collection::vec(0u64..400, 0..12)), 0..40),
            as_of in 0u64..420,
            monthly in proptest::bool::ANY,
        ) {
            use std::collections::BTreeSet;
            let base = d(2025, 12, 1);
            let day = |n: u64| base + chrono::Days::new(n);
            let granularity = if monthly { Granularity::Month } else { Granularity::Week };
            let as_of = day(as_of);
            let mut table = ActivityTable::new();
            for (signup, activity) in &customers {
                table.push(day(*signup), activity.iter().map(|a| day(*a)));
            }
            let out = cohort_retention(&table, granularity, as_of);
            let period = |date: NaiveDate| granularity.period(date.num_days_from_ce());
            for row in &out.rows {
                let members: Vec<_> = customers
                    .iter()
                    .filter(|(s, _)| day(*s) <= as_of && granularity.start(period(day(*s))) == row.cohort)
                    .collect();
                proptest::prop_assert_eq!(row.size, members.len() as u64);
                for (k, active) in row.active.iter().enumerate() {
                    let naive = members
                        .iter()
                        .filter(|(s, acts)| {
                            let wanted: BTreeSet<i32> = acts
                                .iter()
                                .map(|a| day(*a))
                                .filter(|a| *a <= as_of)
                                .map(|a| period(a) - period(day(*s)))
                                .collect();
                            wanted.contains(&(k as i32))
                        })
                        .count() as u64;
                    proptest::prop_assert_eq!(*active, naive);
                }
                proptest::prop_assert_eq!(
                    row.active.len() as i32,
                    period(as_of) - period(row.cohort) + 1
                );
            }
            let signed: u64 = out.rows.iter().map(|r| r.size).sum();
            let expected = customers.iter().filter(|(s, _)| day(*s) <= as_of).count() as u64;
            proptest::prop_assert_eq!(signed, expected);
        }
    }

    #[test]
    fn signups_centuries_apart_cost_only_their_own_rows() {
        let mut table = ActivityTable::new();
        table.push(d(1026, 1, 5), [d(1026, 1, 6)]);
        table.push(d(2026, 1, 5), [d(2026, 1, 6)]);
        let weekly = cohort_retention(&table, Granularity::Week, d(2026, 1, 7));
        assert_eq!(weekly.rows.len(), 2);
        assert_eq!(weekly.rows[1].active, [1]);
        assert_eq!(weekly.rows[0].active.len(), weekly.periods);
    }
}
