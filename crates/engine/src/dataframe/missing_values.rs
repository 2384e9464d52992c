//! `df.na` — what to do about missing values (Spark's `DataFrameNaFunctions`): `fill` puts a value where a column
//! is NULL (and, in a floating-point column, NaN), as a projection of `coalesce(nanvl(x, null), value)`; `drop`
//! keeps the rows with enough values present, as a filter `atleastnnonnulls(n, columns…)`. A value fills only the
//! columns of its kind: a number the numeric columns (cast to each column's type), text the string columns, a
//! boolean the boolean columns; the other columns pass through untouched. `replace` swaps given values for others
//! by the same rule of kinds, as `CASE WHEN x = old THEN new … ELSE x END`.

use crate::analyzer::resolve_name;
use crate::expr::{Attribute, Expr, call, lit};
use crate::functions::{PerRowFunction, ScalarFunction};
use crate::types::SparkType;
use crate::value::Value;
use crate::Result;

use super::DataFrame;

/// Which rows `drop_missing` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepRows {
    /// `how='any'`: rows with every column present.
    Complete,
    /// `how='all'`: rows with at least one column present.
    AnyPresent,
    /// `thresh=n`: rows with at least `n` columns present.
    AtLeast(usize),
}

impl DataFrame {
    /// `fillna(value, subset)`: `value` in place of the missing values of the columns of its kind (all of them, or
    /// those of `subset`).
    pub fn fill_missing(&self, value: &Value, subset: Option<&[&str]>) -> Result<DataFrame> {
        let chosen = self.chosen_columns(subset)?;
        self.fill_where(|column| (chosen.iter().any(|c| c.id == column.id) && fills(value, column.data_type.clone())).then(|| value.clone()))
    }

    /// `fillna({column: value, …})`: each column's own value.
    pub fn fill_missing_by_column(&self, values: &[(String, Value)]) -> Result<DataFrame> {
        let input = self.attributes();
        let mut by_id = Vec::new();
        for (name, value) in values {
            by_id.push((resolve_name(name, &input)?.id, value.clone()));
        }
        self.fill_where(|column| by_id.iter().find(|(id, _)| *id == column.id).map(|(_, v)| v.clone()))
    }

    fn fill_where(&self, value_for: impl Fn(&Attribute) -> Option<Value>) -> Result<DataFrame> {
        let exprs = self
            .attributes()
            .into_iter()
            .map(|column| match value_for(&column) {
                Some(value) => filled(&column, value),
                None => Expr::Attribute(column),
            })
            .collect();
        self.select(exprs)
    }

    /// `dropna(how, thresh, subset)`: the rows with enough of the columns (all, or `subset`) present — neither NULL
    /// nor NaN.
    pub fn drop_missing(&self, keep: KeepRows, subset: Option<&[&str]>) -> Result<DataFrame> {
        let columns = self.chosen_columns(subset)?;
        let needed = match keep {
            KeepRows::Complete => columns.len(),
            KeepRows::AnyPresent => 1,
            KeepRows::AtLeast(n) => n,
        };
        let args = std::iter::once(lit(needed as i32)).chain(columns.into_iter().map(Expr::Attribute)).collect();
        self.filter(call(ScalarFunction::PerRow(PerRowFunction::AtLeastNNonNulls), args))
    }

    /// `replace(to_replace, value, subset)`: in each column of the pair's kind (all, or `subset`'s), `old` becomes
    /// `new` (NULL when `new` is); both are cast to the column's type.
    pub fn replace_values(&self, pairs: &[(Value, Value)], subset: Option<&[&str]>) -> Result<DataFrame> {
        let chosen = self.chosen_columns(subset)?;
        let exprs = self
            .attributes()
            .into_iter()
            .map(|column| {
                let matching: Vec<&(Value, Value)> = pairs
                    .iter()
                    .filter(|(old, _)| chosen.iter().any(|c| c.id == column.id) && fills(old, column.data_type.clone()))
                    .collect();
                if matching.is_empty() {
                    return Expr::Attribute(column);
                }
                let as_column = |value: &Value| {
                    let cast = crate::expr::cast::cast_value(value.clone(), &column.data_type).unwrap_or(Value::Null);
                    if cast.is_null() { lit(Value::Null).cast(column.data_type.clone()) } else { lit(cast) }
                };
                let branches = matching
                    .into_iter()
                    .map(|(old, new)| (Expr::Attribute(column.clone()).eq(as_column(old)), as_column(new)))
                    .collect();
                Expr::CaseWhen { branches, otherwise: Some(Box::new(Expr::Attribute(column.clone()))) }.alias(&column.name)
            })
            .collect();
        self.select(exprs)
    }

    fn chosen_columns(&self, subset: Option<&[&str]>) -> Result<Vec<Attribute>> {
        let input = self.attributes();
        match subset {
            None => Ok(input),
            Some(names) => names.iter().map(|name| resolve_name(name, &input)).collect(),
        }
    }
}

/// Whether a fill value of this kind fills a column of type `column`.
fn fills(value: &Value, column: SparkType) -> bool {
    match value {
        Value::String(_) => column == SparkType::String,
        Value::Boolean(_) => column == SparkType::Boolean,
        other if other.as_f64().is_some() => column.is_numeric(),
        _ => false,
    }
}

/// `coalesce(column, value)` under the column's name; NaN counts as missing in a floating-point column.
fn filled(column: &Attribute, value: Value) -> Expr {
    let read = Expr::Attribute(column.clone());
    let present = match column.data_type {
        SparkType::Double | SparkType::Float => {
            call(ScalarFunction::PerRow(PerRowFunction::Nanvl), vec![read, lit(Value::Null).cast(column.data_type.clone())])
        }
        _ => read,
    };
    let replacement = crate::expr::cast::cast_value(value.clone(), &column.data_type).unwrap_or(value);
    call(ScalarFunction::Coalesce, vec![present, lit(replacement)]).alias(&column.name)
}
