//! Tiers: earned by points in the trailing window, raised at once, lowered only at reviews.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::config::LoyaltyConfig;
use crate::record::status_enum;

status_enum! {
    /// A loyalty tier, lowest first. The tier sets the earn multiplier.
    Tier {
        Bronze => "BRONZE",
        Silver => "SILVER",
        Gold => "GOLD",
        Platinum => "PLATINUM",
        Diamond => "DIAMOND",
    }
}

impl Tier {
    /// Steps above BRONZE (BRONZE 0 … DIAMOND 4); the `tier` badges count in these steps.
    pub const fn rank(self) -> u64 {
        match self {
            Tier::Bronze => 0,
            Tier::Silver => 1,
            Tier::Gold => 2,
            Tier::Platinum => 3,
            Tier::Diamond => 4,
        }
    }

    /// The tier one step below (BRONZE stays BRONZE): a review lowers by one step at most.
    pub const fn lower(self) -> Tier {
        match self {
            Tier::Bronze | Tier::Silver => Tier::Bronze,
            Tier::Gold => Tier::Silver,
            Tier::Platinum => Tier::Gold,
            Tier::Diamond => Tier::Platinum,
        }
    }

    /// The tier one step above, if any.
    pub const fn higher(self) -> Option<Tier> {
        match self {
            Tier::Bronze => Some(Tier::Silver),
            Tier::Silver => Some(Tier::Gold),
            Tier::Gold => Some(Tier::Platinum),
            Tier::Platinum => Some(Tier::Diamond),
            Tier::Diamond => None,
        }
    }
}

/// Why a tier changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TierCause {
    /// Qualifying points crossed a threshold; applied at the event that crossed it.
    Upgrade,
    /// The monthly review: down one step at most, or up if points allow.
    Review,
}

/// One change of a member's tier, kept in the member's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct TierChange {
    pub customer_id: String,
    pub from: Tier,
    pub to: Tier,
    pub cause: TierCause,
    /// Qualifying points at the change.
    pub qualifying_points: i64,
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::Instant"))]
    pub at: DateTime<Utc>,
}

/// Where a member stands: tier, qualifying points, and what the next tier needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct TierProgress {
    pub tier: Tier,
    /// Points earned in the trailing qualifying window.
    pub qualifying_points: i64,
    /// The next tier up, if any.
    pub next_tier: Option<Tier>,
    /// Its threshold.
    pub next_threshold: Option<i64>,
    /// Points still to earn for it (0 when already enough: the upgrade comes with the next event).
    pub points_to_next: Option<i64>,
    /// Points to earn before the next review to keep the current tier (0 when safe).
    pub points_to_keep: i64,
}

/// The highest tier whose threshold `points` reach; the tier an upgrade goes to, so no crossed
/// threshold is ever skipped.
pub fn tier_for(config: &LoyaltyConfig, points: i64) -> Tier {
    Tier::ALL
        .iter()
        .copied()
        .filter(|t| config.tiers.rule(*t).threshold <= points)
        .max()
        .unwrap_or(Tier::Bronze)
}

/// Progress of a member at `tier` with `qualifying_points`.
pub fn progress(config: &LoyaltyConfig, tier: Tier, qualifying_points: i64) -> TierProgress {
    let next_tier = tier.higher();
    let next_threshold = next_tier.map(|t| config.tiers.rule(t).threshold);
    TierProgress {
        tier,
        qualifying_points,
        next_tier,
        next_threshold,
        points_to_next: next_threshold.map(|t| (t - qualifying_points).max(0)),
        points_to_keep: (config.tiers.rule(tier).threshold - qualifying_points).max(0),
    }
}
