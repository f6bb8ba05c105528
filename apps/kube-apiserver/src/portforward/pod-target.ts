import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { hostAddressOf, hostPortOf } from '@app/common';
import { goDialErrorText } from '../net/go-dial-error';
import type { PortForwardTarget } from './port-forward-streams';

/** How long a dial to a pod's port may take before it counts as a timeout (Go's dial has none; loopback answers at once). */
const DIAL_TIMEOUT_MS = 10_000;

function hex(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/**
 * A pod's ports as its simulated kubelet serves them: the pod responder listens at the pod IP's
 * host address (`hostAddressOf`, `10.244.1.2` → `127.244.1.2`) on `hostPortOf(port)`, which is
 * where containerd's dial to `localhost:<port>` inside the pod's network namespace lands here.
 * Messages name a sandbox id and network namespace derived from the pod's UID, as containerd's
 * name the real ones.
 */
export function podPortTarget(pod: { uid: string; podIP: string }): PortForwardTarget {
  const sandboxId = hex(`sandbox/${pod.uid}`);
  const ns = hex(`netns/${pod.uid}`);
  const netns = `/var/run/netns/cni-${ns.slice(0, 8)}-${ns.slice(8, 12)}-${ns.slice(12, 16)}-${ns.slice(16, 20)}-${ns.slice(20, 32)}`;
  const host = hostAddressOf(pod.podIP);
  return {
    sandboxId,
    dial: (port) =>
      new Promise<Socket>((resolve, reject) => {
        if (!host) {
          reject(Object.assign(new Error('no host address'), { code: 'EADDRNOTAVAIL' }));
          return;
        }
        const socket = connect({ host, port: hostPortOf(port), allowHalfOpen: true });
        socket.setTimeout(DIAL_TIMEOUT_MS, () =>
          socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
        );
        socket.once('connect', () => {
          socket.setTimeout(0);
          socket.removeListener('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      }),
    describeDialError: (port, error) => {
      const text = goDialErrorText(error);
      return (
        `failed to execute portforward in network namespace "${netns}": ` +
        `failed to connect to localhost:${port} inside namespace "${sandboxId}", ` +
        `IPv4: dial tcp4 127.0.0.1:${port}: ${text} IPv6 dial tcp6 [::1]:${port}: ${text} `
      );
    },
  };
}
