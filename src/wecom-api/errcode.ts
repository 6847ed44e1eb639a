import { backoffMs } from '../backoff.js';

/**
 * How the relay reacts to each WeCom server API `errcode`: a closed classification (a `const` table and
 * pure functions, no I/O). Meanings are from WeCom's global error table (doc 90313, as copied by WxJava's
 * `WxCpErrorMsgEnum`); see `reference/wecom-protocol.md` §2.6. Code branches on the class, never on
 * `errmsg` text (which WeCom changes between releases).
 */

/**
 * What an errcode means for the caller.
 *
 * - `ok` — 0: success.
 * - `corp_token_invalid` — 40014 不合法的access_token, 42001 access_token已过期: invalidate that **corp**
 *   token (by value), refresh once, retry once.
 * - `suite_token_invalid` — 40082 不合法的suite_token, 42009 suite_access_token已过期: same for the
 *   **suite** token. (Some tables online mislabel 40082 as "suite_id 不合法"; 90313 is authoritative.)
 * - `corp_gone` — 40084 不合法的permanent_code (authorization cancelled / other provider), 301007 企业不可用
 *   (dissolved or banned), 2000002 CorpId参数无效: the authorization is gone; stop calling for that corp.
 * - `transient` — -1 系统繁忙, 45009 接口调用超过限制, 45033 接口并发调用超过限制: back off
 *   ({@link backoffFor}); only idempotent reads are retried in place, and never 45009.
 * - `no_ticket` — 40085 不合法的suite_ticket: wait for the next push (every 10 min) or press 刷新ticket.
 * - `invalid_auth_code` — 40078: the AuthCode is expired, already used, or was a pre_auth_code. It cannot be
 *   re-obtained; the install must be redone.
 * - `relation_gone` — 84061 不存在外部联系人的关系: e.g. enriching after `del_external_contact`. Not a failure.
 * - `no_permission` — 48002 API接口无权限调用, 60011 指定的成员/部门/标签参数无权限 (visibility): normal for
 *   third-party apps; forward with a partial enrichment, never retry.
 * - `config` — 40001 不合法的secret参数, 40083 不合法的suite_id, 40086 不合法的第三方应用appid, 60020 访问ip不在
 *   白名单之中: an operator must fix the deployment; retrying only burns the error budget (WeCom throttles
 *   token fetches after ~2000 errors/hour).
 * - `other` — anything else (including 42007 pre_auth_code已过期: the caller just asks for a new one).
 */
export type ErrcodeClass =
  | 'ok'
  | 'corp_token_invalid'
  | 'suite_token_invalid'
  | 'corp_gone'
  | 'transient'
  | 'no_ticket'
  | 'invalid_auth_code'
  | 'relation_gone'
  | 'no_permission'
  | 'config'
  | 'other';

/** The errcodes of every class except `other` (which is "none of these"). */
export const ERRCODE_CLASSES = {
  ok: [0],
  corp_token_invalid: [40014, 42001],
  suite_token_invalid: [40082, 42009],
  corp_gone: [40084, 301007, 2000002],
  transient: [-1, 45009, 45033],
  no_ticket: [40085],
  invalid_auth_code: [40078],
  relation_gone: [84061],
  no_permission: [48002, 60011],
  config: [40001, 40083, 40086, 60020],
} as const satisfies Record<Exclude<ErrcodeClass, 'other'>, readonly number[]>;

const BY_CODE: ReadonlyMap<number, ErrcodeClass> = new Map(
  Object.entries(ERRCODE_CLASSES).flatMap(([cls, codes]) => codes.map((code) => [code, cls as ErrcodeClass] as const)),
);

/**
 * Classifies a WeCom errcode.
 *
 * @example
 * classifyErrcode(42001) // 'corp_token_invalid'
 * classifyErrcode(12345) // 'other'
 */
export function classifyErrcode(errcode: number): ErrcodeClass {
  return BY_CODE.get(errcode) ?? 'other';
}

/**
 * Errcodes the API client retries in place for idempotent reads: -1 (WeCom: "建议重试次数不超过3次") and
 * 45033 (concurrency limit). 45009 is deliberately absent: a frequency ban lasts as long as the window it
 * punishes, so hammering it only extends the ban; the caller pauses instead.
 */
export function isRetryableInPlace(errcode: number): boolean {
  return errcode === -1 || errcode === 45033;
}

/**
 * How long to wait before calling again after `errcode`, or `undefined` when waiting does not help.
 * `attempt` (0-based) doubles the short waits, capped at 8 s. 45009 (frequency ban) answers 60 s: WeCom
 * bans "for as long as the limit's window" (doc 90454), and the per-corp limits are per minute; an
 * hour-level ban lasts 60 min, which the caller learns from repeated 45009s.
 */
export function backoffFor(errcode: number, attempt = 0): number | undefined {
  switch (errcode) {
    case -1:
      return backoffMs(attempt, { baseMs: 500, maxStep: 3 });
    case 45033:
      return backoffMs(attempt, { baseMs: 1000, maxStep: 3 });
    case 45009:
      return 60_000;
    default:
      return undefined;
  }
}
