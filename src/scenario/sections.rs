//! Reads the sections of a scenario's TOML file into the model: `[scenario]`, `[capacity]`,
//! `[debt]`, `[[objective]]`, `[[initiative]]` and `[[strategy]]`.
//!
//! One initiative is read from a table by `read_initiative`, whether it came from the TOML file
//! or from a CSV row turned into a table (see `csv_rows`). Ids are only read here; they are
//! resolved in `checks`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::checks::closest_id;
use super::fields::{quoted, Range, Reader};
use super::labels::period_labels;
use super::load::{Draft, Loader, TeamsAsWritten, MAX_PERIODS};
use super::model::*;
use super::raw::{Node, Table, Val};
use crate::number::as_written;

pub(super) const TOP_KEYS: &[&str] = &[
    "scenario",
    "capacity",
    "team",
    "debt",
    "objective",
    "initiative",
    "strategy",
    "import",
];
const SCENARIO_KEYS: &[&str] = &[
    "name",
    "periods",
    "period_label",
    "start",
    "weeks_per_period",
    "discount_rate",
    "periods_per_year",
    "terminal_periods",
    "currency",
    "initiatives",
];
const CAPACITY_KEYS: &[&str] = &["per_period", "buffer", "stability_share", "noise"];
const TEAM_KEYS: &[&str] = &["id", "name", "per_period", "noise"];
const DEBT_KEYS: &[&str] = &["drag", "growth", "ceiling"];
const OBJECTIVE_KEYS: &[&str] = &["id", "name", "weight"];
pub(super) const INITIATIVE_KEYS: &[&str] = &[
    "id",
    "name",
    "kind",
    "class",
    "effort",
    "progress",
    "team",
    "value",
    "one_time_value",
    "risk_if_deferred",
    "deadline",
    "requires",
    "objectives",
    "commit",
    "business_outcome",
    "debt_relief",
    "owner",
    "split",
];
const STRATEGY_KEYS: &[&str] = &["name", "order", "stability_share"];
const BUILT_IN_STRATEGIES: &[&str] = &[
    "plan",
    "plan-order",
    "wsjf",
    "features-first",
    "debt-first",
    "robust",
];

