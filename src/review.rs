//! A review: everything the strategy-review report shows — the plan for the mean future, the
//! simulation of the default strategies, the debt-budget sweep and the sensitivity of the
//! recommended strategy — and the decision drawn from them: the recommended strategy and what
//! optimising is worth. Pure computation, values in and values out: no files, no printing
//! ([`crate::report`] formats and draws a review, and writes it; the recommendation's one-line
//! reason borrows only its way of writing amounts and shares, `report::charts::style`).
//!
//! [`compute`] makes the whole review; [`recommend`], [`optimising_worth`] and [`sensitivity`]
//! are its parts, and [`objectives_review`] the OKR roll-up it shows.
//!
//! # Sensitivity
//!
//! Sensitivity of net value to ±20% on the major inputs: the numbers behind the tornado chart.
//!
//! One input at a time is scaled down and up (capacity, every item's effort, every item's value,
//! every item's risk if deferred, the debt drag growth, and the value of the three initiatives
//! whose value moves net value most), and the chosen strategy is replayed on the same sampled
//! futures (same seed, common random numbers) as the unscaled scenario. The plan is held fixed:
//! the question is how much the recommended course of action is exposed to estimation error,
//! not what the optimum would be under other inputs.
//!
//! The `robust` strategy is held fixed the same way: the analysis replays the priority order and
//! stability share its search found, as a fixed order (like a `[[strategy]]` entry), on every
//! scaled scenario ([`Replayed::Order`]). It never re-runs the search per input: that would take
//! one search per replay (about twenty), and it would answer a different question (what the
//! optimiser would pick under other inputs) than the one the tornado asks. Rule-based strategies
//! (WSJF, features-first, …) are compiled afresh for each scaled scenario, so their order follows
//! the scaled estimates as the rule says.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::plan::{solve_plan, Plan, PlanOptions};
use crate::progress::{Progress, Silent};
use crate::report::charts::style;
use crate::scenario::{Risk, Scenario};
use crate::simulate::strategy::priority_strategy;
use crate::simulate::{
    engine, robust, simulate, RobustOptions, RobustSearch, SimOptions, Simulation, StrategySpec,
};
use crate::sweep::{self, Sweep};

/// Sampled futures per sensitivity replay, at most (the headline simulation uses `--trials`).
pub const SENSITIVITY_TRIALS: usize = 2_000;

/// The least time the sweep gives the planner for one share, in seconds.
pub const SWEEP_MIN_TIME_LIMIT_SECS: f64 = 1.0;

/// The fewest replays of the training set the report's sweep gives one share's robust search.
pub const SWEEP_MIN_ROBUST_BUDGET: usize = 1_000;

/// A strategy is not recommended when its worst deadline or commitment is met this much less
/// often than under the most reliable strategy.
pub const RELIABILITY_TOLERANCE: f64 = 0.05;

/// A review: everything the report shows.
pub struct ReportData<'a> {
    pub scenario: &'a Scenario,
    pub plan: Plan,
    pub simulation: Simulation,
    pub sweep: Sweep,
    /// The planner's time limit for each share of the sweep, in seconds.
    pub sweep_time_limit_secs: f64,
    pub sensitivity: Sensitivity,
    pub recommendation: Option<Recommendation>,
    /// With teams: what one engineer more or fewer in each team is worth, in `[[team]]` order.
    pub teams: Vec<TeamOutlook>,
    /// With `report --previous`: what changed since the last review.
    pub since: Option<Since<'a>>,
}

/// What changed since the last review: the previous scenario diffed against this one.
pub struct Since<'a> {
    pub previous: &'a Scenario,
    pub diff: crate::diff::Diff,
}

/// Diffs `previous` against the report's scenario, reusing the report's main plan (solved with
/// the same options the diff plans with).
pub fn since<'a>(
    previous: &'a Scenario,
    data: &ReportData,
    plan_options: &PlanOptions,
    progress: &dyn Progress,
) -> Result<Since<'a>, Error> {
    let diff = crate::diff::diff_with_plan(
        previous,
        data.scenario,
        Ok(data.plan.clone()),
        plan_options,
        progress,
    )?;
    Ok(Since { previous, diff })
}

/// One team's frontier over ±1 engineer: one fewer, today's capacity, one more (each
/// `weeks_per_period` engineer-weeks per period), each re-planned and simulated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamOutlook {
    pub id: String,
    pub name: String,
    /// Engineers today, on average over the horizon (capacity ÷ weeks_per_period).
    pub engineers: f64,
    /// −1 engineer, today, +1 engineer.
    pub points: Vec<crate::frontier::FrontierPoint>,
}

impl TeamOutlook {
    /// The planner's objective gained by one more engineer over the horizon (re-planned, not a
    /// dual); none when either plan is missing.
    pub fn next_engineer_plan(&self) -> Option<f64> {
        let objective = |k: usize| self.points.get(k)?.plan.as_ref().map(|p| p.objective);
        Some(objective(2)? - objective(1)?)
    }

    /// The robust strategy's P50 gained by one more engineer.
    pub fn next_engineer_robust(&self) -> Option<f64> {
        Some(self.points.get(2)?.robust.p50 - self.points.get(1)?.robust.p50)
    }

