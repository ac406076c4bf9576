//! Period labels from `scenario.start`: 2027-Q1 → 2027-Q2 …, 2027-03 → 2027-04 …,
//! 2027-W05 → 2027-W06 … (ISO weeks; sprints step two weeks), a date → that date plus k − 1
//! periods (quarters and months by calendar month, sprints 14 days, weeks 7 days, days 1 day).

use super::model::PeriodLabel;

/// The labels of periods 1..=n, or why `start` cannot be used with `label`.
pub fn period_labels(
    start: Option<&str>,
    label: PeriodLabel,
    n: usize,
) -> Result<Vec<String>, String> {
    let Some(start) = start else {
        return Ok((1..=n).map(|k| format!("P{k}")).collect());
    };
    let start = start.trim();
    if let Some((year, q)) = parse_quarter(start) {
        if label != PeriodLabel::Quarter {
            return Err(mismatch(start, "a quarter", label));
        }
        return Ok((0..n)
            .map(|k| {
                let idx = (q - 1) as i64 + k as i64;
                format!("{}-Q{}", year + idx.div_euclid(4), idx.rem_euclid(4) + 1)
            })
            .collect());
    }
    if let Some((year, week)) = parse_week(start) {
        let step = match label {
            PeriodLabel::Week => 1,
            PeriodLabel::Sprint => 2,
            _ => return Err(mismatch(start, "an ISO week", label)),
        };
        let mut out = Vec::with_capacity(n);
        let (mut y, mut w) = (year, week);
        for _ in 0..n {
            out.push(format!("{y}-W{w:02}"));
            for _ in 0..step {
                w += 1;
                if w > iso_weeks_in_year(y) {
                    w = 1;
                    y += 1;
                }
            }
        }
        return Ok(out);
    }
    if let Some((y, m, d)) = parse_date(start) {
        let base = days_from_civil(y, m, d);
        return Ok((0..n as i64)
            .map(|k| {
                let (y2, m2, d2) = match label {
                    PeriodLabel::Quarter => add_months(y, m, d, 3 * k),
                    PeriodLabel::Month => add_months(y, m, d, k),
                    PeriodLabel::Sprint => civil_from_days(base + 14 * k),
                    PeriodLabel::Week => civil_from_days(base + 7 * k),
                    PeriodLabel::Day => civil_from_days(base + k),
                };
                format!("{y2:04}-{m2:02}-{d2:02}")
            })
            .collect());
    }
    if let Some((year, month)) = parse_month(start) {
        if label != PeriodLabel::Month {
            return Err(mismatch(start, "a month", label));
        }
        return Ok((0..n as i64)
            .map(|k| {
                let (y, m, _) = add_months(year, month, 1, k);
                format!("{y:04}-{m:02}")
            })
            .collect());
    }
    Err(format!(
        "expected a period label such as 2027-Q1, 2027-03, 2027-W05 or a date 2027-03-01, found {start:?}"
    ))
}

/// The first day of each of periods 1..=n + 1 (days since 1970-01-01): period k spans
/// `[starts[k - 1], starts[k])`, and `starts[n]` is the day after the horizon. None when `start`
/// is not a label that fits `label` (`period_labels` says why).
pub fn period_start_days(start: &str, label: PeriodLabel, n: usize) -> Option<Vec<i64>> {
    let start = start.trim();
    let n = n as i64;
    let by_months = |y: i64, m: u32, d: u32, step: i64| -> Vec<i64> {
        (0..=n)
            .map(|k| {
                let (y2, m2, d2) = add_months(y, m, d, step * k);
                days_from_civil(y2, m2, d2)
            })
            .collect()
    };
    if let Some((year, q)) = parse_quarter(start) {
        return (label == PeriodLabel::Quarter).then(|| by_months(year, 3 * q - 2, 1, 3));
    }
    if let Some((year, week)) = parse_week(start) {
        let step = match label {
            PeriodLabel::Week => 7,
            PeriodLabel::Sprint => 14,
            _ => return None,
        };
        let jan4 = days_from_civil(year, 1, 4);
        let monday = jan4 - weekday(jan4) + 7 * (week as i64 - 1);
        return Some((0..=n).map(|k| monday + step * k).collect());
    }
    if let Some((y, m, d)) = parse_date(start) {
        let base = days_from_civil(y, m, d);
        return Some(match label {
            PeriodLabel::Quarter => by_months(y, m, d, 3),
            PeriodLabel::Month => by_months(y, m, d, 1),
            PeriodLabel::Sprint => (0..=n).map(|k| base + 14 * k).collect(),
            PeriodLabel::Week => (0..=n).map(|k| base + 7 * k).collect(),
            PeriodLabel::Day => (0..=n).map(|k| base + k).collect(),
        });
    }
    if let Some((year, month)) = parse_month(start) {
        return (label == PeriodLabel::Month).then(|| by_months(year, month, 1, 1));
    }
    None
}

