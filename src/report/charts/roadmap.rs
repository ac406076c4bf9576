//! The recommended strategy's roadmap over the sampled futures: per item its median start and
//! median delivery, the P10–P90 range of its delivery, coloured by kind and grouped Now / Next /
//! Later by median start, deadlines marked with the chance each is met.
//!
//! [`roadmap`] computes the rows (the page's table and `results.json` use them too); [`prepare`]
//! and [`draw`] turn them into the chart. Periods are 1-based, as in the simulation's outcomes:
//! "delivered by period k" is the end of period k, so on the chart's axis it sits at x = k.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::draw::{self, err, Canvas, Font, Px, Swatch};
use super::style::{self, Dash, Marker};
use crate::plan::Bucket;
use crate::scenario::{Deadline, Kind, Scenario};
use crate::simulate::Simulation;

/// At most this many item rows on the chart; the rest are counted in a note (the page's table
/// has them all).
pub const MAX_ROWS: usize = 60;

/// The roadmap's groups, by an item's median start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Median start in period 1.
    Now,
    /// Median start in periods 2–4.
    Next,
    /// Median start in period 5 or later.
    Later,
    /// Not started in most sampled futures (no median start within the horizon).
    NotStarted,
}

impl Group {
    pub const ALL: [Group; 4] = [Group::Now, Group::Next, Group::Later, Group::NotStarted];

    /// The group of an item whose median start is `start` (1-based), or none.
    pub fn of_start(start: Option<usize>) -> Group {
        match Bucket::from_start(start) {
            Bucket::Now => Group::Now,
            Bucket::Next => Group::Next,
            Bucket::Later => Group::Later,
            Bucket::Unplanned => Group::NotStarted,
        }
    }

    /// The chart's group heading.
    pub fn title(self) -> &'static str {
        match self {
            Group::Now => "NOW",
            Group::Next => "NEXT",
            Group::Later => "LATER",
            Group::NotStarted => "NOT STARTED IN MOST FUTURES",
        }
    }
}

/// One item of the roadmap. Periods are 1-based; none means "after the horizon" (or, for the
/// start, "not started in most futures").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoadmapItem {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub group: Group,
    /// The smallest period by which the item has had work in at least half the futures.
    pub start_p50: Option<usize>,
    /// The smallest period by which it is delivered in at least 10% of the futures.
    pub delivery_p10: Option<usize>,
    /// The smallest period by which it is delivered in at least half the futures.
    pub delivery_p50: Option<usize>,
    /// The smallest period by which it is delivered in at least 90% of the futures.
    pub delivery_p90: Option<usize>,
    /// P(delivered within the horizon).
    pub p_delivered: f64,
    /// The deadline's period, hard or soft.
    pub deadline: Option<usize>,
    pub hard_deadline: bool,
    /// P(delivered by the end of the deadline period); none without a deadline.
    pub p_deadline_met: Option<f64>,
    pub commit: bool,
}

/// The roadmap of one simulated strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Roadmap {
    pub strategy: String,
    /// Sampled futures the medians and ranges come from.
    pub trials: usize,
    /// Now, then Next, Later and not started; within a group by median start, then median
    /// delivery, then file order.
    pub items: Vec<RoadmapItem>,
}

impl Roadmap {
    /// The items of one group, in roadmap order.
    pub fn group(&self, group: Group) -> impl Iterator<Item = &RoadmapItem> {
        self.items.iter().filter(move |it| it.group == group)
    }
}

/// The smallest period k (1-based) with `cdf[k − 1] ≥ q`, else none.
pub fn period_quantile(cdf: &[f64], q: f64) -> Option<usize> {
    cdf.iter().position(|&p| p >= q - 1e-9).map(|k| k + 1)
}

