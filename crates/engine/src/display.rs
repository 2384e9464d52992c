//! Text exactly as Spark prints it. Learners compare Kindling's output with the course's, character for character.

use std::fmt;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    TimeUnit, TimestampMicrosecondType,
};
use arrow::record_batch::RecordBatch;
use chrono::{DateTime, NaiveDate};

use crate::schema::SparkSchema;
use crate::types::SparkType;
use crate::{EngineError, Result};

/// What `df.printSchema()` prints (Spark's `StructType.treeString`): a `root` line, then one line per field.
/// Python's `print` adds one more newline after it, which is why a blank line follows `printSchema()` output.
/// Arrays, maps and structs add a level per nesting: `element`, `key` and `value`, or the struct's fields.
pub fn tree_string(schema: &SparkSchema) -> String {
    tree_string_to_depth(schema, usize::MAX)
}

/// `printSchema(level)`: only the first `depth` levels of nested fields.
pub fn tree_string_to_depth(schema: &SparkSchema, depth: usize) -> String {
    let mut text = String::from("root\n");
    for field in &schema.fields {
        tree_line(&mut text, " |", (&field.name, &field.data_type), Some(("nullable", field.nullable)), depth);
    }
    text
}

/// One line of `printSchema()`, then the lines of the type's parts one level deeper while `depth` lasts.
fn tree_line(text: &mut String, prefix: &str, (name, data_type): (&str, &SparkType), flag: Option<(&str, bool)>, depth: usize) {
    if depth == 0 {
        return;
    }
    let flag = flag.map(|(what, value)| format!(" ({what} = {value})")).unwrap_or_default();
    text.push_str(&format!("{prefix}-- {name}: {}{flag}\n", data_type.type_name()));
    let deeper = format!("{prefix}    |");
    let depth = depth - 1;
    match data_type {
        SparkType::Array(array) => {
            tree_line(text, &deeper, ("element", &array.element), Some(("containsNull", array.contains_null)), depth)
        }
        SparkType::Map(map) => {
            tree_line(text, &deeper, ("key", &map.key), None, depth);
            tree_line(text, &deeper, ("value", &map.value), Some(("valueContainsNull", map.value_contains_null)), depth);
        }
        SparkType::Struct(fields) => {
            for field in fields.iter() {
                tree_line(text, &deeper, (&field.name, &field.data_type), Some(("nullable", field.nullable)), depth);
            }
        }
        _ => {}
    }
}

/// The first `num_rows` rows of `batches` as `show()` writes each value (`NULL`, `2024-01-01 00:13:52`), and
/// whether there were more.
pub fn table_cells(batches: &[RecordBatch], num_rows: usize) -> Result<(Vec<Vec<String>>, bool)> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            if rows.len() == num_rows {
                return Ok((rows, true));
            }
            rows.push(batch.columns().iter().map(|column| format_cell(column, row)).collect::<Result<_>>()?);
        }
    }
    Ok((rows, false))
}

/// What `df.show(num_rows, truncate)` prints (Spark's `showString`, horizontal form). `batches` hold the first rows
/// of the result; if they hold more than `num_rows`, the table says it shows only the top `num_rows`.
/// `truncate` = 0 shows cells whole and left-aligned; otherwise cells longer than `truncate` characters are cut
/// (ending in `...` when `truncate` is at least 4) and right-aligned, as Spark does. Column names are never cut.
pub fn show_string(schema: &SparkSchema, batches: &[RecordBatch], num_rows: usize, truncate: usize) -> Result<String> {
    let header: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
    let (rows, has_more) = shown_cells(batches, num_rows, truncate)?;
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| width(&r[c])).chain([width(&header[c]), MIN_COLUMN_WIDTH]).max().unwrap_or(0))
        .collect();
    let separator = format!("+{}+\n", widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("+"));
    let mut text = separator.clone();
    text.push_str(&table_line(&header, &widths, truncate));
    text.push_str(&separator);
    for row in &rows {
        text.push_str(&table_line(row, &widths, truncate));
    }
    text.push_str(&separator);
    if has_more {
        text.push_str(&format!("only showing top {num_rows} {}", if num_rows == 1 { "row" } else { "rows" }));
    }
    Ok(text)
}