    /// The planner's objective lost with one engineer fewer.
    pub fn one_fewer_plan(&self) -> Option<f64> {
        let objective = |k: usize| self.points.get(k)?.plan.as_ref().map(|p| p.objective);
        Some(objective(1)? - objective(0)?)
    }
}

/// The teams ranked by what one more engineer is worth to the plan (re-planned), best first;
/// teams without both plans last, in `[[team]]` order.
pub fn ranked_teams(teams: &[TeamOutlook]) -> Vec<&TeamOutlook> {
    let mut ranked: Vec<&TeamOutlook> = teams.iter().collect();
    ranked.sort_by(|a, b| {
        let key = |t: &TeamOutlook| t.next_engineer_plan().unwrap_or(f64::NEG_INFINITY);
        key(b).total_cmp(&key(a))
    });
    ranked
}

/// Each team's ±1 engineer frontier. Today's point is the report's own plan (`plan`), simulated
/// once and shared; the others are re-planned starting from it, so one more engineer never
/// reads as a loss because a shorter search found less.
fn team_outlooks(
    scenario: &Scenario,
    plan: &Plan,
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Vec<TeamOutlook>, Error> {
    if scenario.teams.is_empty() {
        return Ok(Vec::new());
    }
    let today = crate::frontier::point(
        Some(1.0),
        scenario,
        None,
        Ok(plan.clone()),
        sim_options,
        progress,
    )?;
    let mut out = Vec::with_capacity(scenario.teams.len());
    for (j, team) in scenario.teams.iter().enumerate() {
        let weeks: f64 = team.per_period.iter().sum();
        // The factor is the new capacity over today's; none for a team with no capacity today.
        let variants: Vec<(Option<f64>, Scenario)> = [-1.0, 1.0]
            .iter()
            .map(|&engineers| {
                let s = crate::frontier::with_engineers(scenario, j, engineers);
                let factor =
                    (weeks > 0.0).then(|| s.teams[j].per_period.iter().sum::<f64>() / weeks);
                (factor, s)
            })
            .collect();
        let mut around = crate::frontier::points(
            &variants,
            Some(j),
            plan_options,
            sim_options,
            progress,
            Some(plan),
        )?;
        let mut middle = today.clone();
        middle.team_weeks = Some(weeks);
        around.insert(1, middle);
        out.push(TeamOutlook {
            id: team.id.clone(),
            name: team.name.clone(),
            engineers: weeks / scenario.periods.max(1) as f64 / scenario.weeks_per_period,
            points: around,
        });
    }
    Ok(out)
}

/// Computes every result the report shows: the plan, the simulation of the default strategies,
/// the debt-budget sweep and the sensitivity of the recommended strategy.
pub fn compute<'a>(
    scenario: &'a Scenario,
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    progress: &dyn Progress,
) -> Result<ReportData<'a>, Error> {
    // The sweep plans once per share: each share's work is sized for its part of one
    // `--time-limit`, so the report takes about as long as one plan; the whole limit stays the
    // cap of each, so a busy machine does not change the plans.
    let shares = sweep::default_shares();
    let sweep_time_limit_secs = (plan_options.time_limit_secs / shares.len() as f64)
        .max(SWEEP_MIN_TIME_LIMIT_SECS)
        .min(plan_options.time_limit_secs);
    let sweep_plan_options = PlanOptions {
        work_secs: Some(sweep_time_limit_secs),
        ..plan_options.clone()
    };
    // Likewise the robust searches: the shares share one `--robust-budget` (at least
    // `SWEEP_MIN_ROBUST_BUDGET` each), so the sweep searches about as long as the main search.
    let budget = sim_options.robust.budget;
    let sweep_sim_options = SimOptions {
        robust: RobustOptions {
            budget: (budget / shares.len())
                .max(SWEEP_MIN_ROBUST_BUDGET)
                .min(budget),
            ..sim_options.robust
        },
        ..sim_options.clone()
    };
    // The main plan is solved beside the sweep's plans: each plan is single-threaded, so the
    // main plan and the shares keep every core busy.
    let (sweep, plan) = sweep::sweep_alongside(
        scenario,
        &shares,
        &sweep_plan_options,
        &sweep_sim_options,
        progress,
        || solve_plan(scenario, plan_options),
    );
    // The plan's own errors (an infeasible scenario) come first, as if it had been solved alone.
    let plan = match plan {
        Some(plan) => plan?,
        None => solve_plan(scenario, plan_options)?,
    };
    let sweep = sweep?;
    let specs = StrategySpec::defaults(scenario);
    let simulation = simulate(scenario, Some(&plan), &specs, sim_options, progress)?;
    let recommendation = recommend(scenario, &simulation);
    let replayed = Replayed::recommended(scenario, &specs, &simulation, recommendation.as_ref())?;
    let sens_options = SimOptions {
        n_trials: sim_options.n_trials.min(SENSITIVITY_TRIALS),
        ..sim_options.clone()
    };
    let sensitivity = sensitivity_replaying(
        scenario,
        Some(&plan),
        &replayed,
        &sens_options,
        DEFAULT_DELTA,
        progress,
    )?;
    // With teams, each team's ±1 engineer frontier, planned and searched like a share of the
    // sweep (its part of the time limit and of the robust budget).
    let teams = team_outlooks(
        scenario,
        &plan,
        &sweep_plan_options,
        &sweep_sim_options,
        progress,
    )?;
    Ok(ReportData {
        scenario,
        plan,
        simulation,
        sweep,
        sweep_time_limit_secs,
        sensitivity,
        recommendation,
        teams,
        since: None,
    })
}

