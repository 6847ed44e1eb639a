import { randomBytes } from 'node:crypto';
import { buildXml } from '../xml/build-xml.js';
import type { CallbackFields, FieldValue } from '../xml/fields.js';
import type { Endpoint } from './envelope.js';

/** What a sample is generated for. */
export interface SampleContext {
  /** Put in `SuiteId`. */
  readonly suiteId: string;
  /** The authorizing corp: `AuthCorpId` / `PaidCorpId` on command callbacks, `ToUserName` on data callbacks. */
  readonly corpId: string;
  /** The event time (`TimeStamp` / `CreateTime`). */
  readonly now: Date;
  /**
   * Makes the plaintext distinct per value, for load tests: messages add it to `MsgId`, other kinds
   * move the event time `seq` seconds back (ticket and auth-code samples are random anyway).
   * @default 0
   */
  readonly seq?: number;
}

/** One sample callback: where WeCom would send it, its fields, and its plaintext (`buildXml(fields)`). */
export interface SampleCallback {
  readonly endpoint: Endpoint;
  readonly fields: CallbackFields;
  readonly plaintext: string;
}

interface Ctx {
  readonly suiteId: string;
  readonly corpId: string;
  readonly ts: string;
  readonly seq: number;
}
type Body = Readonly<Record<string, FieldValue>>;
type Build = (c: Ctx) => CallbackFields;
interface Sample {
  readonly endpoint: Endpoint;
  readonly build: Build;
  /** How `seq` varies the plaintext. */
  readonly vary: 'time' | 'msgid' | 'random';
}

// Values from the WeCom doc examples (seeds/suite-config-and-events.md and the 第三方 event docs).
const EXTERNAL_USER_ID = 'woAJ2GCAAAXtWyujaWJHDDGi0mACH71w';
const PROVIDER_CORP_ID = 'wwddddccc7775555aaa';
const AGENT_ID = '1000002';
const FIRST_MSG_ID = 4561255354251345929n;

/** A fresh random credential-shaped value: samples never carry a fixed secret. */
const random = (): string => randomBytes(24).toString('base64url');

const cmd = (build: Build, vary: Sample['vary'] = 'time'): Sample => ({ endpoint: 'command', build, vary });
const command = (infoType: string, body: Body = {}): Sample =>
  cmd((c) => ({ SuiteId: c.suiteId, AuthCorpId: c.corpId, InfoType: infoType, TimeStamp: c.ts, ...body }));
const change = (infoType: string, changeType: string, body: Body = {}): Sample => command(infoType, { ChangeType: changeType, ...body });
const provider = (infoType: string, body: Body = {}): Sample =>
  cmd((c) => ({ ServiceCorpId: PROVIDER_CORP_ID, InfoType: infoType, TimeStamp: c.ts, AuthCorpId: c.corpId, ...body }));
const paid = (infoType: string, body: Body = {}): Sample =>
  cmd((c) => ({ SuiteId: c.suiteId, PaidCorpId: c.corpId, InfoType: infoType, TimeStamp: c.ts, ...body }));
const event = (name: string, body: Body = {}, from = 'zhangsan'): Sample => ({
  endpoint: 'data',
  vary: 'time',
  build: (c) => ({ ToUserName: c.corpId, FromUserName: from, CreateTime: c.ts, MsgType: 'event', Event: name, ...body, AgentID: AGENT_ID }),
});
const message = (msgType: string, body: Body): Sample => ({
  endpoint: 'data',
  vary: 'msgid',
  build: (c) => ({
    ToUserName: c.corpId, FromUserName: 'zhangsan', CreateTime: c.ts, MsgType: msgType, ...body,
    MsgId: String(FIRST_MSG_ID + BigInt(c.seq)), AgentID: AGENT_ID,
  }),
});

const USER: Body = {
  UserID: 'zhangsan', OpenUserID: 'woAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', Name: '张三', Department: '1,2,3', MainDepartment: '1',
  IsLeaderInDept: '1,0,0', DirectLeader: 'lisi', Mobile: '13800000000', Position: '产品经理', Gender: '1',
  Email: 'zhangsan@gzdev.com', BizMail: 'zhangsan@qyycs2.wecom.work', Status: '1',
  Avatar: 'http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0',
  Alias: 'zhangsan', Telephone: '020-123456',
  ExtAttr: { Item: [{ Name: '爱好', Type: '0', Text: { Value: '旅游' } }, { Name: '卡号', Type: '1', Web: { Title: '企业微信', Url: 'https://work.weixin.qq.com' } }] },
};
const EXT: Body = { UserID: 'zhangsan', ExternalUserID: EXTERNAL_USER_ID };
const ADDED: Body = { ...EXT, State: 'teststate', WelcomeCode: 'WELCOMECODE' };
const TAG: Body = { Id: 'TAG_ID', TagType: 'tag' };
const PICS: Body = { EventKey: 'photo', SendPicsInfo: { Count: '1', PicList: { Item: [{ PicMd5Sum: '1b5f7c23b5bf75682a53e7b6d163e185' }] } } };
const SCAN: Body = { EventKey: 'scan', ScanCodeInfo: { ScanType: 'qrcode', ScanResult: 'https://zjemail.cn/s/1' } };

