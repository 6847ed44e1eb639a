import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

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
}

/**
 * The daemon's pino logger: JSON lines, secret keys redacted at any depth (up to three levels), and the
 * configured secret values replaced wherever they occur in a line (an error message quoting a URL, say).
 */
export function createLogger(options: CreateLoggerOptions): PinoLogger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const base = options.destination ?? pino.destination({ dest: 1, sync: false });
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
