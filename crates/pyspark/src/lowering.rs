//! Lowering: the source rewrites that let the sandbox run PySpark code it could not run as written.
//!
//! The interpreter (monty) hands `==` to a class's `__eq__` but evaluates `<`, `<=`, `>`, `>=` and `!=` itself,
//! always to a bool; PySpark needs `df.trip_distance > 10` to build a Column. And the interpreter has no `yield`,
//! which `mapPartitions` functions use. So, on ruff's syntax tree of the user's program:
//! - a single comparison `a < b` becomes `_kindling_compare('<', a, b)` (chained comparisons stay as they are);
//! - a generator function collects what it yields into a list and returns an iterator over it — eager where
//!   Python is lazy, which is what `mapPartitions` does with it anyway;
//! - `import sys` binds the prelude's `sys`, whose `argv` holds the program's arguments: the interpreter makes a
//!   new `sys` at each import, whose `argv` is only the script's name;
//! - `len(x)` becomes `_kindling_len(x)`: the interpreter does not hand `len` to a class's `__len__`, and a `Row`
//!   (a class here, a tuple in PySpark) has a length;
//! - `from pyspark.sql.functions import *` spells out the module's `__all__` (`from … import abs, acos, …`): the
//!   interpreter has no wildcard import. Modules Kindling does not provide are left for the interpreter to refuse.
//!
//! Comparisons are rewritten within their line, so line numbers do not move. The generator rewrite adds a line at
//! the start and the end of the function body; [`LineMap`] maps lines of the rewritten text back to the user's.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Alias, CmpOp, Expr, Stmt, StmtFunctionDef, StmtImport, StmtImportFrom};
use ruff_text_size::{Ranged, TextRange, TextSize};

/// The list a lowered generator function collects into.
const OUTPUT: &str = "_kindling_yielded";

/// The public names of each module a program may import everything from, by the module's dotted path.
pub type StarNames = [(String, Vec<String>)];

/// The rewritten program and where its lines came from.
pub struct Lowered {
    pub source: String,
    pub lines: LineMap,
    /// Why the program does not parse: the parser's message and the byte offset it points at.
    pub syntax_error: Option<(String, usize)>,
}

/// Lines of the lowered text → lines of the user's text (both 1-based).
#[derive(Debug, Default, Clone)]
pub struct LineMap {
    /// Lowered lines that the rewrite inserted, ascending.
    inserted: Vec<usize>,
}

impl LineMap {
    /// The user's line for a line of the lowered text; an inserted line belongs to the line before it.
    pub fn original(&self, lowered_line: usize) -> usize {
        let inserted_before = self.inserted.iter().filter(|&&l| l < lowered_line).count();
        let line = lowered_line - inserted_before;
        if self.inserted.contains(&lowered_line) { line.saturating_sub(1).max(1) } else { line }
    }
}

/// Lowers a program. A program that does not parse is returned unchanged, with the parser's error.
pub fn lower(source: &str, star_names: &StarNames) -> Lowered {
    let parsed = match ruff_python_parser::parse_module(source) {
        Ok(parsed) => parsed,
        Err(error) => {
            let syntax_error = Some((error.error.to_string(), error.location.start().to_usize()));
            return Lowered { source: source.to_string(), lines: LineMap::default(), syntax_error };
        }
    };
    let mut collector = EditCollector { tokens: parsed.tokens(), source, star_names, edits: Vec::new() };
    collector.visit_body(&parsed.syntax().body);
    apply(source, collector.edits)
}

/// Replace `range` with `text`; an empty range inserts.
pub(crate) struct Edit {
    pub range: TextRange,
    pub text: String,
}

struct EditCollector<'a> {
    tokens: &'a Tokens,
    source: &'a str,
    star_names: &'a StarNames,
    edits: Vec<Edit>,
}

