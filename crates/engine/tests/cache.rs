//! Caching: the first action over a cached DataFrame runs its whole plan and keeps the partitions; later actions
//! read them — their jobs have no stage of the cached plan — and give the same rows; after unpersist, a query made
//! from it runs the plan again. (A DataFrame keeps the plan it was first run with, as a Spark Dataset does.)

use std::sync::Arc;

use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::cache::StorageLevel;
use kindling_engine::clock::MonotonicClock;
use kindling_engine::dataframe::DataFrame;
use kindling_engine::executor::Executors;
use kindling_engine::expr::{AggregateFunction, aggregate, col, lit};
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;

fn totals_by_zone() -> DataFrame {
    let mut files = MemoryFiles::default();
    let batches = green_trips(&TripSpec { year: 2024, month: 1, rows: 3000, seed: 7 }).unwrap();
    let mut file = Vec::new();
    write_parquet(&batches, Codec::Snappy, &mut file).unwrap();
    files.insert("green/2024/01/part-0.parquet", file.into());
    let session = Session::new(Arc::new(files), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()));
    let trips = session.read_parquet(&["green/*/*"]).unwrap();
    let by_zone = trips.group_by(vec![col("PULocationID")]).unwrap();
    by_zone.agg(vec![aggregate(AggregateFunction::Sum, col("total_amount"))]).unwrap()
}

fn sorted_rows(df: &DataFrame) -> Vec<Vec<String>> {
    let mut rows = df.result_cells().unwrap();
    rows.sort();
    rows
}

#[test]
fn later_jobs_read_the_kept_partitions_instead_of_running_the_plan() {
    let uncached = sorted_rows(&totals_by_zone());
    let cached = totals_by_zone().persist(StorageLevel::MEMORY_AND_DISK_DESER);
    assert_eq!(cached.storage_level(), Some(StorageLevel::MEMORY_AND_DISK_DESER));

    let (_, first) = cached.execute("collect").unwrap();
    assert_eq!(first.stages.len(), 2, "the first job runs the group-by's two stages");
    assert!(first.physical_plan.contains("InMemoryTableScan"), "{}", first.physical_plan);
    let (_, second) = cached.execute("collect").unwrap();
    assert_eq!(second.stages.len(), 1, "a later job only reads the kept partitions");
    assert!(!second.stages[0].operators.iter().any(|o| o.starts_with("FileScan")), "{:?}", second.stages[0].operators);
    assert_eq!(sorted_rows(&cached), uncached);
    // The kept partitions are the plan's: adaptive execution does not merge a cached plan's 200 partitions.
    assert_eq!(cached.session().cache.entries()[0].usage().kept, 200);

    let over_100 = || cached.filter(col("PULocationID").gt(lit(100))).unwrap();
    assert_eq!(over_100().execute("collect").unwrap().1.stages.len(), 1, "a query over the cached rows reads them too");

    cached.unpersist();
    assert_eq!(cached.storage_level(), None);
    assert_eq!(over_100().execute("collect").unwrap().1.stages.len(), 2, "made after unpersist, it runs the plan");
    let (_, again) = cached.execute("collect").unwrap();
    assert!(again.physical_plan.contains("InMemoryTableScan"), "the cached DataFrame keeps its plan");
    assert_eq!(again.stages.len(), 2, "but its rows were freed: they are computed again");
}
