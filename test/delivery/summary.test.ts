import t from 'tap';
import { summarize } from '../../daemon/delivery/summary.js';
import { formatFor } from '../../daemon/delivery/formats/index.js';
import { TARGET_FORMATS, type Locale } from '../../daemon/delivery/target.js';
import type { EventEnvelope } from '../../src/events/envelope.js';
import { makeEvent, makeTarget } from '../helpers/delivery-fixtures.js';

const CORP = 'wxf8b4f85f3a794e77';
const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** One event of a family: type, data and matching raw fields (as the normalizer would produce them). */
function familyEvent(type: string, data: Record<string, unknown>, extra: Partial<EventEnvelope> = {}): EventEnvelope {
  const raw: Record<string, string> = { SuiteId: 'ww4asffe99e54c0f4c', AuthCorpId: CORP, TimeStamp: '1403610513' };
  return makeEvent({ type, data, raw, ...extra });
}

/** `summary.lines` as one string, for content assertions. */
const text = (event: EventEnvelope, locale: Locale): string => {
  const summary = summarize(event, locale);
  return [summary.title, ...summary.lines].join('\n');
};

t.test('every summary has a title, the corp and the time in both locales', async (t) => {
  const event = makeEvent();
  const zh = summarize(event, 'zh-CN');
  const en = summarize(event, 'en');
  t.equal(zh.corp, CORP, 'without enrichment the corp is its id');
  t.equal(zh.time, '2014-06-24 19:48:33（北京时间）', 'zh-CN shows Beijing time');
  t.equal(en.time, '2014-06-24 11:48:33 UTC', 'en shows UTC');
  t.same(zh.lines.slice(-2), [`企业：${CORP}`, '时间：2014-06-24 19:48:33（北京时间）'], 'zh-CN lines end with corp and time');
  t.same(en.lines.slice(-2), [`Corp: ${CORP}`, 'Time: 2014-06-24 11:48:33 UTC'], 'en lines end with corp and time');
  t.same(zh.lines.slice(0, zh.details.length), zh.details, 'lines start with the details');
});

