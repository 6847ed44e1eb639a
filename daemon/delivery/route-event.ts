import type { EventEnvelope } from '../../src/events/envelope.js';
import { matchesAny } from '../../src/store/glob.js';
import { appMatches } from './app-matches.js';
import type { TargetConfig } from './target.js';

/**
 * The names of the targets an event goes to: its type matches one of the target's `events` globs and its
 * corp is in `corpIds` and its app in `appIds` (when those lists are not empty). `suite.ticket` goes only to targets that name it
 * explicitly (never through `*`): it is pushed every 10 minutes and carries nothing for people.
 */
export function routeEvent(event: Pick<EventEnvelope, 'type' | 'source'>, targets: readonly TargetConfig[]): string[] {
  return targets
    .filter((t) => {
      if (event.type === 'suite.ticket' && !t.events.includes('suite.ticket')) return false;
      if (!matchesAny(event.type, t.events)) return false;
      if (!appMatches(event.source, t)) return false;
      return t.corpIds.length === 0 || (event.source.corpId !== null && t.corpIds.includes(event.source.corpId));
    })
    .map((t) => t.name);
}
