import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { NimbusUpConfig, validateConfig } from '@app/config';
import { tempDir } from '@app/testing';
import { startNimbusUp } from '../../apps/cli/src/up/start-nimbus-up';

// `npm run bench:soak -- --minutes 30`: mixed load on the whole stack (`nimbus up` in this
// process) and, every sample, the process RSS, heap and error counts. A leak shows up as RSS that
// keeps growing; errors as non-zero counts. Not a CI test: the integrator runs the long version.

const TOKEN = 'soak-bench-project-token';
const minutes = Number(process.argv[process.argv.indexOf('--minutes') + 1] || 30);
const sampleEveryMs =
  Number(process.argv[process.argv.indexOf('--sample-seconds') + 1] || 30) * 1000;

async function main(): Promise<void> {
  const dir = tempDir('nimbus-soak-');
  const nimbus = await startNimbusUp(
    validateConfig(NimbusUpConfig, {
      dataDir: dir.path,
      cloudPort: 0,
      apiserverPort: 0,
      ccmPort: -1,
      controllerManagerPort: -1,
      schedulerPort: -1,
      proxyHealthzPort: 0,
      proxyMetricsPort: -1,
      token: TOKEN,
      transitionMs: 200,
      logLevel: 'silent',
    }),
  );
  const ca = readFileSync(join(dir.path, 'ca.crt'), 'utf8');
  const kubeToken = nimbus.apiserver.adminToken;
  const errors = { cloud: 0, kube: 0 };
  const calls = { cloud: 0, kube: 0 };
  const cloud = async (method: string, path: string, body?: object) => {
    calls.cloud++;
    const res = await fetch(`${nimbus.cloud.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    }).catch(() => undefined);
    if (!res || res.status >= 500) {
      errors.cloud++;
    }
    return res?.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  };
  const kube = (method: string, path: string, body?: object) =>
    new Promise<number>((resolve) => {
      calls.kube++;
      const text = body ? JSON.stringify(body) : undefined;
      const req = request(
        `${nimbus.apiserver.url}${path}`,
        {
          method,
          ca,
          headers: { Authorization: `Bearer ${kubeToken}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 500) >= 500) {
              errors.kube++;
            }
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', () => {
        errors.kube++;
        resolve(0);
      });
      req.end(text);
    });

  const end = Date.now() + minutes * 60_000;
  let round = 0;
  // One round: an instance and a node joining, a LoadBalancer Service, ConfigMap churn, reads;
  // older rounds' objects are deleted so the steady state stays the same size.
  const work = async () => {
    while (Date.now() < end) {
      const r = round++;
      const created = await cloud('POST', '/v1/instances', {
        name: `soak-${r}`,
        zone: 'nimbus-1a',
        instanceType: 'nb.small',
      });
      await kube('POST', '/api/v1/nodes', {
        metadata: { name: `soak-${r}` },
        spec: {
          podCIDRs: [`10.244.${r % 250}.0/24`],
          taints: [
            {
              key: 'node.cloudprovider.kubernetes.io/uninitialized',
              value: 'true',
              effect: 'NoSchedule',
            },
          ],
        },
      });
      await kube('POST', '/api/v1/namespaces/default/services', {
        metadata: { name: `soak-${r}` },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      });
      for (let i = 0; i < 10; i++) {
        await kube('POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name: `soak-${r}-${i}` },
          data: { i: String(i) },
        });
      }
      await kube('GET', '/api/v1/namespaces/default/configmaps?limit=100');
      await cloud('GET', '/v1/instances?pageSize=50');
      if (r >= 10) {
        const old = r - 10;
        await kube('DELETE', `/api/v1/namespaces/default/services/soak-${old}`);
        await kube('DELETE', `/api/v1/nodes/soak-${old}`);
        for (let i = 0; i < 10; i++) {
          await kube('DELETE', `/api/v1/namespaces/default/configmaps/soak-${old}-${i}`);
        }
        const previous = (await cloud('GET', `/v1/instances?name=soak-${old}`))?.items as
          { id: string }[] | undefined;
        for (const instance of previous ?? []) {
          await cloud('DELETE', `/v1/instances/${instance.id}`);
        }
      }
      void created;
    }
  };
  const rows: string[] = [];
  const started = Date.now();
  const sample = () => {
    const m = process.memoryUsage();
    const row = `| ${((Date.now() - started) / 60_000).toFixed(1)} | ${round} | ${calls.cloud} | ${calls.kube} | ${(m.rss / 2 ** 20).toFixed(0)} | ${(m.heapUsed / 2 ** 20).toFixed(0)} | ${errors.cloud} | ${errors.kube} |`;
    rows.push(row);
    console.log(row);
  };
  console.log(
    '| minutes | rounds | cloud calls | kube calls | RSS MB | heap MB | cloud errors ≥ 500 | kube errors ≥ 500 |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  sample();
  const timer = setInterval(sample, sampleEveryMs);
  await Promise.all([work(), work()]);
  clearInterval(timer);
  sample();
  await nimbus.close();
  dir.remove();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
