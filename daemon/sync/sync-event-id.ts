import { createHash } from 'node:crypto';

/**
 * The stable id of a synthetic event: `evt_` + 32 hex characters of sha256 over its parts (NUL-separated,
 * like `eventId`). A reconciled change is keyed by (app, corp, scope, id, change) and the snapshot
 * generation it was found against: a run that is killed and resumed, or run twice against the same
 * snapshot, puts the same ids again and the inbox keeps the first (nothing is sent twice); a member who
 * leaves, comes back and leaves again months later is a new generation, so that second leave is reported
 * too instead of being swallowed as a duplicate.
 */
export function syncEventId(...parts: ReadonlyArray<string | number>): string {
  const digest = createHash('sha256').update(['sync', ...parts.map(String)].join('\u0000'), 'utf8').digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}