/// The roadmap of `sim.strategies[strategy]`; none when there is no such strategy.
pub fn roadmap(scenario: &Scenario, sim: &Simulation, strategy: usize) -> Option<Roadmap> {
    let result = sim.strategies.get(strategy)?;
    let mut items: Vec<(usize, RoadmapItem)> = scenario
        .initiatives
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let outcome = result.initiatives.iter().find(|o| o.id == it.id);
            let start_p50 = outcome.and_then(|o| o.start_p50);
            let by: &[f64] = outcome.map_or(&[], |o| &o.delivered_by);
            let deadline = it.deadline.map(|d| d.period());
            let item = RoadmapItem {
                id: it.id.clone(),
                name: it.name.clone(),
                kind: it.kind,
                group: Group::of_start(start_p50),
                start_p50,
                delivery_p10: period_quantile(by, 0.1),
                delivery_p50: outcome.and_then(|o| o.delivery_p50),
                delivery_p90: period_quantile(by, 0.9),
                p_delivered: outcome.map_or(0.0, |o| o.p_delivered),
                deadline,
                hard_deadline: matches!(it.deadline, Some(Deadline::Hard { .. })),
                p_deadline_met: deadline
                    .map(|_| outcome.and_then(|o| o.p_deadline_met).unwrap_or(0.0)),
                commit: it.commit,
            };
            (i, item)
        })
        .collect();
    items.sort_by_key(|(i, it)| {
        (
            it.group,
            it.start_p50.unwrap_or(usize::MAX),
            it.delivery_p50.unwrap_or(usize::MAX),
            *i,
        )
    });
    Some(Roadmap {
        strategy: result.name.clone(),
        trials: sim.trials,
        items: items.into_iter().map(|(_, it)| it).collect(),
    })
}

pub enum Row {
    /// A group heading: the group and how many items it holds.
    Group(Group, usize),
    Item(RoadmapItem),
}

pub struct Data {
    /// Whose roadmap this is; none when nothing was simulated.
    pub strategy: Option<String>,
    pub chart: draw::RowChart<Row>,
}

impl Data {
    pub fn height(&self) -> u32 {
        self.chart.height()
    }
}

pub fn prepare(scenario: &Scenario, roadmap: Option<&Roadmap>) -> Data {
    let groups = roadmap
        .into_iter()
        .flat_map(|map| Group::ALL.map(|group| (group, map.group(group).collect::<Vec<_>>())));
    Data {
        strategy: roadmap.map(|m| m.strategy.clone()),
        chart: draw::RowChart::grouped(
            &scenario.labels,
            groups,
            MAX_ROWS,
            Row::Group,
            |item: &RoadmapItem| (Row::Item(item.clone()), item.kind),
        ),
    }
}

pub fn draw<DB: DrawingBackend>(data: &Data, root: &Canvas<DB>, size: Px) -> Result<(), String> {
    let chart = &data.chart;
    // With no strategy there are no rows either.
    let empty = match data.strategy {
        None => "No strategy was simulated, so there is no roadmap.",
        Some(_) => "The scenario has no initiatives.",
    };
    let Some(frame) = chart.frame(
        root,
        size,
        "Bar: median start to median delivery · line: P10–P90 delivery · red: deadline, % met",
        empty,
        290,
    )?
    else {
        return Ok(());
    };
    let horizon = chart.labels.len() as f64;
    // Where a period index lands on the axis, "after the horizon" at the right edge.
    let at = |k: Option<usize>| k.map_or(horizon, |k| (k as f64).min(horizon));
    for (r, row) in chart.rows.iter().enumerate() {
        let (yc, left) = frame.row(r);
        match row {
            Row::Group(group, count) => {
                draw::group_heading(root, group.title(), *count, left, frame.xb)?;
            }
            Row::Item(item) => draw_item(root, item, yc, &frame, &at)?,
        }
    }
    let marks = vec![
        (
            "median delivery".into(),
            Swatch::Point(style::INK, Marker::TriangleDown),
        ),
        (
            "P10–P90 delivery".into(),
            Swatch::Line(style::INK, Dash::Solid, None),
        ),
        (
            "deadline, % met".into(),
            Swatch::Fill(style::okabe_ito::VERMILLION, style::Hatch::None),
        ),
    ];
    frame.legend(root, &chart.kinds, marks, &["▶ past the horizon"])
}

