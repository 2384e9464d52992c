//! Reading ahead: a task decodes its next rows while it works on the ones it has — on another executor, when one
//! is free.
//!
//! A stage's tasks seldom end together. Spark's input split gives a year of green trips (twelve files) to three
//! tasks of five, five and two files; on two cores the third task runs alone while the other executor waits.
//! Decoding Parquet is about a third of such a task. [`ReadAhead`] hands the decoding of the next few batches to
//! the executors' pool as a job of its own, and the task goes on with the batches it already has:
//! - when every executor is busy, nobody takes the job; the task's own thread runs it when it needs the rows —
//!   the same work as without reading ahead, in the same order;
//! - when an executor is free, it steals the job and decodes while the task aggregates.
//!
//! Either way the batches come out in the order the file holds them, so no result depends on who decoded what.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use arrow::record_batch::RecordBatch;

use crate::Result;

/// How many batches a job decodes ahead of the task (64k rows): enough that handing a job over (waking a sleeping
/// executor takes tens of microseconds) costs little beside decoding it.
const BATCHES_AHEAD: usize = 8;

/// The batches of a source, decoded ahead by whichever executor is free.
///
/// When nobody takes the job, the task decodes a batch at a time itself, just before using it: a batch is used
/// while it is still in the core's cache (decoding 64k rows ahead on the same core would push them out).
pub struct ReadAhead<I> {
    shared: Arc<Shared<I>>,
}

struct Shared<I> {
    state: Mutex<State<I>>,
    /// Signalled when a job has decoded a batch or let go of the source.
    decoded_more: Condvar,
}

struct State<I> {
    /// The source, while nobody decodes from it; `None` while a job decodes, and once used up.
    source: Option<I>,
    decoded: VecDeque<Result<RecordBatch>>,
    /// A job is queued and has not started yet.
    queued: bool,
    /// A job holds the source and is decoding.
    decoding: bool,
    /// The task waits for the decoding job.
    waiting: bool,
    /// The task stopped reading (a LIMIT was met): a job still queued has nothing to do.
    closed: bool,
    /// A panic while decoding: the task's panic, raised where the task reads.
    panic: Option<Box<dyn Any + Send>>,
}

impl<I> ReadAhead<I>
where
    I: Iterator<Item = Result<RecordBatch>> + Send + 'static,
{
    pub fn new(source: I) -> Self {
        let state = State {
            source: Some(source),
            decoded: VecDeque::new(),
            queued: false,
            decoding: false,
            waiting: false,
            closed: false,
            panic: None,
        };
        let read_ahead = Self { shared: Arc::new(Shared { state: Mutex::new(state), decoded_more: Condvar::new() }) };
        read_ahead.offer_job(&mut read_ahead.shared.lock());
        read_ahead
    }

    /// Queues a job decoding ahead, unless one is queued or running, or the source is used up. Outside an
    /// executor pool (a test, a browser page's main thread) there is nobody to take it: the task decodes alone.
    fn offer_job(&self, state: &mut State<I>) {
        if state.queued || state.source.is_none() || state.decoded.len() >= BATCHES_AHEAD || rayon::current_thread_index().is_none() {
            return;
        }
        state.queued = true;
        let shared = self.shared.clone();
        // Decoding text reads timestamps in the query's time zone, whichever thread decodes.
        let settings = crate::query_settings::current();
        rayon::spawn(move || {
            crate::query_settings::set_current(settings);
            shared.decode_ahead()
        });
    }
}

impl<I: Iterator<Item = Result<RecordBatch>>> Shared<I> {
    fn lock(&self) -> MutexGuard<'_, State<I>> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The job: takes the source (unless the task is decoding from it) and decodes up to [`BATCHES_AHEAD`] batches.
    fn decode_ahead(&self) {
        let mut state = self.lock();
        state.queued = false;
        let Some(mut source) = state.source.take() else { return };
        state.decoding = true;
        while state.decoded.len() < BATCHES_AHEAD && !state.closed {
            drop(state);
            let next = catch_unwind(AssertUnwindSafe(|| source.next()));
            state = self.lock();
            match next {
                Ok(Some(batch)) => state.decoded.push_back(batch),
                Ok(None) => return self.stop_decoding(state, None),
                Err(panic) => {
                    state.panic = Some(panic);
                    return self.stop_decoding(state, None);
                }
            }
            if state.waiting {
                self.decoded_more.notify_one();
            }
        }
        self.stop_decoding(state, Some(source));
    }

    fn stop_decoding(&self, mut state: MutexGuard<'_, State<I>>, source: Option<I>) {
        state.decoding = false;
        state.source = source.filter(|_| !state.closed);
        if state.waiting {
            self.decoded_more.notify_one();
        }
    }
}

impl<I> Iterator for ReadAhead<I>
where
    I: Iterator<Item = Result<RecordBatch>> + Send + 'static,
{
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut state = self.shared.lock();
        loop {
            if let Some(batch) = state.decoded.pop_front() {
                self.offer_job(&mut state);
                return Some(batch);
            }
            if let Some(panic) = state.panic.take() {
                drop(state);
                resume_unwind(panic);
            }
            if let Some(mut source) = state.source.take() {
                // Nobody took the job: the task decodes the next batch itself.
                drop(state);
                let batch = source.next();
                state = self.shared.lock();
                if batch.is_some() {
                    state.source = Some(source);
                    self.offer_job(&mut state);
                }
                return batch;
            }
            if !state.decoding {
                return None;
            }
            // While the job decodes, the task runs a job of the pool if one is queued (the decoder's next pages
            // to decompress, see `pages_ahead`) instead of only waiting.
            drop(state);
            let helped = rayon::yield_now() == Some(rayon::Yield::Executed);
            state = self.shared.lock();
            if helped || !state.decoded.is_empty() || !state.decoding {
                continue;
            }
            state.waiting = true;
            state = self.shared.decoded_more.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
            state.waiting = false;
        }
    }
}

