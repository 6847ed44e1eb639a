import { startMockWecomApi, type StartedMockWecomApi, type StartMockWecomApiOptions } from '../../daemon/mock-api/start-mock-wecom-api.js';

/** The suite the mock API tests use. */
export const SUITE = { suiteId: 'ww917724cb573d8629', suiteSecret: 'mock-suite-secret' };

/** A WeCom-style JSON answer. */
export type Body = Record<string, unknown>;

/** The one thing the helpers need from a tap test. */
export type Teardown = { teardown(fn: () => unknown): void };

/** A listening mock with every credential of the built-in corp, obtained through the real chain. */
export interface Authorized {
  mock: StartedMockWecomApi;
  /** The corp access_token. */
  token: string;
  suiteToken: string;
  ticket: string;
  permanentCode: string;
  authCode: string;
}

/** Starts the mock on port 0 (closed at teardown), issues a ticket and an auth code, and walks the chain. */
export async function authorized(t: Teardown, options: Partial<StartMockWecomApiOptions> = {}): Promise<Authorized> {
  const mock = await startMockWecomApi({ ...SUITE, ...options });
  t.teardown(() => mock.close());
  const { ticket } = mock.issueSuiteTicket();
  const suite = await post(mock, 'service/get_suite_token', {}, { suite_id: SUITE.suiteId, suite_secret: SUITE.suiteSecret, suite_ticket: ticket });
  const suiteToken = String(suite['suite_access_token']);
  const { authCode } = mock.issueAuthCode();
  const permanent = await post(mock, 'service/get_permanent_code', { suite_access_token: suiteToken }, { auth_code: authCode });
  return { mock, token: String(permanent['access_token']), suiteToken, ticket, permanentCode: String(permanent['permanent_code']), authCode };
}

/** GET `/cgi-bin/<path>` with a query; the parsed JSON answer. */
export async function get(mock: StartedMockWecomApi, path: string, query: Record<string, string>): Promise<Body> {
  const response = await fetch(new URL(`/cgi-bin/${path}?${new URLSearchParams(query).toString()}`, mock.url));
  return (await response.json()) as Body;
}

/** POST JSON to `/cgi-bin/<path>` with a query; the parsed JSON answer. */
export async function post(mock: StartedMockWecomApi, path: string, query: Record<string, string>, body: unknown): Promise<Body> {
  const response = await fetch(new URL(`/cgi-bin/${path}?${new URLSearchParams(query).toString()}`, mock.url), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return (await response.json()) as Body;
}
