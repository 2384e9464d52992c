//! A select or a grouping that uses `window(ts, …)` (see `functions/time_window.rs`), rewritten as Spark's
//! analyzer rewrites it (`TimeWindowing`): the window is computed as a column named `window` by a plan node below,
//! and the select or grouping reads that column.
//!
//! - Tumbling windows (slide = window): each row is in one window — a projection adds it, over a filter that drops
//!   the rows without a time.
//! - Sliding windows: each row is in up to ⌈window / slide⌉ windows — an Expand makes one copy of the row per
//!   window, and a filter keeps the copies whose window holds the row's time (when the window is a whole number of
//!   slides every copy does, and the filter only drops rows without a time).

use std::sync::Arc;

use crate::expr::{Attribute, BinaryOp, Expr, ExprId, lit};
use crate::functions::{CollectionFunction, ScalarFunction, TimeWindowFunction};
use crate::logical::LogicalPlan;
use crate::types::SparkType;
use crate::{EngineError, Result};

use super::DataFrame;

/// A `window(time, window, slide, start)` call's parts.
struct TimeWindow {
    call: Expr,
    time: Expr,
    window: i64,
    slide: i64,
    start: i64,
}

impl DataFrame {
    /// `exprs` reading the time window they use from a `window` column of a plan over `self`, and that plan — or
    /// `None` when no expression uses one.
    pub(super) fn with_time_window(&self, exprs: &[Expr]) -> Result<Option<(DataFrame, Vec<Expr>)>> {
        let mut calls: Vec<Expr> = Vec::new();
        for expr in exprs {
            collect_windows(expr, &mut calls);
        }
        let Some(call) = calls.first() else { return Ok(None) };
        if calls.len() > 1 {
            return Err(EngineError::Analysis(
                "Multiple time/session window expressions would result in a cartesian product of rows, therefore \
                 they are currently not supported."
                    .into(),
            ));
        }
        let window = TimeWindow::of(call)?;
        // The column keeps the id of the `window` alias the select list gave the call, so the select reads it.
        let id = exprs
            .iter()
            .find_map(|e| match e {
                Expr::Alias { expr, name, id } if **expr == window.call && name == "window" => Some(*id),
                _ => None,
            })
            .unwrap_or_else(ExprId::next);
        let column = Attribute::new("window", call.data_type(), false).with_id(id);
        let below = self.with_plan(window.plan(&column, &self.plan));
        let rewritten = exprs.iter().map(|e| window.read_from(e.clone(), &column)).collect();
        Ok(Some((below, rewritten)))
    }
}

fn collect_windows(expr: &Expr, calls: &mut Vec<Expr>) {
    if is_window_call(expr) {
        if !calls.contains(expr) {
            calls.push(expr.clone());
        }
        return;
    }
    for child in expr.children() {
        collect_windows(child, calls);
    }
}

fn is_window_call(expr: &Expr) -> bool {
    matches!(expr, Expr::Function { function: ScalarFunction::TimeWindow(TimeWindowFunction::Window), .. })
}

impl TimeWindow {
    fn of(call: &Expr) -> Result<Self> {
        let Expr::Function { args, .. } = call else { return Err(EngineError::Internal("not a window call".into())) };
        // The analyzer may have cast the constant to the LONG it already is.
        let micros = |i: usize| {
            let constant = match &args[i] {
                Expr::Cast { expr, .. } => expr.as_ref(),
                other => other,
            };
            match constant {
                Expr::Literal(value) => value.as_i64(),
                _ => None,
            }
            .ok_or_else(|| EngineError::Internal("a window duration that is no whole constant".into()))
        };
        Ok(Self { call: call.clone(), time: args[0].clone(), window: micros(1)?, slide: micros(2)?, start: micros(3)? })
    }

    /// The plan that adds the `window` column to `input`'s columns.
    fn plan(&self, column: &Attribute, input: &Arc<LogicalPlan>) -> LogicalPlan {
        let columns: Vec<Expr> = input.output().into_iter().map(Expr::Attribute).collect();
        let has_time = Expr::IsNotNull(Box::new(self.time.clone()));
        if self.window == self.slide {
            let filtered = Arc::new(LogicalPlan::Filter { condition: has_time, input: input.clone() });
            let window = Expr::Alias { expr: Box::new(self.bounds(0)), name: "window".into(), id: column.id };
            let exprs = std::iter::once(window).chain(columns).collect();
            return LogicalPlan::Project { exprs, input: filtered };
        }
        let copies = (self.window + self.slide - 1) / self.slide;
        let projections = (0..copies).map(|i| std::iter::once(self.bounds(i)).chain(columns.iter().cloned()).collect()).collect();
        let output = std::iter::once(column.clone()).chain(input.output()).collect();
        let expanded = Arc::new(LogicalPlan::Expand { projections, output, input: input.clone() });
        let condition = if self.window % self.slide == 0 {
            has_time
        } else {
            let field = |name: &str| {
                let get_field = ScalarFunction::Collection(CollectionFunction::GetField);
                Expr::Function { function: get_field, args: vec![Expr::Attribute(column.clone()), lit(name)] }
            };
            self.time.clone().gt_eq(field("start")).and(self.time.clone().lt(field("end")))
        };
        LogicalPlan::Filter { condition, input: expanded }
    }

    /// The `i`th window a row is in, counted back from the latest, as Spark computes it.
    fn bounds(&self, i: i64) -> Expr {
        let ntz = self.time.data_type() == SparkType::TimestampNtz;
        let micros = Expr::Function { function: ScalarFunction::TimeWindow(TimeWindowFunction::ToMicros), args: vec![self.time.clone()] };
        let binary = |op, left: Expr, right: Expr| Expr::Binary { op, left: Box::new(left), right: Box::new(right) };
        let remainder = binary(BinaryOp::Remainder, micros.clone().minus(lit(self.start)), lit(self.slide));
        let negative = remainder.clone().lt(lit(0i64));
        let into_range = Expr::CaseWhen { branches: vec![(negative, remainder.clone().plus(lit(self.slide)))], otherwise: Some(Box::new(remainder)) };
        let start = micros.minus(into_range).minus(lit(i * self.slide));
        let end = start.clone().plus(lit(self.window));
        let as_time = |micros: Expr| {
            let time = Expr::Function { function: ScalarFunction::TimeWindow(TimeWindowFunction::FromMicros { ntz }), args: vec![micros] };
            Expr::Function { function: ScalarFunction::TimeWindow(TimeWindowFunction::KnownNullable), args: vec![time] }
        };
        Expr::Function {
            function: ScalarFunction::Collection(CollectionFunction::NamedStruct),
            args: vec![lit("start"), as_time(start), lit("end"), as_time(end)],
        }
    }

    /// `expr` with the window call replaced by the column; the call named `window` becomes the column itself.
    fn read_from(&self, expr: Expr, column: &Attribute) -> Expr {
        if let Expr::Alias { expr: inner, name, .. } = &expr
            && **inner == self.call
            && name == "window"
        {
            return Expr::Attribute(column.clone());
        }
        let replaced: Result<Expr, std::convert::Infallible> =
            expr.transform_up(&mut |e| Ok(if e == self.call { Expr::Attribute(column.clone()) } else { e }));
        replaced.unwrap_or_else(|never| match never {})
    }
}
