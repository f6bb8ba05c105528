import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { Worker } from 'node:worker_threads';
import { KubeApiServerConfig, validateConfig } from '@app/config';
import { startKubeApiServer } from '../../apps/kube-apiserver/src';
import { serverCredentials } from './server-process';

// Bytes the api-server allocates per ConfigMap create (issue 15: the garbage collector was 30 % of
// a create). Unlike CPU time this does not move with the machine's load: V8's sampling heap
// profiler (every 4 KiB allocated, objects later collected included) runs in this process around
// the server, started in-process, while 10 clients in a worker thread (its own heap, not counted)
// create ConfigMaps as bench:kube-apiserver's throughput rounds do. Prints KB per create and the
// functions allocating most (self), after a 3,000-create warm-up.
//   npx ts-node -r tsconfig-paths/register --transpile-only bench/kube-apiserver/allocations-per-create.ts [creates]

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

const CLIENTS = `
const { workerData, parentPort } = require('node:worker_threads');
const { benchClient } = require(workerData.httpClient);
const { parallel } = require(workerData.serverProcess);
const client = benchClient(workerData.url, workerData.ca, workerData.token, 10);
const create = (i) =>
  client
    .call('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: workerData.prefix + i, labels: { bench: 'yes' } },
      data: { key: 'value', other: 'x'.repeat(200) },
    })
    .then((r) => {
      if (r.status !== 201) throw new Error('create -> ' + r.status + ': ' + r.body.slice(0, 300));
    });
parallel(workerData.creates, 10, create).then(() => parentPort.postMessage('done'));
`;

async function main(): Promise<void> {
  const creates = Number(process.argv[2] ?? 5000);
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-kube-alloc-'));
  const server = await startKubeApiServer(
    validateConfig(KubeApiServerConfig, { port: 0, dataDir, logLevel: 'warn' }),
  );
  const session = new Session();
  try {
    const { ca, token } = serverCredentials(dataDir);
    const run = async (count: number, prefix: string) => {
      const worker = new Worker(
        `require('ts-node/register/transpile-only'); require('tsconfig-paths/register'); ${CLIENTS}`,
        {
          eval: true,
          workerData: {
            url: server.url,
            ca,
            token,
            creates: count,
            prefix,
            httpClient: join(__dirname, 'http-client.ts'),
            serverProcess: join(__dirname, 'server-process.ts'),
          },
        },
      );
      await new Promise((done, fail) => {
        worker.once('message', done);
        worker.once('error', fail);
      });
      await worker.terminate();
    };
    await run(3000, 'warm-');
    session.connect();
    const post = <T>(method: string, params: object = {}) =>
      new Promise<T>((ok, fail) =>
        session.post(method, params, (error, result) => (error ? fail(error) : ok(result as T))),
      );
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await run(creates, 'p-');
    const { profile } = await post<{ profile: { head: SamplingNode } }>(
      'HeapProfiler.stopSampling',
    );
    const self = new Map<string, number>();
    let total = 0;
    const walk = (node: SamplingNode) => {
      const { functionName, url, lineNumber } = node.callFrame;
      const name = `${functionName || '(anonymous)'} ${url.replace(/.*\/(apps|libs|node_modules)\//, '$1/')}:${lineNumber + 1}`;
      self.set(name, (self.get(name) ?? 0) + node.selfSize);
      total += node.selfSize;
      node.children.forEach(walk);
    };
    walk(profile.head);
    const kb = (bytes: number) => (bytes / creates / 1024).toFixed(2);
    console.log(
      `Allocated per ConfigMap create (${creates} creates from 10 clients after 3,000, ${cpus().length} cores, Node ${process.version}, load ${loadavg()[0].toFixed(2)}): ${kb(total)} KB`,
    );
    console.log('| Function (self) | KB per create |\n|---|---|');
    for (const [name, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
      console.log(`| ${name} | ${kb(bytes)} |`);
    }
  } finally {
    session.disconnect();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
