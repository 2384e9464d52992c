//! For-hire vehicle trips. High-volume ones (Uber, Lyft, Via, Juno) in the form the course reads them: the 2021 CSV
//! with seven columns (hvfhs_license_num, dispatching_base_num, pickup_datetime, dropoff_datetime, PULocationID,
//! DOLocationID, SR_Flag). Uber's bases dominate, as in the real files; SR_Flag is 1 for shared rides and empty
//! otherwise. The other for-hire trips (`fhv`) have the TLC fhv file's seven columns, mostly without zones.

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
/// Dispatching bases of the other for-hire trips: a few busy ones first.
const FHV_BASES: [&str; 8] = ["B00254", "B00111", "B02510", "B01239", "B00856", "B00310", "B01145", "B00477"];

const HIGH_VOLUME: bool = true;

pub fn fhvhv_schema() -> SchemaRef {
    schema(HIGH_VOLUME)
}

pub fn fhv_schema() -> SchemaRef {
    schema(!HIGH_VOLUME)
}

/// The seven columns of each kind, in its files' order and spelling (`dropOff_datetime`, `PUlocationID` in fhv).
fn schema(high_volume: bool) -> SchemaRef {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    let text = |name: &str| Field::new(name, DataType::Utf8, true);
    let int = |name: &str| Field::new(name, DataType::Int32, true);
    let time = |name: &str| Field::new(name, timestamp.clone(), true);
    let fields = if high_volume {
        vec![text("hvfhs_license_num"), text("dispatching_base_num"), time("pickup_datetime"), time("dropoff_datetime"),
             int("PULocationID"), int("DOLocationID"), int("SR_Flag")]
    } else {
        vec![text("dispatching_base_num"), time("pickup_datetime"), time("dropOff_datetime"), int("PUlocationID"),
             int("DOlocationID"), int("SR_Flag"), text("Affiliated_base_number")]
    };
    Arc::new(Schema::new(fields))
}

/// Generates `spec.rows` high-volume for-hire trips picked up in `spec.month` of `spec.year`.
pub fn fhvhv_trips(spec: &TripSpec) -> Result<Vec<RecordBatch>> {
    trips_of_month::<ForHireColumns<HIGH_VOLUME>>(spec)
}

/// Generates `spec.rows` other for-hire vehicle trips picked up in `spec.month` of `spec.year`.
pub fn fhv_trips(spec: &TripSpec) -> Result<Vec<RecordBatch>> {
    trips_of_month::<ForHireColumns<{ !HIGH_VOLUME }>>(spec)
}

/// Both kinds' columns; `H` says which kind the rows are and which seven columns come out.
struct ForHireColumns<const H: bool> {
    /// The licence (high volume) or the affiliated base (fhv).
    company: StringBuilder,
    base: StringBuilder,
    pickup: TimestampMicrosecondBuilder,
    dropoff: TimestampMicrosecondBuilder,
    pu_location_id: Int32Builder,
    do_location_id: Int32Builder,
    shared: Int32Builder,
}

impl<const H: bool> TripColumns for ForHireColumns<H> {
    fn with_capacity(rows: usize) -> Self {
        Self {
            company: StringBuilder::with_capacity(rows, rows * 6),
            base: StringBuilder::with_capacity(rows, rows * 6),
            pickup: TimestampMicrosecondBuilder::with_capacity(rows),
            dropoff: TimestampMicrosecondBuilder::with_capacity(rows),
            pu_location_id: Int32Builder::with_capacity(rows),
            do_location_id: Int32Builder::with_capacity(rows),
            shared: Int32Builder::with_capacity(rows),
        }
    }

    fn push_trip(&mut self, rng: &mut ChaCha8Rng, pickup_micros: i64) {
        if H { self.push_high_volume(rng, pickup_micros) } else { self.push_other(rng, pickup_micros) }
    }

    fn finish(mut self) -> Result<RecordBatch> {
        let company: ArrayRef = Arc::new(self.company.finish());
        let rest: [ArrayRef; 6] = [
            Arc::new(self.base.finish()),
            Arc::new(self.pickup.finish()),
            Arc::new(self.dropoff.finish()),
            Arc::new(self.pu_location_id.finish()),
            Arc::new(self.do_location_id.finish()),
            Arc::new(self.shared.finish()),
        ];
        let columns = if H { [vec![company], rest.to_vec()].concat() } else { [rest.to_vec(), vec![company]].concat() };
        Ok(RecordBatch::try_new(schema(H), columns)?)
    }
}

impl<const H: bool> ForHireColumns<H> {
    fn push_high_volume(&mut self, rng: &mut ChaCha8Rng, pickup_micros: i64) {
        let (company, bases) = pick_company(rng);
        let minutes = 4.0 + (-rng.random::<f64>().max(1e-9).ln() * 14.0).min(150.0);
        self.company.append_value(company);
        // Bases are skewed: each is half as busy as the one before it.
        let index = (0..bases.len()).find(|_| rng.random_bool(0.5)).unwrap_or(bases.len() - 1);
        self.base.append_value(bases[index]);
        self.push_times(pickup_micros, minutes);
        self.pu_location_id.append_value(pick_zone(rng));
        self.do_location_id.append_value(pick_zone(rng));
        self.shared.append_option(rng.random_bool(SHARED_RIDE_SHARE).then_some(1));
    }

    fn push_other(&mut self, rng: &mut ChaCha8Rng, pickup_micros: i64) {
        let index = (0..FHV_BASES.len()).find(|_| rng.random_bool(0.4)).unwrap_or(FHV_BASES.len() - 1);
        let minutes = 3.0 + (-rng.random::<f64>().max(1e-9).ln() * 12.0).min(180.0);
        let zones_known = rng.random_bool(0.3);
        self.base.append_value(FHV_BASES[index]);
        self.push_times(pickup_micros, minutes);
        self.pu_location_id.append_option(zones_known.then(|| pick_zone(rng)));
        self.do_location_id.append_option(zones_known.then(|| pick_zone(rng)));
        self.shared.append_null();
        self.company.append_option(rng.random_bool(0.9).then_some(FHV_BASES[index]));
    }

    fn push_times(&mut self, pickup_micros: i64, minutes: f64) {
        self.pickup.append_value(pickup_micros);
        self.dropoff.append_value(pickup_micros + (minutes * 60.0) as i64 * MICROS_PER_SECOND);
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
