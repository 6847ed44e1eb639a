import { z } from 'zod';
import type { ConfigIssue } from '../../src/errors.js';

/** The shortest gateway key accepted (SPEC §11): 32 characters, e.g. `openssl rand -hex 16` or longer. */
export const GATEWAY_KEY_MIN_LENGTH = 32;

const keySchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, `_`, `.` or `-`'),
  key: z.string().min(GATEWAY_KEY_MIN_LENGTH, `must be at least ${GATEWAY_KEY_MIN_LENGTH} characters (e.g. openssl rand -hex 24)`),
  // Names (or ids) of the apps the key may act for; empty = every app.
  apps: z.array(z.string().min(1)).default([]),
  corpIds: z.array(z.string().min(1)).default([]),
  // Globs on the path after /cgi-bin/ (`*` matches any run, `/` included); empty = every path.
  paths: z.array(z.string().min(1).regex(/^[^/?#\s][^?#\s]*$/, 'must be a path after /cgi-bin/ (no leading /, no query), e.g. externalcontact/*')).default([]),
  tokens: z.boolean().default(false),
});

/** `gateway:` (SPEC §11): the credential gateway's listener and its API keys. Absent = not served. */
export const gatewaySchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(9465),
  keys: z.array(keySchema).min(1, 'must list at least one key (every route needs Authorization: Bearer <key>)'),
});

/** The validated `gateway:` section. */
export type GatewayConfig = z.output<typeof gatewaySchema>;
/** One API key of the gateway, defaults applied. */
export type GatewayKeyConfig = GatewayConfig['keys'][number];

/**
 * The problems of `gateway.keys` that span keys or sections, on the raw (interpolated) input: duplicate
 * names (audit lines and metrics name the key), one key value given twice (a caller could not be told
 * apart), and `apps[j]` naming no configured app.
 */
export function gatewayIssues(input: unknown): ConfigIssue[] {
  const root = (input ?? {}) as { gateway?: { keys?: unknown }; apps?: unknown; suite?: { id?: unknown } };
  const keys = root.gateway?.keys;
  if (!Array.isArray(keys)) return [];
  const appNames = new Set<string>();
  if (Array.isArray(root.apps)) {
    for (const raw of root.apps) {
      const app = (raw ?? {}) as { name?: unknown; id?: unknown };
      if (typeof app.name === 'string') appNames.add(app.name);
      if (typeof app.id === 'string') appNames.add(app.id);
    }
  } else if (typeof root.suite?.id === 'string') appNames.add(root.suite.id);
  const issues: ConfigIssue[] = [];
  const names = new Map<string, number>();
  const values = new Map<string, number>();
  keys.forEach((raw: unknown, i) => {
    const key = (raw ?? {}) as { name?: unknown; key?: unknown; apps?: unknown };
    if (typeof key.name === 'string') {
      const first = names.get(key.name);
      if (first !== undefined) issues.push({ path: `gateway.keys[${i}].name`, message: `duplicates gateway.keys[${first}].name "${key.name}"` });
      else names.set(key.name, i);
    }
    if (typeof key.key === 'string' && key.key !== '') {
      const first = values.get(key.key);
      if (first !== undefined) issues.push({ path: `gateway.keys[${i}].key`, message: `is the same key as gateway.keys[${first}].key: give each caller its own` });
      else values.set(key.key, i);
    }
    if (Array.isArray(key.apps) && appNames.size > 0) {
      key.apps.forEach((name: unknown, j) => {
        if (typeof name === 'string' && name !== '' && !appNames.has(name)) {
          issues.push({ path: `gateway.keys[${i}].apps[${j}]`, message: `names no app (known: ${[...appNames].join(', ')})` });
        }
      });
    }
  });
  return issues;
}
