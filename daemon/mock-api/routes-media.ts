import { createHash, randomBytes } from 'node:crypto';
import { fail, ok, type MockReply } from './mock-reply.js';
import type { MockRoutes, RouteContext } from './mock-route.js';
import type { CorpState } from './mock-state.js';

/** Size limits per media type (doc 90253 上传临时素材): image 10 MB, voice 2 MB, video 10 MB, file 20 MB. */
const MEDIA_LIMITS: Readonly<Record<string, number>> = { image: 10 << 20, voice: 2 << 20, video: 10 << 20, file: 20 << 20 };

/**
 * `media/upload?type=…` (上传临时素材): a multipart/form-data body whose `media` part is the file. 40004
 * unknown type, 41005 no `media` part (多媒体文件数据为空), 40006 over the type's size limit. Records the
 * sha256 of the whole body and of the file as they arrived, so a test can check nothing was changed on the way.
 */
export const mediaRoutes: MockRoutes = {
  'media/upload': { auth: 'corp', handle: upload },
};

function upload(ctx: RouteContext, corp: CorpState): MockReply {
  const type = ctx.query.get('type') ?? '';
  const limit = MEDIA_LIMITS[type];
  if (limit === undefined) return fail(40004, `type: ${type}`);
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(ctx.contentType ?? '');
  const part = boundary ? mediaPart(ctx.raw, boundary[1] ?? boundary[2]!) : undefined;
  if (part === undefined) return fail(41005);
  if (part.data.length > limit) return fail(40006, `${part.data.length} bytes`);
  const mediaId = `3${randomBytes(24).toString('base64url')}`;
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  ctx.state.uploads.push({
    at: ctx.state.now(), corpId: corp.seed.corpId, type, bodyBytes: ctx.raw.length, bodySha256: sha256(ctx.raw),
    filename: part.filename, fileBytes: part.data.length, fileSha256: sha256(part.data), mediaId,
  });
  return ok({ type, media_id: mediaId, created_at: String(Math.floor(ctx.state.now() / 1000)) });
}

/** The `name="media"` part of a multipart body: its filename and bytes, or undefined. */
function mediaPart(body: Buffer, boundary: string): { filename: string; data: Buffer } | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const headersStart = at + delimiter.length + 2; // CRLF
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) return undefined;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next === -1) return undefined;
    const headers = body.subarray(headersStart, headersEnd).toString('utf8');
    if (/name="media"/i.test(headers)) {
      return { filename: /filename="([^"]*)"/i.exec(headers)?.[1] ?? '', data: body.subarray(headersEnd + 4, next) };
    }
    at = next + 2;
  }
  return undefined;
}
