//! The DataFrame API in Rust: lazy transformations that build a logical plan, and actions that run it.
//!
//! Transformations are checked at once (a wrong column name fails at `select`, as in PySpark) but compute
//! nothing. An action optimizes the plan, plans it physically, cuts it into stages and runs them; its
//! [`JobTrace`] is appended to the session's job log.

pub mod grouping_sets;
mod missing_values;
mod nondeterministic;
mod pivot;
mod sample;
mod summary;
mod time_window;
mod unpivot;

pub use missing_values::KeepRows;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;

use crate::analyzer::{cast_to, check_inputs, check_join_condition, missing_inputs, resolve, resolve_name, wider_type};
use crate::display::{result_cells, show_string, table_cells, tree_string};
use crate::expr::window::WindowSpec;
use crate::expr::{AggregateFunction, Attribute, Expr, ExprId, lit};
use crate::logical::{LogicalPlan, RepartitionBy, output_attribute};
use crate::schema::{SparkField, SparkSchema};
use crate::io::write::{FileWriter, WriteFormat, WriteOptions};
use crate::join::JoinType;
use crate::physical::ExecutionContext;
use crate::rdd::MapPartitions;
use crate::shuffle_dependency::ShuffleDependency;
use crate::sort::SortOrder;
use crate::session::Session;
use crate::stage::{ResultPartitions, run_job};
use crate::trace::JobTrace;
use crate::functions::{CollectionFunction, ScalarFunction};
use crate::types::SparkType;
use crate::value::{Row, Value, rows_of};
use crate::{EngineError, Result, optimizer, physical};

/// A lazily evaluated, distributed table (Spark's `DataFrame`).
#[derive(Clone)]
pub struct DataFrame {
    /// Tells DataFrames apart, for `df["x"]` columns (see [`Attribute::origin`]).
    id: u64,
    session: Arc<Session>,
    plan: Arc<LogicalPlan>,
    /// The physical plan this DataFrame last ran with and its trace: after an action, `explain()` shows the final
    /// adaptive plan, as Spark's does.
    last_run: Arc<Mutex<Option<(physical::PhysicalPlan, JobTrace)>>>,
    /// The plan reading whatever was cached when this DataFrame was first planned — fixed from then on, as Spark's
    /// `QueryExecution.withCachedData` is a lazy value: caching or unpersisting afterwards does not change it.
    with_cached_data: Arc<std::sync::OnceLock<LogicalPlan>>,
}

