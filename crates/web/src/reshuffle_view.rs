//! The reshuffle view: for each exchange, which map task sent how many rows to which reduce partition. Rows are
//! map tasks, columns reduce partitions; a cell's shade is its rows. Totals run down the right (rows each map task
//! wrote) and along the bottom (rows each reduce partition received, as bars, which stay readable with 200
//! partitions). After adaptive execution, brackets under the bars show which partitions one task read together.
//! "Follow a key" shows the key's Murmur3 hash and `pmod(hash, n)`, the partition it went to.

use std::rc::Rc;

use kindling_engine::metrics::grouped;
use kindling_engine::replay::{EventKind, Moment};
use kindling_engine::trace::{ExchangeTrace, JobTrace};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The matrix is drawn in these logical units and scaled to the view's width.
const WIDTH: f64 = 560.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 54.0;
const TOP: f64 = 26.0;
const BARS: f64 = 44.0;
const BRACKETS: f64 = 20.0;

#[derive(Properties, PartialEq)]
pub struct ReshuffleProps {
    pub job: JobTrace,
    /// During a replay, what had happened by the current step: a map task's row fills when it writes, a reduce
    /// task's columns light up when it fetches them.
    pub moment: Option<Rc<Moment>>,
    /// A reduce task to point at: (exchange, reduce task), from a stage summary's skew.
    #[prop_or_default]
    pub focus: Option<(usize, usize)>,
    /// A key to follow from the start (a lesson points at it).
    #[prop_or_default]
    pub follow_key: Option<String>,
}

#[function_component(ReshuffleView)]
pub fn reshuffle_view(props: &ReshuffleProps) -> Html {
    let chosen_key = use_state(|| None::<(usize, String)>);
    {
        // A key to follow: the first exchange that saw it, for this job.
        let chosen_key = chosen_key.clone();
        let followed = props.follow_key.as_ref().and_then(|key| {
            let exchange = props.job.exchanges.iter().find(|e| e.sample_keys.iter().flatten().any(|k| k == key))?;
            Some((exchange.id, key.clone()))
        });
        use_effect_with((props.job.description.clone(), props.job.duration_us, followed), move |(_, _, followed)| {
            chosen_key.set(followed.clone());
        });
    }
    if props.job.exchanges.is_empty() {
        return html! { <p class="empty">{ "This job has no shuffle: every stage read its input where it was." }</p> };
    }
    html! {
        <div class="shuffles">
            <p class="hint">{ "Each row is a map task (a partition of the stage before the exchange), each column a reduce partition; a cell's shade is how many rows that map task sent there. Rows with the same key always go to the same reduce partition." }</p>
            { for props.job.exchanges.iter().map(|exchange| exchange_view(&props.job, exchange, props.moment.as_deref(), props.focus, &chosen_key)) }
        </div>
    }
}

/// The key a learner follows in this exchange: its partition, its hash.
struct Followed {
    key: String,
    partition: usize,
    hash: Option<i32>,
}

fn followed(exchange: &ExchangeTrace, chosen: &Option<(usize, String)>) -> Option<Followed> {
    let (id, key) = chosen.as_ref()?;
    if *id != exchange.id {
        return None;
    }
    let partition = exchange.sample_keys.iter().position(|keys| keys.contains(key))?;
    let place = exchange.sample_keys[partition].iter().position(|k| k == key)?;
    let hash = exchange.sample_key_hashes.get(partition).and_then(|hashes| hashes.get(place)).copied();
    Some(Followed { key: key.clone(), partition, hash })
}