impl EditCollector<'_> {
    fn insert(&mut self, at: TextSize, text: impl Into<String>) {
        self.edits.push(Edit { range: TextRange::empty(at), text: text.into() });
    }

    fn replace(&mut self, range: TextRange, text: impl Into<String>) {
        self.edits.push(Edit { range, text: text.into() });
    }

    /// `a < b` → `_kindling_compare('<', a , b)`: the operator token becomes the comma.
    fn lower_comparison(&mut self, range: TextRange, op: CmpOp, left: &Expr, right: &Expr) {
        let gap = TextRange::new(left.end(), right.start());
        let wanted = match op {
            CmpOp::Lt => TokenKind::Less,
            CmpOp::LtE => TokenKind::LessEqual,
            CmpOp::Gt => TokenKind::Greater,
            CmpOp::GtE => TokenKind::GreaterEqual,
            CmpOp::NotEq => TokenKind::NotEqual,
            _ => return,
        };
        let Some(token) = self.tokens.in_range(gap).iter().find(|t| t.kind() == wanted) else { return };
        self.insert(range.start(), format!("_kindling_compare('{}', ", op.as_str()));
        self.replace(token.range(), ",");
        self.insert(range.end(), ")");
    }

    /// A generator function: `out = []` first, `yield x` → `out.append(x)`, `yield from xs` → `out.extend(xs)`,
    /// every `return` and the end of the body → `return iter(out)`.
    fn lower_generator(&mut self, function: &StmtFunctionDef) {
        let first = &function.body[0];
        let last = function.body.last().expect("a function has a body");
        let init = format!("{OUTPUT} = []");
        let finish = format!("return iter({OUTPUT})");
        if self.starts_line(first.start()) {
            let indent = self.indentation_of(first.start());
            self.insert(self.line_start(first.start()), format!("{indent}{init}\n"));
            self.insert(self.line_end(last.end()), format!("\n{indent}{finish}"));
        } else {
            // `def f(x): yield x` — a body of simple statements on the def line.
            self.insert(first.start(), format!("{init}; "));
            self.insert(last.end(), format!("; {finish}"));
        }
        let mut yields = YieldCollector::default();
        yields.visit_body(&function.body);
        for (range, value, from) in yields.yields {
            let method = if from { "extend" } else { "append" };
            let argument = value.map_or("None".to_string(), |v| self.source[v].to_string());
            self.replace(range, format!("{OUTPUT}.{method}({argument})"));
        }
        for range in yields.returns {
            self.replace(range, finish.clone());
        }
    }

    fn starts_line(&self, at: TextSize) -> bool {
        self.source[..at.to_usize()].rsplit('\n').next().is_none_or(|before| before.trim().is_empty())
    }

    fn line_start(&self, at: TextSize) -> TextSize {
        TextSize::new(self.source[..at.to_usize()].rfind('\n').map_or(0, |i| i + 1) as u32)
    }

    fn line_end(&self, at: TextSize) -> TextSize {
        let rest = &self.source[at.to_usize()..];
        at + TextSize::new(rest.find('\n').unwrap_or(rest.len()) as u32)
    }

    /// `import sys` → `sys = _kindling_sys`; `import os, sys` → `import os; sys = _kindling_sys` (same line).
    fn lower_import_of_sys(&mut self, import: &StmtImport) {
        let is_sys = |alias: &Alias| alias.name.as_str() == "sys" && alias.asname.is_none();
        if !import.names.iter().any(is_sys) {
            return;
        }
        let others: Vec<&str> = import.names.iter().filter(|alias| !is_sys(alias)).map(|alias| &self.source[alias.range()]).collect();
        let text = if others.is_empty() { "sys = _kindling_sys".to_string() } else { format!("import {}; sys = _kindling_sys", others.join(", ")) };
        self.edits.push(Edit { range: import.range(), text });
    }

    /// `from pyspark.sql.types import *` → `from pyspark.sql.types import StructType, StructField, …`.
    fn lower_star_import(&mut self, import: &StmtImportFrom) {
        let ([alias], 0, Some(module)) = (&*import.names, import.level, &import.module) else { return };
        if alias.name.as_str() != "*" {
            return;
        }
        if let Some((_, names)) = self.star_names.iter().find(|(path, _)| path == module.as_str()) {
            self.replace(alias.range(), names.join(", "));
        }
    }

    fn indentation_of(&self, at: TextSize) -> String {
        self.source[self.line_start(at).to_usize()..at.to_usize()].to_string()
    }
}

impl<'a> Visitor<'a> for EditCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if let Stmt::FunctionDef(function) = stmt
            && is_generator(function)
        {
            self.lower_generator(function);
        }
        match stmt {
            Stmt::Import(import) => self.lower_import_of_sys(import),
            Stmt::ImportFrom(import) => self.lower_star_import(import),
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Compare(compare) = expr
            && let ([op], [left, right]) = (&*compare.ops, &*compare.operands)
        {
            self.lower_comparison(compare.range(), *op, left, right);
        }
        if let Expr::Call(call) = expr
            && let Expr::Name(name) = call.func.as_ref()
            && name.id.as_str() == "len"
            && call.arguments.args.len() == 1
            && call.arguments.keywords.is_empty()
        {
            self.replace(name.range(), "_kindling_len");
        }
        visitor::walk_expr(self, expr);
    }
}

/// Whether a function's own body (not a nested function's or lambda's) yields as a statement.
fn is_generator(function: &StmtFunctionDef) -> bool {
    let mut yields = YieldCollector::default();
    yields.visit_body(&function.body);
    !yields.yields.is_empty()
}

/// The `yield` statements and `return`s of one function body, without descending into nested scopes.
#[derive(Default)]
struct YieldCollector {
    /// (statement range, the yielded expression's range, whether it is `yield from`)
    yields: Vec<(TextRange, Option<TextRange>, bool)>,
    returns: Vec<TextRange>,
}

