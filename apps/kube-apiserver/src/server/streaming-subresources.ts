import { badRequest, type KubeError } from '../errors/kube-error';
import { getString } from '../registry/object-path';
import type { KubeObject } from '../object/types';

/**
 * Pod subresources a real api-server proxies to the kubelet of the pod's node (logs, exec,
 * attach, port-forward). Nimbus's kubelets are simulated and have no containers, so logs, exec
 * and attach answer a clear error at once instead of hanging kubectl; port-forward upgrades are
 * served (../portforward), and only what reaches this as a plain request gets an error.
 */
export const STREAMING_SUBRESOURCES: ReadonlySet<string> = new Set([
  'log',
  'exec',
  'attach',
  'portforward',
]);

const VERBS: Record<string, string> = {
  log: 'logs',
  exec: 'exec',
  attach: 'attach',
};

/** The 400 a request for `pods/<subresource>` of an existing pod gets. */
export function notSupportedBySimulatedKubelet(subresource: string, pod: KubeObject): KubeError {
  const node = getString(pod, 'spec.nodeName');
  const where = node ? `node "${node}" runs` : 'nodes run';
  return badRequest(
    `kubectl ${VERBS[subresource] ?? subresource} is not supported by simulated kubelets: ${where} ` +
      `no containers, so pod "${pod.metadata.name ?? ''}" has no ${
        subresource === 'log' ? 'logs' : 'processes'
      } to reach (Nimbus simulates nodes)`,
  );
}

/**
 * A `pods/portforward` request that is not an upgrade the port-forward server speaks: upstream's
 * UpgradeAwareHandler answers a plain request "Upgrade request required".
 */
export function portForwardNotUpgraded(websocket: boolean): KubeError {
  return badRequest(
    websocket
      ? 'unable to upgrade: the WebSocket subprotocols of port-forward are ' +
          'SPDY/3.1+portforward.k8s.io (kubectl) and v4.channel.k8s.io'
      : 'Upgrade request required',
  );
}