impl<I> Drop for ReadAhead<I> {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        state.closed = true;
        state.source = None;
        state.decoded.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use arrow::array::{ArrayRef, Int64Array};

    use super::*;
    use crate::EngineError;

    fn numbered_batches(count: i64, rows: i64) -> Vec<Result<RecordBatch>> {
        (0..count)
            .map(|b| {
                let values: ArrayRef = Arc::new(Int64Array::from_iter_values(b * rows..(b + 1) * rows));
                Ok(RecordBatch::try_from_iter([("n", values)])?)
            })
            .collect()
    }

    fn numbers(batches: impl Iterator<Item = Result<RecordBatch>>) -> Result<Vec<i64>> {
        let mut numbers = Vec::new();
        for batch in batches {
            let batch = batch?;
            numbers.extend(batch.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().iter());
        }
        Ok(numbers)
    }

    /// What happened, in order: `Decoded(batch, thread)` and `Used(batch)`.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Event {
        Decoded(usize, Option<usize>),
        Used(usize),
    }

    /// Reads `count` batches through a [`ReadAhead`] on a pool of `threads`, spending `work` on each batch.
    fn logged_read(threads: usize, count: i64, work: Duration) -> (Vec<i64>, Vec<Event>, Option<usize>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let source_log = log.clone();
        let source = numbered_batches(count, 1000).into_iter().enumerate().map(move |(i, batch)| {
            source_log.lock().unwrap().push(Event::Decoded(i, rayon::current_thread_index()));
            batch
        });
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let (read, reader_thread) = pool.install(|| {
            let mut read = Vec::new();
            for (i, batch) in ReadAhead::new(source).enumerate() {
                log.lock().unwrap().push(Event::Used(i));
                std::thread::sleep(work);
                read.push(batch);
            }
            (read, rayon::current_thread_index())
        });
        let events = log.lock().unwrap().clone();
        (numbers(read.into_iter()).unwrap(), events, reader_thread)
    }

    #[test]
    fn batches_come_in_source_order_whoever_decodes_them() {
        for threads in [1, 2, 4] {
            for work in [Duration::ZERO, Duration::from_micros(300)] {
                let (read, _, _) = logged_read(threads, 40, work);
                assert_eq!(read, (0..40_000).collect::<Vec<_>>(), "{threads} threads, {work:?} a batch");
            }
        }
        assert_eq!(numbers(ReadAhead::new(numbered_batches(40, 1000).into_iter())).unwrap(), (0..40_000).collect::<Vec<_>>(), "outside a pool");
    }

    #[test]
    fn a_free_executor_decodes_ahead_of_a_busy_task() {
        let (read, events, reader_thread) = logged_read(2, 40, Duration::from_millis(5));
        assert_eq!(read, (0..40_000).collect::<Vec<_>>());
        // Generous bounds: other tests share the cores. Without reading ahead, none would be decoded elsewhere.
        let elsewhere = events.iter().filter(|e| matches!(e, Event::Decoded(_, thread) if *thread != reader_thread)).count();
        assert!(elsewhere >= 10, "{elsewhere} of 40 batches decoded by the free executor: {events:?}");
    }

    #[test]
    fn a_task_alone_decodes_each_batch_just_before_using_it() {
        let (_, events, reader_thread) = logged_read(1, 10, Duration::ZERO);
        let expected: Vec<Event> = (0..10).flat_map(|i| [Event::Decoded(i, reader_thread), Event::Used(i)]).collect();
        assert_eq!(events, expected);
    }

    #[test]
    fn an_error_comes_where_the_source_had_it() {
        let mut source = numbered_batches(30, 10_000);
        source[17] = Err(EngineError::Runtime("broken page".into()));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let read: Vec<Result<RecordBatch>> = pool.install(|| ReadAhead::new(source.into_iter()).collect());
        assert_eq!(read.len(), 30);
        assert!(matches!(&read[17], Err(EngineError::Runtime(message)) if message == "broken page"));
        let after_the_error = numbers(read.into_iter().skip(18)).unwrap();
        assert_eq!(after_the_error, (18 * 10_000..30 * 10_000).collect::<Vec<_>>());
    }

    #[test]
    fn a_panic_while_decoding_ahead_reaches_the_task() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let outcome = pool.install(|| {
            let task_thread = rayon::current_thread_index();
            let source = numbered_batches(20, 1000).into_iter().enumerate().map(move |(i, batch)| {
                if i == 12 {
                    assert!(rayon::current_thread_index() != task_thread, "the task decoded batch 12 itself");
                    panic!("decoder bug");
                }
                batch
            });
            catch_unwind(AssertUnwindSafe(|| ReadAhead::new(source).inspect(|_| std::thread::sleep(Duration::from_millis(5))).count()))
        });
        let panic = outcome.expect_err("the panic is the task's");
        assert_eq!(crate::scheduler::panic_message(&*panic), "decoder bug");
    }
}
