//! The validated scenario: plain values the planner, simulator and report read.
//!
//! Everything here has already passed validation (see `scenario::load`): ranges hold, ids are
//! resolved to indexes, defaults are filled in and per-period lists have exactly `periods`
//! entries. Periods are numbered 1..=T in the model's words; vectors indexed by period use
//! `period_idx = period - 1`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// A quantity given either as a plain number (low = likely = high) or a three-point estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub low: f64,
    pub likely: f64,
    pub high: f64,
}

impl Estimate {
    /// A number known for certain.
    pub const fn fixed(x: f64) -> Self {
        Estimate {
            low: x,
            likely: x,
            high: x,
        }
    }

    pub const ZERO: Estimate = Estimate::fixed(0.0);

    /// The Beta-PERT mean `(low + 4 likely + high) / 6`; the number itself when fixed.
    pub fn mean(&self) -> f64 {
        if self.is_fixed() {
            self.likely
        } else {
            (self.low + 4.0 * self.likely + self.high) / 6.0
        }
    }

    /// True when there is no uncertainty (low = high).
    pub fn is_fixed(&self) -> bool {
        self.low == self.high
    }

    /// Multiplies every point (used by sensitivity analysis).
    pub fn scaled(&self, factor: f64) -> Self {
        Estimate {
            low: self.low * factor,
            likely: self.likely * factor,
            high: self.high * factor,
        }
    }
}

/// The kind of an initiative, as written in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Feature,
    Debt,
    Migration,
    Infrastructure,
    Security,
    Compliance,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Feature,
        Kind::Debt,
        Kind::Migration,
        Kind::Infrastructure,
        Kind::Security,
        Kind::Compliance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Feature => "feature",
            Kind::Debt => "debt",
            Kind::Migration => "migration",
            Kind::Infrastructure => "infrastructure",
            Kind::Security => "security",
            Kind::Compliance => "compliance",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The class an initiative of this kind has unless the scenario says otherwise.
    pub fn default_class(self) -> Class {
        match self {
            Kind::Feature | Kind::Compliance => Class::Product,
            Kind::Debt | Kind::Migration | Kind::Infrastructure | Kind::Security => {
                Class::Stability
            }
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side of the stability ring-fence an initiative's work counts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Product,
    Stability,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Product => "product",
            Class::Stability => "stability",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        match s {
            "product" => Some(Class::Product),
            "stability" => Some(Class::Stability),
            _ => None,
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What deferring an initiative costs per period while it is not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Risk {
    /// An expected loss per period (the cost of delay).
    PerPeriod(Estimate),
    /// An incident that happens with `probability` per period and costs `impact`.
    Incident { probability: f64, impact: Estimate },
}

impl Risk {
    /// The expected cost of delay per period, c_i: the risk number's mean or probability × mean impact.
    pub fn expected_per_period(&self) -> f64 {
        match self {
            Risk::PerPeriod(e) => e.mean(),
            Risk::Incident {
                probability,
                impact,
            } => probability * impact.mean(),
        }
    }
}

/// When an initiative must (hard) or should (soft) be delivered: by the end of `period`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Deadline {
    Hard { period: usize },
    Soft { period: usize, penalty: f64 },
}

impl Deadline {
    pub fn period(&self) -> usize {
        match *self {
            Deadline::Hard { period } | Deadline::Soft { period, .. } => period,
        }
    }

    pub fn is_hard(&self) -> bool {
        matches!(self, Deadline::Hard { .. })
    }
}

/// Where a definition stands in the user's files, for messages that point back at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Origin {
    /// The file, as the user named it (the scenario or its CSV).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One piece of work competing for capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Initiative {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub class: Class,
    /// Total effort in engineer-weeks.
    pub effort: Estimate,
    /// Share already done, in [0, 1).
    pub progress: f64,
    /// At most this many engineers at once; `None` means no limit.
    pub team: Option<f64>,
    /// Value per period once delivered.
    pub value: Estimate,
    /// Value realised once, at delivery.
    pub one_time_value: Estimate,
    /// Cost of deferring, per period; `None` when the scenario gives no risk.
    pub risk: Option<Risk>,
    pub deadline: Option<Deadline>,
    /// Indexes (into `Scenario::initiatives`) of the initiatives this one requires.
    pub requires: Vec<usize>,
    /// Indexes (into `Scenario::objectives`) of the objectives this one serves.
    pub objectives: Vec<usize>,
    /// Must be delivered within the horizon.
    pub commit: bool,
    pub business_outcome: Option<String>,
    /// Drag removed for good once delivered (a share of allocatable capacity).
    pub debt_relief: f64,
    /// With teams: the teams that do the work, as (index into `Scenario::teams`, share σ of the
    /// effort), in the order written, shares summing to 1 (`owner` is one team with share 1).
    /// Empty without teams.
    #[serde(default)]
    pub split: Vec<(usize, f64)>,
    pub origin: Origin,
}

impl Initiative {
    /// An initiative built in code: `id` is also its name, the class is the kind's, and it has
    /// no value, risk, deadline, prerequisites, objectives, team limit or debt relief yet.
    pub fn new(id: &str, kind: Kind, effort: Estimate) -> Initiative {
        Initiative {
            id: id.into(),
            name: id.into(),
            kind,
            class: kind.default_class(),
            effort,
            progress: 0.0,
            team: None,
            value: Estimate::ZERO,
            one_time_value: Estimate::ZERO,
            risk: None,
            deadline: None,
            requires: Vec::new(),
            objectives: Vec::new(),
            commit: false,
            business_outcome: None,
            debt_relief: 0.0,
            split: Vec::new(),
            origin: Origin::default(),
        }
    }

    /// Mean remaining effort e_i = mean(effort) × (1 − progress), in engineer-weeks.
    pub fn remaining_effort_mean(&self) -> f64 {
        self.effort.mean() * (1.0 - self.progress)
    }

    /// Expected cost of delay per period c_i (0 without risk).
    pub fn cost_of_delay_mean(&self) -> f64 {
        self.risk.map_or(0.0, |r| r.expected_per_period())
    }

    /// The most engineer-weeks this initiative can absorb in one period.
    pub fn team_limit_weeks(&self, weeks_per_period: f64) -> f64 {
        self.team
            .map_or(f64::INFINITY, |team| team * weeks_per_period)
    }

    /// WSJF score: cost of delay per period (value + expected risk) over mean remaining effort.
    pub fn wsjf(&self) -> f64 {
        (self.value.mean() + self.cost_of_delay_mean()) / self.remaining_effort_mean()
    }
}

/// How long a period is; sets defaults for weeks and periods per year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodLabel {
    Quarter,
    Month,
    Sprint,
    Week,
    Day,
}

