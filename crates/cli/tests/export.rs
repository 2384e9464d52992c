//! `kindling export`: the exported script, run on real pyspark with the paths as arguments, prints what the
//! original program printed on Kindling. Needs pyspark and Java 17 (scripts/setup.sh installs pyspark).

use std::path::{Path, PathBuf};
use std::process::Command;

fn kindling(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_kindling")).current_dir(dir).args(args).output().unwrap();
    assert!(output.status.success(), "kindling {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn program() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/export/revenue.py")
}

#[test]
fn an_exported_program_gives_the_same_result_on_real_pyspark() {
    let dir = std::env::temp_dir().join(format!("kindling-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    kindling(&dir, &["gen", "green", "--year", "2021", "--months", "1-2", "--rows", "5000", "--out", "data/pq"]);
    kindling(&dir, &["gen", "zones", "--year", "2021", "--rows", "0", "--out", "taxi+_zone_lookup.csv"]);
    let original = program();
    let on_kindling = kindling(&dir, &["run", original.to_str().unwrap(), "--master", "local[2]"]);

    kindling(&dir, &["export", original.to_str().unwrap(), "--out", "exported.py"]);
    let script = std::fs::read_to_string(dir.join("exported.py")).unwrap();
    assert!(!script.contains("local[*]") && !script.contains("parquet(\"data"), "no master, no local paths:\n{script}");
    let spark = Command::new("python3")
        .current_dir(&dir)
        .env("SPARK_LOCAL_IP", "127.0.0.1")
        .args(["exported.py", "--input_green", "data/pq/green/*/*", "--input_taxi_zone_lookup", "taxi+_zone_lookup.csv"])
        .args(["--output_report", dir.join("spark-report").to_str().unwrap()])
        .output()
        .expect("python3 with pyspark (scripts/setup.sh installs it)");
    let stderr = String::from_utf8_lossy(&spark.stderr);
    assert!(spark.status.success(), "the exported script failed on pyspark:\n{stderr}");
    assert_eq!(String::from_utf8(spark.stdout).unwrap(), on_kindling);
    std::fs::remove_dir_all(dir).unwrap();
}
