//! Replays one strategy on one sampled future, period by period, and settles its accounts.
//!
//! Rules (SPEC "Simulator"): effective capacity K_t = A_t × noise_t × (1 − drag_t), the drag law
//! with the trial's growth and the relief of items delivered by the end of t − 1; the reserved
//! share s × K_t goes to stability items first, then everybody shares (1 − s) × K_t, both in the
//! strategy's priority order; an item is eligible when it is not delivered and every prerequisite
//! was delivered by the end of t − 1; it takes at most its team limit per period; it is delivered
//! at the end of the period in which its sampled remaining effort is done (1e-9 relative).
//!
//! The `plan` strategy replays the plan's engineer-weeks, not its shares of the sampled effort:
//! in period t an eligible item gets e_i × x[i,t] with e_i the plan's mean remaining effort (never
//! more than it still needs). A plan is a budget of engineer-weeks per item and period; an item
//! whose sampled effort is smaller finishes early, one whose effort is larger overruns and then
//! competes for leftover capacity. When the planned amounts exceed K_t they are scaled by
//! K_t / Σ planned, then product amounts are scaled down to (1 − s) K_t; both comparisons allow
//! 1e-5 relative slack so the plan's own rounding (normalised shares) does not delay a delivery.
//! Leftover capacity goes only to overruns — eligible, undelivered items whose planned work has
//! all been scheduled by period t (received, or lost to scaling or a late prerequisite) — in plan
//! order, within team limits, product overruns within (1 − s) K_t. Items the plan leaves out get
//! no work; an item the plan holds back is delivered at its planned period (or never), others as
//! soon as their work is done.
//!
//! Everything above is the one-pool fast path. A scenario with `[[team]]` is replayed by
//! `teams` instead (per-team capacity, reserve and shared part, lockstep progress of split
//! items); [`replay`] picks the path, so one-pool results are exactly what they were before
//! teams existed.

use super::sampling::{Future, Model};
use super::strategy::{Order, PlanReplay, Rule, Strategy};
use super::teams::TeamWorkspace;

/// Relative slack when comparing planned amounts with capacity.
pub(super) const PLAN_SLACK: f64 = 1e-5;
/// Relative tolerance on "the remaining effort is done".
pub(super) const DONE_TOLERANCE: f64 = 1e-9;

/// Scratch state for replays, reused across trials.
#[derive(Debug, Clone)]
pub struct Workspace {
    items: ItemState,
    /// For each of the strategy's orders, a bitset by rank of the items that may take work:
    /// not done and every prerequisite delivered (`alive[order × words + rank / 64]`). For the
    /// plan, the overrun pool by plan rank.
    alive: Vec<u64>,
    words: usize,
    /// Delivery period (1-based) of each item, 0 when not delivered in the horizon.
    pub delivered: Vec<u32>,
    /// The items delivered in the horizon, in the order they were delivered.
    pub delivered_items: Vec<u32>,
    /// First period (1-based) in which each item was given work, 0 when never.
    pub started: Vec<u32>,
    /// The items given work in the horizon, in the order they started.
    pub started_items: Vec<u32>,
    /// Engineer-weeks of effective capacity by `period_idx` (for tests and reports).
    pub capacity_weeks: Vec<f64>,
    /// Drag share by `period_idx`.
    pub drag: Vec<f64>,
    /// With teams: the team replay's scratch and its capacity and work by team and period
    /// (empty without teams).
    pub teams: TeamWorkspace,
}

/// One item's progress in engineer-weeks.
#[derive(Debug, Clone, Copy, Default)]
struct Hot {
    /// Sampled remaining effort not yet done.
    remaining: f64,
    /// Given in the current period.
    given: f64,
    /// team × weeks_per_period (infinite without a limit).
    team_limit: f64,
    /// Done when `remaining` ≤ this (1e-9 of the sampled effort).
    tolerance: f64,
}

