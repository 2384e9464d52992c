//! Broadcasts, and the broadcast hash join.
//!
//! Joining a big table with a small one (trips with the 265-row zone lookup) does not need a shuffle. Spark runs
//! the small side first, collects its rows on the driver, builds a hash table on the join keys and sends one copy
//! to every executor — a *broadcast*. Each task of the big side then looks its rows up in its local copy, so the
//! big side never moves. That is the broadcast hash join; Spark picks it when a side's estimated size is under
//! `spark.sql.autoBroadcastJoinThreshold` (10 MB), or when the program asks with `broadcast(df)`.

use std::borrow::Cow;

use arrow::array::{Array, ArrayRef, RecordBatch, UInt32Array};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::compute::concat_batches;
use serde::{Deserialize, Serialize};

use crate::exchange::row_bytes;
use crate::expr::eval::evaluate;
use crate::expr::{Attribute, Expr, ExprId};
use crate::hash_aggregate::schema_of;
use crate::join::{JoinType, assemble_deferring, assemble_rows, pairs_satisfying};
use crate::key_table::{KeyTable, by_position};
use crate::types::SparkType;
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
    /// Microseconds from the first task of the broadcast's stage starting to its last ending (Spark's time to
    /// collect), building the hash table on its keys, and handing the table to the executors.
    #[serde(default)]
    pub collect_us: u64,
    #[serde(default)]
    pub build_us: u64,
    #[serde(default)]
    pub broadcast_us: u64,
    /// Microseconds from the job's start until every executor could read the table.
    #[serde(default)]
    pub ready_us: u64,
}

/// The small side of a broadcast hash join: its rows, and for each key the rows that have it.
pub struct BroadcastTable {
    pub rows: RecordBatch,
    index: Option<KeyIndex>,
    /// For each key, the build column it is — when it is a column of whole numbers or dates, so that a stream key
    /// equal to it holds the very same values.
    key_columns: Vec<Option<usize>>,
    /// Every build row, what a nested loop join pairs each stream row with.
    all_rows: Vec<u32>,
}

/// The build rows of each distinct key: the rows of key `id` are `rows[starts[id]..starts[id + 1]]`.
struct KeyIndex {
    keys: KeyTable,
    starts: Vec<usize>,
    rows: Vec<u32>,
    /// When no key has more than one row (a dimension table's key: zones by LocationID): each key's row, or
    /// [`NO_ROW`] for a key whose rows all had a NULL.
    only_row: Option<Vec<u32>>,
    /// With `only_row`, for a key of one integer column over a small range: each value's row straight away.
    rows_by_value: Option<RowsByValue>,
}

/// The build row of each value of a one-integer-column key over a small range, by position (`value - min`):
/// one read per stream row, no key id in between.
struct RowsByValue {
    min: i64,
    /// [`NO_ROW`] where no build row has the value.
    rows: Vec<u32>,
}

impl RowsByValue {
    fn new(keys: &KeyTable, only_row: &[u32]) -> Option<Self> {
        let (min, ids) = keys.ids_by_value()?;
        let rows = ids.iter().map(|&id| if id == u32::MAX { NO_ROW } else { only_row[id as usize] }).collect();
        Some(Self { min, rows })
    }

    /// The build row of each value of `column` ([`NO_ROW`] for none, and for NULL, which matches nothing).
    fn rows_of(&self, column: &ArrayRef) -> Vec<u32> {
        by_position(column, self.min, |position| self.rows.get(position).copied().unwrap_or(NO_ROW), NO_ROW)
    }
}

const NO_ROW: u32 = u32::MAX;

/// The column among `columns` that `key` is, if its values equal only themselves bit for bit: whole numbers and
/// dates (a double's -0.0 equals 0.0, a string may equal another under a collation).
fn exact_key_column(key: &Expr, columns: &[Attribute]) -> Option<usize> {
    let Expr::Attribute(key) = key else { return None };
    let exact = matches!(key.data_type, SparkType::Byte | SparkType::Short | SparkType::Integer | SparkType::Long | SparkType::Date);
    columns.iter().position(|column| column.id == key.id).filter(|_| exact)
}

