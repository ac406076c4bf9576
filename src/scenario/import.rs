//! Initiatives from a tracker export (Jira, Linear) or a spreadsheet, read through `[import]`.
//!
//! The export's rows become the same located tables a TOML `[[initiative]]` is, so one reader
//! validates them; each value keeps the export's column header, so every message names the
//! file, the row's line and the column (`Custom field (Story Points)`). What a preset does on
//! top: ids lowercased, whitespace in names folded, kinds through `kinds`, effort in engineer-
//! weeks (story points × `effort_unit`, Jira's `Original Estimate` in seconds at 40 hours a
//! week), due dates placed in periods, blocking links as `requires`, finished rows left out.
//!
//! With `[import]`, `[[initiative]]` tables annotate imported rows: a table's fields replace the
//! row's, are read (and reported) in the scenario file, and a table whose id matches no row is
//! an error.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::checks::closest_id;
use super::csv_rows::{csv_column, csv_row_table, CsvLayout, Sheet, SheetRow, Target};
use super::fields::{quoted, Range, Reader};
use super::labels::{day_text, parse_day, period_start_days};
use super::load::{Annotation, Draft, Loader};
use super::model::Kind;
use super::raw::{Node, Table, Val};
use super::sections::{read_id, read_initiative, Header, INITIATIVE_KEYS};

pub(super) const IMPORT_KEYS: &[&str] = &[
    "preset",
    "effort",
    "effort_unit",
    "effort_spread",
    "kinds",
    "columns",
    "skip",
    "sheet",
];

/// Seconds in an engineer-week at 40 hours: Jira's `Original Estimate` is in seconds.
const SECONDS_PER_WEEK: f64 = 40.0 * 3600.0;

/// At most this many examples in one warning.
const SHOW: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Preset {
    Jira,
    Linear,
}

/// The unit of an effort column.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    /// Story points or estimate units: × `effort_unit`.
    Points,
    /// Jira's time tracking: seconds, at 40 hours per engineer-week.
    Seconds,
}

/// The export columns a preset reads.
struct PresetColumns {
    id: &'static str,
    name: &'static str,
    kind: &'static str,
    effort: &'static [(&'static str, Unit)],
    deadline: &'static str,
    requires: &'static str,
    /// Rows to leave out: a column with one of these values, or (no values) any value.
    skip: &'static [(&'static str, &'static [&'static str])],
}

impl Preset {
    fn name(self) -> &'static str {
        match self {
            Preset::Jira => "jira",
            Preset::Linear => "linear",
        }
    }

    fn columns(self) -> PresetColumns {
        match self {
            Preset::Jira => PresetColumns {
                id: "Issue key",
                name: "Summary",
                kind: "Issue Type",
                effort: &[
                    ("Custom field (Story Points)", Unit::Points),
                    ("Custom field (Story point estimate)", Unit::Points),
                    ("Original Estimate", Unit::Seconds),
                ],
                deadline: "Due date",
                requires: "Inward issue link (Blocks)",
                skip: &[("Status Category", &["Done"])],
            },
            Preset::Linear => PresetColumns {
                id: "ID",
                name: "Title",
                kind: "Labels",
                effort: &[("Estimate", Unit::Points)],
                deadline: "Due Date",
                requires: "Blocked by",
                skip: &[("Completed", &[]), ("Canceled", &[])],
            },
        }
    }
}

/// What `[import]` says.
pub(super) struct ImportSpec {
    pub(super) line: usize,
    preset: Option<Preset>,
    /// The effort column, and the line that names it.
    effort: Option<(String, usize)>,
    effort_unit: f64,
    /// `effort_spread`: (low, high) factors.
    spread: Option<(f64, f64)>,
    kinds: Vec<(String, Kind)>,
    /// (field, column header, line).
    columns: Vec<(String, String, usize)>,
    /// (column header, values, line).
    skip: Vec<(String, Vec<String>, usize)>,
    sheet: Option<(String, usize)>,
}

impl ImportSpec {
    /// The column `[import] columns` maps `field` to, if any.
    fn mapped(&self, field: &str) -> Option<&str> {
        self.columns
            .iter()
            .find(|(f, _, _)| f == field)
            .map(|(_, header, _)| header.as_str())
    }
}

/// Where the horizon's periods fall in the calendar, for due dates.
pub(super) enum Calendar {
    /// `[scenario]` could not be read: its errors are reported already.
    Unknown,
    /// No `start`: dates cannot be placed.
    NoStart,
    /// The first day of periods 1..=T + 1 (days since 1970-01-01).
    Periods(Vec<i64>),
}

impl Calendar {
    pub(super) fn of(header: Option<&Header>) -> Calendar {
        let Some(h) = header else {
            return Calendar::Unknown;
        };
        match &h.start {
            None => Calendar::NoStart,
            Some(start) => period_start_days(start, h.period_label, h.periods)
                .map_or(Calendar::Unknown, Calendar::Periods),
        }
    }
}

/// What rows say beyond errors: the warnings they raise, and whether a missing start was told.
#[derive(Default)]
struct Notes {
    /// (row id, the link as written, line).
    dangling: Vec<(String, String, usize)>,
    /// (row id, day, line).
    late: Vec<(String, i64, usize)>,
    no_start_told: bool,
}

/// A rule that leaves rows out: the columns with that header, and the values (none: any value).
struct SkipRule {
    header: String,
    at: Vec<usize>,
    values: Vec<String>,
}

