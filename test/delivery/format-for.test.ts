import t from 'tap';
import { FORMAT_DEFAULTS } from '../../daemon/delivery/format-defaults.js';
import { formatFor } from '../../daemon/delivery/formats/index.js';
import { formatDingtalk } from '../../daemon/delivery/formats/dingtalk.js';
import { formatFeishu } from '../../daemon/delivery/formats/feishu.js';
import { formatJson } from '../../daemon/delivery/formats/json.js';
import { formatSlack } from '../../daemon/delivery/formats/slack.js';
import { formatWecomBot } from '../../daemon/delivery/formats/wecom-bot.js';
import { TARGET_FORMATS, type TargetFormat } from '../../daemon/delivery/target.js';

t.test('formatFor returns the formatter of each format', async (t) => {
  t.equal(formatFor('json'), formatJson, 'json');
  t.equal(formatFor('slack'), formatSlack, 'slack');
  t.equal(formatFor('wecom-bot'), formatWecomBot, 'wecom-bot');
  t.equal(formatFor('feishu'), formatFeishu, 'feishu');
  t.equal(formatFor('dingtalk'), formatDingtalk, 'dingtalk');
  for (const format of TARGET_FORMATS) t.type(formatFor(format), 'function', `${format} has a formatter`);
});

t.test('formatFor rejects an unknown format with a TypeError', async (t) => {
  t.throws(() => formatFor('xml' as TargetFormat), TypeError, 'an unknown name');
  t.throws(() => formatFor('toString' as TargetFormat), TypeError, 'an inherited property name');
});

t.test('FORMAT_DEFAULTS follow the platform limits', async (t) => {
  const expected: Record<TargetFormat, [count: number, intervalMs: number, concurrency: number]> = {
    json: [50, 1000, 4],
    slack: [1, 1000, 1],
    'wecom-bot': [18, 60_000, 1],
    dingtalk: [18, 60_000, 1],
    feishu: [4, 1000, 1],
  };
  for (const format of TARGET_FORMATS) {
    const defaults = FORMAT_DEFAULTS[format];
    const [count, intervalMs, concurrency] = expected[format];
    t.same(defaults.rateLimit, { count, intervalMs }, `${format}: ${count} per ${intervalMs} ms`);
    t.equal(defaults.concurrency, concurrency, `${format}: concurrency ${concurrency}`);
    t.equal(defaults.timeoutMs, 10_000, `${format}: 10 s timeout`);
  }
  t.ok(Object.isFrozen(FORMAT_DEFAULTS), 'the table cannot be mutated at run time');
});
