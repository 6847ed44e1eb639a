import path from 'node:path';
import { startAdminServer, type AdminServer } from '../../../daemon/admin/admin-server.js';
import { RelayMetrics } from '../../../daemon/admin/metrics.js';
import { setTargetDisabled } from '../../../daemon/delivery/target-state.js';
import type { EventEnvelope } from '../../../src/events/envelope.js';
import type { Logger } from '../../../src/logger.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { appCorpKey } from '../../../src/store/app-corp-key.js';
import { namespaces } from '../../../src/store/namespaces.js';
import type { NewCallback } from '../../../src/store/store.js';
import type { CallbackFields } from '../../../src/xml/fields.js';

/** The hostile strings the seeded store holds, and the secrets no page may show. */
export const HOSTILE = {
  customerName: '<script>alert("customer")</script>',
  rawField: '<script>alert("raw")</script>',
  response: '<script>alert("response")</script>',
  error: '<img src=x onerror=alert("error")>',
  corpName: '<script>alert("corp")</script>',
  reason: '<script>alert("reason")</script>',
} as const;
export const SECRETS = { ticket: 'TICKETSECRET0123456789abcdef', permanentCode: 'PERMCODESECRET0123456789abcdef', corpToken: 'CORPTOKENSECRET0123456789' } as const;

export const SUITE_ID = 'wwconsolesuite';
export const CORP_ID = 'wwconsolecorp';
export const TOKEN = 'adm_console_test_token_0123456789';

/** A clock the fixture's store and console share. */
export const NOW = Date.UTC(2026, 11, 1, 12, 30, 0);

export interface ConsoleFixture {
  readonly url: string;
  readonly store: SqliteStore;
  readonly admin: AdminServer;
  /** The event whose delivery to `crm` is dead with a hostile response. */
  readonly deadEventId: string;
  /** A suite_ticket callback (its fields hold the ticket). */
  readonly ticketEventId: string;
  /** Every event id seeded, newest first. */
  readonly eventIds: string[];
}

export interface Teardown {
  teardown(fn: () => unknown): void;
  testdir(): string;
}

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function callback(id: string, receivedAt: number, fields: CallbackFields, type: string): NewCallback {
  return { id, endpoint: 'command', suiteId: SUITE_ID, receiveId: SUITE_ID, receivedAt, plaintext: `<xml>${JSON.stringify(fields)}</xml>`, fields, type, corpId: CORP_ID };
}

function envelope(id: string, at: number, type: string, raw: CallbackFields, enrichment: Record<string, unknown> | null): EventEnvelope {
  return {
    id, type, timestamp: new Date(at).toISOString(), receivedAt: new Date(at).toISOString(),
    source: { endpoint: 'command', suiteId: SUITE_ID, corpId: CORP_ID, agentId: null },
    data: { userId: 'zhangsan', externalUserId: 'wmEXTERNAL' }, enrichment, enrichmentError: null, raw,
  };
}

/**
 * A real SQLite store seeded with hostile values (in the enrichment, raw fields, a response body, a corp
 * name, a disable reason) and secrets (ticket, permanent code, corp token), and a real admin server on
 * 127.0.0.1 port 0 serving the console over it. Closed at teardown.
 */
