//! Teams in the planner and the frontier: hand-computed cases, capacity per team never exceeded,
//! and a frontier that never falls as capacity grows; `frontier` through the binary.

use tradeoff::frontier::frontier;
use tradeoff::plan::{solve_plan, solve_plan_from, MarginalMethod, Plan, PlanOptions, PlanStatus};
use tradeoff::progress::Silent;
use tradeoff::scenario::{load_scenario, load_scenario_str, Scenario};
use tradeoff::simulate::{RobustOptions, SimOptions};

use super::common::{finish_ok, scenario_path, tradeoff};

fn exact(marginal: MarginalMethod) -> PlanOptions {
    PlanOptions {
        gap: 0.0,
        time_limit_secs: 30.0,
        marginal,
        ..PlanOptions::default()
    }
}

fn plan(s: &Scenario, marginal: MarginalMethod) -> Plan {
    let plan = solve_plan(s, &exact(marginal)).expect("plans");
    assert_eq!(plan.status, PlanStatus::Optimal);
    plan
}

/// Team `a` has 10 engineer-weeks a period, team `b` 2; `x` needs 8, half from each.
const SCARCE: &str = r#"
[scenario]
periods = 3
weeks_per_period = 13
[capacity]
buffer = 0
[[team]]
id = "a"
per_period = 10
[[team]]
id = "b"
per_period = 2
[[initiative]]
id = "x"
kind = "feature"
effort = 8
value = 100
split = { a = 0.5, b = 0.5 }
"#;

#[test]
fn a_split_item_moves_at_the_pace_of_its_scarcer_team() {
    let s = load_scenario_str("scarce.toml", SCARCE).expect("loads");
    let p = plan(&s, MarginalMethod::Estimate);
    // b gives at most 2 a period, its half of 4 weeks of x: 8 weeks take two periods, so x is
    // delivered by the end of P2 and earns 100 in P3. Pooled capacity (12) would ship it in P1.
    assert_eq!(p.initiatives[0].delivery, Some(2));
    assert!((p.objective - 100.0).abs() < 1e-6, "{}", p.objective);
    assert!((p.initiatives[0].shares[0] - 0.5).abs() < 1e-9);
    let b = &p.periods[0].teams[1];
    assert!(
        (b.product - 2.0).abs() < 1e-9 && b.idle.abs() < 1e-9,
        "{b:?}"
    );
    let a = &p.periods[0].teams[0];
    assert!(
        (a.product - 2.0).abs() < 1e-9 && (a.idle - 8.0).abs() < 1e-9,
        "{a:?}"
    );
}

#[test]
fn the_bottleneck_teams_next_engineer_week_is_worth_more() {
    let s = load_scenario_str("scarce.toml", SCARCE).expect("loads");
    let p = plan(&s, MarginalMethod::Exact);
    // One more engineer in b (13 weeks) ships x in P1: 100 more, 100 / 13 per engineer-week in
    // P1 (and as much in P2, where it also ships x a period sooner). In a it changes nothing.
    let first = &p.periods[0];
    assert!(
        (first.teams[1].marginal_value - 100.0 / 13.0).abs() < 1e-6,
        "{first:?}"
    );
    assert!(first.teams[0].marginal_value.abs() < 1e-9, "{first:?}");
    assert_eq!(first.marginal_value, first.teams[1].marginal_value);
}

#[test]
fn the_ring_fence_holds_in_each_team() {
    // Two teams of 10; stability work gets at most half of each. `s` (owned by a, 10 weeks)
    // takes two periods although the two teams together could give it 10 in one.
    let text = r#"
[scenario]
periods = 3
[capacity]
stability_share = { min = 0, max = 0.5 }
[[team]]
id = "a"
per_period = 10
[[team]]
id = "b"
per_period = 10
[[initiative]]
id = "s"
kind = "debt"
effort = 10
risk_if_deferred = 100
owner = "a"
"#;
    let s = load_scenario_str("fence.toml", text).expect("loads");
    let p = plan(&s, MarginalMethod::Estimate);
    assert_eq!(p.initiatives[0].delivery, Some(2));
    // Cost of delay paid in P1 and P2.
    assert!((p.objective + 200.0).abs() < 1e-6, "{}", p.objective);
    for period in &p.periods {
        assert!(period.teams[0].stability <= 5.0 + 1e-9, "{period:?}");
        assert_eq!(period.teams[1].stability, 0.0);
    }
}

