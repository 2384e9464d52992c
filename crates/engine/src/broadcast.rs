//! Broadcasts, and the broadcast hash join.
//!
//! Joining a big table with a small one (trips with the 265-row zone lookup) does not need a shuffle. Spark runs
//! the small side first, collects its rows on the driver, builds a hash table on the join keys and sends one copy
//! to every executor — a *broadcast*. Each task of the big side then looks its rows up in its local copy, so the
//! big side never moves. That is the broadcast hash join; Spark picks it when a side's estimated size is under
//! `spark.sql.autoBroadcastJoinThreshold` (10 MB), or when the program asks with `broadcast(df)`.

use std::borrow::Cow;

use arrow::array::{Array, ArrayRef, RecordBatch};
use arrow::compute::concat_batches;
use serde::{Deserialize, Serialize};

use crate::exchange::row_bytes;
use crate::expr::eval::evaluate;
use crate::expr::{Attribute, Expr, ExprId};
use crate::hash_aggregate::schema_of;
use crate::join::{JoinType, assemble_deferring, pairs_satisfying};
use crate::key_table::KeyTable;
use crate::Result;

/// Which input of a broadcast hash join is copied to every executor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildSide {
    Left,
    Right,
}

impl BuildSide {
    pub fn name(self) -> &'static str {
        match self {
            Self::Left => "BuildLeft",
            Self::Right => "BuildRight",
        }
    }
}

/// What a broadcast looked like, for the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastTrace {
    pub id: usize,
    /// The stage that computed the broadcast side.
    pub stage: usize,
    pub rows: u64,
    pub bytes: u64,
    /// One copy per executor.
    pub copies: usize,
}

/// The small side of a broadcast hash join: its rows, and for each key the rows that have it.
pub struct BroadcastTable {
    pub rows: RecordBatch,
    index: Option<KeyIndex>,
    /// Every build row, what a nested loop join pairs each stream row with.
    all_rows: Vec<u32>,
}

/// The build rows of each distinct key: the rows of key `id` are `rows[starts[id]..starts[id + 1]]`.
struct KeyIndex {
    keys: KeyTable,
    starts: Vec<usize>,
    rows: Vec<u32>,
}

impl BroadcastTable {
    /// Builds the table from every partition of the build side. Rows with a NULL key are kept (an outer join
    /// still outputs them) but never match.
    pub fn build(batches: &[RecordBatch], keys: &[Expr], columns: &[Attribute]) -> Result<Self> {
        let rows = concat_batches(&schema_of(columns), batches)?;
        if keys.is_empty() {
            let all_rows = (0..rows.num_rows() as u32).collect();
            return Ok(Self { rows, index: None, all_rows });
        }
        let key_columns = keys.iter().map(|k| evaluate(k, &rows, columns)).collect::<Result<Vec<_>>>()?;
        let index = KeyIndex::build(&key_columns)?;
        Ok(Self { rows, index: Some(index), all_rows: Vec::new() })
    }

    pub fn num_rows(&self) -> usize {
        self.rows.num_rows()
    }

    pub fn size_bytes(&self) -> u64 {
        row_bytes(&self.rows)
    }

    /// The build rows whose key equals the key of each stream row (none for a NULL key); without keys (a nested
    /// loop join), every build row.
    fn matches(&self, stream: &RecordBatch, keys: &[Expr], columns: &[Attribute]) -> Result<Vec<&[u32]>> {
        let Some(index) = &self.index else { return Ok(vec![self.all_rows.as_slice(); stream.num_rows()]) };
        let key_columns = keys.iter().map(|k| evaluate(k, stream, columns)).collect::<Result<Vec<_>>>()?;
        Ok(index.keys.find(&key_columns)?.into_iter().map(|id| id.map_or(&[][..], |id| index.rows_of(id))).collect())
    }
}

impl KeyIndex {
    /// Each key's rows, in row order; rows with a NULL in any key column are left out, as NULL matches nothing.
    fn build(key_columns: &[ArrayRef]) -> Result<Self> {
        let mut keys = KeyTable::new(&key_columns.iter().map(|c| c.data_type().clone()).collect::<Vec<_>>())?;
        let ids = keys.insert(key_columns)?;
        keys.freeze();
        let matchable = |row: &usize| key_columns.iter().all(|c| c.is_valid(*row));
        let key_count = keys.key_count();
        let mut starts = vec![0; key_count + 1];
        for row in (0..ids.len()).filter(matchable) {
            starts[ids[row] + 1] += 1;
        }
        for id in 0..key_count {
            starts[id + 1] += starts[id];
        }
        let mut next = starts.clone();
        let mut rows = vec![0; starts[key_count]];
        for row in (0..ids.len()).filter(matchable) {
            rows[next[ids[row]]] = row as u32;
            next[ids[row]] += 1;
        }
        Ok(Self { keys, starts, rows })
    }

