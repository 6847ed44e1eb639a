import type { Test } from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { startMockWecomApi, type StartedMockWecomApi } from '../../daemon/mock-api/start-mock-wecom-api.js';
import type { MockCall, MockCorpSeed, MockWecomApiOptions } from '../../daemon/mock-api/mock-types.js';
import type { Enricher } from '../../daemon/consumer/process-callback.js';
import { createEnricher, type CreateEnricherOptions } from '../../daemon/enrich/create-enricher.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { normalize } from '../../src/events/normalize.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/store.js';
import { WecomApiClient } from '../../src/wecom-api/client.js';
import { SuiteApi } from '../../src/wecom-api/suite-api.js';
import { TokenProvider } from '../../src/wecom-api/token-provider.js';
import type { FieldValue } from '../../src/xml/fields.js';

export const SUITE_ID = 'ww917724cb573d8629';
const SUITE_SECRET = 'mock-suite-secret-for-enrich-tests';
export const CORP_ID = DEFAULT_CORP_IDS.corpId;
export { DEFAULT_CORP_IDS };

/** A real mock WeCom API on port 0, a real SQLite store, client, SuiteApi and TokenProvider, an enricher. */
export interface EnrichHarness {
  readonly mock: StartedMockWecomApi;
  readonly store: Store;
  readonly api: SuiteApi;
  readonly tokens: TokenProvider;
  readonly enrich: Enricher;
  /** Every `onApiCall` report, in order. */
  readonly reports: Array<[api: string, errcode: number]>;
  /** A fresh enricher over the same store, API and credentials (e.g. to prove the store remembers). */
  newEnricher(options?: Partial<CreateEnricherOptions>): Enricher;
  /** Mock calls to one API path since the last `mock.clearCalls()`. */
  callsTo(path: string): MockCall[];
  /** Authorizes another corp (issues an auth code from the mock and exchanges it). */
  authorize(corp: Partial<MockCorpSeed>): Promise<string>;
}

/** Sets everything up (suite ticket saved, default corp authorized) and clears the mock's call log. */
export async function enrichHarness(t: Test, mockOptions: Partial<MockWecomApiOptions> = {}): Promise<EnrichHarness> {
  const mock = await startMockWecomApi({ suiteId: SUITE_ID, suiteSecret: SUITE_SECRET, ...mockOptions });
  t.teardown(() => mock.close());
  const store = await createStore(`sqlite:${t.testdir()}/db.sqlite`);
  t.teardown(() => store.close());
  // No real sleeping between the client's in-place retries of -1/45033.
  const client = new WecomApiClient({ baseUrl: mock.url, sleep: async () => {} });
  t.teardown(() => client.close());
  const api = new SuiteApi(client);
  const tokens = new TokenProvider({ store, api, suiteId: SUITE_ID, suiteSecret: SUITE_SECRET });
  const ticket = mock.issueSuiteTicket();
  await tokens.saveSuiteTicket(ticket.ticket, ticket.timestamp);
  const authorize = async (corp?: Partial<MockCorpSeed>): Promise<string> => {
    const { authCode } = mock.issueAuthCode(corp);
    return (await tokens.exchangeAuthCode(authCode)).corpId;
  };
  await authorize();
  const reports: Array<[string, number]> = [];
  const newEnricher = (options: Partial<CreateEnricherOptions> = {}): Enricher =>
    createEnricher({ api, tokens, store, onApiCall: (path, errcode) => reports.push([path, errcode]), ...options });
  const enrich = newEnricher();
  mock.clearCalls();
  return {
    mock, store, api, tokens, enrich, reports, newEnricher, authorize,
    callsTo: (path) => mock.calls.filter((call) => call.path === path),
  };
}

let sequence = 0;

/**
 * A command callback as WeCom sends it (every leaf a string), normalized into its event. `AuthCorpId`
 * defaults to the mock's default corp.
 */
export function commandEvent(infoType: string, changeType: string, fields: Record<string, FieldValue> = {}, corpId: string = CORP_ID): EventEnvelope {
  sequence += 1;
  return normalize({
    id: `evt_enrich_${sequence}`,
    endpoint: 'command',
    suiteId: SUITE_ID,
    receiveId: SUITE_ID,
    receivedAt: Date.now(),
    fields: { SuiteId: SUITE_ID, AuthCorpId: corpId, InfoType: infoType, TimeStamp: '1403610513', ChangeType: changeType, ...fields },
  });
}

/** A signal that never aborts. */
export function liveSignal(): AbortSignal {
  return new AbortController().signal;
}
