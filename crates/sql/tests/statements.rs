//! Statements beyond queries — temporary views, EXPLAIN, several statements in one text — and the plain errors
//! for what Kindling does not support.

use std::sync::Arc;

use arrow::array::{Int32Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use kindling_engine::dataframe::DataFrame;
use kindling_engine::io::Table;
use kindling_engine::session::Session;
use kindling_engine::value::Value;
use kindling_sql::{SqlError, sql, sql_script};

fn numbers(session: &Arc<Session>) -> DataFrame {
    let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int32, false)]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(Int32Array::from(vec![3, 1, 2]))]).unwrap();
    session.create_dataframe(Table { schema, batches: vec![batch] }, 2).unwrap()
}

fn error_of(session: &Arc<Session>, text: &str) -> String {
    match sql(session, text) {
        Ok(df) => df.collect().err().map(|e| e.to_string()).unwrap_or_else(|| panic!("no error from {text}")),
        Err(error) => error.to_string(),
    }
}

#[test]
fn temp_views_are_created_replaced_and_dropped() {
    let session = Session::local(2).unwrap();
    let df = numbers(&session);
    df.create_temp_view("numbers").unwrap();
    let again = df.create_temp_view("NUMBERS").unwrap_err().to_string();
    assert!(again.starts_with("[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `NUMBERS`"), "{again}");
    assert_eq!(df.register_temp_table("old_style").unwrap(), "FutureWarning: Deprecated in 2.0, use createOrReplaceTempView instead.");
    let count = sql(&session, "SELECT count(*) FROM old_style").unwrap().collect().unwrap();
    assert_eq!(count, vec![vec![Value::Long(3)]]);

    sql(&session, "CREATE OR REPLACE TEMP VIEW numbers AS SELECT n * 10 AS tens FROM numbers").unwrap();
    let tens = sql(&session, "SELECT max(tens) FROM numbers").unwrap().collect().unwrap();
    assert_eq!(tens, vec![vec![Value::Integer(30)]]);
    let tables = sql(&session, "SHOW TABLES").unwrap().collect().unwrap();
    assert_eq!(tables.iter().map(|r| r[1].to_string()).collect::<Vec<_>>(), ["numbers", "old_style"]);

    sql(&session, "DROP VIEW numbers").unwrap();
    sql(&session, "DROP VIEW IF EXISTS numbers").unwrap();
    assert!(error_of(&session, "DROP VIEW numbers").starts_with("[TABLE_OR_VIEW_NOT_FOUND]"));
    assert!(error_of(&session, "SELECT * FROM numbers").contains("; line 1 pos 14"));
}

#[test]
fn a_script_runs_its_statements_in_order() {
    let session = Session::local(2).unwrap();
    numbers(&session).create_or_replace_temp_view("numbers").unwrap();
    let script = "-- setup\nCREATE TEMP VIEW odd AS SELECT n FROM numbers WHERE n % 2 = 1;\n\nSELECT n FROM odd ORDER BY n;\nSELECT count(*) FROM odd";
    let results = sql_script(&session, script).unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1].0.line, 4);
    assert_eq!(results[1].1.collect().unwrap(), vec![vec![Value::Integer(1)], vec![Value::Integer(3)]]);
    let one_at_a_time = error_of(&session, "SELECT 1; SELECT 2");
    assert!(one_at_a_time.starts_with("[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELECT': extra input 'SELECT'"), "{one_at_a_time}");
}

#[test]
fn a_syntax_error_anywhere_runs_nothing() {
    let session = Session::local(2).unwrap();
    numbers(&session).create_or_replace_temp_view("numbers").unwrap();
    let Err(error) = sql_script(&session, "CREATE TEMP VIEW first AS SELECT n FROM numbers;\nSELEC 1") else {
        panic!("a syntax error")
    };
    assert_eq!(error.position().unwrap().line, 2);
    assert!(session.catalog.view("first").is_none());
}

