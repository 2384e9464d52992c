//! Notebook cells: PySpark or SQL text run one after another in one session, and what each shows — printed text,
//! a result table for SQL, an error located in the cell, and the jobs it ran. The browser's cells and
//! `kindling run` both go through here.

use std::sync::Arc;

use kindling_engine::session::Session;
use kindling_engine::trace::JobTrace;
use kindling_sql::{SqlError, sql_script};
use serde::{Deserialize, Serialize};

use crate::interpreter::{Notebook, RunOptions};

/// How many rows of a SQL result a cell shows.
pub const TABLE_ROWS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    Python,
    Sql,
}

/// One cell to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The name errors show: `cell 2`, `query.sql`.
    pub name: String,
    pub language: Language,
    pub source: String,
}

/// What a cell showed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CellOutput {
    /// What `print()`, `show()`, `printSchema()` and `explain()` printed, in order.
    pub stdout: String,
    /// Warnings written to stderr (`FutureWarning: …`), shown apart as Jupyter shows them.
    pub stderr: String,
    /// The result of a SQL cell's last query.
    pub table: Option<ResultTable>,
    pub error: Option<CellError>,
    /// Every job the cell's actions ran, in order.
    pub jobs: Vec<JobTrace>,
}

/// A result as rows of text, each value written as `show()` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultTable {
    pub columns: Vec<String>,
    /// Spark's simple type names: `int`, `timestamp`, `decimal(10,2)`.
    pub types: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Whether the result has more rows than these.
    pub truncated: bool,
}

/// Why a cell failed, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellError {
    /// The last line: `AnalysisException: [UNRESOLVED_COLUMN…] …`.
    pub summary: String,
    /// Everything to print: a Python traceback, or Spark's error text with the SQL marker.
    pub text: String,
    /// The cell's line the error is at (1-based), if known.
    pub line: Option<usize>,
}

impl Notebook {
    /// Runs `cell` after the cells before it.
    pub fn run(&mut self, cell: &Cell, options: &RunOptions) -> CellOutput {
        let jobs_before = self.session().job_count();
        let mut output = match cell.language {
            Language::Python => {
                let options = RunOptions { file_name: cell.name.clone(), ..options.clone() };
                let ran = self.run_cell(&cell.source, &options);
                let error = ran.error.map(|e| CellError { summary: e.summary, text: e.traceback, line: e.line });
                CellOutput { stdout: ran.stdout, stderr: ran.stderr, error, ..CellOutput::default() }
            }
            Language::Sql => run_sql(self.session(), &cell.source),
        };
        output.jobs = self.session().jobs_since(jobs_before);
        output
    }
}

/// Runs every statement of a SQL cell; the last query's result is the cell's table.
fn run_sql(session: &Arc<Session>, text: &str) -> CellOutput {
    let last = sql_script(session, text).map(|mut results| results.pop());
    let table = match last {
        Ok(Some((_, df))) => result_table(&df),
        Ok(None) => Ok(None),
        Err(error) => Err(error),
    };
    match table {
        Ok(table) => CellOutput { table, ..CellOutput::default() },
        Err(error) => CellOutput { error: Some(sql_error(error)), ..CellOutput::default() },
    }
}

fn result_table(df: &kindling_engine::dataframe::DataFrame) -> Result<Option<ResultTable>, SqlError> {
    let schema = df.schema();
    if schema.fields.is_empty() {
        return Ok(None);
    }
    let (rows, truncated) = df.show_cells(TABLE_ROWS)?;
    Ok(Some(ResultTable {
        columns: schema.fields.iter().map(|f| f.name.clone()).collect(),
        types: schema.fields.iter().map(|f| f.data_type.simple_string()).collect(),
        rows,
        truncated,
    }))
}

/// Spark's error text, headed by the exception class PySpark would raise.
fn sql_error(error: SqlError) -> CellError {
    let line = error.position().map(|p| p.line as usize);
    let raised = crate::PySparkError::from(error);
    let text = format!("{}: {raised}", raised.class_name());
    let summary = text.lines().next().unwrap_or_default().to_string();
    CellError { summary, text, line }
}
