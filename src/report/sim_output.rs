//! `tradeoff simulate` and `tradeoff sweep` output: comparison tables, CSV and JSON.
//!
//! The simulate table is meant to be read in ten seconds: one row per strategy with net value
//! P10 / P50 / P90, mean, the probability of being best, the paired difference to the plan with
//! its standard error, and how often deadlines are met; then where the value goes (means).
//! JSON is the serde form of [`Simulation`] / [`Sweep`].

use super::text::{aligned, shorten};
use super::Format;
use crate::error::Error;
use crate::scenario::Scenario;
use crate::simulate::{Simulation, StrategyResult};
use crate::sweep::Sweep;

/// Renders a strategy comparison in the requested format.
pub fn render_simulation(
    scenario: &Scenario,
    simulation: &Simulation,
    format: Format,
) -> Result<String, Error> {
    match format {
        Format::Json => to_json(simulation),
        Format::Csv => simulation_csv(simulation),
        Format::Table => Ok(simulation_table(scenario, simulation)),
    }
}

/// Renders a debt-budget sweep in the requested format.
pub fn render_sweep(scenario: &Scenario, sweep: &Sweep, format: Format) -> Result<String, Error> {
    match format {
        Format::Json => to_json(sweep),
        Format::Csv => sweep_csv(sweep),
        Format::Table => Ok(sweep_table(scenario, sweep)),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(value)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
}

/// The paired difference of `strategy` minus the plan, when both are in the run.
fn diff_to_plan(simulation: &Simulation, name: &str) -> Option<(f64, f64)> {
    if name == "plan" {
        return None;
    }
    simulation
        .paired
        .iter()
        .find(|d| d.a == name && d.b == "plan")
        .map(|d| (d.mean_diff, d.se))
}

/// Mean and worst P(deadline met) over items with a deadline, with the worst item's id.
fn deadline_rates(result: &StrategyResult) -> Option<(f64, f64, String)> {
    let rates: Vec<(f64, &str)> = result
        .initiatives
        .iter()
        .filter_map(|i| i.p_deadline_met.map(|p| (p, i.id.as_str())))
        .collect();
    if rates.is_empty() {
        return None;
    }
    let mean = rates.iter().map(|(p, _)| p).sum::<f64>() / rates.len() as f64;
    let (worst, id) = rates
        .iter()
        .fold(rates[0], |w, &r| if r.0 < w.0 { r } else { w });
    Some((mean, worst, id.to_string()))
}

/// A money amount rounded to a whole unit with thousands separators: `-1,234,567`.
pub fn format_money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    super::text::grouped(x)
}

fn format_percent(p: f64) -> String {
    format!("{:.0}%", 100.0 * p)
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

fn simulation_table(scenario: &Scenario, simulation: &Simulation) -> String {
    // "value units" when the scenario names no currency.
    let currency = crate::report::charts::style::currency_unit(&scenario.currency);
    let mut out = String::new();
    if simulation.deterministic {
        out.push_str(&format!(
            "{}: deterministic replay (means, no noise, expected losses); net value in {currency}\n\n",
            scenario.name
        ));
    } else {
        out.push_str(&format!(
            "{}: {} sampled futures, seed {}; net value in {currency}\n\n",
            scenario.name,
            format_count(simulation.trials),
            simulation.seed
        ));
    }
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
            format_money(d.p10),
            format_money(d.p50),
            format_money(d.p90),
            format_money(d.mean),
            format_percent(s.p_best),
        ];
        if has_plan {
            row.push(match diff_to_plan(simulation, &s.name) {
                Some((diff, se)) => {
                    let sign = if diff >= 0.0 { "+" } else { "" };
                    format!("{sign}{} ± {}", format_money(diff), format_money(se))
                }
                None => "-".into(),
            });
        }
        if has_deadlines {
            row.push(match deadline_rates(s) {
                Some((mean, worst, id)) => format!(
                    "{}, {} {}",
                    format_percent(mean),
                    shorten(&id, 24),
                    format_percent(worst)
                ),
                None => "-".into(),
            });
        }
        rows.push(row);
    }
    out.push_str(&aligned(&rows, 1, ""));

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
        out.push_str(&format!("\nhighest median: {}", names(&best_median)));
        let p_best: Vec<f64> = simulation.strategies.iter().map(|s| s.p_best).collect();
        let most_often = leaders(&p_best);
        if let Some(&first) = most_often.first() {
            out.push_str(&format!(
                "; most often best: {} ({} of futures{})",
                names(&most_often),
                format_percent(p_best[first]),
                if most_often.len() > 1 { " each" } else { "" }
            ));
        }
        out.push('\n');
    }

    for s in &simulation.strategies {
        if let Some(search) = &s.search {
            out.push_str(&robust_lines(&s.name, search));
        }
    }

    out.push_str(&format!("\nwhere the value goes (means, {currency})\n"));
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
            format!("{:.2}", s.stability_share),
            format_money(s.value_earned.mean),
            format_money(s.cost_of_delay.mean),
            format_money(s.incident_losses.mean),
            format_money(s.penalties.mean),
        ]);
    }
    out.push_str(&aligned(&rows, 1, ""));
    out.push_str(
        "\nP(best): share of sampled futures in which the strategy has the highest net value.\n",
    );
    if has_plan {
        out.push_str(
            "vs plan: mean paired difference of net value to the plan on the same futures.\n",
        );
    }
    if simulation.quantile_trials < simulation.trials {
        out.push_str(&format!(
            "quantiles from the first {} trials (memory bound); means from all {}.\n",
            format_count(simulation.quantile_trials),
            format_count(simulation.trials)
        ));
    }
    out
}

