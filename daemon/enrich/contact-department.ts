import type { EventEnvelope } from '../../src/events/envelope.js';
import type { Department } from '../../src/wecom-api/corp-api-types.js';
import type { EnrichOutcome } from '../consumer/process-callback.js';
import { corpCall, type EnrichDeps } from './corp-call.js';
import { classifyFailure, doneOutcome, failureOutcome, invalidEvent } from './failure-outcome.js';
import { rawField } from './raw-field.js';

const API = 'department/get';

/** `enrichment` of a `contact.department.*` event. */
export interface ContactDepartmentEnrichment {
  readonly department: Department;
  /**
   * True when WeCom withheld the department's name (absent, empty, or the id in its place), as it does for
   * third-party apps without the 通讯录 scope (and for 通讯录同步 since 2022-08, seed
   * contact-sync-restrictions.md). Normal, not an error.
   */
  readonly limited: boolean;
}

/**
 * Enriches a `contact.department.*` event (change_contact create_party / update_party / delete_party)
 * with `department/get` (doc 95351), the callback's `Id` passed as the string WeCom sent. `deleted` calls
 * nothing (the department is gone): `enrichment: null`. 60011 (outside the visible range) forwards
 * `enrichment: null` with a `wecom_api` error.
 */
export async function enrichContactDepartment(event: EventEnvelope, corpId: string, signal: AbortSignal, deps: EnrichDeps): Promise<EnrichOutcome> {
  if (event.type === 'contact.department.deleted') return doneOutcome(null);
  const id = rawField(event, 'Id');
  if (id === null) return invalidEvent('Id', API);
  try {
    const answer = await corpCall(deps, corpId, API, signal, (token, options) => deps.api.getDepartment(token, id, options));
    const department = answer.department;
    const enrichment: ContactDepartmentEnrichment = { department, limited: isLimited(department) };
    return doneOutcome({ ...enrichment });
  } catch (error) {
    return failureOutcome(classifyFailure(error, API, signal), null);
  }
}

function isLimited(department: Department | undefined): boolean {
  const name = department?.name;
  return typeof name !== 'string' || name === '' || name === String(department?.id);
}
