import t from 'tap';
import { EVENT_TYPES } from '../../src/events/catalog.js';
import { normalize } from '../../src/events/normalize.js';
import { SAMPLE_KINDS, sampleCallback } from '../../src/events/samples.js';
import { GENERIC_EVENT_TYPE_PATTERN, eventEnvelopeSchema } from '../../src/events/schema.js';

interface Schema {
  readonly $schema: string;
  readonly required: readonly string[];
  readonly properties: Record<string, {
    readonly required?: readonly string[];
    readonly properties?: Record<string, { readonly type?: string | readonly string[]; readonly enum?: readonly string[] }>;
    readonly anyOf?: ReadonlyArray<{ readonly enum?: readonly string[]; readonly pattern?: string }>;
    readonly type?: string | readonly string[];
  }>;
  readonly allOf: ReadonlyArray<{ readonly if: { properties: { type: { const: string } } }; readonly then: { properties: { data: { properties?: Record<string, unknown> } } } }>;
}

const schema = eventEnvelopeSchema() as Schema;
const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
const allows = (spec: { readonly type?: string | readonly string[] } | undefined, value: unknown): boolean => {
  if (spec?.type === undefined) return true;
  return (typeof spec.type === 'string' ? [spec.type] : spec.type).includes(typeOf(value));
};

t.test('the schema is draft 2020-12 and plain JSON', async (t) => {
  t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', 'the draft');
  t.strictSame(JSON.parse(JSON.stringify(schema)), schema, 'it survives JSON serialization unchanged');
  t.strictSame(schema.required, ['id', 'type', 'timestamp', 'receivedAt', 'source', 'data', 'enrichment', 'enrichmentError', 'raw'], 'every envelope key is required');
});

t.test('the type enum lists every catalog type, and the generic pattern covers unknown kinds', async (t) => {
  const [known, generic] = schema.properties.type?.anyOf ?? [];
  t.strictSame(known?.enum, [...EVENT_TYPES], 'the enum is the catalog, in order');
  t.equal(generic?.pattern, GENERIC_EVENT_TYPE_PATTERN, 'the generic branch uses the exported pattern');
  const pattern = new RegExp(GENERIC_EVENT_TYPE_PATTERN);
  for (const type of ['suite.brand_new', 'suite.change_contact.merge_user', 'app.enter_meeting', 'message.markdown']) t.ok(pattern.test(type), `${type} matches`);
  for (const type of ['external_contact', 'suite.', 'Suite.X', 'other.thing', 'app.a-b']) t.notOk(pattern.test(type), `${type} does not match`);
  t.strictSame(schema.allOf.map((rule) => rule.if.properties.type.const), [...EVENT_TYPES], 'one data rule per catalog type');
});

t.test("the data rules describe each type's camelCase fields without secrets or envelope fields", async (t) => {
  const rule = (type: string) => schema.allOf.find((r) => r.if.properties.type.const === type)?.then.properties.data.properties ?? {};
  t.strictSame(Object.keys(rule('external_contact.added')), ['userId', 'externalUserId', 'state', 'welcomeCode'], 'external_contact.added');
  t.strictSame(Object.keys(rule('auth.created')), ['state'], 'auth.created has no authCode');
  t.strictSame(Object.keys(rule('suite.ticket')), ['ticketTimestamp', 'ticketPresent'], 'suite.ticket has no ticket');
  t.match(rule('external_chat.updated'), { memChangeList: { type: 'array' } }, 'memChangeList is an array');
});

t.test('every sample envelope has what the schema requires', async (t) => {
  const pattern = new RegExp(GENERIC_EVENT_TYPE_PATTERN);
  const known = new Set<string>(EVENT_TYPES);
  for (const kind of SAMPLE_KINDS) {
    const sample = sampleCallback(kind, { suiteId: 'ww917724cb573d8629', corpId: 'wxf8b4f85f3a794e77', now: new Date('2026-11-22T08:00:00Z') });
    const event = JSON.parse(JSON.stringify(normalize({ id: 'evt_0123456789abcdef0123456789abcdef', endpoint: sample.endpoint, suiteId: 'ww917724cb573d8629', receiveId: 'x', receivedAt: Date.parse('2026-11-22T08:00:00.123Z'), fields: sample.fields }))) as Record<string, unknown>;
    const missing = schema.required.filter((key) => !(key in event));
    t.strictSame(missing, [], `${kind}: no required key is missing`);
    t.strictSame(Object.keys(event).filter((key) => !(key in schema.properties)), [], `${kind}: no key outside the schema`);
    t.ok(known.has(event.type as string) || pattern.test(event.type as string), `${kind}: the type is allowed`);
    const source = event.source as Record<string, unknown>;
    const sourceSpec = schema.properties.source;
    t.strictSame((sourceSpec?.required ?? []).filter((key) => !(key in source)), [], `${kind}: source has every required key`);
    t.ok(Object.entries(sourceSpec?.properties ?? {}).every(([key, spec]) => (spec.enum ? spec.enum.includes(source[key] as string) : allows(spec, source[key]))), `${kind}: source values have the schema's types`);
    t.ok(['id', 'timestamp', 'receivedAt'].every((key) => typeof event[key] === 'string'), `${kind}: id and times are strings`);
    t.ok(allows(schema.properties.data, event.data) && allows(schema.properties.enrichment, event.enrichment), `${kind}: data and enrichment have the schema's types`);
  }
});
