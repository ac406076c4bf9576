//! `tradeoff plan` output: an aligned table grouped Now / Next / Later, CSV and JSON.
//!
//! - table: the objective and its three parts in the scenario's currency, the status with gap
//!   and bound, the initiatives grouped by bucket (Now, Next, Later, Unplanned) with start and
//!   delivery as period labels, then the capacity per period (capacity, allocatable, drag,
//!   effort by class and kind, buffer, idle, marginal value);
//! - csv: one row per initiative in file order with its start, delivery, bucket and the
//!   engineer-weeks it gets in each period (one column per period label);
//! - json: the [`Plan`] itself, which `simulate --plan PLAN.json` reads back.

use std::fmt::Write as _;

use super::charts::style::currency_unit;
use super::text::aligned;
use super::Format;
use crate::error::Error;
use crate::plan::{Bucket, Plan, PlanStatus};
use crate::scenario::{Kind, Scenario};

/// Renders a plan in the requested format.
pub fn render_plan(scenario: &Scenario, plan: &Plan, format: Format) -> Result<String, Error> {
    match format {
        Format::Table => Ok(render_table(scenario, plan)),
        Format::Csv => render_csv(scenario, plan),
        Format::Json => serde_json::to_string_pretty(plan)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| Error::Internal(format!("cannot write the plan as JSON: {e}"))),
    }
}

/// A whole number with thousands separators: 1234567.8 → "1,234,568".
pub fn group_thousands(x: f64) -> String {
    super::text::grouped(x)
}

fn money(currency: &str, x: f64) -> String {
    if currency.is_empty() {
        group_thousands(x)
    } else {
        format!("{currency} {}", group_thousands(x))
    }
}

fn weeks(x: f64) -> String {
    if x.abs() < 0.05 {
        "0".into()
    } else {
        format!("{x:.1}")
    }
}

fn status_word(status: PlanStatus) -> &'static str {
    match status {
        PlanStatus::Optimal => "optimal",
        PlanStatus::Feasible => "feasible",
        PlanStatus::Infeasible => "infeasible",
    }
}