impl PeriodLabel {
    pub const ALL: [PeriodLabel; 5] = [
        PeriodLabel::Quarter,
        PeriodLabel::Month,
        PeriodLabel::Sprint,
        PeriodLabel::Week,
        PeriodLabel::Day,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodLabel::Quarter => "quarter",
            PeriodLabel::Month => "month",
            PeriodLabel::Sprint => "sprint",
            PeriodLabel::Week => "week",
            PeriodLabel::Day => "day",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodLabel> {
        PeriodLabel::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn default_weeks_per_period(self) -> f64 {
        match self {
            PeriodLabel::Quarter => 13.0,
            PeriodLabel::Month => 4.33,
            PeriodLabel::Sprint => 2.0,
            PeriodLabel::Week => 1.0,
            PeriodLabel::Day => 0.2,
        }
    }

    pub fn default_periods_per_year(self) -> f64 {
        match self {
            PeriodLabel::Quarter => 4.0,
            PeriodLabel::Month => 12.0,
            PeriodLabel::Sprint => 26.0,
            PeriodLabel::Week => 52.0,
            PeriodLabel::Day => 260.0,
        }
    }
}

/// Engineering capacity and how it may be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// C_t, engineer-weeks per period; exactly `periods` entries.
    pub per_period: Vec<f64>,
    /// Strategic reserve never allocated (share of capacity).
    pub buffer: f64,
    /// Ring-fence: at least this share of effective capacity is reserved for stability work.
    pub stability_min: f64,
    /// Ring-fence: at most this share of effective capacity goes to stability work (planner only).
    pub stability_max: f64,
    /// Monte Carlo: relative standard deviation of capacity per period.
    pub noise: f64,
}

/// A team with capacity of its own (`[[team]]`). Items name it as `owner` or in `split`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: String,
    pub name: String,
    /// C_jt, engineer-weeks per period; exactly `periods` entries.
    pub per_period: Vec<f64>,
    /// Monte Carlo: relative standard deviation of this team's capacity per period.
    pub noise: f64,
}

