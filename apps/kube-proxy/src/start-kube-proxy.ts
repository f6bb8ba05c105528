import { AdjustableClock, CLUSTER_LABEL, hostAddressOf, type Clock } from '@app/common';
import { InstanceWatcher, cloudClientFromFlags, type NimbusCloudClient } from '@app/cloud-client';
import { ConfigError, type KubeProxyConfig } from '@app/config';
import {
  EventBroadcaster,
  EventType,
  SystemScheduler,
  errorMessage,
  noopLogger,
  shutdownBroadcasters,
  type EventRecorder,
  type Logger,
} from '@app/controller-runtime';
import {
  KubeEventSink,
  KubeRest,
  SharedInformers,
  kubeConfigFor,
  type KubeConfig,
  type NodeObject,
} from '@app/kube-client';
import { NodeProxy } from './node-proxy';

export interface KubeProxyDeps {
  /** The cluster clock (`nimbus up` shares the cloud's); default the wall clock. */
  clock?: Clock;
  logger?: Logger;
  kubeConfig?: KubeConfig;
  cloud?: NimbusCloudClient;
}

export interface RunningKubeProxy {
  /** The per-node proxies currently serving. */
  proxies(): NodeProxy[];
  /** `http://<node address>:<port>` of a node's /healthz server, once it listens. */
  healthzUrl(nodeName: string): string | undefined;
  /** The health port in use (the configured one, or the one picked for port 0). */
  healthzPort(): number | undefined;
  close(): Promise<void>;
}

/** The port of `--healthz-bind-address` (`0.0.0.0:10256` → 10256). */
export function healthzPortOf(bindAddress: string): number {
  const port = Number(bindAddress.slice(bindAddress.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--healthz-bind-address: "${bindAddress}" has no valid port`);
  }
  return port;
}

/**
 * Starts the simulated kube-proxies (`nimbus proxy`): one per node of the cluster whose cloud
 * instance is running and that has an InternalIP, each serving kube-proxy's `/healthz` and
 * `/livez` on its own address (cluster-simulation.md §5.2). Traffic forwarding comes later
 * (NodePorts, healthCheckNodePorts): see NodeProxy.
 */
export async function startKubeProxy(
  config: KubeProxyConfig,
  deps: KubeProxyDeps = {},
): Promise<RunningKubeProxy> {
  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? new AdjustableClock();
  const scheduler = new SystemScheduler(clock);
  let port = healthzPortOf(config.healthzBindAddress);
  const kc = deps.kubeConfig ?? kubeConfigFor(config.kubeconfig);
  const rest = new KubeRest(kc);
  const cloud =
    deps.cloud ?? cloudClientFromFlags(config, { clock, userAgent: 'nimbus-kube-proxy/dev' });
  const informers = new SharedInformers(kc, rest, {
    scheduler,
    onError: (resource, err) =>
      logger.warn({ resource, err: errorMessage(err) }, 'informer failed, restarting'),
  });
  const nodes = informers.nodes();
  const broadcaster = new EventBroadcaster({ sink: new KubeEventSink(kc), scheduler, logger });
  const recorders = new Map<string, EventRecorder>();
  const monotonicStart = performance.now();
  const proxies = new Map<string, NodeProxy>();
  /** Running machines of the cluster, by node name (instance hostname). */
  const running = new Set<string>();
  let closed = false;
  let binding = Promise.resolve();

  const reconcile = (name: string) => {
    if (closed) {
      return;
    }
    const node = nodes.get(name);
    const ip = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const current = proxies.get(name);
    if (!running.has(name) || !node || !ip) {
      if (current) {
        proxies.delete(name);
        void current.stop();
      }
      return;
    }
    if (current && current.address === hostAddressOf(ip)) {
      current.syncNode(node);
      return;
    }
    if (current) {
      void current.stop();
    }
    let proxy: NodeProxy;
    try {
      proxy = new NodeProxy({
        nodeName: name,
        nodeIp: ip,
        clock,
        logger,
        monotonicSeconds: () => (performance.now() - monotonicStart) / 1000,
      });
    } catch (err) {
      logger.warn({ node: name, err: errorMessage(err) }, 'cannot serve this node');
      return;
    }
    proxy.syncNode(node);
    proxies.set(name, proxy);
    // One at a time, so with port 0 the first server's pick is the port of all of them.
    binding = binding.then(async () => {
      await proxy.start(port);
      if (port === 0 && proxy.port !== undefined) {
        port = proxy.port;
      }
    });
    let recorder = recorders.get(name);
    if (!recorder) {
      recorder = broadcaster.newRecorder({ component: 'kube-proxy', host: name });
      recorders.set(name, recorder);
    }
    recorder.event({ kind: 'Node', name, uid: name }, EventType.Normal, 'Starting', '');
  };

  nodes.addEventHandler({
    onAdd: (node: NodeObject) => reconcile(node.metadata?.name ?? ''),
    onUpdate: (_old, node: NodeObject) => reconcile(node.metadata?.name ?? ''),
    onDelete: (node) => reconcile(('obj' in node ? node.obj : node).metadata?.name ?? ''),
  });
  const watcher = new InstanceWatcher({
    client: cloud,
    labels: { [CLUSTER_LABEL]: config.clusterName },
    onUpsert: (instance) => {
      const name = (instance.hostname || instance.name).toLowerCase();
      if (instance.state === 'running') {
        running.add(name);
      } else {
        running.delete(name);
      }
      reconcile(name);
    },
    onRemove: (instance) => {
      const name = (instance.hostname || instance.name).toLowerCase();
      running.delete(name);
      reconcile(name);
    },
    onError: (err) => logger.warn({ err: errorMessage(err) }, 'cloud instance watch failed'),
  });
  await informers.start();
  await informers.waitForCacheSync();
  await watcher.start();

  return {
    proxies: () => [...proxies.values()],
    healthzUrl: (name) => proxies.get(name)?.healthzUrl,
    healthzPort: () => (port === 0 ? undefined : port),
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      await watcher.stop();
      await binding;
      await informers.stop();
      await Promise.all([...proxies.values()].map((p) => p.stop()));
      proxies.clear();
      await shutdownBroadcasters([broadcaster]);
    },
  };
}
