//! DataFrame and GroupedData methods: transformations return new DataFrames, actions run jobs and print.

use kindling_engine::dataframe::{DataFrame, JoinOn, KeepRows};
use kindling_engine::expr::{AggregateFunction, Expr, col};
use kindling_engine::io::write::{SaveMode, WriteFormat, WriteOptions};
use kindling_engine::sort::SortOrder;
use kindling_engine::value::Row;
use monty_types::MontyObject;

use super::{number, Args, Host, Object};
use crate::error::{PySparkError, Result};
use crate::values::{PyValue, row_values};
use kindling_engine::cache::StorageLevel;
use kindling_engine::types::SparkType;
use crate::{not_supported, type_error};

impl Host {
    pub(super) fn dataframe_op(&mut self, name: &str, args: &Args) -> Result<MontyObject> {
        let df = self.dataframe(args.get(0))?;
        let derived = match name {
            // What `df[...]` made, now that the host is asked: the DataFrame itself.
            "resolve" => df.clone(),
            "select" => df.select(self.exprs_or_names(args.list(1)?)?)?,
            "select_expr" => {
                let exprs = args.list(1)?.iter().map(|e| self.sql_select_item(e)).collect::<Result<_>>()?;
                df.select(exprs)?
            }
            "filter" => df.filter(self.condition(args.get(1))?)?,
            "with_column" => df.with_column(args.str(1)?, self.column_expr(args.get(2))?)?,
            "with_column_renamed" => df.with_column_renamed(args.str(1)?, args.str(2)?)?,
            "to_df" => to_df(&df, args.list(1)?)?,
            "drop" => self.drop(&df, args.list(1)?)?,
            "distinct" => df.distinct()?,
            // The level the DataFrame is cached at: the one asked for, or an earlier one (Spark keeps the first).
            "persist" => {
                let flags = args.list(1)?;
                let flag = |i: usize| matches!(flags.get(i), Some(PyValue::Bool(true)));
                let replication = match flags.get(4) {
                    Some(PyValue::Int(n)) => *n as u32,
                    _ => 1,
                };
                let asked = StorageLevel { use_disk: flag(0), use_memory: flag(1), use_off_heap: flag(2), deserialized: flag(3), replication };
                let level = df.persist(asked).storage_level().unwrap_or(asked);
                let flags = [level.use_disk, level.use_memory, level.use_off_heap, level.deserialized].map(MontyObject::bool);
                return Ok(MontyObject::tuple(flags.into_iter().chain([MontyObject::int(level.replication as i64)])));
            }
            "unpersist" => {
                df.unpersist();
                return Ok(MontyObject::none());
            }
            "sample" => df.sample(args.float(1)?, args.int(2)?)?,
            "random_split" => {
                let weights = args.list(1)?.iter().map(number).collect::<Result<Vec<f64>>>()?;
                let parts = df.random_split(&weights, args.int(2)?)?;
                return Ok(MontyObject::list(parts.into_iter().map(|part| self.describe(part))));
            }
            "unpivot" => {
                let values = match args.get(2) {
                    PyValue::None => None,
                    _ => Some(self.exprs_or_names(args.list(2)?)?),
                };
                df.unpivot(self.exprs_or_names(args.list(1)?)?, values, args.str(3)?, args.str(4)?)?
            }
            "drop_duplicates" => {
                let subset = strings(args.list(1)?)?;
                df.drop_duplicates(&subset.iter().map(String::as_str).collect::<Vec<_>>())?
            }
            "order_by" => df.order_by(self.sort_orders(args.list(1)?, args.get(2))?)?,
            "sort_within_partitions" => df.sort_within_partitions(self.sort_orders(args.list(1)?, args.get(2))?)?,
            "limit" => df.limit(non_negative(args.int(1)?)?),
            "repartition" => match args.opt_int(1)? {
                Some(n) if args.list(2)?.is_empty() => df.repartition(positive(n)?)?,
                n => {
                    let partitions = n.map_or(Ok(df.session().config().shuffle_partitions), positive)?;
                    df.repartition_by(partitions, self.exprs_or_names(args.list(2)?)?)?
                }
            },
            "repartition_by_range" => {
                let partitions = args.opt_int(1)?.map_or(Ok(df.session().config().shuffle_partitions), positive)?;
                let order = args.list(2)?.iter().map(|key| self.sort_order(key, true)).collect::<Result<Vec<_>>>()?;
                df.repartition_by_range(partitions, order)?
            }
            "coalesce" => df.coalesce(positive(args.int(1)?)?)?,
            "union" => df.union(&self.dataframe(args.get(1))?)?,
            "union_by_name" => df.union_by_name(&self.dataframe(args.get(1))?, args.bool(2)?)?,
            "intersect" => df.intersect(&self.dataframe(args.get(1))?)?,
            "intersect_all" => df.intersect_all(&self.dataframe(args.get(1))?)?,
            "subtract" => df.subtract(&self.dataframe(args.get(1))?)?,
            "except_all" => df.except_all(&self.dataframe(args.get(1))?)?,
            "fill_na" => self.fill_na(&df, args)?,
            "replace" => self.replace(&df, args)?,
            "describe" => {
                self.before_job(args)?;
                let columns = strings(args.list(1)?)?;
                df.describe(&columns.iter().map(String::as_str).collect::<Vec<_>>())?
            }
            "summary" => {
                self.before_job(args)?;
                let statistics = strings(args.list(1)?)?;
                df.summary(&statistics.iter().map(String::as_str).collect::<Vec<_>>())?
            }
            "drop_na" => {
                let keep = match (args.opt_int(2)?, args.opt_str(1)?) {
                    (Some(n), _) => KeepRows::AtLeast(non_negative(n)?),
                    (None, Some("all")) => KeepRows::AnyPresent,
                    (None, Some("any") | None) => KeepRows::Complete,
                    (None, Some(other)) => {
                        return Err(PySparkError::Value(format!("[VALUE_NOT_ANY_OR_ALL] Value for `how` must be 'any' or 'all', got '{other}'.")));
                    }
                };
                let subset = self.subset(args.get(3))?;
                df.drop_missing(keep, subset.as_ref().map(|s| s.iter().map(String::as_str).collect::<Vec<_>>()).as_deref())?
            }
            "join" => {
                let other = self.dataframe(args.get(1))?;
                let how = args.opt_str(3)?.unwrap_or("inner").to_string();
                df.join(&other, self.join_on(args.get(2))?, &how)?
            }
            "cross_join" => df.cross_join(&self.dataframe(args.get(1))?)?,
            "alias" => df.alias(args.str(1)?),
            "broadcast" => df.broadcast(),
            "group_by" => {
                let grouped = df.group_by(self.exprs_or_names(args.list(1)?)?)?;
                return Ok(MontyObject::int(self.add(Object::Grouped(grouped)) as i64));
            }
            "rollup" | "cube" | "grouping_sets" => {
                let keys = self.exprs_or_names(args.list(1)?)?;
                let sets = match name {
                    "rollup" => kindling_sql::grouping_sets::rollup_of(keys.len()),
                    "cube" => kindling_sql::grouping_sets::cube_of(keys.len()),
                    _ => self.grouping_sets(args.list(2)?, &keys)?,
                };
                let copies = kindling_sql::grouping_sets::expanded(&df, &keys, &sets, kindling_sql::Position::new(1, 1))?;
                let names: Vec<String> = keys.iter().map(|key| df.column_name(key)).collect::<kindling_engine::Result<_>>()?;
                let grouped = kindling_engine::dataframe::GroupedData::over_grouping_sets(&copies, names)?;
                return Ok(MontyObject::int(self.add(Object::Grouped(grouped)) as i64));
            }
            _ => return self.dataframe_action(&df, name, args),
        };
        Ok(self.describe(derived))
    }