impl BroadcastTable {
    /// Builds the table from every partition of the build side. Rows with a NULL key are kept (an outer join
    /// still outputs them) but never match.
    pub fn build(batches: &[RecordBatch], keys: &[Expr], columns: &[Attribute]) -> Result<Self> {
        let rows = concat_batches(&schema_of(columns), batches)?;
        if keys.is_empty() {
            let all_rows = (0..rows.num_rows() as u32).collect();
            return Ok(Self { rows, index: None, all_rows, key_columns: Vec::new() });
        }
        let key_arrays = keys.iter().map(|k| evaluate(k, &rows, columns)).collect::<Result<Vec<_>>>()?;
        let index = KeyIndex::build(&key_arrays)?;
        let key_columns = keys.iter().map(|key| exact_key_column(key, columns)).collect();
        Ok(Self { rows, index: Some(index), all_rows: Vec::new(), key_columns })
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
        let only_row: Option<Vec<u32>> = starts
            .windows(2)
            .map(|bounds| match bounds[1] - bounds[0] {
                0 => Some(NO_ROW),
                1 => Some(rows[bounds[0]]),
                _ => None,
            })
            .collect();
        let rows_by_value = only_row.as_deref().and_then(|only_row| RowsByValue::new(&keys, only_row));
        Ok(Self { keys, starts, rows, only_row, rows_by_value })
    }

    fn rows_of(&self, id: usize) -> &[u32] {
        &self.rows[self.starts[id]..self.starts[id + 1]]
    }
}

