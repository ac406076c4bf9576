//! Capacity by team: the replay for scenarios with `[[team]]` (SPEC "Simulator", "With teams").
//!
//! A scenario without teams never comes here: the one-pool replay in `replay` is the fast path,
//! and this module is its plain sibling, used only when the scenario has teams (dispatched from
//! [`super::replay::replay`]). Keeping the two apart leaves every one-pool result byte-identical
//! to what it was before teams existed.
//!
//! Rules. Team j has its own effective capacity K_jt = A_jt × noise_jt × (1 − drag_t), with
//! A_jt = C_jt (1 − buffer), its own noise draw per period (`Future::team_capacity_factor`) and
//! one drag law for the whole scenario; its reserve is s × K_jt and its shared part
//! (1 − s) × K_jt. An item with shares σ_ij advances in lockstep: it takes
//! w = min(team limit left, remaining effort, min over its teams j of what j can still give it
//! ÷ σ_ij) engineer-weeks, σ_ij × w from each of its teams, so the scarcest team sets its pace.
//!
//! Priority orders fill in two passes, as the one-pool rule does: first the reserves, to the
//! stability items in priority order (what j can give is its reserve left); then everybody in
//! priority order, where what j can give is its shared part left, plus, for a stability item,
//! its reserve left, which that item takes first. (With one pool the second pass never finds
//! reserve a stability item could use; with teams it can: an item held back by one team's
//! reserve leaves reserve in its other teams.)
//!
//! The `plan` strategy: the planned amounts e_i × x[i,t] of the eligible items are summed per
//! team (Σ σ_ij × amount); a team whose planned total exceeds K_jt scales by K_jt / total, then
//! its product total is scaled to (1 − s) K_jt, and an item is scaled by the smallest factor
//! over its teams (its factor as a product or stability item), so lockstep holds and no team
//! gets more than its capacity. The same 1e-5 relative slack as the one-pool replay applies per
//! team. Leftover capacity goes to overruns in plan order under the same lockstep rule: what
//! team j can give is its leftover (for a product item also its product room), counted only
//! when the leftover exceeds 1e-5 of K_jt. Deliveries, holds and settlement are the one-pool
//! replay's.
//!
//! No allocation per replay: the workspace holds every buffer, sized once per worker.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::replay::{clear_alive, set_alive, Workspace, DONE_TOLERANCE, PLAN_DONE, PLAN_SLACK};
use super::sampling::{Future, Model};
use super::strategy::{Order, PlanReplay, Rule, Strategy};
use crate::scenario::Scenario;

/// The teams of a scenario as flat arrays.
#[derive(Debug, Clone)]
pub struct TeamModel {
    pub n_teams: usize,
    /// A_jt = C_jt (1 − buffer): `allocatable_weeks[team_idx * n_periods + period_idx]`.
    pub allocatable_weeks: Vec<f64>,
    /// Relative sd of each team's capacity per period.
    pub noise: Vec<f64>,
    /// Each item's (team index, σ) as CSR: `shares[share_start[i]..share_start[i + 1]]`.
    share_start: Vec<usize>,
    shares: Vec<(u32, f64)>,
}

impl TeamModel {
    /// The teams of `scenario`, or `None` without `[[team]]` (one pool: the fast path).
    pub fn new(scenario: &Scenario) -> Option<TeamModel> {
        if scenario.teams.is_empty() {
            return None;
        }
        let n_periods = scenario.periods;
        let buffer = scenario.capacity.buffer;
        let allocatable_weeks = scenario
            .teams
            .iter()
            .flat_map(|team| {
                team.per_period[..n_periods]
                    .iter()
                    .map(|c| c * (1.0 - buffer))
            })
            .collect();
        let mut share_start = vec![0];
        let mut shares = Vec::new();
        for item in &scenario.initiatives {
            shares.extend(
                scenario
                    .shares(item)
                    .iter()
                    .map(|&(team_idx, sigma)| (team_idx as u32, sigma)),
            );
            share_start.push(shares.len());
        }
        Some(TeamModel {
            n_teams: scenario.teams.len(),
            allocatable_weeks,
            noise: scenario.teams.iter().map(|team| team.noise).collect(),
            share_start,
            shares,
        })
    }

    /// Item `i`'s teams and shares σ_ij.
    #[inline]
    pub fn shares_of(&self, i: usize) -> &[(u32, f64)] {
        &self.shares[self.share_start[i]..self.share_start[i + 1]]
    }

