import t from 'tap';
import { DEFAULT_CORP_IDS } from '../../daemon/mock-api/default-corp.js';
import { authorized, get, post, type Body } from '../helpers/mock-api-client.js';





t.test('user/get answers the third-party-limited member', async (t) => {
  const { mock, token } = await authorized(t);
  const user = await get(mock, 'user/get', { access_token: token, userid: 'zhangsan' });
  t.match(user, {
    errcode: 0, errmsg: 'ok', userid: 'zhangsan', name: 'zhangsan', department: [1, 2], main_department: 2,
    is_leader_in_dept: [0, 1], direct_leader: ['lisi'], status: 1, open_userid: /^wo/, gender: '0',
  }, 'the name is the userid and gender reads 0, as for every third-party app');
  for (const field of ['position', 'mobile', 'email', 'avatar', 'alias']) {
    t.notOk(field in user, `${field} is withheld from third-party apps`);
  }
  const byCase = await get(mock, 'user/get', { access_token: token, userid: 'ZhangSan' });
  t.equal(byCase['userid'], 'zhangsan', 'userid lookup is case-insensitive (不区分大小写)');
  const byOpenId = await get(mock, 'user/get', { access_token: token, userid: String(user['open_userid']) });
  t.equal(byOpenId['userid'], 'zhangsan', 'the open_userid finds the member too');
});

t.test('user/get errcodes: 60011 outside the visible range, 60111 unknown, 41009 missing', async (t) => {
  const { mock, token } = await authorized(t);
  t.equal((await get(mock, 'user/get', { access_token: token, userid: DEFAULT_CORP_IDS.invisibleUserid }))['errcode'], 60011, 'an invisible member answers 60011');
  t.equal((await get(mock, 'user/get', { access_token: token, userid: 'nobody' }))['errcode'], 60111, 'an unknown member answers 60111');
  t.equal((await get(mock, 'user/get', { access_token: token }))['errcode'], 41009, 'a missing userid answers 41009');
});

t.test('with thirdPartyFieldLimits off, user/get and department/get answer every seeded field', async (t) => {
  const { mock, token } = await authorized(t, { thirdPartyFieldLimits: false });
  const user = await get(mock, 'user/get', { access_token: token, userid: 'zhangsan' });
  t.match(user, { name: '张三', position: '后台工程师', gender: '1', mobile: '13800000000' }, 'the real name and contact fields are present');
  const department = await get(mock, 'department/get', { access_token: token, id: '2' });
  t.match(department, { department: { id: 2, name: '研发中心', name_en: 'R&D' } }, 'the department name is present');
});

t.test('batch/userid_to_openuserid converts visible ids and lists the invalid ones', async (t) => {
  const { mock, token } = await authorized(t);
  const answer = await post(mock, 'batch/userid_to_openuserid', { access_token: token }, { userid_list: ['zhangsan', 'lisi', 'ghost', DEFAULT_CORP_IDS.invisibleUserid] });
  t.match(answer, { errcode: 0, open_userid_list: [{ userid: 'zhangsan', open_userid: /^wo/ }, { userid: 'lisi', open_userid: /^wo/ }] }, 'visible members are converted');
  t.same(answer['invalid_userid_list'], ['ghost', DEFAULT_CORP_IDS.invisibleUserid], 'unknown and invisible ids are invalid');
  const user = await get(mock, 'user/get', { access_token: token, userid: 'zhangsan' });
  t.equal((answer['open_userid_list'] as Body[])[0]?.['open_userid'], user['open_userid'], 'the open_userid matches user/get');
  const clean = await post(mock, 'batch/userid_to_openuserid', { access_token: token }, { userid_list: ['lisi'] });
  t.notOk('invalid_userid_list' in clean, 'invalid_userid_list is omitted when empty');
  const tooMany = Array.from({ length: 1001 }, (_, i) => `user${i}`);
  t.equal((await post(mock, 'batch/userid_to_openuserid', { access_token: token }, { userid_list: tooMany }))['errcode'], 40058, 'more than 1000 ids answer 40058');
  t.equal((await post(mock, 'batch/userid_to_openuserid', { access_token: token }, {}))['errcode'], 40058, 'a missing list answers 40058');
});

t.test('limits.invalidUseridsPerDay bans the corp for the day after too many invalid ids', async (t) => {
  const { mock, token } = await authorized(t, { limits: { invalidUseridsPerDay: 2 } });
  const first = await post(mock, 'batch/userid_to_openuserid', { access_token: token }, { userid_list: ['ghost1', 'ghost2', 'ghost3'] });
  t.equal(first['errcode'], 0, 'the call that spends the budget is still answered');
  const second = await post(mock, 'batch/userid_to_openuserid', { access_token: token }, { userid_list: ['zhangsan'] });
  t.equal(second['errcode'], 45009, 'later calls that day answer 45009');
});

t.test('department/get answers the id as the name for third-party apps', async (t) => {
  const { mock, token } = await authorized(t);
  const answer = await get(mock, 'department/get', { access_token: token, id: '2' });
  t.match(answer, { errcode: 0, department: { id: 2, name: '2', parentid: 1, order: 10, department_leader: ['zhangsan'] } }, 'name is the id (doc 95351)');
  t.notOk('name_en' in (answer['department'] as Body), 'name_en is withheld');
  t.equal((await get(mock, 'department/get', { access_token: token, id: String(DEFAULT_CORP_IDS.invisibleDepartmentId) }))['errcode'], 60011, 'an invisible department answers 60011');
  t.equal((await get(mock, 'department/get', { access_token: token, id: '999' }))['errcode'], 60003, 'an unknown department answers 60003');
  t.equal((await get(mock, 'department/get', { access_token: token, id: 'abc' }))['errcode'], 60123, 'a non-numeric id answers 60123');
  t.equal((await get(mock, 'department/get', { access_token: token }))['errcode'], 60127, 'a missing id answers 60127');
});
