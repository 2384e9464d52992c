//! The SQL corpus against real Spark: every file in tests/sql runs through Kindling's SQL front end on the trips
//! the recorder (tests/spark/record_sql.py) ran Spark on, and the last statement's rows, schema, show() text and
//! explain() text must be Spark's. Every file in tests/sql/errors must fail as it did on Spark.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kindling_engine::clock::MonotonicClock;
use kindling_engine::dataframe::DataFrame;
use kindling_engine::executor::Executors;
use kindling_engine::io::csv::CsvOptions;
use kindling_engine::session::Session;
use kindling_sql::{SqlError, sql_script};
use serde_json::Value as Json;

#[path = "../../engine/tests/common/mod.rs"]
mod common;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/sql")
}

/// The recorder's trips, generated again in memory; `zones` from the real lookup; the views of setup.sql.
fn session(golden: &Json) -> Arc<Session> {
    let files = common::golden_files(golden);
    let executors = Executors::local(golden["cores"].as_u64().unwrap() as usize).unwrap();
    let session = Session::new(Arc::new(files), executors, Arc::new(MonotonicClock::new()));
    let options = CsvOptions { header: true, infer_schema: true, ..CsvOptions::default() };
    session.read_csv(&["zones.csv"], options).unwrap().create_or_replace_temp_view("zones").unwrap();
    run(&session, &corpus().join("setup.sql")).unwrap();
    session
}

/// Runs a corpus file; its last statement's DataFrame.
fn run(session: &Arc<Session>, path: &Path) -> Result<DataFrame, SqlError> {
    // A file may SET the session time zone or ANSI mode; each file starts in UTC, in ANSI mode, as the recorder's do.
    session.set_conf("spark.sql.session.timeZone", "UTC").unwrap();
    session.set_conf("spark.sql.ansi.enabled", "true").unwrap();
    let text = std::fs::read_to_string(path).unwrap().replace("${data}", "");
    let results = sql_script(session, &text)?;
    Ok(results.into_iter().last().expect("a statement").1)
}

fn sql_files(directory: &Path) -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .map(|path| (path.file_stem().unwrap().to_string_lossy().into_owned(), path))
        .filter(|(name, _)| name != "setup")
        .collect();
    files.sort();
    files
}

/// Cases whose explain() text differs from Spark's for now, and why; their rows, schema and show() text are still
/// compared. Each difference is an optimizer or planner rule Kindling does not have yet (ARCHITECTURE.md lists
/// them). A case that starts matching must leave this list.
const PLAN_DIFFERENCES: [(&str, &str); 11] = [
    ("session time zone", "Spark computes constant columns in TakeOrderedAndProject, not in the Project below it"),
    ("ansi mode off", "Spark computes constant columns in TakeOrderedAndProject, not in the Project below it"),
    ("all trips counted", "Spark scans no columns at all for count(*) over a UNION; Kindling keeps one"),
    ("distinct pickup zones of both colours", "Spark re-aliases a SQL view's columns; the first UNION input keeps them"),
    ("revenue report", "Spark re-aliases a SQL view's columns; the first UNION input keeps them"),
    ("functions", "Spark computes constant columns in TakeOrderedAndProject, not in the Project below it"),
    ("joins of every kind", "Spark flattens nested UNIONs into one (CombineUnions)"),
    ("literals", "Spark scans OneRowRelation; Kindling a one-row LocalTableScan"),
    ("longest trip in hours", "unix_timestamp(timestamp_ntz) prints its default format and reads the column directly"),
    ("trips on a day", "Spark turns to_date(ts) = 'day' into a range on ts and reads only ts for count(*)"),
    ("payment labels", "Spark rewrites LIKE 'N%' to StartsWith, merges nested concat and moves constants out"),
];

/// Cases whose plan after running differs only there: Spark reuses an identical broadcast (`ReusedExchange`).
const FINAL_PLAN_DIFFERENCES: [&str; 1] = ["zone pairs"];

