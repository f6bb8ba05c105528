import type {
  InstanceMetadata,
  InstancesV2,
  NodeAdoption,
  ProviderNode,
} from '@app/cloud-provider';
import { foreignProvider } from './import-request';

/**
 * InstancesV2 as the lifecycle controller should see adopted nodes — nodes with another
 * provider's providerID (kind's `kind://…`) or with an imported instance. Nimbus does not run
 * their machines, so a NotReady adopted node is best explained as a stopped machine: by default
 * it exists and is shut down (taint `node.cloudprovider.kubernetes.io/shutdown`), and a node of
 * another provider is never deleted. `--delete-adopted-nodes` restores the cloud's own answers
 * (NotReady + instance gone → the Node is deleted), for tests of that path.
 *
 * `instanceExists`/`instanceShutdown` are only called for NotReady nodes (ccm-behaviour §5).
 */
export class AdoptionAwareInstances implements InstancesV2 {
  constructor(
    private readonly inner: InstancesV2,
    private readonly adoption: NodeAdoption | undefined,
    private readonly deleteAdoptedNodes: boolean,
  ) {}

  instanceMetadata(node: ProviderNode): Promise<InstanceMetadata> {
    return this.inner.instanceMetadata(node);
  }

  async instanceExists(node: ProviderNode): Promise<boolean> {
    if (!this.deleteAdoptedNodes && foreignProvider(node) !== undefined) {
      return true;
    }
    return this.inner.instanceExists(node);
  }

  async instanceShutdown(node: ProviderNode): Promise<boolean> {
    if (!this.deleteAdoptedNodes) {
      if (foreignProvider(node) !== undefined) {
        return true;
      }
      if ((await this.adoption?.findInstance(node))?.imported) {
        return true;
      }
    }
    return this.inner.instanceShutdown(node);
  }
}