#[test]
fn no_team_is_given_more_than_its_capacity_in_the_shipped_plan() {
    let s = load_scenario(&scenario_path("platform-teams")).expect("loads");
    let p = solve_plan(
        &s,
        &PlanOptions {
            time_limit_secs: 20.0,
            ..PlanOptions::default()
        },
    )
    .expect("plans");
    for period in &p.periods {
        assert_eq!(period.teams.len(), s.teams.len());
        let effective = |a: f64| a * (1.0 - period.drag) * (1.0 + 1e-9) + 1e-9;
        for team in &period.teams {
            let used = team.product + team.stability;
            assert!(
                used <= effective(team.allocatable),
                "{}: {team:?}",
                period.label
            );
            assert!(
                team.stability <= 0.8 * effective(team.allocatable),
                "{team:?}"
            );
            assert!(
                team.product <= 0.85 * effective(team.allocatable),
                "{team:?}"
            );
        }
        let total: f64 = period.teams.iter().map(|t| t.product + t.stability).sum();
        assert!((total - (period.product + period.stability)).abs() < 1e-6);
    }
}

#[test]
fn a_plan_for_less_capacity_is_a_floor_for_the_plan_with_more() {
    let s = load_scenario(&scenario_path("platform-teams")).expect("loads");
    let options = |work: f64| PlanOptions {
        time_limit_secs: 30.0,
        work_secs: Some(work),
        ..PlanOptions::default()
    };
    let today = solve_plan(&s, &options(20.0)).expect("plans");
    // One more engineer in `payments`, planned with a short search (alone it finds less than
    // today's plan): never below today.
    let payments = s.teams.iter().position(|t| t.id == "payments").unwrap();
    let more = tradeoff::frontier::with_engineers(&s, payments, 1.0);
    let quick = solve_plan_from(&more, &options(1.0), &[&today]).expect("plans");
    assert!(
        quick.objective >= today.objective,
        "{} < {}",
        quick.objective,
        today.objective
    );
    for (period, before) in quick.periods.iter().zip(&today.periods) {
        for (team, old) in period.teams.iter().zip(&before.teams) {
            let room = team.allocatable * (1.0 - period.drag) * (1.0 + 1e-9) + 1e-9;
            assert!(team.product + team.stability <= room, "{team:?}");
            if team.id != "payments" {
                assert_eq!(team.allocatable, old.allocatable);
            }
        }
    }
    // A plan that needs more capacity than a scenario has is not taken as its start.
    let less = tradeoff::frontier::scaled(&s, None, 0.6);
    match solve_plan_from(&less, &options(1.0), &[&today, &quick]) {
        Ok(plan) => {
            assert!(plan.objective < today.objective, "{}", plan.objective);
            for period in &plan.periods {
                for team in &period.teams {
                    let room = team.allocatable * (1.0 - period.drag) * (1.0 + 1e-9) + 1e-9;
                    assert!(team.product + team.stability <= room, "{team:?}");
                }
            }
        }
        Err(e) => assert!(
            matches!(e, tradeoff::error::Error::Infeasible { .. }),
            "{e}"
        ),
    }
}

