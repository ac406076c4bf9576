//! A fast plan without a solver: list scheduling over a priority order, improved by local search.
//!
//! The replay fills each period's effective capacity A_t (1 − drag_t) in priority order, giving
//! each eligible item (selected, not yet delivered, every prerequisite delivered in an earlier
//! period) as much as its team limit, its class's side of the ring-fence and the capacity left
//! allow. Every replayed schedule is a feasible point of the program when it meets the hard
//! deadlines and commitments, so its objective is a valid incumbent for branch and bound.
//!
//! The search is deterministic: a fixed-seed generator and an evaluation budget; the wall clock
//! only cuts it short.

use std::time::Instant;

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::data::PlanData;

/// A replayed schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Delivery period of each item (1-based) or none.
    pub deliveries: Vec<Option<usize>>,
    /// Engineer-weeks of each item in each period, `work_weeks[item_idx * T + period_idx]`.
    pub work_weeks: Vec<f64>,
    /// The user's objective for these deliveries.
    pub objective: f64,
    /// Hard deadlines and commitments missed (0 when the schedule is a feasible plan).
    pub n_missed: usize,
    /// Selected items that got work but were not delivered (their work is wasted).
    pub wasted: Vec<usize>,
}

/// A priority order and which items may get work.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    pub order: Vec<usize>,
    pub selected: Vec<bool>,
    /// Target delivery period of each item (1-based); an item that cannot finish by its target
    /// at its team limit from the next period on gets the difference first. `None`: no pacing.
    pub target: Vec<Option<usize>>,
}

/// Everything the replay reads, precomputed once.
pub struct Replayer<'a> {
    data: &'a PlanData,
    /// gain[i * (T + 1) + t]: objective added by delivering i by the end of t (t = 0 unused).
    gain: Vec<f64>,
    constant: f64,
    /// The period by which each item must be delivered (hard deadline or commitment).
    must_by: Vec<Option<usize>>,
}

