//! A located document tree that TOML tables and CSV rows are both turned into, so one validator
//! reads both and every message can name the file, the line and the field.

use std::path::Path;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::Diagnostic;

/// Deeper nesting than this is refused (no scenario needs more than three levels).
const MAX_DEPTH: usize = 32;

/// A value with the line it stands on and, for CSV cells, the column it came from.
#[derive(Debug, Clone)]
pub struct Node {
    pub line: usize,
    /// The column name when the value came from a CSV cell; messages name it instead of the path.
    pub column: Option<String>,
    pub value: Val,
}

#[derive(Debug, Clone)]
pub enum Val {
    /// A TOML integer or float, as written (parsed on demand).
    Number {
        text: String,
        integer: bool,
    },
    Str(String),
    Bool(bool),
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
    /// An untyped CSV cell, converted to whatever the field expects.
    Cell(String),
}

/// A table's entries in file order: key, the key's line, the value.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub entries: Vec<(String, usize, Node)>,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, n)| n)
    }

    pub fn keys(&self) -> impl Iterator<Item = (&str, usize)> {
        self.entries.iter().map(|(k, line, _)| (k.as_str(), *line))
    }
}

impl Node {
    /// How the value looks, for "found …" in messages.
    pub fn describe(&self) -> String {
        match &self.value {
            Val::Number { text, .. } => text.clone(),
            Val::Str(s) => format!("the string {}", quote(s)),
            Val::Bool(b) => b.to_string(),
            Val::Datetime(d) => format!("the date {d}"),
            Val::Array(items) => format!("a list of {} item(s)", items.len()),
            Val::Table(_) => "a table".into(),
            Val::Cell(s) if s.is_empty() => "an empty cell".into(),
            Val::Cell(s) => quote(s),
        }
    }
}

/// Quotes text for a message, shortening very long text.
pub fn quote(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() > MAX {
        let short: String = s.chars().take(MAX).collect();
        format!("{short:?}…")
    } else {
        format!("{s:?}")
    }
}

/// Maps byte offsets to 1-based line numbers.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Parses TOML text into a located table, or says where the syntax is wrong.
pub fn parse_toml(file: &Path, text: &str) -> Result<Table, Diagnostic> {
    let lines = Lines::new(text);
    let doc = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| lines.line_of(s.start));
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .trim_end_matches('.')
            .to_string();
        // A duplicate key's span covers the key: name it.
        let key = e
            .span()
            .and_then(|s| text.get(s))
            .map(|k| k.trim().trim_matches('"').trim_matches('\''))
            .filter(|k| !k.is_empty() && k.len() <= 200 && !k.contains('\n'));
        if message.starts_with("duplicate key") {
            if let Some(key) = key {
                return Diagnostic {
                    file: file.to_path_buf(),
                    line,
                    field: Some(super::fields::shown_safely(key)),
                    message: format!(
                        "expected each key once in a table, found `{}` a second time",
                        super::fields::shown_safely(key)
                    ),
                    hint: Some(
                        "remove one of them, or start a new table for a second entry".into(),
                    ),
                };
            }
        }
        Diagnostic {
            file: file.to_path_buf(),
            line,
            field: None,
            message: format!("expected valid TOML, found a syntax error: {message}"),
            hint: Some("check quotes, brackets and `key = value` pairs on that line".into()),
        }
    })?;
    let table = convert_table(file, &lines, doc.get_ref(), 0)?;
    Ok(table)
}

fn convert_table(
    file: &Path,
    lines: &Lines,
    table: &DeTable<'_>,
    depth: usize,
) -> Result<Table, Diagnostic> {
    let mut out = Table::default();
    for (key, value) in table.iter() {
        let key_line = lines.line_of(key.span().start);
        let node = convert_value(file, lines, value, depth + 1)?;
        out.entries
            .push((key.get_ref().to_string(), key_line, node));
    }
    Ok(out)
}

fn convert_value(
    file: &Path,
    lines: &Lines,
    value: &Spanned<DeValue<'_>>,
    depth: usize,
) -> Result<Node, Diagnostic> {
    let line = lines.line_of(value.span().start);
    if depth > MAX_DEPTH {
        return Err(Diagnostic {
            file: file.to_path_buf(),
            line: Some(line),
            field: None,
            message: format!("expected at most {MAX_DEPTH} levels of nesting, found more"),
            hint: None,
        });
    }
    let value = match value.get_ref() {
        DeValue::String(s) => Val::Str(s.to_string()),
        DeValue::Integer(i) => Val::Number {
            text: i.to_string(),
            integer: true,
        },
        DeValue::Float(f) => Val::Number {
            text: f.as_str().to_string(),
            integer: false,
        },
        DeValue::Boolean(b) => Val::Bool(*b),
        DeValue::Datetime(d) => Val::Datetime(d.to_string()),
        DeValue::Array(items) => Val::Array(
            items
                .iter()
                .map(|item| convert_value(file, lines, item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => Val::Table(convert_table(file, lines, t, depth)?),
    };
    Ok(Node {
        line,
        column: None,
        value,
    })
}

/// Parses a TOML number as written (integers in any radix, floats with `inf`/`nan`).
pub fn parse_number(text: &str, integer: bool) -> Option<f64> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    if integer {
        let (radix, digits, negative) = match cleaned.as_str() {
            s if s.starts_with("0x") => (16, &s[2..], false),
            s if s.starts_with("0o") => (8, &s[2..], false),
            s if s.starts_with("0b") => (2, &s[2..], false),
            s if s.starts_with('-') => (10, &s[1..], true),
            s if s.starts_with('+') => (10, &s[1..], false),
            s => (10, s, false),
        };
        let magnitude = i128::from_str_radix(digits, radix).ok()? as f64;
        Some(if negative { -magnitude } else { magnitude })
    } else {
        cleaned.parse::<f64>().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let lines = Lines::new("a\nbb\n\nc");
        assert_eq!(lines.line_of(0), 1);
        assert_eq!(lines.line_of(2), 2);
        assert_eq!(lines.line_of(5), 3);
        assert_eq!(lines.line_of(6), 4);
    }

    #[test]
    fn numbers_parse_in_every_toml_form() {
        assert_eq!(parse_number("1_000", true), Some(1000.0));
        assert_eq!(parse_number("0x10", true), Some(16.0));
        assert_eq!(parse_number("-3", true), Some(-3.0));
        assert_eq!(parse_number("2.5e3", false), Some(2500.0));
        assert!(parse_number("nan", false).unwrap().is_nan());
        assert!(parse_number("-inf", false).unwrap().is_infinite());
    }

    #[test]
    fn toml_values_carry_their_lines() {
        let t = parse_toml(Path::new("x.toml"), "[a]\nb = 1\n\nc = [1, 2]\n").unwrap();
        let a = t.get("a").unwrap();
        let Val::Table(inner) = &a.value else {
            panic!("expected a table")
        };
        assert_eq!(inner.get("b").unwrap().line, 2);
        assert_eq!(inner.get("c").unwrap().line, 4);
    }
}
