//! Single values: what a literal holds and what `collect()` hands back in a row.
//!
//! Inside the engine data always travels as Arrow arrays; a [`Value`] exists only at the edges — a `lit(7)` in a
//! query, or one cell of a collected [`Row`].

pub mod json;

use std::fmt;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int8Array,
    Int16Array, Int32Array, Int64Array, StringArray, Time64MicrosecondArray, TimestampMicrosecondArray, new_null_array, IntervalYearMonthArray,
    DurationMicrosecondArray,
};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    Time64MicrosecondType, TimestampMicrosecondType,
};

use crate::display::{date_string, java_double_string, java_float_string, timestamp_string};
use crate::types::{ArrayType, INSTANT_TIME_ZONE, LIST_ELEMENT, MapType, SparkField, SparkType};
use arrow::array::{ListArray, MapArray, StructArray};
use arrow::buffer::OffsetBuffer;
use arrow::datatypes::Field;
use crate::{EngineError, Result};

/// One Spark value. Dates are days and timestamps microseconds since 1970-01-01 (UTC), as Spark stores them.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Byte(i8),
    Short(i16),
    Integer(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Decimal { value: i128, precision: u8, scale: i8 },
    String(String),
    Binary(Vec<u8>),
    Date(i32),
    Timestamp(i64),
    TimestampNtz(i64),
    /// Microseconds since midnight.
    Time(i64),
    /// A number of months, with its type's first and last field.
    YearMonthInterval { months: i32, start: u8, end: u8 },
    /// A number of microseconds, with its type's first and last field.
    DayTimeInterval { micros: i64, start: u8, end: u8 },
    /// An array, map or struct: the one row of an Arrow list, map or struct array of length 1, which carries the
    /// value's type with it (an empty array still knows its element type).
    Nested(ArrayRef),
}

/// The parts of a [`Value::Nested`], one level down.
#[derive(Debug, Clone, PartialEq)]
pub enum NestedParts {
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Struct(Vec<(String, Value)>),
}

/// One row of a collected result.
pub type Row = Vec<Value>;

impl Value {
    /// The value Spark's `Literal.default` gives a type: zero, false, the empty string, 1970-01-01. Spark joins on
    /// `coalesce(key, default)` and `isnull(key)` to make NULL keys equal (`a <=> b`).
    pub fn default_of(spark_type: SparkType) -> Self {
        match spark_type {
            SparkType::Null => Self::Null,
            SparkType::Boolean => Self::Boolean(false),
            SparkType::Byte => Self::Byte(0),
            SparkType::Short => Self::Short(0),
            SparkType::Integer => Self::Integer(0),
            SparkType::Long => Self::Long(0),
            SparkType::Float => Self::Float(0.0),
            SparkType::Double => Self::Double(0.0),
            SparkType::Decimal { precision, scale } => Self::Decimal { value: 0, precision, scale },
            SparkType::String => Self::String(String::new()),
            SparkType::Binary => Self::Binary(Vec::new()),
            SparkType::Date => Self::Date(0),
            SparkType::Timestamp => Self::Timestamp(0),
            SparkType::TimestampNtz => Self::TimestampNtz(0),
            SparkType::Time => Self::Time(0),
            SparkType::YearMonthInterval { start, end } => Self::YearMonthInterval { months: 0, start, end },
            SparkType::DayTimeInterval { start, end } => Self::DayTimeInterval { micros: 0, start, end },
            nested => Self::Nested(new_empty_nested(&nested)),
        }
    }

