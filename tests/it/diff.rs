//! `tradeoff diff`: what changed between two versions of a portfolio, both plans, and the
//! waterfall that attributes the objective's change, through the real binary.

use serde_json::Value;

use crate::common::{finish, finish_ok, repo, scenario_path, tradeoff, write_scenario};

fn last_review() -> std::path::PathBuf {
    repo().join("scenarios/last-review/oauth-vs-enterprise.toml")
}

fn diff_json(old: &std::path::Path, new: &std::path::Path) -> Value {
    finish_ok(
        tradeoff()
            .args(["diff", "--format", "json", "--quiet"])
            .arg(old)
            .arg(new),
    )
    .json()
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, found {v}"))
}

/// OLD's objective + every bar of the waterfall = NEW's objective, and both ends are the plans'.
fn assert_waterfall_sums(d: &Value) {
    let w = &d["attribution"];
    let old = num(&d["old"]["plan"]["objective"]);
    let new = num(&d["new"]["plan"]["objective"]);
    assert_eq!(num(&w["old_objective"]), old);
    assert_eq!(num(&w["new_objective"]), new);
    let mut sum = old;
    for step in w["steps"].as_array().unwrap() {
        sum += num(&step["delta"]);
    }
    if !w["other_changes"].is_null() {
        sum += num(&w["other_changes"]["delta"]);
    }
    sum += num(&w["interaction"]);
    assert!(
        (sum - new).abs() <= 1e-6 * new.abs().max(1.0),
        "the waterfall sums to {sum}, the new objective is {new}"
    );
}

#[test]
fn the_shipped_pair_tells_what_changed_and_why() {
    let d = diff_json(&last_review(), &scenario_path("oauth-vs-enterprise"));
    let changes = d["changes"].as_array().unwrap();
    let find = |id: &str| {
        changes
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no change for {id}"))
    };
    assert_eq!(find("partner-api")["status"], "removed");
    assert_eq!(find("onboarding")["status"], "added");
    let oauth = find("oauth");
    assert_eq!(oauth["fields"][0]["field"], "effort");
    // Means: (8 + 40 + 14) / 6 and (10 + 48 + 20) / 6.
    assert!((num(&oauth["fields"][0]["old"]) - 62.0 / 6.0).abs() < 1e-9);
    assert!((num(&oauth["fields"][0]["new"]) - 13.0).abs() < 1e-9);
    assert_eq!(find("mfa")["fields"][0]["new"], "2027-05 (hard)");
    assert_eq!(find("capacity")["fields"][0]["field"], "per_period");
    // The strategies section changed but cannot move the plan.
    assert_eq!(find("strategies")["fields"][0]["affects_plan"], false);

    // The plans: the change of the objective is the change of its three parts.
    let (a, b) = (&d["old"]["plan"], &d["new"]["plan"]);
    let parts =
        |p: &Value| num(&p["value_earned"]) - num(&p["cost_of_delay"]) - num(&p["penalties"]);
    assert!((parts(a) - num(&a["objective"])).abs() < 1e-6);
    assert!((parts(b) - num(&b["objective"])).abs() < 1e-6);
    let moved = d["moved"].as_array().unwrap();
    assert!(moved
        .iter()
        .any(|m| m["id"] == "onboarding" && m["old"].is_null()));
    assert!(moved
        .iter()
        .any(|m| m["id"] == "partner-api" && m["new"].is_null()));

    assert_waterfall_sums(&d);
    let steps = d["attribution"]["steps"].as_array().unwrap();
    // Only changes the planner reads are re-planned: not the strategies.
    assert!(steps.iter().all(|s| s["id"] != "strategies"));
    let sizes: Vec<f64> = steps.iter().map(|s| num(&s["delta"]).abs()).collect();
    assert!(
        sizes.windows(2).all(|w| w[0] >= w[1]),
        "largest first: {sizes:?}"
    );
}

