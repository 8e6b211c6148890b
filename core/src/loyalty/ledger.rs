//! The append-only points ledger and its lots.
//!
//! Every positive entry opens a lot (points with an earn date and an expiry date); every
//! negative entry takes points out of lots, oldest first. The balance is the sum of the
//! entries, and always equals the sum of what the lots still hold.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::tier::Tier;

/// The kinds of ledger entry of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Earn,
    Bonus,
    Redeem,
    Expire,
    Reverse,
    Adjust,
}

/// Why a bonus was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BonusCause {
    FirstOrder,
    Referral,
    Review,
}

/// What an entry records beyond its points, so every line explains itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "LoyaltyEntryDetail", rename_all_fields = "camelCase")
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryDetail {
    /// Points on a payment: `floor(floor(rupees) × multiplier)` at `tier`.
    Earn {
        base: i64,
        #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
        multiplier: Decimal,
        tier: Tier,
    },
    Bonus {
        cause: BonusCause,
    },
    /// Points turned into a bill credit of `amount` rupees.
    Redeem {
        #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
        amount: Decimal,
    },
    Expire,
    /// A refunded payment's points taken back: what it `earned` less what of it had already
    /// `expired`; `shortfall` is what the balance could not cover.
    Reverse {
        earned: i64,
        expired: i64,
        shortfall: i64,
    },
    /// A manual correction by staff.
    Adjust {
        reason: String,
    },
}

impl EntryDetail {
    /// The entry kind of this detail.
    pub const fn kind(&self) -> EntryKind {
        match self {
            EntryDetail::Earn { .. } => EntryKind::Earn,
            EntryDetail::Bonus { .. } => EntryKind::Bonus,
            EntryDetail::Redeem { .. } => EntryKind::Redeem,
            EntryDetail::Expire => EntryKind::Expire,
            EntryDetail::Reverse { .. } => EntryKind::Reverse,
            EntryDetail::Adjust { .. } => EntryKind::Adjust,
        }
    }
}

/// One ledger line. Entries are never changed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "LoyaltyEntry", rename_all = "camelCase")
)]
pub struct Entry {
    /// Position in the member's ledger, from 0.
    pub seq: u64,
    /// Idempotency key, unique in the member's ledger (`earn:<payment_id>`, `review:<order_id>`...).
    pub key: String,
    /// Signed change of the balance.
    pub points: i64,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::Instant"))]
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub detail: EntryDetail,
}

impl Entry {
    /// The kind of this entry.
    pub const fn kind(&self) -> EntryKind {
        self.detail.kind()
    }
}

/// Points opened by one positive entry, consumed oldest first, expiring as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lot {
    /// The entry that opened the lot.
    pub entry: u64,
    /// Business-local date the points were earned.
    pub earned_on: NaiveDate,
    /// First business-local date on which the remainder is expired.
    pub expires_on: NaiveDate,
    pub at: DateTime<Utc>,
    pub points: i64,
    /// Points not yet redeemed, reversed or expired.
    pub remaining: i64,
    /// Points of the lot that expired.
    pub expired: i64,
    /// Whether the points count for tiers and leaderboards (earn and bonus; not adjustments).
    pub qualifying: bool,
    /// Whether the payment that earned the lot was refunded.
    pub reversed: bool,
}

/// A member's ledger: entries, their lots, and the index of keys already applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    entries: Vec<Entry>,
    lots: Vec<Lot>,
    #[serde(skip)]
    keys: BTreeMap<String, usize>,
}

impl Ledger {
    /// Every entry, in the order applied.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every lot, oldest first (by earn date, then entry).
    pub fn lots(&self) -> &[Lot] {
        &self.lots
    }

    /// The balance: the sum of the entries.
    pub fn balance(&self) -> i64 {
        self.entries.iter().map(|e| e.points).sum()
    }

