//! `tradeoff simulate` and `tradeoff sweep` output: comparison tables, CSV and JSON.

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
    let _ = (scenario, simulation, format);
    Err(Error::NotImplemented("simulation output"))
}

/// Renders a debt-budget sweep in the requested format.
pub fn render_sweep(scenario: &Scenario, sweep: &Sweep, format: Format) -> Result<String, Error> {
    let _ = (scenario, sweep, format);
    Err(Error::NotImplemented("sweep output"))
}
