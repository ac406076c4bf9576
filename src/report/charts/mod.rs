//! The strategy-review charts, drawn with plotters as SVG and PNG from result values.
//!
//! Every chart is a pure function of result values (a [`Scenario`], a [`Plan`], a [`Simulation`],
//! a [`Sweep`], a [`Sensitivity`], a [`Roadmap`]) to a [`Chart`]; drawing it to SVG text or PNG pixels is a
//! separate step, so the same chart feeds the HTML page and the files beside it. Text uses the
//! bundled DejaVu Sans (see [`style::ensure_fonts`]): no system font is read.

mod capacity;
mod delivery;
mod draw;
mod fan;
#[cfg(test)]
pub(crate) mod fixture;
mod frontier;
mod objectives;
mod outcome;
pub mod roadmap;
pub mod style;
mod sweep;
mod team_capacity;
mod teams;
mod timeline;
mod tornado;
mod waterfall;

pub use delivery::pressing_items;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::Error;
use crate::plan::Plan;
use crate::review::Sensitivity;
use crate::scenario::Scenario;
use crate::simulate::Simulation;
use crate::sweep::Sweep;
use roadmap::Roadmap;

/// One chart, ready to draw at its own size.
pub struct Chart {
    /// File stem, e.g. `outcome-distribution` (the files are `NAME.svg` and `NAME.png`).
    pub name: &'static str,
    /// The headline drawn at the top, also used as the HTML figure's caption.
    pub title: String,
    pub width: u32,
    pub height: u32,
    body: Body,
}

enum Body {
    Outcome(outcome::Data),
    Fan(fan::Data),
    Delivery(delivery::Data),
    Capacity(capacity::Data),
    Timeline(timeline::Data),
    Roadmap(roadmap::Data),
    Sweep(sweep::Data),
    Teams(teams::Data),
    TeamCapacity(team_capacity::Data),
    Frontier(frontier::Data),
    Tornado(tornado::Data),
    Objectives(objectives::Data),
    Waterfall(waterfall::Data),
}

/// Every chart's file stem: a report run with `--force` removes those of an earlier run that it
/// does not draw again (a team chart beside a scenario without teams would be stale).
pub const NAMES: [&str; 13] = [
    "outcome-distribution",
    "cumulative-value-fan",
    "delivery-curves",
    "plan-capacity",
    "plan-timeline",
    "roadmap",
    "debt-budget-sweep",
    "team-frontier",
    "team-capacity",
    "capacity-frontier",
    "since-last-review",
    "objectives",
    "sensitivity-tornado",
];

impl Chart {
    fn new(name: &'static str, title: String, height: u32, body: Body) -> Chart {
        debug_assert!(NAMES.contains(&name), "{name} is missing from NAMES");
        Chart {
            name,
            title,
            width: style::WIDTH,
            height,
            body,
        }
    }

    /// Draws the chart on any plotters backend.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(draw::err)?;
        let size = (self.width as i32, self.height as i32);
        draw::title(root, &self.title, size.0)?;
        match &self.body {
            Body::Outcome(d) => outcome::draw(d, root, size),
            Body::Fan(d) => fan::draw(d, root, size),
            Body::Delivery(d) => delivery::draw(d, root, size),
            Body::Capacity(d) => capacity::draw(d, root, size),
            Body::Timeline(d) => timeline::draw(d, root, size),
            Body::Roadmap(d) => roadmap::draw(d, root, size),
            Body::Sweep(d) => sweep::draw(d, root, size),
            Body::Teams(d) => teams::draw(d, root, size),
            Body::TeamCapacity(d) => team_capacity::draw(d, root, size),
            Body::Frontier(d) => frontier::draw(d, root, size),
            Body::Tornado(d) => tornado::draw(d, root, size),
            Body::Objectives(d) => objectives::draw(d, root, size),
            Body::Waterfall(d) => waterfall::draw(d, root, size),
        }
    }

    fn fail(&self, format: &str, why: String) -> Error {
        Error::Internal(format!(
            "cannot draw the {format} chart `{}`: {why}",
            self.name
        ))
    }

    /// The chart as an SVG document. Text is SVG text in the bundled face's family (with common
    /// fallbacks), laid out with the bundled face's metrics.
    pub fn svg(&self) -> Result<String, Error> {
        style::ensure_fonts()?;
        let mut out = String::new();
        {
            let root =
                SVGBackend::with_string(&mut out, (self.width, self.height)).into_drawing_area();
            self.draw(&root).map_err(|why| self.fail("SVG", why))?;
            root.present()
                .map_err(|e| self.fail("SVG", e.to_string()))?;
        }
        Ok(out.replace(
            &format!("font-family=\"{}\"", style::FAMILY),
            &format!("font-family=\"{}\"", style::SVG_FONT_FAMILY),
        ))
    }

    /// The chart as raw RGB pixels, `width × height × 3` bytes, row by row.
    pub fn rgb(&self) -> Result<Vec<u8>, Error> {
        style::ensure_fonts()?;
        let mut buf = vec![0u8; self.width as usize * self.height as usize * 3];
        {
            let root =
                BitMapBackend::with_buffer(&mut buf, (self.width, self.height)).into_drawing_area();
            self.draw(&root).map_err(|why| self.fail("PNG", why))?;
            root.present()
                .map_err(|e| self.fail("PNG", e.to_string()))?;
        }
        Ok(buf)
    }

    /// Draws the chart and saves it as a PNG file at `path`.
    pub fn write_png(&self, path: &Path) -> Result<(), Error> {
        style::ensure_fonts()?;
        let root = BitMapBackend::new(path, (self.width, self.height)).into_drawing_area();
        self.draw(&root).map_err(|why| self.fail("PNG", why))?;
        root.present().map_err(|e| Error::Io {
            action: "write chart",
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        })
    }
}