/// One item's row: its name, the bar from median start to median delivery, the P10–P90
/// delivery range, the median delivery marker and the deadline with its chance.
fn draw_item<DB: DrawingBackend>(
    root: &Canvas<DB>,
    item: &RoadmapItem,
    yc: f64,
    frame: &draw::RowFrame<DB>,
    at: &dyn Fn(Option<usize>) -> f64,
) -> Result<(), String> {
    let px = |x: f64, y: f64| frame.px(x, y);
    let (xa, xb) = (frame.xa, frame.xb);
    let (left, ypx) = px(0.0, yc);
    draw::item_name(root, &item.name, item.commit, (left, ypx))?;
    let color = style::kind_color(item.kind);
    match item.start_p50 {
        Some(start) => {
            let end = at(item.delivery_p50).max(start as f64);
            let (x1, y1) = px(end - 0.04, yc + 0.3);
            let (_, y0) = px(end, yc - 0.3);
            if item.delivery_p50.is_none() {
                // Not delivered in most futures: the bar runs on past the horizon.
                root.draw(&Polygon::new(
                    vec![(x1, y1 - 4), (x1 + 16, ypx), (x1, y0 + 4)],
                    color.filled(),
                ))
                .map_err(err)?;
            }
            draw::block(
                root,
                px(start as f64 - 1.0 + 0.04, yc - 0.3),
                (x1, y1),
                &color,
                style::kind_hatch(item.kind),
                &WHITE,
            )?;
        }
        None => {
            draw::row_note(
                root,
                &format!(
                    "not started in most futures (delivered in {})",
                    style::percent(item.p_delivered)
                ),
                (xa + 10, ypx),
            )?;
        }
    }
    // The P10–P90 delivery range: a white halo under an ink line, so it reads over any fill.
    if item.delivery_p10.is_some() {
        let (x10, _) = px(at(item.delivery_p10), yc);
        let (x90, _) = px(at(item.delivery_p90), yc);
        let open = item.delivery_p90.is_none();
        // When the median delivery is past the horizon too, the bar's own arrow says so.
        let arrow = open && item.delivery_p50.is_some();
        for (width, ink) in [(7, WHITE), (3, style::INK)] {
            draw::line(root, &[(x10, ypx), (x90, ypx)], &ink, width, Dash::Solid)?;
            let mut caps = vec![x10];
            if !open {
                caps.push(x90);
            }
            for x in caps {
                draw::line(
                    root,
                    &[(x, ypx - 10), (x, ypx + 10)],
                    &ink,
                    width,
                    Dash::Solid,
                )?;
            }
        }
        if arrow {
            // Beyond the horizon in more than one future in ten: an arrow at the edge.
            root.draw(&Polygon::new(
                vec![(xb + 2, ypx), (xb - 12, ypx - 9), (xb - 12, ypx + 9)],
                style::INK.filled(),
            ))
            .map_err(err)?;
        }
    }
    if let Some(d) = item.delivery_p50 {
        draw::delivery_marker(root, (px(at(Some(d)), yc).0, ypx))?;
    }
    if let Some(d) = item.deadline {
        let (dx, _) = px(at(Some(d)), yc);
        draw::deadline_bar(root, (dx, ypx), 16)?;
        let met = item.p_deadline_met.unwrap_or(0.0);
        let text = style::percent(met);
        let ink = if met < 0.8 {
            style::okabe_ito::VERMILLION
        } else {
            style::INK
        };
        // Right of the deadline, or left of it when the deadline is at the right edge.
        let (x, hpos) = if dx + 70 > xb {
            (dx - 10, HPos::Right)
        } else {
            (dx + 10, HPos::Left)
        };
        let font = Font::bold(style::NOTE_SIZE);
        draw::boxed_label(root, &text, (x, ypx), font, &ink, hpos, VPos::Center)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::fixture;

    #[test]
    fn quantile_periods_are_the_first_to_reach_the_level() {
        let cdf = [0.0, 0.05, 0.1, 0.6, 0.85];
        assert_eq!(period_quantile(&cdf, 0.1), Some(3));
        assert_eq!(period_quantile(&cdf, 0.5), Some(4));
        assert_eq!(period_quantile(&cdf, 0.9), None);
        assert_eq!(period_quantile(&[], 0.1), None);
    }

    #[test]
    fn groups_follow_the_median_start() {
        assert_eq!(Group::of_start(Some(1)), Group::Now);
        assert_eq!(Group::of_start(Some(2)), Group::Next);
        assert_eq!(Group::of_start(Some(4)), Group::Next);
        assert_eq!(Group::of_start(Some(5)), Group::Later);
        assert_eq!(Group::of_start(None), Group::NotStarted);
    }

    #[test]
    fn the_roadmap_is_grouped_and_ordered_by_median_start() {
        let scenario = fixture::scenario(8);
        let sim = fixture::simulation(&scenario);
        let robust = sim.strategies.iter().position(|s| s.name == "robust");
        let map = roadmap(&scenario, &sim, robust.unwrap()).unwrap();
        assert_eq!(map.strategy, "robust");
        assert_eq!(map.items.len(), scenario.initiatives.len());
        let keys: Vec<(Group, usize)> = map
            .items
            .iter()
            .map(|it| (it.group, it.start_p50.unwrap_or(usize::MAX)))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        for it in &map.items {
            assert_eq!(it.group, Group::of_start(it.start_p50));
            assert!(it.delivery_p10 <= it.delivery_p50 || it.delivery_p50.is_none());
            assert!(it.delivery_p90.is_none() || it.delivery_p50 <= it.delivery_p90);
            assert_eq!(it.deadline.is_some(), it.p_deadline_met.is_some());
        }
        let gdpr = map.items.iter().find(|it| it.id == "gdpr").unwrap();
        assert!(gdpr.hard_deadline);
        assert!(roadmap(&scenario, &sim, 99).is_none());
    }

    #[test]
    fn the_chart_marks_deadlines_with_their_chance_and_escapes_names() {
        let mut scenario = fixture::scenario(8);
        scenario.initiatives[2].name = "GDPR <export> & \"erase\"".into();
        let sim = fixture::simulation(&scenario);
        let map = roadmap(&scenario, &sim, 0).unwrap();
        let chart = crate::report::charts::strategy_roadmap(&scenario, Some(&map));
        let svg = chart.svg().unwrap();
        assert!(
            svg.contains("GDPR &lt;export&gt; &amp;"),
            "names are escaped"
        );
        assert!(!svg.contains("<export>"));
        let gdpr = map.items.iter().find(|it| it.id == "gdpr").unwrap();
        let met = style::percent(gdpr.p_deadline_met.unwrap());
        assert!(
            svg.contains(&format!("\n{met}\n</text>")),
            "the deadline's chance {met}"
        );
        assert!(svg.contains("NOW · ") || svg.contains("NEXT · "));
        assert!(chart.title.contains("plan"));
    }

    #[test]
    fn items_never_delivered_run_to_the_horizon() {
        let scenario = fixture::scenario(4);
        let mut sim = fixture::simulation(&scenario);
        for o in &mut sim.strategies[0].initiatives {
            o.delivered_by = vec![0.0; 4];
            o.delivery_p50 = None;
            o.p_delivered = 0.0;
        }
        sim.strategies[0].initiatives[0].start_p50 = None;
        let map = roadmap(&scenario, &sim, 0).unwrap();
        assert!(map.items.iter().all(|it| it.delivery_p90.is_none()));
        assert_eq!(map.group(Group::NotStarted).count(), 1);
        let chart = crate::report::charts::strategy_roadmap(&scenario, Some(&map));
        assert!(chart.svg().unwrap().contains("not started in most futures"));
        assert!(chart.rgb().unwrap().iter().any(|&b| b != 255));
    }
}
