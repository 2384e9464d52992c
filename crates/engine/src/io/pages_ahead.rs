//! Pages decompressed ahead: the pages of a Parquet column chunk decompressed side by side.
//!
//! A column chunk is a run of pages, each compressed on its own (snappy, gzip, …). Decoding a page needs the
//! pages before it (the dictionary, where the values left off), but decompressing it does not — and
//! decompressing is often the bigger half of reading a column. When a file has an offset index, which says
//! where every data page starts, [`PagesAhead`] offers the next few runs of pages (64k rows or more each) to the
//! executors' pool, one job per run: a free executor decompresses them while the reader decodes the pages
//! before. A run nobody has started yet the reader decompresses itself when it gets there, so a busy pool does
//! the same work as without reading ahead, in the same order. Pages come out in the chunk's order whoever
//! decompressed them.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use bytes::Bytes;
use parquet::arrow::arrow_reader::RowGroups;
use parquet::column::page::{Page, PageIterator, PageMetadata, PageReader};
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, RowGroupMetaData};
use parquet::file::page_index::offset_index::PageLocation;
use parquet::file::serialized_reader::SerializedPageReader;

/// Rows a run of pages holds at least (but the last): writers cut pages every 20k rows or 1 MB, and a job per
/// page would cost more than it saves on small ones.
const RUN_ROWS: usize = 65_536;
/// How many runs beyond the one being decoded are offered to the pool.
const RUNS_AHEAD: usize = 4;

/// Some row groups of a Parquet file held in memory, whose column chunks are read through [`PagesAhead`] where
/// the file's offset index says where their pages are.
pub struct RowGroupsAhead {
    file: Arc<Bytes>,
    metadata: Arc<ParquetMetaData>,
    row_groups: Vec<usize>,
}

impl RowGroupsAhead {
    pub fn new(file: Bytes, metadata: Arc<ParquetMetaData>, row_groups: Vec<usize>) -> Self {
        Self { file: Arc::new(file), metadata, row_groups }
    }

    fn chunk_reader(&self, row_group: usize, column: usize) -> Result<Box<dyn PageReader>> {
        let meta = self.metadata.row_group(row_group);
        let chunk = meta.column(column);
        let rows = usize::try_from(meta.num_rows())?;
        let locations = self.metadata.page_index_for_row_group(row_group).offset_index(column).map(|index| index.page_locations().clone());
        match locations {
            Some(locations) if locations.len() > 1 => Ok(Box::new(PagesAhead::new(self.file.clone(), chunk.clone(), rows, locations)?)),
            locations => Ok(Box::new(SerializedPageReader::new(self.file.clone(), chunk, rows, locations)?)),
        }
    }
}

impl RowGroups for RowGroupsAhead {
    fn num_rows(&self) -> usize {
        self.row_groups.iter().map(|&i| self.metadata.row_group(i).num_rows() as usize).sum()
    }

    fn column_chunks(&self, column: usize) -> Result<Box<dyn PageIterator>> {
        let readers: Vec<Result<Box<dyn PageReader>>> = self.row_groups.iter().map(|&i| self.chunk_reader(i, column)).collect();
        Ok(Box::new(ColumnChunks(readers.into_iter())))
    }

    fn row_groups(&self) -> Box<dyn Iterator<Item = &RowGroupMetaData> + '_> {
        Box::new(self.row_groups.iter().map(|&i| self.metadata.row_group(i)))
    }

    fn metadata(&self) -> &ParquetMetaData {
        &self.metadata
    }
}

/// A column's chunks, row group after row group.
struct ColumnChunks(std::vec::IntoIter<Result<Box<dyn PageReader>>>);

