//! CSV: one record per initiative (plan), strategy (simulate) or share (sweep), numbers in plain
//! machine form ([`crate::number::machine`]: no separators, ASCII `-`).
//!
//! - plan: each initiative in file order with its start, delivery, bucket and the engineer-weeks
//!   it gets in each period (one column per period label);
//! - simulate: each strategy's net-value distribution, where the value goes (means), the paired
//!   difference to the plan and how often deadlines are met;
//! - sweep: each share's robust strategy and re-planned plan, skipped shares with their reason.

use super::{deadline_rates, diff_to_plan, Exporter};
use crate::error::Error;
use crate::frontier::Frontier;
use crate::number::machine as number;
use crate::plan::{Bucket, Plan};
use crate::scenario::Scenario;
use crate::simulate::Simulation;
use crate::sweep::Sweep;

pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn plan(&self, scenario: &Scenario, plan: &Plan) -> Result<String, Error> {
        plan_csv(scenario, plan)
    }

    fn simulation(&self, _: &Scenario, simulation: &Simulation) -> Result<String, Error> {
        simulation_csv(simulation)
    }

    fn sweep(&self, _: &Scenario, sweep: &Sweep) -> Result<String, Error> {
        sweep_csv(sweep)
    }

    fn frontier(&self, _: &Scenario, frontier: &Frontier) -> Result<String, Error> {
        frontier_csv(frontier)
    }
}

fn plan_csv(scenario: &Scenario, plan: &Plan) -> Result<String, Error> {
    let bad = |e: ::csv::Error| Error::Internal(format!("cannot write the plan as CSV: {e}"));
    let mut writer = ::csv::Writer::from_writer(Vec::new());
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
    writer.write_record(inert(&header)).map_err(bad)?;
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
            number(p.effort),
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
        writer.write_record(inert(&record)).map_err(bad)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Error::Internal(format!("cannot write the plan as CSV: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| Error::Internal(format!("cannot write the plan as CSV: {e}")))
}

/// A record's cells, each safe to open in a spreadsheet: text from the scenario (names, ids,
/// labels, notes) that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read
/// as a formula, so it gets a leading `'` (which spreadsheets show as text and hide). Numbers,
/// negative ones included, stay as they are.
fn inert<S: AsRef<str>>(record: &[S]) -> Vec<String> {
    record
        .iter()
        .map(|cell| {
            let cell = cell.as_ref();
            let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
            if risky && !cell.parse::<f64>().is_ok_and(f64::is_finite) {
                format!("'{cell}")
            } else {
                cell.to_string()
            }
        })
        .collect()
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("cannot write CSV: {e}"))
}

fn finish_csv(writer: ::csv::Writer<Vec<u8>>) -> Result<String, Error> {
    let bytes = writer.into_inner().map_err(csv_error)?;
    String::from_utf8(bytes).map_err(csv_error)
}

/// The CSV columns of a net-value distribution, in the order [`net_value_cells`] fills them.
const NET_VALUE_COLUMNS: [&str; 7] = [
    "net_value_mean",
    "net_value_sd",
    "net_value_p5",
    "net_value_p10",
    "net_value_p50",
    "net_value_p90",
    "net_value_p95",
];

fn net_value_cells(d: &crate::simulate::Distribution) -> [String; 7] {
    [d.mean, d.sd, d.p5, d.p10, d.p50, d.p90, d.p95].map(number)
}

/// Writes a CSV header: `before`, the net-value columns, then `after`.
fn header_around(
    w: &mut ::csv::Writer<Vec<u8>>,
    before: &[&str],
    after: &[&str],
) -> Result<(), Error> {
    let names = before.iter().chain(&NET_VALUE_COLUMNS).chain(after);
    w.write_record(names).map_err(csv_error)
}

fn simulation_csv(simulation: &Simulation) -> Result<String, Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    header_around(
        &mut w,
        &["strategy", "stability_share", "trials"],
        &[
            "p_best",
            "value_earned_mean",
            "cost_of_delay_mean",
            "incident_losses_mean",
            "penalties_mean",
            "diff_vs_plan",
            "diff_vs_plan_se",
            "deadline_met_mean",
            "deadline_met_min",
        ],
    )?;
    for s in &simulation.strategies {
        let d = &s.net_value;
        let (diff, se) = diff_to_plan(simulation, &s.name)
            .map(|(a, b)| (number(a), number(b)))
            .unwrap_or_default();
        let (dl_mean, dl_min) = deadline_rates(s)
            .map(|(m, w, _)| (number(m), number(w)))
            .unwrap_or_default();
        let mut record = vec![
            s.name.clone(),
            number(s.stability_share),
            simulation.trials.to_string(),
        ];
        record.extend(net_value_cells(d));
        record.extend([
            number(s.p_best),
            number(s.value_earned.mean),
            number(s.cost_of_delay.mean),
            number(s.incident_losses.mean),
            number(s.penalties.mean),
            diff,
            se,
            dl_mean,
            dl_min,
        ]);
        w.write_record(inert(&record)).map_err(csv_error)?;
    }
    finish_csv(w)
}

