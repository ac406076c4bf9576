//! `tradeoff` decides how to spend scarce engineering capacity between features, migrations,
//! security work and technical-debt paydown.
//!
//! The flow is one direction: [`scenario`] loads and validates a scenario file; [`plan`] solves a
//! mixed-integer program for a capacity plan; [`simulate`] replays sequencing strategies on
//! sampled futures; [`sweep`] sizes the stability budget; [`report`] turns results into tables,
//! exports, charts and an HTML page; [`review`] decides what the report shows. The command line
//! (`cli`, `commands`) and generated portfolios for benchmarks (`synthetic`) are public for the
//! binary, the tests and the benchmarks, and hidden from the documentation.
//!
//! ```
//! let scenario = tradeoff::scenario::load_scenario_str(
//!     "example.toml",
//!     r#"
//!     [scenario]
//!     periods = 4
//!     [capacity]
//!     per_period = 20
//!     [[initiative]]
//!     id = "sso"
//!     kind = "feature"
//!     effort = { low = 8, likely = 10, high = 18 }
//!     value = 5000
//!     "#,
//! )
//! .unwrap();
//! assert_eq!(scenario.initiatives[0].remaining_effort_mean(), 11.0);
//! ```

#![forbid(unsafe_code)]

#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod commands;
pub mod economics;
pub mod error;
pub mod number;
pub mod plan;
pub mod progress;
pub mod report;
pub mod review;
pub mod scenario;
pub mod simulate;
pub mod sweep;
#[doc(hidden)]
pub mod synthetic;

pub use error::Error;
