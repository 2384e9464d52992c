//! Row-group pruning: skipping Parquet data a filter rules out without reading it.
//!
//! A Parquet file is cut into row groups, and for each column of each row group the footer stores the smallest and
//! largest value and how many values are NULL. A filter `fare > 100` cannot match a row group whose largest fare
//! is 80, so the scan never decodes it. This is why Spark lists `PushedFilters` under a `FileScan`: the filters
//! travel into the reader. The filter itself still runs afterwards on the rows that are read.

use std::cmp::Ordering;

use arrow::datatypes::{DataType, Schema, TimeUnit};
use parquet::file::metadata::RowGroupMetaData;
use parquet::file::statistics::Statistics;

use crate::expr::{BinaryOp, Expr};
use crate::value::Value;

/// True unless the statistics of `row_group` prove that no row satisfies every filter.
pub fn may_match(row_group: &RowGroupMetaData, schema: &Schema, filters: &[Expr]) -> bool {
    filters.iter().all(|filter| filter_may_match(row_group, schema, filter))
}

fn filter_may_match(row_group: &RowGroupMetaData, schema: &Schema, filter: &Expr) -> bool {
    let column_stats = |name: &str| ColumnStats::of(row_group, schema, name);
    match filter {
        Expr::IsNotNull(e) => match e.as_ref() {
            Expr::Attribute(a) => column_stats(&a.name).is_none_or(|s| s.nulls != Some(s.rows)),
            _ => true,
        },
        Expr::IsNull(e) => match e.as_ref() {
            Expr::Attribute(a) => column_stats(&a.name).is_none_or(|s| s.nulls != Some(0)),
            _ => true,
        },
        Expr::Binary { op: BinaryOp::And, left, right } => {
            filter_may_match(row_group, schema, left) && filter_may_match(row_group, schema, right)
        }
        Expr::Binary { op, left, right } => {
            let (column, value, op) = match (left.as_ref(), right.as_ref()) {
                (Expr::Attribute(a), Expr::Literal(v)) => (a, v, *op),
                (Expr::Literal(v), Expr::Attribute(a)) => (a, v, flipped(*op)),
                _ => return true,
            };
            // Writers leave NaN out of min/max, and for Spark NaN is greater than every number.
            let nan_possible = matches!(value, Value::Double(_) | Value::Float(_));
            if nan_possible && matches!(op, BinaryOp::Gt | BinaryOp::GtEq) {
                return true;
            }
            let Some(stats) = column_stats(&column.name) else { return true };
            range_may_match(op, stats.min.as_ref(), stats.max.as_ref(), value)
        }
        _ => true,
    }
}

/// `5 < x` is `x > 5`.
fn flipped(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::LtEq => BinaryOp::GtEq,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::GtEq => BinaryOp::LtEq,
        other => other,
    }
}

/// Whether a value in `[min, max]` can satisfy `x op value`.
fn range_may_match(op: BinaryOp, min: Option<&Value>, max: Option<&Value>, value: &Value) -> bool {
    let (Some(min), Some(max)) = (min, max) else { return true };
    let (Some(low), Some(high)) = (compare(min, value), compare(max, value)) else { return true };
    match op {
        BinaryOp::Eq | BinaryOp::NullSafeEq => low.is_le() && high.is_ge(),
        BinaryOp::Lt => low.is_lt(),
        BinaryOp::LtEq => low.is_le(),
        BinaryOp::Gt => high.is_gt(),
        BinaryOp::GtEq => high.is_ge(),
        _ => true,
    }
}

/// Orders two values of the same type; `None` when they cannot be compared (different types, NaN).
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) | (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Long(x), Value::Long(y))
        | (Value::Timestamp(x), Value::Timestamp(y))
        | (Value::TimestampNtz(x), Value::TimestampNtz(y)) => Some(x.cmp(y)),
        (Value::Double(x), Value::Double(y)) => x.partial_cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Boolean(x), Value::Boolean(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// One column's statistics in one row group, as Spark values.
struct ColumnStats {
    rows: u64,
    nulls: Option<u64>,
    min: Option<Value>,
    max: Option<Value>,
}

impl ColumnStats {
    fn of(row_group: &RowGroupMetaData, schema: &Schema, name: &str) -> Option<Self> {
        let index = schema.fields().iter().position(|f| f.name().eq_ignore_ascii_case(name))?;
        let column = row_group.columns().iter().find(|c| c.column_path().parts() == [schema.field(index).name().clone()])?;
        let statistics = column.statistics()?;
        let data_type = schema.field(index).data_type();
        let (min, max) = bounds(statistics, data_type);
        Some(Self { rows: row_group.num_rows() as u64, nulls: statistics.null_count_opt(), min, max })
    }
}

/// The smallest and largest value, for the types whose Parquet statistics order values as Spark does.
fn bounds(statistics: &Statistics, data_type: &DataType) -> (Option<Value>, Option<Value>) {
    fn pair<T>(min: Option<&T>, max: Option<&T>, to: impl Fn(&T) -> Option<Value>) -> (Option<Value>, Option<Value>) {
        (min.and_then(&to), max.and_then(&to))
    }
    match (statistics, data_type) {
        (Statistics::Int32(s), DataType::Int32) => pair(s.min_opt(), s.max_opt(), |v| Some(Value::Integer(*v))),
        (Statistics::Int32(s), DataType::Date32) => pair(s.min_opt(), s.max_opt(), |v| Some(Value::Date(*v))),
        (Statistics::Int64(s), DataType::Int64) => pair(s.min_opt(), s.max_opt(), |v| Some(Value::Long(*v))),
        (Statistics::Int64(s), DataType::Timestamp(TimeUnit::Microsecond, zone)) => {
            let instant = zone.is_some();
            pair(s.min_opt(), s.max_opt(), |v| Some(if instant { Value::Timestamp(*v) } else { Value::TimestampNtz(*v) }))
        }
        (Statistics::Double(s), DataType::Float64) => pair(s.min_opt(), s.max_opt(), |v| Some(Value::Double(*v))),
        (Statistics::Float(s), DataType::Float32) => pair(s.min_opt(), s.max_opt(), |v| Some(Value::Float(*v))),
        (Statistics::Boolean(s), DataType::Boolean) => pair(s.min_opt(), s.max_opt(), |v| Some(Value::Boolean(*v))),
        (Statistics::ByteArray(s), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => {
            pair(s.min_opt(), s.max_opt(), |v| v.as_utf8().ok().map(|t| Value::String(t.to_string())))
        }
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_rule_out_only_what_cannot_match() {
        let (min, max) = (Value::Double(10.0), Value::Double(80.0));
        let check = |op, v: f64| range_may_match(op, Some(&min), Some(&max), &Value::Double(v));
        assert!(!check(BinaryOp::Gt, 80.0));
        assert!(check(BinaryOp::GtEq, 80.0));
        assert!(!check(BinaryOp::Lt, 10.0));
        assert!(check(BinaryOp::Eq, 50.0));
        assert!(!check(BinaryOp::Eq, 90.0));
        assert!(range_may_match(BinaryOp::Gt, None, Some(&max), &Value::Double(100.0)), "no statistics: keep");
    }
}
