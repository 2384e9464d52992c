//! The plan graph: a job's physical plan as the operators Spark's SQL tab draws, each with its metrics.
//!
//! Where `explain()` prints the plan as an indented tree, the SQL tab draws it as a graph: one box per operator,
//! rows flowing up from the scans to the result, and in every box the numbers the operator's tasks counted (see
//! [`crate::metrics`]). It shows the plan that actually ran: with adaptive execution, the final plan — with an
//! `AQEShuffleRead` above each shuffle whose partitions were coalesced and an `AdaptiveSparkPlan` on top — and a
//! `ColumnarToRow` above each Parquet scan, as Spark plans it. Each operator also names the stage whose tasks ran
//! it, so the views can group operators into stages.
//!
//! The graph is built once, when the job ends, from the plan, the job's trace and every task's counts
//! ([`build`]); the views only draw it.

use serde::{Deserialize, Serialize};

use crate::metrics::Metric;

mod build;

pub use build::{GraphInputs, TaskCounts, operators_in_order};

/// A job's operators and how rows flow between them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanGraph {
    /// From the top of the plan down, each operator before its inputs (left input first), as Spark numbers them.
    pub nodes: Vec<PlanNode>,
    pub edges: Vec<PlanEdge>,
}

/// One operator of the graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanNode {
    pub id: usize,
    /// Spark's node name: `Scan parquet`, `HashAggregate`, `Exchange`, `AQEShuffleRead`.
    pub name: String,
    /// The operator's line in `explain()`.
    pub description: String,
    /// The stage whose tasks ran it; `None` for the driver's own node (`AdaptiveSparkPlan`).
    pub stage: Option<usize>,
    pub metrics: Vec<Metric>,
}

/// Rows flow from `from` (an input) to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEdge {
    pub from: usize,
    pub to: usize,
}

impl PlanNode {
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.name == name)
    }
}

impl PlanGraph {
    pub fn node(&self, id: usize) -> Option<&PlanNode> {
        self.nodes.get(id)
    }

    /// The inputs of node `id`, left first.
    pub fn inputs_of(&self, id: usize) -> Vec<usize> {
        self.edges.iter().filter(|e| e.to == id).map(|e| e.from).collect()
    }

    /// The node consuming broadcast `id` (its `BroadcastExchange` is `[plan_id=id]`): the join that used it.
    pub fn join_using_broadcast(&self, id: usize) -> Option<&PlanNode> {
        let exchange = self.nodes.iter().find(|n| n.name == "BroadcastExchange" && n.description.ends_with(&format!("[plan_id={id}]")))?;
        let edge = self.edges.iter().find(|e| e.from == exchange.id)?;
        self.node(edge.to)
    }

    /// The bytes each input of node `id` (a sort-merge join) was shuffled as: the `data size` of the nearest
    /// exchange below each input.
    pub fn shuffled_input_bytes(&self, id: usize) -> Vec<u64> {
        self.inputs_of(id).into_iter().filter_map(|input| self.exchange_below(input)).filter_map(|n| Some(n.metric("data size")?.total())).collect()
    }

    fn exchange_below(&self, id: usize) -> Option<&PlanNode> {
        let node = self.node(id)?;
        if node.name == "Exchange" {
            return Some(node);
        }
        self.inputs_of(id).into_iter().find_map(|input| self.exchange_below(input))
    }
}
