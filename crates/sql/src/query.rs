//! A SQL query → a DataFrame, clause by clause, in the order Spark evaluates them:
//! `WITH` → `FROM` (and joins) → `WHERE` → `GROUP BY` → `HAVING` → `SELECT` → `DISTINCT` → `UNION` → `ORDER BY` →
//! `LIMIT`. Each clause becomes the DataFrame method a PySpark user would call, so a SQL query and its DataFrame
//! twin have the same plan.

use std::convert::Infallible;
use std::sync::Arc;

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::Schema;
use kindling_engine::EngineError;
use kindling_engine::dataframe::{DataFrame, JoinOn};
use kindling_engine::expr::{Expr, lit};
use kindling_engine::io::Table;
use kindling_engine::io::csv::CsvOptions;
use kindling_engine::session::Session;
use kindling_engine::sort::SortOrder;
use kindling_engine::value::Value;
use sqlparser::ast::{
    self, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, OrderByKind, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, SetOperator, SetQuantifier, Spanned, TableFactor,
};

use crate::error::{Position, Result, SqlError};
use crate::expression::{Translator, position_of};
use crate::inline_table::inline_table;
use crate::parameters::Bound;
use crate::{analysis_error, unsupported};

/// Plans the queries of one statement.
pub struct Planner<'a> {
    session: &'a Arc<Session>,
    translator: Translator,
    /// The `WITH` names in scope, innermost last.
    ctes: Vec<(String, DataFrame)>,
}

/// One item of the select list: the expression as written (with its alias) and without the alias, which is
/// what `GROUP BY 1` and `ORDER BY <expression>` refer to.
struct Item {
    expr: Expr,
    inner: Expr,
    alias: Option<String>,
}

impl<'a> Planner<'a> {
    pub fn new(session: &'a Arc<Session>, parameters: Arc<Bound>) -> Self {
        let subquery = scalar_subquery(session.clone(), parameters.clone());
        let translator = Translator::with_scalar_subqueries(subquery, parameters, session.catalog.clone());
        Self { session, translator, ctes: Vec::new() }
    }

    /// The engine's analysis errors, pointed at the place in the text they are about.
    pub fn located<T>(&self, result: kindling_engine::Result<T>, fallback: Position) -> Result<T> {
        result.map_err(|error| match error {
            EngineError::ColumnNotFound { ref name, .. } => {
                let position = self.translator.locate(name).unwrap_or(fallback);
                SqlError::Analysis { message: error.to_string(), position }
            }
            EngineError::Analysis(message) => SqlError::Analysis { message, position: fallback },
            other => SqlError::Engine(other),
        })
    }

    pub fn query(&mut self, query: &ast::Query) -> Result<DataFrame> {
        let position: Position = query.span().start.into();
        if query.fetch.is_some() || !query.locks.is_empty() || query.for_clause.is_some() || query.settings.is_some()
            || query.format_clause.is_some() || !query.pipe_operators.is_empty()
        {
            unsupported!(position, "This form of query (FETCH, FOR, SETTINGS, FORMAT or |>)");
        }
        let scope = self.ctes.len();
        if let Some(with) = &query.with {
            self.with(with)?;
        }
        let order = match &query.order_by {
            None => None,
            Some(ast::OrderBy { kind: OrderByKind::Expressions(keys), interpolate: None }) => Some(keys.as_slice()),
            Some(other) => unsupported!(position_of_order(other, position), "`{other}`"),
        };
        let ordered = match (query.body.as_ref(), order) {
            (SetExpr::Select(select), order) => self.select(select, order)?,
            (body, Some(order)) => {
                let combined = self.set_expr(body)?;
                self.sort_output(combined, None, &[], order)?
            }
            (body, None) => self.set_expr(body)?,
        };
        let limited = match &query.limit_clause {
            None => ordered,
            Some(limit) => ordered.limit(self.limit(limit, position)?),
        };
        self.ctes.truncate(scope);
        Ok(limited)
    }

    fn with(&mut self, with: &ast::With) -> Result<()> {
        if with.recursive {
            unsupported!(with.with_token.0.span.start, "WITH RECURSIVE");
        }
        for (i, cte) in with.cte_tables.iter().enumerate() {
            let name = &cte.alias.name;
            if with.cte_tables[..i].iter().any(|earlier| earlier.alias.name.value.eq_ignore_ascii_case(&name.value)) {
                analysis_error!(
                    name.span.start,
                    "[DUPLICATED_CTE_NAMES] CTE definition can't have duplicate names: `{}`. SQLSTATE: 42602",
                    name.value
                );
            }
            let df = self.query(&cte.query)?;
            let names: Vec<&str> = cte.alias.columns.iter().map(|c| c.name.value.as_str()).collect();
            let df = if names.is_empty() { df } else { self.with_column_names(df, &names, name.span.start.into())? };
            self.ctes.push((name.value.clone(), df.alias(&name.value)));
        }
        Ok(())
    }

