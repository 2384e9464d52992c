//! SQL expressions → the engine's [`Expr`]: literals with Spark's types, operators, CASE, CAST, and every
//! function the engine has, by its Spark name.

use std::sync::Arc;

use kindling_engine::catalog::Catalog;
use kindling_engine::expr::cast::{parse_date, parse_timestamp, parse_timestamp_ntz};
use kindling_engine::expr::generator::Generator;
use kindling_engine::expr::higher_order::{HigherOrder, HigherOrderFunction, Lambda};
use kindling_engine::expr::nondeterministic::Nondeterministic;
use kindling_engine::expr::window::{FrameBound, FrameKind, WindowFrame, WindowFunction, WindowSpec};
use kindling_engine::expr::{AggregateFunction, BinaryOp, Expr, SortOrder, aggregate, call, col, lit};
use kindling_engine::functions::{CollectionFunction, DateTimeFunction, PerRowFunction, ScalarFunction, TextFunction};
use kindling_engine::types::SparkType;
use kindling_engine::value::Value;
use sqlparser::ast::{
    self, BinaryOperator, CastKind, DuplicateTreatment, FunctionArg, FunctionArgExpr, FunctionArguments, Spanned,
    UnaryOperator,
};

use crate::error::{Position, Result};
use crate::parameters::Bound;
use crate::{analysis_error, unsupported};

/// How deep one expression may nest (`a + (b + (c + …))`).
const DEPTH_LIMIT: usize = 256;

/// Translates the expressions of one statement, remembering where each column name was written so that an
/// unresolved one can be pointed at.
#[derive(Default)]
pub struct Translator {
    columns: Vec<(String, Position)>,
    depth: usize,
    /// The windows of the current SELECT's `WINDOW` clause.
    named_windows: Vec<(String, ast::WindowSpec)>,
    /// Works out a scalar subquery (`(SELECT max(x) FROM t)`) as its value; none where queries cannot run.
    scalar_subquery: Option<ScalarSubquery>,
    /// What the statement's parameter markers (`:name`, `?`) stand for.
    parameters: Arc<Bound>,
    /// The session's registered functions; none where there is no session (`F.expr`).
    catalog: Option<Arc<Catalog>>,
}

/// Runs a subquery that stands for one value and gives that value.
pub type ScalarSubquery = std::sync::Arc<dyn Fn(&ast::Query, Position) -> Result<Expr> + Send + Sync>;

impl Translator {
    /// A translator that works scalar subqueries out with `run`.
    pub fn with_scalar_subqueries(run: ScalarSubquery, parameters: Arc<Bound>, catalog: Arc<Catalog>) -> Self {
        Self { scalar_subquery: Some(run), parameters, catalog: Some(catalog), ..Self::default() }
    }

    /// Where the column `name` (as the engine reports it, `pul.Zone`) was first written, if it was.
    pub fn locate(&self, name: &str) -> Option<Position> {
        self.columns.iter().find(|(written, _)| written.eq_ignore_ascii_case(name)).map(|(_, p)| *p)
    }

    pub fn expr(&mut self, expr: &ast::Expr) -> Result<Expr> {
        self.depth += 1;
        if self.depth > DEPTH_LIMIT {
            analysis_error!(
                position_of(expr),
                "[NESTING_TOO_DEEP] The expression nests deeper than {DEPTH_LIMIT} levels. SQLSTATE: 54000"
            );
        }
        let translated = self.translate(expr);
        self.depth -= 1;
        translated
    }

