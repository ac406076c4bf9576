//! Integration tests: the real binary on shipped scenarios and on bad fixtures.
//!
//! Each file in `tests/fixtures/bad/` holds one kind of mistake and, in `# expect:` comments,
//! the text its error message must contain; every one must exit with status 1.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

use super::common::{finish, finish_ok, repo, tradeoff, write_scenario, Run, CHARTS};

/// The shipped example scenarios.
pub fn shipped_scenarios() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_bad_fixture_fails_with_its_message_and_exit_1() {
    let dir = repo().join("tests/fixtures/bad");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures exist")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 30, "expected one fixture per error class");
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let text = std::fs::read_to_string(fixture).expect("fixture is text");
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no # expect: line",
            fixture.display()
        );
        let out = finish(
            tradeoff()
                .current_dir(&dir)
                .arg("validate")
                .arg(fixture.file_name().expect("file name")),
        );
        let stderr = &out.stderr;
        if out.code != Some(1) {
            failures.push(format!(
                "{}: exit {:?}\n{stderr}",
                fixture.display(),
                out.code
            ));
        }
        if !stderr.starts_with("error: cannot load scenario") {
            failures.push(format!(
                "{}: message does not start as expected:\n{stderr}",
                fixture.display()
            ));
        }
        for e in expected {
            if !stderr.contains(e) {
                failures.push(format!(
                    "{}: missing `{e}` in:\n{stderr}",
                    fixture.display()
                ));
            }
        }
        // `# expect-not:` lines: a follow-on error the first one must not cause.
        for e in text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect-not: "))
        {
            if stderr.contains(e) {
                failures.push(format!(
                    "{}: unexpected `{e}` in:\n{stderr}",
                    fixture.display()
                ));
            }
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_shipped_scenario_validates() {
    let scenarios = shipped_scenarios();
    assert!(scenarios.len() >= 5, "five shipped scenarios");
    for s in scenarios {
        let out = finish(tradeoff().arg("validate").arg(&s));
        let stdout = out.expect_code(0, &s.display().to_string()).text();
        assert!(stdout.contains("valid"), "{stdout}");
        assert!(stdout.contains("overcommit"), "{stdout}");
    }
}

#[test]
fn validate_json_carries_the_summary() {
    let json = finish_ok(
        tradeoff()
            .args(["validate", "--format", "json"])
            .arg(repo().join("scenarios/portfolio-200.toml")),
    )
    .json();
    assert_eq!(json["initiatives"], 200);
    assert_eq!(json["periods"], 12);
    let ratio = json["overcommitment"].as_f64().expect("a number");
    let effort = json["effort_weeks"].as_f64().expect("a number");
    let capacity = json["allocatable_weeks"].as_f64().expect("a number");
    assert!((ratio - effort / capacity).abs() < 1e-9);
    assert!(json["longest_chain"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
}

#[test]
fn binary_garbage_and_missing_files_are_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    let garbage = dir.path().join("garbage.toml");
    std::fs::write(&garbage, [0u8, 159, 146, 150, 255, 0, 1, 2]).expect("write");
    for path in [garbage.as_path(), Path::new("does-not-exist.toml")] {
        let out = finish(tradeoff().arg("validate").arg(path));
        assert_eq!(out.code, Some(1));
        let stderr = out.stderr;
        assert!(
            stderr.starts_with("error: cannot load scenario"),
            "{stderr}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let scenario = repo().join("scenarios/legacy-drag.toml");
    let out = finish(
        tradeoff()
            .args(["plan", "--stability-share", "0.95"])
            .arg(&scenario),
    )
    .expect_code(2, "--stability-share 0.95");
    assert!(out.stderr.contains("--stability-share"));
    let out = finish(tradeoff().args(["validate"]));
    assert_eq!(out.code, Some(2));
}

/// A two-initiative scenario that plans and simulates in moments; `first_id` names the first.
fn small_scenario(dir: &Path, first_id: &str) -> PathBuf {
    let path = dir.join("small.toml");
    let text = format!(
        "[scenario]\nperiods = 2\n[capacity]\nper_period = 10\n\
         [[initiative]]\nid = \"{first_id}\"\nkind = \"feature\"\neffort = 4\nvalue = 1\ndeadline = 2\n\
         [[initiative]]\nid = \"b\"\nkind = \"security\"\neffort = 4\nvalue = 2\n"
    );
    std::fs::write(&path, text).expect("write scenario");
    path
}

/// Loads and passes the deadline pre-check, but no plan fits: the planner says so at once, so a
/// command that fails with exit 3 has started computing.
fn infeasible_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("infeasible.toml");
    let item = |id: &str| {
        format!("[[initiative]]\nid = \"{id}\"\nkind = \"feature\"\neffort = 8\nvalue = 1\ndeadline = 1\n")
    };
    let text = format!(
        "[scenario]\nperiods = 2\n[capacity]\nper_period = 10\nbuffer = 0\nstability_share = 0\n{}{}",
        item("a"),
        item("b")
    );
    std::fs::write(&path, text).expect("write scenario");
    path
}

#[test]
fn a_very_long_id_does_not_break_any_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), &"x".repeat(70_000));
    let cheap = ["--time-limit", "5", "--quiet"];
    let runs: [Vec<&str>; 3] = [
        vec!["validate"],
        vec!["plan"],
        vec!["simulate", "--trials", "50", "--strategies", "wsjf"],
    ];
    for args in runs {
        let mut cmd = tradeoff();
        cmd.args(&args).arg(&scenario);
        if args[0] != "validate" {
            cmd.args(cheap);
        }
        let out = finish(&mut cmd).expect_code(0, &format!("{args:?}"));
        if args[0] == "validate" {
            let stdout = out.text();
            let line = stdout
                .lines()
                .find(|l| l.contains("by P2"))
                .expect("the deadline line");
            assert!(line.contains("x…") && line.len() < 200, "{line}");
        }
    }
}

