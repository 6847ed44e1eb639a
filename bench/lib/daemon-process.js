/**
 * The daemon as its own process, started the way an operator would (`node dist/daemon/cli.js daemon
 * --config FILE`), so its memory and event loop are its own.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../dist/daemon/cli.js');

/**
 * Writes `config` to `dir/<name>.config.json` and starts the daemon on it.
 * @param {object} config  a configuration file's content (admin off and a quiet log level are advisable)
 * @returns {{ pid: number, exited: Promise<{ code: number | null, signal: string | null }>, output: () => string, stop: (graceMs?: number) => Promise<{ code: number | null, signal: string | null }> }}
 */
export function spawnDaemon(config, dir, name = 'daemon') {
  const file = join(dir, `${name}.config.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [CLI, 'daemon', '--config', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => { output = (output + chunk).slice(-4_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    pid: child.pid,
    exited,
    output: () => output,
    /** SIGTERM, then SIGKILL after `graceMs`. */
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * VmHWM / VmRSS (and the anonymous / file / shared-memory parts of RSS) of `pid`, in MB; null while the
 * child has not exec'd node yet, undefined once it is gone.
 */
export function memoryOf(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const mb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  const m = { hwm: mb('VmHWM'), rss: mb('VmRSS'), anon: mb('RssAnon'), file: mb('RssFile'), shmem: mb('RssShmem') };
  return Number.isFinite(m.rss) && m.rss > 0 ? m : null;
}
