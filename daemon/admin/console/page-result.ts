import type { PageParts } from './layout.js';

/** What a page renders: the parts of the shell, and the HTTP status (200 unless said). */
export interface PageResult extends PageParts {
  readonly status?: number;
}

/** The fixed notices a redirect after an action may ask for (`?notice=…`): never text from the URL. */
export const NOTICES: Readonly<Record<string, string>> = {
  replayed: 'The delivery was re-queued with a fresh retry budget; a running daemon sends it now.',
  'not-replayed': 'No such delivery: nothing was re-queued.',
  enabled: 'The target was enabled.',
  disabled: 'The target was disabled; its pending deliveries wait until it is enabled again.',
  'logged-out': 'Logged out.',
};

/** The notice a query asks for, if it is one of {@link NOTICES}. */
export function noticeOf(query: URLSearchParams): PageParts['notice'] {
  const text = NOTICES[query.get('notice') ?? ''];
  return text === undefined ? undefined : { text, error: query.get('notice') === 'not-replayed' };
}