/// The columns after the robust strategy's net value in a grid's CSV (sweep, frontier): its
/// search's share and reliability, then the re-planned plan's cells ([`plan_cells`]).
const GRID_COLUMNS: [&str; 9] = [
    "robust_stability_share",
    "robust_deadline_reliability",
    "plan_status",
    "plan_objective",
    "plan_gap",
    "plan_net_value_mean",
    "plan_net_value_p10",
    "plan_net_value_p50",
    "plan_net_value_p90",
];

/// A re-planned plan's cells (status, objective, gap, net value mean, P10, P50, P90), or
/// `none` and empty cells without a plan.
fn plan_cells(plan: Option<&crate::sweep::SharePlanRow>) -> Vec<String> {
    let Some(plan) = plan else {
        let mut cells = vec!["none".to_string()];
        cells.extend(std::iter::repeat_n(String::new(), 6));
        return cells;
    };
    let status = serde_json::to_value(plan.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let d = &plan.net_value;
    vec![
        status,
        number(plan.objective),
        number(plan.gap),
        number(d.mean),
        number(d.p10),
        number(d.p50),
        number(d.p90),
    ]
}

/// The sweep's CSV: one record per share; the net-value columns are the robust strategy's.
fn sweep_csv(sweep: &Sweep) -> Result<String, Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    header_around(
        &mut w,
        &["share"],
        &[&GRID_COLUMNS[..], &["best", "note"]].concat(),
    )?;
    let mut lines: Vec<(f64, Vec<String>)> = Vec::new();
    for row in &sweep.rows {
        let mut best = Vec::new();
        if sweep.best_p50 == Some(row.share) {
            best.push("p50");
        }
        if sweep.best_p10 == Some(row.share) {
            best.push("p10");
        }
        let mut line = vec![number(row.share)];
        line.extend(net_value_cells(&row.robust));
        line.push(number(row.robust_search.stability_share));
        line.push(row.robust_reliability.map_or_else(String::new, number));
        line.extend(plan_cells(row.plan.as_ref()));
        line.push(best.join(";"));
        line.push(row.plan_note.clone().unwrap_or_default());
        lines.push((row.share, line));
    }
    for s in &sweep.skipped {
        let mut line = vec![number(s.share)];
        // Every column but the share and the note is empty for a skipped share.
        line.extend(std::iter::repeat_n(
            String::new(),
            NET_VALUE_COLUMNS.len() + 2,
        ));
        line.push("skipped".into());
        line.extend(std::iter::repeat_n(String::new(), 7));
        line.push(s.reason.clone());
        lines.push((s.share, line));
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, line) in lines {
        w.write_record(inert(&line)).map_err(csv_error)?;
    }
    finish_csv(w)
}

/// The frontier's CSV: one record per capacity factor; the net-value columns are the robust
/// strategy's.
fn frontier_csv(frontier: &Frontier) -> Result<String, Error> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    header_around(
        &mut w,
        &["factor", "engineer_weeks", "team", "team_weeks"],
        &[&GRID_COLUMNS[..], &["note"]].concat(),
    )?;
    for point in &frontier.points {
        let mut line = vec![
            point.factor.map_or_else(String::new, number),
            number(point.engineer_weeks),
            frontier.team.clone().unwrap_or_default(),
            point.team_weeks.map_or_else(String::new, number),
        ];
        line.extend(net_value_cells(&point.robust));
        line.push(number(point.robust_search.stability_share));
        line.push(point.robust_reliability.map_or_else(String::new, number));
        line.extend(plan_cells(point.plan.as_ref()));
        line.push(point.plan_note.clone().unwrap_or_default());
        w.write_record(inert(&line)).map_err(csv_error)?;
    }
    finish_csv(w)
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn text_a_spreadsheet_would_run_is_kept_as_text() {
        let cells = [
            "=HYPERLINK(\"http://x\")",
            "-fix login",
            "+1 more",
            "@SUM(1+1)",
            "\tx",
            "-3.5",
            "1e-9",
            "-inf",
            "sso",
            "",
        ];
        assert_eq!(
            inert(&cells),
            [
                "'=HYPERLINK(\"http://x\")",
                "'-fix login",
                "'+1 more",
                "'@SUM(1+1)",
                "'\tx",
                "-3.5",
                "1e-9",
                "'-inf",
                "sso",
                "",
            ]
        );
    }
}
