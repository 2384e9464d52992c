//! Functions that build, read and reshape arrays, maps and structs: `array(a, b)`, `split(text, ',')`,
//! `arr[0]`, `m['key']`, `s.field`, `size`, `array_contains`, `element_at`, `sort_array`, ….
//!
//! A nested value is one row of an Arrow list, map or struct array; these functions work a row at a time on
//! [`Value`]s, which is plenty for the sizes a learner's arrays have. Spark's ANSI rules apply: an index past the
//! end of an array is an error, not a NULL, unless ANSI mode is off.

mod arrays;
mod maps;
pub(crate) use maps::{duplicated_map_key, null_map_key};

use arrow::array::ArrayRef;

use crate::types::{MapType, SparkField, SparkType};
use crate::value::{NestedParts, Value, array_of};
use crate::{EngineError, Result};

/// A function over arrays, maps or structs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionFunction {
    /// `array(a, b, …)`: the arguments as one array.
    MakeArray,
    /// `struct(a, b)`: a struct whose fields are named after the columns (`col2` for an unnamed expression).
    Struct,
    /// `named_struct('a', x, 'b', y)`: a struct of the given names.
    NamedStruct,
    /// `map(k1, v1, k2, v2, …)` (PySpark's `create_map`).
    CreateMap,
    /// `split(text, pattern, limit)`: the pieces between matches of a regular expression.
    Split,
    /// `size(x)` / `cardinality(x)`: the number of elements of an array or entries of a map.
    Size,
    Cardinality,
    /// `array_contains(arr, value)`.
    ArrayContains,
    /// `element_at(arr, n)` (from 1; from the end when negative) or `element_at(map, key)`.
    ElementAt,
    /// `arr[i]` (from 0) or `map[key]`: PySpark's `col[i]` and `getItem`.
    GetItem,
    /// `s.field`: PySpark's `col.field`, `col['field']` and `getField`; the second argument is the field's name.
    GetField,
    /// `sort_array(arr, ascending)`: NULLs first when ascending, last when descending.
    SortArray,
    /// `array_distinct(arr)`: each value once, in the order it first appears.
    ArrayDistinct,
    /// `flatten(arr_of_arrs)`: the inner arrays one after another.
    Flatten,
    /// `concat(arr1, arr2, …)`: `concat` when its arguments are arrays.
    ArrayConcat,
    /// `map_keys(m)`, `map_values(m)`: a map's keys or values, in the map's order.
    MapKeys,
    MapValues,
    /// `array_join(arr, delimiter[, null_replacement])`: the elements as text, NULLs left out unless replaced.
    ArrayJoin,
    /// `slice(arr, start, length)`: `length` elements from `start` (from 1; from the end when negative).
    Slice,
    /// `array_max(arr)`, `array_min(arr)`: the greatest or least element that is not NULL.
    ArrayMax,
    ArrayMin,
    /// `array_position(arr, value)`: where the value first is, from 1; 0 when it is not there.
    ArrayPosition,
    /// `array_remove(arr, value)`: every element but those equal to the value.
    ArrayRemove,
    /// `array_union(a, b)`, `array_intersect(a, b)`, `array_except(a, b)`: each element once, in first-seen order.
    ArrayUnion,
    ArrayIntersect,
    ArrayExcept,
    /// `arrays_overlap(a, b)`: whether an element that is not NULL is in both.
    ArraysOverlap,
    /// See [`arrays`].
    ArraySort,
    ArrayAppend,
    ArrayPrepend,
    ArrayInsert,
    ArrayCompact,
    ArrayRepeat,
    ArraySize,
    ArraysZip,
    /// `reverse(arr)`: `reverse` when its argument is an array.
    ArrayReverse,
    Sequence,
    /// `get(arr, i)`: from 0, NULL out of range.
    GetOrNull,
    /// `try_element_at(arr, n)`: `element_at`, NULL out of range.
    TryElementAt,
    /// See [`maps`].
    MapConcat,
    MapEntries,
    MapFromArrays,
    MapFromEntries,
    MapContainsKey,
    StrToMap,
}

use CollectionFunction::*;

