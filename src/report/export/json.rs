//! JSON: the serde form of each result, pretty-printed and ending in a newline.

use super::Exporter;
use crate::error::Error;
use crate::frontier::Frontier;
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::simulate::Simulation;
use crate::sweep::Sweep;

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn plan(&self, _: &Scenario, plan: &Plan) -> Result<String, Error> {
        to_json(plan, "cannot write the plan as JSON")
    }

    fn simulation(&self, _: &Scenario, simulation: &Simulation) -> Result<String, Error> {
        to_json(simulation, "cannot write JSON")
    }

    fn sweep(&self, _: &Scenario, sweep: &Sweep) -> Result<String, Error> {
        to_json(sweep, "cannot write JSON")
    }

    fn frontier(&self, _: &Scenario, frontier: &Frontier) -> Result<String, Error> {
        to_json(frontier, "cannot write JSON")
    }
}

fn to_json<T: serde::Serialize>(value: &T, failure: &str) -> Result<String, Error> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::Internal(format!("{failure}: {e}")))
}
