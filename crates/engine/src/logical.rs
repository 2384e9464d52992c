//! The logical plan: *what* a DataFrame computes, not how.
//!
//! Every DataFrame transformation (`select`, `filter`, `groupBy().agg`, …) wraps the plan it was called on in one
//! more node and returns at once — transformations are lazy. Nothing is read or computed until an action
//! (`count`, `show`, `collect`) hands the plan to the optimizer and the physical planner.

use std::collections::HashMap;
use std::sync::Arc;

use crate::expr::{Attribute, Expr, ExprId};
use crate::io::csv::CsvOptions;
use crate::io::partition_discovery::PartitionColumns;
use crate::io::vfs::FileStatus;
use crate::io::Table;
use crate::join::JoinType;
use crate::expr::generator::Generator;
use crate::rdd::MapPartitions;
use crate::sample::Sample;
use crate::shuffle_dependency::ShuffleDependency;
use crate::sort::SortOrder;

/// Where a scan's rows come from.
#[derive(Debug)]
pub enum Source {
    /// Rows already in memory, cut into slices at `bounds` (each slice's first row, then the end). `from_rdd`:
    /// the rows of a Python RDD (PySpark's `createDataFrame` of a list, `rdd.toDF()`), which Spark plans as a
    /// `LogicalRDD` scanned whole (`Scan ExistingRDD`); otherwise a local relation (`VALUES`, `describe()`).
    Memory { table: Table, bounds: Vec<usize>, from_rdd: bool },
    /// Numbers counted as they are read (`spark.range`).
    Range(crate::range::Range),
    /// Files, with the paths as the user wrote them, and the columns their folder names hold.
    Files { format: FileFormat, paths: Vec<String>, files: Vec<FileStatus>, partition_columns: PartitionColumns },
}

#[derive(Debug, Clone)]
pub enum FileFormat {
    Parquet,
    Csv(CsvOptions),
    Json(crate::io::json::JsonOptions),
}

impl FileFormat {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Parquet => "parquet",
            Self::Csv(_) => "csv",
            Self::Json(_) => "json",
        }
    }
}

/// A scan of a source: which of its columns are read and which filters it may use to skip data.
#[derive(Debug, Clone)]
pub struct Scan {
    pub source: Arc<Source>,
    /// Every column of the source, as attributes.
    pub columns: Vec<Attribute>,
    /// The columns actually read (after column pruning), in source order.
    pub output: Vec<Attribute>,
    /// Conditions pushed into the scan (Parquet row groups whose statistics rule them out are skipped).
    pub pushed_filters: Vec<Expr>,
}

impl Scan {
    /// Whether this reads a Python RDD's rows (Spark's `Scan ExistingRDD`, always every column).
    pub fn reads_rdd(&self) -> bool {
        matches!(self.source.as_ref(), Source::Memory { from_rdd: true, .. })
    }
}

/// How `repartition` redistributes rows.
#[derive(Debug, Clone)]
pub enum RepartitionBy {
    RoundRobin,
    Hash(Vec<Expr>),
    /// By the key hash each row carries in its first column (an RDD's `reduceByKey`, see [`crate::rdd`]); the
    /// dependency keeps the map outputs for later jobs.
    KeyHash(ShuffleDependency),
    /// By where each row's keys fall between boundaries sampled from the data (`repartitionByRange`).
    Range(Vec<SortOrder>),
}

