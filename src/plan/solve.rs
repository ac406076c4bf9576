//! Solving: heuristic incumbent, relaxation bound, branch and bound, then the normalised plan.
//!
//! The order of work, each step bounded by counts derived from `--time-limit` ([`WorkLimits`]),
//! so the same options give the same plan on every run; the clock is only a safety cap:
//! 1. build the program and a heuristic plan (list scheduling over priority orders);
//! 2. solve the linear relaxation (clarabel): a proven bound, duals for `marginal_value`, and
//!    fractional delivery times that give one more priority order;
//! 3. improve the heuristic plan by local search until it is within `--gap` of the bound, the
//!    search stalls or its replays are spent;
//! 4. when the program is small enough for branch and bound to help, run microlp (or CBC when
//!    compiled in) seeded with the best plan, within its node limit; mid-size programs get
//!    microlp on windows of two periods at a time instead (a large neighbourhood search);
//!    the largest keep the heuristic plan, which meets the gap on the benchmarks' portfolios.
//!
//! The status is `optimal` only when the gap to a proven bound is at most `--gap`; the gap and
//! the bound are always on the objective the user sees (its constant term included).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::backend::{solve_relaxation, MilpLimits, Relaxation, SolveFailure};
use super::data::PlanData;
use super::heuristic::{
    construct, construct_from, improve, HeuristicPlan, LpGuide, Replayer, SearchBudget,
};
use super::infeasible::{explain, fmt_num};
use super::model::{build_model, profile_items, with_delivery_profiles_for, LinearModel, RowKind};
use super::normalise::{build_plan, relative_gap, RawPlan};
use super::{MarginalMethod, Plan, PlanOptions, PlanStatus};
use crate::error::Error;
use crate::scenario::Scenario;

/// Programs with at most this many free binaries go to branch and bound after the heuristic
/// (microlp makes no progress on larger ones within a minute; CBC does).
#[cfg(not(feature = "cbc"))]
const MILP_MAX_BINARIES: usize = 3_000;
#[cfg(feature = "cbc")]
const MILP_MAX_BINARIES: usize = 200_000;

/// With microlp, programs up to this size get branch and bound on the whole program; larger
/// ones (up to `MILP_MAX_BINARIES`) get it on windows of a few periods at a time.
const FULL_MILP_MAX_BINARIES: usize = 1_000;

/// The most a solver's answer may break a row or bound by (engineer-weeks or shares) and be used.
const MAX_VIOLATION: f64 = 1e-5;

/// How a plan was found, and where the time went (read by the benchmarks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SolveReport {
    pub build: Duration,
    pub heuristic: Duration,
    pub relaxation: Duration,
    pub milp: Duration,
    /// Which step produced the returned plan: "heuristic", "milp", or "start" (one of the
    /// candidate plans passed to [`solve_plan_from`], unimproved).
    pub source: &'static str,
    /// Binaries left free after the implied bounds (the size of the integer program).
    pub n_binaries: usize,
    /// The heuristic plan's objective, when it found one.
    pub heuristic_objective: Option<f64>,
    /// The relaxation's bound (or the capacity-free bound when the relaxation failed).
    pub relaxation_bound: f64,
    /// The bound branch and bound proved, when it ran and gave one.
    pub milp_bound: Option<f64>,
}

/// Builds the program of the scenario (what the benchmarks time as "model building").
pub fn build_program(scenario: &Scenario, options: &PlanOptions) -> LinearModel {
    let data = PlanData::from_scenario(scenario, options.stability_share);
    build_model(&data, &BTreeSet::new())
}

/// Plans the scenario. Errors: [`Error::Infeasible`] when no plan meets the hard constraints.
pub fn solve_plan(scenario: &Scenario, options: &PlanOptions) -> Result<Plan, Error> {
    solve_plan_with_report(scenario, options).map(|(plan, _)| plan)
}

/// Plans the scenario and reports how.
pub fn solve_plan_with_report(
    scenario: &Scenario,
    options: &PlanOptions,
) -> Result<(Plan, SolveReport), Error> {
    solve_from_with_report(scenario, options, &[])
}

