//! `tradeoff report`: writes one folder — `index.html` (self-contained), every chart as SVG and
//! PNG, `plan.csv`, `comparison.csv` and `results.json` — for a review.
//!
//! [`write_report`] does the work end to end: [`crate::review::compute`] plans, simulates, sweeps
//! and tests sensitivity, then [`write_bundle`] writes the files, so the page can be written from
//! results computed elsewhere.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::charts::roadmap::Roadmap;
use super::charts::Chart;
use super::{charts_of, html, plan_output, recommended_roadmap, sim_output, Format};
use crate::error::Error;
use crate::plan::{Plan, PlanOptions};
use crate::progress::Progress;
use crate::review::{compute, ReportData};
use crate::review::{optimising_worth, OptimisingWorth, Recommendation, Sensitivity};
use crate::scenario::Scenario;
use crate::simulate::{SimOptions, Simulation};
use crate::sweep::Sweep;

/// What `write_report` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    pub out_dir: PathBuf,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
    /// The recommended strategy, when there is one.
    pub recommended: Option<String>,
}

/// Refuses an existing non-empty folder without `force`, and before anything is computed, a
/// file in its place or on its path and a parent folder the report could not be built in.
pub fn check_dir(out_dir: &Path, force: bool) -> Result<(), Error> {
    // The folder itself when it exists, else the nearest folder above it that does.
    let existing = out_dir
        .ancestors()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .find(|p| p.exists())
        .unwrap_or(Path::new("."));
    if !existing.is_dir() {
        let what = if existing == out_dir {
            "not a folder".to_string()
        } else {
            format!("so `{}` cannot be a folder", out_dir.display())
        };
        return Err(Error::Usage(format!(
            "--out: `{}` is a file, {what}\n  hint: name a new or existing folder",
            existing.display()
        )));
    }
    // The report is built beside the folder, in its parent.
    let parent = match std::fs::canonicalize(out_dir) {
        Ok(real) if existing == out_dir => real.parent().map(Path::to_path_buf),
        _ => None,
    };
    probe_writable(parent.as_deref().unwrap_or(existing))?;
    if out_dir.exists() {
        let non_empty = std::fs::read_dir(out_dir)
            .map_err(|source| Error::Io {
                action: "read folder",
                path: out_dir.to_path_buf(),
                source,
            })?
            .next()
            .is_some();
        if non_empty && !force {
            return Err(Error::OutputExists(out_dir.to_path_buf()));
        }
    }
    Ok(())
}

/// Fails, naming the folder and the cause, when a file cannot be created in `dir`.
fn probe_writable(dir: &Path) -> Result<(), Error> {
    let probe = dir.join(format!(".tmp-{}-probe", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|source| Error::Io {
            action: "write in folder",
            path: dir.to_path_buf(),
            source,
        })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// The machine-readable twin of the page.
#[derive(Serialize)]
struct Results<'a> {
    tool: &'static str,
    version: &'static str,
    scenario: ScenarioHeader<'a>,
    recommendation: &'a Option<Recommendation>,
    optimising_worth: Option<OptimisingWorth>,
    /// The recommended strategy's roadmap over the sampled futures.
    roadmap: Option<Roadmap>,
    plan: &'a Plan,
    simulation: &'a Simulation,
    sweep: &'a Sweep,
    sensitivity: &'a Sensitivity,
    /// With teams: each team's frontier over ±1 engineer (absent without teams).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    teams: &'a [crate::review::TeamOutlook],
    /// With objectives: the plan's roll-up by objective, flat (`objectives`, `any_objective`,
    /// `no_objective`, `objective_warnings`) as in `plan --format json`; absent without.
    #[serde(flatten)]
    objectives: Option<crate::objectives::PlanObjectives>,
    /// With `--previous`: the `diff` of the previous scenario against this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    since_last_review: Option<&'a crate::diff::Diff>,
}

#[derive(Serialize)]
struct ScenarioHeader<'a> {
    name: &'a str,
    file: String,
    periods: usize,
    labels: &'a [String],
    currency: &'a str,
    warnings: &'a [String],
}

