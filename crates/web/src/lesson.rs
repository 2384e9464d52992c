//! Lessons: the batch-processing module taught step by step. Each lesson is one Markdown file in `www/lessons/`
//! (listed in order in `www/lessons/lessons.json`), readable on its own in the repository:
//!
//! - `# Title`, then a few paragraphs that open the lesson;
//! - every `## Step title` starts a step: prose, at most one fenced ` ```python ` or ` ```sql ` block — the step's
//!   cell, which runs on the bundled samples after the cells of the steps before it — and small metadata in HTML
//!   comments, invisible when the file is rendered: `<!-- look: stages -->` (the job view to open when the cell has
//!   run) and `<!-- engine: crates/engine/src/exchange.rs -->` (the module that implements what the step shows);
//! - `<!-- export -->` shows the program so far as exported for `spark-submit`;
//! - `<!-- predict: question | fact | choices -->` asks the learner to predict before the step runs (see
//!   [`Prediction`]);
//! - an exercise step adds `<!-- exercise -->`, a ` ```solution ` block and optionally a hint, advice for a wrong
//!   answer and a plausible wrong answer (see [`Exercise`]).
//!
//! Adding or editing a lesson needs no Rust change: the page fetches the files and parses them here.

use kindling_pyspark::notebook::Language;
use kindling_engine::trace::JobTrace;
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
    /// Where to look once the cell has run: a job view (`dag`, `operators`, `stages`, `shuffle`, …), and in the
    /// operator graph the operator to open (`<!-- look: operators HashAggregate -->`).
    pub look: Option<Look>,
    /// The engine module implementing what the step shows, as a path in the repository.
    pub engine: Option<String>,
    /// An exercise: the step's cell is the learner's answer, checked against the reference solution's.
    pub exercise: Option<Exercise>,
    /// A question to answer before running the step (a knob was turned: what will change?).
    pub prediction: Option<Prediction>,
    /// `<!-- export -->`: the step shows the lesson's program so far as `kindling export` writes it for
    /// `spark-submit`.
    pub export: bool,
}

/// A step's "look here": `<!-- look: view -->`, `<!-- look: operators HashAggregate -->` (an operator of the graph
/// to open), `<!-- look: timeline at step 12 -->` (a moment of the job's replay, 1-based), `<!-- look: shuffle key
/// 132 -->` (a key to follow through the reshuffle), `<!-- look: stages stage 1 -->` (a stage to mark).
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    /// The job view's tab id.
    pub view: String,
    /// An operator of the graph, by name (its first node of that name opens in the side panel).
    pub operator: Option<String>,
    /// A step of the job's replay to show, 0-based.
    pub replay_step: Option<usize>,
    /// A key to follow through the reshuffle (`<!-- look: shuffle key 132 -->`).
    pub key: Option<String>,
    /// A stage to mark in the stage views (`<!-- look: stages stage 1 -->`).
    pub stage: Option<usize>,
}

impl Look {
    fn parse(text: &str) -> Self {
        let (view, rest) = text.split_once(' ').map_or((text, ""), |(view, rest)| (view, rest.trim()));
        let replay_step = rest.strip_prefix("at step ").and_then(|n| n.trim().parse::<usize>().ok()).map(|n| n.saturating_sub(1));
        let key = rest.strip_prefix("key ").map(|key| key.trim().to_string());
        let stage = rest.strip_prefix("stage ").and_then(|n| n.trim().parse().ok());
        let operator = (replay_step.is_none() && key.is_none() && stage.is_none() && !rest.is_empty()).then(|| rest.to_string());
        Look { view: view.to_string(), operator, replay_step, key, stage }
    }
}

/// `<!-- predict: question | fact | choice, choice, … -->`: the learner picks a choice before the step runs; the
/// answer is then read from the step's last job (see [`Fact`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub question: String,
    pub fact: Fact,
    pub choices: Vec<String>,
}

/// What a prediction asks about the step's last job, read from its trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fact {
    /// `tasks N`: how many tasks stage N ran.
    Tasks(usize),
    /// `stages`: how many stages the job had.
    Stages,
    /// `join`: the strategy of the job's first join.
    Join,
}

impl Fact {
    fn parse(text: &str) -> Option<Self> {
        match text.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["tasks", stage] => Some(Fact::Tasks(stage.parse().ok()?)),
            ["stages"] => Some(Fact::Stages),
            ["join"] => Some(Fact::Join),
            _ => None,
        }
    }

    /// The answer in `job`.
    pub fn answer(self, job: &JobTrace) -> Option<String> {
        match self {
            Fact::Tasks(stage) => job.stages.iter().find(|s| s.id == stage).map(|s| s.partitions.to_string()),
            Fact::Stages => Some(job.stages.len().to_string()),
            Fact::Join => job.joins.first().map(|j| j.strategy.clone()),
        }
    }
}

