//! Spark's data types, and how each one is held in Arrow.
//!
//! Spark names its types its own way (`integer` in `printSchema()`, `int` in SQL and plans; `long`/`bigint`), and
//! has two timestamp types: `timestamp` is an instant shown in the session time zone, `timestamp_ntz` a wall-clock
//! time with no zone (what the TLC Parquet files hold). Kindling keeps data in Arrow arrays; this module is the
//! one place that says which Arrow type carries which Spark type.

use std::fmt;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields, TimeUnit};

use crate::{EngineError, Result};

/// The time zone Arrow timestamps of Spark's `timestamp` type carry: values are instants, stored as UTC.
pub const INSTANT_TIME_ZONE: &str = "UTC";

/// One field of a struct, or one column of a schema (Spark's `StructField`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SparkField {
    pub name: String,
    pub data_type: SparkType,
    pub nullable: bool,
}

impl SparkField {
    pub fn new(name: impl Into<String>, data_type: SparkType, nullable: bool) -> Self {
        Self { name: name.into(), data_type, nullable }
    }

    /// The Arrow field holding this one.
    pub fn to_arrow(&self) -> Field {
        Field::new(&self.name, self.data_type.to_arrow(), self.nullable)
    }
}

/// The type of an array's elements, and whether an element may be NULL (Spark's `ArrayType`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArrayType {
    pub element: SparkType,
    pub contains_null: bool,
}

/// The types of a map's keys and values; keys are never NULL, values may be (Spark's `MapType`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapType {
    pub key: SparkType,
    pub value: SparkType,
    pub value_contains_null: bool,
}

/// The name Arrow list arrays give their elements here: Parquet's, so that files round-trip unchanged.
pub const LIST_ELEMENT: &str = "element";
/// The names Arrow map arrays give their entries, keys and values here: Parquet's.
pub const MAP_ENTRIES: (&str, &str, &str) = ("key_value", "key", "value");

/// A Spark SQL data type. Nested types share their parts, so a clone is cheap.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SparkType {
    Null,
    Boolean,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    Decimal { precision: u8, scale: i8 },
    String,
    Binary,
    Date,
    /// An instant, shown in the session time zone.
    Timestamp,
    /// A local date-time without a time zone.
    TimestampNtz,
    /// A time of day without a date or zone, to the microsecond (Spark's `TIME(6)`).
    Time,
    /// A number of months, from field `start` to `end` (see [`crate::interval`]).
    YearMonthInterval { start: u8, end: u8 },
    /// A number of microseconds, from field `start` to `end` (see [`crate::interval`]).
    DayTimeInterval { start: u8, end: u8 },
    /// An ordered list of values of one type: `array<int>`.
    Array(Arc<ArrayType>),
    /// Keys of one type mapped to values of another: `map<string,int>`.
    Map(Arc<MapType>),
    /// Named fields, each of its own type: `struct<a:int,b:string>`.
    Struct(Arc<[SparkField]>),
}

