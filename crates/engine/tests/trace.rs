//! The job trace of a known job: a group-by over two Parquet files on two executors is two stages joined by one
//! hash exchange, whose 200 reduce partitions adaptive execution merges into one; the trace says all of it.

use std::sync::Arc;

use kindling_datagen::{Codec, TripSpec, green_trips, write_parquet};
use kindling_engine::clock::MonotonicClock;
use kindling_engine::dataframe::JoinOn;
use kindling_engine::executor::Executors;
use kindling_engine::expr::{AggregateFunction, aggregate, col};
use kindling_engine::io::vfs::MemoryFiles;
use kindling_engine::session::Session;
use kindling_engine::trace::JobTrace;

fn session() -> Arc<Session> {
    let mut files = MemoryFiles::default();
    for month in [1, 2] {
        let batches = green_trips(&TripSpec { year: 2024, month, rows: 3000, seed: month as u64 }).unwrap();
        let mut file = Vec::new();
        write_parquet(&batches, Codec::Snappy, &mut file).unwrap();
        files.insert(&format!("green/2024/{month:02}/part-0.parquet"), file.into());
    }
    Session::new(Arc::new(files), Executors::local(2).unwrap(), Arc::new(MonotonicClock::new()))
}

fn group_by_zone(session: &Arc<Session>) -> JobTrace {
    let trips = session.read_parquet(&["green/*/*"]).unwrap();
    let by_zone = trips.group_by(vec![col("PULocationID")]).unwrap();
    let totals = by_zone.agg(vec![aggregate(AggregateFunction::Sum, col("total_amount"))]).unwrap();
    totals.execute("collect").unwrap().1
}

#[test]
fn a_group_by_is_two_stages_joined_by_a_coalesced_hash_exchange() {
    let session = session();
    let trace = group_by_zone(&session);
    assert_eq!(trace.executors, 2);
    assert_eq!(trace.stages.len(), 2);
    let (map, result) = (&trace.stages[0], &trace.stages[1]);
    assert_eq!(map.operators, ["HashAggregate", "FileScan parquet"]);
    assert_eq!(map.partitions, 2, "one input partition per file");
    assert_eq!(map.writes_exchange, Some(0));
    assert_eq!(result.operators, ["HashAggregate", "Exchange"]);
    assert_eq!(result.parents, [0]);
    assert_eq!(result.partitions, 1, "adaptive execution merged the 200 reduce partitions");

    let exchange = &trace.exchanges[0];
    assert_eq!(exchange.map_stage, 0);
    assert!(exchange.partitioning.starts_with("hashpartitioning(PULocationID#"), "{}", exchange.partitioning);
    assert!(exchange.partitioning.ends_with(", 200)"));
    assert_eq!(exchange.matrix.rows.len(), 2, "one row of the matrix per map task");
    assert_eq!(exchange.matrix.rows[0].len(), 200, "one column per reduce partition");
    let shuffled: u64 = exchange.matrix.rows.iter().flatten().sum();
    let partial_rows: u64 = trace.tasks.iter().filter(|t| t.stage == 0).map(|t| t.rows_out).sum();
    assert_eq!(shuffled, partial_rows, "the map side shuffles its partial aggregates, one row per zone and task");
    let zones_seen: usize = exchange.sample_keys.iter().filter(|keys| !keys.is_empty()).count();
    assert!(zones_seen > 50, "sample keys name the zones each reduce partition got");
    let decision = exchange.coalesced.as_ref().expect("adaptive execution is on by default");
    assert_eq!((decision.before, decision.groups.clone()), (200, vec![(0, 200)]));

    let input_rows: u64 = trace.partitions.iter().map(|p| p.rows).sum();
    assert_eq!(input_rows, 6000);
    assert!(trace.tasks.iter().all(|t| t.end_us >= t.start_us && t.executor < 2));
    assert!(trace.physical_plan.contains("Exchange hashpartitioning"));
    assert_eq!(session.jobs().len(), 1, "the session's job log holds the job");
}

#[test]
fn the_trace_holds_what_explain_prints_after_the_job() {
    let session = session();
    let trips = session.read_parquet(&["green/*/*"]).unwrap();
    let totals = trips.group_by(vec![col("PULocationID")]).unwrap().agg(vec![aggregate(AggregateFunction::Sum, col("total_amount"))]).unwrap();
    let trace = totals.execute("collect").unwrap().1;
    assert_eq!(trace.explain, totals.explain_string(false).unwrap());
    assert!(trace.explain.starts_with("== Physical Plan ==\nAdaptiveSparkPlan isFinalPlan=true"), "{}", trace.explain);
}

#[test]
fn without_adaptive_execution_every_reduce_partition_is_a_task() {
    let session = session();
    let mut config = session.config();
    config.set("spark.sql.adaptive.enabled", "false").unwrap();
    let trace = group_by_zone(&session.with_config(config));
    assert_eq!(trace.stages[1].partitions, 200);
    assert!(trace.exchanges[0].coalesced.is_none());
}

