import type { PodObject } from '@app/kube-client';
import { Backoff } from './backoff';
import { PodSim, type PodSimEnv } from './pod-sim';

const T0 = Date.UTC(2026, 0, 1);

function env(overrides: Partial<PodSimEnv> = {}): PodSimEnv & { released: string[] } {
  let next = 2;
  const released: string[] = [];
  const images = new Set<string>();
  return {
    allocateIp: () => `10.244.0.${next++}`,
    releaseIp: (ip) => released.push(ip),
    hostIp: () => '10.0.0.4',
    imagePresent: (image) => images.has(image),
    imagePulled: (image) => images.add(image),
    imagePullMs: 500,
    containerStopMs: 500,
    backoff: new Backoff(),
    volumes: () => ({ ready: true, unmounted: [], unattached: [] }),
    released,
    ...overrides,
  };
}

function pod(
  spec: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'uid-1', annotations },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' }],
      ...spec,
    },
  };
}

type Status = {
  phase: string;
  podIP: string | null;
  conditions: { type: string; status: string; reason?: string }[];
  containerStatuses: {
    ready: boolean;
    restartCount: number;
    state: Record<string, { reason?: string; message?: string; exitCode?: number }>;
  }[];
};
const statusOf = (sim: PodSim, p: PodObject, now: number) =>
  sim.status(p, now) as unknown as Status;
const reasons = (r: { events: { reason: string }[] }) => r.events.map((e) => e.reason);