const BY_NAME: [(&str, CollectionFunction); 42] = [
    ("array", MakeArray),
    ("struct", Struct),
    ("named_struct", NamedStruct),
    ("map", CreateMap),
    ("create_map", CreateMap),
    ("split", Split),
    ("size", Size),
    ("cardinality", Cardinality),
    ("array_contains", ArrayContains),
    ("element_at", ElementAt),
    ("sort_array", SortArray),
    ("array_distinct", ArrayDistinct),
    ("flatten", Flatten),
    ("map_keys", MapKeys),
    ("map_values", MapValues),
    ("array_join", ArrayJoin),
    ("slice", Slice),
    ("array_max", ArrayMax),
    ("array_min", ArrayMin),
    ("array_position", ArrayPosition),
    ("array_remove", ArrayRemove),
    ("array_union", ArrayUnion),
    ("array_intersect", ArrayIntersect),
    ("array_except", ArrayExcept),
    ("arrays_overlap", ArraysOverlap),
    ("array_sort", ArraySort),
    ("array_append", ArrayAppend),
    ("array_prepend", ArrayPrepend),
    ("array_insert", ArrayInsert),
    ("array_compact", ArrayCompact),
    ("array_repeat", ArrayRepeat),
    ("array_size", ArraySize),
    ("arrays_zip", ArraysZip),
    ("sequence", Sequence),
    ("get", GetOrNull),
    ("try_element_at", TryElementAt),
    ("map_concat", MapConcat),
    ("map_entries", MapEntries),
    ("map_from_arrays", MapFromArrays),
    ("map_from_entries", MapFromEntries),
    ("map_contains_key", MapContainsKey),
    ("str_to_map", StrToMap),
];

