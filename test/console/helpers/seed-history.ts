import type { EventEnvelope } from '../../../src/events/envelope.js';
import type { Store } from '../../../src/store/store.js';

const HOUR = 3_600_000;
const NAMES = ['王小明', '李娜', 'Chen Wei', '张伟', 'Alice Zhou', '刘洋', '赵敏', 'Tom Li'];
const TYPES = [
  ['change_external_contact', 'add_external_contact', 'external_contact.added'],
  ['change_external_contact', 'edit_external_contact', 'external_contact.edited'],
  ['change_external_chat', 'update', 'external_chat.updated'],
  ['change_contact', 'update_user', 'contact.user.updated'],
] as const;

/**
 * Fills a store with a day of finished traffic to target `crm` (a daily wave, a few dead letters), all
 * with past times, so a relay started on it afterwards has history to show. Everything ends delivered or
 * dead, so the daemon finds nothing of it to do.
 */
export async function seedHistory(store: Store, now: number): Promise<number> {
  let n = 0;
  for (let h = 23; h >= 1; h--) {
    const count = Math.round(6 + 5 * Math.sin((24 - h) / 3.8));
    for (let i = 0; i < count; i++, n++) {
      const at = now - h * HOUR + Math.floor((i / count) * HOUR * 0.9);
      const [info, change, type] = TYPES[n % TYPES.length]!;
      const id = `evt_hist_${String(n).padStart(4, '0')}`;
      const raw = { InfoType: info, ChangeType: change, SuiteId: 'ww917724cb573d8629', AuthCorpId: 'wwhistorycorp', UserID: 'zhangsan', ExternalUserID: `wm${n}` };
      await store.putCallback({ id, endpoint: 'command', suiteId: 'ww917724cb573d8629', receiveId: 'ww917724cb573d8629', receivedAt: at, plaintext: `<xml>${id}</xml>`, fields: raw, type, corpId: 'wwhistorycorp' });
      const [claimed] = await store.claimCallbacks({ owner: 'history', limit: 1, leaseMs: 60_000, now: at });
      const event: EventEnvelope = {
        id, type, timestamp: new Date(at).toISOString(), receivedAt: new Date(at).toISOString(),
        source: { endpoint: 'command', suiteId: 'ww917724cb573d8629', corpId: 'wwhistorycorp', agentId: null },
        data: { userId: 'zhangsan', externalUserId: `wm${n}` },
        enrichment: type.startsWith('external_contact') ? { externalContact: { external_userid: `wm${n}`, name: NAMES[n % NAMES.length] }, followUser: [] } : null,
        enrichmentError: null, raw,
      };
      await store.completeCallback(claimed!.id, 'history', { event, targets: ['crm'], now: at });
      const [delivery] = await store.claimDeliveries({ target: 'crm', owner: 'history', limit: 1, leaseMs: 60_000, now: at + 800 });
      const dead = n % 17 === 5;
      await store.recordAttempt(delivery!.id, 'history', dead
        ? { state: 'dead', countAttempt: true, status: 400, response: '{"error":"unknown external_userid"}', now: at + 900 }
        : { state: 'delivered', countAttempt: true, status: 200, response: '{"ok":true}', now: at + 900 });
    }
  }
  return n;
}
