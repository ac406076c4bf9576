//! The OKR roll-up through the real binary (SPEC "Objectives"): the plan's roll-up computed by
//! hand on a small scenario, the warning, the simulator's per-strategy roll-up (deterministic,
//! summing to the strategy's value earned, the same on any thread count) and the report's
//! section and chart; scenarios without objectives gain nothing.

use super::common::{finish_ok, scenario_path, tradeoff, write_scenario};

/// Three quarters of 10 engineer-weeks, no discounting. `both` (10 weeks, 100 a period, linked
/// to `growth` and `trust`) fills P1; `grow` (6 weeks, 30 a period, `growth`) and `loose` (4
/// weeks of debt, risk 5 a period, no objective) fill P2. That is the only optimum: `both` in P1
/// earns 100 in P2 and P3, `grow` in P2 earns 30 in P3, `loose` in P2 pays 5 in P1 and P2.
const SMALL: &str = r#"
[scenario]
name = "OKR roll-up"
periods = 3

[capacity]
per_period = 10

[[objective]]
id = "growth"
name = "Grow"
weight = 3

[[objective]]
id = "trust"
name = "Be trusted"
weight = 1

[[initiative]]
id = "both"
kind = "feature"
effort = 10
value = 100
objectives = ["growth", "trust"]

[[initiative]]
id = "grow"
kind = "feature"
effort = 6
value = 30
objectives = ["growth"]

[[initiative]]
id = "loose"
kind = "debt"
effort = 4
risk_if_deferred = 5
"#;

/// [`SMALL`] with `compliance` (weight 6) on `loose` and `infra` (weight 2) on nothing: weights
/// 3, 1, 6, 2 of 12.
fn with_neglected_objectives() -> String {
    SMALL
        .replace(
            "[[initiative]]\nid = \"both\"",
            "[[objective]]\nid = \"compliance\"\nweight = 6\n\n[[objective]]\nid = \"infra\"\nweight = 2\n\n[[initiative]]\nid = \"both\"",
        )
        .replace(
            "risk_if_deferred = 5\n",
            "risk_if_deferred = 5\nobjectives = [\"compliance\"]\n",
        )
}

fn close(a: &serde_json::Value, b: f64) -> bool {
    a.as_f64()
        .is_some_and(|a| (a - b).abs() < 1e-9 * b.abs().max(1.0))
}

#[track_caller]
fn assert_close(value: &serde_json::Value, expected: f64, what: &str) {
    assert!(close(value, expected), "{what}: {value} ≠ {expected}");
}

#[test]
fn plan_json_rolls_up_by_objective_as_computed_by_hand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_scenario(dir.path(), "okr.toml", SMALL);
    let json = finish_ok(tradeoff().arg("plan").arg(&path).args(["--format", "json"])).json();
    assert_eq!(json["status"], "optimal");
    assert_close(&json["value_earned"], 230.0, "value earned");
    assert_close(&json["cost_of_delay"], 10.0, "cost of delay");
    let rows = json["objectives"].as_array().expect("objectives");
    assert_eq!(rows.len(), 2);
    let (growth, trust) = (&rows[0], &rows[1]);
    assert_eq!(
        (growth["id"].as_str(), trust["id"].as_str()),
        (Some("growth"), Some("trust"))
    );
    // Weights 3 and 1; 20 engineer-weeks planned, `both` counted in full for each objective.
    for (row, weight, weeks, by_period, value, n) in [
        (growth, 0.75, 16.0, [10.0, 6.0, 0.0], 230.0, 2),
        (trust, 0.25, 10.0, [10.0, 0.0, 0.0], 200.0, 1),
    ] {
        let id = row["id"].as_str().unwrap_or_default();
        assert_close(&row["weight_share"], weight, id);
        assert_close(&row["planned_weeks"], weeks, id);
        assert_close(&row["work_share"], weeks / 20.0, id);
        assert_close(&row["value_earned"], value, id);
        assert_close(&row["cost_of_delay"], 0.0, id);
        assert_eq!(row["n_initiatives"], n, "{id}");
        for (k, w) in by_period.iter().enumerate() {
            assert_close(&row["planned_weeks_by_period"][k], *w, id);
        }
    }
    // "any objective" counts `both` once; "no objective" is `loose`, delivered in P2.
    let any = &json["any_objective"];
    assert_close(&any["planned_weeks"], 16.0, "any");
    assert_close(&any["work_share"], 0.8, "any");
    assert_close(&any["value_earned"], 230.0, "any");
    assert!(any.get("weight_share").is_none(), "{any}");
    let none = &json["no_objective"];
    assert_close(&none["planned_weeks"], 4.0, "none");
    assert_close(&none["planned_weeks_by_period"][1], 4.0, "none");
    assert_close(&none["work_share"], 0.2, "none");
    assert_close(&none["value_earned"], 0.0, "none");
    assert_close(&none["cost_of_delay"], 10.0, "none");
    assert_eq!(none["n_initiatives"], 1);
    assert_eq!(json["objective_warnings"], serde_json::json!([]));
    // The plan with its roll-up still reads back as a plan.
    let saved = dir.path().join("plan.json");
    std::fs::write(&saved, serde_json::to_vec(&json).expect("json")).expect("write");
    finish_ok(
        tradeoff()
            .args([
                "simulate",
                "--deterministic",
                "--strategies",
                "plan",
                "--plan",
            ])
            .arg(&saved)
            .arg(&path),
    );
}