impl DataFrame {
    pub fn new(session: Arc<Session>, plan: LogicalPlan) -> Self {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self { id, session, plan: Arc::new(plan), last_run: Arc::default(), with_cached_data: Arc::default() }
    }

    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }

    pub fn logical_plan(&self) -> &LogicalPlan {
        &self.plan
    }

    fn with_plan(&self, plan: LogicalPlan) -> Self {
        Self::new(self.session.clone(), plan)
    }

    /// The output columns, as attributes.
    pub fn attributes(&self) -> Vec<Attribute> {
        self.plan.output()
    }

    /// `df.schema`
    pub fn schema(&self) -> SparkSchema {
        let fields = self
            .attributes()
            .into_iter()
            .map(|a| SparkField { name: a.name, data_type: a.data_type, nullable: a.nullable })
            .collect();
        SparkSchema { fields }
    }

    /// `df.columns`
    pub fn columns(&self) -> Vec<String> {
        self.attributes().into_iter().map(|a| a.name).collect()
    }

    /// The name of the column `key` (a name or a column of this DataFrame) resolves to.
    pub fn column_name(&self, key: &Expr) -> Result<String> {
        Ok(match resolve(key.clone(), &self.attributes())? {
            Expr::Attribute(attribute) => attribute.name,
            other => other.sql_name(),
        })
    }

    /// `df["name"]` / `df.name`: the column as an expression bound to this DataFrame.
    pub fn column(&self, name: &str) -> Result<Expr> {
        Ok(Expr::Attribute(Attribute { origin: Some(self.id), ..resolve_name(name, &self.attributes())? }))
    }

    /// Resolves expressions against this DataFrame's columns, expanding `*`. An unnamed expression is named as
    /// Spark names it: after its columns are found but before implicit casts are added (`year(pickup)`, not
    /// `year(CAST(pickup AS DATE))`).
    fn resolve_all(&self, exprs: Vec<Expr>) -> Result<Vec<Expr>> {
        let input = self.attributes();
        let mut resolved = Vec::new();
        for expr in exprs {
            match expr {
                Expr::Column(name) if name == "*" => resolved.extend(input.iter().cloned().map(Expr::Attribute)),
                // `s.*`: every field of struct column `s`, each under its own name.
                Expr::Column(name) if name.ends_with(".*") && !name.starts_with('`') => {
                    let column = resolve(Expr::Column(name[..name.len() - 2].to_string()), &input)?;
                    let SparkType::Struct(fields) = column.data_type() else {
                        return Err(EngineError::Analysis(format!(
                            "[CANNOT_RESOLVE_STAR_EXPAND] Cannot resolve `{name}` given input columns {}. SQLSTATE: 42704",
                            input.iter().map(|a| format!("`{}`", a.name)).collect::<Vec<_>>().join(", ")
                        )));
                    };
                    let get_field = ScalarFunction::Collection(CollectionFunction::GetField);
                    resolved.extend(fields.iter().map(|f| {
                        Expr::Function { function: get_field, args: vec![column.clone(), lit(f.name.as_str())] }.alias(&f.name)
                    }));
                }
                // `s.x` naming a struct's field is a column called `x`.
                Expr::Column(name) if name.contains('.') => match resolve(Expr::Column(name.clone()), &input)? {
                    attribute @ Expr::Attribute(_) => resolved.push(attribute),
                    field => {
                        let last = name.trim_matches('`').rsplit('.').next().unwrap_or_default().to_string();
                        resolved.push(field.alias(&last));
                    }
                },
                // A generator's columns are named by its aliases or Spark's defaults (`col`, `key`, `value`).
                Expr::Column(_) | Expr::Attribute(_) | Expr::Alias { .. } | Expr::Generator(_) => resolved.push(resolve(expr, &input)?),
                other => {
                    let name = name_of(&other, &input);
                    resolved.push(resolve(other, &input)?.alias(&name));
                }
            }
        }
        Ok(resolved)
    }

    /// `select(...)`. With aggregate functions and no `groupBy`, a global aggregation, as in Spark.
    pub fn select(&self, exprs: Vec<Expr>) -> Result<Self> {
        let exprs: Vec<Expr> = self.resolve_all(exprs)?;
        check_inputs(&exprs, &self.attributes(), &format!("Project [{}]", plan_list(&exprs)))?;
        self.project(exprs)
    }

    /// A projection of resolved expressions: a global aggregation when they aggregate, window operators below it
    /// when they hold window functions.
    fn project(&self, exprs: Vec<Expr>) -> Result<Self> {
        if let Some((below, exprs)) = self.with_time_window(&exprs)? {
            return below.project(exprs);
        }
        if exprs.iter().any(Expr::contains_generator) {
            return self.with_generator(exprs);
        }
        if exprs.iter().any(Expr::contains_aggregate) {
            return self.aggregate(Vec::new(), exprs);
        }
        if exprs.iter().any(Expr::contains_window) {
            return Ok(self.with_plan(with_windows(&self.plan, exprs)));
        }
        Ok(self.with_plan(LogicalPlan::Project { exprs, input: self.plan.clone() }))
    }

    /// A select list holding a generator (`select("id", explode("trips"))`): a Generate node computes the generated
    /// rows, a projection above it puts the generated columns where the generator stood.
    fn with_generator(&self, exprs: Vec<Expr>) -> Result<Self> {
        let unsupported = |detail: String| {
            EngineError::Analysis(format!("[UNSUPPORTED_GENERATOR.{detail}. SQLSTATE: 42K0E"))
        };
        let is_generator = |e: &Expr| matches!(e, Expr::Generator(_));
        if let Some(nested) = exprs.iter().find(|e| e.contains_generator() && !is_generator(e)) {
            return Err(unsupported(format!(
                "NESTED_IN_EXPRESSIONS] The generator is not supported: nested in expressions \"{}\"",
                nested.sql_name()
            )));
        }
        // Each generator gets a Generate node of its own, one above the other, as Spark stacks them.
        let mut plan = self.plan.clone();
        let mut projected: Vec<Expr> = Vec::with_capacity(exprs.len());
        for expr in exprs {
            let Expr::Generator(generator) = expr else {
                projected.push(expr);
                continue;
            };
            let generated = generator.output()?;
            projected.extend(generated.iter().cloned().map(Expr::Attribute));
            let required = plan.output();
            plan = Arc::new(LogicalPlan::Generate { generator: *generator, required, generated, input: plan });
        }
        Ok(self.with_plan(LogicalPlan::Project { exprs: projected, input: plan }))
    }

    /// `filter(condition)` / `where(condition)`.
    pub fn filter(&self, condition: Expr) -> Result<Self> {
        let condition = resolve(condition, &self.attributes())?;
        if condition.contains_aggregate() || condition.contains_window() {
            return Err(EngineError::Analysis(format!(
                "[INVALID_WHERE_CONDITION] The WHERE condition \"{}\" contains invalid expressions. Rewrite the query \
                 to avoid window functions, aggregate functions, and generator functions in the WHERE clause. \
                 SQLSTATE: 42903",
                condition.sql_name()
            )));
        }
        if condition.data_type() != SparkType::Boolean {
            return Err(EngineError::Analysis(format!(
                "[DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN] Cannot resolve \"{}\" due to data type mismatch: Filter \
                 expression \"{}\" of type \"{}\" is not a boolean. SQLSTATE: 42K09",
                condition.sql_name(),
                condition.sql_name(),
                condition.data_type().simple_string().to_uppercase()
            )));
        }
        let operator = format!("Filter {}", condition.plan_string());
        let reads = [condition.clone()];
        self.with_missing_columns(&reads, &operator, |input| LogicalPlan::Filter { condition, input })
    }

    /// Puts the operator `node` makes over this plan. A column it reads that was dropped below (`df.select("a")
    /// .filter(df.b > 1)`) is brought up to it, as Spark's analyzer does: added to the projections under the
    /// operator, then dropped again by a projection over it. A column no node below produces (one of another
    /// DataFrame) is Spark's `MISSING_ATTRIBUTES` error.
    fn with_missing_columns(&self, reads: &[Expr], operator: &str, node: impl FnOnce(Arc<LogicalPlan>) -> LogicalPlan) -> Result<Self> {
        let output = self.attributes();
        let missing = missing_inputs(reads, &output);
        if missing.is_empty() {
            return Ok(self.with_plan(node(self.plan.clone())));
        }
        let Some(widened) = with_columns_from_below(&self.plan, &missing) else {
            check_inputs(reads, &output, operator)?;
            return Err(EngineError::Internal(format!("{operator} reads columns its input lacks")));
        };
        let exprs = output.into_iter().map(Expr::Attribute).collect();
        Ok(self.with_plan(LogicalPlan::Project { exprs, input: Arc::new(node(widened)) }))
    }

    /// `withColumn(name, expr)`: replaces a column of that name (case-insensitively) in place, or appends one.
    pub fn with_column(&self, name: &str, expr: Expr) -> Result<Self> {
        let value = resolve(expr, &self.attributes())?.alias(name);
        check_inputs(std::slice::from_ref(&value), &self.attributes(), &format!("Project [{}]", value.plan_string()))?;
        let mut replaced = false;
        let mut exprs: Vec<Expr> = Vec::new();
        for attribute in self.attributes() {
            if attribute.name.eq_ignore_ascii_case(name) {
                if !replaced {
                    exprs.push(value.clone());
                }
                replaced = true;
            } else {
                exprs.push(Expr::Attribute(attribute));
            }
        }
        if !replaced {
            exprs.push(value);
        }
        self.project(exprs)
    }

    /// `withColumnRenamed(existing, new)`; renaming a column that does not exist does nothing, as in Spark.
    pub fn with_column_renamed(&self, existing: &str, new: &str) -> Result<Self> {
        let attributes = self.attributes();
        if !attributes.iter().any(|a| a.name.eq_ignore_ascii_case(existing)) {
            return Ok(self.clone());
        }
        let exprs = attributes
            .into_iter()
            .map(|a| if a.name.eq_ignore_ascii_case(existing) { Expr::Attribute(a).alias(new) } else { Expr::Attribute(a) })
            .collect();
        Ok(self.with_plan(LogicalPlan::Project { exprs, input: self.plan.clone() }))
    }

    /// `drop(names...)`: every column matching any name case-insensitively goes (`drop('zone')` also drops
    /// `Zone`); names that match nothing are ignored.
    pub fn drop(&self, names: &[&str]) -> Result<Self> {
        let exprs: Vec<Expr> = self
            .attributes()
            .into_iter()
            .filter(|a| !names.iter().any(|n| a.name.eq_ignore_ascii_case(n)))
            .map(Expr::Attribute)
            .collect();
        Ok(self.with_plan(LogicalPlan::Project { exprs, input: self.plan.clone() }))
    }

    /// `groupBy(cols...)`
    pub fn group_by(&self, keys: Vec<Expr>) -> Result<GroupedData> {
        let keys = self.resolve_all(keys)?;
        check_inputs(&keys, &self.attributes(), &format!("Aggregate [{}]", plan_list(&keys)))?;
        Ok(GroupedData { df: self.clone(), keys, pivot: None, key_names: None })
    }

    /// The DataFrame API's aggregation: the keys, then the aggregates.
    fn aggregate(&self, group: Vec<Expr>, aggregates: Vec<Expr>) -> Result<Self> {
        let output = group.iter().cloned().chain(aggregates).collect();
        self.aggregate_exactly(group, output)
    }

    /// An aggregation whose output is `output`, each of which may use only the `group` keys and aggregates.
    fn aggregate_exactly(&self, group: Vec<Expr>, output: Vec<Expr>) -> Result<Self> {
        let both: Vec<Expr> = group.iter().chain(&output).cloned().collect();
        if let Some((below, mut both)) = self.with_nondeterministic_columns(&both) {
            let output = both.split_off(group.len());
            return below.aggregate_exactly(both, output);
        }
        if let Some((below, mut both)) = self.with_time_window(&both)? {
            let output = both.split_off(group.len());
            return below.aggregate_exactly(both, output);
        }
        let group_attributes: Vec<Expr> = group.iter().map(|g| Expr::Attribute(output_attribute(g))).collect();
        for expr in &output {
            check_grouped(expr, &group, &group_attributes)?;
        }
        Ok(self.with_plan(LogicalPlan::Aggregate { group, aggregates: output, input: self.plan.clone() }))
    }

    /// `distinct()`: Spark plans it as a group-by on every column.
    pub fn distinct(&self) -> Result<Self> {
        no_map_columns(&self.attributes())?;
        let columns: Vec<Expr> = self.attributes().into_iter().map(Expr::Attribute).collect();
        Ok(self.with_plan(LogicalPlan::Aggregate { group: columns.clone(), aggregates: columns, input: self.plan.clone() }))
    }

    /// `dropDuplicates(subset)`: the first row of each distinct `subset` (all columns if empty).
    pub fn drop_duplicates(&self, subset: &[&str]) -> Result<Self> {
        if subset.is_empty() {
            return self.distinct();
        }
        let input = self.attributes();
        let keys: Vec<Attribute> = subset.iter().map(|n| resolve_name(n, &input)).collect::<Result<_>>()?;
        let aggregates = input
            .iter()
            .map(|a| {
                if keys.iter().any(|k| k.id == a.id) {
                    Expr::Attribute(a.clone())
                } else {
                    let first = Expr::Aggregate { function: AggregateFunction::First, args: vec![Expr::Attribute(a.clone())], distinct: false, filter: None };
                    Expr::Alias { expr: Box::new(first), name: a.name.clone(), id: a.id }
                }
            })
            .collect();
        let group = keys.into_iter().map(Expr::Attribute).collect();
        Ok(self.with_plan(LogicalPlan::Aggregate { group, aggregates, input: self.plan.clone() }))
    }

    /// `orderBy(...)` / `sort(...)`: a global sort, by a range exchange and a sort of each partition.
    pub fn order_by(&self, order: Vec<SortOrder>) -> Result<Self> {
        self.sorted(order, true)
    }

    /// `sortWithinPartitions(...)`: each partition sorted on its own, no exchange.
    pub fn sort_within_partitions(&self, order: Vec<SortOrder>) -> Result<Self> {
        self.sorted(order, false)
    }

    fn sorted(&self, order: Vec<SortOrder>, global: bool) -> Result<Self> {
        let order = self.resolve_order(order)?;
        let keys: Vec<Expr> = order.iter().map(|o| o.expr.clone()).collect();
        if let Some((below, keys)) = self.with_nondeterministic_columns(&keys) {
            let order = order.into_iter().zip(keys).map(|(o, expr)| SortOrder { expr, ..o }).collect();
            return Ok(self.keeping_columns_of(below.sorted(order, global)?));
        }
        let reads: Vec<Expr> = order.iter().map(|o| o.expr.clone()).collect();
        let operator = format!("Sort [{}], {global}", crate::logical::sort_list(&order));
        self.with_missing_columns(&reads, &operator, |input| LogicalPlan::Sort { order, global, input })
    }

    /// The sort keys resolved against the output — or, for a name the output dropped, against the columns under
    /// the projection that dropped it (`df.select("a").orderBy("b")` sorts by `b`, as Spark's analyzer allows).
    fn resolve_order(&self, order: Vec<SortOrder>) -> Result<Vec<SortOrder>> {
        let input = self.attributes();
        let dropped = columns_under_projection(&self.plan);
        let resolve_key = |expr: Expr| match resolve(expr.clone(), &input) {
            Err(EngineError::ColumnNotFound { .. }) if !dropped.is_empty() => {
                resolve(expr.clone(), &dropped).or_else(|_| resolve(expr, &input))
            }
            resolved => resolved,
        };
        order.into_iter().map(|o| Ok(SortOrder { expr: resolve_key(o.expr)?, ..o })).collect()
    }

    /// `limit(n)`
    pub fn limit(&self, count: usize) -> Self {
        self.with_plan(LogicalPlan::Limit { count, input: self.plan.clone() })
    }

    /// `repartition(n)`: a round-robin shuffle into `n` partitions.
    pub fn repartition(&self, partitions: usize) -> Result<Self> {
        check_partitions(partitions)?;
        Ok(self.with_plan(LogicalPlan::Repartition { partitions, by: RepartitionBy::RoundRobin, input: self.plan.clone() }))
    }

    /// `repartition(n, cols...)`: a hash shuffle on the columns, like Spark's (same partition for the same key).
    pub fn repartition_by(&self, partitions: usize, keys: Vec<Expr>) -> Result<Self> {
        check_partitions(partitions)?;
        let keys = self.resolve_all(keys)?;
        Ok(self.with_plan(LogicalPlan::Repartition { partitions, by: RepartitionBy::Hash(keys), input: self.plan.clone() }))
    }

    /// `repartitionByRange(n, cols...)`: a shuffle by ranges of the sort keys, cut at boundaries sampled from the
    /// data as a global sort cuts them, without sorting within the partitions.
    pub fn repartition_by_range(&self, partitions: usize, order: Vec<SortOrder>) -> Result<Self> {
        check_partitions(partitions)?;
        let order = self.resolve_order(order)?;
        Ok(self.with_plan(LogicalPlan::Repartition { partitions, by: RepartitionBy::Range(order), input: self.plan.clone() }))
    }

    /// Each partition through an opaque function producing `output` columns (an RDD's narrow steps).
    pub fn map_partitions(&self, function: MapPartitions, output: Vec<Attribute>) -> Self {
        self.with_plan(LogicalPlan::MapPartitions { function, output, input: self.plan.clone() })
    }

    /// A shuffle into `partitions` partitions by the key hash in each row's first column (an RDD's `reduceByKey`).
    pub fn repartition_by_key_hash(&self, partitions: usize) -> Result<Self> {
        check_partitions(partitions)?;
        Ok(self.with_plan(LogicalPlan::Repartition { partitions, by: RepartitionBy::KeyHash(ShuffleDependency::default()), input: self.plan.clone() }))
    }

    /// `inputFiles()`: every file the DataFrame's scans read, as URIs (`file:///…`), each once.
    pub fn input_files(&self) -> Vec<String> {
        fn collect(plan: &LogicalPlan, found: &mut Vec<String>, files: &dyn crate::io::vfs::FileSystem) {
            if let LogicalPlan::Scan(scan) = plan
                && let crate::logical::Source::Files { files: statuses, .. } = scan.source.as_ref()
            {
                found.extend(statuses.iter().map(|f| files.uri(&f.path)).filter(|p| !found.contains(p)).collect::<Vec<_>>());
            }
            for child in plan.children() {
                collect(child, found, files);
            }
        }
        let mut found = Vec::new();
        collect(&self.plan, &mut found, self.session.files.as_ref());
        found
    }

    /// How many partitions the result has (`df.rdd.getNumPartitions()`), as planned before any job runs.
    pub fn num_partitions(&self) -> Result<usize> {
        let physical = physical::plan(&self.optimized(), &self.session)?;
        let context = ExecutionContext::new(&self.session);
        Ok(physical.partition_count(&context))
    }

    /// `coalesce(n)`: fewer partitions without a shuffle, by merging neighbours.
    pub fn coalesce(&self, partitions: usize) -> Result<Self> {
        check_partitions(partitions)?;
        Ok(self.with_plan(LogicalPlan::Coalesce { partitions, input: self.plan.clone() }))
    }

    /// `union(other)` / `unionAll(other)`: rows of both, matched by position; types widen (long + double → double).
    pub fn union(&self, other: &DataFrame) -> Result<Self> {
        let types = self.common_column_types(other, "UNION")?;
        let right = other.attributes();
        let inputs = vec![widened(&self.plan, &types), widened(&other.plan, &types)];
        let output: Vec<Attribute> = inputs[0]
            .output()
            .into_iter()
            .zip(&right)
            .map(|(a, r)| Attribute { nullable: a.nullable || r.nullable, ..a })
            .collect();
        Ok(self.with_plan(LogicalPlan::Union { inputs, output }))
    }

    /// The type of each column of a set operation (`UNION`, `INTERSECT`, `EXCEPT`) of `self` and `other`: the wider
    /// of the two inputs' types at that position.
    fn common_column_types(&self, other: &DataFrame, operator: &str) -> Result<Vec<SparkType>> {
        let (left, right) = (self.attributes(), other.attributes());
        if left.len() != right.len() {
            return Err(EngineError::Analysis(format!(
                "[NUM_COLUMNS_MISMATCH] {operator} can only be performed on inputs with the same number of columns, \
                 but the first input has {} columns and the second input has {} columns. SQLSTATE: 42826",
                left.len(),
                right.len()
            )));
        }
        let mut types = Vec::new();
        for (i, (l, r)) in left.iter().zip(&right).enumerate() {
            types.push(wider_type(&l.data_type, &r.data_type).ok_or_else(|| {
                EngineError::Analysis(format!(
                    "[INCOMPATIBLE_COLUMN_TYPE] {operator} can only be performed on inputs with compatible column \
                     types. The {} column of the second input is \"{}\" that is incompatible with \"{}\" of the \
                     first input. SQLSTATE: 42825",
                    ordinal(i + 1),
                    r.data_type.simple_string().to_uppercase(),
                    l.data_type.simple_string().to_uppercase()
                ))
            })?);
        }
        Ok(types)
    }

    /// `intersect(other)` (SQL `INTERSECT [DISTINCT]`): the distinct rows that are in both. Spark plans it as a
    /// left semi join on every column, NULLs equal (`<=>`), then a distinct.
    pub fn intersect(&self, other: &DataFrame) -> Result<Self> {
        self.rows_matched_in(other, "INTERSECT", JoinType::LeftSemi)
    }

    /// `subtract(other)` (SQL `EXCEPT [DISTINCT]` / `MINUS`): the distinct rows of `self` that are not in `other`,
    /// planned as a left anti join on every column, NULLs equal, then a distinct.
    pub fn subtract(&self, other: &DataFrame) -> Result<Self> {
        self.rows_matched_in(other, "EXCEPT", JoinType::LeftAnti)
    }

    /// `intersectAll(other)` (SQL `INTERSECT ALL`): each row as many times as it is in both.
    pub fn intersect_all(&self, other: &DataFrame) -> Result<Self> {
        self.occurrences_matched_in(other, "INTERSECT ALL", JoinType::LeftSemi)
    }

    /// `exceptAll(other)` (SQL `EXCEPT ALL`): each row as many more times as it is here than in `other`.
    pub fn except_all(&self, other: &DataFrame) -> Result<Self> {
        self.occurrences_matched_in(other, "EXCEPT ALL", JoinType::LeftAnti)
    }

    /// The ALL forms count occurrences: each copy of a row is numbered (`row_number()` over the copies of that
    /// row), and copy *n* of a row matches copy *n* of the same row on the other side. Spark counts with an
    /// aggregate and a row-replicating generator instead; the rows are the same, the plan is not.
    fn occurrences_matched_in(&self, other: &DataFrame, operator: &str, join_type: JoinType) -> Result<Self> {
        let types = self.common_column_types(other, operator)?;
        let numbered = |plan: Arc<LogicalPlan>| -> Arc<LogicalPlan> {
            let columns: Vec<Expr> = plan.output().into_iter().map(Expr::Attribute).collect();
            let spec = crate::expr::window::WindowSpec {
                partition_by: columns.clone(),
                order_by: columns.iter().map(|c| SortOrder::new(c.clone(), true)).collect(),
                frame: crate::expr::window::WindowFrame::running(),
            };
            let function = Expr::WindowFunction { function: crate::expr::window::WindowFunction::RowNumber, ignore_nulls: false, args: vec![] };
            let copy = Expr::Window { function: Box::new(function), spec: Box::new(spec) }.alias("copy");
            Arc::new(with_windows(&plan, columns.into_iter().chain([copy]).collect()))
        };
        let left = numbered(widened(&self.plan, &types));
        let right = with_fresh_ids(numbered(widened(&other.plan, &types)), &left.output());
        let condition = every_column_equal(&left, &right);
        let matched = Arc::new(LogicalPlan::Join { left: left.clone(), right, join_type, condition });
        let rows = left.output().into_iter().take(types.len()).map(Expr::Attribute).collect();
        Ok(self.with_plan(LogicalPlan::Project { exprs: rows, input: matched }))
    }

    fn rows_matched_in(&self, other: &DataFrame, operator: &str, join_type: JoinType) -> Result<Self> {
        no_map_columns(&self.attributes())?;
        let types = self.common_column_types(other, operator)?;
        let left = widened(&self.plan, &types);
        let right = with_fresh_ids(widened(&other.plan, &types), &left.output());
        let condition = every_column_equal(&left, &right);
        self.with_plan(LogicalPlan::Join { left, right, join_type, condition }).distinct()
    }

    /// `unionByName(other, allowMissingColumns)`: rows of both, the other's columns matched to this one's by name
    /// (case-insensitively). With `allow_missing`, a column only one side has is NULL on the other (this side's
    /// columns first, then the other's new ones), as Spark adds `null AS name` on each side.
    pub fn union_by_name(&self, other: &DataFrame, allow_missing: bool) -> Result<Self> {
        let (left, right) = (self.attributes(), other.attributes());
        if allow_missing {
            let absent = |column: &Attribute, side: &[Attribute]| resolve_name(&column.name, side).is_err();
            let null_as = |column: &Attribute| lit(crate::value::Value::Null).cast(column.data_type.clone()).alias(&column.name);
            let only_right: Vec<&Attribute> = right.iter().filter(|r| absent(r, &left)).collect();
            let widened_left = left.iter().cloned().map(Expr::Attribute).chain(only_right.iter().map(|r| null_as(r))).collect();
            let widened_right = left
                .iter()
                .map(|l| resolve_name(&l.name, &right).map_or_else(|_| null_as(l), Expr::Attribute))
                .chain(only_right.iter().map(|r| Expr::Attribute((*r).clone())))
                .collect();
            let this = self.with_plan(LogicalPlan::Project { exprs: widened_left, input: self.plan.clone() });
            let that = other.with_plan(LogicalPlan::Project { exprs: widened_right, input: other.plan.clone() });
            return this.union(&that);
        }
        let reordered = left.iter().map(|l| resolve_name(&l.name, &right).map(Expr::Attribute)).collect::<Result<Vec<_>>>()?;
        if reordered.len() != right.len() {
            return self.union(other);
        }
        self.union(&other.with_plan(LogicalPlan::Project { exprs: reordered, input: other.plan.clone() }))
    }

    /// `join(other, on, how)`. Joining on column names (`on=['hour', 'zone']`) keeps one copy of each key column
    /// first — for a full outer join the non-NULL of the two, as Spark does — then the other columns of each side.
    pub fn join(&self, other: &DataFrame, on: JoinOn, how: &str) -> Result<Self> {
        let join_type = JoinType::parse(how)?;
        let (right, renamed) = self.distinct_from(other);
        let (left_columns, right_columns) = (self.attributes(), right.output());
        let (names, keep_sides) = match on {
            JoinOn::Columns(names) => (names, false),
            JoinOn::Using(names) => (names, true),
            JoinOn::Condition(condition) => {
                let both: Vec<Attribute> = left_columns.iter().chain(&right_columns).cloned().collect();
                let condition = resolve(taken_from(condition, other.id, &renamed), &both)?;
                check_join_condition(&condition)?;
                return Ok(self.with_plan(LogicalPlan::Join { left: self.plan.clone(), right, join_type, condition: Some(condition) }));
            }
            JoinOn::Nothing => {
                return Ok(self.with_plan(LogicalPlan::Join { left: self.plan.clone(), right, join_type, condition: None }));
            }
        };
        let mut condition: Option<Expr> = None;
        let mut keys = Vec::new();
        for name in &names {
            let (l, r) = (resolve_name(name, &left_columns)?, resolve_name(name, &right_columns)?);
            let equal = resolve(Expr::Attribute(l.clone()).eq(Expr::Attribute(r.clone())), &[])?;
            condition = Some(match condition {
                Some(previous) => previous.and(equal),
                None => equal,
            });
            keys.push((l, r));
        }
        let joined = Arc::new(LogicalPlan::Join { left: self.plan.clone(), right, join_type, condition });
        let is_key = |a: &Attribute, side_of: fn(&(Attribute, Attribute)) -> &Attribute| keys.iter().any(|k| side_of(k).id == a.id);
        let output = joined.output();
        let find = |id: crate::expr::ExprId| Expr::Attribute(output.iter().find(|a| a.id == id).cloned().expect("join output"));
        let mut exprs: Vec<Expr> = keys
            .iter()
            .map(|(l, r)| match join_type {
                JoinType::RightOuter => find(r.id),
                JoinType::FullOuter => {
                    let merged = crate::expr::call(crate::functions::ScalarFunction::Coalesce, vec![find(l.id), find(r.id)]);
                    resolve(merged, &[]).map(|e| e.alias(&l.name)).expect("coalescing two columns of one type")
                }
                _ => find(l.id),
            })
            .collect();
        let visible: Vec<ExprId> = exprs.iter().filter_map(|e| if let Expr::Attribute(a) = e { Some(a.id) } else { None }).collect();
        // Each side: with USING, its own key columns first, in the keys' order and hidden (unless one is the folded
        // key itself), as Spark lists them for `side.*`; then its other columns.
        let side = |columns: &[Attribute], side_of: fn(&(Attribute, Attribute)) -> &Attribute| -> Vec<Expr> {
            let hidden_keys = keys
                .iter()
                .map(side_of)
                .filter(|key| keep_sides && !visible.contains(&key.id))
                .filter_map(|key| match find(key.id) {
                    Expr::Attribute(found) => Some(Expr::Attribute(Attribute { hidden: true, ..found })),
                    _ => None,
                });
            let others = columns.iter().filter(|a| !is_key(a, side_of)).map(|a| find(a.id));
            hidden_keys.chain(others).collect()
        };
        exprs.extend(side(&left_columns, |k| &k.0));
        if join_type.keeps_right() {
            exprs.extend(side(&right_columns, |k| &k.1));
        }
        Ok(self.with_plan(LogicalPlan::Project { exprs, input: joined }))
    }

    /// `other`'s plan, with fresh ids if it shares columns with this one (a self-join), so that every column of
    /// the join is one attribute; and the renumbering.
    fn distinct_from(&self, other: &DataFrame) -> (Arc<LogicalPlan>, HashMap<ExprId, ExprId>) {
        let ours: Vec<ExprId> = self.attributes().iter().map(|a| a.id).collect();
        if !other.attributes().iter().any(|a| ours.contains(&a.id)) {
            return (other.plan.clone(), HashMap::new());
        }
        let (plan, renamed) = other.plan.with_fresh_ids();
        (Arc::new(plan), renamed)
    }

    /// `crossJoin(other)`: every row of this DataFrame with every row of `other`.
    pub fn cross_join(&self, other: &DataFrame) -> Result<Self> {
        self.join(other, JoinOn::Nothing, "cross")
    }

    /// `df.alias("pul")`: the same DataFrame, whose columns can also be named `pul.<column>` — how a DataFrame
    /// joined with itself tells its two sides apart.
    pub fn alias(&self, alias: &str) -> Self {
        self.with_plan(LogicalPlan::SubqueryAlias { alias: alias.to_string(), input: self.plan.clone() })
    }

    /// `broadcast(df)`: a hint that joins should copy this DataFrame to every executor.
    pub fn broadcast(&self) -> Self {
        self.with_plan(LogicalPlan::BroadcastHint { input: self.plan.clone() })
    }

    /// `createOrReplaceTempView(name)`: SQL can now query this DataFrame as `name`.
    pub fn create_or_replace_temp_view(&self, name: &str) -> Result<()> {
        self.session.catalog.create_view(name, self.plan.clone(), true)
    }

    /// `createTempView(name)`: like [`Self::create_or_replace_temp_view`], but a view of that name is an error.
    pub fn create_temp_view(&self, name: &str) -> Result<()> {
        self.session.catalog.create_view(name, self.plan.clone(), false)
    }

    /// `registerTempTable(name)`, deprecated since Spark 2.0: creates or replaces the view and returns the
    /// `FutureWarning` PySpark shows, for the front end to print.
    pub fn register_temp_table(&self, name: &str) -> Result<&'static str> {
        self.create_or_replace_temp_view(name)?;
        Ok("FutureWarning: Deprecated in 2.0, use createOrReplaceTempView instead.")
    }

    // ---- actions ----

    /// Runs the plan and returns its rows as Arrow batches, in partition order, with the job's trace.
    /// The optimized plan, reading cached DataFrames where it contains them.
    fn optimized(&self) -> LogicalPlan {
        optimizer::optimize(self.with_cached_data.get_or_init(|| self.session.cache.with_cached_data(&self.plan)))
    }

    /// `cache()` / `persist(level)`: the next action keeps this DataFrame's partitions, and later queries over it
    /// read them (see [`crate::cache`]).
    pub fn persist(&self, level: crate::cache::StorageLevel) -> DataFrame {
        self.session.cache.cache(&self.plan, level);
        self.clone()
    }

    /// `unpersist()`: drops the kept partitions.
    pub fn unpersist(&self) -> DataFrame {
        self.session.cache.uncache(&self.plan);
        self.clone()
    }

    /// The level this DataFrame is cached at, if it is.
    pub fn storage_level(&self) -> Option<crate::cache::StorageLevel> {
        self.session.cache.level_of(&self.plan)
    }

    pub fn execute(&self, description: &str) -> Result<(Vec<RecordBatch>, JobTrace)> {
        self.execute_partitions(description, None)
    }

    /// Like [`Self::execute`], computing only `partitions` of the result (all when `None`): how `take` looks at
    /// the first partitions before the others.
    pub fn execute_partitions(&self, description: &str, partitions: ResultPartitions) -> Result<(Vec<RecordBatch>, JobTrace)> {
        let optimized = self.optimized();
        let physical = physical::plan(&optimized, &self.session)?;
        if partitions.is_none()
            && let physical::PhysicalPlan::CollectLimit { count, input } = &physical
            && !input.has_exchange()
        {
            return self.take_rows(physical.clone(), *count, description);
        }
        let (mut batches, trace) = self.run_recorded(&physical, description, partitions)?;
        match &physical {
            physical::PhysicalPlan::CollectLimit { count, .. } => {
                let rows = Box::new(batches.into_iter().map(Ok));
                batches = physical::gather(physical::first_rows(rows, *count))?;
            }
            physical::PhysicalPlan::TakeOrderedAndProject { limit, order, project, input } => {
                batches = physical::take_ordered_and_project(*limit, order, project, &input.output(), &batches)?;
            }
            _ => {}
        }
        *self.last_run.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((physical, trace.clone()));
        Ok((batches, trace))
    }

    /// Runs one job of `physical` over `partitions` of its result and records it in the session.
    fn run_recorded(&self, physical: &physical::PhysicalPlan, description: &str, partitions: ResultPartitions) -> Result<(Vec<RecordBatch>, JobTrace)> {
        let (batches, mut trace) = run_job(physical, &self.session, description, None, partitions)?;
        trace.explain = format!("== Physical Plan ==\n{}\n", self.physical_explain(physical, Some(&trace), false));
        self.session.record_job(trace.clone());
        Ok((batches, trace))
    }

    /// The first `count` rows of a plan without shuffles under a limit, as Spark's `executeTake` gets them (`show()`,
    /// `take()`, `limit().collect()`): the first partition alone, then more partitions job after job while rows
    /// are missing — 4 times as many as so far while none turned up, else as many as the rows found so far say
    /// are needed, plus half, at most 4 times as many.
    fn take_rows(&self, physical: physical::PhysicalPlan, count: usize, description: &str) -> Result<(Vec<RecordBatch>, JobTrace)> {
        const SCALE_UP: usize = 4;
        let context = ExecutionContext::new(&self.session);
        let total = physical.partition_count(&context);
        let (mut batches, mut found, mut scanned, mut last) = (Vec::new(), 0, 0, JobTrace::default());
        while found < count && scanned < total {
            let to_try = match (scanned, found) {
                (0, _) => 1,
                (_, 0) => scanned * SCALE_UP,
                _ => ((1.5 * (count - found) as f64 * scanned as f64 / found as f64).ceil() as usize).min(scanned * SCALE_UP),
            };
            let (rows, trace) = self.run_recorded(&physical, description, Some(scanned..scanned + to_try))?;
            found += rows.iter().map(RecordBatch::num_rows).sum::<usize>();
            batches.extend(rows);
            (scanned, last) = (scanned + to_try, trace);
        }
        let batches = physical::gather(physical::first_rows(Box::new(batches.into_iter().map(Ok)), count))?;
        if scanned > 0 {
            *self.last_run.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((physical, last.clone()));
        }
        Ok((batches, last))
    }

    /// `df.write.mode(...).option(...).partitionBy(...).parquet(path)` / `.csv(path)`: one job whose tasks each
    /// write their partition as a file, then `_SUCCESS`. Returns the job's trace (or `None` in `ignore` mode when the
    /// path exists).
    pub fn write(&self, format: WriteFormat, path: &str, options: WriteOptions) -> Result<Option<JobTrace>> {
        let files = self.session.files.as_ref();
        let Some(writer) = FileWriter::open(files, path, format, options, self.attributes())? else {
            return Ok(None);
        };
        let optimized = self.optimized();
        let physical = physical::plan_for_write(&optimized, &self.session)?;
        let write_task = |task: usize, batches: &[RecordBatch]| writer.write_task(task, batches);
        let description = format!("write {path}");
        let (_, trace) = run_job(&physical, &self.session, &description, Some(&write_task), None)?;
        let rows_written: u64 = trace.tasks.iter().filter(|t| Some(t.stage) == trace.stages.last().map(|s| s.id)).map(|t| t.rows_out).sum();
        writer.commit(rows_written)?;
        self.session.record_job(trace.clone());
        Ok(Some(trace))
    }

    /// `collect()`
    pub fn collect(&self) -> Result<Vec<Row>> {
        rows_of(&self.execute("collect")?.0)
    }

    /// `count()`: Spark runs it as a global aggregation, `count(1)`.
    pub fn count(&self) -> Result<i64> {
        let count = Expr::Aggregate { function: AggregateFunction::Count, args: vec![lit(1)], distinct: false, filter: None };
        let counted = self.aggregate(Vec::new(), vec![count.alias("count(1)")])?;
        let (batches, _) = counted.execute("count")?;
        match rows_of(&batches)?.first().and_then(|r| r.first()) {
            Some(Value::Long(n)) => Ok(*n),
            other => Err(EngineError::Internal(format!("count() produced {other:?}"))),
        }
    }

    /// `take(n)` / `head(n)`
    pub fn take(&self, count: usize) -> Result<Vec<Row>> {
        rows_of(&self.limit(count).execute(&format!("take({count})"))?.0)
    }

    /// `first()` / `head()`: the first row, if any.
    pub fn first(&self) -> Result<Option<Row>> {
        Ok(self.take(1)?.into_iter().next())
    }

    /// The text `show(n, truncate)` prints.
    pub fn show_string(&self, rows: usize, truncate: usize) -> Result<String> {
        let (batches, _) = self.limit(rows + 1).execute(&format!("show({rows})"))?;
        show_string(&self.schema(), &batches, rows, truncate)
    }

    /// The text `show(n, truncate, vertical=True)` prints.
    pub fn show_vertical_string(&self, rows: usize, truncate: usize) -> Result<String> {
        let (batches, _) = self.limit(rows + 1).execute(&format!("show({rows})"))?;
        crate::display::vertical_show_string(&self.schema(), &batches, rows, truncate)
    }

    /// Every row, each value written as `spark-sql` prints it (tab-separated, one line per row).
    pub fn result_cells(&self) -> Result<Vec<Vec<String>>> {
        let (batches, _) = self.execute("collect")?;
        result_cells(&batches)
    }

    /// The first `rows` rows as `show()` writes each value, whole, and whether the result has more.
    pub fn show_cells(&self, rows: usize) -> Result<(Vec<Vec<String>>, bool)> {
        let (batches, _) = self.limit(rows + 1).execute(&format!("show({rows})"))?;
        table_cells(&batches, rows)
    }

    /// The text `printSchema()` prints.
    pub fn print_schema_string(&self) -> String {
        tree_string(&self.schema())
    }

    /// The text `printSchema(level)` prints: nested fields down to `level`.
    pub fn print_schema_string_to_depth(&self, level: usize) -> String {
        crate::display::tree_string_to_depth(&self.schema(), level)
    }

    /// The physical plan as `explain()` prints it: with adaptive execution, the final plan of the run `ran`, or
    /// the initial plan before any run.
    fn physical_explain(&self, physical: &physical::PhysicalPlan, ran: Option<&JobTrace>, extended: bool) -> String {
        let adaptive = self.session.config().adaptive_enabled && physical.has_exchange();
        match (ran, adaptive) {
            (Some(trace), true) => physical.final_explain_tree(trace, extended),
            (None, true) => physical.initial_explain_tree(extended),
            (_, false) => physical.explain_tree(extended, true),
        }
    }

    /// The text `explain()` (or `explain(extended=True)`) prints. Kindling's DataFrames are analyzed as they are
    /// built, so the parsed plan it prints is the analyzed one (Spark shows the unresolved `'Project [...]`).
    pub fn explain_string(&self, extended: bool) -> Result<String> {
        let optimized = self.optimized();
        let last_run = self.last_run.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        let physical = match &last_run {
            Some((ran, _)) => ran.clone(),
            None => physical::plan(&optimized, &self.session)?,
        };
        let physical_text = self.physical_explain(&physical, last_run.as_ref().map(|(_, trace)| trace), extended);
        if !extended {
            return Ok(format!("== Physical Plan ==\n{physical_text}\n"));
        }
        let analyzed = self.plan.tree_string();
        let header: Vec<String> = self.attributes().iter().map(|a| format!("{}: {}", a.name, a.data_type)).collect();
        Ok(format!(
            "== Parsed Logical Plan ==\n{analyzed}\n== Analyzed Logical Plan ==\n{}\n{analyzed}\n== Optimized Logical \
             Plan ==\n{}\n== Physical Plan ==\n{physical_text}",
            header.join(", "),
            optimized.tree_string()
        ))
    }
}