impl SkipRule {
    fn matches(&self, row: &SheetRow) -> bool {
        self.at.iter().any(|&k| {
            let cell = row.cell(k);
            !cell.is_empty() && (self.values.is_empty() || self.values.iter().any(|v| v == cell))
        })
    }

    fn reason(&self) -> String {
        match self.values.as_slice() {
            [] => format!("`{}` is set", self.header),
            values => format!("`{}` is {}", self.header, values.join(" or ")),
        }
    }
}

/// A preset's columns found in the export's header: indexes of every column with the header.
struct PresetLayout {
    preset: Preset,
    id: (String, usize),
    name: Option<(String, usize)>,
    kind: (String, Vec<usize>),
    effort: Vec<(String, Vec<usize>, Unit)>,
    deadline: Option<(String, usize)>,
    requires: (String, Vec<usize>),
    /// Further fields mapped by `[import] columns`, read like CSV columns.
    extra: CsvLayout,
}

impl Loader {
    /// Reads `[import]`; None when it is wrong (the problems are recorded).
    pub(super) fn read_import(&mut self, doc: &Table) -> Option<ImportSpec> {
        let line = doc.get("import")?.line;
        let t = self.section(doc, "import", IMPORT_KEYS)?;
        let path = self.path.clone();
        self.with_reader(&path, |r| {
            let preset = match t.get("preset") {
                None => Some(None),
                Some(n) => r.string(n, "import.preset").and_then(|s| match s.as_str() {
                    "jira" => Some(Some(Preset::Jira)),
                    "linear" => Some(Some(Preset::Linear)),
                    _ => {
                        r.error(
                            n.line,
                            "import.preset",
                            format!("expected \"jira\" or \"linear\", found {}", quoted(&s)),
                            Some(
                                "omit preset for a spreadsheet whose columns are the field names"
                                    .into(),
                            ),
                        );
                        None
                    }
                }),
            };
            let effort = match t.get("effort") {
                None => Some(None),
                Some(n) => r.string(n, "import.effort").map(|s| Some((s, n.line))),
            };
            let unit = t.get("effort_unit").map_or(Some(1.0), |n| {
                r.number(n, "import.effort_unit", Range::Positive)
            });
            let spread = match t.get("effort_spread") {
                None => Some(None),
                Some(n) => read_spread(r, n).map(Some),
            };
            let kinds = t
                .get("kinds")
                .map_or(Some(Vec::new()), |n| read_kinds(r, n));
            let columns = t
                .get("columns")
                .map_or(Some(Vec::new()), |n| read_columns(r, n));
            let skip = t.get("skip").map_or(Some(Vec::new()), |n| read_skip(r, n));
            let sheet = match t.get("sheet") {
                None => Some(None),
                Some(n) => r.string(n, "import.sheet").map(|s| Some((s, n.line))),
            };
            Some(ImportSpec {
                line,
                preset: preset?,
                effort: effort?,
                effort_unit: unit?,
                spread: spread?,
                kinds: kinds?,
                columns: columns?,
                skip: skip?,
                sheet: sheet?,
            })
        })
    }

