//! Values crossing the sandbox boundary: Python objects as the host reads them ([`PyValue`]), and engine values
//! as Python receives them (rows become named tuples called `Row`, timestamps naive `datetime`s, as in PySpark).

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};
use kindling_engine::display::java_double_string;
use kindling_engine::types::SparkType;
use kindling_engine::value::{NestedParts, Value};
use monty_types::unstable::{self, MontyNode};
use monty_types::{MontyDate, MontyDateTime, MontyObject, ObjectRef};

/// A Python value, decoded from the interpreter's object graph.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<PyValue>),
    Tuple(Vec<PyValue>),
    /// A `collections.namedtuple` value, e.g. a `Row`.
    NamedTuple { type_name: String, fields: Vec<String>, values: Vec<PyValue> },
    Dict(Vec<(PyValue, PyValue)>),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Decimal(String),
    /// An instance of a class defined in the sandbox (the prelude's Column, DataFrame, …) with its attributes.
    Instance { class: String, attrs: Vec<(String, PyValue)> },
    /// Anything else (a function, a module, …), by its Python type name.
    Other(String),
}

impl PyValue {
    pub fn decode(value: ObjectRef<'_>) -> PyValue {
        let child = |id| PyValue::decode(unstable::child(value, id));
        let all = |ids: &[unstable::NodeId]| ids.iter().map(|&id| child(id)).collect::<Vec<_>>();
        match unstable::node(value) {
            MontyNode::None => PyValue::None,
            MontyNode::Bool(b) => PyValue::Bool(*b),
            MontyNode::Int(i) => PyValue::Int(*i),
            MontyNode::BigInt(i) => PyValue::Float(i.to_string().parse().unwrap_or(f64::NAN)),
            MontyNode::Float(f) => PyValue::Float(*f),
            MontyNode::String(s) => PyValue::Str(s.clone()),
            MontyNode::List(ids) => PyValue::List(all(ids)),
            MontyNode::Tuple(ids) => PyValue::Tuple(all(ids)),
            MontyNode::NamedTuple { type_name, field_names, values } => {
                PyValue::NamedTuple { type_name: type_name.clone(), fields: field_names.clone(), values: all(values) }
            }
            MontyNode::Dict(pairs) => PyValue::Dict(pairs.iter().map(|&(k, v)| (child(k), child(v))).collect()),
            MontyNode::Date(d) => NaiveDate::from_ymd_opt(d.year, d.month.into(), d.day.into())
                .map_or_else(|| PyValue::Other("date".into()), PyValue::Date),
            MontyNode::DateTime(dt) => naive_datetime(dt).map_or_else(|| PyValue::Other("datetime".into()), PyValue::DateTime),
            MontyNode::Decimal(text) => PyValue::Decimal(text.clone()),
            MontyNode::ClassInstance { class_type, attrs, .. } => {
                let class = match unstable::node(unstable::child(value, *class_type)) {
                    MontyNode::ClassType(class) => class.name.clone(),
                    _ => String::new(),
                };
                let attrs = attrs
                    .iter()
                    .filter_map(|&(k, v)| match child(k) {
                        PyValue::Str(name) => Some((name, child(v))),
                        _ => None,
                    })
                    .collect();
                PyValue::Instance { class, attrs }.into_row()
            }
            _ => PyValue::Other(value.type_name().to_string()),
        }
    }

    /// A prelude `Row` (an instance) as the host handles rows: a named tuple called `Row`, or a plain tuple of
    /// values for a Row without field names. Other values as they are.
    fn into_row(self) -> PyValue {
        let (Some(PyValue::Tuple(values)), Some(fields)) = (self.attr("_values"), self.attr("__fields__")) else { return self };
        if !matches!(&self, PyValue::Instance { class, .. } if class == "Row") {
            return self;
        }
        let names: Option<Vec<String>> = match fields {
            PyValue::List(names) | PyValue::Tuple(names) => {
                names.iter().map(|n| if let PyValue::Str(n) = n { Some(n.clone()) } else { None }).collect()
            }
            _ => None,
        };
        match names {
            Some(fields) => PyValue::NamedTuple { type_name: "Row".into(), fields, values: values.clone() },
            None => PyValue::Tuple(values.clone()),
        }
    }

