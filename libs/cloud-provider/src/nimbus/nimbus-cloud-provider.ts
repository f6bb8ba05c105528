import { NimbusCloudClient, type CloudClientOptions } from '@app/cloud-client';
import type {
  CloudProvider,
  InstancesV2,
  LoadBalancer,
  Routes,
  Zones,
} from '../api/cloud-provider';
import type { NodeAdoption } from '../api/node-adoption';
import type { Volumes } from '../api/volumes';
import { InstanceFinder, nodeInstanceOf } from './instance-finder';
import { NimbusInstances } from './instances';
import { DEFAULT_KUBE_PROXY_HEALTHZ_PORT } from './load-balancer-spec';
import { NimbusLoadBalancers } from './load-balancers';
import { SILENT_LOGGER, type NimbusCloudProviderOptions } from './options';
import { NIMBUS_PROVIDER_NAME } from './provider-id';
import { NimbusRoutes } from './routes';
import { NimbusVolumes } from './volumes/nimbus-volumes';

export const DEFAULT_LOAD_BALANCER_RETRY_AFTER_MS = 3000;

/** The Nimbus cloud provider: InstancesV2, LoadBalancer, Routes, Volumes (and Zones) over the cloud API. */
export class NimbusCloudProvider implements CloudProvider {
  private readonly instances: NimbusInstances;
  private readonly loadBalancers: NimbusLoadBalancers;
  private readonly routeTable: NimbusRoutes;
  private readonly adoption: NodeAdoption;
  private readonly volumeService: NimbusVolumes;

  constructor(private readonly options: NimbusCloudProviderOptions) {
    const finder = new InstanceFinder(options.client, options.adoption);
    this.adoption = {
      adopting: finder.adopting,
      findInstance: async (node) => {
        const instance = await finder.forNode(node, false);
        return instance && nodeInstanceOf(instance);
      },
      ensureInstance: async (node) => {
        const instance = await finder.forNode(node, true);
        return instance && nodeInstanceOf(instance);
      },
    };
    this.instances = new NimbusInstances(finder);
    this.loadBalancers = new NimbusLoadBalancers(options.client, finder, {
      region: options.region,
      retryAfterMs: options.loadBalancerRetryAfterMs ?? DEFAULT_LOAD_BALANCER_RETRY_AFTER_MS,
      ipMode: options.ipMode ?? 'VIP',
      kubeProxyHealthzPort: () => {
        const port = options.kubeProxyHealthzPort;
        return (typeof port === 'function' ? port() : port) ?? DEFAULT_KUBE_PROXY_HEALTHZ_PORT;
      },
      logger: options.logger ?? SILENT_LOGGER,
    });
    this.routeTable = new NimbusRoutes(options.client, finder, options.routeNetwork);
    this.volumeService = new NimbusVolumes(options.client, {
      clusterName: options.clusterName,
      defaultZone: options.defaultVolumeZone,
      findInstance: (node) => finder.forNode(node, false),
    });
  }

  /** Builds the client too: `createNimbusCloudProvider({baseUrl, token, version}, {clusterName})`. */
  static create(
    client: CloudClientOptions,
    options: Omit<NimbusCloudProviderOptions, 'client'> = {},
  ): NimbusCloudProvider {
    return new NimbusCloudProvider({ ...options, client: new NimbusCloudClient(client) });
  }

  get client(): NimbusCloudClient {
    return this.options.client;
  }

  providerName(): string {
    return NIMBUS_PROVIDER_NAME;
  }

  instancesV2(): InstancesV2 {
    return this.instances;
  }

  loadBalancer(): LoadBalancer {
    return this.loadBalancers;
  }

  routes(): Routes {
    return this.routeTable;
  }

  /** Block volumes for the CSI-style volume controllers (driver `disk.csi.nimbus.dev`). */
  volumes(): Volumes {
    return this.volumeService;
  }

  /** Supported for completeness; controllers never call it because InstancesV2 is. */
  zones(): Zones {
    return this.instances;
  }

  hasClusterID(): boolean {
    return (this.options.clusterName ?? '') !== '';
  }

  /** Nimbus extension: the instances behind nodes, importing them under `options.adoption`. */
  nodeAdoption(): NodeAdoption {
    return this.adoption;
  }
}