impl SparkType {
    /// The Spark type of Arrow data, as Spark reads the same data from Parquet.
    pub fn from_arrow(data_type: &DataType) -> Result<Self> {
        Ok(match data_type {
            DataType::Null => Self::Null,
            DataType::Boolean => Self::Boolean,
            DataType::Int8 => Self::Byte,
            DataType::Int16 | DataType::UInt8 => Self::Short,
            DataType::Int32 | DataType::UInt16 => Self::Integer,
            DataType::Int64 | DataType::UInt32 => Self::Long,
            DataType::Float32 => Self::Float,
            DataType::Float64 => Self::Double,
            DataType::Decimal128(precision, scale) if *precision <= 38 => {
                Self::Decimal { precision: *precision, scale: *scale }
            }
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Self::String,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Self::Binary,
            DataType::Date32 => Self::Date,
            DataType::Timestamp(_, Some(_)) => Self::Timestamp,
            DataType::Timestamp(_, None) => Self::TimestampNtz,
            DataType::Time64(TimeUnit::Microsecond) => Self::Time,
            DataType::Interval(arrow::datatypes::IntervalUnit::YearMonth) => {
                Self::YearMonthInterval { start: crate::interval::YEAR, end: crate::interval::MONTH }
            }
            DataType::Duration(TimeUnit::Microsecond) => {
                Self::DayTimeInterval { start: crate::interval::DAY, end: crate::interval::SECOND }
            }
            DataType::List(element) | DataType::LargeList(element) | DataType::ListView(element) => {
                Self::array_of(Self::from_arrow(element.data_type())?, element.is_nullable())
            }
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(fields) if fields.len() == 2 => Self::map_of(
                    Self::from_arrow(fields[0].data_type())?,
                    Self::from_arrow(fields[1].data_type())?,
                    fields[1].is_nullable(),
                ),
                other => return Err(EngineError::UnsupportedType(other.clone())),
            },
            DataType::Struct(fields) => Self::Struct(
                fields
                    .iter()
                    .map(|f| Ok(SparkField::new(f.name(), Self::from_arrow(f.data_type())?, f.is_nullable())))
                    .collect::<Result<Vec<_>>>()?
                    .into(),
            ),
            other => return Err(EngineError::UnsupportedType(other.clone())),
        })
    }

    /// `array<element>`.
    pub fn array_of(element: SparkType, contains_null: bool) -> Self {
        Self::Array(Arc::new(ArrayType { element, contains_null }))
    }

    /// `map<key,value>`.
    pub fn map_of(key: SparkType, value: SparkType, value_contains_null: bool) -> Self {
        Self::Map(Arc::new(MapType { key, value, value_contains_null }))
    }

    /// `struct<…>` of `fields`.
    pub fn struct_of(fields: Vec<SparkField>) -> Self {
        Self::Struct(fields.into())
    }

    /// The Arrow entries field of a map of this key and value type.
    fn map_entries(map: &MapType) -> Field {
        let (entries, key, value) = MAP_ENTRIES;
        let fields = Fields::from(vec![
            Field::new(key, map.key.to_arrow(), false),
            Field::new(value, map.value.to_arrow(), map.value_contains_null),
        ]);
        Field::new(entries, DataType::Struct(fields), false)
    }

    /// The Arrow type Kindling holds values of this type in. Timestamps are always microseconds, as in Spark.
    pub fn to_arrow(&self) -> DataType {
        match self {
            Self::Null => DataType::Null,
            Self::Boolean => DataType::Boolean,
            Self::Byte => DataType::Int8,
            Self::Short => DataType::Int16,
            Self::Integer => DataType::Int32,
            Self::Long => DataType::Int64,
            Self::Float => DataType::Float32,
            Self::Double => DataType::Float64,
            Self::Decimal { precision, scale } => DataType::Decimal128(*precision, *scale),
            Self::String => DataType::Utf8,
            Self::Binary => DataType::Binary,
            Self::Date => DataType::Date32,
            Self::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some(INSTANT_TIME_ZONE.into())),
            Self::TimestampNtz => DataType::Timestamp(TimeUnit::Microsecond, None),
            Self::Time => DataType::Time64(TimeUnit::Microsecond),
            Self::YearMonthInterval { .. } => DataType::Interval(arrow::datatypes::IntervalUnit::YearMonth),
            Self::DayTimeInterval { .. } => DataType::Duration(TimeUnit::Microsecond),
            Self::Array(array) => {
                DataType::List(Arc::new(Field::new(LIST_ELEMENT, array.element.to_arrow(), array.contains_null)))
            }
            Self::Map(map) => DataType::Map(Arc::new(Self::map_entries(map)), false),
            Self::Struct(fields) => DataType::Struct(fields.iter().map(SparkField::to_arrow).collect()),
        }
    }

    /// The name `printSchema()` uses (Spark's `typeName`): `integer`, `long`, `decimal(10,2)`, ...
    pub fn type_name(&self) -> String {
        match self {
            Self::Null => "void".into(),
            Self::Integer => "integer".into(),
            Self::Long => "long".into(),
            Self::Short => "short".into(),
            Self::Byte => "byte".into(),
            Self::Array(_) => "array".into(),
            Self::Map(_) => "map".into(),
            Self::Struct(_) => "struct".into(),
            other => other.simple_string(),
        }
    }

    /// The type as SQL writes it (Spark's `sql`): `INT`, `ARRAY<DOUBLE>`, `MAP<STRING, INT>`,
    /// `STRUCT<a: BIGINT, b: STRING>`.
    pub fn sql(&self) -> String {
        match self {
            Self::Array(array) => format!("ARRAY<{}>", array.element.sql()),
            Self::Map(map) => format!("MAP<{}, {}>", map.key.sql(), map.value.sql()),
            Self::Struct(fields) => {
                let fields: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.name, f.data_type.sql())).collect();
                format!("STRUCT<{}>", fields.join(", "))
            }
            other => other.simple_string().to_uppercase(),
        }
    }

    /// The name SQL, plans and error messages use (Spark's `simpleString`): `int`, `bigint`, `decimal(10,2)`, ...
    pub fn simple_string(&self) -> String {
        match self {
            Self::Null => "void".into(),
            Self::Boolean => "boolean".into(),
            Self::Byte => "tinyint".into(),
            Self::Short => "smallint".into(),
            Self::Integer => "int".into(),
            Self::Long => "bigint".into(),
            Self::Float => "float".into(),
            Self::Double => "double".into(),
            Self::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
            Self::String => "string".into(),
            Self::Binary => "binary".into(),
            Self::Date => "date".into(),
            Self::Timestamp => "timestamp".into(),
            Self::TimestampNtz => "timestamp_ntz".into(),
            Self::Time => "time(6)".into(),
            Self::YearMonthInterval { start, end } => {
                format!("interval {}", crate::interval::fields_name(true, *start, *end).to_lowercase())
            }
            Self::DayTimeInterval { start, end } => {
                format!("interval {}", crate::interval::fields_name(false, *start, *end).to_lowercase())
            }
            Self::Array(array) => format!("array<{}>", array.element.simple_string()),
            Self::Map(map) => format!("map<{},{}>", map.key.simple_string(), map.value.simple_string()),
            Self::Struct(fields) => {
                let fields: Vec<String> = fields.iter().map(|f| format!("{}:{}", f.name, f.data_type.simple_string())).collect();
                format!("struct<{}>", fields.join(","))
            }
        }
    }

    /// The type a Spark type name stands for, as `cast('long')`, `CAST(x AS BIGINT)` and DDL schemas write it
    /// (case-insensitive): `int`/`integer`, `long`/`bigint`, `decimal(10,2)`, `timestamp_ntz`, ...
    pub fn parse(name: &str) -> Result<Self> {
        let lower = name.trim().to_ascii_lowercase();
        let simple = match lower.as_str() {
            "void" | "null" => Some(Self::Null),
            "boolean" | "bool" => Some(Self::Boolean),
            "byte" | "tinyint" => Some(Self::Byte),
            "short" | "smallint" => Some(Self::Short),
            "int" | "integer" => Some(Self::Integer),
            "long" | "bigint" => Some(Self::Long),
            "float" | "real" => Some(Self::Float),
            "double" => Some(Self::Double),
            "string" | "varchar" | "char" => Some(Self::String),
            "binary" => Some(Self::Binary),
            "date" => Some(Self::Date),
            "timestamp" | "timestamp_ltz" => Some(Self::Timestamp),
            "timestamp_ntz" => Some(Self::TimestampNtz),
            "time" | "time(6)" => Some(Self::Time),
            "decimal" | "dec" | "numeric" => Some(Self::Decimal { precision: 10, scale: 0 }),
            _ => None,
        };
        if let Some(spark_type) = simple {
            return Ok(spark_type);
        }
        if let Some(interval) = Self::parse_interval(&lower) {
            return Ok(interval);
        }
        if let Some(nested) = Self::parse_nested(name.trim()) {
            return Ok(nested);
        }
        let decimal = ["decimal(", "dec(", "numeric("].iter().find_map(|prefix| lower.strip_prefix(prefix));
        if let Some(arguments) = decimal.and_then(|rest| rest.strip_suffix(')')) {
            let mut numbers = arguments.split(',').map(|n| n.trim().parse::<u8>());
            let precision = numbers.next().and_then(|p| p.ok());
            let scale = numbers.next().map_or(Some(0), |s| s.ok());
            if let (Some(precision), Some(scale), None) = (precision, scale, numbers.next())
                && (1..=38).contains(&precision)
                && scale <= precision
            {
                return Ok(Self::Decimal { precision, scale: scale as i8 });
            }
        }
        Err(EngineError::Analysis(format!(
            "[UNSUPPORTED_DATATYPE] Unsupported data type \"{}\". SQLSTATE: 0A000",
            name.trim().to_uppercase()
        )))
    }

    /// `array<int>`, `map<string,array<int>>`, `struct<a:int,b string>` (any case, any spaces).
    fn parse_nested(text: &str) -> Option<Self> {
        let open = text.find('<')?;
        let inner = text[open + 1..].strip_suffix('>')?;
        match text[..open].trim().to_ascii_lowercase().as_str() {
            "array" => Some(Self::array_of(Self::parse(inner).ok()?, true)),
            "map" => match top_level_parts(inner).as_slice() {
                [key, value] => Some(Self::map_of(Self::parse(key).ok()?, Self::parse(value).ok()?, true)),
                _ => None,
            },
            "struct" if inner.trim().is_empty() => Some(Self::struct_of(Vec::new())),
            "struct" => top_level_parts(inner).into_iter().map(parse_field).collect::<Option<Vec<_>>>().map(Self::struct_of),
            _ => None,
        }
    }

    /// `interval year to month`, `interval day`, `interval hour to second`, …
    fn parse_interval(lower: &str) -> Option<Self> {
        let fields: Vec<&str> = lower.strip_prefix("interval")?.split_whitespace().collect();
        let (first, last) = match fields.as_slice() {
            [one] => (*one, *one),
            [first, "to", last] => (*first, *last),
            _ => return None,
        };
        let ((year_month, start), (same_kind, end)) = (crate::interval::field_by_name(first)?, crate::interval::field_by_name(last)?);
        (year_month == same_kind && start <= end).then_some(if year_month {
            Self::YearMonthInterval { start, end }
        } else {
            Self::DayTimeInterval { start, end }
        })
    }

    /// Spark's `DecimalType.adjustPrecisionScale`: a decimal of `precision` digits, `scale` of them after the point;
    /// beyond 38 digits it gives up scale, but keeps at least 6 (or all it had, if fewer).
    pub fn bounded_decimal(precision: i32, scale: i32) -> Self {
        if precision <= 38 {
            return Self::Decimal { precision: precision.max(1) as u8, scale: scale as i8 };
        }
        let integer_digits = precision - scale;
        let scale = (38 - integer_digits).max(scale.min(6));
        Self::Decimal { precision: 38, scale: scale as i8 }
    }

    pub fn is_interval(&self) -> bool {
        matches!(self, Self::YearMonthInterval { .. } | Self::DayTimeInterval { .. })
    }

    /// Arrays, maps and structs.
    pub fn is_nested(&self) -> bool {
        matches!(self, Self::Array(_) | Self::Map(_) | Self::Struct(_))
    }

    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Self::Byte | Self::Short | Self::Integer | Self::Long | Self::Float | Self::Double | Self::Decimal { .. }
        )
    }
}

