//! `tradeoff simulate` and `tradeoff sweep` output: comparison tables, CSV and JSON, each written
//! by its exporter in [`super::export`]; and the `robust` strategy saved as a `[[strategy]]`
//! table.
//!
//! The simulate table is meant to be read in ten seconds: one row per strategy with net value
//! P10 / P50 / P90, mean, the probability of being best, the paired difference to the plan with
//! its standard error, and how often deadlines are met; then where the value goes (means).
//! JSON is the serde form of [`Simulation`] / [`Sweep`].

use super::export::exporter;
use super::Format;
use crate::error::Error;
use crate::scenario::Scenario;
use crate::simulate::Simulation;
use crate::sweep::Sweep;

/// Renders a strategy comparison in the requested format.
pub fn render_simulation(
    scenario: &Scenario,
    simulation: &Simulation,
    format: Format,
) -> Result<String, Error> {
    exporter(format).simulation(scenario, simulation)
}

/// Renders a debt-budget sweep in the requested format.
pub fn render_sweep(scenario: &Scenario, sweep: &Sweep, format: Format) -> Result<String, Error> {
    exporter(format).sweep(scenario, sweep)
}

/// Renders a capacity frontier in the requested format.
pub fn render_frontier(
    scenario: &Scenario,
    frontier: &crate::frontier::Frontier,
    format: Format,
) -> Result<String, Error> {
    exporter(format).frontier(scenario, frontier)
}

/// The name a saved robust strategy gets: `Optimised order (seed S)`, numbered when the scenario
/// already has a strategy of that name (a strategy saved earlier and pasted in), so the table can
/// be pasted as it is.
pub fn saved_strategy_name(scenario: &Scenario, simulation: &Simulation) -> String {
    let base = format!("Optimised order (seed {})", simulation.seed);
    let taken = |name: &str| scenario.strategies.iter().any(|s| s.name == name);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|k| format!("{base} {k}"))
        .find(|name| !taken(name))
        .unwrap_or(base)
}

/// The `robust` strategy as a `[[strategy]]` table to paste into the scenario; replayed, it
/// gives exactly the robust strategy's numbers (its order lists every initiative).
pub fn render_saved_strategy(
    scenario: &Scenario,
    simulation: &Simulation,
    search: &crate::simulate::RobustSearch,
) -> String {
    // A JSON string is a valid TOML basic string (its escapes are a subset of TOML's).
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    let mut out = format!(
        "# The `robust` strategy of `tradeoff simulate` on {} (seed {}, {} training futures).\n# Paste it into the scenario to replay it as a strategy of its own.\n[[strategy]]\nname = {}\norder = [\n",
        {
            let quoted = quote(&scenario.name);
            quoted[1..quoted.len() - 1].to_string()
        },
        simulation.seed,
        search.training_futures,
        quote(&saved_strategy_name(scenario, simulation)),
    );
    for id in &search.order {
        out.push_str(&format!("    {},\n", quote(id)));
    }
    out.push_str(&format!(
        "]\nstability_share = {}\n",
        search.stability_share
    ));
    out
}