#[test]
fn explain_prints_the_plan_as_a_row() {
    let session = Session::local(2).unwrap();
    numbers(&session).create_or_replace_temp_view("numbers").unwrap();
    let simple = sql(&session, "EXPLAIN SELECT n FROM numbers WHERE n > 1").unwrap();
    assert_eq!(simple.columns(), ["plan"]);
    let text = simple.collect().unwrap()[0][0].to_string();
    assert!(text.starts_with("== Physical Plan ==\n") && text.contains("Filter"), "{text}");
    let extended = sql(&session, "EXPLAIN EXTENDED SELECT n FROM numbers WHERE n > 1").unwrap().collect().unwrap()[0][0].to_string();
    for section in ["== Parsed Logical Plan ==", "== Analyzed Logical Plan ==", "== Optimized Logical Plan ==", "== Physical Plan =="] {
        assert!(extended.contains(section), "{section} in {extended}");
    }
}

#[test]
fn unsupported_features_say_so_with_their_place() {
    let session = Session::local(2).unwrap();
    numbers(&session).create_or_replace_temp_view("numbers").unwrap();
    for (text, what, line_pos) in [
        ("SELECT n\nFROM numbers SORT BY n", "SORT BY", "line 1 pos 0"),
        ("UPDATE numbers SET n = 1", "The statement `UPDATE numbers`", "line 1 pos 0"),
        ("CREATE VIEW v AS SELECT 1", "A permanent view", "line 1 pos 12"),
        ("SELECT n FROM numbers QUALIFY n > 1", "QUALIFY", "line 1 pos 0"),
        ("SELECT * FROM numbers LATERAL VIEW explode(array(n)) t AS m", "LATERAL VIEW", "line 1 pos 0"),
    ] {
        let Err(error) = sql(&session, text) else { panic!("{text} is not supported") };
        let message = error.to_string();
        assert!(matches!(error, SqlError::Analysis { .. }), "{text}: {message}");
        assert!(message.starts_with("[UNSUPPORTED_FEATURE]") && message.contains(what), "{text}: {message}");
        assert!(message.ends_with(line_pos), "{text}: {message}");
    }
}

/// Each statement's rows as pyspark 4.3 gave them for the same statements (`spark.sql(q).collect()`), and the
/// files where Spark puts a managed table.
#[test]
fn tables_are_created_filled_overwritten_and_dropped_as_parquet_under_the_warehouse() {
    let files = Arc::new(kindling_engine::io::vfs::MemoryFiles::default());
    let session = Session::new(files.clone(), kindling_engine::executor::Executors::local(2).unwrap(), Arc::new(kindling_engine::clock::MonotonicClock::new()));
    let rows = |text: &str| sql(&session, text).unwrap().collect().unwrap();
    let string = |s: &str| Value::String(s.to_string());
    assert!(rows("CREATE TABLE t (a INT, b STRING) USING parquet").is_empty());
    assert!(rows("SELECT * FROM t").is_empty(), "a new table has no rows");
    rows("INSERT INTO t VALUES (1, 'x'), (2, NULL)");
    rows("INSERT INTO t SELECT 3L, 'z'");
    assert_eq!(
        rows("SELECT * FROM t ORDER BY a"),
        vec![vec![Value::Integer(1), string("x")], vec![Value::Integer(2), Value::Null], vec![Value::Integer(3), string("z")]]
    );
    let paths: Vec<String> = files.all().into_iter().map(|f| f.path).collect();
    assert!(paths.iter().all(|p| p == "spark-warehouse/t/_SUCCESS" || p.starts_with("spark-warehouse/t/part-") && p.ends_with(".snappy.parquet")), "{paths:?}");
    rows("INSERT OVERWRITE TABLE t VALUES (9, 'q')");
    assert_eq!(rows("SELECT * FROM t"), vec![vec![Value::Integer(9), string("q")]]);
    rows("CREATE TABLE u AS SELECT a * 2 AS d FROM t");
    assert_eq!(rows("SELECT * FROM u"), vec![vec![Value::Integer(18)]]);
    assert_eq!(sql(&session, "SELECT * FROM u").unwrap().schema().simple_string(), "struct<d:int>");
    assert_eq!(
        rows("SHOW TABLES"),
        vec![vec![string("default"), string("t"), Value::Boolean(false)], vec![string("default"), string("u"), Value::Boolean(false)]]
    );
    let arity = error_of(&session, "INSERT INTO u VALUES (1, 2)");
    assert!(arity.starts_with("[INSERT_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS] Cannot write to `spark_catalog`.`default`.`u`, the reason is too many data columns:\nTable columns: `d`.\nData columns: `col1`, `col2`. SQLSTATE: 21S01"), "{arity}");
    assert!(error_of(&session, "CREATE TABLE u (x INT)").starts_with("[TABLE_OR_VIEW_ALREADY_EXISTS]"));
    numbers(&session).create_temp_view("numbers").unwrap();
    assert!(error_of(&session, "INSERT INTO numbers VALUES (1)").starts_with("[UNSUPPORTED_INSERT.RDD_BASED]"));
    rows("DROP TABLE t");
    assert!(error_of(&session, "SELECT * FROM t").starts_with("[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found"));
    assert!(files.all().iter().all(|f| f.path.starts_with("spark-warehouse/u/")), "the dropped table's files are gone");
}

