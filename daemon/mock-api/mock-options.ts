import type { MockStateOptions } from './mock-state.js';
import type { MockCorpSeed, MockWecomApiOptions } from './mock-types.js';

/** {@link MockWecomApiOptions} with every default applied. */
export interface ResolvedMockOptions extends MockStateOptions {
  readonly followUserPageSize: number;
  readonly thirdPartyFieldLimits: boolean;
  readonly installCorp: Partial<MockCorpSeed> | undefined;
}

/** Validates once, at construction; developer mistakes throw `TypeError` in the project's message shape. */
export function resolveMockOptions(options: MockWecomApiOptions): ResolvedMockOptions {
  if (typeof options !== 'object' || options === null) throw typeError('options', 'an object', options);
  const o = options;
  requireThat('suiteId', o.suiteId, typeof o.suiteId === 'string' && o.suiteId !== '', 'a non-empty string');
  requireThat('suiteSecret', o.suiteSecret, typeof o.suiteSecret === 'string' && o.suiteSecret !== '', 'a non-empty string');
  optional('tokenTtlSeconds', o.tokenTtlSeconds, (v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a positive number');
  optional('now', o.now, (v) => typeof v === 'function', 'a function');
  optional('corps', o.corps, (v) => Array.isArray(v) && v.every(isCorpSeed), 'an array of corp seeds (corpId, corpName, users …)');
  optional('acceptAnyTicket', o.acceptAnyTicket, isBoolean, 'a boolean');
  optional('followUserPageSize', o.followUserPageSize, isPositiveInteger, 'a positive integer');
  optional('thirdPartyFieldLimits', o.thirdPartyFieldLimits, isBoolean, 'a boolean');
  optional('reuseValidTokens', o.reuseValidTokens, isBoolean, 'a boolean');
  optional('limits', o.limits, (v) => typeof v === 'object' && v !== null, 'an object');
  optional('limits.perPathPerMinute', o.limits?.perPathPerMinute, isPositiveInteger, 'a positive integer');
  optional('limits.invalidUseridsPerDay', o.limits?.invalidUseridsPerDay, (v) => Number.isInteger(v) && (v as number) >= 0, 'an integer >= 0');
  optional('installCorp', o.installCorp, (v) => typeof v === 'object' && v !== null, 'an object');
  optional('apps', o.apps, (v) => Array.isArray(v) && v.every(isAppSeed) && new Set([o.suiteId, ...v.map((a: { id: string }) => a.id)]).size === v.length + 1,
    'an array of apps ({ id, secret, kind: suite | customized | contact_edit }) with ids unique and not the suiteId');
  return {
    suiteId: o.suiteId,
    suiteSecret: o.suiteSecret,
    tokenTtlMs: (o.tokenTtlSeconds ?? 7200) * 1000,
    now: o.now ?? Date.now,
    corps: o.corps ?? [],
    acceptAnyTicket: o.acceptAnyTicket ?? false,
    reuseValidTokens: o.reuseValidTokens ?? true,
    limits: o.limits ?? {},
    followUserPageSize: o.followUserPageSize ?? 500,
    thirdPartyFieldLimits: o.thirdPartyFieldLimits ?? true,
    installCorp: o.installCorp,
    apps: [{ id: o.suiteId, secret: o.suiteSecret, kind: 'suite' }, ...(o.apps ?? [])],
  };
}

function isCorpSeed(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const seed = value as Record<string, unknown>;
  return typeof seed['corpId'] === 'string' && seed['corpId'] !== '' && typeof seed['corpName'] === 'string' &&
    ['users', 'departments', 'externalContacts', 'groupChats', 'tagGroups'].every((key) => Array.isArray(seed[key]));
}

function isAppSeed(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const app = value as Record<string, unknown>;
  return typeof app['id'] === 'string' && app['id'] !== '' && typeof app['secret'] === 'string' && app['secret'] !== ''
    && ['suite', 'customized', 'contact_edit'].includes(app['kind'] as string);
}

function isBoolean(value: unknown): boolean {
  return typeof value === 'boolean';
}

function isPositiveInteger(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) > 0;
}

function requireThat(name: string, value: unknown, valid: boolean, expected: string): void {
  if (!valid) throw typeError(name, expected, value);
}

function optional(name: string, value: unknown, valid: (v: unknown) => boolean, expected: string): void {
  if (value !== undefined && !valid(value)) throw typeError(name, expected, value);
}

function typeError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${expected}, got \`${String(value)}\` (${typeof value})`);
}
