//! Reads a scenario file (TOML, optionally with initiatives in CSV) into a validated [`Scenario`].
//!
//! Every problem is reported with the file, the line, the field, what was expected and what was
//! found; the loader collects all of them in one pass and never panics, whatever the input.
//!
//! This file is the entry point and the order of the work: bounded reading of input files, the
//! `Loader` that gathers diagnostics, and the pass that turns a document into a [`Scenario`].
//! The sections of the TOML file are read in `sections`, initiatives in CSV in `csv_rows` (in a
//! workbook through `workbook`), a tracker export or spreadsheet with `[import]` in `import`, and
//! the checks across the whole scenario (ids, cycles, deadlines, warnings) are in `checks`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::checks::warnings;
use super::fields::Reader;
use super::import::Calendar;
use super::model::*;
use super::raw::parse_toml;
use super::sections::{peek_periods, TOP_KEYS};
use crate::error::{Diagnostic, Error};

/// At most this many periods: a horizon of 20 years in months, 4 years in weeks.
pub const MAX_PERIODS: i64 = 260;

/// Scenario, CSV and `--plan` files larger than this (64 MiB) are refused: a portfolio of
/// 100,000 initiatives takes about 20 MB, and a device such as `/dev/zero` never ends.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a whole input file, refusing one over [`MAX_INPUT_BYTES`] with at most that much
/// memory (plus one byte).
pub fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is larger than {} MiB, the limit for input files",
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}

/// Loads and validates the scenario at `path`.
pub fn load_scenario(path: &Path) -> Result<Scenario, Error> {
    let bytes = read_input(path).map_err(|e| {
        Error::load(
            path,
            Diagnostic {
                file: path.to_path_buf(),
                line: None,
                field: None,
                message: format!("cannot read the file: {e}"),
                hint: None,
            },
        )
    })?;
    let text = text_of(path, &bytes)?;
    load_scenario_str(path, &text)
}

/// Loads a scenario from text; `path` names it in messages and anchors a relative CSV path.
pub fn load_scenario_str(path: impl AsRef<Path>, text: &str) -> Result<Scenario, Error> {
    let path = path.as_ref();
    let mut loader = Loader::new(path);
    let scenario = loader.load(text);
    match scenario {
        Some(s) if loader.diagnostics.is_empty() => Ok(s),
        _ => {
            let mut diagnostics = loader.diagnostics;
            // File order: the scenario first, then its CSV, each by line.
            diagnostics.sort_by_key(|d| (d.file != path, d.line.unwrap_or(0)));
            if diagnostics.is_empty() {
                // Defensive: a missing value always records why; never fail without a reason.
                diagnostics.push(Diagnostic {
                    file: path.to_path_buf(),
                    line: None,
                    field: None,
                    message: "the scenario is incomplete".into(),
                    hint: None,
                });
            }
            Err(Error::Load {
                path: path.to_path_buf(),
                diagnostics,
            })
        }
    }
}

/// Decodes UTF-8 (with or without a byte-order mark), or says where it is not text.
pub(super) fn text_of(path: &Path, bytes: &[u8]) -> Result<String, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            Err(Error::load(
                path,
                Diagnostic {
                    file: path.to_path_buf(),
                    line: Some(line),
                    field: None,
                    message: "expected UTF-8 text, found bytes that are not".into(),
                    hint: Some("save the file as UTF-8 text".into()),
                },
            ))
        }
    }
}

/// An initiative as read, before its ids are resolved.
pub(super) struct Draft {
    pub(super) initiative: Initiative,
    pub(super) id_line: usize,
    pub(super) file: PathBuf,
    pub(super) requires: Vec<(String, usize)>,
    pub(super) objectives: Vec<(String, usize)>,
    pub(super) deadline_line: usize,
    pub(super) commit_line: usize,
    /// `owner` or `split` as written.
    pub(super) teams: Option<TeamsAsWritten>,
    /// For an imported row: the `[[initiative]]` table that set some of its fields.
    pub(super) annotation: Option<Annotation>,
    /// For an imported row: the export's column that holds a field (`id` in `Issue key`).
    pub(super) columns: Vec<(&'static str, String)>,
}

/// The fields an `[[initiative]]` table set on an imported row, and the file they are in.
pub(super) struct Annotation {
    pub(super) file: PathBuf,
    pub(super) keys: Vec<String>,
}

impl Draft {
    /// The file that holds `key` (`requires`, `deadline`, …): the annotating scenario when an
    /// `[[initiative]]` table set it on an imported row, else the item's own file.
    pub(super) fn file_for(&self, key: &str) -> &Path {
        match &self.annotation {
            Some(a) if a.keys.iter().any(|k| k == key) => &a.file,
            _ => &self.file,
        }
    }

