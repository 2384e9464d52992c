//! The engine's central promise: the same data and the same job give the same result whatever the number of
//! partitions (1..64), executors (1..4) and shuffle partitions. Only the order of unordered results and the last
//! bits of floating-point sums (added in a different order) may change; sorted results keep their order exactly.

use std::sync::{Arc, OnceLock};

use kindling_datagen::{TripSpec, green_trips};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::dataframe::{DataFrame, JoinOn};
use kindling_engine::executor::Executors;
use kindling_engine::expr::{AggregateFunction, aggregate, call, col, count_distinct, lit};
use kindling_engine::functions::ScalarFunction;
use kindling_engine::io::Table;
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;
use kindling_engine::value::{Row, Value};
use proptest::prelude::*;

fn trips() -> &'static Table {
    static TRIPS: OnceLock<Table> = OnceLock::new();
    TRIPS.get_or_init(|| {
        let batches = green_trips(&TripSpec { year: 2024, month: 3, rows: 3000, seed: 5 }).unwrap();
        Table { schema: batches[0].schema(), batches }
    })
}

/// Every job of the property, each as rows sorted into a canonical order.
fn results(partitions: usize, executors: usize, shuffle_partitions: usize) -> Vec<Vec<Row>> {
    let mut session = Session::new(Arc::new(MemoryFiles::default()), Executors::local(executors).unwrap(), Arc::new(MonotonicClock::new()));
    let mut config = session.config();
    config.shuffle_partitions = shuffle_partitions;
    session = session.with_config(config);
    let trips = session.create_dataframe(trips().clone(), partitions).unwrap();
    let jobs: Vec<DataFrame> = vec![
        trips
            .group_by(vec![col("PULocationID")])
            .unwrap()
            .agg(vec![
                aggregate(AggregateFunction::Sum, col("total_amount")),
                aggregate(AggregateFunction::Count, lit(1)),
                aggregate(AggregateFunction::Avg, col("passenger_count")),
                aggregate(AggregateFunction::Min, col("lpep_pickup_datetime")),
                aggregate(AggregateFunction::Max, col("trip_distance")),
            ])
            .unwrap(),
        trips
            .filter(col("total_amount").gt(lit(20.0)))
            .unwrap()
            .group_by(vec![call(ScalarFunction::DateTrunc, vec![lit("day"), col("lpep_pickup_datetime")]).alias("day")])
            .unwrap()
            .agg(vec![count_distinct(col("DOLocationID")).alias("zones")])
            .unwrap(),
        trips.select(vec![col("VendorID"), col("payment_type")]).unwrap().distinct().unwrap(),
        trips.repartition_by(7, vec![col("DOLocationID")]).unwrap().coalesce(3).unwrap().select(vec![col("DOLocationID")]).unwrap(),
        trips.union(&trips.filter(col("VendorID").eq(lit(1))).unwrap()).unwrap().group_by(vec![col("VendorID")]).unwrap().count().unwrap(),
    ];
    let mut results: Vec<Vec<Row>> = jobs.iter().map(|job| sorted(job.collect().unwrap())).collect();
    // A global sort must give the same order however the rows were partitioned: these are not re-sorted.
    let order = || vec![col("total_amount").desc(), col("lpep_pickup_datetime").asc(), col("PULocationID").asc(), col("DOLocationID").asc()];
    let ordered = trips.select(vec![col("total_amount"), col("lpep_pickup_datetime"), col("PULocationID"), col("DOLocationID")]).unwrap();
    results.push(ordered.order_by(order()).unwrap().collect().unwrap());
    results.push(ordered.order_by(order()).unwrap().limit(40).collect().unwrap());
    // Joins, by both strategies: a small side is broadcast, a threshold of -1 forces a sort-merge join.
    let zones = trips.group_by(vec![col("DOLocationID")]).unwrap().count().unwrap();
    let on_zone = || trips.column("PULocationID").unwrap().eq(zones.column("DOLocationID").unwrap());
    for how in ["inner", "left", "right", "full", "left_semi", "left_anti"] {
        let joined = trips.select(vec![col("PULocationID"), col("total_amount")]).unwrap().join(&zones, JoinOn::Condition(on_zone()), how).unwrap();
        results.push(sorted(joined.collect().unwrap()));
    }
    let mut config = session.config();
    config.set("spark.sql.autoBroadcastJoinThreshold", "-1").unwrap();
    let merge_session = session.with_config(config);
    let trips_again = merge_session.create_dataframe(trips_table(), partitions).unwrap();
    let by_vendor = trips_again.group_by(vec![col("VendorID")]).unwrap().count().unwrap();
    let merged = trips_again.join(&by_vendor, JoinOn::Columns(vec!["VendorID".into()]), "full").unwrap();
    results.push(sorted(merged.collect().unwrap()));
    results
}

fn trips_table() -> Table {
    trips().clone()
}

fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by_key(|row| row.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join("|"));
    rows
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

fn reference() -> &'static Vec<Vec<Row>> {
    static REFERENCE: OnceLock<Vec<Vec<Row>>> = OnceLock::new();
    REFERENCE.get_or_init(|| results(1, 1, 200))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn results_do_not_depend_on_partitions_or_executors(partitions in 1usize..=64, executors in 1usize..=4, shuffle_partitions in 1usize..=64) {
        let ours = results(partitions, executors, shuffle_partitions);
        for (job, (rows, expected)) in ours.iter().zip(reference()).enumerate() {
            prop_assert_eq!(rows.len(), expected.len(), "job {} row count", job);
            for (row, want) in rows.iter().zip(expected) {
                let equal = row.len() == want.len() && row.iter().zip(want).all(|(a, b)| same_value(a, b));
                prop_assert!(equal, "job {}: {:?} vs {:?}", job, row, want);
            }
        }
    }
}