/// Plans the scenario with `starts` as candidate plans besides the heuristic's: plans of the
/// same portfolio, typically made with less capacity. Each one that meets every row of this
/// scenario's program (the capacity rows are upper bounds, so a plan for less capacity meets
/// those of more) is an incumbent, so the plan returned is at least as good as the best of them.
pub fn solve_plan_from(
    scenario: &Scenario,
    options: &PlanOptions,
    starts: &[&Plan],
) -> Result<Plan, Error> {
    solve_from_with_report(scenario, options, starts).map(|(plan, _)| plan)
}

fn solve_from_with_report(
    scenario: &Scenario,
    options: &PlanOptions,
    starts: &[&Plan],
) -> Result<(Plan, SolveReport), Error> {
    let data = PlanData::from_scenario(scenario, options.stability_share);
    let starts: Vec<Start> = starts.iter().filter_map(|p| start_of(&data, p)).collect();
    let (mut plan, report, relaxation) = solve_data(scenario, &data, options, &starts)?;
    match options.marginal {
        MarginalMethod::Estimate => {
            if let Some(relax) = &relaxation {
                let model = build_model(&data, &BTreeSet::new());
                fill_dual_marginals(scenario, &model, relax, &mut plan);
            }
        }
        MarginalMethod::Exact => fill_exact_marginals(scenario, &data, options, &mut plan),
    }
    Ok((plan, report))
}

/// The planner's work limits: counts, not seconds, so that the same scenario and options give
/// the same plan on every run and on any machine load. They are derived from `--time-limit` and
/// the program's size (see [`WorkLimits::new`]); the wall clock is only a safety cap.
#[derive(Debug, Clone, Copy, PartialEq)]
struct WorkLimits {
    /// Replays of the local search.
    search_replays: usize,
    /// Replays without a strict improvement after which the local search stops.
    search_stall: usize,
    /// Branch-and-bound nodes: on the whole program, or shared by all the windows of the large
    /// neighbourhood search.
    nodes: u64,
}

/// Local-search replays a second buys, times n × T (a replay's cost grows with items × periods;
/// 6e7 to 1.5e8 measured, depending on how many candidates end early).
const REPLAY_CELLS_PER_SECOND: f64 = 6e7;
/// Branch-and-bound nodes a second buys, times the square root of the program's free variables
/// plus rows (a node's simplex pivots grow about that way: 0.9 ms a node at 1,000, about 3 ms at
/// 9,000, measured on the shipped scenarios).
const NODES_PER_SECOND_AT_SIZE_1: f64 = 25_000.0;
/// The share of `--time-limit` the local search is sized for: with branch and bound after it,
/// and without.
const SEARCH_SHARE: [f64; 2] = [0.1, 0.45];
/// The share of `--time-limit` branch and bound is sized for (all windows together).
const MILP_SHARE: f64 = 0.4;
/// With teams, the shares of `--time-limit` for the local search and branch and bound when both
/// run: the search gets more than without teams, since it keeps improving with more replays
/// there (moves count only items sharing a team), while a window frees only a few items per team.
/// On the 200×12 portfolio in 5 teams at 10 s: 4.79% from the bound at these shares, 4.99% at
/// 0.35 and 0.15, 5.06% at the one-pool shares.
const TEAMS_SEARCH_SHARE: f64 = 0.2;
const TEAMS_MILP_SHARE: f64 = 0.3;
/// With teams, the search's stall limit is this many times the one-pool one: moving an item past
/// other teams' items changes nothing, so more replays go by between improvements.
const TEAMS_STALL_FACTOR: usize = 4;
/// What a window's root relaxation costs, in nodes: its simplex starts from scratch (about 1,500
/// pivots on the 200×12 portfolio against 20 to 45 for a node).
const WINDOW_ROOT_NODES: u64 = 50;

