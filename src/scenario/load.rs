//! Reads a scenario file (TOML, optionally with initiatives in CSV) into a validated [`Scenario`].
//!
//! Every problem is reported with the file, the line, the field, what was expected and what was
//! found; the loader collects all of them in one pass and never panics, whatever the input.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::fields::{quoted, Range, Reader};
use super::labels::period_labels;
use super::model::*;
use super::raw::{parse_toml, Node, Table, Val};
use crate::error::{Diagnostic, Error};

/// At most this many periods: a horizon of 20 years in months, 4 years in weeks.
pub const MAX_PERIODS: i64 = 260;

const TOP_KEYS: &[&str] = &[
    "scenario",
    "capacity",
    "debt",
    "objective",
    "initiative",
    "strategy",
];
const SCENARIO_KEYS: &[&str] = &[
    "name",
    "periods",
    "period_label",
    "start",
    "weeks_per_period",
    "discount_rate",
    "periods_per_year",
    "terminal_periods",
    "currency",
    "initiatives",
];
const CAPACITY_KEYS: &[&str] = &["per_period", "buffer", "stability_share", "noise"];
const DEBT_KEYS: &[&str] = &["drag", "growth", "ceiling"];
const OBJECTIVE_KEYS: &[&str] = &["id", "name", "weight"];
const INITIATIVE_KEYS: &[&str] = &[
    "id",
    "name",
    "kind",
    "class",
    "effort",
    "progress",
    "team",
    "value",
    "one_time_value",
    "risk_if_deferred",
    "deadline",
    "requires",
    "objectives",
    "commit",
    "business_outcome",
    "debt_relief",
];
const STRATEGY_KEYS: &[&str] = &["name", "order", "stability_share"];
const BUILT_IN_STRATEGIES: &[&str] = &[
    "plan",
    "plan-order",
    "wsjf",
    "features-first",
    "debt-first",
    "robust",
];

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
fn text_of(path: &Path, bytes: &[u8]) -> Result<String, Error> {
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
struct Draft {
    initiative: Initiative,
    id_line: usize,
    file: PathBuf,
    requires: Vec<(String, usize)>,
    objectives: Vec<(String, usize)>,
    deadline_line: usize,
    commit_line: usize,
}

struct Loader {
    path: PathBuf,
    diagnostics: Vec<Diagnostic>,
}

impl Loader {
    fn new(path: &Path) -> Self {
        Loader {
            path: path.to_path_buf(),
            diagnostics: Vec::new(),
        }
    }

    /// Runs `f` with a reader for `file`, then keeps what it found wrong.
    fn with_reader<T>(&mut self, file: &Path, f: impl FnOnce(&mut Reader) -> T) -> T {
        let mut reader = Reader::new(file);
        let out = f(&mut reader);
        self.diagnostics.append(&mut reader.diagnostics);
        out
    }

    fn error(
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
        let capacity = self.read_capacity(&doc, periods);
        let debt = self.read_debt(&doc);
        let objectives = self.read_objectives(&doc);

        let mut drafts = self.read_toml_initiatives(&doc, periods);
        if let Some((csv_path, line)) = header.as_ref().and_then(|h| h.csv.clone()) {
            drafts.extend(self.read_csv_initiatives(&csv_path, line, periods));
        }
        let ids = self.check_ids(&drafts);
        let objective_ids: HashMap<&str, usize> = objectives
            .iter()
            .enumerate()
            .map(|(k, (o, _))| (o.id.as_str(), k))
            .collect();
        let initiatives = self.resolve(drafts.iter(), &ids, &objective_ids);
        let strategies = self.read_strategies(&doc, &ids, capacity.as_ref());

        let header = header?;
        let capacity = capacity?;
        let debt = debt?;
        let mut initiatives = initiatives?;
        let strategies = strategies?;
        self.check_cycles(&drafts, &initiatives);
        self.precheck_deadlines(&drafts, &header, &capacity);
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
            capacity,
            debt,
            objectives: objectives.into_iter().map(|(o, _)| o).collect(),
            initiatives,
            strategies,
            warnings: Vec::new(),
            source: path,
        };
        scenario.warnings = warnings(&scenario);
        Some(scenario)
    }

    fn section<'d>(&mut self, doc: &'d Table, key: &str, allowed: &[&str]) -> Option<&'d Table> {
        let node = doc.get(key)?;
        let path = self.path.clone();
        match &node.value {
            Val::Table(t) => {
                self.with_reader(&path, |r| r.check_keys(t, allowed, key));
                Some(t)
            }
            _ => {
                self.error(
                    &path,
                    Some(node.line),
                    key,
                    format!("expected a [{key}] table, found {}", node.describe()),
                    None,
                );
                None
            }
        }
    }

    fn read_header(&mut self, doc: &Table) -> Option<Header> {
        let path = self.path.clone();
        let Some(s) = self.section(doc, "scenario", SCENARIO_KEYS) else {
            if doc.get("scenario").is_none() {
                self.error(
                    &path,
                    Some(1),
                    "scenario",
                    "expected a [scenario] table with at least `periods`, found none".into(),
                    Some("start the file with [scenario] and periods = 8".into()),
                );
            }
            return None;
        };
        let csv_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let section_line = doc.get("scenario").map_or(1, |n| n.line);
        self.with_reader(&path, |r| {
            let periods = match s.get("periods") {
                Some(n) => r.whole(n, "scenario.periods", 1, MAX_PERIODS),
                None => {
                    r.error(
                        section_line,
                        "scenario.periods",
                        "expected the horizon length in periods, found none".into(),
                        Some("add periods = 8 under [scenario]".into()),
                    );
                    None
                }
            };
            let period_label = match s.get("period_label") {
                None => Some(PeriodLabel::Quarter),
                Some(n) => r.string(n, "scenario.period_label").and_then(|text| {
                    let parsed = PeriodLabel::parse(&text);
                    if parsed.is_none() {
                        r.error(
                            n.line,
                            "scenario.period_label",
                            format!(
                                "expected one of quarter, month, sprint, week, day, found {}",
                                quoted(&text)
                            ),
                            None,
                        );
                    }
                    parsed
                }),
            };
            let positive = |r: &mut Reader, key: &str| {
                s.get(key)
                    .map(|n| r.number(n, &format!("scenario.{key}"), Range::Positive))
            };
            let weeks = positive(r, "weeks_per_period");
            let per_year = positive(r, "periods_per_year");
            let discount_rate = s.get("discount_rate").map_or(Some(0.0), |n| {
                r.number(n, "scenario.discount_rate", Range::NonNegative)
            });
            let terminal = s.get("terminal_periods").map_or(Some(0), |n| {
                r.whole(n, "scenario.terminal_periods", 0, 10_000)
            });
            let name = match s.get("name") {
                Some(n) => r.string(n, "scenario.name"),
                // A file name may hold what scenario text may not: replace it.
                None => Some(
                    path.file_stem()
                        .map(|s| {
                            s.to_string_lossy()
                                .replace(super::fields::is_forbidden, "\u{FFFD}")
                        })
                        .unwrap_or_else(|| "scenario".into()),
                ),
            };
            let currency = s
                .get("currency")
                .map_or(Some(String::new()), |n| r.string(n, "scenario.currency"));
            let start = match s.get("start") {
                None => Some(None),
                Some(n) => match &n.value {
                    Val::Datetime(d) => Some(Some((d.clone(), n.line))),
                    _ => r.string(n, "scenario.start").map(|t| Some((t, n.line))),
                },
            };
            let csv = match s.get("initiatives") {
                None => Some(None),
                Some(n) => r
                    .string(n, "scenario.initiatives")
                    .map(|p| Some((csv_dir.join(p), n.line))),
            };
            let (periods, period_label, start) = (periods? as usize, period_label?, start?);
            let labels = match period_labels(
                start.as_ref().map(|(s, _)| s.as_str()),
                period_label,
                periods,
            ) {
                Ok(l) => l,
                Err(message) => {
                    r.error(start.map_or(1, |(_, l)| l), "scenario.start", message, None);
                    return None;
                }
            };
            Some(Header {
                name: name?,
                periods,
                period_label,
                labels,
                weeks_per_period: weeks.unwrap_or(Some(period_label.default_weeks_per_period()))?,
                periods_per_year: per_year
                    .unwrap_or(Some(period_label.default_periods_per_year()))?,
                discount_rate: discount_rate?,
                terminal_periods: terminal? as u32,
                currency: currency?,
                csv: csv?,
            })
        })
    }

    fn read_capacity(&mut self, doc: &Table, periods: Option<usize>) -> Option<Capacity> {
        let path = self.path.clone();
        let Some(c) = self.section(doc, "capacity", CAPACITY_KEYS) else {
            if doc.get("capacity").is_none() {
                self.error(
                    &path,
                    Some(1),
                    "capacity.per_period",
                    "expected a [capacity] table with per_period, found none".into(),
                    Some("add [capacity] with per_period = engineer-weeks per period".into()),
                );
            }
            return None;
        };
        let section_line = doc.get("capacity").map_or(1, |n| n.line);
        self.with_reader(&path, |r| {
            let per_period = match c.get("per_period") {
                None => {
                    r.error(
                        section_line,
                        "capacity.per_period",
                        "expected engineer-weeks per period (a number or a list), found none".into(),
                        None,
                    );
                    None
                }
                Some(n) => match &n.value {
                    Val::Array(items) => {
                        let values: Option<Vec<f64>> = items
                            .iter()
                            .enumerate()
                            .map(|(k, item)| {
                                r.number(item, &format!("capacity.per_period[{k}]"), Range::NonNegative)
                            })
                            .collect::<Vec<_>>()
                            .into_iter()
                            .collect();
                        match (values, periods) {
                            (Some(v), Some(t)) if v.len() != t => {
                                r.error(
                                    n.line,
                                    "capacity.per_period",
                                    format!("expected a list of {t} numbers (one per period), found {}", v.len()),
                                    Some("give one number per period, or a single number for all".into()),
                                );
                                None
                            }
                            (v, _) => v,
                        }
                    }
                    _ => r
                        .number(n, "capacity.per_period", Range::NonNegative)
                        .map(|x| vec![x; periods.unwrap_or(0)]),
                },
            };
            let share = |r: &mut Reader, key: &str, default: f64| {
                c.get(key)
                    .map_or(Some(default), |n| r.number(n, &format!("capacity.{key}"), Range::Share))
            };
            let buffer = share(r, "buffer", 0.0);
            let noise = c
                .get("noise")
                .map_or(Some(0.0), |n| r.number(n, "capacity.noise", Range::NonNegative));
            let (min, max, line) = match c.get("stability_share") {
                None => (Some(0.0), Some(1.0), 1),
                Some(n) => match &n.value {
                    Val::Table(t) => {
                        r.check_keys(t, &["min", "max"], "capacity.stability_share");
                        let get = |r: &mut Reader, key: &str, default: f64| {
                            t.get(key).map_or(Some(default), |m| {
                                r.number(m, &format!("capacity.stability_share.{key}"), Range::Share)
                            })
                        };
                        (get(r, "min", 0.0), get(r, "max", 1.0), n.line)
                    }
                    _ => {
                        let x = r.number(n, "capacity.stability_share", Range::Share);
                        (x, x, n.line)
                    }
                },
            };
            let (per_period, buffer, noise, min, max) = (per_period?, buffer?, noise?, min?, max?);
            if min > max {
                r.error(
                    line,
                    "capacity.stability_share",
                    format!("expected min ≤ max, found min = {min}, max = {max}"),
                    None,
                );
                return None;
            }
            if buffer + min > 1.0 + 1e-12 {
                r.error(
                    line,
                    "capacity.stability_share.min",
                    format!("expected buffer + stability min ≤ 1, found {buffer} + {min} = {}", buffer + min),
                    Some("the buffer and the ring-fence together cannot exceed all the capacity".into()),
                );
                return None;
            }
            Some(Capacity {
                per_period,
                buffer,
                stability_min: min,
                stability_max: max,
                noise,
            })
        })
    }

    fn read_debt(&mut self, doc: &Table) -> Option<Debt> {
        let path = self.path.clone();
        if doc.get("debt").is_none() {
            return Some(Debt::NONE);
        }
        let d = self.section(doc, "debt", DEBT_KEYS)?;
        self.with_reader(&path, |r| {
            let drag = d
                .get("drag")
                .map_or(Some(0.0), |n| r.number(n, "debt.drag", Range::Share));
            let growth = d.get("growth").map_or(Some(Estimate::ZERO), |n| {
                r.estimate(n, "debt.growth", Range::NonNegative)
            });
            let ceiling = d
                .get("ceiling")
                .map_or(Some(1.0), |n| r.number(n, "debt.ceiling", Range::Share));
            Some(Debt {
                drag: drag?,
                growth: growth?,
                ceiling: ceiling?,
            })
        })
    }

    /// The tables of an array of tables such as `[[initiative]]`.
    fn tables<'d>(&mut self, doc: &'d Table, key: &str) -> Vec<(&'d Table, usize)> {
        let Some(node) = doc.get(key) else {
            return Vec::new();
        };
        let path = self.path.clone();
        match &node.value {
            Val::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Val::Table(t) => out.push((t, item.line)),
                        _ => self.error(
                            &path,
                            Some(item.line),
                            key,
                            format!("expected a [[{key}]] table, found {}", item.describe()),
                            None,
                        ),
                    }
                }
                out
            }
            _ => {
                self.error(
                    &path,
                    Some(node.line),
                    key,
                    format!("expected [[{key}]] tables, found {}", node.describe()),
                    Some(format!("write each one under its own [[{key}]] header")),
                );
                Vec::new()
            }
        }
    }

    fn read_objectives(&mut self, doc: &Table) -> Vec<(Objective, usize)> {
        let path = self.path.clone();
        let tables = self.tables(doc, "objective");
        let mut out: Vec<(Objective, usize)> = Vec::new();
        for (t, line) in tables {
            let objective = self.with_reader(&path, |r| {
                r.check_keys(t, OBJECTIVE_KEYS, "objective");
                let id = read_id(r, t, line, "objective")?;
                let name = t
                    .get("name")
                    .map_or(Some(id.clone()), |n| r.string(n, "objective.name"));
                let weight = t.get("weight").map_or(Some(1.0), |n| {
                    r.number(n, "objective.weight", Range::NonNegative)
                });
                Some(Objective {
                    id,
                    name: name?,
                    weight: weight?,
                })
            });
            if let Some(o) = objective {
                if let Some((_, first)) = out.iter().find(|(p, _)| p.id == o.id) {
                    let first = *first;
                    self.error(
                        &path,
                        Some(line),
                        "objective.id",
                        format!(
                            "expected a unique id, found {} again (first on line {first})",
                            quoted(&o.id)
                        ),
                        None,
                    );
                } else {
                    out.push((o, line));
                }
            }
        }
        out
    }

    fn read_toml_initiatives(&mut self, doc: &Table, periods: Option<usize>) -> Vec<Draft> {
        let path = self.path.clone();
        let tables = self.tables(doc, "initiative");
        let mut out = Vec::new();
        for (t, line) in tables {
            let draft = self.with_reader(&path, |r| {
                r.check_keys(t, INITIATIVE_KEYS, "initiative");
                read_initiative(r, t, line, periods)
            });
            out.extend(draft);
        }
        out
    }

    fn read_csv_initiatives(
        &mut self,
        csv_path: &Path,
        ref_line: usize,
        periods: Option<usize>,
    ) -> Vec<Draft> {
        let scenario_path = self.path.clone();
        let bytes = match read_input(csv_path) {
            Ok(b) => b,
            Err(e) => {
                self.error(
                    &scenario_path,
                    Some(ref_line),
                    "scenario.initiatives",
                    format!(
                        "expected a readable CSV file at `{}`, found: {e}",
                        csv_path.display()
                    ),
                    Some("the path is relative to the scenario file".into()),
                );
                return Vec::new();
            }
        };
        let text = match text_of(csv_path, &bytes) {
            Ok(t) => t,
            Err(Error::Load {
                mut diagnostics, ..
            }) => {
                self.diagnostics.append(&mut diagnostics);
                return Vec::new();
            }
            Err(_) => return Vec::new(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.error(
                    csv_path,
                    Some(1),
                    "",
                    format!("expected a CSV header row, found an error: {e}"),
                    None,
                );
                return Vec::new();
            }
        };
        let columns: Vec<String> = headers.iter().map(str::to_string).collect();
        let Some(layout) = self.csv_layout(csv_path, &columns) else {
            return Vec::new();
        };
        // Lines come from byte offsets: the csv crate's own line count is off for CRLF files
        // (spreadsheet exports) and after blank lines.
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        // A record's position can point at the line break before it (and at blank lines before
        // it): step over those to the record's line. Only line breaks: a line of spaces is a
        // line of its own.
        let line_of = |byte: u64| {
            let skipped = text
                .as_bytes()
                .iter()
                .skip(byte as usize)
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            let at = byte as usize + skipped;
            line_starts.partition_point(|&start| start <= at)
        };
        // A line of nothing but spaces and tabs is blank, like an empty line.
        let blank = |line: usize| {
            let start = line_starts[line.saturating_sub(1).min(line_starts.len() - 1)];
            let end = line_starts.get(line).copied().unwrap_or(text.len());
            text[start..end].trim().is_empty()
        };
        let mut out = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| line_of(p.byte()));
                    if matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. })
                        && line.is_some_and(blank)
                    {
                        continue;
                    }
                    // The csv crate's own text carries its (miscounted) line: say it ourselves.
                    let message = match e.kind() {
                        csv::ErrorKind::UnequalLengths { len, .. } => format!(
                            "expected a CSV record with {} fields (as many as the header), found {len}",
                            columns.len()
                        ),
                        csv::ErrorKind::Utf8 { .. } => {
                            "expected UTF-8 text, found bytes that are not".to_string()
                        }
                        _ => format!(
                            "expected a CSV record with {} fields, found an unreadable record",
                            columns.len()
                        ),
                    };
                    self.error(csv_path, line, "", message, None);
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| line_of(p.byte()));
            if record.iter().all(str::is_empty) {
                continue;
            }
            let table = csv_row_table(&layout, &record, line);
            let draft = self.with_reader(csv_path, |r| {
                // Plain and three-point forms of one field in the same row.
                for (field, plain_col, split_col) in &layout.conflicts(&record) {
                    r.error(
                        line,
                        field,
                        format!("expected either `{plain_col}` or `{split_col}`, found both"),
                        Some("leave one of the two empty".into()),
                    );
                }
                read_initiative(r, &table, line, periods)
            });
            out.extend(draft.map(|mut d| {
                d.file = csv_path.to_path_buf();
                d
            }));
        }
        out
    }

    /// Maps CSV columns to initiative fields; unknown columns are errors.
    fn csv_layout(&mut self, csv_path: &Path, columns: &[String]) -> Option<CsvLayout> {
        let mut layout = CsvLayout::default();
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for (k, col) in columns.iter().enumerate() {
            if seen.contains(&col.as_str()) {
                self.error(
                    csv_path,
                    Some(1),
                    col,
                    format!("expected each column once, found `{col}` twice"),
                    None,
                );
                ok = false;
                continue;
            }
            seen.push(col);
            match csv_column(col) {
                Some(target) => layout.columns.push((k, col.clone(), target)),
                None => {
                    let hint = Some(format!(
                        "known columns are the initiative fields ({}), three-point fields as effort_low, effort_likely, effort_high, risk as risk_if_deferred_probability, risk_if_deferred_impact, soft deadlines as deadline_period, deadline_penalty",
                        INITIATIVE_KEYS.join(", ")
                    ));
                    self.error(
                        csv_path,
                        Some(1),
                        col,
                        format!("unknown column `{col}`"),
                        hint,
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(layout)
    }

    fn check_ids(&mut self, drafts: &[Draft]) -> HashMap<String, usize> {
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (k, d) in drafts.iter().enumerate() {
            let id = &d.initiative.id;
            if let Some(&first) = ids.get(id) {
                let f = &drafts[first];
                let message = format!(
                    "expected a unique id, found {} again (first in {} line {})",
                    quoted(id),
                    file_name(&f.file),
                    f.id_line
                );
                let file = d.file.clone();
                self.error(&file, Some(d.id_line), "initiative.id", message, None);
            } else {
                ids.insert(id.clone(), k);
            }
        }
        ids
    }

    fn resolve<'a>(
        &mut self,
        drafts: impl Iterator<Item = &'a Draft>,
        ids: &HashMap<String, usize>,
        objective_ids: &HashMap<&str, usize>,
    ) -> Option<Vec<Initiative>> {
        let mut out = Vec::new();
        let mut ok = true;
        for d in drafts {
            let mut initiative = d.initiative.clone();
            for (req, line) in &d.requires {
                match ids.get(req) {
                    Some(&j) if *req == initiative.id => {
                        let _ = j;
                        self.error(&d.file, Some(*line), "initiative.requires", format!("expected the ids of other initiatives, found `{}` requiring itself", initiative.id), None);
                        ok = false;
                    }
                    Some(&j) => {
                        if !initiative.requires.contains(&j) {
                            initiative.requires.push(j);
                        }
                    }
                    None => {
                        self.error(
                            &d.file,
                            Some(*line),
                            "initiative.requires",
                            format!(
                                "expected the id of an initiative, found {} (no initiative has it)",
                                quoted(req)
                            ),
                            closest_id(req, ids.keys().map(String::as_str)),
                        );
                        ok = false;
                    }
                }
            }
            for (obj, line) in &d.objectives {
                match objective_ids.get(obj.as_str()) {
                    Some(&j) => {
                        if !initiative.objectives.contains(&j) {
                            initiative.objectives.push(j);
                        }
                    }
                    None => {
                        let hint = if objective_ids.is_empty() {
                            Some("define it in an [[objective]] table with this id".into())
                        } else {
                            closest_id(obj, objective_ids.keys().copied())
                        };
                        self.error(
                            &d.file,
                            Some(*line),
                            "initiative.objectives",
                            format!("expected the id of an [[objective]], found {}", quoted(obj)),
                            hint,
                        );
                        ok = false;
                    }
                }
            }
            out.push(initiative);
        }
        ok.then_some(out)
    }

    fn read_strategies(
        &mut self,
        doc: &Table,
        ids: &HashMap<String, usize>,
        capacity: Option<&Capacity>,
    ) -> Option<Vec<CustomStrategy>> {
        let path = self.path.clone();
        let tables = self.tables(doc, "strategy");
        let mut out: Vec<(CustomStrategy, usize)> = Vec::new();
        let mut ok = true;
        for (t, line) in tables {
            let strategy = self.with_reader(&path, |r| {
                r.check_keys(t, STRATEGY_KEYS, "strategy");
                let name = match t.get("name") {
                    None => {
                        r.error(line, "strategy.name", "expected a name for the strategy, found none".into(), None);
                        None
                    }
                    Some(n) => r.string(n, "strategy.name").and_then(|name| {
                        let lower = name.trim();
                        let problem = if lower.is_empty() {
                            Some("a non-empty name")
                        } else if name.contains(',') {
                            Some("a name without commas (--strategies is comma-separated)")
                        } else if BUILT_IN_STRATEGIES.contains(&lower)
                            || lower.starts_with("share:")
                            || lower.starts_with("debt-sprint:")
                        {
                            Some("a name that is not a built-in strategy")
                        } else {
                            None
                        };
                        match problem {
                            Some(expected) => {
                                r.error(n.line, "strategy.name", format!("expected {expected}, found {}", quoted(&name)), None);
                                None
                            }
                            None => Some(name),
                        }
                    }),
                };
                let order = t.get("order").map_or(Some(Vec::new()), |n| {
                    let list = r.string_list(n, "strategy.order")?;
                    let mut order = Vec::new();
                    let mut good = true;
                    for (id, l) in list {
                        match ids.get(&id) {
                            Some(&k) if order.contains(&k) => {
                                r.error(l, "strategy.order", format!("expected each id once, found {} twice", quoted(&id)), None);
                                good = false;
                            }
                            Some(&k) => order.push(k),
                            None => {
                                r.error(
                                    l,
                                    "strategy.order",
                                    format!("expected the id of an initiative, found {}", quoted(&id)),
                                    closest_id(&id, ids.keys().map(String::as_str)),
                                );
                                good = false;
                            }
                        }
                    }
                    good.then_some(order)
                });
                let share = match t.get("stability_share") {
                    None => Some(None),
                    Some(n) => r.number(n, "strategy.stability_share", Range::Share).and_then(|s| {
                        let buffer = capacity.map_or(0.0, |c| c.buffer);
                        if buffer + s > 1.0 + 1e-12 {
                            r.error(
                                n.line,
                                "strategy.stability_share",
                                format!("expected buffer + stability share ≤ 1, found {buffer} + {s}"),
                                None,
                            );
                            None
                        } else {
                            Some(Some(s))
                        }
                    }),
                };
                Some(CustomStrategy {
                    name: name?,
                    order: order?,
                    stability_share: share?,
                })
            });
            match strategy {
                Some(s) => {
                    if let Some((_, first)) = out.iter().find(|(o, _)| o.name == s.name) {
                        let first = *first;
                        self.error(
                            &path,
                            Some(line),
                            "strategy.name",
                            format!(
                                "expected a unique name, found {} again (first on line {first})",
                                quoted(&s.name)
                            ),
                            None,
                        );
                        ok = false;
                    } else {
                        out.push((s, line));
                    }
                }
                None => ok = false,
            }
        }
        ok.then(|| out.into_iter().map(|(s, _)| s).collect())
    }

    /// A dependency cycle is an error that names its members in order.
    fn check_cycles(&mut self, drafts: &[Draft], initiatives: &[Initiative]) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let n = initiatives.len();
        let mut mark = vec![Mark::New; n];
        let mut reported = vec![false; n];
        for root in 0..n {
            if mark[root] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (node, next child index).
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            mark[root] = Mark::Open;
            while let Some(&mut (node, ref mut child)) = stack.last_mut() {
                if let Some(&next) = initiatives[node].requires.get(*child) {
                    *child += 1;
                    match mark[next] {
                        Mark::New => {
                            mark[next] = Mark::Open;
                            stack.push((next, 0));
                        }
                        Mark::Open => {
                            let pos = stack.iter().position(|&(k, _)| k == next).unwrap_or(0);
                            let members: Vec<usize> =
                                stack[pos..].iter().map(|&(k, _)| k).collect();
                            if members.iter().all(|&k| !reported[k]) {
                                for &k in &members {
                                    reported[k] = true;
                                }
                                let mut names: Vec<&str> = members
                                    .iter()
                                    .map(|&k| initiatives[k].id.as_str())
                                    .collect();
                                names.push(initiatives[next].id.as_str());
                                let d = &drafts[next];
                                let (file, line) = (d.file.clone(), d.id_line);
                                self.error(
                                    &file,
                                    Some(line),
                                    "initiative.requires",
                                    format!(
                                        "expected dependencies without cycles, found the cycle {}",
                                        names.join(" → ")
                                    ),
                                    Some("remove one of these `requires` links".into()),
                                );
                            }
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
    }

    /// A hard deadline or commitment that cannot be met even with all the capacity.
    fn precheck_deadlines(&mut self, drafts: &[Draft], header: &Header, capacity: &Capacity) {
        for d in drafts {
            let i = &d.initiative;
            let checks = [
                i.deadline
                    .filter(Deadline::is_hard)
                    .map(|dl| (dl.period(), "deadline", d.deadline_line)),
                i.commit
                    .then_some((header.periods, "commit", d.commit_line)),
            ];
            for (k, what, line) in checks.into_iter().flatten() {
                if let Some(message) = deadline_shortfall(i, k, what, header, capacity) {
                    let field = format!("initiative.{what}");
                    self.error(
                        &d.file,
                        Some(line),
                        &field,
                        message,
                        Some(deadline_hint(i, what)),
                    );
                }
            }
        }
    }
}

/// `scenario.periods` when it is a valid whole number, read without reporting anything.
fn peek_periods(doc: &Table) -> Option<usize> {
    let Val::Table(s) = &doc.get("scenario")?.value else {
        return None;
    };
    let mut quiet = Reader::new(Path::new(""));
    quiet
        .whole(s.get("periods")?, "", 1, MAX_PERIODS)
        .map(|p| p as usize)
}

/// The arithmetic of the deadline pre-check, or None when the work fits.
fn deadline_shortfall(
    i: &Initiative,
    k: usize,
    what: &str,
    header: &Header,
    capacity: &Capacity,
) -> Option<String> {
    let need = i.remaining_effort_mean();
    let team_cap = i.team_limit_weeks(header.weeks_per_period);
    let terms: Vec<(f64, f64)> = (0..k)
        .map(|t| (capacity.per_period[t] * (1.0 - capacity.buffer), team_cap))
        .collect();
    let fit: f64 = terms.iter().map(|(a, b)| a.min(*b)).sum();
    if need <= fit * (1.0 + 1e-9) + 1e-9 {
        return None;
    }
    let sum = if terms.len() <= 4 {
        let parts: Vec<String> = terms
            .iter()
            .map(|(a, b)| {
                if b.is_finite() {
                    format!("min({}, {})", num(*a), num(*b))
                } else {
                    num(*a)
                }
            })
            .collect();
        format!("{} = {}", parts.join(" + "), num(fit))
    } else {
        format!(
            "Σ over periods 1..{k} of min(allocatable, team limit) = {}",
            num(fit)
        )
    };
    let effort = if i.progress > 0.0 {
        format!(
            "{} × (1 − progress {}) = {}",
            num(i.effort.mean()),
            as_written(i.progress),
            num(need)
        )
    } else {
        num(need)
    };
    let team = match i.team {
        Some(t) => format!(
            " (team = {}, weeks_per_period = {}, buffer = {})",
            as_written(t),
            as_written(header.weeks_per_period),
            as_written(capacity.buffer)
        ),
        None => format!(" (buffer = {})", as_written(capacity.buffer)),
    };
    let by = if what == "commit" {
        format!("within the horizon ({k} periods, commit = true)")
    } else {
        format!("by the end of period {k} (hard deadline)")
    };
    Some(format!(
        "`{}` must be delivered {by}, but it needs {effort} engineer-weeks and at most {sum} fit by then{team}",
        i.id
    ))
}

fn deadline_hint(i: &Initiative, what: &str) -> String {
    let mut options = vec!["a later deadline".to_string()];
    if i.team.is_some() {
        options.push("a larger team".into());
    }
    options.push("less effort".into());
    if what == "deadline" {
        options.push("a soft deadline { period, penalty }".into());
    }
    format!("consider {}", options.join(", "))
}

/// An input number for messages, exact but compact: `0.15`, `13`, and `1e-300` rather than
/// 300 digits (scientific below 1e-4 and from 1e16 in size).
fn as_written(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A number for messages: whole numbers plainly, others with up to two decimals.
fn num(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        format!("{:.2}", x)
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

fn closest_id<'a>(id: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = strsim(id, k);
        if d <= 2.max(k.len() / 4) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| format!("did you mean {}?", quoted(k)))
}

fn strsim(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

struct Header {
    name: String,
    periods: usize,
    period_label: PeriodLabel,
    labels: Vec<String>,
    weeks_per_period: f64,
    periods_per_year: f64,
    discount_rate: f64,
    terminal_periods: u32,
    currency: String,
    csv: Option<(PathBuf, usize)>,
}

/// Reads `id`: required, `[a-z0-9_-]+`.
fn read_id(r: &mut Reader, t: &Table, line: usize, section: &str) -> Option<String> {
    let field = format!("{section}.id");
    let Some(n) = t.get("id") else {
        r.error(
            line,
            &field,
            "expected an id such as \"oauth-migration\", found none".into(),
            None,
        );
        return None;
    };
    let id = r.string(n, &field)?;
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !valid {
        r.error(
            n.line,
            &Reader::name(n, &field),
            format!(
                "expected an id of lowercase letters, digits, `_` and `-`, found {}",
                quoted(&id)
            ),
            Some("for example \"oauth-migration\"; put free text in `name`".into()),
        );
        return None;
    }
    Some(id)
}

/// Reads one initiative from a TOML table or a CSV row turned into one.
fn read_initiative(
    r: &mut Reader,
    t: &Table,
    line: usize,
    periods: Option<usize>,
) -> Option<Draft> {
    let id = read_id(r, t, line, "initiative");
    let p = "initiative";
    let name = t.get("name").map(|n| r.string(n, &format!("{p}.name")));
    let kind = match t.get("kind") {
        None => {
            r.error(line, &format!("{p}.kind"), "expected the kind of work, found none".into(), Some(kinds_hint()));
            None
        }
        Some(n) => r.string(n, &format!("{p}.kind")).and_then(|s| {
            let k = Kind::parse(s.trim());
            if k.is_none() {
                r.error(
                    n.line,
                    &Reader::name(n, &format!("{p}.kind")),
                    format!("expected one of feature, debt, migration, infrastructure, security, compliance, found {}", quoted(&s)),
                    None,
                );
            }
            k
        }),
    };
    let class = match t.get("class") {
        None => Some(None),
        Some(n) => r.string(n, &format!("{p}.class")).and_then(|s| {
            let c = Class::parse(s.trim());
            if c.is_none() {
                r.error(
                    n.line,
                    &Reader::name(n, &format!("{p}.class")),
                    format!(
                        "expected \"stability\" or \"product\", found {}",
                        quoted(&s)
                    ),
                    None,
                );
            }
            c.map(Some)
        }),
    };
    let effort = match t.get("effort") {
        None => {
            r.error(
                line,
                &format!("{p}.effort"),
                "expected the effort in engineer-weeks (a number or { low, likely, high }), found none".into(),
                None,
            );
            None
        }
        Some(n) => r.estimate(n, &format!("{p}.effort"), Range::Positive),
    };
    let progress = t.get("progress").map_or(Some(0.0), |n| {
        r.number(n, &format!("{p}.progress"), Range::ShareBelowOne)
    });
    let team = match t.get("team") {
        None => Some(None),
        Some(n) => r.number(n, &format!("{p}.team"), Range::Positive).map(Some),
    };
    let value = t.get("value").map_or(Some(Estimate::ZERO), |n| {
        r.estimate(n, &format!("{p}.value"), Range::Any)
    });
    let one_time = t.get("one_time_value").map_or(Some(Estimate::ZERO), |n| {
        r.estimate(n, &format!("{p}.one_time_value"), Range::Any)
    });
    let risk = match t.get("risk_if_deferred") {
        None => Some(None),
        Some(n) => read_risk(r, n, &format!("{p}.risk_if_deferred")).map(Some),
    };
    let (deadline, deadline_line) = match t.get("deadline") {
        None => (Some(None), line),
        Some(n) => (
            read_deadline(r, n, &format!("{p}.deadline"), periods).map(Some),
            n.line,
        ),
    };
    let requires = t.get("requires").map_or(Some(Vec::new()), |n| {
        r.string_list(n, &format!("{p}.requires"))
    });
    let objectives = t.get("objectives").map_or(Some(Vec::new()), |n| {
        r.string_list(n, &format!("{p}.objectives"))
    });
    let (commit, commit_line) = match t.get("commit") {
        None => (Some(false), line),
        Some(n) => (r.boolean(n, &format!("{p}.commit")), n.line),
    };
    let outcome = match t.get("business_outcome") {
        None => Some(None),
        Some(n) => r.prose(n, &format!("{p}.business_outcome")).map(Some),
    };
    let relief = t.get("debt_relief").map_or(Some(0.0), |n| {
        r.number(n, &format!("{p}.debt_relief"), Range::Share)
    });

    let id = id?;
    let kind = kind?;
    let name = match name {
        None => id.clone(),
        Some(n) => n?,
    };
    Some(Draft {
        initiative: Initiative {
            name,
            kind,
            class: class?.unwrap_or(kind.default_class()),
            effort: effort?,
            progress: progress?,
            team: team?,
            value: value?,
            one_time_value: one_time?,
            risk: risk?,
            deadline: deadline?,
            requires: Vec::new(),
            objectives: Vec::new(),
            commit: commit?,
            business_outcome: outcome?,
            debt_relief: relief?,
            origin: Origin::default(),
            id,
        },
        id_line: line,
        file: r.file.clone(),
        requires: requires?,
        objectives: objectives?,
        deadline_line,
        commit_line,
    })
}

fn kinds_hint() -> String {
    "kind = \"feature\", \"debt\", \"migration\", \"infrastructure\", \"security\" or \"compliance\"".into()
}

/// A risk number or estimate, or `{ probability, impact }`.
fn read_risk(r: &mut Reader, n: &Node, path: &str) -> Option<Risk> {
    if let Val::Table(t) = &n.value {
        if t.get("probability").is_some() || t.get("impact").is_some() {
            r.check_keys(t, &["probability", "impact"], path);
            let probability = match t.get("probability") {
                Some(p) => r.number(p, &format!("{path}.probability"), Range::Share),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "probability"),
                        "expected the probability of an incident per period, found none".into(),
                        None,
                    );
                    None
                }
            };
            let impact = match t.get("impact") {
                Some(i) => r.estimate(i, &format!("{path}.impact"), Range::NonNegative),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "impact"),
                        "expected the cost of one incident, found none".into(),
                        None,
                    );
                    None
                }
            };
            return Some(Risk::Incident {
                probability: probability?,
                impact: impact?,
            });
        }
    }
    r.estimate(n, path, Range::NonNegative).map(Risk::PerPeriod)
}

fn missing_name(n: &Node, path: &str, key: &str) -> String {
    match &n.column {
        Some(prefix) => format!("{prefix}_{key}"),
        None => format!("{path}.{key}"),
    }
}

/// A hard deadline (a period) or a soft one `{ period, penalty }`.
fn read_deadline(r: &mut Reader, n: &Node, path: &str, periods: Option<usize>) -> Option<Deadline> {
    let last = periods.unwrap_or(MAX_PERIODS as usize) as i64;
    match &n.value {
        Val::Table(t) => {
            r.check_keys(t, &["period", "penalty"], path);
            let period = match t.get("period") {
                Some(p) => r.whole(p, &format!("{path}.period"), 1, last),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "period"),
                        "expected the period by whose end it is due, found none".into(),
                        None,
                    );
                    None
                }
            };
            let penalty = match t.get("penalty") {
                Some(p) => r.number(p, &format!("{path}.penalty"), Range::NonNegative),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "penalty"),
                        "expected the penalty paid once if the soft deadline is missed, found none"
                            .into(),
                        Some("for a hard deadline write just the period: deadline = 6".into()),
                    );
                    None
                }
            };
            Some(Deadline::Soft {
                period: period? as usize,
                penalty: penalty?,
            })
        }
        _ => r
            .whole(n, path, 1, last)
            .map(|p| Deadline::Hard { period: p as usize }),
    }
}