impl Loader {
    pub(super) fn section<'d>(
        &mut self,
        doc: &'d Table,
        key: &str,
        allowed: &[&str],
    ) -> Option<&'d Table> {
        let node = doc.get(key)?;
        let path = self.path.clone();
        match &node.value {
            Val::Table(t) => {
                self.with_reader(&path, |r| r.check_keys(t, allowed, key));
                Some(t)
            }
            _ => {
                self.error(
                    &path,
                    Some(node.line),
                    key,
                    format!("expected a [{key}] table, found {}", node.describe()),
                    None,
                );
                None
            }
        }
    }

    pub(super) fn read_header(&mut self, doc: &Table) -> Option<Header> {
        let path = self.path.clone();
        let Some(s) = self.section(doc, "scenario", SCENARIO_KEYS) else {
            if doc.get("scenario").is_none() {
                self.error(
                    &path,
                    Some(1),
                    "scenario",
                    "expected a [scenario] table with at least `periods`, found none".into(),
                    Some("start the file with [scenario] and periods = 8".into()),
                );
            }
            return None;
        };
        let csv_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let section_line = doc.get("scenario").map_or(1, |n| n.line);
        self.with_reader(&path, |r| {
            let periods = match s.get("periods") {
                Some(n) => r.whole(n, "scenario.periods", 1, MAX_PERIODS),
                None => {
                    r.error(
                        section_line,
                        "scenario.periods",
                        "expected the horizon length in periods, found none".into(),
                        Some("add periods = 8 under [scenario]".into()),
                    );
                    None
                }
            };
            let period_label = match s.get("period_label") {
                None => Some(PeriodLabel::Quarter),
                Some(n) => r.string(n, "scenario.period_label").and_then(|text| {
                    let parsed = PeriodLabel::parse(&text);
                    if parsed.is_none() {
                        r.error(
                            n.line,
                            "scenario.period_label",
                            format!(
                                "expected one of quarter, month, sprint, week, day, found {}",
                                quoted(&text)
                            ),
                            None,
                        );
                    }
                    parsed
                }),
            };
            let positive = |r: &mut Reader, key: &str| {
                s.get(key)
                    .map(|n| r.number(n, &format!("scenario.{key}"), Range::Positive))
            };
            let weeks = positive(r, "weeks_per_period");
            let per_year = positive(r, "periods_per_year");
            let discount_rate = s.get("discount_rate").map_or(Some(0.0), |n| {
                r.number(n, "scenario.discount_rate", Range::NonNegative)
            });
            let terminal = s.get("terminal_periods").map_or(Some(0), |n| {
                r.whole(n, "scenario.terminal_periods", 0, 10_000)
            });
            let name = match s.get("name") {
                Some(n) => r.string(n, "scenario.name"),
                // A file name may hold what scenario text may not: replace it.
                None => Some(
                    path.file_stem()
                        .map(|s| {
                            s.to_string_lossy()
                                .replace(super::fields::is_forbidden, "\u{FFFD}")
                        })
                        .unwrap_or_else(|| "scenario".into()),
                ),
            };
            let currency = s
                .get("currency")
                .map_or(Some(String::new()), |n| r.string(n, "scenario.currency"));
            let start = match s.get("start") {
                None => Some(None),
                Some(n) => match &n.value {
                    Val::Datetime(d) => Some(Some((d.clone(), n.line))),
                    _ => r.string(n, "scenario.start").map(|t| Some((t, n.line))),
                },
            };
            let csv = match s.get("initiatives") {
                None => Some(None),
                Some(n) => r
                    .string(n, "scenario.initiatives")
                    .map(|p| Some((csv_dir.join(p), n.line))),
            };
            let (periods, period_label, start) = (periods? as usize, period_label?, start?);
            let labels = match period_labels(
                start.as_ref().map(|(s, _)| s.as_str()),
                period_label,
                periods,
            ) {
                Ok(l) => l,
                Err(message) => {
                    r.error(
                        start.as_ref().map_or(1, |(_, l)| *l),
                        "scenario.start",
                        message,
                        None,
                    );
                    return None;
                }
            };
            Some(Header {
                name: name?,
                periods,
                period_label,
                labels,
                weeks_per_period: weeks.unwrap_or(Some(period_label.default_weeks_per_period()))?,
                periods_per_year: per_year
                    .unwrap_or(Some(period_label.default_periods_per_year()))?,
                discount_rate: discount_rate?,
                terminal_periods: terminal? as u32,
                currency: currency?,
                csv: csv?,
                start: start.map(|(s, _)| s),
            })
        })
    }

    /// `[capacity]`. With teams (`has_teams`) `per_period` must be absent and is left empty here:
    /// the loader sums the teams' capacities into it.
    pub(super) fn read_capacity(
        &mut self,
        doc: &Table,
        periods: Option<usize>,
        has_teams: bool,
    ) -> Option<Capacity> {
        let path = self.path.clone();
        let Some(c) = self.section(doc, "capacity", CAPACITY_KEYS) else {
            if doc.get("capacity").is_none() {
                if has_teams {
                    return Some(Capacity {
                        per_period: Vec::new(),
                        buffer: 0.0,
                        stability_min: 0.0,
                        stability_max: 1.0,
                        noise: 0.0,
                    });
                }
                self.error(
                    &path,
                    Some(1),
                    "capacity.per_period",
                    "expected a [capacity] table with per_period, found none".into(),
                    Some("add [capacity] with per_period = engineer-weeks per period".into()),
                );
            }
            return None;
        };
        let section_line = doc.get("capacity").map_or(1, |n| n.line);
        self.with_reader(&path, |r| {
            let per_period = match (c.get("per_period"), has_teams) {
                (None, true) => Some(Vec::new()),
                (Some(n), true) => {
                    r.error(
                        n.line,
                        "capacity.per_period",
                        format!(
                            "expected no per_period with [[team]] tables (the capacity is the sum of the teams'), found {}",
                            n.describe()
                        ),
                        Some("give each team its per_period and remove this one".into()),
                    );
                    None
                }
                (None, false) => {
                    r.error(
                        section_line,
                        "capacity.per_period",
                        "expected engineer-weeks per period (a number or a list), found none".into(),
                        None,
                    );
                    None
                }
                (Some(n), false) => per_period(r, n, "capacity.per_period", periods),
            };
            let share = |r: &mut Reader, key: &str, default: f64| {
                c.get(key)
                    .map_or(Some(default), |n| r.number(n, &format!("capacity.{key}"), Range::Share))
            };
            let buffer = share(r, "buffer", 0.0);
            let noise = c
                .get("noise")
                .map_or(Some(0.0), |n| r.number(n, "capacity.noise", Range::NonNegative));
            let (min, max, line) = match c.get("stability_share") {
                None => (Some(0.0), Some(1.0), 1),
                Some(n) => match &n.value {
                    Val::Table(t) => {
                        r.check_keys(t, &["min", "max"], "capacity.stability_share");
                        let get = |r: &mut Reader, key: &str, default: f64| {
                            t.get(key).map_or(Some(default), |m| {
                                r.number(m, &format!("capacity.stability_share.{key}"), Range::Share)
                            })
                        };
                        (get(r, "min", 0.0), get(r, "max", 1.0), n.line)
                    }
                    _ => {
                        let x = r.number(n, "capacity.stability_share", Range::Share);
                        (x, x, n.line)
                    }
                },
            };
            let (per_period, buffer, noise, min, max) = (per_period?, buffer?, noise?, min?, max?);
            if min > max {
                r.error(
                    line,
                    "capacity.stability_share",
                    format!("expected min ≤ max, found min = {}, max = {}", as_written(min), as_written(max)),
                    None,
                );
                return None;
            }
            if buffer + min > 1.0 + 1e-12 {
                r.error(
                    line,
                    "capacity.stability_share.min",
                    format!("expected buffer + stability min ≤ 1, found {} + {} = {}", as_written(buffer), as_written(min), as_written(buffer + min)),
                    Some("the buffer and the ring-fence together cannot exceed all the capacity".into()),
                );
                return None;
            }
            Some(Capacity {
                per_period,
                buffer,
                stability_min: min,
                stability_max: max,
                noise,
            })
        })
    }

    /// `[[team]]` tables, with the line of each; `noise` defaults to `default_noise`
    /// (`[capacity] noise`). The ids of the teams refused for another field go to
    /// `refused_teams`, so that the items naming them are not reported a second time.
    pub(super) fn read_teams(
        &mut self,
        doc: &Table,
        periods: Option<usize>,
        default_noise: f64,
    ) -> Vec<(Team, usize)> {
        let path = self.path.clone();
        let tables = self.tables(doc, "team");
        let mut out: Vec<(Team, usize)> = Vec::new();
        for (t, line) in tables {
            let team = self.with_reader(&path, |r| {
                r.check_keys(t, TEAM_KEYS, "team");
                let id = read_id(r, t, line, "team")?;
                let name = t
                    .get("name")
                    .map_or(Some(id.clone()), |n| r.string(n, "team.name"));
                let per_period = match t.get("per_period") {
                    None => {
                        r.error(
                            line,
                            "team.per_period",
                            format!(
                                "expected team {}'s engineer-weeks per period (a number or a list), found none",
                                quoted(&id)
                            ),
                            None,
                        );
                        None
                    }
                    Some(n) => per_period(r, n, "team.per_period", periods),
                };
                let noise = t.get("noise").map_or(Some(default_noise), |n| {
                    r.number(n, "team.noise", Range::NonNegative)
                });
                Some(Team {
                    id,
                    name: name?,
                    per_period: per_period?,
                    noise: noise?,
                })
            });
            if let Some(team) = team {
                if let Some((_, first)) = out.iter().find(|(p, _)| p.id == team.id) {
                    let first = *first;
                    self.error(
                        &path,
                        Some(line),
                        "team.id",
                        format!(
                            "expected a unique id, found {} again (first on line {first})",
                            quoted(&team.id)
                        ),
                        None,
                    );
                } else {
                    out.push((team, line));
                }
            } else {
                self.refused_teams.extend(id_as_written(t));
            }
        }
        out
    }

    pub(super) fn read_debt(&mut self, doc: &Table) -> Option<Debt> {
        let path = self.path.clone();
        if doc.get("debt").is_none() {
            return Some(Debt::NONE);
        }
        let d = self.section(doc, "debt", DEBT_KEYS)?;
        self.with_reader(&path, |r| {
            let drag = d
                .get("drag")
                .map_or(Some(0.0), |n| r.number(n, "debt.drag", Range::Share));
            let growth = d.get("growth").map_or(Some(Estimate::ZERO), |n| {
                r.estimate(n, "debt.growth", Range::NonNegative)
            });
            let ceiling = d
                .get("ceiling")
                .map_or(Some(1.0), |n| r.number(n, "debt.ceiling", Range::Share));
            Some(Debt {
                drag: drag?,
                growth: growth?,
                ceiling: ceiling?,
            })
        })
    }

    /// The tables of an array of tables such as `[[initiative]]`.
    pub(super) fn tables<'d>(&mut self, doc: &'d Table, key: &str) -> Vec<(&'d Table, usize)> {
        let Some(node) = doc.get(key) else {
            return Vec::new();
        };
        let path = self.path.clone();
        match &node.value {
            Val::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Val::Table(t) => out.push((t, item.line)),
                        _ => self.error(
                            &path,
                            Some(item.line),
                            key,
                            format!("expected a [[{key}]] table, found {}", item.describe()),
                            None,
                        ),
                    }
                }
                out
            }
            _ => {
                self.error(
                    &path,
                    Some(node.line),
                    key,
                    format!("expected [[{key}]] tables, found {}", node.describe()),
                    Some(format!("write each one under its own [[{key}]] header")),
                );
                Vec::new()
            }
        }
    }

    pub(super) fn read_objectives(&mut self, doc: &Table) -> Vec<(Objective, usize)> {
        let path = self.path.clone();
        let tables = self.tables(doc, "objective");
        let mut out: Vec<(Objective, usize)> = Vec::new();
        for (t, line) in tables {
            let objective = self.with_reader(&path, |r| {
                r.check_keys(t, OBJECTIVE_KEYS, "objective");
                let id = read_id(r, t, line, "objective")?;
                let name = t
                    .get("name")
                    .map_or(Some(id.clone()), |n| r.string(n, "objective.name"));
                let weight = t.get("weight").map_or(Some(1.0), |n| {
                    r.number(n, "objective.weight", Range::NonNegative)
                });
                Some(Objective {
                    id,
                    name: name?,
                    weight: weight?,
                })
            });
            if objective.is_none() {
                self.refused_objectives.extend(id_as_written(t));
            }
            if let Some(o) = objective {
                if let Some((_, first)) = out.iter().find(|(p, _)| p.id == o.id) {
                    let first = *first;
                    self.error(
                        &path,
                        Some(line),
                        "objective.id",
                        format!(
                            "expected a unique id, found {} again (first on line {first})",
                            quoted(&o.id)
                        ),
                        None,
                    );
                } else {
                    out.push((o, line));
                }
            }
        }
        out
    }

    pub(super) fn read_toml_initiatives(
        &mut self,
        doc: &Table,
        periods: Option<usize>,
    ) -> Vec<Draft> {
        let path = self.path.clone();
        let tables = self.tables(doc, "initiative");
        let mut out = Vec::new();
        for (t, line) in tables {
            let draft = self.with_reader(&path, |r| {
                r.check_keys(t, INITIATIVE_KEYS, "initiative");
                read_initiative(r, t, line, periods)
            });
            if draft.is_none() {
                self.refused_initiatives.extend(id_as_written(t));
            }
            out.extend(draft);
        }
        out
    }

    pub(super) fn read_strategies(
        &mut self,
        doc: &Table,
        ids: &HashMap<String, usize>,
        capacity: Option<&Capacity>,
    ) -> Option<Vec<CustomStrategy>> {
        let path = self.path.clone();
        let refused = self.refused_initiatives.clone();
        let tables = self.tables(doc, "strategy");
        let mut out: Vec<(CustomStrategy, usize)> = Vec::new();
        let mut ok = true;
        for (t, line) in tables {
            let strategy = self.with_reader(&path, |r| {
                r.check_keys(t, STRATEGY_KEYS, "strategy");
                let name = match t.get("name") {
                    None => {
                        r.error(line, "strategy.name", "expected a name for the strategy, found none".into(), None);
                        None
                    }
                    Some(n) => r.string(n, "strategy.name").and_then(|name| {
                        let lower = name.trim();
                        let problem = if lower.is_empty() {
                            Some("a non-empty name")
                        } else if name.contains(',') {
                            Some("a name without commas (--strategies is comma-separated)")
                        } else if BUILT_IN_STRATEGIES.contains(&lower)
                            || lower.starts_with("share:")
                            || lower.starts_with("debt-sprint:")
                        {
                            Some("a name that is not a built-in strategy")
                        } else {
                            None
                        };
                        match problem {
                            Some(expected) => {
                                r.error(n.line, "strategy.name", format!("expected {expected}, found {}", quoted(&name)), None);
                                None
                            }
                            None => Some(name),
                        }
                    }),
                };
                let order = t.get("order").map_or(Some(Vec::new()), |n| {
                    let list = r.string_list(n, "strategy.order")?;
                    let mut order = Vec::new();
                    let mut good = true;
                    for (id, l) in list {
                        match ids.get(&id) {
                            Some(&k) if order.contains(&k) => {
                                r.error(l, "strategy.order", format!("expected each id once, found {} twice", quoted(&id)), None);
                                good = false;
                            }
                            Some(&k) => order.push(k),
                            // Already reported for its own fields.
                            None if refused.contains(&id) => good = false,
                            None => {
                                r.error(
                                    l,
                                    "strategy.order",
                                    format!("expected the id of an initiative, found {}", quoted(&id)),
                                    closest_id(&id, ids.keys().map(String::as_str)),
                                );
                                good = false;
                            }
                        }
                    }
                    good.then_some(order)
                });
                let share = match t.get("stability_share") {
                    None => Some(None),
                    Some(n) => r.number(n, "strategy.stability_share", Range::Share).and_then(|s| {
                        let buffer = capacity.map_or(0.0, |c| c.buffer);
                        if buffer + s > 1.0 + 1e-12 {
                            r.error(
                                n.line,
                                "strategy.stability_share",
                                format!("expected buffer + stability share ≤ 1, found {buffer} + {s}"),
                                None,
                            );
                            None
                        } else {
                            Some(Some(s))
                        }
                    }),
                };
                Some(CustomStrategy {
                    name: name?,
                    order: order?,
                    stability_share: share?,
                })
            });
            match strategy {
                Some(s) => {
                    if let Some((_, first)) = out.iter().find(|(o, _)| o.name == s.name) {
                        let first = *first;
                        self.error(
                            &path,
                            Some(line),
                            "strategy.name",
                            format!(
                                "expected a unique name, found {} again (first on line {first})",
                                quoted(&s.name)
                            ),
                            None,
                        );
                        ok = false;
                    } else {
                        out.push((s, line));
                    }
                }
                None => ok = false,
            }
        }
        ok.then(|| out.into_iter().map(|(s, _)| s).collect())
    }
}

