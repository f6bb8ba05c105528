import fc from 'fast-check';
import { hasAllLabelKeys, selectorFromSet, type Selector } from '../api/labels';
import { makeNode, makePod } from '../testing/builders';
import { PodInfo } from './pod-info';
import { DomainCounts, type DomainCount } from './domain-counts';
import { SchedulerCache } from './scheduler-cache';

const ZONE = 'topology.kubernetes.io/zone';
const RACK = 'example.com/rack';
const NODES = Array.from({ length: 12 }, (_, i) => `n${i}`);
const APPS = ['web', 'db'];
const NAMESPACES = ['default', 'other'];

/** The counts by definition: a walk over every node of the cache. */
function walk(
  cache: SchedulerCache,
  namespace: string,
  selector: Selector,
  topologyKey: string,
  requiredKeys: readonly string[],
): Map<string, DomainCount> {
  const domains = new Map<string, DomainCount>();
  for (const node of cache.nodeList()) {
    if (!hasAllLabelKeys(node.labels, requiredKeys)) {
      continue;
    }
    const value = node.labels?.[topologyKey] ?? '';
    const d = domains.get(value) ?? { nodes: 0, pods: 0 };
    d.nodes++;
    d.pods += node.countMatching(selector, namespace);
    domains.set(value, d);
  }
  return domains;
}

const sorted = (m: ReadonlyMap<string, DomainCount>) =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const nodeLabels = fc.record(
  { [ZONE]: fc.constantFrom('a', 'b', ''), [RACK]: fc.constantFrom('r1', 'r2') },
  { requiredKeys: [] },
);

/** Every way the cache changes: nodes come, go and are relabelled; pods come, move, go, are assumed. */
// Each question asks every combination, so the counts are mostly brought up to date from the
// change log (a question after more changes than the cache has nodes recounts everything).
const operation = fc.oneof(
  fc.record({
    op: fc.constant('node' as const),
    node: fc.constantFrom(...NODES),
    labels: nodeLabels,
  }),
  fc.record({ op: fc.constant('removeNode' as const), node: fc.constantFrom(...NODES) }),
  fc.record({
    op: fc.constantFrom('addPod' as const, 'assume' as const),
    pod: fc.integer({ min: 0, max: 9 }),
    node: fc.constantFrom(...NODES),
    app: fc.constantFrom(...APPS),
    namespace: fc.constantFrom(...NAMESPACES),
  }),
  fc.record({ op: fc.constant('removePod' as const), pod: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ op: fc.constant('ask' as const) }),
);

const QUESTIONS = APPS.flatMap((app) =>
  NAMESPACES.flatMap((namespace) =>
    [ZONE, RACK].flatMap((topologyKey) =>
      [[], [ZONE], [ZONE, RACK]].map((requiredKeys) => ({
        selector: selectorFromSet({ app }),
        namespace,
        topologyKey,
        requiredKeys,
      })),
    ),
  ),
);

describe('DomainCounts', () => {
  it('always answers what a walk over every node of the cache counts', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { minLength: 20, maxLength: 60, size: 'max' }),
        (operations) => {
          const cache = new SchedulerCache();
          const counts = new DomainCounts(cache);
          const pods = new Map<number, ReturnType<typeof makePod>>();
          for (const o of operations) {
            if (o.op === 'node') {
              cache.addNode(makeNode(o.node, { labels: o.labels }));
            } else if (o.op === 'removeNode') {
              cache.removeNode(o.node);
            } else if (o.op === 'addPod' || o.op === 'assume') {
              const old = pods.get(o.pod);
              const pod = makePod(`p${o.pod}`, {
                uid: `uid-${o.pod}`,
                namespace: o.namespace,
                labels: { app: o.app },
                node: o.node,
              });
              if (o.op === 'assume' && !old) {
                cache.assumePod(new PodInfo(pod), o.node);
              } else if (old) {
                cache.updatePod(pod); // a relabelled or moved pod
              } else {
                cache.addPod(pod);
              }
              pods.set(o.pod, pod);
            } else if (o.op === 'removePod') {
              const pod = pods.get(o.pod);
              if (pod) {
                cache.removePod(pod);
                pods.delete(o.pod);
              }
            } else {
              for (const q of QUESTIONS) {
                const kept = counts.domains(q.namespace, q.selector, q.topologyKey, q.requiredKeys);
                expect(sorted(kept)).toEqual(
                  sorted(walk(cache, q.namespace, q.selector, q.topologyKey, q.requiredKeys)),
                );
              }
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
