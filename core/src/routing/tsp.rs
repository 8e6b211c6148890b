//! One delivery person without windows or capacity limits: a tour improved by 2-opt and
//! Or-opt on neighbour lists with don't-look bits, and an iterated local search that kicks
//! the tour with local double bridges (segment swaps) and keeps the kick when it does not
//! lengthen the tour.

use std::collections::VecDeque;

use super::rng::Rng;
use super::search::Budget;

/// Neighbours per node for the tour moves.
const NEAREST: usize = 10;
/// Longest segment moved by a kick.
const KICK: usize = 50;
const EPSILON: f64 = 1e-9;

/// A cyclic tour over local nodes `0..m` with a dense symmetric cost matrix.
struct Tour<'a> {
    cost: &'a [f64],
    m: usize,
    order: Vec<usize>,
    pos: Vec<usize>,
    near: Vec<Vec<usize>>,
}

impl Tour<'_> {
    #[inline]
    fn c(&self, a: usize, b: usize) -> f64 {
        self.cost[a * self.m + b]
    }

    #[inline]
    fn succ(&self, a: usize) -> usize {
        self.order[(self.pos[a] + 1) % self.m]
    }

    #[inline]
    fn pred(&self, a: usize) -> usize {
        self.order[(self.pos[a] + self.m - 1) % self.m]
    }

    fn length(&self) -> f64 {
        (0..self.m)
            .map(|k| self.c(self.order[k], self.order[(k + 1) % self.m]))
            .sum()
    }

    /// Reverses the tour path from position `i` forward to position `j`, or the complement
    /// when that is shorter (the same cyclic tour).
    fn reverse(&mut self, i: usize, j: usize) {
        let m = self.m;
        let inside = (j + m - i) % m + 1;
        let (mut i, mut j, len) = if 2 * inside <= m {
            (i, j, inside)
        } else {
            ((j + 1) % m, (i + m - 1) % m, m - inside)
        };
        for _ in 0..len / 2 {
            let (a, b) = (self.order[i], self.order[j]);
            self.order[i] = b;
            self.order[j] = a;
            self.pos[b] = i;
            self.pos[a] = j;
            i = (i + 1) % m;
            j = (j + m - 1) % m;
        }
    }

    /// Removes the tour edges {a, b} and {c, d} and reconnects the two paths the only other
    /// way that gives one tour.
    fn exchange(&mut self, (a, b): (usize, usize), (c, d): (usize, usize)) {
        let (x1, x2) = if self.succ(a) == b { (a, b) } else { (b, a) };
        let y1 = if self.succ(c) == d { c } else { d };
        debug_assert!(self.succ(x1) == x2);
        self.reverse(self.pos[x2], self.pos[y1]);
    }

    /// Best-effort 2-opt from node `a`; returns the nodes whose edges changed.
    fn two_opt(&mut self, a: usize) -> Option<[usize; 4]> {
        for forward in [true, false] {
            let an = if forward { self.succ(a) } else { self.pred(a) };
            let base = self.c(a, an);
            for k in 0..self.near[a].len() {
                let c = self.near[a][k];
                let gain_first = base - self.c(a, c);
                if gain_first <= EPSILON {
                    break;
                }
                let cn = if forward { self.succ(c) } else { self.pred(c) };
                if c == an || cn == a {
                    continue;
                }
                let delta = self.c(an, cn) - self.c(c, cn) - gain_first;
                if delta < -EPSILON {
                    self.exchange((a, an), (c, cn));
                    return Some([a, an, c, cn]);
                }
            }
        }
        None
    }

    /// Or-opt from node `a`: moves the string of 1-3 nodes starting at `a` elsewhere, in
    /// either orientation; returns the nodes whose edges changed.
    fn or_opt(&mut self, a: usize) -> Option<[usize; 6]> {
        for len in 1..=3usize {
            if len + 3 > self.m {
                break;
            }
            let s1 = a;
            let mut s2 = a;
            for _ in 1..len {
                s2 = self.succ(s2);
            }
            let (p, nx) = (self.pred(s1), self.succ(s2));
            let removal = self.c(p, s1) + self.c(s2, nx) - self.c(p, nx);
            for end in [s1, s2] {
                for k in 0..self.near[end].len() {
                    let c = self.near[end][k];
                    if self.c(end, c) >= removal {
                        break;
                    }
                    let inside = (self.pos[c] + self.m - self.pos[s1]) % self.m < len;
                    if inside {
                        continue;
                    }
                    for (x, y) in [(c, self.succ(c)), (self.pred(c), c)] {
                        if x == p && y == s1
                            || x == s2 && y == nx
                            || y == p
                            || x == nx
                            || (y != s1 && (self.pos[y] + self.m - self.pos[s1]) % self.m < len)
                        {
                            continue;
                        }
                        let keep = self.c(x, s1) + self.c(s2, y);
                        let flip = self.c(x, s2) + self.c(s1, y);
                        let added = keep.min(flip) - self.c(x, y);
                        if added - removal < -EPSILON {
                            self.exchange((p, s1), (x, y));
                            self.exchange((p, x), (s2, nx));
                            if keep < flip {
                                self.exchange((x, s2), (s1, y));
                            }
                            return Some([p, s1, s2, nx, x, y]);
                        }
                    }
                }
            }
        }
        None
    }

    /// Runs both moves from the queued nodes until none improves.
    fn descend(&mut self, queue: &mut VecDeque<usize>, queued: &mut [bool]) {
        while let Some(a) = queue.pop_front() {
            queued[a] = false;
            let touched: Vec<usize> = if let Some(t) = self.two_opt(a) {
                t.to_vec()
            } else if let Some(t) = self.or_opt(a) {
                t.to_vec()
            } else {
                continue;
            };
            for node in touched {
                if !queued[node] {
                    queued[node] = true;
                    queue.push_back(node);
                }
            }
        }
    }
}

