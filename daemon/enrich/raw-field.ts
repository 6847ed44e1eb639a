import type { EventEnvelope } from '../../src/events/envelope.js';

/**
 * A top-level field of the event's decrypted callback, by WeCom's own name (`UserID`, `ChatId`,
 * `LastMemVer` …), trimmed; null when absent, empty or not a string.
 *
 * Enrichment reads `raw` rather than `data`: the original names never change with the camelCase mapping,
 * and every leaf is a string, so ids are never coerced to numbers.
 */
export function rawField(event: EventEnvelope, name: string): string | null {
  const value = event.raw[name];
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}