/// One node of a logical plan. Expressions in an analyzed plan are resolved.
#[derive(Debug, Clone)]
pub enum LogicalPlan {
    Scan(Scan),
    Project { exprs: Vec<Expr>, input: Arc<LogicalPlan> },
    Filter { condition: Expr, input: Arc<LogicalPlan> },
    /// `groupBy(group).agg(aggregates)`; `aggregates` are named and may combine aggregate functions.
    Aggregate { group: Vec<Expr>, aggregates: Vec<Expr>, input: Arc<LogicalPlan> },
    Limit { count: usize, input: Arc<LogicalPlan> },
    Repartition { partitions: usize, by: RepartitionBy, input: Arc<LogicalPlan> },
    Coalesce { partitions: usize, input: Arc<LogicalPlan> },
    /// Rows of `left` and `right` paired by `condition` (every pair when there is none).
    Join { left: Arc<LogicalPlan>, right: Arc<LogicalPlan>, join_type: JoinType, condition: Option<Expr> },
    /// `broadcast(df)`: the planner should copy this side of a join to every executor.
    BroadcastHint { input: Arc<LogicalPlan> },
    /// `df.alias("pul")`: the same rows, whose columns can be named `pul.Zone`.
    SubqueryAlias { alias: String, input: Arc<LogicalPlan> },
    /// `orderBy` (global) or `sortWithinPartitions` (not global).
    Sort { order: Vec<SortOrder>, global: bool, input: Arc<LogicalPlan> },
    /// Rows of every input, by position; the output columns are the first input's.
    Union { inputs: Vec<Arc<LogicalPlan>>, output: Vec<Attribute> },
    /// An opaque function over each partition (an RDD's Python functions, see [`crate::rdd`]).
    MapPartitions { function: MapPartitions, output: Vec<Attribute>, input: Arc<LogicalPlan> },
    /// Window functions that share one `PARTITION BY` and `ORDER BY` (`exprs` are aliased [`Expr::Window`]s):
    /// `input`'s columns, then one column per expression (see [`crate::window`]).
    Window { exprs: Vec<Expr>, partition_by: Vec<Expr>, order_by: Vec<SortOrder>, input: Arc<LogicalPlan> },
    /// `explode(arr)` and the like: each row of `input`, its `required` columns kept, once per element the generator
    /// yields, with the `generated` columns after them (see [`crate::generate`]).
    Generate { generator: Generator, required: Vec<Attribute>, generated: Vec<Attribute>, input: Arc<LogicalPlan> },
    /// A cached DataFrame's rows (see [`crate::cache`]): `output` are the columns read, of the cached plan's;
    /// `predicates` the conditions of a filter right above (shown by the scan; the filter still applies them).
    InMemoryRelation { cache: Arc<crate::cache::CachedData>, output: Vec<Attribute>, predicates: Vec<Expr> },
    /// The rows of `input` whose random draw falls in the sample's range (see [`crate::sample`]).
    Sample { sample: Sample, input: Arc<LogicalPlan> },
    /// Each row of `input` once per projection, in turn (`unpivot`): every projection gives the `output` columns.
    Expand { projections: Vec<Vec<Expr>>, output: Vec<Attribute>, input: Arc<LogicalPlan> },
}

impl LogicalPlan {
    /// The most rows this plan can produce, when known without running it (Spark's `maxRows`): a table in memory's
    /// row count, through the operators that never add rows.
    pub fn max_rows(&self) -> Option<usize> {
        match self {
            Self::Scan(scan) => match scan.source.as_ref() {
                Source::Memory { table, .. } => Some(table.num_rows()),
                Source::Range(range) => usize::try_from(range.count()).ok(),
                Source::Files { .. } => None,
            },
            Self::Limit { count, input } => Some(input.max_rows().map_or(*count, |rows| rows.min(*count))),
            Self::Project { input, .. }
            | Self::Filter { input, .. }
            | Self::Sort { input, .. }
            | Self::Window { input, .. }
            | Self::SubqueryAlias { input, .. } => input.max_rows(),
            _ => None,
        }
    }

    /// The columns this node produces.
    pub fn output(&self) -> Vec<Attribute> {
        match self {
            Self::Scan(scan) => scan.output.clone(),
            Self::Project { exprs, .. } => exprs.iter().map(output_attribute).collect(),
            Self::Aggregate { aggregates, .. } => aggregates.iter().map(output_attribute).collect(),
            Self::Filter { input, .. }
            | Self::Limit { input, .. }
            | Self::Repartition { input, .. }
            | Self::Coalesce { input, .. }
            | Self::Sample { input, .. }
            | Self::Sort { input, .. } => input.output(),
            Self::Union { output, .. }
            | Self::MapPartitions { output, .. }
            | Self::Expand { output, .. }
            | Self::InMemoryRelation { output, .. } => output.clone(),
            Self::Join { left, right, join_type, .. } => join_type.output(&left.output(), &right.output()),
            Self::BroadcastHint { input } => input.output(),
            Self::Window { exprs, input, .. } => input.output().into_iter().chain(exprs.iter().map(output_attribute)).collect(),
            Self::Generate { required, generated, .. } => required.iter().chain(generated).cloned().collect(),
            Self::SubqueryAlias { alias, input } => {
                input.output().into_iter().map(|a| Attribute { qualifier: Some(alias.clone()), ..a }).collect()
            }
        }
    }

