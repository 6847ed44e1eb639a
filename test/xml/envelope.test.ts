import t from 'tap';
import { parseEnvelope } from '../../src/xml/envelope.js';

// Copied from shared/reference/wecom-protocol.md §3 (official WXBizMsgCrypt samples).
const A2_ENCRYPT = 'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const A2_BODY = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${A2_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;

const B2_ENCRYPT = 'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+';
const B2_BODY = `<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n<Encrypt><![CDATA[${B2_ENCRYPT}]]></Encrypt>\n<AgentID><![CDATA[1000002]]></AgentID>\n</xml>`;

const A4_ENCRYPT = 'CZWs4CWRpI4VolQlvn4dlEC1alN2MUEY2VklGehgBVLBrlVF7SyT+SV+Toj43l4ayJ9UMGKphktKKmP7B2j/P1ey67XB8PBgS7Wr5/8+w/yWriZv3Vmoo/MH3/1HsIWZrPQ3N2mJrelStIfI2Y8kLKXA7EhfZgZX4o+ffdkZDM76SEl79Ib9mw7TGjZ9Aw/x/A2VjNbV1E8BtEbRxYYcQippYNw7hr8sFfa3nW1xLdxokt8QkRX83vK3DFP2F6TQFPL2Tu98UwhcUpPvdJBuu1/yiOQIScppV3eOuLWEsko=';
const A4_BODY = `{"tousername":"wx5823bf96d3bd56c7","encrypt":"${A4_ENCRYPT}","agentid":"218"}`;

const A3_ENCRYPT = 'pvXgeha3nZ7UQ2DG3WD3IVsNJR38QVl1+h+wmLQHIAwEG3Jey2aTZtvAWzhEZ9JEKGwIUMBWX3JlUhfo7O7WbvI10vHIsdSNr1nr3LuOwAfnwLJAMQNDxi5tHUl08Op59jxOL73r8+g60KOxMTaFwXzlr9Yxgq5ey5nzNb/2vDjjvDZNXkJVmL/XWnv6PXrVbTpNxphqWRv2BpPYqvwRMkHgdFliatljMVlkkRHS40FOHmtBhj/4RXtIexfDx8opBXwi0L9RTlYNQzGx+FA+74xVHG7Le/pmNDwc2Ri5mbw=';
const A3_BODY = `{ "ToUserName": "wx5823bf96d3bd56c7", "Encrypt": "${A3_ENCRYPT}", "AgentID": 218 }`;

t.test('the A2 XML body gives its Encrypt, ToUserName and AgentID', async (t) => {
  t.same(parseEnvelope(A2_BODY), { encrypt: A2_ENCRYPT, toUserName: 'wx5823bf96d3bd56c7', agentId: '218', format: 'xml' }, 'A2 envelope');
});

t.test('the B2 XML body, with newlines between elements, parses the same way', async (t) => {
  t.same(parseEnvelope(B2_BODY), { encrypt: B2_ENCRYPT, toUserName: 'ww1436e0e65a779aee', agentId: '1000002', format: 'xml' }, 'B2 envelope');
});

t.test('the A4 JSON body with lower-case keys is accepted', async (t) => {
  t.same(parseEnvelope(A4_BODY), { encrypt: A4_ENCRYPT, toUserName: 'wx5823bf96d3bd56c7', agentId: '218', format: 'json' }, 'A4 envelope');
});

t.test('a JSON body with capitalised keys and a numeric AgentID (A3) gives the digits as a string', async (t) => {
  const envelope = parseEnvelope(A3_BODY);
  t.equal(envelope.encrypt, A3_ENCRYPT, 'Encrypt is exact');
  t.equal(envelope.agentId, '218', 'agentid 218 (a number) → "218"');
  t.equal(envelope.format, 'json', 'format is json');
});

t.test('a leading BOM and whitespace are tolerated', async (t) => {
  t.equal(parseEnvelope(`\uFEFF\r\n  ${A2_BODY}\n`).encrypt, A2_ENCRYPT, 'XML after a BOM and blank lines');
  t.equal(parseEnvelope(`\uFEFF ${A4_BODY}`).encrypt, A4_ENCRYPT, 'JSON after a BOM and a space');
});

t.test('a command callback envelope has an empty AgentID, read as null', async (t) => {
  const envelope = parseEnvelope('<xml><ToUserName><![CDATA[ww4asffe99e54c0f4c]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>');
  t.equal(envelope.agentId, null, 'empty AgentID → null');
  t.equal(envelope.toUserName, 'ww4asffe99e54c0f4c', 'ToUserName is kept');
  t.equal(parseEnvelope('<xml><Encrypt>abc=</Encrypt></xml>').toUserName, null, 'missing ToUserName → null');
});

t.test('a missing, empty or non-text Encrypt is ERR_WECOM_MALFORMED_BODY', async (t) => {
  const cases = {
    'XML without Encrypt': '<xml><ToUserName>x</ToUserName></xml>',
    'XML with an empty Encrypt': '<xml><Encrypt><![CDATA[]]></Encrypt></xml>',
    'XML with two Encrypt elements': '<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>',
    'XML with a nested Encrypt': '<xml><Encrypt><A>b</A></Encrypt></xml>',
    'JSON without encrypt': '{"tousername":"x","agentid":"1"}',
    'JSON with an empty encrypt': '{"encrypt":""}',
    'JSON with an object encrypt': '{"encrypt":{"a":"b"}}',
  };
  for (const [name, body] of Object.entries(cases)) {
    t.throws(() => parseEnvelope(body), { code: 'ERR_WECOM_MALFORMED_BODY' }, name);
  }
});

t.test('an unparseable body is ERR_WECOM_MALFORMED_BODY, a DOCTYPE ERR_WECOM_XML_UNSAFE', async (t) => {
  for (const body of ['', 'encrypt=abc', '{"encrypt":"abc"', '["abc"]', '<xml><Encrypt>abc</xml>']) {
    t.throws(() => parseEnvelope(body), { code: 'ERR_WECOM_MALFORMED_BODY' }, `${JSON.stringify(body)} is malformed`);
  }
  t.throws(() => parseEnvelope('<!DOCTYPE xml [<!ENTITY e "x">]><xml><Encrypt>&e;</Encrypt></xml>'), { code: 'ERR_WECOM_XML_UNSAFE' }, 'DOCTYPE → unsafe');
});

t.test('a body with far more markup than an envelope is refused before it is parsed', async (t) => {
  const wide = `<xml>${'<a>1</a>'.repeat(100_000)}<Encrypt><![CDATA[abcd]]></Encrypt></xml>`;
  t.throws(() => parseEnvelope(wide), { code: 'ERR_WECOM_XML_UNSAFE', message: /more than 64 tags/ }, 'refused by the markup count');
  const normal = '<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abcd]]></Encrypt><AgentID><![CDATA[1]]></AgentID></xml>';
  t.equal(parseEnvelope(normal).encrypt, 'abcd', 'a real envelope still parses');
});
