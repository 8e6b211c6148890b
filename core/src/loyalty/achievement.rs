//! Achievements: badges with progress, unlocked automatically and only once.
//!
//! A badge is data (`BadgeRule`): a metric of the member's statistics and a target. The
//! statistics are updated by the same events the ledger sees, so badges need no events of
//! their own and a replay unlocks the same badges at the same instants.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The seven badge categories of the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "BadgeCategory"))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Orders,
    Points,
    Referrals,
    Reviews,
    Streaks,
    Social,
    Tier,
}

/// What a badge counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "BadgeMetric"))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Orders delivered.
    DeliveredOrders,
    /// Points earned ever (earn and bonus, less reversals).
    LifetimePoints,
    /// Points redeemed ever.
    PointsRedeemed,
    /// Redemptions made.
    Redemptions,
    /// Referred customers whose first delivery completed.
    Referrals,
    /// Reviews that earned a bonus.
    Reviews,
    /// Longest run of consecutive calendar months with a payment.
    PaymentMonthStreak,
    /// Longest run of consecutive ISO weeks with a delivered order.
    DeliveryWeekStreak,
    /// Share or social actions.
    SocialActions,
    /// Highest tier reached, in steps above BRONZE (SILVER 1 … DIAMOND 4).
    TierReached,
}

/// A badge definition: unlocked when `metric` reaches `target`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct BadgeRule {
    /// Stable code, e.g. `orders_10`.
    pub code: String,
    /// Name shown to customers.
    pub name: String,
    pub category: Category,
    pub metric: Metric,
    pub target: u64,
}

impl BadgeRule {
    fn new(code: &str, name: &str, category: Category, metric: Metric, target: u64) -> Self {
        Self {
            code: code.to_owned(),
            name: name.to_owned(),
            category,
            metric,
            target,
        }
    }
}

/// The default catalogue: 22 badges over the 7 categories.
pub fn default_badges() -> Vec<BadgeRule> {
    use Category as C;
    use Metric as M;
    vec![
        BadgeRule::new("orders_1", "First Sip", C::Orders, M::DeliveredOrders, 1),
        BadgeRule::new("orders_10", "Regular", C::Orders, M::DeliveredOrders, 10),
        BadgeRule::new("orders_50", "Devoted", C::Orders, M::DeliveredOrders, 50),
        BadgeRule::new("orders_100", "Century", C::Orders, M::DeliveredOrders, 100),
        BadgeRule::new("points_100", "Saver", C::Points, M::LifetimePoints, 100),
        BadgeRule::new(
            "points_1000",
            "Collector",
            C::Points,
            M::LifetimePoints,
            1_000,
        ),
        BadgeRule::new(
            "points_10000",
            "Hoarder",
            C::Points,
            M::LifetimePoints,
            10_000,
        ),
        BadgeRule::new("redeem_1", "First Treat", C::Points, M::Redemptions, 1),
        BadgeRule::new(
            "redeem_5000",
            "Big Spender",
            C::Points,
            M::PointsRedeemed,
            5_000,
        ),
        BadgeRule::new(
            "referrals_1",
            "Friend Bringer",
            C::Referrals,
            M::Referrals,
            1,
        ),
        BadgeRule::new(
            "referrals_5",
            "Community Builder",
            C::Referrals,
            M::Referrals,
            5,
        ),
        BadgeRule::new("reviews_1", "First Review", C::Reviews, M::Reviews, 1),
        BadgeRule::new("reviews_10", "Critic", C::Reviews, M::Reviews, 10),
        BadgeRule::new(
            "paid_3_months",
            "On Time",
            C::Streaks,
            M::PaymentMonthStreak,
            3,
        ),
        BadgeRule::new(
            "paid_12_months",
            "Year of Trust",
            C::Streaks,
            M::PaymentMonthStreak,
            12,
        ),
        BadgeRule::new(
            "delivered_4_weeks",
            "Month of Mornings",
            C::Streaks,
            M::DeliveryWeekStreak,
            4,
        ),
        BadgeRule::new("social_1", "Sharer", C::Social, M::SocialActions, 1),
        BadgeRule::new("social_10", "Ambassador", C::Social, M::SocialActions, 10),
        BadgeRule::new("tier_silver", "Silver", C::Tier, M::TierReached, 1),
        BadgeRule::new("tier_gold", "Gold", C::Tier, M::TierReached, 2),
        BadgeRule::new("tier_platinum", "Platinum", C::Tier, M::TierReached, 3),
        BadgeRule::new("tier_diamond", "Diamond", C::Tier, M::TierReached, 4),
    ]
}

