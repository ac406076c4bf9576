//! Integration tests: initiatives from tracker exports (Jira, Linear) and workbooks (.xlsx,
//! .ods) load exactly as the same scenario written by hand, and their errors name the file,
//! the line and the export's column.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use tradeoff::scenario::{load_scenario, load_scenario_str, Deadline, Origin, Scenario};

use super::common::{finish, finish_ok, repo, tradeoff};

fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures/import").join(name)
}

fn load(name: &str) -> Scenario {
    let path = fixture(name);
    load_scenario(&path).unwrap_or_else(|e| panic!("{} loads: {e:#}", path.display()))
}

/// The scenario with what differs between an import and its twin cleared: where each item was
/// defined, and the file the scenario came from.
fn without_origins(mut s: Scenario) -> Scenario {
    for i in &mut s.initiatives {
        i.origin = Origin::default();
    }
    s.source = PathBuf::new();
    s.inputs.clear();
    s
}

/// Asserts `import` equals `twin` but for origins and the import's own warnings, which come
/// first; returns those.
fn assert_twins(import: &str, twin: &str) -> Vec<String> {
    let mut a = without_origins(load(import));
    let b = without_origins(load(twin));
    let extra = a.warnings.len().saturating_sub(b.warnings.len());
    let own: Vec<String> = a.warnings.drain(..extra).collect();
    assert_eq!(a, b, "{import} and {twin} differ");
    own
}

#[test]
fn a_jira_export_loads_exactly_as_its_hand_written_twin() {
    let warnings = assert_twins("jira.toml", "jira-twin.toml");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    // A link to an issue in another project is dropped with a warning naming it and its row;
    // the one to PAY-4 (Done, left out) is dropped quietly.
    assert!(
        warnings[0].contains("jira.csv: 1 blocking link(s) to issues not in the file were dropped: OPS-9 (blocks `pay-3`, line 6)"),
        "{}",
        warnings[0]
    );
    assert!(!warnings[0].contains("PAY-4"), "{}", warnings[0]);
    assert!(
        warnings[1].contains(
            "1 due date(s) after the horizon give no deadline: `pay-5` (2028-02-01, line 8)"
        ),
        "{}",
        warnings[1]
    );
}

#[test]
fn jira_rows_keep_the_line_they_start_on_past_quoted_line_breaks() {
    let s = load("jira.toml");
    let lines: Vec<(&str, usize)> = s
        .initiatives
        .iter()
        .map(|i| (i.id.as_str(), i.origin.line))
        .collect();
    // PAY-1's summary and description hold line breaks: its record spans lines 2 to 4.
    assert_eq!(
        lines,
        [
            ("pay-1", 2),
            ("pay-2", 5),
            ("pay-3", 6),
            ("pay-5", 8),
            ("pay-6", 9)
        ]
    );
    assert!(s.initiatives[0].origin.file.ends_with("jira.csv"));
    // ISO (2027-09-30) and Jira (15/Jun/27 12:00 AM) due dates alike.
    assert_eq!(
        s.initiatives[0].deadline,
        Some(Deadline::Hard { period: 2 })
    );
    assert_eq!(
        s.initiatives[1].deadline,
        Some(Deadline::Hard { period: 3 })
    );
}

#[test]
fn a_linear_export_loads_exactly_as_its_hand_written_twin() {
    let warnings = assert_twins("linear.toml", "linear-twin.toml");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("WEB-4 (blocks `eng-13`, line 5)"),
        "{}",
        warnings[0]
    );
}

#[test]
fn an_xlsx_workbook_loads_exactly_as_its_hand_written_twin() {
    let warnings = assert_twins("xlsx.toml", "spreadsheet-twin.toml");
    assert!(warnings.is_empty(), "{warnings:?}");
    // Rows are numbered as the sheet shows them: a blank row 4 keeps `ledger` on row 5.
    let s = load("xlsx.toml");
    let rows: Vec<usize> = s.initiatives.iter().map(|i| i.origin.line).collect();
    assert_eq!(rows, [2, 3, 5]);
}

#[test]
fn an_ods_workbook_loads_exactly_as_its_hand_written_twin() {
    let warnings = assert_twins("ods.toml", "spreadsheet-twin.toml");
    assert!(warnings.is_empty(), "{warnings:?}");
}