    fn translate(&mut self, expr: &ast::Expr) -> Result<Expr> {
        use ast::Expr as E;
        Ok(match expr {
            E::Identifier(ident) => self.column(&[ident]),
            E::CompoundIdentifier(parts) => self.column(&parts.iter().collect::<Vec<_>>()),
            E::CompoundFieldAccess { root, access_chain } => self.field_access(root, access_chain)?,
            E::Value(ast::ValueWithSpan { value: ast::Value::Placeholder(written), .. }) => {
                self.parameters.value(written, position_of(expr))?
            }
            E::Value(value) => lit(literal(&value.value, position_of(expr))?),
            E::TypedString(typed) => typed_literal(typed, position_of(expr))?,
            E::Nested(inner) => self.expr(inner)?,
            E::UnaryOp { op, expr: operand } => self.unary(*op, operand, position_of(expr))?,
            E::BinaryOp { left, op, right } => self.binary(left, op, right, position_of(expr))?,
            E::IsNull(inner) => self.expr(inner)?.is_null(),
            E::IsNotNull(inner) => self.expr(inner)?.is_not_null(),
            E::InList { expr: inner, list, negated } => {
                let list = list.iter().map(|item| self.expr(item)).collect::<Result<_>>()?;
                negate_if(*negated, self.expr(inner)?.is_in(list))
            }
            E::Between { expr: inner, negated, low, high } => {
                negate_if(*negated, self.expr(inner)?.between(self.expr(low)?, self.expr(high)?))
            }
            E::Like { negated, any: false, expr: inner, pattern, escape_char: None } => {
                let like = Expr::Like { expr: Box::new(self.expr(inner)?), pattern: Box::new(self.expr(pattern)?) };
                negate_if(*negated, like)
            }
            E::RLike { negated, expr: inner, pattern, .. } => {
                let rlike = call(ScalarFunction::PerRow(PerRowFunction::RLike), vec![self.expr(inner)?, self.expr(pattern)?]);
                negate_if(*negated, rlike)
            }
            E::Cast { kind: kind @ (CastKind::Cast | CastKind::DoubleColon | CastKind::TryCast), expr: inner, data_type, format: None } => {
                let to = SparkType::parse(data_type.to_string().trim_matches('`')).map_err(|error| crate::error::SqlError::Analysis {
                    message: error.to_string(),
                    position: position_of(expr),
                })?;
                match kind {
                    // `TRY_CAST(x AS t)`: NULL where the cast fails, ANSI mode or not.
                    CastKind::TryCast => kindling_engine::expr::try_cast(self.expr(inner)?, to),
                    _ => self.expr(inner)?.cast(to),
                }
            }
            E::Interval(interval) => lit(interval_literal(interval, position_of(expr))?),
            E::Case { operand, conditions, else_result, .. } => self.case(operand.as_deref(), conditions, else_result.as_deref())?,
            E::Function(function) => self.function(function)?,
            E::Trim { expr: inner, trim_where: None, trim_what: None, trim_characters: None } => {
                call(ScalarFunction::Trim, vec![self.expr(inner)?])
            }
            E::Trim { expr: inner, trim_where, trim_what, trim_characters: None } => {
                let side = trim_where.unwrap_or(ast::TrimWhereField::Both);
                let value = self.expr(inner)?;
                let what = trim_what.as_deref().map(|w| self.expr(w)).transpose()?.unwrap_or(lit(" "));
                trim_from(side, what, value)
            }
            // `ceil(x, scale)`: rounded up at a decimal place, named as the function call.
            E::Floor { expr: inner, field: ast::CeilFloorKind::Scale(scale) }
            | E::Ceil { expr: inner, field: ast::CeilFloorKind::Scale(scale) } => {
                let (function, written) = if matches!(expr, E::Floor { .. }) { (PerRowFunction::Floor, "floor") } else { (PerRowFunction::Ceil, "ceil") };
                let scale = self.expr(&E::Value(scale.clone()))?;
                named_call(written, ScalarFunction::PerRow(function), vec![self.expr(inner)?, scale])
            }
            E::Floor { expr: inner, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) }
            | E::Ceil { expr: inner, field: ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) } => {
                let (function, word) = match expr {
                    E::Floor { .. } => (PerRowFunction::Floor, "FLOOR"),
                    _ => (PerRowFunction::Ceil, "CEIL"),
                };
                let value = self.expr(inner)?;
                let name = format!("{word}({})", value.sql_name());
                call(ScalarFunction::PerRow(function), vec![value]).alias(&name)
            }
            E::Position { expr: needle, r#in: haystack } => {
                let args = vec![self.expr(needle)?, self.expr(haystack)?, lit(1)];
                let name = format!("locate({})", args.iter().map(Expr::sql_name).collect::<Vec<_>>().join(", "));
                call(ScalarFunction::PerRow(PerRowFunction::Locate), args).alias(&name)
            }
            E::Substring { expr: inner, substring_from: Some(from), substring_for, shorthand, special } => {
                let length = substring_for.as_deref().map(|length| self.expr(length)).transpose()?;
                let args = vec![self.expr(inner)?, self.expr(from)?, length.unwrap_or(lit(i32::MAX))];
                let shown = args.iter().map(Expr::sql_name).collect::<Vec<_>>().join(", ");
                // `substr(s, 2)` keeps its spelling; the `FROM … FOR …` form is always `substring`.
                let name = if *shorthand && *special { "substr" } else { "substring" };
                call(ScalarFunction::Substring, args).alias(&format!("{name}({shown})"))
            }
            // `struct(a, b)`, which the parser reads as a struct literal.
            E::Struct { values, fields } if fields.is_empty() => {
                let values = values.iter().map(|value| self.expr(value)).collect::<Result<Vec<_>>>()?;
                call(ScalarFunction::Collection(CollectionFunction::Struct), values)
            }
            E::ILike { negated, any: false, expr: inner, pattern, escape_char: None } => {
                negate_if(*negated, crate::replaced::ilike(self.expr(inner)?, self.expr(pattern)?))
            }
            E::Overlay { expr: inner, overlay_what, overlay_from, overlay_for } => {
                let mut args = vec![self.expr(inner)?, self.expr(overlay_what)?, self.expr(overlay_from)?];
                args.extend(overlay_for.as_deref().map(|length| self.expr(length)).transpose()?);
                named_call("overlay", ScalarFunction::PerRow(PerRowFunction::Text(TextFunction::Overlay)), args)
            }
            E::Extract { field, expr: inner, .. } => {
                let (field, source) = (field.to_string(), self.expr(inner)?);
                let name = format!("extract({field} FROM {})", source.sql_name());
                match crate::replaced::date_part(&field, source.clone()) {
                    Some(part) => part.alias(&name),
                    None => analysis_error!(
                        position_of(expr),
                        "[INVALID_EXTRACT_FIELD] Cannot extract {field} from {}. SQLSTATE: 42601",
                        source.sql_name()
                    ),
                }
            }
            E::Subquery(query) if let Some(run) = self.scalar_subquery.clone() => run(query, position_of(expr))?,
            other => unsupported!(position_of(other), "The SQL expression `{other}`"),
        })
    }

    fn column(&mut self, parts: &[&ast::Ident]) -> Expr {
        let name = parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".");
        self.columns.push((name.clone(), parts[0].span.start.into()));
        col(&name)
    }

    /// `arr[0]`, `m['key']`, `s.field`, chained (`a[0].b`): an element, a value or a field.
    fn field_access(&mut self, root: &ast::Expr, chain: &[ast::AccessExpr]) -> Result<Expr> {
        let mut value = self.expr(root)?;
        for access in chain {
            let (function, key) = match access {
                ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => (CollectionFunction::GetItem, self.expr(index)?),
                ast::AccessExpr::Dot(ast::Expr::Identifier(field)) => (CollectionFunction::GetField, lit(field.value.as_str())),
                other => analysis_error!(
                    position_of(root),
                    "[UNSUPPORTED_FEATURE] The SQL expression `{other}` is not supported by Kindling yet (real Spark runs \
                     it). SQLSTATE: 0A000"
                ),
            };
            value = call(ScalarFunction::Collection(function), vec![value, key]);
        }
        Ok(value)
    }

    fn unary(&mut self, op: UnaryOperator, operand: &ast::Expr, position: Position) -> Result<Expr> {
        // `-128Y` is one literal to Spark's parser (a tinyint), not the negation of 128Y (out of range).
        if op == UnaryOperator::Minus
            && let ast::Expr::Value(ast::ValueWithSpan { value: ast::Value::Number(text, long), .. }) = operand
        {
            return Ok(lit(literal(&ast::Value::Number(format!("-{text}"), *long), position)?));
        }
        let value = self.expr(operand)?;
        Ok(match (op, value) {
            (UnaryOperator::Minus, value) => value.negate(),
            // `+x` needs a number (Spark's `positive`): `+date '…'` is a type error.
            (UnaryOperator::Plus, value) => {
                let name = format!("(+ {})", value.sql_name());
                call(ScalarFunction::PerRow(PerRowFunction::Positive), vec![value]).alias(&name)
            }
            (UnaryOperator::Not | UnaryOperator::BangNot, value) => !value,
            (UnaryOperator::BitwiseNot, value) => crate::replaced::bitwise_not(value),
            (other, _) => unsupported!(position, "The operator `{other}`"),
        })
    }

    fn binary(&mut self, left: &ast::Expr, op: &BinaryOperator, right: &ast::Expr, position: Position) -> Result<Expr> {
        let (l, r) = (self.expr(left)?, self.expr(right)?);
        Ok(match op {
            BinaryOperator::Plus => l.plus(r),
            BinaryOperator::Minus => l.minus(r),
            BinaryOperator::Multiply => l.multiply(r),
            BinaryOperator::Divide => l.divide(r),
            BinaryOperator::Modulo => l.modulo(r),
            BinaryOperator::Eq => l.eq(r),
            BinaryOperator::NotEq => l.not_eq(r),
            BinaryOperator::Lt => l.lt(r),
            BinaryOperator::LtEq => l.lt_eq(r),
            BinaryOperator::Gt => l.gt(r),
            BinaryOperator::GtEq => l.gt_eq(r),
            BinaryOperator::And => l.and(r),
            BinaryOperator::Or => l.or(r),
            BinaryOperator::BitwiseAnd => Expr::Binary { op: BinaryOp::BitwiseAnd, left: Box::new(l), right: Box::new(r) },
            BinaryOperator::BitwiseOr => Expr::Binary { op: BinaryOp::BitwiseOr, left: Box::new(l), right: Box::new(r) },
            BinaryOperator::BitwiseXor | BinaryOperator::PGBitwiseXor => {
                Expr::Binary { op: BinaryOp::BitwiseXor, left: Box::new(l), right: Box::new(r) }
            }
            BinaryOperator::Spaceship => l.eq_null_safe(r),
            BinaryOperator::StringConcat => call(ScalarFunction::Concat, vec![l, r]),
            BinaryOperator::MyIntegerDivide => {
                let name = format!("({} div {})", l.sql_name(), r.sql_name());
                call(ScalarFunction::PerRow(PerRowFunction::IntegralDivide), vec![l, r]).alias(&name)
            }
            other => unsupported!(position, "The operator `{other}`"),
        })
    }

    fn case(&mut self, operand: Option<&ast::Expr>, conditions: &[ast::CaseWhen], otherwise: Option<&ast::Expr>) -> Result<Expr> {
        let operand = operand.map(|o| self.expr(o)).transpose()?;
        let mut branches = Vec::new();
        for branch in conditions {
            let condition = self.expr(&branch.condition)?;
            let condition = match &operand {
                Some(value) => value.clone().eq(condition),
                None => condition,
            };
            branches.push((condition, self.expr(&branch.result)?));
        }
        let otherwise = otherwise.map(|e| self.expr(e).map(Box::new)).transpose()?;
        Ok(Expr::CaseWhen { branches, otherwise })
    }

    fn function(&mut self, function: &ast::Function) -> Result<Expr> {
        let position: Position = function.name.span().start.into();
        let name = function.name.to_string();
        if !function.within_group.is_empty() {
            return self.listagg_within_group(function, &name, position);
        }
        let mut ignore_nulls = matches!(function.null_treatment, Some(ast::NullTreatment::IgnoreNulls));
        let (distinct, args) = match &function.args {
            FunctionArguments::None => (false, Vec::new()),
            FunctionArguments::List(list) => {
                for clause in &list.clauses {
                    match clause {
                        ast::FunctionArgumentClause::IgnoreOrRespectNulls(treatment) => {
                            ignore_nulls = matches!(treatment, ast::NullTreatment::IgnoreNulls)
                        }
                        _ => unsupported!(position, "The argument form of `{name}`"),
                    }
                }
                (matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)), list.args.iter().collect())
            }
            _ => unsupported!(position, "The argument form of `{name}`"),
        };
        if let Some(higher_order) = HigherOrderFunction::by_name(&name)
            && (higher_order != HigherOrderFunction::ArraySort || args.iter().any(|arg| lambda_of(arg).is_some()))
        {
            return self.higher_order_call(higher_order, &args, position);
        }
        let args: Vec<Expr> = args.into_iter().map(|arg| self.argument(arg, position)).collect::<Result<_>>()?;
        if let Some(registered) = self.catalog.as_ref().and_then(|catalog| catalog.function(&name))
            && function.over.is_none()
        {
            return Ok(registered(args));
        }
        if let Some(over) = &function.over {
            let call = match WindowFunction::by_name(&name) {
                Some(window_function) => Expr::WindowFunction { function: window_function, args, ignore_nulls },
                None if aggregate_function(&name).is_some() => {
                    let filter = function.filter.as_deref().map(|condition| self.expr(condition)).transpose()?;
                    let syntax = AggregateSyntax { name: &name, distinct, ignore_nulls, position };
                    let call = aggregate_call(aggregate_function(&name).expect("an aggregate"), args, syntax)?;
                    with_filter(call, filter)
                }
                None => analysis_error!(
                    position,
                    "[UNSUPPORTED_EXPR_FOR_WINDOW] Expression \"{name}\" not supported within a window function. \
                     SQLSTATE: 42P20"
                ),
            };
            return self.over(call, over, position);
        }
        if name.eq_ignore_ascii_case("approx_count_distinct") {
            let filter = function.filter.as_deref().map(|condition| self.expr(condition)).transpose()?;
            return Ok(with_filter(approx_count_distinct_call(args, position)?, filter));
        }
        if name.eq_ignore_ascii_case("histogram_numeric") {
            let filter = function.filter.as_deref().map(|condition| self.expr(condition)).transpose()?;
            let count = args.len();
            let Ok::<[Expr; 2], _>([value, bins]) = args.try_into() else {
                return wrong_arguments("histogram_numeric", "2", count, position);
            };
            let call = kindling_engine::expr::histogram_numeric(value, bins)
                .map_err(|error| crate::error::SqlError::Analysis { message: error.to_string(), position })?;
            return Ok(with_filter(call, filter));
        }
        match (aggregate_function(&name), &function.filter) {
            (Some(aggregate_function), filter) => {
                let filter = filter.as_deref().map(|condition| self.expr(condition)).transpose()?;
                let syntax = AggregateSyntax { name: &name, distinct, ignore_nulls, position };
                Ok(with_filter(aggregate_call(aggregate_function, args, syntax)?, filter))
            }
            (None, Some(_)) => analysis_error!(
                position,
                "[INVALID_SQL_SYNTAX.FUNCTION_WITH_UNSUPPORTED_SYNTAX] Invalid SQL syntax: The function `{name}` does \
                 not support FILTER. SQLSTATE: 42000"
            ),
            (None, None) => scalar_call(&name, args, distinct, position),
        }
    }

    /// `listagg(DISTINCT value, delimiter) WITHIN GROUP (ORDER BY value [DESC])` (also `string_agg`): the values
    /// joined in their own order.
    fn listagg_within_group(&mut self, function: &ast::Function, name: &str, position: Position) -> Result<Expr> {
        let lower = name.to_ascii_lowercase();
        let FunctionArguments::List(list) = &function.args else { unsupported!(position, "`{name}` with WITHIN GROUP") };
        let args: Vec<Expr> = list.args.iter().map(|arg| self.argument(arg, position)).collect::<Result<_>>()?;
        let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
        let ([value, rest @ ..], [order]) = (args.as_slice(), function.within_group.as_slice()) else {
            unsupported!(position, "`{name}` with WITHIN GROUP");
        };
        if !matches!(lower.as_str(), "listagg" | "string_agg") || rest.len() > 1 || self.expr(&order.expr)? != *value {
            unsupported!(position, "`{name}` WITHIN GROUP ordered by anything but its own value");
        }
        let ascending = !matches!(order.options.sort, Some(ast::OrderBySort::Desc));
        Ok(kindling_engine::expr::listagg(&lower, value.clone(), rest.first().cloned(), distinct, Some(ascending)))
    }

    /// `call OVER (PARTITION BY … ORDER BY … frame)` or `call OVER w` (a window of the `WINDOW` clause).
    fn over(&mut self, call: Expr, over: &ast::WindowType, position: Position) -> Result<Expr> {
        let spec = match over {
            // `OVER (w)`: the named window, in parentheses.
            ast::WindowType::WindowSpec(ast::WindowSpec { window_name: Some(name), partition_by, order_by, window_frame })
                if partition_by.is_empty() && order_by.is_empty() && window_frame.is_none() =>
            {
                self.named_window(name)?
            }
            ast::WindowType::WindowSpec(spec) => spec.clone(),
            ast::WindowType::NamedWindow(name) => self.named_window(name)?,
        };
        let partition_by = spec.partition_by.iter().map(|e| self.expr(e)).collect::<Result<Vec<_>>>()?;
        let order_by = spec.order_by.iter().map(|o| self.sort_order(o)).collect::<Result<Vec<_>>>()?;
        let frame = match &spec.window_frame {
            None => WindowFrame::default_for(!order_by.is_empty()),
            Some(frame) => self.frame(frame, position)?,
        };
        let spec = WindowSpec { partition_by, order_by, frame };
        Ok(Expr::Window { function: Box::new(call), spec: Box::new(spec) })
    }

    fn named_window(&self, name: &ast::Ident) -> Result<ast::WindowSpec> {
        let found = self.named_windows.iter().find(|(defined, _)| defined.eq_ignore_ascii_case(&name.value));
        match found {
            Some((_, spec)) => Ok(spec.clone()),
            None => analysis_error!(
                name.span.start,
                "[MISSING_WINDOW_SPECIFICATION] Window specification is not defined in the WINDOW clause for `{}`. \
                 For more information about WINDOW clauses, please refer to \
                 'https://spark.apache.org/docs/latest/sql-ref-syntax-qry-select-window.html'. SQLSTATE: 42P20",
                name.value
            ),
        }
    }

    /// The windows a `WINDOW w AS (…)` clause names, for `OVER w` in the select list.
    pub fn set_named_windows(&mut self, windows: &[ast::NamedWindowDefinition]) -> Result<()> {
        self.named_windows.clear();
        for ast::NamedWindowDefinition(name, definition) in windows {
            let spec = match definition {
                ast::NamedWindowExpr::WindowSpec(spec) => spec.clone(),
                ast::NamedWindowExpr::NamedWindow(other) => self.named_window(other)?,
            };
            if self.named_windows.iter().any(|(defined, _)| defined.eq_ignore_ascii_case(&name.value)) {
                analysis_error!(
                    name.span.start,
                    "[INVALID_SQL_SYNTAX.REPETITIVE_WINDOW_DEFINITION] Invalid SQL syntax: The definition of window \
                     `{}` is repetitive. SQLSTATE: 42000",
                    name.value
                );
            }
            self.named_windows.push((name.value.clone(), spec));
        }
        Ok(())
    }

    /// One ORDER BY key of a window.
    fn sort_order(&mut self, key: &ast::OrderByExpr) -> Result<SortOrder> {
        let ascending = !matches!(key.options.sort, Some(ast::OrderBySort::Desc));
        let nulls_first = key.options.nulls_first.unwrap_or(ascending);
        Ok(SortOrder { expr: self.expr(&key.expr)?, ascending, nulls_first })
    }

    fn frame(&mut self, frame: &ast::WindowFrame, position: Position) -> Result<WindowFrame> {
        let kind = match frame.units {
            ast::WindowFrameUnits::Rows => FrameKind::Rows,
            ast::WindowFrameUnits::Range => FrameKind::Range,
            ast::WindowFrameUnits::Groups => unsupported!(position, "A GROUPS window frame"),
        };
        let start = self.frame_bound(&frame.start_bound, position)?;
        let end = match &frame.end_bound {
            Some(bound) => self.frame_bound(bound, position)?,
            None => FrameBound::CurrentRow,
        };
        let frame = WindowFrame { kind, start, end };
        // A ROWS frame counts rows with an INT.
        for (location, bound) in [("lower", &frame.start), ("upper", &frame.end)] {
            if let (FrameKind::Rows, FrameBound::Preceding(amount) | FrameBound::Following(amount)) = (kind, bound)
                && !matches!(amount, Value::Byte(_) | Value::Short(_) | Value::Integer(_))
            {
                analysis_error!(
                    position,
                    "[DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE] Cannot resolve \"{frame}\" due to data type \
                     mismatch: The data type of the {location} bound \"{}\" does not match the expected data type \"INT\". \
                     SQLSTATE: 42K09",
                    amount.spark_type().simple_string().to_uppercase()
                );
            }
        }
        Ok(frame)
    }

    fn frame_bound(&mut self, bound: &ast::WindowFrameBound, position: Position) -> Result<FrameBound> {
        let amount = |translator: &mut Self, expr: &ast::Expr| -> Result<Value> {
            match translator.expr(expr)? {
                Expr::Literal(value)
                    if value.spark_type().is_numeric() || matches!(value, Value::YearMonthInterval { .. } | Value::DayTimeInterval { .. }) =>
                {
                    Ok(value)
                }
                other => analysis_error!(
                    position,
                    "[DATATYPE_MISMATCH.SPECIFIED_WINDOW_FRAME_UNACCEPTED_TYPE] Cannot resolve \"{}\" due to data \
                     type mismatch: the window frame bound should be a number of rows or an amount of the ordering \
                     value. SQLSTATE: 42K09",
                    other.sql_name()
                ),
            }
        };
        Ok(match bound {
            ast::WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            ast::WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            ast::WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            ast::WindowFrameBound::Preceding(Some(expr)) => FrameBound::Preceding(amount(self, expr)?),
            ast::WindowFrameBound::Following(Some(expr)) => FrameBound::Following(amount(self, expr)?),
        })
    }

    /// `transform(xs, x -> x + 1)`: the value arguments, then the lambdas, whose parameters stay names until the
    /// analyzer binds them.
    fn higher_order_call(&mut self, function: HigherOrderFunction, args: &[&FunctionArg], position: Position) -> Result<Expr> {
        let (mut values, mut lambdas) = (Vec::new(), Vec::new());
        for arg in args {
            match lambda_of(arg) {
                Some(lambda) => {
                    let params: Vec<&str> = lambda.params.iter().map(|p| p.name.value.as_str()).collect();
                    lambdas.push(Lambda::new(&params, self.expr(&lambda.body)?));
                }
                None => values.push(self.argument(arg, position)?),
            }
        }
        let call = HigherOrder::call(function, values, lambdas)
            .map_err(|error| crate::error::SqlError::Analysis { message: error.to_string(), position })?;
        Ok(Expr::HigherOrder(Box::new(call)))
    }

    fn argument(&mut self, arg: &FunctionArg, position: Position) -> Result<Expr> {
        match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => self.expr(expr),
            // `count(*)` counts rows, as `count(1)` does.
            FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => Ok(lit(1)),
            other => unsupported!(position, "The function argument `{other}`"),
        }
    }
}

