//! Leaderboards: members ordered once by score, then ranks answered by binary search.
//!
//! Building sorts the standings once (O(n log n)); a member's rank and percentile are a binary
//! search in an index sorted by customer id (O(log n)), so a million members cost one sort.

use std::cmp::Ordering;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

/// One member's score on a board and when it was reached (the first tie-break).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub customer_id: String,
    pub score: i64,
    pub reached_at: DateTime<Utc>,
}

/// The board order: higher score first, then who reached it first, then customer id.
fn board_order(a: &Standing, b: &Standing) -> Ordering {
    b.score
        .cmp(&a.score)
        .then(a.reached_at.cmp(&b.reached_at))
        .then_with(|| a.customer_id.cmp(&b.customer_id))
}

/// A member's place on a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename_all = "camelCase"))]
pub struct Position {
    /// 1 for the leader; ranks are unique because ties are broken.
    pub rank: u64,
    /// Members on the board.
    pub of: u64,
    pub customer_id: String,
    pub score: i64,
    /// Share of the board ranked below the member, in percent, two decimals half-up.
    #[cfg_attr(feature = "typescript", ts(as = "crate::typescript::DecimalString"))]
    pub percentile: Decimal,
}

/// The first 16 bytes of a customer id as a number (zero-padded). Its order agrees with the
/// order of the ids, so a search compares these inline numbers and reads the id itself only
/// when they are equal: one cache miss less per step of a binary search.
fn id_prefix(id: &str) -> u128 {
    let mut bytes = [0u8; 16];
    for (b, c) in bytes.iter_mut().zip(id.bytes()) {
        *b = c;
    }
    u128::from_be_bytes(bytes)
}

/// A board, sorted once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Leaderboard {
    order: Vec<Standing>,
    /// (id prefix, index into `order`), sorted by customer id.
    #[serde(skip)]
    by_customer: Vec<(u128, u32)>,
}