    /// The initiatives of an export read through `[import]`, annotated by `[[initiative]]`.
    pub(super) fn read_imported(
        &mut self,
        doc: &Table,
        spec: &ImportSpec,
        file: &Path,
        ref_line: usize,
        periods: Option<usize>,
        calendar: &Calendar,
    ) -> Vec<Draft> {
        let annotations = self.read_annotations(doc);
        let Some(mut sheet) = self.read_sheet(file, ref_line, spec.sheet.as_ref()) else {
            return Vec::new();
        };
        let skip = self.skip_rules(spec, &sheet);
        let layout = match spec.preset {
            Some(preset) if self.merge_repeated(spec, &mut sheet) => self
                .preset_layout(spec, preset, &sheet)
                .map(|p| Layout::Preset(Box::new(p))),
            Some(_) => None,
            None => {
                let mut renames: Vec<(String, String)> = spec
                    .columns
                    .iter()
                    .map(|(field, header, _)| (field.clone(), header.clone()))
                    .collect();
                if let Some((header, _)) = &spec.effort {
                    renames.retain(|(field, _)| field != "effort");
                    renames.push(("effort".into(), header.clone()));
                }
                self.check_mapped_columns(spec, &sheet);
                self.csv_layout(&sheet.file, &sheet.columns, &renames)
                    .map(Layout::Plain)
            }
        };
        let (Some(skip), Some(layout)) = (skip, layout) else {
            return Vec::new();
        };
        self.diagnostics.append(&mut sheet.problems);

        // First the ids of every row, so links can be told apart: to a row kept, to a row left
        // out (dropped quietly: that work is done), or to an issue not in the file (a warning).
        let id_of = |row: &SheetRow| -> String {
            let text = row.cell(layout.id_column().unwrap_or(usize::MAX)).trim();
            match layout {
                Layout::Preset(_) => text.to_lowercase(),
                Layout::Plain(_) => text.to_string(),
            }
        };
        let mut kept: HashSet<String> = HashSet::new();
        let mut left_out: HashMap<String, (usize, String)> = HashMap::new();
        let mut rows: Vec<(&SheetRow, String)> = Vec::new();
        let columns = layout.columns_of(spec);
        for row in &sheet.rows {
            let id = id_of(row);
            match skip.iter().find(|rule| rule.matches(row)) {
                Some(rule) => {
                    left_out.entry(id).or_insert((row.line, rule.reason()));
                }
                None => {
                    kept.insert(id.clone());
                    rows.push((row, id));
                }
            }
        }

        let mut notes = Notes::default();
        let mut used: HashSet<String> = HashSet::new();
        let mut out = Vec::new();
        for (row, id) in rows {
            let annotation = annotations.get(&id);
            let keys: Vec<String> = annotation.map_or(Vec::new(), |(t, _)| {
                t.keys()
                    .map(|(k, _)| k.to_string())
                    .filter(|k| k != "id")
                    .collect()
            });
            let row_draft = self.with_reader(&sheet.file, |r| {
                let (mut table, ok) = match &layout {
                    Layout::Preset(p) => preset_row(
                        r, spec, p, row, &id, &keys, &kept, &left_out, calendar, &mut notes,
                    ),
                    Layout::Plain(l) => {
                        plain_row(r, spec, l, row, &id, &keys, calendar, &mut notes)
                    }
                };
                // Fields the annotation sets are not read from the row; a required one it sets
                // stands in so the row's own fields can still be checked.
                for key in ["kind", "effort"] {
                    if keys.iter().any(|k| k == key) && table.get(key).is_none() {
                        table
                            .entries
                            .push((key.into(), row.line, stand_in(key, row.line)));
                    }
                }
                // A row without its key is reported once, for the key: its other fields
                // would only add errors about stand-ins.
                if id.is_empty() && matches!(layout, Layout::Preset(_)) {
                    return None;
                }
                let class_in_row = table.get("class").is_some();
                let draft = read_initiative(r, &table, row.line, periods);
                draft.filter(|_| ok).map(|d| (d, class_in_row))
            });
            let Some((mut draft, class_in_row)) = row_draft else {
                self.refused_initiatives.push(id.clone());
                if annotation.is_some() {
                    used.insert(id);
                }
                continue;
            };
            if let Some((t, line)) = annotation {
                used.insert(id.clone());
                let path = self.path.clone();
                let mut t = (*t).clone();
                for key in ["kind", "effort"] {
                    if t.get(key).is_none() {
                        t.entries.push((key.into(), *line, stand_in(key, *line)));
                    }
                }
                let annotated = self.with_reader(&path, |r| read_initiative(r, &t, *line, periods));
                let Some(annotated) = annotated else {
                    self.refused_initiatives.push(id);
                    continue;
                };
                overlay(&mut draft, annotated, &keys, class_in_row);
                draft.annotation = Some(Annotation {
                    file: self.path.clone(),
                    keys,
                });
            }
            draft.columns = columns.clone();
            out.push(draft);
        }

        let path = self.path.clone();
        for (id, (_, line)) in &annotations {
            if used.contains(id) {
                continue;
            }
            let (message, hint) = match left_out.get(id) {
                Some((row_line, reason)) => (
                    format!(
                        "expected the id of an imported row, found {}, whose row (line {row_line}) is left out because {reason}",
                        quoted(id)
                    ),
                    Some("remove this [[initiative]] table, or the rule that leaves the row out".to_string()),
                ),
                None => (
                    format!(
                        "expected the id of a row of `{}`, found {} (no row has it)",
                        sheet.file.display(),
                        quoted(id)
                    ),
                    closest_id(id, kept.iter().map(String::as_str)).or_else(|| {
                        Some("with [import], [[initiative]] tables only add fields to imported rows".into())
                    }),
                ),
            };
            self.error(&path, Some(*line), "initiative.id", message, hint);
        }
        self.note_warnings(&sheet, notes);
        out
    }

