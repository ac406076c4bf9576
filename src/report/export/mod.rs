//! One exporter per output format, in the shape of hyperfine's `src/export/`: each file writes the
//! results of `plan`, `simulate`, `sweep` and `frontier` in one format, behind one trait.
//!
//! - `table.rs`: aligned text tables a person reads in a terminal, numbers written by
//!   [`crate::number`];
//! - `csv.rs`: one record per initiative, strategy or share, with plain machine numbers;
//! - `markdown.rs`: the table exporter's documents (`document.rs`) as headings, paragraphs and
//!   pipe tables to paste into a review document;
//! - `json.rs`: the serde form of the result ([`Plan`], [`Simulation`], [`Sweep`]), which
//!   `simulate --plan PLAN.json` reads back.

mod csv;
pub(crate) mod diff;
mod document;
mod json;
mod markdown;
mod table;

use super::Format;
use crate::error::Error;
use crate::frontier::Frontier;
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::simulate::{Simulation, StrategyResult};
use crate::sweep::Sweep;

/// Writes each command's result in one format.
pub trait Exporter {
    /// `tradeoff plan`.
    fn plan(&self, scenario: &Scenario, plan: &Plan) -> Result<String, Error>;
    /// `tradeoff simulate`: the strategy comparison.
    fn simulation(&self, scenario: &Scenario, simulation: &Simulation) -> Result<String, Error>;
    /// `tradeoff sweep`: the debt-budget sweep.
    fn sweep(&self, scenario: &Scenario, sweep: &Sweep) -> Result<String, Error>;
    /// `tradeoff frontier`: what more or less capacity buys.
    fn frontier(&self, scenario: &Scenario, frontier: &Frontier) -> Result<String, Error>;
}

/// The exporter of `format`.
pub fn exporter(format: Format) -> &'static dyn Exporter {
    match format {
        Format::Table => &table::TableExporter,
        Format::Csv => &csv::CsvExporter,
        Format::Json => &json::JsonExporter,
        Format::Markdown => &markdown::MarkdownExporter,
    }
}

/// The paired difference of `strategy` minus the plan with its standard error, when both are in
/// the run.
fn diff_to_plan(simulation: &Simulation, name: &str) -> Option<(f64, f64)> {
    if name == "plan" {
        return None;
    }
    simulation
        .paired
        .iter()
        .find(|d| d.a == name && d.b == "plan")
        .map(|d| (d.mean_diff, d.se))
}

/// Mean and worst P(deadline met) over items with a deadline, with the worst item's id.
fn deadline_rates(result: &StrategyResult) -> Option<(f64, f64, String)> {
    let rates: Vec<(f64, &str)> = result
        .initiatives
        .iter()
        .filter_map(|i| i.p_deadline_met.map(|p| (p, i.id.as_str())))
        .collect();
    if rates.is_empty() {
        return None;
    }
    let mean = rates.iter().map(|(p, _)| p).sum::<f64>() / rates.len() as f64;
    let (worst, id) = rates
        .iter()
        .fold(rates[0], |w, &r| if r.0 < w.0 { r } else { w });
    Some((mean, worst, id.to_string()))
}
