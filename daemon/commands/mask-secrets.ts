import { isSecretField } from '../../src/events/normalize.js';
import type { CallbackRecord } from '../../src/store/store.js';
import type { FieldValue } from '../../src/xml/fields.js';

/** The same rule the normalizer uses to keep credentials out of events, plus our own `secret`. */
const isSecret = (key: string): boolean => isSecretField(key) || /^secret$/i.test(key);

function collectSecrets(value: FieldValue, key: string, out: string[]): void {
  if (typeof value === 'string') {
    if (isSecret(key) && value.length > 0) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, key, out);
  } else {
    for (const [k, v] of Object.entries(value)) collectSecrets(v, k, out);
  }
}

function maskFields(value: FieldValue, key: string): FieldValue {
  if (typeof value === 'string') return isSecret(key) ? '[redacted]' : value;
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
