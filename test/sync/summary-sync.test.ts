import t from 'tap';
import { summarize } from '../../daemon/delivery/summary.js';
import { makeEvent } from '../helpers/delivery-fixtures.js';

const SYNC_SOURCE = { endpoint: 'sync' as const, suiteId: 'ww4asffe99e54c0f4c', corpId: 'wxf8b4f85f3a794e77', agentId: null };

t.test('sync.completed and sync.failed get a summary in both locales', async (t) => {
  const completed = makeEvent({
    type: 'sync.completed', source: SYNC_SOURCE,
    data: { reconciled: true, scopes: { contacts: { total: 7, added: 2, removed: 1, baseline: false }, tags: { total: 5, added: 0, removed: 0, baseline: true } } },
  });
  const zh = summarize(completed, 'zh-CN');
  t.equal(zh.title, '对账完成');
  t.same(zh.details, ['通讯录：共 7，新增 2，移除 1', '客户标签：共 5（首次对账，建立基线）']);
  t.same(summarize(completed, 'en').details, ['contacts: 7 in total, 2 added, 1 removed', 'customer tags: 5 in total (first sync: baseline)']);
  const failed = makeEvent({ type: 'sync.failed', source: SYNC_SOURCE, data: { reconciled: true, scope: 'contacts', errcode: 60011 } });
  t.match(summarize(failed, 'en'), { title: 'Reconciliation failed', details: ['contacts: failed errcode 60011; the last snapshot is kept, no deletion reported'] });
});

t.test('a reconciled event says it was found by reconciliation', async (t) => {
  const event = makeEvent({ type: 'contact.user.created', source: SYNC_SOURCE, data: { userId: 'newbie', reconciled: true }, raw: { UserID: 'newbie' } });
  t.ok(summarize(event, 'en').details.includes('Source: found by reconciliation (WeCom sent no callback)'));
  t.ok(summarize(event, 'zh-CN').details.includes('来源：对账发现（企业微信未回调）'));
  const pushed = makeEvent({ type: 'contact.user.created', data: { userId: 'x' } });
  t.notOk(summarize(pushed, 'en').details.some((line) => line.startsWith('Source:')), 'not on pushed events');
});