    /// `[[initiative]]` tables by id (with their lines); a second table for one id is an error.
    fn read_annotations<'d>(&mut self, doc: &'d Table) -> HashMap<String, (&'d Table, usize)> {
        let path = self.path.clone();
        let mut out: HashMap<String, (&'d Table, usize)> = HashMap::new();
        for (t, line) in self.tables(doc, "initiative") {
            let id = self.with_reader(&path, |r| {
                r.check_keys(t, INITIATIVE_KEYS, "initiative");
                read_id(r, t, line, "initiative")
            });
            let Some(id) = id else { continue };
            // Messages about the id point at its own line.
            let line = t
                .entries
                .iter()
                .find(|(k, _, _)| k == "id")
                .map_or(line, |(_, l, _)| *l);
            if let Some((_, first)) = out.get(&id) {
                let message = format!(
                    "expected one [[initiative]] table per imported id, found {} again (first on line {first})",
                    quoted(&id)
                );
                self.error(&path, Some(line), "initiative.id", message, None);
                continue;
            }
            out.insert(id, (t, line));
        }
        out
    }

    /// The preset's and `[import] skip`'s rules; None when a skip column is not in the file.
    fn skip_rules(&mut self, spec: &ImportSpec, sheet: &Sheet) -> Option<Vec<SkipRule>> {
        let at = |header: &str| -> Vec<usize> {
            (0..sheet.columns.len())
                .filter(|&k| sheet.columns[k] == header)
                .collect()
        };
        let mut rules = Vec::new();
        if let Some(p) = spec.preset {
            for (header, values) in p.columns().skip {
                rules.push(SkipRule {
                    header: header.to_string(),
                    at: at(header),
                    values: values.iter().map(|v| v.to_string()).collect(),
                });
            }
        }
        let mut ok = true;
        for (header, values, line) in &spec.skip {
            let columns = at(header);
            if columns.is_empty() {
                self.missing_column(sheet, header, *line, "import.skip");
                ok = false;
            }
            rules.push(SkipRule {
                header: header.clone(),
                at: columns,
                values: values.clone(),
            });
        }
        ok.then_some(rules)
    }

    /// A column named in `[import]` that the file lacks.
    fn missing_column(&mut self, sheet: &Sheet, header: &str, line: usize, field: &str) {
        let path = self.path.clone();
        let hint = closest_id(header, sheet.columns.iter().map(String::as_str));
        self.error(
            &path,
            Some(line),
            field,
            format!(
                "expected a column {} in `{}`, found none",
                quoted(header),
                sheet.file.display()
            ),
            hint,
        );
    }

    /// Every column `[import] columns` and `effort` name must be in the file.
    fn check_mapped_columns(&mut self, spec: &ImportSpec, sheet: &Sheet) -> bool {
        let mut ok = true;
        let named = spec
            .columns
            .iter()
            .map(|(field, header, line)| (header, *line, format!("import.columns.{field}")))
            .chain(
                spec.effort
                    .iter()
                    .map(|(header, line)| (header, *line, "import.effort".to_string())),
            );
        let named: Vec<_> = named.collect();
        for (header, line, field) in named {
            if !sheet.columns.iter().any(|c| c == header) {
                self.missing_column(sheet, header, line, &field);
                ok = false;
            }
        }
        ok
    }

    /// Jira writes a multi-value field (a multi-select custom field, labels) as repeated
    /// columns of one header. `objectives` mapped to such a header reads every copy, joined as
    /// a `;` list; `requires`, `kind` and `effort` are read across copies by the preset itself;
    /// any other mapped field refuses the repeat rather than read one copy of it.
    /// False when something was refused.
    fn merge_repeated(&mut self, spec: &ImportSpec, sheet: &mut Sheet) -> bool {
        let mut ok = true;
        for (field, header, line) in &spec.columns {
            let at: Vec<usize> = (0..sheet.columns.len())
                .filter(|&k| sheet.columns[k] == *header)
                .collect();
            // The preset reads every copy of these itself: links, the kind, the first filled
            // effort.
            if at.len() < 2 || ["requires", "kind", "effort"].contains(&field.as_str()) {
                continue;
            }
            if field == "objectives" {
                for row in &mut sheet.rows {
                    let parts: Vec<String> = at
                        .iter()
                        .filter_map(|&k| row.cells.get(k))
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect();
                    if let Some(first) = row.cells.get_mut(at[0]) {
                        *first = parts.join(";");
                    }
                }
            } else {
                self.error(
                    &self.path.clone(),
                    Some(*line),
                    &format!("import.columns.{field}"),
                    format!(
                        "expected one column {} in `{}` for `{field}`, found {}",
                        quoted(header),
                        sheet.file.display(),
                        at.len()
                    ),
                    Some("map the field to a column the export has once".into()),
                );
                ok = false;
            }
        }
        ok
    }

    fn preset_layout(
        &mut self,
        spec: &ImportSpec,
        preset: Preset,
        sheet: &Sheet,
    ) -> Option<PresetLayout> {
        let p = preset.columns();
        let mut ok = self.check_mapped_columns(spec, sheet);
        let at = |header: &str| -> Vec<usize> {
            (0..sheet.columns.len())
                .filter(|&k| sheet.columns[k] == header)
                .collect()
        };
        let mapped = |field: &str| spec.mapped(field);
        let header_of = |field: &str, default: &'static str| -> String {
            mapped(field).unwrap_or(default).to_string()
        };
        let first = |header: &str| at(header).first().copied();

        let id_header = header_of("id", p.id);
        let id = match first(&id_header) {
            Some(k) => (id_header, k),
            None => {
                let hint = closest_id(&id_header, sheet.columns.iter().map(String::as_str))
                    .or_else(|| Some("export all fields, or name the id column with [import] columns = { id = \"…\" }".to_string()));
                self.error(
                    &sheet.file,
                    Some(1),
                    &id_header,
                    format!(
                        "expected a column {} (preset {}), found none",
                        quoted(&id_header),
                        preset.name()
                    ),
                    hint,
                );
                ok = false;
                (id_header, 0)
            }
        };
        let name_header = header_of("name", p.name);
        let name = first(&name_header).map(|k| (name_header, k));
        let kind_header = header_of("kind", p.kind);
        let kind_at = at(&kind_header);
        let kind = (kind_header, kind_at);
        let effort_override = spec
            .effort
            .as_ref()
            .map(|(h, _)| h.as_str())
            .or_else(|| mapped("effort"));
        let effort: Vec<(String, Vec<usize>, Unit)> = match effort_override {
            Some(h) => {
                let unit = if preset == Preset::Jira && h == "Original Estimate" {
                    Unit::Seconds
                } else {
                    Unit::Points
                };
                vec![(h.to_string(), at(h), unit)]
            }
            None => p
                .effort
                .iter()
                .map(|(h, unit)| (h.to_string(), at(h), *unit))
                .collect(),
        };
        if effort.iter().all(|(_, at, _)| at.is_empty()) {
            let names: Vec<String> = effort.iter().map(|(h, _, _)| format!("`{h}`")).collect();
            self.error(
                &sheet.file,
                Some(1),
                &effort[0].0,
                format!(
                    "expected a column with the effort ({}), found none",
                    names.join(" or ")
                ),
                Some("name the column that holds the estimate with [import] effort = \"…\"".into()),
            );
            ok = false;
        }
        let deadline_header = header_of("deadline", p.deadline);
        let deadline = first(&deadline_header).map(|k| (deadline_header, k));
        let requires_header = header_of("requires", p.requires);
        let requires_at = at(&requires_header);
        let requires = (requires_header, requires_at);
        // The other mapped fields are read like CSV columns.
        let special = ["id", "name", "kind", "effort", "deadline", "requires"];
        let mut extra = CsvLayout::default();
        for (field, header, _) in &spec.columns {
            if special.contains(&field.as_str()) {
                continue;
            }
            if let (Some(k), Some(target)) = (first(header), csv_column(field)) {
                extra.columns.push((k, header.clone(), target));
            }
        }
        ok.then_some(PresetLayout {
            preset,
            id,
            name,
            kind,
            effort,
            deadline,
            requires,
            extra,
        })
    }

    fn note_warnings(&mut self, sheet: &Sheet, notes: Notes) {
        let file = sheet.file.display();
        if !notes.dangling.is_empty() {
            let n = notes.dangling.len();
            let mut shown: Vec<String> = notes
                .dangling
                .iter()
                .take(SHOW)
                .map(|(id, link, line)| format!("{link} (blocks `{id}`, line {line})"))
                .collect();
            if n > SHOW {
                shown.push(format!("and {} more", n - SHOW));
            }
            self.warnings.push(format!(
                "{file}: {n} blocking link(s) to issues not in the file were dropped: {}",
                shown.join(", ")
            ));
        }
        if !notes.late.is_empty() {
            let n = notes.late.len();
            let mut shown: Vec<String> = notes
                .late
                .iter()
                .take(SHOW)
                .map(|(id, day, line)| format!("`{id}` ({}, line {line})", day_text(*day)))
                .collect();
            if n > SHOW {
                shown.push(format!("and {} more", n - SHOW));
            }
            self.warnings.push(format!(
                "{file}: {n} due date(s) after the horizon give no deadline: {}",
                shown.join(", ")
            ));
        }
    }
}

