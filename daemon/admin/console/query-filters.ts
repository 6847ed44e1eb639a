import { parseTime } from '../../commands/table.js';

/** A time filter from a query (`2h`, `30m`, an ISO time), or undefined when absent or unreadable. */
export function timeParam(query: URLSearchParams, name: string, now: number): number | undefined {
  const value = query.get(name)?.trim();
  if (!value) return undefined;
  try {
    return parseTime(value, now);
  } catch {
    return undefined;
  }
}

/** A text filter from a query, trimmed; undefined when empty. */
export function textParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name)?.trim();
  return value ? value.slice(0, 200) : undefined;
}

/** A value of a closed set from a query; undefined otherwise. */
export function choiceParam<T extends string>(query: URLSearchParams, name: string, choices: readonly T[]): T | undefined {
  const value = query.get(name);
  return choices.includes(value as T) ? (value as T) : undefined;
}

/** A non-negative integer from a query; undefined otherwise. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = Number(query.get(name) ?? '');
  return query.has(name) && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** A query string from the set entries of `params` (`?a=1&b=2`, or empty). */
export function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
