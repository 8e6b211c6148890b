//! Local search over neighbour lists: relocate / Or-opt (strings of 1-3 stops, both
//! orientations), cross-exchange (strings of 1-2 swapped between routes, which includes
//! swap), 2-opt* between routes and 2-opt within a route. First improvement, until no move
//! improves.

use super::instance::Instance;
use super::rng::Rng;
use super::solution::{Route, Solution};

/// Neighbours of a stop considered as partners for its moves.
const PARTNERS: usize = 16;
/// Smallest improvement accepted, against rounding noise.
const EPSILON: f64 = 1e-7;

/// Applies improving moves until none is left, starting from the stops of the routes marked
/// in `focus` (all routes when `None`); a route changed by a move has its stops looked at again.
pub(crate) fn improve(
    instance: &Instance,
    solution: &mut Solution,
    rng: &mut Rng,
    focus: Option<&[bool]>,
) {
    let size = instance.travel.size();
    let mut positions = solution.positions(size);
    let mut queued = vec![false; size];
    let mut queue: Vec<usize> = Vec::new();
    for (r, route) in solution.routes.iter().enumerate() {
        if focus.is_none_or(|f| f.get(r).copied().unwrap_or(true)) {
            queue.extend(&route.stops);
        }
    }
    rng.shuffle(&mut queue);
    for &u in &queue {
        queued[u] = true;
    }
    while let Some(u) = queue.pop() {
        queued[u] = false;
        for &v in instance.neighbours[u].iter().take(PARTNERS) {
            let (Some((ru, iu)), Some((rv, iv))) = (positions[u], positions[v]) else {
                continue;
            };
            let changed = if ru == rv {
                intra(instance, &mut solution.routes[ru], iu, iv)
            } else {
                inter(instance, solution, (ru, iu), (rv, iv))
            };
            if changed {
                for r in [ru, rv] {
                    for (k, &p) in solution.routes[r].stops.iter().enumerate() {
                        positions[p] = Some((r, k));
                        if !queued[p] {
                            queued[p] = true;
                            queue.push(p);
                        }
                    }
                }
                break;
            }
        }
    }
}

/// Cost of the arcs inside `stops`, walked forward or backward.
fn inner(instance: &Instance, stops: &[usize], reversed: bool) -> f64 {
    stops
        .windows(2)
        .map(|w| {
            if reversed {
                instance.cost(w[1], w[0])
            } else {
                instance.cost(w[0], w[1])
            }
        })
        .sum()
}

/// Whether `stops`, driven from `prev` leaving at `depart`, then the tail of `route` from
/// position `k`, stay feasible for `vehicle`.
fn continues(
    instance: &Instance,
    vehicle: usize,
    mut depart: f64,
    mut prev: usize,
    stops: &[usize],
    route: &Route,
    k: usize,
) -> bool {
    for &p in stops {
        let Some(start) = instance.arrive(prev, p, depart) else {
            return false;
        };
        depart = start + instance.service[p];
        prev = p;
    }
    let same_end =
        instance.vehicles[vehicle].end_class == instance.vehicles[route.vehicle].end_class;
    let slack = same_end.then(|| &route.latest[k..]);
    instance.finishes(
        vehicle,
        depart,
        prev,
        route.stops[k..].iter().copied(),
        slack,
    )
}

fn fits(instance: &Instance, vehicle: usize, load: impl Fn(usize) -> f64) -> bool {
    let capacity = &instance.vehicles[vehicle].capacity;
    (0..instance.dims).all(|d| load(d) <= capacity[d])
}