/// The report's OKR roll-up: the plan's by objective, and the recommended strategy's outcome
/// per objective (its mean value earned and the chance all its items are delivered).
pub struct ObjectivesReview<'a> {
    pub rollup: crate::objectives::PlanObjectives,
    /// The recommended strategy, when there is one and it was rolled up.
    pub recommended: Option<&'a crate::simulate::StrategyResult>,
}

/// The report's roll-up by objective; none when the scenario has no objectives.
pub fn objectives_review<'a>(data: &'a ReportData) -> Option<ObjectivesReview<'a>> {
    let rollup = crate::objectives::plan_objectives(data.scenario, &data.plan)?;
    let recommended = data
        .recommendation
        .as_ref()
        .and_then(|r| data.simulation.strategies.get(r.index))
        .filter(|r| r.objectives.len() == rollup.objectives.len());
    Some(ObjectivesReview {
        rollup,
        recommended,
    })
}

/// The strategy the report recommends, and the numbers that make the case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub strategy: String,
    /// Position in the simulation's strategies.
    pub index: usize,
    pub mean: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub p_best: f64,
    /// The lowest chance, over hard deadlines and commitments, that the item is delivered in
    /// time; none when the scenario has neither.
    pub deadline_reliability: Option<f64>,
    pub runner_up: Option<RunnerUp>,
    /// Strategies passed over because they miss hard deadlines or commitments more often.
    pub excluded: Vec<Excluded>,
    /// The case in one sentence.
    pub reason: String,
}

/// The second-best eligible strategy and the paired difference to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerUp {
    pub strategy: String,
    pub mean: f64,
    /// Mean of (recommended − runner-up) over the same sampled futures.
    pub mean_diff: f64,
    /// Its standard error.
    pub se: f64,
}

/// A strategy left out of the recommendation, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub strategy: String,
    pub mean: f64,
    pub deadline_reliability: f64,
}

/// The lowest chance over hard deadlines and commitments under strategy `s`; none when the
/// scenario has neither (soft deadlines are priced by their penalty instead).
pub fn reliability(scenario: &Scenario, sim: &Simulation, s: usize) -> Option<f64> {
    sim.strategies[s].deadline_reliability(scenario)
}

/// Picks the strategy with the highest mean net value among those that meet hard deadlines and
/// commitments about as reliably as the best (within [`RELIABILITY_TOLERANCE`]); ties go to the
/// higher P10, then to the earlier strategy.
pub fn recommend(scenario: &Scenario, sim: &Simulation) -> Option<Recommendation> {
    let n = sim.strategies.len();
    if n == 0 {
        return None;
    }
    let rel: Vec<Option<f64>> = (0..n).map(|s| reliability(scenario, sim, s)).collect();
    let best_rel = rel
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let eligible = |s: usize| rel[s].is_none_or(|r| r >= best_rel - RELIABILITY_TOLERANCE - 1e-12);
    let mut ranked: Vec<usize> = (0..n).filter(|&s| eligible(s)).collect();
    ranked.sort_by(|&a, &b| {
        let (da, db) = (&sim.strategies[a].net_value, &sim.strategies[b].net_value);
        db.mean
            .total_cmp(&da.mean)
            .then(db.p10.total_cmp(&da.p10))
            .then(a.cmp(&b))
    });
    let &best = ranked.first()?;
    let r = &sim.strategies[best];
    let runner_up = ranked.get(1).map(|&s| {
        let other = &sim.strategies[s];
        let paired = sim
            .paired
            .iter()
            .find(|p| p.a == r.name && p.b == other.name);
        RunnerUp {
            strategy: other.name.clone(),
            mean: other.net_value.mean,
            mean_diff: paired.map_or(r.net_value.mean - other.net_value.mean, |p| p.mean_diff),
            se: paired.map_or(0.0, |p| p.se),
        }
    });
    let excluded: Vec<Excluded> = (0..n)
        .filter(|&s| !eligible(s))
        .map(|s| Excluded {
            strategy: sim.strategies[s].name.clone(),
            mean: sim.strategies[s].net_value.mean,
            deadline_reliability: rel[s].unwrap_or(1.0),
        })
        .collect();
    let cur = &scenario.currency;
    let money = |x: f64| style::money(x, cur);
    // Nothing to choose between two strategies that earn the same in every sampled future.
    let tied = runner_up.as_ref().is_some_and(|u| {
        u.mean_diff.abs() <= 1e-9 * r.net_value.mean.abs().max(1.0) && u.se <= 1e-9
    });
    let reason = match (tied, &runner_up) {
        (true, Some(u)) => format!(
            "{} and {} earn the same in every sampled future, {} on average (median {}, P10 {}): \
             nothing separates them in this scenario, and {} is shown first",
            r.name,
            u.strategy,
            money(r.net_value.mean),
            money(r.net_value.p50),
            money(r.net_value.p10),
            r.name
        ),
        _ => ranked_reason(r, rel[best].is_some(), runner_up.as_ref(), &money),
    };
    Some(Recommendation {
        strategy: r.name.clone(),
        index: best,
        mean: r.net_value.mean,
        p10: r.net_value.p10,
        p50: r.net_value.p50,
        p90: r.net_value.p90,
        p_best: r.p_best,
        deadline_reliability: rel[best],
        runner_up,
        excluded,
        reason,
    })
}

