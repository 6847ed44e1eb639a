import { createServer } from 'node:http';
import { decrypt, getSignature } from '@wecom/crypto';
import t, { type Test } from 'tap';
import express5 from 'express';
import express4 from 'express4';
import { sealCallback } from '../../src/crypto/seal-callback.js';
import type { WecomEvent } from '../../src/events/types.js';
import type { Logger } from '../../src/logger.js';
import { wecomCallback } from '../../src/receiver/express.js';
import type { PassiveReply } from '../../src/receiver/passive-reply.js';
import { REPLY_NAMESPACE } from '../../src/receiver/reply-to-callback.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { buildXml } from '../../src/xml/build-xml.js';
import type { CallbackFields } from '../../src/xml/fields.js';
import { parseMessage } from '../../src/xml/message.js';
import { parseXml } from '../../src/xml/parser.js';
import { generateSuiteKeys } from '../helpers/keys.js';
import { listen } from '../helpers/listen.js';

const SUITE = 'ww917724cb573d8629';
/** The data-URL receiveid: the authorizing corp (its ToUserName). */
const CORP = 'wwcorp0000000001';
const MEMBER = 'zhangsan';

type ExpressLike = typeof express5;
const FRAMEWORKS: Array<[string, ExpressLike]> = [['Express 5', express5], ['Express 4', express4 as unknown as ExpressLike]];

/** What the hook answers, by the text message's Content (or the card event's EventKey). */
const REPLIES: Record<string, PassiveReply | 'throw' | 'late' | 'none' | 'invalid'> = {
  text: { type: 'text', content: 'hello' },
  image: { type: 'image', mediaId: 'MEDIA_IMAGE' },
  voice: { type: 'voice', mediaId: 'MEDIA_VOICE' },
  video: { type: 'video', mediaId: 'MEDIA_VIDEO', title: 'a title', description: 'a description' },
  news: { type: 'news', articles: [{ title: 'one', description: 'first', url: 'https://example.com/1', picUrl: 'https://example.com/1.png' }, { title: 'two' }] },
  tricky: { type: 'text', content: 'a ]]> b ]]]]> 😀 中文 <tag> & end' },
  button: { type: 'update_button', replaceName: '已处理 ✅' },
  card: { type: 'update_template_card', card: { CardType: 'text_notice', MainTitle: { Title: 'Done', Desc: 'x ]]> y' }, JumpList: [{ Type: 1, Title: 'a' }, { Type: 1, Title: 'b' }] } },
  throw: 'throw',
  late: 'late',
  none: 'none',
  invalid: 'invalid',
  'button-on-text': { type: 'update_button', replaceName: 'not for a text message' },
};

interface Harness {
  readonly url: string;
  readonly store: Store;
  readonly keys: { token: string; encodingAESKey: string };
  /** Event ids the hook was called with, in order. */
  readonly calls: string[];
  /** [level, message] of every warn and error line. */
  readonly lines: Array<[string, string]>;
  /** The timeouts the reply timer was started with. */
  readonly timers: number[];
}

function textMessage(content: string, msgId: string): string {
  return buildXml({ ToUserName: CORP, FromUserName: MEMBER, CreateTime: '1700000000', MsgType: 'text', Content: content, MsgId: msgId, AgentID: '1000002' });
}

function cardEvent(key: string): string {
  return buildXml({
    ToUserName: CORP, FromUserName: MEMBER, CreateTime: '1700000000', MsgType: 'event', Event: 'template_card_event',
    EventKey: key, TaskId: `task-${key}`, CardType: 'button_interaction', ResponseCode: 'RESPONSE_CODE', AgentID: '1000002',
  });
}