/// The distribution of net value per strategy: a violin from the shared histogram, a P10–P90
/// box, the median and mean, and P5–P95 whiskers.
pub fn outcome_distribution(scenario: &Scenario, sim: &Simulation) -> Chart {
    let data = outcome::prepare(scenario, sim);
    let height = data.height();
    Chart::new(
        "outcome-distribution",
        format!("Net value by strategy — {}", scenario.name),
        height,
        Body::Outcome(data),
    )
}

/// Cumulative net value over the periods per strategy: the P10–P90 band and the median.
pub fn cumulative_fan(scenario: &Scenario, sim: &Simulation) -> Chart {
    let data = fan::prepare(scenario, sim);
    let height = data.height();
    Chart::new(
        "cumulative-value-fan",
        format!("Cumulative net value over time — {}", scenario.name),
        height,
        Body::Fan(data),
    )
}

/// Delivery S-curves (P(delivered by the end of each period)) of the items with a deadline or a
/// commitment, one panel per item, one line per strategy, the deadline marked.
pub fn delivery_curves(scenario: &Scenario, sim: &Simulation) -> Chart {
    let data = delivery::prepare(scenario, sim);
    let height = data.height();
    Chart::new(
        "delivery-curves",
        format!("When deadline and committed items land — {}", scenario.name),
        height,
        Body::Delivery(data),
    )
}

/// The plan's capacity per period stacked by class and kind, then idle, debt drag and buffer.
pub fn plan_capacity(scenario: &Scenario, plan: &Plan) -> Chart {
    Chart::new(
        "plan-capacity",
        format!("Where the capacity goes — {}", scenario.name),
        style::HEIGHT,
        Body::Capacity(capacity::prepare(scenario, plan)),
    )
}

/// The plan as a timeline, coloured by kind and grouped Now / Next / Later.
pub fn plan_timeline(scenario: &Scenario, plan: &Plan) -> Chart {
    let data = timeline::prepare(scenario, plan);
    let height = data.height();
    Chart::new(
        "plan-timeline",
        format!("The plan: Now, Next, Later — {}", scenario.name),
        height,
        Body::Timeline(data),
    )
}

/// The recommended strategy's roadmap over the sampled futures (see [`roadmap::roadmap`]):
/// median start to median delivery per item, the P10–P90 delivery range, grouped Now / Next /
/// Later by median start, deadlines marked with the chance each is met. With no roadmap (nothing
/// simulated) the chart says so.
pub fn strategy_roadmap(scenario: &Scenario, roadmap: Option<&Roadmap>) -> Chart {
    let data = roadmap::prepare(scenario, roadmap);
    let height = data.height();
    let title = match &data.strategy {
        Some(name) => format!("Roadmap under {name}: Now, Next, Later — {}", scenario.name),
        None => format!("Roadmap: Now, Next, Later — {}", scenario.name),
    };
    Chart::new("roadmap", title, height, Body::Roadmap(data))
}

/// The debt-budget sweep: net value P10–P90 and P50 against the stability share, best marked.
pub fn debt_budget_sweep(scenario: &Scenario, sweep: &Sweep) -> Chart {
    Chart::new(
        "debt-budget-sweep",
        format!(
            "How much capacity to ring-fence for stability — {}",
            scenario.name
        ),
        style::HEIGHT,
        Body::Sweep(sweep::prepare(scenario, sweep)),
    )
}

/// Where the next engineer pays off: each team's frontier over ±1 engineer.
pub fn team_frontier(scenario: &Scenario, teams: &[crate::review::TeamOutlook]) -> Chart {
    Chart::new(
        "team-frontier",
        format!("Where the next engineer pays off — {}", scenario.name),
        style::HEIGHT,
        Body::Teams(teams::prepare(scenario, teams)),
    )
}

