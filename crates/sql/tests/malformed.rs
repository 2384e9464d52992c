//! Malformed SQL — every prefix of the corpus, random token soups, absurd nesting — must come back as a located
//! error (or a result), never as a panic, a hang or a stack overflow.

use std::sync::Arc;

use arrow::array::{Float64Array, Int32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use kindling_engine::io::Table;
use kindling_engine::session::Session;
use kindling_sql::{SqlError, sql_script};
use proptest::prelude::*;

/// A session with a small `green` view and a `zones` view.
fn session() -> Arc<Session> {
    let session = Session::local(2).unwrap();
    let schema = Arc::new(Schema::new(vec![
        Field::new("VendorID", DataType::Int32, true),
        Field::new("PULocationID", DataType::Int32, true),
        Field::new("total_amount", DataType::Float64, true),
        Field::new("Zone", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int32Array::from(vec![Some(1), Some(2), None, Some(2)])),
            Arc::new(Int32Array::from(vec![Some(74), Some(75), Some(74), None])),
            Arc::new(Float64Array::from(vec![Some(10.5), None, Some(3.0), Some(7.25)])),
            Arc::new(StringArray::from(vec![Some("Harlem"), Some("East Harlem"), None, Some("Unknown")])),
        ],
    )
    .unwrap();
    let df = session.create_dataframe(Table { schema, batches: vec![batch] }, 2).unwrap();
    df.create_or_replace_temp_view("green").unwrap();
    df.create_or_replace_temp_view("zones").unwrap();
    session
}

/// Runs `sql` to the end: every statement planned, every result collected.
fn run(session: &Arc<Session>, sql: &str) -> Result<(), SqlError> {
    for (_, df) in sql_script(session, sql)? {
        df.collect()?;
    }
    Ok(())
}

fn assert_located_within(sql: &str, error: &SqlError) {
    if let Some(position) = error.position() {
        let lines = sql.split('\n').count() as u64;
        assert!(position.line >= 1 && position.line <= lines + 1, "{sql:?}: {error} at line {}", position.line);
    }
}

#[test]
fn every_prefix_of_every_corpus_query_fails_cleanly_or_runs() {
    let corpus = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/sql");
    let session = session();
    for entry in std::fs::read_dir(corpus).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "sql") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let cuts = text.char_indices().map(|(i, _)| i).step_by(3);
        for cut in cuts {
            let prefix = &text[..cut];
            if let Err(error) = sql_script(&session, prefix) {
                assert_located_within(prefix, &error);
            }
        }
    }
}

const WORDS: [&str; 40] = [
    "SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "HAVING", "LIMIT", "JOIN", "LEFT", "ON", "AS", "UNION", "ALL",
    "WITH", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "LONG", "green", "zones", "VendorID", "total_amount",
    "Zone", "sum(total_amount)", "count(*)", "(", ")", ",", "+", "/", "=", "'x'", "1", "0", ";", "--",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_token_soup_never_panics(words in proptest::collection::vec(0..WORDS.len(), 0..24)) {
        let sql = words.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" ");
        let session = session();
        if let Err(error) = run(&session, &sql) {
            assert_located_within(&sql, &error);
        }
    }

    #[test]
    fn small_valid_queries_over_the_view_run(threshold in -5i32..20, limit in 0usize..6) {
        let sql = format!(
            "SELECT VendorID, count(*) AS n FROM green WHERE total_amount > {threshold} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {limit}"
        );
        let session = session();
        let results = sql_script(&session, &sql).unwrap();
        prop_assert!(results[0].1.collect().unwrap().len() <= limit);
    }
}

fn assert_too_deep(sql: &str) {
    let error = run(&session(), sql).expect_err("too deep to run");
    assert!(error.position().is_some(), "located: {error}");
    assert!(error.to_string().contains("deeper than"), "{error}");
}

#[test]
fn deeply_nested_parentheses_are_refused() {
    assert_too_deep(&format!("SELECT {}1{} FROM green", "(".repeat(5000), ")".repeat(5000)));
}

#[test]
fn nesting_up_to_the_limit_runs() {
    let depth = kindling_sql::statement::NESTING_LIMIT;
    run(&session(), &format!("SELECT {}VendorID + 1{} AS x FROM green", "(".repeat(depth), ")".repeat(depth))).unwrap();
}

#[test]
fn deeply_nested_subqueries_are_refused() {
    assert_too_deep(&format!("SELECT * FROM {}green{}", "(SELECT * FROM ".repeat(300), ") t".repeat(300)));
}

#[test]
fn endless_operator_chains_are_refused() {
    assert_too_deep(&format!("SELECT {} FROM green", vec!["VendorID"; 3000].join(" + ")));
    assert_too_deep(&format!("SELECT * FROM green WHERE {}", vec!["VendorID = 1"; 3000].join(" AND ")));
}

#[test]
fn unterminated_text_and_stray_symbols_are_parse_errors() {
    let session = session();
    for sql in ["SELECT 'abc", "SELECT /* never closed", "SELECT `VendorID FROM green", "SELECT #", "\u{0}", "SELECT ?"] {
        let error = run(&session, sql).expect_err(sql);
        assert!(matches!(error, SqlError::Parse { .. } | SqlError::Analysis { .. }), "{sql}: {error}");
    }
}
