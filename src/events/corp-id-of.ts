import type { CallbackFields } from '../xml/fields.js';
import { fieldText } from './field-text.js';

/**
 * The corp a callback is about, worked out in this one place (the receiver stores it, {@link normalize}
 * puts it in `source.corpId`): AuthCorpId (or PaidCorpId, on paid-app order pushes), else the ToUserName
 * of a data-URL-shaped callback (one with a MsgType), else null. The daemon replaces it only with what
 * WeCom answers when it exchanges an AuthCode (`create_auth` carries no AuthCorpId).
 */
export function corpIdOf(fields: CallbackFields): string | null {
  const named = fieldText(fields, 'AuthCorpId') || fieldText(fields, 'PaidCorpId');
  if (named !== '') return named;
  if (fieldText(fields, 'MsgType') !== '') return fieldText(fields, 'ToUserName') || null;
  return null;
}