    fn rows_of(&self, id: usize) -> &[u32] {
        &self.rows[self.starts[id]..self.starts[id + 1]]
    }
}

/// One task of a broadcast hash join: every row of a stream partition, looked up in the broadcast table, in stream
/// order. `residual` is the part of the join condition that is not key equality.
pub struct HashJoinTask<'a> {
    pub join_type: JoinType,
    pub build: BuildSide,
    pub table: &'a BroadcastTable,
    pub stream_keys: &'a [Expr],
    pub stream_columns: &'a [Attribute],
    pub build_columns: &'a [Attribute],
    pub residual: Option<&'a Expr>,
    pub output: &'a [Attribute],
    /// Build columns handed on by position (see [`crate::physical::JoinSpec::deferred_strings`]).
    pub deferred_strings: &'a [ExprId],
}

impl HashJoinTask<'_> {
    /// The joined rows of one batch of the stream side.
    pub fn join_batch(&self, stream: &RecordBatch) -> Result<RecordBatch> {
        let candidates = self.table.matches(stream, self.stream_keys, self.stream_columns)?;
        let mut pairs: Vec<(Option<u32>, Option<u32>)> = Vec::with_capacity(stream.num_rows());
        for (row, matches) in candidates.iter().enumerate() {
            let matched = self.keep_matching(stream, row as u32, matches)?;
            let matched = matched.as_ref();
            match self.join_type {
                JoinType::LeftSemi if !matched.is_empty() => pairs.push((Some(row as u32), None)),
                JoinType::LeftAnti if matched.is_empty() => pairs.push((Some(row as u32), None)),
                JoinType::LeftSemi | JoinType::LeftAnti => {}
                _ if matched.is_empty() && self.keeps_unmatched_stream_rows() => pairs.push(self.pair(row as u32, None)),
                _ => pairs.extend(matched.iter().map(|&m| self.pair(row as u32, Some(m)))),
            }
        }
        let (left, right) = match self.build {
            BuildSide::Right => (stream, &self.table.rows),
            BuildSide::Left => (&self.table.rows, stream),
        };
        let by_position: Vec<bool> = match self.build {
            BuildSide::Right => self.build_columns.iter().map(|c| self.deferred_strings.contains(&c.id)).collect(),
            BuildSide::Left => Vec::new(),
        };
        assemble_deferring(&pairs, left, right, self.join_type.keeps_right(), self.output, &by_position)
    }

    /// Stream rows without a match still appear in an outer join on the stream side.
    fn keeps_unmatched_stream_rows(&self) -> bool {
        matches!(
            (self.join_type, self.build),
            (JoinType::LeftOuter, BuildSide::Right) | (JoinType::RightOuter, BuildSide::Left)
        )
    }

    fn pair(&self, stream_row: u32, build_row: Option<u32>) -> (Option<u32>, Option<u32>) {
        match self.build {
            BuildSide::Right => (Some(stream_row), build_row),
            BuildSide::Left => (build_row, Some(stream_row)),
        }
    }

    /// The candidate build rows for which the rest of the join condition holds too.
    fn keep_matching<'c>(&self, stream: &RecordBatch, row: u32, candidates: &'c [u32]) -> Result<Cow<'c, [u32]>> {
        let Some(residual) = self.residual.filter(|_| !candidates.is_empty()) else { return Ok(Cow::Borrowed(candidates)) };
        let pairs: Vec<(Option<u32>, Option<u32>)> = candidates.iter().map(|&c| self.pair(row, Some(c))).collect();
        let (left, right) = match self.build {
            BuildSide::Right => (stream, &self.table.rows),
            BuildSide::Left => (&self.table.rows, stream),
        };
        let (left_columns, right_columns) = match self.build {
            BuildSide::Right => (self.stream_columns, self.build_columns),
            BuildSide::Left => (self.build_columns, self.stream_columns),
        };
        let holds = pairs_satisfying(residual, &pairs, (left, left_columns), (right, right_columns))?;
        Ok(Cow::Owned(candidates.iter().zip(holds).filter(|(_, keep)| *keep).map(|(c, _)| *c).collect()))
    }
}