/// Runs `validate` on a scenario written into `dir` beside `data` files; returns stderr.
fn validate_fails(dir: &Path, toml: &str, data: &[(&str, &str)]) -> String {
    for (name, text) in data {
        std::fs::write(dir.join(name), text).expect("write data");
    }
    std::fs::write(dir.join("s.toml"), toml).expect("write scenario");
    let out = finish(tradeoff().current_dir(dir).args(["validate", "s.toml"]));
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.stderr
}

const JIRA_HEADER: &str = "Summary,Issue key,Issue Type,Custom field (Story Points),Original Estimate,Due date,Sprint,Sprint,Status Category\n";

fn jira_scenario(extra: &str) -> String {
    format!(
        "[scenario]\nperiods = 4\nstart = \"2027-Q1\"\ninitiatives = \"jira.csv\"\n[capacity]\nper_period = 10\n[import]\npreset = \"jira\"\nkinds = {{ Story = \"feature\", Bug = \"debt\" }}\n{extra}"
    )
}

#[test]
fn errors_name_the_export_the_line_and_the_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = format!(
        "{JIRA_HEADER}\"Multi\nline, with commas\",PAY-1,Story,3,,,S1,S2,To Do\nSecond,PAY-2,Story,three,,,,,To Do\nThird,PAY-3,Spike,2,,,,,To Do\nFourth,PAY-4,Bug,,,,,,To Do\nFifth,PAY-5,Bug,1,,next week,,,To Do\nSixth,PAY-6,Bug,1,,03/Nov/26,,,To Do\n"
    );
    let stderr = validate_fails(dir.path(), &jira_scenario(""), &[("jira.csv", &csv)]);
    for expected in [
        // The record after a two-line one starts on line 4.
        "jira.csv: line 4, field `Custom field (Story Points)`: expected a number > 0, found \"three\"",
        "jira.csv: line 5, field `Issue Type`: expected an issue type that [import] kinds maps to a kind, found \"Spike\"",
        "hint: map it in [import] kinds, for example kinds = { Spike = \"feature\" }",
        "jira.csv: line 6, field `Custom field (Story Points)`: expected the effort of \"pay-4\" in `Custom field (Story Points)` or `Original Estimate`, found empty cells",
        "jira.csv: line 7, field `Due date`: expected a date such as 2027-03-15 or 15/Mar/27 12:00 AM, found \"next week\"",
        "jira.csv: line 8, field `Due date`: expected a due date within the horizon (2027-01-01 to 2027-12-31), found 2026-11-03, before period 1",
    ] {
        assert!(stderr.contains(expected), "missing `{expected}` in:\n{stderr}");
    }
}

#[test]
fn annotations_must_match_an_imported_row_and_report_in_the_scenario() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = format!("{JIRA_HEADER}First,PAY-1,Story,3,,,,,To Do\nGone,PAY-2,Story,3,,,,,Done\n");
    let toml = jira_scenario(
        "[[initiative]]\nid = \"pay-3\"\nvalue = 1\n[[initiative]]\nid = \"pay-2\"\nvalue = 1\n[[initiative]]\nid = \"pay-1\"\nobjectives = [\"growth\"]\n",
    );
    let stderr = validate_fails(dir.path(), &toml, &[("jira.csv", &csv)]);
    for expected in [
        "s.toml: line 11, field `initiative.id`: expected the id of a row of `jira.csv`, found \"pay-3\" (no row has it)",
        "hint: did you mean \"pay-1\"?",
        "s.toml: line 14, field `initiative.id`: expected the id of an imported row, found \"pay-2\", whose row (line 3) is left out because `Status Category` is Done",
        // A field set by an annotation is reported where it is written.
        "s.toml: line 18, field `initiative.objectives`: expected the id of an [[objective]], found \"growth\"",
    ] {
        assert!(stderr.contains(expected), "missing `{expected}` in:\n{stderr}");
    }
}

