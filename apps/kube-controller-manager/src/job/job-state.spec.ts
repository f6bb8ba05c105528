import type { JobObject, PodObject } from '@app/kube-client';
import { evaluateJob, globalBackoffMs, indexFailureAnnotations, wantActive } from './job-state';
import { countRemovedFinalizers, enactFinished, planTracking } from './job-tracking';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const F = 'batch.kubernetes.io/job-tracking';

const job = (
  spec: Partial<NonNullable<JobObject['spec']>> = {},
  status: JobObject['status'] = {},
): JobObject => ({
  metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid' },
  spec: { template: {}, ...spec },
  status,
});
let seq = 0;
const pod = (
  phase: string,
  opts: {
    finishedAgoMs?: number;
    restarts?: number;
    index?: number;
    exitCode?: number;
    tracked?: boolean;
    annotations?: Record<string, string>;
  } = {},
): PodObject => {
  seq++;
  return {
    metadata: {
      name: `p${seq}`,
      namespace: 'ns',
      uid: `uid-${seq}`,
      finalizers: opts.tracked === false ? [] : [F],
      annotations: {
        ...(opts.index !== undefined
          ? { 'batch.kubernetes.io/job-completion-index': String(opts.index) }
          : {}),
        ...(opts.annotations ?? {}),
      },
    },
    status: {
      phase,
      containerStatuses: [
        {
          name: 'c',
          image: 'i',
          imageID: '',
          ready: false,
          restartCount: opts.restarts ?? 0,
          state:
            phase === 'Failed' || phase === 'Succeeded'
              ? {
                  terminated: {
                    exitCode: opts.exitCode ?? (phase === 'Failed' ? 1 : 0),
                    finishedAt: iso(NOW - (opts.finishedAgoMs ?? 0)),
                  },
                }
              : {},
        },
      ],
    },
  };
};

describe('job counting (upstream syncJob)', () => {
  it('runs min(parallelism, completions - succeeded) pods, counting status and tracked pods once', () => {
    expect(wantActive(evaluateJob(job({ completions: 5, parallelism: 2 }), [], NOW))).toBe(2);
    const ctx = evaluateJob(
      job({ completions: 5, parallelism: 3 }, { succeeded: 1 }),
      [pod('Succeeded'), pod('Succeeded'), pod('Succeeded', { tracked: false })],
      NOW,
    );
    // 1 in status + 2 tracked; the untracked pod was counted before.
    expect(ctx.succeeded).toBe(3);
    expect(wantActive(ctx)).toBe(2);
  });

  it('does not count a pod whose finalizer removal is in flight, nor an uncounted UID twice', () => {
    const p = pod('Failed');
    expect(evaluateJob(job(), [p], NOW, new Set([p.metadata?.uid ?? ''])).failed).toBe(0);
    const j = job({}, { uncountedTerminatedPods: { failed: [p.metadata?.uid ?? ''] } });
    expect(evaluateJob(j, [p], NOW).failed).toBe(1);
  });

  it('heads for BackoffLimitExceeded past backoffLimit; OnFailure restarts count', () => {
    expect(
      evaluateJob(job({ backoffLimit: 1 }), [pod('Failed'), pod('Failed')], NOW).finishedCondition,
    ).toMatchObject({
      type: 'FailureTarget',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(
      evaluateJob(job({ backoffLimit: 1 }), [pod('Failed')], NOW).finishedCondition,
    ).toBeUndefined();
    const onFailure = job({
      backoffLimit: 2,
      template: { spec: { restartPolicy: 'OnFailure', containers: [] } },
    });
    expect(
      evaluateJob(onFailure, [pod('Running', { restarts: 2 })], NOW).finishedCondition?.reason,
    ).toBe('BackoffLimitExceeded');
  });

  it('waits 10 s × 2^(failures-1) after the last failure since the last success', () => {
    const j = job();
    expect(
      globalBackoffMs(
        j,
        [pod('Failed', { finishedAgoMs: 4000 }), pod('Failed', { finishedAgoMs: 1000 })],
        NOW,
      ),
    ).toBe(19_000);
    expect(globalBackoffMs(j, [pod('Failed', { finishedAgoMs: 11_000 })], NOW)).toBe(0);
    expect(
      globalBackoffMs(
        j,
        [pod('Failed', { finishedAgoMs: 9000 }), pod('Succeeded', { finishedAgoMs: 5000 })],
        NOW,
      ),
    ).toBe(0);
  });

  it('heads for DeadlineExceeded after activeDeadlineSeconds, never while suspended', () => {
    const started = { startTime: iso(NOW - 31_000) };
    expect(
      evaluateJob(job({ activeDeadlineSeconds: 30 }, started), [], NOW).finishedCondition?.reason,
    ).toBe('DeadlineExceeded');
    expect(
      evaluateJob(job({ activeDeadlineSeconds: 30 }, started), [], NOW - 2000).deadlineAt,
    ).toBe(NOW - 1000);
    expect(
      evaluateJob(job({ activeDeadlineSeconds: 30, suspend: true }, started), [], NOW)
        .finishedCondition,
    ).toBeUndefined();
  });

  it('a FailJob rule fails the Job with reason PodFailurePolicy; an Ignore rule leaves failures uncounted', () => {
    const spec = {
      backoffLimit: 0,
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
          { action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } },
        ],
      },
    };
    const fails = evaluateJob(job(spec), [pod('Failed', { exitCode: 42 })], NOW).finishedCondition;
    expect(fails).toMatchObject({ type: 'FailureTarget', reason: 'PodFailurePolicy' });
    expect(fails?.message).toMatch(/failed with exit code 42 matching FailJob rule at index 0$/);
    const ignored = evaluateJob(job(spec), [pod('Failed', { exitCode: 3 })], NOW);
    expect(ignored.failed).toBe(0);
    expect(ignored.finishedCondition).toBeUndefined();
  });
});

