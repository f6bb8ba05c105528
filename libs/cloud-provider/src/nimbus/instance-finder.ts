import type { InstanceDto } from '@app/cloud-contracts';
import { AlreadyExistsError, NotFoundError, type NimbusCloudClient } from '@app/cloud-client';
import { CloudProviderError } from '../api/errors';
import {
  NodeAdoptionError,
  type NodeAdoptionPolicy,
  type NodeInstance,
} from '../api/node-adoption';
import type { NodeAddress, ProviderNode } from '../api/types';
import { isNimbusProviderID, parseProviderID } from './provider-id';

/** Instances that are gone for Kubernetes: terminated (still listed for a while) or unknown. */
export const isGone = (instance: InstanceDto): boolean => instance.state === 'terminated';

/**
 * Finds the instance behind a Node: by `spec.providerID` when it is a Nimbus one (one GET),
 * otherwise — no providerID, or another provider's such as kind's `kind://…` — by the node name
 * (the instance name/hostname), then by the node's InternalIP addresses. Answers undefined when the
 * instance is gone (unknown or terminated). With an adoption policy, a node without a Nimbus
 * providerID and without an instance is imported first (one import per node at a time).
 */
export class InstanceFinder {
  private project?: Promise<string>;
  private readonly imports = new Map<string, Promise<InstanceDto | undefined>>();

  constructor(
    private readonly client: NimbusCloudClient,
    private readonly adoption?: NodeAdoptionPolicy,
  ) {}

  get adopting(): boolean {
    return this.adoption !== undefined;
  }

  /** The instance behind the node; adopts it (when a policy is set) unless `adopt` is false. */
  async forNode(node: ProviderNode, adopt = true): Promise<InstanceDto | undefined> {
    const providerID = node.spec?.providerID ?? '';
    if (isNimbusProviderID(providerID)) {
      return this.byProviderID(providerID);
    }
    const found = await this.byNameOrAddresses(
      node.metadata?.name ?? '',
      node.status?.addresses ?? [],
    );
    if (found || !adopt || !this.adoption) {
      return found;
    }
    return this.adopt(node, this.adoption);
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

  /**
   * Imports the node when the policy wants it (deduplicated per node name); a lost race to the
   * same name finds the winner.
   */
  private adopt(node: ProviderNode, policy: NodeAdoptionPolicy): Promise<InstanceDto | undefined> {
    const name = node.metadata?.name ?? '';
    let pending = this.imports.get(name);
    if (!pending) {
      pending = (async () => {
        let request;
        try {
          request = policy.importRequest(node);
        } catch (error) {
          throw new NodeAdoptionError(`cannot adopt node ${name}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        if (!request) {
          return undefined;
        }
        try {
          const { instance } = await this.client.instances.import(request);
          policy.onImported?.(node, nodeInstanceOf(instance));
          return instance;
        } catch (error) {
          const winner =
            error instanceof AlreadyExistsError
              ? await this.byNameOrAddresses(request.name)
              : undefined;
          if (winner) {
            return winner;
          }
          throw new NodeAdoptionError(
            `cannot adopt node ${name}: importing it failed: ${(error as Error).message}`,
            { cause: error },
          );
        }
      })().finally(() => this.imports.delete(name));
      this.imports.set(name, pending);
    }
    return pending;
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

export function nodeInstanceOf(instance: InstanceDto): NodeInstance {
  return {
    id: instance.id,
    name: instance.name,
    providerID: instance.providerId,
    imported: instance.imported,
    state: instance.state,
    privateIp: instance.privateIp,
    zone: instance.zone,
    instanceType: instance.instanceType,
  };
}
