/**
 * The event catalog: every WeCom callback kind wecom-relay knows, as one `const` list. The event type
 * union, `normalize()`, the JSON Schema and the samples are all derived from it.
 *
 * Types in SPEC §7 use the names listed there (`external_contact.added`). Every other kind uses the
 * same name the lossless generic rule would give it (`suite.<infotype>[.<changetype>]`, `app.<event>`,
 * `message.<msgtype>`), so adding a kind to the catalog never renames an event a consumer already sees.
 */

/** One catalog entry: how a callback kind is recognised, what it is called, and what it carries. */
export interface CatalogEntry {
  /** The normalized event type (dotted, lower snake segments). */
  readonly type: string;
  /** The callback URL WeCom documents for it. Recognition never depends on it: shape decides. */
  readonly endpointHint: 'command' | 'data';
  /** `InfoType` of command-shaped callbacks (also matched against `Event` for the change_* families). */
  readonly infoType?: string;
  /** `ChangeType`, for InfoTypes that have sub-kinds. */
  readonly changeType?: string;
  /** `MsgType` of data-shaped callbacks (`event` for events). */
  readonly msgType?: string;
  /** `Event` of data-shaped event callbacks, spelled as WeCom sends it (`LOCATION`); matched case-insensitively. */
  readonly event?: string;
  /** The first segment-ish grouping used by docs and enrichment (`external_contact`, `order`, …). */
  readonly family: string;
  /** A short English description. */
  readonly description: string;
  /** The WeCom field names documented for it (envelope fields included). */
  readonly fields: readonly string[];
  /** Fields that are credentials: removed from `data` and `raw`, never forwarded. */
  readonly secretFields?: readonly string[];
}

const CMD = ['SuiteId', 'AuthCorpId', 'InfoType', 'TimeStamp'] as const;
const CHANGE = [...CMD, 'ChangeType'] as const;
const USER = [...CHANGE, 'UserID', 'OpenUserID', 'Name', 'Department', 'MainDepartment', 'IsLeaderInDept', 'DirectLeader',
  'Mobile', 'Position', 'Gender', 'Email', 'BizMail', 'Status', 'Avatar', 'Alias', 'Telephone', 'ExtAttr'] as const;
