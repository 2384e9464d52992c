//! Lessons: the batch-processing module taught step by step. Each lesson is one Markdown file in `www/lessons/`
//! (listed in order in `www/lessons/lessons.json`), readable on its own in the repository:
//!
//! - `# Title`, then a few paragraphs that open the lesson;
//! - every `## Step title` starts a step: prose, at most one fenced ` ```python ` or ` ```sql ` block — the step's
//!   cell, which runs on the bundled samples after the cells of the steps before it — and small metadata in HTML
//!   comments, invisible when the file is rendered: `<!-- look: stages -->` (the job view to open when the cell has
//!   run) and `<!-- engine: crates/engine/src/exchange.rs -->` (the module that implements what the step shows).
//!
//! Adding or editing a lesson needs no Rust change: the page fetches the files and parses them here.

use kindling_pyspark::notebook::Language;
use pulldown_cmark::{Parser, html};

/// One lesson, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The file's name without `.md`: the lesson's part of a deep link (`#/lessons/<id>/<step>`).
    pub id: String,
    pub title: String,
    /// The opening paragraphs, as HTML.
    pub intro: String,
    pub steps: Vec<Step>,
}

/// One step of a lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub title: String,
    /// The explanation, as HTML.
    pub text: String,
    /// The step's cell: its language and code.
    pub code: Option<(Language, String)>,
    /// The job view to open once the cell has run (`dag`, `operators`, `stages`, `shuffle`, …).
    pub look: Option<String>,
    /// The engine module implementing what the step shows, as a path in the repository.
    pub engine: Option<String>,
}

/// Parses lesson `id` from its Markdown; an error names the line that is wrong.
pub fn parse(id: &str, markdown: &str) -> Result<Lesson, String> {
    let mut lines = markdown.lines().enumerate().peekable();
    let title = loop {
        match lines.next() {
            Some((_, line)) if line.trim().is_empty() => continue,
            Some((_, line)) if line.starts_with("# ") => break line[2..].trim().to_string(),
            Some((n, _)) => return Err(format!("{id}.md:{}: a lesson starts with its title, `# Title`", n + 1)),
            None => return Err(format!("{id}.md: the lesson is empty")),
        }
    };
    let mut intro = String::new();
    while let Some((_, line)) = lines.next_if(|(_, line)| !line.starts_with("## ")) {
        intro.push_str(line);
        intro.push('\n');
    }
    let mut steps = Vec::new();
    while let Some((n, heading)) = lines.next() {
        let mut body: Vec<(usize, &str)> = Vec::new();
        while let Some(line) = lines.next_if(|(_, line)| !line.starts_with("## ")) {
            body.push(line);
        }
        steps.push(parse_step(id, n + 1, heading[3..].trim(), &body)?);
    }
    if steps.is_empty() {
        return Err(format!("{id}.md: a lesson needs at least one step, `## Step title`"));
    }
    Ok(Lesson { id: id.to_string(), title, intro: to_html(&intro), steps })
}

fn parse_step(id: &str, line: usize, title: &str, body: &[(usize, &str)]) -> Result<Step, String> {
    let mut prose = String::new();
    let (mut code, mut look, mut engine) = (None, None, None);
    let mut lines = body.iter();
    while let Some(&(n, text)) = lines.next() {
        if let Some(fence) = text.strip_prefix("```") {
            let language = match fence.trim() {
                "python" => Language::Python,
                "sql" => Language::Sql,
                other => return Err(format!("{id}.md:{}: a step's cell is ```python or ```sql, not ```{other}", n + 1)),
            };
            if code.is_some() {
                return Err(format!("{id}.md:{}: a step has one cell; this is a second one", n + 1));
            }
            let source: Vec<&str> = lines.by_ref().map(|(_, l)| *l).take_while(|l| !l.starts_with("```")).collect();
            code = Some((language, source.join("\n") + "\n"));
            // The cell is drawn apart from the text: what follows it is a paragraph of its own.
            prose.push('\n');
        } else if let Some(value) = metadata(text, "look") {
            look = Some(value);
        } else if let Some(value) = metadata(text, "engine") {
            engine = Some(value);
        } else {
            prose.push_str(text);
            prose.push('\n');
        }
    }
    if title.is_empty() {
        return Err(format!("{id}.md:{line}: a step needs a title after `## `"));
    }
    Ok(Step { title: title.to_string(), text: to_html(&prose), code, look, engine })
}

