//! Green taxi trips (street-hail livery), with the columns of the TLC's green trip Parquet files.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, Float64Builder, Int32Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{DatagenError, Result, TripSpec};

/// Rows per generated record batch.
const BATCH_ROWS: usize = 65_536;
pub(crate) const MICROS_PER_SECOND: i64 = 1_000_000;
/// Zones where most street hails start and end (East and Central Harlem, Astoria, Jackson Heights, ...).
const BUSY_ZONES: [i32; 10] = [74, 75, 41, 42, 166, 7, 82, 95, 97, 129];
/// Share of trips whose vendor sent no passenger count, rate code, payment or trip type (as in real files).
const INCOMPLETE_ROW_SHARE: f64 = 0.04;
/// One trip in this many is picked up outside the file's month.
const STRAY_ONE_IN: u32 = 5_000;
/// Mixed into the seed of the strays' own random stream.
const STRAY_STREAM: u64 = 0x5354_5241_5953;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;
/// Relative number of trips starting in each hour of the day: quiet nights, morning and evening peaks.
const HOURLY_WEIGHTS: [u32; 24] = [3, 2, 1, 1, 1, 2, 4, 7, 9, 8, 7, 7, 7, 7, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4];

/// The schema of the TLC's green trip Parquet files, as in green_tripdata_2024-01.parquet (codes and counts are
/// doubles there, as in every green file to date).
pub fn green_schema() -> SchemaRef {
    let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
    let double = |name: &str| Field::new(name, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        Field::new("VendorID", DataType::Int32, true),
        Field::new("lpep_pickup_datetime", timestamp.clone(), true),
        Field::new("lpep_dropoff_datetime", timestamp, true),
        Field::new("store_and_fwd_flag", DataType::Utf8, true),
        double("RatecodeID"),
        Field::new("PULocationID", DataType::Int32, true),
        Field::new("DOLocationID", DataType::Int32, true),
        double("passenger_count"),
        double("trip_distance"),
        double("fare_amount"),
        double("extra"),
        double("mta_tax"),
        double("tip_amount"),
        double("tolls_amount"),
        double("ehail_fee"),
        double("improvement_surcharge"),
        double("total_amount"),
        double("payment_type"),
        double("trip_type"),
        double("congestion_surcharge"),
    ]))
}

/// Generates `spec.rows` green trips picked up in `spec.month` of `spec.year`.
pub fn green_trips(spec: &TripSpec) -> Result<Vec<RecordBatch>> {
    trips_of_month::<GreenColumns>(spec)
}

/// The columns of one batch of trips, filled row by row.
pub(crate) trait TripColumns: Sized {
    fn with_capacity(rows: usize) -> Self;
    /// Adds one trip picked up at `pickup_micros`, its other values drawn from `rng`.
    fn push_trip(&mut self, rng: &mut ChaCha8Rng, pickup_micros: i64);
    fn finish(self) -> Result<RecordBatch>;
}

/// `spec.rows` trips in batches: each picked up on a uniformly drawn day of the month, at an hour drawn by
/// [`HOURLY_WEIGHTS`] — except a few strays outside the month, as every real file has (see [`stray_pickup`]).
/// Trips come in order of pickup, as in the TLC's files, which list trips roughly as they were picked up (in the
/// real green file of January 2024, 97% of trips start within an hour of the one before them).
pub(crate) fn trips_of_month<C: TripColumns>(spec: &TripSpec) -> Result<Vec<RecordBatch>> {
    let month_start = NaiveDate::from_ymd_opt(spec.year, spec.month, 1)
        .ok_or_else(|| DatagenError::InvalidSpec(format!("no such month: {}-{}", spec.year, spec.month)))?;
    let days_in_month = days_in_month(month_start);
    let month_start_micros = month_start.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp_micros();
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    // Strays are drawn from their own stream, so that every other row is the same with or without them.
    let mut strays = ChaCha8Rng::seed_from_u64(spec.seed ^ STRAY_STREAM);
    let mut pickups: Vec<i64> = (0..spec.rows)
        .map(|_| {
            let day = rng.random_range(0..days_in_month);
            let seconds = i64::from(day) * 86_400 + i64::from(pick_hour(&mut rng)) * 3600 + rng.random_range(0..3600);
            month_start_micros + seconds * MICROS_PER_SECOND
        })
        .collect();
    pickups.sort_unstable();
    pickups
        .chunks(BATCH_ROWS)
        .map(|batch| {
            let mut columns = C::with_capacity(batch.len());
            for &pickup in batch {
                columns.push_trip(&mut rng, stray_pickup(&mut strays, pickup, month_start_micros).unwrap_or(pickup));
            }
            columns.finish()
        })
        .collect()
}

