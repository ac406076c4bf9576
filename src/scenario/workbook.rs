//! Reads one sheet of a workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls` or `.ods`, through calamine)
//! into a [`Sheet`] of text cells, so a spreadsheet is read with the same conventions as a CSV
//! file. A row's line is its row number as the spreadsheet shows it (1-based).
//!
//! Cells become the text a CSV export of the sheet would hold: numbers in their shortest exact
//! form (`3`, `0.5`), dates as ISO `2027-03-15`, booleans `true`/`false`, formula errors as
//! Excel writes them (`#DIV/0!`), so they fail where a number is expected.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use calamine::{open_workbook_from_rs, Data, Ods, Xls, Xlsb, Xlsx};

use super::csv_rows::{Sheet, SheetRow};
use super::fields::quoted;
use super::load::{read_input, Loader};

/// The workbook formats, told apart by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

impl Format {
    fn article_name(self) -> &'static str {
        match self {
            Format::Xlsx => "an .xlsx",
            Format::Xlsb => "an .xlsb",
            Format::Xls => "an .xls",
            Format::Ods => "an .ods",
        }
    }
}

/// The workbook format a file name says, or None for anything else (read as CSV).
pub(super) fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        "xlsb" => Some(Format::Xlsb),
        "xls" => Some(Format::Xls),
        "ods" => Some(Format::Ods),
        _ => None,
    }
}

/// What reading a workbook gave: its sheet names and the chosen sheet's cells, or why not.
enum Opened {
    Cells(calamine::Range<Data>),
    NoSuchSheet(Vec<String>),
    NoSheets,
}

impl Loader {
    pub(super) fn read_workbook(
        &mut self,
        path: &Path,
        format: Format,
        ref_line: usize,
        sheet: Option<&(String, usize)>,
    ) -> Option<Sheet> {
        let scenario = self.path.clone();
        let bytes = match read_input(path) {
            Ok(b) => {
                self.inputs.push(path.to_path_buf());
                b
            }
            Err(e) => {
                self.error(
                    &scenario,
                    Some(ref_line),
                    "scenario.initiatives",
                    format!(
                        "expected a readable workbook at `{}`, found: {e}",
                        path.display()
                    ),
                    Some("the path is relative to the scenario file".into()),
                );
                return None;
            }
        };
        let wanted = sheet.map(|(name, _)| name.as_str());
        // calamine is not known to panic on malformed files, but no input may crash the loader.
        let opened = catch_unwind(AssertUnwindSafe(|| open(bytes, format, wanted)))
            .unwrap_or_else(|_| Err("the reader failed on its contents".into()));
        let range = match opened {
            Ok(Opened::Cells(range)) => range,
            Ok(Opened::NoSuchSheet(names)) => {
                let line = sheet.map_or(ref_line, |(_, l)| *l);
                let names: Vec<String> = names.iter().map(|n| quoted(n)).collect();
                self.error(
                    &scenario,
                    Some(line),
                    "import.sheet",
                    format!(
                        "expected a sheet named {} in `{}`, found the sheets {}",
                        quoted(wanted.unwrap_or("")),
                        path.display(),
                        names.join(", ")
                    ),
                    None,
                );
                return None;
            }
            Ok(Opened::NoSheets) => {
                self.error(
                    path,
                    None,
                    "",
                    "expected a workbook with at least one sheet, found none".into(),
                    None,
                );
                return None;
            }
            Err(e) => {
                self.error(
                    path,
                    None,
                    "",
                    format!(
                        "expected {} workbook, found a file that cannot be read as one: {e}",
                        format.article_name()
                    ),
                    Some(
                        "save it again from the spreadsheet program, or export the sheet as CSV"
                            .into(),
                    ),
                );
                return None;
            }
        };
        let Some((first_row, _)) = range.start() else {
            self.error(
                path,
                Some(1),
                "",
                "expected a header row, found an empty sheet".into(),
                None,
            );
            return None;
        };
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .map(|cells| cells.iter().map(cell_text).collect())
            .unwrap_or_default();
        let mut sheet_rows = Vec::new();
        for (k, cells) in rows.enumerate() {
            let cells: Vec<String> = cells.iter().map(cell_text).collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            sheet_rows.push(SheetRow {
                // The header is row `first_row + 1` as the sheet shows it.
                line: first_row as usize + k + 2,
                cells,
            });
        }
        // Columns with neither a header nor any value are the used range's padding.
        let keep: Vec<bool> = (0..header.len())
            .map(|c| !header[c].is_empty() || sheet_rows.iter().any(|r| !r.cell(c).is_empty()))
            .collect();
        let pick = |cells: Vec<String>| -> Vec<String> {
            cells
                .into_iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c)
                .collect()
        };
        let columns = pick(header);
        for row in &mut sheet_rows {
            row.cells = pick(std::mem::take(&mut row.cells));
        }
        Some(Sheet {
            file: path.to_path_buf(),
            columns,
            rows: sheet_rows,
            problems: Vec::new(),
        })
    }
}

fn open(bytes: Vec<u8>, format: Format, sheet: Option<&str>) -> Result<Opened, String> {
    fn pick<R: calamine::Reader<Cursor<Vec<u8>>>>(
        mut book: R,
        sheet: Option<&str>,
    ) -> Result<Opened, String>
    where
        R::Error: std::fmt::Display,
    {
        let names = book.sheet_names();
        let name = match sheet {
            Some(s) if names.iter().any(|n| n == s) => s.to_string(),
            Some(_) => return Ok(Opened::NoSuchSheet(names)),
            None => match names.first() {
                Some(n) => n.clone(),
                None => return Ok(Opened::NoSheets),
            },
        };
        book.worksheet_range(&name)
            .map(Opened::Cells)
            .map_err(|e| e.to_string())
    }
    let cursor = Cursor::new(bytes);
    let text = |e: &dyn std::fmt::Display| e.to_string();
    match format {
        Format::Xlsx => pick(
            open_workbook_from_rs::<Xlsx<_>, _>(cursor).map_err(|e| text(&e))?,
            sheet,
        ),
        Format::Xlsb => pick(
            open_workbook_from_rs::<Xlsb<_>, _>(cursor).map_err(|e| text(&e))?,
            sheet,
        ),
        Format::Xls => pick(
            open_workbook_from_rs::<Xls<_>, _>(cursor).map_err(|e| text(&e))?,
            sheet,
        ),
        Format::Ods => pick(
            open_workbook_from_rs::<Ods<_>, _>(cursor).map_err(|e| text(&e))?,
            sheet,
        ),
    }
}

/// A cell as the text a CSV export would hold (trimmed, like CSV cells).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        // Rust's shortest round-trip form: 3.0 → "3", 0.1 → "0.1".
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        // The date alone: a deadline needs no time of day.
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Error(e) => e.to_string(),
    }
}