/// `window(ts, '1 hour'[, '10 minutes'[, '5 minutes']])`: the durations are text constants.
fn time_window_call(args: Vec<Expr>, position: Position) -> Result<Expr> {
    let mut args = args.into_iter();
    let Some(time) = args.next() else { return wrong_arguments("window", "[2, 4]", 0, position) };
    let durations: Vec<String> = args
        .map(|arg| match arg {
            Expr::Literal(Value::String(text)) => Ok(text),
            other => analysis_error!(position, "The durations of `window` are text constants such as '1 hour', not {}", other.sql_name()),
        })
        .collect::<Result<_>>()?;
    let [window, rest @ ..] = durations.as_slice() else { return wrong_arguments("window", "[2, 4]", 1, position) };
    if rest.len() > 2 {
        return wrong_arguments("window", "[2, 4]", durations.len() + 1, position);
    }
    kindling_engine::functions::time_window::window_call(time, window, rest.first().map(String::as_str), rest.get(1).map(String::as_str))
        .map_err(|error| crate::error::SqlError::Analysis { message: error.to_string(), position })
}

/// The lambda an argument is, if it is one (`x -> x + 1`).
fn lambda_of(arg: &FunctionArg) -> Option<&ast::LambdaFunction> {
    match arg {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::Lambda(lambda))) => Some(lambda),
        _ => None,
    }
}

