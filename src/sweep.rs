//! The debt-budget sweep: plan with the stability share fixed at each value of a grid, simulate
//! each plan, and find the shares that maximise P50 and P10 of net value.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::plan::PlanOptions;
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::simulate::{Distribution, SimOptions};

/// One share of the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub share: f64,
    /// The planner's objective with the share fixed.
    pub plan_objective: f64,
    pub plan_status: crate::plan::PlanStatus,
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

/// The default grid: 0 to 0.5 by 0.05.
pub fn default_shares() -> Vec<f64> {
    (0..=10).map(|k| k as f64 * 0.05).collect()
}

/// Runs the sweep over `shares`.
pub fn sweep(
    scenario: &Scenario,
    shares: &[f64],
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Sweep, Error> {
    let _ = (scenario, shares, plan_options, sim_options, progress);
    Err(Error::NotImplemented("the sweep"))
}
