import { performance } from 'node:perf_hooks';
import { AdjustableClock } from '@app/common';
import { SystemScheduler } from '@app/controller-runtime';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  volumeAttachmentName,
} from '@app/csi';
import {
  InformerFactory,
  StorageV1Api,
  type V1PersistentVolume,
  type V1VolumeAttachment,
} from '@app/kube-client';
import type { CcmHarness } from '../../../apps/cloud-controller-manager/test/harness';
import {
  inParallel,
  millis,
  percentile,
  seconds,
  type BenchRow,
  type CcmBenchScenario,
} from '../scenario';

const CLAIMS = 100;
const NODES = 4; // nb.xlarge: 32 attachments each
const IN_FLIGHT = 20;
const DRIVER = 'disk.csi.nimbus.dev';
const CONTROLLERS = 'cloud-node,csi-provisioner,csi-attacher,csi-resizer,csi-node-driver-registrar';
const TIMEOUT_MS = 300_000;
const BENCH_SCHEDULER = new SystemScheduler(new AdjustableClock());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  while (!probe()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(20);
  }
}

/** Timings of one step: start and end per item. */
class Step {
  readonly started = new Map<string, number>();
  readonly ended = new Map<string, number>();
  private first = Infinity;

  start(key: string): void {
    const now = performance.now();
    this.first = Math.min(this.first, now);
    this.started.set(key, now);
  }

  end(key: string): void {
    if (!this.ended.has(key)) {
      this.ended.set(key, performance.now());
    }
  }

  rows(label: string, baseline?: Step): BenchRow[] {
    const latencies = [...this.ended.entries()]
      .map(([k, t]) => t - (this.started.get(k) ?? t))
      .sort((a, b) => a - b);
    const total = Math.max(...this.ended.values()) - this.first;
    const rows: BenchRow[] = [
      [`${label}: total (first start → last done)`, seconds(total)],
      [
        `${label}: per item p50 / p99`,
        `${millis(percentile(latencies, 50))} / ${millis(percentile(latencies, 99))}`,
      ],
    ];
    if (baseline) {
      const base = Math.max(...baseline.ended.values()) - baseline.first;
      rows.push([`${label}: total ÷ raw cloud calls' total`, `${(total / base).toFixed(1)}×`]);
    }
    return rows;
  }
}

/**
 * The raw cloud work the controllers do, through the cloud client alone (same run, same stack):
 * create, attach and detach of CLAIMS volumes, 20 in flight.
 */
async function cloudBaseline(stack: CcmHarness, instanceIds: string[]) {
  const create = new Step();
  const attach = new Step();
  const detach = new Step();
  const ids: string[] = [];
  const keys = Array.from({ length: CLAIMS }, (_, i) => `raw-${i}`);
  await inParallel(keys, IN_FLIGHT, async (key) => {
    create.start(key);
    const { volume } = await stack.cloud.volumes.create({
      name: key,
      zone: 'nimbus-1a',
      sizeGiB: 4,
      type: 'ssd',
    });
    ids.push(volume.id);
    create.end(key);
  });
  const byIndex = ids.map((id, i) => ({ id, instance: instanceIds[i % instanceIds.length] }));
  await inParallel(byIndex, IN_FLIGHT, async ({ id, instance }) => {
    attach.start(id);
    await stack.cloud.volumes.attach(id, instance);
    attach.end(id);
  });
  await inParallel(byIndex, IN_FLIGHT, async ({ id, instance }) => {
    detach.start(id);
    await stack.cloud.volumes.detach(id, instance);
    detach.end(id);
  });
  await inParallel(ids, IN_FLIGHT, (id) => stack.cloud.volumes.delete(id));
  return { create, attach, detach };
}

