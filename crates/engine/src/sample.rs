//! Sampling: `df.sample(fraction=0.1, seed=3)` keeps each row with probability 0.1, deciding row by row — so the
//! result has *about* a tenth of the rows, not exactly a tenth.
//!
//! Each task decides for its own partition with its own random generator, seeded with `seed + partition index`:
//! the same seed over the same partitions keeps the same rows, run after run, without any task talking to
//! another. (The same seed over a different number of partitions keeps other rows.)
//!
//! A sampler keeps a row when its draw — a number in [0, 1) — falls in `[lower, upper)`. `sample(0.1)` is the range
//! [0, 0.1). `randomSplit([0.8, 0.2], seed)` is two samples with the same seed over the same rows, [0, 0.8) and
//! [0.8, 1): each row draws the same number in both, so it lands in exactly one part. (Spark first sorts each
//! partition by every column, so that the rows are met in the same order each time a part is computed.)
//!
//! The draws are Spark's own ([`crate::random`]): a row kept by Spark is kept here.

use arrow::array::{BooleanArray, RecordBatch};
use arrow::compute::filter_record_batch;

use crate::Result;
use crate::display::java_double_string;
use crate::random::XorShiftRandom;

/// Which draws a sample keeps, and the seed its tasks start from (Spark's `Sample` node).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub lower: f64,
    pub upper: f64,
    pub seed: i64,
}

impl Sample {
    /// `Sample 0.0, 0.5, false, 3`, as Spark's plans show it (`false`: without replacement).
    pub fn node_string(&self) -> String {
        format!("Sample {}, {}, false, {}", java_double_string(self.lower), java_double_string(self.upper), self.seed)
    }

    /// The sampler of one task.
    pub fn sampler(&self, partition: usize) -> CellSampler {
        CellSampler { rng: XorShiftRandom::new(self.seed.wrapping_add(partition as i64)), lower: self.lower, upper: self.upper }
    }
}

/// One task's draws, one per row in the order the rows come (Spark's `BernoulliCellSampler`).
pub struct CellSampler {
    rng: XorShiftRandom,
    lower: f64,
    upper: f64,
}

impl CellSampler {
    /// Whether the next row is kept.
    pub fn keep(&mut self) -> bool {
        if self.upper - self.lower <= 0.0 {
            return false;
        }
        let draw = self.rng.next_double();
        draw >= self.lower && draw < self.upper
    }

    /// The rows of `batch` that are kept.
    pub fn sample_batch(&mut self, batch: &RecordBatch) -> Result<RecordBatch> {
        let mask: BooleanArray = (0..batch.num_rows()).map(|_| Some(self.keep())).collect();
        Ok(filter_record_batch(batch, &mask)?)
    }
}
