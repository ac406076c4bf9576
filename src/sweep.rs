//! The debt-budget sweep: at each stability share X of a grid, re-plan with the share fixed at X
//! and simulate that plan (`plan`), and search the `robust` order with s fixed at X (its starts
//! are the default strategies with s = X); the best share is the one that maximises the robust
//! strategy's P50 (and P10) of net value.
//!
//! Plans at different shares are independent and solved in parallel; then every share is
//! simulated with the same seed, so every share is judged on the same sampled futures (and every
//! robust search on the same training futures). Shares with buffer + share > 1 are skipped and
//! listed with the reason; a share where the planner finds no plan still gets a robust row.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::plan::{solve_plan, Plan, PlanOptions};
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::simulate::{simulate_at, Distribution, RobustSearch, SimOptions, StrategySpec};

/// The re-planned plan at one share of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharePlanRow {
    /// The planner's objective with the share fixed.
    pub objective: f64,
    pub status: crate::plan::PlanStatus,
    /// The plan's proven gap to its bound (0 when optimal).
    pub gap: f64,
    /// The proven upper bound on the planner's objective at this share.
    pub bound: f64,
    /// True when `--time-limit` stopped the planner before its work limits.
    #[serde(default)]
    pub time_limit_reached: bool,
    /// Simulated net value of that plan (strategy `plan`).
    pub net_value: Distribution,
}

/// One share of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub share: f64,
    /// The plan re-planned at this share; null when the planner finds no plan there.
    pub plan: Option<SharePlanRow>,
    /// Why there is no plan at this share (infeasible, or the planner failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_note: Option<String>,
    /// Simulated net value of the robust strategy searched with s fixed at this share.
    pub robust: Distribution,
    /// The robust strategy's worst hard-deadline and commitment hit rate on the run's futures;
    /// null when the scenario has neither.
    pub robust_reliability: Option<f64>,
    /// How that robust strategy was found.
    pub robust_search: RobustSearch,
}

/// Everything `tradeoff sweep` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    pub trials: usize,
    pub seed: u64,
    /// Training futures and most replays of the training set each share's robust search had.
    pub robust_trials: usize,
    pub robust_budget: usize,
    pub rows: Vec<SweepRow>,
    /// Shares skipped because buffer + share > 1.
    pub skipped: Vec<SkippedShare>,
    /// The share at which the robust strategy has the highest P50, and the highest P10: the
    /// answer to "how much should we ring-fence?".
    pub best_p50: Option<f64>,
    pub best_p10: Option<f64>,
    /// The same for the re-planned plan (shares with a plan only).
    pub plan_best_p50: Option<f64>,
    pub plan_best_p10: Option<f64>,
}

/// A share the sweep could not plan, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedShare {
    pub share: f64,
    pub reason: String,
}

/// A share of the grid and the planner's answer there.
type SharePlan = (f64, Result<Plan, Error>);

/// The default grid: 0 to 0.5 by 0.05.
pub fn default_shares() -> Vec<f64> {
    (0..=10).map(|k| k as f64 * 0.05).collect()
}

/// Runs the sweep over `shares`. Errors: [`Error::Usage`] when no share of the grid fits next to
/// the buffer. A share where the plan is infeasible keeps its robust row, with the reason.
pub fn sweep(
    scenario: &Scenario,
    shares: &[f64],
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Sweep, Error> {
    sweep_alongside(scenario, shares, plan_options, sim_options, progress, || ()).0
}

/// Runs the sweep while `alongside` runs in parallel with the sweep's planning (the report plans
/// its main plan this way: planning is single-threaded, so one core would otherwise idle). The
/// planning phase's progress counts `alongside` as one more step. `alongside` is not run when
/// the grid is refused before planning; it then comes back as `None`.
pub fn sweep_alongside<R: Send>(
    scenario: &Scenario,
    shares: &[f64],
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
    alongside: impl FnOnce() -> R + Send,
) -> (Result<Sweep, Error>, Option<R>) {
    // On `--threads` workers when given; the plans and simulations inside then use that pool.
    if sim_options.threads.is_some() {
        let inner = SimOptions {
            threads: None,
            ..sim_options.clone()
        };
        let work = || sweep_alongside(scenario, shares, plan_options, &inner, progress, alongside);
        return crate::simulate::on_threads(sim_options.threads, work)
            .unwrap_or_else(|e| (Err(e), None));
    }
    let buffer = scenario.capacity.buffer;
    let mut skipped = Vec::new();
    let mut candidates = Vec::new();
    for &share in shares {
        if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
            skipped.push(SkippedShare {
                share,
                reason: format!("{share} is not a share between 0 and 1"),
            });
        } else if buffer + share > 1.0 + 1e-12 {
            skipped.push(SkippedShare {
                share,
                reason: format!("buffer {buffer} + share {share} exceeds 1"),
            });
        } else {
            candidates.push(share);
        }
    }
    if candidates.is_empty() {
        let refused = Error::setting(crate::error::Setting::Shares, format!(
            "no share of the grid fits next to the buffer {buffer}\n  hint: use shares of at most {}",
            1.0 - buffer
        ));
        return (Err(refused), None);
    }

    // `alongside` counts for one step of the planning phase.
    progress.start("planning", candidates.len() as u64 + 1);
    // Plans solved side by side share the cores (see `PlanOptions::side_by_side`).
    let (_, side_by_side) = plan_options.side_by_side(candidates.len());
    let plan_at = |share: f64| -> SharePlan {
        let options = PlanOptions {
            stability_share: Some(share),
            ..side_by_side.clone()
        };
        let plan = solve_plan(scenario, &options);
        progress.advance(1);
        (share, plan)
    };
    let beside_then_advance = || {
        let out = alongside();
        progress.advance(1);
        out
    };
    let (beside, plans): (R, Vec<SharePlan>) = if !crate::plan::backend::PLANS_IN_PARALLEL {
        // The backend cannot solve two plans at once: one after another.
        let beside = beside_then_advance();
        (
            beside,
            candidates.iter().map(|&share| plan_at(share)).collect(),
        )
    } else {
        rayon::join(beside_then_advance, || {
            candidates.par_iter().map(|&share| plan_at(share)).collect()
        })
    };
    progress.finish();
    (
        settle(scenario, plans, skipped, sim_options, progress),
        Some(beside),
    )
}

