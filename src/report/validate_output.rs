//! `tradeoff validate` output: a short readable summary, or the same as JSON.

use crate::scenario::Scenario;

pub fn render_table(scenario: &Scenario) -> String {
    let _ = scenario;
    String::new()
}

pub fn render_json(scenario: &Scenario) -> String {
    let _ = scenario;
    String::new()
}