/// A run of consecutive periods (months or ISO weeks) with activity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Streak {
    /// Index of the last period with activity.
    pub last: Option<i64>,
    /// Length of the run ending at `last`.
    pub current: u64,
    /// Longest run ever.
    pub best: u64,
}

impl Streak {
    /// Records activity in `period`. A late event for an earlier period does not rewrite the
    /// run: streaks follow the order events arrive in.
    pub fn record(&mut self, period: i64) {
        match self.last {
            Some(last) if period <= last => {}
            Some(last) if period == last + 1 => {
                self.current += 1;
                self.last = Some(period);
            }
            _ => {
                self.current = 1;
                self.last = Some(period);
            }
        }
        self.best = self.best.max(self.current);
    }
}

/// Index of the calendar month of `date` (consecutive months differ by 1).
pub fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// Index of the ISO week of `date` (consecutive weeks differ by 1).
pub fn week_index(date: NaiveDate) -> i64 {
    (i64::from(date.num_days_from_ce()) - i64::from(date.weekday().num_days_from_monday())) / 7
}

/// What a member has done, as the badges count it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(
    feature = "typescript",
    ts(rename = "LoyaltyStats", rename_all = "camelCase")
)]
pub struct Stats {
    pub delivered_orders: u64,
    /// Points earned ever (earn and bonus), less reversals.
    pub lifetime_points: i64,
    /// When `lifetime_points` last changed: the leaderboards' tie-break.
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::typescript::Instant>"))]
    pub lifetime_at: Option<DateTime<Utc>>,
    pub points_redeemed: u64,
    pub redemptions: u64,
    pub referrals: u64,
    pub reviews: u64,
    pub social_actions: u64,
    pub payment_months: Streak,
    pub delivery_weeks: Streak,
    /// Highest tier reached, in steps above BRONZE.
    pub highest_tier: u64,
}

impl Stats {
    /// The value of `metric`.
    pub fn value(&self, metric: Metric) -> u64 {
        match metric {
            Metric::DeliveredOrders => self.delivered_orders,
            Metric::LifetimePoints => u64::try_from(self.lifetime_points).unwrap_or(0),
            Metric::PointsRedeemed => self.points_redeemed,
            Metric::Redemptions => self.redemptions,
            Metric::Referrals => self.referrals,
            Metric::Reviews => self.reviews,
            Metric::PaymentMonthStreak => self.payment_months.best,
            Metric::DeliveryWeekStreak => self.delivery_weeks.best,
            Metric::SocialActions => self.social_actions,
            Metric::TierReached => self.highest_tier,
        }
    }
}

/// A badge a member unlocked, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct BadgeUnlock {
    pub customer_id: String,
    pub code: String,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::Instant"))]
    pub at: DateTime<Utc>,
}

/// A badge of the catalogue with the member's progress towards it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct BadgeProgress {
    pub code: String,
    pub name: String,
    pub category: Category,
    /// Progress so far, at most `target`.
    pub current: u64,
    pub target: u64,
    /// When it was unlocked; `None` while locked.
    #[cfg_attr(feature = "typescript", ts(as = "Option<crate::typescript::Instant>"))]
    pub unlocked_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalogue_covers_every_category_with_at_least_15_badges() {
        let badges = default_badges();
        assert!(badges.len() >= 15);
        let categories: std::collections::BTreeSet<_> = badges.iter().map(|b| b.category).collect();
        assert_eq!(categories.len(), 7);
    }

    #[test]
    fn a_streak_counts_consecutive_periods_and_keeps_its_best() {
        let mut s = Streak::default();
        for p in [10, 11, 12, 12, 14, 15, 9] {
            s.record(p);
        }
        assert_eq!((s.current, s.best), (2, 3));
    }

    #[test]
    fn consecutive_iso_weeks_have_consecutive_indices() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(week_index(monday), week_index(sunday) + 1);
        let tuesday = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(week_index(tuesday), week_index(sunday));
    }
}
