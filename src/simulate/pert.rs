//! Fast, accurate Beta-PERT draws from a shared inverse-CDF table.
//!
//! A Beta-PERT estimate `{low, likely, high}` is `low + (high − low) × B` with
//! B ~ Beta(α, β), α = 1 + 4 (likely − low) / (high − low), β = 1 + 4 (high − likely) / (high − low).
//! Since α + β = 6, the standardised shape depends on α ∈ [1, 5] alone. We tabulate the exact
//! quantile function Q(u; α) of Beta(α, 6 − α) once per process for 33 shapes (α step 1/8): on a
//! core grid of step 1/1024 in u and, below u = 4/1024 and above 1 − 4/1024, on tail grids of
//! step 1/65,536. Q is steep at the ends (Q(u) ∝ u^(1/α) at 0), and with 1/1024 cells there the
//! linear interpolation spread the tail mass: the CDF was off by up to 5.2e-4 and the sd of
//! {0, 0.05, 0.2} came out 0.07% high.
//!
//! A draw takes one 64-bit random number: its top 10 bits pick a core cell, or, in the first and
//! last four (0.8% of draws, one well-predicted branch), its top 16 bits pick a tail cell; the
//! next 24 bits interpolate linearly along u. Along α, the four shape rows around the estimate's
//! α are blended with cubic (Lagrange) weights fixed per estimate (a linear blend of rows 1/16
//! apart was off by 1.6e-4 near α = 1 and 5, cubic of rows 1/8 apart by under 1e-5).
//!
//! Accuracy, as sup |F_sampled − F_exact| over the estimate's range: at most 2.2e-5 for the
//! table's draws (largest in the core cells next to the tail grids), at most 3.8e-5 for the
//! 16-bit rows a run draws from (rounding to 2^-17 of the range, times the largest density, 5),
//! against the 1e-4 SPEC allows. (Those two figures are a one-off measurement for α in steps of
//! 1/128, with the exact CDF compared at every 2^-16 of u and at the exact quantiles from 1e-6 to
//! 1 − 1e-6; no test keeps them.) `tests::sampled_cdf_is_within_1e_4_of_the_exact_cdf` asserts
//! the 1e-4 bound the same way for 14 shapes on and off the grid, `tests::draws_have_the_closed_form_moments` the mean and sd of 400,000 draws (within 5
//! standard errors) and of the sampled distribution itself (within a quarter of one). The table
//! (198 KB of `f32`, about 20 ms to build) stays in the L2 cache of a core, which is what makes a
//! draw cost a few nanoseconds instead of the tens a pair of Gamma draws costs.
//!
//! A run's samplers each get a row of their shape ([`PertRows`], 16-bit): the four shape rows
//! blended once, so a trial's draw is one random number, one index and one linear interpolation
//! along u.

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::scenario::Estimate;

/// Cells along the probability axis (a power of two: the top bits of a draw pick the cell).
const U_CELLS: usize = 1024;
const U_BITS: u32 = 10;
/// Core cells at each end of the probability axis whose draws come from a finer tail grid
/// instead: u < TAIL_CELLS / U_CELLS and u ≥ 1 − TAIL_CELLS / U_CELLS.
const TAIL_CELLS: usize = 4;
/// The tail grids' step in u is 2^-FINE_BITS (the top FINE_BITS bits of a draw pick the cell).
const FINE_BITS: u32 = 16;
/// Fine cells in each tail grid.
const TAIL_FINE_CELLS: usize = TAIL_CELLS << (FINE_BITS - U_BITS);
const _: () = assert!(TAIL_FINE_CELLS.is_power_of_two() && TAIL_CELLS < U_CELLS / 2);
/// Fine cells along the whole probability axis.
const FINE_CELLS: usize = 1 << FINE_BITS;
/// A row: the core grid Q(k / U_CELLS), k = 0..=U_CELLS, then the lower tail grid
/// Q(j / FINE_CELLS), then the upper one Q(1 − (TAIL_FINE_CELLS − j) / FINE_CELLS),
/// j = 0..=TAIL_FINE_CELLS.
const LOWER_TAIL: usize = U_CELLS + 1;
const UPPER_TAIL: usize = LOWER_TAIL + TAIL_FINE_CELLS + 1;
const ROW_LEN: usize = UPPER_TAIL + TAIL_FINE_CELLS + 1;
/// Cells along the shape axis α ∈ [1, 5].
const SHAPE_CELLS: usize = 32;

