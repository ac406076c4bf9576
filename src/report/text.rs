//! Number formatting shared by every text table: money with the scenario's currency, weeks.

/// Money with thousands separators and the currency code, e.g. `EUR 1,240,000` or `-12,500`.
/// The line every text output adds when `--time-limit` stopped the planner before its work
/// limits: only then may two runs of the same command differ.
pub const TIME_LIMIT_NOTE: &str = "note: --time-limit stopped the planner before its work limits (the machine was slower or busier than they assume): another run may give a different plan; raise --time-limit\n";

pub fn money(x: f64, currency: &str) -> String {
    let body = grouped(x.round());
    if currency.is_empty() {
        body
    } else {
        format!("{currency} {body}")
    }
}

/// Money in compact form for tight columns: 1.24M, 312K, 950.
pub fn money_short(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}{:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}{:.2}M", a / 1e6)
    } else if a >= 1e4 {
        format!("{sign}{:.0}K", a / 1e3)
    } else {
        format!("{sign}{:.0}", a)
    }
}

/// Engineer-weeks: whole and grouped from 100 up, else with one decimal when not whole.
pub fn weeks(x: f64) -> String {
    if x.abs() >= 100.0 || (x - x.round()).abs() < 0.05 {
        grouped(x.round())
    } else {
        format!("{x:.1}")
    }
}

/// A number rounded to a whole unit with `,` between thousands: `-1,234,567`.
pub fn grouped(x: f64) -> String {
    let x = x.round();
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 && digits != "0" {
        format!("-{out}")
    } else {
        out
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1_240_000.4, "EUR"), "EUR 1,240,000");
        assert_eq!(money(-12_500.0, ""), "-12,500");
        assert_eq!(money(999.0, "USD"), "USD 999");
        assert_eq!(money_short(1_240_000.0), "1.24M");
        assert_eq!(money_short(-312_000.0), "-312K");
        assert_eq!(weeks(12.04), "12");
        assert_eq!(weeks(12.5), "12.5");
        assert_eq!(weeks(1508.8), "1,509");
    }
}
