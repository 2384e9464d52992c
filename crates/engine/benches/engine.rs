//! Throughput of the engine's building blocks on TLC-shaped data: Parquet scan, filter, hash aggregate and
//! exchange. Run with `cargo bench -p kindling-engine`; each reports rows per second.

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::dataframe::DataFrame;
use kindling_engine::executor::Executors;
use kindling_engine::expr::{AggregateFunction, aggregate, col, lit};
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;

const ROWS: usize = 1_000_000;

fn trips() -> DataFrame {
    let batches = green_trips(&TripSpec { year: 2024, month: 1, rows: ROWS, seed: 1 }).unwrap();
    let mut file = Vec::new();
    write_parquet(&batches, Codec::Snappy, &mut file).unwrap();
    let mut files = MemoryFiles::default();
    files.insert("green.parquet", file.into());
    let executors = std::thread::available_parallelism().map_or(2, |n| n.get());
    let session = Session::new(Arc::new(files), Executors::local(executors).unwrap(), Arc::new(MonotonicClock::new()));
    session.read_parquet(&["green.parquet"]).unwrap()
}

fn benches(c: &mut Criterion) {
    let trips = trips();
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("parquet scan", |b| b.iter(|| trips.count().unwrap()));
    let expensive = trips.filter(col("total_amount").gt(lit(25.0))).unwrap();
    group.bench_function("filter", |b| b.iter(|| expensive.count().unwrap()));
    let by_zone = trips
        .group_by(vec![col("PULocationID")])
        .unwrap()
        .agg(vec![aggregate(AggregateFunction::Sum, col("total_amount")), aggregate(AggregateFunction::Count, lit(1))])
        .unwrap();
    group.bench_function("hash aggregate", |b| b.iter(|| by_zone.collect().unwrap()));
    let shuffled = trips.select(vec![col("PULocationID"), col("total_amount")]).unwrap().repartition_by(200, vec![col("PULocationID")]).unwrap();
    group.bench_function("exchange", |b| b.iter(|| shuffled.count().unwrap()));
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