impl CollectionFunction {
    pub fn name(self) -> &'static str {
        match self {
            MakeArray => "array",
            Struct => "struct",
            NamedStruct => "named_struct",
            CreateMap => "map",
            Split => "split",
            Size => "size",
            Cardinality => "cardinality",
            ArrayContains => "array_contains",
            ElementAt => "element_at",
            GetItem => "get",
            GetField => "getfield",
            SortArray => "sort_array",
            ArrayDistinct => "array_distinct",
            Flatten => "flatten",
            ArrayConcat => "concat",
            MapKeys => "map_keys",
            MapValues => "map_values",
            ArrayJoin => "array_join",
            Slice => "slice",
            ArrayMax => "array_max",
            ArrayMin => "array_min",
            ArrayPosition => "array_position",
            ArrayRemove => "array_remove",
            ArrayUnion => "array_union",
            ArrayIntersect => "array_intersect",
            ArrayExcept => "array_except",
            ArraysOverlap => "arrays_overlap",
            ArraySort => "array_sort",
            ArrayAppend => "array_append",
            ArrayPrepend => "array_prepend",
            ArrayInsert => "array_insert",
            ArrayCompact => "array_compact",
            ArrayRepeat => "array_repeat",
            ArraySize => "array_size",
            ArraysZip => "arrays_zip",
            ArrayReverse => "reverse",
            Sequence => "sequence",
            GetOrNull => "get",
            TryElementAt => "try_element_at",
            MapConcat => "map_concat",
            MapEntries => "map_entries",
            MapFromArrays => "map_from_arrays",
            MapFromEntries => "map_from_entries",
            MapContainsKey => "map_contains_key",
            StrToMap => "str_to_map",
        }
    }

    /// The function called `name` (already lower case).
    pub fn by_name(name: &str) -> Option<Self> {
        BY_NAME.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// How many arguments the function takes, as (minimum, maximum).
    pub fn arity(self) -> (usize, usize) {
        match self {
            MakeArray | Struct | CreateMap => (0, usize::MAX),
            NamedStruct => (2, usize::MAX),
            Split => (2, 3),
            SortArray => (1, 2),
            Size | Cardinality | ArrayDistinct | Flatten | MapKeys | MapValues | ArrayMax | ArrayMin => (1, 1),
            ArrayContains | ElementAt | GetItem | GetField | ArrayPosition | ArrayRemove => (2, 2),
            ArrayUnion | ArrayIntersect | ArrayExcept | ArraysOverlap => (2, 2),
            ArrayJoin => (2, 3),
            Slice => (3, 3),
            ArrayConcat => (1, usize::MAX),
            ArraySort | ArrayCompact | ArraySize | ArrayReverse | MapEntries | MapFromEntries => (1, 1),
            ArrayAppend | ArrayPrepend | ArrayRepeat | GetOrNull | TryElementAt | MapFromArrays | MapContainsKey => (2, 2),
            ArrayInsert => (3, 3),
            Sequence | StrToMap => (1, 3),
            ArraysZip | MapConcat => (0, usize::MAX),
        }
    }

    /// What plans print after the arguments Spark shows for every call: `size(m#2, false)` (the legacy
    /// size-of-NULL flag), `element_at(arr#1, 1, None, true)`.
    pub fn plan_suffix(self) -> &'static str {
        match self {
            Size | Cardinality => ", false",
            ElementAt => ", None, true",
            _ => "",
        }
    }

    /// The result type for arguments of types `types`; `names` are the struct field names `struct(…)` gives.
    pub fn return_type(self, types: &[SparkType], nullable: &[bool], names: &[String]) -> SparkType {
        let element_of = |t: &SparkType| match t {
            SparkType::Array(array) => array.element.clone(),
            SparkType::Map(map) => map.value.clone(),
            _ => SparkType::Null,
        };
        match self {
            MakeArray => SparkType::array_of(
                types.first().cloned().unwrap_or(SparkType::Null),
                nullable.iter().any(|n| *n),
            ),
            Struct => SparkType::struct_of(
                names.iter().zip(types).zip(nullable).map(|((n, t), nullable)| SparkField::new(n, t.clone(), *nullable)).collect(),
            ),
            NamedStruct => SparkType::struct_of(
                names
                    .iter()
                    .zip(types.iter().skip(1).step_by(2))
                    .zip(nullable.iter().skip(1).step_by(2))
                    .map(|((n, t), nullable)| SparkField::new(n, t.clone(), *nullable))
                    .collect(),
            ),
            CreateMap => SparkType::map_of(
                types.first().cloned().unwrap_or(SparkType::Null),
                types.get(1).cloned().unwrap_or(SparkType::Null),
                nullable.iter().skip(1).step_by(2).any(|n| *n),
            ),
            Split => SparkType::array_of(SparkType::String, false),
            Size | Cardinality => SparkType::Integer,
            ArrayContains => SparkType::Boolean,
            ElementAt | GetItem => types.first().map_or(SparkType::Null, element_of),
            GetField => match (types.first(), names.first()) {
                (Some(SparkType::Struct(fields)), Some(name)) => {
                    fields.iter().find(|f| f.name == *name).map_or(SparkType::Null, |f| f.data_type.clone())
                }
                _ => SparkType::Null,
            },
            SortArray | ArrayDistinct | ArrayConcat | Slice | ArrayRemove | ArrayUnion | ArrayIntersect | ArrayExcept => {
                types.first().cloned().unwrap_or(SparkType::Null)
            }
            MapKeys => match types.first() {
                Some(SparkType::Map(map)) => SparkType::array_of(map.key.clone(), true),
                _ => SparkType::Null,
            },
            MapValues => match types.first() {
                Some(SparkType::Map(map)) => SparkType::array_of(map.value.clone(), map.value_contains_null),
                _ => SparkType::Null,
            },
            ArrayJoin => SparkType::String,
            ArrayMax | ArrayMin => match types.first() {
                Some(SparkType::Array(array)) => array.element.clone(),
                _ => SparkType::Null,
            },
            ArrayPosition => SparkType::Long,
            ArraysOverlap => SparkType::Boolean,
            Flatten => match types.first() {
                Some(SparkType::Array(outer)) => outer.element.clone(),
                _ => SparkType::Null,
            },
            ArraySort | ArrayAppend | ArrayPrepend | ArrayInsert | ArrayReverse | MapConcat => {
                types.first().cloned().unwrap_or(SparkType::Null)
            }
            ArrayCompact => match types.first() {
                Some(SparkType::Array(array)) => SparkType::array_of(array.element.clone(), false),
                _ => SparkType::Null,
            },
            ArrayRepeat => SparkType::array_of(types.first().cloned().unwrap_or(SparkType::Null), nullable.first().copied().unwrap_or(true)),
            ArraySize => SparkType::Integer,
            ArraysZip => {
                let fields = names.iter().zip(types).map(|(name, t)| SparkField::new(name, element_of(t), true)).collect();
                SparkType::array_of(SparkType::struct_of(fields), false)
            }
            Sequence => SparkType::array_of(types.first().cloned().unwrap_or(SparkType::Long), false),
            GetOrNull | TryElementAt => types.first().map_or(SparkType::Null, element_of),
            MapEntries => match types.first() {
                Some(SparkType::Map(map)) => {
                    let key = SparkField::new("key", map.key.clone(), false);
                    let value = SparkField::new("value", map.value.clone(), map.value_contains_null);
                    SparkType::array_of(SparkType::struct_of(vec![key, value]), false)
                }
                _ => SparkType::Null,
            },
            MapFromArrays => match (types.first(), types.get(1)) {
                (Some(SparkType::Array(keys)), Some(SparkType::Array(values))) => {
                    SparkType::map_of(keys.element.clone(), values.element.clone(), values.contains_null)
                }
                _ => SparkType::Null,
            },
            MapFromEntries => match types.first() {
                Some(SparkType::Array(array)) => match &array.element {
                    SparkType::Struct(fields) if fields.len() == 2 => {
                        SparkType::map_of(fields[0].data_type.clone(), fields[1].data_type.clone(), fields[1].nullable)
                    }
                    _ => SparkType::Null,
                },
                _ => SparkType::Null,
            },
            MapContainsKey => SparkType::Boolean,
            StrToMap => SparkType::map_of(SparkType::String, SparkType::String, true),
        }
    }

    /// Whether the result can be NULL, given which arguments can.
    pub fn nullable(self, types: &[SparkType], nullable: &[bool]) -> bool {
        match self {
            MakeArray | Struct | NamedStruct | CreateMap => false,
            Size | Cardinality | Split | SortArray | ArrayDistinct | ArrayConcat => nullable.iter().any(|n| *n),
            // The count alone decides: the value may be NULL in the array.
            ArrayRepeat => nullable.get(1).copied().unwrap_or(true),
            ArraySort | ArrayAppend | ArrayPrepend | ArrayInsert | ArrayCompact | ArraySize | ArrayReverse | Sequence
            | MapConcat | MapEntries | MapFromEntries | StrToMap | ArraysZip => nullable.iter().any(|n| *n),
            Flatten => {
                nullable.iter().any(|n| *n)
                    || matches!(types.first(), Some(SparkType::Array(outer)) if outer.contains_null)
            }
            _ => true,
        }
    }

    /// Runs the function on evaluated arguments, a row at a time.
    pub fn evaluate(self, args: &[ArrayRef], rows: usize, result_type: &SparkType) -> Result<ArrayRef> {
        let values = super::row_by_row(args, rows, |row_args| self.value_of(row_args, result_type))?;
        Ok(array_of(&values, result_type))
    }

    fn value_of(self, args: &[Value], result_type: &SparkType) -> Result<Value> {
        Ok(match (self, result_type) {
            (MakeArray, SparkType::Array(array)) => Value::new_array(args, array),
            (Struct, SparkType::Struct(fields)) => Value::new_struct(args, fields),
            (NamedStruct, SparkType::Struct(fields)) => {
                Value::new_struct(&args.iter().skip(1).step_by(2).cloned().collect::<Vec<_>>(), fields)
            }
            (CreateMap, SparkType::Map(map)) => new_map(args, map)?,
            (Split, SparkType::Array(array)) => match (&args[0], &args[1], args.get(2).unwrap_or(&Value::Integer(-1))) {
                (Value::String(text), Value::String(pattern), limit) if !limit.is_null() => {
                    let pieces = super::regex::split(text, pattern, limit.as_i64().unwrap_or(-1))?;
                    Value::new_array(&pieces.into_iter().map(Value::String).collect::<Vec<_>>(), array)
                }
                _ => Value::Null,
            },
            (Size | Cardinality, _) => match args[0].nested_parts() {
                Some(NestedParts::Array(elements)) => Value::Integer(elements.len() as i32),
                Some(NestedParts::Map(entries)) => Value::Integer(entries.len() as i32),
                _ => Value::Null,
            },
            (ArrayContains, _) => array_contains(&args[0], &args[1]),
            (ElementAt, _) => element_at(&args[0], &args[1])?,
            (GetItem, _) => get_item(&args[0], &args[1])?,
            (GetField, _) => match (args[0].nested_parts(), &args[1]) {
                (Some(NestedParts::Struct(fields)), Value::String(name)) => {
                    fields.into_iter().find(|(n, _)| n == name).map_or(Value::Null, |(_, v)| v)
                }
                _ => Value::Null,
            },
            (SortArray, SparkType::Array(array)) => match (args[0].nested_parts(), &args[1]) {
                (Some(NestedParts::Array(mut elements)), Value::Boolean(ascending)) => {
                    sort_values(&mut elements, *ascending);
                    Value::new_array(&elements, array)
                }
                _ => Value::Null,
            },
            (ArrayDistinct, SparkType::Array(array)) => match args[0].nested_parts() {
                Some(NestedParts::Array(elements)) => {
                    let mut distinct: Vec<Value> = Vec::with_capacity(elements.len());
                    for element in elements {
                        if !distinct.contains(&element) {
                            distinct.push(element);
                        }
                    }
                    Value::new_array(&distinct, array)
                }
                _ => Value::Null,
            },
            (Flatten, SparkType::Array(array)) => match args[0].nested_parts() {
                Some(NestedParts::Array(inner)) => match concatenated(&inner) {
                    Some(elements) => Value::new_array(&elements, array),
                    None => Value::Null,
                },
                _ => Value::Null,
            },
            (ArrayConcat, SparkType::Array(array)) => match concatenated(args) {
                Some(elements) => Value::new_array(&elements, array),
                None => Value::Null,
            },
            (MapKeys | MapValues, SparkType::Array(array)) => match args[0].nested_parts() {
                Some(NestedParts::Map(entries)) => {
                    let parts: Vec<Value> = entries.into_iter().map(|(k, v)| if self == MapKeys { k } else { v }).collect();
                    Value::new_array(&parts, array)
                }
                _ => Value::Null,
            },
            (ArrayJoin, _) => array_join(args),
            (Slice, SparkType::Array(array)) => match (args[0].nested_parts(), args[1].as_i64(), args[2].as_i64()) {
                (Some(NestedParts::Array(elements)), Some(start), Some(length)) => {
                    Value::new_array(&slice(&elements, start, length)?, array)
                }
                _ => Value::Null,
            },
            (ArrayMax | ArrayMin, _) => match args[0].nested_parts() {
                Some(NestedParts::Array(elements)) => {
                    let mut set = elements.into_iter().filter(|e| !e.is_null());
                    let first = set.next();
                    let better = |a: &Value, b: &Value| if self == ArrayMax { a.partial_cmp_value(b).is_gt() } else { a.partial_cmp_value(b).is_lt() };
                    set.fold(first, |best, e| match best {
                        Some(b) if !better(&e, &b) => Some(b),
                        _ => Some(e),
                    })
                    .unwrap_or(Value::Null)
                }
                _ => Value::Null,
            },
            (ArrayPosition, _) => match args[0].nested_parts() {
                Some(NestedParts::Array(elements)) if !args[1].is_null() => {
                    Value::Long(elements.iter().position(|e| *e == args[1]).map_or(0, |i| i as i64 + 1))
                }
                _ => Value::Null,
            },
            (ArrayRemove, SparkType::Array(array)) => match args[0].nested_parts() {
                Some(NestedParts::Array(elements)) if !args[1].is_null() => {
                    Value::new_array(&elements.into_iter().filter(|e| *e != args[1]).collect::<Vec<_>>(), array)
                }
                _ => Value::Null,
            },
            (ArrayUnion | ArrayIntersect | ArrayExcept, SparkType::Array(array)) => {
                match (args[0].nested_parts(), args[1].nested_parts()) {
                    (Some(NestedParts::Array(a)), Some(NestedParts::Array(b))) => Value::new_array(&set_operation(self, a, &b), array),
                    _ => Value::Null,
                }
            }
            (ArraysOverlap, _) => match (args[0].nested_parts(), args[1].nested_parts()) {
                (Some(NestedParts::Array(a)), Some(NestedParts::Array(b))) => {
                    if a.iter().any(|e| !e.is_null() && b.contains(e)) {
                        Value::Boolean(true)
                    } else if !a.is_empty() && !b.is_empty() && (a.iter().any(Value::is_null) || b.iter().any(Value::is_null)) {
                        Value::Null
                    } else {
                        Value::Boolean(false)
                    }
                }
                _ => Value::Null,
            },
            (ArrayInsert, _) if args[1].is_null() => Value::Null,
            (ArraySort | ArrayAppend | ArrayPrepend | ArrayInsert | ArrayCompact | ArrayReverse, SparkType::Array(array)) => {
                match arrays::elements(&args[0]) {
                    Some(elements) => Value::new_array(&self.reshaped(elements, args)?, array),
                    None => Value::Null,
                }
            }
            (ArrayRepeat, SparkType::Array(array)) => match args[1].as_i64() {
                Some(times) => Value::new_array(&arrays::repeated(&args[0], times), array),
                None => Value::Null,
            },
            (ArraySize, _) => arrays::elements(&args[0]).map_or(Value::Null, |e| Value::Integer(e.len() as i32)),
            (ArraysZip, SparkType::Array(array)) => match (args.iter().map(arrays::elements).collect::<Option<Vec<_>>>(), &array.element) {
                (Some(zipped), SparkType::Struct(fields)) => Value::new_array(&arrays::zipped(&zipped, fields), array),
                _ => Value::Null,
            },
            (Sequence, SparkType::Array(array)) => match (args[0].as_i64(), args[1].as_i64()) {
                (Some(start), Some(stop)) => {
                    let numbers = arrays::sequence(start, stop, args.get(2).and_then(Value::as_i64))?;
                    let whole = |n: i64| match array.element {
                        SparkType::Byte => Value::Byte(n as i8),
                        SparkType::Short => Value::Short(n as i16),
                        SparkType::Integer => Value::Integer(n as i32),
                        _ => Value::Long(n),
                    };
                    let elements: Vec<Value> = numbers.into_iter().map(whole).collect();
                    Value::new_array(&elements, array)
                }
                _ => Value::Null,
            },
            (GetOrNull | TryElementAt, _) => match (arrays::elements(&args[0]), args[1].as_i64()) {
                (Some(elements), Some(n)) => {
                    let index = if self == GetOrNull { n } else { arrays::index_from_one(elements.len(), n) };
                    arrays::element_or_null(&elements, index)
                }
                _ => match maps::entries(&args[0]) {
                    Some(entries) => map_value(entries, &args[1]),
                    None => Value::Null,
                },
            },
            (MapConcat, SparkType::Map(map)) => match args.iter().map(maps::entries).collect::<Option<Vec<_>>>() {
                Some(all) => maps::checked_map(all.into_iter().flatten().collect(), map)?,
                None => Value::Null,
            },
            (MapEntries, SparkType::Array(array)) => match (maps::entries(&args[0]), &array.element) {
                (Some(entries), SparkType::Struct(fields)) => {
                    let pairs: Vec<Value> = entries.into_iter().map(|(k, v)| Value::new_struct(&[k, v], fields)).collect();
                    Value::new_array(&pairs, array)
                }
                _ => Value::Null,
            },
            (MapFromArrays, SparkType::Map(map)) => match (arrays::elements(&args[0]), arrays::elements(&args[1])) {
                (Some(keys), Some(values)) => maps::from_arrays(keys, values, map)?,
                _ => Value::Null,
            },
            (MapFromEntries, SparkType::Map(map)) => match arrays::elements(&args[0]) {
                Some(pairs) => maps::from_entries(pairs, map)?,
                None => Value::Null,
            },
            (MapContainsKey, _) => match maps::entries(&args[0]) {
                Some(entries) => Value::Boolean(entries.iter().any(|(k, _)| *k == args[1])),
                None => Value::Null,
            },
            (StrToMap, SparkType::Map(map)) => match (&args[0], args.get(1), args.get(2)) {
                (Value::String(text), Some(Value::String(pairs)), Some(Value::String(key_value))) => maps::from_text(text, pairs, key_value, map)?,
                _ => Value::Null,
            },
            (function, other) => {
                return Err(EngineError::Internal(format!("{} cannot produce a {other}", function.name())));
            }
        })
    }
}