/// A point of a grid (a share of the sweep, a capacity of the frontier) after simulation: the
/// re-planned plan there, or why there is none, and the robust strategy searched there.
pub(crate) struct GridPoint {
    pub plan: Option<SharePlanRow>,
    pub plan_note: Option<String>,
    pub robust: Distribution,
    pub robust_reliability: Option<f64>,
    pub robust_search: RobustSearch,
}

/// Simulates a point of a grid: its plan (when the planner found one) and the robust strategy
/// searched with `robust_share` fixed (free when `None`). Infeasibility and planner failures
/// become the point's note; other errors stop the grid.
pub(crate) fn replan_point(
    scenario: &Scenario,
    plan: Result<Plan, Error>,
    robust_share: Option<f64>,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<GridPoint, Error> {
    let (plan, plan_note) = match plan {
        Ok(plan) => (Some(plan), None),
        Err(Error::Infeasible { conflicts }) => (None, Some(infeasible_note(&conflicts))),
        Err(Error::Internal(message)) => (None, Some(format!("the planner failed: {message}"))),
        Err(other) => return Err(other),
    };
    let specs: &[StrategySpec] = if plan.is_some() {
        &[StrategySpec::Plan, StrategySpec::Robust]
    } else {
        &[StrategySpec::Robust]
    };
    let simulation = simulate_at(
        scenario,
        plan.as_ref(),
        specs,
        robust_share,
        sim_options,
        progress,
    )?;
    let result = |name: &str| simulation.strategies.iter().find(|s| s.name == name);
    let robust = result("robust")
        .ok_or_else(|| Error::Internal("the grid's simulation lost `robust`".into()))?;
    let robust_search = robust
        .search
        .clone()
        .ok_or_else(|| Error::Internal("the robust strategy carries no search".into()))?;
    Ok(GridPoint {
        plan: plan.as_ref().map(|plan| SharePlanRow {
            objective: plan.objective,
            status: plan.status,
            gap: plan.gap,
            bound: plan.bound,
            time_limit_reached: plan.time_limit_reached,
            net_value: result("plan").map(|s| s.net_value).unwrap_or_default(),
        }),
        plan_note,
        robust: robust.net_value,
        robust_reliability: robust.deadline_reliability(scenario),
        robust_search,
    })
}

/// Why a point of a grid has no plan, in one line: the planner's conflicts.
pub(crate) fn infeasible_note(conflicts: &[String]) -> String {
    if conflicts.is_empty() {
        "the plan is infeasible".to_string()
    } else {
        format!("the plan is infeasible: {}", conflicts.join("; "))
    }
}

/// Simulates each share's plan and robust strategy and finds the best shares.
fn settle(
    scenario: &Scenario,
    plans: Vec<SharePlan>,
    skipped: Vec<SkippedShare>,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Sweep, Error> {
    let mut rows = Vec::with_capacity(plans.len());
    for (share, plan) in plans {
        let point = replan_point(scenario, plan, Some(share), sim_options, progress)?;
        rows.push(SweepRow {
            share,
            plan: point.plan,
            plan_note: point.plan_note,
            robust: point.robust,
            robust_reliability: point.robust_reliability,
            robust_search: point.robust_search,
        });
    }
    let best_by = |value: &dyn Fn(&SweepRow) -> Option<f64>| {
        rows.iter()
            .filter_map(|row| value(row).map(|v| (row.share, v)))
            .fold(None::<(f64, f64)>, |best, (share, v)| match best {
                Some((_, b)) if b >= v => best,
                _ => Some((share, v)),
            })
            .map(|(share, _)| share)
    };
    let best_p50 = best_by(&|r| Some(r.robust.p50));
    let best_p10 = best_by(&|r| Some(r.robust.p10));
    let plan_best_p50 = best_by(&|r| r.plan.as_ref().map(|p| p.net_value.p50));
    let plan_best_p10 = best_by(&|r| r.plan.as_ref().map(|p| p.net_value.p10));
    Ok(Sweep {
        trials: if sim_options.deterministic {
            1
        } else {
            sim_options.n_trials
        },
        seed: sim_options.seed,
        robust_trials: if sim_options.deterministic {
            1
        } else {
            sim_options.robust.n_train
        },
        robust_budget: sim_options.robust.budget,
        rows,
        skipped,
        best_p50,
        best_p10,
        plan_best_p50,
        plan_best_p10,
    })
}