/// `scenario.periods` when it is a valid whole number, read without reporting anything.
pub(super) fn peek_periods(doc: &Table) -> Option<usize> {
    let Val::Table(s) = &doc.get("scenario")?.value else {
        return None;
    };
    let mut quiet = Reader::new(Path::new(""));
    quiet
        .whole(s.get("periods")?, "", 1, MAX_PERIODS)
        .map(|p| p as usize)
}

/// What `[scenario]` says.
pub(super) struct Header {
    pub(super) name: String,
    pub(super) periods: usize,
    pub(super) period_label: PeriodLabel,
    pub(super) labels: Vec<String>,
    pub(super) weeks_per_period: f64,
    pub(super) periods_per_year: f64,
    pub(super) discount_rate: f64,
    pub(super) terminal_periods: u32,
    pub(super) currency: String,
    pub(super) csv: Option<(PathBuf, usize)>,
    /// `start` as written: with the label and the horizon it places dates in periods.
    pub(super) start: Option<String>,
}

/// Engineer-weeks per period: one number for every period, or a list of one per period.
fn per_period(r: &mut Reader, n: &Node, field: &str, periods: Option<usize>) -> Option<Vec<f64>> {
    match &n.value {
        Val::Array(items) => {
            let values: Option<Vec<f64>> = items
                .iter()
                .enumerate()
                .map(|(k, item)| r.number(item, &format!("{field}[{k}]"), Range::NonNegative))
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            match (values, periods) {
                (Some(v), Some(t)) if v.len() != t => {
                    r.error(
                        n.line,
                        field,
                        format!(
                            "expected a list of {t} numbers (one per period), found {}",
                            v.len()
                        ),
                        Some("give one number per period, or a single number for all".into()),
                    );
                    None
                }
                (v, _) => v,
            }
        }
        _ => r
            .number(n, field, Range::NonNegative)
            .map(|x| vec![x; periods.unwrap_or(0)]),
    }
}