    /// The entry applied under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.keys.get(key).and_then(|i| self.entries.get(*i))
    }

    /// Whether an entry with `key` exists.
    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains_key(key)
    }

    /// Appends an entry unless its key was applied before; returns the new entry.
    fn append(
        &mut self,
        key: String,
        points: i64,
        at: DateTime<Utc>,
        detail: EntryDetail,
    ) -> Option<&Entry> {
        if self.keys.contains_key(&key) {
            return None;
        }
        let index = self.entries.len();
        self.keys.insert(key.clone(), index);
        self.entries.push(Entry {
            seq: index as u64,
            key,
            points,
            at,
            detail,
        });
        self.entries.last()
    }

    /// Appends a positive entry and opens its lot (a zero entry opens none).
    pub(super) fn credit(
        &mut self,
        key: String,
        points: i64,
        at: DateTime<Utc>,
        dates: (NaiveDate, NaiveDate),
        detail: EntryDetail,
    ) -> Option<Entry> {
        let qualifying = matches!(detail.kind(), EntryKind::Earn | EntryKind::Bonus);
        let entry = self.append(key, points, at, detail)?.clone();
        if points > 0 {
            let lot = Lot {
                entry: entry.seq,
                earned_on: dates.0,
                expires_on: dates.1,
                at,
                points,
                remaining: points,
                expired: 0,
                qualifying,
                reversed: false,
            };
            let place = self
                .lots
                .partition_point(|l| (l.earned_on, l.entry) <= (lot.earned_on, lot.entry));
            self.lots.insert(place, lot);
        }
        Some(entry)
    }

    /// Appends a negative entry of up to `points`, taken from the lot opened by `first` (if
    /// any) and then from the oldest lots. Takes no more than the balance; the caller checks
    /// beforehand when a shortfall is not allowed.
    pub(super) fn debit(
        &mut self,
        key: String,
        points: i64,
        at: DateTime<Utc>,
        first: Option<u64>,
        detail: impl FnOnce(i64) -> EntryDetail,
    ) -> Option<Entry> {
        if self.keys.contains_key(&key) {
            return None;
        }
        let mut left = points;
        if let Some(lot) = first.and_then(|e| self.lots.iter_mut().find(|l| l.entry == e)) {
            let take = lot.remaining.min(left);
            lot.remaining -= take;
            left -= take;
        }
        for lot in &mut self.lots {
            if left == 0 {
                break;
            }
            let take = lot.remaining.min(left);
            lot.remaining -= take;
            left -= take;
        }
        let taken = points - left;
        self.append(key, -taken, at, detail(taken)).cloned()
    }

    /// Marks the lot opened by entry `seq` as reversed; returns the points of it that expired.
    pub(super) fn mark_reversed(&mut self, seq: u64) -> i64 {
        self.lots
            .iter_mut()
            .find(|l| l.entry == seq)
            .map_or(0, |lot| {
                lot.reversed = true;
                lot.expired
            })
    }

    /// Points whose lots expire on or before `today` and are not yet expired.
    pub fn expirable(&self, today: NaiveDate) -> i64 {
        self.lots
            .iter()
            .filter(|l| l.expires_on <= today)
            .map(|l| l.remaining)
            .sum()
    }

    /// Expires the remainder of every lot due on or before `today`, one entry per lot.
    pub(super) fn expire(&mut self, today: NaiveDate, at: DateTime<Utc>) -> Vec<Entry> {
        let due: Vec<(usize, String, i64)> = self
            .lots
            .iter()
            .enumerate()
            .filter(|(_, l)| l.expires_on <= today && l.remaining > 0)
            .filter_map(|(i, l)| {
                let source = self.entries.get(usize::try_from(l.entry).ok()?)?;
                Some((i, format!("expire:{}", source.key), l.remaining))
            })
            .collect();
        let mut out = Vec::with_capacity(due.len());
        for (i, key, points) in due {
            if let Some(entry) = self.append(key, -points, at, EntryDetail::Expire) {
                out.push(entry.clone());
                if let Some(lot) = self.lots.get_mut(i) {
                    lot.expired += lot.remaining;
                    lot.remaining = 0;
                }
            }
        }
        out
    }

    /// Points of qualifying, unreversed lots earned on or after `since` (and on or before
    /// `until`), with the instant of the latest of them.
    pub fn earned_between(
        &self,
        since: Option<NaiveDate>,
        until: NaiveDate,
    ) -> (i64, Option<DateTime<Utc>>) {
        // Lots are sorted by earn date: two binary searches find the window.
        let start = since.map_or(0, |s| self.lots.partition_point(|l| l.earned_on < s));
        let end = self.lots.partition_point(|l| l.earned_on <= until);
        self.lots
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .filter(|l| l.qualifying && !l.reversed)
            .fold((0, None), |(sum, latest), l| {
                (sum + l.points, latest.max(Some(l.at)))
            })
    }
}
