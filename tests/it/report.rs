//! Integration tests: `tradeoff report` on the shipped scenarios — the folder, its charts, the
//! self-contained page, `results.json` against `simulate --format json`, and the page in a real
//! (headless) browser when one is installed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::cli::shipped_scenarios;
use tradeoff::internals::external_references;

use super::common::{tradeoff, CHARTS};

/// Trials for the reports the tests write: enough for every chart to have shape, few enough to
/// keep the suite quick.
const TEST_TRIALS: &str = "400";

/// Planner time limit in the tests (seconds per plan; a report plans once per sweep share too),
/// so the larger portfolios stay quick. Time-limited plans may differ between runs, so tests
/// that compare two runs use a scenario the planner proves optimal well within it.
const TEST_TIME_LIMIT: &str = "1";

/// The `robust` search in the tests: few training futures and a small budget (debug builds).
const TEST_ROBUST: [&str; 4] = ["--robust-trials", "50", "--robust-budget", "300"];

/// One report per shipped scenario, written once and shared by the tests that read them.
fn reports() -> &'static [(PathBuf, PathBuf)] {
    static REPORTS: OnceLock<(tempfile::TempDir, Vec<(PathBuf, PathBuf)>)> = OnceLock::new();
    let (_dir, list) = REPORTS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let scenarios = shipped_scenarios();
        let list = std::thread::scope(|scope| {
            let runs: Vec<_> = scenarios
                .iter()
                .map(|scenario| {
                    let out = dir.path().join(scenario.file_stem().expect("a file name"));
                    scope.spawn(move || {
                        let run = tradeoff()
                            .arg("report")
                            .arg(scenario)
                            .arg("--out")
                            .arg(&out)
                            .args(["--trials", TEST_TRIALS, "--time-limit", TEST_TIME_LIMIT])
                            .args(TEST_ROBUST)
                            .arg("--quiet")
                            .output()
                            .expect("runs");
                        assert!(
                            run.status.success(),
                            "report on {} failed: {}",
                            scenario.display(),
                            String::from_utf8_lossy(&run.stderr)
                        );
                        (scenario.clone(), out)
                    })
                })
                .collect();
            runs.into_iter()
                .map(|r| r.join().expect("the report run"))
                .collect::<Vec<_>>()
        });
        (dir, list)
    });
    list
}

/// Each shipped scenario's report page, with the scenario it is for.
fn pages() -> impl Iterator<Item = (&'static PathBuf, String)> {
    reports().iter().map(|(scenario, out)| {
        let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");
        (scenario, html)
    })
}

#[test]
fn report_writes_every_file_for_every_shipped_scenario() {
    let reports = reports();
    assert!(reports.len() >= 5, "expected the shipped scenarios");
    for (scenario, out) in reports {
        for file in ["index.html", "plan.csv", "comparison.csv", "results.json"] {
            let len = std::fs::metadata(out.join(file))
                .unwrap_or_else(|_| panic!("{} lacks {file}", scenario.display()))
                .len();
            assert!(len > 100, "{}: {file} is nearly empty", scenario.display());
        }
        for chart in CHARTS {
            let svg = std::fs::read_to_string(out.join(format!("{chart}.svg")))
                .unwrap_or_else(|_| panic!("{}: no {chart}.svg", scenario.display()));
            assert!(
                svg.contains("<text") && svg.len() > 5_000,
                "{}: {chart}.svg is nearly empty",
                scenario.display()
            );
            let png = std::fs::read(out.join(format!("{chart}.png")))
                .unwrap_or_else(|_| panic!("{}: no {chart}.png", scenario.display()));
            assert_eq!(&png[1..4], b"PNG", "{}: {chart}.png", scenario.display());
            assert!(
                png.len() > 20_000,
                "{}: {chart}.png is nearly empty",
                scenario.display()
            );
        }
    }
}

#[test]
fn the_page_is_self_contained_and_leads_with_the_summary() {
    for (scenario, html) in pages() {
        assert_eq!(
            external_references(&html),
            Vec::<String>::new(),
            "{} loads something from outside the page",
            scenario.display()
        );
        // With teams, two more: where the next engineer pays off, and capacity by team; with
        // objectives, the roll-up.
        let loaded = tradeoff::scenario::load_scenario(scenario).expect("a shipped scenario loads");
        let teams = !loaded.teams.is_empty();
        let objectives = usize::from(!loaded.objectives.is_empty());
        let charts = CHARTS.len() + if teams { 2 } else { 0 } + objectives;
        assert_eq!(
            html.matches("<svg").count(),
            charts,
            "{}",
            scenario.display()
        );
        let summary = html.find("Executive summary").expect("a summary");
        for later in [
            "id=\"plan\"",
            "id=\"comparison\"",
            "id=\"sweep\"",
            "id=\"sensitivity\"",
            "id=\"warnings\"",
        ] {
            let at = html
                .find(later)
                .unwrap_or_else(|| panic!("{}: no {later}", scenario.display()));
            assert!(
                summary < at,
                "{}: {later} before the summary",
                scenario.display()
            );
        }
        assert!(
            html.contains("Recommended: <strong>"),
            "{}",
            scenario.display()
        );
    }
}

