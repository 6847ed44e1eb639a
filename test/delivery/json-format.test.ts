import t from 'tap';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { formatJson } from '../../daemon/delivery/formats/json.js';
import { makeEvent, makeTarget } from '../helpers/delivery-fixtures.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

t.test('the body is the exact envelope JSON', async (t) => {
  const event = makeEvent();
  const request = formatJson(event, makeTarget(), { now: new Date('2026-11-22T08:00:01.000Z') });
  t.equal(request.body, JSON.stringify(event), 'the body is JSON.stringify(event), byte for byte');
  t.same(JSON.parse(request.body), event, 'it round-trips to the same envelope');
  t.equal(request.url, 'https://example.com/hook', 'the target URL is used as is');
});

t.test('Standard Webhooks headers are set', async (t) => {
  const request = formatJson(makeEvent(), makeTarget(), { now: new Date('2026-11-22T08:00:01.999Z') });
  t.equal(request.headers['content-type'], 'application/json', 'content-type is JSON');
  t.equal(request.headers['user-agent'], 'wecom-relay', 'user-agent names the relay');
  t.equal(request.headers['webhook-id'], 'evt_3f1c9a7b2e', 'webhook-id is the event id');
  t.equal(request.headers['webhook-timestamp'], String(Date.UTC(2026, 10, 22, 8, 0, 1) / 1000), 'webhook-timestamp is unix seconds, floored');
  t.notOk('webhook-signature' in request.headers, 'no signature without a secret');
});

t.test('a signed request verifies with the standardwebhooks library', async (t) => {
  const event = makeEvent();
  const request = formatJson(event, makeTarget({ secret: SECRET }), { now: new Date() });
  t.match(request.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/, 'the signature is v1,<base64>');
  const verified = new Webhook(SECRET).verify(request.body, request.headers);
  t.same(verified, event, 'Webhook.verify accepts the request and returns the envelope');
  t.throws(
    () => new Webhook(SECRET).verify(request.body.replace('zhangsan', 'lisi'), request.headers),
    WebhookVerificationError,
    'a tampered body is rejected',
  );
  t.throws(
    () => new Webhook('whsec_' + Buffer.from('another-secret-of-enough-length').toString('base64')).verify(request.body, request.headers),
    WebhookVerificationError,
    'another secret is rejected',
  );
});

t.test('the signature covers the given time and message id', async (t) => {
  const now = new Date();
  const request = formatJson(makeEvent(), makeTarget({ secret: SECRET }), { now, messageId: 'msg_replay_1' });
  t.equal(request.headers['webhook-id'], 'msg_replay_1', 'an explicit message id replaces the event id');
  t.doesNotThrow(() => new Webhook(SECRET).verify(request.body, request.headers), 'it verifies with that id');
  const stale = formatJson(makeEvent(), makeTarget({ secret: SECRET }), { now: new Date(now.getTime() - 3600_000) });
  t.throws(() => new Webhook(SECRET).verify(stale.body, stale.headers), WebhookVerificationError, 'an hour-old timestamp is rejected by the verifier');
});

t.test('target headers are added but cannot replace protocol headers', async (t) => {
  const target = makeTarget({
    secret: SECRET,
    headers: { Authorization: 'Bearer abc', 'Webhook-Signature': 'v1,forged', 'Content-Type': 'application/cloudevents+json' },
  });
  const request = formatJson(makeEvent(), target, { now: new Date() });
  t.equal(request.headers['authorization'], 'Bearer abc', 'a custom header is sent, name lower-cased');
  t.equal(request.headers['content-type'], 'application/cloudevents+json', 'a configured content-type replaces ours instead of duplicating');
  t.not(request.headers['webhook-signature'], 'v1,forged', 'the signature is ours');
  t.doesNotThrow(() => new Webhook(SECRET).verify(request.body, request.headers), 'and it verifies');
  t.equal(Object.keys(request.headers).filter((name) => name === 'content-type').length, 1, 'one content-type header');
});

t.test('an unusable secret is a TypeError that does not echo it', async (t) => {
  const error = t.throws(() => formatJson(makeEvent(), makeTarget({ secret: 'whsec_' }), { now: new Date() }), 'an empty key throws');
  t.type(error, TypeError, 'it is a TypeError');
  t.match(String((error as Error).message), /targets\.test\.secret/, 'the message names the target');
});
