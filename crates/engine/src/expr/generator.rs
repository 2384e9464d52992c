//! Generators: `explode(arr)`, `posexplode(m)`, `inline(structs)`, `json_tuple(j, 'a')` — expressions that turn one row into several. They may only
//! stand at the top of a select list; the DataFrame puts them in a `Generate` node of their own (see
//! [`crate::generate`]), whose new columns take the generator's place in the select list.

use super::{Attribute, Expr};
use crate::functions::{CollectionFunction, ScalarFunction};
use crate::types::SparkType;

/// Which generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeneratorKind {
    /// One row per element of an array (`col`), or per entry of a map (`key`, `value`).
    Explode,
    /// The same, with each element's position from 0 first (`pos`).
    PosExplode,
    /// One row per struct of an array of structs, a column per field (`inline`).
    Inline,
    /// One row of a JSON object's fields, as text, in columns `c0`, `c1`, … (`json_tuple(json, 'a', 'b')`); the
    /// argument is `array(json, 'a', 'b')`.
    JsonTuple,
    /// `stack(n, v1, v2, …)`: the values laid out in `n` rows of columns `col0`, `col1`, …, NULL past the last value;
    /// the argument is `struct(n, v1, v2, …)`.
    Stack,
}

/// A generator over `arg`; `outer` keeps a row whose array is empty or NULL, once, with NULLs. `aliases` name the
/// generated columns (`posexplode(arr).alias("p", "c")`); without them they take Spark's default names.
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    pub kind: GeneratorKind,
    pub outer: bool,
    pub arg: Expr,
    pub aliases: Vec<String>,
}

impl Generator {
    /// The generator called `name` (`explode`, `explode_outer`, `posexplode`, `posexplode_outer`).
    pub fn by_name(name: &str, arg: Expr) -> Option<Self> {
        let (kind, outer) = match name.to_ascii_lowercase().as_str() {
            "explode" => (GeneratorKind::Explode, false),
            "explode_outer" => (GeneratorKind::Explode, true),
            "posexplode" => (GeneratorKind::PosExplode, false),
            "posexplode_outer" => (GeneratorKind::PosExplode, true),
            "inline" => (GeneratorKind::Inline, false),
            "inline_outer" => (GeneratorKind::Inline, true),
            _ => return None,
        };
        Some(Self { kind, outer, arg, aliases: Vec::new() })
    }

    /// The generator `name(args)`, if it is one: a generator of one argument, or `json_tuple(json, fields…)`.
    pub fn call(name: &str, args: &[Expr]) -> Option<Self> {
        match args {
            [_, _, ..] if name.eq_ignore_ascii_case("json_tuple") => {
                let arg = super::call(ScalarFunction::Collection(CollectionFunction::MakeArray), args.to_vec());
                Some(Self { kind: GeneratorKind::JsonTuple, outer: false, arg, aliases: Vec::new() })
            }
            [_, _, ..] if name.eq_ignore_ascii_case("stack") => {
                let arg = super::call(ScalarFunction::Collection(CollectionFunction::Struct), args.to_vec());
                Some(Self { kind: GeneratorKind::Stack, outer: false, arg, aliases: Vec::new() })
            }
            [arg] => Self::by_name(name, arg.clone()),
            _ => None,
        }
    }

    /// The arguments as written: `json_tuple`'s are the parts of its array.
    pub fn written_args(&self) -> Vec<&Expr> {
        match (&self.kind, &self.arg) {
            (GeneratorKind::JsonTuple | GeneratorKind::Stack, Expr::Function { args, .. }) => args.iter().collect(),
            _ => vec![&self.arg],
        }
    }

    pub fn name(&self) -> String {
        let base = match self.kind {
            GeneratorKind::Explode => "explode",
            GeneratorKind::PosExplode => "posexplode",
            GeneratorKind::Inline => "inline",
            GeneratorKind::JsonTuple => "json_tuple",
            GeneratorKind::Stack => "stack",
        };
        if self.outer { format!("{base}_outer") } else { base.to_string() }
    }

    /// The columns it generates, by Spark's default names and with their types: `[pos,] col` for an array,
    /// `[pos,] key, value` for a map.
    pub fn columns(&self) -> Vec<(String, SparkType, bool)> {
        let mut columns = Vec::new();
        match (self.kind, self.arg.data_type()) {
            (GeneratorKind::JsonTuple, _) => {
                let fields = self.written_args().len().saturating_sub(1);
                return (0..fields).map(|i| (format!("c{i}"), SparkType::String, true)).collect();
            }
            (GeneratorKind::Stack, _) => {
                let (rows, values) = self.stack_layout();
                let width = values.len().div_ceil(rows.max(1));
                return (0..width)
                    .map(|j| {
                        let column = values.iter().skip(j).step_by(width.max(1)).map(|v| v.data_type());
                        let data_type = column.clone().find(|t| *t != SparkType::Null).unwrap_or(SparkType::Null);
                        (format!("col{j}"), data_type, true)
                    })
                    .collect();
            }
            (GeneratorKind::Inline, SparkType::Array(array)) => {
                if let SparkType::Struct(fields) = &array.element {
                    return fields.iter().map(|f| (f.name.clone(), f.data_type.clone(), f.nullable || self.outer || array.contains_null)).collect();
                }
            }
            _ => {}
        }
        if self.kind == GeneratorKind::PosExplode {
            columns.push(("pos".to_string(), SparkType::Integer, self.outer));
        }
        match self.arg.data_type() {
            SparkType::Map(map) => {
                columns.push(("key".to_string(), map.key.clone(), self.outer));
                columns.push(("value".to_string(), map.value.clone(), map.value_contains_null || self.outer));
            }
            SparkType::Array(array) => columns.push(("col".to_string(), array.element.clone(), array.contains_null || self.outer)),
            other => columns.push(("col".to_string(), other, true)),
        }
        columns
    }

