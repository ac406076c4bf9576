//! Integration tests: `tradeoff simulate` and `tradeoff sweep` on the shipped scenarios — output
//! formats, reproducibility across runs and thread counts, usage errors, and the deterministic
//! replay of the plan against the planner's objective.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::PathBuf;

use tradeoff::plan::{solve_plan, PlanOptions};
use tradeoff::progress::Silent;
use tradeoff::scenario::load_scenario;
use tradeoff::simulate::{simulate, SimOptions, StrategySpec};

fn tradeoff() -> Command {
    Command::cargo_bin("tradeoff").expect("the tradeoff binary is built")
}

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

fn shipped() -> Vec<PathBuf> {
    super::cli::shipped_scenarios()
}

const NO_PLAN: &str = "wsjf,features-first,debt-first";

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = tradeoff().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn simulate_prints_a_comparison_table_for_every_shipped_scenario() {
    for path in shipped() {
        let scenario = load_scenario(&path).expect("shipped scenarios load");
        let out = tradeoff()
            .arg("simulate")
            .arg(&path)
            .args(["--strategies", NO_PLAN, "--trials", "300"])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let table = String::from_utf8(out.stdout).expect("utf-8");
        assert!(table.contains(&scenario.currency), "{table}");
        for name in ["wsjf", "features-first", "debt-first"] {
            assert!(
                table.lines().any(|l| l.starts_with(name)),
                "{}: no row for {name}\n{table}",
                path.display()
            );
        }
        assert!(table.contains("P(best)"));
        // Nothing on stderr in a pipe: no progress bar.
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn simulate_json_holds_the_documented_fields() {
    let path = scenario_path("oauth-vs-enterprise");
    let p = path.to_str().unwrap();
    let json = run_json(&[
        "simulate",
        p,
        "--strategies",
        "wsjf,debt-first,Sales ask: enterprise first,share:0.3,debt-sprint:2",
        "--trials",
        "1000",
        "--format",
        "json",
    ]);
    assert_eq!(json["trials"], 1000);
    assert_eq!(json["seed"], 42);
    let strategies = json["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), 5);
    assert_eq!(strategies[2]["name"], "Sales ask: enterprise first");
    assert_eq!(strategies[3]["name"], "share:0.3");
    let mut p_best = 0.0;
    for s in strategies {
        for key in ["mean", "sd", "p5", "p10", "p50", "p90", "p95"] {
            assert!(s["net_value"][key].is_number(), "net_value.{key}");
        }
        for key in [
            "value_earned",
            "cost_of_delay",
            "incident_losses",
            "penalties",
        ] {
            assert!(s[key]["mean"].is_number(), "{key}.mean");
        }
        p_best += s["p_best"].as_f64().unwrap();
        for item in s["initiatives"].as_array().unwrap() {
            assert!(item["id"].is_string());
            let p = item["p_delivered"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&p));
            assert!(item.get("delivery_p50").is_some());
            assert!(item.get("p_deadline_met").is_some());
        }
    }
    assert!((p_best - 1.0).abs() < 1e-9, "P(best) sums to {p_best}");
    // Every ordered pair a ≠ b.
    assert_eq!(json["paired"].as_array().unwrap().len(), 5 * 4);
}

#[test]
fn simulate_csv_has_one_record_per_strategy() {
    let path = scenario_path("saas-horizons");
    let out = tradeoff()
        .arg("simulate")
        .arg(&path)
        .args([
            "--strategies",
            NO_PLAN,
            "--trials",
            "200",
            "--format",
            "csv",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "strategy");
    assert!(headers.iter().any(|h| h == "net_value_p50"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[1][0], "features-first");
}

#[test]
fn same_seed_gives_identical_output_on_one_and_two_threads() {
    let path = scenario_path("fintech-expansion");
    let run = |threads: &str| {
        let out = tradeoff()
            .arg("simulate")
            .arg(&path)
            .args([
                "--strategies",
                "wsjf,debt-first,Markets first",
                "--trials",
                "1500",
                "--seed",
                "9",
                "--format",
                "json",
                "--threads",
                threads,
            ])
            .output()
            .expect("runs");
        assert!(out.status.success());
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("1"));
}

#[test]
fn deterministic_mode_runs_one_trial_of_means() {
    let path = scenario_path("legacy-drag");
    let json = run_json(&[
        "simulate",
        path.to_str().unwrap(),
        "--strategies",
        NO_PLAN,
        "--deterministic",
        "--format",
        "json",
    ]);
    assert_eq!(json["trials"], 1);
    for s in json["strategies"].as_array().unwrap() {
        assert_eq!(s["net_value"]["sd"], 0.0);
        assert_eq!(s["incident_losses"]["mean"], 0.0);
        assert_eq!(s["net_value"]["p5"], s["net_value"]["p95"]);
    }
    for d in json["paired"].as_array().unwrap() {
        assert_eq!(d["se"], 0.0);
    }
}

#[test]
fn unknown_strategy_is_a_usage_error_with_a_hint() {
    tradeoff()
        .arg("simulate")
        .arg(scenario_path("oauth-vs-enterprise"))
        .args(["--strategies", "wsjf,fastest"])
        .assert()
        .code(2)
        .stderr(contains("unknown strategy `fastest`"))
        .stderr(contains("hint"));
}

#[test]
fn bad_trial_counts_and_shares_are_usage_errors() {
    let path = scenario_path("saas-horizons");
    tradeoff()
        .arg("simulate")
        .arg(&path)
        .args(["--strategies", "wsjf", "--trials", "0"])
        .assert()
        .code(2)
        .stderr(contains("--trials"));
    tradeoff()
        .arg("simulate")
        .arg(&path)
        .args(["--strategies", "share:0.99"])
        .assert()
        .code(2)
        .stderr(contains("exceeds 1"));
    tradeoff()
        .arg("simulate")
        .arg(&path)
        .args(["--strategies", "debt-sprint:0"])
        .assert()
        .code(2);
}

#[test]
fn output_file_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("comparison.json");
    let args = |extra: &[&str]| {
        let mut cmd = tradeoff();
        cmd.arg("simulate")
            .arg(scenario_path("oauth-vs-enterprise"))
            .args([
                "--strategies",
                "wsjf",
                "--trials",
                "100",
                "--format",
                "json",
            ])
            .arg("--output")
            .arg(&file)
            .args(extra);
        cmd
    };
    args(&[]).assert().success();
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(first["trials"], 100);
    args(&[]).assert().code(2).stderr(contains("--force"));
    args(&["--force"]).assert().success();
}

/// `--deterministic` replay of the plan reproduces the planner's objective and its three parts
/// to 1e-6 relative on every shipped scenario (means everywhere, no noise, expected losses as
/// cost of delay: the simulator's accounting is the planner's objective realised).
#[test]
fn deterministic_plan_replay_reproduces_the_planners_objective() {
    for path in shipped() {
        let scenario = load_scenario(&path).expect("loads");
        let options = PlanOptions {
            time_limit_secs: 30.0,
            ..PlanOptions::default()
        };
        let plan = match solve_plan(&scenario, &options) {
            Ok(plan) => plan,
            Err(tradeoff::Error::NotImplemented(_)) => return,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        let sim = simulate(
            &scenario,
            Some(&plan),
            &[StrategySpec::Plan],
            &SimOptions {
                deterministic: true,
                ..SimOptions::default()
            },
            &Silent,
        )
        .expect("simulates");
        let r = &sim.strategies[0];
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
        let name = path.display();
        assert!(
            close(r.net_value.mean, plan.objective),
            "{name}: net {} vs objective {}",
            r.net_value.mean,
            plan.objective
        );
        assert!(
            close(r.value_earned.mean, plan.value_earned),
            "{name}: value earned {} vs {}",
            r.value_earned.mean,
            plan.value_earned
        );
        assert!(
            close(r.cost_of_delay.mean, plan.cost_of_delay),
            "{name}: cost of delay {} vs {}",
            r.cost_of_delay.mean,
            plan.cost_of_delay
        );
        assert!(
            close(r.penalties.mean, plan.penalties),
            "{name}: penalties {} vs {}",
            r.penalties.mean,
            plan.penalties
        );
    }
}
