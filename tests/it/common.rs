//! Helpers shared by the integration tests: the binary and what one run of it leaves, the
//! repository's files, and small scenarios written to a temporary folder.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `tradeoff` binary, ready for arguments.
pub fn tradeoff() -> Command {
    Command::cargo_bin("tradeoff").expect("the tradeoff binary is built")
}

/// The repository's root folder.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped scenario by its file stem.
pub fn scenario_path(name: &str) -> PathBuf {
    repo().join("scenarios").join(format!("{name}.toml"))
}

/// The charts every report draws, as file stems.
pub const CHARTS: [&str; 8] = [
    "outcome-distribution",
    "cumulative-value-fan",
    "delivery-curves",
    "roadmap",
    "plan-timeline",
    "plan-capacity",
    "debt-budget-sweep",
    "sensitivity-tornado",
];

/// What one run of the binary left: its exit code and its output.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    /// Standard output as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard output parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).expect("stdout is JSON")
    }

    /// Asserts the exit code, with standard error (after `what`) in the message.
    pub fn expect_code(self, code: i32, what: &str) -> Self {
        assert_eq!(self.code, Some(code), "{what}: {}", self.stderr);
        self
    }
}

/// Runs a prepared command to its end.
pub fn finish(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("runs");
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a prepared command and asserts it succeeded, with standard error in the message.
pub fn finish_ok(cmd: &mut Command) -> Run {
    finish(cmd).expect_code(0, "the run fails")
}

/// Writes `text` as `name` in `dir` and returns its path.
pub fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    path
}
