//! `tradeoff validate` output: a short readable summary, or the same as JSON.

use std::fmt::Write;

use super::text::shorten;
use crate::number::{amount, count, fixed, percent, weeks};
use crate::scenario::summary::{summarize, Summary};
use crate::scenario::Scenario;

/// The widest an initiative id is shown in the table (longer ones end in `…`).
const ID_SHOWN: usize = 40;

/// The summary as text a leader reads in a few seconds.
pub fn render_table(scenario: &Scenario) -> String {
    let s = summarize(scenario);
    let mut out = String::new();
    let _ = write_table(&mut out, &s, scenario);
    out
}

fn write_table(out: &mut String, s: &Summary, scenario: &Scenario) -> std::fmt::Result {
    writeln!(out, "{} — valid", s.name)?;
    writeln!(
        out,
        "  horizon      {} periods ({} … {}), {} per period",
        s.periods,
        s.first_period,
        s.last_period,
        scenario.period_label.as_str()
    )?;
    let kinds: Vec<String> = s
        .by_kind
        .iter()
        .map(|(k, n)| format!("{} {k}", count(*n)))
        .collect();
    let classes: Vec<String> = s
        .by_class
        .iter()
        .map(|(c, n)| format!("{} {c}", count(*n)))
        .collect();
    writeln!(
        out,
        "  initiatives  {}: {}",
        count(s.initiatives),
        kinds.join(", ")
    )?;
    writeln!(out, "               by class: {}", classes.join(", "))?;
    writeln!(out)?;
    writeln!(
        out,
        "  demand       {} engineer-weeks of remaining work (mean)",
        weeks(s.effort_weeks)
    )?;
    writeln!(
        out,
        "  capacity     {} engineer-weeks allocatable after the {} buffer",
        weeks(s.allocatable_weeks),
        percent(scenario.capacity.buffer)
    )?;
    if s.effective_weeks < s.allocatable_weeks - 1e-9 {
        writeln!(
            out,
            "               {} after debt drag if no debt is paid down",
            weeks(s.effective_weeks)
        )?;
    }
    writeln!(
        out,
        "  overcommit   {}× — {}",
        fixed(s.overcommitment, 2),
        if s.overcommitment > 1.0 {
            "not everything fits: the plan must choose"
        } else {
            "everything could fit, if sequencing allows"
        }
    )?;
    writeln!(
        out,
        "  ring-fence   stability share {}–{} of effective capacity{}",
        percent(scenario.capacity.stability_min),
        percent(scenario.capacity.stability_max),
        if s.teams.is_empty() {
            ""
        } else {
            ", in each team"
        }
    )?;
    if !s.teams.is_empty() {
        let ids: Vec<String> = s.teams.iter().map(|t| shorten(&t.id, ID_SHOWN)).collect();
        let width = ids.iter().map(|id| id.chars().count()).max().unwrap_or(0);
        writeln!(out, "  teams        demand of allocatable engineer-weeks")?;
        for (team, id) in s.teams.iter().zip(&ids) {
            let ratio = if team.allocatable_weeks > 0.0 {
                format!("{}×", fixed(team.effort_weeks / team.allocatable_weeks, 2))
            } else {
                "no capacity".into()
            };
            writeln!(
                out,
                "    {id:<width$}  {:>7} of {:>7}  {ratio}",
                weeks(team.effort_weeks),
                weeks(team.allocatable_weeks),
            )?;
        }
    }
    if s.longest_chain.len() > 1 {
        writeln!(
            out,
            "  longest dependency chain ({}): {}",
            s.longest_chain.len(),
            s.longest_chain.join(" → ")
        )?;
    }
    if !s.deadlines.is_empty() {
        writeln!(out)?;
        writeln!(out, "  deadlines and commitments")?;
        // Ids are shown at most ID_SHOWN characters wide: a width past 65,535 would panic.
        let ids: Vec<String> = s
            .deadlines
            .iter()
            .map(|d| shorten(&d.id, ID_SHOWN))
            .collect();
        let width = ids.iter().map(|id| id.chars().count()).max().unwrap_or(0);
        for (d, id) in s.deadlines.iter().zip(&ids) {
            let what = match (d.kind, d.penalty) {
                ("soft", Some(p)) => format!("soft, penalty {}", amount(p, &s.currency)),
                ("commit", _) => "commitment (within the horizon)".to_string(),
                _ => "hard".to_string(),
            };
            let what = match &d.team {
                Some(team) => format!("{what}; tightest for team {}", shorten(team, ID_SHOWN)),
                None => what,
            };
            writeln!(
                out,
                "    {:<width$}  by {:<10}  {:>7} of at most {:>7} engineer-weeks  {}",
                id,
                d.label,
                weeks(d.effort_weeks),
                weeks(d.max_weeks_by_then),
                what,
            )?;
        }
    }
    if !s.warnings.is_empty() {
        writeln!(out)?;
        for w in &s.warnings {
            writeln!(out, "  warning: {w}")?;
        }
    }
    Ok(())
}

/// The same summary as JSON.
pub fn render_json(scenario: &Scenario) -> String {
    let s = summarize(scenario);
    let by_kind: serde_json::Map<String, serde_json::Value> = s
        .by_kind
        .iter()
        .map(|(k, n)| (k.as_str().to_string(), (*n).into()))
        .collect();
    let by_class: serde_json::Map<String, serde_json::Value> = s
        .by_class
        .iter()
        .map(|(c, n)| (c.as_str().to_string(), (*n).into()))
        .collect();
    let json = serde_json::json!({
        "valid": true,
        "name": s.name,
        "periods": s.periods,
        "labels": scenario.labels,
        "currency": s.currency,
        "initiatives": s.initiatives,
        "by_kind": by_kind,
        "by_class": by_class,
        "effort_weeks": s.effort_weeks,
        "allocatable_weeks": s.allocatable_weeks,
        "effective_weeks": s.effective_weeks,
        "overcommitment": s.overcommitment,
        "longest_chain": s.longest_chain,
        "deadlines": s.deadlines,
        "warnings": s.warnings,
    });
    let mut json = json;
    if !s.teams.is_empty() {
        json["teams"] = serde_json::json!(s.teams);
    }
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}