/// Improves a closed tour given as local node order over the dense `m`×`m` symmetric `cost`.
pub(crate) fn improve_tour(
    cost: &[f64],
    m: usize,
    initial: Vec<usize>,
    rng: &mut Rng,
    budget: &mut Budget,
) -> Vec<usize> {
    if m < 5 {
        return initial;
    }
    let near = (0..m)
        .map(|a| {
            let mut others: Vec<usize> = (0..m).filter(|&b| b != a).collect();
            let keep = NEAREST.min(others.len());
            let key = |b: &usize| (cost[a * m + b], *b);
            others.select_nth_unstable_by(keep - 1, |x, y| {
                key(x).0.total_cmp(&key(y).0).then(x.cmp(y))
            });
            others.truncate(keep);
            others.sort_by(|x, y| key(x).0.total_cmp(&key(y).0).then(x.cmp(y)));
            others
        })
        .collect();
    let mut pos = vec![0; m];
    for (k, &node) in initial.iter().enumerate() {
        pos[node] = k;
    }
    let mut tour = Tour {
        cost,
        m,
        order: initial,
        pos,
        near,
    };
    let mut queue: VecDeque<usize> = (0..m).collect();
    let mut queued = vec![true; m];
    tour.descend(&mut queue, &mut queued);
    let mut length = tour.length();
    let (mut saved_order, mut saved_pos) = (tour.order.clone(), tour.pos.clone());
    while budget.next().is_some() {
        let span = KICK.min((m - 1) / 3).max(1);
        let first = rng.below(m - 3);
        let b = (first + 1 + rng.below(span)).min(m - 2);
        let c = (b + 1 + rng.below(span)).min(m - 1);
        if b <= first || c <= b {
            continue;
        }
        tour.order[first + 1..=c].rotate_left(b - first);
        for k in first + 1..=c {
            let node = tour.order[k];
            tour.pos[node] = k;
        }
        for k in [
            first,
            first + 1,
            first + c - b,
            first + c - b + 1,
            c,
            (c + 1) % m,
        ] {
            let node = tour.order[k % m];
            if !queued[node] {
                queued[node] = true;
                queue.push_back(node);
            }
        }
        tour.descend(&mut queue, &mut queued);
        let candidate = tour.length();
        if candidate <= length + EPSILON {
            length = candidate;
            saved_order.copy_from_slice(&tour.order);
            saved_pos.copy_from_slice(&tour.pos);
        } else {
            tour.order.copy_from_slice(&saved_order);
            tour.pos.copy_from_slice(&saved_pos);
        }
    }
    saved_order
}