impl Leaderboard {
    /// Sorts `standings` into a board. A customer listed twice keeps its best standing.
    pub fn build(mut standings: Vec<Standing>) -> Self {
        standings.sort_unstable_by(board_order);
        let id = |i: u32| standings.get(i as usize).map(|s| s.customer_id.as_str());
        let mut by_customer: Vec<(u128, u32)> = standings
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let index = u32::try_from(i).unwrap_or(u32::MAX);
                (id_prefix(&s.customer_id), index)
            })
            .collect();
        by_customer.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| id(a.1).cmp(&id(b.1)))
                .then(a.1.cmp(&b.1))
        });
        let worse: Vec<u32> = by_customer
            .windows(2)
            .filter(|w| w[0].0 == w[1].0 && id(w[0].1) == id(w[1].1))
            .map(|w| w[1].1)
            .collect();
        if worse.is_empty() {
            return Self {
                order: standings,
                by_customer,
            };
        }
        let mut keep = vec![true; standings.len()];
        for i in worse {
            if let Some(k) = keep.get_mut(i as usize) {
                *k = false;
            }
        }
        let mut index = 0;
        standings.retain(|_| {
            index += 1;
            keep.get(index - 1).copied().unwrap_or(true)
        });
        Self::build(standings)
    }

    /// Members on the board.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The standings in board order.
    pub fn standings(&self) -> &[Standing] {
        &self.order
    }

    /// The position at 0-based `index` of the board.
    fn at(&self, index: usize) -> Option<Position> {
        let s = self.order.get(index)?;
        let of = self.order.len() as u64;
        let rank = index as u64 + 1;
        let mut percentile = (Decimal::from(of - rank) * Decimal::ONE_HUNDRED / Decimal::from(of))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        percentile.rescale(2);
        Some(Position {
            rank,
            of,
            customer_id: s.customer_id.clone(),
            score: s.score,
            percentile,
        })
    }

    /// The first `n` positions.
    pub fn top(&self, n: usize) -> Vec<Position> {
        (0..n.min(self.order.len()))
            .filter_map(|i| self.at(i))
            .collect()
    }

    /// A customer's rank and percentile, in O(log n).
    pub fn position(&self, customer_id: &str) -> Option<Position> {
        let prefix = id_prefix(customer_id);
        let found = self
            .by_customer
            .binary_search_by(|(p, i)| {
                p.cmp(&prefix).then_with(|| {
                    self.order.get(*i as usize).map_or(Ordering::Greater, |s| {
                        s.customer_id.as_str().cmp(customer_id)
                    })
                })
            })
            .ok()?;
        let (_, index) = *self.by_customer.get(found)?;
        self.at(index as usize)
    }

    /// The rank a standing would have on this board, in O(log n).
    pub fn rank_of(&self, standing: &Standing) -> u64 {
        self.order
            .partition_point(|s| board_order(s, standing) == Ordering::Less) as u64
            + 1
    }

    /// The first `n` positions as text, one line each: rank, customer, score.
    pub fn render(&self, title: &str, n: usize) -> String {
        let mut out = format!("{title}\n");
        for p in self.top(n) {
            let _ = writeln!(
                out,
                "{:>4}. {:<20} {:>8} pts",
                p.rank, p.customer_id, p.score
            );
        }
        if self.order.is_empty() {
            out.push_str("   (no points yet)\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minute: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + i64::from(minute) * 60, 0).unwrap_or_default()
    }

    fn s(id: &str, score: i64, minute: u32) -> Standing {
        Standing {
            customer_id: id.to_owned(),
            score,
            reached_at: at(minute),
        }
    }

    #[test]
    fn ties_go_to_who_reached_the_score_first_then_to_the_customer_id() {
        let board = Leaderboard::build(vec![
            s("c", 100, 5),
            s("a", 100, 9),
            s("b", 100, 5),
            s("d", 300, 20),
            s("e", 10, 1),
        ]);
        let ids: Vec<_> = board.top(10).into_iter().map(|p| p.customer_id).collect();
        assert_eq!(ids, ["d", "b", "c", "a", "e"]);
        let b = board.position("b").unwrap();
        assert_eq!((b.rank, b.of), (2, 5));
        assert_eq!(b.percentile, Decimal::new(6000, 2));
        assert_eq!(board.position("e").unwrap().percentile, Decimal::ZERO);
        assert!(board.position("zz").is_none());
        assert_eq!(board.rank_of(&s("new", 100, 6)), 4);
    }

    #[test]
    fn long_ids_sharing_a_prefix_are_still_found() {
        let long = |n: u32| format!("customer-0000000000-{n}");
        let board = Leaderboard::build((0..50).map(|n| s(&long(n), i64::from(n), n)).collect());
        for n in 0..50 {
            assert_eq!(board.position(&long(n)).unwrap().rank, u64::from(50 - n));
        }
        assert!(board.position("customer-0000000000-").is_none());
        assert!(board.position("").is_none());
    }

    #[test]
    fn a_customer_listed_twice_keeps_the_better_standing() {
        let board = Leaderboard::build(vec![s("a", 10, 1), s("b", 50, 1), s("a", 70, 2)]);
        assert_eq!(board.len(), 2);
        assert_eq!(board.position("a").unwrap().score, 70);
        assert_eq!(board.position("b").unwrap().rank, 2);
    }

    #[test]
    fn rendering_lists_the_top_of_the_board() {
        let board = Leaderboard::build(vec![s("cust-1", 120, 1), s("cust-2", 80, 2)]);
        let text = board.render("This week", 1);
        assert_eq!(text, "This week\n   1. cust-1                    120 pts\n");
    }

    proptest! {
        #[test]
        fn ranks_agree_with_counting_who_is_ahead(
            list in prop::collection::vec((0u8..40, 0i64..20, 0u32..5), 0..60),
        ) {
            let standings: Vec<Standing> = list
                .iter()
                .map(|(id, score, minute)| s(&format!("customer-{id:03}"), *score, *minute))
                .collect();
            let board = Leaderboard::build(standings.clone());
            let mut best: Vec<Standing> = Vec::new();
            for st in standings {
                match best.iter_mut().find(|b| b.customer_id == st.customer_id) {
                    Some(b) if board_order(&st, b) == Ordering::Less => *b = st,
                    Some(_) => {}
                    None => best.push(st),
                }
            }
            prop_assert_eq!(board.len(), best.len());
            for st in &best {
                let ahead = best.iter().filter(|o| board_order(o, st) == Ordering::Less).count();
                let p = board.position(&st.customer_id).unwrap();
                prop_assert_eq!(p.rank, ahead as u64 + 1);
                prop_assert_eq!(p.score, st.score);
            }
        }
    }
}
