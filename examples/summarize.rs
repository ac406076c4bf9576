//! Loads a scenario with the library and prints what `tradeoff validate` would summarise.
//!
//! Run: `cargo run --example summarize -- scenarios/legacy-drag.toml`

use std::path::PathBuf;

fn main() {
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("scenarios/legacy-drag.toml"));
    match tradeoff::scenario::load_scenario(&path) {
        Ok(scenario) => {
            let summary = tradeoff::scenario::summary::summarize(&scenario);
            println!(
                "{}: {} initiatives, {:.0} engineer-weeks of work for {:.0} allocatable ({:.2}×)",
                summary.name,
                summary.initiatives,
                summary.effort_weeks,
                summary.allocatable_weeks,
                summary.overcommitment
            );
        }
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