impl CollectionFunction {
    /// The elements of an array after `array_sort`, `array_append`, … (`args` are the call's arguments).
    fn reshaped(self, elements: Vec<Value>, args: &[Value]) -> Result<Vec<Value>> {
        Ok(match self {
            ArraySort => arrays::sorted(elements),
            ArrayAppend => elements.into_iter().chain([args[1].clone()]).collect(),
            ArrayPrepend => std::iter::once(args[1].clone()).chain(elements).collect(),
            ArrayInsert => arrays::inserted(elements, args[1].as_i64().unwrap_or(1), args[2].clone())?,
            ArrayCompact => elements.into_iter().filter(|e| !e.is_null()).collect(),
            _ => elements.into_iter().rev().collect(),
        })
    }
}

/// `array_join`: the elements' text between delimiters; NULL elements left out, or written as the replacement.
fn array_join(args: &[Value]) -> Value {
    let (Some(NestedParts::Array(elements)), Value::String(delimiter)) = (args[0].nested_parts(), &args[1]) else {
        return Value::Null;
    };
    let replacement = match args.get(2) {
        Some(Value::String(text)) => Some(text.as_str()),
        Some(_) => return Value::Null,
        None => None,
    };
    let texts: Vec<String> = elements
        .iter()
        .filter_map(|e| if e.is_null() { replacement.map(str::to_string) } else { Some(e.to_string()) })
        .collect();
    Value::String(texts.join(delimiter))
}