/// How the export's columns are read: a preset's, or the plain field names.
enum Layout {
    Preset(Box<PresetLayout>),
    Plain(CsvLayout),
}

impl Layout {
    /// The export's columns that hold the fields the whole-scenario checks name: the key, the
    /// links, the objectives and the due date.
    fn columns_of(&self, spec: &ImportSpec) -> Vec<(&'static str, String)> {
        let mapped = |field: &str| spec.mapped(field).map(str::to_string);
        let mut out = Vec::new();
        match self {
            Layout::Preset(p) => {
                out.push(("id", p.id.0.clone()));
                out.push(("requires", p.requires.0.clone()));
                if let Some((header, _)) = &p.deadline {
                    out.push(("deadline", header.clone()));
                }
                if let Some(header) = mapped("objectives") {
                    out.push(("objectives", header));
                }
            }
            Layout::Plain(_) => {
                for field in ["id", "requires", "objectives", "deadline"] {
                    if let Some(header) = mapped(field) {
                        out.push((field, header));
                    }
                }
            }
        }
        out
    }

    fn id_column(&self) -> Option<usize> {
        match self {
            Layout::Preset(p) => Some(p.id.1),
            Layout::Plain(l) => l
                .columns
                .iter()
                .find(|(_, _, t)| *t == Target::Plain("id"))
                .map(|(k, _, _)| *k),
        }
    }
}

/// A value standing in for a required field an annotation sets, so the row (or the annotation)
/// reads without a complaint about it; never kept.
fn stand_in(key: &str, line: usize) -> Node {
    let value = match key {
        "kind" => Val::Str("feature".into()),
        _ => Val::Number {
            text: "1".into(),
            integer: true,
        },
    };
    Node {
        line,
        column: None,
        value,
    }
}

fn cell(text: &str, line: usize, column: &str) -> Node {
    Node {
        line,
        column: Some(column.to_string()),
        value: Val::Cell(text.to_string()),
    }
}

fn number(x: f64, line: usize, column: &str) -> Node {
    Node {
        line,
        column: Some(column.to_string()),
        // Rust's shortest form reads back as exactly the same number.
        value: Val::Number {
            text: x.to_string(),
            integer: false,
        },
    }
}

