import type { EventSource } from '../../src/events/envelope.js';
import type { TargetConfig } from './target.js';

/**
 * Whether a target's `apps:` filter (SPEC §10) lets an event through: no filter (`appIds` absent or
 * empty) lets every app's events through; otherwise the event's app id (`source.appId`, else the stored
 * `suiteId` it equals) must be one of the ids the filter's names resolved to ({@link resolveTargets}).
 * Matching on ids, not names, keeps it right whether or not the consumer knew the app's name.
 */
export function appMatches(source: Pick<EventSource, 'suiteId' | 'appId'>, target: Pick<TargetConfig, 'appIds'>): boolean {
  const ids = target.appIds;
  if (ids === undefined || ids.length === 0) return true;
  return ids.includes(source.appId ?? source.suiteId);
}