/// An aggregate call with its `FILTER (WHERE filter)`, named as Spark names it.
fn with_filter(call: Expr, filter: Option<Expr>) -> Expr {
    let Some(filter) = filter else { return call };
    match call {
        Expr::Aggregate { function, args, distinct, .. } => Expr::Aggregate { function, args, distinct, filter: Some(Box::new(filter)) },
        Expr::Alias { expr, name, .. } => match *expr {
            Expr::Aggregate { function, args, distinct, .. } => {
                let shown = format!("{name} FILTER (WHERE {})", filter.sql_name());
                Expr::Aggregate { function, args, distinct, filter: Some(Box::new(filter)) }.alias(&shown)
            }
            other => other.alias(&name),
        },
        other => other,
    }
}

/// Aggregates that are another aggregate under Spark's name for it: `every(b)` is the least of the booleans,
/// `bool_or(b)` the greatest (PySpark's `F.every`, … too).
pub fn renamed_aggregate(name: &str) -> Option<AggregateFunction> {
    Some(match name.to_ascii_lowercase().as_str() {
        "every" | "bool_and" => AggregateFunction::BoolAnd,
        "some" | "any" | "bool_or" => AggregateFunction::BoolOr,
        _ => return None,
    })
}

fn aggregate_function(name: &str) -> Option<AggregateFunction> {
    if let Some(renamed) = renamed_aggregate(name) {
        return Some(renamed);
    }
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "first" | "first_value" | "any_value" => Some(AggregateFunction::First),
        "last" | "last_value" => Some(AggregateFunction::Last),
        other => AggregateFunction::named(other),
    }
}

