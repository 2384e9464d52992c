//! Text exactly as Spark prints it. Learners compare Kindling's output with the course's, character for character.

use crate::schema::SparkSchema;

/// What `df.printSchema()` prints (Spark's `StructType.treeString`): a `root` line, then one line per field.
/// Python's `print` adds one more newline after it, which is why a blank line follows `printSchema()` output.
pub fn tree_string(schema: &SparkSchema) -> String {
    let mut text = String::from("root\n");
    for field in &schema.fields {
        text.push_str(&format!(
            " |-- {}: {} (nullable = {})\n",
            field.name,
            field.data_type.type_name(),
            field.nullable
        ));
    }
    text
}
