//! Column expressions: what `col("a") + 1`, `F.sum("x")` or `CASE WHEN … END` build.
//!
//! A DataFrame method only *describes* a computation; its expressions are trees of [`Expr`]. When the analyzer
//! checks a plan it replaces every column name by the [`Attribute`] it refers to — a column with a unique id
//! (`PULocationID#3` in `explain()`), a type and a nullability — and inserts the casts Spark's type coercion asks
//! for. Only such resolved trees are evaluated ([`eval`]), a whole Arrow batch at a time.

pub mod cast;
mod decimal;
pub mod eval;
pub mod generator;
pub mod higher_order;
pub mod nondeterministic;
pub mod window;

use std::fmt::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::functions::{CollectionFunction, ScalarFunction};
use crate::udf::Udf;
use crate::types::SparkType;
use crate::value::Value;
use window::{WindowFunction, WindowSpec};

/// One key of an ordering: `total_amount DESC NULLS LAST`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortOrder {
    pub expr: Expr,
    pub ascending: bool,
    pub nulls_first: bool,
}

impl SortOrder {
    /// Spark's defaults: ascending puts NULLs first, descending puts them last.
    pub fn new(expr: Expr, ascending: bool) -> Self {
        Self { expr, ascending, nulls_first: ascending }
    }

    /// `count#20L DESC NULLS LAST`, as plans print it.
    pub fn plan_string(&self) -> String {
        format!("{} {}", self.expr.plan_string(), self.direction())
    }

    /// `ASC NULLS FIRST`, `DESC NULLS LAST`.
    pub fn direction(&self) -> &'static str {
        match (self.ascending, self.nulls_first) {
            (true, true) => "ASC NULLS FIRST",
            (true, false) => "ASC NULLS LAST",
            (false, true) => "DESC NULLS FIRST",
            (false, false) => "DESC NULLS LAST",
        }
    }
}

/// The type of `left op right` for decimals, by Spark's rules (`spark.sql.decimalOperations.allowPrecisionLoss`):
/// a sum keeps the larger scale and one more whole digit, a product adds precisions and scales, a quotient keeps
/// at least 6 decimals; past 38 digits the scale gives way (see [`SparkType::bounded_decimal`]).
pub fn decimal_result_type(op: BinaryOp, (p1, s1): (u8, i8), (p2, s2): (u8, i8)) -> SparkType {
    let (p1, s1, p2, s2) = (i32::from(p1), i32::from(s1), i32::from(p2), i32::from(s2));
    let (precision, scale) = match op {
        BinaryOp::Multiply => (p1 + p2 + 1, s1 + s2),
        BinaryOp::Divide => {
            let scale = 6.max(s1 + p2 + 1);
            (p1 - s1 + s2 + scale, scale)
        }
        BinaryOp::Remainder => {
            let scale = s1.max(s2);
            ((p1 - s1).min(p2 - s2) + scale, scale)
        }
        _ => {
            let scale = s1.max(s2);
            ((p1 - s1).max(p2 - s2) + scale + 1, scale)
        }
    };
    SparkType::bounded_decimal(precision, scale)
}

/// The unique id of an attribute (Spark's `ExprId`), printed after `#` in plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub u64);

impl ExprId {
    /// A fresh id, never handed out before in this process.
    pub fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A resolved column: one output column of a plan node, known by its id.
#[derive(Debug, Clone)]
pub struct Attribute {
    pub id: ExprId,
    pub name: String,
    pub data_type: SparkType,
    pub nullable: bool,
    /// The alias of the DataFrame or table it comes from (`pul` in `pul.Zone`), if it has one.
    pub qualifier: Option<String>,
    /// The DataFrame it was taken from with `df["name"]`, so a join can tell `df.x` from `other.x` when both
    /// DataFrames grew out of the same data.
    pub origin: Option<u64>,
    /// A key column that `JOIN … USING (k)` folded into one `k`: still reachable by its qualified name (`nt2.k`),
    /// but not part of `*` and not what a bare `k` means.
    pub hidden: bool,
}

/// The same column is the same attribute whichever alias it was reached through.
impl PartialEq for Attribute {
    fn eq(&self, other: &Self) -> bool {
        (self.id, &self.name, self.data_type.clone(), self.nullable) == (other.id, &other.name, other.data_type.clone(), other.nullable)
    }
}

impl Attribute {
    pub fn new(name: impl Into<String>, data_type: SparkType, nullable: bool) -> Self {
        Self { id: ExprId::next(), name: name.into(), data_type, nullable, qualifier: None, origin: None, hidden: false }
    }

    /// The same attribute under another id.
    pub fn with_id(self, id: ExprId) -> Self {
        Self { id, ..self }
    }

    /// `total_amount#16` as plans print it; long columns carry an `L` (`count#7L`), as in Spark.
    pub fn plan_string(&self) -> String {
        let suffix = if self.data_type == SparkType::Long { "L" } else { "" };
        format!("{}#{}{suffix}", self.name, self.id.0)
    }

    /// The same column under a new name and a new id (what `withColumnRenamed` and `alias` produce).
    pub fn renamed(&self, name: impl Into<String>) -> Self {
        Self { id: ExprId::next(), name: name.into(), ..self.clone() }
    }
}

/// Binary operators, with Spark's symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Plus,
    Minus,
    Multiply,
    Divide,
    Remainder,
    Eq,
    NullSafeEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    /// `a & b`, `a | b`, `a ^ b` on whole numbers, bit by bit.
    BitwiseAnd,
    BitwiseOr,
    BitwiseXor,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Plus => "+",
            Self::Minus => "-",
            Self::Multiply => "*",
            Self::Divide => "/",
            Self::Remainder => "%",
            Self::Eq => "=",
            Self::NullSafeEq => "<=>",
            Self::Lt => "<",
            Self::LtEq => "<=",
            Self::Gt => ">",
            Self::GtEq => ">=",
            Self::And => "AND",
            Self::Or => "OR",
            Self::BitwiseAnd => "&",
            Self::BitwiseOr => "|",
            Self::BitwiseXor => "^",
        }
    }

    pub fn is_bitwise(self) -> bool {
        matches!(self, Self::BitwiseAnd | Self::BitwiseOr | Self::BitwiseXor)
    }

    pub fn is_arithmetic(self) -> bool {
        matches!(self, Self::Plus | Self::Minus | Self::Multiply | Self::Divide | Self::Remainder)
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, Self::Eq | Self::NullSafeEq | Self::Lt | Self::LtEq | Self::Gt | Self::GtEq)
    }

    pub fn is_logical(self) -> bool {
        matches!(self, Self::And | Self::Or)
    }
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    /// The first value in the order rows arrive, NULL included.
    First,
    /// The first value that is not NULL (`first(x, true)`, `first_value(x) IGNORE NULLS`).
    FirstIgnoreNulls,
    Last,
    LastIgnoreNulls,
    /// `bool_and(b)` / `every(b)`: whether every boolean is true — the least of them, as Spark computes it (`min`),
    /// but only over booleans.
    BoolAnd,
    /// `bool_or(b)` / `some(b)` / `any(b)`: whether some boolean is true (`max` of booleans).
    BoolOr,
    /// A statistic of the values' spread or of two columns' joint spread: variance, correlation, ….
    Statistic(Statistic),
    /// `collect_list(x)`: every non-NULL value, as an array, in the order rows arrive.
    CollectList,
    /// `collect_set(x)`: each distinct non-NULL value once, as an array.
    CollectSet,
    /// `percentile_approx(x, p[, accuracy])`: the value at rank ⌈p·n⌉ of the sorted non-NULL values (exact while a
    /// group's values fit Spark's summary, as a learner's do); `p` may be an array of percentages.
    PercentileApprox,
    /// `percentile(x, p[, frequency])`: the exact percentile, interpolated between neighbours, as a double.
    Percentile,
    /// `median(x)`: `percentile(x, 0.5)`.
    Median,
    /// `approx_count_distinct(x[, rsd])`: HyperLogLog++ with `2^p` registers (see `aggregate::hyperloglog`).
    ApproxCountDistinct { p: u8 },
    /// `product(x)`, `bit_and(x)`, `bit_or(x)`, `bit_xor(x)`, `max_by(x, y)`, `min_by(x, y)`, `mode(x)`: see
    /// `aggregate::by_value`.
    Product,
    BitAnd,
    BitOr,
    BitXor,
    MaxBy,
    MinBy,
    Mode,
    /// `histogram_numeric(x, nb)`: at most `bins` (x, y) bins (see `aggregate::numeric_histogram`).
    HistogramNumeric { bins: u32 },
}