/// The `on` of a join.
pub enum JoinOn {
    /// Column names both sides have (`on=['hour', 'zone']`).
    Columns(Vec<String>),
    /// SQL's `USING (k)`: as [`JoinOn::Columns`], and each side's own `k` stays reachable as `left.k` / `right.k`
    /// (a hidden column, see [`Attribute::hidden`]).
    Using(Vec<String>),
    /// A condition over both sides' columns (`df.zone == zones.LocationID`).
    Condition(Expr),
    /// No condition: every pair (a cross join).
    Nothing,
}

/// `df.groupBy(...)`: keys waiting for their aggregates (and maybe a pivot column, see [`pivot`]).
#[derive(Clone)]
pub struct GroupedData {
    df: DataFrame,
    keys: Vec<Expr>,
    pivot: Option<pivot::Pivot>,
    /// Grouping sets (`rollup`, `cube`): the keys are copies of the original keys, then the set's id; the output
    /// shows the copies under these names and leaves the id out.
    key_names: Option<Vec<String>>,
}

impl GroupedData {
    /// `agg(exprs...)`: the key columns, then one column per expression.
    pub fn agg(&self, aggregates: Vec<Expr>) -> Result<DataFrame> {
        let aggregates = match (&self.key_names, self.keys.last()) {
            (Some(names), Some(Expr::Attribute(id))) => {
                aggregates.into_iter().map(|a| grouping_sets::named_over_grouping_id(a, names, id, &self.df.attributes())).collect::<Result<_>>()?
            }
            _ => aggregates,
        };
        let aggregates: Vec<Expr> = self.df.resolve_all(aggregates)?;
        check_inputs(&aggregates, &self.df.attributes(), &format!("Aggregate [{}]", plan_list(&aggregates)))?;
        let aggregated = match &self.pivot {
            Some(pivot) => self.pivoted(pivot, aggregates)?,
            None => self.df.aggregate(self.keys.clone(), aggregates)?,
        };
        let Some(names) = &self.key_names else { return Ok(aggregated) };
        // The key copies under the keys' names, the set id left out, then the aggregates.
        let columns = aggregated.attributes();
        // Under the copy's own id, as Spark's output reads the copy itself (the copy is hidden; the key is not).
        let keys = columns
            .iter()
            .zip(names)
            .map(|(copy, name)| Expr::Alias { expr: Box::new(Expr::Attribute(copy.clone())), name: name.clone(), id: copy.id });
        let aggregates = columns.iter().skip(names.len() + 1).cloned().map(Expr::Attribute);
        aggregated.select(keys.chain(aggregates).collect())
    }