impl Iterator for ColumnChunks {
    type Item = Result<Box<dyn PageReader>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

impl PageIterator for ColumnChunks {}

/// The pages of one column chunk, run by run, each run decompressed by whoever gets to it first: a job of the
/// pool, or the reader itself.
pub struct PagesAhead {
    shared: Arc<Shared>,
    /// How many runs there are, the next one to hand out, and how many have been offered to the pool.
    runs: usize,
    next: usize,
    offered: usize,
    /// Decompressed pages waiting to be handed out, with their row counts (none for a dictionary page).
    ready: VecDeque<(Page, Option<usize>)>,
}

struct Shared {
    file: Arc<Bytes>,
    chunk: ColumnChunkMetaData,
    slots: Mutex<Vec<Slot>>,
    /// Signalled when a job has decompressed a run.
    decompressed: Condvar,
}

/// What a slot holds: the chunk's dictionary page — decompressed on its own, so that the first data pages can be
/// decompressed beside it — or consecutive data pages, with their locations and row counts.
enum Run {
    Dictionary,
    Data { pages: Vec<PageLocation>, rows: Vec<usize> },
}

enum Slot {
    /// Nobody has begun it.
    Waiting(Run),
    Decompressing,
    Done(Result<Vec<(Page, Option<usize>)>>),
    /// Handed out, or dropped with the reader.
    Gone,
}

impl PagesAhead {
    /// `locations` are the chunk's data pages (from the offset index); `rows` the row group's row count.
    fn new(file: Arc<Bytes>, chunk: ColumnChunkMetaData, rows: usize, locations: Vec<PageLocation>) -> Result<Self> {
        let mut slots = Vec::new();
        // Whatever lies between the chunk's start and its first data page is its dictionary page.
        if locations.first().is_some_and(|first| first.offset as u64 != chunk.byte_range().0) {
            slots.push(Slot::Waiting(Run::Dictionary));
        }
        let (mut pages, mut page_rows) = (Vec::new(), Vec::new());
        for (i, page) in locations.iter().enumerate() {
            let end = locations.get(i + 1).map_or(rows as i64, |next| next.first_row_index);
            let rows = usize::try_from(end - page.first_row_index).map_err(|_| ParquetError::General("page locations out of order".into()))?;
            pages.push(page.clone());
            page_rows.push(rows);
            if page_rows.iter().sum::<usize>() >= RUN_ROWS || i + 1 == locations.len() {
                slots.push(Slot::Waiting(Run::Data { pages: std::mem::take(&mut pages), rows: std::mem::take(&mut page_rows) }));
            }
        }
        let runs = slots.len();
        let shared = Arc::new(Shared { file, chunk, slots: Mutex::new(slots), decompressed: Condvar::new() });
        Ok(Self { shared, runs, next: 0, offered: 0, ready: VecDeque::new() })
    }

    /// Offers the runs up to [`RUNS_AHEAD`] beyond the next one to the pool. Outside a pool (a test, a browser
    /// page's main thread) nobody would take them: the reader decompresses every run itself.
    fn offer_jobs(&mut self) {
        if rayon::current_thread_index().is_none() {
            return;
        }
        let until = (self.next + 1 + RUNS_AHEAD).min(self.runs);
        for run in self.offered.max(self.next + 1)..until {
            let shared = self.shared.clone();
            rayon::spawn(move || shared.decompress(run));
        }
        self.offered = self.offered.max(until);
    }

    /// Makes sure the next page is in `ready`, unless every page has been handed out.
    fn fill(&mut self) -> Result<()> {
        if !self.ready.is_empty() || self.next == self.runs {
            return Ok(());
        }
        self.offer_jobs();
        let run = self.next;
        self.next += 1;
        self.ready = self.take(run)?.into();
        Ok(())
    }