/// The statistics Spark computes from running central moments (see `aggregate::moments`), under every name Spark
/// accepts for them: the name called is the name shown (`std(x)`, `stddev(x)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Variance,
    VarSamp,
    VarPop,
    Std,
    Stddev,
    StddevSamp,
    StddevPop,
    Skewness,
    Kurtosis,
    CovarSamp,
    CovarPop,
    Corr,
    /// The sum of squared deviations from the mean (`m2`), which `regr_sxx` and `regr_syy` are: Spark's
    /// `RegrReplacement`, not a function of its own.
    RegrReplacement,
    /// `regr_r2(y, x)`: the square of the correlation of `y` and `x` (1 where `x` does not vary).
    RegrR2,
    /// `regr_sxy(y, x)`: the sum of the products of the two deviations from their means (the co-moment).
    RegrSxy,
    /// `regr_slope(y, x)` and `regr_intercept(y, x)`: the least-squares line of `y` over `x` (Spark keeps the pairs'
    /// covariance and the variance of `x` side by side).
    RegrSlope,
    RegrIntercept,
}

impl Statistic {
    pub const ALL: [Statistic; 16] = [
        Self::Variance,
        Self::VarSamp,
        Self::VarPop,
        Self::Std,
        Self::Stddev,
        Self::StddevSamp,
        Self::StddevPop,
        Self::Skewness,
        Self::Kurtosis,
        Self::CovarSamp,
        Self::CovarPop,
        Self::Corr,
        Self::RegrR2,
        Self::RegrSxy,
        Self::RegrSlope,
        Self::RegrIntercept,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Variance => "variance",
            Self::VarSamp => "var_samp",
            Self::VarPop => "var_pop",
            Self::Std => "std",
            Self::Stddev => "stddev",
            Self::StddevSamp => "stddev_samp",
            Self::StddevPop => "stddev_pop",
            Self::Skewness => "skewness",
            Self::Kurtosis => "kurtosis",
            Self::CovarSamp => "covar_samp",
            Self::CovarPop => "covar_pop",
            Self::Corr => "corr",
            Self::RegrReplacement => "regrreplacement",
            Self::RegrR2 => "regr_r2",
            Self::RegrSxy => "regr_sxy",
            Self::RegrSlope => "regr_slope",
            Self::RegrIntercept => "regr_intercept",
        }
    }

    /// The statistic called `name` (any case).
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// Covariance and correlation read pairs of values; the others one value.
    pub fn takes_pairs(self) -> bool {
        matches!(self, Self::CovarSamp | Self::CovarPop | Self::Corr | Self::RegrR2 | Self::RegrSxy) || self.regresses()
    }

    /// `regr_slope` and `regr_intercept`: their state is a covariance of the pairs and a variance of `x` alone.
    pub fn regresses(self) -> bool {
        matches!(self, Self::RegrSlope | Self::RegrIntercept)
    }
}

impl AggregateFunction {
    pub fn name(self) -> &'static str {
        match self {
            Self::Statistic(statistic) => statistic.name(),
            Self::Count => "count",
            Self::Sum => "sum",
            Self::Avg => "avg",
            Self::Min | Self::BoolAnd => "min",
            Self::Max | Self::BoolOr => "max",
            Self::First | Self::FirstIgnoreNulls => "first",
            Self::Last | Self::LastIgnoreNulls => "last",
            Self::CollectList => "collect_list",
            Self::CollectSet => "collect_set",
            Self::PercentileApprox => "percentile_approx",
            Self::Percentile => "percentile",
            Self::Median => "median",
            Self::ApproxCountDistinct { .. } => "approx_count_distinct",
            Self::Product => "product",
            Self::BitAnd => "bit_and",
            Self::BitOr => "bit_or",
            Self::BitXor => "bit_xor",
            Self::MaxBy => "max_by",
            Self::MinBy => "min_by",
            Self::Mode => "mode",
            Self::HistogramNumeric { .. } => "histogram_numeric",
        }
    }

    /// The aggregate Spark SQL and PySpark's `functions` both call `name` (lower case); `first`/`last` and their
    /// spellings, and PySpark's `product`, are each front end's own.
    pub fn named(name: &str) -> Option<Self> {
        Some(match name {
            "count" => Self::Count,
            "sum" => Self::Sum,
            "avg" | "mean" => Self::Avg,
            "min" => Self::Min,
            "max" => Self::Max,
            "collect_list" | "array_agg" => Self::CollectList,
            "collect_set" => Self::CollectSet,
            "percentile_approx" | "approx_percentile" => Self::PercentileApprox,
            "percentile" => Self::Percentile,
            "median" => Self::Median,
            "bit_and" => Self::BitAnd,
            "bit_or" => Self::BitOr,
            "bit_xor" => Self::BitXor,
            "max_by" => Self::MaxBy,
            "min_by" => Self::MinBy,
            "mode" => Self::Mode,
            other => Self::Statistic(Statistic::named(other)?),
        })
    }

    /// Whether the aggregate passes NULL values over (every aggregate but `first` and `last` without ignoreNulls).
    pub fn ignores_nulls(self) -> bool {
        !matches!(self, Self::First | Self::Last)
    }

    /// The aggregate that computes this one: `bool_and` is `min` of booleans, `bool_or` is `max`.
    pub fn computed_as(self) -> Self {
        match self {
            Self::BoolAnd => Self::Min,
            Self::BoolOr => Self::Max,
            other => other,
        }
    }

    /// `collect_list`, `collect_set` and the percentiles: their state is an object (the values so far), which
    /// Spark aggregates with its ObjectHashAggregate.
    pub fn is_collection(self) -> bool {
        matches!(self, Self::CollectList | Self::CollectSet) || self.is_percentile()
    }

    /// Aggregates Spark runs in an ObjectHashAggregate: their state is an object, not a few fixed-size values.
    pub fn is_object(self) -> bool {
        self.is_collection() || matches!(self, Self::Mode | Self::HistogramNumeric { .. })
    }

    /// `max_by(x, y)` / `min_by(x, y)`: they fold a value and an ordering.
    pub fn takes_pairs(self) -> bool {
        matches!(self, Self::MaxBy | Self::MinBy)
    }

    pub fn is_percentile(self) -> bool {
        matches!(self, Self::PercentileApprox | Self::Percentile | Self::Median)
    }

    /// `first`, `last` and their IGNORE NULLS forms: the value of one chosen row.
    pub fn picks_a_row(self) -> bool {
        matches!(self, Self::First | Self::FirstIgnoreNulls | Self::Last | Self::LastIgnoreNulls)
    }
}

