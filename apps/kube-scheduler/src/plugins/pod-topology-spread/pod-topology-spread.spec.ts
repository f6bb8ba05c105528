import { makeNode, makePod, testCluster } from '../../testing/builders';
import { info } from '../../testing/builders';
import type { NodeInfo } from '../../cache/node-info';
import type { PodInfo } from '../../cache/pod-info';
import { ScheduleAlgorithm } from '../../framework/schedule-pod';
import { PodTopologySpread } from './pod-topology-spread';

const zoned = (name: string, zone: string) =>
  makeNode(name, { labels: { 'topology.kubernetes.io/zone': zone } });
const web = (name: string, node?: string) => makePod(name, { labels: { app: 'web' }, node });

describe('PodTopologySpread', () => {
  it('filters DoNotSchedule constraints by skew (matching + self − global minimum ≤ maxSkew)', () => {
    const nodes = [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b')];
    const { cache, listers } = testCluster(nodes, [web('w1', 'a1'), web('w2', 'a2')]);
    const plugin = new PodTopologySpread(listers, cache);
    const pod = info(
      makePod('new', {
        labels: { app: 'web' },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { app: 'web' } },
            },
          ],
        },
      }),
    );
    const state = new Map();
    plugin.preFilter(state, pod, cache.nodeList());
    // zone a has 2, zone b has 0: a → 2+1−0 = 3 > 1; b → 0+1−0 = 1.
    expect(plugin.filter(state, pod, cache.nodeInfo('a1')!)?.reasons).toEqual([
      "node(s) didn't match pod topology spread constraints",
    ]);
    expect(plugin.filter(state, pod, cache.nodeInfo('b1')!)).toBeUndefined();
  });

  it('rejects nodes without the topology label, and treats the minimum as 0 below minDomains', () => {
    const nodes = [zoned('a1', 'a'), makeNode('bare')];
    const { cache, listers } = testCluster(nodes, [web('w1', 'a1')]);
    const plugin = new PodTopologySpread(listers, cache);
    const constraint = {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'web' } },
    };
    const pod = info(
      makePod('new', { labels: { app: 'web' }, spec: { topologySpreadConstraints: [constraint] } }),
    );
    let state = new Map();
    plugin.preFilter(state, pod, cache.nodeList());
    expect(plugin.filter(state, pod, cache.nodeInfo('bare')!)?.reasons).toEqual([
      "node(s) didn't match pod topology spread constraints (missing required label)",
    ]);
    // One domain (a, 1 pod): skew 1+1−1 = 1 fits; with minDomains 2 the minimum is 0 → 2 > 1.
    expect(plugin.filter(state, pod, cache.nodeInfo('a1')!)).toBeUndefined();
    const strict = info(
      makePod('new', {
        labels: { app: 'web' },
        spec: { topologySpreadConstraints: [{ ...constraint, minDomains: 2 }] },
      }),
    );
    state = new Map();
    plugin.preFilter(state, strict, cache.nodeList());
    expect(plugin.filter(state, strict, cache.nodeInfo('a1')!)).toBeDefined();
  });

  it('spreads pods selected by a Service with the system default constraints', () => {
    const nodes = [zoned('a1', 'a'), zoned('a2', 'a'), zoned('b1', 'b')];
    const { cache, framework, listers } = testCluster(nodes, [web('w1', 'a1')]);
    listers.serviceList.push({
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' } },
    });
    const algorithm = new ScheduleAlgorithm(framework, cache, 0, () => 0.99);
    const first = algorithm.schedule(new Map(), info(web('w2')));
    // b1 is in the empty zone and on an empty node.
    expect(first).toMatchObject({ kind: 'scheduled', node: 'b1' });
    cache.addPod(web('w2', 'b1'));
    expect(algorithm.schedule(new Map(), info(web('w3')))).toMatchObject({ node: 'a2' });
  });

  it('skips default spreading for pods no Service or controller selects', () => {
    const { cache, listers } = testCluster([zoned('a1', 'a')]);
    const plugin = new PodTopologySpread(listers, cache);
    expect(
      plugin.preScore(new Map(), info(web('w')), cache.nodeList(), cache.nodeList())?.code,
    ).toBe(5);
  });

  it("selects the pods of the pod's controlling ReplicaSet for default spreading", () => {
    // a1 is much bigger, so LeastAllocated alone prefers it; spreading must win over that.
    const nodes = [
      makeNode('a1', {
        cpu: '64',
        memory: '256Gi',
        labels: { 'topology.kubernetes.io/zone': 'a' },
      }),
      zoned('b1', 'b'),
    ];
    const owned = (name: string, node?: string) =>
      makePod(name, {
        labels: { app: 'web', 'pod-template-hash': 'abc' },
        node,
        spec: {},
      });
    const bound = owned('r1', 'a1');
    const { cache, framework, listers } = testCluster(nodes, [bound]);
    listers.replicaSetList.push({
      metadata: { name: 'web-abc', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template: {} },
    });
    const algorithm = new ScheduleAlgorithm(framework, cache, 0, () => 0);
    expect(algorithm.schedule(new Map(), info(owned('orphan')))).toMatchObject({ node: 'a1' });
    const pod = owned('r2');
    pod.metadata!.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true },
    ];
    expect(algorithm.schedule(new Map(), info(pod))).toMatchObject({ node: 'b1' });
  });

  it('counts domains from the kept counts exactly as a walk over the nodes does', () => {
    // The plugin uses its kept counts only for the cache's own node list; a copy of the list makes
    // it walk the nodes, so the two cycle states must agree, change after change.
    const nodes = [
      zoned('a1', 'a'),
      zoned('a2', 'a'),
      zoned('b1', 'b'),
      zoned('c1', 'c'),
      makeNode('bare'),
    ];
    const w1 = web('w1', 'a1');
    const { cache, listers } = testCluster(nodes, [w1, web('w2', 'b1')]);
    const plugin = new PodTopologySpread(listers, cache);
    listers.serviceList.push({
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' } },
    });
    const spread = (whenUnsatisfiable: string) => ({
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable,
      labelSelector: { matchLabels: { app: 'web' } },
    });
    const pods = [
      info(web('defaults')),
      info(
        makePod('own', {
          labels: { app: 'web' },
          spec: { topologySpreadConstraints: [spread('DoNotSchedule'), spread('ScheduleAnyway')] },
        }),
      ),
    ];
    // What the cycle counted (the constraints' compiled selectors differ by identity only).
    const cycle = (pod: PodInfo, list: NodeInfo[]) => {
      const state = new Map();
      plugin.preFilter(state, pod, list);
      plugin.preScore(state, pod, list, list);
      const { matchNum, domains, minMatch } = state.get('PodTopologySpread/preFilter');
      const { pairCounts, ignored, weights } = state.get('PodTopologySpread/preScore') ?? {};
      return { matchNum, domains, minMatch, pairCounts, ignored, weights };
    };
    const compare = () => {
      for (const pod of pods) {
        expect(cycle(pod, cache.nodeList())).toEqual(cycle(pod, [...cache.nodeList()]));
      }
    };
    compare();
    cache.addPod(web('w3', 'c1'));
    compare();
    cache.removePod(w1);
    cache.addPod(web('w4', 'a2'));
    cache.addNode(zoned('bare', 'c'));
    compare();
    // w1 gone; w4 in a, w2 in b, w3 and the relabelled node's zone c; no node without a zone.
    expect(cycle(pods[0], cache.nodeList()).pairCounts).toEqual(
      new Map([
        ['topology.kubernetes.io/zone\u0000a', 1],
        ['topology.kubernetes.io/zone\u0000b', 1],
        ['topology.kubernetes.io/zone\u0000c', 1],
      ]),
    );
    expect(cycle(pods[1], cache.nodeList()).matchNum).toEqual(
      new Map([
        ['topology.kubernetes.io/zone\u0000a', 1],
        ['topology.kubernetes.io/zone\u0000b', 1],
        ['topology.kubernetes.io/zone\u0000c', 1],
      ]),
    );
  });
});
