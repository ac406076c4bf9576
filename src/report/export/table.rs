//! Text tables a person reads in a terminal, numbers written by [`crate::number`]. Each result
//! is built once as a [`Document`] (which the markdown exporter also lays out) and aligned by
//! [`crate::report::text::aligned`].
//!
//! - plan: the objective and its three parts in the scenario's currency, the status with gap and
//!   bound, the initiatives grouped by bucket (Now, Next, Later, Unplanned) with start and
//!   delivery as period labels, then the capacity per period (capacity, allocatable, drag,
//!   effort by class and kind, buffer, idle, marginal value);
//! - simulate: meant to be read in ten seconds: one row per strategy with net value P10 / P50 /
//!   P90, mean, the probability of being best, the paired difference to the plan with its
//!   standard error, and how often deadlines are met; then where the value goes (means);
//! - sweep: per stability share the robust strategy's net value and the re-planned plan's, the
//!   best shares marked.

use super::document::Document;
use super::{deadline_rates, diff_to_plan, Exporter};
use crate::error::Error;
use crate::frontier::Frontier;
use crate::number::{
    amount, as_written, count, currency_unit, fixed, gap_percent, grouped, percent, percent_fixed,
    signed,
};
use crate::plan::{Bucket, Plan, PlanStatus};
use crate::report::text::{shorten, TIME_LIMIT_NOTE};
use crate::scenario::{Kind, Scenario};
use crate::simulate::Simulation;
use crate::sweep::Sweep;

pub struct TableExporter;

impl Exporter for TableExporter {
    fn plan(&self, scenario: &Scenario, plan: &Plan) -> Result<String, Error> {
        Ok(plan_document(scenario, plan).to_text())
    }

    fn simulation(&self, scenario: &Scenario, simulation: &Simulation) -> Result<String, Error> {
        Ok(simulation_document(scenario, simulation).to_text())
    }

    fn sweep(&self, scenario: &Scenario, sweep: &Sweep) -> Result<String, Error> {
        Ok(sweep_document(scenario, sweep).to_text())
    }

    fn frontier(&self, scenario: &Scenario, frontier: &Frontier) -> Result<String, Error> {
        Ok(frontier_document(scenario, frontier).to_text())
    }
}

/// Engineer-weeks in a plan column: one decimal, `0` for none.
fn weeks(x: f64) -> String {
    if x.abs() < 0.05 {
        "0".into()
    } else {
        fixed(x, 1)
    }
}

fn status_word(status: PlanStatus) -> &'static str {
    match status {
        PlanStatus::Optimal => "optimal",
        PlanStatus::Feasible => "feasible",
        PlanStatus::Infeasible => "infeasible",
    }
}

