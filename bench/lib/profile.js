/**
 * CPU profiling of one benchmark phase (the subject only, not fixtures or baselines), via the inspector
 * of this process; plus a summary of a `.cpuprofile` (self time by function and by file).
 *
 *   node bench/lib/profile.js some.cpuprofile [top]     prints the summary of a saved profile
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

/**
 * Starts the V8 sampling profiler; the returned function stops it and writes `file`.
 * @returns {Promise<(file: string) => Promise<object>>}
 */
export async function startProfile(intervalUs = 500) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return profile;
  };
}

/**
 * Self time per function and per file of a V8 CPU profile, largest first.
 * @param {{ nodes: any[], samples: number[], timeDeltas: number[] }} profile
 */
export function summarizeProfile(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const file = shortUrl(callFrame.url) || `(${callFrame.functionName || 'native'})`;
    const fn = `${callFrame.functionName || '(anonymous)'} ${file}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  // Every sample charged to the nearest frame of this project (dist/…): where our code spends the time,
  // including what it waits for synchronously in native calls (SQLite statements, fsync).
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const own = new Map();
  for (const [id, us] of self) {
    let at = id;
    while (at !== undefined && !isProject(byId.get(at).callFrame.url)) at = parent.get(at);
    const name = at === undefined ? '(outside project code)' : frameName(byId.get(at).callFrame);
    own.set(name, (own.get(name) ?? 0) + us);
  }
  const rank = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((1000 * us) / total) / 10 }));
  return { totalMs: Math.round(total / 1000), functions: rank(fns), files: rank(files), project: rank(own) };
}

/** A frame of the built library (dist/), not of a dependency. */
function isProject(url) {
  return url.includes('/dist/') && !url.includes('/node_modules/');
}

function frameName(callFrame) {
  return `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
}

function shortUrl(url) {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm !== -1) return path.slice(nm + 'node_modules/'.length);
  const dist = path.indexOf('/dist/');
  if (dist !== -1) return path.slice(dist + 1);
  const bench = path.indexOf('/bench/');
  return bench !== -1 ? path.slice(bench + 1) : path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const summary = summarizeProfile(JSON.parse(readFileSync(process.argv[2], 'utf8')), Number(process.argv[3] ?? 25));
  process.stdout.write(`total sampled: ${summary.totalMs} ms\n\nself time by function:\n`);
  for (const f of summary.functions) process.stdout.write(`${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}\n`);
  process.stdout.write('\ntime by nearest project function (dist/):\n');
  for (const f of summary.project) process.stdout.write(`${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}\n`);
  process.stdout.write('\nself time by file:\n');
  for (const f of summary.files) process.stdout.write(`${String(f.pct).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}\n`);
}
