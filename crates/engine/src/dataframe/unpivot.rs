//! `unpivot(ids, values, "variable", "value")` (also `melt`): wide to long. Each row becomes one row per value
//! column, holding the id columns, the value column's name and its value. The value columns must share a type
//! (without turning numbers into strings); each is widened to it.
//!
//! As in Spark, the plan is an `Expand`: one projection per value column, a row's copies next to each other.

use crate::analyzer::wider_type;
use crate::expr::{Attribute, Expr, lit};
use crate::logical::{LogicalPlan, output_attribute};
use crate::types::SparkType;
use crate::{EngineError, Result};

use super::DataFrame;

impl DataFrame {
    /// `values` of `None` unpivots every column that is not an id.
    pub fn unpivot(&self, ids: Vec<Expr>, values: Option<Vec<Expr>>, variable: &str, value: &str) -> Result<DataFrame> {
        let ids = self.resolve_all(ids)?;
        let values = match values {
            Some(values) => self.resolve_all(values)?,
            None => {
                let id_columns: Vec<Attribute> = ids.iter().map(output_attribute).collect();
                let others = self.attributes().into_iter().filter(|a| !id_columns.iter().any(|id| id.id == a.id));
                others.map(Expr::Attribute).collect()
            }
        };
        if values.is_empty() {
            return Err(EngineError::Analysis(
                "[UNPIVOT_REQUIRES_VALUE_COLUMNS] At least one value column needs to be specified for UNPIVOT, all \
                 columns specified as ids. SQLSTATE: 42K0A"
                    .into(),
            ));
        }
        let value_type = common_value_type(&values)?;
        let variable_column = Attribute::new(variable, SparkType::String, false);
        let value_column = Attribute::new(value, value_type.clone(), values.iter().any(Expr::nullable));
        let projections = values
            .iter()
            .map(|v| {
                let read = if v.data_type() == value_type { v.clone() } else { v.clone().cast(value_type.clone()) };
                ids.iter().cloned().chain([lit(output_attribute(v).name.as_str()), read]).collect()
            })
            .collect();
        let output = ids.iter().map(output_attribute).chain([variable_column, value_column]).collect();
        Ok(self.with_plan(LogicalPlan::Expand { projections, output, input: self.plan.clone() }))
    }
}

/// The type every value column widens to, numbers never becoming strings (Spark's wider type without string
/// promotion).
fn common_value_type(values: &[Expr]) -> Result<SparkType> {
    let types: Vec<SparkType> = values.iter().map(Expr::data_type).collect();
    let wider = |a: &SparkType, b: &SparkType| match (a, b) {
        (SparkType::String, other) | (other, SparkType::String) if *other != SparkType::String && *other != SparkType::Null => None,
        _ => wider_type(a, b),
    };
    types.iter().skip(1).try_fold(types[0].clone(), |common, t| wider(&common, t)).ok_or_else(|| {
        let mut listed: Vec<(String, Vec<String>)> = Vec::new();
        for (t, v) in types.iter().zip(values) {
            let shown = format!("\"{}\"", t.simple_string().to_uppercase());
            let name = format!("`{}`", output_attribute(v).name);
            match listed.iter_mut().find(|(seen, _)| *seen == shown) {
                Some((_, names)) => names.push(name),
                None => listed.push((shown, vec![name])),
            }
        }
        listed.sort();
        let listed: Vec<String> = listed.into_iter().map(|(t, names)| format!("{t} ({})", names.join(", "))).collect();
        EngineError::Analysis(format!(
            "[UNPIVOT_VALUE_DATA_TYPE_MISMATCH] Unpivot value columns must share a least common type, some types do \
             not: [{}]. SQLSTATE: 42K09",
            listed.join(", ")
        ))
    })
}
