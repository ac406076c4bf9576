//! One trial's sampled future, and the scenario compiled into flat arrays the replay reads.
//!
//! Sampled once per trial (Beta-PERT when three-point, fixed otherwise): every initiative's
//! effort, value, one-time value, risk number and incident impact, and the debt growth. Sampled
//! per period: capacity noise N(1, noise) floored at 0 and, for every initiative whose risk is
//! `{probability, impact}`, an incident draw. Trial k's generator is Xoshiro256++ seeded (through
//! SplitMix64) from a bijective mix of (seed, k), so a trial's future does not depend on which
//! thread runs it or in which order. Draws happen in a fixed order: growth, efforts, values,
//! one-time values, risk numbers, impacts (uncertain ones only), noise per period, incidents per
//! initiative and period (two periods per 64-bit draw, 32 bits each).
//!
//! With `[[team]]`, capacity noise is drawn per team and period instead (team by team, each
//! team's periods in order, teams with noise 0 drawing nothing), in the same place of the order;
//! the one-pool factors then stay at 1. Without teams nothing changes: the same draws in the
//! same order as before teams existed.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::pert::{pert_table, PertRows, PertSampler, RowSampler};
use super::teams::TeamModel;
use crate::scenario::{Class, Deadline, Estimate, Initiative, Risk, Scenario};

/// The scenario as flat per-initiative and per-period arrays.
#[derive(Debug, Clone)]
pub struct Model {
    pub n_items: usize,
    pub n_periods: usize,
    /// A_t by `period_idx`.
    pub allocatable_weeks: Vec<f64>,
    /// With `[[team]]`: capacity by team (the replay takes the team path); `None` for one pool.
    pub teams: Option<TeamModel>,
    /// d_t by period, `discount[t]` for t = 0..=T (d_0 = 1).
    pub discount: Vec<f64>,
    pub terminal_periods: f64,
    pub noise: f64,
    pub drag: f64,
    pub drag_ceiling: f64,
    pub growth: Estimate,
    pub is_stability: Vec<bool>,
    /// team × weeks_per_period, infinite without a limit.
    pub team_limit_weeks: Vec<f64>,
    /// (1 − progress): sampled effort × this = remaining effort.
    pub remaining_factor: Vec<f64>,
    pub debt_relief: Vec<f64>,
    /// Prerequisites as CSR: `requires[requires_start[i]..requires_start[i + 1]]`.
    pub requires_start: Vec<usize>,
    pub requires: Vec<u32>,
    /// Number of prerequisites of each item.
    pub n_requires: Vec<u32>,
    /// Reverse prerequisites as CSR: the items that require `i`.
    pub dependents_start: Vec<usize>,
    pub dependents: Vec<u32>,
    /// Deadline period (1-based) or 0.
    pub deadline_period: Vec<u32>,
    /// Soft-deadline penalty (0 for hard or none).
    pub penalty: Vec<f64>,
    /// Incident probability per period (0 unless risk is `{probability, impact}`).
    pub incident_probability: Vec<f64>,
    /// Slot of an incident initiative in the per-trial incident masks, or `u32::MAX`.
    pub incident_slot: Vec<u32>,
    pub n_incident_items: usize,
    /// ⌈p × 2^32⌉ for each incident slot: an incident when a 32-bit uniform draw is below it
    /// (for an integer draw x, x < ⌈p × 2^32⌉ exactly when x < p × 2^32).
    pub incident_threshold: Vec<u64>,
    /// 64-bit words of incident mask per incident initiative.
    pub incident_words: usize,
    /// Mean values, the deterministic future's numbers.
    pub mean_effort: Vec<f64>,
    pub mean_value: Vec<f64>,
    pub mean_one_time: Vec<f64>,
    /// Expected cost of delay per period c_i (risk number mean, or probability × mean impact).
    pub mean_cost_of_delay: Vec<f64>,
    /// Fixed per-period risk for the sampled futures: the risk number (incidents excluded).
    pub base_risk: Vec<f64>,
    pub mean_impact: Vec<f64>,
    /// Settlement weights by delivery period p = 0..=T (0 = not delivered in the horizon):
    /// value × `value_weight[p]` = value earned after p plus the terminal value (S_T − S_p +
    /// terminal_periods × d_T; 0 for p = 0); one-time value × `one_time_weight[p]` (d_p; 0 for
    /// p = 0); cost of delay × `delay_weight[p]` (S_p, S_T for p = 0).
    pub value_weight: Vec<f64>,
    pub one_time_weight: Vec<f64>,
    pub delay_weight: Vec<f64>,
    /// Items whose risk is set (only they can have a cost of delay), in file order.
    pub risk_items: Vec<u32>,
    /// Items with incident risk, by incident slot.
    pub incident_items: Vec<u32>,
    /// Items with a soft-deadline penalty, in file order.
    pub penalty_items: Vec<u32>,
    /// One quantile row per uncertain estimate, in draw order.
    pert_rows: PertRows,
    growth_sampler: Option<RowSampler>,
    /// Draws in the order they are made: efforts (remaining share baked in), values, one-time
    /// values, risk numbers, impacts.
    effort_draws: Vec<(u32, RowSampler)>,
    value_draws: Vec<(u32, RowSampler)>,
    one_time_draws: Vec<(u32, RowSampler)>,
    risk_draws: Vec<(u32, RowSampler)>,
    impact_draws: Vec<(u32, RowSampler)>,
}

