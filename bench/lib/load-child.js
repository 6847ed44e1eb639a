/** Child-process entry of `runLoadInChild`: takes the options from the parent, runs, sends the result back. */
import { runLoad } from './load.js';

process.once('message', async (options) => {
  process.send({ type: 'start' });
  const result = await runLoad(options);
  process.send({ type: 'end' });
  process.send({ type: 'result', result });
});
