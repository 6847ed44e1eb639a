import t from 'tap';
import { validateConfig } from '../../daemon/config.js';
import { GatewayKeys, keyAllowsPath } from '../../daemon/gateway/gateway-keys.js';
import { parseGatewayRoute } from '../../daemon/gateway/gateway-route.js';
import { jsapiSignature, signedPageUrl } from '../../daemon/gateway/jsapi-signature.js';
import { ConfigError } from '../../src/errors.js';
import { generateSuiteKeys } from '../helpers/keys.js';

const KEY = 'k'.repeat(40);
const suite = { id: 'ww917724cb573d8629', secret: 's3cret-value', ...generateSuiteKeys() };

t.test('jsapiSignature matches WeCom\'s documented vector (doc 96909) and drops the fragment', async (t) => {
  const ticket = 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg';
  t.equal(jsapiSignature(ticket, 'Wm3WZYTPz0wzccnW', 1414587457, 'http://mp.weixin.qq.com?params=value'), '0f9de62fce790f9a083d5c99e95740ceb90c27ed', 'the official vector');
  t.equal(jsapiSignature(ticket, 'Wm3WZYTPz0wzccnW', 1414587457, 'http://mp.weixin.qq.com?params=value#frag'), '0f9de62fce790f9a083d5c99e95740ceb90c27ed', 'a #fragment is dropped before signing');
  t.equal(jsapiSignature(ticket, 'Wm3WZYTPz0wzccnW', 1414587457, 'http://mp.weixin.qq.com'), 'f4d90daf4b3bca3078ab155816175ba34c443a7b', 'the MP doc\'s second vector');
  t.equal(signedPageUrl('https://a.example/x?y=1#/route'), 'https://a.example/x?y=1', 'signedPageUrl');
});

t.test('parseGatewayRoute reads the five routes and refuses odd paths', async (t) => {
  t.same(parseGatewayRoute('POST', '/v1/apps/crm/corps/wwc/cgi-bin/externalcontact/send_welcome_msg'), { kind: 'corp_api', app: 'crm', corpId: 'wwc', path: 'externalcontact/send_welcome_msg' }, 'corp API');
  t.same(parseGatewayRoute('GET', '/v1/apps/crm/cgi-bin/service/auth/getuserinfo3rd'), { kind: 'suite_api', app: 'crm', path: 'service/auth/getuserinfo3rd' }, 'suite API');
  t.same(parseGatewayRoute('GET', '/v1/apps/crm/corps/wwc/token'), { kind: 'corp_token', app: 'crm', corpId: 'wwc' }, 'corp token');
  t.same(parseGatewayRoute('GET', '/v1/apps/crm/suite-token'), { kind: 'suite_token', app: 'crm' }, 'suite token');
  t.same(parseGatewayRoute('GET', '/v1/apps/crm/corps/wwc/jsapi'), { kind: 'jsapi', app: 'crm', corpId: 'wwc' }, 'jsapi');
  t.match(parseGatewayRoute('POST', '/v1/apps/crm/corps/wwc/token'), { problem: 'no_route' }, 'token routes are GET only');
  t.match(parseGatewayRoute('GET', '/v1/apps/crm/corps/wwc/cgi-bin/user/../service/x'), { problem: 'bad_path' }, '`..` refused');
  t.match(parseGatewayRoute('GET', '/v1/apps/crm/corps/wwc/cgi-bin/user%2Fget'), { problem: 'bad_path' }, 'an encoded slash refused');
  t.match(parseGatewayRoute('GET', '/v1/apps/crm/corps/%E0%A4%A/cgi-bin/user/get'), { problem: 'bad_path' }, 'an undecodable segment refused');
  t.match(parseGatewayRoute('GET', '/other'), { problem: 'no_route' }, 'anything else: no route');
});

t.test('GatewayKeys: bearer keys by digest, scopes by app name or id, path globs', async (t) => {
  const keys = new GatewayKeys([
    { name: 'a', key: KEY, apps: ['crm'], corpIds: [], paths: ['externalcontact/*', 'user/get'], tokens: false },
    { name: 'b', key: `${KEY}b`, apps: [], corpIds: [], paths: [], tokens: true },
  ], [{ name: 'crm', id: 'wwcrm', kind: 'suite', token: 't', encodingAESKey: 'k', dataPath: '/d', commandPath: '/c' } as never]);
  t.equal(keys.authenticate(`Bearer ${KEY}`)?.name, 'a', 'the first key');
  t.equal(keys.authenticate(`bearer ${KEY}b`)?.name, 'b', 'the scheme is case-insensitive');
  t.equal(keys.authenticate(`Bearer ${KEY.slice(1)}`), undefined, 'a prefix of a key is no key');
  t.equal(keys.authenticate(KEY), undefined, 'no Bearer scheme');
  t.equal(keys.authenticate(undefined), undefined, 'no header');
  const a = keys.authenticate(`Bearer ${KEY}`)!;
  t.same([...a.appIds], ['wwcrm'], 'apps held as ids');
  t.ok(keyAllowsPath(a, 'externalcontact/groupchat/get'), '`*` spans slashes');
  t.ok(keyAllowsPath(a, 'user/get'), 'an exact path');
  t.notOk(keyAllowsPath(a, 'user/delete'), 'another path');
});