/// `text` cut at the commas that are not inside parentheses, angle brackets or backquotes.
pub(crate) fn top_level_parts(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut quoted, mut start) = (Vec::new(), 0i32, false, 0);
    for (at, c) in text.char_indices() {
        match c {
            '`' => quoted = !quoted,
            '(' | '<' if !quoted => depth += 1,
            ')' | '>' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One field: `name type`, `name: type`, `` `odd name` type NOT NULL COMMENT 'why' ``.
pub(crate) fn parse_field(text: &str) -> Option<SparkField> {
    let text = text.trim();
    let (name, rest) = match text.strip_prefix('`') {
        Some(quoted) => {
            let end = quoted.find('`')?;
            (quoted[..end].to_string(), &quoted[end + 1..])
        }
        None => {
            let end = text.find(|c: char| c.is_whitespace() || c == ':')?;
            (text[..end].to_string(), &text[end..])
        }
    };
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
    let lower = rest.to_ascii_lowercase();
    let type_end = [" not null", " comment "].iter().filter_map(|keyword| lower.find(keyword)).min().unwrap_or(rest.len());
    let data_type = SparkType::parse(&rest[..type_end]).ok()?;
    let nullable = !lower[type_end..].trim_start().starts_with("not null");
    Some(SparkField { name, data_type, nullable })
}

impl fmt::Display for SparkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.simple_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_survives_the_trip_through_arrow() {
        let all = [
            SparkType::Null,
            SparkType::Boolean,
            SparkType::Byte,
            SparkType::Short,
            SparkType::Integer,
            SparkType::Long,
            SparkType::Float,
            SparkType::Double,
            SparkType::Decimal { precision: 10, scale: 2 },
            SparkType::String,
            SparkType::Binary,
            SparkType::Date,
            SparkType::Timestamp,
            SparkType::TimestampNtz,
            SparkType::Time,
        ];
        for spark_type in all {
            assert_eq!(SparkType::from_arrow(&spark_type.to_arrow()).unwrap(), spark_type);
        }
    }

    #[test]
    fn type_names_parse_as_spark_reads_them() {
        assert_eq!(SparkType::parse("long").unwrap(), SparkType::Long);
        assert_eq!(SparkType::parse(" BIGINT ").unwrap(), SparkType::Long);
        assert_eq!(SparkType::parse("Integer").unwrap(), SparkType::Integer);
        assert_eq!(SparkType::parse("decimal(10, 2)").unwrap(), SparkType::Decimal { precision: 10, scale: 2 });
        assert_eq!(SparkType::parse("decimal").unwrap(), SparkType::Decimal { precision: 10, scale: 0 });
        assert_eq!(SparkType::parse("timestamp_ntz").unwrap(), SparkType::TimestampNtz);
        let error = SparkType::parse("decimal(50,2)").unwrap_err().to_string();
        assert!(error.starts_with("[UNSUPPORTED_DATATYPE]"), "{error}");
        assert!(SparkType::parse("lon").is_err());
    }

    #[test]
    fn nested_types_parse_print_and_survive_the_trip_through_arrow() {
        for name in ["array<int>", "map<string,array<double>>", "struct<a:int,b:struct<c:date>>", "array<map<int,string>>"] {
            let parsed = SparkType::parse(name).unwrap();
            assert_eq!(parsed.simple_string(), name);
            assert_eq!(SparkType::from_arrow(&parsed.to_arrow()).unwrap(), parsed);
        }
        assert_eq!(SparkType::parse("STRUCT<a: INT, `b c` STRING>").unwrap().simple_string(), "struct<a:int,b c:string>");
        assert!(SparkType::parse("array<nope>").is_err());
    }

    #[test]
    fn other_arrow_types_are_reported_not_guessed() {
        let error = SparkType::from_arrow(&DataType::Float16).unwrap_err();
        assert!(error.to_string().contains("not supported"), "{error}");
    }
}