    /// The name a message gives `key`: the export's column for an imported row (unless the
    /// annotating `[[initiative]]` table set it), else `initiative.KEY`.
    pub(super) fn field(&self, key: &str) -> String {
        let annotated = self
            .annotation
            .as_ref()
            .is_some_and(|a| a.keys.iter().any(|k| k == key));
        match self.columns.iter().find(|(k, _)| *k == key) {
            Some((_, column)) if !annotated => column.clone(),
            _ => format!("initiative.{key}"),
        }
    }
}

/// An item's `owner` or `split` before the team ids are resolved.
pub(super) struct TeamsAsWritten {
    /// Team ids with their shares of the effort (`owner` is one id with share 1).
    pub(super) shares: Vec<(String, f64)>,
    pub(super) line: usize,
    /// `owner` or `split`, for messages.
    pub(super) key: &'static str,
}

/// Reads one scenario, collecting every problem it finds on the way.
pub(super) struct Loader {
    pub(super) path: PathBuf,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// Warnings found while reading (an import's dropped links and due dates), shown before
    /// the scenario's own.
    pub(super) warnings: Vec<String>,
    /// The ids of initiatives refused for one of their fields: a `requires` or a strategy's
    /// `order` naming one gets no second, false "no initiative has it".
    pub(super) refused_initiatives: Vec<String>,
    /// Likewise the teams refused for one of their fields, for the items' `owner` and `split`.
    pub(super) refused_teams: Vec<String>,
    /// And the objectives refused for one of their fields, for the items' `objectives`.
    pub(super) refused_objectives: Vec<String>,
    /// The data files read besides the scenario (CSV, workbook, export).
    pub(super) inputs: Vec<PathBuf>,
}

impl Loader {
    fn new(path: &Path) -> Self {
        Loader {
            path: path.to_path_buf(),
            diagnostics: Vec::new(),
            warnings: Vec::new(),
            refused_initiatives: Vec::new(),
            refused_teams: Vec::new(),
            refused_objectives: Vec::new(),
            inputs: Vec::new(),
        }
    }

    /// Runs `f` with a reader for `file`, then keeps what it found wrong.
    pub(super) fn with_reader<T>(&mut self, file: &Path, f: impl FnOnce(&mut Reader) -> T) -> T {
        let mut reader = Reader::new(file);
        let out = f(&mut reader);
        self.diagnostics.append(&mut reader.diagnostics);
        out
    }

    pub(super) fn error(
        &mut self,
        file: &Path,
        line: Option<usize>,
        field: &str,
        message: String,
        hint: Option<String>,
    ) {
        self.diagnostics.push(Diagnostic {
            file: file.to_path_buf(),
            line,
            field: (!field.is_empty()).then(|| field.to_string()),
            message,
            hint,
        });
    }