/// Quantiles of Beta(α, 6 − α), one row per shape α = 1 + row / 8 (layout: [`ROW_LEN`]).
pub struct PertTable {
    quantiles: Vec<f32>,
}

/// The process-wide table, built on first use (tens of milliseconds).
pub fn pert_table() -> &'static PertTable {
    static TABLE: OnceLock<PertTable> = OnceLock::new();
    TABLE.get_or_init(build_table)
}

fn shape_of_row(row: usize) -> f64 {
    1.0 + 4.0 * row as f64 / SHAPE_CELLS as f64
}

/// The probability of each knot of a row, in the row's order.
fn knot_probabilities() -> Vec<f64> {
    let core = (0..=U_CELLS).map(|k| k as f64 / U_CELLS as f64);
    let lower = (0..=TAIL_FINE_CELLS).map(|j| j as f64 / FINE_CELLS as f64);
    let upper =
        (0..=TAIL_FINE_CELLS).map(|j| 1.0 - (TAIL_FINE_CELLS - j) as f64 / FINE_CELLS as f64);
    core.chain(lower).chain(upper).collect()
}

/// Where a knot's mirror image sits: the knot of probability 1 − u.
fn mirror_knot(knot: usize) -> usize {
    if knot < LOWER_TAIL {
        U_CELLS - knot
    } else if knot < UPPER_TAIL {
        UPPER_TAIL + TAIL_FINE_CELLS - (knot - LOWER_TAIL)
    } else {
        LOWER_TAIL + TAIL_FINE_CELLS - (knot - UPPER_TAIL)
    }
}

fn build_table() -> PertTable {
    let mut quantiles = vec![0.0f32; (SHAPE_CELLS + 1) * ROW_LEN];
    let probabilities = knot_probabilities();
    // Knots in increasing u, so each quantile search starts from the previous quantile.
    let mut order: Vec<usize> = (0..ROW_LEN).collect();
    order.sort_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
    // Beta(α, β) and Beta(β, α) are mirror images: Q(u; 6 − α) = 1 − Q(1 − u; α). Compute the
    // rows with α ≤ 3 and mirror them. The rows are independent, so they are computed in
    // parallel (the same numbers on any number of threads).
    let row_of = |row: usize| {
        let alpha = shape_of_row(row);
        let beta = 6.0 - alpha;
        let mut values = vec![0.0f64; ROW_LEN];
        let mut previous = 0.0;
        for &knot in &order {
            let u = probabilities[knot];
            values[knot] = if u <= 0.0 {
                0.0
            } else if u >= 1.0 {
                1.0
            } else {
                previous = beta_quantile(alpha, beta, u, previous);
                previous
            };
        }
        values
    };
    // On a pool of its own, as many threads as the caller's: a thread waiting inside a shared
    // pool could take up other work that needs this very table, while it is being built.
    let rows: Vec<Vec<f64>> = match rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .build()
    {
        Ok(pool) => pool.install(|| (0..=SHAPE_CELLS / 2).into_par_iter().map(row_of).collect()),
        Err(_) => (0..=SHAPE_CELLS / 2).map(row_of).collect(),
    };
    for (row, values) in rows.iter().enumerate() {
        let mirror = SHAPE_CELLS - row;
        for (knot, &value) in values.iter().enumerate() {
            quantiles[row * ROW_LEN + knot] = value as f32;
            quantiles[mirror * ROW_LEN + mirror_knot(knot)] = (1.0 - value) as f32;
        }
    }
    PertTable { quantiles }
}

/// The cell of a row that 64 random bits fall in, as (index of its lower knot, position inside
/// it in [0, 1)): the top 10 bits pick a core cell; in the first and last [`TAIL_CELLS`] the top
/// 16 bits pick a cell of a tail grid instead. The position is the next 24 bits. (The index is a
/// `u32`, so adding it to a row's offset cannot overflow and a draw's bounds check is one
/// comparison.)
#[inline]
fn locate(bits: u64) -> (u32, f32) {
    let cell = (bits >> (64 - U_BITS)) as u32;
    if cell.wrapping_sub(TAIL_CELLS as u32) >= (U_CELLS - 2 * TAIL_CELLS) as u32 {
        return locate_in_tail(bits);
    }
    (cell, position(bits, U_BITS))
}

