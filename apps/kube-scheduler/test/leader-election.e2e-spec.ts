import { eventually, pod, SchedulerE2e } from './harness';

// Two kube-schedulers on the Lease kube-system/kube-scheduler: one schedules, the other takes over.
jest.setTimeout(120_000);

// Short enough for a quick handover, long enough that a busy CI machine (this whole suite runs in
// one process) never makes the holder miss its renew deadline: a 1.5 s deadline once did, and the
// new leader gave the lease up mid-test.
const ELECTION = {
  leaderElect: 'true',
  leaderElectLeaseDuration: '8s',
  leaderElectRenewDeadline: '6s',
  leaderElectRetryPeriod: '500ms',
};

describe('kube-scheduler leader election, /healthz and /metrics', () => {
  let e: SchedulerE2e;

  beforeAll(async () => {
    e = await SchedulerE2e.start();
    await e.registerNode('worker-1', { initialized: true });
  });

  afterAll(async () => {
    await e?.close();
  });

  it('schedules only while holding the Lease and hands over on close', async () => {
    const a = await e.startScheduler(ELECTION, { identity: 'sched-a', releaseLeaseOnClose: true });
    await eventually(() => expect(a.isLeader()).toBe(true));
    const b = await e.startScheduler(ELECTION, { identity: 'sched-b', releaseLeaseOnClose: true });
    expect(
      await e.ok([
        'get',
        'lease',
        '-n',
        'kube-system',
        'kube-scheduler',
        '-o',
        'jsonpath={.spec.holderIdentity}',
      ]),
    ).toBe('sched-a');
    expect(b.isLeader()).toBe(false);

    const health = await fetch(`${b.healthUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    const metrics = await (await fetch(`${a.healthUrl}/metrics`)).text();
    expect(metrics).toContain('# TYPE scheduler_pending_pods gauge');

    await e.create(pod('by-a'));
    await eventually(async () =>
      expect(
        (await e.json<{ spec: { nodeName?: string } }>(['get', 'pod', 'by-a'])).spec.nodeName,
      ).toBe('worker-1'),
    );

    await a.close();
    expect(await a.exited).toBe(0);
    await eventually(() => expect(b.isLeader()).toBe(true));
    await e.create(pod('by-b'));
    await eventually(async () =>
      expect(
        (await e.json<{ spec: { nodeName?: string } }>(['get', 'pod', 'by-b'])).spec.nodeName,
      ).toBe('worker-1'),
    );
    expect(
      await e.ok([
        'get',
        'lease',
        '-n',
        'kube-system',
        'kube-scheduler',
        '-o',
        'jsonpath={.spec.holderIdentity}',
      ]),
    ).toBe('sched-b');
  });
});
