//! Why the plan's objective moved: a waterfall from the old objective to the new one, one row
//! per change applied alone (largest first), then other changes and the interaction.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Canvas, Px, Swatch, HEADER};
use super::style::{self, okabe_ito, Dash, Hatch};
use crate::diff::Diff;
use crate::scenario::Scenario;

pub struct Data {
    pub currency: String,
    pub old: f64,
    pub new: f64,
    /// (label, delta) in order: the steps, other changes, and last the interaction.
    pub bars: Vec<(String, f64)>,
    /// Why there is no waterfall (a scenario without a plan).
    pub missing: Option<String>,
}

impl Data {
    pub fn height(&self) -> u32 {
        style::HEIGHT.max(HEADER as u32 + 260 + (self.bars.len() as u32 + 2) * 56)
    }
}

pub fn prepare(scenario: &Scenario, diff: &Diff) -> Data {
    match &diff.attribution {
        Some(w) => Data {
            currency: scenario.currency.clone(),
            old: w.old_objective,
            new: w.new_objective,
            bars: w.bars(),
            missing: None,
        },
        None => Data {
            currency: scenario.currency.clone(),
            old: 0.0,
            new: 0.0,
            bars: Vec::new(),
            missing: Some(
                [&diff.old, &diff.new]
                    .iter()
                    .find_map(|s| s.plan_note.clone())
                    .unwrap_or_else(|| "one of the scenarios has no plan".into()),
            ),
        },
    }
}

const UP: RGBColor = okabe_ito::BLUE;
const DOWN: RGBColor = okabe_ito::VERMILLION;

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        &format!(
            "The planner's objective (mean future): each change applied alone to the old scenario and re-planned · {} → {}",
            style::money(data.old, &data.currency),
            style::money(data.new, &data.currency)
        ),
    )?;
    if let Some(why) = &data.missing {
        return draw::empty_message(root, (w, h), &format!("No waterfall: {why}."));
    }
    let entries = vec![
        (
            "raises the objective".to_string(),
            Swatch::Fill(UP, Hatch::None),
        ),
        ("lowers it".to_string(), Swatch::Fill(DOWN, Hatch::Forward)),
        (
            "interaction (the changes together)".to_string(),
            Swatch::Fill(style::BUFFER_GREY, Hatch::None),
        ),
        (
            "old and new objective".to_string(),
            Swatch::Line(style::INK, Dash::Solid, None),
        ),
    ];
    let top = draw::legend_row(root, (draw::LEFT, HEADER - 8), w - 40, &entries)?;
    // Rows: old, each bar, new.
    let n = data.bars.len() as f64 + 2.0;
    let mut running = data.old;
    let mut lo = data.old.min(data.new);
    let mut hi = data.old.max(data.new);
    for (_, d) in &data.bars {
        running += d;
        lo = lo.min(running);
        hi = hi.max(running);
    }
    if hi - lo < 1e-9 {
        let pad = data.old.abs().max(1.0) * 0.05;
        lo -= pad;
        hi += pad;
    }
    let x_range = style::padded_range(lo, hi, 0.2);
    let what = "Planner's objective (net value)";
    let plot = draw::money_rows(root, top + 10, 520, x_range, n, &data.currency, what)?;
    let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
    let y_of = |row: usize| n - row as f64 - 0.5;
    let total_row = |row: usize, name: &str, value: f64| -> Result<(), String> {
        let yc = y_of(row);
        draw::row_name(
            root,
            name,
            46,
            px(x_range.0, yc),
            draw::Font::bold(style::LEGEND_SIZE),
        )?;
        let (x, y0) = px(value, yc - 0.38);
        let (_, y1) = px(value, yc + 0.38);
        draw::line(root, &[(x, y0), (x, y1)], &style::INK, 5, Dash::Solid)?;
        draw::label(
            root,
            &style::money(value, &data.currency),
            (x + 10, (y0 + y1) / 2),
            style::NOTE_SIZE,
            &style::INK,
            HPos::Left,
            VPos::Center,
        )
    };
    total_row(0, "Old objective", data.old)?;
    let mut running = data.old;
    for (k, (name, delta)) in data.bars.iter().enumerate() {
        let row = k + 1;
        let yc = y_of(row);
        draw::row_name(root, name, 46, px(x_range.0, yc), style::LEGEND_SIZE)?;
        let next = running + delta;
        let last = k + 1 == data.bars.len();
        let (color, hatch) = if last {
            (style::BUFFER_GREY, Hatch::None)
        } else if *delta >= 0.0 {
            (UP, Hatch::None)
        } else {
            (DOWN, Hatch::Forward)
        };
        draw::block(
            root,
            px(running, yc - 0.32),
            px(next, yc + 0.32),
            &color,
            hatch,
            &WHITE,
        )?;
        // A connector from the row above, so the running total can be followed down.
        let (cx, cy0) = px(running, yc + 0.5);
        let (_, cy1) = px(running, yc - 0.32);
        draw::line(
            root,
            &[(cx, cy0), (cx, cy1)],
            &style::MUTED,
            1,
            Dash::Dotted,
        )?;
        let right = next >= running;
        let (vx, vy) = px(running.max(next), yc);
        let (lx, _) = px(running.min(next), yc);
        draw::label(
            root,
            &crate::number::signed_short_amount(*delta, &data.currency),
            if right { (vx + 8, vy) } else { (lx - 8, vy) },
            style::NOTE_SIZE,
            &style::INK,
            if right { HPos::Left } else { HPos::Right },
            VPos::Center,
        )?;
        running = next;
    }
    total_row(data.bars.len() + 1, "New objective", data.new)?;
    Ok(())
}
