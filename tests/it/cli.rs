//! Integration tests: the real binary on shipped scenarios and on bad fixtures.
//!
//! Each file in `tests/fixtures/bad/` holds one kind of mistake and, in `# expect:` comments,
//! the text its error message must contain; every one must exit with status 1.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn tradeoff() -> Command {
    Command::cargo_bin("tradeoff").expect("the tradeoff binary is built")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped example scenarios.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_bad_fixture_fails_with_its_message_and_exit_1() {
    let dir = repo().join("tests/fixtures/bad");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures exist")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 30, "expected one fixture per error class");
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let text = std::fs::read_to_string(fixture).expect("fixture is text");
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no # expect: line",
            fixture.display()
        );
        let out = tradeoff()
            .current_dir(&dir)
            .arg("validate")
            .arg(fixture.file_name().expect("file name"))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{}: exit {:?}\n{stderr}",
                fixture.display(),
                out.status.code()
            ));
        }
        if !stderr.starts_with("error: cannot load scenario") {
            failures.push(format!(
                "{}: message does not start as expected:\n{stderr}",
                fixture.display()
            ));
        }
        for e in expected {
            if !stderr.contains(e) {
                failures.push(format!(
                    "{}: missing `{e}` in:\n{stderr}",
                    fixture.display()
                ));
            }
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_shipped_scenario_validates() {
    let scenarios = shipped_scenarios();
    assert!(scenarios.len() >= 5, "five shipped scenarios");
    for s in scenarios {
        let out = tradeoff().arg("validate").arg(&s).output().expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            s.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("valid"), "{stdout}");
        assert!(stdout.contains("overcommit"), "{stdout}");
    }
}

#[test]
fn validate_json_carries_the_summary() {
    let out = tradeoff()
        .args(["validate", "--format", "json"])
        .arg(repo().join("scenarios/portfolio-200.toml"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["initiatives"], 200);
    assert_eq!(json["periods"], 12);
    let ratio = json["overcommitment"].as_f64().expect("a number");
    let effort = json["effort_weeks"].as_f64().expect("a number");
    let capacity = json["allocatable_weeks"].as_f64().expect("a number");
    assert!((ratio - effort / capacity).abs() < 1e-9);
    assert!(json["longest_chain"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
}

#[test]
fn binary_garbage_and_missing_files_are_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbage = dir.path().join("garbage.toml");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 255, 0, 1, 2]).expect("write");
    for path in [garbage.as_path(), Path::new("does-not-exist.toml")] {
        let out = tradeoff().arg("validate").arg(path).output().expect("runs");
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("error: cannot load scenario"),
            "{stderr}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let scenario = repo().join("scenarios/legacy-drag.toml");
    let out = tradeoff()
        .args(["plan", "--stability-share", "0.95"])
        .arg(&scenario)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--stability-share"));
    let out = tradeoff().args(["validate"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}
