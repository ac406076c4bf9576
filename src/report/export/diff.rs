//! `tradeoff diff`: what changed, both plans, what moved and why, as one [`Document`] laid out
//! as text or markdown, or the serde form of [`Diff`] as JSON.

use super::document::Document;
use super::markdown::to_markdown;
use crate::diff::{show, Diff, Placement, Status, Subject};
use crate::error::Error;
use crate::number::{amount, currency_unit, gap_percent, grouped, signed};
use crate::plan::PlanStatus;
use crate::report::text::shorten;
use crate::report::Format;
use crate::scenario::Scenario;

/// Renders a diff in `format` (table, JSON or markdown; CSV is refused earlier, by the CLI).
pub fn render_diff(
    old: &Scenario,
    new: &Scenario,
    diff: &Diff,
    format: Format,
) -> Result<String, Error> {
    match format {
        Format::Json => serde_json::to_string_pretty(diff)
            .map(|text| text + "\n")
            .map_err(|e| Error::Internal(format!("cannot write the diff as JSON: {e}"))),
        Format::Markdown => Ok(to_markdown(&diff_document(old, new, diff))),
        Format::Table | Format::Csv => Ok(diff_document(old, new, diff).to_text()),
    }
}

/// A field's value in a table cell, shortened (the JSON form keeps it whole).
fn cell(value: &serde_json::Value) -> String {
    shorten(&show(value), 48)
}

fn placed(s: &Scenario, p: &Option<Placement>) -> String {
    p.as_ref().map_or_else(|| "—".into(), |p| p.describe(s))
}

/// The diff as a document: changes, plans, moves, and the waterfall.
pub(crate) fn diff_document(old: &Scenario, new: &Scenario, diff: &Diff) -> Document {
    let cur = new.currency.as_str();
    let mut doc = Document::default();
    doc.title(format!(
        "What changed: {} → {}",
        diff.old.file, diff.new.file
    ));
    if diff.changes.is_empty() {
        doc.line("The two scenarios are the same: no initiative, team or section differs.");
    }
    let (added, removed, changed) = diff.initiative_counts();
    if added + removed + changed > 0 {
        doc.heading(format!(
            "Initiatives: {added} added, {removed} removed, {changed} changed"
        ));
        let mut rows = vec![vec![
            "Initiative".into(),
            "Field".into(),
            "Old".into(),
            "New".into(),
        ]];
        for c in diff
            .changes
            .iter()
            .filter(|c| c.subject == Subject::Initiative)
        {
            match c.status {
                Status::Added => rows.push(vec![
                    c.id.clone(),
                    "added".into(),
                    "—".into(),
                    c.name.clone(),
                ]),
                Status::Removed => rows.push(vec![
                    c.id.clone(),
                    "removed".into(),
                    c.name.clone(),
                    "—".into(),
                ]),
                Status::Changed => {
                    for (k, f) in c.fields.iter().enumerate() {
                        let who = if k == 0 { c.id.clone() } else { String::new() };
                        rows.push(vec![who, f.field.clone(), cell(&f.old), cell(&f.new)]);
                    }
                }
            }
        }
        doc.table(rows, 4, "  ");
    }
    let sections: Vec<_> = diff
        .changes
        .iter()
        .filter(|c| c.subject != Subject::Initiative)
        .collect();
    if !sections.is_empty() {
        doc.heading("Capacity, debt, teams and other settings");
        let mut rows = vec![vec![
            "Section".into(),
            "Field".into(),
            "Old".into(),
            "New".into(),
        ]];
        for c in sections {
            let what = match c.subject {
                Subject::Team => format!("team {}", c.id),
                _ => c.id.clone(),
            };
            match c.status {
                Status::Added => rows.push(vec![what, "added".into(), "—".into(), c.name.clone()]),
                Status::Removed => {
                    rows.push(vec![what, "removed".into(), c.name.clone(), "—".into()])
                }
                Status::Changed => {
                    for (k, f) in c.fields.iter().enumerate() {
                        let who = if k == 0 { what.clone() } else { String::new() };
                        rows.push(vec![who, f.field.clone(), cell(&f.old), cell(&f.new)]);
                    }
                }
            }
        }
        doc.table(rows, 4, "  ");
    }

    doc.heading("The plans");
    match (&diff.old.plan, &diff.new.plan) {
        (Some(a), Some(b)) => {
            let status = |s: PlanStatus, gap: f64| match s {
                PlanStatus::Optimal => "optimal".to_string(),
                _ => format!("feasible, gap {}", gap_percent(gap)),
            };
            let mut rows = vec![vec![
                String::new(),
                "Old".into(),
                "New".into(),
                format!("Change ({})", currency_unit(cur)),
            ]];
            for (what, x, y) in [
                ("Objective (net value)", a.objective, b.objective),
                ("Value earned", a.value_earned, b.value_earned),
                ("Cost of delay", a.cost_of_delay, b.cost_of_delay),
                ("Deadline penalties", a.penalties, b.penalties),
            ] {
                rows.push(vec![
                    what.into(),
                    amount(x, cur),
                    amount(y, cur),
                    signed(y - x),
                ]);
            }
            rows.push(vec![
                "Status".into(),
                status(a.status, a.gap),
                status(b.status, b.gap),
                String::new(),
            ]);
            doc.table(rows, 1, "  ");
        }
        _ => {
            for (which, side) in [("old", &diff.old), ("new", &diff.new)] {
                match (&side.plan, &side.plan_note) {
                    (Some(p), _) => doc.line(format!(
                        "The {which} plan's objective: {}.",
                        amount(p.objective, cur)
                    )),
                    (None, Some(note)) => {
                        doc.line(format!("The {which} scenario has no plan: {note}."))
                    }
                    (None, None) => doc.line(format!("The {which} scenario has no plan.")),
                }
            }
        }
    }

    if !diff.moved.is_empty() {
        doc.heading("What moved in the plan");
        let mut rows = vec![vec![
            "Initiative".into(),
            "Old plan".into(),
            "New plan".into(),
        ]];
        for m in &diff.moved {
            rows.push(vec![m.id.clone(), placed(old, &m.old), placed(new, &m.new)]);
        }
        doc.table(rows, 3, "  ");
    } else if diff.old.plan.is_some() && diff.new.plan.is_some() {
        doc.heading("What moved in the plan");
        doc.line("No initiative changed its bucket or delivery period.");
    }

    if let Some(w) = &diff.attribution {
        doc.heading("Why the objective moved");
        doc.line(
            "Each change applied alone to the old scenario and re-planned; the interaction is what the changes do together beyond that.",
        );
        let mut rows = vec![vec!["".into(), format!("Effect ({})", currency_unit(cur))]];
        rows.push(vec!["Old objective".into(), grouped(w.old_objective)]);
        for (label, delta) in w.bars() {
            rows.push(vec![label, signed(delta)]);
        }
        rows.push(vec!["New objective".into(), grouped(w.new_objective)]);
        doc.table(rows, 1, "  ");
        for u in &w.unattributed {
            doc.line(format!(
                "`{}` has no part of its own: {}.",
                u.change, u.reason
            ));
        }
        if w.max_gap > 0.0 {
            doc.line(format!(
                "Each part is exact up to its plans' gaps; the largest is {}.",
                gap_percent(w.max_gap)
            ));
        }
    }
    doc
}
