//! The Storage panel: the DataFrames cached in this session, as the Spark UI's Storage page lists them — how many
//! of each one's partitions are kept, their rows and the memory they take.

use kindling_engine::cache::StorageUsage;
use yew::prelude::*;

use crate::format::bytes;

pub fn storage_view(cached: &[StorageUsage]) -> Html {
    html! {
        <section id="storage" class="storage" data-cached={cached.len().to_string()}>
            <h2>{ "Storage" }</h2>
            <p class="hint">{ "DataFrames cached with cache() or persist(). The first job that needs one computes it and keeps each partition; later jobs read the kept partitions instead of running its plan again. unpersist() frees them." }</p>
            if cached.is_empty() {
                <p class="empty">{ "Nothing is cached in this session." }</p>
            } else {
                <table>
                    <thead><tr>
                        <th>{ "Cached DataFrame" }</th><th>{ "Storage level" }</th><th>{ "Cached partitions" }</th>
                        <th>{ "Rows" }</th><th>{ "Size in memory" }</th>
                    </tr></thead>
                    <tbody>
                        { for cached.iter().map(cached_row) }
                    </tbody>
                </table>
            }
        </section>
    }
}

fn cached_row(entry: &StorageUsage) -> Html {
    let kept = if entry.partitions == 0 { "not computed yet".to_string() } else { format!("{} of {}", entry.kept, entry.partitions) };
    html! {
        <tr data-id={entry.id.to_string()} data-kept={entry.kept.to_string()} data-partitions={entry.partitions.to_string()}>
            <td><code title={entry.name.clone()}>{ &entry.name }</code></td>
            <td>{ &entry.level }</td>
            <td>{ kept }</td>
            <td>{ entry.rows.to_string() }</td>
            <td>{ bytes(entry.bytes) }</td>
        </tr>
    }
}