impl Model {
    /// Compiles a validated scenario.
    pub fn new(scenario: &Scenario) -> Model {
        let n_items = scenario.initiatives.len();
        let n_periods = scenario.periods;
        let allocatable_weeks = (1..=n_periods).map(|t| scenario.allocatable(t)).collect();
        let discount = crate::economics::discount_factors(
            scenario.discount_rate,
            scenario.periods_per_year,
            n_periods,
        );
        let table = pert_table();
        let mut pert_rows = PertRows::default();
        let growth_sampler =
            PertSampler::new(&scenario.debt.growth).map(|s| pert_rows.push(table, &s, 1.0));
        let mut model = Model {
            n_items,
            n_periods,
            allocatable_weeks,
            teams: TeamModel::new(scenario),
            discount,
            terminal_periods: scenario.terminal_periods as f64,
            noise: scenario.capacity.noise,
            drag: scenario.debt.drag,
            drag_ceiling: scenario.debt.ceiling,
            growth: scenario.debt.growth,
            is_stability: Vec::with_capacity(n_items),
            team_limit_weeks: Vec::with_capacity(n_items),
            remaining_factor: Vec::with_capacity(n_items),
            debt_relief: Vec::with_capacity(n_items),
            requires_start: vec![0],
            requires: Vec::new(),
            dependents_start: Vec::new(),
            dependents: Vec::new(),
            n_requires: Vec::new(),
            deadline_period: Vec::with_capacity(n_items),
            penalty: Vec::with_capacity(n_items),
            incident_probability: Vec::with_capacity(n_items),
            incident_slot: Vec::with_capacity(n_items),
            n_incident_items: 0,
            incident_threshold: Vec::new(),
            incident_words: n_periods.div_ceil(64),
            mean_effort: Vec::with_capacity(n_items),
            mean_value: Vec::with_capacity(n_items),
            mean_one_time: Vec::with_capacity(n_items),
            mean_cost_of_delay: Vec::with_capacity(n_items),
            base_risk: Vec::with_capacity(n_items),
            mean_impact: Vec::with_capacity(n_items),
            value_weight: Vec::new(),
            one_time_weight: Vec::new(),
            delay_weight: Vec::new(),
            risk_items: Vec::new(),
            incident_items: Vec::new(),
            penalty_items: Vec::new(),
            pert_rows: PertRows::default(),
            growth_sampler,
            effort_draws: Vec::new(),
            value_draws: Vec::new(),
            one_time_draws: Vec::new(),
            risk_draws: Vec::new(),
            impact_draws: Vec::new(),
        };
        for (idx, item) in scenario.initiatives.iter().enumerate() {
            let i = idx as u32;
            model.is_stability.push(item.class == Class::Stability);
            model
                .team_limit_weeks
                .push(item.team_limit_weeks(scenario.weeks_per_period));
            model.remaining_factor.push(1.0 - item.progress);
            model.debt_relief.push(item.debt_relief);
            model
                .requires
                .extend(item.requires.iter().map(|&j| j as u32));
            model.requires_start.push(model.requires.len());
            let (deadline, penalty) = match item.deadline {
                Some(Deadline::Hard { period }) => (period as u32, 0.0),
                Some(Deadline::Soft { period, penalty }) => (period as u32, penalty),
                None => (0, 0.0),
            };
            model.deadline_period.push(deadline);
            model.penalty.push(penalty);
            model.mean_effort.push(item.remaining_effort_mean());
            model.mean_value.push(item.value.mean());
            model.mean_one_time.push(item.one_time_value.mean());
            model.mean_cost_of_delay.push(item.cost_of_delay_mean());
            if item.risk.is_some() {
                model.risk_items.push(i);
            }
            if penalty != 0.0 {
                model.penalty_items.push(i);
            }
            match item.risk {
                Some(Risk::PerPeriod(e)) => {
                    model.base_risk.push(e.mean());
                    model.mean_impact.push(0.0);
                    model.incident_probability.push(0.0);
                    model.incident_slot.push(u32::MAX);
                }
                Some(Risk::Incident {
                    probability,
                    impact,
                }) => {
                    model.base_risk.push(0.0);
                    model.mean_impact.push(impact.mean());
                    model.incident_probability.push(probability);
                    model.incident_slot.push(model.n_incident_items as u32);
                    model.n_incident_items += 1;
                    model.incident_items.push(i);
                    // p × 2^32 is exact in f64 (p ≤ 1), and so is its ceiling.
                    model
                        .incident_threshold
                        .push((probability * 4_294_967_296.0).ceil() as u64);
                }
                None => {
                    model.base_risk.push(0.0);
                    model.mean_impact.push(0.0);
                    model.incident_probability.push(0.0);
                    model.incident_slot.push(u32::MAX);
                }
            }
        }
        // The rows, laid out in the order a trial draws from them.
        for (i, s) in uncertain(scenario, |item| Some(item.effort)) {
            let row = pert_rows.push(table, &s, model.remaining_factor[i]);
            model.effort_draws.push((i as u32, row));
        }
        for (i, s) in uncertain(scenario, |item| Some(item.value)) {
            model
                .value_draws
                .push((i as u32, pert_rows.push(table, &s, 1.0)));
        }
        for (i, s) in uncertain(scenario, |item| Some(item.one_time_value)) {
            model
                .one_time_draws
                .push((i as u32, pert_rows.push(table, &s, 1.0)));
        }
        for (i, s) in uncertain(scenario, |item| match item.risk {
            Some(Risk::PerPeriod(e)) => Some(e),
            _ => None,
        }) {
            model
                .risk_draws
                .push((i as u32, pert_rows.push(table, &s, 1.0)));
        }
        for (i, s) in uncertain(scenario, |item| match item.risk {
            Some(Risk::Incident { impact, .. }) => Some(impact),
            _ => None,
        }) {
            model
                .impact_draws
                .push((i as u32, pert_rows.push(table, &s, 1.0)));
        }
        model.pert_rows = pert_rows;
        // The settlement of `economics`, tabulated by delivery period.
        let d = &model.discount;
        model.value_weight = (0..=n_periods)
            .map(|p| crate::economics::value_weight(d, model.terminal_periods, p))
            .collect();
        model.one_time_weight = (0..=n_periods)
            .map(|p| crate::economics::one_time_weight(d, p))
            .collect();
        model.delay_weight = (0..=n_periods)
            .map(|p| crate::economics::delay_weight(d, p))
            .collect();
        model.n_requires = (0..n_items)
            .map(|i| (model.requires_start[i + 1] - model.requires_start[i]) as u32)
            .collect();
        let mut n_dependents = vec![0usize; n_items];
        for &j in &model.requires {
            n_dependents[j as usize] += 1;
        }
        model.dependents_start = vec![0; n_items + 1];
        for (j, count) in n_dependents.iter().enumerate() {
            model.dependents_start[j + 1] = model.dependents_start[j] + count;
        }
        model.dependents = vec![0; model.requires.len()];
        let mut fill = model.dependents_start.clone();
        for i in 0..n_items {
            for k in model.requires_start[i]..model.requires_start[i + 1] {
                let j = model.requires[k] as usize;
                model.dependents[fill[j]] = i as u32;
                fill[j] += 1;
            }
        }
        model
    }

