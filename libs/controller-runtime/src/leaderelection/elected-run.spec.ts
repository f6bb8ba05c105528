import { ManualScheduler } from '../testing/manual-scheduler';
import { noopLogger } from '../logger';
import { ElectedRun, type LeaderElectionSettings } from './elected-run';
import { InMemoryLease, InMemoryLeaseLock } from './in-memory-lease';

const ELECTION: LeaderElectionSettings = {
  leaderElect: true,
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  leaseName: 'kube-controller-manager',
  leaseNamespace: 'kube-system',
};

describe('ElectedRun when the lease is lost', () => {
  let clock: ManualScheduler;
  let lease: InMemoryLease;

  beforeEach(() => {
    clock = new ManualScheduler(Date.UTC(2026, 0, 1));
    lease = new InMemoryLease('kube-system/kube-controller-manager');
  });

  /** Starts a run whose work stops with `stopLeading`, leads, then loses the lease to `intruder`. */
  async function leadThenLose(stopLeading: () => Promise<void>) {
    let exitCode: number | undefined;
    let leading: AbortSignal | undefined;
    const run = new ElectedRun({
      component: 'kube-controller-manager',
      election: ELECTION,
      lock: () => new InMemoryLeaseLock(lease, 'kcm-1'),
      scheduler: clock,
      logger: noopLogger,
      checks: [],
      lead: (signal) => {
        leading = signal;
        return Promise.resolve();
      },
      stopLeading,
    });
    void run.exited.then((code) => (exitCode = code));
    await clock.advance(0);
    expect(leading?.aborted).toBe(false);
    // Someone else takes the Lease for a long time: every renewal from now on fails.
    const intruder = new InMemoryLeaseLock(lease, 'intruder');
    const current = await intruder.get();
    await intruder.update({ ...current!, holderIdentity: 'intruder', leaseDurationSeconds: 3600 });
    await clock.advance(ELECTION.renewDeadlineMs + ELECTION.retryPeriodMs);
    expect(leading?.aborted).toBe(true);
    return { run, exitCode: () => exitCode };
  }

  it('exits 1 once the work stopped', async () => {
    const stopped: string[] = [];
    const { exitCode } = await leadThenLose(() => {
      stopped.push('work');
      return Promise.resolve();
    });
    await clock.advance(0);
    expect(stopped).toEqual(['work']);
    expect(exitCode()).toBe(1);
  });

  it('exits 1 even when stopping the work fails', async () => {
    const { exitCode } = await leadThenLose(() => Promise.reject(new Error('drain failed')));
    await clock.advance(0);
    expect(exitCode()).toBe(1);
  });

  it('exits 1 after a lease duration when stopping the work never ends', async () => {
    const { exitCode } = await leadThenLose(() => new Promise<void>(() => undefined));
    await clock.advance(ELECTION.leaseDurationMs - 1);
    expect(exitCode()).toBeUndefined();
    await clock.advance(1);
    expect(exitCode()).toBe(1);
  });
});