/// Where each CSV column goes in the initiative table.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// A top-level field.
    Plain(&'static str),
    /// A point of a three-point field: (field, point).
    Point(&'static str, &'static str),
    /// A key of the risk table (`probability`, or `impact`).
    Risk(&'static str),
    /// A point of the incident impact estimate.
    ImpactPoint(&'static str),
    /// A key of the soft deadline table.
    Deadline(&'static str),
}

#[derive(Debug, Default)]
struct CsvLayout {
    columns: Vec<(usize, String, Target)>,
}

impl CsvLayout {
    /// Fields given in two forms in one row: (field, plain column, split column).
    fn conflicts(&self, record: &csv::StringRecord) -> Vec<(String, String, String)> {
        let filled = |t: &dyn Fn(&Target) -> bool| {
            self.columns
                .iter()
                .find(|(k, _, target)| t(target) && !record.get(*k).unwrap_or("").is_empty())
                .map(|(_, c, _)| c.clone())
        };
        let mut out = Vec::new();
        for field in ["effort", "value", "one_time_value", "risk_if_deferred"] {
            let plain = filled(&|t| *t == Target::Plain(field));
            let split = filled(&|t| matches!(t, Target::Point(f, _) if *f == field));
            if let (Some(a), Some(b)) = (plain, split) {
                out.push((field.to_string(), a, b));
            }
        }
        let risk_number = filled(&|t| {
            matches!(
                t,
                Target::Plain("risk_if_deferred") | Target::Point("risk_if_deferred", _)
            )
        });
        let incident = filled(&|t| matches!(t, Target::Risk(_) | Target::ImpactPoint(_)));
        if let (Some(a), Some(b)) = (risk_number, incident) {
            out.push(("risk_if_deferred".into(), a, b));
        }
        let plain_impact = filled(&|t| *t == Target::Risk("impact"));
        let split_impact = filled(&|t| matches!(t, Target::ImpactPoint(_)));
        if let (Some(a), Some(b)) = (plain_impact, split_impact) {
            out.push(("risk_if_deferred_impact".into(), a, b));
        }
        let hard = filled(&|t| *t == Target::Plain("deadline"));
        let soft = filled(&|t| matches!(t, Target::Deadline(_)));
        if let (Some(a), Some(b)) = (hard, soft) {
            out.push(("deadline".into(), a, b));
        }
        out
    }
}

fn csv_column(col: &str) -> Option<Target> {
    const POINTS: [&str; 3] = ["low", "likely", "high"];
    const THREE_POINT: [&str; 4] = ["effort", "value", "one_time_value", "risk_if_deferred"];
    if let Some(&k) = INITIATIVE_KEYS.iter().find(|k| **k == col) {
        return Some(Target::Plain(k));
    }
    for field in THREE_POINT {
        for point in POINTS {
            if col.strip_prefix(field).and_then(|r| r.strip_prefix('_')) == Some(point) {
                return Some(Target::Point(field, point));
            }
        }
    }
    match col {
        "risk_if_deferred_probability" => return Some(Target::Risk("probability")),
        "risk_if_deferred_impact" => return Some(Target::Risk("impact")),
        "deadline_period" => return Some(Target::Deadline("period")),
        "deadline_penalty" => return Some(Target::Deadline("penalty")),
        _ => {}
    }
    POINTS
        .iter()
        .find(|p| col.strip_prefix("risk_if_deferred_impact_") == Some(**p))
        .map(|p| Target::ImpactPoint(p))
}

/// Builds the table an initiative row stands for; empty cells are absent fields.
fn csv_row_table(layout: &CsvLayout, record: &csv::StringRecord, line: usize) -> Table {
    let cell = |text: &str, column: &str| Node {
        line,
        column: Some(column.to_string()),
        value: Val::Cell(text.to_string()),
    };
    let mut table = Table::default();
    // Nested tables are gathered first, then attached, so the plain/split conflict check decides.
    let mut nested: Vec<(&'static str, String, Table)> = Vec::new();
    fn slot<'a>(
        nested: &'a mut Vec<(&'static str, String, Table)>,
        key: &'static str,
        column: &str,
    ) -> &'a mut Table {
        if let Some(pos) = nested.iter().position(|(k, _, _)| *k == key) {
            return &mut nested[pos].2;
        }
        nested.push((key, column.to_string(), Table::default()));
        &mut nested.last_mut().expect("just pushed").2
    }
    let mut impact_points = Table::default();
    for (k, column, target) in &layout.columns {
        let text = record.get(*k).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        let node = cell(text, column);
        match target {
            Target::Plain(key) => table.entries.push((key.to_string(), line, node)),
            Target::Point(field, point) => {
                slot(&mut nested, field, field)
                    .entries
                    .push((point.to_string(), line, node))
            }
            Target::Risk(key) => slot(&mut nested, "risk_if_deferred", "risk_if_deferred")
                .entries
                .push((key.to_string(), line, node)),
            Target::ImpactPoint(point) => {
                impact_points.entries.push((point.to_string(), line, node))
            }
            Target::Deadline(key) => slot(&mut nested, "deadline", "deadline").entries.push((
                key.to_string(),
                line,
                node,
            )),
        }
    }
    if !impact_points.entries.is_empty() {
        let node = Node {
            line,
            column: Some("risk_if_deferred_impact".into()),
            value: Val::Table(impact_points),
        };
        slot(&mut nested, "risk_if_deferred", "risk_if_deferred")
            .entries
            .push(("impact".into(), line, node));
    }
    for (key, column, t) in nested {
        if table.get(key).is_none() {
            table.entries.push((
                key.to_string(),
                line,
                Node {
                    line,
                    column: Some(column),
                    value: Val::Table(t),
                },
            ));
        }
    }
    table
}

/// Warnings: unlinked initiatives, initiatives worth nothing, a heavily overcommitted roadmap.
fn warnings(s: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if !s.objectives.is_empty() {
        let unlinked: Vec<&str> = s
            .initiatives
            .iter()
            .filter(|i| i.objectives.is_empty())
            .map(|i| i.id.as_str())
            .collect();
        if !unlinked.is_empty() {
            out.push(format!(
                "{} initiative(s) linked to no objective: {}",
                unlinked.len(),
                list_ids(&unlinked)
            ));
        }
    }
    let worthless: Vec<&str> = s
        .initiatives
        .iter()
        .filter(|i| {
            i.value == Estimate::ZERO && i.one_time_value == Estimate::ZERO && i.risk.is_none()
        })
        .map(|i| i.id.as_str())
        .collect();
    if !worthless.is_empty() {
        out.push(format!(
            "{} initiative(s) with neither value, one-time value nor risk (the planner has no reason to do them): {}",
            worthless.len(),
            list_ids(&worthless)
        ));
    }
    let effort: f64 = s
        .initiatives
        .iter()
        .map(Initiative::remaining_effort_mean)
        .sum();
    let capacity = s.total_allocatable();
    if effort > 2.0 * capacity {
        out.push(format!(
            "the roadmap needs {} engineer-weeks (mean) but the horizon has {} allocatable: {:.1}× overcommitted",
            num(effort),
            num(capacity),
            if capacity > 0.0 { effort / capacity } else { f64::INFINITY }
        ));
    }
    out
}

fn list_ids(ids: &[&str]) -> String {
    const SHOW: usize = 8;
    let mut text = ids
        .iter()
        .take(SHOW)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > SHOW {
        text.push_str(&format!(" and {} more", ids.len() - SHOW));
    }
    text
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