/// Why the pick wins, in numbers: its value, the runner-up's distance and the chance it is best.
fn ranked_reason(
    r: &crate::simulate::StrategyResult,
    has_deadlines: bool,
    runner_up: Option<&RunnerUp>,
    money: &dyn Fn(f64) -> String,
) -> String {
    let mut reason = format!(
        "{} has the highest expected net value, {} (median {}, P10 {}),",
        r.name,
        money(r.net_value.mean),
        money(r.net_value.p50),
        money(r.net_value.p10)
    );
    if has_deadlines {
        reason.push_str(" among the strategies that meet hard deadlines and commitments as reliably as the best,");
    }
    match runner_up {
        Some(u) => reason.push_str(&format!(
            " ahead of {} by {} ± {} (two standard errors) on the same sampled futures, and is the best strategy in {} of them",
            u.strategy,
            money(u.mean_diff),
            money(2.0 * u.se),
            style::percent(r.p_best)
        )),
        None => reason.push_str(" and is the only strategy that qualifies"),
    }
    reason
}

/// What optimising is worth: `robust` against the best strategy the scenario's authors wrote and
/// against `plan`, as paired mean differences over the run's sampled futures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimisingWorth {
    /// The optimised strategy, `robust`.
    pub strategy: String,
    /// `robust` − the best (highest mean) `[[strategy]]` of the scenario, or without any the best
    /// built-in rule (wsjf, features-first, debt-first, …; never `plan` or `robust`).
    pub vs_best_written: Option<Gain>,
    /// `robust` − `plan`, the optimum for the mean future.
    pub vs_plan: Option<Gain>,
}

/// A paired difference of mean net value against one baseline strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gain {
    pub baseline: String,
    /// Where the baseline comes from: `scenario` (a `[[strategy]]`), `built-in` or `plan`.
    pub source: &'static str,
    pub baseline_mean: f64,
    /// Mean of (strategy − baseline) over the same sampled futures.
    pub mean_diff: f64,
    /// Its standard error (0 for one trial).
    pub se: f64,
}

/// What optimising is worth in this simulation; none without a `robust` strategy.
pub fn optimising_worth(scenario: &Scenario, sim: &Simulation) -> Option<OptimisingWorth> {
    let name = StrategySpec::Robust.name(scenario);
    let robust = sim.strategies.iter().find(|s| s.name == name)?;
    let gain = |baseline: &crate::simulate::StrategyResult, source: &'static str| {
        let paired = sim
            .paired
            .iter()
            .find(|p| p.a == robust.name && p.b == baseline.name)?;
        Some(Gain {
            baseline: baseline.name.clone(),
            source,
            baseline_mean: baseline.net_value.mean,
            mean_diff: paired.mean_diff,
            se: paired.se,
        })
    };
    let best_of = |keep: &dyn Fn(&str) -> bool| {
        sim.strategies
            .iter()
            .filter(|s| keep(&s.name))
            .reduce(|a, b| {
                if b.net_value.mean > a.net_value.mean {
                    b
                } else {
                    a
                }
            })
    };
    let written = |n: &str| scenario.strategies.iter().any(|c| c.name == n);
    let plan_name = StrategySpec::Plan.name(scenario);
    let vs_best_written = match best_of(&written) {
        Some(best) => gain(best, "scenario"),
        None => best_of(&|n: &str| n != name && n != plan_name).and_then(|b| gain(b, "built-in")),
    };
    let vs_plan = sim
        .strategies
        .iter()
        .find(|s| s.name == plan_name)
        .and_then(|p| gain(p, "plan"));
    Some(OptimisingWorth {
        strategy: name,
        vs_best_written,
        vs_plan,
    })
}

/// The relative change the sensitivity analysis applies to each input, down and up.
pub const DEFAULT_DELTA: f64 = 0.2;

/// How many initiatives get a row of their own in the sensitivity analysis.
pub const TOP_INITIATIVES: usize = 3;

/// Mean net value with one input scaled down and up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    /// A stable key: `capacity`, `effort`, `value`, `risk`, `drag_growth` or `value:ID`.
    pub input: String,
    /// What a person reads, e.g. "Capacity" or "Value of SSO for enterprise".
    pub label: String,
    /// Mean net value with the input × (1 − delta).
    pub low: f64,
    /// Mean net value with the input × (1 + delta).
    pub high: f64,
}

impl SensitivityRow {
    /// How far net value moves between the two ends.
    pub fn swing(&self) -> f64 {
        (self.high - self.low).abs()
    }
}

