import { WecomApiError } from '../../src/errors.js';
import type { TokenApi } from '../../src/wecom-api/token-provider.js';

/** What a fake endpoint does on one call: answer, or throw a WeCom errcode. */
export type FakeOutcome<T> = T | { readonly errcode: number };

/** A scripted stand-in for the four suite endpoints the token provider calls, counting calls. */
export interface FakeTokenApi extends TokenApi {
  readonly calls: { suiteToken: number; corpToken: number; permanentCode: number; authInfo: number };
  /** The suite_ticket each get_suite_token call was made with. */
  readonly ticketsUsed: string[];
  /** The permanent code each get_corp_token call was made with. */
  readonly permanentCodesUsed: string[];
  /** Scripted outcomes, consumed first; then the defaults (`suite-token-N`, `corp-token-N`). */
  readonly script: {
    suiteToken: Array<FakeOutcome<{ suite_access_token: string; expires_in: number }>>;
    corpToken: Array<FakeOutcome<{ access_token: string; expires_in: number }>>;
  };
  /** When set, get_suite_token waits for it (to hold a fetch in flight). */
  suiteGate?: Promise<void>;
  /** Resolves when get_suite_token is first entered. */
  readonly suiteEntered: Promise<void>;
  /** Called inside get_suite_token, e.g. to simulate another writer. */
  duringSuiteFetch?: () => Promise<void>;
}

/** Builds a {@link FakeTokenApi}. `corpId` is the corp get_permanent_code answers for. */
export function fakeTokenApi(corpId = 'wxcorp1', expiresIn = 7200): FakeTokenApi {
  let entered!: () => void;
  const suiteEntered = new Promise<void>((resolve) => (entered = resolve));
  let exchange = 0;
  const api: FakeTokenApi = {
    calls: { suiteToken: 0, corpToken: 0, permanentCode: 0, authInfo: 0 },
    ticketsUsed: [],
    permanentCodesUsed: [],
    script: { suiteToken: [], corpToken: [] },
    suiteEntered,
    async getSuiteToken(_suiteId, _secret, ticket) {
      api.calls.suiteToken++;
      api.ticketsUsed.push(ticket);
      entered();
      if (api.suiteGate) await api.suiteGate;
      if (api.duringSuiteFetch) await api.duringSuiteFetch();
      return outcome(api.script.suiteToken.shift(), 'service/get_suite_token') ?? { suite_access_token: `suite-token-${api.calls.suiteToken}`, expires_in: expiresIn };
    },
    async getCorpToken(_suiteToken, _corpId, permanentCode) {
      api.calls.corpToken++;
      api.permanentCodesUsed.push(permanentCode);
      await Promise.resolve();
      return outcome(api.script.corpToken.shift(), 'service/get_corp_token') ?? { access_token: `corp-token-${api.calls.corpToken}`, expires_in: expiresIn };
    },
    async getPermanentCode(_suiteToken, _authCode) {
      api.calls.permanentCode++;
      exchange++;
      return {
        access_token: 'corp-token-0',
        expires_in: expiresIn,
        permanent_code: `permanent-code-${exchange}`,
        auth_corp_info: { corpid: corpId, corp_name: 'Acme' },
        auth_info: { agent: [{ agentid: 1000001, name: 'Relay' }] },
        auth_user_info: { userid: 'admin', name: 'Admin' },
      };
    },
    async getAuthInfo(_suiteToken, authCorpId) {
      api.calls.authInfo++;
      return { auth_corp_info: { corpid: authCorpId, corp_name: 'Acme Renamed' }, auth_info: { agent: [{ agentid: 1000002 }] } };
    },
  };
  return api;
}

function outcome<T>(next: FakeOutcome<T> | undefined, path: string): T | undefined {
  if (next && typeof next === 'object' && 'errcode' in next) {
    throw new WecomApiError(path, next.errcode, 'scripted');
  }
  return next;
}
