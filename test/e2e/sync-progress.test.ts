import t from 'tap';
import { HAS_SCRIPT, runCliOnTty } from '../helpers/spawn-cli.js';
import { setUpSync } from './helpers/sync-setup.js';
import { CORP_ID, SUITE_ID } from './helpers/test-relay.js';

/**
 * `wecom-relay sync` on a terminal (a real pseudo-terminal through util-linux `script`): one progress line
 * per scope, rewritten in place (`\r` + erase line) with its phase, pages, ids and time, ended by a newline
 * when the scope is done; no JSON, and no per-scope summary line (the progress line is it).
 */
t.test('sync on a TTY: a progress line per scope, rewritten in place and ended when done', async (t) => {
  if (!HAS_SCRIPT) {
    t.pass('skipped: util-linux `script` (a pseudo-terminal) is not installed');
    return;
  }
  const setup = await setUpSync(t, 'sqlite');
  const pairs = Array.from({ length: 250 }, (_, i) => ({ userid: 'zhangsan', external_userid: `wmTTY${String(i).padStart(27, '0')}` }));
  setup!.relay.mock.changeCorp(CORP_ID, { addPairs: pairs });
  const out = await runCliOnTty(['sync', '-c', setup!.configFile, '--scope', 'contacts,external_contacts']);
  const label = (scope: string) => `${SUITE_ID} ${CORP_ID} ${scope}`;
  for (const scope of ['contacts', 'external_contacts']) {
    t.match(out, new RegExp(`\\r\\u001b\\[2K${label(scope)}  \\w+  pages \\d+  ids \\d+  \\d+\\.\\ds`), `${scope}: a progress line, rewritten in place`);
    t.match(out, new RegExp(`\\r\\u001b\\[2K${label(scope)}  done  pages \\d+  ids \\d+  \\d+\\.\\ds\\r?\\n`), `${scope}: ends with "done" and a newline`);
  }
  const external = [...out.matchAll(new RegExp(`${label('external_contacts')}  done  pages (\\d+)  ids (\\d+)`, 'g'))].at(-1);
  t.ok(Number(external?.[2]) >= 250, `external_contacts counted every pair it listed (${external?.[2]} ids)`);
  t.notMatch(out, /^\{/m, 'no JSON on a terminal');
  t.notMatch(out, /baseline, total/, 'no second summary line per scope');
});
