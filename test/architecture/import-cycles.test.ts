import { fileURLToPath } from 'node:url';
import t from 'tap';
import { describeCycle, findCycles, readImportGraph } from './import-graph.js';

/**
 * No two files of the library or the daemon import each other, directly or through others (issue 10).
 * Every relative import counts, type-only ones included (see import-graph.ts for why).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

t.test('no .ts file in src/ or daemon/ is part of an import circle', async (t) => {
  const graph = readImportGraph(ROOT, ['src', 'daemon']);
  t.ok(graph.size > 100, `the whole tree was read (${graph.size} files)`);
  t.ok(graph.get('daemon/cli.ts')?.length, 'and its imports were found (daemon/cli.ts imports something)');

  // Each circle as the files of its strongly connected component plus one concrete circle through them,
  // so a failure's diff names the imports to cut.
  const cycles = findCycles(graph).map((files) => ({ files, circle: describeCycle(graph, files) }));
  t.same(cycles, [], 'no import circles');
});

t.test('every relative import of src/ and daemon/ names a file that exists', async (t) => {
  const graph = readImportGraph(ROOT, ['src', 'daemon']);
  const dangling = [...graph].flatMap(([from, targets]) => targets.filter((to) => !graph.has(to)).map((to) => `${from} → ${to}`));
  t.same(dangling, [], 'a specifier that resolves to no .ts file would hide an edge from the circle check');
});
