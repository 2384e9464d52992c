//! The hash table under HashAggregate and the broadcast hash join: each distinct key gets an id.
//!
//! Grouping and hash joins both ask one question per row: "which key is this?". A hash of the row's key picks a
//! slot; the keys already in that slot are compared with the row's; a new key gets the next id. Ids count from 0
//! in the order keys first arrive, which is what keeps a group-by's output in Spark's order.
//!
//! Keys are kept column by column, in their own types: a row's key is hashed and compared straight from its
//! column, a batch at a time, without turning every row into bytes first. Key types without a native comparison
//! here (booleans, doubles, nested types) are turned into arrow's row format, a byte string per value.
//!
//! The most common keys — an hour and a zone, a day, a zone id — are small integers: those are packed into one
//! 128-bit number per row ([`PackedKeys`]) that lives in the table entry itself, so finding a key reads one place
//! in memory instead of one per column. In a table of a million groups every such read is a cache miss.

use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;
use std::sync::Arc;

use arrow::array::{
    AnyDictionaryArray, Array, ArrayRef, ArrowPrimitiveType, AsArray, BinaryArray, GenericByteArray, Int32Array,
    PrimitiveArray, new_null_array,
};
use arrow::buffer::{BooleanBuffer, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{
    ArrowNativeType, BinaryType, ByteArrayType, DataType, Date32Type, Decimal128Type, Int8Type, Int16Type, Int32Type,
    Int64Type, TimeUnit, TimestampMicrosecondType, UInt32Type, Utf8Type,
};
use arrow::row::{RowConverter, SortField};
use foldhash::fast::FixedState;
use hashbrown::HashTable;

use crate::{EngineError, Result};

mod blocks;
use blocks::{KeyBlocks, Place};

/// Mixed into a row's hash for a NULL key column, so that `(NULL, 1)` and `(1, NULL)` hash apart.
const NULL_MARK: u64 = 0x6e75_6c6c_6e75_6c6c;

/// The distinct keys seen so far, each with its id (its position in order of first arrival).
pub struct KeyTable {
    /// Keys that fit in 128 bits; when set, `columns` and `table` stay empty.
    packed: Option<PackedKeys>,
    /// Keys that would pack but for their width, in two packed tables; when set, `columns` and `table` stay empty.
    split: Option<Box<SplitKeys>>,
    columns: Vec<KeyColumn>,
    /// (hash of the key, id), 8 bytes an entry so that more of a big table stays in cache: the hash is kept so that
    /// growing the table and most mismatches need no look at the key.
    table: HashTable<(u32, u32)>,
    hasher: FixedState,
    len: usize,
    /// For a one-column key given as a dictionary array (a broadcast's strings, see [`Self::insert`]): the
    /// dictionary's values and the id each has been given so far.
    dictionary: Option<Box<DictionaryIds>>,
}

/// The ids of a dictionary's values, found as rows first point at them.
struct DictionaryIds {
    values: ArrayRef,
    /// By value index: its key's id, or [`UNSEEN`].
    ids: Vec<u32>,
}

const UNSEEN: u32 = u32::MAX;

/// One key column: the keys' values, and for a type without a native comparison the encoding into bytes.
struct KeyColumn {
    values: Box<dyn StoredKeys>,
    encoding: Option<RowConverter>,
}

impl KeyTable {
    /// An empty table for keys of these column types.
    pub fn new(types: &[DataType]) -> Result<Self> {
        let hasher = FixedState::default();
        let empty = |packed, split, columns| Self { packed, split, columns, table: HashTable::new(), hasher, len: 0, dictionary: None };
        if let Some(packed) = PackedKeys::new(types) {
            return Ok(empty(Some(packed), None, Vec::new()));
        }
        if let Some(split) = SplitKeys::new(types)? {
            return Ok(empty(None, Some(Box::new(split)), Vec::new()));
        }
        let columns = types.iter().map(KeyColumn::new).collect::<Result<_>>()?;
        Ok(empty(None, None, columns))
    }

    /// Makes room for `additional` more keys without growing the table on the way.
    pub fn reserve(&mut self, additional: usize) {
        if let Some(split) = &mut self.split {
            return split.tail.reserve(additional);
        }
        match &mut self.packed {
            Some(packed) => {
                packed.table.reserve(additional, |(key, _)| self.hasher.hash_one(number(key)));
                packed.keys.reserve(additional);
            }
            None => self.table.reserve(additional, |&(hash, _)| spread(hash)),
        }
    }

    /// Prepares the table for lookups only (a broadcast's keys, all inserted): a one-column integer key over a
    /// small range is then found by position in an array instead of by hash.
    pub fn freeze(&mut self) {
        if let Some(packed) = &mut self.packed
            && let [column] = packed.layout.as_slice()
        {
            packed.direct = DirectIds::build(column, &packed.keys);
        }
    }

    /// Tells the table that each key will come only a few times, far apart (merged partial states: each task's
    /// partial aggregation already merged its own rows): it then neither chooses key blocks nor looks among the
    /// last keys seen first, as neither would find runs of keys to take.
    pub fn expect_few_repeats(&mut self) {
        if let Some(split) = &mut self.split {
            split.head.expect_few_repeats();
            split.tail.expect_few_repeats();
        }
        if let Some(packed) = &mut self.packed {
            packed.blocks_chosen = true;
            packed.recent = None;
        }
    }

    /// How many distinct keys the table holds.
    pub fn key_count(&self) -> usize {
        match (&self.packed, &self.split) {
            (Some(packed), _) => packed.keys.len(),
            (None, Some(split)) => split.tail.key_count(),
            (None, None) => self.len,
        }
    }

    /// The id of every row's key, adding the keys not seen before. A NULL equals a NULL here, as in a group-by.
    ///
    /// A one-column key may come as a dictionary array (rows pointing into a broadcast's strings, only ever as a
    /// lone key: see `JoinSpec::deferred_strings`): each value is then looked up once, when a row first points at
    /// it, and every other row takes its id by position.
    pub fn insert(&mut self, key_columns: &[ArrayRef]) -> Result<Vec<usize>> {
        self.check_width(key_columns)?;
        if let [column] = key_columns
            && let Some(dictionary) = column.as_any_dictionary_opt()
        {
            return self.insert_dictionary(dictionary);
        }
        if let Some(packed) = &mut self.packed {
            return packed.insert(key_columns, &self.hasher);
        }
        if let Some(split) = &mut self.split {
            return split.insert(key_columns);
        }
        let arrays = self.comparable(key_columns)?;
        let hashes = self.hashes(&arrays);
        let Self { columns, table, len, .. } = self;
        let mut ids = Vec::with_capacity(hashes.len());
        for (row, &hash) in hashes.iter().enumerate() {
            let same_key = |&(stored, id): &(u32, u32)| stored == hash && equal_keys(columns, id as usize, &arrays, row);
            let id = match table.find(spread(hash), same_key) {
                Some(&(_, id)) => id as usize,
                None => {
                    let id = *len;
                    let short_id = u32::try_from(id).map_err(|_| EngineError::Runtime("more than 2^32 distinct keys in one task".into()))?;
                    for (column, array) in columns.iter_mut().zip(&arrays) {
                        column.values.push(array, row);
                    }
                    *len += 1;
                    table.insert_unique(spread(hash), (hash, short_id), |&(stored, _)| spread(stored));
                    id
                }
            };
            ids.push(id);
        }
        Ok(ids)
    }

    fn insert_dictionary(&mut self, dictionary: &dyn AnyDictionaryArray) -> Result<Vec<usize>> {
        let values = dictionary.values();
        // The same broadcast's values come with every batch: their ids so far are kept from batch to batch.
        let mut known = match self.dictionary.take() {
            Some(known) if Arc::ptr_eq(&known.values, values) => known,
            _ => Box::new(DictionaryIds { values: values.clone(), ids: vec![UNSEEN; values.len()] }),
        };
        // A NULL among the values is looked up like any other value (as the NULL key); only NULL positions are
        // told apart here.
        let nulls = dictionary.keys().logical_nulls().filter(|nulls| nulls.null_count() > 0);
        // A broadcast join's positions are u32s (`join::assemble_rows`): read in place, not widened into a new Vec.
        let ids = match dictionary.keys().as_primitive_opt::<UInt32Type>() {
            Some(positions) => self.ids_by_position(&mut known, nulls, positions.values().iter().map(|&p| p as usize)),
            None => self.ids_by_position(&mut known, nulls, dictionary.normalized_keys().into_iter()),
        };
        self.dictionary = Some(known);
        ids
    }

    /// Each row's id from its position among `known`'s values, a value looked up when a row first points at it.
    fn ids_by_position(&mut self, known: &mut DictionaryIds, nulls: Option<NullBuffer>, positions: impl Iterator<Item = usize>) -> Result<Vec<usize>> {
        let mut null_id = None;
        let mut ids = Vec::with_capacity(positions.size_hint().0);
        for (row, position) in positions.enumerate() {
            let id = if nulls.as_ref().is_some_and(|n| n.is_null(row)) {
                match null_id {
                    Some(id) => id,
                    None => *null_id.insert(self.insert(&[new_null_array(known.values.data_type(), 1)])?[0]),
                }
            } else if known.ids[position] == UNSEEN {
                let id = self.insert(&[known.values.slice(position, 1)])?[0];
                known.ids[position] = id as u32;
                id
            } else {
                known.ids[position] as usize
            };
            ids.push(id);
        }
        Ok(ids)
    }

    /// The id of every row's key, or `None` for a key the table does not hold.
    pub fn find(&self, key_columns: &[ArrayRef]) -> Result<Vec<Option<usize>>> {
        self.check_width(key_columns)?;
        if let Some(packed) = &self.packed {
            return packed.find(key_columns, &self.hasher);
        }
        if let Some(split) = &self.split {
            return split.find(key_columns);
        }
        let arrays = self.comparable(key_columns)?;
        let hashes = self.hashes(&arrays);
        let columns = &self.columns;
        let id_of = |(row, &hash): (usize, &u32)| {
            let same_key = |&(stored, id): &(u32, u32)| stored == hash && equal_keys(columns, id as usize, &arrays, row);
            self.table.find(spread(hash), same_key).map(|&(_, id)| id as usize)
        };
        Ok(hashes.iter().enumerate().map(id_of).collect())
    }

    /// For a one-integer-column key over a small range (see [`DirectIds`]), once the table is frozen: the smallest
    /// value, and from it on the id of each value (`u32::MAX` where no key has it).
    pub fn ids_by_value(&self) -> Option<(i64, &[u32])> {
        let direct = self.packed.as_ref()?.direct.as_ref()?;
        Some((direct.min, &direct.ids))
    }

    /// The keys as columns, row `i` holding the key with id `i`.
    pub fn key_columns(&self) -> Result<Vec<ArrayRef>> {
        if let Some(packed) = &self.packed {
            return packed.key_columns();
        }
        if let Some(split) = &self.split {
            return split.key_columns();
        }
        self.columns.iter().map(KeyColumn::finish).collect()
    }

    /// How many key columns the table takes.
    fn width(&self) -> usize {
        match (&self.packed, &self.split) {
            (Some(packed), _) => packed.layout.len(),
            (None, Some(split)) => split.head_width + split.tail.width() - 1,
            (None, None) => self.columns.len(),
        }
    }

    fn check_width(&self, key_columns: &[ArrayRef]) -> Result<()> {
        let width = self.width();
        if key_columns.len() != width {
            return Err(EngineError::Internal(format!("{} key columns for a table of {width}", key_columns.len())));
        }
        Ok(())
    }

    /// The key columns as the stored keys compare them: encoded into bytes where the type needs it.
    fn comparable(&self, key_columns: &[ArrayRef]) -> Result<Vec<ArrayRef>> {
        self.columns.iter().zip(key_columns).map(|(column, array)| column.comparable(array)).collect()
    }

    /// Each row's hash over all its key columns, folded to the 32 bits the table keeps.
    fn hashes(&self, arrays: &[ArrayRef]) -> Vec<u32> {
        let mut hashes = vec![0; arrays.first().map_or(0, |a| a.len())];
        for (column, array) in self.columns.iter().zip(arrays) {
            column.values.hash_into(array, &self.hasher, &mut hashes);
        }
        hashes.into_iter().map(|h| (h ^ (h >> 32)) as u32).collect()
    }
}

/// The 64-bit hash the table places an entry by, from its 32 kept bits: a multiply by an odd constant moves
/// entropy into the top bits, which pick the entry's tag.
fn spread(hash: u32) -> u64 {
    (hash as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The bits a column of this type takes in a packed key (without its NULL flag), if it packs.
fn packed_bits(data_type: &DataType) -> Option<u32> {
    match data_type {
        DataType::Utf8 => Some(STRING_CODE_BITS),
        other => crate::sort::integer_width(other),
    }
}

/// Whether columns of these types, each with its NULL flag, fit in one 128-bit number.
fn fit_in_one_number(types: &[DataType]) -> bool {
    types.iter().map(|t| packed_bits(t).map(|bits| bits + 1)).sum::<Option<u32>>().is_some_and(|bits| bits <= 128)
}

/// Keys of integers, dates, timestamps and strings too wide for one packed number (a zone, an hour and a zone need
/// 131 bits with their NULL flags): the leading columns that fit are numbered in a packed table of their own, and
/// that number stands for them beside the other columns in a second table. Two lookups in packed tables cost less
/// than one column by column. The second table gives the ids, so they still count keys in order of first arrival.
struct SplitKeys {
    head: KeyTable,
    /// How many leading columns `head` takes (at least two, so that `tail` has fewer columns than the key).
    head_width: usize,
    /// The head's number, then the other columns.
    tail: KeyTable,
}

impl SplitKeys {
    fn new(types: &[DataType]) -> Result<Option<Self>> {
        if !types.iter().all(|t| packed_bits(t).is_some()) || types.iter().all(|t| *t == DataType::Utf8) {
            return Ok(None);
        }
        // The longest head of at least two columns that packs, leaving at least one column for the tail.
        let Some(head_width) = (2..types.len()).rev().find(|&width| fit_in_one_number(&types[..width])) else {
            return Ok(None);
        };
        let tail_types: Vec<DataType> = std::iter::once(DataType::Int32).chain(types[head_width..].iter().cloned()).collect();
        Ok(Some(Self { head: KeyTable::new(&types[..head_width])?, head_width, tail: KeyTable::new(&tail_types)? }))
    }

    /// The tail's key columns: the head's numbers (NULL for a head the table does not hold), then the rest.
    fn tail_columns(&self, head_ids: impl Iterator<Item = Option<usize>>, key_columns: &[ArrayRef]) -> Vec<ArrayRef> {
        let head: ArrayRef = Arc::new(head_ids.map(|id| id.map(|id| id as i32)).collect::<Int32Array>());
        std::iter::once(head).chain(key_columns[self.head_width..].iter().cloned()).collect()
    }

    fn insert(&mut self, key_columns: &[ArrayRef]) -> Result<Vec<usize>> {
        let head_ids = self.head.insert(&key_columns[..self.head_width])?;
        let tail = self.tail_columns(head_ids.into_iter().map(Some), key_columns);
        self.tail.insert(&tail)
    }

    fn find(&self, key_columns: &[ArrayRef]) -> Result<Vec<Option<usize>>> {
        let head_ids = self.head.find(&key_columns[..self.head_width])?;
        // A head the table never saw is NULL here, and no stored key has a NULL head: it finds nothing.
        self.tail.find(&self.tail_columns(head_ids.into_iter(), key_columns))
    }

    fn key_columns(&self) -> Result<Vec<ArrayRef>> {
        let mut tail = self.tail.key_columns()?.into_iter();
        let head_ids = tail.next().ok_or_else(|| EngineError::Internal("a split key table without its head column".into()))?;
        let head_ids = arrow::compute::cast(&head_ids, &DataType::UInt32)?;
        let head = self.head.key_columns()?.iter().map(|column| Ok(arrow::compute::take(column, &head_ids, None)?)).collect::<Result<Vec<_>>>()?;
        Ok(head.into_iter().chain(tail).collect())
    }
}

/// Keys whose columns are integers of up to 64 bits (ints, dates, timestamps) and fit, with a NULL flag per
/// column, in 128 bits: each key is one number, hashed and compared as such, kept in its table entry. A string
/// column beside them (the revenue report's `service_type` next to a zone and a month) takes part as the number
/// of its string in a small table of its own, so the key still packs.
struct PackedKeys {
    layout: Vec<PackedColumn>,
    /// For a table that is only read from now on (a broadcast), an array from key to id (see [`DirectIds`]).
    direct: Option<DirectIds>,
    /// (key, id): 20 bytes an entry (a `u128` would align it to 32).
    table: HashTable<(Packed, u32)>,
    /// The keys in id order, for the output.
    keys: Vec<Packed>,
    /// Keys found by position (see [`blocks`]); chosen from the first keys added, `None` until then or when no
    /// column suits them.
    blocks: Option<Box<KeyBlocks>>,
    /// Set once blocks have been chosen, or ruled out (see [`KeyTable::expect_few_repeats`]).
    blocks_chosen: bool,
    /// `None` when keys hardly repeat (see [`KeyTable::expect_few_repeats`]).
    recent: Option<Box<RecentKeys>>,
}

/// The last keys seen, each in a slot picked by a multiplication of its bits, with their ids. Trips come in order
/// of pickup, so an hour's few hundred (hour, zone) groups come back again and again while the hour lasts: a key
/// found here takes one read and one comparison instead of a hash and a probe of the whole table.
struct RecentKeys {
    /// (key, id); an id of [`UNSEEN`] marks a slot no key has filled yet.
    slots: Vec<(Packed, u32)>,
}

impl RecentKeys {
    const SLOT_BITS: u32 = 10;

    fn new() -> Self {
        Self { slots: vec![([0; 4], UNSEEN); 1 << Self::SLOT_BITS] }
    }

    fn slot(&mut self, key: u128) -> &mut (Packed, u32) {
        let folded = (key as u64) ^ (key >> 64) as u64;
        // Fibonacci hashing: the product's top bits depend on all of the key's bits.
        let index = folded.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - Self::SLOT_BITS);
        &mut self.slots[index as usize]
    }
}

/// A packed key as four 32-bit words, so that a table entry needs no 16-byte alignment.
type Packed = [u32; 4];

fn words(key: u128) -> Packed {
    [key as u32, (key >> 32) as u32, (key >> 64) as u32, (key >> 96) as u32]
}

fn number(words: &Packed) -> u128 {
    words.iter().rev().fold(0, |key, &word| key << 32 | u128::from(word))
}

/// Where one column sits in a packed key: its value in `bits` bits from bit `shift`, its NULL flag at `null_bit`.
struct PackedColumn {
    data_type: DataType,
    bits: u32,
    shift: u32,
    null_bit: u32,
    /// For a string column: its distinct strings, whose ids stand for them in the key.
    strings: Option<Box<KeyTable>>,
}

/// The bits of a string's number in a packed key. The highest number means "a string the table never saw", so
/// a lookup of it finds nothing.
const STRING_CODE_BITS: u32 = 28;
const UNSEEN_STRING: i64 = (1 << STRING_CODE_BITS) - 1;

/// Applies `$body` to the values of an integer-like array as `i64`s (`$values` names the iterator).
macro_rules! with_integers {
    ($array:expr, |$values:ident| $body:expr) => {{
        use ::arrow::array::AsArray as _;
        use ::arrow::datatypes::{DataType, Date32Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType};
        match $array.data_type() {
            DataType::Int8 => { let $values = $array.as_primitive::<Int8Type>().values().iter().map(|&v| v as i64); $body }
            DataType::Int16 => { let $values = $array.as_primitive::<Int16Type>().values().iter().map(|&v| v as i64); $body }
            DataType::Int32 => { let $values = $array.as_primitive::<Int32Type>().values().iter().map(|&v| v as i64); $body }
            DataType::Date32 => { let $values = $array.as_primitive::<Date32Type>().values().iter().map(|&v| v as i64); $body }
            DataType::Int64 => { let $values = $array.as_primitive::<Int64Type>().values().iter().copied(); $body }
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                let $values = $array.as_primitive::<TimestampMicrosecondType>().values().iter().copied();
                $body
            }
            other => unreachable!("{other} is not packed"),
        }
    }};
}
pub(crate) use with_integers;

impl PackedKeys {
    /// A packed table for these key types, if they all pack and fit.
    fn new(types: &[DataType]) -> Option<Self> {
        // Strings alone gain nothing from a second table.
        if types.iter().all(|t| *t == DataType::Utf8) {
            return None;
        }
        if !fit_in_one_number(types) {
            return None;
        }
        let mut layout = Vec::new();
        let mut next_bit = 0;
        for data_type in types {
            let bits = packed_bits(data_type)?;
            let strings = match data_type {
                DataType::Utf8 => Some(Box::new(KeyTable::new(&[DataType::Utf8]).ok()?)),
                _ => None,
            };
            layout.push(PackedColumn { data_type: data_type.clone(), bits, shift: next_bit, null_bit: next_bit + bits, strings });
            next_bit += bits + 1;
        }
        Some(Self {
            layout,
            direct: None,
            table: HashTable::new(),
            keys: Vec::new(),
            blocks: None,
            blocks_chosen: false,
            recent: Some(Box::new(RecentKeys::new())),
        })
    }

    /// The key columns with each string column replaced by its strings' numbers, new strings numbered as they come.
    fn numbered(&mut self, key_columns: &[ArrayRef]) -> Result<Vec<ArrayRef>> {
        let mut numbered = Vec::with_capacity(key_columns.len());
        for (column, array) in self.layout.iter_mut().zip(key_columns) {
            let Some(strings) = column.strings.as_mut() else {
                numbered.push(array.clone());
                continue;
            };
            let ids = match crate::functions::repeated_string(array.as_string::<i32>()) {
                // A literal: its string is looked up once, not once per row.
                Some(Some(_)) => vec![strings.insert(&[array.slice(0, 1)])?[0]; array.len()],
                _ => strings.insert(std::slice::from_ref(array))?,
            };
            if strings.key_count() as i64 >= UNSEEN_STRING {
                return Err(EngineError::Runtime(format!("more than 2^{STRING_CODE_BITS} distinct strings in one task's keys")));
            }
            numbered.push(string_numbers(ids.into_iter().map(|id| id as i64), array));
        }
        Ok(numbered)
    }

    /// Like [`Self::numbered`], for lookups: a string the table never saw gets [`UNSEEN_STRING`].
    fn numbered_for_lookup(&self, key_columns: &[ArrayRef]) -> Result<Vec<ArrayRef>> {
        self.layout
            .iter()
            .zip(key_columns)
            .map(|(column, array)| match &column.strings {
                None => Ok(array.clone()),
                Some(strings) => {
                    let ids = strings.find(std::slice::from_ref(array))?;
                    Ok(string_numbers(ids.into_iter().map(|id| id.map_or(UNSEEN_STRING, |id| id as i64)), array))
                }
            })
            .collect()
    }

    /// Each row's key as one number: every column's value (two's complement, cut to its width) or its NULL flag.
    /// String columns come as their numbers (see [`Self::numbered`]).
    fn pack(&self, key_columns: &[ArrayRef]) -> Vec<u128> {
        let mut keys = Vec::with_capacity(key_columns.first().map_or(0, |a| a.len()));
        for (position, (column, array)) in self.layout.iter().zip(key_columns).enumerate() {
            with_integers!(array, |values| column.pack_values(values, &mut keys, position == 0));
            if let Some(nulls) = array.logical_nulls().filter(|nulls| nulls.null_count() > 0) {
                let value_bits = u128::from(u64::MAX >> (64 - column.bits)) << column.shift;
                for row in (!nulls.inner()).set_indices() {
                    keys[row] = (keys[row] & !value_bits) | 1 << column.null_bit;
                }
            }
        }
        keys
    }

    fn insert(&mut self, key_columns: &[ArrayRef], hasher: &FixedState) -> Result<Vec<usize>> {
        // New keys would be missing from the array.
        self.direct = None;
        let key_columns = self.numbered(key_columns)?;
        let packed = self.pack(&key_columns);
        if !self.blocks_chosen && !packed.is_empty() {
            self.blocks = KeyBlocks::choose(&self.layout, &packed).map(Box::new);
            self.blocks_chosen = true;
        }
        if let Some(blocks) = self.blocks.as_deref_mut() {
            blocks.will_see(packed.len());
        }
        let mut ids = Vec::with_capacity(packed.len());
        let mut next = 0;
        while next < packed.len() {
            if let Some(blocks) = self.blocks.as_deref_mut() {
                next += blocks.ids_of_run(&packed[next..], &mut ids, |key| new_id(&mut self.keys, words(key)))?;
                if next == packed.len() {
                    break;
                }
            }
            let number_key = packed[next];
            let key = words(number_key);
            let id = match self.blocks.as_deref_mut().map(|blocks| (blocks.place(number_key), blocks)) {
                Some((Place::Block { block, offset }, blocks)) => blocks.id_or_add(block, offset, || new_id(&mut self.keys, key))?,
                Some((Place::TooSparse, _)) => {
                    self.move_blocks_to_table(hasher);
                    self.id_in_table(number_key, key, hasher)?
                }
                Some((Place::Table, _)) | None => self.id_in_table(number_key, key, hasher)?,
            };
            ids.push(id as usize);
            next += 1;
        }
        Ok(ids)
    }

    fn id_in_table(&mut self, number_key: u128, key: Packed, hasher: &FixedState) -> Result<u32> {
        let slot = self.recent.as_deref_mut().map(|recent| recent.slot(number_key));
        if let Some(&(recent_key, id)) = slot.as_deref()
            && id != UNSEEN
            && recent_key == key
        {
            return Ok(id);
        }
        // Hashed as one 128-bit number: a single write into the hasher, where four words take five.
        let hash = hasher.hash_one(number_key);
        let id = match self.table.find(hash, |&(stored, _)| stored == key) {
            Some(&(_, id)) => id,
            None => {
                let id = new_id(&mut self.keys, key)?;
                self.table.insert_unique(hash, (key, id), |(stored, _)| hasher.hash_one(number(stored)));
                id
            }
        };
        if let Some(slot) = slot {
            *slot = (key, id);
        }
        Ok(id)
    }

    /// Hands the blocks' keys to the hash table, which holds every key from now on.
    fn move_blocks_to_table(&mut self, hasher: &FixedState) {
        let Some(blocks) = self.blocks.take() else { return };
        for id in blocks.ids() {
            let key = self.keys[id as usize];
            self.table.insert_unique(hasher.hash_one(number(&key)), (key, id), |(stored, _)| hasher.hash_one(number(stored)));
        }
    }

    fn find(&self, key_columns: &[ArrayRef], hasher: &FixedState) -> Result<Vec<Option<usize>>> {
        if let Some(direct) = &self.direct {
            return Ok(direct.find(&key_columns[0]));
        }
        let id_of = |key: u128| {
            if let Some(found) = self.blocks.as_ref().and_then(|blocks| blocks.find(key)) {
                return found.map(|id| id as usize);
            }
            let words = words(key);
            self.table.find(hasher.hash_one(key), |&(stored, _)| stored == words).map(|&(_, id)| id as usize)
        };
        Ok(self.pack(&self.numbered_for_lookup(key_columns)?).into_iter().map(id_of).collect())
    }

    fn key_columns(&self) -> Result<Vec<ArrayRef>> {
        self.layout.iter().map(|column| column.unpack(&self.keys)).collect()
    }
}

/// Adds `key` as the next id.
fn new_id(keys: &mut Vec<Packed>, key: Packed) -> Result<u32> {
    let id = u32::try_from(keys.len()).map_err(|_| EngineError::Runtime("more than 2^32 distinct keys in one task".into()))?;
    keys.push(key);
    Ok(id)
}

/// The ids of a one-integer-column key over a small range (zone ids 1..=265), in an array indexed by `key - min`:
/// a lookup is one read, no hashing. DuckDB calls this a perfect hash join.
struct DirectIds {
    min: i64,
    /// `u32::MAX` where no key has that value.
    ids: Vec<u32>,
    null_id: Option<u32>,
}

/// Keys spread over more values than this are not worth an array (4 bytes a value).
const DIRECT_RANGE_LIMIT: i64 = 1 << 16;

/// For each value of an integer column, `at` its position counted from `min` (`usize::MAX` for a value below `min`,
/// where the subtraction wraps, or one too far above to be a position); `null` for a NULL row. An array read by
/// position this way is a perfect hash: one read per row.
pub(crate) fn by_position<T: Copy>(array: &ArrayRef, min: i64, at: impl Fn(usize) -> T, null: T) -> Vec<T> {
    let position = |value: i64| usize::try_from(value.wrapping_sub(min) as u64).unwrap_or(usize::MAX);
    let mut found: Vec<T> = with_integers!(array, |values| values.map(|value| at(position(value))).collect());
    if let Some(nulls) = array.logical_nulls().filter(|nulls| nulls.null_count() > 0) {
        (0..found.len()).filter(|&row| nulls.is_null(row)).for_each(|row| found[row] = null);
    }
    found
}

impl DirectIds {
    fn build(column: &PackedColumn, keys: &[Packed]) -> Option<Self> {
        let values: Vec<Option<i64>> = keys.iter().map(|key| column.value(number(key))).collect();
        let null_id = values.iter().position(Option::is_none).map(|id| id as u32);
        let min = values.iter().flatten().min().copied()?;
        let max = values.iter().flatten().max().copied()?;
        if max.checked_sub(min)? >= DIRECT_RANGE_LIMIT {
            return None;
        }
        let mut ids = vec![u32::MAX; (max - min) as usize + 1];
        for (id, value) in values.iter().enumerate() {
            if let Some(value) = value {
                ids[(value - min) as usize] = id as u32;
            }
        }
        Some(Self { min, ids, null_id })
    }

    fn find(&self, array: &ArrayRef) -> Vec<Option<usize>> {
        let id_at = |position: usize| self.ids.get(position).filter(|&&id| id != u32::MAX).map(|&id| id as usize);
        by_position(array, self.min, id_at, self.null_id.map(|id| id as usize))
    }
}

impl PackedColumn {
    /// Puts each value's bits in place in its row's key; the first column makes the keys, the others add to them.
    /// A column that sits wholly in one half of the key is shifted as a 64-bit number, which the compiler can
    /// turn into vector instructions; a 128-bit shift by a variable amount it cannot.
    fn pack_values(&self, values: impl Iterator<Item = i64>, keys: &mut Vec<u128>, first: bool) {
        let (mask, shift) = (u64::MAX >> (64 - self.bits), self.shift);
        if shift + self.bits <= 64 {
            or_into(keys, values.map(|v| u128::from((v as u64 & mask) << shift)), first);
        } else if shift >= 64 {
            or_into(keys, values.map(|v| u128::from((v as u64 & mask) << (shift - 64)) << 64), first);
        } else {
            or_into(keys, values.map(|v| u128::from(v as u64 & mask) << shift), first);
        }
    }

    /// This column's value in a packed key, `None` for NULL.
    fn value(&self, key: u128) -> Option<i64> {
        let unused = 64 - self.bits;
        // Shifting the value to the top and back copies its sign bit down: the value as it was, in an i64.
        (key >> self.null_bit & 1 == 0).then(|| (((key >> self.shift) as u64) << unused) as i64 >> unused)
    }

    /// This column of every key, back in its own type.
    fn unpack(&self, keys: &[Packed]) -> Result<ArrayRef> {
        if let Some(strings) = &self.strings {
            let [distinct] = strings.key_columns()?.try_into().map_err(|_| EngineError::Internal("a string table of one column".into()))?;
            let mask = (1u128 << self.bits) - 1;
            let string_of = |key: &Packed| {
                let key = number(key);
                (key >> self.null_bit & 1 == 0).then(|| (key >> self.shift & mask) as u32)
            };
            let positions: arrow::array::UInt32Array = keys.iter().map(string_of).collect();
            return Ok(arrow::compute::take(&distinct, &positions, None)?);
        }
        let valid = BooleanBuffer::collect_bool(keys.len(), |id| number(&keys[id]) >> self.null_bit & 1 == 0);
        let nulls = Some(NullBuffer::new(valid)).filter(|nulls| nulls.null_count() > 0);
        let values = || keys.iter().map(|key| self.value(number(key)).unwrap_or_default());
        let array: ArrayRef = match &self.data_type {
            DataType::Int8 => Arc::new(PrimitiveArray::<Int8Type>::new(values().map(|v| v as i8).collect(), nulls)),
            DataType::Int16 => Arc::new(PrimitiveArray::<Int16Type>::new(values().map(|v| v as i16).collect(), nulls)),
            DataType::Int32 => Arc::new(PrimitiveArray::<Int32Type>::new(values().map(|v| v as i32).collect(), nulls)),
            DataType::Date32 => Arc::new(PrimitiveArray::<Date32Type>::new(values().map(|v| v as i32).collect(), nulls)),
            DataType::Int64 => Arc::new(PrimitiveArray::<Int64Type>::new(values().collect(), nulls)),
            _ => Arc::new(PrimitiveArray::<TimestampMicrosecondType>::new(values().collect(), nulls).with_data_type(self.data_type.clone())),
        };
        Ok(array)
    }
}

/// Adds each row's bits to its key, or when `first`, makes the keys from them.
fn or_into(keys: &mut Vec<u128>, bits: impl Iterator<Item = u128>, first: bool) {
    if first {
        keys.extend(bits);
    } else {
        keys.iter_mut().zip(bits).for_each(|(key, bits)| *key |= bits);
    }
}

/// Numbers standing for a string column's values, NULL where the string is.
fn string_numbers(numbers: impl Iterator<Item = i64>, strings: &ArrayRef) -> ArrayRef {
    Arc::new(PrimitiveArray::<Int64Type>::new(numbers.collect(), strings.logical_nulls()))
}

fn equal_keys(columns: &[KeyColumn], id: usize, arrays: &[ArrayRef], row: usize) -> bool {
    columns.iter().zip(arrays).all(|(column, array)| column.values.equals(id, array, row))
}

impl KeyColumn {
    fn new(data_type: &DataType) -> Result<Self> {
        let native = |values: Box<dyn StoredKeys>| Ok(Self { values, encoding: None });
        match data_type {
            DataType::Int8 => native(PrimitiveKeys::<Int8Type>::boxed(data_type)),
            DataType::Int16 => native(PrimitiveKeys::<Int16Type>::boxed(data_type)),
            DataType::Int32 => native(PrimitiveKeys::<Int32Type>::boxed(data_type)),
            DataType::Int64 => native(PrimitiveKeys::<Int64Type>::boxed(data_type)),
            DataType::Date32 => native(PrimitiveKeys::<Date32Type>::boxed(data_type)),
            DataType::Timestamp(TimeUnit::Microsecond, _) => native(PrimitiveKeys::<TimestampMicrosecondType>::boxed(data_type)),
            DataType::Decimal128(_, _) => native(PrimitiveKeys::<Decimal128Type>::boxed(data_type)),
            DataType::Utf8 => native(Box::<ByteKeys<Utf8Type>>::default()),
            other => Ok(Self {
                values: Box::new(ByteKeys::<BinaryType>::default()),
                encoding: Some(RowConverter::new(vec![SortField::new(other.clone())])?),
            }),
        }
    }

    fn comparable(&self, array: &ArrayRef) -> Result<ArrayRef> {
        let Some(encoding) = &self.encoding else { return Ok(array.clone()) };
        let bytes = encoding.convert_columns(std::slice::from_ref(array))?.try_into_binary()?;
        // The row format encodes a NULL as bytes of its own; the stored keys also need to see it as NULL.
        Ok(Arc::new(BinaryArray::new(bytes.offsets().clone(), bytes.values().clone(), array.logical_nulls())))
    }

    fn finish(&self) -> Result<ArrayRef> {
        let stored = self.values.finish()?;
        let Some(encoding) = &self.encoding else { return Ok(stored) };
        let encoded = stored.as_binary::<i32>();
        let plain = BinaryArray::new(encoded.offsets().clone(), encoded.values().clone(), None);
        Ok(encoding.convert_rows(&encoding.from_binary(plain))?.swap_remove(0))
    }
}

/// The values of one key column, in id order, compared and hashed in their own type.
trait StoredKeys: Send + Sync {
    /// Mixes the value of each row of `array` into that row's hash.
    fn hash_into(&self, array: &ArrayRef, hasher: &FixedState, hashes: &mut [u64]);
    /// Whether row `row` of `array` holds the key with id `id` (NULL equals NULL).
    fn equals(&self, id: usize, array: &ArrayRef, row: usize) -> bool;
    /// Stores row `row` of `array` as the next id's key.
    fn push(&mut self, array: &ArrayRef, row: usize);
    fn finish(&self) -> Result<ArrayRef>;
}

/// Keys of a fixed-width type compared as integers: ints, dates, timestamps, decimals.
struct PrimitiveKeys<T: ArrowPrimitiveType> {
    data_type: DataType,
    values: Vec<T::Native>,
    valid: Vec<bool>,
}

impl<T: ArrowPrimitiveType> PrimitiveKeys<T>
where
    T::Native: Hash + Eq,
{
    fn boxed(data_type: &DataType) -> Box<dyn StoredKeys> {
        Box::new(Self { data_type: data_type.clone(), values: Vec::new(), valid: Vec::new() })
    }
}

impl<T: ArrowPrimitiveType> StoredKeys for PrimitiveKeys<T>
where
    T::Native: Hash + Eq,
{
    fn hash_into(&self, array: &ArrayRef, hasher: &FixedState, hashes: &mut [u64]) {
        let array = array.as_primitive::<T>();
        if array.null_count() == 0 {
            for (hash, value) in hashes.iter_mut().zip(array.values()) {
                *hash = hasher.hash_one((*hash, *value));
            }
            return;
        }
        for (row, hash) in hashes.iter_mut().enumerate() {
            *hash = if array.is_null(row) { hasher.hash_one((*hash, NULL_MARK)) } else { hasher.hash_one((*hash, array.value(row))) };
        }
    }

    fn equals(&self, id: usize, array: &ArrayRef, row: usize) -> bool {
        let array = array.as_primitive::<T>();
        match (self.valid[id], array.is_valid(row)) {
            (true, true) => self.values[id] == array.value(row),
            (stored, given) => stored == given,
        }
    }

    fn push(&mut self, array: &ArrayRef, row: usize) {
        let array = array.as_primitive::<T>();
        self.values.push(array.value(row));
        self.valid.push(array.is_valid(row));
    }

    fn finish(&self) -> Result<ArrayRef> {
        let values = ScalarBuffer::from(self.values.clone());
        let array = PrimitiveArray::<T>::new(values, nulls_of(&self.valid)).with_data_type(self.data_type.clone());
        Ok(Arc::new(array))
    }
}

/// Keys of a variable-width type compared as bytes: strings, and values encoded in arrow's row format.
struct ByteKeys<T: ByteArrayType> {
    /// Where each key starts in `bytes`, and one past the last key's end.
    offsets: Vec<usize>,
    bytes: Vec<u8>,
    valid: Vec<bool>,
    kind: PhantomData<T>,
}

impl<T: ByteArrayType> Default for ByteKeys<T> {
    fn default() -> Self {
        Self { offsets: vec![0], bytes: Vec::new(), valid: Vec::new(), kind: PhantomData }
    }
}

impl<T: ByteArrayType> ByteKeys<T> {
    fn key(&self, id: usize) -> &[u8] {
        &self.bytes[self.offsets[id]..self.offsets[id + 1]]
    }
}

/// Whether two byte strings are equal. Group keys such as zone names are mostly under 32 bytes: those are
/// compared as two overlapping words (of 4, 8 or 16 bytes) in place, where a call to `memcmp` costs more than
/// the comparison itself.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    fn word<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
        bytes[at..at + N].try_into().expect("N bytes")
    }
    fn ends_equal<const N: usize>(a: &[u8], b: &[u8]) -> bool {
        let last = a.len() - N;
        word::<N>(a, 0) == word::<N>(b, 0) && word::<N>(a, last) == word::<N>(b, last)
    }
    match a.len() {
        length if length != b.len() => false,
        0..4 => a == b,
        4..8 => ends_equal::<4>(a, b),
        8..16 => ends_equal::<8>(a, b),
        16..=32 => ends_equal::<16>(a, b),
        _ => a == b,
    }
}

