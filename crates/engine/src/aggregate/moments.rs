//! Variance, standard deviation, skewness, kurtosis, covariance and correlation in one pass, with partial
//! states that merge.
//!
//! A task cannot keep every value to compute a variance at the end, so each group keeps running *central moments*:
//! how many values came (`n`), their mean (`avg`) and the sums of the deviations from that mean squared, cubed and
//! to the fourth power (`m2`, `m3`, `m4`). Each new value nudges the mean and corrects the sums; two groups' moments
//! combine into the moments of all their values, which is what the final aggregation does with the tasks' partial
//! states. Pairs of values keep the two means, the co-moment `ck` (the sum of the product of the two deviations)
//! and each side's `m2` (`xMk`, `yMk`). A regression line (`regr_slope`, `regr_intercept`) keeps the pairs'
//! co-moments beside the moments of `x` alone.
//!
//! The arithmetic is Spark's, step for step and in the same order, so the digits of the result are Spark's.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::datatypes::Float64Type;

use crate::expr::Statistic;

/// The running moments of one group's values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    n: f64,
    avg: f64,
    m2: f64,
    m3: f64,
    m4: f64,
}

impl Moments {
    pub fn add(&mut self, x: f64) {
        let n = self.n + 1.0;
        let delta = x - self.avg;
        let delta_n = delta / n;
        let m2 = self.m2 + delta * (delta - delta_n);
        let delta2 = delta * delta;
        let delta_n2 = delta_n * delta_n;
        let m3 = self.m3 - 3.0 * delta_n * m2 + delta * (delta2 - delta_n2);
        let m4 = self.m4 - 4.0 * delta_n * m3 - 6.0 * delta_n2 * m2 + delta * (delta * delta2 - delta_n * delta_n2);
        *self = Self { n, avg: self.avg + delta_n, m2, m3, m4 };
    }

    /// Folds another group's moments into these: the moments of both groups' values together.
    pub fn merge(&mut self, other: &Moments) {
        let (n1, n2) = (self.n, other.n);
        let n = n1 + n2;
        let delta = other.avg - self.avg;
        let delta_n = if n == 0.0 { 0.0 } else { delta / n };
        let m2 = self.m2 + other.m2 + delta * delta_n * n1 * n2;
        let m3 = self.m3 + other.m3 + delta_n * delta_n * delta * n1 * n2 * (n1 - n2)
            + 3.0 * delta_n * (n1 * other.m2 - n2 * self.m2);
        let m4 = self.m4
            + other.m4
            + delta_n * delta_n * delta_n * delta * n1 * n2 * (n1 * n1 - n1 * n2 + n2 * n2)
            + 6.0 * delta_n * delta_n * (n1 * n1 * other.m2 + n2 * n2 * self.m2)
            + 4.0 * delta_n * (n1 * other.m3 - n2 * self.m3);
        *self = Self { n, avg: self.avg + delta_n * n2, m2, m3, m4 };
    }

    /// The statistic of the values seen; NULL for no values, and where Spark would divide by zero.
    pub fn statistic(&self, statistic: Statistic) -> Option<f64> {
        let Self { n, m2, m3, m4, .. } = *self;
        let sample = |value: f64| (n > 1.0).then_some(value);
        match statistic {
            _ if n == 0.0 => None,
            Statistic::VarPop => Some(m2 / n),
            Statistic::StddevPop => Some((m2 / n).sqrt()),
            Statistic::Variance | Statistic::VarSamp => sample(m2 / (n - 1.0)),
            Statistic::Std | Statistic::Stddev | Statistic::StddevSamp => sample((m2 / (n - 1.0)).sqrt()),
            Statistic::Skewness => (m2 != 0.0).then(|| n.sqrt() * m3 / (m2 * m2 * m2).sqrt()),
            Statistic::Kurtosis => (m2 != 0.0).then(|| n * m4 / (m2 * m2) - 3.0),
            Statistic::RegrReplacement => Some(m2),
            _ => None,
        }
    }

    fn fields(&self) -> [f64; 5] {
        [self.n, self.avg, self.m2, self.m3, self.m4]
    }