    /// An integral value (or a date's days, a timestamp's microseconds) as an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Byte(v) => Some(i64::from(*v)),
            Self::Short(v) => Some(i64::from(*v)),
            Self::Integer(v) | Self::Date(v) => Some(i64::from(*v)),
            Self::Long(v) | Self::Timestamp(v) | Self::TimestampNtz(v) => Some(*v),
            _ => None,
        }
    }

    /// A number (or date, timestamp) as an `f64`, for comparing values of one ordering.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Float(v) => Some(f64::from(*v)),
            Self::Double(v) => Some(*v),
            Self::Decimal { value, scale, .. } => Some(*value as f64 / 10f64.powi(i32::from(*scale))),
            other => other.as_i64().map(|v| v as f64),
        }
    }

    /// How two non-NULL values of one type order (NaN above every other double, as in Spark).
    pub fn partial_cmp_value(&self, other: &Value) -> std::cmp::Ordering {
        match (self, other) {
            (Self::String(a), Self::String(b)) => a.cmp(b),
            (Self::Binary(a), Self::Binary(b)) => a.cmp(b),
            (Self::Boolean(a), Self::Boolean(b)) => a.cmp(b),
            (Self::Decimal { value: a, .. }, Self::Decimal { value: b, .. }) => a.cmp(b),
            (a, b) => match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => {
                    let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
                    a.partial_cmp(&b).unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
                }
            },
        }
    }

    /// The Spark type of this value; a bare `NULL` literal has type `void`.
    pub fn spark_type(&self) -> SparkType {
        match self {
            Self::Null => SparkType::Null,
            Self::Boolean(_) => SparkType::Boolean,
            Self::Byte(_) => SparkType::Byte,
            Self::Short(_) => SparkType::Short,
            Self::Integer(_) => SparkType::Integer,
            Self::Long(_) => SparkType::Long,
            Self::Float(_) => SparkType::Float,
            Self::Double(_) => SparkType::Double,
            Self::Decimal { precision, scale, .. } => SparkType::Decimal { precision: *precision, scale: *scale },
            Self::String(_) => SparkType::String,
            Self::Binary(_) => SparkType::Binary,
            Self::Date(_) => SparkType::Date,
            Self::Timestamp(_) => SparkType::Timestamp,
            Self::TimestampNtz(_) => SparkType::TimestampNtz,
            Self::Time(_) => SparkType::Time,
            Self::YearMonthInterval { start, end, .. } => SparkType::YearMonthInterval { start: *start, end: *end },
            Self::DayTimeInterval { start, end, .. } => SparkType::DayTimeInterval { start: *start, end: *end },
            Self::Nested(array) => SparkType::from_arrow(array.data_type()).unwrap_or(SparkType::Null),
        }
    }

    /// An array of `elements`, each of `array_type`'s element type (or NULL); NULL when an element is NULL but the
    /// type says none can be.
    pub fn new_array(elements: &[Value], array_type: &ArrayType) -> Self {
        let values = array_of(elements, &array_type.element);
        let field = Arc::new(Field::new(LIST_ELEMENT, array_type.element.to_arrow(), array_type.contains_null));
        let offsets = OffsetBuffer::from_lengths([elements.len()]);
        ListArray::try_new(field, offsets, values, None).map_or(Self::Null, |array| Self::Nested(Arc::new(array)))
    }

    /// A map of `entries` of `map_type`'s key and value types; NULL when a key is NULL.
    pub fn new_map(entries: &[(Value, Value)], map_type: &MapType) -> Self {
        let keys: Vec<Value> = entries.iter().map(|(k, _)| k.clone()).collect();
        let values: Vec<Value> = entries.iter().map(|(_, v)| v.clone()).collect();
        let DataType::Map(entries_field, _) = SparkType::Map(Arc::new(map_type.clone())).to_arrow() else {
            unreachable!("a map type is held in an Arrow map")
        };
        let DataType::Struct(fields) = entries_field.data_type().clone() else { unreachable!("map entries are structs") };
        let columns = vec![array_of(&keys, &map_type.key), array_of(&values, &map_type.value)];
        let built = StructArray::try_new(fields, columns, None).and_then(|entries| {
            MapArray::try_new(entries_field, OffsetBuffer::from_lengths([entries.len()]), entries, None, false)
        });
        built.map_or(Self::Null, |array| Self::Nested(Arc::new(array)))
    }

    /// A struct of one value per field.
    pub fn new_struct(values: &[Value], fields: &[SparkField]) -> Self {
        let columns = values.iter().zip(fields).map(|(v, f)| array_of(std::slice::from_ref(v), &f.data_type)).collect();
        let fields: Vec<Field> = fields.iter().map(SparkField::to_arrow).collect();
        StructArray::try_new(fields.into(), columns, None).map_or(Self::Null, |array| Self::Nested(Arc::new(array)))
    }

    /// The elements of an array, the entries of a map or the fields of a struct; `None` for other values.
    pub fn nested_parts(&self) -> Option<NestedParts> {
        let Self::Nested(array) = self else { return None };
        let values = |array: &dyn Array| (0..array.len()).map(|i| Value::from_array(array, i)).collect::<Result<Vec<_>>>();
        match array.data_type() {
            DataType::List(_) => values(array.as_list::<i32>().value(0).as_ref()).ok().map(NestedParts::Array),
            DataType::Map(..) => {
                let entries = array.as_map().value(0);
                let (keys, items) = (values(entries.column(0).as_ref()).ok()?, values(entries.column(1).as_ref()).ok()?);
                Some(NestedParts::Map(keys.into_iter().zip(items).collect()))
            }
            DataType::Struct(fields) => {
                let row = array.as_struct();
                let names = fields.iter().map(|f| f.name().clone());
                let values = row.columns().iter().map(|c| Value::from_array(c, 0)).collect::<Result<Vec<_>>>().ok()?;
                Some(NestedParts::Struct(names.zip(values).collect()))
            }
            _ => None,
        }
    }

    /// The value with the fields of the interval type `data_type` (an Arrow interval array does not carry them).
    pub fn of_type(self, data_type: &SparkType) -> Self {
        match (self, data_type) {
            (Self::YearMonthInterval { months, .. }, SparkType::YearMonthInterval { start, end }) => {
                Self::YearMonthInterval { months, start: *start, end: *end }
            }
            (Self::DayTimeInterval { micros, .. }, SparkType::DayTimeInterval { start, end }) => {
                Self::DayTimeInterval { micros, start: *start, end: *end }
            }
            (value, _) => value,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// An array holding this value `len` times.
    pub fn to_array(&self, len: usize) -> ArrayRef {
        match self {
            Self::Null => new_null_array(&DataType::Null, len),
            Self::Boolean(v) => Arc::new(BooleanArray::from(vec![*v; len])),
            Self::Byte(v) => Arc::new(Int8Array::from_value(*v, len)),
            Self::Short(v) => Arc::new(Int16Array::from_value(*v, len)),
            Self::Integer(v) => Arc::new(Int32Array::from_value(*v, len)),
            Self::Long(v) => Arc::new(Int64Array::from_value(*v, len)),
            Self::Float(v) => Arc::new(Float32Array::from_value(*v, len)),
            Self::Double(v) => Arc::new(Float64Array::from_value(*v, len)),
            Self::Decimal { value, precision, scale } => Arc::new(
                Decimal128Array::from_value(*value, len)
                    .with_precision_and_scale(*precision, *scale)
                    .expect("a decimal value's own precision and scale are valid"),
            ),
            Self::String(v) => Arc::new(StringArray::new_repeated(v, len)),
            Self::Binary(v) => Arc::new(BinaryArray::from_iter_values(std::iter::repeat_n(v, len))),
            Self::Date(v) => Arc::new(Date32Array::from_value(*v, len)),
            Self::Timestamp(v) => {
                Arc::new(TimestampMicrosecondArray::from_value(*v, len).with_timezone(INSTANT_TIME_ZONE))
            }
            Self::TimestampNtz(v) => Arc::new(TimestampMicrosecondArray::from_value(*v, len)),
            Self::Time(v) => Arc::new(Time64MicrosecondArray::from_value(*v, len)),
            Self::YearMonthInterval { months, .. } => Arc::new(IntervalYearMonthArray::from_value(*months, len)),
            Self::DayTimeInterval { micros, .. } => Arc::new(DurationMicrosecondArray::from_value(*micros, len)),
            Self::Nested(one) => repeated(one, len),
        }
    }

    /// The value at `row` of `array`.
    pub fn from_array(array: &dyn Array, row: usize) -> Result<Self> {
        // A `NullArray` (type void) has no validity buffer: every value is NULL without being marked so.
        if array.is_null(row) || array.data_type() == &DataType::Null {
            return Ok(Self::Null);
        }
        Ok(match array.data_type() {
            DataType::Boolean => Self::Boolean(array.as_boolean().value(row)),
            DataType::Int8 => Self::Byte(array.as_primitive::<Int8Type>().value(row)),
            DataType::Int16 => Self::Short(array.as_primitive::<Int16Type>().value(row)),
            DataType::Int32 => Self::Integer(array.as_primitive::<Int32Type>().value(row)),
            DataType::Int64 => Self::Long(array.as_primitive::<Int64Type>().value(row)),
            DataType::Float32 => Self::Float(array.as_primitive::<Float32Type>().value(row)),
            DataType::Float64 => Self::Double(array.as_primitive::<Float64Type>().value(row)),
            DataType::Decimal128(precision, scale) => Self::Decimal {
                value: array.as_primitive::<Decimal128Type>().value(row),
                precision: *precision,
                scale: *scale,
            },
            DataType::Utf8 => Self::String(array.as_string::<i32>().value(row).to_string()),
            DataType::LargeUtf8 => Self::String(array.as_string::<i64>().value(row).to_string()),
            DataType::Utf8View => Self::String(array.as_string_view().value(row).to_string()),
            DataType::Binary => Self::Binary(array.as_binary::<i32>().value(row).to_vec()),
            DataType::Date32 => Self::Date(array.as_primitive::<Date32Type>().value(row)),
            DataType::Timestamp(_, Some(_)) => {
                Self::Timestamp(array.as_primitive::<TimestampMicrosecondType>().value(row))
            }
            DataType::Timestamp(_, None) => {
                Self::TimestampNtz(array.as_primitive::<TimestampMicrosecondType>().value(row))
            }
            DataType::Time64(_) => Self::Time(array.as_primitive::<Time64MicrosecondType>().value(row)),
            DataType::Interval(_) => Self::YearMonthInterval {
                months: array.as_primitive::<arrow::datatypes::IntervalYearMonthType>().value(row),
                start: crate::interval::YEAR,
                end: crate::interval::MONTH,
            },
            DataType::Duration(_) => Self::DayTimeInterval {
                micros: array.as_primitive::<arrow::datatypes::DurationMicrosecondType>().value(row),
                start: crate::interval::DAY,
                end: crate::interval::SECOND,
            },
            DataType::List(_) | DataType::Map(..) | DataType::Struct(_) => Self::Nested(array.slice(row, 1)),
            other => return Err(EngineError::UnsupportedType(other.clone())),
        })
    }
}

/// An array of `len` copies of the one value in `one`.
fn repeated(one: &ArrayRef, len: usize) -> ArrayRef {
    let indices = arrow::array::UInt32Array::from_value(0, len);
    arrow::compute::take(one.as_ref(), &indices, None).expect("index 0 of a one-value array exists")
}

/// A one-row array of a nested type holding its default: an empty array or map, a struct of defaults.
fn new_empty_nested(data_type: &SparkType) -> ArrayRef {
    match data_type {
        SparkType::Struct(fields) => {
            let columns = fields.iter().map(|f| Value::default_of(f.data_type.clone()).to_array(1)).collect();
            let fields = fields.iter().map(|f| f.to_arrow()).collect();
            Arc::new(arrow::array::StructArray::new(fields, columns, None))
        }
        other => {
            let empty = arrow::array::new_empty_array(&other.to_arrow());
            let mut data = empty.to_data().into_builder().len(1);
            // One entry spanning no elements: offsets [0, 0].
            data = data.buffers(vec![arrow::buffer::Buffer::from_slice_ref([0i32, 0])]);
            arrow::array::make_array(data.build().expect("offsets [0, 0] describe one empty entry"))
        }
    }
}

/// How Spark prints a value in a `Row` and in plans: numbers in Java's format, strings bare, `NULL` for null.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("NULL"),
            Self::Boolean(v) => write!(f, "{v}"),
            Self::Byte(v) => write!(f, "{v}"),
            Self::Short(v) => write!(f, "{v}"),
            Self::Integer(v) => write!(f, "{v}"),
            Self::Long(v) => write!(f, "{v}"),
            Self::Float(v) => f.write_str(&java_float_string(*v)),
            Self::Double(v) => f.write_str(&java_double_string(*v)),
            Self::Decimal { value, precision, scale } => {
                let array = Decimal128Array::from_value(*value, 1).with_precision_and_scale(*precision, *scale);
                match array {
                    Ok(array) => f.write_str(&array.value_as_string(0)),
                    Err(_) => write!(f, "{value}E-{scale}"),
                }
            }
            Self::String(v) => f.write_str(v),
            Self::Binary(bytes) => {
                let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
                write!(f, "[{}]", hex.join(" "))
            }
            Self::Date(days) => f.write_str(&date_string(*days).unwrap_or_else(|_| days.to_string())),
            Self::Timestamp(micros) => {
                let local = crate::time_zone::current().local_micros(*micros);
                f.write_str(&timestamp_string(local).unwrap_or_else(|_| micros.to_string()))
            }
            Self::TimestampNtz(micros) => f.write_str(&timestamp_string(*micros).unwrap_or_else(|_| micros.to_string())),
            Self::Time(micros) => f.write_str(&time_string(*micros)),
            Self::YearMonthInterval { months, start, end } => f.write_str(&crate::interval::year_month_string(*months, *start, *end)),
            Self::DayTimeInterval { micros, start, end } => f.write_str(&crate::interval::day_time_string(*micros, *start, *end)),
            Self::Nested(array) => f.write_str(&crate::display::cell_string(array, 0).map_err(|_| fmt::Error)?),
        }
    }
}

