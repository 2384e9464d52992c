//! The adaptive view: what adaptive query execution changed in the job's plan — the changes in words (query
//! stages, coalesced shuffle partitions and their ranges, join strategies), then the initial plan and the final
//! plan side by side, the lines adaptive execution added marked.

use kindling_engine::adaptive_plan::adaptive_plans;
use kindling_engine::trace::JobTrace;
use yew::prelude::*;

/// Lines of a final plan that exist only because the plan ran adaptively.
const ADDED_AT_RUN_TIME: [&str; 3] = ["AQEShuffleRead", "QueryStage", "ResultQueryStage"];

pub fn aqe_view(job: &JobTrace) -> Html {
    let Some(plans) = adaptive_plans(job) else {
        return html! {
            <p class="empty" id="aqe-none">{ "This job did not run adaptively: adaptive execution is off, or its plan has no exchange, so there was nothing to re-plan." }</p>
        };
    };
    html! {
        <div class="aqe-view" id="aqe">
            <p class="hint">{ "Spark plans the query, then runs it exchange by exchange. After each shuffle or broadcast has run, it knows the real sizes and may change the rest of the plan." }</p>
            <ul class="aqe-changes">
                { for plans.changes.iter().map(|change| html! { <li>{ change }</li> }) }
            </ul>
            <div class="plans-side-by-side">
                { plan_column("Initial plan (before running)", "initial-plan", &plans.initial, false) }
                { plan_column("Final plan (as it ran)", "final-plan", &plans.final_plan, true) }
            </div>
        </div>
    }
}

fn plan_column(title: &str, id: &str, plan: &str, mark_added: bool) -> Html {
    html! {
        <div class="plan-column">
            <h3>{ title }</h3>
            <pre id={id.to_string()}>
                { for plan.lines().map(|line| {
                    let added = mark_added && ADDED_AT_RUN_TIME.iter().any(|marker| line.contains(marker));
                    html! { <span class={classes!("plan-line", added.then_some("added"))}>{ line }{ "\n" }</span> }
                }) }
            </pre>
        </div>
    }
}
