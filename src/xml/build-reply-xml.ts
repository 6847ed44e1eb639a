import { buildXml } from './build-xml.js';
import type { FieldValue } from './fields.js';

/** A value inside a template card: WeCom's element names (CamelCase), nested as the card is. */
export type ReplyCardValue = string | number | boolean | readonly ReplyCardValue[] | { readonly [name: string]: ReplyCardValue };

/**
 * The `<TemplateCard>` of an `update_template_card` reply: its children as WeCom names them
 * (`CardType` first: `text_notice` | `news_notice` | `button_interaction` | `vote_interaction` |
 * `multiple_interaction`, then e.g. `MainTitle: { Title }`, `Button: { Text, Key }`). Nested objects become
 * nested elements, arrays repeated elements. WeCom's documentation does not list these element names
 * beyond `CardType` (`reference/wecom-apis-more.md` §5.3): for more than a button relabel prefer the
 * `message/update_template_card` API.
 */
export interface ReplyCard {
  readonly CardType: string;
  readonly [name: string]: ReplyCardValue;
}

/** One article of a `news` reply. */
export interface ReplyArticle {
  readonly title: string;
  readonly description?: string;
  /** Where a tap on the article leads. */
  readonly url?: string;
  readonly picUrl?: string;
}

/**
 * What a `reply` hook may answer a data-URL callback with (SPEC §14; 被动回复消息, doc 96469/90241). A
 * discriminated union on `type`:
 * - `text`: `content` (WeCom truncates past 2048 bytes);
 * - `image` / `voice`: a `mediaId` uploaded with the corp's token (temporary media live 3 days);
 * - `video`: `mediaId`, optional `title` and `description`;
 * - `news`: 1 to 8 `articles`;
 * - `update_button`: relabels the clicked button (`replaceName`) — only for `template_card_event`;
 * - `update_template_card`: replaces the clicked card (`card`) — only for `template_card_event`.
 */
export type PassiveReply =
  | { readonly type: 'text'; readonly content: string }
  | { readonly type: 'image' | 'voice'; readonly mediaId: string }
  | { readonly type: 'video'; readonly mediaId: string; readonly title?: string; readonly description?: string }
  | { readonly type: 'news'; readonly articles: readonly ReplyArticle[] }
  | { readonly type: 'update_button'; readonly replaceName: string }
  | { readonly type: 'update_template_card'; readonly card: ReplyCard };

/** Who a passive reply goes to and from: the callback's FromUserName and ToUserName, swapped. */
export interface ReplyAddress {
  /** The member who sent the message or clicked the card (the callback's `FromUserName`). */
  readonly toUserName: string;
  /** The corp (the callback's `ToUserName`). */
  readonly fromUserName: string;
  /** Unix seconds. */
  readonly createTime: number;
}

function cardField(value: ReplyCardValue): FieldValue {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return (value as readonly ReplyCardValue[]).map(cardField);
  const out: { [name: string]: FieldValue } = {};
  for (const [name, item] of Object.entries(value as { readonly [name: string]: ReplyCardValue })) out[name] = cardField(item);
  return out;
}

/**
 * The plaintext XML of a passive reply (the message inside `Encrypt`; 被动回复消息格式, doc 96469/90241),
 * built with the hardened {@link buildXml}: every text in CDATA, a `]]>` split across two sections so the
 * document stays well-formed, any Unicode (emoji included) kept as is.
 */
export function buildReplyXml(reply: PassiveReply, address: ReplyAddress): string {
  const head = { ToUserName: address.toUserName, FromUserName: address.fromUserName, CreateTime: String(address.createTime) };
  switch (reply.type) {
    case 'text':
      return buildXml({ ...head, MsgType: 'text', Content: reply.content });
    case 'image':
      return buildXml({ ...head, MsgType: 'image', Image: { MediaId: reply.mediaId } });
    case 'voice':
      return buildXml({ ...head, MsgType: 'voice', Voice: { MediaId: reply.mediaId } });
    case 'video':
      return buildXml({ ...head, MsgType: 'video', Video: {
        MediaId: reply.mediaId,
        ...(reply.title !== undefined ? { Title: reply.title } : {}),
        ...(reply.description !== undefined ? { Description: reply.description } : {}),
      } });
    case 'news':
      return buildXml({ ...head, MsgType: 'news', ArticleCount: String(reply.articles.length), Articles: { item: reply.articles.map((a) => ({
        Title: a.title,
        ...(a.description !== undefined ? { Description: a.description } : {}),
        ...(a.picUrl !== undefined ? { PicUrl: a.picUrl } : {}),
        ...(a.url !== undefined ? { Url: a.url } : {}),
      })) } });
    case 'update_button':
      return buildXml({ ...head, MsgType: 'update_button', Button: { ReplaceName: reply.replaceName } });
    case 'update_template_card':
      return buildXml({ ...head, MsgType: 'update_template_card', TemplateCard: cardField(reply.card) });
  }
}
