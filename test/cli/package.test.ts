import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []);
}

t.test('express is an optional peer dependency, and nothing built imports it at run time', async (t) => {
  t.equal(pkg.dependencies?.express, undefined, 'express is not a dependency (an Express 4 app gets no nested Express 5)');
  t.equal(pkg.peerDependencies?.express, '^4.17 || ^5', 'it is a peer dependency: the app\'s own Express 4 or 5 is used');
  t.equal(pkg.peerDependenciesMeta?.express?.optional, true, 'optional, for the standalone relay');
  t.ok(pkg.devDependencies?.express, 'and a dev dependency, for the tests');
  const files = jsFiles(join(ROOT, 'dist', 'src')).concat(jsFiles(join(ROOT, 'dist', 'daemon')));
  t.ok(files.length > 50, 'the built files are there');
  // Code lines only: the TSDoc examples (`* import express from 'express'`) are comments.
  const code = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l)).join('\n');
  const importing = files.filter((f) => /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"]express['"]/.test(code(f)));
  t.same(importing, [], 'no built file imports or requires express (types only), so the relay runs without it installed');
});

t.test('require() from a CommonJS file loads the package (Node >= 20.19: require(esm))', async (t) => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  t.equal(pkg.exports?.['.']?.default, './dist/src/index.js', 'exports has a default condition');
  if (major < 20 || (major === 20 && minor < 19)) {
    t.comment(`skipped: Node ${process.versions.node} cannot require() ES modules (needs >= 20.19)`);
    return;
  }
  const app = t.testdir({ 'app.cjs': "const relay = require('wecom-relay');\nconsole.log(typeof relay.wecomCallback, typeof relay.createCallbackHandler);\n" });
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(ROOT, join(app, 'node_modules', 'wecom-relay'), 'dir');
  writeFileSync(join(app, 'package.json'), '{"name":"cjs-app","private":true}');
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['app.cjs'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  t.equal(result.code, 0, 'the CommonJS app exits 0', result);
  t.equal(result.stdout.trim(), 'function function', 'and gets wecomCallback and createCallbackHandler');
});
