import type { LoadBalancerDto } from '@app/cloud-contracts';
import { InvalidServiceError } from '../api/errors';
import type { ProviderService } from '../api/types';
import {
  ANNOTATION_ALGORITHM,
  ANNOTATION_HEALTH_CHECK_INTERVAL,
  ANNOTATION_HEALTH_CHECK_PATH,
  ANNOTATION_HEALTHY_THRESHOLD,
  ANNOTATION_UNHEALTHY_THRESHOLD,
  desiredLoadBalancer,
  replacementReason,
  specDiffers,
} from './load-balancer-spec';

const service = (
  spec: ProviderService['spec'] = {},
  annotations: Record<string, string> = {},
): ProviderService => ({
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', annotations },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080 }], ...spec },
});

/** The cloud's view of what `desiredLoadBalancer(service)` asked for. */
function cloudLb(svc: ProviderService, backendIds: string[]): LoadBalancerDto {
  const d = desiredLoadBalancer(svc);
  return {
    id: 'lb-1',
    name: 'a',
    projectId: 'default',
    region: 'nimbus-1',
    state: 'active',
    publicIps: [{ ipFamily: 'IPv4', ip: '203.0.113.5' }],
    ipFamilies: d.ipFamilies,
    listeners: [...d.listeners].reverse(),
    backends: backendIds.map((instanceId) => ({
      instanceId,
      ip: '10.0.0.5',
      health: 'unknown',
      endpoints: [],
    })),
    healthCheck: d.healthCheck,
    algorithm: d.algorithm,
    sessionAffinity: d.sessionAffinity,
    allowedSourceRanges: d.allowedSourceRanges ?? ['0.0.0.0/0'],
    labels: {},
    dataPlane: {
      mode: 'loopback',
      address: '127.203.113.5',
      state: 'serving',
      healthyBackends: 1,
      ports: [],
    },
    createdAt: '',
    updatedAt: '',
    etag: 'e',
  };
}

