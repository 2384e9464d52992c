//! The module's notebooks as test programs (tests/pyspark/*.py), run on generated data and compared with what
//! real PySpark printed for the same programs on the same files (tests/golden/pyspark.json, recorded by
//! tests/spark/record_pyspark.py).

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;

use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::session::Session;
use kindling_pyspark::{RunOptions, run};

fn program(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/pyspark").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The golden's files (generated trips, the real zone lookup), on `local[2]` executors as the recorder's
/// `local[*]` on this two-core machine.
fn session(golden: &serde_json::Value) -> Arc<Session> {
    let files = common::golden_files(golden);
    Session::new(Arc::new(files), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()))
}

#[test]
fn programs_print_what_pyspark_printed() {
    let golden = common::golden("pyspark.json");
    let session = session(&golden);
    let programs = golden["programs"].as_object().unwrap();
    assert!(!programs.is_empty());
    for (name, expected) in programs {
        let options = RunOptions { file_name: name.clone(), ..RunOptions::default() };
        let output = run(&session, &program(name), &options);
        if let Some(error) = &output.error {
            panic!("{name} failed:\n{}\n--- printed before:\n{}", error.traceback, output.stdout);
        }
        assert_eq!(output.stdout, expected.as_str().unwrap(), "{name}");
    }
}
