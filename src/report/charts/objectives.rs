//! The OKR roll-up: per `[[objective]]` its share of the weights beside its share of the planned
//! engineer-weeks (left panel, one pair of bars per objective), and the value its items earn in
//! the plan (right panel), with a last row for the work linked to no objective.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, Canvas, Px, Swatch, HEADER};
use super::style::{self, okabe_ito, Hatch};
use crate::objectives::{share_text, PlanObjectives};
use crate::scenario::Scenario;

/// One row: its id, its name (none when it is the id), weight share (none for "no objective"),
/// work share, value earned.
pub type Row = (String, Option<String>, Option<f64>, f64, f64);

pub struct Data {
    pub currency: String,
    pub rows: Vec<Row>,
}

impl Data {
    pub fn height(&self) -> u32 {
        style::HEIGHT.max(HEADER as u32 + 240 + self.rows.len() as u32 * 84)
    }
}

pub fn prepare(scenario: &Scenario, rollup: &PlanObjectives) -> Data {
    let mut rows: Vec<Row> = rollup
        .objectives
        .iter()
        .map(|o| {
            let f = &o.figures;
            let name = (o.name != o.id).then(|| o.name.clone());
            (
                o.id.clone(),
                name,
                Some(o.weight_share),
                f.work_share,
                f.value_earned,
            )
        })
        .collect();
    let none = &rollup.no_objective;
    if none.n_initiatives > 0 {
        rows.push((
            "no objective".into(),
            None,
            None,
            none.work_share,
            none.value_earned,
        ));
    }
    Data {
        currency: scenario.currency.clone(),
        rows,
    }
}

const WEIGHT: RGBColor = okabe_ito::BLUE;
const WORK: RGBColor = okabe_ito::ORANGE;
const VALUE: RGBColor = okabe_ito::BLUISH_GREEN;