/// A time of day as Spark shows it: `HH:mm:ss`, then the fraction of a second without trailing zeros.
pub fn time_string(micros: i64) -> String {
    let (seconds, fraction) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    format!("{:02}:{:02}:{:02}{}", seconds / 3600, seconds / 60 % 60, seconds % 60, crate::display::fraction_of_second(fraction))
}

/// An array of `data_type` holding `values`; a value of another type is stored as NULL.
pub fn array_of(values: &[Value], data_type: &SparkType) -> ArrayRef {
    macro_rules! collect {
        ($array:ty, $variant:ident) => {
            Arc::new(values.iter().map(|v| match v { Value::$variant(x) => Some(x.clone()), _ => None }).collect::<$array>())
        };
    }
    match data_type {
        SparkType::Boolean => collect!(BooleanArray, Boolean),
        SparkType::Byte => collect!(Int8Array, Byte),
        SparkType::Short => collect!(Int16Array, Short),
        SparkType::Integer => collect!(Int32Array, Integer),
        SparkType::Long => collect!(Int64Array, Long),
        SparkType::Float => collect!(Float32Array, Float),
        SparkType::Double => collect!(Float64Array, Double),
        SparkType::String => collect!(StringArray, String),
        SparkType::Binary => collect!(BinaryArray, Binary),
        SparkType::Date => collect!(Date32Array, Date),
        SparkType::Timestamp => {
            let array: TimestampMicrosecondArray =
                values.iter().map(|v| match v { Value::Timestamp(x) => Some(*x), _ => None }).collect();
            Arc::new(array.with_timezone(INSTANT_TIME_ZONE))
        }
        SparkType::TimestampNtz => collect!(TimestampMicrosecondArray, TimestampNtz),
        SparkType::Time => collect!(Time64MicrosecondArray, Time),
        SparkType::YearMonthInterval { .. } => Arc::new(
            values.iter().map(|v| match v { Value::YearMonthInterval { months, .. } => Some(*months), _ => None }).collect::<IntervalYearMonthArray>(),
        ),
        SparkType::DayTimeInterval { .. } => Arc::new(
            values.iter().map(|v| match v { Value::DayTimeInterval { micros, .. } => Some(*micros), _ => None }).collect::<DurationMicrosecondArray>(),
        ),
        SparkType::Decimal { precision, scale } => Arc::new(
            values
                .iter()
                .map(|v| match v {
                    Value::Decimal { value, precision: p, scale: s } if (p, s) == (precision, scale) => Some(*value),
                    _ => None,
                })
                .collect::<Decimal128Array>()
                .with_precision_and_scale(*precision, *scale)
                .expect("a Spark decimal type has a valid precision and scale"),
        ),
        SparkType::Null => new_null_array(&DataType::Null, values.len()),
        nested => nested_array_of(values, nested),
    }
}

