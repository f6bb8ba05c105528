import type { VirtualServerStatus } from '@app/dataplane';
import type { LoadBalancerRow } from '../load-balancers.repository';
import { bindPlanFor, modeOf } from './lb-bind-plans';
import { describeDataPlane } from './lb-data-plane-view';
import { hostSourceRanges, toVirtualServerSpec } from './lb-virtual-server';

const spec = {
  listeners: [
    { protocol: 'TCP', port: 80, targetPort: 30080 },
    { protocol: 'UDP', port: 53, targetPort: 30053 },
  ],
  healthCheck: {
    protocol: 'HTTP',
    port: 10256,
    path: '/healthz',
    intervalSeconds: 10,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  },
  algorithm: 'least_connections',
  sessionAffinity: { type: 'client_ip', timeoutSeconds: 600 },
  allowedSourceRanges: ['198.51.100.0/24', '2001:db8::/32'],
};

const row = (overrides: Partial<LoadBalancerRow> = {}): LoadBalancerRow => ({
  seq: 1,
  id: 'lb-1',
  projectId: 'default',
  name: 'web',
  region: 'nimbus-1',
  state: 'active',
  nextState: null,
  transitionEndsAt: null,
  spec: JSON.stringify(spec),
  ipFamilies: JSON.stringify(['IPv4', 'IPv6']),
  publicIpv4: '203.0.113.7',
  publicIpv6: '2001:db8:1000::7',
  labels: '{}',
  version: 3,
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});

