//! Tracebacks as Python prints them, about the user's program only: frames inside Kindling's prelude are left out,
//! lines of the lowered program are mapped back to the user's lines, and an exception raised by the engine gets
//! its PySpark class name (`pyspark.errors.exceptions.captured.AnalysisException`).

use std::sync::Arc;

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

/// One program or notebook cell the user wrote, as the interpreter ran it.
pub struct ProgramText {
    /// The interpreter's name for it: `<python-input-N>`, the N-th text fed to the session (the prelude is 0).
    pub script: String,
    /// The name tracebacks show: `main.py`, a notebook cell's name.
    pub file_name: String,
    pub text: String,
    /// From the lowered program's lines back to the user's.
    pub lines: LineMap,
}

/// Renders `exception`; `class_name` replaces the interpreter's class for exceptions the host raised.
/// `programs` are every text the session ran, oldest first; frames in other code (the prelude) are left out, and
/// `line` is set when the innermost frame is in the newest program.
pub fn render(exception: &MontyException, programs: &[Arc<ProgramText>], class_name: Option<String>) -> PythonError {
    let class = class_name.unwrap_or_else(|| exception.exc_type().to_string());
    let summary = match exception.message() {
        Some(message) if !message.is_empty() => format!("{class}: {}", unsupported_syntax(message).unwrap_or_else(|| message.to_string())),
        _ => class,
    };
    let program_of = |script: &str| programs.iter().rev().find(|program| program.script == script);
    if exception.exc_type() == ExcType::SyntaxError {
        return syntax_error(exception, &program_of, programs.last(), summary);
    }
    let mut text = String::new();
    let mut line = None;
    // Only the user's own lines: not the prelude's, nor the call a worker makes into the program.
    let frames: Vec<_> = exception.traceback().iter().filter_map(|f| Some((f, program_of(&f.filename)?))).collect();
    if !frames.is_empty() {
        text.push_str("Traceback (most recent call last):\n");
    }
    for (frame, program) in frames {
        let user_line = program.lines.original(frame.start.line as usize);
        let name = frame.frame_name.as_deref().unwrap_or("<module>");
        text.push_str(&format!("  File \"{}\", line {user_line}, in {name}\n", program.file_name));
        let newest = programs.last().is_some_and(|last| Arc::ptr_eq(last, program));
        line = newest.then_some(user_line);
        if let Some(code) = program.text.lines().nth(user_line - 1) {
            text.push_str(&format!("    {}\n", code.trim()));
        }
    }
    text.push_str(&summary);
    if let Some(hint) = sandbox_hint(exception) {
        text.push('\n');
        text.push_str(&hint);
    }
    PythonError { traceback: text, line, summary }
}

/// The interpreter's "does not yet support <syntax>" in a learner's words: what Kindling's Python lacks, and what
/// to write instead where there is a near alternative.
fn unsupported_syntax(message: &str) -> Option<String> {
    let what = message.strip_prefix("The monty syntax parser does not yet support ")?;
    let instead = match what {
        "class inheritance and metaclasses" => {
            " Write the methods on the class itself, or share code through plain functions (or by keeping an \
             instance of the other class in an attribute)."
        }
        "method decorators (classmethod/staticmethod/property)" => " Use a plain method, or a function outside the class.",
        "yield expressions" | "yield from expressions" => " Build and return a list instead of a generator.",
        "the 'del' statement" => " Assign None instead, or build a new list or dict without the entry.",
        "starred expressions (*expr)" => " Join lists with +, or pass the arguments one by one.",
        _ => "",
    };
    Some(format!("Kindling's Python sandbox does not support {what}.{instead}"))
}

/// What to write instead, where the error comes from something Kindling's sandbox lacks rather than from a
/// mistake: PySpark reads any other attribute of a Column as a struct field (`window.start`), which takes
/// `__getattr__`, a hook the sandbox's classes do not have.
fn sandbox_hint(exception: &MontyException) -> Option<String> {
    if exception.exc_type() != ExcType::AttributeError {
        return None;
    }
    let field = exception.message()?.strip_prefix("'Column' object has no attribute '")?.strip_suffix('\'')?;
    Some(format!(
        "(In Kindling a struct field is not read as an attribute of its Column: write col['{field}'] or \
         col.getField('{field}').)"
    ))
}

/// A syntax error the interpreter found.
fn syntax_error<'a>(
    exception: &MontyException,
    program_of: &dyn Fn(&str) -> Option<&'a Arc<ProgramText>>,
    newest: Option<&'a Arc<ProgramText>>,
    summary: String,
) -> PythonError {
    let frame = exception.traceback().last();
    let Some((frame, program)) = frame.and_then(|frame| Some((frame, program_of(&frame.filename).or(newest)?))) else {
        return PythonError { traceback: summary.clone(), line: None, summary };
    };
    located_syntax_error(program, frame.start.line as usize, frame.start.column as usize, summary)
}

/// A syntax error the parser found at byte `offset` of the user's program.
pub fn parse_error(source: &ProgramText, message: &str, offset: usize) -> PythonError {
    let before = &source.text[..offset.min(source.text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    located_syntax_error(source, line, column, format!("SyntaxError: {message}"))
}

/// As Python prints it: the file and line, the line itself with a caret under `column` (1-based), the message.
fn located_syntax_error(source: &ProgramText, line: usize, column: usize, summary: String) -> PythonError {
    let mut text = format!("  File \"{}\", line {line}\n", source.file_name);
    if let Some(code) = source.text.lines().nth(line.saturating_sub(1)) {
        let trimmed = code.trim_start();
        let column = column.saturating_sub(1 + code.chars().count() - trimmed.chars().count());
        text.push_str(&format!("    {}\n    {}^\n", trimmed.trim_end(), " ".repeat(column)));
    }
    text.push_str(&summary);
    PythonError { traceback: text, line: Some(line), summary }
}
