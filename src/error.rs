//! Error types and the exit codes they map to.
//!
//! Exit codes (documented in the README): 0 success, 1 bad input (a scenario or a `--plan` file
//! that cannot be read or is not valid), 2 usage error (including an
//! output file that exists without `--force`), 3 the plan is infeasible, 4 an internal failure
//! (a solver that failed for a reason other than infeasibility, an I/O error writing output).

use std::fmt;
use std::path::PathBuf;

/// One problem in the user's input, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in (the scenario or its CSV).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field, e.g. `initiative "oauth"` › `effort.low`, or a CSV column.
    pub field: Option<String>,
    /// What was expected and what was found.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The path as the user gave it (a CSV's joined to its scenario's folder), so it names
        // the file from where they ran, not only its base name.
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
        }
        // A key or column name is quoted as written: control characters in it are escaped, so
        // no ESC sequence reaches the terminal.
        let safe = crate::scenario::fields::shown_safely;
        if let Some(field) = &self.field {
            write!(f, ", field `{}`", safe(field))?;
        }
        write!(f, ": {}", safe(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {}", safe(hint))?;
        }
        Ok(())
    }
}

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario (or its CSV) is not valid; every problem found is listed.
    #[error("cannot load scenario `{}`{}", path.display(), render_diagnostics(diagnostics))]
    Load {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    /// A plan file given with `--plan` cannot be read or does not fit the scenario.
    #[error("cannot load plan `{}`{}", path.display(), render_diagnostics(diagnostics))]
    LoadPlan {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    /// A command-line option is wrong; the message names the flag.
    #[error("{0}")]
    Usage(String),
    /// No plan meets the hard constraints; each conflict is one sentence in the scenario's words.
    #[error("the plan is infeasible{}", render_lines(conflicts))]
    Infeasible { conflicts: Vec<String> },
    /// A file we were asked to write already exists.
    #[error("`{}` already exists\n  hint: pass --force to overwrite it", .0.display())]
    OutputExists(PathBuf),
    /// Reading or writing a file failed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// Writing the output to standard output failed (a closed pipe is not an error).
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
    /// Something went wrong inside the tool (a solver failure that is not infeasibility).
    #[error("{0}")]
    Internal(String),
    /// An option given to the core that it cannot use (a usage error). The core does not know
    /// the command line: the CLI turns this into a [`Error::Usage`] naming the flag.
    #[error("{setting:?}: {message}")]
    Setting { setting: Setting, message: String },
}

/// The options the core checks itself, for [`Error::Setting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The list of strategies to simulate.
    Strategies,
    /// The sweep's grid of stability shares.
    Shares,
    /// The robust search's training futures.
    RobustTrials,
    /// The robust search's budget of replays.
    RobustBudget,
}

impl Error {
    /// A [`Error::Setting`] error.
    pub fn setting(setting: Setting, message: impl Into<String>) -> Error {
        Error::Setting {
            setting,
            message: message.into(),
        }
    }
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("\n  {d}")).collect()
}

fn render_lines(lines: &[String]) -> String {
    lines.iter().map(|l| format!("\n  {l}")).collect()
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Load { .. } | Error::LoadPlan { .. } => 1,
            Error::Usage(_) | Error::OutputExists(_) | Error::Setting { .. } => 2,
            Error::Infeasible { .. } => 3,
            Error::Io { .. } | Error::Stdout(_) | Error::Internal(_) => 4,
        }
    }

    /// A load error with a single diagnostic.
    pub fn load(path: impl Into<PathBuf>, diagnostic: Diagnostic) -> Error {
        Error::Load {
            path: path.into(),
            diagnostics: vec![diagnostic],
        }
    }
}
