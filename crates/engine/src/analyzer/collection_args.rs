//! Type checks and casts for the functions over arrays, maps and structs (see `functions::collections`): which
//! arguments each accepts, the common type its elements are brought to, and the defaults Spark fills in
//! (`split(t, ',')` is `split(t, ',', -1)`, `sort_array(a)` is `sort_array(a, true)`).

use super::{cast_to, common_type, wider_type};
use crate::expr::{Expr, lit};
use crate::functions::{CollectionFunction, ScalarFunction};
use crate::types::SparkType;
use crate::{EngineError, Result};

/// The arguments of `function`, checked and cast.
pub fn coerce(function: CollectionFunction, args: Vec<Expr>) -> Result<Vec<Expr>> {
    use CollectionFunction::*;
    let call = || Expr::Function { function: ScalarFunction::Collection(function), args: args.clone() }.sql_name();
    match function {
        MakeArray | ArrayConcat => {
            let common = common_type(&args, function.name())?;
            if function == ArrayConcat && !matches!(common, SparkType::Array(_) | SparkType::Null) {
                return Err(unexpected(&call(), 1, "\"ARRAY\"", &args[0]));
            }
            Ok(args.into_iter().map(|a| cast_to(a, common.clone())).collect())
        }
        CreateMap => create_map(args),
        NamedStruct => {
            let all_named = args.iter().step_by(2).all(|name| matches!(name, Expr::Literal(crate::value::Value::String(_))));
            if !args.len().is_multiple_of(2) || !all_named {
                return Err(EngineError::Analysis(format!(
                    "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `named_struct` requires 2n (n > 0) parameters but the \
                     actual number is {}. SQLSTATE: 42605",
                    args.len()
                )));
            }
            Ok(args)
        }
        Struct => Ok(args),
        Split => {
            let mut args = args;
            if args.len() == 2 {
                args.push(lit(-1));
            }
            let types = [SparkType::String, SparkType::String, SparkType::Integer];
            Ok(args.into_iter().zip(types).map(|(a, t)| cast_to(a, t)).collect())
        }
        Size | Cardinality | ArrayDistinct | Flatten | SortArray => {
            let wanted = if matches!(function, Size | Cardinality) { "(\"ARRAY\" or \"MAP\")" } else { "\"ARRAY\"" };
            let accepted = match args[0].data_type() {
                SparkType::Array(array) => function != Flatten || matches!(array.element, SparkType::Array(_) | SparkType::Null),
                SparkType::Map(_) => matches!(function, Size | Cardinality),
                SparkType::Null => true,
                _ => false,
            };
            if !accepted {
                return Err(unexpected(&call(), 1, wanted, &args[0]));
            }
            let mut args = args;
            if function == SortArray && args.len() == 1 {
                args.push(lit(true));
            }
            Ok(args)
        }
        ArrayContains => {
            let [array, value] = <[Expr; 2]>::try_from(args).map_err(|_| EngineError::Internal("two arguments".into()))?;
            let element = match array.data_type() {
                SparkType::Array(a) => a.element.clone(),
                _ => return Err(unexpected(&call_of(function, &[array.clone(), value]), 1, "\"ARRAY\"", &array)),
            };
            let value_type = value.data_type();
            // Spark finds a wider type without turning numbers into strings.
            let string_against_other = (element == SparkType::String) != (value_type == SparkType::String)
                && !matches!(value_type, SparkType::Null)
                && !matches!(element, SparkType::Null);
            match wider_type(&element, &value_type).filter(|_| !string_against_other) {
                Some(common) => Ok(vec![cast_to(array, SparkType::array_of(common.clone(), true)), cast_to(value, common)]),
                None => Err(EngineError::Analysis(format!(
                    "[DATATYPE_MISMATCH.ARRAY_FUNCTION_DIFF_TYPES] Cannot resolve \"{}\" due to data type mismatch: \
                     Input to `array_contains` should have been \"ARRAY\" followed by a value with same element type, \
                     but it's [\"{}\", \"{}\"]. SQLSTATE: 42K09",
                    call_of(function, &[array.clone(), value.clone()]),
                    array.data_type().simple_string().to_uppercase(),
                    value_type.simple_string().to_uppercase()
                ))),
            }
        }
        ElementAt | GetItem => {
            let [container, at] = <[Expr; 2]>::try_from(args).map_err(|_| EngineError::Internal("two arguments".into()))?;
            match container.data_type() {
                SparkType::Array(_) => Ok(vec![container, cast_to(at, SparkType::Integer)]),
                SparkType::Map(map) => Ok(vec![container, cast_to(at, map.key.clone())]),
                _ => Err(unexpected(&call_of(function, &[container.clone(), at]), 1, "(\"ARRAY\" or \"MAP\")", &container)),
            }
        }
        GetField => Ok(args),
        MapKeys | MapValues => match args[0].data_type() {
            SparkType::Map(_) | SparkType::Null => Ok(args),
            _ => Err(unexpected(&call(), 1, "\"MAP\"", &args[0])),
        },
        ArrayMax | ArrayMin => match args[0].data_type() {
            SparkType::Array(_) | SparkType::Null => Ok(args),
            _ => Err(unexpected(&call(), 1, "\"ARRAY\"", &args[0])),
        },
        ArrayJoin => {
            let strings = SparkType::array_of(SparkType::String, true);
            array_then(&call(), args, "\"ARRAY<STRING>\"", Some(strings), SparkType::String)
        }
        Slice => array_then(&call(), args, "\"ARRAY\"", None, SparkType::Integer),
        ArrayPosition | ArrayRemove => {
            let [array, value] = <[Expr; 2]>::try_from(args).map_err(|_| EngineError::Internal("two arguments".into()))?;
            let SparkType::Array(element) = array.data_type() else {
                return Err(unexpected(&call_of(function, &[array.clone(), value]), 1, "\"ARRAY\"", &array));
            };
            let common = wider_type(&element.element, &value.data_type()).unwrap_or(element.element.clone());
            Ok(vec![cast_to(array, SparkType::array_of(common.clone(), element.contains_null)), cast_to(value, common)])
        }
        ArraySort | ArrayCompact | ArraySize | ArrayReverse => match args[0].data_type() {
            SparkType::Array(_) | SparkType::Null => Ok(args),
            _ => Err(unexpected(&call(), 1, "\"ARRAY\"", &args[0])),
        },
        ArrayAppend | ArrayPrepend | ArrayInsert => {
            let shown = call();
            let mut args = args;
            let value = args.pop().ok_or_else(|| EngineError::Internal("a value to add".into()))?;
            let array = args.remove(0);
            let SparkType::Array(element) = array.data_type() else {
                return Err(unexpected(&shown, 1, "\"ARRAY\"", &array));
            };
            let common = wider_type(&element.element, &value.data_type()).unwrap_or(element.element.clone());
            let position = args.into_iter().map(|p| cast_to(p, SparkType::Integer));
            let array = cast_to(array, SparkType::array_of(common.clone(), true));
            Ok(std::iter::once(array).chain(position).chain([cast_to(value, common)]).collect())
        }
        ArrayRepeat => {
            let mut args = args;
            let times = args.pop().ok_or_else(|| EngineError::Internal("a count".into()))?;
            args.push(cast_to(times, SparkType::Integer));
            Ok(args)
        }
        ArraysZip => {
            for arg in &args {
                if !matches!(arg.data_type(), SparkType::Array(_) | SparkType::Null) {
                    return Err(unexpected(&call(), 1, "\"ARRAY\"", arg));
                }
            }
            Ok(args)
        }
        Sequence => {
            let common = common_type(&args, "sequence")?;
            if !matches!(common, SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::Long) {
                return Err(EngineError::Analysis(format!(
                    "[UNSUPPORTED_FEATURE] `sequence` of {} values is not supported by Kindling yet (real Spark runs \
                     it; whole numbers are). SQLSTATE: 0A000",
                    common.simple_string().to_uppercase()
                )));
            }
            Ok(args.into_iter().map(|a| cast_to(a, common.clone())).collect())
        }
        GetOrNull | TryElementAt => {
            let [container, at] = <[Expr; 2]>::try_from(args).map_err(|_| EngineError::Internal("two arguments".into()))?;
            match container.data_type() {
                SparkType::Array(_) => Ok(vec![container, cast_to(at, SparkType::Integer)]),
                SparkType::Map(map) if function == TryElementAt => Ok(vec![container, cast_to(at, map.key.clone())]),
                _ => Err(unexpected(&call_of(function, &[container.clone(), at]), 1, "\"ARRAY\"", &container)),
            }
        }
        MapConcat => {
            for arg in &args {
                if !matches!(arg.data_type(), SparkType::Map(_) | SparkType::Null) {
                    return Err(unexpected(&call(), 1, "\"MAP\"", arg));
                }
            }
            let common = common_type(&args, function.name())?;
            Ok(args.into_iter().map(|a| cast_to(a, common.clone())).collect())
        }
        MapEntries => match args[0].data_type() {
            SparkType::Map(_) | SparkType::Null => Ok(args),
            _ => Err(unexpected(&call(), 1, "\"MAP\"", &args[0])),
        },
        MapFromArrays => {
            for arg in &args {
                if !matches!(arg.data_type(), SparkType::Array(_) | SparkType::Null) {
                    return Err(unexpected(&call(), 1, "\"ARRAY\"", arg));
                }
            }
            Ok(args)
        }
        MapFromEntries => match args[0].data_type() {
            SparkType::Array(array) if matches!(&array.element, SparkType::Struct(fields) if fields.len() == 2) => Ok(args),
            _ => Err(unexpected(&call(), 1, "\"ARRAY\" of pair \"STRUCT\"", &args[0])),
        },
        MapContainsKey => {
            let [map, key] = <[Expr; 2]>::try_from(args).map_err(|_| EngineError::Internal("two arguments".into()))?;
            match map.data_type() {
                SparkType::Map(map_type) => Ok(vec![map, cast_to(key, map_type.key.clone())]),
                _ => Err(unexpected(&call_of(function, &[map.clone(), key]), 1, "\"MAP\"", &map)),
            }
        }
        StrToMap => {
            let mut args = args;
            let defaults = [lit(","), lit(":")];
            let given = args.len();
            args.extend(defaults.into_iter().skip(given - 1));
            Ok(args.into_iter().map(|a| cast_to(a, SparkType::String)).collect())
        }
        ArrayUnion | ArrayIntersect | ArrayExcept | ArraysOverlap => {
            for arg in &args {
                if !matches!(arg.data_type(), SparkType::Array(_) | SparkType::Null) {
                    return Err(unexpected(&call(), 1, "\"ARRAY\"", arg));
                }
            }
            let common = common_type(&args, function.name())?;
            Ok(args.into_iter().map(|a| cast_to(a, common.clone())).collect())
        }
    }
}

