import { toSqliteGlob } from './glob.js';
import type { ListCallbacksQuery, ListDeliveriesQuery, ReplaySelection } from './records.js';

/** A SQL `WHERE` clause (possibly empty) with its parameters in order. */
export interface Filter {
  /** `WHERE …`, or the empty string when nothing is filtered. */
  readonly sql: string;
  readonly params: unknown[];
}

/** The `WHERE` of `listCallbacks` on table `callbacks`. */
export function callbacksFilter(query: ListCallbacksQuery): Filter {
  return build([
    ['state = ?', query.state],
    ['type GLOB ?', query.type === undefined ? undefined : toSqliteGlob(query.type)],
    ['corp_id = ?', query.corpId],
    ['suite_id = ?', query.suiteId],
    ['received_at >= ?', query.since],
    ['received_at < ?', query.until],
  ]);
}

/** The `WHERE` of `listDeliveries` (or of a replay by filter) on `deliveries` aliased `d`. */
export function deliveriesFilter(query: ListDeliveriesQuery): Filter {
  return build([
    ['d.state = ?', query.state],
    ['d.target = ?', query.target],
    ['d.event_id = ?', query.eventId],
    ['d.created_at >= ?', query.since],
    ['d.created_at < ?', query.until],
  ]);
}

/** The `WHERE` of `replayDeliveries` on unaliased `deliveries`: by ids (one JSON parameter) or by filter. */
export function replayFilter(selection: ReplaySelection): Filter {
  if ('ids' in selection) {
    return { sql: 'WHERE id IN (SELECT value FROM json_each(?))', params: [JSON.stringify(selection.ids)] };
  }
  return build([
    ['state = ?', selection.state],
    ['target = ?', selection.target],
    ['created_at >= ?', selection.since],
    ['created_at < ?', selection.until],
  ]);
}

function build(conditions: ReadonlyArray<readonly [string, unknown]>): Filter {
  const used = conditions.filter(([, value]) => value !== undefined);
  return {
    sql: used.length === 0 ? '' : `WHERE ${used.map(([sql]) => sql).join(' AND ')}`,
    params: used.map(([, value]) => value),
  };
}
