import type { DeliveryAttempt, DeliveryRecord } from '../../src/store/store.js';
import { renderTable } from './table.js';

/** What an attempt came to, in one word: delivered, dead, retry (counted) or paused (a rate-limit pause). */
export function attemptOutcome(a: DeliveryAttempt): string {
  if (a.state !== 'pending') return a.state;
  return a.counted ? 'retry' : 'paused';
}

/** An attempt as the CLI's JSON shows it: the store's entry, with its time also in ISO 8601. */
export function attemptJson(a: DeliveryAttempt): Record<string, unknown> {
  return { ...a, atIso: new Date(a.at).toISOString(), outcome: attemptOutcome(a) };
}

const oneLine = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** `deliveries show` without `--json`: the delivery in a few lines, then its attempts log as a table. */
export function renderDeliveryWithAttempts(d: DeliveryRecord, attempts: readonly DeliveryAttempt[]): string {
  const lines = [
    `delivery ${d.id}: ${d.state}, ${d.attempts} attempt${d.attempts === 1 ? '' : 's'} since ${d.replays === 0 ? 'created' : `replay ${d.replays}`}` +
      `${d.state === 'delivered' && d.deliveredAt !== null ? `, delivered ${new Date(d.deliveredAt).toISOString()}` : ''}` +
      `${d.state === 'pending' ? `, next ${new Date(d.nextAttemptAt).toISOString()}` : ''}`,
    `event ${d.eventId} (${d.event.type}) to target ${d.target}`,
    '',
  ];
  if (attempts.length === 0) {
    const tried = d.lastStatus !== null || d.lastError !== null || d.lastResponse !== null;
    lines.push(tried
      ? `no attempts log (its attempts predate it); last attempt: ${d.lastStatus === null ? '' : `HTTP ${d.lastStatus} `}${oneLine(d.lastError)}`.trimEnd()
      : 'no attempt yet');
    return lines.join('\n');
  }
  lines.push(renderTable(['#', 'ROUND', 'TIME', 'OUTCOME', 'HTTP', 'MS', 'REASON', 'RESPONSE'], attempts.map((a) => [
    String(a.seq), a.replay === 0 ? 'first' : `replay ${a.replay}`, new Date(a.at).toISOString(), attemptOutcome(a),
    a.status === null ? '-' : String(a.status), a.durationMs === null ? '' : String(a.durationMs), oneLine(a.error), oneLine(a.response),
  ])));
  return lines.join('\n');
}