t.test('external_contact.*', async (t) => {
  const added = makeEvent();
  t.match(summarize(added, 'zh-CN').details[0], '成员 zhangsan 添加了客户 woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', 'zh-CN without enrichment names the external user id');
  t.match(summarize(added, 'en').details[0], 'zhangsan added external contact woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', 'en without enrichment names the external user id');
  t.match(text(added, 'zh-CN'), '渠道参数：teststate', 'the state is shown');
  const enriched = makeEvent({
    enrichment: { externalContact: { external_userid: 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w', name: '李雷' }, followUser: [] },
  });
  t.match(summarize(enriched, 'zh-CN').details[0], '成员 zhangsan 添加了客户 李雷', 'zh-CN uses the enriched name');
  t.match(summarize(enriched, 'en').details[0], 'zhangsan added external contact 李雷', 'en uses the enriched name');
  const cases: [type: string, zh: string, en: string][] = [
    ['external_contact.edited', '编辑了客户', 'edited external contact'],
    ['external_contact.half_added', '待成员通过', 'awaiting'],
    ['external_contact.deleted', '删除了客户', 'deleted external contact'],
    ['external_contact.follow_user_deleted', '删除了成员 zhangsan', 'deleted zhangsan'],
    ['external_contact.msg_audit_approved', '会话存档', 'message archiving'],
  ];
  for (const [type, zh, en] of cases) {
    const event = makeEvent({ type });
    t.match(text(event, 'zh-CN'), zh, `${type} in zh-CN says ${zh}`);
    t.match(text(event, 'en'), en, `${type} in en says ${en}`);
    t.match(text(event, 'en'), 'zhangsan', `${type} names the member`);
  }
  const failed = makeEvent({ type: 'external_contact.transfer_failed', data: { userId: 'lisi', externalUserId: 'wmX', failReason: 'customer_refused' } });
  t.match(text(failed, 'zh-CN'), '原因：客户拒绝', 'the transfer failure reason is translated (zh-CN)');
  t.match(text(failed, 'en'), 'Reason: the customer refused', 'the transfer failure reason is translated (en)');
});

t.test('external_chat.*', async (t) => {
  const update = familyEvent('external_chat.updated', {
    chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', updateDetail: 'add_member', joinScene: '3', memChangeCnt: '10',
    memChangeList: ['Jack', 'Rose'], lastMemVer: 'a', curMemVer: 'b',
  }, { enrichment: { groupChat: { chat_id: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', name: '客户交流群', member_list: [{}, {}, {}] }, memberVersion: 'gap' } });
  const zh = text(update, 'zh-CN');
  t.match(zh, '客户群「客户交流群」有 10 名成员入群（扫描群二维码）', 'zh-CN names the chat, the count and the scene');
  t.match(zh, '当前成员数：3', 'zh-CN gives the member count from enrichment');
  t.match(zh, '成员版本不连续', 'zh-CN mentions the member-version gap');
  const en = text(update, 'en');
  t.match(en, '10 member(s) joined "客户交流群" (scanned the group QR code)', 'en names the chat, the count and the scene');
  t.match(en, 'Members now: 3', 'en gives the member count');
  const left = familyEvent('external_chat.updated', { chatId: 'wrChat1', updateDetail: 'del_member', quitScene: '1', memChangeCnt: '2' });
  t.match(text(left, 'zh-CN'), '客户群「wrChat1」有 2 名成员退群（被群主或管理员移出）', 'without enrichment the chat id is used (zh-CN)');
  t.match(text(left, 'en'), '2 member(s) left "wrChat1" (removed by the owner or an admin)', 'without enrichment the chat id is used (en)');
  const renamed = familyEvent('external_chat.updated', { chatId: 'wrChat1', updateDetail: 'change_name' }, { enrichment: { groupChat: { name: '新群名' } } });
  t.match(text(renamed, 'zh-CN'), '客户群已改名为「新群名」', 'a rename shows the new name');
  t.match(text(renamed, 'en'), 'renamed to "新群名"', 'a rename shows the new name (en)');
  const created = familyEvent('external_chat.created', { chatId: 'wrChat1' });
  t.match(text(created, 'zh-CN'), '客户群「wrChat1」已创建', 'created (zh-CN)');
  t.match(text(created, 'en'), 'Customer group "wrChat1" was created', 'created (en)');
  const dismissed = familyEvent('external_chat.dismissed', { chatId: 'wrChat1' });
  t.match(text(dismissed, 'zh-CN'), '已解散', 'dismissed (zh-CN)');
  t.match(text(dismissed, 'en'), 'dismissed', 'dismissed (en)');
});

t.test('external_tag.*', async (t) => {
  const enrichment = { tagGroup: [{ group_id: 'etG1', group_name: '客户等级', tag: [{ id: 'etT1', name: '重要客户' }] }] };
  const created = familyEvent('external_tag.created', { id: 'etT1', tagType: 'tag' }, { enrichment });
  t.match(text(created, 'zh-CN'), '企业客户标签「重要客户」已创建', 'the tag name is found in the enriched tag list (zh-CN)');
  t.match(text(created, 'en'), 'Customer tag "重要客户" was created', 'the tag name is found in the enriched tag list (en)');
  const namedGroup = familyEvent('external_tag.updated', { id: 'etG1', tagType: 'tag_group' }, { enrichment });
  t.match(text(namedGroup, 'zh-CN'), '企业客户标签组「客户等级」已变更', 'a tag group name comes from group_name');
  const group = familyEvent('external_tag.deleted', { id: 'etG9', tagType: 'tag_group' });
  t.match(text(group, 'zh-CN'), '企业客户标签组「etG9」已删除', 'a tag group without enrichment shows its id (zh-CN)');
  t.match(text(group, 'en'), 'Customer tag group "etG9" was deleted', 'a tag group without enrichment shows its id (en)');
  const updated = familyEvent('external_tag.updated', { id: 'etT1', tagType: 'tag', strategyId: '7' });
  t.match(text(updated, 'zh-CN'), '规则组：7', 'the strategy id is shown');
  const shuffled = familyEvent('external_tag.shuffled', {});
  t.match(text(shuffled, 'zh-CN'), '重新排序', 'shuffle (zh-CN)');
  t.match(text(shuffled, 'en'), 'reordered', 'shuffle (en)');
});

t.test('contact.user / department / tag', async (t) => {
  const user = familyEvent('contact.user.created', { userId: 'wangwu', name: '王五', department: ['1', '2'] });
  t.match(text(user, 'zh-CN'), '成员 王五（wangwu）已加入通讯录', 'a new member with name and id (zh-CN)');
  t.match(text(user, 'zh-CN'), '所在部门：1,2', 'the departments are listed');
  t.match(text(user, 'en'), 'Member 王五 (wangwu) was added to the directory', 'a new member (en)');
  const renamed = familyEvent('contact.user.updated', { userId: 'wangwu', newUserId: 'wangwu2' });
  t.match(text(renamed, 'zh-CN'), '账号已改为 wangwu2', 'a user id change is shown (zh-CN)');
  t.match(text(renamed, 'en'), 'User ID changed to wangwu2', 'a user id change is shown (en)');
  const deleted = familyEvent('contact.user.deleted', { userId: 'wangwu' });
  t.match(text(deleted, 'en'), 'Member wangwu was removed from the directory', 'a deletion (en)');
  const department = familyEvent('contact.department.created', { id: '2', name: '研发部', parentId: '1' });
  t.match(text(department, 'zh-CN'), '部门 研发部（ID 2）已创建', 'department (zh-CN)');
  t.match(text(department, 'en'), 'Department 研发部 (ID 2) was created', 'department (en)');
  t.match(text(department, 'en'), 'Parent department ID: 1', 'the parent is shown');
  const tag = familyEvent('contact.tag.updated', { tagId: '1', addUserItems: 'zhangsan,lisi', delPartyItems: '3' });
  t.match(text(tag, 'zh-CN'), '新增成员：zhangsan,lisi', 'added members (zh-CN)');
  t.match(text(tag, 'en'), 'Departments removed: 3', 'removed departments (en)');
});

t.test('auth.*', async (t) => {
  const enrichment = { authCorpInfo: { corpid: CORP, corp_name: '示例科技' }, authUserInfo: { userid: 'admin1', name: '管理员甲' } };
  const created = familyEvent('auth.created', { authCorpId: CORP, state: 'from-site' }, { enrichment });
  t.match(text(created, 'zh-CN'), '企业 示例科技 安装（授权）了应用', 'the corp name comes from enrichment (zh-CN)');
  t.match(text(created, 'en'), '示例科技 installed the app', 'the corp name comes from enrichment (en)');
  t.equal(summarize(created, 'en').corp, '示例科技', 'the corp field uses the name');
  t.match(text(created, 'zh-CN'), '授权管理员：管理员甲', 'the authorizing admin is shown');
  const cancelled = familyEvent('auth.cancelled', { authCorpId: CORP });
  t.match(text(cancelled, 'zh-CN'), `企业 ${CORP} 取消了应用授权`, 'without enrichment the corp id is used (zh-CN)');
  t.match(text(cancelled, 'en'), `${CORP} cancelled the app authorization`, 'without enrichment the corp id is used (en)');
  const pending = makeEvent({ type: 'auth.created', source: { endpoint: 'command', suiteId: 'ww4asffe99e54c0f4c', corpId: null, agentId: null }, data: { state: 'install' }, raw: { InfoType: 'create_auth' } });
  t.equal(summarize(pending, 'zh-CN').details[0], '有企业安装（授权）了应用', 'before the code exchange no corp is named (zh-CN)');
  t.equal(summarize(pending, 'en').details[0], 'A corp installed the app', 'before the code exchange no corp is named (en)');
  t.equal(summarize(pending, 'en').corp, '-', 'the corp field is a dash');
  const changed = familyEvent('auth.changed', { authCorpId: CORP }, { data: { corpName: '数据里的企业' } });
  t.match(text(changed, 'en'), '数据里的企业 changed the app authorization', 'a corp name in data is used');
  const reset = familyEvent('auth.permanent_code_reset', { authCorpId: CORP });
  t.match(text(reset, 'zh-CN'), '重置了永久授权码', 'permanent code reset (zh-CN)');
});

t.test('message.* and app.*', async (t) => {
  const source = { endpoint: 'data' as const, suiteId: 'ww4asffe99e54c0f4c', corpId: CORP, agentId: '1000002' };
  const message = familyEvent('message.text', { fromUserName: 'zhangsan', content: '你好，世界', msgId: '1234567890123456789' }, { source });
  t.match(text(message, 'zh-CN'), '成员 zhangsan 发送了文本消息', 'the sender is named (zh-CN)');
  t.match(text(message, 'zh-CN'), '你好，世界', 'the text content is included');
  t.match(text(message, 'en'), 'zhangsan sent a text message', 'the sender is named (en)');
  const image = familyEvent('message.image', { fromUserName: 'zhangsan', picUrl: 'https://p/x.jpg' }, { source });
  t.match(text(image, 'en'), 'zhangsan sent an image', 'an image (en)');
  t.notMatch(text(image, 'en'), 'https://p/x.jpg', 'the picture URL is not copied');
  const subscribe = familyEvent('app.subscribe', { fromUserName: 'lisi' }, { source });
  t.match(text(subscribe, 'zh-CN'), '成员 lisi 关注了应用', 'subscribe (zh-CN)');
  t.match(text(subscribe, 'en'), 'lisi subscribed to the app', 'subscribe (en)');
  const admin = familyEvent('app.change_app_admin', {}, { source, raw: { FromUserName: 'sys', MsgType: 'event', Event: 'change_app_admin' } });
  t.match(text(admin, 'zh-CN'), '应用管理员已变更', 'admin change (zh-CN)');
  t.match(text(admin, 'en'), 'The app admins changed', 'admin change (en)');
  const job = familyEvent('app.batch_job_result', {}, { source, raw: { FromUserName: 'sys', BatchJob: { JobId: 'job1', JobType: 'sync_user' } } });
  t.match(text(job, 'zh-CN'), '异步任务 job1 sync_user 已完成', 'a nested raw field is read by path (zh-CN)');
  t.match(text(job, 'en'), 'Batch job job1 sync_user finished', 'a nested raw field is read by path (en)');
  const system = familyEvent('app.close_inactive_agent', {}, { source, raw: { FromUserName: 'sys' } });
  t.equal(summarize(system, 'en').details[0], 'App event close_inactive_agent', 'the sys sender is not named as a member');
  const unknown = familyEvent('app.some_future_event', { fromUserName: 'lisi' }, { source });
  t.match(text(unknown, 'zh-CN'), '应用事件 some_future_event，成员 lisi', 'an unknown app event is named (zh-CN)');
  t.match(text(unknown, 'en'), 'App event some_future_event from lisi', 'an unknown app event is named (en)');
});

t.test('generic types fall back to the type and key ids', async (t) => {
  const event = familyEvent('suite.register_corp', { infoType: 'register_corp', userId: 'u1' });
  t.match(text(event, 'zh-CN'), '收到事件 suite.register_corp', 'the type is named (zh-CN)');
  t.match(text(event, 'en'), 'Received event suite.register_corp', 'the type is named (en)');
  t.match(text(event, 'en'), 'Member: u1', 'a known id is shown');
  t.match(text(event, 'en'), `Corp: ${CORP}`, 'the corp is shown');
  const partial = makeEvent({ type: 'external_contact.some_new_change' });
  t.match(text(partial, 'en'), 'Received event external_contact.some_new_change', 'an unknown action in a known family falls back');
});

t.test('enrichmentError is mentioned briefly', async (t) => {
  const event = makeEvent({ enrichmentError: { code: 'wecom_api', errcode: 60011, message: 'no privilege to access/modify contact/party/agent', api: 'externalcontact/get' } });
  t.match(text(event, 'zh-CN'), '补全信息不完整（wecom_api errcode 60011）', 'zh-CN names code and errcode');
  t.match(text(event, 'en'), 'Note: enrichment incomplete (wecom_api errcode 60011)', 'en names code and errcode');
  t.notMatch(text(event, 'en'), 'no privilege', 'the message itself is not copied');
});

t.test('quoted values are clipped to one line', async (t) => {
  const event = familyEvent('external_chat.created', { chatId: `wr${'x'.repeat(5000)}\nINJECTED` });
  const line = summarize(event, 'en').details[0] ?? '';
  t.ok(line.length < 200, `the chat line is short (${line.length} chars)`);
  t.notMatch(line, '\n', 'no line break survives in a name');
});

t.test('secret-like values in raw or unknown data fields never reach a chat body', async (t) => {
  const leaks = {
    SuiteSecret: 'LEAK-suite-secret-9f8e7d',
    PermanentCode: 'LEAK-permanent-code-1a2b',
    AccessToken: 'LEAK-access-token-3c4d',
    SuiteTicket: 'LEAK-suite-ticket-5e6f',
    AuthCode: 'LEAK-auth-code-7a8b',
    Content: 'LEAK-raw-content-9c0d',
  };
  const families = [
    makeEvent(),
    familyEvent('external_chat.updated', { chatId: 'wrChat1', updateDetail: 'add_member' }),
    familyEvent('external_tag.created', { id: 'etT1' }),
    familyEvent('contact.user.updated', { userId: 'wangwu' }),
    familyEvent('contact.department.deleted', { id: '3' }),
    familyEvent('contact.tag.updated', { tagId: '1' }),
    familyEvent('auth.created', { authCorpId: CORP }),
    familyEvent('message.image', { fromUserName: 'zhangsan' }),
    familyEvent('app.enter_agent', { fromUserName: 'zhangsan' }),
    familyEvent('suite.some_unknown_info', {}),
  ];
  for (const base of families) {
    const event = {
      ...base,
      raw: { ...base.raw, ...leaks },
      data: { ...base.data, secret: 'LEAK-data-secret', permanentCode: 'LEAK-data-permanent', accessToken: 'LEAK-data-token' },
    };
    for (const format of TARGET_FORMATS.filter((name) => name !== 'json')) {
      for (const locale of LOCALES) {
        const request = formatFor(format)(event, makeTarget({ format, locale, secret: 'bot-secret-value' }), { now: new Date() });
        const everything = `${request.url}\n${JSON.stringify(request.headers)}\n${request.body}`;
        t.notMatch(everything, 'LEAK-', `${event.type} as ${format} (${locale}) carries none of the planted values`);
        t.notMatch(request.body, 'bot-secret-value', `${event.type} as ${format} (${locale}) does not carry the bot secret`);
      }
    }
  }
});
