import { KubeRest, loadKubeConfig, type NodeObject } from '@app/kube-client';

export interface NodeReadiness {
  name: string;
  zone?: string;
  internalIp?: string;
  podCidr?: string;
}

/** Ready, initialised by the CCM (taint gone, addresses set) and given a pod CIDR. */
export function nodeIsUp(node: NodeObject): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const tainted = (node.spec?.taints ?? []).some(
    (t) => t.key === 'node.cloudprovider.kubernetes.io/uninitialized',
  );
  const addressed = (node.status?.addresses ?? []).some((a) => a.type === 'InternalIP');
  return ready && !tainted && addressed && !!node.spec?.podCIDR;
}

/**
 * Waits (polling the api-server) until the named nodes are Ready and initialised, telling
 * `onUp` about each as it gets there. Resolves with the names still not up at `timeoutMs`.
 */
export async function waitForNodes(
  kubeconfigPath: string,
  names: readonly string[],
  onUp: (node: NodeReadiness) => void,
  timeoutMs: number,
): Promise<string[]> {
  const rest = new KubeRest(loadKubeConfig(kubeconfigPath));
  const pending = new Set(names);
  const deadline = performance.now() + timeoutMs;
  while (pending.size > 0 && performance.now() < deadline) {
    const list = await rest
      .get<{ items: NodeObject[] }>('/api/v1/nodes')
      .catch(() => ({ items: [] }));
    for (const node of list.items) {
      const name = node.metadata?.name ?? '';
      if (pending.has(name) && nodeIsUp(node)) {
        pending.delete(name);
        onUp({
          name,
          zone: node.metadata?.labels?.['topology.kubernetes.io/zone'],
          internalIp: node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
          podCidr: node.spec?.podCIDR,
        });
      }
    }
    if (pending.size > 0) {
      await new Promise((r) => setTimeout(r, 100).unref());
    }
  }
  return [...pending];
}