/// Per-item progress within one replay.
#[derive(Debug, Clone)]
struct ItemState {
    /// What the inner loops read and write, together in one cache line per item.
    hot: Vec<Hot>,
    /// The sampled remaining effort is done (priority replays; the plan replay marks it in
    /// `unmet` with [`PLAN_DONE`]).
    done: Vec<bool>,
    /// Prerequisites not yet delivered by the end of the previous period.
    unmet: Vec<u32>,
    /// The plan replay's items given work in the current period (room for each item twice).
    touched: Vec<u32>,
    /// Items done but held back by the plan.
    waiting: Vec<u32>,
    /// Scratch, one slot per item: the priority replay's items given work in a period, then
    /// those finishing in it.
    finished: Vec<u32>,
    /// Σ relief of the items delivered so far.
    relief: f64,
}

impl Workspace {
    pub fn new(model: &Model) -> Workspace {
        let n = model.n_items;
        Workspace {
            items: ItemState {
                hot: vec![Hot::default(); n],
                done: vec![false; n],
                unmet: vec![0; n],
                touched: vec![0; 2 * n],
                waiting: Vec::new(),
                finished: vec![0; n],
                relief: 0.0,
            },
            alive: Vec::new(),
            words: n.div_ceil(64),
            delivered: vec![0; n],
            delivered_items: Vec::with_capacity(n),
            started: vec![0; n],
            started_items: Vec::with_capacity(n),
            capacity_weeks: vec![0.0; model.n_periods],
            drag: vec![0.0; model.n_periods],
            teams: TeamWorkspace::new(model),
        }
    }

    fn reset(&mut self, model: &Model, future: &Future) {
        let st = &mut self.items;
        for ((hot, &e), &team_limit) in st
            .hot
            .iter_mut()
            .zip(&future.effort_weeks)
            .zip(&model.team_limit_weeks)
        {
            *hot = Hot {
                remaining: e,
                given: 0.0,
                team_limit,
                tolerance: DONE_TOLERANCE * e.abs(),
            };
        }
        self.delivered.fill(0);
        self.delivered_items.clear();
        self.started.fill(0);
        self.started_items.clear();
        st.done.fill(false);
        st.unmet.copy_from_slice(&model.n_requires);
        st.waiting.clear();
        st.relief = 0.0;
    }
}

/// The effective capacity of period t (1-based) and its drag.
#[inline]
fn capacity_of(model: &Model, future: &Future, period: usize, relief: f64) -> (f64, f64) {
    let period_idx = period - 1;
    let drag = model.drag_in(period, future.growth, relief);
    let k = model.allocatable_weeks[period_idx] * future.capacity_factor[period_idx] * (1.0 - drag);
    (k.max(0.0), drag)
}

/// Replays `strategy` on `future`; deliveries end up in `ws.delivered`. A scenario with teams
/// takes the team replay (`teams`); one pool takes the fast path below.
pub fn replay(model: &Model, future: &Future, strategy: &Strategy, ws: &mut Workspace) {
    if let Some(teams) = &model.teams {
        super::teams::replay(model, teams, future, strategy, ws);
        return;
    }
    match &strategy.rule {
        Rule::Priority {
            orders,
            order_of_period,
        } => replay_priority(
            model,
            future,
            strategy.stability_share,
            orders,
            order_of_period,
            ws,
        ),
        Rule::Plan(plan) => replay_plan(model, future, strategy.stability_share, plan, ws),
    }
}

