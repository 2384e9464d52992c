//! High-volume for-hire trips (Uber, Lyft, Via, Juno) in the form the course reads them: the 2021 CSV with seven
//! columns (hvfhs_license_num, dispatching_base_num, pickup_datetime, dropoff_datetime, PULocationID, DOLocationID,
//! SR_Flag). Uber's bases dominate, as in the real files; SR_Flag is 1 for shared rides and empty otherwise.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int32Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::green::{BATCH_ROWS, MICROS_PER_SECOND, days_in_month, pick_hour, pick_zone};
use crate::{DatagenError, Result, TripSpec};

/// (licence, its dispatching bases, share of trips in percent). The first base of each licence is its busiest.
const COMPANIES: [(&str, &[&str], u32); 4] = [
    ("HV0003", &["B02764", "B02872", "B02875", "B02765", "B02887", "B02869", "B02871", "B02882", "B02883", "B02884"], 72),
    ("HV0005", &["B02510"], 22),
    ("HV0004", &["B02800"], 3),
    ("HV0002", &["B02395"], 3),
];
const SHARED_RIDE_SHARE: f64 = 0.08;

pub fn fhvhv_schema() -> SchemaRef {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    Arc::new(Schema::new(vec![
        Field::new("hvfhs_license_num", DataType::Utf8, true),
        Field::new("dispatching_base_num", DataType::Utf8, true),
        Field::new("pickup_datetime", timestamp.clone(), true),
        Field::new("dropoff_datetime", timestamp, true),
        Field::new("PULocationID", DataType::Int32, true),
        Field::new("DOLocationID", DataType::Int32, true),
        Field::new("SR_Flag", DataType::Int32, true),
    ]))
}

/// Generates `spec.rows` high-volume for-hire trips picked up in `spec.month` of `spec.year`.
pub fn fhvhv_trips(spec: &TripSpec) -> Result<Vec<RecordBatch>> {
    let month_start = NaiveDate::from_ymd_opt(spec.year, spec.month, 1)
        .ok_or_else(|| DatagenError::InvalidSpec(format!("no such month: {}-{}", spec.year, spec.month)))?;
    let days = days_in_month(month_start);
    let start_micros = month_start.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_micros();
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut batches = Vec::new();
    let mut remaining = spec.rows;
    while remaining > 0 {
        let rows = remaining.min(BATCH_ROWS);
        let mut license = StringBuilder::with_capacity(rows, rows * 6);
        let mut base = StringBuilder::with_capacity(rows, rows * 6);
        let mut pickup = TimestampMicrosecondBuilder::with_capacity(rows);
        let mut dropoff = TimestampMicrosecondBuilder::with_capacity(rows);
        let mut pu = Int32Builder::with_capacity(rows);
        let mut dol = Int32Builder::with_capacity(rows);
        let mut shared = Int32Builder::with_capacity(rows);
        for _ in 0..rows {
            let (company, bases) = pick_company(&mut rng);
            let seconds = i64::from(rng.random_range(0..days)) * 86_400 + i64::from(pick_hour(&mut rng)) * 3600 + rng.random_range(0..3600);
            let at = start_micros + seconds * MICROS_PER_SECOND;
            let minutes = 4.0 + (-rng.random::<f64>().max(1e-9).ln() * 14.0).min(150.0);
            license.append_value(company);
            // Bases are skewed: each is half as busy as the one before it.
            let index = (0..bases.len()).find(|_| rng.random_bool(0.5)).unwrap_or(bases.len() - 1);
            base.append_value(bases[index]);
            pickup.append_value(at);
            dropoff.append_value(at + (minutes * 60.0) as i64 * MICROS_PER_SECOND);
            pu.append_value(pick_zone(&mut rng));
            dol.append_value(pick_zone(&mut rng));
            shared.append_option(rng.random_bool(SHARED_RIDE_SHARE).then_some(1));
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(license.finish()),
            Arc::new(base.finish()),
            Arc::new(pickup.finish()),
            Arc::new(dropoff.finish()),
            Arc::new(pu.finish()),
            Arc::new(dol.finish()),
            Arc::new(shared.finish()),
        ];
        batches.push(RecordBatch::try_new(fhvhv_schema(), columns)?);
        remaining -= rows;
    }
    Ok(batches)
}

fn pick_company(rng: &mut ChaCha8Rng) -> (&'static str, &'static [&'static str]) {
    let mut ticket = rng.random_range(0..100);
    for (license, bases, share) in COMPANIES {
        if ticket < share {
            return (license, bases);
        }
        ticket -= share;
    }
    unreachable!("the shares add up to 100")
}