    fn set_expr(&mut self, body: &SetExpr) -> Result<DataFrame> {
        match body {
            SetExpr::Select(select) => self.select(select, None),
            SetExpr::Query(query) => self.query(query),
            SetExpr::SetOperation { left, op: SetOperator::Union, set_quantifier, right } => {
                let position: Position = body.span().start.into();
                let (left, right) = (self.set_expr(left)?, self.set_expr(right)?);
                let all = self.located(left.union(&right), position)?;
                match set_quantifier {
                    SetQuantifier::All => Ok(all),
                    SetQuantifier::None | SetQuantifier::Distinct => self.located(all.distinct(), position),
                    other => unsupported!(position, "UNION {other}"),
                }
            }
            SetExpr::SetOperation { left, op: op @ (SetOperator::Intersect | SetOperator::Except | SetOperator::Minus), set_quantifier, right } => {
                let position: Position = body.span().start.into();
                let (left, right) = (self.set_expr(left)?, self.set_expr(right)?);
                let combined = match (op, set_quantifier) {
                    (SetOperator::Intersect, SetQuantifier::All) => left.intersect_all(&right),
                    (_, SetQuantifier::All) => left.except_all(&right),
                    (SetOperator::Intersect, _) => left.intersect(&right),
                    _ => left.subtract(&right),
                };
                self.located(combined, position)
            }
            SetExpr::Values(values) => inline_table(self.session, &mut self.translator, values, &[]),
            other => unsupported!(other.span().start, "`{}` inside a query", first_words(&other.to_string())),
        }
    }

    fn limit(&mut self, limit: &LimitClause, position: Position) -> Result<usize> {
        let LimitClause::LimitOffset { limit: Some(count), offset: None, limit_by } = limit else {
            unsupported!(position, "OFFSET");
        };
        if !limit_by.is_empty() {
            unsupported!(position, "LIMIT BY");
        }
        let expr = self.translator.expr(count)?;
        let at = position_of(count);
        let invalid = |kind: &str, why: String| -> Result<usize> {
            analysis_error!(
                at,
                "[INVALID_LIMIT_LIKE_EXPRESSION.{kind}] The limit like expression \"{}\" is invalid. {why} SQLSTATE: \
                 42K0E",
                expr.sql_name()
            )
        };
        if reads_columns(&expr) {
            return invalid("IS_UNFOLDABLE", "The limit expression must evaluate to a constant value.".into());
        }
        // A constant expression (`2 + 1`, `CAST(1 AS INT)`) is worked out now, as Spark does.
        let value = crate::inline_table::constant_value(expr.clone(), at)?;
        match value {
            Value::Null => invalid("IS_NULL", "The evaluated expression must not be null.".into()),
            Value::Byte(_) | Value::Short(_) | Value::Integer(_) => match value.as_i64() {
                Some(n) if n >= 0 => Ok(n as usize),
                Some(n) => invalid("IS_NEGATIVE", format!("The expression must be equal to or greater than 0, but got {n}.")),
                None => invalid("IS_NULL", "The evaluated expression must not be null.".into()),
            },
            other => invalid(
                "DATA_TYPE",
                format!("The expression must be integer type, but got \"{}\".", other.spark_type().simple_string().to_uppercase()),
            ),
        }
    }