fn replay_priority(
    model: &Model,
    future: &Future,
    share: f64,
    orders: &[Order],
    order_of_period: &[u8],
    ws: &mut Workspace,
) {
    ws.reset(model, future);
    ws.alive.clear();
    for order in orders {
        ws.alive.extend_from_slice(&order.initial_alive);
    }
    // Plain slices held in registers: stores into one buffer never force the others' addresses
    // to be reloaded from the workspace.
    let words = ws.words;
    let alive: &mut [u64] = &mut ws.alive;
    let delivered: &mut [u32] = &mut ws.delivered;
    let delivered_items = &mut ws.delivered_items;
    let started: &mut [u32] = &mut ws.started;
    let started_items = &mut ws.started_items;
    let (capacity_weeks, drag_out) = (&mut ws.capacity_weeks[..], &mut ws.drag[..]);
    let st = &mut ws.items;
    let (hot, done, unmet) = (&mut st.hot[..], &mut st.done[..], &mut st.unmet[..]);
    // The items given work in a period, then (compacted in place) those that finish in it.
    let touched: &mut [u32] = &mut st.finished;
    let mut relief = 0.0;
    for period in 1..=model.n_periods {
        let (k, drag) = capacity_of(model, future, period, relief);
        capacity_weeks[period - 1] = k;
        drag_out[period - 1] = drag;
        let order_idx = order_of_period[period - 1] as usize;
        let order = &orders[order_idx];
        let alive_now = &alive[order_idx * words..(order_idx + 1) * words];
        let reserve = share * k;
        let shared = k - reserve;
        let mut n_touched = 0;
        if reserve > 0.0 {
            n_touched = fill(alive_now, order, true, hot, touched, n_touched, reserve);
        }
        if shared > 0.0 {
            n_touched = fill(alive_now, order, false, hot, touched, n_touched, shared);
        }
        // Deliveries at the end of the period; dependents may become eligible.
        // (Finished items are collected without a branch: whether an item finishes in a given
        // period is a coin flip the branch predictor cannot learn.)
        let period = period as u32;
        let mut n_finished = 0;
        for idx in 0..n_touched {
            let i = touched[idx] as usize;
            let h = &mut hot[i];
            h.given = 0.0;
            if started[i] == 0 {
                started[i] = period;
                started_items.push(i as u32);
            }
            touched[n_finished] = i as u32;
            n_finished += usize::from(h.remaining <= h.tolerance);
        }
        for &i in &touched[..n_finished] {
            let i = i as usize;
            done[i] = true;
            clear_alive(alive, words, orders, i);
            delivered[i] = period;
            delivered_items.push(i as u32);
            relief += model.debt_relief[i];
            for &d in model.dependents_of(i) {
                let d = d as usize;
                unmet[d] -= 1;
                if unmet[d] == 0 && !done[d] {
                    set_alive(alive, words, orders, d);
                }
            }
        }
    }
    st.relief = relief;
}

#[inline]
pub(super) fn set_alive(alive: &mut [u64], words: usize, orders: &[Order], i: usize) {
    for (k, order) in orders.iter().enumerate() {
        let rank = order.rank_of[i] as usize;
        alive[k * words + rank / 64] |= 1u64 << (rank % 64);
    }
}

#[inline]
pub(super) fn clear_alive(alive: &mut [u64], words: usize, orders: &[Order], i: usize) {
    for (k, order) in orders.iter().enumerate() {
        let rank = order.rank_of[i] as usize;
        alive[k * words + rank / 64] &= !(1u64 << (rank % 64));
    }
}

/// Gives up to `budget` to the items set in `alive` (one order's bitset by rank) in rank order
/// (stability items only when `stability_only`), each within its team limit. Items given work
/// for the first time this period are appended to `touched[..n_touched]`; returns the new count.
#[inline]
fn fill(
    alive: &[u64],
    order: &Order,
    stability_only: bool,
    hot: &mut [Hot],
    touched: &mut [u32],
    mut n_touched: usize,
    mut budget: f64,
) -> usize {
    for (w, &word) in alive.iter().enumerate() {
        let mut bits = word;
        if stability_only {
            bits &= order.stability_mask[w];
        }
        while bits != 0 {
            if budget <= 0.0 {
                return n_touched;
            }
            let rank = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let i = order.all[rank] as usize;
            let h = &mut hot[i];
            let room = h.team_limit - h.given;
            if room <= 0.0 {
                continue;
            }
            // min(remaining, room, budget) with plain comparisons (no NaN can occur here).
            let mut g = if h.remaining < room {
                h.remaining
            } else {
                room
            };
            if budget < g {
                g = budget;
            }
            if h.given == 0.0 {
                touched[n_touched] = i as u32;
                n_touched += 1;
                // Marks the item touched even when it takes nothing (no remaining effort), so
                // the second pass does not list it again (g + this = g for any g above 1e-290).
                h.given = f64::MIN_POSITIVE;
            }
            h.given += g;
            h.remaining -= g;
            budget -= g;
            // Whether it is done is settled at the end of the period (an item done in the
            // reserve pass takes at most its 1e-9 remainder in the shared pass).
        }
    }
    n_touched
}

