//! Message templates with `{{var}}` placeholders (rules section 7).
//!
//! Templates are data: the defaults are the seeds' ten templates plus the activation
//! lifecycle's seven, and a host replaces or adds any of them without recompiling. A template
//! is parsed once, so rendering is a walk over literal and placeholder pieces, and a missing
//! or unknown variable is a typed error instead of a message with `{{order_id}}` in it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::NotificationIntent;

/// Why a template could not be read or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// No template is registered under this key.
    #[error("no template {key:?}")]
    UnknownTemplate { key: String },
    /// The template has a placeholder the caller gave no value for.
    #[error("template {template:?} needs variable {variable:?}")]
    MissingVariable { template: String, variable: String },
    /// The caller gave a variable the template does not use (most often a typo).
    #[error("template {template:?} has no variable {variable:?}")]
    UnknownVariable { template: String, variable: String },
    /// The template text has an unclosed `{{` or a placeholder name that is not `[a-z0-9_]+`.
    #[error("template {template:?} is malformed at byte {position}: {reason}")]
    Malformed {
        template: String,
        position: usize,
        reason: &'static str,
    },
}

impl TemplateError {
    /// Stable error code shared by every binding.
    pub const fn code(&self) -> &'static str {
        match self {
            TemplateError::UnknownTemplate { .. } => "NOTIFICATION_UNKNOWN_TEMPLATE",
            TemplateError::MissingVariable { .. } => "NOTIFICATION_MISSING_VARIABLE",
            TemplateError::UnknownVariable { .. } => "NOTIFICATION_UNKNOWN_VARIABLE",
            TemplateError::Malformed { .. } => "NOTIFICATION_MALFORMED_TEMPLATE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Variable(String),
}

/// One parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    pieces: Vec<Piece>,
    variables: BTreeSet<String>,
}

impl Template {
    /// Parses `text`; `key` only names the template in errors.
    pub fn parse(key: &str, text: &str) -> Result<Self, TemplateError> {
        let malformed = |position, reason| TemplateError::Malformed {
            template: key.to_owned(),
            position,
            reason,
        };
        let mut pieces = Vec::new();
        let mut variables = BTreeSet::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| malformed(offset + open, "unclosed {{"))?;
            let name = after[..close].trim();
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(malformed(offset + open, "a placeholder name is [a-z0-9_]+"));
            }
            variables.insert(name.to_owned());
            pieces.push(Piece::Variable(name.to_owned()));
            let consumed = open + 2 + close + 2;
            offset += consumed;
            rest = &rest[consumed..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        Ok(Self {
            text: text.to_owned(),
            pieces,
            variables,
        })
    }

    /// The template as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The placeholders the template uses, sorted.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.variables.iter().map(String::as_str)
    }

    /// Fills every placeholder; every variable given must be used and every placeholder
    /// filled.
    pub fn render(
        &self,
        key: &str,
        variables: &BTreeMap<String, String>,
    ) -> Result<String, TemplateError> {
        if let Some(unknown) = variables.keys().find(|v| !self.variables.contains(*v)) {
            return Err(TemplateError::UnknownVariable {
                template: key.to_owned(),
                variable: unknown.clone(),
            });
        }
        let mut out = String::with_capacity(self.text.len());
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Variable(name) => {
                    let value =
                        variables
                            .get(name)
                            .ok_or_else(|| TemplateError::MissingVariable {
                                template: key.to_owned(),
                                variable: name.clone(),
                            })?;
                    out.push_str(value);
                }
            }
        }
        Ok(out)
    }
}

