//! Billing: bills of one customer or a whole month, previews, reconciliation, finalizing with
//! bill numbers, payment allocation and the wallet. Inputs and results are the core's serde
//! form with camelCase keys (`plain`); money is a decimal string, a JS number for money is
//! refused. `billMonthAsync` bills the month on the libuv thread pool.

use chrono::NaiveDate;
use earlybird::billing::{self, Bill, BillingConfig, BillingInput, Month, NumberSeries, Wallet};
use earlybird::record::{DeliveryRecord, Order, Payment, Product, Subscription};
use earlybird::validation::{Problems, Rule};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::{Value, json};

use crate::convert::{arg, bad, date};
use crate::failure::{Failure, call, contain};
use crate::plain::{
    Resolved, decimal_arg, engine_document, engine_input, engine_option, field, give,
    no_float_decimals, output, records,
};

/// The records of a billing run: a plain object (or its JSON text) with the lists `products`,
/// `subscriptions`, `orders`, `deliveries`, `payments` (documents, read by the core's record
/// reader) and `bills`, `credits`, `wallet` (billing's own values), each optional. Every
/// problem is reported at once, named by its path (`deliveries[3].delivered_quantity`).
fn read_input(given: &Value, from_js: bool) -> Result<BillingInput, Failure> {
    if !given.is_object() {
        return Err(bad(
            "input",
            Rule::Type,
            "",
            "must be an object with the lists products, subscriptions, orders, deliveries, bills, payments, credits, wallet",
        ));
    }
    let mut problems = Problems::new();
    let products = records::<Product>(given.get("products"), "products", &mut problems);
    let subscriptions =
        records::<Subscription>(given.get("subscriptions"), "subscriptions", &mut problems);
    let orders = records::<Order>(given.get("orders"), "orders", &mut problems);
    let deliveries =
        records::<DeliveryRecord>(given.get("deliveries"), "deliveries", &mut problems);
    let payments = records::<Payment>(given.get("payments"), "payments", &mut problems);
    let bills = field(given, "bills", &mut problems);
    let credits = field(given, "credits", &mut problems);
    let wallet = field(given, "wallet", &mut problems);
    let (Some(bills), Some(credits), Some(wallet)) = (bills, credits, wallet) else {
        return Err(problems.into_error("input").into());
    };
    let input = problems.finish(BillingInput {
        products,
        subscriptions,
        orders,
        deliveries,
        bills,
        payments,
        credits,
        wallet,
    })?;
    if from_js {
        no_float_decimals(given, &input, "")?;
    }
    Ok(input)
}

fn input(env: &Env, value: Unknown<'_>) -> Result<BillingInput, Failure> {
    let (given, from_js) = engine_document(env, "input", value)?;
    read_input(&given, from_js)
}

fn month(env: &Env, name: &str, value: Unknown<'_>) -> Result<Month, Failure> {
    let text: String = arg(env, name, value)?;
    text.parse()
        .map_err(|_| bad(name, Rule::Date, &text, "must be a month string YYYY-MM"))
}

fn day(env: &Env, name: &str, value: Unknown<'_>) -> Result<NaiveDate, Failure> {
    date(name, &arg::<String>(env, name, value)?)
}

fn config(env: &Env, value: Option<Unknown<'_>>) -> Result<BillingConfig, Failure> {
    engine_option(env, "config", value)
}

/// The default billing settings (number prefix and digits, due days, wallet, round-off).
#[napi(ts_return_type = "BillingConfig")]
pub fn billing_default_config(env: Env) -> napi::Result<Resolved> {
    give(&env, || output(&BillingConfig::default()))
}

/// The DRAFT bill of `customerId` for `month` (`YYYY-MM`): subscription, one-time, arrears
/// and adjustment lines, credits, GST, totals, opening balance and wallet.
#[napi(
    ts_args_type = "input: BillingInput | string, customerId: string, month: string, config?: Partial<BillingConfig> | null",
    ts_return_type = "Bill"
)]
pub fn compute_bill(
    env: Env,
    input_arg: Unknown<'_>,
    customer_id: Unknown<'_>,
    month_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let records = input(&env, input_arg)?;
        let customer: String = arg(&env, "customerId", customer_id)?;
        let month = month(&env, "month", month_arg)?;
        output(&billing::compute_bill(
            &records,
            &customer,
            month,
            &config(&env, config_arg)?,
        )?)
    })
}

/// The draft bill with every scheduled subscription day that has no delivery record yet
/// (`unconfirmed`, not billed).
#[napi(
    ts_args_type = "input: BillingInput | string, customerId: string, month: string, config?: Partial<BillingConfig> | null",
    ts_return_type = "BillPreview"
)]
pub fn preview_bill(
    env: Env,
    input_arg: Unknown<'_>,
    customer_id: Unknown<'_>,
    month_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let records = input(&env, input_arg)?;
        let customer: String = arg(&env, "customerId", customer_id)?;
        let month = month(&env, "month", month_arg)?;
        output(&billing::preview_bill(
            &records,
            &customer,
            month,
            &config(&env, config_arg)?,
        )?)
    })
}

