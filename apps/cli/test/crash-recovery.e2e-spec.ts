import { readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { CloudApiConfig, CloudControllerManagerConfig, validateConfig } from '@app/config';
import { CoreV1Api, loadKubeConfig, type V1Node } from '@app/kube-client';
import { tempDir } from '@app/testing';
import { startCloudApi } from '../../cloud-api/src/start-cloud-api';
import { startCloudControllerManager } from '../../cloud-controller-manager/src';
import { NimbusProcess, ensureBuilt } from './nimbus-process';

// kill -9 of the api-server and of the cloud API (real child processes, `node bin/nimbus.js`)
// under concurrent write load, then a restart on the same data dir: every acknowledged write is
// there, resourceVersions keep increasing, watches and the change stream resume where the client
// was, and a CCM pointed at the api-server carries on.
jest.setTimeout(600_000);

const WRITERS = 6;
const KILL_AFTER = 150;

beforeAll(() => ensureBuilt());

interface HttpsTarget {
  port: string;
  ca: string;
  token: string;
}

function kube(
  t: HttpsTarget,
  path: string,
  method = 'GET',
  body?: object,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const options: RequestOptions = {
      hostname: '127.0.0.1',
      port: t.port,
      path,
      method,
      ca: t.ca,
      agent: false,
      headers: {
        Authorization: `Bearer ${t.token}`,
        ...(text
          ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }
          : {}),
      },
    };
    const req = request(options, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          json: data ? (JSON.parse(data) as Record<string, unknown>) : {},
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** Watch events (type, resourceVersion, name) as they arrive on a raw watch stream. */
function watchStream(t: HttpsTarget, path: string) {
  const events: { type: string; rv: number; name: string; code?: number }[] = [];
  let buffer = '';
  const req = request(
    {
      hostname: '127.0.0.1',
      port: t.port,
      path,
      ca: t.ca,
      agent: false,
      headers: { Authorization: `Bearer ${t.token}` },
    },
    (res) => {
      res.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines.filter((l) => l.trim())) {
          const e = JSON.parse(line) as {
            type: string;
            object: { code?: number; metadata?: { resourceVersion?: string; name?: string } };
          };
          events.push({
            type: e.type,
            rv: Number(e.object.metadata?.resourceVersion ?? 0),
            name: e.object.metadata?.name ?? '',
            code: e.object.code,
          });
        }
      });
      res.on('error', () => undefined);
    },
  );
  req.on('error', () => undefined);
  req.end();
  return { events, close: () => req.destroy() };
}

