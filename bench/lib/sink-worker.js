/** Worker-thread half of `startSink`. */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { counter, delayMs } = workerData;
let ids = new Set();
const answer = (res) => {
  Atomics.add(counter, 0, 1);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
  res.end('{"ok":true}');
};
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const id = req.headers['webhook-id'];
    ids.add(typeof id === 'string' ? id : Buffer.concat(chunks).toString());
    if (delayMs > 0) setTimeout(answer, delayMs, res);
    else answer(res);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m.type === 'distinct') parentPort.postMessage({ value: ids.size });
  else if (m.type === 'reset') {
    ids = new Set();
    Atomics.store(counter, 0, 0);
    parentPort.postMessage({ value: null });
  } else if (m.type === 'close') {
    server.close(() => parentPort.postMessage({ value: null }));
    server.closeAllConnections();
  }
});
