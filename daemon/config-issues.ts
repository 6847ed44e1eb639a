import type { z } from 'zod';
import { configSchema } from './config-schema.js';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** The value at `path` in `input`, or undefined when any step is missing. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The object schemas `schema` may be at its root (through defaults, optionals, unions and transforms). */
function objectsOf(schema: AnySchema | undefined): Array<Record<string, AnySchema>> {
  if (!schema) return [];
  const def = schema._zod.def as unknown as { type: string; shape?: Record<string, AnySchema>; innerType?: AnySchema; options?: AnySchema[]; in?: AnySchema };
  switch (def.type) {
    case 'object': return def.shape ? [def.shape] : [];
    case 'optional': case 'default': case 'prefault': case 'nullable': return objectsOf(def.innerType);
    case 'union': return (def.options ?? []).flatMap(objectsOf);
    case 'pipe': return objectsOf(def.in);
    default: return [];
  }
}

/** The schema at a path of the configuration (numbers step into arrays). */
function schemaAt(path: readonly PropertyKey[]): AnySchema[] {
  let schemas: AnySchema[] = [configSchema];
  for (const key of path) {
    schemas = schemas.flatMap((schema) => {
      if (typeof key === 'number') {
        const unwrap = (s: AnySchema): AnySchema[] => {
          const def = s._zod.def as unknown as { type: string; element?: AnySchema; innerType?: AnySchema };
          if (def.type === 'array' && def.element) return [def.element];
          return def.innerType ? unwrap(def.innerType) : [];
        };
        return unwrap(schema);
      }
      return objectsOf(schema).flatMap((shape) => (shape[String(key)] ? [shape[String(key)]!] : []));
    });
  }
  return schemas;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `key` at `path` (within a third of its length), or undefined. */
export function suggestKey(path: readonly PropertyKey[], key: string): string | undefined {
  const known = [...new Set(schemaAt(path).flatMap((s) => objectsOf(s).flatMap((shape) => Object.keys(shape))))];
  let best: { key: string; d: number } | undefined;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (!best || d < best.d) best = { key: candidate, d };
  }
  return best && best.d <= Math.max(1, Math.floor(key.length / 3)) ? best.key : undefined;
}

/**
 * A zod issue in the words the configuration docs use: a missing value "is required" (not zod's
 * "expected string, received undefined"), an unknown key names the key and the closest known one.
 */
export function describeIssue(issue: Issue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const near = suggestKey(issue.path, key);
      return `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}`;
    }).join('; ');
  }
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return 'is required';
  return issue.message;
}