/// The tornado's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The strategy replayed, by name.
    pub strategy: String,
    /// The relative change, e.g. 0.2 for ±20%.
    pub delta: f64,
    /// Sampled futures per replay (1 when deterministic).
    pub trials: usize,
    pub seed: u64,
    pub deterministic: bool,
    /// Mean net value with the scenario as written.
    pub base: f64,
    /// The fixed order and share replayed, when the strategy is `robust` (its search's answer on
    /// the scenario as written, not searched again per input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed_order: Option<FixedOrder>,
    /// Largest swing first.
    pub rows: Vec<SensitivityRow>,
}

/// A priority order replayed as it is, with its reserved stability share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixedOrder {
    /// Initiative ids, highest priority first.
    pub order: Vec<String>,
    pub stability_share: f64,
}

/// What the analysis replays on every scaled scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Replayed<'a> {
    /// A strategy as named, compiled for each scaled scenario (`plan` needs the plan).
    Spec(&'a StrategySpec),
    /// A fixed priority order over initiative indexes, with its share, under `name`.
    Order {
        name: String,
        order: Vec<u32>,
        share: f64,
    },
}

impl<'a> Replayed<'a> {
    /// What the sensitivity analysis replays for the recommended strategy of `simulation` (run
    /// with `specs`; `plan` without a recommendation). `robust` is replayed as the order and
    /// share its search found, never searched again per scaled input (see [`sensitivity`]).
    pub fn recommended(
        scenario: &Scenario,
        specs: &'a [StrategySpec],
        simulation: &Simulation,
        recommendation: Option<&Recommendation>,
    ) -> Result<Replayed<'a>, Error> {
        let spec = recommendation
            .and_then(|r| specs.get(r.index))
            .unwrap_or(&StrategySpec::Plan);
        let search = recommendation
            .and_then(|r| simulation.strategies.get(r.index))
            .and_then(|r| r.search.as_ref());
        match (spec, search) {
            (StrategySpec::Robust, Some(search)) => Replayed::robust(scenario, search),
            _ => Ok(Replayed::Spec(spec)),
        }
    }

    /// The `robust` search's answer as a fixed order; an error names an id the scenario lacks.
    pub fn robust(scenario: &Scenario, search: &RobustSearch) -> Result<Replayed<'static>, Error> {
        let order = search
            .order
            .iter()
            .map(|id| {
                scenario
                    .initiatives
                    .iter()
                    .position(|it| &it.id == id)
                    .map(|i| i as u32)
                    .ok_or_else(|| {
                        Error::Internal(format!(
                            "the robust search's order names `{id}`, which is not an initiative"
                        ))
                    })
            })
            .collect::<Result<Vec<u32>, Error>>()?;
        Ok(Replayed::Order {
            name: StrategySpec::Robust.name(scenario),
            order,
            share: search.stability_share,
        })
    }

    fn name(&self, scenario: &Scenario) -> String {
        match self {
            Replayed::Spec(spec) => spec.name(scenario),
            Replayed::Order { name, .. } => name.clone(),
        }
    }

    fn fixed_order(&self, scenario: &Scenario) -> Option<FixedOrder> {
        match self {
            Replayed::Spec(_) => None,
            Replayed::Order { order, share, .. } => Some(FixedOrder {
                order: order
                    .iter()
                    .map(|&i| scenario.initiatives[i as usize].id.clone())
                    .collect(),
                stability_share: *share,
            }),
        }
    }
}

impl Sensitivity {
    /// The row with the largest swing, if any.
    pub fn top(&self) -> Option<&SensitivityRow> {
        self.rows.first()
    }
}

/// One input the analysis scales.
#[derive(Debug, Clone, PartialEq)]
enum Input {
    Capacity,
    Effort,
    Value,
    Risk,
    DragGrowth,
    InitiativeValue(usize),
}

impl Input {
    fn key(&self, scenario: &Scenario) -> String {
        match self {
            Input::Capacity => "capacity".into(),
            Input::Effort => "effort".into(),
            Input::Value => "value".into(),
            Input::Risk => "risk".into(),
            Input::DragGrowth => "drag_growth".into(),
            Input::InitiativeValue(i) => format!("value:{}", scenario.initiatives[*i].id),
        }
    }

    fn label(&self, scenario: &Scenario) -> String {
        match self {
            Input::Capacity => "Capacity (engineer-weeks)".into(),
            Input::Effort => "Effort of every item".into(),
            Input::Value => "Value of every item".into(),
            Input::Risk => "Risk if deferred".into(),
            Input::DragGrowth => "Debt drag growth".into(),
            Input::InitiativeValue(i) => format!("Value of {}", scenario.initiatives[*i].name),
        }
    }

    /// Whether scaling this input can change anything in the scenario.
    fn present(&self, scenario: &Scenario) -> bool {
        let items = &scenario.initiatives;
        match self {
            Input::Capacity => scenario.capacity.per_period.iter().any(|&c| c > 0.0),
            Input::Effort => !items.is_empty(),
            Input::Value => items
                .iter()
                .any(|i| i.value.mean() != 0.0 || i.one_time_value.mean() != 0.0),
            Input::Risk => items.iter().any(|i| i.cost_of_delay_mean() > 0.0),
            Input::DragGrowth => scenario.debt.growth.high > 0.0,
            Input::InitiativeValue(k) => {
                let i = &items[*k];
                i.value.mean() != 0.0 || i.one_time_value.mean() != 0.0
            }
        }
    }

