//! The per-partition sum job on generated trips and on a real TLC file.

use arrow::array::AsArray;
use arrow::datatypes::Float64Type;
use bytes::Bytes;
use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::EngineError;
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::io::Table;
use kindling_engine::io::parquet::read_parquet;
use kindling_engine::job::sum_per_partition;
use parquet::file::reader::{FileReader, SerializedFileReader};

fn generated_table(rows: usize) -> Table {
    let batches = green_trips(&TripSpec { year: 2024, month: 1, rows, seed: 3 }).unwrap();
    let mut file = Vec::new();
    write_parquet(&batches, Codec::Snappy, &mut file).unwrap();
    read_parquet(Bytes::from(file)).unwrap()
}

mod common;

fn real_green_file() -> Bytes {
    common::shared_data(common::REAL_GREEN)
}

/// The column summed row by row in file order, as an independent reference.
fn sequential_sum(table: &Table, column: &str) -> f64 {
    let index = table.schema.index_of(column).unwrap();
    table.batches.iter().flat_map(|b| b.column(index).as_primitive::<Float64Type>().iter().flatten().collect::<Vec<_>>()).sum()
}

#[test]
fn integer_sums_are_exact_for_any_partition_and_executor_count() {
    let table = generated_table(20_000);
    let expected: f64 = table
        .batches
        .iter()
        .flat_map(|b| b.column(5).as_primitive::<arrow::datatypes::Int32Type>().values().to_vec())
        .map(f64::from)
        .sum();
    for executors in [1, 2, 3] {
        let pool = Executors::local(executors).unwrap();
        for partitions in [1, 2, 7, 16, 33] {
            let result = sum_per_partition(&table, "PULocationID", partitions, &pool, &MonotonicClock::new()).unwrap();
            assert_eq!(result.total, Some(expected), "{partitions} partitions on {executors} executors");
            assert_eq!(result.partitions.len(), partitions);
            assert_eq!(result.partitions.iter().map(|p| p.rows).sum::<u64>(), 20_000);
        }
    }
}

#[test]
fn every_partition_is_one_task_on_one_of_the_executors() {
    let table = generated_table(50_000);
    let pool = Executors::local(3).unwrap();
    let result = sum_per_partition(&table, "total_amount", 24, &pool, &MonotonicClock::new()).unwrap();
    let trace = &result.trace;
    assert_eq!(trace.executors, 3);
    let partitions: Vec<usize> = trace.tasks.iter().map(|t| t.partition).collect();
    assert_eq!(partitions, (0..24).collect::<Vec<_>>());
    assert!(trace.tasks.iter().all(|t| t.executor < 3 && t.stage == 0 && t.end_us >= t.start_us));
    assert_eq!(trace.executors_used(), vec![0, 1, 2], "the first wave gives every executor a task");
    assert_eq!(trace.partitions.iter().map(|p| p.rows).sum::<u64>(), 50_000);
    assert!(trace.partitions.iter().all(|p| p.bytes > 0));
}

#[test]
fn the_same_partitioning_gives_the_same_doubles_on_any_number_of_executors() {
    let table = generated_table(30_000);
    let sums = |executors| {
        let pool = Executors::local(executors).unwrap();
        sum_per_partition(&table, "total_amount", 10, &pool, &MonotonicClock::new()).unwrap().partitions
    };
    assert_eq!(sums(1), sums(4));
}

#[test]
fn real_tlc_file_sums_agree_with_a_sequential_sum() {
    let table = read_parquet(real_green_file()).unwrap();
    let metadata_rows = SerializedFileReader::new(real_green_file()).unwrap().metadata().file_metadata().num_rows();
    assert_eq!(table.num_rows() as i64, metadata_rows);
    let pool = Executors::local(2).unwrap();
    let result = sum_per_partition(&table, "total_amount", 8, &pool, &MonotonicClock::new()).unwrap();
    let expected = sequential_sum(&table, "total_amount");
    let total = result.total.unwrap();
    // Partitioned and sequential sums add the same doubles in different groupings: equal up to rounding.
    assert!((total - expected).abs() <= expected.abs() * 1e-12, "{total} vs {expected}");
}

#[test]
fn columns_resolve_case_insensitively_like_spark() {
    let table = generated_table(100);
    let pool = Executors::local(1).unwrap();
    let result = sum_per_partition(&table, "TOTAL_AMOUNT", 2, &pool, &MonotonicClock::new()).unwrap();
    assert_eq!(result.column, "total_amount");
}

#[test]
fn an_all_null_column_sums_to_null() {
    let table = generated_table(100);
    let pool = Executors::local(1).unwrap();
    let result = sum_per_partition(&table, "ehail_fee", 3, &pool, &MonotonicClock::new()).unwrap();
    assert_eq!(result.total, None);
    assert!(result.partitions.iter().all(|p| p.sum.is_none()));
}

#[test]
fn unknown_and_non_numeric_columns_are_errors_that_say_why() {
    let table = generated_table(100);
    let pool = Executors::local(1).unwrap();
    let missing = sum_per_partition(&table, "totl_amount", 2, &pool, &MonotonicClock::new()).unwrap_err();
    assert!(matches!(missing, EngineError::ColumnNotFound { .. }));
    assert!(missing.to_string().contains("`totl_amount`") && missing.to_string().contains("total_amount"), "{missing}");
    let text = sum_per_partition(&table, "store_and_fwd_flag", 2, &pool, &MonotonicClock::new()).unwrap_err();
    assert!(text.to_string().contains("cannot be summed"), "{text}");
}

#[test]
fn a_broken_file_is_an_error_not_a_panic() {
    let mut file = real_green_file().to_vec();
    file.truncate(file.len() / 2);
    let error = read_parquet(Bytes::from(file)).unwrap_err();
    assert!(error.to_string().starts_with("cannot read Parquet"), "{error}");
}

#[test]
fn zero_executors_is_rejected() {
    assert!(Executors::local(0).is_err());
}
