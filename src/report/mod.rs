//! Everything a person reads: text tables, CSV and JSON exports, charts and the HTML report.

pub mod atomic;
pub mod bundle;
pub mod charts;
pub mod html;
pub mod plan_output;
pub mod sensitivity;
pub mod sim_output;
pub mod text;
pub mod validate_output;

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}
