//! The Monte Carlo engine: replays sequencing strategies on the same sampled futures.
//!
//! `simulate` takes values and returns a [`Simulation`]; it does no I/O and never prints.
//! Trial k's random stream depends only on (seed, k), so results are identical for any thread
//! count, and every strategy is replayed on the same sampled future (common random numbers).
//!
//! Map: `sampling` compiles the scenario into flat arrays and samples one trial's future
//! (`pert` holds the Beta-PERT inverse-CDF table); `strategy` turns a [`StrategySpec`] into
//! priority orders or the plan's per-period amounts; `replay` runs one strategy on one future
//! and settles its accounts; `engine` runs the trials in parallel chunks and summarises them
//! (`stats`: quantiles, mergeable moments, histograms).

pub(crate) mod engine;
pub(crate) mod pert;
pub(crate) mod replay;
pub(crate) mod robust;
pub(crate) mod sampling;
pub(crate) mod stats;
pub(crate) mod strategy;
pub(crate) mod teams;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Setting};
use crate::plan::Plan;
use crate::progress::Progress;
use crate::scenario::Scenario;
pub use robust::{RobustOptions, RobustSearch};

/// A sequencing option, as named on the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum StrategySpec {
    /// Replay the plan: its engineer-weeks e_i × x[i,t] per item and period (e_i the plan's mean
    /// remaining effort), scaled down when capacity is short, leftover capacity to overruns in
    /// plan order; see `replay` for the rules.
    Plan,
    Wsjf,
    FeaturesFirst,
    DebtFirst,
    /// WSJF order with the stability share fixed at X.
    Share {
        share: f64,
        /// The name as the user typed it (`share:0.30` stays `share:0.30`).
        text: String,
    },
    /// Debt-first in periods K, 2K, …; features-first otherwise.
    DebtSprint(usize),
    /// The scenario's `[[strategy]]` at this index.
    Custom(usize),
    /// The plan's priorities as a policy: the items the plan works on in plan order, then the
    /// rest by WSJF, replayed like a custom order (work flows ahead when capacity allows).
    PlanOrder,
    /// The order and share found by optimising on sampled training futures ([`robust`]).
    Robust,
}

impl StrategySpec {
    /// The strategy's name exactly as the user gives it (`share:0.25`, `debt-sprint:3`, custom names).
    pub fn name(&self, scenario: &Scenario) -> String {
        match self {
            StrategySpec::Plan => "plan".into(),
            StrategySpec::Wsjf => "wsjf".into(),
            StrategySpec::FeaturesFirst => "features-first".into(),
            StrategySpec::DebtFirst => "debt-first".into(),
            StrategySpec::Share { text, .. } => text.clone(),
            StrategySpec::DebtSprint(k) => format!("debt-sprint:{k}"),
            StrategySpec::Custom(idx) => scenario.strategies[*idx].name.clone(),
            StrategySpec::PlanOrder => "plan-order".into(),
            StrategySpec::Robust => "robust".into(),
        }
    }

