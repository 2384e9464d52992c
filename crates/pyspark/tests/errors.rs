//! Bad programs end with a Python-style traceback about the user's own lines — never a panic or a hang.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;
use kindling_pyspark::{PythonError, RunOptions, run};

fn session() -> Arc<Session> {
    Session::new(Arc::new(MemoryFiles::default()), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()))
}

const PRELUDE: &str = "from pyspark.sql import SparkSession, types\nfrom pyspark.sql import functions as F\n\
                       spark = SparkSession.builder.master('local[2]').getOrCreate()\n";

fn failure(program: &str, options: &RunOptions) -> PythonError {
    let output = run(&session(), &format!("{PRELUDE}{program}"), options);
    output.error.unwrap_or_else(|| panic!("the program should fail; it printed:\n{}", output.stdout))
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let error = failure("x = 1\nprint(x))\ny = 2\n", &RunOptions::default());
    assert!(error.summary.starts_with("SyntaxError"), "{}", error.traceback);
    assert!(error.traceback.contains("File \"main.py\", line 5\n    print(x))\n            ^"), "{}", error.traceback);
    assert_eq!(error.line, Some(5));
    let unclosed = failure("x = 1\nprint(x\n", &RunOptions::default());
    assert!(unclosed.summary.starts_with("SyntaxError"), "{}", unclosed.traceback);
}

#[test]
fn an_exception_in_a_udf_names_the_function_line_and_row() {
    let program = "df = spark.createDataFrame([(1, 'a'), (0, 'b')], ['x', 'y'])\n\
                   def inverse(x):\n    return 10 // x\n\
                   inverse_udf = F.udf(inverse, types.LongType())\n\
                   df.select(inverse_udf(df.x)).show()\n";
    let error = failure(program, &RunOptions::default());
    assert!(error.summary.starts_with("pyspark.errors.exceptions.captured.PythonException"), "{}", error.traceback);
    assert!(error.traceback.contains("File \"main.py\", line 6, in inverse\n    return 10 // x"), "{}", error.traceback);
    assert!(error.traceback.contains("ZeroDivisionError"), "{}", error.traceback);
    assert!(error.traceback.contains("The input that failed: inverse(x = 0)"), "{}", error.traceback);
    assert_eq!(error.line, Some(8), "the action's line in the program");
}

#[test]
fn an_exception_in_an_rdd_function_names_the_element() {
    let program = "rdd = spark.sparkContext.parallelize([4, 2, 0, 1], 2)\n\
                   print(rdd.map(lambda n: 8 // n).collect())\n";
    let error = failure(program, &RunOptions::default());
    assert!(error.traceback.contains("ZeroDivisionError"), "{}", error.traceback);
    assert!(error.traceback.contains("The input that failed: 0"), "{}", error.traceback);
    assert_eq!(error.line, Some(5));
}

#[test]
fn an_unknown_method_is_an_attribute_error_on_its_line() {
    let error = failure("df = spark.range(3)\ndf.toPandas()\n", &RunOptions::default());
    assert!(error.summary.contains("toPandas"), "{}", error.traceback);
    assert_eq!(error.line, Some(5));
}

#[test]
fn a_pyspark_function_kindling_lacks_says_so_on_its_line() {
    let error = failure("df = spark.range(3)\ndf.select(F.hll_sketch_agg('id')).show()\n", &RunOptions::default());
    assert!(error.summary.contains("NotImplementedError: not supported in Kindling yet: functions.hll_sketch_agg"), "{}", error.summary);
    assert_eq!(error.line, Some(5));
}

#[test]
fn python_the_sandbox_lacks_says_what_and_what_to_write_instead() {
    let error = failure("class Base:\n    pass\nclass Child(Base):\n    pass\n", &RunOptions::default());
    assert!(error.summary.starts_with("NotImplementedError: Kindling's Python sandbox does not support class inheritance"), "{}", error.summary);
    assert!(error.summary.contains("Write the methods on the class itself"), "{}", error.summary);
    assert!(error.traceback.contains("class Child(Base):"), "{}", error.traceback);
}

#[test]
fn a_runaway_loop_is_stopped_by_the_time_limit() {
    let options = RunOptions { time_limit: Duration::from_millis(500), ..RunOptions::default() };
    let started = Instant::now();
    let error = failure("n = 0\nwhile True:\n    n = n + 1\n", &options);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(error.summary.starts_with("TimeoutError"), "{}", error.traceback);
}

#[test]
fn a_runaway_udf_is_stopped_by_the_time_limit() {
    let options = RunOptions { time_limit: Duration::from_millis(500), ..RunOptions::default() };
    let program = "def forever(x):\n    while True:\n        x = x + 1\n\
                   spark.range(4).select(F.udf(forever, types.LongType())('id')).collect()\n";
    let error = failure(program, &options);
    assert!(error.traceback.contains("TimeoutError"), "{}", error.traceback);
}

#[test]
fn a_run_can_be_cancelled_from_another_thread() {
    let session = session();
    let control = session.executors.control().clone();
    // A run clears an earlier cancel when it starts, so the canceller keeps cancelling until the run is over: on a
    // loaded machine the run may start after the first cancel.
    let finished = Arc::new(AtomicBool::new(false));
    let canceller = {
        let finished = finished.clone();
        std::thread::spawn(move || {
            while !finished.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(300));
                control.cancel();
            }
        })
    };
    let output = run(&session, &format!("{PRELUDE}while True:\n    F.lit(1)\n"), &RunOptions::default());
    finished.store(true, Ordering::Relaxed);
    canceller.join().unwrap();
    let error = output.error.expect("a cancelled run fails");
    assert!(error.summary.starts_with("KeyboardInterrupt"), "{}", error.traceback);
    assert_eq!(error.line, Some(5));
}

/// A join condition that is not a boolean is refused when the join is built, with Spark's error (pyspark 4.3:
/// `[JOIN_CONDITION_IS_NOT_BOOLEAN_TYPE] The join condition "a" has the invalid type "BIGINT", expected "BOOLEAN".
/// SQLSTATE: 42K0E;`), instead of failing a task.
#[test]
fn a_join_on_a_non_boolean_condition_is_an_analysis_error() {
    let program = "left = spark.createDataFrame([(1,)], ['a'])\nright = spark.createDataFrame([(1,)], ['b'])\n\
                   left.join(right, left.a).collect()\n";
    let error = failure(program, &RunOptions::default());
    assert!(error.summary.starts_with("pyspark.errors.exceptions.captured.AnalysisException"), "{}", error.traceback);
    assert!(
        error.summary.contains("[JOIN_CONDITION_IS_NOT_BOOLEAN_TYPE] The join condition \"a\" has the invalid type \"BIGINT\", expected \"BOOLEAN\". SQLSTATE: 42K0E"),
        "{}",
        error.summary
    );
    assert_eq!(error.line, Some(6));
}

/// A function of `pyspark.sql.functions` called without an argument it needs is Python's TypeError, worded as
/// Python words it, on the caller's line.
#[test]
fn a_missing_function_argument_is_python_s_type_error() {
    let error = failure("df = spark.range(3)\ndf.select(F.make_timestamp('id', 'id')).show()\n", &RunOptions::default());
    let expected = "make_timestamp() missing 4 required positional arguments: 'days', 'hours', 'mins', and 'secs'";
    assert!(error.summary.contains(expected), "{}", error.summary);
    assert_eq!(error.line, Some(5));
}