#[test]
fn one_change_alone_is_the_whole_change_and_the_diff_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let text = |value: u32| {
        format!(
            r#"
            [scenario]
            periods = 4
            [capacity]
            per_period = 10
            [[initiative]]
            id = "a"
            kind = "feature"
            effort = 10
            value = {value}
            [[initiative]]
            id = "b"
            kind = "feature"
            effort = 10
            value = 50
            "#
        )
    };
    let old = write_scenario(dir.path(), "old.toml", &text(100));
    let new = write_scenario(dir.path(), "new.toml", &text(200));
    let d = diff_json(&old, &new);
    // By hand: `a` first (100 > 50 per period), delivered by the end of period 1, earns its
    // value in periods 2 to 4; `b`, delivered in period 2, in periods 3 and 4.
    // Old 3 × 100 + 2 × 50 = 400; new 3 × 200 + 100 = 700.
    assert!((num(&d["old"]["plan"]["objective"]) - 400.0).abs() < 1e-6);
    assert!((num(&d["new"]["plan"]["objective"]) - 700.0).abs() < 1e-6);
    let w = &d["attribution"];
    assert_eq!(w["steps"].as_array().unwrap().len(), 1);
    assert_eq!(w["steps"][0]["change"], "a: value");
    assert!((num(&w["steps"][0]["delta"]) - 300.0).abs() < 1e-6);
    assert!(num(&w["interaction"]).abs() < 1e-6);
    assert!(d["moved"].as_array().unwrap().is_empty());
    assert_waterfall_sums(&d);

    // The same command gives the same bytes.
    let run = || {
        finish_ok(
            tradeoff()
                .args(["diff", "--format", "json", "--quiet"])
                .arg(&old)
                .arg(&new),
        )
        .stdout
    };
    assert_eq!(run(), run());

    // A scenario against itself: nothing changed, nothing to attribute.
    let same = diff_json(&old, &old);
    assert!(same["changes"].as_array().unwrap().is_empty());
    assert_eq!(num(&same["attribution"]["total"]), 0.0);
    assert!(same["attribution"]["steps"].as_array().unwrap().is_empty());
    let table = finish_ok(tradeoff().args(["diff", "--quiet"]).arg(&old).arg(&old)).text();
    assert!(table.contains("The two scenarios are the same"), "{table}");
}

