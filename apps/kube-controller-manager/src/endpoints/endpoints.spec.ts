import type { PodObject, ServiceObject } from '@app/kube-client';
import { MAX_ENDPOINTS_PER_SLICE, desiredSlices } from './endpoint-slice-controller';
import { endpointSubsets } from './endpoints-controller';

const service = (spec: Record<string, unknown> = {}): ServiceObject => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    ...spec,
  },
});
const pod = (
  i: number,
  opts: { ready?: boolean; deleting?: boolean; ip?: string; phase?: string } = {},
): PodObject => ({
  metadata: {
    name: `web-${String(i).padStart(3, '0')}`,
    namespace: 'default',
    uid: `u${i}`,
    labels: { app: 'web' },
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: {
    nodeName: 'worker-1',
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
  status: {
    phase: opts.phase ?? 'Running',
    podIP: opts.ip ?? `10.244.1.${i + 2}`,
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

describe('EndpointSlices and Endpoints of a Service', () => {
  it('resolves named target ports and sets ready/serving/terminating', () => {
    const [slice] = desiredSlices(
      service(),
      [pod(0), pod(1, { ready: false }), pod(2, { deleting: true })],
      () => ({
        metadata: { labels: { 'topology.kubernetes.io/zone': 'nimbus-1a' } },
      }),
    );
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints.map((e) => e.conditions)).toEqual([
      { ready: true, serving: true, terminating: false },
      { ready: false, serving: false, terminating: false },
      { ready: false, serving: true, terminating: true },
    ]);
    expect(slice.endpoints[0]).toMatchObject({
      nodeName: 'worker-1',
      zone: 'nimbus-1a',
      addresses: ['10.244.1.2'],
    });
  });

  it('leaves out pods without an IP or finished, and splits at 100 endpoints', () => {
    const pods = Array.from({ length: 150 }, (_, i) =>
      pod(i, { ip: `10.244.${Math.floor(i / 200) + 1}.${(i % 200) + 2}` }),
    );
    pods.push(pod(900, { ip: '' }), pod(901, { phase: 'Succeeded' }));
    const slices = desiredSlices(service(), pods, () => undefined);
    expect(slices.map((s) => s.endpoints.length)).toEqual([MAX_ENDPOINTS_PER_SLICE, 50]);
    expect(desiredSlices(service(), [], () => undefined)).toEqual([{ endpoints: [] }]);
  });

  it('Endpoints: ready addresses, not-ready ones apart, terminating pods left out', () => {
    const [subset] = endpointSubsets(service(), [
      pod(1, { ready: false }),
      pod(0),
      pod(2, { deleting: true }),
    ]);
    expect(subset.addresses?.map((a) => a.ip)).toEqual(['10.244.1.2']);
    expect(subset.notReadyAddresses?.map((a) => a.ip)).toEqual(['10.244.1.3']);
    expect(subset.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const published = endpointSubsets(service({ publishNotReadyAddresses: true }), [
      pod(1, { ready: false }),
    ]);
    expect(published[0].addresses?.map((a) => a.ip)).toEqual(['10.244.1.3']);
  });
});
