import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readImportGraph } from './import-graph.js';

/**
 * `src/` is the library surface an Express app installs; `daemon/` builds on it, never the other way
 * (STYLE.md: "no file here imports daemon/"). Type-only imports count: a library type that names a
 * daemon type drags the daemon into the library's declarations.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

t.test('no file in src/ imports anything from daemon/', async (t) => {
  const graph = readImportGraph(ROOT, ['src']);
  t.ok(graph.size > 50, `the library was read (${graph.size} files)`);
  const offending = [...graph].flatMap(([from, targets]) => targets.filter((to) => !to.startsWith('src/')).map((to) => `${from} → ${to}`));
  t.same(offending, [], 'src/ imports only src/ (and packages)');
});