    fn from_fields(fields: &[f64]) -> Self {
        let at = |i: usize| fields.get(i).copied().unwrap_or(0.0);
        Self { n: at(0), avg: at(1), m2: at(2), m3: at(3), m4: at(4) }
    }
}

/// The running moments of one group's pairs of values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoMoments {
    n: f64,
    x_avg: f64,
    y_avg: f64,
    ck: f64,
    x_mk: f64,
    y_mk: f64,
}

impl CoMoments {
    pub fn add(&mut self, x: f64, y: f64) {
        let n = self.n + 1.0;
        let dx = x - self.x_avg;
        let dy = y - self.y_avg;
        let x_avg = self.x_avg + dx / n;
        let y_avg = self.y_avg + dy / n;
        *self = Self {
            n,
            x_avg,
            y_avg,
            ck: self.ck + dx * (y - y_avg),
            x_mk: self.x_mk + dx * (x - x_avg),
            y_mk: self.y_mk + dy * (y - y_avg),
        };
    }

    pub fn merge(&mut self, other: &CoMoments) {
        let (n1, n2) = (self.n, other.n);
        let n = n1 + n2;
        let dx = other.x_avg - self.x_avg;
        let dy = other.y_avg - self.y_avg;
        let (dx_n, dy_n) = if n == 0.0 { (0.0, 0.0) } else { (dx / n, dy / n) };
        *self = Self {
            n,
            x_avg: self.x_avg + dx_n * n2,
            y_avg: self.y_avg + dy_n * n2,
            ck: self.ck + other.ck + dx * dy_n * n1 * n2,
            x_mk: self.x_mk + other.x_mk + dx * dx_n * n1 * n2,
            y_mk: self.y_mk + other.y_mk + dy * dy_n * n1 * n2,
        };
    }

    pub fn statistic(&self, statistic: Statistic) -> Option<f64> {
        let Self { n, ck, x_mk, y_mk, .. } = *self;
        match statistic {
            _ if n == 0.0 => None,
            Statistic::CovarPop => Some(ck / n),
            Statistic::CovarSamp => (n > 1.0).then(|| ck / (n - 1.0)),
            Statistic::Corr => (n > 1.0).then(|| ck / (x_mk * y_mk).sqrt()),
            Statistic::RegrSxy => Some(ck),
            // `regr_r2(y, x)`: NULL where x does not vary, 1 where only y does not.
            Statistic::RegrR2 => (y_mk != 0.0).then(|| {
                let correlation = ck / (x_mk * y_mk).sqrt();
                if x_mk == 0.0 { 1.0 } else { correlation * correlation }
            }),
            _ => None,
        }
    }

    fn fields(&self) -> [f64; 6] {
        [self.n, self.x_avg, self.y_avg, self.ck, self.x_mk, self.y_mk]
    }

    fn from_fields(fields: &[f64]) -> Self {
        let at = |i: usize| fields.get(i).copied().unwrap_or(0.0);
        Self { n: at(0), x_avg: at(1), y_avg: at(2), ck: at(3), x_mk: at(4), y_mk: at(5) }
    }
}

/// The moments of a regression of `y` over `x`, over the pairs where both are set: their covariance (kept as
/// Spark's `covar_pop(x, y)` keeps it) and, beside it, the variance of `x` (as `var_pop(x)` keeps it).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Regression {
    pairs: CoMoments,
    x: Moments,
}

impl Regression {
    pub fn add(&mut self, y: f64, x: f64) {
        self.pairs.add(x, y);
        self.x.add(x);
    }

    pub fn merge(&mut self, other: &Regression) {
        self.pairs.merge(&other.pairs);
        self.x.merge(&other.x);
    }

    /// The slope or intercept of the line; NULL where `x` does not vary.
    pub fn statistic(&self, statistic: Statistic) -> Option<f64> {
        let m2 = self.x.m2;
        let pairs = &self.pairs;
        match statistic {
            _ if m2 == 0.0 => None,
            Statistic::RegrSlope => Some(pairs.ck / m2),
            Statistic::RegrIntercept => Some(pairs.y_avg - pairs.ck / m2 * pairs.x_avg),
            _ => None,
        }
    }

