/**
 * The logger the WeCom API modules write to: the pino-compatible subset `(fields, message)`. Pass the
 * daemon's pino logger (or a child of it); the default discards everything. Callers never get tokens,
 * query strings or request bodies in `fields`: only paths, errcodes, attempt numbers and corp ids.
 */
export interface ApiLogger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** An {@link ApiLogger} that discards everything (the default when none is injected). */
export const NOOP_API_LOGGER: ApiLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