fn month_args(
    env: &Env,
    input_arg: Unknown<'_>,
    month_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> Result<MonthRun, Failure> {
    let (given, from_js) = engine_document(env, "input", input_arg)?;
    Ok(MonthRun {
        given,
        from_js,
        month: month(env, "month", month_arg)?,
        config: config(env, config_arg)?,
    })
}

/// What `billMonth` needs, converted from JavaScript on the calling thread.
pub struct MonthRun {
    given: Value,
    from_js: bool,
    month: Month,
    config: BillingConfig,
}

impl MonthRun {
    fn bill(&self) -> Result<Value, Failure> {
        let records = read_input(&self.given, self.from_js)?;
        output(&billing::bill_month(&records, self.month, &self.config)?)
    }
}

/// The DRAFT bills of `month` for every customer in `input`, by customer id; customers whose
/// month is closed or whose bill would be empty are left out. On the calling thread.
#[napi(
    ts_args_type = "input: BillingInput | string, month: string, config?: Partial<BillingConfig> | null",
    ts_return_type = "Bill[]"
)]
pub fn bill_month(
    env: Env,
    input_arg: Unknown<'_>,
    month_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        month_args(&env, input_arg, month_arg, config_arg)?.bill()
    })
}

/// `billMonth` on the libuv thread pool: only `JSON.stringify` of the input runs on the
/// calling thread; reading the records, billing (in parallel, in the core) and writing the
/// bills' JSON form do not.
pub struct BillMonth {
    run: Option<Result<MonthRun, Failure>>,
}

impl Task for BillMonth {
    type Output = Result<Value, Failure>;
    type JsValue = Resolved;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let run = self.run.take();
        Ok(contain(|| match run {
            Some(Ok(run)) => run.bill(),
            Some(Err(failure)) => Err(failure),
            None => Err(Failure::Conversion("the month was billed twice".to_owned())),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map(Resolved).map_err(|f| f.into_js(&env))
    }
}

/// Like `billMonth`, returning a Promise; the billing runs off the event loop. Every failure,
/// bad arguments included, rejects the Promise.
#[napi(
    ts_args_type = "input: BillingInput | string, month: string, config?: Partial<BillingConfig> | null",
    ts_return_type = "Promise<Bill[]>"
)]
pub fn bill_month_async(
    env: Env,
    input_arg: Unknown<'_>,
    month_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> AsyncTask<BillMonth> {
    let run = contain(|| month_args(&env, input_arg, month_arg, config_arg));
    AsyncTask::new(BillMonth { run: Some(run) })
}

/// Every delivered order item and subscription delivery dated up to the end of `through`
/// that no finalized bill carries, with the amount missing, and every inconsistency.
#[napi(
    ts_args_type = "input: BillingInput | string, through: string",
    ts_return_type = "ReconciliationReport"
)]
pub fn reconcile(env: Env, input_arg: Unknown<'_>, through: Unknown<'_>) -> napi::Result<Resolved> {
    give(&env, || {
        let records = input(&env, input_arg)?;
        output(&billing::reconcile(
            &records,
            month(&env, "through", through)?,
        ))
    })
}

fn series(env: &Env, value: Unknown<'_>) -> Result<NumberSeries, Failure> {
    engine_input(env, "series", value)
}

/// The bill number for a bill dated `billDate` and the series after it (a new financial year
/// starts again at 1).
#[napi(
    ts_args_type = "series: NumberSeries, billDate: string, config?: Partial<BillingConfig> | null",
    ts_return_type = "{ number: string; series: NumberSeries }"
)]
pub fn next_bill_number(
    env: Env,
    series_arg: Unknown<'_>,
    bill_date: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let series = series(&env, series_arg)?;
        let (number, next) = series.next(
            day(&env, "billDate", bill_date)?,
            &config(&env, config_arg)?,
        )?;
        Ok(json!({ "number": number, "series": output(&next)? }))
    })
}

/// Finalizes a draft against the customer's finalized bills: refused when stale or when it
/// would bill a source twice; otherwise numbered. Returns the bill and the series after it.
#[napi(
    ts_args_type = "draft: Bill, finalized: Bill[], series: NumberSeries, config?: Partial<BillingConfig> | null",
    ts_return_type = "{ bill: Bill; series: NumberSeries }"
)]
pub fn finalize_bill(
    env: Env,
    draft: Unknown<'_>,
    finalized: Unknown<'_>,
    series_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let draft: Bill = engine_input(&env, "draft", draft)?;
        let finalized: Vec<Bill> = engine_input(&env, "finalized", finalized)?;
        let (bill, next) = billing::finalize(
            &draft,
            &finalized,
            series(&env, series_arg)?,
            &config(&env, config_arg)?,
        )?;
        Ok(json!({ "bill": output(&bill)?, "series": output(&next)? }))
    })
}