#[test]
fn too_many_threads_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = finish(
        tradeoff()
            .args(["simulate", "--trials", "100", "--strategies", "wsjf"])
            .args(["--threads", "10000"])
            .arg(small_scenario(dir.path(), "a")),
    );
    assert_eq!(out.code, Some(2));
    let stderr = out.stderr;
    assert!(
        stderr.contains("--threads") && stderr.contains("256"),
        "{stderr}"
    );
}

#[test]
fn outputs_that_cannot_be_written_are_refused_before_computing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = infeasible_scenario(dir.path());
    let existing = dir.path().join("existing");
    std::fs::write(&existing, "keep me").expect("write");
    let existing_arg = existing.to_str().expect("utf-8 path");
    let sub = existing.join("sub");
    let sub_arg = sub.to_str().expect("utf-8 path");
    let runs: [Vec<&str>; 4] = [
        vec!["plan", "--output", existing_arg],
        vec![
            "simulate",
            "--strategies",
            "plan,robust",
            "--save-strategy",
            existing_arg,
        ],
        vec!["report", "--force", "--out", existing_arg],
        vec!["report", "--out", sub_arg],
    ];
    for args in runs {
        let stderr = finish(tradeoff().args(&args).arg(&scenario))
            .expect_code(2, &format!("{args:?}"))
            .stderr;
        assert!(!stderr.contains("infeasible"), "{args:?}: {stderr}");
        assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep me");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_standard_output_is_an_error_and_a_closed_pipe_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let bin = assert_cmd::cargo::cargo_bin("tradeoff");
    let out = std::process::Command::new(&bin)
        .args(["plan", "--time-limit", "5"])
        .arg(&scenario)
        .stdout(full)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("standard output") && stderr.contains("No space left"),
        "{stderr}"
    );

    // The reader closes the pipe before anything is written: quiet success, as with `| head`.
    let mut child = std::process::Command::new(&bin)
        .args(["plan", "--time-limit", "5"])
        .arg(&scenario)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

/// Runs the binary with writes to files limited to 0 bytes (`ulimit -f 0`, SIGXFSZ ignored so a
/// write fails with "File too large" instead of killing the process).
#[cfg(target_os = "linux")]
fn tradeoff_that_cannot_grow_files() -> Command {
    tradeoff_with_file_limit(0)
}

/// Runs the binary with files limited to `blocks` blocks (512 or 1,024 bytes, by shell): with
/// 30, the report's small files are written and its larger ones fail mid-way.
#[cfg(target_os = "linux")]
fn tradeoff_with_file_limit(blocks: u32) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        &format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""),
    ])
    .arg(assert_cmd::cargo::cargo_bin("tradeoff"));
    cmd
}

/// `report` on the small scenario, cheaply.
#[cfg(target_os = "linux")]
const CHEAP_REPORT: [&str; 10] = [
    "--quiet",
    "--trials",
    "50",
    "--time-limit",
    "5",
    "--robust-trials",
    "20",
    "--robust-budget",
    "200",
    "--force",
];