    pub fn children(&self) -> Vec<&Arc<LogicalPlan>> {
        match self {
            Self::Scan(_) | Self::InMemoryRelation { .. } => vec![],
            Self::Project { input, .. }
            | Self::Filter { input, .. }
            | Self::Aggregate { input, .. }
            | Self::Limit { input, .. }
            | Self::Repartition { input, .. }
            | Self::Coalesce { input, .. }
            | Self::Window { input, .. }
            | Self::Generate { input, .. }
            | Self::Expand { input, .. }
            | Self::Sample { input, .. }
            | Self::Sort { input, .. } => vec![input],
            Self::Union { inputs, .. } => inputs.iter().collect(),
            Self::Join { left, right, .. } => vec![left, right],
            Self::BroadcastHint { input } | Self::SubqueryAlias { input, .. } | Self::MapPartitions { input, .. } => {
                vec![input]
            }
        }
    }

    /// The node's line in `explain(extended=True)`'s logical plans.
    pub fn node_string(&self) -> String {
        let list = |exprs: &[Expr]| exprs.iter().map(Expr::plan_string).collect::<Vec<_>>().join(", ");
        match self {
            Self::Scan(scan) => {
                // A relation lists every column of its source; pruning shows in the physical scan.
                let columns = scan.columns.iter().map(Attribute::plan_string).collect::<Vec<_>>();
                match scan.source.as_ref() {
                    Source::Memory { from_rdd: true, .. } => format!("LogicalRDD [{}], false", columns.join(", ")),
                    Source::Memory { .. } => format!("LocalRelation [{}]", columns.join(", ")),
                    Source::Range(range) => range.node_string(None),
                    Source::Files { format, .. } => format!("Relation [{}] {}", columns.join(","), format.name()),
                }
            }
            Self::Project { exprs, .. } => format!("Project [{}]", list(exprs)),
            Self::Filter { condition, .. } => format!("Filter {}", condition.plan_string()),
            Self::Aggregate { group, aggregates, .. } => format!("Aggregate [{}], [{}]", list(group), list(aggregates)),
            Self::Limit { count, .. } => format!("GlobalLimit {count}"),
            Self::Repartition { partitions, by: RepartitionBy::RoundRobin, .. } => {
                format!("Repartition {partitions}, true")
            }
            Self::Repartition { partitions, by: RepartitionBy::Hash(keys), .. } => {
                format!("RepartitionByExpression [{}], {partitions}", list(keys))
            }
            Self::Repartition { partitions, by: RepartitionBy::KeyHash(_), .. } => format!("RepartitionByKeyHash {partitions}"),
            Self::Repartition { partitions, by: RepartitionBy::Range(order), .. } => {
                format!("RepartitionByExpression [{}], {partitions}", sort_list(order))
            }
            Self::Coalesce { partitions, .. } => format!("Repartition {partitions}, false"),
            Self::MapPartitions { function, output, .. } => {
                format!("{} [{}]", function.name(), output.iter().map(Attribute::plan_string).collect::<Vec<_>>().join(", "))
            }
            Self::Union { .. } => "Union false, false".to_string(),
            Self::Sort { order, global, .. } => format!("Sort [{}], {global}", sort_list(order)),
            Self::Join { join_type, condition, .. } => match condition {
                Some(condition) => format!("Join {}, {}", join_type.name(), condition.plan_string()),
                None => format!("Join {}", join_type.name()),
            },
            Self::BroadcastHint { .. } => "ResolvedHint (strategy=broadcast)".to_string(),
            Self::Window { exprs, partition_by, order_by, .. } => {
                format!("Window [{}], [{}], [{}]", list(exprs), list(partition_by), sort_list(order_by))
            }
            Self::SubqueryAlias { alias, .. } => format!("SubqueryAlias {alias}"),
            Self::Generate { generator, required, generated, .. } => crate::generate::node_string(generator, required, generated),
            Self::Expand { projections, output, .. } => expand_string(projections, output),
            Self::Sample { sample, .. } => sample.node_string(),
            Self::InMemoryRelation { cache, output, .. } => in_memory_relation_string(output, cache),
        }
    }

