//! One customer's loyalty account: ledger, tier, statistics and badges.
//!
//! Every command is checked in full before anything changes, so an error leaves the member as
//! it was; every command has an idempotency key, so a replay changes nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::achievement::{BadgeProgress, BadgeUnlock, Stats, month_index, week_index};
use super::config::LoyaltyConfig;
use super::error::LoyaltyError;
use super::event::LoyaltyEvent;
use super::ledger::{BonusCause, Entry, EntryDetail, Ledger};
use super::redemption::{
    Redemption, RedemptionPreview, RedemptionRequest, cap_points, points_value, preview,
};
use super::tier::{Tier, TierCause, TierChange, TierProgress, progress, tier_for};
use crate::validation::{Problems, Rule};

/// What one command did: the new ledger entries (expiries included), a tier change and the
/// badges unlocked. `duplicate` is true when the key had been applied before.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "LoyaltyApplied", rename_all = "camelCase")
)]
pub struct Applied {
    pub entries: Vec<Entry>,
    pub tier_change: Option<TierChange>,
    pub unlocked: Vec<BadgeUnlock>,
    pub duplicate: bool,
}

impl Applied {
    /// The outcome of a command whose key was applied before: nothing changed.
    fn replayed() -> Self {
        Self {
            duplicate: true,
            ..Self::default()
        }
    }
}

/// A redemption and the rest of what it did (expiries applied first, badges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "LoyaltyRedeemed", rename_all = "camelCase")
)]
pub struct Redeemed {
    pub redemption: Redemption,
    pub applied: Applied,
}

/// A customer's account in the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    customer_id: String,
    /// When the first event of the member was applied: the tie-break of members without points.
    joined_at: Option<DateTime<Utc>>,
    /// The latest instant of any command applied: a late event is judged with what is known.
    latest: Option<DateTime<Utc>>,
    ledger: Ledger,
    tier: Tier,
    tier_history: Vec<TierChange>,
    /// The last month reviewed, as a month index.
    last_review: Option<i64>,
    stats: Stats,
    badges: BTreeMap<String, DateTime<Utc>>,
    /// Keys of events that make no ledger entry (deliveries, top-ups, social actions).
    seen: BTreeSet<String>,
}

impl Member {
    /// A new BRONZE member with no points.
    pub fn new(customer_id: impl Into<String>) -> Self {
        Self {
            customer_id: customer_id.into(),
            joined_at: None,
            latest: None,
            ledger: Ledger::default(),
            tier: Tier::Bronze,
            tier_history: Vec::new(),
            last_review: None,
            stats: Stats::default(),
            badges: BTreeMap::new(),
            seen: BTreeSet::new(),
        }
    }

    pub fn customer_id(&self) -> &str {
        &self.customer_id
    }

