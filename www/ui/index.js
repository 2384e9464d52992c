// The app's two JavaScript helpers, bundled by esbuild at build time (scripts/bundle-ui.sh) into
// kindling-ui.js, which sets `globalThis.KindlingUI` before the wasm app starts:
// - CodeMirror 6 editors for the notebook's cells (Python and SQL modes, Ctrl/Cmd+Enter runs the cell);
// - dagre, the graph layout library that places the job DAG's stages and the operator graph's operators.
import { EditorView, basicSetup } from 'codemirror';
import { Compartment, StateEffect, StateField } from '@codemirror/state';
import { Decoration, keymap } from '@codemirror/view';
import { python } from '@codemirror/lang-python';
import { sql } from '@codemirror/lang-sql';
import dagre from '@dagrejs/dagre';

const languageOf = (name) => (name === 'Sql' ? sql() : python());

// The line an error points at, highlighted until the text changes.
const setErrorLine = StateEffect.define();
const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, transaction) {
    if (transaction.docChanged) return Decoration.none;
    for (const effect of transaction.effects) {
      if (effect.is(setErrorLine)) {
        const line = effect.value;
        if (line < 1 || line > transaction.state.doc.lines) return Decoration.none;
        const start = transaction.state.doc.line(line).from;
        return Decoration.set([Decoration.line({ class: 'cm-error-line' }).range(start)]);
      }
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** An editor in `parent` holding `text`; `onChange(text)` after every edit, `onRun()` on Ctrl/Cmd+Enter. */
function createEditor(parent, text, language, onChange, onRun) {
  const languageSlot = new Compartment();
  const run = () => {
    onRun();
    return true;
  };
  const view = new EditorView({
    doc: text,
    parent,
    extensions: [
      keymap.of([{ key: 'Mod-Enter', run, preventDefault: true }, { key: 'Shift-Enter', run, preventDefault: true }]),
      basicSetup,
      languageSlot.of(languageOf(language)),
      errorLine,
      EditorView.updateListener.of((update) => {
        if (update.docChanged) onChange(update.state.doc.toString());
      }),
    ],
  });
  return { view, languageSlot };
}

function setLanguage(editor, language) {
  editor.view.dispatch({ effects: editor.languageSlot.reconfigure(languageOf(language)) });
}

function markErrorLine(editor, line) {
  editor.view.dispatch({ effects: setErrorLine.of(line) });
}

function destroyEditor(editor) {
  editor.view.destroy();
}

// Lays out a graph with dagre. Input: nodes {id, width, height, cluster?}, edges {from, to}, optional clusters
// {id} (boxes drawn around their nodes: a stage around its operators) and rankdir ('LR' by default, 'TB' top-down).
// Output: the size, each node's and cluster's top-left corner (clusters also their size), each edge's points.
function layoutGraph(json) {
  const input = JSON.parse(json);
  const clusters = input.clusters || [];
  const graph = new dagre.graphlib.Graph({ multigraph: true, compound: clusters.length > 0 });
  const topDown = input.rankdir === 'TB';
  graph.setGraph({ rankdir: input.rankdir || 'LR', nodesep: topDown ? 24 : 28, ranksep: topDown ? 36 : 150, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  const nodeKey = (id) => `n${id}`;
  const clusterKey = (id) => `c${id}`;
  for (const cluster of clusters) graph.setNode(clusterKey(cluster.id), {});
  for (const node of input.nodes) {
    graph.setNode(nodeKey(node.id), { width: node.width, height: node.height });
    if (node.cluster !== undefined && node.cluster !== null) graph.setParent(nodeKey(node.id), clusterKey(node.cluster));
  }
  input.edges.forEach((edge, index) => graph.setEdge(nodeKey(edge.from), nodeKey(edge.to), {}, String(index)));
  dagre.layout(graph);
  const size = graph.graph();
  const corner = (placed) => ({ x: placed.x - placed.width / 2, y: placed.y - placed.height / 2 });
  return JSON.stringify({
    width: size.width,
    height: size.height,
    nodes: input.nodes.map((node) => ({ id: node.id, ...corner(graph.node(nodeKey(node.id))) })),
    clusters: clusters.map((cluster) => {
      const placed = graph.node(clusterKey(cluster.id));
      return { id: cluster.id, ...corner(placed), width: placed.width, height: placed.height };
    }),
    edges: input.edges.map((edge, index) => ({
      from: edge.from,
      to: edge.to,
      points: graph.edge(nodeKey(edge.from), nodeKey(edge.to), String(index)).points.map((p) => ({ x: p.x, y: p.y })),
    })),
  });
}

globalThis.KindlingUI = { createEditor, setLanguage, markErrorLine, destroyEditor, layoutGraph };
