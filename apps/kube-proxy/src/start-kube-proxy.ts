import { Registry } from 'prom-client';
import {
  AdjustableClock,
  CLUSTER_LABEL,
  hostAddressOf,
  parseGoDuration,
  type Clock,
} from '@app/common';
import { InstanceWatcher, cloudClientFromFlags, type NimbusCloudClient } from '@app/cloud-client';
import { ConfigError, type KubeProxyConfig } from '@app/config';
import {
  EventBroadcaster,
  EventType,
  SystemScheduler,
  errorMessage,
  noopLogger,
  shutdownBroadcasters,
  startHealthServer,
  type EventRecorder,
  type HealthServer,
  type Logger,
} from '@app/controller-runtime';
import { canonicalSchedulerName, createDataPlane, type DataPlaneHandle } from '@app/dataplane';
import {
  KubeEventSink,
  KubeRest,
  SharedInformers,
  kubeConfigFor,
  kubernetesUserAgent,
  withUserAgent,
  type EndpointSliceObject,
  type KubeConfig,
  type NodeObject,
} from '@app/kube-client';
import { NodeProxy } from './node-proxy';
import { Proxier } from './proxy/proxier';
import { ProxierMetrics } from './proxy/proxier-metrics';

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
  /** `http://host:port` of /metrics (absent when off). */
  metricsUrl(): string | undefined;
  /** The data plane of every Service port (its status and stats, for tests and benches). */
  readonly dataPlane: DataPlaneHandle;
  /** Resolves once every Service/EndpointSlice change seen so far is programmed. */
  flush(): Promise<void>;
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

/** `host:port` → [host, port] (`--metrics-bind-address`). */
function splitHostPort(text: string): [string, number] {
  const at = text.lastIndexOf(':');
  return [text.slice(0, at).replace(/^\[|\]$/g, ''), Number(text.slice(at + 1))];
}

/**
 * Starts the simulated kube-proxies (`nimbus proxy`): one per node of the cluster whose cloud
 * instance is running and that has an InternalIP, each serving kube-proxy's `/healthz` and
 * `/livez` on its own address (cluster-simulation.md §5.2), its NodePorts and its
 * healthCheckNodePorts; the ClusterIPs once for all. Forwarding runs in user space on
 * libs/dataplane (Proxier), fed by Service and EndpointSlice informers.
 */
export async function startKubeProxy(
  config: KubeProxyConfig,
  deps: KubeProxyDeps = {},
): Promise<RunningKubeProxy> {
  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? new AdjustableClock();
  const scheduler = new SystemScheduler(clock);
  let port = healthzPortOf(config.healthzBindAddress);
  // client-go's User-Agent, whose product the api-server records as the manager of our writes.
  const kc = withUserAgent(
    deps.kubeConfig ?? kubeConfigFor(config.kubeconfig),
    kubernetesUserAgent('kube-proxy'),
  );
  const rest = new KubeRest(kc);
  const cloud =
    deps.cloud ?? cloudClientFromFlags(config, { clock, userAgent: 'nimbus-kube-proxy/dev' });
  const informers = new SharedInformers(kc, rest, {
    scheduler,
    onError: (resource, err) =>
      logger.warn({ resource, err: errorMessage(err) }, 'informer failed, restarting'),
  });
  const nodes = informers.nodes();
  const services = informers.services();
  const slices = informers.informer<EndpointSliceObject>(
    '/apis/discovery.k8s.io/v1/endpointslices',
  );
  const registry = new Registry();
  const plane = createDataPlane({
    clock,
    thread: config.dataPlaneThread,
    onThreadRestart: (err) =>
      logger.error({ err: errorMessage(err) }, 'data plane thread restarted, proxies reopened'),
  });
  const broadcaster = new EventBroadcaster({ sink: new KubeEventSink(kc), scheduler, logger });
  const recorders = new Map<string, EventRecorder>();
  const monotonicStart = performance.now();
  const proxies = new Map<string, NodeProxy>();
  /** Running machines of the cluster, by node name (instance hostname). */
  const running = new Set<string>();
  let closed = false;
  let binding = Promise.resolve();
  const proxier = new Proxier({
    services,
    slices,
    nodes: () => [...proxies.values()],
    plane,
    scheduler: canonicalSchedulerName(config.ipvsScheduler || 'rr') ?? 'rr',
    metrics: new ProxierMetrics(registry),
    clock,
    logger,
    minSyncPeriodMs: parseGoDuration(config.minSyncPeriod),
    syncPeriodMs: parseGoDuration(config.syncPeriod),
  });

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
        proxier.nodesChanged();
      }
      return;
    }
    if (current && current.address === hostAddressOf(ip)) {
      if (current.syncNode(node)) {
        proxier.nodesChanged(); // pod CIDRs: where internalTrafficPolicy Local clients come from
      }
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
    proxier.nodesChanged();
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
  services.addEventHandler({
    onAdd: () => proxier.serviceChanged(),
    onUpdate: () => proxier.serviceChanged(),
    onDelete: () => proxier.serviceChanged(),
  });
  slices.addEventHandler({
    onAdd: (s: EndpointSliceObject) => proxier.endpointsChanged(s),
    onUpdate: (_old, s: EndpointSliceObject) => proxier.endpointsChanged(s),
    onDelete: (s) => proxier.endpointsChanged('obj' in s ? s.obj : s),
  });
  let metricsServer: HealthServer | undefined;
  if (config.metricsBindAddress) {
    const [host, metricsPort] = splitHostPort(config.metricsBindAddress);
    metricsServer = await startHealthServer(host, metricsPort, registry, () => []);
  }
  await informers.start();
  await informers.waitForCacheSync();
  await watcher.start();
  await proxier.start();

  return {
    proxies: () => [...proxies.values()],
    healthzUrl: (name) => proxies.get(name)?.healthzUrl,
    healthzPort: () => (port === 0 ? undefined : port),
    metricsUrl: () => metricsServer?.url,
    dataPlane: plane,
    flush: () => proxier.flush(),
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      await watcher.stop();
      await binding;
      await informers.stop();
      await proxier.close();
      await plane.close();
      await Promise.all([...proxies.values()].map((p) => p.stop()));
      proxies.clear();
      await metricsServer?.close();
      await shutdownBroadcasters([broadcaster]);
    },
  };
}
