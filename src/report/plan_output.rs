//! `tradeoff plan` output: an aligned table grouped Now / Next / Later, CSV and JSON, each
//! written by its exporter in [`super::export`].
//!
//! - table: the objective and its three parts in the scenario's currency, the status with gap
//!   and bound, the initiatives grouped by bucket (Now, Next, Later, Unplanned) with start and
//!   delivery as period labels, then the capacity per period (capacity, allocatable, drag,
//!   effort by class and kind, buffer, idle, marginal value);
//! - csv: one row per initiative in file order with its start, delivery, bucket and the
//!   engineer-weeks it gets in each period (one column per period label);
//! - json: the [`Plan`] itself, which `simulate --plan PLAN.json` reads back.

use super::export::exporter;
use super::Format;
use crate::error::Error;
use crate::plan::Plan;
use crate::scenario::Scenario;

/// Renders a plan in the requested format.
pub fn render_plan(scenario: &Scenario, plan: &Plan, format: Format) -> Result<String, Error> {
    exporter(format).plan(scenario, plan)
}
