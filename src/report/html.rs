//! The strategy-review page: one self-contained `index.html` with the charts inlined as SVG.
//!
//! The page loads nothing: no script, no stylesheet, font or image from elsewhere, so it opens
//! offline by double-click and can be mailed as one file. The executive summary comes first
//! (the recommendation, what optimising is worth and the numbers behind it), then the plan —
//! the recommended strategy's roadmap over the sampled futures first, the MILP plan for the mean
//! future after it — the strategy comparison, the debt-budget sweep, the sensitivity analysis and the warnings.
//!
//! The markup is built with maud's `html!`, which escapes every `(splice)`: scenario text (names,
//! ids, the currency, labels, warnings) goes in as it is. Only the fixed style sheet and the
//! charts' own SVG are spliced as `PreEscaped`, each with the reason it is safe.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::charts::roadmap::{Group, Roadmap};
use super::charts::style::{self as chart_style, compact, count, money, percent};
use super::charts::{pressing_items, Chart};
use super::recommended_roadmap;
use crate::plan::{Bucket, PlanStatus};
use crate::review::{optimising_worth, reliability, Gain, ReportData, RELIABILITY_TOLERANCE};
use crate::scenario::{Deadline, Scenario};

/// Turns a chart's SVG document into an element that scales with the page: no fixed size, no
/// namespace declaration (HTML does not need it), and a label for screen readers.
///
/// The document's own `<svg …>` start tag is replaced; anything before it (an XML declaration,
/// a comment, a doctype) is dropped with it. The new start tag is built by maud, so the view box
/// and the title are escaped; the rest of the document is returned as it was.
pub fn inline_svg(svg: &str, title: &str) -> String {
    let (body, view_box) = match svg_start_tag(svg) {
        Some((start, end)) => (&svg[end..], attribute(&svg[start..end], "viewBox")),
        None => (svg, None),
    };
    let view_box = view_box.unwrap_or_default();
    let mut out = html! { svg viewBox=(view_box) role="img" aria-label=(title); }.into_string();
    out.push_str(body.trim_start());
    out
}

/// Where the root `<svg` start tag begins and just past the `>` that closes it: the prolog before
/// it is skipped whole (a `>` in an XML declaration, comment or doctype does not end the tag),
/// and so is a `>` inside a quoted attribute value.
fn svg_start_tag(svg: &str) -> Option<(usize, usize)> {
    let mut at = 0;
    loop {
        at = svg.len() - svg[at..].trim_start().len();
        let rest = &svg[at..];
        let close = if rest.starts_with("<?") {
            "?>"
        } else if rest.starts_with("<!--") {
            "-->"
        } else if rest.starts_with("<!") {
            ">"
        } else {
            break;
        };
        at += rest.find(close)? + close.len();
    }
    let start = if svg[at..].starts_with("<svg") {
        at
    } else {
        svg.find("<svg")?
    };
    let mut quote = None;
    for (i, c) in svg[start..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some((start, start + i + 1)),
            _ => {}
        }
    }
    None
}

/// The value of attribute `name` (in double quotes) in a start tag, if it has one.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let (i, _) = tag.match_indices(&key).find(|&(i, _)| {
        tag[..i]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace)
    })?;
    let rest = &tag[i + key.len()..];
    rest.find('"').map(|j| rest[..j].to_string())
}

