//! JSON: the serde form of each result, pretty-printed and ending in a newline. A plan of a
//! scenario with objectives also carries its roll-up by objective, flat beside its own fields.

use super::Exporter;
use crate::error::Error;
use crate::frontier::Frontier;
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::simulate::Simulation;
use crate::sweep::Sweep;

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn plan(&self, scenario: &Scenario, plan: &Plan) -> Result<String, Error> {
        let failure = "cannot write the plan as JSON";
        // Without objectives the plan alone, exactly as before the roll-up existed.
        match crate::objectives::plan_objectives(scenario, plan) {
            None => to_json(plan, failure),
            Some(rollup) => to_json(
                &PlanWithObjectives {
                    plan,
                    rollup: &rollup,
                },
                failure,
            ),
        }
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

/// The plan's fields, then its roll-up by objective (`objectives`, `any_objective`,
/// `no_objective`, `objective_warnings`); `simulate --plan` reads it back as a plan.
#[derive(serde::Serialize)]
struct PlanWithObjectives<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    #[serde(flatten)]
    rollup: &'a crate::objectives::PlanObjectives,
}

fn to_json<T: serde::Serialize>(value: &T, failure: &str) -> Result<String, Error> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::Internal(format!("{failure}: {e}")))
}