/// Build rows as an array, NULL where a stream row has none ([`NO_ROW`]).
fn build_row_array(mut rows: Vec<u32>) -> UInt32Array {
    if !rows.contains(&NO_ROW) {
        return UInt32Array::from(rows);
    }
    let found = BooleanBuffer::collect_bool(rows.len(), |i| rows[i] != NO_ROW);
    // A NULL row number still points somewhere.
    rows.iter_mut().filter(|row| **row == NO_ROW).for_each(|row| *row = 0);
    UInt32Array::new(rows.into(), Some(NullBuffer::new(found)))
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
        if let Some(joined) = self.join_with_unique_keys(stream)? {
            return Ok(joined);
        }
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
        assemble_deferring(&pairs, left, right, self.join_type.keeps_right(), self.output, &self.by_position())
    }

    /// The most common join — a fact table's rows looked up by the unique key of a dimension table (trips in the
    /// zones by LocationID), built on the right, with no further condition — meets at most one build row per
    /// stream row: the stream rows stay as they are (those without a match dropped by an inner join) and each is
    /// given its build row, with no list of row pairs in between. `None` for any other join.
    fn join_with_unique_keys(&self, stream: &RecordBatch) -> Result<Option<RecordBatch>> {
        let Some((index, only_row)) = self.table.index.as_ref().and_then(|index| Some((index, index.only_row.as_deref()?))) else {
            return Ok(None);
        };
        let inner = match self.join_type {
            JoinType::Inner => true,
            JoinType::LeftOuter => false,
            _ => return Ok(None),
        };
        if self.build != BuildSide::Right || self.residual.is_some() {
            return Ok(None);
        }
        let key_columns = self.stream_keys.iter().map(|k| evaluate(k, stream, self.stream_columns)).collect::<Result<Vec<_>>>()?;
        let build_rows = build_row_array(match (&index.rows_by_value, key_columns.as_slice()) {
            (Some(by_value), [column]) => by_value.rows_of(column),
            _ => index.keys.find(&key_columns)?.into_iter().map(|id| id.map_or(NO_ROW, |id| only_row[id])).collect(),
        });
        let (stream_rows, build_rows) = if inner && build_rows.null_count() > 0 {
            let (matched, rows): (Vec<u32>, Vec<u32>) = build_rows.iter().zip(0..).filter_map(|(row, stream_row)| Some((stream_row, row?))).unzip();
            (Some(UInt32Array::from(matched)), UInt32Array::from(rows))
        } else {
            (None, build_rows)
        };
        let rows = build_rows.len();
        let known = match stream_rows {
            None if build_rows.null_count() == 0 => self.build_keys_from_stream(&key_columns),
            _ => Vec::new(),
        };
        let right = (&self.table.rows, Some(&build_rows));
        let joined = assemble_rows((stream, stream_rows.as_ref()), right, rows, self.output, &self.by_position(), &known)?;
        Ok(Some(joined))
    }

    /// When every stream row met a build row: the build key columns, which are the stream's keys themselves
    /// (LocationID equals PULocationID in every joined row), by build column — no gathering of build rows for them.
    fn build_keys_from_stream(&self, stream_keys: &[ArrayRef]) -> Vec<Option<ArrayRef>> {
        let mut known = vec![None; self.table.rows.num_columns()];
        for (column, stream_key) in self.table.key_columns.iter().zip(stream_keys) {
            if let Some(column) = *column
                && stream_key.data_type() == self.table.rows.column(column).data_type()
            {
                known[column] = Some(stream_key.clone());
            }
        }
        known
    }

    /// Which build columns are handed on by position.
    fn by_position(&self) -> Vec<bool> {
        match self.build {
            BuildSide::Right => self.build_columns.iter().map(|c| self.deferred_strings.contains(&c.id)).collect(),
            BuildSide::Left => Vec::new(),
        }
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{AsArray, Int32Array, StringArray};
    use arrow::datatypes::Int32Type;

    use super::*;
    use crate::hash_aggregate::batch_of;
    use crate::types::SparkType;

    fn zones(ids: Vec<Option<i32>>) -> (RecordBatch, Vec<Attribute>) {
        let columns = vec![Attribute::new("LocationID", SparkType::Integer, true), Attribute::new("Zone", SparkType::String, true)];
        let names: Vec<String> = (0..ids.len()).map(|i| format!("zone {i}")).collect();
        let arrays: Vec<ArrayRef> = vec![Arc::new(Int32Array::from(ids.clone())), Arc::new(StringArray::from(names))];
        (batch_of(&columns, arrays, ids.len()).unwrap(), columns)
    }

    /// The build row's zone name each output row got, by the stream row's zone id.
    fn joined(join_type: JoinType, build_ids: Vec<Option<i32>>) -> Vec<(Option<i32>, Option<String>)> {
        joined_rows(join_type, build_ids, vec![Some(2), Some(5), None, Some(1), Some(2)])
    }

    fn joined_rows(join_type: JoinType, build_ids: Vec<Option<i32>>, stream_ids: Vec<Option<i32>>) -> Vec<(Option<i32>, Option<String>)> {
        let batch = join_batch(join_type, build_ids, stream_ids);
        let ids = batch.column(0).as_primitive::<Int32Type>().iter();
        ids.zip(batch.column(2).as_string::<i32>().iter().map(|z| z.map(str::to_string))).collect()
    }

    /// Trips by PULocationID joined with zones by LocationID: PULocationID, LocationID, Zone.
    fn join_batch(join_type: JoinType, build_ids: Vec<Option<i32>>, stream_ids: Vec<Option<i32>>) -> RecordBatch {
        let (build, build_columns) = zones(build_ids);
        let table = BroadcastTable::build(&[build], &[Expr::Attribute(build_columns[0].clone())], &build_columns).unwrap();
        let stream_columns = vec![Attribute::new("PULocationID", SparkType::Integer, true)];
        let rows = stream_ids.len();
        let trips: ArrayRef = Arc::new(Int32Array::from(stream_ids));
        let stream = batch_of(&stream_columns, vec![trips], rows).unwrap();
        let output: Vec<Attribute> = stream_columns.iter().chain(&build_columns).cloned().collect();
        let task = HashJoinTask {
            join_type,
            build: BuildSide::Right,
            table: &table,
            stream_keys: &[Expr::Attribute(stream_columns[0].clone())],
            stream_columns: &stream_columns,
            build_columns: &build_columns,
            residual: None,
            output: &output,
            deferred_strings: &[],
        };
        task.join_batch(&stream).unwrap()
    }

    #[test]
    fn a_stream_row_meets_its_one_build_row_and_null_keys_meet_none() {
        let zone = |id: i32, row: usize| (Some(id), Some(format!("zone {row}")));
        for build_ids in [vec![Some(1), None, Some(2)], vec![Some(1), None, Some(2), Some(7), Some(7)]] {
            let unique = build_ids.len() == 3;
            assert_eq!(joined(JoinType::Inner, build_ids.clone()), [zone(2, 2), zone(1, 0), zone(2, 2)], "unique keys: {unique}");
            let outer = joined(JoinType::LeftOuter, build_ids);
            assert_eq!(outer, [zone(2, 2), (Some(5), None), (None, None), zone(1, 0), zone(2, 2)], "unique keys: {unique}");
        }
    }

    #[test]
    fn keys_over_a_small_range_find_their_row_by_position_and_values_outside_it_find_none() {
        // A NULL stream key's slot holds 0 in arrow, which is a build key here: it must still match nothing.
        let build_ids = vec![Some(0), Some(2), None];
        let (build, build_columns) = zones(build_ids.clone());
        let table = BroadcastTable::build(&[build], &[Expr::Attribute(build_columns[0].clone())], &build_columns).unwrap();
        assert!(table.index.as_ref().unwrap().rows_by_value.is_some(), "0..=2 is looked up by position");

        let stream = vec![Some(-1), Some(0), Some(1), Some(2), Some(3), None, Some(i32::MIN), Some(i32::MAX), Some(0)];
        let zone = |id: i32, row: usize| (Some(id), Some(format!("zone {row}")));
        assert_eq!(joined_rows(JoinType::Inner, build_ids.clone(), stream.clone()), [zone(0, 0), zone(2, 1), zone(0, 0)]);
        let unmatched = |id: Option<i32>| (id, None);
        assert_eq!(
            joined_rows(JoinType::LeftOuter, build_ids, stream),
            [unmatched(Some(-1)), zone(0, 0), unmatched(Some(1)), zone(2, 1), unmatched(Some(3)), unmatched(None),
             unmatched(Some(i32::MIN)), unmatched(Some(i32::MAX)), zone(0, 0)]
        );
    }

    #[test]
    fn the_build_key_column_holds_the_key_of_the_build_row_met_and_null_where_none_was() {
        let build_ids = vec![Some(1), None, Some(2), Some(4000)];
        for stream in [vec![Some(2), Some(1), Some(4000)], vec![Some(2), Some(5), None, Some(1)]] {
            for join_type in [JoinType::Inner, JoinType::LeftOuter] {
                let batch = join_batch(join_type, build_ids.clone(), stream.clone());
                let location_ids: Vec<Option<i32>> = batch.column(1).as_primitive::<Int32Type>().iter().collect();
                let build_row_of_zone = |zone: Option<&str>| zone.map(|z| z["zone ".len()..].parse::<usize>().unwrap());
                let expected: Vec<Option<i32>> =
                    batch.column(2).as_string::<i32>().iter().map(|zone| build_row_of_zone(zone).and_then(|row| build_ids[row])).collect();
                assert_eq!(location_ids, expected, "{join_type:?} of {stream:?}");
                assert_eq!(batch.column(1).null_count(), expected.iter().filter(|id| id.is_none()).count());
            }
        }
    }
}