/// What `df.show(num_rows, truncate, vertical=True)` prints: each row as a record of `name | value` lines under a
/// `-RECORD i` rule, names and values padded to the widest of each (Spark's vertical `showString`).
pub fn vertical_show_string(schema: &SparkSchema, batches: &[RecordBatch], num_rows: usize, truncate: usize) -> Result<String> {
    let names: Vec<String> = schema.fields.iter().map(|f| f.name.clone()).collect();
    let (rows, has_more) = shown_cells(batches, num_rows, truncate)?;
    if rows.is_empty() {
        return Ok("(0 rows)".to_string());
    }
    let name_width = names.iter().map(|n| width(n)).max().unwrap_or(0);
    let value_width = rows.iter().flatten().map(|c| width(c)).max().unwrap_or(0);
    let padded = |text: &str, to: usize| format!("{text}{}", " ".repeat(to.saturating_sub(width(text))));
    let mut text = String::new();
    for (i, row) in rows.iter().enumerate() {
        let rule = format!("-RECORD {i}");
        text.push_str(&format!("{rule}{}\n", "-".repeat((name_width + value_width + 5).saturating_sub(rule.len()))));
        for (name, cell) in names.iter().zip(row) {
            text.push_str(&format!(" {} | {} \n", padded(name, name_width), padded(cell, value_width)));
        }
    }
    if has_more {
        text.push_str(&format!("only showing top {num_rows} {}", if num_rows == 1 { "row" } else { "rows" }));
    }
    Ok(text)
}

/// The cells `show()` writes, either form: control characters escaped, cut to `truncate`; and whether there are more.
fn shown_cells(batches: &[RecordBatch], num_rows: usize, truncate: usize) -> Result<(Vec<Vec<String>>, bool)> {
    let (mut rows, has_more) = table_cells(batches, num_rows)?;
    rows.iter_mut().flatten().for_each(|cell| *cell = truncate_cell(&escape_control_characters(cell), truncate));
    Ok((rows, has_more))
}

/// Spark never draws a column narrower than this.
const MIN_COLUMN_WIDTH: usize = 3;

/// A cell's width as Spark measures it (`Utils.stringHalfWidth`): Java chars (UTF-16 units, so an emoji counts
/// two), plus one more for each East Asian full-width character.
fn width(cell: &str) -> usize {
    cell.chars().map(|c| c.len_utf16() + usize::from(is_full_width(c))).sum()
}

fn is_full_width(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE10}'..='\u{FE19}' | '\u{FE30}'..='\u{FE6F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}')
}

