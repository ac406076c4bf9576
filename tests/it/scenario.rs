//! Integration tests: the loader never panics, and CSV and TOML initiatives load alike.

use proptest::prelude::*;
use tradeoff::scenario::{load_scenario_str, Deadline, Estimate, Risk};

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = load_scenario_str("fuzz.toml", &text);
    }

    #[test]
    fn toml_shaped_documents_never_panic(doc in toml_document()) {
        match load_scenario_str("fuzz.toml", &doc) {
            Ok(s) => {
                prop_assert!(s.periods >= 1);
                prop_assert_eq!(s.capacity.per_period.len(), s.periods);
                prop_assert_eq!(s.labels.len(), s.periods);
                let clean = |t: &str| !t.chars().any(|c| c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}');
                prop_assert!(clean(&s.name) && clean(&s.currency));
                prop_assert!(s.initiatives.iter().all(|i| clean(&i.name) && clean(&i.id)));
            }
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 1);
                let text = e.to_string();
                prop_assert!(text.starts_with("cannot load scenario"), "{}", text);
                prop_assert!(text.contains("fuzz.toml"), "{}", text);
            }
        }
    }
}

/// Values that probe every edge: NaN, infinities, huge and negative numbers, wrong types, nesting.
fn toml_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e308".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("0.5".to_string()),
        Just("true".to_string()),
        Just("\"feature\"".to_string()),
        Just("\"2027-Q1\"".to_string()),
        Just("\"a\"".to_string()),
        Just("\"a\\u001b[2Jb\"".to_string()),
        Just("\"x\\uFFFE\\u0007\"".to_string()),
        Just("1979-05-27".to_string()),
        (0i64..400).prop_map(|n| n.to_string()),
        (-1e6f64..1e6).prop_map(|x| format!("{x:?}")),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!("[{}]", v.join(", "))),
            proptest::collection::vec((key(), inner), 0..4).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("periods"),
        Just("per_period"),
        Just("buffer"),
        Just("stability_share"),
        Just("min"),
        Just("max"),
        Just("id"),
        Just("kind"),
        Just("effort"),
        Just("low"),
        Just("likely"),
        Just("high"),
        Just("value"),
        Just("risk_if_deferred"),
        Just("probability"),
        Just("impact"),
        Just("deadline"),
        Just("period"),
        Just("penalty"),
        Just("requires"),
        Just("team"),
        Just("progress"),
        Just("start"),
        Just("period_label"),
        Just("drag"),
        Just("growth"),
        Just("ceiling"),
        Just("order"),
        Just("name"),
        Just("currency"),
        Just("commit"),
        Just("bogus"),
    ]
    .prop_map(str::to_string)
}

fn section() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        Just("[scenario]"),
        Just("[capacity]"),
        Just("[debt]"),
        Just("[[initiative]]"),
        Just("[[objective]]"),
        Just("[[strategy]]"),
        Just("[other]"),
    ];
    (
        header,
        proptest::collection::vec((key(), toml_value()), 0..6),
    )
        .prop_map(|(h, kv)| {
            let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("{h}\n{}\n", body.join("\n"))
        })
}

/// `start` values near the label formats: short, signed, empty parts (`27-Q2`, `-Q1`, `2027-W`).
fn start_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{0,4}-[QW]?[+0-9]{0,2}".prop_map(|s| format!("start = \"{s}\"\n")),
        "[0-9]{0,5}(-[QW]?[-+0-9]{0,3}){0,3}".prop_map(|s| format!("start = \"{s}\"\n")),
    ]
}

fn toml_document() -> impl Strategy<Value = String> {
    (start_line(), proptest::collection::vec(section(), 0..7)).prop_map(|(start, sections)| {
        // A valid core often, so later checks (cross references, pre-checks) get exercised too.
        format!(
            "[scenario]\nperiods = 3\n{start}[capacity]\nper_period = 10\n{}",
            sections.join("")
        )
    })
}

