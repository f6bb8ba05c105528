/**
 * The benchmark's backend, in its own process: an HTTP server on `<address>:<port>` answering
 * `GET /small` with 64 bytes and `GET /bytes/<n>` with n bytes streamed with backpressure.
 * Prints `ready <port>` when listening.
 */
import { createServer } from 'node:http';

const [address = '127.0.0.1', portText = '0'] = process.argv.slice(2);
const SMALL = Buffer.alloc(64, 'x');
const CHUNK = Buffer.alloc(64 * 1024, 'y');

const server = createServer((req, res) => {
  if (req.url === '/small') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': SMALL.length });
    res.end(SMALL);
    return;
  }
  const match = /^\/bytes\/(\d+)$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  let left = Number(match[1]);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left });
  const pump = () => {
    while (left > 0) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portText), address, () => {
  const bound = server.address();
  process.stdout.write(`ready ${typeof bound === 'object' && bound ? bound.port : portText}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
