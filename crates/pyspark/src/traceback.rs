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

/// How the interpreter names the sources it runs: the prelude is fed first, the program second.
pub const PRELUDE_FILE: &str = "<python-input-0>";
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
    let frames: Vec<_> = exception.traceback().iter().filter(|f| f.filename != PRELUDE_FILE).collect();
    if !frames.is_empty() {
        text.push_str("Traceback (most recent call last):\n");
    }
    for frame in frames {
        let user_line = source.lines.original(frame.start.line as usize);
        let file = if frame.filename == PROGRAM_FILE { source.file_name } else { frame.filename.as_str() };
        let name = frame.frame_name.as_deref().unwrap_or("<module>");
        text.push_str(&format!("  File \"{file}\", line {user_line}, in {name}\n"));
        if frame.filename == PROGRAM_FILE {
            line = Some(user_line);
            if let Some(code) = source.text.lines().nth(user_line - 1) {
                text.push_str(&format!("    {}\n", code.trim()));
            }
        }
    }
    text.push_str(&summary);
    PythonError { traceback: text, line, summary }
}

/// A syntax error as Python prints it: the file and line, the line itself with a caret, the message.
fn syntax_error(exception: &MontyException, source: &Source<'_>, summary: String) -> PythonError {
    let Some(frame) = exception.traceback().last() else {
        return PythonError { traceback: summary.clone(), line: None, summary };
    };
    let line = frame.start.line as usize;
    let mut text = format!("  File \"{}\", line {line}\n", source.file_name);
    if let Some(code) = source.text.lines().nth(line.saturating_sub(1)) {
        let trimmed = code.trim_start();
        let column = (frame.start.column as usize).saturating_sub(1 + code.len() - trimmed.len());
        text.push_str(&format!("    {}\n    {}^\n", trimmed.trim_end(), " ".repeat(column)));
    }
    text.push_str(&summary);
    PythonError { traceback: text, line: Some(line), summary }
}