impl<'a> Visitor<'a> for YieldCollector {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Expr(statement) => match &*statement.value {
                Expr::Yield(y) => self.yields.push((statement.range(), y.value.as_ref().map(|v| v.range()), false)),
                Expr::YieldFrom(y) => self.yields.push((statement.range(), Some(y.value.range()), true)),
                _ => visitor::walk_stmt(self, stmt),
            },
            Stmt::Return(_) => self.returns.push(stmt.range()),
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, _expr: &'a Expr) {}
}

/// Applies non-overlapping edits; insertions at the same place keep the order they were made in.
fn apply(source: &str, edits: Vec<Edit>) -> Lowered {
    let (source, inserted) = splice(source, edits);
    Lowered { source, lines: LineMap { inserted }, syntax_error: None }
}

/// Applies `edits` in source order (an edit overlapping an earlier one is dropped); returns the new text and the
/// (1-based) lines of it that the edits inserted.
pub(crate) fn splice(source: &str, mut edits: Vec<Edit>) -> (String, Vec<usize>) {
    edits.sort_by_key(|e| (e.range.start(), e.range.end()));
    let mut out = String::with_capacity(source.len() + edits.len() * 24);
    let mut inserted = Vec::new();
    let mut cursor = 0usize;
    for edit in edits {
        let (start, end) = (edit.range.start().to_usize(), edit.range.end().to_usize());
        if start < cursor {
            continue;
        }
        out.push_str(&source[cursor..start]);
        let line_before = out.matches('\n').count() + 1;
        let new_lines = edit.text.matches('\n').count();
        // An inserted line is a whole line of its own: its line number is the one after the newline it adds.
        for k in 0..new_lines {
            let line = if edit.text.starts_with('\n') { line_before + 1 + k } else { line_before + k };
            inserted.push(line);
        }
        out.push_str(&edit.text);
        cursor = end;
    }
    out.push_str(&source[cursor..]);
    inserted.sort_unstable();
    (out, inserted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_comparisons_become_calls_on_the_same_line() {
        let lowered = lower("x = df.a >= 3\ny = (a) != (b)\nz = 1 < 2 < 3\nw = a == b\n", &[]);
        assert_eq!(
            lowered.source,
            "x = _kindling_compare('>=', df.a , 3)\ny = _kindling_compare('!=', (a) , (b))\nz = 1 < 2 < 3\nw = a == b\n"
        );
    }

    #[test]
    fn import_sys_binds_the_preludes_sys_on_the_same_line() {
        let lowered = lower("import sys\nimport sys as s\nif x:\n    import os, sys, re as r\nprint(sys.argv)\n", &[]);
        assert_eq!(lowered.source, "sys = _kindling_sys\nimport sys as s\nif x:\n    import os, re as r; sys = _kindling_sys\nprint(sys.argv)\n");
    }

    #[test]
    fn nested_comparisons_are_each_lowered() {
        let lowered = lower("n = len(row) + len(xs, 2)\n", &[]);
        assert_eq!(lowered.source, "n = _kindling_len(row) + len(xs, 2)\n");
        let lowered = lower("f((a < b) & (c > d))\n", &[]);
        assert_eq!(lowered.source, "f((_kindling_compare('<', a , b)) & (_kindling_compare('>', c , d)))\n");
    }

    #[test]
    fn generator_functions_collect_and_map_lines_back() {
        let source = "def gen(rows):\n    for r in rows:\n        yield r\n    return\n\nboom()\n";
        let lowered = lower(source, &[]);
        assert_eq!(
            lowered.source,
            "def gen(rows):\n    _kindling_yielded = []\n    for r in rows:\n        _kindling_yielded.append(r)\n    \
             return iter(_kindling_yielded)\n    return iter(_kindling_yielded)\n\nboom()\n"
        );
        assert_eq!(lowered.lines.original(1), 1);
        assert_eq!(lowered.lines.original(3), 2);
        assert_eq!(lowered.lines.original(4), 3);
        assert_eq!(lowered.lines.original(8), 6);
    }

    #[test]
    fn one_line_generators_stay_on_their_line() {
        let lowered = lower("def g(x): yield from x\nprint(1)\n", &[]);
        assert_eq!(
            lowered.source,
            "def g(x): _kindling_yielded = []; _kindling_yielded.extend(x); return iter(_kindling_yielded)\nprint(1)\n"
        );
        assert_eq!(lowered.lines.original(2), 2);
    }

    #[test]
    fn wildcard_imports_of_known_modules_spell_out_their_names() {
        let star_names = [("pyspark.sql.types".to_string(), vec!["StructType".to_string(), "Row".to_string()])];
        let source = "from pyspark.sql.types import *\nfrom os import *\nfrom pyspark.sql.types import Row\n";
        assert_eq!(
            lower(source, &star_names).source,
            "from pyspark.sql.types import StructType, Row\nfrom os import *\nfrom pyspark.sql.types import Row\n"
        );
    }

    #[test]
    fn unparsable_programs_are_left_for_the_interpreter_to_report() {
        assert_eq!(lower("def (:\n", &[]).source, "def (:\n");
    }
}
