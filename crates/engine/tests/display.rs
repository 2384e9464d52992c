//! printSchema() text and simpleString against real Spark (tests/golden/schemas.json, recorded by
//! tests/spark/record_schemas.py).

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use bytes::Bytes;
use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::display::tree_string;
use kindling_engine::io::parquet::read_parquet;
use kindling_engine::schema::SparkSchema;

mod common;

fn golden(case: &str) -> (String, String) {
    let golden = common::golden("schemas.json");
    let case = &golden[case];
    (case["tree_string"].as_str().unwrap().to_string(), case["simple_string"].as_str().unwrap().to_string())
}

fn assert_like_spark(schema: &Schema, case: &str) {
    let spark_schema = SparkSchema::from_arrow(schema).unwrap();
    let (tree, simple) = golden(case);
    assert_eq!(tree_string(&spark_schema), tree, "printSchema() of {case}");
    assert_eq!(spark_schema.simple_string(), simple, "simpleString of {case}");
}

#[test]
fn the_real_tlc_green_file_prints_like_spark() {
    assert_like_spark(&read_parquet(common::shared_data(common::REAL_GREEN)).unwrap().schema, "tlc green 2024-01");
}

#[test]
fn the_generated_green_sample_prints_like_spark() {
    let batches = green_trips(&TripSpec { year: 2024, month: 1, rows: 100, seed: 1 }).unwrap();
    let mut file = Vec::new();
    write_parquet(&batches, Codec::Snappy, &mut file).unwrap();
    assert_like_spark(&read_parquet(Bytes::from(file)).unwrap().schema, "generated green");
}

#[test]
fn every_basic_type_prints_like_spark() {
    let field = |name: &str, data_type: DataType, nullable: bool| Arc::new(Field::new(name, data_type, nullable));
    let schema = Schema::new(vec![
        field("i", DataType::Int32, false),
        field("l", DataType::Int64, false),
        field("d", DataType::Float64, false),
        field("f", DataType::Float32, false),
        field("s", DataType::Utf8, false),
        field("b", DataType::Boolean, false),
        field("dt", DataType::Date32, false),
        field("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
        field("tn", DataType::Timestamp(TimeUnit::Microsecond, None), false),
        field("dec", DataType::Decimal128(10, 2), true),
        field("n", DataType::Null, true),
        field("sm", DataType::Int16, false),
        field("ti", DataType::Int8, false),
        field("bin", DataType::Binary, false),
    ]);
    assert_like_spark(&schema, "every type");
}