fn exchange_view(
    job: &JobTrace,
    exchange: &ExchangeTrace,
    moment: Option<&Moment>,
    focus: Option<(usize, usize)>,
    chosen_key: &UseStateHandle<Option<(usize, String)>>,
) -> Html {
    let focused = focus.filter(|(id, _)| *id == exchange.id).and_then(|(_, task)| partitions_read_by(exchange, task).map(|range| (task, range)));
    let matrix = &exchange.matrix.rows;
    let reduce_partitions = matrix.first().map_or(0, Vec::len);
    let followed = followed(exchange, chosen_key);
    let keys: Vec<&String> = exchange.sample_keys.iter().flatten().collect();
    let on_key = {
        let (chosen_key, id) = (chosen_key.clone(), exchange.id);
        Callback::from(move |event: Event| {
            let key = event.target_unchecked_into::<HtmlSelectElement>().value();
            chosen_key.set((!key.is_empty()).then_some((id, key)));
        })
    };
    let sent: u64 = matrix.iter().flatten().sum();
    let map_stage_tasks = job.stages.iter().find(|s| s.id == exchange.map_stage).map_or(matrix.len(), |s| s.partitions);
    html! {
        <div class="exchange" data-exchange={exchange.id.to_string()} data-map-partitions={matrix.len().to_string()}
            data-reduce-partitions={reduce_partitions.to_string()}>
            <h3>{ format!("Exchange {} · {}", exchange.id, exchange.partitioning) }</h3>
            <p class="exchange-summary">
                { format!("{} map tasks of stage {} → {} reduce partitions · {} rows moved", map_stage_tasks, exchange.map_stage, reduce_partitions, grouped(sent)) }
            </p>
            { matrix_svg(job, exchange, moment, followed.as_ref().map(|f| f.partition), focused.map(|(_, range)| range)) }
            { focused.map(|(task, range)| focus_note(exchange, task, range)).unwrap_or_default() }
            if !keys.is_empty() {
                <label class="key-picker">
                    { "Follow a key: " }
                    <select onchange={on_key}>
                        <option value="">{ "choose a key seen in this shuffle" }</option>
                        { for keys.iter().map(|key| {
                            let chosen = followed.as_ref().is_some_and(|f| &f.key == *key);
                            html! { <option value={(*key).clone()} selected={chosen}>{ (*key).clone() }</option> }
                        }) }
                    </select>
                </label>
            }
            { followed.map(|f| key_route(exchange, &f, reduce_partitions)).unwrap_or_default() }
            { exchange.coalesced.as_ref().filter(|c| c.groups.len() < c.before).map(|c| html! {
                <p class="aqe">{ format!(
                    "Adaptive execution merged the {} reduce partitions into {} (target {} each): the brackets under the bars show which partitions each reduce task read.",
                    c.before, c.groups.len(), kindling_engine::metrics::bytes_to_string(c.target_bytes)
                ) }</p>
            }).unwrap_or_default() }
        </div>
    }
}

fn key_route(exchange: &ExchangeTrace, followed: &Followed, reduce_partitions: usize) -> Html {
    let from: Vec<String> = exchange
        .matrix
        .rows
        .iter()
        .enumerate()
        .filter(|(_, row)| row.get(followed.partition).copied().unwrap_or(0) > 0)
        .map(|(m, _)| m.to_string())
        .collect();
    let hash = match followed.hash {
        Some(hash) => format!(
            "Spark hashes the key with Murmur3: hash({}) = {hash}, and pmod({hash}, {reduce_partitions}) = {}",
            followed.key, followed.partition
        ),
        None => format!("Spark's hash of the key, modulo {reduce_partitions}, is {}", followed.partition),
    };
    let read_by = exchange.coalesced.as_ref().and_then(|c| c.groups.iter().position(|(start, end)| (*start..*end).contains(&followed.partition)));
    html! {
        <p class="key-route" data-partition={followed.partition.to_string()} data-hash={followed.hash.map(|h| h.to_string())}>
            { format!("{hash}. So every row with key {} goes to reduce partition {}; map tasks {} sent rows there.", followed.key, followed.partition, from.join(", ")) }
            { read_by.map(|task| format!(" After coalescing, reduce task {task} reads it.")).unwrap_or_default() }
        </p>
    }
}