#[test]
fn the_page_shows_the_roadmap_and_what_optimising_is_worth() {
    for (scenario, html) in pages() {
        let summary = &html[..html.find("<section id=\"plan\">").expect("a plan section")];
        assert!(
            summary.contains("What optimising is worth: <code>robust</code>")
                && summary.contains("(the optimum for the mean future)")
                && summary.contains("sampled futures, ± 2 standard errors"),
            "{}: no sentence on what optimising is worth",
            scenario.display()
        );
        let plan = &html[html.find("<section id=\"plan\">").expect("a plan section")
            ..html
                .find("<section id=\"comparison\">")
                .expect("a comparison")];
        // The recommended strategy's roadmap opens the plan section; the MILP plan follows.
        let places: Vec<usize> = [
            "<h3 id=\"roadmap\">The roadmap under <code>",
            "<figure id=\"fig-roadmap\">",
            "The optimum for the mean future",
        ]
        .iter()
        .map(|text| {
            plan.find(text)
                .unwrap_or_else(|| panic!("{}: no {text}", scenario.display()))
        })
        .collect();
        assert!(
            places.windows(2).all(|w| w[0] < w[1]),
            "{}: the roadmap must open the plan section",
            scenario.display()
        );
        assert!(plan.contains("Delivery P10–P90"), "{}", scenario.display());
    }
}

#[test]
fn results_json_holds_every_part_of_the_report() {
    for (scenario, out) in reports() {
        let text = std::fs::read_to_string(out.join("results.json")).expect("results.json");
        let json: serde_json::Value = serde_json::from_str(&text).expect("results.json parses");
        for key in [
            "plan",
            "simulation",
            "sweep",
            "sensitivity",
            "recommendation",
        ] {
            assert!(
                !json[key].is_null(),
                "{}: results.json lacks {key}",
                scenario.display()
            );
        }
        assert_eq!(json["simulation"]["trials"], 400);
        let strategies = json["simulation"]["strategies"]
            .as_array()
            .expect("strategies");
        let robust = strategies
            .iter()
            .find(|s| s["name"] == "robust")
            .unwrap_or_else(|| panic!("{}: no robust strategy", scenario.display()));
        for key in [
            "order",
            "stability_share",
            "start",
            "train_mean",
            "evaluations",
        ] {
            assert!(
                !robust["search"][key].is_null(),
                "{}: the robust search lacks {key}",
                scenario.display()
            );
        }
        let worth = &json["optimising_worth"];
        assert!(
            worth["vs_plan"]["mean_diff"].is_number() && worth["vs_best_written"]["se"].is_number(),
            "{}: optimising_worth is incomplete: {worth}",
            scenario.display()
        );
        let items = json["roadmap"]["items"].as_array().expect("roadmap items");
        assert!(!items.is_empty(), "{}", scenario.display());
        assert!(json["sensitivity"]["rows"]
            .as_array()
            .is_some_and(|r| !r.is_empty()));
    }
}

#[test]
fn results_json_agrees_with_simulate_json_for_the_same_seed() {
    // A scenario the planner proves optimal quickly, so both commands replay the same plan.
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/oauth-vs-enterprise.toml");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("review");
    let args = [
        "--trials",
        "1000",
        "--seed",
        "7",
        "--robust-trials",
        "50",
        "--robust-budget",
        "300",
    ];
    tradeoff()
        .arg("report")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(args)
        .arg("--quiet")
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .expect("parses");
    let sim_out = tradeoff()
        .arg("simulate")
        .arg(&scenario)
        .args(["--format", "json"])
        .args(args)
        .arg("--quiet")
        .output()
        .expect("runs");
    assert!(sim_out.status.success());
    let sim: serde_json::Value = serde_json::from_slice(&sim_out.stdout).expect("parses");
    let from_report = report["simulation"]["strategies"]
        .as_array()
        .expect("strategies");
    let from_sim = sim["strategies"].as_array().expect("strategies");
    assert_eq!(from_report.len(), from_sim.len());
    for (a, b) in from_report.iter().zip(from_sim) {
        assert_eq!(a["name"], b["name"]);
        for q in ["mean", "sd", "p5", "p10", "p50", "p90", "p95"] {
            let (x, y) = (
                a["net_value"][q].as_f64().expect("a number"),
                b["net_value"][q].as_f64().expect("a number"),
            );
            assert!(
                (x - y).abs() <= 1e-6 * x.abs().max(1.0),
                "{} {q}: report {x} vs simulate {y}",
                a["name"]
            );
        }
        assert_eq!(a["p_best"], b["p_best"]);
        // The robust search is the same search in both.
        assert_eq!(a["search"]["order"], b["search"]["order"]);
        assert_eq!(
            a["search"]["stability_share"],
            b["search"]["stability_share"]
        );
    }
    assert_eq!(report["simulation"]["seed"], sim["seed"]);
}