#[cfg(target_os = "linux")]
fn folder_contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| {
            let path = e.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("read"))
        })
        .collect();
    files.sort();
    files
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_keeps_the_file_it_was_replacing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    let outputs = tempfile::tempdir().expect("tempdir");
    let output = outputs.path().join("plan.json");
    std::fs::write(&output, "the good plan").expect("write");
    let stderr = finish(
        tradeoff_that_cannot_grow_files()
            .args(["plan", "--format", "json", "--time-limit", "5", "--force"])
            .arg(&scenario)
            .arg("--output")
            .arg(&output),
    )
    .expect_code(4, "plan")
    .stderr;
    assert!(
        stderr.contains("plan.json") && stderr.contains("File too large"),
        "{stderr}"
    );
    assert_eq!(
        folder_contents(outputs.path()),
        [("plan.json".to_string(), b"the good plan".to_vec())],
        "the old file is intact and no temporary file is left"
    );
}

/// `report` with files limited to 30 blocks: it must fail with exit 4 and "File too large".
#[cfg(target_os = "linux")]
fn failed_report(scenario: &Path, out: &Path) {
    let stderr = finish(
        tradeoff_with_file_limit(30)
            .arg("report")
            .args(CHEAP_REPORT)
            .arg(scenario)
            .arg("--out")
            .arg(out),
    )
    .expect_code(4, "report")
    .stderr;
    assert!(stderr.contains("File too large"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_report_keeps_the_files_it_was_replacing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    let review = tempfile::tempdir().expect("tempdir");
    let mut names: Vec<String> = ["index.html", "plan.csv", "comparison.csv", "results.json"]
        .map(String::from)
        .to_vec();
    for stem in CHARTS {
        names.push(format!("{stem}.svg"));
        names.push(format!("{stem}.png"));
    }
    names.push("notes.txt".into());
    for name in &names {
        std::fs::write(review.path().join(name), format!("old {name}")).expect("write");
    }
    let before = folder_contents(review.path());
    // Files that fit are written and the larger ones fail: none of it may reach the folder.
    failed_report(&scenario, review.path());
    assert!(folder_contents(review.path()) == before, "a file changed");
    let parent = review.path().parent().expect("parent");
    let name = review.path().file_name().expect("name").to_string_lossy();
    let leftovers: Vec<String> = std::fs::read_dir(parent)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!(".{name}.tmp-")))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_report_leaves_no_folder_when_there_was_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    let parent = tempfile::tempdir().expect("tempdir");
    failed_report(&scenario, &parent.path().join("new").join("review"));
    assert!(
        folder_contents(parent.path()).is_empty(),
        "a folder or file was left"
    );
}

#[test]
fn inputs_over_64_mib_are_refused_with_the_file_named() {
    let limit = tradeoff::scenario::MAX_INPUT_BYTES;
    let dir = tempfile::tempdir().expect("tempdir");
    // A sparse scenario one byte over the limit.
    let big = dir.path().join("big.toml");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(limit + 1))
        .expect("a sparse file");
    // A scenario whose CSV is one byte over the limit.
    let csv = dir.path().join("huge.csv");
    std::fs::File::create(&csv)
        .and_then(|f| f.set_len(limit + 1))
        .expect("a sparse file");
    let with_csv = write_scenario(
        dir.path(),
        "with-csv.toml",
        "[scenario]\nperiods = 2\ninitiatives = \"huge.csv\"\n[capacity]\nper_period = 10\n",
    );
    let mut cases =
        vec![
        (big, "big.toml: cannot read the file: it is larger than 64 MiB"),
        (
            with_csv,
            "with-csv.toml: line 3, field `scenario.initiatives`: expected a readable CSV file at",
        ),
    ];
    if cfg!(target_os = "linux") {
        cases.push((
            PathBuf::from("/dev/zero"),
            "cannot read the file: it is larger than 64 MiB",
        ));
    }
    for (path, expected) in cases {
        let stderr = finish(tradeoff().arg("validate").arg(&path))
            .expect_code(1, &path.display().to_string())
            .stderr;
        assert!(stderr.contains(expected), "{}: {stderr}", path.display());
        assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
    }
}