    /// `groupingSets([("a", "b"), ("a",), ()], "a", "b")`: each set as the positions of its columns among the keys.
    fn grouping_sets(&self, sets: &[PyValue], keys: &[Expr]) -> Result<Vec<Vec<usize>>> {
        sets.iter()
            .map(|set| {
                let columns = self.exprs_or_names(set.items().unwrap_or(std::slice::from_ref(set)))?;
                columns
                    .iter()
                    .map(|column| match keys.iter().position(|key| key == column) {
                        Some(position) => Ok(position),
                        None => type_error!(
                            "a grouping set may only hold grouping columns: {} is not among groupingSets' columns",
                            column.sql_name()
                        ),
                    })
                    .collect()
            })
            .collect()
    }

    fn dataframe_action(&mut self, df: &DataFrame, name: &str, args: &Args) -> Result<MontyObject> {
        self.before_job(args)?;
        match name {
            "count" => return Ok(MontyObject::int(df.count()?)),
            "input_files" => return Ok(MontyObject::list(df.input_files().into_iter().map(MontyObject::string))),
            "collect" => return Ok(rows_object(df, df.collect()?)),
            "take" => return Ok(rows_object(df, df.take(non_negative(args.int(1)?)?)?)),
            "show" => {
                let truncate = match args.get(2) {
                    PyValue::Bool(true) => 20,
                    PyValue::Bool(false) => 0,
                    PyValue::Int(n) => non_negative(*n)?,
                    other => type_error!("truncate must be a bool or an int, got {}", other.type_name()),
                };
                let rows = non_negative(args.int(1)?)?;
                let text = if args.bool(3)? { df.show_vertical_string(rows, truncate)? } else { df.show_string(rows, truncate)? };
                self.print(&text);
            }
            "print_schema" => {
                // Spark prints every level for a level of 0 or less, as for none.
                let text = match args.opt_int(1)? {
                    Some(level) if level > 0 => df.print_schema_string_to_depth(level as usize),
                    _ => df.print_schema_string(),
                };
                self.print(&text);
            }
            "explain" => {
                let extended = match (args.get(1), args.opt_str(2)?) {
                    (_, Some("extended")) | (PyValue::Bool(true), None) | (PyValue::Str(_), None) => true,
                    (_, None | Some("simple")) => false,
                    (_, Some(mode)) => not_supported!("explain(mode='{mode}') is not supported by Kindling yet"),
                };
                let text = df.explain_string(extended)?;
                self.print(&text);
            }
            "write" => self.write(df, args)?,
            "create_or_replace_temp_view" => df.create_or_replace_temp_view(args.str(1)?)?,
            "create_temp_view" => df.create_temp_view(args.str(1)?)?,
            "register_temp_table" => {
                let warning = df.register_temp_table(args.str(1)?)?;
                self.write_err(&format!("{warning}\n"));
            }
            other => not_supported!("DataFrame.{other} is not supported by Kindling yet"),
        }
        Ok(MontyObject::none())
    }