/// `slice`: `length` elements from `start` (from 1, or counted from the end when negative).
fn slice(elements: &[Value], start: i64, length: i64) -> Result<Vec<Value>> {
    let invalid = |parameter: &str, wanted: &str, got: i64| {
        EngineError::Runtime(format!(
            "[INVALID_PARAMETER_VALUE.{}] The value of parameter(s) `{parameter}` in `slice` is invalid: Expects {wanted}, \
             but got {got}. SQLSTATE: 22023",
            parameter.to_uppercase()
        ))
    };
    if start == 0 {
        return Err(invalid("start", "a positive or a negative value for `start`", start));
    }
    if length < 0 {
        return Err(invalid("length", "`length` greater than or equal to 0", length));
    }
    let len = elements.len() as i64;
    let from = if start > 0 { start - 1 } else { len + start };
    if from < 0 || from >= len {
        return Ok(Vec::new());
    }
    Ok(elements[from as usize..(from + length).min(len) as usize].to_vec())
}

/// `array_union` / `array_intersect` / `array_except` of `a` and `b`: each element once, in the order first seen.
fn set_operation(function: CollectionFunction, a: Vec<Value>, b: &[Value]) -> Vec<Value> {
    let candidates: Vec<Value> = match function {
        ArrayUnion => a.into_iter().chain(b.iter().cloned()).collect(),
        ArrayIntersect => a.into_iter().filter(|e| b.contains(e)).collect(),
        _ => a.into_iter().filter(|e| !b.contains(e)).collect(),
    };
    let mut distinct: Vec<Value> = Vec::with_capacity(candidates.len());
    for value in candidates {
        if !distinct.contains(&value) {
            distinct.push(value);
        }
    }
    distinct
}

