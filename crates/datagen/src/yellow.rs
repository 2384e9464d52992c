//! Yellow taxi trips, with the columns of the TLC's yellow trip Parquet files from 2023-02 on (counts and codes
//! are longs, the airport fee is `Airport_fee`). Trips follow the same fare model as green ones; they are drawn
//! from their own random stream, so the same spec gives different trips for each colour.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Float64Type, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use crate::{Result, TripSpec, green_trips};

/// Keeps yellow trips apart from green trips generated with the same seed.
const YELLOW_SEED_OFFSET: u64 = 0x5945_4c4c_4f57;
/// What a pickup at LaGuardia or JFK pays.
const AIRPORT_FEE: f64 = 1.75;

/// The schema of the TLC's yellow trip Parquet files (as in yellow_tripdata_2024-01.parquet).
pub fn yellow_schema() -> SchemaRef {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    let double = |name: &str| Field::new(name, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        Field::new("VendorID", DataType::Int32, true),
        Field::new("tpep_pickup_datetime", timestamp.clone(), true),
        Field::new("tpep_dropoff_datetime", timestamp, true),
        Field::new("passenger_count", DataType::Int64, true),
        double("trip_distance"),
        Field::new("RatecodeID", DataType::Int64, true),
        Field::new("store_and_fwd_flag", DataType::Utf8, true),
        Field::new("PULocationID", DataType::Int32, true),
        Field::new("DOLocationID", DataType::Int32, true),
        Field::new("payment_type", DataType::Int64, true),
        double("fare_amount"),
        double("extra"),
        double("mta_tax"),
        double("tip_amount"),
        double("tolls_amount"),
        double("improvement_surcharge"),
        double("total_amount"),
        double("congestion_surcharge"),
        double("Airport_fee"),
    ]))
}

/// Generates `spec.rows` yellow trips picked up in `spec.month` of `spec.year`.
pub fn yellow_trips(spec: &TripSpec) -> Result<Vec<RecordBatch>> {
    let trips = green_trips(&TripSpec { seed: spec.seed ^ YELLOW_SEED_OFFSET, ..*spec })?;
    trips.iter().map(to_yellow).collect()
}

fn to_yellow(green: &RecordBatch) -> Result<RecordBatch> {
    let column = |name: &str| green.column_by_name(name).expect("green trips have every green column").clone();
    let long = |name: &str| -> Result<ArrayRef> { Ok(cast(&column(name), &DataType::Int64)?) };
    let airport_fee = airport_fees(&column("PULocationID"), &column("congestion_surcharge"));
    let columns: Vec<ArrayRef> = vec![
        column("VendorID"),
        column("lpep_pickup_datetime"),
        column("lpep_dropoff_datetime"),
        long("passenger_count")?,
        column("trip_distance"),
        long("RatecodeID")?,
        column("store_and_fwd_flag"),
        column("PULocationID"),
        column("DOLocationID"),
        long("payment_type")?,
        column("fare_amount"),
        column("extra"),
        column("mta_tax"),
        column("tip_amount"),
        column("tolls_amount"),
        column("improvement_surcharge"),
        column("total_amount"),
        column("congestion_surcharge"),
        airport_fee,
    ];
    Ok(RecordBatch::try_new(yellow_schema(), columns)?)
}

/// The airport fee for pickups at LaGuardia (138) and JFK (132); NULL where the vendor sent no surcharges.
fn airport_fees(pickup_zones: &ArrayRef, congestion: &ArrayRef) -> ArrayRef {
    let zones = pickup_zones.as_primitive::<arrow::datatypes::Int32Type>();
    let congestion = congestion.as_primitive::<Float64Type>();
    let fees: Float64Array = (0..zones.len())
        .map(|i| congestion.is_valid(i).then(|| if matches!(zones.value(i), 132 | 138) { AIRPORT_FEE } else { 0.0 }))
        .collect();
    Arc::new(fees)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yellow_trips_have_the_yellow_schema_and_differ_from_green_ones() {
        let spec = TripSpec { year: 2024, month: 1, rows: 1000, seed: 7 };
        let yellow = yellow_trips(&spec).unwrap();
        assert_eq!(yellow[0].schema(), yellow_schema());
        assert_eq!(yellow.iter().map(RecordBatch::num_rows).sum::<usize>(), 1000);
        let green = green_trips(&spec).unwrap();
        assert_ne!(green[0].column_by_name("total_amount").unwrap(), yellow[0].column_by_name("total_amount").unwrap());
    }
}
