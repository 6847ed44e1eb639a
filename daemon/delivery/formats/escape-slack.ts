const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` become `&amp;`, `&lt;`, `&gt;` (Slack's only three
 * control characters; without this `<!channel>` or `<https://x|y>` in an event would ping or link). The
 * result is at most `maxChars` UTF-16 units: cut on a code point boundary, never inside an entity, with
 * an ellipsis.
 */
export function escapeSlack(text: string, maxChars: number): string {
  const escaped = text.replace(/[&<>]/g, (char) => ESCAPES[char] ?? char);
  if (escaped.length <= maxChars) return escaped;
  let out = '';
  for (const char of text) {
    const piece = ESCAPES[char] ?? char;
    if (out.length + piece.length > maxChars - 1) break;
    out += piece;
  }
  return `${out}…`;
}
