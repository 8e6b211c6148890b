//! Due dates of subscriptions and prices in force: questions asked of one record on dates.

use earlybird::record::{Product as CoreProduct, Subscription as CoreSubscription};
use earlybird::schedule::DueDelivery as CoreDueDelivery;
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::convert::{arg, date, day_text, decimal_text, to_core};
use crate::failure::{Failure, call};
use crate::record::{Product, Subscription};

/// One delivery a subscription owes: the date (`YYYY-MM-DD`) and the quantity (decimal string).
#[napi(object)]
pub struct DueDelivery {
    pub date: String,
    pub quantity: String,
}

fn subscription(env: &Env, value: Unknown<'_>) -> Result<CoreSubscription, Failure> {
    to_core(&arg::<Subscription>(env, "subscription", value)?)
}

fn on(env: &Env, name: &str, value: Unknown<'_>) -> Result<chrono::NaiveDate, Failure> {
    date(name, &arg::<String>(env, name, value)?)
}

/// Every day from `from` to `to` (inclusive, `YYYY-MM-DD`) on which the subscription is due,
/// with the quantity due.
#[napi(ts_args_type = "subscription: Subscription, from: string, to: string")]
pub fn due_between(
    env: Env,
    subscription_value: Unknown<'_>,
    from: Unknown<'_>,
    to: Unknown<'_>,
) -> napi::Result<Vec<DueDelivery>> {
    call(&env, || {
        let sub = subscription(&env, subscription_value)?;
        let (from, to) = (on(&env, "from", from)?, on(&env, "to", to)?);
        let due = sub.due_between(from, to);
        Ok(due
            .iter()
            .map(|CoreDueDelivery { date, quantity }| DueDelivery {
                date: day_text(date),
                quantity: decimal_text(quantity),
            })
            .collect())
    })
}

/// The quantity due on `date` (decimal string), or `null` when nothing is due.
#[napi(
    ts_args_type = "subscription: Subscription, date: string",
    ts_return_type = "string | null"
)]
pub fn due_on(
    env: Env,
    subscription_value: Unknown<'_>,
    day: Unknown<'_>,
) -> napi::Result<Option<String>> {
    call(&env, || {
        let sub = subscription(&env, subscription_value)?;
        Ok(sub
            .due_on(on(&env, "date", day)?)
            .as_ref()
            .map(decimal_text))
    })
}

/// Whether `date` falls inside one of the subscription's pauses.
#[napi(ts_args_type = "subscription: Subscription, date: string")]
pub fn is_paused_on(
    env: Env,
    subscription_value: Unknown<'_>,
    day: Unknown<'_>,
) -> napi::Result<bool> {
    call(&env, || {
        let sub = subscription(&env, subscription_value)?;
        Ok(sub.is_paused_on(on(&env, "date", day)?))
    })
}

/// Whether the subscription runs on `date` (between its start and its end).
#[napi(ts_args_type = "subscription: Subscription, date: string")]
pub fn runs_on(env: Env, subscription_value: Unknown<'_>, day: Unknown<'_>) -> napi::Result<bool> {
    call(&env, || {
        let sub = subscription(&env, subscription_value)?;
        Ok(sub.runs_on(on(&env, "date", day)?))
    })
}

/// The product's price in force on `date` (decimal string, exclusive of GST), or `null`
/// before its first price.
#[napi(
    ts_args_type = "product: Product, date: string",
    ts_return_type = "string | null"
)]
pub fn price_on(env: Env, product: Unknown<'_>, day: Unknown<'_>) -> napi::Result<Option<String>> {
    call(&env, || {
        let product: CoreProduct = to_core(&arg::<Product>(&env, "product", product)?)?;
        Ok(product
            .price_on(on(&env, "date", day)?)
            .as_ref()
            .map(decimal_text))
    })
}

/// The GST rate in percent in force on `date` (decimal string; `"0"` without a rate).
#[napi(ts_args_type = "product: Product, date: string")]
pub fn gst_rate_on(env: Env, product: Unknown<'_>, day: Unknown<'_>) -> napi::Result<String> {
    call(&env, || {
        let product: CoreProduct = to_core(&arg::<Product>(&env, "product", product)?)?;
        Ok(decimal_text(&product.gst_rate_on(on(&env, "date", day)?)))
    })
}
