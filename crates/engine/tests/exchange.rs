//! Exchanges against real Spark (tests/golden/exchanges.json, recorded by tests/spark/record_exchanges.py): the
//! rows each output partition receives after `repartition(n, keys)` and `repartition(n)`, with input partitions
//! planned as Spark plans them.

use std::path::PathBuf;

use bytes::Bytes;
use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::exchange::{Partitioning, shuffle_read, shuffle_write};
use kindling_engine::io::file_partition::{SplitSettings, plan_file_partitions};
use kindling_engine::io::parquet::read_file_partition;
use kindling_engine::io::vfs::{MemoryFiles, resolve};
use kindling_engine::partition::Partition;
use serde_json::Value;

fn golden() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/exchanges.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/tlc/green_tripdata_2024-01.parquet");
    let mut fs = MemoryFiles::default();
    fs.insert("green.parquet", Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))));
    let cores = golden["cores"].as_u64().unwrap() as usize;
    check_case(&input_partitions(&fs, "green.parquet", cores), &golden["real green"], "real green");
}

#[test]
fn a_folder_read_as_several_partitions_repartitions_like_spark() {
    let golden = golden();
    let mut fs = MemoryFiles::default();
    for spec in golden["files"].as_array().unwrap() {
        let number = |key: &str| spec[key].as_u64().unwrap();
        let trips = TripSpec { year: number("year") as i32, month: number("month") as u32, rows: number("rows") as usize, seed: number("seed") };
        let mut file = Vec::new();
        write_parquet(&green_trips(&trips).unwrap(), Codec::Snappy, &mut file).unwrap();
        fs.insert(&format!("green/{}/{:02}/part-0.parquet", trips.year, trips.month), Bytes::from(file));
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
