//! Real TLC files come GZIP-compressed (files re-exported in 2022) or SNAPPY-compressed (newer ones): the same trips
//! written with either codec, or none, read back as the same rows.

use std::sync::Arc;

use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;

#[test]
fn gzip_snappy_and_uncompressed_files_hold_the_same_rows() {
    let trips = green_trips(&TripSpec { year: 2020, month: 1, rows: 5000, seed: 8 }).unwrap();
    let mut files = MemoryFiles::default();
    for (name, codec) in [("snappy", Codec::Snappy), ("gzip", Codec::Gzip), ("none", Codec::Uncompressed)] {
        let mut file = Vec::new();
        write_parquet(&trips, codec, &mut file).unwrap();
        files.insert(&format!("{name}.parquet"), file.into());
    }
    let session = Session::new(Arc::new(files), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()));
    let rows = |name: &str| session.read_parquet(&[&format!("{name}.parquet")]).unwrap().collect().unwrap();
    let snappy = rows("snappy");
    assert_eq!(snappy.len(), 5000);
    assert_eq!(rows("gzip"), snappy);
    assert_eq!(rows("none"), snappy);
}