    fn fields(&self) -> [f64; 7] {
        let [n, x_avg, y_avg, ck, ..] = self.pairs.fields();
        let [x_n, avg, m2, ..] = self.x.fields();
        [n, x_avg, y_avg, ck, x_n, avg, m2]
    }

    fn from_fields(fields: &[f64]) -> Self {
        let at = |i: usize| fields.get(i).copied().unwrap_or(0.0);
        Self {
            pairs: CoMoments { n: at(0), x_avg: at(1), y_avg: at(2), ck: at(3), ..CoMoments::default() },
            x: Moments { n: at(4), avg: at(5), m2: at(6), ..Moments::default() },
        }
    }
}

/// The names of a statistic's partial state columns, as Spark names them (only the moments it needs).
pub fn state_names(statistic: Statistic) -> &'static [&'static str] {
    match statistic {
        Statistic::Skewness => &["n", "avg", "m2", "m3"],
        Statistic::Kurtosis => &["n", "avg", "m2", "m3", "m4"],
        Statistic::CovarSamp | Statistic::CovarPop | Statistic::RegrSxy => &["n", "xAvg", "yAvg", "ck"],
        Statistic::Corr | Statistic::RegrR2 => &["n", "xAvg", "yAvg", "ck", "xMk", "yMk"],
        Statistic::RegrSlope | Statistic::RegrIntercept => &["n", "xAvg", "yAvg", "ck", "n", "avg", "m2"],
        _ => &["n", "avg", "m2"],
    }
}

/// Every group's moments for one statistic.
pub struct GroupMoments {
    statistic: Statistic,
    single: Vec<Moments>,
    pairs: Vec<CoMoments>,
    regressions: Vec<Regression>,
    /// Per group, whether a partial state has been merged in: Spark's final step starts a group from its first
    /// partial state as it is (merging it into empty moments instead can move a mean by its last bit, and with it
    /// the result's last digits).
    merged: Vec<bool>,
}

impl GroupMoments {
    pub fn new(statistic: Statistic) -> Self {
        Self { statistic, single: Vec::new(), pairs: Vec::new(), regressions: Vec::new(), merged: Vec::new() }
    }

    pub fn grow(&mut self, groups: usize) {
        if self.statistic.regresses() {
            self.regressions.resize(groups, Regression::default());
        } else if self.statistic.takes_pairs() {
            self.pairs.resize(groups, CoMoments::default());
        } else {
            self.single.resize(groups, Moments::default());
        }
    }

    /// Folds each row's value (or pair of values: `values` holds one or two double columns) into its group; a row
    /// with a NULL is passed over.
    pub fn update(&mut self, values: &[ArrayRef], group_ids: &[usize]) {
        let columns: Vec<&Float64Array> = values.iter().map(|v| v.as_primitive::<Float64Type>()).collect();
        for (row, &group) in group_ids.iter().enumerate() {
            if columns.iter().any(|c| c.is_null(row)) {
                continue;
            }
            match columns.as_slice() {
                [y, x] if self.statistic.regresses() => self.regressions[group].add(y.value(row), x.value(row)),
                [x, y] => self.pairs[group].add(x.value(row), y.value(row)),
                [x] => self.single[group].add(x.value(row)),
                _ => {}
            }
        }
    }

    /// Folds partial states (as [`GroupMoments::state`] wrote them) into the groups `group_ids`.
    pub fn merge(&mut self, states: &[ArrayRef], group_ids: &[usize]) {
        let columns: Vec<&Float64Array> = states.iter().map(|s| s.as_primitive::<Float64Type>()).collect();
        for (row, &group) in group_ids.iter().enumerate() {
            let fields: Vec<f64> = columns.iter().map(|c| c.value(row)).collect();
            if self.merged.len() <= group {
                self.merged.resize(group + 1, false);
            }
            let first = !std::mem::replace(&mut self.merged[group], true);
            if self.statistic.regresses() {
                let other = Regression::from_fields(&fields);
                if first { self.regressions[group] = other } else { self.regressions[group].merge(&other) }
            } else if self.statistic.takes_pairs() {
                let other = CoMoments::from_fields(&fields);
                if first { self.pairs[group] = other } else { self.pairs[group].merge(&other) }
            } else {
                let other = Moments::from_fields(&fields);
                if first { self.single[group] = other } else { self.single[group].merge(&other) }
            }
        }
    }

