import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, Worker } from 'node:worker_threads';
import {
  fetchTransport,
  nodeHttpTransport,
  type Transport,
} from '../../libs/cloud-client/src/http-transport';

// `npx ts-node --transpile-only bench/cloud-client/transport.ts [calls]`: the cloud client's two
// transports against one bare node:http server (in a worker thread, answering a small JSON body)
// on loopback, 10 calls in flight, 3 rounds after a warm-up. CPU is the whole process's (the
// server's share is the same for both), so compare the rows of one run.

const PORT = 18_999;
const IN_FLIGHT = 10;

if (!isMainThread) {
  createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"id":"i-1","name":"web-1","state":"running"}');
    });
  }).listen(PORT, '127.0.0.1');
} else {
  void main();
}

async function calls(transport: Transport, count: number): Promise<void> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (sent++ < count) {
        const res = await transport({
          method: 'GET',
          url: `http://127.0.0.1:${PORT}/v1/instances/i-1`,
          headers: { Authorization: 'Bearer x', Accept: 'application/json' },
          timeoutMs: 30_000,
        });
        JSON.parse(res.text);
      }
    }),
  );
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  const server = new Worker(__filename, { execArgv: ['-r', 'ts-node/register/transpile-only'] });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const transports: [string, Transport][] = [
    ['fetch (Node global)', fetchTransport(fetch)],
    ['node:http keep-alive', nodeHttpTransport()],
  ];
  for (const [, transport] of transports) {
    await calls(transport, 2_000); // warm-up
  }
  for (let round = 1; round <= 3; round++) {
    const cpu: number[] = [];
    for (const [name, transport] of transports) {
      const before = process.cpuUsage();
      const started = performance.now();
      await calls(transport, count);
      const used = process.cpuUsage(before);
      const perCall = (used.user + used.system) / count;
      cpu.push(perCall);
      const rate = count / ((performance.now() - started) / 1000);
      console.log(
        `round ${round}  ${name.padEnd(22)} ${perCall.toFixed(1).padStart(6)} µs CPU/call  ${rate.toFixed(0).padStart(6)} calls/s`,
      );
    }
    console.log(
      `round ${round}  node:http CPU per call ÷ fetch's: ${(cpu[1] / cpu[0]).toFixed(2)}×`,
    );
  }
  await server.terminate();
}
