import type { CallbackFields } from '../xml/fields.js';
import { findCommandEntry, findDataEntry } from './catalog.js';
import { fieldText } from './field-text.js';
import type { GenericEventType, WecomEventType } from './types.js';

/** The four InfoTypes that WeCom also pushes Event-shaped (`MsgType=event`, `Event=change_contact`). */
const CHANGE_EVENTS = new Set(['change_contact', 'change_external_contact', 'change_external_chat', 'change_external_tag']);

/**
 * Decides an event's type from its fields, never from the URL it came on (SPEC §7): cheap and pure, so the
 * receiver stores it for listing and {@link normalize} gives the same answer. InfoType[/ChangeType] and
 * Event-shaped change_* pushes use the catalog's command names (and, when unknown, the same generic
 * `suite.<name>.<changetype>` fallback); other `MsgType=event` callbacks become `app.<event>`; other
 * MsgTypes `message.<msgtype>`. Unknown kinds keep a lossless generic type (`suite.<infotype>[.<changetype>]`,
 * `app.<event>`, `message.<msgtype>`); a callback with neither InfoType nor MsgType is `suite.unknown`.
 * Never throws.
 */
export function eventTypeOf(fields: CallbackFields): WecomEventType {
  const infoType = fieldText(fields, 'InfoType');
  const changeType = fieldText(fields, 'ChangeType');
  const msgType = fieldText(fields, 'MsgType');
  if (infoType !== '') return commandType(infoType, changeType);
  if (msgType === '') return generic('suite', 'unknown');
  const event = fieldText(fields, 'Event');
  if (msgType.toLowerCase() === 'event' && CHANGE_EVENTS.has(event.toLowerCase())) return commandType(event, changeType);
  const entry = findDataEntry(msgType, event);
  if (entry !== undefined) return entry.type as WecomEventType;
  return msgType.toLowerCase() === 'event' ? generic('app', event) : generic('message', msgType);
}

function commandType(infoType: string, changeType: string): WecomEventType {
  const entry = findCommandEntry(infoType, changeType);
  if (entry !== undefined) return entry.type as WecomEventType;
  return changeType === '' ? generic('suite', infoType) : generic('suite', infoType, changeType);
}

function generic(prefix: 'suite' | 'app' | 'message', ...segments: string[]): GenericEventType {
  return [prefix, ...segments.map(segment)].join('.') as GenericEventType;
}

/** A WeCom name as a lower snake case type segment: `LOCATION` → `location`, `enterAgent` → `enter_agent`. */
function segment(name: string): string {
  const snake = name
    .trim()
    .slice(0, 64)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  return snake === '' ? 'unknown' : snake;
}