/// pyspark 4.3's schema and rows for the same statements.
#[test]
fn natural_joins_fold_the_common_columns_and_keep_each_side_reachable() {
    let session = Session::local(2).unwrap();
    sql(&session, "CREATE TEMP VIEW a AS SELECT * FROM VALUES (1, 'x', 10), (2, 'y', 20) AS a(k, s, v1)").unwrap();
    sql(&session, "CREATE TEMP VIEW b AS SELECT * FROM VALUES ('y', 2, true), ('z', 3, false) AS b(s, k, w)").unwrap();
    let run = |text: &str| {
        let df = sql(&session, text).unwrap();
        (df.schema().simple_string(), df.collect().unwrap())
    };
    let (y, z) = (Value::String("y".into()), Value::String("z".into()));
    assert_eq!(
        run("SELECT * FROM a NATURAL JOIN b"),
        ("struct<k:int,s:string,v1:int,w:boolean>".into(), vec![vec![Value::Integer(2), y.clone(), Value::Integer(20), Value::Boolean(true)]])
    );
    assert_eq!(
        run("SELECT * FROM a NATURAL FULL OUTER JOIN b ORDER BY k").1,
        vec![
            vec![Value::Integer(1), Value::String("x".into()), Value::Integer(10), Value::Null],
            vec![Value::Integer(2), y.clone(), Value::Integer(20), Value::Boolean(true)],
            vec![Value::Integer(3), z, Value::Null, Value::Boolean(false)],
        ]
    );
    assert_eq!(
        run("SELECT b.*, a.* FROM a NATURAL JOIN b"),
        (
            "struct<k:int,s:string,w:boolean,k:int,s:string,v1:int>".into(),
            vec![vec![Value::Integer(2), y.clone(), Value::Boolean(true), Value::Integer(2), y, Value::Integer(20)]]
        )
    );
}