    /// Draws the capacity noise of every team with noise > 0, team by team and period by
    /// period, into `factors[team_idx * n_periods + period_idx]` (N(1, noise) floored at 0).
    pub fn sample_noise<R: Rng>(&self, rng: &mut R, n_periods: usize, factors: &mut [f64]) {
        for (team_idx, &noise) in self.noise.iter().enumerate() {
            if noise > 0.0 {
                let row = &mut factors[team_idx * n_periods..(team_idx + 1) * n_periods];
                for factor in row {
                    let z: f64 = StandardNormal.sample(rng);
                    *factor = (1.0 + noise * z).max(0.0);
                }
            }
        }
    }
}

/// The team replay's scratch and what it reports per team and period.
#[derive(Debug, Clone, Default)]
pub struct TeamWorkspace {
    /// K_jt: `capacity_weeks[team_idx * n_periods + period_idx]`.
    pub capacity_weeks: Vec<f64>,
    /// Engineer-weeks each team gave, laid out like `capacity_weeks`.
    pub work_weeks: Vec<f64>,
    /// Of which to product-class items.
    pub product_weeks: Vec<f64>,
    remaining: Vec<f64>,
    given: Vec<f64>,
    tolerance: Vec<f64>,
    /// Prerequisites not yet delivered; the plan replay also sets [`PLAN_DONE`] here.
    unmet: Vec<u32>,
    done: Vec<bool>,
    touched: Vec<u32>,
    waiting: Vec<u32>,
    alive: Vec<u64>,
    /// Per team: K_jt, then what is left of the reserve and of the shared part (priority), or
    /// of the capacity and the product room (plan); the plan's totals and scale factors.
    k: Vec<f64>,
    left_a: Vec<f64>,
    left_b: Vec<f64>,
    total: Vec<f64>,
    product: Vec<f64>,
    scale: Vec<f64>,
    product_scale: Vec<f64>,
}

impl TeamWorkspace {
    /// Buffers for `model` (empty without teams).
    pub fn new(model: &Model) -> TeamWorkspace {
        let Some(teams) = &model.teams else {
            return TeamWorkspace::default();
        };
        let (n, n_teams) = (model.n_items, teams.n_teams);
        let per_team = vec![0.0; n_teams];
        TeamWorkspace {
            capacity_weeks: vec![0.0; n_teams * model.n_periods],
            work_weeks: vec![0.0; n_teams * model.n_periods],
            product_weeks: vec![0.0; n_teams * model.n_periods],
            remaining: vec![0.0; n],
            given: vec![0.0; n],
            tolerance: vec![0.0; n],
            unmet: vec![0; n],
            done: vec![false; n],
            touched: vec![0; 2 * n],
            waiting: Vec::with_capacity(n),
            alive: Vec::with_capacity(2 * n.div_ceil(64)),
            k: per_team.clone(),
            left_a: per_team.clone(),
            left_b: per_team.clone(),
            total: per_team.clone(),
            product: per_team.clone(),
            scale: per_team.clone(),
            product_scale: per_team,
        }
    }
}

/// Replays `strategy` on `future` with capacity by team; deliveries end up in `ws.delivered`.
pub fn replay(
    model: &Model,
    teams: &TeamModel,
    future: &Future,
    strategy: &Strategy,
    ws: &mut Workspace,
) {
    reset(model, future, ws);
    match &strategy.rule {
        Rule::Priority {
            orders,
            order_of_period,
        } => replay_priority(
            model,
            teams,
            future,
            strategy.stability_share,
            orders,
            order_of_period,
            ws,
        ),
        Rule::Plan(plan) => replay_plan(model, teams, future, strategy.stability_share, plan, ws),
    }
}

fn reset(model: &Model, future: &Future, ws: &mut Workspace) {
    ws.delivered.fill(0);
    ws.delivered_items.clear();
    ws.started.fill(0);
    ws.started_items.clear();
    let tw = &mut ws.teams;
    tw.remaining.copy_from_slice(&future.effort_weeks);
    for (tolerance, e) in tw.tolerance.iter_mut().zip(&future.effort_weeks) {
        *tolerance = DONE_TOLERANCE * e.abs();
    }
    tw.given.fill(0.0);
    tw.unmet.copy_from_slice(&model.n_requires);
    tw.done.fill(false);
    tw.waiting.clear();
    tw.work_weeks.fill(0.0);
    tw.product_weeks.fill(0.0);
}

