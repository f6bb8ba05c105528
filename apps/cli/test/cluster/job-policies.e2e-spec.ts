import { ClusterHarness, condition, holdsFor, waitFor } from './cluster-harness';

// Job features beyond C22 through kubectl on the living cluster: Indexed completion,
// backoffLimitPerIndex, podFailurePolicy, successPolicy, suspend/resume, the job-tracking
// finalizer, podReplacementPolicy (upstream pkg/controller/job, 1.32).
jest.setTimeout(240_000);

const INDEX = 'batch.kubernetes.io/job-completion-index';
const TRACKING = 'batch.kubernetes.io/job-tracking';

describe('job policies', () => {
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
  const applyJob = (name: string, spec: Record<string, unknown>, annotations = {}) =>
    h.apply(
      JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name },
        spec: {
          ...spec,
          template: {
            metadata: { annotations },
            spec: {
              restartPolicy: 'Never',
              terminationGracePeriodSeconds: 30,
              containers: [{ name: 'work', image: 'busybox' }],
            },
          },
        },
      }),
    );
  const reasons = async (name: string) =>
    (await h.events(name, { kind: 'Job' })).map((e) => [e.type, e.reason, e.message]);

  it('Indexed: one pod per index with annotation, label, hostname and JOB_COMPLETION_INDEX; completedIndexes', async () => {
    await applyJob('indexed', { completionMode: 'Indexed', completions: 3, parallelism: 3 });
    const j = await waitForCondition('indexed', 'Complete');
    expect(j.status).toMatchObject({ succeeded: 3, completedIndexes: '0-2' });
    expect(j.status?.uncountedTerminatedPods).toEqual({});
    const pods = (await jobPods('indexed')).sort((a, b) =>
      (a.metadata?.annotations?.[INDEX] ?? '').localeCompare(
        b.metadata?.annotations?.[INDEX] ?? '',
      ),
    );
    expect(pods.map((p) => p.metadata?.annotations?.[INDEX])).toEqual(['0', '1', '2']);
    pods.forEach((p, ix) => {
      expect(p.metadata?.name).toMatch(new RegExp(`^indexed-${ix}-[a-z0-9]{5}$`));
      expect(p.metadata?.labels?.[INDEX]).toBe(String(ix));
      expect(p.spec?.hostname).toBe(`indexed-${ix}`);
      expect(p.spec?.containers[0].env).toEqual([
        {
          name: 'JOB_COMPLETION_INDEX',
          valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.labels['${INDEX}']` } },
        },
      ]);
      // Counted: the tracking finalizer is gone.
      expect(p.metadata?.finalizers ?? []).not.toContain(TRACKING);
    });
    const row = await h.k(['get', 'job', 'indexed', '--no-headers']);
    expect(row.split(/\s+/).slice(0, 3)).toEqual(['indexed', 'Complete', '3/3']);
  });

  it('backoffLimitPerIndex: a failing index is recorded in failedIndexes and the Job fails with FailedIndexes', async () => {
    await applyJob(
      'per-index',
      { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 0 },
      { 'sim.nimbus.dev/exit-code-by-index': '1=3' },
    );
    const j = await waitForCondition('per-index', 'Failed');
    expect(j.status).toMatchObject({
      completedIndexes: '0,2',
      failedIndexes: '1',
      succeeded: 2,
      failed: 1,
    });
    expect(condition(j, 'FailureTarget')).toMatchObject({
      reason: 'FailedIndexes',
      message: 'Job has failed indexes',
    });
    expect(condition(j, 'Failed')).toMatchObject({
      reason: 'FailedIndexes',
      message: 'Job has failed indexes',
    });
    const failed = (await jobPods('per-index')).find(
      (p) => p.metadata?.annotations?.[INDEX] === '1',
    );
    expect(failed?.metadata?.annotations?.['batch.kubernetes.io/job-index-failure-count']).toBe(
      '0',
    );
    expect(await reasons('per-index')).toContainEqual([
      'Warning',
      'FailedIndexes',
      'Job has failed indexes',
    ]);
  });

  it('podFailurePolicy: a FailJob rule on an exit code fails the Job with reason PodFailurePolicy', async () => {
    await applyJob(
      'fail-fast',
      {
        backoffLimit: 6,
        podFailurePolicy: {
          rules: [
            {
              action: 'FailJob',
              onExitCodes: { containerName: 'work', operator: 'In', values: [42] },
            },
          ],
        },
      },
      { 'sim.nimbus.dev/exit-code': '42' },
    );
    const j = await waitForCondition('fail-fast', 'Failed');
    const [pod] = await jobPods('fail-fast');
    const message = `Container work for pod default/${pod.metadata?.name} failed with exit code 42 matching FailJob rule at index 0`;
    expect(condition(j, 'FailureTarget')).toMatchObject({ reason: 'PodFailurePolicy', message });
    expect(condition(j, 'Failed')).toMatchObject({ reason: 'PodFailurePolicy', message });
    expect(j.status?.failed).toBe(1);
    // No retry although backoffLimit allowed six.
    expect(await jobPods('fail-fast')).toHaveLength(1);
    expect(j.spec?.podReplacementPolicy).toBe('Failed');
  });

  it('successPolicy: the Job completes once the rule is met, with SuccessPolicy conditions', async () => {
    await applyJob('enough', {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 1,
      successPolicy: { rules: [{ succeededIndexes: '0' }] },
    });
    const j = await waitForCondition('enough', 'Complete');
    expect(condition(j, 'SuccessCriteriaMet')).toMatchObject({
      reason: 'SuccessPolicy',
      message: 'Matched rules at index 0',
    });
    expect(condition(j, 'Complete')).toMatchObject({
      reason: 'SuccessPolicy',
      message: 'Matched rules at index 0',
    });
    expect(j.status).toMatchObject({ completedIndexes: '0', succeeded: 1 });
    expect(await jobPods('enough')).toHaveLength(1);
  });

  it('suspend: no pods and Suspended=True; resuming runs the Job to Complete', async () => {
    await applyJob('later', { suspend: true });
    const suspended = await waitForCondition('later', 'Suspended');
    expect(condition(suspended, 'Suspended')).toMatchObject({
      reason: 'JobSuspended',
      message: 'Job suspended',
    });
    expect(suspended.status?.startTime).toBeUndefined();
    expect(await jobPods('later')).toEqual([]);
    await h.k(['patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    const done = await waitForCondition('later', 'Complete');
    expect(condition(done, 'Suspended')).toMatchObject({
      status: 'False',
      reason: 'JobResumed',
      message: 'Job resumed',
    });
    const events = await reasons('later');
    // Upstream records Resumed after manageJob created the pod.
    const order = events.map((e) => e[1]);
    expect(order.filter((r) => r !== 'SuccessfulCreate')).toEqual([
      'Suspended',
      'Resumed',
      'Completed',
    ]);
    expect(events).toContainEqual(['Normal', 'Resumed', 'Job resumed']);
    expect(events).toContainEqual(['Normal', 'Completed', 'Job completed']);
  });

  it('tracking finalizer and podReplacementPolicy Failed: a terminating pod is replaced only once it failed', async () => {
    await applyJob(
      'long',
      { podReplacementPolicy: 'Failed' },
      { 'sim.nimbus.dev/exit-after': '1h', 'sim.nimbus.dev/ignore-sigterm': 'true' },
    );
    const [first] = await waitFor(
      async () => {
        const pods = await jobPods('long');
        return pods.length === 1 && pods[0].status?.phase === 'Running' ? pods : undefined;
      },
      { timeoutMs: 60_000, message: 'long running' },
    );
    expect(first.metadata?.finalizers).toContain(TRACKING);
    await h.k(['delete', 'pod', first.metadata?.name ?? '', '--wait=false']);
    const terminating = await waitFor(
      async () => {
        const j = await job('long');
        return j.status?.terminating === 1 ? j : undefined;
      },
      { timeoutMs: 30_000, message: 'terminating 1' },
    );
    expect(terminating.status?.active).toBeUndefined();
    expect(await jobPods('long')).toHaveLength(1);
    // The grace period runs out on the cluster clock: the pod fails (137), is counted, replaced.
    await h.advanceClock(31_000);
    const replaced = await waitFor(
      async () => {
        const j = await job('long');
        return j.status?.failed === 1 && j.status.active === 1 ? j : undefined;
      },
      { timeoutMs: 60_000, message: 'replacement after failure' },
    );
    expect(replaced.status?.terminating).toBe(0);
    // Deleting the Job: the GC deletes its pods, the controller drops their finalizers.
    await h.k(['delete', 'job', 'long', '--wait=false']);
    await h.advanceClock(31_000);
    await waitFor(async () => (await jobPods('long')).length === 0, {
      timeoutMs: 60_000,
      message: 'pods of long gone',
    });
  });

  it('spec.managedBy naming another controller: the job controller leaves the Job alone', async () => {
    await applyJob('external', { managedBy: 'example.com/batch-controller' });
    await applyJob('internal', { managedBy: 'kubernetes.io/job-controller' });
    await waitForCondition('internal', 'Complete');
    await holdsFor(
      async () => (await jobPods('external')).length === 0,
      3000,
      'no pods for external',
    );
    expect((await job('external')).status ?? {}).toEqual({});
  });
});