/// A line break, tab or other control character inside a value is written as its escape (`\n`), as Spark does,
/// so that every row of the table stays on one line.
fn escape_control_characters(cell: &str) -> String {
    let mut escaped = String::with_capacity(cell.len());
    for c in cell.chars() {
        match c {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            '\u{c}' => escaped.push_str("\\f"),
            '\u{8}' => escaped.push_str("\\b"),
            '\u{b}' => escaped.push_str("\\v"),
            '\u{7}' => escaped.push_str("\\a"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// A cell cut to `truncate` Java chars (UTF-16 units, as Spark counts them here, full-width or not).
fn truncate_cell(cell: &str, truncate: usize) -> String {
    let java_length = |text: &str| text.encode_utf16().count();
    let java_prefix = |units: usize| -> String {
        let mut taken = 0;
        cell.chars().take_while(|c| { taken += c.len_utf16(); taken <= units }).collect()
    };
    if truncate == 0 || java_length(cell) <= truncate {
        cell.to_string()
    } else if truncate < 4 {
        java_prefix(truncate)
    } else {
        format!("{}...", java_prefix(truncate - 3))
    }
}

fn table_line(cells: &[String], widths: &[usize], truncate: usize) -> String {
    let padded: Vec<String> = cells
        .iter()
        .zip(widths)
        .map(|(cell, &w)| {
            let padding = " ".repeat(w - width(cell));
            if truncate > 0 { format!("{padding}{cell}") } else { format!("{cell}{padding}") }
        })
        .collect();
    format!("|{}|\n", padded.join("|"))
}

/// One value as `show()` and a collected row print it.
pub fn cell_string(column: &ArrayRef, row: usize) -> Result<String> {
    format_cell(column, row)
}

/// How a nested value's parts are written: `show()`'s `[1, 2]`, `{a -> 1}`, `{1, x}`, or `spark-sql`'s JSON-like
/// `[1,2]`, `{"a":1}`, `{"x":1,"y":"x"}` (Spark's `HiveResult`).
#[derive(Clone, Copy, PartialEq)]
enum NestedStyle {
    Show,
    Hive,
}

/// An array, map or struct value, its parts written in `style`.
fn nested_cell(column: &ArrayRef, row: usize, style: NestedStyle) -> Result<String> {
    let part = |array: &ArrayRef, i: usize| -> Result<String> {
        match style {
            NestedStyle::Show if array.is_null(i) => Ok(NESTED_NULL.into()),
            NestedStyle::Show => format_cell(array, i),
            NestedStyle::Hive => hive_part(array, i),
        }
    };
    let (separator, arrow) = if style == NestedStyle::Show { (", ", " -> ") } else { (",", ":") };
    Ok(match column.data_type() {
        DataType::List(_) => {
            let elements = column.as_list::<i32>().value(row);
            let parts = (0..elements.len()).map(|i| part(&elements, i)).collect::<Result<Vec<_>>>()?;
            format!("[{}]", parts.join(separator))
        }
        DataType::Map(..) => {
            let entries = column.as_map().value(row);
            let (keys, values) = (entries.column(0), entries.column(1));
            let parts = (0..entries.len())
                .map(|i| Ok(format!("{}{arrow}{}", part(keys, i)?, part(values, i)?)))
                .collect::<Result<Vec<_>>>()?;
            format!("{{{}}}", parts.join(separator))
        }
        DataType::Struct(fields) => {
            let columns = column.as_struct().columns();
            let parts = fields
                .iter()
                .zip(columns)
                .map(|(field, values)| match style {
                    NestedStyle::Show => part(values, row),
                    NestedStyle::Hive => Ok(format!("\"{}\":{}", field.name(), part(values, row)?)),
                })
                .collect::<Result<Vec<_>>>()?;
            format!("{{{}}}", parts.join(separator))
        }
        other => return Err(EngineError::UnsupportedType(other.clone())),
    })
}

/// How `show()` writes a NULL inside an array, map or struct.
const NESTED_NULL: &str = "NULL";

/// A part of a nested value as `spark-sql` writes it: strings quoted (dates and timestamps are not), NULL as `null`.
fn hive_part(array: &ArrayRef, i: usize) -> Result<String> {
    if array.is_null(i) || array.data_type() == &DataType::Null {
        return Ok("null".into());
    }
    match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Ok(format!("\"{}\"", format_cell(array, i)?)),
        DataType::List(_) | DataType::Map(..) | DataType::Struct(_) => nested_cell(array, i, NestedStyle::Hive),
        _ => result_cell(array, i),
    }
}

/// One value as Spark's show() renders it: `NULL`, Java's number formats, `yyyy-MM-dd HH:mm:ss[.fraction]`, ...
fn format_cell(column: &ArrayRef, row: usize) -> Result<String> {
    if column.is_null(row) || column.data_type() == &DataType::Null {
        return Ok("NULL".into());
    }
    Ok(match column.data_type() {
        DataType::List(_) | DataType::Map(..) | DataType::Struct(_) => nested_cell(column, row, NestedStyle::Show)?,
        DataType::Boolean => column.as_boolean().value(row).to_string(),
        DataType::Int8 => column.as_primitive::<Int8Type>().value(row).to_string(),
        DataType::Int16 => column.as_primitive::<Int16Type>().value(row).to_string(),
        DataType::Int32 => column.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => column.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::Float32 => java_float_string(column.as_primitive::<Float32Type>().value(row)),
        DataType::Float64 => java_double_string(column.as_primitive::<Float64Type>().value(row)),
        DataType::Decimal128(_, _) => column.as_primitive::<Decimal128Type>().value_as_string(row),
        DataType::Utf8 => column.as_string::<i32>().value(row).to_string(),
        DataType::LargeUtf8 => column.as_string::<i64>().value(row).to_string(),
        DataType::Utf8View => column.as_string_view().value(row).to_string(),
        DataType::Binary => hex_bytes(column.as_binary::<i32>().value(row)),
        DataType::Date32 => date_string(column.as_primitive::<Date32Type>().value(row))?,
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let micros = column.as_primitive::<TimestampMicrosecondType>().value(row);
            // An instant shows as the session time zone's wall-clock time; a timestamp_ntz as it is.
            timestamp_string(if zone.is_some() { crate::time_zone::current().local_micros(micros) } else { micros })?
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            crate::value::time_string(column.as_primitive::<arrow::datatypes::Time64MicrosecondType>().value(row))
        }
        // An Arrow column does not say which fields its interval type has: show() writes the widest form.
        DataType::Interval(_) => {
            let months = column.as_primitive::<arrow::datatypes::IntervalYearMonthType>().value(row);
            crate::interval::year_month_string(months, crate::interval::YEAR, crate::interval::MONTH)
        }
        DataType::Duration(_) => {
            let micros = column.as_primitive::<arrow::datatypes::DurationMicrosecondType>().value(row);
            crate::interval::day_time_string(micros, crate::interval::DAY, crate::interval::SECOND)
        }
        other => return Err(EngineError::UnsupportedType(other.clone())),
    })
}

/// Every row, each value as `spark-sql` prints it (Spark's `HiveResult`): as `show()` writes it, except that
/// binary values are their bytes read as UTF-8 text.
pub fn result_cells(batches: &[RecordBatch]) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            rows.push(batch.columns().iter().map(|column| result_cell(column, row)).collect::<Result<_>>()?);
        }
    }
    Ok(rows)
}

