import { hostPortOf } from '@app/common';
import type { EndpointSliceObject, ServiceObject } from '@app/kube-client';
import { endpointsOf, localReadyEndpoints, usableEndpoints } from './endpoints';
import { proxyRules } from './proxy-rules';
import { serviceHealthBody } from '../service-health-servers';

const NODES = [
  { name: 'worker-1', address: '127.10.0.4', podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'] },
  { name: 'worker-2', address: '127.10.0.5', podCIDRs: ['10.244.2.0/24'] },
];

function service(spec: Partial<NonNullable<ServiceObject['spec']>> = {}): ServiceObject {
  return {
    metadata: { namespace: 'default', name: 'web' },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.20',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
      ...spec,
    },
  };
}

interface Ep {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

function slice(endpoints: Ep[], extra: Partial<EndpointSliceObject> = {}): EndpointSliceObject {
  return {
    addressType: 'IPv4',
    metadata: {
      namespace: 'default',
      name: 'web-abcde',
      labels: { 'kubernetes.io/service-name': 'web' },
    },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      nodeName: e.node,
      conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    })),
    ...extra,
  };
}

const rules = (svc: ServiceObject, slices: EndpointSliceObject[]) =>
  proxyRules({
    services: [svc],
    slices: new Map([['default/web', slices]]),
    nodes: NODES,
    scheduler: 'rr',
  });

const backendIds = (r: ReturnType<typeof rules>, id: string) =>
  r.servers.get(id)?.backends.map((b) => b.id);

describe('endpoint selection (pkg/proxy/topology.go)', () => {
  const port = service().spec!.ports![0];

  it('reads slices as upstream: unset ready/serving are true, terminating false; IPv6 slices and other ports ignored', () => {
    const eps = endpointsOf(
      [
        slice([{ ip: '10.244.1.2', node: 'worker-1' }]),
        slice([{ ip: 'fd00::2' }], { addressType: 'IPv6' }),
        slice([{ ip: '10.244.1.9' }], {
          ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }],
        }),
      ],
      port,
    );
    expect(eps).toEqual([
      {
        ip: '10.244.1.2',
        port: 8080,
        nodeName: 'worker-1',
        ready: true,
        serving: true,
        terminating: false,
      },
    ]);
  });

  it('deduplicates an endpoint listed in two slices, keeping the ready copy', () => {
    const eps = endpointsOf(
      [slice([{ ip: '10.244.1.2', ready: false }]), slice([{ ip: '10.244.1.2', ready: true }])],
      port,
    );
    expect(eps).toHaveLength(1);
    expect(eps[0].ready).toBe(true);
  });

  it('uses ready endpoints, and serving terminating ones only when none is ready', () => {
    const eps = endpointsOf(
      [
        slice([
          { ip: '10.244.1.2', ready: true },
          { ip: '10.244.1.3', ready: false, serving: true, terminating: true },
          { ip: '10.244.1.4', ready: false, serving: false, terminating: false },
        ]),
      ],
      port,
    );
    expect(usableEndpoints(eps).map((e) => e.ip)).toEqual(['10.244.1.2']);
    const withoutReady = eps.filter((e) => !e.ready);
    expect(usableEndpoints(withoutReady).map((e) => e.ip)).toEqual(['10.244.1.3']);
    expect(usableEndpoints(eps.filter((e) => e.ip === '10.244.1.4'))).toEqual([]);
  });

  it('restricts to the node with the same terminating fallback among local endpoints', () => {
    const eps = endpointsOf(
      [
        slice([
          { ip: '10.244.1.2', node: 'worker-1', ready: true },
          { ip: '10.244.2.2', node: 'worker-2', ready: false, serving: true, terminating: true },
        ]),
      ],
      port,
    );
    expect(usableEndpoints(eps, { nodeName: 'worker-1' }).map((e) => e.ip)).toEqual(['10.244.1.2']);
    expect(usableEndpoints(eps, { nodeName: 'worker-2' }).map((e) => e.ip)).toEqual(['10.244.2.2']);
    expect(usableEndpoints(eps, { nodeName: 'worker-3' })).toEqual([]);
  });

  it('counts local ready endpoints by IP for the health check (not terminating ones)', () => {
    const two = service({
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 },
        { name: 'https', port: 443, protocol: 'TCP', nodePort: 30443 },
      ],
    }).spec!.ports!;
    const s = slice([
      { ip: '10.244.1.2', node: 'worker-1' },
      { ip: '10.244.1.3', node: 'worker-1', ready: false, serving: true, terminating: true },
    ]);
    s.ports = [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'https', port: 8443, protocol: 'TCP' },
    ];
    const all = two.flatMap((p) => endpointsOf([s], p));
    expect(all).toHaveLength(4);
    expect(localReadyEndpoints(all, 'worker-1')).toBe(1);
    expect(localReadyEndpoints(all, 'worker-2')).toBe(0);
  });
});

