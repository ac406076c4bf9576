//! Solving: heuristic incumbent, relaxation bound, branch and bound, then the normalised plan.
//!
//! The order of work, within `--time-limit`:
//! 1. build the program and a heuristic plan (list scheduling over priority orders);
//! 2. solve the linear relaxation (clarabel): a proven bound, duals for `marginal_value`, and
//!    fractional delivery times that give one more priority order;
//! 3. improve the heuristic plan by local search until it is within `--gap` of the bound, the
//!    search stalls or its share of the time is spent;
//! 4. when the program is small enough for branch and bound to help, run microlp (or CBC /
//!    HiGHS when compiled in) seeded with the best plan, for the time left.
//!
//! The status is `optimal` only when the gap to a proven bound is at most `--gap`; the gap and
//! the bound are always on the objective the user sees (its constant term included).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::backend::{solve_milp, solve_relaxation, Relaxation, SolveFailure};
use super::data::PlanData;
use super::heuristic::{construct, improve, HeuristicPlan, Replayer, SearchBudget};
use super::infeasible::{explain, fmt_num};
use super::model::{build_model, LinearModel, RowKind};
use super::normalise::{build_plan, relative_gap, RawPlan};
use super::{MarginalMethod, Plan, PlanOptions, PlanStatus};
use crate::error::Error;
use crate::scenario::Scenario;

/// Programs with at most this many free binaries go to branch and bound after the heuristic.
const MILP_MAX_BINARIES: usize = 3_000;

/// How a plan was found, and where the time went (read by the benchmarks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SolveReport {
    pub build: Duration,
    pub heuristic: Duration,
    pub relaxation: Duration,
    pub milp: Duration,
    /// Which step produced the returned plan: "heuristic" or "milp".
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
    let data = PlanData::from_scenario(scenario, options.stability_share);
    let (mut plan, report, relaxation) = solve_data(scenario, &data, options)?;
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

/// The core: data in, plan out (marginal values left at 0).
fn solve_data(
    scenario: &Scenario,
    data: &PlanData,
    options: &PlanOptions,
) -> Result<(Plan, SolveReport, Option<Relaxation>), Error> {
    let started = Instant::now();
    let time_limit = Duration::from_secs_f64(options.time_limit_secs.clamp(0.01, 1e7));
    let deadline = started + time_limit;
    let mut report = SolveReport::default();

    let model = build_model(data, &BTreeSet::new());
    report.build = started.elapsed();
    if model.trivially_infeasible {
        return Err(infeasible(scenario, data, deadline));
    }
    report.n_binaries = model
        .vars
        .iter()
        .filter(|v| v.binary && v.upper > v.lower)
        .count();

    let replayer = Replayer::new(data);
    let t0 = Instant::now();
    let mut best = construct(data, &replayer, None);
    report.heuristic += t0.elapsed();

    // The relaxation: a bound, duals and an order.
    let t0 = Instant::now();
    let relax_limit = remaining(deadline).mul_f64(0.5).as_secs_f64();
    let relaxation = match solve_relaxation(&model, relax_limit) {
        Ok(r) => Some(r),
        Err(SolveFailure::Infeasible) => return Err(infeasible(scenario, data, deadline)),
        Err(_) => None,
    };
    report.relaxation = t0.elapsed();
    let bound_relax = relaxation
        .as_ref()
        .map_or_else(|| trivial_bound(data, &replayer), |r| r.bound);

    let t0 = Instant::now();
    if let Some(relax) = &relaxation {
        let times = lp_delivery_times(&model, &relax.values);
        if let Some(candidate) = construct(data, &replayer, Some(&times)) {
            if best
                .as_ref()
                .is_none_or(|b| candidate.schedule.objective > b.schedule.objective)
            {
                best = Some(candidate);
            }
        }
    }
    let small = report.n_binaries <= MILP_MAX_BINARIES;
    let n = data.n_items();
    let target = bound_relax - options.gap * bound_relax.abs().max(1.0);
    if let Some(start) = best.take() {
        let search_until = if small {
            Instant::now() + remaining(deadline).mul_f64(0.2)
        } else {
            Instant::now() + remaining(deadline).mul_f64(0.9)
        };
        let budget = SearchBudget {
            max_stall: if small { 200 + 20 * n } else { 2_000 + 60 * n },
            max_evals: if small {
                5_000 + 200 * n
            } else {
                400 * n + 50_000
            },
            deadline: search_until,
            target,
        };
        best = Some(improve(data, &replayer, start, budget, 0x7ade_0ff5));
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
    let closed = raw
        .as_ref()
        .is_some_and(|(_, obj)| relative_gap(bound, *obj) <= options.gap);
    if !closed && (small || raw.is_none()) && remaining(deadline) > Duration::from_millis(10) {
        let t0 = Instant::now();
        let warm = raw.as_ref().map(|(r, _)| r.to_values(data));
        let mip_gap = milp_gap(options.gap, &model, raw.as_ref().map(|(_, o)| *o));
        match run_milp(&model, warm.as_deref(), mip_gap, remaining(deadline)) {
            Ok(answer) => {
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
                    return Err(infeasible(scenario, data, deadline + time_limit));
                }
            }
            Err(_) => {}
        }
        report.milp = t0.elapsed();
    }
    let Some((raw, objective)) = raw else {
        return Err(Error::Internal(format!(
            "no plan meeting every hard deadline and commitment was found within --time-limit {} s\n  \
             hint: raise --time-limit",
            fmt_num(options.time_limit_secs)
        )));
    };
    let bound = bound.max(objective);
    let status = if relative_gap(bound, objective) <= options.gap + 1e-12 {
        PlanStatus::Optimal
    } else {
        PlanStatus::Feasible
    };
    let plan = build_plan(scenario, data, &raw, status, bound);
    Ok((plan, report, relaxation))
}

