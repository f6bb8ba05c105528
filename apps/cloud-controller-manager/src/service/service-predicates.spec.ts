import { nodeIncluded, nodesSufficientlyEqual, loggableNodeNames } from './node-predicates';
import { lbService, node } from './service-test-fixtures';
import {
  LOAD_BALANCER_CLEANUP_FINALIZER,
  needsCleanup,
  needsUpdate,
  wantsLoadBalancer,
} from './service-predicates';
import type { Service } from './service-types';

describe('service predicates', () => {
  it('should want an LB only for type LoadBalancer without any class', () => {
    expect(wantsLoadBalancer(lbService('a'))).toBe(true);
    expect(wantsLoadBalancer(lbService('a', { loadBalancerClass: 'nimbus' }))).toBe(false);
    expect(wantsLoadBalancer(lbService('a', { type: 'NodePort' }))).toBe(false);
  });

  it('should need cleanup only with the finalizer and a deletion or a type change', () => {
    const svc = lbService('a');
    const withFinalizer: Service = {
      ...svc,
      metadata: { ...svc.metadata, finalizers: [LOAD_BALANCER_CLEANUP_FINALIZER] },
    };
    expect(needsCleanup(svc)).toBe(false);
    expect(needsCleanup(withFinalizer)).toBe(false);
    expect(
      needsCleanup({
        ...withFinalizer,
        metadata: { ...withFinalizer.metadata, deletionTimestamp: new Date() },
      }),
    ).toBe(true);
    expect(needsCleanup({ ...withFinalizer, spec: { ...svc.spec, type: 'ClusterIP' } })).toBe(true);
  });

  it.each<[string, (s: Service) => Service, boolean]>([
    [
      'port',
      (s) => ({ ...s, spec: { ...s.spec, ports: [{ ...s.spec!.ports![0], port: 81 }] } }),
      true,
    ],
    [
      'targetPort',
      (s) => ({ ...s, spec: { ...s.spec, ports: [{ ...s.spec!.ports![0], targetPort: 'web' }] } }),
      true,
    ],
    [
      'appProtocol',
      (s) => ({
        ...s,
        spec: { ...s.spec, ports: [{ ...s.spec!.ports![0], appProtocol: 'http' }] },
      }),
      true,
    ],
    [
      'sessionAffinityConfig',
      (s) => ({
        ...s,
        spec: { ...s.spec, sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } },
      }),
      true,
    ],
    ['externalIPs', (s) => ({ ...s, spec: { ...s.spec, externalIPs: ['1.2.3.4'] } }), true],
    ['uid', (s) => ({ ...s, metadata: { ...s.metadata, uid: 'other' } }), true],
    [
      'healthCheckNodePort',
      (s) => ({ ...s, spec: { ...s.spec, healthCheckNodePort: 32000 } }),
      true,
    ],
    [
      'ipFamilies count',
      (s) => ({ ...s, spec: { ...s.spec, ipFamilies: ['IPv4', 'IPv6'] } }),
      true,
    ],
    ['labels', (s) => ({ ...s, metadata: { ...s.metadata, labels: { a: 'b' } } }), false],
    ['finalizers', (s) => ({ ...s, metadata: { ...s.metadata, finalizers: ['x'] } }), false],
    [
      'allocateLoadBalancerNodePorts',
      (s) => ({ ...s, spec: { ...s.spec, allocateLoadBalancerNodePorts: false } }),
      false,
    ],
    [
      'status',
      (s) => ({ ...s, status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } }),
      false,
    ],
  ])('should treat a change of %s as needing an update: %s', (_name, change, expected) => {
    const svc = lbService('a');
    expect(needsUpdate(svc, change(svc))).toBe(expected);
  });

  it('should not care about changes of services that never wanted an LB', () => {
    const svc = lbService('a', { type: 'ClusterIP' });
    expect(needsUpdate(svc, { ...svc, spec: { ...svc.spec, ports: [] } })).toBe(false);
  });
});

describe('node predicates', () => {
  it.each([
    [undefined, true],
    ['false', true],
    ['0', true],
    ['False', true],
    ['true', false],
    ['', false],
    ['yes', false],
  ])('should include a node whose exclusion label is %p: %p', (value, included) => {
    const labels =
      value === undefined
        ? undefined
        : { 'node.kubernetes.io/exclude-from-external-load-balancers': value };
    expect(nodeIncluded(node('n', { labels }))).toBe(included);
  });

  it('should compare node sets by names and providerIDs only', () => {
    const moved = node('n2');
    moved.spec = { ...moved.spec, providerID: 'nimbus://other' };
    expect(
      nodesSufficientlyEqual([node('n1'), node('n2')], [node('n2', { ready: false }), node('n1')]),
    ).toBe(true);
    expect(nodesSufficientlyEqual([node('n1'), node('n2')], [node('n1'), moved])).toBe(false);
    expect(nodesSufficientlyEqual([node('n1')], [node('n1'), node('n2')])).toBe(false);
  });

  it('should limit logged node names to 20', () => {
    const nodes = Array.from({ length: 23 }, (_, i) => node(`n${i}`));
    expect(loggableNodeNames(nodes).at(-1)).toBe('<3 more>');
    expect(loggableNodeNames(nodes)).toHaveLength(21);
    expect(loggableNodeNames([node('b'), node('a')])).toEqual(['a', 'b']);
  });
});