/// The table's `id` as written, without checking it (for a table refused for another field).
pub(super) fn id_as_written(t: &Table) -> Option<String> {
    match &t.get("id")?.value {
        Val::Str(s) | Val::Cell(s) => Some(s.trim().to_string()),
        _ => None,
    }
}

/// Reads `id`: required, `[a-z0-9_-]+`.
pub(super) fn read_id(r: &mut Reader, t: &Table, line: usize, section: &str) -> Option<String> {
    let field = format!("{section}.id");
    let Some(n) = t.get("id") else {
        r.error(
            line,
            &field,
            "expected an id such as \"oauth-migration\", found none".into(),
            None,
        );
        return None;
    };
    let id = r.string(n, &field)?;
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !valid {
        r.error(
            n.line,
            &Reader::name(n, &field),
            format!(
                "expected an id of lowercase letters, digits, `_` and `-`, found {}",
                quoted(&id)
            ),
            Some("for example \"oauth-migration\"; put free text in `name`".into()),
        );
        return None;
    }
    Some(id)
}

/// Reads one initiative from a TOML table or a CSV row turned into one.
pub(super) fn read_initiative(
    r: &mut Reader,
    t: &Table,
    line: usize,
    periods: Option<usize>,
) -> Option<Draft> {
    let id = read_id(r, t, line, "initiative");
    let p = "initiative";
    let name = t.get("name").map(|n| r.string(n, &format!("{p}.name")));
    let kind = match t.get("kind") {
        None => {
            r.error(line, &format!("{p}.kind"), "expected the kind of work, found none".into(), Some(kinds_hint()));
            None
        }
        Some(n) => r.string(n, &format!("{p}.kind")).and_then(|s| {
            let k = Kind::parse(s.trim());
            if k.is_none() {
                r.error(
                    n.line,
                    &Reader::name(n, &format!("{p}.kind")),
                    format!("expected one of feature, debt, migration, infrastructure, security, compliance, found {}", quoted(&s)),
                    None,
                );
            }
            k
        }),
    };
    let class = match t.get("class") {
        None => Some(None),
        Some(n) => r.string(n, &format!("{p}.class")).and_then(|s| {
            let c = Class::parse(s.trim());
            if c.is_none() {
                r.error(
                    n.line,
                    &Reader::name(n, &format!("{p}.class")),
                    format!(
                        "expected \"stability\" or \"product\", found {}",
                        quoted(&s)
                    ),
                    None,
                );
            }
            c.map(Some)
        }),
    };
    let effort = match t.get("effort") {
        None => {
            r.error(
                line,
                &format!("{p}.effort"),
                "expected the effort in engineer-weeks (a number or { low, likely, high }), found none".into(),
                None,
            );
            None
        }
        Some(n) => r.estimate(n, &format!("{p}.effort"), Range::Positive),
    };
    let progress = t.get("progress").map_or(Some(0.0), |n| {
        r.number(n, &format!("{p}.progress"), Range::ShareBelowOne)
    });
    let team = match t.get("team") {
        None => Some(None),
        Some(n) => r.number(n, &format!("{p}.team"), Range::Positive).map(Some),
    };
    let value = t.get("value").map_or(Some(Estimate::ZERO), |n| {
        r.estimate(n, &format!("{p}.value"), Range::Any)
    });
    let one_time = t.get("one_time_value").map_or(Some(Estimate::ZERO), |n| {
        r.estimate(n, &format!("{p}.one_time_value"), Range::Any)
    });
    let risk = match t.get("risk_if_deferred") {
        None => Some(None),
        Some(n) => read_risk(r, n, &format!("{p}.risk_if_deferred")).map(Some),
    };
    let (deadline, deadline_line) = match t.get("deadline") {
        None => (Some(None), line),
        Some(n) => (
            read_deadline(r, n, &format!("{p}.deadline"), periods).map(Some),
            n.line,
        ),
    };
    let owner = t.get("owner").map(|n| {
        r.string(n, &format!("{p}.owner")).map(|id| TeamsAsWritten {
            shares: vec![(id, 1.0)],
            line: n.line,
            key: "owner",
        })
    });
    let split = t
        .get("split")
        .map(|n| read_split(r, n, &format!("{p}.split")));
    let teams = match (owner, split) {
        (None, None) => Some(None),
        (Some(o), None) => o.map(Some),
        (None, Some(s)) => s.map(Some),
        (Some(_), Some(s)) => {
            let at = s.as_ref().map_or(line, |t| t.line);
            r.error(
                at,
                &format!("{p}.split"),
                "expected either `owner` or `split`, found both".into(),
                Some(
                    "use owner = \"team\" for one team, split = { a = 0.6, b = 0.4 } for several"
                        .into(),
                ),
            );
            None
        }
    };
    let requires = t.get("requires").map_or(Some(Vec::new()), |n| {
        r.string_list(n, &format!("{p}.requires"))
    });
    let objectives = t.get("objectives").map_or(Some(Vec::new()), |n| {
        r.string_list(n, &format!("{p}.objectives"))
    });
    let (commit, commit_line) = match t.get("commit") {
        None => (Some(false), line),
        Some(n) => (r.boolean(n, &format!("{p}.commit")), n.line),
    };
    let outcome = match t.get("business_outcome") {
        None => Some(None),
        Some(n) => r.prose(n, &format!("{p}.business_outcome")).map(Some),
    };
    let relief = t.get("debt_relief").map_or(Some(0.0), |n| {
        r.number(n, &format!("{p}.debt_relief"), Range::Share)
    });

    let id = id?;
    let kind = kind?;
    let name = match name {
        None => id.clone(),
        Some(n) => n?,
    };
    Some(Draft {
        initiative: Initiative {
            name,
            kind,
            class: class?.unwrap_or(kind.default_class()),
            effort: effort?,
            progress: progress?,
            team: team?,
            value: value?,
            one_time_value: one_time?,
            risk: risk?,
            deadline: deadline?,
            requires: Vec::new(),
            objectives: Vec::new(),
            commit: commit?,
            business_outcome: outcome?,
            debt_relief: relief?,
            split: Vec::new(),
            origin: Origin::default(),
            id,
        },
        id_line: line,
        file: r.file.clone(),
        teams: teams?,
        requires: requires?,
        objectives: objectives?,
        deadline_line,
        commit_line,
        annotation: None,
        columns: Vec::new(),
    })
}

