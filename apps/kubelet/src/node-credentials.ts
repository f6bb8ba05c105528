import { loadNodeTokenKey, nodeToken } from '@app/common';
import type { KubeRest } from '@app/kube-client';

/**
 * Which client a simulated node's requests go through. With the api-server's node-token key each
 * node gets its own token (`system:node:<name>`, group `system:nodes`), so the Node authorizer and
 * NodeRestriction judge it as they would a real kubelet; the process-wide client (the kubeconfig's
 * user) then only fills the shared informers. Without a key every node uses the shared client.
 */
export class NodeCredentials {
  private readonly clients = new Map<string, KubeRest>();
  private readonly key: Buffer | undefined;

  constructor(
    private readonly shared: KubeRest,
    keyFile: string | undefined,
  ) {
    this.key = keyFile === undefined ? undefined : loadNodeTokenKey(keyFile);
  }

  /** Whether nodes authenticate as themselves. */
  get perNode(): boolean {
    return this.key !== undefined;
  }

  /** The client of node `nodeName` (the shared one without a key, or for an unbound pod). */
  restFor(nodeName: string | undefined): KubeRest {
    if (!this.key || !nodeName) {
      return this.shared;
    }
    let client = this.clients.get(nodeName);
    if (!client) {
      client = this.shared.withBearerToken(nodeToken(this.key, nodeName));
      this.clients.set(nodeName, client);
    }
    return client;
  }
}
