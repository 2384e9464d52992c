//! "In the engine": where a lesson step points at the module that implements what it shows. Opening it fetches the
//! module's source (the static build carries the engine's sources under `source/`) and shows the comment that
//! opens it — a few sentences on the concept, in the engine's own words — with a link to the whole file.

use yew::prelude::*;

use crate::app::fetch_text;

#[derive(Properties, PartialEq)]
pub struct EngineNoteProps {
    /// The module's path in the repository (`crates/engine/src/exchange.rs`).
    pub path: String,
}

#[function_component(EngineNote)]
pub fn engine_note(props: &EngineNoteProps) -> Html {
    let doc = use_state(|| None::<Result<String, String>>);
    let on_toggle = {
        let (doc, path) = (doc.clone(), props.path.clone());
        Callback::from(move |_: Event| {
            if doc.is_some() {
                return;
            }
            let (doc, url) = (doc.clone(), format!("source/{path}"));
            wasm_bindgen_futures::spawn_local(async move {
                doc.set(Some(fetch_text(&url).await.map(|source| module_comment(&source))));
            });
        })
    };
    html! {
        <details class="engine-note" ontoggle={on_toggle} data-path={props.path.clone()}>
            <summary>{ "In the engine: " }<code>{ &props.path }</code></summary>
            { match &*doc {
                Some(Ok(text)) => html! {
                    <>
                        <pre class="module-comment">{ text }</pre>
                        <a href={format!("source/{}", props.path)} target="_blank" rel="noopener">{ "the whole file" }</a>
                    </>
                },
                Some(Err(problem)) => html! { <p class="notice">{ problem }</p> },
                None => html! { <p class="hint">{ "Loading…" }</p> },
            } }
        </details>
    }
}

/// The `//!` comment that opens a Rust module, without the markers.
fn module_comment(source: &str) -> String {
    source
        .lines()
        .take_while(|line| line.starts_with("//!"))
        .map(|line| line.trim_start_matches("//!").strip_prefix(' ').unwrap_or(line.trim_start_matches("//!")))
        .collect::<Vec<_>>()
        .join("\n")
}