    /// The items that require initiative `j`.
    #[inline]
    pub fn dependents_of(&self, j: usize) -> &[u32] {
        &self.dependents[self.dependents_start[j]..self.dependents_start[j + 1]]
    }

    /// The drag in period t (1-based) with growth `growth` and accumulated relief.
    #[inline]
    pub fn drag_in(&self, period: usize, growth: f64, relief: f64) -> f64 {
        let debt = crate::scenario::Debt {
            drag: self.drag,
            growth: self.growth,
            ceiling: self.drag_ceiling,
        };
        crate::economics::drag_after_relief(
            crate::economics::base_drag(&debt, period, growth),
            relief,
        )
    }
}

/// The uncertain estimates `estimate` picks from the initiatives, with their indexes.
fn uncertain(
    scenario: &Scenario,
    estimate: fn(&Initiative) -> Option<Estimate>,
) -> impl Iterator<Item = (usize, PertSampler)> + '_ {
    scenario
        .initiatives
        .iter()
        .enumerate()
        .filter_map(move |(i, item)| {
            estimate(item)
                .and_then(|e| PertSampler::new(&e))
                .map(|s| (i, s))
        })
}

/// The numbers of one sampled future.
#[derive(Debug, Clone)]
pub struct Future {
    /// Sampled remaining effort in engineer-weeks.
    pub effort_weeks: Vec<f64>,
    pub value: Vec<f64>,
    pub one_time_value: Vec<f64>,
    /// Cost of delay per period while undelivered.
    pub risk: Vec<f64>,
    /// Incident impact.
    pub impact: Vec<f64>,
    pub growth: f64,
    /// noise_t by `period_idx`, ≥ 0 (one pool; all 1 with teams).
    pub capacity_factor: Vec<f64>,
    /// With teams, noise_jt: `team_capacity_factor[team_idx * n_periods + period_idx]`, ≥ 0
    /// (empty without teams).
    pub team_capacity_factor: Vec<f64>,
    /// Incident masks: bit `period_idx` of word `slot × incident_words + period_idx / 64`.
    pub incidents: Vec<u64>,
}

