import type { TargetConfig } from '../../daemon/delivery/target.js';
import type { EventEnvelope } from '../../src/events/envelope.js';

/** A valid SPEC §7 envelope (external_contact.added, from the seed's sample), with overrides. */
export function makeEvent(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    id: 'evt_3f1c9a7b2e',
    type: 'external_contact.added',
    timestamp: '2014-06-24T11:48:33.000Z',
    receivedAt: '2026-11-22T08:00:00.123Z',
    source: { endpoint: 'command', suiteId: 'ww4asffe99e54c0f4c', corpId: 'wxf8b4f85f3a794e77', agentId: null },
    data: { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', state: 'teststate', welcomeCode: 'WELCOMECODE' },
    enrichment: null,
    enrichmentError: null,
    raw: {
      SuiteId: 'ww4asffe99e54c0f4c',
      AuthCorpId: 'wxf8b4f85f3a794e77',
      InfoType: 'change_external_contact',
      TimeStamp: '1403610513',
      ChangeType: 'add_external_contact',
      UserID: 'zhangsan',
      ExternalUserID: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w',
      State: 'teststate',
      WelcomeCode: 'WELCOMECODE',
    },
    ...overrides,
  };
}

/** A fully-defaulted target, with overrides. */
export function makeTarget(overrides: Partial<TargetConfig> = {}): TargetConfig {
  return {
    name: 'test',
    url: 'https://example.com/hook',
    format: 'json',
    secret: null,
    events: ['*'],
    corpIds: [],
    rateLimit: { count: 1, intervalMs: 1000 },
    concurrency: 1,
    timeoutMs: 10_000,
    retrySchedule: [0, 5, 300],
    locale: 'zh-CN',
    headers: {},
    ...overrides,
  };
}
