//! The outcome-distribution chart: one row per strategy with a violin drawn from the shared
//! histogram, a P10–P90 box, the median, the mean and P5–P95 whiskers.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, err, Canvas, Font, Px, HEADER};
use super::style::{self, Dash, Marker};
use crate::scenario::Scenario;
use crate::simulate::{Distribution, Simulation};

pub struct Row {
    pub name: String,
    pub dist: Distribution,
    /// (bin centre, relative height in [0, 1]) for the violin.
    pub shape: Vec<(f64, f64)>,
}

pub struct Data {
    pub currency: String,
    pub trials: usize,
    pub rows: Vec<Row>,
    pub x_range: (f64, f64),
}

impl Data {
    pub fn height(&self) -> u32 {
        let rows = self.rows.len().max(1) as u32;
        style::HEIGHT.max(HEADER as u32 + 150 + rows * 130)
    }
}

pub fn prepare(scenario: &Scenario, sim: &Simulation) -> Data {
    let lo = sim
        .strategies
        .iter()
        .map(|s| s.net_value.p5.min(s.net_value.mean))
        .fold(f64::INFINITY, f64::min);
    let hi = sim
        .strategies
        .iter()
        .map(|s| s.net_value.p95.max(s.net_value.mean))
        .fold(f64::NEG_INFINITY, f64::max);
    let x_range = if lo.is_finite() && hi.is_finite() {
        style::padded_range(lo, hi, 0.12)
    } else {
        (0.0, 1.0)
    };
    let rows = sim
        .strategies
        .iter()
        .map(|s| {
            let h = &s.histogram;
            let max = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
            let shape = if h.edges.len() == h.counts.len() + 1 {
                h.counts
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| ((h.edges[j] + h.edges[j + 1]) / 2.0, c as f64 / max))
                    .filter(|&(x, _)| x >= x_range.0 && x <= x_range.1)
                    .collect()
            } else {
                Vec::new()
            };
            Row {
                name: s.name.clone(),
                dist: s.net_value,
                shape,
            }
        })
        .collect();
    Data {
        currency: scenario.currency.clone(),
        trials: if sim.quantile_trials > 0 {
            sim.quantile_trials
        } else {
            sim.trials
        },
        rows,
        x_range,
    }
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        &format!(
            "{} sampled futures per strategy · shape: distribution · box: P10–P90 · bar: median · ◆ mean · whiskers: P5–P95",
            style::count(data.trials)
        ),
    )?;
    if data.rows.is_empty() {
        return draw::empty_message(root, (w, h), "No strategy was simulated.");
    }
    let n = data.rows.len() as f64;
    let what = "Net value over the horizon";
    let plot = draw::money_rows(root, HEADER, 300, data.x_range, n, &data.currency, what)?;
    let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
    if data.x_range.0 < 0.0 && data.x_range.1 > 0.0 {
        let (a, b) = (px(0.0, 0.0), px(0.0, n));
        draw::line(root, &[a, b], &style::MUTED, 2, Dash::Dashed)?;
    }
    for (k, row) in data.rows.iter().enumerate() {
        let color = style::series_color(k);
        let yc = n - k as f64 - 0.5;
        // Row name, left of the plot.
        let font = Font::bold(style::LEGEND_SIZE);
        draw::row_name(root, &row.name, 22, px(data.x_range.0, yc), font)?;
        // Violin.
        if row.shape.len() >= 2 {
            let half = 0.42;
            let mut pts: Vec<Px> = row
                .shape
                .iter()
                .map(|&(x, r)| px(x, yc + half * r))
                .collect();
            pts.extend(row.shape.iter().rev().map(|&(x, r)| px(x, yc - half * r)));
            root.draw(&Polygon::new(
                pts.clone(),
                draw::tint(&color, 0.35).filled(),
            ))
            .map_err(err)?;
            pts.push(pts[0]);
            draw::line(root, &pts, &color, 2, Dash::Solid)?;
        }
        let d = &row.dist;
        // Whiskers P5–P95.
        let (a, b) = (px(d.p5, yc), px(d.p95, yc));
        draw::line(root, &[a, b], &style::INK, 3, Dash::Solid)?;
        for x in [d.p5, d.p95] {
            let (c0, c1) = (px(x, yc - 0.1), px(x, yc + 0.1));
            draw::line(root, &[c0, c1], &style::INK, 3, Dash::Solid)?;
        }
        // Box P10–P90.
        let (b0, b1) = (px(d.p10, yc - 0.13), px(d.p90, yc + 0.13));
        root.draw(&Rectangle::new([b0, b1], color.filled()))
            .map_err(err)?;
        root.draw(&Rectangle::new([b0, b1], style::INK.stroke_width(2)))
            .map_err(err)?;
        // Median and mean.
        let (m0, m1) = (px(d.p50, yc - 0.2), px(d.p50, yc + 0.2));
        draw::line(root, &[m0, m1], &WHITE, 9, Dash::Solid)?;
        draw::line(root, &[m0, m1], &style::INK, 4, Dash::Solid)?;
        draw::marker(root, px(d.mean, yc), Marker::Diamond, &style::INK, 8)?;
        // Numbers above the box.
        let (lx, ly) = px(d.p50, yc + 0.2);
        draw::label(
            root,
            &format!(
                "P50 {}   (P10 {} · P90 {})",
                style::money(d.p50, &data.currency),
                style::money(d.p10, &data.currency),
                style::money(d.p90, &data.currency)
            ),
            (lx, ly - 6),
            style::NOTE_SIZE,
            &style::INK,
            HPos::Center,
            VPos::Bottom,
        )?;
    }
    Ok(())
}
