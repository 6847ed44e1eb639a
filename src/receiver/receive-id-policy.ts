import type { Endpoint } from '../events/envelope.js';

/** What the receiveid policy knows about one request. */
export interface ReceiveIdContext {
  readonly method: 'GET' | 'POST';
  readonly endpoint: Endpoint;
  /** `ToUserName` from inside the decrypted message (authenticated), when there is one. */
  readonly innerToUserName: string | null;
  /** The `corpid` query parameter (WeCom's `$CORPID$` URL template), when the URL carries one. */
  readonly corpIdParam: string | null;
}

/** Inputs of {@link createReceiveIdPolicy}. */
export interface ReceiveIdPolicyOptions {
  readonly suiteIds: readonly string[];
  readonly providerCorpId: string | null;
  readonly allowEmptyReceiveId: boolean;
  readonly allowReceiveIds: readonly string[];
  /** Whether a corp is known to the store (authorized now or before). */
  readonly isKnownCorp: (corpId: string) => Promise<boolean>;
}

/**
 * Decides whether a decrypted receiveid is acceptable where it arrived (wecom-protocol.md §2.2):
 *
 * - URL-verification GETs (both URLs) are encrypted with the provider's corpid. When `providerCorpId` is
 *   configured only it (and the allow-list) is accepted; otherwise any receiveid is, since the signature
 *   already proves the sender holds the token.
 * - Command POSTs carry the suite id. The provider corpid is accepted too: some `create_auth` pushes were
 *   observed with it.
 * - Data POSTs carry the authorizing corp's (encrypted, case-sensitive) corpid. Accepted: a corp the store
 *   knows, the `$CORPID$` query parameter, or — so a corp whose `create_auth` is not processed yet is not
 *   turned away and its callback lost — a receiveid equal to the authenticated inner `ToUserName`.
 * - The empty receiveid (individual-entity apps) only with `allowEmptyReceiveId`.
 *
 * Comparison is exact: encrypted corpids are case-sensitive.
 */
export function createReceiveIdPolicy(options: ReceiveIdPolicyOptions): (receiveId: string, context: ReceiveIdContext) => Promise<boolean> {
  const fixed = new Set<string>([...options.suiteIds, ...options.allowReceiveIds]);
  if (options.providerCorpId) fixed.add(options.providerCorpId);
  return async (receiveId, context) => {
    if (receiveId === '') return options.allowEmptyReceiveId;
    if (fixed.has(receiveId)) return true;
    if (context.method === 'GET') return options.providerCorpId === null;
    if (context.endpoint !== 'data') return false;
    if (context.corpIdParam === receiveId) return true;
    if (context.innerToUserName === receiveId) return true;
    return options.isKnownCorp(receiveId);
  };
}