describe('desiredLoadBalancer', () => {
  it('should map ports to listeners on the nodePort with defaults everywhere else', () => {
    const d = desiredLoadBalancer(
      service({
        ports: [
          { port: 80, nodePort: 30080 },
          { protocol: 'UDP', port: 53, nodePort: 30053 },
        ],
      }),
    );

    expect(d).toEqual({
      listeners: [
        { protocol: 'TCP', port: 80, targetPort: 30080 },
        { protocol: 'UDP', port: 53, targetPort: 30053 },
      ],
      healthCheck: {
        protocol: 'TCP',
        port: 30080,
        intervalSeconds: 10,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      algorithm: 'round_robin',
      sessionAffinity: { type: 'none' },
      allowedSourceRanges: undefined,
      ipFamilies: ['IPv4'],
      requestedIp: undefined,
    });
  });

  it('should check healthCheckNodePort over HTTP for externalTrafficPolicy Local', () => {
    const d = desiredLoadBalancer(
      service({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32123 }),
    );

    expect(d.healthCheck).toMatchObject({ protocol: 'HTTP', port: 32123, path: '/healthz' });
  });

  it("should check a TCP port's nodePort, and kube-proxy's /healthz for a Service with UDP ports only", () => {
    const mixed = desiredLoadBalancer(
      service({
        ports: [
          { port: 53, protocol: 'UDP', nodePort: 30053 },
          { port: 53, protocol: 'TCP', nodePort: 30054 },
        ],
      }),
    );
    expect(mixed.healthCheck).toMatchObject({ protocol: 'TCP', port: 30054 });

    const udp = service({ ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] });
    expect(desiredLoadBalancer(udp).healthCheck).toMatchObject({
      protocol: 'HTTP',
      port: 10256,
      path: '/healthz',
    });
    expect(desiredLoadBalancer(udp, { kubeProxyHealthzPort: 41000 }).healthCheck).toMatchObject({
      protocol: 'HTTP',
      port: 41000,
      path: '/healthz',
    });
  });

  it('should take the health check and algorithm from annotations', () => {
    const d = desiredLoadBalancer(
      service(
        {},
        {
          [ANNOTATION_ALGORITHM]: 'source-ip-hash',
          [ANNOTATION_HEALTH_CHECK_PATH]: '/ready',
          [ANNOTATION_HEALTH_CHECK_INTERVAL]: '30',
          [ANNOTATION_HEALTHY_THRESHOLD]: '1',
          [ANNOTATION_UNHEALTHY_THRESHOLD]: '10',
        },
      ),
    );

    expect(d.algorithm).toBe('source_ip_hash');
    expect(d.healthCheck).toEqual({
      protocol: 'HTTP',
      port: 30080,
      path: '/ready',
      intervalSeconds: 30,
      healthyThreshold: 1,
      unhealthyThreshold: 10,
    });
  });

  it('should honour ClientIP affinity with its timeout or the Kubernetes default', () => {
    expect(desiredLoadBalancer(service({ sessionAffinity: 'ClientIP' })).sessionAffinity).toEqual({
      type: 'client_ip',
      timeoutSeconds: 10800,
    });
    const withTimeout = service({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    });
    expect(desiredLoadBalancer(withTimeout).sessionAffinity.timeoutSeconds).toBe(60);
  });

  it('should take source ranges from the spec, else from the annotation, canonically', () => {
    const fromSpec = service(
      { loadBalancerSourceRanges: ['10.1.2.3/8', '2001:DB8::1/32', '10.0.0.0/8'] },
      { 'service.beta.kubernetes.io/load-balancer-source-ranges': '192.168.0.0/16' },
    );
    const fromAnnotation = service(
      {},
      {
        'service.beta.kubernetes.io/load-balancer-source-ranges': ' 192.168.1.0/24 , 172.16.0.0/12',
      },
    );

    expect(desiredLoadBalancer(fromSpec).allowedSourceRanges).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
    expect(desiredLoadBalancer(fromAnnotation).allowedSourceRanges).toEqual([
      '172.16.0.0/12',
      '192.168.1.0/24',
    ]);
  });

  it('should pass ipFamilies and loadBalancerIP through', () => {
    const d = desiredLoadBalancer(
      service({ ipFamilies: ['IPv6', 'IPv4'], loadBalancerIP: '203.0.113.9' }),
    );

    expect(d.ipFamilies).toEqual(['IPv6', 'IPv4']);
    expect(d.requestedIp).toBe('203.0.113.9');
  });

  it.each([
    ['no ports', service({ ports: [] })],
    ['SCTP', service({ ports: [{ protocol: 'SCTP', port: 9, nodePort: 30009 }] })],
    ['no nodePort', service({ ports: [{ port: 80 }] })],
    ['Local without healthCheckNodePort', service({ externalTrafficPolicy: 'Local' })],
    ['an unknown algorithm', service({}, { [ANNOTATION_ALGORITHM]: 'random' })],
    ['a relative path', service({}, { [ANNOTATION_HEALTH_CHECK_PATH]: 'healthz' })],
    ['a path with spaces', service({}, { [ANNOTATION_HEALTH_CHECK_PATH]: '/a b' })],
    ['interval 0', service({}, { [ANNOTATION_HEALTH_CHECK_INTERVAL]: '0' })],
    ['interval 301', service({}, { [ANNOTATION_HEALTH_CHECK_INTERVAL]: '301' })],
    ['interval 1.5', service({}, { [ANNOTATION_HEALTH_CHECK_INTERVAL]: '1.5' })],
    ['healthy threshold 11', service({}, { [ANNOTATION_HEALTHY_THRESHOLD]: '11' })],
    ['unhealthy threshold x', service({}, { [ANNOTATION_UNHEALTHY_THRESHOLD]: 'x' })],
    ['a bad source range', service({ loadBalancerSourceRanges: ['10.0.0.0/33'] })],
    [
      'a bad annotated range',
      service({}, { 'service.beta.kubernetes.io/load-balancer-source-ranges': 'everything' }),
    ],
    ['an unknown family', service({ ipFamilies: ['IPv5'] })],
    ['a loadBalancerIP that is no IP', service({ loadBalancerIP: 'example.com' })],
    ['a loadBalancerIP of another family', service({ loadBalancerIP: '2001:db8::1' })],
    ['an unknown affinity', service({ sessionAffinity: 'Cookie' })],
  ])('should reject %s', (_what, svc) => {
    expect(() => desiredLoadBalancer(svc)).toThrow(InvalidServiceError);
  });

  it('should name the annotation and the service in the error', () => {
    expect(() =>
      desiredLoadBalancer(service({}, { [ANNOTATION_HEALTH_CHECK_INTERVAL]: 'often' })),
    ).toThrow(
      'service shop/web: annotation service.beta.kubernetes.io/nimbus-load-balancer-health-check-interval: "often" must be an integer between 1 and 300',
    );
  });
});

