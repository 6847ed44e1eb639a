import { hasCode, WecomApiError, WecomRelayError, type ErrorCode } from '../../src/errors.js';
import { classifyErrcode } from '../../src/wecom-api/errcode.js';

/** A gateway answer that is the gateway's own (not WeCom's): a catalogue code, its status and a message. */
export function gatewayError(code: ErrorCode, message?: string): WecomRelayError {
  return new WecomRelayError(code, message === undefined ? {} : { message });
}

/**
 * Maps what the token provider or the WeCom client threw into the gateway's codes (SPEC §11): no ticket →
 * 503 `ERR_GATEWAY_NO_CREDENTIALS`; corp without an active authorization → 409 `ERR_GATEWAY_CORP_INACTIVE`;
 * WeCom unreachable, or refusing the relay's own credentials while fetching a token → 502
 * `ERR_GATEWAY_UPSTREAM`; the store down → 503 `ERR_STORE_UNAVAILABLE`; anything else → 500 `ERR_INTERNAL`.
 * Messages never carry a token (the errors they come from name paths only).
 */
export function toGatewayError(error: unknown): WecomRelayError {
  if (error instanceof WecomRelayError && error.code.startsWith('ERR_GATEWAY_')) return error;
  if (hasCode(error, 'ERR_WECOM_NO_SUITE_TICKET')) return gatewayError('ERR_GATEWAY_NO_CREDENTIALS');
  if (hasCode(error, 'ERR_WECOM_CORP_NOT_AUTHORIZED')) return gatewayError('ERR_GATEWAY_CORP_INACTIVE', error.message);
  if (error instanceof WecomApiError) {
    const kind = classifyErrcode(error.errcode);
    if (kind === 'no_ticket') return gatewayError('ERR_GATEWAY_NO_CREDENTIALS', `WeCom refused the stored suite_ticket (${error.path}: errcode ${error.errcode}); wait for the next push`);
    if (kind === 'corp_gone') return gatewayError('ERR_GATEWAY_CORP_INACTIVE', `WeCom says the authorization is gone (${error.path}: errcode ${error.errcode})`);
    return gatewayError('ERR_GATEWAY_UPSTREAM', `fetching credentials failed at WeCom (${error.path}: errcode ${error.errcode})`);
  }
  if (hasCode(error, 'ERR_WECOM_API_HTTP')) return gatewayError('ERR_GATEWAY_UPSTREAM', `WeCom could not be reached: ${error.message}`);
  if (hasCode(error, 'ERR_STORE_UNAVAILABLE')) return error;
  return new WecomRelayError('ERR_INTERNAL', { cause: error });
}
