//! What differs between two scenarios of one portfolio, field by field, in the user's words.
//!
//! Items are matched by id. Uncertain fields compare by their means (what the planner reads); a
//! change of spread that keeps the mean is listed as a range change that cannot move the plan.
//! Each [`FieldChange`] says whether the planner reads the field, so the attribution re-plans
//! only the changes that can move the plan.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::number;
use crate::scenario::{Deadline, Estimate, Initiative, Risk, Scenario};

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    /// An `[[initiative]]` (or a CSV row), by id.
    Initiative,
    /// A `[[team]]`, by id.
    Team,
    /// A section of the scenario: `scenario`, `capacity`, `debt`, `objectives` or `strategies`.
    Section,
}

/// Whether the subject is new, gone or edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
}

/// One field that differs: its value in OLD and in NEW (null when absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
    /// The planner reads this field, so the change can move the plan.
    pub affects_plan: bool,
}

/// One initiative, team or section that differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub subject: Subject,
    /// The initiative's or team's id, or the section's name.
    pub id: String,
    /// The name a person reads (NEW's when both have one).
    pub name: String,
    pub status: Status,
    /// The fields that differ (for a changed subject; empty when added or removed).
    pub fields: Vec<FieldChange>,
}

impl Change {
    /// True when applying this change alone could change the plan's objective.
    pub fn affects_plan(&self) -> bool {
        match self.status {
            Status::Added | Status::Removed => self.subject != Subject::Section,
            Status::Changed => self.fields.iter().any(|f| f.affects_plan),
        }
    }

    /// A short label: `sso: effort, value`, `audit-log added`, `team platform: per_period`.
    pub fn label(&self) -> String {
        let what = match self.subject {
            Subject::Team => format!("team {}", self.id),
            _ => self.id.clone(),
        };
        match self.status {
            Status::Added => format!("{what} added"),
            Status::Removed => format!("{what} removed"),
            Status::Changed => {
                let mut fields: Vec<&str> = Vec::new();
                for f in &self.fields {
                    if !fields.contains(&f.field.as_str()) {
                        fields.push(&f.field);
                    }
                }
                format!("{what}: {}", fields.join(", "))
            }
        }
    }
}

/// Every initiative, team and section that differs, in this order: initiatives (OLD's order,
/// then those only NEW has), the scenario, capacity and debt sections, teams, objectives,
/// strategies.
pub fn compare(old: &Scenario, new: &Scenario) -> Vec<Change> {
    let mut changes = Vec::new();
    for o in &old.initiatives {
        match new.initiatives.iter().find(|n| n.id == o.id) {
            None => changes.push(whole(Subject::Initiative, &o.id, &o.name, Status::Removed)),
            Some(n) => {
                let fields = initiative_fields(old, o, new, n);
                if !fields.is_empty() {
                    changes.push(Change {
                        subject: Subject::Initiative,
                        id: o.id.clone(),
                        name: n.name.clone(),
                        status: Status::Changed,
                        fields,
                    });
                }
            }
        }
    }
    for n in &new.initiatives {
        if !old.initiatives.iter().any(|o| o.id == n.id) {
            changes.push(whole(Subject::Initiative, &n.id, &n.name, Status::Added));
        }
    }
    changes.extend(section("scenario", scenario_fields(old, new)));
    changes.extend(section("capacity", capacity_fields(old, new)));
    changes.extend(section("debt", debt_fields(old, new)));
    changes.extend(team_changes(old, new));
    changes.extend(section("objectives", objective_fields(old, new)));
    changes.extend(section("strategies", strategy_fields(old, new)));
    changes
}

/// A section's change, when any of its fields differs.
fn section(name: &str, fields: Vec<FieldChange>) -> Option<Change> {
    (!fields.is_empty()).then(|| Change {
        subject: Subject::Section,
        id: name.into(),
        name: name.into(),
        status: Status::Changed,
        fields,
    })
}

fn whole(subject: Subject, id: &str, name: &str, status: Status) -> Change {
    Change {
        subject,
        id: id.into(),
        name: name.into(),
        status,
        fields: Vec::new(),
    }
}

/// Collects the fields that differ.
#[derive(Default)]
struct Fields(Vec<FieldChange>);

impl Fields {
    fn push(&mut self, field: &str, old: Value, new: Value, affects_plan: bool) {
        if old != new {
            self.0.push(FieldChange {
                field: field.into(),
                old,
                new,
                affects_plan,
            });
        }
    }