#[test]
fn a_plan_file_over_the_input_limit_is_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    let big = dir.path().join("plan.json");
    let file = std::fs::File::create(&big).expect("create");
    file.set_len(64 * 1024 * 1024 + 1).expect("a sparse file");
    let mut plans = vec![big];
    if cfg!(target_os = "linux") {
        plans.push(PathBuf::from("/dev/zero"));
    }
    for plan in plans {
        let stderr = finish(
            tradeoff()
                .arg("simulate")
                .arg(&scenario)
                .args(["--trials", "10", "--plan"])
                .arg(&plan),
        )
        .expect_code(1, &plan.display().to_string())
        .stderr;
        assert!(stderr.contains("larger than 64 MiB"), "{stderr}");
    }
}

#[test]
fn an_empty_item_in_strategies_is_a_usage_error_naming_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    for (list, position) in [
        ("wsjf,,plan", 2),
        ("wsjf,", 2),
        (",wsjf", 1),
        ("wsjf, ,plan", 2),
    ] {
        let stderr = finish(tradeoff().arg("simulate").arg(&scenario).args([
            "--trials",
            "10",
            "--quiet",
            "--strategies",
            list,
        ]))
        .expect_code(2, list)
        .stderr;
        assert!(
            stderr.contains(&format!(
                "--strategies: expected a strategy at position {position} of the list, found nothing"
            )),
            "{list}: {stderr}"
        );
    }
}

#[test]
fn an_output_that_is_a_directory_is_refused_even_with_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    let folder = dir.path().join("out");
    std::fs::create_dir(&folder).expect("a folder");
    let runs: [Vec<&str>; 3] = [
        vec!["plan", "--time-limit", "5"],
        vec!["plan", "--time-limit", "5", "--force"],
        vec![
            "simulate",
            "--trials",
            "10",
            "--strategies",
            "wsjf",
            "--force",
        ],
    ];
    for args in runs {
        let stderr = finish(
            tradeoff()
                .args(&args)
                .arg(&scenario)
                .arg("--output")
                .arg(&folder)
                .arg("--quiet"),
        )
        .expect_code(2, &format!("{args:?}"))
        .stderr;
        assert!(
            stderr.contains("expected a file to write, found the directory")
                && !stderr.contains("--force")
                && !stderr.contains("Is a directory"),
            "{args:?}: {stderr}"
        );
        assert!(folder.is_dir());
    }
}

/// `validate` on `text`, written as `name`, in table and in JSON.
fn validate_in_both_formats(name: &str, text: &str) -> Vec<(&'static str, Run)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_scenario(dir.path(), name, text);
    ["table", "json"]
        .map(|format| {
            let out = finish(
                tradeoff()
                    .arg("validate")
                    .arg(&path)
                    .args(["--format", format]),
            );
            (format, out)
        })
        .into()
}

#[test]
fn validate_without_initiatives_shows_no_negative_zero() {
    let text = "[scenario]\nperiods = 2\n[capacity]\nper_period = 10\n";
    for (format, out) in validate_in_both_formats("empty-backlog.toml", text) {
        assert!(out.code == Some(0));
        let stdout = out.text();
        assert!(!stdout.contains("-0"), "{format}: {stdout}");
    }
}

#[test]
fn a_tiny_team_prints_compactly() {
    let text = "[scenario]\nperiods = 2\n[capacity]\nper_period = 10\n[[initiative]]\nid = \"a\"\n\
         kind = \"feature\"\neffort = 4\nteam = 1e-300\nvalue = 1\ndeadline = 2\n";
    for (format, out) in validate_in_both_formats("tiny-team.toml", text) {
        let stdout = out.text();
        let stderr = out.expect_code(1, format).stderr;
        assert!(
            stderr.contains("(team = 1e-300, weeks_per_period = 13"),
            "{stderr}"
        );
        assert!(!stderr.contains("0000000000") && !stdout.contains("0000000000"));
    }
}

#[test]
fn csv_errors_name_the_csv_by_the_path_from_where_the_user_ran() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("plans");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(
        sub.join("s.toml"),
        "[scenario]\nperiods = 4\ninitiatives = \"items.csv\"\n[capacity]\nper_period = 20\n",
    )
    .expect("write scenario");
    std::fs::write(
        sub.join("items.csv"),
        "id,kind,effort\nx0,feature,3\nx1,feature,-3\n",
    )
    .expect("write csv");
    let stderr = finish(
        tradeoff()
            .current_dir(dir.path())
            .args(["validate", "plans/s.toml"]),
    )
    .expect_code(1, "validate")
    .stderr;
    let csv = Path::new("plans").join("items.csv");
    assert!(
        stderr.contains(&format!("\n  {}: line 3, field", csv.display())),
        "{stderr}"
    );
}

