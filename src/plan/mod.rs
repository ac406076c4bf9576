//! The planner: a mixed-integer program that allocates engineering capacity per period.
//!
//! `solve_plan` takes a validated scenario and returns a [`Plan`] value; it does no I/O and never
//! prints. The plan is what `tradeoff plan` shows and what the simulator's `plan` strategy replays.
//!
//! - `data`: the scenario reduced to means and per-period numbers; the objective of deliveries;
//! - `model`: the program of SPEC "Planner" as plain rows, with groups that can be relaxed;
//! - `backend`: good_lp backends (microlp, clarabel; CBC and HiGHS behind features);
//! - `heuristic`: list scheduling over priority orders and local search, the incumbent;
//! - `solve`: the order of work within the time limit, status, gap and bound, marginal values;
//! - `normalise`: raw answers to the normalised plan;
//! - `infeasible`: conflicting constraint groups, explained in the scenario's words.
//!
//! Invariants: the objective, its parts, `gap` and `bound` are on the user's objective (constant
//! included), recomputed from the deliveries; `bound` is proven (a relaxation's weak-duality
//! bound or branch and bound's); a returned plan meets every hard constraint.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::error::Error;
use crate::scenario::Scenario;

pub(crate) mod backend;
pub(crate) mod data;
pub(crate) mod heuristic;
pub(crate) mod infeasible;
pub(crate) mod model;
pub(crate) mod normalise;
pub(crate) mod solve;

pub use solve::{build_program, SolveReport};

/// How the planner should run.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Fix the stability share: min = max = X.
    pub stability_share: Option<f64>,
    /// Stop at this relative MIP gap.
    pub gap: f64,
    /// Stop after this many seconds whatever the work done (a safety cap).
    pub time_limit_secs: f64,
    /// The seconds the planner's work limits are sized for (none: `time_limit_secs`). The
    /// report's sweep sizes each share's work for its part of `--time-limit` and keeps the whole
    /// limit as the cap, so a busy machine does not change its plans.
    pub work_secs: Option<f64>,
    /// How `marginal_value` is computed.
    pub marginal: MarginalMethod,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            stability_share: None,
            gap: 1e-4,
            time_limit_secs: 60.0,
            work_secs: None,
            marginal: MarginalMethod::Estimate,
        }
    }
}

impl PlanOptions {
    /// How many of `n` plans are solved at once on the run's threads (1 when the backend cannot
    /// solve two at once), and the options each of them takes then: its work stays sized for
    /// this time limit, so the plans are the same for any thread count, and its clock cap is
    /// the time limit times the plans running at once, so plans sharing the cores do not strike
    /// it more often than one plan alone.
    pub fn side_by_side(&self, n: usize) -> (usize, PlanOptions) {
        let at_once = if backend::PLANS_IN_PARALLEL {
            rayon::current_num_threads().clamp(1, n.max(1))
        } else {
            1
        };
        let options = PlanOptions {
            work_secs: Some(self.work_secs.unwrap_or(self.time_limit_secs)),
            time_limit_secs: self.time_limit_secs * at_once as f64,
            ..self.clone()
        };
        (at_once, options)
    }
}

/// How the value of one more engineer-week is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarginalMethod {
    /// From the LP relaxation's duals.
    Estimate,
    /// Re-solve with one more engineer in each period.
    Exact,
}

/// Whether the plan's optimality is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    Optimal,
    Feasible,
    Infeasible,
}

/// When an initiative starts: `now` (period 1), `next` (2–4), `later` (5+), `unplanned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Now,
    Next,
    Later,
    Unplanned,
}

impl Bucket {
    /// The bucket of an item that first gets work in `start` (1-based), or none.
    pub fn from_start(start: Option<usize>) -> Bucket {
        match start {
            None => Bucket::Unplanned,
            Some(1) => Bucket::Now,
            Some(2..=4) => Bucket::Next,
            Some(_) => Bucket::Later,
        }
    }
}

/// One initiative in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedInitiative {
    pub id: String,
    /// First period with at least 1e-6 of its effort (1-based), or none.
    pub start: Option<usize>,
    /// Period by whose end it is delivered (1-based), or none.
    pub delivery: Option<usize>,
    pub bucket: Bucket,
    /// x[i,t]: share of the item's effort done in each period, `shares[period_idx]`; normalised
    /// (shares below 1e-6 dropped, summing to exactly 1 by the delivery period, all zero when
    /// the item is not delivered in the horizon).
    pub shares: Vec<f64>,
    /// Mean remaining effort in engineer-weeks.
    pub effort: f64,
}