impl<'a> Replayer<'a> {
    pub fn new(data: &'a PlanData) -> Replayer<'a> {
        let t_end = data.n_periods;
        let mut gain = vec![0.0; data.n_items() * (t_end + 1)];
        for i in 0..data.n_items() {
            // Suffix sums of the objective's y-coefficients.
            let mut acc = 0.0;
            for t in (1..=t_end).rev() {
                acc += data.y_coefficient(i, t);
                gain[i * (t_end + 1) + t] = acc;
            }
        }
        let must_by = data
            .items
            .iter()
            .map(|item| match (item.hard_deadline, item.commit) {
                (Some(k), _) => Some(k),
                (None, true) => Some(t_end),
                (None, false) => None,
            })
            .collect();
        Replayer {
            data,
            gain,
            constant: data.objective_constant(),
            must_by,
        }
    }

    /// T.
    pub fn n_periods(&self) -> usize {
        self.data.n_periods
    }

    /// The period by which item i must be delivered, if any.
    pub fn must_by(&self, item_idx: usize) -> Option<usize> {
        self.must_by[item_idx]
    }

    /// What delivering item i by the end of t adds to the objective.
    pub fn gain(&self, item_idx: usize, period: usize) -> f64 {
        self.gain[item_idx * (self.data.n_periods + 1) + period]
    }

    /// The objective of a set of deliveries.
    pub fn objective_of(&self, deliveries: &[Option<usize>]) -> f64 {
        self.constant
            + deliveries
                .iter()
                .enumerate()
                .filter_map(|(i, d)| d.map(|t| self.gain(i, t)))
                .sum::<f64>()
    }

    /// Replays a priority order period by period.
    pub fn replay(&self, priority: &Priority, keep_work: bool) -> Schedule {
        let data = self.data;
        let t_end = data.n_periods;
        let n = data.n_items();
        let mut remaining: Vec<f64> = data.items.iter().map(|i| i.effort_weeks).collect();
        let mut deliveries: Vec<Option<usize>> = vec![None; n];
        let mut work_weeks = if keep_work {
            vec![0.0; n * t_end]
        } else {
            Vec::new()
        };
        let mut active: Vec<usize> = priority
            .order
            .iter()
            .copied()
            .filter(|&i| priority.selected[i])
            .collect();
        let mut relief = 0.0;
        let mut worked = vec![false; n];
        let mut given = vec![0.0; n];
        let n_pools = data.n_pools();
        // What each pool (team) has left this period: in total, for product, for stability.
        let mut total_left = vec![0.0; n_pools];
        let mut product_left = vec![0.0; n_pools];
        let mut stability_left = vec![0.0; n_pools];
        for t in 1..=t_end {
            let drag = crate::economics::drag_after_relief(data.base_drag[t - 1], relief);
            for pool in 0..n_pools {
                let effective = data.pool_allocatable[pool][t - 1] * (1.0 - drag);
                total_left[pool] = effective;
                product_left[pool] = (1.0 - data.stability_min) * effective;
                stability_left[pool] = data.stability_max * effective;
            }
            let mut delivered_now = false;
            for &i in &active {
                given[i] = 0.0;
            }
            // Pass 0 paces items towards their targets; pass 1 fills in priority order.
            for pass in 0..2 {
                for &i in &active {
                    if total_left.iter().all(|&left| left <= 1e-12) {
                        break;
                    }
                    if deliveries[i].is_some() {
                        continue;
                    }
                    let item = &data.items[i];
                    let wanted = if pass == 0 {
                        match priority.target[i] {
                            Some(k) if k >= t && item.team_weeks.is_finite() => {
                                remaining[i] - item.team_weeks * (k - t) as f64
                            }
                            _ => continue,
                        }
                    } else {
                        remaining[i]
                    };
                    if wanted <= 1e-12 {
                        continue;
                    }
                    if !item
                        .requires
                        .iter()
                        .all(|&j| deliveries[j].is_some_and(|k| k < t))
                    {
                        continue;
                    }
                    let class_left = if item.stability {
                        &mut stability_left
                    } else {
                        &mut product_left
                    };
                    // Lockstep: each pool gives σ of the work, so the scarcest pool sets the pace.
                    let pool_room = item
                        .shares
                        .iter()
                        .map(|&(j, share)| total_left[j].min(class_left[j]) / share)
                        .fold(f64::INFINITY, f64::min);
                    let room = pool_room.min(item.team_weeks - given[i]).min(wanted);
                    if room <= 1e-12 {
                        continue;
                    }
                    remaining[i] -= room;
                    given[i] += room;
                    worked[i] = true;
                    for &(j, share) in &item.shares {
                        class_left[j] -= room * share;
                        total_left[j] -= room * share;
                    }
                    if keep_work {
                        work_weeks[i * t_end + t - 1] += room;
                    }
                    if remaining[i] <= 1e-9 * item.effort_weeks.max(1.0) {
                        remaining[i] = 0.0;
                        deliveries[i] = Some(t);
                        delivered_now = true;
                    }
                }
            }
            if delivered_now {
                active.retain(|&i| {
                    if deliveries[i] == Some(t) {
                        relief += data.items[i].debt_relief;
                        false
                    } else {
                        true
                    }
                });
            }
        }
        // Work on items that are never delivered earns nothing: drop it.
        if keep_work {
            for (i, d) in deliveries.iter().enumerate() {
                if d.is_none() {
                    work_weeks[i * t_end..(i + 1) * t_end].fill(0.0);
                }
            }
        }
        let n_missed = (0..n)
            .filter(|&i| match (self.must_by[i], deliveries[i]) {
                (Some(k), Some(d)) => d > k,
                (Some(_), None) => true,
                (None, _) => false,
            })
            .count();
        let wasted = (0..n)
            .filter(|&i| worked[i] && deliveries[i].is_none())
            .collect();
        Schedule {
            objective: self.objective_of(&deliveries),
            deliveries,
            work_weeks,
            n_missed,
            wasted,
        }
    }

    /// Replays, then takes work away from items that get some but are not delivered (their
    /// work earns nothing) and replays again, keeping the better schedule each time.
    pub fn evaluate(&self, priority: &mut Priority) -> Schedule {
        let mut best = self.replay(priority, false);
        for _ in 0..3 {
            if best.wasted.is_empty() {
                break;
            }
            let mut trial = priority.clone();
            for &i in &best.wasted {
                if self.must_by[i].is_none() {
                    trial.selected[i] = false;
                }
            }
            if trial.selected == priority.selected {
                break;
            }
            let schedule = self.replay(&trial, false);
            if schedule.n_missed <= best.n_missed && schedule.objective >= best.objective {
                *priority = trial;
                best = schedule;
            } else {
                break;
            }
        }
        best
    }
}

/// Items worth selecting at the start: forced, relieving drag, worth delivering, or required
/// by one of those.
fn initial_selection(data: &PlanData, replayer: &Replayer) -> Vec<bool> {
    let n = data.n_items();
    let mut selected: Vec<bool> = (0..n)
        .map(|i| {
            replayer.must_by(i).is_some()
                || data.items[i].debt_relief > 0.0
                || (1..=data.n_periods).any(|t| replayer.gain(i, t) > 0.0)
        })
        .collect();
    close_under_requirements(data, &mut selected);
    selected
}

fn close_under_requirements(data: &PlanData, selected: &mut [bool]) {
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..data.n_items() {
            if selected[i] {
                for &j in &data.items[i].requires {
                    if !selected[j] {
                        selected[j] = true;
                        changed = true;
                    }
                }
            }
        }
    }
}

