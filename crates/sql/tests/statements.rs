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
        ("SELECT n,\n  sum(n) OVER (ORDER BY n) FROM numbers", "window function", "line 2 pos 2"),
        ("INSERT INTO numbers VALUES (1)", "The statement `INSERT INTO`", "line 1 pos 0"),
        ("CREATE VIEW v AS SELECT 1", "A permanent view", "line 1 pos 12"),
        ("SELECT n FROM numbers INTERSECT ALL SELECT n FROM numbers", "INTERSECT ALL", "line 1 pos 0"),
        ("SELECT * FROM numbers NATURAL JOIN numbers", "NATURAL JOIN", "line 1 pos 35"),
    ] {
        let Err(error) = sql(&session, text) else { panic!("{text} is not supported") };
        let message = error.to_string();
        assert!(matches!(error, SqlError::Analysis { .. }), "{text}: {message}");
        assert!(message.starts_with("[UNSUPPORTED_FEATURE]") && message.contains(what), "{text}: {message}");
        assert!(message.ends_with(line_pos), "{text}: {message}");
    }
}
