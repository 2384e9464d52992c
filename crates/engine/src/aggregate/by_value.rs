//! Aggregates whose state is a few values per group, kept as [`Value`]s:
//! - `product(x)`, `bit_and(x)`, `bit_or(x)`, `bit_xor(x)` fold each value into the group's running value
//!   ([`Folds`]); NULLs are passed over, and a group of only NULLs gives NULL.
//! - `max_by(x, y)` / `min_by(x, y)` keep the `x` of the row with the largest (smallest) `y` ([`ExtremaBy`]). As
//!   in Spark, a later row that ties the best `y` replaces it, and rows whose `y` is NULL are passed over.
//! - `mode(x)` counts each value ([`Modes`]) and gives the most frequent; where several are, Kindling gives the
//!   smallest (Spark's `mode(x, true)`; Spark's default picks one by its hash table's order).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::ArrayRef;

use crate::expr::AggregateFunction;
use crate::types::{MapType, SparkType};
use crate::value::{NestedParts, Value, array_of};
use crate::{EngineError, Result};

/// The per-group states of one of these aggregates.
pub trait GroupStates {
    fn grow(&mut self, groups: usize);
    /// Folds the rows' argument values into the groups `group_ids`.
    fn update(&mut self, columns: &[ArrayRef], group_ids: &[usize]) -> Result<()>;
    /// Folds partial states (as [`GroupStates::state`] makes them) into the groups `group_ids`.
    fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize]) -> Result<()>;
    fn state(&mut self, groups: usize) -> Vec<ArrayRef>;
    fn finish(&mut self, groups: usize) -> ArrayRef;
}

/// The states for `function` over values of `data_type` (its first argument's, already cast), if it is one of
/// these aggregates.
pub fn group_states(function: AggregateFunction, data_type: &SparkType) -> Option<Box<dyn GroupStates>> {
    use AggregateFunction::*;
    Some(match function {
        Product | BitAnd | BitOr | BitXor => Box::new(Folds { function, data_type: data_type.clone(), values: Vec::new() }),
        MaxBy | MinBy => Box::new(ExtremaBy { max: function == MaxBy, data_type: data_type.clone(), ordering_type: None, best: Vec::new() }),
        Mode => Box::new(Modes { data_type: data_type.clone(), counts: Vec::new() }),
        HistogramNumeric { bins } => Box::new(super::numeric_histogram::GroupHistograms::new(data_type, bins)),
        _ => return None,
    })
}

fn values_of(array: &ArrayRef) -> Result<Vec<Value>> {
    (0..array.len()).map(|row| Value::from_array(array.as_ref(), row)).collect()
}

struct Folds {
    function: AggregateFunction,
    data_type: SparkType,
    values: Vec<Option<Value>>,
}

impl Folds {
    fn fold(&self, a: &Value, b: &Value) -> Value {
        if self.function == AggregateFunction::Product {
            return Value::Double(a.as_f64().unwrap_or(f64::NAN) * b.as_f64().unwrap_or(f64::NAN));
        }
        let (a, b) = (a.as_i64().unwrap_or(0), b.as_i64().unwrap_or(0));
        let bits = match self.function {
            AggregateFunction::BitAnd => a & b,
            AggregateFunction::BitOr => a | b,
            _ => a ^ b,
        };
        match self.data_type {
            SparkType::Byte => Value::Byte(bits as i8),
            SparkType::Short => Value::Short(bits as i16),
            SparkType::Integer => Value::Integer(bits as i32),
            _ => Value::Long(bits),
        }
    }

    fn add(&mut self, column: &ArrayRef, group_ids: &[usize]) -> Result<()> {
        for (value, &group) in values_of(column)?.into_iter().zip(group_ids) {
            if value.is_null() {
                continue;
            }
            let folded = match &self.values[group] {
                Some(current) => self.fold(current, &value),
                None => value,
            };
            self.values[group] = Some(folded);
        }
        Ok(())
    }
}

impl GroupStates for Folds {
    fn grow(&mut self, groups: usize) {
        if self.values.len() < groups {
            self.values.resize(groups, None);
        }
    }

    fn update(&mut self, columns: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        self.add(&columns[0], group_ids)
    }

    fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        self.add(&states[0], group_ids)
    }

    fn state(&mut self, groups: usize) -> Vec<ArrayRef> {
        vec![self.finish(groups)]
    }

    fn finish(&mut self, groups: usize) -> ArrayRef {
        let values: Vec<Value> = self.values[..groups].iter().map(|v| v.clone().unwrap_or(Value::Null)).collect();
        array_of(&values, &super::result_type(self.function, self.data_type.clone()))
    }
}

