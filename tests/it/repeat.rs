//! Same command, same bytes: two runs of `plan`, `simulate`, `sweep` and `report` on every
//! shipped scenario (and of `frontier` on the team scenario), with the same options, give byte-identical outputs. The planner's search is
//! bounded by work limits, not the clock; the one number allowed to differ is the robust search's
//! wall-clock `seconds`, which these tests blank before comparing.

use std::path::Path;

use crate::simulate::tradeoff;

const SCENARIOS: [&str; 6] = [
    "fintech-expansion",
    "legacy-drag",
    "oauth-vs-enterprise",
    "platform-teams",
    "portfolio-200",
    "saas-horizons",
];

/// Small but real options. The planner's work limits scale with --time-limit and are sized for
/// half of it; the 200-initiative portfolio also has a second of fixed work (its relaxations).
fn plan_options(name: &str) -> [&'static str; 2] {
    let secs = if name == "portfolio-200" { "10" } else { "3" };
    ["--time-limit", secs]
}

/// The tests run one at a time, so they do not load the machine for each other.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// How many outputs were compared and how many were not (the clock struck); the test fails when
/// fewer than half were compared, so it cannot pass without checking anything.
#[derive(Default)]
struct Tally {
    compared: usize,
    skipped: usize,
}

impl Tally {
    fn check(self, what: &str) {
        assert!(
            self.compared >= self.skipped,
            "{what}: only {} of {} outputs compared (the time limit struck on the rest)",
            self.compared,
            self.compared + self.skipped
        );
    }
}
const SIM: [&str; 6] = [
    "--trials",
    "300",
    "--robust-trials",
    "30",
    "--robust-budget",
    "300",
];

fn scenario(name: &str) -> String {
    format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Vec<u8> {
    let out = tradeoff().args(args).arg("--quiet").output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The output with every `"seconds": <number>` blanked (the robust search's wall-clock time);
/// binary files (PNG) as they are.
fn without_seconds(bytes: &[u8]) -> String {
    let Ok(text) = String::from_utf8(bytes.to_vec()) else {
        return bytes.iter().map(|b| format!("{b:02x}")).collect();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\"seconds\":") {
        let (head, tail) = rest.split_at(at + "\"seconds\":".len());
        out.push_str(head);
        let end = tail.find([',', '}', '\n']).unwrap_or(tail.len());
        out.push_str(" _");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Whether any plan in the output says the clock stopped it; then the runs may differ.
fn capped(text: &str) -> bool {
    text.contains("\"time_limit_reached\": true")
        || text.contains("--time-limit stopped")
        || text.contains("stopped by the time limit")
}

fn assert_same(tally: &mut Tally, what: &str, a: &[u8], b: &[u8]) {
    let (a, b) = (without_seconds(a), without_seconds(b));
    if capped(&a) || capped(&b) {
        // Only a machine far slower or busier than the work limits assume gets here.
        eprintln!("{what}: the time limit struck; not compared");
        tally.skipped += 1;
        return;
    }
    assert!(a == b, "{what}: two runs differ");
    tally.compared += 1;
}

fn twice(tally: &mut Tally, what: &str, args: &[&str]) {
    let a = run(args);
    let b = run(args);
    assert_same(tally, what, &a, &b);
}

fn lock() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn plan_gives_the_same_bytes_twice_on_every_shipped_scenario() {
    let _one = lock();
    let mut tally = Tally::default();
    for name in SCENARIOS {
        let path = scenario(name);
        for format in ["json", "table"] {
            let mut args = vec!["plan", path.as_str(), "--format", format];
            args.extend(plan_options(name));
            twice(&mut tally, &format!("plan {name} {format}"), &args);
        }
    }
    tally.check("plan");
}

#[test]
fn simulate_gives_the_same_bytes_twice_on_every_shipped_scenario() {
    let _one = lock();
    let mut tally = Tally::default();
    for name in SCENARIOS {
        let path = scenario(name);
        for format in ["json", "table"] {
            let mut args = vec!["simulate", path.as_str(), "--format", format];
            args.extend(plan_options(name));
            args.extend(SIM);
            twice(&mut tally, &format!("simulate {name} {format}"), &args);
        }
    }
    tally.check("simulate");
}

#[test]
fn sweep_gives_the_same_bytes_twice_on_every_shipped_scenario() {
    let _one = lock();
    let mut tally = Tally::default();
    for name in SCENARIOS {
        let path = scenario(name);
        let mut args = vec![
            "sweep",
            path.as_str(),
            "--format",
            "json",
            "--shares",
            "0.1:0.3:0.1",
        ];
        args.extend(plan_options(name));
        args.extend(SIM);
        twice(&mut tally, &format!("sweep {name}"), &args);
    }
    tally.check("sweep");
}

#[test]
fn frontier_gives_the_same_bytes_twice() {
    let _one = lock();
    let mut tally = Tally::default();
    let path = scenario("platform-teams");
    for team in [None, Some("platform")] {
        let mut args = vec![
            "frontier",
            path.as_str(),
            "--format",
            "json",
            "--capacity",
            "0.8:1.2:0.2",
        ];
        if let Some(team) = team {
            args.extend(["--team", team]);
        }
        args.extend(plan_options("platform-teams"));
        args.extend(SIM);
        twice(&mut tally, &format!("frontier {team:?}"), &args);
    }
    tally.check("frontier");
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn report_gives_the_same_files_twice_on_every_shipped_scenario() {
    let _one = lock();
    let mut tally = Tally::default();
    let tmp = tempfile::tempdir().unwrap();
    for name in SCENARIOS {
        let path = scenario(name);
        let runs: Vec<Vec<(String, Vec<u8>)>> = ["a", "b"]
            .iter()
            .map(|run_name| {
                let out = tmp.path().join(format!("{name}-{run_name}"));
                let out = out.to_str().unwrap().to_string();
                let mut args = vec!["report", path.as_str(), "--out", out.as_str()];
                args.extend(plan_options(name));
                args.extend(SIM);
                run(&args);
                files(Path::new(&out))
            })
            .collect();
        let names = |r: &Vec<(String, Vec<u8>)>| r.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&runs[0]),
            names(&runs[1]),
            "report {name}: file lists differ"
        );
        // The clock is told in results.json only: when it struck any plan of either run, the
        // charts and the page may differ too, so none of this scenario's files is compared.
        let struck = runs
            .iter()
            .flatten()
            .any(|(_, bytes)| capped(&String::from_utf8_lossy(bytes)));
        for ((file, a), (_, b)) in runs[0].iter().zip(&runs[1]) {
            let what = format!("report {name} {file}");
            if struck {
                eprintln!("{what}: the time limit struck in this report; not compared");
                tally.skipped += 1;
            } else {
                assert_same(&mut tally, &what, a, b);
            }
        }
    }
    tally.check("report");
}
