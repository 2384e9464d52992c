//! The quantile summary `percentile_approx` and `approxQuantile` answer from (Greenwald and Khanna's, as Spark keeps
//! it): instead of every value, a sorted list of samples, each knowing how many values it stands for (`g`) and how
//! unsure its rank is (`delta`). Within `relative_error · n` ranks of the truth, it needs far fewer samples than
//! values. While few values came in the summary holds them all and the answer is exact; past that, neighbouring
//! samples are merged, and the answer is the sample whose rank range meets the wanted rank.
//!
//! Values arrive into a buffer; every `HEAD_SIZE` of them are sorted into the samples, which are merged down once
//! there are `COMPRESS_THRESHOLD` of them, and once more before a query — the same steps as Spark's, so the same
//! values in the same order give the same answer.

use crate::value::Value;

const HEAD_SIZE: usize = 50_000;
const COMPRESS_THRESHOLD: usize = 10_000;

#[derive(Debug, Clone)]
struct Sample {
    value: Value,
    number: f64,
    g: i64,
    delta: i64,
}

/// A summary of the numbers of one group.
pub struct QuantileSummary {
    relative_error: f64,
    samples: Vec<Sample>,
    count: i64,
    head: Vec<(f64, Value)>,
}

impl QuantileSummary {
    pub fn new(relative_error: f64) -> Self {
        Self { relative_error, samples: Vec::new(), count: 0, head: Vec::new() }
    }

    /// The summary of `values` (non-NULL numbers, in the order they came).
    pub fn of(values: &[Value], relative_error: f64) -> Self {
        let mut summary = Self::new(relative_error);
        for value in values {
            summary.insert(value);
        }
        summary.compress();
        summary
    }

    /// The merged summaries of the parts of `values` that start at `starts` (one part when there are none).
    pub fn of_parts(values: &[Value], starts: &[usize], relative_error: f64) -> Self {
        let mut bounds: Vec<usize> = starts.iter().copied().filter(|&s| s < values.len()).collect();
        if bounds.first() != Some(&0) {
            bounds.insert(0, 0);
        }
        bounds.push(values.len());
        bounds.windows(2).filter(|w| w[0] < w[1]).fold(Self::new(relative_error), |merged, w| {
            merged.merge(Self::of(&values[w[0]..w[1]], relative_error))
        })
    }

    /// Two compressed summaries as one: a sample that falls between the other summary's samples may be off by
    /// that summary's whole error too.
    fn merge(self, other: Self) -> Self {
        if other.count == 0 {
            return self;
        }
        if self.count == 0 {
            return other;
        }
        let extra_for_own = (2.0 * other.relative_error * other.count as f64).floor() as i64;
        let extra_for_other = (2.0 * self.relative_error * self.count as f64).floor() as i64;
        let (mut i, mut j) = (0, 0);
        let mut samples = Vec::with_capacity(self.samples.len() + other.samples.len());
        while i < self.samples.len() && j < other.samples.len() {
            let (mine, theirs) = (&self.samples[i], &other.samples[j]);
            let next = if mine.number < theirs.number {
                i += 1;
                Sample { delta: mine.delta + if j > 0 { extra_for_own } else { 0 }, ..mine.clone() }
            } else {
                j += 1;
                Sample { delta: theirs.delta + if i > 0 { extra_for_other } else { 0 }, ..theirs.clone() }
            };
            samples.push(next);
        }
        samples.extend(self.samples[i..].iter().cloned());
        samples.extend(other.samples[j..].iter().cloned());
        let mut merged = Self {
            relative_error: self.relative_error.max(other.relative_error),
            samples,
            count: self.count + other.count,
            head: Vec::new(),
        };
        merged.merge_samples();
        merged
    }

    fn insert(&mut self, value: &Value) {
        self.head.push((value.as_f64().unwrap_or(f64::NAN), value.clone()));
        if self.head.len() >= HEAD_SIZE {
            self.insert_head();
            if self.samples.len() >= COMPRESS_THRESHOLD {
                self.merge_samples();
            }
        }
    }

