//! The loyalty programme on the phone: a customer's balance, tier and progress, badges and
//! what a bill could redeem, computed offline from the member's events.
//!
//! A [`LoyaltyProgram`] object holds the core's `Program`; events, redemption requests and
//! every result are the core's own types (remote records). The configuration, when not the
//! default, crosses as the backend's JSON (a partial object keeps every other default).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use earlybird::Error;
use earlybird::loyalty::{
    Applied, BadgeProgress, BadgeUnlock, BonusCause, Category, Entry, EntryDetail, LoyaltyConfig,
    LoyaltyEvent, MemberSummary, Position, Program, Redeemed, Redemption, RedemptionPreview,
    RedemptionRequest, Tier, TierCause, TierChange, TierProgress,
};
use earlybird::record::Payment;

use crate::data::from_json;
use crate::error::EarlybirdError;
use crate::types::{Amount, Instant, canonical_json};

/// A loyalty tier, lowest first.
#[uniffi::remote(Enum)]
pub enum Tier {
    Bronze,
    Silver,
    Gold,
    Platinum,
    Diamond,
}

/// Why a tier changed: an upgrade at once, or the monthly review.
#[uniffi::remote(Enum)]
pub enum TierCause {
    Upgrade,
    Review,
}

/// Why a bonus was given.
#[uniffi::remote(Enum)]
pub enum BonusCause {
    FirstOrder,
    Referral,
    Review,
}

/// What a ledger entry records beyond its points; the variant is the entry's kind.
#[uniffi::remote(Enum)]
pub enum EntryDetail {
    Earn {
        base: i64,
        multiplier: Amount,
        tier: Tier,
    },
    Bonus {
        cause: BonusCause,
    },
    Redeem {
        amount: Amount,
    },
    Expire,
    Reverse {
        earned: i64,
        expired: i64,
        shortfall: i64,
    },
    Adjust {
        reason: String,
    },
}

/// One ledger line; entries are never changed or removed.
#[uniffi::remote(Record)]
pub struct Entry {
    pub seq: u64,
    pub key: String,
    pub points: i64,
    pub at: Instant,
    pub detail: EntryDetail,
}

/// A change of tier, with the qualifying points it was decided on.
#[uniffi::remote(Record)]
pub struct TierChange {
    pub customer_id: String,
    pub from: Tier,
    pub to: Tier,
    pub cause: TierCause,
    pub qualifying_points: i64,
    pub at: Instant,
}

/// A badge a member unlocked, and when.
#[uniffi::remote(Record)]
pub struct BadgeUnlock {
    pub customer_id: String,
    pub code: String,
    pub at: Instant,
}

/// What a badge counts towards, for grouping on screen.
#[uniffi::remote(Enum)]
pub enum Category {
    Orders,
    Points,
    Referrals,
    Reviews,
    Streaks,
    Social,
    Tier,
}

/// A badge of the catalogue with the member's progress towards it.
#[uniffi::remote(Record)]
pub struct BadgeProgress {
    pub code: String,
    pub name: String,
    pub category: Category,
    pub current: u64,
    pub target: u64,
    pub unlocked_at: Option<Instant>,
}

/// Where a member stands against the tiers: the next threshold and what the next monthly
/// review needs to keep the current tier.
#[uniffi::remote(Record)]
pub struct TierProgress {
    pub tier: Tier,
    pub qualifying_points: i64,
    pub next_tier: Option<Tier>,
    pub next_threshold: Option<i64>,
    pub points_to_next: Option<i64>,
    pub points_to_keep: i64,
}

/// What the app shows a member: balance, points usable now, tier progress, every badge.
#[uniffi::remote(Record)]
pub struct MemberSummary {
    pub customer_id: String,
    pub balance: i64,
    pub available: i64,
    pub tier: TierProgress,
    pub badges: Vec<BadgeProgress>,
}

/// What one event did: the entries written, a tier change, badges unlocked, and whether its
/// key had been applied before (then nothing changed).
#[uniffi::remote(Record)]
pub struct Applied {
    pub entries: Vec<Entry>,
    pub tier_change: Option<TierChange>,
    pub unlocked: Vec<BadgeUnlock>,
    pub duplicate: bool,
}

/// Points turned into a bill credit of `amount` rupees (two decimals) under the bill's key.
#[uniffi::remote(Record)]
pub struct Redemption {
    pub customer_id: String,
    pub points: i64,
    pub amount: Amount,
    pub key: String,
}

/// A redemption and the rest of what it did (expiries applied first, badges).
#[uniffi::remote(Record)]
pub struct Redeemed {
    pub redemption: Redemption,
    pub applied: Applied,
}

/// A request to redeem `points` on a bill whose charges are `bill_charges`, once per `key`.
#[uniffi::remote(Record)]
pub struct RedemptionRequest {
    pub customer_id: String,
    pub key: String,
    pub points: i64,
    pub bill_charges: Amount,
    pub at: Instant,
}

/// What a bill allows: the most points (0 below the minimum), their value and the cap.
#[uniffi::remote(Record)]
pub struct RedemptionPreview {
    pub balance: i64,
    pub max_points: i64,
    pub max_amount: Amount,
    pub cap_amount: Amount,
    pub minimum_points: i64,
}