impl WorkLimits {
    /// The limits for `time_limit_secs` on a program of `n` items over `t` periods with
    /// `size` free variables plus rows; `milp` when branch and bound follows the local search;
    /// `teams` when the scenario has more than one capacity pool.
    ///
    /// The rates are those measured on the 2-core machine of `benches/README.md`, and the work is
    /// sized for at most half of `--time-limit` there, so the clock strikes only on a machine
    /// (or a load) that makes the planner twice as slow.
    fn new(
        time_limit_secs: f64,
        (n, t, size): (usize, usize, usize),
        milp: bool,
        teams: bool,
    ) -> WorkLimits {
        let secs = time_limit_secs.clamp(0.01, 1e7);
        let (search_share, milp_share) = match (milp, teams) {
            (true, true) => (TEAMS_SEARCH_SHARE, TEAMS_MILP_SHARE),
            _ => (SEARCH_SHARE[usize::from(!milp)], MILP_SHARE),
        };
        let search_secs = secs * search_share;
        let node_secs = secs * milp_share;
        let stall_factor = if teams { TEAMS_STALL_FACTOR } else { 1 };
        let replays_per_sec = REPLAY_CELLS_PER_SECOND / (n * t).max(1) as f64;
        let nodes_per_sec = NODES_PER_SECOND_AT_SIZE_1 / (size.max(1) as f64).sqrt();
        let nodes = (node_secs * nodes_per_sec) as u64;
        WorkLimits {
            search_replays: ((search_secs * replays_per_sec) as usize).max(100),
            search_stall: stall_factor
                * if milp {
                    1_000 + 50 * n
                } else {
                    50_000 + 500 * n
                },
            nodes: nodes.max(10),
        }
    }
}

/// A candidate plan: its deliveries and shares as the program reads them, and each item's first
/// period with work (the plan's `start`), for the heuristic's reading of its order.
struct Start {
    raw: RawPlan,
    first_work: Vec<Option<usize>>,
}

/// `plan` as a start; none when it is not a plan of this portfolio (another number of items or
/// periods).
fn start_of(data: &PlanData, plan: &Plan) -> Option<Start> {
    let items = &plan.initiatives;
    let fits =
        items.len() == data.n_items() && items.iter().all(|p| p.shares.len() == data.n_periods);
    fits.then(|| Start {
        raw: RawPlan {
            deliveries: items.iter().map(|p| p.delivery).collect(),
            shares: items.iter().map(|p| p.shares.clone()).collect(),
        },
        first_work: items.iter().map(|p| p.start).collect(),
    })
}

/// The best of `starts` that meets every row of `model`, with its objective (the first of
/// equals).
fn best_start(data: &PlanData, model: &LinearModel, starts: &[Start]) -> Option<(RawPlan, f64)> {
    starts
        .iter()
        .map(|start| &start.raw)
        .filter(|raw| model.max_violation(&raw.to_values(data)) <= MAX_VIOLATION)
        .map(|raw| (raw.clone(), data.parts_for(&raw.deliveries).objective()))
        .reduce(|best, next| if next.1 > best.1 { next } else { best })
}

