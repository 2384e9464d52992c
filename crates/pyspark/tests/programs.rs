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

/// What `program` prints after a prelude that makes `words`, an RDD of six words in two partitions.
fn run_on_words(session: &Arc<Session>, program: &str) -> String {
    let prelude = "from pyspark.sql import SparkSession\n\
                   spark = SparkSession.builder.getOrCreate()\n\
                   words = spark.sparkContext.parallelize(['green', 'yellow', 'fhvhv', 'green', 'yellow', 'green'], 2)\n";
    let output = run(session, &format!("{prelude}{program}"), &RunOptions::default());
    assert!(output.error.is_none(), "{:?}", output.error);
    output.stdout
}

/// A session with no files, for programs that make their own data.
fn session_without_files() -> Arc<Session> {
    Session::new(Arc::new(kindling_engine::io::vfs::MemoryFiles::default()), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()))
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
        assert_eq!(canonical_ids(&output.stdout), canonical_ids(expected.as_str().unwrap()), "{name}");
    }
}

/// Plans' column ids (`id#12L`) numbered in order of first appearance: Spark numbers them from 0 in each recorded
/// process, these programs share one. The same id still has to appear in the same places. Exchanges' `plan_id=N`
/// are numbered the same way within each plan (Spark counts them across the session, Kindling within a plan).
fn canonical_ids(text: &str) -> String {
    let plans: Vec<String> = renumbered_after(text, "#").split(PLAN_HEADER).map(|plan| renumbered_after(plan, "plan_id=")).collect();
    plans.join(PLAN_HEADER)
}

const PLAN_HEADER: &str = "== Physical Plan ==";

/// `text` with the number after each `marker` replaced by its rank among the distinct numbers met so far.
fn renumbered_after(text: &str, marker: &str) -> String {
    let mut seen: Vec<String> = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        let after = at + marker.len();
        out.push_str(&rest[..after]);
        let digits: String = rest[after..].chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            let index = seen.iter().position(|d| *d == digits).unwrap_or_else(|| {
                seen.push(digits.clone());
                seen.len() - 1
            });
            out.push_str(&index.to_string());
        }
        rest = &rest[after + digits.len()..];
    }
    out.push_str(rest);
    out
}

/// reduceByKey's shuffle is an exchange in the job's trace like any other: two stages, and the shuffle matrix shows
/// every map partition's pairs going to the reduce partition Spark's partitioner picks.
#[test]
fn an_rdd_shuffle_appears_in_the_trace() {
    let session = session_without_files();
    let program = "print(words.map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b, 3).count())\n";
    assert_eq!(run_on_words(&session, program), "3\n");
    let job = session.jobs().pop().expect("count ran a job");
    assert_eq!(job.stages.len(), 2, "{:?}", job.stages);
    assert_eq!(job.stages.iter().map(|s| s.partitions).collect::<Vec<_>>(), [2, 3]);
    let [exchange] = job.exchanges.as_slice() else { panic!("one exchange: {:?}", job.exchanges) };
    assert_eq!(exchange.partitioning, "PythonPartitioner(3)");
    // Map-side combine: partition 0 ('green', 'yellow', 'fhvhv') and partition 1 ('green', 'yellow', 'green') send
    // one pair per distinct word; pyspark puts fhvhv, green and yellow in partitions 0, 1 and 2 (tests/pyspark/rdds.py).
    assert_eq!(exchange.matrix.rows, [vec![1, 1, 1], vec![0, 1, 1]]);
}

/// An RDD keeps its shuffle: after the first job wrote it, later jobs over the same RDD skip the map stage, as
/// real PySpark does (checked with `sc.statusTracker()` on pyspark 4.3: toDF's schema job runs the map stage's two
/// tasks, then `count()` and `collect()` list that stage with no task run).
#[test]
fn later_jobs_skip_the_map_stage_of_a_kept_rdd_shuffle() {
    let session = session_without_files();
    let program = "pairs = words.map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b, 3)\n\
                   print(pairs.toDF(['word', 'n']).count())\n\
                   print(sorted(pairs.collect()))\n";
    assert_eq!(run_on_words(&session, program), "3\n[('fhvhv', 1), ('green', 3), ('yellow', 2)]\n");
    let jobs = session.jobs();
    assert_eq!(jobs.len(), 3, "toDF's schema job, count, collect");
    let map_stage = |job: &kindling_engine::trace::JobTrace| {
        let exchange = job.exchanges.iter().find(|e| e.partitioning == "PythonPartitioner(3)").expect("the RDD shuffle is read");
        (job.stages.iter().find(|s| s.id == exchange.map_stage).unwrap().clone(), exchange.matrix.clone())
    };
    let (first, written) = map_stage(&jobs[0]);
    assert!(!first.skipped);
    assert_eq!(jobs[0].tasks.iter().filter(|t| t.stage == first.id).count(), 2);
    for job in &jobs[1..] {
        let (stage, matrix) = map_stage(job);
        assert!(stage.skipped, "{stage:?}");
        assert_eq!(job.tasks.iter().filter(|t| t.stage == stage.id).count(), 0, "a skipped stage runs no task");
        assert_eq!(matrix, written, "the reduce side reads what the first job wrote");
    }
}

