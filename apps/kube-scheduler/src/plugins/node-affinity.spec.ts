import type { V1NodeSelectorRequirement } from '@app/kube-client';
import { NodeInfo } from '../cache/node-info';
import { PreFilterResult } from '../framework/interfaces';
import { Status } from '../framework/status';
import { info, makeNode, makePod } from '../testing/builders';
import { NodeAffinity } from './node-affinity';

const plugin = new NodeAffinity();
const nodeOf = (name: string, labels: Record<string, string> = {}) => {
  const n = new NodeInfo(name);
  n.setNode(makeNode(name, { labels }));
  return n;
};
const zoneA = nodeOf('a', { 'topology.kubernetes.io/zone': 'z-a', gen: '3' });
const zoneB = nodeOf('b', { 'topology.kubernetes.io/zone': 'z-b', gen: '5' });

const required = (
  ...terms: { exprs?: V1NodeSelectorRequirement[]; fields?: V1NodeSelectorRequirement[] }[]
) =>
  makePod('p', {
    spec: {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: terms.map((t) => ({
              matchExpressions: t.exprs,
              matchFields: t.fields,
            })),
          },
        },
      },
    },
  });

/** Runs PreFilter then Filter on each node; returns the names that fit. */
function fits(pod: ReturnType<typeof makePod>): string[] | Status | PreFilterResult {
  const state = new Map();
  const pre = plugin.preFilter(state, info(pod));
  if (pre instanceof Status) {
    return pre;
  }
  return [zoneA, zoneB].filter((n) => !plugin.filter(state, info(pod), n)).map((n) => n.name);
}

describe('NodeAffinity', () => {
  it('is skipped for pods without selector or required affinity', () => {
    expect(fits(makePod('p'))).toEqual(expect.objectContaining({ code: 5 }));
  });

  it('filters by nodeSelector (zone label) with the upstream reason', () => {
    const pod = makePod('p', { spec: { nodeSelector: { 'topology.kubernetes.io/zone': 'z-b' } } });
    expect(fits(pod)).toEqual(['b']);
    const state = new Map();
    plugin.preFilter(state, info(pod));
    expect(plugin.filter(state, info(pod), zoneA)?.reasons).toEqual([
      "node(s) didn't match Pod's node affinity/selector",
    ]);
  });

  it('ORs terms, ANDs expressions, supports NotIn, Exists, DoesNotExist, Gt and Lt', () => {
    const zone = 'topology.kubernetes.io/zone';
    expect(fits(required({ exprs: [{ key: zone, operator: 'In', values: ['z-a'] }] }))).toEqual([
      'a',
    ]);
    expect(fits(required({ exprs: [{ key: zone, operator: 'NotIn', values: ['z-a'] }] }))).toEqual([
      'b',
    ]);
    expect(fits(required({ exprs: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }))).toEqual([
      'b',
    ]);
    expect(fits(required({ exprs: [{ key: 'gen', operator: 'Lt', values: ['4'] }] }))).toEqual([
      'a',
    ]);
    expect(fits(required({ exprs: [{ key: 'gpu', operator: 'DoesNotExist' }] }))).toEqual([
      'a',
      'b',
    ]);
    expect(
      fits(
        required(
          { exprs: [{ key: 'gpu', operator: 'Exists' }] },
          {
            exprs: [
              { key: zone, operator: 'In', values: ['z-b'] },
              { key: 'gen', operator: 'Exists' },
            ],
          },
        ),
      ),
    ).toEqual(['b']);
  });

  it('narrows to node names from matchFields metadata.name in PreFilter (DaemonSet pods)', () => {
    const pod = required({ fields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] });
    const state = new Map();
    expect(plugin.preFilter(state, info(pod))).toEqual({ nodeNames: new Set(['b']) });
    expect(plugin.filter(state, info(pod), zoneA)).toBeDefined();
    expect(plugin.filter(state, info(pod), zoneB)).toBeUndefined();
  });

  it('scores preferred terms by weight, normalised to 100', () => {
    const pod = info(
      makePod('p', {
        spec: {
          affinity: {
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 10,
                  preference: { matchExpressions: [{ key: 'gen', operator: 'Exists' }] },
                },
                {
                  weight: 30,
                  preference: {
                    matchExpressions: [
                      { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['z-b'] },
                    ],
                  },
                },
              ],
            },
          },
        },
      }),
    );
    const state = new Map();
    expect(plugin.preScore(state, pod)).toBeUndefined();
    const scores = [zoneA, zoneB].map((node) => ({ node, score: plugin.score(state, pod, node) }));
    expect(scores.map((s) => s.score)).toEqual([10, 40]);
    plugin.normalizeScore(state, pod, scores);
    expect(scores.map((s) => s.score)).toEqual([25, 100]);
  });
});
