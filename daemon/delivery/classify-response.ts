import { parseRetryAfter } from './retry-policy.js';
import type { TargetFormat } from './target.js';

/**
 * What to do after one delivery attempt. A closed union: the delivery loop switches on `kind`.
 *
 * - `delivered`: done.
 * - `rate_limited`: the target asked us to slow down. Pause the *target's queue* for `pauseMs` and send
 *   this delivery again afterwards, without counting the attempt against its retry budget.
 * - `retry`: a transient failure. Schedule the next attempt on the retry ladder (`nextRetryDelayMs`).
 * - `dead`: a permanent failure; retrying cannot help. Record `reason`. With `disableTarget`, the target
 *   itself is gone or misconfigured (deleted hook, bad signing secret, IP allow-list…): stop sending to it
 *   until an operator re-enables it, instead of failing every event one by one.
 */
export type DeliveryVerdict =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'rate_limited'; readonly pauseMs: number; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'dead'; readonly reason: string; readonly disableTarget: boolean };

/** The result of one attempt: an HTTP response (any status), or no response at all. */
export type DeliveryResponse =
  | {
      readonly status: number;
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly body: string;
    }
  | { readonly error: 'timeout' | 'network'; readonly message: string };

/** Pause after a 429 without a usable `Retry-After`. */
const DEFAULT_429_PAUSE_MS = 60_000;
/** Longest body excerpt quoted in a reason (the full response is recorded elsewhere). */
const REASON_BODY_CHARS = 200;

/** A chat platform's body code, as the platform documents it (downstream.md §3). */
interface ChatCodeRules {
  /** Rate limited: pause the target this long (or longer if `Retry-After` says so). */
  readonly rateLimited: ReadonlyMap<number, number>;
  /** Transient: retry on the ladder. */
  readonly transient: ReadonlySet<number>;
  /** The target itself is broken: dead and disable. Every other non-zero code is dead without disabling. */
  readonly disable: ReadonlySet<number>;
}

const CHAT_RULES: Readonly<Record<'wecom-bot' | 'feishu' | 'dingtalk', ChatCodeRules>> = {
  // 45009 freq out of limit (20/min, failed sends count too); -1 system busy; 93000 invalid webhook url.
  'wecom-bot': { rateLimited: new Map([[45009, 60_000]]), transient: new Set([-1]), disable: new Set([93000]) },
  // 11232 throttled (5/s, 100/min; spikes at :00/:30); 19021 sign/timestamp, 19022 IP, 19024 keywords.
  feishu: { rateLimited: new Map([[11232, 5_000]]), transient: new Set(), disable: new Set([19021, 19022, 19024]) },
  // 130101 / 410100 over 20/min → DingTalk throttles the robot for 10 minutes; -1 system busy;
  // 310000 sign/keyword/IP, 300005 / 400101 token does not exist, 400102 robot stopped.
  dingtalk: {
    rateLimited: new Map([[130101, 600_000], [410100, 600_000]]),
    transient: new Set([-1]),
    disable: new Set([310000, 300005, 400101, 400102]),
  },
};

/** Slack's plain-text error tokens that mean the webhook or its channel/team is gone (downstream.md §3.1). */
const SLACK_DISABLE_TOKENS: ReadonlySet<string> = new Set([
  'no_service', 'no_active_hooks', 'invalid_token', 'no_team', 'team_disabled', 'channel_not_found',
  'channel_is_archived', 'action_prohibited', 'posting_to_general_channel_denied',
]);

/**
 * Classifies one attempt per format (SPEC §8, downstream.md §3.5). Pure; `now` resolves HTTP-date
 * `Retry-After` values.
 *
 * - **Success** is 2xx for `json` and `slack`; for `wecom-bot` / `dingtalk` it also needs `errcode: 0` in
 *   the body, for `feishu` `code: 0` (or the legacy `StatusCode: 0`). These bots answer errors with HTTP
 *   200, so a 2xx whose body is unparseable or has no code is *not* success: it is retried.
 * - **Rate limited** (pause the target, budget untouched): 429 (`Retry-After`, else 60 s); 503 with a
 *   `Retry-After`; wecom-bot 45009 (60 s), feishu 11232 (5 s), dingtalk 130101/410100 (600 s).
 * - **Retry**: timeouts, network errors, 408, 425, other 5xx, wecom-bot/dingtalk errcode -1.
 * - **Dead**: other 4xx and other non-zero chat codes. Dead *and disable the target*: 410 (Standard
 *   Webhooks: Gone), Slack tokens for a removed hook/channel/team, wecom-bot 93000, feishu
 *   19021/19022/19024, dingtalk 310000/300005/400101/400102. A chat code in a 4xx body is judged like the
 *   same code in a 200 body.
 * - **3xx is dead** (`redirect not followed`): redirects are never followed (SSRF, and Standard Webhooks
 *   counts 3xx as failure) and retrying would meet the same redirect, so the target URL needs fixing.
 * - Anything else (1xx, nonsense statuses) is retried: unknown is never success.
 */
