import type { PodObject } from '@app/kube-client';
import { OrderedIntervals } from './indexes';
import { matchPodFailurePolicy, type PodFailurePolicy } from './pod-failure-policy';
import { matchSuccessPolicy } from './success-policy';

const failed = (
  exitCode: number,
  conditions: Array<{ type: string; status: string }> = [],
): PodObject => ({
  metadata: { namespace: 'ns', name: 'p' },
  status: {
    phase: 'Failed',
    conditions,
    containerStatuses: [
      {
        name: 'main',
        image: 'i',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode } },
      },
    ],
  },
});

const policy: PodFailurePolicy = {
  rules: [
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'FailIndex', onExitCodes: { operator: 'In', values: [7] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1] } },
  ],
};

describe('podFailurePolicy (upstream matchPodFailurePolicy)', () => {
  it('the first matching rule decides, in order', () => {
    expect(
      matchPodFailurePolicy(policy, failed(42, [{ type: 'DisruptionTarget', status: 'True' }])),
    ).toEqual({
      countFailed: false,
      action: 'Ignore',
    });
    expect(matchPodFailurePolicy(policy, failed(42))).toEqual({
      countFailed: true,
      action: 'FailJob',
      failJobMessage:
        'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
    });
    expect(matchPodFailurePolicy(policy, failed(7)).action).toBe('FailIndex');
    expect(matchPodFailurePolicy(policy, failed(3)).action).toBe('Count');
    // exit code 1 matches no rule: counted, no action.
    expect(matchPodFailurePolicy(policy, failed(1))).toEqual({ countFailed: true });
  });

  it('matches pod conditions with the upstream message and never exit code 0', () => {
    const onCondition: PodFailurePolicy = {
      rules: [
        { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      ],
    };
    expect(
      matchPodFailurePolicy(onCondition, failed(0, [{ type: 'DisruptionTarget', status: 'True' }]))
        .failJobMessage,
    ).toBe('Pod ns/p has condition DisruptionTarget matching FailJob rule at index 0');
    const notIn: PodFailurePolicy = {
      rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }],
    };
    expect(matchPodFailurePolicy(notIn, failed(0)).action).toBeUndefined();
    expect(matchPodFailurePolicy(undefined, failed(42))).toEqual({ countFailed: true });
  });
});

describe('successPolicy (upstream matchSuccessPolicy)', () => {
  const done = (text: string) => OrderedIntervals.parse(text, 10);

  it('matches succeededIndexes all done, or succeededCount of them', () => {
    const policy = {
      rules: [{ succeededIndexes: '0,2-4' }, { succeededIndexes: '5-9', succeededCount: 2 }],
    };
    expect(matchSuccessPolicy(policy, 10, done('0,2-3'))).toBeUndefined();
    expect(matchSuccessPolicy(policy, 10, done('0-4'))).toBe('Matched rules at index 0');
    expect(matchSuccessPolicy(policy, 10, done('1,6,8'))).toBe('Matched rules at index 1');
  });

  it('matches a bare succeededCount on the total, and nothing before any success', () => {
    const policy = { rules: [{ succeededCount: 3 }] };
    expect(matchSuccessPolicy(policy, 10, done('1,5'))).toBeUndefined();
    expect(matchSuccessPolicy(policy, 10, done('1,5,9'))).toBe('Matched rules at index 0');
    expect(matchSuccessPolicy(policy, 10, done(''))).toBeUndefined();
  });
});