/// Items of the robust order shown under the table.
const ORDER_SHOWN: usize = 8;

/// Under the table: how `robust` was found, its share and the head of its order.
fn robust_lines(name: &str, search: &crate::simulate::RobustSearch) -> String {
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
    format!(
        "\n{name}: stability share {:.2}, order {}\n  grown from {} in {} replays of {} training futures (training mean {}, worst hard deadline or commitment met {})\n",
        search.stability_share,
        head.join(", "),
        shorten(&search.start, 40),
        format_count(search.evaluations),
        format_count(search.training_futures),
        format_money(search.train_mean),
        format_percent(search.train_reliability),
    )
}

/// The name a saved robust strategy gets: `Optimised order (seed S)`, numbered when the scenario
/// already has a strategy of that name (a strategy saved earlier and pasted in), so the table can
/// be pasted as it is.
pub fn saved_strategy_name(scenario: &Scenario, simulation: &Simulation) -> String {
    let base = format!("Optimised order (seed {})", simulation.seed);
    let taken = |name: &str| scenario.strategies.iter().any(|s| s.name == name);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|k| format!("{base} {k}"))
        .find(|name| !taken(name))
        .unwrap_or(base)
}

/// The `robust` strategy as a `[[strategy]]` table to paste into the scenario; replayed, it
/// gives exactly the robust strategy's numbers (its order lists every initiative).
pub fn render_saved_strategy(
    scenario: &Scenario,
    simulation: &Simulation,
    search: &crate::simulate::RobustSearch,
) -> String {
    // A JSON string is a valid TOML basic string (its escapes are a subset of TOML's).
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into());
    let mut out = format!(
        "# The `robust` strategy of `tradeoff simulate` on {} (seed {}, {} training futures).\n# Paste it into the scenario to replay it as a strategy of its own.\n[[strategy]]\nname = {}\norder = [\n",
        {
            let quoted = quote(&scenario.name);
            quoted[1..quoted.len() - 1].to_string()
        },
        simulation.seed,
        search.training_futures,
        quote(&saved_strategy_name(scenario, simulation)),
    );
    for id in &search.order {
        out.push_str(&format!("    {},\n", quote(id)));
    }
    out.push_str(&format!(
        "]\nstability_share = {}\n",
        search.stability_share
    ));
    out
}

fn format_count(n: usize) -> String {
    format_money(n as f64)
}

fn csv_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("cannot write CSV: {e}"))
}

fn finish_csv(writer: csv::Writer<Vec<u8>>) -> Result<String, Error> {
    let bytes = writer.into_inner().map_err(csv_error)?;
    String::from_utf8(bytes).map_err(csv_error)
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
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
    w: &mut csv::Writer<Vec<u8>>,
    before: &[&str],
    after: &[&str],
) -> Result<(), Error> {
    let names = before.iter().chain(&NET_VALUE_COLUMNS).chain(after);
    w.write_record(names).map_err(csv_error)
}

fn simulation_csv(simulation: &Simulation) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
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
        w.write_record(&record).map_err(csv_error)?;
    }
    finish_csv(w)
}

