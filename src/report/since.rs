//! The page's "Since the last review" section (`report --previous OLD.toml`): what changed in
//! the portfolio, what moved in the plan, and the waterfall of why the objective moved.

use maud::{html, Markup};

use crate::diff::{show, Diff, Placement, Status, Subject};
use crate::number::{amount, signed, signed_short_amount};
use crate::report::charts::style::{gap_percent, money};
use crate::review::ReportData;
use crate::scenario::Scenario;

fn placed(s: &Scenario, p: &Option<Placement>) -> String {
    p.as_ref()
        .map_or_else(|| "not in the portfolio".into(), |p| p.describe(s))
}

/// "3 initiatives changed, 1 added, 1 removed".
fn counts(diff: &Diff) -> String {
    let (added, removed, changed) = diff.initiative_counts();
    format!("{changed} initiatives changed, {added} added, {removed} removed")
}

/// The executive summary's line: the objective then and now, and the largest single cause.
pub(super) fn summary_item(data: &ReportData) -> Markup {
    let Some(diff) = data.since.as_ref().map(|s| &s.diff) else {
        return html! {};
    };
    let cur = &data.scenario.currency;
    html! {
        li {
            "Since the last review (" code { (diff.old.file) } "): " (counts(diff))
            @if let Some(w) = &diff.attribution {
                "; the plan's objective moved from " (money(w.old_objective, cur)) " to "
                (money(w.new_objective, cur))
                @if let Some(top) = w.steps.first().filter(|s| s.delta != 0.0) {
                    ", most of all because of " strong { (top.change) } " ("
                    (signed_short_amount(top.delta, cur)) " alone)"
                }
            }
            ". See " a href="#since" { "Since the last review" } "."
        }
    }
}

/// The section; `waterfall` is the chart's figure.
pub(super) fn section(data: &ReportData, waterfall: Markup) -> Markup {
    let Some(since) = &data.since else {
        return html! {};
    };
    let (diff, old) = (&since.diff, since.previous);
    let new = data.scenario;
    let cur = &new.currency;
    html! {
        section #since {
            h2 { "Since the last review" }
            p {
                "Compared with " code { (diff.old.file) } " (" (diff.old.name) "): " (counts(diff)) "."
            }
            @match (&diff.old.plan, &diff.new.plan) {
                (Some(a), Some(b)) => {
                    table {
                        tr { th { "" } th.n { "Last review" } th.n { "Now" } th.n { "Change" } }
                        @for (what, x, y) in [
                            ("Plan objective (net value)", a.objective, b.objective),
                            ("Value earned", a.value_earned, b.value_earned),
                            ("Cost of delay", a.cost_of_delay, b.cost_of_delay),
                            ("Deadline penalties", a.penalties, b.penalties),
                        ] {
                            tr {
                                td { (what) } td.n { (amount(x, cur)) } td.n { (amount(y, cur)) }
                                td.n { (signed(y - x)) }
                            }
                        }
                    }
                }
                _ => {
                    @for (which, side) in [("last review's", &diff.old), ("current", &diff.new)] {
                        @if let Some(note) = &side.plan_note {
                            p { "The " (which) " scenario has no plan: " (note) "." }
                        }
                    }
                }
            }
            @if let Some(w) = &diff.attribution {
                h3 { "Why the objective moved" }
                p {
                    "Each change applied alone to last review's scenario and re-planned; the interaction is what the changes do together beyond their parts alone, so the rows sum to the change of the objective."
                    @if w.max_gap > 0.0 {
                        " Each part is exact up to its plans' gaps (the largest " (gap_percent(w.max_gap)) ")."
                    }
                }
                (waterfall)
                table {
                    tr { th { "Change" } th.n { "Effect on the plan's objective" } }
                    @for (label, delta) in w.bars() {
                        tr { td { (label) } td.n { (signed_short_amount(delta, cur)) } }
                    }
                }
                @for u in &w.unattributed {
                    p.note { code { (u.change) } " has no part of its own: " (u.reason) "." }
                }
            }
            h3 { "What moved in the plan" }
            @if diff.moved.is_empty() {
                p { "No initiative changed its bucket or delivery period." }
            } @else {
                table {
                    tr { th { "Initiative" } th { "Last review" } th { "Now" } }
                    @for m in &diff.moved {
                        tr { td { (m.name) } td { (placed(old, &m.old)) } td { (placed(new, &m.new)) } }
                    }
                }
            }
            @if !diff.changes.is_empty() {
                h3 { "What changed in the scenario" }
                table {
                    tr { th { "What" } th { "Field" } th { "Last review" } th { "Now" } }
                    @for c in &diff.changes {
                        @let what = match c.subject {
                            Subject::Team => format!("team {}", c.name),
                            Subject::Section => c.id.clone(),
                            Subject::Initiative => c.name.clone(),
                        };
                        @match c.status {
                            Status::Added => tr { td { (what) } td { "added" } td { "–" } td { "" } },
                            Status::Removed => tr { td { (what) } td { "removed" } td { "" } td { "–" } },
                            Status::Changed => {
                                @for f in &c.fields {
                                    tr { td { (what) } td { (f.field) } td { (show(&f.old)) } td { (show(&f.new)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
