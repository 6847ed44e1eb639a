import type { EventEnvelope } from '../../src/events/envelope.js';
import type { Locale } from './target.js';
import type { EventFields } from './summary-fields.js';

/** The event-specific part of a summary: a short title and the lines that say what happened. */
export interface EventDescription {
  readonly title: string;
  readonly details: string[];
}

/**
 * Describes the events of one family (the first segment of the type), or returns null for a type it does
 * not know, so the caller can fall through to the generic description.
 */
export type FamilyDescriber = (event: EventEnvelope, fields: EventFields, locale: Locale) => EventDescription | null;

/** `'external_contact.added'` → `'added'`; `'contact.user.created'` → `'user.created'`. */
export function actionOf(type: string): string {
  const dot = type.indexOf('.');
  return dot === -1 ? '' : type.slice(dot + 1);
}
