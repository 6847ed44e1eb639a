import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { PinoPretty } from 'pino-pretty';

/**
 * Every key whose value is a secret, wherever it appears in a log object. pino's redaction replaces
 * them with `[redacted]`; {@link createLogger} also scrubs known secret *values* out of messages.
 */
export const REDACTED_KEYS = [
  'secret', 'suiteSecret', 'suite_secret', 'token', 'encodingAESKey', 'SuiteTicket', 'suiteTicket', 'suite_ticket', 'ticket',
  'AuthCode', 'authCode', 'auth_code', 'PermanentCode', 'permanentCode', 'permanent_code', 'accessToken', 'access_token',
  'suiteAccessToken', 'suite_access_token', 'provider_access_token', 'authorization', 'Authorization', 'pre_auth_code', 'preAuthCode',
] as const;

const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  readonly level: string;
  /** Where lines go; stdout by default. */
  readonly destination?: DestinationStream;
  /** Secret values from the config (token, key, suite secret, target secrets) scrubbed from every line. */
  readonly secrets?: readonly string[];
  /**
   * `json`: one JSON object per line (for log collectors). `pretty`: one coloured, human line per entry
   * (pino-pretty), for a terminal. @default 'json'
   */
  readonly format?: 'json' | 'pretty';
}

/** `log.format: auto` resolved: pretty when the output is a terminal, JSON lines otherwise. */
export function resolveLogFormat(format: 'auto' | 'json' | 'pretty', isTerminal: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTerminal ? 'pretty' : 'json') : format;
}

/**
 * The daemon's pino logger: JSON lines (or pino-pretty's human lines), secret keys redacted at any depth (up to three levels), and the
 * configured secret values replaced wherever they occur in a line (an error message quoting a URL, say).
 */
export function createLogger(options: CreateLoggerOptions): PinoLogger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const out = options.destination ?? pino.destination({ dest: 1, sync: false });
  // A closed stdout (`wecom-relay start | head`) must not crash the relay: the lines have no reader left.
  (out as { on?: (event: string, fn: (err: NodeJS.ErrnoException) => void) => void }).on?.('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
  // Pretty-printing happens after the scrubbing below, on the JSON line, so it never sees a secret.
  const base: DestinationStream = options.format === 'pretty'
    ? PinoPretty({ destination: out as unknown as NodeJS.WritableStream, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name', singleLine: true })
    : out;
  const destination: DestinationStream = secrets.length === 0 ? base : {
    write(line: string) {
      let out = line;
      for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
      base.write(out);
    },
  };
  return pino({
    level: options.level,
    base: { name: 'wecom-relay' },
    redact: { paths, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  }, destination);
}