/// The plan's capacity by team: small multiples of the capacity chart, one panel per team.
pub fn team_capacity(scenario: &Scenario, plan: &Plan) -> Chart {
    let data = team_capacity::prepare(scenario, plan);
    let height = data.height();
    Chart::new(
        "team-capacity",
        format!("Where each team's capacity goes — {}", scenario.name),
        height,
        Body::TeamCapacity(data),
    )
}

/// What capacity buys: net value against engineer-weeks, one point per capacity factor.
pub fn capacity_frontier(scenario: &Scenario, frontier: &crate::frontier::Frontier) -> Chart {
    Chart::new(
        "capacity-frontier",
        format!("What more capacity buys — {}", scenario.name),
        style::HEIGHT,
        Body::Frontier(frontier::prepare(scenario, frontier)),
    )
}

/// Why the plan's objective moved since the last review: the `diff` waterfall.
pub fn waterfall(scenario: &Scenario, diff: &crate::diff::Diff) -> Chart {
    let data = waterfall::prepare(scenario, diff);
    let height = data.height();
    Chart::new(
        "since-last-review",
        format!("Why the plan's objective moved — {}", scenario.name),
        height,
        Body::Waterfall(data),
    )
}

/// The OKR roll-up: per objective its share of the weights beside its share of the planned
/// engineer-weeks, and the value its items earn in the plan.
pub fn objectives_rollup(scenario: &Scenario, rollup: &crate::objectives::PlanObjectives) -> Chart {
    let data = objectives::prepare(scenario, rollup);
    let height = data.height();
    Chart::new(
        "objectives",
        format!(
            "Objectives: weight, planned work and value — {}",
            scenario.name
        ),
        height,
        Body::Objectives(data),
    )
}

/// The tornado: net value when each major input is 20% lower or higher.
pub fn sensitivity_tornado(scenario: &Scenario, sensitivity: &Sensitivity) -> Chart {
    let data = tornado::prepare(scenario, sensitivity);
    let height = data.height();
    Chart::new(
        "sensitivity-tornado",
        format!("What moves net value (±20%) — {}", scenario.name),
        height,
        Body::Tornado(data),
    )
}