describe('PodSim', () => {
  it('waits for its volumes: ContainerCreating, FailedMount every 2m3s, then starts once attached', () => {
    let ready = false;
    const p = pod({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'www' } }] });
    const sim = new PodSim(
      p,
      env({
        volumes: () =>
          ready
            ? { ready: true, unmounted: [], unattached: [] }
            : { ready: false, unmounted: ['data'], unattached: ['data'] },
      }),
    );
    const first = sim.advance(p, T0);
    expect(first.events).toEqual([]);
    expect(first.nextAt).toBe(T0 + 123_000);
    expect(statusOf(sim, p, T0).podIP).toBeNull();
    expect(statusOf(sim, p, T0).containerStatuses[0].state.waiting?.reason).toBe(
      'ContainerCreating',
    );
    const timedOut = sim.advance(p, T0 + 123_000);
    expect(timedOut.events).toEqual([
      {
        type: 'Warning',
        reason: 'FailedMount',
        message:
          'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data], failed to process volumes=[]: timed out waiting for the condition',
      },
    ]);
    expect(timedOut.nextAt).toBe(T0 + 246_000);
    ready = true;
    expect(reasons(sim.advance(p, T0 + 130_000))).toEqual(['Pulling']);
    expect(sim.mounted).toBe(true);
  });

  it('pulls, creates and starts: ContainerCreating, then Running and Ready', () => {
    const p = pod();
    const sim = new PodSim(p, env());
    const first = sim.advance(p, T0);
    expect(reasons(first)).toEqual(['Pulling']);
    expect(first.nextAt).toBe(T0 + 500);
    const creating = statusOf(sim, p, T0);
    expect(creating.phase).toBe('Pending');
    expect(creating.podIP).toBe('10.244.0.2');
    expect(creating.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');
    expect(creating.conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=False',
      'ContainersReady=False',
      'PodScheduled=True',
    ]);
    const started = sim.advance(p, T0 + 500);
    expect(reasons(started)).toEqual(['Pulled', 'Created', 'Started']);
    expect(started.events[0].fieldPath).toBe('spec.containers{app}');
    const running = statusOf(sim, p, T0 + 500);
    expect(running.phase).toBe('Running');
    expect(running.containerStatuses[0].ready).toBe(true);
    expect(running.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('waits for a pod IP (no pod CIDR yet) before anything starts', () => {
    const p = pod();
    const sim = new PodSim(p, env({ allocateIp: () => undefined }));
    expect(sim.advance(p, T0).events).toEqual([]);
    const s = statusOf(sim, p, T0);
    expect(s.podIP).toBeNull();
    expect(s.conditions[0]).toEqual(
      expect.objectContaining({ type: 'PodReadyToStartContainers', status: 'False' }),
    );
  });

  it('crash loops: the first restart is immediate, then 10 s, then 20 s of back-off', () => {
    const p = pod({}, { 'sim.nimbus.dev/start-failure': 'CrashLoopBackOff' });
    const e = env();
    e.imagePulled('docker.io/library/nginx:1.27', 1);
    const sim = new PodSim(p, e);
    sim.advance(p, T0); // already present: started at T0
    sim.advance(p, T0 + 1000); // exits, restarts at once
    let s = statusOf(sim, p, T0 + 1000);
    expect(s.containerStatuses[0].restartCount).toBe(1);
    expect(s.containerStatuses[0].state.running).toBeDefined();
    const crashed = sim.advance(p, T0 + 2000);
    expect(reasons(crashed)).toEqual(['BackOff']);
    expect(crashed.nextAt).toBe(T0 + 12_000);
    s = statusOf(sim, p, T0 + 2000);
    expect(s.phase).toBe('Running');
    expect(s.containerStatuses[0].state.waiting).toEqual({
      reason: 'CrashLoopBackOff',
      message: 'back-off 10s restarting failed container=app pod=p_default(uid-1)',
    });
    sim.advance(p, T0 + 12_000);
    expect(statusOf(sim, p, T0 + 12_000).containerStatuses[0].restartCount).toBe(2);
    sim.advance(p, T0 + 13_000);
    expect(statusOf(sim, p, T0 + 13_000).containerStatuses[0].state.waiting.message).toMatch(
      /^back-off 20s /,
    );
  });

  it('runs to completion with restartPolicy Never (exit-after), releasing the IP', () => {
    const p = pod(
      { restartPolicy: 'Never' },
      { 'sim.nimbus.dev/exit-after': '10s', 'sim.nimbus.dev/exit-code': '2' },
    );
    const e = env();
    const sim = new PodSim(p, e);
    sim.advance(p, T0);
    sim.advance(p, T0 + 500);
    sim.advance(p, T0 + 10_500);
    const s = statusOf(sim, p, T0 + 10_500);
    expect(s.phase).toBe('Failed');
    expect(s.containerStatuses[0].state.terminated).toEqual(
      expect.objectContaining({ exitCode: 2, reason: 'Error' }),
    );
    expect(s.conditions.find((c) => c.type === 'Ready')).toEqual(
      expect.objectContaining({ status: 'False', reason: 'PodFailed' }),
    );
    expect(s.conditions[0].status).toBe('False');
    expect(sim.terminal).toBe(true);
    expect(e.released).toEqual(['10.244.0.2']);
  });

  it('stops gracefully on deletion: Killing, then the terminal status after the stop time', () => {
    const p = pod();
    const sim = new PodSim(p, env());
    sim.advance(p, T0);
    sim.advance(p, T0 + 500);
    const deleting = {
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: 'x', deletionGracePeriodSeconds: 30 },
    };
    const killing = sim.advance(deleting, T0 + 1000);
    expect(killing.events.map((e) => [e.reason, e.message])).toEqual([
      ['Killing', 'Stopping container app'],
    ]);
    expect(killing.nextAt).toBe(T0 + 1500);
    expect(sim.readyForDelete).toBe(false);
    sim.advance(deleting, T0 + 1500);
    expect(sim.readyForDelete).toBe(true);
    const s = statusOf(sim, deleting, T0 + 1500);
    expect(s.phase).toBe('Succeeded');
    expect(s.containerStatuses[0].state.terminated).toEqual(
      expect.objectContaining({ exitCode: 0, reason: 'Completed' }),
    );
  });

  it('a container ignoring SIGTERM uses the whole grace period and is killed (137)', () => {
    const p = pod({}, { 'sim.nimbus.dev/ignore-sigterm': 'true' });
    const sim = new PodSim(p, env());
    sim.advance(p, T0);
    sim.advance(p, T0 + 500);
    const deleting = {
      ...p,
      metadata: { ...p.metadata, deletionTimestamp: 'x', deletionGracePeriodSeconds: 30 },
    };
    expect(sim.advance(deleting, T0 + 1000).nextAt).toBe(T0 + 31_000);
    sim.advance(deleting, T0 + 31_000);
    const s = statusOf(sim, deleting, T0 + 31_000);
    expect(s.phase).toBe('Failed');
    expect(s.containerStatuses[0].state.terminated.exitCode).toBe(137);
  });

  it('runs init containers first: Initialized stays False until they succeeded', () => {
    const p = pod({
      initContainers: [{ name: 'setup', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent' }],
    });
    const sim = new PodSim(p, env());
    sim.advance(p, T0);
    const initializing = statusOf(sim, p, T0);
    expect(initializing.conditions[1]).toEqual(
      expect.objectContaining({
        type: 'Initialized',
        status: 'False',
        reason: 'ContainersNotInitialized',
      }),
    );
    expect(initializing.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');
    sim.advance(p, T0 + 500); // init pulled, ran, exited 0; app pulling
    const s = statusOf(sim, p, T0 + 500) as Status & {
      initContainerStatuses: Status['containerStatuses'];
    };
    expect(s.initContainerStatuses[0].state.terminated).toEqual(
      expect.objectContaining({ exitCode: 0, reason: 'Completed' }),
    );
    expect(s.conditions[1].status).toBe('True');
    sim.advance(p, T0 + 1000);
    expect(statusOf(sim, p, T0 + 1000).phase).toBe('Running');
  });

  it('restarts containers after the node rebooted (adopting the pod)', () => {
    const p = pod();
    const first = new PodSim(p, env());
    first.advance(p, T0);
    first.advance(p, T0 + 500);
    const running = { ...p, status: first.status(p, T0 + 500) } as PodObject;
    const after = new PodSim(running, env());
    after.adopt(running, T0 + 60_000);
    after.advance(running, T0 + 60_000);
    const s = statusOf(after, running, T0 + 60_000);
    expect(s.containerStatuses[0].restartCount).toBe(1);
    const last = (
      s.containerStatuses[0] as unknown as {
        lastState: { terminated: { exitCode: number; reason: string } };
      }
    ).lastState;
    expect(last.terminated).toEqual(expect.objectContaining({ exitCode: 255, reason: 'Unknown' }));
  });
});