/// `approx_count_distinct(x[, rsd])`: the error aimed at must be a constant.
fn approx_count_distinct_call(args: Vec<Expr>, position: Position) -> Result<Expr> {
    let count = args.len();
    let mut args = args.into_iter();
    let (Some(arg), relative_sd, None) = (args.next(), args.next(), args.next()) else {
        return wrong_arguments("approx_count_distinct", "[1, 2]", count, position);
    };
    let relative_sd = match relative_sd {
        None => None,
        Some(Expr::Literal(value)) if value.as_f64().is_some() => value.as_f64(),
        Some(other) => analysis_error!(
            position,
            "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"approx_count_distinct({})\" due to data type \
             mismatch: the input `relativeSD` should be a foldable \"DOUBLE\" expression; however, got \"{}\". \
             SQLSTATE: 42K09",
            arg.sql_name(),
            other.sql_name()
        ),
    };
    kindling_engine::expr::approx_count_distinct(arg, relative_sd)
        .map_err(|error| crate::error::SqlError::Analysis { message: error.to_string(), position })
}

/// How an aggregate was called, besides its arguments: `name(DISTINCT …) IGNORE NULLS` at `position`.
struct AggregateSyntax<'a> {
    name: &'a str,
    distinct: bool,
    ignore_nulls: bool,
    position: Position,
}

fn aggregate_call(function: AggregateFunction, args: Vec<Expr>, syntax: AggregateSyntax) -> Result<Expr> {
    let AggregateSyntax { name, distinct, position, .. } = syntax;
    if function == AggregateFunction::Count && args.len() > 1 {
        return Ok(Expr::Aggregate { function, args, distinct, filter: None });
    }
    if function.picks_a_row() {
        return picking_call(function, args, syntax);
    }
    let count = args.len();
    if let Some(renamed) = renamed_aggregate(name) {
        let Ok::<[Expr; 1], _>([arg]) = args.try_into() else {
            return wrong_arguments(name, "1", count, position);
        };
        let shown = format!("{}({})", name.to_ascii_lowercase(), arg.sql_name());
        return Ok(aggregate(renamed, arg).alias(&shown));
    }
    let (fewest, most) = match function {
        AggregateFunction::Statistic(statistic) if statistic.takes_pairs() => (2, 2),
        AggregateFunction::MaxBy | AggregateFunction::MinBy => (2, 2),
        AggregateFunction::PercentileApprox | AggregateFunction::Percentile => (2, 3),
        _ => (1, 1),
    };
    if count < fewest || count > most {
        let wanted = if fewest == most { fewest.to_string() } else { format!("[{fewest}, {most}]") };
        return wrong_arguments(name, &wanted, count, position);
    }
    // Spark names percentile_approx with its default accuracy, percentile with its default frequency.
    let mut args = args;
    match (function, count) {
        (AggregateFunction::PercentileApprox, 2) => args.push(lit(10_000)),
        (AggregateFunction::Percentile, 2) => args.push(lit(1)),
        _ => {}
    }
    let call = Expr::Aggregate { function, args, distinct, filter: None };
    if name.eq_ignore_ascii_case("approx_percentile") {
        let shown = call.sql_name().replacen(function.name(), "approx_percentile", 1);
        return Ok(call.alias(&shown));
    }
    Ok(call)
}

/// `first(x)`, `last(x, true)`, `first_value(x) IGNORE NULLS`, `any_value(x)`: one row's value, NULLs passed
/// over when asked.
fn picking_call(first_or_last: AggregateFunction, args: Vec<Expr>, syntax: AggregateSyntax) -> Result<Expr> {
    let AggregateSyntax { name, distinct, ignore_nulls: by_clause, position } = syntax;
    let count = args.len();
    let (arg, by_argument) = match <[Expr; 2]>::try_from(args) {
        Ok([arg, Expr::Literal(Value::Boolean(ignore))]) => (arg, ignore),
        Ok([_, other]) => analysis_error!(
            position,
            "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve \"{name}\" due to data type mismatch: the \
             second parameter (ignoreNulls) requires a boolean constant, not {}. SQLSTATE: 42K09",
            other.sql_name()
        ),
        Err(args) => match <[Expr; 1]>::try_from(args) {
            Ok([arg]) => (arg, false),
            Err(_) => return wrong_arguments(name, "[1, 2]", count, position),
        },
    };
    let ignoring = Ignoring { by_argument, by_clause };
    Ok(picking_aggregate(name, first_or_last == AggregateFunction::Last, arg, ignoring, distinct))
}

/// Where a picking aggregate was told to pass NULLs over: its boolean argument, or an `IGNORE NULLS` clause.
#[derive(Clone, Copy, Default)]
pub struct Ignoring {
    pub by_argument: bool,
    pub by_clause: bool,
}

