import type PQueue from 'p-queue';

/** Resolves when `queue` has no running or waiting task, or after `timeoutMs`, whichever comes first. */
export async function idleWithin(queue: PQueue, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([queue.onIdle(), new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
  clearTimeout(timer);
}
