//! A customer of the business.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use super::{Record, normalize_phone, record_serde, valid_email};
use crate::document::Fields;
use crate::validation::{Problems, Rule, field_path};

/// A customer, as the `customers_v2` collection holds them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    /// Normalised to `+91XXXXXXXXXX`.
    pub phone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_boy_id: Option<String>,
    pub signup_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<String>,
}

record_serde!(Customer);

impl Record for Customer {
    const KIND: &'static str = "customer";

    fn read(document: &Value, path: &str, problems: &mut Problems) -> Option<Self> {
        let f = Fields::open(document, path, problems)?;
        let id = f.id("id", problems);
        let name = f.string("name", problems);
        if let Some(name) = &name {
            check_name(&f.path("name"), name, problems);
        }
        let phone = f.string("phone", problems).and_then(|raw| {
            let normalised = normalize_phone(&raw);
            if normalised.is_none() {
                problems.push(f.path("phone"), Rule::Phone, raw, PHONE_RULE);
            }
            normalised
        });
        let email = f.opt_string("email", problems);
        if let Some(email) = &email {
            check_email(&f.path("email"), email, problems);
        }
        let address = f.opt_string("address", problems);
        let lat = f.opt_f64("lat", problems);
        let lon = f.opt_f64("lon", problems);
        check_position(path, lat, lon, problems);
        let user_id = f.opt_string("user_id", problems);
        let delivery_boy_id = f.opt_string("delivery_boy_id", problems);
        let signup_date = f.date("signup_date", problems);
        let referred_by = f.opt_string("referred_by", problems);
        let customer = Customer {
            id: id?,
            name: name?,
            phone: phone?,
            email,
            address,
            lat,
            lon,
            user_id,
            delivery_boy_id,
            signup_date: signup_date?,
            referred_by,
        };
        customer.check_relations(path, problems);
        Some(customer)
    }

    fn check(&self, problems: &mut Problems) {
        problems.id("id", &self.id);
        if normalize_phone(&self.phone).as_deref() != Some(self.phone.as_str()) {
            problems.push("phone", Rule::Phone, self.phone.clone(), PHONE_RULE);
        }
        check_name("name", &self.name, problems);
        if let Some(email) = &self.email {
            check_email("email", email, problems);
        }
        check_position("", self.lat, self.lon, problems);
        self.check_relations("", problems);
    }

    fn id(&self) -> &str {
        &self.id
    }
}

const PHONE_RULE: &str =
    "must be an Indian mobile number: 10 digits starting 6-9, optional +91/91/0";

fn check_name(field: &str, name: &str, problems: &mut Problems) {
    if name.trim().is_empty() {
        problems.push(field, Rule::Required, "", "must not be empty");
    }
}

fn check_email(field: &str, email: &str, problems: &mut Problems) {
    if !valid_email(email) {
        problems.push(
            field,
            Rule::Email,
            email,
            "must be a well-formed e-mail address",
        );
    }
}

fn check_position(path: &str, lat: Option<f64>, lon: Option<f64>, problems: &mut Problems) {
    if let Some(lat) = lat {
        problems.within(&field_path(path, "lat"), lat, -90.0, 90.0);
    }
    if let Some(lon) = lon {
        problems.within(&field_path(path, "lon"), lon, -180.0, 180.0);
    }
}

impl Customer {
    /// Rules between fields, checked once the record is built.
    fn check_relations(&self, path: &str, problems: &mut Problems) {
        if self.referred_by.as_deref() == Some(self.id.as_str()) {
            problems.push(
                field_path(path, "referred_by"),
                Rule::Inconsistent,
                self.id.clone(),
                "a customer cannot refer themselves",
            );
        }
    }
}