/// The elements of `arrays` one after another; `None` when one of them is NULL.
fn concatenated(arrays: &[Value]) -> Option<Vec<Value>> {
    let mut elements = Vec::new();
    for array in arrays {
        match array.nested_parts() {
            Some(NestedParts::Array(more)) => elements.extend(more),
            _ => return None,
        }
    }
    Some(elements)
}

/// Spark's order for `sort_array`: NULLs before every value when ascending, after when descending.
fn sort_values(elements: &mut [Value], ascending: bool) {
    elements.sort_by(|a, b| {
        let order = match (a.is_null(), b.is_null()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => a.partial_cmp_value(b),
        };
        if ascending { order } else { order.reverse() }
    });
}

fn new_map(args: &[Value], map: &MapType) -> Result<Value> {
    let entries = args.chunks(2).map(|pair| (pair[0].clone(), pair.get(1).cloned().unwrap_or(Value::Null))).collect();
    maps::checked_map(entries, map)
}

/// `array_contains`: true when found; NULL when not found but the array holds a NULL, or when either side is NULL.
fn array_contains(array: &Value, wanted: &Value) -> Value {
    match array.nested_parts() {
        Some(NestedParts::Array(elements)) if !wanted.is_null() => {
            if elements.contains(wanted) {
                Value::Boolean(true)
            } else if elements.iter().any(Value::is_null) {
                Value::Null
            } else {
                Value::Boolean(false)
            }
        }
        _ => Value::Null,
    }
}

