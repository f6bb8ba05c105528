import { bytesOf, milliCpu } from '@app/common';
import type { Container, PodObject } from '@app/kube-client';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const COMPUTE = ['cpu', 'memory'];

/**
 * upstream v1qos.GetPodQOS: Guaranteed when every container sets cpu and memory limits and its
 * requests equal them; BestEffort when no container requests or limits anything; else Burstable.
 */
export function qosClassOf(pod: PodObject): QosClass {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of COMPUTE) {
      if (requests[r] !== undefined || limits[r] !== undefined) {
        any = true;
      }
      const limit = limits[r];
      const request = requests[r] ?? limit;
      if (limit === undefined || String(request) !== String(limit)) {
        guaranteed = false;
      }
    }
  }
  if (!any) {
    return 'BestEffort';
  }
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export interface PodRequests {
  milliCpu: number;
  memoryBytes: number;
}

/** upstream resource.PodRequests: max(sum of containers, largest init container) per resource. */
export function podRequests(pod: PodObject): PodRequests {
  const sum = (list: readonly Container[] | undefined, key: string, f: (v: string) => number) =>
    (list ?? []).reduce((n, c) => n + f(String(c.resources?.requests?.[key] ?? '0')), 0);
  const maxInit = (key: string, f: (v: string) => number) =>
    Math.max(
      0,
      ...(pod.spec?.initContainers ?? []).map((c) =>
        f(String(c.resources?.requests?.[key] ?? '0')),
      ),
    );
  return {
    milliCpu: Math.max(sum(pod.spec?.containers, 'cpu', milliCpu), maxInit('cpu', milliCpu)),
    memoryBytes: Math.max(sum(pod.spec?.containers, 'memory', bytesOf), maxInit('memory', bytesOf)),
  };
}