const waitUntil = async (
  probe: () => boolean | Promise<boolean>,
  message: string,
  timeoutMs = 60_000,
) => {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('kill -9 of the kube-apiserver under write load', () => {
  it('keeps every acknowledged write, resourceVersion keeps increasing, watches resume, the CCM carries on', async () => {
    const dir = tempDir('nimbus-crash-kube-');
    const cloudDir = tempDir('nimbus-crash-kube-cloud-');
    const args = (port: string) => [
      'apiserver',
      '--port',
      port,
      '--data-dir',
      dir.path,
      '--log-level',
      'warn',
    ];
    let server = NimbusProcess.start(args('0'));
    const cloud = await startCloudApi(
      validateConfig(CloudApiConfig, {
        port: 0,
        dataDir: cloudDir.path,
        logLevel: 'silent',
        token: 'crash-test-project-token',
        transitionMs: 0,
      }),
    );
    let ccm: Awaited<ReturnType<typeof startCloudControllerManager>> | undefined;
    try {
      const url = (await server.waitFor(/kube-apiserver listening on (https:\/\/\S+)/))[1];
      const t: HttpsTarget = {
        port: new URL(url).port,
        ca: readFileSync(join(dir.path, 'ca.crt'), 'utf8'),
        token: readFileSync(join(dir.path, 'tokens.csv'), 'utf8')
          .split('\n')
          .find((l) => l.split(',')[1] === 'admin')!
          .split(',')[0],
      };
      const kc = loadKubeConfig(join(dir.path, 'kubeconfig'));
      const core = kc.makeApiClient(CoreV1Api);
      ccm = await startCloudControllerManager(
        validateConfig(CloudControllerManagerConfig, {
          kubeconfig: join(dir.path, 'kubeconfig'),
          cloudUrl: cloud.url,
          cloudToken: 'crash-test-project-token',
          controllers: 'cloud-node',
          leaderElect: 'false',
          securePort: '-1',
          logLevel: 'silent',
        }),
      );
      const joinNode = async (name: string) => {
        await fetch(`${cloud.url}/v1/instances`, {
          method: 'POST',
          headers: {
            Authorization: 'Bearer crash-test-project-token',
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ name, zone: 'nimbus-1a', instanceType: 'nb.small' }),
        });
        await core.createNode({
          body: {
            metadata: { name },
            spec: {
              taints: [
                {
                  key: 'node.cloudprovider.kubernetes.io/uninitialized',
                  value: 'true',
                  effect: 'NoSchedule',
                },
              ],
            },
          },
        });
        await waitUntil(async () => {
          const node: V1Node = await core.readNode({ name }).catch(() => ({}));
          return !!node.spec?.providerID && !(node.spec.taints ?? []).length;
        }, `the CCM to initialise ${name}`);
      };
      await joinNode('before-crash');

      const startRv = Number(
        (
          (await kube(t, '/api/v1/namespaces/default/configmaps')).json.metadata as {
            resourceVersion: string;
          }
        ).resourceVersion,
      );
      const watch = watchStream(
        t,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${startRv}`,
      );
      const acked: { name: string; rv: number }[] = [];
      let stop = false;
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          const name = `w${w}-${n}`;
          try {
            const res = await kube(t, '/api/v1/namespaces/default/configmaps', 'POST', {
              metadata: { name },
              data: { n: String(n) },
            });
            if (res.status === 201) {
              acked.push({
                name,
                rv: Number((res.json.metadata as { resourceVersion: string }).resourceVersion),
              });
            }
          } catch {
            return; // the server died under this request: unacknowledged
          }
        }
      });
      await waitUntil(() => acked.length >= KILL_AFTER, `${KILL_AFTER} acknowledged writes`);
      await server.kill();
      stop = true;
      await Promise.all(writers);
      watch.close();
      const lastSeen = Math.max(startRv, ...watch.events.map((e) => e.rv));
      const maxAcked = Math.max(...acked.map((a) => a.rv));

      server = NimbusProcess.start(args(t.port));
      await server.waitFor(/kube-apiserver listening on/);
      const list = (await kube(t, '/api/v1/namespaces/default/configmaps')).json as {
        metadata: { resourceVersion: string };
        items: { metadata: { name: string; resourceVersion: string } }[];
      };
      const stored = new Map(
        list.items.map((i) => [i.metadata.name, Number(i.metadata.resourceVersion)]),
      );
      // Nothing acknowledged is lost, with the version it was acknowledged with.
      expect(acked.filter((a) => stored.get(a.name) !== a.rv)).toEqual([]);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(maxAcked);
      const after = await kube(t, '/api/v1/namespaces/default/configmaps', 'POST', {
        metadata: { name: 'after-restart' },
      });
      expect(after.status).toBe(201);
      expect(
        Number((after.json.metadata as { resourceVersion: string }).resourceVersion),
      ).toBeGreaterThan(Math.max(maxAcked, lastSeen, Number(list.metadata.resourceVersion)));

      // A watch resumes from the last version the client saw: every acknowledged write after it
      // arrives, in order (or the server answers 410 Expired, as upstream does for compacted history).
      const resumed = watchStream(
        t,
        `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${lastSeen}`,
      );
      const missed = [...acked.filter((a) => a.rv > lastSeen).map((a) => a.name), 'after-restart'];
      await waitUntil(
        () =>
          resumed.events.some((e) => e.type === 'ERROR') ||
          missed.every((name) => resumed.events.some((e) => e.name === name)),
        'the resumed watch to deliver every missed write',
      );
      resumed.close();
      if (resumed.events.some((e) => e.type === 'ERROR')) {
        expect(resumed.events[0]).toMatchObject({ type: 'ERROR', code: 410 });
      } else {
        const rvs = resumed.events.map((e) => e.rv);
        expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
        expect(rvs[0]).toBeGreaterThan(lastSeen);
      }

      // The CCM's informers reconnected: a node joining after the crash is initialised.
      await joinNode('after-crash');
      process.stderr.write(
        `kube-apiserver kill -9: ${acked.length} acknowledged writes, ${acked.filter((a) => !stored.has(a.name)).length} lost\n`,
      );
    } finally {
      await ccm?.close();
      await server.kill();
      await cloud.close();
      dir.remove();
      cloudDir.remove();
    }
  });
});

describe('kill -9 of the cloud API under write load', () => {
  it('keeps every acknowledged create, retried keys never duplicate, the change stream resumes', async () => {
    const dir = tempDir('nimbus-crash-cloud-');
    const TOKEN = 'crash-test-cloud-token-1';
    const args = (port: string) => [
      'cloud-api',
      '--port',
      port,
      '--data-dir',
      dir.path,
      '--token',
      TOKEN,
      '--transition-ms',
      '0',
      '--rate-limits',
      'off',
      '--log-level',
      'warn',
    ];
    let server = NimbusProcess.start(args('0'));
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      let url = (await server.waitFor(/Nimbus cloud API listening on (http:\/\/\S+)/))[1];
      const port = new URL(url).port;
      const call = (path: string, init: RequestInit = {}) =>
        fetch(`${url}${path}`, {
          ...init,
          headers: {
            Authorization: `Bearer ${TOKEN}`,
            'Content-Type': 'application/json',
            ...init.headers,
          },
        });
      const seen: number[] = [];
      const createdIds = new Set<string>();
      const follow = async (lastEventId?: number) => {
        const res = await call('/v1/events/stream', {
          headers: lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) },
        });
        reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        void (async () => {
          for (;;) {
            const { value, done } = await reader
              .read()
              .catch(() => ({ value: undefined, done: true }));
            if (done) {
              return;
            }
            buffer += decoder.decode(value);
            const blocks = buffer.split('\n\n');
            buffer = blocks.pop() ?? '';
            for (const block of blocks) {
              const id = /^id: (\d+)$/m.exec(block)?.[1];
              const data = /^data: (.*)$/m.exec(block)?.[1];
              if (id && data) {
                seen.push(Number(id));
                const change = JSON.parse(data) as { change: string; resourceId: string };
                if (change.change === 'created') {
                  createdIds.add(change.resourceId);
                }
              }
            }
          }
        })();
      };
      await follow();

      const acked: { key: string; id: string; name: string }[] = [];
      const inFlight: { key: string; name: string }[] = [];
      let stop = false;
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; !stop; n++) {
          const key = `crash-${w}-${n}`;
          const name = `c${w}-${n}`;
          try {
            const res = await call('/v1/instances', {
              method: 'POST',
              headers: { 'Idempotency-Key': key },
              body: JSON.stringify({ name, zone: 'nimbus-1a', instanceType: 'nb.small' }),
            });
            if (res.status < 300) {
              acked.push({
                key,
                name,
                id: ((await res.json()) as { instance: { id: string } }).instance.id,
              });
            }
          } catch {
            inFlight.push({ key, name }); // sent, never answered
            return;
          }
        }
      });
      await waitUntil(() => acked.length >= 100, '100 acknowledged creates');
      await server.kill();
      stop = true;
      await Promise.all(writers);
      await reader?.cancel().catch(() => undefined);
      const lastSeen = Math.max(0, ...seen);

      server = NimbusProcess.start(args(port));
      url = (await server.waitFor(/Nimbus cloud API listening on (http:\/\/\S+)/))[1];
      const missing: string[] = [];
      for (const a of acked) {
        if ((await call(`/v1/instances/${a.id}`)).status !== 200) {
          missing.push(a.id);
        }
      }
      expect(missing).toEqual([]);
      // A request the crash cut off is retried with its key: it lands exactly once.
      for (const f of inFlight) {
        const res = await call('/v1/instances', {
          method: 'POST',
          headers: { 'Idempotency-Key': f.key },
          body: JSON.stringify({ name: f.name, zone: 'nimbus-1a', instanceType: 'nb.small' }),
        });
        expect(res.status).toBeLessThan(300);
        const same = (await (await call(`/v1/instances?name=${f.name}`)).json()) as {
          items: unknown[];
        };
        expect(same.items).toHaveLength(1);
      }
      // The change stream resumes after the last event the client saw: no gap, no repeat.
      const before = seen.length;
      await follow(lastSeen);
      const fresh = (await (
        await call('/v1/instances', {
          method: 'POST',
          body: JSON.stringify({
            name: 'after-restart',
            zone: 'nimbus-1a',
            instanceType: 'nb.small',
          }),
        })
      ).json()) as { instance: { id: string } };
      await waitUntil(
        () => [...acked.map((a) => a.id), fresh.instance.id].every((id) => createdIds.has(id)),
        'a created event for every acknowledged create',
      );
      const resumed = seen.slice(before);
      expect(resumed[0]).toBe(lastSeen + 1);
      expect(resumed).toEqual([...resumed].sort((a, b) => a - b));
      process.stderr.write(
        `cloud API kill -9: ${acked.length} acknowledged creates, ${missing.length} lost, ${inFlight.length} cut off and retried\n`,
      );
    } finally {
      await reader?.cancel().catch(() => undefined);
      await server.kill();
      dir.remove();
    }
  });
});
