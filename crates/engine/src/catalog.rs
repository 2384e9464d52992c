//! The session catalog: the names SQL can query — temporary views and tables — and the functions registered for
//! it (`spark.udf.register`).
//!
//! `df.createOrReplaceTempView("trips_data")` stores the DataFrame's *plan* under a name — no data is copied or
//! computed. A query that says `FROM trips_data` gets that plan back, as if the DataFrame code had been written
//! in its place. Views live as long as the session and are seen by every query of it; names are
//! case-insensitive, as in Spark.
//!
//! A *table* (`CREATE TABLE trips (…) USING parquet`, `CREATE TABLE … AS SELECT`) is data, not a plan: Parquet
//! files in a folder of its own under the warehouse folder (`spark-warehouse/trips/`), which `INSERT` adds files
//! to and `DROP TABLE` deletes, as Spark's managed tables are. A view of the same name hides a table.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::expr::Expr;
use crate::logical::LogicalPlan;
use crate::schema::SparkSchema;
use crate::{EngineError, Result};

/// Where managed tables keep their files (Spark's `spark.sql.warehouse.dir` default), relative to the working
/// folder.
pub const WAREHOUSE: &str = "spark-warehouse";

/// The temporary views, tables and functions of a session, by lower-cased name.
#[derive(Default)]
pub struct Catalog {
    views: RwLock<HashMap<String, View>>,
    tables: RwLock<HashMap<String, CatalogTable>>,
    functions: RwLock<HashMap<String, FunctionBuilder>>,
}

/// A function registered by name (`spark.udf.register`): makes the call's expression from its arguments.
pub type FunctionBuilder = Arc<dyn Fn(Vec<Expr>) -> Expr + Send + Sync>;

/// A table: its columns, and the folder its Parquet files are in.
#[derive(Clone, Debug)]
pub struct CatalogTable {
    pub name: String,
    pub schema: SparkSchema,
    pub location: String,
}

impl CatalogTable {
    /// A managed table called `name`, in its own folder under the warehouse folder.
    pub fn managed(name: &str, schema: SparkSchema) -> Self {
        Self { name: name.to_string(), schema, location: format!("{WAREHOUSE}/{}", name.to_ascii_lowercase()) }
    }
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

    /// Adds a table; with `replace` false an existing table of that name is Spark's `TABLE_OR_VIEW_ALREADY_EXISTS`.
    pub fn create_table(&self, table: CatalogTable, replace: bool) -> Result<()> {
        let mut tables = self.tables.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = table.name.to_ascii_lowercase();
        if !replace && tables.contains_key(&key) {
            return Err(EngineError::Analysis(format!(
                "[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view `spark_catalog`.`default`.`{}` because it \
                 already exists.\nChoose a different name, drop or replace the existing object, add the IF NOT EXISTS \
                 clause to tolerate pre-existing objects, add the OR REPLACE clause to replace the existing \
                 materialized view, or add the OR REFRESH clause to refresh the existing streaming table. SQLSTATE: \
                 42P07",
                table.name
            )));
        }
        tables.insert(key, table);
        Ok(())
    }

    /// The table called `name`, if there is one.
    pub fn table(&self, name: &str) -> Option<CatalogTable> {
        self.tables.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&name.to_ascii_lowercase()).cloned()
    }

    /// Removes the table from the catalog (its files are the caller's to delete); the table, if there was one.
    pub fn drop_table(&self, name: &str) -> Option<CatalogTable> {
        self.tables.write().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&name.to_ascii_lowercase())
    }

    /// Every table's name, sorted.
    pub fn table_names(&self) -> Vec<String> {
        let tables = self.tables.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut names: Vec<String> = tables.values().map(|t| t.name.clone()).collect();
        names.sort_by_key(|n| n.to_ascii_lowercase());
        names
    }

    /// Registers `builder` as the function `name` for SQL, in place of any function of that name (also a
    /// built-in one, as Spark's session function registry does).
    pub fn register_function(&self, name: &str, builder: FunctionBuilder) {
        self.functions.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(name.to_ascii_lowercase(), builder);
    }

    /// The registered function `name`, if there is one.
    pub fn function(&self, name: &str) -> Option<FunctionBuilder> {
        self.functions.read().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&name.to_ascii_lowercase()).cloned()
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
