//! The kindling binary, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

fn kindling(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kindling")).args(args).output().unwrap()
}

fn real_green_file() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/tlc/green_tripdata_2024-01.parquet");
    path.to_str().unwrap().to_string()
}

#[test]
fn schema_prints_what_spark_prints_for_the_real_tlc_file() {
    let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/schemas.json");
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden_path).unwrap()).unwrap();
    let output = kindling(&["schema", &real_green_file()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), golden["tlc green 2024-01"]["tree_string"].as_str().unwrap());
}

#[test]
fn gen_then_sum_in_json_covers_every_row() {
    let dir = std::env::temp_dir().join(format!("kindling-cli-test-{}", std::process::id()));
    let file = dir.join("green.parquet");
    let file = file.to_str().unwrap();
    let generated = kindling(&["gen", "green", "--year", "2020", "--month", "2", "--rows", "5000", "--out", file]);
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let summed = kindling(&["sum", file, "--column", "PULocationID", "--partitions", "5", "--master", "local[2]", "--json"]);
    assert!(summed.status.success(), "{}", String::from_utf8_lossy(&summed.stderr));
    let result: serde_json::Value = serde_json::from_slice(&summed.stdout).unwrap();
    let partitions = result["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 5);
    assert_eq!(partitions.iter().map(|p| p["rows"].as_u64().unwrap()).sum::<u64>(), 5000);
    assert_eq!(result["trace"]["executors"], 2);
    let total: f64 = partitions.iter().map(|p| p["sum"].as_f64().unwrap()).sum();
    assert_eq!(result["total"].as_f64().unwrap(), total);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_file_that_is_not_parquet_fails_with_its_path() {
    let not_parquet = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let output = kindling(&["sum", not_parquet]);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("Cargo.toml") && stderr.contains("cannot read Parquet"), "{stderr}");
}

#[test]
fn a_bad_master_is_refused_before_any_work() {
    let output = kindling(&["sum", &real_green_file(), "--master", "yarn"]);
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr).unwrap().contains("local[N]"));
}

