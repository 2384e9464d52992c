//! `approx_count_distinct(x[, rsd])`: HyperLogLog++, as Spark computes it. Each value is hashed (XXH64, as
//! `xxhash64(x)`); the first `p` bits of the hash pick one of `m = 2^p` registers, which keeps the longest run of
//! leading zeros seen in the rest. Many distinct values make long runs likely somewhere, so the registers together
//! estimate how many distinct values there were — in a few hundred bytes per group, whatever the number of rows,
//! and two tasks' registers merge by taking the larger of each. `rsd` (0.05 by default) is the relative error
//! aimed at: `p = ⌈2·log2(1.106 / rsd)⌉`, 9 by default.
//!
//! The partial state is Spark's: the registers packed ten 6-bit registers to a long, shown as `MS[0]`, `MS[1]`, ….
//! The estimate is Spark's where it counts with linear counting (up to about 400 distinct values per group at the
//! default precision) and where the raw estimate needs no correction (above `5·m`). In between, Spark subtracts a
//! bias read from empirical tables, which Kindling does not carry: there it keeps counting linearly while a
//! register is still empty — as close to the true count, but not Spark's number.

use std::sync::{Arc, LazyLock};

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::datatypes::Int64Type;

use crate::Result;
use crate::partitioner::spark_xxhash64;

const REGISTER_SIZE: u32 = 6;
const REGISTERS_PER_WORD: usize = 10;
const REGISTER_MASK: u64 = (1 << REGISTER_SIZE) - 1;

/// The register-count exponent for a relative standard deviation.
pub fn precision(relative_sd: f64) -> u32 {
    (2.0 * (1.106 / relative_sd).ln() / 2f64.ln()).ceil() as u32
}

/// How many longs hold the registers of precision `p`.
pub fn words(p: u32) -> usize {
    (1usize << p) / REGISTERS_PER_WORD + 1
}

/// `MS[0]`, `MS[1]`, …: the names Spark gives the partial state's words.
pub fn state_names(p: u32) -> Vec<&'static str> {
    static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| (0..words(18)).map(|i| format!("MS[{i}]")).collect());
    NAMES[..words(p)].iter().map(String::as_str).collect()
}

/// Every group's registers.
pub struct GroupSketches {
    p: u32,
    words: usize,
    /// `words` longs per group, group after group.
    registers: Vec<u64>,
}

impl GroupSketches {
    /// Registers for precision `p` (see [`precision`]).
    pub fn new(p: u32) -> Self {
        Self { p, words: words(p), registers: Vec::new() }
    }

    pub fn grow(&mut self, groups: usize) {
        if self.registers.len() < groups * self.words {
            self.registers.resize(groups * self.words, 0);
        }
    }

    /// Folds each row's non-NULL value into its group's registers.
    pub fn update(&mut self, values: &ArrayRef, group_ids: &[usize]) -> Result<()> {
        let hashes = spark_xxhash64(std::slice::from_ref(values))?;
        let run_end = 1u64 << (self.p - 1);
        for (row, &group) in group_ids.iter().enumerate() {
            if values.is_null(row) {
                continue;
            }
            let hash = hashes[row] as u64;
            let register = (hash >> (64 - self.p)) as usize;
            let run = ((hash << self.p) | run_end).leading_zeros() as u64 + 1;
            self.raise(group, register, run);
        }
        Ok(())
    }

    fn raise(&mut self, group: usize, register: usize, run: u64) {
        let word = &mut self.registers[group * self.words + register / REGISTERS_PER_WORD];
        let shift = (register % REGISTERS_PER_WORD) as u32 * REGISTER_SIZE;
        let current = (*word >> shift) & REGISTER_MASK;
        if run > current {
            *word = (*word & !(REGISTER_MASK << shift)) | (run << shift);
        }
    }

    /// Merges partial states (one long column per word) into the groups `group_ids`: the larger of each register.
    pub fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize]) {
        let m = 1usize << self.p;
        for (row, &group) in group_ids.iter().enumerate() {
            for register in 0..m {
                let word = states[register / REGISTERS_PER_WORD].as_primitive::<Int64Type>().value(row) as u64;
                let run = (word >> ((register % REGISTERS_PER_WORD) as u32 * REGISTER_SIZE)) & REGISTER_MASK;
                if run > 0 {
                    self.raise(group, register, run);
                }
            }
        }
    }

    /// The partial state: one column per word.
    pub fn state(&self, groups: usize) -> Vec<ArrayRef> {
        (0..self.words)
            .map(|w| Arc::new(Int64Array::from_iter_values((0..groups).map(|g| self.registers[g * self.words + w] as i64))) as ArrayRef)
            .collect()
    }

    /// Each group's estimate.
    pub fn finish(&self, groups: usize) -> ArrayRef {
        Arc::new(Int64Array::from_iter_values((0..groups).map(|g| self.estimate(g))))
    }

    fn estimate(&self, group: usize) -> i64 {
        let m = 1usize << self.p;
        let words = &self.registers[group * self.words..(group + 1) * self.words];
        let (mut inverse_sum, mut zeros) = (0.0f64, 0.0f64);
        for register in 0..m {
            let run = (words[register / REGISTERS_PER_WORD] >> ((register % REGISTERS_PER_WORD) as u32 * REGISTER_SIZE)) & REGISTER_MASK;
            inverse_sum += 1.0 / (1u64 << run) as f64;
            if run == 0 {
                zeros += 1.0;
            }
        }
        let m = m as f64;
        let alpha = match self.p {
            4 => 0.673,
            5 => 0.697,
            6 => 0.709,
            _ => 0.7213 / (1.0 + 1.079 / m),
        };
        let raw = alpha * m * m / inverse_sum;
        let linear = (zeros > 0.0).then(|| m * (m / zeros).ln());
        let estimate = match linear {
            Some(linear) if linear <= linear_counting_threshold(self.p) => linear,
            // Where Spark corrects the raw estimate's bias from its tables, linear counting (still unbiased while a
            // register is empty) stands in for the correction.
            Some(linear) if raw < 5.0 * m => linear,
            _ => raw,
        };
        estimate.round() as i64
    }
}

/// Up to which estimate linear counting is used, per precision (the HyperLogLog++ paper's thresholds).
fn linear_counting_threshold(p: u32) -> f64 {
    const THRESHOLDS: [f64; 15] =
        [10.0, 20.0, 40.0, 80.0, 220.0, 400.0, 900.0, 1800.0, 3100.0, 6500.0, 11500.0, 20000.0, 50000.0, 120000.0, 350000.0];
    THRESHOLDS[(p.clamp(4, 18) - 4) as usize]
}