describe('load balancer data plane mapping', () => {
  it('should bind the LB IP on its own loopback address, mapping privileged ports and falling back to 127.0.0.1', () => {
    expect(bindPlanFor('IPv4', '203.0.113.7', 80)).toEqual({
      address: '127.203.113.7',
      port: 80,
      fallbacks: [
        {
          on: ['EACCES'],
          then: {
            address: '127.203.113.7',
            port: 10080,
            fallbacks: [
              { on: ['EACCES', 'EADDRINUSE'], then: { address: '127.203.113.7', port: 0 } },
            ],
          },
        },
        {
          on: ['EADDRNOTAVAIL'],
          then: {
            address: '127.0.0.1',
            port: 80,
            fallbacks: [{ on: ['EACCES', 'EADDRINUSE'], then: { address: '127.0.0.1', port: 0 } }],
          },
        },
      ],
    });
    // No mapped port above 65535: straight to any free port.
    expect(bindPlanFor('IPv4', '203.0.113.7', 60000).fallbacks![0].then).toEqual({
      address: '127.203.113.7',
      port: 0,
    });
  });

  it('should put IPv6 LB IPs on ::1 and everything on --lb-bind, sharing ports', () => {
    const v6 = bindPlanFor('IPv6', '2001:db8:1000::7', 443);
    expect(v6).toMatchObject({ address: '::1', port: 443 });
    expect(v6.fallbacks!.map((f) => f.on)).toEqual([
      ['EACCES', 'EADDRINUSE'],
      ['EADDRNOTAVAIL', 'EAFNOSUPPORT'],
    ]);
    expect(bindPlanFor('IPv4', '203.0.113.7', 80, '192.168.1.10')).toEqual({
      address: '192.168.1.10',
      port: 80,
      fallbacks: [{ on: ['EACCES', 'EADDRINUSE'], then: { address: '192.168.1.10', port: 0 } }],
    });
    expect(modeOf('127.203.113.7')).toBe('loopback');
    expect(modeOf('127.0.0.1')).toBe('localhost');
    expect(modeOf('::1')).toBe('localhost');
    expect(modeOf('192.168.1.10', '192.168.1.10')).toBe('bind');
  });

  it('should build the virtual server: listeners per family, backends at host addresses, algorithm, affinity, ranges, health', () => {
    const vs = toVirtualServerSpec(row(), [
      { instanceId: 'i-a', instanceIp: '10.0.1.5' },
      { instanceId: 'i-b', instanceIp: '10.0.2.6' },
    ]);
    expect(
      vs.listeners.map((l) => [l.name, l.protocol, l.bind.address, l.bind.port, l.targetPort]),
    ).toEqual([
      ['TCP/80', 'TCP', '127.203.113.7', 80, 30080],
      ['UDP/53', 'UDP', '127.203.113.7', 53, 30053],
      ['TCP/80/IPv6', 'TCP', '::1', 80, 30080],
      ['UDP/53/IPv6', 'UDP', '::1', 53, 30053],
    ]);
    expect(vs.backends).toEqual([
      { id: 'i-a', address: '127.10.1.5' },
      { id: 'i-b', address: '127.10.2.6' },
    ]);
    expect(vs.scheduler).toBe('least_connections');
    expect(vs.affinity).toEqual({ timeoutMs: 600_000 });
    expect(vs.sourceRanges).toEqual(['198.51.100.0/24', '127.51.100.0/24', '2001:db8::/32']);
    expect(vs.healthCheck).toEqual({
      protocol: 'HTTP',
      port: 10256,
      path: '/healthz',
      intervalMs: 10_000,
      timeoutMs: 5000,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    });
    // An imported instance (an adopted kind node) is dialled at its own, real address.
    expect(
      toVirtualServerSpec(row(), [{ instanceId: 'i-k', instanceIp: '172.18.0.2', imported: true }])
        .backends,
    ).toEqual([{ id: 'i-k', address: '172.18.0.2' }]);
    // One socket per listener on a --lb-bind address.
    expect(toVirtualServerSpec(row(), [], '0.0.0.0').listeners.map((l) => l.name)).toEqual([
      'TCP/80',
      'UDP/53',
    ]);
    expect(hostSourceRanges(['0.0.0.0/0'])[0]).toBe('0.0.0.0/0');
  });

  it('should describe the data plane of each state', () => {
    expect(
      describeDataPlane(row({ state: 'provisioning' }), undefined, undefined).dataPlane,
    ).toEqual({
      mode: 'loopback',
      address: '127.203.113.7',
      state: 'pending',
      message: 'listeners open when the load balancer is active',
      healthyBackends: 0,
      ports: [],
    });
    expect(
      describeDataPlane(row({ state: 'deleting' }), undefined, undefined).dataPlane.state,
    ).toBe('stopped');
    const status = (over: Partial<VirtualServerStatus> = {}): VirtualServerStatus => ({
      listeners: [
        {
          name: 'TCP/80',
          protocol: 'TCP',
          state: 'listening',
          address: '127.203.113.7',
          port: 10080,
          message: 'mapped',
        },
        { name: 'UDP/53', protocol: 'UDP', state: 'listening', address: '127.203.113.7', port: 53 },
        { name: 'TCP/80/IPv6', protocol: 'TCP', state: 'listening', address: '::1', port: 80 },
        {
          name: 'UDP/53/IPv6',
          protocol: 'UDP',
          state: 'failed',
          message: '[::1]:53: address already in use',
          code: 'EADDRINUSE',
        },
      ],
      backends: [{ id: 'i-a', health: 'healthy', since: 5000, detail: 'HTTP 200', eligible: true }],
      eligibleBackends: 1,
      ...over,
    });
    const failing = describeDataPlane(row(), status(), undefined);
    expect(failing.dataPlane.ports[0]).toEqual({
      protocol: 'TCP',
      port: 80,
      ipFamily: 'IPv4',
      state: 'listening',
      address: '127.203.113.7',
      hostPort: 10080,
      message: 'mapped',
    });
    expect(failing.dataPlane).toMatchObject({
      state: 'error',
      message: 'UDP/53: [::1]:53: address already in use; the other 3 listener(s) serve (retrying)',
      healthyBackends: 1,
    });
    expect(failing.health.get('i-a')).toEqual({
      health: 'healthy',
      changedAt: 5000,
      detail: 'HTTP 200',
    });

    const allUp = status({
      listeners: status().listeners.map((l) => ({
        ...l,
        state: 'listening' as const,
        address: '::1',
        port: 53,
      })),
    });
    expect(describeDataPlane(row(), allUp, undefined).dataPlane.state).toBe('serving');
    const down = {
      ...allUp,
      eligibleBackends: 0,
      backends: [{ id: 'i-a', health: 'unhealthy' as const, eligible: false }],
    };
    expect(describeDataPlane(row(), down, undefined).dataPlane).toMatchObject({
      state: 'no_healthy_backends',
      message: 'no healthy backend (1 unhealthy): connections are refused',
    });
    const unknown = {
      ...down,
      backends: [{ id: 'i-a', health: 'unknown' as const, eligible: false }],
    };
    expect(describeDataPlane(row(), unknown, undefined).dataPlane.state).toBe('starting');
    expect(describeDataPlane(row(), undefined, undefined).dataPlane.state).toBe('starting');
  });
});
