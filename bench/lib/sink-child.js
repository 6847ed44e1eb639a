/** Child-process half of `startSink`. */
import http from 'node:http';

const delayMs = Number(process.argv[2] ?? 0);
let answered = 0;
let ids = new Set();
const answer = (res) => {
  answered++;
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
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => {
  if (m.type === 'count') process.send({ value: answered });
  else if (m.type === 'distinct') process.send({ value: ids.size });
  else if (m.type === 'reset') {
    answered = 0;
    ids = new Set();
    process.send({ value: null });
  }
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
