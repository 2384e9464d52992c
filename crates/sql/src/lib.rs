//! # kindling-sql
//!
//! Spark SQL on Kindling's engine. `spark.sql("SELECT … FROM trips_data GROUP BY 1, 2")` is parsed by
//! [sqlparser](https://docs.rs/sqlparser) with its Spark dialect ([`statement`]), and each clause is turned into
//! the DataFrame call a PySpark user would write ([`query`], [`expression`]) — so SQL and DataFrame code meet in
//! the same logical plan, and `EXPLAIN` shows what `df.explain()` would.
//!
//! Names in `FROM` are temporary views of the session's catalog (`createOrReplaceTempView`, `CREATE TEMP VIEW`),
//! `WITH` names, or files (`parquet.\`path\``). Errors are Spark's `ParseException` / `AnalysisException` texts
//! with the line and position they are about ([`error`]).

pub mod error;
pub mod expression;
pub mod grouping_sets;
pub mod inline_table;
mod multi_unit_interval;
pub mod parameters;
pub mod query;
pub mod replaced;
pub mod statement;
mod string_literal;
pub mod subquery;
pub mod table;

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use kindling_engine::dataframe::DataFrame;
use kindling_engine::io::Table;
use kindling_engine::io::csv::CsvOptions;
use kindling_engine::session::Session;
use sqlparser::ast::{self, ObjectType, Spanned};

pub use error::{Position, Result, SqlError};
use expression::Translator;
use kindling_engine::expr::Expr;
use query::Planner;
use parameters::Bound;
pub use parameters::Parameters;
use statement::{Statement, StatementKind};

/// `spark.sql(text)`: one statement (a trailing `;` is fine), as a DataFrame. Queries stay lazy; `CREATE TEMP
/// VIEW`, `DROP VIEW`, `CREATE TABLE`, `INSERT` and `DROP TABLE` take effect at once and return an empty
/// DataFrame; `EXPLAIN` returns its text in a `plan` column.
pub fn sql(session: &Arc<Session>, text: &str) -> Result<DataFrame> {
    sql_with_parameters(session, text, Parameters::None)
}

/// `spark.sql(text, args)`: [`sql`] with values for the statement's parameter markers.
pub fn sql_with_parameters(session: &Arc<Session>, text: &str, parameters: Parameters) -> Result<DataFrame> {
    let mut statements = statement::parse(text)?.into_iter();
    let bound = Bound::new(&string_literal::standard_string_literals(text), parameters);
    match (statements.next(), statements.next()) {
        (Some(only), None) => execute(session, &only, bound),
        (Some(_), Some(second)) => Err(SqlError::Parse {
            message: format!(
                "[PARSE_SYNTAX_ERROR] Syntax error at or near '{}': extra input '{0}'. SQLSTATE: 42601\n\
                 spark.sql() runs one statement; a SQL cell or `kindling run` runs several",
                statement_keyword(&second)
            ),
            position: second.position,
            sql: text.to_string(),
        }),
        (None, _) => Err(SqlError::Parse {
            message: "[PARSE_EMPTY_STATEMENT] Syntax Error, unexpected empty statement. SQLSTATE: 42617".into(),
            position: Position::new(1, 1),
            sql: text.to_string(),
        }),
    }
}

/// A SQL expression on its own, as `df.filter("pickup_date = '2021-02-15'")` and `F.expr(…)` take it.
pub fn expression(text: &str) -> Result<Expr> {
    match statement::parse_select_item(text)? {
        ast::SelectItem::UnnamedExpr(expr) => Translator::default().expr(&expr),
        _ => Err(SqlError::Parse {
            message: "[PARSE_SYNTAX_ERROR] Syntax error: an expression was expected. SQLSTATE: 42601".into(),
            position: Position::new(1, 1),
            sql: text.to_string(),
        }),
    }
}

/// A select item, as `selectExpr("a + 1 AS b")` takes it: an expression, named if an alias is given.
pub fn select_item(text: &str) -> Result<Expr> {
    match statement::parse_select_item(text)? {
        ast::SelectItem::ExprWithAlias { expr, alias } => Ok(Translator::default().expr(&expr)?.alias(&alias.value)),
        ast::SelectItem::Wildcard(_) => Ok(kindling_engine::expr::col("*")),
        _ => expression(text),
    }
}

/// The statements of a SQL cell or `.sql` file, run in order — a view created by one is seen by the next. Every
/// statement is parsed before any runs, so a syntax error anywhere changes nothing.
pub fn sql_script(session: &Arc<Session>, text: &str) -> Result<Vec<(Position, DataFrame)>> {
    let bound = Bound::new(&string_literal::standard_string_literals(text), Parameters::None);
    statement::parse(text)?.iter().map(|s| Ok((s.position, execute(session, s, bound.clone())?))).collect()
}

