//! Parameter markers: `spark.sql("SELECT * FROM t WHERE fare > :least", args={"least": 10})` binds `:least`, and
//! `args=[10]` binds each `?` in the order they are written. A bound marker is its value as a literal, so the
//! column it makes is named after the value (`select ?` with `[21]` gives a column `21`), as in Spark.

use std::sync::Arc;

use kindling_engine::expr::Expr;
use sqlparser::dialect::SparkSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::analysis_error;
use crate::error::{Position, Result};

/// The values a query's markers are bound to.
#[derive(Clone, Default)]
pub enum Parameters {
    /// No `args`: any marker is unbound.
    #[default]
    None,
    /// `args={"name": value}` for `:name` markers.
    Named(Vec<(String, Expr)>),
    /// `args=[value, …]` for `?` markers, in order.
    Positional(Vec<Expr>),
}

/// The parameters of one statement with where its `?` markers are.
#[derive(Clone, Default)]
pub struct Bound {
    parameters: Parameters,
    /// Each `?` of the text: where it is and its 0-based character offset (Spark names an unbound one `_<offset>`).
    question_marks: Vec<(Position, usize)>,
}

impl Bound {
    /// Binds `parameters` to the markers of `sql`, the text the statement is parsed from.
    pub fn new(sql: &str, parameters: Parameters) -> Arc<Self> {
        Arc::new(Bound { parameters, question_marks: question_marks(sql) })
    }

    /// The value of the marker `written` (`:name` or `?`) at `position`.
    pub fn value(&self, written: &str, position: Position) -> Result<Expr> {
        let positional = written == "?";
        match (&self.parameters, positional) {
            (Parameters::Named(_), true) | (Parameters::Positional(_), false) => analysis_error!(
                position,
                "[INVALID_QUERY_MIXED_QUERY_PARAMETERS] Parameterized query must either use positional, or named \
                 parameters, but not both. SQLSTATE: 42613"
            ),
            (Parameters::Named(values), false) => {
                let name = written.trim_start_matches(':');
                match values.iter().find(|(given, _)| given == name) {
                    Some((_, value)) => Ok(value.clone()),
                    None => unbound(name, position),
                }
            }
            (Parameters::Positional(values), true) => {
                let index = self.question_marks.iter().position(|(at, _)| *at == position);
                match index.and_then(|index| values.get(index)) {
                    Some(value) => Ok(value.clone()),
                    None => unbound(&self.positional_name(position), position),
                }
            }
            (Parameters::None, true) => unbound(&self.positional_name(position), position),
            (Parameters::None, false) => unbound(written.trim_start_matches(':'), position),
        }
    }

    fn positional_name(&self, position: Position) -> String {
        let offset = self.question_marks.iter().find(|(at, _)| *at == position).map_or(0, |(_, offset)| *offset);
        format!("_{offset}")
    }
}

fn unbound<T>(name: &str, position: Position) -> Result<T> {
    analysis_error!(
        position,
        "[UNBOUND_SQL_PARAMETER] Found the unbound parameter: {name}. Please, fix `args` and provide a mapping of \
         the parameter to either a SQL literal or collection constructor functions such as `map()`, `array()`, \
         `struct()`. SQLSTATE: 42P02"
    )
}

/// Where each `?` of `sql` is. A text that does not tokenize has none (its parse error is reported elsewhere).
fn question_marks(sql: &str) -> Vec<(Position, usize)> {
    let Ok(tokens) = Tokenizer::new(&SparkSqlDialect {}, sql).tokenize_with_location() else { return Vec::new() };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(sql.chars().enumerate().filter(|(_, c)| *c == '\n').map(|(i, _)| i + 1))
        .collect();
    tokens
        .iter()
        .filter(|token| matches!(&token.token, Token::Placeholder(text) if text == "?"))
        .map(|token| {
            let start = token.span.start;
            let line_start = line_starts.get(start.line as usize - 1).copied().unwrap_or(0);
            (Position::from(start), line_start + start.column as usize - 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::expr::lit;

    #[test]
    fn question_marks_are_bound_in_order_and_unbound_ones_named_by_offset() {
        let bound = Bound::new("select ?,\n ?", Parameters::Positional(vec![lit(1i32)]));
        assert_eq!(bound.value("?", Position::new(1, 8)).unwrap().sql_name(), "1");
        let error = bound.value("?", Position::new(2, 2)).unwrap_err().to_string();
        assert!(error.contains("unbound parameter: _11."), "{error}");
    }

    #[test]
    fn named_and_positional_markers_do_not_mix() {
        let bound = Bound::new("select :a, ?", Parameters::Named(vec![("a".into(), lit(1i32))]));
        assert_eq!(bound.value(":a", Position::new(1, 8)).unwrap().sql_name(), "1");
        assert!(bound.value("?", Position::new(1, 12)).unwrap_err().to_string().contains("MIXED_QUERY_PARAMETERS"));
    }
}
