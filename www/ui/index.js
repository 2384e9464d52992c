// The app's two JavaScript helpers, bundled by esbuild at build time (scripts/bundle-ui.sh) into
// kindling-ui.js, which sets `globalThis.KindlingUI` before the wasm app starts:
// - CodeMirror 6 editors for the notebook's cells (Python and SQL modes, Ctrl/Cmd+Enter runs the cell);
// - dagre, the graph layout library that places the job DAG's stages left to right.
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

/** Lays out a graph left to right. In: {nodes: [{id, width, height}], edges: [{from, to}]} as JSON.
 * Out (JSON): {width, height, nodes: [{id, x, y}] (top-left corners), edges: [{from, to, points: [{x, y}]}]}. */
function layoutGraph(json) {
  const input = JSON.parse(json);
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 150, marginx: 12, marginy: 12 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of input.nodes) graph.setNode(String(node.id), { width: node.width, height: node.height });
  input.edges.forEach((edge, index) => graph.setEdge(String(edge.from), String(edge.to), {}, String(index)));
  dagre.layout(graph);
  const size = graph.graph();
  return JSON.stringify({
    width: size.width,
    height: size.height,
    nodes: input.nodes.map((node) => {
      const placed = graph.node(String(node.id));
      return { id: node.id, x: placed.x - placed.width / 2, y: placed.y - placed.height / 2 };
    }),
    edges: input.edges.map((edge, index) => ({
      from: edge.from,
      to: edge.to,
      points: graph.edge(String(edge.from), String(edge.to), String(index)).points.map((p) => ({ x: p.x, y: p.y })),
    })),
  });
}

globalThis.KindlingUI = { createEditor, setLanguage, markErrorLine, destroyEditor, layoutGraph };
