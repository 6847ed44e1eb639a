import t, { type Test } from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { runCli } from '../helpers/spawn-cli.js';
import { jsonBody, startRecordingTarget, type RecordingTarget } from './helpers/recording-target.js';
import { REDIS_URL, setUpSync, type SyncSetup } from './helpers/sync-setup.js';
import { CORP_ID, startTestRelay } from './helpers/test-relay.js';

/**
 * SPEC §12 end to end, over real HTTP: the relay (receiver + daemon, enrichment on) with the mock WeCom
 * API, a JSON target, and `wecom-relay sync` spawned as its own process on the same store. Changes are
 * made in the mock without a callback (as API writes are) and must reach the target once each, as
 * reconciled events, enriched; a change that did come as a callback must not be reported again.
 */

const events = (target: RecordingTarget): EventEnvelope[] => target.requests.filter((r) => r.complete).map((r) => jsonBody<EventEnvelope>(r));
const reconciled = (target: RecordingTarget): EventEnvelope[] => events(target).filter((e) => e.source.endpoint === 'sync' && !e.type.startsWith('sync.'));
const completions = (target: RecordingTarget): EventEnvelope[] => events(target).filter((e) => e.type === 'sync.completed');

async function sync(t: Test, setup: SyncSetup, ...args: string[]): Promise<Array<Record<string, unknown>>> {
  const result = await runCli(['sync', '-c', setup.configFile, '--json', ...args], { timeoutMs: 60_000 });
  t.equal(result.code, 0, `sync ${args.join(' ')} exits 0${result.code === 0 ? '' : `: ${result.stderr}${result.stdout}`}`);
  return result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function scenario(t: Test, store: 'sqlite' | 'redis'): Promise<void> {
  const setup = await setUpSync(t, store);
  if (setup === undefined) {
    t.pass(`skipped: Redis not reachable at ${REDIS_URL}`);
    return;
  }
  const { relay, target } = setup;

  // 1. Baseline: only sync.completed.
  const first = await sync(t, setup);
  t.same(first.filter((l) => l.type === 'scope').map((l) => [l.scope, l.status, l.baseline]),
    [['contacts', 'completed', true], ['external_contacts', 'completed', true], ['groupchats', 'completed', true], ['tags', 'completed', true]], 'every scope is a baseline');
  t.ok(await target.waitFor(() => completions(target).length === 1, 15_000), 'sync.completed arrives');
  const baseline = completions(target)[0]!;
  t.equal(baseline.source.endpoint, 'sync', 'from the sync endpoint');
  t.same(Object.keys(baseline.data['scopes'] as object).sort(), ['contacts', 'external_contacts', 'groupchats', 'tags']);
  t.equal((baseline.data['scopes'] as Record<string, { total: number }>)['contacts']!.total, 4 + 3, 'contacts: 4 visible members + 3 visible departments');
  t.equal(reconciled(target).length, 0, 'the baseline emits no per-id event');

  // 2. A change that does arrive as a callback: in the mock and pushed; it must not be reported again.
  relay.mock.changeCorp(CORP_ID, { addUsers: [{ userid: 'viacallback', department: [2] }] });
  const pushed = await relay.send('create_user', { fields: { UserID: 'viacallback', OpenUserID: 'woVIACALLBACK' } });
  t.equal(pushed.status, 200);
  t.ok(await target.waitFor(() => events(target).some((e) => e.type === 'contact.user.created' && e.data['userId'] === 'viacallback'), 15_000), 'the pushed callback is delivered');

  // 3. Changes made without any callback.
  relay.mock.changeCorp(CORP_ID, {
    addUsers: [{ userid: 'newbie', department: [2] }],
    removeUsers: ['Rose'],
    addDepartments: [{ id: 5, parentid: 1 }],
    addPairs: [{ userid: 'lisi', external_userid: 'wmNEWCUSTOMER000000000000000001' }],
    removePairs: [{ userid: 'Jack', external_userid: DEFAULT_CORP_IDS.externalUserid }],
    dismissChats: [DEFAULT_CORP_IDS.seedChatId],
    addChats: [{ chat_id: 'wrNEWCHAT00000000000000000000001', owner: 'zhangsan' }],
    addTags: [{ id: 'etNEWTAG000000000000000000000001', group_id: DEFAULT_CORP_IDS.tagGroupId }],
  });
  const second = await sync(t, setup);
  t.same(second.filter((l) => l.type === 'scope').map((l) => [l.scope, l.added, l.removed]),
    [['contacts', 2, 1], ['external_contacts', 1, 1], ['groupchats', 1, 1], ['tags', 1, 0]], 'the differences, per scope');
  const expected = [
    ['contact.user.created', 'userId', 'newbie'],
    ['contact.user.deleted', 'userId', 'Rose'],
    ['contact.department.created', 'id', '5'],
    ['external_contact.added', 'externalUserId', 'wmNEWCUSTOMER000000000000000001'],
    ['external_contact.deleted', 'externalUserId', DEFAULT_CORP_IDS.externalUserid],
    ['external_chat.dismissed', 'chatId', DEFAULT_CORP_IDS.seedChatId],
    ['external_chat.created', 'chatId', 'wrNEWCHAT00000000000000000000001'],
    ['external_tag.created', 'id', 'etNEWTAG000000000000000000000001'],
  ] as const;
  t.ok(await target.waitFor(() => reconciled(target).length >= expected.length && completions(target).length === 2, 20_000), 'the reconciled events and the second sync.completed arrive');
  const got = reconciled(target);
  for (const [type, field, value] of expected) {
    const matching = got.filter((e) => e.type === type && e.data[field] === value);
    t.equal(matching.length, 1, `${type} ${value}: exactly once`);
    const event = matching[0];
    if (event === undefined) continue;
    t.equal(event.data['reconciled'], true, `${type}: data.reconciled`);
    t.equal(event.source.corpId, CORP_ID);
    if (type.endsWith('created') || type.endsWith('added')) t.ok(event.enrichment !== null, `${type}: enriched (${JSON.stringify(event.enrichmentError)})`);
    // A deletion is enriched as a pushed one is (nothing to fetch for a deleted member; 84061 for a gone relation …).
  }
  t.equal(got.length, expected.length, 'nothing else: the callback-reported member is not reported again');
  t.notOk(got.some((e) => e.data['userId'] === 'viacallback'), 'viacallback is not reconciled');

  // 4. Nothing changed: only sync.completed.
  await sync(t, setup);
  t.ok(await target.waitFor(() => completions(target).length === 3, 15_000), 'a third sync.completed');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(reconciled(target).length, expected.length, 'and no per-id event');
  const third = completions(target)[2]!;
  t.same(Object.values(third.data['scopes'] as Record<string, { added: number; removed: number }>).map((s) => s.added + s.removed), [0, 0, 0, 0]);

  // 5. --dry-run prints the differences, emits and saves nothing.
  relay.mock.changeCorp(CORP_ID, { removeUsers: ['newbie'] });
  const dry = await sync(t, setup, '--dry-run', '--scope', 'contacts');
  t.same(dry.filter((l) => l.type === 'difference').map((l) => [l.change, l.id]), [['deleted', 'u:newbie']], 'the difference is printed');
  const again = await sync(t, setup, '--dry-run', '--scope', 'contacts');
  t.equal(again.filter((l) => l.type === 'difference').length, 1, 'nothing was saved: a second dry run sees it too');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(completions(target).length, 3, 'a dry run emits nothing');
}

t.test('reconciliation end to end on SQLite', async (t) => scenario(t, 'sqlite'));
t.test('reconciliation end to end on Redis', async (t) => scenario(t, 'redis'));

t.test('the daemon syncs a corp after its install (sync.onInstall), once', async (t) => {
  const target = await startRecordingTarget(t);
  const relay = await startTestRelay(t, {
    dir: t.testdir(), enrich: true, sync: { onInstall: true, intervalHours: 24 },
    targets: [{ name: 'hooks', url: `${target.url}/hooks`, format: 'json' }],
  });
  t.ok((await relay.install()).ok, 'installed');
  t.ok(await target.waitFor(() => completions(target).length === 1, 15_000), 'a baseline sync.completed arrives without any command');
  t.match(completions(target)[0]!.data, { scopes: { contacts: { baseline: true }, tags: { baseline: true } } });
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.equal(completions(target).length, 1, 'and only one: the corp is not due again before intervalHours');
});