fn bytes_of<T: ByteArrayType>(array: &GenericByteArray<T>, row: usize) -> &[u8] {
    array.value(row).as_ref()
}

impl<T: ByteArrayType> StoredKeys for ByteKeys<T> {
    fn hash_into(&self, array: &ArrayRef, hasher: &FixedState, hashes: &mut [u64]) {
        let array = array.as_bytes::<T>();
        for (row, hash) in hashes.iter_mut().enumerate() {
            *hash = if array.is_null(row) {
                hasher.hash_one((*hash, NULL_MARK))
            } else {
                hasher.hash_one((*hash, bytes_of(array, row)))
            };
        }
    }

    fn equals(&self, id: usize, array: &ArrayRef, row: usize) -> bool {
        let array = array.as_bytes::<T>();
        match (self.valid[id], array.is_valid(row)) {
            (true, true) => same_bytes(self.key(id), bytes_of(array, row)),
            (stored, given) => stored == given,
        }
    }

    fn push(&mut self, array: &ArrayRef, row: usize) {
        let array = array.as_bytes::<T>();
        // A NULL's bytes are kept too: for a value in the row format they are the NULL's encoding.
        self.bytes.extend_from_slice(bytes_of(array, row));
        self.offsets.push(self.bytes.len());
        self.valid.push(array.is_valid(row));
    }

