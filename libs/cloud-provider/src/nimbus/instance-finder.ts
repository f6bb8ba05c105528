import type { InstanceDto } from '@app/cloud-contracts';
import { NotFoundError, type NimbusCloudClient } from '@app/cloud-client';
import { CloudProviderError } from '../api/errors';
import type { NodeAddress, ProviderNode } from '../api/types';
import { parseProviderID } from './provider-id';

/** Instances that are gone for Kubernetes: terminated (still listed for a while) or unknown. */
export const isGone = (instance: InstanceDto): boolean => instance.state === 'terminated';

/**
 * Finds the instance behind a Node: by `spec.providerID` when set (one GET), otherwise by the
 * node name (the instance name/hostname), then by the node's InternalIP addresses. Answers
 * undefined when the instance is gone (unknown or terminated).
 */
export class InstanceFinder {
  private project?: Promise<string>;

  constructor(private readonly client: NimbusCloudClient) {}

  async forNode(node: ProviderNode): Promise<InstanceDto | undefined> {
    const providerID = node.spec?.providerID ?? '';
    if (providerID !== '') {
      return this.byProviderID(providerID);
    }
    return this.byNameOrAddresses(node.metadata?.name ?? '', node.status?.addresses ?? []);
  }

  async byProviderID(providerID: string): Promise<InstanceDto | undefined> {
    const parsed = parseProviderID(providerID);
    try {
      const instance = await this.client.instances.get(parsed.instanceId);
      return isGone(instance) ? undefined : instance;
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        throw error;
      }
      // Another project's instance also answers 404: refuse to call it gone (the node would be
      // deleted) when the token is for a different project than the provider ID.
      const project = await this.projectId();
      if (parsed.project !== undefined && parsed.project !== project) {
        throw new CloudProviderError(
          `providerID "${providerID}" belongs to project "${parsed.project}", but the cloud token is for project "${project}"`,
        );
      }
      return undefined;
    }
  }

  async byNameOrAddresses(
    name: string,
    addresses: NodeAddress[] = [],
  ): Promise<InstanceDto | undefined> {
    if (name !== '') {
      const found = (await this.client.instances.findByName(name)).filter((i) => !isGone(i));
      if (found.length > 0) {
        return found[0];
      }
    }
    for (const address of addresses) {
      if (address.type === 'InternalIP') {
        const found = await this.client.instances.findByPrivateIp(address.address);
        const live = found.filter((i) => !isGone(i));
        if (live.length > 0) {
          return live[0];
        }
      }
    }
    return undefined;
  }

  /** The project of the token (the default network's), fetched once. */
  private projectId(): Promise<string> {
    this.project ??= this.client.networks.getDefault().then(
      (n) => n.projectId,
      (error: unknown) => {
        this.project = undefined;
        throw error;
      },
    );
    return this.project;
  }
}
