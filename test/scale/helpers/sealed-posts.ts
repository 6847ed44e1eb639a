import { sealCallback } from '../../../src/crypto/seal-callback.js';
import { eventId } from '../../../src/events/event-id.js';
import { sampleCallback } from '../../../src/events/samples.js';

/** The receiver's default paths. */
const PATHS = { data: '/api/v1/wecom/callback', command: '/api/v1/wecom/command' } as const;

/** The corp every sample is about. */
const CORP_ID = 'wxf8b4f85f3a794e77';

/** One callback sealed as WeCom would send it, and the event id the relay will give it. */
export interface SealedPost {
  /** `evt_…`: what the target sees as `webhook-id`. */
  readonly id: string;
  /** Path and signed query. */
  readonly path: string;
  readonly body: string;
}

/** Options of {@link sealPosts}. */
export interface SealPostsOptions {
  readonly suiteId: string;
  readonly keys: { readonly token: string; readonly encodingAESKey: string };
  readonly count: number;
  /** The first `seq` (distinct seqs give distinct plaintexts, so distinct event ids). @default 0 */
  readonly firstSeq?: number;
  /** @default 'add_external_contact' */
  readonly kind?: string;
  /**
   * The time the samples are sealed at. Batches that must stay distinct from each other share one: a
   * sample's time is `now − seq` seconds, so two batches sealed a few seconds apart would collide.
   * @default new Date()
   */
  readonly now?: Date;
}

/**
 * Seals `count` distinct sample callbacks (distinct `seq`), each with the event id the receiver derives
 * from its plaintext, so a test knows up front exactly which ids must reach the target.
 */
export function sealPosts(options: SealPostsOptions): SealedPost[] {
  const now = options.now ?? new Date();
  const posts: SealedPost[] = [];
  for (let i = 0; i < options.count; i++) {
    const sample = sampleCallback(options.kind ?? 'add_external_contact', {
      suiteId: options.suiteId, corpId: CORP_ID, now, seq: (options.firstSeq ?? 0) + i,
    });
    // WeCom seals command callbacks for the suite id, data callbacks for the authorizing corp.
    const receiveId = sample.endpoint === 'data' ? CORP_ID : options.suiteId;
    const sealed = sealCallback({ ...options.keys, receiveId, plaintext: sample.plaintext });
    posts.push({
      id: eventId(options.suiteId, receiveId, sample.plaintext),
      path: `${sample.endpoint === 'data' ? PATHS.data : PATHS.command}?${new URLSearchParams(sealed.query).toString()}`,
      body: sealed.body,
    });
  }
  return posts;
}

/** POSTs one sealed callback to the receiver at `baseUrl`; resolves its status and body (or status 0 on a network error). */
export async function postSealed(baseUrl: string, post: SealedPost): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(`${baseUrl}${post.path}`, {
      method: 'POST', headers: { 'content-type': 'text/xml' }, body: post.body, signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}
