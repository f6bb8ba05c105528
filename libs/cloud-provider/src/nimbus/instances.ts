import type { InstanceDto, InstanceState } from '@app/cloud-contracts';
import type { InstancesV2, Zones } from '../api/cloud-provider';
import { InstanceNotFoundError, NotImplementedError } from '../api/errors';
import type { InstanceMetadata, NodeAddress, ProviderNode, Zone } from '../api/types';
import type { InstanceFinder } from './instance-finder';

/**
 * States in which a node counts as shut down (taint `node.cloudprovider.kubernetes.io/shutdown`).
 * `shutting-down` is included, as AWS and GCE providers treat instances on their way out: the
 * instance still exists (the Node is kept) but will not run pods again.
 */
export const SHUTDOWN_STATES: ReadonlySet<InstanceState> = new Set<InstanceState>([
  'stopping',
  'stopped',
  'shutting-down',
]);

export function nodeAddresses(instance: InstanceDto): NodeAddress[] {
  const addresses: NodeAddress[] = [{ type: 'InternalIP', address: instance.privateIp }];
  if (instance.publicIp) {
    addresses.push({ type: 'ExternalIP', address: instance.publicIp });
  }
  if (instance.privateDnsName) {
    addresses.push({ type: 'InternalDNS', address: instance.privateDnsName });
  }
  if (instance.hostname) {
    addresses.push({ type: 'Hostname', address: instance.hostname });
  }
  return addresses;
}

export function instanceMetadataOf(instance: InstanceDto): InstanceMetadata {
  return {
    providerID: instance.providerId,
    instanceType: instance.instanceType,
    nodeAddresses: nodeAddresses(instance),
    zone: instance.zone,
    region: instance.region,
    additionalLabels: {},
  };
}

const nodeName = (node: ProviderNode): string => node.metadata?.name ?? '';

/** InstancesV2 (and the deprecated Zones) over the Nimbus instances API. */
export class NimbusInstances implements InstancesV2, Zones {
  constructor(private readonly finder: InstanceFinder) {}

  async instanceExists(node: ProviderNode): Promise<boolean> {
    return (await this.finder.forNode(node)) !== undefined;
  }

  async instanceShutdown(node: ProviderNode): Promise<boolean> {
    return SHUTDOWN_STATES.has((await this.require(node)).state);
  }

  async instanceMetadata(node: ProviderNode): Promise<InstanceMetadata> {
    return instanceMetadataOf(await this.require(node));
  }

  getZone(): Promise<Zone> {
    return Promise.reject(
      new NotImplementedError('GetZone: the controller manager does not run on a Nimbus instance'),
    );
  }

  async getZoneByProviderID(providerID: string): Promise<Zone> {
    const instance = await this.finder.byProviderID(providerID);
    if (!instance) {
      throw new InstanceNotFoundError(`instance not found: no instance for ${providerID}`);
    }
    return { failureDomain: instance.zone, region: instance.region };
  }

  async getZoneByNodeName(name: string): Promise<Zone> {
    const instance = await this.finder.byNameOrAddresses(name);
    if (!instance) {
      throw new InstanceNotFoundError(`instance not found: no instance named ${name}`);
    }
    return { failureDomain: instance.zone, region: instance.region };
  }

  private async require(node: ProviderNode): Promise<InstanceDto> {
    const instance = await this.finder.forNode(node);
    if (!instance) {
      const by = node.spec?.providerID ? `providerID ${node.spec.providerID}` : 'name or address';
      throw new InstanceNotFoundError(
        `instance not found: no live instance for node ${nodeName(node)} (by ${by})`,
      );
    }
    return instance;
  }
}