    /// The SQL form of an aggregation, `SELECT <exprs> … GROUP BY <keys>`: the output is exactly `exprs`, each of
    /// which may use only the keys and aggregate functions.
    pub fn select(&self, exprs: Vec<Expr>) -> Result<DataFrame> {
        self.df.aggregate_exactly(self.keys.clone(), self.df.resolve_all(exprs)?)
    }

    /// Grouping by the copies of the keys that grouping sets make (see `rollup` / `cube`), shown under `names`.
    pub fn over_grouping_sets(copies: &grouping_sets::GroupingCopies, names: Vec<String>) -> Result<GroupedData> {
        let keys = copies.keys.iter().chain([&copies.id]).cloned().map(Expr::Attribute).collect();
        let mut grouped = copies.df.group_by(keys)?;
        grouped.key_names = Some(names);
        Ok(grouped)
    }

    /// `count()`: a `count` column of type long.
    pub fn count(&self) -> Result<DataFrame> {
        let count = Expr::Aggregate { function: AggregateFunction::Count, args: vec![lit(1)], distinct: false, filter: None };
        self.agg(vec![count.alias("count")])
    }

    /// `sum(cols...)`, `avg`, `min`, `max`: one aggregate per named column (`sum(total_amount)`), each of which must
    /// be numeric; without names, one per numeric column of the DataFrame (the grouping columns too), as Spark does.
    pub fn apply(&self, function: AggregateFunction, columns: &[&str]) -> Result<DataFrame> {
        let input = self.df.attributes();
        let numeric: Vec<Attribute> = if columns.is_empty() {
            input.into_iter().filter(|a| a.data_type.is_numeric()).collect()
        } else {
            columns
                .iter()
                .map(|name| {
                    let column = crate::analyzer::resolve_name(name, &input)?;
                    if !column.data_type.is_numeric() {
                        return Err(EngineError::Analysis(format!(
                            "\"{name}\" is not a numeric column. Aggregation function can only be applied on a numeric column."
                        )));
                    }
                    Ok(column)
                })
                .collect::<Result<_>>()?
        };
        let aggregates = numeric
            .into_iter()
            .map(|c| Expr::Aggregate { function, args: vec![Expr::Attribute(c)], distinct: false, filter: None })
            .collect();
        self.agg(aggregates)
    }
}

