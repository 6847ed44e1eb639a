import type { EventEnvelope } from './envelope.js';
import type { KnownEventType } from './catalog.js';

export type { KnownEventType } from './catalog.js';

declare const unknownKind: unique symbol;

/**
 * The type of an event wecom-relay has no catalog entry for: `suite.<infotype>[.<changetype>]`,
 * `app.<event>` or `message.<msgtype>`. The brand (type-level only, nothing at runtime) says "not a
 * {@link KnownEventType}", which lets `switch (event.type)` narrow a {@link WecomEvent} to the known
 * variant even for types such as `message.text` that also fit the generic pattern.
 */
export type GenericEventType = (`suite.${string}` | `app.${string}` | `message.${string}`) & {
  readonly [unknownKind]: true;
};

/** Any normalized event type. */
export type WecomEventType = KnownEventType | GenericEventType;

/** `data` of `external_contact.*`. */
export interface ExternalContactData {
  readonly userId: string;
  readonly externalUserId: string;
  /** The 「联系我」 state of the channel the contact came through (added / half_added). */
  readonly state?: string;
  /** Welcome-message code, usable once (added / half_added / msg_audit_approved). */
  readonly welcomeCode?: string;
  /** `customer_refused` or `customer_limit_exceed` (transfer_failed). */
  readonly failReason?: string;
  /** `DELETE_BY_TRANSFER` when a transfer removed the contact (deleted). */
  readonly source?: string;
  readonly [field: string]: unknown;
}

/** `data` of `external_chat.*`. */
export interface ExternalChatData {
  readonly chatId: string;
  /** `add_member`, `del_member`, `change_owner`, `change_name` or `change_notice` (updated). */
  readonly updateDetail?: string;
  readonly joinScene?: string;
  readonly quitScene?: string;
  readonly memChangeCnt?: string;
  /** The members who joined or left: always an array. */
  readonly memChangeList?: readonly string[];
  /** Member-list version before the change; compare with the last `curMemVer` seen to detect gaps. */
  readonly lastMemVer?: string;
  readonly curMemVer?: string;
  readonly [field: string]: unknown;
}

/** `data` of `external_tag.*`. */
export interface ExternalTagData {
  /** The tag or tag-group id (for shuffled: the group reordered, or empty for all). */
  readonly id?: string;
  /** `tag` or `tag_group`. */
  readonly tagType?: string;
  readonly strategyId?: string;
  readonly [field: string]: unknown;
}

/** `data` of `contact.user.*`. Third-party apps receive only some of these fields. */
export interface ContactUserData {
  readonly userId: string;
  readonly openUserId?: string;
  /** The member's new UserID (updated, when the id changed). */
  readonly newUserId?: string;
  readonly name?: string;
  /** Comma-separated department ids, as WeCom sends them. */
  readonly department?: string;
  readonly mainDepartment?: string;
  readonly isLeaderInDept?: string;
  readonly directLeader?: string;
  readonly mobile?: string;
  readonly position?: string;
  readonly gender?: string;
  readonly email?: string;
  readonly bizMail?: string;
  readonly status?: string;
  readonly avatar?: string;
  readonly alias?: string;
  readonly telephone?: string;
  /** Extended attributes: an array of `{ name, type, text | web }`. */
  readonly extAttr?: readonly unknown[];
  readonly [field: string]: unknown;
}

/** `data` of `contact.department.*`. */
export interface ContactDepartmentData {
  readonly id: string;
  readonly name?: string;
  readonly parentId?: string;
  readonly order?: string;
  readonly [field: string]: unknown;
}

/** `data` of `contact.tag.updated`: comma-separated ids, as WeCom sends them. */
export interface ContactTagData {
  readonly tagId: string;
  readonly addUserItems?: string;
  readonly delUserItems?: string;
  readonly addPartyItems?: string;
  readonly delPartyItems?: string;
  readonly [field: string]: unknown;
}

/** `data` of `auth.*`. The AuthCode is a secret and never appears; the corp is `source.corpId`. */
export interface AuthData {
  /** The `state` of the install link, when the install carried one. */
  readonly state?: string;
  readonly [field: string]: unknown;
}

/** `data` of `suite.ticket`: the ticket itself is never forwarded, only when it was issued. */
export interface SuiteTicketData {
  /** The push's TimeStamp (unix seconds, as sent), or null when missing. */
  readonly ticketTimestamp: string | null;
  /** Whether the push carried a ticket. */
  readonly ticketPresent: boolean;
  readonly [field: string]: unknown;
}

/** `data` of `message.text`. */
export interface TextMessageData {
  readonly fromUserName: string;
  readonly content: string;
  /** Kept as a string: MsgId exceeds 2^53. */
  readonly msgId: string;
  readonly [field: string]: unknown;
}

type Family<TPrefix extends string, TData> = { readonly [T in Extract<KnownEventType, `${TPrefix}.${string}`>]: TData };

/** The typed `data` of each known event type that has one. */
export type EventDataMap = Family<'external_contact', ExternalContactData> &
  Family<'external_chat', ExternalChatData> &
  Family<'external_tag', ExternalTagData> &
  Family<'contact.user', ContactUserData> &
  Family<'contact.department', ContactDepartmentData> &
  Family<'auth', AuthData> & {
    readonly 'contact.tag.updated': ContactTagData;
    readonly 'suite.ticket': SuiteTicketData;
    readonly 'message.text': TextMessageData;
  };

/** The `data` type of a known event type: typed where {@link EventDataMap} has it, a record otherwise. */
export type EventDataOf<T extends KnownEventType> = T extends keyof EventDataMap ? EventDataMap[T] : Readonly<Record<string, unknown>>;

/** The event of one known type. */
export type EventOf<T extends KnownEventType> = EventEnvelope<T, EventDataOf<T>>;

/** Any event with a catalog entry: a union discriminated on `type`. */
export type KnownEvent = { readonly [T in KnownEventType]: EventOf<T> }[KnownEventType];

/** An event of a kind wecom-relay does not know: forwarded losslessly (every field in `data` and `raw`). */
export type GenericEvent = EventEnvelope<GenericEventType, Readonly<Record<string, unknown>>>;

/**
 * A normalized event: a union discriminated on `type`. Known kinds narrow to their typed `data`;
 * unknown kinds are the explicit {@link GenericEvent} variant and are never dropped.
 */
export type WecomEvent = KnownEvent | GenericEvent;