/// Puts every prerequisite (transitively) before the items that need it, keeping the order
/// otherwise.
fn respect_requirements(data: &PlanData, order: &[usize]) -> Vec<usize> {
    let n = data.n_items();
    let mut placed = vec![false; n];
    let mut out = Vec::with_capacity(n);
    fn place(i: usize, data: &PlanData, placed: &mut [bool], out: &mut Vec<usize>, depth: usize) {
        if placed[i] || depth > data.n_items() {
            return;
        }
        placed[i] = true;
        for &j in &data.items[i].requires {
            place(j, data, placed, out, depth + 1);
        }
        // Prerequisites were pushed first; now the item itself.
        out.push(i);
    }
    for &i in order {
        place(i, data, &mut placed, &mut out, 0);
    }
    out
}

/// Sorts items by a score, highest first, ties in file order.
fn order_by(n: usize, score: impl Fn(usize) -> f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
    order
}

/// Candidate orders: value density, WSJF, deadlines first, and (when given) the relaxation's
/// fractional delivery times.
pub fn candidate_orders(
    data: &PlanData,
    replayer: &Replayer,
    lp_delivery_time: Option<&[f64]>,
) -> Vec<Vec<usize>> {
    let n = data.n_items();
    let density = |i: usize| {
        let best = (1..=data.n_periods)
            .map(|t| replayer.gain(i, t))
            .fold(f64::NEG_INFINITY, f64::max);
        best / data.items[i].effort_weeks.max(1e-9)
    };
    let wsjf = |i: usize| {
        let item = &data.items[i];
        (item.value + item.cost_of_delay) / item.effort_weeks.max(1e-9)
    };
    let mut orders = vec![order_by(n, density), order_by(n, wsjf)];
    // Deadlines first (earliest first), then density.
    let t_end = data.n_periods as f64;
    orders.push(order_by(n, |i| match replayer.must_by(i) {
        Some(k) => 1e12 * (t_end + 2.0 - k as f64) + density(i).clamp(-1e11, 1e11),
        None => density(i).clamp(-1e11, 1e11),
    }));
    if let Some(times) = lp_delivery_time {
        orders.push(order_by(n, |i| {
            -times[i] + 1e-9 * density(i).clamp(-1e6, 1e6)
        }));
    }
    orders
        .into_iter()
        .map(|o| respect_requirements(data, &o))
        .collect()
}