describe('Indexed jobs', () => {
  const indexedSpec = { completionMode: 'Indexed', completions: 4, parallelism: 4 };

  it('succeeded = completed indexes, from status and tracked pods, duplicates once', () => {
    const ctx = evaluateJob(
      job(indexedSpec, { completedIndexes: '0' }),
      [
        pod('Succeeded', { index: 2 }),
        pod('Succeeded', { index: 2 }),
        pod('Running', { index: 1 }),
      ],
      NOW,
    );
    expect(ctx.succeededIndexes.toString()).toBe('0,2');
    expect(ctx.succeeded).toBe(2);
  });

  it('an index fails after backoffLimitPerIndex retries; maxFailedIndexes fails the Job', () => {
    const spec = {
      ...indexedSpec,
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 0,
      backoffLimit: 2147483647,
    };
    const first = evaluateJob(
      job(spec),
      [
        pod('Failed', {
          index: 1,
          annotations: { 'batch.kubernetes.io/job-index-failure-count': '0' },
        }),
      ],
      NOW,
    );
    expect(first.failedIndexes?.toString()).toBe('');
    expect(first.finishedCondition).toBeUndefined();
    // Its replacement carries the count on.
    const lastFailed = first.delayedDeletionPerIndex.get(1);
    expect(indexFailureAnnotations(job(spec), lastFailed)).toEqual({
      'batch.kubernetes.io/job-index-failure-count': '1',
    });
    const second = evaluateJob(
      job(spec),
      [
        pod('Failed', {
          index: 1,
          annotations: { 'batch.kubernetes.io/job-index-failure-count': '1' },
        }),
      ],
      NOW,
    );
    expect(second.failedIndexes?.toString()).toBe('1');
    expect(second.finishedCondition).toMatchObject({
      type: 'FailureTarget',
      reason: 'MaxFailedIndexesExceeded',
      message: 'Job has exceeded the specified maximal number of failed indexes',
    });
  });

  it('a FailIndex rule fails the index at once; all indexes decided → FailedIndexes', () => {
    const spec = {
      completionMode: 'Indexed',
      completions: 2,
      parallelism: 2,
      backoffLimitPerIndex: 5,
      podFailurePolicy: {
        rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [7] } }],
      },
    };
    const ctx = evaluateJob(
      job(spec),
      [pod('Failed', { index: 0, exitCode: 7 }), pod('Succeeded', { index: 1 })],
      NOW,
    );
    expect(ctx.failedIndexes?.toString()).toBe('0');
    expect(ctx.finishedCondition).toMatchObject({
      reason: 'FailedIndexes',
      message: 'Job has failed indexes',
    });
  });

  it('a success policy met gives SuccessCriteriaMet with reason SuccessPolicy', () => {
    const spec = { ...indexedSpec, successPolicy: { rules: [{ succeededIndexes: '0,1' }] } };
    const ctx = evaluateJob(
      job(spec),
      [
        pod('Succeeded', { index: 0 }),
        pod('Succeeded', { index: 1 }),
        pod('Running', { index: 2 }),
      ],
      NOW,
    );
    expect(ctx.finishedCondition).toMatchObject({
      type: 'SuccessCriteriaMet',
      reason: 'SuccessPolicy',
      message: 'Matched rules at index 0',
    });
  });
});

