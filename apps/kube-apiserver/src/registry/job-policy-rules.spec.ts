import { cloneJson, type KubeObject } from '../object/types';
import { jobKind } from './kinds/job.kind';

const job = (spec: Record<string, unknown>): KubeObject => {
  const obj = cloneJson({
    metadata: { name: 'pi', uid: 'u-1' },
    spec: {
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
      },
      ...spec,
    },
  }) as KubeObject;
  jobKind.defaultOnCreate?.(obj, { nowMs: 0 });
  jobKind.defaultOnWrite?.(obj);
  return obj;
};
const messages = (spec: Record<string, unknown>) =>
  (jobKind.validate?.(job(spec), undefined) ?? []).map((e) => `${e.field}: ${e.message}`);

describe('Job podFailurePolicy and successPolicy validation (upstream messages)', () => {
  it('accepts valid policies', () => {
    expect(
      messages({
        completionMode: 'Indexed',
        completions: 4,
        backoffLimitPerIndex: 1,
        podFailurePolicy: {
          rules: [
            {
              action: 'FailJob',
              onExitCodes: { containerName: 'main', operator: 'In', values: [1, 42] },
            },
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
            { action: 'FailIndex', onExitCodes: { operator: 'NotIn', values: [0] } },
          ],
        },
        successPolicy: { rules: [{ succeededIndexes: '0,2-3', succeededCount: 2 }] },
      }),
    ).toEqual([]);
  });

  it('names each bad podFailurePolicy field', () => {
    expect(
      messages({
        podFailurePolicy: {
          rules: [
            {
              action: 'Retry',
              onExitCodes: { containerName: 'sidecar', operator: 'In', values: [3, 0, 3] },
            },
            { action: 'FailIndex', onPodConditions: [{ type: 'Bad Type', status: 'Maybe' }] },
            { action: 'Count' },
            { onExitCodes: { values: [1] }, onPodConditions: [{ type: 'Ready' }] },
          ],
        },
      }),
    ).toEqual([
      'spec.podFailurePolicy.rules[0].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "sidecar": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{3, 0, 3}: must be ordered',
      'spec.podFailurePolicy.rules[1].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
      expect.stringMatching(
        /^spec\.podFailurePolicy\.rules\[1\]\.onPodConditions\[0\]\.type: Invalid value: "Bad Type": name part must consist of/,
      ),
      'spec.podFailurePolicy.rules[1].onPodConditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      'spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
      'spec.podFailurePolicy.rules[3].action: Required value: valid values: ["Count" "FailIndex" "FailJob" "Ignore"]',
      'spec.podFailurePolicy.rules[3].onExitCodes.operator: Required value: valid values: ["In" "NotIn"]',
      'spec.podFailurePolicy.rules[3]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
    ]);
  });

  it('names each bad successPolicy field', () => {
    expect(messages({ completions: 3, successPolicy: { rules: [{ succeededCount: 1 }] } })).toEqual(
      ['spec.completionMode: Invalid value: "NonIndexed": requires indexed completion mode'],
    );
    expect(
      messages({
        completionMode: 'Indexed',
        completions: 3,
        successPolicy: {
          rules: [
            {},
            { succeededIndexes: '0,x' },
            { succeededIndexes: '2-1' },
            { succeededIndexes: '0-1', succeededCount: 4 },
          ],
        },
      }),
    ).toEqual([
      'spec.successPolicy.rules[0]: Required value: at least one of succeededCount or succeededIndexes must be specified',
      'spec.successPolicy.rules[1].succeededIndexes: Invalid value: "0,x": error parsing succeededIndexes: cannot convert string to integer for index: "x"',
      'spec.successPolicy.rules[2].succeededIndexes: Invalid value: "2-1": error parsing succeededIndexes: non-increasing order, previous: 2, current: 1',
      'spec.successPolicy.rules[3].succeededCount: Invalid value: 4: must be less than or equal to 3 (the number of specified completions)',
      'spec.successPolicy.rules[3].succeededCount: Invalid value: 4: must be less than or equal to 2 (the number of indexes in the specified succeededIndexes field)',
    ]);
    expect(
      messages({ completionMode: 'Indexed', completions: 3, successPolicy: { rules: [] } }),
    ).toEqual([
      'spec.successPolicy.rules: Required value: at least one rules must be specified when the successPolicy is specified',
    ]);
  });
});
