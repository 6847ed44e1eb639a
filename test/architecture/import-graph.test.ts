import t from 'tap';
import { describeCycle, findCycles, importSpecifiers, type ImportGraph } from './import-graph.js';

/** The graph reader and Tarjan's algorithm behind the architecture tests, on small hand-made cases. */

function graphOf(edges: Record<string, string[]>): ImportGraph {
  return new Map(Object.entries(edges));
}

t.test('importSpecifiers finds every kind of relative import, and nothing else', async (t) => {
  const text = [
    "import { a } from './a.js';",
    "import type { B } from '../b.js';",
    "import {\n  c,\n  type C,\n} from './c.js';",
    "import './side-effect.js';",
    "export { d } from './d.js';",
    "export type * from './e.js';",
    "const f = await import('./f.js');",
    "import express from 'express';",
    "import { readFileSync } from 'node:fs';",
    "// import { g } from './commented-out.js';",
    "const s = \"import { h } from './in-a-string.js'\";",
  ].join('\n');
  t.same(importSpecifiers(text).sort(), ['../b.js', './a.js', './c.js', './d.js', './e.js', './f.js', './side-effect.js'],
    'value, type-only, multi-line, side-effect, re-export and dynamic imports; no packages, comments or strings');
});

t.test('findCycles reports nothing for a tree or a diamond', async (t) => {
  t.same(findCycles(graphOf({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] })), [], 'a diamond is not a circle');
});

t.test('findCycles reports each circle once, as a sorted component', async (t) => {
  const cases: Array<[string, Record<string, string[]>, string[][]]> = [
    ['two files importing each other', { a: ['b'], b: ['a'] }, [['a', 'b']]],
    ['a circle through three files', { a: ['b'], b: ['c'], c: ['a'], d: ['a'] }, [['a', 'b', 'c']]],
    ['a file importing itself', { a: ['a'], b: [] }, [['a']]],
    ['two separate circles', { a: ['b'], b: ['a'], c: ['d'], d: ['c'], e: ['a', 'c'] }, [['a', 'b'], ['c', 'd']]],
    ['two circles sharing a file are one component', { a: ['b', 'c'], b: ['a'], c: ['a'] }, [['a', 'b', 'c']]],
    ['an edge to a file outside the graph', { a: ['zzz'] }, []],
  ];
  for (const [name, edges, expected] of cases) t.same(findCycles(graphOf(edges)), expected, name);
});

t.test('findCycles does not overflow the stack on a very long chain', async (t) => {
  const edges: Record<string, string[]> = {};
  for (let i = 0; i < 20_000; i++) edges[`f${i}`] = [`f${i + 1}`];
  edges['f20000'] = ['f0'];
  t.equal(findCycles(graphOf(edges))[0]?.length, 20_001, 'one component of every file');
});

t.test('describeCycle shows a shortest circle through the first file', async (t) => {
  const graph = graphOf({ a: ['b', 'x'], b: ['c'], c: ['a'], x: ['a'] });
  t.equal(describeCycle(graph, ['a', 'b', 'c', 'x']), 'a → x → a', 'the two-step circle, not the three-step one');
  t.equal(describeCycle(graphOf({ a: ['a'] }), ['a']), 'a → a', 'a self-import');
});
