import type { DaemonSetObject, NodeObject } from '@app/kube-client';
import { daemonPodTolerations, nodeShouldRunDaemonPod, pinToNode } from './daemon-pod-spec';

const ds = (spec: Record<string, unknown> = {}): DaemonSetObject => ({
  metadata: { name: 'agent' },
  spec: { selector: {}, template: { spec: { containers: [], ...spec } } },
});
const node = (
  taints: { key: string; effect: string; value?: string }[] = [],
  labels = {},
): NodeObject => ({
  metadata: { name: 'worker-1', labels },
  spec: { taints },
});

describe('daemon pods (upstream daemon util)', () => {
  it('adds the automatic tolerations (network-unavailable only for host network)', () => {
    const keys = daemonPodTolerations({ containers: [] }).map((t) => `${t.key}:${t.effect}`);
    expect(keys).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(daemonPodTolerations({ containers: [], hostNetwork: true }).at(-1)?.key).toBe(
      'node.kubernetes.io/network-unavailable',
    );
  });

  it('pins the pod with matchFields metadata.name, keeping other terms', () => {
    const affinity = pinToNode(
      {
        containers: [],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
              ],
            },
          },
        },
      },
      'worker-2',
    );
    expect(
      affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    ).toEqual([
      {
        matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }],
        matchFields: [{ key: 'metadata.name', operator: 'In', values: ['worker-2'] }],
      },
    ]);
  });

  it('runs on unschedulable and not-ready nodes, not on uninitialised or untolerated ones', () => {
    expect(
      nodeShouldRunDaemonPod(
        ds(),
        node([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]),
      ).shouldRun,
    ).toBe(true);
    expect(
      nodeShouldRunDaemonPod(
        ds(),
        node([{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]),
      ).shouldRun,
    ).toBe(true);
    const uninit = nodeShouldRunDaemonPod(
      ds(),
      node([
        {
          key: 'node.cloudprovider.kubernetes.io/uninitialized',
          value: 'true',
          effect: 'NoSchedule',
        },
      ]),
    );
    expect(uninit).toEqual({ shouldRun: false, shouldContinueRunning: true });
    expect(nodeShouldRunDaemonPod(ds(), node([{ key: 'dedicated', effect: 'NoExecute' }]))).toEqual(
      {
        shouldRun: false,
        shouldContinueRunning: false,
      },
    );
    const tolerant = ds({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    expect(
      nodeShouldRunDaemonPod(tolerant, node([{ key: 'dedicated', effect: 'NoExecute' }])).shouldRun,
    ).toBe(true);
  });

  it('honours nodeSelector and required node affinity', () => {
    expect(
      nodeShouldRunDaemonPod(ds({ nodeSelector: { role: 'edge' } }), node([], { role: 'edge' }))
        .shouldRun,
    ).toBe(true);
    expect(
      nodeShouldRunDaemonPod(ds({ nodeSelector: { role: 'edge' } }), node([], {})).shouldRun,
    ).toBe(false);
  });
});