    /// A copy of the scenario with this input multiplied by `factor`.
    fn apply(&self, scenario: &Scenario, factor: f64) -> Scenario {
        let mut s = scenario.clone();
        match self {
            // Every team's capacity with teams (the pool's is their sum), else the one pool's.
            Input::Capacity => return crate::frontier::scaled(scenario, None, factor),
            Input::Effort => {
                for i in &mut s.initiatives {
                    i.effort = i.effort.scaled(factor);
                }
            }
            Input::Value => {
                for i in &mut s.initiatives {
                    i.value = i.value.scaled(factor);
                    i.one_time_value = i.one_time_value.scaled(factor);
                }
            }
            Input::Risk => {
                for i in &mut s.initiatives {
                    i.risk = i.risk.map(|r| scale_risk(r, factor));
                }
            }
            Input::DragGrowth => s.debt.growth = s.debt.growth.scaled(factor),
            Input::InitiativeValue(k) => {
                let i = &mut s.initiatives[*k];
                i.value = i.value.scaled(factor);
                i.one_time_value = i.one_time_value.scaled(factor);
            }
        }
        s
    }
}

/// Scales the expected loss: the per-period number, or an incident's impact (a probability
/// scaled up could leave [0, 1]).
fn scale_risk(risk: Risk, factor: f64) -> Risk {
    match risk {
        Risk::PerPeriod(e) => Risk::PerPeriod(e.scaled(factor)),
        Risk::Incident {
            probability,
            impact,
        } => Risk::Incident {
            probability,
            impact: impact.scaled(factor),
        },
    }
}

/// Runs the analysis: `strategy` replayed with `options` (use fewer trials than the headline
/// simulation to stay fast; the seed keeps the sampled futures common), `plan` required for
/// [`StrategySpec::Plan`]. For [`StrategySpec::Robust`] the search runs once, on the scenario as
/// written, and its order is then held fixed (see the module's documentation); when the search has
/// already run, pass its answer to [`sensitivity_replaying`] instead. Progress: one step per
/// replay.
pub fn sensitivity(
    scenario: &Scenario,
    plan: Option<&Plan>,
    strategy: &StrategySpec,
    options: &SimOptions,
    delta: f64,
    progress: &dyn Progress,
) -> Result<Sensitivity, Error> {
    if *strategy == StrategySpec::Robust {
        let found = robust::search(scenario, plan, None, options, &options.robust, progress)?;
        let replayed = Replayed::robust(scenario, &found.search)?;
        return sensitivity_replaying(scenario, plan, &replayed, options, delta, progress);
    }
    sensitivity_replaying(
        scenario,
        plan,
        &Replayed::Spec(strategy),
        options,
        delta,
        progress,
    )
}

/// [`sensitivity`] for a strategy or a fixed order.
pub fn sensitivity_replaying(
    scenario: &Scenario,
    plan: Option<&Plan>,
    replayed: &Replayed,
    options: &SimOptions,
    delta: f64,
    progress: &dyn Progress,
) -> Result<Sensitivity, Error> {
    if *replayed == Replayed::Spec(&StrategySpec::Robust) {
        // Searched once, then held fixed: never a search per replay.
        return sensitivity(
            scenario,
            plan,
            &StrategySpec::Robust,
            options,
            delta,
            progress,
        );
    }
    let mean_net = |s: &Scenario, opts: &SimOptions| -> Result<f64, Error> {
        let sim = match replayed {
            Replayed::Spec(spec) => simulate(s, plan, std::slice::from_ref(*spec), opts, &Silent)?,
            Replayed::Order { name, order, share } => {
                let strategy = priority_strategy(name.clone(), order.clone(), *share, s);
                engine::run(s, &[strategy], opts, &Silent)?
            }
        };
        sim.strategies
            .first()
            .map(|r| r.net_value.mean)
            .ok_or_else(|| Error::Internal("the sensitivity replay returned no strategy".into()))
    };

    let mut inputs: Vec<Input> = [
        Input::Capacity,
        Input::Effort,
        Input::Value,
        Input::Risk,
        Input::DragGrowth,
    ]
    .into_iter()
    .filter(|i| i.present(scenario))
    .collect();

    // Screen every initiative's value with cheap deterministic replays; keep the top three.
    let screen = SimOptions {
        n_trials: 1,
        seed: options.seed,
        threads: options.threads,
        deterministic: true,
        robust: options.robust,
    };
    let candidates: Vec<usize> = (0..scenario.initiatives.len())
        .filter(|&k| Input::InitiativeValue(k).present(scenario))
        .collect();
    let total = (candidates.len() + 1 + 2 * (inputs.len() + TOP_INITIATIVES) + 1) as u64;
    progress.start("sensitivity", total);
    let screen_base = mean_net(scenario, &screen)?;
    progress.advance(1);
    let mut screened: Vec<(usize, f64)> = Vec::with_capacity(candidates.len());
    for k in candidates {
        let up = mean_net(
            &Input::InitiativeValue(k).apply(scenario, 1.0 + delta),
            &screen,
        )?;
        screened.push((k, (up - screen_base).abs()));
        progress.advance(1);
    }
    screened.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    inputs.extend(
        screened
            .iter()
            .filter(|&&(_, swing)| swing > 0.0)
            .take(TOP_INITIATIVES)
            .map(|&(k, _)| Input::InitiativeValue(k)),
    );

    let base = mean_net(scenario, options)?;
    progress.advance(1);
    let mut rows = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let low = mean_net(&input.apply(scenario, 1.0 - delta), options)?;
        progress.advance(1);
        let high = mean_net(&input.apply(scenario, 1.0 + delta), options)?;
        progress.advance(1);
        rows.push(SensitivityRow {
            input: input.key(scenario),
            label: input.label(scenario),
            low,
            high,
        });
    }
    progress.finish();
    sort_rows(&mut rows);

    Ok(Sensitivity {
        strategy: replayed.name(scenario),
        replayed_order: replayed.fixed_order(scenario),
        delta,
        trials: if options.deterministic {
            1
        } else {
            options.n_trials
        },
        seed: options.seed,
        deterministic: options.deterministic,
        base,
        rows,
    })
}

