import type { CallbackRecord } from '../../src/store/store.js';
import type { FieldValue } from '../../src/xml/fields.js';

/** Field names whose values are secrets (WeCom's and ours), matched case-insensitively. */
const SECRET_FIELD = /^(suite_?ticket|auth_?code|permanent_?code|access_?token|suite_?access_?token|pre_?auth_?code|secret)$/i;

function collectSecrets(value: FieldValue, key: string, out: string[]): void {
  if (typeof value === 'string') {
    if (SECRET_FIELD.test(key) && value.length > 0) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, key, out);
  } else {
    for (const [k, v] of Object.entries(value)) collectSecrets(v, k, out);
  }
}

function maskFields(value: FieldValue, key: string): FieldValue {
  if (typeof value === 'string') return SECRET_FIELD.test(key) ? '[redacted]' : value;
  if (Array.isArray(value)) return value.map((v) => maskFields(v, key));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskFields(v, k)]));
}

/**
 * A stored callback as the CLI shows it: every secret field (SuiteTicket, AuthCode …) replaced by
 * `[redacted]`, in `fields` and inside `plaintext`.
 */
export function maskCallback(record: CallbackRecord): CallbackRecord {
  const secrets: string[] = [];
  for (const [k, v] of Object.entries(record.fields)) collectSecrets(v, k, secrets);
  let plaintext = record.plaintext;
  for (const secret of secrets) plaintext = plaintext.split(secret).join('[redacted]');
  const fields = maskFields(record.fields, '') as CallbackRecord['fields'];
  return { ...record, plaintext, fields };
}