/// An exercise of a step: `<!-- exercise -->`, a ` ```solution ` block (the reference answer, run on the same
/// data to get the expected output), `<!-- hint: … -->`, `<!-- wrong: … -->` (what to say beside a wrong answer)
/// and a ` ```wrong ` block (a plausible wrong answer, which the tests check is refused).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exercise {
    pub solution: String,
    pub hint: Option<String>,
    pub wrong_hint: Option<String>,
    pub wrong_answer: Option<String>,
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
    let (mut is_exercise, mut exercise) = (false, Exercise::default());
    let mut prediction = None;
    let mut export = false;
    let mut lines = body.iter();
    while let Some(&(n, text)) = lines.next() {
        if let Some(fence) = text.strip_prefix("```") {
            let block = |lines: &mut std::slice::Iter<(usize, &str)>| -> String {
                let source: Vec<&str> = lines.map(|(_, l)| *l).take_while(|l| !l.starts_with("```")).collect();
                source.join("\n") + "\n"
            };
            let language = match fence.trim() {
                "python" => Language::Python,
                "sql" => Language::Sql,
                "solution" => {
                    exercise.solution = block(&mut lines);
                    continue;
                }
                "wrong" => {
                    exercise.wrong_answer = Some(block(&mut lines));
                    continue;
                }
                other => return Err(format!("{id}.md:{}: a step's cell is ```python or ```sql, not ```{other}", n + 1)),
            };
            if code.is_some() {
                return Err(format!("{id}.md:{}: a step has one cell; this is a second one", n + 1));
            }
            code = Some((language, block(&mut lines)));
            // The cell is drawn apart from the text: what follows it is a paragraph of its own.
            prose.push('\n');
        } else if let Some(value) = metadata(text, "look") {
            look = Some(Look::parse(&value));
        } else if let Some(value) = metadata(text, "engine") {
            engine = Some(value);
        } else if let Some(value) = metadata(text, "predict") {
            prediction = Some(parse_prediction(&value).ok_or_else(|| {
                format!("{id}.md:{}: a prediction is `<!-- predict: question | tasks N, stages or join | choice, choice -->`", n + 1)
            })?);
        } else if text.trim() == "<!-- export -->" {
            export = true;
        } else if text.trim() == "<!-- exercise -->" {
            is_exercise = true;
        } else if let Some(value) = metadata(text, "hint") {
            exercise.hint = Some(value);
        } else if let Some(value) = metadata(text, "wrong") {
            exercise.wrong_hint = Some(value);
        } else {
            prose.push_str(text);
            prose.push('\n');
        }
    }
    if title.is_empty() {
        return Err(format!("{id}.md:{line}: a step needs a title after `## `"));
    }
    if is_exercise && (code.is_none() || exercise.solution.is_empty()) {
        return Err(format!("{id}.md:{line}: an exercise needs a cell for the answer and a ```solution block"));
    }
    let exercise = is_exercise.then_some(exercise);
    Ok(Step { title: title.to_string(), text: to_html(&prose), code, look, engine, exercise, prediction, export })
}

fn parse_prediction(value: &str) -> Option<Prediction> {
    let [question, fact, choices] = value.split('|').map(str::trim).collect::<Vec<_>>()[..] else { return None };
    let choices: Vec<String> = choices.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
    (choices.len() >= 2).then_some(())?;
    Some(Prediction { question: question.to_string(), fact: Fact::parse(fact)?, choices })
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

/// Whether a learner's output answers an exercise whose reference solution printed `expected`; if not, what to
/// tell them: how their answer differs (a number, a count of rows), then the exercise's own advice.
pub fn check(expected: &str, got: &str, wrong_hint: Option<&str>) -> Result<(), String> {
    let (expected, got) = (expected.trim(), got.trim());
    if expected == got {
        return Ok(());
    }
    let difference = match (number(expected), number(got), table_rows(expected), table_rows(got)) {
        _ if got.is_empty() => "Your cell printed nothing; print the answer (or show() the DataFrame).".to_string(),
        (Some(want), Some(have), ..) => format!("You printed {have}; that is not the expected answer ({}).", closer(have, want)),
        (.., Some(want), Some(have)) if want != have => format!("{have} rows; the expected result has {want}."),
        (.., Some(_), Some(_)) => "The right number of rows, but not the expected values.".to_string(),
        _ => "Your output is not the expected one.".to_string(),
    };
    Err(match wrong_hint {
        Some(hint) => format!("{difference} {hint}"),
        None => difference,
    })
}

/// The output as one number, if it is one.
fn number(text: &str) -> Option<f64> {
    text.parse().ok()
}

/// How many rows a `show()` table holds: its lines between the header's and the closing border.
fn table_rows(text: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
    (!lines.is_empty()).then(|| lines.len() - 1)
}

/// A nudge about a wrong number, without giving it away.
fn closer(have: f64, want: f64) -> &'static str {
    if have > want { "yours is too high" } else { "yours is too low" }
}

