//! Statements on the session's tables: `CREATE [OR REPLACE] TABLE … (columns) [USING parquet]`,
//! `CREATE TABLE … AS SELECT`, `INSERT INTO` / `INSERT OVERWRITE`, `DROP TABLE`. A table is Parquet files in its
//! own folder under the warehouse folder (see the engine's `catalog`), so what a statement writes is there for the
//! next one to read — and for `spark.read.parquet` too.

use std::sync::Arc;

use kindling_engine::schema::{SparkField, SparkSchema};
use kindling_engine::session::Session;
use kindling_engine::types::SparkType;
use sqlparser::ast::{self, HiveIOFormat, Spanned};

use crate::error::{Position, Result, SqlError};
use crate::query::Planner;
use crate::unsupported;

/// `CREATE TABLE`, with columns or from a query.
pub fn create_table(session: &Arc<Session>, planner: &mut Planner, create: &ast::CreateTable) -> Result<()> {
    let position: Position = create.name.span().start.into();
    let name = crate::single_name(&create.name, position)?;
    check_format(create, position)?;
    if create.if_not_exists && session.catalog.table(&name).is_some() {
        return Ok(());
    }
    let created = match &create.query {
        Some(query) => {
            let rows = planner.query(query)?;
            session.create_table_as(&name, &rows, create.or_replace)
        }
        None => session.create_table(&name, schema_of(&create.columns)?, create.or_replace),
    };
    planner.located(created, position)
}

/// Kindling's tables are Parquet, Spark's default format for `CREATE TABLE`.
fn check_format(create: &ast::CreateTable, position: Position) -> Result<()> {
    let format = create.hive_formats.as_ref().and_then(|formats| match &formats.storage {
        Some(HiveIOFormat::Using { format }) => Some(format.value.to_ascii_lowercase()),
        _ => None,
    });
    match format.as_deref() {
        None | Some("parquet") => Ok(()),
        Some(other) => unsupported!(position, "A table stored as {other} (Kindling's tables are Parquet)"),
    }
}

fn schema_of(columns: &[ast::ColumnDef]) -> Result<SparkSchema> {
    let fields = columns
        .iter()
        .map(|column| {
            let data_type = SparkType::parse(&column.data_type.to_string()).map_err(|error| SqlError::Analysis {
                message: error.to_string(),
                position: column.name.span.start.into(),
            })?;
            Ok(SparkField { name: column.name.value.clone(), data_type, nullable: true })
        })
        .collect::<Result<_>>()?;
    Ok(SparkSchema { fields })
}

/// `INSERT INTO t [(columns)] query` and `INSERT OVERWRITE [TABLE] t query`.
pub fn insert(session: &Arc<Session>, planner: &mut Planner, insert: &ast::Insert) -> Result<()> {
    let position: Position = insert.insert_token.0.span.start.into();
    let ast::TableObject::TableName(table_name) = &insert.table else {
        unsupported!(position, "INSERT into a table function");
    };
    let Some(source) = &insert.source else {
        unsupported!(position, "INSERT without a query or VALUES");
    };
    if insert.partitioned.is_some() || !insert.columns.is_empty() {
        unsupported!(position, "INSERT with a column list or PARTITION");
    }
    let name = crate::single_name(table_name, table_name.span().start.into())?;
    let rows = planner.query(source)?;
    planner.located(session.insert_into(&name, &rows, insert.overwrite), position)
}

/// `DROP TABLE [IF EXISTS] t, …`
pub fn drop_tables(session: &Arc<Session>, planner: &Planner, names: &[ast::ObjectName], if_exists: bool) -> Result<()> {
    for name in names {
        let position: Position = name.span().start.into();
        let table = crate::single_name(name, position)?;
        planner.located(session.drop_table(&table, if_exists), position)?;
    }
    Ok(())
}