/// Set in an item's `unmet` count during a plan replay once its sampled effort is done: one
/// test then tells whether the item may take work (not done, every prerequisite delivered).
/// Prerequisites are delivered before their dependents can finish, so the count below it is
/// never decremented past zero.
pub(super) const PLAN_DONE: u32 = 1 << 31;

fn replay_plan(model: &Model, future: &Future, share: f64, plan: &PlanReplay, ws: &mut Workspace) {
    ws.reset(model, future);
    ws.alive.clear();
    ws.alive.resize(plan.order.len().div_ceil(64), 0);
    // Plain slices held in registers (see `replay_priority`).
    let pool: &mut [u64] = &mut ws.alive;
    let delivered: &mut [u32] = &mut ws.delivered;
    let delivered_items = &mut ws.delivered_items;
    let started: &mut [u32] = &mut ws.started;
    let started_items = &mut ws.started_items;
    let (capacity_weeks, drag_out) = (&mut ws.capacity_weeks[..], &mut ws.drag[..]);
    let st = &mut ws.items;
    let (hot, blocked, waiting) = (&mut st.hot[..], &mut st.unmet[..], &mut st.waiting);
    // Items given work in the current period (at most twice each: planned, then overrun).
    let touched: &mut [u32] = &mut st.touched;
    let is_stability: &[bool] = &model.is_stability;
    let mut relief = 0.0;
    for period_idx in 0..model.n_periods {
        let period = period_idx + 1;
        let (k, drag) = capacity_of(model, future, period, relief);
        capacity_weeks[period_idx] = k;
        drag_out[period_idx] = drag;
        // Planned amounts for eligible items, never more than they still need.
        let mut n_touched = 0;
        let mut total = 0.0;
        let mut product = 0.0;
        for work in plan.work_in(period_idx) {
            let i = work.item as usize;
            if blocked[i] != 0 {
                continue;
            }
            let h = &mut hot[i];
            let amount = work.weeks.min(h.remaining);
            if amount <= 0.0 {
                continue;
            }
            h.given = amount;
            touched[n_touched] = i as u32;
            n_touched += 1;
            total += amount;
            if work.is_product {
                product += amount;
            }
        }
        let scale = if total > k * (1.0 + PLAN_SLACK) {
            k / total
        } else {
            1.0
        };
        let product_cap = (1.0 - share) * k;
        let product_scale = if product * scale > product_cap * (1.0 + PLAN_SLACK) {
            product_cap / (product * scale)
        } else {
            1.0
        };
        let mut used = 0.0;
        let mut product_used = 0.0;
        for &i in &touched[..n_touched] {
            let i = i as usize;
            let h = &mut hot[i];
            let mut g = h.given * scale;
            if !is_stability[i] {
                g *= product_scale;
                product_used += g;
            }
            h.given = g;
            h.remaining -= g;
            used += g;
            // Without a branch: whether an item finishes is a coin flip.
            blocked[i] |= PLAN_DONE * u32::from(h.remaining <= h.tolerance);
        }
        // Leftover capacity to overruns, in plan order. The pool holds, by plan rank, the items
        // whose planned work is all scheduled by now; done items leave it as they are met.
        for &rank in plan.joins_in(period_idx) {
            let rank = rank as usize;
            pool[rank / 64] |= 1u64 << (rank % 64);
        }
        let mut leftover = k - used;
        let mut product_room = product_cap - product_used;
        if leftover > k * PLAN_SLACK {
            'pool: for (w, word) in pool.iter_mut().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    if leftover <= 0.0 {
                        break 'pool;
                    }
                    let bit = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let i = plan.order[w * 64 + bit] as usize;
                    let b = blocked[i];
                    if b != 0 {
                        if b & PLAN_DONE != 0 {
                            *word &= !(1u64 << bit);
                        }
                        continue;
                    }
                    let stability = is_stability[i];
                    let h = &mut hot[i];
                    let mut room = h.team_limit - h.given;
                    if !stability {
                        room = room.min(product_room);
                    }
                    if room <= 0.0 {
                        continue;
                    }
                    let g = h.remaining.min(room).min(leftover);
                    if h.given == 0.0 {
                        touched[n_touched] = i as u32;
                        n_touched += 1;
                    }
                    h.given += g;
                    h.remaining -= g;
                    leftover -= g;
                    if !stability {
                        product_room -= g;
                    }
                    if h.remaining <= h.tolerance {
                        blocked[i] |= PLAN_DONE;
                    }
                }
            }
        }
        let period = period as u32;
        for &i in &touched[..n_touched] {
            let i = i as usize;
            if started[i] == 0 && hot[i].given > 0.0 {
                started[i] = period;
                started_items.push(i as u32);
            }
            hot[i].given = 0.0;
            if blocked[i] & PLAN_DONE != 0 && delivered[i] == 0 && !waiting.contains(&(i as u32)) {
                waiting.push(i as u32);
            }
        }
        // Done items are delivered once the plan delivers them (`hold_until`), not before.
        let mut w = 0;
        while w < waiting.len() {
            let i = waiting[w] as usize;
            if plan.hold_until[i] <= period {
                deliver(
                    model,
                    blocked,
                    delivered,
                    delivered_items,
                    &mut relief,
                    i,
                    period,
                );
                waiting.swap_remove(w);
            } else {
                w += 1;
            }
        }
    }
    st.relief = relief;
}