/// `split = { payments = 0.6, mobile = 0.4 }`: team ids and shares in (0, 1] summing to 1.
fn read_split(r: &mut Reader, n: &Node, path: &str) -> Option<TeamsAsWritten> {
    // A CSV cell: `payments:0.6;mobile:0.4`.
    let from_cell;
    let table = match &n.value {
        Val::Cell(text) => {
            let mut t = Table::default();
            for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let Some((id, share)) = part.split_once(':') else {
                    r.error(
                        n.line,
                        &Reader::name(n, path),
                        format!("expected team:share pairs separated by `;` such as payments:0.6;mobile:0.4, found {}", quoted(text)),
                        None,
                    );
                    return None;
                };
                let id = id.trim();
                if id.is_empty() || t.entries.iter().any(|(k, _, _)| k == id) {
                    let found = if id.is_empty() {
                        format!("a share without a team in {}", quoted(text))
                    } else {
                        format!("team {} twice in {}", quoted(id), quoted(text))
                    };
                    r.error(
                        n.line,
                        &Reader::name(n, path),
                        format!("expected each team once, as team:share, found {found}"),
                        Some("give each team's share once: payments:0.6;mobile:0.4".into()),
                    );
                    return None;
                }
                let cell = Node {
                    line: n.line,
                    column: n.column.clone(),
                    value: Val::Cell(share.trim().to_string()),
                };
                t.entries.push((id.to_string(), n.line, cell));
            }
            from_cell = t;
            Some(&from_cell)
        }
        Val::Table(t) => Some(t),
        _ => None,
    };
    let Some(t) = table else {
        r.error(
            n.line,
            path,
            format!("expected shares of the effort by team such as {{ payments = 0.6, mobile = 0.4 }}, found {}", n.describe()),
            None,
        );
        return None;
    };
    let mut shares = Vec::new();
    let mut ok = true;
    for (id, node) in t.entries.iter().map(|(k, _, node)| (k, node)) {
        match r.number(node, &format!("{path}.{id}"), Range::PositiveShare) {
            Some(x) => shares.push((id.clone(), x)),
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let total: f64 = shares.iter().map(|(_, x)| x).sum();
    if shares.is_empty() || (total - 1.0).abs() > 1e-9 {
        r.error(
            n.line,
            &Reader::name(n, path),
            format!(
                "expected shares that sum to 1, found {}",
                if shares.is_empty() {
                    "none".to_string()
                } else {
                    // Enough digits to show how far from 1 a sum close to 1 is.
                    format!("a sum of {}", crate::number::up_to(total, 12))
                }
            ),
            Some(
                "the shares are parts of the effort: for example { payments = 0.6, mobile = 0.4 }"
                    .into(),
            ),
        );
        return None;
    }
    Some(TeamsAsWritten {
        shares,
        line: n.line,
        key: "split",
    })
}

fn kinds_hint() -> String {
    "kind = \"feature\", \"debt\", \"migration\", \"infrastructure\", \"security\" or \"compliance\"".into()
}

/// A risk number or estimate, or `{ probability, impact }`.
fn read_risk(r: &mut Reader, n: &Node, path: &str) -> Option<Risk> {
    if let Val::Table(t) = &n.value {
        if t.get("probability").is_some() || t.get("impact").is_some() {
            r.check_keys(t, &["probability", "impact"], path);
            let probability = match t.get("probability") {
                Some(p) => r.number(p, &format!("{path}.probability"), Range::Share),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "probability"),
                        "expected the probability of an incident per period, found none".into(),
                        None,
                    );
                    None
                }
            };
            let impact = match t.get("impact") {
                Some(i) => r.estimate(i, &format!("{path}.impact"), Range::NonNegative),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "impact"),
                        "expected the cost of one incident, found none".into(),
                        None,
                    );
                    None
                }
            };
            return Some(Risk::Incident {
                probability: probability?,
                impact: impact?,
            });
        }
    }
    r.estimate(n, path, Range::NonNegative).map(Risk::PerPeriod)
}

