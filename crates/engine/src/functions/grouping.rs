//! `grouping(key)` and `grouping_id(keys…)`: which keys a row of a `rollup`, `cube` or `GROUPING SETS`
//! aggregation was grouped by. They read the aggregation's grouping id, so they only mean something there: the
//! aggregation replaces them (see `dataframe/grouping_sets.rs`); anywhere else they are an error.

use crate::types::SparkType;
use crate::{EngineError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupingFunction {
    /// `grouping(key)`: 1 where the row's group leaves the key out (a subtotal), else 0.
    Grouping,
    /// `grouping_id(keys…)`: those bits of every key (or of the keys given), the first key the highest bit.
    GroupingId,
}

impl GroupingFunction {
    pub fn name(self) -> &'static str {
        match self {
            Self::Grouping => "grouping",
            Self::GroupingId => "grouping_id",
        }
    }

    pub fn by_name(name: &str) -> Option<Self> {
        [Self::Grouping, Self::GroupingId].into_iter().find(|f| f.name() == name)
    }

    pub fn arity(self) -> (usize, usize) {
        match self {
            Self::Grouping => (1, 1),
            Self::GroupingId => (0, usize::MAX),
        }
    }

    pub fn return_type(self) -> SparkType {
        match self {
            Self::Grouping => SparkType::Byte,
            Self::GroupingId => SparkType::Long,
        }
    }

    /// Reached only outside a grouping-sets aggregation.
    pub fn evaluate(self) -> Result<arrow::array::ArrayRef> {
        Err(unsupported())
    }
}

pub fn unsupported() -> EngineError {
    EngineError::Analysis(
        "[UNSUPPORTED_GROUPING_EXPRESSION] grouping()/grouping_id() can only be used with GroupingSets/Cube/Rollup. \
         SQLSTATE: 42K0E"
            .into(),
    )
}