    /// The attribute `name` of a sandbox instance.
    pub fn attr(&self, name: &str) -> Option<&PyValue> {
        match self {
            PyValue::Instance { attrs, .. } => attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The elements of a list or tuple (a named tuple's values too).
    pub fn items(&self) -> Option<&[PyValue]> {
        match self {
            PyValue::List(items) | PyValue::Tuple(items) | PyValue::NamedTuple { values: items, .. } => Some(items),
            _ => None,
        }
    }

    /// Python's name for the value's type, for error messages.
    pub fn type_name(&self) -> &str {
        match self {
            PyValue::None => "NoneType",
            PyValue::Bool(_) => "bool",
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Str(_) => "str",
            PyValue::List(_) => "list",
            PyValue::Tuple(_) => "tuple",
            PyValue::NamedTuple { type_name, .. } => type_name,
            PyValue::Dict(_) => "dict",
            PyValue::Date(_) => "date",
            PyValue::DateTime(_) => "datetime",
            PyValue::Decimal(_) => "Decimal",
            PyValue::Instance { class, .. } => class,
            PyValue::Other(name) => name,
        }
    }

    /// Python's `repr`, as far as the host needs it for messages.
    pub fn repr(&self) -> String {
        let join = |items: &[PyValue]| items.iter().map(PyValue::repr).collect::<Vec<_>>().join(", ");
        match self {
            PyValue::None => "None".into(),
            PyValue::Bool(b) => if *b { "True" } else { "False" }.into(),
            PyValue::Int(i) => i.to_string(),
            PyValue::Float(f) => python_float(*f),
            PyValue::Str(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            PyValue::List(items) => format!("[{}]", join(items)),
            PyValue::Tuple(items) if items.len() == 1 => format!("({},)", items[0].repr()),
            PyValue::Tuple(items) => format!("({})", join(items)),
            PyValue::NamedTuple { type_name, fields, values } => {
                let pairs: Vec<String> = fields.iter().zip(values).map(|(f, v)| format!("{f}={}", v.repr())).collect();
                format!("{type_name}({})", pairs.join(", "))
            }
            PyValue::Dict(pairs) => {
                format!("{{{}}}", pairs.iter().map(|(k, v)| format!("{}: {}", k.repr(), v.repr())).collect::<Vec<_>>().join(", "))
            }
            PyValue::Date(d) => format!("datetime.date({}, {}, {})", d.year(), d.month(), d.day()),
            PyValue::DateTime(dt) => datetime_repr(dt),
            PyValue::Decimal(text) => format!("Decimal('{text}')"),
            PyValue::Instance { class, .. } => format!("<{class} object>"),
            PyValue::Other(name) => format!("<{name}>"),
        }
    }
}

fn naive_datetime(dt: &MontyDateTime) -> Option<NaiveDateTime> {
    NaiveDate::from_ymd_opt(dt.year, dt.month.into(), dt.day.into())?.and_hms_micro_opt(
        dt.hour.into(),
        dt.minute.into(),
        dt.second.into(),
        dt.microsecond,
    )
}

fn datetime_repr(dt: &NaiveDateTime) -> String {
    let mut parts = vec![dt.year().to_string(), dt.month().to_string(), dt.day().to_string()];
    parts.push(dt.hour().to_string());
    parts.push(dt.minute().to_string());
    let micros = dt.nanosecond() / 1000;
    if dt.second() != 0 || micros != 0 {
        parts.push(dt.second().to_string());
    }
    if micros != 0 {
        parts.push(micros.to_string());
    }
    format!("datetime.datetime({})", parts.join(", "))
}

/// Python's float repr: shortest round-trip digits, `1.0` for integral values, exponent past 1e16.
pub fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let text = format!("{f:?}");
    if f.abs() >= 1e16 || (f != 0.0 && f.abs() < 1e-4) {
        let exp = format!("{f:e}");
        let (mantissa, exponent) = exp.split_once('e').expect("`{:e}` has an exponent");
        let exponent: i32 = exponent.parse().expect("an integer exponent");
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    text
}

/// An engine value as Python sees it: PySpark's conversions (timestamps as naive datetimes in the session time
/// zone, which is UTC here; decimals as `Decimal`).
pub fn to_python(value: &Value) -> MontyObject {
    match value {
        Value::Null => MontyObject::none(),
        Value::Boolean(b) => MontyObject::bool(*b),
        Value::Byte(v) => MontyObject::int((*v).into()),
        Value::Short(v) => MontyObject::int((*v).into()),
        Value::Integer(v) => MontyObject::int((*v).into()),
        Value::Long(v) => MontyObject::int(*v),
        Value::Float(v) => MontyObject::float((*v).into()),
        Value::Double(v) => MontyObject::float(*v),
        Value::Decimal { value, scale, .. } => MontyObject::decimal(decimal_text(*value, *scale)),
        Value::String(s) => MontyObject::string(s.as_str()),
        Value::Binary(bytes) => MontyObject::bytes(bytes.clone()),
        Value::Date(days) => date_object(*days),
        Value::Timestamp(micros) | Value::TimestampNtz(micros) => datetime_object(*micros),
        // The sandbox has no `datetime.time`: a TIME value reaches Python as the text Spark shows for it.
        Value::Time(micros) => MontyObject::string(kindling_engine::value::time_string(*micros).as_str()),
        // Nor `timedelta` or a months type: an interval reaches Python as the text Spark shows for it.
        interval @ (Value::YearMonthInterval { .. } | Value::DayTimeInterval { .. }) => MontyObject::string(interval.to_string().as_str()),
        // Arrays become lists, maps dicts and structs Rows, as in PySpark.
        nested @ Value::Nested(_) => match nested.nested_parts() {
            Some(NestedParts::Array(elements)) => MontyObject::list(elements.iter().map(to_python)),
            Some(NestedParts::Map(entries)) => MontyObject::dict(entries.iter().map(|(k, v)| (to_python(k), to_python(v)))),
            Some(NestedParts::Struct(fields)) => {
                MontyObject::named_tuple("Row", fields.iter().map(|(name, _)| name.clone()), fields.iter().map(|(_, v)| to_python(v)))
            }
            None => MontyObject::none(),
        },
    }
}

fn decimal_text(unscaled: i128, scale: i8) -> String {
    if scale <= 0 {
        return (unscaled * 10i128.pow(u32::from(scale.unsigned_abs()))).to_string();
    }
    let digits = unscaled.unsigned_abs().to_string();
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{}{whole}.{fraction}", if unscaled < 0 { "-" } else { "" })
}

fn date_object(days: i32) -> MontyObject {
    let date = NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default();
    MontyObject::date(MontyDate { year: date.year(), month: date.month() as u8, day: date.day() as u8 })
}

fn datetime_object(micros: i64) -> MontyObject {
    let dt = DateTime::from_timestamp_micros(micros).unwrap_or_default().naive_utc();
    MontyObject::datetime(MontyDateTime {
        year: dt.year(),
        month: dt.month() as u8,
        day: dt.day() as u8,
        hour: dt.hour() as u8,
        minute: dt.minute() as u8,
        second: dt.second() as u8,
        microsecond: dt.nanosecond() / 1000,
        offset_seconds: None,
        timezone_name: None,
    })
}

/// A row's values as a tuple; the prelude makes it a `Row` with the DataFrame's column names (`_kindling_row`).
pub fn row_values(row: &[Value]) -> MontyObject {
    MontyObject::tuple(row.iter().map(to_python))
}

/// A Python value as an engine literal: `int` is Spark's `int` when it fits (as `lit(1)` is), else `bigint`.
pub fn to_engine(value: &PyValue) -> Option<Value> {
    Some(match value {
        PyValue::None => Value::Null,
        PyValue::Bool(b) => Value::Boolean(*b),
        PyValue::Int(i) => i32::try_from(*i).map_or(Value::Long(*i), Value::Integer),
        PyValue::Float(f) => Value::Double(*f),
        PyValue::Str(s) => Value::String(s.clone()),
        PyValue::Date(d) => Value::Date(d.num_days_from_ce() - 719_163),
        PyValue::DateTime(dt) => Value::Timestamp(dt.and_utc().timestamp_micros()),
        _ => return None,
    })
}

/// A Python function's result as a value of the type the user declared for it. As in PySpark's (non-Arrow) UDFs,
/// a result of another type is NULL, except that a string column takes the text of numbers and booleans.
pub fn to_declared_type(value: &PyValue, data_type: &SparkType) -> Value {
    match (value, data_type) {
        (PyValue::List(items) | PyValue::Tuple(items), SparkType::Array(array)) => {
            let elements: Vec<Value> = items.iter().map(|item| to_declared_type(item, &array.element)).collect();
            Value::new_array(&elements, array)
        }
        (PyValue::Dict(entries), SparkType::Map(map)) => {
            let entries: Vec<(Value, Value)> =
                entries.iter().map(|(k, v)| (to_declared_type(k, &map.key), to_declared_type(v, &map.value))).collect();
            Value::new_map(&entries, map)
        }
        (PyValue::NamedTuple { values: items, .. } | PyValue::Tuple(items) | PyValue::List(items), SparkType::Struct(fields))
            if items.len() == fields.len() =>
        {
            let values: Vec<Value> = items.iter().zip(fields.iter()).map(|(item, f)| to_declared_type(item, &f.data_type)).collect();
            Value::new_struct(&values, fields)
        }
        (PyValue::Dict(entries), SparkType::Struct(fields)) => {
            let value_of = |f: &kindling_engine::types::SparkField| {
                let entry = entries.iter().find(|(k, _)| matches!(k, PyValue::Str(name) if *name == f.name));
                entry.map_or(Value::Null, |(_, v)| to_declared_type(v, &f.data_type))
            };
            Value::new_struct(&fields.iter().map(value_of).collect::<Vec<_>>(), fields)
        }
        (PyValue::Str(s), SparkType::String) => Value::String(s.clone()),
        (PyValue::Int(i), SparkType::String) => Value::String(i.to_string()),
        (PyValue::Float(f), SparkType::String) => Value::String(java_double_string(*f)),
        (PyValue::Bool(b), SparkType::String) => Value::String(b.to_string()),
        (PyValue::Bool(b), SparkType::Boolean) => Value::Boolean(*b),
        (PyValue::Int(i), SparkType::Long) => Value::Long(*i),
        (PyValue::Int(i), SparkType::Integer) => i32::try_from(*i).map_or(Value::Null, Value::Integer),
        (PyValue::Int(i), SparkType::Short) => i16::try_from(*i).map_or(Value::Null, Value::Short),
        (PyValue::Int(i), SparkType::Byte) => i8::try_from(*i).map_or(Value::Null, Value::Byte),
        (PyValue::Float(f), SparkType::Double) => Value::Double(*f),
        (PyValue::Float(f), SparkType::Float) => Value::Float(*f as f32),
        (PyValue::Date(_), SparkType::Date) | (PyValue::DateTime(_), SparkType::Timestamp) => {
            to_engine(value).unwrap_or(Value::Null)
        }
        (PyValue::DateTime(dt), SparkType::TimestampNtz) => Value::TimestampNtz(dt.and_utc().timestamp_micros()),
        // A Python Decimal (or number) into a decimal column: rounded to the column's scale, NULL past its precision.
        (PyValue::Decimal(text), SparkType::Decimal { .. }) => decimal_value(text, data_type),
        (PyValue::Int(i), SparkType::Decimal { .. }) => decimal_value(&i.to_string(), data_type),
        _ => Value::Null,
    }
}

fn decimal_value(text: &str, data_type: &SparkType) -> Value {
    kindling_engine::expr::cast::cast_value(Value::String(text.to_string()), data_type).unwrap_or(Value::Null)
}

/// The type of the first value that is not None (`void` when there is none).
fn first_type<'a>(mut values: impl Iterator<Item = &'a PyValue>) -> crate::Result<SparkType> {
    values.find(|v| **v != PyValue::None).map_or(Ok(SparkType::Null), inferred_type)
}

/// The Spark type PySpark infers for a Python value.
pub fn inferred_type(value: &PyValue) -> crate::Result<SparkType> {
    Ok(match value {
        PyValue::Bool(_) => SparkType::Boolean,
        PyValue::Int(_) => SparkType::Long,
        PyValue::Float(_) => SparkType::Double,
        PyValue::Str(_) => SparkType::String,
        PyValue::Date(_) => SparkType::Date,
        PyValue::DateTime(_) => SparkType::Timestamp,
        PyValue::Decimal(_) => SparkType::Decimal { precision: 38, scale: 18 },
        // Nested values take the type of their first non-NULL part, as PySpark infers them.
        PyValue::List(items) => SparkType::array_of(first_type(items.iter())?, true),
        PyValue::Dict(entries) => {
            SparkType::map_of(first_type(entries.iter().map(|(k, _)| k))?, first_type(entries.iter().map(|(_, v)| v))?, true)
        }
        PyValue::NamedTuple { fields, values, .. } => SparkType::struct_of(
            fields
                .iter()
                .zip(values)
                .map(|(name, value)| Ok(kindling_engine::types::SparkField::new(name, inferred_type(value)?, true)))
                .collect::<crate::Result<Vec<_>>>()?,
        ),
        PyValue::Tuple(values) => SparkType::struct_of(
            values
                .iter()
                .enumerate()
                .map(|(i, value)| Ok(kindling_engine::types::SparkField::new(format!("_{}", i + 1), inferred_type(value)?, true)))
                .collect::<crate::Result<Vec<_>>>()?,
        ),
        other => {
            return Err(crate::PySparkError::Value(format!(
                "[CANNOT_DETERMINE_TYPE] Some of types cannot be determined after inferring: {} has type {}.",
                other.repr(),
                other.type_name()
            )));
        }
    })
}
