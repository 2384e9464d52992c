//! The notebook's cells in the browser's local storage, saved after every edit, so nothing typed is lost on an
//! error or a reload.

use kindling_pyspark::notebook::Language;
use serde::{Deserialize, Serialize};

const KEY: &str = "kindling.notebook.v1";

/// A cell as saved: its text, not its output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedCell {
    pub language: Language,
    pub source: String,
}

/// The saved cells, if there are any and they can be read.
pub fn load() -> Option<Vec<SavedCell>> {
    let text = storage()?.get_item(KEY).ok()??;
    serde_json::from_str(&text).ok()
}

pub fn save(cells: &[SavedCell]) {
    let Some(storage) = storage() else { return };
    if let Ok(text) = serde_json::to_string(cells) {
        // A full storage quota is not worth interrupting the user for; the cells stay on the page.
        let _ = storage.set_item(KEY, &text);
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
