//! Schemas as Spark describes them: named, typed, nullable fields (`df.schema`, `printSchema()`).

use arrow::datatypes::{Field, Schema};

mod ddl;

pub use ddl::parse_ddl_schema;

use crate::{EngineError, Result};
use crate::types::SparkType;

pub use crate::types::SparkField;

/// A row type (Spark's `StructType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparkSchema {
    pub fields: Vec<SparkField>,
}

impl SparkSchema {
    /// The Spark view of an Arrow schema; fails on a type Kindling cannot represent yet.
    pub fn from_arrow(schema: &Schema) -> Result<Self> {
        let fields = schema
            .fields()
            .iter()
            .map(|field| Self::field_from_arrow(field))
            .collect::<Result<_>>()?;
        Ok(Self { fields })
    }

    fn field_from_arrow(field: &Field) -> Result<SparkField> {
        Ok(SparkField {
            name: field.name().clone(),
            data_type: SparkType::from_arrow(field.data_type())?,
            nullable: field.is_nullable(),
        })
    }

    /// The Arrow schema Kindling holds rows of this type in.
    pub fn to_arrow(&self) -> Schema {
        Schema::new(
            self.fields
                .iter()
                .map(|f| Field::new(&f.name, f.data_type.to_arrow(), f.nullable))
                .collect::<Vec<_>>(),
        )
    }

    /// Spark's `simpleString`: `struct<VendorID:int,total_amount:double>`.
    pub fn simple_string(&self) -> String {
        let fields: Vec<String> = self.fields.iter().map(|f| format!("{}:{}", f.name, f.data_type)).collect();
        format!("struct<{}>", fields.join(","))
    }
}

/// The index of column `name`, found as Spark resolves names by default: an exact match first, otherwise a
/// case-insensitive one (so `drop('zone')` also finds `Zone`).
pub fn resolve_column(schema: &Schema, name: &str) -> Result<usize> {
    let fields = schema.fields();
    fields
        .iter()
        .position(|f| f.name() == name)
        .or_else(|| fields.iter().position(|f| f.name().eq_ignore_ascii_case(name)))
        .ok_or_else(|| EngineError::ColumnNotFound {
            name: name.to_string(),
            available: fields.iter().map(|f| f.name().clone()).collect(),
        })
}
