import type { JobObject } from '@app/kube-client';
import { ClusterHarness, condition, waitFor } from './cluster-harness';

// Jobs on the living cluster through kubectl (cluster-simulation.md §3.5, scenario C22):
// completions/parallelism, backoffLimit with simulated pod exits, Complete/Failed conditions;
// CronJobs firing when the cluster clock advances.
jest.setTimeout(240_000);

describe('jobs and cronjobs', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  const job = (name: string) => h.job(name);
  const jobPods = (name: string) => h.jobPods(name);
  const waitForCondition = (name: string, type: string) => h.waitForJobCondition(name, type);

  it('C22: kubectl create job runs a pod to Completed and the Job to Complete', async () => {
    await h.k(['create', 'job', 'pi', '--image=busybox', '--', 'sh', '-c', 'exit 0']);
    const wait = await h.kubectl(['wait', '--for=condition=complete', 'job/pi', '--timeout=60s']);
    expect(wait.code).toBe(0);
    expect(wait.stdout.trim()).toBe('job.batch/pi condition met');
    const j = await job('pi');
    expect(j.status).toMatchObject({ succeeded: 1, ready: 0 });
    expect(j.status?.startTime).toBeDefined();
    expect(j.status?.completionTime).toBeDefined();
    expect(j.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      [
        'SuccessCriteriaMet',
        'True',
        'CompletionsReached',
        'Reached expected number of succeeded pods',
      ],
      ['Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ]);
    const [pod] = await jobPods('pi');
    expect(pod.metadata?.name).toMatch(/^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(pod.status?.phase).toBe('Succeeded');
    expect(pod.metadata?.labels).toMatchObject({
      'batch.kubernetes.io/job-name': 'pi',
      'batch.kubernetes.io/controller-uid': j.metadata?.uid,
    });
    const row = await h.k(['get', 'pods', '-l', 'job-name=pi', '--no-headers']);
    expect(row.split(/\s+/).slice(1, 3)).toEqual(['0/1', 'Completed']);
    const events = await h.events('pi', { kind: 'Job' });
    expect(events.map((e) => [e.reason, e.message])).toEqual([
      ['SuccessfulCreate', `Created pod: ${pod.metadata?.name}`],
      ['Completed', 'Job completed'],
    ]);
    expect(events[0].source?.component).toBe('job-controller');
  });

  it('runs completions 3 with parallelism 2, never more than 2 pods at once', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'batch' },
        spec: {
          completions: 3,
          parallelism: 2,
          template: {
            metadata: { annotations: { 'sim.nimbus.dev/exit-after': '2s' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
          },
        },
      }),
    );
    // Sampled from the API directly: two pods are active for ~2 s, too short for kubectl polls
    // on a loaded machine.
    let maxActive = 0;
    const j = await waitFor(
      async () => {
        const current = await h.apiJob('batch');
        maxActive = Math.max(maxActive, current.status?.active ?? 0);
        return condition(current, 'Complete')?.status === 'True' ? current : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50, message: 'job batch Complete' },
    );
    expect(maxActive).toBe(2);
    expect(j.status?.succeeded).toBe(3);
    const pods = await jobPods('batch');
    expect(pods).toHaveLength(3);
    expect(pods.every((p) => p.status?.phase === 'Succeeded')).toBe(true);
    const table = await h.k(['get', 'job', 'batch', '--no-headers']);
    expect(table.split(/\s+/).slice(0, 3)).toEqual(['batch', 'Complete', '3/3']);
  });

  it('fails with BackoffLimitExceeded once failures pass backoffLimit (back-off on the cluster clock)', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'flaky' },
        spec: {
          backoffLimit: 1,
          template: {
            metadata: { annotations: { 'sim.nimbus.dev/exit-code': '1' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
          },
        },
      }),
    );
    await waitFor(async () => (await job('flaky')).status?.failed === 1, {
      timeoutMs: 60_000,
      message: 'first failure',
    });
    // The replacement waits out the 10 s pod failure back-off of the cluster clock (which also
    // runs in real time: checked only while the back-off can still be running).
    const pods = await jobPods('flaky');
    const finishedAt = Date.parse(
      pods[0].status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? '',
    );
    if ((await h.clockNow()) < finishedAt + 9_000) {
      expect(pods).toHaveLength(1);
    }
    await h.advanceClock(11_000);
    const j = await waitForCondition('flaky', 'Failed');
    expect(j.status?.failed).toBe(2);
    expect(condition(j, 'Failed')).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(condition(j, 'FailureTarget')?.status).toBe('True');
    expect((await h.events('flaky', { reason: 'BackoffLimitExceeded' }))[0]).toMatchObject({
      type: 'Warning',
      message: 'Job has reached the specified backoff limit',
    });
    const wait = await h.kubectl(['wait', '--for=condition=failed', 'job/flaky', '--timeout=10s']);
    expect(wait.code).toBe(0);
  });

  it('a finished Job with ttlSecondsAfterFinished is deleted with its pods once the clock passes it', async () => {
    await h.apply(
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'short' },
        spec: {
          ttlSecondsAfterFinished: 30,
          template: {
            spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
          },
        },
      }),
    );
    await waitForCondition('short', 'Complete');
    expect((await h.kubectl(['get', 'job', 'short'])).code).toBe(0);
    await h.advanceClock(40_000);
    await waitFor(async () => (await h.kubectl(['get', 'job', 'short'])).code !== 0, {
      timeoutMs: 30_000,
      message: 'job short deleted',
    });
    await waitFor(async () => (await jobPods('short')).length === 0, {
      timeoutMs: 30_000,
      message: 'its pods gone',
    });
  });

  it('a CronJob fires when the cluster clock reaches its schedule', async () => {
    const createdAt = await h.clockNow();
    await h.k([
      'create',
      'cronjob',
      'tick',
      '--image=busybox',
      '--schedule=*/1 * * * *',
      '--',
      'sh',
      '-c',
      'exit 0',
    ]);
    const jobsOfTick = async () =>
      (await h.kJson<{ items: JobObject[] }>(['get', 'jobs'])).items.filter((j) =>
        j.metadata?.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === 'tick'),
      );
    const before = await jobsOfTick();
    // Nothing fires before the schedule: checkable while the clock (which also runs in real
    // time) has stayed inside the minute the CronJob was created in.
    if (Math.floor((await h.clockNow()) / 60_000) === Math.floor(createdAt / 60_000)) {
      expect(before).toEqual([]);
    }
    await h.advanceClock(60_000);
    const [fired] = await waitFor(
      async () => {
        const list = await jobsOfTick();
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 30_000, message: 'a Job of tick' },
    );
    const name = fired.metadata?.name ?? '';
    const minutes = Number(/^tick-(\d+)$/.exec(name)?.[1]);
    const scheduled =
      fired.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'];
    expect(Date.parse(scheduled ?? '')).toBe(minutes * 60_000);
    await waitForCondition(name, 'Complete');
    const cj = await waitFor(
      async () => {
        const c = await h.kJson<{
          status?: { lastScheduleTime?: string; lastSuccessfulTime?: string; active?: unknown[] };
        }>(['get', 'cronjob', 'tick']);
        return c.status?.lastSuccessfulTime && !c.status.active ? c : undefined;
      },
      { timeoutMs: 30_000, message: 'tick lastSuccessfulTime' },
    );
    // The cluster clock also runs in real time: if a minute boundary passed since the advance, the
    // CronJob has fired again (as upstream would), and lastScheduleTime names that later minute.
    const last = Date.parse(cj.status?.lastScheduleTime ?? '');
    expect(last).toBeGreaterThanOrEqual(Date.parse(scheduled ?? ''));
    expect(last % 60_000).toBe(0);
    const events = (await h.events('tick', { kind: 'CronJob' }))
      .filter((e) => e.message.includes(`${name},`) || e.message.endsWith(name))
      .map((e) => [e.reason, e.message]);
    expect(events).toEqual([
      ['SuccessfulCreate', `Created job ${name}`],
      ['SawCompletedJob', `Saw completed job: ${name}, status: Complete`],
    ]);
  });
});
