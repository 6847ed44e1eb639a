/**
 * The logging surface library code writes to: a subset of pino's, so a pino logger can be passed as is.
 * Library code never calls `console.*`; it logs through an injected {@link Logger}.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A logger that drops everything (the default when none is injected). */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
