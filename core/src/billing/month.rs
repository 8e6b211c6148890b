//! Calendar months and Indian financial years: the periods a bill and its number live in.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A calendar month of business-local dates, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "typescript",
    derive(ts_rs::TS),
    ts(type = "string", rename = "MonthString")
)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `year`-`month`, when `month` is 1..=12 and the year is a calendar year chrono knows.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Self { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub const fn year(self) -> i32 {
        self.year
    }

    pub const fn month(self) -> u32 {
        self.month
    }

    /// The 1st of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        date.year() == self.year && date.month() == self.month
    }

    /// The date of this month's bill: the 1st of the following month.
    pub fn bill_date(self) -> NaiveDate {
        self.next().first_day()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;

    /// Reads `YYYY-MM`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("not a month YYYY-MM: {s:?}");
        let (year, month) = s.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let month = month.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An Indian financial year, April to March, named by the year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// The financial year a date falls in: 1 April 2026 to 31 March 2027 is 2026.
    pub fn of(date: NaiveDate) -> Self {
        if date.month() >= 4 {
            Self(date.year())
        } else {
            Self(date.year() - 1)
        }
    }

    /// The short label of GST invoice numbers: `26-27`.
    pub fn label(self) -> String {
        format!(
            "{:02}-{:02}",
            self.0.rem_euclid(100),
            (self.0 + 1).rem_euclid(100)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_read_and_write_as_year_dash_month() {
        let m: Month = "2026-02".parse().unwrap();
        assert_eq!(m.to_string(), "2026-02");
        assert_eq!(m.last_day(), day(2026, 2, 28));
        assert_eq!(m.bill_date(), day(2026, 3, 1));
        assert_eq!(
            "2026-12".parse::<Month>().unwrap().next().to_string(),
            "2027-01"
        );
        assert!("2026-13".parse::<Month>().is_err());
        assert!("26-01".parse::<Month>().is_err());
    }

    #[test]
    fn the_financial_year_turns_on_the_first_of_april() {
        assert_eq!(FinancialYear::of(day(2027, 3, 31)), FinancialYear(2026));
        assert_eq!(FinancialYear::of(day(2027, 4, 1)), FinancialYear(2027));
        assert_eq!(FinancialYear(2026).label(), "26-27");
        assert_eq!(FinancialYear(2099).label(), "99-00");
    }
}