fn execute(session: &Arc<Session>, statement: &Statement, parameters: Arc<Bound>) -> Result<DataFrame> {
    // Timestamp literals are read in the session time zone, as the statement's query will run in it.
    kindling_engine::query_settings::set_current(session.config().query_settings());
    let mut planner = Planner::new(session, parameters);
    match &statement.kind {
        StatementKind::Explain { extended, statement: inner } => {
            let ast::Statement::Query(query) = inner.as_ref() else {
                unsupported!(statement.position, "EXPLAIN of `{}`", query::first_words(&inner.to_string()));
            };
            let df = planner.query(query)?;
            let text = df.explain_string(*extended)?;
            strings(session, "plan", vec![text])
        }
        StatementKind::Set { key, value: Some(value) } => set_conf(session, key, value, statement.position),
        StatementKind::Set { key, value: None } => {
            let value = session.config().get(key).unwrap_or_else(|| "<undefined>".to_string());
            setting_row(session, key, &value)
        }
        StatementKind::CreateViewUsing(view) => {
            view_using(session, &planner, view, statement.position)?;
            empty(session)
        }
        StatementKind::Plain(inner) => match inner.as_ref() {
            ast::Statement::Query(query) => planner.query(query),
            ast::Statement::CreateView(view) => create_view(session, &mut planner, view),
            ast::Statement::Drop { object_type: ObjectType::View, if_exists, names, .. } => {
                drop_views(session, names, *if_exists)?;
                empty(session)
            }
            ast::Statement::ShowTables { .. } => show_tables(session),
            ast::Statement::CreateTable(create) => {
                table::create_table(session, &mut planner, create)?;
                empty(session)
            }
            ast::Statement::Insert(insert) => {
                table::insert(session, &mut planner, insert)?;
                empty(session)
            }
            ast::Statement::Drop { object_type: ObjectType::Table, if_exists, names, .. } => {
                table::drop_tables(session, &planner, names, *if_exists)?;
                empty(session)
            }
            other => unsupported!(statement.position, "The statement `{}`", query::first_words(&other.to_string())),
        },
    }
}

fn create_view(session: &Arc<Session>, planner: &mut Planner, view: &ast::CreateView) -> Result<DataFrame> {
    let position: Position = view.name.span().start.into();
    if !view.temporary || view.materialized {
        unsupported!(
            position,
            "A permanent view (Kindling has no metastore; write CREATE TEMPORARY VIEW or CREATE TEMP VIEW)"
        );
    }
    let name = single_name(&view.name, position)?;
    if view.if_not_exists && session.catalog.view(&name).is_some() {
        return empty(session);
    }
    let df = planner.query(&view.query)?;
    let names: Vec<&str> = view.columns.iter().map(|c| c.name.value.as_str()).collect();
    let df = if names.is_empty() { df } else { planner.with_column_names(df, &names, position)? };
    let created = if view.or_replace { df.create_or_replace_temp_view(&name) } else { df.create_temp_view(&name) };
    planner.located(created, position)?;
    empty(session)
}

/// `CREATE TEMP VIEW … USING csv|parquet OPTIONS (path …)`: the files as `spark.read` would read them, as a view.
fn view_using(session: &Arc<Session>, planner: &Planner, view: &statement::ViewUsing, position: Position) -> Result<()> {
    let Some((_, path)) = view.options.iter().find(|(key, _)| key.eq_ignore_ascii_case("path")) else {
        analysis_error!(position, "[UNSUPPORTED_FEATURE] A view USING {} needs OPTIONS (path '…'). SQLSTATE: 0A000", view.format);
    };
    let others = view.options.iter().filter(|(key, _)| !key.eq_ignore_ascii_case("path"));
    let rows = match view.format.as_str() {
        "parquet" => match others.clone().next() {
            None => planner.located(session.read_parquet(&[path]), position)?,
            Some((key, _)) => unsupported!(position, "The Parquet option `{key}`"),
        },
        "csv" => {
            let mut options = CsvOptions::default();
            for (key, value) in others {
                planner.located(options.set(key, value), position)?;
            }
            planner.located(session.read_csv(&[path], options), position)?
        }
        other => unsupported!(position, "A view over {other} files"),
    };
    let created = if view.replace { rows.create_or_replace_temp_view(&view.name) } else { rows.create_temp_view(&view.name) };
    planner.located(created, position)
}

