//! `tradeoff plan` output: an aligned table grouped Now / Next / Later, CSV and JSON.

use super::Format;
use crate::error::Error;
use crate::plan::Plan;
use crate::scenario::Scenario;

/// Renders a plan in the requested format.
pub fn render_plan(scenario: &Scenario, plan: &Plan, format: Format) -> Result<String, Error> {
    let _ = (scenario, plan, format);
    Err(Error::NotImplemented("plan output"))
}