/// `condition` with the columns taken from the DataFrame `origin` (`other["x"]`) moved to their new ids.
fn taken_from(condition: Expr, origin: u64, renamed: &HashMap<ExprId, ExprId>) -> Expr {
    let moved: Result<Expr, std::convert::Infallible> = condition.transform_up(&mut |e| {
        Ok(match e {
            Expr::Attribute(a) if a.origin == Some(origin) => match renamed.get(&a.id) {
                Some(id) => Expr::Attribute(a.with_id(*id)),
                None => Expr::Attribute(a),
            },
            other => other,
        })
    });
    moved.unwrap_or_else(|never| match never {})
}

/// The name Spark gives an unnamed expression (`sum(total_amount)`, `(a + b)`): its text with each column as the
/// column it resolves to.
/// Maps have no order or equality Spark compares rows by: no DISTINCT or set operation over them.
fn no_map_columns(columns: &[Attribute]) -> Result<()> {
    match columns.iter().find(|c| matches!(c.data_type, SparkType::Map(_))) {
        Some(map) => Err(EngineError::Analysis(format!(
            "[UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE] The feature is not supported: Cannot have MAP type columns \
             in a set operation (INTERSECT, EXCEPT, etc.), but the type of column `{}` is \"{}\". SQLSTATE: 0A000",
            map.name,
            map.data_type.simple_string().to_uppercase().replace(',', ", ")
        ))),
        None => Ok(()),
    }
}

