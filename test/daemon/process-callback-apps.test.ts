import t from 'tap';
import { processCallback, type Enricher, type ProcessContext } from '../../daemon/consumer/process-callback.js';
import { sampleCallback } from '../../src/events/samples.js';
import type { EventApp } from '../../src/events/normalize.js';
import type { Logger } from '../../src/logger.js';
import type { CallbackRecord } from '../../src/store/records.js';
import { toNewCallback } from '../../src/receiver/to-new-callback.js';
import type { TokenProvider } from '../../src/wecom-api/token-provider.js';

const NOW = 1_700_000_000_000;
const CORP = 'wwcorp000000000001';
const APPS: EventApp[] = [
  { id: 'wwCRMsuite', name: 'crm', kind: 'suite' },
  { id: 'wwHRcontactEdit', name: 'hr', kind: 'contact_edit' },
  { id: 'dkTEMPLATE', name: 'tpl', kind: 'customized' },
];

/** A provider that records what was asked of it, as app `appId`. */
function fakeProvider(appId: string, calls: string[]): TokenProvider {
  const corp = { corpId: CORP, corpName: 'Corp', state: 'active' };
  return {
    appId,
    saveSuiteTicket: async (ticket: string) => { calls.push(`${appId} saveSuiteTicket ${ticket}`); return true; },
    exchangeAuthCode: async (code: string) => { calls.push(`${appId} exchangeAuthCode ${code}`); return corp; },
    refreshAuthInfo: async (corpId: string) => { calls.push(`${appId} refreshAuthInfo ${corpId}`); return corp; },
    revokeCorp: async (corpId: string) => { calls.push(`${appId} revokeCorp ${corpId}`); return { ...corp, state: 'revoked' }; },
  } as unknown as TokenProvider;
}

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (fields: Record<string, unknown>, msg: string) => { lines.push(`${level} ${msg} ${JSON.stringify(fields)}`); };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as unknown as Logger;
}

function callbackOf(kind: string, app: EventApp, fields: Record<string, string> = {}): CallbackRecord {
  const sample = sampleCallback(kind, { suiteId: app.id, corpId: CORP, now: new Date(NOW) });
  const merged = { ...sample.fields, ...fields };
  const created = toNewCallback({ endpoint: sample.endpoint, suiteId: app.id, receiveId: app.id, receivedAt: NOW, plaintext: JSON.stringify(merged), fields: merged });
  return { ...created, state: 'pending', attempts: 1, nextAttemptAt: NOW, leaseOwner: 'me', leaseUntil: NOW + 30_000, lastError: null, event: null, processedAt: null };
}

function context(calls: string[], logs: string[], enriched: string[]): ProcessContext {
  const providers = new Map(APPS.filter((app) => app.name !== 'tpl').map((app) => [app.id, fakeProvider(app.id, calls)]));
  // tpl has a provider too; an app without one is left out on purpose below.
  providers.set('dkTEMPLATE', fakeProvider('dkTEMPLATE', calls));
  const enricher = (appId: string): Enricher => async (event) => {
    enriched.push(`${appId} ${event.type}`);
    return { kind: 'done', enrichment: { by: appId }, error: null };
  };
  return {
    suiteIds: ['wwCRMsuite'], apps: APPS, tokens: null, enrich: null,
    providers, enrichers: new Map(APPS.map((app) => [app.id, enricher(app.id)])),
    targets: [], logger: recordingLogger(logs), now: () => NOW, maxEnrichDelayMs: 60_000,
  };
}