    /// An uncertain field: its mean (read by the planner), else its range when only the spread
    /// moved.
    fn estimate(&mut self, field: &str, old: &Estimate, new: &Estimate, affects_plan: bool) {
        let before = self.0.len();
        self.push(field, num(old.mean()), num(new.mean()), affects_plan);
        if self.0.len() == before && old != new {
            let range = format!("{field} range");
            self.push(&range, range_text(old), range_text(new), false);
        }
    }
}

fn num(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

fn opt_num(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num)
}

fn text(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

fn ids(list: Vec<&str>) -> Value {
    Value::Array(list.into_iter().map(text).collect())
}

fn range_text(e: &Estimate) -> Value {
    if e.is_fixed() {
        text(number::as_written(e.likely))
    } else {
        text(format!(
            "{} / {} / {}",
            number::as_written(e.low),
            number::as_written(e.likely),
            number::as_written(e.high)
        ))
    }
}

fn deadline_text(s: &Scenario, d: &Option<Deadline>) -> Value {
    match d {
        None => Value::Null,
        Some(Deadline::Hard { period }) => text(format!("{} (hard)", period_name(s, *period))),
        Some(Deadline::Soft { period, penalty }) => text(format!(
            "{}, penalty {}",
            period_name(s, *period),
            number::grouped(*penalty)
        )),
    }
}

fn period_name(s: &Scenario, period: usize) -> String {
    s.labels
        .get(period.wrapping_sub(1))
        .cloned()
        .unwrap_or_else(|| format!("P{period}"))
}

fn risk_form(r: &Option<Risk>) -> Value {
    match r {
        None => Value::Null,
        Some(Risk::PerPeriod(e)) => match range_text(e) {
            Value::String(s) => text(format!("{s} per period")),
            other => other,
        },
        Some(Risk::Incident {
            probability,
            impact,
        }) => match range_text(impact) {
            Value::String(s) => text(format!(
                "probability {} × impact {s}",
                number::as_written(*probability)
            )),
            other => other,
        },
    }
}

fn split_text(s: &Scenario, item: &Initiative) -> Value {
    if item.split.is_empty() {
        return Value::Null;
    }
    let team = |j: usize| s.teams.get(j).map_or("?", |t| t.id.as_str());
    if let [(j, _)] = item.split[..] {
        return text(team(j));
    }
    text(
        item.split
            .iter()
            .map(|&(j, share)| format!("{} {}", team(j), number::as_written(share)))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn initiative_fields(
    old: &Scenario,
    o: &Initiative,
    new: &Scenario,
    n: &Initiative,
) -> Vec<FieldChange> {
    let mut f = Fields::default();
    f.push("name", text(&o.name), text(&n.name), false);
    f.push("kind", text(o.kind.as_str()), text(n.kind.as_str()), false);
    f.push(
        "class",
        text(o.class.as_str()),
        text(n.class.as_str()),
        true,
    );
    f.estimate("effort", &o.effort, &n.effort, true);
    f.push("progress", num(o.progress), num(n.progress), true);
    f.push("team", opt_num(o.team), opt_num(n.team), true);
    f.estimate("value", &o.value, &n.value, true);
    f.estimate("one_time_value", &o.one_time_value, &n.one_time_value, true);
    let before = f.0.len();
    f.push(
        "risk_if_deferred",
        opt_num(o.risk.map(|r| r.expected_per_period())),
        opt_num(n.risk.map(|r| r.expected_per_period())),
        true,
    );
    if f.0.len() == before {
        f.push(
            "risk_if_deferred form",
            risk_form(&o.risk),
            risk_form(&n.risk),
            false,
        );
    }
    f.push(
        "deadline",
        deadline_text(old, &o.deadline),
        deadline_text(new, &n.deadline),
        true,
    );
    let required = |s: &Scenario, item: &Initiative| {
        let mut list: Vec<&str> = item
            .requires
            .iter()
            .map(|&r| s.initiatives[r].id.as_str())
            .collect();
        list.sort_unstable();
        ids(list)
    };
    f.push("requires", required(old, o), required(new, n), true);
    let linked = |s: &Scenario, item: &Initiative| {
        let mut list: Vec<&str> = item
            .objectives
            .iter()
            .map(|&k| s.objectives[k].id.as_str())
            .collect();
        list.sort_unstable();
        ids(list)
    };
    f.push("objectives", linked(old, o), linked(new, n), false);
    f.push("commit", Value::Bool(o.commit), Value::Bool(n.commit), true);
    f.push("debt_relief", num(o.debt_relief), num(n.debt_relief), true);
    f.push("teams", split_text(old, o), split_text(new, n), true);
    let outcome = |i: &Initiative| i.business_outcome.clone().map_or(Value::Null, text);
    f.push("business_outcome", outcome(o), outcome(n), false);
    f.0
}

/// Capacity per period: one number when every period has the same, else the list.
fn per_period(list: &[f64]) -> Value {
    match list {
        [first, rest @ ..] if rest.iter().all(|x| x == first) => num(*first),
        _ => Value::Array(list.iter().map(|&x| num(x)).collect()),
    }
}

fn scenario_fields(old: &Scenario, new: &Scenario) -> Vec<FieldChange> {
    let mut f = Fields::default();
    f.push("name", text(&old.name), text(&new.name), false);
    f.push(
        "periods",
        num(old.periods as f64),
        num(new.periods as f64),
        true,
    );
    f.push(
        "period_label",
        text(old.period_label.as_str()),
        text(new.period_label.as_str()),
        false,
    );
    let first = |s: &Scenario| s.labels.first().cloned().map_or(Value::Null, text);
    f.push("start", first(old), first(new), false);
    f.push(
        "weeks_per_period",
        num(old.weeks_per_period),
        num(new.weeks_per_period),
        true,
    );
    f.push(
        "discount_rate",
        num(old.discount_rate),
        num(new.discount_rate),
        true,
    );
    f.push(
        "periods_per_year",
        num(old.periods_per_year),
        num(new.periods_per_year),
        true,
    );
    f.push(
        "terminal_periods",
        num(f64::from(old.terminal_periods)),
        num(f64::from(new.terminal_periods)),
        true,
    );
    f.push("currency", text(&old.currency), text(&new.currency), false);
    f.0
}

fn capacity_fields(old: &Scenario, new: &Scenario) -> Vec<FieldChange> {
    let mut f = Fields::default();
    // With teams, C_t is the teams' sum. When both have teams, their changes say what moved.
    // When only one has, the totals are shown too: they move the plan, but the side with teams
    // has no `per_period` of its own to apply, so the section cannot stand alone (its effect is
    // in the interaction, with the teams').
    let (old_pooled, new_pooled) = (old.teams.is_empty(), new.teams.is_empty());
    if old_pooled || new_pooled {
        f.push(
            "per_period",
            per_period(&old.capacity.per_period),
            per_period(&new.capacity.per_period),
            true,
        );
    }
    let (a, b) = (&old.capacity, &new.capacity);
    f.push("buffer", num(a.buffer), num(b.buffer), true);
    f.push(
        "stability_share.min",
        num(a.stability_min),
        num(b.stability_min),
        true,
    );
    f.push(
        "stability_share.max",
        num(a.stability_max),
        num(b.stability_max),
        true,
    );
    f.push("noise", num(a.noise), num(b.noise), false);
    f.0
}

fn debt_fields(old: &Scenario, new: &Scenario) -> Vec<FieldChange> {
    let mut f = Fields::default();
    let (a, b) = (&old.debt, &new.debt);
    f.push("drag", num(a.drag), num(b.drag), true);
    f.estimate("growth", &a.growth, &b.growth, true);
    f.push("ceiling", num(a.ceiling), num(b.ceiling), true);
    f.0
}

fn team_changes(old: &Scenario, new: &Scenario) -> Vec<Change> {
    let mut changes = Vec::new();
    for o in &old.teams {
        match new.teams.iter().find(|n| n.id == o.id) {
            None => changes.push(whole(Subject::Team, &o.id, &o.name, Status::Removed)),
            Some(n) => {
                let mut f = Fields::default();
                f.push("name", text(&o.name), text(&n.name), false);
                f.push(
                    "per_period",
                    per_period(&o.per_period),
                    per_period(&n.per_period),
                    true,
                );
                f.push("noise", num(o.noise), num(n.noise), false);
                if !f.0.is_empty() {
                    changes.push(Change {
                        subject: Subject::Team,
                        id: o.id.clone(),
                        name: n.name.clone(),
                        status: Status::Changed,
                        fields: f.0,
                    });
                }
            }
        }
    }
    for n in &new.teams {
        if !old.teams.iter().any(|o| o.id == n.id) {
            changes.push(whole(Subject::Team, &n.id, &n.name, Status::Added));
        }
    }
    changes
}

fn objective_fields(old: &Scenario, new: &Scenario) -> Vec<FieldChange> {
    let mut f = Fields::default();
    let describe = |s: &Scenario, id: &str| {
        s.objectives
            .iter()
            .find(|o| o.id == id)
            .map_or(Value::Null, |o| {
                text(format!(
                    "{} (weight {})",
                    o.name,
                    number::as_written(o.weight)
                ))
            })
    };
    let ids = |list: &[crate::scenario::Objective]| -> Vec<String> {
        list.iter().map(|o| o.id.clone()).collect()
    };
    for id in union(ids(&old.objectives), ids(&new.objectives)) {
        let id = id.as_str();
        f.push(
            &format!("objective {id}"),
            describe(old, id),
            describe(new, id),
            false,
        );
    }
    f.0
}

/// OLD's keys, then those only NEW has.
fn union(old: Vec<String>, new: Vec<String>) -> Vec<String> {
    let mut all = old.clone();
    all.extend(new.into_iter().filter(|k| !old.contains(k)));
    all
}

fn strategy_fields(old: &Scenario, new: &Scenario) -> Vec<FieldChange> {
    let mut f = Fields::default();
    let describe = |s: &Scenario, name: &str| {
        s.strategies
            .iter()
            .find(|c| c.name == name)
            .map_or(Value::Null, |c| {
                let order: Vec<&str> = c
                    .order
                    .iter()
                    .map(|&i| s.initiatives[i].id.as_str())
                    .collect();
                let share = c.stability_share.map_or(String::new(), |x| {
                    format!("; stability share {}", number::as_written(x))
                });
                text(format!("order {}{share}", order.join(", ")))
            })
    };
    let names = |list: &[crate::scenario::CustomStrategy]| -> Vec<String> {
        list.iter().map(|c| c.name.clone()).collect()
    };
    for name in union(names(&old.strategies), names(&new.strategies)) {
        let name = name.as_str();
        f.push(
            &format!("strategy {name}"),
            describe(old, name),
            describe(new, name),
            false,
        );
    }
    f.0
}

/// A field's value as a person reads it in a table: numbers with separators from 1,000,
/// lists joined, absent as `—`.
pub fn show(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if x.abs() >= 1000.0 {
                number::fixed(x, if (x - x.round()).abs() < 1e-9 { 0 } else { 2 })
            } else {
                number::plain(x)
            }
        }
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        Value::Object(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Kind;

    fn portfolio() -> Scenario {
        let mut a = Initiative::new("a", Kind::Feature, Estimate::fixed(10.0));
        a.value = Estimate::fixed(5000.0);
        let b = Initiative::new("b", Kind::Debt, Estimate::fixed(4.0));
        Scenario::new("p", 4, 20.0, vec![a, b])
    }

    #[test]
    fn identical_scenarios_have_no_changes() {
        assert!(compare(&portfolio(), &portfolio()).is_empty());
    }

    #[test]
    fn means_and_ranges_are_told_apart() {
        let old = portfolio();
        let mut new = portfolio();
        // Same mean (10), wider spread: a range change the planner cannot see.
        new.initiatives[0].effort = Estimate {
            low: 7.0,
            likely: 10.0,
            high: 13.0,
        };
        new.initiatives[1].effort = Estimate::fixed(6.0);
        let changes = compare(&old, &new);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0].fields[0].field, "effort range");
        assert!(!changes[0].affects_plan());
        assert_eq!(changes[1].fields[0].field, "effort");
        assert_eq!(
            (
                changes[1].fields[0].old.clone(),
                changes[1].fields[0].new.clone()
            ),
            (num(4.0), num(6.0))
        );
        assert!(changes[1].affects_plan());
        assert_eq!(changes[1].label(), "b: effort");
    }

    #[test]
    fn added_removed_and_sections() {
        let old = portfolio();
        let mut new = portfolio();
        new.initiatives.remove(1);
        new.initiatives
            .push(Initiative::new("c", Kind::Security, Estimate::fixed(2.0)));
        new.capacity.buffer = 0.1;
        new.capacity.noise = 0.2;
        let changes = compare(&old, &new);
        let labels: Vec<String> = changes.iter().map(Change::label).collect();
        assert_eq!(labels, ["b removed", "c added", "capacity: buffer, noise"]);
        assert!(changes.iter().all(Change::affects_plan));
        assert_eq!(show(&num(1234.5)), "1,234.50");
        assert_eq!(show(&Value::Null), "—");
    }
}