/// [`locate`] for the 0.8% of draws that fall in a tail grid (out of line, so the common path
/// stays a shift, a comparison and a not-taken branch).
#[cold]
#[inline(never)]
fn locate_in_tail(bits: u64) -> (u32, f32) {
    let fine = (bits >> (64 - FINE_BITS)) as u32;
    let grid = if bits >> (64 - U_BITS) < TAIL_CELLS as u64 {
        LOWER_TAIL as u32
    } else {
        UPPER_TAIL as u32
    };
    // The low bits of the fine cell are its place in its tail grid (the upper grid starts at
    // FINE_CELLS − TAIL_FINE_CELLS, a multiple of TAIL_FINE_CELLS); masking, not subtracting,
    // keeps the index small.
    (
        grid + (fine & (TAIL_FINE_CELLS as u32 - 1)),
        position(bits, FINE_BITS),
    )
}

/// The 24 bits after the top `cell_bits` as a fraction in [0, 1).
#[inline]
fn position(bits: u64, cell_bits: u32) -> f32 {
    ((bits >> (40 - cell_bits)) & 0x00ff_ffff) as f32 * (1.0 / 16_777_216.0)
}

/// Draws from one uncertain estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PertSampler {
    low: f64,
    range: f64,
    /// Offset in the table of the first of the four shape rows around the estimate's α.
    stencil: usize,
    /// Weights of the four rows: cubic (Lagrange) interpolation along α.
    weights: [f64; SHAPE_STENCIL],
}

/// Shape rows blended for one α: four, for cubic interpolation along the shape axis.
const SHAPE_STENCIL: usize = 4;

impl PertSampler {
    /// A sampler for a three-point estimate; `None` when the estimate is a plain number.
    pub fn new(estimate: &Estimate) -> Option<PertSampler> {
        if estimate.is_fixed() || estimate.high <= estimate.low || estimate.high.is_nan() {
            return None;
        }
        let range = estimate.high - estimate.low;
        let alpha = (1.0 + 4.0 * (estimate.likely - estimate.low) / range).clamp(1.0, 5.0);
        let position = (alpha - 1.0) / 4.0 * SHAPE_CELLS as f64;
        // The rows below and above α and one more on each side (at the ends of the axis, the
        // four nearest rows).
        let first = (position.floor() as usize)
            .saturating_sub(1)
            .min(SHAPE_CELLS + 1 - SHAPE_STENCIL);
        let t = position - first as f64;
        let mut weights = [1.0; SHAPE_STENCIL];
        for (i, weight) in weights.iter_mut().enumerate() {
            for j in (0..SHAPE_STENCIL).filter(|&j| j != i) {
                *weight *= (t - j as f64) / (i as f64 - j as f64);
            }
        }
        Some(PertSampler {
            low: estimate.low,
            range,
            stencil: first * ROW_LEN,
            weights,
        })
    }

    /// The standardised quantile at one knot of a row: the four shape rows blended.
    #[inline]
    fn knot(&self, table: &PertTable, knot: usize) -> f64 {
        let column = &table.quantiles[self.stencil + knot..];
        self.weights
            .iter()
            .enumerate()
            .map(|(r, w)| w * f64::from(column[r * ROW_LEN]))
            .sum()
    }

    /// One draw from 64 random bits: the top bits pick the cell, the next 24 the point inside
    /// it (the four shape rows blended at both ends of the cell, then interpolated along u).
    #[inline]
    pub fn sample(&self, table: &PertTable, bits: u64) -> f64 {
        let (knot, frac) = locate(bits);
        let knot = knot as usize;
        let (q0, q1) = (self.knot(table, knot), self.knot(table, knot + 1));
        self.low + self.range * (q0 + f64::from(frac) * (q1 - q0))
    }
}

/// Quantile rows of several estimates, each the table's four shape rows already blended at the
/// estimate's shape weights: a draw reads one row (one random number, one index, one linear
/// interpolation). Estimates of the same shape share a row, and rows are stored as 16-bit fixed
/// point (Q × 65,535, rounded), so the rows of a portfolio of a few hundred estimates stay in a
/// core's L2 cache (with one `f32` row per estimate, 1.2 MB for portfolio-200, the draws were
/// cache misses). A row is 1,539 entries (3 KB; the 1,025 of the core grid, which nearly every
/// draw reads, come first); building it costs 1,539 blends, once per run.
///
/// Accuracy: the rows are the knots of [`PertSampler::sample`], kept non-decreasing and rounded
/// to 2^-16 of the range; a draw is within 2^-17 of the range (plus `f32` arithmetic) of the
/// table's draw from the same bits, which moves the CDF by at most 2^-17 times the largest
/// density of a Beta(α, 6 − α) (5): 3.8e-5, against the table's own 2.2e-5.
#[derive(Debug, Clone, Default)]
pub struct PertRows {
    quantiles: Vec<u16>,
    /// (table stencil offset, shape weight bits, row offset) of every row built so far.
    shapes: Vec<(usize, [u64; SHAPE_STENCIL], u32)>,
}

