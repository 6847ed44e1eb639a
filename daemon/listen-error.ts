/**
 * A listener of the relay (receiver or admin) could not bind its port. Carries the setting that names the
 * port, so the CLI can say `admin.port 9464 is in use` in one line instead of an `EADDRINUSE` stack.
 */
export class ListenError extends Error {
  /** The system error code: `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL` … */
  readonly code: string;
  /** The configuration key of the port, e.g. `admin.port`. */
  readonly setting: string;
  readonly host: string;
  readonly port: number;

  constructor(setting: string, host: string, port: number, cause: unknown) {
    const code = String((cause as { code?: unknown } | null)?.code ?? 'ERR_LISTEN');
    const why = code === 'EADDRINUSE' ? 'is in use'
      : code === 'EACCES' ? 'needs privileges (ports below 1024 do)'
        : code === 'EADDRNOTAVAIL' ? `cannot be bound: ${host} is not an address of this machine`
          : `cannot be bound (${code})`;
    super(`${setting} ${port} ${why} (${host}:${port}): the relay did not start`, { cause });
    this.name = 'ListenError';
    this.code = code;
    this.setting = setting;
    this.host = host;
    this.port = port;
  }
}

/** Runs `listen`, turning its failure into a {@link ListenError} naming `setting`. */
export async function listenAs<T>(setting: string, host: string, port: number, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    if (typeof (error as { code?: unknown } | null)?.code === 'string' && (error as { syscall?: unknown }).syscall === 'listen') {
      throw new ListenError(setting, host, port, error);
    }
    throw error;
  }
}