export async function startConsoleFixture(t: Teardown, options: { readonly token?: string; readonly host?: string; readonly extraEvents?: number } = {}): Promise<ConsoleFixture> {
  const store = new SqliteStore(path.join(t.testdir(), 'console.db'), { now: () => NOW });
  t.teardown(() => store.close());
  const eventIds: string[] = [];
  const put = async (id: string, at: number, fields: CallbackFields, type: string, enrichment: Record<string, unknown> | null, targets: string[]) => {
    await store.putCallback(callback(id, at, fields, type));
    const [claimed] = await store.claimCallbacks({ owner: 'fixture', limit: 1, leaseMs: 60_000, now: at });
    await store.completeCallback(claimed!.id, 'fixture', { event: envelope(id, at, type, fields, enrichment), targets, now: at });
    eventIds.unshift(id);
  };
  for (let i = 0; i < (options.extraEvents ?? 0); i++) {
    // Several share a millisecond, so paging has ties to keep.
    await put(`evt_bulk_${String(i).padStart(4, '0')}`, NOW - 7_200_000 + Math.floor(i / 7), { InfoType: 'change_contact', ChangeType: 'update_user', UserID: `u${i}` }, 'contact.user.updated', null, []);
  }
  const ticketEventId = 'evt_ticket';
  await put(ticketEventId, NOW - 3_000_000, { InfoType: 'suite_ticket', SuiteId: SUITE_ID, SuiteTicket: SECRETS.ticket, TimeStamp: '1700000000' }, 'suite.ticket', null, []);
  const deadEventId = 'evt_hostile';
  await put(deadEventId, NOW - 1_800_000,
    { InfoType: 'change_external_contact', ChangeType: 'add_external_contact', SuiteId: SUITE_ID, AuthCorpId: CORP_ID, UserID: 'zhangsan', ExternalUserID: 'wmEXTERNAL', State: HOSTILE.rawField },
    'external_contact.added', { externalContact: { external_userid: 'wmEXTERNAL', name: HOSTILE.customerName }, followUser: [] }, ['crm', 'chat']);
  const claimed = await store.claimDeliveries({ target: 'crm', owner: 'fixture', limit: 10, leaseMs: 60_000, now: NOW - 1_700_000 });
  for (const d of claimed) {
    await store.recordAttempt(d.id, 'fixture', { state: 'dead', countAttempt: true, status: 400, response: HOSTILE.response, error: HOSTILE.error, now: NOW - 1_700_000 });
  }
  await store.putKv(namespaces.suiteTicket, SUITE_ID, { ticket: SECRETS.ticket, timestamp: 1_700_000_000 }, { now: NOW - 300_000 });
  await store.putKv(namespaces.corp, appCorpKey(SUITE_ID, CORP_ID), {
    corpId: CORP_ID, permanentCode: SECRETS.permanentCode, corpName: HOSTILE.corpName, authCorpInfo: null, authInfo: null, authUserInfo: null, dealerCorpInfo: null,
    state: 'active' as const, authorizedAt: NOW - 86_400_000, updatedAt: NOW - 86_400_000,
  }, { now: NOW - 86_400_000 });
  await store.putKv(namespaces.corpToken, appCorpKey(SUITE_ID, CORP_ID), { token: SECRETS.corpToken, fetchedAt: NOW - 600_000, expiresAt: NOW + 6_600_000 }, { now: NOW - 600_000 });
  await setTargetDisabled(store, 'chat', HOSTILE.reason, NOW - 60_000);

  const admin = await startAdminServer({
    host: options.host ?? '127.0.0.1', port: 0, store, logger, now: () => NOW,
    metrics: new RelayMetrics({ store, now: () => NOW }),
    ...(options.token ? { token: options.token } : {}),
    console: {
      targets: [{ name: 'crm', format: 'json', enabledInConfig: true }, { name: 'chat', format: 'slack', enabledInConfig: true }],
      apps: [{ name: 'crm-suite', id: SUITE_ID, kind: 'suite' }],
    },
  });
  t.teardown(() => admin.close());
  return { url: admin.url.replace('0.0.0.0', '127.0.0.1'), store, admin, deadEventId, ticketEventId, eventIds };
}

/** Every page of the console, for checks that must hold on each. */
export function consolePages(fixture: ConsoleFixture): string[] {
  return ['/', '/events', '/events?type=external_contact.*', `/events/${fixture.deadEventId}`, `/events/${fixture.ticketEventId}`, '/dead', '/dead?target=crm', '/targets', '/corps', '/nothing-here', '/events/%E0%A4%A'];
}