    fn select(&mut self, select: &ast::Select, order: Option<&[ast::OrderByExpr]>) -> Result<DataFrame> {
        let position: Position = select.select_token.0.span.start.into();
        check_select_is_supported(select, position)?;
        self.translator.set_named_windows(&select.named_window)?;
        let input = self.from(&select.from, position)?;
        let input = match &select.selection {
            Some(condition) => self.filter(input, condition)?,
            None => input,
        };
        let items = self.items(&select.projection, &input)?;
        if let Some((keys, sets)) = crate::grouping_sets::grouping_sets(&select.group_by) {
            let keys = keys.iter().map(|key| self.group_key(key, &items, &input)).collect::<Result<Vec<_>>>()?;
            let copies = crate::grouping_sets::expanded(&input, &keys, &sets, position)?;
            let key_names: Vec<String> = copies.keys.iter().map(|k| k.name.clone()).collect();
            let items = items
                .into_iter()
                .map(|item| {
                    let inner = crate::grouping_sets::over_key_copies(item.inner.clone(), &keys, &copies.keys);
                    let inner = kindling_engine::dataframe::grouping_sets::over_grouping_id(inner, &key_names, &copies.id)
                        .map_err(|error| SqlError::Analysis { message: error.to_string(), position })?;
                    let name = item.alias.clone().unwrap_or_else(|| item.inner.sql_name());
                    Ok(Item { expr: inner.clone().alias(&name), inner, alias: Some(name) })
                })
                .collect::<Result<Vec<_>>>()?;
            let keys = copies.keys.iter().chain([&copies.id]).cloned().map(Expr::Attribute).collect();
            let distinct = matches!(select.distinct, Some(ast::Distinct::Distinct));
            return self.aggregate(copies.df, items, keys, select.having.as_ref(), distinct, order, position);
        }
        let keys = match &select.group_by {
            GroupByExpr::Expressions(keys, modifiers) if modifiers.is_empty() => {
                keys.iter().map(|key| self.group_key(key, &items, &input)).collect::<Result<Vec<_>>>()?
            }
            GroupByExpr::All(modifiers) if modifiers.is_empty() => group_by_all(&items, position)?,
            other => unsupported!(position, "`{other}`"),
        };
        let aggregating = !keys.is_empty()
            || select.having.is_some()
            || items.iter().any(|i| i.expr.contains_aggregate())
            || matches!(select.group_by, GroupByExpr::All(_));
        let distinct = matches!(select.distinct, Some(ast::Distinct::Distinct));
        if aggregating {
            return self.aggregate(input, items, keys, select.having.as_ref(), distinct, order, position);
        }
        let exprs = items.iter().map(|i| i.expr.clone()).collect();
        let projected = self.located(input.select(exprs), position)?;
        let projected = if distinct { self.located(projected.distinct(), position)? } else { projected };
        match order {
            Some(order) => self.sort_output(projected, (!distinct).then_some(&input), &items, order),
            None => Ok(projected),
        }
    }

    /// `WHERE condition`: its plain conjuncts as one filter, then each subquery test as a join (see
    /// [`crate::subquery`]).
    fn filter(&mut self, input: DataFrame, condition: &ast::Expr) -> Result<DataFrame> {
        let mut conjuncts = Vec::new();
        split_conjuncts(condition, &mut conjuncts);
        let (tests, plain): (Vec<&ast::Expr>, Vec<&ast::Expr>) =
            conjuncts.into_iter().partition(|c| matches!(c, ast::Expr::Exists { .. } | ast::Expr::InSubquery { .. }));
        let mut filtered = input;
        if !plain.is_empty() {
            let mut translated = Vec::new();
            for conjunct in &plain {
                translated.push(self.translator.expr(conjunct)?);
            }
            let condition = translated.into_iter().reduce(Expr::and).expect("at least one conjunct");
            filtered = self.located(filtered.filter(condition), position_of(plain[0]))?;
        }
        for test in tests {
            filtered = crate::subquery::apply(self, &filtered, test)?.expect("a subquery test");
        }
        Ok(filtered)
    }

    /// An expression of the statement, translated (for a subquery's condition).
    pub fn translate(&mut self, expr: &ast::Expr) -> Result<Expr> {
        self.translator.expr(expr)
    }

    /// The rows of a `FROM` clause.
    pub fn from_clause(&mut self, from: &[ast::TableWithJoins], position: Position) -> Result<DataFrame> {
        self.from(from, position)
    }

    fn from(&mut self, from: &[ast::TableWithJoins], position: Position) -> Result<DataFrame> {
        let Some((first, rest)) = from.split_first() else {
            return self.one_row();
        };
        let mut joined = self.table_with_joins(first)?;
        for table in rest {
            let right = self.table_with_joins(table)?;
            joined = self.located(joined.cross_join(&right), position)?;
        }
        Ok(joined)
    }

    /// `SELECT 1` without FROM reads one row of no columns (Spark's `OneRowRelation`).
    fn one_row(&self) -> Result<DataFrame> {
        let schema = Arc::new(Schema::empty());
        let batch = RecordBatch::try_new_with_options(schema.clone(), vec![], &RecordBatchOptions::new().with_row_count(Some(1)))
            .map_err(EngineError::from)?;
        Ok(self.session.create_dataframe(Table { schema, batches: vec![batch] }, 1)?)
    }

    fn table_with_joins(&mut self, table: &ast::TableWithJoins) -> Result<DataFrame> {
        let mut joined = self.relation(&table.relation)?;
        for join in &table.joins {
            let right = self.relation(&join.relation)?;
            joined = self.join(joined, right, join)?;
        }
        Ok(joined)
    }

