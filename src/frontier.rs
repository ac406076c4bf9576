//! What more (or less) capacity buys: at each factor of a grid, scale every team's capacity (or
//! one team's), re-plan, and simulate the re-planned plan and the `robust` strategy found there.
//!
//! The result is the portfolio's efficient frontier: net value (the planner's objective and the
//! robust strategy's P10 / P50 / P90) against engineer-weeks over the horizon, re-solved at
//! every point rather than read off one plan's ranking. Every point is simulated with the same
//! seed, so the points are judged on the same sampled futures, and its robust search on the same
//! training futures. A point where the planner finds no plan keeps its robust row, with the
//! reason, as in the sweep.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::plan::{solve_plan_from, Plan, PlanOptions};
use crate::progress::Progress;
use crate::scenario::Scenario;
use crate::simulate::{Distribution, RobustSearch, SimOptions};
use crate::sweep::SharePlanRow;

/// One point of the frontier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    /// The factor the scaled capacity was multiplied by. Null only in the report's ±1 engineer
    /// points of a team with no capacity today, where no factor gives the new capacity.
    pub factor: Option<f64>,
    /// Σ_t C_t of the scaled scenario: all teams' engineer-weeks over the horizon.
    pub engineer_weeks: f64,
    /// With `--team`, that team's engineer-weeks over the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_weeks: Option<f64>,
    /// The plan re-planned at this capacity; null when the planner finds no plan there.
    pub plan: Option<SharePlanRow>,
    /// Why there is no plan at this point (infeasible, or the planner failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_note: Option<String>,
    /// Simulated net value of the robust strategy searched at this capacity.
    pub robust: Distribution,
    /// The robust strategy's worst hard-deadline and commitment hit rate; null without either.
    pub robust_reliability: Option<f64>,
    /// How that robust strategy was found.
    pub robust_search: RobustSearch,
}

/// Everything `tradeoff frontier` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frontier {
    /// The team whose capacity was scaled; null when every team's (or the one pool's) was.
    pub team: Option<String>,
    pub trials: usize,
    pub seed: u64,
    pub robust_trials: usize,
    pub robust_budget: usize,
    pub points: Vec<FrontierPoint>,
}

/// The default grid: 0.7 to 1.3 by 0.1.
pub fn default_factors() -> Vec<f64> {
    (7..=13).map(|k| k as f64 / 10.0).collect()
}

/// The scenario with the capacity of `team` (every team, or the one pool, when `None`) scaled
/// by `factor` in every period.
pub fn scaled(scenario: &Scenario, team: Option<usize>, factor: f64) -> Scenario {
    let mut out = scenario.clone();
    if out.teams.is_empty() {
        for c in &mut out.capacity.per_period {
            *c *= factor;
        }
        return out;
    }
    for (j, t) in out.teams.iter_mut().enumerate() {
        if team.is_none_or(|k| k == j) {
            for c in &mut t.per_period {
                *c *= factor;
            }
        }
    }
    out.sum_team_capacity();
    out
}

/// The scenario with `engineers` more engineers (−1 for one fewer) in team j in every period:
/// `weeks_per_period` engineer-weeks each (never below 0).
pub fn with_engineers(scenario: &Scenario, team: usize, engineers: f64) -> Scenario {
    let mut out = scenario.clone();
    let step = engineers * scenario.weeks_per_period;
    for c in &mut out.teams[team].per_period {
        *c = (*c + step).max(0.0);
    }
    out.sum_team_capacity();
    out
}

/// Plans and simulates each factor of `factors`. `team` indexes `scenario.teams`.
pub fn frontier(
    scenario: &Scenario,
    factors: &[f64],
    team: Option<usize>,
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Frontier, Error> {
    let variants: Vec<(Option<f64>, Scenario)> = factors
        .iter()
        .map(|&f| (Some(f), scaled(scenario, team, f)))
        .collect();
    Ok(Frontier {
        team: team.map(|j| scenario.teams[j].id.clone()),
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
        points: points(&variants, team, plan_options, sim_options, progress, None)?,
    })
}

/// Plans and simulates each variant of a scenario, (its factor, the scaled scenario); `team`
/// names the scaled team (for `team_weeks`). Each variant's planner starts from `start` and the
/// plans of the variants before it (those the clock did not stop): a plan made for less capacity
/// fits more, so on a rising grid the planner's objective does not fall, whatever its search
/// finds at each point alone. A point's plan therefore depends on the points below it in the grid.
pub fn points(
    variants: &[(Option<f64>, Scenario)],
    team: Option<usize>,
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
    start: Option<&Plan>,
) -> Result<Vec<FrontierPoint>, Error> {
    progress.start("planning", variants.len() as u64);
    // One plan after another: each one's work is sized by the planner's limits, never by the
    // clock, so the plans do not depend on how many run at once.
    let mut plans: Vec<Result<Plan, Error>> = Vec::with_capacity(variants.len());
    for (_, s) in variants {
        let plan = {
            // A plan the clock stopped is no start: it would carry the clock into a point whose
            // own `time_limit_reached` says nothing of it.
            let starts: Vec<&Plan> = start
                .into_iter()
                .chain(plans.iter().filter_map(|p| p.as_ref().ok()))
                .filter(|p| !p.time_limit_reached)
                .collect();
            solve_plan_from(s, plan_options, &starts)
        };
        progress.advance(1);
        plans.push(plan);
    }
    progress.finish();
    variants
        .iter()
        .zip(plans)
        .map(|((factor, s), plan)| point(*factor, s, team, plan, sim_options, progress))
        .collect()
}

/// Simulates one point of a frontier, given its plan (or why there is none).
pub fn point(
    factor: Option<f64>,
    scenario: &Scenario,
    team: Option<usize>,
    plan: Result<Plan, Error>,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<FrontierPoint, Error> {
    let point = crate::sweep::replan_point(scenario, plan, None, sim_options, progress)?;
    Ok(FrontierPoint {
        factor,
        engineer_weeks: scenario.capacity.per_period.iter().sum(),
        team_weeks: team.map(|j| scenario.teams[j].per_period.iter().sum()),
        plan: point.plan,
        plan_note: point.plan_note,
        robust: point.robust,
        robust_reliability: point.robust_reliability,
        robust_search: point.robust_search,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Estimate, Initiative, Kind, Team};

    #[test]
    fn scaling_one_team_keeps_the_others_and_sums_the_capacity_again() {
        let mut s = Scenario::new(
            "teams",
            2,
            0.0,
            vec![Initiative::new("a", Kind::Feature, Estimate::fixed(1.0))],
        );
        s.teams = vec![
            Team {
                id: "a".into(),
                name: "a".into(),
                per_period: vec![10.0, 20.0],
                noise: 0.0,
            },
            Team {
                id: "b".into(),
                name: "b".into(),
                per_period: vec![5.0, 5.0],
                noise: 0.0,
            },
        ];
        let more = scaled(&s, Some(1), 1.2);
        assert_eq!(more.teams[0].per_period, vec![10.0, 20.0]);
        assert_eq!(more.teams[1].per_period, vec![6.0, 6.0]);
        assert_eq!(more.capacity.per_period, vec![16.0, 26.0]);
        let all = scaled(&s, None, 0.5);
        assert_eq!(all.capacity.per_period, vec![7.5, 12.5]);
        let pool = scaled(&Scenario::new("pool", 2, 40.0, Vec::new()), None, 1.1);
        assert!((pool.capacity.per_period[0] - 44.0).abs() < 1e-12);
    }
}
