import t from 'tap';
import { escapeHtml, html, raw, SafeHtml } from '../../daemon/admin/console/html.js';
import { activityChart } from '../../daemon/admin/console/activity-chart.js';
import { newSession, sessionValid, SESSION_TTL_MS, sameOrigin, isLoopbackHost } from '../../daemon/admin/console/console-auth.js';
import type { IncomingMessage } from 'node:http';

t.test('html escapes every interpolated value', async (t) => {
  const name = `<script>alert('x')</script>&"\``;
  t.equal(String(html`<td>${name}</td>`), '<td>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;&#96;</td>', 'text is escaped');
  t.equal(String(html`<a title="${'" onmouseover="x'}">`), '<a title="&quot; onmouseover=&quot;x">', 'an attribute cannot be broken out of');
  t.equal(String(html`${42} ${true} ${null} ${undefined} ${false}`), '42 true   ', 'numbers and true print; null, undefined and false print nothing');
  t.equal(String(html`<ul>${['<a>', html`<li>${'<b>'}</li>`]}</ul>`), '<ul>&lt;a&gt;<li>&lt;b&gt;</li></ul>', 'arrays are joined, each item escaped unless it is SafeHtml');
  t.equal(escapeHtml('plain'), 'plain', 'plain text is unchanged');
});

t.test('only html and raw make SafeHtml', async (t) => {
  const inner = html`<b>${'<i>'}</b>`;
  t.ok(inner instanceof SafeHtml, 'a template result is SafeHtml');
  t.equal(String(html`<p>${inner}</p>`), '<p><b>&lt;i&gt;</b></p>', 'nested templates are not escaped twice');
  t.equal(String(html`${raw('<svg/>')}`), '<svg/>', 'raw passes its markup through');
  const forged = { toString: () => '<script>' };
  t.equal(String(html`${String(forged)}`), '&lt;script&gt;', 'an object that merely looks like markup is escaped');
});

t.test('the chart is SVG built from numbers only', async (t) => {
  const svg = String(activityChart([{ start: Date.UTC(2026, 0, 1, 0), received: 10, delivered: 8, dead: 2 }, { start: Date.UTC(2026, 0, 1, 1), received: 0, delivered: 0, dead: 0 }]));
  t.match(svg, /^<svg class="chart" viewBox="0 0 960 220"/, 'an inline SVG');
  t.equal([...svg.matchAll(/<rect /g)].length, 3, 'one bar per non-zero count');
  t.match(svg, /received 10<\/span>.*delivered 8<\/span>.*dead 2<\/span>/s, 'the legend totals');
});

t.test('sessions are HMACs of a random id, bound to the token and expiring', async (t) => {
  const now = 1_700_000_000_000;
  const value = newSession('token-one-0123456789', now);
  t.ok(sessionValid(value, 'token-one-0123456789', now + 1000), 'valid with its token');
  t.notOk(sessionValid(value, 'token-two-0123456789', now + 1000), 'invalid with another token');
  t.notOk(sessionValid(value, 'token-one-0123456789', now + SESSION_TTL_MS + 1), 'invalid once expired');
  const [id, , mac] = value.split('.');
  t.notOk(sessionValid(`${id}.${now + 10 * SESSION_TTL_MS}.${mac}`, 'token-one-0123456789', now), 'a stretched expiry breaks the HMAC');
  t.notOk(value.includes('token-one'), 'the token is not in the value');
  t.notOk(sessionValid(undefined, 't', now), 'no cookie is no session');
  t.notOk(sessionValid('a.b', 't', now), 'a malformed cookie is no session');
});

t.test('same-origin and loopback checks', async (t) => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  t.ok(sameOrigin(req({ host: '127.0.0.1:9464', origin: 'http://127.0.0.1:9464' })), 'the same origin passes');
  t.notOk(sameOrigin(req({ host: '127.0.0.1:9464', origin: 'http://127.0.0.1:9465' })), 'another port fails');
  t.notOk(sameOrigin(req({ host: '127.0.0.1:9464', 'sec-fetch-site': 'same-site' })), 'same-site (another subdomain) fails');
  t.ok(sameOrigin(req({ host: '127.0.0.1:9464' })), 'no Origin and no Sec-Fetch-Site: not a browser, passes');
  t.ok(sameOrigin(req({ host: '127.0.0.1:9464', origin: 'null', 'sec-fetch-site': 'same-origin' })), 'Origin null (no-referrer) with Sec-Fetch-Site same-origin passes');
  t.notOk(sameOrigin(req({ host: '127.0.0.1:9464', origin: 'null' })), 'Origin null alone fails (a sandboxed frame)');
  t.notOk(sameOrigin(req({ host: '127.0.0.1:9464', origin: 'http://127.0.0.1:9464', 'sec-fetch-site': 'cross-site' })), 'a matching Origin with Sec-Fetch-Site cross-site fails');
  t.same(['127.0.0.1', '127.5.0.1', '::1', '[::1]', 'localhost'].map(isLoopbackHost), [true, true, true, true, true], 'loopback names');
  t.same(['0.0.0.0', '::', '10.0.0.1', 'localhost.evil.example'].map(isLoopbackHost), [false, false, false, false], 'others are not');
});

t.test('the console compares tokens and session MACs with timingSafeEqual', async (t) => {
  const crypto = await import('node:crypto');
  let calls = 0;
  const counting = { ...crypto, timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => { calls += 1; return crypto.timingSafeEqual(a, b); } };
  const auth = await t.mockImport<typeof import('../../daemon/admin/console/console-auth.js')>('../../daemon/admin/console/console-auth.js', { 'node:crypto': counting });
  t.notOk(auth.bearerMatches('Bearer wrong-token-0123456789', 'right-token-0123456789'), 'a wrong bearer token is refused');
  t.notOk(auth.tokenMatches('wrong-token-0123456789', 'right-token-0123456789'), 'a wrong login token is refused');
  t.ok(auth.sessionValid(auth.newSession('right-token-0123456789', 0), 'right-token-0123456789', 1), 'a session checks out');
  t.equal(calls, 3, 'each went through timingSafeEqual');
});
