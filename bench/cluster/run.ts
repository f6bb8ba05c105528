import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NimbusCloudClient } from '@app/cloud-client';
import { CLUSTER_LABEL } from '@app/common';
import { NimbusUpConfig, validateConfig } from '@app/config';
import {
  KubeRest,
  SharedInformers,
  loadKubeConfig,
  type NodeObject,
  type PodObject,
} from '@app/kube-client';
import { SystemScheduler } from '@app/controller-runtime';
import { AdjustableClock } from '@app/common';
import {
  embeddedUpFlags,
  startNimbusUp,
  type RunningNimbus,
} from '../../apps/cli/src/up/start-nimbus-up';
import { nodeIsUp } from '../../apps/cli/src/up/wait-for-nodes';
import { inParallel, percentile } from '../ccm/scenario';
import { deploymentPhase } from './deployment-phase';
import { LeaseWatch } from './leases';
import { PhaseCost } from './phase-cost';
import { PodStages } from './pod-stages';
import { writeClusterReport, type Row } from './report';

// `npm run bench:cluster [-- --nodes 1000 --pods 10000 --direct-bind --deployment-replicas 10000]`:
// the whole simulated cluster in one process, as `nimbus up` runs it. N instances join as nodes
// (Ready + initialised by the CCM), then M pods (scheduled by the kube-scheduler, or with
// --direct-bind bound to nodes round-robin by `spec.nodeName`, the kubelets alone) reach Running,
// then a Deployment is scaled 0 → R replicas and rolled out (R = --deployment-replicas, default
// M; 0 skips it). Numbers go to docs/benchmarks.md.

const TOKEN = 'bench-cluster-project-token-0123456789';
const ADMIN_TOKEN = 'bench-cluster-admin-token-0123456789';
const root = resolve(__dirname, '../..');

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    'idle-seconds': { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '50' },
    'direct-bind': { type: 'boolean', default: false },
    'no-report': { type: 'boolean', default: false },
    'deployment-replicas': { type: 'string' },
  },
});
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const IDLE_MS = Number(args['idle-seconds']) * 1000;
const CONCURRENCY = Number(args.concurrency);
const DEPLOYMENT_REPLICAS = Number(args['deployment-replicas'] ?? args.pods);

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const rate = (n: number, ms: number) => (n / (ms / 1000)).toFixed(1);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-cluster-'));
  const load = loadavg()[0].toFixed(2);
  const nimbus = await startNimbusUp(
    validateConfig(NimbusUpConfig, {
      ...embeddedUpFlags(dir, TOKEN, ADMIN_TOKEN),
      // 4,096 node blocks of /24 (the default /16 holds 256).
      clusterCidr: '10.128.0.0/12',
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'silent',
    }),
  );
  // Each phase's rows are printed as it ends (a long run shows its numbers before it finishes).
  const rows: Row[] = [];
  const record = (...added: Row[]) => {
    added.forEach(([k, v]) => console.log(`${k}: ${v}`));
    rows.push(...added);
  };
  try {
    await prepareCloud(nimbus);
    const rest = new KubeRest(loadKubeConfig(nimbus.kubeconfigPath));
    // Pods need their namespace's default ServiceAccount (the ServiceAccount admission).
    await waitForServiceAccount(rest);
    const baseline = await rawCreateRate(rest);
    record(['baseline: raw pod creates/s (api-server alone, no node)', baseline.toFixed(0)]);
    const leases = new LeaseWatch(rest);
    record(...(await nodesJoin(nimbus, rest)));
    record(...(await leases.rows('the join')));
    record(...(await idleWrites(rest)));
    record(...(await podsRun(nimbus, rest, baseline)));
    record(...(await leases.rows('the pods')));
    leases.stop();
    record(['  RSS of the whole process after the pods', mb(process.memoryUsage().rss)]);
    if (DEPLOYMENT_REPLICAS > 0) {
      // The bare pods go first: the Deployment's pods get the nodes to themselves.
      await rest.delete('/api/v1/namespaces/default/pods', {});
      await waitUntilAsync(
        async () =>
          (await rest.get<{ items: unknown[] }>('/api/v1/namespaces/default/pods', { limit: 1 }))
            .items.length === 0,
        600_000,
        () => 'the bare pods to be gone',
      );
      record(
        ...(await deploymentPhase(rest, DEPLOYMENT_REPLICAS, baseline, (done, ms, what) =>
          waitUntilAsync(done, ms, what),
        )),
      );
    }
    record([
      'RSS of the whole process (cloud, api-server, controllers, kubelets, bench)',
      mb(process.memoryUsage().rss),
    ]);
  } finally {
    await nimbus.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (!args['no-report']) {
    writeClusterReport(root, rows, {
      nodes: NODES,
      pods: PODS,
      deploymentReplicas: DEPLOYMENT_REPLICAS,
      scheduled: !args['direct-bind'],
      machine: `${cpus().length} cores, Node ${process.version}, 1-minute load average ${load} at the start`,
    });
  }
}