export function classifyResponse(format: TargetFormat, response: DeliveryResponse, now: Date): DeliveryVerdict {
  if ('error' in response) return { kind: 'retry', reason: `${response.error}: ${oneLine(response.message)}` };
  const { status, body } = response;
  const retryAfter = parseRetryAfter(header(response.headers, 'retry-after'), now);
  if (status === 429) {
    return { kind: 'rate_limited', pauseMs: retryAfter ?? DEFAULT_429_PAUSE_MS, reason: describe(status, body) };
  }
  if (status === 503 && retryAfter !== null) {
    return { kind: 'rate_limited', pauseMs: retryAfter, reason: describe(status, body) };
  }
  const chat = format === 'wecom-bot' || format === 'feishu' || format === 'dingtalk' ? format : null;
  if (status >= 200 && status < 300) {
    if (chat === null) return { kind: 'delivered' };
    const code = chatCode(chat, body);
    if (code === 0) return { kind: 'delivered' };
    if (code === null) return { kind: 'retry', reason: `${describe(status, body)} (no ${chat} result code)` };
    return classifyChatCode(chat, code, retryAfter, describe(status, body));
  }
  if (status === 408 || status === 425 || (status >= 500 && status < 600)) {
    return { kind: 'retry', reason: describe(status, body) };
  }
  if (status >= 300 && status < 400) {
    return { kind: 'dead', reason: `${describe(status, body)}: redirect not followed`, disableTarget: false };
  }
  if (status === 410) return { kind: 'dead', reason: describe(status, body), disableTarget: true };
  if (status >= 400 && status < 500) {
    const code = chat === null ? null : chatCode(chat, body);
    if (chat !== null && code !== null && code !== 0) return classifyChatCode(chat, code, retryAfter, describe(status, body));
    const disable = format === 'slack' && SLACK_DISABLE_TOKENS.has(body.trim());
    return { kind: 'dead', reason: describe(status, body), disableTarget: disable };
  }
  return { kind: 'retry', reason: `${describe(status, body)}: unexpected status` };
}

function classifyChatCode(
  chat: keyof typeof CHAT_RULES,
  code: number,
  retryAfter: number | null,
  reason: string,
): DeliveryVerdict {
  const rules = CHAT_RULES[chat];
  const pause = rules.rateLimited.get(code);
  if (pause !== undefined) return { kind: 'rate_limited', pauseMs: Math.max(pause, retryAfter ?? 0), reason };
  if (rules.transient.has(code)) return { kind: 'retry', reason };
  return { kind: 'dead', reason, disableTarget: rules.disable.has(code) };
}

/**
 * The platform's result code from a JSON body: `errcode` (WeCom, DingTalk), `code` then the legacy
 * `StatusCode` (Feishu). Integers, or integer strings, only; anything else is null (unknown).
 */
function chatCode(chat: keyof typeof CHAT_RULES, body: string): number | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  const names = chat === 'feishu' ? ['code', 'StatusCode'] : ['errcode'];
  for (const name of names) {
    const value = record[name];
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d{1,9}$/.test(value)) return Number(value);
  }
  return null;
}

/** A header by case-insensitive name; the first value of a repeated header. */
function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

function describe(status: number, body: string): string {
  const excerpt = oneLine(body);
  return excerpt === '' ? `HTTP ${status}` : `HTTP ${status}: ${excerpt}`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= REASON_BODY_CHARS ? line : `${line.slice(0, REASON_BODY_CHARS - 1)}…`;
}