/// Largest swing first; ties keep their order.
pub fn sort_rows(rows: &mut [SensitivityRow]) {
    rows.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::fixture;

    /// The fixture without its `robust` strategy (and the pairs that name it).
    fn without_robust(mut sim: Simulation) -> Simulation {
        sim.strategies.retain(|s| s.name != "robust");
        sim.paired.retain(|p| p.a != "robust" && p.b != "robust");
        sim
    }

    #[test]
    fn names_a_tie_when_two_strategies_earn_the_same_in_every_future() {
        let scenario = fixture::scenario(8);
        let mut sim = without_robust(fixture::simulation(&scenario));
        // debt-first becomes plan's twin: the same outcomes, so every paired difference is 0 ± 0.
        let mut twin = sim.strategies[0].clone();
        twin.name = "debt-first".into();
        sim.strategies[3] = twin;
        for p in &mut sim.paired {
            if (p.a == "plan" && p.b == "debt-first") || (p.a == "debt-first" && p.b == "plan") {
                p.mean_diff = 0.0;
                p.se = 0.0;
            }
        }
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "plan");
        assert!(
            rec.reason
                .starts_with("plan and debt-first earn the same in every sampled future"),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn recommends_the_best_mean_among_reliable_strategies() {
        let scenario = fixture::scenario(8);
        let sim = without_robust(fixture::simulation(&scenario));
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        // plan and debt-first meet the GDPR deadline in 50% of futures, the others far less.
        assert_eq!(rec.strategy, "plan");
        assert_eq!(
            rec.runner_up.as_ref().map(|u| u.strategy.as_str()),
            Some("debt-first")
        );
        let excluded: Vec<&str> = rec.excluded.iter().map(|e| e.strategy.as_str()).collect();
        assert_eq!(excluded, ["wsjf", "features-first", "CTO proposal"]);
        assert!((rec.deadline_reliability.unwrap() - 0.5).abs() < 1e-9);
        assert!(rec
            .reason
            .starts_with("plan has the highest expected net value"));
    }

    #[test]
    fn robust_is_recommended_like_any_other_strategy() {
        let scenario = fixture::scenario(8);
        let mut sim = fixture::simulation(&scenario);
        // As reliable as plan and with the highest mean: robust wins, plan is the runner-up.
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "robust");
        assert_eq!(rec.index, 5);
        assert_eq!(
            rec.runner_up.as_ref().map(|u| u.strategy.as_str()),
            Some("plan")
        );
        // Less reliable than the rest allow, it is passed over like any other.
        let wsjf = sim.strategies[1].initiatives.clone();
        sim.strategies[5].initiatives = wsjf;
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "plan");
        assert!(rec.excluded.iter().any(|e| e.strategy == "robust"));
    }

    #[test]
    fn optimising_is_worth_robust_minus_the_best_written_strategy_and_the_plan() {
        let scenario = fixture::scenario(8);
        let sim = fixture::simulation(&scenario);
        let worth = optimising_worth(&scenario, &sim).expect("robust was simulated");
        assert_eq!(worth.strategy, "robust");
        // The scenario's one [[strategy]] is the baseline, though built-ins earn more.
        let written = worth.vs_best_written.as_ref().unwrap();
        assert_eq!(written.baseline, "CTO proposal");
        assert_eq!(written.source, "scenario");
        assert!((written.mean_diff - (1_480_000.0 - 1_100_000.0) * 0.9).abs() < 1e-6);
        assert_eq!(written.se, 4_000.0);
        let plan = worth.vs_plan.as_ref().unwrap();
        assert_eq!((plan.baseline.as_str(), plan.source), ("plan", "plan"));
        assert!((plan.mean_diff - 80_000.0 * 0.9).abs() < 1e-6);

        // Without [[strategy]] entries, the best built-in rule other than plan and robust.
        let mut bare = scenario.clone();
        bare.strategies.clear();
        let mut sim = sim.clone();
        sim.strategies.retain(|s| s.name != "CTO proposal");
        let worth = optimising_worth(&bare, &sim).unwrap();
        let builtin = worth.vs_best_written.unwrap();
        assert_eq!(
            (builtin.baseline.as_str(), builtin.source),
            ("features-first", "built-in")
        );

        assert!(optimising_worth(&scenario, &without_robust(sim)).is_none());
    }

    #[test]
    fn without_deadlines_the_highest_mean_wins() {
        let mut scenario = fixture::scenario(8);
        for it in &mut scenario.initiatives {
            it.deadline = None;
            it.commit = false;
        }
        let mut sim = fixture::simulation(&scenario);
        sim.strategies[2].net_value.mean = 9e9;
        let rec = recommend(&scenario, &sim).expect("a recommendation");
        assert_eq!(rec.strategy, "features-first");
        assert_eq!(rec.deadline_reliability, None);
        assert!(rec.excluded.is_empty());
    }

    #[test]
    fn ties_go_to_the_better_bad_case() {
        let scenario = fixture::scenario(8);
        let mut sim = fixture::simulation(&scenario);
        let robust_mean = sim.strategies[5].net_value.mean;
        sim.strategies[3].net_value.mean = robust_mean;
        sim.strategies[3].net_value.p10 = sim.strategies[5].net_value.p10 + 1.0;
        assert_eq!(recommend(&scenario, &sim).unwrap().strategy, "debt-first");
    }

    #[test]
    fn no_strategy_means_no_recommendation() {
        let scenario = fixture::scenario(4);
        let mut sim = fixture::simulation(&scenario);
        sim.strategies.clear();
        assert!(recommend(&scenario, &sim).is_none());
    }

    fn row(input: &str, low: f64, high: f64) -> SensitivityRow {
        SensitivityRow {
            input: input.into(),
            label: input.into(),
            low,
            high,
        }
    }

    #[test]
    fn rows_sort_by_swing_whatever_the_direction() {
        let mut rows = vec![
            row("value", 80.0, 120.0),
            row("effort", 130.0, 70.0),
            row("risk", 99.0, 101.0),
        ];
        sort_rows(&mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.input.as_str()).collect();
        assert_eq!(order, ["effort", "value", "risk"]);
        assert_eq!(rows[0].swing(), 60.0);
    }

    fn quick_options() -> SimOptions {
        SimOptions {
            n_trials: 200,
            threads: Some(2),
            robust: crate::simulate::RobustOptions {
                n_train: 20,
                budget: 60,
            },
            ..SimOptions::default()
        }
    }

    #[test]
    fn robust_is_replayed_as_the_order_its_search_found() {
        let scenario = fixture::scenario(6);
        let options = quick_options();
        let sim = simulate(&scenario, None, &[StrategySpec::Robust], &options, &Silent).unwrap();
        let robust = &sim.strategies[0];
        let search = robust.search.as_ref().unwrap();
        let replayed = Replayed::robust(&scenario, search).unwrap();
        let sens =
            sensitivity_replaying(&scenario, None, &replayed, &options, 0.2, &Silent).unwrap();
        assert_eq!(sens.strategy, "robust");
        let fixed = sens.replayed_order.as_ref().unwrap();
        assert_eq!(fixed.order, search.order);
        assert_eq!(fixed.stability_share, search.stability_share);
        // The fixed order on the same futures is the robust strategy itself.
        assert!(
            (sens.base - robust.net_value.mean).abs()
                <= 1e-6 * robust.net_value.mean.abs().max(1.0),
            "{} vs {}",
            sens.base,
            robust.net_value.mean
        );
        assert!(!sens.rows.is_empty());
        // Named as a strategy, the search runs once and gives the same analysis.
        let again = sensitivity(
            &scenario,
            None,
            &StrategySpec::Robust,
            &options,
            0.2,
            &Silent,
        )
        .unwrap();
        assert_eq!(again, sens);
    }

    #[test]
    fn an_order_naming_an_unknown_id_is_refused() {
        let scenario = fixture::scenario(4);
        let mut search = fixture::robust_search(0.2, 0.0);
        search.order.push("no-such-item".into());
        let err = Replayed::robust(&scenario, &search).unwrap_err();
        assert!(err.to_string().contains("no-such-item"), "{err}");
    }

    #[test]
    fn rule_strategies_carry_no_fixed_order() {
        let scenario = fixture::scenario(4);
        let sens = sensitivity(
            &scenario,
            None,
            &StrategySpec::Wsjf,
            &SimOptions {
                deterministic: true,
                ..quick_options()
            },
            0.2,
            &Silent,
        )
        .unwrap();
        assert_eq!(sens.strategy, "wsjf");
        assert_eq!(sens.replayed_order, None);
    }

    #[test]
    fn incident_risk_scales_its_impact_not_its_probability() {
        let r = Risk::Incident {
            probability: 0.9,
            impact: crate::scenario::Estimate::fixed(100.0),
        };
        match scale_risk(r, 1.2) {
            Risk::Incident {
                probability,
                impact,
            } => {
                assert_eq!(probability, 0.9);
                assert!((impact.mean() - 120.0).abs() < 1e-9);
            }
            Risk::PerPeriod(_) => panic!("kind of risk changed"),
        }
    }
}