/// The core: data in, plan out (marginal values left at 0). `starts` are candidate plans
/// besides the heuristic's (see [`solve_plan_from`]).
fn solve_data(
    scenario: &Scenario,
    data: &PlanData,
    options: &PlanOptions,
    starts: &[Start],
) -> Result<(Plan, SolveReport, Option<Relaxation>), Error> {
    let started = Instant::now();
    let time_limit = Duration::from_secs_f64(options.time_limit_secs.clamp(0.01, 1e7));
    let deadline = started + time_limit;
    let mut report = SolveReport::default();
    // Set when the wall clock, not a work limit, stopped a step.
    let mut capped = false;

    let model = build_model(data, &BTreeSet::new());
    report.build = started.elapsed();
    if model.trivially_infeasible {
        return Err(infeasible(scenario, data, options));
    }
    report.n_binaries = model
        .vars
        .iter()
        .filter(|v| v.binary && v.upper > v.lower)
        .count();
    let small = report.n_binaries <= MILP_MAX_BINARIES;
    let n = data.n_items();
    let size = model.size();
    let work_secs = options.work_secs.unwrap_or(options.time_limit_secs);
    let limits = WorkLimits::new(
        work_secs,
        (n, data.n_periods, size),
        small,
        data.n_pools() > 1,
    );

    let replayer = Replayer::new(data);
    let t0 = Instant::now();
    let mut best = construct(data, &replayer, None);
    report.heuristic += t0.elapsed();

    // The relaxation: a bound, duals and an order. Interior point iterations are bounded by the
    // solver's own count; the clock is the cap.
    let t0 = Instant::now();
    let relaxation = match solve_relaxation(&model, remaining(deadline).as_secs_f64()) {
        Ok(r) => Some(r),
        Err(SolveFailure::Infeasible) => return Err(infeasible(scenario, data, options)),
        Err(failure) => {
            capped |= failure == SolveFailure::OutOfTime;
            None
        }
    };
    report.relaxation = t0.elapsed();
    let mut bound_relax = relaxation
        .as_ref()
        .map_or_else(|| trivial_bound(data, &replayer), |r| r.bound);

    let t0 = Instant::now();
    if let Some(relax) = &relaxation {
        let guide = lp_guide(&model, &relax.values);
        if let Some(candidate) = construct(data, &replayer, Some(&guide)) {
            if best
                .as_ref()
                .is_none_or(|b| candidate.schedule.objective > b.schedule.objective)
            {
                best = Some(candidate);
            }
        }
    }
    // The starts, read as priority orders: the local search goes on from the best of them when
    // it beats the heuristic's own (each start also stands as an incumbent below).
    for start in starts {
        let deliveries = &start.raw.deliveries;
        if let Some(candidate) = construct_from(data, &replayer, deliveries, &start.first_work) {
            if best
                .as_ref()
                .is_none_or(|b| candidate.schedule.objective > b.schedule.objective)
            {
                best = Some(candidate);
            }
        }
    }
    // The objective at which (bound − objective) / max(1, |objective|) ≤ gap.
    let target = if bound_relax >= 1.0 {
        bound_relax / (1.0 + options.gap)
    } else {
        bound_relax - options.gap * bound_relax.abs().max(1.0)
    };
    if let Some(start) = best.take() {
        let budget = SearchBudget {
            max_stall: limits.search_stall,
            max_evals: limits.search_replays,
            deadline,
            target,
        };
        // Meanwhile, on the other core, the extended relaxation (work split by delivery period)
        // tightens the bound: for every item on programs small enough, else for the items the
        // program's own relaxation leaves partly delivered. Its duals are not used: guidance
        // and marginal values come from the program's own relaxation.
        let profiles = relaxation
            .as_ref()
            .and_then(|r| profile_items(&model, &r.values));
        let profile_limit = remaining(deadline).as_secs_f64();
        let model = &model;
        let ((improved, search_capped), tighter) = std::thread::scope(|scope| {
            let tighter = profiles.map(|chosen| {
                scope.spawn(move || {
                    let extended = with_delivery_profiles_for(model, data, &chosen);
                    solve_relaxation(&extended, profile_limit)
                })
            });
            let improved = improve(data, &replayer, start, budget, 0x7ade_0ff5);
            (improved, tighter.and_then(|h| h.join().ok()))
        });
        capped |= search_capped;
        best = Some(improved);
        match tighter {
            Some(Ok(r)) => bound_relax = bound_relax.min(r.bound),
            Some(Err(SolveFailure::OutOfTime)) => capped = true,
            _ => {}
        }
    }
    report.heuristic += t0.elapsed();

    let mut bound = bound_relax;
    report.relaxation_bound = bound_relax;
    report.heuristic_objective = best.as_ref().map(|b| b.schedule.objective);
    let mut raw: Option<(RawPlan, f64)> = best.as_ref().map(|b| {
        (
            RawPlan::from_work(data, &b.schedule.deliveries, &b.schedule.work_weeks),
            b.schedule.objective,
        )
    });
    report.source = "heuristic";
    if let Some(start) = best_start(data, &model, starts) {
        if raw.as_ref().is_none_or(|(_, o)| start.1 > *o) {
            raw = Some(start);
            report.source = "start";
        }
    }
    let closed = raw
        .as_ref()
        .is_some_and(|(_, obj)| relative_gap(bound, *obj) <= options.gap);
    let full_milp = report.n_binaries <= FULL_MILP_MAX_BINARIES || cfg!(feature = "cbc");
    if !closed && small && !full_milp {
        if let Some((current, objective)) = raw.take() {
            let t0 = Instant::now();
            let guide = relaxation.as_ref().map(|r| lp_guide(&model, &r.values));
            let windows = improve_by_windows(
                data,
                &model,
                (current, objective),
                guide.as_ref(),
                limits.nodes,
                deadline,
            );
            if windows.improved {
                report.source = "milp";
            }
            capped |= windows.capped;
            raw = Some(windows.best);
            report.milp = t0.elapsed();
        }
    }
    if !closed && ((small && full_milp) || raw.is_none()) {
        let t0 = Instant::now();
        let warm = raw.as_ref().map(|(r, _)| r.to_values(data));
        let milp_limits = MilpLimits {
            mip_gap: milp_gap(options.gap, &model, raw.as_ref().map(|(_, o)| *o)),
            nodes: limits.nodes,
            cap_secs: remaining(deadline).as_secs_f64(),
        };
        match run_milp(&model, report.n_binaries, warm.as_deref(), milp_limits) {
            // An answer that breaks the program (CBC has returned one when stopped by its time
            // limit) is not used, and neither is its bound.
            Ok(answer)
                if answer
                    .values
                    .as_ref()
                    .is_some_and(|v| model.max_violation(v) > MAX_VIOLATION) => {}
            Ok(answer) => {
                capped |= answer.capped;
                report.milp_bound = answer.bound;
                if let Some(b) = answer.bound {
                    bound = bound.min(b);
                }
                if let Some(values) = answer.values {
                    let candidate = RawPlan::from_values(data, &values);
                    let objective = data.parts_for(&candidate.deliveries).objective();
                    if raw
                        .as_ref()
                        .is_none_or(|(_, o)| objective > *o + 1e-9 * o.abs())
                    {
                        raw = Some((candidate, objective));
                        report.source = "milp";
                    }
                }
            }
            Err(SolveFailure::Infeasible) => {
                if raw.is_none() {
                    return Err(infeasible(scenario, data, options));
                }
            }
            Err(failure) => capped |= failure == SolveFailure::OutOfTime,
        }
        report.milp = t0.elapsed();
    }
    let Some((raw, objective)) = raw else {
        return Err(Error::Internal(format!(
            "no plan meeting every hard deadline and commitment was found within the planner's \
             work, sized for {} s\n  hint: raise --time-limit",
            // The work's size, not the clock cap: the cap grows with the plans solved at once,
            // and the message must not depend on the thread count.
            fmt_num(options.work_secs.unwrap_or(options.time_limit_secs))
        )));
    };
    let bound = bound.max(objective);
    let status = if relative_gap(bound, objective) <= options.gap + 1e-12 {
        PlanStatus::Optimal
    } else {
        PlanStatus::Feasible
    };
    let mut plan = build_plan(scenario, data, &raw, status, bound);
    plan.time_limit_reached = capped;
    Ok((plan, report, relaxation))
}