impl Team {
    /// C_t = Σ_j C_jt for each of `periods` periods (a team without a number there counts 0).
    pub fn total_per_period(teams: &[Team], periods: usize) -> Vec<f64> {
        (0..periods)
            .map(|k| {
                teams
                    .iter()
                    .map(|team| team.per_period.get(k).copied().unwrap_or(0.0))
                    .sum()
            })
            .collect()
    }
}

/// Technical-debt interest: a drag on capacity that grows over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Debt {
    /// Share of allocatable capacity lost at period 1.
    pub drag: f64,
    /// Drag added per period, linearly.
    pub growth: Estimate,
    /// Drag never exceeds this.
    pub ceiling: f64,
}

impl Debt {
    pub const NONE: Debt = Debt {
        drag: 0.0,
        growth: Estimate::ZERO,
        ceiling: 1.0,
    };

    /// The drag law before relief: min(ceiling, drag + growth × (t − 1)) for period t (1-based).
    pub fn base_drag(&self, period: usize, growth: f64) -> f64 {
        crate::economics::base_drag(self, period, growth)
    }
}

/// An OKR or strategic bet initiatives can be linked to (for reporting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub id: String,
    pub name: String,
    pub weight: f64,
}

/// A sequencing option written in the scenario for `simulate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomStrategy {
    pub name: String,
    /// Indexes into `Scenario::initiatives`, highest priority first.
    pub order: Vec<usize>,
    /// The reserved stability share; `None` means the scenario's `stability_share.min`.
    pub stability_share: Option<f64>,
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    /// Horizon length T.
    pub periods: usize,
    pub period_label: PeriodLabel,
    /// The label of every period, `labels[period_idx]` (e.g. "2027-Q3", or "P3").
    pub labels: Vec<String>,
    pub weeks_per_period: f64,
    /// Annual discount rate r.
    pub discount_rate: f64,
    pub periods_per_year: f64,
    pub terminal_periods: u32,
    pub currency: String,
    /// With `[[team]]`: `capacity.per_period` is the sum of the teams' capacities, and buffer
    /// and ring-fence apply to each team alike. Empty for one pool.
    #[serde(default)]
    pub teams: Vec<Team>,
    pub capacity: Capacity,
    pub debt: Debt,
    pub objectives: Vec<Objective>,
    pub initiatives: Vec<Initiative>,
    pub strategies: Vec<CustomStrategy>,
    /// Warnings found while validating, in the user's words.
    pub warnings: Vec<String>,
    /// The scenario file as the user named it.
    pub source: PathBuf,
    /// The other files it was read from (its CSV, workbook or tracker export), as named: no
    /// output may replace them. Not part of any output.
    #[serde(skip)]
    pub inputs: Vec<PathBuf>,
}

impl Scenario {
    /// A scenario built in code, named `name` (its source is `name.toml`): `periods` quarters
    /// labelled P1, P2, …, of 13 weeks, one pool of `per_period` engineer-weeks in each, with no
    /// buffer, ring-fence floor, capacity noise, debt, discounting or terminal value. Not
    /// validated: build it from values the loader would accept.
    pub fn new(
        name: &str,
        periods: usize,
        per_period: f64,
        initiatives: Vec<Initiative>,
    ) -> Scenario {
        Scenario {
            name: name.into(),
            periods,
            period_label: PeriodLabel::Quarter,
            labels: (1..=periods).map(|t| format!("P{t}")).collect(),
            weeks_per_period: 13.0,
            discount_rate: 0.0,
            periods_per_year: 4.0,
            terminal_periods: 0,
            currency: "EUR".into(),
            capacity: Capacity {
                per_period: vec![per_period; periods],
                buffer: 0.0,
                stability_min: 0.0,
                stability_max: 1.0,
                noise: 0.0,
            },
            teams: Vec::new(),
            debt: Debt::NONE,
            objectives: Vec::new(),
            initiatives,
            strategies: Vec::new(),
            warnings: Vec::new(),
            source: PathBuf::from(format!("{name}.toml")),
            inputs: Vec::new(),
        }
    }