/// `results.json`: the recommendation, what optimising is worth, the recommended strategy's
/// roadmap, the plan, simulation (with the robust search), sweep and sensitivity, and with
/// objectives the plan's roll-up by objective.
pub fn results_json(data: &ReportData) -> Result<String, Error> {
    let s = data.scenario;
    let results = Results {
        tool: "tradeoff",
        version: env!("CARGO_PKG_VERSION"),
        scenario: ScenarioHeader {
            name: &s.name,
            file: s
                .source
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            periods: s.periods,
            labels: &s.labels,
            currency: &s.currency,
            warnings: &s.warnings,
        },
        recommendation: &data.recommendation,
        optimising_worth: optimising_worth(s, &data.simulation),
        roadmap: recommended_roadmap(data),
        plan: &data.plan,
        simulation: &data.simulation,
        sweep: &data.sweep,
        sensitivity: &data.sensitivity,
        teams: &data.teams,
        objectives: crate::objectives::plan_objectives(s, &data.plan),
        since_last_review: data.since.as_ref().map(|since| &since.diff),
    };
    serde_json::to_string_pretty(&results)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| Error::Internal(format!("cannot write results.json: {e}")))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    super::atomic::write_atomically(path, bytes)
}

/// Writes the folder's files for computed results; returns their paths, `index.html` first.
///
/// The report is built whole in a hidden folder beside `out_dir` and then put in place at once
/// (see [`super::atomic::replace_folder`]): an error or a kill leaves the previous report whole,
/// or the new one whole, or without a previous one no folder. Files in `out_dir` the report does
/// not write are kept.
pub fn write_bundle(
    out_dir: &Path,
    data: &ReportData,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, Error> {
    let owned: Vec<String> = super::charts::NAMES
        .iter()
        .flat_map(|n| [format!("{n}.svg"), format!("{n}.png")])
        .chain(FILES.iter().map(|f| f.to_string()))
        .collect();
    let mut files = super::atomic::replace_folder(out_dir, &owned, |tmp| {
        let mut files = write_files(tmp, data, progress)?;
        // Where the folder cannot be swapped whole, the page moves last.
        files.rotate_left(1);
        Ok(files)
    })?;
    files.rotate_right(1);
    Ok(files)
}

/// The report's files beside its charts.
const FILES: [&str; 4] = ["index.html", "plan.csv", "comparison.csv", "results.json"];

/// Writes every file of the report into the folder `out_dir`; returns their paths, `index.html`
/// first.
fn write_files(
    out_dir: &Path,
    data: &ReportData,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, Error> {
    let charts = charts_of(data);
    progress.start("charts", charts.len() as u64);
    let drawn: Vec<Result<(String, Vec<PathBuf>), Error>> = charts
        .par_iter()
        .map(|chart| {
            let svg = chart.svg()?;
            let svg_path = out_dir.join(format!("{}.svg", chart.name));
            write_file(&svg_path, svg.as_bytes())?;
            let png_path = out_dir.join(format!("{}.png", chart.name));
            super::atomic::replace_atomically(&png_path, |tmp| chart.write_png(tmp))?;
            progress.advance(1);
            Ok((svg, vec![svg_path, png_path]))
        })
        .collect();
    progress.finish();
    let mut files = Vec::new();
    let mut svgs = Vec::with_capacity(charts.len());
    for result in drawn {
        let (svg, paths) = result?;
        svgs.push(svg);
        files.extend(paths);
    }
    let figures: Vec<(&Chart, &str)> = charts.iter().zip(svgs.iter().map(String::as_str)).collect();
    let page = html::render(data, &figures);
    let index = out_dir.join("index.html");
    write_file(&index, page.as_bytes())?;
    files.insert(0, index);

    let plan_csv = plan_output::render_plan(data.scenario, &data.plan, Format::Csv)?;
    let path = out_dir.join("plan.csv");
    write_file(&path, plan_csv.as_bytes())?;
    files.push(path);
    let comparison = sim_output::render_simulation(data.scenario, &data.simulation, Format::Csv)?;
    let path = out_dir.join("comparison.csv");
    write_file(&path, comparison.as_bytes())?;
    files.push(path);
    let path = out_dir.join("results.json");
    write_file(&path, results_json(data)?.as_bytes())?;
    files.push(path);
    Ok(files)
}

/// The whole report: refuses a non-empty `out_dir` without `force`, computes every result and
/// writes the folder.
pub fn write_report(
    scenario: &Scenario,
    previous: Option<&Scenario>,
    out_dir: &Path,
    plan_options: &PlanOptions,
    sim_options: &SimOptions,
    force: bool,
    progress: &dyn Progress,
) -> Result<ReportSummary, Error> {
    check_dir(out_dir, force)?;
    let mut data = compute(scenario, plan_options, sim_options, progress)?;
    if let Some(previous) = previous {
        data.since = Some(crate::review::since(
            previous,
            &data,
            plan_options,
            progress,
        )?);
    }
    let files = write_bundle(out_dir, &data, progress)?;
    Ok(ReportSummary {
        out_dir: out_dir.to_path_buf(),
        files,
        recommended: data.recommendation.map(|r| r.strategy),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::charts::fixture;

    #[test]
    fn a_non_empty_folder_is_refused_without_force() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            check_dir(dir.path(), false).is_ok(),
            "an empty folder is fine"
        );
        assert!(
            check_dir(&dir.path().join("new"), false).is_ok(),
            "a new folder is fine"
        );
        std::fs::write(dir.path().join("x"), "x").unwrap();
        match check_dir(dir.path(), false) {
            Err(Error::OutputExists(p)) => assert_eq!(p, dir.path()),
            other => panic!("expected OutputExists, got {other:?}"),
        }
        assert!(check_dir(dir.path(), true).is_ok());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the probe file is gone"
        );
    }

    #[test]
    fn a_file_in_the_folder_s_place_or_path_is_refused_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("review");
        std::fs::write(&file, "x").unwrap();
        for out in [file.clone(), file.join("sub")] {
            match check_dir(&out, true) {
                Err(e @ Error::Usage(_)) => assert!(e.to_string().contains("is a file"), "{e}"),
                other => panic!(
                    "expected a usage error for {}, got {other:?}",
                    out.display()
                ),
            }
        }
    }

    #[test]
    fn results_json_carries_every_part() {
        let scenario = fixture::scenario(8);
        let data = fixture::report_data(&scenario);
        let json: serde_json::Value = serde_json::from_str(&results_json(&data).unwrap()).unwrap();
        assert_eq!(json["scenario"]["file"], "fixture.toml");
        assert_eq!(json["recommendation"]["strategy"], "robust");
        let strategies = json["simulation"]["strategies"].as_array().unwrap();
        assert_eq!(strategies.len(), 6);
        let search = &strategies[5]["search"];
        for key in [
            "order",
            "stability_share",
            "start",
            "train_mean",
            "train_reliability",
            "reliability_floor",
            "evaluations",
            "training_futures",
            "seconds",
        ] {
            assert!(!search[key].is_null(), "search lacks {key}");
        }
        assert!(strategies[0].get("search").is_none());
        let worth = &json["optimising_worth"];
        assert_eq!(worth["strategy"], "robust");
        assert_eq!(worth["vs_best_written"]["baseline"], "CTO proposal");
        assert_eq!(worth["vs_best_written"]["source"], "scenario");
        assert_eq!(worth["vs_plan"]["baseline"], "plan");
        assert!(worth["vs_plan"]["mean_diff"].as_f64().unwrap() > 0.0);
        assert!(worth["vs_plan"]["se"].as_f64().is_some());
        let roadmap = &json["roadmap"];
        assert_eq!(roadmap["strategy"], "robust");
        let items = roadmap["items"].as_array().unwrap();
        assert_eq!(items.len(), 7);
        for key in [
            "start_p50",
            "delivery_p10",
            "delivery_p50",
            "delivery_p90",
            "group",
        ] {
            assert!(items[0].get(key).is_some(), "roadmap items lack {key}");
        }
        assert_eq!(
            json["sensitivity"]["replayed_order"]["stability_share"],
            0.25
        );
        assert_eq!(json["sweep"]["best_p50"], 0.25);
        assert_eq!(json["sensitivity"]["rows"].as_array().unwrap().len(), 6);
        assert_eq!(json["plan"]["status"], "optimal");
    }
}
