//! The debt-budget sweep: plan with the stability share fixed at each value of a grid, simulate
//! each plan, and find the shares that maximise P50 and P10 of net value.
//!
//! Plans at different shares are independent and solved in parallel; each plan is then simulated
//! (strategy `plan` only) with the same seed, so every share is judged on the same sampled
//! futures. Shares with buffer + share > 1 and shares where the plan is infeasible are skipped
//! and listed with the reason.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::plan::{solve_plan, Plan, PlanOptions};
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::simulate::{simulate, Distribution, SimOptions, StrategySpec};

/// One share of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub share: f64,
    /// The planner's objective with the share fixed.
    pub plan_objective: f64,
    pub plan_status: crate::plan::PlanStatus,
    /// The plan's proven gap to its bound (0 when optimal).
    pub plan_gap: f64,
    /// The proven upper bound on the planner's objective at this share.
    pub plan_bound: f64,
    /// Simulated net value of that plan.
    pub net_value: Distribution,
}

/// Everything `tradeoff sweep` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    pub trials: usize,
    pub seed: u64,
    pub rows: Vec<SweepRow>,
    /// Shares skipped because buffer + share > 1, or because the plan is infeasible there.
    pub skipped: Vec<SkippedShare>,
    /// The share with the highest P50, and the one with the highest P10.
    pub best_p50: Option<f64>,
    pub best_p10: Option<f64>,
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
/// the buffer, [`Error::Infeasible`] when the plan is infeasible at every share tried.
pub fn sweep(
    scenario: &Scenario,
    shares: &[f64],
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Sweep, Error> {
    with_inner_pool(
        scenario,
        shares,
        plan_options,
        sim_options,
        progress,
        0,
        || (),
    )
    .0
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
    with_inner_pool(
        scenario,
        shares,
        plan_options,
        sim_options,
        progress,
        1,
        alongside,
    )
}

/// Runs the sweep on `--threads` workers when given; `alongside_steps` is what `alongside`
/// counts for in the planning phase's progress (0 for nothing to do).
fn with_inner_pool<R: Send>(
    scenario: &Scenario,
    shares: &[f64],
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
    alongside_steps: u64,
    alongside: impl FnOnce() -> R + Send,
) -> (Result<Sweep, Error>, Option<R>) {
    let inner = SimOptions {
        threads: None,
        ..sim_options.clone()
    };
    let work = || {
        run_sweep(
            scenario,
            shares,
            plan_options,
            &inner,
            progress,
            alongside_steps,
            alongside,
        )
    };
    match sim_options.threads {
        Some(threads) => match rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
        {
            Ok(pool) => pool.install(work),
            Err(e) => (
                Err(Error::Internal(format!(
                    "cannot start {threads} worker threads: {e}"
                ))),
                None,
            ),
        },
        None => work(),
    }
}

fn run_sweep<R: Send>(
    scenario: &Scenario,
    shares: &[f64],
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
    alongside_steps: u64,
    alongside: impl FnOnce() -> R + Send,
) -> (Result<Sweep, Error>, Option<R>) {
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
        let refused = Error::Usage(format!(
            "--shares: no share of the grid fits next to the buffer {buffer}\n  hint: use shares of at most {}",
            1.0 - buffer
        ));
        return (Err(refused), None);
    }

    progress.start("planning", candidates.len() as u64 + alongside_steps);
    let plan_at = |share: f64| -> SharePlan {
        let options = PlanOptions {
            stability_share: Some(share),
            ..plan_options.clone()
        };
        let plan = solve_plan(scenario, &options);
        progress.advance(1);
        (share, plan)
    };
    let beside_then_advance = || {
        let out = alongside();
        progress.advance(alongside_steps);
        out
    };
    let (beside, plans): (R, Vec<SharePlan>) = if cfg!(feature = "cbc") {
        // The CBC library distributions ship is not thread-safe: with CBC compiled in, plans
        // are solved one after another.
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

/// Simulates the plans of the shares and finds the best shares.
fn settle(
    scenario: &Scenario,
    plans: Vec<SharePlan>,
    mut skipped: Vec<SkippedShare>,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Sweep, Error> {
    let mut rows = Vec::new();
    let mut first_conflicts: Option<Vec<String>> = None;
    for (share, plan) in plans {
        match plan {
            Ok(plan) => {
                let simulation = simulate(
                    scenario,
                    Some(&plan),
                    &[StrategySpec::Plan],
                    sim_options,
                    progress,
                )?;
                let net_value = simulation
                    .strategies
                    .first()
                    .map(|s| s.net_value)
                    .unwrap_or_default();
                rows.push(SweepRow {
                    share,
                    plan_objective: plan.objective,
                    plan_status: plan.status,
                    plan_gap: plan.gap,
                    plan_bound: plan.bound,
                    net_value,
                });
            }
            Err(Error::Infeasible { conflicts }) => {
                let reason = if conflicts.is_empty() {
                    "the plan is infeasible".to_string()
                } else {
                    format!("the plan is infeasible: {}", conflicts.join("; "))
                };
                skipped.push(SkippedShare { share, reason });
                first_conflicts.get_or_insert(conflicts);
            }
            Err(Error::Internal(message)) => skipped.push(SkippedShare {
                share,
                reason: format!("the planner failed: {message}"),
            }),
            Err(other) => return Err(other),
        }
    }
    if rows.is_empty() {
        if let Some(conflicts) = first_conflicts {
            return Err(Error::Infeasible { conflicts });
        }
        return Err(Error::Internal(
            "the planner found no plan at any share of the grid".into(),
        ));
    }
    skipped.sort_by(|a, b| a.share.total_cmp(&b.share));
    let best_by = |key: fn(&Distribution) -> f64| {
        rows.iter()
            .fold(None::<&SweepRow>, |best, row| match best {
                Some(b) if key(&b.net_value) >= key(&row.net_value) => Some(b),
                _ => Some(row),
            })
            .map(|row| row.share)
    };
    let best_p50 = best_by(|d| d.p50);
    let best_p10 = best_by(|d| d.p10);
    Ok(Sweep {
        trials: if sim_options.deterministic {
            1
        } else {
            sim_options.n_trials
        },
        seed: sim_options.seed,
        rows,
        skipped,
        best_p50,
        best_p10,
    })
}
