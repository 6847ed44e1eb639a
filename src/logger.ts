/**
 * The one logging surface of the library and the daemon: a subset of pino's, so a pino logger (or a
 * child of it) can be passed as is. Library code never calls `console.*`; it logs through an injected
 * {@link Logger}. Callers never put tokens, keys, query strings or bodies in `obj`: only ids, paths,
 * codes and counts.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** Field names whose values are never written, whatever the caller passed (compared lower-cased, without `_`/`-`). */
const SECRET_KEYS = new Set(['token', 'secret', 'suitesecret', 'encodingaeskey', 'key', 'suiteticket', 'ticket', 'authcode',
  'permanentcode', 'accesstoken', 'password', 'plaintext', 'body', 'content']);
const MAX_TEXT = 200;

/** A log field's value as one line of JSON: errors by name/code/message, long strings cut, secrets dropped. */
function lineValue(value: unknown, depth: number): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return `${value.name}${typeof code === 'string' ? ` ${code}` : ''}: ${value.message.slice(0, MAX_TEXT)}`;
  }
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
  if (depth >= 3) return Array.isArray(value) ? '[array]' : '[object]';
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => lineValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    out[name] = SECRET_KEYS.has(name.toLowerCase().replace(/[_-]/g, '')) ? '[redacted]' : lineValue(item, depth + 1);
  }
  return out;
}

/**
 * A logger that writes warnings and errors as one line each (`wecom-relay WARN message {"field":…}`) and
 * drops debug and info: the library's default, so a hook that throws or a store that cannot be opened is
 * never silent. Values under secret-looking names are redacted, errors reduced to name, code and message.
 *
 * @param write where a line goes (it ends with `\n`). @default process.stderr.write
 */
export function createStderrLogger(write: (line: string) => void = (line) => { process.stderr.write(line); }): Logger {
  const emit = (level: 'WARN' | 'ERROR') => (obj: object, msg?: string): void => {
    let fields = '';
    try {
      const value = lineValue(obj, 0);
      fields = value && typeof value === 'object' && Object.keys(value).length > 0 ? ` ${JSON.stringify(value)}` : '';
    } catch {
      fields = '';
    }
    write(`wecom-relay ${level} ${(msg ?? '').replace(/[\r\n]+/g, ' ')}${fields}\n`);
  };
  return Object.freeze({ debug() {}, info() {}, warn: emit('WARN'), error: emit('ERROR') });
}