/// A member's place on a board; `percentile` is a decimal with two places.
#[uniffi::remote(Record)]
pub struct Position {
    pub rank: u64,
    pub of: u64,
    pub customer_id: String,
    pub score: i64,
    pub percentile: Amount,
}

/// Everything that moves a member's points, each under its own idempotency key.
#[uniffi::remote(Enum)]
pub enum LoyaltyEvent {
    PaymentReceived {
        payment: Payment,
        at: Instant,
    },
    PaymentRefunded {
        customer_id: String,
        payment_id: String,
        at: Instant,
    },
    WalletTopUp {
        customer_id: String,
        top_up_id: String,
        amount: Amount,
        at: Instant,
    },
    OrderDelivered {
        customer_id: String,
        order_id: String,
        at: Instant,
    },
    ReferralCompleted {
        referrer_id: String,
        referred_id: String,
        at: Instant,
    },
    ReviewPosted {
        customer_id: String,
        order_id: String,
        at: Instant,
    },
    SocialAction {
        customer_id: String,
        action_id: String,
        channel: String,
        at: Instant,
    },
    Adjusted {
        customer_id: String,
        key: String,
        points: i64,
        reason: String,
        at: Instant,
    },
}

/// A member's account: the ledger, the tier history and the badges unlocked (by code).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, uniffi::Record)]
pub struct LoyaltyMember {
    pub customer_id: String,
    pub joined_at: Option<Instant>,
    pub balance: i64,
    pub tier: Tier,
    pub entries: Vec<Entry>,
    pub tier_history: Vec<TierChange>,
    pub badges: Vec<BadgeUnlock>,
}

/// The first positions of every board: all time, per tier, and this ISO week.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Leaderboards {
    pub all_time: Vec<Position>,
    pub by_tier: HashMap<Tier, Vec<Position>>,
    pub this_week: Vec<Position>,
}

/// One member's place on each board (`null`/`nil` on a board they are not on).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MemberPositions {
    pub all_time: Option<Position>,
    pub tier: Option<Position>,
    pub this_week: Option<Position>,
}

/// The default configuration, or the backend's JSON of it read over the defaults.
fn config(config_json: Option<String>) -> Result<LoyaltyConfig, EarlybirdError> {
    match config_json {
        None => Ok(LoyaltyConfig::default()),
        Some(text) => from_json("config", &text),
    }
}

/// The loyalty programme: one member per customer, changed only by events, redemptions, the
/// expiry sweep and the monthly review. Safe to share between threads (one call at a time).
#[derive(Debug, uniffi::Object)]
pub struct LoyaltyProgram {
    program: Mutex<Program>,
}