    pub fn joined_at(&self) -> Option<DateTime<Utc>> {
        self.joined_at
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The balance, derived from the ledger.
    pub fn balance(&self) -> i64 {
        self.ledger.balance()
    }

    pub fn tier(&self) -> Tier {
        self.tier
    }

    pub fn tier_history(&self) -> &[TierChange] {
        &self.tier_history
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Unlocked badges by code, with the instant each was unlocked.
    pub fn badges(&self) -> &BTreeMap<String, DateTime<Utc>> {
        &self.badges
    }

    /// Points earned (earn and bonus, unreversed) in the qualifying window ending on `today`.
    pub fn qualifying_points(&self, config: &LoyaltyConfig, today: NaiveDate) -> i64 {
        let since = today
            .checked_sub_months(Months::new(config.qualifying_months))
            .and_then(|d| d.succ_opt());
        self.ledger.earned_between(since, today).0
    }

    /// Tier, qualifying points and what the next tier needs, at `now`.
    pub fn tier_progress(&self, config: &LoyaltyConfig, now: DateTime<Utc>) -> TierProgress {
        let today = config.zone.date_of(now);
        progress(config, self.tier, self.qualifying_points(config, today))
    }

    /// Every badge of the catalogue with the member's progress, in catalogue order. Badges
    /// unlocked under an older catalogue stay in `badges()`.
    pub fn badge_progress(&self, config: &LoyaltyConfig) -> Vec<BadgeProgress> {
        config
            .badges
            .iter()
            .map(|b| BadgeProgress {
                code: b.code.clone(),
                name: b.name.clone(),
                category: b.category,
                current: self.stats.value(b.metric).min(b.target),
                target: b.target,
                unlocked_at: self.badges.get(&b.code).copied(),
            })
            .collect()
    }

    /// Points available at `now`: the balance less what is due to expire.
    pub fn available(&self, config: &LoyaltyConfig, now: DateTime<Utc>) -> i64 {
        self.balance() - self.ledger.expirable(config.zone.date_of(now))
    }

    /// How much the member can redeem on a bill with `bill_charges`, at `now`.
    pub fn preview_redemption(
        &self,
        config: &LoyaltyConfig,
        bill_charges: Decimal,
        now: DateTime<Utc>,
    ) -> RedemptionPreview {
        preview(config, self.available(config, now), bill_charges)
    }

    /// Applies one event.
    pub fn apply(
        &mut self,
        config: &LoyaltyConfig,
        event: &LoyaltyEvent,
    ) -> Result<Applied, LoyaltyError> {
        event.validate()?;
        if event.customer_id() != self.customer_id {
            let mut problems = Problems::new();
            problems.push(
                "customer_id",
                Rule::Inconsistent,
                event.customer_id(),
                format!("the event is not for customer {}", self.customer_id),
            );
            problems.finish(())?;
        }
        let at = event.at();
        let today = config.zone.date_of(at);
        let mut applied = Applied::default();
        match event {
            LoyaltyEvent::PaymentReceived { payment, .. } => {
                let key = format!("earn:{}", payment.id);
                if self.ledger.contains(&key) {
                    return Ok(Applied::replayed());
                }
                let (base, multiplier, points) = earn_points(config, self.tier, payment.amount);
                let detail = EntryDetail::Earn {
                    base,
                    multiplier,
                    tier: self.tier,
                };
                self.credit(config, key, points, at, detail, &mut applied);
                self.stats.payment_months.record(month_index(today));
            }
            LoyaltyEvent::PaymentRefunded { payment_id, .. } => {
                let key = format!("refund:{payment_id}");
                if self.ledger.contains(&key) {
                    return Ok(Applied::replayed());
                }
                let earn = self
                    .ledger
                    .get(&format!("earn:{payment_id}"))
                    .ok_or_else(|| LoyaltyError::UnknownPayment {
                        customer_id: self.customer_id.clone(),
                        payment_id: payment_id.clone(),
                    })?;
                let (earned, seq) = (earn.points, earn.seq);
                applied.entries.extend(self.ledger.expire(today, at));
                let expired = self.ledger.mark_reversed(seq);
                let owed = earned - expired;
                let reversal =
                    self.ledger
                        .debit(key, owed, at, Some(seq), |taken| EntryDetail::Reverse {
                            earned,
                            expired,
                            shortfall: owed - taken,
                        });
                if earned > 0 {
                    self.stats.lifetime_points -= earned;
                    self.stats.lifetime_at = Some(at);
                }
                applied.entries.extend(reversal);
            }
            LoyaltyEvent::WalletTopUp { top_up_id, .. } => {
                if !self.seen.insert(format!("topup:{top_up_id}")) {
                    return Ok(Applied::replayed());
                }
            }
            LoyaltyEvent::OrderDelivered { order_id, .. } => {
                if !self.seen.insert(format!("delivered:{order_id}")) {
                    return Ok(Applied::replayed());
                }
                self.stats.delivered_orders += 1;
                self.stats.delivery_weeks.record(week_index(today));
                if self.stats.delivered_orders == 1 {
                    let detail = EntryDetail::Bonus {
                        cause: BonusCause::FirstOrder,
                    };
                    let key = format!("first-order:{order_id}");
                    self.credit(
                        config,
                        key,
                        config.first_order_bonus,
                        at,
                        detail,
                        &mut applied,
                    );
                }
            }
            LoyaltyEvent::ReferralCompleted { referred_id, .. } => {
                let key = format!("referral:{referred_id}");
                if self.ledger.contains(&key) {
                    return Ok(Applied::replayed());
                }
                let detail = EntryDetail::Bonus {
                    cause: BonusCause::Referral,
                };
                self.credit(config, key, config.referral_bonus, at, detail, &mut applied);
                self.stats.referrals += 1;
            }
            LoyaltyEvent::ReviewPosted { order_id, .. } => {
                let key = format!("review:{order_id}");
                if self.ledger.contains(&key) {
                    return Ok(Applied::replayed());
                }
                if !self.seen.contains(&format!("delivered:{order_id}")) {
                    return Err(LoyaltyError::ReviewNotDelivered {
                        customer_id: self.customer_id.clone(),
                        order_id: order_id.clone(),
                    });
                }
                let detail = EntryDetail::Bonus {
                    cause: BonusCause::Review,
                };
                self.credit(config, key, config.review_bonus, at, detail, &mut applied);
                self.stats.reviews += 1;
            }
            LoyaltyEvent::SocialAction { action_id, .. } => {
                if !self.seen.insert(format!("social:{action_id}")) {
                    return Ok(Applied::replayed());
                }
                self.stats.social_actions += 1;
            }
            LoyaltyEvent::Adjusted {
                key,
                points,
                reason,
                ..
            } => {
                let key = format!("adjust:{key}");
                if self.ledger.contains(&key) {
                    return Ok(Applied::replayed());
                }
                let detail = EntryDetail::Adjust {
                    reason: reason.clone(),
                };
                if *points > 0 {
                    self.credit(config, key, *points, at, detail, &mut applied);
                } else {
                    let wanted = -points;
                    let available = self.available(config, at);
                    if wanted > available {
                        return Err(LoyaltyError::InsufficientPoints {
                            customer_id: self.customer_id.clone(),
                            requested: wanted,
                            balance: available,
                        });
                    }
                    applied.entries.extend(self.ledger.expire(today, at));
                    applied
                        .entries
                        .extend(self.ledger.debit(key, wanted, at, None, |_| detail));
                }
            }
        }
        self.seen_at(at);
        applied.tier_change = self.upgrade(config, at);
        applied.unlocked = self.unlock(config, at);
        Ok(applied)
    }

    /// Redeems points against a bill. Points due to expire at the request's instant are
    /// expired first and cannot be redeemed; the oldest remaining points go first.
    pub fn redeem(
        &mut self,
        config: &LoyaltyConfig,
        request: &RedemptionRequest,
    ) -> Result<Redeemed, LoyaltyError> {
        request.validate()?;
        let key = format!("redeem:{}", request.key);
        if let Some(entry) = self.ledger.get(&key) {
            let amount = match &entry.detail {
                EntryDetail::Redeem { amount } => *amount,
                _ => points_value(config, -entry.points),
            };
            return Ok(Redeemed {
                redemption: Redemption {
                    customer_id: self.customer_id.clone(),
                    points: -entry.points,
                    amount,
                    key: request.key.clone(),
                },
                applied: Applied::replayed(),
            });
        }
        let points = request.points;
        if points < config.minimum_redemption {
            return Err(LoyaltyError::BelowMinimum {
                customer_id: self.customer_id.clone(),
                points,
                minimum: config.minimum_redemption,
            });
        }
        let max_points = cap_points(config, request.bill_charges);
        if points > max_points {
            return Err(LoyaltyError::AboveCap {
                customer_id: self.customer_id.clone(),
                points,
                max_points,
                bill_charges: request.bill_charges,
            });
        }
        let available = self.available(config, request.at);
        if points > available {
            return Err(LoyaltyError::InsufficientPoints {
                customer_id: self.customer_id.clone(),
                requested: points,
                balance: available,
            });
        }
        let at = request.at;
        let amount = points_value(config, points);
        let mut applied = Applied::default();
        applied
            .entries
            .extend(self.ledger.expire(config.zone.date_of(at), at));
        applied.entries.extend(
            self.ledger
                .debit(key, points, at, None, |_| EntryDetail::Redeem { amount }),
        );
        self.stats.redemptions += 1;
        self.stats.points_redeemed += points.unsigned_abs();
        self.seen_at(at);
        applied.unlocked = self.unlock(config, at);
        Ok(Redeemed {
            redemption: Redemption {
                customer_id: self.customer_id.clone(),
                points,
                amount,
                key: request.key.clone(),
            },
            applied,
        })
    }

    /// Expires every lot due at `now`; the daily sweep of the host.
    pub fn expire(&mut self, config: &LoyaltyConfig, now: DateTime<Utc>) -> Vec<Entry> {
        self.ledger.expire(config.zone.date_of(now), now)
    }

    /// The monthly tier review at `now`: once per calendar month, lowers the tier by one step
    /// at most when qualifying points fell below its threshold (or raises it if they allow).
    pub fn review(&mut self, config: &LoyaltyConfig, now: DateTime<Utc>) -> Option<TierChange> {
        let today = config.zone.date_of(now);
        let month = month_index(today);
        if self.last_review.is_some_and(|m| m >= month) {
            return None;
        }
        self.last_review = Some(month);
        let qualifying = self.qualifying_points(config, today);
        let target = tier_for(config, qualifying);
        let to = if target < self.tier {
            self.tier.lower()
        } else {
            target
        };
        self.change_tier(to, TierCause::Review, qualifying, now)
    }

    /// Appends a positive entry and counts qualifying points.
    fn credit(
        &mut self,
        config: &LoyaltyConfig,
        key: String,
        points: i64,
        at: DateTime<Utc>,
        detail: EntryDetail,
        applied: &mut Applied,
    ) {
        let earned_on = config.zone.date_of(at);
        let expires_on = earned_on
            .checked_add_months(Months::new(config.expiry_months))
            .unwrap_or(NaiveDate::MAX);
        let qualifying = !matches!(detail, EntryDetail::Adjust { .. });
        if let Some(entry) = self
            .ledger
            .credit(key, points, at, (earned_on, expires_on), detail)
        {
            if qualifying && points > 0 {
                self.stats.lifetime_points += points;
                self.stats.lifetime_at = Some(at);
            }
            applied.entries.push(entry);
        }
    }

    fn seen_at(&mut self, at: DateTime<Utc>) {
        self.joined_at = Some(self.joined_at.map_or(at, |j| j.min(at)));
        self.latest = Some(self.latest.map_or(at, |l| l.max(at)));
    }

    /// Raises the tier at once to the highest threshold the qualifying points reach, counted
    /// up to the latest instant known (so a late event sees the points earned after it).
    fn upgrade(&mut self, config: &LoyaltyConfig, at: DateTime<Utc>) -> Option<TierChange> {
        let until = self.latest.map_or(at, |l| l.max(at));
        let qualifying = self.qualifying_points(config, config.zone.date_of(until));
        let target = tier_for(config, qualifying);
        if target > self.tier {
            self.change_tier(target, TierCause::Upgrade, qualifying, at)
        } else {
            None
        }
    }

    fn change_tier(
        &mut self,
        to: Tier,
        cause: TierCause,
        qualifying_points: i64,
        at: DateTime<Utc>,
    ) -> Option<TierChange> {
        if to == self.tier {
            return None;
        }
        let change = TierChange {
            customer_id: self.customer_id.clone(),
            from: self.tier,
            to,
            cause,
            qualifying_points,
            at,
        };
        self.tier = to;
        self.stats.highest_tier = self.stats.highest_tier.max(to.rank());
        self.tier_history.push(change.clone());
        Some(change)
    }

    /// Unlocks every badge whose target is reached and that is not unlocked yet.
    fn unlock(&mut self, config: &LoyaltyConfig, at: DateTime<Utc>) -> Vec<BadgeUnlock> {
        let mut out = Vec::new();
        for rule in &config.badges {
            if self.stats.value(rule.metric) >= rule.target && !self.badges.contains_key(&rule.code)
            {
                self.badges.insert(rule.code.clone(), at);
                out.push(BadgeUnlock {
                    customer_id: self.customer_id.clone(),
                    code: rule.code.clone(),
                    at,
                });
            }
        }
        out
    }
}

/// Points a payment of `amount` rupees earns at `tier`: `floor(floor(amount) × multiplier)`.
/// Returns the base (whole rupees), the multiplier and the points.
pub fn earn_points(config: &LoyaltyConfig, tier: Tier, amount: Decimal) -> (i64, Decimal, i64) {
    let multiplier = config.tiers.rule(tier).multiplier;
    let rupees = amount.floor().max(Decimal::ZERO);
    let base = rupees.to_i64().unwrap_or(0);
    let points = (rupees * multiplier).floor().to_i64().unwrap_or(0);
    (base, multiplier, points)
}

/// The Monday of the ISO week of `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - chrono::Days::new(u64::from(date.weekday().num_days_from_monday()))
}
