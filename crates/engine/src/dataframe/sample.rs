//! `sample` and `randomSplit` (see [`crate::sample`] for how rows are drawn).

use crate::display::java_double_string;
use crate::expr::Expr;
use crate::logical::LogicalPlan;
use crate::sample::Sample;
use crate::sort::SortOrder;
use crate::types::SparkType;
use crate::{EngineError, Result};

use super::DataFrame;

/// How far a fraction may stray outside [0, 1] through rounding (Spark's `RandomSampler.roundingEpsilon`).
const ROUNDING_EPSILON: f64 = 1e-6;

impl DataFrame {
    /// Each row kept with probability `fraction` (without replacement), the draws seeded with `seed`.
    pub fn sample(&self, fraction: f64, seed: i64) -> Result<DataFrame> {
        if !(-ROUNDING_EPSILON..=1.0 + ROUNDING_EPSILON).contains(&fraction) {
            return Err(EngineError::IllegalArgument(format!(
                "requirement failed: Sampling fraction ({}) must be on interval [0, 1] without replacement",
                java_double_string(fraction)
            )));
        }
        Ok(self.with_plan(LogicalPlan::Sample { sample: Sample { lower: 0.0, upper: fraction, seed }, input: self.plan.clone() }))
    }

    /// The rows split into one DataFrame per weight, each about its weight's share of the rows; every row is in
    /// exactly one of them.
    pub fn random_split(&self, weights: &[f64], seed: i64) -> Result<Vec<DataFrame>> {
        let listed = || weights.iter().map(|w| java_double_string(*w)).collect::<Vec<_>>().join(",");
        if weights.iter().any(|w| *w < 0.0) {
            return Err(EngineError::IllegalArgument(format!("requirement failed: Weights must be nonnegative, but got [{}]", listed())));
        }
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return Err(EngineError::IllegalArgument(format!("requirement failed: Sum of weights must be positive, but got [{}]", listed())));
        }
        // Each part draws again over the same rows: sorting each partition by every column meets them in the same
        // order each time, as Spark does (maps cannot be sorted and are left out).
        let order: Vec<SortOrder> = self
            .attributes()
            .into_iter()
            .filter(|a| !matches!(a.data_type, SparkType::Map(_)))
            .map(|a| SortOrder::new(Expr::Attribute(a), true))
            .collect();
        let input = if order.is_empty() { self.plan.clone() } else { std::sync::Arc::new(LogicalPlan::Sort { order, global: false, input: self.plan.clone() }) };
        let mut bounds = vec![0.0];
        for weight in weights {
            bounds.push(bounds.last().expect("starts with 0") + weight / total);
        }
        Ok(bounds
            .windows(2)
            .map(|range| {
                let sample = Sample { lower: range[0], upper: range[1], seed };
                self.with_plan(LogicalPlan::Sample { sample, input: input.clone() })
            })
            .collect())
    }
}
