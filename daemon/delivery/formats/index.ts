import type { TargetFormat } from '../target.js';
import { formatDingtalk } from './dingtalk.js';
import { formatFeishu } from './feishu.js';
import type { Formatter } from './formatter.js';
import { formatJson } from './json.js';
import { formatSlack } from './slack.js';
import { formatWecomBot } from './wecom-bot.js';

export type { FormatContext, Formatter, OutgoingRequest } from './formatter.js';

const FORMATTERS: Readonly<Record<TargetFormat, Formatter>> = {
  json: formatJson,
  slack: formatSlack,
  'wecom-bot': formatWecomBot,
  feishu: formatFeishu,
  dingtalk: formatDingtalk,
};

/**
 * The formatter for a target format. Every {@link TargetFormat} has one (the record is exhaustive, so a
 * new format does not compile until it gets a formatter).
 *
 * @throws TypeError for a value that is not a `TargetFormat` (only reachable by bypassing the types).
 */
export function formatFor(format: TargetFormat): Formatter {
  const formatter = Object.hasOwn(FORMATTERS, format) ? FORMATTERS[format] : undefined;
  if (formatter === undefined) {
    throw new TypeError(
      `Expected \`format\` to be one of ${Object.keys(FORMATTERS).join(', ')}, got \`${String(format)}\` (${typeof format})`,
    );
  }
  return formatter;
}