/// Every team's K_jt for period t (1-based) into `ws.teams.k` and the reports; returns the drag.
fn team_capacity(
    model: &Model,
    teams: &TeamModel,
    future: &Future,
    period: usize,
    relief: f64,
    ws: &mut Workspace,
) -> f64 {
    let period_idx = period - 1;
    let n_periods = model.n_periods;
    let drag = model.drag_in(period, future.growth, relief);
    let tw = &mut ws.teams;
    let mut total = 0.0;
    for (team_idx, k) in tw.k.iter_mut().enumerate() {
        let slot = team_idx * n_periods + period_idx;
        *k = (teams.allocatable_weeks[slot] * future.team_capacity_factor[slot] * (1.0 - drag))
            .max(0.0);
        tw.capacity_weeks[slot] = *k;
        total += *k;
    }
    ws.capacity_weeks[period_idx] = total;
    ws.drag[period_idx] = drag;
    drag
}

fn replay_priority(
    model: &Model,
    teams: &TeamModel,
    future: &Future,
    share: f64,
    orders: &[Order],
    order_of_period: &[u8],
    ws: &mut Workspace,
) {
    let words = model.n_items.div_ceil(64);
    ws.teams.alive.clear();
    for order in orders {
        ws.teams.alive.extend_from_slice(&order.initial_alive);
    }
    let n_periods = model.n_periods;
    let mut relief = 0.0;
    for period in 1..=n_periods {
        team_capacity(model, teams, future, period, relief, ws);
        let tw = &mut ws.teams;
        let mut any_reserve = false;
        for ((k, reserve), shared) in tw.k.iter().zip(&mut tw.left_a).zip(&mut tw.left_b) {
            *reserve = share * k;
            *shared = k - *reserve;
            any_reserve |= *reserve > 0.0;
        }
        let order_idx = order_of_period[period - 1] as usize;
        let order = &orders[order_idx];
        let mut n_touched = 0;
        let passes: &[bool] = if any_reserve {
            &[true, false]
        } else {
            &[false]
        };
        for &reserve_pass in passes {
            n_touched = fill(
                model,
                teams,
                order,
                order_idx * words..(order_idx + 1) * words,
                reserve_pass,
                period - 1,
                tw,
                n_touched,
            );
        }
        // Deliveries at the end of the period; dependents may become eligible.
        let period = period as u32;
        let mut n_finished = 0;
        for idx in 0..n_touched {
            let i = tw.touched[idx] as usize;
            tw.given[i] = 0.0;
            if ws.started[i] == 0 {
                ws.started[i] = period;
                ws.started_items.push(i as u32);
            }
            if tw.remaining[i] <= tw.tolerance[i] {
                tw.touched[n_finished] = i as u32;
                n_finished += 1;
            }
        }
        for idx in 0..n_finished {
            let i = tw.touched[idx] as usize;
            tw.done[i] = true;
            clear_alive(&mut tw.alive, words, orders, i);
            ws.delivered[i] = period;
            ws.delivered_items.push(i as u32);
            relief += model.debt_relief[i];
            for &d in model.dependents_of(i) {
                let d = d as usize;
                tw.unmet[d] -= 1;
                if tw.unmet[d] == 0 && !tw.done[d] {
                    set_alive(&mut tw.alive, words, orders, d);
                }
            }
        }
    }
}