    /// Parses one comma-separated element of `--strategies`.
    pub fn parse(text: &str, scenario: &Scenario) -> Result<StrategySpec, Error> {
        let usage = |msg: String| Error::setting(Setting::Strategies, msg);
        match text {
            "plan" => return Ok(StrategySpec::Plan),
            "wsjf" => return Ok(StrategySpec::Wsjf),
            "features-first" => return Ok(StrategySpec::FeaturesFirst),
            "debt-first" => return Ok(StrategySpec::DebtFirst),
            "plan-order" => return Ok(StrategySpec::PlanOrder),
            "robust" => return Ok(StrategySpec::Robust),
            _ => {}
        }
        if let Some(x) = text.strip_prefix("share:") {
            let share: f64 = x.parse().map_err(|_| {
                usage(format!(
                    "`{text}`: expected a share between 0 and 1 after `share:`, found `{x}`"
                ))
            })?;
            if !(0.0..=1.0).contains(&share) {
                return Err(usage(format!(
                    "`{text}`: the share must be between 0 and 1"
                )));
            }
            if share + scenario.capacity.buffer > 1.0 + 1e-12 {
                return Err(usage(format!(
                    "`{text}`: buffer {} + share {share} exceeds 1",
                    scenario.capacity.buffer
                )));
            }
            return Ok(StrategySpec::Share {
                share,
                text: text.to_string(),
            });
        }
        if let Some(k) = text.strip_prefix("debt-sprint:") {
            return match k.parse::<usize>() {
                Ok(k) if k >= 1 => Ok(StrategySpec::DebtSprint(k)),
                _ => Err(usage(format!(
                    "`{text}`: expected a whole number of periods ≥ 1 after `debt-sprint:`, found `{k}`"
                ))),
            };
        }
        if let Some(idx) = scenario.strategies.iter().position(|s| s.name == text) {
            return Ok(StrategySpec::Custom(idx));
        }
        let mut known: Vec<String> = [
            "plan",
            "plan-order",
            "wsjf",
            "features-first",
            "debt-first",
            "share:X",
            "debt-sprint:K",
            "robust",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        known.extend(
            scenario
                .strategies
                .iter()
                .map(|s| format!("\"{}\"", s.name)),
        );
        Err(usage(format!(
            "unknown strategy `{text}`\n  hint: choose from {}",
            known.join(", ")
        )))
    }

    /// The default list: plan, wsjf, features-first, debt-first, the scenario's own strategies
    /// and robust.
    pub fn defaults(scenario: &Scenario) -> Vec<StrategySpec> {
        let mut specs = vec![
            StrategySpec::Plan,
            StrategySpec::Wsjf,
            StrategySpec::FeaturesFirst,
            StrategySpec::DebtFirst,
        ];
        specs.extend((0..scenario.strategies.len()).map(StrategySpec::Custom));
        specs.push(StrategySpec::Robust);
        specs
    }

    /// Whether replaying this strategy needs the plan (`plan`, `plan-order`, and `robust`, whose
    /// search starts from the plan's order).
    pub fn needs_plan(&self) -> bool {
        matches!(
            self,
            StrategySpec::Plan | StrategySpec::PlanOrder | StrategySpec::Robust
        )
    }
}

/// How the simulation runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    pub n_trials: usize,
    pub seed: u64,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// One trial, means everywhere, no noise, expected losses instead of incident draws.
    pub deterministic: bool,
    /// The `robust` strategy's training futures and search budget.
    pub robust: RobustOptions,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            n_trials: 10_000,
            seed: 42,
            threads: None,
            deterministic: false,
            robust: RobustOptions::default(),
        }
    }
}

/// Mean, spread and quantiles of a distribution of net values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Distribution {
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for one trial.
    pub sd: f64,
    pub p5: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
}

/// A mean only.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Mean {
    pub mean: f64,
}

/// A P10 / P50 / P90 band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Band {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// What happened to one initiative under one strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitiativeOutcome {
    pub id: String,
    /// P(delivered within the horizon).
    pub p_delivered: f64,
    /// The smallest period k with P(delivered by k) ≥ 0.5, else null.
    pub delivery_p50: Option<usize>,
    /// P(delivered by the end of its deadline period); null without a deadline.
    pub p_deadline_met: Option<f64>,
    /// The smallest period k with P(started by k) ≥ 0.5, else null (the roadmap's median start).
    #[serde(default)]
    pub start_p50: Option<usize>,
    /// P(delivered by the end of period k), `delivered_by[period_idx]` (the delivery S-curve).
    pub delivered_by: Vec<f64>,
    /// P(given work by the end of period k), `started_by[period_idx]`.
    #[serde(default)]
    pub started_by: Vec<f64>,
}

/// What one objective's items did under one strategy (SPEC "Objectives"); an item linked to
/// several objectives counts in full for each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveOutcome {
    pub id: String,
    /// Mean value earned by its items, settled item by item as the strategy's value earned.
    pub value_earned_mean: f64,
    /// P(every item linked to it is delivered within the horizon); null when none is linked.
    pub p_all_delivered: Option<f64>,
}

/// [`ObjectiveOutcome`] for a group of items: "any objective" or "no objective".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupOutcome {
    pub value_earned_mean: f64,
    /// P(every item of the group is delivered within the horizon); null for an empty group.
    pub p_all_delivered: Option<f64>,
}

