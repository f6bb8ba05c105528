import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NimbusCloudClient } from '@app/cloud-client';
import { AdjustableClock, CLUSTER_LABEL } from '@app/common';
import { NimbusUpConfig, validateConfig } from '@app/config';
import { SystemScheduler } from '@app/controller-runtime';
import {
  KubeRest,
  SharedInformers,
  loadKubeConfig,
  type PersistentVolumeClaimObject,
  type PodObject,
  type VolumeAttachmentObject,
} from '@app/kube-client';
import { embeddedUpFlags, startNimbusUp } from '../../apps/cli/src/up/start-nimbus-up';
import { nodeIsUp } from '../../apps/cli/src/up/wait-for-nodes';
import { inParallel, millis, percentile, seconds } from '../ccm/scenario';
import { writeBenchmarkSection } from '../shared/benchmarks-doc';

// `npm run bench:cluster-volumes [-- --nodes 6 --claims 100 --no-report]`: claims used by pods on
// the built-in cluster with every real component (KCM's PV binder and attach/detach controller,
// the scheduler's VolumeBinding, the CCM's CSI controllers, the kubelets' volume wait). Baseline,
// same run and stack: as many pods without claims reaching Running. Numbers go to
// docs/benchmarks.md (section cluster-volumes).

const TOKEN = 'bench-volumes-project-token-0123456789';
const ADMIN_TOKEN = 'bench-volumes-admin-token-0123456789';
const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '6' },
    claims: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '20' },
    'no-report': { type: 'boolean', default: false },
  },
});
const NODES = Number(args.nodes);
const CLAIMS = Number(args.claims);
const CONCURRENCY = Number(args.concurrency);

type Row = [string, string];
const stats = (label: string, from: Map<string, number>, to: Map<string, number>): Row[] => {
  const each = [...to].map(([k, at]) => at - (from.get(k) ?? at)).sort((a, b) => a - b);
  const total = Math.max(...to.values()) - Math.min(...from.values());
  return [
    [`${label}: total (first start → last done)`, seconds(total)],
    [
      `${label}: per item p50 / p99`,
      `${millis(percentile(each, 50))} / ${millis(percentile(each, 99))}`,
    ],
  ];
};