/// The value of a metadata comment `<!-- key: value -->`.
fn metadata(line: &str, key: &str) -> Option<String> {
    let inner = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let value = inner.strip_prefix(key)?.trim_start().strip_prefix(':')?;
    Some(value.trim().to_string())
}

fn to_html(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, Parser::new(markdown));
    out
}

/// The cells a step runs: every cell of the steps up to it, in order, each with its learner's version if edited.
pub fn cells_up_to(lesson: &Lesson, step: usize, edited: impl Fn(usize) -> Option<String>) -> Vec<(usize, Language, String)> {
    lesson
        .steps
        .iter()
        .enumerate()
        .take(step + 1)
        .filter_map(|(i, s)| s.code.as_ref().map(|(language, code)| (i, *language, edited(i).unwrap_or_else(|| code.clone()))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "# Partitions\n\nA file is read in *pieces*.\n\n\
                          ## Read a file\nThe scan makes one task per partition.\n<!-- look: stages -->\n\
                          <!-- engine: crates/engine/src/io/file_partition.rs -->\n```python\ndf = spark.read.parquet('x')\nprint(df.count())\n```\nAfter.\n\n\
                          ## Only words\nNo cell here.\n";

    #[test]
    fn a_lesson_is_a_title_an_intro_and_steps_with_cells_and_metadata() {
        let lesson = parse("partitions", LESSON).unwrap();
        assert_eq!(lesson.title, "Partitions");
        assert_eq!(lesson.intro, "<p>A file is read in <em>pieces</em>.</p>\n");
        assert_eq!(lesson.steps.len(), 2);
        let read = &lesson.steps[0];
        assert_eq!(read.title, "Read a file");
        assert_eq!(read.code, Some((Language::Python, "df = spark.read.parquet('x')\nprint(df.count())\n".to_string())));
        assert_eq!(read.look.as_deref(), Some("stages"));
        assert_eq!(read.engine.as_deref(), Some("crates/engine/src/io/file_partition.rs"));
        assert_eq!(read.text, "<p>The scan makes one task per partition.</p>\n<p>After.</p>\n");
        assert_eq!(lesson.steps[1].code, None);
    }

    #[test]
    fn a_step_runs_the_cells_before_it_with_the_learners_edits() {
        let lesson = parse("partitions", &format!("{LESSON}\n## Again\n```sql\nSELECT 1\n```\n")).unwrap();
        let cells = cells_up_to(&lesson, 2, |i| (i == 0).then(|| "print(1)\n".to_string()));
        assert_eq!(cells, [(0, Language::Python, "print(1)\n".to_string()), (2, Language::Sql, "SELECT 1\n".to_string())]);
    }

    #[test]
    fn mistakes_name_their_line() {
        assert_eq!(parse("x", "Hello\n").unwrap_err(), "x.md:1: a lesson starts with its title, `# Title`");
        assert_eq!(parse("x", "# T\n\nintro\n").unwrap_err(), "x.md: a lesson needs at least one step, `## Step title`");
        let two = "# T\n## S\n```python\na\n```\n```python\nb\n```\n";
        assert_eq!(parse("x", two).unwrap_err(), "x.md:6: a step has one cell; this is a second one");
        assert_eq!(parse("x", "# T\n## S\n```scala\n```\n").unwrap_err(), "x.md:3: a step's cell is ```python or ```sql, not ```scala");
    }
}