    fn finish(&self) -> Result<ArrayRef> {
        let offsets = self
            .offsets
            .iter()
            .map(|&o| T::Offset::from_usize(o).ok_or_else(|| EngineError::Runtime("group keys exceed 2 GB".into())))
            .collect::<Result<Vec<_>>>()?;
        let bytes = Buffer::from_vec(self.bytes.clone());
        let array = GenericByteArray::<T>::try_new(OffsetBuffer::new(offsets.into()), bytes, nulls_of(&self.valid))?;
        Ok(Arc::new(array))
    }
}

fn nulls_of(valid: &[bool]) -> Option<NullBuffer> {
    valid.iter().any(|v| !v).then(|| NullBuffer::from(valid.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{BooleanArray, Float64Array, Int32Array, StringArray};

    fn ids(table: &mut KeyTable, columns: Vec<ArrayRef>) -> Vec<usize> {
        table.insert(&columns).unwrap()
    }

    #[test]
    fn a_string_beside_integers_packs_as_the_number_of_its_string() {
        let types = [DataType::Int32, DataType::Utf8];
        let mut table = KeyTable::new(&types).unwrap();
        assert!(table.packed.is_some());
        let zones: ArrayRef = Arc::new(Int32Array::from(vec![Some(7), Some(7), None, Some(7), Some(8)]));
        let kinds: ArrayRef = Arc::new(StringArray::from(vec![Some("green"), Some("yellow"), Some("green"), None, Some("green")]));
        assert_eq!(ids(&mut table, vec![zones.clone(), kinds.clone()]), [0, 1, 2, 3, 4]);
        assert_eq!(ids(&mut table, vec![zones.clone(), kinds.clone()]), [0, 1, 2, 3, 4]);
        assert_eq!(table.key_columns().unwrap(), vec![zones.clone(), kinds]);
        let asked: Vec<ArrayRef> = vec![Arc::new(Int32Array::from(vec![8, 8])), Arc::new(StringArray::from(vec!["green", "fhvhv"]))];
        assert_eq!(table.find(&asked).unwrap(), [Some(4), None], "a string the table never saw is no key");
        let literal: ArrayRef = Arc::new(StringArray::from(vec!["yellow"; 5]));
        assert_eq!(ids(&mut table, vec![zones.clone(), literal]), [1, 1, 5, 1, 6], "a literal column, looked up once");
        assert!(KeyTable::new(&[DataType::Utf8]).unwrap().packed.is_none(), "strings alone keep the plain table");
    }

    #[test]
    fn byte_strings_differing_in_any_one_byte_or_in_length_are_told_apart() {
        for length in 0..40 {
            let key: Vec<u8> = (0..length as u8).map(|i| b'a' + i % 26).collect();
            assert!(same_bytes(&key, &key.clone()), "length {length}");
            for position in 0..length {
                let mut other = key.clone();
                other[position] ^= 0x20;
                assert!(!same_bytes(&key, &other), "length {length}, byte {position}");
            }
            assert!(!same_bytes(&key, &key[..length.saturating_sub(1)]) || length == 0, "length {length} and one less");
        }
    }

    #[test]
    fn dictionary_keys_get_the_ids_their_values_would() {
        let zones: ArrayRef = Arc::new(StringArray::from(vec!["Astoria", "Unknown", "Midtown", "Unknown"]));
        let batches: [Vec<Option<u32>>; 2] = [vec![Some(2), None, Some(1), Some(2), Some(3)], vec![Some(0), None, Some(1)]];
        let new_table = || KeyTable::new(&[DataType::Utf8]).unwrap();
        let (mut plain, mut by_position, mut by_narrow_position) = (new_table(), new_table(), new_table());
        for positions in batches {
            let keys = arrow::array::UInt32Array::from(positions);
            let dictionary: ArrayRef = Arc::new(arrow::array::DictionaryArray::new(keys.clone(), zones.clone()));
            // Positions of another integer type take the general path.
            let narrow_keys = arrow::compute::cast(&keys, &DataType::Int8).unwrap();
            let narrow: ArrayRef = Arc::new(arrow::array::DictionaryArray::new(narrow_keys.as_primitive::<Int8Type>().clone(), zones.clone()));
            let values = arrow::compute::take(&zones, &keys, None).unwrap();
            let expected = ids(&mut plain, vec![values]);
            assert_eq!(ids(&mut by_position, vec![dictionary]), expected);
            assert_eq!(ids(&mut by_narrow_position, vec![narrow]), expected);
        }
        // Both "Unknown"s are one key; Astoria, never pointed at in the first batch, came in the second.
        assert_eq!(by_position.key_count(), 4);
        assert_eq!(by_position.key_columns().unwrap(), plain.key_columns().unwrap());
    }

    #[test]
    fn keys_get_ids_in_order_of_first_arrival_across_batches() {
        let mut table = KeyTable::new(&[DataType::Int32, DataType::Utf8]).unwrap();
        let zone: ArrayRef = Arc::new(Int32Array::from(vec![Some(7), Some(3), Some(7), None, Some(3)]));
        let service: ArrayRef = Arc::new(StringArray::from(vec![Some("green"), Some("green"), Some("green"), Some("x"), None]));
        assert_eq!(ids(&mut table, vec![zone, service]), [0, 1, 0, 2, 3]);
        let zone: ArrayRef = Arc::new(Int32Array::from(vec![Some(3), None]));
        let service: ArrayRef = Arc::new(StringArray::from(vec![None, Some("x")]));
        assert_eq!(ids(&mut table, vec![zone, service]), [3, 2]);
        let keys = table.key_columns().unwrap();
        assert_eq!(keys[0].as_ref(), &Int32Array::from(vec![Some(7), Some(3), None, Some(3)]) as &dyn Array);
        assert_eq!(keys[1].as_ref(), &StringArray::from(vec![Some("green"), Some("green"), Some("x"), None]) as &dyn Array);
    }

    #[test]
    fn keys_found_among_the_recent_ones_or_without_them_get_the_ids_the_table_gave_them() {
        use arrow::array::TimestampMicrosecondArray;
        const HOUR: i64 = 3_600_000_000;
        // Hours in order, each with a few hundred zones at random (some NULL): far more keys than recent slots,
        // and keys that share a slot in turn.
        let mut next = crate::sort::xorshift(0x2545_f491_4f6c_dd1d);
        let rows: Vec<(Option<i64>, Option<i32>)> =
            (0..40_000).map(|row| (Some(row / 1500 * HOUR), (!next().is_multiple_of(50)).then(|| (next() % 300) as i32))).collect();
        let expected = first_arrival_ids(&rows);
        // Told that keys hardly repeat, the table finds them without recent keys or blocks, to the same ids.
        for few_repeats in [false, true] {
            let mut table = KeyTable::new(&[DataType::Timestamp(TimeUnit::Microsecond, None), DataType::Int32]).unwrap();
            if few_repeats {
                table.expect_few_repeats();
            }
            let mut found = Vec::new();
            for batch in rows.chunks(8192) {
                let hours: ArrayRef = Arc::new(TimestampMicrosecondArray::from(batch.iter().map(|(hour, _)| *hour).collect::<Vec<_>>()));
                let zones: ArrayRef = Arc::new(Int32Array::from(batch.iter().map(|(_, zone)| *zone).collect::<Vec<_>>()));
                found.extend(ids(&mut table, vec![hours, zones]));
            }
            assert_eq!(found, expected);
            let packed = table.packed.as_ref().unwrap();
            assert_eq!(packed.blocks.is_none() && packed.recent.is_none(), few_repeats);
        }
    }

    /// Ids in order of first arrival, as a key table must give them.
    fn first_arrival_ids<K: Copy + Eq + std::hash::Hash>(rows: &[K]) -> Vec<usize> {
        let mut first_seen = std::collections::HashMap::new();
        rows.iter()
            .map(|key| {
                let next_id = first_seen.len();
                *first_seen.entry(*key).or_insert(next_id)
            })
            .collect()
    }

    #[test]
    fn keys_in_blocks_and_keys_in_the_table_get_ids_in_order_of_first_arrival() {
        // Days in order with zones mostly in 1..=265 (the first batch fixes the blocks' range), some beyond it on
        // either side and some NULL; then days at random, which leave blocks mostly empty so that the table takes
        // their keys over.
        let mut next = crate::sort::xorshift(0x9e37_79b9_7f4a_7c15);
        let zone = |next: &mut dyn FnMut() -> u64| match next() % 40 {
            0 => None,
            1 => Some(-3 - (next() % 5) as i32),
            2 => Some(266 + (next() % 400) as i32),
            _ => Some(1 + (next() % 265) as i32),
        };
        let in_order: Vec<(Option<i32>, Option<i32>)> = (0..30_000).map(|row| (Some(row / 700), zone(&mut next))).collect();
        let at_random: Vec<(Option<i32>, Option<i32>)> = (0..30_000).map(|_| (Some((next() % 5000) as i32), zone(&mut next))).collect();
        let rows: Vec<_> = in_order.iter().chain(&at_random).copied().collect();
        let mut table = KeyTable::new(&[DataType::Date32, DataType::Int32]).unwrap();
        let columns = |rows: &[(Option<i32>, Option<i32>)]| -> Vec<ArrayRef> {
            vec![
                Arc::new(arrow::array::Date32Array::from(rows.iter().map(|(day, _)| *day).collect::<Vec<_>>())),
                Arc::new(Int32Array::from(rows.iter().map(|(_, zone)| *zone).collect::<Vec<_>>())),
            ]
        };
        let mut found = Vec::new();
        for (number, batch) in rows.chunks(8192).enumerate() {
            found.extend(ids(&mut table, columns(batch)));
            let packed = table.packed.as_ref().unwrap();
            if number == 1 {
                assert!(packed.blocks.is_some(), "days in order fill blocks");
                // Keys in blocks and keys beyond them are found; a zone never seen on a day with a block is not.
                let probe = [(Some(0), Some(1 + (next() % 265) as i32)), in_order[10], in_order[8000], (Some(3), Some(0))];
                let expected: Vec<Option<usize>> =
                    probe.iter().map(|key| rows[..found.len()].iter().position(|row| row == key).map(|row| found[row])).collect();
                assert_eq!(table.find(&columns(&probe)).unwrap(), expected);
            }
        }
        assert!(table.packed.as_ref().unwrap().blocks.is_none(), "days at random leave the blocks to the table");
        assert_eq!(found, first_arrival_ids(&rows));
        let probe: Vec<_> = rows.iter().step_by(97).copied().chain([(Some(9999), Some(5)), (None, None)]).collect();
        let expected: Vec<Option<usize>> = first_arrival_ids(&rows).into_iter().step_by(97).map(Some).chain([None, None]).collect();
        assert_eq!(table.find(&columns(&probe)).unwrap(), expected);
        let keys = table.key_columns().unwrap();
        let mut distinct = Vec::new();
        for row in &rows {
            if !distinct.contains(row) {
                distinct.push(*row);
            }
        }
        assert_eq!(keys, columns(&distinct));
    }

    #[test]
    fn types_without_a_native_comparison_round_trip_through_bytes() {
        let mut table = KeyTable::new(&[DataType::Boolean, DataType::Float64]).unwrap();
        let flag: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), None, Some(true), Some(false)]));
        let amount: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.5), Some(1.5), Some(1.5), None]));
        assert_eq!(ids(&mut table, vec![flag, amount]), [0, 1, 0, 2]);
        let keys = table.key_columns().unwrap();
        assert_eq!(keys[0].as_ref(), &BooleanArray::from(vec![Some(true), None, Some(false)]) as &dyn Array);
        assert_eq!(keys[1].as_ref(), &Float64Array::from(vec![Some(1.5), Some(1.5), None]) as &dyn Array);
    }

    /// A table that keeps every column as itself, as wide keys did before they were split.
    fn column_by_column(types: &[DataType]) -> KeyTable {
        let columns = types.iter().map(KeyColumn::new).collect::<Result<_>>().unwrap();
        KeyTable { packed: None, split: None, columns, table: HashTable::new(), hasher: FixedState::default(), len: 0, dictionary: None }
    }

    #[test]
    fn keys_too_wide_to_pack_split_into_packed_tables_with_the_same_ids() {
        let timestamp = DataType::Timestamp(TimeUnit::Microsecond, None);
        // 33 + 65 + 33 bits: one split; 33 + 33 + 65 + 65: a split whose tail splits again.
        let cases = [vec![DataType::Int32, timestamp.clone(), DataType::Int32], vec![DataType::Int32, DataType::Int32, DataType::Int64, timestamp]];
        for types in cases {
            let (mut split, mut plain) = (KeyTable::new(&types).unwrap(), column_by_column(&types));
            assert!(split.split.is_some(), "{types:?} splits");
            // Column `place` steps through 6 values every 6^place rows, so the columns together make every
            // combination; one value in 11 is NULL.
            let column = |data_type: &DataType, place: u32, seed: i64| -> ArrayRef {
                let values = (0..500i64).map(|i| ((i * 7 + seed) % 11 != 0).then_some((i / 6i64.pow(place) + seed) % 6 - 3 + seed / 100));
                match data_type {
                    DataType::Int32 => Arc::new(Int32Array::from_iter(values.map(|v| v.map(|v| v as i32)))),
                    DataType::Int64 => Arc::new(arrow::array::Int64Array::from_iter(values.map(|v| v.map(|v| v << 40)))),
                    _ => Arc::new(arrow::array::TimestampMicrosecondArray::from_iter(values.map(|v| v.map(|v| v * 3_600_000_000)))),
                }
            };
            for batch in 0..3 {
                let columns: Vec<ArrayRef> = types.iter().zip(0..).map(|(t, place)| column(t, place, batch)).collect();
                assert_eq!(ids(&mut split, columns.clone()), ids(&mut plain, columns));
            }
            assert!(split.key_count() > 100, "{} keys", split.key_count());
            assert_eq!(split.key_columns().unwrap(), plain.key_columns().unwrap());
            // Keys the table holds (the first batch again), then keys whose head or whose tail it never saw: one
            // column's values moved 6 above every stored one (its NULLs still match).
            let probe = |moved: Option<u32>| -> Vec<ArrayRef> {
                types.iter().zip(0..).map(|(t, place)| column(t, place, if moved == Some(place) { 600 } else { 0 })).collect()
            };
            let found = split.find(&probe(None)).unwrap();
            assert!(found.iter().all(Option::is_some));
            for moved in [0, types.len() as u32 - 1] {
                let found = split.find(&probe(Some(moved))).unwrap();
                assert_eq!(found, plain.find(&probe(Some(moved))).unwrap());
                assert!(found.iter().any(Option::is_none), "column {moved} moved");
            }
        }
        let too_wide_for_any_split = [DataType::Int64, DataType::Int64, DataType::Int64];
        assert!(KeyTable::new(&too_wide_for_any_split).unwrap().split.is_none(), "no two of them pack");
    }

    #[test]
    fn packed_keys_keep_signs_nulls_and_types() {
        let hour_type = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let mut table = KeyTable::new(&[hour_type.clone(), DataType::Int32, DataType::Int8]).unwrap();
        assert!(table.packed.is_some(), "64 + 32 + 8 bits and three NULL flags fit in 128");
        let hour: ArrayRef = Arc::new(
            arrow::array::TimestampMicrosecondArray::from(vec![Some(-3_600_000_000), None, Some(0), None, Some(-3_600_000_000)])
                .with_timezone("UTC"),
        );
        let zone: ArrayRef = Arc::new(Int32Array::from(vec![Some(-7), Some(0), None, Some(0), Some(-7)]));
        let flag: ArrayRef = Arc::new(arrow::array::Int8Array::from(vec![Some(-128), Some(127), Some(0), Some(127), Some(-128)]));
        // (NULL, 0) and (0, NULL) are different keys; equal keys get the same id.
        assert_eq!(ids(&mut table, vec![hour, zone, flag]), [0, 1, 2, 1, 0]);
        let keys = table.key_columns().unwrap();
        assert_eq!(keys[0].data_type(), &hour_type);
        let hours = keys[0].as_primitive::<TimestampMicrosecondType>();
        assert_eq!(hours.iter().collect::<Vec<_>>(), [Some(-3_600_000_000), None, Some(0)]);
        assert_eq!(keys[1].as_ref(), &Int32Array::from(vec![Some(-7), Some(0), None]) as &dyn Array);
        assert_eq!(keys[2].as_ref(), &arrow::array::Int8Array::from(vec![-128, 127, 0]) as &dyn Array);
    }

    #[test]
    fn a_frozen_table_of_a_small_integer_range_finds_keys_by_position() {
        let mut table = KeyTable::new(&[DataType::Int32]).unwrap();
        ids(&mut table, vec![Arc::new(Int32Array::from(vec![Some(265), Some(1), None, Some(132)]))]);
        table.freeze();
        assert!(table.packed.as_ref().unwrap().direct.is_some(), "1..=265 is a small range");
        let probe: ArrayRef = Arc::new(Int32Array::from(vec![Some(132), Some(0), None, Some(266), Some(1), Some(-5), Some(i32::MIN), Some(i32::MAX)]));
        assert_eq!(table.find(&[probe]).unwrap(), [Some(3), None, Some(2), None, Some(1), None, None, None]);

        let mut spread = KeyTable::new(&[DataType::Int64]).unwrap();
        ids(&mut spread, vec![Arc::new(arrow::array::Int64Array::from(vec![0, 1 << 40]))]);
        spread.freeze();
        assert!(spread.packed.as_ref().unwrap().direct.is_none(), "a range of 2^40 is no array");
        let probe: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![1 << 40, 7]));
        assert_eq!(spread.find(&[probe]).unwrap(), [Some(1), None]);
    }

    #[test]
    fn keys_too_wide_to_pack_use_the_columns() {
        let table = KeyTable::new(&[DataType::Int64, DataType::Int64]).unwrap();
        assert!(table.packed.is_none(), "two longs and their NULL flags need 130 bits");
    }

    #[test]
    fn find_answers_only_for_keys_the_table_holds() {
        let mut table = KeyTable::new(&[DataType::Int64]).unwrap();
        ids(&mut table, vec![Arc::new(arrow::array::Int64Array::from(vec![10, 20]))]);
        let probe: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![Some(20), Some(30), None, Some(10)]));
        assert_eq!(table.find(&[probe]).unwrap(), [Some(1), None, None, Some(0)]);
    }
}