/// Where a stray trip was picked up instead of `pickup`, for about one trip in [`STRAY_ONE_IN`]: mostly late
/// records of the month before (its last day), sometimes a meter whose clock was never set (the same time of day
/// on 1 January 2009). Cleaning these out (`WHERE pickup >= '2020-01-01'`) is part of the course's exercises.
fn stray_pickup(strays: &mut ChaCha8Rng, pickup: i64, month_start_micros: i64) -> Option<i64> {
    if !strays.random_ratio(1, STRAY_ONE_IN) {
        return None;
    }
    let time_of_day = pickup.rem_euclid(MICROS_PER_DAY);
    if strays.random_bool(0.8) {
        return Some(month_start_micros - MICROS_PER_DAY + time_of_day);
    }
    let unset_clock = NaiveDate::from_ymd_opt(2009, 1, 1).expect("a valid date").and_hms_opt(0, 0, 0).expect("midnight");
    Some(unset_clock.and_utc().timestamp_micros() + time_of_day)
}

fn days_in_month(month_start: NaiveDate) -> u32 {
    let next = month_start.checked_add_months(chrono::Months::new(1)).expect("month after a valid month");
    next.signed_duration_since(month_start).num_days() as u32
}

fn pick_hour(rng: &mut ChaCha8Rng) -> u32 {
    let total: u32 = HOURLY_WEIGHTS.iter().sum();
    let mut ticket = rng.random_range(0..total);
    for (hour, weight) in HOURLY_WEIGHTS.iter().enumerate() {
        if ticket < *weight {
            return hour as u32;
        }
        ticket -= weight;
    }
    unreachable!("ticket < total weight")
}

pub(crate) fn pick_zone(rng: &mut ChaCha8Rng) -> i32 {
    if rng.random_bool(0.6) {
        BUSY_ZONES[rng.random_range(0..BUSY_ZONES.len())]
    } else {
        rng.random_range(1..=265)
    }
}

fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

struct GreenColumns {
    vendor_id: Int32Builder,
    pickup: TimestampMicrosecondBuilder,
    dropoff: TimestampMicrosecondBuilder,
    store_and_fwd_flag: StringBuilder,
    ratecode_id: Float64Builder,
    pu_location_id: Int32Builder,
    do_location_id: Int32Builder,
    passenger_count: Float64Builder,
    trip_distance: Float64Builder,
    fare_amount: Float64Builder,
    extra: Float64Builder,
    mta_tax: Float64Builder,
    tip_amount: Float64Builder,
    tolls_amount: Float64Builder,
    ehail_fee: Float64Builder,
    improvement_surcharge: Float64Builder,
    total_amount: Float64Builder,
    payment_type: Float64Builder,
    trip_type: Float64Builder,
    congestion_surcharge: Float64Builder,
}

impl TripColumns for GreenColumns {
    fn with_capacity(rows: usize) -> Self {
        Self {
            vendor_id: Int32Builder::with_capacity(rows),
            pickup: TimestampMicrosecondBuilder::with_capacity(rows),
            dropoff: TimestampMicrosecondBuilder::with_capacity(rows),
            store_and_fwd_flag: StringBuilder::with_capacity(rows, rows),
            ratecode_id: Float64Builder::with_capacity(rows),
            pu_location_id: Int32Builder::with_capacity(rows),
            do_location_id: Int32Builder::with_capacity(rows),
            passenger_count: Float64Builder::with_capacity(rows),
            trip_distance: Float64Builder::with_capacity(rows),
            fare_amount: Float64Builder::with_capacity(rows),
            extra: Float64Builder::with_capacity(rows),
            mta_tax: Float64Builder::with_capacity(rows),
            tip_amount: Float64Builder::with_capacity(rows),
            tolls_amount: Float64Builder::with_capacity(rows),
            ehail_fee: Float64Builder::with_capacity(rows),
            improvement_surcharge: Float64Builder::with_capacity(rows),
            total_amount: Float64Builder::with_capacity(rows),
            payment_type: Float64Builder::with_capacity(rows),
            trip_type: Float64Builder::with_capacity(rows),
            congestion_surcharge: Float64Builder::with_capacity(rows),
        }
    }