/// Moves missed deadline items (and their prerequisites) earlier until the replay meets every
/// hard deadline and commitment, or gives up.
fn repair(data: &PlanData, replayer: &Replayer, priority: &mut Priority) -> Schedule {
    let n = data.n_items();
    let mut schedule = replayer.replay(priority, false);
    let mut rounds = 0;
    while schedule.n_missed > 0 && rounds < 40 * n.max(1) {
        rounds += 1;
        // The missed item with the earliest due period.
        let Some(i) = (0..n)
            .filter(|&i| match (replayer.must_by(i), schedule.deliveries[i]) {
                (Some(k), Some(d)) => d > k,
                (Some(_), None) => true,
                _ => false,
            })
            .min_by_key(|&i| (replayer.must_by(i), i))
        else {
            break;
        };
        priority.selected[i] = true;
        let mut stack = vec![i];
        while let Some(j) = stack.pop() {
            for &r in &data.items[j].requires {
                if !priority.selected[r] {
                    priority.selected[r] = true;
                    stack.push(r);
                }
            }
        }
        let pos = priority.order.iter().position(|&x| x == i).unwrap_or(0);
        if pos == 0 {
            // Already first: moving it cannot help; give up on this order.
            break;
        }
        let new_pos = pos - pos.div_ceil(2).max(1);
        let item = priority.order.remove(pos);
        priority.order.insert(new_pos, item);
        priority.order = respect_requirements(data, &priority.order);
        schedule = replayer.replay(priority, false);
    }
    schedule
}

/// The result of the heuristic: the best feasible priority found and its schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct HeuristicPlan {
    pub priority: Priority,
    pub schedule: Schedule,
}

/// What the linear relaxation suggests: fractional delivery times and target periods.
#[derive(Debug, Clone, PartialEq)]
pub struct LpGuide {
    /// Σ_t (1 − y[i,t]) per item.
    pub delivery_time: Vec<f64>,
    /// Target periods per item: the first period with y[i,t] ≥ θ, for a few thresholds θ.
    pub targets: Vec<Vec<Option<usize>>>,
}

/// Builds the best feasible plan from the candidate orders (None when none meets the deadlines).
pub fn construct(
    data: &PlanData,
    replayer: &Replayer,
    guide: Option<&LpGuide>,
) -> Option<HeuristicPlan> {
    let n = data.n_items();
    let selected = initial_selection(data, replayer);
    let mut best: Option<HeuristicPlan> = None;
    let no_targets = vec![None; n];
    let orders = candidate_orders(data, replayer, guide.map(|g| g.delivery_time.as_slice()));
    let mut tries: Vec<(Vec<usize>, &Vec<Option<usize>>)> =
        orders.iter().map(|o| (o.clone(), &no_targets)).collect();
    if let (Some(g), Some(lp_order)) = (guide, orders.last()) {
        for targets in &g.targets {
            tries.push((lp_order.clone(), targets));
        }
    }
    for (order, targets) in tries {
        let mut priority = Priority {
            order,
            selected: selected.clone(),
            target: targets.clone(),
        };
        let mut schedule = repair(data, replayer, &mut priority);
        if schedule.n_missed == 0 {
            schedule = replayer.evaluate(&mut priority);
        }
        if schedule.n_missed == 0
            && best
                .as_ref()
                .is_none_or(|b| schedule.objective > b.schedule.objective)
        {
            best = Some(HeuristicPlan { priority, schedule });
        }
    }
    best
}

