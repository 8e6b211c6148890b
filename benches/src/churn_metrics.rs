//! Ranking metrics of the churn benchmark: ROC AUC with a bootstrap interval, top-decile lift.

/// ROC AUC with its bootstrap 95 % interval and the top-decile lift.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    pub auc: f64,
    pub auc_low: f64,
    pub auc_high: f64,
    pub top_decile_lift: f64,
}

/// Bootstrap resamples and their fixed seed.
pub const RESAMPLES: usize = 1000;
pub const SEED: u64 = 0x00C0_FFEE;

/// SplitMix64: a tiny fixed generator so the interval is the same on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}

/// AUC (probability that a random churner scores above a random stayer, ties count half),
/// with each customer counted `weight[i]` times; `order` sorts the scores ascending.
fn weighted_auc(scores: &[f64], churned: &[bool], order: &[usize], weight: &[u32]) -> f64 {
    let (mut pairs, mut stayers_below, mut churners, mut stayers) = (0.0, 0.0, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        let (mut c, mut s) = (0.0, 0.0);
        while j < order.len() && scores[order[j]] == scores[order[i]] {
            let k = order[j];
            if churned[k] {
                c += f64::from(weight[k]);
            } else {
                s += f64::from(weight[k]);
            }
            j += 1;
        }
        pairs += c * (stayers_below + 0.5 * s);
        stayers_below += s;
        churners += c;
        stayers += s;
        i = j;
    }
    pairs / (churners * stayers)
}

/// Churn rate among the 10 % highest scores over the overall churn rate (ties by position).
fn top_decile_lift(scores: &[f64], churned: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let top = scores.len().div_ceil(10);
    let rate =
        |ids: &[usize]| ids.iter().filter(|&&i| churned[i]).count() as f64 / ids.len() as f64;
    rate(&order[..top]) / rate(&order)
}

/// Evaluates scores (higher = more likely to churn) against churn labels.
pub fn evaluate(scores: &[f64], churned: &[bool]) -> Evaluation {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let auc = weighted_auc(scores, churned, &order, &vec![1; scores.len()]);
    let mut rng = SplitMix(SEED);
    let mut aucs: Vec<f64> = (0..RESAMPLES)
        .map(|_| {
            let mut weight = vec![0u32; scores.len()];
            for _ in 0..scores.len() {
                weight[rng.below(scores.len())] += 1;
            }
            weighted_auc(scores, churned, &order, &weight)
        })
        .collect();
    aucs.sort_by(f64::total_cmp);
    Evaluation {
        auc,
        auc_low: aucs[RESAMPLES * 25 / 1000],
        auc_high: aucs[RESAMPLES * 975 / 1000 - 1],
        top_decile_lift: top_decile_lift(scores, churned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_reversed_rankings() {
        let churned = [false, false, true, true];
        assert_eq!(evaluate(&[1.0, 2.0, 3.0, 4.0], &churned).auc, 1.0);
        assert_eq!(evaluate(&[4.0, 3.0, 2.0, 1.0], &churned).auc, 0.0);
        assert_eq!(evaluate(&[1.0, 1.0, 1.0, 1.0], &churned).auc, 0.5);
    }
}