#[test]
fn a_global_sort_records_its_range_boundaries() {
    let session = session();
    let mut config = session.config();
    config.set("spark.sql.shuffle.partitions", "4").unwrap();
    let session = session.with_config(config);
    let trips = session.read_parquet(&["green/*/*"]).unwrap();
    let sorted = trips.order_by(vec![col("total_amount").asc()]).unwrap();
    let (_, trace) = sorted.execute("collect").unwrap();
    let exchange = &trace.exchanges[0];
    assert!(exchange.partitioning.starts_with("rangepartitioning(total_amount#"), "{}", exchange.partitioning);
    assert_eq!(exchange.range_bounds.len(), 3, "4 partitions need 3 boundaries");
    let bounds: Vec<f64> = exchange.range_bounds.iter().map(|b| b.parse().unwrap()).collect();
    assert!(bounds.windows(2).all(|w| w[0] < w[1]), "{bounds:?}");
    let rows = exchange.matrix.rows_per_reduce_partition();
    assert!(rows.iter().all(|&r| r > 6000 / 8), "sampled boundaries balance the partitions: {rows:?}");
}

#[test]
fn joins_record_their_strategy_and_broadcasts_their_copies() {
    let session = session();
    let trips = session.read_parquet(&["green/*/*"]).unwrap();
    let zones = trips.group_by(vec![col("DOLocationID")]).unwrap().count().unwrap();
    let condition = || trips.column("PULocationID").unwrap().eq(zones.column("DOLocationID").unwrap());
    let joined = trips.join(&zones, JoinOn::Condition(condition()), "inner").unwrap();
    let (_, trace) = joined.execute("collect").unwrap();
    assert_eq!(trace.joins.len(), 1);
    assert_eq!(trace.joins[0].strategy, "BroadcastHashJoin");
    assert!(trace.joins[0].reason.contains("within the 10485760-byte broadcast threshold"), "{}", trace.joins[0].reason);
    let broadcast = &trace.broadcasts[0];
    assert_eq!((broadcast.copies, broadcast.rows), (2, zones.count().unwrap() as u64), "one copy per executor");
    assert!(broadcast.bytes > 0);
    assert_eq!(trace.stages[broadcast.stage].writes_exchange, Some(broadcast.id), "the broadcast side is a stage");

    let mut config = session.config();
    config.set("spark.sql.autoBroadcastJoinThreshold", "-1").unwrap();
    let no_broadcast = session.with_config(config);
    let trips = no_broadcast.read_parquet(&["green/*/*"]).unwrap();
    let zones = trips.group_by(vec![col("DOLocationID")]).unwrap().count().unwrap();
    let condition = || trips.column("PULocationID").unwrap().eq(zones.column("DOLocationID").unwrap());
    let merge = trips.join(&zones, JoinOn::Condition(condition()), "inner").unwrap();
    let (_, trace) = merge.execute("collect").unwrap();
    assert_eq!(trace.joins[0].strategy, "SortMergeJoin");
    assert!(trace.broadcasts.is_empty());
    let hinted_zones = zones.broadcast();
    let on_hinted = trips.column("PULocationID").unwrap().eq(hinted_zones.column("DOLocationID").unwrap());
    let hinted = trips.join(&hinted_zones, JoinOn::Condition(on_hinted), "inner").unwrap();
    let (_, trace) = hinted.execute("collect").unwrap();
    assert_eq!(trace.joins[0].strategy, "BroadcastHashJoin");
    assert_eq!(trace.joins[0].reason, "the right side has a broadcast hint");
}

#[test]
fn the_trace_survives_json() {
    let trace = group_by_zone(&session());
    let text = serde_json::to_string(&trace).unwrap();
    assert_eq!(serde_json::from_str::<JobTrace>(&text).unwrap(), trace);
}

/// The stage page's numbers: what each task read from files and from the shuffle, and wrote into it.
#[test]
fn the_stage_summaries_split_input_shuffle_reads_and_writes() {
    use kindling_engine::stage_summary::stage_summary;
    let trace = group_by_zone(&session());
    let row = |stage: usize, name: &str| {
        let summary = stage_summary(&trace, stage).unwrap();
        summary.rows.iter().find(|r| r.name == name).map(|r| r.quantiles)
    };
    let shuffled: u64 = trace.exchanges[0].matrix.rows.iter().flatten().sum();
    let written: Vec<u64> = trace.exchanges[0].matrix.rows.iter().map(|row| row.iter().sum()).collect();
    let (low, high) = (written[0].min(written[1]), written[0].max(written[1]));
    assert_eq!(row(0, "Input rows"), Some([3000, 3000, 3000, 3000, 3000]), "each map task read one file of 3000 trips");
    assert_eq!(row(0, "Shuffle write rows"), Some([low, low, high, high, high]));
    assert_eq!(row(0, "Shuffle read rows"), None, "a scan stage reads no shuffle");
    assert_eq!(row(1, "Shuffle read rows"), Some([shuffled; 5]), "the one reduce task read every shuffled row");
    assert_eq!(row(1, "Input rows"), None);
    let read_bytes: u64 = trace.exchanges[0].matrix.bytes.iter().flatten().sum();
    assert_eq!(row(1, "Shuffle read size"), Some([read_bytes; 5]), "bytes read are the bytes written");
    assert!(row(1, "Output rows").is_some());
}

