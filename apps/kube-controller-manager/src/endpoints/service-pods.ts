import type { NodeObject, PodObject, ServiceObject } from '@app/kube-client';

/** The service port as an endpoint port: name, the pod's target port, protocol. */
export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
}

/** upstream ShouldPodBeInEndpoints: not finished, and an IP to reach it at. */
export function podInEndpoints(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !!pod.status?.podIP;
}

/** The pods a selector Service picks in its namespace (a map selector, as Services have). */
export function servicePods(service: ServiceObject, pods: readonly PodObject[]): PodObject[] {
  const selector = service.spec?.selector ?? {};
  return pods.filter((p) => {
    const labels = p.metadata?.labels ?? {};
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
  });
}

export const hasSelector = (service: ServiceObject): boolean =>
  Object.keys(service.spec?.selector ?? {}).length > 0;

/**
 * upstream podutil.FindPort per service port: a numeric targetPort as is (default: the port),
 * a named one looked up in the pod's containers; ports the pod lacks are left out.
 */
export function endpointPorts(service: ServiceObject, pod: PodObject): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const target = sp.targetPort ?? sp.port;
    let port: number | undefined;
    if (typeof target === 'number') {
      port = target;
    } else if (/^\d+$/.test(String(target))) {
      port = Number(target);
    } else {
      for (const c of pod.spec?.containers ?? []) {
        const found = c.ports?.find(
          (p) => p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'),
        );
        if (found) {
          port = found.containerPort;
          break;
        }
      }
    }
    if (port !== undefined) {
      out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' });
    }
  }
  return out;
}

export const portsKey = (ports: readonly EndpointPort[]) =>
  ports.map((p) => `${p.name}/${p.port}/${p.protocol}`).join(',');

/** The zone label of a pod's node, if known. */
export function zoneOf(node: NodeObject | undefined): string | undefined {
  return node?.metadata?.labels?.['topology.kubernetes.io/zone'];
}

/** Labels a Service passes on to its EndpointSlices / Endpoints (upstream setEndpointSliceLabels). */
export function derivedLabels(service: ServiceObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata?.labels ?? {})) {
    if (k !== 'kubernetes.io/service-name' && k !== 'endpointslice.kubernetes.io/managed-by') {
      labels[k] = v;
    }
  }
  if (service.spec?.clusterIP === 'None') {
    labels['service.kubernetes.io/headless'] = '';
  }
  return labels;
}