fn matrix_svg(job: &JobTrace, exchange: &ExchangeTrace, moment: Option<&Moment>, highlighted: Option<usize>, focused: Option<(usize, usize)>) -> Html {
    let matrix = &exchange.matrix.rows;
    let reduce_partitions = matrix.first().map_or(0, Vec::len).max(1);
    let column = (WIDTH - LEFT - RIGHT) / reduce_partitions as f64;
    let row_height = (160.0 / matrix.len().max(1) as f64).clamp(8.0, 22.0);
    let grid_bottom = TOP + row_height * matrix.len() as f64;
    let has_brackets = exchange.coalesced.as_ref().is_some_and(|c| c.groups.len() < c.before);
    let height = grid_bottom + BARS + 16.0 + if has_brackets { BRACKETS } else { 0.0 };
    let max = matrix.iter().flatten().copied().max().unwrap_or(0).max(1);
    let received = exchange.matrix.rows_per_reduce_partition();
    let most_received = received.iter().copied().max().unwrap_or(0).max(1);
    let x = |reduce: usize| LEFT + column * reduce as f64;
    let written = |map: usize| moment.is_none_or(|m| m.map_written(exchange.id, map));
    let writing = |map: usize| moment.is_some_and(|m| matches!(m.event, EventKind::ShuffleWrite { exchange: id, map: row, .. } if id == exchange.id && row == map));
    let fetching = moment.and_then(|m| fetched_range(job, exchange, m)).or(focused);
    html! {
        <svg class="matrix" viewBox={format!("0 0 {WIDTH} {height:.0}")} width="100%" preserveAspectRatio="xMinYMin meet">
            <text class="axis" x={LEFT.to_string()} y="10">{ format!("reduce partition 0 … {} →", reduce_partitions - 1) }</text>
            <text class="axis" x={format!("{:.1}", WIDTH - RIGHT + 4.0)} y="10">{ "rows sent" }</text>
            <text class="axis" x="0" y="22">{ "map task ↓" }</text>
            { for matrix.iter().enumerate().map(|(map, row)| {
                let y = TOP + row_height * map as f64;
                html! {
                    <g class={classes!("map-row", (!written(map)).then_some("not-yet"), writing(map).then_some("now"))} data-map={map.to_string()}
                        data-written={written(map).to_string()}>
                        <text x="0" y={format!("{:.1}", y + row_height * 0.75)}>{ format!("map {map}") }</text>
                        { for row.iter().enumerate().filter(|(_, rows)| **rows > 0 && written(map)).map(|(reduce, rows)| {
                            let shade = 0.15 + 0.85 * (*rows as f64 / max as f64);
                            html! {
                                <rect class={classes!("flow", (highlighted == Some(reduce)).then_some("chosen"))}
                                    x={format!("{:.2}", x(reduce))} y={format!("{:.1}", y)} width={format!("{:.2}", (column - 0.3).max(0.6))}
                                    height={format!("{:.1}", row_height - 1.0)} fill-opacity={format!("{shade:.2}")}>
                                    <title>{ format!("map {map} → reduce {reduce}: {rows} rows") }</title>
                                </rect>
                            }
                        }) }
                        <text class="total" x={format!("{:.1}", WIDTH - RIGHT + 4.0)} y={format!("{:.1}", y + row_height * 0.75)}>
                            { grouped(row.iter().sum()) }
                        </text>
                    </g>
                }
            }) }
            { highlighted.map(|reduce| html! {
                <rect class="chosen-column" x={format!("{:.2}", x(reduce) - 0.5)} y={TOP.to_string()} width={format!("{:.2}", column.max(1.5) + 1.0)}
                    height={format!("{:.1}", grid_bottom - TOP + BARS + 4.0)} />
            }).unwrap_or_default() }
            { fetching.map(|(start, end)| html! {
                <rect class="fetching" x={format!("{:.2}", x(start))} y={TOP.to_string()} width={format!("{:.2}", (x(end) - x(start)).max(1.5))}
                    height={format!("{:.1}", grid_bottom - TOP + BARS + 4.0)} />
            }).unwrap_or_default() }
            <text class="axis" x="0" y={format!("{:.1}", grid_bottom + 14.0)}>{ "rows in" }</text>
            <text class="axis" x="0" y={format!("{:.1}", grid_bottom + 26.0)}>{ "each" }</text>
            { for received.iter().enumerate().filter(|(_, rows)| **rows > 0).map(|(reduce, rows)| {
                let bar = (BARS - 4.0) * *rows as f64 / most_received as f64;
                html! {
                    <rect class="received" data-reduce={reduce.to_string()} x={format!("{:.2}", x(reduce))} y={format!("{:.1}", grid_bottom + 4.0 + BARS - 4.0 - bar)}
                        width={format!("{:.2}", (column - 0.3).max(0.6))} height={format!("{:.1}", bar.max(0.5))}>
                        <title>{ format!("reduce partition {reduce}: {rows} rows in") }</title>
                    </rect>
                }
            }) }
            <text class="total" x={format!("{:.1}", WIDTH - RIGHT + 4.0)} y={format!("{:.1}", grid_bottom + BARS - 2.0)}>{ grouped(received.iter().sum()) }</text>
            { for exchange.coalesced.iter().filter(|_| has_brackets).flat_map(|c| c.groups.iter().enumerate()).map(|(task, (start, end))| {
                let y = grid_bottom + BARS + 8.0;
                html! {
                    <g class="bracket" data-task={task.to_string()}>
                        <path d={format!("M{:.1},{y:.1} v4 H{:.1} v-4", x(*start) + 0.5, x(*end) - 0.5)} />
                        if x(*end) - x(*start) > 44.0 {
                            <text x={format!("{:.1}", (x(*start) + x(*end)) / 2.0)} y={format!("{:.1}", y + 14.0)} text-anchor="middle">
                                { format!("task {task}: {start}–{}", end - 1) }
                            </text>
                        }
                        <title>{ format!("reduce task {task} reads partitions {start}–{}", end - 1) }</title>
                    </g>
                }
            }) }
        </svg>
    }
}

