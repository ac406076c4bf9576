//! What a command prints, before it is laid out: titles, lines of prose and tables of cells. The
//! table exporter lays a document out as aligned text for a terminal, the markdown exporter as a
//! summary to paste into a review document; both read the same document, so they never disagree.

use crate::report::text::aligned;

/// One piece of a document, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// What the document is about (its first line).
    Title(String),
    /// The title of a section below.
    Heading(String),
    /// A line of prose.
    Line(String),
    /// A blank line between parts (text only: markdown separates every block anyway).
    Blank,
    /// Cells by row. With `header`, the first row names the columns. The first `n_left` columns
    /// are text, aligned left; the rest are numbers, aligned right. `indent` starts every text row.
    Table {
        rows: Vec<Vec<String>>,
        header: bool,
        n_left: usize,
        indent: &'static str,
    },
}

/// A document built block by block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn title(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Title(text.into()));
    }

    pub fn heading(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Heading(text.into()));
    }

    pub fn line(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Line(text.into()));
    }

    pub fn blank(&mut self) {
        self.blocks.push(Block::Blank);
    }

    /// A table whose first row names the columns.
    pub fn table(&mut self, rows: Vec<Vec<String>>, n_left: usize, indent: &'static str) {
        self.blocks.push(Block::Table {
            rows,
            header: true,
            n_left,
            indent,
        });
    }

    /// A table of label and value rows, without a header.
    pub fn pairs(&mut self, rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table {
            rows,
            header: false,
            n_left: 1,
            indent: "",
        });
    }

    /// The document as text for a terminal: a heading follows a blank line, tables are aligned.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Title(text) | Block::Line(text) => {
                    out.push_str(text);
                    out.push('\n');
                }
                Block::Heading(text) => {
                    out.push('\n');
                    out.push_str(text);
                    out.push('\n');
                }
                Block::Blank => out.push('\n'),
                Block::Table {
                    rows,
                    n_left,
                    indent,
                    ..
                } => out.push_str(&aligned(rows, *n_left, indent)),
            }
        }
        out
    }
}