#[test]
fn show_prints_what_spark_prints_for_the_real_tlc_file() {
    let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/show.json");
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden_path).unwrap()).unwrap();
    let output = kindling(&["show", &real_green_file(), "-n", "5"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!("{}\n", golden["green first 5"].as_str().unwrap());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn show_reads_csv_with_spark_options_like_spark() {
    let golden_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/csv.json");
    let golden: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden_path).unwrap()).unwrap();
    let zones = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/taxi_zone_lookup.csv");
    let output = kindling(&["show", zones.to_str().unwrap(), "--header", "--infer-schema", "-n", "5"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!("{}\n", golden["inferred"]["taxi_zone_lookup.csv"]["show"].as_str().unwrap());
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kindling-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A program written for spark-submit: argparse arguments, a setting from `--conf`, one shuffle.
const SUBMITTED: &str = "import argparse\n\
from pyspark.sql import SparkSession\n\
parser = argparse.ArgumentParser()\n\
parser.add_argument('--input_green', required=True)\n\
parser.add_argument('--output', required=True)\n\
parser.add_argument('--limit', type=int, default=3)\n\
args = parser.parse_args()\n\
print(args.input_green, args.output, args.limit, args)\n\
spark = SparkSession.builder.getOrCreate()\n\
print(spark.conf.get('spark.sql.shuffle.partitions'))\n\
df = spark.range(10)\n\
df.groupBy((df.id % 2).alias('k')).count().orderBy('k').show()\n";

#[test]
fn run_passes_arguments_to_argparse_and_conf_to_the_session_and_saves_the_trace() {
    let dir = scratch_dir("submit");
    let program = dir.join("prog.py");
    std::fs::write(&program, SUBMITTED).unwrap();
    let trace = dir.join("trace.json");
    let (program, trace_path) = (program.to_str().unwrap(), trace.to_str().unwrap());
    let ran = kindling(&["run", program, "--conf", "spark.sql.shuffle.partitions=7", "--trace", trace_path, "--", "--input_green", "a", "--output=b"]);
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    // The first line is what `spark-submit prog.py --input_green a --output=b` printed (pyspark 4.3).
    let stdout = String::from_utf8(ran.stdout).unwrap();
    assert!(stdout.starts_with("a b 3 Namespace(input_green='a', output='b', limit=3)\n7\n+---+-----+\n"), "{stdout}");
    let jobs: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&trace).unwrap()).unwrap();
    let last = jobs.as_array().unwrap().last().unwrap();
    let explain = last["explain"].as_str().unwrap();
    assert!(explain.contains("Exchange hashpartitioning(_groupingexpression#") && explain.contains(", 7), ENSURE_REQUIREMENTS"), "the --conf setting reached the plan: {explain}");

    // Bad arguments: argparse's usage and message (CPython's own words), exit code 2, no traceback.
    let refused = kindling(&["run", program, "--", "--output", "x", "--limit", "z"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8(refused.stderr).unwrap();
    let name = program;
    assert_eq!(stderr, format!("usage: {name} [-h] --input_green INPUT_GREEN --output OUTPUT [--limit LIMIT]\n{name}: error: argument --limit: invalid int value: 'z'\n"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn run_of_a_sql_file_prints_rows_as_spark_sql_does_and_explain_prints_plans() {
    let dir = scratch_dir("sql");
    let query = dir.join("q.sql");
    std::fs::write(&query, "SELECT 1 AS a, 'x' AS b\nUNION ALL SELECT 2, NULL;\n-- a second statement\nSELECT 3;\n").unwrap();
    let ran = kindling(&["run", query.to_str().unwrap()]);
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    // `spark-sql -S -f q.sql` (pyspark 4.3) printed exactly this.
    assert_eq!(String::from_utf8(ran.stdout).unwrap(), "1\tx\n2\tNULL\n3\n");
    let explained = kindling(&["explain", query.to_str().unwrap()]);
    let plans = String::from_utf8(explained.stdout).unwrap();
    assert_eq!(plans.matches("== Physical Plan ==").count(), 2, "{plans}");

    // As `spark-sql -f` (pyspark 4.3): the first statement's rows, then the second's error, and the third never runs.
    std::fs::write(&query, "SELECT 1;\nSELECT 2 AS a,\n  nope;\nSELECT 3;\n").unwrap();
    let failed = kindling(&["run", query.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(String::from_utf8(failed.stdout).unwrap(), "1\n");
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(stderr.starts_with("[UNRESOLVED_COLUMN") && stderr.contains("line 2 pos 2"), "a located Spark error: {stderr}");
    assert!(stderr.contains(&format!("{}:2:1", query.display())), "where the statement starts: {stderr}");

    std::fs::write(&query, "SELECT 1;\nSELEC 2;\n").unwrap();
    let unparsable = kindling(&["run", query.to_str().unwrap()]);
    assert_eq!(unparsable.status.code(), Some(1));
    assert_eq!(String::from_utf8(unparsable.stdout).unwrap(), "1\n", "statements before a syntax error run");
    assert!(String::from_utf8(unparsable.stderr).unwrap().starts_with("[PARSE_SYNTAX_ERROR]"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn gen_writes_the_courses_folder_layout_one_file_per_month() {
    let dir = scratch_dir("layout");
    let out = dir.join("pq");
    let generated = kindling(&["gen", "yellow", "--year", "2021", "--months", "1-3", "--rows", "700", "--out", out.to_str().unwrap()]);
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    for month in ["01", "02", "03"] {
        assert!(out.join(format!("yellow/2021/{month}/part-00000.snappy.parquet")).is_file(), "month {month}");
    }
    let program = dir.join("count.py");
    std::fs::write(&program, "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\n\
                              df = spark.read.parquet('pq/yellow/*/*')\nprint(df.count(), df.select('tpep_pickup_datetime').distinct().count() > 2000)\n").unwrap();
    let counted = Command::new(env!("CARGO_BIN_EXE_kindling")).current_dir(&dir).args(["run", "count.py"]).output().unwrap();
    assert_eq!(String::from_utf8(counted.stdout).unwrap(), "2100 True\n", "{}", String::from_utf8_lossy(&counted.stderr));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn run_prints_what_the_program_prints_as_it_goes() {
    use std::io::{BufRead, BufReader};
    let dir = scratch_dir("streaming");
    let program = dir.join("loop.py");
    std::fs::write(&program, "print('before the loop')\nwhile True:\n    pass\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["run", program.to_str().unwrap(), "--time-limit", "30"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
    // The line came while the program is still looping: printed as it ran, not saved up for the end.
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(first_line, "before the loop\n");
    assert!(still_running, "the program ended before its first line arrived");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn output_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = scratch_dir("pipe");
    let data = dir.join("trips.parquet");
    let generated = kindling(&["gen", "green", "--year", "2020", "--month", "1", "--rows", "20000", "--out", data.to_str().unwrap()]);
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let query = dir.join("all.sql");
    std::fs::write(&query, format!("SELECT * FROM parquet.`{}`;\n", data.display())).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kindling"))
        .args(["run", query.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    // Like `| head -1`: one line read, then the pipe closed.
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first_line).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!first_line.is_empty());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "no panic, no error message");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn gen_of_the_zone_lookup_needs_no_year_or_rows_and_gen_of_trips_does() {
    let dir = scratch_dir("gen-zones");
    let zones = dir.join("taxi_zone_lookup.csv");
    let output = kindling(&["gen", "zones", "--out", zones.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = std::fs::read_to_string(&zones).unwrap();
    assert!(text.starts_with("\"LocationID\",\"Borough\",\"Zone\",\"service_zone\"") || text.starts_with("LocationID,Borough,Zone,service_zone"), "{text:.80}");
    assert_eq!(text.lines().count(), 266);
    let output = kindling(&["gen", "green", "--rows", "10", "--out", dir.join("trips").to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--year"), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_program_that_imports_sys_sees_its_arguments_and_an_exported_script_still_runs() {
    let dir = scratch_dir("argv");
    let program = dir.join("argv.py");
    let text = "import sys\nimport argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--limit', type=int)\n\
                args = parser.parse_args()\nprint(sys.argv[1:], args.limit)\nspark.read.parquet('data/pq/green').count()\n";
    std::fs::write(&program, text).unwrap();
    let ran = kindling(&["run", program.to_str().unwrap(), "--", "--limit", "2"]);
    // It fails at the read (no such folder), after printing what CPython prints for these arguments.
    assert_eq!(String::from_utf8(ran.stdout).unwrap(), "['--limit', '2'] 2\n");
    // Exported, its path is an argument of its own beside the program's: the two parsers share the command line.
    let exported = kindling(&["export", program.to_str().unwrap()]);
    let script = String::from_utf8(exported.stdout).unwrap();
    let exported_program = dir.join("exported.py");
    std::fs::write(&exported_program, script.replace("spark.read.parquet(exported_args.input_green).count()", "print(exported_args.input_green)")).unwrap();
    let ran = kindling(&["run", exported_program.to_str().unwrap(), "--", "--input_green", "trips/", "--limit", "3"]);
    assert!(ran.status.success(), "{}\n{script}", String::from_utf8_lossy(&ran.stderr));
    assert_eq!(String::from_utf8(ran.stdout).unwrap(), "['--limit', '3'] 3\ntrips/\n");
    std::fs::remove_dir_all(dir).unwrap();
}