#[cfg(test)]
mod tests {
    use kindling_engine::trace::StageTrace;

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
        assert_eq!(read.look, Some(Look { view: "stages".into(), operator: None, replay_step: None, key: None, stage: None }));
        let focused = parse("x", "# T\n## S\n<!-- look: operators Scan parquet -->\n## R\n<!-- look: timeline at step 12 -->\n## K\n<!-- look: shuffle key 132 -->\n").unwrap();
        assert_eq!(focused.steps[2].look.as_ref().and_then(|l| l.key.as_deref()), Some("132"));
        let stage = parse("x", "# T\n## S\n<!-- look: stages stage 1 -->\n").unwrap();
        assert_eq!(stage.steps[0].look.as_ref().and_then(|l| l.stage), Some(1));
        assert_eq!(focused.steps[0].look, Some(Look { view: "operators".into(), operator: Some("Scan parquet".into()), replay_step: None, key: None, stage: None }));
        assert_eq!(focused.steps[1].look, Some(Look { view: "timeline".into(), operator: None, replay_step: Some(11), key: None, stage: None }));
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
    fn an_exercise_has_a_solution_a_hint_and_a_wrong_answer() {
        let text = "# T\n## Count one day\n<!-- exercise -->\nHow many?\n```python\n# yours\n```\n\
                    ```solution\nprint(8)\n```\n```wrong\nprint(7)\n```\n<!-- hint: filter the day -->\n<!-- wrong: check the date -->\n";
        let step = &parse("x", text).unwrap().steps[0];
        let exercise = step.exercise.as_ref().unwrap();
        assert_eq!(exercise.solution, "print(8)\n");
        assert_eq!(exercise.wrong_answer.as_deref(), Some("print(7)\n"));
        assert_eq!((exercise.hint.as_deref(), exercise.wrong_hint.as_deref()), (Some("filter the day"), Some("check the date")));
        assert_eq!(step.text, "<p>How many?</p>\n");
        assert!(parse("x", "# T\n## E\n<!-- exercise -->\n```python\n```\n").is_err(), "an exercise needs a solution");
    }

    #[test]
    fn a_check_says_how_an_answer_differs() {
        assert_eq!(check("8\n", "8", None), Ok(()));
        assert_eq!(check("8", "7", Some("Check the date.")), Err("You printed 7; that is not the expected answer (yours is too low). Check the date.".into()));
        let table = |rows: usize| format!("+---+\n| a|\n+---+\n{}+---+\n", "|  1|\n".repeat(rows));
        assert_eq!(check(&table(8), &table(7), None), Err("7 rows; the expected result has 8.".into()));
        assert_eq!(check(&table(2), &table(2).replace("|  1|\n|  1|", "|  1|\n|  2|"), None), Err("The right number of rows, but not the expected values.".into()));
        assert_eq!(check("8", "", None), Err("Your cell printed nothing; print the answer (or show() the DataFrame).".into()));
    }

    #[test]
    fn a_prediction_is_answered_from_the_job() {
        let text = "# T\n## S\n<!-- predict: How many tasks? | tasks 1 | 1, 8, 200 -->\n```python\nx\n```\n";
        let prediction = parse("x", text).unwrap().steps[0].prediction.clone().unwrap();
        assert_eq!(prediction.question, "How many tasks?");
        assert_eq!(prediction.choices, ["1", "8", "200"]);
        let stage = |id, partitions| StageTrace {
            id,
            operators: Vec::new(),
            parents: Vec::new(),
            partitions,
            writes_exchange: None,
            output_sizes: Vec::new(),
            skipped: false,
            submitted_us: 0,
            completed_us: 0,
        };
        let job = JobTrace { stages: vec![stage(0, 2), stage(1, 8)], ..JobTrace::default() };
        assert_eq!(prediction.fact.answer(&job).as_deref(), Some("8"));
        assert_eq!(Fact::Stages.answer(&job).as_deref(), Some("2"));
        assert!(parse("x", "# T\n## S\n<!-- predict: Q | colour | a, b -->\n").is_err());
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