/// The heuristic's reading of a plan given as each item's delivery and first period with work:
/// its items in order of delivery (then start, then file order), the delivered ones selected
/// (with their prerequisites) and paced to deliver by their planned period. With more capacity
/// than the plan was made for, the replay delivers each about as early or earlier, and the local
/// search then goes on from there. None when the replay misses a hard deadline or commitment.
pub fn construct_from(
    data: &PlanData,
    replayer: &Replayer,
    deliveries: &[Option<usize>],
    starts: &[Option<usize>],
) -> Option<HeuristicPlan> {
    let n = data.n_items();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| {
        (
            deliveries[i].unwrap_or(usize::MAX),
            starts[i].unwrap_or(usize::MAX),
            i,
        )
    });
    let mut selected: Vec<bool> = deliveries.iter().map(Option::is_some).collect();
    close_under_requirements(data, &mut selected);
    let mut priority = Priority {
        order,
        selected,
        target: deliveries.to_vec(),
    };
    let mut schedule = repair(data, replayer, &mut priority);
    if schedule.n_missed == 0 {
        schedule = replayer.evaluate(&mut priority);
    }
    (schedule.n_missed == 0).then_some(HeuristicPlan { priority, schedule })
}

/// When to stop the local search.
#[derive(Debug, Clone, Copy)]
pub struct SearchBudget {
    /// Stop after this many replays without a strict improvement of the best plan.
    pub max_stall: usize,
    /// Stop after this many replays in all.
    pub max_evals: usize,
    /// Stop at this instant whatever the counts: a safety cap, the counts are the limits.
    pub deadline: Instant,
    /// Stop once the objective reaches this (e.g. the bound minus the gap asked for).
    pub target: f64,
}

