import { createHash } from 'node:crypto';
import t from 'tap';
import { eventId } from '../../src/events/event-id.js';

const SUITE = 'ww4asffe99e54c0f4c';
const PLAINTEXT = '<xml><SuiteId><![CDATA[ww4asffe99e54c0f4c]]></SuiteId><InfoType><![CDATA[change_external_contact]]></InfoType></xml>';

t.test('eventId is evt_ + 32 lower-case hex characters of sha256', async (t) => {
  const id = eventId(SUITE, SUITE, PLAINTEXT);
  t.match(id, /^evt_[0-9a-f]{32}$/, 'the format');
  t.equal(id.length, 36, '4 + 32 characters');
});

t.test('eventId is stable: the same inputs (a WeCom retry) give the same id', async (t) => {
  t.equal(eventId(SUITE, SUITE, PLAINTEXT), eventId(SUITE, SUITE, PLAINTEXT), 'identical across calls');
  const expected = `evt_${createHash('sha256').update('s\u0000r\u0000p').digest('hex').slice(0, 32)}`;
  t.equal(eventId('s', 'r', 'p'), expected, 'sha256 over the NUL-joined inputs');
  t.equal(eventId('s', 'r', 'p'), 'evt_5bf8b753b66bcf55e7058bea83e16e98', 'a pinned value, so stored ids stay valid across releases');
});

t.test('eventId changes with each of its inputs', async (t) => {
  const base = eventId(SUITE, SUITE, PLAINTEXT);
  t.not(eventId('ww917724cb573d8629', SUITE, PLAINTEXT), base, 'a different suite id');
  t.not(eventId(SUITE, 'wxf8b4f85f3a794e77', PLAINTEXT), base, 'a different receiveid');
  t.not(eventId(SUITE, SUITE, `${PLAINTEXT} `), base, 'one more byte of plaintext');
  t.not(eventId(SUITE, '', PLAINTEXT), base, 'an empty receiveid (individual-entity app)');
});

t.test('the NUL separator keeps shifted boundaries apart', async (t) => {
  t.not(eventId('ab', 'c', 'd'), eventId('a', 'bc', 'd'), 'suite/receiveid boundary');
  t.not(eventId('a', 'bc', 'd'), eventId('a', 'b', 'cd'), 'receiveid/plaintext boundary');
});
