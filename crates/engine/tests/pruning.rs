//! Row-group pruning: a filter pushed into a Parquet scan skips row groups whose statistics rule it out, and the
//! result is the same as filtering every row.

use std::sync::Arc;

use arrow::compute::{sort_to_indices, take_record_batch};
use arrow::record_batch::RecordBatch;
use kindling_datagen::{TripSpec, green_trips};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::expr::{Expr, col, lit};
use kindling_engine::io::Table;
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

const ROWS: usize = 20_000;
const ROW_GROUP: usize = 2_000;

/// Trips sorted by pickup time, so each row group covers a few days of the month.
fn sorted_trips() -> RecordBatch {
    let batches = green_trips(&TripSpec { year: 2024, month: 1, rows: ROWS, seed: 3 }).unwrap();
    let all = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
    let order = sort_to_indices(all.column_by_name("lpep_pickup_datetime").unwrap(), None, None).unwrap();
    take_record_batch(&all, &order).unwrap()
}

fn session_with(trips: &RecordBatch) -> Arc<Session> {
    let mut file = Vec::new();
    let properties = WriterProperties::builder().set_max_row_group_row_count(Some(ROW_GROUP)).build();
    let mut writer = ArrowWriter::try_new(&mut file, trips.schema(), Some(properties)).unwrap();
    writer.write(trips).unwrap();
    writer.close().unwrap();
    let mut files = MemoryFiles::default();
    files.insert("sorted.parquet", file.into());
    Session::new(Arc::new(files), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()))
}

fn check(condition: Expr, expect_skipping: bool) {
    let trips = sorted_trips();
    let session = session_with(&trips);
    let scanned = session.read_parquet(&["sorted.parquet"]).unwrap().filter(condition.clone()).unwrap();
    let (batches, trace) = scanned.execute("pruned").unwrap();
    let rows_read: u64 = trace.tasks.iter().filter(|t| t.stage == 0).map(|t| t.rows_in).sum();
    let in_memory = Table { schema: trips.schema(), batches: vec![trips] };
    let expected = session.create_dataframe(in_memory, 1).unwrap().filter(condition).unwrap().count().unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>() as i64, expected);
    if expect_skipping {
        assert!(rows_read < ROWS as u64, "read {rows_read} of {ROWS} rows");
        assert_eq!(rows_read % ROW_GROUP as u64, 0, "whole row groups are skipped");
    } else {
        assert_eq!(rows_read, ROWS as u64);
    }
}

#[test]
fn a_range_filter_on_the_sort_column_skips_row_groups() {
    check(col("lpep_pickup_datetime").gt_eq(lit("2024-01-25 00:00:00")), true);
    check(col("lpep_pickup_datetime").lt(lit("2024-01-03 00:00:00")), true);
}

#[test]
fn a_filter_statistics_cannot_decide_reads_everything() {
    check(col("total_amount").gt(lit(40.0)), false);
    check(col("PULocationID").eq(lit(74)), false);
}
