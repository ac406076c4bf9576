//! Reads initiatives from a CSV file (or a workbook's sheet, through `workbook`): one row per
//! initiative, columns named after the initiative fields (three-point fields, incident risks and
//! soft deadlines split over several columns), each row turned into a table and read like a
//! TOML `[[initiative]]`. Both kinds of file first become a [`Sheet`] of text cells with lines.

use std::path::{Path, PathBuf};

use super::fields::Reader;
use super::load::{read_input, text_of, Draft, Loader};
use super::raw::{Node, Table, Val};
use super::sections::{read_initiative, INITIATIVE_KEYS};
use crate::error::{Diagnostic, Error};

/// A table of text cells as read from a CSV file or a workbook's sheet, each row with the line
/// (or the sheet's row number) it starts on. Blank rows are left out.
pub(super) struct Sheet {
    pub(super) file: PathBuf,
    pub(super) columns: Vec<String>,
    pub(super) rows: Vec<SheetRow>,
    /// Records that could not be read, reported once the header is known to be usable.
    pub(super) problems: Vec<Diagnostic>,
}

pub(super) struct SheetRow {
    pub(super) line: usize,
    pub(super) cells: Vec<String>,
}

impl SheetRow {
    /// The cell in column `k` (empty past the end).
    pub(super) fn cell(&self, k: usize) -> &str {
        self.cells.get(k).map_or("", String::as_str)
    }
}

impl Loader {
    /// Initiatives from a CSV file or a workbook in the plain layout: columns named after the
    /// fields, every column known.
    pub(super) fn read_table_initiatives(
        &mut self,
        table_path: &Path,
        ref_line: usize,
        periods: Option<usize>,
    ) -> Vec<Draft> {
        let Some(mut sheet) = self.read_sheet(table_path, ref_line, None) else {
            return Vec::new();
        };
        let Some(layout) = self.csv_layout(&sheet.file, &sheet.columns, &[]) else {
            return Vec::new();
        };
        self.diagnostics.append(&mut sheet.problems);
        let mut out = Vec::new();
        for row in &sheet.rows {
            let line = row.line;
            let table = csv_row_table(&layout, &row.cells, line);
            let draft = self.with_reader(&sheet.file, |r| {
                layout.report_conflicts(r, &row.cells, line);
                read_initiative(r, &table, line, periods)
            });
            if draft.is_none() {
                self.refused_initiatives
                    .extend(super::sections::id_as_written(&table));
            }
            out.extend(draft.map(|mut d| {
                d.file = sheet.file.clone();
                d
            }));
        }
        out
    }

    /// Reads the rows of a CSV file, or of a workbook's sheet (`sheet`, else the first) when the
    /// file is named `.xlsx`, `.xlsm`, `.xlsb`, `.xls` or `.ods`.
    pub(super) fn read_sheet(
        &mut self,
        path: &Path,
        ref_line: usize,
        sheet: Option<&(String, usize)>,
    ) -> Option<Sheet> {
        if let Some(format) = super::workbook::format_of(path) {
            return self.read_workbook(path, format, ref_line, sheet);
        }
        if let Some((_, line)) = sheet {
            self.error(
                &self.path.clone(),
                Some(*line),
                "import.sheet",
                format!(
                    "expected a workbook (.xlsx or .ods) for a sheet name, found the CSV file `{}`",
                    path.display()
                ),
                Some("remove `sheet`: a CSV file has one table".into()),
            );
            return None;
        }
        self.read_csv_sheet(path, ref_line)
    }

