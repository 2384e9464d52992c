//! `VALUES (1, 'a'), (2, 'b') AS t(id, name)`: an inline table. Spark works its expressions out once, while it
//! plans the query (they may not read columns), gives each column the widest type of its values (`1` and `2L`
//! make a `bigint` column), names the columns `col1`, `col2`, … unless an alias names them, and reads the rows
//! from memory: the plan shows a `LocalTableScan`.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::compute::concat;
use arrow::datatypes::{Field, Schema};
use kindling_engine::EngineError;
use kindling_engine::analyzer::{resolve, wider_type};
use kindling_engine::dataframe::DataFrame;
use kindling_engine::expr::cast::cast;
use kindling_engine::expr::eval::evaluate;
use kindling_engine::io::Table;
use kindling_engine::session::Session;
use kindling_engine::types::SparkType;
use sqlparser::ast::{self, Spanned};

use crate::analysis_error;
use crate::error::{Position, Result, SqlError};
use crate::expression::Translator;

/// The rows of a `VALUES` clause as a DataFrame of columns `col1`, `col2`, … — or `names`, when its alias gives
/// them (`AS t(a, b)`), which Spark's plan shows as the scan's own columns. Cut into slices as Spark cuts a local
/// table, so that statistics over doubles add up in Spark's order.
pub fn inline_table(session: &Arc<Session>, translator: &mut Translator, values: &ast::Values, names: &[&str]) -> Result<DataFrame> {
    let width = values.rows.first().map_or(0, |row| row.content.len());
    let mut columns: Vec<Vec<(ArrayRef, SparkType)>> = vec![Vec::new(); width];
    for (number, row) in values.rows.iter().enumerate() {
        let position: Position = row.span().start.into();
        if row.content.len() != width {
            analysis_error!(
                position,
                "[INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH] Invalid inline table. Inline table expected {width} \
                 columns but found {} columns in row {number}. SQLSTATE: 42000",
                row.content.len()
            );
        }
        for (column, expr) in columns.iter_mut().zip(&row.content) {
            column.push(constant(translator.expr(expr)?, crate::expression::position_of(expr))?);
        }
    }
    let position: Position = values.rows.first().map_or(Position::new(1, 1), |row| row.span().start.into());
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    if !names.is_empty() && names.len() != width {
        analysis_error!(
            position,
            "[ASSIGNMENT_ARITY_MISMATCH] The number of columns or variables assigned or aliased: {} does not match \
             the number of source tables or expressions: {width}. SQLSTATE: 42802",
            names.len()
        );
    }
    for (index, column) in columns.iter().enumerate() {
        let name = names.get(index).map_or_else(|| format!("col{}", index + 1), |name| name.to_string());
        let (array, spark_type) = one_column(column, &name, position)?;
        fields.push(Field::new(name, spark_type.to_arrow(), array.null_count() > 0 || spark_type == SparkType::Null));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let options = RecordBatchOptions::new().with_row_count(Some(values.rows.len()));
    let batch = RecordBatch::try_new_with_options(schema.clone(), arrays, &options).map_err(EngineError::from)?;
    // Spark's LocalTableScan: a slice per row, up to the default parallelism.
    let partitions = values.rows.len().clamp(1, session.default_parallelism());
    Ok(session.create_dataframe(Table { schema, batches: vec![batch] }, partitions)?)
}

/// The value of a constant expression (one that reads no column), worked out now.
pub fn constant_value(expr: kindling_engine::expr::Expr, position: Position) -> Result<kindling_engine::value::Value> {
    let (array, _) = constant(expr, position)?;
    Ok(kindling_engine::value::Value::from_array(array.as_ref(), 0)?)
}

/// An expression's value, worked out now: an array of one value, and its type.
fn constant(expr: kindling_engine::expr::Expr, position: Position) -> Result<(ArrayRef, SparkType)> {
    let located = |error: EngineError| SqlError::Analysis { message: error.to_string(), position };
    let resolved = resolve(expr, &[]).map_err(|error| match error {
        EngineError::ColumnNotFound { .. } => SqlError::Analysis {
            message: "[INVALID_INLINE_TABLE.CANNOT_EVALUATE_EXPRESSION_IN_INLINE_TABLE] Invalid inline table. Cannot \
                      evaluate the expression in inline table definition. SQLSTATE: 42000"
                .into(),
            position,
        },
        other => located(other),
    })?;
    let one_row = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .map_err(EngineError::from)?;
    let spark_type = resolved.data_type();
    let array = evaluate(&resolved, &one_row, &[]).map_err(SqlError::Engine)?;
    Ok((array, spark_type))
}

/// One column of the table: its values cast to the widest of their types.
fn one_column(values: &[(ArrayRef, SparkType)], name: &str, position: Position) -> Result<(ArrayRef, SparkType)> {
    let mut common = SparkType::Null;
    for (_, spark_type) in values {
        common = match wider_type(&common, spark_type) {
            Some(wider) => wider,
            None => analysis_error!(
                position,
                "[INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE] Invalid inline table. Found incompatible \
                 types in the column `{name}` for inline table. SQLSTATE: 42000"
            ),
        };
    }
    let cast_values = values.iter().map(|(array, from)| cast(array, from, &common)).collect::<Result<Vec<_>, _>>()?;
    let parts: Vec<&dyn arrow::array::Array> = cast_values.iter().map(|a| a.as_ref()).collect();
    Ok((concat(&parts).map_err(EngineError::from)?, common))
}
