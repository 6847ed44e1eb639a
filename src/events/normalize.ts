import type { CallbackFields, FieldValue } from '../xml/fields.js';
import { setField } from '../xml/parser.js';
import { EVENT_CATALOG, isKnownEventType } from './catalog.js';
import { corpIdOf } from './corp-id-of.js';
import { eventTypeOf } from './event-type-of.js';
import { fieldText } from './field-text.js';
import type { AppKind } from '../apps/app.js';
import type { Endpoint, EventSource } from './envelope.js';
import type { KnownEvent, WecomEvent } from './types.js';

/** One verified, decrypted callback, as the receiver stores it. */
export interface NormalizeInput {
  /** The event id ({@link eventId}). */
  readonly id: string;
  readonly endpoint: Endpoint;
  /** The configured suite id, used when the callback names none. */
  readonly suiteId: string;
  readonly receiveId: string;
  /** Epoch milliseconds. */
  readonly receivedAt: number;
  readonly fields: CallbackFields;
}

/** The app a callback came to (an `AppConfig` fits): `source.appId`, `source.app`, `source.appKind`. */
export interface EventApp {
  readonly id: string;
  readonly name: string;
  readonly kind: AppKind;
}

/**
 * The fields the envelope itself carries (type, time, source); they are left out of `data`. AuthCorpId
 * is `source.corpId`, which is why the SPEC §7 example's data has no `authCorpId`.
 */
const ENVELOPE_FIELDS = new Set(['infotype', 'changetype', 'msgtype', 'event', 'suiteid', 'timestamp', 'createtime', 'tousername', 'agentid', 'authcorpid']);

/** Credentials, compared lower-cased without `_`/`-`: never forwarded, in `data` or `raw`, at any depth. */
const SECRET_NAMES = new Set([
  'suiteticket', 'authcode', 'permanentcode', 'accesstoken', 'suiteaccesstoken', 'provideraccesstoken',
  ...EVENT_CATALOG.flatMap((entry) => ('secretFields' in entry ? entry.secretFields : [])).map(secretKey),
]);

/** WeCom list containers that are arrays in `data` even when empty (`''`) or holding a single entry. */
const LIST_FIELDS = new Set(['MemChangeList', 'ExtAttr', 'PicList', 'AccountList']);

/** Explicit camelCase names for WeCom's ID-suffixed and underscored names; the generic rule does the rest. */
const RENAMES: Readonly<Record<string, string>> = {
  UserID: 'userId', ExternalUserID: 'externalUserId', OpenUserID: 'openUserId', NewUserID: 'newUserId',
  AgentID: 'agentId', AuthCorpId: 'authCorpId', ChatId: 'chatId', TagId: 'tagId', MsgId: 'msgId',
  Id: 'id', ParentId: 'parentId', OpenKfId: 'openKfId', Location_X: 'locationX', Location_Y: 'locationY',
};

/**
 * Turns a stored callback into the SPEC §7 envelope: type from {@link eventTypeOf}, the event's own
 * time (TimeStamp/CreateTime; receivedAt when absent or invalid), the source, `data` (the fields in
 * camelCase, list containers as arrays, envelope fields and secrets left out) and `raw` (every field
 * as received, secrets left out). Enrichment starts as null. Never throws on any fields.
 *
 * @param app - The app the callback came to (`source.appId`, `app`, `appKind`); absent = a `suite` app
 *   named by the stored `suiteId` (what the one-suite configuration is).
 * @throws TypeError when `receivedAt` is not a finite epoch-milliseconds number (a caller bug).
 */
export function normalize(callback: NormalizeInput, app?: EventApp): WecomEvent {
  if (!Number.isFinite(callback.receivedAt)) {
    throw new TypeError(`Expected \`receivedAt\` to be epoch milliseconds, got \`${String(callback.receivedAt)}\` (${typeof callback.receivedAt})`);
  }
  const { fields } = callback;
  const type = eventTypeOf(fields);
  const receivedAt = new Date(callback.receivedAt).toISOString();
  const source: EventSource = {
    endpoint: callback.endpoint,
    suiteId: fieldText(fields, 'SuiteId') || callback.suiteId,
    appId: app?.id ?? callback.suiteId,
    app: app?.name ?? callback.suiteId,
    appKind: app?.kind ?? 'suite',
    corpId: corpIdOf(fields),
    agentId: fieldText(fields, 'AgentID') || null,
  };
  const data: Record<string, unknown> =
    type === 'suite.ticket'
      ? { ticketTimestamp: fieldText(fields, 'TimeStamp') || null, ticketPresent: hasField(fields, 'SuiteTicket') }
      : type === 'sync.completed' || type === 'sync.failed'
        ? syncReport(fields)
        : callback.endpoint === 'sync' ? { ...eventData(fields), reconciled: true } : eventData(fields);
  return {
    id: callback.id,
    type,
    timestamp: eventTime(fields) ?? receivedAt,
    receivedAt,
    source,
    data,
    enrichment: null,
    enrichmentError: null,
    raw: withoutSecrets(fields),
  } as WecomEvent;
}

