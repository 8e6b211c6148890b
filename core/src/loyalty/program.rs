//! The programme: every member under one configuration, and the views across members.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::achievement::BadgeProgress;
use super::config::LoyaltyConfig;
use super::error::LoyaltyError;
use super::event::LoyaltyEvent;
use super::leaderboard::{Leaderboard, Standing};
use super::ledger::Entry;
use super::member::{Applied, Member, Redeemed, week_start};
use super::redemption::{RedemptionPreview, RedemptionRequest};
use super::tier::{Tier, TierChange, TierProgress};

/// What the app shows a member: balance, tier and progress, badges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct MemberSummary {
    pub customer_id: String,
    pub balance: i64,
    /// The balance less points due to expire at `now`.
    pub available: i64,
    pub tier: TierProgress,
    pub badges: Vec<BadgeProgress>,
}

/// The three leaderboards at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaderboards {
    /// Every member by points earned ever.
    pub all_time: Leaderboard,
    /// The all-time board split by current tier.
    pub by_tier: BTreeMap<Tier, Leaderboard>,
    /// Members with points earned in the ISO week of `now`.
    pub this_week: Leaderboard,
}

/// The loyalty programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Program {
    config: LoyaltyConfig,
    members: BTreeMap<String, Member>,
}

impl Program {
    /// A programme with no members; the configuration is checked first.
    pub fn new(config: LoyaltyConfig) -> Result<Self, LoyaltyError> {
        config.validate()?;
        Ok(Self {
            config,
            members: BTreeMap::new(),
        })
    }

    pub fn config(&self) -> &LoyaltyConfig {
        &self.config
    }

    /// The member of `customer_id`, if any event reached them.
    pub fn member(&self, customer_id: &str) -> Option<&Member> {
        self.members.get(customer_id)
    }

    /// Every member, by customer id.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    /// Applies an event to the member it concerns, enrolling them on their first event.
    pub fn apply(&mut self, event: &LoyaltyEvent) -> Result<Applied, LoyaltyError> {
        let id = event.customer_id();
        match self.members.get_mut(id) {
            Some(member) => member.apply(&self.config, event),
            None => {
                let mut member = Member::new(id);
                let applied = member.apply(&self.config, event)?;
                self.members.insert(id.to_owned(), member);
                Ok(applied)
            }
        }
    }

    /// Redeems points of a member against a bill.
    pub fn redeem(&mut self, request: &RedemptionRequest) -> Result<Redeemed, LoyaltyError> {
        request.validate()?;
        self.members
            .get_mut(&request.customer_id)
            .ok_or_else(|| LoyaltyError::UnknownMember {
                customer_id: request.customer_id.clone(),
            })?
            .redeem(&self.config, request)
    }

    /// How much a customer can redeem on a bill with `bill_charges` at `now` (nothing for a
    /// customer without an account).
    pub fn preview_redemption(
        &self,
        customer_id: &str,
        bill_charges: Decimal,
        now: DateTime<Utc>,
    ) -> RedemptionPreview {
        match self.members.get(customer_id) {
            Some(m) => m.preview_redemption(&self.config, bill_charges, now),
            None => super::redemption::preview(&self.config, 0, bill_charges),
        }
    }

    /// Expires every due lot of every member at `now` (the daily sweep), by customer id.
    pub fn expire(&mut self, now: DateTime<Utc>) -> Vec<Entry> {
        let config = &self.config;
        self.members
            .values_mut()
            .flat_map(|m| m.expire(config, now))
            .collect()
    }

    /// The monthly tier review of every member at `now`; the changes by customer id.
    pub fn monthly_review(&mut self, now: DateTime<Utc>) -> Vec<TierChange> {
        let config = &self.config;
        self.members
            .values_mut()
            .filter_map(|m| m.review(config, now))
            .collect()
    }

    /// What the app shows `customer_id` at `now`.
    pub fn summary(&self, customer_id: &str, now: DateTime<Utc>) -> Option<MemberSummary> {
        let m = self.members.get(customer_id)?;
        Some(MemberSummary {
            customer_id: customer_id.to_owned(),
            balance: m.balance(),
            available: m.available(&self.config, now),
            tier: m.tier_progress(&self.config, now),
            badges: m.badge_progress(&self.config),
        })
    }

    /// The all-time, per-tier and weekly boards at `now`.
    pub fn leaderboards(&self, now: DateTime<Utc>) -> Leaderboards {
        let monday = week_start(self.config.zone.date_of(now));
        let sunday = monday + Days::new(6);
        let mut all_time = Vec::with_capacity(self.members.len());
        let mut tiers: BTreeMap<Tier, Vec<Standing>> = BTreeMap::new();
        let mut week = Vec::new();
        for m in self.members.values() {
            let reached_at = m
                .stats()
                .lifetime_at
                .or(m.joined_at())
                .unwrap_or(DateTime::UNIX_EPOCH);
            let standing = Standing {
                customer_id: m.customer_id().to_owned(),
                score: m.stats().lifetime_points,
                reached_at,
            };
            tiers.entry(m.tier()).or_default().push(standing.clone());
            all_time.push(standing);
            if let (score, Some(reached_at)) = m.ledger().earned_between(Some(monday), sunday)
                && score > 0
            {
                week.push(Standing {
                    customer_id: m.customer_id().to_owned(),
                    score,
                    reached_at,
                });
            }
        }
        Leaderboards {
            all_time: Leaderboard::build(all_time),
            by_tier: tiers
                .into_iter()
                .map(|(t, s)| (t, Leaderboard::build(s)))
                .collect(),
            this_week: Leaderboard::build(week),
        }
    }
}