fn name_of(expr: &Expr, input: &[Attribute]) -> String {
    let with_names: Result<Expr, std::convert::Infallible> = expr.clone().transform_up(&mut |e| {
        Ok(match e {
            Expr::Column(name) => match resolve_name(&name, input) {
                Ok(attribute) => Expr::Column(attribute.name),
                Err(_) => Expr::Column(name),
            },
            // `col[key]` of a struct is named as the field it reads: `s.y`.
            Expr::Function { function: ScalarFunction::Collection(CollectionFunction::GetItem), args }
                if matches!(resolve(args[0].clone(), input).map(|e| e.data_type()), Ok(SparkType::Struct(_))) =>
            {
                Expr::Function { function: ScalarFunction::Collection(CollectionFunction::GetField), args }
            }
            // A ranking function or lag/lead is named with the frame it always has, whatever frame was given.
            Expr::Window { function, mut spec } => {
                if let Expr::WindowFunction { function: window_function, args, .. } = function.as_ref() {
                    spec.frame = crate::analyzer::frame_of(*window_function, args, &spec.frame);
                }
                Expr::Window { function, spec }
            }
            other => other,
        })
    });
    with_names.unwrap_or_else(|never| match never {}).sql_name()
}

/// Spark's check that every column an aggregation outputs is grouped or aggregated.
fn check_grouped(expr: &Expr, group: &[Expr], group_attributes: &[Expr]) -> Result<()> {
    let inner = match expr {
        Expr::Alias { expr, .. } => expr.as_ref(),
        other => other,
    };
    let is_group = |e: &Expr| group.iter().any(|g| g == e || matches!(g, Expr::Alias { expr, .. } if expr.as_ref() == e));
    if is_group(inner) || group_attributes.contains(inner) || matches!(inner, Expr::Aggregate { .. } | Expr::Literal(_)) {
        return Ok(());
    }
    if let Expr::Attribute(a) = inner {
        return Err(EngineError::Analysis(format!(
            "[MISSING_AGGREGATION] The non-aggregating expression \"{}\" is based on columns which are not \
             participating in the GROUP BY clause. Add the columns or the expression to the GROUP BY, aggregate the \
             expression, or use \"any_value({})\" if you do not care which of the values within a group is \
             returned. SQLSTATE: 42803",
            a.name, a.name
        )));
    }
    inner.children().into_iter().try_for_each(|c| check_grouped(c, group, group_attributes))
}

fn check_partitions(partitions: usize) -> Result<()> {
    if partitions == 0 {
        crate::invalid_argument!("the number of partitions must be positive, got 0");
    }
    Ok(())
}

/// `plan` with its columns cast to `types` where they differ (the inputs of a widening union).
fn widened(plan: &Arc<LogicalPlan>, types: &[SparkType]) -> Arc<LogicalPlan> {
    let output = plan.output();
    if output.iter().zip(types).all(|(a, t)| a.data_type == *t) {
        return plan.clone();
    }
    let exprs = output
        .into_iter()
        .zip(types)
        .map(|(a, t)| {
            let name = a.name.clone();
            if a.data_type == *t { Expr::Attribute(a) } else { cast_to(Expr::Attribute(a), t.clone()).alias(&name) }
        })
        .collect();
    Arc::new(LogicalPlan::Project { exprs, input: plan.clone() })
}

