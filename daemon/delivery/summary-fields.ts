import type { EventEnvelope } from '../../src/events/envelope.js';

/** Longest single-line value (a name, an id) a summary quotes, in code points. */
const MAX_VALUE_CHARS = 120;
/** Longest multi-line value (a text message's content) a summary quotes, in code points. */
const MAX_TEXT_CHARS = 1000;
/** Bounds on the walk through enrichment looking for a named id, so a huge tag list stays cheap. */
const MAX_SEARCH_DEPTH = 6;
const MAX_SEARCH_NODES = 10_000;
/** Id / name key pairs of named records: a tag (`id`, `name`) and a tag group (`group_id`, `group_name`). */
const ID_NAME_KEYS: readonly [string, string][] = [['id', 'name'], ['groupId', 'groupName']];

/**
 * Read-only access to the handful of *known* fields a summary quotes. Lookups are by name, never by
 * enumerating the event, so nothing unexpected (and nothing secret) can reach a chat message. Names match
 * case- and underscore-insensitively, so `userId`, `UserID` and `user_id` are one field: the normalizer
 * writes camelCase `data`, WeCom writes PascalCase `raw`, the WeCom API answers in snake_case.
 */
export interface EventFields {
  /** The first non-empty value among `data` then `raw` fields with one of `names`, on one line, clipped. */
  value(...names: string[]): string | null;
  /** The first non-empty value at one of `paths` inside `data` then `raw` (nested fields), one line, clipped. */
  valueAt(...paths: readonly (readonly string[])[]): string | null;
  /** Like {@link EventFields.value} but keeps line breaks and allows a longer text (message content). */
  longText(...names: string[]): string | null;
  /** The first non-empty string found at one of `paths` inside `enrichment`, on one line, clipped. */
  enriched(...paths: readonly (readonly string[])[]): string | null;
  /** The length of the first array found at one of `paths` inside `enrichment`. */
  enrichedCount(...paths: readonly (readonly string[])[]): number | null;
  /**
   * The name of the record whose id is `id` anywhere in `enrichment`: `name` beside `id`, or `group_name`
   * beside `group_id` (a tag or a tag group in a `get_corp_tag_list` answer).
   */
  enrichedNameById(id: string): string | null;
}

/** Builds the {@link EventFields} view of one event. */
export function readEventFields(event: EventEnvelope): EventFields {
  const sources: readonly unknown[] = [event.data, event.raw];
  const lookup = (names: readonly string[]): string | null => {
    for (const source of sources) {
      for (const name of names) {
        const text = asText(child(source, name));
        if (text !== null) return text;
      }
    }
    return null;
  };
  const nested = (paths: readonly (readonly string[])[]): string | null => {
    for (const source of sources) {
      for (const path of paths) {
        const text = asText(path.reduce<unknown>((node, key) => child(node, key), source));
        if (text !== null) return text;
      }
    }
    return null;
  };
  const atPath = (paths: readonly (readonly string[])[]): unknown[] =>
    paths.map((path) => path.reduce<unknown>((node, key) => child(node, key), event.enrichment));
  return {
    value: (...names) => clipLine(lookup(names)),
    valueAt: (...paths) => clipLine(nested(paths)),
    longText: (...names) => clip(lookup(names)?.trim() ?? null, MAX_TEXT_CHARS),
    enriched: (...paths) => clipLine(atPath(paths).map(asText).find((text) => text !== null) ?? null),
    enrichedCount: (...paths) => {
      const list = atPath(paths).find(Array.isArray);
      return list === undefined ? null : list.length;
    },
    enrichedNameById: (id) => clipLine(findNameById(event.enrichment, id)),
  };
}

/**
 * `node[name]`, matching keys case- and underscore-insensitively; a decimal `name` indexes an array;
 * undefined for anything else.
 */
function child(node: unknown, name: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(name) ? node[Number(name)] : undefined;
  if (node === null || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  if (Object.hasOwn(record, name)) return record[name];
  const wanted = normalizeKey(name);
  const key = Object.keys(record).find((candidate) => normalizeKey(candidate) === wanted);
  return key === undefined ? undefined : record[key];
}

function normalizeKey(key: string): string {
  return key.replace(/[_-]/g, '').toLowerCase();
}

/** Strings as-is, finite numbers as decimal, arrays of those joined with `,`; anything else is not text. */
function asText(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(asText).filter((part): part is string => part !== null);
    return parts.length === 0 ? null : parts.join(',');
  }
  return null;
}

function findNameById(root: unknown, id: string): string | null {
  let visited = 0;
  const walk = (node: unknown, depth: number): string | null => {
    if (node === null || typeof node !== 'object' || depth > MAX_SEARCH_DEPTH || ++visited > MAX_SEARCH_NODES) {
      return null;
    }
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    if (!Array.isArray(node)) {
      for (const [idKey, nameKey] of ID_NAME_KEYS) {
        if (asText(child(node, idKey)) !== id) continue;
        const name = asText(child(node, nameKey));
        if (name !== null) return name;
      }
    }
    for (const next of children) {
      const found = walk(next, depth + 1);
      if (found !== null) return found;
    }
    return null;
  };
  return walk(root, 0);
}

function clipLine(text: string | null): string | null {
  return clip(text === null ? null : text.replace(/\s+/g, ' ').trim(), MAX_VALUE_CHARS);
}

/** Cuts to `max` code points (never inside a surrogate pair) with an ellipsis. */
function clip(text: string | null, max: number): string | null {
  if (text === null || text === '') return null;
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max - 1).join('')}…`;
}