/// The reduce partitions the current step's task fetches from this exchange, when the step is such a fetch.
fn fetched_range(job: &JobTrace, exchange: &ExchangeTrace, moment: &Moment) -> Option<(usize, usize)> {
    let EventKind::ShuffleFetch { task, exchange: id } = moment.event else { return None };
    let task = job.tasks.iter().find(|t| t.id == task).filter(|_| id == exchange.id)?;
    partitions_read_by(exchange, task.partition)
}

/// The reduce partitions the reading stage's task `partition` reads (a range, after coalescing).
fn partitions_read_by(exchange: &ExchangeTrace, partition: usize) -> Option<(usize, usize)> {
    match &exchange.coalesced {
        Some(decision) => decision.groups.get(partition).copied(),
        None => Some((partition, partition + 1)),
    }
}

/// What the slow reduce task read: its partitions, their rows, the keys seen there.
fn focus_note(exchange: &ExchangeTrace, task: usize, (start, end): (usize, usize)) -> Html {
    let rows: u64 = exchange.matrix.rows_per_reduce_partition()[start..end].iter().sum();
    let keys: Vec<&String> = exchange.sample_keys.get(start..end).into_iter().flatten().flatten().collect();
    let partitions = if end - start == 1 { format!("partition {start}") } else { format!("partitions {start}–{}", end - 1) };
    let keys = if keys.is_empty() {
        String::new()
    } else {
        format!(" Keys seen there include {}.", keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join("; "))
    };
    html! {
        <p class="key-route focus-note" data-task={task.to_string()}>
            { format!("The slow reduce task {task} read {partitions}: {} rows, outlined above.{keys}", grouped(rows)) }
        </p>
    }
}
