/**
 * JSON with object keys sorted at every depth, so two deep-equal JSON values serialize to the same string
 * whatever order their keys were written in. Used by `deleteKv({ ifValue })` to compare a stored value
 * with the caller's. Values JSON cannot represent follow `JSON.stringify` (`undefined` members dropped,
 * `toJSON` honoured).
 */
export function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, member: unknown) => {
    if (member === null || typeof member !== 'object' || Array.isArray(member)) return member;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(member).sort()) sorted[key] = (member as Record<string, unknown>)[key];
    return sorted;
  });
}