/// Draws from one estimate's row in a [`PertRows`]: `low + range × Q(u)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowSampler {
    low: f64,
    /// The estimate's range / 65,535 (rows hold Q × 65,535).
    scale: f64,
    /// Offset of the row in [`PertRows`].
    offset: u32,
}

/// Full scale of a 16-bit row entry.
const ROW_SCALE: f64 = 65_535.0;

impl PertRows {
    /// Adds the row of `sampler` (or finds the row of an estimate of the same shape), with its
    /// draws multiplied by `factor` (a positive scale baked into low and range), and returns the
    /// sampler that reads it.
    pub fn push(&mut self, table: &PertTable, sampler: &PertSampler, factor: f64) -> RowSampler {
        let key = (sampler.stencil, sampler.weights.map(f64::to_bits));
        let offset = match self.shapes.iter().find(|s| (s.0, s.1) == key) {
            Some(&(_, _, offset)) => offset,
            None => {
                let offset =
                    u32::try_from(self.quantiles.len()).expect("fewer than 2^32 quantiles");
                // Each grid of the row (core, lower tail, upper tail) is kept non-decreasing:
                // the cubic blend could dip where neighbouring shapes' quantiles differ most.
                let mut floor = 0.0f64;
                self.quantiles.extend((0..ROW_LEN).map(|knot| {
                    if knot == LOWER_TAIL || knot == UPPER_TAIL {
                        floor = 0.0;
                    }
                    floor = sampler.knot(table, knot).clamp(floor, 1.0);
                    (floor * ROW_SCALE).round() as u16
                }));
                self.shapes.push((key.0, key.1, offset));
                offset
            }
        };
        RowSampler {
            low: sampler.low * factor,
            scale: sampler.range * factor / ROW_SCALE,
            offset,
        }
    }

    /// One draw from 64 random bits: the top bits pick the cell, the next 24 the point inside it.
    #[inline]
    pub fn sample(&self, sampler: &RowSampler, bits: u64) -> f64 {
        let (knot, frac) = locate(bits);
        let base = sampler.offset as usize + knot as usize;
        let q = &self.quantiles[base..base + 2];
        let (q0, q1) = (f32::from(q[0]), f32::from(q[1]));
        let standard = q0 + frac * (q1 - q0);
        sampler.low + sampler.scale * f64::from(standard)
    }