impl Future {
    /// The future of means: no noise, no incidents, expected losses as cost of delay.
    pub fn deterministic(model: &Model) -> Future {
        let effort_weeks = model.mean_effort.clone();
        Future {
            effort_weeks,
            value: model.mean_value.clone(),
            one_time_value: model.mean_one_time.clone(),
            risk: model.mean_cost_of_delay.clone(),
            impact: vec![0.0; model.n_items],
            growth: model.growth.mean(),
            capacity_factor: vec![1.0; model.n_periods],
            team_capacity_factor: team_factors(model),
            incidents: vec![0; model.n_incident_items * model.incident_words],
        }
    }

    /// A buffer for sampled futures, filled with the fixed numbers.
    pub fn for_sampling(model: &Model) -> Future {
        let effort_weeks = model.mean_effort.clone();
        Future {
            effort_weeks,
            value: model.mean_value.clone(),
            one_time_value: model.mean_one_time.clone(),
            risk: model.base_risk.clone(),
            impact: model.mean_impact.clone(),
            growth: model.growth.mean(),
            capacity_factor: vec![1.0; model.n_periods],
            team_capacity_factor: team_factors(model),
            incidents: vec![0; model.n_incident_items * model.incident_words],
        }
    }

    /// Overwrites the uncertain numbers with trial `trial_idx`'s draws.
    pub fn sample(&mut self, model: &Model, seed: u64, trial_idx: u64) {
        let rows = &model.pert_rows;
        let mut rng = trial_rng(seed, trial_idx);
        if let Some(s) = &model.growth_sampler {
            self.growth = rows.sample(s, rng.next_u64());
        }
        for (i, s) in &model.effort_draws {
            self.effort_weeks[*i as usize] = rows.sample(s, rng.next_u64());
        }
        for (i, s) in &model.value_draws {
            self.value[*i as usize] = rows.sample(s, rng.next_u64());
        }
        for (i, s) in &model.one_time_draws {
            self.one_time_value[*i as usize] = rows.sample(s, rng.next_u64());
        }
        for (i, s) in &model.risk_draws {
            self.risk[*i as usize] = rows.sample(s, rng.next_u64());
        }
        for (i, s) in &model.impact_draws {
            self.impact[*i as usize] = rows.sample(s, rng.next_u64());
        }
        match &model.teams {
            None => {
                if model.noise > 0.0 {
                    for factor in &mut self.capacity_factor {
                        let z: f64 = StandardNormal.sample(&mut rng);
                        *factor = (1.0 + model.noise * z).max(0.0);
                    }
                }
            }
            Some(teams) => {
                teams.sample_noise(&mut rng, model.n_periods, &mut self.team_capacity_factor)
            }
        }
        // Incidents: two periods per 64-bit draw, an incident when a 32-bit uniform is below
        // ⌈p × 2^32⌉ (integer comparisons); a mask word of 64 periods is built in a register
        // from 32 draws and the periods past T are cleared once.
        let n_periods = model.n_periods;
        let n_pairs = n_periods.div_ceil(2);
        for (masks, &threshold) in self
            .incidents
            .chunks_exact_mut(model.incident_words.max(1))
            .zip(&model.incident_threshold)
        {
            for (w, mask) in masks.iter_mut().enumerate() {
                let mut word = 0u64;
                for pair in 0..(n_pairs - 32 * w).min(32) {
                    let bits = rng.next_u64();
                    let first = u64::from((bits >> 32) < threshold);
                    let second = u64::from((bits & 0xffff_ffff) < threshold);
                    word |= (first | (second << 1)) << (2 * pair);
                }
                let periods = n_periods - 64 * w;
                if periods < 64 {
                    word &= (1u64 << periods) - 1;
                }
                *mask = word;
            }
        }
    }
}

/// Every team's capacity factor at 1 (none without teams).
fn team_factors(model: &Model) -> Vec<f64> {
    let n_teams = model.teams.as_ref().map_or(0, |teams| teams.n_teams);
    vec![1.0; n_teams * model.n_periods]
}

/// SplitMix64's finaliser: a bijection of u64 with good avalanche.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Trial k's generator: depends only on (seed, k); distinct trials of one seed get distinct
/// SplitMix64 seeds (a bijection of k).
pub fn trial_rng(seed: u64, trial_idx: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix64(seed.wrapping_add(0x9e37_79b9_7f4a_7c15)) ^ trial_idx)
}
