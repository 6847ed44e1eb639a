import { readFileSync } from 'node:fs';
import t from 'tap';
import { ERROR_CATALOG, WecomApiError, WecomRelayError, hasCode } from '../src/errors.js';

t.test('every error code has a row in docs/errors.md with its HTTP status', async (t) => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, { status }] of Object.entries(ERROR_CATALOG)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    t.ok(row, `${code} is documented`);
    if (row) t.equal(row.split('|')[2]?.trim(), status === 0 ? '—' : String(status), `${code}: the documented status is ${status || 'none'}`);
  }
});

t.test('errors carry a stable code, the catalogue status and their cause', async (t) => {
  const cause = new Error('disk full');
  const error = new WecomRelayError('ERR_STORE_UNAVAILABLE', { cause });
  t.equal(error.code, 'ERR_STORE_UNAVAILABLE', 'code');
  t.equal(error.status, 503, 'status from the catalogue');
  t.equal(error.cause, cause, 'cause kept');
  t.ok(hasCode(error, 'ERR_STORE_UNAVAILABLE'), 'hasCode matches');
  t.notOk(hasCode(new Error('x'), 'ERR_STORE_UNAVAILABLE'), 'hasCode rejects other errors');
  const api = new WecomApiError('externalcontact/get', 84061, 'not external contact');
  t.ok(api instanceof WecomRelayError, 'API errors are relay errors');
  t.same([api.code, api.errcode, api.path], ['ERR_WECOM_API', 84061, 'externalcontact/get'], 'errcode and path');
});