/** Quotas and throttling out of the way: the bench measures the cluster, not the cloud's limits. */
async function prepareCloud(nimbus: RunningNimbus): Promise<void> {
  const admin = (method: string, path: string, body: unknown) =>
    fetch(`${nimbus.cloud.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => {
      if (!r.ok) {
        throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      }
    });
  await admin('PUT', '/admin/rate-limits', { enabled: false });
  await admin('PUT', '/v1/projects/default/quotas', {
    limits: { instances: NODES + 100, vcpus: (NODES + 100) * 16, routesPerNetwork: NODES + 100 },
  });
}

/** What the api-server alone sustains: pods without a node (nobody acts on them), then deleted. */
async function rawCreateRate(rest: KubeRest): Promise<number> {
  const count = Math.min(2000, Math.max(200, PODS / 5));
  const started = performance.now();
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    CONCURRENCY,
    (i) =>
      rest.create('/api/v1/namespaces/default/pods', podBody(`baseline-${i}`, undefined, true)),
  );
  const perSecond = count / ((performance.now() - started) / 1000);
  await rest.delete('/api/v1/namespaces/default/pods', {});
  return perSecond;
}

/** `unscheduled`: a schedulerName nobody serves, so the pod stays as a bare api-server keeps it. */
function podBody(name: string, nodeName?: string, unscheduled = false): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      ...(unscheduled ? { schedulerName: 'bench-baseline' } : {}),
      containers: [
        {
          name: 'app',
          image: 'nginx:1.27',
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ],
    },
  };
}

/** N instances → N nodes Ready and initialised (CCM), timed from the first create. */
async function nodesJoin(nimbus: RunningNimbus, rest: KubeRest): Promise<Row[]> {
  const cloud = new NimbusCloudClient({ baseUrl: nimbus.cloud.url, token: TOKEN });
  const zones = ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'];
  const informers = new SharedInformers(rest.kubeConfig, rest, {
    scheduler: new SystemScheduler(new AdjustableClock()),
  });
  const nodes = informers.nodes();
  const upAt = new Map<string, number>();
  // Where a node's time goes: registered → pod CIDR → initialised by the CCM → Ready.
  const stages = {
    registered: new Map<string, number>(),
    podCidr: new Map<string, number>(),
    initialised: new Map<string, number>(),
    ready: new Map<string, number>(),
  };
  const mark = (stage: Map<string, number>, name: string, reached: boolean) => {
    if (reached && !stage.has(name)) {
      stage.set(name, performance.now());
    }
  };
  const check = (n: NodeObject) => {
    const name = n.metadata!.name!;
    mark(stages.registered, name, true);
    mark(stages.podCidr, name, !!n.spec?.podCIDR);
    mark(
      stages.initialised,
      name,
      !(n.spec?.taints ?? []).some(
        (t) => t.key === 'node.cloudprovider.kubernetes.io/uninitialized',
      ),
    );
    mark(
      stages.ready,
      name,
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    );
    if (!upAt.has(name) && nodeIsUp(n)) {
      upAt.set(name, performance.now());
    }
  };
  nodes.addEventHandler({ onAdd: check, onUpdate: (_o, n) => check(n) });
  await informers.start();
  const started = performance.now();
  const createdAt = new Map<string, number>();
  await inParallel(
    Array.from({ length: NODES }, (_, i) => `node-${String(i).padStart(4, '0')}`),
    20,
    async (name) => {
      createdAt.set(name, performance.now());
      await cloud.instances.create({
        name,
        zone: zones[createdAt.size % zones.length],
        instanceType: 'nb.large',
        labels: { [CLUSTER_LABEL]: 'kubernetes' },
      });
    },
  );
  const createdMs = performance.now() - started;
  await waitUntil(
    () => upAt.size >= NODES,
    600_000,
    () =>
      `${upAt.size}/${NODES} nodes up (registered ${stages.registered.size}, pod CIDR ${stages.podCidr.size}, initialised ${stages.initialised.size}, Ready ${stages.ready.size})`,
  );
  const totalMs = Math.max(...upAt.values()) - started;
  const latencies = [...upAt]
    .map(([name, at]) => at - (createdAt.get(name) ?? started))
    .sort((a, b) => a - b);
  await informers.stop();
  const p50 = (from: Map<string, number>, to: Map<string, number>) =>
    percentile(
      [...to].map(([name, at]) => at - (from.get(name) ?? at)).sort((a, b) => a - b),
      50,
    ).toFixed(0);
  return [
    [`nodes Ready + initialised`, `${upAt.size} / ${NODES}`],
    [
      `p50 per stage: create → registered / → pod CIDR / → initialised / → Ready (ms)`,
      [
        p50(createdAt, stages.registered),
        p50(stages.registered, stages.podCidr),
        p50(stages.registered, stages.initialised),
        p50(stages.registered, stages.ready),
      ].join(' / '),
    ],
    [`instances created (cloud API, 20 in flight)`, `${(createdMs / 1000).toFixed(2)} s`],
    [`nodes/s (first instance create → last node Ready + initialised)`, rate(NODES, totalMs)],
    [
      `instance create → node up p50 / p99`,
      `${percentile(latencies, 50).toFixed(0)} ms / ${percentile(latencies, 99).toFixed(0)} ms`,
    ],
  ];
}

/** api-server writes while nothing happens but heartbeats (leases, status reports, …). */
async function idleWrites(rest: KubeRest): Promise<Row[]> {
  // Let the join's tail (routes, TTL annotations, events) settle first.
  await sleep(Math.min(10_000, IDLE_MS));
  const before = await writesByResource(rest);
  const rvBefore = await currentRv(rest);
  await sleep(IDLE_MS);
  const after = await writesByResource(rest);
  const rvAfter = await currentRv(rest);
  const seconds = IDLE_MS / 1000;
  const byResource = [...after]
    .map(([resource, n]) => [resource, (n - (before.get(resource) ?? 0)) / seconds] as const)
    .filter(([, perSecond]) => perSecond > 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([resource, perSecond]) => `${resource} ${perSecond.toFixed(1)}`)
    .join(', ');
  return [
    [
      `api-server writes/s, idle with ${NODES} nodes heartbeating (${seconds} s)`,
      ((rvAfter - rvBefore) / seconds).toFixed(1),
    ],
    ['  of which (writes/s by resource)', byResource || '—'],
  ];
}

async function currentRv(rest: KubeRest): Promise<number> {
  const list = await rest.get<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces', {
    limit: 1,
  });
  return Number(list.metadata.resourceVersion);
}

/** apiserver_request_total of writes, per resource. */
async function writesByResource(rest: KubeRest): Promise<Map<string, number>> {
  const text = await rest.text('/metrics');
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^apiserver_request_total\{([^}]*)\} (\d+(?:\.\d+)?)/.exec(line);
    if (!m) {
      continue;
    }
    const labels = Object.fromEntries(
      [...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (['CREATE', 'UPDATE', 'PATCH', 'DELETE', 'APPLY'].includes(labels.verb)) {
      out.set(labels.resource, (out.get(labels.resource) ?? 0) + Number(m[2]));
    }
  }
  return out;
}

/** M pods → Running; per-stage latency per pod, end-to-end pods/s, what it cost. */
async function podsRun(nimbus: RunningNimbus, rest: KubeRest, baseline: number): Promise<Row[]> {
  const nodeNames = nimbus.kubelet
    .nodes()
    .map((n) => n.name)
    .sort();

  const informers = new SharedInformers(rest.kubeConfig, rest, {
    scheduler: new SystemScheduler(new AdjustableClock()),
  });
  const pods = informers.pods({ labelSelector: 'bench=cluster' });
  const stages = new PodStages((p) => p.metadata!.name!);
  pods.addEventHandler({
    onAdd: (p) => stages.observe(p),
    onUpdate: (_o, p) => stages.observe(p),
  });
  await informers.start();
  const scheduled = !args['direct-bind'];
  const cost = await PhaseCost.start(rest);
  const started = performance.now();
  await inParallel(
    Array.from({ length: PODS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const name = `bench-${String(i).padStart(5, '0')}`;
      const body = podBody(name, scheduled ? undefined : nodeNames[i % nodeNames.length]);
      body.metadata!.labels = { bench: 'cluster' };
      stages.created(name);
      await rest.create('/api/v1/namespaces/default/pods', body);
    },
  );
  const createMs = performance.now() - started;
  await waitUntil(
    () => stages.count('running') >= PODS,
    900_000,
    () => stages.progress(),
  );
  const totalMs = Math.max(...stages.at.running.values()) - started;
  const costs = await cost.finish(PODS);
  await waitUntil(
    () => stages.count('ready') >= PODS,
    300_000,
    () => stages.progress(),
  );
  await informers.stop();
  const endToEnd = PODS / (totalMs / 1000);
  return [
    [
      `pods Running`,
      `${stages.count('running')} / ${PODS} (${scheduled ? 'scheduled' : 'bound by spec.nodeName'}, ${CONCURRENCY} creates in flight)`,
    ],
    [`pod creates/s (while the cluster runs them)`, rate(PODS, createMs)],
    [
      `pods/s end to end (first create → last Running)`,
      `${endToEnd.toFixed(1)} (${(endToEnd / baseline).toFixed(2)}× the raw create rate)`,
    ],
    ...stages.rows(),
    [`  pod writes seen per pod (create → Ready)`, stages.updatesPerPod().toFixed(1)],
    ...costs,
  ];
}

async function waitForServiceAccount(rest: KubeRest): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await rest.get('/api/v1/namespaces/default/serviceaccounts/default');
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('no default ServiceAccount in default after 30 s');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  progress: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastLog = performance.now();
  while (!done()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out: ${progress()}`);
    }
    if (performance.now() - lastLog > 5000) {
      console.log(`  … ${progress()}`);
      lastLog = performance.now();
    }
    await sleep(50);
  }
}

async function waitUntilAsync(
  done: () => Promise<boolean>,
  timeoutMs: number,
  what: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastLog = performance.now();
  while (!(await done())) {
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what()}`);
    }
    if (performance.now() - lastLog > 5000) {
      console.log(`  … waiting for ${what()}`);
      lastLog = performance.now();
    }
    await sleep(200);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
