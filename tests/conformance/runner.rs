//! Spark's own SQL golden-file tests (`../shared/conformance/spark-sql-tests/`), run as data: each input file is
//! cut into statements as Spark's `SQLQueryTestSuite` cuts it, run on a fresh session with the suite's settings and
//! shared tables, and each statement's result is compared with its block in the `.sql.out` file — the schema and
//! the rows (in order when the query's outermost operator sorts, otherwise as a multiset), or, for an expected
//! exception, Spark's error class.
//!
//! `tests/conformance/failing.txt` lists the statements that do not pass yet. The test fails when a statement
//! outside the list fails (a regression) and when one on the list passes (take it off the list). After a change,
//! `KINDLING_CONFORMANCE_BLESS=1 cargo test -p kindling-sql --test conformance` rewrites the list and prints the
//! table of passes per file that the README shows.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use arrow::array::{ArrayRef, Int32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::io::Table;
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::logical::LogicalPlan;
use kindling_engine::session::Session;

/// The settings Spark's suite runs every file with.
const SUITE_SETTINGS: [(&str, &str); 2] =
    [("spark.sql.shuffle.partitions", "4"), ("spark.sql.session.timeZone", "America/Los_Angeles")];

const PANIC: &str = "PANIC";
const HANG: &str = "HANG";

/// A statement that takes longer than this is reported as hanging.
const STATEMENT_TIME_LIMIT: Duration = Duration::from_secs(60);

fn suite() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/spark-sql-tests")
}

fn failing_list() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/failing.txt")
}

/// What Spark's golden file says one statement gives.
#[derive(Debug)]
enum Expected {
    /// `struct<a:int,…>` and the output lines (tab-separated values).
    Rows { schema: String, output: String },
    /// The error class (`DIVIDE_BY_ZERO`, `DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE`).
    Error { class: String },
}

#[derive(Debug)]
struct Case {
    query: String,
    expected: Expected,
}

/// What Kindling gave for a statement.
enum Outcome {
    Rows { schema: String, lines: Vec<String>, sorted: bool },
    Error(String),
}

/// The `.sql.out` blocks: `-- !query`, the text, `-- !query schema`, the schema, `-- !query output`, the output.
fn golden_cases(text: &str) -> Vec<Case> {
    text.split("-- !query\n")
        .skip(1)
        .map(|block| {
            let (query, rest) = block.split_once("\n-- !query schema\n").expect("a schema section");
            let (schema, output) = rest.split_once("\n-- !query output\n").expect("an output section");
            let output = output.trim_end_matches('\n');
            let expected = match error_class(output) {
                Some(class) => Expected::Error { class },
                None => Expected::Rows { schema: schema.trim().to_string(), output: output.to_string() },
            };
            Case { query: query.to_string(), expected }
        })
        .collect()
}

/// The error class of an exception block: its `"errorClass"`, or the exception's own name when it has none.
fn error_class(output: &str) -> Option<String> {
    let first = output.lines().next()?;
    let is_exception = ["org.apache.", "java.", "scala."].iter().any(|p| first.starts_with(p)) && !first.contains('\t');
    if !is_exception {
        return None;
    }
    let class = output
        .lines()
        .find_map(|line| line.trim().strip_prefix("\"errorClass\" : \"")?.strip_suffix("\",").map(str::to_string));
    Some(class.unwrap_or_else(|| first.to_string()))
}

/// The statements of an input file as the suite cuts them: lines starting with `--` (comments and directives)
/// dropped, then the rest cut at each `;` outside quotes and comments (a comment after a `;` goes too).
fn input_statements(text: &str) -> Vec<String> {
    let code = without_comment_lines(text);
    kindling_sql::statement::split(&code).into_iter().map(|(_, text)| without_comment_lines(text)).collect()
}

fn without_comment_lines(text: &str) -> String {
    let code: Vec<&str> = text.lines().filter(|line| !line.trim_start().starts_with("--")).collect();
    code.join("\n").trim().to_string()
}

/// Spark's helper tables that the files use without creating them.
fn create_shared_tables(session: &Arc<Session>) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Int32, false),
        Field::new("value", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from_iter_values(1..=100)),
        Arc::new(StringArray::from_iter_values((1..=100).map(|i| i.to_string()))),
    ];
    let batches = vec![RecordBatch::try_new(schema.clone(), columns).unwrap()];
    let testdata = session.create_dataframe(Table { schema, batches }, 1).unwrap();
    testdata.create_or_replace_temp_view("testdata").unwrap();
}