impl PlannedInitiative {
    /// An item of a plan from its normalised shares: its start (the first period with at least
    /// 1e-6 of its effort) and bucket follow from them.
    pub fn new(
        id: String,
        shares: Vec<f64>,
        effort: f64,
        delivery: Option<usize>,
    ) -> PlannedInitiative {
        let start = shares
            .iter()
            .position(|s| *s >= normalise::MIN_SHARE)
            .map(|p| p + 1);
        PlannedInitiative {
            id,
            start,
            delivery,
            bucket: Bucket::from_start(start),
            shares,
            effort,
        }
    }
}

/// One period of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedPeriod {
    /// 1-based.
    pub period: usize,
    pub label: String,
    /// C_t.
    pub capacity: f64,
    /// A_t = C_t (1 − buffer).
    pub allocatable: f64,
    /// The drag share recomputed from the deliveries by the drag law.
    pub drag: f64,
    /// Engineer-weeks of product-class work.
    pub product: f64,
    /// Engineer-weeks of stability-class work.
    pub stability: f64,
    /// Engineer-weeks per kind (keys are kind names).
    pub by_kind: BTreeMap<String, f64>,
    /// Engineer-weeks held back as strategic buffer, C_t − A_t.
    pub buffer: f64,
    /// A_t (1 − drag) − product − stability.
    pub idle: f64,
    /// Objective gained per extra engineer-week of C_t in this period (with teams: of the team
    /// where it is worth most).
    pub marginal_value: f64,
    /// With teams, each team's part of the period, in `[[team]]` order; absent without teams.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<PlannedTeamPeriod>,
}

/// One team's part of a plan period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedTeamPeriod {
    pub id: String,
    /// C_jt.
    pub capacity: f64,
    /// A_jt = C_jt (1 − buffer).
    pub allocatable: f64,
    /// Engineer-weeks of product-class work (the team's shares of its items).
    pub product: f64,
    /// Engineer-weeks of stability-class work.
    pub stability: f64,
    /// A_jt (1 − drag) − product − stability.
    pub idle: f64,
    /// Objective gained per extra engineer-week of this team's C_jt in this period.
    pub marginal_value: f64,
}

/// A capacity plan: what `tradeoff plan` prints and `--plan PLAN.json` reads back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub status: PlanStatus,
    /// Net value: value_earned − cost_of_delay − penalties.
    pub objective: f64,
    /// (bound − objective) / max(1, |objective|).
    pub gap: f64,
    /// Proven upper bound on the objective.
    pub bound: f64,
    pub value_earned: f64,
    pub cost_of_delay: f64,
    pub penalties: f64,
    /// The ring-fence minimum the plan was made with (the simulator's reserved share).
    pub stability_min: f64,
    /// The ring-fence maximum the plan was made with.
    pub stability_max: f64,
    /// True when `--time-limit` stopped the planner before its work limits did: only then may
    /// two runs with the same options give different plans.
    #[serde(default)]
    pub time_limit_reached: bool,
    /// In scenario file order.
    pub initiatives: Vec<PlannedInitiative>,
    pub periods: Vec<PlannedPeriod>,
}

impl Plan {
    /// Indexes of the initiatives in `bucket`, in plan order: by start, then delivery (undelivered
    /// last), then file order.
    pub fn bucket_members(&self, bucket: Bucket) -> Vec<usize> {
        let mut members: Vec<usize> = (0..self.initiatives.len())
            .filter(|&i| self.initiatives[i].bucket == bucket)
            .collect();
        members.sort_by_key(|&i| {
            let p = &self.initiatives[i];
            (p.start, p.delivery.unwrap_or(usize::MAX), i)
        });
        members
    }
}

/// Plans the scenario. Errors: [`Error::Infeasible`] when no plan meets the hard constraints.
pub fn solve_plan(scenario: &Scenario, options: &PlanOptions) -> Result<Plan, Error> {
    solve::solve_plan(scenario, options)
}

/// Plans the scenario with `starts` (plans of the same portfolio, e.g. made with less capacity)
/// as candidates: the plan returned is at least as good as each of them that fits the scenario.
pub fn solve_plan_from(
    scenario: &Scenario,
    options: &PlanOptions,
    starts: &[&Plan],
) -> Result<Plan, Error> {
    solve::solve_plan_from(scenario, options, starts)
}