fn run_milp(
    model: &LinearModel,
    warm: Option<&[f64]>,
    mip_gap: f64,
    left: Duration,
) -> Result<super::backend::MilpAnswer, SolveFailure> {
    #[cfg(feature = "cbc")]
    {
        // CBC overruns its own time limit by seconds: give it 80% of what is left.
        super::backend::solve_milp_cbc(model, warm, mip_gap, left.as_secs_f64() * 0.8)
    }
    #[cfg(all(feature = "highs", not(feature = "cbc")))]
    {
        let _ = warm;
        super::backend::solve_milp_highs(model, mip_gap, left.as_secs_f64() * 0.9)
    }
    #[cfg(not(any(feature = "cbc", feature = "highs")))]
    {
        solve_milp(model, warm, mip_gap, left.as_secs_f64())
    }
}

fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

fn infeasible(scenario: &Scenario, data: &PlanData, deadline: Instant) -> Error {
    // Explaining may take a while on large scenarios; give it at least a few seconds.
    let explain_until = deadline.max(Instant::now() + Duration::from_secs(10));
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

/// Fractional delivery time of each item in the relaxation: Σ_t (1 − y[i,t]).
fn lp_delivery_times(model: &LinearModel, values: &[f64]) -> Vec<f64> {
    (0..model.n_items)
        .map(|i| {
            (1..=model.n_periods)
                .map(|t| 1.0 - values[model.y(i, t)].clamp(0.0, 1.0))
                .sum()
        })
        .collect()
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
        let (t, share) = match *kind {
            RowKind::Capacity(t) => (t, 1.0),
            RowKind::Product(t) => (t, 1.0 - plan.stability_min),
            RowKind::Stability(t) => (t, plan.stability_max),
            RowKind::Other => continue,
        };
        let g = relax.values[model.g(t + 1)];
        if let Some(period) = plan.periods.get_mut(t) {
            period.marginal_value += dual.max(0.0) * keep * share * (1.0 - g);
        }
    }
}

/// marginal_value by re-solving with one more engineer (weeks_per_period) in each period.
fn fill_exact_marginals(
    scenario: &Scenario,
    data: &PlanData,
    options: &PlanOptions,
    plan: &mut Plan,
) {
    let extra = scenario.weeks_per_period;
    let keep = 1.0 - scenario.capacity.buffer;
    for t in 0..data.n_periods {
        let mut more = data.clone();
        more.allocatable_weeks[t] += extra * keep;
        let objective = match solve_data(scenario, &more, options) {
            Ok((p, _, _)) => p.objective,
            Err(_) => plan.objective,
        };
        // More capacity never lowers the optimum; a lower reading is search noise.
        plan.periods[t].marginal_value = ((objective - plan.objective) / extra).max(0.0);
    }
}

/// Exposed for tests: the heuristic plan alone (no solver), when one meets the deadlines.
pub fn heuristic_plan(data: &PlanData) -> Option<HeuristicPlan> {
    let replayer = Replayer::new(data);
    let start = construct(data, &replayer, None)?;
    let budget = SearchBudget {
        max_stall: 1_000,
        max_evals: 20_000,
        deadline: Instant::now() + Duration::from_secs(5),
        target: f64::INFINITY,
    };
    Some(improve(data, &replayer, start, budget, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore]
    fn probe_sizes() {
        for (n, t) in [(20usize, 4usize), (50, 8)] {
            let s = crate::synthetic::portfolio(n, t, 1);
            let (plan, report) = solve_plan_with_report(&s, &PlanOptions::default()).unwrap();
            eprintln!(
                "{n}x{t}: {:?} obj {} bound {} gap {} {:?}",
                plan.status, plan.objective, plan.bound, plan.gap, report
            );
        }
    }
}