/// The seeds' ten templates (`notification_templates.py`). The seed's emoji were lost to a
/// broken encoding; only the surviving check marks are kept. Template 8 promised a hard-coded
/// "25% OFF": the discount is a variable here, so no engine promises money the host did not
/// decide to give.
pub const SEED_TEMPLATES: [(&str, &str); 10] = [
    (
        "delivery_reminder",
        "Your EarlyBird delivery scheduled for {{delivery_date}}",
    ),
    (
        "delivery_confirmed",
        "✓ Delivery Confirmed for {{delivery_date}}",
    ),
    (
        "payment_reminder",
        "Payment due: ₹{{amount}} for {{period}}",
    ),
    ("payment_confirmation", "✓ Payment received! ₹{{amount}}"),
    (
        "subscription_confirmation",
        "✓ Subscription active: {{product}}",
    ),
    ("order_confirmation", "Order #{{order_id}} confirmed"),
    (
        "pause_confirmation",
        "Subscription paused until {{resume_date}}",
    ),
    (
        "churn_risk",
        "We miss you! Resume for {{discount_percent}}% OFF",
    ),
    (
        "new_product",
        "{{product}} available from {{availability_date}}",
    ),
    ("delivery_delayed", "Delivery ETA: {{eta_time}}"),
];

/// The activation lifecycle's messages (rules section 3); `order_confirmation` is the seed's.
pub const LIFECYCLE_TEMPLATES: [(&str, &str); 6] = [
    (
        "welcome",
        "Welcome to EarlyBird! Fresh milk at your door every morning: place your first order in the app.",
    ),
    (
        "thank_you_upsell",
        "Thank you for your first EarlyBird delivery! Add curd, paneer or ghee to your next delivery in one tap.",
    ),
    (
        "vip_welcome",
        "You are now an EarlyBird VIP. Thank you for being with us every morning!",
    ),
    (
        "we_miss_you",
        "We miss you! Your last EarlyBird delivery or order was on {{last_activity_date}}. Resume any time in the app.",
    ),
    (
        "last_chance",
        "It has been a while since {{last_activity_date}}. Reply or open the app to restart your EarlyBird deliveries.",
    ),
    (
        "welcome_back",
        "Welcome back to EarlyBird! Your deliveries are on their way again.",
    ),
];

/// Every template the library knows, by key. Serialises as `{key: text}`, so a host stores
/// and edits it as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSet {
    templates: BTreeMap<String, Template>,
}

impl Default for TemplateSet {
    /// The seeds' ten templates and the lifecycle's.
    fn default() -> Self {
        let mut templates = BTreeMap::new();
        for (key, text) in SEED_TEMPLATES.iter().chain(LIFECYCLE_TEMPLATES.iter()) {
            if let Ok(template) = Template::parse(key, text) {
                templates.insert((*key).to_owned(), template);
            }
        }
        Self { templates }
    }
}

impl TemplateSet {
    /// An empty set, for hosts that bring all their own texts.
    pub fn empty() -> Self {
        Self {
            templates: BTreeMap::new(),
        }
    }

    /// Templates from `{key: text}`; the first malformed text is the error.
    pub fn from_texts(texts: &BTreeMap<String, String>) -> Result<Self, TemplateError> {
        let mut set = Self::empty();
        for (key, text) in texts {
            set.insert(key, text)?;
        }
        Ok(set)
    }

    /// Adds or replaces the template `key`.
    pub fn insert(&mut self, key: &str, text: &str) -> Result<(), TemplateError> {
        let template = Template::parse(key, text)?;
        self.templates.insert(key.to_owned(), template);
        Ok(())
    }

    /// The template `key`, when registered.
    pub fn get(&self, key: &str) -> Option<&Template> {
        self.templates.get(key)
    }

    /// The registered keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    /// Renders template `key` with `variables`.
    ///
    /// ```
    /// # use std::collections::BTreeMap;
    /// # use earlybird::notification::TemplateSet;
    /// let vars = BTreeMap::from([("order_id".to_owned(), "O-17".to_owned())]);
    /// let text = TemplateSet::default().render("order_confirmation", &vars).unwrap();
    /// assert_eq!(text, "Order #O-17 confirmed");
    /// ```
    pub fn render(
        &self,
        key: &str,
        variables: &BTreeMap<String, String>,
    ) -> Result<String, TemplateError> {
        self.templates
            .get(key)
            .ok_or_else(|| TemplateError::UnknownTemplate {
                key: key.to_owned(),
            })?
            .render(key, variables)
    }