    /// A_t = C_t × (1 − buffer), for period t (1-based).
    pub fn allocatable(&self, period: usize) -> f64 {
        self.capacity.per_period[period - 1] * (1.0 - self.capacity.buffer)
    }

    /// d_t = (1 + r)^(−t / periods_per_year), for period t (1-based; t = 0 gives 1).
    pub fn discount(&self, period: usize) -> f64 {
        crate::economics::discount_factor(self.discount_rate, self.periods_per_year, period)
    }

    /// The label of period t (1-based).
    pub fn label(&self, period: usize) -> &str {
        &self.labels[period - 1]
    }

    /// Sets C_t to the sum of the teams' capacities, after they changed.
    pub fn sum_team_capacity(&mut self) {
        self.capacity.per_period = Team::total_per_period(&self.teams, self.periods);
    }

    /// The capacity pools the work is planned on: the teams, or the one pool without them.
    pub fn pools(&self) -> usize {
        self.teams.len().max(1)
    }

    /// C_jt, the capacity of pool j in period t (1-based): the team's, or the one pool's.
    pub fn pool_capacity(&self, pool: usize, period: usize) -> f64 {
        match self.teams.get(pool) {
            Some(team) => team.per_period[period - 1],
            None => self.capacity.per_period[period - 1],
        }
    }

    /// An item's shares of its effort by pool, (pool, σ): its split, or all in the one pool.
    pub fn shares<'a>(&self, item: &'a Initiative) -> &'a [(usize, f64)] {
        const ONE_POOL: &[(usize, f64)] = &[(0, 1.0)];
        if self.teams.is_empty() {
            ONE_POOL
        } else {
            &item.split
        }
    }

    /// Total allocatable capacity over the horizon, Σ_t A_t.
    pub fn total_allocatable(&self) -> f64 {
        (1..=self.periods).map(|t| self.allocatable(t)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pert_mean_weights_likely_four_times() {
        // (10 + 4 × 12 + 20) / 6 = 78 / 6 = 13
        let e = Estimate {
            low: 10.0,
            likely: 12.0,
            high: 20.0,
        };
        assert!((e.mean() - 13.0).abs() < 1e-12);
        assert_eq!(Estimate::fixed(7.5).mean(), 7.5);
    }

    #[test]
    fn incident_risk_expects_probability_times_mean_impact() {
        let r = Risk::Incident {
            probability: 0.02,
            impact: Estimate {
                low: 100_000.0,
                likely: 250_000.0,
                high: 700_000.0,
            },
        };
        // mean impact = (100k + 1000k + 700k) / 6 = 300k; × 0.02 = 6k
        assert!((r.expected_per_period() - 6_000.0).abs() < 1e-9);
    }

    #[test]
    fn drag_law_caps_then_subtracts_relief() {
        let d = Debt {
            drag: 0.10,
            growth: Estimate::fixed(0.05),
            ceiling: 0.25,
        };
        assert!((d.base_drag(1, 0.05) - 0.10).abs() < 1e-12);
        assert!((d.base_drag(3, 0.05) - 0.20).abs() < 1e-12);
        // period 5: 0.10 + 0.20 = 0.30 → capped at 0.25
        assert!((d.base_drag(5, 0.05) - 0.25).abs() < 1e-12);
        let after = |t, relief| crate::economics::drag_after_relief(d.base_drag(t, 0.05), relief);
        assert!((after(5, 0.10) - 0.15).abs() < 1e-12);
        assert_eq!(after(1, 0.5), 0.0);
    }

    #[test]
    fn default_class_follows_kind() {
        assert_eq!(Kind::Feature.default_class(), Class::Product);
        assert_eq!(Kind::Compliance.default_class(), Class::Product);
        assert_eq!(Kind::Security.default_class(), Class::Stability);
        assert_eq!(Kind::Migration.default_class(), Class::Stability);
    }
}
