//! Arrays reshaped: sorted (`array_sort`), grown (`array_append`, `array_prepend`, `array_insert`,
//! `array_repeat`), cleaned (`array_compact`), reversed, zipped (`arrays_zip`), counted out (`sequence`) and read
//! without failing (`get`, `try_element_at`).

use crate::types::SparkField;
use crate::value::{NestedParts, Value};
use crate::{EngineError, Result};

/// The elements of an array value, or `None` for NULL.
pub fn elements(value: &Value) -> Option<Vec<Value>> {
    match value.nested_parts() {
        Some(NestedParts::Array(elements)) => Some(elements),
        _ => None,
    }
}

/// `array_sort(arr)`: ascending, NULLs last.
pub fn sorted(mut elements: Vec<Value>) -> Vec<Value> {
    elements.sort_by(|a, b| match (a.is_null(), b.is_null()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        (false, false) => a.partial_cmp_value(b),
    });
    elements
}

/// `array_insert(arr, position, value)`: at `position` from 1, or counted from the end (-1 is after the last
/// element); past either end the gap is filled with NULLs.
pub fn inserted(mut elements: Vec<Value>, position: i64, value: Value) -> Result<Vec<Value>> {
    let length = elements.len() as i64;
    if position == 0 {
        return Err(EngineError::Runtime(
            "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element \
             has index 1). SQLSTATE: 22003"
                .into(),
        ));
    }
    let index = if position > 0 { position - 1 } else { length + position + 1 };
    if index < 0 {
        let gap = std::iter::repeat_n(Value::Null, (-index) as usize);
        return Ok(std::iter::once(value).chain(gap).chain(elements).collect());
    }
    let index = index as usize;
    if index > elements.len() {
        elements.resize(index, Value::Null);
    }
    elements.insert(index, value);
    Ok(elements)
}

/// `array_repeat(value, n)`: the value `n` times (none for a negative `n`).
pub fn repeated(value: &Value, times: i64) -> Vec<Value> {
    vec![value.clone(); times.max(0) as usize]
}

/// `arrays_zip(a, b, …)`: the `i`th elements of every array as the `i`th struct, NULL where an array is shorter.
pub fn zipped(arrays: &[Vec<Value>], fields: &[SparkField]) -> Vec<Value> {
    let longest = arrays.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .map(|i| {
            let parts: Vec<Value> = arrays.iter().map(|array| array.get(i).cloned().unwrap_or(Value::Null)).collect();
            Value::new_struct(&parts, fields)
        })
        .collect()
}

/// `sequence(start, stop[, step])`: whole numbers from `start` to `stop` (both included) by `step`, which is 1 or -1
/// toward `stop` when left out.
pub fn sequence(start: i64, stop: i64, step: Option<i64>) -> Result<Vec<i64>> {
    let step = step.unwrap_or(if start <= stop { 1 } else { -1 });
    let wrong_way = (step > 0 && start > stop) || (step < 0 && start < stop) || (step == 0 && start != stop);
    if wrong_way {
        return Err(EngineError::IllegalArgument(format!(
            "requirement failed: Illegal sequence boundaries: {start} to {stop} by {step}"
        )));
    }
    if step == 0 {
        return Ok(vec![start]);
    }
    let count = (stop - start) / step + 1;
    if count > MAX_ELEMENTS {
        return Err(EngineError::Runtime(format!(
            "[COLLECTION_SIZE_LIMIT_EXCEEDED.PARAMETER] Can't create array with {count} elements which exceeding the \
             array size limit {MAX_ELEMENTS}. SQLSTATE: 54000"
        )));
    }
    Ok((0..count).map(|i| start + i * step).collect())
}

/// The most elements an array may have (Java's largest array, less a few words, as Spark's limit).
const MAX_ELEMENTS: i64 = i32::MAX as i64 - 15;

/// `get(arr, i)` (from 0) and `try_element_at(arr, n)` (from 1, or from the end): NULL out of range.
pub fn element_or_null(elements: &[Value], index: i64) -> Value {
    usize::try_from(index).ok().and_then(|i| elements.get(i)).cloned().unwrap_or(Value::Null)
}

/// The 0-based index `element_at`'s `n` means (from 1, or from the end when negative).
pub fn index_from_one(length: usize, n: i64) -> i64 {
    if n > 0 { n - 1 } else { length as i64 + n }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: &[i64]) -> Vec<Value> {
        values.iter().map(|v| Value::Long(*v)).collect()
    }

    /// Spark's answers for `array_insert(array(1, 2), p, 9)` and `sequence`.
    #[test]
    fn inserting_and_counting_out() {
        assert_eq!(inserted(ints(&[1, 2]), -1, Value::Long(9)).unwrap(), ints(&[1, 2, 9]));
        assert_eq!(inserted(ints(&[3, 1, 2]), 2, Value::Long(7)).unwrap(), ints(&[3, 7, 1, 2]));
        let padded = inserted(ints(&[1, 2]), 5, Value::Long(9)).unwrap();
        assert_eq!(padded, vec![Value::Long(1), Value::Long(2), Value::Null, Value::Null, Value::Long(9)]);
        assert_eq!(sequence(5, 1, None).unwrap(), vec![5, 4, 3, 2, 1]);
        assert_eq!(sequence(1, 9, Some(3)).unwrap(), vec![1, 4, 7]);
        assert!(sequence(1, 5, Some(-1)).is_err());
    }
}