/// Each sample key carries Spark's Murmur3 hash of it, and `pmod(hash, 200)` is the reduce partition it was seen in.
#[test]
fn sample_keys_carry_the_hash_that_chose_their_partition() {
    let trace = group_by_zone(&session());
    let exchange = &trace.exchanges[0];
    assert_eq!(exchange.sample_key_hashes.len(), exchange.sample_keys.len());
    let mut checked = 0;
    for (partition, hashes) in exchange.sample_key_hashes.iter().enumerate() {
        assert_eq!(hashes.len(), exchange.sample_keys[partition].len());
        for hash in hashes {
            assert_eq!(hash.rem_euclid(200) as usize, partition);
            checked += 1;
        }
    }
    assert!(checked > 50);
    // pyspark 4.3: SELECT hash(132), pmod(hash(132), 200) gives -1274578763, 37.
    let zone_132 = exchange.sample_keys.iter().flatten().zip(exchange.sample_key_hashes.iter().flatten()).find(|(k, _)| *k == "132");
    let (_, hash) = zone_132.expect("zone 132 is among the sample keys");
    assert_eq!(*hash, -1274578763);
    assert_eq!(exchange.sample_keys[37].iter().filter(|k| *k == "132").count(), 1);
}

/// The replay of the group-by: every task starts, (map tasks) fills its row of the shuffle, ends; the reduce task
/// fetches after both map tasks wrote; each step's moment says what had happened by then.
#[test]
fn the_replay_tells_the_job_in_time_order() {
    use kindling_engine::replay::{EventKind, Replay, StageState, TaskState};
    let trace = group_by_zone(&session());
    let replay = Replay::of(&trace);
    let kinds: Vec<EventKind> = replay.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds.first(), Some(&EventKind::JobStart));
    assert_eq!(kinds.last(), Some(&EventKind::JobEnd));
    assert!(replay.events.windows(2).all(|w| w[0].at_us <= w[1].at_us), "in time order");
    // 1 start + 2 stages submitted and done + 3 tasks started and ended + 2 shuffle writes + 1 fetch + 1 end.
    assert_eq!(replay.len(), 1 + 4 + 6 + 2 + 1 + 1);
    let position = |kind: EventKind| kinds.iter().position(|k| *k == kind).unwrap();
    let reduce = trace.tasks.iter().find(|t| t.stage == 1).unwrap();
    let fetch = position(EventKind::ShuffleFetch { task: reduce.id, exchange: 0 });
    for map in trace.tasks.iter().filter(|t| t.stage == 0) {
        let write = position(EventKind::ShuffleWrite { task: map.id, exchange: 0, map: map.partition });
        assert!(position(EventKind::TaskStart { task: map.id }) < write);
        assert!(write < position(EventKind::TaskEnd { task: map.id }));
        assert!(write < fetch, "a reduce task fetches once every map task has written");
        let before = replay.moment(&trace, write - 1);
        let after = replay.moment(&trace, write);
        assert!(!before.map_written(0, map.partition) && after.map_written(0, map.partition));
        assert_eq!(after.task_state(map.id), TaskState::Running);
        let end = replay.events[position(EventKind::TaskEnd { task: map.id })].caption.clone();
        assert!(end.contains("part-0.parquet: 3,000 rows → "), "{end}");
        assert!(end.contains(" groups"), "{end}");
    }
    let start = replay.moment(&trace, 0);
    assert_eq!((start.stage_state(0), start.stage_state(1)), (StageState::Waiting, StageState::Waiting));
    let at_fetch = replay.moment(&trace, fetch);
    assert_eq!((at_fetch.stage_state(0), at_fetch.stage_state(1)), (StageState::Done, StageState::Running));
    assert!(at_fetch.fetched(reduce.id, 0));
    let end = replay.moment(&trace, replay.len() - 1);
    assert!(trace.tasks.iter().all(|t| end.task_state(t.id) == TaskState::Done));
    assert!(replay.events[fetch].caption.contains("reduce partitions 0–199 of exchange 0 from the 2 map tasks of stage 0"), "{}", replay.events[fetch].caption);
}