    fn push_trip(&mut self, rng: &mut ChaCha8Rng, pickup_micros: i64) {
        let distance = cents((-rng.random::<f64>().max(1e-9).ln() * 2.6).min(60.0));
        let minutes = distance * 4.0 + rng.random_range(1.0..12.0);
        let dropoff_micros = pickup_micros + (minutes * 60.0) as i64 * MICROS_PER_SECOND;
        let fare = cents(3.0 + 1.75 * distance + 0.7 * minutes);
        let extra = [0.0, 0.0, 1.0, 2.5][rng.random_range(0..4)];
        let mta_tax = 0.5;
        let tolls = if rng.random_bool(0.04) { 6.94 } else { 0.0 };
        let improvement_surcharge = 1.0;
        let incomplete = rng.random_bool(INCOMPLETE_ROW_SHARE);
        let paid_by_card = !incomplete && rng.random_bool(0.55);
        let tip = if paid_by_card { cents(fare * rng.random_range(0.0..0.25)) } else { 0.0 };
        let congestion = if incomplete { None } else { Some(if rng.random_bool(0.2) { 2.75 } else { 0.0 }) };
        // About one trip in three hundred is a refund or correction with negative amounts, as in real files.
        let sign = if rng.random_bool(0.003) { -1.0 } else { 1.0 };
        let total = sign * cents(fare + extra + mta_tax + tip + tolls + improvement_surcharge + congestion.unwrap_or(0.0));

        self.vendor_id.append_value(if rng.random_bool(0.85) { 2 } else { 1 });
        self.pickup.append_value(pickup_micros);
        self.dropoff.append_value(dropoff_micros);
        self.pu_location_id.append_value(pick_zone(rng));
        self.do_location_id.append_value(pick_zone(rng));
        self.trip_distance.append_value(distance);
        self.fare_amount.append_value(sign * fare);
        self.extra.append_value(sign * extra);
        self.mta_tax.append_value(sign * mta_tax);
        self.tip_amount.append_value(sign * tip);
        self.tolls_amount.append_value(sign * tolls);
        self.ehail_fee.append_null();
        self.improvement_surcharge.append_value(sign * improvement_surcharge);
        self.total_amount.append_value(total);
        self.congestion_surcharge.append_option(congestion.map(|c| sign * c));
        if incomplete {
            self.store_and_fwd_flag.append_null();
            self.ratecode_id.append_null();
            self.passenger_count.append_null();
            self.payment_type.append_null();
            self.trip_type.append_null();
        } else {
            self.store_and_fwd_flag.append_value(if rng.random_bool(0.005) { "Y" } else { "N" });
            self.ratecode_id.append_value(if rng.random_bool(0.97) { 1.0 } else { 5.0 });
            self.passenger_count.append_value([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 5.0][rng.random_range(0..8)]);
            self.payment_type.append_value(if paid_by_card { 1.0 } else { 2.0 });
            self.trip_type.append_value(if rng.random_bool(0.98) { 1.0 } else { 2.0 });
        }
    }

    fn finish(mut self) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.vendor_id.finish()),
            Arc::new(self.pickup.finish()),
            Arc::new(self.dropoff.finish()),
            Arc::new(self.store_and_fwd_flag.finish()),
            Arc::new(self.ratecode_id.finish()),
            Arc::new(self.pu_location_id.finish()),
            Arc::new(self.do_location_id.finish()),
            Arc::new(self.passenger_count.finish()),
            Arc::new(self.trip_distance.finish()),
            Arc::new(self.fare_amount.finish()),
            Arc::new(self.extra.finish()),
            Arc::new(self.mta_tax.finish()),
            Arc::new(self.tip_amount.finish()),
            Arc::new(self.tolls_amount.finish()),
            Arc::new(self.ehail_fee.finish()),
            Arc::new(self.improvement_surcharge.finish()),
            Arc::new(self.total_amount.finish()),
            Arc::new(self.payment_type.finish()),
            Arc::new(self.trip_type.finish()),
            Arc::new(self.congestion_surcharge.finish()),
        ];
        Ok(RecordBatch::try_new(green_schema(), columns)?)
    }
}