t.test('gateway: config is validated with paths, defaults applied, absent = off', async (t) => {
  const base = { suite, targets: [] };
  t.equal(validateConfig(base, {}).gateway, undefined, 'absent = no gateway');
  const config = validateConfig({ ...base, gateway: { keys: [{ name: 'crm', key: KEY }] } }, {});
  t.same(config.gateway, { host: '127.0.0.1', port: 9465, keys: [{ name: 'crm', key: KEY, apps: [], corpIds: [], paths: [], tokens: false }] }, 'defaults: 127.0.0.1:9465, every app/corp/path, no tokens');
  const bad = (() => {
    try {
      validateConfig({ ...base, gateway: { port: 70000, keys: [{ name: 'crm', key: 'short' }, { name: 'crm', key: KEY, apps: ['nope'], paths: ['/cgi-bin/user/get'] }, { name: 'x', key: KEY }] } }, {});
    } catch (error) {
      return error as ConfigError;
    }
    return undefined;
  })();
  t.ok(bad instanceof ConfigError, 'a ConfigError (the CLI exits 2)');
  const issues = bad!.issues.map((i) => `${i.path}: ${i.message}`);
  t.ok(issues.some((i) => i.startsWith('gateway.port:')), 'the port, by path');
  t.ok(issues.some((i) => /^gateway\.keys\[0\]\.key: must be at least 32 characters/.test(i)), 'a short key, by path');
  t.ok(issues.some((i) => /^gateway\.keys\[1\]\.name: duplicates gateway\.keys\[0\]\.name/.test(i)), 'a duplicate name');
  t.ok(issues.some((i) => /^gateway\.keys\[1\]\.apps\[0\]: names no app/.test(i)), 'an app that does not exist');
  t.ok(issues.some((i) => /^gateway\.keys\[1\]\.paths\[0\]: must be a path after \/cgi-bin\//.test(i)), 'a path glob with a leading slash');
  t.ok(issues.some((i) => /^gateway\.keys\[2\]\.key: is the same key as gateway\.keys\[1\]\.key/.test(i)), 'one key value given twice');
  t.notOk(bad!.message.includes(KEY), 'no key value in the message');
  const empty = (() => { try { validateConfig({ ...base, gateway: { keys: [] } }, {}); } catch (error) { return error as ConfigError; } return undefined; })();
  t.match(empty?.issues, [{ path: 'gateway.keys' }], 'a gateway without keys is refused');
});

t.test('doctor\'s gateway findings: weak keys, duplicates, raw-token keys, a non-loopback bind; never a key value', async (t) => {
  const { gatewayKeyFindings, keyStrengthBits } = await import('../../daemon/gateway/gateway-key-findings.js');
  const strong = 'f3a9c1d27b4e8a0c5d6f1e2b3a4c5d6e7f8091a2b3c4d5e6';
  const weak = 'ab'.repeat(20);
  const scope = { apps: [], corpIds: [], paths: [], tokens: false };
  t.ok(keyStrengthBits(strong) >= 128, 'a random hex key is strong');
  t.ok(keyStrengthBits(weak) < 128, 'a repeated pattern is weak');
  const findings = gatewayKeyFindings({ host: '0.0.0.0', port: 9465, keys: [
    { name: 'a', key: strong, ...scope }, { name: 'b', key: weak, ...scope, tokens: true }, { name: 'a', key: strong, ...scope },
  ] });
  const by = (name: string) => findings.filter((f) => f.name === name);
  t.match(by('gateway.host'), [{ status: 'warn', detail: /TLS in front/ }], 'a non-loopback bind: put TLS in front');
  t.match(by('gateway.keys[0].key'), [{ status: 'ok' }], 'a strong key is ok');
  t.match(by('gateway.keys[1].key'), [{ status: 'warn', detail: /weak/ }], 'a weak key is a warning');
  t.match(by('gateway.keys[1].tokens'), [{ status: 'warn' }], 'a key that may read raw tokens is pointed out');
  t.match(by('gateway.keys[2].name'), [{ status: 'fail', detail: /duplicates/ }], 'a duplicate name fails');
  t.ok(by('gateway.keys[2].key').some((f) => f.status === 'fail'), 'so does a duplicate key value');
  t.notOk(JSON.stringify(findings).includes(strong) || JSON.stringify(findings).includes(weak), 'no key value in any finding');
  t.match(gatewayKeyFindings(undefined), [{ name: 'gateway', status: 'ok' }], 'absent: not served');
});
