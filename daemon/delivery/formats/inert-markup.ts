/**
 * Neutralizes HTML-like markup in text quoted into WeCom or DingTalk markdown: neither platform offers an
 * escape, and a literal `<font …>` or `<@userid>` from an event would recolour the message or mention
 * someone. The full-width `＜` `＞` read the same to people and are inert.
 */
export function inertMarkup(text: string): string {
  return text.replace(/</g, '＜').replace(/>/g, '＞');
}
