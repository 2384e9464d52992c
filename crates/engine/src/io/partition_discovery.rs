//! Partition discovery: columns stored in folder names.
//!
//! `df.write.partitionBy("VendorID")` leaves the column out of the files and writes one folder per value,
//! `VendorID=1/`, `VendorID=2/`. Reading the folder back, Spark finds those `name=value` folders below the path
//! it was given, adds `VendorID` as a column at the end of the schema (its type guessed from the values) and gives
//! every row of a file the value of its folder.

use std::collections::HashMap;

use super::vfs::FileStatus;
use crate::schema::SparkField;
use crate::types::SparkType;
use crate::value::Value;
use crate::{EngineError, Result};

/// The folder-name columns of a set of files, and each file's values.
#[derive(Debug, Clone, Default)]
pub struct PartitionColumns {
    pub fields: Vec<SparkField>,
    /// By file path, one value per field.
    pub values: HashMap<String, Vec<Value>>,
}

impl PartitionColumns {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// The value Spark writes for a NULL partition value.
const NULL_FOLDER: &str = "__HIVE_DEFAULT_PARTITION__";

/// Finds the `name=value` folders between each of `roots` (the paths as given, maybe globs) and its files.
pub fn discover(roots: &[&str], files: &[FileStatus]) -> Result<PartitionColumns> {
    let bases: Vec<String> = roots.iter().map(|r| base_of(r)).collect();
    let mut names: Option<Vec<String>> = None;
    let mut texts: Vec<(String, Vec<Option<String>>)> = Vec::new();
    for file in files {
        let below = bases.iter().filter_map(|b| relative(&file.path, b)).min_by_key(|r| r.len()).unwrap_or(&file.path);
        let folders: Vec<(String, Option<String>)> = below
            .split('/')
            .rev()
            .skip(1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .filter_map(|folder| folder.split_once('='))
            .map(|(name, value)| (name.to_string(), (value != NULL_FOLDER).then(|| unescape(value))))
            .collect();
        let file_names: Vec<String> = folders.iter().map(|(n, _)| n.clone()).collect();
        match &names {
            None => names = Some(file_names),
            Some(known) if *known != file_names => {
                return Err(EngineError::Analysis(format!(
                    "Conflicting directory structures detected: {} has partition columns [{}], others have [{}]",
                    file.path,
                    file_names.join(", "),
                    known.join(", ")
                )));
            }
            _ => {}
        }
        texts.push((file.path.clone(), folders.into_iter().map(|(_, v)| v).collect()));
    }
    let names = names.unwrap_or_default();
    let types: Vec<SparkType> = (0..names.len()).map(|i| infer(texts.iter().filter_map(|(_, v)| v[i].as_deref()))).collect();
    let fields = names.iter().zip(&types).map(|(n, t)| SparkField { name: n.clone(), data_type: t.clone(), nullable: true }).collect();
    let values = texts
        .into_iter()
        .map(|(path, texts)| {
            let values = texts.iter().zip(&types).map(|(text, t)| text.as_deref().map_or(Value::Null, |s| parse(s, t.clone()))).collect();
            (path, values)
        })
        .collect();
    Ok(PartitionColumns { fields, values })
}

/// The folder a pattern starts from: everything before its first glob component.
fn base_of(pattern: &str) -> String {
    let parts: Vec<&str> = pattern.trim_end_matches('/').split('/').take_while(|p| !p.contains(['*', '?', '[', '{'])).collect();
    parts.join("/")
}

fn relative<'a>(path: &'a str, base: &str) -> Option<&'a str> {
    if base.is_empty() {
        return Some(path);
    }
    path.strip_prefix(base).and_then(|rest| rest.strip_prefix('/'))
}

/// The narrowest of integer, long, double and string that holds every value.
fn infer<'a>(values: impl Iterator<Item = &'a str> + Clone) -> SparkType {
    if values.clone().all(|v| v.parse::<i32>().is_ok()) {
        SparkType::Integer
    } else if values.clone().all(|v| v.parse::<i64>().is_ok()) {
        SparkType::Long
    } else if values.clone().all(|v| v.parse::<f64>().is_ok()) {
        SparkType::Double
    } else {
        SparkType::String
    }
}

fn parse(text: &str, data_type: SparkType) -> Value {
    match data_type {
        SparkType::Integer => text.parse().map_or(Value::Null, Value::Integer),
        SparkType::Long => text.parse().map_or(Value::Null, Value::Long),
        SparkType::Double => text.parse().map_or(Value::Null, Value::Double),
        _ => Value::String(text.to_string()),
    }
}

/// Undoes the `%2F`-style escapes of a folder name.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            let hex: String = chars.by_ref().take(2).collect();
            match u8::from_str_radix(&hex, 16) {
                Ok(byte) => out.push(byte as char),
                Err(_) => {
                    out.push('%');
                    out.push_str(&hex);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> FileStatus {
        FileStatus { path: path.into(), size: 1 }
    }

    #[test]
    fn folders_below_the_root_become_typed_columns() {
        let files = [file("out/VendorID=1/part-0.parquet"), file("out/VendorID=2/part-0.parquet"), file(&format!("out/VendorID={NULL_FOLDER}/part-0.parquet"))];
        let found = discover(&["out"], &files).unwrap();
        assert_eq!(found.fields.len(), 1);
        assert_eq!((found.fields[0].name.as_str(), found.fields[0].data_type.clone()), ("VendorID", SparkType::Integer));
        assert_eq!(found.values["out/VendorID=2/part-0.parquet"], vec![Value::Integer(2)]);
        assert_eq!(found.values[&format!("out/VendorID={NULL_FOLDER}/part-0.parquet")], vec![Value::Null]);
    }

    #[test]
    fn folders_above_the_root_and_plain_folders_are_not_columns() {
        let files = [file("x=1/data/2024/part-0.parquet")];
        assert!(discover(&["x=1/data"], &files).unwrap().is_empty());
        let mixed = [file("out/a=1/part-0.parquet"), file("out/part-1.parquet")];
        assert!(discover(&["out"], &mixed).is_err());
    }
}