/// Branch and bound on the whole program. The native backend is for programs too large for
/// microlp; smaller ones stay with microlp, whose answers the brute-force tests check (CBC 2.10
/// has returned a worse plan than the optimum and called it optimal on a tiny program).
fn run_milp(
    model: &LinearModel,
    n_binaries: usize,
    warm: Option<&[f64]>,
    limits: MilpLimits,
) -> Result<super::backend::MilpAnswer, SolveFailure> {
    #[cfg(feature = "cbc")]
    if n_binaries > FULL_MILP_MAX_BINARIES {
        // CBC overruns its own time limit by seconds (by 3 to 5 s measured here): give it 60%
        // of what is left.
        let limits = MilpLimits {
            cap_secs: limits.cap_secs * 0.6,
            ..limits
        };
        return super::backend::solve_milp_cbc(model, warm, limits);
    }
    let _ = n_binaries;
    super::backend::solve_milp(model, warm, limits)
}

/// What the large neighbourhood search found.
struct Windows {
    best: (RawPlan, f64),
    improved: bool,
    /// True when the clock stopped a window's branch and bound or skipped windows.
    capped: bool,
}

/// Large neighbourhood search with branch and bound: for each window of two periods, every
/// item delivered outside the window (or, undelivered, aimed outside it by the relaxation)
/// keeps its deliveries and its work, the rest is re-planned by microlp from the current plan
/// in the capacity they leave. (Keeping their work too makes a window's program about a tenth of
/// the whole on the 200×12 portfolio, and its nodes about a third as costly: under the same limits
/// the windows then find better plans, where re-planning everyone's work found none.) The windows
/// share `nodes` branch-and-bound nodes: each gets what is left divided by the windows still to
/// go, so a window that closes its gap early leaves its nodes to the next. A result is kept only
/// when it meets every row of the full program and raises the objective.
fn improve_by_windows(
    data: &PlanData,
    model: &LinearModel,
    current: (RawPlan, f64),
    guide: Option<&LpGuide>,
    nodes: u64,
    deadline: Instant,
) -> Windows {
    let t_end = data.n_periods;
    let width = 2.min(t_end);
    // Two passes over the windows: a change in one window opens moves in its neighbours.
    let starts: Vec<usize> = (1..=t_end + 1 - width)
        .chain(1..=t_end + 1 - width)
        .collect();
    let mut out = Windows {
        best: current,
        improved: false,
        capped: false,
    };
    let mut nodes_left = nodes;
    for (done, &first) in starts.iter().enumerate() {
        // Each window is charged its root relaxation; when what is left cannot pay for it and
        // a few nodes, the search ends (the same way on every run).
        if nodes_left < WINDOW_ROOT_NODES + 10 {
            break;
        }
        let share = nodes_left / (starts.len() - done) as u64;
        nodes_left = nodes_left.saturating_sub(WINDOW_ROOT_NODES);
        let left = remaining(deadline).as_secs_f64();
        if left <= 0.0 {
            out.capped = true;
            break;
        }
        let in_window = |t: usize| t >= first && t < first + width;
        let values = out.best.0.to_values(data);
        let mut sub = model.clone();
        for i in 0..data.n_items() {
            let free = match out.best.0.deliveries[i] {
                Some(d) => in_window(d),
                None => guide
                    .and_then(|g| g.targets.first())
                    .and_then(|targets| targets[i])
                    .is_some_and(in_window),
            };
            if free {
                continue;
            }
            for t in 1..=t_end {
                let y = sub.y(i, t);
                let v = values[y]
                    .round()
                    .clamp(sub.vars[y].lower, sub.vars[y].upper);
                sub.vars[y].lower = v;
                sub.vars[y].upper = v;
                let x = sub.x(i, t);
                sub.vars[x].lower = values[x];
                sub.vars[x].upper = values[x];
            }
        }
        // A window's program is a fraction of the whole: its nodes are charged at the ratio of
        // their cost to a whole-program node, so cheap windows get more of them.
        let cost = node_cost_ratio(&sub, model);
        let window_nodes = ((share as f64 / cost) as u64).max(10);
        let limits = MilpLimits {
            mip_gap: 1e-4,
            nodes: window_nodes,
            cap_secs: left,
        };
        let answer = match super::backend::solve_milp(&sub, Some(&values), limits) {
            Ok(answer) => answer,
            Err(failure) => {
                out.capped |= failure == SolveFailure::OutOfTime;
                nodes_left = nodes_left.saturating_sub(charged(window_nodes, cost));
                continue;
            }
        };
        out.capped |= answer.capped;
        nodes_left = nodes_left.saturating_sub(charged(answer.nodes, cost));
        let Some(new_values) = answer.values else {
            continue;
        };
        if model.max_violation(&new_values) > 1e-5 {
            continue;
        }
        let candidate = RawPlan::from_values(data, &new_values);
        let new_objective = data.parts_for(&candidate.deliveries).objective();
        if new_objective > out.best.1 + 1e-9 * out.best.1.abs().max(1.0) {
            out.best = (candidate, new_objective);
            out.improved = true;
        }
    }
    out
}

