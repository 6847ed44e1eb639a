import { spawn } from 'node:child_process';
import t, { type Test } from 'tap';
import { scopeKeys } from '../../daemon/sync/sync-scope.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { namespaces } from '../../src/store/namespaces.js';
import { CLI, runCli } from '../helpers/spawn-cli.js';
import { jsonBody } from './helpers/recording-target.js';
import { REDIS_URL, setUpSync } from './helpers/sync-setup.js';
import { CORP_ID, SUITE_ID } from './helpers/test-relay.js';

/**
 * A `wecom-relay sync` killed (SIGKILL) in the middle of paging resumes from its persisted cursor in the
 * next process, once the dead one's lock lease has run out: no page is fetched again from the start, the
 * difference is reported once. On a SQLite file and on Redis.
 */
async function killedAndResumed(t: Test, store: 'sqlite' | 'redis'): Promise<void> {
  const setup = await setUpSync(t, store);
  if (setup === undefined) {
    t.pass(`skipped: Redis not reachable at ${REDIS_URL}`);
    return;
  }
  const { relay, target, configFile } = setup;
  const pairs = Array.from({ length: 350 }, (_, i) => ({ userid: 'zhangsan', external_userid: `wmRESUME${String(i).padStart(24, '0')}` }));
  relay.mock.changeCorp(CORP_ID, { addPairs: pairs });
  const baseline = await runCli(['sync', '-c', configFile, '--scope', 'external_contacts', '--json']);
  t.equal(baseline.code, 0, 'the baseline');

  relay.mock.changeCorp(CORP_ID, { removePairs: [pairs[7]!] });
  relay.mock.clearCalls();
  // The third page hangs: the process is killed while waiting for it.
  relay.mock.inject({ path: 'externalcontact/batch/get_by_user', delayMs: 30_000, after: 2 });
  const child = spawn(process.execPath, [CLI, 'sync', '-c', configFile, '--scope', 'external_contacts', '--json'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const pages = () => relay.mock.calls.filter((c) => c.path === 'externalcontact/batch/get_by_user').length;
  // (The mock logs a call once answered: the hung third one is not in the log.)
  t.ok(await relay.until(() => pages() >= 2, 20_000), 'the run got two pages');
  const key = scopeKeys(SUITE_ID, CORP_ID, 'external_contacts').key;
  // The run record is saved once a page is staged: the second one's, then it waits for the third.
  t.ok(await relay.until(async () => (await relay.store.getKv(namespaces.syncRun, key))?.value.pages === 3, 10_000), 'the run saved its position after page 2');
  child.kill('SIGKILL');
  await exited;
  const left = (await relay.store.getKv(namespaces.syncRun, key))?.value;
  t.match(left, { phase: 'list', pages: 3 }, 'the killed run left its position: the follow list and two pages');

  relay.mock.clearCalls();
  // The dead process's lease (2 s) runs out: the lock can be taken (and is given back at once).
  const lock = scopeKeys(SUITE_ID, CORP_ID, 'external_contacts').lock;
  t.ok(await relay.until(async () => {
    const token = await relay.store.acquireLock(lock, 1000, Date.now());
    if (token !== undefined) await relay.store.releaseLock(lock, token);
    return token !== undefined;
  }, 10_000), 'the dead process\'s lock expires');
  const resumed = await runCli(['sync', '-c', configFile, '--scope', 'external_contacts', '--json']);
  t.equal(resumed.code, 0, `the next run completes ${resumed.stderr}`);
  const scope = resumed.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.type === 'scope');
  t.match(scope, { status: 'completed', resumed: true, removed: 1, added: 0, total: 350 - 1 + 4 }, 'resumed, with the one difference');
  // (The killed process's hung call is logged too, when its delay ends: injected, left out.)
  const calls = relay.mock.calls.filter((c) => (c.path === 'externalcontact/batch/get_by_user' || c.path === 'externalcontact/get_follow_user_list') && !c.injected);
  t.notOk(calls.some((c) => c.path === 'externalcontact/get_follow_user_list'), 'the follow list was not fetched again');
  t.ok((calls[0]?.body as { cursor?: string } | undefined)?.cursor, 'the first page asked for is the one after the cursor it had');
  t.equal(calls.length, 2, 'only the pages left: 3 and 4');
  t.equal(await relay.store.getKv(namespaces.syncRun, key), undefined, 'the run record is gone');
  t.ok(await target.waitFor((requests) => requests.some((r) => r.complete && jsonBody<EventEnvelope>(r).type === 'external_contact.deleted'), 15_000));
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(target.requests.filter((r) => r.complete && jsonBody<EventEnvelope>(r).type === 'external_contact.deleted').length, 1, 'reported once');
}

t.test('a sync run killed mid-way resumes from its cursor (SQLite)', (t) => killedAndResumed(t, 'sqlite'));
t.test('a sync run killed mid-way resumes from its cursor (Redis)', (t) => killedAndResumed(t, 'redis'));