    fn relation(&mut self, factor: &TableFactor) -> Result<DataFrame> {
        let position: Position = factor.span().start.into();
        let (df, alias) = match factor {
            TableFactor::Table { name, alias, args: None, with_hints, version: None, partitions, sample: None, index_hints, json_path: None, with_ordinality: false }
                if with_hints.is_empty() && partitions.is_empty() && index_hints.is_empty() =>
            {
                (self.named_relation(name)?, alias)
            }
            TableFactor::Table { name, alias, args: Some(args), .. } if name.to_string().eq_ignore_ascii_case("range") => {
                (self.range(args, position)?, alias)
            }
            TableFactor::Derived { lateral: false, subquery, alias: Some(alias), sample: None }
                if !alias.columns.is_empty()
                    && subquery.order_by.is_none()
                    && subquery.limit_clause.is_none()
                    && let SetExpr::Values(values) = subquery.body.as_ref() =>
            {
                let names: Vec<&str> = alias.columns.iter().map(|c| c.name.value.as_str()).collect();
                let table = inline_table(self.session, &mut self.translator, values, &names)?;
                return Ok(table.alias(&alias.name.value));
            }
            TableFactor::Derived { lateral: false, subquery, alias, sample: None } => (self.query(subquery)?, alias),
            TableFactor::NestedJoin { table_with_joins, alias } => (self.table_with_joins(table_with_joins)?, alias),
            other => unsupported!(position, "The table expression `{other}`"),
        };
        match alias {
            None => Ok(df),
            Some(alias) => {
                let names: Vec<&str> = alias.columns.iter().map(|c| c.name.value.as_str()).collect();
                let renamed = if names.is_empty() { df } else { self.with_column_names(df, &names, alias.name.span.start.into())? };
                Ok(renamed.alias(&alias.name.value))
            }
        }
    }

