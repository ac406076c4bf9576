//! Loads a scenario with the library and prints what `tradeoff validate` would summarise.
//!
//! Run: `cargo run --example summarize -- scenarios/legacy-drag.toml`. `cargo test` runs its test
//! too, so the example keeps compiling and working as the library changes.

use std::path::{Path, PathBuf};

/// One line about the scenario at `path`.
fn summary_line(path: &Path) -> Result<String, tradeoff::error::Error> {
    let scenario = tradeoff::scenario::load_scenario(path)?;
    let summary = tradeoff::scenario::summarize(&scenario);
    Ok(format!(
        "{}: {} initiatives, {:.0} engineer-weeks of work for {:.0} allocatable ({:.2}×)",
        summary.name,
        summary.initiatives,
        summary.effort_weeks,
        summary.allocatable_weeks,
        summary.overcommitment
    ))
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("scenarios/legacy-drag.toml"));
    match summary_line(&path) {
        Ok(line) => println!("{line}"),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(err.exit_code());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_summarises_the_shipped_example() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/legacy-drag.toml");
        let line = summary_line(&path).expect("the shipped example loads");
        assert!(line.contains(" initiatives, "), "{line}");
        assert!(line.ends_with("×)"), "{line}");
    }

    #[test]
    fn a_missing_file_is_bad_input() {
        let err = summary_line(Path::new("no-such-scenario.toml")).unwrap_err();
        assert_eq!(err.exit_code(), 1);
    }
}