/// `exprs` over `input` when some of them are window functions, as Spark's analyzer plans them
/// (`ExtractWindowExpressions`): a projection computes the other expressions and whatever the windows read that
/// is not a plain column (`date_trunc('day', ts)` in a PARTITION BY becomes a column `_w0`); one `Window` node per
/// distinct `PARTITION BY` and `ORDER BY` computes the window functions as new columns; a projection over them
/// reads those columns in their place.
fn with_windows(input: &Arc<LogicalPlan>, exprs: Vec<Expr>) -> LogicalPlan {
    let (with_window, regular): (Vec<Expr>, Vec<Expr>) = exprs.iter().cloned().partition(Expr::contains_window);
    let mut extracted = WindowInputs { regular: regular.iter().map(output_attribute).collect(), extracted: Vec::new() };
    let with_window: Vec<Expr> = with_window.into_iter().map(|e| extracted.take_inputs(e)).collect();
    let below = Arc::new(LogicalPlan::Project { exprs: regular.into_iter().chain(extracted.extracted).collect(), input: input.clone() });
    let mut windows: Vec<Expr> = Vec::new();
    for expr in &with_window {
        collect_windows(expr, &mut windows);
    }
    // A window the query names (`rank() OVER w AS r`) is computed under that name, as Spark's Window shows it.
    let alias_of = |window: &Expr| {
        with_window.iter().find(|e| matches!(e, Expr::Alias { expr, .. } if expr.as_ref() == window)).cloned()
    };
    let named: Vec<Expr> =
        windows.iter().enumerate().map(|(i, w)| alias_of(w).unwrap_or_else(|| w.clone().alias(&format!("_we{i}")))).collect();
    let mut plan = below;
    let mut done = vec![false; windows.len()];
    for first in 0..windows.len() {
        if done[first] {
            continue;
        }
        let Expr::Window { spec, .. } = &windows[first] else { continue };
        let mut group = Vec::new();
        for (i, window) in windows.iter().enumerate() {
            if let Expr::Window { spec: other, .. } = window
                && !done[i]
                && spec.same_window(other)
            {
                group.push(named[i].clone());
                done[i] = true;
            }
        }
        let (partition_by, order_by) = (spec.partition_by.clone(), spec.order_by.clone());
        plan = Arc::new(LogicalPlan::Window { exprs: group, partition_by, order_by, input: plan });
    }
    let columns: Vec<Attribute> = named.iter().map(output_attribute).collect();
    let mut with_window = with_window.into_iter().map(|expr| replace_windows(expr, &windows, &columns));
    let projected = exprs
        .iter()
        .map(|e| if e.contains_window() { with_window.next().expect("one per window expression") } else { Expr::Attribute(output_attribute(e)) })
        .collect();
    LogicalPlan::Project { exprs: projected, input: plan }
}

/// What the windows of a projection read, taken out into the projection under them: plain columns as they are,
/// other expressions as `_w0`, `_w1`, ….
struct WindowInputs {
    /// The columns the projection's other expressions already provide.
    regular: Vec<Attribute>,
    extracted: Vec<Expr>,
}

impl WindowInputs {
    /// `expr` reading its windows' inputs — a window function's arguments, the PARTITION BY and ORDER BY keys — and
    /// the columns it reads outside its windows from the projection under the windows.
    fn take_inputs(&mut self, expr: Expr) -> Expr {
        match expr {
            Expr::Window { function, spec } => {
                let function = match *function {
                    Expr::WindowFunction { function, args, ignore_nulls } => {
                        Expr::WindowFunction { function, args: self.inputs(args), ignore_nulls }
                    }
                    Expr::Aggregate { function, args, distinct, filter } => {
                        let filter = filter.map(|f| Box::new(self.input(*f)));
                        Expr::Aggregate { function, args: self.inputs(args), distinct, filter }
                    }
                    other => other,
                };
                let WindowSpec { partition_by, order_by, frame } = *spec;
                let partition_by = self.inputs(partition_by);
                let order_by = order_by.into_iter().map(|o| SortOrder { expr: self.input(o.expr), ..o }).collect();
                Expr::Window { function: Box::new(function), spec: Box::new(WindowSpec { partition_by, order_by, frame }) }
            }
            Expr::Attribute(_) => self.input(expr),
            other => {
                let taken: std::result::Result<Expr, std::convert::Infallible> = other.map_children(|child| Ok(self.take_inputs(child)));
                taken.unwrap_or_else(|never| match never {})
            }
        }
    }

    fn inputs(&mut self, exprs: Vec<Expr>) -> Vec<Expr> {
        exprs.into_iter().map(|e| self.input(e)).collect()
    }

    /// One input of a window, as a column of the projection under it.
    fn input(&mut self, expr: Expr) -> Expr {
        match expr {
            Expr::Attribute(a) => {
                let provided = self.regular.iter().any(|p| p.id == a.id) || self.extracted.iter().any(|e| output_attribute(e).id == a.id);
                if !provided {
                    self.extracted.push(Expr::Attribute(a.clone()));
                }
                Expr::Attribute(a)
            }
            Expr::Literal(_) => expr,
            other => {
                let named = other.alias(&format!("_w{}", self.extracted.len()));
                let column = output_attribute(&named);
                self.extracted.push(named);
                Expr::Attribute(column)
            }
        }
    }
}

fn collect_windows(expr: &Expr, found: &mut Vec<Expr>) {
    if matches!(expr, Expr::Window { .. }) {
        if !found.contains(expr) {
            found.push(expr.clone());
        }
        return;
    }
    expr.children().into_iter().for_each(|child| collect_windows(child, found));
}

fn replace_windows(expr: Expr, windows: &[Expr], columns: &[Attribute]) -> Expr {
    if let Some(i) = windows.iter().position(|w| *w == expr) {
        return Expr::Attribute(columns[i].clone());
    }
    // A window under the name its column has is that column, as is.
    if let Expr::Alias { expr: inner, name, id } = &expr
        && let Some(i) = windows.iter().position(|w| w == inner.as_ref())
        && columns[i].name == *name
        && (columns[i].id == *id || columns[i].name == inner.sql_name())
    {
        return Expr::Attribute(columns[i].clone());
    }
    let replaced: std::result::Result<Expr, std::convert::Infallible> =
        expr.map_children(|child| Ok(replace_windows(child, windows, columns)));
    replaced.unwrap_or_else(|never| match never {})
}

/// Each column of `left` equal to the one at its position in `right`, NULLs equal (`<=>`), as set operations
/// compare rows.
fn every_column_equal(left: &LogicalPlan, right: &LogicalPlan) -> Option<Expr> {
    left.output()
        .into_iter()
        .zip(right.output())
        .map(|(l, r)| Expr::Attribute(l).eq_null_safe(Expr::Attribute(r)))
        .reduce(Expr::and)
}

