//! Integration tests: the `robust` and `plan-order` strategies through the command line — the
//! search's JSON fields, a saved strategy that replays to the same numbers, the same answer on 1
//! and 2 threads, and the usage errors of its flags.

use predicates::str::contains;
use std::path::PathBuf;

use super::simulate::{run_json, scenario_path, tradeoff};

use tradeoff::plan::{solve_plan, PlanOptions};
use tradeoff::progress::Silent;
use tradeoff::scenario::{load_scenario, load_scenario_str};
use tradeoff::simulate::{simulate, SimOptions, StrategySpec};

/// Small enough for a debug build: the search's shape, not its full budget.
const QUICK: [&str; 8] = [
    "--trials",
    "300",
    "--robust-trials",
    "80",
    "--robust-budget",
    "400",
    "--time-limit",
    "5",
];

fn strategy<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no strategy {name} in {json}"))
}

#[test]
fn robust_is_in_the_default_list_and_carries_its_search() {
    let path = scenario_path("oauth-vs-enterprise");
    let mut args = vec!["simulate", path.to_str().unwrap(), "--format", "json"];
    args.extend(QUICK);
    let json = run_json(&args);
    let robust = strategy(&json, "robust");
    let search = &robust["search"];
    let order: Vec<&str> = search["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let scenario = load_scenario(&path).unwrap();
    let mut ids: Vec<&str> = scenario.initiatives.iter().map(|i| i.id.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    ids.sort();
    assert_eq!(sorted, ids, "the order lists every initiative once");
    for field in [
        "stability_share",
        "train_mean",
        "train_reliability",
        "seconds",
    ] {
        assert!(search[field].is_number(), "{field}: {search}");
    }
    assert!(search["start"].is_string());
    assert_eq!(search["training_futures"], 80);
    let evaluations = search["evaluations"].as_u64().unwrap();
    assert!((1..=400).contains(&evaluations), "{evaluations}");
    assert_eq!(robust["stability_share"], search["stability_share"]);
    // Other strategies carry no search.
    assert!(strategy(&json, "wsjf").get("search").is_none());
}

#[test]
fn the_table_shows_the_robust_order_and_share_under_it() {
    let path = scenario_path("legacy-drag");
    let out = tradeoff()
        .arg("simulate")
        .arg(&path)
        .args(QUICK)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.lines().any(|l| l.starts_with("robust ")), "{table}");
    let line = table
        .lines()
        .find(|l| l.starts_with("robust: stability share"))
        .unwrap_or_else(|| panic!("no robust line in\n{table}"));
    assert!(line.ends_with('…'), "17 items: the order is cut: {line}");
    assert!(table.contains("grown from"));
}

#[test]
fn the_same_seed_gives_the_same_robust_strategy_on_one_and_two_threads() {
    let path = scenario_path("saas-horizons");
    let run = |threads: &str| {
        let mut args = vec!["simulate", path.to_str().unwrap(), "--format", "json"];
        args.extend(QUICK);
        args.extend(["--strategies", "wsjf,robust", "--threads", threads]);
        let mut json = run_json(&args);
        // The wall-clock time is the one field allowed to differ.
        for s in json["strategies"].as_array_mut().unwrap() {
            if let Some(search) = s.get_mut("search") {
                search["seconds"] = 0.into();
            }
        }
        json
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn a_saved_strategy_replays_to_exactly_the_robust_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let source = scenario_path("oauth-vs-enterprise");
    let saved = dir.path().join("robust.toml");
    let mut args = vec![
        "simulate",
        source.to_str().unwrap(),
        "--format",
        "json",
        "--strategies",
        "wsjf,robust",
        "--save-strategy",
        saved.to_str().unwrap(),
    ];
    args.extend(QUICK);
    let first = run_json(&args);
    let table = std::fs::read_to_string(&saved).unwrap();
    assert!(table.contains("[[strategy]]"), "{table}");
    // Pasted into a copy of the scenario, it replays like `robust`.
    let pasted = dir.path().join("with-robust.toml");
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&pasted, format!("{text}\n{table}")).unwrap();
    let name = "Optimised order (seed 42)";
    let replay = run_json(&[
        "simulate",
        pasted.to_str().unwrap(),
        "--format",
        "json",
        "--strategies",
        &format!("wsjf,{name}"),
        "--trials",
        "300",
    ]);
    let a = strategy(&first, "robust");
    let b = strategy(&replay, name);
    assert_eq!(a["net_value"], b["net_value"]);
    assert_eq!(a["initiatives"], b["initiatives"]);
    assert_eq!(a["stability_share"], b["stability_share"]);
    // The file is not overwritten without --force.
    tradeoff()
        .args(&args)
        .assert()
        .code(2)
        .stderr(contains("--force"));
    let mut forced = args.clone();
    forced.push("--force");
    tradeoff().args(&forced).assert().success();
}

#[test]
fn save_strategy_needs_robust_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("robust.toml");
    tradeoff()
        .arg("simulate")
        .arg(scenario_path("oauth-vs-enterprise"))
        .args(["--strategies", "wsjf", "--trials", "10", "--save-strategy"])
        .arg(&saved)
        .assert()
        .code(2)
        .stderr(contains("--save-strategy"));
    assert!(!saved.exists());
}

