import t from 'tap';
import { TARGET_STATE_NS } from '../../daemon/delivery/target-state.js';
import { consolePages, HOSTILE, SECRETS, startConsoleFixture, TOKEN, type ConsoleFixture } from './helpers/console-fixture.js';

/** The console over HTTP: escaping, secrets, headers, CSRF, the token and its session cookie. */

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { headers, redirect: 'manual' });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Every URL in a src, href or action attribute that leaves this origin. */
function externalUrls(body: string, origin: string): string[] {
  return [...body.matchAll(/\b(?:src|href|action)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!)
    .filter((u) => /^(?:[a-z]+:)?\/\//i.test(u) && !u.startsWith(origin));
}

const sameOrigin = (f: ConsoleFixture) => ({ origin: f.url });

t.test('every page escapes hostile event fields, shows no secret, and links nowhere outside', async (t) => {
  const f = await startConsoleFixture(t);
  for (const page of consolePages(f)) {
    const { status, body } = await get(`${f.url}${page}`);
    t.ok(status === 200 || status === 404, `${page}: answers (${status})`);
    t.notMatch(body, /<script/i, `${page}: no script element at all (hostile values are escaped)`);
    t.notMatch(body, /<img/i, `${page}: no injected img element`);
    for (const [name, secret] of Object.entries(SECRETS)) t.notOk(body.includes(secret), `${page}: the ${name} is not on the page`);
    t.same(externalUrls(body, f.url), [], `${page}: no external URL in src/href/action`);
    t.notMatch(body, /\sstyle\s*=/i, `${page}: no inline style attribute (CSP style-src 'self')`);
  }
  const event = (await get(`${f.url}/events/${f.deadEventId}`)).body;
  t.ok(event.includes('&lt;script&gt;alert(&quot;customer&quot;)&lt;/script&gt;'), 'the event page shows the enrichment customer name, escaped');
  t.ok(event.includes('&lt;script&gt;alert(&quot;raw&quot;)&lt;/script&gt;'), 'and the raw field, escaped');
  t.ok(event.includes('&lt;script&gt;alert(&quot;response&quot;)&lt;/script&gt;'), 'and the response excerpt of the failed attempt, escaped');
  t.ok(event.includes('HTTP 400'), 'the failed attempt shows its status');
  const attempt = /<tr id="attempt-crm-1">([\s\S]*?)<\/tr>/.exec(event)?.[1] ?? '';
  t.ok(attempt.includes('&lt;script&gt;alert(&quot;response&quot;)&lt;/script&gt;'), 'its row in the attempts log holds the response excerpt, escaped');
  t.ok(attempt.includes('HTTP 400') && attempt.includes('dead'), 'with its status and outcome');
  t.ok(attempt.includes('&lt;img src=x onerror=alert(&quot;error&quot;)&gt;'), 'and the reason, escaped');
  t.match(event, /id="attempts-chat"[\s\S]*?No attempt yet/, 'a delivery not yet attempted says so');
  const list = (await get(`${f.url}/events`)).body;
  t.ok(list.includes('&lt;script&gt;alert(&quot;customer&quot;)'), 'the events list summary names the customer, escaped');
  t.ok((await get(`${f.url}/corps`)).body.includes('&lt;script&gt;alert(&quot;corp&quot;)'), 'the corps page shows the corp name, escaped');
  t.ok((await get(`${f.url}/targets`)).body.includes('&lt;script&gt;alert(&quot;reason&quot;)'), 'the targets page shows the disable reason, escaped');
  t.ok((await get(`${f.url}/dead`)).body.includes('&lt;img src=x onerror=alert(&quot;error&quot;)&gt;'), 'the dead letters show the error, escaped');
  const ticket = (await get(`${f.url}/events/${f.ticketEventId}`)).body;
  t.ok(ticket.includes('[redacted]'), 'the suite_ticket event shows its ticket masked, as events show does');
});

t.test('every response carries the security headers', async (t) => {
  const f = await startConsoleFixture(t);
  for (const page of [...consolePages(f), '/console.css']) {
    const { headers } = await get(`${f.url}${page}`);
    t.equal(headers.get('content-security-policy'), "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", `${page}: CSP with no external source`);
    t.equal(headers.get('x-frame-options'), 'DENY', `${page}: X-Frame-Options`);
    t.equal(headers.get('x-content-type-options'), 'nosniff', `${page}: nosniff`);
    t.equal(headers.get('referrer-policy'), 'no-referrer', `${page}: Referrer-Policy`);
  }
  t.equal((await get(`${f.url}/console.css`)).headers.get('content-type'), 'text/css; charset=utf-8', 'the stylesheet is served as CSS');
});

t.test('the overview shows the chart, the app and the targets', async (t) => {
  const f = await startConsoleFixture(t);
  const { body } = await get(`${f.url}/`);
  t.match(body, /<svg class="chart"[^>]*viewBox/, 'an inline SVG chart');
  t.match(body, /received 2<\/span>/, 'two callbacks received in the last 24 h');
  t.match(body, /dead 1<\/span>/, 'one delivery went dead');
  t.match(body, /crm-suite/, 'the app is listed');
  t.match(body, /5 min/, 'with its suite_ticket age');
  t.match(body, /<a href="\/targets">crm<\/a>/, 'the targets are listed and linked');
  t.match(body, /href="\/events\/evt_hostile"/, 'the last error links to its event');
});

t.test('actions from a foreign origin are refused', async (t) => {
  const f = await startConsoleFixture(t);
  const id = `${f.deadEventId}:crm`;
  const evil = await post(`${f.url}/deliveries/replay`, { id }, { origin: 'http://evil.example' });
  t.equal(evil.status, 403, 'a foreign Origin → 403');
  const nullOrigin = await post(`${f.url}/deliveries/replay`, { id }, { origin: 'null' });
  t.equal(nullOrigin.status, 403, 'an opaque (null) Origin → 403');
  const crossSite = await post(`${f.url}/deliveries/replay`, { id }, { 'sec-fetch-site': 'cross-site' });
  t.equal(crossSite.status, 403, 'Sec-Fetch-Site: cross-site → 403');
  t.equal((await f.store.getDelivery(id))!.state, 'dead', 'nothing was replayed');
  const ok = await post(`${f.url}/deliveries/replay`, { id, back: `/events/${f.deadEventId}` }, sameOrigin(f));
  t.equal(ok.status, 303, 'the same origin → 303');
  t.equal(ok.headers.get('location'), `/events/${f.deadEventId}?notice=replayed`, 'back to the event page with a notice');
  const replayed = (await f.store.getDelivery(id))!;
  t.equal(replayed.state, 'pending', 'the delivery is pending again');
  t.equal(replayed.replays, 1, 'counted as a replay');
  const page = (await get(`${f.url}${ok.headers.get('location')}`)).body;
  t.match(page, /re-queued with a fresh retry budget/, 'the page says so');
  const offsite = await post(`${f.url}/deliveries/replay`, { id, back: '//evil.example/x' }, sameOrigin(f));
  t.equal(offsite.headers.get('location'), '/dead?notice=replayed', 'a `back` off this site is ignored');
});

t.test('a DNS-rebinding request (a foreign Host on a loopback listener) is refused', async (t) => {
  const f = await startConsoleFixture(t);
  const response = await new Promise<number>((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const req = request(`${f.url}/`, { headers: { host: 'rebind.example:9464' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    }, reject);
  });
  t.equal(response, 403, 'Host rebind.example → 403');
});

t.test('replay every dead delivery matching a filter, with its count and progress', async (t) => {
  const f = await startConsoleFixture(t);
  const dead = (await get(`${f.url}/dead?target=crm`)).body;
  t.match(dead, /<strong>1<\/strong> dead delivery matches/, 'the count of matches');
  const response = await post(`${f.url}/dead/replay`, { target: 'crm' }, sameOrigin(f));
  t.equal(response.status, 303, 'the bulk replay redirects');
  const location = response.headers.get('location')!;
  t.match(location, /^\/replays\/[\w-]+$/, 'to its progress page');
  const progress = await get(`${f.url}${location}`);
  t.match(progress.body, /Replay of 1 dead delivery/, 'the count replayed');
  t.match(progress.body, /0 \/ 1 finished/, 'progress: none finished yet');
  t.match(progress.body, /<meta http-equiv="refresh" content="2">/, 'and it refreshes itself while pending (no script)');
  t.equal((await f.store.getDelivery(`${f.deadEventId}:crm`))!.state, 'pending', 'the store has it pending');
});

t.test('targets are disabled and enabled through the shared target state', async (t) => {
  const f = await startConsoleFixture(t);
  const off = await post(`${f.url}/targets/disable`, { name: 'crm' }, sameOrigin(f));
  t.equal(off.status, 303, 'disable redirects');
  t.equal((await f.store.getKv<{ disabled: boolean }>(TARGET_STATE_NS, 'crm'))!.value.disabled, true, 'crm is disabled in the store');
  const on = await post(`${f.url}/targets/enable`, { name: 'chat' }, sameOrigin(f));
  t.equal(on.status, 303, 'enable redirects');
  t.equal((await f.store.getKv<{ disabled: boolean }>(TARGET_STATE_NS, 'chat'))!.value.disabled, false, 'chat is enabled again');
  t.equal((await post(`${f.url}/targets/disable`, { name: 'nope' }, sameOrigin(f))).status, 404, 'an unknown target → 404');
});

t.test('the events list filters and pages newest first without losing ties', async (t) => {
  const f = await startConsoleFixture(t, { extraEvents: 120 });
  const seen: string[] = [];
  let next: string | null = '/events';
  for (let pages = 0; next && pages < 10; pages++) {
    const body: string = (await get(`${f.url}${next}`)).body;
    seen.push(...[...body.matchAll(/href="\/events\/(evt_[\w]+)"/g)].map((m) => m[1]!));
    next = /<a href="([^"]+)" rel="next">/.exec(body)?.[1]?.replace(/&amp;/g, '&') ?? null;
  }
  t.same(seen, f.eventIds, 'every event once, newest first, across pages');
  const filtered = (await get(`${f.url}/events?type=external_contact.*`)).body;
  t.same([...filtered.matchAll(/href="\/events\/(evt_[\w]+)"/g)].map((m) => m[1]), ['evt_hostile'], 'a type glob filters');
  const byState = (await get(`${f.url}/events?state=failed`)).body;
  t.match(byState, /No event matches/, 'a state filter with no match');
  const since = (await get(`${f.url}/events?since=1h`)).body;
  t.same([...since.matchAll(/href="\/events\/(evt_[\w]+)"/g)].map((m) => m[1]), ['evt_hostile', 'evt_ticket'], 'since 1h keeps the recent two');
});

t.test('with admin.token: every page and action needs it; the login form sets an HttpOnly SameSite=Strict cookie', async (t) => {
  const f = await startConsoleFixture(t, { token: TOKEN });
  for (const page of consolePages(f)) {
    const answer = await get(`${f.url}${page}`);
    t.equal(answer.status, 401, `${page}: 401 without the token`);
    t.match(answer.body, /name="token" type="password"/, `${page}: the login form instead`);
    t.notOk(answer.body.includes('&lt;script'), `${page}: and nothing of the store`);
  }
  t.equal((await get(`${f.url}/`, { authorization: `Bearer ${TOKEN}` })).status, 200, 'the bearer header opens a page');
  const id = `${f.deadEventId}:crm`;
  t.equal((await post(`${f.url}/deliveries/replay`, { id }, sameOrigin(f))).status, 403, 'an action without the token → 403');
  t.equal((await post(`${f.url}/targets/disable`, { name: 'crm' }, sameOrigin(f))).status, 403, 'target disable without the token → 403');
  t.equal((await post(`${f.url}/deliveries/replay`, { id }, { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` })).status, 403, 'the token from a foreign origin → 403');
  t.equal((await f.store.getDelivery(id))!.state, 'dead', 'nothing was replayed');

  const wrong = await post(`${f.url}/login`, { token: `${TOKEN}x`, next: '/dead' }, sameOrigin(f));
  t.equal(wrong.status, 401, 'a wrong token → 401');
  t.equal(wrong.headers.get('set-cookie'), null, 'and no cookie');
  t.equal((await post(`${f.url}/login`, { token: TOKEN }, { origin: 'http://evil.example' })).status, 403, 'a cross-origin login → 403');
  const login = await post(`${f.url}/login`, { token: TOKEN, next: '/dead' }, sameOrigin(f));
  t.equal(login.status, 303, 'the right token → 303');
  t.equal(login.headers.get('location'), '/dead', 'to the page asked for');
  const setCookie = login.headers.get('set-cookie') ?? '';
  t.match(setCookie, /^wr_console=[\w-]+\.\d+\.[\w-]+;/, 'a session cookie');
  t.match(setCookie, /HttpOnly/, 'HttpOnly');
  t.match(setCookie, /SameSite=Strict/, 'SameSite=Strict');
  t.notOk(setCookie.includes(TOKEN), 'the token itself is not in the cookie');
  const cookie = setCookie.split(';')[0]!;
  const page = await get(`${f.url}/dead`, { cookie });
  t.equal(page.status, 200, 'the cookie opens pages');
  t.match(page.body, /Log out/, 'with a log-out button');
  t.equal((await get(`${f.url}/dead`, { cookie: `${cookie.slice(0, -2)}xx` })).status, 401, 'a tampered cookie does not');
  const act = await post(`${f.url}/deliveries/replay`, { id }, { ...sameOrigin(f), cookie });
  t.equal(act.status, 303, 'an action with the cookie from the same origin works');
  t.equal((await f.store.getDelivery(id))!.state, 'pending', 'and replays');
  const logout = await post(`${f.url}/logout`, {}, { ...sameOrigin(f), cookie });
  t.match(logout.headers.get('set-cookie') ?? '', /wr_console=;.*Max-Age=0/, 'log out clears the cookie');
  t.equal((await get(`${f.url}/healthz`)).status, 401, '/healthz still needs the bearer token');
  t.equal((await get(`${f.url}/healthz`, { cookie })).status, 401, 'and the console cookie does not open it');
});

t.test('on a non-loopback bind without a token, pages are readable and actions refused', async (t) => {
  const f = await startConsoleFixture(t, { host: '0.0.0.0' });
  t.equal((await get(`${f.url}/targets`)).status, 200, 'pages follow the admin rules (readable)');
  t.match((await get(`${f.url}/targets`)).body, /Actions are off/, 'the targets page says actions are off');
  const id = `${f.deadEventId}:crm`;
  const refused = await post(`${f.url}/deliveries/replay`, { id }, sameOrigin(f));
  t.equal(refused.status, 403, 'a replay → 403');
  t.match(refused.body, /admin\.token is not set/, 'saying why');
  t.equal((await post(`${f.url}/targets/disable`, { name: 'crm' }, sameOrigin(f))).status, 403, 'a disable → 403');
  t.equal((await f.store.getDelivery(id))!.state, 'dead', 'nothing changed');
});
