import type { Store } from '../../../src/store/store.js';

/**
 * Where each of `ids` is stuck, for a failing assertion's message: the callback's state and attempts,
 * and each delivery's state, lease (owner and ms left) and last error. At most `limit` ids are described.
 */
export async function describeMissing(store: Store, ids: readonly string[], limit = 5): Promise<string> {
  const now = Date.now();
  const lines: string[] = [];
  for (const id of ids.slice(0, limit)) {
    const callback = await store.getCallback(id).catch((error: unknown) => error as Error);
    if (callback instanceof Error) {
      lines.push(`${id}: store error ${callback.message}`);
      continue;
    }
    if (callback === undefined) {
      lines.push(`${id}: not stored`);
      continue;
    }
    const deliveries = await store.listDeliveries({ eventId: id }).catch(() => []);
    const described = deliveries.map((d) => `${d.target} ${d.state} attempts=${d.attempts} owner=${d.leaseOwner ?? '-'} `
      + `leaseLeftMs=${d.leaseUntil === null ? '-' : d.leaseUntil - now} dueInMs=${d.nextAttemptAt - now} error=${d.lastError ?? '-'}`);
    lines.push(`${id}: callback ${callback.state} attempts=${callback.attempts} owner=${callback.leaseOwner ?? '-'} `
      + `leaseLeftMs=${callback.leaseUntil === null ? '-' : callback.leaseUntil - now} error=${callback.lastError ?? '-'}; `
      + `deliveries: ${described.join(' | ') || 'none'}`);
  }
  if (ids.length > limit) lines.push(`… and ${ids.length - limit} more`);
  return lines.join('\n');
}