    /// Renders an engine's intent.
    pub fn render_intent(&self, intent: &NotificationIntent) -> Result<String, TemplateError> {
        self.render(&intent.template, &intent.variables)
    }
}

impl Serialize for TemplateSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.templates.iter().map(|(k, t)| (k, t.text())))
    }
}

impl<'de> Deserialize<'de> for TemplateSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let texts = BTreeMap::<String, String>::deserialize(d)?;
        Self::from_texts(&texts).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_defaults_hold_the_ten_seed_templates_and_the_lifecycle_ones() {
        let set = TemplateSet::default();
        assert_eq!(set.keys().count(), 16);
        for (key, _) in SEED_TEMPLATES.iter().chain(LIFECYCLE_TEMPLATES.iter()) {
            assert!(set.get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn every_seed_template_renders_with_its_variables() {
        let set = TemplateSet::default();
        let cases = [
            (
                "delivery_reminder",
                vars(&[("delivery_date", "2026-03-01")]),
                "Your EarlyBird delivery scheduled for 2026-03-01",
            ),
            (
                "delivery_confirmed",
                vars(&[("delivery_date", "2026-03-01")]),
                "✓ Delivery Confirmed for 2026-03-01",
            ),
            (
                "payment_reminder",
                vars(&[("amount", "540.00"), ("period", "March 2026")]),
                "Payment due: ₹540.00 for March 2026",
            ),
            (
                "payment_confirmation",
                vars(&[("amount", "540.00")]),
                "✓ Payment received! ₹540.00",
            ),
            (
                "subscription_confirmation",
                vars(&[("product", "Toned milk 500 ml")]),
                "✓ Subscription active: Toned milk 500 ml",
            ),
            (
                "order_confirmation",
                vars(&[("order_id", "O1")]),
                "Order #O1 confirmed",
            ),
            (
                "pause_confirmation",
                vars(&[("resume_date", "2026-03-10")]),
                "Subscription paused until 2026-03-10",
            ),
            (
                "churn_risk",
                vars(&[("discount_percent", "25")]),
                "We miss you! Resume for 25% OFF",
            ),
            (
                "new_product",
                vars(&[("product", "Ghee"), ("availability_date", "2026-04-01")]),
                "Ghee available from 2026-04-01",
            ),
            (
                "delivery_delayed",
                vars(&[("eta_time", "07:40")]),
                "Delivery ETA: 07:40",
            ),
        ];
        for (key, variables, expected) in cases {
            assert_eq!(set.render(key, &variables).unwrap(), expected);
        }
    }

    #[test]
    fn missing_and_unknown_variables_are_typed_errors() {
        let set = TemplateSet::default();
        let err = set.render("payment_reminder", &vars(&[("amount", "1")]));
        assert_eq!(
            err,
            Err(TemplateError::MissingVariable {
                template: "payment_reminder".into(),
                variable: "period".into()
            })
        );
        let err = set
            .render(
                "order_confirmation",
                &vars(&[("order_id", "1"), ("oops", "x")]),
            )
            .unwrap_err();
        assert_eq!(err.code(), "NOTIFICATION_UNKNOWN_VARIABLE");
        let err = set.render("nope", &BTreeMap::new()).unwrap_err();
        assert_eq!(err.code(), "NOTIFICATION_UNKNOWN_TEMPLATE");
    }

    #[test]
    fn a_host_replaces_templates_as_data() {
        let mut set: TemplateSet =
            serde_json::from_str(r#"{"welcome": "Namaste {{ name }}!"}"#).unwrap();
        assert_eq!(
            set.render("welcome", &vars(&[("name", "Asha")])).unwrap(),
            "Namaste Asha!"
        );
        set.insert("welcome", "Hi").unwrap();
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"{"welcome":"Hi"}"#);
        let err = set.insert("bad", "Hello {{name").unwrap_err();
        assert_eq!(err.code(), "NOTIFICATION_MALFORMED_TEMPLATE");
        assert!(set.insert("bad", "{{Name}}").is_err());
    }
}
