//! The SQL front end's one error type: Spark's `ParseException` and `AnalysisException`, located in the text.

use kindling_engine::EngineError;
use sqlparser::tokenizer::Location;

/// A place in the SQL text: line and column, both counted from 1 (Spark prints the column counted from 0, as `pos`).
/// Places order by line, then column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl Position {
    pub fn new(line: u64, column: u64) -> Self {
        Self { line: line.max(1), column: column.max(1) }
    }

    /// Spark's 0-based `pos`.
    pub fn pos(self) -> u64 {
        self.column - 1
    }
}

impl From<Location> for Position {
    fn from(location: Location) -> Self {
        Self::new(location.line, location.column)
    }
}

/// Everything that can go wrong between SQL text and a DataFrame.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    /// The text is not SQL (Spark's `ParseException`): printed like Spark's, with the text and a marker.
    #[error("{}", parse_message(.message, .position, .sql))]
    Parse { message: String, position: Position, sql: String },
    /// The SQL names something that does not exist or is used wrongly (Spark's `AnalysisException`), or uses
    /// a feature Kindling does not have.
    #[error("{message}; line {} pos {}", .position.line, .position.pos())]
    Analysis { message: String, position: Position },
    /// A failure while running the query (ANSI errors, unreadable files).
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl SqlError {
    /// Where in the text the error is, if it is located.
    pub fn position(&self) -> Option<Position> {
        match self {
            SqlError::Parse { position, .. } | SqlError::Analysis { position, .. } => Some(*position),
            SqlError::Engine(_) => None,
        }
    }
}

pub type Result<T, E = SqlError> = std::result::Result<T, E>;

/// Returns early with an [`SqlError::Analysis`] at `position`, formatted like `format!`.
#[macro_export]
macro_rules! analysis_error {
    ($position:expr, $($arg:tt)*) => {
        return Err($crate::error::SqlError::Analysis { message: format!($($arg)*), position: $position.into() })
    };
}

/// Returns early with Spark's `UNSUPPORTED_FEATURE` error for something Kindling cannot run yet.
#[macro_export]
macro_rules! unsupported {
    ($position:expr, $($arg:tt)*) => {
        return Err($crate::error::SqlError::Analysis {
            message: format!(
                "[UNSUPPORTED_FEATURE] {} is not supported by Kindling yet (real Spark runs it). SQLSTATE: 0A000",
                format!($($arg)*)
            ),
            position: $position.into(),
        })
    };
}

/// Spark's layout: the message's first line with `(line L, pos P)`, its other lines, then the SQL up to that line,
/// a `---^^^` marker under the place, and the rest of the SQL.
fn parse_message(message: &str, position: &Position, sql: &str) -> String {
    let (first, details) = message.split_once('\n').map_or((message, String::new()), |(f, d)| (f, format!("\n{d}")));
    let lines: Vec<&str> = sql.lines().collect();
    let split = (position.line as usize).min(lines.len());
    let marker = format!("{}^^^", "-".repeat(position.pos() as usize));
    let mut shown: Vec<&str> = lines[..split].to_vec();
    shown.push(&marker);
    shown.extend(&lines[split..]);
    format!("{first} (line {}, pos {}){details}\n\n== SQL ==\n{}\n", position.line, position.pos(), shown.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_mark_the_place_under_its_line() {
        let error = SqlError::Parse {
            message: "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601".into(),
            position: Position::new(3, 12),
            sql: "SELECT id FROM green\nWHERE id >\n  'x' GROUP\nLIMIT 1".into(),
        };
        assert_eq!(
            error.to_string(),
            "[PARSE_SYNTAX_ERROR] Syntax error at or near end of input. SQLSTATE: 42601 (line 3, pos 11)\n\n== SQL ==\n\
             SELECT id FROM green\nWHERE id >\n  'x' GROUP\n-----------^^^\nLIMIT 1\n"
        );
    }

    #[test]
    fn analysis_errors_end_with_line_and_pos() {
        let error = SqlError::Analysis { message: "[X] y. SQLSTATE: 1".into(), position: Position::new(2, 8) };
        assert_eq!(error.to_string(), "[X] y. SQLSTATE: 1; line 2 pos 7");
    }
}