/// `first_value(x, true)` and the rest of the picking aggregates, named as Spark names them: as written, except
/// that `first_value`/`last_value` with an `IGNORE NULLS` clause become `first`/`last`.
pub fn picking_aggregate(written: &str, last: bool, arg: Expr, ignoring: Ignoring, distinct: bool) -> Expr {
    let Ignoring { by_argument, by_clause } = ignoring;
    let ignore_nulls = by_argument || by_clause;
    let function = match (last, ignore_nulls) {
        (true, false) => AggregateFunction::Last,
        (true, true) => AggregateFunction::LastIgnoreNulls,
        (false, false) => AggregateFunction::First,
        (false, true) => AggregateFunction::FirstIgnoreNulls,
    };
    let lower = written.to_ascii_lowercase();
    let shown = match (lower.as_str(), by_clause) {
        ("any_value", _) | ("first_value" | "last_value", false) => format!("{lower}({})", arg.sql_name()),
        _ => format!("{}({})", function.name(), arg.sql_name()),
    };
    Expr::Aggregate { function, args: vec![arg], distinct, filter: None }.alias(&shown)
}

fn scalar_call(name: &str, args: Vec<Expr>, distinct: bool, position: Position) -> Result<Expr> {
    let lower = name.to_ascii_lowercase();
    if matches!(lower.as_str(), "current_date" | "curdate" | "current_timestamp" | "now") && !args.is_empty() {
        return wrong_arguments(&lower, "0", args.len(), position);
    }
    let takes_a_unit = matches!(lower.as_str(), "datediff" | "date_diff" | "timestampdiff" | "date_add" | "dateadd" | "timestampadd");
    if let (true, [Expr::Literal(Value::String(unit)), _, _]) = (takes_a_unit, args.as_slice()) {
        analysis_error!(
            position,
            "[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) `unit` in `{lower}` is invalid: expects \
             one of the units without quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, \
             MILLISECOND, MICROSECOND, but got the string literal '{unit}'. SQLSTATE: 22023"
        );
    }
    if lower == "window" {
        return time_window_call(args, position);
    }
    if let Some(replaced) = crate::replaced::replaced_call(name, &args) {
        return Ok(replaced);
    }
    if let Some(leaf) = Nondeterministic::call(&lower, &args) {
        let leaf = leaf.map_err(|error| crate::error::SqlError::Analysis { message: error.to_string(), position })?;
        return Ok(Expr::Nondeterministic(leaf));
    }
    if let Some(generator) = Generator::call(name, &args) {
        return Ok(Expr::Generator(Box::new(generator)));
    }
    let Some(function) = ScalarFunction::by_name(name) else {
        analysis_error!(
            position,
            "[UNRESOLVED_ROUTINE] Cannot resolve routine `{name}` on search path [`system`.`builtin`, \
             `system`.`session`, `spark_catalog`.`default`]. SQLSTATE: 42883"
        );
    };
    if distinct {
        analysis_error!(position, "[INVALID_SQL_SYNTAX] DISTINCT is only allowed in aggregate functions, not in `{name}`. SQLSTATE: 42000");
    }
    let (least, most) = function.arity();
    if args.len() < least || args.len() > most {
        let expected = match (least, most) {
            (l, m) if l == m => l.to_string(),
            (l, usize::MAX) => format!("at least {l}"),
            (l, m) => format!("[{l}, {m}]"),
        };
        return wrong_arguments(function.name(), &expected, args.len(), position);
    }
    if function == ScalarFunction::PerRow(PerRowFunction::ToBinary) && let Some(format) = args.get(1) {
        check_binary_format(&args[0], format, position)?;
    }
    Ok(named_call(name, function, args))
}

/// The arguments Spark fills in when a call leaves them out and that its name then shows:
/// `substring(s, 2)` is `substring(s, 2, 2147483647)`, `replace(s, 'b')` is `replace(s, b, )`.
fn with_default_arguments(function: ScalarFunction, mut args: Vec<Expr>) -> Vec<Expr> {
    match (function, args.len()) {
        (ScalarFunction::Substring, 2) => args.push(lit(i32::MAX)),
        (ScalarFunction::PerRow(PerRowFunction::Instr), 3) => args.push(lit(1)),
        (ScalarFunction::PerRow(PerRowFunction::Replace), 2) => args.push(lit("")),
        (ScalarFunction::PerRow(PerRowFunction::Bround), 1) => args.push(lit(0)),
        (ScalarFunction::PerRow(PerRowFunction::MonthsBetween), 2) => args.push(lit(true)),
        (ScalarFunction::PerRow(PerRowFunction::Text(TextFunction::RegexpInstr)), 2) => args.push(lit(0)),
        (ScalarFunction::PerRow(PerRowFunction::Text(TextFunction::RegexpExtractAll)), 2) => args.push(lit(1)),
        (ScalarFunction::PerRow(PerRowFunction::Text(TextFunction::Overlay)), 3) => args.push(lit(-1)),
        (ScalarFunction::PerRow(PerRowFunction::Text(TextFunction::Mask)), given) if given < 5 => {
            let defaults = [lit("X"), lit("x"), lit("n"), lit(Value::Null)];
            args.extend(defaults.into_iter().skip(given - 1));
        }
        (ScalarFunction::Collection(CollectionFunction::Split), 2) => args.push(lit(-1)),
        // Spark names the defaults: make_dt_interval(1, 0, 0, 0.000000), make_ym_interval(2, 0).
        (ScalarFunction::PerRow(PerRowFunction::DateTime(DateTimeFunction::MakeDtInterval)), given) => {
            let defaults = [lit(0), lit(0), lit(0), lit(Value::Decimal { value: 0, precision: 18, scale: 6 })];
            args.extend(defaults.into_iter().skip(given));
        }
        (ScalarFunction::PerRow(PerRowFunction::DateTime(DateTimeFunction::MakeYmInterval)), given) => {
            args.extend([lit(0), lit(0)].into_iter().skip(given));
        }
        (ScalarFunction::Collection(CollectionFunction::StrToMap), 1) => args.extend([lit(","), lit(":")]),
        (ScalarFunction::Collection(CollectionFunction::StrToMap), 2) => args.push(lit(":")),
        // lpad(bytes, n) pads with zero bytes, lpad(text, n) with spaces (decided again once columns have types).
        (ScalarFunction::PerRow(PerRowFunction::Lpad | PerRowFunction::Rpad), 2) => {
            let binary = args[0].data_type() == SparkType::Binary;
            args.push(if binary { lit(Value::Binary(vec![0])) } else { lit(" ") });
        }
        _ => {}
    }
    args
}

/// `to_binary(s, format)`: the format must be a constant naming one of the formats Spark knows.
fn check_binary_format(value: &Expr, format: &Expr, position: Position) -> Result<()> {
    let call = format!("to_binary({}, {})", value.sql_name(), format.sql_name());
    if format.any(&|e| matches!(e, Expr::Column(_))) {
        analysis_error!(
            position,
            "[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve \"{call}\" due to data type mismatch: the input \
             `fmt` should be a foldable \"STRING\" expression; however, got \"{}\". SQLSTATE: 42K09",
            format.sql_name()
        );
    }
    let known = |f: &str| ["hex", "utf-8", "utf8", "base64"].contains(&f.to_ascii_lowercase().as_str());
    match format {
        Expr::Literal(Value::String(f)) if known(f) => Ok(()),
        Expr::Literal(Value::Null) => Ok(()),
        Expr::Literal(other) => analysis_error!(
            position,
            "[DATATYPE_MISMATCH.INVALID_ARG_VALUE] Cannot resolve \"{call}\" due to data type mismatch: The value \
             of parameter `fmt` must be a case-insensitive \"STRING\" literal of 'hex', 'utf-8', 'utf8', or \
             'base64', but got '{other}'. SQLSTATE: 42K09"
        ),
        _ => Ok(()),
    }
}

