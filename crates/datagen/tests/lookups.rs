//! The generated zone lookup and fhvhv trips against the real files' columns in ../shared/data.

use std::path::PathBuf;

use kindling_datagen::{TripSpec, fhv_trips, fhvhv_trips, write_csv, zone_lookup};

fn real_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data").join(name)
}

fn header_of(path: PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().next().unwrap().split(',').map(|name| name.trim_matches('"').to_string()).collect()
}

fn written_csv(batches: &[arrow::record_batch::RecordBatch]) -> String {
    let mut out = Vec::new();
    write_csv(batches, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_zone_lookup_has_the_real_columns_and_265_zones() {
    let csv = written_csv(&zone_lookup(7).unwrap());
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0].split(',').collect::<Vec<_>>(), header_of(real_file("taxi_zone_lookup.csv")));
    assert_eq!(lines.len(), 1 + 265);
    assert!(lines[1].starts_with("1,EWR,"), "{}", lines[1]);
    assert_eq!(lines[265], "265,Unknown,,", "zone 265 has no name and no service zone, as in the real file");
}

#[test]
fn fhvhv_trips_have_the_courses_seven_columns_of_the_real_file() {
    let batches = fhvhv_trips(&TripSpec { year: 2021, month: 2, rows: 500, seed: 1 }).unwrap();
    let csv = written_csv(&batches);
    let header: Vec<String> = csv.lines().next().unwrap().split(',').map(String::from).collect();
    // The 2021 files the course reads had SR_Flag, which the current fhvhv files dropped and the fhv files keep.
    let mut real = header_of(real_file("tlc/fhvhv_tripdata_sample_2020-04.csv"));
    real.extend(header_of(real_file("tlc/fhv_tripdata_sample_2020-04.csv")));
    assert!(header.iter().all(|name| real.contains(name)), "{header:?} not all in {real:?}");
    assert_eq!(header.len(), 7);
    let first = csv.lines().nth(1).unwrap();
    assert!(first.contains(",2021-02-"), "timestamps as the CSV files write them: {first}");
    assert_eq!(csv.lines().count(), 501);
}

#[test]
fn fhv_trips_have_the_real_fhv_files_columns() {
    let csv = written_csv(&fhv_trips(&TripSpec { year: 2020, month: 4, rows: 300, seed: 3 }).unwrap());
    let header: Vec<String> = csv.lines().next().unwrap().split(',').map(String::from).collect();
    assert_eq!(header, header_of(real_file("tlc/fhv_tripdata_sample_2020-04.csv")));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().any(|row| row.contains(",,,")), "trips without zones, as in the real file");
}
