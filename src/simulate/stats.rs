//! Summary statistics: quantiles by linear interpolation, mergeable moments, histograms.

/// Count, mean and sum of squared deviations; merged with Chan et al.'s formula, so chunks
/// merged in a fixed order give the same numbers on any thread count.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    pub n: u64,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    /// Adds one observation (Welford).
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Adds another set of observations.
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let mean = self.mean + delta * other.n as f64 / n as f64;
        let m2 = self.m2 + other.m2 + delta * delta * self.n as f64 * other.n as f64 / n as f64;
        *self = Moments { n, mean, m2 };
    }

    /// Sample standard deviation (n − 1); 0 for fewer than two observations.
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2.max(0.0) / (self.n - 1) as f64).sqrt()
        }
    }

    /// Standard error of the mean, sd / √n; 0 for fewer than two observations.
    pub fn standard_error(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.sd() / (self.n as f64).sqrt()
        }
    }
}

/// The p-quantile of sorted values: linear interpolation between order statistics at
/// h = (n − 1) p. 0 for no values.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// The p-quantiles of `values` for ascending `ps`, each exactly what [`quantile`] gives on the
/// sorted values, found by selection (a few linear passes instead of a sort); `values` is
/// reordered.
pub fn quantiles_unsorted(values: &mut [f64], ps: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n < 2 {
        return ps.iter().map(|&p| quantile(values, p)).collect();
    }
    // values[..start] ≤ values[start] ≤ values[start + 1..] once a selection has run.
    let mut start = 0;
    let mut out = Vec::with_capacity(ps.len());
    for &p in ps {
        let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
        let lo = h.floor() as usize;
        assert!(lo >= start, "quantiles_unsorted: probabilities must ascend");
        values[start..].select_nth_unstable_by(lo - start, f64::total_cmp);
        start = lo;
        let lo_value = values[lo];
        let hi_value = values[lo + 1..]
            .iter()
            .copied()
            .min_by(f64::total_cmp)
            .unwrap_or(lo_value);
        out.push(lo_value + (h - lo as f64) * (hi_value - lo_value));
    }
    out
}

/// Sorts in place (total order; the values are finite).
#[cfg(test)]
fn sort_values(values: &mut [f64]) {
    values.sort_unstable_by(f64::total_cmp);
}

/// Equal-width bin edges covering `[min, max]`; one bin of width 1 around a single value.
pub fn histogram_edges(min: f64, max: f64, n_bins: usize) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) || n_bins == 0 {
        return vec![0.0, 1.0];
    }
    if max <= min {
        return vec![min - 0.5, min + 0.5];
    }
    let width = (max - min) / n_bins as f64;
    (0..=n_bins).map(|k| min + k as f64 * width).collect()
}

/// Counts sorted-or-not values into the bins of `edges` (the last bin includes its right edge).
pub fn histogram_counts(values: &[f64], edges: &[f64]) -> Vec<u64> {
    let n_bins = edges.len().saturating_sub(1);
    let mut counts = vec![0u64; n_bins];
    if n_bins == 0 {
        return counts;
    }
    let lo = edges[0];
    let width = (edges[n_bins] - lo) / n_bins as f64;
    for &x in values {
        let bin = ((x - lo) / width).floor();
        let bin = if bin.is_finite() && bin > 0.0 {
            (bin as usize).min(n_bins - 1)
        } else {
            0
        };
        counts[bin] += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_order_statistics() {
        // n = 5, p = 0.1: h = 0.4 → 1 + 0.4 × (2 − 1) = 1.4; p = 0.5: h = 2 → 3.
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(quantile(&v, 0.5), 3.0);
        // p = 0.95: h = 3.8 → 4 + 0.8 × 6 = 8.8.
        assert!((quantile(&v, 0.95) - 8.8).abs() < 1e-12);
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
    }

    #[test]
    fn selected_quantiles_equal_sorted_ones() {
        let ps = [0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0];
        for n in [1usize, 2, 3, 10, 1001, 5000] {
            // Pseudo-random values with ties.
            let values: Vec<f64> = (0..n)
                .map(|k| ((k as u64 * 2_654_435_761) % 997) as f64 * 0.25 - 60.0)
                .collect();
            let mut sorted = values.clone();
            sort_values(&mut sorted);
            let mut scratch = values.clone();
            let selected = quantiles_unsorted(&mut scratch, &ps);
            for (&p, &q) in ps.iter().zip(&selected) {
                assert_eq!(q.to_bits(), quantile(&sorted, p).to_bits(), "n {n} p {p}");
            }
        }
        assert_eq!(quantiles_unsorted(&mut [], &[0.5]), vec![0.0]);
    }

    #[test]
    fn merged_moments_equal_direct_ones() {
        let xs: Vec<f64> = (0..1000)
            .map(|k| ((k * 37) % 101) as f64 * 1.5 - 20.0)
            .collect();
        let mut whole = Moments::default();
        xs.iter().for_each(|&x| whole.push(x));
        let mut merged = Moments::default();
        for chunk in xs.chunks(77) {
            let mut m = Moments::default();
            chunk.iter().for_each(|&x| m.push(x));
            merged.merge(&m);
        }
        let mean = xs.iter().sum::<f64>() / 1000.0;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 999.0;
        assert!((merged.mean - mean).abs() < 1e-10);
        assert!((merged.sd() - var.sqrt()).abs() < 1e-10);
        assert!((whole.sd() - var.sqrt()).abs() < 1e-10);
        let one = Moments {
            n: 1,
            mean: 3.0,
            m2: 0.0,
        };
        assert_eq!(one.sd(), 0.0);
        assert_eq!(one.standard_error(), 0.0);
    }

    #[test]
    fn histogram_puts_extremes_in_end_bins() {
        let edges = histogram_edges(0.0, 10.0, 5);
        assert_eq!(edges.len(), 6);
        let counts = histogram_counts(&[0.0, 1.9, 2.0, 9.99, 10.0], &edges);
        assert_eq!(counts, vec![2, 1, 0, 0, 2]);
        assert_eq!(histogram_edges(3.0, 3.0, 5), vec![2.5, 3.5]);
    }
}
