import type { Config } from '../config-schema.js';
import { FORMAT_DEFAULTS } from './format-defaults.js';
import type { TargetConfig, TargetFormat } from './target.js';

/** A validated target and whether the config enables it. */
export interface ResolvedTarget extends TargetConfig {
  /**
   * `enabled: false` in the config: no worker runs and nothing is routed to it. (`wecom-relay targets
   * enable|disable` switches an enabled target at runtime, through the store; it cannot revive this.)
   */
  readonly enabledInConfig: boolean;
}

/**
 * Applies the per-format defaults (rate limit, concurrency, timeout) to every configured target, and turns
 * its `apps: [name…]` filter into app ids (`config.apps`; without them a name is taken as the id, which is
 * what the `suite:` shorthand's one app is called).
 */
export function resolveTargets(config: Pick<Config, 'targets'> & { readonly apps?: Config['apps'] }): ResolvedTarget[] {
  const idOf = (name: string): string => config.apps?.find((app) => app.name === name)?.id ?? name;
  return config.targets.map((t) => {
    const format = t.format as TargetFormat;
    const defaults = FORMAT_DEFAULTS[format];
    return {
      name: t.name,
      url: t.url,
      format,
      secret: t.secret ?? null,
      events: t.events,
      corpIds: t.corpIds,
      appIds: (t.apps ?? []).map(idOf),
      rateLimit: t.rateLimit ?? defaults.rateLimit,
      concurrency: t.concurrency ?? defaults.concurrency,
      timeoutMs: t.timeoutMs ?? defaults.timeoutMs,
      retrySchedule: t.retrySchedule,
      locale: t.locale,
      headers: t.headers,
      enabledInConfig: t.enabled,
    };
  });
}
