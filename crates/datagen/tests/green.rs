//! The generated green trips against the real TLC file in ../shared/data and against themselves.

use std::fs::File;
use std::path::PathBuf;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Float64Type, TimestampMicrosecondType};
use bytes::Bytes;
use kindling_datagen::{Codec, TripSpec, green_schema, green_trips, write_parquet};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const SPEC: TripSpec = TripSpec { year: 2020, month: 2, rows: 70_000, seed: 7 };

fn real_green_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/tlc/green_tripdata_2024-01.parquet")
}

#[test]
fn schema_has_the_real_tlc_column_names_and_types() {
    let real = ParquetRecordBatchReaderBuilder::try_new(File::open(real_green_file()).expect("the real TLC files are in ../shared/data beside the repository")).unwrap();
    let real_columns: Vec<(String, String)> =
        real.schema().fields().iter().map(|f| (f.name().clone(), f.data_type().to_string())).collect();
    let ours: Vec<(String, String)> =
        green_schema().fields().iter().map(|f| (f.name().clone(), f.data_type().to_string())).collect();
    assert_eq!(ours, real_columns);
}

#[test]
fn same_spec_gives_the_same_rows_and_another_seed_does_not() {
    let first = green_trips(&SPEC).unwrap();
    assert_eq!(first, green_trips(&SPEC).unwrap());
    assert_ne!(first, green_trips(&TripSpec { seed: 8, ..SPEC }).unwrap());
}

#[test]
fn trips_fall_in_the_month_but_a_few_strays_and_end_after_they_start() {
    let batches = green_trips(&SPEC).unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), SPEC.rows);
    let feb_2020 = 1_580_515_200_000_000_i64..1_583_020_800_000_000;
    let jan_31_2020 = 1_580_428_800_000_000_i64..feb_2020.start;
    let jan_1_2009 = 1_230_768_000_000_000_i64..1_230_854_400_000_000;
    let (mut late, mut unset_clock) = (0, 0);
    for batch in &batches {
        let pickup = batch.column(1).as_primitive::<TimestampMicrosecondType>();
        let dropoff = batch.column(2).as_primitive::<TimestampMicrosecondType>();
        for (start, end) in pickup.values().iter().zip(dropoff.values()) {
            late += jan_31_2020.contains(start) as usize;
            unset_clock += jan_1_2009.contains(start) as usize;
            assert!(feb_2020.contains(start) || jan_31_2020.contains(start) || jan_1_2009.contains(start), "{start}");
            assert!(end > start);
        }
    }
    // About one trip in 5,000 strays: 14 expected here, most of them late records of the month before.
    assert!((5..=30).contains(&(late + unset_clock)), "{late} late, {unset_clock} with an unset clock");
    assert!(late > unset_clock && unset_clock > 0, "{late} late, {unset_clock} with an unset clock");
}

/// The share of trips picked up within an hour of the trip before them.
fn share_within_an_hour_of_the_last(pickups: &[i64]) -> f64 {
    let close = pickups.windows(2).filter(|pair| (pair[1] - pair[0]).abs() < 3_600_000_000).count();
    close as f64 / (pickups.len() - 1) as f64
}

fn pickups(batches: &[arrow::record_batch::RecordBatch]) -> Vec<i64> {
    batches.iter().flat_map(|b| b.column(1).as_primitive::<TimestampMicrosecondType>().values().to_vec()).collect()
}

#[test]
fn trips_come_in_order_of_pickup_as_in_the_real_file() {
    let real = ParquetRecordBatchReaderBuilder::try_new(File::open(real_green_file()).unwrap()).unwrap().build().unwrap();
    let real = pickups(&real.collect::<Result<Vec<_>, _>>().unwrap());
    let ours = pickups(&green_trips(&SPEC).unwrap());
    let (real_share, our_share) = (share_within_an_hour_of_the_last(&real), share_within_an_hour_of_the_last(&ours));
    assert!(real_share > 0.9 && our_share > 0.9, "real {real_share}, generated {our_share}");
    let feb_2020 = 1_580_515_200_000_000_i64..1_583_020_800_000_000;
    let in_month: Vec<i64> = ours.into_iter().filter(|p| feb_2020.contains(p)).collect();
    assert!(in_month.is_sorted(), "strays aside, trips are listed as they were picked up");
}

#[test]
fn some_rows_have_nulls_where_real_data_has_them() {
    let batches = green_trips(&SPEC).unwrap();
    let nulls = |column: usize| batches.iter().map(|b| b.column(column).null_count()).sum::<usize>();
    let passenger_count_nulls = nulls(7);
    assert!((1..SPEC.rows / 10).contains(&passenger_count_nulls), "{passenger_count_nulls}");
    assert_eq!(nulls(14), SPEC.rows, "ehail_fee is always NULL");
    assert_eq!(nulls(16), 0, "total_amount is always present");
}

#[test]
fn total_amount_adds_up_its_parts() {
    let batches = green_trips(&SPEC).unwrap();
    for batch in &batches {
        let parts: Vec<_> = [9, 10, 11, 12, 13, 15].iter().map(|&c| batch.column(c).as_primitive::<Float64Type>()).collect();
        let congestion = batch.column(19).as_primitive::<Float64Type>();
        let total = batch.column(16).as_primitive::<Float64Type>();
        for row in 0..batch.num_rows() {
            let expected: f64 = parts.iter().map(|p| p.value(row)).sum::<f64>()
                + if congestion.is_null(row) { 0.0 } else { congestion.value(row) };
            assert!((total.value(row) - expected).abs() < 0.011, "row {row}: {} vs {expected}", total.value(row));
        }
    }
}

#[test]
fn parquet_round_trip_with_each_codec() {
    let batches = green_trips(&TripSpec { rows: 1000, ..SPEC }).unwrap();
    for codec in [Codec::Snappy, Codec::Gzip, Codec::Uncompressed] {
        let mut file = Vec::new();
        write_parquet(&batches, codec, &mut file).unwrap();
        let read: Vec<_> = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(file))
            .unwrap()
            .build()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(arrow::compute::concat_batches(&green_schema(), &read).unwrap(), batches[0], "{codec:?}");
    }
}