/// Reads a preset's row into an initiative table; false when a value could not be converted
/// (the problem is recorded, and a stand-in keeps other checks going).
#[allow(clippy::too_many_arguments)]
fn preset_row(
    r: &mut Reader,
    spec: &ImportSpec,
    p: &PresetLayout,
    row: &SheetRow,
    id: &str,
    annotated: &[String],
    kept: &HashSet<String>,
    left_out: &HashMap<String, (usize, String)>,
    calendar: &Calendar,
    notes: &mut Notes,
) -> (Table, bool) {
    let line = row.line;
    let sets = |key: &str| annotated.iter().any(|k| k == key);
    let mut table = Table::default();
    let mut ok = true;
    let push = |table: &mut Table, key: &str, node: Node| {
        table.entries.push((key.to_string(), line, node));
    };
    if id.is_empty() {
        r.error(
            line,
            &p.id.0,
            "expected an issue key, found an empty cell".into(),
            None,
        );
        return (table, false);
    }
    push(&mut table, "id", cell(id, line, &p.id.0));
    if let (false, Some((header, k))) = (sets("name"), &p.name) {
        // A summary may hold line breaks and tabs: one line of text for charts and tables.
        let name = row
            .cell(*k)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            push(&mut table, "name", cell(&name, line, header));
        }
    }
    if !sets("kind") {
        match preset_kind(r, spec, p, row) {
            Some(kind) => push(&mut table, "kind", cell(kind.as_str(), line, &p.kind.0)),
            None => {
                ok = false;
                push(&mut table, "kind", stand_in("kind", line));
            }
        }
    }
    if !sets("effort") {
        let filled = p.effort.iter().find_map(|(header, at, unit)| {
            at.iter()
                .map(|&k| row.cell(k))
                .find(|c| !c.is_empty())
                .map(|c| (header, c, *unit))
        });
        match filled {
            Some((header, text, unit)) => {
                match effort_node(r, spec, &cell(text, line, header), unit) {
                    Some(node) => push(&mut table, "effort", node),
                    None => {
                        ok = false;
                        push(&mut table, "effort", stand_in("effort", line));
                    }
                }
            }
            None => {
                let names: Vec<String> = p
                    .effort
                    .iter()
                    .filter(|(_, at, _)| !at.is_empty())
                    .map(|(h, _, _)| format!("`{h}`"))
                    .collect();
                r.error(
                    line,
                    &p.effort[0].0,
                    format!(
                        "expected the effort of {} in {}, found {}",
                        quoted(id),
                        names.join(" or "),
                        if names.len() == 1 { "an empty cell" } else { "empty cells" }
                    ),
                    Some(format!(
                        "estimate it in the tracker, give effort in an [[initiative]] table with id = \"{id}\", or leave the row out with [import] skip"
                    )),
                );
                ok = false;
                push(&mut table, "effort", stand_in("effort", line));
            }
        }
    }
    if let (false, Some((header, k))) = (sets("deadline"), &p.deadline) {
        let text = row.cell(*k);
        if !text.is_empty() {
            match deadline_node(r, calendar, &cell(text, line, header), id, notes) {
                Ok(Some(node)) => push(&mut table, "deadline", node),
                Ok(None) => {}
                Err(()) => ok = false,
            }
        }
    }
    if !sets("requires") {
        let (header, at) = &p.requires;
        let mut links: Vec<Node> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for text in at.iter().map(|&k| row.cell(k)) {
            for link in text.split(',').map(str::trim).filter(|l| !l.is_empty()) {
                let target = link.to_lowercase();
                if !seen.insert(target.clone()) {
                    continue;
                }
                if kept.contains(&target) {
                    links.push(cell(&target, line, header));
                } else if !left_out.contains_key(&target) {
                    notes
                        .dangling
                        .push((id.to_string(), link.to_string(), line));
                }
            }
        }
        if !links.is_empty() {
            push(
                &mut table,
                "requires",
                Node {
                    line,
                    column: Some(header.clone()),
                    value: Val::Array(links),
                },
            );
        }
    }
    let extra = csv_row_table(&p.extra, &row.cells, line);
    p.extra.report_conflicts(r, &row.cells, line);
    for (key, key_line, node) in extra.entries {
        if !sets(&key) && table.get(&key).is_none() {
            table.entries.push((key, key_line, node));
        }
    }
    (table, ok)
}

/// The kind of a preset's row: Jira's issue type, or Linear's first label, through `kinds`
/// (a kind's own name, in any case, maps to itself).
fn preset_kind(
    r: &mut Reader,
    spec: &ImportSpec,
    p: &PresetLayout,
    row: &SheetRow,
) -> Option<Kind> {
    let (header, at) = &p.kind;
    let values: Vec<&str> = match p.preset {
        Preset::Jira => at.first().map(|&k| row.cell(k)).into_iter().collect(),
        Preset::Linear => at
            .iter()
            .flat_map(|&k| row.cell(k).split(','))
            .map(str::trim)
            .collect(),
    };
    let values: Vec<&str> = values.into_iter().filter(|v| !v.is_empty()).collect();
    if let Some(kind) = values.iter().find_map(|v| mapped_kind(spec, v)) {
        return Some(kind);
    }
    let what = match p.preset {
        Preset::Jira => "an issue type",
        Preset::Linear => "a label",
    };
    let found = if values.is_empty() {
        "an empty cell".to_string()
    } else {
        quoted(&values.join(", "))
    };
    let example = values.first().copied().unwrap_or("Story");
    let hint = if at.is_empty() {
        format!(
            "the file has no `{header}` column: map one with [import] columns = {{ kind = \"…\" }}"
        )
    } else {
        format!(
            "map it in [import] kinds, for example kinds = {{ {} = \"feature\" }}",
            toml_key(example)
        )
    };
    r.error(
        row.line,
        header,
        format!("expected {what} that [import] kinds maps to a kind, found {found}"),
        Some(hint),
    );
    None
}

fn mapped_kind(spec: &ImportSpec, value: &str) -> Option<Kind> {
    spec.kinds
        .iter()
        .find(|(k, _)| k == value)
        .map(|(_, kind)| *kind)
        .or_else(|| Kind::parse(&value.to_lowercase()))
}

/// A key as TOML needs it written: bare when it can be, else quoted.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// Effort in engineer-weeks from an export's cell: × `effort_unit` (or seconds at 40 hours a
/// week), spread into three points by `effort_spread`.
fn effort_node(r: &mut Reader, spec: &ImportSpec, cell: &Node, unit: Unit) -> Option<Node> {
    let x = r.number(cell, "initiative.effort", Range::Positive)?;
    let column = cell.column.as_deref().unwrap_or("effort");
    let weeks = match unit {
        Unit::Points => x * spec.effort_unit,
        Unit::Seconds => x / SECONDS_PER_WEEK,
    };
    Some(match spec.spread {
        None => number(weeks, cell.line, column),
        Some((low, high)) => {
            let mut t = Table::default();
            for (point, factor) in [("low", low), ("likely", 1.0), ("high", high)] {
                t.entries.push((
                    point.into(),
                    cell.line,
                    number(factor * weeks, cell.line, column),
                ));
            }
            Node {
                line: cell.line,
                column: Some(column.to_string()),
                value: Val::Table(t),
            }
        }
    })
}