#[test]
fn an_objective_far_below_its_weight_warns_in_the_plan_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_scenario(dir.path(), "neglect.toml", &with_neglected_objectives());
    let expected = [
        "`compliance` carries 50% of the weight but 20% of the planned work",
        "`infra` carries 17% of the weight but gets no planned work",
    ];
    let json = finish_ok(tradeoff().arg("plan").arg(&path).args(["--format", "json"])).json();
    assert_eq!(json["objective_warnings"], serde_json::json!(expected));
    let text = finish_ok(tradeoff().arg("plan").arg(&path)).text();
    assert!(text.contains("Objectives (an item linked to several counts in full for each)"));
    assert!(text.contains("Planned engineer-weeks by objective and period"));
    for w in expected {
        assert!(text.contains(&format!("warning: {w}")), "{text}");
    }
    let md = finish_ok(
        tradeoff()
            .arg("plan")
            .arg(&path)
            .args(["--format", "markdown"]),
    )
    .text();
    assert!(md.contains("### Objectives"), "{md}");
    assert!(md.contains("| any objective |"), "{md}");
    assert!(
        md.contains("warning: \\`compliance\\` carries 50% of the weight"),
        "{md}"
    );
}

#[test]
fn deterministic_simulation_gives_each_objective_the_plans_value_and_delivers_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_scenario(dir.path(), "okr.toml", SMALL);
    let plan = finish_ok(tradeoff().arg("plan").arg(&path).args(["--format", "json"])).json();
    let sim = finish_ok(tradeoff().arg("simulate").arg(&path).args([
        "--deterministic",
        "--strategies",
        "plan,wsjf",
        "--format",
        "json",
    ]))
    .json();
    let plan_strategy = &sim["strategies"][0];
    assert_eq!(plan_strategy["name"], "plan");
    let rows = plan_strategy["objectives"].as_array().expect("objectives");
    assert_eq!(rows.len(), 2);
    for (row, planned) in rows
        .iter()
        .zip(plan["objectives"].as_array().expect("plan rows"))
    {
        assert_eq!(row["id"], planned["id"]);
        let value = planned["value_earned"].as_f64().unwrap_or(f64::NAN);
        assert_close(&row["value_earned_mean"], value, "value earned");
        assert_eq!(row["p_all_delivered"], 1.0, "{row}");
    }
    for key in ["any_objective", "no_objective"] {
        let value = plan[key]["value_earned"].as_f64().unwrap_or(f64::NAN);
        assert_close(&plan_strategy[key]["value_earned_mean"], value, key);
        assert_eq!(plan_strategy[key]["p_all_delivered"], 1.0, "{key}");
    }
    let text = finish_ok(tradeoff().arg("simulate").arg(&path).args([
        "--deterministic",
        "--strategies",
        "plan,wsjf",
    ]))
    .text();
    assert!(text.contains("value earned by objective (means"), "{text}");
    assert!(text.contains("P(all of an objective's items delivered within the horizon)"));
}