/// What a node of `sub` costs against a node of `whole`: the square root of the ratio of their
/// free variables plus the rows that hold one (a node's pivots grow about that way; see
/// [`NODES_PER_SECOND_AT_SIZE_1`]).
fn node_cost_ratio(sub: &LinearModel, whole: &LinearModel) -> f64 {
    let free: Vec<bool> = sub.vars.iter().map(|v| v.upper > v.lower).collect();
    let n_free = free.iter().filter(|&&f| f).count();
    let n_rows = sub
        .rows
        .iter()
        .filter(|r| r.terms.iter().any(|&(v, _)| free[v]))
        .count();
    ((n_free + n_rows) as f64 / whole.size().max(1) as f64)
        .sqrt()
        .clamp(1e-3, 1.0)
}

/// `nodes` of a window whose nodes cost `cost` whole-program nodes each, in whole-program nodes.
fn charged(nodes: u64, cost: f64) -> u64 {
    (nodes as f64 * cost).ceil() as u64
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// The infeasibility error, with the conflicts explained. Each feasibility check has a fixed
/// node limit; the explanation as a whole is capped at `--time-limit` (at least 10 s).
fn infeasible(scenario: &Scenario, data: &PlanData, options: &PlanOptions) -> Error {
    let explain_until =
        Instant::now() + Duration::from_secs_f64(options.time_limit_secs.clamp(10.0, 1e7));
    Error::Infeasible {
        conflicts: explain(scenario, data, explain_until),
    }
}

/// The gap to ask microlp for: it measures (bound − incumbent) / |incumbent| without the
/// objective's constant, the user sees it over max(1, |objective|) with the constant.
fn milp_gap(user_gap: f64, model: &LinearModel, incumbent: Option<f64>) -> f64 {
    match incumbent {
        Some(obj) => {
            let without_constant = (obj - model.constant).abs().max(1e-9);
            (0.9 * user_gap * obj.abs().max(1.0) / without_constant).min(user_gap.max(1e-9))
        }
        None => user_gap,
    }
}

/// A bound that needs no solver: every item delivered at its best period, capacity ignored.
fn trivial_bound(data: &PlanData, replayer: &Replayer) -> f64 {
    data.objective_constant()
        + (0..data.n_items())
            .map(|i| {
                (1..=data.n_periods)
                    .map(|t| replayer.gain(i, t))
                    .fold(0.0_f64, f64::max)
            })
            .sum::<f64>()
}

/// The relaxation's fractional delivery time of each item, Σ_t (1 − y[i,t]), and its target
/// periods, the first with y[i,t] ≥ θ for θ = 0.5, 0.3, 0.7 and 0.9.
fn lp_guide(model: &LinearModel, values: &[f64]) -> LpGuide {
    LpGuide {
        delivery_time: (0..model.n_items)
            .map(|i| {
                (1..=model.n_periods)
                    .map(|t| 1.0 - values[model.y(i, t)].clamp(0.0, 1.0))
                    .sum()
            })
            .collect(),
        targets: [0.5, 0.3, 0.7, 0.9]
            .iter()
            .map(|&theta| {
                (0..model.n_items)
                    .map(|i| (1..=model.n_periods).find(|&t| values[model.y(i, t)] >= theta))
                    .collect()
            })
            .collect(),
    }
}

/// marginal_value from the relaxation's duals: Σ rows dual × ∂(rhs − lhs)/∂C_t.
///
/// The capacity row Σ e x + A g ≤ A changes by (1 − buffer)(1 − g) per engineer-week of C_t;
/// the product row by (1 − min) times that and the stability row by max times that.
fn fill_dual_marginals(
    scenario: &Scenario,
    model: &LinearModel,
    relax: &Relaxation,
    plan: &mut Plan,
) {
    let keep = 1.0 - scenario.capacity.buffer;
    for (kind, dual) in &relax.row_duals {
        let (pool, t, share) = match *kind {
            RowKind::Capacity(j, t) => (j, t, 1.0),
            RowKind::Product(j, t) => (j, t, 1.0 - plan.stability_min),
            RowKind::Stability(j, t) => (j, t, plan.stability_max),
            RowKind::Other => continue,
        };
        let g = relax.values[model.g(t + 1)];
        let Some(period) = plan.periods.get_mut(t) else {
            continue;
        };
        let gained = dual.max(0.0) * keep * share * (1.0 - g);
        match period.teams.get_mut(pool) {
            Some(team) => team.marginal_value += gained,
            None => period.marginal_value += gained,
        }
    }
    // With teams, one more engineer-week of C_t is worth most in the team where it pays off most.
    for period in &mut plan.periods {
        if let Some(best) = period
            .teams
            .iter()
            .map(|t| t.marginal_value)
            .reduce(f64::max)
        {
            period.marginal_value = best;
        }
    }
}

/// marginal_value by re-solving with one more engineer (weeks_per_period) in each period (with
/// teams, in each team and period; the period's value is then the best team's).
///
/// The re-solves share one more `--time-limit` between them (at least a second each), so
/// `--marginal exact` takes about twice as long as planning alone.
fn fill_exact_marginals(
    scenario: &Scenario,
    data: &PlanData,
    options: &PlanOptions,
    plan: &mut Plan,
) {
    let extra = scenario.weeks_per_period;
    let keep = 1.0 - scenario.capacity.buffer;
    let work = options.work_secs.unwrap_or(options.time_limit_secs);
    let solves = (data.n_periods * data.n_pools()).max(1) as f64;
    let each = PlanOptions {
        work_secs: Some((work / solves).max(1.0).min(work)),
        ..options.clone()
    };
    // The plan itself meets the program with more capacity: each re-solve starts from it.
    let base: Vec<Start> = start_of(data, plan).into_iter().collect();
    for t in 0..data.n_periods {
        for pool in 0..data.n_pools() {
            let mut more = data.clone();
            more.add_allocatable(pool, t, extra * keep);
            let objective = match solve_data(scenario, &more, &each, &base) {
                Ok((p, _, _)) => p.objective,
                Err(_) => plan.objective,
            };
            // More capacity never lowers the optimum; a lower reading is search noise.
            let marginal = ((objective - plan.objective) / extra).max(0.0);
            let period = &mut plan.periods[t];
            if let Some(team) = period.teams.get_mut(pool) {
                team.marginal_value = marginal;
            }
            period.marginal_value = if pool == 0 {
                marginal
            } else {
                period.marginal_value.max(marginal)
            };
        }
    }
}

/// The heuristic plan alone (no solver), when one meets the deadlines; the benchmarks compare
/// it with the solver's plan.
pub fn heuristic_plan(data: &PlanData) -> Option<HeuristicPlan> {
    let replayer = Replayer::new(data);
    let start = construct(data, &replayer, None)?;
    let budget = SearchBudget {
        max_stall: 1_000,
        max_evals: 20_000,
        deadline: Instant::now() + Duration::from_secs(5),
        target: f64::INFINITY,
    };
    Some(improve(data, &replayer, start, budget, 1).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_portfolio_plans_to_nothing() {
        let s = crate::synthetic::portfolio(0, 3, 1);
        let plan = solve_plan(&s, &PlanOptions::default()).expect("feasible");
        assert_eq!(plan.objective, 0.0);
        assert_eq!(plan.status, PlanStatus::Optimal);
        assert_eq!(plan.periods.len(), 3);
    }

    #[test]
    fn a_tiny_time_limit_still_returns_a_plan() {
        let s = crate::synthetic::portfolio(40, 6, 3);
        let options = PlanOptions {
            time_limit_secs: 0.05,
            ..PlanOptions::default()
        };
        let plan = solve_plan(&s, &options).expect("the heuristic finds a plan");
        assert!(plan.bound >= plan.objective);
        assert!(plan.gap >= 0.0);
    }
}
