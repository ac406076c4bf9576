//! The one number formatter: every text table, message, chart and the page writes its numbers
//! with these functions, so an amount reads the same wherever it appears.
//!
//! The rules:
//! - **Negatives** take the typographic minus `−` (U+2212) in everything a person reads: text
//!   tables, messages, charts and the page. A number that rounds to zero is `0`, never `−0`.
//! - **Not finite**: `n/a` for NaN, `∞` and `−∞` for the infinities.
//! - **Amounts in tables** ([`amount`]): whole units, `,` between thousands, the scenario's
//!   currency code before the number: `EUR 1,240,000`, `EUR −12,500`; just the number without a
//!   currency. A column whose header names the currency uses [`grouped`] (`−12,500`), and a
//!   difference carries its sign either way ([`signed`]: `+1,200`, `−300`).
//! - **Short amounts** for charts and the page ([`short`], [`short_amount`]): at most three
//!   significant digits with `k`, `M` or `B`, the currency's symbol before the number when it has
//!   a common one, else its code after: `€1.23M`, `−€45k`, `2k SEK`, `950`.
//! - **Percentages** ([`percent`]): no decimals, `93%`, unless a table column asks for a fixed
//!   number of them ([`percent_fixed`]: `12.5%`); a planner gap never reads a misleading `0%`
//!   ([`gap_percent`]: `under 0.1%`).
//! - **Counts** ([`count`]): `,` between thousands, `10,000`.
//! - **Fixed decimals** in table columns ([`fixed`]): `1,508.8`, `0.35`; engineer-weeks in prose
//!   ([`weeks`]): whole from 100 up or when whole, else one decimal: `12`, `12.5`, `1,509`.
//! - **Messages** write computed numbers plainly ([`plain`]): integers without decimals, others
//!   with at most two, no separators (`1500`, `12.5`, `0.15`). A number quoted from the input is
//!   written as the input writes it ([`as_written`]: Rust's shortest exact form with an ASCII
//!   `-`), so it can be found in the file.
//! - **CSV and JSON** are for machines: plain numbers in Rust's shortest exact form (serde_json,
//!   or [`machine`] for CSV cells), ASCII `-`, no separators, no currency.

/// The sign written before a negative number in human-readable text.
pub const MINUS: char = '−';

/// NaN, ∞ and −∞ as text; `None` for a finite number.
fn not_finite(x: f64) -> Option<String> {
    if x.is_nan() {
        Some("n/a".into())
    } else if x.is_infinite() {
        Some(if x > 0.0 {
            "∞".into()
        } else {
            format!("{MINUS}∞")
        })
    } else {
        None
    }
}

/// `body` with the minus before it when `negative` and the body shows anything but zeros.
fn with_sign(negative: bool, body: String) -> String {
    if negative && body.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("{MINUS}{body}")
    } else {
        body
    }
}

/// Digits with `,` between thousands: "1234567" → "1,234,567".
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number rounded to a whole unit with `,` between thousands: `1,234,567`, `−1,000`, `0`.
pub fn grouped(x: f64) -> String {
    if let Some(s) = not_finite(x) {
        return s;
    }
    let x = x.round();
    with_sign(x < 0.0, group_digits(&format!("{:.0}", x.abs())))
}

/// A full amount for tables: `EUR 1,240,000`, `EUR −12,500`; `−12,500` without a currency.
pub fn amount(x: f64, currency: &str) -> String {
    let body = grouped(x);
    if currency.is_empty() || !x.is_finite() {
        body
    } else {
        format!("{currency} {body}")
    }
}

/// A difference as a whole amount with its sign: `+1,200`, `−300`, `+0`.
pub fn signed(x: f64) -> String {
    let body = grouped(x);
    if body.starts_with(MINUS) || !x.is_finite() {
        body
    } else {
        format!("+{body}")
    }
}

/// A count with `,` between thousands: 10000 → `10,000`.
pub fn count(n: usize) -> String {
    group_digits(&n.to_string())
}

/// A number with exactly `decimals` decimals and `,` between thousands: `1,508.8`, `−0.25`.
pub fn fixed(x: f64, decimals: usize) -> String {
    if let Some(s) = not_finite(x) {
        return s;
    }
    let text = format!("{:.*}", decimals, x.abs());
    let body = match text.split_once('.') {
        Some((whole, fraction)) => format!("{}.{fraction}", group_digits(whole)),
        None => group_digits(&text),
    };
    with_sign(x < 0.0, body)
}