#[test]
fn every_corpus_query_matches_spark() {
    let golden = common::golden("sql.json");
    let session = session(&golden);
    let mut failures = Vec::new();
    let files = sql_files(&corpus());
    assert_eq!(files.len(), golden["cases"].as_object().unwrap().len(), "every corpus file has a golden");
    for (name, path) in files {
        let expected = &golden["cases"][&name];
        let df = run(&session, &path).unwrap_or_else(|error| panic!("{name}: {error}"));
        if name.starts_with("explain") {
            let ours = df.collect().unwrap()[0][0].to_string();
            let spark = expected["rows"][0][0].as_str().unwrap();
            if common::normalized_plan(&ours) != spark {
                failures.push(format!("{name}\n--- ours:\n{ours}\n--- Spark's:\n{spark}"));
            }
            continue;
        }
        let known_difference = PLAN_DIFFERENCES.iter().any(|(case, _)| *case == name);
        let plan = common::normalized_plan(&df.explain_string(false).unwrap());
        if known_difference && plan == expected["explain"].as_str().unwrap() {
            failures.push(format!("{name}: now plans like Spark; remove it from PLAN_DIFFERENCES"));
        }
        if !known_difference && plan != expected["explain"].as_str().unwrap() {
            failures.push(format!("{name}: explain\n--- ours:\n{plan}\n--- Spark's:\n{}", expected["explain"].as_str().unwrap()));
        }
        common::check_rows(&name, &df.collect().unwrap_or_else(|e| panic!("{name}: {e}")), &expected["rows"]);
        let final_plan = common::normalized_plan(&df.explain_string(false).unwrap());
        let final_difference = known_difference || FINAL_PLAN_DIFFERENCES.contains(&name.as_str());
        if !final_difference && final_plan != expected["explain_final"].as_str().unwrap() {
            failures.push(format!(
                "{name}: explain after collect\n--- ours:\n{final_plan}\n--- Spark's:\n{}",
                expected["explain_final"].as_str().unwrap()
            ));
        }
        if df.print_schema_string() != expected["schema"].as_str().unwrap() {
            failures.push(format!(
                "{name}: schema\n--- ours:\n{}\n--- Spark's:\n{}",
                df.print_schema_string(),
                expected["schema"].as_str().unwrap()
            ));
        }
        let show = df.show_string(20, 20).unwrap();
        if show != expected["show"].as_str().unwrap() {
            failures.push(format!("{name}: show\n--- ours:\n{show}\n--- Spark's:\n{}", expected["show"].as_str().unwrap()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Analysis and runtime errors read as Spark's, position included; syntax errors name the same token (the two
/// parsers may notice a problem at different places, so their positions are checked in statement.rs instead).
#[test]
fn every_corpus_error_matches_spark() {
    let golden = common::golden("sql.json");
    let session = session(&golden);
    let mut failures = Vec::new();
    let files = sql_files(&corpus().join("errors"));
    assert_eq!(files.len(), golden["errors"].as_object().unwrap().len(), "every error file has a golden");
    for (name, path) in files {
        let spark = golden["errors"][&name].as_str().unwrap();
        let error = match run(&session, &path).and_then(|df| Ok(df.collect()?)) {
            Ok(_) => {
                failures.push(format!("{name}: no error; Spark's: {spark}"));
                continue;
            }
            Err(error) => error,
        };
        let ours = error.to_string();
        let ours = ours.lines().next().unwrap_or_default();
        let comparable = |text: &str| match &error {
            SqlError::Parse { .. } => text.split(" SQLSTATE").next().unwrap_or_default().to_string(),
            // Spark reports a few analysis errors found while parsing (an unknown type) in its parser's layout.
            _ if !spark.contains("; line ") => text.split("; line ").next().unwrap_or_default().to_string(),
            _ => text.trim_end_matches(';').to_string(),
        };
        if comparable(ours) != comparable(spark) {
            failures.push(format!("{name}\n--- ours:    {ours}\n--- Spark's: {spark}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