const SAMPLES: Readonly<Record<string, Sample>> = {
  // Suite lifecycle.
  suite_ticket: cmd((c) => ({ SuiteId: c.suiteId, InfoType: 'suite_ticket', TimeStamp: c.ts, SuiteTicket: random() }), 'random'),
  create_auth: cmd((c) => ({ SuiteId: c.suiteId, AuthCode: random(), InfoType: 'create_auth', TimeStamp: c.ts, State: 'install' }), 'random'),
  change_auth: cmd((c) => ({ SuiteId: c.suiteId, InfoType: 'change_auth', TimeStamp: c.ts, AuthCorpId: c.corpId, State: 'abc' })),
  cancel_auth: cmd((c) => ({ SuiteId: c.suiteId, InfoType: 'cancel_auth', TimeStamp: c.ts, AuthCorpId: c.corpId })),
  reset_permanent_code: cmd((c) => ({ SuiteId: c.suiteId, AuthCorpId: c.corpId, InfoType: 'reset_permanent_code', TimeStamp: c.ts, AuthCode: random() }), 'random'),
  // Contacts.
  create_user: change('change_contact', 'create_user', USER),
  update_user: change('change_contact', 'update_user', { ...USER, NewUserID: 'zhangsan001' }),
  delete_user: change('change_contact', 'delete_user', { UserID: 'zhangsan', OpenUserID: 'woAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
  create_party: change('change_contact', 'create_party', { Id: '2', Name: '研发部', ParentId: '1', Order: '1' }),
  update_party: change('change_contact', 'update_party', { Id: '2', Name: '研发中心', ParentId: '1' }),
  delete_party: change('change_contact', 'delete_party', { Id: '2' }),
  update_tag: change('change_contact', 'update_tag', { TagId: '1', AddUserItems: 'zhangsan,lisi', DelUserItems: 'zhangsan1,lisi1', AddPartyItems: '1,2', DelPartyItems: '3,4' }),
  // Customer contact, groups and tags (values from the seed examples).
  add_external_contact: change('change_external_contact', 'add_external_contact', ADDED),
  edit_external_contact: change('change_external_contact', 'edit_external_contact', EXT),
  add_half_external_contact: change('change_external_contact', 'add_half_external_contact', ADDED),
  del_external_contact: change('change_external_contact', 'del_external_contact', { ...EXT, Source: 'DELETE_BY_TRANSFER' }),
  del_follow_user: change('change_external_contact', 'del_follow_user', EXT),
  transfer_fail: change('change_external_contact', 'transfer_fail', { FailReason: 'customer_refused', ...EXT }),
  msg_audit_approved: change('change_external_contact', 'msg_audit_approved', { ...EXT, WelcomeCode: 'WELCOMECODE' }),
  chat_create: change('change_external_chat', 'create', { ChatId: 'CHAT_ID' }),
  chat_update: change('change_external_chat', 'update', {
    ChatId: 'CHAT_ID', UpdateDetail: 'add_member', JoinScene: '1', QuitScene: '0', MemChangeCnt: '2',
    MemChangeList: { Item: ['Jack', 'Rose'] }, LastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1', CurMemVer: '71217227bbd112ecfe3a49c482195cb4',
  }),
  chat_dismiss: change('change_external_chat', 'dismiss', { ChatId: 'CHAT_ID' }),
  tag_create: change('change_external_tag', 'create', TAG),
  tag_update: change('change_external_tag', 'update', TAG),
  tag_delete: change('change_external_tag', 'delete', TAG),
  tag_shuffle: change('change_external_tag', 'shuffle', { Id: 'TAG_ID' }),
  // Reconciliation reports (SPEC §12; made by the sync run, shaped like a command push).
  sync_completed: cmd((c) => ({ SuiteId: c.suiteId, AuthCorpId: c.corpId, InfoType: 'sync_completed', TimeStamp: c.ts,
    Report: JSON.stringify({ runId: 'run_sample', scopes: { contacts: { total: 4, added: 1, removed: 0 } }, failed: [], startedAt: new Date(Number(c.ts) * 1000).toISOString(), finishedAt: new Date(Number(c.ts) * 1000).toISOString() }) })),
  sync_failed: cmd((c) => ({ SuiteId: c.suiteId, AuthCorpId: c.corpId, InfoType: 'sync_failed', TimeStamp: c.ts,
    Report: JSON.stringify({ runId: 'run_sample', scope: 'contacts', errcode: 60011, message: 'user/simplelist: errcode 60011', startedAt: new Date(Number(c.ts) * 1000).toISOString(), failedAt: new Date(Number(c.ts) * 1000).toISOString() }) })),
  // Other command-URL pushes.
  register_corp: cmd((c) => ({
    ServiceCorpId: PROVIDER_CORP_ID, InfoType: 'register_corp', TimeStamp: c.ts, RegisterCode: 'pIKi3wRPNWCGF-pyP-YU5KWjDDD',
    AuthCorpId: c.corpId, ContactSync: { AccessToken: random(), ExpiresIn: '7200' }, AuthUserInfo: { UserId: 'abcdef123' },
    State: 'state001', TemplateId: 'tpl1test',
  })),
  share_agent_change: command('share_agent_change', { AgentID: AGENT_ID }),
  corp_arch_auth: command('corp_arch_auth'),
  batch_job_result: provider('batch_job_result', { BatchJob: { JobId: 'jobid_S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4', JobType: 'id_translate' } }),
  agree_external_userid_migration: provider('agree_external_userid_migration'),
  school_create_student: change('change_school_contact', 'create_student', { Id: 'zhangsan' }),
  school_update_student: change('change_school_contact', 'update_student', { Id: 'zhangsan' }),
  school_delete_student: change('change_school_contact', 'delete_student', { Id: 'zhangsan' }),
  school_create_parent: change('change_school_contact', 'create_parent', { Id: 'zhangsan_parent' }),
  school_update_parent: change('change_school_contact', 'update_parent', { Id: 'zhangsan_parent' }),
  school_delete_parent: change('change_school_contact', 'delete_parent', { Id: 'zhangsan_parent' }),
  school_create_department: change('change_school_contact', 'create_department', { Id: '3' }),
  school_update_department: change('change_school_contact', 'update_department', { Id: '3' }),
  school_delete_department: change('change_school_contact', 'delete_department', { Id: '3' }),
  open_order: paid('open_order', { OrderId: 'T00000001', OperatorId: 'zhangsan' }),
  change_order: paid('change_order', { OldOrderId: 'T00000001', NewOrderId: 'T00000002' }),
  pay_for_app_success: paid('pay_for_app_success', { OrderId: 'T00000001' }),
  refund: paid('refund', { OrderId: 'T00000001' }),
  change_editon: paid('change_editon'),
  license_pay_success: provider('license_pay_success', { OrderId: 'OI00000001', BuyerUserId: 'zhangsan' }),
  license_refund: provider('license_refund', { OrderId: 'OI00000001', OrderStatus: '5' }),
  unlicensed_notify: provider('unlicensed_notify', { AgentID: AGENT_ID }),
  auto_activate: provider('auto_activate', {
    Scene: '1',
    AccountList: { ActiveCode: 'LC0000001', Type: '1', ExpireTime: '1767196800', UserId: 'zhangsan', PreviousStatus: '1', PreviousActiveCode: 'LC0000000' },
  }),
  device_data_auth_change: command('device_data_auth_change'),
  // Events on the data URL.
  subscribe: event('subscribe'),
  unsubscribe: event('unsubscribe'),
  enter_agent: event('enter_agent', { EventKey: '' }),
  app_location: event('LOCATION', { Latitude: '23.104105', Longitude: '113.320107', Precision: '65.000000', AppType: 'wxwork' }),
  app_batch_job_result: event('batch_job_result', { BatchJob: { JobId: 'S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4', JobType: 'sync_user', ErrCode: '0', ErrMsg: 'ok' } }, 'sys'),
  click: event('click', { EventKey: 'MENU_CLICK' }),
  view: event('view', { EventKey: 'https://zjemail.cn' }),
  view_miniprogram: event('view_miniprogram', { EventKey: 'pages/index/index' }),
  scancode_push: event('scancode_push', SCAN),
  scancode_waitmsg: event('scancode_waitmsg', SCAN),
  pic_sysphoto: event('pic_sysphoto', PICS),
  pic_photo_or_album: event('pic_photo_or_album', PICS),
  pic_weixin: event('pic_weixin', PICS),
  location_select: event('location_select', {
    EventKey: 'location', SendLocationInfo: { Location_X: '23', Location_Y: '113', Scale: '15', Label: '广州市海珠区客村艺苑路 106号', Poiname: '' },
  }),
  open_approval_change: event('open_approval_change', {
    ApprovalInfo: { ThirdNo: 'thirdNo001', OpenSpName: '付款', OpenTemplateId: '1234567111', OpenSpStatus: '1', ApplyTime: '1527837645', ApplyUserName: 'zhangsan', ApplyUserId: 'zhangsan', ApplyUserParty: '产品部' },
  }),
  app_share_agent_change: event('share_agent_change', {}, 'sys'),
  share_chain_change: event('share_chain_change', {}, 'sys'),
  template_card_event: event('template_card_event', {
    EventKey: 'button_confirm', TaskId: 'task_001', CardType: 'vote_interaction', ResponseCode: 'RESPONSE_CODE',
    SelectedItems: { SelectedItem: { QuestionKey: 'question_1', OptionIds: { OptionId: ['option_1', 'option_2'] } } },
  }),
  template_card_menu_event: event('template_card_menu_event', { EventKey: 'menu_unsubscribe', TaskId: 'task_001', CardType: 'text_notice', ResponseCode: 'RESPONSE_CODE' }),
  close_inactive_agent: event('close_inactive_agent', {}, 'sys'),
  reopen_inactive_agent: event('reopen_inactive_agent', {}, 'sys'),
  living_status_change: event('living_status_change', { LivingId: 'lvOQpQDgAAnKMkd0fAG9OUpPNiAqIYFA', Status: '1' }, 'sys'),
  kf_msg_or_event: event('kf_msg_or_event', { Token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR', OpenKfId: 'wkAJ2GCAAASSm4_FhToWMFea0xAFfd3Q' }, 'sys'),
  kf_account_auth_change: event('kf_account_auth_change', { AuthAddOpenKfId: { OpenKfId: 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw' }, AuthDelOpenKfId: { OpenKfId: 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyAAA' } }, 'sys'),
  change_app_admin: event('change_app_admin', {}, 'sys'),
  // Messages members send to the app.
  text: message('text', { Content: '你好' }),
  image: message('image', { PicUrl: 'https://wework.qpic.cn/wwpic/000000_sample/0', MediaId: 'MEDIA_ID_IMAGE' }),
  voice: message('voice', { MediaId: 'MEDIA_ID_VOICE', Format: 'amr' }),
  video: message('video', { MediaId: 'MEDIA_ID_VIDEO', ThumbMediaId: 'MEDIA_ID_THUMB' }),
  location: message('location', { Location_X: '23.134521', Location_Y: '113.358803', Scale: '20', Label: '广州市天河区', AppType: 'wxwork' }),
  link: message('link', { Title: 'wecom-relay', Description: 'A WeCom suite callback relay', Url: 'https://zjemail.cn', PicUrl: 'https://wework.qpic.cn/wwpic/000000_sample/0' }),
  file: message('file', { MediaId: 'MEDIA_ID_FILE' }),
};

/** Every kind {@link sampleCallback} accepts (`wecom-relay trigger <kind>`), keyed by WeCom's own names. */
export const SAMPLE_KINDS: readonly string[] = Object.freeze(Object.keys(SAMPLES));

/**
 * Generates one realistic sample callback of `kind`, as WeCom would send it: command-URL kinds carry
 * `SuiteId`/`AuthCorpId` (or `PaidCorpId`) from `ctx` and `TimeStamp`, data-URL kinds `ToUserName` and
 * `CreateTime`. Ticket and auth-code values are fresh random strings on every call.
 *
 * @throws TypeError for an unknown kind (the message lists the valid ones) or an invalid `ctx`.
 */
export function sampleCallback(kind: string, ctx: SampleContext): SampleCallback {
  const sample = Object.hasOwn(SAMPLES, kind) ? SAMPLES[kind] : undefined;
  if (sample === undefined) {
    throw new TypeError(`Expected \`kind\` to be one of ${SAMPLE_KINDS.join(', ')}, got \`${String(kind)}\` (${typeof kind})`);
  }
  const seconds = ctx.now instanceof Date ? Math.floor(ctx.now.getTime() / 1000) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new TypeError(`Expected \`ctx.now\` to be a valid Date, got \`${String(ctx.now)}\` (${typeof ctx.now})`);
  }
  const seq = ctx.seq ?? 0;
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new TypeError(`Expected \`ctx.seq\` to be a non-negative integer, got \`${String(seq)}\` (${typeof seq})`);
  }
  const ts = String(sample.vary === 'time' ? Math.max(0, seconds - seq) : seconds);
  const fields = sample.build({ suiteId: ctx.suiteId, corpId: ctx.corpId, ts, seq });
  return { endpoint: sample.endpoint, fields, plaintext: buildXml(fields) };
}
