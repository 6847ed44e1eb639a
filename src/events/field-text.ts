import type { CallbackFields } from '../xml/fields.js';

/**
 * A top-level field's text, trimmed: the exact name first, then any letter case (JSON callbacks vary);
 * `''` when absent or not text.
 */
export function fieldText(fields: CallbackFields, name: string): string {
  const exact = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (typeof exact === 'string') return exact.trim();
  if (exact !== undefined) return '';
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(fields)) {
    if (key.toLowerCase() === lower) return typeof value === 'string' ? value.trim() : '';
  }
  return '';
}