/// A calendar date as a tracker or spreadsheet writes it, as days since 1970-01-01: ISO
/// `2027-03-15` (a time after `T` or a space is allowed), or Jira's `15/Mar/27 12:00 AM`
/// (a four-digit year and a time, with or without AM/PM, are allowed too).
pub fn parse_day(text: &str) -> Option<i64> {
    let text = text.trim();
    let time_ok = |rest: &str| rest.is_empty() || is_time(rest.trim());
    if let (Some(date), Some(rest)) = (text.get(..10), text.get(10..)) {
        if let Some((y, m, d)) = parse_date(date) {
            let rest = rest.strip_prefix(['T', ' ']).unwrap_or(rest);
            return time_ok(rest).then(|| days_from_civil(y, m, d));
        }
    }
    let (date, time) = text.split_once(' ').unwrap_or((text, ""));
    if !time_ok(time) {
        return None;
    }
    let mut parts = date.split('/');
    let (d, mon, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.is_empty() || d.len() > 2 {
        return None;
    }
    let d: u32 = d.parse().ok()?;
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let m = MONTHS
        .iter()
        .position(|name| mon.eq_ignore_ascii_case(name))? as u32
        + 1;
    let y = match y.len() {
        2 if y.chars().all(|c| c.is_ascii_digit()) => 2000 + y.parse::<i64>().ok()?,
        4 => parse_year(y)?,
        _ => return None,
    };
    (d >= 1 && d <= days_in_month(y, m)).then(|| days_from_civil(y, m, d))
}

/// `12:00`, `9:30:15`, `12:00 AM`, `00:00:00.000`, `10:00:00Z` or `10:00+02:00`: the time of day
/// after a date, which the date of a deadline does not need.
fn is_time(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let core = upper
        .strip_suffix("AM")
        .or_else(|| upper.strip_suffix("PM"))
        .unwrap_or(&upper)
        .trim_end();
    let mut chars = core.chars();
    let starts_with_clock =
        core.len() >= 4 && chars.next().is_some_and(|c| c.is_ascii_digit()) && core.contains(':');
    starts_with_clock
        && core
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | 'Z' | '+' | '-'))
}