describe('specDiffers', () => {
  const base = service({
    ports: [
      { port: 80, nodePort: 30080 },
      { port: 443, nodePort: 30443 },
    ],
  });

  it('should see no difference in what the cloud echoes back (order and defaults aside)', () => {
    expect(
      specDiffers(cloudLb(base, ['i-2', 'i-1']), desiredLoadBalancer(base), ['i-1', 'i-2']),
    ).toBe(false);
  });

  it.each<[string, ProviderService]>([
    [
      'a nodePort',
      service({
        ports: [
          { port: 80, nodePort: 30081 },
          { port: 443, nodePort: 30443 },
        ],
      }),
    ],
    [
      'a port',
      service({
        ports: [
          { port: 80, nodePort: 30080 },
          { port: 8443, nodePort: 30443 },
        ],
      }),
    ],
    [
      'the algorithm',
      { ...base, metadata: { annotations: { [ANNOTATION_ALGORITHM]: 'least_connections' } } },
    ],
    [
      'the interval',
      { ...base, metadata: { annotations: { [ANNOTATION_HEALTH_CHECK_INTERVAL]: '9' } } },
    ],
    ['the affinity', { ...base, spec: { ...base.spec, sessionAffinity: 'ClientIP' } }],
    [
      'the source ranges',
      { ...base, spec: { ...base.spec, loadBalancerSourceRanges: ['10.0.0.0/8'] } },
    ],
    [
      'the traffic policy',
      {
        ...base,
        spec: { ...base.spec, externalTrafficPolicy: 'Local', healthCheckNodePort: 30080 },
      },
    ],
  ])('should see a change of %s', (_what, changed) => {
    expect(specDiffers(cloudLb(base, ['i-1']), desiredLoadBalancer(changed), ['i-1'])).toBe(true);
  });

  it('should see a change of the backend set', () => {
    const lb = cloudLb(base, ['i-1', 'i-2']);
    expect(specDiffers(lb, desiredLoadBalancer(base), ['i-1'])).toBe(true);
    expect(specDiffers(lb, desiredLoadBalancer(base), ['i-1', 'i-3'])).toBe(true);
  });
});

describe('replacementReason', () => {
  it('should ask for a new load balancer when the families or the requested IP change', () => {
    const lb = cloudLb(service(), []);

    expect(replacementReason(lb, desiredLoadBalancer(service()))).toBeUndefined();
    expect(
      replacementReason(lb, desiredLoadBalancer(service({ loadBalancerIP: '203.0.113.5' }))),
    ).toBeUndefined();
    expect(
      replacementReason(lb, desiredLoadBalancer(service({ loadBalancerIP: '203.0.113.6' }))),
    ).toMatch(/203\.0\.113\.6/);
    expect(
      replacementReason(lb, desiredLoadBalancer(service({ ipFamilies: ['IPv4', 'IPv6'] }))),
    ).toMatch(/families/);
  });
});
