//! Everything a person reads: text tables, CSV and JSON exports, charts and the HTML report.
//!
//! A report formats and draws a [`crate::review::ReportData`]; it decides nothing itself.

pub mod atomic;
pub mod bundle;
pub mod charts;
pub mod export;
pub mod html;
pub mod plan_output;
pub mod sim_output;
pub mod text;
pub mod validate_output;

use crate::review::ReportData;
use charts::roadmap::{self, Roadmap};
use charts::Chart;

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// The recommended strategy's roadmap over the sampled futures; none without a recommendation.
pub fn recommended_roadmap(data: &ReportData) -> Option<Roadmap> {
    let rec = data.recommendation.as_ref()?;
    roadmap::roadmap(data.scenario, &data.simulation, rec.index)
}

/// Every chart of the report for these results.
pub fn charts_of(data: &ReportData) -> Vec<Chart> {
    charts::all_charts(
        data.scenario,
        &data.plan,
        &data.simulation,
        recommended_roadmap(data).as_ref(),
        &data.sweep,
        &data.sensitivity,
    )
}