/// A due date placed in the period whose span holds it: Ok(None) after the horizon (noted for
/// a warning), Err when it cannot be read or placed (recorded).
fn deadline_node(
    r: &mut Reader,
    calendar: &Calendar,
    cell: &Node,
    id: &str,
    notes: &mut Notes,
) -> Result<Option<Node>, ()> {
    let column = cell.column.clone().unwrap_or_default();
    let Some(day) = parse_day(match &cell.value {
        Val::Cell(s) => s,
        _ => "",
    }) else {
        r.error(
            cell.line,
            &column,
            format!(
                "expected a date such as 2027-03-15 or 15/Mar/27 12:00 AM, found {}",
                cell.describe()
            ),
            None,
        );
        return Err(());
    };
    match calendar {
        Calendar::Unknown => Err(()),
        Calendar::NoStart => {
            if !notes.no_start_told {
                notes.no_start_told = true;
                r.error(
                    cell.line,
                    &column,
                    format!(
                        "expected [scenario] start to place due dates in periods, found none (due {})",
                        day_text(day)
                    ),
                    Some("add start = \"2027-Q1\" (the label of period 1, or its first day) under [scenario]".into()),
                );
            }
            Err(())
        }
        Calendar::Periods(starts) => {
            let (first, end) = (starts[0], starts[starts.len() - 1]);
            if day < first {
                r.error(
                    cell.line,
                    &column,
                    format!(
                        "expected a due date within the horizon ({} to {}), found {}, before period 1",
                        day_text(first),
                        day_text(end - 1),
                        day_text(day)
                    ),
                    Some(format!(
                        "move the due date in the tracker, set deadline in an [[initiative]] table with id = \"{id}\", or leave the row out with [import] skip"
                    )),
                );
                return Err(());
            }
            if day >= end {
                notes.late.push((id.to_string(), day, cell.line));
                return Ok(None);
            }
            let period = starts.partition_point(|&s| s <= day);
            Ok(Some(Node {
                line: cell.line,
                column: Some(column),
                value: Val::Number {
                    text: period.to_string(),
                    integer: true,
                },
            }))
        }
    }
}

/// A plain-layout row read through `[import]`: `kinds`, `effort_unit` and `effort_spread`
/// apply, and a deadline may be a date.
#[allow(clippy::too_many_arguments)]
fn plain_row(
    r: &mut Reader,
    spec: &ImportSpec,
    layout: &CsvLayout,
    row: &SheetRow,
    id: &str,
    annotated: &[String],
    calendar: &Calendar,
    notes: &mut Notes,
) -> (Table, bool) {
    let line = row.line;
    let mut table = csv_row_table(layout, &row.cells, line);
    layout.report_conflicts(r, &row.cells, line);
    table
        .entries
        .retain(|(k, _, _)| k == "id" || !annotated.contains(k));
    let mut ok = true;
    for (key, _, node) in &mut table.entries {
        match (key.as_str(), &node.value) {
            ("kind", Val::Cell(text)) => {
                // Unmapped values are left for the reader, which names the kinds it knows.
                if let Some(kind) = mapped_kind(spec, text) {
                    node.value = Val::Cell(kind.as_str().into());
                }
            }
            ("effort", Val::Cell(_)) => match effort_node(r, spec, node, Unit::Points) {
                Some(n) => *node = n,
                None => ok = false,
            },
            ("effort", Val::Table(points)) => {
                let mut scaled = points.clone();
                for (_, _, point) in &mut scaled.entries {
                    let column = point.column.clone().unwrap_or_default();
                    match r.number(point, "initiative.effort", Range::Positive) {
                        Some(x) => *point = number(x * spec.effort_unit, point.line, &column),
                        None => ok = false,
                    }
                }
                node.value = Val::Table(scaled);
            }
            ("deadline", Val::Cell(text)) if parse_day(text).is_some() => {
                match deadline_node(r, calendar, node, id, notes) {
                    Ok(Some(n)) => *node = n,
                    Ok(None) => node.value = Val::Cell(String::new()),
                    Err(()) => ok = false,
                }
            }
            _ => {}
        }
    }
    // A due date after the horizon gives no deadline.
    table
        .entries
        .retain(|(k, _, n)| !(k == "deadline" && matches!(&n.value, Val::Cell(s) if s.is_empty())));
    if !ok {
        for key in ["effort"] {
            if table.get(key).is_none() {
                table.entries.push((key.into(), line, stand_in(key, line)));
            }
        }
    }
    (table, ok)
}