#[test]
fn import_settings_are_checked_like_every_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = format!("{JIRA_HEADER}First,PAY-1,Story,3,,,,,To Do\n");
    let toml = jira_scenario(
        "efort = \"Story Points\"\neffort_spread = { low = 1.2, high = 1.5 }\ncolumns = { value = \"Valeu\" }\n",
    );
    let stderr = validate_fails(dir.path(), &toml, &[("jira.csv", &csv)]);
    for expected in [
        "s.toml: line 10, field `import.efort`: unknown key `efort`",
        "hint: did you mean `effort`?",
        "field `import.effort_spread`: expected low ≤ 1 ≤ high",
    ] {
        assert!(
            stderr.contains(expected),
            "missing `{expected}` in:\n{stderr}"
        );
    }
    let toml = jira_scenario("columns = { value = \"Valeu\" }\n");
    let csv = format!(
        "{}\n",
        JIRA_HEADER.replace("Status Category\n", "Status Category,Value")
    ) + "First,PAY-1,Story,3,,,,,To Do,5\n";
    let stderr = validate_fails(dir.path(), &toml, &[("jira.csv", &csv)]);
    assert!(
        stderr.contains("field `import.columns.value`: expected a column \"Valeu\" in `jira.csv`, found none\n  hint: did you mean \"Value\"?"),
        "{stderr}"
    );
}

#[test]
fn due_dates_need_a_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = format!(
        "{JIRA_HEADER}First,PAY-1,Story,3,,2027-02-01,,,To Do\nSecond,PAY-2,Story,3,,2027-03-01,,,To Do\n"
    );
    let toml = jira_scenario("").replace("start = \"2027-Q1\"\n", "");
    let stderr = validate_fails(dir.path(), &toml, &[("jira.csv", &csv)]);
    assert!(
        stderr.contains("jira.csv: line 2, field `Due date`: expected [scenario] start to place due dates in periods, found none"),
        "{stderr}"
    );
    // Said once, not for every row.
    assert_eq!(
        stderr.matches("expected [scenario] start").count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_bad_workbook_cell_names_the_sheet_row_and_the_column() {
    let dir = repo().join("tests/fixtures/bad");
    let out = finish(
        tradeoff()
            .current_dir(&dir)
            .args(["validate", "import-xlsx-cell.toml"]),
    );
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "import-xlsx-cell.xlsx: line 3, field `effort`: expected a number > 0, found \"lots\""
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_sheet_and_a_file_that_is_no_workbook_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(fixture("plan.xlsx"), dir.path().join("plan.xlsx")).expect("copy");
    let toml = "[scenario]\nperiods = 4\ninitiatives = \"plan.xlsx\"\n[capacity]\nper_period = 10\n[import]\nsheet = \"Roadmap\"\n";
    let stderr = validate_fails(dir.path(), toml, &[]);
    assert!(
        stderr.contains("s.toml: line 7, field `import.sheet`: expected a sheet named \"Roadmap\" in `plan.xlsx`, found the sheets \"Notes\", \"Backlog\""),
        "{stderr}"
    );
    let toml = "[scenario]\nperiods = 4\ninitiatives = \"fake.ods\"\n[capacity]\nper_period = 10\n";
    let stderr = validate_fails(dir.path(), toml, &[("fake.ods", "id,kind,effort\n")]);
    assert!(
        stderr.contains(
            "fake.ods: expected an .ods workbook, found a file that cannot be read as one"
        ),
        "{stderr}"
    );
}

#[test]
fn the_shipped_jira_example_validates_and_plans() {
    let scenario = repo().join("scenarios/jira-import/scenario.toml");
    let s = load_scenario(&scenario).expect("the shipped example loads");
    assert!(s.initiatives.len() >= 20, "{}", s.initiatives.len());
    assert!(s.initiatives.iter().any(|i| i.commit));
    assert!(s.initiatives.iter().any(|i| !i.requires.is_empty()));
    let out = finish_ok(
        tradeoff()
            .args(["plan", "--time-limit", "20"])
            .arg(&scenario),
    );
    assert!(out.text().contains("pay-"), "{}", out.text());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever a tracker export's cells hold, the import reports errors (naming the export or
    /// the scenario) or loads; it never panics.
    #[test]
    fn messy_jira_cells_never_panic(rows in proptest::collection::vec(jira_row(), 0..6)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut csv = String::from(JIRA_HEADER);
        for row in rows {
            let quoted: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
            csv.push_str(&quoted.join(","));
            csv.push('\n');
        }
        std::fs::write(dir.path().join("jira.csv"), csv).expect("write csv");
        let toml = jira_scenario("effort_spread = { low = 0.5, high = 2 }\n[[initiative]]\nid = \"pay-1\"\nvalue = 10\n");
        match load_scenario_str(dir.path().join("s.toml"), &toml) {
            Ok(s) => prop_assert!(s.initiatives.iter().all(|i| i.effort.low > 0.0)),
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.contains("jira.csv") || text.contains("s.toml"), "{}", text);
            }
        }
    }
}

