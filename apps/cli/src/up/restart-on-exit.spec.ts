import { restartedOnExit, type SupervisedComponent } from './restart-on-exit';

/** A component whose exit the test decides; records its close. */
function component(name: string, events: string[]) {
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const c: SupervisedComponent & { exit(code: number): void } = {
    exited,
    exit: (code) => exit(code),
    close: () => {
      events.push(`close ${name}`);
      return Promise.resolve();
    },
  };
  return c;
}

/** Resolves once `predicate` holds, checking after each macrotask. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const quiet = { error: () => undefined, warn: () => undefined };
const FAST = { backoffInitialMs: 1, backoffMaxMs: 4, closeBoundMs: 1 };

describe('nimbus up restarts a component that lost its lease', () => {
  it('closes the exited instance, starts a new one, and watches that one too', async () => {
    const events: string[] = [];
    const instances = [component('first', events)];
    const supervised = restartedOnExit(instances[0], {
      name: 'kube-controller-manager',
      start: () => {
        const next = component(`restart-${instances.length}`, events);
        instances.push(next);
        events.push(`start ${instances.length - 1}`);
        return Promise.resolve(next);
      },
      closing: () => false,
      log: quiet,
      timing: FAST,
    });
    instances[0].exit(1);
    await until(() => instances.length === 2);
    instances[1].exit(1); // it loses the lease again: restarted again
    await until(() => instances.length === 3);
    await supervised.close();
    expect(events).toEqual([
      'close first',
      'start 1',
      'close restart-1',
      'start 2',
      'close restart-2',
    ]);
  });

  it('keeps trying with back-off when a restart fails, instead of giving up', async () => {
    const events: string[] = [];
    const first = component('first', events);
    let attempts = 0;
    const supervised = restartedOnExit(first, {
      name: 'kube-scheduler',
      start: () => {
        attempts++;
        return attempts < 3
          ? Promise.reject(new Error('api-server busy'))
          : Promise.resolve(component('third', events));
      },
      closing: () => false,
      log: quiet,
      timing: FAST,
    });
    first.exit(1);
    await until(() => attempts === 3);
    await supervised.close();
    expect(events).toEqual(['close first', 'close third']);
  });

  it('restarts even when the exited instance never finishes closing', async () => {
    const events: string[] = [];
    const first = component('first', events);
    first.close = () => new Promise<void>(() => undefined);
    let started = 0;
    const supervised = restartedOnExit(first, {
      name: 'kube-controller-manager',
      start: () => {
        started++;
        return Promise.resolve(component('next', events));
      },
      closing: () => false,
      log: quiet,
      timing: FAST,
    });
    first.exit(1);
    await until(() => started === 1);
    await supervised.close();
    expect(events).toEqual(['close next']);
  });

  it('does not restart a component that stopped cleanly, nor while nimbus up closes', async () => {
    const events: string[] = [];
    let closing = false;
    let started = 0;
    const options = {
      name: 'kube-controller-manager',
      start: () => {
        started++;
        return Promise.resolve(component('x', events));
      },
      closing: () => closing,
      log: quiet,
      timing: FAST,
    };
    const clean = component('clean', events);
    restartedOnExit(clean, options);
    clean.exit(0);
    const late = component('late', events);
    restartedOnExit(late, options);
    closing = true;
    late.exit(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(0);
  });

  it('stops retrying at once when closed during a back-off', async () => {
    const first = component('first', []);
    let attempts = 0;
    const supervised = restartedOnExit(first, {
      name: 'kube-scheduler',
      start: () => {
        attempts++;
        return Promise.reject(new Error('still busy'));
      },
      closing: () => false,
      log: quiet,
      // A back-off far longer than any test: close() must not wait for it.
      timing: { backoffInitialMs: 600_000, backoffMaxMs: 600_000, closeBoundMs: 1 },
    });
    first.exit(1);
    await until(() => attempts === 1);
    await supervised.close();
    expect(attempts).toBe(1);
  });
});