fn result_cell(column: &ArrayRef, row: usize) -> Result<String> {
    match column.data_type() {
        DataType::Binary if column.is_valid(row) => {
            Ok(String::from_utf8_lossy(column.as_binary::<i32>().value(row)).into_owned())
        }
        DataType::Interval(_) if column.is_valid(row) => {
            Ok(crate::interval::year_month_hive(column.as_primitive::<arrow::datatypes::IntervalYearMonthType>().value(row)))
        }
        DataType::Duration(_) if column.is_valid(row) => {
            Ok(crate::interval::day_time_hive(column.as_primitive::<arrow::datatypes::DurationMicrosecondType>().value(row)))
        }
        DataType::List(_) | DataType::Map(..) | DataType::Struct(_) if column.is_valid(row) => {
            nested_cell(column, row, NestedStyle::Hive)
        }
        _ => format_cell(column, row),
    }
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS`, and the zone (`Z`) for an instant, as Spark's JSON and CSV writers put timestamps.
pub fn iso_timestamp(micros: i64, instant: bool) -> Result<String> {
    let shown = if instant { crate::time_zone::current().local_micros(micros) } else { micros };
    let text = timestamp_string(shown - shown.rem_euclid(1_000_000))?.replace(' ', "T");
    let millis = shown.rem_euclid(1_000_000) / 1000;
    Ok(format!("{text}.{millis:03}{}", if instant { zone_suffix(micros) } else { String::new() }))
}

/// The session time zone's offset at `micros` as `XXX` writes it: `Z` for UTC, else `+01:00`.
fn zone_suffix(micros: i64) -> String {
    let zone = crate::time_zone::current();
    let offset_seconds = (zone.local_micros(micros) - micros) / 1_000_000;
    if offset_seconds == 0 {
        return "Z".into();
    }
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let minutes = offset_seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

pub const DAYS_FROM_CE_TO_UNIX_EPOCH: i32 = 719_163;

/// Writes a tree the way Spark prints plans: each child under its parent after `+- ` (the last child) or `:- `,
/// with `:  ` continuing the lines of a parent that has more children below.
pub fn write_tree<'a, T: ?Sized>(
    root: &'a T,
    out: &mut String,
    label: &dyn Fn(&T) -> String,
    children: &dyn Fn(&'a T) -> Vec<&'a T>,
) {
    fn walk<'a, T: ?Sized>(
        node: &'a T,
        prefix: &str,
        out: &mut String,
        label: &dyn Fn(&T) -> String,
        children: &dyn Fn(&'a T) -> Vec<&'a T>,
    ) {
        let kids = children(node);
        let count = kids.len();
        for (i, child) in kids.into_iter().enumerate() {
            let last = i + 1 == count;
            let below = format!("{prefix}{}", if last { "   " } else { ":  " });
            out.push_str(prefix);
            out.push_str(if last { "+- " } else { ":- " });
            write_label(out, &label(child), &below);
            walk(child, &below, out, label, children);
        }
    }
    write_label(out, &label(root), "");
    walk(root, "", out, label, children);
}

/// A node's label; a label of several lines (a node with inner children, such as a cached relation's plan) goes on
/// under the node, where its children's lines start.
fn write_label(out: &mut String, label: &str, below: &str) {
    for (i, line) in label.lines().enumerate() {
        if i > 0 {
            out.push_str(below);
        }
        out.push_str(line);
        out.push('\n');
    }
}

/// `tree` as the last child of a node: its first line after `+- `, the others indented to match.
pub fn indent_under(tree: &str) -> String {
    tree.lines().enumerate().map(|(i, line)| if i == 0 { format!("+- {line}\n") } else { format!("   {line}\n") }).collect()
}

/// `tree` as a node's inner child (Spark's `innerChildren`: printed below the node, before its children, one
/// level further in).
pub fn inner_child(tree: &str) -> String {
    indent_under(tree).lines().map(|line| format!("   {line}\n")).collect()
}

/// Digits with a comma every three from the right: `1234567` → `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// `yyyy-MM-dd`, as Spark prints a date.
pub fn date_string(days: i32) -> Result<String> {
    let date = NaiveDate::from_num_days_from_ce_opt(days + DAYS_FROM_CE_TO_UNIX_EPOCH)
        .ok_or_else(|| EngineError::InvalidArgument(format!("date out of range: {days} days")))?;
    Ok(date.format("%Y-%m-%d").to_string())
}

/// `yyyy-MM-dd HH:mm:ss` plus the fraction of a second without trailing zeros, of a wall-clock time (microseconds
/// of a UTC-based calendar: a `timestamp_ntz`, or an instant moved to the session time zone).
pub fn timestamp_string(micros: i64) -> Result<String> {
    let time = DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| EngineError::InvalidArgument(format!("timestamp out of range: {micros} µs")))?
        .naive_utc();
    let mut text = time.format("%Y-%m-%d %H:%M:%S").to_string();
    text.push_str(&fraction_of_second(micros.rem_euclid(1_000_000)));
    Ok(text)
}

