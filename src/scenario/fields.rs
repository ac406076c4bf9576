//! Typed reads of located values: numbers in a range, whole numbers, strings, lists, estimates.
//! Each read that fails records a diagnostic (file, line, field, expected, found) and returns None,
//! so one pass reports every problem in a file.

use std::path::{Path, PathBuf};

use super::model::Estimate;
use super::raw::{parse_number, quote, Node, Table, Val};
use crate::error::Diagnostic;

/// Numbers larger than this in magnitude are refused: no capacity, effort or value is that large,
/// and sums of them must stay exact enough to trust.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// The range a number must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// Any finite number.
    Any,
    /// ≥ 0.
    NonNegative,
    /// > 0.
    Positive,
    /// In [0, 1].
    Share,
    /// In [0, 1).
    ShareBelowOne,
    /// In (0, 1].
    PositiveShare,
}

impl Range {
    fn contains(self, x: f64) -> bool {
        match self {
            Range::Any => true,
            Range::NonNegative => x >= 0.0,
            Range::Positive => x > 0.0,
            Range::Share => (0.0..=1.0).contains(&x),
            Range::ShareBelowOne => (0.0..1.0).contains(&x),
            Range::PositiveShare => x > 0.0 && x <= 1.0,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Range::Any => "a number",
            Range::NonNegative => "a number ≥ 0",
            Range::Positive => "a number > 0",
            Range::Share => "a share between 0 and 1",
            Range::ShareBelowOne => "a share from 0 up to (not including) 1",
            Range::PositiveShare => "a share above 0 and at most 1",
        }
    }
}

/// Reads fields of one file and collects what is wrong with them.
pub struct Reader {
    pub file: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

impl Reader {
    pub fn new(file: &Path) -> Self {
        Reader {
            file: file.to_path_buf(),
            diagnostics: Vec::new(),
        }
    }

    /// Records a problem at `line` in `field`.
    pub fn error(&mut self, line: usize, field: &str, message: String, hint: Option<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.clone(),
            line: Some(line),
            field: (!field.is_empty()).then(|| field.to_string()),
            message,
            hint,
        });
    }

    /// The name to show for a value: its CSV column, else the path in the TOML file.
    pub fn name(node: &Node, path: &str) -> String {
        node.column.clone().unwrap_or_else(|| path.to_string())
    }

    fn expected(&mut self, node: &Node, path: &str, expected: &str) {
        let hint = match &node.value {
            Val::Cell(s) | Val::Str(s)
                if s.contains(',') && s.replace(',', ".").parse::<f64>().is_ok() =>
            {
                Some(
                    "write numbers without separators and with `.` for decimals (1000, 2.5)"
                        .to_string(),
                )
            }
            Val::Str(s) if s.parse::<f64>().is_ok() => {
                Some("write the number without quotes".to_string())
            }
            _ => None,
        };
        self.error(
            node.line,
            &Self::name(node, path),
            format!("expected {expected}, found {}", node.describe()),
            hint,
        );
    }

    /// Rejects keys not in `allowed`, suggesting the nearest known key.
    pub fn check_keys(&mut self, table: &Table, allowed: &[&str], path: &str) {
        for (key, line) in table.keys() {
            if !allowed.contains(&key) {
                let field = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
                let hint = closest(key, allowed)
                    .map(|k| format!("did you mean `{k}`?"))
                    .or_else(|| Some(format!("known keys: {}", allowed.join(", "))));
                self.error(line, &field, format!("unknown key `{key}`"), hint);
            }
        }
    }

    /// A finite number in `range`.
    pub fn number(&mut self, node: &Node, path: &str, range: Range) -> Option<f64> {
        let parsed = match &node.value {
            Val::Number { text, integer } => parse_number(text, *integer),
            Val::Cell(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let Some(x) = parsed else {
            self.expected(node, path, range.expected());
            return None;
        };
        if !x.is_finite() {
            self.error(
                node.line,
                &Self::name(node, path),
                format!("expected a finite number, found {}", node.describe()),
                None,
            );
            return None;
        }
        if x.abs() > MAX_MAGNITUDE {
            self.error(
                node.line,
                &Self::name(node, path),
                format!(
                    "expected a number of at most 1e15 in size, found {}",
                    node.describe()
                ),
                None,
            );
            return None;
        }
        if !range.contains(x) {
            self.error(
                node.line,
                &Self::name(node, path),
                format!("expected {}, found {}", range.expected(), node.describe()),
                None,
            );
            return None;
        }
        Some(x)
    }

    /// A whole number in `lo..=hi`.
    pub fn whole(&mut self, node: &Node, path: &str, lo: i64, hi: i64) -> Option<i64> {
        let expected = format!("a whole number from {lo} to {hi}");
        let parsed = match &node.value {
            Val::Number { text, integer } => parse_number(text, *integer),
            Val::Cell(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match parsed {
            Some(x) if x.is_finite() && x.fract() == 0.0 && x >= lo as f64 && x <= hi as f64 => {
                Some(x as i64)
            }
            _ => {
                self.expected(node, path, &expected);
                None
            }
        }
    }

    /// One line of text (an id, a name, a label): no control characters at all, tab included.
    pub fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        self.text(node, path, false)
    }

    /// Free prose (`business_outcome`): tabs and line breaks allowed, other control characters not.
    pub fn prose(&mut self, node: &Node, path: &str) -> Option<String> {
        self.text(node, path, true)
    }

    fn text(&mut self, node: &Node, path: &str, layout: bool) -> Option<String> {
        let s = match &node.value {
            Val::Str(s) | Val::Cell(s) => s,
            _ => {
                self.expected(node, path, "a string in quotes");
                return None;
            }
        };
        if let Some((at, c)) = forbidden_char(s, layout) {
            let what = if layout {
                "text without control characters other than tab and line breaks"
            } else {
                "text without control characters"
            };
            self.error(
                node.line,
                &Self::name(node, path),
                format!(
                    "expected {what}, found U+{:04X} at character {at}",
                    u32::from(c)
                ),
                Some("remove it: charts, pages and terminals cannot show it safely".into()),
            );
            return None;
        }
        Some(s.clone())
    }

    pub fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Val::Bool(b) => Some(*b),
            Val::Cell(s) if s.trim() == "true" => Some(true),
            Val::Cell(s) if s.trim() == "false" => Some(false),
            _ => {
                self.expected(node, path, "true or false");
                None
            }
        }
    }

    /// A list of strings: a TOML array, or a `;`-separated CSV cell. Each item keeps its line.
    pub fn string_list(&mut self, node: &Node, path: &str) -> Option<Vec<(String, usize)>> {
        match &node.value {
            Val::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, item) in items.iter().enumerate() {
                    out.push((self.string(item, &format!("{path}[{k}]"))?, item.line));
                }
                Some(out)
            }
            Val::Cell(s) => Some(
                s.split(';')
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| (p.to_string(), node.line))
                    .collect(),
            ),
            _ => {
                self.expected(node, path, "a list of ids such as [\"a\", \"b\"]");
                None
            }
        }
    }

    /// A plain number or `{ low, likely, high }` with low ≤ likely ≤ high, every point in `range`.
    pub fn estimate(&mut self, node: &Node, path: &str, range: Range) -> Option<Estimate> {
        match &node.value {
            Val::Table(t) => {
                self.check_keys(t, &["low", "likely", "high"], path);
                let mut points = [0.0; 3];
                let mut ok = true;
                for (slot, key) in points.iter_mut().zip(["low", "likely", "high"]) {
                    let sub = format!("{path}.{key}");
                    match t.get(key) {
                        Some(n) => match self.number(n, &sub, range) {
                            Some(x) => *slot = x,
                            None => ok = false,
                        },
                        None => {
                            let field = match &node.column {
                                Some(prefix) => format!("{prefix}_{key}"),
                                None => sub,
                            };
                            self.error(
                                node.line,
                                &field,
                                format!("expected `{key}` in a three-point estimate, found none"),
                                Some("give low, likely and high, or a single number".into()),
                            );
                            ok = false;
                        }
                    }
                }
                if !ok {
                    return None;
                }
                let [low, likely, high] = points;
                if !(low <= likely && likely <= high) {
                    self.error(
                        node.line,
                        &Self::name(node, path),
                        format!(
                            "expected low ≤ likely ≤ high, found low = {low}, likely = {likely}, high = {high}"
                        ),
                        None,
                    );
                    return None;
                }
                Some(Estimate { low, likely, high })
            }
            _ => self.number(node, path, range).map(Estimate::fixed),
        }
    }
}

