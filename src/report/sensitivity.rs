//! Sensitivity of net value to ±20% on the major inputs: the numbers behind the tornado chart.
//!
//! One input at a time is scaled down and up (capacity, every item's effort, every item's value,
//! every item's risk if deferred, the debt drag growth, and the value of the three initiatives
//! whose value moves net value most), and the chosen strategy is replayed on the same sampled
//! futures (same seed, common random numbers) as the unscaled scenario. The plan is held fixed:
//! the question is how much the recommended course of action is exposed to estimation error,
//! not what the optimum would be under other inputs. Pure values in, values out; no I/O.
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
use crate::plan::Plan;
use crate::progress::{Progress, Silent};
use crate::scenario::{Risk, Scenario};
use crate::simulate::strategy::priority_strategy;
use crate::simulate::{engine, robust, simulate, RobustSearch, SimOptions, StrategySpec};

/// The relative change applied to each input, down and up.
pub const DEFAULT_DELTA: f64 = 0.2;

/// How many initiatives get a row of their own.
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

impl Replayed<'_> {
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
            Input::Capacity => {
                for c in &mut s.capacity.per_period {
                    *c *= factor;
                }
            }
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
/// written, and its order is then held fixed (see the module's comment); when the search has
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
        let scenario = crate::report::charts::fixture::scenario(6);
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
        let scenario = crate::report::charts::fixture::scenario(4);
        let mut search = crate::report::charts::fixture::robust_search(0.2, 0.0);
        search.order.push("no-such-item".into());
        let err = Replayed::robust(&scenario, &search).unwrap_err();
        assert!(err.to_string().contains("no-such-item"), "{err}");
    }

    #[test]
    fn rule_strategies_carry_no_fixed_order() {
        let scenario = crate::report::charts::fixture::scenario(4);
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