    /// `FROM range(end)`, `range(start, end[, step[, partitions]])`: Spark's table of ids.
    fn range(&mut self, args: &ast::TableFunctionArgs, position: Position) -> Result<DataFrame> {
        let mut numbers = Vec::new();
        for arg in &args.args {
            let ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(expr)) = arg else {
                unsupported!(position, "A named argument of range()");
            };
            let value = crate::inline_table::constant_value(self.translator.expr(expr)?, position_of(expr))?;
            match value.as_i64() {
                Some(n) => numbers.push(n),
                None => analysis_error!(position_of(expr), "[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] range() takes whole numbers, not `{expr}`. SQLSTATE: 42K09"),
            }
        }
        let (start, end, step, partitions) = match numbers.as_slice() {
            [end] => (0, *end, 1, None),
            [start, end] => (*start, *end, 1, None),
            [start, end, step] => (*start, *end, *step, None),
            [start, end, step, partitions] => (*start, *end, *step, Some((*partitions).max(1) as usize)),
            _ => analysis_error!(
                position,
                "[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The `range` requires [1, 4] parameters but the actual number is {}. \
                 SQLSTATE: 42605",
                numbers.len()
            ),
        };
        self.located(self.session.range(start, end, step, partitions), position)
    }

    /// `t(a, b)` after a table or `WITH t(a, b) AS`: the relation's columns renamed, in order.
    pub fn with_column_names(&self, df: DataFrame, names: &[&str], position: Position) -> Result<DataFrame> {
        let columns = df.attributes();
        if columns.len() != names.len() {
            analysis_error!(
                position,
                "[ASSIGNMENT_ARITY_MISMATCH] The number of columns or variables assigned or aliased: {} does not match \
                 the number of source tables or expressions: {}. SQLSTATE: 42802",
                names.len(),
                columns.len()
            );
        }
        let renamed = columns.into_iter().zip(names).map(|(column, name)| Expr::Attribute(column).alias(name)).collect();
        self.located(df.select(renamed), position)
    }

    /// A CTE, a temporary view, or files: `parquet.\`path\``, `csv.\`path\``.
    fn named_relation(&mut self, name: &ast::ObjectName) -> Result<DataFrame> {
        let position: Position = name.span().start.into();
        let parts: Vec<&str> = name.0.iter().filter_map(|p| p.as_ident()).map(|i| i.value.as_str()).collect();
        match parts.as_slice() {
            [single] => {
                if let Some((_, df)) = self.ctes.iter().rev().find(|(cte, _)| cte.eq_ignore_ascii_case(single)) {
                    return Ok(df.clone());
                }
                self.located(self.session.table(single), position)
            }
            [format, path] if format.eq_ignore_ascii_case("parquet") => self.located(self.session.read_parquet(&[path]), position),
            [format, path] if format.eq_ignore_ascii_case("csv") => {
                self.located(self.session.read_csv(&[path], CsvOptions::default()), position)
            }
            _ => self.located(Err(kindling_engine::catalog::view_not_found(&name.to_string().replace('"', "`"))), position),
        }
    }

    fn join(&mut self, left: DataFrame, right: DataFrame, join: &ast::Join) -> Result<DataFrame> {
        let position: Position = join.relation.span().start.into();
        let (how, constraint) = match &join.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => ("inner", c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => ("left", c),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => ("right", c),
            JoinOperator::FullOuter(c) => ("full", c),
            JoinOperator::CrossJoin(c) => ("cross", c),
            JoinOperator::Semi(c) | JoinOperator::LeftSemi(c) => ("left_semi", c),
            JoinOperator::Anti(c) | JoinOperator::LeftAnti(c) => ("left_anti", c),
            other => unsupported!(position, "This kind of join ({other:?})"),
        };
        let (on, at) = match constraint {
            JoinConstraint::On(condition) => (JoinOn::Condition(self.translator.expr(condition)?), position_of(condition)),
            JoinConstraint::Using(names) => {
                let columns = names.iter().map(|n| n.0.iter().filter_map(|p| p.as_ident()).map(|i| i.value.clone()).collect::<Vec<_>>().join(".")).collect();
                (JoinOn::Using(columns), position)
            }
            JoinConstraint::None => (JoinOn::Nothing, position),
            JoinConstraint::Natural => (JoinOn::Using(common_columns(&left, &right)), position),
        };
        self.located(left.join(&right, on, how), at)
    }

    /// The select list, with `*` and `t.*` expanded to the input's columns.
    fn items(&mut self, projection: &[SelectItem], input: &DataFrame) -> Result<Vec<Item>> {
        let mut items = Vec::new();
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(expr) => {
                    let inner = self.translator.expr(expr)?;
                    items.push(Item { expr: inner.clone(), inner, alias: None });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let inner = self.translator.expr(expr)?;
                    items.push(Item { expr: inner.clone().alias(&alias.value), inner, alias: Some(alias.value.clone()) });
                }
                // `stack(2, 'x', 1, 'y', 2) AS (k, v)`: names for a generator's columns.
                SelectItem::ExprWithAliases { expr, aliases } => {
                    let Expr::Generator(mut generator) = self.translator.expr(expr)? else {
                        analysis_error!(
                            position_of(expr),
                            "[MULTI_ALIAS_WITHOUT_GENERATOR] Multi part aliasing ({}) is not supported with {expr} as it \
                             is not a generator function. SQLSTATE: 42K0E",
                            aliases.iter().map(|a| a.value.as_str()).collect::<Vec<_>>().join(", ")
                        );
                    };
                    generator.aliases = aliases.iter().map(|a| a.value.clone()).collect();
                    let inner = Expr::Generator(generator);
                    items.push(Item { expr: inner.clone(), inner, alias: None });
                }
                SelectItem::Wildcard(options) if options.to_string().is_empty() => {
                    items.extend(input.attributes().into_iter().filter(|a| !a.hidden).map(attribute_item));
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), options)
                    if options.to_string().is_empty() =>
                {
                    let qualifier = name.to_string();
                    let columns: Vec<_> = input
                        .attributes()
                        .into_iter()
                        .filter(|a| a.qualifier.as_deref().is_some_and(|q| q.eq_ignore_ascii_case(&qualifier)))
                        .collect();
                    if columns.is_empty() {
                        analysis_error!(
                            name.span().start,
                            "[CANNOT_RESOLVE_STAR_EXPAND] Cannot resolve `{qualifier}`.* given input columns {}. \
                             SQLSTATE: 42704",
                            input.columns().iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
                        );
                    }
                    items.extend(columns.into_iter().map(attribute_item));
                }
                other => unsupported!(other.span().start, "The select item `{other}`"),
            }
        }
        Ok(items)
    }

    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        input: DataFrame,
        items: Vec<Item>,
        keys: Vec<Expr>,
        having: Option<&ast::Expr>,
        distinct: bool,
        order: Option<&[ast::OrderByExpr]>,
        position: Position,
    ) -> Result<DataFrame> {
        if keys.is_empty() && items.iter().any(|i| !i.inner.contains_aggregate() && reads_columns(&i.inner)) {
            analysis_error!(
                position,
                "[MISSING_GROUP_BY] The query does not include a GROUP BY clause. Add GROUP BY or turn it into the \
                 window functions using OVER clauses. SQLSTATE: 42803"
            );
        }
        let grouped = self.located(input.group_by(keys), position)?;
        let having = having.map(|h| Ok::<_, SqlError>((self.translator.expr(h)?, position_of(h)))).transpose()?;
        let order_keys = match order {
            Some(order) => order.iter().map(|o| self.order_key(o, items.len())).collect::<Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        // Aggregates that only HAVING or ORDER BY use are computed as hidden columns and dropped again: before
        // the sort if only HAVING needs them, after it if ORDER BY does (where Spark puts its Project).
        let mut hidden = Vec::new();
        if let Some((condition, _)) = &having {
            collect_hidden(condition, &items, &mut hidden);
        }
        let hidden_for_having = hidden.len();
        for key in order_keys.iter().filter_map(|(k, _)| k.as_ref()) {
            collect_hidden(key, &items, &mut hidden);
        }
        let mut outputs: Vec<Expr> = items.iter().map(|i| i.expr.clone()).collect();
        outputs.extend(hidden.iter().map(|h| h.clone().alias(&h.sql_name())));
        let aggregated = self.located(grouped.select(outputs), position)?;
        let columns = aggregated.attributes();
        let visible: Vec<Expr> = columns[..items.len()].iter().cloned().map(Expr::Attribute).collect();
        let over_output = |expr: Expr| over_output(expr, &items, &hidden, &columns);
        let mut result = match having {
            Some((condition, at)) => self.located(aggregated.filter(over_output(condition)), at)?,
            None => aggregated,
        };
        let sort_needs_hidden = hidden.len() > hidden_for_having;
        if !hidden.is_empty() && !sort_needs_hidden {
            result = self.located(result.select(visible.clone()), position)?;
        }
        if distinct {
            result = self.located(result.distinct(), position)?;
        }
        if !order_keys.is_empty() {
            let order = order_keys
                .into_iter()
                .map(|(key, spec)| SortOrder { expr: key.map_or_else(|| spec.ordinal_column(&columns), over_output), ..spec.order })
                .collect::<Vec<_>>();
            result = self.located(result.order_by(order), position)?;
        }
        if sort_needs_hidden {
            result = self.located(result.select(visible), position)?;
        }
        Ok(result)
    }

    /// A GROUP BY key: an ordinal (`GROUP BY 1`) or a select alias means that select item's expression.
    fn group_key(&mut self, key: &ast::Expr, items: &[Item], input: &DataFrame) -> Result<Expr> {
        if let Some(ordinal) = ordinal(key) {
            let item = usize::try_from(ordinal - 1).ok().and_then(|i| items.get(i)).ok_or_else(|| SqlError::Analysis {
                message: format!(
                    "[GROUP_BY_POS_OUT_OF_RANGE] GROUP BY position {ordinal} is not in select list (valid range is \
                     [1, {}]). SQLSTATE: 42805",
                    items.len()
                ),
                position: position_of(key),
            })?;
            if item.inner.contains_aggregate() {
                analysis_error!(
                    position_of(key),
                    "[GROUP_BY_POS_AGGREGATE] GROUP BY {ordinal} refers to an expression {} that contains an \
                     aggregate function. Aggregate functions are not allowed in GROUP BY. SQLSTATE: 42903",
                    item.expr.sql_name()
                );
            }
            return Ok(item.inner.clone());
        }
        let translated = self.translator.expr(key)?;
        if let Expr::Column(name) = &translated
            && input.column(name).is_err()
            && let Some(item) = items.iter().find(|i| i.alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(name)))
        {
            return Ok(item.inner.clone());
        }
        Ok(translated)
    }

    /// An ORDER BY key: `None` for an ordinal (resolved once the output is known), else the expression.
    fn order_key(&mut self, key: &ast::OrderByExpr, width: usize) -> Result<(Option<Expr>, OrderSpec)> {
        if key.with_fill.is_some() {
            unsupported!(position_of(&key.expr), "WITH FILL");
        }
        let ascending = !matches!(key.options.sort, Some(ast::OrderBySort::Desc));
        let nulls_first = key.options.nulls_first.unwrap_or(ascending);
        let placeholder = SortOrder { expr: lit(0), ascending, nulls_first };
        if let Some(ordinal) = ordinal(&key.expr) {
            if ordinal < 1 || ordinal as usize > width {
                analysis_error!(
                    position_of(&key.expr),
                    "[ORDER_BY_POS_OUT_OF_RANGE] ORDER BY position {ordinal} is not in select list (valid range is \
                     [1, {width}]). SQLSTATE: 42805"
                );
            }
            return Ok((None, OrderSpec { order: placeholder, ordinal: ordinal as usize }));
        }
        Ok((Some(self.translator.expr(&key.expr)?), OrderSpec { order: placeholder, ordinal: 0 }))
    }

    /// ORDER BY over a finished select list (or a UNION): by position, by alias, by a select expression, or — when
    /// `input` is given — by any input column, sorting before the projection.
    fn sort_output(
        &mut self,
        output: DataFrame,
        input: Option<&DataFrame>,
        items: &[Item],
        order: &[ast::OrderByExpr],
    ) -> Result<DataFrame> {
        let position = order.first().map_or(Position::new(1, 1), |o| position_of(&o.expr));
        let columns = output.attributes();
        let keys = order.iter().map(|o| self.order_key(o, columns.len())).collect::<Result<Vec<_>>>()?;
        let mut sort = Vec::new();
        for (key, spec) in &keys {
            let expr = match key {
                None => spec.ordinal_column(&columns),
                Some(expr) => over_output(expr.clone(), items, &[], &columns),
            };
            sort.push(SortOrder { expr, ..spec.order.clone() });
        }
        match (output.order_by(sort.clone()), input) {
            (Ok(sorted), _) => Ok(sorted),
            (Err(EngineError::ColumnNotFound { .. }), Some(input)) => {
                self.sort_by_input_columns(input, &output, items, keys, position)
            }
            (Err(error), _) => self.located(Err(error), position),
        }
    }

    /// ORDER BY input columns the select list drops: Spark projects the select list plus those columns, sorts,
    /// then projects the select list alone.
    fn sort_by_input_columns(
        &mut self,
        input: &DataFrame,
        selected: &DataFrame,
        items: &[Item],
        keys: Vec<(Option<Expr>, OrderSpec)>,
        position: Position,
    ) -> Result<DataFrame> {
        let mut exprs: Vec<Expr> = items.iter().map(|i| i.expr.clone()).collect();
        for (key, _) in &keys {
            for name in key.iter().flat_map(column_names) {
                if selected.column(&name).is_err() && !exprs.contains(&Expr::Column(name.clone())) {
                    exprs.push(Expr::Column(name));
                }
            }
        }
        let widened = self.located(input.select(exprs), position)?;
        let columns = widened.attributes();
        let order = keys
            .into_iter()
            .map(|(key, spec)| {
                let expr = key.map_or_else(|| spec.ordinal_column(&columns), |k| over_output(k, items, &[], &columns));
                SortOrder { expr, ..spec.order }
            })
            .collect();
        let sorted = self.located(widened.order_by(order), position)?;
        let visible = columns[..items.len()].iter().cloned().map(Expr::Attribute).collect();
        self.located(sorted.select(visible), position)
    }
}

