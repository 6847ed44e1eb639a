import { truncateUtf8 } from './truncate-utf8.js';

/**
 * Renders a JSON body whose serialized size must stay within `maxBytes` (Feishu: 20 KB; DingTalk:
 * 20 000 B), shrinking only the variable `text`. `render(text)` builds the body around a candidate text;
 * the text is cut (code point boundary, `marker` appended) until the whole body fits. JSON escaping makes
 * the body grow faster than the text (`"` → `\"`, a control character → `\u00XX`), so the text budget is
 * scaled by how far over the variable part is, and repeated until it fits. If even `render('')` is too
 * big, that is returned: the caller keeps its fixed frame small.
 */
export function fitBody(render: (text: string) => string, text: string, maxBytes: number, marker: string): string {
  let body = render(text);
  let size = Buffer.byteLength(body, 'utf8');
  if (size <= maxBytes) return body;
  const empty = render('');
  const frame = Buffer.byteLength(empty, 'utf8');
  if (frame >= maxBytes) return empty;
  let budget = Buffer.byteLength(text, 'utf8');
  while (size > maxBytes && budget > 0) {
    const scaled = Math.floor((budget * (maxBytes - frame)) / (size - frame));
    budget = Math.min(budget - 1, scaled);
    body = render(truncateUtf8(text, Math.max(budget, 0), marker));
    size = Buffer.byteLength(body, 'utf8');
  }
  return size > maxBytes ? empty : body;
}