/// Marks item `i` delivered at the end of `period`: relief and dependents' eligibility count
/// from the next period on.
#[inline]
fn deliver(
    model: &Model,
    unmet: &mut [u32],
    delivered: &mut [u32],
    delivered_items: &mut Vec<u32>,
    relief: &mut f64,
    i: usize,
    period: u32,
) {
    delivered[i] = period;
    delivered_items.push(i as u32);
    *relief += model.debt_relief[i];
    for &d in model.dependents_of(i) {
        unmet[d as usize] -= 1;
    }
}

/// Net value and its parts for one strategy on one future.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Accounts {
    pub value_earned: f64,
    pub cost_of_delay: f64,
    pub incident_losses: f64,
    pub penalties: f64,
}

impl Accounts {
    /// value earned − cost of delay − incident losses − penalties.
    pub fn net_value(&self) -> f64 {
        self.value_earned - self.cost_of_delay - self.incident_losses - self.penalties
    }
}

/// Settles the accounts of deliveries `delivered` (period or 0) on `future`, discounted with d_t.
///
/// Delivered by the end of D ≤ T: value × (S_T − S_D) + one-time × d_D + terminal_periods ×
/// value × d_T; cost of delay risk × S_min(D, T) (paid in periods 1..=D, or all T when never
/// delivered); incidents in those same periods cost impact × d_t each; a soft deadline k missed
/// (D = 0 or D > k) pays its penalty once, undiscounted.
pub fn settle(model: &Model, future: &Future, delivered: &[u32]) -> Accounts {
    settle_into(model, future, delivered, None)
}

