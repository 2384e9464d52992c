//! The session catalog of temporary views: the names SQL can query.
//!
//! `df.createOrReplaceTempView("trips_data")` stores the DataFrame's *plan* under a name — no data is copied or
//! computed. A query that says `FROM trips_data` gets that plan back, as if the DataFrame code had been written
//! in its place. Views live as long as the session and are seen by every query of it; names are
//! case-insensitive, as in Spark.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::logical::LogicalPlan;
use crate::{EngineError, Result};

/// The temporary views of a session, by lower-cased name.
#[derive(Default)]
pub struct Catalog {
    views: RwLock<HashMap<String, View>>,
}

/// A named plan.
#[derive(Clone)]
pub struct View {
    /// The name as it was created (`trips_data`).
    pub name: String,
    pub plan: Arc<LogicalPlan>,
}

impl Catalog {
    /// Stores `plan` as `name`. With `replace` false an existing view of that name is Spark's
    /// `TEMP_TABLE_OR_VIEW_ALREADY_EXISTS` error.
    pub fn create_view(&self, name: &str, plan: Arc<LogicalPlan>, replace: bool) -> Result<()> {
        let mut views = self.views.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = name.to_ascii_lowercase();
        if !replace && views.contains_key(&key) {
            return Err(EngineError::Analysis(format!(
                "[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view `{name}` because it already \
                 exists.\nChoose a different name, drop or replace the existing view. SQLSTATE: 42P07"
            )));
        }
        views.insert(key, View { name: name.to_string(), plan });
        Ok(())
    }

    /// The view called `name`, if there is one.
    pub fn view(&self, name: &str) -> Option<View> {
        self.views.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&name.to_ascii_lowercase()).cloned()
    }

    /// Removes the view; false if there was none.
    pub fn drop_view(&self, name: &str) -> bool {
        self.views.write().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&name.to_ascii_lowercase()).is_some()
    }

    /// Every view's name, sorted (`SHOW TABLES`, `spark.catalog.listTables()`).
    pub fn view_names(&self) -> Vec<String> {
        let views = self.views.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut names: Vec<String> = views.values().map(|v| v.name.clone()).collect();
        names.sort_by_key(|n| n.to_ascii_lowercase());
        names
    }
}

/// Spark's message for a name that is no view, e.g. after a typo in `FROM`.
pub fn view_not_found(name: &str) -> EngineError {
    EngineError::Analysis(format!(
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `{name}` cannot be found. Verify the spelling and correctness of \
         the schema and catalog.\nSearch path: [`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`].\nIf \
         you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the \
         correct schema and catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS. \
         SQLSTATE: 42P01"
    ))
}