/// An array of a nested type: each value's one row, or a NULL where the value is not of `data_type`.
fn nested_array_of(values: &[Value], data_type: &SparkType) -> ArrayRef {
    let wanted = data_type.to_arrow();
    let nulls = new_null_array(&wanted, 1);
    let parts: Vec<&dyn Array> = values
        .iter()
        .map(|v| match v {
            Value::Nested(one) if one.data_type() == &wanted => one.as_ref(),
            _ => nulls.as_ref(),
        })
        .collect();
    if parts.is_empty() {
        return arrow::array::new_empty_array(&wanted);
    }
    arrow::compute::concat(&parts).expect("arrays of one type concatenate")
}

/// Every row of `batches`, as values.
pub fn rows_of(batches: &[arrow::record_batch::RecordBatch]) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            rows.push(batch.columns().iter().map(|c| Value::from_array(c, row)).collect::<Result<_>>()?);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_the_trip_through_an_array() {
        let values = [
            Value::Boolean(true),
            Value::Integer(-7),
            Value::Long(1 << 40),
            Value::Double(2.5),
            Value::Decimal { value: 250, precision: 10, scale: 2 },
            Value::String("Zoë".into()),
            Value::Date(18262),
            Value::Timestamp(1_577_836_800_000_000),
            Value::TimestampNtz(1),
            Value::Time(3_723_500_000),
        ];
        for value in values {
            let array = value.to_array(3);
            assert_eq!(array.len(), 3);
            assert_eq!(Value::from_array(&array, 2).unwrap(), value);
            assert_eq!(SparkType::from_arrow(array.data_type()).unwrap(), value.spark_type());
        }
    }

    #[test]
    fn values_print_as_spark_prints_them() {
        assert_eq!(Value::Double(1.0e7).to_string(), "1.0E7");
        assert_eq!(Value::Decimal { value: 250, precision: 10, scale: 2 }.to_string(), "2.50");
        assert_eq!(Value::Timestamp(1_577_836_800_000_000).to_string(), "2020-01-01 00:00:00");
        assert_eq!(Value::Date(18262).to_string(), "2020-01-01");
        assert_eq!(Value::Time(3_723_500_000).to_string(), "01:02:03.5");
        assert_eq!(Value::Time(86_399_000_000).to_string(), "23:59:59");
    }
}
