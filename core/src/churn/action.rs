//! Recommended actions, chosen by plain data rules the host can change: first match wins.

use serde::{Deserialize, Serialize};

use super::band::RiskBand;
use super::factors::{Factor, FactorRisks};
use crate::validation::Problems;

/// What the business should do about a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RecommendedAction {
    PaymentReminder,
    ServiceRecoveryCall,
    WinBackOffer,
    EngagementNudge,
    None,
}

/// One test on a scored customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all_fields = "camelCase"))]
#[serde(tag = "if", rename_all = "snake_case")]
pub enum Condition {
    /// The factor has data and its risk is at least `risk`.
    FactorRiskAtLeast { factor: Factor, risk: f64 },
    /// The customer's band is `band` or higher.
    BandAtLeast { band: RiskBand },
}

impl Condition {
    fn holds(&self, risks: &FactorRisks, band: RiskBand) -> bool {
        match *self {
            Condition::FactorRiskAtLeast { factor, risk } => {
                risks.get(factor).is_some_and(|r| r >= risk)
            }
            Condition::BandAtLeast { band: at_least } => band >= at_least,
        }
    }
}

/// When every condition holds (an empty list always holds), recommend `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct ActionRule {
    pub when: Vec<Condition>,
    pub action: RecommendedAction,
}

/// The default rules: money first, then service, then by band.
pub fn default_rules() -> Vec<ActionRule> {
    let factor = |factor, risk| Condition::FactorRiskAtLeast { factor, risk };
    vec![
        ActionRule {
            when: vec![factor(Factor::Payment, 0.5)],
            action: RecommendedAction::PaymentReminder,
        },
        ActionRule {
            when: vec![factor(Factor::Service, 0.5)],
            action: RecommendedAction::ServiceRecoveryCall,
        },
        ActionRule {
            when: vec![Condition::BandAtLeast {
                band: RiskBand::High,
            }],
            action: RecommendedAction::WinBackOffer,
        },
        ActionRule {
            when: vec![Condition::BandAtLeast {
                band: RiskBand::Medium,
            }],
            action: RecommendedAction::EngagementNudge,
        },
    ]
}

/// The action of the first rule that matches, or [`RecommendedAction::None`].
pub fn recommend(rules: &[ActionRule], risks: &FactorRisks, band: RiskBand) -> RecommendedAction {
    rules
        .iter()
        .find(|rule| rule.when.iter().all(|c| c.holds(risks, band)))
        .map_or(RecommendedAction::None, |rule| rule.action)
}

pub(crate) fn check_rules(rules: &[ActionRule], problems: &mut Problems) {
    for (i, rule) in rules.iter().enumerate() {
        for (j, c) in rule.when.iter().enumerate() {
            if let Condition::FactorRiskAtLeast { risk, .. } = c {
                problems.within(&format!("rules[{i}].when[{j}].risk"), *risk, 0.0, 1.0);
            }
        }
    }
}
