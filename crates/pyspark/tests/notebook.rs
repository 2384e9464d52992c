//! A notebook keeps one Python session across cells, like a Jupyter kernel.

use std::sync::Arc;

use kindling_engine::clock::MonotonicClock;
use kindling_engine::executor::Executors;
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;
use kindling_pyspark::{Notebook, Output, RunOptions};

fn notebook() -> Notebook {
    let session = Session::new(Arc::new(MemoryFiles::default()), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()));
    Notebook::new(&session).unwrap()
}

fn cell(notebook: &mut Notebook, name: &str, source: &str) -> Output {
    notebook.run_cell(source, &RunOptions { file_name: name.into(), ..RunOptions::default() })
}

fn printed(output: Output) -> String {
    if let Some(error) = output.error {
        panic!("the cell failed:\n{}", error.traceback);
    }
    output.stdout
}

#[test]
fn later_cells_see_what_earlier_cells_defined() {
    let mut notebook = notebook();
    printed(cell(&mut notebook, "cell 1", "from pyspark.sql import SparkSession, functions as F, types\n\
                                           spark = SparkSession.builder.getOrCreate()\n\
                                           df = spark.createDataFrame([(1, 'a'), (2, 'b'), (3, 'a')], ['n', 'k'])\n"));
    printed(cell(&mut notebook, "cell 2", "double = F.udf(lambda n: n * 2, types.LongType())\n"));
    let shown = printed(cell(&mut notebook, "cell 3", "df.groupBy('k').agg(F.sum(double(df.n)).alias('s')).orderBy('k').show()\n"));
    assert_eq!(shown, "+---+---+\n|  k|  s|\n+---+---+\n|  a|  8|\n|  b|  4|\n+---+---+\n\n");
}

#[test]
fn a_failing_cell_points_at_its_own_line_and_keeps_the_session() {
    let mut notebook = notebook();
    printed(cell(&mut notebook, "cell 1", "total = 41\n"));
    let failed = cell(&mut notebook, "cell 2", "total += 1\nundefined_name\n");
    let error = failed.error.expect("cell 2 fails");
    assert_eq!(error.line, Some(2));
    assert!(error.traceback.contains("File \"cell 2\", line 2"), "{}", error.traceback);
    assert!(error.summary.starts_with("NameError"), "{}", error.summary);
    assert_eq!(printed(cell(&mut notebook, "cell 3", "print(total)\n")), "42\n");
}

#[test]
fn a_udf_from_an_earlier_cell_fails_with_that_cells_line() {
    let mut notebook = notebook();
    printed(cell(&mut notebook, "cell 1", "from pyspark.sql import SparkSession, functions as F, types\n\
                                           spark = SparkSession.builder.getOrCreate()\n\
                                           def inverse(x):\n    return 10 // x\n"));
    let failed = cell(&mut notebook, "cell 2", "inv = F.udf(inverse, types.LongType())\n\
                                                spark.range(3).select(inv('id')).collect()\n");
    let error = failed.error.expect("dividing by zero fails");
    assert!(error.summary.starts_with("pyspark.errors.exceptions.captured.PythonException"), "{}", error.summary);
    assert!(error.traceback.contains("File \"cell 1\", line 4, in inverse\n    return 10 // x"), "{}", error.traceback);
    assert!(error.traceback.contains("File \"cell 2\", line 2"), "{}", error.traceback);
    assert_eq!(error.line, Some(2));
}

#[test]
fn a_sql_cell_queries_a_view_from_a_python_cell_and_shows_a_table() {
    use kindling_pyspark::notebook::{Cell, Language};
    let mut notebook = notebook();
    let python = |source: &str| Cell { name: "cell 1".into(), language: Language::Python, source: source.into() };
    let sql = |source: &str| Cell { name: "cell 2".into(), language: Language::Sql, source: source.into() };
    let made = notebook.run(&python("from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\n\
                                      spark.createDataFrame([(1, 'a'), (2, 'b'), (3, 'a')], ['n', 'k']).createOrReplaceTempView('t')\n"), &RunOptions::default());
    assert_eq!(made.error, None);
    let queried = notebook.run(&sql("-- per key\nSELECT k, SUM(n) AS s\nFROM t GROUP BY k ORDER BY k"), &RunOptions::default());
    assert_eq!(queried.error, None);
    let table = queried.table.expect("a query shows a table");
    assert_eq!((table.columns, table.types), (vec!["k".to_string(), "s".into()], vec!["string".to_string(), "bigint".into()]));
    assert_eq!(table.rows, vec![vec!["a".to_string(), "4".into()], vec!["b".to_string(), "2".into()]]);
    assert!(!queried.jobs.is_empty(), "the query's jobs belong to the cell");

    let failed = notebook.run(&sql("SELECT k,\n  nope\nFROM t"), &RunOptions::default());
    let error = failed.error.expect("an unknown column fails");
    assert_eq!(error.line, Some(2));
    assert!(error.summary.starts_with("pyspark.errors.exceptions.captured.AnalysisException: [UNRESOLVED_COLUMN"), "{}", error.summary);
}
