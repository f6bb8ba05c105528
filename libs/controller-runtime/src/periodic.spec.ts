import { Periodic } from './periodic';
import { ManualScheduler, flushPromises } from './testing/manual-scheduler';

describe('Periodic', () => {
  let clock: ManualScheduler;
  let t0: number;

  beforeEach(() => {
    clock = new ManualScheduler();
    t0 = clock.now();
  });

  /** A 10 s loop whose runs take 3 s, recording when each starts. */
  const threeSecondRuns = (sliding: boolean) => {
    const starts: number[] = [];
    const p = new Periodic(
      {
        name: 'slow',
        periodMs: 10_000,
        sliding,
        run: async () => {
          starts.push(clock.now() - t0);
          await new Promise<void>((resolve) => clock.setTimer(resolve, 3000));
        },
      },
      clock,
    );
    return { p, starts };
  };

  it('should count a sliding period from the end of each run (wait.Until)', async () => {
    const { p, starts } = threeSecondRuns(true);
    p.start();
    await clock.advance(30_000);
    expect(starts).toEqual([0, 13_000, 26_000]);
    await p.stop();
  });

  it('should count a non-sliding period from the start of each run (wait.NonSlidingUntil)', async () => {
    const { p, starts } = threeSecondRuns(false);
    p.start();
    await clock.advance(30_000);
    expect(starts).toEqual([0, 10_000, 20_000, 30_000]);
    const stopped = p.stop(); // waits for the run started at 30 s
    await clock.advance(3000);
    await stopped;
  });

  it('should keep going after a failing run and never overlap runs', async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    const p = new Periodic(
      {
        name: 'flaky',
        periodMs: 1000,
        sliding: false,
        run: async () => {
          runs++;
          active++;
          maxActive = Math.max(maxActive, active);
          await new Promise<void>((resolve) => clock.setTimer(resolve, 2500));
          active--;
          throw new Error('boom');
        },
      },
      clock,
    );
    p.start();
    await clock.advance(10_000);
    // Each run overruns its period, so the next starts right after it: 0, 2.5, 5, 7.5, 10 s.
    expect(runs).toBe(5);
    expect(maxActive).toBe(1);
    const stopped = p.stop();
    await clock.advance(2500);
    await stopped;
    expect(runs).toBe(5);
  });

  it('should wait for a run in progress on stop and schedule nothing after', async () => {
    let finished = false;
    let release: () => void = () => undefined;
    const p = new Periodic(
      {
        name: 'x',
        periodMs: 1000,
        run: async () => {
          await new Promise<void>((resolve) => (release = resolve));
          finished = true;
        },
      },
      clock,
    );
    p.start();
    let stopped = false;
    void p.stop().then(() => (stopped = true));
    await flushPromises();
    expect(stopped).toBe(false);
    release();
    await flushPromises();
    expect(finished).toBe(true);
    expect(stopped).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('should add jitter to the period', async () => {
    const starts: number[] = [];
    const p = new Periodic(
      { name: 'j', periodMs: 1000, jitterFactor: 1, run: () => void starts.push(clock.now() - t0) },
      clock,
      undefined,
      () => 0.5,
    );
    p.start();
    await clock.advance(3000);
    expect(starts).toEqual([0, 1500, 3000]);
    await p.stop();
  });
});