    /// Bytes of row storage (for benchmarks and tests).
    pub fn bytes(&self) -> usize {
        self.quantiles.len() * std::mem::size_of::<u16>()
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const COEFFS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFS[0];
    for (k, c) in COEFFS.iter().enumerate().skip(1) {
        sum += c / (x + k as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// ln B(a, b).
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    // One step of Lentz's method with the fraction's next coefficient: the factor h grows by.
    let mut step = |aa: f64| {
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        d * c
    };
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        h *= step(m * (b - m) * x / ((qam + m2) * (a + m2)));
        let delta = step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularised incomplete beta function I_x(a, b): the CDF of Beta(a, b) at x.
#[cfg(test)]
pub fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    beta_cdf_given(a, b, ln_beta(a, b), x)
}

/// [`beta_cdf`] with ln B(a, b) computed by the caller.
fn beta_cdf_given(a: f64, b: f64, ln_beta_ab: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (a * x.ln() + b * (1.0 - x).ln() - ln_beta_ab).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The density of Beta(a, b) at x, with ln B(a, b) given.
fn beta_pdf_given(a: f64, b: f64, ln_beta_ab: f64, x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return 0.0;
    }
    ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta_ab).exp()
}

/// The u-quantile of Beta(a, b): Newton steps kept inside a shrinking bracket, bisecting when a
/// step leaves it. `floor` is a known lower bound (the previous, smaller quantile).
pub fn beta_quantile(a: f64, b: f64, u: f64, floor: f64) -> f64 {
    let (mut lo, mut hi) = (floor.clamp(0.0, 1.0), 1.0);
    let mut x = (lo + hi) / 2.0;
    // A better start: the previous quantile nudged up.
    if floor > 0.0 {
        x = (floor + 1e-3).min(0.999_999);
    }
    // ln B(a, b) once, not twice per step: it is most of the cost of building the table.
    let ln_beta_ab = ln_beta(a, b);
    for _ in 0..100 {
        let f = beta_cdf_given(a, b, ln_beta_ab, x) - u;
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let density = beta_pdf_given(a, b, ln_beta_ab, x);
        let mut next = if density > 0.0 { x - f / density } else { lo };
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() < 1e-13 || hi - lo < 1e-13 {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Pert};
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        // Beta(1, 1) is uniform: I_x = x. Beta(2, 1): I_x = x². Beta(1, 5): 1 − (1 − x)^5.
        for &x in &[0.01, 0.2, 0.5, 0.77, 0.99] {
            assert!((beta_cdf(1.0, 1.0, x) - x).abs() < 1e-12);
            assert!((beta_cdf(2.0, 1.0, x) - x * x).abs() < 1e-12);
            assert!((beta_cdf(1.0, 5.0, x) - (1.0 - (1.0f64 - x).powi(5))).abs() < 1e-12);
            // Beta(3, 3) at x: 10x³ − 15x⁴ + 6x⁵ (integral of 30 x²(1 − x)²).
            let exact = 10.0 * x.powi(3) - 15.0 * x.powi(4) + 6.0 * x.powi(5);
            assert!((beta_cdf(3.0, 3.0, x) - exact).abs() < 1e-12);
        }
    }

    #[test]
    fn quantile_inverts_the_cdf() {
        for &(a, b) in &[(1.0, 5.0), (1.3, 4.7), (2.5, 3.5), (3.0, 3.0), (5.0, 1.0)] {
            for &u in &[1e-4, 0.01, 0.3, 0.5, 0.9, 0.9999] {
                let x = beta_quantile(a, b, u, 0.0);
                assert!((beta_cdf(a, b, x) - u).abs() < 1e-10, "a={a} b={b} u={u}");
            }
        }
    }

    /// The sampled distribution against the exact PERT CDF: KS distance of 200,000 draws below
    /// the sampling noise bound (1.63/√n ≈ 0.0036 at the 1% level) plus the sampler's 1e-4, and
    /// the sample mean within 4 standard errors of the PERT mean, for shapes on and off the grid.
    #[test]
    fn table_matches_exact_pert_cdf() {
        let table = pert_table();
        let estimates = [
            Estimate {
                low: 10.0,
                likely: 12.0,
                high: 20.0,
            },
            Estimate {
                low: 0.0,
                likely: 0.0,
                high: 1.0,
            },
            Estimate {
                low: 1.0,
                likely: 7.3,
                high: 8.0,
            },
            Estimate {
                low: -50.0,
                likely: 10.0,
                high: 70.0,
            },
        ];
        let n = 200_000;
        for (e_idx, e) in estimates.iter().enumerate() {
            let sampler = PertSampler::new(e).unwrap();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(7 + e_idx as u64);
            let draws = (0..n).map(|_| sampler.sample(table, rng.next_u64()));
            assert_draws_follow_pert(&format!("table, estimate {e_idx}"), e, draws.collect());
        }
    }

    /// Draws of `e` against its exact PERT CDF: the KS distance below the sampling noise bound
    /// (1.63/√n at the 1% level) plus the sampler's 1e-4, and the mean within 4 standard errors.
    fn assert_draws_follow_pert(what: &str, e: &Estimate, mut draws: Vec<f64>) {
        let n = draws.len() as f64;
        draws.sort_by(f64::total_cmp);
        let range = e.high - e.low;
        let alpha = (1.0 + 4.0 * (e.likely - e.low) / range).clamp(1.0, 5.0);
        let beta = 6.0 - alpha;
        let mut ks: f64 = 0.0;
        for (k, x) in draws.iter().enumerate() {
            let f = beta_cdf(alpha, beta, ((x - e.low) / range).clamp(0.0, 1.0));
            ks = ks.max((f - k as f64 / n).abs());
            ks = ks.max((f - (k + 1) as f64 / n).abs());
        }
        assert!(ks < 1.63 / n.sqrt() + 1e-4, "{what}: KS {ks}");
        let mean = draws.iter().sum::<f64>() / n;
        let sd = range * (alpha * beta / (36.0 * 7.0)).sqrt();
        assert!(
            (mean - e.mean()).abs() < 4.0 * sd / n.sqrt(),
            "{what}: mean {mean} vs {}",
            e.mean()
        );
    }

    /// The table against rand_distr's PERT (Gamma-based): a two-sample KS test.
    #[test]
    fn table_agrees_with_rand_distr_pert() {
        let table = pert_table();
        let e = Estimate {
            low: 4.0,
            likely: 9.0,
            high: 30.0,
        };
        let sampler = PertSampler::new(&e).unwrap();
        let reference = Pert::new(e.low, e.high).with_mode(e.likely).unwrap();
        let n = 50_000;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let mut ours: Vec<f64> = (0..n)
            .map(|_| sampler.sample(table, rng.next_u64()))
            .collect();
        let mut theirs: Vec<f64> = (0..n).map(|_| reference.sample(&mut rng)).collect();
        ours.sort_by(f64::total_cmp);
        theirs.sort_by(f64::total_cmp);
        let (mut i, mut j, mut ks) = (0usize, 0usize, 0.0f64);
        while i < n && j < n {
            if ours[i] <= theirs[j] {
                i += 1;
            } else {
                j += 1;
            }
            ks = ks.max((i as f64 - j as f64).abs() / n as f64);
        }
        // Two-sample KS critical value at 1%: 1.63 × √(2/n) ≈ 0.0103.
        assert!(ks < 0.0103, "KS {ks}");
    }

    /// A sampler's row gives the draws of the shared table to 1e-5 of the range, for shapes on
    /// and off the grid and in every cell of the core and tail grids, and its draws pass the same test against the exact
    /// PERT CDF as the table's; estimates of one shape share a row.
    #[test]
    fn rows_match_the_table_and_the_exact_cdf() {
        let table = pert_table();
        let mut rows = PertRows::default();
        let estimates = [
            (10.0, 12.0, 20.0),
            (0.0, 0.0, 1.0),
            (1.0, 7.3, 8.0),
            (-50.0, 10.0, 70.0),
            (3.0, 9.0, 9.0),
            (4.0, 9.0, 30.0),
        ];
        let samplers: Vec<(Estimate, PertSampler, RowSampler)> = estimates
            .iter()
            .map(|&(low, likely, high)| {
                let e = Estimate { low, likely, high };
                let s = PertSampler::new(&e).unwrap();
                let r = rows.push(table, &s, 1.0);
                (e, s, r)
            })
            .collect();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for (e, s, r) in &samplers {
            let range = e.high - e.low;
            // One draw in every 2^-16 of u: every core cell 64 times, every tail cell once.
            for cell in 0..FINE_CELLS as u64 {
                let bits = (cell << (64 - FINE_BITS)) | (rng.next_u64() >> FINE_BITS);
                let (a, b) = (s.sample(table, bits), rows.sample(r, bits));
                // 2^-17 rounding of the row plus f32 arithmetic.
                assert!(
                    (a - b).abs() <= 1e-5 * range,
                    "{e:?} cell {cell}: {a} vs {b}"
                );
            }
            for bits in [0u64, u64::MAX] {
                let x = rows.sample(r, bits);
                assert!(
                    x >= e.low - 1e-9 * range && x <= e.high + 1e-9 * range,
                    "{x}"
                );
            }
        }
        // A scale factor multiplies every draw; the same shape reuses its row.
        let bytes = rows.bytes();
        let scaled = rows.push(table, &samplers[0].1, 0.25);
        assert_eq!(rows.bytes(), bytes);
        for bits in [0u64, 1 << 40, u64::MAX / 3, u64::MAX] {
            let (a, b) = (
                rows.sample(&samplers[0].2, bits),
                rows.sample(&scaled, bits),
            );
            assert!((0.25 * a - b).abs() < 1e-12 * a.abs().max(1.0));
        }
        let n = 200_000;
        for (e_idx, (e, _, r)) in samplers.iter().enumerate() {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(17 + e_idx as u64);
            let draws = (0..n).map(|_| rows.sample(r, rng.next_u64()));
            assert_draws_follow_pert(&format!("rows, estimate {e_idx}"), e, draws.collect());
        }
    }

    /// Draws are evaluated at u = j / 2^16 (j = 0..=2^16; u = 1 as the largest `u64`): a
    /// refinement of every cell, so the mapping u ↦ x is linear between neighbouring probes.
    const PROBE_BITS: u32 = 16;

    /// The standardised draws (x − low) / range of `draw` at the probes.
    fn probe_mapping(e: &Estimate, draw: impl Fn(u64) -> f64) -> Vec<f64> {
        let range = e.high - e.low;
        (0..=1u64 << PROBE_BITS)
            .map(|j| {
                let bits = if j == 1 << PROBE_BITS {
                    u64::MAX
                } else {
                    j << (64 - PROBE_BITS)
                };
                (draw(bits) - e.low) / range
            })
            .collect()
    }

    /// Exact quantiles at which the sampled CDF is compared, tails included.
    const TAIL_PROBABILITIES: [f64; 17] = [
        1e-6, 1e-5, 1e-4, 5e-4, 1e-3, 2e-3, 1e-2, 0.1, 0.5, 0.9, 0.99, 0.998, 0.999, 0.9995,
        0.9999, 0.99999, 0.999999,
    ];

    /// The largest |F_sampled(x) − F_exact(x)| of a piecewise-linear mapping given at the
    /// probes, and the exact CDF at the x where it occurs. F_sampled is the piecewise-linear
    /// inverse of the mapping (a flat run is an atom: both its ends are checked); it is compared
    /// at every probe, halfway between neighbouring probes and at the exact quantiles of
    /// [`TAIL_PROBABILITIES`].
    fn sampled_cdf_error(alpha: f64, s: &[f64]) -> (f64, f64) {
        let beta = 6.0 - alpha;
        let step = 1.0 / (s.len() - 1) as f64;
        assert!(
            s.windows(2).all(|pair| pair[1] >= pair[0]),
            "α = {alpha}: the mapping decreases somewhere"
        );
        let mut worst = (0.0f64, 0.0f64);
        let mut check = |f_sampled: f64, x: f64| {
            let f = beta_cdf(alpha, beta, x);
            if (f - f_sampled).abs() > worst.0 {
                worst = ((f - f_sampled).abs(), f);
            }
        };
        for (j, pair) in s.windows(2).enumerate() {
            let u = j as f64 * step;
            check(u, pair[0]);
            if pair[1] > pair[0] {
                check(u + 0.5 * step, 0.5 * (pair[0] + pair[1]));
            }
        }
        check(1.0, s[s.len() - 1]);
        for &p in &TAIL_PROBABILITIES {
            let x = beta_quantile(alpha, beta, p, 0.0);
            let above = s.partition_point(|&v| v <= x);
            let f_sampled = if above == 0 {
                0.0
            } else if above == s.len() {
                1.0
            } else {
                let (lo, hi) = (s[above - 1], s[above]);
                (above - 1) as f64 * step + step * (x - lo) / (hi - lo)
            };
            check(f_sampled, x);
        }
        worst
    }

    /// Mean and standard deviation of a piecewise-linear mapping given at the probes (exact:
    /// ∫ s du and ∫ s² du cell by cell).
    fn mapping_moments(s: &[f64]) -> (f64, f64) {
        let n = (s.len() - 1) as f64;
        let (mut m1, mut m2) = (0.0, 0.0);
        for pair in s.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            m1 += 0.5 * (a + b) / n;
            m2 += (a * a + a * b + b * b) / 3.0 / n;
        }
        (m1, (m2 - m1 * m1).sqrt())
    }

    /// Shapes on the α grid (step 1/16) and off it, near 1 and 5 included.
    const SHAPES: [f64; 14] = [
        1.0, 1.01, 1.03125, 1.0625, 1.3, 2.0, 2.37, 3.0, 3.53125, 4.5, 4.9, 4.96875, 4.99, 5.0,
    ];

    fn standard_estimate(alpha: f64) -> Estimate {
        Estimate {
            low: 0.0,
            likely: (alpha - 1.0) / 4.0,
            high: 1.0,
        }
    }

    /// The CDF implied by the deterministic mapping from random bits to draws — of the shared
    /// table and of the 16-bit rows the simulator reads — stays within 1e-4 of the exact PERT CDF
    /// everywhere, tails included, for shapes on and off the grid.
    #[test]
    fn sampled_cdf_is_within_1e_4_of_the_exact_cdf() {
        let table = pert_table();
        for &alpha in &SHAPES {
            let e = standard_estimate(alpha);
            let sampler = PertSampler::new(&e).unwrap();
            let mut rows = PertRows::default();
            let row = rows.push(table, &sampler, 1.0);
            let from_table = probe_mapping(&e, |bits| sampler.sample(table, bits));
            let from_rows = probe_mapping(&e, |bits| rows.sample(&row, bits));
            for (what, s) in [("table", &from_table), ("rows", &from_rows)] {
                let (error, at) = sampled_cdf_error(alpha, s);
                assert!(
                    error <= 1e-4,
                    "α = {alpha}, {what}: CDF off by {error:e} at F = {at:e}"
                );
            }
        }
    }

    /// Raw moments E[B^k], k = 1..=4, of Beta(α, β).
    fn beta_raw_moments(alpha: f64, beta: f64) -> [f64; 4] {
        let mut moments = [0.0; 4];
        let mut m = 1.0;
        for (k, moment) in moments.iter_mut().enumerate() {
            m *= (alpha + k as f64) / (alpha + beta + k as f64);
            *moment = m;
        }
        moments
    }

    /// 400,000 draws from the rows: sample mean and sd within 5 standard errors of the PERT's
    /// closed form (SE of the sd from the fourth central moment), and the mapping's exact
    /// moments far closer than that.
    #[test]
    fn draws_have_the_closed_form_moments() {
        let table = pert_table();
        let estimates = [
            (0.0, 0.05, 0.2),
            (10.0, 12.0, 20.0),
            (0.0, 0.0, 1.0),
            (1.0, 7.3, 8.0),
            (3.0, 9.0, 9.0),
            (-50.0, 10.0, 70.0),
        ];
        let n = 400_000;
        for (e_idx, &(low, likely, high)) in estimates.iter().enumerate() {
            let e = Estimate { low, likely, high };
            let range = high - low;
            let alpha = 1.0 + 4.0 * (likely - low) / range;
            let [m1, m2, m3, m4] = beta_raw_moments(alpha, 6.0 - alpha);
            let var = m2 - m1 * m1;
            let mu4 = m4 - 4.0 * m3 * m1 + 6.0 * m2 * m1 * m1 - 3.0 * m1.powi(4);
            let (mean, sd) = (low + range * m1, range * var.sqrt());
            let se_mean = sd / (n as f64).sqrt();
            let se_sd = range * ((mu4 - var * var) / n as f64).sqrt() / (2.0 * var.sqrt());
            let mut rows = PertRows::default();
            let row = rows.push(table, &PertSampler::new(&e).unwrap(), 1.0);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(400 + e_idx as u64);
            let (mut sum, mut sum_sq) = (0.0, 0.0);
            for _ in 0..n {
                let x = rows.sample(&row, rng.next_u64()) - mean;
                sum += x;
                sum_sq += x * x;
            }
            let sample_mean = sum / n as f64;
            let sample_sd = ((sum_sq - sum * sample_mean) / (n - 1) as f64).sqrt();
            let (z_mean, z_sd) = (sample_mean / se_mean, (sample_sd - sd) / se_sd);
            let mapping = probe_mapping(&e, |bits| rows.sample(&row, bits));
            let (exact_mean, exact_sd) = mapping_moments(&mapping);
            let bias_mean = (low + range * exact_mean - mean) / se_mean;
            let bias_sd = (range * exact_sd - sd) / se_sd;
            assert!(
                z_mean.abs() < 5.0,
                "{e:?}: mean off by {sample_mean}, {z_mean} SE"
            );
            assert!(z_sd.abs() < 5.0, "{e:?}: sd {sample_sd} vs {sd}, {z_sd} SE");
            assert!(
                bias_mean.abs() < 0.25 && bias_sd.abs() < 0.25,
                "{e:?}: the sampled distribution's mean is off by {bias_mean} SE, its sd by \
                 {bias_sd} SE"
            );
        }
    }

    #[test]
    fn draws_stay_inside_the_estimate() {
        let table = pert_table();
        let e = Estimate {
            low: 3.0,
            likely: 3.0,
            high: 9.0,
        };
        let s = PertSampler::new(&e).unwrap();
        for bits in [0u64, 1, u64::MAX, u64::MAX / 2, 1 << 63] {
            let x = s.sample(table, bits);
            assert!((3.0..=9.0).contains(&x), "{x}");
        }
        assert!(PertSampler::new(&Estimate::fixed(5.0)).is_none());
    }
}
