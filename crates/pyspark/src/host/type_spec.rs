//! Data types as they cross between the host and the prelude's `pyspark.sql.types` objects: a simple type by its
//! name (`int`, `decimal(10,2)`); a nested type as a tuple that also says which parts may be NULL, which the name
//! alone (`array<int>`) does not: `('array', element, containsNull)`, `('map', key, value, valueContainsNull)`,
//! `('struct', [(name, type, nullable), …])`.

use kindling_engine::types::{SparkField, SparkType};
use monty_types::MontyObject;

use super::column::parse_type;
use crate::values::PyValue;
use crate::{PySparkError, Result};

/// The spec the prelude's `_type_from_spec` reads.
pub(super) fn to_spec(data_type: &SparkType) -> MontyObject {
    match data_type {
        SparkType::Array(array) => {
            MontyObject::tuple([MontyObject::string("array"), to_spec(&array.element), MontyObject::bool(array.contains_null)])
        }
        SparkType::Map(map) => MontyObject::tuple([
            MontyObject::string("map"),
            to_spec(&map.key),
            to_spec(&map.value),
            MontyObject::bool(map.value_contains_null),
        ]),
        SparkType::Struct(fields) => MontyObject::tuple([
            MontyObject::string("struct"),
            MontyObject::list(fields.iter().map(|f| {
                MontyObject::tuple([MontyObject::string(f.name.as_str()), to_spec(&f.data_type), MontyObject::bool(f.nullable)])
            })),
        ]),
        simple => MontyObject::string(simple.simple_string()),
    }
}

/// The type a spec from the prelude's `_type_spec` stands for.
pub(super) fn from_spec(spec: &PyValue) -> Result<SparkType> {
    let bad = || PySparkError::Type(format!("not a data type: {}", spec.repr()));
    match spec {
        PyValue::Str(name) => parse_type(name),
        PyValue::Tuple(parts) => match parts.as_slice() {
            [PyValue::Str(kind), element, PyValue::Bool(contains_null)] if kind == "array" => {
                Ok(SparkType::array_of(from_spec(element)?, *contains_null))
            }
            [PyValue::Str(kind), key, value, PyValue::Bool(value_contains_null)] if kind == "map" => {
                Ok(SparkType::map_of(from_spec(key)?, from_spec(value)?, *value_contains_null))
            }
            [PyValue::Str(kind), PyValue::List(fields)] if kind == "struct" => {
                Ok(SparkType::struct_of(fields.iter().map(field_from_spec).collect::<Result<_>>()?))
            }
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

/// A `(name, type spec, nullable)` field.
pub(super) fn field_from_spec(spec: &PyValue) -> Result<SparkField> {
    match spec.items() {
        Some([PyValue::Str(name), data_type, PyValue::Bool(nullable)]) => Ok(SparkField::new(name, from_spec(data_type)?, *nullable)),
        _ => Err(PySparkError::Type("a schema field must be a StructField".into())),
    }
}