/// [`settle`], and when `cumulative` is given also the cumulative net value by the end of each
/// period, `out[period_idx]` (its last entry equals the net value; penalties count at the
/// deadline period, terminal value at T). The accounts are computed by the same arithmetic
/// either way, so a trial's numbers do not depend on whether its bands are kept.
pub fn settle_into(
    model: &Model,
    future: &Future,
    delivered: &[u32],
    cumulative: Option<Cumulative>,
) -> Accounts {
    let mut acc = Accounts::default();
    // Value earned: the weights of a delivery period are 0 for "not delivered", so every item
    // takes the same branch-free path.
    // Four partial sums break the chain of dependent additions.
    let (vw, ow) = (&model.value_weight, &model.one_time_weight);
    let mut partial = [0.0f64; 4];
    let n = delivered.len().min(future.value.len());
    let (delivered_4, delivered_rest) = delivered[..n].split_at(n - n % 4);
    for (k, periods) in delivered_4.chunks_exact(4).enumerate() {
        for lane in 0..4 {
            let (i, p) = (4 * k + lane, periods[lane] as usize);
            partial[lane] += future.value[i] * vw[p] + future.one_time_value[i] * ow[p];
        }
    }
    for (offset, &period) in delivered_rest.iter().enumerate() {
        let (i, p) = (n - n % 4 + offset, period as usize);
        partial[0] += future.value[i] * vw[p] + future.one_time_value[i] * ow[p];
    }
    acc.value_earned = lane_sum(&partial);
    // Only items with a risk can have a cost of delay (four partial sums again).
    let mut delay = [0.0f64; LANES];
    for (k, &i) in model.risk_items.iter().enumerate() {
        let i = i as usize;
        delay[k % LANES] += future.risk[i] * model.delay_weight[delivered[i] as usize];
    }
    acc.cost_of_delay = lane_sum(&delay);
    for (slot, &i) in model.incident_items.iter().enumerate() {
        let i = i as usize;
        let paid_until = paid_until(model, delivered[i]);
        acc.incident_losses +=
            future.impact[i] * incident_discount(model, future, slot as u32, paid_until);
    }
    for &i in &model.penalty_items {
        let i = i as usize;
        let period = delivered[i];
        if crate::economics::deadline_missed(period as usize, model.deadline_period[i] as usize) {
            acc.penalties += model.penalty[i];
        }
    }
    if let Some(cum) = cumulative {
        cumulative_net_value(model, future, delivered, cum);
    }
    acc
}

/// Item `i`'s value earned for a delivery in `period` (0: never): the terms [`settle_into`] adds
/// up for the strategy's value earned, so the items' values sum to it (up to rounding).
#[inline]
pub fn item_value_earned(model: &Model, future: &Future, i: usize, period: u32) -> f64 {
    let p = period as usize;
    future.value[i] * model.value_weight[p] + future.one_time_value[i] * model.one_time_weight[p]
}

/// The last period in which an item delivered in `period` (0: never) is still undelivered at
/// its start: it pays cost of delay and may suffer incidents in periods 1..=this.
#[inline]
fn paid_until(model: &Model, period: u32) -> usize {
    if period == 0 {
        model.n_periods
    } else {
        period as usize
    }
}

/// Partial sums that break a chain of dependent additions: item i adds into lane i mod 4
/// (in [`settle_into`], and per period in [`cumulative_net_value`], so consecutive items
/// delivered in the same period do not wait for each other's additions).
const LANES: usize = 4;

/// The sum of four lanes, pairwise (the order every lane sum here uses).
#[inline]
fn lane_sum(lanes: &[f64]) -> f64 {
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// Where [`settle_into`] writes the cumulative net value by period, and what it reads besides
/// the deliveries.
pub struct Cumulative<'a> {
    /// The items delivered in the horizon (any order): only they earn value.
    pub delivered_items: &'a [u32],
    /// Reused between calls.
    pub scratch: &'a mut Vec<f64>,
    /// The cumulative net value by the end of each period, `out[period_idx]`.
    pub out: &'a mut [f64],
}

