import type { JobObject, PodObject } from '@app/kube-client';
import { jobStatusOf, planJob } from './job-state';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const job = (
  spec: Partial<NonNullable<JobObject['spec']>> = {},
  status: JobObject['status'] = {},
): JobObject => ({
  metadata: { name: 'pi' },
  spec: { template: {}, ...spec },
  status,
});
const pod = (phase: string, finishedAgoMs = 0, restarts = 0): PodObject => ({
  metadata: { name: `p-${Math.random()}` },
  status: {
    phase,
    containerStatuses: [
      {
        name: 'c',
        image: 'i',
        imageID: '',
        ready: false,
        restartCount: restarts,
        state:
          phase === 'Failed'
            ? { terminated: { exitCode: 1, finishedAt: iso(NOW - finishedAgoMs) } }
            : {},
      },
    ],
  },
});

describe('job arithmetic (upstream syncJob, NonIndexed)', () => {
  it('runs min(parallelism, completions - succeeded) pods', () => {
    expect(planJob(job({ completions: 5, parallelism: 2 }), [], NOW).wantActive).toBe(2);
    expect(
      planJob(
        job({ completions: 5, parallelism: 3 }),
        [pod('Succeeded'), pod('Succeeded'), pod('Succeeded')],
        NOW,
      ).wantActive,
    ).toBe(2);
    expect(
      planJob(job({ completions: 2, parallelism: 2, suspend: true }), [], NOW).wantActive,
    ).toBe(0);
  });

  it('is complete once completions succeeded; without completions once one succeeded and none run', () => {
    expect(
      planJob(job({ completions: 2 }), [pod('Succeeded'), pod('Succeeded')], NOW).finish?.type,
    ).toBe('Complete');
    expect(
      planJob(job({ parallelism: 2 }), [pod('Succeeded'), pod('Running')], NOW).finish,
    ).toBeUndefined();
    expect(planJob(job({ parallelism: 2 }), [pod('Succeeded')], NOW).finish?.reason).toBe(
      'CompletionsReached',
    );
  });

  it('fails past backoffLimit; OnFailure restarts count as failures', () => {
    expect(
      planJob(job({ backoffLimit: 1 }), [pod('Failed'), pod('Failed')], NOW).finish?.reason,
    ).toBe('BackoffLimitExceeded');
    expect(planJob(job({ backoffLimit: 1 }), [pod('Failed')], NOW).finish).toBeUndefined();
    const onFailure = job({
      backoffLimit: 2,
      template: { spec: { restartPolicy: 'OnFailure', containers: [] } },
    });
    expect(planJob(onFailure, [pod('Running', 0, 3)], NOW).finish?.reason).toBe(
      'BackoffLimitExceeded',
    );
  });

  it('waits 10 s × 2^(failures-1) after the last failure before a replacement', () => {
    const plan = planJob(job({ backoffLimit: 6 }), [pod('Failed', 4000), pod('Failed', 1000)], NOW);
    expect(plan.wantActive).toBe(1);
    expect(plan.backoffWaitMs).toBe(19_000);
    expect(planJob(job(), [pod('Failed', 11_000)], NOW).backoffWaitMs).toBeUndefined();
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds', () => {
    const started = job({ activeDeadlineSeconds: 30 }, { startTime: iso(NOW - 31_000) });
    expect(planJob(started, [pod('Running')], NOW).finish?.reason).toBe('DeadlineExceeded');
    expect(planJob(started, [pod('Running')], NOW - 2000).deadlineAt).toBe(NOW - 1000);
  });

  it('writes SuccessCriteriaMet then Complete, completionTime and counts', () => {
    const j = job({ completions: 1 });
    const status = jobStatusOf(j, planJob(j, [pod('Succeeded')], NOW), NOW);
    expect(status.conditions?.map((c) => c.type)).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(status).toMatchObject({
      succeeded: 1,
      ready: 0,
      terminating: 0,
      completionTime: '2026-01-01T12:00:00Z',
    });
    expect(status.active).toBeUndefined();
  });
});
