import t from 'tap';
import { EVENT_TYPES, catalogEntry, isKnownEventType } from '../../src/events/catalog.js';
import { normalize } from '../../src/events/normalize.js';
import { SAMPLE_KINDS, sampleCallback, type SampleContext } from '../../src/events/samples.js';
import { buildXml } from '../../src/xml/build-xml.js';
import { parseMessage } from '../../src/xml/message.js';

const CTX: SampleContext = { suiteId: 'ww917724cb573d8629', corpId: 'wxf8b4f85f3a794e77', now: new Date('2026-11-22T08:00:00.000Z') };
const NOW_SECONDS = '1795334400';

function normalizeSample(kind: string, ctx: SampleContext = CTX) {
  const sample = sampleCallback(kind, ctx);
  return normalize({ id: 'evt_sample', endpoint: sample.endpoint, suiteId: ctx.suiteId, receiveId: 'x', receivedAt: ctx.now.getTime(), fields: parseMessage(sample.plaintext) });
}

t.test('every sample kind normalizes to a known, non-generic type on its documented endpoint', async (t) => {
  for (const kind of SAMPLE_KINDS) {
    const sample = sampleCallback(kind, CTX);
    const event = normalizeSample(kind);
    t.ok(isKnownEventType(event.type), `${kind} → ${event.type} is a catalog type`);
    t.equal(sample.endpoint, catalogEntry(event.type)?.endpointHint, `${kind} is sent to the ${sample.endpoint} URL, as documented`);
    // suite_ticket and create_auth name no corp: the daemon learns it from get_permanent_code.
    const corpId = kind === 'suite_ticket' || kind === 'create_auth' ? null : CTX.corpId;
    t.equal(event.source.corpId, corpId, `${kind} names ${corpId ?? 'no corp'}`);
  }
});

t.test('every catalog type has at least one sample kind', async (t) => {
  const covered = new Set(SAMPLE_KINDS.map((kind) => normalizeSample(kind).type));
  for (const type of EVENT_TYPES) t.ok(covered.has(type), `${type} can be triggered`);
});

t.test('the SPEC §7 kinds are available under their WeCom names', async (t) => {
  const expected: Record<string, string> = {
    suite_ticket: 'suite.ticket', create_auth: 'auth.created', change_auth: 'auth.changed', cancel_auth: 'auth.cancelled',
    reset_permanent_code: 'auth.permanent_code_reset', create_user: 'contact.user.created', update_user: 'contact.user.updated',
    delete_user: 'contact.user.deleted', create_party: 'contact.department.created', update_party: 'contact.department.updated',
    delete_party: 'contact.department.deleted', update_tag: 'contact.tag.updated', add_external_contact: 'external_contact.added',
    edit_external_contact: 'external_contact.edited', add_half_external_contact: 'external_contact.half_added',
    del_external_contact: 'external_contact.deleted', del_follow_user: 'external_contact.follow_user_deleted',
    transfer_fail: 'external_contact.transfer_failed', msg_audit_approved: 'external_contact.msg_audit_approved',
    chat_create: 'external_chat.created', chat_update: 'external_chat.updated', chat_dismiss: 'external_chat.dismissed',
    tag_create: 'external_tag.created', tag_update: 'external_tag.updated', tag_delete: 'external_tag.deleted',
    tag_shuffle: 'external_tag.shuffled', text: 'message.text', image: 'message.image', subscribe: 'app.subscribe',
    enter_agent: 'app.enter_agent', change_app_admin: 'app.change_app_admin', app_location: 'app.location', location: 'message.location',
  };
  for (const [kind, type] of Object.entries(expected)) t.equal(normalizeSample(kind).type, type, `${kind} → ${type}`);
});

t.test('the plaintext is buildXml(fields) and parses back to the same fields', async (t) => {
  for (const kind of SAMPLE_KINDS) {
    const sample = sampleCallback(kind, CTX);
    t.equal(sample.plaintext, buildXml(sample.fields), `${kind}: plaintext = buildXml(fields)`);
    t.strictSame(parseMessage(sample.plaintext), sample.fields, `${kind}: round trip`);
  }
});