/// `GROUP BY ALL`: the select items without aggregates are the keys. An item that mixes an aggregate with
/// columns outside it leaves Spark unable to tell what to group by.
fn group_by_all(items: &[Item], position: Position) -> Result<Vec<Expr>> {
    let mixed = items.iter().any(|item| item.inner.contains_aggregate() && reads_columns_outside_aggregates(&item.inner));
    if mixed {
        analysis_error!(
            position,
            "[UNRESOLVED_ALL_IN_GROUP_BY] Cannot infer grouping columns for GROUP BY ALL based on the select clause. \
             Please explicitly specify the grouping columns. SQLSTATE: 42803"
        );
    }
    Ok(items.iter().filter(|item| !item.inner.contains_aggregate()).map(|item| item.inner.clone()).collect())
}

fn reads_columns_outside_aggregates(expr: &Expr) -> bool {
    match expr {
        Expr::Aggregate { .. } => false,
        Expr::Column(_) | Expr::Attribute(_) => true,
        other => other.children().into_iter().any(reads_columns_outside_aggregates),
    }
}

/// `NATURAL JOIN`: the column names both sides have, in the left side's order.
fn common_columns(left: &DataFrame, right: &DataFrame) -> Vec<String> {
    let right = right.columns();
    left.columns().into_iter().filter(|name| right.iter().any(|r| r.eq_ignore_ascii_case(name))).collect()
}

