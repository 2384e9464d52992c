//! The operator graph of a job against Spark's SQL tab: the programs in tests/metrics/ run in Kindling on the
//! generated trips, and the last job's plan graph must have the operators Spark's graph has, in the same order,
//! with the row counts (and shuffle records, partitions and files) Spark's operators reported (tests/golden/sql_metrics.json, recorded from Spark's REST API by
//! tests/spark/record_sql_metrics.py).

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;

use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::plan_graph::PlanGraph;
use kindling_engine::session::Session;
use kindling_pyspark::{RunOptions, run};
use serde_json::Value;

const OUTPUT_ROWS: &str = "number of output rows";

/// The counts compared with Spark's wherever Spark shows them: rows, what a shuffle moved, partitions and files.
/// (Batches, sizes and times depend on how each engine stores and runs things.)
const COUNTS: [&str; 7] = [
    OUTPUT_ROWS,
    "shuffle records written",
    "records read",
    "number of partitions",
    "number of files read",
    "number of partitions read",
    "number of coalesced partitions",
];

fn program(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/metrics").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The program's last job's plan graph, on `local[2]` as the recorder's session.
fn plan_graph(golden: &Value, name: &str) -> PlanGraph {
    let session = Session::new(Arc::new(common::golden_files(golden)), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()));
    let output = run(&session, &program(name), &RunOptions { file_name: name.to_string(), ..RunOptions::default() });
    if let Some(error) = &output.error {
        panic!("{name} failed:\n{}", error.traceback);
    }
    session.jobs().pop().unwrap_or_else(|| panic!("{name} ran no job")).plan_graph
}

/// Spark's nodes in its numbering, without the whole-stage-codegen boxes (Kindling groups operators by stage).
fn spark_operators(graph: &Value) -> Vec<&Value> {
    let nodes = graph["nodes"].as_array().unwrap();
    nodes.iter().filter(|n| !n["name"].as_str().unwrap().starts_with("WholeStageCodegen")).collect()
}

fn spark_count(text: &str) -> u64 {
    text.replace(',', "").parse().unwrap_or_else(|_| panic!("not a count: {text}"))
}

/// Spark's node standing for a DataFrame made from an RDD (`toDF`), below which it lists the RDD's source plan.
const EXISTING_RDD: &str = "Scan ExistingRDD";

#[test]
fn operators_and_their_row_counts_are_sparks() {
    let golden = common::golden("sql_metrics.json");
    let programs = golden["programs"].as_object().unwrap();
    assert_eq!(programs.len(), 6);
    for (name, spark) in programs {
        let ours = plan_graph(&golden, name);
        let spark = spark_operators(spark);
        if spark[0]["name"] == EXISTING_RDD {
            check_rdd_job(name, &ours, &spark);
            continue;
        }
        let names = |nodes: Vec<&str>| nodes.join(" / ");
        assert_eq!(
            names(ours.nodes.iter().map(|n| n.name.as_str()).collect()),
            names(spark.iter().map(|n| n["name"].as_str().unwrap()).collect()),
            "{name}: the operators, top down"
        );
        for (node, spark_node) in ours.nodes.iter().zip(&spark) {
            for metric in COUNTS {
                let Some(expected) = spark_node["metrics"][metric].as_str() else { continue };
                let ours = node.metric(metric).unwrap_or_else(|| panic!("{name}: {} has no {metric}", node.name));
                assert_eq!(ours.total(), spark_count(expected), "{name}: {metric} of {} (node {})", node.name, node.id);
            }
        }
    }
}

/// Spark's SQL tab shows a DataFrame made from an RDD as one `Scan ExistingRDD` (its rows: the RDD's elements)
/// above the plan the RDD came from; the RDD's own steps and its shuffle run in jobs the SQL tab does not show.
/// Kindling runs the RDD's steps in the DataFrame's job and draws them (a deliberate difference): its topmost RDD
/// step hands on Spark's rows, and the source plan is Spark's, at the bottom.
fn check_rdd_job(name: &str, ours: &PlanGraph, spark: &[&Value]) {
    let top_step = ours.nodes.iter().find(|n| n.name.starts_with("PythonRDD")).unwrap_or_else(|| panic!("{name}: no RDD step"));
    let rows = spark_count(spark[0]["metrics"][OUTPUT_ROWS].as_str().unwrap());
    assert_eq!(top_step.metric(OUTPUT_ROWS).unwrap().total(), rows, "{name}: rows out of the RDD");
    assert!(ours.nodes.iter().any(|n| n.name == "Exchange"), "{name}: reduceByKey's shuffle is drawn");
    let source: Vec<&str> = spark[1..].iter().map(|n| n["name"].as_str().unwrap()).collect();
    let bottom: Vec<&str> = ours.nodes[ours.nodes.len() - source.len()..].iter().map(|n| n.name.as_str()).collect();
    assert_eq!(bottom, source, "{name}: the RDD's source plan");
}