    pub(super) fn grouped_op(&mut self, name: &str, args: &Args) -> Result<MontyObject> {
        let Object::Grouped(grouped) = self.object(args.handle(0)?)? else { type_error!("expected GroupedData") };
        let result = match name {
            "agg" => {
                let exprs = args.list(1)?.iter().map(|e| self.column_expr(e)).collect::<Result<_>>()?;
                grouped.agg(exprs)?
            }
            "agg_dict" => {
                let mut exprs = Vec::new();
                for pair in args.list(1)? {
                    let [PyValue::Str(column), PyValue::Str(function)] = pair.items().unwrap_or(&[]) else {
                        type_error!("agg() takes a dict of column name → function name")
                    };
                    exprs.push(Expr::Aggregate {
                        function: aggregate_function(function)?,
                        args: vec![if column == "*" { kindling_engine::expr::lit(1) } else { col(column) }],
                        distinct: false,
                        filter: None,
                    });
                }
                grouped.agg(exprs)?
            }
            "count" => grouped.count()?,
            "pivot" => {
                let values = match args.get(2) {
                    PyValue::None => None,
                    other => Some(
                        other.items().unwrap_or(&[]).iter().map(|v| crate::values::to_engine(v).unwrap_or(kindling_engine::value::Value::Null)).collect(),
                    ),
                };
                let pivoted = grouped.pivot(self.expr_or_name(args.get(1))?, values)?;
                return Ok(MontyObject::int(self.add(Object::Grouped(pivoted)) as i64));
            }
            "apply" => {
                let columns = strings(args.list(2)?)?;
                grouped.apply(aggregate_function(args.str(1)?)?, &columns.iter().map(String::as_str).collect::<Vec<_>>())?
            }
            other => not_supported!("GroupedData.{other} is not supported by Kindling yet"),
        };
        Ok(self.describe(result))
    }