/// A scalar subquery (`(SELECT count(*) FROM t)`), run while the outer query is planned, as Spark runs it before
/// the query that uses it: its one value (NULL when it has no row), as a literal of its column's type. A subquery
/// that names an outer column (a correlated one) is not supported yet.
fn scalar_subquery(session: Arc<Session>, parameters: Arc<Bound>) -> crate::expression::ScalarSubquery {
    Arc::new(move |query: &ast::Query, position: Position| -> Result<Expr> {
        let rows = Planner::new(&session, parameters.clone()).query(query)?;
        let columns = rows.attributes();
        let [column] = columns.as_slice() else {
            analysis_error!(
                position,
                "[INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN] Invalid subquery: \
                 Scalar subquery must return only one column, but got {}. SQLSTATE: 42823",
                columns.len()
            );
        };
        let values = rows.limit(2).collect()?;
        let value = match values.as_slice() {
            [] => Value::Null,
            [row] => row[0].clone(),
            _ => {
                return Err(SqlError::Engine(EngineError::Runtime(
                    "[SCALAR_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery used as an expression. \
                     SQLSTATE: 21000"
                        .into(),
                )));
            }
        };
        let literal = lit(value);
        Ok(if literal.data_type() == column.data_type { literal } else { literal.cast(column.data_type.clone()) })
    })
}

/// The parts of a condition joined by top-level `AND`s, in order.
fn split_conjuncts<'e>(condition: &'e ast::Expr, into: &mut Vec<&'e ast::Expr>) {
    match condition {
        ast::Expr::BinaryOp { left, op: ast::BinaryOperator::And, right } => {
            split_conjuncts(left, into);
            split_conjuncts(right, into);
        }
        ast::Expr::Nested(inner) if matches!(inner.as_ref(), ast::Expr::BinaryOp { op: ast::BinaryOperator::And, .. }) => {
            split_conjuncts(inner, into)
        }
        other => into.push(other),
    }
}