/// `take` looks at one partition, then at more, job after job, as PySpark's does. The tasks each job ran were
/// checked with `sc.statusTracker()` on pyspark 4.3 (local[2]): 1, 4 and 3 tasks when only the last two of eight
/// partitions hold matches; 1 then 2 when the first partition holds 2 of 5; and for a shuffled RDD, the second
/// job skips the map stage.
#[test]
fn take_runs_more_partitions_only_while_it_needs_rows() {
    let session = session_without_files();
    let program = "from pyspark.sql import SparkSession\n\
                   sc = SparkSession.builder.getOrCreate().sparkContext\n\
                   print(sc.parallelize(list(range(16)), 8).filter(lambda x: x >= 12).take(3))\n\
                   print(sc.parallelize(list(range(16)), 8).take(5))\n\
                   pairs = sc.parallelize(['green', 'yellow', 'fhvhv', 'green', 'yellow', 'green'], 2).map(lambda w: (w, 1)).reduceByKey(lambda a, b: a + b, 3)\n\
                   print(pairs.take(2))\n";
    let output = run(&session, program, &RunOptions::default());
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.stdout, "[12, 13, 14]\n[0, 1, 2, 3, 4]\n[('fhvhv', 1), ('green', 3)]\n");
    let tasks_run = |job: &kindling_engine::trace::JobTrace| -> Vec<usize> {
        job.stages.iter().map(|s| job.tasks.iter().filter(|t| t.stage == s.id).count()).collect()
    };
    let jobs: Vec<Vec<usize>> = session.jobs().iter().map(tasks_run).collect();
    assert_eq!(jobs, [vec![1], vec![4], vec![3], vec![1], vec![2], vec![2, 1], vec![0, 2]]);
}

/// `spark.conf.set` changes the session in place: a DataFrame made before it is planned with the new settings when
/// it runs (pyspark 4.3 prints 7 here).
#[test]
fn conf_set_reaches_dataframes_made_before_it() {
    let program = "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\n\
                   df = spark.range(100)\ncounts = df.groupBy((df.id % 10).alias('k')).count()\n\
                   spark.conf.set('spark.sql.adaptive.enabled', 'false')\n\
                   spark.conf.set('spark.sql.shuffle.partitions', '7')\nprint(counts.rdd.getNumPartitions())\n";
    let output = run(&session_without_files(), program, &RunOptions::default());
    assert!(output.error.is_none(), "{:?}", output.error);
    assert_eq!(output.stdout, "7\n");
}

/// A DataFrame of Python rows is Spark's `Scan ExistingRDD`, by that name in the stage's operators and in the
/// operator graph, as the Spark UI names it.
#[test]
fn python_rows_are_scanned_as_an_existing_rdd_in_the_views() {
    let session = session_without_files();
    let program = "df = spark.createDataFrame([(1, 'a'), (2, 'b')], ['n', 's'])\nprint(df.groupBy('s').count().count())\n";
    assert_eq!(run_on_words(&session, program), "2\n");
    let job = session.jobs().pop().expect("count ran a job");
    let map_stage = job.stages.iter().find(|s| s.operators.iter().any(|o| o.starts_with("Scan"))).expect("a stage scans the rows");
    assert_eq!(map_stage.operators.last().map(String::as_str), Some("Scan ExistingRDD"), "{:?}", map_stage.operators);
    assert!(job.plan_graph.nodes.iter().any(|n| n.name == "Scan ExistingRDD"), "{:?}", job.plan_graph.nodes);
}
