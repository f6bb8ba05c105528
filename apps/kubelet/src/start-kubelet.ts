import { AdjustableClock, CLUSTER_LABEL, type Clock } from '@app/common';
import { InstanceWatcher, cloudClientFromFlags, type NimbusCloudClient } from '@app/cloud-client';
import type { InstanceDto } from '@app/cloud-contracts';
import type { KubeletConfig } from '@app/config';
import {
  ClockScheduler,
  EventBroadcaster,
  Indexer,
  SystemScheduler,
  errorMessage,
  noopLogger,
  shutdownBroadcasters,
  type Logger,
} from '@app/controller-runtime';
import {
  KubeRest,
  RestEventSink,
  SharedInformers,
  kubeConfigFor,
  kubernetesUserAgent,
  withUserAgent,
  type KubeConfig,
  type EndpointSliceObject,
  type PodObject,
} from '@app/kube-client';
import { TargetedPorts } from './pods/targeted-ports';
import { NodeFleet } from './fleet/node-fleet';
import { NodeCredentials } from './node-credentials';
import type { HollowNode } from './node/hollow-node';
import { PodStatusWriter } from './pods/pod-status-writer';
import { settingsOf } from './settings';
import { KubeletVolumeManager } from './volumes/volume-manager';

export interface KubeletDeps {
  /** The cluster clock (`nimbus up` shares the cloud's); default the wall clock. */
  clock?: Clock;
  logger?: Logger;
  /** Replaces the kubeconfig from `--kubeconfig` / in-cluster. */
  kubeConfig?: KubeConfig;
  /** Replaces the cloud client built from `--cloud-url` / `--cloud-token`. */
  cloud?: NimbusCloudClient;
}

export interface RunningKubelet {
  /** The simulated kubelets currently up (one per running instance). */
  nodes(): HollowNode[];
  /** Stops every simulated kubelet (no further writes) and the watches. */
  close(): Promise<void>;
}

/**
 * Starts the simulated kubelets of a cluster (`nimbus kubelet`): one "hollow node" per running
 * cloud instance labelled `nimbus.dev/cluster=<cluster-name>`, found through the cloud API (a list,
 * then its change stream), sharing one Node and one Pod informer, one status writer and a few
 * event writers (docs/cluster.md).
 */
export async function startKubelet(
  config: KubeletConfig,
  deps: KubeletDeps = {},
): Promise<RunningKubelet> {
  const settings = settingsOf(config);
  const logger = deps.logger ?? noopLogger;
  const clock = deps.clock ?? new AdjustableClock();
  const scheduler = new SystemScheduler(clock);
  const clockScheduler = new ClockScheduler(clock);
  const cloud =
    deps.cloud ?? cloudClientFromFlags(config, { clock, userAgent: 'nimbus-kubelet/dev' });
  // client-go's User-Agent, whose product the api-server records as the manager of our writes.
  const kc = withUserAgent(
    deps.kubeConfig ?? kubeConfigFor(config.kubeconfig),
    kubernetesUserAgent('kubelet'),
  );
  const rest = new KubeRest(kc);
  // Each node writes as itself when the process holds the node-token key; the kubeconfig's user
  // (system:nimbus-kubelet under `nimbus up`) only lists and watches for the shared informers.
  const credentials = new NodeCredentials(rest, config.nodeTokenKeyFile);
  const restFor = (nodeName: string | undefined) => credentials.restFor(nodeName);
  const informers = new SharedInformers(kc, rest, {
    scheduler,
    onError: (resource, err) =>
      logger.warn({ resource, err: errorMessage(err) }, 'informer failed, restarting'),
  });
  const nodes = informers.nodes();
  const pods = informers.pods({ fieldSelector: 'spec.nodeName!=' });
  const podsByNode = new Indexer<PodObject>(pods, (pod) =>
    pod.spec?.nodeName ? [pod.spec.nodeName] : [],
  );
  const slices = informers.informer<EndpointSliceObject>(
    '/apis/discovery.k8s.io/v1/endpointslices',
  );
  // Its events arrive once the informers start, after the fleet below exists.
  const targeted = new TargetedPorts(slices, (uids) => fleet.resyncPods(uids));
  const sink = new RestEventSink((event) => restFor(event.source.host));
  const instanceTypes = new Map(
    (await cloud.catalog.instanceTypes()).map((t) => [t.name, t] as const),
  );
  // Pods with claims wait for them to be bound and attached (the kubelet's volume manager).
  const volumes: KubeletVolumeManager = new KubeletVolumeManager({
    restFor,
    informers,
    nodes: (): HollowNode[] => fleet.running(),
    logger,
  });
  const fleet: NodeFleet = new NodeFleet({
    restFor,
    settings,
    nodes,
    pods,
    podsByNode,
    instanceTypes,
    newBroadcaster: () => new EventBroadcaster({ sink, scheduler, logger }),
    writer: new PodStatusWriter(restFor, logger),
    volumes,
    scheduler: clockScheduler,
    logger,
    targetedPorts: (uid) => targeted.portsOf(uid),
  });
  await informers.start();
  const stopSync = new AbortController();
  if (!(await informers.waitForCacheSync(stopSync.signal))) {
    throw new Error('kubelet: informer caches did not sync');
  }
  const watcher = new InstanceWatcher({
    client: cloud,
    labels: { [CLUSTER_LABEL]: settings.clusterName },
    onUpsert: (instance: InstanceDto) => fleet.instanceChanged(instance),
    onRemove: (instance: InstanceDto) => fleet.instanceRemoved(instance),
    onError: (err) => logger.warn({ err: errorMessage(err) }, 'cloud instance watch failed'),
  });
  try {
    await watcher.start();
  } catch (err) {
    await informers.stop();
    throw err;
  }
  logger.info(
    {
      cluster: settings.clusterName,
      instances: watcher.list().length,
      identities: credentials.perNode ? 'per node' : 'shared',
    },
    'simulated kubelets started',
  );

  let closed: Promise<void> | undefined;
  return {
    nodes: (): HollowNode[] => fleet.running(),
    close: () =>
      (closed ??= (async () => {
        stopSync.abort();
        await watcher.stop();
        await fleet.stop();
        await informers.stop();
        await shutdownBroadcasters(fleet.eventBroadcasters());
      })()),
  };
}