/** True when `event` has a catalog entry, narrowing it to the known, typed variants. */
export function isKnownEvent(event: WecomEvent): event is KnownEvent {
  return isKnownEventType(event.type);
}

/** TimeStamp or CreateTime (unix seconds) as ISO 8601, or undefined when neither is a valid time. */
function eventTime(fields: CallbackFields): string | undefined {
  const seconds = fieldText(fields, 'TimeStamp') || fieldText(fields, 'CreateTime');
  if (!/^[0-9]{1,11}$/.test(seconds)) return undefined;
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * A WeCom field name in camelCase: the explicit {@link RENAMES} first, then words split at case
 * changes and underscores (`ExternalUserID` → `externalUserId`, `PicMd5Sum` → `picMd5Sum`,
 * `open_userid` → `openUserid`).
 */
export function camelCaseField(name: string): string {
  const renamed = Object.hasOwn(RENAMES, name) ? RENAMES[name] : undefined;
  if (renamed !== undefined) return renamed;
  const words = name.match(/[A-Z]+(?![a-z])[0-9]*|[A-Z]?[a-z]+[0-9]*|[0-9]+/g);
  if (words === null) return name;
  return words
    .map((word, index) => {
      const lower = word.toLowerCase();
      return index === 0 ? lower : lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join('');
}

/** True when a field is carried by the envelope itself (type, time, source) and so left out of `data`. */
export function isEnvelopeField(name: string): boolean {
  return ENVELOPE_FIELDS.has(name.toLowerCase());
}

/** True when a field is a WeCom list container, always an array in `data`. */
export function isListField(name: string): boolean {
  return LIST_FIELDS.has(name);
}

/** True when a field name (any case, with or without `_`) is a credential that is never forwarded. */
export function isSecretField(name: string): boolean {
  return SECRET_NAMES.has(secretKey(name));
}

function secretKey(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/**
 * The data of `sync.completed` / `sync.failed` (SPEC §12): the run's report, stored as JSON in `Report`
 * so counts stay numbers; a report that does not parse is kept as text (never throws).
 */
function syncReport(fields: CallbackFields): Record<string, unknown> {
  const text = fieldText(fields, 'Report');
  try {
    const report: unknown = JSON.parse(text);
    if (report !== null && typeof report === 'object' && !Array.isArray(report)) return { ...(report as Record<string, unknown>), reconciled: true };
  } catch {
    // fall through
  }
  return { report: text };
}

function eventData(fields: CallbackFields): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (isEnvelopeField(name) || isSecretField(name)) continue;
    defineData(data, camelCaseField(name), dataValue(name, value));
  }
  return data;
}

function dataValue(name: string, value: FieldValue): unknown {
  if (isListField(name)) {
    if (value === '') return [];
    if (!Array.isArray(value) && typeof value === 'object' && Array.isArray(value['Item']) && Object.keys(value).length === 1) {
      return value['Item'].map((item) => dataValue('Item', item));
    }
    if (!Array.isArray(value)) return [dataValue('', value)];
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => dataValue('Item', item));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Item') return dataValue('Item', value['Item'] as FieldValue);
  return eventData(value);
}

function defineData(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function withoutSecrets(fields: { readonly [name: string]: FieldValue }): CallbackFields {
  const out: CallbackFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (isSecretField(name)) continue;
    setField(out, name, stripValue(value));
  }
  return out;
}

function stripValue(value: FieldValue): FieldValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(stripValue);
  return withoutSecrets(value);
}

function hasField(fields: CallbackFields, name: string): boolean {
  return fieldText(fields, name) !== '';
}
