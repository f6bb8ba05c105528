import type { PodObject } from '@app/kube-client';
import { ClusterHarness, condition, isRunningAndReady, waitFor } from './cluster-harness';

// Pods on simulated kubelets (cluster-simulation.md §2.5–2.6, scenario C14's pod part, C6's
// status shape) and the `sim.nimbus.dev/*` annotations, through kubectl and the cloud clock.
jest.setTimeout(240_000);

const container = (pod: PodObject) => pod.status?.containerStatuses?.[0];
const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const inCidr = (ip: string, cidr: string) => {
  const [base, prefix] = cidr.split('/');
  const size = 2 ** (32 - Number(prefix));
  return ipToInt(ip) >= ipToInt(base) && ipToInt(ip) < ipToInt(base) + size;
};

describe('pods on simulated kubelets', () => {
  let h: ClusterHarness;

  beforeAll(async () => {
    h = await ClusterHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('runs a pod with the status, IDs, IPs and events of a 1.32 kubelet', async () => {
    await h.apply(
      h.podManifest('shape', 'worker-1', {
        spec: { volumes: [{ name: 'cache', emptyDir: {} }] },
        container: { volumeMounts: [{ name: 'cache', mountPath: '/cache', readOnly: true }] },
      }),
    );
    const pod = await h.waitForPod('shape', isRunningAndReady, 'Running and Ready');
    const node = await h.node('worker-1');
    expect(pod.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ]);
    for (const c of pod.status?.conditions ?? []) {
      expect(c.lastProbeTime).toBeNull();
      expect(c.lastTransitionTime).toMatch(/Z$/);
    }
    const status = container(pod)!;
    expect(status.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(status.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(status.image).toBe('docker.io/library/nginx:1.27');
    expect(status.started).toBe(true);
    expect(status.ready).toBe(true);
    expect(status.restartCount).toBe(0);
    expect(status.lastState).toEqual({});
    expect(status.state?.running?.startedAt).toMatch(/Z$/);
    // C6: the ServiceAccount admission's projected token volume is mounted too.
    expect(status.volumeMounts).toEqual([
      { mountPath: '/cache', name: 'cache', readOnly: true, recursiveReadOnly: 'Disabled' },
      {
        mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        name: expect.stringMatching(/^kube-api-access-[a-z0-9]{5}$/),
        readOnly: true,
        recursiveReadOnly: 'Disabled',
      },
    ]);
    const hostIp = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    expect(pod.status?.hostIP).toBe(hostIp);
    expect(pod.status?.hostIPs).toEqual([{ ip: hostIp }]);
    expect(inCidr(pod.status?.podIP ?? '', node.spec?.podCIDR ?? '')).toBe(true);
    expect(
      ipToInt(pod.status?.podIP ?? '') - ipToInt(node.spec!.podCIDR!.split('/')[0]),
    ).toBeGreaterThanOrEqual(2);
    expect(pod.status?.podIPs).toEqual([{ ip: pod.status?.podIP }]);
    expect(pod.status?.qosClass).toBe('BestEffort');
    expect(pod.status?.startTime).toMatch(/Z$/);

    const [scheduled, ...events] = await h.events('shape');
    expect([scheduled.reason, scheduled.message, scheduled.type]).toEqual([
      'Scheduled',
      'Successfully assigned default/shape to worker-1',
      'Normal',
    ]);
    expect(events.map((e) => [e.reason, e.message])).toEqual([
      ['Pulling', 'Pulling image "nginx:1.27"'],
      [
        'Pulled',
        expect.stringMatching(
          /^Successfully pulled image "nginx:1\.27" in 500ms \(500ms including waiting\)\. Image size: \d+ bytes\.$/,
        ),
      ],
      ['Created', 'Created container app'],
      ['Started', 'Started container app'],
    ]);
    for (const e of events) {
      expect(e.source?.component).toBe('kubelet');
      expect(e.involvedObject.fieldPath).toBe('spec.containers{app}');
    }
    expect(await h.k(['get', 'pod', 'shape', '-o', 'wide'])).toMatch(
      new RegExp(
        `shape\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+${pod.status!.podIP!.replace(/\./g, '\\.')}\\s+worker-1\\s`,
      ),
    );
    // The second pod with the image on the node does not pull it again.
    await h.apply(h.podManifest('shape-2', 'worker-1'));
    await h.waitForPod('shape-2', isRunningAndReady, 'Running');
    expect((await h.events('shape-2')).map((e) => e.message)[1]).toBe(
      'Container image "nginx:1.27" already present on machine',
    );
  });

  it('the kube-scheduler places a pod that names no node; C7: one that fits nowhere stays Pending', async () => {
    await h.apply(h.podManifest('anywhere', undefined));
    const pod = await h.waitForPod('anywhere', isRunningAndReady, 'scheduled and Running');
    const nodeName = pod.spec!.nodeName!;
    expect(nodeName).toMatch(/^worker-[123]$/);
    expect(condition(pod, 'PodScheduled')?.status).toBe('True');
    const node = await h.node(nodeName);
    expect(inCidr(pod.status!.podIP!, node.spec!.podCIDR!)).toBe(true);
    const [scheduled] = await h.events('anywhere', { reason: 'Scheduled' });
    expect(scheduled.message).toBe(`Successfully assigned default/anywhere to ${nodeName}`);

    await h.apply(
      h.podManifest('big', undefined, { container: { resources: { requests: { cpu: '100' } } } }),
    );
    const failed = await waitFor(
      async () => (await h.events('big', { reason: 'FailedScheduling' }))[0],
      { message: 'FailedScheduling for big' },
    );
    expect(failed.type).toBe('Warning');
    expect(failed.message).toBe(
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    const big = await h.pod('big');
    expect(big.status?.phase).toBe('Pending');
    expect(condition(big, 'PodScheduled')).toMatchObject({
      status: 'False',
      reason: 'Unschedulable',
    });
    await h.k(['delete', 'pod', 'anywhere', 'big']);
  });

  it('gives every pod of a node its own IP from the pod CIDR; hostNetwork pods use the host IP', async () => {
    for (const name of ['ip-a', 'ip-b', 'ip-c']) {
      await h.apply(h.podManifest(name, 'worker-2'));
    }
    await h.apply(h.podManifest('ip-host', 'worker-2', { spec: { hostNetwork: true } }));
    const pods = await Promise.all(
      ['ip-a', 'ip-b', 'ip-c', 'ip-host'].map((n) => h.waitForPod(n, isRunningAndReady, 'Running')),
    );
    const node = await h.node('worker-2');
    const ips = pods.slice(0, 3).map((p) => p.status!.podIP!);
    expect(new Set(ips).size).toBe(3);
    ips.forEach((ip) => expect(inCidr(ip, node.spec!.podCIDR!)).toBe(true));
    expect(pods[3].status?.podIP).toBe(pods[3].status?.hostIP);
    await h.k(['delete', 'pod', 'ip-a', 'ip-b', 'ip-c', 'ip-host']);
  });

  it('C14: deletes gracefully (Killing, terminal status, then gone); --force removes at once', async () => {
    await h.apply(h.podManifest('graceful', 'worker-3'));
    await h.waitForPod('graceful', isRunningAndReady, 'Running');
    const states = await h.watchPodUntilDeleted('graceful', async () => {
      const deleted = await h.kubectl(['delete', 'pod', 'graceful'], { timeoutMs: 60_000 });
      expect(deleted.code).toBe(0);
      expect(deleted.stdout).toContain('pod "graceful" deleted');
      // kubectl delete returned: the pod is gone.
      await h.waitForPodGone('graceful', 1000);
    });
    const terminating = states.find((e) => e.pod.metadata?.deletionTimestamp)!;
    const ts = terminating.pod.metadata!;
    expect(ts.deletionGracePeriodSeconds).toBe(30);
    expect(
      Date.parse(ts.deletionTimestamp!) - Date.parse(terminating.pod.status?.startTime ?? ''),
    ).toBeGreaterThanOrEqual(30_000);
    const terminal = states.find(
      (e) => e.type === 'MODIFIED' && e.pod.status?.phase === 'Succeeded',
    )!;
    expect(container(terminal.pod)?.state?.terminated).toEqual(
      expect.objectContaining({ exitCode: 0, reason: 'Completed' }),
    );
    expect(container(terminal.pod)?.ready).toBe(false);
    expect(states[states.length - 1].type).toBe('DELETED');
    const killing = (await h.events('graceful', { reason: 'Killing' }))[0];
    expect(killing.message).toBe('Stopping container app');

    // A pod that ignores SIGTERM would take the whole grace period; --force does not wait.
    await h.apply(
      h.podManifest('stubborn', 'worker-3', {
        annotations: { 'sim.nimbus.dev/ignore-sigterm': 'true' },
      }),
    );
    await h.waitForPod('stubborn', isRunningAndReady, 'Running');
    await h.k(['delete', 'pod', 'stubborn', '--wait=false']);
    const stuck = await h.waitForPod(
      'stubborn',
      (p) => !!p.metadata?.deletionTimestamp,
      'terminating',
    );
    expect(stuck.status?.phase).toBe('Running');
    expect(await h.k(['get', 'pod', 'stubborn'])).toMatch(/stubborn\s+1\/1\s+Terminating/);
    await h.k(['delete', 'pod', 'stubborn', '--grace-period=0', '--force']);
    await h.waitForPodGone('stubborn', 5000);
  });

  it('ErrImagePull: the pull fails, then backs off (sim.nimbus.dev/start-failure)', async () => {
    await h.apply(
      h.podManifest('nopull', 'worker-1', {
        annotations: { 'sim.nimbus.dev/start-failure': 'ErrImagePull' },
        container: { image: 'nginx:nonexistent' },
      }),
    );
    const pod = await h.waitForPod(
      'nopull',
      (p) => container(p)?.state?.waiting?.reason === 'ImagePullBackOff',
      'ImagePullBackOff',
    );
    expect(pod.status?.phase).toBe('Pending');
    expect(container(pod)?.state?.waiting?.message).toBe(
      'Back-off pulling image "nginx:nonexistent"',
    );
    expect(await h.k(['get', 'pod', 'nopull'])).toMatch(/nopull\s+0\/1\s+ImagePullBackOff\s+0/);
    const events = (await h.events('nopull')).map((e) => [e.type, e.reason, e.message]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['Normal', 'Pulling', 'Pulling image "nginx:nonexistent"'],
        [
          'Warning',
          'Failed',
          'Failed to pull image "nginx:nonexistent": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:nonexistent": failed to resolve reference "docker.io/library/nginx:nonexistent": docker.io/library/nginx:nonexistent: not found',
        ],
        ['Warning', 'Failed', 'Error: ErrImagePull'],
        ['Normal', 'BackOff', 'Back-off pulling image "nginx:nonexistent"'],
        ['Warning', 'Failed', 'Error: ImagePullBackOff'],
      ]),
    );
    // After the 10 s back-off (on the cloud's clock) it pulls again.
    await h.advanceClock(11_000);
    // The same event again: the recorder counts it (client-go's correlation).
    await waitFor(
      async () => ((await h.events('nopull', { reason: 'Pulling' }))[0]?.count ?? 0) >= 2,
      {
        message: 'second pull',
      },
    );
    await h.k(['delete', 'pod', 'nopull']);
  });

  it('CrashLoopBackOff: restarts with a 10 s back-off that doubles (sim.nimbus.dev/start-failure)', async () => {
    await h.apply(
      h.podManifest('crasher', 'worker-2', {
        annotations: { 'sim.nimbus.dev/start-failure': 'CrashLoopBackOff' },
      }),
    );
    const backingOff = await h.waitForPod(
      'crasher',
      (p) => container(p)?.state?.waiting?.reason === 'CrashLoopBackOff',
      'CrashLoopBackOff',
    );
    const uid = backingOff.metadata?.uid;
    expect(backingOff.status?.phase).toBe('Running');
    // The cluster clock runs in real time: a slow poll may first see the second back-off (20 s).
    const restarts = container(backingOff)?.restartCount ?? 0;
    expect([1, 2]).toContain(restarts);
    expect(container(backingOff)?.state?.waiting?.message).toBe(
      `back-off ${10 * 2 ** (restarts - 1)}s restarting failed container=app pod=crasher_default(${uid})`,
    );
    expect(container(backingOff)?.lastState?.terminated).toEqual(
      expect.objectContaining({ exitCode: 1, reason: 'Error' }),
    );
    expect(await h.k(['get', 'pod', 'crasher'])).toMatch(
      /crasher\s+0\/1\s+CrashLoopBackOff\s+[12] \(/,
    );
    const backoff = (await h.events('crasher', { reason: 'BackOff' }))[0];
    expect(backoff.type).toBe('Warning');
    expect(backoff.message).toBe(
      `Back-off restarting failed container app in pod crasher_default(${uid})`,
    );

    await h.advanceClock(11_000);
    const again = await h.waitForPod(
      'crasher',
      (p) => container(p)?.state?.waiting?.message?.startsWith('back-off 20s') ?? false,
      'second back-off (20s)',
    );
    expect(container(again)?.restartCount).toBe(2);
    await h.k(['delete', 'pod', 'crasher']);
  });

  it('exit-after: restartPolicy Never pods complete (Succeeded / Failed) like Job pods', async () => {
    await h.apply(
      h.podManifest('job-ok', 'worker-3', {
        annotations: { 'sim.nimbus.dev/exit-after': '5s' },
        spec: { restartPolicy: 'Never' },
      }),
    );
    await h.apply(
      h.podManifest('job-bad', 'worker-3', {
        annotations: { 'sim.nimbus.dev/exit-after': '5s', 'sim.nimbus.dev/exit-code': '3' },
        spec: { restartPolicy: 'Never' },
      }),
    );
    await h.waitForPod('job-ok', isRunningAndReady, 'Running');
    await h.waitForPod('job-bad', isRunningAndReady, 'Running');
    await h.advanceClock(6000);
    const ok = await h.waitForPod('job-ok', (p) => p.status?.phase === 'Succeeded', 'Succeeded');
    expect(container(ok)?.state?.terminated).toEqual(
      expect.objectContaining({ exitCode: 0, reason: 'Completed' }),
    );
    expect(condition(ok, 'Ready')).toEqual(
      expect.objectContaining({ status: 'False', reason: 'PodCompleted' }),
    );
    expect(condition(ok, 'PodReadyToStartContainers')?.status).toBe('False');
    const bad = await h.waitForPod('job-bad', (p) => p.status?.phase === 'Failed', 'Failed');
    expect(container(bad)?.state?.terminated).toEqual(
      expect.objectContaining({ exitCode: 3, reason: 'Error' }),
    );
    const table = await h.k(['get', 'pods', 'job-ok', 'job-bad']);
    expect(table).toMatch(/job-ok\s+0\/1\s+Completed\s+0/);
    expect(table).toMatch(/job-bad\s+0\/1\s+Error\s+0/);
    await h.k(['delete', 'pod', 'job-ok', 'job-bad']);
  });

  it('probes: never-ready and unready-after fail readiness, liveness-fail-after restarts the container', async () => {
    const probe = { httpGet: { path: '/', port: 80 }, periodSeconds: 5 };
    await h.apply(
      h.podManifest('never', 'worker-1', {
        annotations: { 'sim.nimbus.dev/never-ready': 'true' },
        container: { readinessProbe: probe },
      }),
    );
    await h.apply(
      h.podManifest('fading', 'worker-1', {
        annotations: { 'sim.nimbus.dev/unready-after': '20s' },
        container: { readinessProbe: { ...probe, failureThreshold: 1 } },
      }),
    );
    await h.apply(
      h.podManifest('zombie', 'worker-1', {
        annotations: { 'sim.nimbus.dev/liveness-fail-after': '20s' },
        container: { livenessProbe: { ...probe, failureThreshold: 2 } },
      }),
    );
    const never = await h.waitForPod('never', (p) => p.status?.phase === 'Running', 'Running');
    expect(container(never)?.ready).toBe(false);
    expect(condition(never, 'Ready')).toEqual(
      expect.objectContaining({
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [app]',
      }),
    );
    await h.waitForPod('fading', isRunningAndReady, 'Ready at first');
    await h.waitForPod('zombie', isRunningAndReady, 'Running');

    await h.advanceClock(40_000);
    const unhealthy = (await h.events('never', { reason: 'Unhealthy' }))[0];
    expect(unhealthy.type).toBe('Warning');
    expect(unhealthy.message).toBe(
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
    await h.waitForPod(
      'fading',
      (p) => condition(p, 'Ready')?.status === 'False',
      'unready after 20 s',
    );
    const restarted = await h.waitForPod(
      'zombie',
      (p) => (container(p)?.restartCount ?? 0) >= 1,
      'restarted by its liveness probe',
    );
    expect(container(restarted)?.lastState?.terminated?.exitCode).toBe(137);
    const killing = await waitFor(async () => (await h.events('zombie', { reason: 'Killing' }))[0]);
    expect(killing.message).toBe('Container app failed liveness probe, will be restarted');
    await h.k(['delete', 'pod', 'never', 'fading', 'zombie']);
  });

  it('refuses a pod that does not fit the node (kubelet admission), and logs/exec answer clearly', async () => {
    await h.apply(
      h.podManifest('huge', 'worker-2', {
        container: { resources: { requests: { cpu: '100' } } },
        bypassScheduler: true,
      }),
    );
    const huge = await h.waitForPod('huge', (p) => p.status?.phase === 'Failed', 'rejected');
    expect(huge.status?.reason).toBe('OutOfcpu');
    expect(huge.status?.message).toBe(
      "Pod was rejected: Node didn't have enough resource: cpu, requested: 100000, used: 0, capacity: 8000",
    );
    expect(huge.status?.qosClass).toBe('Burstable');

    await h.apply(h.podManifest('chatty', 'worker-2'));
    await h.waitForPod('chatty', isRunningAndReady, 'Running');
    const logs = await h.kubectl(['logs', 'chatty'], { timeoutMs: 15_000 });
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toContain(
      'Error from server (BadRequest): kubectl logs is not supported by simulated kubelets',
    );
    const exec = await h.kubectl(['exec', 'chatty', '--', 'ls'], { timeoutMs: 15_000 });
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('kubectl exec is not supported by simulated kubelets');
    await h.k(['delete', 'pod', 'huge', 'chatty']);
  });

  it('resolves priorityClassName to a priority, and a higher-priority pod preempts a lower one', async () => {
    await h.k(['create', 'priorityclass', 'batch-low', '--value=10']);
    await h.k(['create', 'priorityclass', 'serving-high', '--value=1000']);
    // Fill what worker-3 has left with a low-priority pod.
    const node = await h.node('worker-3');
    const onNode = await h.kJson<{ items: PodObject[] }>([
      'get',
      'pods',
      '-A',
      '--field-selector',
      'spec.nodeName=worker-3,status.phase!=Failed,status.phase!=Succeeded',
    ]);
    const millicores = (q: string | undefined) =>
      !q ? 0 : q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
    const used = onNode.items
      .flatMap((p) => p.spec?.containers ?? [])
      .reduce((sum, c) => sum + millicores(c.resources?.requests?.cpu), 0);
    const free = millicores(node.status?.allocatable?.cpu) - used;
    const requests = { resources: { requests: { cpu: `${free}m` } } };
    await h.apply(
      h.podManifest('filler', 'worker-3', {
        container: requests,
        spec: { priorityClassName: 'batch-low' },
      }),
    );
    const filler = await h.waitForPod('filler', isRunningAndReady, 'Running');
    expect(filler.spec).toMatchObject({ priority: 10, preemptionPolicy: 'PreemptLowerPriority' });

    await h.apply(
      h.podManifest('urgent', 'worker-3', {
        container: requests,
        spec: { priorityClassName: 'serving-high' },
      }),
    );
    const [preempted] = await waitFor(
      async () => {
        const events = await h.events('filler', { reason: 'Preempted' });
        return events.length > 0 ? events : undefined;
      },
      { timeoutMs: 60_000, message: 'filler preempted' },
    );
    const urgent = await h.pod('urgent');
    expect(urgent.spec?.priority).toBe(1000);
    expect(preempted.message).toBe(`Preempted by pod ${urgent.metadata?.uid} on node worker-3`);
    const placed = await h.waitForPod('urgent', isRunningAndReady, 'Running on worker-3', 90_000);
    expect(placed.spec?.nodeName).toBe('worker-3');
    await waitFor(
      async () => {
        const r = await h.kubectl(['get', 'pod', 'filler']);
        return r.code !== 0 && r.stderr.includes('NotFound') ? true : undefined;
      },
      { timeoutMs: 60_000, message: 'filler deleted' },
    );
    await h.k(['delete', 'pod', 'urgent']);
    await h.k(['delete', 'priorityclass', 'batch-low', 'serving-high']);
  });
});