/// Sets the fields an annotation names on the imported row's draft.
fn overlay(row: &mut Draft, mut a: Draft, keys: &[String], class_in_row: bool) {
    let i = &mut row.initiative;
    for key in keys {
        match key.as_str() {
            "name" => i.name = std::mem::take(&mut a.initiative.name),
            "kind" => i.kind = a.initiative.kind,
            "class" => i.class = a.initiative.class,
            "effort" => i.effort = a.initiative.effort,
            "progress" => i.progress = a.initiative.progress,
            "team" => i.team = a.initiative.team,
            "value" => i.value = a.initiative.value,
            "one_time_value" => i.one_time_value = a.initiative.one_time_value,
            "risk_if_deferred" => i.risk = a.initiative.risk,
            "deadline" => {
                i.deadline = a.initiative.deadline;
                row.deadline_line = a.deadline_line;
            }
            "commit" => {
                i.commit = a.initiative.commit;
                row.commit_line = a.commit_line;
            }
            "business_outcome" => i.business_outcome = a.initiative.business_outcome.take(),
            "debt_relief" => i.debt_relief = a.initiative.debt_relief,
            "requires" => row.requires = std::mem::take(&mut a.requires),
            "objectives" => row.objectives = std::mem::take(&mut a.objectives),
            "owner" | "split" => row.teams = a.teams.take(),
            _ => {}
        }
    }
    let sets = |key: &str| keys.iter().any(|k| k == key);
    if sets("kind") && !sets("class") && !class_in_row {
        i.class = i.kind.default_class();
    }
}

fn read_spread(r: &mut Reader, n: &Node) -> Option<(f64, f64)> {
    let path = "import.effort_spread";
    let Val::Table(t) = &n.value else {
        r.error(
            n.line,
            path,
            format!(
                "expected {{ low = …, high = … }} (factors of the estimate), found {}",
                n.describe()
            ),
            Some("for example effort_spread = { low = 0.8, high = 1.6 }".into()),
        );
        return None;
    };
    r.check_keys(t, &["low", "high"], path);
    let mut get = |key: &str| match t.get(key) {
        Some(x) => r.number(x, &format!("{path}.{key}"), Range::Positive),
        None => {
            r.error(
                n.line,
                &format!("{path}.{key}"),
                format!("expected `{key}`, a factor of the estimate, found none"),
                Some("for example effort_spread = { low = 0.8, high = 1.6 }".into()),
            );
            None
        }
    };
    let (low, high) = (get("low"), get("high"));
    let (low, high) = (low?, high?);
    if !(low <= 1.0 && 1.0 <= high) {
        r.error(
            n.line,
            path,
            format!("expected low ≤ 1 ≤ high (the estimate is the likely point), found low = {low}, high = {high}"),
            None,
        );
        return None;
    }
    Some((low, high))
}

fn read_kinds(r: &mut Reader, n: &Node) -> Option<Vec<(String, Kind)>> {
    let path = "import.kinds";
    let Val::Table(t) = &n.value else {
        r.error(
            n.line,
            path,
            format!("expected a table of the export's types and their kinds such as {{ Bug = \"debt\", Story = \"feature\" }}, found {}", n.describe()),
            None,
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (key, _, node) in &t.entries {
        let field = format!("{path}.{}", toml_key(key));
        match r.string(node, &field) {
            Some(text) => match Kind::parse(text.trim()) {
                Some(kind) => out.push((key.clone(), kind)),
                None => {
                    r.error(
                        node.line,
                        &field,
                        format!("expected one of feature, debt, migration, infrastructure, security, compliance, found {}", quoted(&text)),
                        None,
                    );
                    ok = false;
                }
            },
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_columns(r: &mut Reader, n: &Node) -> Option<Vec<(String, String, usize)>> {
    let path = "import.columns";
    let Val::Table(t) = &n.value else {
        r.error(
            n.line,
            path,
            format!("expected a table of fields and the export's column headers such as {{ value = \"Value (EUR)\" }}, found {}", n.describe()),
            None,
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (field, line, node) in &t.entries {
        let name = format!("{path}.{}", toml_key(field));
        if csv_column(field).is_none() {
            r.error(
                *line,
                &name,
                format!("expected an initiative field, found `{field}`"),
                Some(format!(
                    "fields are {}, or a CSV column name such as effort_low",
                    INITIATIVE_KEYS.join(", ")
                )),
            );
            ok = false;
            continue;
        }
        match r.string(node, &name) {
            Some(header) => out.push((field.clone(), header.trim().to_string(), node.line)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn read_skip(r: &mut Reader, n: &Node) -> Option<Vec<(String, Vec<String>, usize)>> {
    let path = "import.skip";
    let Val::Table(t) = &n.value else {
        r.error(
            n.line,
            path,
            format!("expected a table of columns and the values whose rows to leave out such as {{ Status = [\"Done\"] }}, found {}", n.describe()),
            None,
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (header, line, node) in &t.entries {
        let name = format!("{path}.{}", toml_key(header));
        let values = match &node.value {
            Val::Array(items) => items
                .iter()
                .enumerate()
                .map(|(k, item)| r.string(item, &format!("{name}[{k}]")))
                .collect::<Vec<_>>()
                .into_iter()
                .collect::<Option<Vec<String>>>(),
            _ => r.string(node, &name).map(|v| vec![v]),
        };
        match values {
            Some(v) => out.push((
                header.clone(),
                v.into_iter().map(|s| s.trim().to_string()).collect(),
                *line,
            )),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_written_bare_or_quoted() {
        assert_eq!(toml_key("Bug"), "Bug");
        assert_eq!(toml_key("Sub-task"), "Sub-task");
        assert_eq!(toml_key("New Feature"), "\"New Feature\"");
    }

    #[test]
    fn original_estimate_is_seconds_at_forty_hours() {
        assert_eq!(288_000.0 / SECONDS_PER_WEEK, 2.0);
    }
}