/// Engineer-weeks in prose: whole and grouped from 100 up, else one decimal when not whole.
pub fn weeks(x: f64) -> String {
    if x.abs() >= 100.0 || (x - x.round()).abs() < 0.05 {
        grouped(x)
    } else {
        fixed(x, 1)
    }
}

/// A share as a percentage with no decimals: 0.934 → `93%`.
pub fn percent(p: f64) -> String {
    percent_fixed(p, 0)
}

/// A share as a percentage with `decimals` decimals: 0.125 → `12.5%` with one.
pub fn percent_fixed(p: f64, decimals: usize) -> String {
    format!("{}%", fixed(p * 100.0, decimals))
}

/// A planner gap: `under 0.1%`, `1.2%`, `14%` — never a misleading `0%`.
pub fn gap_percent(gap: f64) -> String {
    if gap < 0.001 {
        "under 0.1%".into()
    } else if gap < 0.1 {
        percent_fixed(gap, 1)
    } else {
        percent(gap)
    }
}

/// A short number with its magnitude, for charts and the page: 1234567 → `1.23M`,
/// −45000 → `−45k`, 950 → `950`, 3.25 → `3.25`.
pub fn short(x: f64) -> String {
    if let Some(s) = not_finite(x) {
        return s;
    }
    let a = x.abs();
    let (v, suffix) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "k")
    } else {
        (a, "")
    };
    let digits = if v >= 100.0 || suffix.is_empty() && v >= 10.0 {
        0
    } else if v >= 10.0 {
        1
    } else if suffix.is_empty() && v.fract() == 0.0 {
        0
    } else {
        2
    };
    let mut s = format!("{v:.digits$}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "0" {
        return s;
    }
    with_sign(x < 0.0, format!("{s}{suffix}"))
}

/// The symbol written before amounts in `currency`, when it has a common one.
fn currency_symbol(currency: &str) -> Option<&'static str> {
    match currency.to_ascii_uppercase().as_str() {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" | "CNY" => Some("¥"),
        "INR" => Some("₹"),
        _ => None,
    }
}

/// A short amount of money, for charts and the page: `€1.23M`, `−€45k`, `1.2M SEK`, `0`.
pub fn short_amount(x: f64, currency: &str) -> String {
    let c = short(x);
    if c == "0" || !x.is_finite() {
        return c;
    }
    match currency_symbol(currency) {
        Some(sym) => match c.strip_prefix(MINUS) {
            Some(rest) => format!("{MINUS}{sym}{rest}"),
            None => format!("{sym}{c}"),
        },
        None if currency.is_empty() => c,
        None => format!("{c} {currency}"),
    }
}

/// The unit written in column headers and axis titles: the currency, or `value units`.
pub fn currency_unit(currency: &str) -> String {
    if currency.is_empty() {
        "value units".into()
    } else {
        currency.to_string()
    }
}

/// A computed number for a message: integers without decimals, others with up to two, no
/// separators: `1500`, `12.5`, `0.15`, `−3`.
pub fn plain(x: f64) -> String {
    if let Some(s) = not_finite(x) {
        return s;
    }
    if (x - x.round()).abs() < 1e-9 {
        return with_sign(x < 0.0, format!("{}", x.round().abs()));
    }
    up_to(x, 2)
}

/// At most `decimals` decimals, without trailing zeros: `up_to(1.00000002, 12)` is `1.00000002`
/// where [`plain`] shows `1`.
pub fn up_to(x: f64, decimals: usize) -> String {
    if let Some(s) = not_finite(x) {
        return s;
    }
    let s = format!("{:.*}", decimals, x.abs());
    let body = s.trim_end_matches('0').trim_end_matches('.').to_string();
    with_sign(x < 0.0, body)
}

/// A change as a short amount with its sign: `+€12k`, `−€3.4k`, `0`.
pub fn signed_short_amount(x: f64, currency: &str) -> String {
    let text = short_amount(x, currency);
    if text.chars().any(|c| c.is_ascii_digit() && c != '0') && !text.starts_with(MINUS) {
        format!("+{text}")
    } else {
        text
    }
}

