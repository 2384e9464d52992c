//! What a learner did in the lessons, in the browser's local storage: the steps they completed, their own
//! version of each step's code and their exercises' results. Saved after every edit, so nothing typed is lost; reset per lesson.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

const KEY: &str = "kindling.lessons.v1";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Completed steps, as `lesson/step` (0-based step).
    pub done: BTreeSet<String>,
    /// The learner's code of a step, by `lesson/step`, where it differs from the lesson's.
    pub edits: BTreeMap<String, String>,
    /// Each checked exercise's last result, by `lesson/step`: passed, or what was wrong.
    #[serde(default)]
    pub checks: BTreeMap<String, Result<(), String>>,
}

pub fn step_key(lesson: &str, step: usize) -> String {
    format!("{lesson}/{step}")
}

impl Progress {
    pub fn load() -> Self {
        storage().and_then(|s| s.get_item(KEY).ok().flatten()).and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }

    pub fn save(&self) {
        let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(self)) else { return };
        // A full quota is not worth interrupting the learner for: the page still holds everything.
        let _ = storage.set_item(KEY, &text);
    }

    /// How many of a lesson's `steps` are done.
    pub fn done_in(&self, lesson: &str, steps: usize) -> usize {
        (0..steps).filter(|step| self.done.contains(&step_key(lesson, *step))).count()
    }

    /// Forgets a lesson: its completed steps and the learner's code.
    pub fn reset(&mut self, lesson: &str) {
        let prefix = format!("{lesson}/");
        self.done.retain(|key| !key.starts_with(&prefix));
        self.edits.retain(|key, _| !key.starts_with(&prefix));
        self.checks.retain(|key, _| !key.starts_with(&prefix));
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
