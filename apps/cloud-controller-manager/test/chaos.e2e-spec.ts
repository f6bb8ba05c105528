import { parseRouteDescription } from '@app/cloud-provider';
import type { V1Service } from '@app/kube-client';
import { defaultLoadBalancerName } from '@app/cloud-provider';
import { CLOUD_ADMIN_TOKEN, CcmHarness, waitFor } from './harness';
import {
  cloudLb,
  createLbService,
  deleteService,
  getService,
  ingressIPs,
  patchService,
} from './service-e2e';

// The CCM against the cloud's own fault injection: errors, commit-then-fail, connection resets,
// stuck operations and latency, with dozens of LoadBalancer Services and nodes coming and going.
// Once the faults are gone, every Service has exactly one load balancer and every node its route;
// after deleting everything, nothing is left in the cloud. Seeded rules: the same calls fail on
// every run (the order of calls still depends on the machine).
jest.setTimeout(600_000);

const CLUSTER = 'chaos';
const SERVICES = 24;
const NODES = 12;
let h: CcmHarness;
let networkId: string;

const admin = (method: string, path: string, body?: object) =>
  fetch(`${h.cloudApi.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${CLOUD_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

// Every rule matches only the CCM's own token, so the test's calls are never faulted.
const CCM = { tokenName: 'chaos-ccm' };
const FAULTS = [
  {
    description: 'chaos: 15 % of load-balancer calls fail with 503',
    match: { ...CCM, operation: 'loadBalancers.*' },
    trigger: { probability: 0.15, seed: 'chaos-lb-errors' },
    effect: { type: 'error', status: 503 },
  },
  {
    description: 'chaos: 15 % of route calls fail with 503',
    match: { ...CCM, operation: 'routes.*' },
    trigger: { probability: 0.15, seed: 'chaos-route-errors' },
    effect: { type: 'error', status: 503 },
  },
  {
    description: 'chaos: 10 % of creates commit, then answer 500',
    match: { ...CCM, operation: '*.create', method: 'POST' },
    trigger: { probability: 0.1, seed: 'chaos-commit' },
    effect: { type: 'commitThenFail', status: 500 },
  },
  {
    description: 'chaos: 5 % of reads lose their connection',
    match: { ...CCM, method: 'GET' },
    trigger: { probability: 0.05, seed: 'chaos-reset' },
    effect: { type: 'resetConnection' },
  },
  {
    description: 'chaos: the first three load-balancer updates get stuck',
    match: { ...CCM, operation: 'loadBalancers.update' },
    trigger: { firstCalls: 3 },
    effect: { type: 'stuckOperation' },
  },
  {
    description: 'chaos: latency on every call of the CCM',
    match: CCM,
    trigger: { seed: 'chaos-latency' },
    effect: { type: 'latency', distribution: 'uniform', minMs: 1, maxMs: 40 },
  },
];

beforeAll(async () => {
  h = await CcmHarness.start({
    transitionMs: 100,
    rateLimits: 'off',
    quotas: 'routesPerNetwork=500',
  });
  networkId = (await h.cloud.networks.getDefault()).id;
  const token = await admin('POST', '/v1/projects/default/tokens', { name: CCM.tokenName });
  const { secret } = (await token.json()) as { secret: string };
  await h.startCcm({
    cloudToken: secret,
    controllers: 'service,route,cloud-node',
    clusterName: CLUSTER,
    clusterCidr: '10.250.0.0/16',
    concurrentServiceSyncs: '5',
  });
});
afterAll(() => h.close());

/** Every load balancer in the cloud, by name. */
async function cloudLoadBalancers(): Promise<Map<string, number>> {
  const names = new Map<string, number>();
  for await (const lb of h.cloud.loadBalancers.listAll()) {
    names.set(lb.name, (names.get(lb.name) ?? 0) + 1);
  }
  return names;
}

/** The cluster's routes in the cloud, destination → next-hop instance. */
async function clusterRoutes(): Promise<Map<string, string[]>> {
  const routes = new Map<string, string[]>();
  for await (const route of h.cloud.routes.listAll(networkId)) {
    if (parseRouteDescription(route.description)?.clusterName === CLUSTER) {
      routes.set(route.destinationCidr, [
        ...(routes.get(route.destinationCidr) ?? []),
        route.nextHop.instanceId,
      ]);
    }
  }
  return routes;
}

const retrying = async <T>(fn: () => Promise<T>): Promise<T> =>
  waitFor(() => fn().then((v) => v ?? (true as T)), {
    timeoutMs: 30_000,
    message: 'a test-side call',
  });

async function joinNode(i: number): Promise<{ name: string; cidr: string; instanceId: string }> {
  const name = `chaos-n${i}`;
  const instance = await h.createInstance(name);
  const cidr = `10.250.${i}.0/24`;
  await h.createNode(name, { podCIDRs: [cidr], ready: 'True' });
  return { name, cidr, instanceId: instance.id };
}

let hits: string[] = [];

it('converges to one LB per Service and one route per node, and leaves nothing behind', async () => {
  const nodes: { name: string; cidr: string; instanceId: string }[] = [];
  for (let i = 0; i < 4; i++) {
    nodes.push(await joinNode(i));
  }
  const ruleIds: string[] = [];
  for (const rule of FAULTS) {
    const res = await admin('POST', '/admin/faults', rule);
    expect(res.status).toBe(201);
    ruleIds.push(((await res.json()) as { id: string }).id);
  }

  // Churn under faults: Services and nodes come and go.
  const services: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    services.push(`chaos-s${i}`);
    await createLbService(h, `chaos-s${i}`);
  }
  for (let i = 4; i < NODES; i++) {
    nodes.push(await joinNode(i));
  }
  const gone = nodes.splice(0, 3);
  for (const node of gone) {
    await h.core.deleteNode({ name: node.name });
    await retrying(() => h.cloud.instances.terminate(node.instanceId));
  }
  for (const name of services.splice(0, 8)) {
    await deleteService(h, name);
  }
  for (let i = SERVICES; i < SERVICES + 4; i++) {
    services.push(`chaos-s${i}`);
    await createLbService(h, `chaos-s${i}`);
  }
  // Node churn only adds and removes backends; a changed Service spec is what updates an LB
  // (PUT), which the stuck-operation rule needs.
  const withAffinity = new Set<string>();
  const changeService = async (name: string) => {
    withAffinity.add(name);
    await patchService(h, name, { spec: { sessionAffinity: 'ClientIP' } });
  };
  for (const name of services.slice(0, 4)) {
    await changeService(name);
  }

  // Every kind of fault really hit the CCM (otherwise this proves nothing). Which calls a seeded
  // rule hits depends on the order of calls, so churn on (a node joins and leaves, a Service comes
  // and goes: LB and route creates, updates and deletes) until every rule has hit.
  const everyRuleHit = async () => {
    const { items } = (await (await admin('GET', '/admin/faults')).json()) as {
      items: { description: string; hits: number }[];
    };
    hits = items.map((r) => `${r.description}: ${r.hits}`);
    return items.every((r) => r.hits > 0);
  };
  for (let round = 0; !(await everyRuleHit()); round++) {
    if (round === 10) {
      throw new Error(`a fault rule never hit the CCM after 10 churn rounds: ${hits.join('; ')}`);
    }
    const extra = await joinNode(NODES + round);
    await createLbService(h, `chaos-extra${round}`);
    await changeService(services[4 + round]);
    await waitFor(everyRuleHit, {
      timeoutMs: 20_000,
      message: 'every fault rule to have hit',
    }).catch(() => undefined);
    await h.core.deleteNode({ name: extra.name });
    await retrying(() => h.cloud.instances.terminate(extra.instanceId));
    await deleteService(h, `chaos-extra${round}`);
  }
  // The faults end; the controllers must get everything right on their own.
  expect((await admin('DELETE', '/admin/faults')).status).toBe(204);
  const withIngress = async () => {
    const found: V1Service[] = [];
    for (const name of services) {
      const svc = await getService(h, name);
      if (!svc || ingressIPs(svc).length === 0) {
        return false;
      }
      found.push(svc);
    }
    return found;
  };
  const live = await waitFor(withIngress, {
    timeoutMs: 300_000,
    message: 'every Service with an ingress',
  });
  const wanted = new Set(live.map((svc) => defaultLoadBalancerName(svc)));
  await waitFor(
    async () => {
      const lbs = await cloudLoadBalancers();
      return (
        [...wanted].every((n) => lbs.get(n) === 1) && [...lbs.keys()].every((n) => wanted.has(n))
      );
    },
    { timeoutMs: 120_000, message: 'exactly one LB per Service and no other' },
  );
  await waitFor(
    async () => {
      for (const svc of live.filter((s) => withAffinity.has(s.metadata!.name!))) {
        if ((await cloudLb(h, svc))?.sessionAffinity.type !== 'client_ip') {
          return false;
        }
      }
      return true;
    },
    { timeoutMs: 120_000, message: "every changed Service's LB updated" },
  );
  await waitFor(
    async () => {
      const routes = await clusterRoutes();
      return (
        nodes.every(
          (n) => routes.get(n.cidr)?.length === 1 && routes.get(n.cidr)?.[0] === n.instanceId,
        ) && routes.size === nodes.length
      );
    },
    { timeoutMs: 120_000, message: 'one route per node, none for deleted nodes' },
  );

  // Delete everything: nothing may be left in the cloud.
  for (const name of services) {
    await deleteService(h, name);
  }
  for (const node of nodes) {
    await h.core.deleteNode({ name: node.name });
  }
  await waitFor(
    async () => {
      const [lbs, routes] = [await cloudLoadBalancers(), await clusterRoutes()];
      return lbs.size === 0 && routes.size === 0;
    },
    { timeoutMs: 180_000, message: 'no load balancer and no route left' },
  );
  const leaked = (await cloudLoadBalancers()).size + (await clusterRoutes()).size;
  process.stderr.write(
    `chaos: ${SERVICES + 4} Services, ${NODES} nodes (3 removed), ${FAULTS.length} fault rules; leaked cloud resources: ${leaked}; fault hits: ${hits.join('; ')}\n`,
  );
  expect(leaked).toBe(0);
});
