//! Scenarios: the validated model, and the loader that reads TOML (and CSV) into it.
//!
//! Only the loader (`load`, and `csv_rows` for a CSV of initiatives) touches files. Everything
//! downstream takes a [`Scenario`] value that has passed every check of the specification.

mod checks;
mod csv_rows;
pub(crate) mod fields;
mod labels;
pub(crate) mod load;
pub(crate) mod model;
mod raw;
mod sections;
pub(crate) mod summary;

pub use load::{load_scenario, load_scenario_str, MAX_INPUT_BYTES};
pub use model::*;
pub use summary::{summarize, Summary};
