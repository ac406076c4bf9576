//! The debt-budget sweep: the robust strategy's net value P10–P90 band, P50 and P10 against the
//! stability share (the main band), the re-planned plan's P50 beside it, the scenario's own
//! ring-fence shaded and the best share (by the robust P50) marked.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::draw::{self, err, Canvas, Font, Px, Swatch, HEADER};
use super::style::{self, okabe_ito, Dash, Marker};
use crate::scenario::Scenario;
use crate::sweep::{Sweep, SweepRow};

pub struct Data {
    pub currency: String,
    pub trials: usize,
    pub rows: Vec<SweepRow>,
    pub best_p50: Option<f64>,
    pub best_p10: Option<f64>,
    /// The scenario's ring-fence, min and max.
    pub ring_fence: (f64, f64),
    pub skipped: Vec<f64>,
    /// Shares where the planner found no plan (they keep their robust row).
    pub unplanned: Vec<f64>,
}

pub fn prepare(scenario: &Scenario, sweep: &Sweep) -> Data {
    let mut rows = sweep.rows.clone();
    rows.sort_by(|a, b| a.share.total_cmp(&b.share));
    Data {
        currency: scenario.currency.clone(),
        trials: sweep.trials,
        rows,
        best_p50: sweep.best_p50,
        best_p10: sweep.best_p10,
        ring_fence: (
            scenario.capacity.stability_min,
            scenario.capacity.stability_max,
        ),
        skipped: sweep.skipped.iter().map(|s| s.share).collect(),
        unplanned: sweep
            .rows
            .iter()
            .filter(|r| r.plan.is_none())
            .map(|r| r.share)
            .collect(),
    }
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, (w, h): Px) -> Result<(), String> {
    let listed = |what: &str, shares: &[f64]| {
        if shares.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = shares.iter().map(|s| style::percent(*s)).collect();
            format!(" · {what} {}", list.join(", "))
        }
    };
    let unplanned = format!(
        "{}{}",
        listed("no plan at", &data.unplanned),
        listed("skipped (buffer + share > 1) at", &data.skipped)
    );
    draw::subtitle(
        root,
        &format!(
            "At each fixed stability share: the robust order optimised, and the plan re-planned, on {} sampled futures{unplanned}",
            style::count(data.trials)
        ),
    )?;
    if data.rows.is_empty() {
        return draw::empty_message(
            root,
            (w, h),
            "No share of the sweep fits next to the buffer.",
        );
    }
    // The grid: planned and skipped shares together, so a skipped stretch shows as a gap.
    let mut grid: Vec<f64> = data.rows.iter().map(|r| r.share).collect();
    grid.extend(data.skipped.iter().copied());
    grid.sort_by(f64::total_cmp);
    let (smin, smax) = (grid[0], grid[grid.len() - 1]);
    let step = grid
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 1e-9)
        .fold(f64::INFINITY, f64::min);
    let step = if step.is_finite() { step } else { 0.05 };
    let x_range = if smax > smin {
        let pad = (smax - smin) * 0.03;
        (smin - pad, smax + pad)
    } else {
        (smin - 0.05, smax + 0.05)
    };
    let (lo, hi) = data
        .rows
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
            let plan = r.plan.as_ref().map(|p| p.net_value.p50);
            (
                a.min(r.robust.p10).min(plan.unwrap_or(f64::INFINITY)),
                b.max(r.robust.p90).max(plan.unwrap_or(f64::NEG_INFINITY)),
            )
        });
    let y_range = style::padded_range(lo, hi, 0.1);
    let legend_w = 420;
    let area = root.margin(HEADER as u32, 20, 20, legend_w as u32);
    let percent = |v: &f64| style::percent(*v);
    let money = |v: &f64| style::money(*v, &data.currency);
    let value = draw::money_title("Net value over the horizon", &data.currency);
    let spec = draw::Axes {
        room: (90, 130),
        x: Some((11, &percent)),
        y: Some((8, &money)),
        x_title: Some("Share of effective capacity ring-fenced for stability work".into()),
        y_title: Some(value),
        quiet: false,
    };
    let plot = draw::axes(&area, x_range, y_range, spec)?;
    let px = |x: f64, y: f64| plot.map_coordinate(&(x, y));
    // The scenario's own ring-fence.
    let (rf0, rf1) = (
        data.ring_fence.0.max(x_range.0),
        data.ring_fence.1.min(x_range.1),
    );
    if rf1 >= rf0 {
        let half = if rf1 - rf0 < 0.004 { 0.004 } else { 0.0 };
        root.draw(&Rectangle::new(
            [px(rf0 - half, y_range.1), px(rf1 + half, y_range.0)],
            RGBColor(236, 236, 236).filled(),
        ))
        .map_err(err)?;
    }
    for &share in &data.skipped {
        let a = px((share - step / 2.0).max(x_range.0), y_range.1);
        let b = px((share + step / 2.0).min(x_range.1), y_range.0);
        draw::block(
            root,
            a,
            b,
            &RGBColor(250, 250, 250),
            style::Hatch::Backward,
            &RGBColor(218, 218, 218),
        )?;
    }
    let band: Vec<Px> = data
        .rows
        .iter()
        .map(|r| px(r.share, r.robust.p90))
        .chain(data.rows.iter().rev().map(|r| px(r.share, r.robust.p10)))
        .collect();
    root.draw(&Polygon::new(
        band,
        draw::tint(&okabe_ito::SKY_BLUE, 0.35).filled(),
    ))
    .map_err(err)?;
    let series = |pick: fn(&SweepRow) -> f64| -> Vec<Px> {
        data.rows.iter().map(|r| px(r.share, pick(r))).collect()
    };
    let p90 = series(|r| r.robust.p90);
    draw::line(root, &p90, &okabe_ito::SKY_BLUE, 2, Dash::Solid)?;
    // The re-planned plan's median, broken where there is no plan.
    let mut run: Vec<Px> = Vec::new();
    for r in &data.rows {
        match &r.plan {
            Some(plan) => run.push(px(r.share, plan.net_value.p50)),
            None => {
                draw::line(root, &run, &style::MUTED, 3, Dash::Dotted)?;
                run.clear();
            }
        }
    }
    draw::line(root, &run, &style::MUTED, 3, Dash::Dotted)?;
    for r in &data.rows {
        if let Some(plan) = &r.plan {
            draw::marker(
                root,
                px(r.share, plan.net_value.p50),
                Marker::Cross,
                &style::MUTED,
                5,
            )?;
        }
    }
    let p10 = series(|r| r.robust.p10);
    draw::line(root, &p10, &okabe_ito::VERMILLION, 3, Dash::Dashed)?;
    for p in &p10 {
        draw::marker(root, *p, Marker::Triangle, &okabe_ito::VERMILLION, 7)?;
    }
    let p50 = series(|r| r.robust.p50);
    draw::line(root, &p50, &okabe_ito::BLUE, 4, Dash::Solid)?;
    for p in &p50 {
        draw::marker(root, *p, Marker::Circle, &okabe_ito::BLUE, 7)?;
    }
    // Best shares.
    let mut marks: Vec<(f64, String, bool)> = Vec::new();
    if let Some(b) = data.best_p50 {
        let v = data
            .rows
            .iter()
            .find(|r| (r.share - b).abs() < 1e-9)
            .map(|r| r.robust.p50);
        let text = match v {
            Some(v) => format!(
                "best P50: {} → {}",
                style::percent(b),
                style::money(v, &data.currency)
            ),
            None => format!("best P50: {}", style::percent(b)),
        };
        marks.push((b, text, true));
    }
    if let Some(b) = data.best_p10 {
        if data.best_p50.is_none_or(|p| (p - b).abs() > 1e-9) {
            marks.push((b, format!("best P10: {}", style::percent(b)), false));
        }
    }
    for (share, text, at_top) in marks {
        let (x, ytop) = px(share, y_range.1);
        let (_, ybot) = px(share, y_range.0);
        draw::line(root, &[(x, ytop), (x, ybot)], &style::INK, 3, Dash::Long)?;
        let (h, tx) = if share > (x_range.0 + x_range.1) / 2.0 {
            (HPos::Right, x - 10)
        } else {
            (HPos::Left, x + 10)
        };
        let (ty, v) = if at_top {
            (ytop + 10, VPos::Top)
        } else {
            (ybot - 10, VPos::Bottom)
        };
        let font = Font::bold(style::LEGEND_SIZE);
        draw::boxed_label(root, &text, (tx, ty), font, &style::INK, h, v)?;
    }
    let entries = vec![
        (
            "robust P50 (median)".to_string(),
            Swatch::Line(okabe_ito::BLUE, Dash::Solid, Some(Marker::Circle)),
        ),
        (
            "robust P10 (bad case)".to_string(),
            Swatch::Line(okabe_ito::VERMILLION, Dash::Dashed, Some(Marker::Triangle)),
        ),
        (
            "robust P10–P90 band".to_string(),
            Swatch::Band(okabe_ito::SKY_BLUE),
        ),
        (
            "re-planned plan, P50".to_string(),
            Swatch::Line(style::MUTED, Dash::Dotted, Some(Marker::Cross)),
        ),
        (
            "best share".to_string(),
            Swatch::Line(style::INK, Dash::Long, None),
        ),
        (
            "scenario's ring-fence".to_string(),
            Swatch::Fill(RGBColor(236, 236, 236), style::Hatch::None),
        ),
    ];
    let mut entries = entries;
    if !data.skipped.is_empty() {
        entries.push((
            "breaks buffer + share ≤ 1".to_string(),
            Swatch::Fill(RGBColor(235, 235, 235), style::Hatch::Backward),
        ));
    }
    draw::legend(root, (w - legend_w + 30, HEADER + 10), &entries, 28)?;
    Ok(())
}
