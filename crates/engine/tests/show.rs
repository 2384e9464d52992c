//! show() text against real Spark (tests/golden/show.json, recorded by tests/spark/record_show.py).

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int32Array,
    Int64Array, StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{Field, Schema};
use arrow::record_batch::RecordBatch;
use kindling_engine::display::show_string;
use kindling_engine::io::Table;
use kindling_engine::io::parquet::read_parquet;
use kindling_engine::schema::SparkSchema;

mod common;

fn golden(case: &str) -> String {
    common::golden("show.json")[case].as_str().unwrap_or_else(|| panic!("no golden case {case}")).to_string()
}

fn real_green() -> Table {
    read_parquet(common::shared_data(common::REAL_GREEN)).unwrap()
}

fn shown(batches: &[RecordBatch], num_rows: usize, truncate: usize) -> String {
    let schema = SparkSchema::from_arrow(&batches[0].schema()).unwrap();
    show_string(&schema, batches, num_rows, truncate).unwrap()
}

fn green_columns(table: &Table, names: &[&str]) -> Vec<RecordBatch> {
    let indices: Vec<usize> = names.iter().map(|n| table.schema.index_of(n).unwrap()).collect();
    table.batches.iter().map(|b| b.project(&indices).unwrap()).collect()
}

/// The row of tests/spark/record_show.py's EVERY_TYPE query, built directly in Arrow.
fn every_type_row() -> Vec<RecordBatch> {
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("a", Arc::new(Float64Array::from(vec![1.0e7]))),
        ("b", Arc::new(Float64Array::from(vec![1.0e-4]))),
        ("c", Arc::new(Float64Array::from(vec![0.001]))),
        ("d", Arc::new(Float64Array::from(vec![1_234_567.5]))),
        ("e", Arc::new(Float64Array::from(vec![-0.0]))),
        ("f", Arc::new(Float64Array::from(vec![f64::NAN]))),
        ("s", Arc::new(StringArray::from(vec!["a very long string that goes past twenty"]))),
        ("n", Arc::new(StringArray::from(vec![None::<&str>]))),
        ("ts", Arc::new(TimestampMicrosecondArray::from(vec![1_577_836_800_123_000]).with_timezone("UTC"))),
        ("tn", Arc::new(TimestampMicrosecondArray::from(vec![1_613_394_300_000_000]))),
        ("dt", Arc::new(Date32Array::from(vec![18_262]))),
        ("fl", Arc::new(Float32Array::from(vec![1.5]))),
        ("dec", Arc::new(Decimal128Array::from(vec![250]).with_precision_and_scale(10, 2).unwrap())),
        ("b", Arc::new(BooleanArray::from(vec![true]))),
        ("bin", Arc::new(BinaryArray::from(vec![&[0x0a_u8, 0xff][..]]))),
        ("i", Arc::new(Int32Array::from(vec![-7]))),
        ("l", Arc::new(Int64Array::from(vec![9_007_199_254_740_993]))),
        ("u", Arc::new(StringArray::from(vec!["Zoë"]))),
    ];
    let fields: Vec<Field> = columns.iter().map(|(name, array)| Field::new(*name, array.data_type().clone(), true)).collect();
    let arrays = columns.into_iter().map(|(_, array)| array).collect();
    vec![RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()]
}

#[test]
fn the_first_rows_of_the_real_green_file_show_like_spark() {
    let table = real_green();
    assert_eq!(shown(&table.batches, 5, 20), golden("green first 5"));
}

#[test]
fn untruncated_columns_are_left_aligned_like_spark() {
    let table = real_green();
    let batches = green_columns(&table, &["store_and_fwd_flag", "ehail_fee", "total_amount"]);
    assert_eq!(shown(&batches, 3, 0), golden("green 3 columns untruncated"));
}

#[test]
fn one_row_and_zero_rows_read_like_spark() {
    let table = real_green();
    assert_eq!(shown(&green_columns(&table, &["VendorID", "lpep_pickup_datetime"]), 1, 20), golden("green 1 row"));
    assert_eq!(shown(&green_columns(&table, &["VendorID"]), 0, 20), golden("green 0 rows"));
}

#[test]
fn every_basic_type_shows_like_spark() {
    let row = every_type_row();
    assert_eq!(shown(&row, 20, 20), golden("every type"));
    assert_eq!(shown(&row, 20, 0), golden("every type untruncated"));
    assert_eq!(shown(&row, 20, 3), golden("every type truncate 3"));
}

/// The same texts, through the DataFrame API: a session reading the real file, `select`, and `show()`.
#[test]
fn the_real_green_file_shows_like_spark_through_a_dataframe() {
    let mut files = kindling_engine::io::vfs::MemoryFiles::default();
    files.insert("green.parquet", common::shared_data(common::REAL_GREEN));
    let session = kindling_engine::session::Session::new(
        Arc::new(files),
        kindling_engine::executor::Executors::local(2).unwrap(),
        Arc::new(kindling_engine::clock::MonotonicClock::new()),
    );
    let green = session.read_parquet(&["green.parquet"]).unwrap();
    let columns = |names: &[&str]| green.select(names.iter().map(|n| kindling_engine::expr::col(n)).collect()).unwrap();
    assert_eq!(green.show_string(5, 20).unwrap(), golden("green first 5"));
    let three = columns(&["store_and_fwd_flag", "ehail_fee", "total_amount"]);
    assert_eq!(three.show_string(3, 0).unwrap(), golden("green 3 columns untruncated"));
    assert_eq!(columns(&["VendorID", "lpep_pickup_datetime"]).show_string(1, 20).unwrap(), golden("green 1 row"));
    assert_eq!(columns(&["VendorID"]).show_string(0, 20).unwrap(), golden("green 0 rows"));
    let schema = &common::golden("schemas.json")["tlc green 2024-01"];
    assert_eq!(green.print_schema_string(), schema["tree_string"].as_str().unwrap());
}