/// One pass over the eligible items of `order` (bitset `alive[words]`): the reserve pass gives
/// the teams' reserves (`left_a`) to stability items; the shared pass gives the shared parts
/// (`left_b`) to every item, and a stability item its teams' reserves first. Items given work
/// for the first time this period are appended to `touched[..n_touched]`; returns the new count.
#[allow(clippy::too_many_arguments)]
fn fill(
    model: &Model,
    teams: &TeamModel,
    order: &Order,
    words: std::ops::Range<usize>,
    reserve_pass: bool,
    period_idx: usize,
    tw: &mut TeamWorkspace,
    mut n_touched: usize,
) -> usize {
    let n_periods = model.n_periods;
    // Teams with something left to give in this pass; the pass ends when none has.
    let has_left =
        |tw: &TeamWorkspace, j: usize| tw.left_a[j] > 0.0 || (!reserve_pass && tw.left_b[j] > 0.0);
    let mut open = (0..tw.k.len()).filter(|&j| has_left(tw, j)).count();
    for (w, word_idx) in words.enumerate() {
        let mut bits = tw.alive[word_idx];
        if reserve_pass {
            bits &= order.stability_mask[w];
        }
        while bits != 0 {
            if open == 0 {
                return n_touched;
            }
            let rank = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let i = order.all[rank] as usize;
            let room = model.team_limit_weeks[i] - tw.given[i];
            if room <= 0.0 {
                continue;
            }
            let stability = model.is_stability[i];
            let shares = teams.shares_of(i);
            let mut take = tw.remaining[i].min(room);
            for &(j, sigma) in shares {
                let j = j as usize;
                let can_give = if reserve_pass {
                    tw.left_a[j]
                } else if stability {
                    tw.left_a[j] + tw.left_b[j]
                } else {
                    tw.left_b[j]
                };
                take = take.min(can_give / sigma);
            }
            if take <= 0.0 {
                continue;
            }
            for &(j, sigma) in shares {
                let j = j as usize;
                let part = sigma * take;
                let was_open = has_left(tw, j);
                if reserve_pass {
                    tw.left_a[j] = (tw.left_a[j] - part).max(0.0);
                } else if stability {
                    let from_reserve = part.min(tw.left_a[j]);
                    tw.left_a[j] -= from_reserve;
                    tw.left_b[j] = (tw.left_b[j] - (part - from_reserve)).max(0.0);
                } else {
                    tw.left_b[j] = (tw.left_b[j] - part).max(0.0);
                }
                open -= usize::from(was_open && !has_left(tw, j));
                let slot = j * n_periods + period_idx;
                tw.work_weeks[slot] += part;
                if !stability {
                    tw.product_weeks[slot] += part;
                }
            }
            if tw.given[i] == 0.0 {
                tw.touched[n_touched] = i as u32;
                n_touched += 1;
            }
            tw.given[i] += take;
            tw.remaining[i] -= take;
        }
    }
    n_touched
}