/// `element_at(arr, n)`: from 1, or from the end when negative; `element_at(map, key)`.
fn element_at(container: &Value, at: &Value) -> Result<Value> {
    match container.nested_parts() {
        Some(NestedParts::Array(elements)) => {
            let Some(n) = at.as_i64() else { return Ok(Value::Null) };
            if n == 0 {
                return Err(EngineError::Runtime(
                    "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first \
                     element has index 1). SQLSTATE: 22003"
                        .into(),
                ));
            }
            let index = if n > 0 { n - 1 } else { elements.len() as i64 + n };
            match usize::try_from(index).ok().and_then(|i| elements.get(i)) {
                Some(value) => Ok(value.clone()),
                None if crate::query_settings::ansi() => Err(EngineError::Runtime(format!(
                    "[INVALID_ARRAY_INDEX_IN_ELEMENT_AT] The index {n} is out of bounds. The array has {} elements. \
                     Use `try_element_at` to tolerate accessing element at invalid index and return NULL instead. \
                     SQLSTATE: 22003",
                    elements.len()
                ))),
                None => Ok(Value::Null),
            }
        }
        Some(NestedParts::Map(entries)) => Ok(map_value(entries, at)),
        _ => Ok(Value::Null),
    }
}

/// `arr[i]` (from 0) or `map[key]`.
fn get_item(container: &Value, at: &Value) -> Result<Value> {
    match container.nested_parts() {
        Some(NestedParts::Array(elements)) => {
            let Some(i) = at.as_i64() else { return Ok(Value::Null) };
            match usize::try_from(i).ok().and_then(|i| elements.get(i)) {
                Some(value) => Ok(value.clone()),
                None if crate::query_settings::ansi() => Err(EngineError::Runtime(format!(
                    "[INVALID_ARRAY_INDEX] The index {i} is out of bounds. The array has {} elements. Use the SQL \
                     function `get()` to tolerate accessing element at invalid index and return NULL instead. \
                     SQLSTATE: 22003",
                    elements.len()
                ))),
                None => Ok(Value::Null),
            }
        }
        Some(NestedParts::Map(entries)) => Ok(map_value(entries, at)),
        _ => Ok(Value::Null),
    }
}