const STYLE: &str = r#"
:root { --ink: #222; --muted: #666; --rule: #ddd; --accent: #0072B2; --soft: #f4f7fa; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 "DejaVu Sans", Verdana, "Segoe UI", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 30px; margin: 8px 0 4px; }
h2 { font-size: 23px; margin: 44px 0 10px; padding-top: 10px; border-top: 3px solid var(--ink); }
h3 { font-size: 18px; margin: 26px 0 8px; }
h4 { font-size: 16px; margin: 20px 0 6px; }
p.meta, .note { color: var(--muted); font-size: 14px; }
nav { font-size: 14px; margin: 8px 0 0; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
.callout { background: var(--soft); border-left: 6px solid var(--accent); padding: 14px 20px; margin: 14px 0; }
.callout .lead { font-size: 22px; margin: 0 0 6px; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; list-style: none; padding: 0; margin: 14px 0 4px; }
.kpis li { background: #fff; border: 1px solid var(--rule); padding: 8px 14px; min-width: 150px; }
.kpis span { display: block; color: var(--muted); font-size: 13px; }
.kpis b { font-size: 21px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 14px; }
.wide { overflow-x: auto; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
th { border-bottom: 2px solid var(--ink); font-weight: bold; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.d { white-space: nowrap; }
tr.pick td { background: var(--soft); font-weight: bold; }
tr.group th { border-bottom: 1px solid var(--ink); padding-top: 14px; font-size: 13px; letter-spacing: 0.04em; }
.sw { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: baseline; border: 1px solid #fff; outline: 1px solid var(--rule); }
.warn { color: #a34a00; }
figure { margin: 18px 0 26px; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: 14px; margin-top: 4px; }
code { font-size: 14px; background: var(--soft); padding: 0 4px; }
@media print { h2 { page-break-before: always; } figure { page-break-inside: avoid; } }
"#;

/// Renders the page for the computed results and their charts (`(chart, svg)` in page order).
pub fn render(data: &ReportData, charts: &[(&Chart, &str)]) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Strategy review — " (data.scenario.name) }
                // Safe: `STYLE` is this file's own constant; no scenario text reaches it.
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    (header(data))
                    (summary(data))
                    (super::since::section(data, figure(
                        charts,
                        "since-last-review",
                        "Why the plan's objective moved since the last review: each change applied alone to last review's scenario and re-planned, largest first, then the other changes and the interaction.",
                    )))
                    (plan_section(data, charts))
                    (objectives_section(data, charts))
                    (comparison(data, charts))
                    (sweep_section(data, charts))
                    (teams_section(data, charts))
                    (sensitivity_section(data, charts))
                    (warnings(data))
                    (method(data, charts))
                }
            }
        }
    };
    let mut out = page.into_string();
    out.push('\n');
    out
}

/// The chart called `name` with its caption, if the page has it.
fn figure(charts: &[(&Chart, &str)], name: &str, caption: &str) -> Markup {
    html! {
        @if let Some((chart, svg)) = charts.iter().find(|(c, _)| c.name == name) {
            figure id={ "fig-" (chart.name) } {
                // Safe: our own chart's SVG (plotters escapes its text), start tag rebuilt by maud.
                (PreEscaped(inline_svg(svg, &chart.title)))
                figcaption {
                    (caption) " "
                    span.note {
                        "(also in " code { (chart.name) ".svg" } " and " code { (chart.name) ".png" } ")"
                    }
                }
            }
        }
    }
}

fn header(data: &ReportData) -> Markup {
    let s = data.scenario;
    let span = match (s.labels.first(), s.labels.last()) {
        (Some(a), Some(b)) if s.periods > 1 => format!("{a} to {b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    let sim = &data.simulation;
    let runs = if sim.deterministic {
        "one deterministic replay at mean estimates".to_string()
    } else {
        format!("{} sampled futures, seed {}", count(sim.trials), sim.seed)
    };
    html! {
        header {
            h1 { "Strategy review: " (s.name) }
            p.meta {
                (s.periods) " " (s.period_label.as_str()) "s, " (span) " · " (runs)
                " · amounts in " (crate::number::currency_unit(&s.currency)) " · made with tradeoff " (env!("CARGO_PKG_VERSION"))
            }
            nav {
                a href="#summary" { "Summary" }
                @if data.since.is_some() { a href="#since" { "Since last review" } }
                a href="#plan" { "Plan" }
                @if !s.objectives.is_empty() { a href="#objectives" { "Objectives" } }
                a href="#comparison" { "Strategies" }
                a href="#sweep" { "Debt budget" }
                @if !data.teams.is_empty() { a href="#teams" { "Teams" } }
                a href="#sensitivity" { "Sensitivity" }
                a href="#warnings" { "Warnings" }
            }
        }
    }
}

/// One key figure.
fn kpi(label: &str, value: &str) -> Markup {
    html! { li { span { (label) } b { (value) } } }
}

/// How an item's due date reads: "hard deadline 2027-Q3", "committed (by 2028-Q4)".
fn due_text(s: &Scenario, i: usize) -> Option<String> {
    let it = &s.initiatives[i];
    let label = |p: usize| {
        s.labels
            .get(p.saturating_sub(1))
            .cloned()
            .unwrap_or_default()
    };
    match it.deadline {
        Some(Deadline::Hard { period }) => Some(format!("hard deadline {}", label(period))),
        Some(Deadline::Soft { period, penalty }) => Some(format!(
            "soft deadline {} (penalty {})",
            label(period),
            money(penalty, &s.currency)
        )),
        None if it.commit => Some(format!("committed (by {})", label(s.periods))),
        None => None,
    }
}

fn summary(data: &ReportData) -> Markup {
    let s = data.scenario;
    let cur = &s.currency;
    let Some(rec) = &data.recommendation else {
        return html! {
            section #summary {
                h2 { "Executive summary" }
                p { "No strategy was simulated, so there is no recommendation." }
            }
        };
    };
    // Deadlines and commitments under the recommended strategy.
    let outcomes = &data.simulation.strategies[rec.index].initiatives;
    let plan_warnings = objective_warnings(data);
    let due = pressing_items(s);
    html! {
        section #summary {
            h2 { "Executive summary" }
            div.callout {
                p.lead { "Recommended: " strong { (rec.strategy) } }
                p { (rec.reason) "." }
                ul.kpis {
                    (kpi("Expected net value", &money(rec.mean, cur)))
                    (kpi("Median (P50)", &money(rec.p50, cur)))
                    (kpi("Bad case (P10)", &money(rec.p10, cur)))
                    (kpi("Good case (P90)", &money(rec.p90, cur)))
                    (kpi("Best strategy in", &format!("{} of futures", percent(rec.p_best))))
                    @if let Some(r) = rec.deadline_reliability {
                        (kpi("Deadlines and commitments met (worst item)", &percent(r)))
                    }
                }
            }
            @if !due.is_empty() {
                h3 { "Deadlines and commitments under " code { (rec.strategy) } }
                table {
                    tr {
                        th { "Initiative" } th { "Due" } th.n { "Chance met" }
                        th.n { "Median delivery" }
                    }
                    @for i in due {
                        @let it = &s.initiatives[i];
                        @let o = outcomes.iter().find(|o| o.id == it.id);
                        @let met = o.and_then(|o| {
                            if it.deadline.is_some() { o.p_deadline_met } else { Some(o.p_delivered) }
                        });
                        @let median = o
                            .and_then(|o| o.delivery_p50)
                            .and_then(|p| p.checked_sub(1).and_then(|k| s.labels.get(k)).cloned())
                            .unwrap_or_else(|| "not in the horizon".into());
                        tr {
                            td { (it.name) }
                            td { (due_text(s, i).unwrap_or_default()) }
                            td.n.warn[met.is_some_and(|m| m < 0.8)] {
                                (met.map_or("–".to_string(), percent))
                            }
                            td.n { (median) }
                        }
                    }
                }
            }
            ul {
                (worth_item(data))
                @for ex in &rec.excluded {
                    li {
                        "Passed over: " code { (ex.strategy) } " (expected " (money(ex.mean, cur))
                        ") meets its weakest hard deadline or commitment in only "
                        (percent(ex.deadline_reliability)) " of futures."
                    }
                }
                @if let Some(best) = data.sweep.best_p50 {
                    (debt_budget_item(data, best))
                }
                (bottleneck_item(data))
                (super::since::summary_item(data))
                @if let Some(top) = data.sensitivity.top() {
                    li {
                        "Most sensitive input: " strong { (top.label) } " — "
                        (percent(data.sensitivity.delta)) " lower gives " (money(top.low, cur)) ", "
                        (percent(data.sensitivity.delta)) " higher gives " (money(top.high, cur))
                        " (base " (money(data.sensitivity.base, cur)) ")."
                    }
                }
                @let p = &data.plan;
                li {
                    "The optimized plan (" (status_text(p.status, p.gap, p.time_limit_reached))
                    "): net value " (money(p.objective, cur)) " at mean estimates = value earned "
                    (money(p.value_earned, cur)) " − cost of delay " (money(p.cost_of_delay, cur))
                    " − penalties " (money(p.penalties, cur)) "."
                }
                @let n_warnings = s.warnings.len() + plan_warnings.len();
                @if n_warnings > 0 {
                    li.warn {
                        @if plan_warnings.is_empty() { "The scenario raised " } @else {
                            "The scenario and its plan raised "
                        }
                        (n_warnings) " warning"
                        @if n_warnings != 1 { "s" }
                        ": see " a href="#warnings" { "Warnings" } "."
                    }
                }
            }
        }
    }
}

/// The summary's debt-budget line: the stability share where the robust median is highest.
fn debt_budget_item(data: &ReportData, best: f64) -> Markup {
    let s = data.scenario;
    let row = data
        .sweep
        .rows
        .iter()
        .find(|r| (r.share - best).abs() < 1e-9);
    let current = if s.capacity.stability_min == s.capacity.stability_max {
        percent(s.capacity.stability_min)
    } else {
        format!(
            "{}–{}",
            percent(s.capacity.stability_min),
            percent(s.capacity.stability_max)
        )
    };
    html! {
        li {
            "Debt budget: ring-fencing " strong { (percent(best)) }
            " of effective capacity for stability work gives the robust strategy its highest median net value"
            @if let Some(r) = row { ", " (money(r.robust.p50, &s.currency)) }
            " (the scenario sets " (current) ")."
        }
    }
}

/// "earns €12k ± €3k more than" (or "less than"), from a paired difference.
fn gain(g: &Gain, cur: &str) -> Markup {
    let (amount, direction) = if g.mean_diff < 0.0 {
        (-g.mean_diff, "less")
    } else {
        (g.mean_diff, "more")
    };
    html! {
        "earns " strong { (money(amount, cur)) " ± " (money(2.0 * g.se, cur)) }
        " " (direction) " than " code { (g.baseline) }
    }
}

/// The summary's "what optimising is worth": `robust` against the best strategy the scenario's
/// authors wrote (or the best built-in) and against `plan`.
fn worth_item(data: &ReportData) -> Markup {
    let s = data.scenario;
    let cur = &s.currency;
    let Some(worth) = optimising_worth(s, &data.simulation) else {
        return html! {};
    };
    let mut parts = Vec::new();
    if let Some(g) = &worth.vs_best_written {
        let what = if g.source == "scenario" {
            "the best strategy written in the scenario"
        } else {
            "the best built-in rule (the scenario writes no strategy of its own)"
        };
        parts.push(html! { (gain(g, cur)) " (" (what) ")" });
    }
    if let Some(g) = &worth.vs_plan {
        parts.push(html! { (gain(g, cur)) " (the optimum for the mean future)" });
    }
    if parts.is_empty() {
        return html! {};
    }
    html! {
        li {
            "What optimising is worth: " code { (worth.strategy) }
            ", the priority order and stability share optimised on sampled futures, "
            @for (k, part) in parts.iter().enumerate() {
                @if k > 0 { ", and " }
                (part)
            }
            " — paired mean differences over the same " (count(data.simulation.trials))
            " sampled futures, ± 2 standard errors."
        }
    }
}

/// A plan's status in words; `capped` when the time limit stopped the planner before its work
/// limits (so another run may plan differently).
fn status_text(status: PlanStatus, gap: f64, capped: bool) -> String {
    let text = match status {
        PlanStatus::Optimal => "proven optimal".into(),
        PlanStatus::Feasible => format!(
            "feasible, within {} of the bound",
            chart_style::gap_percent(gap)
        ),
        PlanStatus::Infeasible => "infeasible".into(),
    };
    if capped {
        format!("{text}, stopped by the time limit")
    } else {
        text
    }
}

fn bucket_heading(s: &Scenario, bucket: Bucket) -> String {
    let label = |p: usize| {
        p.checked_sub(1)
            .and_then(|k| s.labels.get(k))
            .cloned()
            .unwrap_or_default()
    };
    match bucket {
        Bucket::Now => format!("Now — starts in {}", label(1)),
        Bucket::Next if s.periods >= 2 => {
            format!("Next — starts {} to {}", label(2), label(s.periods.min(4)))
        }
        Bucket::Next => "Next".into(),
        Bucket::Later if s.periods >= 5 => format!("Later — starts {} or after", label(5)),
        Bucket::Later => "Later".into(),
        Bucket::Unplanned => "Not in this horizon".into(),
    }
}

/// Engineer-weeks and the like, to one decimal.
fn tenths(x: f64) -> String {
    format!("{x:.1}")
}

fn plan_section(data: &ReportData, charts: &[(&Chart, &str)]) -> Markup {
    let s = data.scenario;
    let p = &data.plan;
    let cur = &s.currency;
    let label = |k: Option<usize>| {
        k.and_then(|k| k.checked_sub(1).and_then(|k| s.labels.get(k)).cloned())
            .unwrap_or_else(|| "–".into())
    };
    let bound = if p.status == PlanStatus::Infeasible {
        String::new()
    } else {
        format!(
            "; the planner's proven bound is {} and its gap {}",
            money(p.bound, cur),
            chart_style::gap_percent(p.gap)
        )
    };
    html! {
        section #plan {
            h2 { "The plan: Now, Next, Later" }
            @if let Some(map) = recommended_roadmap(data) {
                (roadmap_part(data, &map, charts))
            }
            h3 #mean-future-plan { "The optimum for the mean future: the capacity plan" }
            p {
                "The mixed-integer program plans for one future, the mean one. Its plan is "
                (status_text(p.status, p.gap, p.time_limit_reached)) ": net value "
                (money(p.objective, cur)) " at mean estimates (value earned "
                (money(p.value_earned, cur)) ", cost of delay " (money(p.cost_of_delay, cur))
                ", penalties " (money(p.penalties, cur)) "), with " (percent(p.stability_min))
                " of effective capacity ring-fenced for stability work at least and "
                (percent(p.stability_max)) " at most" (bound) ". It is the " code { "plan" }
                " strategy of the comparison; the roadmap above is what the recommended strategy does when estimates miss."
            }
            @for bucket in [Bucket::Now, Bucket::Next, Bucket::Later, Bucket::Unplanned] {
                @let rows = p.bucket_members(bucket);
                @if !rows.is_empty() {
                    h4 { (bucket_heading(s, bucket)) }
                    table {
                        tr {
                            th { "Initiative" } th { "Kind" } th.n { "Effort (eng-weeks)" }
                            th { "Start" } th { "Delivery" } th { "Due" } th { "Business outcome" }
                        }
                        @for i in rows {
                            @let pi = &p.initiatives[i];
                            @let it = s.initiatives.get(i);
                            tr {
                                td { (it.map_or(&pi.id, |it| &it.name)) br; span.note { (pi.id) } }
                                td {
                                    (it.map_or("", |it| it.kind.as_str())) " ("
                                    (it.map_or("", |it| it.class.as_str())) ")"
                                }
                                td.n { (tenths(pi.effort)) }
                                td.d { (label(pi.start)) }
                                td.d { (label(pi.delivery)) }
                                td { (due_text(s, i).unwrap_or_default()) }
                                td { (it.and_then(|it| it.business_outcome.as_deref()).unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            (figure(
                charts,
                "plan-timeline",
                "The plan as a timeline: blocks are the periods an item is worked on, coloured by kind; ▼ marks delivery and a red bar the deadline.",
            ))
            (figure(
                charts,
                "plan-capacity",
                "Capacity per period: planned work by kind, then idle capacity, capacity lost to debt drag and the strategic buffer.",
            ))
            h4 { "Capacity per period" }
            table {
                tr {
                    th { "Period" } th.n { "Capacity" } th.n { "Allocatable" } th.n { "Drag" }
                    th.n { "Product" } th.n { "Stability" } th.n { "Idle" }
                    th.n { "Value of one more eng-week" }
                }
                @for period in &p.periods {
                    tr {
                        td { (period.label) }
                        td.n { (tenths(period.capacity)) }
                        td.n { (tenths(period.allocatable)) }
                        td.n { (percent(period.drag)) }
                        td.n { (tenths(period.product)) }
                        td.n { (tenths(period.stability)) }
                        td.n { (tenths(period.idle)) }
                        td.n { (money(period.marginal_value, cur)) }
                    }
                }
                tr {
                    td colspan="8" class="note" {
                        "Engineer-weeks. Drag is the share of allocatable capacity lost to technical debt."
                    }
                }
            }
        }
    }
}

/// A kind's colour as a CSS colour, for the table's swatches.
fn kind_css(kind: crate::scenario::Kind) -> String {
    let c = chart_style::kind_color(kind);
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// How the roadmap's group reads as a table heading.
fn group_heading(s: &Scenario, group: Group) -> String {
    match group {
        Group::Now => bucket_heading(s, Bucket::Now),
        Group::Next => bucket_heading(s, Bucket::Next),
        Group::Later => bucket_heading(s, Bucket::Later),
        Group::NotStarted => "Not started in most futures".into(),
    }
}

/// The recommended strategy's roadmap: what it says, the chart and the table by group.
fn roadmap_part(data: &ReportData, map: &Roadmap, charts: &[(&Chart, &str)]) -> Markup {
    let s = data.scenario;
    let label =
        |k: Option<usize>| k.and_then(|k| k.checked_sub(1).and_then(|k| s.labels.get(k)).cloned());
    let after = "after the horizon";
    let search = data
        .simulation
        .strategies
        .iter()
        .find(|r| r.name == map.strategy)
        .and_then(|r| r.search.as_ref());
    let with_teams = !s.teams.is_empty();
    html! {
        h3 #roadmap { "The roadmap under " code { (map.strategy) } }
        p {
            "What the recommended strategy does over the " (count(map.trials))
            " sampled futures: for each item the median period it first gets work and the median period it is delivered, and the range of delivery from P10 (delivered by then in one future in ten) to P90 (in nine in ten). Items are grouped by their median start."
        }
        @if let Some(search) = search {
            p.note {
                "Its priority order and stability share (" (percent(search.stability_share))
                ") were optimised on " (count(search.training_futures))
                " training futures of their own, growing from " code { (search.start) } " ("
                (count(search.evaluations)) " replays of the training set; training mean "
                (money(search.train_mean, &s.currency))
                "); the figures here come from the run's futures, out of sample."
            }
        }
        (figure(
            charts,
            "roadmap",
            "The roadmap over the sampled futures: bars run from the median start to the median delivery, coloured by kind; the line is the P10–P90 delivery range (an arrow when it runs past the horizon); the red bar is the deadline, with the chance it is met.",
        ))
        div.wide {
            table {
                tr {
                    th { "Initiative" } th { "Kind" }
                    @if with_teams { th { "Teams" } }
                    th { "Median start" }
                    th { "Median delivery" } th { "Delivery P10–P90" } th { "Deadline" }
                    th.n { "Chance deadline met" }
                }
                @for group in Group::ALL {
                    @let items: Vec<_> = map.group(group).collect();
                    @if !items.is_empty() {
                        tr.group {
                            th colspan=(if with_teams { "8" } else { "7" }) {
                                (group_heading(s, group)) " · " (items.len()) " item"
                                @if items.len() != 1 { "s" }
                            }
                        }
                        @for it in items {
                            @let range = match (label(it.delivery_p10), label(it.delivery_p90)) {
                                (None, _) => after.to_string(),
                                (Some(a), Some(b)) if a == b => a,
                                (Some(a), b) => format!("{a} – {}", b.as_deref().unwrap_or(after)),
                            };
                            @let deadline = it
                                .deadline
                                .and_then(|d| label(Some(d)))
                                .map(|d| format!("{} {d}", if it.hard_deadline { "hard" } else { "soft" }))
                                .unwrap_or_default();
                            tr {
                                td {
                                    (it.name)
                                    @if it.commit { " " span.note { "(committed)" } }
                                    br;
                                    span.note { (it.id) }
                                }
                                td.d {
                                    span.sw style={ "background:" (kind_css(it.kind)) } {}
                                    (it.kind.as_str())
                                }
                                @if with_teams { td.d { (teams_text(s, &it.id)) } }
                                td.d { (label(it.start_p50).unwrap_or_else(|| "not started".into())) }
                                td.d { (label(it.delivery_p50).unwrap_or_else(|| after.into())) }
                                td.d { (range) }
                                td.d { (deadline) }
                                td.n.warn[it.p_deadline_met.is_some_and(|m| m < 0.8)] {
                                    (it.p_deadline_met.map_or("–".to_string(), percent))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An item's teams as the roadmap shows them: `Payments squad`, or `Payments squad 70%, Mobile
/// squad 30%`.
fn teams_text(s: &Scenario, id: &str) -> String {
    let Some(item) = s.initiatives.iter().find(|i| i.id == id) else {
        return String::new();
    };
    match item.split.as_slice() {
        [(j, _)] => s.teams[*j].name.clone(),
        split => split
            .iter()
            .map(|(j, share)| format!("{} {}", s.teams[*j].name, percent(*share)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn comparison(data: &ReportData, charts: &[(&Chart, &str)]) -> Markup {
    let s = data.scenario;
    let sim = &data.simulation;
    let cur = &s.currency;
    let pick = data.recommendation.as_ref().map(|r| r.index);
    // Paired differences against the recommended strategy.
    let paired = data.recommendation.as_ref().map(|rec| {
        let pairs: Vec<_> = sim.paired.iter().filter(|p| p.a == rec.strategy).collect();
        (rec, pairs)
    });
    html! {
        section #comparison {
            h2 { "Strategy comparison" }
            p {
                "Every strategy is replayed on the same " (count(sim.trials))
                " sampled futures (common random numbers), so differences between them are paired comparisons. Net value is value earned minus cost of delay, incident losses and penalties, over the horizon."
            }
            div.wide {
                table {
                    tr {
                        th { "Strategy" }
                        @for h in [
                            "Stability share", "Mean", "P10", "P50", "P90", "Best in", "Value earned",
                            "Cost of delay", "Incidents", "Penalties",
                            "Hard deadlines & commitments met (worst)",
                        ] {
                            th.n { (h) }
                        }
                    }
                    @for (k, r) in sim.strategies.iter().enumerate() {
                        @let picked = pick == Some(k);
                        tr class=[picked.then_some("pick")] {
                            td { (r.name) @if picked { " ✔" } }
                            td.n { (percent(r.stability_share)) }
                            @for x in [r.net_value.mean, r.net_value.p10, r.net_value.p50, r.net_value.p90] {
                                td.n { (money(x, cur)) }
                            }
                            td.n { (percent(r.p_best)) }
                            @for x in [
                                r.value_earned.mean,
                                r.cost_of_delay.mean,
                                r.incident_losses.mean,
                                r.penalties.mean,
                            ] {
                                td.n { (money(x, cur)) }
                            }
                            td.n { (reliability(s, sim, k).map_or("–".to_string(), percent)) }
                        }
                    }
                }
            }
            (figure(
                charts,
                "outcome-distribution",
                "Distribution of net value per strategy: shape from all sampled futures, box P10–P90, bar the median, ◆ the mean, whiskers P5–P95.",
            ))
            (figure(
                charts,
                "cumulative-value-fan",
                "Cumulative net value by the end of each period: P10–P90 band and median line per strategy.",
            ))
            (figure(
                charts,
                "delivery-curves",
                "Delivery S-curves: the chance each deadline or committed item is delivered by the end of each period, per strategy; the dashed line is the due date.",
            ))
            @if let Some((rec, pairs)) = &paired {
                @if !pairs.is_empty() {
                    h3 { "How much " code { (rec.strategy) } " gains over each alternative" }
                    table {
                        tr {
                            th { "Alternative" } th.n { "Mean gain" }
                            th.n { "± 2 standard errors" }
                        }
                        @for p in pairs {
                            tr {
                                td { (p.b) }
                                td.n { (money(p.mean_diff, cur)) }
                                td.n { (money(2.0 * p.se, cur)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn sweep_section(data: &ReportData, charts: &[(&Chart, &str)]) -> Markup {
    let s = data.scenario;
    let sw = &data.sweep;
    let cur = &s.currency;
    let best = |share: Option<f64>| share.map_or("–".to_string(), percent);
    let not_all_optimal = sw
        .rows
        .iter()
        .filter_map(|r| r.plan.as_ref())
        .any(|p| p.status != PlanStatus::Optimal);
    html! {
        section #sweep {
            h2 { "Debt budget" }
            p {
                "How much capacity to ring-fence for stability work: at each fixed stability share the robust order is optimised on "
                (count(sw.robust_trials)) " training futures of its own (at most "
                (count(sw.robust_budget)) " replays of them per share; the report divides "
                code { "--robust-budget" }
                " among the shares) and the scenario is re-planned, and both are replayed on "
                (count(sw.trials)) " sampled futures. The robust strategy's median is highest at "
                strong { (best(sw.best_p50)) } "; its bad case (P10) is best at "
                strong { (best(sw.best_p10)) } "."
            }
            (figure(
                charts,
                "debt-budget-sweep",
                "Net value against the stability share: the robust strategy's P10–P90 band, median and P10, and the re-planned plan's median (dotted); the dashed line marks the best share, grey the scenario's own ring-fence.",
            ))
            @if not_all_optimal {
                p.note {
                    "The planner's work per share is sized for " (compact(data.sweep_time_limit_secs))
                    " s here (the report divides " code { "--time-limit" }
                    " among the shares); plans not proven optimal within that work are marked feasible."
                }
            }
            table {
                tr {
                    th.n { "Stability share" } th.n { "Robust P10" } th.n { "Robust P50" }
                    th.n { "Robust P90" } th { "Plan" } th.n { "Planner objective" }
                    th.n { "Plan P50" }
                }
                @for r in &sw.rows {
                    @let chosen = sw.best_p50.is_some_and(|b| (b - r.share).abs() < 1e-9);
                    tr class=[chosen.then_some("pick")] {
                        td.n { (percent(r.share)) }
                        td.n { (money(r.robust.p10, cur)) }
                        td.n { (money(r.robust.p50, cur)) }
                        td.n { (money(r.robust.p90, cur)) }
                        @match &r.plan {
                            Some(p) => {
                                td { (status_text(p.status, p.gap, p.time_limit_reached)) }
                                td.n { (money(p.objective, cur)) }
                                td.n { (money(p.net_value.p50, cur)) }
                            }
                            None => {
                                td colspan="3" class="note" { (r.plan_note.as_deref().unwrap_or("no plan")) }
                            }
                        }
                    }
                }
                @for k in &sw.skipped {
                    tr {
                        td.n { (percent(k.share)) }
                        td colspan="6" class="note" { "skipped: " (k.reason) }
                    }
                }
            }
        }
    }
}

/// The summary's line on teams: the team whose next engineer pays off most (re-planned).
fn bottleneck_item(data: &ReportData) -> Markup {
    let cur = &data.scenario.currency;
    let ranked = crate::review::ranked_teams(&data.teams);
    let Some(top) = ranked.first() else {
        return html! {};
    };
    html! {
        @if let Some(gain) = top.next_engineer_plan().filter(|g| *g > 0.0) {
            li {
                "Where the next engineer pays off: " strong { (top.name) }
                " — one more engineer there adds " (money(gain, cur))
                " to the plan over the horizon (re-planned)"
                @if let Some(second) = ranked.get(1).and_then(|t| t.next_engineer_plan().map(|g| (t, g))) {
                    ", against " (money(second.1, cur)) " in " (second.0.name)
                }
                "; it is the bottleneck. See " a href="#teams" { "Teams" } "."
            }
        }
    }
}

fn teams_section(data: &ReportData, charts: &[(&Chart, &str)]) -> Markup {
    let s = data.scenario;
    if data.teams.is_empty() {
        return html! {};
    }
    let cur = &s.currency;
    let optional = |x: Option<f64>| x.map_or("–".to_string(), |v| money(v, cur));
    html! {
        section #teams {
            h2 { "Teams" }
            p {
                "Where the next engineer pays off: each team's capacity one engineer lower and one higher ("
                (compact(s.weeks_per_period)) " engineer-weeks in every period), re-planned from this report's plan and with the robust strategy searched again, ranked by what one more engineer adds to the plan."
            }
            table {
                tr {
                    th { "Team" } th.n { "Engineers now" } th.n { "+1 engineer: plan" }
                    th.n { "+1 engineer: robust P50" } th.n { "−1 engineer: plan" }
                }
                @for (k, t) in crate::review::ranked_teams(&data.teams).into_iter().enumerate() {
                    tr class=[(k == 0).then_some("pick")] {
                        td { (t.name) }
                        td.n { (tenths(t.engineers)) }
                        td.n { (optional(t.next_engineer_plan())) }
                        td.n { (optional(t.next_engineer_robust())) }
                        td.n {
                            @match t.one_fewer_plan() {
                                Some(v) => (money(-v, cur)),
                                None => "no plan",
                            }
                        }
                    }
                }
            }
            (figure(
                charts,
                "team-frontier",
                "Each team's frontier: the robust strategy's median net value with one engineer fewer, today's capacity (this report's plan) and one engineer more (re-planned from it).",
            ))
            (figure(
                charts,
                "team-capacity",
                "The plan's capacity by team and period, one panel per team on one scale: product and stability work, idle capacity, debt drag and the buffer.",
            ))
            h3 { "The plan by team" }
            table {
                tr {
                    th { "Team" } th { "Period" } th.n { "Capacity" } th.n { "Product" }
                    th.n { "Stability" } th.n { "Idle" } th.n { "Marginal value / eng-week" }
                }
                @for (j, team) in s.teams.iter().enumerate() {
                    @for p in &data.plan.periods {
                        @if let Some(part) = p.teams.get(j) {
                            tr {
                                td { (team.name) } td { (p.label) }
                                td.n { (tenths(part.capacity)) } td.n { (tenths(part.product)) }
                                td.n { (tenths(part.stability)) } td.n { (tenths(part.idle)) }
                                td.n { (money(part.marginal_value, cur)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn sensitivity_section(data: &ReportData, charts: &[(&Chart, &str)]) -> Markup {
    let sens = &data.sensitivity;
    let cur = &data.scenario.currency;
    let d = percent(sens.delta);
    let how = if sens.deterministic {
        "at mean estimates".to_string()
    } else {
        format!(
            "as the mean over {} sampled futures (seed {})",
            count(sens.trials),
            sens.seed
        )
    };
    let held = match &sens.replayed_order {
        Some(fixed) => format!(
            "as the fixed priority order and stability share ({}) its search found on the scenario as written (the search is not re-run for each input)",
            percent(fixed.stability_share)
        ),
        None => "with the plan held fixed".to_string(),
    };
    html! {
        section #sensitivity {
            h2 { "Sensitivity" }
            p {
                "Each major input is set " (d) " lower and " (d)
                " higher, one at a time, and " code { (sens.strategy) } " is replayed " (held)
                "; net value is measured " (how) ". Base: " (money(sens.base, cur)) "."
            }
            (figure(
                charts,
                "sensitivity-tornado",
                "Tornado: net value with each input lower (plain bars) and higher (hatched bars); the longest bars matter most.",
            ))
            table {
                tr { th { "Input" } th.n { (d) " lower" } th.n { (d) " higher" } th.n { "Swing" } }
                @for r in &sens.rows {
                    tr {
                        td { (r.label) }
                        td.n { (money(r.low, cur)) }
                        td.n { (money(r.high, cur)) }
                        td.n { (money(r.swing(), cur)) }
                    }
                }
            }
        }
    }
}

/// The plan's warnings about objectives that get far less work than their weight.
fn objective_warnings(data: &ReportData) -> Vec<String> {
    crate::objectives::plan_objectives(data.scenario, &data.plan)
        .map(|r| r.objective_warnings)
        .unwrap_or_default()
}

fn warnings(data: &ReportData) -> Markup {
    let s = data.scenario;
    let plan_warnings = objective_warnings(data);
    html! {
        section #warnings {
            h2 { "Warnings" }
            @if s.warnings.is_empty() && plan_warnings.is_empty() {
                p { "The scenario raised no warnings." }
            } @else {
                ul {
                    @for w in &s.warnings {
                        li.warn { (w) }
                    }
                    @for w in &plan_warnings {
                        li.warn { "plan: " (w) }
                    }
                }
            }
        }
    }
}

/// The OKR roll-up: the chart, then per objective its weight and work shares, engineer-weeks,
/// value earned and cost of delay in the plan, and the recommended strategy's chance that all
/// its items are delivered; nothing without objectives.
fn objectives_section(data: &ReportData, charts: &[(&Chart, &str)]) -> Markup {
    let Some(review) = crate::review::objectives_review(data) else {
        return html! {};
    };
    let cur = &data.scenario.currency;
    let r = &review.rollup;
    let rec = review.recommended;
    let p_all = |p: Option<f64>| p.map_or("–".to_string(), percent);
    let groups = [
        (
            "Any objective",
            &r.any_objective,
            rec.and_then(|x| x.any_objective.as_ref()),
        ),
        (
            "No objective",
            &r.no_objective,
            rec.and_then(|x| x.no_objective.as_ref()),
        ),
    ];
    html! {
        section #objectives {
            h2 { "Objectives" }
            p {
                "How the plan for the mean future spreads its work over the scenario's objectives: each objective's share of the weights beside its share of the planned engineer-weeks, and what its items earn and cost in delay. An item linked to several objectives counts in full for each, so the objectives' rows overlap; “any objective” and “no objective” do not, and together they are the whole plan."
                @if let Some(rec) = rec {
                    " The last column is the chance, under the recommended strategy " code { (rec.name) }
                    ", that every item of the row is delivered within the horizon."
                }
            }
            (figure(
                charts,
                "objectives",
                "Per objective its share of the weights (plain bars) beside its share of the planned engineer-weeks (hatched bars), and the value its items earn in the plan.",
            ))
            div.wide {
                table {
                    tr {
                        th { "Objective" } th.n { "Weight share" } th.n { "Work share" }
                        th.n { "Planned eng-weeks" } th.n { "Value earned" } th.n { "Cost of delay" }
                        th.n { "Initiatives" }
                        @if let Some(rec) = rec { th.n { "All delivered under " (rec.name) } }
                    }
                    @for (k, o) in r.objectives.iter().enumerate() {
                        @let f = &o.figures;
                        @let short = f.work_share < 0.5 * o.weight_share || (o.weight_share > 0.0 && f.planned_weeks <= 0.0);
                        tr {
                            td { (o.name) @if o.name != o.id { br; span.note { (o.id) } } }
                            td.n { (percent(o.weight_share)) }
                            td.n.warn[short] { (crate::objectives::share_text(f.work_share)) }
                            td.n { (tenths(f.planned_weeks)) }
                            td.n { (money(f.value_earned, cur)) }
                            td.n { (money(f.cost_of_delay, cur)) }
                            td.n { (f.n_initiatives) }
                            @if let Some(rec) = rec {
                                td.n { (p_all(rec.objectives.get(k).and_then(|x| x.p_all_delivered))) }
                            }
                        }
                    }
                    @for (name, f, outcome) in groups {
                        tr {
                            td { em { (name) } }
                            td.n { "–" }
                            td.n { (crate::objectives::share_text(f.work_share)) }
                            td.n { (tenths(f.planned_weeks)) }
                            td.n { (money(f.value_earned, cur)) }
                            td.n { (money(f.cost_of_delay, cur)) }
                            td.n { (f.n_initiatives) }
                            @if rec.is_some() {
                                td.n { (p_all(outcome.and_then(|x| x.p_all_delivered))) }
                            }
                        }
                    }
                }
            }
            @if !r.objective_warnings.is_empty() {
                ul {
                    @for w in &r.objective_warnings {
                        li.warn { (w) }
                    }
                }
            }
        }
    }
}

fn method(data: &ReportData, charts: &[(&Chart, &str)]) -> Markup {
    let s = data.scenario;
    html! {
        section #method {
            h2 { "How this report was made" }
            ul {
                li {
                    "The recommendation is the strategy with the highest expected (mean) net value among those that meet hard deadlines and commitments within "
                    (percent(RELIABILITY_TOLERANCE))
                    " of the most reliable strategy; ties go to the higher P10."
                }
                li {
                    "Amounts are discounted net value over the horizon; P10 / P50 / P90 are the 10th, 50th and 90th percentiles over the sampled futures."
                }
                li {
                    "Effort in engineer-weeks; " (compact(s.weeks_per_period)) " weeks per "
                    (s.period_label.as_str()) "."
                }
                li {
                    "Beside this page: " code { "plan.csv" } ", " code { "comparison.csv" } ", "
                    code { "results.json" }
                    @for (chart, _) in charts {
                        ", " code { (chart.name) ".svg" } ", " code { (chart.name) ".png" }
                    }
                    "."
                }
            }
        }
    }
}

/// Everything in `html` that would make a browser fetch something: `src=`, `href=` other than an
/// in-page `#anchor`, CSS `url(` and `@import`, `<link>`, `<script>`, frames and embeds, and
/// any `http:` / `https:` / `file:` address. The report's page must have none.
pub fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let snippet = |at: usize| -> String {
        let end = (at + 60).min(html.len());
        let mut end = end;
        while !html.is_char_boundary(end) {
            end -= 1;
        }
        html[at..end].to_string()
    };
    for needle in [
        "src=",
        "url(",
        "@import",
        "<link",
        "<script",
        "<iframe",
        "<object",
        "<embed",
        "http:",
        "https:",
        "file:",
        "srcset",
        "xlink:href",
    ] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(needle) {
            found.push(snippet(from + i));
            from += i + needle.len();
        }
    }
    let mut from = 0;
    while let Some(i) = lower[from..].find("href=") {
        let at = from + i;
        let value = lower[at + 5..].trim_start_matches(['"', '\'']);
        if !value.starts_with('#') {
            found.push(snippet(at));
        }
        from = at + 5;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::fixture;
    use crate::report::charts_of;

    fn page() -> String {
        let scenario = fixture::scenario(8);
        let data = fixture::report_data(&scenario);
        let charts = charts_of(&data);
        let svgs: Vec<String> = charts.iter().map(|c| c.svg().unwrap()).collect();
        let figures: Vec<(&Chart, &str)> =
            charts.iter().zip(svgs.iter().map(String::as_str)).collect();
        render(&data, &figures)
    }

    #[test]
    fn the_page_loads_nothing_from_anywhere() {
        let html = page();
        assert_eq!(external_references(&html), Vec::<String>::new());
        assert_eq!(html.matches("<svg").count(), 8);
    }

    #[test]
    fn the_page_opens_with_the_recommendation_and_escapes_user_text() {
        let html = page();
        let summary = html.find("Executive summary").unwrap();
        assert!(summary < html.find("id=\"plan\"").unwrap());
        assert!(html.contains("Recommended: <strong>robust</strong>"));
        assert!(html.contains("Passed over: <code>wsjf</code>"));
        assert!(html.contains("Outcome of GDPR data export &lt;b&gt;&amp;&lt;/b&gt;"));
        assert!(html.contains("hard deadline 2027-Q3"));
        for section in [
            "summary",
            "plan",
            "comparison",
            "sweep",
            "sensitivity",
            "warnings",
        ] {
            assert!(
                html.contains(&format!("<section id=\"{section}\">")),
                "{section}"
            );
        }
        assert!(html.contains("neither value, one-time value nor risk"));
    }

    #[test]
    fn objectives_get_a_section_and_a_link_only_when_the_scenario_has_them() {
        let html = page();
        assert!(!html.contains("<section id=\"objectives\">"));
        assert!(!html.contains("href=\"#objectives\""));
        let mut scenario = fixture::scenario(8);
        scenario.objectives = vec![crate::scenario::Objective {
            id: "growth".into(),
            name: "Grow <b>revenue</b>".into(),
            weight: 1.0,
        }];
        scenario.initiatives[0].objectives = vec![0];
        let data = fixture::report_data(&scenario);
        let charts = charts_of(&data);
        let chart = charts
            .iter()
            .find(|c| c.name == "objectives")
            .expect("the chart");
        let svg = chart.svg().unwrap();
        let html = render(&data, &[(chart, &svg)]);
        assert!(html.contains("href=\"#objectives\""));
        let at = html
            .find("<section id=\"objectives\">")
            .expect("the section");
        let section = &html[at..at + html[at..].find("</section>").unwrap()];
        for text in [
            "fig-objectives",
            "Grow &lt;b&gt;revenue&lt;/b&gt;",
            "<em>Any objective</em>",
            "<em>No objective</em>",
        ] {
            assert!(section.contains(text), "{text} in {section}");
        }
        // The fixture's simulation has no roll-up, so no strategy column.
        assert!(!section.contains("All delivered under"));
    }

    #[test]
    fn the_summary_says_what_optimising_is_worth() {
        let html = page();
        let summary = &html[..html.find("<section id=\"plan\">").unwrap()];
        assert!(
            summary.contains("What optimising is worth: <code>robust</code>"),
            "{summary}"
        );
        // robust − CTO proposal = 0.9 × 380k, robust − plan = 0.9 × 80k, each ± 2 × 4k.
        assert!(summary.contains("earns <strong>€342k ± €8k</strong> more than <code>CTO proposal</code> (the best strategy written in the scenario)"), "{summary}");
        assert!(summary.contains("earns <strong>€72k ± €8k</strong> more than <code>plan</code> (the optimum for the mean future)"), "{summary}");
    }

    #[test]
    fn the_plan_section_opens_with_the_roadmap_then_the_mean_future_plan() {
        let html = page();
        let plan = &html[html.find("<section id=\"plan\">").unwrap()
            ..html.find("<section id=\"comparison\">").unwrap()];
        let roadmap = plan
            .find("The roadmap under <code>robust</code>")
            .expect("the roadmap");
        let figure = plan
            .find("<figure id=\"fig-roadmap\">")
            .expect("the roadmap chart");
        let milp = plan
            .find("The optimum for the mean future")
            .expect("the MILP plan");
        assert!(roadmap < figure && figure < milp, "{plan}");
        assert!(plan.find("fig-plan-timeline").unwrap() > milp);
        assert!(plan[milp..].contains("proven bound is €1.45M and its gap under 0.1%"));
        let table = &plan[figure..milp];
        for text in [
            "Now — starts in 2027-Q1 · 2 items",
            "Next — starts 2027-Q2 to 2027-Q4 · 5 items",
            "<td class=\"n warn\">50%</td>",
            "hard 2027-Q3",
            "background:#56b4e9",
            "training futures of their own, growing from <code>CTO proposal</code>",
        ] {
            assert!(plan.contains(text), "{text} in {table}");
        }
    }

    #[test]
    fn the_header_says_value_units_when_the_scenario_names_no_currency() {
        let mut scenario = fixture::scenario(8);
        scenario.currency = String::new();
        let html = render(&fixture::report_data(&scenario), &[]);
        assert!(html.contains(" · amounts in value units · "), "{html}");
        assert!(!html.contains("amounts in  ·"));
    }

    #[test]
    fn the_roadmap_table_escapes_names_and_gives_open_ranges() {
        let mut scenario = fixture::scenario(8);
        scenario.initiatives[0].name = "SSO <b>&</b> \"more\"".into();
        let mut data = fixture::report_data(&scenario);
        let k = data.recommendation.as_ref().unwrap().index;
        let o = &mut data.simulation.strategies[k].initiatives[1];
        o.delivered_by = vec![0.0, 0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.85];
        o.delivery_p50 = Some(5);
        let html = render(&data, &[]);
        assert!(html.contains("SSO &lt;b&gt;&amp;&lt;/b&gt; &quot;more&quot;"));
        assert!(!html.contains("<b>&</b>"));
        assert!(
            html.contains("<td class=\"d\">2027-Q3 – after the horizon</td>"),
            "{html}"
        );
    }

    #[test]
    fn scenario_text_is_escaped_everywhere_currency_included() {
        let hostile = "<img src=x onerror=\"alert('x')\">&";
        let mut scenario = fixture::scenario(8);
        scenario.currency = hostile.into();
        scenario.name = hostile.into();
        for it in &mut scenario.initiatives {
            it.name = hostile.into();
            it.business_outcome = Some(hostile.into());
        }
        let data = fixture::report_data(&scenario);
        let charts = charts_of(&data);
        let svgs: Vec<String> = charts.iter().map(|c| c.svg().unwrap()).collect();
        let figures: Vec<(&Chart, &str)> =
            charts.iter().zip(svgs.iter().map(String::as_str)).collect();
        let html = render(&data, &figures);
        assert!(!html.contains("<img"), "unescaped markup in the page");
        assert!(!html.contains("'x')\">&<"), "unescaped text in the page");
        // maud escapes `& < > "` and leaves `'` as it is: safe, as it writes every attribute
        // value in double quotes and `'` means nothing in text.
        assert!(html.contains("&lt;img src=x onerror=&quot;alert('x')&quot;&gt;&amp;"));
        // Amounts carry the currency: escaped once, not twice.
        assert!(!html.contains("&amp;lt;img"), "escaped twice");
        for svg in &svgs {
            assert!(!svg.contains("<img"), "unescaped markup in a chart");
        }
    }

    #[test]
    fn the_sensitivity_says_robust_is_replayed_as_a_fixed_order() {
        let html = page();
        assert!(html.contains(
            "<code>robust</code> is replayed as the fixed priority order and stability share (25%)"
        ));
    }

    #[test]
    fn the_sweep_table_gives_each_plans_own_gap() {
        let html = page();
        let sweep = &html[html.find("<section id=\"sweep\">").unwrap()..];
        assert!(
            sweep.contains("feasible, within 1.2% of the bound"),
            "{sweep}"
        );
        assert!(!sweep.contains("within 0% of the bound"));
    }

    #[test]
    fn external_references_are_found() {
        for bad in [
            "<img src=\"a.png\">",
            "<link href=\"x.css\" rel=\"stylesheet\">",
            "<div style=\"background:url(x.png)\">",
            "<a href=\"https://example.com\">x</a>",
            "<script>1</script>",
            "<a href='plan.csv'>",
        ] {
            assert!(!external_references(bad).is_empty(), "{bad}");
        }
        assert!(external_references("<a href=\"#plan\">Plan</a>").is_empty());
    }

    /// Writes the fixture's page where `TRADEOFF_CHART_DIR` points, to look at it.
    #[test]
    #[ignore]
    fn write_fixture_page() {
        let Ok(dir) = std::env::var("TRADEOFF_CHART_DIR") else {
            return;
        };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("index.html"), page()).unwrap();
    }

    #[test]
    fn inline_svg_drops_size_and_namespace() {
        let svg = "<svg width=\"1600\" height=\"900\" viewBox=\"0 0 1600 900\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        let inline = inline_svg(svg, "A \"title\"");
        assert!(inline.starts_with(
            "<svg viewBox=\"0 0 1600 900\" role=\"img\" aria-label=\"A &quot;title&quot;\"><rect/>"
        ));
        assert!(!inline.contains("http"));
        assert!(!inline.contains("width="));
    }

    #[test]
    fn inline_svg_replaces_the_svg_start_tag_not_the_first_tag_in_the_document() {
        let svg = "<?xml version=\"1.0\" standalone=\"no\"?>\n\
                   <!-- drawn by <b>plotters</b>, viewBox=\"9 9 9 9\" -->\n\
                   <svg width=\"800\" height=\"600\" viewBox=\"0 0 800 600\" data-note=\"a > b\" \
                   xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n</svg>\n";
        let inline = inline_svg(svg, "T");
        assert_eq!(
            inline,
            "<svg viewBox=\"0 0 800 600\" role=\"img\" aria-label=\"T\"><rect/>\n</svg>\n"
        );
    }
}
