import type { WecomEvent } from '../events/types.js';
import type { Logger } from '../logger.js';

/**
 * Calls the `onEvent` hook after the answer is on its way (next macrotask), so the hook never delays or
 * changes the ack; what it throws or rejects with is logged.
 */
export function notifyEvent(onEvent: (event: WecomEvent) => void | Promise<void>, event: WecomEvent, logger: Logger): void {
  setImmediate(() => {
    Promise.resolve()
      .then(() => onEvent(event))
      .catch((err: unknown) => logger.error({ eventId: event.id, err }, 'onEvent hook threw'));
  });
}