fn map_value(entries: Vec<(Value, Value)>, key: &Value) -> Value {
    entries.into_iter().find(|(k, _)| k == key).map_or(Value::Null, |(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ArrayType;

    fn ints(values: &[Option<i32>]) -> Value {
        let elements: Vec<Value> = values.iter().map(|v| v.map_or(Value::Null, Value::Integer)).collect();
        Value::new_array(&elements, &ArrayType { element: SparkType::Integer, contains_null: true })
    }

    #[test]
    fn array_contains_is_null_when_unsure() {
        assert_eq!(array_contains(&ints(&[Some(1), None, Some(3)]), &Value::Integer(3)), Value::Boolean(true));
        assert_eq!(array_contains(&ints(&[Some(1), None, Some(3)]), &Value::Integer(7)), Value::Null);
        assert_eq!(array_contains(&ints(&[Some(2), Some(5)]), &Value::Integer(7)), Value::Boolean(false));
    }

    #[test]
    fn element_at_counts_from_one_and_from_the_end() {
        let array = ints(&[Some(1), Some(2), Some(3)]);
        assert_eq!(element_at(&array, &Value::Integer(1)).unwrap(), Value::Integer(1));
        assert_eq!(element_at(&array, &Value::Integer(-1)).unwrap(), Value::Integer(3));
        let zero = element_at(&array, &Value::Integer(0)).unwrap_err().to_string();
        assert!(zero.contains("[INVALID_INDEX_OF_ZERO]"), "{zero}");
        let past = get_item(&array, &Value::Integer(-1)).unwrap_err().to_string();
        assert!(past.contains("[INVALID_ARRAY_INDEX] The index -1 is out of bounds. The array has 3 elements."), "{past}");
    }

    #[test]
    fn sort_array_puts_nulls_first_ascending_and_last_descending() {
        let mut values = vec![Value::Integer(3), Value::Null, Value::Integer(1)];
        sort_values(&mut values, true);
        assert_eq!(values, vec![Value::Null, Value::Integer(1), Value::Integer(3)]);
        sort_values(&mut values, false);
        assert_eq!(values, vec![Value::Integer(3), Value::Integer(1), Value::Null]);
    }
}
