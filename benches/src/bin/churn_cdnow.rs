//! Churn ranking quality on CDNOW: ROC AUC (bootstrap 95 % interval) and top-decile lift.
//!
//! Usage: `cargo run --release -p earlybird-benches --bin churn_cdnow -- [CDNOW_DIR]`
//! (or `CDNOW_DIR=...`); defaults to `../shared/bench-data/cdnow` relative to the repo root.
//!
//! Protocol: every customer of the file (the Q1 1997 cohort); features only from transactions
//! up to the cut-off; churned = no purchase after the cut-off until the end of the hold-out.
//! The recency factor is the purchase model (BG/NBD) fitted on each snapshot's histories.
//! Fitted weights are learned on an earlier window (cut-off 13 weeks before the evaluation
//! cut-off, labels = no purchase in those 13 weeks), never on the evaluation labels.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate};
use earlybird::churn::{
    ChurnConfig, ChurnEngine, ChurnInput, Factor, FactorParams, FactorRisks, FactorWeights,
    FitOptions, LabelledRisks, Purchase, PurchaseModel, fit_weights,
};
use earlybird_benches::churn_metrics::{Evaluation, evaluate};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

type Histories = Vec<Vec<Purchase>>;

/// Horizon of the recency risk: the 13 weeks of the fit window's labels.
const HORIZON_DAYS: u32 = 91;

/// Repeat purchase days at which the habit half of tenure is 0.5: chosen among 1, 2, 3, 5 and 8
/// by the fit windows' own AUC (see RESULTS.md), never by the evaluation labels.
const TENURE_HALF_REPEATS: f64 = 1.0;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("fixed protocol date")
}

fn data_dir() -> PathBuf {
    std::env::args()
        .nth(1)
        .or_else(|| std::env::var("CDNOW_DIR").ok())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench-data/cdnow")
        })
}

/// Reads the log and collapses several rows of one customer on one day into one purchase.
fn load(dir: &Path) -> Result<Histories, String> {
    let path = dir.join("CDNOW_master.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut by_customer: BTreeMap<String, BTreeMap<NaiveDate, Decimal>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [id, day, _cds, dollars] = fields[..] else {
            return Err(format!("line {}: expected 4 fields", n + 1));
        };
        let day = NaiveDate::parse_from_str(day, "%Y%m%d")
            .map_err(|e| format!("line {}: date {day}: {e}", n + 1))?;
        let amount: Decimal = dollars
            .parse()
            .map_err(|e| format!("line {}: amount {dollars}: {e}", n + 1))?;
        *by_customer
            .entry(id.to_string())
            .or_default()
            .entry(day)
            .or_default() += amount;
    }
    Ok(by_customer
        .into_values()
        .map(|days| {
            days.into_iter()
                .map(|(date, amount)| Purchase { date, amount })
                .collect()
        })
        .collect())
}

/// Inputs at `cutoff` (customers with a purchase by then) and their churn labels up to `end`.
fn snapshot(
    histories: &Histories,
    cutoff: NaiveDate,
    end: NaiveDate,
) -> (Vec<ChurnInput>, Vec<bool>) {
    histories
        .iter()
        .filter(|h| h.first().is_some_and(|p| p.date <= cutoff))
        .map(|h| {
            let purchases = h.iter().filter(|p| p.date <= cutoff).cloned().collect();
            let churned = !h.iter().any(|p| p.date > cutoff && p.date <= end);
            (
                ChurnInput {
                    purchases,
                    ..ChurnInput::default()
                },
                churned,
            )
        })
        .unzip()
}

fn risks(
    engine: &ChurnEngine,
    inputs: &[ChurnInput],
    now: NaiveDate,
) -> Result<Vec<FactorRisks>, String> {
    inputs
        .iter()
        .map(|i| engine.risks(i, now).map_err(|e| e.to_string()))
        .collect()
}

fn scores(engine: &ChurnEngine, risks: &[FactorRisks]) -> Result<Vec<f64>, String> {
    engine
        .score_risks_batch(risks)
        .into_iter()
        .map(|r| {
            r.map(|s| s.score.to_f64().unwrap_or(0.0))
                .map_err(|e| e.to_string())
        })
        .collect()
}

fn engine_with(weights: FactorWeights, params: &FactorParams) -> Result<ChurnEngine, String> {
    ChurnEngine::new(ChurnConfig {
        weights,
        params: params.clone(),
        ..ChurnConfig::default()
    })
    .map_err(|e| e.to_string())
}