#[test]
fn the_frontier_never_falls_as_capacity_grows_when_solved_to_optimality() {
    let text = r#"
[scenario]
periods = 4
[capacity]
buffer = 0.1
stability_share = { min = 0.1, max = 0.6 }
[[team]]
id = "web"
per_period = 20
[[team]]
id = "core"
per_period = 10
[[initiative]]
id = "checkout"
kind = "feature"
effort = { low = 10, likely = 14, high = 24 }
value = 300
split = { web = 0.6, core = 0.4 }
[[initiative]]
id = "search"
kind = "feature"
effort = 20
value = 200
owner = "web"
[[initiative]]
id = "db"
kind = "migration"
effort = 12
risk_if_deferred = 150
owner = "core"
deadline = 3
[[initiative]]
id = "api"
kind = "feature"
effort = 16
value = 250
requires = ["db"]
split = { web = 0.5, core = 0.5 }
"#;
    let s = load_scenario_str("frontier.toml", text).expect("loads");
    let sim = SimOptions {
        n_trials: 100,
        robust: RobustOptions {
            n_train: 20,
            budget: 100,
        },
        ..SimOptions::default()
    };
    for team in [None, Some(1)] {
        let f = frontier(
            &s,
            &[0.8, 0.9, 1.0, 1.1, 1.25, 1.5],
            team,
            &exact(MarginalMethod::Estimate),
            &sim,
            &Silent,
        )
        .expect("the frontier runs");
        let objectives: Vec<f64> = f
            .points
            .iter()
            .map(|p| {
                let plan = p.plan.as_ref().expect("a plan at every point");
                assert_eq!(plan.status, PlanStatus::Optimal);
                plan.objective
            })
            .collect();
        assert!(
            objectives.windows(2).all(|w| w[1] >= w[0] - 1e-6),
            "{team:?}: {objectives:?}"
        );
        assert!(
            f.points
                .windows(2)
                .all(|w| w[1].engineer_weeks > w[0].engineer_weeks),
            "engineer-weeks grow with the factor"
        );
    }
}

#[test]
fn validate_measures_a_deadline_against_the_scarcer_teams_capacity() {
    // By period 2, team a could carry 20 / 0.5 = 40 engineer-weeks of x and team b 4 / 0.5 = 8:
    // b sets the limit, and x's 8 fit exactly.
    let text = SCARCE.replace("split = {", "deadline = 2\nsplit = {");
    let dir = tempfile::tempdir().unwrap();
    let path = super::common::write_scenario(dir.path(), "scarce.toml", &text);
    let json = finish_ok(tradeoff().args(["validate", "--format", "json"]).arg(&path)).json();
    let line = &json["deadlines"][0];
    assert_eq!(line["max_weeks_by_then"], 8.0, "{line}");
    assert_eq!(line["team"], "b", "{line}");
    let table = finish_ok(tradeoff().arg("validate").arg(&path)).text();
    assert!(table.contains("tightest for team b"), "{table}");
    // When the item's own `team` limit binds, its teams tie and none is named: 0.1 × 13 = 1.3
    // engineer-weeks a period, half in each team, so 2 × 1.3 by period 2.
    let text = SCARCE.replace(
        "split = {",
        "team = 0.1\ndeadline = { period = 2, penalty = 10 }\nsplit = {",
    );
    let path = super::common::write_scenario(dir.path(), "limited.toml", &text);
    let json = finish_ok(tradeoff().args(["validate", "--format", "json"]).arg(&path)).json();
    let line = &json["deadlines"][0];
    assert!(
        (line["max_weeks_by_then"].as_f64().unwrap() - 2.6).abs() < 1e-9,
        "{line}"
    );
    assert!(line.get("team").is_none(), "{line}");
    // One pool has no team to name, and its figure is the pool's: 2 × 12.
    let pool = load_scenario_str(
        "pool.toml",
        "[scenario]\nperiods = 3\n[capacity]\nper_period = 12\nbuffer = 0\n[[initiative]]\nid = \"x\"\nkind = \"feature\"\neffort = 8\nvalue = 1\ndeadline = 2\n",
    )
    .unwrap();
    let line = &tradeoff::scenario::summarize(&pool).deadlines[0];
    assert_eq!((line.max_weeks_by_then, line.team.as_deref()), (24.0, None));
}

