//! Key blocks: ids of packed keys found by position instead of by hash.
//!
//! Most group-by keys have one column over a small range beside the others: a zone id (1..=265) beside an hour,
//! a month and a service type, a pickup zone beside a drop-off zone. For such keys the other columns — the key's
//! *row* — pick a block of ids, one place per value of the small column, and the small column's value picks the
//! place. A key's id is then found with no hash and no probe, and the groups of one hour, which trips bring
//! together, sit together in memory instead of all over a table far bigger than the cache.
//!
//! The small column and its range — the narrowest holding nearly all of its values — are chosen from the first
//! keys seen. A key outside the blocks (a value beyond the range, a NULL) goes to the hash table. Whether a key
//! belongs in a block depends on the key alone, so it always finds the id it was given. When blocks would end up
//! mostly empty (rows with few keys each, as in a final aggregation whose keys come in hash order) the table takes
//! their keys over and the blocks go.

use foldhash::fast::FixedState;
use hashbrown::{HashMap, HashSet};

use super::{PackedColumn, UNSEEN};
use crate::Result;

/// The share of the first values that the blocks' range must hold.
const COVERED: f64 = 0.99;
/// The widest range of values a block covers (4 bytes a value).
const MAX_WIDTH: i64 = 1024;
/// Blocks are this wide at least, so that values a little beyond the first ones seen still find a place.
const MIN_WIDTH: i64 = 64;
/// Places blocks may take whatever the rows and keys seen.
const FREE_PLACES: usize = 4096;
/// Blocks may take this many places per row seen. A final aggregation's keys, one per hour, would make a block
/// for nearly every row.
const PLACES_PER_ROW: usize = 16;
/// Beyond this many places (4 MB), blocks may not be emptier than one key in [`PLACES_PER_KEY`] places. Below
/// it, blocks may fill slowly: pairs of zones fill 265 blocks of 265 over a few batches.
const MANY_PLACES: usize = 1 << 20;
const PLACES_PER_KEY: usize = 4;

/// Where a key's id lives.
pub(super) enum Place {
    /// In block `block`, at `offset`.
    Block { block: u32, offset: usize },
    /// In the hash table.
    Table,
    /// The key belongs in a block, but a new block would leave the blocks mostly empty: they should go.
    TooSparse,
}

pub(super) struct KeyBlocks {
    column: SmallColumn,
    /// By row (a packed key with the small column's bits cleared): its block.
    block_of: HashMap<u128, u32, FixedState>,
    /// Ids by offset, [`UNSEEN`] where no key has come.
    blocks: Vec<Box<[u32]>>,
    /// The row last looked up and its block: the keys of a row come together.
    last: Option<(u128, u32)>,
    /// How many keys the blocks hold.
    keys: usize,
    /// How many rows have been looked up.
    rows: usize,
}

/// The id at `place`, or if no key has taken it yet, a new one from `new_id`, counted in `keys`.
#[inline]
fn id_taking(place: &mut u32, keys: &mut usize, new_id: impl FnOnce() -> Result<u32>) -> Result<u32> {
    if *place == UNSEEN {
        *place = new_id()?;
        *keys += 1;
    }
    Ok(*place)
}

/// Of the ranges holding [`COVERED`] of the sorted `values`, the narrowest, as (span, lowest value): a few dirty
/// values (a trip dated 2009 among February's) then fall outside the blocks instead of stretching them.
fn narrowest_range(values: &[i64]) -> Option<(i64, i64)> {
    let covered = (values.len() as f64 * COVERED).ceil() as usize;
    values.windows(covered.max(1)).map(|window| (window[window.len() - 1].saturating_sub(window[0]), window[0])).min()
}

/// The column whose value picks a key's place in its block.
#[derive(Clone, Copy)]
struct SmallColumn {
    /// Where its value and NULL flag sit in a packed key, and its values' mask.
    shift: u32,
    unused_bits: u32,
    null_bit: u32,
    mask: u64,
    /// The value at offset 0 of every block.
    lowest: i64,
    width: usize,
}

impl SmallColumn {
    /// The key's row and its offset in the row's block, if it belongs in a block.
    fn row_and_offset(&self, key: u128) -> Option<(u128, usize)> {
        if key >> self.null_bit & 1 != 0 {
            return None;
        }
        let bits = (key >> self.shift) as u64 & self.mask;
        // Shifting the value to the top and back copies its sign bit down.
        let value = ((bits << self.unused_bits) as i64) >> self.unused_bits;
        // Below `lowest` the subtraction wraps to an offset past the end.
        let offset = value.wrapping_sub(self.lowest) as u64;
        (offset < self.width as u64).then(|| (key & !(u128::from(self.mask) << self.shift), offset as usize))
    }
}