/// Finalizes a month's drafts in one series, numbered by bill date then customer id.
#[napi(
    ts_args_type = "drafts: Bill[], finalized: Bill[], series: NumberSeries, config?: Partial<BillingConfig> | null",
    ts_return_type = "{ bills: Bill[]; series: NumberSeries }"
)]
pub fn finalize_all(
    env: Env,
    drafts: Unknown<'_>,
    finalized: Unknown<'_>,
    series_arg: Unknown<'_>,
    config_arg: Option<Unknown<'_>>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let drafts: Vec<Bill> = engine_input(&env, "drafts", drafts)?;
        let finalized: Vec<Bill> = engine_input(&env, "finalized", finalized)?;
        let (bills, next) = billing::finalize_all(
            &drafts,
            &finalized,
            series(&env, series_arg)?,
            &config(&env, config_arg)?,
        )?;
        Ok(json!({ "bills": output(&bills)?, "series": output(&next)? }))
    })
}

/// The customer's statement on `today`: payments (wallet applications included) allocated to
/// the finalized bills oldest first, each bill's status (PAID, PARTIALLY_PAID, UNPAID,
/// OVERDUE), what is unallocated and the balance.
#[napi(
    ts_args_type = "customerId: string, bills: Bill[], payments: Array<Payment | Record<string, unknown>>, today: string",
    ts_return_type = "Statement"
)]
pub fn allocate_payments(
    env: Env,
    customer_id: Unknown<'_>,
    bills: Unknown<'_>,
    payments: Unknown<'_>,
    today: Unknown<'_>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let customer: String = arg(&env, "customerId", customer_id)?;
        let bills: Vec<Bill> = engine_input(&env, "bills", bills)?;
        let payments: Vec<Payment> = engine_input(&env, "payments", payments)?;
        output(&billing::allocate_payments(
            &customer,
            &bills,
            &payments,
            day(&env, "today", today)?,
        ))
    })
}

fn wallet(env: &Env, value: Unknown<'_>) -> Result<Wallet, Failure> {
    engine_input(env, "wallet", value)
}

/// A wallet's balance usable on `date` (that day's entries included, its expiries not yet).
#[napi(
    ts_args_type = "wallet: Wallet, date: string",
    ts_return_type = "DecimalString"
)]
pub fn wallet_balance(env: Env, wallet_arg: Unknown<'_>, on: Unknown<'_>) -> napi::Result<String> {
    call(&env, || {
        let wallet = wallet(&env, wallet_arg)?;
        Ok(wallet.balance_on(day(&env, "date", on)?)?.to_string())
    })
}

/// Every movement of a wallet (top-ups, grants, applications, expiries) with the balance
/// after it, in date order.
#[napi(ts_args_type = "wallet: Wallet", ts_return_type = "WalletMovement[]")]
pub fn wallet_history(env: Env, wallet_arg: Unknown<'_>) -> napi::Result<Resolved> {
    give(&env, || output(&wallet(&env, wallet_arg)?.history()?))
}

/// The wallet after a top-up: money paid in (not a payment of any bill).
#[napi(
    ts_args_type = "wallet: Wallet, id: string, amount: DecimalString, date: string",
    ts_return_type = "Wallet"
)]
pub fn wallet_top_up(
    env: Env,
    wallet_arg: Unknown<'_>,
    id: Unknown<'_>,
    amount: Unknown<'_>,
    on: Unknown<'_>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let mut wallet = wallet(&env, wallet_arg)?;
        let id: String = arg(&env, "id", id)?;
        wallet.top_up(
            id,
            decimal_arg(&env, "amount", amount)?,
            day(&env, "date", on)?,
        )?;
        output(&wallet)
    })
}

/// The wallet after a promotional credit usable up to `expiresOn` (inclusive).
#[napi(
    ts_args_type = "wallet: Wallet, id: string, amount: DecimalString, date: string, expiresOn: string",
    ts_return_type = "Wallet"
)]
pub fn wallet_grant(
    env: Env,
    wallet_arg: Unknown<'_>,
    id: Unknown<'_>,
    amount: Unknown<'_>,
    on: Unknown<'_>,
    expires_on: Unknown<'_>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let mut wallet = wallet(&env, wallet_arg)?;
        let id: String = arg(&env, "id", id)?;
        let amount = decimal_arg(&env, "amount", amount)?;
        let on = day(&env, "date", on)?;
        wallet.grant(id, amount, on, day(&env, "expiresOn", expires_on)?)?;
        output(&wallet)
    })
}

/// The wallet after `amount` is applied to a bill as payment `paymentId`; refused
/// (`BILLING_INSUFFICIENT_WALLET`) beyond the balance.
#[napi(
    ts_args_type = "wallet: Wallet, id: string, amount: DecimalString, date: string, paymentId: string",
    ts_return_type = "Wallet"
)]
pub fn wallet_apply(
    env: Env,
    wallet_arg: Unknown<'_>,
    id: Unknown<'_>,
    amount: Unknown<'_>,
    on: Unknown<'_>,
    payment_id: Unknown<'_>,
) -> napi::Result<Resolved> {
    give(&env, || {
        let mut wallet = wallet(&env, wallet_arg)?;
        let id: String = arg(&env, "id", id)?;
        let amount = decimal_arg(&env, "amount", amount)?;
        let on = day(&env, "date", on)?;
        let payment: String = arg(&env, "paymentId", payment_id)?;
        wallet.apply(id, amount, on, payment)?;
        output(&wallet)
    })
}
