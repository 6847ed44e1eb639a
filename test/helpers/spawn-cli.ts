import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm test` builds first, in `pretest`). */
export const CLI = fileURLToPath(new URL('../../dist/daemon/cli.js', import.meta.url));

/** Runs the CLI to completion; resolves its exit code and output. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running CLI process whose JSON log lines are parsed as they arrive. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  /** Resolves the first log line matching `predicate` (already seen or yet to come); rejects on exit or timeout. */
  waitForLine(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `signal` and resolves the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  output(): string;
}

/** Spawns a long-running CLI command (`serve`, `start`, `daemon`) that logs JSON lines to stdout. */
export function spawnCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let raw = '';
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    raw += chunk.toString();
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try { lines.push(JSON.parse(line) as Record<string, unknown>); } catch { /* not a log line */ }
    }
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (chunk: Buffer) => { raw += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => { for (const w of waiters) w(); resolve(code); }));
  return {
    child,
    lines,
    output: () => raw,
    waitForLine(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found) { cleanup(); resolve(found); return; }
          if (child.exitCode !== null) { cleanup(); reject(new Error(`process exited (${child.exitCode}) before the line appeared:\n${raw}`)); }
        };
        const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for a log line:\n${raw}`)); }, timeoutMs);
        const cleanup = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Whether util-linux `script` is there to give a command a real pseudo-terminal. */
export const HAS_SCRIPT = existsSync('/usr/bin/script');

/**
 * Runs the CLI under a real pseudo-terminal (util-linux `script`), so its stdout and stderr are a TTY as
 * in a user's shell; resolves everything it printed (both streams, as the terminal showed them).
 */
export function runCliOnTty(args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<string> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}
