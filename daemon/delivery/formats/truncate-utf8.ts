/** The marker appended to text cut by {@link truncateUtf8}. */
export const ELLIPSIS = '…';

/**
 * Cuts `text` so that its UTF-8 encoding, marker included, fits in `maxBytes`. The cut falls on a code
 * point boundary (never inside a multi-byte sequence, so the result is always valid UTF-8) and `marker`
 * is appended only when something was removed. Text that already fits is returned unchanged. When not even
 * the marker fits, the marker itself is cut (possibly to `''`).
 *
 * Chat platforms count bytes, not characters (WeCom markdown ≤ 4096 B, Feishu body ≤ 20 KB): a CJK
 * character is 3 bytes and an emoji 4, so a character count is not a safe proxy.
 */
export function truncateUtf8(text: string, maxBytes: number, marker: string = ELLIPSIS): string {
  if (!Number.isInteger(maxBytes) || maxBytes < 0) {
    throw new TypeError(`Expected \`maxBytes\` to be a non-negative integer, got \`${maxBytes}\` (${typeof maxBytes})`);
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const markerBytes = Buffer.byteLength(marker, 'utf8');
  if (markerBytes > maxBytes) return marker === '' ? '' : truncateUtf8(marker, maxBytes, '');
  return prefixOf(bytes, maxBytes - markerBytes) + marker;
}

/** The longest prefix of `bytes` of at most `limit` bytes that ends on a code point boundary, decoded. */
function prefixOf(bytes: Buffer, limit: number): string {
  let cut = limit;
  // UTF-8 continuation bytes are 0b10xxxxxx: back up until the cut is at the start of a sequence.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut).toString('utf8');
}