/// A call of `function` spelled `written`, with the arguments Spark fills in and named as Spark names it (the
/// PySpark `functions` module calls the same functions through this).
pub fn named_call(written: &str, function: ScalarFunction, mut args: Vec<Expr>) -> Expr {
    if let Some(side) = trim_side(written)
        && args.len() == 2
    {
        // `ltrim(chars, s)`: the characters come first, as in Spark's two-argument forms of the trim functions.
        let value = args.pop().expect("two arguments");
        return trim_from(side, args.pop().expect("two arguments"), value);
    }
    let args = with_default_arguments(function, args);
    // `ceil(x, 1)` is named in lower case as written, unlike `CEIL(x)`.
    if matches!(function, ScalarFunction::PerRow(PerRowFunction::Ceil | PerRowFunction::Floor)) && args.len() == 2 {
        let listed = args.iter().map(Expr::sql_name).collect::<Vec<_>>().join(", ");
        let shown = format!("{}({listed})", written.to_ascii_lowercase());
        return call(function, args).alias(&shown);
    }
    match shown_name(written, function) {
        Some(shown) => {
            let listed = args.iter().map(Expr::sql_name).collect::<Vec<_>>().join(", ");
            call(function, args).alias(&format!("{shown}({listed})"))
        }
        None => call(function, args),
    }
}

/// The side `trim`, `ltrim` and `rtrim` cut characters from.
fn trim_side(written: &str) -> Option<ast::TrimWhereField> {
    match written.to_ascii_lowercase().as_str() {
        "trim" => Some(ast::TrimWhereField::Both),
        "ltrim" => Some(ast::TrimWhereField::Leading),
        "rtrim" => Some(ast::TrimWhereField::Trailing),
        _ => None,
    }
}

/// `TRIM(LEADING what FROM value)`: `what`'s characters cut from one side or both of `value`, named as Spark does.
fn trim_from(side: ast::TrimWhereField, what: Expr, value: Expr) -> Expr {
    let function = match side {
        ast::TrimWhereField::Both => PerRowFunction::Btrim,
        ast::TrimWhereField::Leading => PerRowFunction::Ltrim,
        ast::TrimWhereField::Trailing => PerRowFunction::Rtrim,
    };
    let name = format!("TRIM({side} {} FROM {})", what.sql_name(), value.sql_name());
    call(ScalarFunction::PerRow(function), vec![value, what]).alias(&name)
}

/// The name a call shows when Spark names it after the spelling used (`ceiling(x)`, `char_length(s)`, `POWER(a, b)`)
/// rather than the function's own name; `None` for the function's own name.
fn shown_name(written: &str, function: ScalarFunction) -> Option<String> {
    let written = written.to_ascii_lowercase();
    if written.eq_ignore_ascii_case(function.name()) {
        return None;
    }
    Some(match written.as_str() {
        "dateadd" => return None,
        "power" | "signum" => written.to_ascii_uppercase(),
        _ => written,
    })
}

fn wrong_arguments<T>(name: &str, expected: &str, actual: usize, position: Position) -> Result<T> {
    analysis_error!(
        position,
        "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `{name}` requires {expected} parameters but the actual number is \
         {actual}. Please, refer to 'https://spark.apache.org/docs/latest/sql-ref-functions.html' for a fix. \
         SQLSTATE: 42605"
    )
}

/// A literal with the type Spark's parser gives it: `1` int, `3000000000` bigint, `1.5` decimal(2,1), `1.5D` /
/// `1e3` double, `10L` bigint, `'x'` and `"x"` strings.
pub fn literal(value: &ast::Value, position: Position) -> Result<Value> {
    let located = |message: String| crate::error::SqlError::Analysis { message, position };
    Ok(match value {
        ast::Value::Number(text, long) => number(&format!("{text}{}", if *long { "L" } else { "" })).map_err(located)?,
        ast::Value::SingleQuotedString(text) | ast::Value::DoubleQuotedString(text) => Value::String(text.clone()),
        ast::Value::HexStringLiteral(hex) => binary_literal(hex).map_err(located)?,
        ast::Value::Boolean(b) => Value::Boolean(*b),
        ast::Value::Null => Value::Null,
        other => unsupported!(position, "The literal `{other}`"),
    })
}

/// `X'1F2E'`: the bytes the hex digits spell (an odd count gets a leading 0).
fn binary_literal(hex: &str) -> std::result::Result<Value, String> {
    kindling_engine::functions::unhex(hex).map(Value::Binary).ok_or_else(|| {
        format!("[INVALID_TYPED_LITERAL] The value of the typed literal \"X\" is invalid: '{hex}'. SQLSTATE: 42604")
    })
}

/// A number as Spark's parser types it (see [`literal`]), or Spark's message for one out of its type's range.
fn number(text: &str) -> std::result::Result<Value, String> {
    let upper = text.to_ascii_uppercase();
    let (digits, suffix) = match upper.strip_suffix("BD") {
        Some(digits) => (digits, "BD"),
        None => match upper.char_indices().last() {
            Some((i, c)) if "LSYDF".contains(c) => (&upper[..i], &upper[i..]),
            _ => (upper.as_str(), ""),
        },
    };
    let invalid = || format!("[INVALID_NUMERIC_LITERAL] The number `{text}` is not a valid number. SQLSTATE: 22003");
    let range = |type_name: &str, min: &str, max: &str| {
        format!(
            "[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal {digits} is outside the valid range for {type_name} with \
             minimum value of {min} and maximum value of {max}. Please adjust the value accordingly. SQLSTATE: 22003"
        )
    };
    let whole = |type_name: &str, min: i128, max: i128| -> std::result::Result<i128, String> {
        let value: i128 = digits.parse().map_err(|_| invalid())?;
        if (min..=max).contains(&value) { Ok(value) } else { Err(range(type_name, &min.to_string(), &max.to_string())) }
    };
    let double = || -> std::result::Result<f64, String> {
        let value: f64 = digits.parse().map_err(|_| invalid())?;
        if value.is_finite() {
            Ok(value)
        } else {
            Err(range("double", "-1.7976931348623157E+308", "1.7976931348623157E+308"))
        }
    };
    Ok(match suffix {
        "L" => Value::Long(whole("bigint", i64::MIN.into(), i64::MAX.into())? as i64),
        "S" => Value::Short(whole("smallint", i16::MIN.into(), i16::MAX.into())? as i16),
        "Y" => Value::Byte(whole("tinyint", i8::MIN.into(), i8::MAX.into())? as i8),
        "D" => Value::Double(double()?),
        "F" => {
            let value: f32 = digits.parse().map_err(|_| invalid())?;
            if !value.is_finite() {
                return Err(range("float", "-3.4028234663852886E+38", "3.4028234663852886E+38"));
            }
            Value::Float(value)
        }
        "BD" => decimal(digits)?,
        _ if digits.contains('E') => Value::Double(double()?),
        _ if digits.contains('.') => decimal(digits)?,
        _ => match digits.parse::<i32>() {
            Ok(int) => Value::Integer(int),
            Err(_) => match digits.parse::<i64>() {
                Ok(long) => Value::Long(long),
                Err(_) => decimal(digits)?,
            },
        },
    })
}