/// A histogram of net value; bins are shared by every strategy of one simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Histogram {
    /// Bin edges, one more than `counts`.
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// The outcome of one strategy over all trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyResult {
    /// Exactly as given.
    pub name: String,
    /// The reserved stability share s the strategy ran with.
    pub stability_share: f64,
    pub net_value: Distribution,
    /// P(this strategy has the highest net value in a trial), ties split equally.
    pub p_best: f64,
    pub value_earned: Mean,
    pub cost_of_delay: Mean,
    pub incident_losses: Mean,
    pub penalties: Mean,
    pub initiatives: Vec<InitiativeOutcome>,
    /// Per `[[objective]]`, in their order, what its items did (absent without objectives).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<ObjectiveOutcome>,
    /// The items linked to at least one objective (absent without objectives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any_objective: Option<GroupOutcome>,
    /// The items linked to none (absent without objectives).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_objective: Option<GroupOutcome>,
    /// Cumulative net value by the end of each period, `cumulative[period_idx]` (the fan chart).
    pub cumulative: Vec<Band>,
    pub histogram: Histogram,
    /// How the `robust` strategy was found (only on `robust`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<RobustSearch>,
}

impl StrategyResult {
    /// The lowest chance, over hard-deadline and committed items, that the item is delivered by
    /// its due period (its deadline, else the horizon); `None` when the scenario has neither.
    pub fn deadline_reliability(&self, scenario: &Scenario) -> Option<f64> {
        scenario
            .initiatives
            .iter()
            .zip(&self.initiatives)
            .filter_map(|(item, outcome)| match item.deadline {
                Some(d) if d.is_hard() => Some(outcome.p_deadline_met.unwrap_or(0.0)),
                _ if item.commit => Some(outcome.p_delivered),
                _ => None,
            })
            .reduce(f64::min)
    }
}

/// Runs `work` on a pool of `threads` workers, or on the current pool when `None`.
pub(crate) fn on_threads<R: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> R + Send,
) -> Result<R, Error> {
    match threads {
        Some(threads) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
            .map_err(|e| Error::Internal(format!("cannot start {threads} worker threads: {e}")))?
            .install(work)),
        None => Ok(work()),
    }
}

/// The paired difference of net value, a − b, over the same sampled futures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    pub a: String,
    pub b: String,
    pub mean_diff: f64,
    /// Standard error of the mean difference; 0 for one trial.
    pub se: f64,
}

/// Everything `tradeoff simulate` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub trials: usize,
    pub seed: u64,
    pub deterministic: bool,
    /// Trials the quantiles and histograms come from: every trial unless trials × strategies
    /// exceeds 2^24, then the first 2^24 / strategies (memory stays bounded).
    pub quantile_trials: usize,
    /// Trials the cumulative-value bands come from: the first
    /// min(trials, 100,000, 2^22 / (strategies × periods)).
    pub band_trials: usize,
    pub strategies: Vec<StrategyResult>,
    pub paired: Vec<PairedDiff>,
}

/// Replays `strategies` on `options.n_trials` sampled futures (one future of means with
/// `options.deterministic`). `plan` is required when the list holds [`StrategySpec::Plan`] or
/// [`StrategySpec::PlanOrder`]; `robust` is searched first on training futures of its own (from
/// `plan-order` too when there is a plan).
pub fn simulate(
    scenario: &Scenario,
    plan: Option<&Plan>,
    strategies: &[StrategySpec],
    options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Simulation, Error> {
    simulate_at(scenario, plan, strategies, None, options, progress)
}

/// [`simulate`], with the robust search's share fixed at `robust_share` when given (the sweep).
pub fn simulate_at(
    scenario: &Scenario,
    plan: Option<&Plan>,
    strategies: &[StrategySpec],
    robust_share: Option<f64>,
    options: &SimOptions,
    progress: &dyn Progress,
) -> Result<Simulation, Error> {
    let found = if strategies.contains(&StrategySpec::Robust) {
        Some(robust::search(
            scenario,
            plan,
            robust_share,
            options,
            &options.robust,
            progress,
        )?)
    } else {
        None
    };
    let compiled = strategies
        .iter()
        .map(|spec| robust::compile_with(scenario, plan, spec, found.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut simulation = engine::run(scenario, &compiled, options, progress)?;
    if let Some(found) = found {
        for (spec, result) in strategies.iter().zip(&mut simulation.strategies) {
            if *spec == StrategySpec::Robust {
                result.search = Some(found.search.clone());
            }
        }
    }
    Ok(simulation)
}