/** 100 claims provisioned, attached and detached (the KCM and scheduler writes made by the bench). */
export const volumes: CcmBenchScenario = {
  id: 'volumes',
  title: `${CLAIMS} volumes provisioned, attached and detached`,
  describe: () =>
    [
      `${NODES} nodes (\`nb.xlarge\`, nimbus-1a) join and are initialised. A CCM runs the node controller and the`,
      'CSI controllers. Baseline, same run: the raw cloud calls alone through the cloud client (create, attach,',
      `detach of ${CLAIMS} volumes, ${IN_FLIGHT} in flight). Then ${CLAIMS} claims of \`nimbus-ssd\` are created with the`,
      "scheduler's `selected-node` and the PV controller's `storage-provisioner` annotations already set",
      `(${IN_FLIGHT} in flight; the bench plays those components): provision = claim created → PV \`pvc-<uid>\` seen`,
      "by a watch. The bench binds them (the PV controller's part, not timed) and creates one",
      "VolumeAttachment each (the attach/detach controller's part): attach = created → `status.attached` seen.",
      'Then deletes them: detach = delete sent → the VolumeAttachment gone (cloud detach done, finalizer',
      'removed). Cloud transitions at 0, cloud throttling off; the machine is shared with other engineers.',
    ].join('\n'),
  async run(stack: CcmHarness): Promise<BenchRow[]> {
    const storage = stack.kubeConfig.makeApiClient(StorageV1Api);
    const ccm = await stack.startCcm({ controllers: CONTROLLERS });
    const instanceIds: string[] = [];
    for (let i = 0; i < NODES; i++) {
      const name = `vol-bench-${i}`;
      instanceIds.push(
        (await stack.createInstance(name, { instanceType: 'nb.xlarge', zone: 'nimbus-1a' })).id,
      );
      await stack.createNode(name, { ready: 'True' });
    }
    const csiNodesReady = async () =>
      (await storage.listCSINode()).items.filter((c) =>
        (c.spec?.drivers ?? []).some((d) => d.name === DRIVER),
      ).length === NODES;
    const deadline = performance.now() + TIMEOUT_MS;
    while (!(await csiNodesReady())) {
      if (performance.now() > deadline) {
        throw new Error('CSINodes never published');
      }
      await sleep(50);
    }

    const baseline = await cloudBaseline(stack, instanceIds);

    const provision = new Step();
    const attach = new Step();
    const detach = new Step();
    const pvOf = new Map<string, V1PersistentVolume>();
    const observer = new InformerFactory(stack.kubeConfig, { scheduler: BENCH_SCHEDULER });
    observer.persistentVolumes().addEventHandler({
      onAdd: (pv) => {
        const claim = pv.spec?.claimRef?.name ?? '';
        pvOf.set(claim, pv);
        provision.end(claim);
      },
    });
    const attachedSeen = (va: V1VolumeAttachment) => {
      if (va.status?.attached) {
        attach.end(va.metadata?.name ?? '');
      }
    };
    observer.volumeAttachments().addEventHandler({
      onAdd: attachedSeen,
      onUpdate: (_old, va) => attachedSeen(va),
      onDelete: (obj) => {
        const name = 'key' in obj ? obj.key : (obj.metadata?.name ?? '');
        detach.end(name);
      },
    });
    await observer.start();

    const claims = Array.from({ length: CLAIMS }, (_, i) => `bench-${i}`);
    const nodeOf = (i: number) => `vol-bench-${i % NODES}`;
    await inParallel(claims, IN_FLIGHT, async (name) => {
      provision.start(name);
      await stack.core.createNamespacedPersistentVolumeClaim({
        namespace: 'default',
        body: {
          metadata: {
            name,
            annotations: {
              [ANN_SELECTED_NODE]: nodeOf(Number(name.split('-')[1])),
              [ANN_STORAGE_PROVISIONER]: DRIVER,
              [ANN_BETA_STORAGE_PROVISIONER]: DRIVER,
            },
          },
          spec: {
            storageClassName: 'nimbus-ssd',
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '4Gi' } },
          },
        },
      });
    });
    await until(() => provision.ended.size === CLAIMS, `${CLAIMS} PVs`);

    const attachments = claims.map((claim, i) => {
      const pv = pvOf.get(claim) as V1PersistentVolume;
      return {
        name: volumeAttachmentName(pv.spec?.csi?.volumeHandle ?? '', DRIVER, nodeOf(i)),
        node: nodeOf(i),
        pv: pv.metadata?.name ?? '',
      };
    });
    await inParallel(attachments, IN_FLIGHT, async (a) => {
      attach.start(a.name);
      await storage.createVolumeAttachment({
        body: {
          metadata: { name: a.name },
          spec: { attacher: DRIVER, nodeName: a.node, source: { persistentVolumeName: a.pv } },
        },
      });
    });
    await until(() => attach.ended.size === CLAIMS, `${CLAIMS} attachments`);

    await inParallel(attachments, IN_FLIGHT, async (a) => {
      detach.start(a.name);
      await storage.deleteVolumeAttachment({ name: a.name });
    });
    await until(() => detach.ended.size === CLAIMS, `${CLAIMS} detaches`);
    await observer.stop();
    await stack.stopCcm(ccm);

    return [
      ...provision.rows('provision (claim → PV)', baseline.create),
      ...attach.rows('attach (VolumeAttachment → attached)', baseline.attach),
      ...detach.rows('detach (VolumeAttachment deleted → gone)', baseline.detach),
      ...baseline.create.rows('baseline: cloud create volume'),
      ...baseline.attach.rows('baseline: cloud attach'),
      ...baseline.detach.rows('baseline: cloud detach'),
    ];
  },
};