/// Pixels left of the share panel for the rows' names.
const NAMES: u32 = 400;

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        "The plan for the mean future · an item linked to several objectives counts in full for each",
    )?;
    let entries = vec![
        (
            "share of the weights".to_string(),
            Swatch::Fill(WEIGHT, Hatch::None),
        ),
        (
            "share of the planned work".to_string(),
            Swatch::Fill(WORK, Hatch::Forward),
        ),
        (
            "value earned by its items".to_string(),
            Swatch::Fill(VALUE, Hatch::None),
        ),
    ];
    let top = draw::legend_row(root, (draw::LEFT, HEADER - 8), w - 40, &entries)?;
    if data.rows.is_empty() {
        return draw::empty_message(root, (w, h), "The scenario has no objectives.");
    }
    let n = data.rows.len() as f64;
    // The share panel takes the left 60% of the width, the value panel the rest.
    let split = (w as f64 * 0.62) as i32;
    let percent = |v: &f64| style::percent(*v);
    let share_max = data
        .rows
        .iter()
        .map(|(_, _, weight, work, _)| weight.unwrap_or(0.0).max(*work))
        .fold(0.0, f64::max);
    let share_range = (0.0, (share_max * 1.18).clamp(0.1, 1.0));
    let left = root.margin(top as u32 + 10, 20, 20, (w - split) as u32);
    let shares = draw::axes(
        &left,
        share_range,
        (0.0, n),
        draw::Axes {
            room: (90, NAMES),
            x: Some((6, &percent)),
            x_title: Some("Share (%)".into()),
            ..draw::Axes::default()
        },
    )?;
    let (lo, hi) = data
        .rows
        .iter()
        .fold((0.0f64, 0.0f64), |(a, b), r| (a.min(r.4), b.max(r.4)));
    let value_range = style::padded_range(lo, hi, 0.2);
    let value_range = (value_range.0.max(lo.min(0.0)), value_range.1);
    let right = root.margin(top as u32 + 10, 20, split as u32 + 40, 60);
    let money = |v: &f64| style::money(*v, &data.currency);
    let values = draw::axes(
        &right,
        value_range,
        (0.0, n),
        draw::Axes {
            room: (90, 20),
            x: Some((5, &money)),
            x_title: Some(draw::money_title(
                "Value earned in the plan",
                &data.currency,
            )),
            ..draw::Axes::default()
        },
    )?;
    let share_px = |x: f64, y: f64| shares.map_coordinate(&(x, y));
    let value_px = |x: f64, y: f64| values.map_coordinate(&(x, y));
    let bar_label = |root: &Canvas<DB>, text: &str, (x, y): Px, right: bool| {
        draw::label(
            root,
            text,
            (if right { x + 8 } else { x - 8 }, y),
            style::NOTE_SIZE,
            &style::INK,
            if right { HPos::Left } else { HPos::Right },
            VPos::Center,
        )
    };
    for (k, (id, name, weight, work, value)) in data.rows.iter().enumerate() {
        let yc = n - k as f64 - 0.5;
        let ink = if weight.is_some() {
            style::INK
        } else {
            style::MUTED
        };
        // The id in bold, the objective's name under it.
        let (x0, y) = share_px(0.0, yc);
        let id = style::truncate(id, 30);
        let (h, v) = (HPos::Right, VPos::Center);
        match name {
            Some(name) => {
                let bold = draw::Font::bold(style::LEGEND_SIZE);
                draw::label(root, &id, (x0 - 16, y - 14), bold, &ink, h, v)?;
                let name = style::truncate(name, 36);
                draw::label(
                    root,
                    &name,
                    (x0 - 16, y + 14),
                    style::NOTE_SIZE,
                    &style::MUTED,
                    h,
                    v,
                )?;
            }
            None => draw::label(root, &id, (x0 - 16, y), style::LEGEND_SIZE, &ink, h, v)?,
        }
        // Weight above, work below, so a short bar is never hidden by a long one.
        if let Some(weight) = weight {
            let (a, b) = (share_px(0.0, yc), share_px(*weight, yc + 0.36));
            draw::block(root, a, b, &WEIGHT, Hatch::None, &WHITE)?;
            bar_label(
                root,
                &style::percent(*weight),
                share_px(*weight, yc + 0.18),
                true,
            )?;
        }
        let (a, b) = (share_px(0.0, yc - 0.36), share_px(*work, yc));
        draw::block(root, a, b, &WORK, Hatch::Forward, &WHITE)?;
        bar_label(root, &share_text(*work), share_px(*work, yc - 0.18), true)?;
        let (a, b) = (value_px(0.0, yc - 0.28), value_px(*value, yc + 0.28));
        draw::block(root, a, b, &VALUE, Hatch::None, &WHITE)?;
        let at = value_px(*value, yc);
        bar_label(
            root,
            &style::money(*value, &data.currency),
            at,
            *value >= 0.0,
        )?;
    }
    // Zero lines of both panels.
    for (plot_px, x) in [
        (&share_px as &dyn Fn(f64, f64) -> Px, 0.0),
        (&value_px, 0.0),
    ] {
        let (a, b) = (plot_px(x, 0.0), plot_px(x, n));
        draw::line(root, &[a, b], &style::INK, 2, style::Dash::Solid)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{fixture, objectives_rollup};
    use crate::scenario::{Objective, Scenario};

    /// The fixture with three objectives: `growth` on two items, `trust` on one of them too,
    /// `infra` on none; the other items linked to nothing.
    fn with_objectives() -> Scenario {
        let mut scenario = fixture::scenario(8);
        scenario.objectives = [("growth", "Grow revenue", 3.0), ("trust", "trust", 1.0)]
            .into_iter()
            .chain([("infra", "Modern infrastructure for every team", 2.0)])
            .map(|(id, name, weight)| Objective {
                id: id.into(),
                name: name.into(),
                weight,
            })
            .collect();
        scenario.initiatives[0].objectives = vec![0, 1];
        scenario.initiatives[1].objectives = vec![0];
        scenario
    }

    #[test]
    fn the_chart_names_its_axes_rows_and_scenario_and_draws_pixels() {
        let scenario = with_objectives();
        let plan = fixture::plan(&scenario);
        let rollup = crate::objectives::plan_objectives(&scenario, &plan).unwrap();
        let chart = objectives_rollup(&scenario, &rollup);
        let svg = chart.svg().unwrap();
        for text in [
            "Nordic fintech 2027",
            "Share (%)",
            "Value earned in the plan (EUR)",
            "share of the weights",
            "growth",
            "Grow revenue",
            "no objective",
        ] {
            assert!(svg.contains(text), "{text}");
        }
        let rgb = chart.rgb().unwrap();
        let inked = rgb.chunks(3).filter(|p| p != &[255, 255, 255]).count();
        assert!(inked as f64 > 0.02 * (chart.width * chart.height) as f64);
        if let Ok(dir) = std::env::var("TRADEOFF_CHART_DIR") {
            chart
                .write_png(&std::path::Path::new(&dir).join("objectives.png"))
                .unwrap();
        }
    }
}
