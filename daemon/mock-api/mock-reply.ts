import { randomInt } from 'node:crypto';

/**
 * errmsg text per errcode, in the terse English the real API answers with. Codes and meanings follow the
 * global error table (doc 90313, as copied by WxJava `WxCpErrorMsgEnum`); the wording is the mock's own.
 * Clients must branch on errcode, never on this text (WeCom changes it).
 */
export const MOCK_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  40001: 'invalid secret',
  40004: 'invalid media type',
  40006: 'invalid file size',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40050: 'invalid chatid',
  40058: 'invalid Request Parameter',
  40077: 'invalid pre_auth_code',
  40078: 'invalid auth_code',
  40082: 'invalid suite_token',
  40083: 'invalid suite_id',
  40084: 'invalid permanent_code',
  40085: 'invalid suite_ticket',
  40096: 'invalid external userid',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41005: 'media data missing',
  41008: 'auth_code missing',
  41009: 'userid missing',
  41021: 'suite_id missing',
  41022: 'suite_access_token missing',
  41023: 'suite_ticket missing',
  41024: 'secret missing',
  41025: 'permanent_code missing',
  41035: 'external userid missing',
  41051: 'externaluser has started chatting',
  42001: 'access_token expired',
  42007: 'pre_auth_code expired',
  42009: 'suite_access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  48002: 'api forbidden',
  60003: 'department not found',
  60011: 'no privilege to access/modify contact/party/agent',
  60020: 'not allow to access from your ip',
  60111: 'userid not found',
  60123: 'invalid party id',
  60127: 'department id missing',
  81017: 'request count exceed limit',
  84054: 'auth_corpid missing',
  84061: 'not external contact',
  301007: 'corp not available',
  2000002: 'invalid corpid',
};

/** What a route answers; the core renders it into an HTTP response. */
export type MockReply =
  /** A JSON body sent as is. */
  | { readonly kind: 'json'; readonly status: number; readonly body: Readonly<Record<string, unknown>> }
  /** An errcode answer; the core adds the realistic errmsg (hint, from ip, more-info link). */
  | { readonly kind: 'error'; readonly status: number; readonly errcode: number; readonly detail?: string }
  | { readonly kind: 'text'; readonly status: number; readonly contentType: string; readonly body: string }
  | { readonly kind: 'redirect'; readonly location: string };

/** A success answer: `{errcode: 0, errmsg: 'ok', ...fields}`. */
export function ok(fields: Readonly<Record<string, unknown>> = {}): MockReply {
  return { kind: 'json', status: 200, body: { errcode: 0, errmsg: 'ok', ...fields } };
}

/**
 * A success answer without errcode, as `get_suite_token` and `get_corp_token` give ("因历史原因，该接口在调用
 * 失败时才返回errcode。没返回errcode视为调用成功", doc 90600).
 */
export function bare(fields: Readonly<Record<string, unknown>>): MockReply {
  return { kind: 'json', status: 200, body: fields };
}

/** An errcode answer (HTTP 200, like the real API). `detail` is appended to the errmsg. */
export function fail(errcode: number, detail?: string, status = 200): MockReply {
  return detail === undefined ? { kind: 'error', status, errcode } : { kind: 'error', status, errcode, detail };
}

/** Context for rendering an errmsg. */
export interface ErrmsgContext {
  readonly nowMs: number;
  readonly remoteAddress: string;
  /** The request body was not valid JSON; the real API then adds "Warning: wrong json format." */
  readonly wrongJson: boolean;
}

/**
 * The real errmsg shape: `invalid access_token, hint: [1741842467591810604040261], from ip: 1.2.3.4, more
 * info at https://open.work.weixin.qq.com/devtool/query?e=40014`.
 */
export function renderErrmsg(errcode: number, detail: string | undefined, context: ErrmsgContext): string {
  const text = MOCK_ERRMSG[errcode] ?? 'unknown error';
  const extra = detail === undefined ? '' : ` (${detail})`;
  const warning = context.wrongJson ? '. Warning: wrong json format. ' : '';
  const hint = `${Math.floor(context.nowMs / 1000)}${randomDigits(15)}`;
  return `${text}${extra}${warning}, hint: [${hint}], from ip: ${context.remoteAddress}, ` +
    `more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

function randomDigits(count: number): string {
  let digits = '';
  for (let i = 0; i < count; i++) digits += String(randomInt(10));
  return digits;
}