    /// The same plan with every column it produces renamed to a fresh id — what joining a DataFrame with itself
    /// needs, so that the two sides' columns are different attributes (Spark's `newInstance`).
    /// Also returns each old id's new id.
    pub fn with_fresh_ids(&self) -> (LogicalPlan, HashMap<ExprId, ExprId>) {
        let mut ids = HashMap::new();
        let plan = self.fresh(&mut ids);
        (plan, ids)
    }

    fn fresh(&self, ids: &mut HashMap<ExprId, ExprId>) -> LogicalPlan {
        let child = |input: &Arc<LogicalPlan>, ids: &mut HashMap<ExprId, ExprId>| Arc::new(input.fresh(ids));
        match self {
            Self::Scan(scan) => {
                let columns: Vec<Attribute> = scan.columns.iter().map(|a| renumbered(a, ids)).collect();
                let output = scan.output.iter().map(|a| Attribute { id: ids[&a.id], ..a.clone() }).collect();
                Self::Scan(Scan { columns, output, ..scan.clone() })
            }
            Self::Project { exprs, input } => {
                let input = child(input, ids);
                Self::Project { exprs: exprs.iter().map(|e| renumber(e, ids)).collect(), input }
            }
            Self::Filter { condition, input } => {
                let input = child(input, ids);
                Self::Filter { condition: renumber(condition, ids), input }
            }
            Self::Aggregate { group, aggregates, input } => {
                let input = child(input, ids);
                let group = group.iter().map(|e| renumber(e, ids)).collect();
                Self::Aggregate { group, aggregates: aggregates.iter().map(|e| renumber(e, ids)).collect(), input }
            }
            Self::Limit { count, input } => Self::Limit { count: *count, input: child(input, ids) },
            Self::Repartition { partitions, by, input } => {
                let input = child(input, ids);
                let by = match by {
                    RepartitionBy::Hash(keys) => RepartitionBy::Hash(keys.iter().map(|e| renumber(e, ids)).collect()),
                    RepartitionBy::Range(order) => RepartitionBy::Range(
                        order.iter().map(|o| SortOrder { expr: renumber(&o.expr, ids), ..o.clone() }).collect(),
                    ),
                    other @ (RepartitionBy::RoundRobin | RepartitionBy::KeyHash(_)) => other.clone(),
                };
                Self::Repartition { partitions: *partitions, by, input }
            }
            Self::Coalesce { partitions, input } => Self::Coalesce { partitions: *partitions, input: child(input, ids) },
            Self::Sample { sample, input } => Self::Sample { sample: sample.clone(), input: child(input, ids) },
            // A cached relation's rows are the same rows, whoever reads them.
            Self::InMemoryRelation { cache, output, predicates } => {
                let output = output.iter().map(|a| renumbered(a, ids)).collect();
                Self::InMemoryRelation { cache: cache.clone(), output, predicates: predicates.iter().map(|p| renumber(p, ids)).collect() }
            }
            Self::Sort { order, global, input } => {
                let input = child(input, ids);
                let order = order.iter().map(|o| SortOrder { expr: renumber(&o.expr, ids), ..o.clone() }).collect();
                Self::Sort { order, global: *global, input }
            }
            Self::Join { left, right, join_type, condition } => {
                let (left, right) = (child(left, ids), child(right, ids));
                Self::Join { left, right, join_type: *join_type, condition: condition.as_ref().map(|c| renumber(c, ids)) }
            }
            Self::BroadcastHint { input } => Self::BroadcastHint { input: child(input, ids) },
            Self::SubqueryAlias { alias, input } => Self::SubqueryAlias { alias: alias.clone(), input: child(input, ids) },
            Self::Union { inputs, output } => {
                let inputs: Vec<Arc<LogicalPlan>> = inputs.iter().map(|i| child(i, ids)).collect();
                Self::Union { inputs, output: output.iter().map(|a| renumbered(a, ids)).collect() }
            }
            Self::MapPartitions { function, output, input } => {
                let input = child(input, ids);
                Self::MapPartitions { function: function.clone(), output: output.iter().map(|a| renumbered(a, ids)).collect(), input }
            }
            Self::Generate { generator, required, generated, input } => {
                let input = child(input, ids);
                let generator = Generator { arg: renumber(&generator.arg, ids), ..generator.clone() };
                let required = required.iter().map(|a| renumbered(a, ids)).collect();
                Self::Generate { generator, required, generated: generated.iter().map(|a| renumbered(a, ids)).collect(), input }
            }
            Self::Expand { projections, output, input } => {
                let input = child(input, ids);
                let projections = projections.iter().map(|p| p.iter().map(|e| renumber(e, ids)).collect()).collect();
                Self::Expand { projections, output: output.iter().map(|a| renumbered(a, ids)).collect(), input }
            }
            Self::Window { exprs, partition_by, order_by, input } => {
                let input = child(input, ids);
                let order_by = order_by.iter().map(|o| SortOrder { expr: renumber(&o.expr, ids), ..o.clone() }).collect();
                Self::Window {
                    exprs: exprs.iter().map(|e| renumber(e, ids)).collect(),
                    partition_by: partition_by.iter().map(|e| renumber(e, ids)).collect(),
                    order_by,
                    input,
                }
            }
        }
    }

