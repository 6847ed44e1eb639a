/** One timed load run against a server running in this process, with that process's CPU and loop use. */
import { performance } from 'node:perf_hooks';
import { runLoadInChild } from './load.js';

/**
 * One timed run of the load generator (in a child process) against `url`, at `options.connections`, for
 * at most `options.seconds / options.rounds` seconds. Also reports the event-loop utilization of this
 * (the server's) process and the CPU time it spent, bracketing exactly the timed part: on a shared,
 * overloaded machine throughput swings with the scheduler, CPU time per request much less.
 */
export async function measureServer(url, requests, options) {
  let elu;
  let cpu;
  let serverElu = Number.NaN;
  let cpuMs = Number.NaN;
  const load = await runLoadInChild({
    url, requests, connections: options.connections, maxMs: options.seconds * 1000 / options.rounds, expectBody: 'success',
  }, {
    onStart: () => { elu = performance.eventLoopUtilization(); cpu = process.cpuUsage(); },
    onEnd: () => {
      serverElu = performance.eventLoopUtilization(elu).utilization;
      const used = process.cpuUsage(cpu);
      cpuMs = (used.user + used.system) / 1000;
    },
  });
  return { load, serverElu, cpuMs };
}