#[test]
fn markdown_holds_the_tables_cells_with_the_scenarios_markup_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "[scenario]\nname = \"<b>Q3</b> | review *draft*\"\nperiods = 2\n[capacity]\nper_period = 10\n\
         [[initiative]]\nid = \"sso\"\nkind = \"feature\"\neffort = 4\nvalue = 1\ndeadline = 2\n\
         [[initiative]]\nid = \"audit_log\"\nkind = \"security\"\neffort = 4\nvalue = 2\n";
    let scenario = write_scenario(dir.path(), "markup.toml", text);
    let run = |args: &[&str]| {
        let mut cmd = tradeoff();
        cmd.args(args).arg(&scenario).arg("--quiet");
        finish_ok(&mut cmd).text()
    };
    let plan = run(&["plan", "--format", "markdown"]);
    assert!(
        plan.starts_with("## Plan for \\<b\\>Q3\\</b\\> \\| review \\*draft\\*\n"),
        "{plan}"
    );
    assert!(!plan.contains("<b>"), "{plan}");
    assert!(plan.contains("\n### Now (2 initiatives)\n"), "{plan}");
    assert!(
        plan.contains("\n| id | kind | class | start | delivery |"),
        "{plan}"
    );
    assert!(plan.contains("\n| audit\\_log | security |"), "{plan}");
    // Every table row has as many cells as its header.
    for table in plan.split("\n\n").filter(|b| b.starts_with('|')) {
        let widths: Vec<usize> = table.lines().map(|l| l.matches(" | ").count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{table}");
    }
    let table = run(&["plan"]);
    assert!(
        table.contains("Plan for <b>Q3</b> | review *draft*"),
        "{table}"
    );

    let simulation = run(&[
        "simulate",
        "--format",
        "markdown",
        "--trials",
        "50",
        "--strategies",
        "wsjf,features-first",
    ]);
    assert!(simulation.contains("\n| strategy | P10 | P50 | P90 | mean | P(best) |"));
    assert!(simulation.contains("\n| wsjf | "), "{simulation}");
    assert!(simulation.contains("\n### where the value goes (means, value units)\n"));
}

#[test]
fn no_output_lands_on_an_input_or_on_another_output_even_with_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = small_scenario(dir.path(), "a");
    let before = std::fs::read_to_string(&scenario).expect("read");
    let in_dir = |name: &str| dir.path().join(name).to_str().expect("utf-8").to_string();
    let dotted = format!("{}/./small.toml", dir.path().display());
    let runs: [(Vec<String>, &str); 3] = [
        (
            vec!["plan".into(), "--output".into(), dotted],
            "which this command reads",
        ),
        (
            vec![
                "simulate".into(),
                "--trials".into(),
                "10".into(),
                "--output".into(),
                in_dir("o.json"),
                "--save-strategy".into(),
                format!("{}/./o.json", dir.path().display()),
            ],
            "which are the same file",
        ),
        (
            vec!["sweep".into(), "--output".into(), in_dir("small.toml")],
            "which this command reads",
        ),
    ];
    for (args, why) in runs {
        let stderr = finish(tradeoff().args(&args).arg("--force").arg(&scenario))
            .expect_code(2, &format!("{args:?}"))
            .stderr;
        assert!(stderr.contains(why), "{args:?}: {stderr}");
        assert_eq!(std::fs::read_to_string(&scenario).expect("read"), before);
        assert!(!dir.path().join("o.json").exists(), "{args:?}");
    }
}

#[test]
fn the_initiatives_csv_is_an_input_no_output_may_replace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("items.csv");
    std::fs::write(&csv, "id,kind,effort,value\na,feature,3,10\n").expect("write");
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "[scenario]\nperiods = 2\ninitiatives = \"items.csv\"\n[capacity]\nper_period = 10\n",
    )
    .expect("write");
    let stderr = finish(tradeoff().current_dir(dir.path()).args([
        "plan",
        "s.toml",
        "--force",
        "--output",
        "items.csv",
    ]))
    .expect_code(2, "output over the CSV")
    .stderr;
    assert!(stderr.contains("which this command reads"), "{stderr}");
    assert!(std::fs::read_to_string(&csv)
        .expect("read")
        .starts_with("id,kind"));
}
