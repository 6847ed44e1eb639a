import { APP_KINDS } from '../apps/app.js';
import { EVENT_CATALOG, EVENT_TYPES, type CatalogEntry } from './catalog.js';
import { camelCaseField, isEnvelopeField, isListField, isSecretField } from './normalize.js';

/** The pattern every generic (unknown-kind) type follows. */
export const GENERIC_EVENT_TYPE_PATTERN = '^(suite|app|message)\\.[a-z0-9_]+(\\.[a-z0-9_]+)*$';

/** Catalog fields WeCom sends as nested elements (objects in `data`). */
const STRUCTURED_FIELDS = new Set([
  'ContactSync', 'AuthUserInfo', 'BatchJob', 'ScanCodeInfo', 'SendPicsInfo', 'SendLocationInfo', 'ApprovalInfo',
  'SelectedItems', 'AuthAddOpenKfId', 'AuthDelOpenKfId',
]);

/**
 * The JSON Schema (draft 2020-12) of the normalized event envelope (SPEC §7), generated from the
 * catalog: `type` is one of the known types or matches the generic pattern, and each known type
 * documents its `data` properties (camelCase, secrets left out). `data` stays open: WeCom adds fields
 * and third-party apps receive only some, so no data property is required.
 */
export function eventEnvelopeSchema(): object {
  const nullableString = { type: ['string', 'null'] };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:wecom-relay:schema:event-envelope',
    title: 'wecom-relay event',
    description: 'A normalized WeCom suite callback: a Standard Webhooks compatible envelope. Every id is a string.',
    type: 'object',
    required: ['id', 'type', 'timestamp', 'receivedAt', 'source', 'data', 'enrichment', 'enrichmentError', 'raw'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: '^evt_', description: 'evt_ + a stable hash of (suite id, receiveid, plaintext)' },
      type: {
        anyOf: [
          { enum: [...EVENT_TYPES], description: 'A known event type' },
          { type: 'string', pattern: GENERIC_EVENT_TYPE_PATTERN, description: 'An unknown kind, kept losslessly' },
        ],
      },
      timestamp: { type: 'string', format: 'date-time', description: "The event's own time (TimeStamp / CreateTime)" },
      receivedAt: { type: 'string', format: 'date-time' },
      source: {
        type: 'object',
        required: ['endpoint', 'suiteId', 'appId', 'app', 'appKind', 'corpId', 'agentId'],
        additionalProperties: false,
        properties: {
          endpoint: { enum: ['data', 'command', 'install', 'sync'], description: 'sync: made by a reconciliation run (SPEC §12)' },
          suiteId: { type: 'string' },
          appId: { type: 'string', description: 'The id of the app the callback came to (SPEC §10)' },
          app: { type: 'string', description: "That app's name (default: its id)" },
          appKind: { enum: [...APP_KINDS] },
          corpId: nullableString,
          agentId: nullableString,
        },
      },
      data: { type: 'object', description: "The event's fields in camelCase, secrets removed" },
      enrichment: { type: ['object', 'null'] },
      enrichmentError: {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, errcode: { type: 'integer' }, message: { type: 'string' }, api: { type: 'string' } },
          },
        ],
      },
      raw: { $ref: '#/$defs/fields' },
    },
    allOf: (EVENT_CATALOG as readonly CatalogEntry[]).map((entry) => ({
      if: { properties: { type: { const: entry.type } } },
      then: { properties: { data: dataSchema(entry) } },
    })),
    $defs: {
      fieldValue: {
        anyOf: [
          { type: 'string' },
          { type: 'array', items: { $ref: '#/$defs/fieldValue' } },
          { $ref: '#/$defs/fields' },
        ],
      },
      fields: { type: 'object', additionalProperties: { $ref: '#/$defs/fieldValue' }, description: 'Decrypted fields as received, every leaf a string' },
    },
  };
}

function dataSchema(entry: CatalogEntry): object {
  if (entry.type === 'suite.ticket') {
    return {
      description: entry.description,
      type: 'object',
      required: ['ticketTimestamp', 'ticketPresent'],
      properties: { ticketTimestamp: { type: ['string', 'null'] }, ticketPresent: { type: 'boolean' } },
    };
  }
  if (entry.family === 'sync') return syncDataSchema(entry);
  const properties: Record<string, object> = {};
  for (const field of entry.fields) {
    if (isEnvelopeField(field) || isSecretField(field)) continue;
    properties[camelCaseField(field)] = isListField(field) ? { type: 'array' } : { type: STRUCTURED_FIELDS.has(field) ? 'object' : 'string' };
  }
  return { description: entry.description, type: 'object', properties };
}

/** `sync.completed` / `sync.failed`: the run's report. */
function syncDataSchema(entry: CatalogEntry): object {
  const time = { type: 'string', format: 'date-time' };
  const common = { runId: { type: 'string' }, appId: { type: 'string' }, corpId: { type: 'string' }, startedAt: time, reconciled: { const: true } };
  if (entry.type === 'sync.failed') {
    return {
      description: entry.description, type: 'object', required: ['runId', 'scope', 'errcode', 'message', 'startedAt', 'failedAt'],
      properties: { ...common, scope: { type: 'string' }, errcode: { type: ['integer', 'null'] }, message: { type: 'string' }, failedAt: time },
    };
  }
  const counts = { type: 'object', required: ['total', 'added', 'removed'], properties: { total: { type: 'integer' }, added: { type: 'integer' }, removed: { type: 'integer' }, baseline: { type: 'boolean' } } };
  return {
    description: entry.description, type: 'object', required: ['runId', 'scopes', 'startedAt', 'finishedAt'],
    properties: { ...common, scopes: { type: 'object', additionalProperties: counts }, failed: { type: 'array', items: { type: 'string' } }, finishedAt: time },
  };
}