/// Whether `c` is refused in scenario text: C0 controls, DEL, C1 controls (terminals act on
/// ESC and CSI sequences) and U+FFFE / U+FFFF (not allowed in XML, so in no SVG chart).
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// The first refused character of `text` and its position (1-based, in characters); with
/// `layout`, tab, line feed and carriage return are allowed.
pub fn forbidden_char(text: &str, layout: bool) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|&(_, c)| is_forbidden(c) && !(layout && matches!(c, '\t' | '\n' | '\r')))
        .map(|(k, c)| (k + 1, c))
}

/// `text` with every refused character but the line feed written as an escape (`\u{1b}`),
/// for messages.
pub fn shown_safely(text: &str) -> String {
    let escaped = |c: char| is_forbidden(c) && c != '\n';
    if !text.chars().any(escaped) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if escaped(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The allowed key nearest to `key` by edit distance, when it is close enough to be a typo.
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|k| (strsim::levenshtein(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Quotes a user's text for a message (re-exported for the loader).
pub fn quoted(s: &str) -> String {
    quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_with_their_position() {
        assert_eq!(forbidden_char("Plan\u{7}B", false), Some((5, '\u{7}')));
        assert_eq!(forbidden_char("a\u{1b}[31m", false), Some((2, '\u{1b}')));
        assert_eq!(forbidden_char("DEL\u{7f}", false), Some((4, '\u{7f}')));
        assert_eq!(forbidden_char("x\u{9b}", false), Some((2, '\u{9b}')));
        assert_eq!(forbidden_char("é\u{FFFE}", false), Some((2, '\u{FFFE}')));
        assert_eq!(forbidden_char("\u{FFFF}", false), Some((1, '\u{FFFF}')));
        assert_eq!(forbidden_char("a\tb", false), Some((2, '\t')));
        assert_eq!(forbidden_char("a\tb\r\nc", true), None);
        assert_eq!(forbidden_char("a\u{0}b", true), Some((2, '\u{0}')));
        assert_eq!(forbidden_char("Платформа €2027 — ok", false), None);
        assert_eq!(shown_safely("a\u{1b}b\nc"), "a\\u{1b}b\nc");
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(closest("efort", &["effort", "value"]), Some("effort"));
        assert_eq!(
            closest("deadlien", &["deadline", "debt_relief"]),
            Some("deadline")
        );
        assert_eq!(closest("zzz", &["effort", "value"]), None);
    }
}