t.test('each callback\'s credential step runs on its own app\'s provider', async (t) => {
  const calls: string[] = [];
  const ctx = context(calls, [], []);
  for (const app of APPS) {
    await processCallback(callbackOf('suite_ticket', app, { SuiteTicket: `ticket-${app.name}` }), ctx);
    await processCallback(callbackOf('create_auth', app, { AuthCode: `code-${app.name}` }), ctx);
    await processCallback(callbackOf('change_auth', app), ctx);
    await processCallback(callbackOf('reset_permanent_code', app, { AuthCode: `reset-${app.name}` }), ctx);
  }
  await processCallback(callbackOf('cancel_auth', APPS[0]!), ctx);
  t.same(calls, [
    'wwCRMsuite saveSuiteTicket ticket-crm', 'wwCRMsuite exchangeAuthCode code-crm', `wwCRMsuite refreshAuthInfo ${CORP}`, 'wwCRMsuite exchangeAuthCode reset-crm',
    'wwHRcontactEdit saveSuiteTicket ticket-hr', 'wwHRcontactEdit exchangeAuthCode code-hr', `wwHRcontactEdit refreshAuthInfo ${CORP}`, 'wwHRcontactEdit exchangeAuthCode reset-hr',
    'dkTEMPLATE saveSuiteTicket ticket-tpl', 'dkTEMPLATE exchangeAuthCode code-tpl', `dkTEMPLATE refreshAuthInfo ${CORP}`, 'dkTEMPLATE exchangeAuthCode reset-tpl',
    `wwCRMsuite revokeCorp ${CORP}`,
  ], 'suite_ticket, create_auth, change_auth, reset_permanent_code per app; cancel_auth only the suite\'s');
});

t.test('a ticket naming another app, or for an app without a provider, is not saved and is logged', async (t) => {
  const calls: string[] = [];
  const logs: string[] = [];
  const ctx = context(calls, logs, []);
  const crossed = await processCallback(callbackOf('suite_ticket', APPS[0]!, { SuiteId: 'dkTEMPLATE', SuiteTicket: 'crossed' }), ctx);
  t.equal(crossed.kind, 'complete');
  t.same(calls, [], 'the suite\'s URL carried the template\'s ticket: not saved');
  t.ok(logs.some((l) => l.startsWith('warn suite_ticket for another suite') && l.includes('"appId":"wwCRMsuite"')), 'logged with the app');
  const unknown: EventApp = { id: 'wwUNKNOWN', name: 'x', kind: 'suite' };
  await processCallback(callbackOf('suite_ticket', unknown, { SuiteTicket: 'nobody' }), ctx);
  t.same(calls, [], 'an unknown app\'s ticket: not saved');
  t.ok(logs.some((l) => l.includes('suite_ticket for an app this relay does not manage') && l.includes('wwUNKNOWN')), 'and logged');
  t.notOk(logs.some((l) => l.includes('crossed') || l.includes('nobody')), 'no ticket in any line');
});

t.test('each event is enriched by its own app\'s enricher; an app without one is not enriched', async (t) => {
  const enriched: string[] = [];
  const ctx = context([], [], enriched);
  const results = [];
  for (const app of APPS) {
    const outcome = await processCallback(callbackOf('create_user', app), ctx);
    results.push(outcome.kind === 'complete' ? outcome.event.enrichment : null);
  }
  t.same(enriched, ['wwCRMsuite contact.user.created', 'wwHRcontactEdit contact.user.created', 'dkTEMPLATE contact.user.created']);
  t.same(results, [{ by: 'wwCRMsuite' }, { by: 'wwHRcontactEdit' }, { by: 'dkTEMPLATE' }]);
  const bare = await processCallback(callbackOf('create_user', { id: 'wwUNKNOWN', name: 'x', kind: 'suite' }), ctx);
  t.equal(bare.kind === 'complete' ? bare.event.enrichment : 'deferred', null, 'no enricher: forwarded as is');
});

t.test('without providers the one-suite context behaves as before', async (t) => {
  const calls: string[] = [];
  const tokens = fakeProvider('wwCRMsuite', calls);
  const ctx: ProcessContext = { suiteIds: ['wwCRMsuite'], apps: APPS, tokens, enrich: null, targets: [], logger: recordingLogger([]), now: () => NOW, maxEnrichDelayMs: 60_000 };
  await processCallback(callbackOf('suite_ticket', APPS[0]!, { SuiteTicket: 'one' }), ctx);
  await processCallback(callbackOf('suite_ticket', APPS[2]!, { SuiteTicket: 'other' }), ctx);
  t.same(calls, ['wwCRMsuite saveSuiteTicket one'], 'a ticket naming another suite is not saved');
});
