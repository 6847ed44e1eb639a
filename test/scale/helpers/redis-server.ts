import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/** Whether a `redis-server` binary is on PATH. */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A `redis-server` of the test's own, as a child process, with AOF fsynced on every write. */
export interface OwnRedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0`. */
  readonly url: string;
  /** Kills the server with SIGKILL (a host crash, as far as Redis can tell) and resolves once it is gone. */
  crash(): Promise<void>;
  /** Starts it again on the same port and directory (the AOF is replayed) and resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Kills it for good (teardown). */
  close(): Promise<void>;
}

/**
 * Starts `redis-server --port N --appendonly yes --appendfsync always --dir <dir>` on a free port and
 * resolves once it logs that it accepts connections. The AOF makes a SIGKILL + restart a realistic
 * crash and recovery: every acknowledged write is on disk.
 */
export async function startOwnRedisServer(dir: string): Promise<OwnRedisServer> {
  const port = await freePort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
    '--dir', dir, '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--loglevel', 'notice',
  ];
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not start within 10 s:\n${log}`)), 10_000);
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout!.on('data', onData);
      started.stderr!.on('data', onData);
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on port ${port} exited (${code}) before accepting connections:\n${log}`));
      });
    });
    // Keep draining its output so a chatty server never blocks on a full pipe.
    started.stdout!.resume();
    started.stderr!.resume();
  };
  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    crash: kill,
    restart: launch,
    close: kill,
  };
}