    /// `fillna(value, subset)` / `fillna({column: value})`: a number, text or boolean.
    fn fill_na(&self, df: &DataFrame, args: &Args) -> Result<DataFrame> {
        let fill_value = |value: &PyValue| match value {
            PyValue::Int(_) | PyValue::Float(_) | PyValue::Str(_) | PyValue::Bool(_) => Ok(crate::values::to_engine(value)),
            other => type_error!(
                "[NOT_BOOL_OR_DICT_OR_FLOAT_OR_INT_OR_STR] Argument `value` should be a bool, dict, float, int or str, got {}.",
                other.type_name()
            ),
        };
        if let PyValue::Dict(pairs) = args.get(1) {
            let mut values = Vec::new();
            for (column, value) in pairs {
                let PyValue::Str(column) = column else { type_error!("fillna() takes a dict of column name → value") };
                values.push((column.clone(), fill_value(value)?.unwrap_or(kindling_engine::value::Value::Null)));
            }
            return Ok(df.fill_missing_by_column(&values)?);
        }
        let value = fill_value(args.get(1))?.unwrap_or(kindling_engine::value::Value::Null);
        let subset = self.subset(args.get(2))?;
        Ok(df.fill_missing(&value, subset.as_ref().map(|s| s.iter().map(String::as_str).collect::<Vec<_>>()).as_deref())?)
    }

    /// `replace(pairs, subset)`: the prelude hands the replacements over as a list of `(old, new)` pairs.
    fn replace(&self, df: &DataFrame, args: &Args) -> Result<DataFrame> {
        let value = |v: &PyValue| match v {
            PyValue::None | PyValue::Int(_) | PyValue::Float(_) | PyValue::Str(_) | PyValue::Bool(_) => {
                Ok(crate::values::to_engine(v).unwrap_or(kindling_engine::value::Value::Null))
            }
            other => type_error!(
                "[NOT_BOOL_OR_DICT_OR_FLOAT_OR_INT_OR_LIST_OR_STR_OR_TUPLE] Argument `to_replace` should be a bool, dict, \
                 float, int, list, str or tuple, got {}.",
                other.type_name()
            ),
        };
        let mut given = Vec::new();
        for pair in args.list(1)? {
            let Some([old, new]) = pair.items() else { type_error!("replace() pairs must be (old, new)") };
            given.push((old, new));
        }
        // Spark receives the replacements as a Java HashMap and tries them in its order: the CASE's branches too.
        let order = java_hash_map_order(&given.iter().map(|(old, _)| *old).collect::<Vec<_>>());
        let pairs = order.into_iter().map(|i| Ok((value(given[i].0)?, value(given[i].1)?))).collect::<Result<Vec<_>>>()?;
        let subset = self.subset(args.get(2))?;
        Ok(df.replace_values(&pairs, subset.as_ref().map(|s| s.iter().map(String::as_str).collect::<Vec<_>>()).as_deref())?)
    }

    /// A `subset` argument: None, one column name, or a list of them.
    fn subset(&self, value: &PyValue) -> Result<Option<Vec<String>>> {
        Ok(match value {
            PyValue::None => None,
            PyValue::Str(name) => Some(vec![name.clone()]),
            other => Some(strings(other.items().unwrap_or(&[]))?),
        })
    }

    pub(super) fn exprs_or_names(&self, values: &[PyValue]) -> Result<Vec<Expr>> {
        values.iter().map(|v| self.expr_or_name(v)).collect()
    }

    /// A filter condition: a Column, or SQL text (`filter("pickup_date = '2021-02-15'")`).
    pub(super) fn condition(&self, value: &PyValue) -> Result<Expr> {
        match value {
            PyValue::Str(text) => Ok(kindling_sql::expression(text)?),
            other => self.column_expr(other),
        }
    }

    fn sql_select_item(&self, value: &PyValue) -> Result<Expr> {
        match value {
            PyValue::Str(text) => Ok(kindling_sql::select_item(text)?),
            other => type_error!("selectExpr() takes SQL strings, got {}", other.type_name()),
        }
    }