/// An array (cast to `array_as` if given) followed by arguments cast to `rest`: `array_join`, `slice`.
fn array_then(shown: &str, args: Vec<Expr>, wanted: &str, array_as: Option<SparkType>, rest: SparkType) -> Result<Vec<Expr>> {
    let mut args = args.into_iter();
    let array = args.next().ok_or_else(|| EngineError::Internal("an array argument".into()))?;
    if !matches!(array.data_type(), SparkType::Array(_) | SparkType::Null) {
        return Err(unexpected(shown, 1, wanted, &array));
    }
    let array = match array_as {
        Some(to) => cast_to(array, to),
        None => array,
    };
    Ok(std::iter::once(array).chain(args.map(|a| cast_to(a, rest.clone()))).collect())
}

/// `map(k1, v1, …)`: keys brought to one type, values to another.
fn create_map(args: Vec<Expr>) -> Result<Vec<Expr>> {
    if !args.len().is_multiple_of(2) {
        return Err(EngineError::Analysis(format!(
            "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `map` requires 2n (n > 0) parameters but the actual number is {}. \
             SQLSTATE: 42605",
            args.len()
        )));
    }
    let keys: Vec<Expr> = args.iter().step_by(2).cloned().collect();
    let values: Vec<Expr> = args.iter().skip(1).step_by(2).cloned().collect();
    let (key_type, value_type) = (common_type(&keys, "map")?, common_type(&values, "map")?);
    Ok(args
        .into_iter()
        .enumerate()
        .map(|(i, a)| cast_to(a, if i % 2 == 0 { key_type.clone() } else { value_type.clone() }))
        .collect())
}

fn call_of(function: CollectionFunction, args: &[Expr]) -> String {
    Expr::Function { function: ScalarFunction::Collection(function), args: args.to_vec() }.sql_name()
}

/// Spark's error for an argument of the wrong kind of type.
fn unexpected(call: &str, position: usize, wanted: &str, arg: &Expr) -> EngineError {
    let ordinal = ["first", "second", "third"].get(position - 1).copied().unwrap_or("next");
    EngineError::Analysis(format!(
        "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{call}\" due to data type mismatch: The {ordinal} \
         parameter requires the {wanted} type, however \"{}\" has the type \"{}\". SQLSTATE: 42K09",
        arg.sql_name(),
        arg.data_type().simple_string().to_uppercase()
    ))
}
