import {
  NimbusCloudProvider,
  type CloudProvider,
  type InstanceMetadata,
  type InstancesV2,
  type ProviderNode,
} from '@app/cloud-provider';

type MetadataOverride = (real: InstanceMetadata) => InstanceMetadata;

/**
 * The real Nimbus provider with per-node test overrides for what the fake cloud cannot express
 * (yet): an empty providerID, AdditionalLabels, changed addresses, failing calls. Everything not
 * overridden goes to the cloud API.
 */
export class OverridableCloud implements CloudProvider {
  readonly metadata = new Map<string, MetadataOverride>();
  /** Node name → error thrown by instanceExists / instanceShutdown / instanceMetadata. */
  readonly failures = new Map<string, Error>();
  /** Node names whose instances were asked about (instanceExists/instanceShutdown). */
  readonly lifecycleCalls: string[] = [];
  /** Node names whose metadata was asked for, in order (each initialisation attempt asks once). */
  readonly metadataCalls: string[] = [];
  private readonly instances: InstancesV2;

  constructor(readonly real: NimbusCloudProvider) {
    const inner = real.instancesV2();
    const name = (node: ProviderNode) => node.metadata?.name ?? '';
    const fail = (node: ProviderNode) => {
      const error = this.failures.get(name(node));
      if (error) {
        throw error;
      }
    };
    this.instances = {
      instanceExists: async (node) => {
        this.lifecycleCalls.push(name(node));
        fail(node);
        return inner.instanceExists(node);
      },
      instanceShutdown: async (node) => {
        this.lifecycleCalls.push(name(node));
        fail(node);
        return inner.instanceShutdown(node);
      },
      instanceMetadata: async (node) => {
        this.metadataCalls.push(name(node));
        fail(node);
        const real = await inner.instanceMetadata(node);
        const override = this.metadata.get(name(node));
        return override ? override(real) : real;
      },
    };
  }

  static create(cloudUrl: string, token: string, clusterName = 'kubernetes'): OverridableCloud {
    return new OverridableCloud(
      NimbusCloudProvider.create({ baseUrl: cloudUrl, token }, { clusterName }),
    );
  }

  providerName() {
    return this.real.providerName();
  }
  instancesV2() {
    return this.instances;
  }
  loadBalancer() {
    return this.real.loadBalancer();
  }
  routes() {
    return this.real.routes();
  }
  zones() {
    return this.real.zones();
  }
  hasClusterID() {
    return this.real.hasClusterID();
  }
}
