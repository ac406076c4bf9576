//! The tornado: mean net value with each major input 20% lower and higher, largest swing on top.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Canvas, Px, Swatch, HEADER};
use super::style::{self, okabe_ito, Dash, Hatch};
use crate::review::{Sensitivity, SensitivityRow};
use crate::scenario::Scenario;

pub struct Data {
    pub currency: String,
    pub strategy: String,
    pub delta: f64,
    pub trials: usize,
    pub deterministic: bool,
    pub base: f64,
    pub rows: Vec<SensitivityRow>,
}

impl Data {
    pub fn height(&self) -> u32 {
        style::HEIGHT.max(HEADER as u32 + 220 + self.rows.len() as u32 * 70)
    }
}

pub fn prepare(scenario: &Scenario, s: &Sensitivity) -> Data {
    let mut rows = s.rows.clone();
    crate::review::sort_rows(&mut rows);
    Data {
        currency: scenario.currency.clone(),
        strategy: s.strategy.clone(),
        delta: s.delta,
        trials: s.trials,
        deterministic: s.deterministic,
        base: s.base,
        rows,
    }
}

const LOW: RGBColor = okabe_ito::BLUE;
const HIGH: RGBColor = okabe_ito::ORANGE;

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    let how = if data.deterministic {
        "at mean estimates".to_string()
    } else {
        format!("mean of {} sampled futures", style::count(data.trials))
    };
    draw::subtitle(
        root,
        &format!(
            "Strategy “{}”, one input changed at a time, the plan held fixed, {how} · base {}",
            data.strategy,
            style::money(data.base, &data.currency)
        ),
    )?;
    let pct = style::percent(data.delta);
    let entries = vec![
        (format!("input −{pct}"), Swatch::Fill(LOW, Hatch::None)),
        (format!("input +{pct}"), Swatch::Fill(HIGH, Hatch::Forward)),
        (
            "base (inputs as estimated)".to_string(),
            Swatch::Line(style::INK, Dash::Solid, None),
        ),
    ];
    let top = draw::legend_row(root, (draw::LEFT, HEADER - 8), w - 40, &entries)?;
    if data.rows.is_empty() {
        return draw::empty_message(root, (w, h), "No input to vary.");
    }
    let n = data.rows.len() as f64;
    let (lo, hi) = data.rows.iter().fold((data.base, data.base), |(a, b), r| {
        (a.min(r.low).min(r.high), b.max(r.low).max(r.high))
    });
    let x_range = style::padded_range(lo, hi, 0.18);
    let what = "Mean net value over the horizon";
    let plot = draw::money_rows(root, top + 10, 500, x_range, n, &data.currency, what)?;
    let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
    for (k, row) in data.rows.iter().enumerate() {
        let yc = n - k as f64 - 0.5;
        draw::row_name(root, &row.label, 42, px(x_range.0, yc), style::LEGEND_SIZE)?;
        for (value, color, hatch, upper) in [
            (row.low, LOW, Hatch::None, false),
            (row.high, HIGH, Hatch::Forward, true),
        ] {
            // The two bars share the row: −20% above, +20% below, so they never hide each other.
            let (y0, y1) = if upper {
                (yc - 0.34, yc)
            } else {
                (yc, yc + 0.34)
            };
            draw::block(
                root,
                px(data.base, y0),
                px(value, y1),
                &color,
                hatch,
                &WHITE,
            )?;
            let (vx, vy) = px(value, (y0 + y1) / 2.0);
            let right = value >= data.base;
            draw::label(
                root,
                &style::money(value, &data.currency),
                (if right { vx + 8 } else { vx - 8 }, vy),
                style::NOTE_SIZE,
                &style::INK,
                if right { HPos::Left } else { HPos::Right },
                VPos::Center,
            )?;
        }
    }
    let (bx, btop) = px(data.base, n);
    let (_, bbot) = px(data.base, 0.0);
    draw::line(root, &[(bx, btop), (bx, bbot)], &style::INK, 3, Dash::Solid)?;
    Ok(())
}
