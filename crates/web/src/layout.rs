//! Graph layout by dagre (bundled into kindling-ui.js): boxes of known sizes in, their positions and the edges'
//! routes out. The stage DAG and the operator graph both draw what it returns.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = KindlingUI, js_name = layoutGraph)]
    fn layout_graph(graph: &str) -> String;
}

#[derive(Serialize, Default)]
pub struct GraphIn {
    pub nodes: Vec<NodeIn>,
    pub edges: Vec<EdgeIn>,
    /// Boxes drawn around their nodes (a stage around its operators).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterIn>,
    /// `TB` lays the graph out top-down; left to right otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rankdir: Option<&'static str>,
}

#[derive(Serialize)]
pub struct NodeIn {
    pub id: usize,
    pub width: f64,
    pub height: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<usize>,
}

#[derive(Serialize)]
pub struct ClusterIn {
    pub id: usize,
}

#[derive(Serialize)]
pub struct EdgeIn {
    pub from: usize,
    pub to: usize,
}

#[derive(Deserialize)]
pub struct GraphOut {
    pub width: f64,
    pub height: f64,
    pub nodes: Vec<NodeOut>,
    #[serde(default)]
    pub clusters: Vec<ClusterOut>,
    pub edges: Vec<EdgeOut>,
}

/// A node's top-left corner.
#[derive(Deserialize)]
pub struct NodeOut {
    pub id: usize,
    pub x: f64,
    pub y: f64,
}

#[derive(Deserialize)]
pub struct ClusterOut {
    pub id: usize,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Deserialize)]
pub struct EdgeOut {
    pub from: usize,
    pub to: usize,
    pub points: Vec<Point>,
}

#[derive(Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Places the graph; `None` if dagre could not.
pub fn layout(graph: &GraphIn) -> Option<GraphOut> {
    let json = serde_json::to_string(graph).ok()?;
    serde_json::from_str(&layout_graph(&json)).ok()
}

impl EdgeOut {
    /// The edge as an SVG path through its points.
    pub fn path(&self) -> String {
        let step = |(i, p): (usize, &Point)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, p.x, p.y);
        self.points.iter().enumerate().map(step).collect()
    }

    pub fn middle(&self) -> &Point {
        &self.points[self.points.len() / 2]
    }
}