#[test]
fn csv_and_toml_initiatives_load_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml_text = r#"
[scenario]
periods = 4
[capacity]
per_period = 40
[[initiative]]
id = "oauth"
kind = "migration"
effort = { low = 10, likely = 12, high = 20 }
team = 2
value = 20000
risk_if_deferred = { probability = 0.02, impact = { low = 100000, likely = 250000, high = 700000 } }
deadline = { period = 3, penalty = 50000 }
requires = ["db"]
commit = true
debt_relief = 0.05
[[initiative]]
id = "db"
kind = "infrastructure"
effort = 8
risk_if_deferred = 1500
deadline = 2
"#;
    let csv_scenario =
        "[scenario]\nperiods = 4\ninitiatives = \"items.csv\"\n[capacity]\nper_period = 40\n";
    let csv = "id,kind,effort_low,effort_likely,effort_high,effort,team,value,risk_if_deferred,risk_if_deferred_probability,risk_if_deferred_impact_low,risk_if_deferred_impact_likely,risk_if_deferred_impact_high,deadline,deadline_period,deadline_penalty,requires,commit,debt_relief\n\
oauth,migration,10,12,20,,2,20000,,0.02,100000,250000,700000,,3,50000,db,true,0.05\n\
db,infrastructure,,,,8,,,1500,,,,,2,,,,,\n";
    std::fs::write(dir.path().join("items.csv"), csv).expect("write csv");
    let from_toml = load_scenario_str(dir.path().join("a.toml"), toml_text).expect("toml loads");
    let from_csv = load_scenario_str(dir.path().join("b.toml"), csv_scenario).expect("csv loads");
    for (a, b) in from_toml.initiatives.iter().zip(&from_csv.initiatives) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.kind, b.kind);
        assert_eq!(a.class, b.class);
        assert_eq!(a.effort, b.effort);
        assert_eq!(a.team, b.team);
        assert_eq!(a.value, b.value);
        assert_eq!(a.risk, b.risk);
        assert_eq!(a.deadline, b.deadline);
        assert_eq!(a.requires, b.requires);
        assert_eq!(a.commit, b.commit);
        assert_eq!(a.debt_relief, b.debt_relief);
    }
    let oauth = &from_csv.initiatives[0];
    assert_eq!(
        oauth.effort,
        Estimate {
            low: 10.0,
            likely: 12.0,
            high: 20.0
        }
    );
    assert!(matches!(oauth.risk, Some(Risk::Incident { probability, .. }) if probability == 0.02));
    assert_eq!(
        oauth.deadline,
        Some(Deadline::Soft {
            period: 3,
            penalty: 50000.0
        })
    );
    assert_eq!(oauth.requires, vec![1]);
    assert_eq!(
        from_csv.initiatives[1].deadline,
        Some(Deadline::Hard { period: 2 })
    );
    assert_eq!(from_csv.initiatives[1].origin.line, 3);
}

#[test]
fn defaults_follow_period_label() {
    let s = load_scenario_str(
        "d.toml",
        "[scenario]\nperiods = 3\nperiod_label = \"sprint\"\nstart = \"2027-W05\"\n[capacity]\nper_period = 10\n[[initiative]]\nid = \"x\"\nkind = \"security\"\neffort = 4\nvalue = 1\n",
    )
    .expect("loads");
    assert_eq!(s.weeks_per_period, 2.0);
    assert_eq!(s.periods_per_year, 26.0);
    assert_eq!(s.labels, ["2027-W05", "2027-W07", "2027-W09"]);
    assert_eq!(s.capacity.stability_min, 0.0);
    assert_eq!(s.capacity.stability_max, 1.0);
    assert_eq!(s.debt.ceiling, 1.0);
    assert_eq!(s.initiatives[0].name, "x");
    assert_eq!(s.initiatives[0].team, None);
    assert_eq!(s.name, "d");
    let fixed = load_scenario_str(
        "e.toml",
        "[scenario]\nperiods = 2\n[capacity]\nper_period = [10, 12]\nstability_share = 0.25\n",
    )
    .expect("loads");
    assert_eq!(fixed.capacity.stability_min, 0.25);
    assert_eq!(fixed.capacity.stability_max, 0.25);
    assert_eq!(fixed.weeks_per_period, 13.0);
    assert_eq!(fixed.labels, ["P1", "P2"]);
}

#[test]
fn warnings_name_the_initiatives() {
    let s = load_scenario_str(
        "w.toml",
        "[scenario]\nperiods = 1\n[capacity]\nper_period = 10\n[[objective]]\nid = \"grow\"\n[[initiative]]\nid = \"idle\"\nkind = \"feature\"\neffort = 50\n",
    )
    .expect("loads with warnings");
    let all = s.warnings.join("\n");
    assert!(all.contains("linked to no objective: `idle`"), "{all}");
    assert!(
        all.contains("neither value, one-time value nor risk"),
        "{all}"
    );
    assert!(all.contains("5.0× overcommitted"), "{all}");
}

