import type { DeploymentObject, ReplicaSetObject } from '@app/kube-client';
import { deploymentTimedOut, rolloutStatus } from './deployment-status';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const d = (status: DeploymentObject['status'] = {}): DeploymentObject => ({
  metadata: { name: 'web', generation: 2 },
  spec: { replicas: 3, progressDeadlineSeconds: 600, selector: {}, template: {} },
  status,
});
const rs = (name: string, replicas: number, available: number): ReplicaSetObject => ({
  metadata: { name },
  spec: { replicas, selector: {} },
  status: { replicas, readyReplicas: available, availableReplicas: available },
});

describe('Deployment rollout status (upstream syncRolloutStatus)', () => {
  it('a finished rollout: Available then Progressing NewReplicaSetAvailable', () => {
    const next = rs('web-abc', 3, 3);
    const status = rolloutStatus(d(), [next], next, NOW);
    expect(status).toMatchObject({
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 0,
    });
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      [
        'Progressing',
        'True',
        'NewReplicaSetAvailable',
        'ReplicaSet "web-abc" has successfully progressed.',
      ],
    ]);
  });

  it('progress refreshes lastUpdateTime and keeps lastTransitionTime', () => {
    const started = iso(NOW - 60_000);
    const before = d({
      replicas: 3,
      updatedReplicas: 0,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetCreated',
          message: 'Created new replica set "web-abc"',
          lastUpdateTime: started,
          lastTransitionTime: started,
        },
      ],
    });
    const next = rs('web-abc', 1, 0);
    const status = rolloutStatus(before, [rs('web-old', 3, 3), next], next, NOW);
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({
      reason: 'ReplicaSetUpdated',
      message: 'ReplicaSet "web-abc" is progressing.',
      lastTransitionTime: started,
      lastUpdateTime: iso(NOW),
    });
  });

  it('no progress past the deadline: ProgressDeadlineExceeded', () => {
    const last = iso(NOW - 601_000);
    const stuck = d({
      replicas: 1,
      updatedReplicas: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: 'x',
          lastUpdateTime: last,
          lastTransitionTime: last,
        },
      ],
    });
    expect(deploymentTimedOut(stuck, stuck.status!, NOW)).toBe(true);
    expect(deploymentTimedOut(stuck, stuck.status!, NOW - 2000)).toBe(false);
    const next = rs('web-abc', 1, 0);
    const status = rolloutStatus(stuck, [next], next, NOW);
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "web-abc" has timed out progressing.',
    });
    expect(status.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
  });
});