impl KeyBlocks {
    /// Blocks for keys like `first_keys`, over the column whose values there span the widest range that fits a
    /// block (the zone beside an hour that changes every few thousand rows); `None` if no column fits or if the
    /// rows there would take too many places.
    pub(super) fn choose(layout: &[PackedColumn], first_keys: &[u128]) -> Option<Self> {
        let range = |column: &PackedColumn| {
            let mut values: Vec<i64> = first_keys.iter().filter_map(|&key| column.value(key)).collect();
            values.sort_unstable();
            let (span, lowest) = narrowest_range(&values)?;
            (span < MAX_WIDTH).then_some((span, lowest))
        };
        let (column, (span, lowest)) = layout
            .iter()
            .filter_map(|column| Some((column, range(column)?)))
            .fold(None, |best: Option<(&PackedColumn, (i64, i64))>, candidate| match best {
                Some(best) if best.1.0 >= candidate.1.0 => Some(best),
                _ => Some(candidate),
            })?;
        let column = SmallColumn {
            shift: column.shift,
            unused_bits: 64 - column.bits,
            null_bit: column.null_bit,
            mask: u64::MAX >> (64 - column.bits),
            lowest,
            width: (span + 1).max(MIN_WIDTH) as usize,
        };
        // Rows that hardly repeat (a final aggregation's keys, each hour once) would each take a block.
        let rows: HashSet<u128, FixedState> = first_keys.iter().filter_map(|&key| Some(column.row_and_offset(key)?.0)).collect();
        if rows.len() * column.width > FREE_PLACES + PLACES_PER_ROW * first_keys.len() {
            return None;
        }
        Some(Self {
            column,
            block_of: HashMap::with_hasher(FixedState::default()),
            blocks: Vec::new(),
            last: None,
            keys: 0,
            rows: 0,
        })
    }

    /// Where `key`'s id lives, making a block for its row if it has none.
    pub(super) fn place(&mut self, key: u128) -> Place {
        let Some((row, offset)) = self.column.row_and_offset(key) else {
            return Place::Table;
        };
        if let Some((last_row, block)) = self.last
            && last_row == row
        {
            return Place::Block { block, offset };
        }
        let block = match self.block_of.get(&row) {
            Some(&block) => block,
            None if self.new_block_too_sparse() => return Place::TooSparse,
            None => {
                let block = self.blocks.len() as u32;
                self.blocks.push(vec![UNSEEN; self.column.width].into_boxed_slice());
                self.block_of.insert(row, block);
                block
            }
        };
        self.last = Some((row, block));
        Place::Block { block, offset }
    }

    fn new_block_too_sparse(&self) -> bool {
        let places = (self.blocks.len() + 1) * self.column.width;
        places > FREE_PLACES + PLACES_PER_ROW * self.rows || (places > MANY_PLACES && self.keys * PLACES_PER_KEY < places)
    }

    /// Counts rows about to be looked up, which allow the blocks more places.
    pub(super) fn will_see(&mut self, rows: usize) {
        self.rows += rows;
    }

    /// Gives ids to the leading keys that belong in the block of the row last looked up, as the keys of one row
    /// come in runs, and pushes them to `ids`; returns how many keys it took. A tight loop, with no look-up of the
    /// row: most keys of a group-by over trips in time order go this way.
    pub(super) fn ids_of_run(&mut self, keys: &[u128], ids: &mut Vec<usize>, mut new_id: impl FnMut(u128) -> Result<u32>) -> Result<usize> {
        let Some((row, block)) = self.last else { return Ok(0) };
        let column = self.column;
        let block = &mut self.blocks[block as usize];
        let mut taken = 0;
        // The key before, and its id: trips in pickup order give a day (or a month) in long runs of one key.
        let mut previous: Option<(u128, usize)> = None;
        for &key in keys {
            let id = match previous {
                Some((previous_key, id)) if previous_key == key => id,
                _ => match column.row_and_offset(key) {
                    Some((key_row, offset)) if key_row == row => id_taking(&mut block[offset], &mut self.keys, || new_id(key))? as usize,
                    _ => break,
                },
            };
            ids.push(id);
            previous = Some((key, id));
            taken += 1;
        }
        Ok(taken)
    }

    /// The id at a place [`Self::place`] gave, or if no key has taken it yet, a new one from `new_id`.
    pub(super) fn id_or_add(&mut self, block: u32, offset: usize, new_id: impl FnOnce() -> Result<u32>) -> Result<u32> {
        id_taking(&mut self.blocks[block as usize][offset], &mut self.keys, new_id)
    }

    /// The id of `key` without adding anything: `Some` (found or not) when the key belongs in a block, `None`
    /// when it belongs in the hash table.
    pub(super) fn find(&self, key: u128) -> Option<Option<u32>> {
        let (row, offset) = self.column.row_and_offset(key)?;
        // A key whose row has no block was never added: adding it would have made the block.
        Some(self.block_of.get(&row).map(|&block| self.blocks[block as usize][offset]).filter(|&id| id != UNSEEN))
    }

    /// Every id the blocks hold, for the hash table to take over.
    pub(super) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.blocks.iter().flat_map(|block| block.iter().copied().filter(|&id| id != UNSEEN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_dirty_values_stay_outside_the_range() {
        // February 2021 as days since 1970 (18659..=18686), ten rows a day, and one trip dated 2009-01-01.
        let mut days: Vec<i64> = (18659..=18686).flat_map(|day| [day; 10]).chain([14245]).collect();
        days.sort_unstable();
        assert_eq!(narrowest_range(&days), Some((27, 18659)));
        assert_eq!(narrowest_range(&[7]), Some((0, 7)));
        assert_eq!(narrowest_range(&[]), None);
    }
}
