//! Tracebacks as Python prints them, about the user's program only: frames inside Kindling's prelude are left out,
//! lines of the lowered program are mapped back to the user's lines, and an exception raised by the engine gets
//! its PySpark class name (`pyspark.errors.exceptions.captured.AnalysisException`).

use monty_types::{ExcType, MontyException};

use crate::lowering::LineMap;

/// An uncaught exception of the user's program.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonError {
    /// The whole traceback text, ending with `Class: message`.
    pub traceback: String,
    /// The user's line the innermost frame of their program points at (1-based), if any.
    pub line: Option<usize>,
    /// The last line: `Class: message`.
    pub summary: String,
}

/// How the interpreter names the user's program: the prelude is fed first (`<python-input-0>`), the program
/// second; a worker's calls into the program come after.
pub const PROGRAM_FILE: &str = "<python-input-1>";

pub struct Source<'a> {
    pub file_name: &'a str,
    pub text: &'a str,
    pub lines: &'a LineMap,
}

/// Renders `exception`; `class_name` replaces the interpreter's class for exceptions the host raised.
pub fn render(exception: &MontyException, source: &Source<'_>, class_name: Option<String>) -> PythonError {
    let class = class_name.unwrap_or_else(|| exception.exc_type().to_string());
    let summary = match exception.message() {
        Some(message) if !message.is_empty() => format!("{class}: {message}"),
        _ => class,
    };
    if exception.exc_type() == ExcType::SyntaxError {
        return syntax_error(exception, source, summary);
    }
    let mut text = String::new();
    let mut line = None;
    // Only the user's own lines: not the prelude's, nor the call a worker makes into the program.
    let frames: Vec<_> = exception.traceback().iter().filter(|f| f.filename == PROGRAM_FILE).collect();
    if !frames.is_empty() {
        text.push_str("Traceback (most recent call last):\n");
    }
    for frame in frames {
        let user_line = source.lines.original(frame.start.line as usize);
        let name = frame.frame_name.as_deref().unwrap_or("<module>");
        text.push_str(&format!("  File \"{}\", line {user_line}, in {name}\n", source.file_name));
        line = Some(user_line);
        if let Some(code) = source.text.lines().nth(user_line - 1) {
            text.push_str(&format!("    {}\n", code.trim()));
        }
    }
    text.push_str(&summary);
    PythonError { traceback: text, line, summary }
}

/// A syntax error the interpreter found.
fn syntax_error(exception: &MontyException, source: &Source<'_>, summary: String) -> PythonError {
    let Some(frame) = exception.traceback().last() else {
        return PythonError { traceback: summary.clone(), line: None, summary };
    };
    located_syntax_error(source, frame.start.line as usize, frame.start.column as usize, summary)
}

/// A syntax error the parser found at byte `offset` of the user's program.
pub fn parse_error(source: &Source<'_>, message: &str, offset: usize) -> PythonError {
    let before = &source.text[..offset.min(source.text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    located_syntax_error(source, line, column, format!("SyntaxError: {message}"))
}

/// As Python prints it: the file and line, the line itself with a caret under `column` (1-based), the message.
fn located_syntax_error(source: &Source<'_>, line: usize, column: usize, summary: String) -> PythonError {
    let mut text = format!("  File \"{}\", line {line}\n", source.file_name);
    if let Some(code) = source.text.lines().nth(line.saturating_sub(1)) {
        let trimmed = code.trim_start();
        let column = column.saturating_sub(1 + code.chars().count() - trimmed.chars().count());
        text.push_str(&format!("    {}\n    {}^\n", trimmed.trim_end(), " ".repeat(column)));
    }
    text.push_str(&summary);
    PythonError { traceback: text, line: Some(line), summary }
}
