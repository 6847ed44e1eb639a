import type { Store } from '../../../src/store/store.js';
import { appCorpKey, CREDENTIAL_NAMESPACES as NS, toCorpAuthorization, type CorpAuthorization, type CorpRecord, type SuiteTicketRecord, type StoredToken } from '../../../src/wecom-api/credential-records.js';
import type { ConsoleApp } from './console-options.js';

/** An app's row in the overview. */
export interface AppRow extends ConsoleApp {
  /** When the newest suite_ticket was stored, or null (none yet, or expired). */
  readonly ticketAt: number | null;
  readonly corps: { readonly active: number; readonly revoked: number; readonly gone: number };
}

/** A corp's row on the corps page: never its permanent code or tokens. */
export interface CorpRow extends Pick<CorpAuthorization, 'corpId' | 'corpName' | 'state' | 'authorizedAt' | 'updatedAt'> {
  /** When its access token was last fetched, or null. */
  readonly tokenFetchedAt: number | null;
}

/** The corps of an app: the `corp` records keyed `<appId>:<corpId>` (SPEC §10). */
export async function readCorps(store: Store, app: ConsoleApp, now: number): Promise<CorpRow[]> {
  const records = await appRecords(store, app, now);
  return Promise.all(records.map(async ({ value }) => {
    const { corpId, corpName, state, authorizedAt, updatedAt } = toCorpAuthorization(value);
    const token = await store.getKv<StoredToken>(NS.corpToken, appCorpKey(app.id, corpId), now);
    return { corpId, corpName, state, authorizedAt, updatedAt, tokenFetchedAt: token ? token.value.fetchedAt : null };
  }));
}

/** Every app with its suite_ticket time and its corps counted by state. */
export async function readApps(store: Store, apps: readonly ConsoleApp[], now: number): Promise<AppRow[]> {
  return Promise.all(apps.map(async (app) => {
    const ticket = await store.getKv<SuiteTicketRecord>(NS.suiteTicket, app.id, now);
    const corps = await appRecords(store, app, now);
    const count = (state: string) => corps.filter((c) => c.value.state === state).length;
    return { ...app, ticketAt: ticket?.updatedAt ?? null, corps: { active: count('active'), revoked: count('revoked'), gone: count('gone') } };
  }));
}

async function appRecords(store: Store, app: ConsoleApp, now: number): Promise<Array<{ readonly key: string; readonly value: CorpRecord }>> {
  const prefix = appCorpKey(app.id, '');
  return (await store.listKv<CorpRecord>(NS.corp, now)).filter((record) => record.key.startsWith(prefix));
}