    /// The plan as an indented tree, Spark's `treeString`.
    pub fn tree_string(&self) -> String {
        let mut text = String::new();
        crate::display::write_tree(self, &mut text, &|p: &LogicalPlan| p.node_string(), &|p| {
            p.children().into_iter().map(|c| c.as_ref()).collect()
        });
        text
    }
}

/// `Expand [[a#1, x], [a#1, y]], [a#1, name#5]`, in logical and physical plans alike.
pub fn expand_string(projections: &[Vec<Expr>], output: &[Attribute]) -> String {
    let list = |exprs: &[Expr]| exprs.iter().map(Expr::plan_string).collect::<Vec<_>>().join(", ");
    let copies: Vec<String> = projections.iter().map(|p| format!("[{}]", list(p))).collect();
    let output = output.iter().map(Attribute::plan_string).collect::<Vec<_>>().join(", ");
    format!("Expand [{}], [{output}]", copies.join(", "))
}

/// `InMemoryRelation [a#1, b#2], StorageLevel(disk, memory, deserialized, 1 replicas)`.
pub fn in_memory_relation_string(output: &[Attribute], cache: &crate::cache::CachedData) -> String {
    let columns = output.iter().map(Attribute::plan_string).collect::<Vec<_>>().join(", ");
    format!("InMemoryRelation [{columns}], {}", cache.level.description())
}

/// `x#1 ASC NULLS FIRST, y#2 DESC NULLS LAST`
pub fn sort_list(order: &[SortOrder]) -> String {
    order.iter().map(SortOrder::plan_string).collect::<Vec<_>>().join(", ")
}

/// `attribute` under a fresh id, remembered in `ids`.
fn renumbered(attribute: &Attribute, ids: &mut HashMap<ExprId, ExprId>) -> Attribute {
    let id = *ids.entry(attribute.id).or_insert_with(ExprId::next);
    Attribute { id, ..attribute.clone() }
}

/// `expr` reading the renumbered columns; the columns it names (aliases) get fresh ids too.
fn renumber(expr: &Expr, ids: &mut HashMap<ExprId, ExprId>) -> Expr {
    let rewritten: Result<Expr, std::convert::Infallible> = expr.clone().transform_up(&mut |e| {
        Ok(match e {
            Expr::Attribute(a) => Expr::Attribute(Attribute { id: ids.get(&a.id).copied().unwrap_or(a.id), ..a }),
            Expr::Alias { expr, name, id } => {
                let fresh = *ids.entry(id).or_insert_with(ExprId::next);
                Expr::Alias { expr, name, id: fresh }
            }
            other => other,
        })
    });
    rewritten.unwrap_or_else(|never| match never {})
}

/// The column a named expression produces.
pub fn output_attribute(expr: &Expr) -> Attribute {
    match expr {
        Expr::Attribute(a) => a.clone(),
        Expr::Alias { expr, name, id } => {
            Attribute::new(name.clone(), expr.data_type(), expr.nullable()).with_id(*id)
        }
        other => Attribute::new(other.sql_name(), other.data_type(), other.nullable()),
    }
}