/// The cumulative net value by the end of each period into `out[period_idx]`, from sums by
/// period: the value and one-time value of the items delivered in it, the cost-of-delay rate of
/// the risk items last paying in it, and one-off flows (incidents, penalties).
///
/// An item delivered in p earns its value in p + 1..=T (and the terminal value at T), its
/// one-time value in p; one whose cost of delay is paid until u pays it in 1..=u. So the value
/// rate in period t is the value of the items delivered by t − 1, and the cost-of-delay rate
/// is the total risk less that of the items last paying before t. Only delivered items are
/// visited for value; item k of a list adds into lane k mod 4 of its period's sums.
fn cumulative_net_value(model: &Model, future: &Future, delivered: &[u32], cum: Cumulative) {
    let Cumulative {
        delivered_items,
        scratch,
        out,
    } = cum;
    let n_periods = model.n_periods;
    let d = &model.discount;
    // Per lane, slots 0..=T of: value delivered, one-time value delivered, risk last paid, and
    // one-off flows; lane k of slot t is at t × LANES + k.
    let slots = n_periods + 1;
    scratch.clear();
    scratch.resize(4 * slots * LANES, 0.0);
    let (value_by, rest) = scratch.split_at_mut(slots * LANES);
    let (once_by, rest) = rest.split_at_mut(slots * LANES);
    let (risk_by, flow) = rest.split_at_mut(slots * LANES);
    for (k, &i) in delivered_items.iter().enumerate() {
        let i = i as usize;
        let slot = delivered[i] as usize * LANES + k % LANES;
        value_by[slot] += future.value[i];
        once_by[slot] += future.one_time_value[i];
    }
    let mut total_risk = [0.0; LANES];
    for (k, &i) in model.risk_items.iter().enumerate() {
        let i = i as usize;
        let risk = future.risk[i];
        total_risk[k % LANES] += risk;
        risk_by[paid_until(model, delivered[i]) * LANES + k % LANES] += risk;
    }
    let total_risk = lane_sum(&total_risk);
    for (slot, &i) in model.incident_items.iter().enumerate() {
        let i = i as usize;
        let paid_until = paid_until(model, delivered[i]);
        let base = slot * model.incident_words;
        for w in 0..model.incident_words {
            let lo = w * 64;
            if lo >= paid_until {
                break;
            }
            let mut mask = future.incidents[base + w];
            if paid_until - lo < 64 {
                mask &= (1u64 << (paid_until - lo)) - 1;
            }
            while mask != 0 {
                let t = lo + mask.trailing_zeros() as usize + 1;
                flow[t * LANES + slot % LANES] -= future.impact[i] * d[t];
                mask &= mask - 1;
            }
        }
    }
    for &i in &model.penalty_items {
        let i = i as usize;
        let (period, k) = (delivered[i], model.deadline_period[i]);
        if crate::economics::deadline_missed(period as usize, k as usize) {
            flow[(k as usize).clamp(1, n_periods) * LANES] -= model.penalty[i];
        }
    }
    let at = |sums: &[f64], t: usize| lane_sum(&sums[t * LANES..(t + 1) * LANES]);
    // Slot 0 holds nothing delivered (never read for value), and risk "paid until 0" cannot
    // happen (every risk item pays in period 1 at least).
    let mut value_rate = 0.0;
    let mut risk_paid = 0.0;
    let mut total = 0.0;
    for t in 1..=n_periods {
        value_rate += at(value_by, t - 1);
        let risk_rate = total_risk - risk_paid;
        total += (value_rate - risk_rate + at(once_by, t)) * d[t] + at(flow, t);
        risk_paid += at(risk_by, t);
        out[t - 1] = total;
    }
    // The terminal value of everything delivered by T, at T.
    let delivered_value = value_rate + at(value_by, n_periods);
    total += model.terminal_periods * delivered_value * d[n_periods];
    if let Some(last) = out.last_mut() {
        *last = total;
    }
}

/// Σ d_t over the incident periods t ≤ `until` of incident slot `slot`.
#[inline]
fn incident_discount(model: &Model, future: &Future, slot: u32, until: usize) -> f64 {
    let words = model.incident_words;
    let base = slot as usize * words;
    let mut sum = 0.0;
    for w in 0..words {
        let mut mask = future.incidents[base + w];
        let lo = w * 64;
        if lo >= until {
            break;
        }
        let span = until - lo;
        if span < 64 {
            mask &= (1u64 << span) - 1;
        }
        while mask != 0 {
            let bit = mask.trailing_zeros() as usize;
            sum += model.discount[lo + bit + 1];
            mask &= mask - 1;
        }
    }
    sum
}