async function waitUntil(test: () => boolean, what: () => string, timeoutMs = 600_000) {
  const deadline = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out: ${what()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pod = (name: string, claim?: string): PodObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { bench: 'volumes' } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'nginx:1.27',
        resources: { requests: { cpu: '10m', memory: '16Mi' } },
        ...(claim ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}),
      },
    ],
    ...(claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } : {}),
  },
});

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-volumes-'));
  const load = loadavg()[0].toFixed(2);
  const nimbus = await startNimbusUp(
    validateConfig(NimbusUpConfig, {
      ...embeddedUpFlags(dir, TOKEN, ADMIN_TOKEN),
      logLevel: process.env.BENCH_LOG_LEVEL ?? 'silent',
    }),
  );
  const rows: Row[] = [];
  const rest = new KubeRest(loadKubeConfig(nimbus.kubeconfigPath));
  const informers = new SharedInformers(rest.kubeConfig, rest, {
    scheduler: new SystemScheduler(new AdjustableClock()),
  });
  try {
    await fetch(`${nimbus.cloud.url}/admin/rate-limits`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    const cloud = new NimbusCloudClient({ baseUrl: nimbus.cloud.url, token: TOKEN });
    const zones = ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'];
    for (let i = 0; i < NODES; i++) {
      await cloud.instances.create({
        name: `vol-node-${i}`,
        zone: zones[i % zones.length],
        instanceType: 'nb.xlarge',
        labels: { [CLUSTER_LABEL]: 'kubernetes' },
      });
    }
    const runningAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    const attachedAt = new Map<string, number>();
    const vaOfPv = new Map<string, string>();
    const nodes = informers.nodes();
    const pods = informers.pods({ labelSelector: 'bench=volumes' });
    const claims = informers.informer<PersistentVolumeClaimObject>(
      '/api/v1/persistentvolumeclaims',
    );
    const attachments = informers.informer<VolumeAttachmentObject>(
      '/apis/storage.k8s.io/v1/volumeattachments',
    );
    const seenPod = (p: PodObject) => {
      if (p.status?.phase === 'Running' && !runningAt.has(p.metadata!.name!)) {
        runningAt.set(p.metadata!.name!, performance.now());
      }
    };
    const seenClaim = (c: PersistentVolumeClaimObject) => {
      if (c.status?.phase === 'Bound' && !boundAt.has(c.metadata!.name!)) {
        boundAt.set(c.metadata!.name!, performance.now());
      }
    };
    const seenVa = (va: VolumeAttachmentObject) => {
      vaOfPv.set(va.spec?.source?.persistentVolumeName ?? '', va.metadata!.name!);
      if (va.status?.attached && !attachedAt.has(va.metadata!.name!)) {
        attachedAt.set(va.metadata!.name!, performance.now());
      }
    };
    pods.addEventHandler({ onAdd: seenPod, onUpdate: (_o, p) => seenPod(p) });
    claims.addEventHandler({ onAdd: seenClaim, onUpdate: (_o, c) => seenClaim(c) });
    attachments.addEventHandler({ onAdd: seenVa, onUpdate: (_o, v) => seenVa(v) });
    await informers.start();
    await waitUntil(
      () => nodes.list().filter(nodeIsUp).length >= NODES,
      () => `${nodes.list().filter(nodeIsUp).length}/${NODES} nodes up`,
    );
    await waitUntil(
      () => nimbus.kubelet.nodes().length >= NODES,
      () => 'kubelets up',
    );
    // Pods need the namespace's default ServiceAccount (the ServiceAccount admission).
    let serviceAccount = false;
    await waitUntil(
      () => {
        void rest
          .get('/api/v1/namespaces/default/serviceaccounts/default')
          .then(() => (serviceAccount = true))
          .catch(() => undefined);
        return serviceAccount;
      },
      () => 'default ServiceAccount',
    );
    const names = Array.from({ length: CLAIMS }, (_v, i) => `v-${String(i).padStart(4, '0')}`);

    // Baseline: the same number of pods without claims.
    const baseCreated = new Map<string, number>();
    await inParallel(names, CONCURRENCY, async (n) => {
      baseCreated.set(`base-${n}`, performance.now());
      await rest.create('/api/v1/namespaces/default/pods', pod(`base-${n}`));
    });
    await waitUntil(
      () => [...baseCreated.keys()].every((k) => runningAt.has(k)),
      () => 'baseline pods Running',
    );
    const baseRunning = new Map([...baseCreated.keys()].map((k) => [k, runningAt.get(k)!]));
    const baseRows = stats(
      'baseline: pod without a claim (created → Running)',
      baseCreated,
      baseRunning,
    );
    await inParallel([...baseCreated.keys()], CONCURRENCY, (n) =>
      rest.delete(`/api/v1/namespaces/default/pods/${n}`),
    );

    // Claims of nimbus-ssd (WaitForFirstConsumer) with one pod each.
    const created = new Map<string, number>();
    await inParallel(names, CONCURRENCY, async (n) => {
      created.set(n, performance.now());
      await rest.create('/api/v1/namespaces/default/persistentvolumeclaims', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: n },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      });
      await rest.create('/api/v1/namespaces/default/pods', pod(n, n));
    });
    await waitUntil(
      () => names.every((n) => runningAt.has(n)),
      () => `${names.filter((n) => runningAt.has(n)).length}/${CLAIMS} pods with a claim Running`,
    );
    const claimRunning = () => new Map(names.map((n) => [n, runningAt.get(n)!]));
    const vaOf = (n: string) => vaOfPv.get(claims.get(`default/${n}`)?.spec?.volumeName ?? '');
    const attachedByClaim = new Map(names.map((n) => [n, attachedAt.get(vaOf(n) ?? '') ?? 0]));
    const withClaimRows = [
      ...stats('provision + bind (claim + pod created → claim Bound)', created, boundAt),
      ...stats('attach (claim Bound → VolumeAttachment attached)', boundAt, attachedByClaim),
      ...stats('pod with a claim (created → Running)', created, claimRunning()),
    ];

    // Detach: delete the pods; the attachments go.
    const deletedAt = new Map<string, number>();
    const goneAt = new Map<string, number>();
    const vaNames = new Map(names.map((n) => [vaOf(n) ?? '', n]));
    attachments.addEventHandler({
      onDelete: (va) => {
        const n = vaNames.get((va as VolumeAttachmentObject).metadata?.name ?? '');
        if (n && !goneAt.has(n)) {
          goneAt.set(n, performance.now());
        }
      },
    });
    await inParallel(names, CONCURRENCY, async (n) => {
      deletedAt.set(n, performance.now());
      await rest.delete(`/api/v1/namespaces/default/pods/${n}`);
    });
    await waitUntil(
      () => names.every((n) => goneAt.has(n)),
      () => `${goneAt.size}/${CLAIMS} VolumeAttachments gone`,
    );
    const total = (from: Map<string, number>, to: Map<string, number>) =>
      Math.max(...to.values()) - Math.min(...from.values());
    rows.push(
      ...withClaimRows,
      ...stats('detach (pod deleted → VolumeAttachment gone)', deletedAt, goneAt),
      ...baseRows,
      [
        'pods with a claim ÷ pods without: total time',
        `${(total(created, claimRunning()) / total(baseCreated, baseRunning)).toFixed(1)}×`,
      ],
    );
  } finally {
    await informers.stop();
    await nimbus.close();
    rmSync(dir, { recursive: true, force: true });
  }
  rows.forEach(([k, v]) => console.log(`${k}: ${v}`));
  if (!args['no-report']) {
    writeBenchmarkSection(
      'cluster-volumes',
      [
        '<!-- cluster-volumes:start -->',
        '',
        '### Claims on the built-in cluster (every real component)',
        '',
        `Measured by \`npm run bench:cluster-volumes -- --nodes ${NODES} --claims ${CLAIMS}\` (\`bench/cluster/volumes.ts\`) on ` +
          `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}, 1-minute load ${load} at the start ` +
          '(shared machine). `nimbus up` in one process; nodes `nb.xlarge` over three zones. Each of the claims (`nimbus-ssd`, ' +
          'WaitForFirstConsumer, 1Gi) is created with one pod using it, ' +
          `${CONCURRENCY} in flight: the scheduler selects the node, KCM names the provisioner, the CCM provisions, KCM binds ` +
          'and creates the VolumeAttachment, the CCM attaches, the kubelet starts the pod. Then the pods are deleted and the ' +
          'attachments go (kubelet `volumesInUse`, KCM, CCM detach). Baseline, same run: as many pods without a claim.',
        '',
        '| Measurement | Nimbus |',
        '| --- | --- |',
        ...rows.map(([k, v]) => `| ${k} | ${v} |`),
        '',
        '<!-- cluster-volumes:end -->',
      ].join('\n'),
    );
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