fn missing_name(n: &Node, path: &str, key: &str) -> String {
    match &n.column {
        Some(prefix) => format!("{prefix}_{key}"),
        None => format!("{path}.{key}"),
    }
}

/// A hard deadline (a period) or a soft one `{ period, penalty }`.
fn read_deadline(r: &mut Reader, n: &Node, path: &str, periods: Option<usize>) -> Option<Deadline> {
    let last = periods.unwrap_or(MAX_PERIODS as usize) as i64;
    match &n.value {
        Val::Table(t) => {
            r.check_keys(t, &["period", "penalty"], path);
            let period = match t.get("period") {
                Some(p) => r.whole(p, &format!("{path}.period"), 1, last),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "period"),
                        "expected the period by whose end it is due, found none".into(),
                        None,
                    );
                    None
                }
            };
            let penalty = match t.get("penalty") {
                Some(p) => r.number(p, &format!("{path}.penalty"), Range::NonNegative),
                None => {
                    r.error(
                        n.line,
                        &missing_name(n, path, "penalty"),
                        "expected the penalty paid once if the soft deadline is missed, found none"
                            .into(),
                        Some("for a hard deadline write just the period: deadline = 6".into()),
                    );
                    None
                }
            };
            Some(Deadline::Soft {
                period: period? as usize,
                penalty: penalty?,
            })
        }
        _ => r
            .whole(n, path, 1, last)
            .map(|p| Deadline::Hard { period: p as usize }),
    }
}