    /// The partial state columns, one row per group.
    pub fn state(&self, groups: usize) -> Vec<ArrayRef> {
        let width = state_names(self.statistic).len();
        let rows: Vec<Vec<f64>> = if self.statistic.regresses() {
            self.regressions[..groups].iter().map(|m| m.fields().to_vec()).collect()
        } else if self.statistic.takes_pairs() {
            self.pairs[..groups].iter().map(|m| m.fields().to_vec()).collect()
        } else {
            self.single[..groups].iter().map(|m| m.fields().to_vec()).collect()
        };
        (0..width).map(|i| Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r[i]))) as ArrayRef).collect()
    }

    /// The statistic of every group.
    pub fn finish(&self, groups: usize) -> ArrayRef {
        let values: Float64Array = if self.statistic.regresses() {
            self.regressions[..groups].iter().map(|m| m.statistic(self.statistic)).collect()
        } else if self.statistic.takes_pairs() {
            self.pairs[..groups].iter().map(|m| m.statistic(self.statistic)).collect()
        } else {
            self.single[..groups].iter().map(|m| m.statistic(self.statistic)).collect()
        };
        Arc::new(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments_of(values: &[f64]) -> Moments {
        let mut moments = Moments::default();
        values.iter().for_each(|&x| moments.add(x));
        moments
    }

    #[test]
    fn one_pass_moments_give_the_textbook_statistics() {
        let moments = moments_of(&[1.0, 2.0, 4.0, 8.0]);
        let close = |statistic, expected: f64| {
            let value = moments.statistic(statistic).unwrap();
            assert!((value - expected).abs() < 1e-12, "{statistic:?}: {value} != {expected}");
        };
        // mean 3.75; squared deviations 7.5625 + 3.0625 + 0.0625 + 18.0625 = 28.75
        close(Statistic::VarPop, 28.75 / 4.0);
        close(Statistic::VarSamp, 28.75 / 3.0);
        close(Statistic::StddevSamp, (28.75f64 / 3.0).sqrt());
    }

    #[test]
    fn merged_moments_equal_the_moments_of_all_values() {
        let mut merged = moments_of(&[1.0, 2.0]);
        merged.merge(&moments_of(&[4.0, 8.0, 16.0]));
        let whole = moments_of(&[1.0, 2.0, 4.0, 8.0, 16.0]);
        for statistic in [Statistic::VarSamp, Statistic::Skewness, Statistic::Kurtosis] {
            let (a, b) = (merged.statistic(statistic).unwrap(), whole.statistic(statistic).unwrap());
            assert!((a - b).abs() < 1e-9, "{statistic:?}: {a} != {b}");
        }
    }

    #[test]
    fn too_few_values_give_null_not_a_division_by_zero() {
        assert_eq!(Moments::default().statistic(Statistic::VarPop), None);
        assert_eq!(moments_of(&[3.0]).statistic(Statistic::Stddev), None);
        assert_eq!(moments_of(&[3.0]).statistic(Statistic::StddevPop), Some(0.0));
        assert_eq!(moments_of(&[3.0, 3.0]).statistic(Statistic::Skewness), None);
        let mut pair = CoMoments::default();
        pair.add(1.0, 2.0);
        assert_eq!(pair.statistic(Statistic::CovarPop), Some(0.0));
        assert_eq!(pair.statistic(Statistic::Corr), None);
    }

    #[test]
    fn a_perfect_line_has_correlation_one() {
        let mut pairs = CoMoments::default();
        let mut other = CoMoments::default();
        [(1.0, 3.0), (2.0, 5.0)].iter().for_each(|&(x, y)| pairs.add(x, y));
        [(3.0, 7.0), (5.0, 11.0)].iter().for_each(|&(x, y)| other.add(x, y));
        pairs.merge(&other);
        assert!((pairs.statistic(Statistic::Corr).unwrap() - 1.0).abs() < 1e-12);
    }
}
