/**
 * A condition re-checked whenever something it depends on changes, instead of on a polling timer: the
 * owner calls `changed()` after every change (a request recorded, a delivery finished, a log line), and
 * `until(check, timeoutMs)` resolves true as soon as `check()` holds, false if it still does not after
 * `timeoutMs` (so a test asserts on the result with its own message instead of hanging).
 */
export interface Condition {
  changed(): void;
  until(check: () => boolean, timeoutMs: number): Promise<boolean>;
}

/** Creates a {@link Condition}. */
export function createCondition(): Condition {
  const waiters = new Set<() => void>();
  return {
    changed() {
      for (const waiter of [...waiters]) waiter();
    },
    until(check, timeoutMs) {
      if (check()) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (result: boolean) => {
          clearTimeout(timer);
          waiters.delete(recheck);
          resolve(result);
        };
        const recheck = () => {
          if (check()) finish(true);
        };
        const timer = setTimeout(() => finish(check()), timeoutMs);
        waiters.add(recheck);
      });
    },
  };
}