const EXT = [...CHANGE, 'UserID', 'ExternalUserID'] as const;
const CHAT = [...CHANGE, 'ChatId'] as const;
const TAG = [...CHANGE, 'Id', 'TagType', 'StrategyId'] as const;
const PROVIDER = ['ServiceCorpId', 'InfoType', 'TimeStamp', 'AuthCorpId'] as const;
const PAID = ['SuiteId', 'PaidCorpId', 'InfoType', 'TimeStamp'] as const;
const EVT = ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event', 'AgentID'] as const;
const KEY = [...EVT, 'EventKey'] as const;
const MSG = ['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'MsgId', 'AgentID'] as const;

/** The catalog, in documentation order: command callbacks, then data-URL events, then messages. */
export const EVENT_CATALOG = [
  // Suite lifecycle (command URL).
  { type: 'suite.ticket', endpointHint: 'command', infoType: 'suite_ticket', family: 'suite',
    description: 'The 10-minute suite_ticket push (consumed by the daemon)',
    fields: ['SuiteId', 'InfoType', 'TimeStamp', 'SuiteTicket'], secretFields: ['SuiteTicket'] },
  { type: 'auth.created', endpointHint: 'command', infoType: 'create_auth', family: 'auth',
    description: 'A corp installed the suite from the app market',
    fields: ['SuiteId', 'AuthCode', 'InfoType', 'TimeStamp', 'State'], secretFields: ['AuthCode'] },
  { type: 'auth.changed', endpointHint: 'command', infoType: 'change_auth', family: 'auth',
    description: "A corp changed the suite's authorization",
    fields: ['SuiteId', 'InfoType', 'TimeStamp', 'AuthCorpId', 'State'] },
  { type: 'auth.cancelled', endpointHint: 'command', infoType: 'cancel_auth', family: 'auth',
    description: 'A corp uninstalled the suite', fields: ['SuiteId', 'InfoType', 'TimeStamp', 'AuthCorpId'] },
  { type: 'auth.permanent_code_reset', endpointHint: 'command', infoType: 'reset_permanent_code', family: 'auth',
    description: "The corp's permanent code was reset; exchange the new AuthCode",
    fields: [...CMD, 'AuthCode'], secretFields: ['AuthCode'] },
  // Contacts (change_contact).
  { type: 'contact.user.created', endpointHint: 'command', infoType: 'change_contact', changeType: 'create_user', family: 'contact',
    description: 'A member was added', fields: USER },
  { type: 'contact.user.updated', endpointHint: 'command', infoType: 'change_contact', changeType: 'update_user', family: 'contact',
    description: 'A member was updated', fields: [...USER, 'NewUserID'] },
  { type: 'contact.user.deleted', endpointHint: 'command', infoType: 'change_contact', changeType: 'delete_user', family: 'contact',
    description: 'A member was deleted', fields: [...CHANGE, 'UserID', 'OpenUserID'] },
  { type: 'contact.department.created', endpointHint: 'command', infoType: 'change_contact', changeType: 'create_party', family: 'contact',
    description: 'A department was created', fields: [...CHANGE, 'Id', 'Name', 'ParentId', 'Order'] },
  { type: 'contact.department.updated', endpointHint: 'command', infoType: 'change_contact', changeType: 'update_party', family: 'contact',
    description: 'A department was updated', fields: [...CHANGE, 'Id', 'Name', 'ParentId'] },
  { type: 'contact.department.deleted', endpointHint: 'command', infoType: 'change_contact', changeType: 'delete_party', family: 'contact',
    description: 'A department was deleted', fields: [...CHANGE, 'Id'] },
  { type: 'contact.tag.updated', endpointHint: 'command', infoType: 'change_contact', changeType: 'update_tag', family: 'contact',
    description: "A tag's members changed",
    fields: [...CHANGE, 'TagId', 'AddUserItems', 'DelUserItems', 'AddPartyItems', 'DelPartyItems'] },
  // Customer contact (change_external_contact).
  { type: 'external_contact.added', endpointHint: 'command', infoType: 'change_external_contact', changeType: 'add_external_contact', family: 'external_contact',
    description: 'A member added an external contact', fields: [...EXT, 'State', 'WelcomeCode'] },
  { type: 'external_contact.edited', endpointHint: 'command', infoType: 'change_external_contact', changeType: 'edit_external_contact', family: 'external_contact',
    description: "A member edited an external contact's remark or tags", fields: EXT },
  { type: 'external_contact.half_added', endpointHint: 'command', infoType: 'change_external_contact', changeType: 'add_half_external_contact', family: 'external_contact',
    description: 'An external contact added a member without verification', fields: [...EXT, 'State', 'WelcomeCode'] },
  { type: 'external_contact.deleted', endpointHint: 'command', infoType: 'change_external_contact', changeType: 'del_external_contact', family: 'external_contact',
    description: 'A member deleted an external contact', fields: [...EXT, 'Source'] },
  { type: 'external_contact.follow_user_deleted', endpointHint: 'command', infoType: 'change_external_contact', changeType: 'del_follow_user', family: 'external_contact',
    description: 'An external contact deleted a member', fields: EXT },
  { type: 'external_contact.transfer_failed', endpointHint: 'command', infoType: 'change_external_contact', changeType: 'transfer_fail', family: 'external_contact',
    description: 'A customer transfer to a new member failed', fields: [...EXT, 'FailReason'] },
  { type: 'external_contact.msg_audit_approved', endpointHint: 'command', infoType: 'change_external_contact', changeType: 'msg_audit_approved', family: 'external_contact',
    description: 'An external contact agreed to message archiving', fields: [...EXT, 'WelcomeCode'] },
  // Customer groups (change_external_chat).
  { type: 'external_chat.created', endpointHint: 'command', infoType: 'change_external_chat', changeType: 'create', family: 'external_chat',
    description: 'A customer group was created', fields: CHAT },
  { type: 'external_chat.updated', endpointHint: 'command', infoType: 'change_external_chat', changeType: 'update', family: 'external_chat',
    description: "A customer group's members, owner, name or notice changed",
    fields: [...CHAT, 'UpdateDetail', 'JoinScene', 'QuitScene', 'MemChangeCnt', 'MemChangeList', 'LastMemVer', 'CurMemVer'] },
  { type: 'external_chat.dismissed', endpointHint: 'command', infoType: 'change_external_chat', changeType: 'dismiss', family: 'external_chat',
    description: 'A customer group was dismissed', fields: CHAT },
  // Customer tags (change_external_tag).
  { type: 'external_tag.created', endpointHint: 'command', infoType: 'change_external_tag', changeType: 'create', family: 'external_tag',
    description: 'A customer tag or tag group was created', fields: TAG },
  { type: 'external_tag.updated', endpointHint: 'command', infoType: 'change_external_tag', changeType: 'update', family: 'external_tag',
    description: 'A customer tag or tag group was changed', fields: TAG },
  { type: 'external_tag.deleted', endpointHint: 'command', infoType: 'change_external_tag', changeType: 'delete', family: 'external_tag',
    description: 'A customer tag or tag group was deleted', fields: TAG },
  { type: 'external_tag.shuffled', endpointHint: 'command', infoType: 'change_external_tag', changeType: 'shuffle', family: 'external_tag',
    description: 'Customer tags were reordered', fields: [...CHANGE, 'Id', 'StrategyId'] },
  // Reconciliation (SPEC §12): made by the relay's sync run, not pushed by WeCom. `data` is the run's
  // report (parsed from `Report`), not the fields in camelCase: see docs/reconciliation.md.
  { type: 'sync.completed', endpointHint: 'command', infoType: 'sync_completed', family: 'sync',
    description: 'A reconciliation run of one corp finished: per scope {total, added, removed}',
    fields: [...CMD, 'Report'] },
  { type: 'sync.failed', endpointHint: 'command', infoType: 'sync_failed', family: 'sync',
    description: 'A reconciliation scope failed (errcode, partial list): its snapshot was kept, no deletions emitted',
    fields: [...CMD, 'Report'] },
  // Other command-URL pushes (protocol §2.7).
  { type: 'suite.register_corp', endpointHint: 'command', infoType: 'register_corp', family: 'register',
    description: 'A corp registered through a promotion QR code',
    fields: [...PROVIDER, 'RegisterCode', 'ContactSync', 'AuthUserInfo', 'State', 'TemplateId'], secretFields: ['AccessToken'] },
  { type: 'suite.share_agent_change', endpointHint: 'command', infoType: 'share_agent_change', family: 'agent',
    description: 'An app shared through corp interconnection changed', fields: [...CMD, 'AgentID'] },
  { type: 'suite.corp_arch_auth', endpointHint: 'command', infoType: 'corp_arch_auth', family: 'auth',
    description: 'A corp granted the organization-structure permission', fields: CMD },
  { type: 'suite.batch_job_result', endpointHint: 'command', infoType: 'batch_job_result', family: 'batch_job',
    description: 'An asynchronous provider job finished', fields: [...PROVIDER, 'BatchJob'] },
  { type: 'suite.agree_external_userid_migration', endpointHint: 'command', infoType: 'agree_external_userid_migration', family: 'external_contact',
    description: 'A corp agreed to migrate external_userids', fields: PROVIDER },
  { type: 'suite.change_school_contact.create_student', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'create_student', family: 'school_contact',
    description: 'A student was added', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.update_student', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'update_student', family: 'school_contact',
    description: 'A student was updated', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.delete_student', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'delete_student', family: 'school_contact',
    description: 'A student was deleted', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.create_parent', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'create_parent', family: 'school_contact',
    description: 'A parent was added', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.update_parent', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'update_parent', family: 'school_contact',
    description: 'A parent was updated', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.delete_parent', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'delete_parent', family: 'school_contact',
    description: 'A parent was deleted', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.create_department', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'create_department', family: 'school_contact',
    description: 'A school department was created', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.update_department', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'update_department', family: 'school_contact',
    description: 'A school department was updated', fields: [...CHANGE, 'Id'] },
  { type: 'suite.change_school_contact.delete_department', endpointHint: 'command', infoType: 'change_school_contact', changeType: 'delete_department', family: 'school_contact',
    description: 'A school department was deleted', fields: [...CHANGE, 'Id'] },
  { type: 'suite.open_order', endpointHint: 'command', infoType: 'open_order', family: 'order',
    description: 'A paid-app order was placed', fields: [...PAID, 'OrderId', 'OperatorId'] },
  { type: 'suite.change_order', endpointHint: 'command', infoType: 'change_order', family: 'order',
    description: 'A paid-app order was changed', fields: [...PAID, 'OldOrderId', 'NewOrderId'] },
  { type: 'suite.pay_for_app_success', endpointHint: 'command', infoType: 'pay_for_app_success', family: 'order',
    description: 'A paid-app order was paid', fields: [...PAID, 'OrderId'] },
  { type: 'suite.refund', endpointHint: 'command', infoType: 'refund', family: 'order',
    description: 'A paid-app order was refunded', fields: [...PAID, 'OrderId'] },
  { type: 'suite.change_editon', endpointHint: 'command', infoType: 'change_editon', family: 'order',
    description: "A corp's paid edition changed (WeCom spells it editon)", fields: PAID },
  { type: 'suite.license_pay_success', endpointHint: 'command', infoType: 'license_pay_success', family: 'license',
    description: 'An interface-license order was paid', fields: [...PROVIDER, 'OrderId', 'BuyerUserId'] },
  { type: 'suite.license_refund', endpointHint: 'command', infoType: 'license_refund', family: 'license',
    description: 'An interface-license order was refunded', fields: [...PROVIDER, 'OrderId', 'OrderStatus'] },
  { type: 'suite.unlicensed_notify', endpointHint: 'command', infoType: 'unlicensed_notify', family: 'license',
    description: 'A member without an interface license used the app', fields: [...PROVIDER, 'AgentID'] },
  { type: 'suite.auto_activate', endpointHint: 'command', infoType: 'auto_activate', family: 'license',
    description: 'Interface licenses were activated automatically', fields: [...PROVIDER, 'Scene', 'AccountList'] },
  { type: 'suite.device_data_auth_change', endpointHint: 'command', infoType: 'device_data_auth_change', family: 'device',
    description: "A corp changed the suite's device-data authorization", fields: CMD },
  // Events pushed to the data URL (MsgType=event).
  { type: 'app.subscribe', endpointHint: 'data', msgType: 'event', event: 'subscribe', family: 'app',
    description: 'A member subscribed to the app', fields: EVT },
  { type: 'app.unsubscribe', endpointHint: 'data', msgType: 'event', event: 'unsubscribe', family: 'app',
    description: 'A member unsubscribed from the app', fields: EVT },
  { type: 'app.enter_agent', endpointHint: 'data', msgType: 'event', event: 'enter_agent', family: 'app',
    description: 'A member opened the app', fields: KEY },
  { type: 'app.location', endpointHint: 'data', msgType: 'event', event: 'LOCATION', family: 'app',
    description: 'A member reported a location', fields: [...EVT, 'Latitude', 'Longitude', 'Precision', 'AppType'] },
  { type: 'app.batch_job_result', endpointHint: 'data', msgType: 'event', event: 'batch_job_result', family: 'batch_job',
    description: 'An asynchronous contact job finished', fields: [...EVT, 'BatchJob'] },
  { type: 'app.click', endpointHint: 'data', msgType: 'event', event: 'click', family: 'menu',
    description: 'A member clicked a menu item', fields: KEY },
  { type: 'app.view', endpointHint: 'data', msgType: 'event', event: 'view', family: 'menu',
    description: 'A member opened a menu link', fields: KEY },
  { type: 'app.view_miniprogram', endpointHint: 'data', msgType: 'event', event: 'view_miniprogram', family: 'menu',
    description: 'A member opened a menu mini program', fields: KEY },
  { type: 'app.scancode_push', endpointHint: 'data', msgType: 'event', event: 'scancode_push', family: 'menu',
    description: 'A member scanned a code from the menu', fields: [...KEY, 'ScanCodeInfo'] },
  { type: 'app.scancode_waitmsg', endpointHint: 'data', msgType: 'event', event: 'scancode_waitmsg', family: 'menu',
    description: 'A member scanned a code and awaits a reply', fields: [...KEY, 'ScanCodeInfo'] },
  { type: 'app.pic_sysphoto', endpointHint: 'data', msgType: 'event', event: 'pic_sysphoto', family: 'menu',
    description: 'A member took a photo from the menu', fields: [...KEY, 'SendPicsInfo'] },
  { type: 'app.pic_photo_or_album', endpointHint: 'data', msgType: 'event', event: 'pic_photo_or_album', family: 'menu',
    description: 'A member sent a photo or album picture from the menu', fields: [...KEY, 'SendPicsInfo'] },
  { type: 'app.pic_weixin', endpointHint: 'data', msgType: 'event', event: 'pic_weixin', family: 'menu',
    description: 'A member sent a WeCom album picture from the menu', fields: [...KEY, 'SendPicsInfo'] },
  { type: 'app.location_select', endpointHint: 'data', msgType: 'event', event: 'location_select', family: 'menu',
    description: 'A member picked a location from the menu', fields: [...KEY, 'SendLocationInfo'] },
  { type: 'app.open_approval_change', endpointHint: 'data', msgType: 'event', event: 'open_approval_change', family: 'approval',
    description: 'An approval started from the app changed state', fields: [...EVT, 'ApprovalInfo'] },
  { type: 'app.share_agent_change', endpointHint: 'data', msgType: 'event', event: 'share_agent_change', family: 'agent',
    description: 'An app shared through corp interconnection changed', fields: EVT },
  { type: 'app.share_chain_change', endpointHint: 'data', msgType: 'event', event: 'share_chain_change', family: 'agent',
    description: 'An app shared through an upstream/downstream chain changed', fields: EVT },
  { type: 'app.template_card_event', endpointHint: 'data', msgType: 'event', event: 'template_card_event', family: 'template_card',
    description: 'A member clicked a template card button',
    fields: [...KEY, 'TaskId', 'CardType', 'ResponseCode', 'SelectedItems'] },
  { type: 'app.template_card_menu_event', endpointHint: 'data', msgType: 'event', event: 'template_card_menu_event', family: 'template_card',
    description: "A member clicked a template card's menu", fields: [...KEY, 'TaskId', 'CardType', 'ResponseCode'] },
  { type: 'app.close_inactive_agent', endpointHint: 'data', msgType: 'event', event: 'close_inactive_agent', family: 'app',
    description: 'The app was closed for inactivity', fields: EVT },
  { type: 'app.reopen_inactive_agent', endpointHint: 'data', msgType: 'event', event: 'reopen_inactive_agent', family: 'app',
    description: 'The app was reopened after inactivity', fields: EVT },
  { type: 'app.living_status_change', endpointHint: 'data', msgType: 'event', event: 'living_status_change', family: 'living',
    description: 'A live stream changed state', fields: [...EVT, 'LivingId', 'Status'] },
  { type: 'app.kf_msg_or_event', endpointHint: 'data', msgType: 'event', event: 'kf_msg_or_event', family: 'kf',
    description: 'Customer-service messages are ready to sync', fields: [...EVT, 'Token', 'OpenKfId'] },
  { type: 'app.kf_account_auth_change', endpointHint: 'data', msgType: 'event', event: 'kf_account_auth_change', family: 'kf',
    description: 'Customer-service accounts authorized to the app changed',
    fields: [...EVT, 'AuthAddOpenKfId', 'AuthDelOpenKfId'] },
  { type: 'app.change_app_admin', endpointHint: 'data', msgType: 'event', event: 'change_app_admin', family: 'app',
    description: "The app's administrators changed", fields: EVT },
  // Messages members send to the app (data URL).
  { type: 'message.text', endpointHint: 'data', msgType: 'text', family: 'message',
    description: 'A text message', fields: [...MSG, 'Content'] },
  { type: 'message.image', endpointHint: 'data', msgType: 'image', family: 'message',
    description: 'An image message', fields: [...MSG, 'PicUrl', 'MediaId'] },
  { type: 'message.voice', endpointHint: 'data', msgType: 'voice', family: 'message',
    description: 'A voice message', fields: [...MSG, 'MediaId', 'Format'] },
  { type: 'message.video', endpointHint: 'data', msgType: 'video', family: 'message',
    description: 'A video message', fields: [...MSG, 'MediaId', 'ThumbMediaId'] },
  { type: 'message.location', endpointHint: 'data', msgType: 'location', family: 'message',
    description: 'A location message', fields: [...MSG, 'Location_X', 'Location_Y', 'Scale', 'Label', 'AppType'] },
  { type: 'message.link', endpointHint: 'data', msgType: 'link', family: 'message',
    description: 'A link message', fields: [...MSG, 'Title', 'Description', 'Url', 'PicUrl'] },
  { type: 'message.file', endpointHint: 'data', msgType: 'file', family: 'message',
    description: 'A file message', fields: [...MSG, 'MediaId'] },
] as const satisfies readonly CatalogEntry[];

type TypesOf<T extends readonly { readonly type: string }[]> = { readonly [K in keyof T]: T[K]['type'] };

/** Every known event type, in catalog order (a const tuple). */
export const EVENT_TYPES = EVENT_CATALOG.map((entry) => entry.type) as unknown as TypesOf<typeof EVENT_CATALOG>;

/** A known event type: one of {@link EVENT_TYPES}. */
export type KnownEventType = (typeof EVENT_TYPES)[number];

/** An event family named in the catalog. */
export type EventFamily = (typeof EVENT_CATALOG)[number]['family'];

const byType = new Map<string, CatalogEntry>(EVENT_CATALOG.map((entry) => [entry.type, entry]));
const byCommand = new Map<string, CatalogEntry>();
const byData = new Map<string, CatalogEntry>();
for (const entry of EVENT_CATALOG as readonly CatalogEntry[]) {
  if (entry.infoType !== undefined) byCommand.set(commandKey(entry.infoType, entry.changeType), entry);
  if (entry.msgType !== undefined) byData.set(dataKey(entry.msgType, entry.event), entry);
}

function commandKey(infoType: string, changeType: string | undefined): string {
  return `${infoType.toLowerCase()}\u0000${changeType?.toLowerCase() ?? ''}`;
}

function dataKey(msgType: string, event: string | undefined): string {
  return `${msgType.toLowerCase()}\u0000${event?.toLowerCase() ?? ''}`;
}

/** True when `type` is a known catalog type. */
export function isKnownEventType(type: string): type is KnownEventType {
  return byType.has(type);
}

/** The catalog entry of a known type, or undefined. */
export function catalogEntry(type: string): CatalogEntry | undefined {
  return byType.get(type);
}

/**
 * The entry for a command-shaped callback: `InfoType` (or the `Event` of an Event-shaped change_*
 * push) and `ChangeType` (empty when the callback has none). Case-insensitive; undefined when unknown.
 */
export function findCommandEntry(infoType: string, changeType = ''): CatalogEntry | undefined {
  return byCommand.get(commandKey(infoType, changeType));
}

/** The entry for a data-shaped callback: `MsgType` and, for `event`, the `Event`. Case-insensitive. */
export function findDataEntry(msgType: string, event = ''): CatalogEntry | undefined {
  return byData.get(dataKey(msgType, msgType.toLowerCase() === 'event' ? event : ''));
}