#[test]
fn bad_robust_flags_are_usage_errors() {
    for (flag, value) in [
        ("--robust-trials", "0"),
        ("--robust-trials", "-3"),
        ("--robust-budget", "0"),
        ("--robust-budget", "-5"),
        ("--robust-budget", "1.5"),
        ("--robust-budget", "lots"),
    ] {
        for command in ["simulate", "sweep", "report"] {
            let mut cmd = tradeoff();
            cmd.arg(command).arg(scenario_path("oauth-vs-enterprise"));
            if command == "report" {
                cmd.args(["--out", "/nonexistent/never-written"]);
            }
            cmd.args([flag, value])
                .assert()
                .code(2)
                .stderr(contains(flag))
                .stderr(contains("expected a whole number of at least 1"));
        }
    }
}

#[test]
fn plan_order_follows_the_plans_deliveries_when_they_are_unambiguous() {
    // Three items that all fit, one per period, each worth more the sooner: the plan delivers
    // `first` in period 1, `second` in 2, `third` in 3 (a dependency chain fixes the order).
    // `plan-order` replays that order with work flowing ahead, so in the mean future it delivers
    // them in the same periods.
    let text = r#"
        [scenario]
        periods = 4
        [capacity]
        per_period = 10
        [[initiative]]
        id = "third"
        kind = "feature"
        effort = 10
        value = 50
        requires = ["second"]
        [[initiative]]
        id = "first"
        kind = "feature"
        effort = 10
        value = 100
        [[initiative]]
        id = "second"
        kind = "feature"
        effort = 10
        value = 80
        requires = ["first"]
        [[initiative]]
        id = "never"
        kind = "feature"
        effort = 100
        value = 1
    "#;
    let scenario = load_scenario_str("chain.toml", text).unwrap();
    let plan = solve_plan(&scenario, &PlanOptions::default()).unwrap();
    let deliveries: Vec<Option<usize>> = plan.initiatives.iter().map(|p| p.delivery).collect();
    assert_eq!(deliveries, [Some(3), Some(1), Some(2), None]);
    let order = tradeoff::internals::simulate::plan_order(&scenario, &plan);
    assert_eq!(
        order,
        [1, 2, 0, 3],
        "first, second, third, then the unplanned"
    );
    let sim = simulate(
        &scenario,
        Some(&plan),
        &[StrategySpec::PlanOrder, StrategySpec::Plan],
        &SimOptions {
            deterministic: true,
            ..SimOptions::default()
        },
        &Silent,
    )
    .unwrap();
    let plan_order = &sim.strategies[0];
    assert_eq!(plan_order.name, "plan-order");
    for (outcome, planned) in plan_order.initiatives.iter().zip(&deliveries) {
        if planned.is_some() {
            assert_eq!(outcome.delivery_p50, *planned, "{}", outcome.id);
        }
    }
    assert!((plan_order.net_value.mean - plan.objective).abs() < 1e-6 * plan.objective.abs());
}

#[test]
fn a_saved_strategy_loads_again_when_the_ring_fence_reaches_past_the_buffer() {
    // Buffer 0.3 with the default ring-fence 0..1: the share grid stops at 0.7, so the saved
    // table (a share of at most 0.7) loads; pasted twice, the second gets its own name.
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("hi.toml");
    let text = r#"
[scenario]
periods = 2
[capacity]
per_period = 10
buffer = 0.3
[[initiative]]
id = "a"
kind = "debt"
effort = 1
debt_relief = 0.1
[[initiative]]
id = "f"
kind = "feature"
effort = 2
value = -500
[[strategy]]
name = "guard"
order = ["a"]
stability_share = 0.7
"#;
    std::fs::write(&scenario, text).unwrap();
    let saved = dir.path().join("saved.toml");
    let save = |from: &PathBuf| {
        tradeoff()
            .arg("simulate")
            .arg(from)
            .args(QUICK)
            .args(["--strategies", "robust", "--force", "--save-strategy"])
            .arg(&saved)
            .assert()
            .success();
        std::fs::read_to_string(&saved).unwrap()
    };
    let first = save(&scenario);
    let pasted = dir.path().join("pasted.toml");
    std::fs::write(&pasted, format!("{text}\n{first}")).unwrap();
    tradeoff().arg("validate").arg(&pasted).assert().success();
    let second = save(&pasted);
    assert!(
        second.contains("name = \"Optimised order (seed 42) 2\""),
        "{second}"
    );
    let twice = dir.path().join("twice.toml");
    std::fs::write(&twice, format!("{text}\n{first}\n{second}")).unwrap();
    tradeoff().arg("validate").arg(&twice).assert().success();
}

#[test]
fn an_enormous_training_set_is_refused_before_it_is_allocated() {
    tradeoff()
        .arg("simulate")
        .arg(scenario_path("oauth-vs-enterprise"))
        .args([
            "--strategies",
            "wsjf,robust",
            "--trials",
            "10",
            "--robust-trials",
            "100000000000",
        ])
        .assert()
        .code(2)
        .stderr(contains("--robust-trials"))
        .stderr(contains("GiB"));
}
