//! Everything a person reads: text tables, CSV and JSON exports, charts and the HTML report.
//!
//! A report formats and draws a [`crate::review::ReportData`]; it decides nothing itself.

pub(crate) mod atomic;
pub(crate) mod bundle;
pub(crate) mod charts;
pub(crate) mod export;
pub(crate) mod html;
pub(crate) mod plan_output;
pub(crate) mod sim_output;
mod since;
pub(crate) mod text;
pub(crate) mod validate_output;

pub use bundle::write_bundle;

use crate::review::ReportData;
use charts::roadmap::{self, Roadmap};
use charts::Chart;

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// Headings and pipe tables to paste into a review document.
    Markdown,
}

/// The recommended strategy's roadmap over the sampled futures; none without a recommendation.
pub fn recommended_roadmap(data: &ReportData) -> Option<Roadmap> {
    let rec = data.recommendation.as_ref()?;
    roadmap::roadmap(data.scenario, &data.simulation, rec.index)
}

/// Every chart of the report for these results.
pub fn charts_of(data: &ReportData) -> Vec<Chart> {
    let mut charts = charts::all_charts(
        data.scenario,
        &data.plan,
        &data.simulation,
        recommended_roadmap(data).as_ref(),
        &data.sweep,
        &data.sensitivity,
    );
    // With teams, where the next engineer pays off.
    if !data.teams.is_empty() {
        charts.push(charts::team_frontier(data.scenario, &data.teams));
        charts.push(charts::team_capacity(data.scenario, &data.plan));
    }
    // With `--previous`, why the objective moved since the last review.
    if let Some(since) = &data.since {
        charts.push(charts::waterfall(data.scenario, &since.diff));
    }
    // With objectives, the OKR roll-up.
    if let Some(rollup) = crate::objectives::plan_objectives(data.scenario, &data.plan) {
        charts.push(charts::objectives_rollup(data.scenario, &rollup));
    }
    charts
}
