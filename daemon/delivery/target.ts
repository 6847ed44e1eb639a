/** How a target wants its events: the SPEC §7 JSON envelope, or a chat message for one bot platform. */
export type TargetFormat = 'json' | 'slack' | 'wecom-bot' | 'feishu' | 'dingtalk';

/** The formats, in a fixed order (for validation messages and docs). */
export const TARGET_FORMATS: readonly TargetFormat[] = ['json', 'slack', 'wecom-bot', 'feishu', 'dingtalk'];

/** Language of chat summaries. */
export type Locale = 'zh-CN' | 'en';

/** One downstream target, after config validation and defaults (every field present). */
export interface TargetConfig {
  /** Unique name; deliveries are keyed `eventId:name`. */
  readonly name: string;
  readonly url: string;
  readonly format: TargetFormat;
  /** json: Standard Webhooks secret (`whsec_…`); feishu/dingtalk: the bot's signing secret; else unused. */
  readonly secret: string | null;
  /** Globs on the event type; default `['*']`. */
  readonly events: readonly string[];
  /** Only events from these corps; empty = all. */
  readonly corpIds: readonly string[];
  /** Only events of these apps (the ids `apps: [name…]` names, SPEC §10); absent or empty = every app. */
  readonly appIds?: readonly string[];
  /** At most `count` sends per `intervalMs` (rolling window). */
  readonly rateLimit: { readonly count: number; readonly intervalMs: number };
  /** Parallel sends to this target. */
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Seconds before attempt n+1 (index 0 = first attempt, normally 0). Its length is the attempt budget. */
  readonly retrySchedule: readonly number[];
  /** Chat summary language. */
  readonly locale: Locale;
  /** Extra HTTP headers sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
}