fn replay_plan(
    model: &Model,
    teams: &TeamModel,
    future: &Future,
    share: f64,
    plan: &PlanReplay,
    ws: &mut Workspace,
) {
    ws.teams.alive.clear();
    ws.teams.alive.resize(plan.order.len().div_ceil(64), 0);
    let n_periods = model.n_periods;
    let mut relief = 0.0;
    for period_idx in 0..n_periods {
        let period = period_idx + 1;
        team_capacity(model, teams, future, period, relief, ws);
        let tw = &mut ws.teams;
        // Planned amounts for eligible items, never more than they still need, summed by team.
        tw.total.fill(0.0);
        tw.product.fill(0.0);
        let mut n_touched = 0;
        for work in plan.work_in(period_idx) {
            let i = work.item as usize;
            if tw.unmet[i] != 0 {
                continue;
            }
            let amount = work.weeks.min(tw.remaining[i]);
            if amount <= 0.0 {
                continue;
            }
            tw.given[i] = amount;
            tw.touched[n_touched] = i as u32;
            n_touched += 1;
            for &(j, sigma) in teams.shares_of(i) {
                let j = j as usize;
                tw.total[j] += sigma * amount;
                if work.is_product {
                    tw.product[j] += sigma * amount;
                }
            }
        }
        // Per team: scale to K_jt when short, then product work to (1 − s) K_jt.
        for j in 0..teams.n_teams {
            let k = tw.k[j];
            let scale = if tw.total[j] > k * (1.0 + PLAN_SLACK) {
                k / tw.total[j]
            } else {
                1.0
            };
            let product_cap = (1.0 - share) * k;
            let product = tw.product[j] * scale;
            tw.scale[j] = scale;
            tw.product_scale[j] = if product > product_cap * (1.0 + PLAN_SLACK) {
                product_cap / product
            } else {
                1.0
            };
            // What is left: of the capacity, and of the product room.
            tw.left_a[j] = k;
            tw.left_b[j] = product_cap;
        }
        // Each item by the smallest factor over its teams (lockstep).
        for idx in 0..n_touched {
            let i = tw.touched[idx] as usize;
            let product = !model.is_stability[i];
            let shares = teams.shares_of(i);
            let mut factor = f64::INFINITY;
            for &(j, _) in shares {
                let j = j as usize;
                let f = if product {
                    tw.scale[j] * tw.product_scale[j]
                } else {
                    tw.scale[j]
                };
                factor = factor.min(f);
            }
            let g = tw.given[i] * factor;
            tw.given[i] = g;
            tw.remaining[i] -= g;
            give(tw, shares, g, product, period_idx, n_periods);
            if tw.remaining[i] <= tw.tolerance[i] {
                tw.unmet[i] |= PLAN_DONE;
            }
        }
        // Leftover capacity to overruns, in plan order.
        for &rank in plan.joins_in(period_idx) {
            let rank = rank as usize;
            tw.alive[rank / 64] |= 1u64 << (rank % 64);
        }
        // A team's leftover counts only above the slack (the plan's own rounding).
        let mut open = 0;
        for j in 0..teams.n_teams {
            if tw.left_a[j] > tw.k[j] * PLAN_SLACK {
                open += 1;
            } else {
                tw.left_a[j] = 0.0;
            }
        }
        if open > 0 {
            'pool: for w in 0..tw.alive.len() {
                let mut bits = tw.alive[w];
                while bits != 0 {
                    if tw.left_a.iter().all(|&left| left <= 0.0) {
                        break 'pool;
                    }
                    let bit = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let i = plan.order[w * 64 + bit] as usize;
                    let blocked = tw.unmet[i];
                    if blocked != 0 {
                        if blocked & PLAN_DONE != 0 {
                            tw.alive[w] &= !(1u64 << bit);
                        }
                        continue;
                    }
                    let product = !model.is_stability[i];
                    let shares = teams.shares_of(i);
                    let mut take = tw.remaining[i].min(model.team_limit_weeks[i] - tw.given[i]);
                    for &(j, sigma) in shares {
                        let j = j as usize;
                        let can_give = if product {
                            tw.left_a[j].min(tw.left_b[j])
                        } else {
                            tw.left_a[j]
                        };
                        take = take.min(can_give / sigma);
                    }
                    if take <= 0.0 {
                        continue;
                    }
                    if tw.given[i] == 0.0 {
                        tw.touched[n_touched] = i as u32;
                        n_touched += 1;
                    }
                    tw.given[i] += take;
                    tw.remaining[i] -= take;
                    give(tw, shares, take, product, period_idx, n_periods);
                    if tw.remaining[i] <= tw.tolerance[i] {
                        tw.unmet[i] |= PLAN_DONE;
                    }
                }
            }
        }
        let period = period as u32;
        for idx in 0..n_touched {
            let i = tw.touched[idx] as usize;
            if ws.started[i] == 0 && tw.given[i] > 0.0 {
                ws.started[i] = period;
                ws.started_items.push(i as u32);
            }
            tw.given[i] = 0.0;
            if tw.unmet[i] & PLAN_DONE != 0
                && ws.delivered[i] == 0
                && !tw.waiting.contains(&(i as u32))
            {
                tw.waiting.push(i as u32);
            }
        }
        // Done items are delivered once the plan delivers them (`hold_until`), not before.
        let mut w = 0;
        while w < tw.waiting.len() {
            let i = tw.waiting[w] as usize;
            if plan.hold_until[i] <= period {
                ws.delivered[i] = period;
                ws.delivered_items.push(i as u32);
                relief += model.debt_relief[i];
                for &d in model.dependents_of(i) {
                    tw.unmet[d as usize] -= 1;
                }
                tw.waiting.swap_remove(w);
            } else {
                w += 1;
            }
        }
    }
}

/// Takes σ_ij × `weeks` from each of the item's teams in the plan replay: from what is left of
/// the capacity (`left_a`) and, for a product item, of the product room (`left_b`).
#[inline]
fn give(
    tw: &mut TeamWorkspace,
    shares: &[(u32, f64)],
    weeks: f64,
    product: bool,
    period_idx: usize,
    n_periods: usize,
) {
    for &(j, sigma) in shares {
        let j = j as usize;
        let part = sigma * weeks;
        tw.left_a[j] = (tw.left_a[j] - part).max(0.0);
        let slot = j * n_periods + period_idx;
        tw.work_weeks[slot] += part;
        if product {
            tw.left_b[j] -= part;
            tw.product_weeks[slot] += part;
        }
    }
}
