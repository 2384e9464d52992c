//! Spark's **SortAggregate**: the aggregation it falls back to when a group's running state cannot live in a hash
//! table of fixed-width slots. Spark's HashAggregate keeps each group's state in an `UnsafeRow` that it updates in
//! place, which only numbers, dates, timestamps, decimals and intervals allow; `max(name)` or `first(zone)` keep a
//! string, so Spark sorts each partition by the grouping keys and folds each run of equal keys in turn. Aggregates
//! whose state is an object (`collect_list`, percentiles) go to ObjectHashAggregate instead.
//!
//! Kindling folds the groups the same way whichever operator Spark would use; what follows from Spark's choice is
//! the plan: the operator's name and the `Sort` below each step, which also puts the groups in key order.

use crate::hash_aggregate::AggregateCall;
use crate::types::SparkType;

/// Which of Spark's three aggregate operators runs these calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateOperator {
    HashAggregate,
    ObjectHashAggregate,
    SortAggregate,
}

impl AggregateOperator {
    /// Spark's choice (`AggUtils.createAggregate`): an object state anywhere makes it an ObjectHashAggregate;
    /// otherwise a state that cannot be updated in place makes it a SortAggregate.
    pub fn for_calls(calls: &[AggregateCall]) -> Self {
        if calls.iter().any(|c| c.function.is_object()) {
            Self::ObjectHashAggregate
        } else if calls.iter().any(|c| !state_fits_in_place(c)) {
            Self::SortAggregate
        } else {
            Self::HashAggregate
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::HashAggregate => "HashAggregate",
            Self::ObjectHashAggregate => "ObjectHashAggregate",
            Self::SortAggregate => "SortAggregate",
        }
    }
}

/// Whether a call's state is all fixed-width values (Spark's `isAggregateBufferMutable`): counts, sums and moments
/// are; `min`, `max`, `first`, `last` of text keep text.
fn state_fits_in_place(call: &AggregateCall) -> bool {
    call.state.iter().all(|part| fixed_width(&part.data_type))
}

fn fixed_width(data_type: &SparkType) -> bool {
    !matches!(data_type, SparkType::String | SparkType::Binary | SparkType::Array(_) | SparkType::Map(_) | SparkType::Struct(_))
}