/// The column names an (unresolved) expression reads.
fn column_names(expr: &Expr) -> Vec<String> {
    match expr {
        Expr::Column(name) => vec![name.clone()],
        other => other.children().into_iter().flat_map(column_names).collect(),
    }
}

/// How one ORDER BY key sorts, and its ordinal if it is one.
struct OrderSpec {
    order: SortOrder,
    ordinal: usize,
}

impl OrderSpec {
    fn ordinal_column(&self, columns: &[kindling_engine::expr::Attribute]) -> Expr {
        Expr::Attribute(columns[self.ordinal - 1].clone())
    }
}

/// A column of `*` or `t.*`, visible from here on even if it was a hidden `USING` key.
fn attribute_item(attribute: kindling_engine::expr::Attribute) -> Item {
    let expr = Expr::Attribute(kindling_engine::expr::Attribute { hidden: false, ..attribute });
    Item { expr: expr.clone(), inner: expr, alias: None }
}

fn reads_columns(expr: &Expr) -> bool {
    expr.any(&|e| matches!(e, Expr::Column(_) | Expr::Attribute(_)))
}

/// An integer literal in GROUP BY / ORDER BY: an ordinal (a negative one is out of range, as in Spark).
fn ordinal(expr: &ast::Expr) -> Option<i64> {
    match expr {
        ast::Expr::Value(ast::ValueWithSpan { value: ast::Value::Number(digits, _), .. }) => digits.parse().ok(),
        ast::Expr::UnaryOp { op: ast::UnaryOperator::Minus, expr } => ordinal(expr).map(|n| -n),
        _ => None,
    }
}

/// Aggregates in `expr` (HAVING / ORDER BY) that no select item computes.
fn collect_hidden(expr: &Expr, items: &[Item], hidden: &mut Vec<Expr>) {
    if items.iter().any(|i| &i.inner == expr) {
        return;
    }
    if matches!(expr, Expr::Aggregate { .. }) {
        if !hidden.contains(expr) {
            hidden.push(expr.clone());
        }
        return;
    }
    for child in expr.children() {
        collect_hidden(child, items, hidden);
    }
}

/// `expr` with every part that a select item (or hidden column) computes replaced by that output column, and
/// select aliases by their columns.
fn over_output(expr: Expr, items: &[Item], hidden: &[Expr], columns: &[kindling_engine::expr::Attribute]) -> Expr {
    let column = |i: usize| Expr::Attribute(columns[i].clone());
    if let Some(i) = items.iter().position(|item| item.inner == expr) {
        return column(i);
    }
    if let Some(i) = hidden.iter().position(|h| h == &expr) {
        return column(items.len() + i);
    }
    if let Expr::Column(name) = &expr
        && let Some(i) = items.iter().position(|item| item.alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(name)))
    {
        return column(i);
    }
    let rewritten: std::result::Result<Expr, Infallible> = expr.map_children(|child| Ok(over_output(child, items, hidden, columns)));
    rewritten.unwrap_or_else(|never| match never {})
}

fn check_select_is_supported(select: &ast::Select, position: Position) -> Result<()> {
    let unsupported_clause = [
        (matches!(select.distinct, Some(ast::Distinct::On(_))), "DISTINCT ON"),
        (select.top.is_some(), "TOP"),
        (select.into.is_some(), "SELECT INTO"),
        (!select.lateral_views.is_empty(), "LATERAL VIEW"),
        (select.prewhere.is_some(), "PREWHERE"),
        (!select.connect_by.is_empty(), "CONNECT BY"),
        (!select.cluster_by.is_empty(), "CLUSTER BY"),
        (!select.distribute_by.is_empty(), "DISTRIBUTE BY"),
        (!select.sort_by.is_empty(), "SORT BY"),
        (select.qualify.is_some(), "QUALIFY"),
        (select.exclude.is_some(), "EXCLUDE"),
        (select.value_table_mode.is_some(), "SELECT AS STRUCT"),
    ];
    if let Some((_, clause)) = unsupported_clause.iter().find(|(present, _)| *present) {
        unsupported!(position, "{clause}");
    }
    Ok(())
}

fn position_of_order(order: &ast::OrderBy, fallback: Position) -> Position {
    match &order.kind {
        OrderByKind::Expressions(keys) => keys.first().map_or(fallback, |k| position_of(&k.expr)),
        OrderByKind::All(_) => fallback,
    }
}

/// The first two words of a statement, to name it in a message.
pub fn first_words(text: &str) -> String {
    text.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}