t.test('ids and times come from ctx', async (t) => {
  const ticket = sampleCallback('add_external_contact', CTX).fields;
  t.equal(ticket.SuiteId, CTX.suiteId, 'SuiteId');
  t.equal(ticket.AuthCorpId, CTX.corpId, 'AuthCorpId');
  t.equal(ticket.TimeStamp, NOW_SECONDS, 'TimeStamp in unix seconds');
  const text = sampleCallback('text', CTX).fields;
  t.equal(text.ToUserName, CTX.corpId, 'data callbacks carry the corp in ToUserName');
  t.equal(text.CreateTime, NOW_SECONDS, 'CreateTime');
  t.equal(normalizeSample('add_external_contact').timestamp, '2026-11-22T08:00:00.000Z', 'the normalized timestamp is ctx.now');
});

t.test('ticket and auth-code samples carry fresh random values, never forwarded', async (t) => {
  const a = sampleCallback('suite_ticket', CTX).fields.SuiteTicket;
  const b = sampleCallback('suite_ticket', CTX).fields.SuiteTicket;
  t.type(a, 'string', 'a ticket is present');
  t.not(a, b, 'two tickets differ');
  t.ok((a as string).length >= 32, 'the ticket is long enough to be unguessable');
  t.not(sampleCallback('create_auth', CTX).fields.AuthCode, sampleCallback('create_auth', CTX).fields.AuthCode, 'two auth codes differ');
  for (const kind of ['suite_ticket', 'create_auth', 'reset_permanent_code', 'register_corp']) {
    const sample = sampleCallback(kind, CTX);
    const secret = kind === 'suite_ticket' ? sample.fields.SuiteTicket
      : kind === 'register_corp' ? (sample.fields.ContactSync as Record<string, string>).AccessToken : sample.fields.AuthCode;
    const event = normalize({ id: 'e', endpoint: sample.endpoint, suiteId: CTX.suiteId, receiveId: 'x', receivedAt: 0, fields: sample.fields });
    t.notOk(JSON.stringify(event).includes(secret as string), `${kind}: the secret is absent from the envelope`);
  }
});

t.test('chat_update carries the member-change fields', async (t) => {
  const event = normalizeSample('chat_update');
  t.match(event.data, { updateDetail: 'add_member', memChangeCnt: '2', memChangeList: ['Jack', 'Rose'], lastMemVer: /^[0-9a-f]{32}$/, curMemVer: /^[0-9a-f]{32}$/ }, 'UpdateDetail, MemChangeCnt, MemChangeList, LastMemVer, CurMemVer');
});

t.test('seq makes plaintexts distinct', async (t) => {
  for (const kind of ['text', 'add_external_contact', 'chat_update', 'subscribe']) {
    const plaintexts = new Set([0, 1, 2, 3].map((seq) => sampleCallback(kind, { ...CTX, seq }).plaintext));
    t.equal(plaintexts.size, 4, `${kind}: four seq values, four plaintexts`);
  }
  t.equal(sampleCallback('text', { ...CTX, seq: 2 }).fields.MsgId, '4561255354251345931', 'messages add seq to MsgId exactly');
  t.equal(sampleCallback('text', CTX).plaintext, sampleCallback('text', { ...CTX, seq: 0 }).plaintext, 'seq defaults to 0 and is deterministic');
});

t.test('an unknown kind or a bad ctx is a TypeError', async (t) => {
  t.throws(() => sampleCallback('nope', CTX), { name: 'TypeError', message: /add_external_contact/ }, 'the message lists the valid kinds');
  t.throws(() => sampleCallback('toString', CTX), TypeError, 'inherited names are not kinds');
  t.throws(() => sampleCallback('text', { ...CTX, now: new Date(Number.NaN) }), TypeError, 'an invalid date');
  t.throws(() => sampleCallback('text', { ...CTX, seq: -1 }), TypeError, 'a negative seq');
});