/// `.5`, `.000123`: microseconds of a second as Spark writes them after the seconds (nothing for none).
pub fn fraction_of_second(micros: i64) -> String {
    if micros == 0 { String::new() } else { format!(".{micros:06}").trim_end_matches('0').to_string() }
}

fn hex_bytes(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("[{}]", hex.join(" "))
}

/// Java's `Double.toString`: plain digits for magnitudes in [10⁻³, 10⁷), otherwise `d.dddE±n`; always a `.`.
/// A decimal as Java's `BigDecimal.toString` writes it, which is how Spark writes a decimal constant in names and
/// plans: plainly, but in scientific notation once the first digit is more than six places after the point
/// (`1.2345678E-8`).
pub fn java_decimal_string(unscaled: i128, scale: i8) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let adjusted = digits.len() as i64 - 1 - i64::from(scale);
    let sign = if unscaled < 0 { "-" } else { "" };
    if scale >= 0 && adjusted >= -6 {
        let scale = scale as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        return if scale == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") };
    }
    let (first, rest) = digits.split_at(1);
    let point = if rest.is_empty() { String::new() } else { format!(".{rest}") };
    let exponent = if adjusted >= 0 { format!("+{adjusted}") } else { adjusted.to_string() };
    format!("{sign}{first}{point}E{exponent}")
}

pub fn java_double_string(value: f64) -> String {
    java_number_string(value.is_nan(), value.is_infinite(), value.is_sign_negative(), value.abs(), value)
}

/// Java's `Float.toString`, with the same rules as [`java_double_string`] and a float's shortest digits.
pub fn java_float_string(value: f32) -> String {
    java_number_string(value.is_nan(), value.is_infinite(), value.is_sign_negative(), f64::from(value.abs()), value)
}

fn java_number_string(nan: bool, infinite: bool, negative: bool, magnitude: f64, value: impl fmt::Display + fmt::LowerExp) -> String {
    if nan {
        return "NaN".into();
    }
    if infinite {
        return if negative { "-Infinity" } else { "Infinity" }.into();
    }
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let plain = value.to_string();
        return if plain.contains('.') { plain } else { format!("{plain}.0") };
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} always writes an exponent");
    let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
    format!("{mantissa}E{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `new java.math.BigDecimal(unscaled).movePointLeft(scale).toString()` gives.
    #[test]
    fn decimals_are_written_as_java_writes_them() {
        assert_eq!(java_decimal_string(12345678, 15), "1.2345678E-8");
        assert_eq!(java_decimal_string(1, 7), "1E-7");
        assert_eq!(java_decimal_string(1, 6), "0.000001");
        assert_eq!(java_decimal_string(-5, 3), "-0.005");
        assert_eq!(java_decimal_string(15, 1), "1.5");
        assert_eq!(java_decimal_string(100, 0), "100");
    }
}
