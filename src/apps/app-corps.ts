import type { CorpState } from '../store/namespaces.js';
import { namespaces } from '../store/namespaces.js';
import { parseAppCorpKey, appCorpKey } from '../store/app-corp-key.js';
import type { KeyedState } from '../store/keyed-state.js';
import type { AppConfig, AppKind } from './app.js';

/** One installed corp of one app: a row of `wecom-relay corps list` (never a permanent code or a token). */
export interface AppCorpRow {
  /** The app's name. */
  readonly app: string;
  readonly appId: string;
  readonly appKind: AppKind;
  readonly corpId: string;
  readonly corpName: string | null;
  /** `active` = has a permanent code; `revoked` = cancel_auth; `gone` = 40084 / 301007 / 2000002. */
  readonly status: CorpState;
  /** Epoch ms of the last AuthCode exchange (create_auth / reset_permanent_code), or null. */
  readonly installedAt: number | null;
  /** Epoch ms when the corp's stored access token was fetched, or null (none stored, or expired). */
  readonly lastTokenRefresh: number | null;
  /** Epoch ms of the record's last write. */
  readonly updatedAt: number;
}

/**
 * Every corp record of the given apps, one row per (app, corp), in app order then corp id. A record still
 * in the one-suite release's form (keyed by corp id alone, not yet migrated at start-up) belongs to the
 * first `suite` app, as the migration will file it. Records of apps not in `apps` are left out.
 */
export async function readAppCorps(store: Pick<KeyedState, 'listKv' | 'getKv'>, apps: readonly AppConfig[], now: number): Promise<AppCorpRow[]> {
  const legacyOwner = apps.find((app) => app.kind === 'suite');
  const byId = new Map(apps.map((app) => [app.id, app]));
  const rows: AppCorpRow[] = [];
  for (const { key, value } of await store.listKv(namespaces.corp, now)) {
    const parsed = parseAppCorpKey(key);
    const app = parsed ? byId.get(parsed.appId) : legacyOwner;
    if (!app) continue;
    const token = (await store.getKv(namespaces.corpToken, parsed ? key : appCorpKey(app.id, key), now))
      ?? (parsed ? undefined : await store.getKv(namespaces.corpToken, key, now));
    rows.push({
      app: app.name, appId: app.id, appKind: app.kind, corpId: value.corpId, corpName: value.corpName,
      status: value.state, installedAt: value.authorizedAt, lastTokenRefresh: token?.value.fetchedAt ?? null, updatedAt: value.updatedAt,
    });
  }
  const order = new Map(apps.map((app, index) => [app.id, index]));
  return rows.sort((a, b) => (order.get(a.appId)! - order.get(b.appId)!) || (a.corpId < b.corpId ? -1 : a.corpId > b.corpId ? 1 : 0));
}