async function post(h: Harness, path: string, plaintext: string, receiveId: string, nonce?: string): Promise<Response> {
  const sealed = sealCallback({ ...h.keys, receiveId, plaintext, ...(nonce ? { nonce } : {}) });
  return fetch(`${h.url}${path}?${new URLSearchParams(sealed.query)}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: sealed.body });
}

/** Checks the envelope with the official library and resolves the decrypted reply's fields. */
async function openReply(t: Test, h: Harness, res: Response): Promise<CallbackFields> {
  t.equal(res.status, 200, '200');
  const body = await res.text();
  const outer = parseXml(body);
  t.same(Object.keys(outer), ['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce'], 'the envelope is <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>');
  const encrypt = String(outer.Encrypt);
  t.equal(getSignature(h.keys.token, String(outer.TimeStamp), String(outer.Nonce), encrypt), outer.MsgSignature, 'the signature verifies with @wecom/crypto');
  const opened = decrypt(h.keys.encodingAESKey, encrypt);
  t.equal(opened.id, CORP, 'encrypted for the receiveid the request was decrypted with');
  const fields = parseMessage(opened.message);
  t.equal(fields.ToUserName, MEMBER, 'to the member who wrote');
  t.equal(fields.FromUserName, CORP, 'from the corp');
  t.match(fields.CreateTime, /^\d+$/, 'CreateTime in seconds');
  return fields;
}

for (const [frameworkName, express] of FRAMEWORKS) {
  t.test(`${frameworkName}: passive replies`, async (t) => {
    const storeUrl = `sqlite:${t.testdir()}/relay.db`;
    const store = await createStore(storeUrl);
    t.teardown(() => store.close());
    const keys = generateSuiteKeys();
    const calls: string[] = [];
    const lines: Array<[string, string]> = [];
    const timers: number[] = [];
    const logger: Logger = {
      debug() {}, info() {},
      warn: (_obj, msg) => { lines.push(['warn', msg ?? '']); },
      error: (_obj, msg) => { lines.push(['error', msg ?? '']); },
    };
    const hook = async (event: WecomEvent): Promise<PassiveReply | undefined> => {
      calls.push(event.id);
      if ((await store.getCallback(event.id)) === undefined) throw new Error('the hook ran before the durable write');
      const key = String(event.raw.Content ?? event.raw.EventKey ?? '');
      const answer = REPLIES[key] ?? REPLIES[key.replace(/-\d+$/, '')];
      if (answer === 'throw') throw new Error('hook failure');
      if (answer === 'late') return new Promise<never>(() => {});
      if (answer === 'none' || answer === undefined) return undefined;
      if (answer === 'invalid') return { type: 'text', content: 42 } as unknown as PassiveReply;
      return answer;
    };
    const middleware = wecomCallback({
      suiteId: SUITE, ...keys, store, maxClockSkewSeconds: 0, logger, reply: hook, replyTimeoutMs: 1500,
      // The injected timer fires on the next macrotask: a hook that answers (in microtasks) always wins, one
      // that awaits forever always loses, and no test waits on the wall clock.
      replyTimer: (ms) => { timers.push(ms); return new Promise((resolve) => setImmediate(resolve)); },
    });
    t.teardown(() => middleware.close());
    const app = express();
    app.use(express.json());
    app.use(middleware);
    const server = await listen(createServer(app));
    t.teardown(server.close);
    const h: Harness = { url: server.url, store, keys, calls, lines, timers };
    const data = '/api/v1/wecom/callback';

    t.test('every reply type decrypts with @wecom/crypto, its signature verifies, and it has the documented shape', async (t) => {
      let n = 0;
      const send = (content: string) => post(h, data, textMessage(content, String(4561255354251345929n + BigInt(++n))), CORP);
      const text = await openReply(t, h, await send('text'));
      t.same([text.MsgType, text.Content], ['text', 'hello'], 'text');
      const image = await openReply(t, h, await send('image'));
      t.same([image.MsgType, image.Image], ['image', { MediaId: 'MEDIA_IMAGE' }], 'image');
      const voice = await openReply(t, h, await send('voice'));
      t.same([voice.MsgType, voice.Voice], ['voice', { MediaId: 'MEDIA_VOICE' }], 'voice');
      const video = await openReply(t, h, await send('video'));
      t.same([video.MsgType, video.Video], ['video', { MediaId: 'MEDIA_VIDEO', Title: 'a title', Description: 'a description' }], 'video');
      const news = await openReply(t, h, await send('news'));
      t.equal(news.MsgType, 'news', 'news');
      t.equal(news.ArticleCount, '2', 'ArticleCount');
      t.same(news.Articles, { item: [{ Title: 'one', Description: 'first', PicUrl: 'https://example.com/1.png', Url: 'https://example.com/1' }, { Title: 'two' }] }, 'the articles as items');
      const button = await openReply(t, h, await post(h, data, cardEvent('button'), CORP));
      t.same([button.MsgType, button.Button], ['update_button', { ReplaceName: '已处理 ✅' }], 'update_button for a template_card_event');
      const card = await openReply(t, h, await post(h, data, cardEvent('card'), CORP));
      t.equal(card.MsgType, 'update_template_card', 'update_template_card');
      t.same(card.TemplateCard, { CardType: 'text_notice', MainTitle: { Title: 'Done', Desc: 'x ]]> y' }, JumpList: [{ Type: '1', Title: 'a' }, { Type: '1', Title: 'b' }] }, 'the card, nested and repeated');
      t.ok(timers.every((ms) => ms === 1500), 'the timer runs for replyTimeoutMs');
    });

    t.test('`]]>` and emoji in content survive: the reply stays well-formed and reads back exactly', async (t) => {
      const fields = await openReply(t, h, await post(h, data, textMessage('tricky', '900001'), CORP));
      t.equal(fields.Content, 'a ]]> b ]]]]> 😀 中文 <tag> & end', 'byte for byte');
    });

    t.test('a WeCom retry gets the same reply again, re-encrypted, and the hook runs once', async (t) => {
      const plaintext = textMessage('text', '900002');
      const first = await post(h, data, plaintext, CORP, '111111');
      const firstBody = await first.clone().text();
      const firstFields = await openReply(t, h, first);
      const before = calls.length;
      const retry = await post(h, data, plaintext, CORP, '222222');
      const retryBody = await retry.clone().text();
      const retryFields = await openReply(t, h, retry);
      t.same(retryFields, firstFields, 'the same reply');
      t.not(retryBody, firstBody, 'encrypted afresh');
      t.equal(calls.length, before, 'the hook was not called again');
      // A second receiver on the same store (no shared memory, e.g. behind a load balancer) answers the same.
      const other = wecomCallback({ suiteId: SUITE, ...keys, store, maxClockSkewSeconds: 0, logger, reply: hook });
      t.teardown(() => other.close());
      const otherApp = express();
      otherApp.use(other);
      const otherServer = await listen(createServer(otherApp));
      t.teardown(otherServer.close);
      const fromOther = await openReply(t, h, await post({ ...h, url: otherServer.url }, data, plaintext, CORP, '333333'));
      t.same(fromOther, firstFields, 'the stored reply, from the store');
      t.equal(calls.length, before, 'still one call');
      const [id] = calls.slice(-1);
      const stored = await store.getKv<{ reply: PassiveReply }>(REPLY_NAMESPACE, id!);
      t.same(stored?.value.reply, { type: 'text', content: 'hello' }, 'stored with the callback, under its event id');
    });

    t.test('`wecom-relay events show` shows the reply sent for a callback', async (t) => {
      await openReply(t, h, await post(h, data, textMessage('video', '900040'), CORP));
      const id = calls.at(-1)!;
      let stdout = '';
      const { main } = await import('../../dist/daemon/cli.js');
      const { Writable } = await import('node:stream');
      const sink = (append: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { append(String(chunk)); cb(); } });
      const code = await main(['events', 'show', id, '--store', storeUrl], { env: {}, cwd: process.cwd(), stdout: sink((s) => { stdout += s; }), stderr: sink(() => {}) });
      t.equal(code, 0, 'exit 0');
      const shown = JSON.parse(stdout) as { reply: Record<string, unknown> | null };
      t.match(shown.reply, { type: 'video', mediaId: 'MEDIA_VIDEO', title: 'a title', repliedAt: /^\d{4}-/ }, 'the reply, with when it was sent');
    });

    t.test('a hook that is still running at the timeout gets success and a log line', async (t) => {
      lines.length = 0;
      const res = await post(h, data, textMessage('late', '900003'), CORP);
      t.equal(res.status, 200, '200');
      t.equal(await res.text(), 'success', 'success');
      t.match(lines, [['warn', /did not answer within replyTimeoutMs/]], 'one warning');
    });

    t.test('a throwing hook and an invalid reply get success and a log line; no reply gets success quietly', async (t) => {
      for (const [content, level, message] of [
        ['throw', 'error', /reply hook threw/],
        ['invalid', 'warn', /invalid reply/],
        ['button-on-text', 'warn', /invalid reply/],
      ] as const) {
        lines.length = 0;
        const res = await post(h, data, textMessage(content, `90001${content.length}`), CORP);
        t.equal(res.status, 200, `${content}: 200, never a 5xx`);
        t.equal(await res.text(), 'success', `${content}: success`);
        t.match(lines, [[level, message]], `${content}: one ${level} line`);
      }
      lines.length = 0;
      const res = await post(h, data, textMessage('none', '900020'), CORP);
      t.equal(await res.text(), 'success', 'undefined: success');
      t.same(lines, [], 'undefined: nothing logged');
    });

    t.test('the command URL never replies and never calls the hook', async (t) => {
      const before = calls.length;
      const ticket = buildXml({ SuiteId: SUITE, InfoType: 'suite_ticket', TimeStamp: '1700000000', SuiteTicket: 'text' });
      const res = await post(h, '/api/v1/wecom/command', ticket, SUITE);
      t.equal(res.status, 200, '200');
      t.equal(await res.text(), 'success', 'success');
      // Even a message-shaped callback that reached the command URL is not answered.
      const message = await post(h, '/api/v1/wecom/command', textMessage('text', '900030'), SUITE);
      t.equal(await message.text(), 'success', 'a message on the command URL: success');
      t.equal(calls.length, before, 'the hook was not called');
    });
  });
}