fn jira_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("PAY-1".to_string()),
        Just("pay-2".to_string()),
        Just("Story".to_string()),
        Just("Bug".to_string()),
        Just("Done".to_string()),
        Just("3".to_string()),
        Just("-1".to_string()),
        Just("1e400".to_string()),
        Just("288000".to_string()),
        Just("15/Mar/27 12:00 AM".to_string()),
        Just("2027-13-40".to_string()),
        Just("2031-01-01".to_string()),
        Just("a, b\nc".to_string()),
        "[ -~\u{e9}\u{1b}\n]{0,12}",
    ]
}

fn jira_row() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(jira_cell(), 9)
}

#[test]
fn a_repeated_jira_column_is_read_whole_for_objectives_and_refused_for_a_number() {
    // Jira writes a multi-select field as repeated columns: both copies of `OKR` count.
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "Summary,Issue key,Issue Type,Custom field (Story Points),Custom field (OKR),Custom field (OKR),Custom field (Value),Custom field (Value)\n";
    let csv = format!("{header}One,PAY-1,Story,3,growth,trust,5,6\nTwo,PAY-2,Story,2,,trust,5,\n");
    std::fs::write(dir.path().join("jira.csv"), &csv).expect("write");
    let objectives = "[[objective]]\nid = \"growth\"\n[[objective]]\nid = \"trust\"\n";
    let text = jira_scenario(&format!(
        "columns = {{ objectives = \"Custom field (OKR)\" }}\n{objectives}"
    ));
    let s = load_scenario_str(dir.path().join("s.toml"), &text).expect("loads");
    let linked: Vec<Vec<&str>> = s
        .initiatives
        .iter()
        .map(|i| {
            i.objectives
                .iter()
                .map(|&k| s.objectives[k].id.as_str())
                .collect()
        })
        .collect();
    assert_eq!(linked, [vec!["growth", "trust"], vec!["trust"]]);

    let text = jira_scenario(&format!(
        "columns = {{ value = \"Custom field (Value)\" }}\n{objectives}"
    ));
    let stderr = validate_fails(dir.path(), &text, &[("jira.csv", &csv)]);
    assert!(
        stderr
            .contains("field `import.columns.value`: expected one column \"Custom field (Value)\"")
            && stderr.contains("found 2"),
        "{stderr}"
    );
}

#[test]
fn checks_across_rows_name_the_export_s_columns_and_a_keyless_row_gets_one_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = "Summary,Issue key,Issue Type,Custom field (Story Points),Custom field (OKR)\n";
    let csv = format!(
        "{header}One,PAY-1,Story,3,growth\nTwo,PAY-1,Story,2,growth\nThree,PAY-3,Story,2,growht\nFour,,Story,2,growth\n"
    );
    let text = jira_scenario(
        "columns = { objectives = \"Custom field (OKR)\" }\n[[objective]]\nid = \"growth\"\n",
    );
    let stderr = validate_fails(dir.path(), &text, &[("jira.csv", &csv)]);
    for expected in [
        "jira.csv: line 3, field `Issue key`: expected a unique id, found \"pay-1\" again",
        "jira.csv: line 4, field `Custom field (OKR)`: expected the id of an [[objective]], found \"growht\"",
        "jira.csv: line 5, field `Issue key`: expected an issue key, found an empty cell",
    ] {
        assert!(stderr.contains(expected), "missing `{expected}` in:\n{stderr}");
    }
    assert_eq!(stderr.matches("line 5").count(), 1, "{stderr}");
}
