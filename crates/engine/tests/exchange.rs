//! Exchanges against real Spark (tests/golden/exchanges.json, recorded by tests/spark/record_exchanges.py): the
//! rows each output partition receives after `repartition(n, keys)` and `repartition(n)`, with input partitions
//! planned as Spark plans them.

use kindling_datagen::{TripSpec, green_trips};
use kindling_engine::exchange::{Partitioning, shuffle_read, shuffle_write};
use kindling_engine::io::file_partition::{SplitSettings, plan_file_partitions};
use kindling_engine::io::parquet::read_file_partition;
use kindling_engine::io::vfs::{MemoryFiles, resolve};
use kindling_engine::partition::Partition;
use serde_json::Value;

mod common;

fn golden() -> Value {
    common::golden("exchanges.json")
}

fn counts(values: &Value) -> Vec<u64> {
    values.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
}

/// The scan's partitions, as Spark would cut these files on `cores` cores.
fn input_partitions(fs: &MemoryFiles, pattern: &str, cores: usize) -> Vec<Partition> {
    let files = resolve(fs, pattern).unwrap();
    plan_file_partitions(&files, &SplitSettings::with_cores(cores))
        .iter()
        .map(|p| Partition { id: p.index, batches: read_file_partition(fs, p).unwrap() })
        .collect()
}

fn exchange(input: &[Partition], partitioning: &Partitioning) -> Vec<u64> {
    let outputs = input.iter().map(|p| shuffle_write(p, partitioning).unwrap()).collect();
    let (reduced, matrix) = shuffle_read(outputs, partitioning.partition_count());
    let rows: Vec<u64> = reduced.iter().map(|p| p.num_rows() as u64).collect();
    assert_eq!(matrix.rows_per_reduce_partition(), rows, "the shuffle matrix accounts for every row");
    assert_eq!(matrix.rows.len(), input.len());
    rows
}

fn check_case(input: &[Partition], case: &Value, name: &str) {
    let input_rows: Vec<u64> = input.iter().map(|p| p.num_rows() as u64).collect();
    assert_eq!(input_rows, counts(&case["input_rows_per_partition"]), "input partitions of {name}");
    for hash in case["hash"].as_array().unwrap() {
        let keys: Vec<String> = hash["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
        let partitioning = Partitioning::Hash { keys, partitions: hash["partitions"].as_u64().unwrap() as usize };
        assert_eq!(exchange(input, &partitioning), counts(&hash["rows_per_partition"]), "{name}: {partitioning:?}");
    }
    for round_robin in case["round_robin"].as_array().unwrap() {
        let partitioning = Partitioning::RoundRobin { partitions: round_robin["partitions"].as_u64().unwrap() as usize };
        assert_eq!(exchange(input, &partitioning), counts(&round_robin["rows_per_partition"]), "{name}: {partitioning:?}");
    }
}

#[test]
fn the_real_green_file_repartitions_like_spark() {
    let golden = golden();
    let mut fs = MemoryFiles::default();
    fs.insert("green.parquet", common::shared_data(common::REAL_GREEN));
    let cores = golden["cores"].as_u64().unwrap() as usize;
    check_case(&input_partitions(&fs, "green.parquet", cores), &golden["real green"], "real green");
}

#[test]
fn a_folder_read_as_several_partitions_repartitions_like_spark() {
    let golden = golden();
    let mut fs = MemoryFiles::default();
    for spec in golden["files"].as_array().unwrap() {
        let (trips, file) = common::generated_green(spec);
        fs.insert(&format!("green/{}/{:02}/part-0.parquet", trips.year, trips.month), file);
    }
    let cores = golden["cores"].as_u64().unwrap() as usize;
    check_case(&input_partitions(&fs, "green/*/*", cores), &golden["generated folder"], "generated folder");
}

#[test]
fn hash_exchange_output_does_not_depend_on_the_input_partitioning() {
    let batches = green_trips(&TripSpec { year: 2024, month: 1, rows: 30_000, seed: 9 }).unwrap();
    let table = kindling_engine::io::Table { schema: batches[0].schema(), batches };
    let partitioning = Partitioning::Hash { keys: vec!["pulocationid".into()], partitions: 13 };
    let rows_for = |inputs| exchange(&kindling_engine::partition::split_evenly(&table, inputs), &partitioning);
    let one = rows_for(1);
    for inputs in [2, 5, 17] {
        assert_eq!(rows_for(inputs), one, "{inputs} input partitions");
    }
}