/// Moves between two routes; applies the first improving one found.
fn inter(
    instance: &Instance,
    solution: &mut Solution,
    (ru, iu): (usize, usize),
    (rv, iv): (usize, usize),
) -> bool {
    let dims = instance.dims;
    let (a, b) = (&solution.routes[ru], &solution.routes[rv]);
    let u = a.stops[iu];
    let v = b.stops[iv];
    // Relocate a string starting at u next to v, forward after v or reversed before v.
    for len in 1..=3 {
        if iu + len > a.stops.len() {
            break;
        }
        let string = &a.stops[iu..iu + len];
        let (first, last) = (string[0], string[len - 1]);
        let before = a.before(instance, iu);
        let after = a.after(instance, iu + len - 1);
        let removal = if len == a.stops.len() {
            -a.cost
        } else {
            instance.cost(before, after)
                - instance.cost(before, first)
                - instance.cost(last, after)
                - inner(instance, string, false)
        };
        if !fits(instance, b.vehicle, |d| {
            b.load[d] + a.load_between(dims, iu, iu + len, d)
        }) {
            continue;
        }
        let source_ok = |inst: &Instance| {
            continues(
                inst,
                a.vehicle,
                a.depart_before(inst, iu),
                before,
                &[],
                a,
                iu + len,
            )
        };
        let next = b.after(instance, iv);
        let forward =
            instance.cost(v, first) + inner(instance, string, false) + instance.cost(last, next)
                - instance.cost(v, next);
        if removal + forward < -EPSILON
            && continues(instance, b.vehicle, b.depart[iv], v, string, b, iv + 1)
            && source_ok(instance)
        {
            let moved: Vec<usize> = string.to_vec();
            apply(instance, solution, ru, rv, |x, y| {
                x.stops.drain(iu..iu + len);
                y.stops.splice(iv + 1..iv + 1, moved);
            });
            return true;
        }
        let prev = b.before(instance, iv);
        let backward =
            instance.cost(prev, last) + inner(instance, string, true) + instance.cost(first, v)
                - instance.cost(prev, v);
        let reversed: Vec<usize> = string.iter().rev().copied().collect();
        if removal + backward < -EPSILON
            && continues(
                instance,
                b.vehicle,
                b.depart_before(instance, iv),
                prev,
                &reversed,
                b,
                iv,
            )
            && source_ok(instance)
        {
            apply(instance, solution, ru, rv, |x, y| {
                x.stops.drain(iu..iu + len);
                y.stops.splice(iv..iv, reversed);
            });
            return true;
        }
    }
    // Cross-exchange: the string at u and the string after v change routes (u lands after v).
    for la in 1..=2 {
        for lb in 1..=2 {
            if iu + la > a.stops.len() || iv + 1 + lb > b.stops.len() {
                continue;
            }
            let sa = &a.stops[iu..iu + la];
            let sb = &b.stops[iv + 1..iv + 1 + lb];
            let (pa, na) = (a.before(instance, iu), a.after(instance, iu + la - 1));
            let nb = b.after(instance, iv + lb);
            let old = instance.cost(pa, sa[0])
                + inner(instance, sa, false)
                + instance.cost(sa[la - 1], na)
                + instance.cost(v, sb[0])
                + inner(instance, sb, false)
                + instance.cost(sb[lb - 1], nb);
            let new = instance.cost(pa, sb[0])
                + inner(instance, sb, false)
                + instance.cost(sb[lb - 1], na)
                + instance.cost(v, sa[0])
                + inner(instance, sa, false)
                + instance.cost(sa[la - 1], nb);
            if new - old >= -EPSILON {
                continue;
            }
            let load_a = |d| {
                a.load[d] - a.load_between(dims, iu, iu + la, d)
                    + b.load_between(dims, iv + 1, iv + 1 + lb, d)
            };
            let load_b = |d| {
                b.load[d] - b.load_between(dims, iv + 1, iv + 1 + lb, d)
                    + a.load_between(dims, iu, iu + la, d)
            };
            if fits(instance, a.vehicle, load_a)
                && fits(instance, b.vehicle, load_b)
                && continues(
                    instance,
                    a.vehicle,
                    a.depart_before(instance, iu),
                    pa,
                    sb,
                    a,
                    iu + la,
                )
                && continues(instance, b.vehicle, b.depart[iv], v, sa, b, iv + 1 + lb)
            {
                let (sa, sb) = (sa.to_vec(), sb.to_vec());
                apply(instance, solution, ru, rv, |x, y| {
                    x.stops.splice(iu..iu + la, sb);
                    y.stops.splice(iv + 1..iv + 1 + lb, sa);
                });
                return true;
            }
        }
    }
    // 2-opt*: u's route continues with v and the rest of v's route, and vice versa.
    let (va, vb) = (&instance.vehicles[a.vehicle], &instance.vehicles[b.vehicle]);
    if va.end == vb.end {
        let next_u = a.after(instance, iu);
        let prev_v = b.before(instance, iv);
        let mut delta = instance.cost(u, v) + instance.cost(prev_v, next_u)
            - instance.cost(u, next_u)
            - instance.cost(prev_v, v);
        if iv == 0 && iu + 1 == a.stops.len() {
            delta -= instance.cost(prev_v, next_u);
        }
        let load_a = |d| a.prefix[(iu + 1) * dims + d] + b.load[d] - b.prefix[iv * dims + d];
        let load_b = |d| b.prefix[iv * dims + d] + a.load[d] - a.prefix[(iu + 1) * dims + d];
        if delta < -EPSILON
            && fits(instance, a.vehicle, load_a)
            && fits(instance, b.vehicle, load_b)
            && continues(instance, a.vehicle, a.depart[iu], u, &[], b, iv)
            && continues(
                instance,
                b.vehicle,
                b.depart_before(instance, iv),
                prev_v,
                &[],
                a,
                iu + 1,
            )
        {
            apply(instance, solution, ru, rv, |x, y| {
                let tail_x: Vec<usize> = x.stops.drain(iu + 1..).collect();
                let tail_y: Vec<usize> = y.stops.drain(iv..).collect();
                x.stops.extend(tail_y);
                y.stops.extend(tail_x);
            });
            return true;
        }
    }
    false
}

