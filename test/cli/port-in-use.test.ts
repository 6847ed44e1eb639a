import { createServer, type Server } from 'node:net';
import t, { type Test } from 'tap';
import { configForMode, SERVE_ADMIN_PORT } from '../../dist/daemon/commands/run-commands.js';
import { validateConfig } from '../../dist/daemon/config.js';
import { newSuite, outputOf, relayConfig, writeConfig } from '../helpers/cli-fixture.js';
import { runCli } from '../helpers/spawn-cli.js';

/** Holds a loopback port for the test: what a second relay (or anything else) on the host does. */
async function occupy(t: Test): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

t.test('a port in use: one line naming the setting and the port, exit 1, nothing started', async (t) => {
  const dir = t.testdir();
  const suite = newSuite();
  const busy = await occupy(t);
  const adminBusy = writeConfig(dir, relayConfig({ dir, suite, admin: { enabled: true, host: '127.0.0.1', port: busy } }), 'admin.json');
  const receiverBusy = writeConfig(dir, { ...relayConfig({ dir, suite }), receiver: { host: '127.0.0.1', port: busy } }, 'receiver.json');
  const [admin, receiver] = await Promise.all([runCli(['start', '--config', adminBusy]), runCli(['start', '--config', receiverBusy])]);

  t.equal(admin.code, 1, 'admin.port in use: exit 1', outputOf(admin));
  t.equal(admin.stderr.trim(), `wecom-relay: admin.port ${busy} is in use (127.0.0.1:${busy}): the relay did not start`, 'one line naming admin.port and the port');
  t.notMatch(admin.stderr, /\n\s+at /, 'no stack trace');
  t.notMatch(admin.stdout, /"daemon started"/, 'the daemon never started (the listeners bind first)');

  t.equal(receiver.code, 1, 'receiver.port in use: exit 1', outputOf(receiver));
  t.match(receiver.stderr, new RegExp(`^wecom-relay: receiver\\.port ${busy} is in use`), 'names receiver.port');
  t.notMatch(receiver.stdout, /"daemon started"|"receiver listening"/, 'neither half started');
});

t.test('doctor says which listen port is taken', async (t) => {
  const dir = t.testdir();
  const busy = await occupy(t);
  const file = writeConfig(dir, { ...relayConfig({ dir, suite: newSuite(), wecomApiBaseUrl: 'http://127.0.0.1:1' }), receiver: { host: '127.0.0.1', port: busy } });
  const r = await runCli(['doctor', '--config', file, '--timeout', '500']);
  t.match(r.stdout, new RegExp(`^! receiver\\.port: ${busy} is in use`, 'm'), 'receiver.port is flagged', outputOf(r));
});

t.test('serve and daemon on one host do not share the default admin port', async (t) => {
  const config = validateConfig(relayConfig({ dir: '/tmp', suite: newSuite(), admin: { enabled: true } }), {});
  t.equal(configForMode(config, {}, 'daemon').admin.port, 9464, 'daemon (and start) keep 9464');
  t.equal(configForMode(config, {}, 'serve').admin.port, SERVE_ADMIN_PORT, `serve takes ${SERVE_ADMIN_PORT} when admin.port is unset`);
  t.equal(SERVE_ADMIN_PORT, 9463, 'which is 9463');
  t.equal(configForMode({ ...config, admin: { ...config.admin, port: 7000 } }, { admin: { port: 7000 } }, 'serve').admin.port, 7000, 'an admin.port that is set wins');
});