#[test]
fn deep_nesting_and_huge_integers_are_errors_not_crashes() {
    let deep = format!(
        "[scenario]\nperiods = 2\n[capacity]\nper_period = 10\nx = {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let err = load_scenario_str("deep.toml", &deep).expect_err("refused");
    assert!(err.to_string().contains("deep.toml: line 5"), "{err}");
    let huge = "[scenario]\nperiods = 99999999999999999999999999999999999999999\n[capacity]\nper_period = 10\n";
    let err = load_scenario_str("huge.toml", huge).expect_err("refused");
    assert!(
        err.to_string()
            .contains("expected a whole number from 1 to 260"),
        "{err}"
    );
}

#[test]
fn csv_errors_name_the_right_line_with_crlf_endings_and_blank_lines() {
    // Spreadsheet exports end lines with CRLF; people leave blank lines. The bad row is line 5
    // in both files below.
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario =
        "[scenario]\nperiods = 4\ninitiatives = \"items.csv\"\n[capacity]\nper_period = 20\n";
    for csv in [
        "id,kind,effort\r\nx0,feature,3\r\nx1,feature,3\r\nx2,feature,3\r\nx3,feature,-3\r\n",
        "id,kind,effort\n\nx0,feature,3\n\nx3,feature,-3\n",
        "id,kind,effort\r\n\r\nx0,feature,3\r\n\r\nx3,feature\r\n",
    ] {
        std::fs::write(dir.path().join("items.csv"), csv).expect("write csv");
        let err = load_scenario_str(dir.path().join("s.toml"), scenario)
            .expect_err("the bad row is refused")
            .to_string();
        assert!(err.contains("items.csv: line 5"), "{csv:?}: {err}");
    }
}

#[test]
fn a_whitespace_only_csv_row_is_blank_and_keeps_line_numbers() {
    // Line 3 holds only spaces or tabs: it is skipped like an empty line, and the bad row is
    // still line 4, the only problem.
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario =
        "[scenario]\nperiods = 4\ninitiatives = \"items.csv\"\n[capacity]\nper_period = 20\n";
    for csv in [
        "id,kind,effort\nx0,feature,3\n   \nx3,feature,-3\n",
        "id,kind,effort\r\nx0,feature,3\r\n \t \r\nx3,feature,-3\r\n",
        "id,kind,effort\nx0,feature,3\n   \nx3,feature\n",
    ] {
        std::fs::write(dir.path().join("items.csv"), csv).expect("write csv");
        let err = load_scenario_str(dir.path().join("s.toml"), scenario)
            .expect_err("the bad row is refused")
            .to_string();
        let problems: Vec<&str> = err.lines().filter(|l| l.contains("items.csv:")).collect();
        assert_eq!(problems.len(), 1, "{csv:?}: {err}");
        assert!(problems[0].contains("items.csv: line 4"), "{csv:?}: {err}");
    }
    let blank_rows = "id,kind,effort\nx0,feature,3\n  \n\t\nx1,feature,3\n";
    std::fs::write(dir.path().join("items.csv"), blank_rows).expect("write csv");
    let s = load_scenario_str(dir.path().join("s.toml"), scenario).expect("blank rows are skipped");
    assert_eq!(s.initiatives.len(), 2);
}

#[test]
fn a_default_name_from_a_file_name_holds_no_control_characters() {
    let text = "[scenario]\nperiods = 2\n[capacity]\nper_period = 10\n";
    let s = load_scenario_str("plan\u{1b}[2J.toml", text).expect("loads");
    assert_eq!(s.name, "plan\u{FFFD}[2J");
}

#[test]
fn teams_load_from_toml_and_csv_alike_and_sum_into_the_capacity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let teams = "[[team]]\nid = \"payments\"\nper_period = [20, 30]\n[[team]]\nid = \"mobile\"\nname = \"Mobile squad\"\nper_period = 10\nnoise = 0.2\n";
    let header = "[scenario]\nperiods = 2\n[capacity]\nbuffer = 0.1\nnoise = 0.05\n";
    let toml_text = format!(
        "{header}{teams}[[initiative]]\nid = \"cards\"\nkind = \"feature\"\neffort = 8\nvalue = 1\nsplit = {{ payments = 0.75, mobile = 0.25 }}\n[[initiative]]\nid = \"app\"\nkind = \"debt\"\neffort = 4\nowner = \"mobile\"\nrisk_if_deferred = 5\n"
    );
    let csv_header = header.replace("[scenario]\n", "[scenario]\ninitiatives = \"items.csv\"\n");
    std::fs::write(
        dir.path().join("items.csv"),
        "id,kind,effort,value,risk_if_deferred,owner,split\ncards,feature,8,1,,,payments:0.75;mobile:0.25\napp,debt,4,,5,mobile,\n",
    )
    .expect("write csv");
    let from_toml = load_scenario_str(dir.path().join("a.toml"), &toml_text).expect("toml loads");
    let from_csv = load_scenario_str(dir.path().join("b.toml"), &format!("{csv_header}{teams}"))
        .expect("csv loads");
    for s in [&from_toml, &from_csv] {
        assert_eq!(s.capacity.per_period, vec![30.0, 40.0]);
        assert_eq!(s.teams.len(), 2);
        assert_eq!(s.teams[0].noise, 0.05, "noise defaults to [capacity] noise");
        assert_eq!(s.teams[1].noise, 0.2);
        assert_eq!(s.teams[1].name, "Mobile squad");
        assert_eq!(s.initiatives[0].split, vec![(0, 0.75), (1, 0.25)]);
        assert_eq!(s.initiatives[1].split, vec![(1, 1.0)]);
    }
    // The error a split cell gets, in the scenario's only row.
    let refused = |cell: &str| {
        let rows = format!("id,kind,effort,value,split\ncards,feature,8,1,{cell}\n");
        std::fs::write(dir.path().join("items.csv"), rows).expect("write csv");
        let err = load_scenario_str(dir.path().join("b.toml"), &format!("{csv_header}{teams}"))
            .expect_err("the split cell is refused")
            .to_string();
        assert!(err.contains("items.csv: line 2, field `split`"), "{err}");
        err
    };
    let err = refused("payments=0.75");
    assert!(
        err.contains("expected team:share pairs separated by `;`"),
        "{err}"
    );
    // One team twice would let the item take that team's capacity twice over.
    let err = refused("payments:0.5;payments:0.5");
    assert!(err.contains("found team \"payments\" twice"), "{err}");
    // A sum that rounds to 1 is shown with the digits that make it wrong.
    let err = refused("payments:0.5;mobile:0.50000002");
    assert!(err.contains("found a sum of 1.00000002"), "{err}");
}