/// Changes two routes with `change` and refreshes their caches.
fn apply(
    instance: &Instance,
    solution: &mut Solution,
    ru: usize,
    rv: usize,
    change: impl FnOnce(&mut Route, &mut Route),
) {
    let (x, y) = if ru < rv {
        let (left, right) = solution.routes.split_at_mut(rv);
        (&mut left[ru], &mut right[0])
    } else {
        let (left, right) = solution.routes.split_at_mut(ru);
        (&mut right[0], &mut left[rv])
    };
    change(x, y);
    x.refresh(instance);
    y.refresh(instance);
}

/// Moves within one route: cost change from the arcs first, then the changed route is built
/// and checked only when it is shorter.
fn intra(instance: &Instance, route: &mut Route, iu: usize, iv: usize) -> bool {
    let stops = &route.stops;
    let c = |a: usize, b: usize| instance.cost(a, b);
    let (lo, hi) = if iu < iv { (iu, iv) } else { (iv, iu) };
    if hi > lo + 1 {
        let segment = &stops[lo + 1..=hi];
        let (a, b, e, f) = (
            stops[lo],
            stops[lo + 1],
            stops[hi],
            route.after(instance, hi),
        );
        let delta = c(a, e) + c(b, f) - c(a, b) - c(e, f) + inner(instance, segment, true)
            - inner(instance, segment, false);
        if delta < -EPSILON {
            let mut candidate = stops.clone();
            candidate[lo + 1..=hi].reverse();
            if better(instance, route, &candidate) {
                route.stops = candidate;
                route.refresh(instance);
                return true;
            }
        }
    }
    let v = stops[iv];
    for len in 1..=3 {
        if iu + len > stops.len() || (iu..iu + len).contains(&iv) {
            break;
        }
        let string = &stops[iu..iu + len];
        let (first, last) = (string[0], string[len - 1]);
        let (p, n) = (
            route.before(instance, iu),
            route.after(instance, iu + len - 1),
        );
        let removal = c(p, n) - c(p, first) - c(last, n) - inner(instance, string, false);
        let next_v = if iv + 1 == iu {
            n
        } else {
            route.after(instance, iv)
        };
        let prev_v = if iv == iu + len {
            p
        } else {
            route.before(instance, iv)
        };
        let after = c(v, first) + inner(instance, string, false) + c(last, next_v) - c(v, next_v);
        let before = c(prev_v, last) + inner(instance, string, true) + c(first, v) - c(prev_v, v);
        for (gain, forward) in [(after, true), (before, false)] {
            if iv + 1 == iu && forward || removal + gain >= -EPSILON {
                continue;
            }
            let moved: Vec<usize> = string.to_vec();
            let mut candidate: Vec<usize> = stops.clone();
            candidate.drain(iu..iu + len);
            let Some(at) = candidate.iter().position(|&x| x == v) else {
                continue;
            };
            if forward {
                candidate.splice(at + 1..at + 1, moved);
            } else {
                candidate.splice(at..at, moved.into_iter().rev());
            }
            if better(instance, route, &candidate) {
                route.stops = candidate;
                route.refresh(instance);
                return true;
            }
        }
    }
    false
}

/// Whether `candidate` stops are cheaper than the route's and feasible.
fn better(instance: &Instance, route: &Route, candidate: &[usize]) -> bool {
    instance.route_cost(route.vehicle, candidate) < route.cost - EPSILON
        && instance.feasible(route.vehicle, candidate)
}