fn sweep_table(scenario: &Scenario, sweep: &Sweep) -> String {
    // "value units" when the scenario names no currency.
    let currency = crate::report::charts::style::currency_unit(&scenario.currency);
    let mut out = format!(
        "{}: stability share sweep, {} sampled futures per share, seed {}; net value in {currency}\n\n",
        scenario.name,
        format_count(sweep.trials),
        sweep.seed
    );
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
            format!("{:.2}", row.share),
            format_money(r.p10),
            format_money(r.p50),
            format_money(r.p90),
            format_money(r.mean),
            row.robust_reliability
                .map_or_else(|| "-".to_string(), format_percent),
        ];
        match &row.plan {
            Some(plan) => {
                let status = match plan.status {
                    crate::plan::PlanStatus::Optimal => "",
                    _ => " *",
                };
                line.extend([
                    format!("{}{status}", format_money(plan.objective)),
                    format_money(plan.net_value.p10),
                    format_money(plan.net_value.p50),
                    format_money(plan.net_value.p90),
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
    out.push_str(&aligned(&rows, 1, ""));
    out.push('\n');
    let best = |share: Option<f64>, key: fn(&crate::simulate::Distribution) -> f64| {
        share
            .and_then(|s| sweep.rows.iter().find(|r| r.share == s))
            .map(|r| format!("{:.2} ({})", r.share, format_money(key(&r.robust))))
            .unwrap_or_else(|| "-".into())
    };
    out.push_str(&format!(
        "best share for the robust strategy by P50: {}; by P10 (downside): {}\n",
        best(sweep.best_p50, |d| d.p50),
        best(sweep.best_p10, |d| d.p10)
    ));
    if let Some(share) = sweep.plan_best_p50 {
        out.push_str(&format!(
            "the re-planned plan alone would pick {share:.2} by P50\n"
        ));
    }
    out.push_str(
        "robust: the order and share optimised on training futures with the share fixed at each row's value\n",
    );
    if sweep.rows.iter().any(|r| r.robust_reliability.is_some()) {
        out.push_str(
            "deadlines met: the robust strategy's worst hard deadline or commitment, share of futures met\n",
        );
    }
    let plans = || sweep.rows.iter().filter_map(|r| r.plan.as_ref());
    if plans().any(|p| p.status != crate::plan::PlanStatus::Optimal) {
        let worst = plans().map(|p| p.gap).fold(0.0, f64::max);
        out.push_str(&format!(
            "* plan not proven optimal within the planner's work limits: within {} of its bound at worst\n",
            crate::report::charts::style::gap_percent(worst)
        ));
    }
    if plans().any(|p| p.time_limit_reached) {
        out.push_str(super::text::TIME_LIMIT_NOTE);
    }
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
        out.push_str(&format!(
            "{what} {share:.2}: {}{more}\n",
            shorten(first, 160)
        ));
    }
    out
}

/// The sweep's CSV: one record per share; the net-value columns are the robust strategy's.
fn sweep_csv(sweep: &Sweep) -> Result<String, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    header_around(
        &mut w,
        &["share"],
        &[
            "robust_stability_share",
            "robust_deadline_reliability",
            "plan_status",
            "plan_objective",
            "plan_gap",
            "plan_net_value_mean",
            "plan_net_value_p10",
            "plan_net_value_p50",
            "plan_net_value_p90",
            "best",
            "note",
        ],
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
        match &row.plan {
            Some(plan) => {
                let status = serde_json::to_value(plan.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let d = &plan.net_value;
                line.extend([
                    status,
                    number(plan.objective),
                    number(plan.gap),
                    number(d.mean),
                    number(d.p10),
                    number(d.p50),
                    number(d.p90),
                ]);
            }
            None => {
                line.push("none".into());
                line.extend(std::iter::repeat_n(String::new(), 6));
            }
        }
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
        w.write_record(&line).map_err(csv_error)?;
    }
    finish_csv(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_thousands_separators() {
        assert_eq!(format_money(1_234_567.4), "1,234,567");
        assert_eq!(format_money(-1_000.0), "-1,000");
        assert_eq!(format_money(999.5), "1,000");
        assert_eq!(format_money(0.2), "0");
        assert_eq!(format_money(-0.2), "0");
        assert_eq!(format_money(f64::NAN), "n/a");
    }
}