describe('proxy rules', () => {
  const eps = [
    { ip: '10.244.1.2', node: 'worker-1' },
    { ip: '10.244.1.3', node: 'worker-1' },
    { ip: '10.244.2.2', node: 'worker-2', ready: false },
  ];

  it('a NodePort on every node and the ClusterIP once, to the ready endpoints', () => {
    const r = rules(service(), [slice(eps)]);
    expect([...r.servers.keys()].sort()).toEqual([
      'clusterip|default/web:http/TCP',
      'nodeport|worker-1|default/web:http/TCP',
      'nodeport|worker-2|default/web:http/TCP',
    ]);
    const worker2 = r.servers.get('nodeport|worker-2|default/web:http/TCP')!;
    expect(worker2.listeners).toEqual([
      {
        name: 'nodeport',
        protocol: 'TCP',
        bind: { address: '127.10.0.5', port: 30080 },
        targetPort: 30080,
      },
    ]);
    expect(worker2.backends).toEqual([
      { id: '10.244.1.2:8080', address: '127.244.1.2', port: 8080, ready: true },
      { id: '10.244.1.3:8080', address: '127.244.1.3', port: 8080, ready: true },
    ]);
    expect(worker2.scheduler).toBe('rr');
    expect(worker2.affinity).toBeUndefined();
    const cluster = r.servers.get('clusterip|default/web:http/TCP')!;
    expect(cluster.listeners[0].bind).toEqual({ address: '127.96.0.20', port: hostPortOf(80) });
    expect(r.healthChecks.get('worker-1')).toEqual([]);
  });

  it('externalTrafficPolicy Local: each node forwards to its own endpoints only; none → no backend', () => {
    const r = rules(service({ externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 }), [
      slice(eps),
    ]);
    expect(backendIds(r, 'nodeport|worker-1|default/web:http/TCP')).toEqual([
      '10.244.1.2:8080',
      '10.244.1.3:8080',
    ]);
    expect(backendIds(r, 'nodeport|worker-2|default/web:http/TCP')).toEqual([]);
    expect(r.noLocalEndpoints).toBe(1);
    // The ClusterIP is not restricted by the external policy.
    expect(backendIds(r, 'clusterip|default/web:http/TCP')).toHaveLength(2);
    expect(r.healthChecks.get('worker-1')).toEqual([
      { port: 32000, namespace: 'default', name: 'web', localEndpoints: 2 },
    ]);
    expect(r.healthChecks.get('worker-2')).toEqual([
      { port: 32000, namespace: 'default', name: 'web', localEndpoints: 0 },
    ]);
  });

  it('internalTrafficPolicy Local: the ClusterIP gives clients from a node (its address, its pod CIDR) only its endpoints; others every endpoint', () => {
    const r = rules(service({ internalTrafficPolicy: 'Local' }), [
      slice([...eps, { ip: '10.244.2.7', node: 'worker-2', ready: false }]),
    ]);
    const cluster = r.servers.get('clusterip|default/web:http/TCP')!;
    expect(cluster.backends.map((b) => b.id)).toEqual(['10.244.1.2:8080', '10.244.1.3:8080']);
    expect(cluster.clientGroups).toEqual([
      {
        name: 'worker-1',
        sources: ['127.10.0.4/32', '127.244.1.0/24'],
        backends: ['10.244.1.2:8080', '10.244.1.3:8080'],
      },
      { name: 'worker-2', sources: ['127.10.0.5/32', '127.244.2.0/24'], backends: [] },
      {
        name: 'not a cluster address',
        sources: ['0.0.0.0/0', '::/0'],
        backends: ['10.244.1.2:8080', '10.244.1.3:8080'],
      },
    ]);
    expect(r.noLocalInternalEndpoints).toBe(1);
    // NodePorts follow externalTrafficPolicy only.
    expect(backendIds(r, 'nodeport|worker-2|default/web:http/TCP')).toHaveLength(2);
    expect(r.noLocalEndpoints).toBe(0);
    expect(
      rules(service(), [slice(eps)]).servers.get('clusterip|default/web:http/TCP')!.clientGroups,
    ).toBeUndefined();
  });

  it('sessionAffinity ClientIP carries its timeout (default 3 h)', () => {
    const dflt = rules(service({ sessionAffinity: 'ClientIP' }), [slice(eps)]);
    expect(dflt.servers.get('clusterip|default/web:http/TCP')!.affinity).toEqual({
      timeoutMs: 10_800_000,
    });
    const short = rules(
      service({
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } },
      }),
      [slice(eps)],
    );
    expect(short.servers.get('nodeport|worker-1|default/web:http/TCP')!.affinity).toEqual({
      timeoutMs: 30_000,
    });
  });

  it('ClusterIP Services get no NodePorts; headless and ExternalName Services nothing', () => {
    const internal = rules(service({ type: 'ClusterIP', ports: [{ name: 'http', port: 80 }] }), [
      slice(eps),
    ]);
    expect([...internal.servers.keys()]).toEqual(['clusterip|default/web:http/TCP']);
    expect(
      rules(service({ type: 'ClusterIP', clusterIP: 'None' }), [slice(eps)]).servers.size,
    ).toBe(0);
    expect(rules(service({ type: 'ExternalName', clusterIP: undefined }), []).services).toBe(0);
  });

  it('UDP ports get UDP listeners; SCTP ones none', () => {
    const r = rules(
      service({
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 },
          { name: 'sctp', port: 9, protocol: 'SCTP', nodePort: 30009 },
        ],
      }),
      [
        slice([{ ip: '10.244.1.2', node: 'worker-1' }], {
          ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }],
        }),
      ],
    );
    expect([...r.servers.keys()].sort()).toEqual([
      'clusterip|default/web:dns/UDP',
      'nodeport|worker-1|default/web:dns/UDP',
      'nodeport|worker-2|default/web:dns/UDP',
    ]);
    expect(r.servers.get('nodeport|worker-1|default/web:dns/UDP')!.listeners[0].protocol).toBe(
      'UDP',
    );
    expect(backendIds(r, 'nodeport|worker-1|default/web:dns/UDP')).toEqual(['10.244.1.2:5353']);
  });
});

describe('healthCheckNodePort body (service_health.go)', () => {
  it('is the dedented, tab-indented JSON upstream prints', () => {
    expect(
      serviceHealthBody({ port: 1, namespace: 'default', name: 'web', localEndpoints: 1 }, true),
    ).toBe(
      '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}',
    );
  });
});
