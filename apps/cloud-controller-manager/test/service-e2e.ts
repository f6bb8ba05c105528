import type { LoadBalancerDto } from '@app/cloud-contracts';
import { defaultLoadBalancerName } from '@app/cloud-provider';
import { PatchStrategy, Watch, setHeaderOptions, type V1Service } from '@app/kube-client';
import { CLOUD_ADMIN_TOKEN, waitFor, type CcmHarness } from './harness';

/** Helpers for the service controller scenarios (S1–S18). */
export const SERVICE_COMPONENT = 'service-controller';
export const FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';
export const NAMESPACE = 'default';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export function createLbService(
  h: CcmHarness,
  name: string,
  spec: Partial<NonNullable<V1Service['spec']>> = {},
  annotations?: Record<string, string>,
): Promise<V1Service> {
  return h.core.createNamespacedService({
    namespace: NAMESPACE,
    body: {
      metadata: { name, annotations },
      spec: {
        type: 'LoadBalancer',
        selector: { app: name },
        ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
        ...spec,
      },
    },
  });
}

export function getService(h: CcmHarness, name: string): Promise<V1Service | undefined> {
  return h.core
    .readNamespacedService({ namespace: NAMESPACE, name })
    .catch((err: { code?: number }) => {
      if (err.code === 404) {
        return undefined;
      }
      throw err;
    });
}

export function patchService(h: CcmHarness, name: string, body: object): Promise<V1Service> {
  // A merge patch replaces lists (ports) as a whole.
  return h.core.patchNamespacedService({ namespace: NAMESPACE, name, body }, MERGE_PATCH);
}

export async function deleteService(h: CcmHarness, name: string): Promise<void> {
  await h.core.deleteNamespacedService({ namespace: NAMESPACE, name });
}

export function ingressIPs(svc: V1Service | undefined): string[] {
  return (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
}

/** Waits for `status.loadBalancer.ingress` to be non-empty; returns the Service. */
export function waitForIngress(
  h: CcmHarness,
  name: string,
  timeoutMs = 15_000,
): Promise<V1Service> {
  return waitFor(
    async () => {
      const svc = await getService(h, name);
      return ingressIPs(svc).length > 0 && svc;
    },
    { timeoutMs, message: `ingress of service ${name}` },
  );
}

/** The cloud load balancer of a Service (by its UID-derived name), if any. */
export function cloudLb(h: CcmHarness, svc: V1Service): Promise<LoadBalancerDto | undefined> {
  return h.cloud.loadBalancers.getByName(defaultLoadBalancerName(svc));
}

export async function serviceEvents(h: CcmHarness, name: string, reason?: string) {
  const events = await h.events({ component: SERVICE_COMPONENT, involvedName: name, reason });
  return events.sort(
    (a, b) => Number(a.metadata?.resourceVersion ?? 0) - Number(b.metadata?.resourceVersion ?? 0),
  );
}

export async function eventReasons(h: CcmHarness, name: string): Promise<string[]> {
  return (await serviceEvents(h, name)).map((e) => e.reason ?? '');
}

/** Waits until an event with `reason` about Service `name` exists (count ≥ `minCount`). */
export function waitForEvent(
  h: CcmHarness,
  name: string,
  reason: string,
  options: { minCount?: number; timeoutMs?: number } = {},
) {
  return waitFor(
    async () => {
      const [event] = await serviceEvents(h, name, reason);
      return event && (event.count ?? 1) >= (options.minCount ?? 1) && event;
    },
    { timeoutMs: options.timeoutMs ?? 15_000, message: `event ${reason} on service ${name}` },
  );
}

/** Records every version of a Service the api-server sends on a watch. */
export async function recordServiceVersions(h: CcmHarness, name: string) {
  const versions: V1Service[] = [];
  const abort = await new Watch(h.kubeConfig).watch(
    `/api/v1/namespaces/${NAMESPACE}/services`,
    { fieldSelector: `metadata.name=${name}` },
    (_type: string, obj: V1Service) => versions.push(obj),
    () => undefined,
  );
  return { versions, stop: () => abort.abort() };
}

/** Adds a cloud fault rule (`POST /admin/faults`); returns a function that deletes it. */
export async function injectCloudFault(
  h: CcmHarness,
  rule: { description: string; match: object; effect: object },
): Promise<() => Promise<void>> {
  const call = (method: string, path: string, body?: object) =>
    fetch(`${h.cloudApi.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${CLOUD_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const res = await call('POST', '/admin/faults', rule);
  if (res.status !== 201) {
    throw new Error(`fault rule refused: ${res.status} ${await res.text()}`);
  }
  const { id } = (await res.json()) as { id: string };
  return async () => {
    await call('DELETE', `/admin/faults/${id}`);
  };
}