/// Factor parameters at `cutoff`, from the histories up to `cutoff` only (no labels): the
/// purchase model fitted by maximum likelihood, and the spend level centred on the median
/// spend per purchase day.
fn params_at(inputs: &[ChurnInput], cutoff: NaiveDate) -> Result<FactorParams, String> {
    let model = PurchaseModel::fit(inputs, cutoff, HORIZON_DAYS).map_err(|e| e.to_string())?;
    println!(
        "Purchase model at {cutoff}: r {:.4}, alpha {:.2} days, a {:.4}, b {:.4}, horizon {} days\n",
        model.r, model.alpha, model.a, model.b, model.horizon_days
    );
    let mut per_day: Vec<Decimal> = inputs
        .iter()
        .map(|i| {
            let days: std::collections::BTreeSet<NaiveDate> =
                i.purchases.iter().map(|p| p.date).collect();
            i.purchases.iter().map(|p| p.amount).sum::<Decimal>() / Decimal::from(days.len())
        })
        .collect();
    per_day.sort_unstable();
    let median = per_day[per_day.len() / 2].round_dp(2);
    println!("Median spend per purchase day at {cutoff}: {median}\n");
    Ok(FactorParams {
        purchase_model: Some(model),
        spend_level_half_amount: Some(median),
        tenure_half_repeats: TENURE_HALF_REPEATS,
        ..FactorParams::default()
    })
}

fn row(name: &str, e: &Evaluation) {
    println!(
        "| {name} | {:.4} | [{:.4}, {:.4}] | {:.3} |",
        e.auc, e.auc_low, e.auc_high, e.top_decile_lift
    );
}

fn split(
    histories: &Histories,
    label: &str,
    cutoff: NaiveDate,
    end: NaiveDate,
) -> Result<(), String> {
    let (inputs, churned) = snapshot(histories, cutoff, end);
    let train_cutoff = cutoff - Days::new(91);
    let (train_inputs, train_churned) = snapshot(histories, train_cutoff, cutoff);
    println!("\n### {label}: cut-off {cutoff}, hold-out to {end}\n");
    let params = params_at(&inputs, cutoff)?;
    let train_params = params_at(&train_inputs, train_cutoff)?;
    let default_engine = engine_with(FactorWeights::default(), &params)?;
    let eval_risks = risks(&default_engine, &inputs, cutoff)?;
    let train_risks = risks(
        &engine_with(FactorWeights::default(), &train_params)?,
        &train_inputs,
        train_cutoff,
    )?;
    let samples: Vec<LabelledRisks> = train_risks
        .iter()
        .zip(&train_churned)
        .map(|(&risks, &churned)| LabelledRisks { risks, churned })
        .collect();
    let fitted = fit_weights(&samples, &FitOptions::default()).map_err(|e| e.to_string())?;

    let churn_rate = churned.iter().filter(|c| **c).count() as f64 / churned.len() as f64;
    println!(
        "{} customers, churn rate {:.1} % (\"everybody churns\" accuracy). Fit window: cut-off {train_cutoff}, labels to {cutoff}, {} customers, churn rate {:.1} %.\n",
        churned.len(),
        100.0 * churn_rate,
        train_churned.len(),
        100.0 * train_churned.iter().filter(|c| **c).count() as f64 / train_churned.len() as f64,
    );
    println!(
        "Fitted weights: {} (intercept {:.3}, {} Newton steps)\n",
        Factor::ALL
            .iter()
            .zip(fitted.weights.to_array().iter().zip(fitted.coefficients))
            .map(|(f, (w, c))| format!("{} {w:.3} (β {c:.3})", f.name()))
            .collect::<Vec<_>>()
            .join(", "),
        fitted.intercept,
        fitted.iterations
    );
    println!("| method | ROC AUC | 95 % CI (bootstrap 1000) | top-decile lift |");
    println!("|---|---|---|---|");
    let days_since_last: Vec<f64> = inputs
        .iter()
        .map(|i| {
            i.purchases
                .iter()
                .map(|p| (cutoff - p.date).num_days() as f64)
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    row(
        "recency alone (days since last purchase)",
        &evaluate(&days_since_last, &churned),
    );
    let recency_factor = engine_with(FactorWeights::only(Factor::Recency), &params)?;
    row(
        "recency factor alone (purchase model)",
        &evaluate(&scores(&recency_factor, &eval_risks)?, &churned),
    );
    row(
        "default weights",
        &evaluate(&scores(&default_engine, &eval_risks)?, &churned),
    );
    let fitted_engine = engine_with(fitted.weights, &params)?;
    row(
        "fitted weights (earlier window)",
        &evaluate(&scores(&fitted_engine, &eval_risks)?, &churned),
    );
    let leaked: Vec<LabelledRisks> = eval_risks
        .iter()
        .zip(&churned)
        .map(|(&risks, &churned)| LabelledRisks { risks, churned })
        .collect();
    let ceiling = fit_weights(&leaked, &FitOptions::default()).map_err(|e| e.to_string())?;
    row(
        "ceiling, NOT a result: weights fitted on the evaluation labels",
        &evaluate(
            &scores(&engine_with(ceiling.weights, &params)?, &eval_risks)?,
            &churned,
        ),
    );
    Ok(())
}

fn main() -> Result<(), String> {
    let dir = data_dir();
    let histories = load(&dir)?;
    println!(
        "CDNOW: {} customers from {}",
        histories.len(),
        dir.display()
    );
    split(
        &histories,
        "39-week split",
        date(1997, 9, 30),
        date(1998, 6, 30),
    )?;
    split(
        &histories,
        "26-week split",
        date(1997, 6, 30),
        date(1997, 12, 29),
    )?;
    Ok(())
}