fn drop_views(session: &Arc<Session>, names: &[ast::ObjectName], if_exists: bool) -> Result<()> {
    for name in names {
        let position: Position = name.span().start.into();
        let view = single_name(name, position)?;
        if !session.catalog.drop_view(&view) && !if_exists {
            analysis_error!(
                position,
                "[TABLE_OR_VIEW_NOT_FOUND] The table or view `spark_catalog`.`default`.`{view}` cannot be found. \
                 Verify the spelling and correctness of the schema and catalog.\nSearch path: \
                 [`spark_catalog`.`default`].\nIf you did not qualify the name with a schema, verify the \
                 current_schema() output, or qualify the name with the correct schema and catalog.\nTo tolerate the \
                 error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS. SQLSTATE: 42P01"
            );
        }
    }
    Ok(())
}

pub(crate) fn single_name(name: &ast::ObjectName, position: Position) -> Result<String> {
    match name.0.as_slice() {
        [part] if let Some(ident) = part.as_ident() => Ok(ident.value.clone()),
        _ => unsupported!(position, "A qualified name `{name}` (Kindling's views and tables have one-part names)"),
    }
}

/// `SET key = value`: a setting Kindling honours changes the session (and shows as Spark's `SET` shows it, one
/// `key`/`value` row); setting ANSI mode or the time zone to what Kindling always has is accepted; anything else
/// says Kindling does not have that setting rather than pretending to.
fn set_conf(session: &Arc<Session>, key: &str, value: &str, position: Position) -> Result<DataFrame> {
    let unchanged = session.config().get(key).is_some_and(|current| current.eq_ignore_ascii_case(value));
    match session.set_conf(key, value) {
        _ if unchanged => {}
        Ok(()) => {}
        // A setting Kindling honours, given a value Spark refuses too (an unknown time zone).
        Err(kindling_engine::EngineError::Analysis(message)) => analysis_error!(position, "{message}"),
        Err(_) => unsupported!(position, "The setting `{key}` = `{value}`"),
    }
    setting_row(session, key, value)
}

/// The one-row result of `SET`: the key and its value.
fn setting_row(session: &Arc<Session>, key: &str, value: &str) -> Result<DataFrame> {
    let schema = Arc::new(Schema::new(vec![Field::new("key", DataType::Utf8, false), Field::new("value", DataType::Utf8, true)]));
    table(session, schema, vec![Arc::new(StringArray::from(vec![key])), Arc::new(StringArray::from(vec![value]))])
}

/// `SHOW TABLES`: the tables of the `default` namespace, then the temporary views, as Spark lists them.
fn show_tables(session: &Arc<Session>) -> Result<DataFrame> {
    let tables = session.catalog.table_names().into_iter().map(|name| ("default", name, false));
    let views = session.catalog.view_names().into_iter().map(|name| ("", name, true));
    let rows: Vec<(&str, String, bool)> = tables.chain(views).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("namespace", DataType::Utf8, false),
        Field::new("tableName", DataType::Utf8, false),
        Field::new("isTemporary", DataType::Boolean, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())),
        Arc::new(StringArray::from(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>())),
        Arc::new(BooleanArray::from(rows.iter().map(|r| r.2).collect::<Vec<_>>())),
    ];
    table(session, schema, columns)
}

fn strings(session: &Arc<Session>, column: &str, values: Vec<String>) -> Result<DataFrame> {
    let schema = Arc::new(Schema::new(vec![Field::new(column, DataType::Utf8, false)]));
    table(session, schema, vec![Arc::new(StringArray::from(values))])
}

/// What DDL statements return: no columns, no rows.
fn empty(session: &Arc<Session>) -> Result<DataFrame> {
    table(session, Arc::new(Schema::empty()), vec![])
}

fn table(session: &Arc<Session>, schema: Arc<Schema>, columns: Vec<ArrayRef>) -> Result<DataFrame> {
    let batches = if columns.is_empty() {
        vec![]
    } else {
        vec![RecordBatch::try_new(schema.clone(), columns).map_err(kindling_engine::EngineError::from)?]
    };
    Ok(session.create_dataframe(Table { schema, batches }, 1)?)
}

fn statement_keyword(statement: &Statement) -> String {
    let text = match &statement.kind {
        StatementKind::Explain { .. } => "EXPLAIN".to_string(),
        StatementKind::CreateViewUsing(_) => "CREATE".to_string(),
        StatementKind::Set { .. } => "SET".to_string(),
        StatementKind::Plain(inner) => inner.to_string(),
    };
    text.split_whitespace().next().unwrap_or_default().to_string()
}