/// A number quoted from the input for a message, exact but compact, as the input writes it:
/// `0.15`, `13`, `-2`, and `1e-300` rather than 300 digits (scientific below 1e-4 and from 1e16
/// in size).
pub fn as_written(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A number in a CSV cell: Rust's shortest exact form, ASCII `-`, no separators; empty when not
/// finite.
pub fn machine(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_to_keeps_the_digits_plain_rounds_away() {
        assert_eq!(up_to(0.5 + 0.50000002, 12), "1.00000002");
        assert_eq!(up_to(0.1 + 0.2 + 0.6, 12), "0.9");
        assert_eq!(up_to(-2.5, 12), "−2.5");
        assert_eq!(plain(1.00000002), "1");
    }

    #[test]
    fn whole_amounts_group_thousands_and_take_the_minus() {
        assert_eq!(grouped(1_234_567.4), "1,234,567");
        assert_eq!(grouped(-1_000.0), "−1,000");
        assert_eq!(grouped(999.5), "1,000");
        assert_eq!(grouped(0.2), "0");
        assert_eq!(grouped(-0.2), "0");
        assert_eq!(grouped(f64::NAN), "n/a");
        assert_eq!(grouped(f64::NEG_INFINITY), "−∞");
        assert_eq!(amount(1_240_000.4, "EUR"), "EUR 1,240,000");
        assert_eq!(amount(-12_500.0, "EUR"), "EUR −12,500");
        assert_eq!(amount(-12_500.0, ""), "−12,500");
        assert_eq!(amount(999.0, "USD"), "USD 999");
        assert_eq!(amount(f64::NAN, "USD"), "n/a");
    }

    #[test]
    fn differences_carry_their_sign() {
        assert_eq!(signed(1_200.0), "+1,200");
        assert_eq!(signed(-300.0), "−300");
        assert_eq!(signed(0.0), "+0");
        assert_eq!(signed(-0.3), "+0");
        assert_eq!(signed(f64::NAN), "n/a");
    }

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(7), "7");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(10_000), "10,000");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn fixed_decimals_and_weeks() {
        assert_eq!(fixed(1508.84, 1), "1,508.8");
        assert_eq!(fixed(0.35, 2), "0.35");
        assert_eq!(fixed(-0.25, 2), "−0.25");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(f64::INFINITY, 2), "∞");
        assert_eq!(weeks(12.04), "12");
        assert_eq!(weeks(12.5), "12.5");
        assert_eq!(weeks(-12.5), "−12.5");
        assert_eq!(weeks(1508.8), "1,509");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(0.934), "93%");
        assert_eq!(percent(-0.001), "0%");
        assert_eq!(percent(-0.2), "−20%");
        assert_eq!(percent_fixed(0.125, 1), "12.5%");
        assert_eq!(percent_fixed(0.0, 2), "0.00%");
        assert_eq!(gap_percent(0.0), "under 0.1%");
        assert_eq!(gap_percent(0.012), "1.2%");
        assert_eq!(gap_percent(0.14), "14%");
    }

    #[test]
    fn short_amounts_read_like_a_slide() {
        assert_eq!(short(0.0), "0");
        assert_eq!(short(-0.001), "0");
        assert_eq!(short(950.0), "950");
        assert_eq!(short(1_500.0), "1.5k");
        assert_eq!(short(45_000.0), "45k");
        assert_eq!(short(1_234_567.0), "1.23M");
        assert_eq!(short(12_345_678.0), "12.3M");
        assert_eq!(short(-2_000_000.0), "−2M");
        assert_eq!(short(3.25), "3.25");
        assert_eq!(short(f64::NAN), "n/a");
    }

    #[test]
    fn short_money_puts_the_symbol_after_the_sign() {
        assert_eq!(short_amount(1_250_000.0, "EUR"), "€1.25M");
        assert_eq!(short_amount(-45_000.0, "USD"), "−$45k");
        assert_eq!(short_amount(2_000.0, "SEK"), "2k SEK");
        assert_eq!(short_amount(-2_000.0, ""), "−2k");
        assert_eq!(short_amount(0.0, "EUR"), "0");
        assert_eq!(currency_unit(""), "value units");
        assert_eq!(currency_unit("EUR"), "EUR");
    }

    #[test]
    fn message_numbers_are_plain() {
        assert_eq!(plain(1500.0), "1500");
        assert_eq!(plain(12.5), "12.5");
        assert_eq!(plain(12.50001), "12.5");
        assert_eq!(plain(0.15), "0.15");
        assert_eq!(plain(-3.0), "−3");
        assert_eq!(plain(-0.0), "0");
        assert_eq!(plain(-0.004), "0");
        assert_eq!(as_written(0.15), "0.15");
        assert_eq!(as_written(-2.0), "-2");
        assert_eq!(as_written(1e-300), "1e-300");
        assert_eq!(machine(-1.5), "-1.5");
        assert_eq!(machine(f64::NAN), "");
    }
}
