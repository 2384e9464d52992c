//! For-hire vehicle trips. High-volume ones (Uber, Lyft, Via, Juno) in the form the course reads them: the 2021 CSV with seven
//! columns (hvfhs_license_num, dispatching_base_num, pickup_datetime, dropoff_datetime, PULocationID, DOLocationID,
//! SR_Flag). Uber's bases dominate, as in the real files; SR_Flag is 1 for shared rides and empty otherwise. The
//! other for-hire trips (`fhv`) have the TLC fhv file's seven columns.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int32Builder, StringBuilder, TimestampMicrosecondBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::green::{MICROS_PER_SECOND, TripColumns, pick_zone, trips_of_month};
use crate::{Result, TripSpec};

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
    trips_of_month::<FhvhvColumns>(spec)
}

struct FhvhvColumns {
    license: StringBuilder,
    base: StringBuilder,
    pickup: TimestampMicrosecondBuilder,
    dropoff: TimestampMicrosecondBuilder,
    pu_location_id: Int32Builder,
    do_location_id: Int32Builder,
    shared: Int32Builder,
}

impl TripColumns for FhvhvColumns {
    fn with_capacity(rows: usize) -> Self {
        Self {
            license: StringBuilder::with_capacity(rows, rows * 6),
            base: StringBuilder::with_capacity(rows, rows * 6),
            pickup: TimestampMicrosecondBuilder::with_capacity(rows),
            dropoff: TimestampMicrosecondBuilder::with_capacity(rows),
            pu_location_id: Int32Builder::with_capacity(rows),
            do_location_id: Int32Builder::with_capacity(rows),
            shared: Int32Builder::with_capacity(rows),
        }
    }

    fn push_trip(&mut self, rng: &mut ChaCha8Rng, pickup_micros: i64) {
        let (company, bases) = pick_company(rng);
        let minutes = 4.0 + (-rng.random::<f64>().max(1e-9).ln() * 14.0).min(150.0);
        self.license.append_value(company);
        // Bases are skewed: each is half as busy as the one before it.
        let index = (0..bases.len()).find(|_| rng.random_bool(0.5)).unwrap_or(bases.len() - 1);
        self.base.append_value(bases[index]);
        self.pickup.append_value(pickup_micros);
        self.dropoff.append_value(pickup_micros + (minutes * 60.0) as i64 * MICROS_PER_SECOND);
        self.pu_location_id.append_value(pick_zone(rng));
        self.do_location_id.append_value(pick_zone(rng));
        self.shared.append_option(rng.random_bool(SHARED_RIDE_SHARE).then_some(1));
    }

    fn finish(mut self) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.license.finish()),
            Arc::new(self.base.finish()),
            Arc::new(self.pickup.finish()),
            Arc::new(self.dropoff.finish()),
            Arc::new(self.pu_location_id.finish()),
            Arc::new(self.do_location_id.finish()),
            Arc::new(self.shared.finish()),
        ];
        Ok(RecordBatch::try_new(fhvhv_schema(), columns)?)
    }
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

/// Dispatching bases of the (non-high-volume) for-hire vehicle trips: many small bases, a few busy ones.
const FHV_BASES: [&str; 8] = ["B00254", "B00111", "B02510", "B01239", "B00856", "B00310", "B01145", "B00477"];

pub fn fhv_schema() -> SchemaRef {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    Arc::new(Schema::new(vec![
        Field::new("dispatching_base_num", DataType::Utf8, true),
        Field::new("pickup_datetime", timestamp.clone(), true),
        Field::new("dropOff_datetime", timestamp, true),
        Field::new("PUlocationID", DataType::Int32, true),
        Field::new("DOlocationID", DataType::Int32, true),
        Field::new("SR_Flag", DataType::Int32, true),
        Field::new("Affiliated_base_number", DataType::Utf8, true),
    ]))
}

/// Generates `spec.rows` for-hire vehicle trips with the TLC fhv columns (note `dropOff_datetime` and
/// `PUlocationID`, spelled as in the real files). Most have no pickup or drop-off zone, as in the real data.
pub fn fhv_trips(spec: &TripSpec) -> Result<Vec<RecordBatch>> {
    trips_of_month::<FhvColumns>(spec)
}

struct FhvColumns {
    base: StringBuilder,
    pickup: TimestampMicrosecondBuilder,
    dropoff: TimestampMicrosecondBuilder,
    pu_location_id: Int32Builder,
    do_location_id: Int32Builder,
    shared: Int32Builder,
    affiliated: StringBuilder,
}

impl TripColumns for FhvColumns {
    fn with_capacity(rows: usize) -> Self {
        Self {
            base: StringBuilder::with_capacity(rows, rows * 6),
            pickup: TimestampMicrosecondBuilder::with_capacity(rows),
            dropoff: TimestampMicrosecondBuilder::with_capacity(rows),
            pu_location_id: Int32Builder::with_capacity(rows),
            do_location_id: Int32Builder::with_capacity(rows),
            shared: Int32Builder::with_capacity(rows),
            affiliated: StringBuilder::with_capacity(rows, rows * 6),
        }
    }

    fn push_trip(&mut self, rng: &mut ChaCha8Rng, pickup_micros: i64) {
        let index = (0..FHV_BASES.len()).find(|_| rng.random_bool(0.4)).unwrap_or(FHV_BASES.len() - 1);
        let minutes = 3.0 + (-rng.random::<f64>().max(1e-9).ln() * 12.0).min(180.0);
        let zones_known = rng.random_bool(0.3);
        self.base.append_value(FHV_BASES[index]);
        self.pickup.append_value(pickup_micros);
        self.dropoff.append_value(pickup_micros + (minutes * 60.0) as i64 * MICROS_PER_SECOND);
        self.pu_location_id.append_option(zones_known.then(|| pick_zone(rng)));
        self.do_location_id.append_option(zones_known.then(|| pick_zone(rng)));
        self.shared.append_null();
        self.affiliated.append_option(rng.random_bool(0.9).then_some(FHV_BASES[index]));
    }

    fn finish(mut self) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.base.finish()),
            Arc::new(self.pickup.finish()),
            Arc::new(self.dropoff.finish()),
            Arc::new(self.pu_location_id.finish()),
            Arc::new(self.do_location_id.finish()),
            Arc::new(self.shared.finish()),
            Arc::new(self.affiliated.finish()),
        ];
        Ok(RecordBatch::try_new(fhv_schema(), columns)?)
    }
}
