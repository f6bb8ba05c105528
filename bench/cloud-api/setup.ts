/** What bench:cloud-api and bench:cloud-api:profile share: the servers, their flags and the requests. */
import type autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startCloudApiProcess, startProcess } from '../shared/child-process';

export const TOKEN = 'bench-token-0123456789';
export const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const ZONES = ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'];

/** The cloud API's flags, printed into the doc as they are. */
export const CLOUD_API_FLAGS = [
  '--transition-ms',
  '0',
  '--quotas',
  'instances=10000000,vcpus=100000000',
  // Room for every instance the create rows make (the default /16 has ~16k addresses per zone).
  '--network-cidr',
  '10.0.0.0/8',
  // Throttling stays on (its cost is part of every call) with buckets so large they never trip.
  '--rate-limits',
  'reads=1000000000:1000000000,mutations=1000000000:1000000000,instanceCreates=1000000000:1000000000',
];

export interface BenchServers {
  hello: { child: ChildProcess; url: string };
  api: { child: ChildProcess; url: string };
  /** An instance the GET rows read (60 are created first, so lists have a page of 50). */
  instanceId: string;
}

/** Starts the bare Nest app and the cloud API (`nodeFlags` go to both), and seeds 60 instances. */
export async function startBenchServers(
  dataDir: string,
  nodeFlags: (server: 'hello' | 'api') => string[] = () => [],
): Promise<BenchServers> {
  const hello = await startProcess(
    'node',
    [
      ...nodeFlags('hello'),
      '-r',
      'ts-node/register/transpile-only',
      'bench/cloud-api/hello-app.ts',
      '0',
    ],
    /ready on (\S+)/,
  );
  const api = await startCloudApiProcess(dataDir, TOKEN, CLOUD_API_FLAGS, nodeFlags('api')).catch(
    (error: unknown) => {
      hello.child.kill();
      throw error;
    },
  );
  const servers = { hello: { child: hello.child, url: hello.match[1] }, api, instanceId: '' };
  try {
    for (let i = 0; i < 60; i++) {
      const created = await post(`${api.url}/v1/instances`, {
        name: `seed-${i}`,
        zone: ZONES[i % 3],
        instanceType: 'nb.small',
      });
      servers.instanceId ||= created.instance.id;
    }
  } catch (error) {
    hello.child.kill();
    api.child.kill();
    throw error;
  }
  return servers;
}

async function post(url: string, body: unknown): Promise<{ instance: { id: string } }> {
  const res = await fetch(url, { method: 'POST', headers: AUTH, body: JSON.stringify(body) });
  if (!res.ok) {
    throw new Error(`${url}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as { instance: { id: string } };
}

/** POST /v1/instances with a fresh Idempotency-Key and a new name each time. */
export function createRequests(apiUrl: string): autocannon.Options {
  let n = 0;
  return {
    url: `${apiUrl}/v1/instances`,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          headers: { ...AUTH, 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            name: `bench-${n++}`,
            zone: ZONES[n % 3],
            instanceType: 'nb.small',
          }),
        }),
      },
    ],
  };
}