    /// The buffered values, sorted, each placed among the samples; a value inside the range already sampled is
    /// unsure of its rank by up to 2·ε·n.
    fn insert_head(&mut self) {
        if self.head.is_empty() {
            return;
        }
        let mut head = std::mem::take(&mut self.head);
        head.sort_by(|a, b| a.0.total_cmp(&b.0));
        let old = std::mem::take(&mut self.samples);
        let mut merged = Vec::with_capacity(old.len() + head.len());
        let mut next_old = 0;
        let last = head.len() - 1;
        for (i, (number, value)) in head.into_iter().enumerate() {
            while next_old < old.len() && old[next_old].number <= number {
                merged.push(old[next_old].clone());
                next_old += 1;
            }
            self.count += 1;
            let at_an_end = merged.is_empty() || (next_old == old.len() && i == last);
            let delta = if at_an_end { 0 } else { (2.0 * self.relative_error * self.count as f64).floor() as i64 };
            merged.push(Sample { value, number, g: 1, delta });
        }
        merged.extend(old.into_iter().skip(next_old));
        self.samples = merged;
    }

    fn compress(&mut self) {
        self.insert_head();
        self.merge_samples();
    }

    /// Folds each sample into the one after it while their combined span stays under 2·ε·n, walking from the
    /// largest down; the smallest and largest samples always stay.
    fn merge_samples(&mut self) {
        let threshold = 2.0 * self.relative_error * self.count as f64;
        let samples = std::mem::take(&mut self.samples);
        if samples.len() < 2 {
            self.samples = samples;
            return;
        }
        let mut head = samples[samples.len() - 1].clone();
        let mut kept: Vec<Sample> = Vec::new();
        for sample in samples[1..samples.len() - 1].iter().rev() {
            if ((sample.g + head.g + head.delta) as f64) < threshold {
                head.g += sample.g;
            } else {
                kept.push(std::mem::replace(&mut head, sample.clone()));
            }
        }
        let smallest = &samples[0];
        let keep_smallest = samples.len() > 1 && smallest.number <= head.number;
        kept.push(head);
        if keep_smallest {
            kept.push(smallest.clone());
        }
        kept.reverse();
        self.samples = kept;
    }

    /// The value at quantile `p`: the first sample whose rank range, widened by half the largest span, holds
    /// rank ⌈p·n⌉; the extremes answer the quantiles within ε of 0 and 1.
    pub fn query(&self, p: f64) -> Option<Value> {
        let (first, last) = (self.samples.first()?, self.samples.last()?);
        if p <= self.relative_error {
            return Some(first.value.clone());
        }
        if p >= 1.0 - self.relative_error {
            return Some(last.value.clone());
        }
        let rank = (p * self.count as f64).ceil() as i64;
        let target_error = self.samples.iter().map(|s| s.delta + s.g).max().unwrap_or(0) / 2;
        let mut min_rank = 0;
        for sample in &self.samples[..self.samples.len() - 1] {
            min_rank += sample.g;
            let max_rank = min_rank + sample.delta;
            if max_rank - target_error <= rank && rank <= min_rank + target_error {
                return Some(sample.value.clone());
            }
        }
        Some(last.value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(values: &[i64], relative_error: f64) -> QuantileSummary {
        QuantileSummary::of(&values.iter().map(|&v| Value::Long(v)).collect::<Vec<_>>(), relative_error)
    }

    #[test]
    fn few_values_give_exact_ranks() {
        let s = summary(&(1..=20).rev().collect::<Vec<_>>(), 0.0001);
        assert_eq!(s.query(0.25), Some(Value::Long(5)));
        assert_eq!(s.query(0.5), Some(Value::Long(10)));
        assert_eq!(s.query(0.0), Some(Value::Long(1)));
        assert_eq!(s.query(1.0), Some(Value::Long(20)));
    }

    #[test]
    fn a_coarse_summary_answers_within_its_error() {
        let values: Vec<i64> = (0..100_000).map(|i| (i * 7919) % 100_000).collect();
        let s = summary(&values, 0.01);
        let Some(Value::Long(median)) = s.query(0.5) else { panic!("no median") };
        assert!((median - 50_000).abs() <= 1_000, "{median}");
        assert!(s.samples.len() < 1_000, "{} samples", s.samples.len());
    }
}