/// Loads `text` (refused), and checks that `own` (the refused table's own error) is reported,
/// that no error says `found "a"` (the refused id, named elsewhere), and that `missing` (an id
/// that really does not exist) still is.
fn refused_once(dir: &std::path::Path, text: &str, own: &str, missing: &str) {
    let err = load_scenario_str(dir.join("s.toml"), text)
        .expect_err("refused")
        .to_string();
    assert!(err.contains(own), "the table's own error: {err}");
    assert!(
        !err.contains("found \"a\""),
        "no second error where the refused id is named: {err}"
    );
    assert!(
        err.contains(missing),
        "a missing id is still reported: {err}"
    );
}

#[test]
fn a_team_refused_for_its_capacity_is_not_reported_again_by_its_items() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[scenario]\nperiods = 2\n[[team]]\nid = \"a\"\nper_period = -20\n[[team]]\nid = \"b\"\nper_period = 10\n[[initiative]]\nid = \"x\"\nkind = \"feature\"\neffort = 4\nvalue = 1\nowner = \"a\"\n[[initiative]]\nid = \"y\"\nkind = \"feature\"\neffort = 4\nvalue = 1\nsplit = { a = 0.5, c = 0.5 }\n";
    refused_once(
        dir.path(),
        text,
        "line 5, field `team.per_period`",
        "expected the id of a [[team]], found \"c\"",
    );
}

#[test]
fn an_initiative_refused_for_a_field_is_not_reported_again_where_it_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[scenario]\nperiods = 3\n[capacity]\nper_period = 20\n[[initiative]]\nid = \"a\"\nkind = \"feature\"\neffort = -10\nvalue = 100\n[[initiative]]\nid = \"b\"\nkind = \"feature\"\neffort = 10\nvalue = 100\nrequires = [\"a\", \"nope\"]\n[[strategy]]\nname = \"mine\"\norder = [\"a\", \"b\"]\n";
    refused_once(
        dir.path(),
        text,
        "line 8, field `initiative.effort`",
        "found \"nope\" (no initiative has it)",
    );
    // The same from a CSV row.
    std::fs::write(
        dir.path().join("items.csv"),
        "id,kind,effort,value,requires\na,feature,-10,100,\nb,feature,10,100,a\n",
    )
    .unwrap();
    let text =
        "[scenario]\nperiods = 3\ninitiatives = \"items.csv\"\n[capacity]\nper_period = 20\n";
    let err = load_scenario_str(dir.path().join("s.toml"), text)
        .expect_err("a negative effort is refused")
        .to_string();
    assert!(err.contains("items.csv: line 2"), "{err}");
    assert!(!err.contains("found \"a\""), "{err}");
}