/// An expression tree. Built unresolved (names) by the API; resolved (attributes) by the analyzer.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column by name, as the user wrote it; `*` means every column.
    Column(String),
    Attribute(Attribute),
    Literal(Value),
    /// `expr AS name`; `id` is the id of the column it produces.
    Alias { expr: Box<Expr>, name: String, id: ExprId },
    Binary { op: BinaryOp, left: Box<Expr>, right: Box<Expr> },
    Negative(Box<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>),
    IsNotNull(Box<Expr>),
    In { expr: Box<Expr>, list: Vec<Expr> },
    Like { expr: Box<Expr>, pattern: Box<Expr> },
    /// `CASE WHEN c1 THEN v1 … ELSE e END`; a missing ELSE is NULL.
    CaseWhen { branches: Vec<(Expr, Expr)>, otherwise: Option<Box<Expr>> },
    Cast { expr: Box<Expr>, to: SparkType },
    Function { function: ScalarFunction, args: Vec<Expr> },
    /// A user-defined function (`F.udf`): opaque to the optimizer, evaluated batch by batch by its owner.
    Udf { function: Udf, args: Vec<Expr> },
    /// `sum(x)`, `count(DISTINCT x)`, `count(x) FILTER (WHERE c)` (only the rows where `c` holds are aggregated).
    /// Every aggregate takes one argument but `count`, which counts the rows where all of its arguments are set.
    Aggregate { function: AggregateFunction, args: Vec<Expr>, distinct: bool, filter: Option<Box<Expr>> },
    /// `function OVER (spec)`: `function` is an [`Expr::Aggregate`] or an [`Expr::WindowFunction`].
    Window { function: Box<Expr>, spec: Box<WindowSpec> },
    /// `row_number()`, `rank()`, `lag(x, 1)`, …: functions that only make sense over a window.
    /// `ignore_nulls`: `lag(x) IGNORE NULLS` counts only the rows where `x` is set.
    WindowFunction { function: WindowFunction, args: Vec<Expr>, ignore_nulls: bool },
    /// `explode(arr)`, `posexplode_outer(m)`, …: rows from one row; only at the top of a select list, which the
    /// DataFrame turns into a Generate node.
    Generator(Box<generator::Generator>),
    /// `rand(42)`, `monotonically_increasing_id()`, …: a value that depends on the row's partition and position.
    Nondeterministic(nondeterministic::Nondeterministic),
    /// `try_add(a, b)`, `try_to_timestamp(s)`, …: the expression's value, NULL for a row where it fails.
    TryEval(Box<Expr>),
    /// `transform(xs, x -> x + 1)`, `aggregate(xs, 0, (acc, x) -> acc + x)`, …: a function that runs lambdas.
    HigherOrder(Box<higher_order::HigherOrder>),
    /// A lambda's parameter (`x` in `x -> x + 1`), bound by the analyzer: not a column of any plan.
    LambdaVariable(Attribute),
}

/// A column by name.
pub fn col(name: &str) -> Expr {
    Expr::Column(name.to_string())
}

/// A constant.
pub fn lit(value: impl Into<Value>) -> Expr {
    Expr::Literal(value.into())
}

/// A scalar function call, `date_trunc('month', ts)`.
pub fn call(function: ScalarFunction, args: Vec<Expr>) -> Expr {
    Expr::Function { function, args }
}

/// An aggregate function over `arg`, `sum(total_amount)`.
pub fn aggregate(function: AggregateFunction, arg: Expr) -> Expr {
    Expr::Aggregate { function, args: vec![arg], distinct: false, filter: None }
}

/// The values an aggregate folds per row: its arguments, but for `count(a, b)` one value, a 1 where every
/// argument is set.
pub fn aggregated_values(function: AggregateFunction, args: &[Expr]) -> Vec<Expr> {
    match args {
        [_] | [_, _] if matches!(function, AggregateFunction::Statistic(_)) || function.takes_pairs() => args.to_vec(),
        // A percentile's percentages (and accuracy or frequency), the error approx_count_distinct aims at, are
        // constants it reads, not values it folds.
        _ if function.is_percentile()
            || matches!(function, AggregateFunction::ApproxCountDistinct { .. } | AggregateFunction::HistogramNumeric { .. }) =>
        {
            args.to_vec()
        }
        // Sums and averages of numbers add longs or doubles (Spark widens inside the aggregate, so plans show no cast).
        [arg] if matches!(function, AggregateFunction::Sum | AggregateFunction::Avg) && arg.data_type().is_numeric() => {
            let wide = crate::aggregate::input_type(function, arg.data_type());
            vec![if arg.data_type() == wide { arg.clone() } else { arg.clone().cast(wide) }]
        }
        [arg] => vec![arg.clone()],
        args => {
            let all_set = args.iter().cloned().map(Expr::is_not_null).reduce(Expr::and).unwrap_or(lit(true));
            vec![Expr::CaseWhen { branches: vec![(all_set, lit(1))], otherwise: None }]
        }
    }
}