/// The plan as a document (see the module's notes).
pub(super) fn plan_document(scenario: &Scenario, plan: &Plan) -> Document {
    let cur = scenario.currency.as_str();
    let label = |p: Option<usize>| match p {
        Some(t) if t >= 1 && t <= scenario.labels.len() => scenario.label(t).to_string(),
        Some(t) => format!("P{t}"),
        None => "-".into(),
    };
    let mut doc = Document::default();
    doc.title(format!("Plan for {}", scenario.name));
    doc.line(format!(
        "status {}, gap {}, bound {}",
        status_word(plan.status),
        percent_fixed(plan.gap, 2),
        amount(plan.bound, cur)
    ));
    if plan.time_limit_reached {
        doc.line(TIME_LIMIT_NOTE.trim_end());
    }
    doc.blank();
    doc.pairs(vec![
        vec!["objective (net value)".into(), amount(plan.objective, cur)],
        vec!["  value earned".into(), amount(plan.value_earned, cur)],
        vec!["  cost of delay".into(), amount(-plan.cost_of_delay, cur)],
        vec!["  penalties".into(), amount(-plan.penalties, cur)],
    ]);
    doc.line(format!(
        "stability share of effective capacity: min {}, max {}",
        as_written(plan.stability_min),
        as_written(plan.stability_max)
    ));

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
        doc.heading(format!("{title} ({} initiatives)", count(members.len())));
        let with_teams = !scenario.teams.is_empty();
        let mut header = vec![
            "id".to_string(),
            "kind".into(),
            "class".into(),
            "start".into(),
            "delivery".into(),
        ];
        if with_teams {
            header.push("teams".into());
        }
        header.push("effort (eng-weeks)".into());
        header.push(format!("value/period ({})", currency_unit(cur)));
        let mut rows = vec![header];
        for i in members {
            let p = &plan.initiatives[i];
            let init = scenario.initiatives.get(i);
            let mut row = vec![
                p.id.clone(),
                init.map_or(String::new(), |x| x.kind.to_string()),
                init.map_or(String::new(), |x| x.class.to_string()),
                label(p.start),
                label(p.delivery),
            ];
            if with_teams {
                row.push(init.map_or(String::new(), |x| teams_of(scenario, x)));
            }
            row.push(weeks(p.effort));
            row.push(init.map_or(String::new(), |x| grouped(x.value.mean())));
            rows.push(row);
        }
        doc.table(rows, 5 + usize::from(with_teams), "  ");
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
    doc.heading("Capacity by period (engineer-weeks)");
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
            percent_fixed(p.drag, 1),
            weeks(p.product),
            weeks(p.stability),
        ];
        row.extend(
            kinds
                .iter()
                .map(|k| weeks(p.by_kind.get(k.as_str()).copied().unwrap_or(0.0))),
        );
        row.push(weeks(p.idle));
        row.push(grouped(p.marginal_value));
        rows.push(row);
    }
    doc.table(rows, 1, "  ");
    if !scenario.teams.is_empty() {
        doc.heading("Capacity by team and period (engineer-weeks)");
        let mut rows = vec![[
            "team",
            "period",
            "capacity",
            "allocatable",
            "product",
            "stability",
            "idle",
        ]
        .map(String::from)
        .to_vec()];
        rows[0].push(format!("marginal ({}/eng-week)", currency_unit(cur)));
        for (j, team) in scenario.teams.iter().enumerate() {
            for p in &plan.periods {
                let Some(part) = p.teams.get(j) else {
                    continue;
                };
                rows.push(vec![
                    shorten(&team.id, 32),
                    p.label.clone(),
                    weeks(part.capacity),
                    weeks(part.allocatable),
                    weeks(part.product),
                    weeks(part.stability),
                    weeks(part.idle),
                    grouped(part.marginal_value),
                ]);
            }
        }
        doc.table(rows, 2, "  ");
        if let Some((team, period, value)) = next_engineer(scenario, plan) {
            doc.blank();
            doc.line(format!(
                "the next engineer-week is worth most in `{team}` in {period}: {} per engineer-week",
                amount(value, cur)
            ));
        }
    }
    if let Some(rollup) = crate::objectives::plan_objectives(scenario, plan) {
        objectives_part(&mut doc, scenario, plan, &rollup);
    }
    doc
}

/// The plan's roll-up by objective: weight and work shares, engineer-weeks, value earned and
/// cost of delay, then the engineer-weeks per period, then the warnings.
fn objectives_part(
    doc: &mut Document,
    scenario: &Scenario,
    plan: &Plan,
    rollup: &crate::objectives::PlanObjectives,
) {
    use crate::objectives::{share_text, RollupFigures};
    let unit = currency_unit(&scenario.currency);
    let rows_of = || {
        let objectives = rollup
            .objectives
            .iter()
            .map(|o| (shorten(&o.id, 32), Some(o.weight_share), &o.figures));
        objectives.chain([
            ("any objective".to_string(), None, &rollup.any_objective),
            ("no objective".to_string(), None, &rollup.no_objective),
        ])
    };
    doc.heading("Objectives (an item linked to several counts in full for each)");
    let mut rows = vec![[
        "objective".to_string(),
        "weight share".into(),
        "work share".into(),
        "eng-weeks".into(),
        format!("value earned ({unit})"),
        format!("cost of delay ({unit})"),
        "initiatives".into(),
    ]
    .to_vec()];
    for (id, weight_share, f) in rows_of() {
        let f: &RollupFigures = f;
        rows.push(vec![
            id,
            weight_share.map_or_else(|| "-".to_string(), percent),
            share_text(f.work_share),
            weeks(f.planned_weeks),
            grouped(f.value_earned),
            grouped(f.cost_of_delay),
            count(f.n_initiatives),
        ]);
    }
    doc.table(rows, 1, "  ");
    doc.heading("Planned engineer-weeks by objective and period");
    let mut header = vec!["objective".to_string()];
    header.extend(plan.periods.iter().map(|p| p.label.clone()));
    let mut rows = vec![header];
    for (id, _, f) in rows_of() {
        let mut row = vec![id];
        row.extend(f.planned_weeks_by_period.iter().map(|w| weeks(*w)));
        rows.push(row);
    }
    doc.table(rows, 1, "  ");
    if !rollup.objective_warnings.is_empty() {
        doc.blank();
        for w in &rollup.objective_warnings {
            doc.line(format!("warning: {w}"));
        }
    }
}

