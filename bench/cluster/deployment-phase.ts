import { KubeRest, SharedInformers, type DeploymentObject, type PodObject } from '@app/kube-client';
import { AdjustableClock } from '@app/common';
import { SystemScheduler } from '@app/controller-runtime';
import { percentile } from '../ccm/scenario';
import { PhaseCost } from './phase-cost';
import { PodStages } from './pod-stages';
import type { Row } from './report';

// The issue-10 workload bench: a Deployment scaled 0 → N replicas until all are Running and
// Ready (and the Deployment says so), then a rolling update of it to completion — the whole
// controller chain (deployment → replicaset → scheduler → kubelets → status) against the
// api-server's raw create rate measured in the same run.

const NAME = 'bench-web';
const PATH = `/apis/apps/v1/namespaces/default/deployments/${NAME}`;

const isReady = (p: PodObject) =>
  !p.metadata?.deletionTimestamp &&
  p.status?.phase === 'Running' &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

function deployment(image: string): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: NAME } },
      template: {
        metadata: { labels: { app: NAME } },
        spec: {
          containers: [
            { name: 'app', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } },
          ],
        },
      },
    },
  };
}

/** Watches the Deployment's pods: when each was first seen and when it turned Ready. */
class PodClock {
  readonly seenAt = new Map<string, number>();
  readonly readyAt = new Map<string, number>();
  readonly images = new Map<string, string>();

  observe(p: PodObject): void {
    const uid = p.metadata?.uid ?? '';
    if (!this.seenAt.has(uid)) {
      this.seenAt.set(uid, performance.now());
      this.images.set(uid, p.spec?.containers[0]?.image ?? '');
    }
    if (isReady(p) && !this.readyAt.has(uid)) {
      this.readyAt.set(uid, performance.now());
    }
  }

  /** Seen → Ready latencies of the pods with this image that turned Ready after `since`. */
  latencies(image: string, since: number): number[] {
    return [...this.readyAt]
      .filter(([uid, at]) => at >= since && this.images.get(uid) === image)
      .map(([uid, at]) => at - (this.seenAt.get(uid) ?? at))
      .sort((a, b) => a - b);
  }
}

export async function deploymentPhase(
  rest: KubeRest,
  replicas: number,
  baseline: number,
  waitUntil: (done: () => Promise<boolean>, timeoutMs: number, what: () => string) => Promise<void>,
): Promise<Row[]> {
  const informers = new SharedInformers(rest.kubeConfig, rest, {
    scheduler: new SystemScheduler(new AdjustableClock()),
  });
  const pods = informers.pods({ labelSelector: `app=${NAME}` });
  const clock = new PodClock();
  const stages = new PodStages();
  const observe = (p: PodObject) => {
    clock.observe(p);
    stages.observe(p);
  };
  pods.addEventHandler({ onAdd: observe, onUpdate: (_o, p) => observe(p) });
  await informers.start();
  const settled = async (image: string) => {
    const d = await rest.get<DeploymentObject>(PATH);
    const s = d.status ?? {};
    const live = pods.list().filter((p) => !p.metadata?.deletionTimestamp);
    return (
      (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      s.updatedReplicas === replicas &&
      s.readyReplicas === replicas &&
      s.availableReplicas === replicas &&
      s.replicas === replicas &&
      live.length === replicas &&
      live.every((p) => p.spec?.containers[0]?.image === image && isReady(p))
    );
  };
  try {
    await rest.create('/apis/apps/v1/namespaces/default/deployments', deployment('nginx:1.27'));
    const scaleCost = await PhaseCost.start(rest);
    const scaleStart = performance.now();
    await rest.patch(PATH, { spec: { replicas } }, 'merge');
    await waitUntil(
      () => settled('nginx:1.27'),
      1_800_000,
      () => `${NAME} scaled to ${replicas}: ${stages.progress()}`,
    );
    const scaleMs = performance.now() - scaleStart;
    const scaleCosts = await scaleCost.finish(replicas);
    const scaleStages = stages.rows();
    const scaleLatencies = clock.latencies('nginx:1.27', scaleStart);

    const rollCost = await PhaseCost.start(rest);
    const rollStart = performance.now();
    await rest.patch(
      PATH,
      { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28' }] } } } },
      'strategic',
    );
    await waitUntil(
      () => settled('nginx:1.28'),
      1_800_000,
      () => `${NAME} rolled out: ${clock.latencies('nginx:1.28', rollStart).length} new Ready`,
    );
    const rollMs = performance.now() - rollStart;
    const rollCosts = await rollCost.finish(replicas);
    const rollLatencies = clock.latencies('nginx:1.28', rollStart);

    const perSecond = (ms: number) => replicas / (ms / 1000);
    const ratio = (ms: number) => `${(perSecond(ms) / baseline).toFixed(2)}× the raw create rate`;
    const pXX = (l: number[]) =>
      `${percentile(l, 50).toFixed(0)} ms / ${percentile(l, 99).toFixed(0)} ms`;
    return [
      [
        `Deployment 0 → ${replicas}: all Running + Ready, Deployment Available`,
        `${(scaleMs / 1000).toFixed(1)} s`,
      ],
      [`  pods/s (scale-up)`, `${perSecond(scaleMs).toFixed(1)} (${ratio(scaleMs)})`],
      [`  pod seen → Ready p50 / p99 (scale-up)`, pXX(scaleLatencies)],
      ...scaleStages,
      ...scaleCosts,
      [
        `rolling update of ${replicas} (25% / 25%) to completion`,
        `${(rollMs / 1000).toFixed(1)} s`,
      ],
      [`  pods replaced/s (rolling update)`, `${perSecond(rollMs).toFixed(1)} (${ratio(rollMs)})`],
      [`  pod seen → Ready p50 / p99 (rolling update)`, pXX(rollLatencies)],
      ...rollCosts,
    ];
  } finally {
    await informers.stop();
    await rest.delete(PATH).catch(() => undefined);
  }
}
