import type { V1ContainerPort, V1Pod } from '@app/kube-client';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** `namespace/name`, the queue and informer key. */
export const podKey = (pod: V1Pod): string =>
  `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;

/** assignedPod: bound to a node. */
export const isAssigned = (pod: V1Pod): boolean => !!pod.spec?.nodeName;

/** Succeeded or Failed: the scheduler's pod informer leaves these out. */
export const isTerminal = (pod: V1Pod): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** corev1helpers.PodPriority: `spec.priority`, 0 when unset. */
export const podPriority = (pod: V1Pod): number => pod.spec?.priority ?? 0;

/** A used host port (HostPortInfo entry): ip defaults to 0.0.0.0, protocol to TCP. */
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

function hostPortOf(p: V1ContainerPort): HostPort | undefined {
  if (!p.hostPort || p.hostPort <= 0) {
    return undefined;
  }
  return { ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort };
}

/** Host ports of the containers and sidecars (restartable init containers). */
export function hostPortsOf(pod: V1Pod): HostPort[] {
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  const out: HostPort[] = [];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      const hp = hostPortOf(p);
      if (hp) {
        out.push(hp);
      }
    }
  }
  return out;
}