    fn read_csv_sheet(&mut self, csv_path: &Path, ref_line: usize) -> Option<Sheet> {
        let scenario_path = self.path.clone();
        let bytes = match read_input(csv_path) {
            Ok(b) => {
                self.inputs.push(csv_path.to_path_buf());
                b
            }
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
                return None;
            }
        };
        let text = match text_of(csv_path, &bytes) {
            Ok(t) => t,
            Err(Error::Load {
                mut diagnostics, ..
            }) => {
                self.diagnostics.append(&mut diagnostics);
                return None;
            }
            Err(_) => return None,
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
                return None;
            }
        };
        let columns: Vec<String> = headers.iter().map(str::to_string).collect();
        if columns.iter().all(String::is_empty) {
            self.error(
                csv_path,
                Some(1),
                "",
                "expected a header row naming the columns (id, kind, effort, value, …), found an empty file".into(),
                Some("export the table again, with its header row".into()),
            );
            return None;
        }
        // Lines come from byte offsets: the csv crate's own line count is off for CRLF files
        // (spreadsheet exports) and after blank lines. A line ends at `\n`, at `\r\n`, or at a
        // lone `\r` (Excel for Mac's "CSV (Macintosh)").
        let raw = text.as_bytes();
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(
                (0..raw.len())
                    .filter(|&i| {
                        raw[i] == b'\n' || (raw[i] == b'\r' && raw.get(i + 1) != Some(&b'\n'))
                    })
                    .map(|i| i + 1),
            )
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
        let mut sheet = Sheet {
            file: csv_path.to_path_buf(),
            columns,
            rows: Vec::new(),
            problems: Vec::new(),
        };
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
                    let n = sheet.columns.len();
                    let message = match e.kind() {
                        csv::ErrorKind::UnequalLengths { len, .. } => format!(
                            "expected a CSV record with {n} fields (as many as the header), found {len}"
                        ),
                        csv::ErrorKind::Utf8 { .. } => {
                            "expected UTF-8 text, found bytes that are not".to_string()
                        }
                        _ => format!(
                            "expected a CSV record with {n} fields, found an unreadable record"
                        ),
                    };
                    sheet.problems.push(Diagnostic {
                        file: csv_path.to_path_buf(),
                        line,
                        field: None,
                        message,
                        hint: None,
                    });
                    continue;
                }
            };
            // The record's first line, even when a quoted cell spans several.
            let line = record.position().map_or(0, |p| line_of(p.byte()));
            if record.iter().all(str::is_empty) {
                continue;
            }
            sheet.rows.push(SheetRow {
                line,
                cells: record.iter().map(str::to_string).collect(),
            });
        }
        if sheet.rows.is_empty() && sheet.problems.is_empty() {
            self.error(
                csv_path,
                Some(1),
                "",
                "expected at least one initiative below the header row, found none".into(),
                Some("a failed or empty export gives an empty portfolio: export it again".into()),
            );
            return None;
        }
        Some(sheet)
    }

    /// Maps CSV columns to initiative fields; unknown columns are errors. `renames` are
    /// (field, column) pairs from `[import] columns`: that column is read as that field.
    pub(super) fn csv_layout(
        &mut self,
        csv_path: &Path,
        columns: &[String],
        renames: &[(String, String)],
    ) -> Option<CsvLayout> {
        let mut layout = CsvLayout::default();
        let mut ok = true;
        let mut seen: Vec<&str> = Vec::new();
        for (k, col) in columns.iter().enumerate() {
            if col.is_empty() {
                self.error(
                    csv_path,
                    Some(1),
                    "",
                    format!(
                        "expected a name in the header row for column {}, found an empty cell",
                        k + 1
                    ),
                    Some("name the column, or delete it: a comma at the end of the header row makes an empty column".into()),
                );
                ok = false;
                continue;
            }
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
            let field = renames
                .iter()
                .find(|(_, column)| column == col)
                .map_or(col.as_str(), |(field, _)| field.as_str());
            match csv_column(field) {
                Some(target) => layout.columns.push((k, col.clone(), target)),
                None => {
                    let hint = Some(format!(
                        "{}known columns are the initiative fields ({}), three-point fields as effort_low, effort_likely, effort_high, risk as risk_if_deferred_probability, risk_if_deferred_impact, soft deadlines as deadline_period, deadline_penalty",
                        if renames.is_empty() { "" } else { "map it to a field in [import] columns, or use a preset; " },
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
}

/// Where each CSV column goes in the initiative table.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Target {
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
pub(super) struct CsvLayout {
    pub(super) columns: Vec<(usize, String, Target)>,
}

impl CsvLayout {
    /// Reports the fields given in two forms in one row.
    pub(super) fn report_conflicts(&self, r: &mut Reader, cells: &[String], line: usize) {
        for (field, plain_col, split_col) in &self.conflicts(cells) {
            r.error(
                line,
                field,
                format!("expected either `{plain_col}` or `{split_col}`, found both"),
                Some("leave one of the two empty".into()),
            );
        }
    }

    /// Fields given in two forms in one row: (field, plain column, split column).
    fn conflicts(&self, cells: &[String]) -> Vec<(String, String, String)> {
        let filled = |t: &dyn Fn(&Target) -> bool| {
            self.columns
                .iter()
                .find(|(k, _, target)| {
                    t(target) && !cells.get(*k).map_or("", String::as_str).is_empty()
                })
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

pub(super) fn csv_column(col: &str) -> Option<Target> {
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
pub(super) fn csv_row_table(layout: &CsvLayout, cells: &[String], line: usize) -> Table {
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
        let text = cells.get(*k).map_or("", String::as_str);
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