/// A day (since 1970-01-01) written as ISO `2027-03-15`, for messages.
pub fn day_text(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn mismatch(start: &str, what: &str, label: PeriodLabel) -> String {
    format!(
        "expected a start matching period_label = \"{}\", found {start:?} ({what})",
        label.as_str()
    )
}

fn parse_year(s: &str) -> Option<i64> {
    (s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_quarter(s: &str) -> Option<(i64, u32)> {
    let (y, q) = s.split_once("-Q")?;
    let year = parse_year(y)?;
    // One digit exactly: `+1` or `01` parse as 1 but are not quarter labels.
    let q: u32 = (q.len() == 1).then(|| q.parse().ok()).flatten()?;
    (1..=4).contains(&q).then_some((year, q))
}

fn parse_week(s: &str) -> Option<(i64, u32)> {
    let (y, w) = s.split_once("-W")?;
    let year = parse_year(y)?;
    let w: u32 = (w.len() == 2).then(|| w.parse().ok()).flatten()?;
    (w >= 1 && w <= iso_weeks_in_year(year)).then_some((year, w))
}

fn parse_month(s: &str) -> Option<(i64, u32)> {
    let (y, m) = s.split_once('-')?;
    let m: u32 = (m.len() == 2).then(|| m.parse().ok()).flatten()?;
    ((1..=12).contains(&m)).then_some((parse_year(y)?, m))
}

fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut parts = s.splitn(3, '-');
    let y = parse_year(parts.next()?)?;
    let m: u32 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    let d: u32 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some((y, m, d))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Adds months, keeping the day of month where it exists (else the month's last day).
fn add_months(y: i64, m: u32, d: u32, k: i64) -> (i64, u32, u32) {
    let idx = y * 12 + (m as i64 - 1) + k;
    let (y2, m2) = (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1);
    (y2, m2, d.min(days_in_month(y2, m2)))
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// 0 = Monday … 6 = Sunday.
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// ISO years have 53 weeks when 1 January is a Thursday, or a Wednesday in a leap year.
fn iso_weeks_in_year(y: i64) -> u32 {
    let jan1 = weekday(days_from_civil(y, 1, 1));
    if jan1 == 3 || (jan1 == 2 && is_leap(y)) {
        53
    } else {
        52
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_roll_over_the_year() {
        let l = period_labels(Some("2027-Q3"), PeriodLabel::Quarter, 4).unwrap();
        assert_eq!(l, ["2027-Q3", "2027-Q4", "2028-Q1", "2028-Q2"]);
    }

    #[test]
    fn months_and_dates() {
        let l = period_labels(Some("2027-11"), PeriodLabel::Month, 3).unwrap();
        assert_eq!(l, ["2027-11", "2027-12", "2028-01"]);
        let l = period_labels(Some("2027-01-31"), PeriodLabel::Month, 2).unwrap();
        assert_eq!(l, ["2027-01-31", "2027-02-28"]);
        let l = period_labels(Some("2027-12-28"), PeriodLabel::Week, 2).unwrap();
        assert_eq!(l, ["2027-12-28", "2028-01-04"]);
    }

    #[test]
    fn iso_weeks_wrap_at_52_or_53() {
        // 2026 starts on a Thursday: 53 ISO weeks. 2027 starts on a Friday: 52.
        assert_eq!(iso_weeks_in_year(2026), 53);
        assert_eq!(iso_weeks_in_year(2027), 52);
        let l = period_labels(Some("2026-W52"), PeriodLabel::Sprint, 3).unwrap();
        assert_eq!(l, ["2026-W52", "2027-W01", "2027-W03"]);
    }

    #[test]
    fn without_start_periods_are_numbered() {
        assert_eq!(
            period_labels(None, PeriodLabel::Month, 2).unwrap(),
            ["P1", "P2"]
        );
    }

    #[test]
    fn a_start_of_the_wrong_kind_is_refused() {
        assert!(period_labels(Some("2027-Q1"), PeriodLabel::Month, 2).is_err());
        assert!(period_labels(Some("2027-13"), PeriodLabel::Month, 2).is_err());
        assert!(period_labels(Some("soon"), PeriodLabel::Month, 2).is_err());
    }

    #[test]
    fn period_spans_follow_every_kind_of_start() {
        let day = |t: &str| parse_day(t).unwrap();
        let q = period_start_days("2027-Q2", PeriodLabel::Quarter, 2).unwrap();
        assert_eq!(q, [day("2027-04-01"), day("2027-07-01"), day("2027-10-01")]);
        let m = period_start_days("2027-11", PeriodLabel::Month, 2).unwrap();
        assert_eq!(m, [day("2027-11-01"), day("2027-12-01"), day("2028-01-01")]);
        // ISO week 1 of 2027 starts on Monday 4 January.
        let w = period_start_days("2027-W01", PeriodLabel::Sprint, 1).unwrap();
        assert_eq!(w, [day("2027-01-04"), day("2027-01-18")]);
        let d = period_start_days("2027-01-31", PeriodLabel::Month, 1).unwrap();
        assert_eq!(d, [day("2027-01-31"), day("2027-02-28")]);
        assert_eq!(period_start_days("2027-Q1", PeriodLabel::Month, 2), None);
        assert_eq!(period_start_days("soon", PeriodLabel::Month, 2), None);
    }

    #[test]
    fn tracker_dates_parse_in_iso_and_jira_forms() {
        let iso = parse_day("2027-03-15").unwrap();
        for text in [
            "15/Mar/27 12:00 AM",
            "15/mar/27",
            "15/Mar/2027",
            "15/Mar/2027 09:30",
            "2027-03-15T10:00:00.000+0100",
            "2027-03-15 10:00",
            " 2027-03-15 ",
        ] {
            assert_eq!(parse_day(text), Some(iso), "{text}");
        }
        assert_eq!(day_text(iso), "2027-03-15");
        for text in [
            "",
            "15/Mar",
            "31/Feb/27",
            "15/Mrz/27",
            "15/Mar/27 soon",
            "2027-3-15",
            "1/1/1/1",
            "15/Mar/027",
            "/Mar/27",
        ] {
            assert_eq!(parse_day(text), None, "{text}");
        }
    }

    #[test]
    fn short_or_odd_quarter_starts_are_refused_without_panicking() {
        for start in [
            "27-Q2", "-Q1", "-Q", "Q1", "2027-Q", "2027-Q01", "2027-Q+1", "2027-Q5",
        ] {
            assert!(
                period_labels(Some(start), PeriodLabel::Quarter, 2).is_err(),
                "{start}"
            );
        }
    }
}