/// `12.50` as decimal(4,2): precision counts the significant digits (at least the scale). An exponent moves the
/// point: `20E2BD` is 2000, a decimal(4,0).
fn decimal(text: &str) -> std::result::Result<Value, String> {
    let invalid = || format!("[INVALID_NUMERIC_LITERAL] The number `{text}` is not a valid number. SQLSTATE: 22003");
    if let Some(unsigned) = text.strip_prefix('-') {
        return match decimal(unsigned)? {
            Value::Decimal { value, precision, scale } => Ok(Value::Decimal { value: -value, precision, scale }),
            other => Ok(other),
        };
    }
    if let Some((mantissa, exponent)) = text.split_once('E') {
        let exponent: i32 = exponent.parse().map_err(|_| invalid())?;
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let scale = fraction.len() as i32 - exponent;
        let digits = format!("{whole}{fraction}");
        let digits = format!("{}{digits}", "0".repeat((scale + 1 - digits.len() as i32).max(0) as usize));
        let shifted = if scale >= 0 {
            format!("{}.{}", &digits[..digits.len() - scale as usize], &digits[digits.len() - scale as usize..])
        } else {
            format!("{digits}{}", "0".repeat((-scale) as usize))
        };
        return decimal(shifted.trim_end_matches('.'));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let scale = fraction.len();
    let significant = digits.trim_start_matches('0').len().max(scale).max(1);
    if significant > 38 {
        return Err(format!(
            "[DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION] Decimal precision {significant} exceeds max precision 38. \
             SQLSTATE: 22003"
        ));
    }
    let value: i128 = digits.parse().map_err(|_| invalid())?;
    Ok(Value::Decimal { value, precision: significant as u8, scale: scale as i8 })
}

/// `DATE '2024-01-01'`, `TIMESTAMP '2024-01-01 10:00:00'`: a date or timestamp constant.
fn typed_literal(typed: &ast::TypedString, position: Position) -> Result<Expr> {
    let text = match literal(&typed.value.value, position)? {
        Value::String(text) => text,
        _ => unsupported!(position, "The typed literal `{} {}`", typed.data_type, typed.value),
    };
    let value = match SparkType::parse(&typed.data_type.to_string()) {
        Ok(SparkType::Date) => parse_date(&text).map(|days| Value::Date(days as i32)),
        Ok(SparkType::Timestamp) => parse_timestamp(&text).map(Value::Timestamp),
        Ok(SparkType::TimestampNtz) => parse_timestamp_ntz(&text).map(Value::TimestampNtz),
        Ok(SparkType::Time) => kindling_engine::expr::cast::parse_time_of_day(&text).map(Value::Time),
        _ => unsupported!(position, "The typed literal `{} {}`", typed.data_type, typed.value),
    };
    match value {
        Some(value) => Ok(lit(value)),
        None => analysis_error!(
            position,
            "[INVALID_TYPED_LITERAL] The value of the typed literal \"{}\" is invalid: '{text}'. SQLSTATE: 42604",
            typed.data_type
        ),
    }
}

/// `INTERVAL '2-3' YEAR TO MONTH`, `INTERVAL -'10.5' SECOND`, `INTERVAL 3 DAY`: a year-month or day-time interval.
fn interval_literal(interval: &ast::Interval, position: Position) -> Result<Value> {
    use ast::Expr as E;
    use kindling_engine::interval;
    let (negative, value) = match interval.value.as_ref() {
        E::UnaryOp { op: ast::UnaryOperator::Minus, expr } => (true, expr.as_ref()),
        E::UnaryOp { op: ast::UnaryOperator::Plus, expr } => (false, expr.as_ref()),
        other => (false, other),
    };
    let text = match value {
        E::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(text) | ast::Value::DoubleQuotedString(text) => text.clone(),
            ast::Value::Number(digits, _) => digits.clone(),
            _ => unsupported!(position, "The interval `{interval}`"),
        },
        _ => unsupported!(position, "The interval `{interval}`"),
    };
    let located = |error: kindling_engine::EngineError| crate::error::SqlError::Analysis { message: error.to_string(), position };
    let field = |f: &Option<ast::DateTimeField>| f.as_ref().and_then(|f| interval::field_by_name(&f.to_string()));
    let Some((year_month, start)) = field(&interval.leading_field) else {
        unsupported!(position, "The interval `{interval}` (Kindling reads intervals with their fields: INTERVAL '1' DAY)")
    };
    let (same_kind, end) = match &interval.last_field {
        None => (year_month, start),
        Some(_) => field(&interval.last_field).unwrap_or((!year_month, 0)),
    };
    if same_kind != year_month || end < start {
        unsupported!(position, "The interval `{interval}`");
    }
    let text = if negative { format!("-{}", text.trim()) } else { text };
    Ok(if year_month {
        Value::YearMonthInterval { months: interval::parse_year_month(&text, start, end).map_err(located)?, start, end }
    } else {
        Value::DayTimeInterval { micros: interval::parse_day_time(&text, start, end).map_err(located)?, start, end }
    })
}

fn negate_if(negated: bool, expr: Expr) -> Expr {
    if negated { !expr } else { expr }
}

/// Where an expression starts in the text.
pub fn position_of(expr: &ast::Expr) -> Position {
    expr.span().start.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_spark_types() {
        assert_eq!(number("1"), Ok(Value::Integer(1)));
        assert_eq!(number("2147483648"), Ok(Value::Long(2147483648)));
        assert_eq!(number("10L"), Ok(Value::Long(10)));
        assert_eq!(number("1.5D"), Ok(Value::Double(1.5)));
        assert_eq!(number("1E3"), Ok(Value::Double(1000.0)));
        assert_eq!(number("1.5"), Ok(Value::Decimal { value: 15, precision: 2, scale: 1 }));
        assert_eq!(number("0.25"), Ok(Value::Decimal { value: 25, precision: 2, scale: 2 }));
        assert_eq!(number("99999999999999999999"), Ok(Value::Decimal { value: 99999999999999999999, precision: 20, scale: 0 }));
        assert_eq!(number("7S"), Ok(Value::Short(7)));
        assert_eq!(number("-2147483648"), Ok(Value::Integer(i32::MIN)));
        assert_eq!(number("-128Y"), Ok(Value::Byte(-128)));
        assert!(number("128Y").unwrap_err().starts_with("[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 128 is outside the valid range for tinyint"));
        assert!(number("1E309").unwrap_err().starts_with("[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal 1E309 is outside the valid range for double"));
        assert!(number("1234567890123456789012345678901234567890").unwrap_err().starts_with("[DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION] Decimal precision 40"));
        assert_eq!(number("-1.5"), Ok(Value::Decimal { value: -15, precision: 2, scale: 1 }));
    }
}
