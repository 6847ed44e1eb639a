import { actionOf, type EventDescription, type FamilyDescriber } from './summary-description.js';
import type { EventFields } from './summary-fields.js';

/**
 * Summaries of what members do in the app (data callback): `message.*` (messages sent to the app) and
 * `app.*` (app events: subscribe, enter_agent, menu clicks, change_app_admin…). Unknown app events get a
 * sensible line naming the event, never null, since the type already says it is an app event.
 */
export const describeActivityEvent: FamilyDescriber = (event, fields, locale) => {
  const zh = locale === 'zh-CN';
  const action = actionOf(event.type);
  const from = fields.value('fromUserName') ?? '?';
  if (event.type.startsWith('message.')) return describeMessage(action, from, fields, zh);
  if (event.type.startsWith('app.')) return describeAppEvent(action, from, fields, zh);
  return null;
};

/** `[zh noun, en noun]` per message type. */
const MESSAGE_KINDS: Record<string, [string, string]> = {
  text: ['文本消息', 'a text message'],
  image: ['图片', 'an image'],
  voice: ['语音', 'a voice message'],
  video: ['视频', 'a video'],
  location: ['位置', 'a location'],
  link: ['链接', 'a link'],
  file: ['文件', 'a file'],
};

function describeMessage(kind: string, from: string, f: EventFields, zh: boolean): EventDescription {
  const noun = MESSAGE_KINDS[kind] ?? [`${kind} 消息`, `a ${kind} message`];
  const details = [zh ? `成员 ${from} 发送了${noun[0]}` : `${from} sent ${noun[1]}`];
  if (kind === 'text') {
    const content = f.longText('content');
    if (content !== null) details.push(content);
  } else {
    const about = kind === 'location' ? f.value('label') : kind === 'link' ? f.value('title') : null;
    if (about !== null) details.push(about);
  }
  return { title: zh ? '应用消息' : 'Message to the app', details };
}

/** `[zh title, zh line (after the member), en title, en line (after the member)]` per app event. */
const APP_EVENTS: Record<string, [string, string, string, string]> = {
  subscribe: ['成员关注应用', '关注了应用', 'App subscribed', 'subscribed to the app'],
  unsubscribe: ['成员取消关注应用', '取消关注了应用', 'App unsubscribed', 'unsubscribed from the app'],
  enter_agent: ['成员进入应用', '进入了应用', 'App entered', 'opened the app'],
  location: ['上报地理位置', '上报了地理位置', 'Location reported', 'reported a location'],
  click: ['点击菜单', '点击了菜单', 'Menu clicked', 'clicked a menu'],
  view: ['点击菜单链接', '点击了菜单链接', 'Menu link opened', 'opened a menu link'],
};

function describeAppEvent(name: string, from: string, f: EventFields, zh: boolean): EventDescription {
  if (name === 'change_app_admin') {
    // Doc 95038: the push names no member (FromUserName is `sys`); the app re-reads the admin list.
    const line = zh ? '应用管理员已变更' : 'The app admins changed';
    return { title: zh ? '应用管理员变更' : 'App admin changed', details: [line] };
  }
  if (name === 'batch_job_result') {
    const job = [f.valueAt(['batchJob', 'jobId'], ['jobId']), f.valueAt(['batchJob', 'jobType'], ['jobType'])]
      .filter((part): part is string => part !== null)
      .join(' ');
    const line = zh ? `异步任务${job === '' ? '' : ` ${job} `}已完成` : `Batch job ${job === '' ? '' : `${job} `}finished`;
    return { title: zh ? '异步任务完成' : 'Batch job finished', details: [line] };
  }
  const phrase = APP_EVENTS[name];
  // System pushes carry FromUserName `sys`, which is no member.
  const member = from === 'sys' || from === '?' ? null : from;
  let line: string;
  if (phrase !== undefined && member !== null) line = zh ? `成员 ${member} ${phrase[1]}` : `${member} ${phrase[3]}`;
  else if (member !== null) line = zh ? `应用事件 ${name}，成员 ${member}` : `App event ${name} from ${member}`;
  else line = zh ? `应用事件 ${name}` : `App event ${name}`;
  const details = [line];
  const key = f.value('eventKey');
  if (key !== null) details.push(zh ? `事件参数：${key}` : `Event key: ${key}`);
  return { title: phrase === undefined ? (zh ? '应用事件' : 'App event') : zh ? phrase[0] : phrase[2], details };
}
