//! Grouping sets (`rollup`, `cube`, `GROUPING SETS`): one aggregation over several groupings at once. An Expand
//! makes one copy of each row per grouping set, in which the keys the set leaves out are NULL and
//! `spark_grouping_id` says which keys those are (bit `n - 1 - i` set when key `i` of `n` is left out, as Spark
//! numbers it); one aggregation by the key copies and the id then gives every set's groups.
//! `grouping(key)` and `grouping_id()` read that id.

use std::sync::Arc;

use crate::expr::{Attribute, BinaryOp, Expr, lit};
use crate::functions::{GroupingFunction, MathFunction, PerRowFunction, ScalarFunction};
use crate::logical::LogicalPlan;
use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

use super::DataFrame;

/// The rows once per grouping set, and the columns to group them by.
pub struct GroupingCopies {
    pub df: DataFrame,
    /// A copy of each key, NULL in the sets that leave the key out; named as the key.
    pub keys: Vec<Attribute>,
    /// `spark_grouping_id`.
    pub id: Attribute,
}

/// The column that tells the copies apart, as Spark names it.
pub const GROUPING_ID: &str = "spark_grouping_id";

impl DataFrame {
    /// The Expand of grouping `sets` (each a list of positions in `keys`) over this DataFrame.
    pub fn expand_grouping_sets(&self, keys: &[Attribute], sets: &[Vec<usize>]) -> Result<GroupingCopies> {
        if sets.is_empty() {
            return Err(EngineError::Analysis("An empty list of grouping sets".into()));
        }
        // The keys last, as Spark's analyzer lays out the rows it expands (a projection, unless they are already).
        let others = self.attributes().into_iter().filter(|a| !keys.iter().any(|k| k.id == a.id));
        let columns: Vec<Attribute> = others.chain(keys.iter().cloned()).collect();
        let below = Arc::new(LogicalPlan::Project { exprs: columns.iter().cloned().map(Expr::Attribute).collect(), input: self.plan.clone() });
        // The id is made first, as Spark numbers it before the copies.
        let id = Attribute { hidden: true, ..Attribute::new(GROUPING_ID, SparkType::Long, false) };
        // The copies are hidden: a bare name still means the original column, which aggregates read.
        let copies: Vec<Attribute> =
            keys.iter().map(|k| Attribute { hidden: true, nullable: true, ..Attribute::new(k.name.clone(), k.data_type.clone(), true) }).collect();
        let projections = sets
            .iter()
            .map(|set| {
                let passed = columns.iter().cloned().map(Expr::Attribute);
                let key_copies = keys.iter().enumerate().map(|(i, key)| {
                    if set.contains(&i) { Expr::Attribute(key.clone()) } else { lit(Value::Null).cast(key.data_type.clone()) }
                });
                passed.chain(key_copies).chain([lit(grouping_id(keys.len(), set))]).collect()
            })
            .collect();
        let output = columns.iter().chain(&copies).chain([&id]).cloned().collect();
        let df = self.with_plan(LogicalPlan::Expand { projections, output, input: below });
        Ok(GroupingCopies { df, keys: copies, id })
    }
}

/// The id of a grouping set: bit `n - 1 - i` set for each key `i` it leaves out.
fn grouping_id(keys: usize, set: &[usize]) -> i64 {
    (0..keys).filter(|i| !set.contains(i)).map(|i| 1i64 << (keys - 1 - i)).sum()
}

/// `expr` with `grouping(key)` and `grouping_id(keys…)` reading the grouping id, for keys named `key_names`.
pub fn over_grouping_id(expr: Expr, key_names: &[String], id: &Attribute) -> Result<Expr> {
    expr.transform_up(&mut |e| match e {
        Expr::Function { function: ScalarFunction::Grouping(function), args } => read_id(function, &args, key_names, id),
        other => Ok(other),
    })
}

/// The same, named as the expression was before (`grouping(a)`) unless it is aliased.
pub fn named_over_grouping_id(expr: Expr, key_names: &[String], id: &Attribute, input: &[Attribute]) -> Result<Expr> {
    let read = over_grouping_id(expr.clone(), key_names, id)?;
    if read == expr || matches!(expr, Expr::Alias { .. }) {
        return Ok(read);
    }
    Ok(read.alias(&super::name_of(&expr, input)))
}

fn read_id(function: GroupingFunction, args: &[Expr], key_names: &[String], id: &Attribute) -> Result<Expr> {
    let n = key_names.len();
    let position = |arg: &Expr| {
        let name = match arg {
            Expr::Column(name) => name.trim_matches('`').to_string(),
            Expr::Attribute(a) => a.name.clone(),
            other => other.sql_name(),
        };
        key_names.iter().position(|k| k.eq_ignore_ascii_case(&name)).ok_or_else(|| {
            EngineError::Analysis(format!(
                "[GROUPING_COLUMN_MISMATCH] Column of grouping ({name}) can't be found in grouping columns {}. \
                 SQLSTATE: 42803",
                key_names.join(",")
            ))
        })
    };
    let bit = |i: usize| {
        let shifted = Expr::Function { function: ScalarFunction::PerRow(PerRowFunction::Math(MathFunction::ShiftRight)), args: vec![Expr::Attribute(id.clone()), lit((n - 1 - i) as i32)] };
        Expr::Binary { op: BinaryOp::BitwiseAnd, left: Box::new(shifted), right: Box::new(lit(1i64)) }
    };
    match function {
        GroupingFunction::Grouping => Ok(bit(position(&args[0])?).cast(SparkType::Byte)),
        // Spark takes the keys given only when they are all the keys, in order.
        GroupingFunction::GroupingId => {
            let positions = args.iter().map(position).collect::<Result<Vec<_>>>()?;
            if args.is_empty() || positions == (0..n).collect::<Vec<_>>() {
                return Ok(Expr::Attribute(id.clone()));
            }
            let given: Vec<String> = positions.iter().map(|&i| key_names[i].clone()).collect();
            Err(EngineError::Analysis(format!(
                "[GROUPING_ID_COLUMN_MISMATCH] Columns of grouping_id ({}) does not match grouping columns ({}). \
                 SQLSTATE: 42803",
                given.join(","),
                key_names.join(",")
            )))
        }
    }
}

/// Shared by the engine's GroupedData and the SQL front end: keys as attributes of `df` for an Expand.
pub fn key_attributes(df: &DataFrame, keys: &[Expr]) -> Result<Vec<Attribute>> {
    keys.iter()
        .map(|key| match df.resolve_all(vec![key.clone()])?.pop() {
            Some(Expr::Attribute(attribute)) => Ok(attribute),
            _ => Err(EngineError::Analysis(format!("A grouping set key that is not a column (`{}`) is not supported by Kindling yet", key.sql_name()))),
        })
        .collect()
}
