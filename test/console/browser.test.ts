import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { TARGET_STATE_NS } from '../../daemon/delivery/target-state.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { startTestRelay } from '../e2e/helpers/test-relay.js';
import { startFaultyTarget } from '../reliability/helpers/faulty-target.js';
import { seedHistory } from './helpers/seed-history.js';

/**
 * The console in a real headless Chromium (Debian `chromium`, driven by playwright-core) over a real relay
 * (`wecom-relay start` wiring: receiver, daemon, admin) and a local target that rejects the first event
 * once: follow links to it, see the failed attempt, click replay, see the daemon deliver it.
 */

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const TOKEN = 'adm_browser_test_token_0123456789';
/** Screenshots go to docs/images only when asked (`WECOM_RELAY_SCREENSHOTS=1`), so a test run leaves the repo as it was. */
const WRITE_DOCS = process.env['WECOM_RELAY_SCREENSHOTS'] === '1';

if (CHROMIUM === undefined) {
  t.plan(0, 'chromium not found at /usr/bin/chromium (apt-get install -y chromium) — skipping the console browser tests');
} else {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());

  t.test('overview → event → failed attempt → replay → delivered; filter; disable and enable', async (t) => {
    const dir = t.testdir();
    // A day of history in the same file first, so the chart and the screenshots show what a running relay looks like.
    const history = new SqliteStore(join(dir, 'wecom-relay.db'));
    await seedHistory(history, Date.now());
    await history.close();

    // Rejects the first attempt of the one event under test (install events and the rest go through).
    let rejectId = '';
    const target = await startFaultyTarget(t, ({ eventId, attempt }) =>
      eventId === rejectId && attempt === 1 ? { status: 422, body: '{"error":"customer schema mismatch: field \\"state\\" unknown"}' } : 'ok');
    const relay = await startTestRelay(t, {
      dir, enrich: true, admin: { enabled: true, host: '127.0.0.1', port: 0 },
      targets: [{ name: 'crm', url: target.url, format: 'json' }],
    });
    t.ok((await relay.install()).ok, 'the suite is installed on the mock API (ticket + corp)');
    const sent = relay.seal('add_external_contact');
    rejectId = sent.eventId;
    t.equal((await relay.post(sent)).status, 200, 'WeCom would get success');
    const deliveryId = `${sent.eventId}:crm`;
    t.ok(await relay.until(async () => (await relay.store.getDelivery(deliveryId))?.state === 'dead', 15_000), 'the target rejected it: dead');

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    t.teardown(() => page.close());
    const base = relay.relay.admin!.url;
    await page.goto(`${base}/`);
    t.equal(await page.locator('h1').textContent(), 'Overview', 'the overview opens');
    t.equal(await page.locator('svg.chart').count(), 1, 'with its chart');
    const images = WRITE_DOCS ? join(import.meta.dirname, '..', '..', 'docs', 'images') : join(dir, 'images');
    mkdirSync(images, { recursive: true });
    await page.screenshot({ path: join(images, 'console-overview.png'), fullPage: true });

    await page.click('header nav >> text=Events');
    t.match(page.url(), /\/events$/, 'the nav leads to the events');
    await page.click(`a[href="/events/${sent.eventId}"]`);
    t.match(page.url(), new RegExp(`/events/${sent.eventId}$`), 'the list links to the event');
    const row = page.locator('tr#delivery-crm');
    t.equal(await row.locator('.badge').first().textContent(), 'dead', 'its delivery is dead');
    t.match(await row.textContent() ?? '', /HTTP 422/, 'the failed attempt shows its status');
    t.match(await row.textContent() ?? '', /customer schema mismatch/, 'and the response excerpt');
    const attempts = page.locator('#attempts-crm table.attempts tbody tr');
    t.equal(await attempts.count(), 1, 'the attempts log lists one attempt');
    const failed = await page.locator('tr#attempt-crm-1').textContent() ?? '';
    t.match(failed, /HTTP 422/, 'the failed attempt in the log: its status');
    t.match(failed, /dead/, 'its outcome');
    t.match(failed, /\{"error":"customer schema mismatch: field \\"state\\" unknown"\}/, 'and its response excerpt (the body as sent)');
    t.equal(failed.split('customer schema mismatch').length, 2, 'once: the reason that only repeats the body is not shown again');

    await row.locator('button', { hasText: 'Replay' }).click();
    t.match(await page.locator('.notice').textContent() ?? '', /re-queued/, 'the replay is confirmed');
    t.ok(await relay.until(async () => (await relay.store.getDelivery(deliveryId))?.state === 'delivered', 15_000), 'the daemon delivers it');
    await page.reload();
    t.equal(await page.locator('tr#delivery-crm .badge').first().textContent(), 'delivered', 'the page shows it delivered');
    t.match(await page.locator('tr#delivery-crm').textContent() ?? '', /HTTP 200/, 'with the 200 of the real send');
    t.same(await page.locator('#attempts-crm table.attempts tbody tr').evaluateAll((rows) => rows.map((r) => r.id)), ['attempt-crm-1', 'attempt-crm-2'],
      'the log now lists two attempts: the failed one, then the replay\'s after it');
    t.match(await page.locator('tr#attempt-crm-1').textContent() ?? '', /HTTP 422/, 'the failed attempt is still there');
    const replayed = await page.locator('tr#attempt-crm-2').textContent() ?? '';
    t.match(replayed, /replay 1/, 'the second attempt is the replay\'s');
    t.match(replayed, /delivered/, 'delivered');
    t.match(replayed, /HTTP 200/, 'with the 200 of the real send');
    t.match(replayed, /\d+ ms/, 'and how long it took');
    await page.screenshot({ path: join(images, 'console-event.png') });
    t.equal(target.seen.filter((s) => s.eventId === sent.eventId).length, 2, 'the target saw the event twice: rejected, then accepted');

    await page.goto(`${base}/events`);
    await page.fill('input[name="type"]', 'external_contact.*');
    await page.click('form.filters button[type="submit"]');
    t.match(page.url(), /type=external_contact\.\*/, 'the filter is in the URL');
    const types = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    t.ok(types.length > 0 && types.every((type) => type.startsWith('external_contact.')), `only external_contact.* rows (${types.length})`);

    await page.click('header nav >> text=Targets');
    await page.locator('tr#target-crm button', { hasText: 'Disable' }).click();
    t.equal(await page.locator('tr#target-crm .badge').textContent(), 'disabled', 'disabled on the page');
    t.equal((await relay.store.getKv<{ disabled: boolean }>(TARGET_STATE_NS, 'crm'))?.value.disabled, true, 'and in the store');
    await page.locator('tr#target-crm button', { hasText: 'Enable' }).click();
    t.equal(await page.locator('tr#target-crm .badge').textContent(), 'enabled', 'enabled again');
    t.equal((await relay.store.getKv<{ disabled: boolean }>(TARGET_STATE_NS, 'crm'))?.value.disabled, false, 'and in the store');
  });

  t.test('with admin.token, the browser logs in through the form', async (t) => {
    const relay = await startTestRelay(t, { dir: t.testdir(), mode: 'serve', targets: [], admin: { enabled: true, host: '127.0.0.1', port: 0, token: TOKEN } });
    const context = await browser.newContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    const base = relay.relay.admin!.url;
    const first = await page.goto(`${base}/corps`);
    t.equal(first?.status(), 401, 'a page without the token answers 401');
    t.equal(await page.locator('input[name="token"]').count(), 1, 'with the login form');
    await page.fill('input[name="token"]', 'wrong-token-0123456789');
    await page.click('button[type="submit"]');
    t.match(await page.locator('.notice').textContent() ?? '', /not the admin token/, 'a wrong token is refused');
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    t.equal(await page.locator('h1').textContent(), 'Corps', 'logged in, on the page first asked for');
    const [cookie] = await context.cookies();
    t.equal(cookie?.httpOnly, true, 'the session cookie is HttpOnly');
    t.equal(cookie?.sameSite, 'Strict', 'and SameSite=Strict');
    t.notOk(cookie?.value.includes(TOKEN), 'and does not hold the token');
    await page.click('text=Log out');
    t.equal(await page.locator('input[name="token"]').count(), 1, 'logging out shows the form again');
  });
}