/// Improves a feasible plan by local search over priority orders and selections.
///
/// Iterated first-improvement search: a sweep tries, for every item, moving it 1, 2, 4, 8 …
/// places up or down the order and switching whether it gets work, keeping each change that
/// raises the objective; when a sweep finds nothing, a few random moves kick the best order and
/// the sweeps resume. Stops on the budget; the flag returned is true when the deadline, not a
/// count or the target, stopped it.
pub fn improve(
    data: &PlanData,
    replayer: &Replayer,
    start: HeuristicPlan,
    budget: SearchBudget,
    seed: u64,
) -> (HeuristicPlan, bool) {
    let n = data.n_items();
    let mut search = Search {
        replayer,
        budget,
        evals: 0,
        stall: 0,
        capped: false,
        best_objective: start.schedule.objective,
        forced: (0..n).map(|i| replayer.must_by(i).is_some()).collect(),
        pools: data
            .items
            .iter()
            .map(|item| {
                if data.n_pools() > 64 {
                    u64::MAX
                } else {
                    item.shares.iter().fold(0, |bits, &(j, _)| bits | 1 << j)
                }
            })
            .collect(),
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut best = start;
    let mut current = best.clone();
    if n >= 2 {
        while !search.exhausted(&best) {
            let improved = search.sweep(&mut current);
            if current.schedule.objective > best.schedule.objective {
                best = current.clone();
            }
            if !improved {
                // Kick: a few random moves from the best order, feasible or not repaired later.
                current = best.clone();
                for _ in 0..3 {
                    let from = rng.random_range(0..n);
                    let to = rng.random_range(0..n);
                    let item = current.priority.order.remove(from);
                    current.priority.order.insert(to, item);
                }
                current.priority.order = respect_requirements(data, &current.priority.order);
                current.schedule = replayer.evaluate(&mut current.priority);
                search.evals += 1;
                if current.schedule.n_missed > 0 {
                    current = best.clone();
                }
            }
        }
    }
    // Keep the work of the final schedule.
    let schedule = replayer.replay(&best.priority, true);
    let plan = HeuristicPlan {
        priority: best.priority,
        schedule,
    };
    (plan, search.capped)
}

struct Search<'r, 'a> {
    replayer: &'r Replayer<'a>,
    budget: SearchBudget,
    evals: usize,
    /// Evaluations since the last strict improvement of the best plan.
    stall: usize,
    /// The best objective seen.
    best_objective: f64,
    /// Set when the deadline stopped the search.
    capped: bool,
    forced: Vec<bool>,
    /// The pools (teams) of each item as a bit set; every bit when there are more than 64.
    pools: Vec<u64>,
}

impl Search<'_, '_> {
    fn exhausted(&mut self, best: &HeuristicPlan) -> bool {
        if self.evals >= self.budget.max_evals
            || self.stall >= self.budget.max_stall
            || best.schedule.objective >= self.budget.target
        {
            return true;
        }
        if self.capped || (self.evals % 32 == 0 && Instant::now() >= self.budget.deadline) {
            self.capped = true;
        }
        self.capped
    }

    /// Tries a candidate; keeps it when strictly better. Returns true when kept.
    fn try_candidate(&mut self, current: &mut HeuristicPlan, mut candidate: Priority) -> bool {
        self.evals += 1;
        let schedule = self.replayer.evaluate(&mut candidate);
        let better = schedule.n_missed == 0
            && schedule.objective
                > current.schedule.objective + 1e-9 * (1.0 + current.schedule.objective.abs());
        self.stall += 1;
        if better {
            if schedule.objective > self.best_objective + 1e-9 * (1.0 + self.best_objective.abs()) {
                self.best_objective = schedule.objective;
                self.stall = 0;
            }
            *current = HeuristicPlan {
                priority: candidate,
                schedule,
            };
        }
        better
    }

    /// One first-improvement pass over every item. Returns true when anything improved.
    fn sweep(&mut self, current: &mut HeuristicPlan) -> bool {
        let n = current.priority.order.len();
        let items: Vec<usize> = current.priority.order.clone();
        let mut improved = false;
        for item in items {
            if self.exhausted(current) {
                break;
            }
            // Switch whether it gets work.
            if !self.forced[item] {
                let mut candidate = current.priority.clone();
                candidate.selected[item] = !candidate.selected[item];
                if self.try_candidate(current, candidate) {
                    improved = true;
                    continue;
                }
            }
            if !current.priority.selected[item] {
                continue;
            }
            // Pace it for an earlier or later delivery.
            let t_end = self.replayer.n_periods();
            let options: Vec<Option<usize>> = match current.priority.target[item] {
                Some(k) => vec![
                    k.checked_sub(1).filter(|&k| k >= 1),
                    (k < t_end).then_some(k + 1),
                ],
                None => vec![current.schedule.deliveries[item]
                    .and_then(|d| d.checked_sub(1))
                    .filter(|&k| k >= 1)],
            };
            let mut paced = false;
            for target in options.into_iter().flatten() {
                let mut candidate = current.priority.clone();
                candidate.target[item] = Some(target);
                if self.try_candidate(current, candidate) {
                    paced = true;
                    break;
                }
            }
            if paced {
                improved = true;
                continue;
            }
            let Some(from) = current.priority.order.iter().position(|&x| x == item) else {
                continue;
            };
            // Moving past an item of other teams changes little: steps count the items that
            // share a team with this one (every item, with one pool), above and below it.
            let related = |&x: &usize| self.pools[x] & self.pools[item] != 0;
            let above: Vec<usize> = (0..from)
                .rev()
                .filter(|&p| related(&current.priority.order[p]))
                .collect();
            let below: Vec<usize> = (from + 1..n)
                .filter(|&p| related(&current.priority.order[p]))
                .collect();
            let mut step = 1usize;
            'moves: while step < n {
                for to in [above.get(step - 1).copied(), below.get(step - 1).copied()]
                    .into_iter()
                    .flatten()
                {
                    let mut candidate = current.priority.clone();
                    let moved = candidate.order.remove(from);
                    candidate.order.insert(to, moved);
                    if self.try_candidate(current, candidate) {
                        improved = true;
                        break 'moves;
                    }
                    if self.exhausted(current) {
                        break 'moves;
                    }
                }
                step *= 2;
            }
        }
        improved
    }
}