#[test]
fn frontier_writes_every_format_and_names_a_wrong_team() {
    let path = scenario_path("platform-teams");
    let quick = [
        "--trials",
        "200",
        "--robust-trials",
        "20",
        "--robust-budget",
        "100",
        "--time-limit",
        "3",
        "--capacity",
        "0.9:1.1:0.1",
        "--quiet",
    ];
    let run = |format: &str| {
        let mut cmd = tradeoff();
        cmd.arg("frontier")
            .arg(&path)
            .args(["--team", "platform", "--format", format]);
        cmd.args(quick);
        finish_ok(&mut cmd)
    };
    let table = run("table").text();
    assert!(
        table.contains("frontier over team `platform`'s capacity"),
        "{table}"
    );
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("0.90") || l.starts_with("1.00") || l.starts_with("1.10"))
            .count(),
        3,
        "{table}"
    );
    let json = run("json").json();
    assert_eq!(json["team"], "platform");
    assert_eq!(json["points"].as_array().map(Vec::len), Some(3));
    assert!(json["points"][2]["team_weeks"].as_f64() > json["points"][0]["team_weeks"].as_f64());
    let csv = run("csv").text();
    assert!(
        csv.starts_with("factor,engineer_weeks,team,team_weeks,net_value_mean"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 4);
    let md = run("markdown").text();
    assert!(
        md.contains("| factor | engineer-weeks | team weeks | plan objective |"),
        "{md}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["frontier.svg", "frontier.png"] {
        let chart = dir.path().join(name);
        let mut cmd = tradeoff();
        cmd.arg("frontier")
            .arg(&path)
            .arg("--chart")
            .arg(&chart)
            .args(quick);
        finish_ok(&mut cmd);
        let bytes = std::fs::read(&chart).expect("the chart is written");
        let magic: &[u8] = if name.ends_with("svg") {
            b"<svg"
        } else {
            b"\x89PNG"
        };
        assert!(bytes.starts_with(magic), "{name}");
    }

    let mut cmd = tradeoff();
    cmd.arg("frontier").arg(&path).args(["--team", "platfrom"]);
    let out = super::common::finish(&mut cmd).expect_code(2, "a wrong team is a usage error");
    assert!(out.stderr.contains("expected one of the scenario's teams (payments, mobile, platform, data), found `platfrom`"), "{}", out.stderr);
}