struct ExtremaBy {
    max: bool,
    data_type: SparkType,
    /// Known once a batch has been seen (the states carry it on).
    ordering_type: Option<SparkType>,
    /// Per group: the value and the best ordering so far.
    best: Vec<Option<(Value, Value)>>,
}

impl ExtremaBy {
    fn add(&mut self, values: &ArrayRef, orderings: &ArrayRef, group_ids: &[usize]) -> Result<()> {
        let ordering_type = SparkType::from_arrow(orderings.data_type())?;
        self.ordering_type.get_or_insert(ordering_type);
        for ((value, ordering), &group) in values_of(values)?.into_iter().zip(values_of(orderings)?).zip(group_ids) {
            if ordering.is_null() {
                continue;
            }
            let replaces = match &self.best[group] {
                None => true,
                Some((_, best)) => {
                    let order = best.partial_cmp_value(&ordering);
                    if self.max { !order.is_gt() } else { !order.is_lt() }
                }
            };
            if replaces {
                self.best[group] = Some((value, ordering));
            }
        }
        Ok(())
    }
}

impl GroupStates for ExtremaBy {
    fn grow(&mut self, groups: usize) {
        if self.best.len() < groups {
            self.best.resize(groups, None);
        }
    }

    fn update(&mut self, columns: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        let [values, orderings] = columns else {
            return Err(EngineError::Internal("max_by / min_by take a value and an ordering".into()));
        };
        self.add(values, orderings, group_ids)
    }

    fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        self.update(states, group_ids)
    }

    fn state(&mut self, groups: usize) -> Vec<ArrayRef> {
        let ordering_type = self.ordering_type.clone().unwrap_or(SparkType::Null);
        let orderings: Vec<Value> = self.best[..groups].iter().map(|b| b.as_ref().map_or(Value::Null, |(_, o)| o.clone())).collect();
        vec![self.finish(groups), array_of(&orderings, &ordering_type)]
    }

    fn finish(&mut self, groups: usize) -> ArrayRef {
        let values: Vec<Value> = self.best[..groups].iter().map(|b| b.as_ref().map_or(Value::Null, |(v, _)| v.clone())).collect();
        array_of(&values, &self.data_type)
    }
}

struct Modes {
    data_type: SparkType,
    /// Per group: each value seen, by its text (a key that hashes), with its count.
    counts: Vec<HashMap<String, (Value, i64)>>,
}

impl Modes {
    fn count(&mut self, group: usize, value: Value, times: i64) {
        let entry = self.counts[group].entry(format!("{value:?}")).or_insert((value, 0));
        entry.1 += times;
    }

    fn map_type(&self) -> MapType {
        MapType { key: self.data_type.clone(), value: SparkType::Long, value_contains_null: false }
    }
}

impl GroupStates for Modes {
    fn grow(&mut self, groups: usize) {
        if self.counts.len() < groups {
            self.counts.resize_with(groups, HashMap::new);
        }
    }

    fn update(&mut self, columns: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        for (value, &group) in values_of(&columns[0])?.into_iter().zip(group_ids) {
            if !value.is_null() {
                self.count(group, value, 1);
            }
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize]) -> Result<()> {
        for (state, &group) in values_of(&states[0])?.into_iter().zip(group_ids) {
            if let Some(NestedParts::Map(entries)) = state.nested_parts() {
                for (value, times) in entries {
                    self.count(group, value, times.as_i64().unwrap_or(0));
                }
            }
        }
        Ok(())
    }

    fn state(&mut self, groups: usize) -> Vec<ArrayRef> {
        let map_type = self.map_type();
        let maps: Vec<Value> = self.counts[..groups]
            .iter()
            .map(|counts| {
                let entries: Vec<(Value, Value)> = counts.values().map(|(v, n)| (v.clone(), Value::Long(*n))).collect();
                Value::new_map(&entries, &map_type)
            })
            .collect();
        vec![array_of(&maps, &SparkType::Map(Arc::new(map_type)))]
    }

    fn finish(&mut self, groups: usize) -> ArrayRef {
        let modes: Vec<Value> = self.counts[..groups]
            .iter()
            .map(|counts| {
                let most = counts.values().map(|(_, n)| *n).max();
                let tied = counts.values().filter(|(_, n)| Some(*n) == most).map(|(v, _)| v);
                tied.min_by(|a, b| a.partial_cmp_value(b)).cloned().unwrap_or(Value::Null)
            })
            .collect();
        array_of(&modes, &self.data_type)
    }
}