    fn drop(&self, df: &DataFrame, columns: &[PyValue]) -> Result<DataFrame> {
        let mut names = Vec::new();
        for column in columns {
            match column {
                PyValue::Str(name) => names.push(name.clone()),
                other => match self.column_expr(other)? {
                    Expr::Attribute(attribute) => names.push(attribute.name),
                    _ => type_error!("drop() takes column names or columns of this DataFrame"),
                },
            }
        }
        Ok(df.drop(&names.iter().map(String::as_str).collect::<Vec<_>>())?)
    }

    /// `orderBy(cols, ascending=…)`: `ascending` is one bool for all keys or one per key.
    fn sort_orders(&self, keys: &[PyValue], ascending: &PyValue) -> Result<Vec<SortOrder>> {
        let directions: Vec<bool> = match ascending {
            PyValue::None => vec![true; keys.len()],
            PyValue::Bool(b) => vec![*b; keys.len()],
            PyValue::Int(i) => vec![*i != 0; keys.len()],
            PyValue::List(list) => list.iter().map(|v| matches!(v, PyValue::Bool(true) | PyValue::Int(1))).collect(),
            other => type_error!("ascending must be a bool or a list of bools, got {}", other.type_name()),
        };
        if directions.len() != keys.len() {
            return Err(PySparkError::Value(format!(
                "[LENGTH_SHOULD_BE_THE_SAME] `cols` and `ascending` should be of the same length, got {} and {}.",
                keys.len(),
                directions.len()
            )));
        }
        keys.iter().zip(directions).map(|(key, up)| self.sort_order(key, up)).collect()
    }

    fn join_on(&self, on: &PyValue) -> Result<JoinOn> {
        Ok(match on {
            PyValue::None => JoinOn::Nothing,
            PyValue::Str(name) => JoinOn::Columns(vec![name.clone()]),
            PyValue::List(items) | PyValue::Tuple(items) if items.iter().all(|i| matches!(i, PyValue::Str(_))) => {
                JoinOn::Columns(strings(items)?)
            }
            PyValue::List(items) | PyValue::Tuple(items) => {
                let mut conditions = items.iter().map(|c| self.column_expr(c));
                let first = conditions.next().unwrap_or_else(|| type_error_result("join() needs a condition"))?;
                JoinOn::Condition(conditions.try_fold(first, |all, next| next.map(|n| all.and(n)))?)
            }
            other => JoinOn::Condition(self.column_expr(other)?),
        })
    }

    fn write(&mut self, df: &DataFrame, args: &Args) -> Result<()> {
        let format = match args.str(1)? {
            "parquet" => WriteFormat::Parquet,
            "csv" => WriteFormat::Csv,
            "json" => WriteFormat::Json,
            other => not_supported!("writing the {other} format is not supported by Kindling yet"),
        };
        let Some(path) = args.opt_str(2)? else { type_error!("save() needs a path") };
        let mut options = WriteOptions {
            mode: args.opt_str(3)?.map(SaveMode::parse).transpose()?.unwrap_or_default(),
            partition_by: strings(args.list(5)?)?,
            ..WriteOptions::default()
        };
        if let PyValue::Dict(pairs) = args.get(4) {
            for (key, value) in pairs {
                match (key, value) {
                    (PyValue::Str(k), v) if k.eq_ignore_ascii_case("compression") => options.compression = option_text(v),
                    (PyValue::Str(k), v) if k.eq_ignore_ascii_case("header") => {
                        options.header = option_text(v).is_some_and(|t| t.eq_ignore_ascii_case("true"))
                    }
                    (k, _) => not_supported!("the write option {} is not supported by Kindling yet", k.repr()),
                }
            }
        }
        df.write(format, path, options)?;
        Ok(())
    }
}

fn type_error_result(message: &str) -> Result<Expr> {
    Err(PySparkError::Type(message.to_string()))
}