/// pyspark 4.3's rows and plan for the same statements (local[2], 4 shuffle partitions).
#[test]
fn window_functions_rank_look_around_and_aggregate_over_frames_as_spark_does() {
    let session = Session::local(2).unwrap();
    session.set_conf("spark.sql.shuffle.partitions", "4").unwrap();
    sql(&session, "CREATE TEMP VIEW t AS SELECT * FROM VALUES ('a', 1, 10.0D), ('a', 2, 20.0D), ('a', 2, 5.0D), \
                   ('b', 7, 1.5D), ('b', NULL, 2.5D), ('c', 3, NULL) AS t(g, n, x)").unwrap();
    let df = sql(&session, "SELECT g, n, x,
          row_number() OVER (PARTITION BY g ORDER BY n, x) AS rn,
          rank() OVER (PARTITION BY g ORDER BY n) AS r,
          dense_rank() OVER (PARTITION BY g ORDER BY n) AS dr,
          sum(x) OVER (PARTITION BY g ORDER BY n) AS running,
          avg(x) OVER (PARTITION BY g ORDER BY n, x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS moving,
          lag(x) OVER (PARTITION BY g ORDER BY n, x) AS previous,
          lead(n, 1, -1) OVER (PARTITION BY g ORDER BY n, x) AS next,
          count(*) OVER () AS total,
          sum(n) OVER (ORDER BY n RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS near
        FROM t ORDER BY g, n, x").unwrap();
    assert_eq!(
        df.schema().simple_string(),
        "struct<g:string,n:int,x:double,rn:int,r:int,dr:int,running:double,moving:double,previous:double,next:int,total:bigint,near:bigint>"
    );
    let rows: Vec<String> = df.result_cells().unwrap().into_iter().map(|row| row.join(" ")).collect();
    assert_eq!(
        rows,
        [
            "a 1 10.0 1 1 1 10.0 7.5 NULL 2 6 1",
            "a 2 5.0 2 2 2 35.0 11.666666666666666 10.0 2 6 5",
            "a 2 20.0 3 2 2 35.0 12.5 5.0 -1 6 5",
            "b NULL 2.5 1 1 1 2.5 2.0 NULL 7 6 NULL",
            "b 7 1.5 2 2 2 4.0 2.0 2.5 -1 6 7",
            "c 3 NULL 1 1 1 NULL NULL NULL -1 6 7",
        ]
    );
    let running = sql(&session, "SELECT g, sum(x) OVER (PARTITION BY g ORDER BY n) FROM t").unwrap();
    assert_eq!(
        running.schema().simple_string(),
        "struct<g:string,sum(x) OVER (PARTITION BY g ORDER BY n ASC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW):double>"
    );
    let plan = running.explain_string(false).unwrap();
    let operators: Vec<&str> = plan.lines().map(|line| line.trim_start_matches([' ', '+', '-', ':']).split(' ').next().unwrap()).collect();
    assert_eq!(operators, ["==", "AdaptiveSparkPlan", "Project", "Window", "Sort", "Exchange", "LocalTableScan", ""], "{plan}");
    assert!(plan.contains("specifiedwindowframe(RangeFrame, unboundedpreceding$(), currentrow$()))"), "{plan}");
    assert!(plan.contains("Exchange hashpartitioning(g#"), "{plan}");
}

/// `SET key = value` as spark-sql shows it: one key/value row. Kindling changes the settings it honours, accepts
/// the ones it always has (ANSI on), and says so for the others instead of ignoring them.
#[test]
fn set_changes_the_settings_kindling_honours_and_refuses_the_others() {
    let session = Session::local(2).unwrap();
    let row = |text: &str| sql(&session, text).unwrap().collect().unwrap();
    assert_eq!(row("SET spark.sql.shuffle.partitions = 7"), vec![vec![Value::String("spark.sql.shuffle.partitions".into()), Value::String("7".into())]]);
    assert_eq!(session.config().shuffle_partitions, 7);
    assert_eq!(row("SET spark.sql.ansi.enabled=false").len(), 1);
    assert!(!session.config().ansi_enabled);
    assert_eq!(row("SET spark.sql.session.timeZone = America/Los_Angeles")[0][1], Value::String("America/Los_Angeles".into()));
    assert_eq!(row("SET spark.sql.session.timeZone")[0][1], Value::String("America/Los_Angeles".into()));
    let unknown_zone = error_of(&session, "SET spark.sql.session.timeZone=Mars/Olympus");
    assert!(unknown_zone.starts_with("[INVALID_CONF_VALUE.TIME_ZONE]"), "{unknown_zone}");
    let refused = error_of(&session, "SET spark.sql.legacy.javaCharsets=true");
    assert!(refused.starts_with("[UNSUPPORTED_FEATURE] The setting `spark.sql.legacy.javaCharsets` = `true`"), "{refused}");
}

/// pyspark 4.3's rows for the same statements.
#[test]
fn grouping_sets_rollup_and_cube_group_by_each_set_at_once() {
    let session = Session::local(2).unwrap();
    sql(&session, "CREATE TEMP VIEW d AS SELECT * FROM VALUES (1, 1), (1, 2), (2, 1), (2, 2), (3, 1), (3, 2) AS d(a, b)").unwrap();
    let rows = |text: &str| -> Vec<String> { sql(&session, text).unwrap().result_cells().unwrap().into_iter().map(|r| r.join(" ")).collect() };
    assert_eq!(rows("SELECT a, b, count(1) FROM d GROUP BY ROLLUP(a, b) ORDER BY a, b"), ["NULL NULL 6", "1 NULL 2", "1 1 1", "1 2 1", "2 NULL 2", "2 1 1", "2 2 1", "3 NULL 2", "3 1 1", "3 2 1"]);
    assert_eq!(rows("SELECT a, b, sum(b) FROM d GROUP BY CUBE(a, b) ORDER BY a, b"), ["NULL NULL 9", "NULL 1 3", "NULL 2 6", "1 NULL 3", "1 1 1", "1 2 2", "2 NULL 3", "2 1 1", "2 2 2", "3 NULL 3", "3 1 1", "3 2 2"]);
    assert_eq!(rows("SELECT a, b, count(1) FROM d GROUP BY GROUPING SETS((a), (b), ()) ORDER BY a, b"), ["NULL NULL 6", "NULL 1 3", "NULL 2 3", "1 NULL 2", "2 NULL 2", "3 NULL 2"]);
    assert_eq!(rows("SELECT a, b, count(1) FROM d GROUP BY a, b WITH ROLLUP ORDER BY a, b"), ["NULL NULL 6", "1 NULL 2", "1 1 1", "1 2 1", "2 NULL 2", "2 1 1", "2 2 1", "3 NULL 2", "3 1 1", "3 2 1"]);
}

/// A scalar subquery is worked out before the query that uses it (as Spark runs it first): its value, NULL for
/// no row, Spark's error for more than one.
#[test]
fn scalar_subqueries_stand_for_their_value() {
    let session = Session::local(2).unwrap();
    numbers(&session).create_or_replace_temp_view("numbers").unwrap();
    let rows = sql(&session, "SELECT n, (SELECT max(n) FROM numbers) - n AS below_top FROM numbers ORDER BY n").unwrap();
    assert_eq!(rows.result_cells().unwrap(), [["1", "2"], ["2", "1"], ["3", "0"]]);
    let none = sql(&session, "SELECT (SELECT n FROM numbers WHERE n > 5) AS x").unwrap().collect().unwrap();
    assert_eq!(none, vec![vec![Value::Null]]);
    assert!(error_of(&session, "SELECT (SELECT n FROM numbers) AS x").starts_with("[SCALAR_SUBQUERY_TOO_MANY_ROWS]"));
}

/// pyspark 4.3 gave these rows for the same statements over the same files (the real zone lookup and TLC file).
#[test]
fn temp_views_over_files_read_them_as_spark_read_does() {
    let session = Session::local(2).unwrap();
    let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let zones = shared.join("taxi_zone_lookup.csv");
    let green = shared.join("tlc/green_tripdata_2024-01.parquet");
    sql(&session, &format!("CREATE TEMP VIEW zones USING csv OPTIONS (path '{}', header 'true', inferSchema 'true')", zones.display())).unwrap();
    let boroughs = sql(&session, "SELECT Borough, count(*) FROM zones GROUP BY Borough ORDER BY 2 DESC, 1 DESC LIMIT 3").unwrap();
    assert_eq!(boroughs.result_cells().unwrap(), [["Queens", "69"], ["Manhattan", "69"], ["Brooklyn", "61"]]);
    sql(&session, &format!("CREATE OR REPLACE TEMPORARY VIEW g USING parquet OPTIONS (path '{}')", green.display())).unwrap();
    assert_eq!(sql(&session, "SELECT count(*) FROM g").unwrap().result_cells().unwrap(), [["56551"]]);
    let missing = error_of(&session, "CREATE TEMP VIEW v USING csv OPTIONS (header 'true')");
    assert!(missing.contains("needs OPTIONS (path"), "{missing}");
}
