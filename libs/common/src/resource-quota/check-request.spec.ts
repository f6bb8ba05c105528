import fc from 'fast-check';
import {
  checkQuotaRequest,
  quotaEvaluatorFor,
  quotaListJson,
  quotaStatusFor,
  QuotaDeniedError,
  type ResourceQuotaLike,
} from './index';

const pods = quotaEvaluatorFor('', 'pods')!;
const services = quotaEvaluatorFor('', 'services')!;

const quota = (
  name: string,
  hard: Record<string, string>,
  used?: Record<string, string>,
  spec: object = {},
) => ({
  metadata: { name, namespace: 'team' },
  spec: { hard, ...spec },
  status: used ? { hard, used } : undefined,
});
const pod = (cpu?: string, extra: object = {}) => ({
  metadata: { name: 'p' },
  spec: {
    containers: [{ name: 'c', resources: cpu ? { requests: { cpu, memory: '1Mi' } } : {} }],
    ...extra,
  },
});
const denied = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(QuotaDeniedError);
    return (err as Error).message;
  }
  throw new Error('not denied');
};

describe('checkQuotaRequest', () => {
  it('charges every matching quota the new object', () => {
    const a = quota('a', { pods: '3', 'requests.cpu': '2' }, { pods: '1', 'requests.cpu': '500m' });
    const b = quota('b', { 'count/secrets': '1' }, { 'count/secrets': '0' });
    const charges = checkQuotaRequest([a, b], { evaluator: pods, obj: pod('1'), nowMs: 0 });
    expect(charges.map((c) => [c.quota.metadata.name, quotaListJson(c.used)])).toEqual([
      ['a', { pods: '2', 'requests.cpu': '1500m' }],
    ]);
  });

  it('refuses what exceeds with upstream message, naming only what exceeds', () => {
    const a = quota(
      'compute',
      { pods: '3', 'requests.cpu': '1' },
      { pods: '1', 'requests.cpu': '600m' },
    );
    expect(
      denied(() => checkQuotaRequest([a], { evaluator: pods, obj: pod('600m'), nowMs: 0 })),
    ).toBe(
      'exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1',
    );
  });

  it('refuses before the controller counted a limit, and pods without the quota-tracked requests', () => {
    // A quota the controller has not seen yet has no status.hard, so it limits nothing (upstream).
    expect(
      checkQuotaRequest([quota('fresh', { pods: '3' })], {
        evaluator: pods,
        obj: pod('1'),
        nowMs: 0,
      }),
    ).toEqual([]);
    const uncounted = { ...quota('raised', { pods: '3', 'requests.cpu': '1' }, { pods: '0' }) };
    expect(
      denied(() => checkQuotaRequest([uncounted], { evaluator: pods, obj: pod('1'), nowMs: 0 })),
    ).toBe('status unknown for quota: raised, resources: pods,requests.cpu');
    const computed = quota(
      'compute',
      { pods: '3', 'limits.cpu': '1' },
      { pods: '0', 'limits.cpu': '0' },
    );
    expect(
      denied(() => checkQuotaRequest([computed], { evaluator: pods, obj: pod(), nowMs: 0 })),
    ).toBe('failed quota: compute: must specify limits.cpu for: c');
  });

  it('skips quotas whose scopes the object is outside of', () => {
    const best = quota('best-effort', { pods: '0' }, { pods: '0' }, { scopes: ['BestEffort'] });
    expect(checkQuotaRequest([best], { evaluator: pods, obj: pod('1'), nowMs: 0 })).toEqual([]);
    expect(
      denied(() => checkQuotaRequest([best], { evaluator: pods, obj: pod(), nowMs: 0 })),
    ).toMatch(/^exceeded quota: best-effort, requested: pods=1, used: pods=0, limited: pods=0$/);
  });

  it('charges an update only what it grows', () => {
    const lb = quota('lb', { 'services.loadbalancers': '1' }, { 'services.loadbalancers': '1' });
    const clusterIp = { spec: { type: 'ClusterIP', ports: [{ port: 80 }] } };
    const loadBalancer = { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };
    expect(
      checkQuotaRequest([lb], {
        evaluator: services,
        obj: loadBalancer,
        old: loadBalancer,
        nowMs: 0,
      }),
    ).toEqual([]);
    expect(
      denied(() =>
        checkQuotaRequest([lb], {
          evaluator: services,
          obj: loadBalancer,
          old: clusterIp,
          nowMs: 0,
        }),
      ),
    ).toBe(
      'exceeded quota: lb, requested: services.loadbalancers=1, used: services.loadbalancers=1, limited: services.loadbalancers=1',
    );
  });

  it('never lets used pass hard, and refuses only what would pass it (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.integer({ min: 0, max: 1500 }), { maxLength: 30 }),
        (limit, requests) => {
          let q: ResourceQuotaLike = quota(
            'q',
            { 'requests.cpu': `${limit}m` },
            { 'requests.cpu': '0' },
          );
          let used = 0;
          for (const cpu of requests) {
            try {
              const [charge] = checkQuotaRequest([q], {
                evaluator: pods,
                obj: pod(`${cpu}m`),
                nowMs: 0,
              });
              used += cpu;
              if (charge) {
                q = {
                  ...q,
                  status: {
                    hard: { 'requests.cpu': `${limit}m` },
                    used: quotaListJson(charge.used),
                  },
                };
              }
            } catch {
              expect(used + cpu).toBeGreaterThan(limit);
            }
            expect(used).toBeLessThanOrEqual(limit);
          }
          const status = (q.status ?? {}) as { used: Record<string, string> };
          expect(status.used['requests.cpu']).toBe(
            quotaListJson(new Map([['x', { milli: BigInt(used), binary: false }]])).x,
          );
        },
      ),
    );
  });
});

describe('quotaStatusFor', () => {
  const objects = [
    pod('250m'),
    pod('250m', { activeDeadlineSeconds: 60 }),
    { ...pod('1'), status: { phase: 'Failed' } },
  ];

  it('counts the objects in scope, starting each tracked name at zero, and copies hard', () => {
    const q = quota('q', { pods: '10', 'requests.cpu': '4', 'requests.storage': '1Gi' });
    const result = quotaStatusFor(q, (e) => (e === pods ? objects : []), 0);
    expect(result).toEqual({
      status: {
        hard: { pods: '10', 'requests.cpu': '4', 'requests.storage': '1Gi' },
        used: { pods: '2', 'requests.cpu': '500m', 'requests.storage': '0' },
      },
      changed: true,
    });
    const scoped = quota('t', { pods: '10' }, undefined, { scopes: ['Terminating'] });
    expect(quotaStatusFor(scoped, () => objects, 0).status.used).toEqual({ pods: '1' });
  });

  it('reports no change when the stored status already says so', () => {
    const q = quota('q', { pods: '10' }, { pods: '2' });
    expect(quotaStatusFor(q, () => objects, 0).changed).toBe(false);
    expect(quotaStatusFor(q, () => objects.slice(0, 1), 0).changed).toBe(true);
  });
});
