import type { EventEnvelope } from '../../src/events/envelope.js';
import { renderTable } from './table.js';

/** The family of an event type: `external_contact.added` → `external_contact`, `contact.user.created` → `contact`. */
function familyOf(type: string): string {
  return type.split('.')[0]!;
}

/** What the demo's enrichment errors mean, by code: each is the relay working as designed, not a failure. */
const ENRICHMENT_NOTES: Record<string, string> = {
  wecom_api: 'the (mock) WeCom API answered an errcode for this sample, as a real corp does for ids the app may not read; the event is forwarded with enrichmentError instead of being held back',
  relation_gone: 'WeCom says the relation is gone (84061); forwarded with enrichmentError',
  not_authorized: 'the corp has no permanent code at that moment (e.g. after cancel_auth); forwarded un-enriched',
  invalid_event: 'the sample lacks the id the API call needs; forwarded un-enriched',
  timeout: 'enrichment took longer than enrich.maxDelaySeconds; forwarded un-enriched',
  network: 'the WeCom API could not be reached; forwarded un-enriched',
  no_suite_ticket: 'no suite_ticket yet, so no token; forwarded un-enriched',
};

/**
 * The demo's closing summary: one row per event family (fits one screen), then a line for everything
 * that is not a plain success — the suite_ticket the daemon consumed, rejected callbacks, and each
 * enrichment error with what it means.
 */
export function demoSummary(results: ReadonlyArray<{ kind: string; status: number }>, received: readonly EventEnvelope[]): string[] {
  const families = new Map<string, { events: number; types: Set<string>; enriched: number; errors: number }>();
  for (const e of received) {
    const f = families.get(familyOf(e.type)) ?? { events: 0, types: new Set<string>(), enriched: 0, errors: 0 };
    f.events++;
    f.types.add(e.type);
    if (e.enrichment) f.enriched++;
    if (e.enrichmentError) f.errors++;
    families.set(familyOf(e.type), f);
  }
  const lines = [renderTable(['FAMILY', 'EVENTS', 'TYPES', 'ENRICHED', 'ENRICHMENT ERRORS'],
    [...families.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, f]) => [name, String(f.events), String(f.types.size), String(f.enriched), f.errors ? String(f.errors) : '-']))];
  const notes: string[] = [];
  const tickets = results.filter((r) => r.kind === 'suite_ticket' && r.status === 200).length;
  if (tickets > 0) notes.push(`suite_ticket (${tickets} callback): consumed by the daemon to fetch the suite token; by design never forwarded, so it has no event above`);
  for (const r of results.filter((x) => x.status !== 200)) notes.push(`${r.kind}: the receiver answered HTTP ${r.status}`);
  const seen = new Set<string>();
  for (const e of received) {
    if (!e.enrichmentError) continue;
    const key = `${e.type}\u0000${e.enrichmentError.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const err = e.enrichmentError as { code: string; errcode?: number; message?: string };
    // WeCom's errmsg trails a hint, an ip and a link: the first clause says it.
    const detail = [err.errcode === undefined ? '' : `errcode ${err.errcode}`, (err.message ?? '').split(',')[0]!].filter(Boolean).join(': ');
    notes.push(`${e.type}: enrichmentError ${err.code}${detail ? ` (${detail})` : ''} — ${ENRICHMENT_NOTES[err.code] ?? 'forwarded with enrichmentError'}`);
  }
  if (notes.length > 0) lines.push('', 'not plain successes, and why:', ...notes.map((n) => `  - ${n}`));
  return lines;
}