#[test]
fn simulated_objective_values_sum_to_value_earned_on_any_thread_count() {
    let scenario = scenario_path("fintech-expansion");
    let run = |threads: &str| {
        finish_ok(
            tradeoff()
                .arg("simulate")
                .arg(&scenario)
                .args(["--trials", "1200", "--threads", threads, "--format", "json"])
                .args(["--robust-trials", "30", "--robust-budget", "200", "--quiet"]),
        )
    };
    // Everything but the robust search's wall-clock seconds is the same on 1 and 3 threads.
    let without_seconds = |run: super::common::Run| {
        let mut json = run.json();
        for s in json["strategies"].as_array_mut().into_iter().flatten() {
            if let Some(search) = s.get_mut("search").and_then(|x| x.as_object_mut()) {
                search.remove("seconds");
            }
        }
        json
    };
    let json = without_seconds(run("1"));
    assert!(json == without_seconds(run("3")), "1 and 3 threads differ");
    let n_objectives = tradeoff::scenario::load_scenario(&scenario)
        .expect("loads")
        .objectives
        .len();
    for s in json["strategies"].as_array().expect("strategies") {
        let name = s["name"].as_str().unwrap_or_default();
        assert_eq!(s["objectives"].as_array().map(Vec::len), Some(n_objectives));
        // "any" and "no objective" split the items, so their values make up the whole.
        let parts = s["any_objective"]["value_earned_mean"]
            .as_f64()
            .unwrap_or(f64::NAN)
            + s["no_objective"]["value_earned_mean"]
                .as_f64()
                .unwrap_or(f64::NAN);
        let total = s["value_earned"]["mean"].as_f64().unwrap_or(f64::NAN);
        assert!(
            (parts - total).abs() < 1e-9 * total.abs().max(1.0),
            "{name}: {parts} ≠ {total}"
        );
        for row in s["objectives"].as_array().into_iter().flatten() {
            let p = row["p_all_delivered"].as_f64().unwrap_or(f64::NAN);
            assert!((0.0..=1.0).contains(&p), "{name}: {row}");
        }
    }
}

#[test]
fn scenarios_without_objectives_gain_no_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    // SMALL without its `[[objective]]` tables and links.
    let (head, tail) = (SMALL.find("[[objective]]"), SMALL.find("[[initiative]]"));
    let (head, tail) = (&SMALL[..head.unwrap_or(0)], &SMALL[tail.unwrap_or(0)..]);
    let bare: Vec<&str> = tail
        .lines()
        .filter(|l| !l.starts_with("objectives ="))
        .collect();
    let bare = format!("{head}{}\n", bare.join("\n"));
    let path = write_scenario(dir.path(), "bare.toml", &bare);
    let plan = finish_ok(tradeoff().arg("plan").arg(&path).args(["--format", "json"])).json();
    for key in [
        "objectives",
        "any_objective",
        "no_objective",
        "objective_warnings",
    ] {
        assert!(plan.get(key).is_none(), "{key} in {plan}");
    }
    let text = finish_ok(tradeoff().arg("plan").arg(&path)).text();
    assert!(!text.contains("Objectives"), "{text}");
    let sim = finish_ok(tradeoff().arg("simulate").arg(&path).args([
        "--deterministic",
        "--strategies",
        "plan",
        "--format",
        "json",
    ]))
    .json();
    let s = &sim["strategies"][0];
    for key in ["objectives", "any_objective", "no_objective"] {
        assert!(s.get(key).is_none(), "{key} in {s}");
    }
}

#[test]
fn the_report_has_an_objectives_section_chart_and_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_scenario(dir.path(), "neglect.toml", &with_neglected_objectives());
    let out = dir.path().join("review");
    finish_ok(
        tradeoff()
            .arg("report")
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .args([
                "--trials",
                "200",
                "--robust-trials",
                "20",
                "--robust-budget",
                "200",
            ])
            .args(["--time-limit", "5", "--quiet"]),
    );
    for file in ["objectives.svg", "objectives.png"] {
        let len = std::fs::metadata(out.join(file)).map_or(0, |m| m.len());
        assert!(len > 10_000, "{file}: {len} bytes");
    }
    let svg = std::fs::read_to_string(out.join("objectives.svg")).expect("svg");
    for text in [
        "OKR roll-up",
        "Share (%)",
        "share of the weights",
        "compliance",
    ] {
        assert!(svg.contains(text), "{text} not in the chart");
    }
    let html = std::fs::read_to_string(out.join("index.html")).expect("index.html");
    let at = html
        .find("<section id=\"objectives\">")
        .expect("the section");
    let section = &html[at..at + html[at..].find("</section>").unwrap_or(0)];
    for text in [
        "fig-objectives",
        "Any objective",
        "No objective",
        "All delivered under",
        "`compliance` carries 50% of the weight but 20% of the planned work",
    ] {
        assert!(section.contains(text), "{text} not in {section}");
    }
    let warnings = &html[html.find("<section id=\"warnings\">").expect("warnings")..];
    assert!(warnings.contains("plan: `infra` carries 17% of the weight but gets no planned work"));
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results"))
            .expect("JSON");
    assert_eq!(results["objectives"].as_array().map(Vec::len), Some(4));
    assert_close(&results["objectives"][2]["weight_share"], 0.5, "compliance");
    assert_eq!(
        results["objective_warnings"].as_array().map(Vec::len),
        Some(2)
    );
    let strategy = &results["simulation"]["strategies"][0];
    assert_eq!(strategy["objectives"].as_array().map(Vec::len), Some(4));
}
