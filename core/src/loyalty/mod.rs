//! The loyalty programme (rules section 4): points, tiers, redemption, leaderboards, badges.
//!
//! A [`Program`] holds one [`Member`] per customer. Members change only through
//! [`LoyaltyEvent`]s and redemption requests, each under an idempotency key, and every point
//! lives in an append-only [`Ledger`]: the balance is the sum of its entries and never
//! negative. "Now" is always passed in.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use earlybird::loyalty::{LoyaltyConfig, LoyaltyEvent, Program, RedemptionRequest};
//! use earlybird::record::{Payment, PaymentMethod};
//! use rust_decimal::Decimal;
//!
//! let at: DateTime<Utc> = "2026-11-02T04:00:00Z".parse().unwrap();
//! let mut program = Program::new(LoyaltyConfig::default()).unwrap();
//! let payment = Payment {
//!     id: "pay-1".into(),
//!     customer_id: "cust-1".into(),
//!     amount: Decimal::new(1_20050, 2), // Rs 1,200.50 earns 1,200 points at BRONZE
//!     method: PaymentMethod::Upi,
//!     date: at.date_naive(),
//!     reference: None,
//! };
//! program.apply(&LoyaltyEvent::PaymentReceived { payment, at }).unwrap();
//! let redeemed = program
//!     .redeem(&RedemptionRequest {
//!         customer_id: "cust-1".into(),
//!         key: "EB/26-27/000123".into(),
//!         points: 300,
//!         bill_charges: Decimal::new(1_500, 0),
//!         at,
//!     })
//!     .unwrap();
//! assert_eq!(redeemed.redemption.amount, Decimal::new(150_00, 2)); // a Rs 150.00 credit line
//! assert_eq!(program.member("cust-1").unwrap().balance(), 900);
//! ```

mod achievement;
mod config;
mod error;
mod event;
mod leaderboard;
mod ledger;
mod member;
mod program;
mod redemption;
mod tier;

pub use achievement::{
    BadgeProgress, BadgeRule, BadgeUnlock, Category, Metric, Stats, Streak, default_badges,
};
pub use config::{LoyaltyConfig, TierRule, TierTable};
pub use error::LoyaltyError;
pub use event::LoyaltyEvent;
pub use leaderboard::{Leaderboard, Position, Standing};
pub use ledger::{BonusCause, Entry, EntryDetail, EntryKind, Ledger, Lot};
pub use member::{Applied, Member, Redeemed, earn_points, week_start};
pub use program::{Leaderboards, MemberSummary, Program};
pub use redemption::{
    Redemption, RedemptionPreview, RedemptionRequest, cap_amount, cap_points, points_value, preview,
};
pub use tier::{Tier, TierCause, TierChange, TierProgress, progress, tier_for};

#[cfg(test)]
mod tests;