fn render_table(scenario: &Scenario, plan: &Plan) -> String {
    let cur = scenario.currency.as_str();
    let label = |p: Option<usize>| match p {
        Some(t) if t >= 1 && t <= scenario.labels.len() => scenario.label(t).to_string(),
        Some(t) => format!("P{t}"),
        None => "-".into(),
    };
    let mut out = String::new();
    let _ = writeln!(out, "Plan for {}", scenario.name);
    let _ = writeln!(
        out,
        "status {}, gap {:.2}%, bound {}",
        status_word(plan.status),
        plan.gap * 100.0,
        money(cur, plan.bound)
    );
    if plan.time_limit_reached {
        out.push_str(super::text::TIME_LIMIT_NOTE);
    }
    out.push('\n');
    out.push_str(&aligned(
        &[
            vec!["objective (net value)".into(), money(cur, plan.objective)],
            vec!["  value earned".into(), money(cur, plan.value_earned)],
            vec!["  cost of delay".into(), money(cur, -plan.cost_of_delay)],
            vec!["  penalties".into(), money(cur, -plan.penalties)],
        ],
        1,
        "",
    ));
    let _ = writeln!(
        out,
        "stability share of effective capacity: min {}, max {}",
        plan.stability_min, plan.stability_max
    );

    let groups = [
        (Bucket::Now, "Now"),
        (Bucket::Next, "Next"),
        (Bucket::Later, "Later"),
        (Bucket::Unplanned, "Unplanned"),
    ];
    for (bucket, title) in groups {
        let members = plan.bucket_members(bucket);
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({} initiatives)", members.len());
        let mut rows = vec![vec![
            "id".to_string(),
            "kind".into(),
            "class".into(),
            "start".into(),
            "delivery".into(),
            "effort (eng-weeks)".into(),
            format!("value/period ({})", currency_unit(cur)),
        ]];
        for i in members {
            let p = &plan.initiatives[i];
            let init = scenario.initiatives.get(i);
            rows.push(vec![
                p.id.clone(),
                init.map_or(String::new(), |x| x.kind.to_string()),
                init.map_or(String::new(), |x| x.class.to_string()),
                label(p.start),
                label(p.delivery),
                weeks(p.effort),
                init.map_or(String::new(), |x| group_thousands(x.value.mean())),
            ]);
        }
        out.push_str(&aligned(&rows, 5, "  "));
    }

    // Kinds with any effort in the plan, in the SPEC's order.
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| {
            plan.periods
                .iter()
                .any(|p| p.by_kind.get(k.as_str()).is_some_and(|w| *w > 0.0))
        })
        .collect();
    let _ = writeln!(out, "\nCapacity by period (engineer-weeks)");
    let mut header = vec![
        "period".to_string(),
        "capacity".into(),
        "buffer".into(),
        "allocatable".into(),
        "drag".into(),
        "product".into(),
        "stability".into(),
    ];
    header.extend(kinds.iter().map(|k| k.to_string()));
    header.push("idle".into());
    header.push(format!("marginal ({}/eng-week)", currency_unit(cur)));
    let mut rows = vec![header];
    for p in &plan.periods {
        let mut row = vec![
            p.label.clone(),
            weeks(p.capacity),
            weeks(p.buffer),
            weeks(p.allocatable),
            format!("{:.1}%", p.drag * 100.0),
            weeks(p.product),
            weeks(p.stability),
        ];
        row.extend(
            kinds
                .iter()
                .map(|k| weeks(p.by_kind.get(k.as_str()).copied().unwrap_or(0.0))),
        );
        row.push(weeks(p.idle));
        row.push(group_thousands(p.marginal_value));
        rows.push(row);
    }
    out.push_str(&aligned(&rows, 1, "  "));
    out
}

fn render_csv(scenario: &Scenario, plan: &Plan) -> Result<String, Error> {
    let bad = |e: csv::Error| Error::Internal(format!("cannot write the plan as CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "id",
        "name",
        "kind",
        "class",
        "effort_weeks",
        "start",
        "delivery",
        "start_label",
        "delivery_label",
        "bucket",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(plan.periods.iter().map(|p| p.label.clone()));
    writer.write_record(&header).map_err(bad)?;
    let label = |p: Option<usize>| {
        p.and_then(|t| scenario.labels.get(t.wrapping_sub(1)).cloned())
            .unwrap_or_default()
    };
    for (i, p) in plan.initiatives.iter().enumerate() {
        let init = scenario.initiatives.get(i);
        let bucket = match p.bucket {
            Bucket::Now => "now",
            Bucket::Next => "next",
            Bucket::Later => "later",
            Bucket::Unplanned => "unplanned",
        };
        let mut record = vec![
            p.id.clone(),
            init.map_or(String::new(), |x| x.name.clone()),
            init.map_or(String::new(), |x| x.kind.to_string()),
            init.map_or(String::new(), |x| x.class.to_string()),
            format!("{}", p.effort),
            p.start.map_or(String::new(), |t| t.to_string()),
            p.delivery.map_or(String::new(), |t| t.to_string()),
            label(p.start),
            label(p.delivery),
            bucket.to_string(),
        ];
        record.extend(p.shares.iter().map(|s| {
            let w = s * p.effort;
            if w == 0.0 {
                "0".to_string()
            } else {
                format!("{w:.4}")
            }
        }));
        writer.write_record(&record).map_err(bad)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(format!("cannot write the plan as CSV: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| Error::Internal(format!("cannot write the plan as CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(1_234_567.4), "1,234,567");
        assert_eq!(group_thousands(-1_000.0), "-1,000");
        assert_eq!(group_thousands(999.0), "999");
        assert_eq!(group_thousands(0.2), "0");
    }
}