fn new_session() -> Arc<Session> {
    let session = Session::new(Arc::new(MemoryFiles::default()), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()));
    for (key, value) in SUITE_SETTINGS {
        // A setting Kindling does not know yet is left at its default; the statements that need it fail.
        let _ = session.set_conf(key, value);
    }
    create_shared_tables(&session);
    session
}

/// Spark's `isSorted`: whether the rows come out in an order the query fixes (a global sort reached through
/// operators that keep order).
fn is_sorted(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Join { .. } | LogicalPlan::Aggregate { .. } => false,
        LogicalPlan::Sort { global: true, .. } => true,
        other => other.children().into_iter().any(|child| is_sorted(child)),
    }
}

fn run_statement(session: &Arc<Session>, query: &str) -> Outcome {
    let result = kindling_sql::sql(session, query).and_then(|df| {
        let schema = df.schema().simple_string();
        let lines = df.result_cells()?.into_iter().map(|row| row.join("\t")).collect();
        Ok(Outcome::Rows { schema, lines, sorted: is_sorted(df.logical_plan()) })
    });
    result.unwrap_or_else(|error| Outcome::Error(error.to_string()))
}

/// Runs a statement on its own thread: a panic or a hang is an outcome, not the end of the test.
fn guarded_run(session: &Arc<Session>, query: &str) -> Outcome {
    let (sender, receiver) = mpsc::channel();
    let (session, text) = (session.clone(), query.to_string());
    std::thread::spawn(move || {
        let outcome = catch_unwind(AssertUnwindSafe(|| run_statement(&session, &text)));
        let _ = sender.send(outcome.unwrap_or_else(|_| Outcome::Error(PANIC.into())));
    });
    receiver.recv_timeout(STATEMENT_TIME_LIMIT).unwrap_or_else(|_| Outcome::Error(HANG.into()))
}

/// The error class Kindling's message starts with (`[DIVIDE_BY_ZERO] …`).
fn class_of(message: &str) -> Option<&str> {
    let start = message.find('[')? + 1;
    let end = start + message[start..].find(']')?;
    let class = &message[start..end];
    class.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.').then_some(class)
}

/// Whether Kindling's outcome is Spark's; otherwise what differs.
fn compare(expected: &Expected, outcome: &Outcome) -> Result<(), String> {
    match (expected, outcome) {
        (Expected::Error { class }, Outcome::Error(message)) if class_of(message) == Some(class) => Ok(()),
        (Expected::Error { class }, Outcome::Error(message)) => Err(format!("expected {class}, got: {message}")),
        (Expected::Error { class }, Outcome::Rows { .. }) => Err(format!("expected {class}, got rows")),
        (Expected::Rows { .. }, Outcome::Error(message)) => Err(message.clone()),
        (Expected::Rows { schema, output }, Outcome::Rows { schema: ours, lines, sorted }) => {
            if schema != ours {
                return Err(format!("schema {ours}, expected {schema}"));
            }
            let mut expected_lines: Vec<&str> = if output.is_empty() { vec![] } else { output.split('\n').collect() };
            let mut lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            if !sorted {
                expected_lines.sort_unstable();
                lines.sort_unstable();
            }
            // Compared as text, as Spark's suite wrote it: the whole output without its trailing white space (one
            // row holding an empty string, or only spaces, is an empty output there).
            if expected_lines.join("\n").trim_end() == lines.join("\n").trim_end() {
                Ok(())
            } else {
                Err(format!("rows {lines:?}, expected {expected_lines:?}"))
            }
        }
    }
}

/// Every input file, by its path under `inputs/` (`group-by.sql`, `subquery/in-subquery/simple-in.sql`).
fn input_files(directory: &Path, prefix: &str, files: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(directory)
        .expect("Spark's SQL tests are in ../shared/conformance beside the repository")
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = format!("{prefix}{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            input_files(&path, &format!("{name}/"), files);
        } else if name.ends_with(".sql") {
            files.push(name);
        }
    }
}

/// One statement's identity in the failing list: its file and its number in the file (from 1).
type Key = (String, usize);

struct FileResult {
    file: String,
    rows: (usize, usize),
    errors: (usize, usize),
    failing: Vec<(Key, String, String)>,
}

