import type { Clock } from '@app/common';
import { notFound } from '../errors/kube-error';
import { isPlainObject, type KubeObject } from '../object/types';
import type { ProbedSource } from '../server/probed-source';
import type { TypedStore } from '../storage/typed-store';
import { formatTime } from '../time/kube-time';
import { serviceLoads } from './service-load';
import { formatCpu, formatMemory, podUsage, type ExtraLoad } from './simulated-usage';

const keyOf = (pod: KubeObject) => `${pod.metadata.namespace}/${pod.metadata.name}`;

const API_VERSION = 'metrics.k8s.io/v1beta1';
/** metrics-server's default --metric-resolution: the window each sample covers. */
const WINDOW = '15s';

/** metrics-server reports pods whose containers run: Running pods bound to a node. */
function reported(pod: KubeObject): boolean {
  const status = isPlainObject(pod.status) ? pod.status : {};
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  return status.phase === 'Running' && typeof spec.nodeName === 'string' && spec.nodeName !== '';
}

/**
 * The resource metrics API (metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics) as metrics-server
 * serves it, computed on each GET from the simulated usage of the Running pods
 * (`simulated-usage.ts`); a node uses what its pods use. Upstream this is an aggregated API
 * (metrics-server scraping the kubelets); Nimbus's api-server answers it itself.
 */
export class ResourceMetrics {
  readonly pods: ProbedSource;
  readonly nodes: ProbedSource;

  constructor(
    private readonly podStore: TypedStore,
    private readonly nodeStore: TypedStore,
    private readonly serviceStore: TypedStore,
    private readonly clock: Clock,
  ) {
    this.pods = {
      get: (namespace, name) => {
        const pod = this.podStore.get(namespace, name)?.object;
        if (!pod || !reported(pod)) {
          throw notFound({ group: 'metrics.k8s.io', resource: 'podmetrics' }, name);
        }
        return Promise.resolve(this.podMetrics(pod, this.loads(namespace)));
      },
      list: (namespace) => {
        const loads = this.loads(namespace || undefined);
        return Promise.resolve(
          this.podStore
            .list(namespace)
            .map((s) => s.object)
            .filter(reported)
            .map((pod) => this.podMetrics(pod, loads)),
        );
      },
    };
    this.nodes = {
      get: (_namespace, name) => {
        const node = this.nodeStore.get('', name)?.object;
        if (!node) {
          throw notFound({ group: 'metrics.k8s.io', resource: 'nodemetrics' }, name);
        }
        return Promise.resolve(this.nodeMetrics(node, this.usageByNode()));
      },
      list: () => {
        const usage = this.usageByNode();
        return Promise.resolve(this.nodeStore.list().map((s) => this.nodeMetrics(s.object, usage)));
      },
    };
  }

  /** Each serving pod's share of its Services' simulated load (`service-load.ts`). */
  private loads(namespace?: string): Map<string, ExtraLoad> {
    return serviceLoads(this.serviceStore, this.podStore, namespace);
  }

  private podMetrics(pod: KubeObject, loads: Map<string, ExtraLoad>): KubeObject {
    const now = formatTime(this.clock.now());
    return {
      kind: 'PodMetrics',
      apiVersion: API_VERSION,
      metadata: {
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        creationTimestamp: now,
        ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
      },
      timestamp: now,
      window: WINDOW,
      containers: podUsage(pod, loads.get(keyOf(pod))).map((c) => ({
        name: c.name,
        usage: { cpu: formatCpu(c.cpuNanocores), memory: formatMemory(c.memoryBytes) },
      })),
    };
  }

  private nodeMetrics(
    node: KubeObject,
    usage: Map<string, { cpu: bigint; memory: bigint }>,
  ): KubeObject {
    const now = formatTime(this.clock.now());
    const total = usage.get(node.metadata.name ?? '') ?? { cpu: 0n, memory: 0n };
    return {
      kind: 'NodeMetrics',
      apiVersion: API_VERSION,
      metadata: {
        name: node.metadata.name,
        creationTimestamp: now,
        ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
      },
      timestamp: now,
      window: WINDOW,
      usage: { cpu: formatCpu(total.cpu), memory: formatMemory(total.memory) },
    };
  }

  /** Each node's usage: the sum over the pods running on it. */
  private usageByNode(): Map<string, { cpu: bigint; memory: bigint }> {
    const byNode = new Map<string, { cpu: bigint; memory: bigint }>();
    const loads = this.loads();
    for (const { object: pod } of this.podStore.list()) {
      if (!reported(pod)) {
        continue;
      }
      const node = (pod.spec as { nodeName: string }).nodeName;
      const sum = byNode.get(node) ?? { cpu: 0n, memory: 0n };
      for (const c of podUsage(pod, loads.get(keyOf(pod)))) {
        sum.cpu += c.cpuNanocores;
        sum.memory += c.memoryBytes;
      }
      byNode.set(node, sum);
    }
    return byNode;
  }
}
