import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The project's import graph, read from the source text, and the circles in it.
 *
 * An edge is every relative specifier a file names: `import … from './x.js'`, `import './x.js'`,
 * `export … from './x.js'` and dynamic `import('./x.js')`. **Type-only imports count** (`import type`,
 * `export type … from`, `import { type X }`): they are erased at runtime, but a circle of types is still
 * two files that cannot be understood, moved or split apart one without the other — the design problem
 * the rule is about. Package specifiers (`express`, `node:fs`) are not edges.
 */

/** File → the files it imports; paths relative to the root, with `/` separators, sorted. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Every `.ts` file (not `.d.ts`) below `dir`, recursively. */
export function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * The relative specifiers one file's text names. TypeScript's own pre-processor reads them, so
 * specifiers inside comments or strings are not mistaken for imports, and multi-line import lists,
 * `export … from` and dynamic `import()` are all seen.
 */
export function importSpecifiers(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/**
 * Reads the graph of every `.ts` file below `dirs` (relative to `root`). A `./x.js` specifier resolves to
 * `./x.ts` (the NodeNext convention this project uses); a specifier that names no file in the graph is
 * kept as an edge to its resolved path, so a test can still see where it points.
 */
export function readImportGraph(root: string, dirs: readonly string[]): ImportGraph {
  const files = dirs.flatMap((d) => listTsFiles(resolve(root, d)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const from = toKey(root, file);
    const targets = new Set<string>();
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      targets.add(toKey(root, resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))));
    }
    graph.set(from, [...targets].sort());
  }
  return new Map([...graph].sort(([a], [b]) => a.localeCompare(b)));
}

function toKey(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

/**
 * Tarjan's strongly connected components, keeping only the circles: components of two or more files,
 * and a file that imports itself. Each is sorted; the list is sorted by its first file.
 */
export function findCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];

  // Iterative, so a long import chain cannot overflow the call stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (graph.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/**
 * One concrete circle through `component`'s first file, as `a → b → … → a` (a shortest one, by
 * breadth-first search inside the component), so a failure names the imports to cut.
 */
export function describeCycle(graph: ImportGraph, component: readonly string[]): string {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.unshift(at);
        path.unshift(start);
        return path.join(' → ');
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return component.join(' ↔ ');
}