#[test]
fn the_report_ranks_the_teams_and_names_the_bottleneck() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("review");
    let mut cmd = tradeoff();
    cmd.arg("report")
        .arg(scenario_path("platform-teams"))
        .arg("--out")
        .arg(&out)
        .args([
            "--trials",
            "300",
            "--robust-trials",
            "30",
            "--robust-budget",
            "300",
        ])
        .args(["--time-limit", "5", "--quiet"]);
    finish_ok(&mut cmd);
    let html = std::fs::read_to_string(out.join("index.html")).expect("the page");
    assert!(html.contains("<section id=\"teams\">"));
    let nav = html
        .split("<nav>")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .expect("the page's menu");
    assert!(
        nav.contains("<a href=\"#teams\">Teams</a>"),
        "the menu leads to the teams: {nav}"
    );
    assert!(
        html.contains("Where the next engineer pays off: <strong>"),
        "no bottleneck line"
    );
    for chart in ["team-frontier", "team-capacity"] {
        assert!(out.join(format!("{chart}.svg")).is_file(), "{chart}.svg");
        assert!(out.join(format!("{chart}.png")).is_file(), "{chart}.png");
        assert!(
            html.contains(&format!("<figure id=\"fig-{chart}\">")),
            "{chart} on the page"
        );
    }
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .expect("JSON");
    let teams = results["teams"].as_array().expect("teams in results.json");
    assert_eq!(teams.len(), 4);
    for team in teams {
        let points = team["points"].as_array().expect("points");
        assert_eq!(points.len(), 3, "{}", team["id"]);
        let weeks: Vec<f64> = points
            .iter()
            .filter_map(|p| p["team_weeks"].as_f64())
            .collect();
        assert!(weeks.windows(2).all(|w| w[1] > w[0]), "{weeks:?}");
        // Today is the report's own plan, and one engineer more never plans to less: it starts
        // from today's plan, which still fits.
        let objective = |k: usize| points[k]["plan"]["objective"].as_f64();
        assert_eq!(
            objective(1),
            results["plan"]["objective"].as_f64(),
            "{}",
            team["id"]
        );
        assert!(objective(2) >= objective(1), "{}: {points:?}", team["id"]);
    }
    assert_eq!(
        results["plan"]["periods"][0]["teams"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
}

/// A team with no capacity today: its ±1 engineer points have no factor (a ratio to zero), and
/// one more engineer still shows what it buys.
#[test]
fn a_team_with_no_capacity_today_has_no_factor_for_its_next_engineer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("zero.toml");
    std::fs::write(
        &scenario,
        r#"
[scenario]
periods = 4
weeks_per_period = 13
[capacity]
buffer = 0
[[team]]
id = "a"
per_period = 26
[[team]]
id = "c"
per_period = 0
[[initiative]]
id = "x"
kind = "feature"
effort = 20
value = 100
owner = "a"
[[initiative]]
id = "y"
kind = "feature"
effort = 10
value = 80
owner = "c"
"#,
    )
    .expect("writes");
    let out = dir.path().join("review");
    let mut cmd = tradeoff();
    cmd.arg("report")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args([
            "--trials",
            "200",
            "--robust-trials",
            "20",
            "--robust-budget",
            "100",
            "--time-limit",
            "5",
            "--quiet",
        ]);
    finish_ok(&mut cmd);
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .expect("JSON");
    let factors = |team: usize| -> Vec<Option<f64>> {
        let points = results["teams"][team]["points"].as_array().expect("points");
        points.iter().map(|p| p["factor"].as_f64()).collect()
    };
    // a: 52 of 104 engineer-weeks, today, 156.
    assert_eq!(factors(0), [Some(0.5), Some(1.0), Some(1.5)]);
    assert_eq!(factors(1), [None, Some(1.0), None]);
    let c = &results["teams"][1]["points"];
    // One engineer in c (13 weeks a period) ships y (10 weeks) in P1: 80 × 3 more periods.
    let objective = |k: usize| c[k]["plan"]["objective"].as_f64().expect("a plan");
    assert!((objective(2) - objective(1) - 240.0).abs() < 1e-6, "{c}");
}

/// The report's sensitivity scales every team's capacity, not only the pool's sum (which no
/// replay with teams reads): 20% less capacity for two teams of one engineer-week too few
/// delays work, and the row must show it.
#[test]
fn the_sensitivity_to_capacity_scales_every_team() {
    let s = load_scenario_str(
        "teams.toml",
        r#"
[scenario]
periods = 4
[capacity]
buffer = 0
[[team]]
id = "a"
per_period = 10
[[team]]
id = "b"
per_period = 10
[[initiative]]
id = "x"
kind = "feature"
effort = 10
value = 100
owner = "a"
[[initiative]]
id = "y"
kind = "feature"
effort = 20
value = 50
split = { a = 0.5, b = 0.5 }
"#,
    )
    .expect("loads");
    let options = SimOptions {
        n_trials: 200,
        deterministic: true,
        ..SimOptions::default()
    };
    let sens = tradeoff::review::sensitivity(
        &s,
        None,
        &tradeoff::simulate::StrategySpec::Wsjf,
        &options,
        0.2,
        &Silent,
    )
    .expect("runs");
    let row = sens
        .rows
        .iter()
        .find(|r| r.input == "capacity")
        .expect("a capacity row");
    // Today: x in P1 (earns 100 × 3), y in P2 (50 × 2) = 400. At 8 a period, x takes two
    // periods (100 × 2) and y, behind it, is done in P3 (50 × 1): 250. At 12, as today.
    assert!((row.low - 250.0).abs() < 1e-6, "{row:?}");
    assert!((row.high - 400.0).abs() < 1e-6, "{row:?}");
}