/// `listagg(value[, delimiter])` / `string_agg`: the group's non-NULL values joined by the delimiter (none by
/// default), in the order the rows arrive, NULL for a group without any — computed as the join of a
/// `collect_list` (of its distinct values for `DISTINCT`), named as Spark names the call.
/// `sorted` is `WITHIN GROUP (ORDER BY value ASC|DESC)`: `Some(ascending)`.
pub fn listagg(name: &str, value: Expr, delimiter: Option<Expr>, distinct: bool, sorted: Option<bool>) -> Expr {
    use crate::functions::{CollectionFunction, ScalarFunction};
    let mut shown = format!(
        "{name}({}{}, {})",
        if distinct { "DISTINCT " } else { "" },
        value.sql_name(),
        delimiter.as_ref().map_or("NULL".to_string(), Expr::sql_name)
    );
    if let Some(ascending) = sorted {
        let direction = if ascending { "ASC NULLS FIRST" } else { "DESC NULLS LAST" };
        shown.push_str(&format!(" WITHIN GROUP (ORDER BY {} {direction})", value.sql_name()));
    }
    let collected = aggregate(AggregateFunction::CollectList, value);
    let collected = if distinct { call(ScalarFunction::Collection(CollectionFunction::ArrayDistinct), vec![collected]) } else { collected };
    let collected = match sorted {
        Some(ascending) => call(ScalarFunction::Collection(CollectionFunction::SortArray), vec![collected, lit(ascending)]),
        None => collected,
    };
    let joined = call(ScalarFunction::Collection(CollectionFunction::ArrayJoin), vec![collected.clone(), delimiter.unwrap_or(lit(""))]);
    let size = call(ScalarFunction::Collection(CollectionFunction::Size), vec![collected]);
    Expr::CaseWhen { branches: vec![(size.gt(lit(0)), joined)], otherwise: None }.alias(&shown)
}

/// `regr_count(y, x)`, `regr_avgx(y, x)`, `regr_avgy(y, x)`, `regr_sxx(y, x)`, `regr_syy(y, x)`: over the rows
/// where both are set, their number, the averages of each and the sums of squared deviations, as Spark rewrites
/// them (`count(y, x)`, `avg(if(both set, x, null))`, `regrreplacement(…)`).
pub fn regression(name: &str, y: Expr, x: Expr) -> Option<Expr> {
    let shown = format!("{name}({}, {})", y.sql_name(), x.sql_name());
    let both_set = y.clone().is_not_null().and(x.clone().is_not_null());
    let only_where_both_set = |value: Expr| Expr::CaseWhen { branches: vec![(both_set.clone(), value)], otherwise: None };
    let computed = match name {
        "regr_count" => Expr::Aggregate { function: AggregateFunction::Count, args: vec![y, x], distinct: false, filter: None },
        "regr_avgx" => aggregate(AggregateFunction::Avg, only_where_both_set(x)),
        "regr_avgy" => aggregate(AggregateFunction::Avg, only_where_both_set(y)),
        "regr_sxx" => aggregate(AggregateFunction::Statistic(Statistic::RegrReplacement), only_where_both_set(x)),
        "regr_syy" => aggregate(AggregateFunction::Statistic(Statistic::RegrReplacement), only_where_both_set(y)),
        _ => return None,
    };
    Some(computed.alias(&shown))
}

/// `approx_count_distinct(arg[, relative_sd])`, named as Spark names it (without the error aimed at).
pub fn approx_count_distinct(arg: Expr, relative_sd: Option<f64>) -> crate::Result<Expr> {
    let relative_sd = relative_sd.unwrap_or(0.05);
    let p = crate::aggregate::hyperloglog::precision(relative_sd);
    if !(4..=18).contains(&p) {
        return Err(crate::EngineError::Analysis(format!(
            "[INVALID_PARAMETER_VALUE] approx_count_distinct needs a relative standard deviation between 0.00132 and \
             0.39, but got {relative_sd}."
        )));
    }
    let name = format!("approx_count_distinct({})", arg.sql_name());
    let function = AggregateFunction::ApproxCountDistinct { p: p as u8 };
    Ok(Expr::Aggregate { function, args: vec![arg, lit(relative_sd)], distinct: false, filter: None }.alias(&name))
}

/// `histogram_numeric(arg, nb)`: `nb` must be a constant whole number of at least 2 (Spark's checks and errors).
pub fn histogram_numeric(arg: Expr, nb: Expr) -> crate::Result<Expr> {
    let name = format!("histogram_numeric({}, {})", arg.sql_name(), nb.sql_name());
    let mismatch = |detail: String| {
        crate::EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.{detail}] Cannot resolve \"{name}\" due to data type mismatch: {}. SQLSTATE: 42K09",
            match detail.as_str() {
                "UNEXPECTED_NULL" => "The nb must not be null".to_string(),
                _ => format!("The nb must be between [2, {}] (current value = {})", i32::MAX, nb.sql_name()),
            }
        ))
    };
    let Expr::Literal(value) = &nb else {
        return Err(crate::EngineError::Analysis(format!(
            "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{name}\" due to data type mismatch: the input `nb` \
             should be a foldable \"INT\" expression; however, got \"{}\". SQLSTATE: 42K09",
            nb.sql_name()
        )));
    };
    let bins = match value {
        Value::Null => return Err(mismatch("UNEXPECTED_NULL".into())),
        value => value.as_i64().filter(|n| (2..=i64::from(i32::MAX)).contains(n)).ok_or_else(|| mismatch("VALUE_OUT_OF_RANGE".into()))?,
    };
    let function = AggregateFunction::HistogramNumeric { bins: bins as u32 };
    Ok(Expr::Aggregate { function, args: vec![arg, nb], distinct: false, filter: None }.alias(&name))
}

/// `TRY_CAST(value AS to)` / PySpark's `try_cast`: NULL where the cast fails, ANSI mode or not. A column keeps its
/// name, as a cast of it does.
pub fn try_cast(value: Expr, to: crate::types::SparkType) -> Expr {
    let name = match &value {
        Expr::Column(name) => name.clone(),
        Expr::Attribute(attribute) => attribute.name.clone(),
        _ => value.clone().cast(to.clone()).sql_name().replacen("CAST(", "TRY_CAST(", 1),
    };
    Expr::TryEval(Box::new(value.cast(to))).alias(&name)
}

/// `count(DISTINCT arg)`
pub fn count_distinct(arg: Expr) -> Expr {
    Expr::Aggregate { function: AggregateFunction::Count, args: vec![arg], distinct: true, filter: None }
}

/// `when(condition, value)`: a CASE with one branch, to extend with [`Expr::when`] and [`Expr::otherwise`].
pub fn when(condition: Expr, value: Expr) -> Expr {
    Expr::CaseWhen { branches: vec![(condition, value)], otherwise: None }
}

macro_rules! value_from {
    ($($rust:ty => $variant:ident),*) => {
        $(impl From<$rust> for Value {
            fn from(v: $rust) -> Self {
                Value::$variant(v.into())
            }
        })*
    };
}
value_from!(bool => Boolean, i32 => Integer, i64 => Long, f64 => Double, &str => String, String => String);

/// `!expr` is `NOT expr` (PySpark's `~col`).
impl std::ops::Not for Expr {
    type Output = Expr;

    fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }
}

impl Expr {
    fn binary(self, op: BinaryOp, other: Expr) -> Expr {
        Expr::Binary { op, left: Box::new(self), right: Box::new(other) }
    }