impl LoyaltyProgram {
    /// The programme; a command refused by the core changes nothing, so a lock left by a
    /// panicking thread still guards a whole programme.
    fn program(&self) -> MutexGuard<'_, Program> {
        self.program.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl LoyaltyProgram {
    /// A programme without members under the default configuration, or `config_json` (the
    /// backend's `LoyaltyConfig` JSON; absent fields keep their default), checked by the core.
    #[uniffi::constructor]
    pub fn new(config_json: Option<String>) -> Result<Arc<Self>, EarlybirdError> {
        let program = Program::new(config(config_json)?).map_err(Error::Loyalty)?;
        Ok(Arc::new(Self {
            program: Mutex::new(program),
        }))
    }

    /// Applies one event (idempotent under its key); enrols the customer on the first one.
    pub fn apply(&self, event: LoyaltyEvent) -> Result<Applied, EarlybirdError> {
        Ok(self.program().apply(&event).map_err(Error::Loyalty)?)
    }

    /// Redeems points against a bill; refused (nothing changed) below the minimum, above the
    /// cap or above the points available.
    pub fn redeem(&self, request: RedemptionRequest) -> Result<Redeemed, EarlybirdError> {
        Ok(self.program().redeem(&request).map_err(Error::Loyalty)?)
    }

    /// What the customer could redeem on a bill of `bill_charges` at `now`.
    pub fn preview_redemption(
        &self,
        customer_id: String,
        bill_charges: Amount,
        now: Instant,
    ) -> RedemptionPreview {
        self.program()
            .preview_redemption(&customer_id, bill_charges, now)
    }

    /// The daily expiry sweep at `now`: the expiry entries written.
    pub fn expire(&self, now: Instant) -> Vec<Entry> {
        self.program().expire(now)
    }

    /// The monthly tier review at `now`: the tier changes made.
    pub fn monthly_review(&self, now: Instant) -> Vec<TierChange> {
        self.program().monthly_review(now)
    }

    /// Balance, available points, tier progress and badge progress at `now`; `null`/`nil`
    /// for a customer no event reached yet.
    pub fn summary(&self, customer_id: String, now: Instant) -> Option<MemberSummary> {
        self.program().summary(&customer_id, now)
    }

    /// The member's account; `null`/`nil` for a customer no event reached yet.
    pub fn member(&self, customer_id: String) -> Option<LoyaltyMember> {
        let program = self.program();
        let member = program.member(&customer_id)?;
        Some(LoyaltyMember {
            customer_id: member.customer_id().to_owned(),
            joined_at: member.joined_at(),
            balance: member.balance(),
            tier: member.tier(),
            entries: member.ledger().entries().to_vec(),
            tier_history: member.tier_history().to_vec(),
            badges: member
                .badges()
                .iter()
                .map(|(code, at)| BadgeUnlock {
                    customer_id: customer_id.clone(),
                    code: code.clone(),
                    at: *at,
                })
                .collect(),
        })
    }

    /// The customer ids of every member, sorted.
    pub fn customer_ids(&self) -> Vec<String> {
        self.program()
            .members()
            .map(|m| m.customer_id().to_owned())
            .collect()
    }

    /// The boards at `now`, each cut to its first `top` positions (all of them when absent).
    pub fn leaderboards(&self, now: Instant, top: Option<u32>) -> Leaderboards {
        let boards = self.program().leaderboards(now);
        let first = |board: &earlybird::loyalty::Leaderboard| {
            board.top(top.map_or(board.len(), |n| usize::try_from(n).unwrap_or(usize::MAX)))
        };
        Leaderboards {
            all_time: first(&boards.all_time),
            by_tier: boards
                .by_tier
                .iter()
                .map(|(tier, board)| (*tier, first(board)))
                .collect(),
            this_week: first(&boards.this_week),
        }
    }

    /// Where the customer stands at `now` on each board; `null`/`nil` for a non-member.
    pub fn position(&self, customer_id: String, now: Instant) -> Option<MemberPositions> {
        let program = self.program();
        let tier = program.member(&customer_id)?.tier();
        let boards = program.leaderboards(now);
        Some(MemberPositions {
            all_time: boards.all_time.position(&customer_id),
            tier: boards
                .by_tier
                .get(&tier)
                .and_then(|board| board.position(&customer_id)),
            this_week: boards.this_week.position(&customer_id),
        })
    }
}

/// What redeeming from `balance` points allows on a bill of `bill_charges`, under the default
/// configuration or `config_json`: the preview billing shows before a customer has an account.
#[uniffi::export]
pub fn preview_redemption(
    balance: i64,
    bill_charges: Amount,
    config_json: Option<String>,
) -> Result<RedemptionPreview, EarlybirdError> {
    Ok(earlybird::loyalty::preview(
        &config(config_json)?,
        balance,
        bill_charges,
    ))
}

/// The text of the bill line of a redemption (the bill shows it as a negative amount).
#[uniffi::export]
pub fn redemption_line_description(redemption: Redemption) -> String {
    redemption.line_description()
}

/// Reads an event from the backend's JSON (tagged by `type`); the core checks it on `apply`.
#[uniffi::export]
pub fn parse_loyalty_event(json: String) -> Result<LoyaltyEvent, EarlybirdError> {
    from_json("event", &json)
}

/// Reads a redemption request from the backend's JSON; the core checks it on `redeem`.
#[uniffi::export]
pub fn parse_redemption_request(json: String) -> Result<RedemptionRequest, EarlybirdError> {
    from_json("request", &json)
}

/// The default configuration as JSON (tiers, bonuses, expiry, redemption, badges).
#[uniffi::export]
pub fn default_loyalty_config_json() -> String {
    canonical_json(&LoyaltyConfig::default())
}

/// The core's canonical JSON of what an event did.
#[uniffi::export]
pub fn applied_to_json(applied: Applied) -> String {
    canonical_json(&applied)
}

/// The core's canonical JSON of a redemption and what it did.
#[uniffi::export]
pub fn redeemed_to_json(redeemed: Redeemed) -> String {
    canonical_json(&redeemed)
}

/// The core's canonical JSON of a redemption preview.
#[uniffi::export]
pub fn redemption_preview_to_json(preview: RedemptionPreview) -> String {
    canonical_json(&preview)
}

/// The core's canonical JSON of a member summary.
#[uniffi::export]
pub fn member_summary_to_json(summary: MemberSummary) -> String {
    canonical_json(&summary)
}

/// A member's account as canonical JSON (entries, tier changes and badges as the core
/// writes them).
#[uniffi::export]
pub fn loyalty_member_to_json(member: LoyaltyMember) -> String {
    canonical_json(&member)
}

/// The boards as canonical JSON, `by_tier` keyed by tier name in tier order.
#[uniffi::export]
pub fn leaderboards_to_json(boards: Leaderboards) -> String {
    /// The JSON form: tiers in their order, whatever the order of the foreign map.
    #[derive(serde::Serialize)]
    struct Json {
        all_time: Vec<Position>,
        by_tier: BTreeMap<Tier, Vec<Position>>,
        this_week: Vec<Position>,
    }
    canonical_json(&Json {
        all_time: boards.all_time,
        by_tier: boards.by_tier.into_iter().collect(),
        this_week: boards.this_week,
    })
}

/// The core's canonical JSON of an event.
#[uniffi::export]
pub fn loyalty_event_to_json(event: LoyaltyEvent) -> String {
    canonical_json(&event)
}
