//! Export: a program that ran on Kindling, rewritten as a standalone PySpark script for `spark-submit` or
//! Dataproc — the way to go beyond one machine.
//!
//! On ruff's syntax tree of the program:
//! - every path given as a string literal to a reader or writer (`spark.read.parquet("data/pq/green/*/*")`,
//!   `df.write.parquet("out")`, `.csv(...)`, `.json(...)`, `.load(...)`, `.save(...)`) becomes an argparse
//!   argument (`args.input_green`, `args.output_out`), required, its old value shown in `--help`: no local path
//!   stays in the script;
//! - `.master("local[*]")` is dropped from the session builder: the cluster manager chooses the master
//!   (`spark-submit --master yarn`), and a hard-coded `local` would keep the job on one machine.
//!
//! The argument parser goes right after the module's leading docstring, comments and `from __future__` lines. It
//! takes only its own arguments and leaves the rest in `sys.argv`, so a program that parses arguments of its own
//! still gets them; a program without literal paths gets no parser at all.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::lowering::{Edit, splice};

/// Reader and writer methods whose first argument is a path.
const PATH_METHODS: [&str; 7] = ["parquet", "csv", "json", "orc", "text", "load", "save"];

/// One path argument of the exported script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathArgument {
    /// `input_green`, `output_report`
    pub name: String,
    /// The literal the program had.
    pub was: String,
    pub output: bool,
}

/// The exported script and the arguments it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub script: String,
    pub arguments: Vec<PathArgument>,
}

/// Rewrites `source` (named `file_name` in the script's description). Fails with the parser's message and byte
/// offset when the program does not parse.
pub fn export(source: &str, file_name: &str) -> Result<Exported, (String, usize)> {
    let parsed = ruff_python_parser::parse_module(source).map_err(|e| (e.error.to_string(), e.location.start().to_usize()))?;
    let body = &parsed.syntax().body;
    let mut finder = Finder::default();
    finder.visit_body(body);

    let mut arguments: Vec<PathArgument> = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    for found in &finder.paths {
        // A path the program writes is an output, also where it reads the result back.
        let output = finder.paths.iter().any(|other| other.literal == found.literal && other.output);
        let name = match arguments.iter().find(|a| a.was == found.literal) {
            Some(existing) => existing.name.clone(),
            None => {
                let name = unique_name(&arguments, &argument_name(&found.literal, output));
                arguments.push(PathArgument { name: name.clone(), was: found.literal.clone(), output });
                name
            }
        };
        edits.push(Edit { range: found.range, text: format!("{}.{name}", finder.namespace()) });
    }
    edits.extend(finder.masters.iter().map(|range| Edit { range: *range, text: String::new() }));
    if !arguments.is_empty() {
        let header = parser_header(&arguments, file_name, finder.namespace());
        edits.push(Edit { range: TextRange::empty(header_position(source, body)), text: header });
    }
    Ok(Exported { script: splice(source, edits).0, arguments })
}

#[derive(Default)]
struct Finder {
    paths: Vec<FoundPath>,
    /// The program assigns a name `args` of its own (its own argparse result).
    binds_args: bool,
    /// `.master("…")` calls to drop: from the end of the receiver to the end of the call.
    masters: Vec<TextRange>,
}

struct FoundPath {
    range: TextRange,
    literal: String,
    output: bool,
}

impl<'a> Visitor<'a> for Finder {
    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Call(call) => self.inspect(call),
            Expr::Name(name) if name.id.as_str() == "args" && name.ctx.is_store() => self.binds_args = true,
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

impl Finder {
    /// The name the paths' arguments are read from: `args`, unless the program has an `args` of its own.
    fn namespace(&self) -> &'static str {
        if self.binds_args { "exported_args" } else { "args" }
    }

    fn inspect(&mut self, call: &ExprCall) {
        let Expr::Attribute(method) = call.func.as_ref() else { return };
        let name = method.attr.as_str();
        if name == "master" {
            self.masters.push(TextRange::new(method.value.end(), call.end()));
        } else if PATH_METHODS.contains(&name) {
            let path = call.arguments.args.first().or_else(|| call.arguments.find_keyword("path").map(|k| &k.value));
            if let Some(Expr::StringLiteral(literal)) = path {
                let output = receiver_chain_has(&method.value, "write");
                self.paths.push(FoundPath { range: literal.range(), literal: literal.value.to_str().to_string(), output });
            }
        }
    }
}

/// Whether `expr` is a chain (`df.write.mode("overwrite")`) with an attribute `name` in it.
fn receiver_chain_has(expr: &Expr, name: &str) -> bool {
    match expr {
        Expr::Attribute(attribute) => attribute.attr.as_str() == name || receiver_chain_has(&attribute.value, name),
        Expr::Call(call) => receiver_chain_has(&call.func, name),
        _ => false,
    }
}

