//! Exchanges against real Spark (tests/golden/exchanges.json, recorded by tests/spark/record_exchanges.py): the
//! rows each output partition receives after `repartition(n, keys)` and `repartition(n)`, with input partitions
//! planned as Spark plans them — run through the DataFrame API and read from the job trace.

use std::sync::Arc;

use kindling_datagen::{TripSpec, green_trips};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::dataframe::DataFrame;
use kindling_engine::executor::Executors;
use kindling_engine::expr::col;
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;
use kindling_engine::trace::JobTrace;
use serde_json::Value;

mod common;

fn golden() -> Value {
    common::golden("exchanges.json")
}

fn counts(values: &Value) -> Vec<u64> {
    values.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
}

fn session(files: MemoryFiles, cores: usize) -> Arc<Session> {
    Session::new(Arc::new(files), Executors::local(cores).unwrap(), Arc::new(MonotonicClock::new()))
}

/// Runs `df` and returns its trace, which must hold exactly one exchange.
fn run(df: &DataFrame) -> JobTrace {
    let (_, trace) = df.execute("test").unwrap();
    assert_eq!(trace.exchanges.len(), 1);
    trace
}

/// Rows per reduce partition, checked against the shuffle matrix and the reduce stage's tasks.
fn rows_per_partition(trace: &JobTrace) -> Vec<u64> {
    let rows = trace.exchanges[0].matrix.rows_per_reduce_partition();
    let reduce_tasks: Vec<u64> = trace.tasks.iter().filter(|t| t.stage == 1).map(|t| t.rows_in).collect();
    assert_eq!(reduce_tasks, rows, "each reduce task reads its partition of the shuffle");
    rows
}

fn check_case(df: &DataFrame, case: &Value, name: &str) {
    for hash in case["hash"].as_array().unwrap() {
        let keys = hash["keys"].as_array().unwrap().iter().map(|k| col(k.as_str().unwrap())).collect();
        let partitions = hash["partitions"].as_u64().unwrap() as usize;
        let trace = run(&df.repartition_by(partitions, keys).unwrap());
        let input_rows: Vec<u64> = trace.tasks.iter().filter(|t| t.stage == 0).map(|t| t.rows_in).collect();
        assert_eq!(input_rows, counts(&case["input_rows_per_partition"]), "input partitions of {name}");
        assert_eq!(rows_per_partition(&trace), counts(&hash["rows_per_partition"]), "{name}: {hash}");
    }
    for round_robin in case["round_robin"].as_array().unwrap() {
        let partitions = round_robin["partitions"].as_u64().unwrap() as usize;
        let trace = run(&df.repartition(partitions).unwrap());
        assert_eq!(rows_per_partition(&trace), counts(&round_robin["rows_per_partition"]), "{name}: {round_robin}");
    }
}

#[test]
fn the_real_green_file_repartitions_like_spark() {
    let golden = golden();
    let mut files = MemoryFiles::default();
    files.insert("green.parquet", common::shared_data(common::REAL_GREEN));
    let session = session(files, golden["cores"].as_u64().unwrap() as usize);
    check_case(&session.read_parquet(&["green.parquet"]).unwrap(), &golden["real green"], "real green");
}

#[test]
fn a_folder_read_as_several_partitions_repartitions_like_spark() {
    let golden = golden();
    let mut files = MemoryFiles::default();
    for spec in golden["files"].as_array().unwrap() {
        let (trips, file) = common::generated_green(spec);
        files.insert(&format!("green/{}/{:02}/part-0.parquet", trips.year, trips.month), file);
    }
    let session = session(files, golden["cores"].as_u64().unwrap() as usize);
    check_case(&session.read_parquet(&["green/*/*"]).unwrap(), &golden["generated folder"], "generated folder");
}

#[test]
fn hash_exchange_output_does_not_depend_on_the_input_partitioning() {
    let batches = green_trips(&TripSpec { year: 2024, month: 1, rows: 30_000, seed: 9 }).unwrap();
    let table = kindling_engine::io::Table { schema: batches[0].schema(), batches };
    let session = session(MemoryFiles::default(), 2);
    let rows_for = |inputs| {
        let df = session.create_dataframe(table.clone(), inputs).unwrap();
        rows_per_partition(&run(&df.repartition_by(13, vec![col("pulocationid")]).unwrap()))
    };
    let one = rows_for(1);
    for inputs in [2, 5, 17] {
        assert_eq!(rows_for(inputs), one, "{inputs} input partitions");
    }
}