fn run_file(file: &str) -> FileResult {
    let input = std::fs::read_to_string(suite().join("inputs").join(file)).unwrap();
    let golden = std::fs::read_to_string(suite().join("results").join(format!("{file}.out"))).unwrap();
    let statements = input_statements(&input);
    let cases = golden_cases(&golden);
    let texts: Vec<&str> = cases.iter().map(|c| c.query.as_str()).collect();
    assert_eq!(statements, texts, "{file}: the input cut into statements is the golden file's list of queries");
    let session = new_session();
    let mut result = FileResult { file: file.to_string(), rows: (0, 0), errors: (0, 0), failing: vec![] };
    for (index, case) in cases.iter().enumerate() {
        let outcome = guarded_run(&session, &case.query);
        let verdict = compare(&case.expected, &outcome);
        let tally = match case.expected {
            Expected::Rows { .. } => &mut result.rows,
            Expected::Error { .. } => &mut result.errors,
        };
        tally.1 += 1;
        match verdict {
            Ok(()) => tally.0 += 1,
            Err(why) => result.failing.push(((file.to_string(), index + 1), case.query.clone(), why)),
        }
    }
    result
}

fn first_line(query: &str) -> String {
    let line = query.lines().next().unwrap_or_default();
    line.chars().take(100).collect()
}

fn read_failing_list() -> BTreeSet<Key> {
    let text = std::fs::read_to_string(failing_list()).unwrap_or_default();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (key, _) = line.split_once('\t').unwrap_or((line, ""));
            let (file, number) = key.rsplit_once(':').expect("file:number");
            (file.to_string(), number.parse().expect("a statement number"))
        })
        .collect()
}

fn write_failing_list(results: &[FileResult]) {
    let mut text = String::from(
        "# Statements of Spark's SQL tests that Kindling does not pass yet: file:number, then the query's first line.\n\
         # Rewritten by KINDLING_CONFORMANCE_BLESS=1 cargo test -p kindling-sql --test conformance\n",
    );
    for (key, query, _) in results.iter().flat_map(|r| &r.failing) {
        text.push_str(&format!("{}:{}\t{}\n", key.0, key.1, first_line(query)));
    }
    std::fs::write(failing_list(), text).unwrap();
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 100.0 } else { 100.0 * part as f64 / whole as f64 }
}

/// The README's table: passes per file, rows and errors apart.
fn table(results: &[FileResult]) -> String {
    let mut text = String::from("| file | rows | errors |\n|---|---|---|\n");
    let (mut rows, mut errors) = ((0, 0), (0, 0));
    for result in results {
        text.push_str(&format!(
            "| {} | {}/{} | {}/{} |\n",
            result.file, result.rows.0, result.rows.1, result.errors.0, result.errors.1
        ));
        rows = (rows.0 + result.rows.0, rows.1 + result.rows.1);
        errors = (errors.0 + result.errors.0, errors.1 + result.errors.1);
    }
    text.push_str(&format!(
        "| **total** | **{}/{} ({:.0} %)** | **{}/{} ({:.0} %)** |\n",
        rows.0,
        rows.1,
        percent(rows.0, rows.1),
        errors.0,
        errors.1,
        percent(errors.0, errors.1)
    ));
    text
}

#[test]
fn spark_sql_golden_files() {
    let mut files = Vec::new();
    input_files(&suite().join("inputs"), "", &mut files);
    let results: Vec<FileResult> = files.iter().map(|file| run_file(file)).collect();
    println!("{}", table(&results));
    if std::env::var_os("KINDLING_CONFORMANCE_REASONS").is_some() {
        for ((file, number), query, why) in results.iter().flat_map(|r| &r.failing) {
            println!("{file}:{number}\t{}\n\t{}", first_line(query), why.lines().next().unwrap_or_default());
        }
    }
    let broken: Vec<String> = results
        .iter()
        .flat_map(|r| &r.failing)
        .filter(|(_, _, why)| why == PANIC || why == HANG)
        .map(|((file, number), query, why)| format!("{file}:{number} {why}: {}", first_line(query)))
        .collect();
    assert!(broken.is_empty(), "no statement may panic or hang:\n{}", broken.join("\n"));
    if std::env::var_os("KINDLING_CONFORMANCE_BLESS").is_some() {
        write_failing_list(&results);
        return;
    }
    let listed = read_failing_list();
    let failing: BTreeMap<&Key, (&String, &String)> =
        results.iter().flat_map(|r| &r.failing).map(|(key, query, why)| (key, (query, why))).collect();
    let mut problems = Vec::new();
    for (key, (query, why)) in &failing {
        if !listed.contains(*key) {
            problems.push(format!("{}:{} fails and is not on the list:\n  {}\n  {why}", key.0, key.1, first_line(query)));
        }
    }
    for key in &listed {
        if !failing.contains_key(key) {
            problems.push(format!("{}:{} passes now: take it off tests/conformance/failing.txt", key.0, key.1));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
