//! The thresholds of the activation rules, as plain data a host changes without recompiling.

use serde::{Deserialize, Serialize};

use crate::time::BusinessZone;
use crate::validation::{Problems, Rule, ValidationError};

/// Every *(default)* of rules section 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
#[serde(default)]
pub struct ActivationConfig {
    /// Delivered one-time orders in the engagement window that make a customer ENGAGED.
    pub engaged_min_orders: u32,
    /// Days with a delivery of one subscription in the window that make a customer ENGAGED.
    pub engaged_min_subscription_days: u32,
    /// Length of the engagement window in days ("the last 30 days").
    pub engaged_window_days: u32,
    /// Counted days without activity after which ACTIVE or ENGAGED becomes INACTIVE.
    pub inactive_after_days: u32,
    /// Counted days without activity after which INACTIVE becomes CHURNED.
    pub churned_after_days: u32,
    /// Whether days on which every running subscription is paused are left out of the count.
    pub holidays_pause_inactivity: bool,
    /// A NEW customer is stalled this many days after signing up.
    pub stalled_new_after_days: u32,
    /// An ONBOARDED customer is stalled this many hours after the first order.
    pub stalled_onboarded_after_hours: u32,
    /// The funnel's last step: still ACTIVE or ENGAGED this many days after the first delivery.
    pub retained_after_days: u32,
    /// The business time zone; days (and the sweep's 00:00) are local to it.
    pub zone: BusinessZone,
}

impl Default for ActivationConfig {
    fn default() -> Self {
        Self {
            engaged_min_orders: 3,
            engaged_min_subscription_days: 20,
            engaged_window_days: 30,
            inactive_after_days: 30,
            churned_after_days: 60,
            holidays_pause_inactivity: true,
            stalled_new_after_days: 7,
            stalled_onboarded_after_hours: 48,
            retained_after_days: 30,
            zone: BusinessZone::default(),
        }
    }
}

impl ActivationConfig {
    /// Checks that the thresholds make a working state machine, reporting every problem.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut problems = Problems::new();
        let mut at_least_one = |field: &str, value: u32| {
            if value == 0 {
                problems.push(field, Rule::Positive, "0", "must be at least 1");
            }
        };
        at_least_one("engaged_min_orders", self.engaged_min_orders);
        at_least_one(
            "engaged_min_subscription_days",
            self.engaged_min_subscription_days,
        );
        at_least_one("engaged_window_days", self.engaged_window_days);
        at_least_one("inactive_after_days", self.inactive_after_days);
        if self.engaged_min_subscription_days > self.engaged_window_days {
            problems.push(
                "engaged_min_subscription_days",
                Rule::Range,
                self.engaged_min_subscription_days.to_string(),
                format!(
                    "cannot exceed the window of {} days",
                    self.engaged_window_days
                ),
            );
        }
        if self.churned_after_days <= self.inactive_after_days {
            problems.push(
                "churned_after_days",
                Rule::Range,
                self.churned_after_days.to_string(),
                format!(
                    "must be more than inactive_after_days ({})",
                    self.inactive_after_days
                ),
            );
        }
        if !(-14 * 3600..=14 * 3600).contains(&self.zone.offset_seconds) {
            problems.push(
                "zone.offset_seconds",
                Rule::Range,
                self.zone.offset_seconds.to_string(),
                "must be within ±14 hours",
            );
        }
        problems.finish(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_rules_and_valid() {
        let config = ActivationConfig::default();
        assert!(config.validate().is_ok());
        assert_eq!(
            (config.inactive_after_days, config.churned_after_days),
            (30, 60)
        );
    }

    #[test]
    fn every_bad_threshold_is_reported_at_once() {
        let config = ActivationConfig {
            engaged_min_orders: 0,
            engaged_min_subscription_days: 40,
            churned_after_days: 10,
            ..ActivationConfig::default()
        };
        let err = config.validate().unwrap_err();
        assert_eq!(
            err.fields(),
            [
                "engaged_min_orders",
                "engaged_min_subscription_days",
                "churned_after_days"
            ]
        );
    }

    #[test]
    fn a_partial_config_document_keeps_the_other_defaults() {
        let config: ActivationConfig =
            serde_json::from_str(r#"{"inactive_after_days": 14}"#).unwrap();
        assert_eq!(config.inactive_after_days, 14);
        assert_eq!(config.churned_after_days, 60);
    }
}