/// Every chart of the report; `roadmap` is the recommended strategy's (none when nothing was
/// simulated).
pub fn all_charts(
    scenario: &Scenario,
    plan: &Plan,
    sim: &Simulation,
    roadmap: Option<&Roadmap>,
    sweep: &Sweep,
    sensitivity: &Sensitivity,
) -> Vec<Chart> {
    vec![
        outcome_distribution(scenario, sim),
        cumulative_fan(scenario, sim),
        delivery_curves(scenario, sim),
        strategy_roadmap(scenario, roadmap),
        plan_timeline(scenario, plan),
        plan_capacity(scenario, plan),
        debt_budget_sweep(scenario, sweep),
        sensitivity_tornado(scenario, sensitivity),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture's roadmap: the `robust` strategy's.
    fn robust_roadmap(scenario: &Scenario, sim: &Simulation) -> Option<Roadmap> {
        let k = sim.strategies.iter().position(|s| s.name == "robust")?;
        roadmap::roadmap(scenario, sim, k)
    }

    fn charts_for(periods: usize) -> Vec<Chart> {
        let scenario = fixture::scenario(periods);
        let plan = fixture::plan(&scenario);
        let sim = fixture::simulation(&scenario);
        let map = robust_roadmap(&scenario, &sim);
        assert!(map.is_some());
        all_charts(
            &scenario,
            &plan,
            &sim,
            map.as_ref(),
            &fixture::sweep(),
            &fixture::sensitivity(),
        )
    }

    /// How many pixels differ from white.
    fn inked(rgb: &[u8]) -> usize {
        rgb.chunks(3).filter(|p| p != &[255, 255, 255]).count()
    }

    #[test]
    fn a_huge_scenario_name_is_cut_to_the_canvas() {
        let mut scenario = fixture::scenario(8);
        scenario.name = "Nordic fintech ".repeat(20_000);
        let plan = fixture::plan(&scenario);
        let svg = plan_timeline(&scenario, &plan).svg().unwrap();
        let title = svg
            .lines()
            .find(|l| l.starts_with("Plan") || l.contains("Nordic fintech Nordic"))
            .expect("the title line");
        assert!(title.ends_with('…'), "{title}");
        assert!(title.chars().count() < 200, "{}", title.chars().count());
    }

    #[test]
    fn every_chart_draws_as_svg_with_text_and_title() {
        for chart in charts_for(8) {
            let svg = chart.svg().unwrap();
            assert!(svg.starts_with("<svg"), "{}", chart.name);
            assert!(svg.contains("<text"), "{} has no text", chart.name);
            assert!(
                svg.contains("Nordic fintech 2027"),
                "{} lacks the scenario name",
                chart.name
            );
            assert!(svg.contains(style::SVG_FONT_FAMILY), "{}", chart.name);
            assert!(svg.len() > 5_000, "{} is nearly empty", chart.name);
        }
    }

    #[test]
    fn every_chart_draws_pixels_with_the_bundled_font() {
        for periods in [1, 8, 24] {
            for chart in charts_for(periods) {
                let rgb = chart.rgb().unwrap();
                assert_eq!(rgb.len(), (chart.width * chart.height * 3) as usize);
                let share = inked(&rgb) as f64 / (chart.width * chart.height) as f64;
                assert!(
                    share > 0.02,
                    "{} at {periods} periods is nearly blank",
                    chart.name
                );
            }
        }
    }

    #[test]
    fn charts_of_empty_results_say_so_instead_of_failing() {
        let scenario = fixture::scenario(4);
        let mut sim = fixture::simulation(&scenario);
        sim.strategies.clear();
        let mut sweep = fixture::sweep();
        sweep.rows.clear();
        sweep.best_p10 = None;
        sweep.best_p50 = None;
        let mut sens = fixture::sensitivity();
        sens.rows.clear();
        let mut bare = scenario.clone();
        for it in &mut bare.initiatives {
            it.deadline = None;
            it.commit = false;
        }
        let charts = vec![
            outcome_distribution(&scenario, &sim),
            cumulative_fan(&scenario, &sim),
            delivery_curves(&bare, &fixture::simulation(&bare)),
            debt_budget_sweep(&scenario, &sweep),
            sensitivity_tornado(&scenario, &sens),
            strategy_roadmap(&scenario, None),
        ];
        for chart in charts {
            let svg = chart.svg().unwrap();
            assert!(svg.contains("<text"), "{}", chart.name);
            assert!(inked(&chart.rgb().unwrap()) > 1_000, "{}", chart.name);
        }
    }

    #[test]
    fn tall_charts_grow_with_their_rows() {
        let mut scenario = fixture::scenario(8);
        let template = scenario.initiatives[0].clone();
        for k in 0..80 {
            let mut it = template.clone();
            it.id = format!("extra-{k}");
            it.deadline = None;
            scenario.initiatives.push(it);
        }
        let plan = fixture::plan(&scenario);
        let chart = plan_timeline(&scenario, &plan);
        assert!(chart.height > style::HEIGHT);
        assert!(chart.svg().unwrap().contains("more items"));
        let sim = fixture::simulation(&scenario);
        let chart = strategy_roadmap(&scenario, robust_roadmap(&scenario, &sim).as_ref());
        assert!(chart.height > style::HEIGHT);
        assert!(chart.svg().unwrap().contains("more items"));
    }

    #[test]
    fn png_files_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = fixture::scenario(8);
        let chart = plan_capacity(&scenario, &fixture::plan(&scenario));
        let path = dir.path().join("c.png");
        chart.write_png(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        assert!(bytes.len() > 10_000);
    }

    fn shipped_scenarios() -> Vec<Scenario> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        paths.sort();
        paths
            .iter()
            .map(|p| crate::scenario::load_scenario(p).unwrap())
            .collect()
    }

    /// Results shaped like each shipped scenario (its items, periods, labels and currency).
    #[test]
    fn every_chart_draws_for_every_shipped_scenario_shape() {
        let scenarios = shipped_scenarios();
        assert!(!scenarios.is_empty());
        for scenario in &scenarios {
            let plan = fixture::plan(scenario);
            let sim = fixture::simulation(scenario);
            let map = robust_roadmap(scenario, &sim);
            for chart in all_charts(
                scenario,
                &plan,
                &sim,
                map.as_ref(),
                &fixture::sweep(),
                &fixture::sensitivity(),
            ) {
                let svg = chart.svg().unwrap();
                assert!(
                    svg.contains(&scenario.name),
                    "{} {}",
                    scenario.name,
                    chart.name
                );
                if let Ok(dir) = std::env::var("TRADEOFF_CHART_DIR") {
                    let stem = scenario
                        .source
                        .file_stem()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    let path =
                        std::path::Path::new(&dir).join(format!("{stem}-{}.png", chart.name));
                    chart.write_png(&path).unwrap();
                }
            }
        }
    }

    /// Writes the fixture's charts where `TRADEOFF_CHART_DIR` points, to look at them.
    #[test]
    #[ignore]
    fn write_fixture_charts() {
        let Ok(dir) = std::env::var("TRADEOFF_CHART_DIR") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for chart in charts_for(8) {
            chart
                .write_png(&dir.join(format!("{}.png", chart.name)))
                .unwrap();
            std::fs::write(
                dir.join(format!("{}.svg", chart.name)),
                chart.svg().unwrap(),
            )
            .unwrap();
        }
    }
}
