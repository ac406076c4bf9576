//! The plan's capacity per period: planned work stacked by class and kind, then idle capacity,
//! capacity lost to debt drag and the strategic buffer, which add up to the period's capacity.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::RGBColor;

use super::draw::{self, err, Canvas, Px, Swatch, HEADER};
use super::style::{self, Hatch};
use crate::plan::Plan;
use crate::scenario::{Class, Scenario};

/// One layer of the stack.
pub struct Layer {
    pub label: String,
    pub color: RGBColor,
    pub hatch: Hatch,
    /// Engineer-weeks per period.
    pub values: Vec<f64>,
}

pub struct Data {
    pub labels: Vec<String>,
    /// Bottom first.
    pub layers: Vec<Layer>,
    /// C_t per period.
    pub capacity: Vec<f64>,
}

pub fn prepare(scenario: &Scenario, plan: &Plan) -> Data {
    let periods = &plan.periods;
    let mut layers = Vec::new();
    for (class, kind) in style::kinds_in_class_order() {
        let values: Vec<f64> = periods
            .iter()
            .map(|p| p.by_kind.get(kind.as_str()).copied().unwrap_or(0.0))
            .collect();
        if values.iter().any(|&v| v > 1e-9) {
            let class_word = match class {
                Class::Product => "product",
                Class::Stability => "stability",
            };
            layers.push(Layer {
                label: format!("{kind} ({class_word})"),
                color: style::kind_color(kind),
                hatch: style::kind_hatch(kind),
                values,
            });
        }
    }
    layers.push(Layer {
        label: "idle (unused)".into(),
        color: WHITE_RGB,
        hatch: Hatch::None,
        values: periods.iter().map(|p| p.idle.max(0.0)).collect(),
    });
    layers.push(Layer {
        label: "lost to debt drag".into(),
        color: style::DRAG_GREY,
        hatch: Hatch::Cross,
        values: periods.iter().map(|p| p.allocatable * p.drag).collect(),
    });
    layers.push(Layer {
        label: "strategic buffer".into(),
        color: style::BUFFER_GREY,
        hatch: Hatch::None,
        values: periods.iter().map(|p| p.buffer.max(0.0)).collect(),
    });
    Data {
        labels: if plan.periods.iter().all(|p| !p.label.is_empty()) {
            plan.periods.iter().map(|p| p.label.clone()).collect()
        } else {
            scenario.labels.clone()
        },
        layers,
        capacity: periods.iter().map(|p| p.capacity).collect(),
    }
}

const WHITE_RGB: RGBColor = RGBColor(255, 255, 255);

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    draw::subtitle(
        root,
        "Engineer-weeks per period in the optimized plan · the stack adds up to the period's capacity",
    )?;
    let periods = data.labels.len();
    if periods == 0 {
        return draw::empty_message(root, (w, h), "The plan has no periods.");
    }
    let top = data
        .layers
        .iter()
        .fold(vec![0.0; periods], |mut acc, l| {
            for (a, v) in acc.iter_mut().zip(&l.values) {
                *a += v;
            }
            acc
        })
        .into_iter()
        .chain(data.capacity.iter().copied())
        .fold(0.0f64, f64::max);
    let y_max = if top > 0.0 { top * 1.08 } else { 1.0 };
    let legend_w = 400;
    let area = root.margin(HEADER as u32, 20, 20, legend_w as u32);
    let compact = |v: &f64| style::compact(*v);
    let spec = draw::Axes {
        room: (70, 110),
        y: Some((8, &compact)),
        y_title: Some("Engineer-weeks".into()),
        ..draw::Axes::default()
    };
    let plot = draw::axes(&area, (0.0, periods as f64), (0.0, y_max), spec)?;
    let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
    // Period labels under each bar, thinned when they would collide.
    let (xa, _) = px(0.0, 0.0);
    let (xb, _) = px(periods as f64, 0.0);
    draw::period_labels(root, &plot, &data.labels)?;
    let (_, ybottom) = px(0.0, 0.0);
    draw::label(
        root,
        "Period",
        ((xa + xb) / 2, ybottom + 50),
        style::AXIS_SIZE,
        &style::INK,
        HPos::Center,
        VPos::Top,
    )?;
    for t in 0..periods {
        let mut base = 0.0;
        let (x0, x1) = (t as f64 + 0.15, t as f64 + 0.85);
        for layer in &data.layers {
            let v = layer.values.get(t).copied().unwrap_or(0.0);
            if v <= 1e-9 {
                continue;
            }
            let ink = if layer.color == style::BUFFER_GREY || layer.color == WHITE_RGB {
                style::MUTED
            } else {
                WHITE_RGB
            };
            draw::block(
                root,
                px(x0, base),
                px(x1, base + v),
                &layer.color,
                layer.hatch,
                &ink,
            )?;
            if layer.color == WHITE_RGB {
                let (a, b) = (px(x0, base), px(x1, base + v));
                root.draw(&Rectangle::new([a, b], style::MUTED.stroke_width(1)))
                    .map_err(err)?;
            }
            base += v;
        }
        // Capacity line and total.
        let c = data.capacity.get(t).copied().unwrap_or(base);
        let (cx0, cy) = px(x0 - 0.05, c);
        let (cx1, _) = px(x1 + 0.05, c);
        root.draw(&PathElement::new(
            vec![(cx0, cy), (cx1, cy)],
            style::INK.stroke_width(3),
        ))
        .map_err(err)?;
        draw::label(
            root,
            &style::compact(c),
            ((cx0 + cx1) / 2, cy - 6),
            style::NOTE_SIZE,
            &style::INK,
            HPos::Center,
            VPos::Bottom,
        )?;
    }
    let mut entries: Vec<(String, Swatch)> = data
        .layers
        .iter()
        .rev()
        .map(|l| {
            let swatch = if l.color == WHITE_RGB {
                Swatch::Outline(style::MUTED)
            } else {
                Swatch::Fill(l.color, l.hatch)
            };
            (l.label.clone(), swatch)
        })
        .collect();
    entries.push((
        "capacity (total)".into(),
        Swatch::Line(style::INK, style::Dash::Solid, None),
    ));
    draw::legend(root, (w - legend_w + 30, HEADER + 10), &entries, 26)?;
    Ok(())
}
