//! Markdown a leader pastes into Confluence, Notion or a GitHub issue: the same documents as the
//! text tables ([`super::table`]), laid out as headings, paragraphs and pipe tables (GitHub
//! flavoured: numbers aligned right).
//!
//! Every cell and line is escaped: a scenario's names and ids are text, never markup, so a name
//! like `<script>` or `a | b` shows as written instead of becoming HTML or a new column.

use super::document::{Block, Document};
use super::table::{frontier_document, plan_document, simulation_document, sweep_document};
use super::Exporter;
use crate::error::Error;
use crate::frontier::Frontier;
use crate::plan::Plan;
use crate::scenario::Scenario;
use crate::simulate::Simulation;
use crate::sweep::Sweep;

pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn plan(&self, scenario: &Scenario, plan: &Plan) -> Result<String, Error> {
        Ok(to_markdown(&plan_document(scenario, plan)))
    }

    fn simulation(&self, scenario: &Scenario, simulation: &Simulation) -> Result<String, Error> {
        Ok(to_markdown(&simulation_document(scenario, simulation)))
    }

    fn sweep(&self, scenario: &Scenario, sweep: &Sweep) -> Result<String, Error> {
        Ok(to_markdown(&sweep_document(scenario, sweep)))
    }

    fn frontier(&self, scenario: &Scenario, frontier: &Frontier) -> Result<String, Error> {
        Ok(to_markdown(&frontier_document(scenario, frontier)))
    }
}

/// The document as markdown: the title a level-2 heading, sections level 3, each line a
/// paragraph of its own, tables with a header row (empty for a table of label and value pairs).
pub fn to_markdown(doc: &Document) -> String {
    let mut out = String::new();
    for block in &doc.blocks {
        match block {
            Block::Title(text) => out.push_str(&format!("## {}\n\n", escape(text, false))),
            Block::Heading(text) => out.push_str(&format!("### {}\n\n", escape(text, false))),
            Block::Line(text) => {
                out.push_str(&format!("{}\n\n", escape(text.trim_start(), true)));
            }
            Block::Blank => {}
            Block::Table {
                rows,
                header,
                n_left,
                ..
            } => {
                let n_cols = rows.iter().map(Vec::len).max().unwrap_or(0);
                let blank = vec![String::new(); n_cols];
                let (head, body) = match (header, rows.split_first()) {
                    (true, Some((head, body))) => (head, body),
                    _ => (&blank, &rows[..]),
                };
                table_row(&mut out, head, n_cols);
                let rule: Vec<&str> = (0..n_cols)
                    .map(|c| if c < *n_left { ":--" } else { "--:" })
                    .collect();
                out.push_str(&format!("| {} |\n", rule.join(" | ")));
                for row in body {
                    table_row(&mut out, row, n_cols);
                }
                out.push('\n');
            }
        }
    }
    // One newline at the end, not a blank line.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn table_row(out: &mut String, cells: &[String], n_cols: usize) {
    let cells: Vec<String> = (0..n_cols)
        .map(|c| escape(cells.get(c).map_or("", |s| s.trim()), false))
        .collect();
    out.push_str(&format!("| {} |\n", cells.join(" | ")));
}

/// `text` with every character markdown or HTML would read as markup escaped by a backslash
/// (CommonMark escapes any ASCII punctuation this way), and line breaks as spaces. A paragraph
/// (`starts_block`) also escapes what would open a heading, a list or a quote.
fn escape(text: &str, starts_block: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for (k, c) in text.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            // At the start of a line these begin a heading, a list or a quote.
            '#' | '-' | '+' | '=' if k == 0 && starts_block => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped_and_a_pipe_does_not_open_a_column() {
        let mut doc = Document::default();
        doc.title("<script>alert(1)</script> *bold*");
        doc.table(
            vec![
                vec!["id".into(), "value".into()],
                vec!["a | b".into(), "1,200".into()],
            ],
            1,
            "  ",
        );
        doc.line("- not a list");
        let md = to_markdown(&doc);
        assert_eq!(
            md,
            "## \\<script\\>alert(1)\\</script\\> \\*bold\\*\n\n\
             | id | value |\n| :-- | --: |\n| a \\| b | 1,200 |\n\n\
             \\- not a list\n"
        );
    }

    #[test]
    fn a_table_without_a_header_gets_an_empty_one() {
        let mut doc = Document::default();
        doc.pairs(vec![vec!["objective".into(), "€10".into()]]);
        assert_eq!(
            to_markdown(&doc),
            "|  |  |\n| :-- | --: |\n| objective | €10 |\n"
        );
    }
}