/// An option value as Spark reads it: text, with Python's booleans as `true` / `false`.
pub(super) fn option_text(value: &PyValue) -> Option<String> {
    match value {
        PyValue::None => None,
        PyValue::Bool(b) => Some(b.to_string()),
        PyValue::Str(s) => Some(s.clone()),
        other => Some(other.repr()),
    }
}

fn aggregate_function(name: &str) -> Result<AggregateFunction> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "sum" => AggregateFunction::Sum,
        "avg" | "mean" => AggregateFunction::Avg,
        "min" => AggregateFunction::Min,
        "max" => AggregateFunction::Max,
        "count" => AggregateFunction::Count,
        "first" => AggregateFunction::First,
        other => not_supported!("the aggregate function {other} is not supported by Kindling yet"),
    })
}

fn strings(values: &[PyValue]) -> Result<Vec<String>> {
    values
        .iter()
        .map(|v| match v {
            PyValue::Str(s) => Ok(s.clone()),
            other => type_error!("expected column names, got {}", other.type_name()),
        })
        .collect()
}

fn non_negative(n: i64) -> Result<usize> {
    usize::try_from(n).map_err(|_| PySparkError::Value(format!("the number must not be negative, got {n}")))
}

fn positive(n: i64) -> Result<usize> {
    match usize::try_from(n) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(PySparkError::Value(format!("the number of partitions must be positive, got {n}"))),
    }
}

/// `toDF('a', 'b')`: the columns renamed in order.
fn to_df(df: &DataFrame, names: &[PyValue]) -> Result<DataFrame> {
    let names = strings(names)?;
    let columns = df.columns();
    if names.len() != columns.len() {
        return Err(PySparkError::Value(format!(
            "[LENGTH_SHOULD_BE_THE_SAME] the number of names ({}) must match the number of columns ({})",
            names.len(),
            columns.len()
        )));
    }
    let exprs = columns.iter().zip(&names).map(|(c, n)| df.column(c).map(|e| e.alias(n))).collect::<Result<_, _>>()?;
    Ok(df.select(exprs)?)
}

/// Collected rows as the prelude makes them `Row`s: `(column names, [values, …], whether structs are inside)`.
fn rows_object(df: &DataFrame, rows: Vec<Row>) -> MontyObject {
    let schema = df.schema();
    let names = MontyObject::tuple(schema.fields.iter().map(|f| MontyObject::string(f.name.as_str())));
    let structs_inside = schema.fields.iter().any(|f| holds_struct(&f.data_type));
    MontyObject::tuple([names, MontyObject::list(rows.iter().map(|row| row_values(row))), MontyObject::bool(structs_inside)])
}

/// Whether values of this type hold a struct somewhere (which reaches Python as a named tuple to make a `Row`).
fn holds_struct(data_type: &SparkType) -> bool {
    match data_type {
        SparkType::Struct(_) => true,
        SparkType::Array(array) => holds_struct(&array.element),
        SparkType::Map(map) => holds_struct(&map.key) || holds_struct(&map.value),
        _ => false,
    }
}

/// The order a `java.util.HashMap` built from these keys (as py4j hands PySpark's dict over: an int as an
/// Integer or a Long, a float as a Double, text as a String) iterates them: by bucket of the spread hash, then as
/// inserted.
fn java_hash_map_order(keys: &[&PyValue]) -> Vec<usize> {
    let wide = |bits: u64| (bits ^ (bits >> 32)) as u32;
    let hash = |key: &PyValue| -> u32 {
        match key {
            PyValue::Bool(b) => if *b { 1231 } else { 1237 },
            PyValue::Int(i) => match i32::try_from(*i) {
                Ok(small) => small as u32,
                Err(_) => wide(*i as u64),
            },
            PyValue::Float(f) => wide(if f.is_nan() { 0x7ff8_0000_0000_0000 } else { f.to_bits() }),
            PyValue::Str(s) => s.encode_utf16().fold(0u32, |h, unit| h.wrapping_mul(31).wrapping_add(u32::from(unit))),
            _ => 0,
        }
    };
    let mut buckets = 16usize;
    while keys.len() * 4 > buckets * 3 {
        buckets *= 2;
    }
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| {
        let h = hash(keys[i]);
        (((h ^ (h >> 16)) as usize) & (buckets - 1), i)
    });
    order
}