/// An item's teams as written: `payments`, or `payments 70%, mobile 30%`.
fn teams_of(scenario: &Scenario, item: &crate::scenario::Initiative) -> String {
    match item.split.as_slice() {
        [(j, _)] => scenario.teams[*j].id.clone(),
        split => split
            .iter()
            .map(|(j, share)| format!("{} {}", scenario.teams[*j].id, percent(*share)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The team and period whose next engineer-week is worth most, by the plan's marginal values.
fn next_engineer<'a>(scenario: &'a Scenario, plan: &'a Plan) -> Option<(&'a str, &'a str, f64)> {
    plan.periods
        .iter()
        .flat_map(|p| {
            p.teams
                .iter()
                .zip(&scenario.teams)
                .map(move |(part, team)| (team.id.as_str(), p.label.as_str(), part.marginal_value))
        })
        .filter(|(_, _, value)| *value > 0.0)
        .fold(None, |best: Option<(&str, &str, f64)>, x| match best {
            Some(b) if b.2 >= x.2 => Some(b),
            _ => Some(x),
        })
}

/// The indexes of the largest values; values within 1e-9 (relative) of the largest tie.
fn leaders(values: &[f64]) -> Vec<usize> {
    let Some(top) = values.iter().copied().reduce(f64::max) else {
        return Vec::new();
    };
    let tolerance = 1e-9 * top.abs().max(1.0);
    (0..values.len())
        .filter(|&i| values[i] >= top - tolerance)
        .collect()
}

/// The strategy comparison as a document (see the module's notes).
pub(super) fn simulation_document(scenario: &Scenario, simulation: &Simulation) -> Document {
    // "value units" when the scenario names no currency.
    let currency = currency_unit(&scenario.currency);
    let mut doc = Document::default();
    if simulation.deterministic {
        doc.title(format!(
            "{}: deterministic replay (means, no noise, expected losses); net value in {currency}",
            scenario.name
        ));
    } else {
        doc.title(format!(
            "{}: {} sampled futures, seed {}; net value in {currency}",
            scenario.name,
            count(simulation.trials),
            simulation.seed
        ));
    }
    doc.blank();
    let has_plan =
        simulation.strategies.iter().any(|s| s.name == "plan") && simulation.strategies.len() > 1;
    let has_deadlines = simulation
        .strategies
        .first()
        .is_some_and(|s| deadline_rates(s).is_some());
    let mut header = vec![
        "strategy".to_string(),
        "P10".into(),
        "P50".into(),
        "P90".into(),
        "mean".into(),
        "P(best)".into(),
    ];
    if has_plan {
        header.push("vs plan ± SE".into());
    }
    if has_deadlines {
        header.push("deadlines met (avg, worst)".into());
    }
    let mut rows = vec![header];
    for s in &simulation.strategies {
        let d = &s.net_value;
        let mut row = vec![
            s.name.clone(),
            grouped(d.p10),
            grouped(d.p50),
            grouped(d.p90),
            grouped(d.mean),
            percent(s.p_best),
        ];
        if has_plan {
            row.push(match diff_to_plan(simulation, &s.name) {
                Some((diff, se)) => format!("{} ± {}", signed(diff), grouped(se)),
                None => "-".into(),
            });
        }
        if has_deadlines {
            row.push(match deadline_rates(s) {
                Some((mean, worst, id)) => {
                    format!("{}, {} {}", percent(mean), shorten(&id, 24), percent(worst))
                }
                None => "-".into(),
            });
        }
        rows.push(row);
    }
    doc.table(rows, 1, "");

    let names = |idx: &[usize]| -> String {
        let names: Vec<&str> = idx
            .iter()
            .map(|&i| simulation.strategies[i].name.as_str())
            .collect();
        match names.len() {
            1 => names[0].to_string(),
            n if n == simulation.strategies.len() => "every strategy alike".into(),
            _ => format!("a tie between {}", names.join(", ")),
        }
    };
    let medians: Vec<f64> = simulation
        .strategies
        .iter()
        .map(|s| s.net_value.p50)
        .collect();
    let best_median = leaders(&medians);
    if !best_median.is_empty() {
        let mut line = format!("highest median: {}", names(&best_median));
        let p_best: Vec<f64> = simulation.strategies.iter().map(|s| s.p_best).collect();
        let most_often = leaders(&p_best);
        if let Some(&first) = most_often.first() {
            line.push_str(&format!(
                "; most often best: {} ({} of futures{})",
                names(&most_often),
                percent(p_best[first]),
                if most_often.len() > 1 { " each" } else { "" }
            ));
        }
        doc.blank();
        doc.line(line);
    }

    for s in &simulation.strategies {
        if let Some(search) = &s.search {
            robust_lines(&mut doc, &s.name, search);
        }
    }

    doc.heading(format!("where the value goes (means, {currency})"));
    let mut rows = vec![vec![
        "strategy".to_string(),
        "stability share".into(),
        "value earned".into(),
        "cost of delay".into(),
        "incidents".into(),
        "penalties".into(),
    ]];
    for s in &simulation.strategies {
        rows.push(vec![
            s.name.clone(),
            fixed(s.stability_share, 2),
            grouped(s.value_earned.mean),
            grouped(s.cost_of_delay.mean),
            grouped(s.incident_losses.mean),
            grouped(s.penalties.mean),
        ]);
    }
    doc.table(rows, 1, "");
    if simulation
        .strategies
        .first()
        .is_some_and(|s| !s.objectives.is_empty())
    {
        simulated_objectives(&mut doc, simulation, &currency);
    }
    doc.blank();
    doc.line("P(best): share of sampled futures in which the strategy has the highest net value.");
    if has_plan {
        doc.line("vs plan: mean paired difference of net value to the plan on the same futures.");
    }
    if simulation.quantile_trials < simulation.trials {
        doc.line(format!(
            "quantiles from the first {} trials (memory bound); means from all {}.",
            count(simulation.quantile_trials),
            count(simulation.trials)
        ));
    }
    doc
}

/// Per strategy and objective: the mean value earned by the objective's items, and the chance
/// that all of them are delivered within the horizon.
fn simulated_objectives(doc: &mut Document, simulation: &Simulation, currency: &str) {
    let Some(first) = simulation.strategies.first() else {
        return;
    };
    let mut header = vec!["strategy".to_string()];
    header.extend(first.objectives.iter().map(|o| shorten(&o.id, 24)));
    header.extend(["any objective".to_string(), "no objective".into()]);
    type Cell = fn(Option<f64>, f64) -> String;
    let tables: [(String, Cell); 2] = [
        (
            format!("value earned by objective (means, {currency})"),
            |_, value| grouped(value),
        ),
        (
            "P(all of an objective's items delivered within the horizon)".to_string(),
            |p, _| p.map_or_else(|| "-".to_string(), percent),
        ),
    ];
    for (title, cell) in tables {
        doc.heading(title);
        let mut rows = vec![header.clone()];
        for s in &simulation.strategies {
            let mut row = vec![s.name.clone()];
            row.extend(
                s.objectives
                    .iter()
                    .map(|o| cell(o.p_all_delivered, o.value_earned_mean)),
            );
            for g in [&s.any_objective, &s.no_objective] {
                row.push(g.as_ref().map_or_else(
                    || "-".to_string(),
                    |g| cell(g.p_all_delivered, g.value_earned_mean),
                ));
            }
            rows.push(row);
        }
        doc.table(rows, 1, "");
    }
}

/// Items of the robust order shown under the table.
const ORDER_SHOWN: usize = 8;

/// Under the table: how `robust` was found, its share and the head of its order.
fn robust_lines(doc: &mut Document, name: &str, search: &crate::simulate::RobustSearch) {
    let mut head: Vec<String> = search
        .order
        .iter()
        .take(ORDER_SHOWN)
        .map(|id| shorten(id, 32))
        .collect();
    if search.order.len() > ORDER_SHOWN {
        head.push("…".into());
    }
    if head.is_empty() {
        head.push("(no initiatives)".into());
    }
    doc.blank();
    doc.line(format!(
        "{name}: stability share {}, order {}",
        fixed(search.stability_share, 2),
        head.join(", ")
    ));
    doc.line(format!(
        "  grown from {} in {} replays of {} training futures (training mean {}, worst hard deadline or commitment met {})",
        shorten(&search.start, 40),
        count(search.evaluations),
        count(search.training_futures),
        grouped(search.train_mean),
        percent(search.train_reliability),
    ));
}

/// The debt-budget sweep as a document (see the module's notes).
pub(super) fn sweep_document(scenario: &Scenario, sweep: &Sweep) -> Document {
    // "value units" when the scenario names no currency.
    let currency = currency_unit(&scenario.currency);
    let mut doc = Document::default();
    doc.title(format!(
        "{}: stability share sweep, {} sampled futures per share, seed {}; net value in {currency}",
        scenario.name,
        count(sweep.trials),
        sweep.seed
    ));
    doc.blank();
    let mut rows = vec![[
        "share",
        "robust P10",
        "robust P50",
        "robust P90",
        "robust mean",
        "deadlines met",
        "plan objective",
        "plan P10",
        "plan P50",
        "plan P90",
        "",
    ]
    .map(String::from)
    .to_vec()];
    for row in &sweep.rows {
        let mut marks = Vec::new();
        if sweep.best_p50 == Some(row.share) {
            marks.push("best P50");
        }
        if sweep.best_p10 == Some(row.share) {
            marks.push("best P10");
        }
        let r = &row.robust;
        let mut line = vec![
            fixed(row.share, 2),
            grouped(r.p10),
            grouped(r.p50),
            grouped(r.p90),
            grouped(r.mean),
            row.robust_reliability
                .map_or_else(|| "-".to_string(), percent),
        ];
        match &row.plan {
            Some(plan) => {
                let status = match plan.status {
                    PlanStatus::Optimal => "",
                    _ => " *",
                };
                line.extend([
                    format!("{}{status}", grouped(plan.objective)),
                    grouped(plan.net_value.p10),
                    grouped(plan.net_value.p50),
                    grouped(plan.net_value.p90),
                ]);
            }
            None => line.extend(["no plan".into(), "-".into(), "-".into(), "-".into()]),
        }
        line.push(if marks.is_empty() {
            String::new()
        } else {
            format!("<- {}", marks.join(", "))
        });
        rows.push(line);
    }
    doc.table(rows, 1, "");
    doc.blank();
    let best = |share: Option<f64>, key: fn(&crate::simulate::Distribution) -> f64| {
        share
            .and_then(|s| sweep.rows.iter().find(|r| r.share == s))
            .map(|r| format!("{} ({})", fixed(r.share, 2), grouped(key(&r.robust))))
            .unwrap_or_else(|| "-".into())
    };
    doc.line(format!(
        "best share for the robust strategy by P50: {}; by P10 (downside): {}",
        best(sweep.best_p50, |d| d.p50),
        best(sweep.best_p10, |d| d.p10)
    ));
    if let Some(share) = sweep.plan_best_p50 {
        doc.line(format!(
            "the re-planned plan alone would pick {} by P50",
            fixed(share, 2)
        ));
    }
    doc.line(
        "robust: the order and share optimised on training futures with the share fixed at each row's value",
    );
    if sweep.rows.iter().any(|r| r.robust_reliability.is_some()) {
        doc.line(
            "deadlines met: the robust strategy's worst hard deadline or commitment, share of futures met",
        );
    }
    plan_notes(&mut doc, sweep.rows.iter().filter_map(|r| r.plan.as_ref()));
    let notes = sweep
        .rows
        .iter()
        .filter_map(|r| r.plan_note.as_ref().map(|n| (r.share, "no plan at", n)));
    let skipped = sweep
        .skipped
        .iter()
        .map(|s| (s.share, "skipped", &s.reason));
    let mut lines: Vec<(f64, &str, &String)> = notes.chain(skipped).collect();
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (share, what, reason) in lines {
        // The first reason is enough on screen; JSON and CSV carry all of it.
        let first = reason.split("; ").next().unwrap_or_default();
        let more = if first.len() < reason.len() {
            " (…)"
        } else {
            ""
        };
        doc.line(format!(
            "{what} {}: {}{more}",
            fixed(share, 2),
            shorten(first, 160)
        ));
    }
    doc
}

/// Under a grid's table: the worst gap of plans not proven optimal (marked `*`), and the time
/// limit's note when it struck.
fn plan_notes<'a>(
    doc: &mut Document,
    plans: impl Iterator<Item = &'a crate::sweep::SharePlanRow> + Clone,
) {
    if plans.clone().any(|p| p.status != PlanStatus::Optimal) {
        let worst = plans.clone().map(|p| p.gap).fold(0.0, f64::max);
        doc.line(format!(
            "* plan not proven optimal within the planner's work limits: within {} of its bound at worst",
            gap_percent(worst)
        ));
    }
    if plans.clone().any(|p| p.time_limit_reached) {
        doc.line(TIME_LIMIT_NOTE.trim_end());
    }
}

/// The decimals that tell a grid's factors apart: two, or as many as the finest factor needs
/// (the grid is rounded to 1e-9), so `0.001` never reads `0.00`.
fn factor_decimals(factors: impl Iterator<Item = f64>) -> usize {
    factors
        .map(|f| {
            (2..9)
                .find(|&d| {
                    let scale = 10f64.powi(d as i32);
                    ((f * scale).round() / scale - f).abs() <= 1e-12 * f.abs().max(1.0)
                })
                .unwrap_or(9)
        })
        .max()
        .unwrap_or(2)
}

/// The frontier as a document: per capacity factor the engineer-weeks, the re-planned plan's
/// objective and the robust strategy's net value, with what each step adds.
pub(super) fn frontier_document(scenario: &Scenario, frontier: &Frontier) -> Document {
    let currency = currency_unit(&scenario.currency);
    let mut doc = Document::default();
    let whose = match &frontier.team {
        Some(team) => format!("team `{team}`'s capacity"),
        None if scenario.teams.is_empty() => "capacity".to_string(),
        None => "every team's capacity".to_string(),
    };
    doc.title(format!(
        "{}: frontier over {whose}, {} sampled futures per point, seed {}; net value in {currency}",
        scenario.name,
        count(frontier.trials),
        frontier.seed
    ));
    doc.blank();
    let mut header = vec!["factor".to_string(), "engineer-weeks".into()];
    if frontier.team.is_some() {
        header.push("team weeks".into());
    }
    header.extend(
        [
            "plan objective",
            "robust P10",
            "robust P50",
            "robust P90",
            "deadlines met",
            "P50 per extra eng-week",
        ]
        .map(String::from),
    );
    let mut rows = vec![header];
    let mut previous: Option<(f64, f64)> = None;
    let decimals = factor_decimals(frontier.points.iter().filter_map(|p| p.factor));
    let factor_text = |f: Option<f64>| f.map_or_else(|| "–".to_string(), |f| fixed(f, decimals));
    for point in &frontier.points {
        let weeks_axis = point.team_weeks.unwrap_or(point.engineer_weeks);
        let factor = factor_text(point.factor);
        let mut row = vec![factor, grouped(point.engineer_weeks)];
        if let Some(w) = point.team_weeks {
            row.push(grouped(w));
        }
        row.push(match &point.plan {
            Some(plan) => {
                let mark = if plan.status == PlanStatus::Optimal {
                    ""
                } else {
                    " *"
                };
                format!("{}{mark}", grouped(plan.objective))
            }
            None => "no plan".into(),
        });
        let r = &point.robust;
        row.extend([grouped(r.p10), grouped(r.p50), grouped(r.p90)]);
        row.push(
            point
                .robust_reliability
                .map_or_else(|| "-".to_string(), percent),
        );
        row.push(match previous {
            Some((w, v)) if weeks_axis > w => signed((r.p50 - v) / (weeks_axis - w)),
            _ => "-".into(),
        });
        previous = Some((weeks_axis, r.p50));
        rows.push(row);
    }
    doc.table(rows, 1, "");
    doc.blank();
    doc.line("robust: the order and share optimised on training futures at each point's capacity");
    doc.line("P50 per extra eng-week: the robust P50's change from the row above, per engineer-week added");
    plan_notes(
        &mut doc,
        frontier.points.iter().filter_map(|p| p.plan.as_ref()),
    );
    for point in &frontier.points {
        if let Some(note) = &point.plan_note {
            let first = note.split("; ").next().unwrap_or_default();
            doc.line(format!(
                "no plan at {}: {}",
                factor_text(point.factor),
                shorten(first, 160)
            ));
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::factor_decimals;

    #[test]
    fn frontier_factors_get_the_decimals_that_tell_them_apart() {
        assert_eq!(factor_decimals([0.7, 1.0, 1.3].into_iter()), 2);
        assert_eq!(factor_decimals([0.001, 0.002].into_iter()), 3);
        assert_eq!(factor_decimals([0.5, 0.125].into_iter()), 3);
        assert_eq!(factor_decimals(std::iter::empty()), 2);
    }
}