describe('status tracking (upstream trackJobStatusAndRemoveFinalizers)', () => {
  it('puts finished pods into uncountedTerminatedPods first, then into the counters', () => {
    const ok = pod('Succeeded');
    const bad = pod('Failed');
    const running = pod('Running');
    const ctx = evaluateJob(job({ completions: 3, parallelism: 3 }), [ok, bad, running], NOW);
    const plan = planTracking(ctx, {}, false, NOW);
    expect(plan.needsFlush).toBe(true);
    expect(plan.status.uncountedTerminatedPods).toEqual({
      succeeded: [ok.metadata?.uid],
      failed: [bad.metadata?.uid],
    });
    expect(plan.podsToRemoveFinalizer.map((p) => p.metadata?.name)).toEqual([
      ok.metadata?.name,
      bad.metadata?.name,
    ]);
    // Finalizers removed: the UIDs move into the counters.
    const remaining = new Set([running.metadata?.uid ?? '']);
    const counted = countRemovedFinalizers(plan.status, remaining).status;
    expect(counted).toMatchObject({ succeeded: 1, failed: 1, uncountedTerminatedPods: {} });
  });

  it('records the interim condition, and the terminal one only once nothing is uncounted or terminating', () => {
    const ok = pod('Succeeded');
    const ctx = evaluateJob(job({ completions: 1 }), [ok], NOW);
    ctx.finishedCondition = {
      type: 'SuccessCriteriaMet',
      status: 'True',
      reason: 'CompletionsReached',
      message: 'Reached expected number of succeeded pods',
    };
    const plan = planTracking(ctx, {}, false, NOW);
    expect(plan.status.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet']);
    expect(plan.finishedCondition).toMatchObject({
      type: 'Complete',
      reason: 'CompletionsReached',
    });
    const stillUncounted = { ...plan.status };
    expect(enactFinished(stillUncounted, plan.finishedCondition, 0)).toBe(false);
    const counted = countRemovedFinalizers(plan.status, new Set()).status;
    expect(enactFinished({ ...counted }, plan.finishedCondition, 1)).toBe(false);
    expect(enactFinished(counted, plan.finishedCondition, 0)).toBe(true);
    expect(counted.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(counted.completionTime).toBe('2026-01-01T12:00:00Z');
  });

  it('writes completedIndexes for Indexed Jobs and keeps the last failed pod of a pending index', () => {
    const spec = {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      backoffLimitPerIndex: 2,
    };
    const done = pod('Succeeded', { index: 0 });
    const failedOnce = pod('Failed', { index: 1 });
    const ctx = evaluateJob(job(spec), [done, failedOnce], NOW);
    const plan = planTracking(ctx, {}, false, NOW);
    expect(plan.status.completedIndexes).toBe('0');
    expect(plan.status.failedIndexes).toBe('');
    expect(plan.podsToRemoveFinalizer).toEqual([done]);
  });
});
