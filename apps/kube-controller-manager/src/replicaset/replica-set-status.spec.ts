import type { PodObject } from '@app/kube-client';
import { calculateReplicaSetStatus } from './replica-set-status';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const pod = (labels: Record<string, string>, readyFor?: number): PodObject => ({
  metadata: { labels },
  status: {
    conditions:
      readyFor === undefined
        ? []
        : [
            {
              type: 'Ready',
              status: 'True',
              lastTransitionTime: new Date(NOW - readyFor * 1000).toISOString(),
            },
          ],
  },
});

const rs = (minReadySeconds = 0, conditions: never[] = []) => ({
  metadata: { generation: 4 },
  spec: {
    replicas: 3,
    minReadySeconds,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web', tier: 'fe' } } },
  },
  status: { replicas: 0, conditions },
});

describe('ReplicaSet status', () => {
  it('counts fully labeled, ready and available (minReadySeconds) pods', () => {
    const pods = [pod({ app: 'web', tier: 'fe' }, 30), pod({ app: 'web' }, 2), pod({ app: 'web' })];
    expect(calculateReplicaSetStatus(rs(10), pods, undefined, NOW)).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 1,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 4,
    });
  });

  it('sets ReplicaFailure on a create error and removes it once creates succeed', () => {
    const failed = calculateReplicaSetStatus(rs(), [], new Error('exceeded quota: pods'), NOW);
    expect(failed.conditions).toEqual([
      expect.objectContaining({
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: 'exceeded quota: pods',
      }),
    ]);
    const healed = calculateReplicaSetStatus(
      { ...rs(), status: { replicas: 0, conditions: failed.conditions } },
      [],
      undefined,
      NOW,
    );
    expect(healed.conditions).toBeUndefined();
  });
});
