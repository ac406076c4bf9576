//! The layout every text table shares: aligned columns, shortened names and the time-limit note.
//! Numbers are written by [`crate::number`], whose `//!` doc holds the rules.

/// The line every text output adds when `--time-limit` stopped the planner before its work
/// limits: only then may two runs of the same command differ.
pub const TIME_LIMIT_NOTE: &str = "note: --time-limit stopped the planner before its work limits (the machine was slower or busier than they assume): another run may give a different plan; raise --time-limit\n";

/// `text` cut to at most `max_chars` characters, ending in `…` when cut.
pub fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Pads each column to its widest cell; numbers (all but the first `n_left` columns) align right.
pub fn aligned(rows: &[Vec<String>], n_left: usize, indent: &str) -> String {
    let n_cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n_cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::from(indent);
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            if c > 0 {
                line.push_str("  ");
            }
            if c < n_left {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