#[test]
fn report_refuses_a_non_empty_folder_without_force() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("notes.txt"), "keep me").expect("writes");
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/oauth-vs-enterprise.toml");
    let out = tradeoff()
        .arg("report")
        .arg(&scenario)
        .arg("--out")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).expect("still there"),
        "keep me"
    );
    assert!(!dir.path().join("index.html").exists());
}

/// The browser the page tests use, when installed: `chromium` on `PATH`, else the usual places.
fn chromium() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"));
    on_path
        .chain(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
                .into_iter()
                .map(PathBuf::from),
        )
        .find(|p| p.is_file())
}

/// A scenario whose every text field tries to run a script when the page opens: each payload
/// sets the page title to `pwned` or adds a `<pwned>` element.
const HOSTILE: &str = r#"
[scenario]
name = "<script>document.title='pwned'</script><b>Q&A</b>"
periods = 3
currency = "<img src=x onerror=\"document.title='pwned'\">"

[capacity]
per_period = 20
stability_share = { min = 0.1, max = 0.5 }

[[objective]]
id = "obj"
name = "<img src=x onerror=\"document.body.appendChild(document.createElement('pwned'))\">"

[[initiative]]
id = "a"
name = "<svg onload=\"document.title='pwned'\"></svg>"
kind = "feature"
effort = { low = 5, likely = 8, high = 12 }
value = 1000
deadline = 2
objectives = ["obj"]
business_outcome = "<iframe srcdoc=\"<script>parent.document.title='pwned'</script>\"></iframe>"

[[initiative]]
id = "b"
name = "\"'><img src=x onerror=\"document.title='pwned'\">"
kind = "debt"
effort = { low = 4, likely = 6, high = 9 }
risk_if_deferred = 300
objectives = ["obj"]

[[strategy]]
name = "<img src=x onerror=\"document.body.appendChild(document.createElement('pwned'))\">"
order = ["b", "a"]
"#;

#[test]
fn hostile_scenario_text_runs_no_script_in_headless_chromium() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let scenario = dir.path().join("hostile.toml");
    std::fs::write(&scenario, HOSTILE).expect("writes");
    let out = dir.path().join("review");
    tradeoff()
        .arg("report")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args([
            "--trials",
            "100",
            "--robust-trials",
            "20",
            "--robust-budget",
            "100",
        ])
        .args(["--time-limit", "5", "--quiet"])
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");
    for tag in ["<img", "<script", "<iframe", "<svg onload"] {
        assert!(!html.contains(tag), "index.html holds an unescaped {tag}");
    }
    for entry in std::fs::read_dir(&out).expect("the folder") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(&path).expect("an SVG");
            assert!(!svg.contains("<img"), "{} holds markup", path.display());
        }
    }
    let Some(browser) = chromium() else {
        // CI installs Chromium (`.ci/run`): there a missing browser is a failure, not a skip.
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but chromium is not installed: the injection test cannot run"
        );
        println!("note: chromium is not on PATH; skipping the browser half of the injection test");
        return;
    };
    let index = out
        .join("index.html")
        .canonicalize()
        .expect("absolute path");
    let run = std::process::Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--dump-dom",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("file://{}", index.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&run.stdout);
    assert!(
        dom.contains("</html>"),
        "chromium dumped no page; stderr:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        dom.contains("<title>Strategy review"),
        "a script changed the title:\n{}",
        &dom[..dom.len().min(2_000)]
    );
    assert!(!dom.contains("<pwned"), "a script added an element");
    assert!(
        !dom.contains("<img"),
        "an image element was parsed from scenario text"
    );
}

#[test]
fn the_page_renders_in_headless_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        println!("note: chromium is not installed; skipping the browser test");
        return;
    };
    let (_, out) = reports()
        .iter()
        .find(|(s, _)| s.ends_with("fintech-expansion.toml"))
        .expect("the fintech report");
    let index = out
        .join("index.html")
        .canonicalize()
        .expect("absolute path");
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let shot = tmp.path().join("shot.png");
    let run = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            tmp.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", index.display()))
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let console_errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught")))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:#?}"
    );
    let png = std::fs::read(&shot).unwrap_or_else(|_| panic!("no screenshot; stderr:\n{stderr}"));
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 50_000, "the screenshot is nearly blank");
}
