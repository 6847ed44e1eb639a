/**
 * Resolves at the end of this turn of the event loop (`setImmediate`: after every I/O callback of the
 * current poll phase has run). Not a timer and no clock time: it only lets the work that arrived
 * together — many responses read in one poll phase — be gathered into one store round trip. A
 * microtask is too short for that: each response is its own I/O callback, and the microtask queue
 * drains between two of them.
 */
export function endOfTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