/// `plan`, its columns given new ids if any is also one of `other`'s (`t INTERSECT t`), so a join of the two can
/// tell the sides apart.
fn with_fresh_ids(plan: Arc<LogicalPlan>, other: &[Attribute]) -> Arc<LogicalPlan> {
    if !plan.output().iter().any(|a| other.iter().any(|o| o.id == a.id)) {
        return plan;
    }
    Arc::new(plan.with_fresh_ids().0)
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A tree printed as the only child of a parent line: `+- ` before its first line, spaces before the rest.
fn plan_list(exprs: &[Expr]) -> String {
    exprs.iter().map(Expr::plan_string).collect::<Vec<_>>().join(", ")
}

/// `plan` with the `missing` columns added to its output, brought up from the nodes below that produce them
/// through the projections that dropped them; `None` when one cannot be reached (it is not below, or only behind
/// an aggregation, a join, a union or an RDD step).
/// The columns of the inputs of the projections down `plan` (nearest first, each column once), through the
/// operators that keep their input's columns: those a projection may have dropped.
fn columns_under_projection(plan: &LogicalPlan) -> Vec<Attribute> {
    match plan {
        LogicalPlan::Project { input, .. } => {
            let mut columns = input.output();
            for deeper in columns_under_projection(input) {
                if !columns.iter().any(|c| c.id == deeper.id) {
                    columns.push(deeper);
                }
            }
            columns
        }
        LogicalPlan::Window { input, .. }
        | LogicalPlan::Filter { input, .. }
        | LogicalPlan::Sort { input, .. }
        | LogicalPlan::Limit { input, .. }
        | LogicalPlan::Repartition { input, .. }
        | LogicalPlan::Coalesce { input, .. }
        | LogicalPlan::BroadcastHint { input }
        | LogicalPlan::SubqueryAlias { input, .. } => columns_under_projection(input),
        _ => Vec::new(),
    }
}

fn with_columns_from_below(plan: &Arc<LogicalPlan>, missing: &[Attribute]) -> Option<Arc<LogicalPlan>> {
    let output = plan.output();
    let absent: Vec<&Attribute> = missing.iter().filter(|m| !output.iter().any(|o| o.id == m.id)).collect();
    if absent.is_empty() {
        return Some(plan.clone());
    }
    let below = |input: &Arc<LogicalPlan>| with_columns_from_below(input, missing);
    let rebuilt = match plan.as_ref() {
        LogicalPlan::Project { exprs, input } => LogicalPlan::Project {
            exprs: exprs.iter().cloned().chain(absent.into_iter().map(|a| Expr::Attribute(a.clone()))).collect(),
            input: below(input)?,
        },
        LogicalPlan::Filter { condition, input } => LogicalPlan::Filter { condition: condition.clone(), input: below(input)? },
        LogicalPlan::Window { exprs, partition_by, order_by, input } => LogicalPlan::Window {
            exprs: exprs.clone(),
            partition_by: partition_by.clone(),
            order_by: order_by.clone(),
            input: below(input)?,
        },
        LogicalPlan::Sort { order, global, input } => LogicalPlan::Sort { order: order.clone(), global: *global, input: below(input)? },
        LogicalPlan::Limit { count, input } => LogicalPlan::Limit { count: *count, input: below(input)? },
        LogicalPlan::Repartition { partitions, by, input } => {
            LogicalPlan::Repartition { partitions: *partitions, by: by.clone(), input: below(input)? }
        }
        LogicalPlan::Coalesce { partitions, input } => LogicalPlan::Coalesce { partitions: *partitions, input: below(input)? },
        LogicalPlan::BroadcastHint { input } => LogicalPlan::BroadcastHint { input: below(input)? },
        LogicalPlan::SubqueryAlias { alias, input } => LogicalPlan::SubqueryAlias { alias: alias.clone(), input: below(input)? },
        _ => return None,
    };
    Some(Arc::new(rebuilt))
}

#[cfg(test)]
mod tests {
    use arrow::array::{ArrayRef, Float64Array, Int32Array, StringArray};
    use arrow::datatypes::{Field, Schema};

    use super::*;
    use crate::expr::{AggregateFunction, aggregate, call, col};
    use crate::functions::ScalarFunction;
    use crate::io::Table;
    use crate::physical::PhysicalPlan;

    fn table(columns: Vec<(&str, ArrayRef)>) -> Table {
        let fields: Vec<Field> = columns.iter().map(|(name, c)| Field::new(*name, c.data_type().clone(), true)).collect();
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, c)| c).collect()).unwrap();
        Table { schema: batch.schema(), batches: vec![batch] }
    }

    /// Trips joined with a zone lookup (zones 2 and 3 share a name; zone 9 has no trips, zone 7 no name).
    fn trips_with_zones() -> DataFrame {
        let session = Session::local(2).unwrap();
        let trips = table(vec![
            ("PULocationID", Arc::new(Int32Array::from(vec![3, 1, 2, 3, 7, 1, 2]))),
            ("total_amount", Arc::new(Float64Array::from(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]))),
        ]);
        let zones = table(vec![
            ("LocationID", Arc::new(Int32Array::from(vec![1, 2, 3, 7, 9]))),
            ("Zone", Arc::new(StringArray::from(vec![Some("Astoria"), Some("Midtown"), Some("Midtown"), None, Some("Unused")]))),
        ]);
        let (trips, zones) = (session.create_dataframe(trips, 2).unwrap(), session.create_dataframe(zones, 1).unwrap());
        let on = trips.column("PULocationID").unwrap().eq(zones.column("LocationID").unwrap());
        trips.join(&zones, JoinOn::Condition(on), "left").unwrap()
    }

    /// The columns every broadcast hash join of the DataFrame's physical plan hands on by position.
    fn deferred_strings(df: &DataFrame) -> Vec<ExprId> {
        fn collect(plan: &PhysicalPlan, found: &mut Vec<ExprId>) {
            if let PhysicalPlan::BroadcastHashJoin { join, .. } = plan {
                found.extend(join.deferred_strings.iter().copied());
            }
            plan.children().into_iter().for_each(|child| collect(child, found));
        }
        let mut found = Vec::new();
        collect(&physical::plan(&optimizer::optimize(&df.plan), &df.session).unwrap(), &mut found);
        found
    }

    /// The tasks each job of an action ran, job by job.
    fn tasks_per_job(session: &Session, action: impl FnOnce()) -> Vec<usize> {
        let before = session.jobs().len();
        action();
        session.jobs()[before..].iter().map(|job| job.tasks.len()).collect()
    }

    /// Checked with `sc.statusTracker()` on pyspark 4.3 for `spark.range(0, 16, 1, 8)` (two rows a partition):
    /// `limit(11).collect()` runs 1, 4 and 1 tasks, `show(5)` 1 and 3, and a filter that only the last two
    /// partitions pass, under `limit(3)`, 1, 4 and 3.
    #[test]
    fn a_limit_reads_one_partition_then_more_while_rows_are_missing() {
        let session = Session::local(2).unwrap();
        let ids = session.create_dataframe(table(vec![("id", Arc::new(Int32Array::from_iter_values(0..16)))]), 8).unwrap();
        let mut taken = 0;
        assert_eq!(tasks_per_job(&session, || taken = ids.limit(11).collect().unwrap().len()), [1, 4, 1]);
        assert_eq!(taken, 11);
        assert_eq!(tasks_per_job(&session, || drop(ids.show_string(5, 20).unwrap())), [1, 3]);
        let last_two = ids.filter(col("id").gt_eq(crate::expr::lit(14))).unwrap().limit(3);
        assert_eq!(tasks_per_job(&session, || taken = last_two.collect().unwrap().len()), [1, 4, 3]);
        assert_eq!(taken, 2);
    }

    #[test]
    fn grouping_by_a_key_computed_from_broadcast_strings_hands_them_on_by_position() {
        let session = Session::local(2).unwrap();
        let trips = table(vec![
            ("PULocationID", Arc::new(Int32Array::from(vec![1, 2, 3, 7, 8, 1, 2]))),
            ("DOLocationID", Arc::new(Int32Array::from(vec![2, 1, 1, 1, 3, 2, 9]))),
            ("total_amount", Arc::new(Float64Array::from(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]))),
        ]);
        let zones = table(vec![
            ("LocationID", Arc::new(Int32Array::from(vec![1, 2, 3, 7]))),
            ("Zone", Arc::new(StringArray::from(vec![Some("Astoria"), Some("Midtown"), Some("Midtown"), None]))),
        ]);
        let (trips, zones) = (session.create_dataframe(trips, 2).unwrap(), session.create_dataframe(zones, 1).unwrap());
        let (pu, dropoff) = (zones.alias("pu"), zones.alias("do"));
        let joined = trips
            .join(&pu, JoinOn::Condition(col("PULocationID").eq(col("pu.LocationID"))), "left")
            .unwrap()
            .join(&dropoff, JoinOn::Condition(col("DOLocationID").eq(col("do.LocationID"))), "left")
            .unwrap();
        let named = |zone: &str| call(ScalarFunction::Coalesce, vec![col(zone), crate::expr::lit("Unknown")]);
        let pair = call(ScalarFunction::Concat, vec![named("pu.Zone"), crate::expr::lit(" / "), named("do.Zone")]);
        let by_pair = joined.group_by(vec![pair.alias("pair")]).unwrap().agg(vec![aggregate(AggregateFunction::Sum, col("total_amount"))]).unwrap();
        let zone_ids: Vec<ExprId> = ["pu.Zone", "do.Zone"]
            .map(|name| match joined.column(name).unwrap() {
                Expr::Attribute(zone) => zone.id,
                _ => panic!("a resolved column"),
            })
            .to_vec();
        let mut deferred = deferred_strings(&by_pair);
        deferred.sort();
        assert_eq!(deferred, zone_ids);
        let mut rows: Vec<String> = by_pair.collect().unwrap().iter().map(|row| format!("{} {}", row[0], row[1])).collect();
        rows.sort();
        // Zones 2 and 3 are both Midtown; zone 7 has no name and zones 8 and 9 are not in the lookup: Unknown.
        assert_eq!(rows, ["Astoria / Midtown 33.0", "Midtown / Astoria 6.0", "Midtown / Unknown 64.0", "Unknown / Astoria 8.0", "Unknown / Midtown 16.0"]);
    }

    #[test]
    fn grouping_by_a_broadcast_string_alone_hands_it_on_by_position() {
        let joined = trips_with_zones();
        let zone = joined.column("Zone").unwrap();
        let by_zone = joined.group_by(vec![col("Zone")]).unwrap().agg(vec![aggregate(AggregateFunction::Sum, col("total_amount"))]).unwrap();
        let Expr::Attribute(zone) = zone else { panic!("a resolved column") };
        assert_eq!(deferred_strings(&by_zone), [zone.id]);
        let mut rows: Vec<String> = by_zone.collect().unwrap().iter().map(|row| format!("{} {}", row[0], row[1])).collect();
        rows.sort();
        // Midtown: zones 2 and 3 (1 + 4 + 8 + 64); Astoria: zone 1; NULL: the trip in zone 7, which has no name.
        assert_eq!(rows, ["Astoria 34.0", "Midtown 77.0", "NULL 16.0"]);

        let counted = joined.group_by(vec![col("Zone")]).unwrap().agg(vec![aggregate(AggregateFunction::Count, col("Zone"))]).unwrap();
        assert!(deferred_strings(&counted).is_empty(), "an aggregate reading the column needs the strings");
    }
}
