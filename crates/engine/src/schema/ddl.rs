//! Schemas written as text, as PySpark reads a string schema (`createDataFrame(rows, "name string, age int")`,
//! `spark.read.schema("…")`): a list of fields `name type` (or `name: type`, as inside `struct<…>`), each maybe
//! `NOT NULL` and with a `COMMENT '…'`; the same list wrapped in `struct<…>`; or one bare type (`"int"`), which
//! makes a single column named `value`.

use super::{SparkField, SparkSchema};
use crate::types::{SparkType, parse_field, top_level_parts};
use crate::{EngineError, Result};

/// The schema `text` describes, or Spark's PARSE_SYNTAX_ERROR.
pub fn parse_ddl_schema(text: &str) -> Result<SparkSchema> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let inner = match lower.strip_prefix("struct<").filter(|_| trimmed.ends_with('>')) {
        Some(_) => &trimmed["struct<".len()..trimmed.len() - 1],
        None => trimmed,
    };
    if let Some(fields) = top_level_parts(inner).into_iter().map(parse_field).collect::<Option<Vec<_>>>()
        && !fields.is_empty()
    {
        return Ok(SparkSchema { fields });
    }
    match SparkType::parse(trimmed) {
        Ok(data_type) => Ok(SparkSchema { fields: vec![SparkField { name: "value".into(), data_type, nullable: true }] }),
        Err(_) => Err(EngineError::Analysis(format!(
            "[PARSE_SYNTAX_ERROR] Syntax error at or near '{}'. SQLSTATE: 42601",
            first_word(trimmed)
        ))),
    }
}

fn first_word(text: &str) -> &str {
    text.split(|c: char| c.is_whitespace() || c == ',').find(|w| !w.is_empty()).unwrap_or("end of input")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<(String, String, bool)> {
        let schema = parse_ddl_schema(text).unwrap();
        schema.fields.into_iter().map(|f| (f.name, f.data_type.simple_string(), f.nullable)).collect()
    }

    fn field_of(name: &str, data_type: &str, nullable: bool) -> (String, String, bool) {
        (name.to_string(), data_type.to_string(), nullable)
    }

    #[test]
    fn every_way_pyspark_writes_a_schema() {
        let expected = vec![field_of("name", "string", true), field_of("age", "int", true)];
        assert_eq!(fields("name string, age int"), expected);
        assert_eq!(fields("name: string, age: int"), expected);
        assert_eq!(fields("struct<name:string,age:int>"), expected);
        assert_eq!(fields("STRUCT<name: string, age: int>"), expected);
        assert_eq!(fields("int"), vec![field_of("value", "int", true)]);
    }

    #[test]
    fn decimals_quoted_names_not_null_and_comments() {
        assert_eq!(
            fields("`fare amount` decimal(10, 2) NOT NULL, zone string COMMENT 'pickup zone', n bigint not null"),
            vec![field_of("fare amount", "decimal(10,2)", false), field_of("zone", "string", true), field_of("n", "bigint", false)]
        );
    }

    #[test]
    fn text_that_is_no_schema_is_a_syntax_error() {
        let error = parse_ddl_schema("name strin, age int").unwrap_err().to_string();
        assert!(error.contains("[PARSE_SYNTAX_ERROR]"), "{error}");
    }
}