    /// The pages of run `run`, decompressed here unless a job has begun them.
    fn take(&mut self, run: usize) -> Result<Vec<(Page, Option<usize>)>> {
        let mut slots = self.shared.lock();
        loop {
            match std::mem::replace(&mut slots[run], Slot::Gone) {
                Slot::Waiting(waiting) => {
                    drop(slots);
                    return self.shared.pages_of(waiting);
                }
                Slot::Done(pages) => return pages,
                Slot::Decompressing => {
                    slots[run] = Slot::Decompressing;
                    slots = self.shared.decompressed.wait(slots).unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                Slot::Gone => return Err(ParquetError::General(format!("run {run} of pages was handed out twice"))),
            }
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Vec<Slot>> {
        self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The job: decompresses run `run` unless the reader has begun it or is gone.
    fn decompress(&self, run: usize) {
        let mut slots = self.lock();
        let waiting = match std::mem::replace(&mut slots[run], Slot::Decompressing) {
            Slot::Waiting(waiting) => waiting,
            other => {
                slots[run] = other;
                return;
            }
        };
        drop(slots);
        let pages = self.pages_of(waiting);
        let mut slots = self.lock();
        // The reader may have been dropped meanwhile: then the slot is gone and the pages with it.
        if let Slot::Decompressing = slots[run] {
            slots[run] = Slot::Done(pages);
        }
        self.decompressed.notify_all();
    }

    /// The run's pages decompressed, with their row counts (none for the dictionary page).
    fn pages_of(&self, run: Run) -> Result<Vec<(Page, Option<usize>)>> {
        let (pages, rows) = match run {
            Run::Dictionary => return self.dictionary_page().map(|page| vec![(page, None)]),
            Run::Data { pages, rows } => (pages, rows),
        };
        let Some(first) = pages.first() else { return Ok(Vec::new()) };
        // The reader takes whatever lies between the chunk's start and its first location for a dictionary page:
        // the run's chunk starts at the run itself.
        let chunk = self.chunk.clone().into_builder().set_dictionary_page_offset(None).set_data_page_offset(first.offset).build()?;
        let end_row = pages.last().map_or(0, |last| last.first_row_index as usize) + rows.last().copied().unwrap_or(0);
        let reader = SerializedPageReader::new(self.file.clone(), &chunk, end_row, Some(pages))?;
        reader.zip(rows).map(|(page, rows)| Ok((page?, Some(rows)))).collect()
    }

    /// The chunk's first page, which must be its dictionary page.
    fn dictionary_page(&self) -> Result<Page> {
        let mut reader = SerializedPageReader::new(self.file.clone(), &self.chunk, 0, None)?;
        match reader.get_next_page()? {
            Some(page @ Page::DictionaryPage { .. }) => Ok(page),
            _ => Err(ParquetError::General("the bytes before a column chunk's first data page are not a dictionary page".into())),
        }
    }
}

impl Drop for PagesAhead {
    fn drop(&mut self) {
        // Jobs still queued find their slots gone and do nothing.
        self.shared.lock().iter_mut().for_each(|slot| *slot = Slot::Gone);
    }
}

impl Iterator for PagesAhead {
    type Item = Result<Page>;

    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl PageReader for PagesAhead {
    fn get_next_page(&mut self) -> Result<Option<Page>> {
        self.fill()?;
        Ok(self.ready.pop_front().map(|(page, _)| page))
    }

    fn peek_next_page(&mut self) -> Result<Option<PageMetadata>> {
        self.fill()?;
        Ok(self.ready.front().map(|(page, rows)| PageMetadata {
            num_rows: *rows,
            num_levels: None,
            is_dict: matches!(page, Page::DictionaryPage { .. }),
        }))
    }

    fn skip_next_page(&mut self) -> Result<()> {
        self.fill()?;
        self.ready.pop_front();
        Ok(())
    }

    fn at_record_boundary(&mut self) -> Result<bool> {
        // Pages listed in an offset index start where a record starts.
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
    use parquet::arrow::ArrowWriter;
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
    use parquet::arrow::{ProjectionMask, parquet_to_arrow_field_levels};
    use parquet::basic::Compression;
    use parquet::file::metadata::PageIndexPolicy;
    use parquet::file::properties::WriterProperties;

    use super::*;

    /// Two row groups of a dictionary-encoded column (with NULLs) and a plain one, snappy, in pages of 1000 rows:
    /// three runs of pages per chunk.
    fn file() -> Bytes {
        let rows = 300_000;
        let zones: ArrayRef = Arc::new(Int64Array::from_iter((0..rows).map(|i| (i % 13 != 0).then_some(i % 265))));
        let amounts: ArrayRef = Arc::new(Float64Array::from_iter_values((0..rows).map(|i| i as f64 * 0.25)));
        let batch = RecordBatch::try_from_iter([("zone", zones), ("amount", amounts)]).unwrap();
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_data_page_row_count_limit(1000)
            .set_write_batch_size(1000)
            .set_max_row_group_row_count(Some(160_000))
            .build();
        let mut bytes = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut bytes, batch.schema(), Some(properties)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        bytes.into()
    }

    fn metadata(file: &Bytes) -> Arc<ParquetMetaData> {
        let options = ArrowReaderOptions::new().with_offset_index_policy(PageIndexPolicy::Required);
        ArrowReaderMetadata::load(file, options).unwrap().metadata().clone()
    }

    /// (type, values, bytes) of every page of each chunk, as `read` gives them.
    fn pages(file: &Bytes, mut read: impl FnMut(usize, usize) -> Box<dyn PageReader>) -> Vec<(String, u32, Bytes)> {
        let metadata = metadata(file);
        let mut all = Vec::new();
        for row_group in 0..metadata.num_row_groups() {
            for column in 0..2 {
                for page in read(row_group, column) {
                    let page = page.unwrap();
                    all.push((format!("{:?}", page.page_type()), page.num_values(), page.buffer().clone()));
                }
            }
        }
        all
    }

    fn in_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
        rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(work)
    }

    #[test]
    fn pages_decompressed_ahead_are_the_pages_read_in_turn_inside_a_pool_or_not() {
        let file = file();
        let metadata = metadata(&file);
        let plain = pages(&file, |row_group, column| {
            let chunk = metadata.row_group(row_group).column(column);
            let rows = metadata.row_group(row_group).num_rows() as usize;
            Box::new(SerializedPageReader::new(Arc::new(file.clone()), chunk, rows, None).unwrap())
        });
        let row_groups = RowGroupsAhead::new(file.clone(), metadata.clone(), vec![0, 1]);
        let ahead = || pages(&file, |row_group, column| row_groups.chunk_reader(row_group, column).unwrap());
        // Dictionary pages, and 300 data pages per column.
        assert!(plain.iter().filter(|(kind, _, _)| kind.contains("DICTIONARY")).count() >= 1);
        assert_eq!(plain.iter().filter(|(kind, _, _)| kind.contains("DATA")).count(), 600);
        assert_eq!(ahead(), plain);
        assert_eq!(in_pool(ahead), plain);
    }

    #[test]
    fn peeking_and_skipping_see_the_pages_a_serialized_reader_sees() {
        let file = file();
        let metadata = metadata(&file);
        let chunk = metadata.row_group(0).column(0);
        let locations = metadata.page_index_for_row_group(0).offset_index(0).unwrap().page_locations().clone();
        let mut serialized = SerializedPageReader::new(Arc::new(file.clone()), chunk, 160_000, Some(locations.clone())).unwrap();
        let mut ahead = PagesAhead::new(Arc::new(file.clone()), chunk.clone(), 160_000, locations).unwrap();
        // The dictionary page on its own, then three runs of data pages.
        assert_eq!(ahead.runs, 4);
        for step in 0.. {
            let (expected, found) = (serialized.peek_next_page().unwrap(), ahead.peek_next_page().unwrap());
            assert_eq!(found.as_ref().map(|p| (p.num_rows, p.is_dict)), expected.as_ref().map(|p| (p.num_rows, p.is_dict)));
            if expected.is_none() {
                break;
            }
            if step % 3 == 1 {
                serialized.skip_next_page().unwrap();
                ahead.skip_next_page().unwrap();
            } else {
                let (expected, found) = (serialized.get_next_page().unwrap().unwrap(), ahead.get_next_page().unwrap().unwrap());
                assert_eq!((found.page_type(), found.buffer()), (expected.page_type(), expected.buffer()));
            }
        }
    }

    #[test]
    fn batches_decoded_from_pages_ahead_equal_the_builders_batches() {
        let file = file();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file.clone()).unwrap().with_batch_size(4096);
        let levels = parquet_to_arrow_field_levels(builder.parquet_schema(), ProjectionMask::all(), Some(builder.schema().fields())).unwrap();
        let expected: Vec<RecordBatch> = builder.build().unwrap().map(Result::unwrap).collect();
        let row_groups = RowGroupsAhead::new(file.clone(), metadata(&file), vec![0, 1]);
        let read = || -> Vec<RecordBatch> {
            ParquetRecordBatchReader::try_new_with_row_groups(&levels, &row_groups, 4096, None).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(read(), expected);
        assert_eq!(in_pool(read), expected);
    }

    #[test]
    fn a_broken_page_is_an_error_inside_a_pool_or_not() {
        let good = file();
        let metadata = metadata(&good);
        let page = metadata.page_index_for_row_group(1).offset_index(1).unwrap().page_locations()[7].clone();
        let mut broken = good.to_vec();
        // The page, header and all, overwritten.
        let start = page.offset as usize;
        broken[start..start + page.compressed_page_size as usize].fill(0xff);
        let broken = Bytes::from(broken);
        let row_groups = RowGroupsAhead::new(broken, metadata.clone(), vec![0, 1]);
        let read_all = || -> Result<usize> { row_groups.chunk_reader(1, 1)?.map(|page| page.map(|_| 1)).sum() };
        assert!(read_all().is_err());
        assert!(in_pool(read_all).is_err());
    }
}