    /// `stack`'s number of rows (0 unless a constant) and its values.
    pub fn stack_layout(&self) -> (usize, Vec<&Expr>) {
        let args = self.written_args();
        let rows = match args.first() {
            Some(Expr::Literal(value)) => value.as_i64().and_then(|n| usize::try_from(n).ok()).unwrap_or(0),
            _ => 0,
        };
        (rows, args.into_iter().skip(1).collect())
    }

    /// Spark's checks of `stack`: a constant positive number of rows, and one type per column (NULL fits any).
    fn check_stack(&self) -> crate::Result<()> {
        let args = self.written_args();
        let shown = format!("stack({})", args.iter().map(|a| a.sql_name()).collect::<Vec<_>>().join(", "));
        let mismatch = |detail: String| {
            crate::EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.{detail} SQLSTATE: 42K09",
            ))
        };
        let rows = match args[0] {
            Expr::Literal(value) => value.as_i64().unwrap_or(0),
            other => {
                return Err(mismatch(format!(
                    "NON_FOLDABLE_INPUT] Cannot resolve \"{shown}\" due to data type mismatch: the input `n` should be \
                     a foldable \"INT\" expression; however, got \"{}\".",
                    other.sql_name()
                )));
            }
        };
        if rows <= 0 {
            return Err(mismatch(format!(
                "VALUE_OUT_OF_RANGE] Cannot resolve \"{shown}\" due to data type mismatch: The `n` must be between \
                 (0, 2147483647] (current value = {rows})."
            )));
        }
        let values = &args[1..];
        let width = values.len().div_ceil(rows as usize);
        for j in 0..width {
            let typed: Vec<(usize, SparkType)> =
                (j..values.len()).step_by(width).map(|i| (i + 1, values[i].data_type())).filter(|(_, t)| *t != SparkType::Null).collect();
            let Some((first, expected)) = typed.first() else { continue };
            if let Some((other, found)) = typed.iter().find(|(_, t)| t != expected) {
                return Err(mismatch(format!(
                    "STACK_COLUMN_DIFF_TYPES] Cannot resolve \"{shown}\" due to data type mismatch: The data type of the \
                     column ({j}) do not have the same type: \"{}\" ({first}) <> \"{}\" ({other}).",
                    expected.simple_string().to_uppercase(),
                    found.simple_string().to_uppercase()
                )));
            }
        }
        Ok(())
    }

    /// New attributes for the generated columns, named by the aliases if there are any; Spark's error when their
    /// number is not the number of columns.
    pub fn output(&self) -> crate::Result<Vec<Attribute>> {
        if self.kind == GeneratorKind::Stack {
            self.check_stack()?;
        }
        let arg_type = self.arg.data_type();
        let struct_array = matches!(&arg_type, SparkType::Array(array) if matches!(array.element, SparkType::Struct(_)));
        if self.kind == GeneratorKind::Inline && !struct_array {
            return Err(crate::EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{}({})\" due to data type mismatch: The \
                 first parameter requires the \"ARRAY<STRUCT>\" type, however \"{}\" has the type \"{}\". SQLSTATE: 42K09",
                self.name(),
                self.arg.sql_name(),
                self.arg.sql_name(),
                arg_type.simple_string().to_uppercase()
            )));
        }
        if !matches!(arg_type, SparkType::Array(_) | SparkType::Map(_)) && self.kind != GeneratorKind::Stack {
            return Err(crate::EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{}({})\" due to data type mismatch: The \
                 first parameter requires the (\"ARRAY\" or \"MAP\") type, however \"{}\" has the type \"{}\". \
                 SQLSTATE: 42K09",
                self.name(),
                self.arg.sql_name(),
                self.arg.sql_name(),
                arg_type.simple_string().to_uppercase()
            )));
        }
        let columns = self.columns();
        if !self.aliases.is_empty() && self.aliases.len() != columns.len() {
            return Err(crate::EngineError::Analysis(format!(
                "[UDTF_ALIAS_NUMBER_MISMATCH] The number of aliases supplied in the AS clause does not match the \
                 number of columns output by the UDTF.\nExpected {} aliases, but got {}.\nPlease ensure that the number \
                 of aliases provided matches the number of columns output by the UDTF. SQLSTATE: 42802",
                columns.len(),
                self.aliases.join(", ")
            )));
        }
        Ok(columns
            .into_iter()
            .enumerate()
            .map(|(i, (name, data_type, nullable))| Attribute::new(self.aliases.get(i).cloned().unwrap_or(name), data_type, nullable))
            .collect())
    }
}