    pub fn plus(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Plus, other)
    }
    pub fn minus(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Minus, other)
    }
    pub fn multiply(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Multiply, other)
    }
    pub fn divide(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Divide, other)
    }
    pub fn modulo(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Remainder, other)
    }
    pub fn eq(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Eq, other)
    }
    pub fn eq_null_safe(self, other: Expr) -> Expr {
        self.binary(BinaryOp::NullSafeEq, other)
    }
    /// `a != b` / `a <> b`, which Spark reads as `NOT (a = b)` (and names and plans so).
    pub fn not_eq(self, other: Expr) -> Expr {
        !self.eq(other)
    }
    pub fn lt(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Lt, other)
    }
    pub fn lt_eq(self, other: Expr) -> Expr {
        self.binary(BinaryOp::LtEq, other)
    }
    pub fn gt(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Gt, other)
    }
    pub fn gt_eq(self, other: Expr) -> Expr {
        self.binary(BinaryOp::GtEq, other)
    }
    pub fn and(self, other: Expr) -> Expr {
        self.binary(BinaryOp::And, other)
    }
    pub fn or(self, other: Expr) -> Expr {
        self.binary(BinaryOp::Or, other)
    }
    pub fn negate(self) -> Expr {
        Expr::Negative(Box::new(self))
    }
    pub fn is_null(self) -> Expr {
        Expr::IsNull(Box::new(self))
    }
    pub fn is_not_null(self) -> Expr {
        Expr::IsNotNull(Box::new(self))
    }
    pub fn is_in(self, list: Vec<Expr>) -> Expr {
        Expr::In { expr: Box::new(self), list }
    }
    /// `between(low, high)` is Spark's `low <= x AND x <= high`.
    pub fn between(self, low: Expr, high: Expr) -> Expr {
        self.clone().gt_eq(low).and(self.lt_eq(high))
    }
    pub fn like(self, pattern: &str) -> Expr {
        Expr::Like { expr: Box::new(self), pattern: Box::new(lit(pattern)) }
    }
    /// `col.asc()`: ascending, NULLs first.
    pub fn asc(self) -> crate::sort::SortOrder {
        crate::sort::SortOrder::new(self, true)
    }

    /// `col.desc()`: descending, NULLs last.
    pub fn desc(self) -> crate::sort::SortOrder {
        crate::sort::SortOrder::new(self, false)
    }

    /// Adds a branch to a CASE built by [`when`]; on anything else, starts a CASE with this branch.
    pub fn when(self, condition: Expr, value: Expr) -> Expr {
        match self {
            Expr::CaseWhen { mut branches, otherwise: None } => {
                branches.push((condition, value));
                Expr::CaseWhen { branches, otherwise: None }
            }
            _ => when(condition, value),
        }
    }

    /// The ELSE of a CASE built by [`when`].
    pub fn otherwise(self, value: Expr) -> Expr {
        match self {
            Expr::CaseWhen { branches, .. } => Expr::CaseWhen { branches, otherwise: Some(Box::new(value)) },
            other => other,
        }
    }

    pub fn cast(self, to: SparkType) -> Expr {
        Expr::Cast { expr: Box::new(self), to }
    }
    pub fn alias(self, name: &str) -> Expr {
        if let Expr::Generator(mut generator) = self {
            generator.aliases = vec![name.to_string()];
            return Expr::Generator(generator);
        }
        let inner = match self {
            Expr::Alias { expr, .. } => *expr,
            other => other,
        };
        Expr::Alias { expr: Box::new(inner), name: name.to_string(), id: ExprId::next() }
    }

    /// The children of this node, in order.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column(_) | Expr::Attribute(_) | Expr::Literal(_) | Expr::Nondeterministic(_) | Expr::LambdaVariable(_) => vec![],
            Expr::HigherOrder(call) => call.children(),
            Expr::Alias { expr, .. }
            | Expr::TryEval(expr)
            | Expr::Negative(expr)
            | Expr::Not(expr)
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::Cast { expr, .. } => vec![expr],
            Expr::Aggregate { args, filter, .. } => args.iter().chain(filter.as_deref()).collect(),
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::Like { expr, pattern } => vec![expr, pattern],
            Expr::In { expr, list } => std::iter::once(expr.as_ref()).chain(list).collect(),
            Expr::CaseWhen { branches, otherwise } => {
                branches.iter().flat_map(|(c, v)| [c, v]).chain(otherwise.as_deref()).collect()
            }
            Expr::Function { args, .. } | Expr::Udf { args, .. } | Expr::WindowFunction { args, .. } => args.iter().collect(),
            Expr::Generator(generator) => vec![&generator.arg],
            Expr::Window { function, spec } => std::iter::once(function.as_ref())
                .chain(&spec.partition_by)
                .chain(spec.order_by.iter().map(|o| &o.expr))
                .collect(),
        }
    }

    /// A copy with each child replaced by `f(child)`; stops at the first error.
    pub fn map_children<E>(self, mut f: impl FnMut(Expr) -> Result<Expr, E>) -> Result<Expr, E> {
        let mut boxed = |e: Box<Expr>| f(*e).map(Box::new);
        Ok(match self {
            leaf @ (Expr::Column(_) | Expr::Attribute(_) | Expr::Literal(_) | Expr::Nondeterministic(_) | Expr::LambdaVariable(_)) => leaf,
            Expr::HigherOrder(call) => Expr::HigherOrder(Box::new(call.map_children(f)?)),
            Expr::Alias { expr, name, id } => Expr::Alias { expr: boxed(expr)?, name, id },
            Expr::Binary { op, left, right } => Expr::Binary { op, left: boxed(left)?, right: boxed(right)? },
            Expr::Negative(e) => Expr::Negative(boxed(e)?),
            Expr::TryEval(e) => Expr::TryEval(boxed(e)?),
            Expr::Not(e) => Expr::Not(boxed(e)?),
            Expr::IsNull(e) => Expr::IsNull(boxed(e)?),
            Expr::IsNotNull(e) => Expr::IsNotNull(boxed(e)?),
            Expr::Cast { expr, to } => Expr::Cast { expr: boxed(expr)?, to },
            Expr::Aggregate { function, args, distinct, filter } => {
                let args = args.into_iter().map(|a| boxed(Box::new(a)).map(|b| *b)).collect::<Result<_, E>>()?;
                let filter = filter.map(&mut boxed).transpose()?;
                Expr::Aggregate { function, args, distinct, filter }
            }
            Expr::Like { expr, pattern } => Expr::Like { expr: boxed(expr)?, pattern: boxed(pattern)? },
            Expr::In { expr, list } => {
                let expr = boxed(expr)?;
                Expr::In { expr, list: list.into_iter().map(&mut f).collect::<Result<_, E>>()? }
            }
            Expr::CaseWhen { branches, otherwise } => {
                let branches = branches
                    .into_iter()
                    .map(|(c, v)| Ok((f(c)?, f(v)?)))
                    .collect::<Result<Vec<_>, E>>()?;
                let otherwise = match otherwise {
                    Some(e) => Some(Box::new(f(*e)?)),
                    None => None,
                };
                Expr::CaseWhen { branches, otherwise }
            }
            Expr::Function { function, args } => {
                Expr::Function { function, args: args.into_iter().map(f).collect::<Result<_, E>>()? }
            }
            Expr::Udf { function, args } => Expr::Udf { function, args: args.into_iter().map(f).collect::<Result<_, E>>()? },
            Expr::Generator(generator) => {
                let generator::Generator { kind, outer, arg, aliases } = *generator;
                Expr::Generator(Box::new(generator::Generator { kind, outer, arg: f(arg)?, aliases }))
            }
            Expr::WindowFunction { function, args, ignore_nulls } => {
                Expr::WindowFunction { function, args: args.into_iter().map(f).collect::<Result<_, E>>()?, ignore_nulls }
            }
            Expr::Window { function, spec } => {
                let function = boxed(function)?;
                let WindowSpec { partition_by, order_by, frame } = *spec;
                let partition_by = partition_by.into_iter().map(&mut f).collect::<Result<_, E>>()?;
                let order_by = order_by
                    .into_iter()
                    .map(|o| Ok(SortOrder { expr: f(o.expr)?, ..o }))
                    .collect::<Result<_, E>>()?;
                Expr::Window { function, spec: Box::new(WindowSpec { partition_by, order_by, frame }) }
            }
        })
    }

    /// The parts of a condition joined by `AND`: `a AND (b AND c)` gives `a`, `b`, `c`.
    pub fn conjuncts(&self) -> Vec<&Expr> {
        match self {
            Expr::Binary { op: BinaryOp::And, left, right } => {
                let mut all = left.conjuncts();
                all.extend(right.conjuncts());
                all
            }
            other => vec![other],
        }
    }

    /// Rewrites the tree bottom-up with `f`.
    pub fn transform_up<E>(self, f: &mut impl FnMut(Expr) -> Result<Expr, E>) -> Result<Expr, E> {
        let rewritten = self.map_children(|child| child.transform_up(f))?;
        f(rewritten)
    }

    /// True if `predicate` holds for this node or any node below it.
    pub fn any(&self, predicate: &impl Fn(&Expr) -> bool) -> bool {
        predicate(self) || self.children().into_iter().any(|c| c.any(predicate))
    }

    /// Whether an aggregate is computed here — not counting aggregates that run over a window (`sum(x) OVER w`).
    pub fn contains_aggregate(&self) -> bool {
        match self {
            Expr::Aggregate { .. } => true,
            Expr::Window { function, .. } => {
                let mut computed = function.as_ref();
                while let Expr::Alias { expr, .. } = computed {
                    computed = expr;
                }
                computed.children().into_iter().any(Expr::contains_aggregate)
                    || self.children().into_iter().skip(1).any(Expr::contains_aggregate)
            }
            other => other.children().into_iter().any(Expr::contains_aggregate),
        }
    }

    /// Whether a window function is computed here.
    pub fn contains_window(&self) -> bool {
        self.any(&|e| matches!(e, Expr::Window { .. }))
    }

    pub fn contains_generator(&self) -> bool {
        self.any(&|e| matches!(e, Expr::Generator(_)))
    }

    /// Every attribute this expression reads.
    pub fn references(&self) -> Vec<Attribute> {
        let mut found = Vec::new();
        self.collect_references(&mut found);
        found
    }

    fn collect_references(&self, found: &mut Vec<Attribute>) {
        if let Expr::Attribute(a) = self
            && !found.iter().any(|f: &Attribute| f.id == a.id)
        {
            found.push(a.clone());
        }
        for child in self.children() {
            child.collect_references(found);
        }
    }

    /// The type of a resolved expression.
    pub fn data_type(&self) -> SparkType {
        match self {
            Expr::Column(_) => SparkType::Null,
            // The type of its last column: an element, or a map's value.
            Expr::Generator(generator) => generator.columns().pop().map_or(SparkType::Null, |(_, t, _)| t),
            Expr::Attribute(a) | Expr::LambdaVariable(a) => a.data_type.clone(),
            Expr::HigherOrder(call) => call.data_type(),
            Expr::Nondeterministic(leaf) => leaf.data_type(),
            Expr::Literal(v) => v.spark_type(),
            Expr::Alias { expr, .. } | Expr::Negative(expr) | Expr::TryEval(expr) => expr.data_type(),
            Expr::Binary { op, left, right } => match (op.is_arithmetic() || op.is_bitwise(), left.data_type(), right.data_type()) {
                (true, SparkType::Decimal { precision: p1, scale: s1 }, SparkType::Decimal { precision: p2, scale: s2 }) => {
                    decimal_result_type(*op, (p1, s1), (p2, s2))
                }
                (true, left, _) => left,
                (false, _, _) => SparkType::Boolean,
            },
            Expr::Not(_) | Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::In { .. } | Expr::Like { .. } => {
                SparkType::Boolean
            }
            Expr::CaseWhen { branches, otherwise } => branches
                .first()
                .map(|(_, v)| v.data_type())
                .or_else(|| otherwise.as_ref().map(|e| e.data_type()))
                .unwrap_or(SparkType::Null),
            Expr::Cast { to, .. } => to.clone(),
            Expr::Function { function, args } => function.return_type(args),
            Expr::Udf { function, .. } => function.return_type(),
            Expr::Aggregate { function, args, .. } => {
                let single = crate::aggregate::result_type(*function, args.first().map_or(SparkType::Null, Expr::data_type));
                match args.get(1).map(Expr::data_type) {
                    Some(SparkType::Array(_)) if function.is_percentile() => SparkType::array_of(single, false),
                    _ => single,
                }
            }
            Expr::Window { function, .. } => function.data_type(),
            Expr::WindowFunction { function, args, .. } => match function {
                WindowFunction::RowNumber | WindowFunction::Rank | WindowFunction::DenseRank | WindowFunction::Ntile => {
                    SparkType::Integer
                }
                WindowFunction::PercentRank | WindowFunction::CumeDist => SparkType::Double,
                WindowFunction::Lag | WindowFunction::Lead | WindowFunction::NthValue => {
                    args.first().map_or(SparkType::Null, Expr::data_type)
                }
            },
        }
    }

    /// Whether a resolved expression can produce NULL.
    pub fn nullable(&self) -> bool {
        match self {
            Expr::Column(_) => true,
            Expr::Attribute(a) | Expr::LambdaVariable(a) => a.nullable,
            Expr::HigherOrder(call) => call.nullable(),
            Expr::Literal(v) => v.is_null(),
            Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::Nondeterministic(_) => false,
            Expr::Binary { op: BinaryOp::NullSafeEq, .. } => false,
            Expr::Binary { op: BinaryOp::Divide | BinaryOp::Remainder, .. } => true,
            Expr::CaseWhen { otherwise: None, .. } => true,
            Expr::CaseWhen { branches, otherwise: Some(otherwise) } => {
                otherwise.nullable() || branches.iter().any(|(_, value)| value.nullable())
            }
            // Outside ANSI mode a cast that can fail gives NULL (Spark's `Cast.forceNullable`).
            Expr::Cast { expr, to } => {
                let can_fail = match (expr.data_type(), to) {
                    (SparkType::String, to) => !matches!(to, SparkType::String | SparkType::Binary),
                    (from, SparkType::Decimal { .. }) => from != *to,
                    _ => false,
                };
                expr.nullable() || (can_fail && !crate::query_settings::ansi())
            }
            Expr::Function { function, args } => function.nullable(args),
            Expr::Udf { .. } | Expr::TryEval(_) => true,
            Expr::Aggregate {
                function: AggregateFunction::Count | AggregateFunction::CollectList | AggregateFunction::CollectSet | AggregateFunction::ApproxCountDistinct { .. },
                ..
            } => false,
            Expr::Aggregate { .. } => true,
            Expr::Window { function, .. } => function.nullable(),
            Expr::WindowFunction { function, .. } => matches!(function, WindowFunction::Lag | WindowFunction::Lead | WindowFunction::NthValue),
            other => other.children().iter().any(|c| c.nullable()),
        }
    }

    /// The column name Spark gives this expression when it is not aliased (`toPrettySQL`): `sum(total_amount)`,
    /// `(fare + tip)`, `CAST(x AS BIGINT)`.
    pub fn sql_name(&self) -> String {
        let mut text = String::new();
        self.write(&mut text, Style::Name).expect("writing to a String cannot fail");
        text
    }

    /// How `explain()` prints this expression: attributes with their ids (`total_amount#16`).
    pub fn plan_string(&self) -> String {
        let mut text = String::new();
        self.write(&mut text, Style::Plan).expect("writing to a String cannot fail");
        text
    }

    fn write(&self, out: &mut String, style: Style) -> fmt::Result {
        let list = |out: &mut String, items: &[&Expr], separator: &str| -> fmt::Result {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(separator);
                }
                item.write(out, style)?;
            }
            Ok(())
        };
        match self {
            Expr::Column(name) => out.push_str(name),
            Expr::Attribute(a) => match style {
                Style::Name => out.push_str(&a.name),
                Style::Plan => out.push_str(&a.plan_string()),
            },
            Expr::Literal(Value::String(s)) if style == Style::Plan => out.push_str(s),
            Expr::Literal(Value::Null) if style == Style::Plan => out.push_str("null"),
            // A constant array prints as Spark's literal does: `[0.25,0.75]`.
            Expr::Literal(array @ Value::Nested(_)) if style == Style::Plan => match array.nested_parts() {
                Some(crate::value::NestedParts::Array(elements)) => {
                    write!(out, "[{}]", elements.iter().map(Value::to_string).collect::<Vec<_>>().join(","))?
                }
                _ => write!(out, "{array}")?,
            },
            Expr::Literal(date @ Value::Date(_)) if style == Style::Name => write!(out, "DATE '{date}'")?,
            Expr::Literal(Value::Binary(bytes)) if style == Style::Name => {
                let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
                write!(out, "X'{hex}'")?
            }
            Expr::Literal(timestamp @ Value::Timestamp(_)) if style == Style::Name => write!(out, "TIMESTAMP '{timestamp}'")?,
            Expr::Literal(timestamp @ Value::TimestampNtz(_)) if style == Style::Name => {
                write!(out, "TIMESTAMP_NTZ '{timestamp}'")?
            }
            Expr::Literal(time @ Value::Time(_)) if style == Style::Name => write!(out, "TIME '{time}'")?,
            Expr::Literal(Value::Decimal { value, scale, .. }) => out.push_str(&crate::display::java_decimal_string(*value, *scale)),
            Expr::Literal(v) => write!(out, "{v}")?,
            Expr::Alias { expr, name, id } => match style {
                Style::Name => out.push_str(name),
                Style::Plan => {
                    expr.write(out, style)?;
                    let suffix = if expr.data_type() == SparkType::Long { "L" } else { "" };
                    write!(out, " AS {name}#{}{suffix}", id.0)?;
                }
            },
            Expr::Binary { op, left, right } => {
                out.push('(');
                left.write(out, style)?;
                write!(out, " {} ", op.symbol())?;
                right.write(out, style)?;
                out.push(')');
            }
            // SQL names `-x` as `(- x)`; plans print `-x#3`.
            Expr::Negative(e) if style == Style::Name => {
                out.push_str("(- ");
                e.write(out, style)?;
                out.push(')');
            }
            Expr::Negative(e) => {
                out.push('-');
                e.write(out, style)?;
            }
            Expr::Not(e) => {
                out.push_str(if style == Style::Name { "(NOT " } else { "NOT " });
                e.write(out, style)?;
                if style == Style::Name {
                    out.push(')');
                }
            }
            Expr::IsNull(e) | Expr::IsNotNull(e) => {
                let negated = matches!(self, Expr::IsNotNull(_));
                match style {
                    Style::Name => {
                        out.push('(');
                        e.write(out, style)?;
                        out.push_str(if negated { " IS NOT NULL)" } else { " IS NULL)" });
                    }
                    Style::Plan => {
                        out.push_str(if negated { "isnotnull(" } else { "isnull(" });
                        e.write(out, style)?;
                        out.push(')');
                    }
                }
            }
            Expr::In { expr, list: items } => {
                if style == Style::Name {
                    out.push('(');
                }
                expr.write(out, style)?;
                out.push_str(" IN (");
                list(out, &items.iter().collect::<Vec<_>>(), if style == Style::Name { ", " } else { "," })?;
                out.push(')');
                if style == Style::Name {
                    out.push(')');
                }
            }
            Expr::Like { expr, pattern } => {
                expr.write(out, style)?;
                out.push_str(" LIKE ");
                pattern.write(out, style)?;
            }
            Expr::CaseWhen { branches, otherwise } => {
                out.push_str("CASE");
                for (condition, value) in branches {
                    out.push_str(" WHEN ");
                    condition.write(out, style)?;
                    out.push_str(" THEN ");
                    value.write(out, style)?;
                }
                if let Some(e) = otherwise {
                    out.push_str(" ELSE ");
                    e.write(out, style)?;
                }
                out.push_str(" END");
            }
            Expr::Cast { expr, to } => match style {
                Style::Name => {
                    out.push_str("CAST(");
                    expr.write(out, style)?;
                    write!(out, " AS {})", to.simple_string().to_uppercase())?;
                }
                // A typed NULL: Spark's optimized plans show the folded literal, which a Value cannot carry a type in.
                Style::Plan if matches!(expr.as_ref(), Expr::Literal(Value::Null)) => out.push_str("null"),
                Style::Plan => {
                    out.push_str("cast(");
                    expr.write(out, style)?;
                    write!(out, " as {to})")?;
                }
            },
            Expr::Function { function: crate::functions::ScalarFunction::PerRow(crate::functions::PerRowFunction::Positive), args } => {
                // Spark prints `positive(x)` as the unary plus it is.
                out.push_str("(+ ");
                list(out, &args.iter().collect::<Vec<_>>(), ", ")?;
                out.push(')');
            }
            // `arr[0]`, `m[key]` and `s.field`, as Spark names and prints them.
            Expr::Function { function: ScalarFunction::Collection(CollectionFunction::GetItem), args } if args.len() == 2 => {
                args[0].write(out, style)?;
                out.push('[');
                args[1].write(out, Style::Plan)?;
                out.push(']');
            }
            Expr::Function { function: ScalarFunction::Collection(CollectionFunction::GetField), args } if args.len() == 2 => {
                args[0].write(out, style)?;
                out.push('.');
                args[1].write(out, Style::Plan)?;
            }
            // A time window's column is named `window`, as Spark names it.
            Expr::Function { function: ScalarFunction::TimeWindow(crate::functions::TimeWindowFunction::Window), .. }
                if style == Style::Name =>
            {
                out.push_str("window")
            }
            Expr::Function { function, args } => {
                let name = match (style, function) {
                    (Style::Plan, ScalarFunction::PerRow(per_row)) => per_row.plan_name().unwrap_or(function.name()),
                    _ => function.name(),
                };
                write!(out, "{name}(")?;
                list(out, &args.iter().collect::<Vec<_>>(), ", ")?;
                if style == Style::Plan && function.uses_time_zone() {
                    write!(out, ", Some({})", crate::time_zone::current().name())?;
                }
                if let (Style::Plan, ScalarFunction::Collection(collection)) = (style, function) {
                    out.push_str(collection.plan_suffix());
                }
                if let ScalarFunction::TimeWindow(window) = function
                    && let Some(suffix) = window.plan_suffix(args)
                {
                    out.push_str(&suffix);
                }
                if style == Style::Plan && matches!(function, ScalarFunction::Hash | ScalarFunction::XxHash64) {
                    write!(out, ", {}", crate::partitioner::SPARK_HASH_SEED)?;
                }
                out.push(')');
            }
            Expr::Udf { function, args } => {
                write!(out, "{}(", function.name())?;
                let keywords = function.keywords();
                let first_keyword = args.len().saturating_sub(keywords.len());
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if let Some(keyword) = i.checked_sub(first_keyword).and_then(|k| keywords.get(k)) {
                        write!(out, "{keyword} => ")?;
                    }
                    arg.write(out, style)?;
                }
                out.push(')');
            }
            Expr::Aggregate { function, args, distinct, filter } => {
                write!(out, "{}(", function.name())?;
                if *distinct {
                    out.push_str("DISTINCT ");
                }
                list(out, &args.iter().collect::<Vec<_>>(), ", ")?;
                if style == Style::Plan && function.picks_a_row() {
                    write!(out, ", {}", !function.ignores_nulls())?;
                }
                out.push(')');
                if let Some(filter) = filter {
                    out.push_str(" FILTER (WHERE ");
                    filter.write(out, style)?;
                    out.push(')');
                }
            }
            // Spark names the ranks in capitals, and without the ordering they read: `RANK()`.
            Expr::WindowFunction { function, .. } if style == Style::Name && function.named_in_capitals() => {
                write!(out, "{}()", function.name().to_uppercase())?;
            }
            Expr::WindowFunction { function, args, ignore_nulls } => {
                write!(out, "{}(", function.name())?;
                list(out, &args.iter().collect::<Vec<_>>(), ", ")?;
                out.push(')');
                if *ignore_nulls && *function == WindowFunction::NthValue {
                    out.push_str(" ignore nulls");
                }
            }
            Expr::Nondeterministic(leaf) => out.push_str(&leaf.name()),
            Expr::LambdaVariable(variable) => match style {
                Style::Name => out.push_str("namedlambdavariable()"),
                Style::Plan => write!(out, "lambda {}", variable.plan_string())?,
            },
            Expr::HigherOrder(call) => {
                let write = |e: &Expr| {
                    let mut text = String::new();
                    let _ = e.write(&mut text, style);
                    text
                };
                call.write(out, &write, style == Style::Plan)
            }
            Expr::TryEval(inner) => {
                out.push_str("tryeval(");
                inner.write(out, style)?;
                out.push(')');
            }
            Expr::Generator(generator) => {
                write!(out, "{}(", generator.name())?;
                list(out, &generator.written_args(), ", ")?;
                out.push(')');
            }
            Expr::Window { function, spec } => {
                match function.as_ref() {
                    // Spark's rank functions take the window's ordering as their arguments: `rank(fare#2)`.
                    Expr::WindowFunction { function: rank, .. } if style == Style::Plan && rank.named_in_capitals() => {
                        write!(out, "{}(", rank.name())?;
                        list(out, &spec.order_by.iter().map(|o| &o.expr).collect::<Vec<_>>(), ", ")?;
                        out.push(')');
                    }
                    _ => function.write(out, style)?,
                }
                match style {
                    Style::Name => self.write_window_name(out, spec)?,
                    Style::Plan => self.write_window_plan(out, spec)?,
                }
            }
        }
        Ok(())
    }

    /// ` OVER (PARTITION BY cate ORDER BY val ASC NULLS FIRST ROWS BETWEEN …)`, as Spark names the column.
    fn write_window_name(&self, out: &mut String, spec: &WindowSpec) -> fmt::Result {
        let mut clauses = spec.key_clauses();
        clauses.push(spec.frame.to_string());
        write!(out, " OVER ({})", clauses.join(" "))
    }

    /// ` windowspecdefinition(cate#2, val#1 ASC NULLS FIRST, specifiedwindowframe(RowFrame, …))`, as plans print it.
    fn write_window_plan(&self, out: &mut String, spec: &WindowSpec) -> fmt::Result {
        let mut parts: Vec<String> = spec.partition_by.iter().map(Expr::plan_string).collect();
        parts.extend(spec.order_by.iter().map(SortOrder::plan_string));
        let kind = match spec.frame.kind {
            window::FrameKind::Rows => "RowFrame",
            window::FrameKind::Range => "RangeFrame",
        };
        parts.push(format!(
            "specifiedwindowframe({kind}, {}, {})",
            spec.frame.start.plan_string(),
            spec.frame.end.plan_string()
        ));
        write!(out, " windowspecdefinition({})", parts.join(", "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Name,
    Plan,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unaliased_expressions_are_named_like_spark_names_them() {
        assert_eq!(col("fare").plus(col("tip")).sql_name(), "(fare + tip)");
        assert_eq!(col("s").eq(lit("green")).sql_name(), "(s = green)");
        assert_eq!(col("x").cast(SparkType::Long).sql_name(), "CAST(x AS BIGINT)");
        assert_eq!(col("x").is_not_null().sql_name(), "(x IS NOT NULL)");
        let sum = Expr::Aggregate { function: AggregateFunction::Sum, args: vec![col("x")], distinct: false, filter: None };
        assert_eq!(sum.sql_name(), "sum(x)");
        assert_eq!(sum.alias("total").sql_name(), "total");
    }

    #[test]
    fn plans_print_attributes_with_their_ids() {
        let a = Attribute::new("fare", SparkType::Double, true);
        let expected = format!("(fare#{} > 10.0)", a.id.0);
        assert_eq!(Expr::Attribute(a).gt(lit(10.0)).plan_string(), expected);
    }
}