    fn load(&mut self, text: &str) -> Option<Scenario> {
        let path = self.path.clone();
        let doc = match parse_toml(&path, text) {
            Ok(doc) => doc,
            Err(d) => {
                self.diagnostics.push(d);
                return None;
            }
        };
        self.with_reader(&path, |r| r.check_keys(&doc, TOP_KEYS, ""));

        let header = self.read_header(&doc);
        // Read alone too, so a bad neighbour in [scenario] does not hide per-period checks.
        let periods = header
            .as_ref()
            .map(|h| h.periods)
            .or_else(|| peek_periods(&doc));
        let has_teams = doc.get("team").is_some();
        let mut capacity = self.read_capacity(&doc, periods, has_teams);
        let default_noise = capacity.as_ref().map_or(0.0, |c| c.noise);
        let teams: Vec<Team> = self
            .read_teams(&doc, periods, default_noise)
            .into_iter()
            .map(|(team, _)| team)
            .collect();
        if let (Some(c), Some(t)) = (capacity.as_mut(), periods) {
            if has_teams {
                // C_t is the sum of the teams' capacities.
                c.per_period = Team::total_per_period(&teams, t);
            }
        }
        let debt = self.read_debt(&doc);
        let objectives = self.read_objectives(&doc);

        let table_path = header.as_ref().and_then(|h| h.csv.clone());
        let drafts = if doc.get("import").is_some() {
            // With [import], [[initiative]] tables annotate the imported rows.
            let spec = self.read_import(&doc);
            let calendar = Calendar::of(header.as_ref());
            match (spec, table_path) {
                (Some(spec), Some((file, line))) => {
                    self.read_imported(&doc, &spec, &file, line, periods, &calendar)
                }
                (Some(spec), None) if header.is_some() => {
                    self.error(
                        &path,
                        Some(spec.line),
                        "scenario.initiatives",
                        "expected `initiatives` under [scenario] naming the export that [import] reads, found none".into(),
                        Some("add initiatives = \"export.csv\" (or a .xlsx or .ods workbook) under [scenario]".into()),
                    );
                    Vec::new()
                }
                _ => Vec::new(),
            }
        } else {
            let mut drafts = self.read_toml_initiatives(&doc, periods);
            if let Some((file, line)) = table_path {
                drafts.extend(self.read_table_initiatives(&file, line, periods));
            }
            drafts
        };
        let ids = self.check_ids(&drafts);
        let objective_ids: HashMap<&str, usize> = objectives
            .iter()
            .enumerate()
            .map(|(k, (o, _))| (o.id.as_str(), k))
            .collect();
        let initiatives =
            self.resolve(drafts.iter(), &ids, &objective_ids)
                .and_then(|mut initiatives| {
                    self.resolve_teams(&drafts, &mut initiatives, &teams, has_teams)
                        .then_some(initiatives)
                });
        let strategies = self.read_strategies(&doc, &ids, capacity.as_ref());

        let header = header?;
        let capacity = capacity?;
        let debt = debt?;
        let mut initiatives = initiatives?;
        let strategies = strategies?;
        self.check_cycles(&drafts, &initiatives);
        self.precheck_deadlines(&drafts, &header, &capacity, &teams, &initiatives);
        for (draft, initiative) in drafts.iter().zip(initiatives.iter_mut()) {
            initiative.origin = Origin {
                file: draft.file.clone(),
                line: draft.id_line,
            };
        }
        if !self.diagnostics.is_empty() {
            return None;
        }
        let mut scenario = Scenario {
            name: header.name,
            periods: header.periods,
            period_label: header.period_label,
            labels: header.labels,
            weeks_per_period: header.weeks_per_period,
            discount_rate: header.discount_rate,
            periods_per_year: header.periods_per_year,
            terminal_periods: header.terminal_periods,
            currency: header.currency,
            teams,
            capacity,
            debt,
            objectives: objectives.into_iter().map(|(o, _)| o).collect(),
            initiatives,
            strategies,
            warnings: Vec::new(),
            source: path,
            inputs: std::mem::take(&mut self.inputs),
        };
        scenario.warnings = std::mem::take(&mut self.warnings);
        scenario.warnings.extend(warnings(&scenario));
        Some(scenario)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_input_takes_the_limit_and_refuses_one_byte_more() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.toml");
        let file = std::fs::File::create(&path).expect("create");
        file.set_len(MAX_INPUT_BYTES).expect("a sparse file");
        assert_eq!(
            read_input(&path).expect("at the limit").len() as u64,
            MAX_INPUT_BYTES
        );
        file.set_len(MAX_INPUT_BYTES + 1).expect("a sparse file");
        let e = read_input(&path).expect_err("over the limit");
        assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
    }
}
