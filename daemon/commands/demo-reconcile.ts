import type { Writable } from 'node:stream';
import { systemClock } from '../../src/clock.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { silentLogger } from '../../src/logger.js';
import type { Store } from '../../src/store/store.js';
import { WecomApiClient } from '../../src/wecom-api/client.js';
import { IdListApi } from '../../src/wecom-api/id-list-api.js';
import { SuiteApi } from '../../src/wecom-api/suite-api.js';
import { TokenProviders } from '../../src/wecom-api/token-providers.js';
import type { Config } from '../config-schema.js';
import type { StartedMockWecomApi } from '../mock-api/start-mock-wecom-api.js';
import { syncCorps } from '../sync/sync-corps.js';
import { writeLine } from './command-context.js';

/** What the demo's reconciliation part needs from the demo. */
export interface DemoReconcileInput {
  readonly config: Config;
  readonly store: Store;
  readonly mock: StartedMockWecomApi;
  readonly corpId: string;
  readonly out: Writable;
  /** Every event the demo sink received so far (grows). */
  readonly received: readonly EventEnvelope[];
  /** Resolves true once `check()` holds, false after `timeoutMs`. */
  readonly waitFor: (check: () => boolean, timeoutMs: number) => Promise<boolean>;
}

/**
 * The demo's reconciliation part (SPEC §12): a baseline sync (only `sync.completed`), then changes made in
 * the mock WeCom API without any callback — as API writes are — and a second sync, whose reconciled events
 * are delivered through the running daemon and printed. Resolves whether every expected event arrived.
 */
export async function demoReconciliation(input: DemoReconcileInput): Promise<boolean> {
  const { config, store, mock, corpId, out, received } = input;
  const client = new WecomApiClient({ baseUrl: config.wecomApi.baseUrl, timeoutMs: config.wecomApi.timeoutMs });
  const deps = {
    store, api: new IdListApi(client), providers: new TokenProviders({ apps: config.apps, store, api: new SuiteApi(client) }),
    apps: config.apps, clock: systemClock, logger: silentLogger, leaseMs: 30_000,
  };
  const completions = () => received.filter((e) => e.type === 'sync.completed').length;
  const reconciled = () => received.filter((e) => e.source.endpoint === 'sync' && !e.type.startsWith('sync.'));
  try {
    writeLine(out, '\nreconciliation (SPEC §12): a baseline sync of the demo corp…');
    await syncCorps(deps, { corpId });
    const baseline = await input.waitFor(() => completions() >= 1, 15_000);
    const totals = received.find((e) => e.type === 'sync.completed')?.data['scopes'] as Record<string, { total: number }> | undefined;
    writeLine(out, `→ sync.completed (baseline: ${Object.entries(totals ?? {}).map(([scope, s]) => `${scope} ${s.total}`).join(', ')}; no per-id event)`);
    writeLine(out, 'changing the mock WeCom API without any callback: a member added and one removed, a department, a customer, a group and a tag…');
    mock.changeCorp(corpId, {
      addUsers: [{ userid: 'wangxiaoming', department: [2] }], removeUsers: ['Rose'], addDepartments: [{ id: 9, parentid: 1 }],
      addPairs: [{ userid: 'lisi', external_userid: 'wmDEMOCUSTOMER0000000000000001' }], dismissChats: ['CHAT_ID'],
      addChats: [{ chat_id: 'wrDEMOGROUP00000000000000000001', owner: 'zhangsan' }], addTags: [{ id: 'etDEMOTAG000000000000000000001', group_id: 'etAJ2GCAAAXtWyujaWJHDDGi0mACHGRP' }],
    });
    await syncCorps(deps, { corpId });
    const expected = 7;
    const delivered = await input.waitFor(() => reconciled().length >= expected && completions() >= 2, 20_000);
    for (const event of reconciled()) {
      const id = event.data['userId'] ?? event.data['externalUserId'] ?? event.data['chatId'] ?? event.data['id'];
      writeLine(out, `→ ${event.type.padEnd(28)} ${String(id).padEnd(32)} reconciled  ${event.enrichment ? `enrichment: ${Object.keys(event.enrichment).join(', ')}` : event.enrichmentError ? `enrichmentError: ${event.enrichmentError.code}` : ''}`.trimEnd());
    }
    writeLine(out, `reconciliation: ${reconciled().length}/${expected} reconciled events delivered, ${completions()} sync.completed`);
    return baseline && delivered;
  } finally {
    client.close();
  }
}
