//! Damaged Parquet files (the fuzzer's reproducers in ../shared/reliability/crashers) end in an error about the
//! file, never a panic: a footer with absurd sizes, a dictionary page of the wrong type or with no values, a
//! negative column start, page offsets past the data.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::io::parquet::{read_parquet, read_schema};
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;

fn crasher(name: &str) -> Bytes {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reliability/crashers").join(name).join("f.parquet");
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

const DAMAGED: [&str; 5] = [
    "parquet-panic-add-overflow-midpoint",
    "parquet-panic-dict-decoder-not-set",
    "parquet-panic-divide-by-zero",
    "parquet-panic-negative-column-start",
    "parquet-panic-subtract-overflow-pages-ahead",
];

#[test]
fn a_damaged_file_is_an_error_whoever_reads_it() {
    for name in DAMAGED {
        let file = crasher(name);
        // Whole-file reads (the CLI's show and schema) and a session's scan (count, collect) on executors.
        let whole = std::panic::catch_unwind(|| read_schema(file.clone()).and_then(|_| read_parquet(file.clone()).map(|t| t.batches.len())));
        assert!(whole.is_ok(), "{name}: reading the whole file panicked");
        let mut files = MemoryFiles::default();
        files.insert("f.parquet", file);
        let session = Session::new(Arc::new(files), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()));
        let scanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| session.read_parquet(&["f.parquet"]).and_then(|df| df.collect())));
        let Ok(scanned) = scanned else { panic!("{name}: the scan panicked") };
        if let Err(error) = scanned {
            assert!(!error.to_string().contains("a bug in Kindling"), "{name}: {error}");
        }
    }
}
