/**
 * The floor of any Node proxy on this machine, for bench/gateway.js: an HTTP server that forwards each
 * request to `upstream` over keep-alive sockets with a fixed token added to the query, reads the answer
 * whole and writes it back — what the gateway does, without keys, routes, scopes, tokens, pacing, audit
 * or metrics. Its ratio against the direct calls is the best a proxy process in the chain can reach here.
 */
import http from 'node:http';

/**
 * @param {string} upstream e.g. `http://127.0.0.1:4000`
 * @param {(url: string) => string} rewrite the upstream path and query for a request URL
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startBareProxy(upstream, rewrite) {
  const base = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { 'content-length': body.length };
      if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
      const out = http.request({ hostname: base.hostname, port: base.port, agent, method: req.method, path: rewrite(req.url ?? '/'), headers }, (answer) => {
        const parts = [];
        answer.on('data', (chunk) => parts.push(chunk));
        answer.on('end', () => {
          const text = Buffer.concat(parts);
          res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json', 'content-length': text.length }).end(text);
        });
      });
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); agent.destroy(); }),
  };
}
