import type { WecomEvent } from '../events/types.js';
import type { PassiveReply, ReplyArticle, ReplyCard } from '../xml/build-reply-xml.js';

export type { PassiveReply, ReplyArticle, ReplyCard, ReplyCardValue } from '../xml/build-reply-xml.js';

/** Every reply type, in the union's order. */
export const PASSIVE_REPLY_TYPES = ['text', 'image', 'voice', 'video', 'news', 'update_button', 'update_template_card'] as const;

/**
 * The hook of the `reply` option: called after the durable write of a data-URL message or event callback,
 * with the normalized event; resolves a reply, or `undefined`/`null` for the plain `success`.
 */
export type ReplyHook = (event: WecomEvent) => PassiveReply | null | undefined | Promise<PassiveReply | null | undefined>;

/** What {@link checkReply} decided about a hook's answer. */
export type ReplyCheck =
  | { readonly kind: 'reply'; readonly reply: PassiveReply }
  /** `undefined` or `null`: answer `success`, nothing to log. */
  | { readonly kind: 'none' }
  /** Not a reply WeCom would take: answer `success` and log `problem`. */
  | { readonly kind: 'invalid'; readonly problem: string };

const MAX_ARTICLES = 8;
const MAX_CARD_DEPTH = 6;
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function optionalText(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function cardProblem(value: unknown, depth: number, path: string): string | null {
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return null;
  if (depth >= MAX_CARD_DEPTH) return `${path} is nested deeper than ${MAX_CARD_DEPTH}`;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = cardProblem(item, depth + 1, `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    return `${path} is not a string, number, boolean, array or plain object`;
  }
  for (const [name, item] of Object.entries(value)) {
    if (!ELEMENT_NAME.test(name)) return `${path}.${name} is not an XML element name`;
    const problem = cardProblem(item, depth + 1, `${path}.${name}`);
    if (problem) return problem;
  }
  return null;
}

/**
 * Decides whether a hook's answer is a reply WeCom takes for `eventType` (pure; the hook is user code, so
 * nothing about its answer is trusted): the shape of each variant, 1–8 articles, and `update_button` /
 * `update_template_card` only for `app.template_card_event`. Never throws.
 */
export function checkReply(value: unknown, eventType: string): ReplyCheck {
  if (value === undefined || value === null) return { kind: 'none' };
  if (typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid', problem: `the reply is a ${Array.isArray(value) ? 'array' : typeof value}, not an object` };
  const reply = value as Record<string, unknown>;
  const invalid = (problem: string): ReplyCheck => ({ kind: 'invalid', problem: `${String(reply.type)} reply: ${problem}` });
  switch (reply.type) {
    case 'text':
      return isText(reply.content) ? { kind: 'reply', reply: { type: 'text', content: reply.content } } : invalid('`content` must be a non-empty string');
    case 'image':
    case 'voice':
      return isText(reply.mediaId) ? { kind: 'reply', reply: { type: reply.type, mediaId: reply.mediaId } } : invalid('`mediaId` must be a non-empty string');
    case 'video':
      if (!isText(reply.mediaId)) return invalid('`mediaId` must be a non-empty string');
      if (!optionalText(reply.title) || !optionalText(reply.description)) return invalid('`title` and `description` must be strings');
      return { kind: 'reply', reply: {
        type: 'video', mediaId: reply.mediaId,
        ...(reply.title !== undefined ? { title: reply.title as string } : {}),
        ...(reply.description !== undefined ? { description: reply.description as string } : {}),
      } };
    case 'news': {
      const articles = reply.articles;
      if (!Array.isArray(articles) || articles.length < 1 || articles.length > MAX_ARTICLES) return invalid(`\`articles\` must be an array of 1 to ${MAX_ARTICLES}`);
      const out: ReplyArticle[] = [];
      for (const [i, article] of (articles as unknown[]).entries()) {
        const a = article as Record<string, unknown> | null;
        if (a === null || typeof a !== 'object' || !isText(a.title)) return invalid(`articles[${i}].title must be a non-empty string`);
        if (!optionalText(a.description) || !optionalText(a.url) || !optionalText(a.picUrl)) return invalid(`articles[${i}]: description, url and picUrl must be strings`);
        out.push({
          title: a.title,
          ...(a.description !== undefined ? { description: a.description as string } : {}),
          ...(a.url !== undefined ? { url: a.url as string } : {}),
          ...(a.picUrl !== undefined ? { picUrl: a.picUrl as string } : {}),
        });
      }
      return { kind: 'reply', reply: { type: 'news', articles: out } };
    }
    case 'update_button':
    case 'update_template_card': {
      if (eventType !== 'app.template_card_event') return invalid(`answers template_card_event callbacks only, not ${eventType}`);
      if (reply.type === 'update_button') {
        return isText(reply.replaceName) ? { kind: 'reply', reply: { type: 'update_button', replaceName: reply.replaceName } } : invalid('`replaceName` must be a non-empty string');
      }
      const card = reply.card as Record<string, unknown> | null;
      if (card === null || typeof card !== 'object' || Array.isArray(card) || !isText(card.CardType)) return invalid('`card` must be an object with a `CardType` string');
      const problem = cardProblem(card, 0, 'card');
      return problem ? invalid(problem) : { kind: 'reply', reply: { type: 'update_template_card', card: card as ReplyCard } };
    }
    default:
      return { kind: 'invalid', problem: `unknown reply type ${JSON.stringify(String(reply.type)).slice(0, 40)} (expected one of ${PASSIVE_REPLY_TYPES.join(', ')})` };
  }
}
