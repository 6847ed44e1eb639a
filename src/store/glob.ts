/**
 * Event-type globs, as used in target `events` filters and in `listCallbacks({ type })`.
 *
 * The only wildcard is `*`, matching any run of characters, the empty run and dots included:
 * `external_contact.*` matches `external_contact.add` and `external_contact.tag.update` but not
 * `external_contact` itself; `*` matches every type. Every other character (`?`, `[`, …) is literal, and
 * matching is case-sensitive (event types are lower snake case).
 */

/** Whether the event type `type` matches `pattern` (see the module comment for the syntax). */
export function matchesGlob(type: string, pattern: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return type === pattern;

  const head = parts[0] ?? '';
  const tail = parts[parts.length - 1] ?? '';
  if (type.length < head.length + tail.length) return false;
  if (!type.startsWith(head) || !type.endsWith(tail)) return false;

  // Leftmost-first placement of the middle pieces is optimal when `*` is the only wildcard.
  let position = head.length;
  const end = type.length - tail.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const piece = parts[i] ?? '';
    const found = type.indexOf(piece, position);
    if (found === -1 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}

/** Whether `type` matches at least one of `patterns`; an empty list matches nothing. */
export function matchesAny(type: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => matchesGlob(type, pattern));
}

/**
 * The same pattern for SQLite's `GLOB` operator, which also treats `?` and `[` as wildcards: those are
 * wrapped in a one-character class so they stay literal and both matchers agree.
 */
export function toSqliteGlob(pattern: string): string {
  return pattern.replace(/[?[]/g, (c) => `[${c}]`);
}
