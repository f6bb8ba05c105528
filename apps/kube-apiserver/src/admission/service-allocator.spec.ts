import { ServiceAllocator } from './service-allocator';

const svc = (spec: Record<string, unknown>) => ({ metadata: { name: 's' }, spec });

describe('ServiceAllocator', () => {
  it('should allocate ClusterIPs and NodePorts and release them', () => {
    const a = new ServiceAllocator('10.96.0.0/24', () => 0);
    expect(a.firstIp).toBe('10.96.0.1');
    const s1 = svc({ type: 'NodePort', ports: [{ port: 80 }] });
    expect(a.allocate(s1, undefined).errors).toEqual([]);
    expect(s1.spec).toMatchObject({
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      ports: [{ port: 80, nodePort: 30000 }],
    });
    const s2 = svc({
      type: 'NodePort',
      ports: [{ port: 80, nodePort: 30000 }],
      clusterIP: '10.96.0.1',
    });
    expect(a.allocate(s2, undefined).errors.map((e) => e.message)).toEqual([
      expect.stringContaining('provided IP is already allocated'),
      expect.stringContaining('provided port is already allocated'),
    ]);
    a.releaseDropped(s1, undefined);
    expect(a.allocate(s2, undefined).errors).toEqual([]);
  });

  it('should keep the ClusterIP on update and drop NodePorts when the type changes', () => {
    const a = new ServiceAllocator('10.96.0.0/24', () => 0);
    const old = svc({ type: 'NodePort', ports: [{ port: 80 }] });
    a.allocate(old, undefined);
    const next = svc({ type: 'ClusterIP', ports: [{ port: 80, nodePort: 30000 }] });
    expect(a.allocate(next, old).errors).toEqual([]);
    expect(next.spec).toMatchObject({ clusterIP: '10.96.0.1', ports: [{ port: 80 }] });
    a.releaseDropped(old, next);
    const other = svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30000 }] });
    expect(a.allocate(other, undefined).errors).toEqual([]);
  });

  it('should allocate no nodePorts for a LoadBalancer with allocateLoadBalancerNodePorts false, and allocate them once it turns true', () => {
    const a = new ServiceAllocator('10.96.0.0/24', () => 0);
    const old = svc({ type: 'ClusterIP', ports: [{ port: 80 }] });
    a.allocate(old, undefined);
    const without = svc({
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: false,
      ports: [{ port: 80 }, { port: 81, nodePort: 31081 }],
    });
    expect(a.allocate(without, old).errors).toEqual([]);
    // One asked for explicitly is still honoured (upstream too).
    expect(without.spec.ports).toEqual([{ port: 80 }, { port: 81, nodePort: 31081 }]);
    const withPorts = svc({
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: true,
      ports: [{ port: 80 }, { port: 81, nodePort: 31081 }],
    });
    expect(a.allocate(withPorts, without).errors).toEqual([]);
    expect(withPorts.spec.ports).toEqual([
      { port: 80, nodePort: 30000 },
      { port: 81, nodePort: 31081 },
    ]);
  });

  it('should drop allocateLoadBalancerNodePorts and externalTrafficPolicy when the type no longer uses them (unless the update changed them)', () => {
    const a = new ServiceAllocator('10.96.0.0/24', () => 0);
    const lb = svc({
      type: 'LoadBalancer',
      allocateLoadBalancerNodePorts: true,
      externalTrafficPolicy: 'Cluster',
      ports: [{ port: 80 }],
    });
    a.allocate(lb, undefined);
    const toClusterIp = svc({
      type: 'ClusterIP',
      allocateLoadBalancerNodePorts: true,
      externalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, nodePort: 30000 }],
    });
    expect(a.allocate(toClusterIp, lb).errors).toEqual([]);
    expect(toClusterIp.spec).not.toHaveProperty('allocateLoadBalancerNodePorts');
    expect(toClusterIp.spec).not.toHaveProperty('externalTrafficPolicy');
    const toNodePort = svc({
      type: 'NodePort',
      allocateLoadBalancerNodePorts: true,
      externalTrafficPolicy: 'Local',
      ports: [{ port: 80, nodePort: 30000 }],
    });
    expect(a.allocate(toNodePort, lb).errors).toEqual([]);
    expect(toNodePort.spec).not.toHaveProperty('allocateLoadBalancerNodePorts');
    expect(toNodePort.spec).toMatchObject({ externalTrafficPolicy: 'Local' });
  });

  it('should give headless and ExternalName services no ClusterIP', () => {
    const a = new ServiceAllocator('10.96.0.0/24', () => 0);
    const headless = svc({ clusterIP: 'None', ports: [{ port: 80 }] });
    a.allocate(headless, undefined);
    expect(headless.spec.clusterIP).toBe('None');
    const external = svc({ type: 'ExternalName', externalName: 'x.example' });
    a.allocate(external, undefined);
    expect(external.spec.clusterIP).toBeUndefined();
  });

  it('allocates NodePorts at random in 30000-32767', () => {
    const a = new ServiceAllocator('10.96.0.0/24', () => 0.5);
    const s1 = svc({ type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] });
    a.allocate(s1, undefined);
    expect(s1.spec.ports).toEqual([
      { port: 80, nodePort: 31384 },
      { port: 81, nodePort: 31385 },
    ]);
  });

  it('gives a LoadBalancer with externalTrafficPolicy Local a healthCheckNodePort, keeps it, and drops it', () => {
    const a = new ServiceAllocator('10.96.0.0/24', () => 0);
    const local = svc({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 80 }],
    });
    expect(a.allocate(local, undefined).errors).toEqual([]);
    expect(local.spec).toMatchObject({ ports: [{ nodePort: 30000 }], healthCheckNodePort: 30001 });
    const again = svc({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 80, nodePort: 30000 }],
    });
    expect(a.allocate(again, local).errors).toEqual([]);
    expect(again.spec.healthCheckNodePort).toBe(30001);
    const changed = svc({ ...again.spec, healthCheckNodePort: 30500 });
    expect(a.allocate(changed, again).errors.map((e) => e.message)).toEqual([
      'Invalid value: 30500: field is immutable',
    ]);
    const cluster = svc({ ...again.spec, externalTrafficPolicy: 'Cluster' });
    expect(a.allocate(cluster, again).errors).toEqual([]);
    expect(cluster.spec.healthCheckNodePort).toBeUndefined();
    a.releaseDropped(again, cluster);
    const taker = svc({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 80, nodePort: 30002 }],
      healthCheckNodePort: 30001,
    });
    expect(a.allocate(taker, undefined).errors).toEqual([]);
    const wrong = svc({ type: 'NodePort', ports: [{ port: 80 }], healthCheckNodePort: 30010 });
    expect(a.allocate(wrong, undefined).errors.map((e) => e.field)).toEqual([
      'spec.healthCheckNodePort',
    ]);
  });
});