/// `data/pq/green/*/*` → `input_green`; `taxi+_zone_lookup.csv` → `input_taxi_zone_lookup`.
fn argument_name(path: &str, output: bool) -> String {
    const NOISE: [&str; 4] = ["data", "pq", "raw", "tmp"];
    let words: Vec<String> = path
        .split(['/', '\\'])
        .map(|segment| segment.split('.').next().unwrap_or_default())
        .map(|segment| segment.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect::<String>())
        .map(|segment| segment.trim_matches('_').split('_').filter(|w| !w.is_empty()).collect::<Vec<_>>().join("_"))
        .filter(|segment| !segment.is_empty() && !NOISE.contains(&segment.as_str()) && !segment.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let stem = words.first().cloned().unwrap_or_else(|| "path".to_string());
    format!("{}_{stem}", if output { "output" } else { "input" })
}

fn unique_name(taken: &[PathArgument], wanted: &str) -> String {
    let used = |name: &str| taken.iter().any(|a| a.name == name);
    if !used(wanted) {
        return wanted.to_string();
    }
    (2..).map(|n| format!("{wanted}_{n}")).find(|name| !used(name)).expect("some suffix is free")
}

fn parser_header(arguments: &[PathArgument], file_name: &str, namespace: &str) -> String {
    let mut text = String::from("import argparse\nimport sys\n\n");
    text.push_str(&format!(
        "parser = argparse.ArgumentParser(description={})\n",
        python_string(&format!("{file_name}, exported by kindling export: run it with spark-submit."))
    ));
    for argument in arguments {
        let help = format!("{} (was {})", if argument.output { "where to write" } else { "what to read" }, argument.was);
        text.push_str(&format!("parser.add_argument('--{}', required=True, help={})\n", argument.name, python_string(&help)));
    }
    // The program's own arguments, if it parses some, stay for its own parser.
    text.push_str(&format!("{namespace}, sys.argv[1:] = parser.parse_known_args()\n\n"));
    text
}

/// Where the header goes: after the leading docstring and `from __future__` imports, at the start of a line.
fn header_position(source: &str, body: &[Stmt]) -> TextSize {
    let leading = body.iter().take_while(|stmt| match stmt {
        Stmt::Expr(expr) => matches!(expr.value.as_ref(), Expr::StringLiteral(_)),
        Stmt::ImportFrom(import) => import.module.as_ref().is_some_and(|m| m.as_str() == "__future__"),
        _ => false,
    });
    let Some(last) = leading.last() else { return TextSize::from(0) };
    let end = last.end().to_usize();
    let line_end = source[end..].find('\n').map_or(source.len(), |i| end + i + 1);
    TextSize::try_from(line_end).expect("source offsets fit in u32")
}

/// A Python string literal for `text`.
fn python_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_arguments_and_master_goes() {
        let program = "\"\"\"Revenue.\"\"\"\nfrom pyspark.sql import SparkSession\n\
                       spark = SparkSession.builder.master('local[*]').appName('t').getOrCreate()\n\
                       df = spark.read.parquet('data/pq/green/*/*')\n\
                       zones = spark.read.option('header', 'true').csv('taxi+_zone_lookup.csv')\n\
                       again = spark.read.parquet('data/pq/green/*/*')\n\
                       df.write.mode('overwrite').parquet('data/report/revenue')\n\
                       print(spark.read.parquet('data/report/revenue').count())\n";
        let exported = export(program, "revenue.py").unwrap();
        let names: Vec<&str> = exported.arguments.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["input_green", "input_taxi_zone_lookup", "output_report"]);
        let script = &exported.script;
        assert!(script.starts_with("\"\"\"Revenue.\"\"\"\nimport argparse\n"), "{script}");
        assert!(script.contains("spark = SparkSession.builder.appName('t').getOrCreate()"), "{script}");
        assert!(script.contains("df = spark.read.parquet(args.input_green)\n"), "{script}");
        assert!(script.contains("again = spark.read.parquet(args.input_green)\n"), "{script}");
        assert!(script.contains(".csv(args.input_taxi_zone_lookup)"), "{script}");
        assert!(script.contains("df.write.mode('overwrite').parquet(args.output_report)"), "{script}");
        assert!(script.contains("print(spark.read.parquet(args.output_report).count())"), "reading back the output: {script}");
        assert!(!script.contains("data/pq") || script.contains("(was data/pq"), "only the help text keeps old paths");
        assert!(lower_free_of_errors(script));
    }

    #[test]
    fn a_program_without_literal_paths_keeps_its_own_arguments() {
        let program = "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--input')\nargs = parser.parse_args()\n\
                       spark.read.parquet(args.input).show()\n";
        let exported = export(program, "own.py").unwrap();
        assert!(exported.arguments.is_empty());
        assert_eq!(exported.script, program);
    }

    #[test]
    fn paths_beside_the_programs_own_arguments_go_to_a_namespace_of_their_own() {
        let program = "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--year')\nargs = parser.parse_args()\n\
                       spark.read.parquet('data/pq/green/*/*').show()\n";
        let script = export(program, "mixed.py").unwrap().script;
        assert!(script.contains("exported_args, sys.argv[1:] = parser.parse_known_args()\n"), "{script}");
        assert!(script.contains("spark.read.parquet(exported_args.input_green)"), "{script}");
        assert!(script.contains("args = parser.parse_args()\n"), "the program's own parser stays: {script}");
    }

    fn lower_free_of_errors(script: &str) -> bool {
        ruff_python_parser::parse_module(script).is_ok()
    }
}