#[test]
fn random_edits_of_a_shipped_scenario_always_sum_to_the_total() {
    // The waterfall's property: whatever changed, its parts, other changes and interaction sum
    // to the objective's change. Edits are drawn from a fixed list with a fixed generator.
    let base = std::fs::read_to_string(scenario_path("oauth-vs-enterprise")).unwrap();
    let edits: [(&str, &str); 8] = [
        (
            "effort = { low = 6, likely = 8, high = 12 }",
            "effort = { low = 9, likely = 12, high = 20 }",
        ),
        (
            "value = 2000               # EUR per month: better",
            "value = 6000               # EUR per month: better",
        ),
        (
            "per_period = [16, 18, 18, 18, 18, 15]",
            "per_period = [12, 14, 18, 18, 18, 15]",
        ),
        ("buffer = 0.15", "buffer = 0.25"),
        ("drag = 0.05", "drag = 0.12"),
        (
            "deadline = { period = 6, penalty = 20000 }",
            "deadline = { period = 4, penalty = 50000 }",
        ),
        ("requires = [\"sso\"]", "requires = [\"audit-logs\"]"),
        (
            "debt_relief = 0.03         # retiring",
            "debt_relief = 0.08         # retiring",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let old = write_scenario(dir.path(), "old.toml", &base);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..3 {
        let mut text = base.clone();
        let mut applied = 0;
        for (from, to) in &edits {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            if (state >> 33) % 2 == 0 {
                assert!(text.contains(from), "the edit `{from}` no longer matches");
                text = text.replacen(from, to, 1);
                applied += 1;
            }
        }
        let new = write_scenario(dir.path(), &format!("new-{round}.toml"), &text);
        let d = diff_json(&old, &new);
        assert!(applied > 0);
        assert_waterfall_sums(&d);
    }
}

#[test]
fn markdown_chart_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("waterfall.svg");
    let md = finish_ok(
        tradeoff()
            .args(["diff", "--format", "markdown", "--quiet", "--chart"])
            .arg(&chart)
            .arg(last_review())
            .arg(scenario_path("oauth-vs-enterprise")),
    )
    .text();
    assert!(md.starts_with("## What changed"), "{md}");
    assert!(md.contains("### Why the objective moved"));
    assert!(md.contains("| sso: one\\_time\\_value |"), "{md}");
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("Why the plan"),
        "the chart is drawn"
    );

    // An existing chart is refused before any planning, and kept.
    let run = finish(
        tradeoff()
            .args(["diff", "--quiet", "--chart"])
            .arg(&chart)
            .arg(last_review())
            .arg(scenario_path("oauth-vs-enterprise")),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);

    // CSV is not a diff format; a bad scenario names its file and line.
    let run = finish(
        tradeoff()
            .args(["diff", "--format", "csv"])
            .arg(last_review())
            .arg(scenario_path("oauth-vs-enterprise")),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let bad = write_scenario(dir.path(), "bad.toml", "[scenario]\nperiods = 0\n");
    let run = finish(
        tradeoff()
            .arg("diff")
            .arg(&bad)
            .arg(scenario_path("oauth-vs-enterprise")),
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("bad.toml") && run.stderr.contains("line 2"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_change_that_cannot_stand_alone_is_listed_with_its_reason() {
    // One pool against two teams: every owner, the teams and the total capacity change.
    let dir = tempfile::tempdir().unwrap();
    let pool = r#"
        [scenario]
        periods = 3
        [capacity]
        per_period = 20
        [[initiative]]
        id = "a"
        kind = "feature"
        effort = 10
        value = 100
    "#;
    let teams = r#"
        [scenario]
        periods = 3
        [[team]]
        id = "web"
        per_period = 15
        [[team]]
        id = "api"
        per_period = [10, 10, 12]
        [[initiative]]
        id = "a"
        kind = "feature"
        effort = 10
        value = 100
        owner = "web"
    "#;
    let old = write_scenario(dir.path(), "pool.toml", pool);
    let new = write_scenario(dir.path(), "teams.toml", teams);
    let (pooled, summed) = (
        serde_json::json!(20.0),
        serde_json::json!([25.0, 25.0, 27.0]),
    );
    for (from, to, totals) in [
        (&old, &new, (&pooled, &summed)),
        (&new, &old, (&summed, &pooled)),
    ] {
        let d = diff_json(from, to);
        let reasons: Vec<&str> = d["attribution"]["unattributed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["reason"].as_str().unwrap())
            .collect();
        assert!(
            reasons
                .iter()
                .any(|r| r.contains("cannot be applied alone")),
            "{reasons:?}"
        );
        // The total capacity moves the plan, and is listed with the changes that cannot stand
        // alone: it comes and goes with the teams.
        assert!(
            d["attribution"]["unattributed"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["change"] == "capacity: per_period"
                    && u["reason"]
                        .as_str()
                        .unwrap()
                        .contains("the capacity comes and goes with the teams")),
            "{}",
            d["attribution"]
        );
        let capacity = d["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "capacity")
            .unwrap_or_else(|| panic!("no capacity change: {}", d["changes"]));
        let field = &capacity["fields"][0];
        assert_eq!(field["field"], "per_period", "{capacity}");
        assert_eq!((&field["old"], &field["new"]), totals);
        assert_eq!(field["affects_plan"], true, "{field}");
        assert_waterfall_sums(&d);
    }
}

#[test]
fn a_new_horizon_brings_its_capacity_lists_and_says_so() {
    // Four periods of 10 a team, then six with team b at 12: the capacity comes with the
    // horizon, so the `scenario` step carries it, under a name that says so.
    let dir = tempfile::tempdir().unwrap();
    let text = |periods: usize, b: &str| {
        format!(
            r#"
        [scenario]
        name = "org"
        periods = {periods}
        [capacity]
        buffer = 0
        [[team]]
        id = "a"
        per_period = 10
        [[team]]
        id = "b"
        per_period = {b}
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
        split = {{ a = 0.5, b = 0.5 }}
    "#
        )
    };
    let old = write_scenario(dir.path(), "old.toml", &text(4, "10"));
    let new = write_scenario(dir.path(), "new.toml", &text(6, "[12, 12, 12, 12, 12, 12]"));
    let d = diff_json(&old, &new);
    let a = &d["attribution"];
    let steps = a["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{a}");
    assert_eq!(
        steps[0]["change"], "scenario: periods, with the new capacity lists",
        "{a}"
    );
    let unattributed = a["unattributed"].as_array().unwrap();
    assert!(
        unattributed
            .iter()
            .any(|u| u["change"] == "team b: per_period"
                && u["reason"]
                    .as_str()
                    .unwrap()
                    .contains("its effect is in the `scenario` step")),
        "{a}"
    );
    assert_waterfall_sums(&d);
}

#[test]
fn a_re_exported_jira_backlog_diffs_against_the_last_export() {
    // The quarterly loop: last review's export beside this one, a few estimates changed.
    let shipped = repo().join("scenarios/jira-import");
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    for folder in [&old, &new] {
        std::fs::create_dir(folder).unwrap();
        for file in ["scenario.toml", "jira-export.csv"] {
            std::fs::copy(shipped.join(file), folder.join(file)).unwrap();
        }
    }
    let csv = std::fs::read_to_string(new.join("jira-export.csv")).unwrap();
    let row = csv.lines().find(|l| l.contains(",PAY-101,")).unwrap();
    assert!(
        row.contains(",34,Payments squad,"),
        "PAY-101 has 34 story points"
    );
    let edited = csv.replacen(
        row,
        &row.replacen(",34,Payments squad,", ",55,Payments squad,", 1),
        1,
    );
    std::fs::write(new.join("jira-export.csv"), edited).unwrap();
    let d = diff_json(&old.join("scenario.toml"), &new.join("scenario.toml"));
    let changes = d["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    let field = &changes[0]["fields"][0];
    assert_eq!(
        (changes[0]["id"].as_str(), field["field"].as_str()),
        (Some("pay-101"), Some("effort"))
    );
    // Points at half an engineer-week each, spread to { 0.8x, x, 1.6x }: mean (0.8 + 4 + 1.6) x / 6.
    let mean = |points: f64| points * 0.5 * (0.8 + 4.0 + 1.6) / 6.0;
    assert!((num(&field["old"]) - mean(34.0)).abs() < 1e-9);
    assert!((num(&field["new"]) - mean(55.0)).abs() < 1e-9);
    assert_waterfall_sums(&d);
}

#[test]
fn report_previous_adds_since_the_last_review() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review");
    finish_ok(
        tradeoff()
            .args([
                "report",
                "--quiet",
                "--trials",
                "300",
                "--robust-trials",
                "50",
            ])
            .arg(scenario_path("oauth-vs-enterprise"))
            .arg("--previous")
            .arg(last_review())
            .arg("--out")
            .arg(&out),
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    let since = &html[html.find("<section id=\"since\">").expect("the section")..];
    let since = &since[..since.find("</section>").unwrap()];
    for part in [
        "Why the objective moved",
        "What moved in the plan",
        "What changed in the scenario",
        "In-app onboarding checklist",
        "fig-since-last-review",
    ] {
        assert!(since.contains(part), "the section has {part}");
    }
    assert!(html.contains("href=\"#since\""), "the page links to it");
    assert!(
        out.join("since-last-review.svg").exists() && out.join("since-last-review.png").exists()
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let d = &results["since_last_review"];
    // The diff's new plan is the report's own plan.
    assert_eq!(d["new"]["plan"]["objective"], results["plan"]["objective"]);
    assert_waterfall_sums(d);

    // A bad previous scenario is bad input naming its file, and nothing is written.
    let bad = write_scenario(dir.path(), "old.toml", "[scenario]\nperiods = 2\n");
    let run = finish(
        tradeoff()
            .args(["report", "--quiet"])
            .arg(scenario_path("oauth-vs-enterprise"))
            .arg("--previous")
            .arg(&bad)
            .arg("--out")
            .arg(dir.path().join("other")),
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("old.toml"), "{}", run.stderr);
    assert!(!dir.path().join("other").exists());
}

#[test]
fn a_buffer_changed_with_the_horizon_keeps_its_own_step() {
    // One pool: four periods of 10 at buffer 0.1, then six at 0.2, of 10 or of 12. The
    // capacity list comes with the horizon; the buffer still has a bar of its own, which says
    // when it leaves a changed list out.
    let dir = tempfile::tempdir().unwrap();
    let text = |periods: usize, capacity: u32, buffer: f64| {
        format!(
            "[scenario]\nname = \"org\"\nperiods = {periods}\n[capacity]\nper_period = {capacity}\nbuffer = {buffer}\n\
             [[initiative]]\nid = \"x\"\nkind = \"feature\"\neffort = 10\nvalue = 100\n\
             [[initiative]]\nid = \"y\"\nkind = \"feature\"\neffort = 20\nvalue = 50\n"
        )
    };
    let old = write_scenario(dir.path(), "old.toml", &text(4, 10, 0.1));
    for (capacity, label) in [
        (10, "capacity: buffer"),
        (12, "capacity: buffer (not per_period)"),
    ] {
        let new = write_scenario(dir.path(), "new.toml", &text(6, capacity, 0.2));
        let d = diff_json(&old, &new);
        let labels: Vec<&str> = d["attribution"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["change"].as_str().unwrap())
            .collect();
        assert!(labels.contains(&label), "{labels:?}");
        assert!(
            labels.contains(&"scenario: periods, with the new capacity lists"),
            "{labels:?}"
        );
        assert_waterfall_sums(&d);
    }
}
